"""A blind second reading of the populated caches' answers (session 36, helper i28,
exploration): are the negative queries that another entry answered wrong answers?

``bench/cache_shared.py`` counts a negative query (label 0) answered by another entry than
its own pair's (outcome ``other``, ``other_same`` or ``other_negative``) as a wrong answer,
but that entry was written by another writer for another pair and its cached answer may
be a right answer to the query. This tool builds the items to read, blind:

- ``shipped``: every (query, answered text) where a negative query was answered by another
  entry in the shipped variant (``0.5:5:m``);
- ``added``: the same in any other variant given (rule NO's ``...:l1.01``, rule FN's
  ``...:nF``) and not in ``shipped``;
- ``control_para``: a random sample of paraphrase queries (label 1) answered by another
  entry (the labels say nothing of whether that answer is right);
- ``control_own``: a random sample of negative queries answered by their own pair's entry
  (the false hits: wrong by the writers' labels; a reader who calls many of them ``same``
  disagrees with the writers).

A text pair found under both labels (a negative in one set, a paraphrase's own answer in
another) is in no group: the labels already say its answer is right (``other_same``).
Items are deduplicated by (query, answered text), shuffled (seed 36) and written as a blind
file (``item``, ``query``, ``answered``: no variant, label or outcome) and a key file kept
apart. A reader writes one line per item (``item``, ``judgement`` in same / wrong / unsure,
``reason``); ``unblind`` joins the two and counts per group::

    .venv/bin/python bench/answer_audit.py build \\
        /work/i27/bench/results/local/i27-shared-*.jsonl \\
        /work/i24/bench/results/local/i24-shared-*.jsonl
    .venv/bin/python bench/answer_audit.py unblind \
        /work/i27/bench/results/local/i27-shared-*.jsonl \
        /work/i24/bench/results/local/i24-shared-*.jsonl

``unblind`` also counts, per run (the file's prefix, ``i27`` in ``i27-shared-80-81.jsonl``)
and variant, every negative query's answer row by row (the bar counts rows, not text
pairs): its own entry's or another's, read same / wrong / unsure (``labelled_right``: a
pair in no group, see above).

Writes ``bench/results/local/audit-blind.jsonl``, ``bench/results/local/audit-key.jsonl``;
``unblind`` reads ``bench/results/local/audit-judged.jsonl`` and writes
``bench/results/answer-audit-session36.json``.

``agree`` (session 37, helper i31) joins two readers' judged files of the same blind items
with the key: per group (and over all items) each reader's counts, the raw agreement (the
same one of same / wrong / unsure), Cohen's kappa over the three judgements and over same vs
wrong (the items either reader called ``unsure`` left out, their number given), the items
the two disagree on with both texts and reasons, and the bar read by both: the shipped
lookup's negatives another entry answered that both readers call wrong, and that either
does (with row files, also row by row per run and lookup, as ``unblind`` counts)::

    .venv/bin/python bench/answer_audit.py agree \\
        --first i28=bench/results/local/audit-judged.jsonl \\
        --second i31=bench/results/local/audit-judged-i31.jsonl \\
        /work/i27/bench/results/local/i27-shared-*.jsonl \\
        /work/i24/bench/results/local/i24-shared-*.jsonl

Writes ``bench/results/answer-audit-agree-session37.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SHIPPED = "0.5:5:m"
OTHER = ("other", "other_same", "other_negative")
GROUPS = ("shipped", "added", "control_para", "control_own")
JUDGEMENTS = ("same", "wrong", "unsure")
LOCAL = Path("bench/results/local")
BLIND = LOCAL / "audit-blind.jsonl"
KEY = LOCAL / "audit-key.jsonl"
JUDGED = LOCAL / "audit-judged.jsonl"
RESULT = Path("bench/results/answer-audit-session36.json")
AGREE_RESULT = Path("bench/results/answer-audit-agree-session37.json")


def read_rows(paths: Iterable[Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in paths:
        with path.open() as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


def _collect(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (query, answered text), the rows' variants, sets, ids, labels, outcomes and
    relations (a text pair can come from several variants and caches)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if row["answered"] is None:
            continue
        key = (row["b"], row["answered"])
        entry = found.setdefault(key, {"query": row["b"], "answered": row["answered"],
                                       "own": row["a"], "variants": set(), "rows": set(),
                                       "labels": set(), "outcomes": set(),
                                       "relations": set()})
        entry["variants"].add(row["variant"])
        entry["rows"].add(f"{row['set']}:{row['id']}")
        entry["labels"].add(row["label"])
        entry["outcomes"].add(row["outcome"])
        entry["relations"].add(str(row["relation"]))
    return found


def build_items(rows: Iterable[dict[str, Any]], shipped: str = SHIPPED, seed: int = 36,
                controls: int = 60) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The blind items and their key, each numbered from 1 in a shuffled order."""
    found = _collect(rows)
    groups: dict[str, list[tuple[str, str]]] = {group: [] for group in GROUPS}
    for key in sorted(found):
        entry = found[key]
        other = entry["outcomes"] & set(OTHER)
        if entry["labels"] == {0} and other:
            group = "shipped" if shipped in entry["variants"] else "added"
            groups[group].append(key)
        elif entry["labels"] == {1} and other:
            groups["control_para"].append(key)
        elif entry["labels"] == {0} and entry["outcomes"] == {"partner"}:
            groups["control_own"].append(key)
    rng = random.Random(seed)
    for group in ("control_para", "control_own"):
        pool = groups[group]
        groups[group] = sorted(rng.sample(pool, min(controls, len(pool))))
    order = [(group, key) for group in GROUPS for key in groups[group]]
    rng.shuffle(order)
    blind: list[dict[str, Any]] = []
    keys: list[dict[str, Any]] = []
    for number, (group, key) in enumerate(order, start=1):
        entry = found[key]
        blind.append({"item": number, "query": entry["query"], "answered": entry["answered"]})
        keys.append({"item": number, "group": group, "query": entry["query"],
                     "answered": entry["answered"], "own": entry["own"],
                     **{name: sorted(entry[name]) for name in
                        ("variants", "rows", "labels", "outcomes", "relations")}})
    return blind, keys


