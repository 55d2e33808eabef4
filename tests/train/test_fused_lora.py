"""Fused LoRA layers (train/fused_lora.py): the same outputs and gradients as peft's own layers.

On the CPU these run with an nn.Linear base and with a bitsandbytes 4-bit base; the GPU run of the
same comparison is benchmarks/dequant_cost.py's and the training benchmark's.
"""

from __future__ import annotations

import pytest

from sftlint.train import fused_lora


def _tiny(dtype="float32"):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                         num_attention_heads=4, num_key_value_heads=2, vocab_size=256))
    return model.to(getattr(torch, dtype))


def _peft(model, dropout: float, **extra):
    import torch
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=dropout,
                                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], **extra))
    with torch.no_grad():  # B starts at zero in peft: give it values so the adapter's path counts
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.05)
    return model.train()


def _step(model, seed: int = 1):
    import torch

    torch.manual_seed(seed)
    ids = (torch.arange(40).view(1, 40) * 7) % 250 + 3
    model.zero_grad(set_to_none=True)
    out = model(input_ids=ids, labels=ids)
    out.loss.backward()
    return out.logits.detach(), {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}


def test_fused_layers_match_peft_outputs_and_gradients():
    import torch

    model = _peft(_tiny(), dropout=0.0)
    logits, grads = _step(model)
    assert fused_lora.fuse(model) == 8  # q, k, v, o of two layers
    fused_logits, fused_grads = _step(model)
    assert torch.allclose(fused_logits, logits, atol=1e-5)
    assert grads.keys() == fused_grads.keys() and len(grads) == 16
    for name in grads:
        assert torch.allclose(fused_grads[name], grads[name], atol=1e-6, rtol=1e-4), name


def test_the_fused_backward_is_the_derivative_with_dropout():
    """gradcheck in float64: every gradient (input, A, B) against finite differences, dropout on
    (the same mask each evaluation: the seed is set before each)."""
    import torch

    torch.manual_seed(0)
    base = torch.nn.Linear(6, 5, bias=True).double()
    function = fused_lora._lora_function()
    x = torch.randn(2, 3, 6, dtype=torch.float64, requires_grad=True)
    a = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
    b = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)

    def seeded(x, a, b):
        torch.manual_seed(7)
        return function.apply(x, a, b, base, 1.5, 0.3)

    assert torch.autograd.gradcheck(seeded, (x, a, b))
    # and dropout really dropped something: without it the output differs
    assert not torch.allclose(seeded(x, a, b), function.apply(x, a, b, base, 1.5, 0.0))


def test_fused_layers_over_a_4bit_base_match_peft():
    import torch

    bnb = pytest.importorskip("bitsandbytes")
    model = _tiny()
    for layer in model.model.layers:  # the four projections in 4 bits, as QLoRA loads them
        attn = layer.self_attn
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            plain = getattr(attn, name)
            four = bnb.nn.Linear4bit(plain.in_features, plain.out_features, bias=False, compute_dtype=torch.float32,
                                     quant_type="nf4")
            four.weight = bnb.nn.Params4bit(plain.weight.data.clone(), requires_grad=False, quant_type="nf4")
            setattr(attn, name, four.to("cpu"))
    model = _peft(model, dropout=0.0)
    logits, grads = _step(model)
    fused_lora.fuse(model)
    fused_logits, fused_grads = _step(model)
    assert torch.allclose(fused_logits, logits, atol=1e-4)
    for name in grads:
        assert torch.allclose(fused_grads[name], grads[name], atol=1e-5, rtol=1e-3), name


def test_layers_that_cannot_be_fused_keep_peft_forward():
    model = _peft(_tiny(), dropout=0.0, use_dora=True)
    layer = model.base_model.model.model.layers[0].self_attn.q_proj
    assert fused_lora.fusable(layer) == "a LoRA variant (DoRA, ...)"
    assert fused_lora.fuse(model) == 0


def test_with_the_adapter_disabled_a_fused_layer_is_the_base_alone():
    import torch

    model = _peft(_tiny(), dropout=0.0)
    fused_lora.fuse(model)
    ids = torch.arange(3, 23).view(1, 20)
    with torch.no_grad(), model.disable_adapter():
        off = model(input_ids=ids).logits
    with torch.no_grad():
        on = model(input_ids=ids).logits
        base = model.get_base_model()
    assert not torch.allclose(on, off)
    with torch.no_grad():
        for module in base.modules():
            if hasattr(module, "lora_B"):
                module.lora_B["default"].weight.zero_()
        assert torch.allclose(model(input_ids=ids).logits, off, atol=1e-6)
