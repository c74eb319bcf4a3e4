"""The page and the email's HTML in headless Chromium: they load cleanly, links resolve, the layout holds.

Without Chromium these tests skip, saying why; in CI (the CI variable set) a missing Chromium fails them,
because .ci/run installs it."""
from __future__ import annotations

import email
import email.policy
import io
import os
from dataclasses import replace

import pytest

from briefing import render
from briefing.deliver.email_message import build_message, message_bytes
from briefings import from_inputs, megabyte_briefing, seeds_briefing, write_hostile
from browser import Chromium, find_chromium

PHONE, DESKTOP, EMAIL = 390, 1280, 600

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    if not find_chromium():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI is set: .ci/run should have installed it")
        pytest.skip("chromium is not installed (apt-get install chromium); browser tests skipped")
    with Chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def pages(tmp_path_factory, embedder):
    """file: URLs of the seeds' page, the seeds' email HTML part, and the hostile pages."""
    d = tmp_path_factory.mktemp("pages")
    seeds = seeds_briefing(embedder)
    (d / "seeds.html").write_text(render.render(seeds, "html"), encoding="utf-8")
    msg = email.message_from_bytes(message_bytes(build_message(seeds, "b@example.org", "me@example.org")),
                                   policy=email.policy.default)
    (d / "email.html").write_text(msg.get_body(("html",)).get_content(), encoding="utf-8")
    hostile = from_inputs([write_hostile(d / "hostile")], embedder)
    (d / "hostile.html").write_text(render.render(hostile, "html"), encoding="utf-8")
    (d / "megabyte.html").write_text(render.render(megabyte_briefing(), "html"), encoding="utf-8")
    return {name: (d / f"{name}.html").as_uri() for name in ("seeds", "email", "hostile", "megabyte")}


def not_blank(png: bytes, dark: bool | None = None):
    """A screenshot with real content: many colours, and enough pixels unlike the background."""
    import numpy as np
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = np.asarray(img, dtype=np.int16).reshape(-1, 3)
    packed = (pixels[:, 0].astype(np.int32) << 16) | (pixels[:, 1].astype(np.int32) << 8) | pixels[:, 2]
    assert len(np.unique(packed)) > 50, "almost no colours: a blank page"
    bg = img.getpixel((2, 2))
    differ = (np.abs(pixels - np.array(bg)).sum(axis=1) > 60).mean()
    assert differ > 0.01, "almost every pixel is the background"
    if dark is not None:
        luminance = 0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2]
        assert (luminance < 60) if dark else (luminance > 200), f"background {bg} for dark={dark}"


def shot(chromium, tmp_path, name) -> bytes:
    return chromium.screenshot(tmp_path / f"{name}.png", full_page=False).read_bytes()


def no_hscroll(width: int) -> str:
    # against the device's width, not innerWidth: a phone widens its layout viewport to fit content that overflows
    return f"document.documentElement.scrollWidth <= {width} && document.body.scrollWidth <= {width}"
DANGLING = """Array.from(document.querySelectorAll('a[href^="#"]'))
  .filter(a => !document.getElementById(decodeURIComponent(a.hash.slice(1)))).map(a => a.getAttribute('href'))"""


def test_the_harness_sees_console_errors_and_blank_pages(chromium, tmp_path):
    # so that "no console errors" and "not blank" below are findings, not what the harness always says
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><meta http-equiv='Content-Security-Policy' content=\"default-src 'none'\">"
                   "<title>x</title><script>console.log(1)</script><img src='https://example.invalid/x.png'>")
    chromium.open(bad.as_uri(), PHONE, 844)
    assert chromium.console_errors()
    with pytest.raises(AssertionError, match="blank"):
        not_blank(shot(chromium, tmp_path, "blank"))
    wide = tmp_path / "wide.html"
    wide.write_text("<!DOCTYPE html><meta name=viewport content='width=device-width'><title>x</title>"
                    "<div style='width:1000px'>wide</div>")
    chromium.open(wide.as_uri(), PHONE, 844)
    assert not chromium.evaluate(no_hscroll(PHONE))


