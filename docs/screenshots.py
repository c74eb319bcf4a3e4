"""Remake the README's screenshots of the seeds' page: phone and desktop, light and dark.

    .venv/bin/python docs/screenshots.py

Needs Chromium (apt-get install chromium) and the test extras (websocket-client). The page is made
from examples/state-visit with the embedded model, at a fixed date, so a rerun changes nothing
unless the page itself changed.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from briefing import render  # noqa: E402
from briefing.models import minilm  # noqa: E402
from briefings import seeds_briefing  # noqa: E402
from browser import Chromium  # noqa: E402

SHOTS = {  # name: (width, height, scale)
    "phone": (390, 844, 2),
    "desktop": (1280, 900, 1),
}


def main() -> None:
    page = render.render(seeds_briefing(minilm.shared()), "html")
    with tempfile.TemporaryDirectory() as tmp, Chromium() as browser:
        path = Path(tmp) / "briefing.html"
        path.write_text(page, encoding="utf-8")
        for name, (width, height, scale) in SHOTS.items():
            for scheme in ("light", "dark"):
                browser.open(path.as_uri(), width, height, dark=scheme == "dark", scale=scale)
                errors = browser.console_errors()
                if errors:
                    raise SystemExit(f"console errors at {width} px ({scheme}): {errors}")
                out = browser.screenshot(ROOT / "docs" / f"briefing-{name}-{scheme}.png", full_page=False)
                print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
