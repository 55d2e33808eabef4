"""The memory plan: how many decoder layers recompute their activations, and how many tokens a
forward pass takes.

Recomputing activations (gradient checkpointing) buys memory with time. On one H200 (8B QLoRA,
LIMA lengths; issue 22's measurements) a step with every layer recomputed took 1.42 times one with
none, and a pass costs a fixed time about equal to the work of 5,900 tokens, so halving the passes
of a step gave 1.27 times more again. Neither is worth paying to save memory nobody asked to
save; on a 24 GB card both are what makes an 8B model fit at all. So the plan starts from the
memory a run may use (`--memory`: `auto`, the GPU's free memory less a margin; a budget such as
`22GiB`; or `low`, every layer recomputed) and picks, among the plans that fit, the one with the
cheapest estimated step: the tokens per pass, and how many layers recompute (selectively, not
all or nothing).

The costs are a formula until the device says otherwise: the first pass of training runs frugally
(one layer keeps its activations, the others recompute) with a hook at each layer reading the
allocator, which gives the bytes per token of a layer that keeps and of one that recomputes, and
the pass's peak gives the rest. The plan is then made again from those. After the first steps
the real peak is compared with the budget, and if it came close the plan is made once more with
costs scaled to what was seen.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

GIB = 2**30
LOW_PACK = 8192
"""Tokens per pass of the frugal plan (`--memory low`), and the smallest the plan chooses."""
PASS_OVERHEAD_TOKENS = 5_900
"""A forward and backward pass costs a fixed time about equal to this many tokens' work (8B QLoRA
on an H200: 7,968 real tokens/s at 8,192 tokens a pass, 10,078 at 16,384, no recomputation)."""
DEQUANT_TOKENS = 18
"""Of that, dequantising one layer's NF4 weights once costs about this many tokens' work
(benchmarks/dequant_cost.py: 1.3 ms a Llama-3-8B layer on an H100, where a token costs about
73 us): a pass dequantises each layer twice, three times when it recomputes, unless the layer
holds its weights dequantised (dequantised.py)."""
RECOMPUTE_COST = 0.42
"""A step with every layer recomputed takes 1.42 times one with none (same measurements)."""
HEADROOM = 0.92
"""A plan's estimated peak stays under this share of the budget: passes vary in size and the
allocator fragments."""
CLOSE = 0.97
"""After the first steps, a peak over this share of the budget makes the plan again (once)."""
AUTO_MARGIN = (1.5 * GIB, 0.06)
"""`auto` leaves the larger of 1.5 GiB and 6% of the card to the CUDA context and other programs."""

_BUDGET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(GiB|GB|G|MiB|MB|M)?\s*$", re.IGNORECASE)
_UNITS = {"gib": GIB, "g": GIB, "gb": 10**9, "mib": 2**20, "m": 2**20, "mb": 10**6}


def parse_memory(value: str) -> tuple[str, float | None]:
    """`auto`, `low`, or a budget ("22GiB", "22GB", "22000MiB", "22": GiB) as (mode, bytes)."""
    text = str(value).strip()
    if text.lower() in ("auto", "low"):
        return text.lower(), None
    m = _BUDGET.match(text)
    if not m:
        raise ValueError(f"memory must be auto, low or a budget such as 22GiB, not {value!r}")
    amount = float(m.group(1)) * _UNITS[(m.group(2) or "GiB").lower()]
    if amount < GIB:
        raise ValueError(f"a memory budget of {value!r} is below 1 GiB: no model trains in that")
    return "budget", amount


@dataclass
class Costs:
    """Bytes a training pass holds: `fixed` whatever the pass (weights, adapter, optimizer, workspace),
    then per token: a layer that keeps its activations, one that recomputes them (it keeps only its
    input), and the rest (embeddings, loss, the layer replayed during backward)."""

    fixed: float
    kept: float
    recomputed: float
    other: float
    source: str = "formula"

    held: float = 0.0
    """Bytes one layer's weights take held dequantised (0: none are held)."""
    four_bit: bool = False
    """Whether the layers' weights are 4-bit (dequantised in every pass unless held)."""
    weights: float = 0.0
    """Of `fixed`, the model's own weights (the formula's; 0 once measured)."""

    def peak(self, layers: int, recompute: int, tokens: int, dequantised: int = 0) -> float:
        per_token = (layers - recompute) * self.kept + recompute * self.recomputed + self.other
        return self.fixed + dequantised * self.held + tokens * per_token


