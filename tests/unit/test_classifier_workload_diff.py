"""bench/classifier_workload_diff.py on toy artefacts: the bench's workload with each
request's labelled row, the picker's decisions, and how they move between artefacts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from llm_router.classifier.features import FEATURE_NAMES
from llm_router.classifier.train import Artefact, write_artefact
from llm_router_local.benchmark.workload import WorkloadShape, build_workload

TIERS = ("simple", "moderate", "complex", "reasoning")
EMBEDDER = "toy-embedder"
# The strongest of these words in a text says which tier's centroid its vector sits on
# (a paraphrase's greeting, "Hi, ", leaves it where it was).
WORDS = {"hi": 0, "explain": 1, "fix": 2, "prove": 3}


@pytest.fixture(scope="module")
def wd(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("classifier_workload_diff")


class ToyEmbedder:
    model_id = EMBEDDER
    dim = 4

    def embed_one(self, text: str) -> np.ndarray:
        v = np.full(4, 0.05, dtype=np.float32)
        v[max((WORDS.get(w.lower().strip(",:!-?."), 0) for w in text.split()), default=0)] = 1.0
        return v

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.embed_one(t) for t in texts])


def toy_artefact(out: Path, centroids: np.ndarray, version: str, u: float = 2.0,
                 sources: tuple[str, ...] = ("own",)) -> Path:
    n = len(FEATURE_NAMES)
    metadata = {"version": version, "model": "nearest_centroid", "hyperparameters": {},
                "embedder": EMBEDDER, "temperature": 0.1,
                "features": {"names": list(FEATURE_NAMES), "weight": 0.0, "lexical_dim": 0},
                "recommended_under_routing_cost": u,
                "training_data": {"sha256": "x", "sources": list(sources)}}
    arrays = {"centroids": centroids.astype(np.float32),
              "feature_mean": np.zeros(n, dtype=np.float32),
              "feature_scale": np.ones(n, dtype=np.float32)}
    write_artefact(Artefact(metadata, arrays), out)
    return out


def rows() -> list[dict[str, Any]]:
    out = []
    for i in range(12):
        word = list(WORDS)[i % 4]
        out.append({"id": f"t:{i}", "query": f"{word} thing number {i}",
                    "label": TIERS[i % 4], "domain": "general" if i % 2 else "billing",
                    "source": f"independent-v{i % 3 + 1}",
                    "split": "heldout" if i < 4 else "train"})
    return out


def test_the_workload_is_the_bench_s_and_each_request_keeps_its_row(wd: ModuleType) -> None:
    data = rows()
    reqs = wd.workload(data, 60)
    from llm_router.classifier.dataset import Example

    items = build_workload([Example(**{k: str(r[k]) for k in Example.__dataclass_fields__})
                            for r in data], WorkloadShape(60))
    assert [(r.query, r.label, r.variant, r.split) for r in reqs] == [
        (i.query, i.label, i.variant, i.split) for i in items]
    by_id = {r["id"]: r for r in data}
    assert {r.variant for r in reqs} == {"original", "repeat", "paraphrase"}
    for r in reqs:  # repeats and paraphrases carry their original's row
        assert by_id[r.row_id]["label"] == r.label and by_id[r.row_id]["source"] == r.source
        if r.variant == "original":
            assert by_id[r.row_id]["query"] == r.query
    assert all(r.split == "heldout" for r in reqs[:4] if r.variant == "original")


def test_decisions_route_as_the_picker_with_two_asks_on(wd: ModuleType, tmp_path: Path) -> None:
    d = toy_artefact(tmp_path / "a", np.eye(4), "2.toy")
    emb = ToyEmbedder()
    texts = ["hi there", "prove it", "fix the thing", "explain"]
    picks, info = wd.decisions(d, texts, emb.embed(texts), emb)
    assert [p.tier for p in picks] == ["simple", "reasoning", "complex", "moderate"]
    assert info["version"] == "2.toy" and info["under_cost"] == 2.0
    assert set(info["files"]) == {"classifier.json", "classifier.npz"}
    # A vector between simple and moderate, on a two-asks text: TB moves simple up.
    v = np.array([[1.0, 0.93, 0.0, 0.0]], dtype=np.float32)
    two = "hi, can I pay by card and do you ship abroad?"
    (p,), _ = wd.decisions(d, [two], v, emb)
    assert (p.plain, p.tier) == ("simple", "moderate") and p.probabilities[0] < 0.90
    # The margin reads the cost decision (before TB): moderate lost it by a hair.
    assert 0 < wd.margin(p, "moderate") < 0.01 and wd.margin(p, "simple") == 0


def test_summary_and_diff_read_which_prompts_became_under_routed(wd: ModuleType,
                                                                 tmp_path: Path) -> None:
    a = toy_artefact(tmp_path / "a", np.eye(4), "2.a")
    # b: the "fix" (complex) prompts sit on the moderate centroid: complex -> moderate.
    cb = np.eye(4)
    cb[1] = [0.0, 0.5, 0.5, 0.0]
    cb[2] = [0.0, 0.0, 0.0, 0.0]
    b = toy_artefact(tmp_path / "b", cb, "2.b")
    emb = ToyEmbedder()
    reqs = wd.workload(rows(), 40)
    vecs = emb.embed([r.query for r in reqs])
    pa, _ = wd.decisions(a, [r.query for r in reqs], vecs, emb)
    pb, _ = wd.decisions(b, [r.query for r in reqs], vecs, emb)
    sa, sb = wd.summary(reqs, pa), wd.summary(reqs, pb)
    assert sa["under_routed"]["count"] == 0 and sa["accuracy"]["share"] == 1.0
    complex_reqs = [r for r in reqs if r.label == "complex"]
    assert sb["under_routed"]["count"] == len(complex_reqs) > 0
    d = wd.diff(reqs, pa, pb)
    assert d["requests_transitions"] == {"right->under": len(complex_reqs)}
    assert d["requests_direction"] == {"down": len(complex_reqs)}
    became = d["became_under"]
    assert {x["text"] for x in became} == {r.query for r in complex_reqs}
    assert sum(x["requests"] for x in became) == len(complex_reqs)
    one = became[0]
    assert one["a"]["tier"] == "complex" and one["b"]["tier"] == "moderate"
    assert one["b"]["label_tier_lost_by"] > 0 and one["a"]["label_tier_lost_by"] == 0
    assert d["ceased_under"] == [] and d["under_both"] == []
    back = wd.diff(reqs, pb, pa)
    assert len(back["ceased_under"]) == len(became) and back["became_under"] == []


def test_recorded_run_is_checked_on_its_cache_misses(wd: ModuleType, tmp_path: Path) -> None:
    a = toy_artefact(tmp_path / "a", np.eye(4), "2.a")
    emb = ToyEmbedder()
    reqs = wd.workload(rows(), 10)
    picks, _ = wd.decisions(a, [r.query for r in reqs], emb.embed([r.query for r in reqs]), emb)
    rr = [{"cache": "miss", "tier": p.tier, "model": "m", "under": False} for p in picks]
    rr[0] = rr[0] | {"tier": "reasoning" if picks[0].tier != "reasoning" else "simple"}
    rr[1] = rr[1] | {"cache": "exact", "tier": "", "under": True}
    labels = dict(__import__("collections").Counter(r.label for r in reqs))
    check = wd.recorded_check(reqs, picks, {"router_requests": rr,
                                            "workload": {"labels": labels}})
    assert check["workload_labels_match"] and check["cache_misses"] == 9
    assert check["tier_disagrees_on_misses"] == 1 and check["disagreements"][0]["index"] == 0
    assert check["recorded_under"] == 1 and check["under_here"] == 0
    assert check["recorded_only"][0]["index"] == 1
    with pytest.raises(SystemExit):
        wd.recorded_check(reqs[:5], picks[:5], {"router_requests": rr})


def queries_and_two_artefacts(tmp_path: Path, b_sources: tuple[str, ...] = ("own",)
                              ) -> tuple[list[dict[str, Any]], Path, Path, Path]:
    """``rows()`` written as a queries file, and two toy artefacts over them: A (the
    identity centroids, trained on independent-v1) and B, whose centroids send the complex
    rows to moderate (trained on ``b_sources``)."""
    data = rows()
    qfile = tmp_path / "queries.jsonl"
    qfile.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    a = toy_artefact(tmp_path / "a", np.eye(4), "2.a", sources=("independent-v1",))
    cb = np.eye(4)
    cb[1] = [0.0, 0.5, 0.5, 0.0]
    cb[2] = 0.0
    b = toy_artefact(tmp_path / "b", cb, "2.b", sources=b_sources)
    return data, qfile, a, b


def test_run_end_to_end_with_neighbours(wd: ModuleType, tmp_path: Path) -> None:
    data, qfile, a, b = queries_and_two_artefacts(tmp_path)
    result = wd.run([("q", str(qfile))], [("A", str(a)), ("B", str(b))], [30],
                    ToyEmbedder(), tmp_path / "vectors.npz", {}, "q", None, tmp_path)
    w = result["workloads"]["q:30"]
    assert w["labels"]["simple"]["count"] == sum(
        1 for r in wd.workload(data, 30) if r.label == "simple")
    assert result["queries"]["q"]["writers_tier_mix"]["simple"]["count"] == 3
    became = w["diffs"]["A->B"]["became_under"]
    assert became and all(len(x["nearest_training_rows"]) == wd.NEIGHBOURS for x in became)
    near = became[0]["nearest_training_rows"][0]
    assert near["text"] != became[0]["text"] and "in_A_training" in near
    assert result["artefacts"]["A"]["version"] == "2.a"
    assert (tmp_path / "vectors.npz").exists()  # kept for the rerun
    again = wd.run([("q", str(qfile))], [("A", str(a)), ("B", str(b))], [30],
                   ToyEmbedder(), tmp_path / "vectors.npz", {}, None, None, tmp_path)
    assert again["workloads"]["q:30"]["by_artefact"] == w["by_artefact"]


def test_other_seeds_and_in_sample_read_every_row(wd: ModuleType, tmp_path: Path) -> None:
    data, qfile, a, b = queries_and_two_artefacts(
        tmp_path, b_sources=("independent-v1", "independent-v2"))
    result = wd.run([("q", str(qfile))], [("A", str(a)), ("B", str(b))], [30],
                    ToyEmbedder(), None, {}, None, None, tmp_path, seeds=(1, 2, 16))
    w = result["workloads"]["q:30"]
    other = w["other_seeds"]["by_artefact"]
    originals = sum(1 for r in wd.workload(data, 30) if r.variant == "original")
    for name in ("A", "B"):
        assert other[name]["batched_agrees_with_picker_on_originals"] == originals
        assert other[name]["spread"]["seeds"][16]["under"] == \
            w["by_artefact"][name]["under_routed_originals"]["count"]
    assert other["A"]["spread"]["under_originals_max"] == 0
    # B routes the three complex rows (one held out, two training) moderate.
    ins = other["B"]["in_sample"]
    assert ins["heldout"] == {"rows": 4, "under": 1, "under_share": 0.25, "accuracy": 0.75}
    assert ins["train_trained_on"]["rows"] + ins["train_not_trained_on"]["rows"] == 8
    assert ins["train_trained_on"]["under"] + ins["train_not_trained_on"]["under"] == 2
    assert other["A"]["in_sample"]["train_trained_on"]["rows"] == sum(
        1 for r in data if r["split"] == "train" and r["source"] == "independent-v1")
