#!/usr/bin/env python3
"""Build the held-out test set from the hand-written source files.

Standard library only. Reads src/q_[sg]_*.txt and src/p_[sg]_*.txt (sorted by
file name), validates every field, rejects duplicates (exact and
case-insensitive, whitespace-normalised) and writes
../classifier_queries.jsonl and ../cache_pairs.jsonl.
Exits non-zero with a message listing every problem found.
"""
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
WORD = re.compile(r"^[a-z]+$")
DOMAIN = re.compile(r"^[a-z][a-z_]*$")
QFILE = re.compile(r"^q_([sg])_([a-z0-9_]+)\.txt$")
PFILE = re.compile(r"^p_([sg])_([a-z0-9_]+)\.txt$")


def norm(text):
    return " ".join(text.split()).casefold()


def unescape(text):
    return text.replace("\\n", "\n")


def source_lines(path):
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield no, line


def main():
    errors = []
    files = sorted(os.listdir(SRC))
    qfiles = [f for f in files if QFILE.match(f)]
    pfiles = [f for f in files if PFILE.match(f)]
    stray = [f for f in files if f.endswith(".txt") and f not in qfiles and f not in pfiles]
    for f in stray:
        errors.append(f"{f}: file name matches neither q_<s|g>_<theme>.txt nor p_<s|g>_<theme>.txt")

    queries, seen_q = [], {}
    for fname in qfiles:
        traffic = TRAFFIC[QFILE.match(fname).group(1)]
        for no, line in source_lines(os.path.join(SRC, fname)):
            where = f"{fname}:{no}"
            parts = line.split(" ", 3)
            if len(parts) != 4:
                errors.append(f"{where}: expected '<tier> <style> <b|-> <text>'")
                continue
            tier, style, flag, text = parts
            if tier not in TIERS:
                errors.append(f"{where}: bad tier {tier!r}")
            if not WORD.match(style):
                errors.append(f"{where}: bad style {style!r}")
            if flag not in ("b", "-"):
                errors.append(f"{where}: bad borderline flag {flag!r}")
            text = unescape(text.strip())
            if not text.strip():
                errors.append(f"{where}: empty text")
                continue
            if "||" in text:
                errors.append(f"{where}: '||' in a query text")
            key = norm(text)
            if key in seen_q:
                errors.append(f"{where}: duplicate query (first at {seen_q[key]})")
                continue
            seen_q[key] = where
            queries.append({
                "text": text,
                "tier": TIERS.get(tier, tier),
                "traffic": traffic,
                "style": style,
                "borderline": flag == "b",
            })

    pairs, seen_p = [], {}
    for fname in pfiles:
        for no, line in source_lines(os.path.join(SRC, fname)):
            where = f"{fname}:{no}"
            fields = line.split("||")
            if len(fields) != 3:
                errors.append(f"{where}: expected '<label> <kind> <domain> || <a> || <b>'")
                continue
            head, a, b = (x.strip() for x in fields)
            hp = head.split()
            if len(hp) != 3:
                errors.append(f"{where}: header must be '<label> <kind> <domain>'")
                continue
            label, kind, domain = hp
            if label not in ("0", "1"):
                errors.append(f"{where}: bad label {label!r}")
            elif label == "1" and kind not in POS_KINDS:
                errors.append(f"{where}: kind {kind!r} is not a positive kind")
            elif label == "0" and kind not in NEG_KINDS:
                errors.append(f"{where}: kind {kind!r} is not a negative kind")
            if not DOMAIN.match(domain):
                errors.append(f"{where}: bad domain {domain!r}")
            a, b = unescape(a), unescape(b)
            if not a or not b:
                errors.append(f"{where}: empty text")
                continue
            if norm(a) == norm(b):
                errors.append(f"{where}: a and b are the same text")
                continue
            key = (norm(a), norm(b))
            rkey = (key[1], key[0])
            if key in seen_p or rkey in seen_p:
                errors.append(f"{where}: duplicate pair (first at {seen_p.get(key) or seen_p.get(rkey)})")
                continue
            seen_p[key] = where
            pairs.append({"a": a, "b": b, "label": int(label) if label in ("0", "1") else label,
                          "kind": kind, "domain": domain})

    if errors:
        for e in errors:
            print("error:", e, file=sys.stderr)
        print(f"{len(errors)} error(s); nothing written", file=sys.stderr)
        return 1

    with open(os.path.join(OUT, "classifier_queries.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for i, q in enumerate(queries, 1):
            row = {"id": f"q{i:04d}", **q}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "cache_pairs.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for i, p in enumerate(pairs, 1):
            row = {"id": f"p{i:04d}", **p}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(queries)} queries and {len(pairs)} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
