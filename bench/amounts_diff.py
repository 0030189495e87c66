"""The amounts-and-ids check alone (``pair_features.quantity_conflict``: no embedding, no
verifier) on every committed pair set, saved, or compared with a saved run: which
paraphrases and which negatives a change to ``quantities`` / ``written_forms`` newly
passes or refuses. Seconds, where ``cache_losses.py`` takes minutes. ``--check spelling``:
the respelling check alone instead (``spelling.same_spelling``: "refused" is no respelling
found, the verifier's call), for a change to ``spelling.py``; with ``--synonym-table DIR``
also its synonym form, reading that folder's table (``layer``: the layer's, as shipped).

    .venv/bin/python bench/amounts_diff.py --save /tmp/before.jsonl    # with the old code
    .venv/bin/python bench/amounts_diff.py --against /tmp/before.jsonl # lists and counts
    ... --quora ../shared/data/paraphrase-train/qqp_full.tar.gz       # + Quora's training pairs
    PYTHONHASHSEED=0 ... --dump /tmp/old.txt   # every output of the check, old code and new:
    cmp /tmp/old.txt /tmp/new.txt              # a change meant to make it cheaper, identical
    ... --save /tmp/off.jsonl; ... --amount-forms --against /tmp/off.jsonl  # a flag's pairs
    ... --check spelling --synonym-table layer --save /tmp/t.jsonl  # the shipped synonym form
    ... --check spelling --synonym-table DIR --against /tmp/t.jsonl  # another table's pairs

The old code: uncommitted changes stashed, or ``git archive OLD layers/core | tar -x -C
/tmp/old`` (link its ``llm_router/data`` to this checkout's) and ``PYTHONPATH=/tmp/old/
layers/core`` for the ``--save`` run.

Sets (all seen): every committed heldout set (heldout1-15 in session 12) and ``pairs``
(``bench/cache_pairs/heldout.jsonl``, as ``bench/pair_sets.py`` names them),
``bench/cache_pairs/pairs.jsonl`` (cached / query, labelled by kind) and ``tune.jsonl``,
``data/cache_verifier/train*``; with ``--quora``, GPTCache's Quora training pairs (80,854 in
the file, 76,853 of them not among the sets above: ``quora_pairs``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from pair_sets import DATA, HERE, RESERVED, load, load_sets

from llm_router.cache.pair_features import quantity_conflict
from llm_router.cache.spelling import same_spelling
from llm_router.cache.synonyms import Synonyms, shared_synonyms
from llm_router.cache.synonyms import load as load_table
from llm_router.cache.verifier import load_vocabulary

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import load_qqp, read_jsonl  # noqa: E402

# Every committed heldout set (data/heldout, data/heldoutN) and ``pairs``.
HELDOUT = ["heldout1", *sorted((p.name for p in DATA.glob("heldout[0-9]*")
                                if p.name not in RESERVED),
                               key=lambda name: int(name.removeprefix("heldout"))), "pairs"]
TUNE = "cache_pairs/tune"  # the cache verifier's tune split, as ``committed_pairs`` names it


def committed_pairs() -> list[dict[str, Any]]:
    pairs = load_sets(HELDOUT)
    for pair in read_jsonl(HERE / "cache_pairs" / "pairs.jsonl"):
        pairs.append({"set": "cache_pairs/pairs", "a": pair["cached"], "b": pair["query"],
                      "label": int(pair["kind"] == "paraphrase")})
    pairs += [{"set": TUNE, **p} for p in load(HERE / "cache_pairs" / "tune.jsonl")]
    for folder in sorted((DATA / "cache_verifier").glob("train*")):
        pairs += [{"set": folder.name, **p} for p in load(folder / "cache_pairs.jsonl")]
    return pairs


def quora_pairs(archive: Path, committed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Quora's pairs (``load_qqp``: texts stripped, none empty) but those already among
    ``committed``: the file holds ``cache_pairs/tune``'s and ``heldout.jsonl``'s Quora
    pairs too (4,001, same texts and label), each read once, in its committed set."""
    read = {(p["a"], p["b"]) for p in committed}
    return [{"set": "quora-train", "a": a, "b": b, "label": label}
            for a, b, label in load_qqp(archive) if (a, b) not in read]