def formula_costs(model_config: Any, four_bit: bool, lora_params: int, fused_loss: bool, hold: bool = False,
                  dtype_bytes: int = 2) -> Costs:
    """Costs from the model's shape alone, calibrated on 8B QLoRA with Liger on an H200 (a kept
    layer held about 209 kB a token there: 2 bytes x (8 x hidden + 5 x intermediate)); `dtype_bytes`
    is the compute dtype's size (4 for fp32 on a CPU)."""
    h, inter = _shape(model_config)[:2]
    vocab = model_config.vocab_size
    kept = dtype_bytes * (8 * h + 5 * inter)
    recomputed = max(4, dtype_bytes) * h  # the layer's input, in fp32 where k-bit preparation upcasts
    logits = 0 if fused_loss else vocab * (4 + 4 + 2)  # fp32 logits, their gradient, the bf16 copy
    params = parameter_count(model_config)
    weights = params["layers"] * (0.55 if four_bit else dtype_bytes) + params["embeddings"] * dtype_bytes
    return Costs(fixed=weights + lora_params * (2 + 4 + 8) + 1.0 * GIB, kept=kept, recomputed=recomputed,
                 other=kept + 8 * h + logits,
                 held=dtype_bytes * params["layers"] / model_config.num_hidden_layers if four_bit and hold else 0.0,
                 four_bit=four_bit, weights=weights)


def _shape(model_config: Any) -> tuple[int, int, int, int]:
    """(hidden, intermediate, query width, key/value width) of a decoder layer."""
    h = model_config.hidden_size
    heads = model_config.num_attention_heads
    kv = getattr(model_config, "num_key_value_heads", heads) or heads
    head_dim = getattr(model_config, "head_dim", None) or h // heads
    return h, getattr(model_config, "intermediate_size", 4 * h) or 4 * h, heads * head_dim, kv * head_dim


def parameter_count(model_config: Any) -> dict[str, int]:
    """Parameters in the decoder layers (quantised with 4-bit) and in the embeddings and head (not)."""
    h, inter, q, kv = _shape(model_config)
    tied = getattr(model_config, "tie_word_embeddings", False)
    return {"layers": model_config.num_hidden_layers * (h * q * 2 + h * kv * 2 + 3 * h * inter),
            "embeddings": model_config.vocab_size * h * (1 if tied else 2)}


def lora_parameter_count(model_config: Any, rank: int, target: str) -> int:
    h, inter, q, kv = _shape(model_config)
    sizes = [(h, q), (h, kv), (h, kv), (q, h)]
    if target != "qkvo":
        sizes += [(h, inter), (h, inter), (inter, h)]
    return model_config.num_hidden_layers * sum(rank * (a + b) for a, b in sizes)


@dataclass
class Steps:
    """Tokens in the optimizer micro-steps of one process: typical (mean) and largest."""

    mean: float
    largest: int


def step_tokens(lengths: list[int], batch: int, processes: int = 1, seed: int = 0, epochs: int = 1) -> Steps:
    """The tokens of each micro-step in BalancedSampler's order (the same seed gives the same
    steps), every epoch's, as one process sees them."""
    from sftlint.train.sampler import BalancedSampler

    sampler = BalancedSampler(lengths, batch, processes, seed)
    sums = []
    for epoch in range(max(1, epochs)):
        sampler.set_epoch(epoch)
        order = list(sampler)
        sums += [sum(lengths[i] for i in order[s:s + batch]) for s in range(0, len(order), batch)]
    sums = sums or [0]
    return Steps(sum(sums) / len(sums), max(sums))


