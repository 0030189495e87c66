"""A bundle less its mined negatives of the reworded shape (session 28's S7r, recipe R-b).

Reads a ``cross_continue prepare`` bundle (``bundle.npz``, its ``bundle.json`` and
``bundle-probe.jsonl``, the pairs' texts in the bundle's order, cached = a, query = b), checks
that the probe's rows at ``train.mined`` are the texts the bundle tokenised there, computes for
every mined pair the shipped embedder's (MiniLM) cosine of its two texts and
``bench/refusal_families.overlap`` (Jaccard of their content words), and drops each mined pair
with cosine >= ``--cosine`` (0.5) and overlap < ``--overlap`` (0.2): the reworded family's
shape, where the mined negatives read as near-paraphrases labelled 0 (docs/cache-history.md
"Session 27: what S5 refuses (exploration)", recipe R-b). Nothing else changes: every other
pair, every flag and the word and init arrays are the bundle's, in its order; the new bundle's
``.json`` says the new pair counts (``fit --epochs`` reads ``train_pairs``) and the filter, and
its probe holds the kept pairs. A record (``--record``) holds the counts, the dropped count,
both bundles' sha256 and the rule's text; ``--dropped`` the dropped pairs (index, texts,
cosine, overlap) for the blind audit.

    python -m train.cache_verifier.filter_bundle --bundle B.npz --out OUT.npz \
        --record bench/results/s7r-filter-session28.json --dropped OUT-dropped.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
COSINE, OVERLAP = 0.5, 0.2
RULE = ("S7r's bundle: S6's bundle less every mined negative (train.mined) whose two texts "
        "have MiniLM cosine >= 0.5 and bench/refusal_families.overlap < 0.2 (recipe R-b: the "
        "reworded family's shape, where mined negatives are near-paraphrases labelled 0); "
        "nothing else changes")


def overlap_fn() -> Callable[[str, str], float]:
    """``bench/refusal_families.overlap`` (bench/ on sys.path, as the benches run)."""
    bench = str(REPO / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    from refusal_families import overlap  # type: ignore[import-not-found]

    return overlap  # type: ignore[no-any-return]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_probe(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def tokenise(rows: Sequence[dict[str, str]]) -> dict[str, np.ndarray]:
    """``write_bundle``'s arrays for rows of cached / query texts (numbers shared, b the
    query): ``train.a``, ``train.a_len``, ``train.b``, ``train.b_len``."""
    from llm_router.cache.cross import shared_numbers
    from llm_router.embedding.minilm import shared_embedder
    from train.cache_verifier.cross import _side_ids

    tokenizer = shared_embedder().tokenizer
    pairs = [shared_numbers(r["query"], r["cached"]) for r in rows]
    a, a_len = _side_ids(tokenizer, [cached for _, cached in pairs])
    b, b_len = _side_ids(tokenizer, [query for query, _ in pairs])
    return {"train.a": a, "train.a_len": a_len, "train.b": b, "train.b_len": b_len}


def check_tokens(bundle: Any, probe: list[dict[str, str]], rows: Sequence[int]) -> None:
    """The probe's texts at ``rows`` tokenise (as ``write_bundle`` did: numbers shared, the
    query b) to the bundle's ``train.a`` / ``train.b`` there."""
    again = tokenise([probe[i] for i in rows])
    idx = np.asarray(rows, np.int64)
    if not all(np.array_equal(v, bundle[k][idx]) for k, v in again.items()):
        raise SystemExit("the probe's texts are not the bundle's pairs at train.mined")


def cosines(embed: Callable[[Sequence[str]], Any], pairs: list[tuple[str, str]]) -> list[float]:
    """Each pair's cosine of its two texts' vectors (``embed``: texts -> rows)."""
    texts = sorted({t for pair in pairs for t in pair})
    v = np.asarray(embed(texts), np.float32)
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    at = {t: n for n, t in enumerate(texts)}
    return [float(v[at[a]] @ v[at[b]]) for a, b in pairs]


def drops(cos: Sequence[float], ovl: Sequence[float], cosine: float = COSINE,
          overlap: float = OVERLAP) -> list[bool]:
    """The rule: cosine >= ``cosine`` and overlap < ``overlap``."""
    return [c >= cosine and o < overlap for c, o in zip(cos, ovl, strict=True)]


