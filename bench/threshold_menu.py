"""What ``cache.verifier_threshold`` buys and costs, a table for operators (session 38, a
record on seen sets: no setting is chosen on it, the default stays the artefact's 0.93).

Per cut of ``CUTS``: per pair (``bench/cache_losses.py --pairs-out`` rows, a verdict by
``cache_losses.stage(row, 0.5, cut)``) recall and false hits, all pairs and support-style
(``src/p_s_*``, ``s4b_rule.traffic_of``) and general apart; and in populated caches
(``bench/cache_shared.py`` runs whose variants are ``0.5:5:m:3:CUT``, the shipped lookup at
that cut, each found by its ``judging`` record) the queries answered, summed over the runs
given: paraphrase queries by their own entry and by another, negative queries by their own
entry (the false hit) and by another, as counts and per 1,000 queries (paraphrase and
negative queries together), with each run's CPU per lookup (a ratio between cuts, not a
latency: the runs share a loaded machine).

    L=bench/results/local
    .venv/bin/python bench/cache_losses.py --sets heldout80 ... heldout101 heldout104 \\
        heldout105 --out $L/menu-losses.json --pairs-out $L/menu-rows.jsonl
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldout96 heldout97 \\
        --verifier-model cross --variants $(.venv/bin/python bench/threshold_menu.py \\
        --variants) --out $L/menu-shared-96-97.json --pairs-out $L/menu-shared-96-97.jsonl
    # (the same for 98+99, 100+101, 104+105; and with --tenants domain)
    .venv/bin/python bench/threshold_menu.py --rows $L/menu-rows.jsonl \\
        --losses $L/menu-losses.json --shared $L/menu-shared-*.json \\
        --tenants-shared $L/menu-tenants-*.json \\
        --out bench/results/threshold-menu-session38.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "layers" / "core")]

from pair_sets import RESERVED  # noqa: E402
from pooled_curve import figures, read_rows  # noqa: E402
from run_record import run_record  # noqa: E402

CUTS = (0.70, 0.75, 0.80, 0.85, 0.88, 0.90, 0.93, 0.95, 0.97)
SHIPPED = 0.93
FLOOR, WIDEN_TO, RANK_MARGIN = 0.5, 5, 3.0  # the shipped lookup's (catalog defaults)


def variant_name(cut: float) -> str:
    """The ``cache_shared.py`` variant of the shipped lookup (map, floor 0.5, widen to 5,
    rank margin 3) at ``cut``."""
    return f"{FLOOR:g}:{WIDEN_TO}:m:{RANK_MARGIN:g}:{cut:g}"


def per_pair(rows: list[dict[str, Any]], cuts: tuple[float, ...],
             traffic: dict[tuple[str, str], str] | None) -> dict[str, Any]:
    """Per cut: recall and false hits at floor 0.5, all rows and per traffic kind."""
    out: dict[str, Any] = {}
    for cut in cuts:
        cell = {"all": figures(rows, cut)}
        if traffic is not None:
            for kind in ("support", "general"):
                part = [r for r in rows if traffic.get((r["set"], r["id"])) == kind]
                cell[kind] = figures(part, cut)
        out[f"{cut:g}"] = cell
    return out


def find_variant(run: dict[str, Any], cut: float) -> dict[str, Any]:
    """The run's variant judged as the shipped lookup at ``cut`` (by its ``judging``)."""
    found = [v for v in run["by_variant"].values()
             if (j := v.get("judging", {})).get("floor") == FLOOR
             and j.get("widen_to") == WIDEN_TO and j.get("rank_margin") == RANK_MARGIN
             and abs(j.get("min_probability", -1) - cut) < 1e-9
             and set(j) == {"floor", "widen_to", "rank_margin", "min_probability"}]
    if len(found) != 1:
        raise SystemExit(f"run of {run.get('sets')}: {len(found)} variants judged at "
                         f"{variant_name(cut)}, not one")
    return found[0]


COUNTED = {"positives": ("own", "another", "another_right", "another_wrong",
                         "another_unknown", "none"),
           "negatives": ("own", "another", "another_right", "another_wrong",
                         "another_unknown", "none")}


