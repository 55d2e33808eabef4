"""Writing an export: every output goes to a temporary name first and is renamed into place only
when all of them are complete, so a crash mid-export leaves the previous output as it was.
Outputs are deterministic: the same inputs, decisions and options give byte-identical files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from sftlint import __version__
from sftlint.export.folder import ExportFolder, StagedFiles
from sftlint.export.plan import Candidate, ExportError, Plan, token_stats
from sftlint.io.tabular import arrow_schema, to_row
from sftlint.jsonvalues import dumps

TMP_MARK = ".sftlint-tmp-"


class Staging(StagedFiles):
    """`convert`'s output: a temporary file beside it, renamed over the real name on `commit()`."""

    def __init__(self, out: Path) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob(f"*{TMP_MARK}*"):  # left by a convert that was killed
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        self.staged: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        tmp = self.out / f".{name}{TMP_MARK}{os.getpid()}"
        self.staged[name] = tmp
        return tmp

    def commit(self) -> list[Path]:
        done = []
        for name, tmp in self.staged.items():
            final = self.out / name
            if tmp.is_dir():
                old = self.out / f".{name}{TMP_MARK}old"
                if final.exists():
                    final.rename(old)
                tmp.rename(final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, final)
            done.append(final)
        dir_fd = os.open(self.out, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return done

    def abort(self) -> None:
        for tmp in self.staged.values():
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)


def rejected_record(c: Candidate, why: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"path": c.path, "line": c.line, "example_id": c.example_id, **why}
    if c.record is not None:
        out["example"] = c.record
    else:
        out["raw"] = c.raw
    return out


