"""bench/entities.py (session 22's E, not shipped): a proper name or letter code swapped
for another at the same place refuses a pair; sentence starts, "I", common words
capitalised for emphasis, title-case texts, respellings (case, acronyms, clippings, typos,
the aliases), a name on one side only, a reordering, a greeting's name and lower-case
writing are left alone."""

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
def e(bench_module: Callable[[str], ModuleType]) -> Any:
    return bench_module("entities")


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(np.ones(30522, np.float32))


def placed(e: Any, text: str) -> list[str]:
    found = e.names_of(text)
    return [found.words[k] for k in sorted(found.places)]


@pytest.mark.parametrize(("text", "names"), [
    ("how long is the walk up Helvellyn from Glenridding", ["helvellyn", "glenridding"]),
    ("Which train goes to Leeds? Which platform?", ["leeds"]),  # sentence starts: none
    ("my dishwasher shows FE, what now", ["fe"]),  # a letter code
    ("FE on my dishwasher, what now", ["fe"]),  # a code is one at a text's start too
    ("can I return it if it is NOT used, Please", []),  # "I", emphasis, politeness
    ("How To Reset My Router Password", []),  # title case: its case says nothing
    ("How To Reset My Router PIN", ["pin"]),  # ... a letter code still is one
    ("Hi Sarah, how do I reset my password", []),  # whom a greeting addresses
    ("does my iPhone work with JavaScript", ["iphone", "javascript"]),  # inner capitals
    ("do you ship to the US or the United Kingdom", ["usa", "uk"]),  # the aliases' names
    ("donald trump or joe biden", []),  # lower case: not read
])
def test_names_read(e: Any, text: str, names: list[str]) -> None:
    assert placed(e, text) == names


@pytest.mark.parametrize(("a", "b", "found"), [
    ("how long is the walk up Helvellyn from Glenridding",
     "how long is the walk up Skiddaw from Glenridding", ("helvellyn", "skiddaw")),
    ("my dishwasher shows error code FE, what does it mean",
     "my dishwasher shows error code LE, what does it mean", ("fe", "le")),
    ("how do I sort a List in Haskell", "how do I sort a Map in Haskell", ("list", "map")),
    ("do you sell Elixir strings for acoustic guitars",
     "do you sell Ernie Ball strings for acoustic guitars", ("elixir", "ernie ball")),
    ("is the museum open on Monday", "is the museum open on Tuesday", ("monday", "tuesday")),
    ("how much should I tip in the US", "how much should I tip in Japan", ("usa", "japan")),
])
def test_a_swapped_name_refuses(e: Any, vocab: Vocabulary, a: str, b: str,
                                found: tuple[str, str]) -> None:
    assert e.swapped_names(a, b, vocab.pieces, shared_synonyms()) == found
    assert e.swapped_names(b, a, vocab.pieces, shared_synonyms()) == found[::-1]


@pytest.mark.parametrize(("a", "b"), [
    ("Which train goes to Leeds", "What train goes to Leeds"),  # a sentence's start
    ("can I return it", "may I return it"),  # "I"
    ("hi, Please tell me how to reset it", "hi, Kindly tell me how to reset it"),
    ("is it REALLY free", "is it ACTUALLY free"),  # capitals for emphasis
    ("How To Reset My Router", "How To Restart My Router"),  # title case
    ("can I ship to the US", "can I ship to the USA"),  # the aliases
    ("cheapest hotel in NYC", "cheapest hotel in New York City"),  # an acronym
    ("how to reverse an array in JS", "how to reverse an array in JavaScript"),
    ("is the office open Mon", "is the office open Monday"),  # a clipping
    ("how long is the walk up Helvelyn", "how long is the walk up Helvellyn"),  # a typo
    ("is the shop open on Sunday", "is the shop open at the weekend"),  # one side only
    ("Does Tesco take Apple Pay", "can I use Apple Pay at Tesco"),  # reordered
    ("Hi Sarah, how do I reset my password", "Hi Tom, how do I reset my password"),
    ("who will win, donald trump or joe biden", "who will win, joe biden or kamala harris"),
    ("do I need an adapter in Italy", "do I need an adapter for Italian sockets"),
    ("what time does the branch close on Saturdays",
     "until what time is the branch open on a Saturday"),
    ("who built the big temple in Karnak",  # a sentence reworded: a long span
     "which pharaohs were behind the construction of the great temples near Luxor"),
])
def test_no_swap(e: Any, vocab: Vocabulary, a: str, b: str) -> None:
    assert e.swapped_names(a, b, vocab.pieces, shared_synonyms()) is None
    assert e.swapped_names(b, a, vocab.pieces, shared_synonyms()) is None


@pytest.mark.parametrize(("x", "y", "one"), [
    ("saturdays", "saturday", True), ("egypt", "egyptian", True), ("eu", "european", True),
    ("rome", "roman", True), ("canada", "canadian", True), ("mac", "macbook", True),
    ("usa", "american", True), ("uk", "british", True),
    ("austria", "australia", False), ("iran", "iraq", False), ("leeds", "york", False),
])
def test_one_name(e: Any, x: str, y: str, one: bool) -> None:
    assert e._one_name(x, y) is one
    assert e._one_name(y, x) is one


def test_the_rule_fires_where_the_lookup_would_ask_the_models(
        bench_module: Callable[[str], ModuleType], vocab: Vocabulary) -> None:
    rule = bench_module("entity_rule")

    def fires(a: str, b: str) -> Any:
        return rule.fires(a, b, vocab.pieces, shared_synonyms(), False, vocab)

    assert fires("is the museum open on Monday", "is the museum open on Tuesday") == (
        "monday", "tuesday")
    # the hard check refuses it first (the amounts differ): no more refused by E
    assert fires("is the museum open on Monday at 9", "is the museum open on Tuesday at 10") is None
    cost = rule.added_cpu("is it open on Monday", "is it open on Tuesday", vocab.pieces,
                          shared_synonyms())
    assert 0 <= cost < 0.01  # seconds a pair
