"""Other quality rules (Q) that need code rather than a pattern: encoding damage, personal data
with checksums, high-entropy secrets, and the answer's language (truncation is truncation.py)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from sftlint.checks import Context, Hit, check, reads
from sftlint.checks.segments import CODE, MATH, OUTPUT, TABLE, TEXT, layout
from sftlint.checks.text import digit_count, last_answer, lowered, mask
from sftlint.checks.text import words as split_words
from sftlint.schema import Conversation

_MOJIBAKE = re.compile(r"(?:Ã[\x80-\xbf¡-ÿ]|â€[™œ\x9d˜“”¦\"]|Â[ -¿]|Ã‚|ï»¿)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FFFD = re.compile("\ufffd")
_PRINTABLE_ASCII = bytes(range(32, 127)) + b"\t\n\r"


@check("Q005")
def encoding_damage(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    for index, m in enumerate(conv.messages):
        text = m.content
        if not text:
            continue
        if text.isascii() and not text.encode("ascii").translate(None, _PRINTABLE_ASCII):
            continue  # the usual case: nothing but printable ASCII, tabs and newlines
        for what, pattern in (("replacement character U+FFFD", _FFFD), ("mojibake", _MOJIBAKE),
                              ("control character", _CONTROL)):
            if pattern is not _CONTROL and text.isascii():
                continue  # both need non-ASCII characters
            hit = pattern.search(text)
            if hit:
                yield Hit(index, f"{what} {hit.group(0)!r}", (hit.start(), hit.end()))
                break


_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}\b")
_SAFE_DOMAINS = ("example.com", "example.org", "example.net", "test.com", "domain.com", "email.com",
                 "yourdomain.com", "company.com", "localhost", ".gov", ".mil", ".edu", ".int")
_EXAMPLE_LOCAL = frozenset(["example", "test", "user", "username", "name", "firstname", "lastname", "first.last", "john.doe", "jane.doe", "johndoe", "janedoe", "john", "jane", "someone", "somebody", "foo", "bar", "foobar", "abc", "xyz", "me", "you", "your.name", "yourname", "youremail", "email", "mail", "address", "sample", "demo"])
_ROLE_LOCAL = frozenset(["support", "info", "help", "contact", "sales", "service", "services", "customerservice", "customer.service", "noreply", "no-reply", "donotreply", "admin", "administrator", "hello", "team", "office", "press", "media", "careers", "jobs", "hr", "billing", "accounts", "privacy", "legal", "security", "abuse", "postmaster", "webmaster", "feedback", "enquiries", "inquiries", "marketing", "partners", "orders", "booking", "bookings", "reservations"])
"""Addresses of an organisation's desk, not of a person."""
_TOLL_FREE = re.compile(r"^(?:\+?1[ .-]?)?\(?8(?:00|33|44|55|66|77|88)\)?[ .-]")
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3(?:0[0-5]|[68])|6(?:011|5|4[4-9]|2)|35(?:2[89]|[3-8]))")
_CARD_LENGTHS = {"4": (13, 16, 19), "5": (16,), "2": (16,), "3": (14, 15, 16), "6": (16, 17, 18, 19)}
_ORG_CONTEXT = re.compile(r"(?i)customer (?:service|care|support)|hotline|helpline|toll[- ]free|call us|contact us|"
                          r"office|department|headquarters|support line|information line|switchboard")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,4}){2,4}(?!\w)")
TEST_CARDS = frozenset({"4111111111111111", "4242424242424242", "5555555555554444", "5105105105105100",
                        "378282246310005", "371449635398431", "6011111111111117", "4012888888881881"})
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_PHONE_CONTEXT = re.compile(r"\b(?:call|phone|tel|mobile|cell|whatsapp|contact|bel|telefoon|reach me)\b", re.I)


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _grouped_like_a_card(found: str) -> bool:
    """One run of digits, or groups of 4 (4-6-5 and 4-6-4 for Amex and Diners), one separator."""
    groups = re.split(r"[ -]", found.strip())
    if len(groups) == 1:
        return True
    lengths = [len(g) for g in groups]
    return lengths[:-1] == [4] * (len(groups) - 1) and 1 <= lengths[-1] <= 4 or lengths in ([4, 6, 5], [4, 6, 4])


def iban_ok(value: str) -> bool:
    s = value.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


