"""``cross_continue ship`` (session 24): a decision made after the export (rule V, session
23) writes its cut and decision block into an exported cross.json, so
``make verifier-cross-alone`` writes the layer's file, not the cut of S2's own rule."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from train.cache_verifier.cross_continue import (
    D4,
    REPO,
    RULES,
    RUN_FIELDS,
    SESSION23_B_CUT,
    SHIPPED,
    SHIPPED_DECISIONS,
    differences,
    rule_v_block,
    ship,
)

LAYER = SHIPPED / "cross.json"
# c43ec5d's layer cross.json: session 21's export of S2, at its rule's c_S 0.858085
C43_SHA256 = "5fb7a06a9bd6ea7ca98574a2ce34b8db1b521060108ef72f875d9f3a99f6ac31"


def write(directory: Path, meta: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "cross.json"
    path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")  # as write_cross
    return path


def session21_export() -> dict[str, Any]:
    """The layer's cross.json as session 21's export left it: its rule's cut and block."""
    meta = json.loads(LAYER.read_text(encoding="utf-8"))
    return meta | {"threshold": 0.858085,
                   "decision": {"rule": RULES["session21-alone"].text,
                                "decision_sets": list(D4)}}


def test_ship_turns_session_21s_export_into_the_layers_file_byte_for_byte(
        tmp_path: Path) -> None:
    path = write(tmp_path / "S2", session21_export())
    # the file built above is c43ec5d's cross.json, byte for byte
    assert hashlib.sha256(path.read_bytes()).hexdigest() == C43_SHA256
    meta = ship(tmp_path / "S2", "V")
    assert path.read_bytes() == LAYER.read_bytes()
    assert meta["threshold"] == SESSION23_B_CUT == 0.855177
    assert differences(meta, json.loads(LAYER.read_text(encoding="utf-8"))) == []
    ship(tmp_path / "S2", "V")  # twice: the same file
    assert path.read_bytes() == LAYER.read_bytes()


def test_ship_writes_the_cut_and_the_decision_block_alone(tmp_path: Path) -> None:
    run = session21_export()
    run["model"] |= {"cpu_s": 1.0, "wall_s": 2.0, "load_before": 9.0}
    run |= {"sha256": "0" * 64, "scores": run["scores"] | {"cut": 0.87}}
    path = write(tmp_path / "S2", run)
    before = json.loads(path.read_text(encoding="utf-8"))
    after = ship(tmp_path / "S2", "V")
    changed = differences(before, after)
    assert changed and all(d == "threshold" or d.startswith("decision.") for d in changed)
    # against the layer's, what is left is the run's record
    left = differences(after, json.loads(LAYER.read_text(encoding="utf-8")))
    assert sorted(left) == ["model.cpu_s", "model.load_before", "model.wall_s", "scores.cut",
                            "sha256"]
    assert all(d in RUN_FIELDS or d.split(".")[0] in RUN_FIELDS for d in left)


def test_ship_refuses_a_folder_holding_another_model(tmp_path: Path) -> None:
    meta = session21_export()
    meta["model"] = meta["model"] | {"name": "S4"}
    path = write(tmp_path / "S4", meta)
    before = path.read_bytes()
    with pytest.raises(SystemExit, match="ships S2"):
        ship(tmp_path / "S4", "V")
    assert path.read_bytes() == before


def test_rule_v_block_reads_the_committed_figures() -> None:
    decision = SHIPPED_DECISIONS["V"]
    result = json.loads((REPO / decision.results).read_text(encoding="utf-8"))
    block = rule_v_block(result, decision)
    assert block["cut"] == result["ships"]["cut"] == result["c_v"]["S2"] == SESSION23_B_CUT
    assert block["decision_sets"] == ["heldout36", "heldout37", "heldout38", "heldout39"]
    assert list(block["at_c_v"]) == list(block["at_present_cuts"]) == ["S2", "S3"]
    s2 = block["at_c_v"]["S2"]
    assert (s2["hits"], s2["positives"], s2["false_hits"], s2["quora_false_hits"]) == (
        1074, 1521, 21, 48)
    assert s2["false_hits"] <= block["F"] and s2["quora_false_hits"] <= block["Q0"]
    assert block["at_present_cuts"]["S2"]["cut"] == 0.858085
    assert block["c"]["pass"] and block["results"] == decision.results


def test_rule_v_block_needs_a_verdict_with_its_check() -> None:
    decision = SHIPPED_DECISIONS["V"]
    result = json.loads((REPO / decision.results).read_text(encoding="utf-8"))
    with pytest.raises(SystemExit, match="no verifier shipped"):
        rule_v_block(result | {"ships": None}, decision)


def test_differences_name_the_paths() -> None:
    assert differences({"a": 1, "b": {"c": [1, 2], "d": 1}}, {"a": 1, "b": {"c": [1, 2],
                                                                          "d": 1}}) == []
    assert differences({"a": 1, "b": {"c": [1, 2], "d": 1}},
                       {"a": 1.0, "b": {"c": [1, 3]}, "e": 0}) == ["a", "b.c", "b.d", "e"]
