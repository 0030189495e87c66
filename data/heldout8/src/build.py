#!/usr/bin/env python3
"""Build the held-out test set from the hand-typed source files in this folder.

Standard library only. Parses src/q_*.txt and src/p_*.txt, validates every field,
rejects duplicates (exact and case-insensitive, whitespace-normalised), numbers rows
in file order (files sorted by name) and writes classifier_queries.jsonl and
cache_pairs.jsonl into the parent folder.
"""
import json
import os
import re
import sys

SRC = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(SRC)

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
POS_KINDS = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym"}
NEG_KINDS = {"entity_swap", "number_swap", "near_topic", "intent_shift", "time_swap",
             "negation", "direction_swap", "unit_swap"}
STYLE_RE = re.compile(r"^[a-z]+$")
DOMAIN_RE = re.compile(r"^[a-z][a-z0-9_]*$")

errors = []


def err(fname, lineno, msg):
    errors.append(f"{fname}:{lineno}: {msg}")


def unescape(text):
    return text.replace("\\n", "\n")


def norm(text):
    return " ".join(text.lower().split())


def source_lines(prefix):
    names = sorted(n for n in os.listdir(SRC) if n.startswith(prefix) and n.endswith(".txt"))
    for name in names:
        with open(os.path.join(SRC, name), encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, 1):
                line = raw.rstrip("\n").rstrip("\r")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                yield name, lineno, line


def build_queries():
    rows, seen = [], {}
    for name, lineno, line in source_lines("q_"):
        m = re.match(r"^q_([sg])_[a-z0-9_]+\.txt$", name)
        if not m:
            err(name, lineno, "bad query file name")
            continue
        traffic = "support" if m.group(1) == "s" else "general"
        parts = line.split(" ", 3)
        if len(parts) != 4:
            err(name, lineno, "expected '<tier> <style> <b|-> <text>'")
            continue
        tier, style, border, text = parts
        if tier not in TIERS:
            err(name, lineno, f"bad tier {tier!r}")
            continue
        if not STYLE_RE.match(style):
            err(name, lineno, f"bad style {style!r}")
            continue
        if border not in ("b", "-"):
            err(name, lineno, f"bad borderline flag {border!r}")
            continue
        text = unescape(text.strip())
        if len(text) < 3:
            err(name, lineno, "text too short")
            continue
        key = norm(text)
        if key in seen:
            err(name, lineno, f"duplicate of {seen[key]}")
            continue
        seen[key] = f"{name}:{lineno}"
        rows.append({"text": text, "tier": TIERS[tier], "traffic": traffic,
                     "style": style, "borderline": border == "b"})
    for i, r in enumerate(rows, 1):
        r_id = f"q{i:04d}"
        rows[i - 1] = {"id": r_id, **r}
    return rows


def build_pairs():
    rows, seen = [], {}
    for name, lineno, line in source_lines("p_"):
        if not re.match(r"^p_[sg]_[a-z0-9_]+\.txt$", name):
            err(name, lineno, "bad pair file name")
            continue
        parts = line.split(" || ")
        if len(parts) != 3:
            err(name, lineno, "expected '<label> <kind> <domain> || <a> || <b>'")
            continue
        head = parts[0].split()
        if len(head) != 3:
            err(name, lineno, "bad header")
            continue
        label, kind, domain = head
        if label not in ("0", "1"):
            err(name, lineno, f"bad label {label!r}")
            continue
        label = int(label)
        if label == 1 and kind not in POS_KINDS:
            err(name, lineno, f"kind {kind!r} not a positive kind")
            continue
        if label == 0 and kind not in NEG_KINDS:
            err(name, lineno, f"kind {kind!r} not a negative kind")
            continue
        if not DOMAIN_RE.match(domain):
            err(name, lineno, f"bad domain {domain!r}")
            continue
        a, b = unescape(parts[1].strip()), unescape(parts[2].strip())
        if not a or not b:
            err(name, lineno, "empty text")
            continue
        if a == b:
            err(name, lineno, "a and b identical")
            continue
        key = (norm(a), norm(b))
        rkey = (key[1], key[0])
        if key in seen or rkey in seen:
            err(name, lineno, f"duplicate of {seen.get(key) or seen.get(rkey)}")
            continue
        seen[key] = f"{name}:{lineno}"
        rows.append({"a": a, "b": b, "label": label, "kind": kind, "domain": domain})
    return [{"id": f"p{i:04d}", **r} for i, r in enumerate(rows, 1)]


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")


def main():
    q = build_queries()
    p = build_pairs()
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        print(f"{len(errors)} error(s); nothing written", file=sys.stderr)
        return 1
    write(os.path.join(OUT, "classifier_queries.jsonl"), q)
    write(os.path.join(OUT, "cache_pairs.jsonl"), p)
    print(f"queries {len(q)}  pairs {len(p)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
