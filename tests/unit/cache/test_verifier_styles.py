"""The verifier's generated training styles (train/cache_verifier/styles.py): a restyled
text keeps what the question asks, and a restyled negative stays told apart."""

from __future__ import annotations

import random

from train.cache_verifier.styles import acronym, style_variants, synonym, terse, verbose


def test_a_terse_ask_keeps_what_tells_questions_apart() -> None:
    rng = random.Random(0)
    assert terse("How do I turn off two-factor authentication?", rng).rstrip("?") == (
        "turn off two-factor authentication")
    assert terse("How do I transfer money from savings to checking?", rng).rstrip("?") == (
        "transfer money from savings to checking")
    assert "not" in terse("Why is my card not working?", rng)
    assert terse("Hi", rng) is None


def test_verbose_wraps_the_question_unchanged() -> None:
    rng = random.Random(1)
    for _ in range(20):
        out = verbose("Can I return an item without the receipt?", rng)
        assert out is not None and "an item without the receipt?" in out
        assert len(out) > 60


def test_synonym_leaves_names_alone() -> None:
    rng = random.Random(2)
    assert synonym("How do I delete my account?", rng) in (
        "How do I remove my account?", "How do I erase my account?")
    assert synonym("Was Bill Murray in the army?", rng) is None


def test_acronyms_expand_and_shorten_whole_words_only() -> None:
    rng = random.Random(3)
    assert acronym("How do I enable 2FA?", rng) == "How do I enable two-factor authentication?"
    assert acronym("Where is my account number?", rng) == "Where is my acct number?"
    assert acronym("Is this a subtitle?", rng) is None


def test_style_variants_keep_labels_and_skip_negatives_that_lost_their_difference() -> None:
    pairs = [{"a": "How do I turn on dark mode?", "b": "How do I turn on the dark mode?",
              "label": 0, "kind": "near_topic"},
             {"a": "How do I delete my account?", "b": "How can I close my account?",
              "label": 1, "kind": "paraphrase"}]
    out = list(style_variants(pairs * 10, random.Random(4), 20, "t"))
    assert out and all(p["label"] == (p["kind"].endswith("paraphrase")) for p in out)
    for p in out:
        if p["kind"] == "terse_near_topic":
            raise AssertionError(f"a terse negative identical to its cached text: {p}")
