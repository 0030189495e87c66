"""Session 22's H (``bench/sisters.py``: a noun swapped for a WordNet sister at the same
place), built for session 23, which decides it on D25 + heldout36-39 by a rule the lead
writes first. This session runs ``fire`` on the training sets alone:

    OMP_NUM_THREADS=1 .venv/bin/python bench/sisters_rule.py fire \\
        --wordnet /tmp/wn/usr/share/wordnet --out /tmp/h-fired.jsonl

(a WordNet database folder: this session read WordNet 3.0's from Debian's wordnet-base
package, unpacked, not installed; the layer's synonym table is built from 3.1 and holds no
hypernym). ``fires`` is ``entity_rule.fires`` with H's check in E's place: a pair the
respelling check decides, or the hard check's amounts refuse, is not H's. ``fire`` refuses
the decision and unseen sets (D25, heldout36-39, ``pair_sets.RESERVED``): no choice of H's
may read them before the lead's rule.

Session 23 decides H by the lead's rule, written before any run and quoted unchanged:

    H (bench/sisters.py and sisters_rule.fires as committed at 89e5b96, WordNet 3.0 from
    Debian's wordnet-base): where H fires on a pair the lookup would ask the models about,
    the pair is refused as a hard check before the models ("numbers"). Over D29
    (heldout9-11, 14-39; the rows of /work/base/base-D29-89e5b96-pairs.jsonl give each
    pair's verdict without H, cache_losses.stage(row, 0.5, 0.861295); with H a fired pair
    is a refusal): P = paraphrase hits H takes away, N = negative hits H takes away,
    counted over D29 only. Over bench/cache_pairs/heldout.jsonl (pairs:qqp, seen Quora)
    the same counts are taken, and over the other committed hand-written and public pairs
    (others() of D29, generated pairs apart) they are reported only. Ship H if N >= 3, P
    <= 3 x N, H takes away no more than 7 of pairs:qqp's paraphrase hits (about 1.0 point
    of 748), and H's added CPU per candidate pair (median over D29's pairs, process time,
    the hypernym table loaded) <= 0.1 ms. If it ships, H is part of the hard check,
    reading a hypernym table built from WordNet 3.0 into the layer (its size and hash
    stated, its licence in the layer's data notes; no download at run time). If the
    verifier changes this session (helpers i11 / i12), the rule is still applied on the
    rows named here; the lead reconciles.

    dpkg-deb -x /var/cache/apt/archives/wordnet-base_1%3a3.0-37_all.deb /tmp/i14-wn
    # 1. the pairs of D29 and others(D29) H refuses where the lookup without it would
    #    ask the models, and H's added CPU on D29's pairs
    .venv/bin/python bench/sisters_rule.py fire --decision $(cat /work/base/D29.txt) \
        --wordnet /tmp/i14-wn/usr/share/wordnet --out /tmp/h-fired.jsonl
    # 2. the stack on them without H (the lookup as shipped): the others' rows
    .venv/bin/python bench/cache_losses.py --sets /tmp/h-fired.jsonl --out /tmp/h-off.json \
        --pairs-out /tmp/h-off-rows.jsonl
    # 3. the rule (a fired pair with H is a refusal: no run with H on)
    .venv/bin/python bench/sisters_rule.py decide \
        --base /work/base/base-D29-89e5b96-pairs.jsonl \
        --quora-rows /work/base/quora-S3-pairs.jsonl --fired /tmp/h-fired.jsonl \
        --off-rows /tmp/h-off-rows.jsonl --out bench/results/sisters-decide-session23.json

On D29 the verdict without H is the base rows' and on ``heldout.jsonl`` the
``--quora-rows``' (the lead's run of the shipped lookup on it), each checked against step
2's row of the pair. H's added CPU a pair is E's kind (``entity_rule.names_cpu``): each
text's names read from its respelling tokens and ``sisters_swapped`` on them, the hypernym
table read before.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from cache_losses import stage
from entity_rule import D25, REPEATS, asked_models, names_cpu
from extra_ask_rule import fire_over, write_fired
from pair_sets import DATA, RESERVED, load_sets, set_label
from run_record import run_record
from sisters import DEPTH, Hypernyms, sisters_swapped, swapped_sisters
from synonym_guard import Row, decide_arguments, sparse_decide

from llm_router.cache.synonyms import Synonyms, shared_synonyms
from llm_router.cache.verifier import shared_verifier
from llm_router.catalog import CacheConfig
from train.cache_verifier.pairs import read_jsonl

TRAIN = tuple(sorted(str(p) for p in (DATA / "cache_verifier").glob("train*") if p.is_dir()))
FORBIDDEN = frozenset(D25) | RESERVED | {f"heldout{n}" for n in range(36, 40)}
D29 = (*D25, *(f"heldout{n}" for n in range(36, 40)))  # session 23's decision sets
QUORA = "pairs:qqp"  # bench/cache_pairs/heldout.jsonl's Quora pairs (seen)
QUORA_TAKEN_MAX = 7  # of pairs:qqp's paraphrase hits H may take away (about 1.0 point)
CPU_MAX_MS = 0.1
RULE = " ".join(__doc__.split("quoted unchanged:", 1)[1].split("dpkg-deb", 1)[0].split())


def fires(a: str, b: str, hypernyms: Hypernyms, synonyms: Synonyms, short_forms: bool,
          vocabulary: Any) -> tuple[str, str] | None:
    """The nouns H refuses the pair for where the lookup without it would ask the models,
    or None."""
    return asked_models(a, b, lambda: swapped_sisters(a, b, hypernyms, synonyms),
                        vocabulary.pieces, synonyms, short_forms, vocabulary)


def fire(sets: list[str], wordnet: Path, depth: int, out: Path) -> dict[str, Any]:
    """The pairs of ``sets`` H refuses that the lookup without it lets through to the
    models, each with the two nouns; a summary (by set and label) beside ``out``."""
    if bad := sorted(FORBIDDEN & {set_label(s) for s in sets}):
        raise SystemExit(f"H is not run on decision or unseen sets before its rule: {bad}")
    hypernyms = Hypernyms.read(wordnet, depth=depth)
    vocabulary, synonyms = shared_verifier().vocabulary, shared_synonyms()
    short_forms = CacheConfig().short_forms
    pairs = load_sets(sets)
    started = time.process_time()
    fired = []
    for p in pairs:
        found = fires(p["a"], p["b"], hypernyms, synonyms, short_forms, vocabulary)
        if found is not None:
            fired.append({**p, "nouns": list(found)})
    spent = time.process_time() - started
    summary = write_fired(out, pairs, fired, spent)
    labels = Counter(p["label"] for p in pairs)
    summary |= {
        "depth": depth, "wordnet": str(wordnet),
        "paraphrases": {"read": labels[1], "fired": sum(p["label"] for p in fired)},
        "negatives": {"read": labels[0], "fired": sum(1 - p["label"] for p in fired)},
        "fired_by_set": dict(sorted(Counter(
            f"{p['set']} {'+' if p['label'] else '-'}" for p in fired).items())),
        "nouns_fired": dict(Counter(" / ".join(p["nouns"]) for p in fired).most_common()),
        "run": run_record()}
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"{len(pairs):,} pairs, H refuses {len(fired):,} more ({spent:.1f} s CPU): "
          f"paraphrases {summary['paraphrases']}, negatives {summary['negatives']}; "
          f"wrote {out}")
    return summary


def fire_decision(decision: tuple[str, ...], wordnet: Path, depth: int, out: Path) -> None:
    """The rule's step 1: the pairs of ``decision`` and ``others(decision)`` H refuses
    where the lookup without it would ask the models, each with the two nouns, and H's
    added CPU on ``decision``'s pairs (the hypernym table read first)."""
    hypernyms = Hypernyms.read(wordnet, depth=depth)
    vocabulary, synonyms = shared_verifier().vocabulary, shared_synonyms()
    short_forms = CacheConfig().short_forms
    summary = fire_over(
        decision, out, "H", "nouns",
        lambda a, b: names_cpu(a, b, lambda x, y: sisters_swapped(x, y, hypernyms, synonyms)),
        lambda a, b: fires(a, b, hypernyms, synonyms, short_forms, vocabulary), REPEATS)
    summary |= {"depth": depth, "wordnet": str(wordnet), "run": run_record()}
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")


