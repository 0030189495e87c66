"""How the cross-encoder reads a pair, at inference time only (no retraining): which
word pieces of a long side it reads, and in which order it reads the two texts; scored
on the decision sets (default heldout9..heldout13) through the shipped stack.

    .venv/bin/python bench/cache_losses.py --sets heldout9 heldout10 heldout11 heldout12 \
        heldout13 --pairs-out bench/results/local/decision-pairs.jsonl
    .venv/bin/python bench/cross_reading.py --trace bench/results/local/decision-pairs.jsonl

The trace (``bench/cache_losses.py``'s per-pair rows) gives each pair's similarity, the
amounts-and-ids check, the respelling check and the shipped stack's probability. This
script reads the nets' probability of every pair once and the cross-encoder's logit under
each reading, and scores the stack sigmoid(logit p_cross + logit p_nets) (``stack``) at
the shipped floor: at the shipped operating point, and at matched false hits (the
lowest cut that keeps the pooled false hits at or under ``--fh`` on four sets, applied to
the fifth: leave one set out, the five folds summed). Readings of a side:

- ``head``: its first 38 word pieces (shipped, ``side_ids``);
- ``head+tail:H``: a side over 38 pieces reads its first H and last 38 - H;
- ``question``: a side over 38 pieces reads its last sentence that ends in "?" (with the
  first pieces before it when the sentence is shorter), else its head.

Orders: ``qc`` ("[CLS] query [SEP] cached [SEP]", shipped), ``cq`` (cached first), ``mean``
(the two logits averaged: a second pass per pair). Writes ``--out`` and prints tables.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import numpy as np  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache.cross import (  # noqa: E402
    CrossEncoder,
    load_cross_verifier,
    pair_logit,
    shared_numbers,
)
from llm_router.cache.verifier import load_verifier  # noqa: E402
from llm_router.embedding.minilm import shared_embedder  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402
from train.cache_verifier.stack_fit import logit  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "cross-reading-session11.json"
PAIRS = HERE / "results" / "local" / "cross-reading-pairs.jsonl"
FLOOR = 0.5
CURVE = (8, 10, 12, 13, 15, 19)  # negatives passed, pooled: the positives hit at each
CHUNK = 500  # pairs whose texts the nets prepare in one batched pass
_SENTENCE = re.compile(r"[^.!?\n]*\?")


def reading(name: str, encoder: CrossEncoder) -> Callable[[str], list[int]]:
    """The word pieces one side reads under ``name``."""
    n = encoder.max_side_tokens
    tok = encoder._tokenizer  # noqa: SLF001 - the runtime's tokenizer, read only

    def ids(text: str) -> list[int]:
        return list(tok.encode(text, add_special_tokens=False).ids)

    if name == "head":
        return lambda text: encoder.side_ids([text])[0]
    if name.startswith("head+tail:"):
        h = int(name.split(":")[1])

        def head_tail(text: str) -> list[int]:
            whole = ids(text)
            return whole if len(whole) <= n else whole[:h] + whole[len(whole) - (n - h):]
        return head_tail
    if name == "question":
        def question(text: str) -> list[int]:
            whole = ids(text)
            if len(whole) <= n:
                return whole
            asked = [m.group(0).strip() for m in _SENTENCE.finditer(text)]
            if not asked:
                return whole[:n]
            last = ids(asked[-1])[-n:]
            return whole[: n - len(last)] + last if len(last) < n else last
        return question
    raise SystemExit(f"unknown reading {name!r}")


def cross_logits(encoder: CrossEncoder, pairs: list[tuple[str, str]],
                 side: Callable[[str], list[int]]) -> np.ndarray:
    """The cross-encoder's logit for each (first, second) pair read with ``side``."""
    if encoder.numbers == "shared":
        pairs = [shared_numbers(a, b) for a, b in pairs]
    memo: dict[str, list[int]] = {}
    encoded = []
    for a, b in pairs:
        for t in (a, b):
            if t not in memo:
                memo[t] = side(t)
        encoded.append(encoder.pair_ids(memo[a], memo[b]))
    return encoder.logits(encoded)


def stacked(cross_logit: np.ndarray, nets_logit: np.ndarray) -> np.ndarray:
    """The stack's probability, as the lookup computes it (``probabilities``, then
    ``stack``)."""
    p_cross = 1.0 / (1.0 + np.exp(-np.clip(cross_logit.astype(np.float32), -30, 30)))
    return 1 / (1 + np.exp(-(logit(p_cross.astype(np.float32)) + nets_logit)))


def hit(row: dict[str, Any], p: float, cut: float, floor: float) -> bool:
    if row["numbers"]:
        return False
    if row["respelling"] is not None:
        return True
    return row["similarity"] >= floor and p >= cut


