"""bench/threshold_menu.py: the operators' table of cache.verifier_threshold, read from toy
cache_losses rows (per pair) and toy cache_shared results (populated caches)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tests.unit.toy_rows import row, traffic


@pytest.fixture(scope="module")
def menu(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("threshold_menu")


def toy_rows() -> list[dict[str, Any]]:
    # heldout90: pairs 0-1 support (traffic()), the rest general. Positives at p 0.72, 0.86,
    # 0.94, 0.99 and one under the floor; negatives at p 0.71, 0.89, 0.96 and one the amounts
    # check refuses.
    pos = [0.72, 0.86, 0.94, 0.99]
    out = [row("heldout90", i, 1, p) for i, p in enumerate(pos)]
    out.append(row("heldout90", 4, 1, 0.999, similarity=0.4))
    out += [row("heldout90", 5 + i, 0, p) for i, p in enumerate([0.71, 0.89, 0.96])]
    out.append(row("heldout90", 8, 0, None))
    return out


def test_per_pair_counts_each_cut_and_splits_the_traffic(menu: ModuleType) -> None:
    result = menu.per_pair(toy_rows(), (0.7, 0.9, 0.97), traffic(("heldout90",)))
    low, mid, high = result["0.7"]["all"], result["0.9"]["all"], result["0.97"]["all"]
    assert (low["hits"], low["positives"], low["false_hits"], low["negatives"]) == (4, 5, 3, 4)
    assert (mid["hits"], mid["false_hits"]) == (2, 1)  # 0.94, 0.99; the negative at 0.96
    assert (high["hits"], high["false_hits"]) == (1, 0)
    support = result["0.9"]["support"]  # pairs 0 (0.72) and 1 (0.86): both missed at 0.9
    assert (support["hits"], support["positives"], support["negatives"]) == (0, 2, 0)
    general = result["0.9"]["general"]
    assert (general["hits"], general["positives"], general["false_hits"]) == (2, 3, 1)


def part(own: int, another: int, n: int) -> dict[str, int]:
    return {"n": n, "own": own, "another": another, "another_right": 1,
            "another_wrong": 0, "another_unknown": another - 1, "none": n - own - another}


def toy_run(cuts: dict[float, tuple[int, int, int, int]], extra: bool = False
            ) -> dict[str, Any]:
    """A cache_shared result with a variant per cut: (paraphrase own, another, negative own,
    another) of 100 paraphrase and 100 negative queries; ``extra``: also a variant at 0.93
    with a later cut, which is not the shipped lookup."""
    by = {}
    for cut, (po, pa, no, na) in cuts.items():
        by[f"0.5:5:m:3:{cut:g}"] = {
            "all": {"positives": part(po, pa, 100), "negatives": part(no, na, 100)},
            "cpu_ms_per_lookup": 20.0,
            "judging": {"floor": 0.5, "widen_to": 5, "rank_margin": 3.0,
                        "min_probability": cut}}
    if extra:
        by["0.5:5:m:3:0.93:l0.97"] = {
            "all": {"positives": part(9, 9, 100), "negatives": part(9, 9, 100)},
            "judging": {"floor": 0.5, "widen_to": 5, "rank_margin": 3.0,
                        "min_probability": 0.93, "later_cut": 0.97}}
    return {"sets": ["heldout96", "heldout97"], "by_variant": by}


def test_populated_sums_runs_per_cut_per_1000_queries(menu: ModuleType) -> None:
    runs = [toy_run({0.8: (70, 12, 3, 6), 0.93: (60, 8, 1, 3)}, extra=True),
            toy_run({0.8: (72, 10, 1, 4), 0.93: (64, 6, 0, 2)})]
    result = menu.populated(runs, (0.8, 0.93))
    low = result["0.8"]
    assert low["queries"] == 400
    assert (low["positives"]["own"], low["negatives"]["another"]) == (142, 10)
    assert low["per_1000"] == {"paraphrase_own": 355.0, "paraphrase_another": 55.0,
                               "negative_own": 10.0, "negative_another": 25.0,
                               "negative_answered": 35.0}
    assert result["0.93"]["per_1000"]["paraphrase_own"] == 310.0  # not the later-cut variant
    assert result["0.93"]["cpu_ms_per_lookup"] == [20.0, 20.0]


def test_a_cut_no_run_judged_is_refused(menu: ModuleType) -> None:
    with pytest.raises(SystemExit, match="0 variants"):
        menu.populated([toy_run({0.93: (60, 8, 1, 3)})], (0.95,))


def test_variant_names_parse_as_cache_shared_reads_them(menu: ModuleType) -> None:
    assert menu.variant_name(0.7) == "0.5:5:m:3:0.7"
    assert menu.variant_name(0.93) == "0.5:5:m:3:0.93"


def test_the_table_marks_the_shipped_cut_and_reads_both_cache_kinds(menu: ModuleType) -> None:
    rows = toy_rows()
    run = toy_run({0.8: (70, 12, 3, 6), 0.93: (60, 8, 1, 3)})
    result = {"per_pair": menu.per_pair(rows, (0.8, 0.93), None),
              "populated": {"by_cut": menu.populated([run], (0.8, 0.93))},
              "tenants": {"by_cut": menu.populated([run, run], (0.8, 0.93))}}
    lines = menu.markdown(result).splitlines()
    assert len(lines) == 4 and lines[0].count("|") == 9
    assert lines[3].startswith("| 0.93 (shipped) | 40.0 % / 25.00 % (1) |")
    assert lines[2].startswith("| 0.8 | 60.0 % / 50.00 % (2) |")
    assert lines[2].endswith("| 350 / 60 | 15 / 30 | 350 / 60 | 15 / 30 |")
