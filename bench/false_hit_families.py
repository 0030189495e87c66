"""The false hits S5 passes on seen writers, read by family, and one check for the family a
check can see (session 31, helper i13; exploration on seen sets, decides nothing).

    families  every negative the lookup passes in the rows given (``cache_losses.stage`` at
              floor 0.5 and cut 0.916959, the shipped point), with the family it was read
              into by hand (``FAMILIES``: heldout54-77; a pair not in it reads "unread"),
              both texts, the writer's kind, the mapped cosine and p; counts by family and
              by set
    check     ``extra_ask.asks_first`` (``cache.extra_ask_first``) on rows made with it
              off (the lead's): the pairs it fires on, by set and label, split into
              those the lookup passes (what turning it on changes: negatives it refuses,
              positives it loses; each listed) and the rest (counted; the first
              ``LISTED`` listed); per set recall and false hits off and on;
              its CPU per candidate the verifier passed (process time, views built first,
              as the lookup holds them); with ``--bundle`` the same firing count on the
              verifier's training pairs (texts and labels; the first ``LISTED`` of each
              label listed), where a labelled positive it fires on is evidence too.
              ``--shape request_verb`` reads instead the broader shape measured and left
              (``request_verb``)

    R=/work/base; ROWS="$(printf "$R/m29-%s-a1ee7c5-pairs.jsonl " P4 D58 D60 D62 D64 D66 D68)
      $R/m30-D70-6858d08-pairs.jsonl $R/m31-D72-833a372-pairs.jsonl
      $R/m30-D74-6858d08-pairs.jsonl $R/m31-D76-833a372-pairs.jsonl"
    .venv/bin/python bench/false_hit_families.py families --rows $ROWS \\
        --out bench/results/false-hits-families-session31.json
    .venv/bin/python bench/false_hit_families.py check \\
        --rows $ROWS $R/m29-quora-a1ee7c5-pairs.jsonl --bundle /work/i12/.cache/cross-s5 \\
        --out bench/results/extra-ask-first-session31.json   # --shape request_verb: the other

The check only refuses a pair the verifier passed, so rows made with it off say what the
lookup does with it on: a pair is a hit with it on where ``stage`` makes it one and the
check does not fire (a respelled hit never reaches the verifier, so the check never reads
it). Rows of sets the lead has reserved are read only on the lead's word.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cache_losses import stage  # noqa: E402
from refusal_families import read_jsonl  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache.extra_ask import asks_first  # noqa: E402
from llm_router.cache.lexicon import CONTEXT_WORDS  # noqa: E402
from llm_router.cache.narrowing import ASKS  # noqa: E402
from llm_router.cache.pair_features import MATCH, TextView, similarity_matrix  # noqa: E402

FLOOR, CUT = 0.5, 0.916959
LISTED = 25  # pairs listed of those a shape fires on that change nothing (rows: the lookup
# refuses them anyway; the bundle: training pairs), the first in order; all are counted

# Every negative the shipped lookup passes in heldout54-77 (the lead's rows: m29 P4, D58-D68,
# m30 D70 and D74, m31 D72 and D76), read by hand: (family, how). Families: an entity swap
# (one thing named for another, the rest the same: a word or a short span, a time or a
# party included), a number or unit swap, the query asks more than the entry (it holds the
# entry's ask and adds a request: after, before or wrapped around the shared words), a
# different request about the same thing (another question, or asking the business to do
# an act the entry does not ask about), negation (or its opposite), direction (who does
# what to whom, which way), label doubtful (reads as the same question), other.
FAMILIES: dict[str, tuple[str, str]] = {
    "heldout54/p0039": ("entity swap", "chomp / chop (respelled: passed before the verifier)"),
    "heldout54/p0184": ("different request", "another question: climate modelling against a "
                                             "TV forecast, not weather against climate"),
    "heldout54/p0229": ("entity swap", "stepdaughter / daughter"),
    "heldout54/p0283": ("entity swap", "funicular / chairlift"),
    "heldout54/p0746": ("different request", "another question: the earliest date in the new "
                                              "year, Christmas given up"),
    "heldout55/p0285": ("entity swap", "bridesmaid / wedding dress"),
    "heldout55/p0295": ("asks more", "before: clean and preserve (store in other words) after "
                                     "the wedding"),
    "heldout55/p0524": ("direction", "if I cancel / if you cancel"),
    "heldout56/p0627": ("entity swap", "treble / bass valves"),
    "heldout57/p0648": ("number/unit swap", "bags / buckets per square metre"),
    "heldout58/p0685": ("different request", "another question: how soon after the boat left, "
                                             "not the cutoff before it sails"),
    "heldout59/p0192": ("entity swap", "struct / trait"),
    "heldout59/p0344": ("direction", "the festival pays traders / traders pay the festival"),
    "heldout59/p0420": ("different request", "an act: send the documents customs asks for"),
    "heldout61/p0594": ("different request", "another question: the last train back, not how "
                                             "long the train takes"),
    "heldout62/p0147": ("direction", "goes into / comes out of a leaf"),
    "heldout63/p0022": ("different request", "another question: when a bill lapses, not when "
                                             "a law comes into force"),
    "heldout63/p0086": ("direction", "ascending / descending order"),
    "heldout63/p0090": ("entity swap", "write / append to a file"),
    "heldout63/p0198": ("entity swap", "cover letter / CV"),
    "heldout63/p0707": ("different request", "another question, narrower: does the insurance "
                                             "cover the building's walls"),
    "heldout64/p0241": ("entity swap", "glaciers move / form"),
    "heldout64/p0253": ("entity swap", "before birth / in old age"),
    "heldout64/p0379": ("negation", "safe / harmful"),
    "heldout64/p0389": ("entity swap", "llamas / alpacas (reworded around them)"),
    "heldout64/p0456": ("different request", "another question, narrower: where a dog gets "
                                             "water and shade"),
    "heldout65/p0195": ("different request", "another question: expected rolls until a 6, "
                                             "not the chance of a 6"),
    "heldout65/p0449": ("different request", "an act: a private route past grandmother's "
                                             "house"),
    "heldout65/p0479": ("entity swap", "stunt / kitesurfing kites"),
    "heldout67/p0149": ("entity swap", "beginner / experienced knitter"),
    "heldout68/p0148": ("different request", "another question: surface against body waves, "
                                             "not P waves in granite"),
    "heldout69/p0118": ("entity swap", "warm / cold front"),
    "heldout69/p0186": ("different request", "another question, narrower: why yawning is "
                                             "contagious"),
    "heldout70/p0146": ("direction", "a judge overrules a jury / a jury a judge"),
    "heldout70/p0147": ("entity swap", "defence / prosecution appeals"),
    "heldout70/p0150": ("entity swap", "the court's allowances / the employer's duty"),
    "heldout70/p0183": ("different request", "another question: what else the author wrote"),
    "heldout70/p0450": ("entity swap", "sled / snowmobile tour"),
    "heldout70/p0528": ("entity swap", "fridge / freezer"),
    "heldout71/p0241": ("entity swap", "pension / life insurance payout"),
    "heldout74/p0279": ("entity swap", "DBS / indemnity insurance certificate"),
    "heldout75/p0135": ("different request", "another question, narrower: why a tuple can be "
                                             "a key (a full answer to the difference may say "
                                             "it: the closest to doubtful)"),
    "heldout75/p0571": ("entity swap", "trilby / fedora block (respelled: a synonym form)"),
    "heldout75/p0699": ("negation", "open / kept shut"),
    "heldout72/p0079": ("direction", "O patient, A blood / A patient, O blood"),
    "heldout72/p0367": ("different request", "another question: accessories for a loom, not "
                                             "which loom"),
    "heldout72/p0578": ("different request", "another question: the line for the reel, not "
                                             "which reel"),
    "heldout72/p0728": ("entity swap", "fedora / homburg (respelled: a synonym form)"),
    "heldout73/p0085": ("number/unit swap", "grams in an ounce / millilitres in a fluid ounce"),
    "heldout73/p0384": ("negation", "charged / waived"),
    "heldout76/p0294": ("asks more", "wrapped: come to our tower and teach method ringing to "
                                     "our learners"),
    "heldout76/p0530": ("entity swap", "oast house / threshing barn"),
    "heldout76/p0784": ("different request", "an act: a written timetable of the repair for "
                                             "the insurer"),
    "heldout77/p0372": ("number/unit swap", "litres / kilos of antifouling"),
    "heldout77/p0418": ("different request", "an act: arrange the ferry for the cat"),
    "heldout77/p0545": ("entity swap", "floor / edging sander"),
}


def key(row: dict[str, Any]) -> str:
    return f"{row['set']}/{row['id']}"


def passed(row: dict[str, Any]) -> bool:
    """Whether the shipped lookup answers the pair (the check off)."""
    return stage(row, FLOOR, CUT)[1]


def families(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The negatives the lookup passes, each with its hand-read family, and the counts."""
    listed = []
    for r in rows:
        if r["label"] or not passed(r):
            continue
        family, how = FAMILIES.get(key(r), ("unread", ""))
        listed.append({"set": r["set"], "id": r["id"], "kind": r["kind"], "family": family,
                       "how": how, "stage": stage(r, FLOOR, CUT)[0],
                       "similarity": round(r["similarity"], 4),
                       "p": None if r["p"] is None else round(r["p"], 4),
                       "a": r["a"], "b": r["b"]})
    by_set: dict[str, Counter[str]] = defaultdict(Counter)
    for item in listed:
        by_set[item["set"]][item["family"]] += 1
    counts = Counter(item["family"] for item in listed)
    return {"floor": FLOOR, "cut": CUT, "passed": len(listed),
            "negatives": sum(1 for r in rows if not r["label"]),
            "by_family": dict(counts.most_common()),
            "acts_among_different_requests": sum(
                1 for item in listed if item["how"].startswith("an act")),
            "asks_more_by_place": dict(Counter(item["how"].split(":")[0] for item in listed
                                               if item["family"] == "asks more")),
            "by_set": {name: dict(c) for name, c in sorted(by_set.items())},
            "pairs": listed}


