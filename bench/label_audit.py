"""A blind label audit (session 27): a second reader labels a stratified sample of the seen
writers' pairs by the writers' own criterion, and the shipped S5's figures are recomputed on
the pairs the reader agrees with. A record; it decides nothing.

Why: rule S6d refused S6 (more writers moved S6 along S5's curve, as S3/S4 and the ensemble
had found). Before more sessions go to the verifier, how much of what S5 refuses is a real
error, and how much a pair on which a second careful reader would not agree with the writer?

``sample`` reads S5's rows at main 66c9ccc (``bench/cache_losses.py --pairs-out`` rows, every
shipped check on) for P4 (heldout54-57) and D58 (heldout58-59), six writers, all seen now;
a pair's verdict is ``cache_losses.stage(row, 0.5, 0.916959)``. The strata, drawn with
``random.Random(27)`` in this order, each from its population in the rows' order:

- R: 300 positives S5 refuses (any stage), at random;
- A: 150 positives S5 finds, at random;
- F: every negative S5 passes (the false hits);
- H: 100 negatives S5 refuses with p >= 0.5 (the near ones; all if fewer), at random;
- N: 100 of the other negatives (refused with p < 0.5 or no p: the amounts check or the
  floor decided before the model), at random.

Shuffled together (the same generator), numbered 0001.. in that order, and written as the
blind file (``### <id>``, ``A: <cached text>``, ``B: <query text>``: no set, kind, label,
verdict or p) and the key (id -> set, pair, stratum, label, kind, stage, p, similarity).

``join`` reads the reader's labels (``<id> <same|different|unsure> [reason]``), checks the
key against a fresh draw from the rows (the same seed must give the same key), and reports:
per stratum the reader against the writer (same / different / unsure); R by stage (verifier
/ floor / other) and by the writer's kind; S5's recall and false hits on the six sets (a) on
every pair (Wilson 95 % intervals) and (b) on the pairs the reader agrees with, each stratum
weighted back to its population (a stratum's agreeing fraction times its population size;
F is a census; intervals: 2,000 bootstrap draws resampling each sampled stratum's labels
with replacement, F held fixed, for the audit's sampling; beside it the Wilson interval of
the weighted counts, for the pairs'); (c), a record, the same with the reader's label as
the truth (unsure left out); and 10 examples of each kind of disagreement with both texts.

The commands (2026-12-06):

    .venv/bin/python bench/label_audit.py sample --out-dir /work/base/audit
    .venv/bin/python bench/label_audit.py join --out-dir /work/base/audit \\
        --out bench/results/label-audit-session27.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cache_losses import stage
from run_record import run_record

BASE = Path("/work/base")
ROWS = (BASE / "base-P4-66c9ccc-S5-pairs.jsonl", BASE / "base-D58-66c9ccc-S5-pairs.jsonl")
FLOOR, CUT, SEED = 0.5, 0.916959, 27
SIZES = {"R": 300, "A": 150, "F": None, "H": 100, "N": 100}  # None: every pair
NEAR = 0.5
BOOTSTRAP = 2000
EXAMPLES = 10
WRITER = {1: "same", 0: "different"}
LABELS = ("same", "different", "unsure")


def read_rows(paths: Iterable[Path | str]) -> list[dict[str, Any]]:
    return [json.loads(line) for p in paths
            for line in Path(p).read_text(encoding="utf-8").splitlines() if line.strip()]


def stratum(row: dict[str, Any], floor: float = FLOOR, cut: float = CUT) -> str:
    """The stratum a pair's writer label and S5's verdict put it in."""
    hit = stage(row, floor, cut)[1]
    if row["label"]:
        return "A" if hit else "R"
    if hit:
        return "F"
    return "H" if row["p"] is not None and row["p"] >= NEAR else "N"


def populations(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SIZES}
    for r in rows:
        out[stratum(r)].append(r)
    return out


def draw(rows: list[dict[str, Any]], seed: int = SEED) -> list[dict[str, Any]]:
    """The key: the strata drawn, shuffled together and numbered (see the module's doc)."""
    rng = random.Random(seed)
    picked: list[tuple[str, dict[str, Any]]] = []
    for name, pop in populations(rows).items():
        size = SIZES[name]
        chosen = pop if size is None or size >= len(pop) else rng.sample(pop, size)
        picked += [(name, r) for r in chosen]
    rng.shuffle(picked)
    key = []
    for n, (name, r) in enumerate(picked, 1):
        where = stage(r, FLOOR, CUT)[0]
        key.append({"id": f"{n:04d}", "set": r["set"], "pair": r["id"], "stratum": name,
                    "label": r["label"], "kind": r["kind"], "stage": where, "p": r["p"],
                    "similarity": round(r["similarity"], 6), "a": r["a"], "b": r["b"]})
    return key


def blind_text(key: list[dict[str, Any]]) -> str:
    return "".join(f"### {k['id']}\nA: {k['a']}\nB: {k['b']}\n\n" for k in key)


def read_labels(text: str) -> dict[str, dict[str, str]]:
    """``<id> <same|different|unsure> [reason]`` a line; blank lines and ``#`` lines skipped.
    A repeated id or an unknown label is an error."""
    out: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"(\d{1,4})\s+(\S+)\s*(.*)", line)
        if not m or m[2].lower().strip(":,.") not in LABELS:
            raise ValueError(f"unreadable label line: {line!r}")
        pid = f"{int(m[1]):04d}"
        if pid in out:
            raise ValueError(f"id {pid} labelled twice")
        out[pid] = {"reader": m[2].lower().strip(":,."), "reason": m[3].strip()}
    return out