_IBAN_HINT = re.compile(r"[A-Z]{2}\d{2}")


def _pii(text: str) -> Iterator[tuple[int, int, str]]:
    if "@" in text:
        for m in _EMAIL.finditer(text):
            local, domain = m.group(0).lower().rsplit("@", 1)
            if domain.endswith(_SAFE_DOMAINS) or local in _EXAMPLE_LOCAL or local in _ROLE_LOCAL:
                continue
            yield m.start(), m.end(), "e-mail address"
    if digit_count(text) < 9:
        return  # no card, IBAN or phone number has fewer digits
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        # a card number starts with an issuer's prefix and has its issuer's length: most numbers
        # that pass Luhn by chance (one in ten) do not
        if (_CARD_PREFIX.match(digits) and len(digits) in _CARD_LENGTHS[digits[0]] and luhn(digits)
                and len(set(digits)) > 2 and digits not in TEST_CARDS and _grouped_like_a_card(m.group(0))):
            yield m.start(), m.end(), "payment card number"
    for m in _IBAN.finditer(text) if _IBAN_HINT.search(text) else ():
        if iban_ok(m.group(0)):
            yield m.start(), m.end(), "IBAN"
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        international = m.group(0).startswith("+")
        near = _PHONE_CONTEXT.search(text, max(0, m.start() - 40), m.start())
        if not (9 <= len(digits) <= 15 and (international or near) and "555" not in digits[:6]):
            continue
        if _TOLL_FREE.match(m.group(0)) or _ORG_CONTEXT.search(text, max(0, m.start() - 80), m.end() + 40):
            continue  # a business's or an office's line, published to be called
        yield m.start(), m.end(), "phone number"