@dataclass
class MemoryPlan:
    mode: str                 # auto | low | budget
    budget: float | None      # bytes the run may hold (None: low, or a CPU)
    layers: int
    recompute: int            # decoder layers that recompute their activations (the first ones)
    pack_tokens: int
    fused_loss: bool
    peak: float               # estimated peak bytes
    costs: Costs
    why: list[str] = field(default_factory=list)
    measured: bool = False
    replanned: bool = False
    dequantised: int = 0      # decoder layers holding their 4-bit weights dequantised (the first ones)

    @property
    def checkpointing(self) -> bool:
        return self.recompute > 0

    def summary(self) -> str:
        budget = f"budget {self.budget / GIB:.1f} GiB" if self.budget else "no budget"
        held = f"{self.dequantised} hold their 4-bit weights dequantised, " if self.costs.held else ""
        return (f"memory plan ({self.mode}, {budget}): {self.recompute} of {self.layers} layers recompute their "
                f"activations, {held}at most {self.pack_tokens:,} tokens a pass, "
                f"{'fused chunked loss' if self.fused_loss else 'full logits'}; estimated peak {self.peak / GIB:.1f} "
                f"GiB ({self.costs.source} costs)")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["budget_gib"] = self.budget / GIB if self.budget else None
        out["peak_gib"] = self.peak / GIB
        return out


def _speed_cost(steps: Steps, layers: int, recompute: int, pack: int, dequantised: int = 0,
                four_bit: bool = True) -> float:
    """Estimated time of a typical micro-step, in tokens' worth of work."""
    passes = max(1, math.ceil(steps.mean / pack))
    fixed = max(0.0, PASS_OVERHEAD_TOKENS - DEQUANT_TOKENS * 2 * layers)  # what is not dequantising
    if four_bit:  # the first layers hold theirs dequantised; the others dequantise twice a pass, or three times
        fixed += DEQUANT_TOKENS * (2 * (layers - dequantised) + max(0, recompute - dequantised))
    return passes * fixed + steps.mean * (1 + RECOMPUTE_COST * recompute / max(1, layers))


