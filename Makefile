# llm-router: `make demo` and `make test` work on a fresh machine with Python and make.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VENV_SAM := .venv-sam
VENV_LITELLM := .venv-litellm
BIN := $(VENV)/bin
# sam build needs python3.12 on PATH for the python3.12 runtime; pyenv provides it here.
export PYENV_VERSION ?= 3.11.7:3.12.1
# The priority of the CPU-heavy targets (classifier training and bench, the benchmarks):
# `make bench-soak NICE="nice -n 15"`, or NICE= to run them at the shell's own.
NICE ?= nice -n 10

.PHONY: data demo test unit integration lint typecheck sam-validate sam-build layer-size clean \
	bench-peer bench-soak bench-soak-cache bench-loop-stall bench-pipeline bench-cold-start verifier verifier-cross verifier-cross-continue verifier-cross-alone verifier-cross-s3 verifier-cross-s4 verifier-cross-s5 verifier-cross-s6 verifier-cross-s7 verifier-cross-s7r verifier-cross-om verifier-cross-s10 verifier-cross-s11 cache-retrieval-map classifier-data classifier-train classifier-bench

$(BIN)/llm-router: requirements/runtime.txt requirements/local.txt requirements/dev.txt \
		requirements/serve.txt requirements/embedding.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/embedding.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/serve.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV_SAM)/bin/sam: requirements/sam.txt
	$(PYTHON) -m venv $(VENV_SAM)
	$(VENV_SAM)/bin/pip install --quiet --upgrade pip
	$(VENV_SAM)/bin/pip install --quiet -r requirements/sam.txt
	touch $@

venv: $(BIN)/llm-router

# Local embedding weights for the core layer (float16, hash-manifested, gitignored).
# The classifier artefact next to them is committed: `llm-router train` rebuilds it.
EMBED_DIR := layers/core/llm_router/data/embedding
BENCH_DATA := local/llm_router_local/data/benchmark/queries.jsonl
data: $(EMBED_DIR)/manifest.json $(BENCH_DATA)

# The labelled queries ride with the benchmark-runner function (its own build,
# functions/benchmark_runner/Makefile) so it can score the classifier on Lambda's CPU;
# data/classifier/ stays their one source.
$(BENCH_DATA): data/classifier/queries.jsonl
	mkdir -p $(dir $@)
	cp $< $@
	@# Their old place (until 34e4a21), gitignored: a stale copy would ride the layer.
	rm -rf layers/core/llm_router/data/benchmark

# The complexity classifier (docs/classifier.md). Training needs only numpy (no extra
# dependencies); it is CPU-heavy, so it runs niced on one BLAS thread. The artefact it
# writes (layers/core/llm_router/data/classifier/) is committed with its sha256.
classifier-data:
	$(PYTHON) data/classifier/build.py

classifier-train: $(BIN)/llm-router data
	OPENBLAS_NUM_THREADS=1 $(NICE) $(BIN)/llm-router train --embedding-cache .cache/embeddings.npz

classifier-bench: $(BIN)/llm-router data
	$(NICE) $(BIN)/python bench/classifier_bench.py

$(EMBED_DIR)/manifest.json: $(BIN)/llm-router layers/core/llm_router/embedding/export.py
	$(BIN)/python -m llm_router.embedding.export --out $(EMBED_DIR)

# The semantic cache's pair verifier: rebuild its pair sets (train, tune, held-out), train
# on CPU and rewrite the committed artefact layers/core/llm_router/data/cache_verifier/.
# On 2 shared cores under load: ~15 min for sentence embeddings and word features (cached
# in bench/results/local/ and .cache/), ~15 min for MiniLM's token states of ~40,000
# texts (JAX; the slow half cached in .cache/cache_verifier/ and reused per text, ~8 min
# on a rerun), then ~4 min of CPU per alignment net (three, JAX). Dev-only dependencies:
# requirements/train.txt. `python -m train.cache_verifier.train` fits the MLP ensemble
# over the hand features alone instead (the verifier before the alignment nets).
# Then the mid-fusion model (data/cache_verifier/fusion.npz, not in the layer: the nets
# alone do better at the operating point, docs/semantic-cache.md): MiniLM's bottom 4
# layers of ~55,000 texts (JAX, ~10 min under load 9, cached in .cache/cache_verifier/),
# two epochs of its top 2 layers over the joined pairs (~1,070 steps of 32 each, ~1 s a
# step under load 9), heldout5 left out and measured on; then its stack with the nets.
# The shipped nets are session 8's (1b96ba44), cut by the `hand` rule (session 9's A',
# docs/cache-history.md "Session 9"): heldout9-11 and train10a-f are left out (in
# build.LATER_SETS; the cross-encoder below trains on train10a-f).
verifier: $(BIN)/llm-router data
	$(BIN)/pip install --quiet -r requirements/train.txt
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.build --leave-out heldout9 heldout10 heldout11 train10a train10b train10c train10d train10e train10f
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.align --cut-rule hand

# The cross-encoder stacked on the nets (layers/core/llm_router/data/cache_verifier/cross.*,
# docs/cache-history.md "Session 10"): pair sets without the decision sets heldout9-11,
# a bundle (mined negatives, token ids, shared numbers stood in for, initial weights; ~1.5
# min of CPU), the fit (JAX: the shipped variant I took 58 s on an H200; on this machine's
# CPUs expect many hours), the decision on heldout9-11 through the whole lookup, and the
# export of the chosen variant.
# CROSS_VARIANTS picks the variants to fit; CROSS_RUN the working folder.
CROSS_RUN ?= .cache/cross
CROSS_VARIANTS ?= I
verifier-cross: $(BIN)/llm-router data
	$(BIN)/pip install --quiet -r requirements/train.txt
	CACHE_VERIFIER_RUN=$(CROSS_RUN) OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.build --qqp-train-pairs 60000 --leave-out heldout9 heldout10 heldout11
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross prepare --run $(CROSS_RUN) --out $(CROSS_RUN)/bundle.npz --numbers shared
	$(BIN)/python -m train.cache_verifier.cross fit --bundle $(CROSS_RUN)/bundle.npz --out $(CROSS_RUN)/fit --variants $(CROSS_VARIANTS)
	$(BIN)/python -c "import json,sys; [print(json.dumps({'cached': json.loads(l)['a'], 'query': json.loads(l)['b']})) for s in ('heldout9','heldout10','heldout11') for l in open(f'data/{s}/cache_pairs.jsonl')]" > $(CROSS_RUN)/decision-pairs.jsonl
	$(BIN)/llm-router cache-probe --explain --verifier-model nets < $(CROSS_RUN)/decision-pairs.jsonl > $(CROSS_RUN)/decision-nets.jsonl
	$(BIN)/python -m train.cache_verifier.cross decide --numbers shared --probe $(CROSS_RUN)/decision-nets.jsonl --fits $(CROSS_RUN)/fit --out $(CROSS_RUN)/decision.json
	$(BIN)/python -m train.cache_verifier.cross export --artefact $(CROSS_RUN)/fit/$(CROSS_VARIANTS).npz --decision $(CROSS_RUN)/decision.json --fit-log $(CROSS_RUN)/fit/fit.json --bundle-meta $(CROSS_RUN)/bundle.json

