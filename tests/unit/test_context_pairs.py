"""bench/context_pairs.py (session 30): the added-situation shape, the AUC, the bundle's
pairs file and the run's figures, on toy labels and toy rows."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.unit.toy_rows import row

TEA = "Can you send a parcel of tea to the Netherlands?"
SON = "My son lives in Rotterdam; would you be able to post our tea to him there?"


@pytest.fixture()
def ctx(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("context_pairs")


def test_situation(ctx: ModuleType) -> None:
    tea = "Can you send a parcel of tea to the Netherlands?"
    son = "My son lives in Rotterdam; would you be able to post our tea to him there?"
    assert ctx.situation(tea, son) and ctx.situation(son, tea)  # either way round
    assert ctx.added_clauses(son, tea) == ["My son lives in Rotterdam"]
    # the added words ask about the question's own words: not a situation
    assert not ctx.situation(tea, "Can you send a parcel of tea to the Netherlands, my tea is "
                                  "loose leaf tea?")
    # no first-person clause, or too little added
    assert not ctx.situation(tea, "Is it possible to ship a box of loose-leaf tea over to "
                                  "Holland, including Amsterdam and Rotterdam, by courier?")
    assert not ctx.situation("how do I reset my password?", "how can I reset my password now?")


def test_containment(ctx: ModuleType) -> None:
    assert ctx.containment("when is payday?", "hi, new starter here: when is payday?") == 1.0
    assert ctx.containment("Can you send a parcel of tea to the Netherlands?",
                           "My son lives in Rotterdam; would you post our tea to him?") == 0.25
    assert ctx.containment("how do I?", "how do I, really?") == 1.0  # no content word


def test_auc(ctx: ModuleType) -> None:
    assert ctx.auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert ctx.auc([0.1], [0.9]) == 0.0
    assert ctx.auc([0.5, 0.5], [0.5]) == 0.5  # ties half
    assert ctx.auc([0.9, 0.3], [0.5, 0.1]) == 0.75
    assert ctx.auc([], [0.1]) is None


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_pairs_and_run(ctx: ModuleType, tmp_path: Path) -> None:
    short = "when is payday?"
    labels = write(tmp_path / "labels.jsonl", [
        {"a": "hi", "b": "hello", "label": 1, "source": "qqp", "kind": "paraphrase"},
        {"a": short, "b": "hi, new starter here, my manager told me to ask: when is payday?",
         "label": 1, "source": "train13a", "kind": "added_context"},
        {"a": short, "b": "my payday falls on a Sunday this month, is it the Friday before?",
         "label": 0, "source": "train13a", "kind": "specific_case"},
        {"a": "can I pause it?", "b": "can I pause it and also get a refund for last month?",
         "label": 0, "source": "train16a", "kind": "added_request"},
        {"a": TEA, "b": SON, "label": 1, "source": "heldout30", "kind": "reworded"},
        {"a": TEA, "b": SON, "label": 0, "source": "mined", "kind": None},  # a toy's conflict
    ])
    out = tmp_path / "pairs.jsonl"
    ctx.pairs(argparse.Namespace(labels=labels, out=out, kinds=[]))
    made = [json.loads(line) for line in out.read_text().splitlines()]
    assert [p["id"] for p in made] == ["train13a:1", "train13a:2", "train16a:3",
                                       "heldout30:4", "mined:5"]
    assert made[0]["group"] == made[1]["group"] == f"train13a|{short}"
    assert [p["shape"] for p in made] == ["context"] * 3 + ["situation"] * 2
    assert made[4]["kind"] == "mined"  # the source where the bundle has no kind
    ctx.pairs(argparse.Namespace(labels=labels, out=out, kinds=["paraphrase", "reworded"]))
    made = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(p["id"], p["shape"]) for p in made[:2]] == [("qqp:0", "kind"),
                                                         ("train13a:1", "context")]
    assert made[4]["shape"] == "situation"  # a reworded pair of the shape stays one

    # S5's rows of those pairs: the positive at 0.95 (found), the specific case at 0.6,
    # the added request at 0.97 (passes)
    bundle = write(tmp_path / "bundle-rows.jsonl", [
        {**row("pairs", 0, 1, 0.95, "added_context"), "id": "train13a:1"},
        {**row("pairs", 1, 0, 0.6, "specific_case"), "id": "train13a:2"},
        {**row("pairs", 2, 0, 0.97, "added_request"), "id": "train16a:3"},
        {**row("pairs", 3, 1, 0.93), "id": "heldout30:4", "a": TEA, "b": SON},
        {**row("pairs", 4, 0, 0.2, "mined"), "id": "mined:5", "a": TEA, "b": SON},
        {**row("pairs", 5, 1, 0.3, "paraphrase"), "id": "qqp:0"},
    ])
    tea, son = TEA, SON
    writers = write(tmp_path / "rows.jsonl", [
        {**row("heldout54", 1, 1, 0.4), "a": tea, "b": son},  # refused, the shape
        {**row("heldout54", 2, 1, 0.99), "a": son, "b": tea},  # found, the shape
        row("heldout54", 3, 1, 0.5),  # refused, not the shape
        {**row("heldout54", 4, 0, 0.45, "near_topic"), "a": tea,
         "b": "My daughter moved to Utrecht last spring with her cat; can we ship a teapot to "
                "Belgium?"},
        row("heldout55", 5, 0, 0.3, "entity_swap"),
    ])
    hand = tmp_path / "hand.json"
    hand.write_text(json.dumps({"reader": "toy", "flagged": {"heldout54:p0001": "yes-term"},
                                "missed": {"heldout54:p0003": "no"}}))
    result = ctx.run(argparse.Namespace(bundle_pairs=out, bundle_rows=bundle, rows=[writers],
                                        examples=10, hand=30, hand_labels=hand))
    b = result["bundle"]
    assert b["by_kind"]["added_context"]["hit"] == 1
    assert b["by_kind"]["specific_case"]["refused"] == 1
    assert b["by_kind"]["added_request"]["hit:verifier"] == 1
    assert b["auc"]["auc"] == 0.5  # 0.95 over 0.6, under 0.97
    assert b["matched"] == {"sets_with_both": 1, "positive_negative_pairs": 1,
                            "positive_scored_higher": 1.0, "both_right_at_cut": 1}
    sit = b["situation"]
    assert sit["by_kind"]["+reworded"]["hit"] == 1 and sit["by_kind"]["-mined"]["refused"] == 1
    assert sit["positives_reworded"]["n"] == 1
    # the mined negative is counted by kind only: no hand-written negative to rank against
    assert sit["negatives_reworded"]["n"] == 0 and sit["auc_reworded"]["auc"] is None
    assert sit["positives_kept"]["n"] == 0  # the toy's added_context has no first-person clause
    assert b["kinds"]["paraphrase:other"]["refused:verifier"] == 1
    assert b["kinds"]["paraphrase:situation"]["n"] == 0
    w = result["writers"]
    assert w["sets"] == ["heldout54", "heldout55"]
    assert w["reworded"]["positives"] == 3 and w["reworded"]["refused"] == 2
    assert w["reworded"]["situation_refused"] == 1
    assert w["reworded"]["by_set"]["heldout54"] == {
        "positives": 3, "refused": 2, "refused_verifier": 2, "situation_refused": 1,
        "situation_refused_verifier": 1}
    assert w["auc_situation"] == {"positives": 2, "negatives": 1, "auc": 0.5}
    assert [d["id"] for d in w["hand_check_draw"]] == ["p0001"]
    assert w["hand_check_draw"][0]["clauses"] == ["My son lives in Rotterdam"]
    assert w["situation_by_kind"]["-near_topic"]["refused"] == 1
    assert w["positives_reworded"]["refused"] == 1 and w["positives_reworded"]["hit"] == 1
    assert w["auc_reworded"]["auc"] == 0.5  # 0.4 and 0.99 against 0.45
    check = w["hand_check"]
    assert check["flagged"]["yes"] == 1 and check["flagged"]["estimate"] == 1.0
    assert check["missed"] == {"read": 1, "yes": 0, "values": {"no": 1},
                               "share_ci": ctx.wilson(0, 1), "of": 1, "estimate": 0.0,
                               "estimate_ci": [0.0, 0.8]}
    hand.write_text(json.dumps({"flagged": {"heldout54:p0002": "yes"}, "missed": {}}))
    with pytest.raises(SystemExit, match="not the run's draw"):
        ctx.run(argparse.Namespace(bundle_pairs=out, bundle_rows=bundle, rows=[writers],
                                   examples=10, hand=30, hand_labels=hand))


def test_wilson(ctx: ModuleType) -> None:
    assert ctx.wilson(26, 30) == [0.7032, 0.9469]  # 26 of 30
    assert ctx.wilson(0, 0) is None
