"""Precision of every rule on real public data nobody here tuned for, from hand-labelled verdicts.

Lints every dataset file under ../shared/realdata (every rule but the model-based ones, preview
included), matches each finding to the labels in benchmarks/precision_labels.jsonl and prints,
per rule: findings, labelled, true, precision with its 95% Wilson interval; then the overall
precision of the default rules' warning and error findings (each rule weighted by its findings),
and per file the share of records the default rules flag at warning or error.

A label is one finding read in its example by a person: "true" only when a curator would want
the example changed or dropped (a technically true but useless finding is false), with a
one-line reason. Labels are keyed by file, line, code and the finding's span text (or its
message with the numbers taken out), so they survive re-runs; findings no label matches are
counted as new.

    python benchmarks/precision.py                       # the table
    python benchmarks/precision.py --dump todo.jsonl     # sampled unlabelled findings, with their examples
    python benchmarks/precision.py --per-rule 40         # a bigger sample per rule
    python benchmarks/precision.py --write               # also record each rule's precision in rules/precision.toml

The sample of a rule is its findings ordered by a hash of their key (so it does not move when
other findings come and go), the first --per-rule of them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).parent))
from fetch_realdata import require  # noqa: E402

LABELS = Path(__file__).parent / "precision_labels.jsonl"
PRECISION = ROOT / "rules" / "precision.toml"
SUFFIXES = (".json", ".jsonl", ".parquet")
SHOWN = 1500  # characters of each message in a dump


def wilson(true: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = true / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def anchor(finding, conv) -> str:
    """What a label holds on to besides file, line and code: the span's text, else the message
    with its numbers taken out (counts and shares move when a rule is tuned), and the line of the
    other example a duplicate finding names."""
    if finding.span and conv is not None and finding.message_index is not None:
        content = conv.messages[finding.message_index].content or ""
        text = content[finding.span[0]:finding.span[1]]
        if text.strip():
            return "span:" + text[:120]
    message = "msg:" + re.sub(r"\d[\d,.]*", "#", finding.message)
    # a duplicate is a pair: the same message about another partner is another finding
    return f"{message}|with:{finding.related_lines[0]}" if finding.related_lines else message


def key_of(row: dict) -> str:
    return f"{row['file']}|{row['line']}|{row['code']}|{row['anchor']}"


def lint_all(realdata: Path):
    """(file, findings, records, conversations by line) for every dataset file."""
    from reasoning_quality import derived_file

    from sftlint.catalogue import catalogue
    from sftlint.config import load_settings
    from sftlint.io.conversations import iter_conversations
    from sftlint.lint import Engine
    from sftlint.lint.engine import MODEL_CODES

    every = sorted(c for c in catalogue() if c not in MODEL_CODES)
    settings = load_settings(ROOT, None, {"select": every, "encoding": "cl100k_base"})
    paths = [(p, p.relative_to(realdata).as_posix(), settings)
             for p in sorted(p for p in realdata.rglob("*") if p.is_file() and p.suffix in SUFFIXES)]
    # real reasoning: GSM8K's model solutions as the reasoning of the true answers (reasoning_quality.py);
    # linted for a target that trains reasoning
    hf = load_settings(ROOT, None, {"select": every, "encoding": "cl100k_base", "profile": "hf"})
    paths.append((derived_file(realdata), "derived/gsm8k-reasoning.jsonl", hf))
    for path, name, chosen in paths:
        result = Engine(chosen, jobs=1).run([path]).files[0]
        if result.examples == 0:
            continue  # not a dataset (detector scores, raw text): nothing for the content rules to read
        convs = {r.record.line: r.conversation for r in iter_conversations(path, chosen.profile)}
        yield name, result, convs


def shown(conv, finding) -> list[dict]:
    out = []
    for i, m in enumerate(conv.messages if conv else []):
        text = m.content or ""
        if i == finding.message_index and finding.span:
            a, b = finding.span
            text = text[:a] + "⟦" + text[a:b] + "⟧" + text[b:]
            mid = (a + b) // 2
            if len(text) > SHOWN:
                lo = max(0, mid - SHOWN // 2)
                text = ("…" if lo else "") + text[lo:lo + SHOWN] + "…"
        elif len(text) > SHOWN:
            text = text[:SHOWN // 2] + " … " + text[-SHOWN // 2:]
        entry = {"role": m.role, "content": text}
        if m.reasoning is not None:
            entry["reasoning"] = m.reasoning if len(m.reasoning) <= SHOWN else m.reasoning[:SHOWN // 2] + " … " + m.reasoning[-SHOWN // 2:]
        if m.tool_calls:
            entry["tool_calls"] = [{"name": c.name, "arguments": c.arguments} for c in m.tool_calls]
        out.append(entry)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-rule", type=int, default=25, help="findings sampled per rule (default 25)")
    ap.add_argument("--false", metavar="CODES", default="",
                    help="print the findings of these rules labelled false that still fire, with the reasons")
    ap.add_argument("--write", action="store_true", help="record the measured precision in rules/precision.toml")
    ap.add_argument("--dump", type=Path, help="write the sampled findings that have no label, with their examples")
    args = ap.parse_args()

    from sftlint.catalogue import catalogue

    rules = catalogue()
    labels = {}
    if LABELS.is_file():
        for line in LABELS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                labels[key_of(row)] = row
    rows = []
    flagged: dict[str, tuple[int, int]] = {}
    every_conv = {}
    for name, result, convs in lint_all(require()):
        every_conv[name] = convs if args.dump else {}
        records = set()
        for f in result.findings:
            conv = convs.get(f.line)
            row = {"file": name, "line": f.line or 0, "code": f.code, "anchor": anchor(f, conv)}
            row["key"] = key_of(row)
            row["hash"] = hashlib.sha1(row["key"].encode()).hexdigest()
            rows.append((row, f, conv))
            rule = rules[f.code]
            if rule.status == "stable" and f.severity in ("warning", "error") and f.line:
                records.add((f.line, f.example_id))  # the records of a JSON array on one line share it
        flagged[name] = (len(records), result.records)

    by_code = defaultdict(list)
    for item in rows:
        by_code[item[0]["code"]].append(item)
    todo = []
    table = []
    for code in sorted(by_code):
        # findings that share a key (the records of a JSON array on one line, all with the same
        # junk) are one label: counted once in the sample and the precision
        distinct = list({it[0]["key"]: it for it in by_code[code]}.values())
        items = sorted(distinct, key=lambda it: it[0]["hash"])
        sample = items[:args.per_rule]
        seen = [labels[it[0]["key"]] for it in items if it[0]["key"] in labels]
        true = sum(1 for lab in seen if lab["verdict"])
        todo += [it for it in sample if it[0]["key"] not in labels]
        table.append((code, len(by_code[code]), len(seen), true, sum(it[0]["key"] not in labels for it in sample)))

    for code in filter(None, args.false.split(",")):
        for row, f, _conv in by_code.get(code, []):
            lab = labels.get(row["key"])
            if lab is not None and not lab["verdict"]:
                print(f"{code} {row['file']}:{row['line']}  {f.message[:100]}\n      label: {lab['reason'][:160]}")
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as fh:
            for row, f, conv in todo:
                out = {k: row[k] for k in ("file", "line", "code", "anchor")}
                out |= {"severity": f.severity, "message": f.message, "rule": rules[f.code].summary,
                        "related_lines": f.related_lines[:5], "example": shown(conv, f)}
                others = [every_conv[row["file"]].get(n) for n in f.related_lines[:2]]
                if any(others):
                    out["related_examples"] = [[{"role": m.role, "content": (m.content or "")[:600]} for m in o.messages]
                                               for o in others if o is not None]
                fh.write(json.dumps(out, ensure_ascii=False) + "\n")
        print(f"wrote {len(todo)} unlabelled sampled findings to {args.dump}")

    print("rule   status   severity  findings  labelled  true  precision  95% interval  unlabelled in sample")
    weighted = total = 0.0
    labelled_all = 0
    for code, n, lab, true, missing in table:
        rule = rules[code]
        labelled_all += lab
        p = true / lab if lab else float("nan")
        lo, hi = wilson(true, lab)
        print(f"{code}   {rule.status:<8} {rule.severity:<8} {n:>9} {lab:>9} {true:>5}  "
              f"{'   -' if not lab else f'{p:6.2f}'}     {'' if not lab else f'{lo:.2f}–{hi:.2f}':<12}  {missing or ''}")
        if rule.status == "stable" and rule.severity in ("warning", "error") and lab:
            weighted += n * p
            total += n
    print(f"\nlabelled findings: {labelled_all} of {sum(t[1] for t in table)}")
    below = []
    for code, _n, lab, true, _missing in table:
        rule = rules[code]
        if rule.status != "stable" or rule.severity == "info" or not lab:
            continue
        p, (lo, _hi) = true / lab, wilson(true, lab)
        if p < 0.90 or (lab >= 20 and lo < 0.80) or (rule.severity == "error" and p < 0.97):
            below.append(f"{code} ({rule.severity}, {p:.2f}, lower bound {lo:.2f})")
    print("default rules below the bar (0.90, lower bound 0.80 from 20 labels, 0.97 for errors): "
          + (", ".join(below) or "none"))
    if total:
        print(f"default warning and error findings: precision {weighted / total:.3f} "
              f"(each rule's precision weighted by its findings)")
    print("\nrecords flagged at warning or error by the default rules, per file:")
    for name, (hit, records) in sorted(flagged.items()):
        print(f"  {hit / records if records else 0:6.1%}  {hit:>5} of {records:<6} {name}")
    if args.write:
        lines = [PRECISION.read_text(encoding="utf-8").split("\n[", 1)[0].rstrip(), ""]
        for code, _n, lab, true, _missing in table:
            if lab:
                lines += [f"[rule.{code}]", f"precision = {true / lab:.2f}", f"labelled = {lab}", ""]
        PRECISION.write_text("\n".join(lines), encoding="utf-8")
        print(f"wrote {PRECISION.relative_to(ROOT)}")
    used = {it[0]["key"] for it in rows}
    stale = [k for k in labels if k not in used]
    if stale:
        print(f"\n{len(stale)} label(s) match no finding now (the rule no longer fires there, or its message moved)")
    counts = Counter(lab["verdict"] for lab in labels.values())
    print(f"labels in {LABELS.name}: {len(labels)} ({counts[True]} true, {counts[False]} false)")


if __name__ == "__main__":
    main()
