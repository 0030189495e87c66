"""The lead's rule FN (session 36): the shipped lookup with F1 (``cache.verifier_floor_nearest``
f: where no candidate reaches the floor 0.5, the partition's nearest entry verified if its mapped
cosine is f or more), f fixed and screened on ten seen populated caches and the seen sets' pairs,
then decided by the lead on heldout102-103. The rule, quoted unchanged (brief i27, written 10:47
UTC 2026-12-07 before any FN run, heldout102-103 read by nothing):

    FN: the shipped lookup (S10, cross.npz a38f6f80, at 0.93; retrieval map, floor 0.5, widen to 5, rank margin 3,
    every shipped check) against the same lookup with F1 at f (`cache.verifier_floor_nearest` f: where no candidate
    reaches the floor, the partition's nearest entry is verified if its mapped cosine is f or more; as
    `bench/cache_shared.py`'s variant `0.5:5:m:nF` judges).
    **Step 1 (f, seen).** Ten populated caches, `bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB` for the
    writer pairs 80+81, 82+83, ..., 98+99, each run with the variants `0.5:5:m` and `0.5:5:m:nF` for F in
    G = (0.35, 0.40, 0.45). Admissible: F whose negative queries answered (by any entry), summed over the ten caches, are
    at most the shipped lookup's summed + 10. f = the admissible F with the most own-entry answers summed (a tie: the
    higher F). If none is admissible, stop: FN is not adopted.
    **Screen (seen).** At f: (i) own-entry answers summed over the ten caches >= the shipped lookup's + 20; (ii) per
    pair, `cache_losses.stage` over `bench/cache_losses.py --pairs-out` rows of heldout80-99 pooled (a pair's entry is
    its own nearest, so F1 per pair is the floor at f): recall >= the shipped lookup's (floor 0.5) + 1.0 point, and
    false hits <= the shipped lookup's + 5. If any fails, stop: FN is not adopted and heldout102-103 stay unread.
    **Step 2 (decision, the lead's).** D = heldout102 + heldout103 pooled, at the commit main is at when the step runs
    (both lookups with the same checks). Adopt F1 at f if all hold:
    (a) recall(FN, f) on D per pair >= recall(shipped) on D + 1.5 points;
    (b) false hits(FN, f) on D per pair <= the shipped lookup's + 2 (a count);
    (c) one populated cache, `bench/cache_shared.py --entries 10000 --sets heldout102 heldout103 --variants 0.5:5:m
    0.5:5:m:nf`: negative queries answered (by any entry) FN <= shipped + 2; own-entry answers FN >= shipped;
    (d) Quora (pairs:qqp rows) false-hit rate of FN at f <= 3.0 %.
    Records beside the verdict (judged by nothing): the lookups' CPU a query in each cache (as cache_shared reports it),
    and what F1 adds per kind. Otherwise FN is not adopted. Every figure is reported, passed or not; nothing is retuned
    after reading D.

How it is read. A populated cache is ``s4c_rule.populated``'s reading of a cache_shared result,
as rule NO reads it (``no_rule``): "negative queries answered (by any entry)" is
``all.negatives.answered``, "own-entry answers" ``all.positives.own``; every run is checked by
``no_rule.cache_run`` (S10's sha256 a38f6f80, the two sets in order, the run's cut the shipped
0.93, 10,000 entries). Each variant is found by ``s10c_rule.at_cut``: its ``judging`` record
(floor 0.5, widen to 5, the map, the shipped rank margin, the cut 0.93, no later cut) and F1's
field ``nF`` of its name (the record does not hold ``nearest_floor``; ``cache_shared.variant``
reads the same field). Step 1's "summed" is ``s10c_rule.summed`` over the ten caches. The
screen's (ii) and step 2's (a), (b), (d) are ``cache_losses.counts`` of one set of rows at the
cut 0.93 and two floors: 0.5 (the shipped lookup) and f (FN: a pair alone is its own nearest,
so F1 there is the floor f); "+ N points" is ``s5_rule.points``; (b)'s slack, (c)'s and (d)'s
limit are rule S10's (``s10_rule``); the rows are checked by their ``cache_losses`` result
(``no_rule.rows_checked``: S10's sha256, the sets) and, row by row, to hold the mapped cosine
(``retrieval_map``). Records beside the verdict (judged by nothing): per cache and per F of G
the negatives answered (own / another entry) and the own-entry answers beside the shipped
lookup's and each run's wall time; the seen rows per pair at every F of G (what the screen's
(ii) would read there); in the screen and in step 2, per kind, the paraphrases F1
finds and the negatives it passes (the rows at floor f hit, at 0.5 not), the false hits at f
listed; in step 2 the lookups' CPU a query in the D cache (``cpu_ms_per_lookup``: the lead's
command has no ``--keep-scores``, so each variant's CPU is its own).

``nearest-check`` (the brief's check before step 1, not the rule's): the rows of one
cache_shared run with the shipped variant and ``0.5:5:m:nF`` (``--pairs-out``), and that run's
sets and entries embedded again and mapped; every query F1 answers otherwise than the shipped
lookup must be one with no entry at mapped cosine 0.5 or more (its own entry left out, as
cache_shared does), answered by its nearest entry, at F or more.

The commands (session 36, 2026-12-07; i27 ran step 1 at 031ee2d and cc2e6a5, which adds this
script only; the layer S10 at 0.93; no F of G admissible: 264, 257, 242 negative queries
answered at 0.35, 0.40, 0.45 against the shipped 217 + 10, so FN is not adopted):

    L=bench/results/local
    # the check: heldout80 in 2,000 entries
    .venv/bin/python bench/cache_shared.py --entries 2000 --sets heldout80 \\
        --variants 0.5:5:m 0.5:5:m:n0.4 --out $L/i27-check.json --pairs-out $L/i27-check.jsonl
    .venv/bin/python bench/fn_rule.py nearest-check --rows $L/i27-check.jsonl \\
        --run $L/i27-check.json --nearest 0.4
    # step 1: per writer pair A+B of 80+81 .. 98+99, one at a time, OMP_NUM_THREADS=1 nice -n 10:
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB \\
        --variants 0.5:5:m 0.5:5:m:n0.35 0.5:5:m:n0.4 0.5:5:m:n0.45 --keep-scores \\
        --out $L/i27-shared-A-B.json --pairs-out $L/i27-shared-A-B.jsonl
    # the screen's rows (one run):
    .venv/bin/python bench/cache_losses.py --sets heldout80 heldout81 ... heldout99 \\
        --out $L/i27-losses-80-99.json --pairs-out $L/i27-losses-80-99.jsonl
    .venv/bin/python bench/fn_rule.py step1 --shared $L/i27-shared-{80-81,...,98-99}.json \\
        --rows $L/i27-losses-80-99.jsonl --rows-result $L/i27-losses-80-99.json
    # step 2 (the lead's; only if the screen passed), F = step 1's f (e.g. 0.4):
    .venv/bin/python bench/cache_losses.py --sets heldout102 heldout103 --out $L/fn-D.json \\
        --pairs-out $L/fn-D.jsonl
    .venv/bin/python bench/cache_losses.py --sets pairs --out $L/fn-Q.json --pairs-out $L/fn-Q.jsonl
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldout102 heldout103 \\
        --variants 0.5:5:m 0.5:5:m:nF --out $L/fn-shared-D.json --pairs-out $L/fn-shared-D.jsonl
    .venv/bin/python bench/fn_rule.py step2 --rows $L/fn-D.jsonl --rows-result $L/fn-D.json \\
        --quora $L/fn-Q.jsonl --quora-result $L/fn-Q.json --shared $L/fn-shared-D.json
"""  # noqa: E501

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from cache_losses import counts, stage
from no_rule import (
    CACHES,
    S10_SHA,
    SHIPPED_CUT,
    D,
    by_cache,
    cache_check,
    loaded,
    print_step2,
    print_table,
    quora_check,
    read_caches,
    rows_checked,
    step2_arguments,
    step2_of,
    verdict,  # noqa: F401 (FN is adopted iff (a) to (d) pass, as NO and S10c)
    wall_s,
)
from run_record import run_record
from s4c_rule import populated
from s5_rule import points
from s10_rule import FALSE_HIT_SLACK, FLOOR, GAIN, Rows, only, qqp
from s10c_rule import at_cut, rank_margin, summed
from verifier_rule import save