def _by_item(judged: Sequence[dict[str, Any]],
             keys: Sequence[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The judged rows by item: every key item judged once, with a known judgement."""
    by_item = {row["item"]: row for row in judged}
    if len(by_item) != len(judged):
        raise ValueError("an item is judged twice")
    if set(by_item) != {key["item"] for key in keys}:
        raise ValueError("the judged items are not the key's items")
    for number, row in by_item.items():
        if row["judgement"] not in JUDGEMENTS:
            raise ValueError(f"item {number}: unknown judgement {row['judgement']!r}")
    return by_item


def unblind(judged: Sequence[dict[str, Any]], keys: Sequence[dict[str, Any]],
            shipped: str = SHIPPED) -> dict[str, Any]:
    """Counts of same / wrong / unsure per group, and per variant over the negatives that
    another entry answered; every item must be judged once, with a known judgement."""
    by_item = _by_item(judged, keys)
    counts = {group: {name: 0 for name in JUDGEMENTS} for group in GROUPS}
    variants: dict[str, dict[str, int]] = {}
    items: list[dict[str, Any]] = []
    for key in keys:
        verdict = by_item[key["item"]]["judgement"]
        counts[key["group"]][verdict] += 1
        if key["group"] in ("shipped", "added"):
            for variant in key["variants"]:
                tally = variants.setdefault(variant, {name: 0 for name in JUDGEMENTS})
                tally[verdict] += 1
        items.append({**key, "judgement": verdict, "reason": by_item[key["item"]]["reason"]})
    return {"groups": counts, "negatives_by_variant": dict(sorted(variants.items())),
            "shipped_variant": shipped, "items": items}


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two readers' labels, (observed - chance) / (1 - chance), chance from
    each reader's own label frequencies; None with no pairs or when chance agreement is 1
    (both readers gave one and the same label throughout)."""
    if not pairs:
        return None
    total = len(pairs)
    observed = sum(first == second for first, second in pairs) / total
    labels = {label for pair in pairs for label in pair}
    chance = sum((sum(first == label for first, _ in pairs) / total)
                 * (sum(second == label for _, second in pairs) / total) for label in labels)
    if chance == 1:
        return None
    return (observed - chance) / (1 - chance)


def _agreement(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Counts, raw agreement and kappas of (first, second) judgement pairs."""
    binary = [pair for pair in pairs if "unsure" not in pair]
    kappa3 = cohen_kappa(pairs)
    kappa2 = cohen_kappa(binary)
    return {
        "items": len(pairs),
        "first": {name: sum(first == name for first, _ in pairs) for name in JUDGEMENTS},
        "second": {name: sum(second == name for _, second in pairs) for name in JUDGEMENTS},
        "both": {f"{first}/{second}": sum(pair == (first, second) for pair in pairs)
                 for first in JUDGEMENTS for second in JUDGEMENTS},
        "agree": sum(first == second for first, second in pairs),
        "raw_agreement": round(sum(first == second for first, second in pairs) / len(pairs), 4)
        if pairs else None,
        "kappa_three": None if kappa3 is None else round(kappa3, 4),
        "same_vs_wrong_items": len(binary),
        "same_vs_wrong_left_out_unsure": len(pairs) - len(binary),
        "same_vs_wrong_agree": sum(first == second for first, second in binary),
        "kappa_same_vs_wrong": None if kappa2 is None else round(kappa2, 4)}


def wrong_by(first: str, second: str) -> str:
    """How many of two readers call a text pair wrong: ``both``, ``one`` or ``neither``."""
    count = (first == "wrong") + (second == "wrong")
    return ("neither", "one", "both")[count]


def agree(first: Sequence[dict[str, Any]], second: Sequence[dict[str, Any]],
          keys: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Two readers' judgements of the same items joined with the key: agreement per group
    and over all, the items they disagree on, and the shipped group's wrong answers read by
    both (``both_wrong``) and by either (``either_wrong``). ``disagreements`` numbers the
    items per group; ``items`` holds every item with both texts, judgements and reasons."""
    one, two = _by_item(first, keys), _by_item(second, keys)
    pairs: dict[str, list[tuple[str, str]]] = {group: [] for group in GROUPS}
    disagreements: dict[str, list[int]] = {group: [] for group in GROUPS}
    items: list[dict[str, Any]] = []
    for key in sorted(keys, key=lambda key: key["item"]):
        a, b = one[key["item"]], two[key["item"]]
        pair = (a["judgement"], b["judgement"])
        pairs[key["group"]].append(pair)
        joined = {"item": key["item"], "group": key["group"], "query": key["query"],
                  "answered": key["answered"], "first": pair[0], "second": pair[1],
                  "first_reason": a["reason"], "second_reason": b["reason"]}
        items.append(joined)
        if pair[0] != pair[1]:
            disagreements[key["group"]].append(key["item"])
    groups = {group: _agreement(pairs[group]) for group in GROUPS}
    groups["all"] = _agreement([pair for group in GROUPS for pair in pairs[group]])
    shipped = pairs["shipped"]
    bar = {"items": len(shipped),
           "both_wrong": sum(wrong_by(*pair) == "both" for pair in shipped),
           "either_wrong": sum(wrong_by(*pair) != "neither" for pair in shipped),
           "both_same": sum(pair == ("same", "same") for pair in shipped),
           "either_same": sum("same" in pair for pair in shipped),
           "first_wrong": sum(pair[0] == "wrong" for pair in shipped),
           "second_wrong": sum(pair[1] == "wrong" for pair in shipped)}
    return {"groups": groups, "shipped_bar": bar, "disagreements": disagreements,
            "kappa_note": "kappa_three: Cohen's kappa over same / wrong / unsure as three labels; "
            "kappa_same_vs_wrong: over the items neither reader called unsure (the number "
            "left out is given)", "items": items}


def row_tallies(tagged: Iterable[tuple[str, dict[str, Any]]],
                items: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per ``run:variant``, the negative queries' answer rows as read: ``own_`` or
    ``other_`` and the judgement of their text pair (``labelled_right``: another entry
    that the labels make the query's question, a pair left out of the reading)."""
    read = {(item["query"], item["answered"]): item["judgement"] for item in items}
    tallies: dict[str, dict[str, int]] = {}
    for run, row in tagged:
        if row["label"] != 0 or row["answered"] is None:
            continue
        side = "own" if row["outcome"] == "partner" else "other"
        verdict = read.get((row["b"], row["answered"]))
        if verdict is None:
            if row["outcome"] != "other_same":
                raise ValueError(f"{row['set']}:{row['id']}: an answer that was not read")
            verdict = "labelled_right"
        tally = tallies.setdefault(f"{run}:{row['variant']}", {})
        tally[f"{side}_{verdict}"] = tally.get(f"{side}_{verdict}", 0) + 1
    return {name: dict(sorted(tally.items())) for name, tally in sorted(tallies.items())}


def _tagged(paths: Iterable[Path]) -> list[tuple[str, dict[str, Any]]]:
    return [(path.name.split("-shared")[0], row) for path in paths for row in read_rows([path])]


def dumps(result: dict[str, Any]) -> str:
    """The result with its tallies indented and its items one to a line (small diffs)."""
    head = {name: value for name, value in result.items() if name != "items"}
    body = json.dumps(head, indent=1, ensure_ascii=False)[:-2]
    lines = ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in result["items"])
    return f'{body},\n "items": [\n  {lines}\n ]\n}}\n'


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _reader(text: str) -> tuple[str, Path]:
    name, _, path = text.partition("=")
    if not path:
        raise argparse.ArgumentTypeError(f"{text!r}: give NAME=PATH")
    return name, Path(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_agree(first: tuple[str, Path], second: tuple[str, Path],
              paths: Sequence[Path]) -> dict[str, Any]:
    """``agree`` on the files, with their sha256 and (given row files) the rows by run:
    ``own_`` / ``other_`` and how many readers call the row's text pair wrong."""
    keys = read_rows([KEY])
    result = agree(read_rows([first[1]]), read_rows([second[1]]), keys)
    result["readers"] = {"first": first[0], "second": second[0]}
    result["sha256"] = {str(path): _sha256(path) for path in (first[1], second[1], KEY)}
    if paths:
        read = [{"query": item["query"], "answered": item["answered"],
                 "judgement": f"wrong_by_{wrong_by(item['first'], item['second'])}"}
                for item in result["items"]]
        result["rows_by_run"] = row_tallies(_tagged(paths), read)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build")
    build.add_argument("paths", nargs="+", type=Path)
    opened = sub.add_parser("unblind")
    opened.add_argument("paths", nargs="+", type=Path)
    joined = sub.add_parser("agree")
    joined.add_argument("--first", type=_reader, required=True, help="NAME=judged file")
    joined.add_argument("--second", type=_reader, required=True, help="NAME=judged file")
    joined.add_argument("paths", nargs="*", type=Path, help="row files (optional)")
    args = parser.parse_args(argv)
    if args.command == "agree":
        result = run_agree(args.first, args.second, args.paths)
        AGREE_RESULT.write_text(dumps(result))
        print(json.dumps({name: result[name] for name in ("groups", "shipped_bar")
                          + (("rows_by_run",) if "rows_by_run" in result else ())}, indent=1))
        names = result["readers"]
        for item in result["items"]:
            if item["first"] != item["second"]:
                print(f"{item['item']} {item['group']}: {item['query']!r} / {item['answered']!r}"
                      f"\n    {names['first']} {item['first']}: {item['first_reason']}"
                      f"\n    {names['second']} {item['second']}: {item['second_reason']}")
        return
    if args.command == "build":
        blind, keys = build_items(read_rows(args.paths))
        _write_jsonl(BLIND, blind)
        _write_jsonl(KEY, keys)
        print(f"{len(blind)} items; groups:",
              {group: sum(key["group"] == group for key in keys) for group in GROUPS})
        return
    keys = read_rows([KEY])
    result = unblind(read_rows([JUDGED]), keys)
    result["rows_by_run"] = row_tallies(_tagged(args.paths), result["items"])
    RESULT.write_text(dumps(result))
    print(json.dumps({name: result[name] for name in
                      ("groups", "negatives_by_variant", "rows_by_run")}, indent=1))


if __name__ == "__main__":
    main()
