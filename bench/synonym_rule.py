"""The rule for the respelling check's ``synonym`` form (``cache/synonyms.py``), in two
steps, as session 16's for the extra-ask check (``extra_ask_rule.py``): session 18's
(D18, shipped off) and session 19's (D19, "Rule A"), the decision sets given by
``--decision`` (default D19) and their newest pair, reported apart, by ``--newest``.

    # 1. the form on every other committed pair and Quora's training pairs (no model):
    #    the pairs it would make hits that no other form change makes, for the stack
    .venv/bin/python bench/synonym_rule.py fire --out /tmp/syn-fired.jsonl
    .venv/bin/python bench/cache_losses.py --no-synonyms --sets /tmp/syn-fired.jsonl \
        --pairs-out /tmp/syn-fired-rows.jsonl
    # 2. the decision sets with the form on, then the rule against the shipped stack's rows
    .venv/bin/python bench/cache_losses.py --synonyms --sets heldout9 ... heldout29 \
        --pairs-out /tmp/syn-D-rows.jsonl
    .venv/bin/python bench/synonym_rule.py decide --base /work/base/base-D19-d9cb83a-pairs.jsonl \
        --rows /tmp/syn-D-rows.jsonl --fired /tmp/syn-fired.jsonl \
        --fired-rows /tmp/syn-fired-rows.jsonl --out bench/results/synonym-session19.json

The form only ever makes a pair a hit (before the verifier; the amounts-and-ids check
still refuses), so outside the decision sets a pair it does not fire on keeps its
verdict, and one it fires on is newly hit where the stack (the form off) misses it and
the hard check lets it through. The pairs ``train/cache_verifier/pairs.py`` generates
(their ``source`` ends "+generated": ``bench/cache_pairs/heldout.jsonl``'s and
``tune.jsonl``'s) are counted apart (``R2_generated`` / ``F2_generated``), not judged.
``decide`` also times the table's load in fresh processes (``--load-runs``: CPU and RSS
of ``shared_synonyms()`` after the imports a cold start makes anyway). The rules are
the lead's, quoted in docs/cache-history.md "Session 18: one word for another (WordNet
synonyms)" and "Session 19: the synonym form decided again". ``Form`` names what the
two steps need of a respelling form, so another form's rule runs them too
(``short_form_rule.py``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cache_losses import rates, stage
from extra_ask_rule import listed, others, per, write_fired
from run_record import run_record

from llm_router.cache.spelling import same_spelling
from llm_router.cache.synonyms import shared_synonyms
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig
from train.cache_verifier.pairs import read_jsonl

D19 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 30)))
NEWEST = ("heldout28", "heldout29")
# What a fresh process pays for the table: the module and the load, after the imports a
# cold start makes anyway (numpy, the artefact reader, the respelling check); CPU seconds
# and the resident memory added (kB), one JSON line. Given a folder, the table there.
LOAD = """
import json, sys, time
import numpy, llm_router.artefacts, llm_router.cache.spelling
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
before, started = rss(), time.process_time()
from llm_router.cache.synonyms import load, shared_synonyms
shared_synonyms() if len(sys.argv) == 1 else load(__import__("pathlib").Path(sys.argv[1]))
print(json.dumps({"cpu_s": time.process_time() - started, "rss_kb": rss() - before}))
"""


@dataclass(frozen=True)
class Form:
    """A respelling form as its rule reads it: ``kind`` its name in a row's
    ``respelling``, ``on`` the results' key for the rates with it on, ``spelling`` the
    ``same_spelling`` keyword arguments that turn it on, ``rule`` the docs section that
    quotes the rule, ``least_r`` / ``least_sets`` the rule's R and its sets, ``load`` the
    fresh process that times the table's load (``LOAD``), ``table`` the file held to
    ``max_bytes`` in the layer where the rule bounds it."""

    kind: str
    on: str
    spelling: Callable[[], dict[str, Any]]
    rule: str
    least_r: int
    least_sets: int
    load: str
    table: Path | None = None
    max_bytes: int | None = None


SYNONYMS = Form("synonym", "synonyms_on", lambda: {"synonyms": shared_synonyms()},
                "docs/cache-history.md, Session 19: the synonym form decided again (Rule A)",
                60, 10, LOAD)


def generated(pair: dict[str, Any]) -> bool:
    """A pair ``train/cache_verifier/pairs.py`` (or its ``styles.py``) generated: the
    ``source`` field they write ends "+generated"; hand-written and Quora rows have
    another source or none."""
    return str(pair.get("source") or "").endswith("+generated")


def fire(form: Form, decision: tuple[str, ...], out: Path) -> None:
    """The pairs outside ``decision`` that only ``form`` makes one text."""
    pieces = shared_verifier().vocabulary.pieces
    on = form.spelling()
    pairs = others(decision)
    started = time.process_time()
    fired = [p for p in pairs if same_spelling(p["a"], p["b"], pieces) is None
             and same_spelling(p["a"], p["b"], pieces, **on) is not None]
    spent = time.process_time() - started
    write_fired(out, pairs, fired, spent)
    print(f"{len(pairs):,} pairs, the form fires on {len(fired):,} ({spent:.1f} s CPU, both "
          f"readings); wrote {out}")


def load_once(form: Form, *args: str) -> dict[str, Any]:
    """One fresh process's load of the table (``form.load`` run with ``args``)."""
    seen: dict[str, Any] = json.loads(subprocess.run(
        [sys.executable, "-c", form.load, *args], check=True, capture_output=True,
        text=True).stdout)
    return seen


