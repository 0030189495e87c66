#!/usr/bin/env python3
"""Read-only counting of the built jsonl files for README tables. Creates or alters no rows."""
import json, collections, os
D = os.path.dirname(os.path.abspath(__file__))
Q = [json.loads(l) for l in open(os.path.join(D, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(D, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## Queries: tier x traffic\n\n| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(q["tier"] == t and q["traffic"] == "support" for q in Q)
    g = sum(q["tier"] == t and q["traffic"] == "general" for q in Q)
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
print(f"| total | {sum(q['traffic']=='support' for q in Q)} | {sum(q['traffic']=='general' for q in Q)} | {len(Q)} | |")
print("\n## Queries: borderline per tier\n\n| tier | borderline | not |\n|---|---|---|")
for t in tiers:
    b = sum(q["tier"] == t and q["borderline"] for q in Q)
    n = sum(q["tier"] == t and not q["borderline"] for q in Q)
    print(f"| {t} | {b} | {n} |")
print(f"| total | {sum(q['borderline'] for q in Q)} | {sum(not q['borderline'] for q in Q)} |")
print("\n## Queries: styles\n\n| style | count |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n## Pairs: label x kind\n\n| label | kind | count |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all positives | {sum(p['label']==1 for p in P)} |\n| 0 | all negatives | {sum(p['label']==0 for p in P)} |")
print("\n## Pairs: per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for p in P:
    dom[p["domain"]][0 if p["label"] == 1 else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} | {sum(dom[d])} |")