# Sessions 12-20: a cross-encoder trained further on CPU from the shipped cross.npz (warm
# start) on the new writers' sets and a replay sample (train/cache_verifier/cross_continue.py;
# docs/cache-history.md "Session 12" .. "Session 20"). Writes a --cross-dir folder
# and the rule's figures under CONTINUE_RUN; the layer's artefact is only replaced by hand, when
# the rule adopts it. The default recipe is session 20's C3: session 16's C (train14a-d
# (focus), train13a-d (shape) and train16a-b (matched) at weight 4 with train12a-d and
# heldout12-13 trained through the stack, the nets' logit from cache-probe) plus heldout9-11 and
# 14-21 (held) at weight 3, 12,000 Quora replay pairs (CONTINUE_PREPARE), the text guard over
# heldout22-31, 1,020 Quora hard negatives at weight 3 (CONTINUE_HARD: prepare --qqp-hard 4000),
# 1,176 steps, seed 19, decided on heldout22-31 with Quora in view (decide --rule session20
# reads both runs over bench/cache_pairs/heldout.jsonl). Session 19's C2 is CONTINUE_HARD= with
# --steps 1150 and no --qneg-weight in CONTINUE_FIT, CONTINUE_PREPARE=--qqp-replay 12000 and
# CONTINUE_RULE=session19 with CONTINUE_D heldout22-29; its C is that with no CONTINUE_PREPARE,
# --held-weight 4 --steps 1000; session 16's C is
# this file and cross_continue.py at d9cb83a, C1 that with --steps 700 --seed 14 and no
# --matched-weight. CONTINUE_FROM: the commit whose layer holds the start and the baseline the
# rule compares with (session 13's T, 137e3a21, at session 17's cut 0.945708 since d9cb83a,
# the layer's until session 20 shipped C3;
# session 13's own recipe, from session 10's artefact at 2a66ffc, is this file and
# cross_continue.py at 8cb6ee0). CONTINUE_RULE: decide's --rule (cross_continue.RULES).
# Session 21's C4 (not adopted: docs/cache-history.md "Session 21: the cross-encoder trained on
# nineteen held-out sets") is CONTINUE_PREPARE="--qqp-replay 12000 --rule session21" (heldout22-29
# held too, heldout30-33 guarded), --steps 1334 in CONTINUE_FIT, CONTINUE_RULE=session21 and
# CONTINUE_D heldout30-33; its (c) runs cache_shared.py on heldout32 heldout33.
# Session 15 trained one candidate from the start instead (MiniLM's layers, a new head) on
# the build's whole pool and every set since: CONTINUE_PREPARE=--whole and --from-start in
# CONTINUE_FIT (docs/cache-history.md "Session 15: the cross-encoder trained from the start").
CONTINUE_RUN ?= .cache/cross-continue
CONTINUE_NAME ?= C
CONTINUE_FROM ?= d9cb83a
CONTINUE_PREPARE ?= --qqp-replay 12000 --rule session20
CONTINUE_HARD ?= --qqp-hard 4000
CONTINUE_FIT ?= --steps 1176 --lr 2e-5 --warmup 0.06 --held-weight 3 --qneg-weight 3 --matched-weight 4 --focus-weight 4 --shape-weight 4 --new-weight 3 --hand-weight 3 --distil 0.5 --fast --seed 19 --stack $(CONTINUE_RUN)/stack-nets.jsonl
CONTINUE_RULE ?= session20
CONTINUE_D ?= heldout22 heldout23 heldout24 heldout25 heldout26 heldout27 heldout28 heldout29 heldout30 heldout31
CONTINUE_QUORA = $(if $(filter session20 session21,$(CONTINUE_RULE)),--shipped-quora $(CONTINUE_RUN)/pairs-shipped.jsonl --candidate-quora $(CONTINUE_RUN)/pairs-$(CONTINUE_NAME).jsonl)
CONTINUE_LAYER = layers/core/llm_router/data/cache_verifier
# What the continued cross-encoders' targets share. cross_start RUN,FROM[,DIR]: the starting
# artefact out of commit FROM's layer into RUN/start (or RUN/DIR). cross_decide
# RUN,NAME,SETS,RULE[,REF,CUT] (the decide-alone targets, Quora always in the rule): the rule's
# sets and Quora's pairs scored with the reference RUN/start (or RUN/REF) and with the candidate
# RUN/NAME, the rule applied (the reference read at CUT where given: decide --shipped-cut) and
# the candidate exported with its decision.
define cross_start
	mkdir -p $(1)/$(or $(3),start)
	git show $(2):$(CONTINUE_LAYER)/cross.npz > $(1)/$(or $(3),start)/cross.npz
	git show $(2):$(CONTINUE_LAYER)/cross.json > $(1)/$(or $(3),start)/cross.json
endef
define cross_decide
	$(BIN)/python bench/cache_losses.py --sets $(3) --cross-dir $(1)/$(or $(5),start) --out $(1)/losses-shipped.json --pairs-out $(1)/losses-shipped.jsonl
	$(BIN)/python bench/cache_losses.py --sets $(3) --cross-dir $(1)/$(2) --out $(1)/losses-$(2).json --pairs-out $(1)/losses-$(2).jsonl
	$(BIN)/python bench/cache_losses.py --sets pairs --cross-dir $(1)/$(or $(5),start) --out $(1)/pairs-shipped.json --pairs-out $(1)/pairs-shipped.jsonl
	$(BIN)/python bench/cache_losses.py --sets pairs --cross-dir $(1)/$(2) --out $(1)/pairs-$(2).json --pairs-out $(1)/pairs-$(2).jsonl
	$(BIN)/python -m train.cache_verifier.cross_continue decide --rule $(4) --shipped $(1)/losses-shipped.jsonl --candidate $(1)/losses-$(2).jsonl --shipped-quora $(1)/pairs-shipped.jsonl --candidate-quora $(1)/pairs-$(2).jsonl$(if $(6), --shipped-cut $(6)) --out $(1)/decision-$(2).json
	$(BIN)/python -m train.cache_verifier.cross_continue export --fit $(1)/fit/$(2).json --out $(1)/$(2) --decision $(1)/decision-$(2).json
