"""The lead's rule FC (session 37): F1 (``cache.verifier_floor_nearest`` f) whose one candidate
under the floor 0.5 is judged at a stricter cut k than the shipped 0.93
(``cache.verifier_floor_nearest_cut`` k; every candidate at the floor or over keeps 0.93), (f, k)
fixed and screened on ten seen populated caches and the seen sets' pairs, then decided by the lead
on heldout102-103. The rule, quoted unchanged (brief i33, written 14:12 UTC 2026-12-07 before any
FC run, heldout102-103 read by nothing):

    FC: the shipped lookup (S10, cross.npz a38f6f80, at 0.93; retrieval map, floor 0.5, widen to 5, rank margin 3,
    every shipped check) against the same lookup with F1 at f whose candidate (the one entry F1 admits under the floor)
    is judged at the cut k instead of 0.93 (`cache.verifier_floor_nearest` f with a new setting
    `cache.verifier_floor_nearest_cut` k, off by default; candidates at or over the floor keep 0.93).
    **Step 1 (f, k; seen).** The ten populated caches of session 36's FN (`bench/cache_shared.py --entries 10000 --sets
    heldoutA heldoutB` for 80+81, 82+83, ..., 98+99), each run with the variants `0.5:5:m` and F1 at F with cut K for
    F in (0.40, 0.45) and K in (0.95, 0.96, 0.97, 0.98). Admissible: (F, K) whose negative queries answered (by any
    entry), summed over the ten caches, are at most the shipped lookup's summed + 10. (f, k) = the admissible pair with
    the most own-entry answers summed (a tie: the higher K, then the higher F). If none is admissible, stop.
    **Screen (seen).** At (f, k): (i) own-entry answers summed over the ten caches >= the shipped lookup's + 20;
    (ii) per pair, over `bench/cache_losses.py --pairs-out` rows of heldout80-101 pooled (a pair's entry is its own
    nearest, so per pair F1 is: similarity >= f and under 0.5 -> judged at k): recall >= the shipped lookup's + 1.0
    point, false hits <= the shipped lookup's + 5. If any fails, stop: heldout102-103 stay unread.
    **Step 2 (decision, the lead's; this session only if (f, k) and the screen are written by 14:55 UTC, otherwise the
    next session's, unchanged).** D = heldout102 + heldout103 pooled. Adopt FC at (f, k) if all hold: (a) per-pair
    recall on D >= the shipped lookup's + 1.5 points; (b) per-pair false hits on D <= the shipped lookup's + 2;
    (c) one populated cache of heldout102+103 (10,000 entries): negative queries answered FC <= shipped + 2, own-entry
    answers FC >= shipped; (d) Quora (pairs:qqp) false-hit rate of FC <= 3.0 %. Otherwise FC is not adopted. Every
    figure is reported, passed or not; nothing is retuned after reading D.

**The lead's amendment** (14:38 UTC 2026-12-07, after i33's step 1 and screen on seen caches and
before heldout102-103 were read; ``AMENDMENT``, run by ``amend``): step 1's bar counted negative
queries answered, not paraphrase queries answered by *another* entry, and i33's reading of the
ten seen caches found FC's additions there about half wrong answers to paraphrase queries (21
more answered by another entry beside 21 more by their own). As amended, an (F, K) is
admissible only if its queries answered by another entry (negatives and paraphrases together),
summed over the ten caches, are at most the shipped lookup's + 10; step 2 runs only if the
amended step 1 still names (f, k).

How it is read (as rule FN's ``bench/fn_rule.py``, whose helpers it reuses through ``no_rule``):
a populated cache is ``s4c_rule.populated``'s reading of a cache_shared result, "negative queries
answered (by any entry)" its ``all.negatives.answered``, "own-entry answers" ``all.positives.own``;
every run is checked by ``no_rule.cache_run`` (S10's sha256 a38f6f80, the two sets in order, the
cut 0.93, 10,000 entries). The shipped variant is ``s10c_rule.at_cut``'s; FC at (F, K) is the
variant ``0.5:5:m:nF:NK`` (``cache_shared.variant``: ``MatchPolicy.nearest_floor`` F and
``nearest_cut`` K), found by ``fc_variant`` from its ``judging`` record (floor 0.5, widen to 5,
the shipped rank margin, the cut 0.93, ``nearest_cut`` K) and its name's ``nF``. "Summed" is
``s10c_rule.summed``. Per pair (the screen's (ii), step 2's (a), (b), (d)) FC is ``fc_stage``:
``cache_losses.stage`` at floor F and cut K for a row whose (mapped) similarity is under 0.5,
else at floor 0.5 and cut 0.93 (the shipped lookup: ``stage`` at 0.5 and 0.93); the rows are
checked by their cache_losses result (``no_rule.rows_checked``) and to hold the mapped cosine.
Records beside the verdicts (judged by nothing): every (F, K)'s figures per cache, each run's
wall time, the seen rows per pair at every (F, K), what FC adds per kind and the negatives it
passes.

``fn-check`` (the brief's check of the code path, not the rule's): each FC run's ``--pairs-out``
read against rule FN's run of the same cache (session 36, i27: F1 at F and the one cut 0.93),
query by query (``fn_check``): the shipped answers agree, every query FC answers otherwise than
the shipped lookup FN answers with the same entry at a probability of K or more, and every one
FN answers otherwise that FC does not was refused under K (or by every K of the run).

The commands (session 37, 2026-12-07, helper i33; S10 the layer at 0.93):

    L=bench/results/local
    V="0.5:5:m"; for F in 0.4 0.45; do for K in 0.95 0.96 0.97 0.98; do V="$V 0.5:5:m:n$F:N$K"; done; done
    # step 1: per writer pair A+B of 80+81 .. 98+99, one at a time, OMP_NUM_THREADS=1 nice -n 10:
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldoutA heldoutB --variants $V \\
        --keep-scores --out $L/i33-shared-A-B.json --pairs-out $L/i33-shared-A-B.jsonl
    # the check against rule FN's runs (session 36, i27's rows; /work/i27 when this ran):
    .venv/bin/python bench/fc_rule.py fn-check --fc-rows $L/i33-shared-{80-81,...,98-99}.jsonl \
        --fn-rows /work/i27/$L/i27-shared-{80-81,...,98-99}.jsonl
    # the screen's rows (one run):
    .venv/bin/python bench/cache_losses.py --sets heldout80 heldout81 ... heldout101 \\
        --out $L/i33-losses-80-101.json --pairs-out $L/i33-losses-80-101.jsonl
    .venv/bin/python bench/fc_rule.py step1 --shared $L/i33-shared-{80-81,...,98-99}.json \\
        --rows $L/i33-losses-80-101.jsonl --rows-result $L/i33-losses-80-101.json
    # step 2 (the lead's; only if the screen passed), F, K = step 1's (f, k):
    .venv/bin/python bench/cache_losses.py --sets heldout102 heldout103 --out $L/fc-D.json \\
        --pairs-out $L/fc-D.jsonl
    .venv/bin/python bench/cache_losses.py --sets pairs --out $L/fc-Q.json --pairs-out $L/fc-Q.jsonl
    .venv/bin/python bench/cache_shared.py --entries 10000 --sets heldout102 heldout103 \\
        --variants 0.5:5:m 0.5:5:m:nF:NK --out $L/fc-shared-D.json --pairs-out $L/fc-shared-D.jsonl
    .venv/bin/python bench/fc_rule.py step2 --rows $L/fc-D.jsonl --rows-result $L/fc-D.json \\
        --quora $L/fc-Q.jsonl --quora-result $L/fc-Q.json --shared $L/fc-shared-D.json
"""  # noqa: E501

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from cache_losses import stage, verdicts
from fn_rule import added_where, mapped_rows, per_pair_of
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
    quora_check_of,
    read_caches,
    rows_checked,
    step2_arguments,
    step2_of,
    verdict,  # noqa: F401 (FC is adopted iff (a) to (d) pass, as NO and FN)
    wall_s,
)
from run_record import run_record
from s4c_rule import populated
from s10_rule import FALSE_HIT_SLACK, FLOOR, GAIN, Rows, only, qqp
from s10c_rule import CLOSE, rank_margin, summed
from verifier_rule import save

