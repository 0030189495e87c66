"""train/synonyms.py on a WordNet of three synsets: guard G (session 20) leaves out the
groups of noun.animal (05) and noun.plant (20) synsets, and a lemma keeps its others."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from train.synonyms import TABLE, build

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


def table(tmp_path: Path, living_things: bool) -> str:
    wordnet = tarball(tmp_path / "wordnet.tgz", {
        "package/dict/data.noun": NOUNS, "package/dict/index.sense": SENSES,
        **{f"package/dict/data.{p}": "" for p in ("verb", "adj", "adv")},
        "package/LICENSE": "WordNet's licence\n"})
    exceptions = tarball(tmp_path / "exceptions.tgz", {
        f"package/data/{p}.exc": "" for p in ("noun", "verb", "adj", "adv")})
    return build(wordnet, exceptions, living_things=living_things)[TABLE]


def test_guard_g_leaves_out_animals_and_plants_and_keeps_a_lemmas_other_groups(
        tmp_path: Path) -> None:
    assert table(tmp_path, living_things=False) == "g\taubergine\t0\ng\teggplant\t0\n"


def test_with_living_things_every_group_stays(tmp_path: Path) -> None:
    assert table(tmp_path, living_things=True).splitlines() == [
        "g\taubergine\t0 1", "g\tdeath cap\t2", "g\tdestroying angel\t2", "g\tdog\t3",
        "g\tdomestic dog\t3", "g\teggplant\t0 1"]  # the food's group and the plant's
