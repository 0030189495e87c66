#!/usr/bin/env python3
"""Build the heldout10 jsonl files from the hand-written sources in src/.

Standard library only. Exits non-zero with a message on any invalid line or duplicate.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
POS_KINDS = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym"}
NEG_KINDS = {"entity_swap", "number_swap", "near_topic", "intent_shift", "time_swap",
             "negation", "direction_swap", "unit_swap"}
WORD = re.compile(r"^[a-z]+$")
DOMAIN = re.compile(r"^[a-z][a-z_]*$")


def fail(path, lineno, msg):
    sys.exit("%s:%d: %s" % (os.path.basename(path), lineno, msg))


def norm(text):
    return " ".join(text.lower().split())


def unescape(text):
    return text.replace("\\n", "\n")


def source_lines(prefix):
    names = sorted(n for n in os.listdir(HERE) if n.startswith(prefix) and n.endswith(".txt"))
    for name in names:
        path = os.path.join(HERE, name)
        traffic = "support" if name.startswith(prefix + "s_") else "general" if name.startswith(prefix + "g_") else None
        if traffic is None:
            sys.exit("%s: file name must start with %ss_ or %sg_" % (name, prefix, prefix))
        with open(path, encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, 1):
                line = raw.rstrip("\n").rstrip("\r")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                yield path, lineno, traffic, line


def build_queries():
    rows, seen = [], {}
    for path, lineno, traffic, line in source_lines("q_"):
        parts = line.split(" ", 3)
        if len(parts) != 4:
            fail(path, lineno, "expected '<tier> <style> <b|-> <text>'")
        tier, style, flag, text = parts
        if tier not in TIERS:
            fail(path, lineno, "bad tier %r" % tier)
        if not WORD.match(style):
            fail(path, lineno, "bad style %r" % style)
        if flag not in ("b", "-"):
            fail(path, lineno, "bad borderline flag %r" % flag)
        text = text.strip()
        if not text:
            fail(path, lineno, "empty text")
        key = norm(text)
        if key in seen:
            fail(path, lineno, "duplicate query (first at %s)" % seen[key])
        seen[key] = "%s:%d" % (os.path.basename(path), lineno)
        rows.append({
            "id": "q%04d" % (len(rows) + 1),
            "text": unescape(text),
            "tier": TIERS[tier],
            "traffic": traffic,
            "style": style,
            "borderline": flag == "b",
        })
    return rows


def build_pairs():
    rows, seen = [], {}
    for path, lineno, traffic, line in source_lines("p_"):
        parts = [p.strip() for p in line.split("||")]
        if len(parts) != 3:
            fail(path, lineno, "expected '<label> <kind> <domain> || <a> || <b>'")
        head, a, b = parts
        fields = head.split()
        if len(fields) != 3:
            fail(path, lineno, "head must be '<label> <kind> <domain>'")
        label, kind, domain = fields
        if label not in ("0", "1"):
            fail(path, lineno, "bad label %r" % label)
        allowed = POS_KINDS if label == "1" else NEG_KINDS
        if kind not in allowed:
            fail(path, lineno, "kind %r not allowed for label %s" % (kind, label))
        if not DOMAIN.match(domain):
            fail(path, lineno, "bad domain %r" % domain)
        if not a or not b:
            fail(path, lineno, "empty text")
        if a == b:
            fail(path, lineno, "a and b are identical")
        for key in ((norm(a), norm(b)), (norm(b), norm(a))):
            if key in seen:
                fail(path, lineno, "duplicate pair (first at %s)" % seen[key])
        seen[(norm(a), norm(b))] = "%s:%d" % (os.path.basename(path), lineno)
        rows.append({
            "id": "p%04d" % (len(rows) + 1),
            "a": unescape(a),
            "b": unescape(b),
            "label": int(label),
            "kind": kind,
            "domain": domain,
        })
    return rows


def write(name, rows):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")


def main():
    queries = build_queries()
    pairs = build_pairs()
    write("classifier_queries.jsonl", queries)
    write("cache_pairs.jsonl", pairs)
    print("queries %d, pairs %d" % (len(queries), len(pairs)))


if __name__ == "__main__":
    main()
