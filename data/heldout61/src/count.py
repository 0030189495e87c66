#!/usr/bin/env python3
"""Print count tables for README (reads the built jsonl files; creates and alters no rows)."""
import json, os, re, collections as C
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## queries: tier x traffic (borderline in brackets)")
print("| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = [q for q in Q if q["tier"] == t and q["traffic"] == "support"]
    g = [q for q in Q if q["tier"] == t and q["traffic"] == "general"]
    bs = sum(q["borderline"] for q in s); bg = sum(q["borderline"] for q in g)
    print(f"| {t} | {len(s)} ({bs}) | {len(g)} ({bg}) | {len(s)+len(g)} | {100*(len(s)+len(g))/len(Q):.1f}% |")
ns = sum(q["traffic"] == "support" for q in Q)
print(f"| all | {ns} ({sum(q['borderline'] for q in Q if q['traffic']=='support')}) | {len(Q)-ns} ({sum(q['borderline'] for q in Q if q['traffic']=='general')}) | {len(Q)} | |")
print("\n## query styles")
print(", ".join(f"{k} {v}" for k, v in sorted(C.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0]))))
print("\n## pairs: label x kind")
print("| label | kind | count |\n|---|---|---|")
for (l, k), v in sorted(C.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all | {sum(p['label'] for p in P)} |\n| 0 | all | {sum(1-p['label'] for p in P)} |")
print("\n## pairs per domain (pos / neg)")
print("| domain | pos | neg |\n|---|---|---|")
for d in sorted({p["domain"] for p in P}):
    print(f"| {d} | {sum(p['label'] for p in P if p['domain']==d)} | {sum(1-p['label'] for p in P if p['domain']==d)} |")
def toks(t): return C.Counter(re.findall(r"[a-z0-9']+", t.lower()))
neg = [p for p in P if p["label"] == 0]
def d(p): a, b = toks(p["a"]), toks(p["b"]); return sum(((a - b) + (b - a)).values())
print(f"\n## negatives: close edits (<=4 word tokens differ) {sum(d(p)<=4 for p in neg)}, freer rewrites {sum(d(p)>4 for p in neg)}")
