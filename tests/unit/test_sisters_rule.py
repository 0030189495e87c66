"""bench/sisters.py's H (session 22, built for session 23's decision): a noun swapped for
a WordNet sister at the same place refuses a pair; synonyms, a noun and its own
hypernym, a text naming both nouns and long reworded spans are left alone. A made-up
WordNet folder stands in for the real one (not in the repository)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

# offset, lemmas, direct hypernyms: clavier > clavichord, spinet, harpsichord (= cembalo);
# instrument > clavier, drum; fowl > goose, duck
SYNSETS = [("00000001", ["clavier"], ["00000004"]),
           ("00000002", ["clavichord"], ["00000001"]),
           ("00000003", ["spinet"], ["00000001"]),
           ("00000004", ["instrument"], []),
           ("00000005", ["drum"], ["00000004"]),
           ("00000006", ["harpsichord", "cembalo"], ["00000001"]),
           ("00000007", ["goose"], ["00000008"]),
           ("00000008", ["fowl"], []),
           ("00000009", ["duck"], ["00000008"])]


def _wordnet(folder: Path) -> Path:
    data, index = ["  1 a licence header line"], ["  1 a licence header line"]
    senses: dict[str, list[str]] = {}
    for offset, lemmas, up in SYNSETS:
        words = " ".join(f"{w} 0" for w in lemmas)
        pointers = " ".join(f"@ {p} n 0000" for p in up)
        data.append(f"{offset} 06 n {len(lemmas):02x} {words} {len(up):03d} {pointers} "
                    f"| a gloss")
        for w in lemmas:
            senses.setdefault(w, []).append(offset)
    for w, offsets in sorted(senses.items()):
        index.append(f"{w} n {len(offsets)} 1 @ {len(offsets)} 0 {' '.join(offsets)}")
    (folder / "data.noun").write_text("\n".join(data) + "\n")
    (folder / "index.noun").write_text("\n".join(index) + "\n")
    (folder / "noun.exc").write_text("geese goose\n")
    return folder


@pytest.fixture(scope="module")
def h(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("sisters")


@pytest.fixture
def table(h: ModuleType, tmp_path: Path) -> Any:
    return h.Hypernyms.read(_wordnet(tmp_path))


@pytest.mark.parametrize(("x", "y", "sisters"), [
    ("clavichord", "spinet", True),  # both a clavier
    ("clavichords", "spinets", True),  # plurals read to their lemmas
    ("geese", "duck", True),  # the exception list's form
    ("harpsichord", "cembalo", False),  # one synset: synonyms
    ("clavichord", "clavier", False),  # a noun and its own hypernym
    ("clavichord", "drum", False),  # cousins: two steps up
    ("clavichord", "piano", False),  # not a lemma
    ("spinet", "spinet", False),
])
def test_sisters(table: Any, x: str, y: str, sisters: bool) -> None:
    assert table.sisters(x, y) is sisters
    assert table.sisters(y, x) is sisters


def test_cousins_at_depth_two(h: ModuleType, tmp_path: Path) -> None:
    two = h.Hypernyms.read(_wordnet(tmp_path), depth=2)
    assert two.sisters("clavichord", "drum")
    assert not two.sisters("clavichord", "instrument")  # two steps up: its hypernym


class _Same:
    def __init__(self, pairs: set[tuple[str, str]]) -> None:
        self.pairs = pairs

    def same(self, a: Sequence[str], b: Sequence[str]) -> bool:
        return (a[0], b[0]) in self.pairs or (b[0], a[0]) in self.pairs


@pytest.mark.parametrize(("a", "b", "found"), [
    ("is a clavichord hard to tune", "is a spinet hard to tune", ("clavichord", "spinet")),
    ("do geese need a pond", "do ducks need a pond", ("geese", "ducks")),
    ("is a harpsichord hard to tune", "is a cembalo hard to tune", None),  # synonyms
    ("is a clavichord hard to tune", "is a clavier hard to tune", None),  # hypernym
    ("clavichord or spinet: which is harder to tune",
     "spinet or clavichord: which is harder to tune", None),  # both texts name both
    ("is a clavichord hard to tune", "is a spinet or a clavichord hard to tune", None),
    ("is a clavichord hard to tune",
     "what does keeping an old spinet tuned take", None),  # a span of more than 3
    ("is an old clavichord hard to tune", "is a spinet hard to tune",
     ("clavichord", "spinet")),  # spans of two lengths: any word against any
    ("is a clavichord duck hard", "is a spinet goose hard",
     ("clavichord", "spinet")),  # one length: word against word at its place
    ("is a clavichord duck hard", "is a goose spinet hard", None),
    ("is the Clavichord hard to tune", "is the Spinet hard to tune", None),  # E's names
])
def test_swapped_sisters(h: ModuleType, table: Any, a: str, b: str,
                         found: tuple[str, str] | None) -> None:
    assert h.swapped_sisters(a, b, table) == found


def test_the_synonym_table_overrules(h: ModuleType, table: Any) -> None:
    a, b = "is a clavichord hard to tune", "is a spinet hard to tune"
    assert h.swapped_sisters(a, b, table, _Same({("clavichord", "spinet")})) is None
    assert h.swapped_sisters(a, b, table, _Same(set())) == ("clavichord", "spinet")


def test_lines_name_each_lemma_with_hypernyms(table: Any) -> None:
    lines = table.lines()
    assert "h\tclavichord\t00000001" in lines
    assert "s\tclavichord\t00000002" in lines
    assert not any(line.split("\t")[1] == "instrument" for line in lines)  # none above it


def test_fire_refuses_decision_and_unseen_sets(bench_module: Callable[[str], ModuleType],
                                               tmp_path: Path) -> None:
    rule = bench_module("sisters_rule")
    assert rule.TRAIN and all(Path(s).name.startswith("train") for s in rule.TRAIN)
    for name in ("heldout9", "heldout35", "heldout36", "heldout37", "heldout38",
                 "data/heldout39"):
        with pytest.raises(SystemExit, match="not run on decision or unseen"):
            rule.fire([name], tmp_path, 1, tmp_path / "out.jsonl")


def test_the_names_form_reads_as_the_texts_form(h: ModuleType, table: Any) -> None:
    from entities import names_of

    a, b = "is a clavichord hard to tune", "is a spinet hard to tune"
    assert h.sisters_swapped(names_of(a), names_of(b), table) == h.swapped_sisters(a, b, table)


def _row(set_name: str, label: int, p: float) -> dict[str, Any]:
    return {"set": set_name, "kind": "k", "label": label, "a": f"a{p}", "b": f"b{p}",
            "similarity": 0.9, "numbers": False, "respelling": None, "p": p,
            "narrowed": False, "more": False, "own": False}


def test_decide_counts_the_decision_sets_and_quora_apart(
        bench_module: Callable[[str], ModuleType], tmp_path: Path) -> None:
    import json

    rule = bench_module("sisters_rule")
    # two decision paraphrases hit, one decision negative hit, one missed; a Quora
    # paraphrase hit; another set's negative hit (reported only)
    rows = [_row("heldout38", 1, 0.99), _row("heldout38", 1, 0.98), _row("heldout39", 0, 0.95),
            _row("heldout39", 0, 0.10), _row("pairs:qqp", 1, 0.97), _row("train9a", 0, 0.96)]
    fired = [{k: r[k] for k in ("set", "kind", "label", "a", "b")} | {"nouns": ["x", "y"]}
             for r in rows]

    def jsonl(name: str, items: list[dict[str, Any]]) -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps(i) + "\n" for i in items))
        return path

    fired_path = jsonl("fired.jsonl", fired)
    fired_path.with_suffix(".json").write_text(json.dumps(
        {"pairs": 6, "fired": 6, "added_cpu_ms": {"median": 0.02}}))
    base = jsonl("base.jsonl", rows[:4])
    off = jsonl("off.jsonl", rows)
    out = tmp_path / "decision.json"
    rule.decide(base, jsonl("quora.jsonl", rows[4:5]), fired_path, off, out,
                ("heldout38", "heldout39"))
    verdict = json.loads(out.read_text())["verdict"]
    assert (verdict["P"], verdict["N"], verdict["quora_P"], verdict["others_N"]) == (2, 1, 1, 1)
    assert verdict["added"] == 0 and not verdict["ships"]  # N < 3
    # Quora's rows must give the pairs' verdicts without H
    with pytest.raises(SystemExit, match="differ"):
        rule.decide(base, jsonl("quora2.jsonl", [_row("pairs:qqp", 1, 0.10) | {
            "a": "a0.97", "b": "b0.97"}]), fired_path, off, out, ("heldout38", "heldout39"))
