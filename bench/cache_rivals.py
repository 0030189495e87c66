"""Several entries pass for one query: which should answer? Every candidate a shared-cache
lookup judges, scored once, then the lookup's choice replayed under candidate rules.

    .venv/bin/python bench/cache_rivals.py --sets heldout9 heldout10 heldout11 heldout12 heldout13
    .venv/bin/python bench/cache_rivals.py --rows bench/results/local/cache-rivals.jsonl --replay

``bench/cache_shared.py`` builds one tenant's index (the sets' cached texts plus Quora
questions up to ``--entries``) and books who answered each pair's query. Here the same
index is read once per query: its ``--widen-to`` nearest candidates (the hard check's
refusals left out, as ``TenantIndex.search`` does), each with its similarity, whether the
respelling check passes it, what refuses it before the verifier and, over the floor, the
verifier's stacked probability (one batched pass, as a lookup pays; the respelling check
without the synonym form, and none of the checks after the verifier: the rules compare the
verifier's readings). A rule then picks
the answering entry from those rows without running a model again:

- ``first``: the nearest candidate that passes (``search`` as shipped before session 11);
- ``best``: the passing candidate of highest probability;
- ``margin:M``: ``best``, answering only when its logit clears the cut's by
  ``M * ln(n)``, n the candidates the verifier judged (one candidate: the plain cut);
- ``seq:M``: nearest first, as ``first``, the i-th candidate the verifier judged (from
  0) answering only when its logit clears the cut's by ``M * ln(i + 1)``;
- ``step:X``: as ``seq``, every candidate after the first judged needing ``X`` more;
- ``tie:D``: ``best``, refusing when a second passing candidate's logit is within ``D``
  of it (the two entries may be paraphrases of each other: not read here).

Per rule and per set (and ``all``), as ``cache_shared.py`` counts: positives answered by
their own entry / another; negatives answered (their pair's entry: a false hit, or
another: right / wrong / unknown by ``pair_sets.PairGroups``; ``known_wrong``); with
``--hand`` (jsonl rows of query, answered, judged: right / wrong / doubtful, as
``bench/results/cache-shared-labels-heldout9-11-cross.jsonl``), another entry's answers
to negatives by those hand labels too (``hand_wrong``, ``hand_doubtful``, ``unread``).
Writes ``--out`` (json) and every query's candidates to ``--rows`` (gitignored).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

from cache_shared import FOREVER, entries, nets_part  # noqa: E402
from embed_cache import embed_cached  # noqa: E402
from pair_sets import PairGroups, load_sets  # noqa: E402
from run_record import run_record  # noqa: E402
from verifier_choice import add_arguments, load_chosen  # noqa: E402

from llm_router.cache.entry import IndexRecord  # noqa: E402
from llm_router.cache.index import TenantIndex  # noqa: E402
from llm_router.cache.pair_features import number_codes  # noqa: E402
from llm_router.cache.policy import MatchPolicy, logit  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402
from llm_router.embedding.minilm import MiniLMEmbedder  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "cache-rivals.json"
ROWS = HERE / "results" / "local" / "cache-rivals.jsonl"
RULES = ["first", "best", "margin:1", "margin:2", "tie:1", "seq:1", "seq:2", "seq:3", "seq:4",
         "seq:6", "step:2", "step:4", "step:99"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+",
                        default=[f"heldout{n}" for n in range(9, 14)])
    parser.add_argument("--root", type=Path, default=None)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--floor", type=float, default=None,
                        help="similarity floor (default: CacheConfig's verifier_floor)")
    parser.add_argument("--widen-to", type=int, default=5)
    parser.add_argument("--rules", nargs="+", default=RULES)
    parser.add_argument("--choose", nargs="+", default=None,
                        help="sets the rule is chosen on (reported apart from the rest)")
    parser.add_argument("--hand", type=Path, nargs="*", default=[],
                        help="hand labels of other entries' answers (jsonl)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--rows", type=Path, default=ROWS)
    parser.add_argument("--replay", action="store_true",
                        help="read --rows instead of scoring (no model loaded)")
    add_arguments(parser)
    args = parser.parse_args()
    started = time.monotonic()
    if args.replay:
        head, *rows = read_jsonl(args.rows)
    else:
        head, rows = score(args)
        args.rows.parent.mkdir(parents=True, exist_ok=True)
        args.rows.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                     for r in [head, *rows]), encoding="utf-8")
    pairs = load_sets(head["sets"], args.root)
    groups = PairGroups(pairs)
    hand = {}
    for path in args.hand:
        for r in read_jsonl(path):
            hand[(r["query"], r["answered"])] = r["judged"]
    cut = logit(head["min_probability"])
    result: dict[str, Any] = {"sets": head["sets"], "verifier": head["verifier"],
                              "min_probability": head["min_probability"],
                              "floor": head["floor"], "widen_to": head["widen_to"],
                              "entries": head["entries"], "choose": args.choose,
                              "character": character(rows, groups, cut, hand),
                              "rules": {}}
    names = list(dict.fromkeys(p["set"] for p in pairs))
    parts = {"all": names}
    if args.choose:
        parts = {"choose": [n for n in names if n in args.choose],
                 "confirm": [n for n in names if n not in args.choose], "all": names}
    for rule in args.rules:
        picked = {r["query"]: pick(r["candidates"], rule, cut) for r in rows}
        view = {name: tally(rows, picked, groups, hand, [name]) for name in names}
        view.update({name: tally(rows, picked, groups, hand, sets)
                     for name, sets in parts.items()})
        result["rules"][rule] = view
    print_tables(result, list(parts))
    result["timings"] = {**run_record(), "wall_s": round(time.monotonic() - started, 1),
                         "scored_s": head.get("scored_s")}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {args.out}")
    return 0


def score(args: argparse.Namespace) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every query's candidates, scored (see the module's docstring)."""
    started = time.monotonic()
    embedder = MiniLMEmbedder.load()
    model, verifier = load_chosen(args)
    nets = nets_part(verifier)
    if nets is not None:
        nets._prepared.budget = 1 << 31  # every text prepared once: a bench only
    config = CacheConfig()
    cut = config.verifier_threshold or verifier.threshold
    floor = config.verifier_floor if args.floor is None else args.floor
    policy = MatchPolicy(floor, True, verifier, cut)
    pairs = load_sets(args.sets, args.root)
    texts = entries(pairs, args.entries)
    by_query: dict[str, list[dict[str, Any]]] = {}
    for p in pairs:
        by_query.setdefault(p["b"], []).append(p)
    vectors = dict(zip(texts, embed_cached(embedder, texts), strict=True))
    vectors.update(zip(by_query, embed_cached(embedder, list(by_query)), strict=True))
    index = TenantIndex(capacity=len(texts))
    own_key = {}
    for i, text in enumerate(texts):
        index.add(IndexRecord(f"e{i}", "ctx", text, vectors[text], FOREVER, ""))
        own_key[text] = f"e{i}"
    print(f"{len(texts)} entries, {len(pairs)} pairs ({len(by_query)} queries); {model}",
          flush=True)
    rows = []
    for n, (query, its_pairs) in enumerate(by_query.items()):
        if n % 500 == 0:
            print(f"  {n}/{len(by_query)} queries", flush=True)
        own = own_key.get(query)
        if own is not None:
            index.remove(own)
        numbers = number_codes(query, policy.amount_forms) if policy.filters_numbers else None
        nearest = index.nearest(vectors[query], "ctx", 0, args.widen_to, numbers,
                                forms=policy.amount_forms)
        over = [index.text(row) for row, s in nearest if s >= floor]
        policy.before_judging([(query, cached) for cached in over])
        candidates = []
        for row, similarity in nearest:
            cached = index.text(row)
            respelled = policy.respelled(similarity, cached, query)
            c: dict[str, Any] = {"text": cached, "similarity": round(similarity, 4),
                                 "respelled": None if respelled is None else respelled.hit}
            if similarity >= floor:
                verdict = policy.judge(similarity, None, None, cached, query)
                c["refused_by"] = verdict.refused_by
                c["p"] = verdict.probability
            candidates.append(c)
        rows.append({"query": query, "pairs": [
            {"set": p["set"], "id": p.get("id"), "a": p["a"], "label": p["label"],
             "kind": p["kind"]} for p in its_pairs], "candidates": candidates})
        if own is not None:
            index.add(IndexRecord(own, "ctx", query, vectors[query], FOREVER, ""))
    head = {"sets": args.sets, "verifier": {"model": model, "sha256": verifier.meta["sha256"]},
            "min_probability": cut, "floor": floor, "widen_to": args.widen_to,
            "entries": len(texts), "scored_s": round(time.monotonic() - started, 1)}
    return head, rows


