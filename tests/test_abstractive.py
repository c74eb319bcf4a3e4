"""Abstractive backends: scripted output through the real grounding, and tiny random-weight models
through the real transformers load -> generate -> ground path. Nothing is downloaded."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import check_tool, keep_seeds
from typer.testing import CliRunner

from briefing import ground, models, pipeline, support
from briefing.abstractive import AbstractiveBackend
from briefing.cli import app
from briefing.errors import ModelError
from briefing.ingest import read_inputs
from briefing.models import generate, locate
from briefing.models.cache import GenerationCache
from briefing.prompting import PromptError, Prompts
from briefing.render import render

ROOT = Path(__file__).resolve().parent.parent

# Article 1 of the seeds, sentence 2, says: "Russian President Vladimir Putin touched down in Pyongyang,
# where he was warmly greeted by North Korean leader Kim Jong Un."
# A rewording that keeps every fact, and the verbs: a generated sentence's verbs must be those of the sentence it
# rests on, in some form (ground.py's verb rule), so "landed" for "touched down" is refused, a cost of that rule.
FAITHFUL = "In Pyongyang, Russian President Vladimir Putin was warmly greeted by North Korean leader Kim Jong Un."
INVENTED_NUMBER = "Russian President Vladimir Putin touched down in Pyongyang with 40 generals and was greeted by Kim Jong Un."
INVENTED_NAME = "Vladimir Putin was greeted in Pyongyang by Defence Minister Sergei Shoigu and Kim Jong Un."
INVENTED_EVENT = "It was Putin's first official visit since World War II, and he gave a speech at the United Nations."
NONSENSE = "- areŨV U�3� o of\x1b� posx o of"


class ScriptedGenerator:
    """A stand-in model: replies from a script keyed by words of the article's title; counts its calls."""

    name = "scripted"
    spec = None

    def __init__(self, script=None, default: str = "", style: str = "chat",
                 context: int = 4096, max_new_tokens: int = 64):
        self.script = script or {}
        self.default = default
        self.style = style
        self.context = context
        self.max_new_tokens = max_new_tokens
        self.batch_size = 4
        self.calls = 0
        self.prompts: list[str] = []

    def settings(self):
        return {"max_new_tokens": self.max_new_tokens, "context": self.context}

    def fingerprint(self):
        return "scripted-1"

    def context_tokens(self):
        return self.context

    def wrap(self, prompt):
        return "<user>" + prompt + "</user>" if self.style == "chat" else prompt

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def cut(self, text, n):
        return " ".join(text.split()[:n])

    def generate(self, prompts):
        self.calls += 1
        self.prompts.extend(prompts)
        if callable(self.script):
            return [self.script(p) for p in prompts]
        return [next((reply for key, reply in self.script.items() if key in p), self.default) for p in prompts]


def seed_articles(folder):
    docs, skipped = read_inputs((str(folder),))
    return pipeline.articles_from(docs, skipped), skipped


def make(backend, folder, embedder, monkeypatch, words=250):
    """The real pipeline with `backend` registered as the condenser "scripted"."""
    monkeypatch.setitem(models.condensers.factories, "scripted", lambda **kw: backend)
    articles, skipped = seed_articles(folder)
    settings = pipeline.Settings(inputs=(str(folder),), words=words, model="scripted")
    return pipeline.brief(articles, skipped, settings, embedder=embedder)


