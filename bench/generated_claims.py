#!/usr/bin/env python3
"""Every claim a model wrote in briefing JSON files, beside the evidence it cites, for reading by hand.

    python bench/generated_claims.py BRIEFING.json [BRIEFING.json ...]

Prints, for each `claims[].generated: true`, the claim and each citation's verbatim evidence, then a
count: claims, generated claims, and how many the support check (briefing/support.py, as ground.py calls it) passes against
their own evidence (it should be all: a generated claim is kept only when it passes).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from briefing import ground

    total = generated = passing = 0
    for name in sys.argv[1:]:
        data = json.loads(Path(name).read_text(encoding="utf-8"))
        for story in data["stories"]:
            for claim in story["claims"]:
                total += 1
                if not claim.get("generated"):
                    continue
                generated += 1
                evidence = [c["evidence"] for c in claim["citations"]]
                # A fused claim rests on all its citations; a condensed one on those of one source.
                by_source: dict[int, list[str]] = {}
                for c in claim["citations"]:
                    by_source.setdefault(c["source"], []).append(c["evidence"])
                supported = ground.supportlib.SUPPORTS
                ok = ground.SUPPORT(claim["text"], evidence).verdict == supported or any(
                    ground.SUPPORT(claim["text"], ev).verdict == supported for ev in by_source.values())
                passing += ok
                print(f"[{generated}] {Path(name).name}: {claim['text']}")
                for c in claim["citations"]:
                    print(f"      [{c['source']}] {c['evidence']}")
                print(f"      support check: {'passes' if ok else 'FAILS'}")
    print(f"claims={total} generated={generated} support_check_passes={passing}/{generated}")


if __name__ == "__main__":
    main()
