#!/usr/bin/env python3
"""Build the heldout13 test set from the hand-written source files.

Standard library only. Reads src/q_[s|g]_*.txt and src/p_[s|g]_*.txt (files sorted by
name, rows in file order), validates every field, rejects duplicates (exact and
case-insensitive whitespace-normalised) and writes classifier_queries.jsonl and
cache_pairs.jsonl one folder above src/.

Query line:  <tier> <style> <b|-> <text>
Pair line:   <label> <kind> <domain> || <text a> || <text b>
Blank lines and lines starting with # are ignored; a literal \\n in text is a newline.
"""
import json
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent
OUT = SRC.parent

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
TRAFFIC = {"s": "support", "g": "general"}
POSITIVE = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym"}
NEGATIVE = {"entity_swap", "number_swap", "near_topic", "intent_shift", "time_swap",
            "negation", "direction_swap", "unit_swap"}
WORD = re.compile(r"^[a-z]+$")
DOMAIN = re.compile(r"^[a-z][a-z_]*$")
QFILE = re.compile(r"^q_([sg])_[a-z0-9_]+\.txt$")
PFILE = re.compile(r"^p_([sg])_[a-z0-9_]+\.txt$")


class BuildError(Exception):
    pass


def norm(text):
    """Case-insensitive, whitespace-normalised key for duplicate detection."""
    return " ".join(text.split()).casefold()


def unescape(text):
    return text.replace("\\n", "\n")


def source_lines(path):
    with open(path, encoding="utf-8") as fh:
        for number, raw in enumerate(fh, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield number, line


def parse_query(where, line, traffic):
    parts = line.split(" ", 3)
    if len(parts) != 4:
        raise BuildError(f"{where}: expected '<tier> <style> <b|-> <text>'")
    tier, style, mark, text = parts
    if tier not in TIERS:
        raise BuildError(f"{where}: bad tier {tier!r}")
    if not WORD.match(style):
        raise BuildError(f"{where}: style must be one lowercase word, got {style!r}")
    if mark not in ("b", "-"):
        raise BuildError(f"{where}: borderline mark must be 'b' or '-', got {mark!r}")
    text = text.strip()
    if len(text) < 2:
        raise BuildError(f"{where}: empty text")
    return {
        "text": unescape(text),
        "tier": TIERS[tier],
        "traffic": traffic,
        "style": style,
        "borderline": mark == "b",
    }


def parse_pair(where, line):
    parts = line.split(" || ")
    if len(parts) != 3:
        raise BuildError(f"{where}: expected '<label> <kind> <domain> || <a> || <b>'")
    head, a, b = (p.strip() for p in parts)
    fields = head.split()
    if len(fields) != 3:
        raise BuildError(f"{where}: head must be '<label> <kind> <domain>'")
    label, kind, domain = fields
    if label not in ("0", "1"):
        raise BuildError(f"{where}: label must be 0 or 1, got {label!r}")
    allowed = POSITIVE if label == "1" else NEGATIVE
    if kind not in allowed:
        raise BuildError(f"{where}: kind {kind!r} not allowed for label {label}")
    if not DOMAIN.match(domain):
        raise BuildError(f"{where}: bad domain {domain!r}")
    if not a or not b or "||" in a or "||" in b:
        raise BuildError(f"{where}: empty or malformed text")
    if a == b:
        raise BuildError(f"{where}: a and b are identical")
    if label == "0" and norm(a) == norm(b):
        raise BuildError(f"{where}: negative pair differs only in case/whitespace")
    return {"a": unescape(a), "b": unescape(b), "label": int(label), "kind": kind, "domain": domain}


def build():
    queries, pairs = [], []
    seen_q, seen_p = {}, {}
    names = sorted(p.name for p in SRC.iterdir() if p.suffix == ".txt")
    for name in names:
        path = SRC / name
        qm, pm = QFILE.match(name), PFILE.match(name)
        if not qm and not pm:
            raise BuildError(f"{name}: unexpected source file name")
        for number, line in source_lines(path):
            where = f"{name}:{number}"
            if qm:
                row = parse_query(where, line, TRAFFIC[qm.group(1)])
                key = norm(row["text"])
                if key in seen_q:
                    raise BuildError(f"{where}: duplicate query (first at {seen_q[key]})")
                seen_q[key] = where
                queries.append(row)
            else:
                row = parse_pair(where, line)
                key = tuple(sorted((norm(row["a"]), norm(row["b"]))))
                if key in seen_p:
                    raise BuildError(f"{where}: duplicate pair (first at {seen_p[key]})")
                seen_p[key] = where
                pairs.append(row)
    if not queries or not pairs:
        raise BuildError("no queries or no pairs found")
    return queries, pairs


def write_jsonl(path, rows, prefix, fields):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for i, row in enumerate(rows, 1):
            record = {"id": f"{prefix}{i:04d}"}
            record.update((f, row[f]) for f in fields)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def main():
    try:
        queries, pairs = build()
    except BuildError as exc:
        print(f"build error: {exc}", file=sys.stderr)
        return 1
    write_jsonl(OUT / "classifier_queries.jsonl", queries, "q",
                ["text", "tier", "traffic", "style", "borderline"])
    write_jsonl(OUT / "cache_pairs.jsonl", pairs, "p", ["a", "b", "label", "kind", "domain"])
    print(f"{len(queries)} queries, {len(pairs)} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
