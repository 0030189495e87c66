#!/usr/bin/env python3
"""Print README count tables from the built jsonl files. Reads only; creates or alters no rows."""
import collections, json, os
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
print(f"| total | {s} | {len(Q)-s} | {len(Q)} | 100% |\n")
print("### Borderline (b) per tier\n\n| tier | borderline | of |\n|---|---|---|")
for t in tiers:
    print(f"| {t} | {sum(1 for q in Q if q['tier']==t and q['borderline'])} | {sum(1 for q in Q if q['tier']==t)} |")
print(f"| total | {sum(1 for q in Q if q['borderline'])} | {len(Q)} |\n")
print("### Styles\n\n| style | rows |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n### Pairs per label x kind\n\n| label | kind | pairs |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
c = collections.Counter(p["label"] for p in P)
print(f"| 1 | all positive | {c[1]} |\n| 0 | all negative | {c[0]} |\n")
print("### Pairs per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
for d in sorted({p["domain"] for p in P}):
    pos = sum(1 for p in P if p["domain"] == d and p["label"] == 1)
    neg = sum(1 for p in P if p["domain"] == d and p["label"] == 0)
    print(f"| {d} | {pos} | {neg} | {pos+neg} |")