@check("Q006")
def personal_data(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    for index, m in enumerate(conv.messages):
        text = m.content
        if not text:
            continue
        seen: list[tuple[int, int]] = []
        parts = None
        for start, end, what in _pii(text):
            if any(a < end and start < b for a, b in seen):
                continue
            parts = layout(text) if parts is None else parts
            if not parts.reads(reads("Q006"), start, end):
                continue  # an address in a regex exercise, a table of products of numbers
            seen.append((start, end))
            yield Hit(index, f"{what} {mask(text[start:end])}", (start, end))


# bounded repeats: `[\w.-]*` before `[:=]` backtracked quadratically on a long run of word
# characters (an 80 KB answer took 10 s); a name is never 40 characters past its keyword
_ASSIGNED = re.compile(r"(?i)(?:api[_-]?key|secret|token|passw(?:or)?d|pwd|auth)[\w.-]{0,40}\s{0,3}[:=]\s{0,3}[\"']?"
                       r"([A-Za-z0-9+/_\-.=]{16,})")
_NAME = re.compile(r"[\w.-]+$")
_NOT_A_SECRET = re.compile(r"(?i)encrypt|enc_|cipher|hash|digest|salt|checksum|md5|sha\d|public")


def entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(c / len(value) * math.log2(c / len(value)) for c in counts.values())


@check("Q007")
def assigned_secret(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    """High-entropy values assigned to secret-looking names (the known formats are in the
    `secrets` pack, which reports under the same code)."""
    for index, m in enumerate(conv.messages):
        text = m.content
        if not text or "=" not in text and ":" not in text:
            continue
        low = lowered(text)
        if not any(k in low for k in ("key", "secret", "token", "pass", "pwd", "auth")):
            continue
        for hit in _ASSIGNED.finditer(text):
            value = hit.group(1)
            head = _NAME.search(text, max(0, hit.start() - 40), hit.start())
            name = (head.group(0) if head else "") + hit.group(0).split("=")[0].split(":")[0].strip()
            if _NOT_A_SECRET.search(name):
                continue  # ciphertext, a hash or a salt: made to be shown
            if entropy(value) >= 3.5 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value) \
                    and not re.search(r"(?i)example|your|xxxx|\.\.\.|<|placeholder|redacted", value):
                yield Hit(index, f"high-entropy value assigned to {name!r}: {mask(value)}", (hit.start(1), hit.end(1)))


STOPWORDS = {
    "en": "the and of to is in that it for you with on this are be as have not was but what can your",
    "de": "der die und das ist nicht ich zu den mit sie es ein eine auch auf für dem sich wie bitte",
    "fr": "le la les et est des une un pour que qui dans pas vous sur avec ce au du je il",
    "es": "el la los las es que de en un una por para con no se su lo como pero",
    "it": "il la le di che per un una non sono con del della si ma come anche",
    "nl": "de het een en is van dat niet ik je op te met voor zijn wat er maar ook",
    "pt": "os as que de não um uma para com em do da se mas como você",
}
_STOP = {lang: set(words.split()) for lang, words in STOPWORDS.items()}
_LANGS_OF: dict[str | bytes, tuple[str, ...]] = {}
for _lang, _words in _STOP.items():
    for _w in _words:
        _LANGS_OF[_w] = (*_LANGS_OF.get(_w, ()), _lang)
_LANGS_OF.update({w.encode(): langs for w, langs in _LANGS_OF.items() if w.isascii()})  # ASCII text comes as bytes
_SCRIPTS = (("cjk", re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")), ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
            ("arabic", re.compile(r"[\u0600-\u06ff]")), ("greek", re.compile(r"[\u0370-\u03ff]")),
            ("hebrew", re.compile(r"[\u0590-\u05ff]")), ("devanagari", re.compile(r"[\u0900-\u097f]")))
_TRANSLATE = re.compile(r"(?i)\b(?:translat\w*|in (?:english|german|french|spanish|italian|dutch|portuguese|chinese|"
                        r"japanese)|auf deutsch|en français|en español|vertaal|traduc\w*|übersetz\w*)\b"
                        r"|翻译|译成|译为|英文|英语|中文|日文|日语|韩文|韩语|翻訳|英語|번역|영어")
_TRANSLATE_HINTS = ("translat", "english", "german", "french", "spanish", "italian", "dutch", "portuguese", "chinese",
                    "japanese", "deutsch", "français", "español", "vertaal", "traduc", "übersetz", "翻译", "译成",
                    "译为", "英文", "英语", "中文", "日文", "日语", "韩文", "韩语", "翻訳", "英語", "번역", "영어")
def _asks_translation(text: str) -> bool:
    low = lowered(text)
    return any(map(low.__contains__, _TRANSLATE_HINTS)) and _TRANSLATE.search(text) is not None


def language(text: str, min_words: int) -> str | None:
    """A confident guess (a script, or a language by stop words), or None."""
    sample = text[:400]
    if not sample.isascii():
        letters = sum(1 for c in sample if c.isalpha())
        for name, pattern in _SCRIPTS:
            if letters and len(pattern.findall(sample)) > letters * 0.3:
                return name
    words = split_words(sample.lower(), letters_only=True)
    if len(words) < min_words:
        return None
    scores = dict.fromkeys(_STOP, 0)
    for langs, count in Counter(map(_LANGS_OF.get, words)).items():
        for lang in langs or ():
            scores[lang] += count
    best = max(scores, key=scores.get)
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] >= max(3, 0.15 * len(words)) and ranked[0] >= 2 * ranked[1]:
        return best
    return None


_NOT_LANGUAGE = frozenset({CODE, MATH, TABLE, OUTPUT})
_CJK = _SCRIPTS[0][1]


def _size(text: str) -> int:
    """Words, counting two CJK characters as one (Chinese and Japanese write no spaces: a
    ten-character question is a sentence)."""
    return text.count(" ") + 1 + len(_CJK.findall(text, 0, 2000)) // 2


@check("Q008")
def language_mismatch(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    found = last_answer(conv)
    if found is None:
        return
    index, answer = found
    prompt = next((m.content for m in reversed(conv.messages[:index]) if m.role == "user" and m.content), None)
    min_words = ctx.option("Q008", "min_words")
    if not prompt or _size(prompt) < min_words or _size(answer) < min_words:
        return
    asked = language(prompt, min_words)
    parts = layout(answer)
    # the answer's prose: an English maths problem answered in French is French between its equations
    answered = language(parts.text_of(TEXT), min_words) if asked else None
    if not answered or answered == asked:
        return
    if parts.share(_NOT_LANGUAGE) > 0.5:
        return  # mostly code, maths or tables: no language to compare
    # a different language is what a translation task asks for (looked at last: it is rarely needed)
    if not _asks_translation(prompt) and not any(_asks_translation(m.content or "")
                                                 for m in conv.messages if m.is_system):
        yield Hit(index, f"the prompt is in {asked}, the answer in {answered}")

