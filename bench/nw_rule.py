"""The lead's rule NW (session 36): numbers written as words in the amounts check. Quoted
unchanged (written 10:14 UTC 2026-12-07 before any NW run):

    NW: in the amounts-and-ids check (and the index's bulk filter, which must agree with it), a number written in words
    (cardinals zero to ninety-nine and "a hundred" / "N hundred" / "thousand" / "million" compounds as you define
    them before the screen, "per cent" / "percent" read as "%", "half" only if you argue it) counts as the same amount
    as its digits **only where the other text writes that amount in digits and does not write it in words**; a number
    word never creates a mismatch that the shipped check does not see. The change is fixed (code committed, unit
    tests passing) before the screen runs. Verdicts: the shipped lookup (S10 at 0.93, every shipped check on) against
    the same lookup with NW, per pair (bench/cache_losses.py rows made with and without NW on the same pairs).
    Sets: every committed seen set, heldout1 .. heldout99 (all parts of each set's cache_pairs.jsonl), and
    bench/cache_pairs (all its files, Quora's rows included). NW ships iff (a) not one false hit is added (a pair with
    label 0 that the shipped lookup refuses and NW answers), (b) not one paraphrase hit of the shipped lookup is lost,
    and (c) at least three paraphrase hits are added over all those sets together. Records: every pair whose verdict
    or stage moves, with both texts; the number of pairs where the check's answer changes at all; the check's CPU per
    pair before and after (alternated or by instruction count, load named) — NW does not ship if it adds more than
    0.05 ms a pair at the median. Otherwise the check stays as it is. The unseen sets at the session's end report it
    with the rest.

NW is ``cache.number_words`` (``layers/core/llm_router/cache/number_words.py``, which defines
the number words; committed with its tests at 63e788d before this screen ran).

How it is read (the narrowest equivalent of rows over every pair): NW changes the lookup
only through the hard check (``pair_features.quantity_conflict``, which
``MatchPolicy.respelled`` and ``_refused_before_model`` ask, cached text then query) and the
index's bulk filter (``number_codes``, ``TenantIndex._refused``). Both are pure functions of
the pair's two texts, and a pair's probe (the one-entry lookup ``cache_losses`` traces)
reads nothing else that NW touches, so a pair on which neither the check's answer nor the
filter's changes takes the same path with and without NW and its row cannot move. Step 1
reads both on every pair of the sets, with and without NW (the shipped verifier's word
views, ``cache.synonyms``' table, ``cache.amount_forms`` as configured): the pairs where
either changes. It also checks what NW promises on every pair: the check with NW refuses
only where it refuses without (``made``: 0), the filter with NW leaves out only where it
does without, and only where the check with NW refuses. Step 2: ``bench/cache_losses.py``
(its ``main``: the layer's S10 at its cut, floor ``cache.verifier_floor``, every shipped
check, the retrieval map) on those pairs with ``--no-number-words`` and with
``--number-words``; each pair's verdict is ``cache_losses.stage(row, floor, cut)`` both
ways, (a)-(c) read on them. The CPU: the check (``quantity_conflict`` on the texts' kept
views, as a lookup asks it) on every pair, without and with NW alternated pair by pair,
``ROUNDS`` rounds, each pair's median of its rounds; the hard forms kept between texts
(``quantities._FORMS``) emptied before each call with NW (its rewritten texts are new to a
lookup), the load named.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/nw_rule.py \\
        --out bench/results/nw-rule-session36.json
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import cache_losses  # noqa: E402
from pair_sets import PAIRS, load, load_sets  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache import policy, quantities  # noqa: E402
from llm_router.cache.index import TenantIndex, _may_refuse  # noqa: E402
from llm_router.cache.kept import KeptInBytes  # noqa: E402
from llm_router.cache.pair_features import number_codes, quantity_conflict  # noqa: E402
from llm_router.cache.verifier import shared_verifier  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402

HERE = Path(__file__).resolve().parent
_QUOTED = __doc__[__doc__.index("    NW: in the"):__doc__.index("\nNW is ``cache")]
RULE = "\n".join(line[4:] for line in _QUOTED.rstrip("\n").split("\n"))  # the brief's, whole
SETS = (*(f"heldout{n}" for n in range(1, 100)), PAIRS)
TUNE = HERE / "cache_pairs" / "tune.jsonl"
PROJECT = HERE / "cache_pairs" / "pairs.jsonl"
ADDED = 3  # (c): paraphrase hits added over every set
CPU_MS = 0.05  # the most NW may add a pair at the median
ROUNDS = 3
WORK = HERE / "results" / "local" / "nw"


def project_pairs(file: Path = PROJECT) -> list[dict[str, Any]]:
    """bench/cache_pairs/pairs.jsonl (the 334 pairs the lexical guards were written with:
    ``cached``, ``query``, ``kind``; "paraphrase" the only label-1 kind, as
    ``bench/cache_eval.py`` reads it) as pairs of the other sets."""
    out = []
    for line in file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            p = json.loads(line)
            out.append({"set": "cache_pairs:project", "id": p["id"], "kind": p["kind"],
                        "label": int(p["kind"] == "paraphrase"), "a": p["cached"],
                        "b": p["query"]})
    return out


def every_pair() -> list[dict[str, Any]]:
    """Every pair of the rule's sets: heldout1-99, bench/cache_pairs' heldout.jsonl
    (``pairs:<source>``), tune.jsonl (``tune:<source>``) and pairs.jsonl."""
    tune = [{"set": f"tune:{p.get('source')}", **p} for p in load(TUNE)]
    return load_sets(list(SETS)) + tune + project_pairs()


def _forget_forms() -> None:
    """Empty the hard forms ``quantities`` keeps between texts (``_FORMS``)."""
    quantities._FORMS = KeptInBytes(
        quantities.FORMS_BYTES, lambda lowered, forms: sys.getsizeof(lowered)
        + sys.getsizeof(forms))


def filter_refuses(query: tuple[int, int], row: tuple[int, int]) -> bool:
    """``TenantIndex._refused``'s rule for a query's and a row's ``number_codes`` (asked
    only where the query's codes ``_may_refuse``, as ``_nearest`` asks it)."""
    if not _may_refuse(query):
        return False
    index = TenantIndex(dim=1, capacity=1)
    index._amounts[0], index._ids[0] = row
    return bool(index._refused(query, slice(0, 1))[0])