from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    FN: the shipped"):__doc__.index("\nHow it is read")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # the brief's, whole
G = (0.35, 0.40, 0.45)
ANSWERED_SLACK_1 = 10  # step 1: negatives answered over the shipped lookup's, summed
OWN_GAIN = 20  # screen (i): own-entry answers over the shipped lookup's, summed
SCREEN_GAIN = 1.0  # screen (ii): points of pooled seen recall per pair
SCREEN_SLACK = 5  # screen (ii): false hits over the shipped lookup's
SEEN = tuple(s for pair in CACHES for s in pair)  # heldout80 .. heldout99
OUT = HERE / "results" / "fn-rule-session36.json"
EPS = 1e-6  # a cosine this near the floor is told apart by the index's float32, not here


def choose(table: list[dict[str, Any]]) -> float | None:
    """f: of the admissible F, the one with the most own-entry answers summed (a tie: the
    higher F); None if none is admissible."""
    ok = [t for t in table if t["admissible"]]
    if not ok:
        return None
    return max(ok, key=lambda t: (t["FN"]["positives_own"], t["F"]))["F"]


def added(rows: Rows, f: float) -> dict[str, Any]:
    """Per kind, the paraphrases F1 at ``f`` finds and the negatives it passes (hit at floor
    ``f``, not at 0.5; the cut 0.93), and those negatives listed."""
    return added_where(rows, lambda r: stage(r, f, SHIPPED_CUT)[1])


