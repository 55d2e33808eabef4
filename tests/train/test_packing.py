"""Padding-free packing: a packed example sees only itself, and a packed run trains.

On CPU the packed attention runs per example (the CUDA varlen kernel does not exist there), so
these tests check the boundaries, labels and positions that the GPU path uses too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

pytestmark = [pytest.mark.model]


@pytest.fixture(scope="module")
def smol(smollm2_model_dir):
    from sftlint.train.config import TrainConfig
    from sftlint.train.model import load_model

    model = load_model(TrainConfig(model=str(smollm2_model_dir), data=Path("."), load_in_4bit=False), cuda=False)
    return model.float().eval()  # fp32 so the comparison measures leakage, not rounding


def _logits(model, **inputs):
    import torch

    with torch.no_grad():
        return model(**inputs).logits[0]


def test_packed_examples_do_not_attend_to_each_other(smol):
    import torch

    from sftlint.train import packing

    first, second = list(range(100, 140)), list(range(500, 530))
    alone = _logits(smol, input_ids=torch.tensor([second]))
    batch = packing.flattening_collator()([{"input_ids": first, "labels": first}, {"input_ids": second,
                                                                                     "labels": second}])
    assert batch["cu_seq_lens_q"].tolist() == [0, 40, 70]
    assert batch["labels"][0, 40].item() == -100  # never predict an example from the one before it
    assert batch["position_ids"][0, 40].item() == 0
    try:
        packing.use_varlen(smol)
        packed = _logits(smol, **batch)[40:]
    finally:
        smol.set_attn_implementation("sdpa")
    assert torch.allclose(packed, alone, atol=1e-4), (packed - alone).abs().max()
    # The same row without boundaries lets the second example read the first: the check above can fail.
    leaked = _logits(smol, input_ids=batch["input_ids"])[40:]
    assert (leaked - alone).abs().max() > 0.1


def test_auto_packing_is_grouping_without_cuda():
    from sftlint.train.packing import choose

    assert choose("auto", cuda=False) == "group"
    assert choose("padding-free", cuda=False) == "padding-free"


@pytest.mark.slow
def test_padding_free_run_on_cpu_lowers_eval_loss(smollm2_model_dir, tmp_path):
    out = tmp_path / "data"
    result = run_cli("export", str(ROOT / "sample_data" / "bike_shop.jsonl"), "-o", str(out), "--split", "test=0.1",
                     "--fail-on", "warning", "--encoding", "cl100k_base")
    assert result.exit_code == 0, result.output
    adapter = tmp_path / "adapter"
    result = run_cli("train", str(out / "train.jsonl"), "--eval", str(out / "test.jsonl"), "--model",
                     str(smollm2_model_dir), "--max-length", "256", "--max-steps", "6", "--lr", "1e-3",
                     "--packing", "padding-free", "--batch-size", "4", "--pack-tokens", "400",
                     "-o", str(adapter))
    assert result.exit_code == 0, result.output + str(result.exception)
    report = json.loads((adapter / "training_report.json").read_text())
    assert report["kernels"]["packing"] == "padding-free"
    assert report["forward_passes"] > report["steps"]  # 4 examples of up to 256 tokens, 400 per pass
    assert report["eval_loss_after"] < report["eval_loss_before"]


def test_split_batch_cuts_packed_rows_at_example_boundaries():
    from sftlint.train.packing import flattening_collator, split_batch

    lengths = [50, 30, 200, 10, 10]
    batch = flattening_collator()([{"input_ids": list(range(1, n + 1)), "labels": list(range(1, n + 1))}
                                   for n in lengths])
    parts = split_batch(batch, budget=100)
    assert [p["cu_seq_lens_q"].tolist() for p in parts] == [[0, 50, 80], [0, 200], [0, 10, 20]]
    assert [p["max_length_q"] for p in parts] == [50, 200, 10]
    for key in ("input_ids", "labels", "position_ids"):
        assert sum((p[key][0].tolist() for p in parts), []) == batch[key][0].tolist()
    assert split_batch(batch, budget=10_000) == [batch]


def test_split_batch_cuts_padded_batches_by_rows():
    import torch

    from sftlint.train.packing import split_batch

    batch = {"input_ids": torch.ones(5, 64, dtype=torch.long), "labels": torch.ones(5, 64, dtype=torch.long)}
    assert [p["input_ids"].shape[0] for p in split_batch(batch, budget=128)] == [2, 2, 1]


def test_passes_summed_with_the_steps_token_count_equal_one_pass(smol):
    """The normalisation the bounded trainer relies on: each pass's loss over the whole step's
    supervised-token count sums to the loss of a single pass."""
    import torch

    from sftlint.train import packing

    rows = [{"input_ids": list(range(100 + i, 160 + i)), "labels": [-100] * 20 + list(range(120 + i, 160 + i))}
            for i in range(3)]
    batch = packing.flattening_collator()(rows)
    n = int((batch["labels"][:, 1:] != -100).sum())
    try:
        packing.use_varlen(smol)
        with torch.no_grad():
            whole = smol(**batch, num_items_in_batch=n).loss
            parts = sum(smol(**p, num_items_in_batch=n).loss for p in packing.split_batch(batch, budget=70))
    finally:
        smol.set_attn_implementation("sdpa")
    assert len(packing.split_batch(batch, budget=70)) == 3
    assert torch.allclose(whole, parts, atol=1e-5), (whole, parts)


def test_balanced_sampler_deals_each_step_evenly_and_keeps_the_one_gpu_batches():
    """Data parallel: each process gets `batch` examples of a step and nearly the same tokens, and a
    step holds the same examples as on one GPU (same seed)."""
    import random

    from sftlint.train.sampler import BalancedSampler

    lengths = [random.Random(i).randint(20, 2000) for i in range(160)]
    one = list(BalancedSampler(lengths, 16, 1, seed=3))
    two = list(BalancedSampler(lengths, 8, 2, seed=3))
    assert sorted(one) == sorted(two) == list(range(160))
    for step in range(10):
        a, b = one[step * 16:(step + 1) * 16], two[step * 16:(step + 1) * 16]
        assert sorted(a) == sorted(b)  # the same global batch
        r0, r1 = b[:8], b[8:]  # what accelerate hands process 0 and process 1
        t0, t1 = sum(lengths[i] for i in r0), sum(lengths[i] for i in r1)
        assert abs(t0 - t1) <= max(lengths[i] for i in b)  # within one example of even
    naive = [abs(sum(lengths[i] for i in one[s * 16:s * 16 + 8]) - sum(lengths[i] for i in one[s * 16 + 8:(s + 1) * 16]))
             for s in range(10)]
    dealt = [abs(sum(lengths[i] for i in two[s * 16:s * 16 + 8]) - sum(lengths[i] for i in two[s * 16 + 8:(s + 1) * 16]))
             for s in range(10)]
    assert sum(dealt) < sum(naive) / 4
