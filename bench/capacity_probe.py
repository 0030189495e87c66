"""Session 39's capacity probe in one file: a 6-layer pair reader (C6) against a 4-layer one
(C4), both S10 continued on one bundle with one recipe and S10 as their teacher, beside S10
itself (docs/cache-history.md "Session 39: a 6-layer pair reader against 4, same training").
An exploration: it gathers what other tools measured, it measures nothing and decides nothing.

    .venv/bin/python bench/capacity_probe.py --bundle .cache/cap/bundle.npz \\
        --fit C4=.cache/cap/fit/C4.json:.cache/cap/fit-C4.log \\
        --fit C6=.cache/cap/fit/C6.json:.cache/cap/fit-C6.log \\
        --export C4=.cache/cap/C4 --export C6=.cache/cap/C6 \\
        --curve .cache/cap/curve.json --part heldout80-91=CURVE80 --part heldout92-109=CURVE92 \\
        --rows S10=R0.jsonl --rows C4=R4.jsonl --rows C6=R6.jsonl \\
        --quora S10=Q0.jsonl --quora C4=Q4.jsonl --quora C6=Q6.jsonl \\
        --cost .cache/cap/cost.txt --instructions .cache/cap/instructions.json \\
        --extra .cache/cap/notes.json --out bench/results/capacity-probe-session39.json

Read: each fit's log (``cross_continue fit``'s JSON; its loss every 100 steps, on the same
batches in both arms: one seed, one bundle) and its console (the ``step t/total ... s CPU,
s`` lines: the pace per step between the first and the last logged step past 0;
``/usr/bin/time -v``'s CPU, wall and peak memory); each export's cross.json sha256;
``pooled_curve.py --arms`` output (per arm and budget: the cut, recall overall, support-style
and general with counts, the kinds; the bootstrapped gaps); with ``--rows``, the arms'
agreement at their 1 % cuts (``agreement``); each arm's Quora rows (``cache_losses.py --sets
pairs``) at the shipped cut 0.93 (``rates``, as cache_losses counts them); ``--cost``: the
console of the alternated cost runs, kept as text; ``--instructions``: ``verifier_instructions.py
--out``; ``--extra``: notes, as they are.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "layers" / "core")]

import numpy as np  # noqa: E402
from cache_losses import rates  # noqa: E402
from pooled_curve import FLOOR, aligned, read_rows, verdict_arrays  # noqa: E402

from train.cache_verifier.pairs import file_sha256  # noqa: E402
from train.cache_verifier.stack_fit import logit  # noqa: E402

STEP = re.compile(r"^\S+ step (\d+)/(\d+) loss ([\d.]+) (\d+) s CPU, (\d+) s$")
TIME = {"User time (seconds)": "user_s", "System time (seconds)": "system_s",
        "Elapsed (wall clock) time (h:mm:ss or m:ss)": "wall",
        "Maximum resident set size (kbytes)": "max_rss_kb",
        "Percent of CPU this job got": "cpu_percent"}


def console(text: str) -> dict[str, Any]:
    """A fit's console: its step lines' pace (CPU and wall seconds a step between the first
    and last logged step past 0, which holds the compilation) and ``/usr/bin/time -v``'s."""
    steps = [tuple(int(x) if i != 2 else float(x) for i, x in enumerate(m.groups()))
             for m in map(STEP.match, text.splitlines()) if m]
    out: dict[str, Any] = {"logged_steps": [s[0] for s in steps]}
    later = [s for s in steps if s[0] > 0]
    if len(later) >= 2:
        (t0, _, _, c0, w0), (t1, _, _, c1, w1) = later[0], later[-1]
        out["pace"] = {"from_step": t0, "to_step": t1,
                       "cpu_s_per_step": round((c1 - c0) / (t1 - t0), 3),
                       "wall_s_per_step": round((w1 - w0) / (t1 - t0), 3)}
    for line in text.splitlines():
        key, _, value = line.strip().partition(": ")
        if key in TIME:
            out.setdefault("time", {})[TIME[key]] = value
    return out


def fit_record(fit_json: Path, fit_console: Path) -> dict[str, Any]:
    record = json.loads(fit_json.read_text())
    record["loss_log"] = [[t, round(loss, 4)] for t, loss in record["loss_log"]]
    record["artefact_sha256"] = file_sha256(fit_json.with_suffix(".npz"))
    return {**record, "console": console(fit_console.read_text())}


def quora(rows_path: Path, cut: float) -> dict[str, Any]:
    """The Quora file's sets at ``cut`` (cache_losses' ``rates``; its rows have no ids: every
    line counts, as session 39's results were made; ``read_rows`` now keys such rows by their
    texts, which would drop a pair the file holds twice)."""
    with rows_path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return {s: rates([r for r in rows if r["set"] == s], FLOOR, cut)
            for s in sorted({r["set"] for r in rows})}


