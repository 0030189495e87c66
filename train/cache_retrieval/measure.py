"""Retrieval maps against the raw cosine on heldout48-57 (by default), pair by pair and in a proxy
of the populated cache (no verifier), before bench/cache_shared.py runs the real lookups.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m train.cache_retrieval.measure \\
        --rows /work/base/base-P6-b1db4b1-S5-pairs.jsonl \\
               /work/base/base-P4-66c9ccc-S5-pairs.jsonl \\
        --maps .cache/cache_retrieval/*.npz --out bench/results/cache-retrieval-session27.json

Per pair: bench/cache_losses.py's rows (the layer's verifier, every shipped check on;
``--rows``) restaged with the pair's similarity replaced by the mapped cosine
(``cache_losses.stage``: the floor is the only stage that reads it; the checks read the raw
cosine, as the index hands it them) at the verifier's cut (``--cut``; default the lookup's,
``layer_cut``: ``cache.verifier_threshold`` where the catalog sets one, else the layer's
``cross.json``; session 36, after S10 at 0.93 replaced S5 at 0.916959, which this module
had written in): paraphrases and negatives under the floor, recall and false hits at each
floor.
Proxy of the populated cache: bench/cache_shared.py's 10,000 entries for each two sets
(heldout48+49, ..., 56+57), each query's five nearest entries (its own text left out; the
amounts-and-ids filter not applied): whether its partner is among them at or over the
floor (``reach``), and how many of them reach the floor (``over_floor``: an upper bound of
what a lookup hands the verifier). ``matched_floor``: the lowest mapped floor whose
``over_floor`` per query is at most the raw cosine's at 0.5.

Per pair also: the paraphrases lost at the floor that the verifier and the checks after it
would pass (``paraphrases_passed_over_it``), what is under the floor per kind, and for each
map after the first of ``--maps`` the pairs whose verdict at 0.5 differs from the first's
(``changes_vs_<first>``: per kind, with both texts).

``--caches A+B ...`` names other caches for the proxy (session 30: ``heldout62+heldout63``
.. ``heldout72+heldout73``, the sets M3 was measured on); a reserved or unseen set is refused.

``--check MAP FLOOR N``: N pairs drawn at random (seed 27) go through the lookup itself with
the map (``probe`` with the map, the layer's verifier at the cut and every shipped check,
``verified_policy``) at FLOOR; each verdict must be the restaged row's, or the run stops.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from train.cache_verifier.pairs import REPO

sys.path.insert(0, str(REPO / "bench"))
from cache_losses import counts, stage  # noqa: E402
from cache_shared import entries  # noqa: E402
from run_record import run_record  # noqa: E402

from train.cache_retrieval.fit import vectors_of  # noqa: E402

FLOOR = 0.5
FLOORS = tuple(round(f, 2) for f in np.arange(0.30, 0.81, 0.02))
CACHES = tuple((f"heldout{n}", f"heldout{n + 1}") for n in range(48, 58, 2))
K = 5
BY_SET = (0.5, 0.48, 0.46)  # floors read per set too


def unit(rows: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    if weight is None:
        return rows
    m = rows @ weight.T
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def layer_cut(directory: Path | None = None) -> float:
    """The cut the lookup judges at, as ``policy.policy_for`` reads it, loading no model:
    ``cache.verifier_threshold`` where the catalog sets one, else the layer's cross-encoder's
    (``cross.json``: its ``threshold``, or its fitted stack's: ``cross.judged_by``)."""
    from llm_router.cache.cross import ARTEFACT_DIR, META, judged_by
    from llm_router.catalog import CacheConfig

    given = CacheConfig().verifier_threshold
    if given is not None:
        return float(given)
    meta = json.loads(((directory or ARTEFACT_DIR) / META).read_text(encoding="utf-8"))
    return float(judged_by(meta)[1])


def per_pair(rows: list[dict[str, Any]], sims: np.ndarray, cut: float) -> dict[str, Any]:
    moved = [dict(r, similarity=float(s)) for r, s in zip(rows, sims, strict=True)]
    pos = [r for r in moved if r["label"]]
    neg = [r for r in moved if not r["label"]]
    lost = [r for r in pos if stage(r, FLOOR, cut)[0] == "floor"]
    return {
        "under_floor": {"paraphrases": len(lost),
                        "negatives": sum(r["similarity"] < FLOOR for r in neg),
                        # lost at the floor that the verifier and the checks after it pass
                        "paraphrases_passed_over_it": sum(stage(r, 0.0, cut)[1] for r in lost),
                        "by_kind": dict(sorted(Counter(
                            f"{'+' if r['label'] else '-'}{r['kind']}" for r in moved
                            if (stage(r, FLOOR, cut)[0] == "floor" if r["label"]
                                else r["similarity"] < FLOOR)).items()))},
        "at": {f"{f:.2f}": counts(moved, f, cut) for f in FLOORS},
        "by_set": {f"{f:.2f}": {name: counts([r for r in moved if r["set"] == name], f, cut)
                                for name in dict.fromkeys(r["set"] for r in moved)}
                   for f in BY_SET}}


def changes(rows: list[dict[str, Any]], sims: np.ndarray, versus: np.ndarray, cut: float
            ) -> dict[str, Any]:
    """At the floor and the cut, the pairs whose verdict differs under ``sims`` from under
    ``versus`` (the first map given): per kind, paraphrases found only here (``gained``)
    or only there (``lost``), negatives passed only here (``passed``) or only there
    (``no_longer``); and the texts of each."""
    out: dict[str, Counter[str]] = {k: Counter() for k in ("gained", "lost", "passed",
                                                           "no_longer")}
    listed: list[dict[str, Any]] = []
    for r, s, v in zip(rows, sims, versus, strict=True):
        here = stage(dict(r, similarity=float(s)), FLOOR, cut)[1]
        there = stage(dict(r, similarity=float(v)), FLOOR, cut)[1]
        if here == there:
            continue
        what = (("gained" if here else "lost") if r["label"]
                else ("passed" if here else "no_longer"))
        out[what][r["kind"]] += 1
        listed.append({"what": what, "set": r["set"], "id": r["id"], "kind": r["kind"],
                       "a": r["a"], "b": r["b"], "similarity": round(float(s), 4),
                       "versus": round(float(v), 4), "p": round(r["p"], 4)})
    return {**{k: {"n": sum(c.values()), **dict(sorted(c.items()))} for k, c in out.items()},
            "pairs": listed}


def proxy(vec: dict[str, np.ndarray], weight: np.ndarray | None,
          pairs_by_cache: list[list[dict[str, Any]]], texts_by_cache: list[list[str]]
          ) -> dict[str, Any]:
    """Per floor: reach (positives, negatives) and over_floor per distinct query."""
    reach_pos = {f: 0 for f in FLOORS}
    reach_neg = {f: 0 for f in FLOORS}
    over = {f: 0 for f in FLOORS}
    npos = nneg = nq = 0
    for pairs, texts in zip(pairs_by_cache, texts_by_cache, strict=True):
        matrix = unit(np.stack([vec[t] for t in texts]), weight)
        row = {t: i for i, t in enumerate(texts)}
        queries = list(dict.fromkeys(p["b"] for p in pairs))
        qm = unit(np.stack([vec[q] for q in queries]), weight)
        scores = qm @ matrix.T
        for i, q in enumerate(queries):
            if q in row:
                scores[i, row[q]] = -2.0
        top = np.argpartition(-scores, K, axis=1)[:, :K]
        top_scores = np.take_along_axis(scores, top, axis=1)
        at = {q: i for i, q in enumerate(queries)}
        nq += len(queries)
        for f in FLOORS:
            over[f] += int((top_scores >= f).sum())
        for p in pairs:
            i = at[p["b"]]
            j = row[p["a"]]
            inside = j in top[i]
            s = scores[i, j]
            if p["label"]:
                npos += 1
            else:
                nneg += 1
            for f in FLOORS:
                if inside and s >= f:
                    if p["label"]:
                        reach_pos[f] += 1
                    else:
                        reach_neg[f] += 1
    return {f"{f:.2f}": {"reach_positives": round(reach_pos[f] / npos, 4),
                         "reach_negatives": round(reach_neg[f] / nneg, 4),
                         "over_floor_per_query": round(over[f] / nq, 3)} for f in FLOORS}


def check(rows: list[dict[str, Any]], vec: dict[str, np.ndarray], path: Path, floor: float,
          n: int, cut: float) -> dict[str, Any]:
    """``n`` rows through ``probe`` with the map at ``floor`` and the layer's verifier at
    ``cut``, against their restaged verdicts (see the module's docstring)."""
    import random

    from llm_router.cache.policy import verified_policy
    from llm_router.cache.probe import probe
    from llm_router.cache.retrieval_map import RetrievalMap
    from llm_router.cache.verifier import shared_verifier
    from llm_router.catalog import CacheConfig

    rmap = RetrievalMap.load(path)
    verifier = shared_verifier("cross")
    policy = verified_policy(CacheConfig(), floor, verifier, cut)
    sample = random.Random(27).sample(rows, min(n, len(rows)))
    agree = hits = 0
    for r in sample:
        got = probe(r["a"], vec[r["a"]], r["b"], vec[r["b"]], policy, rmap)
        want = stage(dict(r, similarity=got.similarity), floor, cut)[1]
        if got.hit != want:
            raise SystemExit(f"the lookup with the map and the restaged row disagree: {r}")
        agree += 1
        hits += got.hit
    return {"map": str(path), "floor": floor, "cut": cut, "pairs": len(sample),
            "agree": agree, "hits": hits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", type=Path, required=True)
    parser.add_argument("--maps", nargs="*", type=Path, default=[])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--proxy", action=argparse.BooleanOptionalAction, default=True,
                        help="the populated-cache proxy on heldout48-57 (--no-proxy: rows only)")
    parser.add_argument("--caches", nargs="+", default=None, metavar="A+B",
                        help="the proxy's caches, each two sets joined by + (default "
                             "heldout48+heldout49 .. heldout56+heldout57)")
    parser.add_argument("--check", nargs=3, metavar=("MAP", "FLOOR", "N"), action="append",
                        default=[], help="N pairs through the lookup with MAP at FLOOR, "
                        "against the rows (repeatable: ``check`` is the first, ``checks`` all)")
    parser.add_argument("--cut", type=float, default=None,
                        help="the verifier's cut the rows are restaged at (default: the "
                             "lookup's, cache.verifier_threshold or the layer's cross.json)")
    args = parser.parse_args()
    cut = layer_cut() if args.cut is None else args.cut
    rows = [json.loads(line) for path in args.rows for line in path.read_text().splitlines()
            if line.strip()]
    from pair_sets import load_sets

    caches = CACHES if args.caches is None else tuple(tuple(c.split("+")) for c in args.caches)
    if args.caches is not None:
        from train.cache_retrieval.data import sets_named

        sets_named(",".join(n.removeprefix("heldout") for c in caches for n in c))  # refuses
    pairs_by_cache = [load_sets(list(c)) for c in caches] if args.proxy else []
    texts_by_cache = [entries(p, 10_000) for p in pairs_by_cache]
    every = list(dict.fromkeys([t for r in rows for t in (r["a"], r["b"])]
                               + [t for ts in texts_by_cache for t in ts]
                               + [p["b"] for ps in pairs_by_cache for p in ps]))
    vec = dict(zip(every, vectors_of(every), strict=True))
    a = np.stack([vec[r["a"]] for r in rows])
    b = np.stack([vec[r["b"]] for r in rows])
    raw = np.sum(a * b, axis=1)
    # rows made with a map (session 28 on) hold the raw cosine as ``raw_similarity``
    drift = float(np.max(np.abs(raw - np.asarray([r.get("raw_similarity", r["similarity"])
                                                  for r in rows]))))
    result: dict[str, Any] = {"rows": [str(p) for p in args.rows], "cut": cut,
                              "cut_from": "layer" if args.cut is None else "--cut",
                              **({"caches": ["+".join(c) for c in caches]} if args.proxy else {}),
                              "raw_cosine_vs_rows_max_abs": round(drift, 6), "maps": {}}
    first = raw
    for name, path in [("raw", None), *[(p.stem, p) for p in args.maps]]:
        weight = None
        meta: dict[str, Any] = {}
        if path is not None:
            with np.load(path) as npz:
                weight = npz["weight"].astype(np.float64)
                meta = json.loads(str(npz["meta"]))
        sims = np.sum(unit(a, weight) * unit(b, weight), axis=1)
        got = {"per_pair": per_pair(rows, sims, cut)}
        if path is not None and path != args.maps[0]:
            got["changes_vs_" + args.maps[0].stem] = changes(rows, sims, first, cut)
        if path is not None and path == args.maps[0]:
            first = sims
        if args.proxy:
            got["proxy"] = proxy(vec, weight, pairs_by_cache, texts_by_cache)
        if path is not None:
            got["weight_sha256"] = hashlib.sha256(
                np.ascontiguousarray(weight, dtype=np.float32).tobytes()).hexdigest()
        if meta:
            got["recipe"] = meta["recipe"]
            got["cpu_s"] = meta["cpu_s"]
        result["maps"][name] = got
        print(summary(name, got, result["maps"].get("raw")), flush=True)
    for got in result["maps"].values() if args.proxy else ():
        base = result["maps"]["raw"]["proxy"][f"{FLOOR:.2f}"]["over_floor_per_query"]
        fits = [f for f, v in got["proxy"].items() if v["over_floor_per_query"] <= base]
        got["matched_floor"] = min(fits, key=float) if fits else None
    if args.check:
        result["checks"] = [check(rows, vec, Path(m), float(f), int(n), cut)
                            for m, f, n in args.check]
        result["check"] = result["checks"][0]
        for got in result["checks"]:
            print(f"check: {got}")
    result["run"] = run_record()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    for name, got in result["maps"].items():
        f = got.get("matched_floor")
        if f is not None:
            at = got["per_pair"]["at"][f]
            px = got["proxy"][f]
            print(f"{name}: matched floor {f}: recall {at['recall']:.4f} ({at['hits']}) false "
                  f"hits {at['false_hits']} reach +{px['reach_positives']} "
                  f"-{px['reach_negatives']} over {px['over_floor_per_query']}")
    print(f"wrote {args.out}")


def summary(name: str, got: dict[str, Any], raw: dict[str, Any] | None) -> str:
    at = got["per_pair"]["at"][f"{FLOOR:.2f}"]
    under = got["per_pair"]["under_floor"]
    line = (f"{name}: under 0.5: +{under['paraphrases']} lost at floor, -{under['negatives']}; "
            f"at 0.5 recall {at['recall']:.4f} ({at['hits']}/{at['positives']}) false hits "
            f"{at['false_hits']}/{at['negatives']}")
    if "proxy" not in got:
        return line
    px = got["proxy"][f"{FLOOR:.2f}"]
    return (f"{line}; proxy reach +{px['reach_positives']} -{px['reach_negatives']} "
            f"over-floor/query {px['over_floor_per_query']}")


if __name__ == "__main__":
    main()