def load_cost(form: Form, runs: int) -> dict[str, Any]:
    """The table's load in ``runs`` fresh processes (``load_summary``)."""
    return load_summary(form, [load_once(form) for _ in range(runs)])


def load_summary(form: Form, seen: list[dict[str, Any]]) -> dict[str, Any]:
    """Fresh processes' loads (``load_once``): median and max CPU ms, median kB (and the
    table's bytes, where the form names its file)."""
    cpu = [1000 * r["cpu_s"] for r in seen]
    cost = {"runs": len(seen), "cpu_ms_median": round(statistics.median(cpu), 2),
            "cpu_ms_max": round(max(cpu), 2),
            "rss_kb_median": statistics.median(r["rss_kb"] for r in seen)}
    return cost if form.table is None else {**cost, "table_bytes": form.table.stat().st_size}


def decide(form: Form, base: Path, rows_path: Path, fired: Path, fired_rows: Path, out: Path,
           decision: tuple[str, ...], newest: tuple[str, ...], load_runs: int) -> None:
    config = CacheConfig()
    floor = config.verifier_floor
    cut = config.verifier_threshold or shared_verifier().threshold
    before, after = read_jsonl(base), read_jsonl(rows_path)
    if [(r["set"], r["a"], r["b"]) for r in before] != [(r["set"], r["a"], r["b"])
                                                           for r in after]:
        raise SystemExit(f"{rows_path} are not the pairs of {base}")
    names = list(dict.fromkeys(r["set"] for r in after))
    if sorted(names) != sorted(decision):
        raise SystemExit(f"{rows_path} holds {names}, not the decision sets {decision}")
    if any(r["respelling"] and form.kind in r["respelling"] for r in before):
        raise SystemExit(f"{base} is a run with the {form.kind} form on")
    newly = [r for b, r in zip(before, after, strict=True)
             if stage(r, floor, cut)[1] and not stage(b, floor, cut)[1]]
    lost = [r for b, r in zip(before, after, strict=True)
            if stage(b, floor, cut)[1] and not stage(r, floor, cut)[1]]
    big_r = [r for r in newly if r["label"]]
    big_f = [r for r in newly if not r["label"]]
    judged, pairs = read_jsonl(fired_rows), read_jsonl(fired)
    if [(r["a"], r["b"]) for r in judged] != [(p["a"], p["b"]) for p in pairs]:
        raise SystemExit(f"{fired_rows} are not the stack's rows of {fired}")
    if any(r["respelling"] and form.kind in r["respelling"] for r in judged):
        raise SystemExit(f"{fired_rows} is a run with the {form.kind} form on: run it off")
    newly2 = [r for r, p in zip(judged, pairs, strict=True)
              if not r["numbers"] and not stage(r, floor, cut)[1] and not generated(p)]
    apart = [r for r, p in zip(judged, pairs, strict=True)
             if not r["numbers"] and not stage(r, floor, cut)[1] and generated(p)]
    r2 = sum(1 for r in newly2 if r["label"])
    f2 = sum(1 for r in newly2 if not r["label"])
    r_sets = len({r["set"] for r in big_r})
    load = load_cost(form, load_runs)
    least_r, least_sets = f"R>={form.least_r}", f"R_sets>={form.least_sets}"
    verdict: dict[str, Any] = {
        "R": len(big_r), "F": len(big_f), "R_sets": r_sets, "R2": r2, "F2": f2,
        "R2_generated": sum(1 for r in apart if r["label"]),
        "F2_generated": sum(1 for r in apart if not r["label"]),
        "load_cpu_ms": load["cpu_ms_median"],
        least_r: len(big_r) >= form.least_r, least_sets: r_sets >= form.least_sets,
        "F<=R/20": len(big_f) <= len(big_r) / 20, "F2<=R2/10+2": f2 <= r2 / 10 + 2,
        "load<=20ms": load["cpu_ms_median"] <= 20}
    conditions = [least_r, least_sets, "F<=R/20", "F2<=R2/10+2", "load<=20ms"]
    if form.max_bytes is not None:
        conditions.append(size := f"table<={form.max_bytes}B")
        verdict[size] = load["table_bytes"] <= form.max_bytes
    verdict["hits_lost"] = len(lost)
    verdict["ships_on"] = all(verdict[k] for k in conditions) and not lost
    summary = json.loads(fired.with_suffix(".json").read_text())
    result: dict[str, Any] = {
        "rule": form.rule,
        "floor": floor, "cut": cut, "decision_sets": names,
        "shipped": {"all": rates(before, floor, cut),
                    **{n: rates([r for r in before if r["set"] == n], floor, cut)
                       for n in names}},
        form.on: {"all": rates(after, floor, cut),
                  **{n: rates([r for r in after if r["set"] == n], floor, cut)
                     for n in names}},
        "-".join(newest): {
            "shipped": rates([r for r in before if r["set"] in newest], floor, cut),
            form.on: rates([r for r in after if r["set"] in newest], floor, cut)},
        "verdict": verdict, "load": load,
        "newly_hit_decision": per(newly), "newly_hit_decision_pairs": listed(newly),
        "hits_lost_pairs": listed(lost),
        "others": {"pairs": summary["pairs"], "fired": summary["fired"],
                   "fire_cpu_s": summary["cpu_s"], "by_set": summary["by_set"],
                   "newly_hit": per(newly2), "newly_hit_pairs": listed(newly2),
                   "generated_newly_hit": per(apart),
                   "generated_newly_hit_pairs": listed(apart)},
        "run": run_record(),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(verdict, indent=1))
    print("\n".join(result["newly_hit_decision_pairs"] + result["others"]["newly_hit_pairs"]))


