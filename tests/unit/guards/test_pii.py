"""The PII detector on generated items (valid and near-miss checksums) and ordinary text."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_router.guards import samples
from llm_router.guards.pii import find_pii, redact

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("kind", sorted(samples.KINDS))
@settings(max_examples=150, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_every_generated_item_is_found_whole_and_labelled(kind: str, rng: random.Random) -> None:
    text, item, expected = samples.pii_answer(rng, kind)
    matches = find_pii(text)
    assert redact(text, matches) == expected, item


@pytest.mark.parametrize("kind", ["card", "iban", "ssn"])
@settings(max_examples=150, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_a_wrong_checksum_is_not_that_kind(kind: str, rng: random.Random) -> None:
    # (A shorter group-aligned prefix may still be a valid number by chance: 1 in 10
    # for Luhn. What must not happen is the whole near miss passing.)
    item = getattr(samples, kind)(rng, valid=False)
    sentence = f"The number is {item} today."
    whole = [m for m in find_pii(sentence) if sentence[m.start:m.end] == item]
    assert whole == [], item


@pytest.mark.parametrize("text", [
    "4111 1111 1111 1111", "4111-1111-1111-1111", "378282246310005", "5555555555554444",
    "GB29 NWBK 6016 1331 9268 19", "DE89370400440532013000", "123-45-6789",
    "jane.doe+orders@mail.example.co.uk", "+44 20 7946 0958", "(415) 555-2671",
    "sk-proj-" + "a1B2" * 12, "AKIAIOSFODNN7EXAMPLE", "ghp_" + "x" * 36,
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJlLXZhbHVl",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n-----END PRIVATE KEY-----",
])
def test_well_known_test_values(text: str) -> None:
    sentence = f"value: {text}. ok"
    matches = find_pii(sentence)
    assert [sentence[m.start:m.end] for m in matches] == [text]


@pytest.mark.parametrize("text", [
    "Order 4111 1111 1111 1112 is late",  # Luhn fails
    "SSN 000-12-3456 and 666-12-3456 and 912-12-3456",  # never-issued areas
    "IBAN GB28 NWBK 6016 1331 9268 19",  # mod-97 fails
    "Version 1.2.3, build 20240512, ticket #123456789, total $1,299.00",
    "tracking 1Z999AA10123456784, SKU-4111111111111111, 2026-05-12 14:30",
    "sk-short is not a key; AKIA alone neither",
])
def test_near_misses_and_ordinary_numbers_are_not_pii(text: str) -> None:
    assert find_pii(text) == []


def _ordinary_texts() -> list[str]:
    rng = random.Random(20261203)
    texts = [samples.ordinary_answer(rng) for _ in range(2000)]
    texts += (ROOT / "bench" / "corpus" / "support_en.txt").read_text().splitlines()
    queries = ROOT / "data" / "classifier" / "queries.jsonl"
    rows = [json.loads(line) for line in queries.read_text().splitlines()]
    texts += [r["query"] for r in rows if r.get("split", "train") == "train"]  # not held-out
    return [t for t in texts if t.strip()]


def test_false_positives_on_ordinary_support_text_stay_under_one_percent() -> None:
    texts = _ordinary_texts()
    flagged = [t for t in texts if find_pii(t)]
    assert len(texts) > 2500
    assert len(flagged) / len(texts) <= 0.01, flagged[:10]
