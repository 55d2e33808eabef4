"""Linting one record: parse, adapt to a conversation, run the example checks, summarise.

A `Processor` lives in each worker process (and in the main one); it holds the compiled checks
and the token counter, and turns a record into a `RecordResult`. Review decisions are not its
business: they are applied to the results afterwards (waivers.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sftlint.catalogue import catalogue
from sftlint.checks import Context, load_all
from sftlint.checks.corpus import make_row
from sftlint.checks.patterns import mask_secrets, pack_checks
from sftlint.config import Settings
from sftlint.findings import Finding
from sftlint.io.conversations import value_of
from sftlint.io.formats import adapt
from sftlint.io.reader import Problem, Record
from sftlint.lint.results import ExampleSummary, RecordResult
from sftlint.schema import Conversation
from sftlint.tokens import ChatTemplateCounter, TiktokenCounter, encoding_for_model

PREVIEW_CHARS = 120
INTERNAL_ERROR = "S034"
"""sftlint's own failure on one record: reported there (and the run exits 2), never a lost run."""


def packs_for(settings: Settings) -> list:
    """The built-in rule packs and the user's (`extend-packs`), whose new codes join the catalogue."""
    from sftlint.catalogue import register
    from sftlint.packs import builtin_packs, load_pack

    packs = list(builtin_packs())
    for path in settings.raw.extend_packs:  # validated when the settings were read
        pack = load_pack(Path(path), catalogue())
        register(pack.new_codes)
        packs.append(pack)
    return packs


def make_counter(settings: Settings):
    raw = settings.raw
    if raw.tokenizer:
        return ChatTemplateCounter(raw.tokenizer)
    return TiktokenCounter(raw.encoding or encoding_for_model(settings.profile.model))


def preview(conv: Conversation) -> str:
    for m in conv.messages:
        if m.role == "user" and m.content:
            return m.content.strip().split("\n", 1)[0][:PREVIEW_CHARS]
    return ""


class Processor:
    """Turns one record into findings and a summary."""

    def __init__(self, settings: Settings, counter: Any, keep_records: bool = False, summary_tokens: bool = True,
                 corpus_codes: frozenset[str] = frozenset()) -> None:
        """`summary_tokens`: count every example's tokens for its summary (stats, review, export);
        otherwise only the T rules count, and only the examples that may break the limit.
        `corpus_codes`: the corpus rules whose row each example contributes to."""
        self.settings = settings
        self.keep_records = keep_records
        self.summary_tokens = summary_tokens
        self.corpus_codes = corpus_codes
        self.rules = catalogue()
        # packs first: where a pack and a code check report the same span, the pack names it better
        self.checks = list(pack_checks(packs_for(settings)).items()) + list(load_all().items())
        self.ctx = Context(settings.profile, settings.options, counter)
        self._chosen: dict[frozenset[str], list] = {}  # the checks of each active set, in order
        self.keep_conversations = False
        """Put each example's conversation in its result (the engine's model pass reads them)."""

    def finding(self, code: str, path: str, line: int | None, message: str | None = None, *,
                col: int | None = None, message_index: int | None = None,
                span: tuple[int, int] | None = None, example_id: str | None = None) -> Finding:
        rule = self.rules[code]
        return Finding(code, rule.severity, mask_secrets(message) if message else rule.summary, path, line, col,
                       message_index, span, example_id)

    def problem(self, problem: Problem, path: str) -> Finding:
        return self.finding(problem.code, path, problem.line, problem.message, col=problem.col)

    def check(self, conv: Conversation, active: frozenset[str], path: str, line: int | None,
              eid: str) -> list[Finding]:
        """Findings of the per-example checks on one conversation."""
        out = []
        ctx = self.ctx
        spans: set[tuple] = set()
        chosen = self._chosen.get(active)
        if chosen is None:
            chosen = self._chosen[active] = [(code, fn) for code, fn in self.checks if code in active]
        for code, fn in chosen:
            try:
                hits = list(fn(conv, ctx))
            except Exception as exc:  # a rule can fail on one record; the others, and the run, go on
                out.append(self.internal_error(exc, path, line, eid, f"rule {code}"))
                continue
            for hit in hits:
                if hit.span is not None:  # two checks of one rule (a pack and code) on one span: report once
                    if any(c == code and i == hit.message_index and a < hit.span[1] and hit.span[0] < b
                           for c, i, a, b in spans):
                        continue
                    spans.add((code, hit.message_index, *hit.span))
                out.append(self.finding(code, path, line, hit.message, col=1,
                                        message_index=hit.message_index, span=hit.span, example_id=eid))
        return one_per_message(out)

    def internal_error(self, exc: BaseException, path: str, line: int | None, eid: str | None, where: str) -> Finding:
        return self.finding(INTERNAL_ERROR, path, line, f"sftlint failed on this record ({where}: {type(exc).__name__}: "
                            f"{str(exc)[:120]}); please report it with the record", example_id=eid)

    def process(self, record: Record, fmt: str | None, active: frozenset[str], path: str) -> RecordResult:
        """One record's result; a failure of sftlint on it becomes a finding on that record."""
        try:
            return self._process(record, fmt, active, path)
        except Exception as exc:
            return RecordResult(record.line, record.offset, [self.internal_error(exc, path, record.line, None, "reading it")],
                                None, raw=self._raw(record) if record.raw is not None else None)

    def _process(self, record: Record, fmt: str | None, active: frozenset[str], path: str) -> RecordResult:
        value, problem = value_of(record)
        if problem is not None:
            return RecordResult(record.line, record.offset, [self.problem(problem, path)] if problem.code in active else [],
                                None, raw=self._raw(record))
        conv, issues = adapt(value, fmt, self.settings.profile)
        eid = conv.example_id() if conv is not None else None
        out = [self.finding(i.code, path, record.line, i.message, col=1, message_index=i.message_index, example_id=eid)
               for i in issues if i.code in active]
        if conv is None:
            return RecordResult(record.line, record.offset, out, None, raw=self._raw(record, value))
        out += self.check(conv, active, path, record.line, eid)
        counts = self.ctx.tokens(conv) if self.summary_tokens else None
        summary = ExampleSummary(eid, counts.total if counts else None, counts.trainable if counts else None,
                                 preview(conv), counts.trainable_within(self.settings.options["T001"]["max_tokens"])
                                 if counts and not counts.error else None, counts.reasoning if counts else None)
        corpus = active & self.corpus_codes
        dup = make_row(conv, record.line, record.offset, eid, len(out), self.settings.options, corpus) if corpus else None
        return RecordResult(record.line, record.offset, out, summary,
                            record=conv.to_openai() if self.keep_records else None, dup=dup,
                            conversation=conv if self.keep_conversations else None)

    def _raw(self, record: Record, value: Any = None) -> str | None:
        if not self.keep_records:
            return None
        if record.raw is not None:
            return record.raw.decode("utf-8", "replace").rstrip("\r\n")
        import orjson

        return orjson.dumps(value, default=repr).decode()


