"""Answers copied from a model, layer 2 (`lint --model`): each assistant turn scored under the
user's model, conditioned on its conversation as the model's chat template renders it.

Three scores per turn, from one forward pass:
- mean log-likelihood of the answer's tokens (higher: more typical of the model);
- mean log-rank of each token among the model's predictions (lower: more typical);
- Fast-DetectGPT's analytic sampling discrepancy (Bao et al., ICLR 2024): how far the answer's
  log-likelihood lies above what the model's own samples would get at each position, in standard
  deviations of that expectation. Text the model wrote itself sits several deviations above; human
  text sits near zero. B004 reports turns over the rule's threshold.
With `--regenerate`, the model also writes its own greedy answer to each turn's prompt; B005
reports answers whose ROUGE-L similarity to it passes the threshold.

Scores are cached in SQLite by (model fingerprint, dtype, rule version, example id), so a second
run scores nothing again and does not even load the model.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sftlint.schema import Conversation

RULE_VERSION = 1
"""Bump when the scores change meaning: cached scores of other versions are not reused."""
DEFAULT_MAX_LENGTH = 2048
CACHE_FILE = "model_scores.sqlite3"


@dataclass(slots=True)
class TurnScore:
    message_index: int
    tokens: int
    loglik: float
    logrank: float
    discrepancy: float
    regen_similarity: float | None = None


class ScoreCache:
    """Scores per (model key, example id), in one SQLite file (safe to share between runs)."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS scores (model TEXT, eid TEXT, turns TEXT, PRIMARY KEY (model, eid))")

    def get(self, model: str, eids: Iterable[str]) -> dict[str, list[TurnScore]]:
        out: dict[str, list[TurnScore]] = {}
        ids = list(dict.fromkeys(eids))
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows = self._db.execute(f"SELECT eid, turns FROM scores WHERE model = ? AND eid IN ({','.join('?' * len(part))})",
                                    [model, *part])
            for eid, turns in rows:
                out[eid] = [TurnScore(**t) for t in json.loads(turns)]
        return out

    def put(self, model: str, scores: dict[str, list[TurnScore]]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO scores VALUES (?, ?, ?)",
                                 [(model, eid, json.dumps([asdict(t) for t in turns])) for eid, turns in scores.items()])

    def close(self) -> None:
        self._db.close()


@dataclass(slots=True)
class Prepared:
    eid: str
    ids: list[int]
    turns: list[tuple[int, int, int]]
    """(message index, first content token, end) of each assistant turn."""


def prepare(tokenizer, eid: str, conv: Conversation, max_length: int) -> Prepared | None:
    """The conversation rendered with the model's chat template, cut from the left to `max_length`
    (the answers are at the end); None when the template cannot render it (T004 reports that)."""
    from sftlint.chat_template import MaskError, render

    try:
        rendering = render(tokenizer, conv, "scoring", content_only=True)
    except MaskError:
        return None
    ids, turns = rendering.ids, rendering.turns
    cut = max(0, len(ids) - max_length)
    if cut:
        ids = ids[cut:]
        turns = [(i, max(s - cut, 1), e - cut) for i, s, e in turns if e - cut > 1]
    turns = [(i, max(s, 1), e) for i, s, e in turns if e > max(s, 1)]  # the first token has no context
    return Prepared(eid, ids, turns) if turns else None


def batches(items: list[Prepared], batch_tokens: int) -> Iterable[list[Prepared]]:
    """Items of similar length together, each batch at most `batch_tokens` padded tokens."""
    from sftlint.batches import by_tokens

    for part in by_tokens([len(p.ids) for p in items], batch_tokens):
        yield [items[i] for i in part]


