"""Three small checks behind docs/cache-history.md's Session 25 sections (H1 and M5).

    .venv/bin/python bench/session25_checks.py rows AFTER-pairs.jsonl BEFORE-pairs.jsonl
    .venv/bin/python bench/session25_checks.py saved          # H1: what the second call cost
    .venv/bin/python bench/session25_checks.py plural --fired /tmp/m5-fired.jsonl

``rows``: two ``cache_losses.py --pairs-out`` files row by row: byte-identical lines, rows
that differ outside ``similarity`` (and by how much it differs), and each pair's stage and
verdict (``cache_losses.stage``) at the shipped floor and cut. ``saved``: one
``MatchPolicy._refused_before_model`` call with both texts' views kept (as ``judge`` met it
after ``before_judging``), on the (query, candidate) pairs ``stack_cost.py`` reads, 20 times
each. ``plural``: M5's respelling piece, which ``month_rule.py fire`` could not see before
``old_modules`` gave the old ``spelling`` the old ``plural_s``: every text of D37 and its
others whose ``plural_s`` differs between e73fe20 and this tree, whose reading differs, any
not among ``--fired``'s texts; and ``plural_s``'s added CPU on D31's texts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

from cache_losses import stage  # noqa: E402

FLOOR, CUT = 0.5, 0.855177


def rows(after: Path, before: Path) -> None:
    a = after.read_text(encoding="utf-8").splitlines()
    b = before.read_text(encoding="utf-8").splitlines()
    if len(a) != len(b):
        raise SystemExit(f"{len(a)} rows against {len(b)}")
    other = stages = verdicts = 0
    dsim = 0.0
    for x, y in zip(a, b, strict=True):
        rx, ry = json.loads(x), json.loads(y)
        if {k: v for k, v in rx.items() if k != "similarity"} != {
                k: v for k, v in ry.items() if k != "similarity"}:
            other += 1
        dsim = max(dsim, abs(rx["similarity"] - ry["similarity"]))
        sx, sy = stage(rx, FLOOR, CUT), stage(ry, FLOOR, CUT)
        stages += sx != sy
        verdicts += sx[1] != sy[1]
    print(f"{len(a)} rows, {sum(x == y for x, y in zip(a, b, strict=True))} byte-identical, "
          f"{other} differ outside similarity, max |d similarity| {dsim:.2e}, "
          f"{stages} stages and {verdicts} verdicts differ")


def timed(call: Callable[..., Any], *given: Any, repeats: int = 10) -> float:
    started = time.process_time()
    for _ in range(repeats):
        call(*given)
    return (time.process_time() - started) / repeats


def saved() -> None:
    from stack_cost import PAIRS, build

    from llm_router.cache.policy import MatchPolicy
    from train.cache_verifier.pairs import read_jsonl

    pairs = read_jsonl(PAIRS)[:120]
    verifier = build("cross")
    policy = MatchPolicy(0.0, True, verifier, verifier.threshold, spelling=False)
    per = []
    for i in range(len(pairs) - 5):
        for j in range(5):
            args = (pairs[i + j]["a"], pairs[i]["b"])
            policy._refused_before_model(*args)  # the views built and kept
            per.append(1000 * timed(policy._refused_before_model, *args, repeats=20))
    print(f"{len(per)} pairs: CPU ms median {statistics.median(per):.4f}, mean "
          f"{statistics.mean(per):.4f}, p90 {statistics.quantiles(per, n=10)[-1]:.4f}")


def plural(fired: Path) -> None:
    import month_rule
    from extra_ask_rule import others
    from pair_sets import load_sets

    from llm_router.cache import quantities, spelling

    candidate = month_rule.CANDIDATES["M5"]
    old_q, old_s = month_rule.old_modules(candidate.base)
    pairs = load_sets(list(candidate.decision)) + others(candidate.decision)
    texts = list(dict.fromkeys(t for p in pairs for t in (p["a"], p["b"])))
    found = {t for line in fired.read_text(encoding="utf-8").splitlines()
             for t in (json.loads(line)["a"], json.loads(line)["b"])}
    differ = [t for t in texts if old_q.plural_s(t) != quantities.plural_s(t)]
    read = [t for t in differ
            if repr(old_s.reading.__wrapped__(t)) != repr(spelling.reading.__wrapped__(t))]
    print(f"{len(pairs)} pairs, {len(texts)} texts; plural_s differs on {len(differ)}, the "
          f"respelling reading on {len(read)}; not among the fired pairs' texts: "
          f"{[t for t in differ if t not in found]}")
    d31 = list(dict.fromkeys(t for p in load_sets(list(month_rule.D31))
                             for t in (p["a"], p["b"])))
    added = [1000 * (timed(quantities.plural_s, t) - timed(old_q.plural_s, t)) for t in d31]
    print(f"plural_s added CPU on {len(d31)} D31 texts, ms: median "
          f"{statistics.median(added):.5f}, p90 {statistics.quantiles(added, n=10)[-1]:.5f}, "
          f"max {max(added):.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("rows")
    r.add_argument("after", type=Path)
    r.add_argument("before", type=Path)
    sub.add_parser("saved")
    p = sub.add_parser("plural")
    p.add_argument("--fired", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "rows":
        rows(args.after, args.before)
    elif args.command == "saved":
        saved()
    else:
        plural(args.fired)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