def rect(chromium, selector: str) -> dict:
    return chromium.evaluate(f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
                             "return {top: r.top, bottom: r.bottom, left: r.left, width: r.width, height: r.height}; })()")


def test_seeds_page_loads_cleanly_and_every_citation_shows_a_publisher_name(chromium, pages):
    chromium.open(pages["seeds"], DESKTOP)
    assert chromium.console_errors() == []
    assert chromium.evaluate(DANGLING) == []
    cites = chromium.evaluate("Array.from(document.querySelectorAll('.cite')).map(c => c.textContent.trim())")
    names = chromium.evaluate("Array.from(document.querySelectorAll('ol.sources > li > strong')).map(s => s.textContent)")
    assert len(cites) > 10 and len(names) == 5
    # each citation is a source's name as the sources list gives it: never a bare number, never a file path
    assert set(cites) <= set(names) and set(cites) == set(names)
    assert not any(c.isdigit() or "/" in c or c.endswith(".txt") for c in cites)


def test_lede_and_outlets_come_before_the_first_key_point_on_the_first_screen(chromium, pages):
    chromium.open(pages["seeds"], PHONE, 844)
    outlets, lede, key = (rect(chromium, s) for s in (".outlets", ".lede", ".key li"))
    assert outlets["top"] < lede["top"] < key["top"]
    assert lede["top"] < 844  # the lede is on the first screen
    assert chromium.evaluate("document.querySelector('.outlets').textContent").startswith("5 sources: ")
    # the lede is made prominent: larger than the key points' text
    size = "parseFloat(getComputedStyle(document.querySelector({!r})).fontSize)"
    assert chromium.evaluate(size.format(".lede")) > chromium.evaluate(size.format(".key li"))


def test_header_shows_the_news_dates_not_the_run_date(chromium, pages):
    chromium.open(pages["seeds"], PHONE, 844)
    header = chromium.evaluate("document.querySelector('header').innerText")
    assert "18 June 2024" in header and "2026" not in header and "MiniLM" not in header
    footer = chromium.evaluate("document.querySelector('footer').innerText")
    assert "22 November 2026" in footer and "all-MiniLM-L6-v2" in footer


def tap(chromium, selector: str):
    """A real tap (mouse press and release) at the middle of the element."""
    r = rect(chromium, selector)
    chromium.evaluate(f"window.scrollTo(0, window.scrollY + {r['top']} - 200)")
    r = rect(chromium, selector)
    x, y = r["left"] + min(r["width"], 40) / 2, r["top"] + r["height"] / 2
    for kind in ("mousePressed", "mouseReleased"):
        chromium.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def test_evidence_opens_in_place_under_its_claim(chromium, pages):
    chromium.open(pages["seeds"], PHONE, 844)
    assert not chromium.evaluate("document.querySelector('.key li details').open")
    assert chromium.evaluate("document.querySelector('.key li figure').checkVisibility()") is False  # hidden
    tap(chromium, ".key li summary")
    assert chromium.evaluate("document.querySelector('.key li details').open")
    assert chromium.evaluate("document.querySelector('.key li figure').checkVisibility()") is True
    claim, quote = rect(chromium, ".key li"), rect(chromium, ".key li figure")
    assert 0 <= claim["top"] < quote["top"] < 844  # the quote opens under its claim, both on screen
    assert quote["top"] - claim["top"] < 400
    tap(chromium, ".key li summary")
    assert not chromium.evaluate("document.querySelector('.key li details').open")


def test_after_a_jump_the_claim_stays_in_view(chromium, pages):
    chromium.open(pages["seeds"], PHONE, 844)
    target = chromium.evaluate("document.querySelector('.differ-list a.jump').getAttribute('href')")
    chromium.open(pages["seeds"] + target, PHONE, 844)
    box = rect(chromium, target)
    assert 0 <= box["top"] < 100
    chromium.open(pages["seeds"] + "#c4", PHONE, 844)
    box = rect(chromium, "#c4")
    assert 0 <= box["top"] < 100 and box["bottom"] <= 844