def score_batch(model, batch: list[Prepared], device: str, positions_per_chunk: int = 2048) -> dict[str, list[TurnScore]]:
    """The three scores of every turn of a batch: one forward pass, the output layer applied only at
    the positions that predict answer tokens (in chunks, so the vocabulary-wide arrays stay small)."""
    import torch

    from sftlint.batches import padded

    inputs = padded([p.ids for p in batch], 0)
    ids, mask = inputs["input_ids"], inputs["attention_mask"]
    rows, cols, turn_of = [], [], []
    turns: list[tuple[str, int, int]] = []  # (eid, message index, token count)
    for b, p in enumerate(batch):
        for i, s, e in p.turns:
            rows += [b] * (e - s)
            cols += list(range(s - 1, e - 1))  # position t-1 predicts token t
            turn_of += [len(turns)] * (e - s)
            turns.append((p.eid, i, e - s))
    ids, mask = ids.to(device), mask.to(device)
    rows_t, cols_t = torch.tensor(rows, device=device), torch.tensor(cols, device=device)
    targets = ids[rows_t, cols_t + 1]
    turn_t = torch.tensor(turn_of, device=device)
    sums = torch.zeros((4, len(turns)), dtype=torch.float64, device=device)  # ll, log-rank, mean, variance
    with torch.inference_mode():
        decoder = getattr(model, "get_decoder", lambda: None)()
        head = model.get_output_embeddings()
        if decoder is not None and head is not None:
            hidden = decoder(input_ids=ids, attention_mask=mask).last_hidden_state

            def logits_at(a: int, b: int):
                return head(hidden[rows_t[a:b], cols_t[a:b]])
        else:  # a model without a separate output layer: full logits (more memory)
            full = model(input_ids=ids, attention_mask=mask).logits

            def logits_at(a: int, b: int):
                return full[rows_t[a:b], cols_t[a:b]]
        for a in range(0, len(rows), positions_per_chunk):
            b = min(a + positions_per_chunk, len(rows))
            lp = torch.log_softmax(logits_at(a, b).float(), dim=-1)
            ll = lp.gather(-1, targets[a:b, None]).squeeze(-1)
            rank = (lp > ll[:, None]).sum(-1) + 1
            p = lp.exp()
            mean = (p * lp).sum(-1)
            var = (p * lp * lp).sum(-1) - mean * mean
            values = torch.stack([ll, rank.float().log(), mean, var]).double()
            sums.index_add_(1, turn_t[a:b], values)
    sums = sums.cpu().tolist()
    out: dict[str, list[TurnScore]] = {}
    for k, (eid, index, n) in enumerate(turns):
        ll, logrank, mean, var = (sums[j][k] for j in range(4))
        out.setdefault(eid, []).append(TurnScore(index, n, ll / n, logrank / n, (ll - mean) / math.sqrt(max(var, 1e-12))))
    return out


def regenerate(loaded, items: list[Prepared], scores: dict[str, list[TurnScore]], convs: dict[str, Conversation],
               batch_size: int, max_new_tokens: int = 512) -> None:
    """The model's own greedy answer to each scored turn's prompt, and its ROUGE-L similarity to
    the example's answer (set on the turn's score)."""
    from sftlint.models import greedy
    from sftlint.similarity import rouge_l

    jobs = [(p.eid, i, p.ids[:s], e - s) for p in items for i, s, e in p.turns]
    answers = greedy(loaded, [prompt for _, _, prompt, _ in jobs],
                     [min(max_new_tokens, n + 32) for *_, n in jobs], batch_size)
    for (eid, index, _, _), (text, _) in zip(jobs, answers, strict=True):
        answer = convs[eid].messages[index].content or ""
        for t in scores.get(eid, []):
            if t.message_index == index:
                t.regen_similarity = rouge_l(text, answer)


