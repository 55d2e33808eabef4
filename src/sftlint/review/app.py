"""ReviewApp: read each flagged example with its findings and decide with one key.

The app opens at once; lint runs in a background thread and the queue fills as results arrive.
Every decision goes to the journal (fsynced) before the cursor moves. Defines no widgets.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import orjson
from textual import on, work
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import get_current_worker

from sftlint.config import Settings
from sftlint.escape import displayable
from sftlint.findings import Finding
from sftlint.io.formats import adapt
from sftlint.journal import Journal, unmatched_warning
from sftlint.lint import Engine
from sftlint.review.children import Children
from sftlint.review.clusters import cluster_of, keep_one
from sftlint.review.display import shown_messages, strings_of
from sftlint.review.feed import End, events
from sftlint.review.index import ExampleStore, Filter, Item, Queue
from sftlint.review.keys import ACTIONS, key_map
from sftlint.review.messages import ItemsArrived, LateFindings, LintProgress
from sftlint.review.screens.export import ExportDialog
from sftlint.review.screens.main import ReviewScreen
from sftlint.review.screens.modals import Help, Prompt
from sftlint.review.widgets.conversation import ConversationView
from sftlint.review.widgets.findings import FindingList
from sftlint.review.widgets.progress import ProgressHeader
from sftlint.review.widgets.queue_list import QueueList


class ReviewApp(App[None]):
    CSS_PATH = "review.tcss"
    TITLE = "sftlint review"

    batch_items = 5000
    """Queue rows sent up from the background lint at once (or every quarter second)."""
    lint_fraction: reactive[float] = reactive(0.0, init=False)
    """How far the background lint is into the file (shown in the header)."""
    lint_done: reactive[bool] = reactive(False, init=False)
    raw: reactive[bool] = reactive(False, init=False)
    """Show examples as raw JSON instead of a conversation."""

    def __init__(self, path: Path, settings: Settings, *, journal: Path, reviewer: str | None = None,
                 order: str = "flagged", only_flagged: bool = False, rules: Iterable[str] = (),
                 jobs: int | None = None, exporter=None) -> None:
        """`exporter` counts and writes exports for the `o` dialog (sftlint.export.Exporter, which
        the CLI passes in: this stage does not import the export stage)."""
        super().__init__()
        self.path = path
        self.exporter = exporter
        self.settings = settings
        self.jobs = jobs
        self.journal = Journal(journal, reviewer or settings.raw.review.get("reviewer"))
        self.queue = Queue(self.journal, order=order,
                           base=Filter(codes=frozenset(rules), flagged_only=only_flagged))
        self.store = ExampleStore(path, settings.options["S006"]["max_line_bytes"])
        self.keys = key_map(settings.raw.review.get("keys", {}))
        self.by_id: dict[str, int] = {}
        self.file_findings: list[Finding] = []
        self.moved = False
        self.pending_note: str | None = None
        self.format: str | None = None
        self.shown_pos: int | None = None
        self.replacement_findings: dict[str, list[Finding]] = {}
        self.conversation_messages: list = []
        self._processor = None
        self.feed: subprocess.Popen | None = None
        self.owned = Children()
        self.last_export: list[Path] = []
        self.last_batch = 1  # decisions the last action wrote (a cluster writes several; undo takes all)
        self.set_keymap(settings.raw.review.get("keys", {}))  # the review screen's bindings have the actions' names

    # -- start-up and the background lint ---------------------------------------------------

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):  # a closed terminal or a kill: quit as `q` does
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.action_quit)
        for warning in self.journal.warnings:
            self.notify(warning, severity="warning", timeout=8)
        self.main = ReviewScreen()
        self.push_screen(self.main)  # its on_mount starts the lint

    @work(thread=True, exclusive=True, group="lint")
    def lint(self) -> None:
        """Run the lint in a child process (see review/feed.py) and feed the queue from its output."""
        worker = get_current_worker()
        cmd = [sys.executable, "-m", "sftlint.review.feed", str(self.path)]
        if self.jobs:
            cmd += ["--jobs", str(self.jobs)]
        # Lower priority than the UI (inherited by the lint's workers): on a 2-core machine the
        # reviewer's keys should not wait for the background lint.
        try:
            proc = self.owned.start(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    preexec_fn=lambda: os.nice(10))
        except RuntimeError:  # quitting already
            return
        self.feed = proc
        end = None
        try:
            proc.stdin.write(self.settings.raw.model_dump_json().encode())
            proc.stdin.close()
            for event in events(proc.stdout, self.path.stat().st_size, self.batch_items):
                if worker.is_cancelled:
                    return
                if isinstance(event, End):
                    end = event
                    break
                self.post_message(ItemsArrived(event.items))
                self.post_message(LintProgress(event.records, event.fraction))
            if end is None and proc.wait() != 0:
                err = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
                self.call_from_thread(self.notify, f"lint failed: {err[-1] if err else proc.returncode}",
                                      severity="error", timeout=30)
        finally:
            self.owned.end(proc)
        if worker.is_cancelled or self.owned.closed or end is None:
            return
        self.format = end.format
        self.file_findings = end.file_findings
        if end.late:
            self.post_message(LateFindings(end.late))
        self.post_message(LintProgress(len(self.queue.items), 1.0, done=True))

    def on_items_arrived(self, message: ItemsArrived) -> None:
        if not self.main.is_mounted:
            return
        # Items live for the whole session: keep the cyclic GC from walking them on every
        # collection (a full pass over 100k items' findings showed up as 100+ ms key stalls).
        gc.freeze()
        for item in message.items:
            if item.example_id and item.example_id not in self.by_id:
                self.by_id[item.example_id] = item.pos
        ql = self.queue_list
        before = ql.current
        self.queue.add(message.items)
        if not self.moved:  # until the reviewer moves, stay on the first example still to review
            index = self.queue.next_matching(-1, 1, lambda i: self.queue.status(i) == "unreviewed")
        else:  # keep the reviewer on the same example while rows are inserted above it
            index = self.queue.index_of(before) if before is not None else ql.cursor
        ql.set_reactive(QueueList.cursor, index if index is not None else 0)
        ql.scroll_to_region_visible(ql.cursor)
        ql.refresh_view()
        pos = ql.current
        if pos is not None and pos != self.shown_pos:
            self.show_item(pos)
        self.update_header()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification passes through the one escape helper, markup off: a message may quote
        a path, a query or an error that came from the data."""
        super().notify(displayable(message, one_line=True), title=displayable(title, one_line=True),
                       severity=severity, timeout=timeout, markup=False)

    def on_late_findings(self, message: LateFindings) -> None:
        where = {(item.line, item.example_id): item.pos for item in self.queue.items}
        found = [(where[(f.line, f.example_id)], f) for f in message.findings if (f.line, f.example_id) in where]
        current = self.queue_list.current
        self.queue.attach(found)
        if current is not None and (index := self.queue.index_of(current)) is not None:
            self.queue_list.set_reactive(QueueList.cursor, index)
        self.queue_list.refresh_view()
        if current is not None:
            self.shown_pos = None
            self.show_item(current)
        self.update_header()

    def on_lint_progress(self, message: LintProgress) -> None:
        self.lint_fraction = message.fraction
        self.lint_done = message.done

    def watch_lint_fraction(self) -> None:
        self.update_header()

    def watch_lint_done(self, done: bool) -> None:
        decided = self.journal.decisions() if done else {}
        if decided and not any(self.queue.has_id(eid) for eid in decided):
            self.notify(unmatched_warning(self.journal.path, len(decided), "this file"), severity="warning", timeout=10)
        if done and self.file_findings:
            codes = ", ".join(sorted({f.code for f in self.file_findings}))
            self.notify(f"{len(self.file_findings)} finding(s) outside examples ({codes}); see `sftlint lint`",
                        severity="warning", timeout=6)
        self.update_header()

    def watch_raw(self) -> None:
        if self.shown_pos is not None:
            self.show_item(self.shown_pos)

    # -- showing ------------------------------------------------------------------------

    @property
    def queue_list(self) -> QueueList:
        return self.main.query_one(QueueList)

    @property
    def conversation(self) -> ConversationView:
        return self.main.query_one(ConversationView)

    @property
    def findings_list(self) -> FindingList:
        return self.main.query_one(FindingList)

    def update_header(self) -> None:
        if not self.main.is_mounted:
            return
        counts = self.queue.counts()
        flt = " ".join(x for x in (self.queue.base.describe(), self.queue.filter.describe()) if x)
        self.main.query_one(ProgressHeader).update_counts(
            str(self.path), counts, self.lint_done, self.lint_fraction, flt, len(self.queue.view))

    def goto(self, index: int) -> None:
        """Move the cursor and show the example in the same frame (not one refresh later)."""
        ql = self.queue_list
        if not self.queue.view:
            return
        ql.cursor = min(max(0, index), len(self.queue.view) - 1)
        pos = ql.current
        if pos is not None and pos != self.shown_pos:
            self.show_item(pos)

    @on(QueueList.Highlighted)
    def on_highlighted(self, event: QueueList.Highlighted) -> None:
        if not self.main.is_mounted:
            return  # arrived after the screen went away (quitting)
        if event.pos is not None and event.pos == self.shown_pos:
            return  # already shown by goto()
        if event.pos is None:
            self.shown_pos = None
            self.conversation.show([], note="No example matches the current filter." if self.queue.items else None)
            self.findings_list.show([])
        else:
            self.show_item(event.pos)

    def current_item(self) -> Item | None:
        pos = self.queue_list.current
        return self.queue.items[pos] if pos is not None else None

    def show_item(self, pos: int) -> None:
        self.shown_pos = pos
        item = self.queue.items[pos]
        value, problem = self.store.value(item)
        entry = self.journal.state(item.example_id) if item.example_id else None
        findings = item.findings
        note = None
        if entry is not None and entry.replacement is not None:
            value = entry.replacement
            if item.example_id not in self.replacement_findings:
                self.replacement_findings[item.example_id] = self._lint_value(value, item)
            findings = self.replacement_findings[item.example_id]
            note = "Edited in review: showing the replacement stored in the journal."
        if entry is not None and entry.note:
            note = (note + "\n" if note else "") + f"Note ({entry.reviewer}): {entry.note}"
        conv = None
        if problem is None and not self.raw:
            conv, _ = adapt(value, self.format, self.settings.profile)
        if conv is None:
            raw = value if isinstance(value, str) else orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
            why = f"Cannot show as a conversation: {problem}" if problem else None
            self.conversation.show([], note="\n".join(x for x in (note, why) if x) or None, raw=raw)
        else:
            self.conversation_messages = shown_messages(conv)
            self.conversation.show(self.conversation_messages, note=note)
        self.findings_list.show(findings)

    def _lint_value(self, value, item: Item) -> list[Finding]:
        """Findings of an edited replacement (in OpenAI format), linted as export will judge it."""
        from sftlint.lint.records import lint_replacement

        if self._processor is None:
            self._processor = Engine(self.settings, jobs=1, use_journals=False).processor
        return lint_replacement(self._processor, value, item.line, str(self.path), self.settings.selected).findings

    @on(FindingList.Selected)
    def on_finding_selected(self, event: FindingList.Selected) -> None:
        self.conversation.set_highlight(event.finding.message_index, event.finding.span)

    # -- decisions ------------------------------------------------------------------------

    def decide(self, decision: str) -> None:
        item = self.current_item()
        if item is None:
            return
        if item.example_id is None:
            self.notify("This record is not a readable example: fix it in the file.", severity="warning")
            return
        self.journal.record(item.example_id, decision, list(item.codes), note=self.pending_note, line=item.line)
        self.last_batch = 1
        self.pending_note = None
        self.after_decision()
        nxt = self.queue.next_matching(self.queue_list.cursor, 1, lambda i: self.queue.status(i) == "unreviewed")
        self.moved = True
        self.goto(nxt if nxt is not None else self.queue_list.cursor + 1)

    def after_decision(self) -> None:
        if self.queue.filter.statuses:
            current = self.queue_list.current
            self.queue.rebuild()
            if current is not None and (index := self.queue.index_of(current)) is not None:
                self.queue_list.set_reactive(QueueList.cursor, index)
        self.queue_list.refresh_view()
        self.update_header()

    def action_accept(self) -> None:
        self.decide("accept")

    def action_reject(self) -> None:
        self.decide("reject")

    def action_skip(self) -> None:
        self.decide("skip")

    def action_undo(self) -> None:
        count, self.last_batch = self.last_batch, 1
        entry = None
        for _ in range(count):  # a cluster decision is undone whole
            entry = self.journal.undo() or entry
        if entry is None:
            self.notify("Nothing of yours to undo.")
            return
        self.after_decision()
        pos = self.by_id.get(entry.id)
        index = self.queue.index_of(pos) if pos is not None else None
        self.moved = True
        self.shown_pos = None  # its status changed: show it afresh
        if index is not None:
            self.goto(index)
        self.notify(f"Undid {entry.decision} (line {entry.line or '?'}).")

    # -- moving ---------------------------------------------------------------------------

    def move_by(self, delta: int) -> None:
        self.moved = True
        self.goto(self.queue_list.cursor + delta)

    def action_down(self) -> None:
        self.move_by(1)

    def action_up(self) -> None:
        self.move_by(-1)

    def action_page_down(self) -> None:
        self.move_by(max(1, self.queue_list.size.height - 1))

    def action_page_up(self) -> None:
        self.move_by(-max(1, self.queue_list.size.height - 1))

    def _flagged(self, step: int) -> None:
        self.moved = True
        index = self.queue.next_matching(self.queue_list.cursor, step, lambda i: i.flagged)
        if index is None:
            self.notify("No more flagged examples in this direction.")
        else:
            self.goto(index)

    def action_next_flagged(self) -> None:
        self._flagged(1)

    def action_prev_flagged(self) -> None:
        self._flagged(-1)

    def action_scroll_text_down(self) -> None:
        view = self.conversation
        view.scroll_to(y=view.scroll_offset.y + max(1, view.size.height - 2), animate=False)

    def action_scroll_text_up(self) -> None:
        view = self.conversation
        view.scroll_to(y=max(0, view.scroll_offset.y - max(1, view.size.height - 2)), animate=False)

    def action_next_finding(self) -> None:
        self._show_finding(self.findings_list.step(1))

    def action_prev_finding(self) -> None:
        self._show_finding(self.findings_list.step(-1))

    def _show_finding(self, finding: Finding | None) -> None:
        if finding is not None:
            self.conversation.set_highlight(finding.message_index, finding.span)

    # -- search and filter ------------------------------------------------------------------

    def _apply_filter(self, flt: Filter) -> None:
        current = self.queue_list.current
        self.queue.set_filter(flt)
        index = self.queue.index_of(current) if current is not None else None
        self.queue_list.set_reactive(QueueList.cursor, index if index is not None else 0)
        self.queue_list.refresh_view()
        self.queue_list.cursor = self.queue_list.cursor  # repaint and show the example
        self.update_header()

    def action_filter(self) -> None:
        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                flt = Filter.parse(text, base=self.queue.filter)
            except ValueError as exc:
                self.notify(str(exc), severity="error")
                return
            self._apply_filter(flt)

        self.push_screen(Prompt("Filter by rule codes or prefixes, a severity (error, warning, info), a status "
                                "(unreviewed, accepted, rejected, skipped) or 'flagged':",
                                "e.g. S021 T0 error unreviewed", self._filter_text()), done)

    def _filter_text(self) -> str:
        f = self.queue.filter
        return " ".join([*sorted(f.codes), *sorted(f.statuses)] + (["flagged"] if f.flagged_only else []))

    def action_search(self) -> None:
        def done(text: str | None) -> None:
            if text is None:
                return
            if not text.strip():
                self._apply_filter(Filter.parse(self._filter_text()))
                return
            self.search(text.strip())

        self.push_screen(Prompt("Search the text of every example:", "words to find", self.queue.filter.query), done)

    @work(thread=True, exclusive=True, group="search")
    def search(self, query: str) -> None:
        worker = get_current_worker()
        needle = query.lower()
        hits = set()
        for item in list(self.queue.items):
            if worker.is_cancelled:
                return
            raw = self.store.text(item)
            if needle in raw.lower():
                hits.add(item.pos)
            elif "\\" in raw:  # escaped text (\n, \", \uXXXX): compare the decoded strings
                try:
                    decoded = "\n".join(strings_of(orjson.loads(raw)))
                except orjson.JSONDecodeError:
                    continue
                if needle in decoded.lower():
                    hits.add(item.pos)
        flt = self.queue.filter
        result = Filter(flt.codes, flt.min_severity, flt.statuses, flt.flagged_only, frozenset(hits), query)
        self.call_from_thread(self._apply_filter, result)
        self.call_from_thread(self.notify, f"{len(hits):,} example(s) contain {query!r}")

    def action_clear_filter(self) -> None:
        if self.queue.filter != Filter():
            self._apply_filter(Filter())

    # -- editing, notes, views ---------------------------------------------------------------

    def action_note(self) -> None:
        item = self.current_item()
        if item is None or item.example_id is None:
            return

        def done(text: str | None) -> None:
            if not text:
                return
            entry = self.journal.state(item.example_id)
            if entry is None:
                self.pending_note = text
                self.notify("Note kept for this example's decision.")
            else:
                self.journal.record(item.example_id, entry.decision, entry.codes, note=text,
                                    replacement=entry.replacement, line=item.line)
                self.notify("Note saved with the decision.")
                self.show_item(item.pos)

        self.push_screen(Prompt("Note for this decision:", "why you decided as you did"), done)

    def action_edit(self) -> None:
        item = self.current_item()
        if item is None or item.example_id is None:
            return
        entry = self.journal.state(item.example_id)
        value = entry.replacement if entry and entry.replacement else self.store.value(item)[0]
        conv, _ = adapt(value, self.format, self.settings.profile)
        if conv is None:
            self.notify("This example cannot be edited as a conversation.", severity="warning")
            return
        original = orjson.dumps(conv.to_openai(), option=orjson.OPT_INDENT_2)
        with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False, prefix="sftlint-edit-") as fh:
            fh.write(original + b"\n")
            name = fh.name
        editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
        try:
            try:
                with self.suspend():
                    subprocess.run([*editor, name], check=False)
            except Exception:  # SuspendNotSupported (headless, tests): the editor needs no terminal
                subprocess.run([*editor, name], check=False, stdin=subprocess.DEVNULL, capture_output=True)
            edited = Path(name).read_bytes()
        finally:
            Path(name).unlink(missing_ok=True)
        try:
            new = orjson.loads(edited)
        except orjson.JSONDecodeError as exc:
            self.notify(f"Not saved: the edited text is not valid JSON ({exc.msg}).", severity="error")
            return
        if not isinstance(new, dict) or new == orjson.loads(original):
            self.notify("No change.")
            return
        self.replacement_findings[item.example_id] = self._lint_value(new, item)
        self.journal.record(item.example_id, "accept", list(item.codes), replacement=new, line=item.line,
                            note=self.pending_note)
        self.pending_note = None
        self.after_decision()
        self.show_item(item.pos)
        self.notify("Edited version saved in the journal and accepted; the data file is unchanged.")

    def action_toggle_markdown(self) -> None:
        self.conversation.markdown = not self.conversation.markdown
        if self.shown_pos is not None:
            self.show_item(self.shown_pos)

    def action_toggle_reasoning(self) -> None:
        self.conversation.fold_reasoning = not self.conversation.fold_reasoning
        if self.shown_pos is not None:
            self.show_item(self.shown_pos)

    def action_toggle_raw(self) -> None:
        self.raw = not self.raw

    def action_export(self) -> None:
        if self.exporter is None:
            self.notify("Export is not available here: run `sftlint export`.", severity="warning")
            return
        # named from the data file, in glyphs where its name holds control characters: the field
        # shows the folder as it will be written
        out = self.path.parent / f"{displayable(self.path.name.split('.')[0], one_line=True)}-export"
        self.push_screen(ExportDialog(self.exporter, out), self._export_chosen)

    def _export_chosen(self, options: dict | None) -> None:
        if options is not None:
            self.notify(f"Exporting to {options['out']}…")
            self.run_export(options)

    @work(thread=True, exclusive=True, group="export")
    def run_export(self, options: dict) -> None:
        try:
            s, written = self.exporter.write(options)
        except ValueError as exc:
            self.call_from_thread(self.notify, f"Export failed: {exc}", severity="error", timeout=15)
            return
        self.last_export = written
        self.call_from_thread(
            self.notify, f"Exported {s['train']:,} train, {s['test']:,} test ({s['dropped']:,} left out) to "
                         f"{options['out']}: " + ", ".join(p.name for p in written), timeout=15)

    def action_train(self) -> None:
        from sftlint.review.screens.train import TrainDialog

        export = self.last_export[0].parent if self.last_export else self.path.parent / f"{self.path.name.split('.')[0]}-export"
        test = export / "test.jsonl"
        defaults = {"data": str(export / "train.jsonl"), "eval": str(test) if test.exists() else "",
                    "out": str(self.path.parent / f"{self.path.name.split('.')[0]}-adapter"),
                    "model": self.settings.raw.tokenizer or "", "epochs": "3", "lr": "2e-4", "max_length": "2048"}
        self.push_screen(TrainDialog(defaults), self._train_chosen)

    def _train_chosen(self, form: dict | None) -> None:
        if form is not None:
            from sftlint.review.screens.train import TrainingScreen

            self.training = TrainingScreen(form)
            self.push_screen(self.training)

    # -- duplicate clusters ---------------------------------------------------------------

    def keep_one(self, members: list[Item], keep: int) -> None:
        decisions = keep_one(members, keep)
        for member, decision, note in decisions:
            self.journal.record(member.example_id, decision, list(member.codes), note=note, line=member.line)
        self.last_batch = max(1, len(decisions))
        self.after_decision()
        self.shown_pos = None
        if (current := self.queue_list.current) is not None:
            self.show_item(current)
        self.notify(f"Kept line {members[keep].line}; rejected {len(members) - 1} duplicate(s). u undoes all of it.")

    def current_cluster(self) -> list[Item]:
        item = self.current_item()
        members = cluster_of(self.queue.items, self.by_id, item) if item is not None else []
        if len(members) < 2:
            self.notify("This example is in no duplicate cluster.")
            return []
        return members

    def action_keep_keeper(self) -> None:
        if members := self.current_cluster():
            self.keep_one(members, 0)

    def action_cluster(self) -> None:
        from sftlint.review.screens.cluster import ClusterScreen

        members = self.current_cluster()
        if not members:
            return

        def done(result) -> None:
            if result is not None:
                self.keep_one(members, result[1])

        labels = [(f"line {m.line}", self.readable(m)) for m in members]
        self.push_screen(ClusterScreen(labels), done)

    def readable(self, item: Item) -> str:
        """The example as role headings and contents (what the reviewer compares), else its raw text."""
        value, _ = self.store.value(item)
        conv = adapt(value, self.format, self.settings.profile)[0] if not isinstance(value, str) else None
        if conv is None:
            return self.store.text(item)
        return "\n\n".join(f"[{m.role}]\n{m.content or ''}" for m in conv.messages)

    def action_help(self) -> None:
        self.push_screen(Help(self.keys))

    def action_quit(self) -> None:
        self.owned.end_all()  # before exit: the lint thread then sees its pipe close, not wait on it
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for name, action in ACTIONS.items():
            if name in ("quit", "help", "down", "up", "page_down", "page_up", "next_finding", "prev_finding",
                        "scroll_text_down", "scroll_text_up"):
                continue
            yield SystemCommand(action.description.split(":")[0], action.description,
                                getattr(self, f"action_{name}"))
        yield SystemCommand("Keys", "Show every key", self.action_help)

    def on_unmount(self) -> None:
        self.owned.end_all()
        self.store.close()
