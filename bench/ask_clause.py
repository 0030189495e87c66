"""Retrieval by the asking clause, per pair (session 31, exploration): for a query that
tells a case and then asks ("My son lives in Rotterdam; would you be able to post our tea
to him there?"), a second MiniLM vector of its asking clause alone
(``narrowing.asking_clause``), through the retrieval map, may reach the similarity floor
where the whole text's does not. The verifier still reads the whole query.

Rows come from ``bench/cache_losses.py --pairs-out`` (the retrieval map's rows: ``a`` is the
cached text, ``b`` the query; ``similarity`` the whole texts' mapped cosine, ``p`` the
verifier's probability of the whole pair, read under the floor too). Per variant a pair's
new verdict is ``cache_losses.stage`` of its row with ``similarity`` = the largest of the
whole texts' mapped cosine and the variant's other cosines (mapped vectors, MiniLM batch 1
as the lookup embeds, ``MiniLMEmbedder.embed_one``):

- ``query``: the query's asking clause, to its sentence's end, against the cached text;
- ``query_clause``: the same cut at the clause's end (``to_sentence_end=False``);
- ``both``: ``query`` plus the cached text's asking clause against the whole query and
  against the query's asking clause (an entry that tells a case: a second row an entry).

Per set and kind: queries (and cached texts) with an asking clause of their own, the
paraphrases each variant finds that the shipped lookup does not (``found``), the negatives
it passes (``passed``; none is lost: the similarity only rises), and the paraphrases still
lost under the floor. ``--list`` prints every pair a variant changes. Session 31's run::

    .venv/bin/python bench/ask_clause.py \\
        --rows /work/base/m29-{P4,D58,D60,D62,D64,D66,D68}-a1ee7c5-pairs.jsonl \\
        /work/base/m30-{D70,D74}-6858d08-pairs.jsonl \\
        /work/base/m31-{D72,D76}-833a372-pairs.jsonl \\
        --quora /work/base/m29-quora-a1ee7c5-pairs.jsonl \\
        --out bench/results/ask-clause-session31.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "layers" / "core")]

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
from cache_losses import stage  # noqa: E402
from pair_sets import RESERVED  # noqa: E402
from pooled_curve import read_rows  # noqa: E402
from refusal_families import read_jsonl  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache.narrowing import asking_clause  # noqa: E402

SHIPPED = (0.5, 0.916959)  # cache.verifier_floor, cross.json's threshold (S5; S10 at 0.93 since
# session 35: the rows this reads are S5's)
VARIANTS = ("query", "query_clause", "both")
# The mapped vectors embedded here, kept for a rerun (gitignored)
KEPT = HERE / "results" / "local" / "ask-clause-vectors.npz"
Vector = npt.NDArray[np.float32]


def cosines(row: dict[str, Any], mapped: Callable[[str], Vector]) -> dict[str, float]:
    """The pair's other mapped cosines, by name (absent: that side has no asking clause):
    ``ask`` (the query's asking clause to its sentence's end / the cached text),
    ``ask_clause`` (the clause alone / the cached text), ``cached_ask`` (the query / the
    cached text's asking clause), ``ask_ask`` (the two asking clauses)."""
    cached, query = row["a"], row["b"]
    out: dict[str, float] = {}
    ask, clause, cached_ask = (asking_clause(query), asking_clause(query, False),
                               asking_clause(cached))
    if ask is not None:
        out["ask"] = float(mapped(ask) @ mapped(cached))
    if clause is not None:
        out["ask_clause"] = float(mapped(clause) @ mapped(cached))
    if cached_ask is not None:
        out["cached_ask"] = float(mapped(query) @ mapped(cached_ask))
        if ask is not None:
            out["ask_ask"] = float(mapped(ask) @ mapped(cached_ask))
    return out


def similarity(row: dict[str, Any], variant: str) -> float:
    """The cosine the floor reads under ``variant`` (``row["cos"]``: ``cosines``)."""
    names = {"shipped": (), "query": ("ask",), "query_clause": ("ask_clause",),
             "both": ("ask", "cached_ask", "ask_ask")}[variant]
    return max([row["similarity"], *(row["cos"][n] for n in names if n in row["cos"])])


def verdicts(row: dict[str, Any], floor: float, cut: float) -> dict[str, tuple[str, bool]]:
    """The shipped stage and each variant's (``stage`` with the variant's similarity)."""
    out = {"shipped": stage(row, floor, cut)}
    for variant in VARIANTS:
        out[variant] = stage({**row, "similarity": similarity(row, variant)}, floor, cut)
    return out


def tally(rows: list[dict[str, Any]], floor: float, cut: float) -> dict[str, Any]:
    """Per set and kind (and pooled): pairs, queries and cached texts with an asking
    clause, per variant paraphrases found and negatives passed that the shipped verdict
    does not, and the paraphrases lost at the floor, shipped and per variant."""
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        v = verdicts(r, floor, cut)
        sign = "+" if r["label"] else "-"
        for key in (f"{r['set']}:{sign}{r['kind']}", f"{group(r)}:{sign}all"):
            c = cells[key]
            c["n"] += 1
            c["query_ask"] += "ask" in r["cos"]
            c["query_ask_clause"] += "ask_clause" in r["cos"]
            c["cached_ask"] += "cached_ask" in r["cos"]
            c["hit:shipped"] += v["shipped"][1]
            c["floor:shipped"] += v["shipped"][0] == "floor" and bool(r["label"])
            for variant in VARIANTS:
                hit = v[variant][1]
                c[f"hit:{variant}"] += hit
                if hit and not v["shipped"][1]:
                    c[f"{'found' if r['label'] else 'passed'}:{variant}"] += 1
                if not hit and v["shipped"][1]:
                    c[f"removed:{variant}"] += 1  # never: the similarity only rises
                c[f"floor:{variant}"] += v[variant][0] == "floor" and bool(r["label"])
    return {k: dict(v) for k, v in sorted(cells.items())}


def group(row: dict[str, Any]) -> str:
    """Quora's pairs apart from the writers'."""
    return "quora" if row["set"].startswith("pairs:") else "writers"


def changed(rows: list[dict[str, Any]], floor: float, cut: float) -> list[dict[str, Any]]:
    """Every pair a variant's verdict differs on from the shipped one, with its cosines."""
    out = []
    for r in rows:
        v = verdicts(r, floor, cut)
        moved = [name for name in VARIANTS if v[name][1] != v["shipped"][1]]
        if moved:
            out.append({"set": r["set"], "id": r["id"], "kind": r["kind"], "label": r["label"],
                        "cached": r["a"], "query": r["b"], "variants": moved,
                        "similarity": round(r["similarity"], 4), "p": r["p"],
                        "ask": asking_clause(r["b"]), "cached_ask": asking_clause(r["a"]),
                        **{f"cos_{k}": round(x, 4) for k, x in r["cos"].items()}})
    return out


def still_lost(rows: list[dict[str, Any]], floor: float, cut: float, variant: str
               ) -> dict[str, Any]:
    """The paraphrases still lost at the floor under ``variant``: per kind, how many have
    an asking clause, how many the verifier would pass if they reached the floor
    (``p`` >= cut), and the mapped cosine's quartiles."""
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["label"] and group(r) == "writers" and verdicts(r, floor, cut)[variant][0] == "floor":
            kinds[r["kind"]].append(r)
    out = {}
    for kind, lost in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        sims = np.asarray([similarity(r, variant) for r in lost])
        out[kind] = {"n": len(lost), "query_ask": sum("ask" in r["cos"] for r in lost),
                     "p_over_cut": sum(r["p"] is not None and r["p"] >= cut for r in lost),
                     "similarity_quartiles": [round(float(q), 3) for q in
                                              np.quantile(sims, [0.25, 0.5, 0.75])]}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=Path, nargs="+", required=True,
                        help="cache_losses.py --pairs-out rows of the writers' sets")
    parser.add_argument("--quora", type=Path, default=None, help="the same of --sets pairs")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--list", action="store_true", help="print every changed pair")
    args = parser.parse_args()
    # Quora's rows have no id (``read_rows`` would keep one a set): read every row of them
    rows = read_rows(args.rows, None) + (read_jsonl(args.quora) if args.quora else [])
    reserved = sorted({r["set"] for r in rows} & RESERVED)
    if reserved:
        raise SystemExit(f"refused: {', '.join(reserved)} in pair_sets.RESERVED")
    if any(r.get("retrieval_map") is None for r in rows):
        raise SystemExit("a row without retrieval_map: raw-cosine rows (cache_losses.py "
                         "--no-retrieval-map or before session 28)")
    from llm_router.cache.retrieval_map import shared_retrieval_map
    from llm_router.catalog import CacheConfig
    from llm_router.embedding.minilm import MiniLMEmbedder

    named = CacheConfig().retrieval_map
    assert named is not None
    rmap = shared_retrieval_map(named)
    if {r["retrieval_map"] for r in rows} != {rmap.sha256}:
        raise SystemExit("rows of another retrieval map than the catalog's")
    embedder = MiniLMEmbedder.load()
    held: dict[str, Vector] = {}
    if KEPT.exists():  # the mapped batch-1 vectors of a run before (same model, same map)
        with np.load(KEPT, allow_pickle=False) as npz:
            if str(npz["tag"]) == f"{embedder.model_id}:{rmap.sha256}":
                held.update(zip(npz["texts"].tolist(), npz["vectors"], strict=True))

    def mapped(text: str) -> Vector:
        if text not in held:
            held[text] = rmap.apply(embedder.embed_one(text))
        return held[text]

    started, cpu = time.monotonic(), time.process_time()
    for n, r in enumerate(rows):
        r["cos"] = cosines(r, mapped)
        if n % 2000 == 0:
            print(f"  {n}/{len(rows)} pairs, {len(held)} texts embedded "
                  f"({time.monotonic() - started:.0f} s)", flush=True)
    embed_cpu = time.process_time() - cpu
    # The whole texts' mapped cosine, batch 1, against the rows' (batched): how far apart.
    drift = max(abs(float(mapped(r["a"]) @ mapped(r["b"])) - r["similarity"])
                for r in rows if "ask" in r["cos"] or "cached_ask" in r["cos"])
    KEPT.parent.mkdir(parents=True, exist_ok=True)
    np.savez(KEPT, tag=np.asarray(f"{embedder.model_id}:{rmap.sha256}"),
             texts=np.asarray(list(held)), vectors=np.stack(list(held.values())))
    floor, cut = SHIPPED
    result = {
        "rows": [str(p) for p in args.rows + ([args.quora] if args.quora else [])],
        "floor": floor, "cut": cut, "retrieval_map": rmap.sha256,
        "texts_embedded": len(held), "embed_cpu_s": round(embed_cpu, 1),
        "whole_cosine_drift": drift,  # batch 1 against the rows' batched vectors
        "tally": tally(rows, floor, cut),
        "still_lost": {v: still_lost(rows, floor, cut, v) for v in ("shipped", *VARIANTS)},
        "changed": changed(rows, floor, cut),
        "run": run_record(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    report(result, args.list)
    print(f"\nwrote {args.out}")
    return 0


def report(result: dict[str, Any], listed: bool) -> None:
    tally_ = result["tally"]
    print("| cell | n | query ask | cached ask | shipped hits | " + " | ".join(
        f"{v} found / passed" for v in VARIANTS) + " | floor lost: shipped / " +
        " / ".join(VARIANTS) + " |")
    print("|---" * (6 + len(VARIANTS)) + "|")
    for key, c in tally_.items():
        if key.endswith("all") or key.startswith("pairs:"):
            print(f"| {key} | {c['n']} | {c['query_ask']} | {c['cached_ask']} | "
                  f"{c['hit:shipped']} | " + " | ".join(
                      f"+{c.get(f'found:{v}', 0)} / +{c.get(f'passed:{v}', 0)}"
                      for v in VARIANTS) + f" | {c['floor:shipped']} / " + " / ".join(
                          str(c[f"floor:{v}"]) for v in VARIANTS) + " |")
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for key, c in tally_.items():
        name, kind = key.split(":", 1) if not key.startswith("pairs:") else ("quora", key)
        if name not in ("writers", "quora") and not key.startswith("pairs:"):
            kinds[kind].update(c)
    print("\nper kind (writers' sets pooled)\n")
    print("| kind | n | query ask | " + " | ".join(f"{v} found / passed" for v in VARIANTS)
          + " |\n" + "|---" * (3 + len(VARIANTS)) + "|")
    for kind, c in sorted(kinds.items()):
        print(f"| {kind} | {c['n']} | {c['query_ask']} | " + " | ".join(
            f"+{c[f'found:{v}']} / +{c[f'passed:{v}']}" for v in VARIANTS) + " |")
    print(f"\nwhole-text cosine, batch 1 against the rows: at most "
          f"{result['whole_cosine_drift']:.2e} apart; {result['texts_embedded']} texts "
          f"embedded, {result['embed_cpu_s']} s CPU")
    if listed:
        for ch in result["changed"]:
            print(f"\n{ch['set']} {ch['id']} {ch['kind']} label {ch['label']} {ch['variants']} "
                  f"sim {ch['similarity']} p {ch['p']} ask {ch.get('ask')!r} cos "
                  f"{ch.get('cos_ask')} / {ch.get('cos_ask_clause')} / {ch.get('cos_cached_ask')}"
                  f"\n    cached {ch['cached']!r}\n    query  {ch['query']!r}")


if __name__ == "__main__":
    raise SystemExit(main())
