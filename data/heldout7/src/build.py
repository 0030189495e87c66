#!/usr/bin/env python3
"""Build the held-out test set from hand-written source files (stdlib only).

Query lines:  <tier> <style> <b|-> <text>
Pair lines:   <label> <kind> <domain> || <text a> || <text b>
Blank lines and lines starting with '#' are ignored. A literal backslash-n
("\\n") in text stands for a newline.
"""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
TRAFFIC = {"s": "support", "g": "general"}
POS_KINDS = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym"}
NEG_KINDS = {"entity_swap", "number_swap", "near_topic", "intent_shift", "time_swap",
             "negation", "direction_swap", "unit_swap"}
WORD = re.compile(r"^[a-z][a-z0-9_]*$")
QFILE = re.compile(r"^q_([sg])_([a-z0-9_]+)\.txt$")
PFILE = re.compile(r"^p_([sg])_([a-z0-9_]+)\.txt$")


def norm(t):
    return " ".join(t.lower().split())


def unescape(t):
    return t.replace("\\n", "\n").strip()


def fail(msg):
    sys.stderr.write("error: " + msg + "\n")
    sys.exit(1)


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield n, line


def build_queries(files):
    rows, seen = [], {}
    for fn in files:
        traffic = TRAFFIC[QFILE.match(fn).group(1)]
        for n, line in lines_of(os.path.join(HERE, fn)):
            where = "%s:%d" % (fn, n)
            parts = line.split(" ", 3)
            if len(parts) != 4:
                fail(where + ": expected '<tier> <style> <b|-> <text>'")
            tier, style, b, text = parts
            if tier not in TIERS:
                fail(where + ": bad tier %r" % tier)
            if not WORD.match(style):
                fail(where + ": bad style %r" % style)
            if b not in ("b", "-"):
                fail(where + ": bad borderline flag %r" % b)
            text = unescape(text)
            if len(text) < 2:
                fail(where + ": empty text")
            key = norm(text)
            if key in seen:
                fail(where + ": duplicate of " + seen[key])
            seen[key] = where
            rows.append({"text": text, "tier": TIERS[tier], "traffic": traffic,
                         "style": style, "borderline": b == "b"})
    for i, r in enumerate(rows, 1):
        r["id"] = "q%04d" % i
    return [{k: r[k] for k in ("id", "text", "tier", "traffic", "style", "borderline")} for r in rows]


def build_pairs(files):
    rows, seen = [], {}
    for fn in files:
        for n, line in lines_of(os.path.join(HERE, fn)):
            where = "%s:%d" % (fn, n)
            parts = line.split("||")
            if len(parts) != 3:
                fail(where + ": expected '<label> <kind> <domain> || <a> || <b>'")
            head = parts[0].split()
            if len(head) != 3:
                fail(where + ": bad header %r" % parts[0])
            label, kind, domain = head
            if label not in ("0", "1"):
                fail(where + ": bad label %r" % label)
            label = int(label)
            if label == 1 and kind not in POS_KINDS:
                fail(where + ": kind %r not allowed for a positive" % kind)
            if label == 0 and kind not in NEG_KINDS:
                fail(where + ": kind %r not allowed for a negative" % kind)
            if not WORD.match(domain):
                fail(where + ": bad domain %r" % domain)
            a, b = unescape(parts[1]), unescape(parts[2])
            if not a or not b:
                fail(where + ": empty text")
            if a == b:
                fail(where + ": a and b identical")
            if norm(a) == norm(b) and kind != "typo" and kind != "formality":
                fail(where + ": a and b equal after normalisation")
            key = (norm(a), norm(b))
            rkey = (norm(b), norm(a))
            if key in seen or rkey in seen:
                fail(where + ": duplicate of " + seen.get(key, seen.get(rkey)))
            seen[key] = where
            rows.append({"a": a, "b": b, "label": label, "kind": kind, "domain": domain})
    for i, r in enumerate(rows, 1):
        r["id"] = "p%04d" % i
    return [{k: r[k] for k in ("id", "a", "b", "label", "kind", "domain")} for r in rows]


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")


def main():
    names = sorted(os.listdir(HERE))
    qfiles = [n for n in names if QFILE.match(n)]
    pfiles = [n for n in names if PFILE.match(n)]
    for n in names:
        if n.endswith(".txt") and not (QFILE.match(n) or PFILE.match(n)):
            fail("unexpected source file " + n)
    q = build_queries(qfiles)
    p = build_pairs(pfiles)
    write(os.path.join(OUT, "classifier_queries.jsonl"), q)
    write(os.path.join(OUT, "cache_pairs.jsonl"), p)
    c = Counter((r["traffic"], r["tier"]) for r in q)
    print("queries:", len(q), "borderline:", sum(r["borderline"] for r in q))
    for t in ("support", "general"):
        print("  ", t, {k: c[(t, k)] for k in TIERS.values()})
    print("pairs:", len(p), "pos:", sum(r["label"] for r in p))
    print("  kinds:", dict(sorted(Counter(r["kind"] for r in p).items())))


if __name__ == "__main__":
    main()
