"""The HTML page and the email: well-formed, self-contained, complete, and the email's two parts agree."""
from __future__ import annotations

import email
import email.policy
import re
from email.utils import parsedate_to_datetime

import html5lib
import pytest
from typer.testing import CliRunner

from briefing import render
from briefing.cli import app
from briefing.deliver.email_message import build_message, message_bytes, parse_addresses, subject_for
from briefing.errors import BriefError
from briefing.safe_text import clip, human_date, safe_href
from briefings import FIXED_NOW, SEEDS, seeds_briefing

NS = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def seeds_b(embedder):
    return seeds_briefing(embedder)


@pytest.fixture(scope="module")
def page(seeds_b):
    return render.render(seeds_b, "html")


@pytest.fixture(scope="module")
def eml(seeds_b):
    return message_bytes(build_message(seeds_b, "Brief <brief@example.org>", ["me@example.org", "you@example.net"]))


def parse_strict(html: str):
    """html5lib in strict mode raises on any parse error (bad nesting, stray tags, bad doctype)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(html)


def text_of(node) -> str:
    return " ".join("".join(node.itertext()).split())


def norm(text: str) -> str:
    return " ".join(text.split())


def all_items(contract: dict):
    for story in contract["stories"]:
        yield from story["claims"]
        for k in story["conflicts"]:
            yield from k["sides"]


# ---- the page -------------------------------------------------------------------------------------------

def test_page_parses_without_errors(page):
    tree = parse_strict(page)
    assert tree.find(f"{NS}head/{NS}title") is not None
    assert tree.get("lang") == "en"


def test_page_is_self_contained(page):
    tree = parse_strict(page)
    tags = {el.tag.replace(NS, "") for el in tree.iter() if isinstance(el.tag, str)}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "svg", "base"}
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert "src" not in el.attrib
        for value in (el.get("href"), el.get("cite")):
            if value is not None:
                assert value.startswith(("#", "http://", "https://", "file:")), value
    style = tree.find(f"{NS}head/{NS}style").text
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert "prefers-color-scheme: dark" in style
    assert "default-src 'none'" in page  # even markup that slipped through could load or run nothing


def own_text(el) -> str:
    """An element's text without its evidence box and disagreement boxes."""
    parts = [el.text or ""]
    for child in el:
        if child.tag not in (f"{NS}details", f"{NS}aside"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return norm("".join(parts))


def parents(tree) -> dict:
    return {child: p for p in tree.iter() for child in p}


def test_every_claim_names_its_sources_and_quotes_them_in_place(page, seeds_b):
    tree = parse_strict(page)
    ids = {el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    internal = [el.get("href")[1:] for el in tree.iter(f"{NS}a") if el.get("href", "").startswith("#")]
    assert all(target in ids for target in internal)
    contract = render.to_contract(seeds_b)
    names = {s["id"]: s["name"] for s in contract["sources"]}
    boxes = [d for d in tree.iter(f"{NS}details") if d.get("class") == "ev"]
    items = list(all_items(contract))
    assert len(boxes) == len(items)
    by_text = {norm(i["text"]): i for i in items}
    up = parents(tree)
    for box in boxes:
        figures = list(box.iter(f"{NS}figure"))
        cites = [text_of(x) for x in box.find(f"{NS}summary").iter(f"{NS}span") if x.get("class") == "cite"]
        item = by_text[own_text(up[box])]  # the box sits in its claim's own block
        for c, f in zip(item["citations"], figures):
            q = text_of(f)
            assert norm(c["evidence"]) in q or ("Word for word as above" in q
                                                and render.same_text(c["evidence"], item["text"]))
        sources = [c["source"] for c in item["citations"]]
        assert sources == sorted(sources)  # in the sources list's order, not 5 1 3
        assert cites == [names[s] for s in dict.fromkeys(sources)]  # each source named once, by name
        for c, f in zip(item["citations"], figures):
            assert names[c["source"]] in text_of(f.find(f"{NS}figcaption"))
            links = [x.get("href") for x in f.iter(f"{NS}a")]
            assert links and links[0].startswith("file:///") and links[0].endswith(".txt")
    assert by_text
    # a quote that is the claim word for word is not repeated
    repeats = [i for i in items if any(render.same_text(c["evidence"], i["text"]) for c in i["citations"])]
    assert repeats and page.count("Word for word as above.") == sum(
        render.same_text(c["evidence"], i["text"]) for i in items for c in i["citations"])
    assert "/state-visit/" not in text_of(tree)  # no file path shown, only names


def test_lede_and_outlets_first_then_key_points_then_the_rest_then_sources(page):
    order = [page.index(s) for s in ('class="outlets"', 'class="lede"', 'class="key"', 'class="rest"',
                                     'id="differ"', 'id="sources"')]
    assert order == sorted(order)
    assert 'id="evidence"' not in page  # no separate wall of quotes


def test_sources_list_title_date_and_claim_counts(page, seeds_b):
    tree = parse_strict(page)
    contract = render.to_contract(seeds_b)
    for s in contract["sources"]:
        li = next(el for el in tree.iter(f"{NS}li") if el.get("id") == f"s{s['id']}")
        text = text_of(li)
        n = sum(1 for item in all_items(contract) if s["id"] in {c["source"] for c in item["citations"]})
        assert norm(s["title"]) in text and s["name"] in text
        assert f"supports {n} claim" in text
        if s["published"]:
            assert s["published"] in text
    assert "Jun 18, 2024" in page  # the one seed with a date


def test_header_shows_news_dates_and_footer_the_run(page):
    tree = parse_strict(page)
    header = next(tree.iter(f"{NS}header"))
    time = next(header.iter(f"{NS}time"))
    assert time.get("datetime") == "2024-06-18" and time.text == "18 June 2024"  # the one seed's date
    assert "2026" not in text_of(header) and "MiniLM" not in text_of(header)
    footer = text_of(next(tree.iter(f"{NS}footer")))
    assert "22 November 2026, 07:30 UTC" in footer and "all-MiniLM-L6-v2" in footer


def test_a_disagreement_sits_under_its_claim_with_a_tally_and_the_differing_words_marked(page, seeds_b):
    contract = render.to_contract(seeds_b)
    conflicts = contract["stories"][0]["conflicts"]
    assert conflicts
    tree = parse_strict(page)
    asides = [a for a in tree.iter(f"{NS}aside") if a.get("class") == "differ-here"]
    assert len(asides) == len(conflicts)
    for k in conflicts:
        aside = next(a for a in asides if norm(k["about"]) in text_of(a))
        tally = text_of(next(p for p in aside.iter(f"{NS}p") if p.get("class") == "tally"))
        for side in k["sides"]:
            n = len(side["outlets"])
            assert f"{n} source{'s' if n != 1 else ''} ({', '.join(side['outlets'])})" in tally
        marks = [text_of(m) for m in aside.iter(f"{NS}mark")]
        assert marks == [side["value"] for side in k["sides"] if side["value"]] and marks
        if k["claim"] is not None:  # inside the claim's own block
            claim = contract["stories"][0]["claims"][k["claim"]]
            holder = next(el for el in tree.iter() if isinstance(el.tag, str) and el.get("id", "").startswith("c")
                          and aside in list(el.iter(f"{NS}aside")))
            assert norm(claim["text"]) in text_of(holder)
    assert any(k["claim"] is not None for k in conflicts)


def test_multi_story_page_numbers_stories_and_keeps_heading_order(seeds_b):
    from dataclasses import replace

    two = replace(seeds_b, stories=[seeds_b.stories[0], replace(seeds_b.stories[0], headline="Second story")])
    tree = parse_strict(render.render(two, "html"))
    heads = [(el.tag.replace(NS, ""), text_of(el)) for el in tree.iter() if el.tag in (f"{NS}h1", f"{NS}h2", f"{NS}h3")]
    assert ("h2", "2. Second story") in heads
    levels = [int(tag[1]) for tag, _ in heads]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))  # no skipped heading level