def check_rows(fired: Path, off_rows: Path, rows: Path) -> None:
    """Stops unless ``rows`` (the lead's run on ``heldout.jsonl``) give each fired pair of
    it the verdict its row without H gives (step 2's), as the base rows are checked."""
    config = CacheConfig()
    cut = config.verifier_threshold or shared_verifier().threshold
    theirs = {(r["set"], r["a"], r["b"]): r for r in read_jsonl(rows)}
    differ = [p for p, mine in zip(read_jsonl(fired), read_jsonl(off_rows), strict=True)
              if p["set"].startswith("pairs:")
              and stage(theirs[(p["set"], p["a"], p["b"])], config.verifier_floor, cut)
              != stage(mine, config.verifier_floor, cut)]
    if differ:
        raise SystemExit(f"{len(differ)} heldout.jsonl pairs' rows without H differ from {rows}")


def h_verdict(counts: dict[str, int], cost_ms: float, taken: list[tuple[Row, str]],
              ) -> dict[str, Any]:
    """The rule's verdict: P and N over the decision sets (D29) only, pairs:qqp's taken
    apart (its paraphrase hits taken at most ``QUORA_TAKEN_MAX``), the other pairs'
    reported only, and the added CPU a pair."""
    quora = [p for p, _ in taken if p["set"] == QUORA]
    verdict: dict[str, Any] = {
        "P": counts["P_decision"], "N": counts["N_decision"],
        "quora_P": sum(p["label"] for p in quora),
        "quora_N": sum(1 - p["label"] for p in quora),
        "others_P": counts["P"] - counts["P_decision"] - sum(p["label"] for p in quora),
        "others_N": counts["N"] - counts["N_decision"] - sum(1 - p["label"] for p in quora),
        "others_P_generated": counts["P_generated"],
        "others_N_generated": counts["N_generated"],
        "added": counts["added"], "added_cpu_ms_median": cost_ms}
    verdict |= {
        "N>=3": verdict["N"] >= 3, "P<=3N": verdict["P"] <= 3 * verdict["N"],
        f"quora_P<={QUORA_TAKEN_MAX}": verdict["quora_P"] <= QUORA_TAKEN_MAX,
        f"cpu<={CPU_MAX_MS}ms": cost_ms <= CPU_MAX_MS}
    verdict["ships"] = all(verdict[k] for k in (
        "N>=3", "P<=3N", f"quora_P<={QUORA_TAKEN_MAX}", f"cpu<={CPU_MAX_MS}ms"))
    return verdict