endef
# cross_self RUN,FROM,PREPARE,NAME,FIT[,SETS,RULE,REF_FROM,REF_CUT] (S3's recipe and its
# successors): the shipped model that decides alone, out of commit FROM's layer, continued on its
# own bundle with no nets (one XLA thread), exported, the rule's runs and decision (cross_decide),
# the reference the start or, given REF_FROM, commit REF_FROM's layer in RUN/reference, read at
# REF_CUT where given. No SETS (session 26's S6): fitted and exported only, at the start's cut (its
# cross.json's threshold, not the layer's), for a later session's rule.
define cross_self
	$(BIN)/pip install --quiet -r requirements/train.txt
	$(call cross_start,$(1),$(2))
	$(if $(8),$(call cross_start,$(1),$(8),reference))
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue prepare $(3) --out $(1)/bundle.npz
	$(ALONE_XLA) OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue fit --bundle $(1)/bundle.npz --init $(1)/start/cross.npz --out $(1)/fit --name $(4) $(5)
	$(BIN)/python -m train.cache_verifier.cross_continue export --fit $(1)/fit/$(4).json --out $(1)/$(4)$(if $(6),, --threshold $$($(BIN)/python -c "import json; print(json.load(open('$(1)/start/cross.json'))['threshold'])"))
	$(if $(6),$(call cross_decide,$(1),$(4),$(6),$(7),$(if $(8),reference),$(9)))
endef
verifier-cross-continue: $(BIN)/llm-router data
	$(BIN)/pip install --quiet -r requirements/train.txt
	$(call cross_start,$(CONTINUE_RUN),$(CONTINUE_FROM))
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue prepare $(CONTINUE_PREPARE) $(CONTINUE_HARD) --out $(CONTINUE_RUN)/bundle.npz
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue probe-pairs $(CONTINUE_PREPARE) --out $(CONTINUE_RUN)/stack-in.jsonl
	OMP_NUM_THREADS=1 $(BIN)/llm-router cache-probe --explain --verifier-model nets --threshold 0.000001 < $(CONTINUE_RUN)/stack-in.jsonl > $(CONTINUE_RUN)/stack-nets.jsonl
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue fit --bundle $(CONTINUE_RUN)/bundle.npz --init $(CONTINUE_RUN)/start/cross.npz --out $(CONTINUE_RUN)/fit --name $(CONTINUE_NAME) $(CONTINUE_FIT)
	$(BIN)/python -m train.cache_verifier.cross_continue export --fit $(CONTINUE_RUN)/fit/$(CONTINUE_NAME).json --out $(CONTINUE_RUN)/$(CONTINUE_NAME)
	$(BIN)/python bench/cache_losses.py --sets $(CONTINUE_D) --cross-dir $(CONTINUE_RUN)/start --out $(CONTINUE_RUN)/losses-shipped.json --pairs-out $(CONTINUE_RUN)/losses-shipped.jsonl
	$(BIN)/python bench/cache_losses.py --sets $(CONTINUE_D) --cross-dir $(CONTINUE_RUN)/$(CONTINUE_NAME) --out $(CONTINUE_RUN)/losses-$(CONTINUE_NAME).json --pairs-out $(CONTINUE_RUN)/losses-$(CONTINUE_NAME).jsonl
	$(if $(CONTINUE_QUORA),$(BIN)/python bench/cache_losses.py --sets pairs --cross-dir $(CONTINUE_RUN)/start --out $(CONTINUE_RUN)/pairs-shipped.json --pairs-out $(CONTINUE_RUN)/pairs-shipped.jsonl)
	$(if $(CONTINUE_QUORA),$(BIN)/python bench/cache_losses.py --sets pairs --cross-dir $(CONTINUE_RUN)/$(CONTINUE_NAME) --out $(CONTINUE_RUN)/pairs-$(CONTINUE_NAME).json --pairs-out $(CONTINUE_RUN)/pairs-$(CONTINUE_NAME).jsonl)
	$(BIN)/python -m train.cache_verifier.cross_continue decide --rule $(CONTINUE_RULE) --shipped $(CONTINUE_RUN)/losses-shipped.jsonl --candidate $(CONTINUE_RUN)/losses-$(CONTINUE_NAME).jsonl $(CONTINUE_QUORA) --out $(CONTINUE_RUN)/decision-$(CONTINUE_NAME).json
	$(BIN)/python -m train.cache_verifier.cross_continue export --fit $(CONTINUE_RUN)/fit/$(CONTINUE_NAME).json --out $(CONTINUE_RUN)/$(CONTINUE_NAME) --decision $(CONTINUE_RUN)/decision-$(CONTINUE_NAME).json
	@echo "check (c): bench/cache_shared.py --sets heldout30 heldout31 --variants 0.5:5 (session 19's: heldout28 heldout29; its (d): bench/cache_losses.py --sets pairs), each with --cross-dir $(CONTINUE_RUN)/start and $(CONTINUE_RUN)/$(CONTINUE_NAME)"

# Session 21's S2, the shipped cross-encoder in session 21 and again from session 23 to 25, S3's and S5's start
# (cross.npz 2a9b446e, cut 0.858085, from session 23 0.855177 by rule V: docs/cache-history.md "Session 23: S2 or S3 on four
# sets neither trained on"; cross.json "combine": null: it decides alone; docs/cache-history.md "Session 21: a
# cross-encoder that decides alone, again"): C3 (ALONE_FROM, d304b9a's layer: the start and the reference stack X0,
# C3 on the nets at 0.927421) trained further on C4's bundle (prepare --rule session21: heldout9-11
# and 14-29 held, heldout30-33 and bench/cache_pairs/heldout.jsonl under the text guard), taught
# the stack: the nets' probe of every bundle pair (ALONE_PROBE, session 16's flags) is fit
# --teacher-stack's, --distil 0.7 (ALONE_FIT), exported with no "combine", decided by the lead's
# rule session21-alone on heldout30-33 (ALONE_D) and Quora, the cut at c_S. The session's run took
# two shortcuts this target does not (the probe looked up by text from C3's bundle's, the
# teacher's cache filled from C3's bundle's fit; values equal to ~2e-6) and its X0 rows were the
# lead's at 946a481: a rerun gives an equivalent artefact, not a byte-identical one. The export
# holds its own rule's cut (c_S: 0.858085 in session 21); the cut the layer ships is rule V's, so
# the last step (cross_continue ship --decision ALONE_SHIP) writes V's cut 0.855177 and decision
# block (from bench/results/verifier-session23.json) into ALONE_RUN/ALONE_NAME/cross.json (its
# model must be named S2, the one V ships) and prints the fields where it differs from the file
# the layer shipped in sessions 23-25 (ALONE_AGAINST; the layer shipped S5 in sessions 26-35, S10 since), those
# that record the run (the weights' sha256 and check, scores: the run's own
# decide, the fit's CPU, wall, load and device, the teacher's and the bundle's sha256) apart
# from any other. ALONE_SHIP empty: the export as its rule left it.
ALONE_RUN ?= .cache/cross-alone
ALONE_NAME ?= S2
ALONE_FROM ?= d304b9a
ALONE_PREPARE ?= --qqp-replay 12000 --rule session21 --qqp-hard 4000
ALONE_PROBE ?= --explain --verifier-model nets --threshold 0.000001 --no-spelling
ALONE_FIT ?= --steps 2000 --lr 3e-5 --warmup 0.06 --held-weight 3 --qneg-weight 3 --matched-weight 4 --focus-weight 4 --shape-weight 4 --new-weight 3 --hand-weight 3 --distil 0.7 --fast --seed 21
ALONE_RULE ?= session21-alone
ALONE_D ?= heldout30 heldout31 heldout32 heldout33
ALONE_SHIP ?= V
ALONE_AGAINST ?= tests/unit/cache/data/cross-S2-session23.json
ALONE_XLA = XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
verifier-cross-alone: $(BIN)/llm-router data
	$(BIN)/pip install --quiet -r requirements/train.txt
	$(call cross_start,$(ALONE_RUN),$(ALONE_FROM))
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue prepare $(ALONE_PREPARE) --out $(ALONE_RUN)/bundle.npz
	OMP_NUM_THREADS=1 $(BIN)/llm-router cache-probe $(ALONE_PROBE) < $(ALONE_RUN)/bundle-probe.jsonl > $(ALONE_RUN)/bundle-nets.jsonl
	$(ALONE_XLA) OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue fit --bundle $(ALONE_RUN)/bundle.npz --init $(ALONE_RUN)/start/cross.npz --out $(ALONE_RUN)/fit --name $(ALONE_NAME) $(ALONE_FIT) --teacher-stack $(ALONE_RUN)/bundle-nets.jsonl
	$(BIN)/python -m train.cache_verifier.cross_continue export --fit $(ALONE_RUN)/fit/$(ALONE_NAME).json --out $(ALONE_RUN)/$(ALONE_NAME)
	$(call cross_decide,$(ALONE_RUN),$(ALONE_NAME),$(ALONE_D),$(ALONE_RULE))
	$(if $(ALONE_SHIP),$(BIN)/python -m train.cache_verifier.cross_continue ship --dir $(ALONE_RUN)/$(ALONE_NAME) --decision $(ALONE_SHIP) --against $(ALONE_AGAINST))
	@echo "checks (c) and (e): bench/cache_shared.py --sets heldout32 heldout33 --variants 0.5:5, bench/stack_profile.py and bench/stack_cost.py --states request (alternated), each with --cross-dir $(ALONE_RUN)/start and $(ALONE_RUN)/$(ALONE_NAME)"

