"""What a turn is made of (checks/segments.py), and what that does to the content rules: code,
maths, tables and program output are not prose, so the prose rules that fired on them before
(P001-P004 on repetition that is how code is written, Q004 on `{{ user.age }}`) stay quiet, while
padding in the prose next to them is still found."""

from __future__ import annotations

import orjson
import pytest

from conftest import run_cli
from rule_cases import SYS, conv, jl
from sftlint.checks.segments import layout

JAVA = """public class Employee {

    private String name;
    private int age;
    private String department;

    public Employee(String name, int age, String department) {
        this.name = name;
        this.age = age;
        this.department = department;
    }

    public String getName() {
        return name;
    }

    public int getAge() {
        return age;
    }

    public String getDepartment() {
        return department;
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setAge(int age) {
        this.age = age;
    }

    public void setDepartment(String department) {
        this.department = department;
    }
}"""

HTML = """<div class="profile">
  <h2>{{ user.name }}</h2>
  <p>Age: {{ user.age }}</p>
  <p>City: {{ user.city }}</p>
</div>"""

CSS = """.button {
  color: #ffffff;
  background-color: #007bff;
  border: 1px solid #007bff;
  border-radius: 4px;
  padding: 10px 20px;
}
.button:hover {
  color: #ffffff;
  background-color: #0056b3;
  border: 1px solid #0056b3;
  border-radius: 4px;
  padding: 10px 20px;
}
.button:disabled {
  color: #ffffff;
  background-color: #6c757d;
  border: 1px solid #6c757d;
  border-radius: 4px;
  padding: 10px 20px;
}"""

SQL = """SELECT customers.name, orders.total FROM customers
INNER JOIN orders ON customers.id = orders.customer_id
WHERE orders.total > 100;
SELECT customers.name, orders.total FROM customers
INNER JOIN orders ON customers.id = orders.customer_id
WHERE orders.total > 200 AND orders.status = 'shipped';
SELECT customers.name, orders.total FROM customers
INNER JOIN orders ON customers.id = orders.customer_id
WHERE orders.total > 300 AND orders.status = 'delivered';"""

LATEX = r"""We want the values of $x$ for which both logarithms are defined. We need
\[
\begin{cases}
1+x > 0 \\
1-x > 0
\end{cases}
\]
so the domain of $f(x) - g(x)$ is $(-1, 1)$. Then $F(-x) = f(-x) - g(-x) = \log_a(1-x) - \log_a(1+x) = -F(x)$,
so $f(x) - g(x)$ is odd. From $f(x) - g(x) > 0$ we get $\log_a(1+x) > \log_a(1-x)$. If $a > 1$ then
\[
\begin{cases}
-1 < x < 1 \\
1+x > 1-x
\end{cases}
\]
which gives $0 < x < 1$. If $0 < a < 1$ then
\[
\begin{cases}
-1 < x < 1 \\
1+x < 1-x
\end{cases}
\]
which gives $-1 < x < 0$. The set we want is $\boxed{(0, 1)}$ when $a > 1$ and $\boxed{(-1, 0)}$ otherwise."""

TABLE = """Here is a four-week plan:

| Week | Monday | Tuesday | Wednesday | Thursday | Friday | Saturday | Sunday |
|------|--------|---------|-----------|----------|--------|----------|--------|
| 1 | Rest day | Easy ride 20 km | Rest day | Easy ride 20 km | Rest day | Long ride 40 km | Rest day |
| 2 | Rest day | Easy ride 25 km | Rest day | Easy ride 25 km | Rest day | Long ride 50 km | Rest day |
| 3 | Rest day | Easy ride 30 km | Rest day | Easy ride 30 km | Rest day | Long ride 60 km | Rest day |
| 4 | Rest day | Easy ride 30 km | Rest day | Easy ride 30 km | Rest day | Long ride 70 km | Rest day |"""

OUTPUT = """This loop greets the world five times:

for i in range(5):
    print("Hello, World! Nice to meet you.")

Output:
Hello, World! Nice to meet you.
Hello, World! Nice to meet you.
Hello, World! Nice to meet you.
Hello, World! Nice to meet you.
Hello, World! Nice to meet you."""

PADDED = ("Oil the chain every 150 to 300 km, and after every wet ride. "
          + "Wipe off the excess oil with a clean rag so that it does not collect dirt. " * 6
          + "\n\nA simple way to apply it:\n\n```python\nfor link in chain:\n    link.oil(drops=1)\n```\n")


def findings(tmp_path, answer: str, select: str) -> list[tuple[str, str]]:
    path = tmp_path / "a.jsonl"
    path.write_bytes(jl(conv(SYS, ("user", "Show me."), ("assistant", answer))))
    result = run_cli("lint", str(path), "--select", select, "--output-format", "json", "--exit-zero")
    return [(f["code"], f["message"]) for f in orjson.loads(result.stdout)["findings"]]


@pytest.mark.parametrize(("name", "answer", "kind", "select"), [
    # what fired before segments (measured on the commit before them)
    ("unfenced Java", JAVA, "code", "P"),            # P003: getters and setters compress like padding
    ("unfenced HTML", HTML, "code", "Q004"),         # Q004: {{ user.age }} is Angular, not a slot left empty
    ("unfenced CSS", CSS, "code", "P"),              # P001, P003: the same declarations in each state
    ("unfenced SQL", SQL, "code", "P"),              # P001, P003: three queries of one shape
    ("LaTeX", LATEX, "math", "P"),                   # P002: the same system of inequalities, solved twice
    ("Markdown table", TABLE, "table", "P"),         # P003: a training plan's rest days
    ("program output", OUTPUT, "output", "P"),       # P001: a loop's output repeats by design
])
def test_content_rules_do_not_read_code_maths_tables_or_output(tmp_path, name, answer, kind, select):
    assert kind in layout(answer).kinds(), f"{name}: no {kind} found in {layout(answer)!r}"
    assert findings(tmp_path, answer, select) == []


@pytest.mark.parametrize("neighbour", [JAVA, SQL, TABLE, LATEX])
def test_padded_prose_next_to_code_maths_or_a_table_is_still_found(tmp_path, neighbour):
    found = findings(tmp_path, PADDED + "\n" + neighbour, "P")
    assert "P001" in {code for code, _ in found}, found


def test_segments_keep_offsets_and_prose_reads_whole_lines():
    text = "Use `x = 1` here.\n\n" + SQL + "\n\nThen the area is $\\pi r^2$ and costs $5 and $10."
    parts = layout(text)
    assert "".join(text[a:b] for a, b, _ in parts.spans) == text
    assert [k for _, _, k in parts.spans][:3] == ["prose", "code", "prose"]
    prose = parts.text_of(frozenset({"prose", "list"}))
    assert "SELECT" not in prose and "$5 and $10" in prose  # money is not maths
    assert prose.startswith("Use \x1a0 here.")  # the inline code is a token: the line stays whole
    start = text.index("orders.total")
    assert not parts.reads(frozenset({"prose"}), start, start + 5)
    assert parts.reads(frozenset({"prose", "code"}), start, start + 5)


def test_plain_prose_is_one_segment():
    text = "Oil the chain every 150 km.\n- wipe it\n- oil it\n\nThat is all."
    assert layout(text).spans == ((0, len(text), "prose"),)
    assert layout(text).text_of(frozenset({"prose", "list"})) == text
