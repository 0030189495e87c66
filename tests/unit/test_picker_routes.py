"""bench/picker_routes.py: the seen sets it reads and its row-by-row comparison."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture(scope="module")
def picker_routes(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("picker_routes")


def test_it_reads_heldout1_to_57_and_never_a_later_set(picker_routes: ModuleType) -> None:
    assert picker_routes.SEEN[0] == "heldout" and picker_routes.SEEN[-1] == "heldout57"
    assert len(picker_routes.SEEN) == 57
    assert not any(name in picker_routes.SEEN for name in ("heldout58", "heldout59"))


def record(tiers: list[str], moved: list[bool]) -> dict[str, Any]:
    rows = [{"set": "heldout2", "id": f"q{i}", "two_asks_override": "on", "tier": t,
             "two_asks": m} for i, (t, m) in enumerate(zip(tiers, moved, strict=True))]
    return {"queries": len(rows), "rows": rows, "artefact": "x"}


def test_compare_counts_rows_whose_tier_or_two_asks_differ(picker_routes: ModuleType) -> None:
    a = record(["simple", "moderate"], [False, True])
    assert picker_routes.compare(a, a)["differ"] == 0
    assert picker_routes.compare(a, record(["simple", "moderate"], [False, False]))["differ"] == 1
    assert picker_routes.compare(a, record(["moderate", "moderate"], [False, True]))["differ"] == 1
    other = record(["simple", "moderate"], [False, True])
    other["rows"][0]["id"] = "q9"
    with pytest.raises(SystemExit):
        picker_routes.compare(a, other)
