#!/usr/bin/env python3
"""Do a briefing's citations pass `brief verify`? Runs brief verify on the briefing's claims against its sources.

    python bench/citations_verify.py BRIEFING.json [--brief brief]

Prints the citations checked and those whose source `brief verify` does not call "supports".
"""
import argparse
import json
import subprocess
import tempfile
from pathlib import Path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("briefing")
    ap.add_argument("--brief", default="brief")
    a = ap.parse_args()
    b = json.loads(Path(a.briefing).read_text(encoding="utf-8"))
    claims = [c for s in b["stories"] for c in s["claims"]]
    sources = {s["id"]: s["path"] for s in b["sources"]}
    with tempfile.TemporaryDirectory() as tmp:
        summary = Path(tmp) / "summary.md"
        summary.write_text("".join(f"- {' '.join(c['text'].split())}\n" for c in claims), encoding="utf-8")
        out = Path(tmp) / "v.json"
        paths = [sources[i] for i in sorted(sources)]
        r = subprocess.run([a.brief, "verify", str(summary), *paths, "--format", "json", "-o", str(out)],
                           capture_output=True, text=True)
        if r.returncode not in (0, 6):
            raise SystemExit(f"brief verify exited {r.returncode}: {r.stderr.strip()}")
        v = json.loads(out.read_text(encoding="utf-8"))
    by_path = {s["path"]: s["id"] for s in v["sources"]}
    vid = {i: by_path.get(p) for i, p in sources.items()}
    total = bad = 0
    for c, x in zip(claims, v["sentences"]):
        verdicts = {k["source"]: k for k in x["checks"]}
        for cit in c["citations"]:
            total += 1
            k = verdicts.get(vid.get(cit["source"]))
            if not k or k["verdict"] != "supports":
                bad += 1
                print(f"not supported: {c['text'][:90]!r} by [{cit['source']}]: {k and k['verdict']} {k and k['reason']}")
    print(f"{total} citations, {total - bad} pass brief verify, {bad} do not")


if __name__ == "__main__":
    main()
