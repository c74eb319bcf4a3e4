"""Story clustering in bounded memory: 100,000 synthetic short articles, and 8,000 tiny ones.

    .venv/bin/python bench/cluster_memory.py [--n 100000] [--dense 2000] [--tiny 8000] [--cli]

Every measurement runs in a fresh child process; its wall seconds and peak RSS (ru_maxrss of that process: the
articles and vectors it was given count too, so the made-up inputs' own size is printed beside it) are read
by the parent with wait4.

  merge    mark_duplicates + merge.story_groups: what make_stories does before it briefs each story.
  triage   triage.preselect: the daily job's cheap first pass that picks the day's stories from leads.
  dense    the old path, merge.cluster_similar over merge.story_similarity (the n x n matrix, and a masked copy
           of it each merge: O(n^3) time), at --dense articles (default 2,000), where it fits, beside `merge` on
           the same articles: the two must give the same stories (same digest), else the bench exits 1. At
           100,000 its matrix is not built: its size is printed instead.
  cli      (--cli) `brief make` on the tiny articles written as files, the real model included.

The articles are made up, never read from a data set: a story has a few made-up names and words of its own
(story sizes follow a Zipf law of exponent 0.7: 10 articles a story on average, the largest 2 %), the rest of
the words come from a shared vocabulary of 20,000 made-up words (Zipf frequencies), titles of 6 words, 2 or 3
sentences of 12 words (`tiny`: one sentence). The sentence vectors are made up too (384 numbers near their
story's direction: same-story sentence cosines about 0.6, others under 0.1): the model is not run on 100,000
articles (on 2 cores that alone would take about an hour), so `merge` and `triage` time the clustering stages
themselves. `ari` is the adjusted Rand index of the stories found against the made-up ones.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIM = 384
# The bound for 100,000 articles: the measuring process's peak RSS, inputs included (MB).
LIMIT_MB = 2048
# Story sizes: Zipf with this exponent over n / 10 stories. At 100,000 articles the largest story has about 2 % of
# them (2,000 articles), the median story a handful: a judgment of a big news day, not measured.
ZIPF = 0.7
LETTERS = "bcdfghjklmnprstvz"
VOWELS = "aeiou"


def made_up_word(rng: np.random.Generator) -> str:
    return "".join(rng.choice(list(LETTERS)) + rng.choice(list(VOWELS)) for _ in range(int(rng.integers(2, 4))))


def synthetic(n: int, seed: int = 0, sentences: tuple[int, int] = (2, 3)):
    """n made-up articles (briefing.types.Article), the story of each, and their sentence vectors."""
    from briefing.types import Article, Sentence

    rng = np.random.default_rng(seed)
    stories = max(1, n // 10)
    weights = np.arange(1, stories + 1) ** -ZIPF
    story_of = rng.choice(stories, size=n, p=weights / weights.sum())
    common = [made_up_word(rng) for _ in range(20_000)]
    zipf = 1.0 / np.arange(1, len(common) + 1)
    zipf /= zipf.sum()
    own = {}  # story -> its own words
    centre = {}  # story -> its direction
    shared = rng.normal(size=DIM)
    shared /= np.linalg.norm(shared)
    articles, vectors = [], {}
    for i in range(n):
        s = int(story_of[i])
        if s not in own:
            own[s] = [made_up_word(rng).capitalize() for _ in range(4)] + [made_up_word(rng) for _ in range(6)]
            c = rng.normal(size=DIM)
            centre[s] = c / np.linalg.norm(c)
        words = own[s]

        def line(k_own: int, k_common: int) -> str:
            picks = list(rng.choice(words, size=k_own)) + [common[j] for j in rng.choice(len(common), size=k_common, p=zipf)]
            rng.shuffle(picks)
            return " ".join(picks)

        title = line(3, 3).capitalize()
        texts = [line(4, 8).capitalize() + "." for _ in range(int(rng.integers(sentences[0], sentences[1] + 1)))]
        v = centre[s] + 0.35 * shared + rng.normal(scale=0.9 / np.sqrt(DIM), size=(len(texts), DIM))
        vectors[i + 1] = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
        articles.append(Article(id=i + 1, title=title, text=" ".join(texts), publisher=f"outlet{i % 50}",
                                url=f"https://outlet{i % 50}.example/{i}",
                                sentences=[Sentence(k, t, 0) for k, t in enumerate(texts)]))
    return articles, story_of, vectors


def digest(groups: list[list[int]]) -> str:
    """The stories as a short fingerprint, independent of the order they come in."""
    import hashlib

    return hashlib.sha256(repr(sorted(sorted(g) for g in groups)).encode()).hexdigest()[:12]


def rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(stage: str, n: int, sentences: tuple[int, int], folder: str | None) -> None:
    """One measurement, in this (fresh) process; prints a line for the parent."""
    from briefing import merge, triage

    articles, truth, vectors = synthetic(n, sentences=sentences)
    before = rss_mb()
    t0 = time.perf_counter()
    if stage == "merge":
        originals = [a for a in merge.mark_duplicates(articles) if a.duplicate_of is None]
        groups = merge.story_groups(originals, vectors)
    elif stage == "dense":
        originals = [a for a in merge.mark_duplicates(articles) if a.duplicate_of is None]
        groups = merge.cluster_similar(merge.story_similarity(originals, vectors), merge.STORY_SIMILAR)
    elif stage == "triage":
        by_text = {}
        for a in articles:
            by_text[a.title] = vectors[a.id][0]
            for s, v in zip(a.sentences, vectors[a.id]):
                by_text[s.text] = v

        class MadeUp:  # the made-up vectors, as an embedder would return them
            def embed(self, texts):
                return np.stack([by_text[t] for t in texts])

        from briefing.config import Config

        kept = triage.preselect(articles, MadeUp(), set(), {}, Config())
        groups = [kept]
    else:
        raise SystemExit(f"unknown stage {stage}")
    secs = time.perf_counter() - t0
    same = ""
    if stage in ("merge", "dense"):
        # How close the stories come to the made-up ones (adjusted Rand index over the originals).
        from collections import Counter

        def comb2(k):
            return k * (k - 1) / 2

        label = {}
        for k, g in enumerate(groups):
            for i in g:
                label[originals[i].id] = k
        t = [int(truth[a.id - 1]) for a in originals]
        p = [label[a.id] for a in originals]
        pairs, a_, b_ = Counter(zip(t, p)), Counter(t), Counter(p)
        index = sum(comb2(v) for v in pairs.values())
        sa, sb = sum(comb2(v) for v in a_.values()), sum(comb2(v) for v in b_.values())
        expected = sa * sb / comb2(len(t))
        ari = (index - expected) / ((sa + sb) / 2 - expected)
        same = f" stories={len(groups)} ari={ari:.3f} digest={digest(groups)}"
    else:
        same = f" kept_articles={len(groups[0])}"
    print(f"RESULT stage={stage} n={n} secs={secs:.1f} inputs_rss_mb={before:.0f}{same}", flush=True)


def run_child(args: list[str]) -> tuple[str, float, float]:
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"child {' '.join(args[2:])} failed ({p.returncode})\n{out}")
    return out, time.perf_counter() - t0, usage.ru_maxrss / 1024


def measure(stage: str, n: int, sentences: str) -> dict:
    out, wall, peak = run_child([sys.executable, __file__, "--child", stage, "--n", str(n), "--sentences", sentences])
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    fields = dict(kv.split("=", 1) for kv in line.split()[1:])
    print(f"  {stage:7s} n={n:>7,}: {float(fields['secs']):7.1f} s, peak RSS {peak:7.0f} MB "
          f"(the made-up inputs alone: {float(fields['inputs_rss_mb']):.0f} MB)"
          + "".join(f", {k} {v}" for k, v in fields.items() if k in ("stories", "ari", "digest", "kept_articles")),
          flush=True)
    return {**fields, "peak_mb": peak}


def cli(n: int) -> None:
    articles, _, _ = synthetic(n, sentences=(1, 1))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for a in articles:
            (folder / f"{a.id:05d}.txt").write_text(f"{a.title}\n\n{a.text}\n", encoding="utf-8")
        brief = Path(sys.executable).with_name("brief")
        env = {**os.environ, "BRIEF_HOME": str(Path(tmp) / "home")}
        warm = subprocess.run([str(brief), "make", str(ROOT / "examples" / "state-visit"), "-q", "-o",
                               str(Path(tmp) / "warm.md")], env=env, capture_output=True, text=True)
        if warm.returncode != 0:
            raise SystemExit(f"brief make failed on the examples: {warm.stderr}")
        t0 = time.perf_counter()
        p = subprocess.Popen([str(brief), "make", str(folder), "-q", "-f", "json", "-o", str(Path(tmp) / "out.json")],
                             env=env, stderr=subprocess.PIPE, text=True)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        print(f"  cli     n={n:>7,}: {wall:7.1f} s, peak RSS {usage.ru_maxrss / 1024:7.0f} MB "
              f"(`brief make` on {n:,} files of one sentence, the model warm on disk; exit {code})", flush=True)
        if code not in (0, 3):
            print(err[-2000:])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="synthetic short articles (default 100,000)")
    ap.add_argument("--tiny", type=int, default=8_000, help="tiny articles of one sentence (default 8,000)")
    ap.add_argument("--dense", type=int, default=2_000,
                    help="articles on which the old dense path and the blocked one are compared (default 2,000; 0: no)")
    ap.add_argument("--cli", action="store_true", help="also `brief make` on the tiny set written as files")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--sentences", default="2,3", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sentences = tuple(int(x) for x in args.sentences.split(","))
    if args.child:
        child(args.child, args.n, sentences, None)
        return 0
    from briefing import merge

    print(f"blocks of at most {merge.CLUSTER_BLOCK_CELLS:,} similarities; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    failed = False
    if args.n:
        cells = args.n * args.n
        print(f"{args.n:,} short articles (2-3 sentences). The old path would hold the n x n similarity matrix: "
              f"{cells * 4 / 2**30:.1f} GiB in float32, {cells * 8 / 2**30:.1f} GiB as the float64 copy it "
              f"clusters, and as much again for its masked copy each step (not run).", flush=True)
        for stage in ("merge", "triage"):
            got = measure(stage, args.n, "2,3")
            over = got["peak_mb"] > LIMIT_MB
            failed |= over
            print(f"    {stage}: peak {got['peak_mb']:.0f} MB {'OVER' if over else 'within'} the {LIMIT_MB:,} MB limit",
                  flush=True)
    if args.dense:
        print(f"{args.dense:,} short articles, the blocked path beside the old dense one:", flush=True)
        blocked, dense = measure("merge", args.dense, "2,3"), measure("dense", args.dense, "2,3")
        same = blocked["digest"] == dense["digest"]
        failed |= not same
        print(f"    same stories: {'yes' if same else 'NO'} ({blocked['stories']} and {dense['stories']} stories)",
              flush=True)
    if args.tiny:
        print(f"{args.tiny:,} tiny articles (a title and one sentence):", flush=True)
        for stage in ("merge", "triage"):
            measure(stage, args.tiny, "1,1")
        if args.cli:
            cli(args.tiny)
    print(f"load after: {os.getloadavg()[0]:.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
