#!/usr/bin/env python3
"""Build the held-out test set (heldout9) from the hand-typed source files.

Standard library only. Reads src/q_[sg]_*.txt and src/p_[sg]_*.txt (sorted by
name), validates every field, rejects duplicates (exact and case-insensitive,
whitespace-normalised), and writes classifier_queries.jsonl and
cache_pairs.jsonl into the folder above src/. Prints a summary.
"""
import collections
import json
import os
import re
import sys

SRC = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(SRC)

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
TRAFFIC = {"s": "support", "g": "general"}
POS_KINDS = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym"}
NEG_KINDS = {"entity_swap", "number_swap", "near_topic", "intent_shift", "time_swap",
             "negation", "direction_swap", "unit_swap"}
WORD = re.compile(r"^[a-z][a-z_]*$")
QFILE = re.compile(r"^q_([sg])_([a-z0-9_]+)\.txt$")
PFILE = re.compile(r"^p_([sg])_([a-z0-9_]+)\.txt$")


class BuildError(Exception):
    pass


def norm(text):
    return " ".join(text.split()).casefold()


def decode(text):
    # a literal backslash-n in a source line stands for a newline
    return text.replace("\\n", "\n")


def source_lines(path):
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield lineno, line


def check_text(text, where):
    if not text or text != text.strip():
        raise BuildError(f"{where}: empty text or stray surrounding whitespace")
    if "||" in text:
        raise BuildError(f"{where}: '||' inside a text")
    if "\t" in text:
        raise BuildError(f"{where}: tab inside a text")


def parse_queries(files):
    rows, seen = [], {}
    for name in files:
        traffic = TRAFFIC[QFILE.match(name).group(1)]
        for lineno, line in source_lines(os.path.join(SRC, name)):
            where = f"{name}:{lineno}"
            parts = line.split(" ", 3)
            if len(parts) != 4:
                raise BuildError(f"{where}: expected '<tier> <style> <b|-> <text>'")
            tier, style, border, text = parts
            if tier not in TIERS:
                raise BuildError(f"{where}: bad tier {tier!r}")
            if not WORD.match(style):
                raise BuildError(f"{where}: bad style {style!r}")
            if border not in ("b", "-"):
                raise BuildError(f"{where}: bad borderline flag {border!r}")
            check_text(text, where)
            text = decode(text)
            key = norm(text)
            if key in seen:
                raise BuildError(f"{where}: duplicate query (first at {seen[key]})")
            seen[key] = where
            rows.append({"text": text, "tier": TIERS[tier], "traffic": traffic,
                         "style": style, "borderline": border == "b"})
    for i, row in enumerate(rows, 1):
        row_id = {"id": f"q{i:04d}"}
        row_id.update(row)
        rows[i - 1] = row_id
    return rows


def parse_pairs(files):
    rows, seen = [], {}
    for name in files:
        for lineno, line in source_lines(os.path.join(SRC, name)):
            where = f"{name}:{lineno}"
            fields = line.split(" || ")
            if len(fields) != 3:
                raise BuildError(f"{where}: expected '<label> <kind> <domain> || <a> || <b>'")
            head, a, b = fields
            head_parts = head.split(" ")
            if len(head_parts) != 3:
                raise BuildError(f"{where}: bad head {head!r}")
            label, kind, domain = head_parts
            if label not in ("0", "1"):
                raise BuildError(f"{where}: bad label {label!r}")
            label = int(label)
            if label == 1 and kind not in POS_KINDS:
                raise BuildError(f"{where}: kind {kind!r} is not a positive kind")
            if label == 0 and kind not in NEG_KINDS:
                raise BuildError(f"{where}: kind {kind!r} is not a negative kind")
            if not WORD.match(domain):
                raise BuildError(f"{where}: bad domain {domain!r}")
            check_text(a, where)
            check_text(b, where)
            a, b = decode(a), decode(b)
            if a == b:
                raise BuildError(f"{where}: both texts identical")
            if label == 0 and norm(a) == norm(b):
                raise BuildError(f"{where}: negative whose texts differ only by case/space")
            # a pair is a duplicate of another in either order
            key = tuple(sorted((norm(a), norm(b))))
            if key in seen:
                raise BuildError(f"{where}: duplicate pair (first at {seen[key]})")
            seen[key] = where
            rows.append({"a": a, "b": b, "label": label, "kind": kind, "domain": domain})
    out = []
    for i, row in enumerate(rows, 1):
        rec = {"id": f"p{i:04d}"}
        rec.update(row)
        out.append(rec)
    return out


def write_jsonl(path, rows):
    data = "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in rows)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(data)


def main():
    names = sorted(os.listdir(SRC))
    qfiles = [n for n in names if QFILE.match(n)]
    pfiles = [n for n in names if PFILE.match(n)]
    stray = [n for n in names if n.endswith(".txt") and n not in qfiles and n not in pfiles]
    if stray:
        raise BuildError(f"unrecognised source files: {stray}")
    if not qfiles or not pfiles:
        raise BuildError("no query or no pair source files")
    queries = parse_queries(qfiles)
    pairs = parse_pairs(pfiles)
    write_jsonl(os.path.join(OUT, "classifier_queries.jsonl"), queries)
    write_jsonl(os.path.join(OUT, "cache_pairs.jsonl"), pairs)

    print(f"queries: {len(queries)}")
    grid = collections.Counter((q["tier"], q["traffic"]) for q in queries)
    for tier in TIERS.values():
        print(f"  {tier:<10} support {grid[(tier, 'support')]:>4}  general {grid[(tier, 'general')]:>4}"
              f"  total {grid[(tier, 'support')] + grid[(tier, 'general')]:>4}")
    traffic = collections.Counter(q["traffic"] for q in queries)
    print(f"  traffic: {dict(sorted(traffic.items()))}")
    print(f"  borderline: {sum(q['borderline'] for q in queries)}")
    styles = collections.Counter(q["style"] for q in queries)
    print(f"  styles: {dict(sorted(styles.items()))}")
    print(f"pairs: {len(pairs)}")
    labels = collections.Counter(p["label"] for p in pairs)
    print(f"  labels: positive {labels[1]}  negative {labels[0]}")
    kinds = collections.Counter((p["label"], p["kind"]) for p in pairs)
    for (label, kind), n in sorted(kinds.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
        print(f"  {label} {kind:<14} {n}")
    domains = collections.Counter(p["domain"] for p in pairs)
    print(f"  domains: {dict(sorted(domains.items()))}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BuildError as exc:
        print(f"build error: {exc}", file=sys.stderr)
        sys.exit(1)
