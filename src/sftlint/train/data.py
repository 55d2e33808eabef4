"""Prepare training data: read -> render with the chat template -> mask, each example checked.

The rendering and masks are `sftlint.chat_template`'s; this module reads a data file's examples
and says which ones have nothing to train on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sftlint.chat_template import NOTHING_TO_TRAIN, MaskError, Prepared, Untrainable, end_of_turn_ids, prepare_example
from sftlint.io.conversations import iter_conversations
from sftlint.schema import Conversation


def load_conversations(path: Path, profile, max_line_bytes: int = 16 << 20) -> Iterator[tuple[int, Conversation]]:
    """The examples of a data file as conversations; a record that is not one stops with its place."""
    for read in iter_conversations(path, profile, max_line_bytes=max_line_bytes):
        if read.conversation is None:
            raise MaskError(f"{path}:{read.record.line}: {read.problem}; run `sftlint lint`")
        yield read.record.line, read.conversation


def prepare(tokenizer, path: Path, profile, on_example=None) -> tuple[list[Prepared], list[tuple[int, str]]]:
    """The trainable examples of a file, and (line, why) for each one left out because it has
    nothing to train on. An example whose mask would be wrong stops preparation (MaskError).
    `on_example()` is called after each example (progress)."""
    eot = end_of_turn_ids(tokenizer)
    kept, skipped = [], []
    for line, conv in load_conversations(path, profile):
        if on_example is not None:
            on_example()
        try:
            kept.append(prepare_example(tokenizer, conv, line, eot, where=f"{path}:{line}"))
        except Untrainable:
            skipped.append((line, NOTHING_TO_TRAIN))
    return kept, skipped