def choose(mode: str, budget: float | None, layers: int, costs: Costs, steps: Steps, fused_loss: bool,
           pack_tokens: int | None = None, checkpointing: bool | None = None, grow: bool = True) -> MemoryPlan:
    """The plan: with a budget, the fastest (by `_speed_cost`) of those whose estimated peak fits in
    HEADROOM of it, choosing the tokens a pass, the layers that recompute and (with 4-bit weights)
    the layers that hold their weights dequantised; `low` recomputes every layer at LOW_PACK tokens a
    pass and holds nothing. A user's pack_tokens or checkpointing (True: every layer, False: none)
    is kept as given. Without `grow` (a CPU, where a pass has no fixed cost worth saving) passes
    stay at LOW_PACK."""
    largest = max(1, steps.largest)
    if pack_tokens or not grow:
        packs = [pack_tokens or LOW_PACK]
    else:  # from LOW_PACK up, doubling, to the first that holds the largest step
        packs = [LOW_PACK]
        while packs[-1] < largest:
            packs.append(packs[-1] * 2)
    choices = ([layers] if checkpointing else [0]) if checkpointing is not None else list(range(layers + 1))
    holds = list(range(layers + 1)) if costs.held else [0]
    why: list[str] = []
    if pack_tokens:
        why.append(f"{pack_tokens:,} tokens a pass, as --pack-tokens says")
    if checkpointing is not None:
        why.append(f"gradient checkpointing {'on' if checkpointing else 'off'}, as --gradient-checkpointing says")

    def peak(r: int, p: int, c: int) -> float:
        return costs.peak(layers, r, min(p, largest), c)

    def plan(recompute: int, pack: int, held: int, reason: str) -> MemoryPlan:
        return MemoryPlan(mode, budget, layers, recompute, pack, fused_loss, peak(recompute, pack, held), costs,
                          why + [reason], dequantised=held)

    if mode == "low" or budget is None:
        recompute = 0 if checkpointing is False else layers
        return plan(recompute, pack_tokens or LOW_PACK, 0, "low: every layer recomputes, the least memory"
                    if mode == "low" else "no budget known: every layer recomputes")
    fitting = [(r, p, c) for p in packs for r in choices for c in holds if peak(r, p, c) <= budget * HEADROOM]
    if not fitting:
        recompute, pack = max(choices), min(packs)
        return plan(recompute, pack, 0, f"even the most frugal plan is estimated at {peak(recompute, pack, 0) / GIB:.1f} "
                                        f"GiB, over {HEADROOM:.0%} of the budget: it runs, and may not fit")
    recompute, pack, held = min(fitting, key=lambda rpc: (_speed_cost(steps, layers, *rpc, four_bit=costs.four_bit),
                                                          peak(*rpc)))
    passes = max(1, math.ceil(steps.mean / pack))
    reason = (f"the fastest that fits {HEADROOM:.0%} of the budget: a typical step of {steps.mean:,.0f} tokens in "
              f"{passes} pass{'es' if passes > 1 else ''}, {recompute} of {layers} layers recomputed "
              f"(estimated {1 + RECOMPUTE_COST * recompute / max(1, layers):.2f}x the time of none)"
              + (f", {held} holding their weights dequantised ({held * costs.held / GIB:.1f} GiB)" if held else ""))
    return plan(recompute, pack, held, reason)


def device_budget(mode: str, budget: float | None) -> float | None:
    """Bytes a CUDA run may hold: `auto` is what is free now plus what this process already holds,
    less a margin; a stated budget is capped by the same; `low` has none."""
    if mode == "low":
        return None
    import torch

    from sftlint.train.model import local_rank

    device = local_rank()  # each data-parallel process plans for its own GPU
    free, total = torch.cuda.mem_get_info(device)
    usable = free + torch.cuda.memory_reserved(device) - max(AUTO_MARGIN[0], AUTO_MARGIN[1] * total)
    return usable if budget is None else min(budget, usable)


def host_budget(mode: str, budget: float | None) -> float | None:
    """Bytes a CPU run may hold: `auto` is half of the memory free now (the system keeps the rest)."""
    if mode == "low" or budget is not None:
        return budget
    import os

    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2
    except (ValueError, OSError, AttributeError):
        return None


def decoder_layers(model) -> list:
    """The model's decoder layers, each with its own checkpointing switch (transformers'
    GradientCheckpointingLayer); empty where transformers has none."""
    try:
        from transformers.modeling_layers import GradientCheckpointingLayer
    except ImportError:
        return []
    return [m for m in model.modules() if isinstance(m, GradientCheckpointingLayer)]


