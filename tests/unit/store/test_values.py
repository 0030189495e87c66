"""Numbers as the store adds them: the whole-number shortcut answers as Decimal does."""

from __future__ import annotations

import pytest

from llm_router_local.store import values as dv


def _decimal_sum(a: str, b: str) -> str:
    return dv.number_text(dv.NUMBER_CONTEXT.add(dv.number(a), dv.number(b)))


@pytest.mark.parametrize("a, b", [
    ("1", "2"), ("0", "0"), ("-5", "5"), ("-0", "0"), ("007", "-0010"), ("12", "-30"),
    ("9" * 37, "9" * 37), ("-" + "9" * 37, "1"), ("9" * 38, "1"), ("1.50", "2"),
    ("0.0000048", "1"), ("1e3", "1"), ("+4", "1"), ("1" * 37, "0.5"),
])
def test_a_sum_is_canonical_and_exact_as_decimals_make_it(a: str, b: str) -> None:
    assert dv.sum_text(a, b) == _decimal_sum(a, b)


def test_add_sums_counters_and_starts_a_missing_one_at_the_operand() -> None:
    assert dv.add({"N": "41"}, {"N": "1"}) == {"N": "42"}
    assert dv.add(None, {"N": "1.50"}) == {"N": "1.5"}
    assert dv.add({"N": "0.25"}, {"N": "0.5"}) == {"N": "0.75"}
