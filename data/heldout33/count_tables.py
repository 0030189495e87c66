#!/usr/bin/env python3
"""Print markdown count tables for README. Reads the jsonl files only; writes nothing."""
import json, os
from collections import Counter
D = os.path.dirname(os.path.abspath(__file__))
Q = [json.loads(l) for l in open(os.path.join(D, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(D, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("### Queries: tier x traffic\n\n| tier | support | general | total | share | borderline |\n|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% | {b} |")
S = sum(1 for q in Q if q["traffic"] == "support")
print(f"| all | {S} | {len(Q)-S} | {len(Q)} | 100% | {sum(q['borderline'] for q in Q)} |\n")
print("### Queries: styles\n\n| style | n |\n|---|---|")
for k, v in sorted(Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n### Pairs: label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
pos = sum(p["label"] for p in P)
print(f"| total | positives {pos}, negatives {len(P)-pos} | {len(P)} |\n")
print("### Pairs: per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
dom = Counter(); dpos = Counter()
for p in P:
    dom[p["domain"]] += 1; dpos[p["domain"]] += p["label"]
for d in sorted(dom):
    print(f"| {d} | {dpos[d]} | {dom[d]-dpos[d]} | {dom[d]} |")
