#!/usr/bin/env python3
"""Build the heldout14 test set from the hand-written sources in this folder.

Standard library only. Reads src/q_[sg]_*.txt and src/p_[sg]_*.txt (files sorted
by name, rows in file order), validates every field, rejects exact and
case-insensitive whitespace-normalised duplicates, and writes
../classifier_queries.jsonl and ../cache_pairs.jsonl.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
TRAFFIC = {"s": "support", "g": "general"}
POS_KINDS = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym"}
NEG_KINDS = {"entity_swap", "number_swap", "near_topic", "intent_shift", "time_swap",
             "negation", "direction_swap", "unit_swap"}
WORD = re.compile(r"^[a-z]+$")
DOMAIN = re.compile(r"^[a-z][a-z_]*$")
QFILE = re.compile(r"^q_([sg])_[a-z0-9_]+\.txt$")
PFILE = re.compile(r"^p_([sg])_[a-z0-9_]+\.txt$")

errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def norm(text):
    return " ".join(text.split()).casefold()


def unescape(text):
    # a literal backslash-n in a source line stands for a newline
    return text.replace("\\n", "\n")


def source_lines(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as fh:
        for no, raw in enumerate(fh, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield f"{name}:{no}", line


def build_queries(files):
    rows, seen_exact, seen_norm = [], {}, {}
    for name in files:
        traffic = TRAFFIC[QFILE.match(name).group(1)]
        for where, line in source_lines(name):
            parts = line.split(" ", 3)
            if len(parts) != 4:
                err(where, "expected '<tier> <style> <b|-> <text>'")
                continue
            tier, style, flag, text = parts
            text = text.strip()
            if tier not in TIERS:
                err(where, f"bad tier {tier!r}")
            if not WORD.match(style):
                err(where, f"bad style {style!r}")
            if flag not in ("b", "-"):
                err(where, f"bad borderline flag {flag!r}")
            if not text:
                err(where, "empty text")
                continue
            text = unescape(text)
            if text in seen_exact:
                err(where, f"exact duplicate of {seen_exact[text]}")
            elif norm(text) in seen_norm:
                err(where, f"normalised duplicate of {seen_norm[norm(text)]}")
            seen_exact.setdefault(text, where)
            seen_norm.setdefault(norm(text), where)
            rows.append({"text": text, "tier": TIERS.get(tier, tier), "traffic": traffic,
                         "style": style, "borderline": flag == "b"})
    for i, row in enumerate(rows, 1):
        row_id = {"id": f"q{i:04d}"}
        row_id.update(row)
        rows[i - 1] = row_id
    return rows


def build_pairs(files):
    rows, seen_exact, seen_norm = [], {}, {}
    for name in files:
        for where, line in source_lines(name):
            parts = line.split(" || ")
            if len(parts) != 3:
                err(where, "expected '<label> <kind> <domain> || <a> || <b>'")
                continue
            head, a, b = (p.strip() for p in parts)
            fields = head.split()
            if len(fields) != 3:
                err(where, "head must be '<label> <kind> <domain>'")
                continue
            label, kind, domain = fields
            if label not in ("0", "1"):
                err(where, f"bad label {label!r}")
            elif label == "1" and kind not in POS_KINDS:
                err(where, f"kind {kind!r} is not a positive kind")
            elif label == "0" and kind not in NEG_KINDS:
                err(where, f"kind {kind!r} is not a negative kind")
            if not DOMAIN.match(domain):
                err(where, f"bad domain {domain!r}")
            if not a or not b:
                err(where, "empty text")
                continue
            a, b = unescape(a), unescape(b)
            if norm(a) == norm(b):
                err(where, "a and b are the same text")
            exact = (a, b)
            key = tuple(sorted((norm(a), norm(b))))
            if exact in seen_exact:
                err(where, f"exact duplicate of {seen_exact[exact]}")
            elif key in seen_norm:
                err(where, f"normalised duplicate of {seen_norm[key]}")
            seen_exact.setdefault(exact, where)
            seen_norm.setdefault(key, where)
            rows.append({"a": a, "b": b, "label": int(label) if label in ("0", "1") else label,
                         "kind": kind, "domain": domain})
    out = []
    for i, row in enumerate(rows, 1):
        r = {"id": f"p{i:04d}"}
        r.update(row)
        out.append(r)
    return out


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main():
    names = sorted(os.listdir(HERE))
    for name in names:
        if name.endswith(".txt") and not (QFILE.match(name) or PFILE.match(name)):
            err(name, "source file name must be q_[sg]_<theme>.txt or p_[sg]_<theme>.txt")
    qfiles = [n for n in names if QFILE.match(n)]
    pfiles = [n for n in names if PFILE.match(n)]
    queries = build_queries(qfiles)
    pairs = build_pairs(pfiles)
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        print(f"{len(errors)} error(s); nothing written", file=sys.stderr)
        return 1
    write_jsonl(os.path.join(OUT, "classifier_queries.jsonl"), queries)
    write_jsonl(os.path.join(OUT, "cache_pairs.jsonl"), pairs)
    print(f"wrote {len(queries)} queries and {len(pairs)} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
