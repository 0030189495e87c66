"""Rule CH's screen: what the co-member check (``cache.co_members``,
``co_members.swapped``) changes on rows made with it off (session 33, helper i17).

    .venv/bin/python bench/co_members_screen.py --rows R.jsonl [R2.jsonl ...] \\
        [--table DIR] --out bench/results/rule-ch-seen-session33.json

The check only refuses a pair the verifier passed, so rows of ``bench/cache_losses.py``
made with it off say what the lookup does with it on: a pair changes where ``stage``
makes it a verifier's hit (floor ``FLOOR``, cut ``CUT``, the shipped point) and the check
fires; a respelled hit never reaches it. Per set: paraphrases and negatives, hits and
false hits off and on, and every pair it changes (false hits removed, paraphrases lost),
both texts and the two words; where it fires on a pair the lookup refuses anyway, counted
by label and the first ``LISTED`` listed. CPU: process time of ``swapped`` per candidate
the verifier passed, the texts' ``spelling.reading`` taken first (the respelling check
reads every candidate before the verifier does, so the lookup holds them).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cache_losses import stage  # noqa: E402
from refusal_families import read_jsonl  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache.co_members import CoMembers, differs_by_one, load, swapped  # noqa: E402
from llm_router.cache.spelling import reading  # noqa: E402
from llm_router.cache.synonyms import Synonyms, shared_synonyms  # noqa: E402

FLOOR, CUT = 0.5, 0.916959
LISTED = 40


def changes(row: dict[str, Any]) -> bool:
    """Whether the check reads the pair in the lookup: the verifier passed it."""
    return stage(row, FLOOR, CUT) == ("verifier", True)


def item(row: dict[str, Any]) -> dict[str, Any]:
    return {"set": row["set"], "id": row["id"], "kind": row["kind"], "label": row["label"],
            "words": list(differs_by_one(row["a"], row["b"]) or ()),
            "stage": stage(row, FLOOR, CUT)[0],
            "p": None if row["p"] is None else round(row["p"], 4),
            "a": row["a"], "b": row["b"]}


def screen(rows: list[dict[str, Any]], table: CoMembers, synonyms: Synonyms | None
           ) -> dict[str, Any]:
    fired = [swapped(r["a"], r["b"], table, synonyms) for r in rows]
    by_set: dict[str, Any] = {}
    for name in dict.fromkeys(r["set"] for r in rows):
        mine = [(r, f) for r, f in zip(rows, fired, strict=True) if r["set"] == name]
        pos = [(r, f) for r, f in mine if r["label"]]
        neg = [(r, f) for r, f in mine if not r["label"]]
        by_set[name] = {
            "positives": len(pos), "negatives": len(neg),
            "hits_off": sum(stage(r, FLOOR, CUT)[1] for r, _ in pos),
            "hits_on": sum(stage(r, FLOOR, CUT)[1] and not (f and changes(r)) for r, f in pos),
            "false_hits_off": sum(stage(r, FLOOR, CUT)[1] for r, _ in neg),
            "false_hits_on": sum(stage(r, FLOOR, CUT)[1] and not (f and changes(r))
                                 for r, f in neg),
            "fired_by_label": dict(Counter(str(r["label"]) for r, f in mine if f))}
    changed = [item(r) for r, f in zip(rows, fired, strict=True) if f and changes(r)]
    unchanged = [item(r) for r, f in zip(rows, fired, strict=True) if f and not changes(r)]
    total = {k: sum(s[k] for n, s in by_set.items() if not n.startswith("pairs:"))
             for k in ("positives", "negatives", "hits_off", "hits_on", "false_hits_off",
                       "false_hits_on")}
    return {"rows_read": len(rows), "all_but_pairs": total, "by_set": by_set,
            "false_hits_removed": [x for x in changed if not x["label"]],
            "paraphrases_lost": [x for x in changed if x["label"]],
            "fired_not_passed_by_label": dict(Counter(str(x["label"]) for x in unchanged)),
            "fired_not_passed": unchanged[:LISTED],
            **cpu(rows, table, synonyms)}


def cpu(rows: list[dict[str, Any]], table: CoMembers, synonyms: Synonyms | None
        ) -> dict[str, Any]:
    """Process time of ``swapped`` per candidate the verifier passed, best of three
    passes, each text's reading taken just before (as the lookup holds it)."""
    candidates = [r for r in rows if r["p"] is not None and r["p"] >= CUT]
    best = float("inf")
    for _ in range(3):
        spent = 0.0
        for r in candidates:
            reading(r["a"]), reading(r["b"])
            started = time.process_time()
            swapped(r["a"], r["b"], table, synonyms)
            spent += time.process_time() - started
        best = min(best, spent)
    return {"cpu_us_per_candidate": round(1e6 * best / max(len(candidates), 1), 2),
            "candidates_timed": len(candidates)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, nargs="+", required=True,
                        help="bench/cache_losses.py --pairs-out files (the check off)")
    parser.add_argument("--table", type=Path, default=None,
                        help="a train/co_members.py --out folder (default: the layer's)")
    parser.add_argument("--version", default="v1", help="the definition's name, recorded")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = [r for path in args.rows for r in read_jsonl(path)]
    table = load() if args.table is None else load(args.table)
    result = {"version": args.version, "floor": FLOOR, "cut": CUT,
              "table": str(args.table or "layer"),
              **screen(rows, table, shared_synonyms()),
              "rows": [str(p) for p in args.rows], "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("all_but_pairs", "fired_not_passed_by_label",
                                             "cpu_us_per_candidate")}, indent=1))
    for x in result["false_hits_removed"] + result["paraphrases_lost"]:
        print(f"{'NEG' if not x['label'] else 'POS'} {x['set']} {x['id']} {x['kind']} "
              f"p {x['p']} {x['words']}\n    {x['a']!r}\n    {x['b']!r}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