def passes(c: dict[str, Any]) -> bool:
    return c.get("p") is not None and c.get("refused_by") is None


def pick(candidates: list[dict[str, Any]], rule: str, cut: float) -> str | None:
    """The entry that answers under ``rule`` (None: a miss)."""
    for c in candidates:  # the respelling check first, in every rule
        if c["respelled"]:
            return str(c["text"])
    over = [c for c in candidates if "refused_by" in c]
    passing = [c for c in over if passes(c)]
    if not passing:
        return None
    if rule == "first":
        return str(passing[0]["text"])
    name, _, value = rule.partition(":")
    if name in ("seq", "step"):  # nearest first; the i-th candidate judged clears more
        judged = [c for c in over if c.get("p") is not None]
        for i, c in enumerate(judged):
            bar = (float(value) * math.log(i + 1) if name == "seq"
                   else float(value) if i else 0.0)
            if passes(c) and logit(c["p"]) >= cut + bar:
                return str(c["text"])
        return None
    ranked = sorted(passing, key=lambda c: -float(c["p"]))
    best = ranked[0]
    if name == "margin":
        read = sum(c.get("p") is not None for c in over)
        if logit(best["p"]) < cut + float(value) * math.log(read):
            return None
    elif name == "tie":
        if len(ranked) > 1 and logit(best["p"]) - logit(ranked[1]["p"]) < float(value):
            return None
    elif name != "best":
        raise ValueError(f"unknown rule {rule!r}")
    return str(best["text"])


