"""train/synonyms.py on a WordNet of a few synsets: guard G (session 20) leaves out the
groups of noun.animal (05) and noun.plant (20) synsets, and a lemma keeps its others; rule K
(session 32) leaves out the groups of ``KINDS``' synsets, every other line as without it."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from train.synonyms import KINDS, TABLE, build

NOUNS = """\
  1 the licence header
00000001 20 n 02 death_cap 0 destroying_angel 0 000 | a fungus
00000002 13 n 02 aubergine 0 eggplant 0 000 | the fruit, eaten
00000003 20 n 02 aubergine 0 eggplant 0 000 | the plant
00000004 05 n 02 dog 0 domestic_dog 0 000 | the animal
"""
SENSES = """\
death_cap%1:20:00:: 00000001 1 0
destroying_angel%1:20:00:: 00000001 1 0
aubergine%1:13:00:: 00000002 1 0
eggplant%1:13:00:: 00000002 1 0
aubergine%1:20:00:: 00000003 2 0
eggplant%1:20:00:: 00000003 2 0
dog%1:05:00:: 00000004 1 0
domestic_dog%1:05:00:: 00000004 1 0
"""


def tarball(path: Path, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


# Three synsets of hats: WordNet 3.1's felt hats (a ``KINDS`` synset, its offset), a felt
# hat's other sense and a synset after them, whose group number rule K must not move.
HATS = """\
  1 the licence header
03330886 06 n 03 fedora 0 homburg 0 trilby 0 000 | a hat made of felt
03330887 06 n 02 trilby 0 novel 0 000 | not WordNet's: a second group for "trilby"
03330888 06 n 02 zephyr 0 zeph 0 000 | a group after the felt hats'
"""
HAT_SENSES = """\
fedora%1:06:00:: 03330886 1 0
homburg%1:06:00:: 03330886 1 0
trilby%1:06:00:: 03330886 1 0
trilby%1:06:01:: 03330887 2 0
novel%1:06:00:: 03330887 1 0
zephyr%1:06:00:: 03330888 1 0
zeph%1:06:00:: 03330888 1 0
"""


def table(tmp_path: Path, living_things: bool, nouns: str = NOUNS, senses: str = SENSES,
          kinds: bool = True) -> str:
    wordnet = tarball(tmp_path / "wordnet.tgz", {
        "package/dict/data.noun": nouns, "package/dict/index.sense": senses,
        **{f"package/dict/data.{p}": "" for p in ("verb", "adj", "adv")},
        "package/LICENSE": "WordNet's licence\n"})
    exceptions = tarball(tmp_path / "exceptions.tgz", {
        f"package/data/{p}.exc": "" for p in ("noun", "verb", "adj", "adv")})
    return build(wordnet, exceptions, living_things=living_things, kinds=kinds)[TABLE]


def test_guard_g_leaves_out_animals_and_plants_and_keeps_a_lemmas_other_groups(
        tmp_path: Path) -> None:
    assert table(tmp_path, living_things=False) == "g\taubergine\t0\ng\teggplant\t0\n"


def test_with_living_things_every_group_stays(tmp_path: Path) -> None:
    assert table(tmp_path, living_things=True).splitlines() == [
        "g\taubergine\t0 1", "g\tdeath cap\t2", "g\tdestroying angel\t2", "g\tdog\t3",
        "g\tdomestic dog\t3", "g\teggplant\t0 1"]  # the food's group and the plant's


def test_rule_k_leaves_out_a_kinds_synset_and_moves_no_other_group(tmp_path: Path) -> None:
    assert "n:03330886" in KINDS
    assert table(tmp_path, False, HATS, HAT_SENSES).splitlines() == [
        "g\tnovel\t1", "g\ttrilby\t1", "g\tzeph\t2", "g\tzephyr\t2"]
    assert table(tmp_path, False, HATS, HAT_SENSES, kinds=False).splitlines() == [
        "g\tfedora\t0", "g\thomburg\t0", "g\tnovel\t1", "g\ttrilby\t0 1", "g\tzeph\t2",
        "g\tzephyr\t2"]