def lint_replacement(processor: Processor, value: Any, line: int, path: str, active: frozenset[str]) -> RecordResult:
    """An edited example from a review journal, linted as the file's examples are: from its JSON
    bytes, through the same parser and the selected rules. A journal is a file anyone can write,
    so what it holds is input; review shows these findings, export keeps the edit only without an
    error among them."""
    from sftlint.io.reader import Record
    from sftlint.jsonvalues import dumps

    return processor.process(Record(line, 0, raw=dumps(value) + b"\n"), "messages", active, path)


def new_processor(settings: Settings, tokens: bool, keep_records: bool, summary_tokens: bool,
                  corpus_codes: frozenset[str]) -> Processor:
    """A processor for a worker process (a module-level function, so a `partial` of it pickles)."""
    return Processor(settings, make_counter(settings) if tokens else None, keep_records, summary_tokens, corpus_codes)


def text_checker(codes: frozenset[str], profile: str = "hf"):
    """A function of one answer text that says whether any of `codes`' example checks fire on it
    (as the answer of a one-turn conversation), with the default settings: how evaluation judges
    a generated answer by the lint rules (format compliance's Q003)."""
    from sftlint.config import RawSettings

    settings = Settings.resolve(RawSettings(select=sorted(codes), profile=profile))
    processor = Processor(settings, None)

    def fires(text: str) -> bool:
        conv, _ = adapt({"messages": [{"role": "user", "content": "-"}, {"role": "assistant", "content": text}]},
                        "messages", settings.profile)
        return conv is not None and bool(processor.check(conv, codes, "answer", None, ""))

    return fires


def one_per_message(findings: list[Finding]) -> list[Finding]:
    """At most one finding per rule per message: the first, saying how many more there are (ten
    placeholders in one answer are one thing to fix, not ten)."""
    seen: dict[tuple[str, int | None], Finding] = {}
    extra: dict[tuple[str, int | None], int] = {}
    out = []
    for f in findings:
        key = (f.code, f.message_index)
        if key in seen:
            extra[key] = extra.get(key, 0) + 1
            continue
        seen[key] = f
        out.append(f)
    for key, n in extra.items():
        seen[key].message += f" (and {n:,} more in this message)"
    return out
