"""bench/co_members_screen.py on toy rows and a toy table: a pair changes only where the
shipped lookup's verifier passed it and the check fires (a respelled hit, a pair under the
floor or under the cut, is counted as fired but not changed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from llm_router.cache.co_members import CoMembers
from tests.unit.cache.test_co_members import TOY

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from co_members_screen import screen  # noqa: E402

SECRETARY, TREASURER = "who is the league secretary", "who is the league treasurer"


def row(n: int, label: int, a: str, b: str, p: float | None = 0.95, similarity: float = 0.8,
        respelling: list[str] | None = None, name: str = "s") -> dict[str, Any]:
    return {"set": name, "id": f"p{n}", "kind": "k", "label": label, "a": a, "b": b,
            "similarity": similarity, "numbers": False, "respelling": respelling, "p": p}


def test_screen() -> None:
    rows = [row(1, 0, SECRETARY, TREASURER),  # passed, fires: a false hit removed
            row(2, 1, "can the tenor sing", "can the treble sing"),  # passed, fires: lost
            row(3, 0, SECRETARY, TREASURER, p=0.5),  # the verifier refuses it anyway
            row(4, 0, SECRETARY, TREASURER, similarity=0.3),  # under the floor
            row(5, 1, SECRETARY, TREASURER, respelling=["synonym"]),  # respelled first
            row(6, 0, "who is the league secretary", "who was the league treasurer"),
            row(7, 1, "is it open", "is it open now", name="pairs:qqp")]
    result = screen(rows, CoMembers.of(TOY), None)
    assert [x["id"] for x in result["false_hits_removed"]] == ["p1"]
    assert [x["id"] for x in result["paraphrases_lost"]] == ["p2"]
    assert result["paraphrases_lost"][0]["words"] == ["tenor", "treble"]
    assert result["fired_not_passed_by_label"] == {"0": 2, "1": 1}
    assert result["by_set"]["s"] == {
        "positives": 2, "negatives": 4, "hits_off": 2, "hits_on": 1, "false_hits_off": 2,
        "false_hits_on": 1, "fired_by_label": {"0": 3, "1": 2}}
    assert result["all_but_pairs"]["positives"] == 2  # pairs:* left out
    assert result["candidates_timed"] == 6  # every row with p at the cut or over