from train.cache_verifier.pairs import read_jsonl

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    FC: the shipped"):__doc__.index("\n**The lead's amendment**")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # the brief's, whole
FS = (0.40, 0.45)
KS = (0.95, 0.96, 0.97, 0.98)
G = tuple((f, k) for f in FS for k in KS)
ANSWERED_SLACK_1 = 10  # step 1: negatives answered over the shipped lookup's, summed
OWN_GAIN = 20  # screen (i): own-entry answers over the shipped lookup's, summed
SCREEN_GAIN = 1.0  # screen (ii): points of pooled seen recall per pair
SCREEN_SLACK = 5  # screen (ii): false hits over the shipped lookup's
SEEN = tuple(f"heldout{n}" for n in range(80, 102))  # heldout80 .. heldout101
OUT = HERE / "results" / "fc-rule-session37.json"
AMENDMENT = (
    "Amendment (the lead, 14:38 UTC 2026-12-07, before heldout102-103 were read; on i33's seen "
    "reading that FC's additions in the ten seen caches include as many paraphrase queries "
    "answered by another entry as by their own): in step 1, an (F, K) is admissible only if, "
    "besides the rule's bar, its queries answered by another entry (negatives and paraphrases "
    "together), summed over the ten caches, are at most the shipped lookup's summed + 10; (f, k) "
    "is then chosen among those as the rule says. If none is admissible, FC stops at step 1 and "
    "heldout102-103 stay unread.")
