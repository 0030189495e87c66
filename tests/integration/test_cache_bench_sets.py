"""bench/cache_losses.py and bench/cache_shared.py run on a set named under ``--root``
(as the lead points them at folders outside data/), say the set in their titles and
JSON, and their counts add up (no quality asserted: that is what they measure)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from train.cache_verifier.cross_export import from_minilm, write_cross

pytestmark = pytest.mark.integration
BENCH = Path(__file__).resolve().parents[2] / "bench"
PAIRS = [
    ("How do I reset my password?", "How can I reset my password?", 1, "reworded"),
    ("How do I delete my account?", "How can I reset my password?", 0, "intent_shift"),
    ("How do I reset my password", "What is the capital of France?", 0, "near_topic"),
    ("What is the capital of France?", "Which city is the capital of France?", 1, "reworded"),
    ("How far is Mars from the Sun?", "How far is Jupiter from the Sun?", 0, "entity_swap"),
    ("Can I pay $20 by card?", "Can I pay $30 by card?", 0, "number_swap"),
]


def run(script: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / script), "--root", str(tmp_path), "--sets", "tiny",
         "--out", str(tmp_path / "out.json"), "--pairs-out", str(tmp_path / "pairs.jsonl"),
         *args], capture_output=True, text=True, timeout=300)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "cache_pairs.jsonl").write_text("".join(
        json.dumps({"id": f"p{i}", "a": a, "b": b, "label": label, "kind": kind}) + "\n"
        for i, (a, b, label, kind) in enumerate(PAIRS)))
    return tmp_path


def chosen(root: Path, model: str) -> list[str]:
    """The arguments that pick ``model``; the cross-encoder an untrained artefact of its
    format (its verdicts mean nothing: the scripts' plumbing is tested, not the model)."""
    if model == "cross":
        write_cross(root / "cross", *from_minilm(2))
        return ["--verifier-model", model, "--cross-dir", str(root / "cross")]
    return ["--verifier-model", model]


@pytest.mark.parametrize("model", ["nets", "cross"])
def test_cache_losses_reads_a_set_under_root(root: Path, model: str) -> None:
    done = run("cache_losses.py", root, *chosen(root, model))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"sets tiny; verifier {model}" in done.stdout
    result = json.loads((root / "out.json").read_text())
    assert result["verifier"]["model"] == model
    assert result["sets"] == ["tiny"] and list(result["by_set"]) == ["tiny"]
    assert result["all"]["positives"] == 2 and result["all"]["negatives"] == 4
    assert "--root" in result["run"]["command"]
    assert len((root / "pairs.jsonl").read_text().splitlines()) == len(PAIRS)


def test_cache_losses_at_another_floor_says_what_each_lower_floor_adds(root: Path) -> None:
    """``--floor``: the tables read that floor; ``floor_adds`` counts, per swept floor
    under it, exactly the hits the sweep gains there."""
    done = run("cache_losses.py", root, "--verifier-model", "nets", "--floor", "0.99")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "floor 0.99" in done.stdout and "what each lower floor adds to 0.99" in done.stdout
    result = json.loads((root / "out.json").read_text())
    assert result["verifier"]["floor"] == 0.99
    assert set(result["floor_adds"]) == set(result["floor_sweep"])  # every swept one is lower
    for floor, by_set in result["floor_adds"].items():
        added = by_set.get("tiny", {})
        swept = result["floor_sweep"][floor]["all"]
        assert sum(c.get("found", 0) for c in added.values()) == swept["hits"] - result[
            "all"]["hits"]
        assert sum(c.get("passed", 0) for c in added.values()) == swept["passed"] - result[
            "all"]["passed"]


@pytest.mark.parametrize("model", ["nets", "cross"])
def test_cache_shared_says_what_a_user_sees_per_set(root: Path, model: str) -> None:
    done = run("cache_shared.py", root, "--entries", "0", "--variants", "0.5:5",
               *chosen(root, model))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "outcome of each pair's query (tiny)" in done.stdout
    assert f"verifier: {model}" in done.stdout
    result = json.loads((root / "out.json").read_text())
    assert result["verifier"]["model"] == model
    assert result["sets"] == ["tiny"] and result["entries"] == 6  # the distinct cached texts
    shipped = result["by_variant"]["0.5:5"]
    assert list(shipped["by_set"]) == ["tiny"] and shipped["by_set"]["tiny"] == shipped["all"]
    pos, neg = shipped["all"]["positives"], shipped["all"]["negatives"]
    assert (pos["n"], neg["n"]) == (2, 4)
    for block in (pos, neg):
        assert block["own"] + block["another"] + block["none"] == block["n"]
        assert block["another"] == sum(block[f"another_{r}"] for r in ("right", "wrong",
                                                                       "unknown"))
        assert block["another_filler"] == 0  # --entries 0: no Quora questions
    assert neg["answered"] == neg["own"] + neg["another"]
    assert neg["known_wrong"] == neg["own"] + neg["another_wrong"]
    assert shipped["all"]["per_pair"]["positives"] == 2
    assert shipped["positives"].get("partner", 0) == pos["own"]  # zero counts left out
    rows = [json.loads(line) for line in (root / "pairs.jsonl").read_text().splitlines()]
    assert len(rows) == len(PAIRS) and {r["set"] for r in rows} == {"tiny"}
    # The query both pairs share is looked up once: one answer for both.
    shared = [r for r in rows if r["b"] == "How can I reset my password?"]
    assert len({r["answered"] for r in shared}) == 1


def test_cache_shared_reads_a_length_aware_floor_as_either_floor(root: Path) -> None:
    """FLOOR/LOW@RATIO: LOW for pairs whose word counts differ RATIO-fold or more, FLOOR
    for the others; so a ratio every pair reaches is the plain LOW floor, one none reaches
    the plain FLOOR (each pair's outcome the same)."""
    done = run("cache_shared.py", root, "--entries", "0", "--verifier-model", "nets",
               "--variants", "0.99:5", "0.0:5", "0.99/0.0@1:5", "0.99/0.0@100:5")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = [json.loads(line) for line in (root / "pairs.jsonl").read_text().splitlines()]

    def answers(variant: str) -> list[tuple[str | None, bool]]:
        """What the query got in the shared cache, and with its pair's entry alone."""
        return [(r["answered"], r["alone"]) for r in rows if r["variant"] == variant]

    assert answers("0.99/0.0@1:5") == answers("0.0:5")
    assert answers("0.99/0.0@100:5") == answers("0.99:5")
    assert answers("0.0:5") != answers("0.99:5")  # the floors differ on these pairs
    verified = {k: v["verified_per_lookup"]
                for k, v in json.loads((root / "out.json").read_text())["by_variant"].items()}
    assert verified["0.0:5"] > verified["0.99:5"]  # a lower floor hands the verifier more


def test_an_absent_set_is_a_clear_error(tmp_path: Path) -> None:
    done = run("cache_shared.py", tmp_path)
    assert done.returncode != 0
    assert "set 'tiny':" in done.stderr and "not found" in done.stderr


def test_the_benchmarks_verifier_is_the_routers() -> None:
    """The benchmarks score with what the router loads: the shipped cross-encoder stacked
    on the nets when cross.json says so (they once ran it alone at the stack's cut)."""
    from llm_router.cache.verifier import default_model, shared_verifier

    if default_model() != "cross":
        pytest.skip("no cross-encoder shipped")
    spec = importlib.util.spec_from_file_location("verifier_choice",
                                                  BENCH / "verifier_choice.py")
    assert spec is not None and spec.loader is not None
    choice = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(choice)
    parser = argparse.ArgumentParser()
    choice.add_arguments(parser)
    model, verifier = choice.load_chosen(parser.parse_args([]))
    router = shared_verifier()
    assert model == "cross"
    cached, query = "How do I cancel my purchase?", "How do I cancel my order?"
    assert verifier.probability(cached, query, 0.8) == pytest.approx(
        router.probability(cached, query, 0.8), abs=1e-6)


def test_the_shared_cache_bench_runs_the_routers_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """cache_shared's shipped variant is the router's policy (``policy_for``): every check
    the catalog turns on (it once left out ``own_case`` and so answered negatives the
    router refuses)."""
    from llm_router.cache.policy import policy_for
    from llm_router.catalog import CacheConfig

    monkeypatch.syspath_prepend(str(BENCH))
    shared = importlib.import_module("cache_shared")
    config = CacheConfig()
    router = policy_for(config, "tenant")
    assert router.verifier is not None
    bench = shared.variant_policy(str(config.verifier_floor), router.verifier,
                                  router.min_probability, config.verifier_rank_margin)
    assert bench == router