def agreement(rows: dict[str, list[dict[str, Any]]], cuts: dict[str, float]
              ) -> list[dict[str, Any]]:
    """For each two arms, over the pairs the verifier decides (``verdict_arrays``' live rows):
    the correlation of their logits and the pairs one arm answers at its cut (``cuts``, each
    arm's own) and the other does not, paraphrases and negatives apart."""
    names = list(rows)
    first = rows[names[0]]
    v = {n: verdict_arrays(aligned(first, rows[n])) for n in names}
    live, label = v[names[0]]["live"], v[names[0]]["label"][v[names[0]]["live"]]

    out = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            pa, pb = v[a]["p"][live], v[b]["p"][live]
            ha, hb = pa >= cuts[a], pb >= cuts[b]
            out.append({"a": a, "b": b, "live_pairs": int(live.sum()),
                        "logit_correlation": round(float(np.corrcoef(logit(pa), logit(pb))[0, 1]),
                                                   4),
                        "paraphrases_only_a": int((ha & ~hb & label).sum()),
                        "paraphrases_only_b": int((hb & ~ha & label).sum()),
                        "negatives_only_a": int((ha & ~hb & ~label).sum()),
                        "negatives_only_b": int((hb & ~ha & ~label).sum())})
    return out


def pairs(specs: list[str]) -> dict[str, str]:
    return dict(s.split("=", 1) for s in specs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--fit", action="append", default=[], metavar="NAME=JSON:CONSOLE")
    parser.add_argument("--export", action="append", default=[], metavar="NAME=DIR")
    parser.add_argument("--curve", type=Path, required=True,
                        help="pooled_curve.py --arms ... --gap ... --out")
    parser.add_argument("--rows", action="append", default=[], metavar="NAME=ROWS",
                        help="each arm's cache_losses rows (the curve's): their agreement at "
                             "the 1 %% budget's cuts")
    parser.add_argument("--part", action="append", default=[], metavar="NAME=CURVE",
                        help="pooled_curve.py --arms output over a part of the sets (--sets)")
    parser.add_argument("--quora", action="append", default=[], metavar="NAME=ROWS")
    parser.add_argument("--cut", type=float, default=0.93)
    parser.add_argument("--cost", type=Path, default=None)
    parser.add_argument("--instructions", type=Path, default=None,
                        help="bench/verifier_instructions.py --out, kept as it is")
    parser.add_argument("--extra", type=Path, default=None,
                        help="a JSON object merged in as it is (the run's notes)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    fits = {}
    for name, spec in pairs(args.fit).items():
        fit_json, _, fit_console = spec.partition(":")
        fits[name] = fit_record(Path(fit_json), Path(fit_console))
    exports = {name: json.loads((Path(d) / "cross.json").read_text())["sha256"]
               for name, d in pairs(args.export).items()}
    curve = json.loads(args.curve.read_text())

    def matched(c: dict[str, Any]) -> dict[str, Any]:
        return {"sets": c["sets"], "floor": c["floor"], "shipped_cut": c["shipped_cut"],
                "arms": {n: {"pairs": a["pairs"], "live_auc": a["live_auc"],
                             "curve": a["curve"]} for n, a in c["arms"].items()},
                "gaps": c["gaps"]}
    result: dict[str, Any] = {
        "bundle": {"path": str(args.bundle), "sha256": file_sha256(args.bundle),
                   "meta": {k: v for k, v in json.loads(
                       args.bundle.with_suffix(".json").read_text()).items()
                       if k in ("train_pairs", "mined", "mined_found", "qqp_replay", "qqp_hard",
                                "seed", "never_trained_on", "prepare_cpu_s")}},
        "fits": fits, "exports_sha256": exports,
        "matched_false_hits": matched(curve),
        "parts": {n: matched(json.loads(Path(c).read_text()))
                  for n, c in pairs(args.part).items()},
        "kinds": {n: a["kinds"] for n, a in curve["arms"].items()},
        "agreement_at_1pct": agreement(
            {n: read_rows([Path(p)], None) for n, p in pairs(args.rows).items()},
            {n: a["curve"]["1 %"]["all"]["cut"] for n, a in curve["arms"].items()}
        ) if args.rows else [],
        "quora_at_cut": {"cut": args.cut, **{n: quora(Path(p), args.cut)
                                            for n, p in pairs(args.quora).items()}},
    }
    if args.cost is not None:
        result["cost_console"] = args.cost.read_text().splitlines()
    if args.instructions is not None:
        result["instructions"] = json.loads(args.instructions.read_text())
    if args.extra is not None:
        result["notes"] = json.loads(args.extra.read_text())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
