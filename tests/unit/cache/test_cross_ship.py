"""``cross_continue ship`` (session 24): a decision made after the export writes its cut and
decision block into an exported cross.json, so a target that rebuilds the model writes the
file the layer shipped, not its own rule's cut: rule V (session 23) into S2's export
(``make verifier-cross-alone``: S2's cross.json as the layer shipped it in sessions 23-25,
kept here as ``data/cross-S2-session23.json``), rule S5c (session 26) into S5's
(``make verifier-cross-s5``: the layer's cross.json of sessions 26-35, kept here as
``data/cross-S5-session26.json``), rule S10c (session 35) into S10's (``make
verifier-cross-s10``: the layer's cross.json since)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from train.cache_verifier.cross_continue import (
    D4,
    D48,
    DECISION_SETS,
    REPO,
    RULES,
    RUN_FIELDS,
    SESSION23_B_CUT,
    SHIPPED,
    SHIPPED_DECISIONS,
    decision_block,
    differences,
    rule_s5c_block,
    rule_s10c_block,
    rule_v_block,
    ship,
)

LAYER = SHIPPED / "cross.json"  # S10 at rule S10c's 0.93 since session 35
S2_LAYER = Path(__file__).parent / "data" / "cross-S2-session23.json"  # b1db4b1's layer file
# ffcf05a's layer file: S5 at rule S5c's 0.916959, shipped from session 26 to session 35
S5_LAYER = Path(__file__).parent / "data" / "cross-S5-session26.json"
# c43ec5d's layer cross.json: session 21's export of S2, at its rule's c_S 0.858085
C43_SHA256 = "5fb7a06a9bd6ea7ca98574a2ce34b8db1b521060108ef72f875d9f3a99f6ac31"
# /work/base/s5/cross.json: session 25's export of S5 (make verifier-cross-s5), at rule S5's c
S5_EXPORT_SHA256 = "6f38fbdc1564292f7c62a8c51811148df89562686a575f13459594e95e649e28"
# data/cache_verifier/s10/cross.json until session 35's ship: session 34's export of S10 (make
# verifier-cross-s10) at the start's cut 0.855177 with no decision; its cross.npz, the layer's since
S10_EXPORT_SHA256 = "d6fc51260c6e74bb8b6bd113a4d2d85d558e36bd8a8c4335ad0edc5a5b2c35fc"
S10_NPZ_SHA256 = "a38f6f8055b091bf8d52da27d7baf8149dd58692f5c35ac87b17ea899f3130b0"


def write(directory: Path, meta: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "cross.json"
    path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")  # as write_cross
    return path


def session21_export() -> dict[str, Any]:
    """The layer's cross.json as session 21's export left it: its rule's cut and block."""
    meta = json.loads(S2_LAYER.read_text(encoding="utf-8"))
    return meta | {"threshold": 0.858085,
                   "decision": {"rule": RULES["session21-alone"].text,
                                "decision_sets": list(D4)}}


def test_ship_turns_session_21s_export_into_the_layers_file_byte_for_byte(
        tmp_path: Path) -> None:
    path = write(tmp_path / "S2", session21_export())
    # the file built above is c43ec5d's cross.json, byte for byte
    assert hashlib.sha256(path.read_bytes()).hexdigest() == C43_SHA256
    meta = ship(tmp_path / "S2", "V")
    assert path.read_bytes() == S2_LAYER.read_bytes()
    assert meta["threshold"] == SESSION23_B_CUT == 0.855177
    assert differences(meta, json.loads(S2_LAYER.read_text(encoding="utf-8"))) == []
    ship(tmp_path / "S2", "V")  # twice: the same file
    assert path.read_bytes() == S2_LAYER.read_bytes()


