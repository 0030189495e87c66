import json,collections as C
q=[json.loads(l) for l in open('classifier_queries.jsonl')]
p=[json.loads(l) for l in open('cache_pairs.jsonl')]
T=['simple','moderate','complex','reasoning']
print("### Queries per tier x traffic\n\n| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in T:
    s=sum(1 for x in q if x['tier']==t and x['traffic']=='support'); g=sum(1 for x in q if x['tier']==t and x['traffic']=='general')
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% |")
s=sum(1 for x in q if x['traffic']=='support'); print(f"| total | {s} | {len(q)-s} | {len(q)} | |")
print("\n### Borderline rows per tier\n\n| tier | borderline | of |\n|---|---|---|")
for t in T: print(f"| {t} | {sum(1 for x in q if x['tier']==t and x['borderline'])} | {sum(1 for x in q if x['tier']==t)} |")
print(f"| total | {sum(x['borderline'] for x in q)} | {len(q)} |")
print("\n### Styles\n\n| style | rows |\n|---|---|")
for k,v in C.Counter(x['style'] for x in q).most_common(): print(f"| {k} | {v} |")
print("\n### Pairs per label x kind\n\n| label | kind | pairs |\n|---|---|---|")
for (l,k),v in sorted(C.Counter((x['label'],x['kind']) for x in p).items(), key=lambda a:(-a[0][0],-a[1])): print(f"| {l} | {k} | {v} |")
pos=sum(x['label'] for x in p); print(f"| | total positive | {pos} |\n| | total negative | {len(p)-pos} |")
print("\n### Pairs per domain\n\n| domain | pos | neg |\n|---|---|---|")
d=C.defaultdict(lambda:[0,0])
for x in p: d[x['domain']][0 if x['label'] else 1]+=1
for k in sorted(d): print(f"| {k} | {d[k][0]} | {d[k][1]} |")
