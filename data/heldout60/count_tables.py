#!/usr/bin/env python3
"""Counting only: prints the tables for README.md from the built jsonl files. Creates and alters no rows."""
import collections, json, os, re, difflib
here = os.path.dirname(os.path.abspath(__file__))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## queries:", len(Q))
print("| tier | support | general | total | share | borderline |")
print("|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% | {b} |")
s = sum(q["traffic"] == "support" for q in Q); g = len(Q) - s; b = sum(q["borderline"] for q in Q)
print(f"| all | {s} | {g} | {len(Q)} | 100% | {b} |")
print("\nstyles:", ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(q['style'] for q in Q).items(), key=lambda kv: (-kv[1], kv[0]))))
words = [len(q["text"].split()) for q in Q]
print(f"words per query: min {min(words)}, median {sorted(words)[len(words)//2]}, max {max(words)}")
ls = sum(1 for q in Q if q["tier"] == "simple" and len(q["text"].split()) >= 40)
sr = sum(1 for q in Q if q["tier"] == "reasoning" and len(q["text"].split()) <= 15)
print(f"simple with >= 40 words: {ls}; reasoning with <= 15 words: {sr}")
print("\n## pairs:", len(P))
print("| label | kind | count |")
print("|---|---|---|")
for (l, k), n in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda kv: (-kv[0][0], kv[0][1])):
    print(f"| {l} | {k} | {n} |")
print("\n| domain | pos | neg |")
print("|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for p in P:
    dom[p["domain"]][0 if p["label"] == 1 else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")

def toks(t):
    return re.findall(r"[\w']+", t.lower())

def changed(a, b):
    sm = difflib.SequenceMatcher(a=toks(a), b=toks(b), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal")

neg = [p for p in P if p["label"] == 0]
close = sum(1 for p in neg if changed(p["a"], p["b"]) <= 2)
print(f"\nnegatives: {len(neg)}; close edits (<= 2 tokens changed): {close}; reworded (> 2 tokens changed): {len(neg) - close}")
