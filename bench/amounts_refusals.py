"""The labelled paraphrases the amounts check refuses, read by hand, and what session 31's
candidate ``cache.amount_forms`` changes (session 31, i15; exploration, decides nothing).

    fired   every pair of the rows files (``bench/cache_losses.py --pairs-out``: main's
            verdicts) whose hard check differs with the candidate (``quantity_conflict``
            with ``texts``), as a pair set for ``cache_losses.py --sets``
    report  every labelled paraphrase the rows refuse at the check (``cache_losses.stage``
            at floor 0.5 and S5's cut: "numbers"), with both texts, what the check reads
            on each side as written and with the candidate (amounts, ids, other readings),
            its hand-read family (``FAMILIES``); the families' counts; the fired pairs'
            stages without the candidate (the rows) and with it (``--on-rows``: the
            cache_losses rows of the fired pairs with ``--amount-forms``), per set; and
            ``--diff-log``'s lines (``amounts_diff.py --amount-forms --against``: the check
            alone on every committed pair and Quora's training pairs)

    .venv/bin/python bench/amounts_refusals.py fired --rows R1 R2 ... --out /tmp/fired.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/fired.jsonl --amount-forms \\
        --out /tmp/on.json --pairs-out /tmp/on-rows.jsonl
    .venv/bin/python bench/amounts_refusals.py report --rows R1 R2 ... \\
        --on-rows /tmp/on-rows.jsonl --diff-log /tmp/diff.log \\
        --out bench/results/amounts-refusals-session31.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from cache_losses import stage
from refusal_families import read_jsonl
from run_record import run_record

from llm_router.cache.pair_features import normalise, quantity_conflict
from llm_router.cache.quantities import amount_forms, amounts, ids, other_readings
from llm_router.cache.synonyms import shared_synonyms
from llm_router.cache.verifier import load_vocabulary

FLOOR, CUT = 0.5, 0.916959

# The hand-read family of each refused paraphrase (set:id; the Quora rows by their first
# words). "forms:*": a general way of writing one amount the check misreads, which the
# candidate reads; "misread:*": likewise, left alone (why: the docs section); "differ":
# the two texts' amounts really differ (one implies or narrows the other: the label is a
# reader's call); "other": not the amounts.
FAMILIES = {
    "heldout56:p0365": "forms:tonne", "heldout73:p0461": "forms:tonne",
    "heldout73:p0462": "forms:tonne", "heldout73:p0471": "forms:tonne",
    "h81:p0429": "forms:tonne",
    "heldout56:p0355": "forms:day part", "heldout61:p0737": "forms:day part",
    "heldout67:p0458": "forms:day part", "heldout67:p0514": "forms:day part",
    "heldout66:p0135": "forms:day part", "heldout54:p0331": "forms:hour before a comma",
    "heldout74:p0065": "forms:percent slip", "h80:p0019": "forms:percent slip",
    "h80:p0027": "forms:hours and minutes glued", "h80:p0007": "forms:spelled decimal",
    "heldout73:p0067": "forms:equation spacing", "h80:p0023": "forms:equation spacing",
    "heldout76:p0005": "forms:hundred and", "heldout57:p0296": "forms:dozen",
    "heldout69:p0266": "forms:3-pc", "heldout60:p0581": "forms:four-digit clock",
    "heldout55:p0222": "misread:one as a number", "heldout55:p0380": "misread:one as a number",
    "heldout67:p0004": "misread:one as a number",
    "heldout54:p0120": "misread:fraction read as a date",
    "heldout54:p0126": "misread:fraction read as a date",
    "heldout66:p0112": "misread:fraction read as a date",
    "heldout54:p0449": "misread:id written out", "heldout64:p0489": "misread:id written out",
    "heldout74:p0660": "misread:id written out", "heldout73:p0316": "misread:id written out",
    "heldout72:p0557": "misread:id written out",
    "heldout74:p0068": "misread:number word on one side", "heldout73:p0224":
        "misread:number word on one side",
    "heldout72:p0483": "misread:unit on one side", "heldout60:p0032": "misread:period on one side",
    "heldout78:p0724": "misread:typo of a month or unit word",
    "heldout66:p0456": "misread:typo of a month or unit word",
    "heldout62:p0164": "misread:UTC offset", "h81:p0010": "misread:an amount named twice",
    "heldout65:p0358": "other",
    **dict.fromkeys(("heldout57:p0378", "heldout58:p0236", "heldout58:p0276", "heldout62:p0008",
                     "heldout71:p0181", "heldout73:p0307", "heldout77:p0384", "heldout78:p0213",
                     "heldout78:p0256", "heldout79:p0312", "heldout79:p0373"), "differ"),
    "heldout61:p0428": "misread:hyphenated count read as an id",
    # Quora's committed pairs (``--sets pairs``), by their first six words.
    **{f"pairs:{words}": name for words, name in (
        ("Does the Samsung Galaxy J7 new", "differ"),
        ("Why is the Indian government introduced", "differ"),
        ("I want to buy a new", "differ"), ("Is it okay to marry a", "differ"),
        ("Is GATE preparation possible in 3", "differ"),
        ("Was 9-11 an inside job?", "misread:fraction read as a date"),
        ("How do I score above 95", "differ"), ("If we had a good first", "differ"),
        ("What is there in the friendship", "misread:an amount named twice"),
        ("What are some ways for you", "differ"), ("I am 14 & 1/2 years", "differ"),
        ("Why did not government changed 1000", "differ"),
        ("How should we prepare to crack", "differ"),
        ("Can I jailbreak iOS 9.3.3?", "misread:spelled digit inside a version"))},
}


def family(row: dict[str, Any]) -> str:
    key = (f"pairs:{' '.join(row['a'].split()[:6])}" if row["set"].startswith("pairs:")
           else f"{row['set']}:{row['id']}")
    return FAMILIES.get(key, "unread")


def readings(text: str) -> dict[str, Any]:
    """What the hard check reads of ``text``: as written, and with the candidate."""
    lowered = normalise(text)
    rewritten = amount_forms(lowered)
    out: dict[str, Any] = {"amounts": amounts(lowered, hard=True),
                           "ids": sorted(ids(lowered, hard=True)),
                           "other": other_readings(lowered)}
    if rewritten != lowered:
        out["with_forms"] = {"text": rewritten, "amounts": amounts(rewritten, hard=True),
                             "ids": sorted(ids(rewritten, hard=True)),
                             "other": other_readings(rewritten)}
    return out


def read_rows(files: list[Path]) -> list[dict[str, Any]]:
    return [row for f in files for row in read_jsonl(f)]


def fired(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows whose hard check differs with the candidate, each with ``on``."""
    vocabulary = load_vocabulary(np.ones(30522, np.float32))
    synonyms = shared_synonyms()
    out = []
    for row in rows:
        a, b = vocabulary.view(row["a"]), vocabulary.view(row["b"])
        on = quantity_conflict(a, b, synonyms, (row["a"], row["b"]))
        if on != quantity_conflict(a, b, synonyms):
            out.append({**row, "on": on})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("fired", "report"))
    parser.add_argument("--rows", type=Path, nargs="+", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--on-rows", type=Path, help="cache_losses rows of the fired pairs, "
                        "--amount-forms")
    parser.add_argument("--diff-log", type=Path, help="amounts_diff.py --amount-forms output")
    args = parser.parse_args()
    rows = read_rows(args.rows)
    found = fired(rows)
    if args.step == "fired":
        with args.out.open("w", encoding="utf-8") as out:
            for row in found:
                out.write(json.dumps({k: row[k] for k in ("set", "id", "kind", "label", "a", "b")},
                                     ensure_ascii=False) + "\n")
        print(f"{len(found)} of {len(rows)} pairs read differently: {args.out}")
        return
    fired_keys = {(r["set"], r["id"], r["a"], r["b"]): r for r in found}
    on_rows = ({(r["set"], r.get("id"), r["a"], r["b"]): r for r in read_rows([args.on_rows])}
               if args.on_rows else {})
    refused = []
    for row in rows:
        if not row["label"] or stage(row, FLOOR, CUT)[0] != "numbers":
            continue
        key = (row["set"], row["id"], row["a"], row["b"])
        on = on_rows.get(key)
        refused.append({"set": row["set"], "id": row["id"], "kind": row["kind"],
                        "a": row["a"], "b": row["b"], "family": family(row),
                        "a_reads": readings(row["a"]), "b_reads": readings(row["b"]),
                        "check_with_forms": "passes" if key in fired_keys else "refuses",
                        "stage_with_forms": None if on is None else stage(on, FLOOR, CUT),
                        "p_with_forms": None if on is None else on["p"]})
    families = Counter(r["family"] for r in refused)
    seen = [r for r in refused if not r["set"].startswith("pairs:")]
    changed: dict[str, Counter[str]] = defaultdict(Counter)
    fired_out = []
    for key, row in fired_keys.items():
        on = on_rows.get(key)
        before = stage(row, FLOOR, CUT)
        after = None if on is None else stage(on, FLOOR, CUT)
        fired_out.append({"set": row["set"], "id": row["id"], "label": row["label"],
                          "a": row["a"], "b": row["b"], "before": before, "after": after,
                          "p_after": None if on is None else on["p"]})
        cell = changed[row["set"]]
        sign = "paraphrase" if row["label"] else "negative"
        cell[f"{sign}s read differently"] += 1
        if after is not None and after[1] != before[1]:
            cell[f"{sign}s {'found' if after[1] else 'lost'}"] += 1
    diff = []
    if args.diff_log:
        diff = [line.rstrip("\n") for line in args.diff_log.open(encoding="utf-8")
                if re.match(r"\s*\d+\s+\S+: newly|newly|\d+ pairs", line)]
    result = {
        "floor": FLOOR, "cut": CUT, "rows": [str(p) for p in args.rows],
        "pairs": len(rows),
        "paraphrases_refused": {"heldout": len(seen), "quora": len(refused) - len(seen),
                                "by_set": dict(Counter(r["set"] for r in refused))},
        "families": dict(families.most_common()),
        "families_heldout": dict(Counter(r["family"] for r in seen).most_common()),
        "with_forms": {"by_set": {k: dict(v) for k, v in sorted(changed.items())},
                       "pairs": fired_out},
        "check_alone_every_committed_pair": diff,
        "refused": refused,
        "run": run_record(),
    }
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("paraphrases_refused", "families", "with_forms")
                      if k != "with_forms"}, indent=1))
    for name, cell in sorted(changed.items()):
        print(name, dict(cell))
    if "unread" in families:
        sys.exit(f"{families['unread']} refused paraphrases have no family")


if __name__ == "__main__":
    main()
