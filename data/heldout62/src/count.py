#!/usr/bin/env python3
"""Print the count tables for README.md. Reads the built jsonl files and the src/*.txt section comments; writes nothing."""
import collections, glob, json, os
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("### Queries per tier x traffic\n\n| tier | support | general | total | share | borderline |\n|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% | {b} |")
ns = sum(q["traffic"] == "support" for q in Q)
print(f"| all | {ns} | {len(Q)-ns} | {len(Q)} | 100% | {sum(q['borderline'] for q in Q)} |\n")
print("### Query styles\n\n| style | n |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n### Pairs per label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"\nTotal: {len(P)} pairs, {sum(p['label'] for p in P)} positive, {sum(1-p['label'] for p in P)} negative.\n")
print("### Pairs per domain\n\n| domain | pos | neg |\n|---|---|---|")
d = collections.Counter((p["domain"], p["label"]) for p in P)
for dom in sorted({p["domain"] for p in P}):
    print(f"| {dom} | {d[(dom,1)]} | {d[(dom,0)]} |")
# traffic and wide/close negatives come from the source files (file prefix and section comments)
tr = collections.Counter(); sec = collections.Counter()
for f in sorted(glob.glob(os.path.join(here, "src", "p_*.txt"))):
    t = "support" if os.path.basename(f)[2] == "s" else "general"; cur = None
    for line in open(f, encoding="utf-8"):
        if line.startswith("#"):
            cur = "wide" if "wide" in line else "close" if "close" in line else cur
            continue
        if not line.strip():
            continue
        lab = line.split()[0]
        tr[(t, lab)] += 1
        if lab == "0":
            sec[cur] += 1
print("\n### Support-style vs general pairs\n\n| traffic | pos | neg | total |\n|---|---|---|---|")
for t in ("support", "general"):
    print(f"| {t} | {tr[(t,'1')]} | {tr[(t,'0')]} | {tr[(t,'1')]+tr[(t,'0')]} |")
print(f"\nNegatives written as free rewordings with a changed ask ('wide'): {sec['wide']}; close one-edit negatives: {sec['close']}.")
