#!/usr/bin/env python3
"""Counts for README tables. Reads only; creates or alters no rows."""
import collections, glob, json, os
here = os.path.dirname(os.path.abspath(__file__))
q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"))]
p = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"))]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("QUERIES", len(q))
print("tier | support | general | total | share | borderline")
for t in tiers:
    s = sum(r["tier"] == t and r["traffic"] == "support" for r in q)
    g = sum(r["tier"] == t and r["traffic"] == "general" for r in q)
    b = sum(r["tier"] == t and r["borderline"] for r in q)
    print(f"{t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% | {b}")
print("traffic", dict(collections.Counter(r["traffic"] for r in q)), "borderline", sum(r["borderline"] for r in q))
print("styles", collections.Counter(r["style"] for r in q).most_common())
print("PAIRS", len(p), dict(collections.Counter(r["label"] for r in p)))
for lab in (1, 0):
    print("label", lab, collections.Counter(r["kind"] for r in p if r["label"] == lab).most_common())
dom = collections.defaultdict(lambda: [0, 0])
for r in p:
    dom[r["domain"]][1 - r["label"]] += 1
print("domain pos/neg", sorted((d, v[0], v[1]) for d, v in dom.items()))
# support vs general and broad vs close negatives, from the source files' section comments
trf = collections.Counter(); sect = collections.Counter()
for f in sorted(glob.glob(os.path.join(here, "src", "p_*.txt"))):
    t = "support" if os.path.basename(f).startswith("p_s_") else "general"
    cur = None
    for line in open(f, encoding="utf-8"):
        s = line.strip()
        if s == "# close": cur = "close"
        elif s == "# broad": cur = "broad"
        if not s or s.startswith("#"): continue
        lab = s.split()[0]
        trf[(t, lab)] += 1
        if lab == "0": sect[cur] += 1
print("pairs traffic x label", dict(trf))
print("negatives by section", dict(sect))
