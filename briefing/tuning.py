"""Every tuned threshold of the stages, in one place, each with its provenance.

For each: what it does; what data it was tuned on (or that it was not tuned, only reasoned); and the bench
command that shows its effect (change the value, run the command, compare within one run: the machines are
shared). The stage modules keep their old names as aliases (condense.MIN_WORDS is CONDENSE_MIN_WORDS), so a
test may still patch them there. Cosines are MiniLM's (all-MiniLM-L6-v2); another embedder needs them re-tuned.

Not here yet: merge.py's and facts.py's thresholds (SUPPORT, CONFLICT, STORY_LINK, W_*...), which other work
is changing now; they keep their provenance comments where they are until that work is merged.

The data named below: "seeds" is examples/state-visit (five outlets, one event; read and judged by hand);
"multiling" is ../shared/eval/multiling2011_en.jsonl (ROUGE); "giveme5w1h" is
../shared/eval/giveme5w1h_events.jsonl (story clustering). Tuning and reporting on the same set flatters
a value: where that is so, it says so.
"""
from __future__ import annotations

# -- condense.py: which sentences an article keeps (the extractive condenser) -----------------------------
# A sentence of under 6 words is rarely a statement of fact in news text ("He left."), and one of over 70 is
# usually a run-on from bad markup; both make poor claims. Not tuned: read off the seeds.
# Effect: python bench/benchmark.py (ROUGE on multiling).
CONDENSE_MIN_WORDS, CONDENSE_MAX_WORDS = 6, 70
# Share of an article's usable sentences kept as statements, and its floor and cap. Provenance not recorded;
# merge's word budget, not this, decides what is printed. Effect: python bench/benchmark.py (ROUGE on multiling).
CONDENSE_KEEP_SHARE = 0.8
CONDENSE_MIN_KEEP, CONDENSE_MAX_KEEP = 3, 40

# -- ground.py: what a generative model's sentence must be to be kept -----------------------------------
# MiniLM puts a faithful paraphrase of a news sentence at cosine 0.7-0.9 from it, a sentence on the same topic
# that says something else at 0.4-0.6, and random text below 0.3 (read on the seeds). Strength adds half the
# share of the sentence's content words found in its evidence. Tuned by hand on the seeds with scripted and
# tiny-model outputs. Effect: python bench/generation_stats.py MODEL (dropped: weak / unsupported).
GROUND_MIN_COSINE = 0.55
GROUND_MIN_STRENGTH = 0.85
# Content words the evidence lacks that a paraphrase may add ("landed" for "touched down"): at most 2, or a
# quarter of its words. Set on the seeds, where Gemma 3 270M's "Russia's visit to North Korea is a welcome one
# for the Russian people" passed every other check. Effect: python bench/generation_stats.py MODEL (novel).
GROUND_MAX_NOVEL, GROUND_NOVEL_SHARE = 2, 0.25
GROUND_EXTRA_COSINE = 0.35  # a second or third evidence sentence must at least be on the topic; not tuned
GROUND_MAX_SUPPORT = 3  # evidence sentences one generated sentence may rest on; not tuned
GROUND_CANDIDATES = 12  # source sentences, closest first, that may lend a missing name or number; not tuned
GROUND_MIN_WORDS, GROUND_MAX_WORDS = 5, 70  # a generated sentence's length; as condense's, not tuned

# -- abstractive.py: pieces and fusing ------------------------------------------------------------------
ABSTRACTIVE_MAX_PIECES = 8  # pieces of one article sent to the model; beyond, the rest is left out and reported
ABSTRACTIVE_MARGIN = 16  # tokens kept free of a piece's budget: joining sentences may add a few; not tuned
# A fused sentence replaces a claim only if it still says what the claim said (a faithful rewording sits at
# cosine 0.8-0.95 on the seeds) and is not much longer: the word budget was spent on the claim. Not tuned on
# a labelled set. Effect: python bench/generation_stats.py MODEL (fused: kept / dropped).
FUSE_MIN_COSINE = 0.75
FUSE_MAX_GROWTH = 1.25
FUSE_MAX_STATEMENTS = 4  # evidence sentences given to the model for one fused claim; not tuned

# -- triage.py: the daily job's pre-selection and selection ---------------------------------------------
# Cosine above which a claim says again, in other words, what an earlier digest said. Not tuned on a labelled
# set (tests/test_daily.py holds the behaviour); no bench script measures it yet.
TRIAGE_REPEAT = 0.85
# Sentences of each article (after its title) the cheap first pass reads, and the clustering threshold on those
# lead vectors: best ARI of the thresholds tried on giveme5w1h (tuned and reported on the same set).
# Effect: .venv/bin/python bench/cluster_eval.py ../shared/eval/giveme5w1h_events.jsonl --lead 6
TRIAGE_LEAD = 6
TRIAGE_LEAD_LINK = 0.50
# Story groups kept beyond max_stories, as the full pass may split or drop some. Not tuned.
# Effect: .venv/bin/python bench/feeds_bench.py ../shared/eval/giveme5w1h_events.jsonl (time of the first run).
TRIAGE_MARGIN = 5

# -- models/: the embedder and generators ----------------------------------------------------------------
# Padded tokens one MiniLM batch holds: small batches keep the activations in cache on a 2-core machine.
# Chosen on multiling clusters against 256 and 1024 tokens and fixed batches of 16-64 sentences.
# Effect: python bench/benchmark.py --skip-quality (pipeline seconds per cluster).
MINILM_BATCH_TOKENS = 512
MINILM_MEMO_LIMIT = 100_000  # sentences one process remembers the vectors of; a memory bound, not tuned
# Peak memory of a model's process, to say whether it fits = BASE + parameters x bytes per parameter x FACTOR, from peaks measured
# by `python bench/model_memory.py SmolLM2-135M-Instruct.Q4_1.gguf gemma-3-270m-q4_k_m.gguf` (models.md):
# Python with torch and transformers imported peaked at 0.23 GiB; converting a GGUF file (dequantized
# float32 weights, the model built from them, then saved as float16) took 2.4x (SmolLM2, 1.41 GiB) and
# 3.0x (Gemma 3 270M, 3.18 GiB, its 262k-token vocabulary) the float32 weights on top of that; loading the
# converted folder and writing 64 tokens after a 600-token prompt, 1.7x and 2.0x (1.16 and 2.41 GiB).
# The factors round the larger of each up. BASE is the rest of `brief make` around the model (its embedder,
# the articles, batches of prompts): whole cold runs on the seeds, conversion included, peaked at 1.86 GiB
# (SmolLM2) and 3.28 GiB (Gemma) (models.md, "Faithfulness of generated claims"), under the estimate too.
MODEL_MEMORY_BASE_BYTES = int(0.6 * 2**30)
MODEL_MEMORY_CONVERT_FACTOR = 3.0
MODEL_MEMORY_RUN_FACTOR = 2.25
GENERATE_MAX_CONTEXT = 2048  # tokens a prompt may take: longer articles are condensed piece by piece
GENERATE_MAX_NEW_TOKENS = 160  # tokens a model may write for one piece; not tuned
