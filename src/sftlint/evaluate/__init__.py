"""`sftlint eval`: did the fine-tune beat its base model, and what did it forget (runner.py);
the metrics themselves (metrics.py)."""
