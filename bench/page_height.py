"""How tall the seeds' page is on a phone (390 px, full page), with this tree's template and with another git ref's.

    .venv/bin/python bench/page_height.py [REF]     (REF defaults to main)

Both pages are made from the same briefing (examples/state-visit, the embedded model, a fixed date), so the
difference is the template's alone. Every quote is closed, as a reader first sees the page; the page with
every quote open is measured too. Needs Chromium and the test extras, like docs/screenshots.py.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from briefing import render  # noqa: E402
from briefing.models import minilm  # noqa: E402
from briefings import seeds_briefing  # noqa: E402
from browser import Chromium  # noqa: E402

PHONE = 390
HEIGHT = "document.documentElement.scrollHeight"


def main() -> None:
    ref = sys.argv[1] if len(sys.argv) > 1 else "main"
    old = subprocess.run(["git", "show", f"{ref}:templates/briefing.html.j2"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    b = seeds_briefing(minilm.shared())
    with tempfile.TemporaryDirectory() as tmp, Chromium() as browser:
        (Path(tmp) / "t").mkdir()
        (Path(tmp) / "t" / "briefing.html.j2").write_text(old, encoding="utf-8")
        pages = {ref: render.render(b, "html", Path(tmp) / "t"), "this tree": render.render(b, "html")}
        heights = {}
        for name, page in pages.items():
            path = Path(tmp) / "page.html"
            path.write_text(page, encoding="utf-8")
            browser.open(path.as_uri(), PHONE, 844)
            closed = browser.evaluate(HEIGHT)
            browser.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            heights[name] = (closed, browser.evaluate(HEIGHT))
    print(f"seeds page at {PHONE} px, full height in CSS px (quotes closed / all open):")
    for name, (closed, opened) in heights.items():
        print(f"  {name:>10}: {closed:6d} / {opened:6d}")
    print(f"  ratio (closed): {heights['this tree'][0] / heights[ref][0]:.2f}")


if __name__ == "__main__":
    main()