def decide(base: Path, quora_rows: Path, fired: Path, off_rows: Path, out: Path,
           decision: tuple[str, ...]) -> None:
    check_rows(fired, off_rows, quora_rows)
    verdict = sparse_decide(RULE, "H", "nouns", base, fired, off_rows, None, None, out,
                            decision, sort_fired=False, trim=True, verdict_of=h_verdict)
    print(f"H {'ships' if verdict['ships'] else 'does not ship'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fire", help="the training pairs H refuses that the lookup passed on")
    f.add_argument("--sets", nargs="+", default=list(TRAIN),
                   help="default: data/cache_verifier/train*")
    f.add_argument("--wordnet", type=Path, required=True,
                   help="a WordNet database folder (data.noun, index.noun, noun.exc)")
    f.add_argument("--depth", type=int, default=DEPTH,
                   help=f"hypernym steps two nouns may meet within (default {DEPTH}: sisters)")
    f.add_argument("--decision", nargs="+", default=None,
                   help="the rule's run: these decision sets (session 23: D29) and their "
                        "others(), with H's added CPU on the decision pairs (--sets unread)")
    f.add_argument("--out", type=Path, required=True)
    d = sub.add_parser("decide", help="the lead's rule (session 23) on fire --decision's pairs")
    d.add_argument("--decision", nargs="+", default=list(D29),
                   help="the decision sets (default D29: heldout9-11, 14-39)")
    d.add_argument("--quora-rows", type=Path, required=True,
                   help="cache_losses --pairs-out rows of bench/cache_pairs/heldout.jsonl, "
                        "without H")
    d.add_argument("--out", type=Path, required=True)
    decide_arguments(d, "H", decision_rows=False, on_rows=False)
    args = parser.parse_args()
    if args.command == "decide":
        decide(args.base, args.quora_rows, args.fired, args.off_rows, args.out,
               tuple(args.decision))
    elif args.decision is not None:
        fire_decision(tuple(args.decision), args.wordnet, args.depth, args.out)
    else:
        fire(args.sets, args.wordnet, args.depth, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
