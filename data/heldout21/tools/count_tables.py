#!/usr/bin/env python3
"""Print README count tables from the built jsonl files. Reads only; never writes rows."""
import json, os, re, difflib
from collections import Counter
D = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(D, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(D, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## queries:", len(Q))
print("| tier | support | general | total | share | borderline |")
print("|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% | {b} |")
s = sum(1 for q in Q if q["traffic"] == "support"); g = len(Q) - s
print(f"| all | {s} | {g} | {len(Q)} | 100% | {sum(q['borderline'] for q in Q)} |")
print("\nstyles:", ", ".join(f"{k} {v}" for k, v in Counter(q["style"] for q in Q).most_common()))
short_r = sum(1 for q in Q if q["tier"] == "reasoning" and len(q["text"].split()) <= 15)
long_s = sum(1 for q in Q if q["tier"] == "simple" and len(q["text"].split()) >= 40)
print(f"reasoning queries of <=15 words: {short_r}; simple queries of >=40 words: {long_s}")
print("\n## pairs:", len(P))
print("| label | kind | count |")
print("|---|---|---|")
for (l, k), c in sorted(Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {c} |")
print("\n| domain | pos | neg |")
print("|---|---|---|")
dom = Counter((p["domain"], p["label"]) for p in P)
for d in sorted({p["domain"] for p in P}):
    print(f"| {d} | {dom[(d,1)]} | {dom[(d,0)]} |")
def tok(s): return re.findall(r"[\w'%.,-]+", s.lower())
close = 0
for p in P:
    if p["label"] != 0: continue
    a, b = tok(p["a"]), tok(p["b"])
    ops = [o for o in difflib.SequenceMatcher(None, a, b).get_opcodes() if o[0] != "equal"]
    if len(ops) == 1 and max(ops[0][2]-ops[0][1], ops[0][4]-ops[0][3]) <= 2:
        close += 1
neg = sum(1 for p in P if p["label"] == 0)
print(f"\nnegatives: {neg}; close edits (one changed span of <=2 tokens): {close}; freer rewrites: {neg-close} ({100*(neg-close)/neg:.0f}%)")
