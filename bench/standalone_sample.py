#!/usr/bin/env python3
"""Fresh briefings of the 22 labelled clusters, and a fixed sample of their claims to judge by reading.

    python bench/standalone_sample.py OUTDIR [--brief brief] [--every 3] [--start 2]

Writes each cluster (the clusters of ../shared/eval/support_pairs.jsonl) as a folder of articles, runs
`brief make --format json --words 250` on it, checks that every citation passes `brief verify`
(bench/citations_verify.py), and prints every `--every`-th claim from the `--start`-th on, numbered, with
its story headline and what briefing/standalone.py says of it. Giveme5W1H claims are printed, not stored:
the judged sample in docs/standalone_sample.md quotes MultiLing claims only.
"""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))
from briefing import standalone  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--brief", default="brief")
    ap.add_argument("--every", type=int, default=3)
    ap.add_argument("--start", type=int, default=2)
    a = ap.parse_args()
    out = Path(a.out)
    ids = {json.loads(line)["cluster"] for line in open(EVAL / "support_pairs.jsonl", encoding="utf-8")}
    claims, citations, failing = [], 0, 0
    for name in ("giveme5w1h_events.jsonl", "multiling2011_en.jsonl"):
        for line in open(EVAL / name, encoding="utf-8"):
            c = json.loads(line)
            if c["id"] not in ids:
                continue
            folder = out / re.sub(r"[^\w.-]", "_", c["id"])
            folder.mkdir(parents=True, exist_ok=True)
            for i, art in enumerate(c["articles"]):
                (folder / f"article_{i:03d}.txt").write_text((art.get("title") or "").strip() + "\n\n" + art["text"],
                                                            encoding="utf-8")
            target = out / f"{folder.name}.json"
            subprocess.run([a.brief, "make", str(folder), "--format", "json", "-q", "-o", str(target),
                            "--words", "250"], check=False)
            r = subprocess.run([sys.executable, str(ROOT / "bench" / "citations_verify.py"), str(target),
                                "--brief", a.brief], capture_output=True, text=True)
            m = re.search(r"(\d+) citations, (\d+) pass", r.stdout)
            citations += int(m.group(1)) if m else 0
            failing += int(m.group(1)) - int(m.group(2)) if m else 0
            b = json.loads(target.read_text(encoding="utf-8"))
            for s in b["stories"]:
                for cl in s["claims"]:
                    claims.append((c["id"], s["headline"], cl["text"]))
    print(f"{len(claims)} claims; {citations} citations, {failing} fail brief verify")
    for n, (cid, headline, text) in enumerate(claims, 1):
        if n >= a.start and (n - a.start) % a.every == 0:
            why = standalone.reason(text, headline)
            print(f"{n}\t{cid}\t{headline[:60]}\t{text}\t{why or 'stands alone'}")


if __name__ == "__main__":
    main()
