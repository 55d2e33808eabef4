"""Start a new rule in every place a rule lives, as ruff's add_rule.py does.

    python scripts/new_rule.py Q011 unclosed-table --summary "Answer ends inside a Markdown table"

writes:
- a catalogue entry in rules/catalogue.toml, status `preview` (out of the default set until its
  precision is measured), with the documentation headings to fill in;
- a check function registered with `@check("Q011")` at the end of src/sftlint/checks/<module>.py;
- a case in tests/rule_cases.py (a clean example it must not flag: add the violations it must);
- a row in the README's rule table, in code order.

Then write the check and its case, and make the snapshot:
`SFTLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_rules.py -k Q011` (read it before committing).
The code must be new (codes are never reused) and the name the defect's ("allow" + name reads well).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = {"S": "structure", "T": "tokens", "D": "duplicates", "P": "padding", "B": "model-copy", "Q": "quality"}


def catalogue_entry(code: str, name: str, family: str, severity: str, summary: str, fix: str) -> str:
    return f'''
[[rule]]
code = "{code}"
name = "{name}"
family = "{family}"
scope = "example"
severity = "{severity}"
status = "preview"
summary = "{summary}"
fix = "{fix}"
what = "What the rule checks, in one or two sentences."
why = "Why a model trained on such an example is worse for it."
example = "The smallest example that it flags."
use_instead = "The same example, fixed."
known_problems = "Where it is wrong: the cases measured by benchmarks/precision.py."
references = ""
'''


def check_function(code: str, name: str, summary: str) -> str:
    function = name.replace("-", "_")
    return f'''

@check("{code}")
def {function}(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    """{summary}."""
    yield from ()
'''


def add_case(text: str, code: str) -> str:
    """The case goes in code order among CASES' entries."""
    entries = list(re.finditer(r'(?m)^    "([A-Z]\d{3})": Case\(', text))
    line = f'    "{code}": Case({{"a.jsonl": jl(*oks(3))}}, set()),  # add violations, and expect them\n'
    after = [m for m in entries if m.group(1) > code]
    at = after[0].start() if after else text.rindex("\n}") + 1
    return text[:at] + line + text[at:]


def add_readme_row(text: str, code: str, name: str, severity: str, summary: str) -> str:
    rows = list(re.finditer(r"(?m)^\| ([SDPTBQ]\d{3}) \| [^\n]*\n", text))
    row = f"| {code} | {name} | {severity} | preview | – | {summary} |\n"
    after = [m for m in rows if m.group(1) > code]
    at = after[0].start() if after else rows[-1].end()
    return text[:at] + row + text[at:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("code", help="e.g. Q011: the family letter and the next free number")
    ap.add_argument("name", help="the defect, kebab-case, e.g. truncated-table")
    ap.add_argument("--summary", required=True, help="what is wrong, without a final full stop")
    ap.add_argument("--fix", default="Fix or drop the example", help="what to do about it")
    ap.add_argument("--severity", choices=("info", "warning", "error"), default="warning")
    ap.add_argument("--module", default=None, help="checks module for the function (default: the family's)")
    ap.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    root = args.root
    code, name = args.code.upper(), args.name
    if not re.fullmatch(r"[SDPTBQ]\d{3}", code):
        sys.exit(f"{code}: a code is a family letter ({', '.join(FAMILIES)}) and three digits")
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name):
        sys.exit(f"{name}: a name is kebab-case")
    catalogue = root / "rules" / "catalogue.toml"
    with open(catalogue, "rb") as fh:
        known = {r["code"]: r["name"] for r in tomllib.load(fh)["rule"]}
    if code in known:
        sys.exit(f"{code} exists ({known[code]}); codes are never reused: take the next free number")
    if name in known.values():
        sys.exit(f"{name} is taken")
    module = args.module or {"S": "structure", "T": "tokens", "P": "repetition", "Q": "quality"}.get(code[0])
    checks = root / "src" / "sftlint" / "checks" / f"{module}.py"
    if module is None or not checks.is_file():
        sys.exit(f"--module: no checks module {checks.name}; pass an existing one")
    family = FAMILIES[code[0]]
    catalogue.write_text(catalogue.read_text().rstrip("\n") + "\n" +
                         catalogue_entry(code, name, family, args.severity, args.summary, args.fix))
    checks.write_text(checks.read_text().rstrip("\n") + "\n" + check_function(code, name, args.summary))
    cases = root / "tests" / "rule_cases.py"
    cases.write_text(add_case(cases.read_text(), code))
    readme = root / "README.md"
    readme.write_text(add_readme_row(readme.read_text(), code, name, args.severity, args.summary))
    for path in (catalogue, checks, cases, readme):
        print(f"  wrote {path.relative_to(root)}")
    print(f"Now write the check, its violations in tests/rule_cases.py, then "
          f"`SFTLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_rules.py -k {code}`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
