"""The seams: fakes registered by name, the way a plug-in would, drive the real CLI with no model loaded."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from conftest import HashEmbedder
from typer.testing import CliRunner

from briefing import models, pipeline
from briefing.cli import app
from briefing.types import Statement

runner = CliRunner()


class ScriptedCondenser:
    """Keeps each article's first two sentences of six words or more, word for word; reports what it did."""

    name = "scripted"
    fuser = None

    def __init__(self, **options):
        self.options = options
        self.calls = 0
        self.picked: set[str] = set()

    def condense(self, articles, vectors, embedder, advance):
        self.calls += 1
        out = []
        for a in articles:
            picked = [s for s in a.sentences if len(s.text.split()) >= 6][:2]
            self.picked.update(s.text for s in picked)
            out.append([Statement(article=a.id, text=s.text, support=[s.index], score=1.0 / (1 + k))
                        for k, s in enumerate(picked)])
            advance(1)
        return models.Condensed(out, {"scripted": sum(map(len, out))})


class CountingFuser:
    """A fuser that changes nothing and says how many stories it saw."""

    def fuse(self, stories, embedder, report):
        return models.Fused(stories, {**(report or {}), "fused_stories": len(stories)})


class FusingCondenser(ScriptedCondenser):
    name = "scripted-fusing"
    fuser = CountingFuser()


@pytest.fixture
def fakes(monkeypatch):
    """A hash embedder and scripted condensers registered by name; the real embedder must not load."""
    made = []

    def condenser(cls):
        def factory(**options):
            made.append(cls(**options))
            return made[-1]
        return factory

    def no_minilm(**_):
        raise AssertionError("the real embedder was loaded")

    monkeypatch.setitem(models.embedders.factories, "hash", lambda **_: HashEmbedder())
    monkeypatch.setitem(models.embedders.factories, "minilm", no_minilm)
    monkeypatch.setitem(models.condensers.factories, "scripted", condenser(ScriptedCondenser))
    monkeypatch.setitem(models.condensers.factories, "scripted-fusing", condenser(FusingCondenser))
    return made


def make(*args):
    return runner.invoke(app, ["make", *map(str, args)])


