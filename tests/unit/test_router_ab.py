"""bench/router_ab.py: the arms' order alternates by round, so that neither build always runs
second (the second arm in a round read slower whichever build it was: session 29)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType


def test_each_arm_runs_first_as_often_as_last_over_even_rounds(
        bench_module: Callable[[str], ModuleType]) -> None:
    ab = bench_module("router_ab")
    assert ab.round_order(["before", "after"], 0) == ["before", "after"]
    assert ab.round_order(["before", "after"], 1) == ["after", "before"]
    assert ab.round_order(["a", "b", "c"], 3) == ["c", "b", "a"]
    firsts = [ab.round_order(["before", "after"], r)[0] for r in range(4)]
    assert firsts.count("before") == firsts.count("after") == 2
