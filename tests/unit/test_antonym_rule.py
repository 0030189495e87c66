"""bench/antonym_rule.py's W (session 21, not shipped): WordNet's antonym pairs at the
same place refuse a pair; a synonym swap, a text naming both words and a pair where one
text is negated are left alone. Its W2 (session 24, shipped: the layer's
``stances.opposite_words``): only where nothing but opposite words differs."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from llm_router.cache.pair_features import Vocabulary
from llm_router.cache.synonyms import shared_synonyms
from llm_router.cache.verifier import load_vocabulary


@pytest.fixture(scope="module")
def w(bench_module: Callable[[str], ModuleType]) -> Any:
    return bench_module("antonym_rule").Antonyms(shared_synonyms())


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(np.ones(30522, np.float32))


@pytest.mark.parametrize(("a", "b", "refused"), [
    ("my watch runs fast, which way do I move the regulator",
     "my watch runs slow, which way do I move the regulator", True),
    ("can you make the paddle longer", "can you cut my paddle shorter", True),
    ("can you make my ring bigger", "can you make my ring smaller", True),
    ("can I hire a bike in Oslo", "can I rent a bike in Oslo", False),  # a synonym swap
    ("is the train fast or slow", "is the train slow", False),  # one text names both
    ("is the train fast", "is the train not slow", False),  # one negated: as a stance
    ("is the train fast", "how fast is the train", False),  # no antonym
])
def test_antonyms_at_one_place_refuse(w: Any, vocab: Vocabulary, a: str, b: str,
                                      refused: bool) -> None:
    assert w.refuses(vocab.view(a), vocab.view(b)) is refused
    assert w.refuses(vocab.view(b), vocab.view(a)) is refused


def test_the_words_that_fired(w: Any, vocab: Vocabulary) -> None:
    a, b = vocab.view("can you make the paddle longer"), vocab.view("can you cut my paddle shorter")
    assert w.words(a.words, b.words) == ("longer", "shorter")
    assert "big" in w.bases("bigger")
    assert "slow" in w.opposites["fast"]


# Session 24's W2 (``Antonyms.only_opposites``, ``refuses_w2``): W's test only where the
# texts differ in nothing but opposite words.
@pytest.mark.parametrize(("a", "b", "refused"), [
    ("my clock is running fast, how do I adjust the pendulum",
     "my clock is running slow, how do I adjust the pendulum", True),
    ("my crochet is too tight, what do I change", "my crochet is too loose, what do I change",
     True),
    ("can you make my ring bigger", "can you make my ring smaller", True),
    ("can you make the paddle longer", "can you cut my paddle shorter", False),  # reworded
    ("what time does the park close", "until what hour does the park stay open", False),
    ("the upper tension is too tight, how do I loosen it",  # loosen / tighten: no pair
     "the upper tension is too loose, how do I tighten it", False),
    ("is the train fast or slow", "is the train slow or fast", False),  # both named
    ("is the train fast", "is the train not slow", False),  # one negated: as a stance
])
def test_w2_refuses_only_opposite_words(w: Any, vocab: Vocabulary, a: str, b: str,
                                        refused: bool) -> None:
    assert w.refuses_w2(vocab.view(a), vocab.view(b)) is refused
    assert w.refuses_w2(vocab.view(b), vocab.view(a)) is refused


def test_w2_names_every_pair(w: Any, vocab: Vocabulary) -> None:
    a, b = vocab.view("is the tide high in the east"), vocab.view("is the tide low in the west")
    assert w.only_opposites(a.words, b.words) == [("high", "low"), ("east", "west")]


# Session 25's W3 (``refuses_w3``, not shipped): W2 with the direction opposites WordNet
# lacks (bench/direction_opposites.py); heldout44-45's four swaps W2 left.
@pytest.mark.parametrize(("a", "b", "w2", "w3"), [
    ("the upper tension is too tight, how do I loosen it",
     "the upper tension is too loose, how do I tighten it", False, True),
    ("how do I lengthen the stitch", "how do I shorten the stitch", False, True),
    ("how do I widen the gate", "how do I narrow the gate", False, True),
    ("when is the next northbound train", "when is the next southbound train", False, True),
    ("when is the next north-bound train", "when is the next southbound train", False, True),
    ("turn the dial clockwise", "turn the dial counter-clockwise", False, True),
    ("the stitches loosened after washing", "the stitches tightened after washing", False,
     True),
    ("is the trail uphill from the car park", "is the trail downhill from the car park",
     False, True),
    ("did they overrate the film", "did they underrate the film", False, True),
    ("my clock is running fast", "my clock is running slow", True, True),  # W2's own
    # a reworded paraphrase, both words named, one text negated: left to the verifier
    ("how do I widen the gate", "what is the way to make the gate wider", False, False),
    ("how do I loosen the bolt", "how can I make the bolt less tight", False, False),
    ("how do I widen or narrow the gate", "how do I narrow or widen the gate", False, False),
    ("how do I widen the gate", "how do I not narrow the gate", False, False),
    # no lemma of the table: the prefix families need both words
    ("how do I upload a file", "how do I download a file", False, False),
    ("was I overpaid last month", "was I underpaid last month", False, False),
])
def test_w3_adds_the_direction_opposites(w: Any, vocab: Vocabulary, a: str, b: str, w2: bool,
                                         w3: bool) -> None:
    for x, y in ((a, b), (b, a)):
        assert w.refuses_w2(vocab.view(x), vocab.view(y)) is w2
        assert w.refuses_w3(vocab.view(x), vocab.view(y)) is w3


def test_w3_names_every_pair(w: Any, vocab: Vocabulary) -> None:
    a, b = vocab.view("how do I widen the gate"), vocab.view("how do I narrow the gate")
    assert w.only_opposites(a.words, b.words) is None
    assert w.only_opposites(a.words, b.words, directions=True) == [("widen", "narrow")]


def test_w3_reads_hyphened_compounds_and_prefix_families(
        bench_module: Callable[[str], ModuleType]) -> None:
    d = bench_module("direction_opposites")
    assert d.joined(("the", "north", "bound", "train")) == ("the", "northbound", "train")
    words = ("the", "in", "box")
    assert d.joined(words) is words
    table = d.WithDirections.of_table(shared_synonyms())
    assert ("upstream", "downstream") in table.prefixed()
    assert {"widen", "broaden", "wide"} <= table.opposites["narrow"]
    assert "upload" not in table.opposites.get("download", frozenset())