def test_ship_writes_the_cut_and_the_decision_block_alone(tmp_path: Path) -> None:
    run = session21_export()
    run["model"] |= {"cpu_s": 1.0, "wall_s": 2.0, "load_before": 9.0}
    run |= {"sha256": "0" * 64, "scores": run["scores"] | {"cut": 0.87}}
    path = write(tmp_path / "S2", run)
    before = json.loads(path.read_text(encoding="utf-8"))
    after = ship(tmp_path / "S2", "V")
    changed = differences(before, after)
    assert changed and all(d == "threshold" or d.startswith("decision.") for d in changed)
    # against the file S2's rule made, what is left is the run's record
    left = differences(after, json.loads(S2_LAYER.read_text(encoding="utf-8")))
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


def session25_export() -> dict[str, Any]:
    """The layer's cross.json as session 25's export of S5 left it: rule S5's c (0.916959,
    the same cut as rule S5c's c*) and rule S5's block."""
    meta = json.loads(S5_LAYER.read_text(encoding="utf-8"))
    return meta | {"threshold": 0.916959,
                   "decision": {"rule": RULES["session25"].text, "decision_sets": list(D48)}}


def test_ship_turns_session_25s_export_of_s5_into_the_layers_file(tmp_path: Path) -> None:
    path = write(tmp_path / "S5", session25_export())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == S5_EXPORT_SHA256
    meta = ship(tmp_path / "S5", "S5c")
    assert path.read_bytes() == S5_LAYER.read_bytes()
    assert meta["threshold"] == 0.916959 and meta["sha256"].startswith("cffa0c35")
    assert meta["decision"]["rule"].startswith("S5c: S5 (cross.npz cffa0c35")
    with pytest.raises(SystemExit, match="ships S2"):
        ship(tmp_path / "S5", "V")


def test_rule_s5c_block_reads_the_committed_figures() -> None:
    decision = SHIPPED_DECISIONS["S5c"]
    result = json.loads((REPO / decision.results).read_text(encoding="utf-8"))
    block = rule_s5c_block(result, decision)
    assert block["cut"] == result["ships"]["cut"] == block["step1"]["c_star"] == 0.916959
    assert block["decision_sets"] == ["heldout54", "heldout55"] and block["session"] == 26
    assert (block["step1"]["F6"], block["step1"]["A6"], block["step1"]["Q"]) == (31, 47, 48)
    s5 = block["step1"]["S5_at_c_star"]
    assert s5["P6_false_hits"] <= 31 and s5["qqp_false_hits"] <= 48 and s5["another"] <= 47
    assert all(block[k]["pass"] for k in "abcde")
    at = block["at_c_star"]["S5"]
    assert (at["hits"], at["positives"], at["false_hits"]) == (550, 757, 8)
    assert block["at_S2_cut"]["S2"]["cut"] == 0.855177
    with pytest.raises(SystemExit, match="ships no S5"):
        rule_s5c_block(result | {"ships": {"verifier": "S2", "cut": 0.855177}}, decision)


def test_an_export_with_no_decision_names_no_rule(tmp_path: Path) -> None:
    """``export`` with no ``--decision`` (session 27): a block with no rule and no sets, where it
    wrote session 16's rule and heldout22-29 (S6's export, session 26, read as decided); with
    decide's figures, their rule's block as before (session 25's decide: rule S5's text and
    heldout48-49, the block ``session25_export`` holds; a text no rule holds: session 16's
    sets), and ``ship`` writes a later decision's block over the empty one."""
    assert decision_block(None) == {"rule": None, "decision_sets": []}
    decided = {"rule": RULES["session25"].text, "cut": 0.916959}
    assert decision_block(decided) == session25_export()["decision"]
    assert decision_block({"rule": "a rule no session wrote"}) == {
        "rule": "a rule no session wrote", "decision_sets": list(DECISION_SETS)}
    assert decision_block({}) == {"rule": RULES["session16"].text,
                                  "decision_sets": list(DECISION_SETS)}
    path = write(tmp_path / "S5", session25_export() | {"decision": decision_block(None)})
    ship(tmp_path / "S5", "S5c")
    assert path.read_bytes() == S5_LAYER.read_bytes()


