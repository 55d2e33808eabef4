"""Configuration: discovery, precedence, validation that names the key."""

from __future__ import annotations

import orjson

from conftest import run_cli
from rule_cases import SYS, A, Q, conv, jl, oks

DATA = jl(*oks(9), conv(Q, A), conv(SYS, A))  # S029 on line 10, S021 on line 11


def codes(result) -> list[tuple[str, int]]:
    return [(f["code"], f["line"]) for f in orjson.loads(result.stdout)["findings"]]


def project(tmp_path, pyproject: str | None = None, sftlint_toml: str | None = None):
    (tmp_path / "data" / "train").mkdir(parents=True, exist_ok=True)
    (tmp_path / "data" / "train" / "a.jsonl").write_bytes(DATA)
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    if sftlint_toml is not None:
        (tmp_path / "sftlint.toml").write_text(sftlint_toml)
    return "data/train/a.jsonl"


def lint(tmp_path, path, *args):
    return run_cli("lint", path, "--output-format", "json", *args, cwd=tmp_path)


def test_pyproject_found_by_walking_up_from_the_file(tmp_path):
    path = project(tmp_path, '[tool.sftlint]\nignore = ["S029"]\n')
    assert codes(lint(tmp_path, path)) == [("S021", 11)]


def test_pyproject_without_table_is_skipped_for_an_outer_sftlint_toml(tmp_path):
    path = project(tmp_path, sftlint_toml='select = ["S021"]\n')
    (tmp_path / "data" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert codes(lint(tmp_path, path)) == [("S021", 11)]


def test_cli_flags_override_the_file(tmp_path):
    path = project(tmp_path, '[tool.sftlint]\nselect = ["S021"]\nfail-on = "error"\n')
    assert codes(lint(tmp_path, path, "--select", "S029")) == [("S029", None)]  # a note about the file
    assert lint(tmp_path, path, "--select", "S029", "--fail-on", "info").exit_code == 1
    assert lint(tmp_path, path, "--select", "S029").exit_code == 0


def test_extend_select_and_prefixes(tmp_path):
    path = project(tmp_path, '[tool.sftlint]\nselect = ["S02"]\nignore = ["S029"]\nextend-select = ["T004"]\n')
    assert codes(lint(tmp_path, path)) == [("S021", 11)]


def test_preview_rules_are_picked_by_exact_code_or_with_preview(tmp_path):
    from sftlint.config import load_settings

    def selected(**overrides):
        return load_settings(tmp_path, None, overrides).selected

    assert "D004" not in selected() and "D004" not in selected(select=["ALL"]) and "D004" not in selected(select=["D"])
    assert "D004" in selected(select=["D004"]) and "D004" in selected(**{"extend-select": ["D004"]})
    assert {"D004", "T004"} <= selected(preview=True) and "D004" in selected(select=["D"], preview=True)
    assert "D001" in selected(select=["D"]) and "D004" not in selected(preview=True, ignore=["D004"])
    (tmp_path / "sftlint.toml").write_text("preview = true\n")
    assert "D004" in selected()


def test_per_file_ignores(tmp_path):
    path = project(tmp_path, '[tool.sftlint]\n[tool.sftlint.per-file-ignores]\n"data/train/*.jsonl" = ["S021"]\n')
    assert ("S021", 11) not in codes(lint(tmp_path, path))
    path2 = "data/train/b.jsonl"
    (tmp_path / path2).write_bytes(DATA)
    (tmp_path / "pyproject.toml").write_text('[tool.sftlint.per-file-ignores]\n"a.jsonl" = ["S"]\n')
    assert codes(lint(tmp_path, path)) == []
    assert ("S021", 11) in codes(lint(tmp_path, path2))


def test_rule_options_and_profile(tmp_path):
    path = project(tmp_path, '[tool.sftlint]\nprofile = "together"\n[tool.sftlint.rules.S028]\nmin-examples = 50\n')
    found = codes(lint(tmp_path, path))
    assert ("S028", None) in found


def test_max_tokens_from_file(tmp_path):
    path = project(tmp_path, '[tool.sftlint]\nmax-tokens = 20\nencoding = "cl100k_base"\nselect = ["T001"]\n')
    assert {c for c, _ in codes(lint(tmp_path, path))} == {"T001"}


def config_error(tmp_path, text: str, in_pyproject: bool = True) -> str:
    path = project(tmp_path, f"[tool.sftlint]\n{text}" if in_pyproject else None,
                   None if in_pyproject else text)
    result = lint(tmp_path, path)
    assert result.exit_code == 2, result.stdout
    return result.stderr


def test_unknown_key_is_named(tmp_path):
    err = config_error(tmp_path, 'selct = ["S"]\n')
    assert "pyproject.toml [tool.sftlint]: selct: unknown key" in err


def test_invalid_values_are_named(tmp_path):
    assert "fail-on" in config_error(tmp_path, 'fail-on = "fatal"\n')


def test_unknown_code_profile_and_option(tmp_path):
    assert "ignore: unknown rule code(s) or prefix(es): X1" in config_error(tmp_path, 'ignore = ["X1"]\n', False)
    assert "unknown profile 'azure'" in config_error(tmp_path, 'profile = "azure"\n', False)
    assert "rules.S028.min-exampels: unknown option (options: min-examples)" in config_error(
        tmp_path, "[rules.S028]\nmin-exampels = 3\n", False)
    assert "rules.S028.min-examples: expected int" in config_error(tmp_path, '[rules.S028]\nmin-examples = "3"\n', False)


def test_invalid_toml_is_a_config_error(tmp_path):
    assert "invalid TOML" in config_error(tmp_path, "select = [\n", False)


def test_config_show_prints_valid_toml_with_the_source_of_each_value(tmp_path):
    import tomllib

    project(tmp_path, '[tool.sftlint]\nfail-on = "warning"\nselect = ["S", "T"]\n[tool.sftlint.rules.S028]\n'
                      'min-examples = 5\n[tool.sftlint.review.keys]\naccept = "y"\n[tool.sftlint.train]\nlora-r = 8\n')
    result = run_cli("config", cwd=tmp_path)
    assert result.exit_code == 0
    out = result.stdout
    assert 'fail-on = "warning"  # from pyproject.toml' in out
    assert 'profile = "openai"  # default' in out
    assert "# max-tokens: unset (default)" in out
    assert "# Lowest severity that makes `sftlint lint` exit 1." in out  # each key's documentation
    parsed = tomllib.loads(out)["tool"]["sftlint"]  # pasted into a pyproject.toml, it means the same
    assert parsed["select"] == ["S", "T"] and parsed["rules"]["S028"] == {"min-examples": 5}
    assert parsed["review"]["keys"] == {"accept": "y"} and parsed["train"] == {"lora-r": 8}
    assert "min-examples = 5  # from pyproject.toml" in out
