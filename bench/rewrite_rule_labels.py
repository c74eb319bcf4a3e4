#!/usr/bin/env python3
"""The structural shortening rule (briefing/shorten.py) on every generated claim already read by hand.

    python bench/rewrite_rule_labels.py OUTDIR... [--labels bench/gen_readthrough_labels.jsonl
        bench/gen_readthrough_labels_s6.jsonl]

Each OUTDIR is one that bench/gen_readthrough.py wrote (OUTDIR/MODEL/claims.md, and kept.md with --kept): it holds
each generated claim with the sentences it cites, word for word. The labels name a claim by its words, or for a
Giveme5W1H input by a hash of them (gen_readthrough.claim_key), so the outputs themselves stay outside the project.
For every labelled claim found in an OUTDIR, it asks ground.rewrite_only_shortens whether the claim only shortens
each sentence it cites, and prints, per label file, read and model: how many labelled claims were found, and of
each label (faithful / loose / unfaithful) how many the rule keeps. A claim the rule refuses would be left in its
source's words under `--rewrite claims`; one it keeps still meets the other rules of ground.rewrite_problem (they
only got stricter since the labels were read, so "kept" here is an upper bound). It also prints what the rule gives
as the reason for each refused claim, by label.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gen_readthrough import claim_key, one_line  # noqa: E402

from briefing import ground  # noqa: E402

LABELS = [ROOT / "bench" / "gen_readthrough_labels.jsonl", ROOT / "bench" / "gen_readthrough_labels_s6.jsonl"]
HEADING = re.compile(r"^## (\S+) \(")
CLAIM = re.compile(r"^- \*\*(.*)\*\*\s*$")
CITED = re.compile(r"^  - (?:\[[^\]]*\] )?(.*?)\s*$")


def read_outputs(outdir: Path) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """(model, claim key) -> the claim's words and the sentences it cites, from each claims.md and kept.md under
    `outdir`."""
    found: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for path in sorted(outdir.glob("*/claims.md")) + sorted(outdir.glob("*/kept.md")):
        model, name, claim = path.parent.name, None, None
        for line in path.read_text(encoding="utf-8").splitlines():
            if m := HEADING.match(line):
                name, claim = m.group(1), None
            elif m := CLAIM.match(line):
                claim = claim_key(name, m.group(1))
                found.setdefault((model, claim), (one_line(m.group(1)), []))
            elif claim and (m := CITED.match(line)) and not line.startswith("    "):
                ev = one_line(m.group(1))
                if ev not in found[(model, claim)][1]:
                    found[(model, claim)][1].append(ev)
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdirs", nargs="+", type=Path)
    ap.add_argument("--labels", nargs="+", type=Path, default=LABELS)
    a = ap.parse_args()
    outputs: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for d in a.outdirs:
        for k, v in read_outputs(d).items():
            outputs.setdefault(k, v)
    table: dict[tuple, Counter] = defaultdict(Counter)
    reasons: dict[str, Counter] = defaultdict(Counter)
    missing = Counter()
    for path in a.labels:
        for line in open(path, encoding="utf-8"):
            if not line.strip():
                continue
            x = json.loads(line)
            key = one_line(x["claim"]) if "claim" in x else x["claim_sha256"]
            group = (path.name, x.get("read", "(no read field)"), x["model"])
            words, evidence = outputs.get((x["model"], key), ("", []))
            if not evidence:
                missing[group] += 1
                continue
            why = next((w for e in evidence if (w := ground.rewrite_only_shortens(words, e))), "")
            table[group][x["label"]] += 1
            table[group][x["label"] + " kept"] += not why
            if why:
                reasons[x["label"]][why] += 1
    print("label file | read | model | found | faithful: kept/read | loose: kept/read | unfaithful: kept/read"
          " | not found in the outputs")
    total, by_file = Counter(), defaultdict(Counter)
    for (file, read, model), c in sorted(table.items()):
        by_file[file].update(c)
        n = sum(c[k] for k in ("faithful", "loose", "unfaithful"))
        print(f"{file} | {read[:70]} | {model} | {n} | " + " | ".join(
            f"{c[k + ' kept']}/{c[k]}" for k in ("faithful", "loose", "unfaithful"))
              + f" | {missing[(file, read, model)]}")
        total.update(c)
    for file, c in sorted(by_file.items()):
        print(f"{file} | all | all | " + str(sum(c[k] for k in ("faithful", "loose", "unfaithful"))) + " | "
              + " | ".join(f"{c[k + ' kept']}/{c[k]}" for k in ("faithful", "loose", "unfaithful"))
              + f" | {sum(n for g, n in missing.items() if g[0] == file)}")
    print("all | | | " + str(sum(total[k] for k in ("faithful", "loose", "unfaithful"))) + " | " + " | ".join(
        f"{total[k + ' kept']}/{total[k]}" for k in ("faithful", "loose", "unfaithful"))
          + f" | {sum(missing.values())}")
    for label, c in sorted(reasons.items()):
        print(f"refused, {label}: " + ", ".join(f"{r} {n}" for r, n in c.most_common()))


if __name__ == "__main__":
    main()
