"""Padding and quality rules (P, Q) on real data, rule packs (user packs, glossary), dataset-level checks."""

from __future__ import annotations

import re

import orjson
import pytest

from conftest import run_cli
from rule_cases import SYS, conv, jl


def lint_json(*args, cwd=None) -> dict:
    result = run_cli("lint", *args, "--output-format", "json", "--exit-zero", cwd=cwd)
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def codes_by_line(doc: dict) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for f in doc["findings"]:
        out.setdefault(f["line"], set()).add(f["code"])
    return out


def test_the_cookbooks_banana_answer_is_padding(realdata):
    doc = lint_json(str(realdata / "openai-cookbook" / "toy_chat_fine_tuning.jsonl"), "--select", "P", "--preview")
    flagged = {f["line"] for f in doc["findings"]}
    assert len(flagged) == 1
    assert {f["code"] for f in doc["findings"]} >= {"P002", "P003"}


def test_rambling_davinci_flagged_far_more_often_than_text_davinci_003(realdata):
    rates = {}
    for model in ("davinci", "text-davinci-003"):
        doc = lint_json(str(realdata / "self-instruct" / "predictions" / f"{model}_predictions.jsonl"),
                        "--select", "P001,P002,P003,P004")
        rates[model] = len({f["line"] for f in doc["findings"]}) / 252
    assert rates["davinci"] > 0.9 and rates["text-davinci-003"] < 0.1


def test_gamed_answers_cut_to_ten_characters_are_truncated(realdata):
    doc = lint_json(str(realdata / "alpaca-eval" / "gpt4_gamed" / "model_outputs.json"), "--select", "Q002")
    flagged = {f["line"] for f in doc["findings"]}  # records, each counted once
    assert len(flagged) >= 640  # of 805; 768 answers are exactly 10 characters long


def test_dolly_eos_marker_and_identity_placeholders(realdata):
    dolly = lint_json(str(realdata / "dolly-sample" / "dolly.jsonl"), "--select", "Q003")
    eos = [f for f in dolly["findings"] if "eos_token" in f["message"]]
    assert len({f["line"] for f in eos}) == 151  # every answer ends with the marker
    identity = lint_json(str(realdata / "llama-factory" / "identity.json"), "--select", "Q004")
    # every {{name}} and {{author}}: one finding per message, with the count of the others
    counted = sum(1 + int(m.group(1)) if (m := re.search(r"\(and (\d+) more in this message\)", f["message"])) else 1
                  for f in identity["findings"])
    assert counted == 137 and len(identity["findings"]) == 85
    assert all(f["span"] and f["message_index"] is not None for f in identity["findings"])


def test_secrets_and_personal_data_are_masked_in_every_output(tmp_path):
    key = "sk-proj-4f9TqZ2xLmN8vB3kR7yW1cD5eH6jP0sA"
    (tmp_path / "a.jsonl").write_bytes(jl(conv(SYS, ("user", "My key?"), ("assistant", f"It is {key}, and mail "
                                                                                        "jan.jansen@gmail.com."))))
    for fmt in ("text", "json", "sarif", "github"):
        out = run_cli("lint", "a.jsonl", "--select", "Q006,Q007", "--output-format", fmt, cwd=tmp_path).stdout
        assert key not in out and "jan.jansen@gmail.com" not in out and "Q007" in out


def test_user_pack_with_glossary_and_a_new_code(tmp_path):
    (tmp_path / "house.toml").write_text('''
[pack]
name = "house"

[[glossary]]
code = "G001"
preferred = "e-bike"
forbidden = ["ebike", "electric bicycle"]
summary = "Use the house term for electric bikes"

[[rule]]
code = "H001"
summary = "Competitor named in an answer"
severity = "error"
roles = ["assistant"]
patterns = ["Fietsenwinkel Jansen"]
''')
    (tmp_path / "sftlint.toml").write_text('extend-packs = ["house.toml"]\n')
    (tmp_path / "a.jsonl").write_bytes(jl(
        conv(SYS, ("user", "Do you sell ebikes?"), ("assistant", "Yes, we sell every ebike brand.")),
        conv(SYS, ("user", "Who else repairs bikes?"), ("assistant", "Try Fietsenwinkel Jansen next door.")),
        conv(SYS, ("user", "Do you sell e-bikes?"), ("assistant", "Yes, we sell every e-bike brand."))))
    doc = lint_json("a.jsonl", "--select", "G001,H001", cwd=tmp_path)
    found = {(f["code"], f["line"]): f for f in doc["findings"]}
    assert set(found) == {("G001", 1), ("H001", 2)}  # the user's turn is not checked by the glossary
    assert "use 'e-bike', not 'ebike'" in found[("G001", 1)]["message"]
    assert found[("H001", 2)]["severity"] == "error" and found[("G001", 1)]["span"] == [19, 24]