def rates(rows: list[dict[str, Any]], p: np.ndarray, cut: float,
          floor: float = FLOOR) -> dict[str, Any]:
    pos = [hit(r, float(q), cut, floor) for r, q in zip(rows, p, strict=True) if r["label"]]
    neg = [hit(r, float(q), cut, floor) for r, q in zip(rows, p, strict=True) if not r["label"]]
    return {"hits": sum(pos), "positives": len(pos), "passed": sum(neg), "negatives": len(neg)}


def matched_cut(rows: list[dict[str, Any]], p: np.ndarray, fh: float) -> float:
    """The lowest cut at which the rows' false hits are at most ``fh``."""
    neg = sorted((float(q) for r, q in zip(rows, p, strict=True)
                  if not r["label"] and hit(r, 1.0, 0.0, FLOOR)
                  and r["respelling"] is None), reverse=True)
    fixed = sum(1 for r in rows if not r["label"] and r["respelling"] is not None
                and not r["numbers"])
    allowed = int(np.floor(fh * sum(1 for r in rows if not r["label"]))) - fixed
    if allowed < 0:
        return 1.0
    if allowed >= len(neg):
        return 0.0
    return float(np.nextafter(neg[allowed], 1.0))  # the allowed-th highest passes no more


def score(rows: list[dict[str, Any]], p: np.ndarray, cut: float, fh: float,
          sets: list[str]) -> dict[str, Any]:
    """At the shipped cut and leave-one-set-out at matched false hits: pooled, per set,
    per kind (positives hit)."""
    by = {s: np.array([r["set"] == s for r in rows]) for s in sets}
    shipped = {s: rates([r for r, m in zip(rows, by[s], strict=True) if m], p[by[s]], cut)
               for s in sets}
    loso: dict[str, Any] = {}
    loso_hit = np.zeros(len(rows), bool)
    for s in sets:
        rest = ~by[s]
        c = matched_cut([r for r, m in zip(rows, rest, strict=True) if m], p[rest], fh)
        loso[s] = {"cut": round(c, 6), **rates(
            [r for r, m in zip(rows, by[s], strict=True) if m], p[by[s]], c)}
        for i in np.flatnonzero(by[s]):
            loso_hit[i] = hit(rows[i], float(p[i]), c, FLOOR)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for r, q, h in zip(rows, p, loso_hit, strict=True):
        if r["label"]:
            k = kinds[r["kind"]]
            k["n"] += 1
            k["shipped"] += hit(r, float(q), cut, FLOOR)
            k["loso"] += bool(h)
    pooled_cut = matched_cut(rows, p, fh)
    negatives = sum(1 for r in rows if not r["label"])
    cuts = {n: matched_cut(rows, p, (n + 0.5) / negatives) for n in CURVE}
    curve = {str(n): {"cut": round(c, 6), **rates(rows, p, c)} for n, c in cuts.items()}
    return {"curve": curve,
            "shipped_cut": {"all": _sum(shipped.values()), **shipped},
            "loso": {"all": _sum(loso.values()), **loso},
            "pooled_matched": {"cut": round(pooled_cut, 6), **rates(rows, p, pooled_cut)},
            "kinds": {k: dict(v) for k, v in sorted(kinds.items())}}


