#!/usr/bin/env python3
"""How far the int8 graph's vectors are from the fp32 ones (and fp32 ONNX's from torch's), on real sentences.

    python bench/embedder_drift.py [--shared ../shared] [--torch] [--static] [--answers]

The sentences: the five seed articles and the ten MultiLing 2011 clusters, split as `brief` splits them.
Prints, per embedder against fp32 ONNX: the cosine of each sentence's two vectors (mean, least); the change of
the cosine between two sentences of one cluster (mean, largest); and, for each cosine threshold in
briefing/tuning.py that a pair of sentences is held against, how many of those pairs change side of it.
Then the int8 graph run in token batches (as fp32 runs) against one sentence at a time (as Int8MiniLM runs):
how far a sentence's vector moves with its company, and the CPU seconds of each way and of fp32.
With --answers, each set is briefed with each embedder (100 and 250 words): how many briefings and claims stay.
Whether answers change is measured by the briefing benches (models.md, "int8"); this says how close the
vectors are, which is what decides whether they can.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing import tuning  # noqa: E402
from briefing.extract import build_article  # noqa: E402
from briefing.types import RawDocument  # noqa: E402

# The thresholds two sentences' cosine is held against (tuning.py says what each does); those tuning.py no longer
# has (GROUND_EXTRA_COSINE went with a change of the grounding) are left out.
THRESHOLDS = tuple(t for t in ("GROUND_MIN_COSINE", "GROUND_EXTRA_COSINE", "FUSE_MIN_COSINE", "TRIAGE_REPEAT",
                               "MERGE_SUPPORT_MIN_COSINE", "MERGE_REDUNDANT", "MERGE_DUPLICATE", "CONFLICTS_SAME_THING",
                               "CONFLICTS_SAME_COUNT", "CONFLICTS_SAME_HEDGED") if hasattr(tuning, t))


def documents(shared: Path) -> dict[str, list[RawDocument]]:
    """The seeds, and each MultiLing cluster, as documents."""
    out = {"seeds": [RawDocument(input=str(p), text=p.read_text(encoding="utf-8"))
                     for p in sorted((ROOT / "examples" / "state-visit").glob("*.txt"))]}
    for line in open(shared / "eval" / "multiling2011_en.jsonl", encoding="utf-8"):
        c = json.loads(line)
        out[c["id"]] = [RawDocument(input=str(i), text=(a.get("title", "") + "\n\n" + a["text"]).strip())
                        for i, a in enumerate(c["articles"])]
    return out


def clusters(shared: Path) -> dict[str, list[str]]:
    """Each set of sentences a briefing compares among itself: the seeds, and each MultiLing cluster."""
    return {k: [s.text for i, d in enumerate(docs) for s in build_article(d, i + 1).sentences]
            for k, docs in documents(shared).items()}


def same_answers(shared: Path, models: dict, words: int):
    """Each set briefed with each embedder (the pipeline as `brief make` runs it, `words` words): how many
    briefings are identical to fp32's, and how many of fp32's claims each keeps word for word."""
    from briefing import pipeline

    sets = documents(shared)
    claims = {name: {} for name in models}
    for name, model in models.items():
        for k, docs in sets.items():
            arts = [build_article(d, i + 1) for i, d in enumerate(docs)]
            b = pipeline.brief(arts, [], pipeline.Settings(inputs=(), words=words), embedder=model)
            claims[name][k] = [(c.text, tuple(x.source for x in c.citations)) for s in b.stories for c in s.claims]
    ref = claims["fp32"]
    total = sum(len(v) for v in ref.values())
    print(f"  the seeds at {words} words: " + "; ".join(
        f"{name} keeps {len(set(claims[name]['seeds']) & set(ref['seeds']))} of fp32's {len(ref['seeds'])} claims "
        f"(text and sources) in {len(claims[name]['seeds'])}" for name in models if name != "fp32"))
    for name in models:
        if name == "fp32":
            continue
        same = sum(claims[name][k] == ref[k] for k in sets)
        kept = sum(len(set(claims[name][k]) & set(ref[k])) for k in sets)
        print(f"  {name} at {words} words: {same} of {len(sets)} briefings with fp32's claims and citations; "
              f"{kept} of fp32's {total} claims kept (text and sources), "
              f"{sum(len(v) for v in claims[name].values())} claims in all")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--torch", action="store_true", help="also the torch encoder against fp32 ONNX")
    ap.add_argument("--answers", action="store_true", help="also the briefings each embedder makes (slower)")
    ap.add_argument("--static", action="store_true", help="also the static table (models/static_minilm.py)")
    a = ap.parse_args()
    from briefing.models.minilm import MiniLM
    from briefing.models.onnx_minilm import Int8MiniLM, OnnxMiniLM

    sets = clusters(Path(a.shared))
    ref_model = OnnxMiniLM()
    from briefing.models.static_minilm import StaticMiniLM

    others = {"int8": Int8MiniLM(), **({"torch": MiniLM()} if a.torch else {}),
              **({"static": StaticMiniLM()} if a.static else {})}
    ref = {k: ref_model.embed(v) for k, v in sets.items()}
    n = sum(len(v) for v in sets.values())
    from briefing import condense

    never = sum(not condense.usable(t) for v in sets.values() for t in v)
    print(f"{n} sentences in {len(sets)} sets (seeds, MultiLing 2011 clusters), {never} of them never a claim "
          f"(condense.usable false: fragments, furniture, too short or long); against fp32 ONNX:")
    for name, model in others.items():
        own, pairs, deltas, flips, both = [], 0, [], {t: 0 for t in THRESHOLDS}, []
        for k, texts in sets.items():
            v, r = model.embed(texts), ref[k]
            # another space (the static table's 256 dimensions): a sentence's two vectors are not comparable
            own.append((v * r).sum(1) if v.shape == r.shape else np.full(len(texts), np.nan))
            upper = np.triu_indices(len(texts), 1)
            cv, cr = (v @ v.T)[upper], (r @ r.T)[upper]
            pairs += len(cv)
            deltas.append(np.abs(cv - cr))
            both.append((cv, cr))
            for t in THRESHOLDS:
                x = getattr(tuning, t)
                flips[t] += int(((cv >= x) != (cr >= x)).sum())
        own, deltas = np.concatenate(own), np.concatenate(deltas)
        print(f"  {name}: a sentence's two vectors: cosine mean {own.mean():.4f}, least {own.min():.4f}; "
              f"the cosine of two sentences of one set ({pairs} pairs) moves by {deltas.mean():.4f} on average, "
              f"{deltas.max():.4f} at most; correlation of the pairs' cosines "
              f"{np.corrcoef(np.concatenate([b[0] for b in both]), np.concatenate([b[1] for b in both]))[0, 1]:.4f}")
        print("    pairs that change side of a threshold: " + ", ".join(
            f"{t} {getattr(tuning, t)}: {flips[t]}" for t in THRESHOLDS))
    batched_vs_alone(ref_model, others["int8"], [t for v in sets.values() for t in v])
    if a.answers:
        print("the same briefings? (seeds and the MultiLing 2011 clusters)")
        for words in (100, 250):
            same_answers(Path(a.shared), {"fp32": ref_model, **others}, words)


def batched_vs_alone(fp32, int8, texts: list[str]):
    """int8 in token batches against int8 one text a run (its own way), and the CPU seconds of each."""
    from briefing.models.onnx_minilm import OnnxMiniLM

    def timed(encode):
        c = time.process_time()
        v = encode(texts)
        return v, time.process_time() - c

    alone, cpu_alone = timed(int8._encode)
    batched, cpu_batched = timed(lambda t: OnnxMiniLM._encode(int8, t))  # the fp32 class's token batches
    _, cpu_fp32 = timed(fp32._encode)
    cos = (alone * batched).sum(1)
    print(f"  int8 in token batches against int8 one sentence at a time ({len(texts)} sentences): cosine mean "
          f"{cos.mean():.4f}, least {cos.min():.4f}; CPU seconds: one at a time {cpu_alone:.2f}, "
          f"token batches {cpu_batched:.2f}, fp32 (token batches) {cpu_fp32:.2f}")


if __name__ == "__main__":
    main()
