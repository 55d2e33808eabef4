"""Training: prepare token ids and loss masks from the model's chat template, then train LoRA."""