# ``request_verb``: the broader shape read and left (session 31). The query asks the
# business for an act (an auxiliary and "you" / "someone" / "your X", then the verb) whose
# verb is neither one that only asks for an answer (``LIGHT``) nor matched by any content
# word of the cached whole question (its stem, or static vectors at ``MATCH``), and it names
# 3 content words the cached text lacks.
_AUXILIARIES = frozenset({"can", "could", "would", "will"})
_ADDRESSEES = frozenset({"you", "someone", "somebody", "anyone", "anybody"})
_SKIPPED = frozenset({"please", "kindly", "also", "still", "actually", "just", "possibly",
                      "maybe", "ever", "really", "then", "now", "perhaps"})
LIGHT = frozenset(re.split(r"\s+", """tell explain confirm advise let help show clarify remind
suggest recommend say check describe walk give provide send find look calculate inform
update"""))


def request_verb(cached: TextView, query: TextView) -> bool:
    if not cached.words or not ASKS.match(cached.words[0]):
        return False
    own = set(cached.stems)
    if sum(1 for w, s, c in zip(query.words, query.stems, query.content, strict=True)
           if c and s not in own and w not in CONTEXT_WORDS) < 3:
        return False
    words, sims = query.words, similarity_matrix(query, cached)
    for j in range(len(words) - 2):
        if words[j] not in _AUXILIARIES:
            continue
        k = j + 1
        if words[k] in _ADDRESSEES:
            k += 1
        elif words[k] in ("your", "the"):
            k += 2
        else:
            continue
        while k < len(words) and words[k] in _SKIPPED:
            k += 1
        if words[k:k + 3] == ("be", "able", "to"):
            k += 3
        if (k < len(words) and query.content[k] and words[k] not in LIGHT
                and query.stems[k] not in own
                and not (sims.size and (sims[k][cached.content] >= MATCH).any())):
            return True
    return False


