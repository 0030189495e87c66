#!/usr/bin/env python3
"""Print count tables for README.md from the built jsonl files. Reads only; creates or alters no rows."""
import collections, json, os
here = os.path.dirname(os.path.abspath(__file__))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print(f"queries: {len(Q)}\n\n| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(q["tier"] == t and q["traffic"] == "support" for q in Q)
    g = sum(q["tier"] == t and q["traffic"] == "general" for q in Q)
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
s = sum(q["traffic"] == "support" for q in Q)
print(f"| all | {s} | {len(Q)-s} | {len(Q)} | |")
print("\nborderline (b) per tier:", {t: sum(q["borderline"] and q["tier"] == t for q in Q) for t in tiers},
      "total", sum(q["borderline"] for q in Q))
print("\nstyles:", ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: -x[1])))
print(f"\npairs: {len(P)} (label 1: {sum(p['label'] for p in P)}, label 0: {sum(1 - p['label'] for p in P)})\n")
print("| label | kind | count |\n|---|---|---|")
for (l, k), n in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {n} |")
print("\n| domain | pos | neg |\n|---|---|---|")
for d in sorted({p["domain"] for p in P}):
    print(f"| {d} | {sum(p['domain']==d and p['label']==1 for p in P)} | {sum(p['domain']==d and p['label']==0 for p in P)} |")