def measured_costs(held: int, peak: int, tokens: int, grown: list[int], lora_params: int,
                   held_per_layer: float = 0.0, four_bit: bool = False) -> Costs:
    """Costs from a pass in which every layer but the last recomputed: `grown` is what the allocator
    grew by across each layer's forward, `held` what it held before the pass (no layer holding its
    weights dequantised), `peak` its peak."""
    last = len(grown) - 1
    recomputing = sorted(grown[:last])
    kept = max(grown[last], 0) / tokens
    recomputed = max(recomputing[len(recomputing) // 2], 0) / tokens if recomputing else 0.0
    other = max(0.0, (peak - held) / tokens - kept - last * recomputed)
    # AdamW's two fp32 moments per adapter parameter arrive with the first optimizer step
    return Costs(held + 8 * lora_params, kept, recomputed, other, f"measured on the first pass ({tokens:,} tokens)",
                 held_per_layer, four_bit)


class Allocator(Protocol):
    """What the plan reads of the device's memory: `start` a pass (its peak counted from there), the
    bytes allocated now, the peak since `start`. CudaAllocator reads PyTorch's; tests give a fake."""

    def start(self) -> None: ...

    def allocated(self) -> int: ...

    def peak(self) -> int: ...


class CudaAllocator:
    def start(self) -> None:
        import torch

        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()

    def allocated(self) -> int:
        import torch

        return torch.cuda.memory_allocated()

    def peak(self) -> int:
        import torch

        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated()


def recompute_first(layers: list, count: int) -> None:
    """Checkpointing on the first `count` layers and off on the rest."""
    for i, layer in enumerate(layers):
        layer.gradient_checkpointing = i < count


def plan_run(model_config: Any, cfg: Any, cuda: bool, fused_loss: bool, lengths: list[int], processes: int,
             packed: bool = True) -> Planner:
    """The plan of a training run from its config (`memory`, `pack_tokens`, `gradient_checkpointing`),
    the model's shape and the examples' lengths, with formula costs (measured later on CUDA).
    Without `packed` (batches padded, in the Trainer's own order) a pass is taken to fill its limit."""
    mode, stated = parse_memory(cfg.memory)
    budget = device_budget(mode, stated) if cuda else host_budget(mode, stated)
    lora = lora_parameter_count(model_config, cfg.lora_r, cfg.target)
    steps = step_tokens(lengths, cfg.batch_size, processes, cfg.seed, math.ceil(cfg.epochs))
    if not packed:
        steps.largest = max(steps.largest, cfg.batch_size * max(lengths, default=1))
    from sftlint.models import compute_dtype

    size = 4 if compute_dtype("cuda" if cuda else "cpu", cfg.dtype) == "float32" else 2
    costs = formula_costs(model_config, bool(cfg.load_in_4bit), lora, fused_loss, hold=cuda, dtype_bytes=size)
    plan = choose(mode, budget, model_config.num_hidden_layers, costs, steps, fused_loss, cfg.pack_tokens,
                  cfg.gradient_checkpointing, grow=cuda)
    return Planner(plan, steps, lora, cfg.pack_tokens, cfg.gradient_checkpointing, cuda)


class Planner:
    """The plan of one run; on CUDA measured on its first pass and checked after its first steps."""

    CHECK_AFTER = 3
    """Optimizer steps into a measured plan after which its peak is compared with the budget."""

    def __init__(self, plan: MemoryPlan, steps: Steps, lora_params: int, pack_tokens: int | None,
                 checkpointing: bool | None, cuda: bool) -> None:
        self.plan, self.steps, self.lora_params, self.cuda = plan, steps, lora_params, cuda
        self.user = (pack_tokens, checkpointing)
        self.layers: list = []
        self.pending = False  # the first pass is still to be measured
        self._since = 0  # optimizer steps since the plan was last made
        self.history: list[dict[str, Any]] = [plan.to_dict()]

    @property
    def measures(self) -> bool:
        """Whether the first pass will be measured: on CUDA, with a budget, checkpointing left to the plan."""
        return self.cuda and self.plan.budget is not None and self.user[1] is None

    def attach(self, model) -> None:
        """Find the layers and set the plan on them (a plan still to be measured holds no weights
        dequantised before its first pass)."""
        layers = decoder_layers(model)
        if len(layers) != self.plan.layers:
            plan = self.plan
            if 0 < plan.recompute < plan.layers:
                plan.recompute = plan.layers
            plan.dequantised = 0
            plan.peak = plan.costs.peak(plan.layers, plan.recompute, min(plan.pack_tokens, max(1, self.steps.largest)))
            plan.why.append(f"{len(layers)} layers with their own checkpointing switch, not {self.plan.layers}: "
                                 "checkpointing stays on every layer or none, and no weights are held")
            self.history = [plan.to_dict()]
            return
        self.layers = layers
        if self.plan.costs.held:  # the exact bytes, not the formula's
            from sftlint.train.dequantised import layer_bytes

            self.plan.costs.held = layer_bytes(layers[0])
        self.pending = self.measures
        self._apply(hold=not self.pending)
        self.history = [self.plan.to_dict()]

    def _apply(self, hold: bool = True) -> None:
        from sftlint.train import dequantised

        recompute_first(self.layers, self.plan.recompute)
        for i, layer in enumerate(self.layers):
            if hold and i < self.plan.dequantised:
                dequantised.hold(layer)
            else:
                dequantised.release(layer)

    def measure(self, run_pass, tokens: int, allocator: Allocator | None = None):
        """Run the first pass frugally (every layer but the last recomputes, so one layer shows what
        keeping costs and the others what recomputing costs), reading the allocator at each layer,
        then make the plan from what it held."""
        gpu = allocator or CudaAllocator()
        self.pending = False
        last = len(self.layers) - 1
        recompute_first(self.layers, last)
        before: dict[int, int] = {}
        grown: dict[int, int] = {}

        # A hook that returns something replaces the layer's input or output: these return None.
        def enter(i):
            def hook(module, args) -> None:
                before.setdefault(i, gpu.allocated())
            return hook

        def leave(i):
            def hook(module, args, out) -> None:
                if i not in grown:  # the first time only: a layer replayed in backward is not the forward's cost
                    grown[i] = gpu.allocated() - before[i]
            return hook

        handles = [h for i, layer in enumerate(self.layers)
                   for h in (layer.register_forward_pre_hook(enter(i)), layer.register_forward_hook(leave(i)))]
        gpu.start()
        held = gpu.allocated()
        try:
            result = run_pass()
        except BaseException:
            self._apply()  # the plan's switches back, not the measuring ones
            raise
        finally:
            for h in handles:
                h.remove()
        peak = gpu.peak()
        if tokens and len(grown) == len(self.layers):
            self._replan(measured_costs(held, peak, tokens, [grown[i] for i in range(last + 1)], self.lora_params,
                                        self.plan.costs.held, self.plan.costs.four_bit), "measured")
        else:
            self._apply()
        return result

    def _replan(self, costs: Costs, what: str) -> None:
        old = self.plan
        new = choose(old.mode, old.budget, old.layers, costs, self.steps, old.fused_loss, *self.user, grow=self.cuda)
        new.measured, new.replanned = True, what == "checked"
        new.why.append(f"made again: {what}")
        self.plan, self._since = new, 0
        self._apply()
        self.history.append(new.to_dict())

    def step_done(self, allocator: Allocator | None = None) -> None:
        """After each optimizer step: once, CHECK_AFTER steps into the measured plan, a peak close
        to the budget makes it again with the per-token costs scaled by the surprise."""
        self._since += 1
        plan = self.plan
        if not self.cuda or plan.replanned or not plan.measured or plan.budget is None or self._since != self.CHECK_AFTER:
            return
        peak = (allocator or CudaAllocator()).peak()
        plan.why.append(f"peak after {self.CHECK_AFTER} steps {peak / GIB:.1f} GiB (estimated {plan.peak / GIB:.1f})")
        self.history[-1] = plan.to_dict()
        if peak <= CLOSE * plan.budget:
            return
        c = plan.costs
        base = c.fixed + plan.dequantised * c.held  # what does not grow with the tokens of a pass
        scale = max(1.0, (peak - base) / max(1.0, plan.peak - base))
        self._replan(Costs(c.fixed, c.kept * scale, c.recomputed * scale, c.other * scale,
                           f"{c.source}, scaled {scale:.2f}x to the peak seen", c.held, c.four_bit), "checked")