OTHER_SLACK = 10


def fc_variant(run: dict[str, Any], f: float, k: float) -> str:
    """The one variant of a cache_shared ``run`` that is FC at (``f``, ``k``): named
    ``0.5:5:m:nF:NK`` (F and K read as numbers), its ``judging`` record the shipped lookup's
    (floor 0.5, widen to 5, the shipped rank margin, the cut 0.93) with ``nearest_cut`` k."""
    found = []
    for name, v in run["by_variant"].items():
        fields = name.split(":")
        if fields[:3] != ["0.5", "5", "m"] or len(fields) != 5:
            continue
        nf, nk = fields[3], fields[4]
        if not (nf.startswith("n") and nk.startswith("N")):
            continue
        if abs(float(nf[1:]) - f) > CLOSE or abs(float(nk[1:]) - k) > CLOSE:
            continue
        held = v.get("judging") or {}
        if ((held.get("floor"), held.get("widen_to"), held.get("rank_margin"))
                != (FLOOR, 5, rank_margin())
                or abs(held.get("min_probability", -1) - SHIPPED_CUT) > CLOSE
                or abs(held.get("nearest_cut", -1) - k) > CLOSE
                or abs(held.get("nearest_floor", -1) - f) > CLOSE
                or held.get("later_probability") is not None or "later_cut" in held):
            raise SystemExit(f"variant {name}: its judging record is not FC at ({f}, {k}): "
                             f"{held}")
        found.append(name)
    if len(found) != 1:
        raise SystemExit(f"FC at ({f}, {k}): {len(found)} variants of the run "
                         f"({', '.join(run['by_variant'])})")
    return found[0]


