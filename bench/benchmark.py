#!/usr/bin/env python3
"""Quality, speed and memory of `brief`, beside the peers, all measured in this one run.

    python bench/benchmark.py [--shared ../shared] [--limit N] [--skip-quality] [--feeds torch:own,onnx:own,static]
                              [--embedders onnx,int8,torch,static,hybrid,hybrid-int8] [--parts quality,cold,warm,feeds]

Prints:
  - ROUGE on multiling2011_en at 250 words: brief (through ../shared/tools/brief_on_dataset.py, i.e.
    the real CLI, one cold process per cluster) beside Lead, sumy LexRank and TextRank (peers.py);
  - cold `brief make` on the five example articles and on the first of them alone (wall seconds, best and median
    of 5; CPU seconds; peak RSS), with each embedder of the embedded model (BRIEF_EMBEDDER: onnx, int8, torch, static, hybrid,
    hybrid-int8);
  - pipeline seconds per 10-article cluster with the model loaded (in-process; neither embeddings nor the stages'
    readings of sentences reused across clusters or embedders), each embedder beside sumy LexRank on the same
    clusters, by stage; then the merging stage by part (conflict pairs, candidates, support checks...), in a pass
    of its own;
  - the daily job's first run on 200 articles from 10 feeds (bench/feeds_bench.py), the default (fp32 sentences,
    the first pass's leads read by the static table) beside those --feeds names: by default torch:own (the path of
    before: torch reads the leads too), onnx:own (fp32 reads the leads too) and static (the table reads everything).
The load average is printed beside each timed part: the machine may be shared, and CPU seconds beside wall
seconds, since on a shared machine the wall time measures the others' load too.
The cold runs are run as a user runs `brief`: Python writes and reads its bytecode caches (a
PYTHONDONTWRITEBYTECODE set in this shell is left out of their environment; with it every run compiles
briefing's modules again, about 0.1 s), and each embedder's first run, which builds its graph, is not timed.
Needs the bench extra: pip install -e '.[bench]'. Compare figures only within one run: this machine is shared.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sh(cmd, **kw):
    print("$", " ".join(map(str, cmd)), flush=True)
    return subprocess.run(cmd, check=True, text=True, **kw)


sys.path.insert(0, str(ROOT))
from briefing.models.minilm import EMBEDDERS  # noqa: E402  (the first is the default)


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def quality(shared: Path, limit: int):
    data = shared / "eval" / "multiling2011_en.jsonl"
    out = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    extra = ["--limit", str(limit)] if limit else []
    brief = str(Path(sys.executable).with_name("brief"))
    for emb in EMBEDDERS:
        os.environ["BRIEF_EMBEDDER"] = emb
        sh([sys.executable, shared / "tools" / "brief_on_dataset.py", data, out / f"brief-{emb}.jsonl", "--words",
            "250", "--brief", brief, *extra])
    os.environ.pop("BRIEF_EMBEDDER")
    sh([sys.executable, shared / "tools" / "peers.py", data, out / "peers", "--words", "250", *extra])
    sh([sys.executable, shared / "tools" / "rouge_eval.py", data,
        *(f"brief-{emb}={out / f'brief-{emb}.jsonl'}" for emb in EMBEDDERS),
        f"lead={out / 'peers' / 'lead.jsonl'}", f"lexrank={out / 'peers' / 'sumy-lexrank.jsonl'}",
        f"textrank={out / 'peers' / 'sumy-textrank.jsonl'}", "--words", "250"])
    # The limit is R2-R within 0.2 of the torch path: the difference unrounded (the table shows two decimals).
    sys.path.insert(0, str(shared / "tools"))
    import rouge_eval

    refs = rouge_eval.references(str(data))
    r2 = {}
    for emb in EMBEDDERS:
        rows = [json.loads(line) for line in open(out / f"brief-{emb}.jsonl", encoding="utf-8")]
        r2[emb] = rouge_eval.score(refs, {r["id"]: r["summary"] for r in rows}, 250)[0]["R2-R"]
    # fp32 gives the torch path's vectors to 1e-4 (models.md), so it stands in for torch when torch is not measured.
    ref = "torch" if "torch" in r2 else EMBEDDERS[0]
    print(f"R2-R against the {ref} path (issue 16: within 0.2 of torch): " + ", ".join(
        f"{emb} {r2[emb] - r2[ref]:+.3f}" for emb in EMBEDDERS if emb != ref), flush=True)


def cold_start():
    # The five example articles (142 sentences), and the first of them alone (18 sentences: below the hybrid's
    # FOCUS_MIN_SENTENCES, where its transformer reads them all and the table is never loaded).
    folder = ROOT / "examples" / "state-visit"
    for what, path in (("5 example articles", folder), ("1 example article", sorted(folder.glob("*.txt"))[0])):
        cold_make(what, path)
    print(f"  ({load()})", flush=True)


def cold_make(what: str, path: Path):
    brief = str(Path(sys.executable).with_name("brief"))
    make = [brief, "make", str(path), "-q", "-f", "json"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for emb in EMBEDDERS:
        # the first use builds the embedder's graph (and the bytecode caches): not a cold start's cost
        subprocess.run(make, check=True, capture_output=True, env={**env, "BRIEF_EMBEDDER": emb})
    # the embedders in turn, five rounds: a change in the machine's load falls on each alike
    times, cpu, rss = ({emb: [] for emb in EMBEDDERS} for _ in range(3))
    for _ in range(5):
        for emb in EMBEDDERS:
            t = time.perf_counter()
            p = subprocess.Popen(make, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env={**env, "BRIEF_EMBEDDER": emb})
            _, status, usage = os.wait4(p.pid, 0)
            times[emb].append(time.perf_counter() - t)
            assert status == 0, f"brief make failed with the {emb} embedder"
            cpu[emb].append(usage.ru_utime + usage.ru_stime)
            rss[emb].append(usage.ru_maxrss / 1024)
    for emb in EMBEDDERS:
        print(f"cold brief make ({what}), {emb} embedder{' (default)' if emb == EMBEDDERS[0] else ''}: "
              f"best {min(times[emb]):.2f} s, median {statistics.median(times[emb]):.2f} s; "
              f"CPU median {statistics.median(cpu[emb]):.2f} s; peak RSS {max(rss[emb]):.0f} MB", flush=True)


def forget_readings() -> None:
    """The readings briefing's stages remember by text (lru_cache: names, facts, stems...), forgotten, so that each
    embedder's run of a cluster pays for its own, as the first one to read the cluster does."""
    import functools

    for name, module in list(sys.modules.items()):
        if name == "briefing" or name.startswith("briefing."):
            for f in list(vars(module).values()):
                if isinstance(f, functools._lru_cache_wrapper):
                    f.cache_clear()
    from briefing import merge

    merge._TERMS.clear()


