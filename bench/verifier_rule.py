"""The lead's rule V (session 23): which cross-encoder the lookup runs, S3 or S2, decided on
four sets neither trained on, applied once, as written, from the lookup's rows. The rule,
quoted unchanged:

    V: which cross-encoder the lookup runs, S3 (shipped, cut 0.861295) or S2 (cut
    0.858085), decided on D4 = heldout36, heldout37, heldout38, heldout39 (never trained
    on by either). Verdicts: cache_losses.stage(row, 0.5, cut) on the rows of
    /work/base/base-D29-89e5b96-pairs.jsonl (S3) and
    /work/base/base-D29-89e5b96-S2-pairs.jsonl (S2) for those four sets (the same lookup,
    every shipped check on). F = the smaller of S2's D4 false hits at 0.858085 and S3's at
    0.861295. Q0 = the smaller of S2's and S3's pairs:qqp false hits
    (bench/cache_pairs/heldout.jsonl, each at its present cut, measured now with
    bench/cache_losses.py --sets pairs). For each verifier v, c_v = the lowest 6-decimal
    cut at which v's D4 false hits <= F and its pairs:qqp false hits <= Q0, and R_v = its
    D4 recall at c_v. S2 replaces S3 if R_S2 >= R_S3 + 1.0 point and S2's recall at c_S2
    is at least S3's at c_S3 on at least three of the four sets; otherwise S3 stays. The
    verifier kept ships at its c_v (the cut's move is part of this decision, bounded by F
    and Q0), provided (c) bench/cache_shared.py on heldout38+heldout39 (--variants 0.5:5)
    at c_v: negatives answered by another entry <= main's (S3 at 0.861295) + 2; if (c)
    fails, the kept verifier ships at its present cut.

How each part is read: c_v is ``cross_continue.lowest_cut`` (``decide``'s c_Q search:
the lowest 6-decimal cut just above a negative's probability, D4's and Quora's bounds
together); the verdict on a row is ``cache_losses.stage`` at floor 0.5; Quora is the
``pairs:qqp`` rows of ``cache_losses.py --sets pairs`` (its support file and generated
pairs are reported, not judged). (c) reads ``cache_shared.py``'s
``by_variant[...].all.negatives.another``: main's run is the shipped S3 with
``--variants 0.5:5``; the kept verifier's at c_v is ``--variants 0.5:5:3:<c_v>`` (the
variant's fourth field judges at that cut; the third, 3, is
``CacheConfig.verifier_rank_margin``), S2 by ``--cross-dir`` of S2's folder. Where the
kept verifier's c_v is its present cut and it is S3, (c) is main's own run and passes.
The commands (2026-12-06):

    .venv/bin/python bench/cache_losses.py --sets pairs --out Q3.json --pairs-out Q3.jsonl
    .venv/bin/python bench/cache_losses.py --sets pairs --cross-dir S2DIR --out Q2.json \\
        --pairs-out Q2.jsonl
    .venv/bin/python bench/verifier_rule.py --s3 /work/base/base-D29-89e5b96-pairs.jsonl \\
        --s2 /work/base/base-D29-89e5b96-S2-pairs.jsonl --s3-quora Q3.jsonl \\
        --s2-quora Q2.jsonl       # the verdict and c_v; (c) pending
    .venv/bin/python bench/cache_shared.py --sets heldout38 heldout39 --variants 0.5:5 \\
        --out MAIN.json           # + the kept verifier at 0.5:5:3:<c_v> (--cross-dir S2DIR)
    .venv/bin/python bench/verifier_rule.py ... --shared-main MAIN.json --shared-kept KEPT.json
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cache_losses import counts, stage
from run_record import run_record

from train.cache_verifier.cross_continue import lowest_cut
from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
RULE = " ".join(__doc__.split("\n\n")[1].split())  # the quoted rule, as the lead wrote it
FLOOR = 0.5
D4 = ("heldout36", "heldout37", "heldout38", "heldout39")
PRESENT = {"S3": 0.861295, "S2": 0.858085}  # S3: cross.npz 532359f5; S2: 2a9b446e
MAIN = "S3"  # what ships on main, with its present cut
QUORA = "pairs:qqp"
SUPPORT = "pairs:support_heldout"  # the support-style file written apart
GAIN = 1.0  # points of D4 recall S2 needs over S3
SETS_AT_LEAST = 3  # of D4's four, where S2's recall at c_S2 >= S3's at c_S3
ANOTHER_SLACK = 2  # (c)
VARIANT = "0.5:5"  # cache_shared's shipped lookup
RANK_MARGIN = 3  # CacheConfig.verifier_rank_margin, the third field of a variant with a cut
EXAMPLES = 4  # pairs shown per kind where the two disagree


def only(rows: list[dict[str, Any]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows of the named sets (each must be there), in the file's order: every rule
    script here reads its decision sets' rows through it."""
    out = [r for r in rows if r["set"] in names]
    missing = set(names) - {r["set"] for r in out}
    if missing:
        raise SystemExit(f"no rows for {', '.join(sorted(missing))}")
    return out


