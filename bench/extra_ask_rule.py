"""Session 16's rule for the extra-ask check (``cache/extra_ask.py``) and session 17's for
the own-case check (``--check own_case``: ``narrowing.own_case``), in two steps; session
17's between two versions of the extra-ask check (``compare``).

    # 1. the check on every other committed pair and Quora's training pairs (no model):
    #    the pairs it would refuse, for the stack to judge
    .venv/bin/python bench/extra_ask_rule.py fire --out /tmp/fired.jsonl
    .venv/bin/python bench/cache_losses.py --no-extra-ask --sets /tmp/fired.jsonl \
        --pairs-out /tmp/fired-rows.jsonl
    # 2. the rule: the decision sets' rows (cache_losses --no-extra-ask --pairs-out over
    #    heldout9-11, 14-23) and the fired pairs' rows; --passed-paraphrases: the
    #    paraphrases the stack passes outside the decision sets (cache_losses over them)
    .venv/bin/python bench/extra_ask_rule.py decide --decision D-rows.jsonl \
        --fired /tmp/fired.jsonl --fired-rows /tmp/fired-rows.jsonl --passed-paraphrases N \
        --out OUT.json

    # session 17: the own-case check, the stack as shipped (extra_ask on) judging
    .venv/bin/python bench/extra_ask_rule.py fire --check own_case --out /tmp/fired.jsonl
    .venv/bin/python bench/cache_losses.py --sets /tmp/fired.jsonl --pairs-out ROWS
    .venv/bin/python bench/extra_ask_rule.py decide --check own_case --decision D-rows.jsonl ...

    # session 17: the extra-ask check as committed at a revision ("old") against this
    # tree's ("new"), over session 16's population outside D'''' (heldout9-11, 14-25)
    .venv/bin/python bench/extra_ask_rule.py fire --old f7f6893 \
        --same-sets-as bench/results/extra-ask-session16.json --out /tmp/fired.jsonl
    .venv/bin/python bench/cache_losses.py --no-extra-ask --sets /tmp/fired.jsonl \
        --pairs-out /tmp/fired-rows.jsonl
    .venv/bin/python bench/extra_ask_rule.py compare --old f7f6893 \
        --decision /work/base/base-D-f7f6893-pairs.jsonl --fired /tmp/fired.jsonl \
        --fired-rows /tmp/fired-rows.jsonl --out OUT.json

The check only ever refuses a pair the verifier passed, so a pair it does not fire on keeps
its verdict: the stack need only judge the pairs it fires on (``fire``), and on the
decision sets every row's probability is known, so both stages (the check at the shipped
cut; a lower cut with the check on) are read from the rows (``decide``), and so are two
versions' refusals (``compare``). The rules are the lead's, quoted in
docs/cache-history.md "Session 16: the same question and more", "Session 17: the general
question and the writer's own case" and "Session 17: extra_ask v2".
"""

from __future__ import annotations

import argparse
import bisect
import functools
import json
import math
import statistics
import subprocess
import sys
import time
import types
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amounts_diff import TUNE, committed_pairs
from cache_losses import stage
from pair_sets import DATA, load_sets
from run_record import run_record

from llm_router.cache import extra_ask, narrowing
from llm_router.cache.extra_ask import asks_more
from llm_router.cache.pair_features import TextView
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier.pairs
from train.cache_verifier.pairs import (  # noqa: E402
    load_qqp,
    load_support,
    read_jsonl,
    split_qqp,
)


@dataclass(frozen=True)
class Rule:
    """A check after the verifier and the figures its session's rule asks of it."""

    field: str  # the cache_losses row's flag for the check (runs with it on set it)
    fires: Callable[[TextView, TextView, str, str], bool]  # cached, query views and texts
    decision: tuple[str, ...]
    f_min: int  # false hits it must newly refuse on the decision sets
    f_sets: int  # from at least this many sets
    newest: tuple[str, ...]  # the newest decision sets, reported apart
    section: str


D4 = tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 26)))  # D'''' (session 17)
ROOT = Path(__file__).resolve().parent.parent

OWN_CASE_V1 = "b2ddcdc"  # the last revision with session 17's own-case check (v1)