def fc_stage(row: dict[str, Any], f: float, k: float) -> tuple[str, bool]:
    """A pair alone under FC at (``f``, ``k``): its entry is its own nearest, so a row under the
    floor 0.5 is judged at floor ``f`` and cut ``k``, any other at 0.5 and 0.93."""
    if row["similarity"] < FLOOR:
        return stage(row, f, k)
    return stage(row, FLOOR, SHIPPED_CUT)


def fc_counts(rows: Rows, f: float, k: float) -> dict[str, Any]:
    """``cache_losses.counts``' figures with ``fc_stage``."""
    return verdicts(rows, lambda r: fc_stage(r, f, k)[1])


def choose(table: list[dict[str, Any]]) -> tuple[float, float] | None:
    """(f, k): of the admissible (F, K), the most own-entry answers summed (a tie: the higher K,
    then the higher F); None if none is admissible."""
    ok = [t for t in table if t["admissible"]]
    if not ok:
        return None
    best = max(ok, key=lambda t: (t["FC"]["positives_own"], t["K"], t["F"]))
    return best["F"], best["K"]


def added(rows: Rows, f: float, k: float) -> dict[str, Any]:
    """Per kind, the paraphrases FC finds and the negatives it passes that the shipped lookup
    does not (k is over 0.93 and applies under the floor only: none the other way), and
    those negatives listed (``fn_rule.added_where``)."""
    return added_where(rows, lambda r: fc_stage(r, f, k)[1])


def per_pair(rows: Rows, f: float, k: float, gain: float, slack: int) -> dict[str, Any]:
    """The shipped lookup (0.5, 0.93) against FC at (f, k) on one set of rows: recall at least
    ``gain`` points over the shipped lookup's, false hits at most ``slack`` over its
    (``fn_rule.per_pair_of``)."""
    return per_pair_of(rows, "FC", fc_counts(rows, f, k), gain, slack)


def step1(runs: list[dict[str, Any]], rows: Rows, sha: str = S10_SHA) -> dict[str, Any]:
    """(f, k) (of the admissible (F, K), the most own-entry answers summed over the ten caches)
    and, where there is one, the screen at it: (i) own-entry answers, (ii) the seen rows per
    pair."""
    names, shipped = read_caches(runs, sha)
    only(rows, SEEN, "seen")
    mapped_rows(rows, "seen")
    base = summed(shipped)
    table = []
    for f, k in G:
        each = [populated(run, fc_variant(run, f, k)) for run in runs]
        total = summed(each)
        table.append({"F": f, "K": k, "FK": f"{f:.2f}/{k:.2f}", "variant": each[0]["variant"],
                      "FC": total, "admissible": total["negatives_answered"]
                      <= base["negatives_answered"] + ANSWERED_SLACK_1,
                      "by_cache": by_cache(names, each),
                      "cpu_ms_per_lookup": {n: p["cpu_ms_per_lookup"]
                                            for n, p in zip(names, each, strict=True)}})
    fk = choose(table)
    records = {f"{f:.2f}/{k:.2f}": {**per_pair(rows, f, k, SCREEN_GAIN, SCREEN_SLACK),
                                    "FC_adds": added(rows, f, k)["by_kind"]} for f, k in G}
    out: dict[str, Any] = {
        "caches": names, "G": [list(x) for x in G],
        "answered_limit": base["negatives_answered"] + ANSWERED_SLACK_1,
        "shipped": {"variant": shipped[0]["variant"], "cut": SHIPPED_CUT, **base,
                    "by_cache": by_cache(names, shipped),
                    "cpu_ms_per_lookup": {n: p["cpu_ms_per_lookup"]
                                          for n, p in zip(names, shipped, strict=True)}},
        "table": table, "f": None if fk is None else fk[0], "k": None if fk is None else fk[1],
        "fk": None if fk is None else list(fk),
        "screen": None, "screen_passes": False, "per_pair_by_FK": records,
        "wall_s": wall_s(names, runs),
        "cpu_note": "cache_shared --keep-scores: a query's pair scores kept across its "
                    "variants, so a variant's CPU a lookup is not its own (a record only)"}
    if fk is None:
        return out
    f, k = fk
    own = next(t for t in table if (t["F"], t["K"]) == fk)["FC"]["positives_own"]
    one = {"shipped": base["positives_own"], "FC": own,
           "needs": base["positives_own"] + OWN_GAIN,
           "pass": own >= base["positives_own"] + OWN_GAIN}
    two = per_pair(rows, f, k, SCREEN_GAIN, SCREEN_SLACK)
    two["pass"] = two["recall_pass"] and two["false_hit_pass"]
    out["screen"] = {"i_own_entry": one, "ii_per_pair": two, "FC_adds": added(rows, f, k)}
    out["screen_passes"] = one["pass"] and two["pass"]
    return out


