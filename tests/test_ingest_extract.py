import json

import pytest

from briefing.extract import EmptyArticle, build_article
from briefing.ingest import read_inputs
from briefing.types import RawDocument

FURNITURE = ["leave a reply", "required fields are marked", "subscribe to", "back to top", "related articles",
             "we promise not to spam", "copyright", "image credit", "follow us", "also read",
             "holds a master of letters", "no comments on", "there was an error while trying"]


def test_folder_is_read_recursively_in_stable_order_hidden_skipped(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Second headline\n\nThe second article says a thing at length here.")
    (tmp_path / "a.txt").write_text("First headline\n\nThe first article says a thing at length here.")
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nThis must never be read by the tool at all.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("Nope\n\nThis must never be read by the tool either.")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    docs, skipped = read_inputs([str(tmp_path)])
    assert [d.path.rsplit("/", 1)[-1] for d in docs] == ["a.txt", "2.txt"]
    assert skipped == []
    assert all(d.path.startswith("/") for d in docs)


def test_bad_files_are_skipped_with_reasons_and_the_rest_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("A headline\n\nSomething happened in the city on Monday, officials said.")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "notext.json").write_text(json.dumps({"title": "x"}))
    missing = tmp_path / "missing.txt"
    docs, skipped = read_inputs([str(tmp_path), str(missing)])
    assert [d.path for d in docs] == [str(good)]
    reasons = {s.input.rsplit("/", 1)[-1]: s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert reasons["broken.json"].startswith("invalid JSON")
    assert "no 'text'" in reasons["notext.json"]
    assert reasons["missing.txt"] == "no such file or folder"


def test_encodings_bom_and_latin1(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffTitre ici\n\nLe président est arrivé à Paris lundi soir.".encode("utf-8"))
    (tmp_path / "latin.txt").write_bytes("Titre\n\nLe président est arrivé à Paris lundi, a-t-il déclaré à la presse."
                                         .encode("latin-1"))
    docs, skipped = read_inputs([str(tmp_path)])
    assert not skipped
    texts = {d.path.rsplit("/", 1)[-1]: d.text for d in docs}
    assert texts["bom.txt"].startswith("Titre ici")
    assert "président est arrivé" in texts["latin.txt"]


def test_json_object_list_and_jsonl(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"title": "T1", "text": "Body one is here and long enough.",
                                                   "url": "https://example.org/1", "source": "Pub",
                                                   "published": "2024-06-18"}))
    (tmp_path / "many.json").write_text(json.dumps([{"text": "Body two is long enough too."},
                                                    {"text": "Body three is long enough too."}]))
    (tmp_path / "lines.jsonl").write_text('{"text": "Body four is long enough."}\n\n{"text": "Body five is long."}\n')
    docs, skipped = read_inputs([str(tmp_path)])
    assert not skipped
    assert len(docs) == 5
    one = [d for d in docs if d.title == "T1"][0]
    assert (one.url, one.publisher, one.published) == ("https://example.org/1", "Pub", "2024-06-18")


def test_stdin(tmp_path):
    import io

    docs, skipped = read_inputs(["-"], stdin=io.BytesIO(b"Headline\n\nA thing happened today, they said."))
    assert len(docs) == 1 and docs[0].path is None and docs[0].input == "-"


def test_seed_furniture_never_reaches_sentences(seeds):
    docs, _ = read_inputs([str(seeds)])
    for i, doc in enumerate(docs, 1):
        article = build_article(doc, i)
        body = " ".join(s.text for s in article.sentences).lower()
        for phrase in FURNITURE:
            assert phrase not in body, (doc.path, phrase)
        # the headline is the title, not repeated as a sentence
        assert all(s.text != article.title for s in article.sentences)
        # every sentence stands word for word in the original file (whitespace folded)
        original = " ".join(doc.text.split())
        assert all(s.text in original for s in article.sentences)


def test_first_line_headline_and_date_line(seeds):
    docs, _ = read_inputs([str(seeds / "003_df518127a403c346.txt")])
    article = build_article(docs[0], 1)
    assert article.title == "Russian President Putin arrives in North Korea for his first visit in 24 years"
    assert article.published == "Jun 18, 2024"


def test_image_captions_and_section_headings_are_not_sentences(seeds):
    docs, _ = read_inputs([str(seeds / "004_5903dea51639bfee.txt")])
    article = build_article(docs[0], 1)
    texts = [s.text for s in article.sentences]
    assert not any("as he arrived on a state visit to Pyongyang on June 18, 2024" in t for t in texts)
    assert "Economic cooperation" not in texts and "Visit to Vietnam" not in texts


def test_html_main_text_title_and_publisher():
    html = """<!doctype html><html><head><title>Storm hits coast | Daily Planet</title>
    <meta property="og:site_name" content="Daily Planet"><meta property="og:title" content="Storm hits coast">
    <meta name="date" content="2024-06-18"></head><body><nav>Home | World | Sport</nav>
    <article><h1>Storm hits coast</h1><p>A strong storm hit the northern coast on Monday, cutting power to
    40,000 homes, the utility company said in a statement.</p><p>Emergency crews worked through the night
    to clear fallen trees from the main roads, officials said on Tuesday morning.</p></article>
    <footer>Copyright 2024 Daily Planet. All rights reserved.</footer></body></html>"""
    article = build_article(RawDocument(input="x.html", text=html, kind="html"), 1)
    assert article.title == "Storm hits coast"
    assert article.publisher == "Daily Planet"
    assert any("40,000 homes" in s.text for s in article.sentences)
    assert not any("Copyright" in s.text or "Home |" in s.text for s in article.sentences)


def test_article_of_only_furniture_is_empty():
    doc = RawDocument(input="x", text="Leave a Reply\n\nSubscribe to our newsletter!\n\nBack to top")
    with pytest.raises(EmptyArticle):
        build_article(doc, 1)


def test_list_bullets_are_not_part_of_sentences():
    doc = RawDocument(input="x", text="Headline here\n\n- The council approved the budget on Monday evening.\n"
                                      "* Opposition members walked out of the chamber in protest.\n"
                                      "2. The vote was 31 to 20, officials said.")
    texts = [s.text for s in build_article(doc, 1).sentences]
    assert texts == ["The council approved the budget on Monday evening.",
                     "Opposition members walked out of the chamber in protest.", "The vote was 31 to 20, officials said."]


BODY = ("It is being called the harbour truce. After months of quarrels, the ferry companies of Port Harlow "
        "are talking again. The talks began on Monday in the town hall.")


@pytest.mark.parametrize("title, expected", [
    # a page's section and site name: the article's first sentence that reads alone stands for it
    ("World news - Example International",
     "After months of quarrels, the ferry companies of Port Harlow are talking again."),
    ("Search : Example Radio",
     "After months of quarrels, the ferry companies of Port Harlow are talking again."),
    # a headline, with or without the site after it, is kept
    ("Ferry companies talk again - Example Times", "Ferry companies talk again - Example Times"),
    ("Ferry talks - Example Times", "Ferry talks - Example Times"),
    ("Harbour peace at last", "Harbour peace at last"),
])
def test_a_section_label_is_not_a_title(title, expected):
    article = build_article(RawDocument(input="a.txt", text=f"{title}\n\n{BODY}", kind="text"), 1)
    assert article.title == expected


def test_a_section_label_gives_way_to_the_first_sentence_when_none_reads_alone():
    body = "It is being called the harbour truce. They met on Monday in the town hall."
    article = build_article(RawDocument(input="a.txt", text=f"World news - Example International\n\n{body}",
                                        kind="text"), 1)
    assert article.title == "It is being called the harbour truce."
