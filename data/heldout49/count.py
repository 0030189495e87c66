#!/usr/bin/env python3
"""Count tables for README.md. Reads the built jsonl files; creates and alters no rows."""
import json, collections, re, os
here = os.path.dirname(os.path.abspath(__file__))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
src = os.path.join(here, "src")
# pair traffic by source file (p_s_ = support-style, p_g_ = general); rows are built in sorted file order
traffic = []
for name in sorted(n for n in os.listdir(src) if n.endswith(".txt")):
    if not name.startswith("p_"):
        continue
    for line in open(os.path.join(src, name), encoding="utf-8"):
        if line.strip() and not line.lstrip().startswith("#"):
            traffic.append("support" if name.startswith("p_s_") else "general")
assert len(traffic) == len(P)
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## Queries:", len(Q))
print("| tier | support | general | total | share | borderline |")
print("|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% | {b} |")
s = sum(q["traffic"] == "support" for q in Q)
print(f"| all | {s} | {len(Q)-s} | {len(Q)} | 100% | {sum(q['borderline'] for q in Q)} |")
print()
print("Styles:", ", ".join(f"{k} {v}" for k, v in collections.Counter(q["style"] for q in Q).most_common()))
print()
print("## Pairs:", len(P))
c = collections.Counter((p["label"], p["kind"]) for p in P)
print("| label | kind | count |")
print("|---|---|---|")
for (l, k), v in sorted(c.items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all | {sum(p['label']==1 for p in P)} |")
print(f"| 0 | all | {sum(p['label']==0 for p in P)} |")
print()
print("| traffic | pos | neg | total |")
print("|---|---|---|---|")
for tr in ("support", "general"):
    pos = sum(1 for p, t in zip(P, traffic) if t == tr and p["label"] == 1)
    neg = sum(1 for p, t in zip(P, traffic) if t == tr and p["label"] == 0)
    print(f"| {tr} | {pos} | {neg} | {pos+neg} |")
print()
print("| domain | pos | neg |")
print("|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for p in P:
    dom[p["domain"]][0 if p["label"] == 1 else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
# negatives that are more than a one-token edit of their partner
def toks(s): return re.findall(r"[\w'%£€$.,/-]+", s.lower())
def close_edit(a, b):
    ta, tb = toks(a), toks(b)
    i = 0
    while i < min(len(ta), len(tb)) and ta[i] == tb[i]: i += 1
    j = 0
    while j < min(len(ta), len(tb)) - i and ta[-1-j] == tb[-1-j]: j += 1
    return max(len(ta) - i - j, len(tb) - i - j) <= 1
neg = [p for p in P if p["label"] == 0]
free = sum(1 for p in neg if not close_edit(p["a"], p["b"]))
print()
print(f"Negatives that are not a single-token edit of their partner: {free} of {len(neg)} ({100*free/len(neg):.0f}%)")
