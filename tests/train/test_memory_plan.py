"""The memory plan (`--memory`): its arithmetic, the layers it switches, the measured first pass.

The GPU measurement itself runs on the device (benchmarks/train_speed.py); here a fake allocator
stands in for CUDA's, and a tiny random Llama checks that recomputing some layers changes no
gradient.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from sftlint.train import memory as m

LLAMA_8B = SimpleNamespace(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                           num_key_value_heads=8, vocab_size=128256, tie_word_embeddings=False)
LIMA_STEPS = m.Steps(mean=11_000, largest=26_000)  # 16 LIMA examples a step, as the benchmark runs


def costs_8b() -> m.Costs:
    return m.formula_costs(LLAMA_8B, True, m.lora_parameter_count(LLAMA_8B, 16, "qkvo"), fused_loss=True)


@pytest.mark.parametrize(("text", "mode", "gib"), [("auto", "auto", None), ("LOW", "low", None), ("22GiB", "budget", 22),
                                                   ("22", "budget", 22), ("24576MiB", "budget", 24),
                                                   ("16 GB", "budget", 16e9 / 2**30)])
def test_memory_setting_forms(text, mode, gib):
    got_mode, got = m.parse_memory(text)
    assert got_mode == mode
    assert (got is None) if gib is None else got == pytest.approx(gib * m.GIB)


@pytest.mark.parametrize("text", ["lots", "22 TB", "0.5GiB", "-3GiB"])
def test_a_memory_setting_that_is_not_one_is_refused_with_the_forms(text):
    with pytest.raises(ValueError, match="auto, low or a budget|below 1 GiB"):
        m.parse_memory(text)


def test_a_large_card_recomputes_nothing_and_takes_a_whole_step_in_one_pass():
    plan = m.choose("auto", 131 * m.GIB, 32, costs_8b(), LIMA_STEPS, fused_loss=True)
    assert (plan.recompute, plan.pack_tokens) == (0, 16_384)
    assert plan.peak <= 131 * m.GIB * m.HEADROOM


def test_a_budget_is_kept_and_low_is_the_frugal_path():
    costs = costs_8b()
    small = m.choose("budget", 22 * m.GIB, 32, costs, LIMA_STEPS, fused_loss=True)
    assert small.peak <= 22 * m.GIB * m.HEADROOM and small.recompute > 0
    low = m.choose("low", None, 32, costs, LIMA_STEPS, fused_loss=True)
    assert (low.recompute, low.pack_tokens) == (32, m.LOW_PACK) and "low" in low.why[0]
    assert low.peak <= small.peak


def test_a_middle_budget_recomputes_only_some_layers():
    costs = costs_8b()
    plan = m.choose("budget", 72 * m.GIB, 32, costs, LIMA_STEPS, fused_loss=True)
    assert 0 < plan.recompute < 32
    # the fastest that fits: keeping one more layer would not fit at this pass size
    assert costs.peak(32, plan.recompute - 1, plan.pack_tokens) > 72 * m.GIB * m.HEADROOM


def test_what_the_user_set_stays_and_the_plan_says_so():
    costs = costs_8b()
    plan = m.choose("auto", 131 * m.GIB, 32, costs, LIMA_STEPS, True, pack_tokens=4096, checkpointing=True)
    assert (plan.recompute, plan.pack_tokens) == (32, 4096)
    assert any("--pack-tokens" in w for w in plan.why) and any("--gradient-checkpointing" in w for w in plan.why)
    off = m.choose("low", None, 32, costs, LIMA_STEPS, True, checkpointing=False)
    assert off.recompute == 0


def test_a_budget_too_small_for_anything_runs_frugally_and_says_it_may_not_fit():
    plan = m.choose("budget", 4 * m.GIB, 32, costs_8b(), LIMA_STEPS, fused_loss=True)
    assert (plan.recompute, plan.pack_tokens) == (32, m.LOW_PACK)
    assert "may not fit" in plan.why[-1]


def test_full_logits_cost_memory_that_a_fused_loss_does_not():
    lora = m.lora_parameter_count(LLAMA_8B, 16, "qkvo")
    fused, full = (m.formula_costs(LLAMA_8B, True, lora, f) for f in (True, False))
    assert full.peak(32, 32, 8192) - fused.peak(32, 32, 8192) > 8192 * LLAMA_8B.vocab_size * 8


def test_step_tokens_are_the_samplers_steps():
    from sftlint.train.sampler import BalancedSampler

    lengths = [10 * (i % 7 + 1) for i in range(50)]
    order = list(BalancedSampler(lengths, 8, 1, 3))
    sums = [sum(lengths[i] for i in order[s:s + 8]) for s in range(0, 50, 8)]
    steps = m.step_tokens(lengths, 8, 1, 3)
    assert steps.largest == max(sums) and steps.mean == pytest.approx(sum(sums) / len(sums))
    # later epochs are ordered anew: the largest step of any of them counts
    sampler = BalancedSampler(lengths, 8, 1, 3)
    sampler.set_epoch(1)
    again = list(sampler)
    later = [sum(lengths[i] for i in again[s:s + 8]) for s in range(0, 50, 8)]
    assert m.step_tokens(lengths, 8, 1, 3, epochs=2).largest == max(max(sums), max(later))


def test_measured_costs_from_a_frugal_pass():
    # 4 layers: three recompute (grew 1 kB a token), the last kept (grew 20 kB a token)
    tokens = 1000
    costs = m.measured_costs(held=5_000_000, peak=5_000_000 + tokens * (20_000 + 3 * 1_000 + 7_000),
                             tokens=tokens, grown=[1_000_000, 1_100_000, 900_000, 20_000_000], lora_params=100)
    assert (costs.kept, costs.recomputed, costs.other) == (20_000, 1_000, 7_000)
    assert costs.fixed == 5_000_000 + 800 and costs.source.startswith("measured")


# --- on a tiny random Llama: layers switched, gradients unchanged, the first pass measured ---------


@pytest.fixture()
def tiny_llama():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    return LlamaForCausalLM(LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=4,
                                        num_attention_heads=4, num_key_value_heads=2, vocab_size=256))


def _config(**kw):
    from sftlint.train.config import TrainConfig

    return TrainConfig(model="tiny", data=Path("."), load_in_4bit=False, lora_dropout=0.0, liger=False, dtype="float32",
                       **kw)


@pytest.fixture()
def on_a_gpu(monkeypatch):
    """prepare_model as on CUDA with a card of 3 GiB free (no CUDA call is made on the CPU path
    it takes then); the allocator is given to each measurement."""
    monkeypatch.setattr(m, "device_budget", lambda mode, stated: stated if stated else 3 * m.GIB)


def _lora_grads(model, recompute: int):
    import torch

    m.recompute_first(m.decoder_layers(model), recompute)
    model.zero_grad(set_to_none=True)
    ids = torch.arange(3, 67).view(1, 64) % 250 + 3
    model(input_ids=ids, labels=ids).loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}


def test_a_budget_recomputes_the_first_layers_only_and_gradients_do_not_change(tiny_llama):
    import torch

    from sftlint.train.model import prepare_model

    lora = m.lora_parameter_count(tiny_llama.config, 16, "qkvo")
    costs = m.formula_costs(tiny_llama.config, False, lora, False, dtype_bytes=4)  # fp32, as _config says
    budget = costs.peak(4, 2, 1024) / m.HEADROOM  # room for two kept layers at a step's 1,024 tokens
    model, notes, planner = prepare_model(tiny_llama, _config(memory=f"{math.ceil(budget / 2**20)}MiB"), "group",
                                          False, [64] * 16)
    layers = m.decoder_layers(model)
    assert planner.plan.recompute == 2 and len(layers) == 4
    assert [layer.gradient_checkpointing for layer in layers] == [True, True, False, False]
    assert notes["gradient_checkpointing"] is True
    model.train()
    plain = _lora_grads(model, 0)
    for recompute in (2, 4):
        again = _lora_grads(model, recompute)
        assert all(torch.allclose(plain[k], again[k], atol=1e-6) for k in plain), recompute


class FakeAllocator:
    """Allocated bytes as a pass of 4 layers would show them: the layers before the last grow by
    `small` per token, the last by `big`; the peak adds `rest` per token."""

    def __init__(self, tokens: int, small: int, big: int, rest: int, layers: int = 4) -> None:
        self.now = 10_000_000
        self.calls = 0
        self.tokens, self.small, self.big, self.rest, self.layers = tokens, small, big, rest, layers
        self.top = self.now

    def start(self) -> None:
        self.top = self.now

    def allocated(self) -> int:
        self.calls += 1
        if self.calls > 1 and self.calls % 2 == 1:  # a layer's post-hook: after pre-hooks at even calls
            layer = (self.calls - 3) // 2
            self.now += self.tokens * (self.big if layer == self.layers - 1 else self.small)
            self.top = self.now + self.tokens * self.rest
        return self.now

    def peak(self) -> int:
        return self.top


def test_the_first_pass_is_measured_frugally_and_the_plan_made_again_from_it(tiny_llama, on_a_gpu):
    import torch

    from sftlint.train.model import prepare_model

    model, _, planner = prepare_model(tiny_llama, _config(), "group", True, [64] * 16)
    model.train()
    layers = m.decoder_layers(model)
    assert planner.pending and planner.plan.recompute == 0  # the formula: a tiny model fits 3 GiB easily
    seen: list[list[bool]] = []
    ids = torch.arange(3, 67).view(1, 64) % 250 + 3

    def run_pass():
        seen.append([layer.gradient_checkpointing for layer in layers])
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        return loss.detach()

    fake = FakeAllocator(tokens=64, small=1_000, big=4_000_000, rest=3_000)
    planner.measure(run_pass, 64, fake)
    assert seen == [[True, True, True, False]]  # frugal: one layer shows what keeping costs
    plan = planner.plan
    assert not planner.pending and plan.measured and plan.costs.source.startswith("measured")
    assert (plan.costs.kept, plan.costs.recomputed) == (4_000_000, 1_000)
    # 4 MB a token per kept layer does not fit 3 GiB at 1,024 tokens: every layer recomputes now
    assert plan.recompute == 4 and [layer.gradient_checkpointing for layer in layers] == [True] * 4
    assert [h["costs"]["source"] for h in planner.history][0] == "formula"


def test_a_peak_close_to_the_budget_after_the_first_steps_makes_the_plan_once_more(tiny_llama, on_a_gpu):
    from sftlint.train.model import prepare_model

    _, _, planner = prepare_model(tiny_llama, _config(), "group", True, [64] * 16)
    planner.plan.measured = True
    budget = planner.plan.budget

    class Peaked:
        def peak(self) -> int:
            return int(budget * 0.99)

    first = planner.plan
    for _ in range(m.Planner.CHECK_AFTER):
        planner.step_done(Peaked())
    assert planner.plan is not first and planner.plan.replanned
    assert "scaled" in planner.plan.costs.source and any("peak after" in w for w in first.why)
    again = planner.plan
    for _ in range(2 * m.Planner.CHECK_AFTER):
        planner.step_done(Peaked())
    assert planner.plan is again  # once


def test_a_memory_setting_that_is_not_one_stops_the_command_with_the_forms(tmp_path):
    from conftest import run_cli

    (tmp_path / "a.jsonl").write_text("")
    bad = run_cli("train", str(tmp_path / "a.jsonl"), "--model", "m", "--dry-run", "--memory", "plenty")
    assert bad.exit_code != 0 and "memory must be auto, low or a budget such as 22GiB" in bad.output


def test_where_memory_allows_layers_hold_their_4bit_weights_dequantised_and_it_is_counted():
    lora = m.lora_parameter_count(LLAMA_8B, 16, "qkvo")
    costs = m.formula_costs(LLAMA_8B, True, lora, fused_loss=True, hold=True)
    assert costs.held == pytest.approx(2 * m.parameter_count(LLAMA_8B)["layers"] / 32)
    big = m.choose("auto", 131 * m.GIB, 32, costs, LIMA_STEPS, fused_loss=True)
    assert big.dequantised == 32 and "holding their weights dequantised" in big.why[-1]
    assert big.peak == pytest.approx(costs.peak(32, big.recompute, big.pack_tokens, 32))
    assert m.choose("low", None, 32, costs, LIMA_STEPS, fused_loss=True).dequantised == 0
    # nothing to dequantise (bf16 weights, or a CPU): no layer holds anything
    assert m.choose("auto", 131 * m.GIB, 32, costs_8b(), LIMA_STEPS, fused_loss=True).dequantised == 0


def test_weights_held_dequantised_give_the_same_numbers_bit_for_bit():
    import torch

    bnb = pytest.importorskip("bitsandbytes")
    from sftlint.train import dequantised

    torch.manual_seed(0)
    layer = bnb.nn.Linear4bit(64, 32, bias=True, compute_dtype=torch.bfloat16, compress_statistics=True,
                              quant_type="nf4")
    layer.weight = bnb.nn.Params4bit(torch.randn(32, 64) * 0.02, requires_grad=False, compress_statistics=True,
                                     quant_type="nf4")
    layer.bias = torch.nn.Parameter(torch.randn(32), requires_grad=False)
    layer = layer.to("cpu")
    x = torch.randn(8, 64, requires_grad=True)
    plain = layer(x)
    plain.sum().backward()
    plain_grad, x.grad = x.grad.clone(), None
    assert dequantised.hold(layer) == dequantised.layer_bytes(layer) == 32 * 64 * 2
    held = layer(x)
    held.sum().backward()
    assert torch.equal(held, plain) and torch.equal(x.grad, plain_grad)
    assert "sftlint_dequantised" not in layer.state_dict()  # never saved with the model
    dequantised.release(layer)
    assert not hasattr(layer, "sftlint_dequantised") and torch.equal(layer(x), plain)


def test_a_model_without_per_layer_switches_gets_an_honest_plan(tiny_llama, on_a_gpu, monkeypatch):
    """Where transformers has no per-layer checkpointing switch, checkpointing is all or nothing
    and nothing is held dequantised: the plan says so rather than what it would have liked."""
    from sftlint.train.model import prepare_model

    monkeypatch.setattr(m, "decoder_layers", lambda model: [])
    costs = m.Costs(fixed=1e6, kept=1e6, recomputed=1e3, other=1e3, held=1e5, four_bit=True)
    plan = m.choose("budget", 3 * m.GIB, 4, costs, m.Steps(1024, 1024), False)
    planner = m.Planner(plan, m.Steps(1024, 1024), 0, None, None, cuda=True)
    planner.attach(tiny_llama)
    assert planner.plan.dequantised == 0 and planner.plan.recompute in (0, 4) and not planner.pending
    assert "no weights are held" in planner.plan.why[-1]
    assert planner.history == [planner.plan.to_dict()]
    _, notes, planner = prepare_model(tiny_llama, _config(), "group", True, [64] * 16)
    assert not planner.layers and not planner.pending


def test_held_weights_do_not_dilute_the_check_after_three_steps():
    """The check scales only what grows with a pass's tokens: with 10 GiB held, a peak 1 GiB over
    an estimate of 1 GiB of activations doubles the per-token costs."""
    costs = m.Costs(fixed=2 * m.GIB, kept=1000, recomputed=100, other=0, held=m.GIB, four_bit=True)
    plan = m.MemoryPlan("budget", 12.3 * m.GIB, 4, 4, 8192, True, 0.0, costs, dequantised=10)
    plan.peak = costs.peak(4, 4, 8192, 10)
    plan.measured = True
    planner = m.Planner(plan, m.Steps(8192, 8192), 0, None, None, cuda=True)
    activations = plan.peak - 12 * m.GIB

    class Seen:
        def peak(self) -> int:
            return int(plan.peak + activations)  # twice the estimated activations

    for _ in range(m.Planner.CHECK_AFTER):
        planner.step_done(Seen())
    assert planner.plan.replanned and planner.plan.costs.recomputed == pytest.approx(200, rel=1e-3)