def test_a_disagreement_sits_next_to_its_claim_with_a_tally(chromium, pages):
    chromium.open(pages["seeds"], PHONE, 844)
    found = chromium.evaluate("""Array.from(document.querySelectorAll('aside.differ-here')).map(a => {
        const holder = a.parentElement.closest('li[id^="c"], .lede');
        const r = a.getBoundingClientRect(), all = document.getElementById('differ').getBoundingClientRect();
        return {inClaim: !!holder, gap: holder ? r.top - holder.getBoundingClientRect().top : null,
                beforeList: r.bottom < all.top, tally: a.querySelector('.tally').innerText,
                marks: a.querySelectorAll('mark').length}; })""")
    assert found and all(f["beforeList"] and f["marks"] == 2 and " vs " in f["tally"] for f in found)
    placed = [f for f in found if f["inClaim"]]
    assert placed and all(0 < f["gap"] < 844 for f in placed)  # under its claim, within a screen of its start
    assert any("1 source (" in f["tally"] and "2 sources (" in f["tally"] for f in found)


TARGETS = """Array.from(document.querySelectorAll('summary, a.jump, a.cite')).filter(e => e.getClientRects().length)
  .map(e => { const r = e.getBoundingClientRect(); return [e.tagName, Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10]; })"""


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_tap_targets_are_at_least_24_px(chromium, pages, width):
    chromium.open(pages["seeds"], width, 844)
    targets = chromium.evaluate(TARGETS)
    assert len(targets) > 10
    assert [t for t in targets if t[1] < 24 or t[2] < 24] == []  # WCAG 2.2 target size (minimum)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("dark", [False, True])
def test_seeds_page_screenshots_are_not_blank(chromium, pages, tmp_path, width, dark):
    chromium.open(pages["seeds"], width, 844 if width == PHONE else 900, dark=dark)
    assert chromium.console_errors() == []
    not_blank(shot(chromium, tmp_path, f"seeds-{width}-{dark}"), dark=dark)


OPEN_ALL = "document.querySelectorAll('details').forEach(d => d.open = true)"


@pytest.mark.parametrize("dark", [False, True])
def test_phone_layout_key_points_above_sources_and_no_horizontal_scroll(chromium, pages, dark):
    chromium.open(pages["seeds"], PHONE, 844, dark=dark)
    assert chromium.evaluate(no_hscroll(PHONE))
    chromium.evaluate(OPEN_ALL)  # every quote open: the widest the page gets
    assert chromium.evaluate(no_hscroll(PHONE))
    key, differ, sources = chromium.evaluate(
        "['.key', '#differ', '#sources'].map(s => document.querySelector(s).getBoundingClientRect().top)")
    assert key < differ < sources
    # and the page reads as a phone page: text is not shrunk to fit a desktop layout
    assert chromium.evaluate("parseFloat(getComputedStyle(document.querySelector('.key li')).fontSize)") >= 15


def test_email_html_at_600_px(chromium, pages, tmp_path):
    chromium.open(pages["email"], EMAIL, 900, mobile=False)
    assert chromium.console_errors() == []
    assert chromium.evaluate(no_hscroll(EMAIL))
    assert chromium.evaluate("document.querySelector('table.page').getBoundingClientRect().width") <= 600
    not_blank(shot(chromium, tmp_path, "email-600"))
    chromium.open(pages["email"], PHONE, 844)
    assert chromium.evaluate(no_hscroll(PHONE))


@pytest.mark.parametrize("name", ["hostile", "megabyte"])
def test_hostile_pages_run_nothing_and_stay_bounded(chromium, pages, name, tmp_path):
    chromium.open(pages[name], PHONE, 844)
    assert chromium.console_errors() == []  # an inline script or handler blocked by the page's CSP would log here
    assert chromium.evaluate("document.scripts.length") == 0
    assert chromium.evaluate("Array.from(document.querySelectorAll('*')).flatMap(e => "
                             "Array.from(e.attributes)).filter(a => a.name.startsWith('on')).length") == 0
    assert not any(e.get("method") == "Page.javascriptDialogOpening" for e in chromium.events)
    assert chromium.evaluate(no_hscroll(PHONE))
    assert chromium.evaluate("document.querySelector('h1').getBoundingClientRect().height") < 844
    not_blank(shot(chromium, tmp_path, name))


