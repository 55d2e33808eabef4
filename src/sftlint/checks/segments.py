"""What a turn is made of, found once: prose, lists, code, maths, tables and program output.

Content rules were written for prose. Run on code, maths or a table they see repetition, odd
characters and placeholders that are simply how those are written (`{{ user.age }}` in an Angular
template, `\\text{{J}}` in LaTeX, a multiplication table's rows, a Java class's getters). So each
content rule declares in the catalogue what it reads (`reads = ["prose", "list"]`), and this module
says which parts of a turn are which:

  code    fenced (``` or ~~~, inline `x` too) and unfenced: blocks of lines that read as code
          (keywords, statements ending in ; { }, tags, CSS declarations, SQL, assignments,
          indented lines between them), and REPL or shell lines (`>>> `, `$ `)
  math    $…$, $$…$$, \\(…\\), \\[…\\], \\begin{…}…\\end{…}, \\boxed{…}, GSM8K's <<…>> and lines
          that are equations rather than sentences ("3 × 4 = 12", "= 2.4 litres")
  table   Markdown tables, tab-separated rows, columns aligned with runs of spaces, guitar tabs
  output  what a program printed: the lines after an "Output:" line, up to a blank line
  list    list items (read with prose by every rule that reads prose)
  prose   everything else

Offsets are kept: a rule reads the text of some kinds joined (`Layout.text`) for its measures, or
asks whether a match at (start, end) lies in what it reads (`Layout.reads`). Most turns hold none
of the characters that start code, maths or a table, and are settled by one regex search.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sftlint.catalogue import READABLE as KINDS

PROSE, LIST, CODE, MATH, TABLE, OUTPUT = KINDS
TEXT = frozenset({PROSE, LIST})
"""What the prose rules read."""

# Any of these may start something that is not prose; a turn with none is all prose and lists.
_SYMBOLS = re.compile(r"[`~$\\|{};<=\t]")
_OUTPUT_WORD = re.compile(r"\b(?:Output|OUTPUT|output|Result|输出|结果)\s*[:：]")


_NOT_SYMBOLS = bytes(sorted(set(range(256)) - set(b"`~$\\|{};<=\t")))


def _maybe(text: str) -> bool:
    """Whether a turn can hold anything but prose and lists (most turns cannot: they skip the line pass).
    Separate tests, because one regex of alternatives scans five times slower; on ASCII text the
    symbols are looked for by deleting every other byte (three times faster than the regex)."""
    symbols = (len(text.encode("ascii").translate(None, _NOT_SYMBOLS)) > 0 if text.isascii()
               else bool(_SYMBOLS.search(text)))
    return (symbols or "   " in text or "\n>>> " in text or text.startswith(">>> ")
            or (("：" in text or ":" in text) and bool(_OUTPUT_WORD.search(text))))


_FENCE = re.compile(r"(```|~~~).*?(?:\1|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"(?<!`)`[^`\n]{1,200}`(?!`)")
_MATH = re.compile(
    r"\$\$.+?\$\$"
    r"|\\\[.+?\\\]"
    r"|\\\(.+?\\\)"
    r"|\\begin\{(\w+\*?)\}.*?\\end\{\1\}"
    r"|\\boxed\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}"
    r"|<<[^<>\n]{1,80}>>"
    # inline $…$: no space inside either dollar and no digit after the closing one, so "$5 and $10" is money
    r"|(?<![\\$\w])\$(?=[^\s$])[^$\n]{0,400}?(?<=[^\s\\$])\$(?![\d$])",
    re.DOTALL)

# One line of code: statements, declarations, tags, CSS, SQL. Case matters (prose says "Return", "For").
_CODE_LINE = re.compile(
    r"""^\s*(?:
        (?:def|class|async\s+def)\s+\w+.*:\s*(?:\#.*)?$
      | (?:import\s+[\w.]+|from\s+[\w.]+\s+import\s)
      | (?:return|yield|raise|await|throw|break|continue|pass|del|echo|print|printf|puts|console\.log)\b(?!\s+(?:the|a|an|to|of|it|this|that)\b)
      | (?:elif|else|try|finally|except|do|switch|case|default)\b.*[:{]\s*$
      | (?:if|for|while|with|catch|foreach|elseif|else\s+if)\b\s*\(.*
      | (?:if|for|while|with)\s+[^.!?]*:\s*(?:\#.*)?$
      | (?:public|private|protected|static|final|abstract|override|virtual|const|let|var|val|fn|func|function|
           void|int|long|short|float|double|char|bool|boolean|byte|string|String|auto|unsigned|struct|enum|
           interface|package|namespace|using|template|typedef|extern|module|export|impl|trait|mut)\b[\w\s<>\[\],*&:.]*[\w\]>)*&]\s*(?:[=({;:]|$)
      | \#\s*(?:include|define|ifn?def|endif|pragma)\b
      | @\w+(?:\(.*\))?\s*$
      | (?:SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX|VIEW|DATABASE|PROCEDURE|FUNCTION)|
           ALTER\s+TABLE|DROP\s+(?:TABLE|INDEX|VIEW)|FROM\s+\w+|WHERE\s|GROUP\s+BY|ORDER\s+BY|HAVING\s|LIMIT\s+\d|
           (?:INNER|LEFT|RIGHT|FULL|OUTER|CROSS)?\s*JOIN\s|VALUES\s*\(|UNION\b|BEGIN\b|END\b)
      | </?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>          # an HTML or XML tag starts the line
      | <!--|<!DOCTYPE
      | [\w.#:\-\[\]="'*>~+,\s]+\{\s*$               # a CSS selector or a block opening
      | [a-z-]+\s*:\s*[^;:]+;\s*$                    # a CSS declaration
      | [})\]]+[;,)]*\s*(?:else\b.*|catch\b.*|while\b.*)?$   # closing brackets
      | (?://|/\*|\*/|\*\s|--\s|\#\s*\w+\s*=)           # comments (and commented assignments)
      | (?:>>>|\.\.\.)\s                              # a Python REPL
      | \$\s+\w                                      # a shell prompt
    )""",
    re.VERBOSE)
_ASSIGNMENT = re.compile(r"^\s*[\w.\[\]'\"]+\s*(?:=|\+=|-=|\*=|/=|:=|\|=|&=|<<=|>>=)\s*\S")
_CODE_END = re.compile(r"(?:[;{}]|\)\s*[;{]?|\]\s*;?|=>\s*\{?|->\s*\w*)\s*(?://.*|\#.*)?$")
_CALL = re.compile(r"\w[\w.]*\([^()]*\)")
_WORDS = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = re.compile(r"[.!?。！？…]['\")\]]*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•·]|\d{1,3}[.)、]|[a-zA-Z][.)])\s+\S")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$|^[^|\n]*\|[^|\n]*\|[^|\n]*$")
_GAP = re.compile(r"(?<=\S) {2,}(?=\S)")
_OUTPUT_HEAD = re.compile(r"^\s*(?:#+\s*|\*\*)?(?:(?:Sample\s+|Expected\s+|Example\s+)?(?:Output|OUTPUT|output|Result|Results|Prints?)|"
                          r"输出|结果|运行结果)(?:\s*\([^)]*\))?\s*\**\s*[:：]\s*\**\s*(.*)$")
_EQUATION = re.compile(r"[=≈≠≤≥<>±×÷√∑∏∫∞^]|\d\s*[-+*/xX]\s*\d")
_MATH_LINE_WORDS = 3


class Layout:
    """The segments of one text: (start, end, kind) in order, covering it."""

    __slots__ = ("text", "spans", "_joined")

    def __init__(self, text: str, spans: tuple[tuple[int, int, str], ...]) -> None:
        self.text = text
        self.spans = spans
        self._joined: dict[frozenset[str], str] = {}

    @property
    def plain(self) -> bool:
        """Nothing but prose and lists."""
        return all(kind in TEXT for _, _, kind in self.spans)

    def kinds(self) -> frozenset[str]:
        return frozenset(kind for _, _, kind in self.spans)

    def share(self, kinds: frozenset[str]) -> float:
        """The share of the text's characters in these kinds."""
        if not self.text:
            return 0.0
        return sum(b - a for a, b, k in self.spans if k in kinds) / len(self.text)

    def text_of(self, kinds: frozenset[str] = TEXT) -> str:
        """The text of the parts of these kinds (what a measure reads)."""
        if self.plain and kinds >= TEXT:
            return self.text
        joined = self._joined.get(kinds)
        if joined is None:
            # A part left out inside a line (inline maths, `code`) becomes a short token, the same
            # for the same content: the line stays whole, and two lines differing only in their
            # maths stay different. One that spans lines ends the line before it.
            parts, cut, tokens = [], False, {}
            for a, b, kind in self.spans:
                if kind not in kinds:
                    left_out = self.text[a:b]
                    if "\n" in left_out:
                        cut = True
                    elif not cut:
                        parts.append(f"\x1a{tokens.setdefault(left_out, len(tokens))}")
                    continue
                if cut and parts and not parts[-1].endswith("\n"):
                    parts.append("\n")
                parts.append(self.text[a:b])
                cut = False
            joined = self._joined[kinds] = "".join(parts)
        return joined

    def reads(self, kinds: frozenset[str], start: int, end: int) -> bool:
        """Whether text[start:end] lies wholly in parts of these kinds."""
        if self.plain and kinds >= TEXT:
            return True
        for a, b, kind in self.spans:
            if b <= start:
                continue
            if a >= end:
                break
            if kind not in kinds:
                return False
        return True

    def __repr__(self) -> str:
        return "Layout(" + ", ".join(f"{k}:{self.text[a:b][:20]!r}" for a, b, k in self.spans) + ")"


@lru_cache(maxsize=64)  # every content rule reads the same turns
def layout(text: str) -> Layout:
    if not _maybe(text):
        return Layout(text, ((0, len(text), PROSE),) if text else ())
    kinds = bytearray(len(text))  # a kind index per character; 0 = prose, decided below
    code, math, table, output, listed = (KINDS.index(k) for k in (CODE, MATH, TABLE, OUTPUT, LIST))

    def paint(a: int, b: int, kind: int) -> None:
        kinds[a:b] = bytes((kind,)) * (b - a)

    for m in _FENCE.finditer(text):
        paint(m.start(), m.end(), code)
    for m in _INLINE_CODE.finditer(text):
        if not kinds[m.start()]:
            paint(m.start(), m.end(), code)
    if "$" in text or "\\" in text or "<<" in text:
        for m in _MATH.finditer(text):
            if not kinds[m.start()] and not kinds[m.end() - 1]:
                paint(m.start(), m.end(), math)
    _lines(text, kinds, paint, code, math, table, output, listed)
    return Layout(text, tuple((m.start(), m.end(), KINDS[m.group()[0]]) for m in _RUN.finditer(bytes(kinds))))


_RUN = re.compile(rb"(.)\1*", re.DOTALL)


def _is_code(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if _CODE_LINE.match(s):
        return not (len(_WORDS.findall(s)) >= 8 and _SENTENCE_END.search(s) and "(" not in s)
    if _ASSIGNMENT.match(s):
        if _CODE_END.search(s) or "(" in s or "[" in s or "'" in s or '"' in s:
            return True
        # "x = 5", "a = b + c": an assignment or an equation (maths, below); prose with an "=" is neither
        return len(_WORDS.findall(s)) <= 4 and not _SENTENCE_END.search(s)
    if _CODE_END.search(s) and (_CALL.search(s) or s.count("(") + s.count("{") + s.count("[") + s.count(";") >= 2):
        return True
    symbols = sum(s.count(c) for c in "{}[]();=<>+*/\\|&^%$#@!~")
    return len(s) >= 8 and symbols / len(s) > 0.2 and len(_WORDS.findall(s)) <= 4


def _columns(line: str) -> frozenset[int]:
    """Where the columns after runs of two or more spaces start."""
    return frozenset(m.end() for m in _GAP.finditer(line))


def _is_math_line(line: str) -> bool:
    """An equation rather than a sentence: "3 × 4 = 12", "= 2.4 litres", or a worked step such as
    "Total postcards sold = $900 / $5" (an "=" in a line of one clause)."""
    s = line.strip()
    if len(s) < 3 or not _EQUATION.search(s):
        return False
    n_words = len(_WORDS.findall(s))
    if n_words <= _MATH_LINE_WORDS and not _SENTENCE_END.search(s.rstrip(".")):
        return True
    if "=" in s and n_words <= 12 and ". " not in s and "? " not in s:
        return True
    return sum(c.isdigit() or c in "=+-*/×÷^()." for c in s) >= 0.6 * len(s.replace(" ", ""))


def _lines(text: str, kinds: bytearray, paint, code: int, math: int, table: int, output: int, listed: int) -> None:
    """Unfenced code blocks, equations, tables, program output and list items, line by line,
    in what the character pass left as prose."""
    starts = [0]
    starts += [m.end() for m in re.finditer("\n", text)]
    # each line with its newline, so a block of lines is one segment
    lines = [(a, starts[i + 1] if i + 1 < len(starts) else len(text)) for i, a in enumerate(starts)]
    free = [not any(kinds[a:b]) if b > a else True for a, b in lines]
    texts = [text[a:b].rstrip("\n") for a, b in lines]
    n = len(lines)
    # tables: two or more rows in a row (Markdown, tab-separated, guitar tabs), or columns that
    # line up: runs of spaces ending at the same place in neighbouring lines (padding does not)
    row = [free[i] and (bool(_TABLE_ROW.match(texts[i])) or texts[i].count("\t") >= 2) for i in range(n)]
    columns = [_columns(texts[i]) if free[i] and not row[i] and "  " in texts[i] else frozenset() for i in range(n)]
    # rows of cells (two or more gaps each) with the same number of cells, blank lines between
    # allowed: a table whose columns do not quite line up is still a table
    nonblank = [i for i in range(n) if texts[i].strip()]
    cells = {i: len(columns[i]) for i in nonblank if len(columns[i]) >= 2}
    celled = set()
    for a, b, c in zip(nonblank, nonblank[1:], nonblank[2:], strict=False):
        if a in cells and cells.get(b) == cells[a] and cells.get(c) == cells[a]:
            celled |= {a, b, c}
    for i in range(n):
        aligned = bool(columns[i]) and ((i > 0 and len(columns[i] & columns[i - 1]) >= 2)
                                        or (i + 1 < n and len(columns[i] & columns[i + 1]) >= 2))
        if aligned or i in celled or row[i] and ((i > 0 and row[i - 1]) or (i + 1 < n and row[i + 1])):
            paint(lines[i][0], lines[i][1], table)
            free[i] = False
    is_code = [free[i] and _is_code(texts[i]) for i in range(n)]
    # a code block: from a code line to the last code line before two lines of prose; blank and
    # indented lines between code lines are code too
    i = 0
    while i < n:
        if not is_code[i]:
            i += 1
            continue
        j, last, strong = i, i, 0
        while j < n:
            t = texts[j]
            if is_code[j]:
                last, strong = j, strong + 1
            elif t.strip() and not (free[j] and (t[:1] in " \t" or len(_WORDS.findall(t)) <= 2)):
                break
            j += 1
        # one code line alone counts only when it is clearly code (ends like a statement)
        if strong >= 2 or _CODE_END.search(texts[i].strip()) or texts[i].lstrip().startswith("<"):
            for k in range(i, last + 1):
                if free[k]:
                    paint(lines[k][0], lines[k][1], code)
                    free[k] = False
        i = last + 1
    # program output: the lines after "Output:" (or its own rest of line), to a blank line
    for i in range(n):
        m = _OUTPUT_HEAD.match(texts[i]) if free[i] else None
        if m is None:
            continue
        if m.group(1).strip():
            paint(lines[i][0] + m.start(1), lines[i][1], output)
        k = i + 1
        while k < n and texts[k].strip() and free[k] and not _OUTPUT_HEAD.match(texts[k]):
            paint(lines[k][0], lines[k][1], output)
            free[k] = False
            k += 1
        free[i] = False
    for i in range(n):
        if not free[i]:
            continue
        if _is_math_line(texts[i]):
            paint(lines[i][0], lines[i][1], math)
        elif _LIST_ITEM.match(texts[i]):
            paint(lines[i][0], lines[i][1], listed)