# ---- the email ------------------------------------------------------------------------------------------

def test_email_parses_back_into_two_parts(eml, seeds_b):
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Subject"] == f"{seeds_b.title} — 22 November 2026"
    assert msg["From"].addresses[0].addr_spec == "brief@example.org"
    assert msg["From"].addresses[0].display_name == "Brief"
    assert [a.addr_spec for a in msg["To"].addresses] == ["me@example.org", "you@example.net"]
    assert parsedate_to_datetime(msg["Date"]) == FIXED_NOW
    assert re.fullmatch(r"<[^<>@\s]+@example\.org>", msg["Message-ID"])
    assert msg["Auto-Submitted"] == "auto-generated"


def test_email_is_crlf_seven_bit_and_within_line_limits(eml):
    assert eml.isascii()
    assert b"\n" not in eml.replace(b"\r\n", b"")
    assert max(len(line) for line in eml.split(b"\r\n")) <= 998  # RFC 5322's hard limit


def test_email_parts_say_the_same_things(eml, seeds_b):
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    text = norm(msg.get_body(("plain",)).get_content())
    html = msg.get_body(("html",)).get_content()
    html_text = text_of(parse_strict(html))
    contract = render.to_contract(seeds_b)
    for part in (text, html_text):
        assert norm(seeds_b.title) in part
        for item in all_items(contract):
            assert norm(item["text"]) in part
            for c in item["citations"]:
                assert norm(c["evidence"]) in part or render.same_text(c["evidence"], item["text"])
        for s in contract["sources"]:
            assert norm(s["title"]) in part
        assert "all-MiniLM-L6-v2" in part and "News of 18 June 2024" in part
        for k in (k for st in contract["stories"] for k in st["conflicts"]):
            assert norm(k["about"]) in part
    # citations as names: the same groups, in the same order, in both parts
    plain = msg.get_body(("plain",)).get_content()
    text_groups = [line.strip()[2:] for line in plain.splitlines() if line.strip().startswith("— ")]
    html_groups = [", ".join(text_of(x) for x in div.iter(f"{NS}span") if "cite" in (x.get("class") or ""))
                   for div in parse_strict(html).iter(f"{NS}div") if div.get("class") == "cites"]
    assert text_groups == html_groups and len(html_groups) == len(list(all_items(contract)))