# The merging stage's parts, as story_work and make_stories call them (each timed with what it calls; the support
# checks, made inside the candidates, the readable forms and the own-sentence check, are also summed on their own).
MERGING_PARTS = (("merge", "mark_duplicates", "duplicates"), ("merge", "story_groups", "stories"),
                 ("merge", "story_conflicts", "conflict pairs"), ("merge", "build_story", "candidates"),
                 ("merge", "headline_of", "headline"), ("merge", "readable_form", "readable forms"),
                 ("merge", "cited_as_said", "own-sentence checks"), ("select", "concept_weights", "concept weights"),
                 ("merge", "choose", "choosing"), ("merge", "conflicts_of", "disagreements shown"),
                 ("support", "states", "support checks (within the above)"))


def merging_parts(totals: dict[str, float]):
    """Patches merging's parts (MERGING_PARTS) to add their CPU seconds to `totals`; returns the undo."""
    import importlib

    undo = []
    for mod_name, fn_name, label in MERGING_PARTS:
        mod = importlib.import_module(f"briefing.{mod_name}")
        fn = getattr(mod, fn_name)
        depth = [0]

        def timed(*args, _fn=fn, _label=label, _depth=depth, **kw):
            if _depth[0]:  # a part that calls itself (none does today) is counted once
                return _fn(*args, **kw)
            _depth[0] += 1
            t0 = time.process_time()
            try:
                return _fn(*args, **kw)
            finally:
                _depth[0] -= 1
                totals[_label] = totals.get(_label, 0.0) + time.process_time() - t0
        setattr(mod, fn_name, timed)
        undo.append((mod, fn_name, fn))

    def restore():
        for mod, fn_name, fn in reversed(undo):
            setattr(mod, fn_name, fn)
    return restore


