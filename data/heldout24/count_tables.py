import json,collections as C
q=[json.loads(l) for l in open('/work/heldout24/classifier_queries.jsonl')]
p=[json.loads(l) for l in open('/work/heldout24/cache_pairs.jsonl')]
print("QUERIES",len(q))
t=C.Counter((r['tier'],r['traffic']) for r in q)
print("| tier | support | general | total |\n|---|---|---|---|")
for tier in ["simple","moderate","complex","reasoning"]:
    print(f"| {tier} | {t[(tier,'support')]} | {t[(tier,'general')]} | {t[(tier,'support')]+t[(tier,'general')]} |")
print(f"| total | {sum(1 for r in q if r['traffic']=='support')} | {sum(1 for r in q if r['traffic']=='general')} | {len(q)} |")
b=C.Counter(r['tier'] for r in q if r['borderline'])
print("\nborderline:",sum(b.values()),dict(b))
print("\nstyles:",", ".join(f"{k} {v}" for k,v in C.Counter(r['style'] for r in q).most_common()))
print("\nPAIRS",len(p))
k=C.Counter((r['label'],r['kind']) for r in p)
print("| label | kind | count |\n|---|---|---|")
for (l,kk),v in sorted(k.items()): print(f"| {l} | {kk} | {v} |")
print("labels:",dict(C.Counter(r['label'] for r in p)))
d=C.defaultdict(lambda:[0,0])
for r in p: d[r['domain']][r['label']]+=1
print("| domain | pos | neg |\n|---|---|---|")
for dom in sorted(d): print(f"| {dom} | {d[dom][1]} | {d[dom][0]} |")