def test_email_html_has_css_inlined_and_no_remote_anything(eml):
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    html = msg.get_body(("html",)).get_content()
    tree = parse_strict(html)
    assert tree.find(f".//{NS}style") is None  # inlined: clients that drop <style> lose nothing
    assert 'style="' in html and "max-width: 600px" in html
    for el in tree.iter():
        if isinstance(el.tag, str):
            assert el.tag.replace(NS, "") not in ("img", "script", "link", "iframe")
            assert "src" not in el.attrib and "background" not in el.attrib
            href = el.get("href")
            if href is not None:  # no in-message anchors, and no file: links to the sender's disk
                assert href.startswith(("http://", "https://"))
    assert "url(" not in html and "file:" not in html


def test_text_part_lists_sources_by_name_and_files_by_name_only(eml):
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    text = "\n".join(msg.get_body(("plain",)).get_content().splitlines())
    sources = text.split("\nSOURCES\n", 1)[1].split("\n--\n", 1)[0]
    assert len(re.findall(r"^\[\d\] .+ — .+\(supports \d+ claims?\)$", sources, re.M)) == 5
    assert len(re.findall(r"^    file [^/\s]+\.txt$", sources, re.M)) == 5
    assert "file:" not in text and "/state-visit/" not in text


def test_email_citation_groups_cannot_break_inside(eml):
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    tree = parse_strict(msg.get_body(("html",)).get_content())
    groups = [d for d in tree.iter(f"{NS}div") if d.get("class") == "cites"]
    assert groups
    up = parents(tree)
    for g in groups:
        # a block of its own (never mid-line after the claim's last word), each name unbreakable
        assert up[g].tag == f"{NS}td"
        cites = [x for x in g.iter(f"{NS}span") if x.get("class") == "cite"]
        assert cites and all("white-space: nowrap" in (x.get("style") or "") for x in cites)
        assert not any(text_of(x) != (x.text or "").strip() for x in cites)  # nothing nested to split on


def test_bad_addresses_are_refused():
    for bad in ["", "not-an-address", "a@b", "me@example.org\r\nBcc: x@example.com", "me@example.org\nBcc: x@y.org",
                "<script>@example.org", "a@-bad-.org", "Ann <>"]:
        with pytest.raises(BriefError):
            parse_addresses(bad, "--to")
    assert [str(a) for a in parse_addresses("a@x.org, Bob <b@y.org>", "--to")] == ["a@x.org", "Bob <b@y.org>"]
    assert [a.addr_spec for a in parse_addresses(["a@x.org", "c@z.org"], "--to")] == ["a@x.org", "c@z.org"]


def test_build_message_refuses_two_senders(seeds_b):
    with pytest.raises(BriefError, match="exactly one sender"):
        build_message(seeds_b, "a@x.org, b@y.org", "me@example.org")


# ---- the filters ----------------------------------------------------------------------------------------

def test_clip_bounds_and_flattens():
    assert clip("a\r\nb\u2028c\x00d\x1b[31m", 50) == "a b cd[31m"
    assert clip("word " * 100, 50).endswith("…") and len(clip("word " * 100, 50)) <= 50
    assert len(clip("x" * 1_000_000, "title")) == 300


def test_safe_href_allows_only_web_and_file_links():
    assert safe_href("https://example.org/a b") == ""  # whitespace inside: not a URL we trust
    assert safe_href("https://example.org/a?x=1&y=2") == "https://example.org/a?x=1&y=2"
    assert safe_href('https://example.org/"><script>') == "https://example.org/%22%3E%3Cscript%3E"
    assert safe_href("file:///tmp/a.txt") == "file:///tmp/a.txt"
    for bad in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
                "vbscript:x", "//evil.example/x", "/relative", "", None, "https://x.org/" + "a" * 5000]:
        assert safe_href(bad) == "", bad


