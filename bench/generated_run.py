#!/usr/bin/env python3
"""A generative model's cold `brief make` on a folder of articles: seconds, peak memory, and what grounding did.

    python bench/generated_run.py MODEL [MODEL ...] [--inputs examples/state-visit] [--words 250] [--out DIR]
                                  [--tools ../shared/tools] [--quick]

For each MODEL (anything `--model` takes: a .gguf path, a name `brief models` lists, a folder), one fresh
`brief make INPUTS --model MODEL -f json -o OUT/<name>.json` with an empty BRIEF_HOME, so the run includes
converting a GGUF file and every generation (nothing cached). Prints one row a model, the columns of models.md's
"Faithfulness of generated claims" table: wall seconds and the process's peak RSS (os.wait4's ru_maxrss of that
`brief make`), sentences generated, kept, fused, dropped by the support check (by reason), generated claims in
the briefing, and ../shared/tools/check_briefing.py's verdict when the tools are there. The load average is
printed too: the machine is shared, so compare seconds within one run. --quick: the first two articles only.
The JSON files stay in OUT for bench/generated_claims.py (reading the claims by hand).
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


def cold_run(model: str, inputs: list[str], words: int, out: Path) -> tuple[float, int, int, str]:
    """(seconds, peak RSS bytes, exit code, stderr) of one `brief make` with an empty BRIEF_HOME."""
    home = Path(tempfile.mkdtemp(prefix="generated-run-"))
    try:
        env = dict(os.environ, BRIEF_HOME=str(home))
        cmd = [sys.executable, "-m", "briefing", "make", *inputs, "--model", model, "--words", str(words),
               "-f", "json", "-o", str(out), "-q"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        err = proc.stderr.read()
        proc.returncode = os.waitstatus_to_exitcode(status)
        return seconds, usage.ru_maxrss * 1024, proc.returncode, err
    finally:
        shutil.rmtree(home, ignore_errors=True)


def summary(path: Path, tools: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    g = data.get("stats", {}).get("generation") or {}
    claims = [c for s in data["stories"] for c in s["claims"]]
    row = {"generated": g.get("generated", 0), "kept": g.get("kept", 0), "fused": g.get("fused", {}),
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
    ap.add_argument("--inputs", default=str(ROOT / "examples" / "state-visit"))
    ap.add_argument("--words", type=int, default=250)
    ap.add_argument("--out", default="")
    ap.add_argument("--tools", default=str(ROOT.parent / "shared" / "tools"))
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    inputs = [a.inputs]
    if a.quick:
        inputs = sorted(str(p) for p in Path(a.inputs).iterdir() if p.is_file() and not p.name.startswith("."))[:2]
    out = Path(a.out or tempfile.mkdtemp(prefix="generated-run-out-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"inputs: {', '.join(inputs)}; load average {os.getloadavg()[0]:.1f}; JSON in {out}")
    for model in a.models:
        path = out / (Path(model).name.replace("/", "_") + ".json")
        seconds, peak, code, err = cold_run(model, inputs, a.words, path)
        if code not in (0, 3) or not path.exists():
            print(f"{model}: exit {code}: {err.strip()[-300:]}")
            continue
        row = summary(path, Path(a.tools))
        print(f"{model}: cold run {seconds:.0f} s, peak RSS {peak / 2**30:.2f} GiB; "
              + json.dumps(row, ensure_ascii=False), flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