def main(form: Form = SYNONYMS, description: str = __doc__.splitlines()[0],
         flag: str = "synonyms") -> int:
    """The two steps' command line, for ``form`` (``flag``: its cache_losses option)."""
    parser = argparse.ArgumentParser(description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help=f"the pairs outside the decision sets only the {form.kind} "
                                    "form respells")
    d = sub.add_parser("decide", help="the rule's figures")
    for p in (f, d):
        p.add_argument("--decision", nargs="+", default=list(D19),
                       help="the decision sets (default D19: heldout9-11, 14-29)")
    f.add_argument("--out", type=Path, required=True)
    d.add_argument("--base", type=Path, required=True,
                   help="cache_losses --pairs-out rows of the decision sets, the form off "
                        "(the shipped stack)")
    d.add_argument("--rows", type=Path, required=True,
                   help=f"cache_losses --{flag} --pairs-out rows of the same sets")
    d.add_argument("--fired", type=Path, required=True, help="fire's --out")
    d.add_argument("--fired-rows", type=Path, required=True,
                   help=f"cache_losses --no-{flag} --pairs-out rows of fire's pairs")
    d.add_argument("--newest", nargs="+", default=list(NEWEST),
                   help="the newest decision sets, reported apart (default heldout28 29)")
    d.add_argument("--load-runs", type=int, default=7,
                   help="fresh processes that time the table's load (default 7)")
    d.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "fire":
        fire(form, tuple(args.decision), args.out)
    else:
        decide(form, args.base, args.rows, args.fired, args.fired_rows, args.out,
               tuple(args.decision), tuple(args.newest), args.load_runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
