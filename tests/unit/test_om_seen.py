"""Rule OM's cut on the seen writers (``bench/om_seen.py``, session 33): c_OM is the lowest cut
at which OM keeps S5's pooled heldout54-85 false hits (at 0.916959) and S5's Quora false hits,
read on the same pairs."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.unit.toy_rows import file_writer, row, set_rows

SEEN = tuple(f"heldout{n}" for n in range(54, 86))


@pytest.fixture(scope="module")
def om(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("om_seen")


def rows(sets: tuple[str, ...], positives: list[float], negatives: list[float]
         ) -> list[dict[str, object]]:
    return set_rows(sets, positives, negatives)[1:]  # no row of another set


# S5 at 0.916959: one paraphrase of three a set (0.95), one false hit a set (0.92): F = 32.
# OM: two of three a set (0.97, 0.94), its negatives at 0.9: the seen bound alone allows any
# cut over 0.1 (32 false hits). Quora: S5 passes one negative (0.95; Q = 1), OM two (0.96,
# 0.93), so Quora binds: c_OM is just above 0.93.
S5 = rows(SEEN, [0.95, 0.9, 0.3], [0.92, 0.1])
OM = rows(SEEN, [0.97, 0.94, 0.3], [0.9, 0.1])
Q_S5 = [row("pairs:qqp", 0, 1, 0.9)] + [row("pairs:qqp", 1 + i, 0, p)
                                        for i, p in enumerate((0.95, 0.5, 0.1))]
Q_OM = [row("pairs:qqp", 0, 1, 0.95)] + [row("pairs:qqp", 1 + i, 0, p)
                                         for i, p in enumerate((0.96, 0.93, 0.2))]


def test_c_om_is_the_lowest_cut_keeping_both_bounds(om: ModuleType) -> None:
    got = om.figures(S5, OM, Q_S5, Q_OM)
    assert got["bounds"]["F_seen_false_hits"] == 32 and got["bounds"]["Q_quora_false_hits"] == 1
    assert got["c_OM"] == 0.930001
    pooled = got["pooled"]
    assert (pooled["S5"]["hits"], pooled["S5"]["false_hits"]) == (32, 32)
    assert (pooled["OM"]["hits"], pooled["OM"]["false_hits"]) == (64, 0)
    assert pooled["points"] == pytest.approx(100 / 3, abs=1e-3)
    assert len(got["per_writer_pair"]) == 16
    assert got["per_writer_pair"]["heldout84-85"]["OM"]["hits"] == 4
    assert got["quora"]["OM"]["false_hits"] == 1
    # without Quora's bound the seen one alone sets it: just above OM's 0.1 negatives
    calm = [dict(r, p=0.05) if not r["label"] else r for r in Q_OM]
    assert om.figures(S5, OM, Q_S5, calm)["c_OM"] == 0.100001


def test_the_rows_must_be_heldout54_85_and_the_same_pairs(om: ModuleType,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    short = [r for r in S5 if r["set"] != "heldout70"]
    with pytest.raises(SystemExit, match="not heldout54-85"):
        om.figures(short, [r for r in OM if r["set"] != "heldout70"], Q_S5, Q_OM)
    reserved = rows(("heldout86",), [0.9], [0.1])
    # pair_sets.RESERVED is empty since session 34's rule S10 read heldout86-87 and 90-91
    monkeypatch.setattr(om, "RESERVED", frozenset({"heldout86"}))
    with pytest.raises(SystemExit, match="reserved"):
        om.figures(S5 + reserved, OM + reserved, Q_S5, Q_OM)
    with pytest.raises(SystemExit, match="different pairs"):
        om.figures(S5, OM[:-1], Q_S5, Q_OM)


def test_main_writes_the_results_and_the_cut(om: ModuleType, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    put = file_writer(tmp_path)
    fit = put("fit.json", {"steps": 5})
    monkeypatch.setattr(sys, "argv", [
        "om_seen.py", "--s5", put("s5.jsonl", S5), "--om", put("om.jsonl", OM),
        "--s5-quora", put("q5.jsonl", Q_S5), "--om-quora", put("qom.jsonl", Q_OM),
        "--out", str(tmp_path / "out.json"), "--cut-out", str(tmp_path / "cut.txt"),
        "--record", f"fit={fit}"])
    assert om.main() == 0
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["c_OM"] == 0.930001 and result["fit"] == {"steps": 5}
    assert (tmp_path / "cut.txt").read_text() == "0.930001\n"
    assert [step["rate"] for step in result["matched_false_hits"]] == [0.005, 0.01, 0.02]


def test_rescored_reads_again_only_the_pairs_the_verifier_decides(om: ModuleType) -> None:
    rows = [row("heldout54", 0, 1, 0.5), row("heldout54", 1, 0, None),  # amounts refused
            row("heldout54", 2, 1, 0.4, respelling=["x", "y"]),  # respelled hit
            row("heldout54", 3, 0, 0.3, similarity=0.45),  # under the floor
            row("heldout54", 4, 0, 0.2, more=True)]  # refused after: p still read again
    asked: list[tuple[str, str]] = []

    def probabilities(pairs: list[tuple[str, str]]) -> list[float]:
        asked.extend(pairs)
        return [0.9] * len(pairs)

    out = om.rescored(rows, probabilities)
    assert asked == [("query heldout54 0", "cached heldout54 0"),
                     ("query heldout54 4", "cached heldout54 4")]  # (query, cached)
    assert [r["p"] for r in out] == [0.9, None, 0.4, 0.3, 0.9]
    assert rows[0]["p"] == 0.5  # the rows given are left as they were
