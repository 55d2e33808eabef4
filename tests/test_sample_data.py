"""The bundled sample data: lint finds exactly the planted defects that sample_data/README.md lists."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import orjson

from conftest import ROOT, run_cli

SAMPLE = ROOT / "sample_data"


def planted(preview: bool = False) -> set[tuple[str, int | None]]:
    """The (code, line) pairs of the README's table; "S029 (file)" is a finding about the file
    (naming this line), "D003 (preview)" one that only `--preview` reports."""
    table = SAMPLE.joinpath("README.md").read_text().split("<!-- defects:begin -->")[1].split("<!-- defects:end -->")[0]
    out = set()
    for line, codes in re.findall(r"^\| (\d+) \| .* \| ([A-Z0-9, ()a-z]+) \|$", table, flags=re.M):
        for code in codes.split(","):
            code, _, scope = code.strip().partition(" ")
            if scope != "(preview)" or preview:
                out.add((code, None if scope == "(file)" else int(line)))
    return out


def test_lint_finds_exactly_the_planted_defects():
    expected = planted()
    assert len(expected) >= 25
    result = run_cli("lint", str(SAMPLE / "bike_shop.jsonl"), "--output-format", "json")
    assert result.exit_code == 1
    findings = orjson.loads(result.stdout)["findings"]
    assert {(f["code"], f["line"]) for f in findings} == expected
    assert "none on lines 127)" in next(f["message"] for f in findings if f["code"] == "S029")


def test_preview_adds_exactly_the_planted_preview_defects():
    result = run_cli("lint", str(SAMPLE / "bike_shop.jsonl"), "--output-format", "json", "--preview")
    found = {(f["code"], f["line"]) for f in orjson.loads(result.stdout)["findings"]}
    assert found == planted(preview=True) and found - planted() == {("D003", 5), ("D003", 157), ("D004", 163),
                                                                     ("D004", 169), ("D004", 175)}


def test_sample_data_is_a_few_hundred_examples_and_rebuilds_identically(tmp_path):
    doc = orjson.loads(run_cli("lint", str(SAMPLE / "bike_shop.jsonl"), "--output-format", "json").stdout)
    assert doc["files"][0]["examples"] >= 190
    copy = tmp_path / "sample_data"  # rebuilt in a copy: a test never writes into the checkout
    shutil.copytree(SAMPLE, copy)
    (copy / "bike_shop.jsonl").unlink()
    subprocess.run([sys.executable, "build.py"], cwd=copy, check=True, capture_output=True)
    assert (copy / "bike_shop.jsonl").read_bytes() == (SAMPLE / "bike_shop.jsonl").read_bytes()
    assert (copy / "README.md").read_text() == (SAMPLE / "README.md").read_text()
