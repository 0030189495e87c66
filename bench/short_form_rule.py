"""Session 19's rule for the respelling check's ``short form`` form
(``cache/short_forms.py``), in two steps, as session 18's for the synonym form
(``synonym_rule.py``):

    # 1. the form on every other committed pair and Quora's training pairs (no model):
    #    the pairs it would make hits that no other form change makes, for the stack
    .venv/bin/python bench/short_form_rule.py fire --out /tmp/sf-fired.jsonl
    .venv/bin/python bench/cache_losses.py --no-short-forms --sets /tmp/sf-fired.jsonl \
        --pairs-out /tmp/sf-fired-rows.jsonl
    # 2. the decision sets with the form on, then the rule against the shipped stack's rows
    .venv/bin/python bench/cache_losses.py --short-forms --sets heldout9 ... heldout29 \
        --pairs-out /tmp/sf-D19-rows.jsonl
    .venv/bin/python bench/short_form_rule.py decide \
        --base /work/base/base-D19-d9cb83a-pairs.jsonl --rows /tmp/sf-D19-rows.jsonl \
        --fired /tmp/sf-fired.jsonl --fired-rows /tmp/sf-fired-rows.jsonl \
        --out bench/results/short-forms-session19.json

The form only ever makes a pair a hit (before the verifier; the amounts-and-ids check
still refuses), so outside the decision sets a pair it does not fire on keeps its
verdict, and one it fires on is newly hit where the stack (the form off) misses it and
the hard check lets it through. The pairs ``train/cache_verifier/pairs.py`` generated
(``source`` ending "+generated") are reported apart, outside R2 / F2. ``decide`` also
times the table's import in fresh processes (CPU and resident memory, after the imports
a cold start makes anyway). The steps are ``synonym_rule.py``'s, run for this form
(``FORM``). The rule is the lead's, quoted in docs/cache-history.md
"Session 19: short forms a lexicon knows":

    Over D19 (heldout9-11, 14-29; bench/cache_losses.py with the form on against
    /work/base/base-D19-d9cb83a-pairs.jsonl): R = paraphrases newly hit, F = negatives
    newly hit, no decision-set hit lost. Over every other committed pair that is
    hand-written or public (data/heldout, heldout2-8, heldout12-13,
    data/cache_verifier/*/cache_pairs.jsonl and the support files, the hand-written and
    Quora rows of bench/cache_pairs/*.jsonl, Quora's train pairs as
    bench/extra_ask_rule.py reads them), excluding pairs train/cache_verifier/pairs.py
    generated: R2, F2 likewise among pairs the stack misses. Turn the form on by default
    if R >= 30 from at least 8 sets, F <= R / 20, F2 <= R2 / 10 + 2, and the table costs
    at most 20 ms CPU at a cold start and 1 MB in the layer. Otherwise ship it off (or
    not at all, if it is not worth keeping).
"""

from __future__ import annotations

from pathlib import Path

from synonym_rule import Form, main

from llm_router.cache import short_forms

# The table's cost to a fresh process: its module's import after the imports a cold start
# makes anyway (numpy, the artefact reader, the modules the respelling check reads);
# CPU seconds and resident kB added, one JSON line.
LOAD = """
import json, time
import numpy, llm_router.artefacts, llm_router.cache.pair_features, llm_router.cache.quantities
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
before, started = rss(), time.process_time()
import llm_router.cache.short_forms
print(json.dumps({"cpu_s": time.process_time() - started, "rss_kb": rss() - before}))
"""
FORM = Form("short form", "short_forms_on", lambda: {"short_forms": True},
            "docs/cache-history.md, Session 19: short forms a lexicon knows", 30, 8, LOAD,
            Path(short_forms.__file__), 1 << 20)

if __name__ == "__main__":
    raise SystemExit(main(FORM, __doc__.splitlines()[0], "short-forms"))