def populated(runs: list[dict[str, Any]], cuts: tuple[float, ...]) -> dict[str, Any]:
    """Per cut, summed over ``runs``: queries answered (paraphrase: own entry, another;
    negative: own entry = the false hit, another), counts and per 1,000 queries, and each
    run's CPU per lookup."""
    out: dict[str, Any] = {}
    for cut in cuts:
        sums: dict[str, dict[str, int]] = {k: dict.fromkeys(f, 0) | {"n": 0}
                                           for k, f in COUNTED.items()}
        cpu = []
        for run in runs:
            v = find_variant(run, cut)
            for kind, fields in COUNTED.items():
                for f in (*fields, "n"):
                    sums[kind][f] += int(v["all"][kind][f])
            cpu.append(v.get("cpu_ms_per_lookup"))
        queries = sums["positives"]["n"] + sums["negatives"]["n"]

        def per_1000(n: int, queries: int = queries) -> float:
            return round(1000 * n / max(queries, 1), 1)

        out[f"{cut:g}"] = {
            **sums, "queries": queries,
            "per_1000": {"paraphrase_own": per_1000(sums["positives"]["own"]),
                         "paraphrase_another": per_1000(sums["positives"]["another"]),
                         "negative_own": per_1000(sums["negatives"]["own"]),
                         "negative_another": per_1000(sums["negatives"]["another"]),
                         "negative_answered": per_1000(sums["negatives"]["own"]
                                                       + sums["negatives"]["another"])},
            "cpu_ms_per_lookup": cpu}
    return out


def pct(part: dict[str, Any]) -> str:
    return (f"{100 * part['recall']:.1f} % / {100 * part['false_hit_rate']:.2f} % "
            f"({part['false_hits']})")


def markdown(result: dict[str, Any]) -> str:
    """The operators' table: a line per cut."""
    head = ["cut", "per pair: all", "support", "general"]
    pops = [k for k in ("populated", "tenants") if result.get(k)]
    for k in pops:
        head += [f"{k}: paraphrase own / another", f"{k}: negative own / another"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, pp in result["per_pair"].items():
        cells = [name + (" (shipped)" if float(name) == SHIPPED else "")]
        cells += [pct(pp[k]) if k in pp else "" for k in ("all", "support", "general")]
        for k in pops:
            m = result[k]["by_cut"][name]["per_1000"]
            cells += [f"{m['paraphrase_own']:g} / {m['paraphrase_another']:g}",
                      f"{m['negative_own']:g} / {m['negative_another']:g}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_runs(paths: list[Path]) -> list[dict[str, Any]]:
    runs = []
    for path in paths:
        run = json.loads(path.read_text("utf-8"))
        if "incomplete" in run:
            raise SystemExit(f"{path}: an unfinished run ({run['incomplete']})")
        runs.append(run)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", action="store_true",
                        help="print the cache_shared.py variants of CUTS and stop")
    parser.add_argument("--rows", type=Path, nargs="+", default=None,
                        help="cache_losses.py --pairs-out rows of the shipped lookup")
    parser.add_argument("--losses", type=Path, default=None,
                        help="cache_losses.py --out of the rows: its run record is kept")
    parser.add_argument("--shared", type=Path, nargs="*", default=[],
                        help="cache_shared.py results (one index of 10,000) at the variants")
    parser.add_argument("--tenants-shared", type=Path, nargs="*", default=[],
                        help="the same with --tenants domain")
    parser.add_argument("--no-traffic", action="store_true",
                        help="skip the support / general split (it reads the sets' src/)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args()
    if args.variants:
        print(" ".join(variant_name(c) for c in CUTS))
        return 0
    if not args.rows:
        parser.error("--rows is needed (or --variants)")
    rows = read_rows(args.rows, None)
    names = tuple(sorted({r["set"] for r in rows}, key=lambda s: (len(s), s)))
    reserved = sorted(set(names) & RESERVED)
    if reserved:
        raise SystemExit(f"{', '.join(reserved)} are reserved (pair_sets.RESERVED)")
    traffic = None
    if not args.no_traffic:
        from s4b_rule import traffic_of

        traffic = traffic_of(names)
    result: dict[str, Any] = {"sets": list(names), "floor": FLOOR, "cuts": list(CUTS),
                              "per_pair": per_pair(rows, CUTS, traffic)}
    if args.losses is not None:
        losses = json.loads(args.losses.read_text("utf-8"))
        result["per_pair_run"] = {"path": str(args.losses), "verifier": losses["verifier"],
                                  "run": losses.get("run")}
    for key, paths in (("populated", args.shared), ("tenants", args.tenants_shared)):
        if paths:
            runs = load_runs(paths)
            result[key] = {"runs": [{"path": str(p), "sets": r["sets"],
                                     "verifier_sha256": r["verifier"]["sha256"],
                                     "timings": r.get("timings")}
                                    for p, r in zip(paths, runs, strict=True)],
                           "by_cut": populated(runs, CUTS)}
    result["run"] = run_record()
    print(markdown(result))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