def warm_pipeline(shared: Path, limit: int):
    from briefing import pipeline
    from briefing.extract import build_article
    from briefing.models.minilm import MiniLM
    from briefing.models.onnx_minilm import Int8MiniLM, OnnxMiniLM
    from briefing.models.static_minilm import StaticMiniLM
    from briefing.types import RawDocument

    sys.path.insert(0, str(shared / "tools"))
    from peers import sumy_peer  # noqa: E402
    from sumy.summarizers.lex_rank import LexRankSummarizer

    clusters = [json.loads(line) for line in open(shared / "eval" / "multiling2011_en.jsonl", encoding="utf-8")]
    clusters = clusters[:limit] if limit else clusters
    from briefing.models.hybrid_minilm import HybridMiniLM

    models = {"onnx": OnnxMiniLM(), "int8": Int8MiniLM(), "torch": MiniLM(), "static": StaticMiniLM()}
    models["hybrid"] = HybridMiniLM(OnnxMiniLM(), StaticMiniLM())  # its own two: their memos are its own
    models["hybrid-int8"] = HybridMiniLM(Int8MiniLM(), StaticMiniLM())
    models = {emb: models[emb] for emb in EMBEDDERS}
    for m in models.values():
        m.embed(["warm up"])
    lexrank = sumy_peer(LexRankSummarizer)
    secs = {name: [] for name in (*models, "lexrank")}
    # CPU seconds beside wall seconds: on a shared machine the wall time measures the others' load too
    cpu = {name: [] for name in secs}
    stages = {name: {} for name in models}  # CPU seconds of each pipeline stage (the CLI's progress stages), summed

    def staged(name):
        marks = []

        def stage(label, total):
            marks.append((label, time.process_time()))

        def done():
            for (label, t0), (_, t1) in zip(marks, marks[1:] + [("", time.process_time())]):
                stages[name][label] = stages[name].get(label, 0.0) + t1 - t0
        return pipeline.Progress(stage=stage), done

    for c in clusters:
        docs = [RawDocument(input=str(i), text=(a.get("title", "") + "\n\n" + a["text"]).strip())
                for i, a in enumerate(c["articles"])]
        for name, model in models.items():
            for m in (model.fine, model.coarse) if isinstance(model, HybridMiniLM) else (model,):
                m._memo.clear()  # each cluster pays for its own embeddings
            forget_readings()  # and its own readings of the sentences
            t, c0 = time.perf_counter(), time.process_time()
            progress, done = staged(name)
            progress.stage("extracting", len(docs))
            arts = [build_article(d, i + 1) for i, d in enumerate(docs)]
            pipeline.brief(arts, [], pipeline.Settings(inputs=(), words=250), embedder=model, progress=progress)
            done()
            secs[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c0)
        forget_readings()
        t, c0 = time.perf_counter(), time.process_time()
        lexrank(c, 250)
        secs["lexrank"].append(time.perf_counter() - t)
        cpu["lexrank"].append(time.process_time() - c0)
    mean = {k: statistics.mean(v) for k, v in secs.items()}
    print(f"pipeline, model loaded, {len(clusters)} clusters of {len(clusters[0]['articles'])} articles "
          f"(wall s/cluster, mean and max; LexRank's time over brief's, above 1 is brief faster):")
    for name in models:
        print(f"  brief ({name}) {mean[name]:.2f} s (max {max(secs[name]):.2f}); "
              f"LexRank/brief {mean['lexrank'] / mean[name]:.2f}x", flush=True)
    print(f"  sumy LexRank {mean['lexrank']:.2f} s ({load()}); CPU s/cluster: "
          + ", ".join(f"{k} {statistics.mean(v):.2f}" for k, v in cpu.items()), flush=True)
    print("  CPU s/cluster by stage: " + "; ".join(
        f"{name}: " + ", ".join(f"{label} {t / len(clusters):.3f}" for label, t in st.items())
        for name, st in stages.items()), flush=True)
    # The merging stage by part, in a pass of its own after the timed ones (the patched calls cost a little), with
    # the last embedder measured: each cluster's readings forgotten first, as above.
    name, model = list(models.items())[-1]
    parts: dict[str, float] = {}
    restore = merging_parts(parts)
    c0 = time.process_time()
    try:
        for c in clusters:
            for m in (model.fine, model.coarse) if isinstance(model, HybridMiniLM) else (model,):
                m._memo.clear()
            forget_readings()
            arts = [build_article(RawDocument(input=str(i), text=(a.get("title", "") + "\n\n" + a["text"]).strip()),
                                  i + 1) for i, a in enumerate(c["articles"])]
            pipeline.brief(arts, [], pipeline.Settings(inputs=(), words=250), embedder=model)
    finally:
        restore()
    print(f"  merging by part, CPU s/cluster ({name}; a pass of its own, {(time.process_time() - c0) / len(clusters):.3f}"
          f" s/cluster in all): " + ", ".join(f"{label} {parts.get(label, 0.0) / len(clusters):.3f}"
                                             for _, _, label in MERGING_PARTS), flush=True)


def feeds(shared: Path, also: str):
    """The daily job's 200-article first run (bench/feeds_bench.py), the default embedder beside the others named."""
    print(f"({load()})", flush=True)
    sh([sys.executable, ROOT / "bench" / "feeds_bench.py", shared / "eval" / "giveme5w1h_events.jsonl", "--also", also])
    print(f"({load()})", flush=True)


def main():
    global EMBEDDERS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--embedders", default=",".join(EMBEDDERS),
                    help="which embedders to measure (BRIEF_EMBEDDER names; the default one is always measured)")
    ap.add_argument("--parts", default="quality,cold,warm,feeds", help="which parts to run, of those")
    ap.add_argument("--feeds", default="torch:own,onnx:own,static",
                    help="embedders whose feeds first run is timed beside the default's (bench/feeds_bench.py --also: "
                         "':own' reads the first pass's leads with that embedder too, the path of before); '' skips it")
    a = ap.parse_args()
    shared = Path(a.shared)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    EMBEDDERS = tuple(e for e in EMBEDDERS if e == EMBEDDERS[0] or e in a.embedders.split(","))
    parts = set(a.parts.split(","))
    if "quality" in parts and not a.skip_quality:
        quality(shared, a.limit)
    if "cold" in parts:
        cold_start()
    if "warm" in parts:
        warm_pipeline(shared, a.limit)
    if "feeds" in parts and a.feeds:
        feeds(shared, a.feeds)


if __name__ == "__main__":
    main()