# Session 22's S3, the shipped cross-encoder in session 22 (cross.npz 532359f5, cut 0.861295, cross.json "combine":
# null; docs/cache-history.md "Session 22: S3, the shipped cross-encoder continued on heldout30-33"): S2 (S3_FROM, c43ec5d's layer: the start, the reference and the teacher) trained
# further on heldout9-11 and 14-33 (prepare --rule session22: heldout30-33 held too, heldout34-35
# and bench/cache_pairs/heldout.jsonl under the text guard), with no nets anywhere: no --stack, no
# --teacher-stack, --distil 0.5 (the replay pairs' targets half S2's own probability). The start's
# cross.json says "combine": null, so the fit records it decides alone and the export writes no
# "combine". Decided by the lead's rule session22 on heldout34-35 (S3_D) and Quora (the reference
# S2 scored on the current lookup; the session's FH0, R0 were the lead's base rows at 7657d69).
S3_RUN ?= .cache/cross-s3
S3_NAME ?= S3
S3_FROM ?= c43ec5d
S3_PREPARE ?= --qqp-replay 12000 --qqp-hard 4000 --rule session22
S3_FIT ?= --steps 1500 --lr 2e-5 --warmup 0.06 --held-weight 3 --qneg-weight 3 --matched-weight 4 --focus-weight 4 --shape-weight 4 --new-weight 3 --hand-weight 3 --distil 0.5 --fast --seed 22
S3_RULE ?= session22
S3_D ?= heldout34 heldout35
verifier-cross-s3: $(BIN)/llm-router data
	$(call cross_self,$(S3_RUN),$(S3_FROM),$(S3_PREPARE),$(S3_NAME),$(S3_FIT),$(S3_D),$(S3_RULE))
	@echo "checks (c) and (e): bench/cache_shared.py --sets $(S3_D) --variants 0.5:5 and bench/stack_profile.py, each with --cross-dir $(S3_RUN)/start and $(S3_RUN)/$(S3_NAME); the verdicts of the lookup against the offline scorer on the $(S3_D) pairs"

# Session 23's S4 (docs/cache-history.md "Session 23: S4, the shipped cross-encoder continued on
# heldout34-37"): S3's recipe one round on. S3 (S4_FROM, 3a0863f's layer, cross.npz 532359f5:
# the start, the reference and the teacher) trained further on heldout9-11 and 14-37 (prepare
# --rule session23: heldout34-37 held too, heldout38-39 and bench/cache_pairs/heldout.jsonl under
# the text guard, any pair sharing a text with heldout38-39's dropped), no nets, --distil 0.5,
# exported with no "combine"; decided by the lead's rule session23 on heldout38-39 (S4_D) and
# Quora (the reference B scored on the current lookup; the session read FH0, R0 and Q0 from the
# lead's base rows at 89e5b96).
S4_RUN ?= .cache/cross-s4
S4_NAME ?= S4
S4_FROM ?= 3a0863f
S4_PREPARE ?= --qqp-replay 12000 --qqp-hard 4000 --rule session23
S4_FIT ?= --steps 1500 --lr 2e-5 --warmup 0.06 --held-weight 3 --qneg-weight 3 --matched-weight 4 --focus-weight 4 --shape-weight 4 --new-weight 3 --hand-weight 3 --distil 0.5 --fast --seed 23
S4_RULE ?= session23
S4_D ?= heldout38 heldout39
# B, the reference: what main ships when S4 is decided, rule V's S2 (S4_REF_FROM, aaaf58a's
# layer, the layer main ships since: cross.npz 2a9b446e, c43ec5d's bytes, and a cross.json at
# rule V's 0.855177, so a check run by hand on RUN/reference runs at the cut the rule reads;
# empty: the start) read at the rule's cut for it, 0.855177 (S4_REF_CUT: decide --shipped-cut,
# empty for the rule's own; the folder keeps its own cut, so give a hand-run check the same one).
# Session 23's run took c43ec5d's layer, whose cross.json says 0.858085: decide read the same
# rows at the same cut (the rows do not depend on the folder's cut), but a check (c) run by hand
# on that folder would have run at 0.858085.
S4_REF_FROM ?= aaaf58a
S4_REF_CUT ?=
verifier-cross-s4: $(BIN)/llm-router data
	$(call cross_self,$(S4_RUN),$(S4_FROM),$(S4_PREPARE),$(S4_NAME),$(S4_FIT),$(S4_D),$(S4_RULE),$(S4_REF_FROM),$(S4_REF_CUT))
	@echo "checks (c) and (e): bench/cache_shared.py --sets $(S4_D) --variants 0.5:5 and bench/stack_cost.py --verifiers cross --states request, each with --cross-dir $(S4_RUN)/$(if $(S4_REF_FROM),reference,start) and $(S4_RUN)/$(S4_NAME); the verdicts of the lookup against the offline scorer on the $(S4_D) pairs"

