"""Loading a causal language model for inference (scoring in `lint --model`, generation in
`eval`): a local folder, a Hugging Face hub id, or a single `.gguf` file, on the GPU when there
is one. The trainer loads through `pretrained_source` too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ModelError(Exception):
    """The model cannot be loaded (a usage error: exit 2, with the reason)."""


def pretrained_source(name_or_path: str) -> tuple[str, dict[str, Any]]:
    """What `from_pretrained` takes for a name: (folder or hub id, extra keyword arguments)."""
    path = Path(name_or_path).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelError(f"{path}: no such file")
        return str(path.parent), {"gguf_file": path.name}
    return (str(path) if path.exists() else name_or_path), {}


def fingerprint(name_or_path: str) -> str:
    """A key that changes when the model's weights change: for local files their names, sizes and
    modification times; for a hub id the id itself (pin a revision by downloading it)."""
    path = Path(name_or_path).expanduser()
    if not path.exists():
        return name_or_path
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                 and p.suffix in (".safetensors", ".bin", ".gguf", ".json"))
    h = hashlib.blake2b(digest_size=8)
    for f in files:
        st = f.stat()
        h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return f"{path.resolve()}#{h.hexdigest()}"


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    device: str
    name: str

    @property
    def label(self) -> str:
        return model_label(self.name)


def model_label(name_or_path: str) -> str:
    """Short name for messages (the file or folder name, or the hub id)."""
    path = Path(name_or_path)
    return path.stem if path.suffix == ".gguf" else path.name or name_or_path


def inference_precision(device: str | None = None) -> tuple[str, str]:
    """(device, dtype name) a model is loaded with: cuda when available, else cpu; bf16 on a GPU and
    on a CPU with bf16 instructions (twice as fast as fp32 there; scores move by a few hundredths),
    fp32 elsewhere."""
    try:
        import torch
    except ImportError as exc:
        raise ModelError("model-based checks need torch and transformers: pip install 'sftlint[train]'") from exc
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    cpu_bf16 = getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)()
    return device, "bfloat16" if device.startswith("cuda") or cpu_bf16 else "float32"


def load_for_inference(name_or_path: str, device: str | None = None) -> LoadedModel:
    """The model in eval mode and its tokenizer (with a pad token), on `device` (default: cuda if
    available, else cpu)."""
    try:
        import torch
        from transformers import AutoModelForCausalLM
    except ImportError as exc:
        raise ModelError("model-based checks need torch and transformers: pip install 'sftlint[train]'") from exc
    from sftlint.tokens import TokenizerError, load_hf_tokenizer

    device, dtype_name = inference_precision(device)
    dtype = getattr(torch, dtype_name)
    source, kwargs = pretrained_source(name_or_path)
    try:
        tokenizer = load_hf_tokenizer(name_or_path)
    except TokenizerError as exc:
        raise ModelError(str(exc)) from exc
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    try:
        model = AutoModelForCausalLM.from_pretrained(
            source, dtype=dtype, **kwargs)
    except Exception as exc:  # hub, network, format errors
        raise ModelError(f"cannot load model {name_or_path!r}: {exc.__class__.__name__}: {exc}") from exc
    quantizer = getattr(model, "hf_quantizer", None)
    if "gguf_file" in kwargs and quantizer is not None:
        quantizer.remove_quantization_config(model)  # GGUF weights are dense once loaded
    model.to(device)
    model.eval()
    return LoadedModel(model, tokenizer, device, name_or_path)


def greedy(loaded: LoadedModel, prompts: list[list[int]], max_new_tokens: int | list[int],
           batch_size: int) -> list[tuple[str, bool]]:
    """The model's greedy continuation of each prompt (token ids), cut at its first end-of-turn
    token, and whether it reached one (False: it ran into the token limit). Batches of similar
    length, left-padded so every row continues at the end."""
    import torch

    from sftlint.train.data import end_of_turn_ids

    tok, model = loaded.tokenizer, loaded.model
    eot = end_of_turn_ids(tok)
    limits = max_new_tokens if isinstance(max_new_tokens, list) else [max_new_tokens] * len(prompts)
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    results: list[tuple[str, bool]] = [("", False)] * len(prompts)
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    for start in range(0, len(order), batch_size):
        part = order[start:start + batch_size]
        width = max(len(prompts[i]) for i in part)
        ids = torch.full((len(part), width), pad, dtype=torch.long)
        mask = torch.zeros((len(part), width), dtype=torch.long)
        for row, i in enumerate(part):
            n = len(prompts[i])
            ids[row, width - n:] = torch.tensor(prompts[i])
            mask[row, width - n:] = 1
        with torch.inference_mode():
            out = model.generate(input_ids=ids.to(loaded.device), attention_mask=mask.to(loaded.device),
                                 max_new_tokens=max(limits[i] for i in part), do_sample=False, pad_token_id=pad,
                                 eos_token_id=sorted(eot) or None)
        for row, i in enumerate(part):
            new = out[row, width:].tolist()[:limits[i]]
            stop = next((k for k, t in enumerate(new) if t in eot), None)
            kept = new if stop is None else new[:stop]
            results[i] = (tok.decode(kept, skip_special_tokens=True).strip(), stop is not None)
    return results
