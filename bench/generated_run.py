#!/usr/bin/env python3
"""A generative model's `brief make` on the seeds and MultiLing clusters: seconds, peak memory, what grounding did,
and `brief verify` on every claim the model wrote.

    python bench/generated_run.py MODEL [MODEL ...] [--inputs examples/state-visit ...] [--clusters M000 M003 ...]
                                  [--words 250] [--out DIR] [--home DIR] [--tools ../shared/tools] [--quick]
                                  [--rewrite articles|claims]

For each MODEL (anything `--model` takes: a .gguf path, a name `brief models` lists, a folder) and each input (the
seeds by default, then each MultiLing 2011 cluster named by --clusters, written as a folder the way
bench/gen_readthrough.py writes it), one `brief make INPUT --model MODEL -f json -o OUT/<model>/<input>.json`.
Without --home each model gets an empty BRIEF_HOME (a cold run: converting a GGUF file and every generation, nothing
cached, shared by that model's inputs in order); with --home DIR that user folder is used as it is (a warm run: the
outputs it caches are read, not written again; say which in a report). Prints one row an input (models.md names it
for a cold run's cost): wall seconds and the process's peak RSS (os.wait4's ru_maxrss of that `brief make`),
sentences generated, kept, fused, dropped by the support check (by reason), generated claims in the briefing,
how many of them `brief verify` (run on the briefing's claims against the input) says are supported, and
../shared/tools/check_briefing.py's verdict when the tools are there; then a total a model. The load average is
printed too: the machine is shared, so compare seconds within one run. --quick: the first two articles of the
first input only. --rewrite: brief make's (the model rewrites each article, or only the claims the briefing
chose). bench/gen_readthrough.py writes the claims out with their evidence for reading by hand.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(model: str, inputs: list[str], words: int, out: Path, home: Path,
        rewrite: str = "articles") -> tuple[float, int, int, str]:
    """(seconds, peak RSS bytes, exit code, stderr) of one `brief make` with BRIEF_HOME=home."""
    env = dict(os.environ, BRIEF_HOME=str(home))
    cmd = [sys.executable, "-m", "briefing", "make", *inputs, "--model", model, "--words", str(words),
           "--rewrite", rewrite, "-f", "json", "-o", str(out), "-q"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()  # read while it runs: a full pipe would stall it
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    return seconds, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), err


def verify_generated(path: Path, inputs: list[str], home: Path) -> tuple[int, int]:
    """(generated claims, of them supported) by `brief verify` on the briefing's claims, one list item each."""
    data = json.loads(path.read_text(encoding="utf-8"))
    claims = [c for s in data["stories"] for c in s["claims"]]
    if not claims:
        return 0, 0
    summary = path.with_suffix(".claims.md")
    summary.write_text("".join("- " + " ".join(c["text"].split()) + "\n" for c in claims), encoding="utf-8")
    report = path.with_suffix(".verify.json")
    r = subprocess.run([sys.executable, "-m", "briefing", "verify", str(summary), *inputs, "-f", "json", "-o",
                        str(report)], env=dict(os.environ, BRIEF_HOME=str(home)), capture_output=True, text=True)
    if r.returncode not in (0, 6):
        raise SystemExit(f"brief verify exited {r.returncode}: {r.stderr.strip()[-300:]}")
    checked = json.loads(report.read_text(encoding="utf-8"))["sentences"]
    if len(checked) != len(claims):
        raise SystemExit(f"brief verify read {len(checked)} statements from {len(claims)} claims ({summary})")
    gen = [v for c, v in zip(claims, checked) if c.get("generated")]
    return len(gen), sum(v["verdict"] == "supported" for v in gen)


def summary(path: Path, tools: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    g = data.get("stats", {}).get("generation") or {}
    claims = [c for s in data["stories"] for c in s["claims"]]
    row = {"generated": g.get("generated", 0), "kept": g.get("kept", 0), "fused": g.get("fused", {}),
           **({"rewritten": g["rewritten"]} if "rewritten" in g else {}),
           "dropped": g.get("dropped_reasons", {}), "claims": len(claims),
           "generated_claims": sum(bool(c.get("generated")) for c in claims)}
    checker = tools / "check_briefing.py"
    if checker.exists():
        r = subprocess.run([sys.executable, str(checker), str(path)], capture_output=True, text=True)
        row["check_briefing"] = (r.stdout.strip().splitlines() or [""])[-1]
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+", metavar="MODEL")
    ap.add_argument("--inputs", nargs="+", default=[str(ROOT / "examples" / "state-visit")])
    ap.add_argument("--clusters", nargs="*", default=[], help="MultiLing 2011 clusters (M000 ...) to run too")
    ap.add_argument("--words", type=int, default=250)
    ap.add_argument("--out", default="")
    ap.add_argument("--home", default="", help="a BRIEF_HOME to use as it is (warm), not an empty one (cold)")
    ap.add_argument("--tools", default=str(ROOT.parent / "shared" / "tools"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rewrite", choices=("articles", "claims"), default="articles")
    a = ap.parse_args()
    out = Path(a.out or tempfile.mkdtemp(prefix="generated-run-out-"))
    out.mkdir(parents=True, exist_ok=True)
    todo = [(Path(p).name, [p]) for p in a.inputs]
    if a.clusters:
        sys.path.insert(0, str(ROOT / "bench"))
        from gen_readthrough import inputs as cluster_inputs

        todo += [(name, [str(folder)]) for name, folder in cluster_inputs(out, a.clusters)[1:]]
    if a.quick:
        first = Path(todo[0][1][0])
        todo = [(todo[0][0], sorted(str(p) for p in first.iterdir() if p.is_file() and not p.name.startswith("."))[:2])]
    print(f"inputs: {', '.join(n for n, _ in todo)}; --rewrite {a.rewrite}; {'warm, BRIEF_HOME ' + a.home if a.home else 'cold'}; "
          f"load average {os.getloadavg()[0]:.1f}; JSON in {out}")
    for model in a.models:
        mdir = out / Path(model).name.replace("/", "_")
        mdir.mkdir(exist_ok=True)
        home = Path(a.home) if a.home else Path(tempfile.mkdtemp(prefix="generated-run-"))
        total = {"seconds": 0.0, "generated_claims": 0, "verified": 0, "kept": 0, "generated": 0}
        try:
            for name, inputs in todo:
                path = mdir / f"{name}.json"
                seconds, peak, code, err = run(model, inputs, a.words, path, home, a.rewrite)
                if code not in (0, 3) or not path.exists():
                    print(f"{model} {name}: exit {code}: {err.strip()[-300:]}")
                    continue
                row = summary(path, Path(a.tools))
                n, ok = verify_generated(path, inputs, home)
                row["generated_claims_pass_brief_verify"] = f"{ok}/{n}"
                for k, v in (("seconds", seconds), ("generated_claims", n), ("verified", ok),
                             ("kept", row["kept"]), ("generated", row["generated"])):
                    total[k] += v
                print(f"{model} {name}: {seconds:.0f} s, peak RSS {peak / 2**30:.2f} GiB; "
                      + json.dumps(row, ensure_ascii=False), flush=True)
        finally:
            if not a.home:
                shutil.rmtree(home, ignore_errors=True)
        print(f"{model}: {len(todo)} inputs, {total['seconds']:.0f} s; sentences written {total['generated']}, kept "
              f"{total['kept']}; generated claims in the briefings {total['generated_claims']}, pass brief verify "
              f"{total['verified']}/{total['generated_claims']}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
