"""Where the semantic lookup loses paraphrases and passes negatives, stage by stage, on
named pair sets (default heldout1-9: data/heldout, data/heldout2 .. data/heldout9).

    .venv/bin/python bench/cache_losses.py                  # the loss table, heldout1-9
    .venv/bin/python bench/cache_losses.py --sets heldout9 heldout10 heldout11
    .venv/bin/python bench/cache_losses.py --list verifier  # also print those pairs
    .venv/bin/python bench/cache_losses.py --sets heldout9 pairs  # + bench/cache_pairs/heldout
    .venv/bin/python bench/cache_losses.py --root /some/dir --sets setA setB  # other folders
    .venv/bin/python bench/cache_losses.py --sets heldout9 --verifier-model cross [--cross-dir D]
    .venv/bin/python bench/cache_losses.py --sets heldout16 heldout17 --narrowing  # the check on
    .venv/bin/python bench/cache_losses.py --sets heldout22 --no-extra-ask  # that check off
    .venv/bin/python bench/cache_losses.py --sets heldout25 --own-case  # the own-case check on
    .venv/bin/python bench/cache_losses.py --sets heldout76 --extra-ask-first  # that one on
    .venv/bin/python bench/cache_losses.py --sets heldout73 --amount-forms  # session 31's forms
    .venv/bin/python bench/cache_losses.py --sets heldout84 --co-members  # session 33's rule CH
    .venv/bin/python bench/cache_losses.py --sets heldout96 --number-words  # session 36's NW
    .venv/bin/python bench/cache_losses.py --sets heldout18 heldout19 --floor 0.45  # tables there
    .venv/bin/python bench/cache_losses.py --sets heldout26 --synonyms  # the synonym form on
    .venv/bin/python bench/cache_losses.py --sets S --synonym-table DIR  # another table
    .venv/bin/python bench/cache_losses.py --sets heldout64 heldout65 --no-retrieval-map  # raw
    .venv/bin/python bench/cache_losses.py --sets heldout72 --retrieval-map M.npz  # another map

Sets are named as in ``bench/pair_sets.py`` (``heldoutN``, ``pairs``, a folder or file path,
or names under ``--root``). Each pair goes through ``probe`` (a cache holding only the
cached text: the path of ``llm-router cache-probe`` and ``bench/heldout_eval.py``, with the
catalog's ``cache.retrieval_map`` as they have it) once, at the loosest setting (floor 0,
any probability), which gives the stage that decides it at every floor and operating point:
the amounts-and-ids check (``numbers``), the respelling check (a hit, ``spelling.py``), the
similarity floor (``floor``: under it and not respelled), the verifier (its probability
against the operating point), and with ``--narrowing`` (or ``cache.narrowing``) the check
after it (``narrowing.py``), and the one after that unless ``--no-extra-ask``
(``cache.extra_ask``, on: ``extra_ask.py``), then with ``--extra-ask-first`` (or
``cache.extra_ask_first``) ``extra_ask.asks_first``, then with ``--own-case`` (or
``cache.own_case``) ``narrowing.own_case``, then with ``--co-members`` (or
``cache.co_members``) ``co_members.swapped`` (stage ``co_members``). The verifier's
probability is also read for pairs under the floor, so the table says what another floor
would gain and cost (``floor_sweep``; ``floor_adds``: per set and kind, the paraphrases each
lower floor finds and the negatives it passes beyond ``--floor``); each pair's stage is
checked against a probe at ``--floor`` (default ``cache.verifier_floor``) and the shipped
operating point.
"all" is every set given except ``pairs``' components. A one-entry cache cannot show what
the 5-candidate bound loses, nor how often another entry answers: that is
``bench/cache_shared.py``.

The similarity a row holds is the cosine the index floors by: with the catalog's retrieval
map (the default since session 28, as cache-probe) the mapped vectors' (the row says
``"retrieval_map"``: the weight's sha256, and ``raw_similarity``: the raw MiniLM cosine,
which the verifier and the checks after it read, as in the router); with
``--retrieval-map PATH`` another map's (a candidate's ``.npz``, as
``train/cache_retrieval/fit.py`` writes it); with
``--no-retrieval-map`` (or no map in the catalog) the raw cosine, and the row has no
``retrieval_map`` key (byte for byte the rows of before). **Rows made before this change
(session 28, "the per-pair benches follow the shipped map") are raw-cosine rows** whatever
they say: ``row.get("retrieval_map")`` is None for them, and ``stage(row, floor, cut)``
reads each file at the floor of the cosine it holds. The results file records the same
(``verifier.retrieval_map``: the sha256 or None). Writes ``bench/results/cache-losses.json``
(every pair's stage, similarity and probability:
``bench/results/local/cache-losses-pairs.jsonl``, gitignored) and prints markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

from embed_cache import embed_cached  # noqa: E402
from pair_sets import DEFAULT_SETS, load_sets  # noqa: E402
from run_record import run_record  # noqa: E402
from verifier_choice import add_arguments, load_chosen, ready  # noqa: E402

from llm_router.cache.co_members import shared_co_members, swapped  # noqa: E402
from llm_router.cache.extra_ask import asks_first, asks_more  # noqa: E402
from llm_router.cache.narrowing import NarrowingCheck, own_case, shared_narrowing  # noqa: E402
from llm_router.cache.policy import MatchPolicy  # noqa: E402
from llm_router.cache.probe import probe  # noqa: E402
from llm_router.cache.retrieval_map import RetrievalMap, shared_retrieval_map  # noqa: E402
from llm_router.cache.similarity import cosine  # noqa: E402
from llm_router.cache.synonyms import load, shared_synonyms  # noqa: E402
from llm_router.cache.verifier import Verifier  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402
from llm_router.embedding.minilm import MiniLMEmbedder  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "cache-losses.json"
PAIRS = HERE / "results" / "local" / "cache-losses-pairs.jsonl"  # every pair (gitignored)
FLOORS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
CHUNK = 500  # pairs whose texts are prepared in one batched pass (within the verifier's bound)
STAGES = ("respelling", "verifier", "numbers", "floor", "narrowing", "extra_ask",  # hit, hit,
          "extra_ask_first", "own_case", "co_members")  # lost


def trace(pairs: list[dict[str, Any]], embedder: MiniLMEmbedder, verifier: Verifier,
          shipped: MatchPolicy, retrieval_map: RetrievalMap | None = None
          ) -> list[dict[str, Any]]:
    """Per pair: ``similarity`` (the cosine the index floors by: with ``retrieval_map``
    the mapped vectors', and then ``raw_similarity`` and ``retrieval_map``, its sha256,
    too), ``numbers`` (the hard check refuses it), ``respelling``
    (the kinds, when the respelling check makes it a hit), ``p`` (the verifier's
    probability; None when the hard check refuses), ``narrowed`` (the shipped policy's
    narrowing check, if any, refuses it once the verifier passed it), ``more`` (the
    policy's ``extra_ask`` check, if on, refuses it then), ``first`` (likewise its
    ``extra_ask_first`` check; only where it is on), ``own`` (likewise its ``own_case``
    check). The verifier and the checks read the raw cosine, as in the
    router (``MatchPolicy.judge``'s ``cosine``)."""
    cached = embed_cached(embedder, [p["a"] for p in pairs])
    queries = embed_cached(embedder, [p["b"] for p in pairs])
    loose = MatchPolicy(0.0, True, verifier, 0.0, spelling=True, synonyms=shipped.synonyms,
                        short_forms=shipped.short_forms, amount_forms=shipped.amount_forms,
                        number_words=shipped.number_words)
    out = []
    for n, (pair, c, q) in enumerate(zip(pairs, cached, queries, strict=True)):
        if n % CHUNK == 0:  # the next pairs' states (nets) or scores (cross), batched
            ready(verifier, embedder, [(p["a"], p["b"]) for p in pairs[n:n + CHUNK]])
        r = probe(pair["a"], c, pair["b"], q, loose, retrieval_map)
        raw = r.similarity if retrieval_map is None else cosine(c, q)
        numbers = r.refused_by == "numbers"
        p = r.probability
        if r.respelling is not None:  # a respelled hit never asks the verifier: ask it here
            p = verifier.probability(pair["a"], pair["b"], raw)
        row = {"set": pair["set"], "id": pair.get("id"),
               "kind": pair["kind"], "label": pair["label"],
               "a": pair["a"], "b": pair["b"], "similarity": r.similarity,
               "numbers": numbers,
               "respelling": list(r.respelling) if r.respelling is not None else None, "p": p,
               "narrowed": narrowed(shipped.narrowing, verifier, pair, p, raw),
               "more": shipped.extra_ask and p is not None and asks_more(
                   verifier.view(pair["a"]), verifier.view(pair["b"]), pair["b"]),
               "own": shipped.own_case and p is not None and own_case(
                   verifier.view(pair["a"]), verifier.view(pair["b"]), pair["a"], pair["b"],
                   raw)}
        if shipped.extra_ask_first:  # only then: rows of before keep their bytes
            row["first"] = p is not None and asks_first(verifier.view(pair["a"]),
                                                        verifier.view(pair["b"]))
        if shipped.co_members is not None:  # only then: rows of before keep their bytes
            row["co"] = p is not None and swapped(pair["a"], pair["b"], shipped.co_members,
                                                  shipped.synonyms)
        if retrieval_map is not None:
            row.update(raw_similarity=raw, retrieval_map=retrieval_map.sha256)
        if stage(row, shipped.threshold, shipped.min_probability)[1] != probe(
                pair["a"], c, pair["b"], q, shipped, retrieval_map).hit:
            raise SystemExit(f"stage of {pair} disagrees with the shipped lookup")
        out.append(row)
    return out


def narrowed(check: NarrowingCheck | None, verifier: Verifier, pair: dict[str, Any],
             p: float | None, similarity: float) -> bool:
    """Whether ``check`` refuses the pair once the verifier passed it (False without one)."""
    if check is None or p is None:
        return False
    return check.refuses(verifier.view(pair["a"]), verifier.view(pair["b"]), pair["a"],
                         pair["b"], p, similarity)


# The checks after the verifier, in the lookup's order: a row's field that is true where the
# check refuses a pair the verifier passed, and the stage it is reported as (``stage``). Every
# reader of the rows that asks "does a check after the verifier refuse it?" reads ``VETOES``.
AFTER_VERIFIER = (("narrowed", "narrowing"), ("more", "extra_ask"), ("first", "extra_ask_first"),
                  ("own", "own_case"), ("co", "co_members"))
VETOES = tuple(field for field, _ in AFTER_VERIFIER)


def stage(row: dict[str, Any], floor: float, cut: float) -> tuple[str, bool]:
    """(the stage that decides the pair, hit) at this floor and operating point."""
    if row["numbers"]:
        return "numbers", False
    if row["respelling"] is not None:
        return "respelling", True
    if row["similarity"] < floor:
        return "floor", False
    if row["p"] >= cut:
        for field, name in AFTER_VERIFIER:
            if row.get(field):
                return name, False
    return "verifier", row["p"] >= cut


def table(rows: list[dict[str, Any]], floor: float, cut: float) -> dict[str, Any]:
    """Per set and kind: positives hit (by which stage) and lost (at which stage);
    negatives passed (by which stage)."""
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        where, hit = stage(r, floor, cut)
        cell = cells[f"{r['set']}:{'+' if r['label'] else '-'}{r['kind']}"]
        cell["n"] += 1
        cell[f"{'hit' if hit else 'lost'}:{where}"] += 1
    return {k: dict(v) for k, v in sorted(cells.items())}


def counts(rows: list[dict[str, Any]], floor: float, cut: float) -> dict[str, Any]:
    """The lookup's verdicts on ``rows`` at this floor and operating point (``stage``):
    paraphrases found (``hits`` of ``positives``, ``recall``) and negatives passed
    (``false_hits`` of ``negatives``, ``false_hit_rate``), unrounded. The rules of
    ``train/cache_verifier/cross_continue.py`` read these; ``rates`` reports them."""
    return verdicts(rows, lambda r: stage(r, floor, cut)[1])


def verdicts(rows: list[dict[str, Any]], hit: Callable[[dict[str, Any]], bool]
             ) -> dict[str, Any]:
    """``counts``' figures for any lookup: ``hit`` says whether it answers a row's pair."""
    pos = [hit(r) for r in rows if r["label"]]
    neg = [hit(r) for r in rows if not r["label"]]
    return {"recall": sum(pos) / max(len(pos), 1), "hits": sum(pos), "positives": len(pos),
            "false_hits": sum(neg), "negatives": len(neg),
            "false_hit_rate": sum(neg) / max(len(neg), 1)}


def rates(rows: list[dict[str, Any]], floor: float, cut: float) -> dict[str, Any]:
    """``counts`` as this bench's results hold them: rates rounded to 4 decimals,
    ``false_hits`` the rate and ``passed`` the count."""
    c = counts(rows, floor, cut)
    return {"recall": round(c["recall"], 4), "hits": c["hits"], "positives": c["positives"],
            "false_hits": round(c["false_hit_rate"], 4), "passed": c["false_hits"],
            "negatives": c["negatives"]}


def floor_adds(rows: list[dict[str, Any]], floor: float, cut: float) -> dict[str, Any]:
    """Per swept floor under ``floor``: per set and kind, the paraphrases it finds
    (``found``) and the negatives it passes (``passed``) that ``floor`` leaves under it."""
    out: dict[str, Any] = {}
    for lower in (f for f in FLOORS if f < floor):
        cells: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        for r in rows:
            if stage(r, lower, cut)[1] and not stage(r, floor, cut)[1]:
                cells[r["set"]][r["kind"]]["found" if r["label"] else "passed"] += 1
        out[f"{lower:.2f}"] = {name: {kind: dict(c) for kind, c in sorted(kinds.items())}
                               for name, kinds in sorted(cells.items())}
    return out


def sweep_point(rows: list[dict[str, Any]], independent: list[dict[str, Any]],
                names: list[str], floor: float, cut: float) -> dict[str, Any]:
    """Rates at one floor: the sets given together (``all``, ``pairs`` left out) and
    each set."""
    return {"all": rates(independent, floor, cut),
            **{name: rates([r for r in rows if r["set"] == name], floor, cut) for name in names}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS),
                        help="heldoutN, pairs, a folder or .jsonl path, or names under --root "
                             "(default heldout1-9)")
    parser.add_argument("--root", type=Path, default=None,
                        help="read bare set names as folders under this one")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--pairs-out", type=Path, default=PAIRS,
                        help="every pair's row (jsonl; default under bench/results/local/)")
    parser.add_argument("--list", nargs="*", default=None, choices=STAGES,
                        help="print the sets' missed positives and passed negatives at "
                             "these stages (all stages when given alone)")
    parser.add_argument("--floor", type=float, default=None,
                        help="the similarity floor the tables read (default: "
                             "cache.verifier_floor); the sweep covers the others")
    parser.add_argument("--narrowing", action="store_true",
                        help="with the narrowing check after the verifier (cache/narrowing.py), "
                             "whatever cache.narrowing says")
    parser.add_argument("--extra-ask", action=argparse.BooleanOptionalAction, default=None,
                        help="with (or without) the extra-ask check after the verifier "
                             "(cache/extra_ask.py); default: cache.extra_ask")
    parser.add_argument("--extra-ask-first", action=argparse.BooleanOptionalAction,
                        default=None, help="the further act first, then the cached ask "
                        "(cache/extra_ask.py asks_first); default: cache.extra_ask_first")
    parser.add_argument("--amount-forms", action=argparse.BooleanOptionalAction, default=None,
                        help="the hard check reads session 31's candidate forms "
                        "(quantities.amount_forms); default: cache.amount_forms")
    parser.add_argument("--number-words", action=argparse.BooleanOptionalAction, default=None,
                        help="the hard check reads numbers in words as the other text's "
                        "digits (rule NW, cache/number_words.py); default: cache.number_words")
    parser.add_argument("--co-members", action=argparse.BooleanOptionalAction, default=None,
                        help="with (or without) the co-member check after the verifier "
                             "(cache/co_members.py, rule CH); default: cache.co_members")
    parser.add_argument("--own-case", action=argparse.BooleanOptionalAction, default=None,
                        help="with (or without) the own-case check after the verifier "
                             "(cache/narrowing.py own_case); default: cache.own_case")
    parser.add_argument("--synonyms", action=argparse.BooleanOptionalAction, default=None,
                        help="with (or without) the respelling check's synonym form "
                             "(cache/synonyms.py); default: cache.synonyms")
    parser.add_argument("--synonym-table", type=Path, default=None,
                        help="the synonym form reads the table in this folder "
                             "(train/synonyms.py --out; default: the layer's)")
    parser.add_argument("--short-forms", action=argparse.BooleanOptionalAction, default=None,
                        help="with (or without) the respelling check's short-form form "
                             "(cache/short_forms.py); default: cache.short_forms")
    parser.add_argument("--no-retrieval-map", action="store_true",
                        help="rank and floor by the raw cosine, not the catalog's "
                             "cache.retrieval_map (the rows of before session 28)")
    parser.add_argument("--retrieval-map", type=Path, default=None,
                        help="rank and floor by this map (an .npz path), not the catalog's")
    add_arguments(parser)
    args = parser.parse_args()
    if args.retrieval_map is not None and args.no_retrieval_map:
        parser.error("--retrieval-map and --no-retrieval-map: one or the other")
    embedder = MiniLMEmbedder.load()
    model, verifier = load_chosen(args)
    config = CacheConfig()
    floor = config.verifier_floor if args.floor is None else args.floor
    extra_ask = config.extra_ask if args.extra_ask is None else args.extra_ask
    own = config.own_case if args.own_case is None else args.own_case
    first = config.extra_ask_first if args.extra_ask_first is None else args.extra_ask_first
    synonyms = config.synonyms if args.synonyms is None else args.synonyms
    short = config.short_forms if args.short_forms is None else args.short_forms
    forms = config.amount_forms if args.amount_forms is None else args.amount_forms
    co = config.co_members if args.co_members is None else args.co_members
    words = config.number_words if args.number_words is None else args.number_words
    cut = config.verifier_threshold or verifier.threshold
    named = config.retrieval_map
    if args.retrieval_map is not None:
        named = str(args.retrieval_map)
        if Path(named).name == named:
            named = f"./{named}"  # a file here, not the layer's map of that name
    retrieval_map = (None if named is None or args.no_retrieval_map
                     else shared_retrieval_map(named))
    rows = trace(load_sets(args.sets, args.root), embedder, verifier,
                 MatchPolicy(floor, True, verifier, cut, spelling=True,
                             rank_margin=config.verifier_rank_margin,
                             narrowing=shared_narrowing()
                             if args.narrowing or config.narrowing else None,
                             extra_ask=extra_ask, own_case=own,
                             extra_ask_first=first,
                             synonyms=None if not synonyms else shared_synonyms()
                             if args.synonym_table is None else load(args.synonym_table),
                             short_forms=short, amount_forms=forms,
                             co_members=shared_co_members() if co else None,
                             number_words=words), retrieval_map)
    names = list(dict.fromkeys(r["set"] for r in rows))
    by_set = {name: rates([r for r in rows if r["set"] == name], floor, cut) for name in names}
    independent = [r for r in rows if not r["set"].startswith("pairs:")]
    result = {
        "verifier": {"model": model, "sha256": verifier.meta["sha256"],
                     "min_probability": cut, "floor": floor,
                     "narrowing": args.narrowing or config.narrowing,
                     "extra_ask": extra_ask, "own_case": own, "synonyms": synonyms,
                     "short_forms": short,
                     **({"extra_ask_first": True} if first else {}),
                     **({"amount_forms": True} if forms else {}),
                     **({"co_members": True} if co else {}),
                     **({"number_words": True} if words else {}),
                     # cache.verifier_order_band (--order-band): the rows' p read both ways
                     **({"order_band": band[1]} if (band := getattr(
                         getattr(verifier, "encoder", None), "band", None)) else {}),
                     # the weight sha256 of the map ``similarity`` is mapped by; None: raw
                     "retrieval_map": None if retrieval_map is None else retrieval_map.sha256,
                     **({} if args.synonym_table is None
                        else {"synonym_table": str(args.synonym_table)})},
        "sets": args.sets,
        "all": rates(independent, floor, cut),  # every set given but ``pairs``
        "by_set": by_set,
        "by_kind": table(rows, floor, cut),
        "floor_sweep": {f"{f:.2f}": sweep_point(rows, independent, names, f, cut)
                        for f in FLOORS},
        "floor_adds": floor_adds(rows, floor, cut),
        "run": run_record(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    args.pairs_out.parent.mkdir(parents=True, exist_ok=True)
    args.pairs_out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                              encoding="utf-8")
    report(result, independent, floor, cut, args.list)
    print(f"\nwrote {args.out} and {args.pairs_out}")
    return 0


def given(result: dict[str, Any]) -> str:
    """What "all" holds: the sets given, ``pairs``' components left out."""
    return " + ".join(n for n in result["by_set"] if not n.startswith("pairs:"))


def report(result: dict[str, Any], rows: list[dict[str, Any]], floor: float, cut: float,
           listed: list[str] | None) -> None:
    mapped = result["verifier"]["retrieval_map"]
    print(f"sets {', '.join(result['sets'])}; verifier {result['verifier']['model']}, "
          f"floor {floor}, p >= {cut:.3f}; similarity: "
          f"{'raw cosine' if mapped is None else 'mapped by ' + mapped[:8]}\n")
    print("| set | recall | false hits |\n|---|---|---|")
    for name, r in {**result["by_set"], "all": result["all"]}.items():
        print(f"| {name} | {r['recall']:.1%} ({r['hits']}/{r['positives']}) | "
              f"{r['false_hits']:.1%} ({r['passed']}/{r['negatives']}) |")
    for label, title in ((1, "positives: where each is lost"), (0, "negatives: what passes")):
        kinds: dict[str, Counter[str]] = defaultdict(Counter)
        for r in rows:
            if r["label"] == label:
                where, hit = stage(r, floor, cut)
                kinds[r["kind"]]["n"] += 1
                kinds[r["kind"]][f"{'hit' if hit else 'lost'}:{where}"] += 1
        print(f"\n{title} ({given(result)})\n")
        print("| kind | n | hit: respelled | hit: verifier | lost: numbers | lost: floor | "
              "lost: verifier | lost: narrowing | lost: extra_ask | lost: extra_ask_first | "
              "lost: own_case | lost: co_members |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|")
        for kind, c in sorted(kinds.items()):
            print(f"| {kind} | {c['n']} | {c['hit:respelling']} | {c['hit:verifier']} | "
                  f"{c['lost:numbers']} | {c['lost:floor']} | {c['lost:verifier']} | "
                  f"{c['lost:narrowing']} | {c['lost:extra_ask']} | "
                  f"{c['lost:extra_ask_first']} | {c['lost:own_case']} | "
                  f"{c['lost:co_members']} |")
    names = [n for n in next(iter(result["floor_sweep"].values())) if n != "all"]
    plain = [n for n in names if not n.startswith("pairs:")]
    shown = ["all", *(plain if len(plain) <= 4 else plain[-1:]),
             *(n for n in names if n.startswith("pairs:"))]
    print(f"\nfloor sweep: recall / false hits (all = {given(result)}; the respelling check "
          "has no floor)\n")
    print("| floor | " + " | ".join(shown) + " |")
    print("|---" * (len(shown) + 1) + "|")
    for f, point in result["floor_sweep"].items():
        print(f"| {f} | " + " | ".join(
            f"{point[n]['recall']:.1%} ({point[n]['hits']}) / {point[n]['false_hits']:.2%} "
            f"({point[n]['passed']})" for n in shown) + " |")
    adds = result["floor_adds"]
    if adds:
        added: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        for f, by_set in adds.items():
            for name, by_kind in by_set.items():
                if not name.startswith("pairs:"):
                    for kind, c in by_kind.items():
                        added[kind][f].update(c)
        print(f"\nwhat each lower floor adds to {floor} ({given(result)}): paraphrases found "
              "/ negatives passed, per kind\n")
        print("| kind | " + " | ".join(adds) + " |\n" + "|---" * (len(adds) + 1) + "|")
        for kind, by_floor in sorted(added.items()):
            print(f"| {kind} | " + " | ".join(
                f"+{by_floor[f]['found']} / +{by_floor[f]['passed']}" for f in adds) + " |")
    if listed is None:
        return
    wanted = set(listed or STAGES)
    print()
    for r in rows:
        where, hit = stage(r, floor, cut)
        if where in wanted and hit != bool(r["label"]):
            what = "FALSE HIT" if hit else "missed"
            print(f"{r['set']} {r['id']} {r['kind']} {what} at {where}: sim {r['similarity']} "
                  f"p {r['p']} {r['respelling'] or ''}\n    {r['a']!r}\n    {r['b']!r}")


if __name__ == "__main__":
    raise SystemExit(main())