# Session 25's S5 (docs/cache-history.md "Session 25: S5, the shipped cross-encoder continued on
# eighteen more writers"): S4's recipe from S2 (S5_FROM, e73fe20's layer, cross.npz 2a9b446e at
# 0.855177: the start, the reference and the teacher) on every writer S2 never trained on at once:
# heldout9-11 and 14-47 held (prepare --rule session25: heldout30-47 trained too, heldout48-49 and
# bench/cache_pairs/heldout.jsonl under the text guard, any pair sharing a text with heldout48-49's
# dropped), no nets, --distil 0.5, 0.85 of an epoch (fit --epochs: round(0.85 x the bundle's pairs
# / 32) steps), seed 25, exported with no "combine"; decided by the lead's rule session25 on
# heldout48-49 (S5_D) and Quora: c is c_Q, (a) 3.0 points, (b) 1.0 point in each set, no
# false-hit path (the session read S2's rows from the lead's base rows at 3c4c050, the same
# lookup). S5_SHIP: a decision to write into the export's cross.json (cross_continue ship); since
# session 26 S5c, the lead's rule S5c (bench/results/verifier-s5c-session26.json: S5 at c* =
# 0.916959, fixed on heldout48-53, decided on heldout54-55; docs/cache-history.md "Session 26: S5
# at a cut held over six writers, on heldout54-55 (S5c)"), so the folder holds the layer's
# cross.json apart from the fields that record the run, which the step names; empty: the export
# as decide left it; S5_AGAINST: the file the layer shipped in sessions 26-35 (kept since session
# 35's ship as tests/unit/cache/data/cross-S5-session26.json; the layer ships S10 since).
S5_RUN ?= .cache/cross-s5
S5_NAME ?= S5
S5_FROM ?= e73fe20
# S5_BUNDLE and S5_RECIPE: the bundle's and the fit's flags but the guard and the seed (S6's too).
S5_BUNDLE ?= --qqp-replay 12000 --qqp-hard 4000
S5_RECIPE ?= --epochs 0.85 --lr 2e-5 --warmup 0.06 --held-weight 3 --qneg-weight 3 --matched-weight 4 --focus-weight 4 --shape-weight 4 --new-weight 3 --hand-weight 3 --distil 0.5 --fast
S5_PREPARE ?= $(S5_BUNDLE) --rule session25
S5_FIT ?= $(S5_RECIPE) --seed 25
S5_RULE ?= session25
S5_D ?= heldout48 heldout49
S5_SHIP ?= S5c
S5_AGAINST ?= tests/unit/cache/data/cross-S5-session26.json
verifier-cross-s5: $(BIN)/llm-router data
	$(call cross_self,$(S5_RUN),$(S5_FROM),$(S5_PREPARE),$(S5_NAME),$(S5_FIT),$(S5_D),$(S5_RULE))
	$(if $(S5_SHIP),$(BIN)/python -m train.cache_verifier.cross_continue ship --dir $(S5_RUN)/$(S5_NAME) --decision $(S5_SHIP) --against $(S5_AGAINST))
	@echo "checks (c) and (e): bench/cache_shared.py --sets $(S5_D) (S2: --variants 0.5:5 on $(S5_RUN)/start; S5: --variants 0.5:5:3:<c> on $(S5_RUN)/$(S5_NAME)) and bench/stack_cost.py --verifiers cross --states request, alternated, on both folders; the verdicts of the lookup against the offline scorer on the $(S5_D) pairs"

# Session 26's S6 (docs/cache-history.md "Session 26: S6 fitted for the next session (S2 continued on
# heldout30-53)"): S5's recipe, unchanged but for the data and the seed: S2 from S6_FROM (S5's start,
# e73fe20's layer, cross.npz 2a9b446e with its cross.json at 0.855177) trained further on heldout9-11
# and 14-53 (S6_PREPARE: prepare --rule session26, heldout30-53 held, heldout54-55 and 58-59 and
# bench/cache_pairs/heldout.jsonl under the text guard, any pair sharing a text with theirs dropped),
# no nets, 0.85 of an epoch, seed 26 (S6_FIT), exported with no "combine" at the start's cut (S2's
# 0.855177; main's layer ships S5 since session 26) into S6_RUN/S6_NAME. Fitted and exported only:
# cross_self with no SETS runs no cache_losses and no decide; session 27's rule S6d decided S6 on
# heldout58-59, its cut fixed on heldout54-57 (bench/s6d_rule.py): refused, S5 stays.
S6_RUN ?= .cache/cross-s6
S6_NAME ?= S6
S6_FROM ?= $(S5_FROM)
S6_PREPARE ?= $(S5_BUNDLE) --rule session26
S6_FIT ?= $(S5_RECIPE) --seed 26
verifier-cross-s6: $(BIN)/llm-router data
	$(call cross_self,$(S6_RUN),$(S6_FROM),$(S6_PREPARE),$(S6_NAME),$(S6_FIT))
	@echo "$(S6_RUN)/$(S6_NAME): fitted and exported only, at the start's cut; nothing scored here: session 27's rule S6d decided it on heldout58-59 (bench/s6d_rule.py), refused"

# Session 34's S10 (docs/cache-history.md "Session 34: S10, S2 continued on every writer seen through
# heldout79 (rule S10)"): S6's target with every writer since S2 at once, S5's recipe unchanged but for
# the data and the seed: S2 from S10_FROM (S5's start, e73fe20's layer, cross.npz 2a9b446e with its
# cross.json at 0.855177) trained further on heldout9-11 and 14-79 (S10_PREPARE: prepare --rule
# session34, heldout30-79 held, heldout80-91 and bench/cache_pairs/heldout.jsonl under the text guard,
# any pair sharing a text with theirs dropped), no nets, 0.85 of an epoch, seed 34 (S10_FIT, one XLA
# thread), exported with no "combine" at the start's cut (S2's 0.855177) into S10_RUN/S10_NAME
# (cross_self with no SETS: nothing scored). Session 34's rule S10 (bench/s10_rule.py, c10 0.933700
# on heldout80-85, 88-89 and Quora, decided on heldout86-87 and 90-91) and session 35's rule S10w
# (bench/s10w_rule.py, heldout94-95) refused it; session 35's rule S10c (bench/s10c_rule.py: c_pop
# 0.93 held in eight populated caches of heldout80-95, decided on heldout98-99) adopted it. S10_SHIP:
# a decision to write into the export's cross.json (cross_continue ship), S10c since session 35
# (bench/results/s10c-rule-session35.json; docs/cache-history.md "Session 35: S10 ships at 0.93
# (rule S10c)"): rule S10c's cut 0.93 and decision block, so the folder holds the layer's cross.json
# apart from the fields that record the run, which the step names; empty: the export as fitted. The
# layer ships this model since session 35; its artefact is replaced only by hand.
S10_RUN ?= .cache/cross-s10
S10_NAME ?= S10
S10_FROM ?= $(S5_FROM)
S10_PREPARE ?= $(S5_BUNDLE) --rule session34
S10_FIT ?= $(S5_RECIPE) --seed 34
S10_SHIP ?= S10c
verifier-cross-s10: $(BIN)/llm-router data
	$(call cross_self,$(S10_RUN),$(S10_FROM),$(S10_PREPARE),$(S10_NAME),$(S10_FIT))
	$(if $(S10_SHIP),$(BIN)/python -m train.cache_verifier.cross_continue ship --dir $(S10_RUN)/$(S10_NAME) --decision $(S10_SHIP) --against $(CONTINUE_LAYER)/cross.json)
	@echo "$(S10_RUN)/$(S10_NAME): the shipped cross-encoder's recipe since session 35 (rule S10c, bench/s10c_rule.py: S10 at 0.93, decided on heldout98-99); nothing scored here"

