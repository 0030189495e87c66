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
