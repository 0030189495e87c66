#!/usr/bin/env python3
"""Read-only counting script: prints tables for README from the built jsonl files. Creates/alters no rows."""
import json, collections
q=[json.loads(l) for l in open("classifier_queries.jsonl")]
p=[json.loads(l) for l in open("cache_pairs.jsonl")]
print("queries", len(q))
t=collections.Counter((r["tier"],r["traffic"]) for r in q)
tiers=["simple","moderate","complex","reasoning"]
print("| tier | support | general | total | share |\n|---|---|---|---|---|")
for ti in tiers:
    s,g=t[(ti,"support")],t[(ti,"general")]
    print(f"| {ti} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% |")
S=sum(v for (a,b),v in t.items() if b=="support"); G=len(q)-S
print(f"| total | {S} | {G} | {len(q)} | |")
b=collections.Counter((r["tier"],r["traffic"]) for r in q if r["borderline"])
print("\nborderline:", sum(b.values()), dict(collections.Counter(r["tier"] for r in q if r["borderline"])), "support", sum(v for (x,y),v in b.items() if y=="support"), "general", sum(v for (x,y),v in b.items() if y=="general"))
print("styles:", ", ".join(f"{k} {v}" for k,v in sorted(collections.Counter(r["style"] for r in q).items(), key=lambda x:-x[1])))
print("\npairs", len(p), "pos", sum(r["label"] for r in p), "neg", sum(1-r["label"] for r in p))
k=collections.Counter((r["label"],r["kind"]) for r in p)
print("| label | kind | count |\n|---|---|---|")
for (l,kk),v in sorted(k.items()): print(f"| {l} | {kk} | {v} |")
d=collections.Counter((r["domain"],r["label"]) for r in p)
print("\n| domain | pos | neg |\n|---|---|---|")
for dom in sorted({r["domain"] for r in p}): print(f"| {dom} | {d[(dom,1)]} | {d[(dom,0)]} |")
# loose negatives: word-set symmetric difference bigger than a 1-for-1 swap
def words(s): return set(w.strip("?.,!'\"").lower() for w in s.split())
loose=[r for r in p if r["label"]==0 and len(words(r["a"])^words(r["b"]))>4]
print("\nnegatives whose word sets differ by more than 4 words:", len(loose), "of", sum(1-r["label"] for r in p))