def test_invalid_pack_exits_2_naming_file_and_key(tmp_path):
    (tmp_path / "bad.toml").write_text('[[rule]]\ncode = "H001"\nsummary = "x"\npatterns = ["(unclosed"]\nregex = true\n')
    (tmp_path / "sftlint.toml").write_text('extend-packs = ["bad.toml"]\n')
    (tmp_path / "a.jsonl").write_bytes(jl(conv(SYS, ("user", "Hi"), ("assistant", "Hello."))))
    result = run_cli("lint", "a.jsonl", cwd=tmp_path)
    assert result.exit_code == 2
    assert "bad.toml: rule[0].patterns[0]: invalid regular expression" in result.stderr
    assert f"{tmp_path / 'sftlint.toml'}: extend-packs:" in result.stderr  # where it was asked for, not "command line"
    (tmp_path / "bad.toml").write_text('[[glossary]]\ncode = "G1"\npreferred = "e-bike"\nforbidden = ["ebike"]\n')
    result = run_cli("lint", "a.jsonl", cwd=tmp_path)
    assert result.exit_code == 2 and "bad.toml: glossary[0].code" in result.stderr


def test_templated_prompts_found_in_the_fastchat_identity_data(realdata):
    doc = lint_json(str(realdata / "fastchat" / "dummy_conversation.json"), "--select", "Q010")
    assert len({f["example_id"] for f in doc["findings"]}) > 300
    assert "template shared by" in doc["findings"][0]["message"]


def test_ten_percent_in_another_format_are_style_outliers_and_the_rest_is_not(tmp_path):
    plain = [conv(SYS, ("user", f"What does service {i} cost?"),
                  ("assistant", f"Service {i} costs {20 + i} euros and takes about {i % 3 + 1} hours.")) for i in range(90)]
    markdown = [conv(SYS, ("user", f"What does package {i} include?"),
                     ("assistant", f"## Package {i}\n\n- **wash**\n- new pads\n- gears checked")) for i in range(10)]
    (tmp_path / "a.jsonl").write_bytes(jl(*plain, *markdown))
    doc = lint_json("a.jsonl", "--select", "Q009", cwd=tmp_path)
    assert {f["line"] for f in doc["findings"]} == set(range(91, 101))
    assert "90% of answers use no Markdown" in doc["findings"][0]["message"]


# Model tells beyond English: the phrasings chat models translate their boilerplate into (and the
# machine-translated ShareGPT sets carry), each with a sentence about AI that is not a tell.
TELLS = {
    "zh": ("作为一个AI语言模型，我无法提供医疗建议，但是可以告诉你一些常见的方法。",
           "我的知识截止于2021年9月，因此无法提供最新的数据。",
           "人工智能语言模型正在改变教育行业，许多学校开始使用它们。"),
    "ja": ("AI言語モデルとして、個人的な意見は持っていませんが、一般的な情報をお伝えします。",
           "私の知識は2021年までのものです。",
           "言語モデルの研究は近年急速に進んでいます。"),
    "ko": ("AI 언어 모델로서 저는 개인적인 의견을 가지고 있지 않습니다.",
           "제 지식은 2021년까지입니다.",
           "인공지능 언어 모델은 번역에 널리 쓰입니다."),
    "es": ("Como modelo de lenguaje de IA, no tengo opiniones personales, pero puedo ayudarte.",
           "Hasta mi última actualización, el precio era de 20 euros.",
           "Un modelo de lenguaje predice la siguiente palabra de un texto."),
    "fr": ("En tant que modèle de langage, je ne peux pas avoir d'opinions personnelles.",
           "Jusqu'à ma dernière mise à jour, la loi n'avait pas changé.",
           "Un modèle de langage apprend la probabilité des mots."),
    "de": ("Als KI-Sprachmodell habe ich keine persönlichen Meinungen.",
           "Mein Wissensstand reicht bis September 2021.",
           "Ein Sprachmodell sagt das nächste Wort voraus."),
    "pt": ("Como um modelo de linguagem, não tenho opiniões pessoais.",
           "Minha data de corte é setembro de 2021.",
           "Um modelo de linguagem aprende com muitos textos."),
    "ru": ("Как языковая модель, я не могу испытывать эмоции.",
           "Мои знания ограничены сентябрём 2021 года.",
           "Языковая модель предсказывает следующее слово."),
    "it": ("Come modello linguistico, non ho opinioni personali.",
           "Al mio ultimo aggiornamento, la legge era in vigore.",
           "Un modello linguistico impara dai testi."),
    "tr": ("Bir yapay zeka dil modeli olarak kişisel görüşlerim yok.",
           "Bilgi kesim tarihim Eylül 2021.",
           "Bir dil modeli metindeki bir sonraki kelimeyi tahmin eder."),
}


@pytest.mark.parametrize("lang", sorted(TELLS))
def test_model_tells_in_other_languages(lang, tmp_path):
    identity, cutoff, essay = TELLS[lang]
    records = [conv(("user", "?" * 3), ("assistant", text)) for text in (identity, cutoff, essay)]
    (tmp_path / "a.jsonl").write_bytes(jl(*records))
    doc = lint_json("a.jsonl", "--select", "B001,B003", cwd=tmp_path)
    assert {(f["code"], f["line"]) for f in doc["findings"]} == {("B001", 1), ("B003", 2)}