def quora_check(rows: Rows, f: float, k: float) -> dict[str, Any]:
    """Step 2's (d): FC's pairs:qqp false-hit rate at most 3.0 %; the shipped lookup's beside
    (``no_rule.quora_check_of``)."""
    return quora_check_of(rows, "FC", fc_counts(rows, f, k))


def step2(fk: list[float], rows: Rows, quora: Rows, shared: dict[str, Any],
          sha: str = S10_SHA) -> dict[str, Any]:
    """Checks (a) to (d) on D at (f, k): the D rows, the D cache's two variants, the Quora rows."""
    f, k = fk
    only(rows, D, "D")
    mapped_rows(rows, "D")
    pair = per_pair(rows, f, k, GAIN, FALSE_HIT_SLACK)
    check_a = {x: pair[x] for x in ("shipped_recall", "FC_recall", "shipped_hits", "FC_hits",
                                    "positives", "points", "needs")}
    check_a["pass"] = pair["recall_pass"]
    check_b = {"shipped_false_hits": pair["shipped_false_hits"],
               "FC_false_hits": pair["FC_false_hits"], "negatives": pair["negatives"],
               "limit": pair["false_hit_limit"], "pass": pair["false_hit_pass"]}
    check_c = cache_check(shared, sha, "FC", fc_variant(shared, f, k))
    check_d = quora_check(mapped_rows(qqp(quora), "Quora"), f, k)
    got = check_c["populated"]
    records = {"cpu_ms_per_lookup": {x: v["cpu_ms_per_lookup"] for x, v in got.items()},
               "FC_adds": added(rows, f, k),
               "FC_false_hits": [{"set": r["set"], "id": r["id"], "kind": r["kind"],
                                  "a": r["a"], "b": r["b"], "p": r["p"]} for r in rows
                                 if not r["label"] and fc_stage(r, f, k)[1]]}
    return {"sets": list(D), "f": f, "k": k, "a": check_a, "b": check_b, "c": check_c,
            "d": check_d, "records": records}


def answers(rows: Rows) -> dict[str, dict[str, tuple[str | None, float | None]]]:
    """Per variant, each query's (answer, its probability) from cache_shared's ``--pairs-out``
    rows (a query's pairs share it)."""
    out: dict[str, dict[str, tuple[str | None, float | None]]] = defaultdict(dict)
    for r in rows:
        got = (r["answered"], r.get("p"))
        if out[r["variant"]].setdefault(r["b"], got) != got:
            raise SystemExit(f"variant {r['variant']} answers {r['b']!r} two ways")
    return out


