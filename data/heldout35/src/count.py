#!/usr/bin/env python3
"""Read-only counting of the built jsonl files, for the README tables. Creates or alters no rows."""
import collections, json, os
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(OUT, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(OUT, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## Queries: tier x traffic (borderline in brackets)\n")
print("| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = [q for q in Q if q["tier"] == t and q["traffic"] == "support"]
    g = [q for q in Q if q["tier"] == t and q["traffic"] == "general"]
    bs = sum(q["borderline"] for q in s); bg = sum(q["borderline"] for q in g)
    print(f"| {t} | {len(s)} ({bs}) | {len(g)} ({bg}) | {len(s)+len(g)} | {100*(len(s)+len(g))/len(Q):.1f}% |")
ns = sum(q["traffic"] == "support" for q in Q)
print(f"| total | {ns} ({sum(q['borderline'] for q in Q if q['traffic']=='support')}) | {len(Q)-ns} ({sum(q['borderline'] for q in Q if q['traffic']=='general')}) | {len(Q)} | |")
print(f"\nBorderline total: {sum(q['borderline'] for q in Q)}\n")
print("Styles: " + ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(q['style'] for q in Q).items(), key=lambda kv: (-kv[1], kv[0]))))
print("\n## Pairs: label x kind\n")
print("| label | kind | count |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
c = collections.Counter(p["label"] for p in P)
print(f"\nPositives {c[1]}, negatives {c[0]}, total {len(P)}\n")
print("## Pairs per domain\n")
print("| domain | pos | neg |\n|---|---|---|")
d = collections.defaultdict(lambda: [0, 0])
for p in P:
    d[p["domain"]][0 if p["label"] == 1 else 1] += 1
for k in sorted(d):
    print(f"| {k} | {d[k][0]} | {d[k][1]} |")
