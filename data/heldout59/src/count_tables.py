import json, collections, re
q=[json.loads(l) for l in open('classifier_queries.jsonl')]
p=[json.loads(l) for l in open('cache_pairs.jsonl')]
c=collections.Counter((r['tier'],r['traffic']) for r in q)
print("queries", len(q))
print("tier | support | general | total | share")
for t in ['simple','moderate','complex','reasoning']:
    tot=c[(t,'support')]+c[(t,'general')]
    print(f"{t} | {c[(t,'support')]} | {c[(t,'general')]} | {tot} | {tot/len(q):.1%}")
print("traffic", collections.Counter(r['traffic'] for r in q))
b=collections.Counter(r['tier'] for r in q if r['borderline'])
print("borderline", sum(b.values()), dict(b))
print("styles", collections.Counter(r['style'] for r in q).most_common())
print("pairs", len(p), collections.Counter(r['label'] for r in p))
for lab in (1,0):
    print(lab, collections.Counter(r['kind'] for r in p if r['label']==lab).most_common())
d=collections.defaultdict(lambda:[0,0])
for r in p: d[r['domain']][1-r['label']]+=1
print("domain pos/neg", sorted(d.items()))
w=lambda s:set(re.findall(r"[a-z0-9'\-]+",s.lower()))
far=0
for r in p:
    if r['label']==0:
        A,B=w(r['a']),w(r['b'])
        if len(A^B)>2: far+=1
print("negatives with more than a one-token-each-side edit:", far, "of", sum(1 for r in p if r['label']==0))
