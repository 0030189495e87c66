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


@pytest.mark.parametrize("text", [
    "0", "-0", "00", "5", "-5", "+5", "050", "1.50", "1.5", "-0.5", "0.0", "-0.0", ".5",
    "5.", "1e3", "1E-7", "0.0000048", "12345678901234567890123456789012345678",
    "123456789012345678901234567890123456789", "0." + "0" * 36 + "1",
    "0." + "0" * 37 + "1", "1." + "1" * 37, "1_000", " 5", "٣",
])
def test_a_canonical_number_is_what_decimal_makes_of_it(text: str) -> None:
    try:
        expected = dv.number_text(dv.number(text))
    except dv.ValidationError:
        with pytest.raises(dv.ValidationError):
            dv.canonical({"N": text})
        return
    assert dv.canonical({"N": text}) == {"N": expected}


def test_random_numbers_are_canonical_as_decimal_makes_them() -> None:
    import random

    rng = random.Random(7)
    for _ in range(5000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 22)))
        point = rng.randint(0, len(digits))
        text = (rng.choice(["", "-"]) + digits[:point]
                + ("." + digits[point:] if rng.random() < 0.6 else digits[point:]))
        if text in ("", "-") or text.endswith("."):
            continue
        assert dv.canonical({"N": text}) == {"N": dv.number_text(dv.number(text))}, text