def check_briefing(result, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "briefing.json"
    path.write_text(render(result, "json"), encoding="utf-8")
    return subprocess.run([sys.executable, str(check_tool()), str(path)], capture_output=True, text=True, timeout=60)


# -- grounding with scripted output ---------------------------------------------------------------

@pytest.mark.slow
def test_scripted_output_keeps_the_faithful_paraphrase_with_its_citation_and_drops_inventions(
        seeds, embedder, monkeypatch, tmp_path):
    keep_seeds(seeds, "000_")  # one article: its own statements are all the briefing can say
    reply = " ".join([FAITHFUL, INVENTED_NUMBER, INVENTED_NAME, INVENTED_EVENT]) + "\n" + NONSENSE
    gen = ScriptedGenerator({"What can we expect": reply})
    result = make(AbstractiveBackend(gen), seeds, embedder, monkeypatch)
    stats = result.stats["generation"]
    first = next(a for a in stats["articles"] if a["source"] == 1)
    assert first["generated"] == 5 and first["kept"] == 1 and first["dropped"] == 4
    # Each invention is dropped by a rule of the one support check (support.py), named in the stats.
    assert stats["dropped_reasons"] == {"quantity": 1, "names": 1, "recall": 1, "malformed": 1}
    assert stats["fallback"] == []
    assert first["replaced"] == 4  # each dropped sentence gave its place to an extractive one
    claims = [c for s in result.stories for c in s.claims]
    texts = [c.text for c in claims]
    assert not any(bad in t for t in texts for bad in ("40 generals", "Shoigu", "World War", "United Nations"))
    kept = [c for c in claims if c.text == FAITHFUL]
    assert kept, "the faithful paraphrase should make the briefing"
    own = [x for x in kept[0].citations if x.source == 1]
    assert own[0].evidence == ("Russian President Vladimir Putin touched down in Pyongyang, where he was warmly "
                               "greeted by North Korean leader Kim Jong Un.")
    done = check_briefing(result, tmp_path)
    assert done.returncode == 0, done.stdout
    # The JSON says which claim the model wrote; every other claim is the sources' own sentence.
    data = json.loads((tmp_path / "briefing.json").read_text())
    marks = {c["text"]: c["generated"] for s in data["stories"] for c in s["claims"]}
    assert marks[FAITHFUL] is True
    assert all(v is False for t, v in marks.items() if t != FAITHFUL)
    md = render(result, "md")
    line = next(x for x in md.splitlines() if "In Pyongyang, Russian President" in x)
    assert "_(rewritten)_" in line
    assert sum("_(rewritten)_" in x for x in md.splitlines()) == 1


# Source 1 says "touched down in Pyongyang, where he was warmly greeted by ... Kim Jong Un"; source 2 "arrived in
# North Korea early Wednesday morning, greeted personally by ... Kim Jong Un at the plane ramp in Pyongyang".
FUSED = "Russian President Vladimir Putin was greeted in Pyongyang by North Korean leader Kim Jong Un."
# What source 2 does not state ("touched down", "warmly"): a reader checking that citation would not find it.
FUSED_FROM_ONE = "Vladimir Putin touched down in Pyongyang, where North Korean leader Kim Jong Un warmly greeted him."


@pytest.mark.slow
def test_claims_several_sources_make_are_fused_only_when_grounded(seeds, embedder, monkeypatch, tmp_path):
    # Three articles: two claims that two of them state in full (the support check cites nothing less).
    keep_seeds(seeds, "000_", "002_", "003_")

    def script(prompt):
        if "say the same thing" in prompt:  # the fuse prompt
            if "touched down in Pyongyang" in prompt:
                return fused_reply
            if "very eventful" in prompt:
                return "Yuri Ushakov announced 12 treaties in Moscow for a very eventful agenda."
            return ""
        return FAITHFUL if "What can we expect" in prompt else ""

    # A fused sentence one of the claim's citations does not state on its own is dropped: the claim keeps
    # its words. Every citation must support the rewording, as `brief verify` reads each.
    fused_reply = FUSED_FROM_ONE
    result = make(AbstractiveBackend(ScriptedGenerator(script), cache=GenerationCache(tmp_path / "c.sqlite")),
                  seeds, embedder, monkeypatch)
    assert result.stats["generation"]["fused"]["kept"] == 0
    claims = [c for s in result.stories for c in s.claims]
    assert not any("touched down" in c.text and "warmly greeted him" in c.text for c in claims)
    fused_reply = FUSED
    gen = ScriptedGenerator(script)
    result = make(AbstractiveBackend(gen), seeds, embedder, monkeypatch)
    fused = result.stats["generation"]["fused"]
    assert fused["kept"] == 1 and fused["dropped"] == 1 and fused["claims"] >= 2
    claims = [c for s in result.stories for c in s.claims]
    lead = next(c for c in claims if c.text == FUSED)
    assert lead.sources == [1, 2] and lead.generated
    ties = next(c for c in claims if any("very eventful" in x.evidence for x in c.citations))
    assert ties.sources == [2, 3] and "12" not in ties.text and "Moscow" not in ties.text
    done = check_briefing(result, tmp_path)
    assert done.returncode == 0, done.stdout
    # Fusing is cached too: the same briefing again asks the model nothing.
    again = ScriptedGenerator(script)
    make(AbstractiveBackend(again), seeds, embedder, monkeypatch)
    assert again.calls == 0


def test_grounding_drops_invented_facts_and_keeps_paraphrase(seeds, embedder):
    articles, _ = seed_articles(seeds)
    a = articles[0]
    vecs = embedder.embed([s.text for s in a.sentences])
    texts = [FAITHFUL, INVENTED_NUMBER, INVENTED_NAME, INVENTED_EVENT,
             "The United States did not express any concern about the ties between Russia and North Korea.",
             # Gemma 3 270M wrote this of the seed article; every name in it is there, its point is not.
             "Russia's visit to North Korea is a welcome one for the Russian people."]
    out = ground.ground(a, vecs, texts, embedder.embed(texts))
    assert [g.kept for g in out] == [True, False, False, False, False, False]
    assert out[0].support == [2]
    # Each is dropped by the rule of the support check that failed on the sentence that came nearest:
    # 40 generals, Shoigu, World War II and the UN, the added "not", a point no sentence makes.
    assert [g.reason for g in out[1:]] == ["quantity", "names", "recall", "negation", "names"]


def test_a_sentence_joining_two_source_sentences_is_dropped(seeds, embedder):
    """No one source sentence states it, so no citation a reader checks (as `brief verify` reads each) would."""
    articles, _ = seed_articles(seeds)
    a = articles[0]
    vecs = embedder.embed([s.text for s in a.sentences])
    # Sentence 0 gives Tuesday night; sentence 1 gives 2000 and September.
    joined = ("Vladimir Putin arrived in North Korea on Tuesday night, his first trip there since 2000; "
              "the leaders last met in September.")
    alone = "Putin's trip is his first to North Korea since 2000, although the leaders last met in September."
    g, h = ground.ground(a, vecs, [joined, alone], embedder.embed([joined, alone]))
    assert not g.kept and g.reason == "days" and g.support == [1]  # sentence 1 has no Tuesday
    assert h.kept and h.support[0] == 1, h.reason
    assert support.check(alone, a.sentences[1].text).verdict == support.SUPPORTS


def test_split_output_removes_lists_labels_and_chatter():
    text = ("Here is a summary of the article:\n\n- **Putin arrived in Pyongyang on Tuesday.**\n"
            "2. Kim Jong Un met him at the airport. Kim Jong Un met him at the airport.\nSummary: They signed a pact.")
    assert ground.split_output(text) == ["Putin arrived in Pyongyang on Tuesday.", "Kim Jong Un met him at the airport.",
                                         "They signed a pact."]


def test_missing_facts_holds_every_capitalised_word_and_digit_run_to_the_evidence():
    evidence = ["Putin met Kim in Pyongyang on Wednesday."]
    assert ground.missing_facts("Putin met Kim in Pyongyang on Wednesday.", evidence) == set()
    assert "Meanwhile" in ground.missing_facts("Meanwhile, Putin met Kim in Pyongyang.", evidence)
    assert "Thursday" in {m.capitalize() for m in ground.missing_facts("Putin met Kim on Thursday.", evidence)}
    assert "3" in ground.missing_facts("Putin met Kim 3 times.", evidence)
    assert "2023" in ground.missing_facts("Putin met Kim in 2023.", ["Putin met Kim in 2024 and in 2,023 cases."])
    assert ground.missing_facts("They met in Pyongyang on Wednesday.", evidence) == set()  # a stop word opens it
    assert ground.missing_facts("Putin's talks with Kim were in Pyongyang.", evidence) == set()  # a possessive


# -- cache ----------------------------------------------------------------------------------------

def test_second_run_calls_the_model_zero_times(seeds, hash_embedder, monkeypatch):
    first = ScriptedGenerator(default=FAITHFUL)
    r1 = make(AbstractiveBackend(first), seeds, hash_embedder, monkeypatch)
    assert first.calls > 0 and r1.stats["generation"]["articles_cached"] == 0
    again = ScriptedGenerator(default="nothing like the first reply")
    r2 = make(AbstractiveBackend(again), seeds, hash_embedder, monkeypatch)
    assert again.calls == 0
    assert r2.stats["generation"]["articles_cached"] == 5 and r2.stats["generation"]["model_calls"] == 0
    assert [c.text for s in r2.stories for c in s.claims] == [c.text for s in r1.stories for c in s.claims]
    assert (Path(os.environ["BRIEF_HOME"]) / "cache.sqlite").is_file()


def test_cache_key_changes_with_prompt_and_settings(seeds, hash_embedder, monkeypatch, tmp_path):
    make(AbstractiveBackend(ScriptedGenerator(default=FAITHFUL)), seeds, hash_embedder, monkeypatch)
    other = tmp_path / "prompts"
    other.mkdir()
    (other / "condense.j2").write_text("Condense: {{ title }}\n\n{{ text }}")
    gen = ScriptedGenerator(default=FAITHFUL)
    make(AbstractiveBackend(gen, prompts=Prompts(other)), seeds, hash_embedder, monkeypatch)
    assert gen.calls > 0 and sum(p.startswith("<user>Condense: ") for p in gen.prompts) == 5
    assert not any("Summarize this news article" in p for p in gen.prompts)
    longer = ScriptedGenerator(default=FAITHFUL, max_new_tokens=99)
    make(AbstractiveBackend(longer), seeds, hash_embedder, monkeypatch)
    assert longer.calls > 0


def test_copies_of_one_article_are_generated_once(seeds, hash_embedder, monkeypatch):
    first = next(iter(sorted(seeds.iterdir())))
    (seeds / "copy.txt").write_text(first.read_text())
    gen = ScriptedGenerator(default=FAITHFUL)
    result = make(AbstractiveBackend(gen), seeds, hash_embedder, monkeypatch)
    condense_prompts = [p for p in gen.prompts if "Summarize this news article" in p]
    assert len(condense_prompts) == 5 and len(result.articles) == 6


# -- long articles --------------------------------------------------------------------------------

def test_long_article_is_condensed_piecewise_and_shortening_is_reported(seeds, hash_embedder, monkeypatch, tmp_path):
    gen = ScriptedGenerator(default=FAITHFUL, context=260)
    backend = AbstractiveBackend(gen, max_pieces=3)
    result = make(backend, seeds, hash_embedder, monkeypatch)
    articles = {a.id: a for a in result.articles}
    stats = result.stats["generation"]
    by = {a["source"]: a for a in stats["articles"]}
    assert by[3]["pieces"] == 3  # article 3 is 1400 words: more than three 260-token windows
    shortened = {s["source"]: s["reason"] for s in stats["shortened"]}
    assert 3 in shortened and "only the first 3 were condensed" in shortened[3]
    assert "condensed in part" in articles[3].note
    # Every piece fits the window, and the pieces hold the article's sentences in order, none dropped between.
    prompts = [p for p in gen.prompts if "North Korea’s Kim Jong Un Welcomes" in p]
    assert len(prompts) == 3
    # (the scripted model counts words as tokens; its answer shares the window)
    assert all(len(p.split()) <= gen.context - gen.max_new_tokens for p in prompts)
    assert all(len(p.split()) > (gen.context - gen.max_new_tokens) / 2 for p in prompts)  # pieces are filled
    body = " ".join(prompts)
    sents = [s.text for s in articles[3].sentences]
    shown = [s for s in sents if s in body]
    assert shown == sents[:len(shown)] and len(shown) < len(sents)
    data = json.loads(render(result, "json"))
    assert 3 in {s["source"] for s in data["stats"]["generation"]["shortened"]}
    assert "condensed in part" in next(s for s in data["sources"] if s["id"] == 3)["note"]


def test_a_short_article_is_not_marked_shortened(seeds, hash_embedder, monkeypatch):
    result = make(AbstractiveBackend(ScriptedGenerator(default=FAITHFUL)), seeds, hash_embedder, monkeypatch)
    assert result.stats["generation"]["shortened"] == []
    assert all(a["pieces"] == 1 for a in result.stats["generation"]["articles"])


# -- prompts --------------------------------------------------------------------------------------

def test_a_prompt_with_a_missing_variable_fails_with_its_name(seeds, hash_embedder, monkeypatch, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "condense.j2").write_text("Summarize {{ article_body }}")
    with pytest.raises(PromptError, match="condense.j2.*article_body"):
        make(AbstractiveBackend(ScriptedGenerator(), prompts=Prompts(bad)), seeds, hash_embedder, monkeypatch)


def test_builtin_prompts_render_for_every_style():
    p = Prompts()
    for style, model_type in (("seq2seq", "bart"), ("seq2seq", "t5"), ("chat", "qwen2"), ("completion", "gemma3")):
        text = p.render("condense.j2", style=style, model_type=model_type, title="T", text="Body text.", piece=1,
                        pieces=1, sentences=3)
        assert "Body text." in text
        fused = p.render("fuse.j2", style=style, model_type=model_type, statements=["One.", "Two."])
        assert "One." in fused and "Two." in fused
    assert p.render("condense.j2", style="seq2seq", model_type="t5", title="T", text="x", piece=1, pieces=1,
                    sentences=2).startswith("summarize: ")


def test_cli_prompts_folder_that_is_missing_is_a_usage_error(seeds):
    r = CliRunner().invoke(app, ["make", str(seeds), "--prompts", str(seeds / "nope"), "-q"])
    assert r.exit_code == 2 and "--prompts" in r.output and "not a folder" in r.output


# -- finding models -------------------------------------------------------------------------------

def test_unknown_hf_id_is_a_one_line_error_naming_the_cache(tmp_path, monkeypatch, seeds):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    r = CliRunner().invoke(app, ["make", str(seeds), "--model", "nobody/no-such-model", "-q"])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "not found" in lines[0] and str(tmp_path / "hub") in lines[0]


@pytest.mark.parametrize("name, words", [("./no-such-folder", "no such file or folder"),
                                         ("~/nothing/here.gguf", "no such file or folder"),
                                         ("plainword", "valid models: minilm")])
def test_missing_paths_and_names_fail_clearly(seeds, name, words):
    r = CliRunner().invoke(app, ["make", str(seeds), "--model", name, "-q"])
    assert r.exit_code == 2 and words in r.output and len(r.output.strip().splitlines()) == 1


def test_a_file_that_is_not_gguf_and_a_folder_that_is_no_model_are_refused(tmp_path):
    (tmp_path / "weights.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match="not a .gguf file"):
        models.canonical(str(tmp_path / "weights.bin"))
    with pytest.raises(ModelError, match="no config.json"):
        models.canonical(str(tmp_path))
    (tmp_path / "bad.gguf").write_bytes(b"not a gguf file at all")
    with pytest.raises(ModelError, match="not a readable GGUF"):
        models.canonical(str(tmp_path / "bad.gguf"))
    enc = tmp_path / "encoder"
    enc.mkdir()
    (enc / "config.json").write_text(json.dumps({"model_type": "bert", "architectures": ["BertModel"]}))
    with pytest.raises(ModelError, match="does not generate text"):
        models.canonical(str(enc))


def test_bad_device_is_a_usage_error(seeds):
    r = CliRunner().invoke(app, ["make", str(seeds), "--device", "tpu", "-q"])
    assert r.exit_code == 2 and "valid devices" in r.output


def test_help_never_imports_torch():
    code = ("import sys; from typer.testing import CliRunner; from briefing.cli import app; "
            "r = CliRunner().invoke(app, ['--help']); r2 = CliRunner().invoke(app, ['make', '--help']); "
            "assert r.exit_code == 0 and '--device' in r2.output; "
            "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_sentence_cut_off_by_the_token_limit_is_malformed():
    assert not ground.well_formed("The visit will be closely watched by the international")
    assert ground.well_formed("The visit will be closely watched by the international community.")
    assert ground.well_formed("Putin said the visit was “a friendly state visit.”")


def test_a_fragment_is_malformed():
    # Gemma 3 270M on MultiLing M007 copied a source sentence cut at "Spc." (no verb); SmolLM2 one cut mid-name
    assert not ground.well_formed("The United States Army Spc.")
    assert not ground.well_formed("A United States Army court martial convicted a US Army Spc.")
    assert ground.well_formed("A United States Army court martial convicted a US Army specialist.")


def test_a_model_that_writes_nothing_leaves_an_extractive_briefing_that_says_so(seeds, hash_embedder, monkeypatch,
                                                                                tmp_path):
    gen = ScriptedGenerator(default="")
    result = make(AbstractiveBackend(gen), seeds, hash_embedder, monkeypatch)
    g = result.stats["generation"]
    assert g["generated"] == 0 and g["kept"] == 0
    assert [f["source"] for f in g["fallback"]] == [1, 2, 3, 4, 5]
    assert all("wrote nothing" in f["reason"] for f in g["fallback"])
    assert sum(len(s.claims) for s in result.stories) >= 3
    done = check_briefing(result, tmp_path)
    assert done.returncode == 0, done.stdout


def test_an_installed_package_finds_its_prompts_inside_itself(tmp_path):
    """A wheel holds the prompts as briefing/prompts/ (pyproject's force-include), beside briefing/prompting.py."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(ROOT / "briefing", site / "briefing", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "prompts", site / "briefing" / "prompts")
    code = ("from briefing.prompting import Prompts; p = Prompts(); "
            "print(p.env.loader.searchpath[0]); print(p.source('fuse.j2')[:2])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(site)})
    assert out.returncode == 0, out.stderr
    where, start = out.stdout.splitlines()
    assert Path(where) == site / "briefing" / "prompts" and start == "{#"


def test_the_progress_bar_moves_article_by_article(seeds, hash_embedder, monkeypatch):
    backend = AbstractiveBackend(ScriptedGenerator(default=FAITHFUL))
    monkeypatch.setitem(models.condensers.factories, "scripted", lambda **kw: backend)
    articles, skipped = seed_articles(seeds)
    events = []
    progress = pipeline.Progress(stage=lambda name, total: events.append((name, total)),
                                 advance=lambda n: events.append(("advance", n)))
    pipeline.brief(articles, skipped, pipeline.Settings(inputs=(str(seeds),), model="scripted"),
                   embedder=hash_embedder, progress=progress)
    names = [e[0] for e in events]
    start = names.index("condensing articles")
    steps = names[start + 1:names.index("merging")]
    assert events[start] == ("condensing articles", 5) and steps == ["advance"] * 5


def test_missing_facts_reads_numbers_as_values_and_times_as_times():
    evidence = ["The suspect fled nine days earlier and was seen at 12:50 p.m. and 1:40 p.m."]
    assert ground.missing_facts("The suspect fled nine days earlier.", evidence) == set()
    assert "10" in ground.missing_facts("The suspect fled ten days earlier.", evidence)  # a value, not a word
    assert "9" in ground.missing_facts("The suspect fled 9 days earlier.", evidence)  # a citation shows the digits
    assert "time of day" in ground.missing_facts("The suspect was seen at 12:40 pm.", evidence)
    assert ground.missing_facts("The suspect was seen at 1:40 pm.", evidence) == set()