def added_where(rows: Rows, hit: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """``added`` for any lookup: ``hit`` says whether it answers a row's pair (rule FC's too)."""
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    passed = []
    for r in rows:
        if hit(r) and not stage(r, FLOOR, SHIPPED_CUT)[1]:
            cells[r["kind"]]["found" if r["label"] else "passed"] += 1
            if not r["label"]:
                passed.append({"set": r["set"], "id": r["id"], "kind": r["kind"], "a": r["a"],
                               "b": r["b"], "similarity": r["similarity"], "p": r["p"]})
    return {"by_kind": {k: dict(c) for k, c in sorted(cells.items())}, "passed": passed}


def mapped_rows(rows: Rows, what: str) -> Rows:
    """``rows`` checked to hold the mapped cosine (a ``retrieval_map`` key each): F1's floor is
    on it."""
    if not rows or any(r.get("retrieval_map") is None for r in rows):
        raise SystemExit(f"the {what} rows do not all hold the mapped cosine (cache_losses "
                         "with the layer's cache.retrieval_map)")
    return rows


def per_pair(rows: Rows, f: float, gain: float, slack: int) -> dict[str, Any]:
    """One set of rows at floor 0.5 (the shipped lookup) and at ``f`` (FN), the cut 0.93:
    recall at least ``gain`` points over the shipped lookup's, false hits at most ``slack``
    over its."""
    return per_pair_of(rows, "FN", counts(rows, f, SHIPPED_CUT), gain, slack)


def per_pair_of(rows: Rows, who: str, new: dict[str, Any], gain: float, slack: int
                ) -> dict[str, Any]:
    """``per_pair`` with ``who``'s ``cache_losses.counts`` figures on ``rows`` given (rule FC's
    too)."""
    old = counts(rows, FLOOR, SHIPPED_CUT)
    gain_got = points(new, old)
    return {"shipped_recall": old["recall"], f"{who}_recall": new["recall"],
            "shipped_hits": old["hits"], f"{who}_hits": new["hits"],
            "positives": old["positives"],
            "points": gain_got, "needs": gain, "recall_pass": gain_got >= gain - 1e-9,
            "shipped_false_hits": old["false_hits"], f"{who}_false_hits": new["false_hits"],
            "negatives": old["negatives"], "false_hit_limit": old["false_hits"] + slack,
            "false_hit_pass": new["false_hits"] <= old["false_hits"] + slack}


def step1(runs: list[dict[str, Any]], rows: Rows, sha: str = S10_SHA) -> dict[str, Any]:
    """f (of the admissible F of G, the most own-entry answers summed over the ten caches) and,
    where there is one, the screen at it: (i) own-entry answers, (ii) the seen rows per pair."""
    names, shipped = read_caches(runs, sha)
    only(rows, SEEN, "seen")
    mapped_rows(rows, "seen")
    base = summed(shipped)
    table = []
    for f in G:
        each = [populated(run, at_cut(run, SHIPPED_CUT, None, f)) for run in runs]
        total = summed(each)
        table.append({"F": f, "variant": each[0]["variant"], "FN": total,
                      "admissible": total["negatives_answered"]
                      <= base["negatives_answered"] + ANSWERED_SLACK_1,
                      "by_cache": by_cache(names, each),
                      "cpu_ms_per_lookup": {n: p["cpu_ms_per_lookup"]
                                            for n, p in zip(names, each, strict=True)}})
    f_star = choose(table)
    # Judged by nothing: the seen rows per pair at every F (the screen's (ii) reads f's).
    records = {f"{f:.2f}": {**per_pair(rows, f, SCREEN_GAIN, SCREEN_SLACK),
                            "F1_adds": added(rows, f)["by_kind"]} for f in G}
    out: dict[str, Any] = {
        "caches": names, "G": list(G), "answered_limit": base["negatives_answered"]
        + ANSWERED_SLACK_1,
        "shipped": {"variant": shipped[0]["variant"], "cut": SHIPPED_CUT, **base,
                    "by_cache": by_cache(names, shipped),
                    "cpu_ms_per_lookup": {n: p["cpu_ms_per_lookup"]
                                          for n, p in zip(names, shipped, strict=True)}},
        "table": table, "f": f_star, "screen": None, "screen_passes": False,
        "per_pair_by_F": records,
        "wall_s": wall_s(names, runs),
        "cpu_note": "cache_shared --keep-scores: a query's pair scores kept across its "
                    "variants, so a variant's CPU a lookup is not its own (a record only)"}
    if f_star is None:
        return out
    own = next(t for t in table if t["F"] == f_star)["FN"]["positives_own"]
    one = {"shipped": base["positives_own"], "FN": own, "needs": base["positives_own"]
           + OWN_GAIN, "pass": own >= base["positives_own"] + OWN_GAIN}
    two = per_pair(rows, f_star, SCREEN_GAIN, SCREEN_SLACK)
    two["pass"] = two["recall_pass"] and two["false_hit_pass"]
    out["screen"] = {"i_own_entry": one, "ii_per_pair": two, "F1_adds": added(rows, f_star)}
    out["screen_passes"] = one["pass"] and two["pass"]
    return out


def step2(f: float, rows: Rows, quora: Rows, shared: dict[str, Any],
          sha: str = S10_SHA) -> dict[str, Any]:
    """Checks (a) to (d) on D: one set of rows at floors 0.5 and f, the D cache's two
    variants, the Quora rows at f."""
    only(rows, D, "D")
    mapped_rows(rows, "D")
    pair = per_pair(rows, f, GAIN, FALSE_HIT_SLACK)
    check_a = {k: pair[k] for k in ("shipped_recall", "FN_recall", "shipped_hits", "FN_hits",
                                    "positives", "points", "needs")}
    check_a["pass"] = pair["recall_pass"]
    check_b = {"shipped_false_hits": pair["shipped_false_hits"],
               "FN_false_hits": pair["FN_false_hits"], "negatives": pair["negatives"],
               "limit": pair["false_hit_limit"], "pass": pair["false_hit_pass"]}
    check_c = cache_check(shared, sha, "FN", at_cut(shared, SHIPPED_CUT, None, f))
    check_d = quora_check(mapped_rows(qqp(quora), "Quora"), "FN", f, SHIPPED_CUT)
    got = check_c["populated"]
    records = {"cpu_ms_per_lookup": {k: v["cpu_ms_per_lookup"] for k, v in got.items()},
               "keep_scores": "--keep-scores" in shared.get("timings", {}).get("note", ""),
               "F1_adds": added(rows, f),
               "FN_false_hits": [{"set": r["set"], "id": r["id"], "kind": r["kind"],
                                  "a": r["a"], "b": r["b"], "p": r["p"]} for r in rows
                                 if not r["label"] and stage(r, f, SHIPPED_CUT)[1]]}
    return {"sets": list(D), "f": f, "a": check_a, "b": check_b, "c": check_c, "d": check_d,
            "records": records}


def by_query(rows: Rows) -> dict[str, dict[str, str | None]]:
    """Per variant, each query's answer (the text answered; None: none), from cache_shared's
    ``--pairs-out`` rows (a query's pairs share it)."""
    out: dict[str, dict[str, str | None]] = defaultdict(dict)
    for r in rows:
        seen = out[r["variant"]].setdefault(r["b"], r["answered"])
        if seen != r["answered"]:
            raise SystemExit(f"variant {r['variant']} answers {r['b']!r} two ways")
    return out


def nearest_check(answers: dict[str, dict[str, str | None]], shipped: str, fn: str,
                  f: float, texts: list[str], entries: np.ndarray,
                  queries: dict[str, np.ndarray]) -> dict[str, Any]:
    """Every query F1 (variant ``fn``) answers otherwise than the shipped lookup (``shipped``):
    the shipped lookup answers none, no entry (``texts``, rows ``entries`` mapped; the query's
    own entry left out) reaches the floor 0.5, and F1's answer is the nearest entry, at ``f`` or
    more. ``queries``: each query's mapped vector. Returns the counts and every failure."""
    differ = [q for q, got in answers[fn].items() if got != answers[shipped][q]]
    failures = []
    for q in differ:
        cos = entries @ queries[q]
        cos[[i for i, t in enumerate(texts) if t == q]] = -np.inf  # its own entry left out
        best = int(np.argmax(cos))
        why = [w for w, bad in (
            ("the shipped lookup answered", answers[shipped][q] is not None),
            ("F1 answered none", answers[fn][q] is None),
            ("an entry reaches the floor", cos[best] >= FLOOR + EPS),
            ("not the nearest entry", answers[fn][q] is not None
             and texts[best] != answers[fn][q] and cos[best] - cos[texts.index(
                 str(answers[fn][q]))] > EPS),
            ("under F", cos[best] < f - EPS)) if bad]
        if why:
            failures.append({"query": q, "answered": answers[fn][q],
                             "shipped": answers[shipped][q], "nearest": texts[best],
                             "cosine": float(cos[best]), "why": why})
    return {"queries": len(answers[fn]), "F1_answers": len(differ),
            "F1_answers_checked": len(differ) - len(failures), "failures": failures,
            "agrees": not failures}


def run_nearest_check(rows: Rows, run: dict[str, Any], f: float) -> dict[str, Any]:
    """``nearest_check`` of a cache_shared run's rows: its sets and entries embedded (the
    embedding cache) and mapped by the run's retrieval map."""
    from cache_shared import entries as entries_of
    from embed_cache import embed_cached
    from pair_sets import load_sets

    from llm_router.cache.retrieval_map import RetrievalMap
    from llm_router.embedding.minilm import MiniLMEmbedder

    answers = by_query(rows)
    shipped = at_cut(run, SHIPPED_CUT, None)
    fn = at_cut(run, SHIPPED_CUT, None, f)
    pairs = load_sets(run["sets"])
    texts = entries_of(pairs, run["entries"])
    embedder = MiniLMEmbedder.load()
    retrieval_map = RetrievalMap.load(run["retrieval_map"]["path"])
    if retrieval_map.sha256 != run["retrieval_map"]["weight_sha256"]:
        raise SystemExit("the retrieval map is not the run's")
    asked = list(answers[fn])
    mapped = retrieval_map.apply(embed_cached(embedder, texts + asked))
    got = nearest_check(answers, shipped, fn, f, texts, mapped[:len(texts)],
                        dict(zip(asked, mapped[len(texts):], strict=True)))
    return {"sets": run["sets"], "entries": run["entries"], "variants": [shipped, fn],
            "F": f, **got}


def report(r: dict[str, Any]) -> None:
    if "nearest_check" in r and "step1" not in r:
        c = r["nearest_check"]
        print(f"nearest-check: {c['F1_answers']} queries F1 answers otherwise of "
              f"{c['queries']}; {c['F1_answers_checked']} as F1 should; agrees: {c['agrees']}")
        return
    one = r["step1"]
    base = one["shipped"]
    print(f"step 1: ten caches of 10,000 entries; the shipped lookup ({base['variant']}) "
          "against F1 at F: negative queries answered (own / another entry) | own-entry "
          "answers\n")
    print_table(one, "FN", "F", "admissible",
                f"admissible (- answered <= {one['answered_limit']})")
    print(f"\nf = {one['f']}")
    for f, pp in one["per_pair_by_F"].items():
        print(f"seen per pair at F {f} (a record): recall {pp['shipped_recall'] * 100:.2f} -> "
              f"{pp['FN_recall'] * 100:.2f} % ({pp['shipped_hits']} -> {pp['FN_hits']} of "
              f"{pp['positives']}, {pp['points']:+.2f}); false hits {pp['shipped_false_hits']} "
              f"-> {pp['FN_false_hits']} of {pp['negatives']}")
    screen = one["screen"]
    if screen is not None:
        own, pp = screen["i_own_entry"], screen["ii_per_pair"]
        print(f"screen (i): own-entry answers shipped {own['shipped']}, FN {own['FN']} "
              f"(needs {own['needs']}): {own['pass']}")
        print(f"screen (ii): seen per pair recall shipped {pp['shipped_recall'] * 100:.2f} % "
              f"({pp['shipped_hits']}/{pp['positives']}), FN {pp['FN_recall'] * 100:.2f} % "
              f"({pp['FN_hits']}) ({pp['points']:+.2f}, needs +{pp['needs']}); false hits "
              f"{pp['shipped_false_hits']} -> {pp['FN_false_hits']} of {pp['negatives']} "
              f"(limit {pp['false_hit_limit']}): {pp['pass']}")
        print(f"F1 adds per kind: {screen['F1_adds']['by_kind']}")
    print(f"screen passes: {one['screen_passes']}")
    two = r.get("step2")
    if two is not None:
        print_step2(two, "FN")
        print(f"records: CPU ms a lookup {two['records']['cpu_ms_per_lookup']}; F1 adds "
              f"{two['records']['F1_adds']['by_kind']}")
    print(f"FN adopted at f {one['f']}: {r['FN_adopted']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    check = sub.add_parser("nearest-check", help="F1's answers in one cache_shared run are "
                           "its nearest entries under the floor")
    one = sub.add_parser("step1", help="f and the screen, on the ten seen caches and rows")
    two = sub.add_parser("step2", help="the lead's decision on heldout102-103")
    check.add_argument("--rows", type=Path, required=True, help="cache_shared --pairs-out")
    check.add_argument("--run", type=Path, required=True, help="that run's --out result")
    check.add_argument("--nearest", type=float, required=True, help="F of its variant nF")
    one.add_argument("--shared", type=Path, nargs=len(CACHES), required=True,
                     help="the cache_shared results, 80+81 .. 98+99 in order")
    one.add_argument("--rows", type=Path, required=True,
                     help="cache_losses --pairs-out rows of heldout80 .. heldout99")
    one.add_argument("--rows-result", type=Path, required=True,
                     help="that cache_losses run's --out result (its verifier's sha256)")
    step2_arguments(two)
    for p in (check, one, two):
        p.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    inputs = {k: (str(v) if not isinstance(v, list) else [str(x) for x in v])
              for k, v in vars(args).items() if k not in ("out", "step")}

    if args.step == "nearest-check":
        out: dict[str, Any] = loaded(args.out) if args.out.exists() else {"rule": RULE}
        got = run_nearest_check(read_jsonl(args.rows), loaded(args.run), args.nearest)
        out["nearest_check"] = {**got, "inputs": inputs, "run": run_record()}
        save(args.out, out, report)
        return 0 if got["agrees"] else 1
    if args.step == "step1":
        rows_checked(loaded(args.rows_result), list(SEEN), S10_SHA, "seen")
        first = step1([loaded(p) for p in args.shared], read_jsonl(args.rows))
        old = loaded(args.out) if args.out.exists() else {}
        out = {"rule": RULE, "floor": FLOOR, "rank_margin": rank_margin(),
               "S10": {"sha256": S10_SHA, "cut": SHIPPED_CUT}, "step1": first,
               "FN_adopted": None if first["screen_passes"] else False,
               **({"nearest_check": old["nearest_check"]} if "nearest_check" in old else {}),
               "inputs": {"step1": inputs}, "run": {"step1": run_record()}}
    else:
        out = step2_of(args, "FN", "f", step2)
        out["inputs"]["step2"] = inputs
        out["run"]["step2"] = run_record()
    save(args.out, out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