def step1(pairs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per pair, the check's answer (cached text, query) and the filter's (the query's codes
    against the cached text's) without and with NW: the pairs where either changes, each
    with its four answers; and the counts, per set and in all."""
    config = CacheConfig()
    vocabulary = shared_verifier().vocabulary
    synonyms = policy.synonyms_of(config)
    forms = config.amount_forms
    per_set: dict[str, Counter[str]] = defaultdict(Counter)
    out = []
    for pair in pairs:
        a, b = pair["a"], pair["b"]
        va, vb = vocabulary.view(a), vocabulary.view(b)
        texts = (a, b) if forms else None
        check = (quantity_conflict(va, vb, synonyms, texts),
                 quantity_conflict(va, vb, synonyms, texts, words=(a, b)))
        left_out = (filter_refuses(number_codes(b, forms), number_codes(a, forms)),
                    filter_refuses(number_codes(b, forms, True), number_codes(a, forms, True)))
        c = per_set[pair["set"]]
        c["pairs"] += 1
        c["refused"] += check[0]
        c["check_changes"] += check[0] != check[1]
        c["filter_changes"] += left_out[0] != left_out[1]
        c["made"] += check[1] and not check[0]  # NW promises none
        c["filter_made"] += left_out[1] and not left_out[0]
        c["filter_disagrees"] += left_out[1] and not check[1]
        if check[0] != check[1] or left_out[0] != left_out[1]:
            out.append(pair | {"numbers_without": check[0], "numbers_with": check[1],
                               "left_out_without": left_out[0], "left_out_with": left_out[1]})
    total: Counter[str] = sum(per_set.values(), Counter())
    counts = {"all": dict(total), "by_set": {k: dict(v) for k, v in per_set.items()}}
    return out, counts


def rows(pairs_file: Path, words: bool, work: Path) -> list[dict[str, Any]]:
    """``cache_losses.py`` over the pairs of ``pairs_file`` (its defaults: the shipped
    lookup) without or with NW (``--no-number-words`` / ``--number-words``); its rows."""
    name = "with" if words else "without"
    out, pairs_out = work / f"losses-{name}.json", work / f"losses-{name}-pairs.jsonl"
    argv = sys.argv
    sys.argv = ["cache_losses.py", "--sets", str(pairs_file), "--out", str(out),
                "--pairs-out", str(pairs_out), "--number-words" if words else "--no-number-words"]
    try:
        cache_losses.main()
    finally:
        sys.argv = argv
    return [json.loads(line) for line in pairs_out.read_text(encoding="utf-8").splitlines()]


def compare(without: list[dict[str, Any]], with_nw: list[dict[str, Any]], floor: float,
            cut: float) -> dict[str, Any]:
    """Each pair's stage and verdict both ways; the pairs that move, per set; (a), (b), (c)."""
    moved = []
    for old, new in zip(without, with_nw, strict=True):
        assert (old["set"], old["a"], old["b"]) == (new["set"], new["a"], new["b"])
        before, after = cache_losses.stage(old, floor, cut), cache_losses.stage(new, floor, cut)
        if before != after:
            moved.append({"set": old["set"], "id": old.get("id"), "kind": old["kind"],
                          "label": old["label"], "a": old["a"], "b": old["b"],
                          "without": {"stage": before[0], "hit": before[1]},
                          "with": {"stage": after[0], "hit": after[1],
                                   "respelling": new["respelling"]},
                          "similarity": new["similarity"], "p": new["p"]})
    added_false = [m for m in moved if m["label"] == 0 and m["with"]["hit"]
                   and not m["without"]["hit"]]
    lost = [m for m in moved if m["label"] == 1 and m["without"]["hit"] and not m["with"]["hit"]]
    added = [m for m in moved if m["label"] == 1 and m["with"]["hit"] and not m["without"]["hit"]]
    distinct = len({(m["a"], m["b"]) for m in added})  # a pair two files hold counts once
    by_set: dict[str, Counter[str]] = defaultdict(Counter)
    for m in moved:
        cell = by_set[m["set"]]
        cell["moved"] += 1
        cell["paraphrase_hits_added"] += m in added
        cell["false_hits_added"] += m in added_false
        cell["paraphrase_hits_lost"] += m in lost
    a, b, c = not added_false, not lost, distinct >= ADDED
    return {"moved": moved, "moved_by_set": {k: dict(v) for k, v in sorted(by_set.items())},
            "a": {"pass": a, "false_hits_added": len(added_false)},
            "b": {"pass": b, "paraphrase_hits_lost": len(lost)},
            "c": {"pass": c, "paraphrase_hits_added": len(added),
                  "distinct_pairs": distinct, "needed": ADDED}}


def cpu(pairs: list[dict[str, Any]], rounds: int = ROUNDS) -> dict[str, Any]:
    """The check's CPU per pair (``quantity_conflict`` on kept views, cached text then
    query, as the lookup asks it) without and with NW, alternated pair by pair (which
    comes first alternating too): medians
    over the pairs of each pair's median of ``rounds``, in ms, for every pair and for the
    pairs the check refuses as written (where NW reads more); the load named."""
    config = CacheConfig()
    vocabulary = shared_verifier().vocabulary
    synonyms = policy.synonyms_of(config)
    forms = config.amount_forms
    views = [(vocabulary.view(p["a"]), vocabulary.view(p["b"])) for p in pairs]
    times: list[tuple[list[int], list[int]]] = [([], []) for _ in pairs]
    clock = time.thread_time_ns
    load_before = os.getloadavg()
    refused = []
    for round_ in range(rounds):
        for k, (pair, (va, vb)) in enumerate(zip(pairs, views, strict=True)):
            texts = (pair["a"], pair["b"]) if forms else None
            for words in ((None, (pair["a"], pair["b"])) if (round_ + k) % 2 == 0
                          else ((pair["a"], pair["b"]), None)):  # each first in turn
                if words is not None:
                    _forget_forms()
                start = clock()
                answer = quantity_conflict(va, vb, synonyms, texts, words=words)
                times[k][words is not None].append(clock() - start)
                if round_ == 0 and words is None:
                    refused.append(answer)
    load_after = os.getloadavg()

    def medians(keep: list[bool] | None) -> dict[str, Any]:
        chosen = [t for k, t in enumerate(times) if keep is None or keep[k]]
        off = [statistics.median(t[0]) / 1e6 for t in chosen]
        on = [statistics.median(t[1]) / 1e6 for t in chosen]
        return {"pairs": len(chosen), "without_ms": round(statistics.median(off), 5),
                "with_ms": round(statistics.median(on), 5),
                "added_ms": round(statistics.median(b - a for a, b in zip(off, on,
                                                                            strict=True)), 5),
                "mean_without_ms": round(statistics.fmean(off), 5),
                "mean_with_ms": round(statistics.fmean(on), 5)}

    digits = list(dict.fromkeys(t for p in pairs for t in (p["a"], p["b"])
                                if any(c.isdigit() for c in t)))
    codes: tuple[list[int], list[int]] = ([], [])
    for k, text in enumerate(digits):  # the filter's read of a text (once a row, a query)
        for nw in ((False, True) if k % 2 == 0 else (True, False)):
            start = clock()
            number_codes(text, forms, nw)
            codes[nw].append(clock() - start)
    every = medians(None)
    return {"how": f"thread CPU, {rounds} rounds, without and with NW alternated pair by pair "
                   "(the first of the two alternating), each pair's median of its rounds",
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in load_after],
            "every_pair": every, "refused_as_written": medians(refused),
            "codes": {"texts_with_a_digit": len(digits),
                      "without_ms": round(statistics.median(codes[0]) / 1e6, 5),
                      "with_ms": round(statistics.median(codes[1]) / 1e6, 5)},
            "pass": every["added_ms"] <= CPU_MS, "limit_ms": CPU_MS}


def decide(result: dict[str, Any]) -> str:
    checks = (result["a"]["pass"], result["b"]["pass"], result["c"]["pass"],
              result["cpu"]["pass"])
    return ("NW ships: cache.number_words on" if all(checks)
            else "NW does not ship: the check stays as it is (cache.number_words off)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=WORK,
                        help="the changed pairs and both runs' rows (gitignored)")
    parser.add_argument("--cpu-rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    pairs = every_pair()
    moving, counts = step1(pairs)
    print(f"{len(pairs)} pairs; step 1: {counts['all']}", flush=True)
    if counts["all"].get("made") or counts["all"].get("filter_made") or counts["all"].get(
            "filter_disagrees"):
        raise SystemExit("NW made a refusal, or its filter disagrees with its check")
    args.work.mkdir(parents=True, exist_ok=True)
    pairs_file = args.work / "changed.jsonl"
    pairs_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in moving),
                          encoding="utf-8")
    without = rows(pairs_file, False, args.work) if moving else []
    with_nw = rows(pairs_file, True, args.work) if moving else []
    losses = json.loads((args.work / "losses-with.json").read_text()) if moving else None
    floor = CacheConfig().verifier_floor if losses is None else losses["verifier"]["floor"]
    cut = 0.93 if losses is None else losses["verifier"]["min_probability"]
    result: dict[str, Any] = {
        "rule": RULE, "sets": [*SETS, "bench/cache_pairs/tune.jsonl",
                               "bench/cache_pairs/pairs.jsonl"],
        "floor": floor, "cut": cut,
        "verifier": None if losses is None else losses["verifier"],
        "step1": {"pairs": len(pairs), **counts,
                  "changes": [{k: p.get(k) for k in (
                      "set", "id", "kind", "label", "a", "b", "numbers_without",
                      "numbers_with", "left_out_without", "left_out_with")} for p in moving]},
        **compare(without, with_nw, floor, cut)}
    result["cpu"] = cpu(pairs, args.cpu_rounds)
    result["verdict"] = decide(result)
    result["run"] = run_record()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    for m in result["moved"]:
        print(f"  {m['set']} {m['id']} {m['kind']} label {m['label']}: {m['without']['stage']} "
              f"{'hit' if m['without']['hit'] else 'miss'} -> {m['with']['stage']} "
              f"{'hit' if m['with']['hit'] else 'miss'} (p {m['p']})\n    {m['a']!r}\n"
              f"    {m['b']!r}")
    print(f"(a) {result['a']}\n(b) {result['b']}\n(c) {result['c']}\ncpu {result['cpu']}\n"
          f"{result['verdict']}\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
