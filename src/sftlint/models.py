"""Loading a causal language model for inference (scoring in `lint --model`, generation in
`eval`): a local folder, a Hugging Face hub id, or a single `.gguf` file, on the GPU when there
is one. The trainer loads through `pretrained_source` too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
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


def missing_local(name_or_path: str) -> bool:
    """A name that can only be a local path (a .gguf file, or starting with ., / or ~) and is not
    there: said before anything loads, rather than after a hub lookup fails."""
    path = Path(name_or_path).expanduser()
    return (path.suffix == ".gguf" or name_or_path.startswith((".", "/", "~"))) and not path.exists()


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
    dtype: str = "float32"

    @property
    def label(self) -> str:
        return model_label(self.name)


def model_label(name_or_path: str) -> str:
    """Short name for messages (the file or folder name, or the hub id)."""
    path = Path(name_or_path)
    return path.stem if path.suffix == ".gguf" else path.name or name_or_path


DTYPES = {"auto": "auto", "bf16": "bfloat16", "bfloat16": "bfloat16", "fp16": "float16", "float16": "float16",
          "fp32": "float32", "float32": "float32"}
"""What `--dtype` accepts, and the torch dtype each name means."""


def compute_dtype(device: str, requested: str = "auto") -> str:
    """The dtype models compute in, one choice for training, scoring and eval: `requested` unless it
    is "auto"; else bf16 on a GPU that has it (fp16 on older GPUs), bf16 on a CPU that runs it
    natively, fp32 on any other CPU (where bf16 is emulated: ~30x slower than fp32 on AVX2)."""
    name = DTYPES.get(requested)
    if name is None:
        raise ModelError(f"unknown dtype {requested!r}; one of {', '.join(DTYPES)}")
    if name != "auto":
        return name
    import torch

    if device.startswith("cuda"):
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "bfloat16" if cpu_runs_bf16_fast() else "float32"


@cache
def cpu_runs_bf16_fast() -> bool:
    """Whether a bf16 matmul beats fp32 on this CPU, measured (about 20 ms, once per process).

    oneDNN runs bf16 natively only with AVX512-BF16 or AMX; elsewhere it emulates it, and the
    CPU flags alone do not say which path a build takes (ONEDNN_MAX_CPU_ISA can cap it)."""
    import time

    import torch

    probe = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    try:
        if probe is not None and not probe():
            return False
    except RuntimeError:
        pass

    def seconds(dtype) -> float:
        a = torch.ones(256, 512, dtype=dtype)
        b = torch.ones(512, 512, dtype=dtype)
        a @ b  # warm-up: the first call picks and compiles kernels
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            a @ b
            best = min(best, time.perf_counter() - start)
        return best

    # Native bf16 is 2-4x faster than fp32 here; emulated bf16 is slower: the margin keeps
    # timing noise from flipping the choice.
    return seconds(torch.bfloat16) * 1.25 < seconds(torch.float32)


def inference_precision(device: str | None = None, requested: str = "auto") -> tuple[str, str]:
    """(device, dtype name) a model is loaded with for scoring and generation: cuda when
    available, else cpu; the dtype from `compute_dtype`."""
    try:
        import torch
    except ImportError as exc:
        raise ModelError("model-based checks need torch and transformers: pip install 'sftlint[train]'") from exc
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    return device, compute_dtype(device, requested)


def load_model(name_or_path: str, dtype: str, device: str, four_bit: bool = False):
    """The one way a causal LM is loaded (scoring, evaluation, training): a folder, hub id or
    .gguf file, in `dtype`, on `device`; NF4 weights with `dtype` compute when `four_bit` (on a
    CUDA device the weights are placed there at load)."""
    try:
        import torch
        from transformers import AutoModelForCausalLM
    except ImportError as exc:
        raise ModelError("loading a model needs torch and transformers: pip install 'sftlint[train]'") from exc
    torch_dtype = getattr(torch, dtype)
    source, kwargs = pretrained_source(name_or_path)
    if four_bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch_dtype)
        kwargs["device_map"] = {"": device}
    try:
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype, **kwargs)
    except Exception as exc:  # hub, network, format errors
        raise ModelError(f"cannot load model {name_or_path!r}: {exc.__class__.__name__}: {exc}") from exc
    quantizer = getattr(model, "hf_quantizer", None)
    if "gguf_file" in kwargs and quantizer is not None:
        # GGUF weights are de-quantised to dense tensors on load; dropping the marker lets peft
        # train them and save_pretrained write them (notes/lab-cpu-stack.md §3)
        quantizer.remove_quantization_config(model)
    if not four_bit:
        model = model.to(device)
    return model


def load_tokenizer(name_or_path: str):
    """The model's tokenizer (with its chat template), with a pad token."""
    from sftlint.tokens import TokenizerError, load_hf_tokenizer

    try:
        tokenizer = load_hf_tokenizer(name_or_path)
    except TokenizerError as exc:
        raise ModelError(str(exc)) from exc
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_for_inference(name_or_path: str, device: str | None = None, dtype: str = "auto") -> LoadedModel:
    """The model in eval mode and its tokenizer, on `device` (default: cuda if available, else
    cpu), in `dtype` (see `compute_dtype`)."""
    device, dtype_name = inference_precision(device, dtype)
    tokenizer = load_tokenizer(name_or_path)
    model = load_model(name_or_path, dtype_name, device)
    model.eval()
    return LoadedModel(model, tokenizer, device, name_or_path, dtype_name)


def greedy(loaded: LoadedModel, prompts: list[list[int]], max_new_tokens: int | list[int],
           batch_size: int, on_batch=None) -> list[tuple[str, bool]]:
    """The model's greedy continuation of each prompt (token ids), cut at its first end-of-turn
    token, and whether it reached one (False: it ran into the token limit). Batches of similar
    length, left-padded so every row continues at the end; `on_batch(n)` after each batch of n."""
    import torch

    from sftlint.batches import by_length, padded
    from sftlint.chat_template import end_of_turn_ids

    tok, model = loaded.tokenizer, loaded.model
    eot = end_of_turn_ids(tok)
    limits = max_new_tokens if isinstance(max_new_tokens, list) else [max_new_tokens] * len(prompts)
    results: list[tuple[str, bool]] = [("", False)] * len(prompts)
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    for part in by_length([len(p) for p in prompts], batch_size):
        batch = padded([prompts[i] for i in part], pad, left=True)
        width = batch["input_ids"].shape[1]
        with torch.inference_mode():
            out = model.generate(input_ids=batch["input_ids"].to(loaded.device),
                                 attention_mask=batch["attention_mask"].to(loaded.device),
                                 max_new_tokens=max(limits[i] for i in part), do_sample=False, pad_token_id=pad,
                                 eos_token_id=sorted(eot) or None)
        for row, i in enumerate(part):
            new = out[row, width:].tolist()[:limits[i]]
            stop = next((k for k, t in enumerate(new) if t in eot), None)
            kept = new if stop is None else new[:stop]
            results[i] = (tok.decode(kept, skip_special_tokens=True).strip(), stop is not None)
        if on_batch is not None:
            on_batch(len(part))
    return results