def fn_check(fc_rows: Rows, fn_rows: Rows, f: float, k: float, shipped: str = "0.5:5:m"
             ) -> dict[str, Any]:
    """FC at (f, k) (``fc_rows``: a cache_shared run's ``--pairs-out`` with the shipped lookup
    and FC's variants) read against rule FN's run of the same cache (``fn_rows``: F1 at f, the
    one cut 0.93; session 36's rows hold no probability). A query whose shipped answers differ
    between the runs (the lookup changed between them) is listed (``shipped_differ``), and FC
    must answer it as this run's shipped lookup. F1's candidate is verified alone, so
    every query FC answers otherwise than the shipped lookup FN answers with the same entry, at
    a probability (FC's row's) of k or more; and a query FN answers otherwise that FC does not
    is one whose candidate an FC variant of the same f answered at a probability under k, or
    none did (``unread``: its probability is under every K of the run). Both runs' shipped
    answers must agree. Returns the counts and every query that does not hold."""
    mine, theirs = answers(fc_rows), answers(fn_rows)
    fc_name = fc_variant_name(mine, f, k)
    fn_name = next(v for v in theirs if v.split(":")[3:] == [f"n{f:g}"])
    seen_p: dict[str, float] = {}  # a query's F1 candidate's probability, where FC answered it
    for v, by_q in mine.items():
        if v.startswith(f"0.5:5:m:n{f:g}:N"):
            seen_p.update({q: p for q, (a, p) in by_q.items()
                           if a is not None and a != mine[shipped][q][0] and p is not None})
    failures: list[dict[str, Any]] = []
    differ: list[dict[str, Any]] = []
    unread = 0
    for q, (got, p) in mine[fc_name].items():
        base, fn = mine[shipped][q][0], theirs[fn_name][q][0]
        if theirs[shipped][q][0] != base:  # the lookup changed between the runs (not FC)
            differ.append({"query": q, "shipped": base, "FN_run_shipped": theirs[shipped][q][0]})
            if got != base:  # F1 reads nothing where the shipped lookup answers
                failures.append({"query": q, "FC": got, "why": "not the shipped answer"})
        elif got != base and (got != fn or p is None or p < k - 5e-7):
            failures.append({"query": q, "FC": got, "FN": fn, "p": p, "why": "FC's own"})
        elif got == base and fn != base:
            if q not in seen_p:
                unread += 1
            elif seen_p[q] >= k - 5e-7:
                failures.append({"query": q, "FN": fn, "p": seen_p[q], "why": "refused at k"})
    return {"variants": [fc_name, fn_name], "queries": len(mine[fc_name]),
            "FC_answers_otherwise": sum(got != mine[shipped][q][0]
                                        for q, (got, _) in mine[fc_name].items()),
            "FN_answers_otherwise": sum(a != theirs[shipped][q][0]
                                        for q, (a, _) in theirs[fn_name].items()),
            "FN_only_unread": unread, "shipped_differ": differ, "failures": failures,
            "agrees": not failures}


def fc_variant_name(by_variant: dict[str, Any], f: float, k: float) -> str:
    """The name of FC's variant at (f, k) among ``by_variant``'s (``fc_variant``'s reading of
    the name alone)."""
    found = [v for v in by_variant if v.split(":")[:3] == ["0.5", "5", "m"]
             and len(v.split(":")) == 5 and v.split(":")[3][:1] == "n"
             and v.split(":")[4][:1] == "N" and abs(float(v.split(":")[3][1:]) - f) <= CLOSE
             and abs(float(v.split(":")[4][1:]) - k) <= CLOSE]
    if len(found) != 1:
        raise SystemExit(f"FC at ({f}, {k}): {len(found)} variants")
    return found[0]


