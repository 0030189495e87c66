#!/usr/bin/env python3
"""Count tables for README.md. Reads the built jsonl files; never writes or alters rows."""
import json, re, difflib, collections, os
D = os.path.dirname(os.path.abspath(__file__))
Q = [json.loads(l) for l in open(os.path.join(D, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(D, "cache_pairs.jsonl"), encoding="utf-8")]
C = collections.Counter
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## queries:", len(Q))
print("| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
print(f"| all | {sum(q['traffic']=='support' for q in Q)} | {sum(q['traffic']=='general' for q in Q)} | {len(Q)} | |")
print("\nborderline (b) per tier:", dict((t, sum(1 for q in Q if q['tier']==t and q['borderline'])) for t in tiers),
      "total", sum(q["borderline"] for q in Q))
print("\nstyles:", ", ".join(f"{k} {v}" for k, v in C(q["style"] for q in Q).most_common()))
print("\n## pairs:", len(P))
print("| label | kind | count |\n|---|---|---|")
for (l, k), v in sorted(C((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print("\nlabel totals:", dict(C(p["label"] for p in P)))
print("\n| domain | pos | neg |\n|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for p in P:
    dom[p["domain"]][0 if p["label"] == 1 else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
gen = {"javascript", "php", "statistics", "mortgage", "geology", "poetry", "history", "woodworking", "study", "property"}
sp = [p for p in P if p["domain"] not in gen]
gp = [p for p in P if p["domain"] in gen]
print(f"\nsupport-style pairs: {len(sp)} (pos {sum(p['label'] for p in sp)}, neg {len(sp)-sum(p['label'] for p in sp)});"
      f" general pairs: {len(gp)} (pos {sum(p['label'] for p in gp)}, neg {len(gp)-sum(p['label'] for p in gp)})")
tok = lambda s: re.findall(r"[a-z0-9']+", s.lower())
def close_edit(a, b):
    ops = [o for o in difflib.SequenceMatcher(None, tok(a), tok(b)).get_opcodes() if o[0] != "equal"]
    return len(ops) == 1 and (ops[0][2]-ops[0][1]) <= 2 and (ops[0][4]-ops[0][3]) <= 2
neg = [p for p in P if p["label"] == 0]
ce = sum(close_edit(p["a"], p["b"]) for p in neg)
print(f"\nnegatives that are a single edit of <=2 tokens: {ce}; negatives with broader rewording: {len(neg)-ce} "
      f"({100*(len(neg)-ce)/len(neg):.0f}%)")
