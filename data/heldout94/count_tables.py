import json,collections,os,glob
D='/work/heldout94'
Q=[json.loads(l) for l in open(D+'/classifier_queries.jsonl')]
P=[json.loads(l) for l in open(D+'/cache_pairs.jsonl')]
tiers=['simple','moderate','complex','reasoning']
print('### Queries per tier x traffic\n\n| tier | support | general | total | share |\n|---|---|---|---|---|')
for t in tiers:
    s=sum(1 for q in Q if q['tier']==t and q['traffic']=='support'); g=sum(1 for q in Q if q['tier']==t and q['traffic']=='general')
    print(f'| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |')
s=sum(q['traffic']=='support' for q in Q)
print(f'| total | {s} | {len(Q)-s} | {len(Q)} | |\n')
print('### Borderline (b) queries per tier x traffic\n\n| tier | support | general | total |\n|---|---|---|---|')
for t in tiers:
    s=sum(1 for q in Q if q['tier']==t and q['traffic']=='support' and q['borderline']); g=sum(1 for q in Q if q['tier']==t and q['traffic']=='general' and q['borderline'])
    print(f'| {t} | {s} | {g} | {s+g} |')
print(f'| total | | | {sum(q["borderline"] for q in Q)} |\n')
print('### Query styles\n\n| style | count |\n|---|---|')
for k,v in sorted(collections.Counter(q['style'] for q in Q).items(), key=lambda x:(-x[1],x[0])): print(f'| {k} | {v} |')
print('\n### Pairs per label x kind\n\n| label | kind | count |\n|---|---|---|')
for (l,k),v in sorted(collections.Counter((p['label'],p['kind']) for p in P).items(), key=lambda x:(-x[0][0],x[0][1])): print(f'| {l} | {k} | {v} |')
c=collections.Counter(p['label'] for p in P)
print(f'| 1 | all positive | {c[1]} |\n| 0 | all negative | {c[0]} |\n')
print('### Pairs per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|')
dom=collections.defaultdict(lambda:[0,0])
for p in P: dom[p['domain']][1-p['label']]+=1
for d in sorted(dom): print(f'| {d} | {dom[d][0]} | {dom[d][1]} | {sum(dom[d])} |')
# support vs general from source files (same order as build.py reads them)
print('\n### Pairs by traffic (from source file prefix p_s_ / p_g_)\n\n| traffic | pos | neg | total | negatives in "reworded with a changed ask" sections |\n|---|---|---|---|---|')
for tr in 'sg':
    pos=neg=rw=0
    for f in sorted(glob.glob(f'{D}/src/p_{tr}_*.txt')):
        sec=None
        for line in open(f):
            if line.startswith('# negatives: reworded'): sec='rw'; continue
            if line.startswith('# negatives: close'): sec='close'; continue
            if not line.strip() or line.startswith('#'): continue
            if line[0]=='1': pos+=1
            else:
                neg+=1
                if sec=='rw': rw+=1
    print(f'| {"support" if tr=="s" else "general"} | {pos} | {neg} | {pos+neg} | {rw} |')