def report(r: dict[str, Any]) -> None:
    if "fn_check" in r:
        c = r["fn_check"]
        for run, each in c["by_run"].items():
            differ = next(iter(each.values()))["shipped_differ"]
            print(f"fn-check {run}: shipped answers differ {[d['query'] for d in differ]}; "
                  "FC / FN answers otherwise than the shipped lookup: " + ", ".join(
                f"{fk} {x['FC_answers_otherwise']}/{x['FN_answers_otherwise']}"
                f"{'' if x['agrees'] else ' FAILS'}" for fk, x in each.items()))
        print(f"fn-check agrees: {c['agrees']}")
    if "amendment" in r:
        a = r["amendment"]
        print(f"amendment: shipped {a['shipped']}; limit {a['limit']} answered by another entry")
        for t in a["table"]:
            print(f"  {t['variant']}: another {t['other']} ({t['other_negatives']} negatives, "
                  f"{t['other_paraphrases']} paraphrases), own {t['own']}"
                  f"{'' if t['within'] else ' - over'}")
        print(f"amendment stops FC at step 1: {a['stops']}")
    if "step1" not in r:
        return
    one = r["step1"]
    print(f"step 1: ten caches of 10,000 entries; the shipped lookup ({one['shipped']['variant']})"
          " against FC at F/K: negative queries answered (own / another entry) | own-entry "
          "answers\n")
    print_table(one, "FC", "FK", "admissible",
                f"admissible (- answered <= {one['answered_limit']})")
    print(f"\n(f, k) = ({one['f']}, {one['k']})")
    for fk, pp in one["per_pair_by_FK"].items():
        print(f"seen per pair at {fk} (a record): recall {pp['shipped_recall'] * 100:.2f} -> "
              f"{pp['FC_recall'] * 100:.2f} % ({pp['shipped_hits']} -> {pp['FC_hits']} of "
              f"{pp['positives']}, {pp['points']:+.2f}); false hits {pp['shipped_false_hits']} "
              f"-> {pp['FC_false_hits']} of {pp['negatives']}")
    screen = one["screen"]
    if screen is not None:
        own, pp = screen["i_own_entry"], screen["ii_per_pair"]
        print(f"screen (i): own-entry answers shipped {own['shipped']}, FC {own['FC']} "
              f"(needs {own['needs']}): {own['pass']}")
        print(f"screen (ii): seen per pair recall {pp['points']:+.2f} (needs +{pp['needs']}); "
              f"false hits {pp['shipped_false_hits']} -> {pp['FC_false_hits']} (limit "
              f"{pp['false_hit_limit']}): {pp['pass']}")
    print(f"screen passes: {one['screen_passes']}")
    two = r.get("step2")
    if two is not None:
        print_step2(two, "FC")
    print(f"FC adopted: {r['FC_adopted']}")


