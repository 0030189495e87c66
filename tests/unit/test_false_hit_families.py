"""bench/false_hit_families.py (session 31): the hand-read families of the negatives the
lookup passes, and a check's effect on rows made with it off, on toy rows and a toy bundle
(invented texts; the shipped verifier's word views)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.unit.cache.test_extra_ask import BOILERS
from tests.unit.toy_rows import row

CUT = 0.916959


@pytest.fixture(scope="module")
def fam(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("false_hit_families")


@pytest.fixture(scope="module")
def view() -> Any:
    from llm_router.cache.verifier import shared_verifier

    return shared_verifier().vocabulary.view


def texts(r: dict[str, Any], pair: tuple[str, str]) -> dict[str, Any]:
    return {**r, "a": pair[0], "b": pair[1]}


PLAIN = ("how do I reset my router", "how can I reset my router")


def test_families_lists_the_passed_negatives_with_their_family(fam: ModuleType) -> None:
    rows = [row("heldout76", 294, 0, 0.93), row("heldout76", 1, 0, 0.95),
            row("heldout76", 2, 0, 0.40), row("heldout76", 3, 1, 0.99),
            row("heldout76", 4, 0, 0.99, similarity=0.3)]  # under the floor
    out = fam.families(rows)
    assert out["passed"] == 2 and out["negatives"] == 4
    assert [(p["id"], p["family"]) for p in out["pairs"]] == [("p0294", "asks more"),
                                                              ("p0001", "unread")]
    assert out["by_family"] == {"asks more": 1, "unread": 1}
    assert out["asks_more_by_place"] == {"wrapped": 1}
    assert out["by_set"] == {"heldout76": {"asks more": 1, "unread": 1}}


def test_every_hand_read_pair_has_a_known_family(fam: ModuleType) -> None:
    known = {"entity swap", "number/unit swap", "asks more", "different request", "negation",
             "direction", "label doubtful", "other"}
    assert {family for family, _ in fam.FAMILIES.values()} <= known
    assert len(fam.FAMILIES) == 56


def test_check_counts_what_turning_it_on_changes(fam: ModuleType, view: Any) -> None:
    rows = [texts(row("s", 0, 0, 0.95), BOILERS),  # a passed negative it refuses
            texts(row("s", 1, 1, 0.95), PLAIN),  # a passed positive it leaves
            texts(row("s", 2, 0, 0.30), BOILERS),  # fires, but the verifier refused it
            texts(row("pairs:qqp", 3, 1, 0.99), PLAIN)]
    out = fam.check(rows, "asks_first", view)
    assert out["by_set"]["s"] == {"positives": 1, "negatives": 2, "hits_off": 1, "hits_on": 1,
                                  "false_hits_off": 1, "false_hits_on": 0,
                                  "fired_by_label": {"0": 2}}
    assert out["all_but_pairs"]["false_hits_on"] == 0
    assert (out["refused_negatives"], out["refused_positives"]) == (1, 0)
    assert [(x["id"], x["passed"]) for x in out["fired"]] == [("p0000", True), ("p0002", False)]
    assert out["fired_not_passed_by_label"] == {"0": 1}
    assert out["candidates_timed"] == 3 and out["cpu_us_per_candidate"] >= 0


def test_request_verb_fires_on_a_paraphrase(fam: ModuleType, view: Any) -> None:
    # why the broader shape was left: a reworded request is a new verb too
    assert fam.request_verb(view("do you ship wigs abroad"),
                            view("I live overseas, will you post my hairpiece to me"))
    assert not fam.request_verb(view("do you ship wigs abroad"),
                                view("could you tell me whether you ship wigs overseas"))


def test_bundle_reads_texts_and_labels_in_order(fam: ModuleType, view: Any,
                                                tmp_path: Path) -> None:
    pairs = [BOILERS, PLAIN, BOILERS]
    (tmp_path / "bundle-probe.jsonl").write_text("".join(
        json.dumps({"cached": a, "query": b}) + "\n" for a, b in pairs))
    np.savez(tmp_path / "bundle.npz", **{"train.label": np.asarray([0, 1, 1], np.int8)})
    out = fam.bundle(tmp_path, "asks_first", view)
    assert out["pairs"] == 3 and out["labels"] == {"0": 1, "1": 2}
    assert out["fired_by_label"] == {"0": 1, "1": 1}
    assert [x["index"] for x in out["fired"]] == [2, 0]  # the positives listed first
    np.savez(tmp_path / "bundle.npz", **{"train.label": np.asarray([0, 1], np.int8)})
    with pytest.raises(SystemExit):
        fam.bundle(tmp_path, "asks_first", view)


def test_cache_losses_stages_the_check(bench_module: Callable[[str], ModuleType]) -> None:
    losses = bench_module("cache_losses")
    assert losses.stage(row("s", 0, 0, 0.95, first=True), 0.5, CUT) == ("extra_ask_first",
                                                                         False)
    assert losses.stage(row("s", 0, 0, 0.95), 0.5, CUT) == ("verifier", True)  # rows of before
    assert losses.stage(row("s", 0, 0, 0.50, first=True), 0.5, CUT) == ("verifier", False)
