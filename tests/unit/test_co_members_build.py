"""train/co_members.py on a WordNet of a few synsets: each noun lemma of one lower-case word
with its first senses' synsets, every sense's, the synsets a step above and, for a role
noun, the person synsets above it; names and lemmas with nothing above them left out; and
the layer's reader (``CoMembers``) reads the table so built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llm_router.cache.co_members import CoMembers
from tests.unit.test_synonym_build import tarball
from train.co_members import PERSON, TABLE, build

NOUNS = f"""\
  1 the licence header
00000010 18 n 01 secretary 0 001 @ {PERSON} n 0000 | a role
00000011 18 n 01 treasurer 0 001 @ {PERSON} n 0000 | a role
00000020 07 n 01 pitch 0 000 | nothing above it: left out
00000021 07 n 01 tenor 0 001 @ 00000020 n 0000 | a pitch
00000022 07 n 02 treble 0 soprano 0 001 @ 00000020 n 0000 | a pitch, two lemmas
00000023 07 n 01 Bergen 0 001 @i 00000020 n 0000 | a name: left out
00000024 07 n 01 tenor 0 001 @ 00000025 n 0000 | tenor's fourth sense: not read
00000025 07 n 01 course 0 000 | nothing above it
{PERSON} 03 n 02 person 0 someone 0 000 | person.n.01
"""
SENSES = f"""\
secretary%1:18:00:: 00000010 1 0
treasurer%1:18:00:: 00000011 1 0
pitch%1:07:00:: 00000020 1 0
tenor%1:07:00:: 00000021 1 0
tenor%1:07:01:: 00000024 4 0
treble%1:07:00:: 00000022 1 0
soprano%1:07:00:: 00000022 1 0
bergen%1:07:00:: 00000023 1 0
course%1:07:00:: 00000025 1 0
person%1:03:00:: {PERSON} 1 0
someone%1:03:00:: {PERSON} 1 0
"""


def table(tmp_path: Path, **options: Any) -> str:
    wordnet = tarball(tmp_path / "wordnet.tgz", {
        "package/dict/data.noun": NOUNS,
        "package/dict/index.sense": options.pop("senses_text", SENSES),
        "package/LICENSE": "WordNet's licence\n"})
    exceptions = tarball(tmp_path / "exceptions.tgz", {
        "package/data/noun.exc": "sopranos soprano\ntrebleses treble\ncourses course\n"})
    return build(wordnet, exceptions, **options)[TABLE]


V1 = {"co_hyponyms": True, "role_senses": 3, "noun_first": False}  # the brief's definition


def test_the_table(tmp_path: Path) -> None:
    # synsets numbered in offset order: 10 -> 0, 11 -> 1, 20 -> 2, 21 -> 3, 22 -> 4,
    # 23 -> 5, 24 -> 6, 25 -> 7, person -> 8
    assert table(tmp_path, **V1).splitlines() == [
        "e\tsopranos\tsoprano", "e\ttrebleses\ttreble",
        "n\tperson\t8\t8\t\t8",  # a role noun, nothing above it
        "n\tsecretary\t0\t0\t8\t0 8",
        "n\tsomeone\t8\t8\t\t8",
        "n\tsoprano\t4\t4\t2\t-",
        "n\ttenor\t3 6\t3 6\t2 7\t-",
        "n\ttreasurer\t1\t1\t8\t1 8",
        "n\ttreble\t4\t4\t2\t-"]


def test_only_the_first_senses_are_read(tmp_path: Path) -> None:
    assert "n\ttenor\t3\t3 6\t2\t-" in table(tmp_path, **V1, senses=1).splitlines()


def test_the_default_keeps_role_nouns_only_and_nouns_first(tmp_path: Path) -> None:
    assert table(tmp_path).splitlines() == [
        "n\tperson\t8\t8\t\t8", "n\tsecretary\t0\t0\t\t0 8", "n\tsomeone\t8\t8\t\t8",
        "n\ttreasurer\t1\t1\t\t1 8"]  # no exception names a role noun here
    tagged = SENSES.replace("treasurer%1:18:00:: 00000011 1 0",
                            "treasurer%1:18:00:: 00000011 1 0\ntreasurer%2:18:00:: 00000099 1 5")
    assert "n\ttreasurer" not in table(tmp_path, senses_text=tagged)  # tagged mostly a verb


def test_the_layers_reader_reads_it(tmp_path: Path) -> None:
    members = CoMembers.of(table(tmp_path, **V1).encode())
    assert members.pair("tenor", "treble") and members.pair("tenor", "sopranos")
    assert members.pair("secretary", "treasurer")
    assert not members.pair("treble", "soprano")  # one synset
    assert not members.pair("person", "secretary")  # a secretary is a person
    assert members.entry("course") is None and members.entry("bergen") is None  # left out
