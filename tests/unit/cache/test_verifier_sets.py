"""The verifier's independent training sets (train/cache_verifier/build.py): each set is
split into train and tune by whole domains, and a set left out (the decision set) is
nowhere."""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pytest

from train.cache_verifier.build import DATA, LATER_SETS, SEEN_SETS, load_seen_heldout, tune_domain
from train.cache_verifier.pairs import read_jsonl


def test_every_pair_of_every_set_trains_or_tunes_once() -> None:
    seen = load_seen_heldout()
    n = sum(len(read_jsonl(path)) for path, _ in SEEN_SETS.values())
    n += sum(len(read_jsonl(path)) for path in LATER_SETS.values())
    assert len(seen["train"]) + len(seen["tune"]) == n
    assert {p["source"] for p in seen["train"]} == set(SEEN_SETS) | set(LATER_SETS)


def test_a_domain_is_wholly_train_or_wholly_tune() -> None:
    splits: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, path in LATER_SETS.items():
        for p in read_jsonl(path):
            splits[source, p["domain"]].add("tune" if tune_domain(source, p["domain"])
                                            else "train")
    assert all(len(s) == 1 for s in splits.values())
    tuning = sum("tune" in s for s in splits.values())
    assert 0.2 < tuning / len(splits) < 0.5  # about a third of the domains tune


def test_a_left_out_set_is_in_neither_split() -> None:
    seen = load_seen_heldout(frozenset({"heldout8"}))
    sources = {p["source"] for split in seen.values() for p in split}
    assert "heldout8" not in sources and "heldout7" in sources
    texts = {(p["a"], p["b"]) for split in seen.values() for p in split}
    held = {(p["a"], p["b"]) for p in read_jsonl(LATER_SETS["heldout8"])}
    assert held - texts  # its pairs are not brought in under another name


def test_an_unknown_set_name_is_refused() -> None:
    with pytest.raises(SystemExit, match="no_such_set"):
        load_seen_heldout(frozenset({"no_such_set"}))


def test_the_hand_rule_lets_no_generated_negative_set_the_cut() -> None:
    """``train.CUT_RULES``: under "all" a generated negative above every hand-written one
    sets the cut; under "hand" it is scored but the hand-written pool and Quora decide."""
    import numpy as np

    from train.cache_verifier.train import CUT_RULES, operating_point

    sources = ["support"] * 100 + ["qqp"] * 100 + ["support+generated"] * 10
    labels = np.zeros(len(sources), np.int64)
    prob = np.concatenate([np.linspace(0.0, 0.5, 100), np.linspace(0.0, 0.6, 100),
                           np.full(10, 0.99)]).astype(np.float32)
    assert operating_point(prob, labels, sources, CUT_RULES["all"]) > 0.99
    hand = operating_point(prob, labels, sources, CUT_RULES["hand"])
    assert 0.5 < hand < 0.99  # Quora's 3 % binds (its fourth highest, ~0.58)
    assert all(not s.endswith("+generated") for g in CUT_RULES["hand"] for s in g)


def test_every_committed_training_set_is_the_file_its_writer_hashed() -> None:
    """Each hand-written set under data/cache_verifier/train*/ is byte for byte the file
    its README (written by its writer) and SOURCES.md name by sha256."""
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8").splitlines()
    names = sorted(p.parent.name for p in DATA.glob("train*/cache_pairs.jsonl"))
    assert {"train9a", "train10a", "train10f"} <= set(names)
    for name in names:
        sha = hashlib.sha256((DATA / name / "cache_pairs.jsonl").read_bytes()).hexdigest()
        assert sha in (DATA / name / "README.md").read_text(encoding="utf-8"), name
        row = [line for line in sources if f"`data/cache_verifier/{name}/cache_pairs.jsonl`"
               in line]
        assert len(row) == 1 and sha in row[0], name


def test_the_nets_recipe_leaves_out_what_the_shipped_nets_never_saw() -> None:
    """`make verifier` rebuilds session 8's nets: every set written since (heldout9-11,
    train10a-f) is in LATER_SETS (the cross-encoder trains on the train sets) but left
    out of the nets' build, and the decision sets stay out of the cross-encoder's."""
    makefile = (DATA.parents[1] / "Makefile").read_text(encoding="utf-8")
    later = {"heldout9", "heldout10", "heldout11", *(f"train10{x}" for x in "abcdef")}
    assert later <= set(LATER_SETS)
    nets = next(line for line in makefile.splitlines()
                if "cache_verifier.build --leave-out" in line and "CACHE_VERIFIER_RUN" not in line)
    assert set(nets.split("--leave-out")[1].split()) == later
    cross = next(line for line in makefile.splitlines()
                 if "cache_verifier.build" in line and "CACHE_VERIFIER_RUN" in line)
    assert set(cross.split("--leave-out")[1].split()) == {"heldout9", "heldout10", "heldout11"}