def own_case_v1(a: TextView, b: TextView, a_text: str, b_text: str) -> bool:
    """Session 17's own-case check (v1), as committed at ``OWN_CASE_V1``."""
    check: Callable[[TextView, TextView, str, str], bool] = at_revision(
        narrowing, "own_case", OWN_CASE_V1)
    return check(a, b, a_text, b_text)


RULES = {
    "extra_ask": Rule("more", lambda a, b, a_text, b_text: asks_more(a, b, b_text),
                      tuple(f"heldout{n}" for n in (9, 10, 11, *range(14, 24))), 5, 0,
                      ("heldout22", "heldout23"),
                      "docs/semantic-cache.md, Session 16: the same question and more"),
    "own_case": Rule("own", own_case_v1, D4, 8, 4,
                     ("heldout24", "heldout25"),
                     "docs/semantic-cache.md, Session 17: the general question and the "
                     "writer's own case"),
}


@functools.cache
def at_revision(module: types.ModuleType, name: str, revision: str) -> Any:
    """``module``'s ``name`` (``extra_ask.asks_more``, ``narrowing.own_case``) as the module
    was committed at ``revision``, read with this tree's modules around it."""
    path = Path(module.__file__ or "").resolve().relative_to(ROOT)
    source = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    old = types.ModuleType(f"{module.__name__}_at_{revision}")
    old.__file__ = module.__file__  # where its data files lie
    sys.modules[old.__name__] = old  # dataclasses look their module up
    exec(compile(source, f"{revision}:{path}", "exec"), old.__dict__)
    return getattr(old, name)


def check_at(revision: str) -> Callable[[TextView, TextView, str], bool]:
    """``asks_more`` as ``cache/extra_ask.py`` was committed at ``revision``."""
    check: Callable[[TextView, TextView, str], bool] = at_revision(extra_ask, "asks_more",
                                                                   revision)
    return check


