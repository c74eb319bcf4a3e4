#!/usr/bin/env python3
"""The support check on the hand-labelled pairs, pair by pair (no CLI): precision and recall of "supports".

    python bench/support_bench.py [../shared/eval/support_pairs.jsonl] [--show fp|fn]
    python bench/support_bench.py --verify      # the reported figure: through `brief verify`

SUPPORTS is positive, PARTIAL and NO negative, SAME left out, per set and overall. This is the quick
loop for tuning the rules; `../shared/tools/verify_score.py` scores the same pairs through `brief verify`
(best sentence of each article), which is the figure to report.
"""
import argparse
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from briefing import support  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/eval/support_pairs.jsonl"))
    ap.add_argument("--show", choices=["fp", "fn"])
    ap.add_argument("--verify", action="store_true",
                    help="run ../shared/tools/verify_score.py with this checkout's brief instead")
    a = ap.parse_args()
    if a.verify:
        import shutil
        import subprocess
        import tempfile

        tool = Path(a.pairs).resolve().parents[1] / "tools" / "verify_score.py"
        brief = shutil.which("brief", path=str(Path(sys.executable).parent)) or "brief"
        with tempfile.TemporaryDirectory() as work:
            raise SystemExit(subprocess.run([sys.executable, str(tool), a.pairs, work, "--brief", brief]).returncode)
    stats = collections.defaultdict(collections.Counter)
    for line in open(a.pairs, encoding="utf-8"):
        p = json.loads(line)
        if p["label"] == "SAME":
            continue
        v = support.check(p["claim"], p["evidence"])
        pred, gold = v.verdict == support.SUPPORTS, p["label"] == "SUPPORTS"
        kind = "tp" if pred and gold else "fp" if pred else "fn" if gold else "tn"
        stats[p["set"]][kind] += 1
        if a.show == kind:
            print(f"[{p['label']}] {p['why']}\n  C: {p['claim']}\n  E: {p['evidence']}\n  -> {v.verdict} {v.reason}\n")
    tot = collections.Counter()
    for c in stats.values():
        tot.update(c)
    print(f"{'set':18} {'prec':>6} {'recall':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>5}")
    for s, c in sorted(stats.items()) + [("all", tot)]:
        print(f"{s:18} {c['tp'] / max(1, c['tp'] + c['fp']):6.3f} {c['tp'] / max(1, c['tp'] + c['fn']):6.3f} "
              f"{c['tp']:4d} {c['fp']:4d} {c['fn']:4d} {c['tn']:5d}")


if __name__ == "__main__":
    main()