def tally(rows: list[dict[str, Any]], picked: dict[str, str | None], groups: PairGroups,
          hand: dict[tuple[str, str], str], sets: list[str]) -> dict[str, Any]:
    pos: Counter[str] = Counter()
    neg: Counter[str] = Counter()
    for r in rows:
        answered = picked[r["query"]]
        for p in r["pairs"]:
            if p["set"] not in sets:
                continue
            c = pos if p["label"] else neg
            c["n"] += 1
            if answered is None:
                c["none"] += 1
            elif answered == p["a"]:
                c["own"] += 1
            else:
                c["another"] += 1
                c["another_" + groups.relation(answered, r["query"])] += 1
                if not p["label"]:
                    c["hand_" + hand.get((r["query"], answered), "unread")] += 1
    neg["answered"] = neg["own"] + neg["another"]
    neg["known_wrong"] = neg["own"] + neg["another_wrong"]
    return {"positives": dict(pos), "negatives": dict(neg)}


def character(rows: list[dict[str, Any]], groups: PairGroups, cut: float,
              hand: dict[tuple[str, str], str]) -> dict[str, Any]:
    """Of the lookups as shipped (``first``) where another entry answered: the answer's
    logit over the cut, the candidates over the floor and passing, the similarity gap to
    the runner-up, and where the pair's own entry stood."""
    out: dict[str, list[dict[str, Any]]] = {"negatives": [], "positives": []}
    for r in rows:
        answered = pick(r["candidates"], "first", cut)
        if answered is None:
            continue
        cands = r["candidates"]
        over = [c for c in cands if "refused_by" in c]
        passing = [c for c in over if passes(c)]
        at = next(i for i, c in enumerate(cands) if c["text"] == answered)
        for p in r["pairs"]:
            if answered == p["a"]:
                continue
            own = next((c for c in cands if c["text"] == p["a"]), None)
            chosen = cands[at]
            out["positives" if p["label"] else "negatives"].append({
                "set": p["set"], "id": p["id"],
                "relation": groups.relation(answered, r["query"]),
                "hand": hand.get((r["query"], answered)),
                "respelled": bool(chosen["respelled"]),
                "margin": None if chosen.get("p") is None
                else round(logit(chosen["p"]) - cut, 2),
                "rank": at, "over_floor": len(over), "passing": len(passing),
                "judged": sum(c.get("p") is not None for c in over),
                "gap": round(chosen["similarity"] - max(
                    (c["similarity"] for c in cands if c is not chosen), default=0.0), 4),
                "own_candidate": own is not None,
                "own_margin": None if own is None or own.get("p") is None
                else round(logit(own["p"]) - cut, 2),
                "own_passes": own is not None and passes(own)})
    summary = {}
    for side, items in out.items():
        margins = sorted(i["margin"] for i in items if i["margin"] is not None)
        summary[side] = {
            "n": len(items), "relation": dict(Counter(i["relation"] for i in items)),
            "hand": dict(Counter(str(i["hand"]) for i in items)),
            "respelled": sum(i["respelled"] for i in items),
            "margin_quartiles": [margins[int(q * (len(margins) - 1))]
                                 for q in (0, .25, .5, .75, 1)] if margins else [],
            "margin_under_2": sum(m < 2 for m in margins),
            "judged": dict(sorted(Counter(i["judged"] for i in items).items())),
            "passing": dict(sorted(Counter(i["passing"] for i in items).items())),
            "rank": dict(sorted(Counter(i["rank"] for i in items).items())),
            "own_candidate": sum(i["own_candidate"] for i in items),
            "own_passes": sum(i["own_passes"] for i in items)}
    return {"summary": summary, "items": out}


def print_tables(result: dict[str, Any], parts: list[str]) -> None:
    print("\nanother entry answered, as shipped (first passing by similarity):")
    for side, s in result["character"]["summary"].items():
        print(f"  {side}: {json.dumps(s)}")
    print("\n| rule | part | + own | + another (r/w/?) | - answered | - another (r/w/?) | "
          "- known wrong | - hand wrong / doubtful / unread |\n|---|---|---|---|---|---|---|---|")
    for rule, view in result["rules"].items():
        for part in parts:
            pos, neg = view[part]["positives"], view[part]["negatives"]
            print(f"| {rule} | {part} | {pos.get('own', 0)}/{pos.get('n', 0)} | "
                  f"{pos.get('another', 0)} ({pos.get('another_right', 0)}/"
                  f"{pos.get('another_wrong', 0)}/{pos.get('another_unknown', 0)}) | "
                  f"{neg.get('answered', 0)}/{neg.get('n', 0)} | {neg.get('another', 0)} "
                  f"({neg.get('another_right', 0)}/{neg.get('another_wrong', 0)}/"
                  f"{neg.get('another_unknown', 0)}) | {neg.get('known_wrong', 0)} | "
                  f"{neg.get('hand_wrong', 0)} / {neg.get('hand_doubtful', 0)} / "
                  f"{neg.get('hand_unread', 0)} |")


if __name__ == "__main__":
    raise SystemExit(main())
