import json,collections
q=[json.loads(l) for l in open('classifier_queries.jsonl')]
p=[json.loads(l) for l in open('cache_pairs.jsonl')]
T=['simple','moderate','complex','reasoning']
print("Queries per tier x traffic\n\n| tier | support | general | total | borderline |\n|---|---|---|---|---|")
for t in T:
    s=sum(1 for x in q if x['tier']==t and x['traffic']=='support'); g=sum(1 for x in q if x['tier']==t and x['traffic']=='general')
    b=sum(1 for x in q if x['tier']==t and x['borderline'])
    print(f"| {t} | {s} | {g} | {s+g} ({100*(s+g)/len(q):.1f} %) | {b} |")
print(f"| total | {sum(x['traffic']=='support' for x in q)} | {sum(x['traffic']=='general' for x in q)} | {len(q)} | {sum(x['borderline'] for x in q)} |")
print("\nStyles: "+", ".join(f"{k} {v}" for k,v in sorted(collections.Counter(x['style'] for x in q).items(), key=lambda kv:(-kv[1],kv[0]))))
print("\nPairs per label x kind\n\n| label | kind | support | general | total |\n|---|---|---|---|---|")
# traffic of pairs from source file prefix is not in jsonl; recompute from src
import os,re
trafficmap={}
for n in sorted(os.listdir('src')):
    m=re.match(r'p_([sg])_',n)
    if not m: continue
    for line in open('src/'+n):
        if not line.strip() or line.lstrip().startswith('#'): continue
        f=[x.strip() for x in line.split('||')]
        trafficmap[(f[1].replace('\\n','\n'),f[2].replace('\\n','\n'))]='support' if m.group(1)=='s' else 'general'
for x in p: x['traffic']=trafficmap[(x['a'],x['b'])]
kinds=sorted(collections.Counter((x['label'],x['kind']) for x in p), key=lambda k:(-k[0],k[1]))
for lab,k in kinds:
    s=sum(1 for x in p if x['label']==lab and x['kind']==k and x['traffic']=='support'); g=sum(1 for x in p if x['label']==lab and x['kind']==k and x['traffic']=='general')
    print(f"| {lab} | {k} | {s} | {g} | {s+g} |")
for lab in (1,0):
    s=sum(1 for x in p if x['label']==lab and x['traffic']=='support'); g=sum(1 for x in p if x['label']==lab and x['traffic']=='general')
    print(f"| {lab} | all | {s} | {g} | {s+g} |")
print(f"| all | all | {sum(x['traffic']=='support' for x in p)} | {sum(x['traffic']=='general' for x in p)} | {len(p)} |")
print("\nPairs per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
for d in sorted(set(x['domain'] for x in p)):
    a=sum(1 for x in p if x['domain']==d and x['label']==1); b=sum(1 for x in p if x['domain']==d and x['label']==0)
    print(f"| {d} | {a} | {b} | {a+b} |")
