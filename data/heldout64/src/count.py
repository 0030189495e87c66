#!/usr/bin/env python3
"""Print count tables (markdown) for this set's jsonl files. Reads only; creates or alters no rows."""
import collections, json, os, re, difflib
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("### Queries per tier x traffic\n\n| tier | support | general | total | share | borderline |\n|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f} % | {b} |")
S = sum(q["traffic"] == "support" for q in Q)
print(f"| all | {S} | {len(Q)-S} | {len(Q)} | 100 % | {sum(q['borderline'] for q in Q)} |\n")
print("### Query styles\n\n| style | n |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n### Pairs per label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items()):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all | {sum(p['label']==1 for p in P)} |\n| 0 | all | {sum(p['label']==0 for p in P)} |\n")
print("### Pairs per domain\n\n| domain | pos | neg |\n|---|---|---|")
d = collections.defaultdict(lambda: [0, 0])
for p in P:
    d[p["domain"]][0 if p["label"] == 1 else 1] += 1
for k in sorted(d):
    print(f"| {k} | {d[k][0]} | {d[k][1]} |")
def tok(s): return re.findall(r"[\w']+", s.lower())
far = 0
for p in P:
    if p["label"] != 0: continue
    ops = [o for o in difflib.SequenceMatcher(None, tok(p["a"]), tok(p["b"])).get_opcodes() if o[0] != "equal"]
    if not (len(ops) == 1 and ops[0][2]-ops[0][1] <= 3 and ops[0][4]-ops[0][3] <= 3):
        far += 1
print(f"\nNegatives that are not a single edit of at most 3 words (token diff heuristic): {far} of {sum(p['label']==0 for p in P)}")