def wilson(k: float, n: float, z: float = 1.96, digits: int = 6) -> list[float]:
    """The Wilson interval of k of n at ``z`` (95 %), rounded to ``digits``; [0, 1] of none."""
    if n == 0:
        return [0.0, 1.0]
    p = k / n
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(mid - half, digits), round(mid + half, digits)]


def stage_group(where: str) -> str:
    return where if where in ("verifier", "floor") else "other"


def agreement(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts of the reader's labels, and of agree / disagree / unsure with the writer."""
    c = Counter(r["reader"] for r in rows)
    agree = sum(r["reader"] == WRITER[r["label"]] for r in rows)
    return {"n": len(rows), **{lab: c[lab] for lab in LABELS}, "agree": agree,
            "disagree": c["same"] + c["different"] - agree}


def tabulate(joined: list[dict[str, Any]]) -> dict[str, Any]:
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in joined:
        by[r["stratum"]].append(r)
    out: dict[str, Any] = {}
    for name in SIZES:
        rows = by.get(name, [])
        kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            kinds[r["kind"]].append(r)
        out[name] = {**agreement(rows),
                     "by_kind": {k: agreement(v) for k, v in sorted(kinds.items())}}
        if name == "R":
            stages: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for r in rows:
                stages[stage_group(r["stage"])].append(r)
            out[name]["by_stage"] = {k: agreement(v) for k, v in sorted(stages.items())}
    return out


def estimates(frac: dict[str, dict[str, float]], pop: dict[str, int]) -> dict[str, float]:
    """S5's recall and false-hit rate (b) on the pairs the reader agrees with and (c) with
    the reader's label as the truth, from each stratum's fractions weighted by its size.
    ``frac[s]``: the fractions of stratum s the reader labels same / different / agree."""
    def w(s: str, what: str) -> float:
        return frac[s][what] * pop[s]

    found, lost = w("A", "agree"), w("R", "agree")
    passed = w("F", "agree")
    negatives = passed + w("H", "agree") + w("N", "agree")
    same_hit = w("A", "same") + w("F", "same")
    same_all = same_hit + w("R", "same") + w("H", "same") + w("N", "same")
    diff_hit = w("A", "different") + w("F", "different")
    diff_all = diff_hit + w("R", "different") + w("H", "different") + w("N", "different")
    return {"agreed_recall": found / max(found + lost, 1e-9),
            "agreed_false_hit_rate": passed / max(negatives, 1e-9),
            "agreed_positives": found + lost, "agreed_negatives": negatives,
            "agreed_false_hits": passed,
            "reader_recall": same_hit / max(same_all, 1e-9),
            "reader_false_hit_rate": diff_hit / max(diff_all, 1e-9),
            "reader_positives": same_all, "reader_negatives": diff_all,
            "reader_false_hits": diff_hit}


def fractions(rows: list[dict[str, Any]]) -> dict[str, float]:
    n = max(len(rows), 1)
    return {"same": sum(r["reader"] == "same" for r in rows) / n,
            "different": sum(r["reader"] == "different" for r in rows) / n,
            "agree": sum(r["reader"] == WRITER[r["label"]] for r in rows) / n}


def recompute(rows: list[dict[str, Any]], joined: list[dict[str, Any]],
              seed: int = SEED) -> dict[str, Any]:
    pops = {s: len(v) for s, v in populations(rows).items()}
    hits = pops["A"]
    positives = pops["A"] + pops["R"]
    negatives = pops["F"] + pops["H"] + pops["N"]
    every = {"recall": hits / positives, "recall_95": wilson(hits, positives),
             "hits": hits, "positives": positives, "false_hits": pops["F"],
             "negatives": negatives, "false_hit_rate": pops["F"] / negatives,
             "false_hit_rate_95": wilson(pops["F"], negatives)}
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in joined:
        by[r["stratum"]].append(r)
    point = estimates({s: fractions(by[s]) for s in SIZES}, pops)
    rng = random.Random(seed)
    draws: dict[str, list[float]] = defaultdict(list)
    for _ in range(BOOTSTRAP):
        # F is every false hit (a census): held fixed; the sampled strata resampled.
        frac = {s: fractions(by[s] if s == "F" or not by[s]
                             else rng.choices(by[s], k=len(by[s]))) for s in SIZES}
        for k, v in estimates(frac, pops).items():
            draws[k].append(v)
    ci = {}
    for k, vals in draws.items():
        vals.sort()
        ci[k] = [round(vals[int(0.025 * len(vals))], 6), round(vals[int(0.975 * len(vals)) - 1], 6)]
    # The binomial interval of the weighted counts, as (a)'s: the audit's own sampling is
    # in the bootstrap's, the pairs' in this one.
    wilson_b = {"agreed_recall": wilson(point["agreed_recall"] * point["agreed_positives"],
                                        point["agreed_positives"]),
                "agreed_false_hit_rate": wilson(point["agreed_false_hits"],
                                                point["agreed_negatives"])}
    return {"populations": pops, "sampled": {s: len(by[s]) for s in SIZES},
            "every_pair": {k: round(v, 6) if isinstance(v, float) else v
                           for k, v in every.items()},
            "weighted": {k: round(v, 6) for k, v in point.items()},
            "weighted_95": ci, "weighted_wilson_95": wilson_b}


def examples(joined: list[dict[str, Any]], n: int = EXAMPLES) -> dict[str, list[dict[str, Any]]]:
    """The first ``n`` by id (ids are in random order) of each kind of disagreement."""
    kinds = {"writer_same_reader_different": (1, "different"),
             "writer_same_reader_unsure": (1, "unsure"),
             "writer_different_reader_same": (0, "same"),
             "writer_different_reader_unsure": (0, "unsure")}
    return {name: [r for r in joined if r["label"] == lab and r["reader"] == said][:n]
            for name, (lab, said) in kinds.items()}


def join(rows: list[dict[str, Any]], key: list[dict[str, Any]],
         labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    if draw(rows) != key:
        raise ValueError("the key is not the draw these rows and seed give")
    missing = [k["id"] for k in key if k["id"] not in labels]
    unknown = sorted(set(labels) - {k["id"] for k in key})
    joined = [{**k, **labels[k["id"]]} for k in key if k["id"] in labels]
    return {"labelled": len(joined), "missing": missing, "unknown": unknown,
            "strata": tabulate(joined), "recomputed": recompute(rows, joined),
            "examples": examples(joined),
            "key": [{k: v for k, v in r.items() if k not in ("a", "b")} for r in joined]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("sample", "join"))
    parser.add_argument("--rows", nargs="+", default=[str(p) for p in ROWS])
    parser.add_argument("--out-dir", type=Path, default=BASE / "audit")
    parser.add_argument("--out", type=Path, help="join: the result JSON")
    args = parser.parse_args()
    rows = read_rows(args.rows)
    blind, key_path = args.out_dir / "blind.txt", args.out_dir / "key.jsonl"
    if args.step == "sample":
        key = draw(rows)
        args.out_dir.mkdir(parents=True, exist_ok=True)
        blind.write_text(blind_text(key), encoding="utf-8")
        key_path.write_text("".join(json.dumps(k) + "\n" for k in key), encoding="utf-8")
        counts = Counter(k["stratum"] for k in key)
        print(f"{len(key)} pairs ({dict(counts)}) -> {blind}, {key_path}")
        return 0
    key = read_rows([key_path])
    labels_path = args.out_dir / "labels.txt"
    labels = read_labels(labels_path.read_text(encoding="utf-8"))
    result = join(rows, key, labels)
    result = {"rows": args.rows, "floor": FLOOR, "cut": CUT, "seed": SEED,
              "sizes": SIZES, "near": NEAR, "bootstrap": BOOTSTRAP,
              "blind_sha256": hashlib.sha256(blind.read_bytes()).hexdigest(),
              "labels_sha256": hashlib.sha256(labels_path.read_bytes()).hexdigest(),
              **result, "run": run_record()}
    if args.out is None:
        parser.error("join needs --out")
    # The key's rows one a line, so the file stays readable and small.
    body = json.dumps({**result, "key": "KEY"}, indent=1).replace(
        '"key": "KEY"', '"key": [\n' + ",\n".join(json.dumps(k) for k in result["key"]) + "\n ]")
    args.out.write_text(body + "\n", encoding="utf-8")
    rec = result["recomputed"]
    print(json.dumps({"strata": {s: {k: v for k, v in c.items() if k not in ("by_kind",)}
                                 for s, c in result["strata"].items()},
                      "every_pair": rec["every_pair"], "weighted": rec["weighted"],
                      "weighted_95": rec["weighted_95"], "missing": len(result["missing"])},
                     indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
