"""Nothing the suite starts outlives it: each test's leftovers are killed when it ends (conftest), and
this check, run last, fails if any test needed that or anything is still running."""

from __future__ import annotations

import pytest

from conftest import LEAKS, started_by_the_suite


@pytest.mark.last
def test_no_process_started_by_the_suite_outlives_its_test():
    still = [" ".join(p.cmdline())[:120] for p in started_by_the_suite()]
    assert not still, f"still running: {still}"
    assert not LEAKS, "tests that left processes running (killed when they ended):\n" + "\n".join(LEAKS)