class Scorer:
    """Scores for examples, from the cache or from the model (loaded on the first miss)."""

    def __init__(self, model: str, cache_dir: Path | None, regenerate: bool = False, device: str | None = None,
                 batch_tokens: int | None = None, max_length: int = DEFAULT_MAX_LENGTH, dtype: str = "auto",
                 reporter: Any = None) -> None:
        """`reporter` (a `sftlint.progress.Reporter`) shows loading and scoring progress."""
        from sftlint.models import fingerprint, inference_precision

        self.name = model
        self.regenerate = regenerate
        self.device, self.dtype = inference_precision(device, dtype)
        self.batch_tokens = batch_tokens
        self.max_length = max_length
        # the dtype is part of the key: bf16 and fp32 scores differ by a few hundredths
        self.key = f"{fingerprint(model)}|{self.dtype}|v{RULE_VERSION}"
        self.cache = ScoreCache(cache_dir / CACHE_FILE) if cache_dir is not None else None
        self.reporter = reporter
        self._phase: Any = None
        self._phase_context: Any = None
        self.loaded = None
        self.scored = 0
        """Examples scored by the model in this run (the rest came from the cache)."""

    @property
    def label(self) -> str:
        from sftlint.models import model_label

        return model_label(self.name)

    def _load(self):
        if self.loaded is None:
            from contextlib import nullcontext

            from sftlint.models import load_for_inference

            loading = self.reporter.loading(f"loading {self.label}") if self.reporter else nullcontext()
            with loading:
                self.loaded = load_for_inference(self.name, self.device, self.dtype)
            if self.batch_tokens is None:
                self.batch_tokens = 32768 if self.loaded.device.startswith("cuda") else 4096
        return self.loaded

    def scores(self, items: list[tuple[str, Conversation]]) -> dict[str, list[TurnScore]]:
        convs = dict(items)
        found = self.cache.get(self.key, convs) if self.cache is not None else {}
        if self.regenerate:  # cached without a regeneration: scored again, with one
            found = {e: t for e, t in found.items() if all(x.regen_similarity is not None for x in t)}
        missing = [e for e in convs if e not in found]
        if not missing:
            return found
        loaded = self._load()
        prepared = [p for e in missing if (p := prepare(loaded.tokenizer, e, convs[e], self.max_length))]
        new: dict[str, list[TurnScore]] = {e: [] for e in missing}  # no scorable turn: cached as such
        for batch in batches(prepared, self.batch_tokens):
            new.update(score_batch(loaded.model, batch, loaded.device))
            self._advance(len(batch))
        if self.regenerate and prepared:
            # one prompt at a time on a CPU: greedy decoding in bf16 drifts with padding, and a user's
            # copied answer came from one prompt
            regenerate(loaded, prepared, new, convs, 64 if loaded.device.startswith("cuda") else 1)
        self.scored += len(missing)
        if self.cache is not None:
            self.cache.put(self.key, new)
        return {**found, **new}

    def _advance(self, n: int) -> None:
        """Progress in examples scored by the model (the cached ones cost nothing)."""
        if self.reporter is None:
            return
        if self._phase is None:
            self._phase_context = self.reporter.phase(f"scoring answers with {self.label}", unit="examples")
            self._phase = self._phase_context.__enter__()
        self._phase.advance(n)

    def close(self) -> None:
        if self._phase_context is not None:
            self._phase_context.__exit__(None, None, None)
            self._phase_context = self._phase = None
        if self.cache is not None:
            self.cache.close()


class ModelPass:
    """B004/B005 during the main pass: conversations are collected as the records stream past and
    scored (or taken from the cache) a window at a time, so memory holds one window of texts and
    the file is not read again."""

    def __init__(self, scorer: Scorer, options: dict, active: frozenset[str], finding, window: int = 512) -> None:
        """`finding(code, line, eid, message_index, message)` makes a Finding."""
        self.scorer, self.active, self.finding, self.window = scorer, active, finding, window
        self.min_disc, self.min_sim = options["B004"]["min_discrepancy"], options["B005"]["min_similarity"]
        self.pending: list[tuple[int, str, Conversation]] = []

    def add(self, line: int, eid: str, conv: Conversation) -> list:
        if not any(m.role == "assistant" and m.content for m in conv.messages):
            return []
        self.pending.append((line, eid, conv))
        return self.flush() if len(self.pending) >= self.window else []

    def flush(self) -> list:
        if not self.pending:
            return []
        label = self.scorer.label
        scores = self.scorer.scores([(eid, conv) for _, eid, conv in self.pending])
        found = []
        for line, eid, _ in self.pending:
            for t in scores.get(eid, ()):
                if "B004" in self.active and t.discrepancy >= self.min_disc:
                    f = self.finding("B004", line, eid, t.message_index,
                                     f"scores as {label}'s own output: sampling discrepancy {t.discrepancy:.2f} "
                                     f"(threshold {self.min_disc:g}), mean log-likelihood {t.loglik:.2f}, mean "
                                     f"log-rank {t.logrank:.2f} over {t.tokens} tokens")
                    f.score = round(t.discrepancy, 4)
                    found.append(f)
                if "B005" in self.active and t.regen_similarity is not None and t.regen_similarity >= self.min_sim:
                    f = self.finding("B005", line, eid, t.message_index,
                                     f"{t.regen_similarity:.0%} like {label}'s own greedy answer (ROUGE-L)")
                    f.similarity = round(t.regen_similarity, 4)
                    found.append(f)
        self.pending.clear()
        return found