# Session 37's S11 (docs/cache-history.md "Session 37: S11, S10 continued with populated-cache negatives
# (rule S11)"): the layer's S10 (S11_FROM's layer, cross.npz a38f6f80 at 0.93) continued on bundle B11:
# S10's bundle's recipe under guard session37 (heldout9-11 and 14-95 held, heldout96-103 and
# bench/cache_pairs/heldout.jsonl kept out with share_all), S10's mined negatives reused
# (--mined-from S10_RUN's bundle, made by S10's prepare where absent) and a new source, the
# populated-cache negatives: eight populated caches of 10,000 entries (writer pairs 80+81 .. 94+95,
# the shipped lookup with S10 at the loose cut S11_LOOSE), each paraphrase query another entry
# answered becoming the negative (query, that entry) by rule S11's label test
# (bench/populated_negatives.py). Fitted by S5's flags but a fixed step count (S11_STEPS, set so the
# session's fit ended by 14:20 UTC) and the new source's weight (S11_POPNEG_WEIGHT), seed 37, one XLA
# thread; exported at S10's cut (0.93) into S11_RUN/S11_NAME. Rule S11 (bench/s11_rule.py) picks its
# cut c11 on heldout96-101 and the lead decides it on heldout102-103.
S11_RUN ?= .cache/cross-s11
S11_NAME ?= S11
S11_FROM ?= f031fa41
S11_LOOSE ?= 0.7
S11_MINE ?= 80 82 84 86 88 90 92 94
S11_STEPS ?= 2000
S11_POPNEG_WEIGHT ?= 3
S11_PREPARE ?= $(S5_BUNDLE) --rule session37 --mined-from $(S10_RUN)/bundle.npz --popneg $(S11_RUN)/popneg.jsonl
S11_FIT ?= $(filter-out --epochs 0.85,$(S5_RECIPE)) --steps $(S11_STEPS) --popneg-weight $(S11_POPNEG_WEIGHT) --seed 37
verifier-cross-s11: $(BIN)/llm-router data
	$(BIN)/pip install --quiet -r requirements/train.txt
	$(call cross_start,$(S11_RUN),$(S11_FROM))
	test -f $(S10_RUN)/bundle.npz || OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue prepare $(S10_PREPARE) --out $(S10_RUN)/bundle.npz
	for n in $(S11_MINE); do OMP_NUM_THREADS=1 $(BIN)/python bench/cache_shared.py --entries 10000 --sets heldout$$n heldout$$((n + 1)) --cross-dir $(S11_RUN)/start --variants 0.5:5:m:3:$(S11_LOOSE) --out $(S11_RUN)/mine-$$n.json --pairs-out $(S11_RUN)/mine-$$n.jsonl || exit 1; done
	OMP_NUM_THREADS=1 $(BIN)/python bench/populated_negatives.py --shared $(foreach n,$(S11_MINE),$(S11_RUN)/mine-$(n).jsonl) --variant 0.5:5:m:3:$(S11_LOOSE) --cross-dir $(S11_RUN)/start --out $(S11_RUN)/popneg.jsonl --record $(S11_RUN)/popneg.json
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue prepare $(S11_PREPARE) --out $(S11_RUN)/bundle.npz
	$(ALONE_XLA) OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue fit --bundle $(S11_RUN)/bundle.npz --init $(S11_RUN)/start/cross.npz --out $(S11_RUN)/fit --name $(S11_NAME) $(S11_FIT)
	$(BIN)/python -m train.cache_verifier.cross_continue export --fit $(S11_RUN)/fit/$(S11_NAME).json --out $(S11_RUN)/$(S11_NAME) --threshold $$($(BIN)/python -c "import json; print(json.load(open('$(S11_RUN)/start/cross.json'))['threshold'])")
	@echo "$(S11_RUN)/$(S11_NAME): fitted and exported at S10's cut; rule S11 (bench/s11_rule.py) picks c11 on heldout96-101, the lead decides on heldout102-103"

# Session 27's S7 (docs/cache-history.md "Session 27: S7 prepared for the next session (S2 continued on
# heldout30-57; the fit stopped)"): S6's target one round on, S5's recipe unchanged but for the data and the seed:
# S2 from S7_FROM (S6's, S5's start) trained further on heldout9-11 and 14-57 (S7_PREPARE: prepare
# --rule session27, heldout30-57 held, heldout58-59 and 62-63 and bench/cache_pairs/heldout.jsonl
# under the text guard, any pair sharing a text with theirs dropped), no nets, 0.85 of an epoch,
# seed 27 (S7_FIT), exported at the start's cut (S2's 0.855177) into S7_RUN/S7_NAME. Fitted and
# exported only (cross_self with no SETS): the next session's rule decides S7 on heldout62-63, its
# cut fixed on heldout58-61.
S7_RUN ?= .cache/cross-s7
S7_NAME ?= S7
S7_FROM ?= $(S6_FROM)
S7_PREPARE ?= $(S5_BUNDLE) --rule session27
S7_FIT ?= $(S5_RECIPE) --seed 27
verifier-cross-s7: $(BIN)/llm-router data
	$(call cross_self,$(S7_RUN),$(S7_FROM),$(S7_PREPARE),$(S7_NAME),$(S7_FIT))
	@echo "$(S7_RUN)/$(S7_NAME): fitted and exported only, at the start's cut; nothing scored: the next session's rule decides it on heldout62-63, its cut fixed on heldout58-61"

