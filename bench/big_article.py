"""Time and peak memory of `brief make` on one very large article, beside smaller ones in the same run.

The input limit is 20 MB (files and stdin alike); this shows what an article at that limit costs.
The article is synthetic: varied news-like sentences, made here from a seed, so no data set is needed.

    .venv/bin/python bench/big_article.py                # 0.2, 2 and 20 MB
    .venv/bin/python bench/big_article.py --mb 0.2 2     # only these sizes
    .venv/bin/python bench/big_article.py --stdin        # the same through `brief make -`

Each size runs `brief make FILE -f json -q` in a fresh process; wall seconds and the child's peak RSS
(ru_maxrss) are printed, with the exit code and the number of claims.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUBJECTS = ["The council", "The minister", "A spokesperson", "The company", "Local residents", "The court",
            "Officials", "The mayor", "Researchers", "The union"]
VERBS = ["said", "announced", "confirmed", "reported", "denied", "warned", "argued", "estimated"]
OBJECTS = ["the bridge would cost {n} million dollars", "work would begin in {m}", "{n} people attended the vote",
           "the plan had been delayed by {n} weeks", "the budget rose by {n} percent", "talks would resume in {m}",
           "{n} jobs were at risk", "the vote passed {n} to {k}"]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def article(megabytes: float, seed: int = 7) -> str:
    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    out, size, para = [], 0, []
    while size < target:
        s = (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} on {rng.choice(['Monday', 'Tuesday', 'Friday'])} that "
             + rng.choice(OBJECTS).format(n=rng.randint(2, 900), m=rng.choice(MONTHS), k=rng.randint(1, 9)) + ".")
        para.append(s)
        if len(para) == 5:
            text = " ".join(para)
            if size + len(text) + 2 > target - 64:  # stay within the limit: 20 MB means the largest allowed
                break
            out.append(text)
            size += len(text) + 2
            para = []
    return "Council approves the river bridge\n\n" + "\n\n".join(out) + "\n"


def run_one(path: Path, stdin: bool, timeout: float) -> dict:
    brief = Path(sys.executable).with_name("brief")
    cmd = [str(brief), "make", "-" if stdin else str(path), "-f", "json", "-q"]
    env = dict(os.environ, BRIEF_HOME=str(path.parent / "home"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    try:
        with open(path, "rb") as f:
            r = subprocess.run(cmd, stdin=f if stdin else subprocess.DEVNULL, capture_output=True, env=env,
                               timeout=timeout)
        code, out, err = r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        code, out, err = "timeout", b"", b""
    wall = time.perf_counter() - start
    # ru_maxrss of children is the largest of any child so far: sizes run smallest first, so it is this one's.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    claims = None
    if out:
        try:
            claims = json.loads(out)["stats"].get("claims")
        except (ValueError, KeyError):
            pass
    return {"exit": code, "wall_s": wall, "peak_rss_mb": max(peak, before) / 1024, "claims": claims,
            "stderr": err.decode("utf-8", "replace").strip()[:200]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[0.2, 2.0, 20.0])
    ap.add_argument("--stdin", action="store_true", help="feed the article on standard input")
    ap.add_argument("--timeout", type=float, default=1800)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sorted(args.mb):
            path = Path(tmp) / f"article-{mb:g}mb.txt"
            path.write_text(article(mb), encoding="utf-8")
            got = run_one(path, args.stdin, args.timeout)
            print(f"{mb:g} MB ({path.stat().st_size / 1e6:.1f} MB on disk){' via stdin' if args.stdin else ''}: "
                  f"exit {got['exit']}, {got['wall_s']:.1f} s, peak RSS {got['peak_rss_mb']:.0f} MB, "
                  f"{got['claims']} claims" + (f"  [{got['stderr']}]" if got["stderr"] else ""), flush=True)


if __name__ == "__main__":
    main()
