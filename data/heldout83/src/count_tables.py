#!/usr/bin/env python3
"""Print count tables (markdown) for the built jsonl files. Reads only; never writes rows."""
import collections, json, os
d = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(d, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(d, "cache_pairs.jsonl"), encoding="utf-8")]
T = ["simple", "moderate", "complex", "reasoning"]
print("### Queries per tier x traffic\n\n| tier | support | general | total | share | borderline |\n|---|---|---|---|---|---|")
for t in T:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% | {b} |")
print(f"| all | {sum(q['traffic']=='support' for q in Q)} | {sum(q['traffic']=='general' for q in Q)} | {len(Q)} | 100% | {sum(q['borderline'] for q in Q)} |")
print("\n### Query styles\n\n| style | n |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n### Pairs per label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all | {sum(p['label']==1 for p in P)} |\n| 0 | all | {sum(p['label']==0 for p in P)} |")
print("\n### Pairs per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for p in P:
    dom[p["domain"]][0 if p["label"] == 1 else 1] += 1
for k in sorted(dom):
    print(f"| {k} | {dom[k][0]} | {dom[k][1]} | {sum(dom[k])} |")
