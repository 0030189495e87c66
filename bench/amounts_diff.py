"""The amounts-and-ids check alone (``pair_features.quantity_conflict``: no embedding, no
verifier) on every committed pair set, saved, or compared with a saved run: which
paraphrases and which negatives a change to ``quantities`` / ``written_forms`` newly
passes or refuses. Seconds, where ``cache_losses.py`` takes minutes. ``--check spelling``:
the respelling check alone instead (``spelling.same_spelling``: "refused" is no respelling
found, the verifier's call), for a change to ``spelling.py``.

    .venv/bin/python bench/amounts_diff.py --save /tmp/before.jsonl    # with the old code
    .venv/bin/python bench/amounts_diff.py --against /tmp/before.jsonl # lists and counts
    ... --quora ../shared/data/paraphrase-train/qqp_full.tar.gz       # + Quora's training pairs

The old code: uncommitted changes stashed, or ``git archive OLD layers/core | tar -x -C
/tmp/old`` (link its ``llm_router/data`` to this checkout's) and ``PYTHONPATH=/tmp/old/
layers/core`` for the ``--save`` run.

Sets (all seen): every committed heldout set (heldout1-15 in session 12) and ``pairs``
(``bench/cache_pairs/heldout.jsonl``, as ``bench/pair_sets.py`` names them),
``bench/cache_pairs/pairs.jsonl`` (cached / query, labelled by kind) and ``tune.jsonl``,
``data/cache_verifier/train*``; with ``--quora``, GPTCache's Quora training pairs (80,854).
"""

from __future__ import annotations

import argparse
import json
import tarfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from pair_sets import DATA, HERE, load, load_sets

from llm_router.cache.pair_features import quantity_conflict
from llm_router.cache.spelling import same_spelling
from llm_router.cache.verifier import load_vocabulary

# Every committed heldout set (data/heldout, data/heldoutN) and ``pairs``.
HELDOUT = ["heldout1", *sorted((p.name for p in DATA.glob("heldout[0-9]*")),
                               key=lambda name: int(name.removeprefix("heldout"))), "pairs"]


def committed_pairs() -> list[dict[str, Any]]:
    pairs = load_sets(HELDOUT)
    for line in (HERE / "cache_pairs" / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        pairs.append({"set": "cache_pairs/pairs", "a": pair["cached"], "b": pair["query"],
                      "label": int(pair["kind"] == "paraphrase")})
    pairs += [{"set": "cache_pairs/tune", **p} for p in load(HERE / "cache_pairs" / "tune.jsonl")]
    for folder in sorted((DATA / "cache_verifier").glob("train*")):
        pairs += [{"set": folder.name, **p} for p in load(folder / "cache_pairs.jsonl")]
    return pairs


def quora_pairs(archive: Path) -> list[dict[str, Any]]:
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(".json"))
        file = tar.extractfile(member)
        assert file is not None
        rows = json.load(file)
    return [{"set": "quora-train", "a": r["text_a"], "b": r["text_b"], "label": int(r["label"])}
            for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--save", type=Path, help="write each pair's refusal here (jsonl)")
    parser.add_argument("--against", type=Path, help="a --save file to compare with")
    parser.add_argument("--quora", type=Path, help="qqp_full.tar.gz: also its 80,854 pairs")
    parser.add_argument("--check", choices=("amounts", "spelling"), default="amounts",
                        help="the check to run: amounts and ids (default), or the respelling "
                             "check (refused: no respelling found)")
    args = parser.parse_args()
    pairs = committed_pairs() + (quora_pairs(args.quora) if args.quora else [])
    vocabulary = load_vocabulary(np.ones(30522, np.float32))  # words only: no vectors read
    started = time.perf_counter()
    if args.check == "spelling":
        refused = [same_spelling(p["a"], p["b"], vocabulary.pieces) is None for p in pairs]
    else:
        refused = [quantity_conflict(vocabulary.view(p["a"]), vocabulary.view(p["b"]))
                   for p in pairs]
    print(f"{len(pairs)} pairs, {sum(refused)} refused, "
          f"{time.perf_counter() - started:.1f} s")
    if args.save:
        with args.save.open("w", encoding="utf-8") as out:
            for pair, no in zip(pairs, refused, strict=True):
                out.write(json.dumps({"set": pair["set"], "a": pair["a"], "b": pair["b"],
                                      "label": pair["label"], "refused": no}) + "\n")
    if args.against:
        before = {(r["set"], r["a"], r["b"]): r["refused"] for r in map(
            json.loads, args.against.read_text(encoding="utf-8").splitlines())}
        changed: Counter[str] = Counter()
        for pair, now in zip(pairs, refused, strict=True):
            was = before.get((pair["set"], pair["a"], pair["b"]))
            if was is None or was == now:
                continue
            kind = "paraphrase" if pair["label"] else "NEGATIVE"
            what = f"{'refused' if now else 'passed'} {kind}"
            changed[f"{pair['set']}: newly {what}"] += 1
            print(f"newly {what:18} {pair['set']:18} {pair['a']!r} || {pair['b']!r}")
        for key, n in sorted(changed.items()):
            print(f"{n:5}  {key}")


if __name__ == "__main__":
    main()