def other_answers(rows: Rows) -> dict[str, dict[str, int]]:
    """Per variant of cache_shared ``--pairs-out`` rows: the queries another entry answered
    (outcome ``other``, ``other_same`` or ``other_negative``), negatives and paraphrases, and the
    paraphrase queries their own entry answered (``partner``)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        tally = out[r["variant"]]
        if r["outcome"].startswith("other"):
            tally["other_paraphrases" if r["label"] else "other_negatives"] += 1
            tally["other"] += 1
        elif r["outcome"] == "partner" and r["label"]:
            tally["own"] += 1
    return {v: {k: c[k] for k in ("other", "other_negatives", "other_paraphrases", "own")}
            for v, c in sorted(out.items())}


def amend(per_cache: list[Rows], shipped: str = "0.5:5:m") -> dict[str, Any]:
    """The amendment's step 1 over the caches' rows: each variant's other-entry answers and
    own-entry answers summed, and which FC variants stay within the shipped lookup's + 10."""
    total: dict[str, Counter[str]] = defaultdict(Counter)
    for rows in per_cache:
        for variant, tally in other_answers(rows).items():
            total[variant].update(tally)
    if shipped not in total:
        raise SystemExit(f"no {shipped} rows: the shipped lookup is every run's first variant")
    limit = total[shipped]["other"] + OTHER_SLACK
    table = [{"variant": v, **dict(c), "within": c["other"] <= limit}
             for v, c in sorted(total.items()) if v != shipped]
    return {"text": AMENDMENT, "shipped": dict(total[shipped]), "limit": limit, "table": table,
            "admissible": [t["variant"] for t in table if t["within"]],
            "stops": not any(t["within"] for t in table)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    check = sub.add_parser("fn-check", help="FC's answers in cache_shared runs read against "
                           "rule FN's runs of the same caches (session 36)")
    check.add_argument("--fc-rows", type=Path, nargs="+", required=True,
                       help="FC runs' cache_shared --pairs-out, one a cache")
    check.add_argument("--fn-rows", type=Path, nargs="+", required=True,
                       help="FN's runs' --pairs-out of the same caches, in the same order")
    fix = sub.add_parser("amend", help="the lead's amendment of step 1 (other-entry answers), "
                         "over the ten caches' --pairs-out rows")
    fix.add_argument("--shared-rows", type=Path, nargs=len(CACHES), required=True,
                     help="the cache_shared --pairs-out rows, 80+81 .. 98+99 in order")
    one = sub.add_parser("step1", help="(f, k) and the screen, on the ten seen caches and rows")
    two = sub.add_parser("step2", help="the lead's decision on heldout102-103")
    one.add_argument("--shared", type=Path, nargs=len(CACHES), required=True,
                     help="the cache_shared results, 80+81 .. 98+99 in order")
    one.add_argument("--rows", type=Path, required=True,
                     help="cache_losses --pairs-out rows of heldout80 .. heldout101")
    one.add_argument("--rows-result", type=Path, required=True,
                     help="that cache_losses run's --out result (its verifier's sha256)")
    step2_arguments(two)
    for p in (check, fix, one, two):
        p.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    inputs = {x: (str(v) if not isinstance(v, list) else [str(y) for y in v])
              for x, v in vars(args).items() if x not in ("out", "step")}
    if args.step == "fn-check":
        if len(args.fc_rows) != len(args.fn_rows):
            raise SystemExit("one FN run a FC run")
        checks = {}
        for mine, theirs in zip(args.fc_rows, args.fn_rows, strict=True):
            fc_rows, fn_rows = read_jsonl(mine), read_jsonl(theirs)
            checks[mine.name] = {f"{f:.2f}/{k:.2f}": fn_check(fc_rows, fn_rows, f, k)
                                 for f, k in G}
        agrees = all(c["agrees"] for each in checks.values() for c in each.values())
        old: dict[str, Any] = loaded(args.out) if args.out.exists() else {"rule": RULE}
        old["fn_check"] = {"agrees": agrees, "by_run": checks, "inputs": inputs,
                           "run": run_record()}
        save(args.out, old, report)
        return 0 if agrees else 1
    if args.step == "amend":
        done = loaded(args.out)
        done["amendment"] = {**amend([read_jsonl(p) for p in args.shared_rows]),
                             "inputs": inputs, "run": run_record()}
        if done["amendment"]["stops"]:
            done["FC_adopted"] = False
        save(args.out, done, report)
        return 0
    if (args.step == "step2" and args.out.exists()
            and loaded(args.out).get("amendment", {}).get("stops")):
        raise SystemExit("rule FC as amended stopped at step 1 (no (F, K) within the shipped "
                         "lookup's other-entry answers + 10): heldout102-103 stay unread")
    if args.step == "step1":
        rows_checked(loaded(args.rows_result), list(SEEN), S10_SHA, "seen")
        first = step1([loaded(p) for p in args.shared], read_jsonl(args.rows))
        out: dict[str, Any] = {
            "rule": RULE, "floor": FLOOR, "rank_margin": rank_margin(),
            "S10": {"sha256": S10_SHA, "cut": SHIPPED_CUT}, "step1": first,
            "FC_adopted": None if first["screen_passes"] else False,
            "inputs": {"step1": inputs}, "run": {"step1": run_record()}}
        for kept in ("fn_check", "amendment"):
            if args.out.exists() and kept in loaded(args.out):
                out[kept] = loaded(args.out)[kept]
    else:
        out = step2_of(args, "FC", "fk", step2)
        out["inputs"]["step2"] = inputs
        out["run"]["step2"] = run_record()
    save(args.out, out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