SHAPES = {"asks_first": lambda a, b: asks_first(a, b), "request_verb": request_verb}


def rates(rows: list[dict[str, Any]], fired: set[str]) -> dict[str, Any]:
    """Recall and false hits with the check off and on."""
    pos = [r for r in rows if r["label"]]
    neg = [r for r in rows if not r["label"]]

    def found(group: list[dict[str, Any]], on: bool) -> int:
        return sum(1 for r in group if passed(r) and not (on and key(r) in fired))

    return {"positives": len(pos), "negatives": len(neg),
            "hits_off": found(pos, False), "hits_on": found(pos, True),
            "false_hits_off": found(neg, False), "false_hits_on": found(neg, True)}


def check(rows: list[dict[str, Any]], shape: str, view: Any) -> dict[str, Any]:
    """Where ``shape`` fires on the rows, what it changes, and its CPU per candidate."""
    fires = SHAPES[shape]
    views = {key(r): (view(r["a"]), view(r["b"])) for r in rows}  # built before the clock
    candidates = [r for r in rows if r["p"] is not None and r["p"] >= CUT]
    started = time.process_time()
    for r in candidates:
        fires(*views[key(r)])
    spent = time.process_time() - started
    fired = {key(r) for r in rows if fires(*views[key(r)])}
    by_set: dict[str, Any] = {}
    for name in dict.fromkeys(r["set"] for r in rows):
        mine = [r for r in rows if r["set"] == name]
        by_set[name] = {**rates(mine, fired),
                        "fired_by_label": dict(Counter(
                            str(r["label"]) for r in mine if key(r) in fired))}
    listed = [{"set": r["set"], "id": r["id"], "kind": r["kind"], "label": r["label"],
               "passed": passed(r), "stage": stage(r, FLOOR, CUT)[0],
               "similarity": round(r["similarity"], 4),
               "p": None if r["p"] is None else round(r["p"], 4), "a": r["a"], "b": r["b"]}
              for r in rows if key(r) in fired]
    changed = [x for x in listed if x["passed"]]
    unchanged = [x for x in listed if not x["passed"]]
    independent = [r for r in rows if not r["set"].startswith("pairs:")]
    return {"shape": shape, "rows_read": len(rows), "all_but_pairs": rates(independent, fired),
            "by_set": by_set,
            "refused_negatives": sum(1 for x in changed if not x["label"]),
            "refused_positives": sum(1 for x in changed if x["label"]),
            "fired_not_passed_by_label": dict(Counter(str(x["label"]) for x in unchanged)),
            # every pair it refuses that the lookup passes; of the rest, the first LISTED
            "fired": changed + unchanged[:LISTED],
            "cpu_us_per_candidate": round(1e6 * spent / max(len(candidates), 1), 2),
            "candidates_timed": len(candidates)}