def _sum(parts: Any) -> dict[str, int]:
    out: Counter[str] = Counter()
    for part in parts:
        for k in ("hits", "positives", "passed", "negatives"):
            out[k] += part[k]
    return dict(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", type=Path, required=True,
                        help="bench/cache_losses.py --pairs-out rows of the decision sets")
    parser.add_argument("--readings", nargs="+",
                        default=["head", "head+tail:8", "head+tail:19", "head+tail:0",
                                 "question"])
    parser.add_argument("--orders", nargs="+", default=["qc", "cq", "mean"],
                        choices=("qc", "cq", "mean"))
    parser.add_argument("--fh", type=float, default=0.0075,
                        help="false hits allowed at the matched operating point")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--pairs-out", type=Path, default=PAIRS,
                        help="per pair: the nets' p and the cross-encoder's logit in each "
                             "order, head reading (jsonl, gitignored)")
    args = parser.parse_args()
    rows = read_jsonl(args.trace)
    rows = [r for r in rows if not r["set"].startswith("pairs:")]
    sets = list(dict.fromkeys(r["set"] for r in rows))
    embedder = shared_embedder()
    cross = load_cross_verifier(embedder)
    encoder, cut = cross.encoder, cross.threshold
    nets = load_verifier()
    p_nets = np.empty(len(rows))
    for start in range(0, len(rows), CHUNK):  # batched passes, within the nets' bound
        part = rows[start : start + CHUNK]
        nets.prepare_many(list(dict.fromkeys(t for r in part for t in (r["a"], r["b"]))))
        p_nets[start : start + len(part)] = [
            nets.probability(r["a"], r["b"], r["similarity"]) for r in part]
    nets_logit = logit(p_nets)
    n = encoder.max_side_tokens
    long_side = [any(len(encoder._tokenizer.encode(t, add_special_tokens=False).ids) > n  # noqa: SLF001
                     for t in shared_numbers(r["b"], r["a"])) for r in rows]
    print(f"{len(rows)} pairs; {sum(long_side)} with a side over {n} word pieces: " + str(
        dict(Counter((r["set"], r["kind"], r["label"])
                     for r, x in zip(rows, long_side, strict=True) if x))))
    qc_pairs = [(r["b"], r["a"]) for r in rows]  # (query, cached)
    cq_pairs = [(r["a"], r["b"]) for r in rows]
    base_qc = cross_logits(encoder, qc_pairs, reading("head", encoder))
    shipped = stacked(base_qc, nets_logit)
    trace_p = np.array([r["p"] if r["p"] is not None else np.nan for r in rows])
    known = ~np.isnan(trace_p)
    worst = float(np.max(np.abs(shipped[known] - trace_p[known])))
    print(f"shipped stack vs the trace's p: largest difference {worst:.2e}")
    if worst > 1e-3:
        raise SystemExit("this script's shipped reading disagrees with the lookup's")
    base_cq = cross_logits(encoder, cq_pairs, reading("head", encoder)) \
        if set(args.orders) & {"cq", "mean"} else None
    long_idx = np.flatnonzero(long_side)
    results: dict[str, Any] = {}
    kept: dict[str, np.ndarray] = {}  # the head reading's cross logits, per order
    for name in args.readings:
        side = reading(name, encoder)
        qc, cq = base_qc.copy(), None if base_cq is None else base_cq.copy()
        if name != "head" and len(long_idx):
            qc[long_idx] = cross_logits(encoder, [qc_pairs[i] for i in long_idx], side)
            if cq is not None:
                cq[long_idx] = cross_logits(encoder, [cq_pairs[i] for i in long_idx], side)
        for order in args.orders:
            lg = {"qc": qc, "cq": cq, "mean": None if cq is None
                  else pair_logit(np.concatenate([qc, cq]), len(qc))}[order]
            assert lg is not None
            p = stacked(lg, nets_logit)
            key = f"{name} {order}"
            results[key] = score(rows, p, cut, args.fh, sets)
            if name == "head":
                kept[order] = lg
            if len(long_idx):
                results[key]["long_pairs_p"] = [round(float(p[i]), 4) for i in long_idx]
    out = {"sets": sets, "pairs": len(rows), "long_side_pairs": int(sum(long_side)),
           "cut": cut, "floor": FLOOR, "fh": args.fh, "readings": results,
           "trace": str(args.trace), "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    args.pairs_out.parent.mkdir(parents=True, exist_ok=True)
    args.pairs_out.write_text("".join(json.dumps(
        {k: r[k] for k in ("set", "id", "kind", "label", "similarity", "numbers",
                           "respelling")}
        | {"p_nets": round(float(q), 6)}
        | {f"cross_logit_{o}": round(float(v[i]), 5) for o, v in kept.items()}) + "\n"
        for i, (r, q) in enumerate(zip(rows, p_nets, strict=True))), encoding="utf-8")
    report(out)
    print(f"\nwrote {args.out}")
    return 0


def report(out: dict[str, Any]) -> None:
    sets = out["sets"]
    print(f"\nstack at the shipped cut p >= {out['cut']:.4f} | leave-one-set-out at matched "
          f"false hits (<= {out['fh']:.2%} on the other four)\n")
    print("| reading | shipped cut: recall / FH | " + " | ".join(sets) +
          " | LOSO matched: recall / FH | " + " | ".join(sets) + " |")
    print("|---" * (2 * len(sets) + 3) + "|")
    for key, r in out["readings"].items():
        a, b = r["shipped_cut"], r["loso"]
        print(f"| {key} | {a['all']['hits']}/{a['all']['positives']} / "
              f"{a['all']['passed']}/{a['all']['negatives']} | "
              + " | ".join(f"{a[s]['hits']} / {a[s]['passed']}" for s in sets)
              + f" | {b['all']['hits']} / {b['all']['passed']} | "
              + " | ".join(f"{b[s]['hits']} / {b[s]['passed']}" for s in sets) + " |")
    print("\npositives hit at a pooled budget of negatives passed (the cut chosen on all "
          "the sets)\n")
    budgets = list(next(iter(out["readings"].values()))["curve"])
    print("| reading | " + " | ".join(f"{b} passed" for b in budgets) + " |")
    print("|---" * (len(budgets) + 1) + "|")
    for key, r in out["readings"].items():
        print(f"| {key} | " + " | ".join(str(r["curve"][b]["hits"]) for b in budgets) + " |")
    kinds = list(next(iter(out["readings"].values()))["kinds"])
    print("\npositives hit per kind, shipped cut (LOSO matched)\n")
    print("| reading | " + " | ".join(kinds) + " |")
    print("|---" * (len(kinds) + 1) + "|")
    for key, r in out["readings"].items():
        print(f"| {key} | " + " | ".join(
            f"{r['kinds'][k]['shipped']} ({r['kinds'][k]['loso']})/{r['kinds'][k]['n']}"
            for k in kinds) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