def test_human_date():
    assert human_date("2026-11-22T07:30:00+02:00") == "22 November 2026, 07:30 UTC+02:00"
    assert human_date("2026-11-22T07:30:00+00:00", with_time=False) == "22 November 2026"
    assert human_date("not a date\r\nX: y") == "not a date X: y"


def test_subject_is_one_bounded_line(seeds_b):
    from dataclasses import replace

    s = subject_for(replace(seeds_b, title="A\r\nBcc: x@y.org\r\n" + "long " * 3000))
    assert "\r" not in s and "\n" not in s and len(s) < 200 and s.startswith("A Bcc: x@y.org long")


# ---- the command ----------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_writes_html_and_eml_by_extension(tmp_path, embedder):
    out = tmp_path / "b.html"
    r = runner.invoke(app, ["make", str(SEEDS), "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    eml = tmp_path / "b.eml"
    r = runner.invoke(app, ["make", str(SEEDS), "-o", str(eml), "-q", "--from", "brief@example.org",
                            "--to", "me@example.org"])
    assert r.exit_code == 0, r.output
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative" and msg["To"] == "me@example.org"


@pytest.mark.parametrize("args, message", [
    (["--format", "email", "--to", "me@example.org"], "--format email needs --from and --to"),
    (["-o", "x.eml", "--from", "b@example.org"], "--format email needs --from and --to"),
    (["--format", "html", "--to", "me@example.org"], "--from and --to apply only to --format email"),
    (["--format", "email", "--from", "b@example.org", "--to", "me@example.org\r\nBcc: v@example.com"],
     "contains a line break"),
    (["--format", "email", "--from", "nobody", "--to", "me@example.org"], "not an email address"),
    (["--format", "pdf"], "unknown format 'pdf'; valid formats: email, html, json, md"),
])
def test_cli_refuses_bad_email_flags_in_one_line(tmp_path, args, message):
    r = runner.invoke(app, ["make", str(SEEDS), "-q", *args])
    assert r.exit_code == 2
    assert message in r.output
    assert r.output.count("\n") == 1 and r.output.startswith("brief: error:")


def test_templates_override_and_strict_undefined(tmp_path, seeds_b):
    d = tmp_path / "tpl"
    d.mkdir()
    (d / "briefing.html.j2").write_text("<p>{{ briefing.title }}</p>\n")
    assert render.render(seeds_b, "html", d) == f"<p>{seeds_b.title}</p>\n"
    (d / "email.txt.j2").write_text("{{ briefing.no_such_thing }}\n")
    with pytest.raises(BriefError, match="email.txt.j2.*no_such_thing"):
        build_message(seeds_b, "b@example.org", "me@example.org", templates_dir=d)


def test_render_refuses_email_without_addresses(seeds_b):
    with pytest.raises(BriefError, match="build_message"):
        render.render(seeds_b, "email")


def test_skipped_inputs_and_copies_are_named_in_page_and_email(seeds_b):
    from dataclasses import replace

    from briefing.types import Skipped

    articles = list(seeds_b.articles)
    articles[4] = replace(articles[4], duplicate_of=2)
    b = replace(seeds_b, articles=articles, skipped=[Skipped(input="broken.pdf", reason="not a supported file")])
    tree = parse_strict(render.render(b, "html"))
    assert "broken.pdf: not a supported file" in text_of(tree)
    copy = next(el for el in tree.iter(f"{NS}li") if el.get("id") == "s5")
    assert "a copy of source 2" in text_of(copy)
    msg = email.message_from_bytes(message_bytes(build_message(b, "b@example.org", "me@example.org")),
                                   policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    assert "SKIPPED" in text and "- broken.pdf: not a supported file" in text and "(a copy of [2])" in text


def test_a_user_email_template_can_load_nothing_remote(tmp_path, seeds_b):
    d = tmp_path / "tpl"
    d.mkdir()
    (d / "email.html.j2").write_text('<html><head><link rel="stylesheet" href="https://example.invalid/x.css">'
                                     '<style>p { color: red }</style></head><body><p>{{ briefing.title }}</p></body></html>')
    msg = build_message(seeds_b, "b@example.org", "me@example.org", templates_dir=d)
    html = msg.get_body(("html",)).get_content()
    assert "example.invalid" not in html and "<link" not in html
    assert '<p style="color: red;">' in html