CONTRAST = """(() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c; } return [255, 255, 255]; };
  const worst = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(el.tagName + '.' + el.className + ' ' + ratio.toFixed(2));
  }
  return worst;
})()"""


@pytest.mark.parametrize("dark", [False, True])
def test_all_text_has_enough_contrast(chromium, pages, dark):
    chromium.open(pages["seeds"], DESKTOP, dark=dark)
    chromium.evaluate(OPEN_ALL)
    assert chromium.evaluate(CONTRAST) == []  # WCAG AA: 4.5:1 for every element's own text


def test_keyboard_focus_is_visible(chromium, pages):
    chromium.open(pages["seeds"], DESKTOP)
    for _ in range(3):  # Tab as a keyboard user would, so that :focus-visible applies
        for kind in ("keyDown", "keyUp"):
            chromium.call("Input.dispatchKeyEvent", type=kind, key="Tab", code="Tab", windowsVirtualKeyCode=9)
    focused = chromium.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                                "return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
    assert focused[0] in ("A", "SUMMARY") and focused[1] != "none" and focused[2] >= 2


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory, embedder):
    """The seeds' page and email with their first claim marked as written by a model (the text is the
    claim's own: the mark, not the model, is under test here; test_abstractive sets it through a model)."""
    d = tmp_path_factory.mktemp("rewritten")
    b = seeds_briefing(embedder)
    first = b.stories[0]
    # no longer word for word as any quote, as a model's would be
    claim = replace(first.claims[0], generated=True, text="As reworded: " + first.claims[0].text)
    b = replace(b, stories=[replace(first, claims=[claim, *first.claims[1:]]), *b.stories[1:]])
    (d / "page.html").write_text(render.render(b, "html"), encoding="utf-8")
    msg = email.message_from_bytes(message_bytes(build_message(b, "b@example.org", "me@example.org")),
                                   policy=email.policy.default)
    (d / "email.html").write_text(msg.get_body(("html",)).get_content(), encoding="utf-8")
    # the plain-text part and Markdown carry the mark too, on the claim's own line, once
    plain = msg.get_body(("plain",)).get_content().splitlines()
    assert [x for x in plain if "(rewritten)" in x] == [x for x in plain if "As reworded:" in x] != []
    md = render.render(b, "md").splitlines()
    assert [x for x in md if "_(rewritten)_" in x] == [x for x in md if "As reworded:" in x] != []
    return {"page": (d / "page.html").as_uri(), "email": (d / "email.html").as_uri(), "claim": claim}


MARK = """(() => { const m = document.querySelectorAll('.rewritten'); if (m.length !== 1) return m.length;
  const r = m[0].getBoundingClientRect(); const box = m[0].closest('li, td, .lede');
  const qs = Array.from(box.querySelectorAll('details.ev, .quote'));
  return {visible: r.width > 0 && r.height > 0 && getComputedStyle(m[0]).visibility === 'visible',
          text: m[0].textContent, claim: box.textContent, quote: qs.map(q => q.textContent).join(' '),
          tap: qs.length && qs[0].tagName === 'DETAILS' ? 1 : 0}; })()"""


@pytest.mark.parametrize("where,width", [("page", PHONE), ("page", DESKTOP), ("email", EMAIL)])
def test_a_rewritten_claim_shows_its_mark_with_the_evidence_one_tap_away(chromium, rewritten, where, width):
    chromium.open(rewritten[where], width, 900, mobile=(width == PHONE))
    assert chromium.console_errors() == []
    mark = chromium.evaluate(MARK)
    assert isinstance(mark, dict), f"{mark} rewritten marks, expected exactly 1"
    assert mark["visible"] and "rewritten" in mark["text"]
    claim = rewritten["claim"]
    assert claim.text[:40] in mark["claim"]
    # the verbatim words it rests on sit right under it: on the page behind one tap (<details>), in the email shown
    assert mark["quote"] and claim.citations[0].evidence[:60] in mark["quote"]
    assert mark["tap"] == (1 if where == "page" else 0)