def bundle(folder: Path, shape: str, view: Any) -> dict[str, Any]:
    """Where ``shape`` fires on the verifier's training pairs (``bundle-probe.jsonl``, its
    texts in order, and ``bundle.npz``'s ``train.label``)."""
    texts = read_jsonl(folder / "bundle-probe.jsonl")
    labels = np.load(folder / "bundle.npz")["train.label"]
    if len(labels) != len(texts):
        raise SystemExit(f"{folder}: {len(texts)} texts against {len(labels)} labels")
    fires = SHAPES[shape]
    fired = [{"index": i, "label": int(labels[i]), "a": t["cached"], "b": t["query"]}
             for i, t in enumerate(texts) if fires(view(t["cached"]), view(t["query"]))]
    return {"folder": str(folder), "pairs": len(texts),
            "labels": dict(Counter(str(int(x)) for x in labels)),
            "fired_by_label": dict(Counter(str(x["label"]) for x in fired)),
            "fired": [x for x in fired if x["label"]][:LISTED]  # the first, positives first
            + [x for x in fired if not x["label"]][:LISTED]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("families", "check"):
        command = sub.add_parser(name)
        command.add_argument("--rows", type=Path, nargs="+", required=True,
                             help="bench/cache_losses.py --pairs-out files (the check off)")
        command.add_argument("--out", type=Path, required=True)
    sub.choices["check"].add_argument("--shape", choices=sorted(SHAPES), default="asks_first")
    sub.choices["check"].add_argument("--bundle", type=Path, default=None,
                                      help="a folder with bundle-probe.jsonl and bundle.npz")
    args = parser.parse_args()
    rows = [r for path in args.rows for r in read_jsonl(path)]
    if args.command == "families":
        result = families(rows)
    else:
        from llm_router.cache.verifier import shared_verifier

        view = functools.cache(shared_verifier().vocabulary.view)
        result = check(rows, args.shape, view)
        if args.bundle is not None:
            result["bundle"] = bundle(args.bundle, args.shape, view)
    result = {**result, "rows": [str(p) for p in args.rows], "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items()
                      if k not in ("pairs", "fired", "bundle", "rows", "by_set")}, indent=1))
    if "bundle" in result:
        print("bundle fired by label:", result["bundle"]["fired_by_label"])
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