def test_brief_make_runs_a_scripted_condenser_and_a_hash_embedder_by_name(seeds, fakes):
    r = make(seeds, "--model", "scripted", "--embedder", "hash", "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["model"] == "scripted"
    assert len(fakes) == 1 and fakes[0].calls == 1
    # the CLI's settings reach the factory (rewrite "auto": the condenser's own default; a generative one's is claims)
    assert fakes[0].options == {"device": "auto", "prompts": None, "rewrite": "auto"}
    assert out["stats"]["generation"] == {"scripted": 10}  # the report travels to the stats untouched
    claims = [c for s in out["stories"] for c in s["claims"]]
    assert claims
    # Every claim is one of the sentences the condenser picked: its first citation is its own sentence.
    assert all(c["citations"][0]["evidence"] in fakes[0].picked for c in claims)


def test_a_fuser_is_called_after_merging_and_its_report_replaces_the_condensers(seeds, fakes):
    r = make(seeds, "-m", "scripted-fusing", "--embedder", "hash", "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["stats"]["generation"] == {"scripted": 10, "fused_stories": out["stats"]["stories"]}


def test_a_wrong_embedder_name_lists_the_registered_ones(seeds, fakes):
    r = make(seeds, "-m", "scripted", "--embedder", "nope", "-q")
    assert r.exit_code == 2
    assert "unknown embedder 'nope'; valid embedders: hash, minilm" in r.output
    assert fakes == []  # the name is checked before any work


def test_a_wrong_model_name_lists_the_registered_ones(seeds, fakes):
    r = make(seeds, "-m", "nope", "--embedder", "hash", "-q")
    assert r.exit_code == 2
    assert "valid models: minilm, scripted, scripted-fusing" in r.output


def test_the_config_files_embedder_key_chooses_the_embedder(tmp_path, seeds, fakes):
    cfg = tmp_path / "b.toml"
    cfg.write_text(f'[sources]\npaths = ["{seeds}"]\n[briefing]\nmodel = "scripted"\nembedder = "hash"\n'
                   f'[output]\ndir = "out"\nformats = ["json"]\n', encoding="utf-8")
    r = make("--config", cfg, "-q")
    assert r.exit_code == 0, r.output
    [written] = (tmp_path / "out").glob("*.json")
    assert json.loads(written.read_text(encoding="utf-8"))["model"] == "scripted"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('embedder = "hash"', 'embedder = "nope"'), encoding="utf-8")
    r = make("--config", cfg, "-q")
    assert r.exit_code == 2 and "valid embedders: hash, minilm" in r.output


def test_the_support_check_and_engine_are_chosen_by_name(seeds, fakes, monkeypatch):
    asked = []

    class Always:
        name = "always"

        def check(self, claim, evidence, cosine):
            asked.append((claim, evidence))
            return models.Verdict(True, "always")

    class Recording:
        """Runs each story's work last to first (as workers may finish them), giving results in the items' order."""

        name = "recording"
        seen: list = []

        def map(self, fn, items):
            self.seen.append(len(items))
            return [fn(x) for x in reversed(items)][::-1]

    monkeypatch.setitem(models.support_checks.factories, "always", Always)
    monkeypatch.setitem(models.engines.factories, "recording", Recording)
    result = pipeline.run(pipeline.Settings(inputs=(str(seeds),), model="scripted", embedder="hash",
                                            support="always", engine="recording"))
    # One call, one item a story (the seeds are one story): the stories' own work went through the engine.
    assert asked and Recording.seen == [len(result.stories)] == [1]
    here = pipeline.run(pipeline.Settings(inputs=(str(seeds),), model="scripted", embedder="hash", support="always"))
    assert [(s.headline, [c.text for c in s.claims]) for s in result.stories] == \
        [(s.headline, [c.text for c in s.claims]) for s in here.stories]
    # Every citation from another source is a sentence the registered check was asked about.
    confirming = {x.evidence for s in result.stories for c in s.claims for x in c.citations[1:]}
    assert confirming and confirming <= {evidence for _, evidence in asked}
    from briefing.errors import UnknownName

    with pytest.raises(UnknownName, match="valid support checks: always, default"):
        pipeline.run(pipeline.Settings(inputs=(str(seeds),), model="scripted", embedder="hash", support="nah"))


def test_the_default_support_check_is_merge_supports():
    check = models.support_checks.get("default")
    claim = "Putin and Kim signed a partnership agreement on Wednesday."
    assert check.check(claim, claim, 0.99).supported
    verdict = check.check(claim, "The weather in Pyongyang was warm.", 0.2)
    assert not verdict.supported and verdict.reason


def test_the_daily_job_condenses_once_even_when_selection_narrows_the_stories(tmp_path, seeds, fakes):
    from briefing import config as configlib
    from briefing import daily

    (seeds / "other.txt").write_text(
        "City council approves new harbour bridge budget\n\n"
        "The city council voted on Monday to approve a budget of 40 million euros for the new harbour bridge. "
        "Construction of the harbour bridge is expected to begin next spring and to last three years. "
        "Council members said the old ferry service will keep running until the bridge opens to traffic. "
        "Local shop owners welcomed the decision, saying the bridge would bring more visitors to the harbour. "
        "Engineers from the regional transport office will oversee the tender for the harbour bridge works.\n",
        encoding="utf-8")
    cfg = configlib.load(None, env={}, paths=(str(seeds),), model="scripted", embedder="hash", max_stories=1,
                         single_source=True, dir=str(tmp_path / "out"), formats=("json",),
                         state=str(tmp_path / "state.sqlite"))
    everything = pipeline.run(pipeline.Settings(inputs=(str(seeds),), model="scripted", embedder="hash"))
    assert len(everything.stories) > 1  # so max_stories = 1 makes the selection narrow them
    fakes.clear()
    outcome = daily.run(cfg)
    assert outcome.exit_code == 0, outcome.message
    assert len(fakes) == 1 and fakes[0].calls == 1  # one condenser, one pass: nothing condensed twice
    b = outcome.briefing
    assert len(b.stories) == 1
    cited = {x.source for s in b.stories for c in s.claims for x in c.citations}
    assert cited <= {a.id for a in b.articles} and b.stats["stories"] == 1
    assert b.stats["claims"] == sum(len(s.claims) for s in b.stories)


def test_a_preselection_that_keeps_nothing_is_nothing_new_and_the_day_is_recorded(tmp_path, seeds, fakes, monkeypatch):
    from briefing import config as configlib
    from briefing import daily, triage
    from briefing.errors import NothingNew
    from briefing.store import Store

    docs_seen = []

    def nothing(articles, embedder, seen, hashes, config, leads=None):
        docs_seen.append(len(articles))
        return []

    monkeypatch.setattr(triage, "preselect", nothing)
    cfg = configlib.load(None, env={}, paths=(str(seeds),), model="scripted", embedder="hash",
                         dir=str(tmp_path / "out"), formats=("json",), state=str(tmp_path / "state.sqlite"))
    outcome = daily.run(cfg)
    assert outcome.exit_code == 2 and docs_seen == [5]
    assert outcome.message == "nothing new since the last briefing (every story was read on an earlier day)"
    assert fakes == [] or fakes[0].calls == 0  # nothing was condensed
    assert not (tmp_path / "out" / "briefing.json").exists() and not list((tmp_path / "out").glob("briefing-*"))
    store = Store(cfg.state_path)
    try:
        assert store.run_of(dt.date.today().isoformat()) is not None  # a re-run today reuses the verdict
    finally:
        store.close()
    docs, skipped = pipeline.gather((str(seeds),))
    with pytest.raises(NothingNew):
        pipeline.brief(pipeline.articles_from(docs, skipped), skipped,
                       pipeline.Settings(inputs=(), model="scripted", embedder="hash"), preselect=lambda arts, emb: [])


class NotingCondenser(ScriptedCondenser):
    """Notes an article, and "fuses" by rewriting every claim: both through what it returns."""

    name = "scripted-noting"

    def __init__(self):
        super().__init__()
        self.fuser = self
        self.given: list = []

    def condense(self, articles, vectors, embedder, advance):
        done = super().condense(articles, vectors, embedder, advance)
        return models.Condensed(done.statements, done.report, notes={articles[0].id: "condensed in part: a test"})

    def fuse(self, stories, embedder, report):
        self.given = [[c.text for c in s.claims] for s in stories]
        return models.Fused([replace(s, claims=[replace(c, text="Fused: " + c.text, generated=True)
                                                for c in s.claims]) for s in stories], report)


def test_stages_return_new_data_and_a_condensers_notes_reach_the_articles(seeds):
    from briefing import merge

    docs, skipped = pipeline.gather((str(seeds),))
    articles = pipeline.articles_from(docs, skipped)
    before = [(a.id, a.note, a.duplicate_of) for a in articles]
    backend = NotingCondenser()
    b = pipeline.brief(articles, skipped, pipeline.Settings(inputs=()), embedder=HashEmbedder(), backend=backend)
    assert [(a.id, a.note, a.duplicate_of) for a in articles] == before  # the articles given are not changed
    assert b.articles[0].note == "condensed in part: a test" and all(a.note is None for a in b.articles[1:])
    claims = [c for s in b.stories for c in s.claims]
    assert claims and all(c.text.startswith("Fused: ") and c.generated for c in claims)
    assert not any(t.startswith("Fused: ") for texts in backend.given for t in texts)  # new stories, not changed
    with pytest.raises(AttributeError):
        b.stories[0].claims[0].text = "changed in place"  # frozen
    copy = replace(articles[1], id=len(articles) + 1)
    marked = merge.mark_duplicates([*articles, copy])
    assert marked[-1].duplicate_of == articles[1].id and copy.duplicate_of is None


def test_only_the_stories_the_words_can_reach_are_briefed(tmp_path, fakes, monkeypatch):
    """A folder of many unrelated stories and a small budget: each story's own work (support checks, conflicts)
    is done for the first few in rank order, a chunk at a time, not for all of them; the briefing is the one an
    engine that briefs every story gives."""
    import random

    rng = random.Random(7)
    letters = "bcdfghjklmnpqrstvwz"
    for i in range(40):  # words of its own in each article: forty stories of one article
        w = ["".join(rng.choice(letters) + rng.choice("aeiou") for _ in range(3)) for _ in range(12)]
        text = (f"The mayor of {w[0].title()} said on Monday that {w[1]} {w[2]} had closed {w[3]} roads. "
                f"Officials in {w[4].title()} reported {i + 3} injured near the {w[5]} {w[6]} bridge. "
                f"Residents of {w[7].title()} described the {w[8]} {w[9]} as {w[10]} and {w[11]}.")
        (tmp_path / f"a{i:02d}.txt").write_text(f"Story {i}\n\n{text}\n", encoding="utf-8")

    class Recording:
        name = "recording"
        seen: list = []

        def map(self, fn, items):
            self.seen.append(len(items))
            return [fn(x) for x in items]

    class Eager(Recording):
        name = "eager"

    monkeypatch.setitem(models.engines.factories, "recording", Recording)
    monkeypatch.setitem(models.engines.factories, "eager", Eager)
    settings = pipeline.Settings(inputs=(str(tmp_path),), model="scripted", embedder="hash", words=60,
                                 engine="recording")
    lazy = pipeline.run(settings)
    from briefing.merge import _chunk as merge_chunk

    assert len(lazy.stories) >= 1
    briefed = sum(Recording.seen)
    assert 0 < briefed < 40 and max(Recording.seen) <= merge_chunk(60)  # chunks of as many stories as 60 words can fund

    from briefing import merge

    monkeypatch.setattr(merge, "_chunk", lambda words: 10**6)  # every story's work in one go, as before
    eager = pipeline.run(replace(settings, engine="eager"))
    assert sum(Eager.seen) > briefed
    assert [(s.headline, [c.text for c in s.claims]) for s in lazy.stories] == \
        [(s.headline, [c.text for c in s.claims]) for s in eager.stories]
