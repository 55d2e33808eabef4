"""A real (short) fine-tune of SmolLM2-135M-Instruct on CPU: eval loss falls, plain peft reloads the
adapter, and the adapter changes what the model generates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_short_cpu_run_lowers_eval_loss_and_the_adapter_reloads(exported, smollm2_model_dir, tmp_path):
    import torch
    from peft import PeftModel

    from sftlint.train.config import TrainConfig
    from sftlint.train.model import load_model, load_tokenizer

    adapter = tmp_path / "adapter"
    result = run_cli("train", str(exported / "train.jsonl"), "--eval", str(exported / "test.jsonl"),
                     "--model", str(smollm2_model_dir), "--max-length", "256", "--max-steps", "10", "--lr", "1e-3", "--batch-size", "4",
                     "-o", str(adapter))
    assert result.exit_code == 0, result.output + str(result.exception)
    report = json.loads((adapter / "training_report.json").read_text())
    assert report["eval_loss_after"] < report["eval_loss_before"]
    assert report["steps"] == 10 and not report["four_bit"] and report["device"] == "cpu"
    assert report["tokens_per_second"]["real"] > report["tokens_per_second"]["supervised"] > 0
    assert [x["step"] for x in report["train_loss"]] == list(range(1, 11))
    for name in ("adapter_model.safetensors", "adapter_config.json", "tokenizer.json", "loss_curve.png"):
        assert (adapter / name).exists(), name
    assert "im_start" in (adapter / "chat_template.jinja").read_text()
    events = [json.loads(x) for x in (adapter / "progress.jsonl").read_text().splitlines()]
    assert events[-1]["event"] == "done" and sum(e["event"] == "step" for e in events) == 10

    tok = load_tokenizer(str(adapter))
    base = load_model(TrainConfig(model=str(smollm2_model_dir), data=Path("."), load_in_4bit=False), cuda=False)
    prompt = tok.apply_chat_template([{"role": "user", "content": "Do you repair cargo bikes?"}],
                                     add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        plain = base.generate(**prompt, max_new_tokens=24, do_sample=False)
    tuned = PeftModel.from_pretrained(base, str(adapter))
    with torch.no_grad():
        changed = tuned.generate(**prompt, max_new_tokens=24, do_sample=False)
    assert plain[0].tolist() != changed[0].tolist()


def test_dry_run_shows_masks_counts_and_steps(exported, smollm2_gguf):
    result = run_cli("train", str(exported / "train.jsonl"), "--model", str(smollm2_gguf), "--dry-run",
                     "--max-length", "128", "--show", "1", "--memory", "low")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "trained tokens" in out and "optimizer steps" in out and "estimated peak memory" in out
    assert "would be cut" in out  # 128 tokens is shorter than some examples
    assert "memory plan (low, no budget): 30 of 30 layers recompute their activations, at most 8,192 tokens" in out


def test_examples_with_nothing_to_train_are_left_out_with_one_warning_or_stop_with_strict(smollm2_gguf, tmp_path):
    good = {"messages": [{"role": "user", "content": "Do you fix brakes?"},
                         {"role": "assistant", "content": "Yes, brake service costs 25 euros."}]}
    empty = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x", "weight": 0}]}
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in (good, empty, good, empty)))
    dry = run_cli("train", str(data), "--model", str(smollm2_gguf), "--dry-run", "--show", "0")
    assert dry.exit_code == 0, dry.output
    assert f"{data}: left out 2 of 4 examples: no assistant turn with weight 1 and content (lines 2, 4)" in dry.output
    strict = run_cli("train", str(data), "--model", str(smollm2_gguf), "--strict", "-o", str(tmp_path / "a"))
    assert strict.exit_code == 2
    assert f"{data}: cannot train: no assistant turn with weight 1 and content (lines 2, 4)" in strict.stderr
    events = [json.loads(x)["event"] for x in (tmp_path / "a" / "progress.jsonl").read_text().splitlines()]
    assert "load" not in events  # stopped before the model loaded
    data.write_text(json.dumps(empty) + "\n")
    nothing = run_cli("train", str(data), "--model", str(smollm2_gguf), "-o", str(tmp_path / "b"))
    assert nothing.exit_code == 2 and f"{data}: no example has anything to train on" in nothing.stderr


def test_missing_inputs_fail_at_once_naming_the_option(smollm2_gguf, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text("{}\n")
    for args, message in (((str(tmp_path / "nope.jsonl"), "--model", str(smollm2_gguf)), "nope.jsonl: no such file (data)"),
                          ((str(data), "--model", str(smollm2_gguf), "--eval", str(tmp_path / "t.jsonl")),
                           "t.jsonl: no such file (--eval)"),
                          ((str(data), "--model", str(tmp_path / "m.gguf")), "m.gguf: no such model file or folder")):
        result = run_cli("train", *args, "-o", str(tmp_path / "a"))
        assert result.exit_code == 2 and message in result.stderr, result.output


def test_resume_continues_from_the_last_checkpoint_and_merge_matches_the_adapter(exported, smollm2_model_dir, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from sftlint.train.config import TrainConfig
    from sftlint.train.model import load_model, load_tokenizer

    adapter = tmp_path / "adapter"
    common = ["train", str(exported / "train.jsonl"), "--model", str(smollm2_model_dir), "--max-length", "128",
              "--lr", "1e-3", "--batch-size", "4", "-o", str(adapter)]
    first = run_cli(*common, "--max-steps", "4")
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in (adapter / "checkpoints").iterdir() if p.name.startswith("checkpoint-"))
    resumed = run_cli(*common, "--max-steps", "6", "--resume", "--merge")
    assert resumed.exit_code == 0, resumed.output + str(resumed.exception)
    report = json.loads((adapter / "training_report.json").read_text())
    assert report["steps"] == 6
    assert [x["step"] for x in report["train_loss"]] == [5, 6]  # continued, not restarted
    # each run logs afresh; the previous run's log is kept beside it
    steps = [[json.loads(x)["step"] for x in (adapter / name).read_text().splitlines() if '"step"' in x and
              json.loads(x)["event"] == "step"] for name in ("progress.jsonl", "progress.jsonl.prev")]
    assert steps == [[5, 6], [1, 2, 3, 4]]

    merged_dir = adapter / "merged"
    assert (merged_dir / "config.json").exists()
    tok = load_tokenizer(str(adapter))
    merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.bfloat16)
    assert merged.dtype == torch.bfloat16
    base = load_model(TrainConfig(model=str(smollm2_model_dir), data=Path("."), load_in_4bit=False), cuda=False)
    tuned = PeftModel.from_pretrained(base, str(adapter))
    # The merge rounds W + BA to bf16 once, so compare next-token distributions, not long greedy runs.
    for question in ("Do you sell helmets?", "How do I fix a flat tyre?", "What are your opening hours?"):
        prompt = tok.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True,
                                         return_tensors="pt", return_dict=True)
        with torch.no_grad():
            a = merged(**prompt).logits[0, -1].float()
            b = tuned(**prompt).logits[0, -1].float()
        assert int(a.argmax()) == int(b.argmax())
        assert torch.nn.functional.cosine_similarity(a, b, dim=0) > 0.999


def test_train_settings_come_from_the_config_file_and_flags_win(exported, smollm2_gguf):
    (exported / "sftlint.toml").write_text(f'[train]\nmodel = "{smollm2_gguf}"\nbatch-size = 2\ngrad-accum = 3\n')
    try:
        from_file = run_cli("train", str(exported / "train.jsonl"), "--dry-run", "--show", "0")
        assert from_file.exit_code == 0, from_file.output
        assert "batch 2 x accumulation 3" in from_file.output
        flagged = run_cli("train", str(exported / "train.jsonl"), "--dry-run", "--show", "0", "--batch-size", "5")
        assert "batch 5 x accumulation 3" in flagged.output
    finally:
        (exported / "sftlint.toml").unlink()


def test_invalid_train_setting_exits_2_naming_the_key(tmp_path):
    (tmp_path / "sftlint.toml").write_text('[train]\nlora-r = "big"\n')
    (tmp_path / "d.jsonl").write_text("{}\n")
    result = run_cli("train", str(tmp_path / "d.jsonl"), "--model", "x")
    assert result.exit_code == 2 and "train: lora-r: expected int" in result.stderr


def test_gpus_2_runs_two_data_parallel_processes_through_accelerate(exported, smollm2_model_dir, tmp_path):
    """`--gpus 2` is `accelerate launch --multi_gpu --num_processes 2`; without CUDA the two
    processes run data-parallel on the CPU (gloo), which is how CI covers the multi-GPU path."""
    import subprocess
    import sys

    adapter = tmp_path / "adapter"
    done = subprocess.run([sys.executable, "-m", "sftlint", "train", str(exported / "train.jsonl"), "--eval",
                           str(exported / "test.jsonl"), "--model", str(smollm2_model_dir), "--max-length", "128",
                           "--max-steps", "3", "--batch-size", "2", "--lr", "1e-3", "--gpus", "2", "-o", str(adapter)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((adapter / "training_report.json").read_text())
    assert report["processes"] == 2 and report["parallel_mode"] == "distributed" and report["steps"] == 3
    assert report["eval_loss_after"] < report["eval_loss_before"]
    events = [json.loads(x) for x in (adapter / "progress.jsonl").read_text().splitlines()]
    assert [e["step"] for e in events if e["event"] == "step"] == [1, 2, 3]  # one log, not one per process
    assert done.stdout.count("adapter in") == 1
    assert (adapter / "adapter_model.safetensors").exists()
