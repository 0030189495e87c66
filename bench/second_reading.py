"""Does anything beyond S5's one reading move the curve? Two cheap ideas, read per pair on
seen writers against S5 alone on the same rows (session 32, helper i15; an exploration that
decides nothing by itself: docs/cache-history.md "Session 32: beyond S5's one reading").

    score    every row of ``cache_losses.py --pairs-out`` that reaches the verifier (no
             amounts refusal, no respelling hit, at the floor 0.5 or over: ``reaches``)
             read by the shipped cross-encoder in both orders: ``query_first`` (what the
             lookup reads: its sigmoid is the row's p, checked) and ``cached_first``; the
             two logits a row go to ``--out`` (jsonl, gitignored)
    curve    the lookup's recall at matched per-pair false hits (``BUDGETS`` of the
             negatives) with each decision score (``SCORES``) in place of S5's logit,
             pooled over the writers and per writer pair (heldout54-55, 56-57, ...), and a
             bootstrap over writers (sets) of each score's difference from S5 alone
    traffic  the share of the candidates a populated cache's lookups hand the verifier
             whose S5 logit lies in each band (``cache_shared.py --scored-out`` rows), and
             with ``--time`` the CPU of each band's added pass against the lookup's own
             (the band's pass tokenises its texts again: an upper bound)

The decision scores (each one number a candidate; a pair is a hit where ``stage`` would
make it one with that score over the budget's threshold):

- ``s5``: S5's logit, query first (the shipped reading);
- ``both``: the mean of the two orders' logits, every candidate;
- ``band:W``: the mean of the two orders' logits where S5's logit is within ``W`` of the
  shipped cut's (logit 0.916959 = 2.4017), S5's logit elsewhere: the second order is paid
  only in the band;
- ``lr`` / ``lr+cf``: a logistic regression over S5's logit, the mapped and the raw cosine,
  the two texts' log word counts and their word overlap (``lr+cf``: the other order's logit
  too), fitted with one writer pair held out at a time (``fold``) on the other pairs'
  verifier-reaching rows, each row scored by the fit that never saw its writers;
- ``lr-near``: ``lr`` fitted and read only where S5's logit is at least the cut's less 3
  (the rows a matched threshold can reach); under that, S5's logit less 1,000.

A budget of b % is floor(b % of the negatives) false hits: the threshold is the lowest that
passes no more (ties refused), as ``pooled_curve.py`` reads its budgets. Rows the lookup
refuses whatever the verifier says (the amounts check, the floor, ``more`` / ``own`` /
``narrowed`` / ``first``: none of them depends on p in the shipped lookup) and respelled hits
are fixed; only the verifier's reading changes.

    SETS="$(printf 'heldout%d ' $(seq 54 81))"; L=bench/results/local
    .venv/bin/python bench/cache_losses.py --sets $SETS --out $L/i15-losses-54-81.json \\
        --pairs-out $L/i15-rows-54-81.jsonl
    .venv/bin/python bench/second_reading.py score --rows $L/i15-rows-54-81.jsonl \\
        --out $L/i15-logits-54-81.jsonl
    .venv/bin/python bench/second_reading.py curve --rows $L/i15-rows-54-81.jsonl \\
        --logits $L/i15-logits-54-81.jsonl --out bench/results/second-reading-session32.json
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldout62 heldout63 \\
        --verifier-model cross --variants 0.5:5:m --out $L/i15-shared-62-63.json \\
        --pairs-out $L/i15-shared-62-63-pairs.jsonl --scored-out $L/i15-scored-62-63.jsonl
    .venv/bin/python bench/second_reading.py traffic --scored $L/i15-scored-62-63.jsonl \\
        --shared $L/i15-shared-62-63.json --time --rounds 2 \\
        --out bench/results/second-reading-traffic-session32.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "layers" / "core")]

from cache_losses import stage  # noqa: E402
from operating_point import writer_pair  # noqa: E402  (heldout54 -> heldout54-55)
from pair_sets import RESERVED  # noqa: E402
from refusal_families import read_jsonl  # noqa: E402
from run_record import run_record  # noqa: E402

F64 = npt.NDArray[np.float64]
FLOOR = 0.5  # cache.verifier_floor
CUT = 0.916959  # cross.json's threshold (S5c): S5's, the model this reads (S10 at 0.93 since 35)
CUT_LOGIT = math.log(CUT / (1 - CUT))
BUDGETS = (0.5, 1.0, 2.0)  # per cent of the negatives
BANDS = (1.0, 2.0, 3.0)  # logit half-widths around the cut's
NEAR = 3.0  # ``lr-near`` reads rows whose S5 logit is at least CUT_LOGIT - NEAR
RIDGE = 1e-3  # the logistic's L2 weight on its standardised features
DRAWS = 2000  # bootstrap resamples
SEED = 32
_WORDS = re.compile(r"\w+")


def reaches(row: dict[str, Any]) -> bool:
    """The verifier decides the pair: no amounts refusal, no respelled hit, at the floor."""
    return (not row["numbers"] and row["respelling"] is None
            and row["similarity"] >= FLOOR)


def refused_after(row: dict[str, Any]) -> bool:
    """A check after the verifier refuses the pair whatever its score (``stage``'s order)."""
    return bool(row.get("narrowed") or row.get("more") or row.get("first") or row.get("own"))


def key(row: dict[str, Any]) -> tuple[str, str]:
    return row["set"], row["id"]


# --- score -----------------------------------------------------------------------------


def prepared(encoder: Any, pairs: Sequence[tuple[str, str]]
             ) -> tuple[Sequence[tuple[str, str]], dict[str, Any]]:
    """(query, cached) pairs with their texts prepared as ``CrossEncoder._scored``
    prepares them, and each text's side ids."""
    from llm_router.cache.cross import shared_numbers

    if encoder.numbers == "shared":
        pairs = [shared_numbers(q, c) for q, c in pairs]
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    return pairs, dict(zip(texts, encoder.side_ids(texts), strict=True))


def both_logits(encoder: Any, pairs: Sequence[tuple[str, str]]) -> tuple[F64, F64]:
    """The shipped encoder's logits of each (query, cached) pair read query first and read
    cached first."""
    pairs, side = prepared(encoder, pairs)
    rows = ([encoder.pair_ids(side[q], side[c]) for q, c in pairs]
            + [encoder.pair_ids(side[c], side[q]) for q, c in pairs])
    logits = encoder.logits(rows).astype(np.float64)
    return logits[: len(pairs)], logits[len(pairs):]


def score(args: argparse.Namespace) -> int:
    from llm_router.cache.cross import load_cross_verifier
    from llm_router.embedding.minilm import shared_embedder

    rows = [r for r in read_jsonl(args.rows) if reaches(r) and not refused_after(r)]
    verifier = load_cross_verifier(shared_embedder())
    if verifier.encoder.order != "query_first" or verifier.combines_nets:
        raise SystemExit("the shipped verifier is no longer S5 read query first, alone")
    start = time.process_time()
    qf, cf = both_logits(verifier.encoder, [(r["b"], r["a"]) for r in rows])
    cpu = time.process_time() - start
    p = np.asarray([r["p"] for r in rows])
    drift = float(np.max(np.abs(1 / (1 + np.exp(-qf)) - p))) if rows else 0.0
    print(f"{len(rows)} pairs read both ways in {cpu:.0f} s of CPU; "
          f"query-first sigmoid against the rows' p: max |diff| {drift:.2e}")
    if drift > 1e-5:
        raise SystemExit("the query-first reading is not the rows' p")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(
        json.dumps({"set": r["set"], "id": r["id"], "query_first": round(float(a), 6),
                    "cached_first": round(float(b), 6)}) + "\n"
        for r, a, b in zip(rows, qf, cf, strict=True)), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


# --- curve -----------------------------------------------------------------------------


def features(row: dict[str, Any], qf: float, cf: float | None) -> list[float]:
    """``lr``'s inputs (``lr+cf``'s with ``cf``): S5's logit, the mapped and raw cosines,
    the texts' log word counts, their word overlap."""
    a, b = _WORDS.findall(row["a"].lower()), _WORDS.findall(row["b"].lower())
    sa, sb = set(a), set(b)
    out = [qf, row["similarity"], row.get("raw_similarity", row["similarity"]),
           math.log1p(len(a)), math.log1p(len(b)), len(sa & sb) / max(len(sa | sb), 1)]
    return out if cf is None else [*out, cf]


def fit_logistic(x: F64, y: F64, ridge: float = RIDGE, steps: int = 50
                 ) -> Callable[[F64], F64]:
    """Newton's method on the L2-penalised log loss over standardised columns; returns the
    fitted logit of new rows."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / std])
    w = np.zeros(z.shape[1])
    penalty = ridge * len(x) * np.eye(z.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return lambda new: np.hstack([np.ones((len(new), 1)), (new - mean) / std]) @ w


def out_of_fold(rows: list[dict[str, Any]], x: F64, y: F64, fitted: npt.NDArray[np.bool_]
                ) -> F64:
    """Each row's logit from the fit on every other writer pair's rows (``fitted`` marks the
    rows a fit may read)."""
    pairs = np.asarray([writer_pair(r["set"]) for r in rows])
    out = np.full(len(rows), np.nan)
    for held in sorted(set(pairs.tolist())):
        train = (pairs != held) & fitted
        out[pairs == held] = fit_logistic(x[train], y[train])(x[pairs == held])
    return out


def band_score(qf: F64, cf: F64, width: float) -> F64:
    """The two orders' mean where S5's logit is within ``width`` of the cut's, else S5's."""
    return np.where(np.abs(qf - CUT_LOGIT) <= width, (qf + cf) / 2, qf)


def decision_scores(rows: list[dict[str, Any]], qf: F64, cf: F64, fits: bool = True
                    ) -> dict[str, F64]:
    """Every score of ``SCORES`` for the verifier-reaching rows (in ``rows``' order); without
    ``fits``, only the unfitted ones (``UNFITTED``)."""
    y = np.asarray([float(r["label"]) for r in rows])
    mean = (qf + cf) / 2
    out = {"s5": qf, "both": mean}
    for w in BANDS:
        out[f"band:{w:g}"] = band_score(qf, cf, w)
    if not fits:
        return out
    x = np.asarray([features(r, a, None) for r, a in zip(rows, qf, strict=True)])
    everywhere = np.ones(len(rows), bool)
    out["lr"] = out_of_fold(rows, x, y, everywhere)
    out["lr+cf"] = out_of_fold(rows, np.hstack([x, cf[:, None]]), y, everywhere)
    near = qf >= CUT_LOGIT - NEAR
    out["lr-near"] = np.where(near, out_of_fold(rows, x, y, near), qf - 1000.0)
    return out


UNFITTED = ("s5", "both", *(f"band:{w:g}" for w in BANDS))
SCORES = (*UNFITTED, "lr", "lr+cf", "lr-near")


class Pool:
    """Per set: the fixed hits and false hits (respelled), the positives and negatives, and
    the candidates' scores by label, for matched-budget recall on any union of sets."""

    def __init__(self, rows: list[dict[str, Any]], scores: dict[tuple[str, str], dict[str, float]],
                 names: Sequence[str] = SCORES):
        self.sets = sorted({r["set"] for r in rows}, key=lambda s: int(s.removeprefix("heldout")))
        self.fixed_pos = {s: 0 for s in self.sets}
        self.fixed_neg = {s: 0 for s in self.sets}
        self.n_pos = {s: 0 for s in self.sets}
        self.n_neg = {s: 0 for s in self.sets}
        cands: dict[tuple[str, int], list[dict[str, float]]] = {}
        for r in rows:
            s, label = r["set"], int(r["label"])
            (self.n_pos if label else self.n_neg)[s] += 1
            if r["respelling"] is not None and not r["numbers"]:
                (self.fixed_pos if label else self.fixed_neg)[s] += 1
            elif reaches(r) and not refused_after(r):
                cands.setdefault((s, label), []).append(scores[key(r)])
        self.scores = {(s, label, name): np.asarray([c[name] for c in cands.get((s, label), [])])
                       for s in self.sets for label in (0, 1) for name in names}

    def recall(self, sets: Sequence[str], name: str, budget: float) -> dict[str, Any]:
        """Recall of ``sets`` (repeats counted again) at ``budget`` % false hits with
        ``name``'s score, its threshold the lowest that passes at most the budget."""
        n_neg = sum(self.n_neg[s] for s in sets)
        allowed = math.floor(budget / 100 * n_neg + 1e-9) - sum(self.fixed_neg[s] for s in sets)
        neg = np.sort(np.concatenate([self.scores[(s, 0, name)] for s in sets]))[::-1]
        if allowed < 0:
            threshold = math.inf
        elif allowed >= len(neg):
            threshold = -math.inf
        else:
            threshold = float(neg[allowed])  # pass only over it: ties refused
        return self.at(sets, name, threshold, strictly=True)

    def at(self, sets: Sequence[str], name: str, threshold: float,
           strictly: bool = False) -> dict[str, Any]:
        """Recall and false hits of ``sets`` where a candidate passes at ``threshold`` or
        over (``strictly``: over it)."""
        neg = np.concatenate([self.scores[(s, 0, name)] for s in sets])
        pos = np.concatenate([self.scores[(s, 1, name)] for s in sets])
        n_pos = sum(self.n_pos[s] for s in sets)
        passes: Callable[[F64], int] = ((lambda x: int(np.sum(x > threshold))) if strictly
                                        else (lambda x: int(np.sum(x >= threshold))))
        hits = sum(self.fixed_pos[s] for s in sets) + passes(pos)
        return {"recall": hits / max(n_pos, 1), "hits": hits, "positives": n_pos,
                "false_hits": passes(neg) + sum(self.fixed_neg[s] for s in sets),
                "negatives": sum(self.n_neg[s] for s in sets), "threshold": threshold}


def bootstrap(pool: Pool, name: str, budget: float, draws: int, seed: int) -> dict[str, Any]:
    """The difference in pooled recall (points) of ``name`` against ``s5`` at ``budget`` over
    ``draws`` resamples of the writers (sets) with replacement: mean, 2.5 % and 97.5 %."""
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(draws):
        sets = [pool.sets[i] for i in rng.integers(0, len(pool.sets), len(pool.sets))]
        diffs.append(100 * (pool.recall(sets, name, budget)["recall"]
                            - pool.recall(sets, "s5", budget)["recall"]))
    d = np.asarray(diffs)
    return {"mean": round(float(d.mean()), 3), "low": round(float(np.percentile(d, 2.5)), 3),
            "high": round(float(np.percentile(d, 97.5)), 3)}


def rounded(figure: dict[str, Any]) -> dict[str, Any]:
    return {**figure, "recall": round(100 * figure["recall"], 2),
            "threshold": None if not math.isfinite(figure["threshold"])
            else round(figure["threshold"], 4)}


def curve(args: argparse.Namespace) -> int:
    rows = [r for r in read_jsonl(args.rows) if r["set"] not in RESERVED]
    logits = {key(r): r for r in read_jsonl(args.logits)}
    judged = [r for r in rows if reaches(r) and not refused_after(r)]
    missing = [key(r) for r in judged if key(r) not in logits]
    if missing:
        raise SystemExit(f"{len(missing)} verifier-reaching rows have no logits, e.g. {missing[0]}")
    qf = np.asarray([logits[key(r)]["query_first"] for r in judged])
    cf = np.asarray([logits[key(r)]["cached_first"] for r in judged])
    # The fitted scores hold one writer pair out and fit on the others: one pair alone (a
    # fresh decision set) gets the unfitted scores only.
    fits = len({writer_pair(r["set"]) for r in judged}) > 1
    names = SCORES if fits else UNFITTED
    if not fits:
        print("one writer pair: the fitted scores (lr, lr+cf, lr-near) have no other pair to "
              "fit on and are left out")
    by_name = decision_scores(judged, qf, cf, fits)
    scores = {key(r): {n: float(by_name[n][i]) for n in names} for i, r in enumerate(judged)}
    pool = Pool(rows, scores, names)
    shipped = [stage(r, FLOOR, CUT)[1] for r in rows]
    at_cut = {"hits": sum(h for h, r in zip(shipped, rows, strict=True) if r["label"]),
              "false_hits": sum(h for h, r in zip(shipped, rows, strict=True)
                                if not r["label"])}
    replayed = pool.at(pool.sets, "s5", CUT_LOGIT)
    if (replayed["hits"], replayed["false_hits"]) != (at_cut["hits"], at_cut["false_hits"]):
        raise SystemExit(f"S5's logits at the cut give {replayed}, stage gives {at_cut}")
    pairs = sorted({writer_pair(s) for s in pool.sets}, key=lambda p: int(p[7:9]))
    sets_of = {p: [s for s in pool.sets if writer_pair(s) == p] for p in pairs}
    result: dict[str, Any] = {
        "rows": len(rows), "verifier_reaching": len(judged), "sets": pool.sets,
        "shipped_cut": rounded(replayed),
        "band_share_per_pair": {f"{w:g}": round(float(np.mean(np.abs(qf - CUT_LOGIT) <= w)), 4)
                                for w in BANDS},
        "pooled": {}, "per_writer_pair": {}, "bootstrap": {},
    }
    for spec in args.fixed:
        name, _, prob = spec.partition("=")
        if name not in names or not 0 < float(prob) < 1:
            raise SystemExit(f"--fixed {spec}: NAME=PROBABILITY with NAME one of {names}")
        cut = float(prob)
        result.setdefault("fixed", {})[spec] = rounded(
            pool.at(pool.sets, name, math.log(cut / (1 - cut))))
    for budget in BUDGETS:
        b = f"{budget:g}%"
        result["pooled"][b] = {n: rounded(pool.recall(pool.sets, n, budget)) for n in names}
        result["per_writer_pair"][b] = {
            p: {n: round(100 * pool.recall(sets_of[p], n, budget)["recall"], 2) for n in names}
            for p in pairs}
        result["bootstrap"][b] = {n: bootstrap(pool, n, budget, args.draws, SEED)
                                  for n in names if n != "s5"}
    result["run"] = run_record()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    report(result, pairs, names)
    print(f"\nwrote {args.out}")
    return 0


def report(result: dict[str, Any], pairs: list[str], names: Sequence[str] = SCORES) -> None:
    for b, by in result["pooled"].items():
        print(f"\n## {b} false hits a pair, pooled over {len(result['sets'])} writers")
        print("| score | recall | hits / positives | false hits | diff | bootstrap 95 % |")
        print("|---|---|---|---|---|---|")
        base = by["s5"]["recall"]
        for n, f in by.items():
            boot = result["bootstrap"][b].get(n)
            ci = "" if boot is None else f"{boot['low']:+.2f} .. {boot['high']:+.2f}"
            print(f"| {n} | {f['recall']:.2f} | {f['hits']} / {f['positives']} | "
                  f"{f['false_hits']} / {f['negatives']} | {f['recall'] - base:+.2f} | {ci} |")
        print(f"\nper writer pair, recall at {b} (own budget):")
        print("| pair | " + " | ".join(names) + " |")
        print("|---" * (len(names) + 1) + "|")
        for p in pairs:
            got = result["per_writer_pair"][b][p]
            print(f"| {p} | " + " | ".join(f"{got[n]:.2f}" for n in names) + " |")
    for spec, f in result.get("fixed", {}).items():
        print(f"\nat {spec}: recall {f['recall']:.2f} ({f['hits']} / {f['positives']}), "
              f"false hits {f['false_hits']} / {f['negatives']}")


# --- traffic ---------------------------------------------------------------------------


def other_order(encoder: Any, pairs: Sequence[tuple[str, str]]) -> F64:
    """The logits of (query, cached) pairs read cached first: the band's added pass."""
    pairs, side = prepared(encoder, pairs)
    return encoder.logits([encoder.pair_ids(side[c], side[q]) for q, c in pairs])


def traffic(args: argparse.Namespace) -> int:
    """The share of verified candidates in each band, from ``cache_shared.py --scored-out``
    (one variant's lookups), and with ``--time`` the CPU of the band's added pass against
    the lookup's own pass (both passes per lookup, alternated, ``--rounds`` times)."""
    scored = read_jsonl(args.scored)
    p = np.clip(np.asarray([r["p"] for r in scored]), 1e-6, 1 - 1e-6)
    lg = np.log(p) - np.log1p(-p)
    lookups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(scored):
        lookups.setdefault((r["variant"], r["query"]), []).append(i)
    out: dict[str, Any] = {
        "candidates": len(scored), "lookups": len(lookups),
        "band_share": {f"{w:g}": round(float(np.mean(np.abs(lg - CUT_LOGIT) <= w)), 4)
                       for w in BANDS},
        "lookups_with_one_in_band": {
            f"{w:g}": round(sum(bool(np.any(np.abs(lg[ix] - CUT_LOGIT) <= w))
                                for ix in lookups.values()) / max(len(lookups), 1), 4)
            for w in BANDS}}
    if args.shared is not None:  # every lookup of the run, those that scored nothing too
        run = json.loads(args.shared.read_text())
        variant = run["by_variant"][scored[0]["variant"]] if scored else {}
        out["shared_run"] = {"path": str(args.shared), "lookups": round(
            len(scored) / variant["scored_per_lookup"]) if variant else 0,
            **{k: variant.get(k) for k in ("cpu_ms_per_lookup", "scored_per_lookup")},
            "load_average_1m": run["timings"]["load_average_1m"]}
    if args.time:
        spent = timed(scored, lg, list(lookups.values()), args.rounds)
        out["cpu_ms_per_scoring_lookup"] = spent
        if args.shared is not None and out["shared_run"]["lookups"]:
            share = len(lookups) / out["shared_run"]["lookups"]
            out["cpu_ms_per_lookup"] = {k: round(v * share, 3) for k, v in spent.items()}
    out["run"] = run_record()
    print(json.dumps(out, indent=1))
    if args.out is not None:
        args.out.write_text(json.dumps(out, indent=1) + "\n")
    return 0


def timed(scored: list[dict[str, Any]], lg: F64, lookups: list[list[int]], rounds: int
          ) -> dict[str, Any]:
    """Per lookup, process time of its one batched pass as shipped (query first) and of the
    band's added pass (cached first, the candidates in each band), alternated."""
    from llm_router.cache.cross import load_cross_verifier
    from llm_router.embedding.minilm import shared_embedder

    encoder = load_cross_verifier(shared_embedder()).encoder
    spent: dict[str, float] = {"shipped": 0.0, **{f"band:{w:g}": 0.0 for w in BANDS}}
    for n in range(rounds):
        for ix in lookups if n % 2 == 0 else lookups[::-1]:
            pairs = [(scored[i]["query"], scored[i]["cached"]) for i in ix]
            start = time.process_time()
            encoder.scored(pairs)
            spent["shipped"] += time.process_time() - start
            for w in BANDS:
                near = [pair for pair, i in zip(pairs, ix, strict=True)
                        if abs(lg[i] - CUT_LOGIT) <= w]
                start = time.process_time()
                if near:
                    other_order(encoder, near)
                spent[f"band:{w:g}"] += time.process_time() - start
    return {k: round(1000 * v / (rounds * max(len(lookups), 1)), 3) for k, v in spent.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("score")
    s.add_argument("--rows", type=Path, required=True)
    s.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("curve")
    c.add_argument("--rows", type=Path, required=True)
    c.add_argument("--logits", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--draws", type=int, default=DRAWS)
    c.add_argument("--fixed", nargs="*", default=[], metavar="NAME=PROBABILITY",
                   help="also recall and false hits with NAME's score at this fixed cut "
                        "(band:2=0.904876: rule BO's operating point)")
    t = sub.add_parser("traffic")
    t.add_argument("--scored", type=Path, required=True)
    t.add_argument("--shared", type=Path, default=None,
                   help="the cache_shared.py result the readings came from (its lookups, "
                        "those that scored nothing too, and its CPU a lookup)")
    t.add_argument("--time", action="store_true")
    t.add_argument("--rounds", type=int, default=2)
    t.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    return {"score": score, "curve": curve, "traffic": traffic}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
