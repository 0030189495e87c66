#!/usr/bin/env python3
"""Read-only counting helper for README tables. Reads the built jsonl files and the p_*.txt section comments."""
import collections, glob, json, os
here = os.path.dirname(os.path.abspath(__file__)); top = os.path.dirname(here)
Q = [json.loads(l) for l in open(os.path.join(top, "classifier_queries.jsonl"))]
P = [json.loads(l) for l in open(os.path.join(top, "cache_pairs.jsonl"))]
print("## queries:", len(Q))
t = collections.Counter((q["tier"], q["traffic"]) for q in Q)
print("| tier | support | general | total | share |\n|---|---|---|---|---|")
for tier in ["simple", "moderate", "complex", "reasoning"]:
    s, g = t[(tier, "support")], t[(tier, "general")]
    print(f"| {tier} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
print(f"| all | {sum(v for k,v in t.items() if k[1]=='support')} | {sum(v for k,v in t.items() if k[1]=='general')} | {len(Q)} | |")
b = collections.Counter(q["tier"] for q in Q if q["borderline"])
print("\nborderline:", sum(b.values()), dict(b))
print("\nstyles:", dict(collections.Counter(q["style"] for q in Q).most_common()))
print("\n## pairs:", len(P))
k = collections.Counter((p["label"], p["kind"]) for p in P)
print("| label | kind | count |\n|---|---|---|")
for (lab, kind), n in sorted(k.items()):
    print(f"| {lab} | {kind} | {n} |")
print("label totals:", dict(collections.Counter(p["label"] for p in P)))
d = collections.defaultdict(lambda: [0, 0])
for p in P:
    d[p["domain"]][1 - p["label"]] += 1
print("\n| domain | pos | neg |\n|---|---|---|")
for dom in sorted(d):
    print(f"| {dom} | {d[dom][0]} | {d[dom][1]} |")
# support vs general, and close vs loose negatives, from source files and their section comments
sec = collections.Counter()
for f in sorted(glob.glob(os.path.join(here, "p_*.txt"))):
    traffic = os.path.basename(f)[2]; cur = None
    for line in open(f, encoding="utf-8"):
        if line.startswith("# =="):
            cur = line[4:].strip(); continue
        if not line.strip() or line.startswith("#"):
            continue
        sec[(traffic, line.split()[0])] += 1
        if line.startswith("0"):
            sec[("neg_section", cur)] += 1
print("\nsupport-style pairs (p_s_*):", sec[("s", "1")], "pos /", sec[("s", "0")], "neg")
print("general pairs (p_g_*):", sec[("g", "1")], "pos /", sec[("g", "0")], "neg")
print("negatives by section: close edits", sec[("neg_section", "neg close")], "/ loose (reworded + changed ask)", sec[("neg_section", "neg loose")])