def dump(pairs: list[dict[str, Any]], path: Path) -> None:
    """Every output of the hard check (``--dump``) for each text of ``pairs``, and for long
    ones: random runs of those texts cut to 2,000 and 20,000 characters, the long-message
    soak's text and a number-dense one at 200 to 20,000, every ``amounts_worst_case`` shape
    at 2,000 and 20,000; one line a text, sets sorted (the same file for the same outputs,
    under PYTHONHASHSEED=0). The view (``Vocabulary.view``) is read for all but Quora's."""
    import random

    from amounts_worst_case import NUMBERS, SHAPES
    from peer.load import PROMPTS
    from soak import padding

    from llm_router.cache import quantities as q
    from llm_router.cache.pair_features import normalise, number_codes
    from llm_router.cache.written_forms import rewrite

    texts = list(dict.fromkeys(t for p in pairs for t in (p["a"], p["b"])))
    viewed = set(dict.fromkeys(t for p in pairs if p["set"] != "quora-train"
                               for t in (p["a"], p["b"])))
    rng = random.Random(17)
    long: list[str] = []
    for n, count in ((2000, 400), (20000, 120)):
        for _ in range(count):
            parts: list[str] = []
            while sum(len(t) + 1 for t in parts) < n:
                parts.append(rng.choice(texts))
            long.append(" ".join(parts)[:n])
    for n in (200, 2000, 20000):
        for i in range(10):
            long.append((PROMPTS["plain"].format(i=i * 997) + padding(n))[:n])
            long.append((f"Order {i}: " + NUMBERS * (n // len(NUMBERS) + 1))[:n])
    long += [(shape * (n // len(shape) + 1))[:n] for n in (2000, 20000) for shape in SHAPES]
    vocabulary = load_vocabulary(np.ones(30522, np.float32))
    with path.open("w", encoding="utf-8") as out:
        for text in texts + long:
            low = normalise(text)
            row: list[Any] = [
                low, rewrite(low), number_codes(text), q.amounts(low), q.ids(low),
                q.amounts(low, hard=True), q.ids(low, hard=True), q.other_readings(low),
                q.periods(low), q.currencies(low), q.measures(low), q.ranks(low)]
            if text in viewed or text in long:
                v = vocabulary.view(text)
                row += [v.quantities, v.ids, v.hard_quantities, v.hard_ids, v.hard_other,
                        v.periods, v.currencies, v.measures, v.ranks, v.codes]
            out.write(repr(_sorted_sets(row)) + "\n")
    print(f"{len(texts) + len(long)} texts ({len(texts)} of {len(pairs)} pairs, {len(long)} "
          f"long) dumped to {path}")


def _sorted_sets(x: Any) -> Any:
    if isinstance(x, (set, frozenset)):
        return ("set", sorted(map(_sorted_sets, x), key=repr))
    if isinstance(x, (tuple, list)):
        return tuple(map(_sorted_sets, x))
    return x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--save", type=Path, help="write each pair's refusal here (jsonl)")
    parser.add_argument("--against", type=Path, help="a --save file to compare with")
    parser.add_argument("--quora", type=Path,
                        help="qqp_full.tar.gz: also its pairs not among the committed sets")
    parser.add_argument("--dump", type=Path,
                        help="write every output of the hard check here instead (``dump``)")
    parser.add_argument("--amount-forms", action="store_true",
                        help="the amounts check with session 31's candidate forms "
                             "(cache.amount_forms: quantities.amount_forms)")
    parser.add_argument("--check", choices=("amounts", "spelling"), default="amounts",
                        help="the check to run: amounts and ids (default), or the respelling "
                             "check (refused: no respelling found)")
    parser.add_argument("--synonym-table", default=None,
                        help="with --check spelling: also the synonym form, reading the table "
                             "in this folder (train/synonyms.py --out; 'layer': the layer's)")
    args = parser.parse_args()
    synonyms: Synonyms | None = None
    if args.synonym_table is not None:
        synonyms = (shared_synonyms() if args.synonym_table == "layer"
                    else load_table(Path(args.synonym_table)))
    pairs = committed_pairs()
    if args.quora:
        pairs += quora_pairs(args.quora, pairs)
    if args.dump:
        dump(pairs, args.dump)
        return
    vocabulary = load_vocabulary(np.ones(30522, np.float32))  # words only: no vectors read
    started = time.perf_counter()
    if args.check == "spelling":
        refused = [same_spelling(p["a"], p["b"], vocabulary.pieces, synonyms) is None
                   for p in pairs]
    else:
        refused = [quantity_conflict(vocabulary.view(p["a"]), vocabulary.view(p["b"]),
                                     texts=(p["a"], p["b"]) if args.amount_forms else None)
                   for p in pairs]
    print(f"{len(pairs)} pairs, {sum(refused)} refused, "
          f"{time.perf_counter() - started:.1f} s")
    if args.save:
        with args.save.open("w", encoding="utf-8") as out:
            for pair, no in zip(pairs, refused, strict=True):
                out.write(json.dumps({"set": pair["set"], "a": pair["a"], "b": pair["b"],
                                      "label": pair["label"], "refused": no}) + "\n")
    if args.against:
        before = {(r["set"], r["a"], r["b"]): r["refused"] for r in read_jsonl(args.against)}
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
