#!/usr/bin/env python3
"""Print count tables (markdown) for README. Reads the built jsonl files only; writes nothing."""
import collections, json, os
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(OUT, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(OUT, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("### Queries: tier x traffic\n\n| tier | support | general | total | borderline |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(q["tier"] == t and q["traffic"] == "support" for q in Q)
    g = sum(q["tier"] == t and q["traffic"] == "general" for q in Q)
    b = sum(q["tier"] == t and q["borderline"] for q in Q)
    print(f"| {t} | {s} | {g} | {s+g} ({100*(s+g)/len(Q):.1f}%) | {b} |")
print(f"| total | {sum(q['traffic']=='support' for q in Q)} | {sum(q['traffic']=='general' for q in Q)} | {len(Q)} | {sum(q['borderline'] for q in Q)} |")
print("\n### Queries: styles\n\n| style | n |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n### Pairs: label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"\npositives {sum(p['label']==1 for p in P)}, negatives {sum(p['label']==0 for p in P)}, total {len(P)}")
neg = [p for p in P if p["label"] == 0]
far = sum(p["kind"] in ("near_topic", "intent_shift") for p in neg)
print(f"negatives of kind near_topic/intent_shift (reworded partner + changed ask, not a one-word/one-number edit): {far} of {len(neg)}")
print("\n### Pairs: per domain\n\n| domain | pos | neg |\n|---|---|---|")
dc = collections.defaultdict(lambda: [0, 0])
for p in P:
    dc[p["domain"]][0 if p["label"] == 1 else 1] += 1
for d in sorted(dc):
    print(f"| {d} | {dc[d][0]} | {dc[d][1]} |")