def read_once(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``pairs`` less the tune file's copies: a ``cache_pairs/tune`` pair whose ``source``
    names a set of ``pairs`` is that set's pair (the verifier's tune split copied 2,937 of
    heldout1-8's and train9a-c's, same texts and label), read there alone."""
    names = {p["set"] for p in pairs}
    return [p for p in pairs if p["set"] != TUNE or p.get("source") not in names]


def others(decision: tuple[str, ...], sets: Collection[str] | None = None,
           ) -> list[dict[str, Any]]:
    """Every committed hand-written pair outside the decision sets (of ``sets`` only, if
    given), each once (``read_once``: a tune copy of a decision set's pair is no other
    pair), the support files' pairs not among them, and Quora's training components
    (``set`` "quora-train")."""
    pairs = [p for p in read_once(committed_pairs())
             if p["set"] not in decision and (sets is None or p["set"] in sets)]
    seen = {(p["a"], p["b"]) for p in pairs}
    for name in ("support_tune", "support_weak", "support_heldout"):
        for group in load_support(DATA / "cache_verifier" / f"{name}.txt"):
            pairs += [{"set": name, **p} for p in group if (p["a"], p["b"]) not in seen]
    pairs += [{"set": "quora-train", "a": a, "b": b, "label": label}
              for a, b, label in split_qqp(load_qqp())["train"]]
    return [{**p, "kind": p.get("kind") or ("paraphrase" if p["label"] else "negative")}
            for p in pairs]


def fire(rule: Rule, out: Path, old: str | None = None,
         same_sets_as: Path | None = None) -> None:
    """The pairs outside the rule's decision sets the check fires on; with ``old``
    (session 17, the extra-ask check), outside D'''' those ``old``'s check or this tree's
    fires on, each with both verdicts (``old``, ``new``); with ``same_sets_as``, only the
    sets of that result's ``others.by_set``, whose counts must be the same (a result
    written before session 20 counts ``cache_pairs/tune``'s copies, 7,979 pairs against
    5,042 read once now: refused)."""
    view = functools.cache(shared_verifier().vocabulary.view)  # each text's view once
    by_set = None if same_sets_as is None else json.loads(
        same_sets_as.read_text(encoding="utf-8"))["others"]["by_set"]
    pairs = others(rule.decision if old is None else D4, by_set)
    counts = Counter((p["set"], p["label"]) for p in pairs)
    if by_set is not None and (differ := [
            name for name, c in by_set.items()
            if (counts[(name, 1)], counts[(name, 0)]) != (c["paraphrases"], c["negatives"])]):
        raise SystemExit(f"not the population of {same_sets_as}: {differ}")
    started = time.process_time()
    if old is None:
        fired = [p for p in pairs if rule.fires(view(p["a"]), view(p["b"]), p["a"], p["b"])]
    else:
        before = check_at(old)
        judged = [{**p, "old": before(view(p["a"]), view(p["b"]), p["b"]),
                   "new": asks_more(view(p["a"]), view(p["b"]), p["b"])} for p in pairs]
        fired = [p for p in judged if p["old"] or p["new"]]
    spent = time.process_time() - started
    write_fired(out, pairs, fired, spent)
    print(f"{len(pairs):,} pairs, the check fires on {len(fired):,} ({spent:.1f} s CPU, "
          f"views included); wrote {out}")


def fire_over(decision: tuple[str, ...], out: Path, check: str, key: str,
              cost_of: Callable[[Any, Any], float], found_of: Callable[[Any, Any], Any],
              repeats: int, read: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """A hard check's run over the pairs of ``decision`` and of ``others(decision)``: the
    pairs it refuses where the lookup without it would not (``found_of`` not None), each
    with what fired under ``key``, and its added CPU (``cost_of``, timed ``repeats`` times
    over) on ``decision``'s pairs; both calls take the two texts, or each text as ``read``
    once (W reads word views). Written by ``write_fired``, whose summary it returns
    (W's, E's and H's ``fire``)."""
    pairs = load_sets(list(decision)) + others(decision)
    started = time.process_time()
    fired, cost = [], []
    for p in pairs:
        a, b = (p["a"], p["b"]) if read is None else (read(p["a"]), read(p["b"]))
        if p["set"] in decision:
            cost.append(cost_of(a, b))
        found = found_of(a, b)
        if found is not None:
            fired.append({**p, key: list(found)})
    spent = time.process_time() - started
    summary = write_fired(out, pairs, fired, spent, cost, repeats)
    print(f"{len(pairs):,} pairs, {check} refuses {len(fired):,} more ({spent:.1f} s CPU); "
          f"{check}'s added CPU on {len(cost):,} decision pairs: {summary['added_cpu_ms']}; "
          f"wrote {out}")
    return summary

def write_fired(out: Path, pairs: list[dict[str, Any]], fired: list[dict[str, Any]],
                spent: float, cost: list[float] | None = None, repeats: int = 0
                ) -> dict[str, Any]:
    """A rule's ``fire`` output: the pairs a check (or form) fires on, one JSON line each,
    in ``out``, and beside it (``out`` with ``.json``) how many pairs were read and fired,
    the CPU seconds it took and each set's paraphrases and negatives read (what ``decide``
    and ``--same-sets-as`` check the population by); with ``cost`` (seconds a pair, each
    timed ``repeats`` times over), the check's added CPU a pair too (``added_cpu_ms``).
    Returns that summary."""
    out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in fired),
                   encoding="utf-8")
    counts = Counter((p["set"], p["label"]) for p in pairs)
    summary: dict[str, Any] = {
        "pairs": len(pairs), "fired": len(fired), "cpu_s": round(spent, 2),
        "by_set": {s: {"paraphrases": counts[(s, 1)], "negatives": counts[(s, 0)]}
                   for s in sorted({p["set"] for p in pairs})}}
    if cost is not None:
        summary["added_cpu_ms"] = {
            "pairs": len(cost), "repeats": repeats,
            "median": round(1000 * statistics.median(cost), 4),
            "p90": round(1000 * statistics.quantiles(cost, n=10)[-1], 4),
            "max": round(1000 * max(cost), 4)}
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def hit(row: dict[str, Any], floor: float, cut: float, check: bool) -> bool:
    """Whether the lookup answers the pair (rows from runs with the check off), with the
    check after the verifier where ``check`` (``fires``: it refuses the pair)."""
    where, passed = stage(row, floor, cut)
    return passed and not (check and where == "verifier" and row["fires"])


def rates(rows: list[dict[str, Any]], floor: float, cut: float, check: bool) -> dict[str, Any]:
    pos = [hit(r, floor, cut, check) for r in rows if r["label"]]
    neg = [hit(r, floor, cut, check) for r in rows if not r["label"]]
    return {"recall": round(sum(pos) / max(len(pos), 1), 4), "hits": sum(pos),
            "positives": len(pos), "false_hits": round(sum(neg) / max(len(neg), 1), 4),
            "passed": sum(neg), "negatives": len(neg)}


def newly(rows: list[dict[str, Any]], floor: float, cut: float) -> list[dict[str, Any]]:
    """The rows the stack passes at this cut that the check refuses."""
    return [r for r in rows if hit(r, floor, cut, False) and not hit(r, floor, cut, True)]


def per(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        cells[r["set"]][f"{'+' if r['label'] else '-'}{r['kind']}"] += 1
    return {name: dict(c) for name, c in sorted(cells.items())}


def listed(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{r['set']} {r.get('id') or ''} {r['kind']} {'+' if r['label'] else '-'} "
            f"p {r['p']:.3f} | {r['a']} | {r['b']}" for r in rows]


def decide(rule: Rule, decision: Path, fired_rows: Path, fired: Path, out: Path,
           passed_paraphrases: int | None) -> None:
    config = CacheConfig()
    floor = config.verifier_floor
    verifier = shared_verifier()
    cut = config.verifier_threshold or verifier.threshold
    rows, others_rows = read_jsonl(decision), read_jsonl(fired_rows)
    if any(r.get(rule.field) or r.get("narrowed") for r in rows + others_rows):
        raise SystemExit("rows from a run with the check (or narrowing) on: run it off")
    views = {text: verifier.vocabulary.view(text) for r in rows for text in (r["a"], r["b"])}
    started = time.process_time()  # the check alone: a lookup holds both views already
    for r in rows:  # every row the verifier read: any cut may pass it
        r["fires"] = r["p"] is not None and rule.fires(views[r["a"]], views[r["b"]],
                                                       r["a"], r["b"])
    spent = time.process_time() - started
    names = list(dict.fromkeys(r["set"] for r in rows))
    refused = newly(rows, floor, cut)
    big_r = [r for r in refused if r["label"]]
    big_f = [r for r in refused if not r["label"]]
    base = rates(rows, floor, cut, False)
    fh0, r0 = base["passed"], base["recall"]

    for r in others_rows:
        r["fires"] = True  # every one of them was fired on (``fire``)
    summary = json.loads(fired.with_suffix(".json").read_text())
    refused2 = newly(others_rows, floor, cut)
    r2 = sum(1 for r in refused2 if r["label"])
    f2 = sum(1 for r in refused2 if not r["label"])
    f_sets = len({r["set"] for r in big_f})
    stage1 = {"F": len(big_f), "R": len(big_r), "R2": r2, "F2": f2, "F_sets": f_sets,
              "passed_paraphrases_others": passed_paraphrases,
              f"F>={rule.f_min}": len(big_f) >= rule.f_min,
              f"F_sets>={rule.f_sets}": f_sets >= rule.f_sets,
              "R<=F": len(big_r) <= len(big_f), "R2<=F2": r2 <= f2}
    ships = len(big_f) >= rule.f_min and f_sets >= rule.f_sets and stage1["R<=F"] and (
        r2 <= f2 or (passed_paraphrases is not None and r2 <= f2 + 0.005 * passed_paraphrases))
    stage1["ships"] = ships

    # Stage 2 (read whatever stage 1 says; it decides only if stage 1 ships).
    target = fh0 - math.ceil(len(big_f) / 2)
    # false hits fall as the cut rises: the lowest cut (a probability some row has, or
    # the shipped cut) that meets the target, by bisection
    cuts = sorted({r["p"] for r in rows if r["p"] is not None and r["p"] < cut} | {cut})
    first = bisect.bisect_left(cuts, True, key=lambda c: rates(rows, floor, c, True)[
        "passed"] <= target)
    c_b = cuts[first] if first < len(cuts) else None
    stage2: dict[str, Any] = {"FH0": fh0, "R0": r0, "target": target, "c_B": c_b}
    if c_b is not None:
        at = {name: rates([r for r in rows if r["set"] == name], floor, c_b, True)
              for name in names}
        shipped = {name: rates([r for r in rows if r["set"] == name], floor, cut, False)
                   for name in names}
        whole = rates(rows, floor, c_b, True)
        losers = [n for n in names if at[n]["hits"] < shipped[n]["hits"]]
        stage2.update({"at_c_B": whole, "by_set_at_c_B": at,
                       "recall_points": round(100 * (whole["recall"] - r0), 2),
                       "sets_losing_recall": losers,
                       "lower": ships and c_b < cut and whole["recall"] >= r0 + 0.01
                       and not losers})
    result: dict[str, Any] = {
        "rule": rule.section,
        "floor": floor, "cut": cut,
        "decision_sets": names,
        "shipped": {"all": base, **{n: rates([r for r in rows if r["set"] == n], floor, cut,
                                             False) for n in names}},
        "check_on": {"all": rates(rows, floor, cut, True),
                     **{n: rates([r for r in rows if r["set"] == n], floor, cut, True)
                        for n in names}},
        "-".join(rule.newest): {
            "shipped": rates([r for r in rows if r["set"] in rule.newest], floor, cut, False),
            "check_on": rates([r for r in rows if r["set"] in rule.newest], floor, cut, True)},
        "stage1": stage1,
        "refused_decision": per(refused), "refused_decision_pairs": listed(refused),
        "others": {"pairs": summary["pairs"], "fired": summary["fired"],
                   "by_set": summary["by_set"], "refused": per(refused2),
                   "refused_pairs": listed(refused2)},
        "stage2": stage2,
        "floor_0.45_check_on": {"all": rates(rows, 0.45, cut, True),
                                "shipped_floor_0.45": rates(rows, 0.45, cut, False)},
        "cpu_us_per_pair": round(1e6 * spent / max(len(rows), 1), 1),  # process time
        "run": run_record(),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("stage1", "stage2")}, indent=1))
    print("\n".join(result["refused_decision_pairs"] + result["others"]["refused_pairs"]))


def compare(decision: Path, fired_rows: Path, fired: Path, old: str, out: Path) -> None:
    """Session 17's rule for the extra-ask check: ``old``'s (v1) against this tree's (v2),
    both at the shipped floor and cut. The decision rows may come from a run with
    ``old``'s check on: their ``more`` must then be ``old``'s verdict on every row, and
    they are read with the check off."""
    config = CacheConfig()
    floor = config.verifier_floor
    verifier = shared_verifier()
    cut = config.verifier_threshold or verifier.threshold
    rows, others_rows, judged = read_jsonl(decision), read_jsonl(fired_rows), read_jsonl(fired)
    if any(r.get("narrowed") or r.get("own") for r in rows + others_rows) or any(
            r.get("more") for r in others_rows):
        raise SystemExit("rows from a run with a check after the verifier on: run it off")
    if [(r["a"], r["b"]) for r in others_rows] != [(p["a"], p["b"]) for p in judged]:
        raise SystemExit(f"{fired_rows} are not the stack's rows of {fired}")
    views = {text: verifier.vocabulary.view(text) for r in rows for text in (r["a"], r["b"])}
    cpu = {}
    for name, check in (("old", check_at(old)), ("new", asks_more)):
        started = time.process_time()
        for r in rows:
            r[name] = r["p"] is not None and check(views[r["a"]], views[r["b"]], r["b"])
        cpu[name] = round(1e6 * (time.process_time() - started) / max(len(rows), 1), 1)
    if any("more" in r for r in rows):
        if any(r["more"] != r["old"] for r in rows):
            raise SystemExit(f"{decision}'s check was not {old}'s")
        for r in rows:
            r["more"] = False  # the check off: ``old`` and ``new`` say what each refuses
    for r, p in zip(others_rows, judged, strict=True):
        r["old"], r["new"] = p["old"], p["new"]
    newest = ("heldout24", "heldout25")

    def figures(version: str) -> dict[str, Any]:
        for r in rows + others_rows:
            r["fires"] = r[version]
        refused, refused2 = newly(rows, floor, cut), newly(others_rows, floor, cut)
        return {"F": sum(1 for r in refused if not r["label"]),
                "R": sum(1 for r in refused if r["label"]),
                "F2": sum(1 for r in refused2 if not r["label"]),
                "R2": sum(1 for r in refused2 if r["label"]),
                "all": rates(rows, floor, cut, True),
                "-".join(newest): rates([r for r in rows if r["set"] in newest], floor, cut,
                                        True),
                "by_set": {n: rates([r for r in rows if r["set"] == n], floor, cut, True)
                           for n in dict.fromkeys(r["set"] for r in rows)},
                "refused_decision": listed(refused), "refused_others": per(refused2),
                "refused_others_pairs": listed(refused2)}

    v1, v2 = figures("old"), figures("new")
    rule = {"F_v2>=F_v1": v2["F"] >= v1["F"], "R_v2<=R_v1": v2["R"] <= v1["R"],
            "R2_v2<R2_v1": v2["R2"] < v1["R2"], "F2_v2>=F2_v1-2": v2["F2"] >= v1["F2"] - 2}
    rule["ships"] = all(rule.values())
    summary = json.loads(fired.with_suffix(".json").read_text())
    result = {
        "rule": "docs/semantic-cache.md, Session 17: extra_ask v2",
        "floor": floor, "cut": cut, "old": old,
        "check_off": {"all": rates(rows, floor, cut, False), "-".join(newest): rates(
            [r for r in rows if r["set"] in newest], floor, cut, False)},
        "v1": v1, "v2": v2, "rule_figures": {k: (v1[k], v2[k]) for k in ("F", "R", "F2", "R2")},
        "rule_verdict": rule,
        "others": {"pairs": summary["pairs"], "fired": summary["fired"],
                   "by_set": summary["by_set"], "fired_v1": sum(p["old"] for p in judged),
                   "fired_v2": sum(p["new"] for p in judged)},
        "cpu_us_per_pair": cpu,  # process time, both views built
        "run": run_record(),
    }
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("rule_figures", "rule_verdict")}, indent=1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the pairs outside the decision sets the check refuses")
    f.add_argument("--out", type=Path, required=True)
    f.add_argument("--old", help="a revision: the pairs its extra-ask check or this tree's "
                                 "fires on, outside D'''' (session 17)")
    f.add_argument("--same-sets-as", type=Path,
                   help="a result whose others.by_set names the sets to read")
    d = sub.add_parser("decide", help="the rule's figures, both stages")
    for command in (f, d):
        command.add_argument("--check", choices=sorted(RULES), default="extra_ask",
                             help="which check and rule (default extra_ask: session 16's)")
    c = sub.add_parser("compare", help="session 17's rule: --old's extra-ask check "
                                       "against this tree's")
    c.add_argument("--old", required=True, help="the revision fire --old read")
    for command in (d, c):
        command.add_argument("--decision", type=Path, required=True,
                             help="cache_losses --pairs-out rows of the decision sets "
                                  "(check off)")
        command.add_argument("--fired", type=Path, required=True, help="fire's --out")
        command.add_argument("--fired-rows", type=Path, required=True,
                             help="cache_losses --pairs-out rows of fire's pairs (check off)")
        command.add_argument("--out", type=Path, required=True)
    d.add_argument("--passed-paraphrases", type=int, default=None,
                   help="the paraphrases the stack passes outside the decision sets (the "
                        "rule's 0.5 %%; needed only where R2 > F2)")
    args = parser.parse_args()
    if args.command == "compare":
        compare(args.decision, args.fired_rows, args.fired, args.old, args.out)
        return 0
    rule = RULES[args.check]
    if args.command == "fire":
        fire(rule, args.out, args.old, args.same_sets_as)
    else:
        decide(rule, args.decision, args.fired_rows, args.fired, args.out,
               args.passed_paraphrases)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
