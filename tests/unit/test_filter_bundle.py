"""train/cache_verifier/filter_bundle.py (session 28, S7r's bundle): a toy bundle less its
mined pairs of the reworded shape (cosine >= 0.5, content-word overlap < 0.2), everything
else as it was, with a toy embedder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from train.cache_verifier import filter_bundle as fb

# Rows 0-2: hand-written (one the reworded shape: kept, not mined); rows 3-6 mined: 3 a
# near-paraphrase at cosine 0.8 with no shared content word (dropped), 4 the same words
# (overlap 1: kept), 5 at cosine 0.3 (kept), 6 at exactly 0.5, overlap 0 (dropped).
PAIRS = [("how do I reset my router", "my wifi box needs restarting, how?", 1, False),
         ("what time do you open", "when do you open", 1, False),
         ("do you ship to Spain", "do you ship to France", 0, False),
         ("why was my card billed twice", "two identical payments appeared on my statement", 0,
          True),
         ("is the pool open today", "is the pool open today?", 0, True),
         ("best pizza toppings", "how do I fix a puncture", 0, True),
         ("cancel subscription", "stop paying monthly plan", 0, True)]
COS = {3: 0.8, 4: 0.95, 5: 0.3, 6: 0.5}


def toy_embed(texts: Sequence[str]) -> np.ndarray:
    """Each pair's a at (1, 0), its b at the pair's cosine from it."""
    out = []
    for t in texts:
        k = next(k for k, p in enumerate(PAIRS) if t in p[:2])
        c = COS.get(k, 0.9)
        out.append([1.0, 0.0] if t == PAIRS[k][0] else [c, float(np.sqrt(1 - c * c))])
    return np.asarray(out, np.float32)


def write_toy(folder: Path) -> Path:
    n = len(PAIRS)
    mined = np.asarray([p[3] for p in PAIRS])
    arrays = {"train.a": np.arange(n * 38, dtype=np.int16).reshape(n, 38),
              "train.a_len": np.full(n, 5, np.int8),
              "train.b": np.arange(n * 38, dtype=np.int16).reshape(n, 38) + 1,
              "train.b_len": np.full(n, 6, np.int8),
              "train.label": np.asarray([p[2] for p in PAIRS], np.int8),
              "train.hand": np.ones(n, np.bool_), "train.mined": mined,
              "train.new": np.asarray([1, 0, 0, 0, 0, 0, 0], np.bool_),
              "decision.a": np.zeros((0, 38), np.int16), "decision.label": np.zeros(0, np.int8),
              "word.ids": np.asarray([0, 101, 102], np.int32),
              "word.rows": np.ones((3, 4), np.float16)}
    bundle = folder / "bundle.npz"
    np.savez_compressed(bundle, **arrays)
    bundle.with_suffix(".json").write_text(json.dumps({
        "train_pairs": n, "mined": int(mined.sum()), "seed": 12,
        "train_sources": {"heldout30": 3, "mined": 4}}))
    (folder / "bundle-probe.jsonl").write_text("".join(
        json.dumps({"cached": a, "query": b}) + "\n" for a, b, _, _ in PAIRS))
    return bundle


def test_drops_the_mined_pairs_of_the_shape_and_keeps_the_rest(tmp_path: Path) -> None:
    bundle = write_toy(tmp_path)
    out = tmp_path / "out" / "bundle.npz"
    record, dropped = fb.filter_bundle(bundle, out, embed=toy_embed, check=False,
                                       against=tmp_path / "bundle-probe.jsonl")
    assert [d["i"] for d in dropped] == [3, 6] and dropped[0]["overlap"] < 0.2
    assert (record["pairs"], record["mined"], record["dropped"], record["kept_pairs"],
            record["kept_mined"]) == (7, 4, 2, 5, 2)
    assert record["mined_cosine_at_least"] == 3 and record["rule"] == fb.RULE
    was, now = np.load(bundle), np.load(out)
    keep = [0, 1, 2, 4, 5]
    assert set(now.files) == set(was.files)
    for k in was.files:
        want = was[k][keep] if k.startswith("train.") else was[k]
        assert np.array_equal(now[k], want), k
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["train_pairs"] == 5 and meta["mined"] == 2 and meta["seed"] == 12
    assert meta["train_sources"] == {"heldout30": 3, "mined": 2}
    assert meta["filtered"]["dropped"] == 2
    probe = [json.loads(x) for x in (out.parent / "bundle-probe.jsonl").read_text().splitlines()]
    assert [p["cached"] for p in probe] == [PAIRS[i][0] for i in keep]
    assert record["out_sha256"] == fb.sha256(out)


def test_refuses_a_bundle_its_probe_does_not_match(tmp_path: Path) -> None:
    bundle = write_toy(tmp_path)
    other = tmp_path / "other-probe.jsonl"
    rows = (tmp_path / "bundle-probe.jsonl").read_text().splitlines()
    other.write_text("\n".join(rows[:3] + [json.dumps({"cached": "x", "query": "y"})]
                               + rows[4:]) + "\n")
    with pytest.raises(SystemExit, match="mined rows are not the bundle's"):
        fb.filter_bundle(bundle, tmp_path / "o.npz", embed=toy_embed, check=False,
                         against=other)
    (tmp_path / "bundle-probe.jsonl").write_text("\n".join(rows[:5]) + "\n")
    with pytest.raises(SystemExit, match="probe 5"):
        fb.filter_bundle(bundle, tmp_path / "o.npz", embed=toy_embed, check=False)


def test_the_rule_itself() -> None:
    assert fb.drops([0.5, 0.49, 0.9, 0.9], [0.0, 0.0, 0.2, 0.19]) == [True, False, False, True]