def filter_bundle(bundle_path: Path, out: Path, *, probe_path: Path | None = None,
                  embed: Callable[[Sequence[str]], Any] | None = None,
                  overlap: Callable[[str, str], float] | None = None,
                  cosine: float = COSINE, max_overlap: float = OVERLAP,
                  check: bool = True, against: Path | None = None
                  ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Write ``out`` (+ ``.json``, ``-probe.jsonl``): ``bundle_path`` less the mined pairs the
    rule drops. Returns the record and the dropped pairs. ``against``: another copy of the
    probe whose texts the bundle's mined rows must equal (S6's /work/base/s6-fit copy)."""
    started = time.process_time()
    probe_path = probe_path or bundle_path.with_name(bundle_path.stem + "-probe.jsonl")
    meta = json.loads(bundle_path.with_suffix(".json").read_text())
    bundle = np.load(bundle_path)
    n = int(bundle["train.label"].size)
    probe = read_probe(probe_path)
    if len(probe) != n or meta["train_pairs"] != n:
        raise SystemExit(f"probe {len(probe)}, bundle.json {meta['train_pairs']}, bundle {n}")
    mined = np.flatnonzero(bundle["train.mined"])
    if mined.size != meta["mined"] or not np.array_equal(mined, np.arange(n - mined.size, n)):
        raise SystemExit("train.mined is not the bundle's last meta['mined'] rows")
    if (bundle["train.label"][mined] != 0).any():
        raise SystemExit("a mined pair labelled 1")
    if against is not None:
        other = read_probe(against)
        if len(other) != n or any(other[i] != probe[i] for i in mined):
            raise SystemExit(f"{against}'s mined rows are not the bundle's")
    if check:
        check_tokens(bundle, probe, [int(i) for i in mined])
    if embed is None:
        from llm_router.embedding.minilm import shared_embedder

        embed = shared_embedder().embed
    overlap = overlap or overlap_fn()
    texts = [(probe[i]["cached"], probe[i]["query"]) for i in mined]
    cos = cosines(embed, texts)
    ovl = [overlap(a, b) for a, b in texts]
    gone = drops(cos, ovl, cosine, max_overlap)
    dropped_rows = {int(i) for i, g in zip(mined, gone, strict=True) if g}
    keep = np.asarray([i not in dropped_rows for i in range(n)], np.bool_)
    arrays = {k: (bundle[k][keep] if k.startswith("train.") else bundle[k])
              for k in bundle.files}
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    kept = int(keep.sum())
    sources = dict(meta["train_sources"])
    sources["mined"] = sources.get("mined", 0) - len(dropped_rows)
    record = {
        "rule": RULE, "cosine_at_least": cosine, "overlap_below": max_overlap,
        "bundle": str(bundle_path), "bundle_sha256": sha256(bundle_path),
        "probe": str(probe_path), "probe_sha256": sha256(probe_path),
        **({"checked_against": str(against), "checked_against_sha256": sha256(against)}
           if against is not None else {}),
        "tokens_checked": bool(check),
        "pairs": n, "mined": int(mined.size), "dropped": len(dropped_rows),
        "kept_pairs": kept, "kept_mined": int(mined.size) - len(dropped_rows),
        "mined_cosine_at_least": sum(c >= cosine for c in cos),
        "mined_overlap_below": sum(o < max_overlap for o in ovl),
        "out": str(out), "out_sha256": sha256(out),
        "cpu_s": round(time.process_time() - started, 1),
    }
    new_meta = {**meta, "train_pairs": kept, "mined": record["kept_mined"],
                "train_sources": sources,
                "filtered": {k: record[k] for k in (
                    "rule", "bundle_sha256", "pairs", "mined", "dropped", "kept_pairs")}}
    out.with_suffix(".json").write_text(json.dumps(new_meta, indent=2))
    with open(out.with_name(out.stem + "-probe.jsonl"), "w", encoding="utf-8") as fh:
        for i in range(n):
            if keep[i]:
                fh.write(json.dumps(probe[i]) + "\n")
    dropped = [{"i": int(i), "cached": probe[i]["cached"], "query": probe[i]["query"],
                "cosine": round(c, 6), "overlap": round(o, 4)}
               for i, c, o, g in zip(mined, cos, ovl, gone, strict=True) if g]
    return record, dropped


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--probe", type=Path, help="default: beside the bundle")
    parser.add_argument("--against", type=Path,
                        help="another copy of the probe the mined rows must equal")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cosine", type=float, default=COSINE)
    parser.add_argument("--overlap", type=float, default=OVERLAP)
    parser.add_argument("--record", type=Path, required=True)
    parser.add_argument("--dropped", type=Path)
    args = parser.parse_args(argv)
    record, dropped = filter_bundle(args.bundle, args.out, probe_path=args.probe,
                                    cosine=args.cosine, max_overlap=args.overlap,
                                    against=args.against)
    args.record.parent.mkdir(parents=True, exist_ok=True)
    args.record.write_text(json.dumps(record, indent=1) + "\n")
    if args.dropped is not None:
        args.dropped.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n"
                                        for d in dropped))
    print(f"{args.out} (sha256 {record['out_sha256'][:16]}): {record['kept_pairs']:,} pairs, "
          f"dropped {record['dropped']:,} of {record['mined']:,} mined; "
          f"{record['cpu_s']} s CPU", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
