#!/usr/bin/env python3
"""Print the count tables for README.md from the built jsonl files. Reads only; writes nothing."""
import collections, difflib, json, os, re
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
q = [json.loads(l) for l in open(os.path.join(OUT, "classifier_queries.jsonl"), encoding="utf-8")]
p = [json.loads(l) for l in open(os.path.join(OUT, "cache_pairs.jsonl"), encoding="utf-8")]
T = ["simple", "moderate", "complex", "reasoning"]
print("## queries:", len(q))
print("| tier | support | general | total | borderline |")
print("|---|---|---|---|---|")
for t in T:
    s = sum(1 for x in q if x["tier"] == t and x["traffic"] == "support")
    g = sum(1 for x in q if x["tier"] == t and x["traffic"] == "general")
    b = sum(1 for x in q if x["tier"] == t and x["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} ({100*(s+g)/len(q):.1f}%) | {b} |")
print(f"| all | {sum(x['traffic']=='support' for x in q)} | {sum(x['traffic']=='general' for x in q)} | {len(q)} | {sum(x['borderline'] for x in q)} |")
print()
print("styles:", ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(x["style"] for x in q).items(), key=lambda kv: (-kv[1], kv[0]))))
print()
print("## pairs:", len(p))
print("| label | kind | count |")
print("|---|---|---|")
for (lab, k), n in sorted(collections.Counter((x["label"], x["kind"]) for x in p).items(), key=lambda kv: (-kv[0][0], kv[0][1])):
    print(f"| {lab} | {k} | {n} |")
print()
print("| domain | pos | neg |")
print("|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for x in p:
    dom[x["domain"]][0 if x["label"] == 1 else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
print()
def toks(s):
    return re.findall(r"[a-z0-9']+|[^\sa-z0-9']", s.lower())
def close_edit(a, b):
    ops = [o for o in difflib.SequenceMatcher(None, toks(a), toks(b), autojunk=False).get_opcodes() if o[0] != "equal"]
    return len(ops) == 1 and (ops[0][2] - ops[0][1]) <= 2 and (ops[0][4] - ops[0][3]) <= 2
neg = [x for x in p if x["label"] == 0]
close = sum(close_edit(x["a"], x["b"]) for x in neg)
print(f"negatives: {len(neg)}; close edits (one changed span of <=2 tokens): {close}; freer rewrites: {len(neg)-close} ({100*(len(neg)-close)/len(neg):.1f}%)")
