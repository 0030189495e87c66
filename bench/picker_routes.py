"""The router's picker on every seen classifier query: the routed tier and the recorded
``two_asks`` of each, with the two-asks override on and off, so that a change to how the
picker decides can be shown to change nothing (session 27: one ``decide`` per routed
request, where ``TierPicker.pick`` called ``runtime.route`` twice).

``record`` scores heldout1 (``data/heldout``) .. heldout57 and the repo's held-out split
(``data/classifier/queries.jsonl``, split ``heldout``) through ``TierPicker.pick``, as the
request path calls it (``pick(request, embedding, text=query)``), with the artefact in
``--classifier-dir`` (default: the shipped one), and writes one row per query and
setting. The embeddings (the embedder's ``embed_one``, what ``pick`` computes itself
when given none) are computed once and kept in ``--embeddings`` so the runs before and
after a change read the same vectors. ``compare`` says whether two records agree row by
row. heldout58 and later are never read.

    OPENBLAS_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/picker_routes.py record \\
        --memo .cache/picker-routes/memo.npz \\
        --embeddings .cache/picker-routes/embeddings.npz --out before.json
    .venv/bin/python bench/picker_routes.py compare before.json after.json --json OUT
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from run_record import run_record

ROOT = Path(__file__).resolve().parents[1]

SEEN = ("heldout", *(f"heldout{n}" for n in range(2, 58)))  # heldout1 .. heldout57


def queries(root: Path = ROOT) -> list[tuple[str, str, str]]:
    """(set, id, text) of every seen set's classifier queries and the held-out split."""
    out: list[tuple[str, str, str]] = []
    for name in SEEN:
        path = root / "data" / name / "classifier_queries.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out.append((name, str(row["id"]), str(row["text"])))
    for line in (root / "data" / "classifier" / "queries.jsonl").read_text(
            encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == "heldout":
            out.append(("queries.jsonl:heldout", str(row["id"]), str(row["query"])))
    return out


def embeddings(texts: Sequence[str], path: Path | None, embedder: Any,
               memo: Path | None = None) -> np.ndarray:
    """Each text's vector, read from ``path`` when it holds these texts: ``embed_one``
    (what ``pick`` computes when given none), or with ``memo`` a ``MemoEmbedder`` there
    (batched ``embed``, as training memoises it; missing texts are added to it): quicker,
    and as good for a before-and-after comparison, which needs the same vectors twice."""
    digest = hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest()
    if path is not None and path.exists():
        with np.load(path) as stored:
            if str(stored["texts_sha256"]) == digest:
                return np.asarray(stored["vectors"], dtype=np.float32)
    if memo is not None:
        from llm_router.embedding.memo import MemoEmbedder

        vectors = MemoEmbedder(embedder, memo).embed(list(texts))
    else:
        vectors = np.stack([embedder.embed_one(t) for t in texts]).astype(np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, vectors=vectors, texts_sha256=np.array(digest))
    return vectors


def record(classifier_dir: Path | None, embeddings_path: Path | None,
           out: Path | None, memo: Path | None = None) -> dict[str, Any]:
    from llm_router import complexity
    from llm_router.classifier import runtime
    from llm_router.classifier.runtime import load_classifier
    from llm_router.complexity import TierPicker
    from llm_router.embedding.minilm import shared_embedder
    from llm_router.schema import ChatRequest

    embedder = shared_embedder(None)
    classifier = load_classifier(classifier_dir, embedder_id=embedder.model_id)
    rows = queries()
    vectors = embeddings([t for _, _, t in rows], embeddings_path, embedder, memo)
    pickers = {"on": TierPicker(embedder, classifier, two_asks=True),
               "off": TierPicker(embedder, classifier, two_asks=False)}
    picked: list[dict[str, Any]] = []
    for (name, qid, text), vector in zip(rows, vectors, strict=True):
        request = ChatRequest.model_validate(
            {"model": "auto", "messages": [{"role": "user", "content": text}]})
        for setting, picker in pickers.items():
            choice = picker.pick(request, vector, text=text)
            picked.append({"set": name, "id": qid, "two_asks_override": setting,
                           "tier": choice.tier, "two_asks": choice.two_asks})
    result = {
        "artefact": classifier.metadata["version"],
        "under_cost": classifier.under_cost,
        "vectors": "memo (batched embed)" if memo is not None else "embed_one",
        "run": run_record(),
        # Which code picked: the two files the change touches, where they were read from
        # (main's tree for "before": PYTHONPATH) and their sha256.
        "sources": {str(Path(str(m.__file__)).resolve()): hashlib.sha256(
            Path(str(m.__file__)).read_bytes()).hexdigest() for m in (complexity, runtime)},
        "queries": len(rows),
        "sets": {name: sum(r[0] == name for r in rows)
                 for name in (*SEEN, "queries.jsonl:heldout")},
        "moved_by_two_asks": {k: sum(p["two_asks"] for p in picked
                                     if p["two_asks_override"] == k) for k in pickers},
        "tiers": {k: dict(Counter(p["tier"] for p in picked if p["two_asks_override"] == k))
                  for k in pickers},
        "rows_sha256": hashlib.sha256(
            json.dumps(picked, sort_keys=True).encode("utf-8")).hexdigest(),
        "rows": picked,
    }
    if out is not None:
        out.write_text(json.dumps(result) + "\n", encoding="utf-8")
    return result


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Row by row: how many rows differ in tier or ``two_asks`` between two records."""
    if [(r["set"], r["id"], r["two_asks_override"]) for r in a["rows"]] != \
            [(r["set"], r["id"], r["two_asks_override"]) for r in b["rows"]]:
        raise SystemExit("the two records hold different queries")
    differ = [(x, y) for x, y in zip(a["rows"], b["rows"], strict=True)
              if (x["tier"], x["two_asks"]) != (y["tier"], y["two_asks"])]
    head = {k: v for k, v in a.items() if k != "rows"}, {k: v for k, v in b.items()
                                                          if k != "rows"}
    return {"run": run_record(), "queries": a["queries"], "rows": len(a["rows"]),
            "differ": len(differ), "first_differences": differ[:10],
            "records": {"a": head[0], "b": head[1]}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    rec = steps.add_parser("record")
    rec.add_argument("--classifier-dir", type=Path, default=None)
    rec.add_argument("--embeddings", type=Path, default=None)
    rec.add_argument("--memo", type=Path, default=None)
    rec.add_argument("--out", type=Path, required=True)
    cmp_ = steps.add_parser("compare")
    cmp_.add_argument("a", type=Path)
    cmp_.add_argument("b", type=Path)
    cmp_.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.step == "record":
        result = record(args.classifier_dir, args.embeddings, args.out, args.memo)
        summary = {k: v for k, v in result.items() if k not in ("rows", "sets")}
    else:
        summary = compare(*(json.loads(p.read_text(encoding="utf-8"))
                            for p in (args.a, args.b)))
        if args.json is not None:
            args.json.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=1))
    return 0 if args.step == "record" or summary["differ"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
