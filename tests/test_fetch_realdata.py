"""scripts/fetch_realdata.py, run against a local mirror (the machine running the tests may have no
network): files are checked by their git blob hash, cut files are cut at the same record."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "fetch_realdata.py"
ONLY = ("gsm8k/test.jsonl", "codealpaca/*", "medicalgpt/*", "axolotl/conversation.json")


def mirror_of(realdata, tmp_path, corrupt: str | None = None):
    """A mirror laid out as {repo}/{commit}/{path}; each cut file stands in for its longer original
    with records appended after the ones kept."""
    sys.path.insert(0, str(SCRIPT.parent))
    import fetch_realdata

    mirror = tmp_path / "mirror"
    for source in fetch_realdata.SOURCES:
        target = mirror / source.repo / source.commit / source.path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = (realdata / source.local).read_bytes()
        if source.first and source.local.endswith(".jsonl"):
            data += data.splitlines(keepends=True)[0] * 3
        elif source.first:
            data = data[: data.rindex(b"\n]")] + b',\n      {"instruction": "extra", "input": "", "output": "x"}\n]\n'
        if source.local == corrupt:
            data = data.replace(b"a", b"e", 1)
        target.write_bytes(data)
    return mirror


def fetch(mirror, dest, *only):
    args = [sys.executable, str(SCRIPT), "--mirror", mirror.as_uri(), "--dest", str(dest)]
    for glob in only or ONLY:
        args += ["--only", glob]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def test_fetches_each_file_byte_for_byte_and_cuts_long_files_at_the_same_record(realdata, tmp_path):
    dest = tmp_path / "corpus"
    done = fetch(mirror_of(realdata, tmp_path), dest)
    assert done.returncode == 0, done.stderr
    assert "5 file(s) fetched, 0 already present, 0 failed" in done.stdout
    for path in dest.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (realdata / path.relative_to(dest)).read_bytes(), path
    again = fetch(mirror_of(realdata, tmp_path), dest)
    assert "0 file(s) fetched, 5 already present" in again.stdout


def test_a_file_that_does_not_match_its_hash_is_not_written_and_fails_the_run(realdata, tmp_path):
    dest = tmp_path / "corpus"
    done = fetch(mirror_of(realdata, tmp_path, corrupt="gsm8k/test.jsonl"), dest)
    assert done.returncode == 1
    assert "gsm8k/test.jsonl: blob" in done.stderr and "not written" in done.stderr
    assert not (dest / "gsm8k" / "test.jsonl").exists()
    assert (dest / "axolotl" / "conversation.json").exists()  # the others still came
    shutil.rmtree(tmp_path / "mirror" / "openai")
    missing = fetch(tmp_path / "mirror", tmp_path / "other", "gsm8k/*")
    assert missing.returncode == 1 and "URLError" in missing.stderr
