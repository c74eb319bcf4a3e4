"""The daily job: config, state, no repeats across days, same digest on a re-run, exit codes, the lock."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from briefing import cli, config as configlib, daily, triage
from briefing.errors import BriefError
from briefing.store import Lock, Store
from loopback import Item, Route, Server, atom, page_html, rss, seed_articles

from conftest import SEEDS

# A second, made-up event, written for these tests, reported by two outlets.
BRIDGE = [
    ("Riverside council approves new footbridge over the Elm River",
     ["The Riverside city council voted 7 to 2 on Monday to build a new footbridge over the Elm River.",
      "The bridge will cost 4.2 million dollars and is due to open in the spring of 2026.",
      "Mayor Dana Ortiz said the crossing would link the old town with the railway station.",
      "Opponents on the council argued that the money should go to repairing existing roads.",
      "Construction is expected to begin in September after a final design review."]),
    ("Elm River footbridge gets the go-ahead from Riverside councillors",
     ["Riverside councillors approved a footbridge across the Elm River in a 7 to 2 vote on Monday.",
      "The project is budgeted at 4.2 million dollars, according to the city's finance office.",
      "Mayor Dana Ortiz said the crossing would link the old town with the railway station.",
      "Two councillors voted against, saying road repairs were more urgent.",
      "Work on the bridge should start in September, the council said."]),
]
DAY1 = dt.datetime(2024, 6, 19, 7, 0, tzinfo=dt.timezone.utc)
SITES = ["North Wire", "East Daily", "South Post", "West Herald", "Central Times"]


def serve(s: Server, seed_ids: list[int], when: dt.datetime):
    seeds = seed_articles(SEEDS)
    items = []
    for i in seed_ids:
        title, paras = seeds[i]
        s.routes[f"/visit/{i}.html"] = Route(page_html(title, paras, SITES[i]))
        items.append(Item(title, s.url(f"/visit/{i}.html"), paras[0], when.timestamp() - 600 * i))
    s.routes["/world.xml"] = Route(rss("World Desk", items), content_type="application/rss+xml")
    local = []
    for i, (title, paras) in enumerate(BRIDGE):
        s.routes[f"/local/{i}.html"] = Route(page_html(title, paras, ["Riverside Gazette", "Elm Valley News"][i]))
        local.append(Item(title, s.url(f"/local/{i}.html"), paras[0], DAY1.timestamp() - 3600 * (i + 1)))
    s.routes["/local.atom"] = Route(atom("Local", local), content_type="application/atom+xml")


def make_config(tmp_path, s: Server, **over) -> configlib.Config:
    values = dict(feeds=(s.url("/world.xml"), s.url("/local.atom")), since_hours=96.0, words=400,
                  dir=str(tmp_path / "out"), formats=("md", "json", "html"), state=str(tmp_path / "state.sqlite"))
    values.update(over)
    return configlib.load(None, env={}, **values)


def claims_of(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return data, [(s["headline"], c) for s in data["stories"] for c in s["claims"]]


@pytest.mark.slow
def test_day_two_repeats_nothing_but_new_claims_marked_new(tmp_path, embedder):
    with Server() as s:
        serve(s, [0, 1, 2], DAY1)
        cfg = make_config(tmp_path, s)
        one = daily.run(cfg, embedder=embedder, now=DAY1)
        assert one.exit_code == 0, one.message
        data1, claims1 = claims_of(tmp_path / "out" / "briefing-2024-06-19.json")
        assert len(data1["stories"]) == 2
        assert all(c["new"] is True for _, c in claims1)
        assert all(st["follow_up"] is False for st in data1["stories"])
        bridge_headlines = {t for t, _ in BRIDGE}
        assert any(st["headline"] in bridge_headlines for st in data1["stories"])

        # The same day again: the same digest, byte for byte, and no page fetched twice.
        md1 = (tmp_path / "out" / "briefing-2024-06-19.md").read_text(encoding="utf-8")
        page_hits = sum(h.endswith(".html") for h in s.hits)
        again = daily.run(cfg, embedder=embedder, now=DAY1 + dt.timedelta(hours=2))
        assert again.reused and again.exit_code == 0
        assert (tmp_path / "out" / "briefing-2024-06-19.md").read_text(encoding="utf-8") == md1
        assert sum(h.endswith(".html") for h in s.hits) == page_hits

        # Day two: two more outlets on the visit; the bridge story is unchanged.
        day2 = DAY1 + dt.timedelta(days=1)
        serve(s, [0, 1, 2, 3, 4], day2)
        two = daily.run(cfg, embedder=embedder, now=day2)
        assert two.exit_code == 0, two.message
        embedded, cached = two.embedded
        assert cached > embedded > 0  # day one's sentences came from the state; only the new ones were embedded
        data2, claims2 = claims_of(tmp_path / "out" / "briefing-2024-06-20.json")
        assert not any(st["headline"] in bridge_headlines for st in data2["stories"])
        assert not any("footbridge" in c["text"] or "Riverside" in c["text"] for _, c in claims2)
        (visit,) = data2["stories"]
        assert visit["follow_up"] is True
        new = [c for c in visit["claims"] if c["new"]]
        old = [c for c in visit["claims"] if not c["new"]]
        assert new, "day two brought new articles; some claim must be new"
        day1_texts = {c["text"] for _, c in claims1}
        assert not {c["text"] for c in new} & day1_texts
        # an old claim is one day one said: the same text, a sentence day one cited, or the same in other words
        day1_evidence = {x["evidence"] for _, c in claims1 for x in c["citations"]}
        day1_vecs = embedder.embed(sorted(day1_texts))
        for c in old:
            same = c["text"] in day1_texts or any(x["evidence"] in day1_evidence for x in c["citations"])
            assert same or float((day1_vecs @ embedder.embed([c["text"]])[0]).max()) >= triage.REPEAT
        # what day two brought shows among the new claims (a claim day one had no room for is new too)
        new_ids = {src["id"] for src in data2["sources"] if src["url"].endswith(("/3.html", "/4.html"))}
        assert any(new_ids & {x["source"] for x in c["citations"]} for c in new)
        # the digest's sources are the story's articles only: the unchanged bridge story's are not listed
        assert len(data2["sources"]) == 5 and not any("/local/" in src["url"] for src in data2["sources"])
        md2 = (tmp_path / "out" / "briefing-2024-06-20.md").read_text(encoding="utf-8")
        assert md2.count("**New:**") == len(new)
        assert "Follow-up to an earlier briefing" in md2
        html2 = (tmp_path / "out" / "briefing-2024-06-20.html").read_text(encoding="utf-8")
        assert html2.count("<strong>New:</strong>") == len(new)
        # the archive: the index links both days' pages, the feed holds one entry per day
        index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
        assert index.index('href="briefing-2024-06-20.html"') < index.index('href="briefing-2024-06-19.html"')
        import feedparser

        feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
        assert feed.bozo is False and [e.link for e in feed.entries] == ["briefing-2024-06-20.html",
                                                                          "briefing-2024-06-19.html"]

        # Day three, nothing new at all: nothing written, and it says so.
        day3 = day2 + dt.timedelta(days=1)
        three = daily.run(cfg, embedder=embedder, now=day3)
        assert three.exit_code == 2 and three.message.startswith("nothing new since the last briefing")
        assert not (tmp_path / "out" / "briefing-2024-06-21.md").exists()


@pytest.fixture
def fake_model(monkeypatch, hash_embedder):
    from briefing.models import minilm

    monkeypatch.setattr(minilm, "shared", lambda kind=None: hash_embedder)
    return hash_embedder


def write_config(tmp_path, s: Server, extra_feeds=(), **over) -> str:
    feeds = [s.url("/world.xml"), s.url("/local.atom"), *extra_feeds]
    text = configlib.example("briefing.toml")
    text = text.replace('feeds = [\n    # "https://example.org/news/feed.xml",\n]', f"feeds = {json.dumps(feeds)}")
    text = text.replace("since_hours = 24", "since_hours = 100000")
    text = text.replace("lock_wait = 0", "lock_wait = 0\npath = \"state.sqlite\"")
    for k, v in over.items():
        text = text.replace(f"\n{k} = ", f"\n{k} = {v}\n# was: ", 1)
    path = tmp_path / "briefing.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_init_then_make_with_config_exit_codes(tmp_path, fake_model):
    runner = CliRunner()
    target = tmp_path / "briefing.toml"
    r = runner.invoke(cli.app, ["init", str(target)])
    assert r.exit_code == 0 and target.exists()
    r = runner.invoke(cli.app, ["init", str(target)])
    assert r.exit_code == 2 and "exists; not replacing it" in r.stderr
    # the example as written has no sources: a clear error, not an empty digest
    r = runner.invoke(cli.app, ["make", "--config", str(target)])
    assert r.exit_code == 2 and "the config lists no sources" in r.stderr

    with Server() as s:
        serve(s, [0, 1, 2], dt.datetime.now(dt.timezone.utc))
        s.routes["/down.xml"] = Route(b"gone", status=500)
        path = write_config(tmp_path, s)
        r = runner.invoke(cli.app, ["make", "--config", path])
        assert r.exit_code == 0, r.stderr
        day = dt.datetime.now().astimezone().date().isoformat()
        assert (tmp_path / "out" / f"briefing-{day}.md").exists()
        assert (tmp_path / "out" / f"briefing-{day}.json").exists()
        assert (tmp_path / "state.sqlite").exists()

        # a failing feed: the digest is still made, the exit code says partial
        path = write_config(tmp_path, s, extra_feeds=[s.url("/down.xml")], dir='"out2"')
        r = runner.invoke(cli.app, ["make", "--config", path, "-q"])
        assert r.exit_code == 3, r.stderr
        assert f"skipped {s.url('/down.xml')}: HTTP 500" in r.stderr
        data = json.loads((tmp_path / "out2" / f"briefing-{day}.json").read_text(encoding="utf-8"))
        assert data["skipped"] == [{"input": s.url("/down.xml"), "reason": "HTTP 500 Internal Server Error"}]
        r = runner.invoke(cli.app, ["make", "--config", path])  # the same again: same digest, same exit code
        assert r.exit_code == 3 and "again (nothing changed today)" in r.stderr

        # every source failing: nothing produced
        s.routes["/world.xml"] = Route(b"<html><body>maintenance</body></html>", content_type="text/html")
        s.routes["/local.atom"] = Route(b"", status=404)
        path = write_config(tmp_path, s, dir='"out3"')
        r = runner.invoke(cli.app, ["make", "--config", path])
        assert r.exit_code == 2
        assert "no usable article from the sources" in r.stderr
        assert not (tmp_path / "out3" / f"briefing-{day}.md").exists()


def test_a_second_run_while_one_holds_the_state_exits_with_a_message(tmp_path, fake_model):
    with Server() as s:
        serve(s, [0, 1], dt.datetime.now(dt.timezone.utc))
        path = write_config(tmp_path, s)
        with Lock(tmp_path / "state.sqlite.lock"):
            r = CliRunner().invoke(cli.app, ["make", "--config", path])
        assert r.exit_code == 2
        assert "another brief run is using the state" in r.stderr
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
        r = CliRunner().invoke(cli.app, ["make", "--config", path])  # the lock released: it runs
        assert r.exit_code == 0, r.stderr


def test_lock_waits_for_the_first_run(tmp_path):
    import threading

    held = Lock(tmp_path / "x.lock").__enter__()
    threading.Timer(0.3, lambda: held.__exit__(None, None, None)).start()
    with Lock(tmp_path / "x.lock", wait=5) as second:
        assert second.fd is not None


def test_settings_layering_defaults_file_env_flags(tmp_path):
    cfg_path = tmp_path / "sub" / "b.toml"
    cfg_path.parent.mkdir()
    cfg_path.write_text('[briefing]\nwords = 300\nmodel = "file-model"\ntitle = "From file"\n'
                        '[output]\ndir = "digests"\n[email]\nto = "me@example.org"\n', encoding="utf-8")
    c = configlib.load(cfg_path, env={})
    assert (c.words, c.model, c.title, c.max_stories) == (300, "file-model", "From file", 10)
    assert c.dir == str(cfg_path.parent.resolve() / "digests")  # relative to the file, not the cwd
    assert c.sections["email"] == {"to": "me@example.org"}  # another feature's section is kept
    c = configlib.load(cfg_path, env={"BRIEF_MODEL": "env-model", "BRIEF_WORDS": "120"})
    assert (c.model, c.words) == ("env-model", 120)
    c = configlib.load(cfg_path, env={"BRIEF_MODEL": "env-model"}, model="flag-model", words=None)
    assert (c.model, c.words) == ("flag-model", 300)
    with pytest.raises(Exception):
        c.words = 5  # frozen


def test_state_path_defaults_to_brief_home(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEF_HOME", str(tmp_path / "h"))
    assert configlib.load(None, env={}).state_path == tmp_path / "h" / "state.sqlite"


@pytest.mark.parametrize("text, message", [
    ("[sources]\nfeed = []\n", "unknown key 'feed' in [sources]; valid keys: feeds, urls, paths, since_hours"),
    ("[briefing]\nwords = \"many\"\n", "[briefing] words must be a whole number"),
    ("[briefing]\nwords = 5\n", "words must be between 20 and 5000, not 5"),
    ("[sources]\nfeeds = [1]\n", "[sources] feeds must be a list of strings"),
    ("[sources\n", "not valid TOML"),
    ("sources = 3\n", "[sources] must be a table"),
    ("[briefing]\ndevice = \"tpu\"\n", "unknown device 'tpu'; valid devices: auto, cpu, cuda, mps"),
])
def test_bad_config_is_a_one_line_error(tmp_path, text, message):
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(BriefError) as e:
        configlib.load(p, env={})
    assert message in e.value.message


@pytest.mark.parametrize("text, env, flags, message", [
    ("[briefing]\nwords = 5\n", {}, {}, "[briefing] words must be between 20 and 5000, not 5"),
    ("", {"BRIEF_WORDS": "5"}, {}, "BRIEF_WORDS must be between 20 and 5000, not 5"),
    ("[briefing]\nwords = 300\n", {}, {"words": 5}, "--words must be between 20 and 5000, not 5"),
    ("[briefing]\ntitle = \" \"\n", {}, {}, "[briefing] title must not be empty"),
    ("", {}, {"title": "  "}, "--title must not be empty"),
    ("[briefing]\nprompts = \"no-such-folder\"\n", {}, {}, "[briefing] prompts "),
    ("[output]\ntemplates = \"no-such-folder\"\n", {}, {}, "[output] templates "),
    ("", {}, {"templates": "/no/such/folder"}, "--templates /no/such/folder: not a folder"),
    ("", {}, {"engine": "spark"}, "unknown engine 'spark'; valid engines: local, ray"),
])
def test_one_check_names_where_the_wrong_value_came_from(tmp_path, text, env, flags, message):
    p = tmp_path / "b.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(BriefError) as e:
        configlib.load(p, env=env, **flags)
    assert e.value.message.startswith(message)
    assert "\n" not in e.value.message


def test_one_settings_object_for_brief_make_and_the_daily_job(tmp_path, monkeypatch):
    from briefing import pipeline

    assert pipeline.Settings is configlib.Config
    # brief make INPUT... reads its flags only; the environment variables are the daily job's (README)
    monkeypatch.setenv("BRIEF_WORDS", "5")
    r = CliRunner().invoke(cli.app, ["make", str(tmp_path / "none.txt"), "--title", " "])
    assert r.exit_code == 2 and r.stderr == "brief: error: --title must not be empty\n"
    c = configlib.load(None, env={}, inputs=("a.txt",), title=" Mine ", device="CPU")
    assert (c.inputs, c.title, c.words, c.digest_title) == (("a.txt",), "Mine", 250, "Mine")
    assert configlib.load(None, env={}).digest_title == "Morning briefing"


def test_missing_config_file_hints_at_init(tmp_path):
    r = CliRunner().invoke(cli.app, ["make", "--config", str(tmp_path / "none.toml")])
    assert r.exit_code == 2 and "does not exist" in r.stderr and "brief init" in r.stderr


def test_store_survives_a_failed_transaction(tmp_path):
    st = Store(tmp_path / "s.sqlite")
    st.publish("2024-06-19", [("H", {"k"}, [("claim", ["ev"])])], "fp", {"md": "x"}, 0, "t")
    with pytest.raises(RuntimeError):
        with st.tx() as db:
            db.execute("DELETE FROM stories")
            raise RuntimeError("crash mid-way")
    assert [p.headline for p in st.published_before("2024-06-20")] == ["H"]
    st.close()


def test_a_corrupt_state_file_is_a_clear_error(tmp_path):
    p = tmp_path / "s.sqlite"
    p.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BriefError, match="is not usable"):
        Store(p)


def test_an_article_left_empty_after_cleaning_makes_the_run_partial(tmp_path, seeds, fake_model):
    (seeds / "zz_furniture.txt").write_text("Share this\nFollow us on Twitter\nLeave a comment\n", encoding="utf-8")
    cfg = configlib.load(None, env={}, paths=(str(seeds),), dir=str(tmp_path / "out"), formats=("json",),
                         state=str(tmp_path / "s.sqlite"))
    out = daily.run(cfg)
    assert out.exit_code == 3, out.message
    assert [s.input for s in out.skipped] == [str(seeds / "zz_furniture.txt")]
    data = json.loads(out.written[0].read_text(encoding="utf-8"))
    assert data["skipped"][0]["reason"] == "no sentences left after removing page furniture"


def test_preselect_leaves_out_stories_already_published(seeds, embedder, monkeypatch):
    from briefing import extract
    from briefing.ingest import read_inputs
    from briefing.store import content_hash
    from briefing.types import RawDocument

    docs, _ = read_inputs([str(seeds)])
    docs += [RawDocument(input=f"bridge{i}", text="\n".join(p), title=t) for i, (t, p) in enumerate(BRIDGE)]
    articles = [extract.build_article(d, i + 1) for i, d in enumerate(docs)]
    hashes = {triage.doc_key(d): content_hash(d.text) for d in docs}
    cfg = configlib.load(None, env={})
    kept = triage.preselect(articles, embedder, set(), hashes, cfg)
    assert [a.input for a in kept] == [a.input for a in articles]  # two stories, both kept, in order
    seen = {hashes["bridge0"], hashes["bridge1"]}
    kept = triage.preselect(articles, embedder, seen, hashes, cfg)
    assert [a.id for a in kept] == [1, 2, 3, 4, 5] and not any(a.input.startswith("bridge") for a in kept)
    cfg = configlib.load(None, env={}, max_stories=1)
    monkeypatch.setattr(triage, "MARGIN", 0)
    kept = triage.preselect(articles, embedder, set(), hashes, cfg)
    assert len(kept) == 5  # the five-outlet story outranks the two-outlet one


@pytest.mark.slow
def test_a_story_left_out_yesterday_is_not_served_as_news_today(tmp_path, embedder):
    with Server() as s:
        serve(s, [0, 1, 2], DAY1)
        cfg = make_config(tmp_path, s, max_stories=1)
        one = daily.run(cfg, embedder=embedder, now=DAY1)
        assert one.exit_code == 0 and len(one.briefing.stories) == 1  # the visit: more outlets than the bridge
        two = daily.run(cfg, embedder=embedder, now=DAY1 + dt.timedelta(days=1))
        assert two.exit_code == 2
        assert two.message == "nothing new since the last briefing (5 articles, all read on earlier days)"
        assert not (tmp_path / "out" / "briefing-2024-06-20.md").exists()


def test_flags_override_the_config_file(tmp_path, fake_model):
    with Server() as s:
        serve(s, [0, 1], dt.datetime.now(dt.timezone.utc))
        s.routes["/extra.html"] = Route(page_html(*seed_articles(SEEDS)[4], "Extra Site"))
        path = write_config(tmp_path, s)
        r = CliRunner().invoke(cli.app, ["make", "--config", path, s.url("/extra.html"),
                                         "-o", str(tmp_path / "elsewhere"), "-f", "json", "-t", "Flag title", "-q"])
        assert r.exit_code == 0, r.stderr
        (only,) = (tmp_path / "elsewhere").glob("briefing-*")
        assert only.suffix == ".json" and not (tmp_path / "out").exists()
        # beside it, the archive of every day's digest
        assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == sorted(["feed.xml", "index.html", only.name])
        data = json.loads(only.read_text(encoding="utf-8"))
        assert data["title"] == "Flag title"
        assert s.url("/extra.html") in {src["url"] for src in data["sources"]}


def test_single_source_stories_can_be_dropped(seeds, embedder):
    from briefing import extract
    from briefing.ingest import read_inputs
    from briefing.store import content_hash
    from briefing.types import RawDocument

    docs, _ = read_inputs([str(seeds)])
    for d in docs:
        d.publisher = "One Outlet"  # five articles, but one publisher
    docs += [RawDocument(input=f"bridge{i}", text="\n".join(p), title=t, publisher=f"Outlet {i}")
             for i, (t, p) in enumerate(BRIDGE)]
    articles = [extract.build_article(d, i + 1) for i, d in enumerate(docs)]
    hashes = {triage.doc_key(d): content_hash(d.text) for d in docs}
    kept = triage.preselect(articles, embedder, set(), hashes, configlib.load(None, env={}, single_source=False))
    assert [a.input for a in kept] == ["bridge0", "bridge1"]
    kept = triage.preselect(articles, embedder, set(), hashes, configlib.load(None, env={}))
    assert len(kept) == 7


def test_the_daily_job_emails_its_digest_once_a_day(tmp_path, fake_model, monkeypatch):
    from briefing.deliver import mail
    from smtp_server import Server as SMTPServer

    monkeypatch.setattr(mail, "_sleep", lambda s: None)
    for var in mail.ENV.values():
        monkeypatch.delenv(var, raising=False)
    with Server() as s, SMTPServer() as smtp:
        serve(s, [0, 1, 2], dt.datetime.now(dt.timezone.utc))
        path = write_config(tmp_path, s)
        with open(path, "a", encoding="utf-8") as f:  # the [email] section, read by the mail feature
            f.write(f'\n[email]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
                    f'from = "brief@example.org"\nto = ["ann@example.org"]\n')
        r = CliRunner().invoke(cli.app, ["make", "--config", path, "--send", "-q"])
        assert r.exit_code == 0, r.stderr
        assert len(smtp.received) == 1 and smtp.received[0].rcpt_tos == ["ann@example.org"]
        r = CliRunner().invoke(cli.app, ["make", "--config", path, "--send", "-q"])  # the same day again
        assert r.exit_code == 0, r.stderr
        assert len(smtp.received) == 1  # the digest is written again, but not sent twice


def test_daily_job_uses_the_entry_summary_when_the_page_has_no_text(tmp_path, fake_model):
    with Server() as s:
        now = dt.datetime.now(dt.timezone.utc)
        serve(s, [0, 1], now)
        s.routes["/empty.html"] = Route(b"<html><body><nav>Home</nav><script>app()</script></body></html>")
        entry = Item("Riverside council approves new footbridge", s.url("/empty.html"),
                     " ".join(BRIDGE[0][1]), now.timestamp())
        s.routes["/js.xml"] = Route(rss("JS Site", [entry]), content_type="application/rss+xml")
        out = daily.run(make_config(tmp_path, s, feeds=(s.url("/world.xml"), s.url("/js.xml")),
                                    formats=("json",)), now=now)
        assert out.exit_code == 0, out.message
        data = json.loads(out.written[0].read_text(encoding="utf-8"))
        (src,) = [x for x in data["sources"] if x["url"] == s.url("/empty.html")]
        assert src["note"] == "feed summary only: the page gave no article text"


@pytest.mark.slow
def test_the_daily_job_with_a_generative_model(tmp_path, seeds, embedder, monkeypatch):
    import tiny_models
    from briefing.models import generate

    monkeypatch.setattr(generate, "MAX_NEW_TOKENS", 12)
    bart = tiny_models.bart(tmp_path / "bart", [p.read_text() for p in sorted(seeds.iterdir())], max_positions=512)
    two = [str(p) for p in sorted(seeds.iterdir())[:2]]  # two short articles keep the model's work small
    cfg = configlib.load(None, env={}, paths=tuple(two), model=str(bart), device="cpu", formats=("json",),
                         dir=str(tmp_path / "out"), state=str(tmp_path / "s.sqlite"))
    out = daily.run(cfg, embedder=embedder)
    assert out.exit_code == 0, out.message
    data = json.loads(out.written[0].read_text(encoding="utf-8"))
    assert data["model"] == str(bart) and data["stats"]["generation"]["model_calls"] > 0
    assert data["stories"] and all(c["new"] for st in data["stories"] for c in st["claims"])


def test_email_is_not_an_output_format_of_the_daily_job(tmp_path, seeds):
    cfg = configlib.load(None, env={}, paths=(str(seeds),), formats=("md", "email"), dir=str(tmp_path / "o"))
    with pytest.raises(BriefError, match="an email is sent .* valid formats: md, json, html"):
        daily.run(cfg)


def test_profile_of_the_daily_job_names_its_stages(tmp_path, fake_model):
    with Server() as s:
        serve(s, [0, 1, 2], dt.datetime.now(dt.timezone.utc))
        r = CliRunner().invoke(cli.app, ["make", "--config", write_config(tmp_path, s), "-q", "--profile"])
    assert r.exit_code == 0, r.stderr
    line = [x for x in r.stderr.splitlines() if x.startswith("brief: profile: ")]
    assert len(line) == 1
    names = [part.rsplit(" ", 2)[0] for part in line[0].removeprefix("brief: profile: ").split(", ")]
    assert names[:3] == ["fetching", "finding the day's stories", "embedding sentences"]
    assert names[-1] == "selecting and writing"


# A site's line, in made-up words, that each of its pages carries (furniture by recurring, not by its words).
SITE_LINE = "Elm Valley News is not responsible for the content of outside websites."


def _site_doc(key, sentences, publisher="Elm Valley News"):
    from briefing.types import RawDocument

    return RawDocument(input=key, url=key, publisher=publisher, text="\n\n".join([*sentences, SITE_LINE]))


def test_a_line_recurring_across_one_publishers_articles_is_furniture(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    try:
        store.remember([_site_doc("https://elm.example/a", BRIDGE[0][1])], "2024-06-19T07:00:00", "2024-06-19")
        today = _site_doc("https://elm.example/b", BRIDGE[1][1])
        other_site = _site_doc("https://gazette.example/b", BRIDGE[1][1], publisher="Riverside Gazette")
        # Another version of yesterday's article (most of its lines recur) is a copy, not furniture: kept whole.
        version = _site_doc("https://elm.example/a-updated", BRIDGE[0][1][:4])
        out = daily.without_site_lines([today, other_site, version], store)
    finally:
        store.close()
    # Every line of today's article that no other article of its site carries stays; the site's line goes (and so
    # would a sentence the site printed word for word in two articles: the mayor's words here).
    own = [s for s in BRIDGE[1][1] if s not in BRIDGE[0][1]]
    assert SITE_LINE not in out[0].text and all(s in out[0].text for s in own) and len(own) == 4
    assert out[1].text == other_site.text  # one line in one article of its publisher: not recurring
    assert out[2].text == version.text


def test_the_daily_job_reads_recurring_lines_from_its_state(tmp_path, fake_model):
    folder = tmp_path / "in"
    folder.mkdir()

    def write(name, title, sentences):
        (folder / name).write_text(f"Publisher: Elm Valley News\n\n{title}\n\n" + "\n\n".join([*sentences, SITE_LINE]),
                                   encoding="utf-8")

    def sentences_of(outcome):
        return [s.text for a in outcome.briefing.articles for s in a.sentences]

    write("a.txt", *BRIDGE[0])
    cfg = configlib.load(None, env={}, paths=(str(folder),), dir=str(tmp_path / "out"), formats=("json",),
                         state=str(tmp_path / "s.sqlite"), single_source=True)
    first = daily.run(cfg, now=DAY1)
    assert first.exit_code == 0, first.message
    assert SITE_LINE in sentences_of(first)  # one article: the line does not recur yet
    (folder / "a.txt").unlink()
    write("b.txt", *BRIDGE[1])
    second = daily.run(cfg, now=DAY1 + dt.timedelta(days=1))
    assert second.exit_code == 0, second.message
    said = sentences_of(second)
    assert SITE_LINE not in said and BRIDGE[1][1][0] in said


def _vectors(store: Store) -> list[tuple]:
    return store.db.execute("SELECT key, vec, used FROM vectors ORDER BY key").fetchall()


def test_vectors_written_later_are_the_rows_written_at_once(tmp_path):
    """CachedEmbedder(later=True) (the Ray engine's: written while the workers work) answers as writing at once
    does, keeps nothing in the state until written, and leaves the state the same rows in the end."""
    from conftest import HashEmbedder

    from briefing.store import CachedEmbedder

    states = {}
    for later in (False, True):
        store = Store(tmp_path / f"{later}.sqlite")
        old = CachedEmbedder(HashEmbedder(), store, "2024-06-01")
        old.embed(["seen before, used again", "seen before, not used again"])
        cache = CachedEmbedder(HashEmbedder(), store, "2024-06-19", later=later)
        first = cache.embed(["seen before, used again", "a new sentence", "another new one"])
        again = cache.embed(["a new sentence", "one more"])  # found among those not yet written
        assert (first == HashEmbedder().embed(["seen before, used again", "a new sentence", "another new one"])).all()
        assert (again == HashEmbedder().embed(["a new sentence", "one more"])).all()
        assert (cache.hits, cache.misses) == (2, 3)
        if later:
            assert len(_vectors(store)) == 2  # nothing written yet: the day-one rows only
            assert cache.write(2) and len(_vectors(store)) == 4  # a step: two rows, more left
            assert cache.step() and not cache.step()  # the rest (and the used day), then nothing to do
        states[later] = _vectors(store)
        used = {k: day for k, _, day in states[later]}
        assert used[cache._key("seen before, used again")] == "2024-06-19"
        assert used[cache._key("seen before, not used again")] == "2024-06-01"
        store.close()
    assert states[True] == states[False] and len(states[True]) == 5


def test_prune_writes_what_is_left_first(tmp_path):
    from conftest import HashEmbedder

    from briefing.store import CachedEmbedder

    store = Store(tmp_path / "s.sqlite")
    cache = CachedEmbedder(HashEmbedder(), store, "2024-06-19", later=True)
    cache.embed(["a sentence to keep"])
    cache.prune()
    assert len(_vectors(store)) == 1
    store.close()


def test_vectors_made_in_parts_can_be_written_while_the_rest_is_made(tmp_path):
    """With an inner embedder that gives its vectors a part at a time (the Ray engine's scale.Precomputed), a
    part is written (RayEngine.behind's step) before the next is made; the answer is the whole embedding's."""
    from conftest import HashEmbedder

    from briefing import scale
    from briefing.store import CachedEmbedder

    store = Store(tmp_path / "s.sqlite")
    texts = ["one sentence", "two sentences", "three sentences", "four"]
    written = []

    def parts(missing):
        for k in range(0, len(missing), 2):
            if k:  # the workers make the next part: the driver writes what came back meanwhile
                cache.step()
                written.append(len(_vectors(store)))
            yield HashEmbedder().embed(missing[k:k + 2])

    inner = scale.Precomputed(HashEmbedder().embed, "hash", parts=parts)
    inner.add(["four"], HashEmbedder().embed(["four"]))  # made with the leads
    cache = CachedEmbedder(inner, store, "2024-06-19", later=True)
    assert (cache.embed(texts) == HashEmbedder().embed(texts)).all()
    assert written == [1 + 2]  # "four" and the first part, before the second part was made
    assert list(cache._fresh) == [cache._key("three sentences")]  # what was written is not written again
    cache.flush()
    assert len(_vectors(store)) == 4 and inner.asked == 3
    store.close()


class _Kind:
    """What minilm.shared(kind) hands out here: a fake embedder that says which kind it stands for."""

    def __init__(self, kind):
        from conftest import HashEmbedder

        self.kind, self.inner = kind or "default", HashEmbedder()
        self.name, self.dim = f"hash-{self.kind}", self.inner.dim

    def embed(self, texts):
        return self.inner.embed(texts)


@pytest.mark.parametrize("embedder_name, lead_embedder, expected", [
    ("minilm", "auto", "static"),  # the embedded model's first pass reads the leads with its static table
    ("minilm-int8", "auto", "static"),
    ("minilm", "", None),  # "": the briefing's own embedder reads them, as before
    ("minilm", "minilm-int8", "int8"),  # a name: that embedder
    ("hash", "auto", None),  # another embedder reads its own leads: the table is the embedded model's
])
def test_the_first_pass_reads_leads_with_the_lead_embedder(tmp_path, seeds, monkeypatch, embedder_name,
                                                           lead_embedder, expected):
    from briefing import models
    from briefing.models import minilm

    monkeypatch.setattr(minilm, "shared", lambda kind=None: _Kind(kind))
    monkeypatch.setitem(models.embedders.factories, "hash", lambda **_: _Kind("hash"))
    asked = []

    def record(articles, embedder, seen, hashes, config, leads=None):
        asked.append(leads.kind if leads is not None else None)
        return articles

    monkeypatch.setattr(triage, "preselect", record)
    cfg = configlib.load(None, env={}, paths=(str(seeds),), embedder=embedder_name, lead_embedder=lead_embedder,
                         dir=str(tmp_path / "out"), formats=("json",), state=str(tmp_path / "s.sqlite"))
    assert daily.run(cfg).exit_code == 0
    assert asked == [expected]


def test_a_lead_embedder_no_one_registered_is_an_error_naming_the_valid_ones(tmp_path, seeds, fake_model):
    from briefing.errors import UnknownName

    cfg = configlib.load(None, env={}, paths=(str(seeds),), lead_embedder="nope", dir=str(tmp_path / "out"),
                         state=str(tmp_path / "s.sqlite"))
    with pytest.raises(UnknownName, match="minilm-static"):
        daily.run(cfg)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    bad = tmp_path / "b.toml"
    bad.write_text('[sources]\npaths = ["x"]\n[briefing]\nlead_embedder = 3\n', encoding="utf-8")
    with pytest.raises(BriefError, match="lead_embedder must be a string"):
        configlib.load(bad, env={})


def test_the_settings_that_change_a_digest_change_its_fingerprint():
    from dataclasses import replace

    from briefing.types import RawDocument

    config = configlib.load(None, env={})
    docs = [RawDocument(input="a.txt", text="Putin arrived in Pyongyang on Wednesday.", title="Visit")]
    first = daily.fingerprint(docs, [], config)
    assert daily.fingerprint(docs, [], config) == first
    for change in (dict(rewrite="claims"), dict(lead_embedder=""), dict(device="cpu"), dict(num_gpus=1.0),
                   dict(words=100), dict(model="other")):
        assert daily.fingerprint(docs, [], replace(config, **change)) != first, change
