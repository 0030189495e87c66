#!/usr/bin/env python3
"""Print count tables (markdown) for this set's jsonl files. Reads only; creates or alters no rows."""
import collections as C, json, os
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("### Queries per tier x traffic\n\n| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
s = sum(1 for q in Q if q["traffic"] == "support")
print(f"| all | {s} | {len(Q)-s} | {len(Q)} | |\n")
print("### Borderline (b) per tier\n\n| tier | borderline | not |\n|---|---|---|")
for t in tiers:
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    n = sum(1 for q in Q if q["tier"] == t)
    print(f"| {t} | {b} | {n-b} |")
print(f"| all | {sum(q['borderline'] for q in Q)} | {sum(not q['borderline'] for q in Q)} |\n")
print("### Styles\n\n| style | n |\n|---|---|")
for k, v in sorted(C.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n### Pairs per label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(C.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], -x[1], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"\nlabel 1: {sum(p['label'] for p in P)}, label 0: {sum(1-p['label'] for p in P)}\n")
print("### Pairs per domain\n\n| domain | pos | neg |\n|---|---|---|")
d = C.defaultdict(lambda: [0, 0])
for p in P:
    d[p["domain"]][0 if p["label"] else 1] += 1
for k in sorted(d):
    print(f"| {k} | {d[k][0]} | {d[k][1]} |")
