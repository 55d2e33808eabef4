"""The review screen: the header, the queue, the conversation and its findings, the footer.

Its bindings are the actions of review/keys.py, each with the action's name as its id, so the
user's [tool.sftlint.review.keys] remaps them through Textual's keymap (the app sets it).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from sftlint.review.keys import ACTIONS
from sftlint.review.widgets.conversation import ConversationView
from sftlint.review.widgets.findings import FindingList
from sftlint.review.widgets.progress import ProgressHeader
from sftlint.review.widgets.queue_list import QueueList


class ReviewScreen(Screen):
    BINDINGS = [Binding(action.keys, f"app.{name}", action.label or action.description, show=action.footer, id=name)
                for name, action in ACTIONS.items()]

    def compose(self) -> ComposeResult:
        yield ProgressHeader(id="progress")
        with Horizontal(id="main"):
            yield QueueList(self.app.queue, id="queue")
            with Vertical(id="detail"):
                yield ConversationView(id="conversation")
                yield FindingList(id="findings")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(QueueList).focus()
        self.app.update_header()
        self.app.lint()