def session34_export() -> dict[str, Any]:
    """The layer's cross.json as session 34's export of S10 left it (data/cache_verifier/s10
    until session 35's ship): the start's cut 0.855177 (S2's) and no decision."""
    meta = json.loads(LAYER.read_text(encoding="utf-8"))
    return meta | {"threshold": 0.855177, "decision": decision_block(None)}


def test_ship_turns_session_34s_export_of_s10_into_the_layers_file(tmp_path: Path) -> None:
    path = write(tmp_path / "S10", session34_export())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == S10_EXPORT_SHA256
    meta = ship(tmp_path / "S10", "S10c")
    assert path.read_bytes() == LAYER.read_bytes()
    assert meta["threshold"] == 0.93 and meta["sha256"] == S10_NPZ_SHA256
    # the layer's weights are the ones its cross.json names: S10's
    assert hashlib.sha256((SHIPPED / "cross.npz").read_bytes()).hexdigest() == S10_NPZ_SHA256
    assert meta["model"]["name"] == "S10"
    assert meta["decision"]["rule"].startswith("S10c: S10 (data/cache_verifier/s10/cross.npz")
    ship(tmp_path / "S10", "S10c")  # twice: the same file
    assert path.read_bytes() == LAYER.read_bytes()
    for other, model in (("S5c", "S5"), ("V", "S2")):
        with pytest.raises(SystemExit, match=f"ships {model}"):
            ship(tmp_path / "S10", other)
    s5 = write(tmp_path / "S5", session25_export())
    with pytest.raises(SystemExit, match="model 'S5', but decision S10c ships S10"):
        ship(tmp_path / "S5", "S10c")
    assert s5.read_bytes() == write(tmp_path / "again", session25_export()).read_bytes()


def test_rule_s10c_block_reads_the_committed_figures() -> None:
    decision = SHIPPED_DECISIONS["S10c"]
    result = json.loads((REPO / decision.results).read_text(encoding="utf-8"))
    block = rule_s10c_block(result, decision)
    assert block["cut"] == block["step1"]["c_pop"] == result["step1"]["c_pop"] == 0.93
    assert block["decision_sets"] == ["heldout98", "heldout99"] and block["session"] == 35
    assert block["models"]["S5"] == {"cut": 0.916959, "sha256": "cffa0c35"}
    assert block["models"]["S10"]["sha256"] == S10_NPZ_SHA256
    one = block["step1"]
    assert len(one["caches"]) == 8 and one["S10_at_c_pop"]["variant"] == "0.5:5:m:3:0.93"
    assert (one["S5"]["negatives_answered"], one["S10_at_c_pop"]["negatives_answered"]) == (
        180, 174)
    assert (one["S5"]["positives_own"], one["S10_at_c_pop"]["positives_own"]) == (3761, 3852)
    assert all(one["screen"][k]["pass"] for k in ("recall", "false_hits", "own_entry"))
    assert (block["a"]["S5_hits"], block["a"]["S10_hits"], block["a"]["positives"]) == (
        549, 570, 756)
    assert (block["b"]["S5_false_hits"], block["b"]["S10_false_hits"]) == (2, 1)
    assert block["c"]["negatives_answered"] == {"S5": 17, "S10": 13}
    assert "populated" not in block["c"] and "records" not in block
    assert block["d"]["S10_qqp_false_hits"] == 30 and all(block[k]["pass"] for k in "abcd")
    assert block["results"] == decision.results and "S10w" in block["earlier"]
    with pytest.raises(SystemExit, match="adopted no S10"):
        rule_s10c_block(result | {"S10_adopted": False}, decision)
    failed = result["step2"] | {"b": result["step2"]["b"] | {"pass": False}}
    with pytest.raises(SystemExit, match="adopted no S10"):
        rule_s10c_block(result | {"step2": failed}, decision)
    with pytest.raises(SystemExit, match="not step 1's c_pop"):
        rule_s10c_block(result | {"step2": result["step2"] | {"c_pop": 0.94}}, decision)