# Session 28's S7r (docs/cache-history.md "Session 28: S7r, S6 without the reworded-shape mined
# negatives (rule S7r)"): S6's recipe with one change, recipe R-b. S6's bundle (S7R_BUNDLE: S6_PREPARE's,
# made here if absent; session 28 read session 26's, sha256 d6480e5b) less every mined negative with
# MiniLM cosine >= 0.5 and content-word overlap < 0.2 (train/cache_verifier/filter_bundle.py: 1,537
# of its 4,500 mined pairs; 68,126 pairs left, the steps following by fit --epochs), fitted from S6's
# start (S6_FROM) by S6's flags and seed (S6_FIT, one XLA thread) into S7R_RUN/S7R_NAME, exported with
# no "combine" at the start's cut and no --decision. Decided by the lead's rule S7r
# (bench/s7r_rule.py): its cut on P8, its verdict on heldout68-69.
S7R_RUN ?= .cache/cross-s7r
S7R_NAME ?= S7r
S7R_BUNDLE ?= $(S6_RUN)/bundle.npz
verifier-cross-s7r: $(BIN)/llm-router data
	$(BIN)/pip install --quiet -r requirements/train.txt
	$(call cross_start,$(S7R_RUN),$(S6_FROM))
	test -f $(S7R_BUNDLE) || OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue prepare $(S6_PREPARE) --out $(S7R_BUNDLE)
	OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.filter_bundle --bundle $(S7R_BUNDLE) --out $(S7R_RUN)/bundle.npz --record $(S7R_RUN)/filter.json --dropped $(S7R_RUN)/dropped.jsonl
	$(ALONE_XLA) OMP_NUM_THREADS=1 $(BIN)/python -m train.cache_verifier.cross_continue fit --bundle $(S7R_RUN)/bundle.npz --init $(S7R_RUN)/start/cross.npz --out $(S7R_RUN)/fit --name $(S7R_NAME) $(S6_FIT)
	$(BIN)/python -m train.cache_verifier.cross_continue export --fit $(S7R_RUN)/fit/$(S7R_NAME).json --out $(S7R_RUN)/$(S7R_NAME) --threshold $$($(BIN)/python -c "import json; print(json.load(open('$(S7R_RUN)/start/cross.json'))['threshold'])")
	@echo "$(S7R_RUN)/$(S7R_NAME): fitted and exported only, at the start's cut; rule S7r decides it (bench/s7r_rule.py): its cut on P8, its verdict on heldout68-69"

# Session 33's OM (docs/cache-history.md "Session 33: OM, S5 distilled to its own two-order mean (rule OM's
# candidate)"): the shipped S5 (OM_FROM, 7cb9bfb's layer, cross.npz cffa0c35 at 0.916959: the start and the frozen
# teacher) fitted to the mean of its own two readings in one pass. S5's own bundle (OM_PREPARE: S5_PREPARE, what
# S5 trained on), S5's logits of each fitted pair read cached first and query first computed once and kept beside
# the fit (fit/teacher-<init>-<bundle>-...-orders.npz), every pair's target sigmoid of their mean (--order-mean
# --distil 1.0: no share of the label), every pair of a step read in both orders (2 x --batch rows), S5's pair
# weights, on a seeded draw of the bundle's pairs (--subset, one pass over them: the student starts at S5);
# exported with no "combine", then its cut c_OM fixed by rule OM on the seen heldout54-85 and Quora
# (bench/om_seen.py: the lowest cut keeping S5's pooled false hits at 0.916959 and its pairs:qqp false hits)
# and the export's cross.json rewritten at c_OM. Not shipped: the lead's rule OM decides it on heldout86-87.
OM_RUN ?= .cache/cross-om
OM_NAME ?= OM
OM_FROM ?= 7cb9bfb
OM_PREPARE ?= $(S5_PREPARE)
OM_FIT ?= --order-mean --distil 1.0 --subset 14400 --epochs 1 --batch 16 --lr 2e-5 --warmup 0.06 --held-weight 3 --qneg-weight 3 --matched-weight 4 --focus-weight 4 --shape-weight 4 --new-weight 3 --hand-weight 3 --fast --seed 33
OM_SEEN ?= $(foreach n,$(shell seq 54 85),heldout$(n))
verifier-cross-om: $(BIN)/llm-router data
	$(call cross_self,$(OM_RUN),$(OM_FROM),$(OM_PREPARE),$(OM_NAME),$(OM_FIT))
	OMP_NUM_THREADS=1 $(BIN)/python bench/cache_losses.py --sets $(OM_SEEN) --cross-dir $(OM_RUN)/start --out $(OM_RUN)/seen-S5.json --pairs-out $(OM_RUN)/seen-S5.jsonl
	OMP_NUM_THREADS=1 $(BIN)/python bench/cache_losses.py --sets $(OM_SEEN) --cross-dir $(OM_RUN)/$(OM_NAME) --out $(OM_RUN)/seen-$(OM_NAME).json --pairs-out $(OM_RUN)/seen-$(OM_NAME).jsonl
	OMP_NUM_THREADS=1 $(BIN)/python bench/cache_losses.py --sets pairs --cross-dir $(OM_RUN)/start --out $(OM_RUN)/pairs-S5.json --pairs-out $(OM_RUN)/pairs-S5.jsonl
	OMP_NUM_THREADS=1 $(BIN)/python bench/cache_losses.py --sets pairs --cross-dir $(OM_RUN)/$(OM_NAME) --out $(OM_RUN)/pairs-$(OM_NAME).json --pairs-out $(OM_RUN)/pairs-$(OM_NAME).jsonl
	$(BIN)/python bench/om_seen.py --s5 $(OM_RUN)/seen-S5.jsonl --om $(OM_RUN)/seen-$(OM_NAME).jsonl --s5-quora $(OM_RUN)/pairs-S5.jsonl --om-quora $(OM_RUN)/pairs-$(OM_NAME).jsonl --out $(OM_RUN)/om-seen.json --cut-out $(OM_RUN)/c_OM.txt --record fit=$(OM_RUN)/fit/$(OM_NAME).json
	$(BIN)/python -m train.cache_verifier.cross_continue export --fit $(OM_RUN)/fit/$(OM_NAME).json --out $(OM_RUN)/$(OM_NAME) --threshold $$(cat $(OM_RUN)/c_OM.txt)
	@echo "$(OM_RUN)/$(OM_NAME): OM at c_OM $$(cat $(OM_RUN)/c_OM.txt) (seen figures: $(OM_RUN)/om-seen.json); the lead's rule OM decides it on heldout86-87"

# The learnt retrieval map (session 27, docs/cache-history.md "Session 27: a learnt map for the
# cache's retrieval cosine (exploration)"): a 384 x 384 map of MiniLM vectors, the identity at the
# start, fitted by multiple-negatives ranking on S5's writers' sets (heldout9-11, 14-47) and 8,000
# Quora train pairs, no pair sharing a text with heldout48-57 (train/cache_retrieval/; numpy, ~15 s
# CPU; sentence vectors through bench/embed_cache.py's cache, ~15 min under load for new texts).
# Not in the layer and off: cache.retrieval_map names the file; rule M (heldout64-65) refused it.
RETRIEVAL_MAP ?= .cache/cache_retrieval/full-mnr.npz
# LAYER=1: also the layer's file (data/cache_retrieval/: the npz and a json with its sha256,
# sources, licences and the rule), what cache.retrieval_map names by its bare file name.
cache-retrieval-map: $(BIN)/llm-router data
	OMP_NUM_THREADS=1 $(NICE) $(BIN)/python -m train.cache_retrieval.fit --shape full --loss mnr --out $(RETRIEVAL_MAP)
	$(if $(LAYER),$(BIN)/python -m train.cache_retrieval.ship --map $(RETRIEVAL_MAP))

