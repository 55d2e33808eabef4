"""Fetch the real-data corpus the tests and benchmarks read, from its public sources.

CI and the development machines have it beside the project, as ../shared/realdata; a plain clone
does not. This script downloads every file from the public GitHub repository it came from, at the
commit pinned in SOURCES.md there, checks each one's git blob hash (the SHA-1 git itself uses, so
a file is exactly the blob at that commit), and stores it in `.realdata/` (or --dest), where the
tests look when ../shared/realdata is absent. Three files are the first part of a longer file,
cut at a record boundary: the script cuts them the same way and checks the result's hash.

    python scripts/fetch_realdata.py                 # about 44 MB into .realdata/
    python scripts/fetch_realdata.py --dest DIR
    python scripts/fetch_realdata.py --mirror URL    # a mirror laid out as URL/{repo}/{commit}/{path}
    python scripts/fetch_realdata.py --only 'gsm8k/*'

Files already present with the right hash are kept. Exit code 1 if any file could not be fetched
or did not match (it is then not written), 0 otherwise.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

RAW = "https://raw.githubusercontent.com"
DEFAULT_DEST = Path(__file__).resolve().parents[1] / ".realdata"


def locate() -> Path | None:
    """Where the corpus is, for the tests and benchmarks: $SFTLINT_REALDATA, else ../shared/realdata
    (CI and the development machines), else .realdata/ (this script's default); None if nowhere."""
    root = Path(__file__).resolve().parents[1]
    for candidate in (os.environ.get("SFTLINT_REALDATA"), root.parent / "shared" / "realdata", DEFAULT_DEST):
        if candidate and (Path(candidate) / "gsm8k").is_dir():
            return Path(candidate)
    return None


def require() -> Path:
    """The corpus, or exit with how to get it (for the benchmarks)."""
    found = locate()
    if found is None:
        sys.exit("this needs the real-data corpus: run `python scripts/fetch_realdata.py` (or set SFTLINT_REALDATA)")
    return found


@dataclass(frozen=True)
class Source:
    local: str
    """Path under the corpus folder."""
    repo: str
    commit: str
    path: str
    """Path in the repository."""
    blob: str
    """git blob SHA-1 of the stored file (after the cut, for a cut file)."""
    first: int | None = None
    """Keep only the first N records (JSON Lines: lines; a JSON array: its first N elements)."""


REPOS = {  # repository -> the commit its files are read at (SOURCES.md)
    "alpaca-eval": ("tatsu-lab/alpaca_eval", "cd543a149df89434d8a54582c0151c0b945c3d20"),
    "axolotl": ("axolotl-ai-cloud/axolotl", "067b021c8b87a9e5e380b9173c704cf7340e30f5"),
    "bitext": ("DarshakDesai25/Fine-Tuning-a-LLM-Assignment", "c7d100e0a8c2cd495f30d5a6874b26c3619ff3ca"),
    "codealpaca": ("sahil280114/codealpaca", "2f78ddc5c682ed6738ad092bbbfa59ba915afcb0"),
    "cookbook": ("eunseo-com/openai-cookbook", "550f6dd815f83da5cdf449b29b610af977d42144"),
    "detector-bias": ("Weixin-Liang/ChatGPT-Detector-Bias", "1d05ed8242d4694a0ed7b73a79c52be8864470f9"),
    "dolly": ("ANTI-Tony/triforce-reproduce", "ab023608973128b0dd3d170bf3af1b01d953d6bc"),
    "factory": ("hiyouga/LLaMA-Factory", "ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30"),
    "factory-lima": ("hiyouga/LLaMA-Factory", "d18e5c17ddc751d7755aafaab58a6f4446c85525"),
    "fast-detect": ("baoguangsheng/fast-detect-gpt", "971b05202bac2bb504d60c0ac0812fea7a8f7c82"),
    "fastchat": ("lm-sys/FastChat", "0e6d3e4beaab66f4d3f93db72541a4abab8af28d"),
    "firefly": ("yangjianxin1/Firefly", "e22b406ee440fda0b18a073c6325853de17741cb"),
    "functiongemma": ("Andhs-eff/functiongemma-finetuning-lora", "ca1795ba7afdfe95319fd465e18b05fe468d02a2"),
    "gpteacher": ("teknium1/GPTeacher", "481075123c29854bddb82655badeef6a438f2436"),
    "gsm8k": ("openai/grade-school-math", "3101c7d5072418e28b9008a6636bde82a006892c"),
    "gutenberg": ("clocasto/HaikuGenerator", "936af28fdf47e9a50abf52183a04959df01daf17"),
    "hc3-plus": ("suu990901/chatgpt-comparison-detection-HC3-Plus", "6ce4b6aedd5a209b90d8ee26b29bdba2c0909f8e"),
    "medicalgpt-sft": ("shibing624/MedicalGPT", "2f1008cfa49cbba69ff6f138c3b5e2fb0646bdc7"),
    "medicalgpt-numina": ("shibing624/MedicalGPT", "4ab478f7921854378e8c409ee7336c3f5f6f53ff"),
    "open-assistant": ("LAION-AI/Open-Assistant", "f1e6ed9526f5817531f3ab85441a40b3671ddccb"),
    "self-instruct": ("yizhongw/self-instruct", "0b26ccaa415992100fa32df62d41b994cf928e23"),
    "stanford-alpaca": ("tatsu-lab/stanford_alpaca", "761dc5bfbdeeffa89b8bff5d038781a4055f796a"),
}
JUDGE = "fastchat/llm_judge/data"
OA = "model/model_eval/manual"
DETECTOR_SETS = (("GPT_Data", "CS224N_gpt3PromptEng_145"), ("GPT_Data", "CS224N_gpt3_145"),
                 ("GPT_Data", "CollegeEssay_gpt3PromptEng_31"), ("GPT_Data", "CollegeEssay_gpt3_31"),
                 ("Human_Data", "CS224N_real_145"), ("Human_Data", "CollegeEssay_real_70"),
                 ("Human_Data", "HewlettStudentEssay_GPTsimplify_88"), ("Human_Data", "HewlettStudentEssay_real_88"),
                 ("Human_Data", "TOEFL_gpt4polished_91"), ("Human_Data", "TOEFL_real_91"))

# (stored path, repository key, path in the repository[, records kept])
PLACES: list[tuple] = [
    *((f"alpaca-eval/{m}/model_outputs.json", "alpaca-eval", f"results/{m}/model_outputs.json") for m in (
        "NullModel", "alpaca-7b", "gpt-3.5-turbo-1106_concise", "gpt-3.5-turbo-1106_verbose", "gpt4_gamed",
        "text_davinci_003")),
    *((f"axolotl/{n}", "axolotl", f"tests/fixtures/{n}") for n in ("conversation.json", "conversation.missingturns.json")),
    ("bitext-cs/test.jsonl", "bitext", "cs-response-finetune/data_bitext/test.jsonl"),
    ("codealpaca/code_alpaca_2k.first1000.json", "codealpaca", "data/code_alpaca_2k.json", 1000),
    ("dolly-sample/dolly.jsonl", "dolly", "data/dolly.jsonl"),
    *((f"fast-detect-gpt/{n}.raw_data.json", "fast-detect", f"exp_gpt3to4/data/{n}.raw_data.json") for n in (
        "pubmed_davinci", "pubmed_gpt-3.5-turbo", "pubmed_gpt-4", "writing_davinci", "writing_gpt-3.5-turbo",
        "writing_gpt-4")),
    ("fastchat/dummy_conversation.json", "fastchat", "data/dummy_conversation.json"),
    *((f"fastchat/{n}", "fastchat", f"{JUDGE}/{n}") for n in (
        "mt_bench/question.jsonl", "mt_bench/reference_answer/gpt-4.jsonl", "vicuna_bench/question.jsonl",
        "vicuna_bench/reference_answer/gpt-4.jsonl")),
    ("firefly/dummy_data.jsonl", "firefly", "data/dummy_data.jsonl"),
    ("functiongemma/train.jsonl", "functiongemma", "data/train.jsonl"),
    *((f"gpt-detector-bias/{kind}/{name}/{f}.json", "detector-bias", f"Data_and_Results/{kind}/{name}/{f}.json")
      for kind, name in DETECTOR_SETS for f in ("data", "name")),
    *((f"gpteacher/Toolformer/toolformer-{level}-dataset.json", "gpteacher", f"Toolformer/toolformer-{level}-dataset.json")
      for level in ("dedupe-only", "similarity-0.6", "similarity-0.7", "similarity-0.8", "similarity-0.9")),
    *((f"gsm8k/{n}", "gsm8k", f"grade_school_math/data/{n}") for n in ("example_model_solutions.jsonl", "test.jsonl")),
    *((f"gutenberg/{n}", "gutenberg", n) for n in ("pg11.txt", "pg1661.txt")),
    ("hc3-plus/val_hc3_si.jsonl", "hc3-plus", "data/en/val_hc3_si.jsonl"),
    *((f"llama-factory/{n}", "factory", f"data/{n}") for n in (
        "alpaca_en_demo.json", "glaive_toolcall_en_demo.json", "identity.json", "v1_sft_demo.jsonl")),
    ("llama-factory/lima.json", "factory-lima", "data/lima.json"),
    ("medicalgpt/numina_cot_sharegpt_data_1k.first500.jsonl", "medicalgpt-numina",
     "data/finetune/numina_cot_sharegpt_data_1k.jsonl", 500),
    ("medicalgpt/sharegpt_zh_1K_format.first500.jsonl", "medicalgpt-sft", "data/sft/sharegpt_zh_1K_format.jsonl", 500),
    ("open-assistant/2023-03-01_theblackcat102_pythia-12b-deduped-sft_sampling.json", "open-assistant",
     f"{OA}/sampling_reports/2023-03-01_theblackcat102_pythia-12b-deduped-sft_sampling.json"),
    *((f"open-assistant/{n}", "open-assistant", f"{OA}/data/{n}") for n in ("en_100_message.jsonl", "en_100_text.jsonl")),
    *((f"openai-cookbook/{n}", "cookbook", f"examples/data/{n}") for n in (
        "drone_training.jsonl", "toy_chat_fine_tuning.jsonl")),
    *((f"self-instruct/predictions/{m}_predictions.jsonl", "self-instruct", f"human_eval/predictions/{m}_predictions.jsonl")
      for m in ("davinci-self-instruct-and-superni-ft", "davinci-self-instruct", "davinci-superni-ft", "davinci-t0-ft",
                "davinci", "text-davinci-001", "text-davinci-002", "text-davinci-003")),
    ("self-instruct/user_oriented_instructions.jsonl", "self-instruct", "human_eval/user_oriented_instructions.jsonl"),
    ("stanford-alpaca/seed_tasks.jsonl", "stanford-alpaca", "seed_tasks.jsonl"),
]

BLOBS = {  # git blob SHA-1 of each stored file (after the cut, for a cut file)
    "alpaca-eval/NullModel/model_outputs.json": "a85d8e29045853e1fe262a7fa4d5ce6238335e8d",
    "alpaca-eval/alpaca-7b/model_outputs.json": "d2215d7435178ad085c79086991f6a30286cc25b",
    "alpaca-eval/gpt-3.5-turbo-1106_concise/model_outputs.json": "c4770a05c16fa02db7996f29ba1eadb7965cc428",
    "alpaca-eval/gpt-3.5-turbo-1106_verbose/model_outputs.json": "fc5295168febcaa0e176536c185770bb6126c1bd",
    "alpaca-eval/gpt4_gamed/model_outputs.json": "2bf2c6f47ae3c2d54d78cc90afd8cc307b950a19",
    "alpaca-eval/text_davinci_003/model_outputs.json": "9b42638dd9c74a21adaaff9fed3de9f3f0f43ed2",
    "axolotl/conversation.json": "bffb118a4196fcaa2e629c59c51e4c2c4e127c52",
    "axolotl/conversation.missingturns.json": "b5b962d859bc94804885d2fbd6aca0910413b4c3",
    "bitext-cs/test.jsonl": "33e004eda12175b096e0c71f237de4a2ab38e76f",
    "codealpaca/code_alpaca_2k.first1000.json": "29d751b24f045b86c83584e7d857a7f28afba395",
    "dolly-sample/dolly.jsonl": "b366d7e825115161e958594702d4e04eb8711cec",
    "fast-detect-gpt/pubmed_davinci.raw_data.json": "147f03aecd6bf75767119a10d9d7565e63717fb4",
    "fast-detect-gpt/pubmed_gpt-3.5-turbo.raw_data.json": "4bc8a3badffaf49d23a475498aaf7be3b470e6f1",
    "fast-detect-gpt/pubmed_gpt-4.raw_data.json": "e673050140cce710d4a47172baaf8a046adc9521",
    "fast-detect-gpt/writing_davinci.raw_data.json": "639e9b3647be2b9eb339a2614c7023435d25bebc",
    "fast-detect-gpt/writing_gpt-3.5-turbo.raw_data.json": "b91c9d24589d1a8b8887395bb1fda69b944a503e",
    "fast-detect-gpt/writing_gpt-4.raw_data.json": "836c15e6a796d6b6174d3a4be35e40842455eb94",
    "fastchat/dummy_conversation.json": "2bf582ac615e421cf06e79e65b11e8a724d20ac1",
    "fastchat/mt_bench/question.jsonl": "464e2c22f7a021a0f9a584d232338a9a17c40066",
    "fastchat/mt_bench/reference_answer/gpt-4.jsonl": "8b66387a3129cbb117178fe515491df553dd52df",
    "fastchat/vicuna_bench/question.jsonl": "223642384936578e66cf127936251dda6a51d595",
    "fastchat/vicuna_bench/reference_answer/gpt-4.jsonl": "f3c8368d058cd01912c41b9ca9e67ce82867bdf3",
    "firefly/dummy_data.jsonl": "510f91afa14d013763860235b1016a9f89d71a57",
    "functiongemma/train.jsonl": "d8e492cc062eef7fc590850b248dbbb8830c8edb",
    "gpt-detector-bias/GPT_Data/CS224N_gpt3PromptEng_145/data.json": "6c7a1040b5148b5779c02c1af4a4d5ad1193f8a6",
    "gpt-detector-bias/GPT_Data/CS224N_gpt3PromptEng_145/name.json": "c22616b4ebf2a0bbc661c18bb1793d8e2c3a6653",
    "gpt-detector-bias/GPT_Data/CS224N_gpt3_145/data.json": "0d00f901d41f63ac06d8ec3ca707f6887fd9573c",
    "gpt-detector-bias/GPT_Data/CS224N_gpt3_145/name.json": "5caec6e0673210ff8fa19b26894e7c06543bed45",
    "gpt-detector-bias/GPT_Data/CollegeEssay_gpt3PromptEng_31/data.json": "47b3e6845dcf5569f6c69717e16152ed71fb6cce",
    "gpt-detector-bias/GPT_Data/CollegeEssay_gpt3PromptEng_31/name.json": "484c2236a114cc9b801af0f913d41aac2e8da5c2",
    "gpt-detector-bias/GPT_Data/CollegeEssay_gpt3_31/data.json": "6ada2779a52d8195dbb1fe218923845d85fce085",
    "gpt-detector-bias/GPT_Data/CollegeEssay_gpt3_31/name.json": "266915a4774fefd6e78cc08b157f2b5c0f983357",
    "gpt-detector-bias/Human_Data/CS224N_real_145/data.json": "6c88ce00481a8cbb287781f3bd71504f8a3f6b5a",
    "gpt-detector-bias/Human_Data/CS224N_real_145/name.json": "b4f6a22c7fbf9130124e581b975e36f0a02ed49e",
    "gpt-detector-bias/Human_Data/CollegeEssay_real_70/data.json": "bcc611476a5f4863da564ba826e0ae1675ab4a5a",
    "gpt-detector-bias/Human_Data/CollegeEssay_real_70/name.json": "40466adfe3eedf557ec319d69d590285a5407ea7",
    "gpt-detector-bias/Human_Data/HewlettStudentEssay_GPTsimplify_88/data.json": "3e288207cd8c22230936d5f6b9ab719b43057e64",
    "gpt-detector-bias/Human_Data/HewlettStudentEssay_GPTsimplify_88/name.json": "086e12f003d8c3846dd633aade2d37f4fbbbdf9f",
    "gpt-detector-bias/Human_Data/HewlettStudentEssay_real_88/data.json": "6a0ec2a5e6ae5a8e44a47fe8707025cdfae8f4d8",
    "gpt-detector-bias/Human_Data/HewlettStudentEssay_real_88/name.json": "3b26b5d6e356823c418e7694fc768820d81a70ca",
    "gpt-detector-bias/Human_Data/TOEFL_gpt4polished_91/data.json": "37535b9a5184d061e22cf4b9f36681d241e53d28",
    "gpt-detector-bias/Human_Data/TOEFL_gpt4polished_91/name.json": "83f73d189ea2ac1a68c3ca1e0ad1cfa507d848c2",
    "gpt-detector-bias/Human_Data/TOEFL_real_91/data.json": "7d0999ca0b21da7f2ad6f2f029db06bffda4358c",
    "gpt-detector-bias/Human_Data/TOEFL_real_91/name.json": "f57d90c11a338126baeb75569108e953410c2e65",
    "gpteacher/Toolformer/toolformer-dedupe-only-dataset.json": "6f41cc8f24eaa404ed0f909841ff9769fef81158",
    "gpteacher/Toolformer/toolformer-similarity-0.6-dataset.json": "a08b7878bb60a5d8b7a6b83e6ef5cbfa8d21632c",
    "gpteacher/Toolformer/toolformer-similarity-0.7-dataset.json": "14da57f2c7290c822763d21236d045ca5c9b27b8",
    "gpteacher/Toolformer/toolformer-similarity-0.8-dataset.json": "a7fbc1759caf10626089809e6d5960ecb5ed89c5",
    "gpteacher/Toolformer/toolformer-similarity-0.9-dataset.json": "363ca7832ef3e5060d14a95ff50900053a21d652",
    "gsm8k/example_model_solutions.jsonl": "95472c66429c88ca96d09031d9624fece293081a",
    "gsm8k/test.jsonl": "e4c2ff4942b9a78bd74f04141224c11e28d12dc9",
    "gutenberg/pg11.txt": "502dc5dcfade76f66af3c47fa253b222d7fd8e4a",
    "gutenberg/pg1661.txt": "79780d2135c010e8444bd0e565224d5dcea0f68f",
    "hc3-plus/val_hc3_si.jsonl": "328da1732eb0dd0e1dfe61142b49608bfc94db5b",
    "llama-factory/alpaca_en_demo.json": "b645c416b5204f25fab66f839a44203a9ad5a2a4",
    "llama-factory/glaive_toolcall_en_demo.json": "1b3e8e3e058e5a91a689a268eaa6254c63c1d6a4",
    "llama-factory/identity.json": "6210846ced4ad7b8276981ddf7273a0e4373a1f3",
    "llama-factory/lima.json": "f7c72481a69a374aa3d9e1013390c6b1fcde0873",
    "llama-factory/v1_sft_demo.jsonl": "6ad8b003897d55fcd543dad03296f95804941898",
    "medicalgpt/numina_cot_sharegpt_data_1k.first500.jsonl": "ac7bb7f9e7bddd0b1293ceeb63fce7a6f1410df3",
    "medicalgpt/sharegpt_zh_1K_format.first500.jsonl": "37196babd386f01b9cadafab3a19e7f5f8f0a457",
    "open-assistant/2023-03-01_theblackcat102_pythia-12b-deduped-sft_sampling.json": "5fcae33169805d672501f8497db4f965ae7d1f8d",
    "open-assistant/en_100_message.jsonl": "f9bd39a6b460dcc119b6804e299af7aebbf3fd16",
    "open-assistant/en_100_text.jsonl": "d9034839eaf0f8f20653303f22b2b19a2a49e9e8",
    "openai-cookbook/drone_training.jsonl": "0896d2cc8d8c903431e42ea4bae500f423d7f04e",
    "openai-cookbook/toy_chat_fine_tuning.jsonl": "27d92094e120e983feb8fad57e342d7d3fceb403",
    "self-instruct/predictions/davinci-self-instruct-and-superni-ft_predictions.jsonl": "08694116afc80e5e225e61c9733af917c347aa5d",
    "self-instruct/predictions/davinci-self-instruct_predictions.jsonl": "075bb4df9f985325cce2e77fd16e2b6b741a0b8a",
    "self-instruct/predictions/davinci-superni-ft_predictions.jsonl": "17ce0d3c19fccdd332f02e07d12576b1ec15f279",
    "self-instruct/predictions/davinci-t0-ft_predictions.jsonl": "6bd3a6736f44d133870b079df6df9446430d4378",
    "self-instruct/predictions/davinci_predictions.jsonl": "bac4fbd74998372731f5947ff6355b2644268363",
    "self-instruct/predictions/text-davinci-001_predictions.jsonl": "4dc8c5efa6c9476e9fc7377ea4d93004a3a10e3e",
    "self-instruct/predictions/text-davinci-002_predictions.jsonl": "8562d0fac2ad0ca6c6c8670d3bf060e392f46259",
    "self-instruct/predictions/text-davinci-003_predictions.jsonl": "46f4178c7a6b5dbe8b8005f43aac7c44e4626822",
    "self-instruct/user_oriented_instructions.jsonl": "ed6d5d986e3f4c65ff64d70328a2e1dab146f914",
    "stanford-alpaca/seed_tasks.jsonl": "c97d40d76abd45cd7456f2d0d58459bb4df3cad5",
}


SOURCES = [Source(place[0], *REPOS[place[1]], place[2], BLOBS[place[0]], *place[3:]) for place in PLACES]


def blob_sha1(data: bytes) -> str:
    """git's object id of a file's bytes: SHA-1 of "blob <size>\\0" + bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def first_records(data: bytes, n: int) -> bytes:
    """The first n records, with their original bytes: n lines of JSON Lines, or a JSON array closed
    after its n-th element (as the stored copies were cut: `\\n]\\n` after the element)."""
    if data.lstrip()[:1] != b"[":
        lines = data.splitlines(keepends=True)
        return b"".join(lines[:n])
    text = data.decode("utf-8")
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    for _ in range(n):
        while text[pos] in " \t\r\n,":
            pos += 1
        _, pos = decoder.raw_decode(text, pos)
    return (text[:pos] + "\n]\n").encode("utf-8")


def fetch(source: Source, base: str, timeout: float = 60) -> bytes:
    url = f"{base.rstrip('/')}/{source.repo}/{source.commit}/{source.path}"
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (https or a file:// mirror)
        data = response.read()
    return first_records(data, source.first) if source.first else data


def store(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help=f"where to store the corpus (default {DEFAULT_DEST})")
    parser.add_argument("--mirror", default=RAW, help="base URL laid out as {repo}/{commit}/{path} (default: GitHub)")
    parser.add_argument("--only", action="append", metavar="GLOB", help="only the stored paths matching GLOB (repeatable)")
    args = parser.parse_args(argv)
    failed, fetched, kept = [], 0, 0
    for source in SOURCES:
        if args.only and not any(fnmatch.fnmatch(source.local, g) for g in args.only):
            continue
        target = args.dest / source.local
        if target.is_file() and blob_sha1(target.read_bytes()) == source.blob:
            kept += 1
            continue
        try:
            data = fetch(source, args.mirror)
        except (OSError, ValueError) as exc:  # network errors, HTTP errors, a cut that does not parse
            failed.append(f"{source.local}: {exc.__class__.__name__}: {exc}")
            continue
        if (got := blob_sha1(data)) != source.blob:
            failed.append(f"{source.local}: blob {got[:12]}, expected {source.blob[:12]} "
                          f"({source.repo}@{source.commit[:12]}:{source.path}); not written")
            continue
        store(target, data)
        fetched += 1
    print(f"{fetched} file(s) fetched, {kept} already present, {len(failed)} failed; corpus in {args.dest}")
    for line in failed:
        print(f"  {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