def write_parquet(staging: ExportFolder, name: str, records: Iterable[dict[str, Any]]) -> None:
    """Records in OpenAI format as a Parquet file with typed `messages` (io/tabular.py)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ExportError("writing Parquet needs pyarrow: pip install 'sftlint[export]'") from exc
    table = pa.Table.from_pylist([to_row(r) for r in records], schema=arrow_schema())
    pq.write_table(table, staging.path(name), compression="zstd")


def _dataset_dict(plan: Plan):
    try:
        import datasets
        import pyarrow as pa
    except ImportError as exc:
        raise ExportError("--format hf and --push-to-hub need datasets: pip install 'sftlint[export]'") from exc
    splits = {"train": plan.train}
    if plan.test:
        splits["test"] = plan.test
    out = {}
    for split, cands in splits.items():
        table = pa.Table.from_pylist([to_row(c.record) for c in cands], schema=arrow_schema())
        ds = datasets.Dataset(table, split=datasets.NamedSplit(split))
        # A content hash, not datasets' random fingerprint, so two exports are byte-identical.
        ds._fingerprint = hashlib.sha256(b"".join(dumps(c.record) for c in cands)).hexdigest()[:16]
        out[split] = ds
    return datasets.DatasetDict(out)


def _histogram_png(plan: Plan) -> bytes | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    import io

    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
    for label, cands in (("train", plan.train), ("test", plan.test)):
        values = [c.tokens for c in cands if c.tokens is not None]
        if values:
            ax.hist(values, bins=40, alpha=0.75, label=f"{label} ({len(values):,})")
    ax.set_xlabel("tokens per example")
    ax.set_ylabel("examples")
    ax.set_title("Token length")
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _card(plan: Plan, has_png: bool) -> str:
    o = plan.options
    data_ext = {"jsonl": "jsonl", "parquet": "parquet"}.get(o.format)
    lines = ["---", f"license: {o.license}", "task_categories:", "- text-generation", "tags:", "- sftlint",
             "- chat", "- fine-tuning"]
    if data_ext:
        lines += ["configs:", "- config_name: default", "  data_files:", "  - split: train",
                  f"    path: train.{data_ext}"]
        if plan.test:
            lines += ["  - split: test", f"    path: test.{data_ext}"]
    tr, te = token_stats(plan.train), token_stats(plan.test)
    lines += ["---", "", "# Fine-tuning dataset", "",
              f"Chat examples in OpenAI's `messages` format, curated with sftlint {__version__}.", "",
              "## Contents", "", "| split | examples | tokens | trainable tokens | median tokens |", "|---|---:|---:|---:|---:|",
              f"| train | {tr['examples']:,} | {tr.get('total', 0):,} | {tr.get('trainable', 0):,} | {tr.get('p50', '-')} |"]
    if plan.test:
        lines.append(f"| test | {te['examples']:,} | {te.get('total', 0):,} | {te.get('trainable', 0):,} | {te.get('p50', '-')} |")
    if has_png:
        lines += ["", "![Token length histogram](token_lengths.png)"]
    lines += ["", "## How it was made", "",
              f"- Inputs: {', '.join(Path(i['path']).name + ' (sha256 ' + i['sha256'][:12] + '…)' for i in plan.inputs)}.",
              f"- Every example was linted (profile `{plan.settings.profile.name}`)"
              + (", and reviewed with `sftlint review`" if any(i["journal"] for i in plan.inputs) else "")
              + f"; policy `{o.policy}` kept {len(plan.train) + len(plan.test):,} of {plan.records_in:,} records.",
              "- Left out, by reason: " + (", ".join(f"{k} {v:,}" for k, v in plan.reasons().items()) or "none") +
              " (each with its reasons in `rejected.jsonl`).", "- Exact duplicates were written once."]
    if plan.test:
        how = f"ratio {o.test_ratio}" if o.test_ratio is not None else f"{o.test_size} examples"
        lines.append(f"- The test split ({how}, seed {o.seed}{', stratified by system prompt' if o.stratify else ''})"
                     " was made before training; examples sharing a first user message or linked as near-duplicates"
                     " are on the same side.")
    lines += ["", "`manifest.json` lists the inputs, the settings and a SHA-256 for every file.", ""]
    return "\n".join(lines)


def write_export(plan: Plan) -> list[Path]:
    o = plan.options
    png = _histogram_png(plan)
    data = {"jsonl": ("train.jsonl", "test.jsonl"), "parquet": ("train.parquet", "test.parquet"), "hf": ("hf",)}[o.format]
    names = [*(data if plan.test else data[:1]), "rejected.jsonl", "README.md", "manifest.json",
             *(["token_lengths.png"] if png is not None else [])]
    staging = ExportFolder(o.out, [Path(i["path"]) for i in plan.inputs], names, force=o.force)
    try:
        data_files = []
        if o.format == "jsonl":
            staging.write_lines("train.jsonl", (c.record for c in plan.train))
            data_files.append("train.jsonl")
            if plan.test:
                staging.write_lines("test.jsonl", (c.record for c in plan.test))
                data_files.append("test.jsonl")
        elif o.format == "parquet":
            write_parquet(staging, "train.parquet", (c.record for c in plan.train))
            data_files.append("train.parquet")
            if plan.test:
                write_parquet(staging, "test.parquet", (c.record for c in plan.test))
                data_files.append("test.parquet")
        else:
            _dataset_dict(plan).save_to_disk(str(staging.path("hf")))
            data_files.append("hf")
        staging.write_lines("rejected.jsonl", (rejected_record(c, why) for c, why in plan.rejected))
        if png is not None:
            staging.write_bytes("token_lengths.png", png)
        files = {name: staging.digest(name) for name in staging.staged}
        staging.write_bytes("README.md", _card(plan, png is not None).encode())
        files["README.md"] = staging.digest("README.md")
        manifest = {
            "sftlint_version": __version__,
            "inputs": plan.inputs,
            "options": {"policy": o.policy, "fail_on": plan.settings.raw.fail_on, "format": o.format,
                        "split": {"test_ratio": o.test_ratio, "test_size": o.test_size, "seed": o.seed,
                                  "stratify": o.stratify}},
            "counts": plan.summary(),
            "tokens": {"train": token_stats(plan.train), "test": token_stats(plan.test)},
            "config": plan.settings.raw.model_dump(mode="json", by_alias=True),
            "files": dict(sorted(files.items())),
        }
        staging.write_bytes("manifest.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    except BaseException:
        staging.abort()
        raise
    written = staging.commit()
    if o.push_to_hub:
        push_to_hub(plan, o.push_to_hub, o.private, o.out / "README.md")
    return written


def push_to_hub(plan: Plan, repo: str, private: bool, card: Path) -> None:
    """Upload the split as a dataset repository with its card (needs a token: `hf auth login`)."""
    dd = _dataset_dict(plan)
    try:
        dd.push_to_hub(repo, private=private)
        from huggingface_hub import HfApi

        HfApi().upload_file(path_or_fileobj=str(card), path_in_repo="README.md", repo_id=repo, repo_type="dataset")
    except Exception as exc:  # network, auth, permissions: say what failed, keep the local export
        raise ExportError(f"push to {repo} failed ({exc.__class__.__name__}: {exc}); the local export in "
                          f"{plan.options.out} is complete") from exc