demo: $(BIN)/llm-router data
	$(BIN)/llm-router demo
	@echo; echo "A short pipeline benchmark: router and baselines on the same 100 labelled requests"
	$(BIN)/llm-router bench --requests 100 --out bench/results/local/demo

# The whole-pipeline benchmark (docs/benchmark.md): 1,000 requests per arm (router, router
# without cache, always-strongest, always-cheapest, random) through the app in process.
# The pinned workload (bench/pin_workload.py): the same 1,000 requests whatever
# data/classifier/queries.jsonl holds later; --pinned checks them against it and reads
# their split from it (docs/benchmark.md, "Session 29").
bench-pipeline: $(BIN)/llm-router data
	$(NICE) $(BIN)/llm-router bench --workload bench/workloads/pipeline-1000.jsonl --pinned \
		--requests 1000 --out bench/results/local/pipeline

test: lint typecheck unit integration sam-validate sam-build

lint: $(BIN)/llm-router
	$(BIN)/ruff check layers local functions tests bench train

# bench/results/local/ is ignored scratch (.gitignore), no part of the tree: mypy leaves it out.
typecheck: $(BIN)/llm-router
	$(BIN)/mypy layers/core/llm_router local/llm_router_local bench --exclude '^bench/results/local/'

unit: $(BIN)/llm-router data
	$(BIN)/pytest -q tests/unit

integration: $(BIN)/llm-router data
	$(BIN)/pytest -q tests/integration

sam-validate: $(VENV_SAM)/bin/sam
	$(VENV_SAM)/bin/sam validate --lint --template template.yaml

# ARCH=x86_64 builds (and must then be deployed with Architecture=x86_64) for Intel.
ARCH ?= arm64
LAYER_MAX_MB := 200

# `data` puts the gitignored layer data (embedding weights) in place before the layer build
# copies llm_router/data/; LAYER_ARCH picks the wheels layers/core/Makefile installs.
sam-build: $(VENV_SAM)/bin/sam data
	LAYER_ARCH=$(if $(filter x86_64,$(ARCH)),x86_64,aarch64) \
		$(VENV_SAM)/bin/sam build --template template.yaml --build-dir .aws-sam/build \
		--parameter-overrides Architecture=$(ARCH)
	@$(MAKE) --no-print-directory layer-size

# Fails the build when the layer lost its catalog, ships anything but llm_router's runtime
# modules (llm_router_local: the CLI, the local runner, the provider simulators, the
# embedded store, the benchmark; FastAPI, the simulator's framework; training code) or
# outgrew its budget (Lambda's hard limit is 250 MB unzipped for function + layers; the
# rest is headroom for the functions), or when the benchmark runner's build lacks its share
# of llm_router_local or carries an llm_router of its own (/var/task comes first on
# sys.path: it would shadow the layer's).
LAYER_PY := .aws-sam/build/CoreLayer/python
BENCH_FN := .aws-sam/build/BenchmarkRunnerFunction
layer-size:
	@test -f $(LAYER_PY)/llm_router/data/catalog.yaml \
		|| { echo "core layer lacks python/llm_router/data/catalog.yaml"; exit 1; }
	@dev=$$(cd $(LAYER_PY) && ls -d llm_router_local llm_router/cli llm_router/local \
		llm_router/simulator llm_router/benchmark llm_router/classifier/train.py \
		llm_router/embedding/export.py llm_router/providers/*/simulator.py 2>/dev/null); \
		test -z "$$dev" || { echo "core layer ships development code: $$dev"; exit 1; }
	@test -f $(BENCH_FN)/llm_router_local/benchmark/job.py \
		-a -f $(BENCH_FN)/llm_router_local/data/benchmark/queries.jsonl \
		|| { echo "benchmark runner lacks llm_router_local's benchmark and its queries"; exit 1; }
	@test ! -e $(BENCH_FN)/llm_router -a ! -e $(BENCH_FN)/llm_router_local/cli \
		|| { echo "benchmark runner ships llm_router or the CLI (see its Makefile)"; exit 1; }
	@test -d $(BENCH_FN)/fastapi -a ! -e $(LAYER_PY)/fastapi \
		|| { echo "fastapi belongs in the benchmark runner's package, not the layer"; exit 1; }
	@http=$$(cd $(LAYER_PY) && ls -d httpx httpx2 httpcore httpcore2 2>/dev/null); \
		test -z "$$http" || { echo "core layer ships httpx (aiohttp is its client): $$http"; exit 1; }
	@kb=$$(du -sk .aws-sam/build/CoreLayer | cut -f1); \
		echo "core layer, unzipped: $$((kb / 1024)) MB (limit $(LAYER_MAX_MB) MB)"; \
		test $$kb -le $$(($(LAYER_MAX_MB) * 1024)) || { echo "core layer too large"; exit 1; }

clean:
	rm -rf $(VENV) $(VENV_SAM) $(VENV_LITELLM) .aws-sam .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (minutes; run them on a quiet machine). BENCH_ARGS passes options through,
# e.g. `make bench-soak BENCH_ARGS="--requests 5000"`. Results: bench/results/*-<date>.md.
$(VENV_LITELLM)/bin/litellm: requirements/litellm.txt
	$(PYTHON) -m venv $(VENV_LITELLM)
	$(VENV_LITELLM)/bin/pip install --quiet --upgrade pip
	$(VENV_LITELLM)/bin/pip install --quiet -r requirements/litellm.txt
	touch $@

bench-peer: $(BIN)/llm-router data $(VENV_LITELLM)/bin/litellm
	$(NICE) $(BIN)/python bench/peer_bench.py $(BENCH_ARGS)

bench-soak: $(BIN)/llm-router data
	$(NICE) $(BIN)/python bench/soak.py $(BENCH_ARGS)

# The same with the default cache on and model auto: repeats and rewordings hit.
bench-soak-cache: $(BIN)/llm-router data
	$(NICE) $(BIN)/python bench/soak.py --cache $(BENCH_ARGS)

bench-loop-stall: $(BIN)/llm-router data
	$(NICE) $(BIN)/python bench/loop_stall.py $(BENCH_ARGS)

# Cold start and first request of the router function on the layer as it ships (runtime
# modules, compiled .pyc, pruned botocore) under Lambda's Python, built for this machine's
# CPU (uname -m) in .aws-sam/bench-layer. See bench/cold_start.py; BENCH_ARGS="--runs 15".
BENCH_LAYER := .aws-sam/bench-layer
bench-cold-start: $(BIN)/llm-router data
	$(MAKE) --no-print-directory -f layers/core/Makefile build-CoreLayer \
		ARTIFACTS_DIR=$(abspath $(BENCH_LAYER)) LAYER_ARCH=$(shell uname -m)
	$(NICE) $(BIN)/python bench/cold_start.py --layer $(BENCH_LAYER) \
		--python "$$(python3.12 -c 'import sys; print(sys.executable)')" $(BENCH_ARGS)
