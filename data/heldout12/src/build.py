#!/usr/bin/env python3
"""Build the heldout12 test set from the hand-written source files in this folder.

Standard library only. Reads src/q_*.txt and src/p_*.txt (files sorted by name,
rows numbered in file order), validates every field, rejects duplicates, and
writes ../classifier_queries.jsonl and ../cache_pairs.jsonl.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
POSITIVE = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym"}
NEGATIVE = {"entity_swap", "number_swap", "near_topic", "intent_shift", "time_swap",
            "negation", "direction_swap", "unit_swap"}
WORD = re.compile(r"^[a-z][a-z_]*$")


class BuildError(Exception):
    pass


def norm(text):
    return " ".join(text.lower().split())


def unescape(text):
    return text.replace("\\n", "\n")


def source_lines(prefix):
    names = sorted(n for n in os.listdir(HERE) if n.startswith(prefix) and n.endswith(".txt"))
    if not names:
        raise BuildError("no source files %s*.txt" % prefix)
    for name in names:
        m = re.match(r"^[qp]_([sg])_[a-z0-9_]+\.txt$", name)
        if not m:
            raise BuildError("bad source file name: %s" % name)
        traffic = "support" if m.group(1) == "s" else "general"
        with open(os.path.join(HERE, name), encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                yield name, lineno, traffic, line


def build_queries():
    rows, seen = [], {}
    for name, lineno, traffic, line in source_lines("q_"):
        where = "%s:%d" % (name, lineno)
        parts = line.split(" ", 3)
        if len(parts) != 4:
            raise BuildError("%s: expected '<tier> <style> <b|-> <text>'" % where)
        tier, style, border, text = parts
        if tier not in TIERS:
            raise BuildError("%s: bad tier %r" % (where, tier))
        if not re.match(r"^[a-z]+$", style):
            raise BuildError("%s: bad style %r" % (where, style))
        if border not in ("b", "-"):
            raise BuildError("%s: bad borderline flag %r" % (where, border))
        text = text.strip()
        if not text:
            raise BuildError("%s: empty text" % where)
        text = unescape(text)
        key = norm(text)
        if key in seen:
            raise BuildError("%s: duplicate of %s" % (where, seen[key]))
        seen[key] = where
        rows.append({
            "id": "q%04d" % (len(rows) + 1),
            "text": text,
            "tier": TIERS[tier],
            "traffic": traffic,
            "style": style,
            "borderline": border == "b",
        })
    return rows


def build_pairs():
    rows, seen = [], {}
    for name, lineno, _traffic, line in source_lines("p_"):
        where = "%s:%d" % (name, lineno)
        parts = line.split("||")
        if len(parts) != 3:
            raise BuildError("%s: expected '<label> <kind> <domain> || <a> || <b>'" % where)
        head, a, b = (p.strip() for p in parts)
        fields = head.split()
        if len(fields) != 3:
            raise BuildError("%s: head must be '<label> <kind> <domain>'" % where)
        label, kind, domain = fields
        if label not in ("0", "1"):
            raise BuildError("%s: bad label %r" % (where, label))
        allowed = POSITIVE if label == "1" else NEGATIVE
        if kind not in allowed:
            raise BuildError("%s: kind %r not allowed for label %s" % (where, kind, label))
        if not WORD.match(domain):
            raise BuildError("%s: bad domain %r" % (where, domain))
        if not a or not b:
            raise BuildError("%s: empty text" % where)
        a, b = unescape(a), unescape(b)
        if a == b:
            raise BuildError("%s: the two texts are identical" % where)
        key = (norm(a), norm(b))
        for k in (key, key[::-1]):
            if k in seen:
                raise BuildError("%s: duplicate of %s" % (where, seen[k]))
        seen[key] = where
        rows.append({
            "id": "p%04d" % (len(rows) + 1),
            "a": a,
            "b": b,
            "label": int(label),
            "kind": kind,
            "domain": domain,
        })
    return rows


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main():
    try:
        queries = build_queries()
        pairs = build_pairs()
    except BuildError as exc:
        print("build error: %s" % exc, file=sys.stderr)
        return 1
    write_jsonl(os.path.join(OUT, "classifier_queries.jsonl"), queries)
    write_jsonl(os.path.join(OUT, "cache_pairs.jsonl"), pairs)
    print("wrote %d queries, %d pairs" % (len(queries), len(pairs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
