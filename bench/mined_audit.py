"""A blind read of the mined negatives S7r's filter dropped (session 28; a record, it decides
nothing).

Rule S7r's bundle is S6's less every mined negative with MiniLM cosine >= 0.5 and content-word
overlap < 0.2 (``train/cache_verifier/filter_bundle.py``; recipe R-b: such mined pairs looked
like near-paraphrases labelled 0). How many of them would a careful reader call the same
question? ``sample`` draws, with one ``random.Random(28)``, in this order:

- D: 150 of the dropped mined pairs (``filter_bundle --dropped``, in the bundle's order);
- P: 75 hand-written positives of S6's bundle in the same shape (a writer's kind, label 1,
  not mined; cosine >= 0.5, overlap < 0.2), as controls;
- N: 75 hand-written negatives of the bundle in the same shape (label 0), as controls.

P and N: the bundle's hand-written pairs of that label with overlap < 0.2, shuffled by the
generator and walked in that order, their cosine computed (the shipped embedder) until 75
have cosine >= 0.5 (a uniform draw from the pairs of the shape, without embedding every
text). The 300 are shuffled together by the same generator, numbered 0001.. and written as
the blind file in ``bench/label_audit.py``'s format (``### <id>``, ``A: <cached text>``,
``B: <query text>``: nothing else) and the key beside it (mode 600: id -> stratum, bundle
row, source, kind, label, cosine, overlap, texts).

``join`` reads the reader's labels (``label_audit.read_labels``) and reports per stratum the
reader's same / different / unsure, the share of the dropped pairs the reader calls ``same``
(Wilson 95 %), the same share by cosine band, and the controls' agreement with the writers.

    .venv/bin/python bench/mined_audit.py sample --dropped .cache/cross-s7r/dropped.jsonl \\
        --out-dir /work/base/audit28
    .venv/bin/python bench/mined_audit.py join --out-dir /work/base/audit28 \\
        --out bench/results/mined-audit-session28.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from label_audit import LABELS, blind_text, read_labels, wilson
from refusal_families import overlap
from run_record import run_record

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.filter_bundle import cosines  # noqa: E402

BASE = Path("/work/base")
SEED = 28
SIZES = {"D": 150, "P": 75, "N": 75}
COSINE, OVERLAP = 0.5, 0.2
BATCH = 200
BANDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def controls(rng: random.Random, bundle: list[dict[str, Any]], label: int, size: int,
             embed: Callable[[Sequence[str]], Any]) -> tuple[list[dict[str, Any]], int]:
    """``size`` hand-written pairs of ``label`` with overlap < 0.2 and cosine >= 0.5, drawn
    uniformly (shuffled, walked in order); and how many were embedded to find them."""
    pool = [dict(r, i=i) for i, r in enumerate(bundle)
            if r.get("kind") is not None and r["source"] != "mined" and r["label"] == label
            and overlap(r["a"], r["b"]) < OVERLAP]
    rng.shuffle(pool)
    out: list[dict[str, Any]] = []
    seen = 0
    while len(out) < size and seen < len(pool):
        chunk = pool[seen: seen + BATCH]
        seen += len(chunk)
        for r, c in zip(chunk, cosines(embed, [(r["a"], r["b"]) for r in chunk]), strict=True):
            if c >= COSINE and len(out) < size:
                out.append(dict(r, cosine=round(c, 6), overlap=round(overlap(r["a"], r["b"]), 4)))
    return out, seen


def draw(dropped: list[dict[str, Any]], bundle: list[dict[str, Any]],
         embed: Callable[[Sequence[str]], Any], seed: int = SEED) -> tuple[
        list[dict[str, Any]], dict[str, Any]]:
    rng = random.Random(seed)
    picked = [("D", {"i": d["i"], "a": d["cached"], "b": d["query"], "label": 0,
                     "source": "mined", "kind": None, "cosine": d["cosine"],
                     "overlap": d["overlap"]})
              for d in rng.sample(dropped, SIZES["D"])]
    walked = {}
    for name, label in (("P", 1), ("N", 0)):
        got, walked[name] = controls(rng, bundle, label, SIZES[name], embed)
        picked += [(name, r) for r in got]
    rng.shuffle(picked)
    key = [{"id": f"{n:04d}", "stratum": s, "row": r["i"], "source": r["source"],
            "kind": r["kind"], "label": r["label"], "cosine": r["cosine"],
            "overlap": r["overlap"], "a": r["a"], "b": r["b"]}
           for n, (s, r) in enumerate(picked, 1)]
    return key, {"dropped": len(dropped), "embedded_for_controls": walked}


def band(c: float) -> str:
    lower = [b for b in BANDS if c >= b]
    i = BANDS.index(lower[-1])
    return f"{BANDS[i]}-{BANDS[i + 1]}" if i + 1 < len(BANDS) else f">={BANDS[i]}"


def join(key: list[dict[str, Any]], labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    missing = [k["id"] for k in key if k["id"] not in labels]
    unknown = sorted(set(labels) - {k["id"] for k in key})
    joined = [{**k, **labels[k["id"]]} for k in key if k["id"] in labels]
    strata: dict[str, Any] = {}
    for s in SIZES:
        rows = [r for r in joined if r["stratum"] == s]
        c = Counter(r["reader"] for r in rows)
        strata[s] = {"n": len(rows), **{lab: c[lab] for lab in LABELS},
                     "same_share": round(c["same"] / max(len(rows), 1), 4),
                     "same_share_95": wilson(c["same"], len(rows))}
        if s == "D":
            bands: dict[str, Counter[str]] = {}
            for r in rows:
                bands.setdefault(band(r["cosine"]), Counter())[r["reader"]] += 1
            strata[s]["by_cosine"] = {b: {"n": sum(v.values()), **{lab: v[lab] for lab in LABELS}}
                                      for b, v in sorted(bands.items())}
    agree = {s: sum(r["reader"] == ("same" if r["label"] else "different")
                    for r in joined if r["stratum"] == s) for s in ("P", "N")}
    return {"labelled": len(joined), "missing": missing, "unknown": unknown,
            "strata": strata, "controls_agree_with_writer": agree,
            "dropped_called_same": {k: strata["D"][k] for k in ("n", "same", "different",
                                                                 "unsure", "same_share",
                                                                 "same_share_95")},
            "examples": {f"D_{lab}": [{k: r[k] for k in ("id", "cosine", "overlap", "a", "b",
                                                          "reason")}
                                      for r in joined if r["stratum"] == "D"
                                      and r["reader"] == lab][:10] for lab in LABELS}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("sample", "join"))
    parser.add_argument("--dropped", type=Path, default=Path(".cache/cross-s7r/dropped.jsonl"))
    parser.add_argument("--bundle-labels", type=Path,
                        default=Path(".cache/s27fam/bundle-labels.jsonl"),
                        help="S6's bundle's pairs with labels, source and kind "
                             "(refusal_families.py labels)")
    parser.add_argument("--out-dir", type=Path, default=BASE / "audit28")
    parser.add_argument("--out", type=Path, help="join: the result JSON")
    args = parser.parse_args()
    blind, key_path = args.out_dir / "blind.txt", args.out_dir / "key.jsonl"
    if args.step == "sample":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from llm_router.embedding.minilm import shared_embedder

        dropped, bundle = read_jsonl(args.dropped), read_jsonl(args.bundle_labels)
        key, meta = draw(dropped, bundle, shared_embedder().embed)
        args.out_dir.mkdir(parents=True, exist_ok=True)
        blind.write_text(blind_text(key), encoding="utf-8")
        key_path.write_text("".join(json.dumps(k, ensure_ascii=False) + "\n" for k in key),
                            encoding="utf-8")
        os.chmod(key_path, 0o600)
        meta |= {"dropped_sha256": hashlib.sha256(args.dropped.read_bytes()).hexdigest(),
                 "bundle_labels_sha256": hashlib.sha256(
                     args.bundle_labels.read_bytes()).hexdigest(),
                 "blind_sha256": hashlib.sha256(blind.read_bytes()).hexdigest(),
                 "key_sha256": hashlib.sha256(key_path.read_bytes()).hexdigest()}
        (args.out_dir / "sample.json").write_text(json.dumps(meta, indent=1) + "\n")
        print(f"{len(key)} pairs ({dict(Counter(k['stratum'] for k in key))}) -> {blind}; {meta}")
        return 0
    if args.out is None:
        parser.error("join needs --out")
    key = read_jsonl(key_path)
    labels_path = args.out_dir / "labels.txt"
    result = join(key, read_labels(labels_path.read_text(encoding="utf-8")))
    result = {"seed": SEED, "sizes": SIZES, "cosine_at_least": COSINE, "overlap_below": OVERLAP,
              "blind_sha256": hashlib.sha256(blind.read_bytes()).hexdigest(),
              "key_sha256": hashlib.sha256(key_path.read_bytes()).hexdigest(),
              "labels_sha256": hashlib.sha256(labels_path.read_bytes()).hexdigest(),
              **result, "run": run_record()}
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("labelled", "strata",
                                             "controls_agree_with_writer")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