def d4_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of D4's four sets (each must be there)."""
    return only(rows, D4)


def same_pairs(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    if [(r["set"], r["id"], r["a"], r["b"]) for r in a] != [
            (r["set"], r["id"], r["a"], r["b"]) for r in b]:
        raise SystemExit("the two verifiers' rows hold different pairs")


def figures(rows: list[dict[str, Any]], cut: float) -> dict[str, Any]:
    """D4's counts at ``cut``: all four sets, each set, each kind."""
    return {"all": counts(rows, FLOOR, cut),
            "by_set": {s: counts([r for r in rows if r["set"] == s], FLOOR, cut) for s in D4},
            "by_kind": {k: counts([r for r in rows if r["kind"] == k], FLOOR, cut)
                        for k in sorted({r["kind"] for r in rows})}}


def pairs_file(rows: list[dict[str, Any]], cut: float) -> dict[str, Any]:
    """``cache_losses.py --sets pairs`` counts at ``cut``, per component (Quora, the
    support file, their generated pairs)."""
    return {s: counts([r for r in rows if r["set"] == s], FLOOR, cut)
            for s in sorted({r["set"] for r in rows})}


def hit(row: dict[str, Any], cut: float) -> bool:
    return bool(stage(row, FLOOR, cut)[1])


def disagreements(s2: list[dict[str, Any]], s3: list[dict[str, Any]], c2: float,
                  c3: float, names: tuple[str, str] = ("S2", "S3"),
                  examples: int | None = EXAMPLES) -> dict[str, Any]:
    """The pairs whose verdicts differ, the first verifier (``names[0]``, rows ``s2``) at
    ``c2`` against the second (``s3``) at ``c3``: per kind, paraphrases found by one only
    and negatives passed by one only, with a few of each (``examples``; None: every one)
    (rule V's D4; rules S4b and S4c read S2 against S4 through it)."""
    one, two = names
    cells: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for a, b in zip(s2, s3, strict=True):
        h2, h3 = hit(a, c2), hit(b, c3)
        if h2 == h3:
            continue
        what = (("found_by" if a["label"] else "passed_by")
                + (f"_{one}_only" if h2 else f"_{two}_only"))
        cells[what][a["kind"]].append(
            {"set": a["set"], "id": a["id"], "a": a["a"], "b": a["b"],
             f"p_{one}": None if a["p"] is None else round(a["p"], 4),
             f"p_{two}": None if b["p"] is None else round(b["p"], 4),
             f"stage_{one}": stage(a, FLOOR, c2)[0], f"stage_{two}": stage(b, FLOOR, c3)[0]})
    return {what: {"n": sum(len(v) for v in kinds.values()),
                   "by_kind": {k: len(v) for k, v in sorted(kinds.items(), key=lambda kv:
                                                            (-len(kv[1]), kv[0]))},
                   "examples": {k: v[:examples] for k, v in sorted(kinds.items())}}
            for what, kinds in sorted(cells.items())}


def at_cut(d4: list[dict[str, Any]], pairs: list[dict[str, Any]],
           cut: float) -> dict[str, Any]:
    """One verifier's figures at ``cut``: D4's and the Quora file's."""
    return {"cut": cut, "d4": figures(d4, cut), "pairs": pairs_file(pairs, cut)}


def decide(rows: dict[str, list[dict[str, Any]]],
           quora: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """F, Q0, each verifier's c_v and R_v, and the verdict (before (c))."""
    qqp = {v: [r for r in quora[v] if r["set"] == QUORA] for v in PRESENT}
    if not all(qqp.values()):
        raise SystemExit(f"no {QUORA} rows (cache_losses.py --sets pairs)")
    same_pairs(qqp["S2"], qqp["S3"])
    f_from = {v: counts(rows[v], FLOOR, PRESENT[v])["false_hits"] for v in PRESENT}
    q0_from = {v: counts(qqp[v], FLOOR, PRESENT[v])["false_hits"] for v in PRESENT}
    f, q0 = min(f_from.values()), min(q0_from.values())
    cut = {v: lowest_cut(rows[v], f, (qqp[v], q0)) for v in PRESENT}
    at = {v: {**{f"{c:.6f}": at_cut(rows[v], quora[v], c) for c in PRESENT.values()},
              "c_v": at_cut(rows[v], quora[v], cut[v])} for v in PRESENT}
    d4 = {v: at[v]["c_v"]["d4"] for v in PRESENT}
    points = round((d4["S2"]["all"]["recall"] - d4["S3"]["all"]["recall"]) * 100, 4)
    sets_ok = [s for s in D4 if d4["S2"]["by_set"][s]["hits"] >= d4["S3"]["by_set"][s]["hits"]]
    replaces = points >= GAIN - 1e-9 and len(sets_ok) >= SETS_AT_LEAST
    kept = "S2" if replaces else "S3"
    return {"F": f, "F_from": f_from, "Q0": q0, "Q0_from": q0_from,
            "c_v": cut, "R_v": {v: d4[v]["all"]["recall"] for v in PRESENT},
            "recall_points_S2_minus_S3": points, "sets_where_S2_at_least_S3": sets_ok,
            "S2_replaces_S3": replaces, "kept": kept, "kept_c_v": cut[kept],
            "at": at,
            "disagreements_at_c_v": disagreements(rows["S2"], rows["S3"], cut["S2"],
                                                  cut["S3"])}


def variant_name(verifier: str, cut: float) -> str:
    """cache_shared's variant for ``verifier`` at ``cut`` (the plain 0.5:5 at its present
    cut, else the cut in the variant's fourth field): pass it as written."""
    return VARIANT if cut == PRESENT[verifier] else f"{VARIANT}:{RANK_MARGIN}:{cut:.6f}"


def another(shared: dict[str, Any], name: str) -> int:
    """cache_shared's negatives answered by another entry, variant ``name``."""
    by = shared["by_variant"]
    if name not in by:
        raise SystemExit(f"cache_shared's result has no variant {name} ({', '.join(by)})")
    return int(by[name]["all"]["negatives"]["another"])


def check_c(kept: str, cut: float, main: dict[str, Any] | None,
            kept_run: dict[str, Any] | None) -> dict[str, Any]:
    """(c): negatives answered by another entry, the kept verifier at ``cut`` against
    main's (S3 at its present cut) + 2. ``pass`` is None while a run is missing."""
    name = variant_name(kept, cut)
    if kept == MAIN and cut == PRESENT[MAIN]:
        return {"pass": True, "why": "the kept verifier at c_v is main's lookup itself",
                **({} if main is None else {"main": another(main, VARIANT)})}
    if main is None or kept_run is None:
        return {"pass": None, "kept_variant": name,
                "why": "cache_shared runs not given (--shared-main, --shared-kept)"}
    m, k = another(main, VARIANT), another(kept_run, name)
    return {"main": m, "kept": k, "limit": m + ANOTHER_SLACK, "pass": k <= m + ANOTHER_SLACK,
            "kept_variant": name}


def save(path: Path, out: dict[str, Any], report: Callable[[dict[str, Any]], None]) -> None:
    """Write a rule's result as JSON (the rule, its figures, inputs and run record), then
    print its report and where it went: the last step of every rule script here (rule V;
    sessions 24's E, S4b and S4c import it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    report(out)
    print(f"\nwrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--s3", type=Path, required=True, help="cache_losses rows, S3 (D29)")
    parser.add_argument("--s2", type=Path, required=True, help="the same, S2")
    parser.add_argument("--s3-quora", type=Path, required=True,
                        help="cache_losses --sets pairs rows, S3")
    parser.add_argument("--s2-quora", type=Path, required=True, help="the same, S2")
    parser.add_argument("--shared-main", type=Path, default=None,
                        help="cache_shared.py on heldout38 heldout39, S3 at --variants 0.5:5")
    parser.add_argument("--shared-kept", type=Path, default=None,
                        help="the same, the kept verifier at 0.5:5:3:<c_v>")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "verifier-session23.json")
    args = parser.parse_args()
    rows = {"S3": d4_rows(read_jsonl(args.s3)), "S2": d4_rows(read_jsonl(args.s2))}
    same_pairs(rows["S2"], rows["S3"])
    result = decide(rows, {"S3": read_jsonl(args.s3_quora), "S2": read_jsonl(args.s2_quora)})
    shared = {k: None if p is None else json.loads(p.read_text(encoding="utf-8"))
              for k, p in (("main", args.shared_main), ("kept", args.shared_kept))}
    kept, c_v = result["kept"], result["kept_c_v"]
    c = check_c(kept, c_v, shared["main"], shared["kept"])
    ships = None if c["pass"] is None else {
        "verifier": kept, "cut": c_v if c["pass"] else PRESENT[kept]}
    out = {"rule": RULE, "decision_sets": list(D4), "floor": FLOOR, "present_cuts": PRESENT,
           "c": c, "ships": ships, **result,
           "inputs": {k: str(v) for k, v in vars(args).items() if k != "out"},
           "run": run_record()}
    save(args.out, out, report)
    return 0


def report(r: dict[str, Any]) -> None:
    print(f"F = {r['F']} {r['F_from']}; Q0 = {r['Q0']} {r['Q0_from']}\n")
    print("| verifier | cut | D4 recall | D4 false hits | " + " | ".join(D4)
          + " | Quora recall / FH | support file |\n|---|---|---|---|" + "---|" * (len(D4) + 2))
    for v in PRESENT:
        for name, point in r["at"][v].items():
            a, q, by = point["d4"]["all"], point["pairs"][QUORA], point["d4"]["by_set"]
            sup = point["pairs"].get(SUPPORT)
            cells = [f"{by[n]['hits']} / {by[n]['false_hits']}" for n in D4]
            label = f"{'c_v ' if name == 'c_v' else ''}{point['cut']:.6f}"
            print(f"| {v} | {label} | {a['recall']:.2%} ({a['hits']}/"
                  f"{a['positives']}) | {a['false_hits']}/{a['negatives']} | "
                  + " | ".join(cells) + f" | {q['recall']:.1%} / {q['false_hits']} | "
                  + ("-" if sup is None else f"{sup['recall']:.1%} / {sup['false_hits']}") + " |")
    print(f"\nR_S2 - R_S3 = {r['recall_points_S2_minus_S3']:+.2f} points; S2 >= S3 on "
          f"{len(r['sets_where_S2_at_least_S3'])} sets "
          f"({', '.join(r['sets_where_S2_at_least_S3'])})")
    for what, d in r["disagreements_at_c_v"].items():
        print(f"{what}: {d['n']} {d['by_kind']}")
    print(f"\nverdict: {'S2 replaces S3' if r['S2_replaces_S3'] else 'S3 stays'}; kept "
          f"{r['kept']} at c_v {r['kept_c_v']:.6f}; (c) {r['c']}; ships {r['ships']}")


if __name__ == "__main__":
    raise SystemExit(main())
