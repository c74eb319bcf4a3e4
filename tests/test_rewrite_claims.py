"""`--rewrite claims`: the articles are condensed extractively and a generative model rewrites only the claims the
briefing chose, one short prompt a claim; a rewrite replaces its claim only when the sentences the claim cites
each support it, by the rules a generated sentence meets in grounding (ground.rewrite_problem)."""
from __future__ import annotations

import json

import pytest
from conftest import keep_seeds
from test_abstractive import FAITHFUL as SEED_PARAPHRASE
from test_abstractive import ScriptedGenerator, check_briefing, make
from typer.testing import CliRunner

from briefing import ground
from briefing.abstractive import AbstractiveBackend
from briefing.cli import app
from briefing.models.cache import GenerationCache
from briefing.prompting import Prompts
from briefing.render import render

# Seed article 1, sentence 2 (a claim of the seeds' briefing).
PYONGYANG = ("Russian President Vladimir Putin touched down in Pyongyang, where he was warmly greeted by North Korean "
             "leader Kim Jong Un.")


class Recording(ScriptedGenerator):
    """The scripted model, also recording the options each call was given (the cap, the one-line stop)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options: list[dict] = []

    def generate(self, prompts, **options):
        self.options.append(options)
        return super().generate(prompts)


# -- the rules, against one evidence sentence each ------------------------------------------------------------
# (rewrite, the sentence the claim cites, the rule that refuses it): the unfaithful kinds, as a model
# rewriting one sentence could write them.
REFUSED = [
    ("Putin arrived in North Korea on his first official visit in 24 months.",
     "Russian President Vladimir Putin arrived in North Korea early Wednesday morning on his first official visit "
     "to the East Asian nation in 24 years.", "quantity"),
    ("Moscow accused Pyongyang of supplying weapons to Kyiv.",
     "The two countries have been at loggerheads, with Pyongyang accusing Moscow of supplying weapons to Kyiv.",
     "roles"),
    ("The minister signed the treaty on Friday.", "The minister may sign the treaty on Friday.", "certainty"),
    ("The agreement is not aimed against other countries.",
     "Ushakov insisted the agreement is not provocative or aimed against other countries.", "attribution"),
    ("The bomber was seen at 12:40 pm near the station.",
     "The bomber was first seen at 12:50 p.m. near the station and again at 1:40 p.m. in the square.", "time"),
    ('The sentence is: "Both Moscow and Pyongyang have denied such arms transfers."',
     "Both Moscow and Pyongyang have denied such arms transfers.", "malformed|chatter"),
    ("The ship was wrecked near the coast, police said.", "The ship ran aground near the coast, police said.", "verb"),
    ("The ship ran aground near the coast.", "The ship ran aground near the coast, police said.", "attribution"),
    ("The ship ran aground near the coast of Italy after a storm, police said.",
     "The ship ran aground near the coast, police said.", None),  # a name the sentence lacks
    ("The visit will be closely watched by the international", "The visit will be closely watched by the "
                                                              "international community, officials said.", "malformed"),
]
KEPT = [
    ("Putin arrived in North Korea on Wednesday on his first official visit in 24 years.",
     "Russian President Vladimir Putin arrived in North Korea early Wednesday morning on his first official visit "
     "to the East Asian nation in 24 years."),
    ("Ushakov insisted the agreement is not aimed against other countries.",
     "Ushakov insisted the agreement is not provocative or aimed against other countries."),
    ("Both Moscow and Pyongyang have denied such arms transfers.",
     "Both Moscow and Pyongyang have denied such arms transfers in recent months."),
]


def cosine(embedder, a: str, b: str) -> float:
    va, vb = embedder.embed([a, b])
    return float(va @ vb)


@pytest.mark.parametrize("text,evidence,rule", REFUSED, ids=[r or "name" for _, _, r in REFUSED])
def test_a_rewrite_that_changes_a_fact_is_refused(embedder, text, evidence, rule):
    problem = ground.rewrite_problem(text, [evidence], cosine(embedder, text, evidence))
    assert problem, text
    if rule:
        assert problem in rule.split("|"), problem


@pytest.mark.parametrize("text,evidence", KEPT)
def test_a_shorter_rewrite_that_keeps_every_fact_is_kept(embedder, text, evidence):
    assert ground.rewrite_problem(text, [evidence], cosine(embedder, text, evidence)) == ""


def test_each_cited_sentence_must_support_the_rewrite(embedder):
    text = "Putin arrived in North Korea on Wednesday on his first official visit in 24 years."
    good = KEPT[0][1]
    other = "Putin arrived in North Korea on Wednesday, the Kremlin said."  # no 24 years in it
    assert ground.rewrite_problem(text, [good], cosine(embedder, text, good)) == ""
    assert ground.rewrite_problem(text, [good, other], cosine(embedder, text, good)) != ""
    assert ground.rewrite_problem(text, [], 1.0) == "unsupported"


# -- the backend, with a scripted model, through the real pipeline ---------------------------------------------------
@pytest.mark.slow
def test_claims_mode_rewrites_only_the_chosen_claims_and_keeps_a_faithful_rewrite(seeds, embedder, monkeypatch,
                                                                                   tmp_path):
    keep_seeds(seeds, "000_")  # one article

    def script(prompt):
        if "Rewrite this sentence" not in prompt:
            return "Putin met Kim."  # any other prompt (there should be none)
        if PYONGYANG in prompt:
            return SEED_PARAPHRASE + "\nThat is the sentence."  # the first sentence is the answer
        return "Putin signed 40 treaties in Moscow."  # every other claim: an invention, refused

    gen = Recording(script)
    result = make(AbstractiveBackend(gen, cache=GenerationCache(tmp_path / "c.sqlite"), unit="claims"),
                  seeds, embedder, monkeypatch)
    claims = [c for s in result.stories for c in s.claims]
    # Only rewrite prompts were sent (no article was condensed by the model), one a claim, with the cap and stop.
    assert gen.prompts and all("Rewrite this sentence" in p for p in gen.prompts)
    assert len(gen.prompts) == len(claims)
    assert all(o == {"max_new_tokens": 64, "first_line": True} for o in gen.options)
    stats = result.stats["generation"]
    assert stats["unit"] == "claims" and stats["generated"] == 0
    rw = stats["rewritten"]
    assert rw["claims"] == len(claims) and rw["kept"] == 1 and rw["dropped"] == len(claims) - 1
    assert sum(rw["dropped_reasons"].values()) == rw["dropped"]
    kept = [c for c in claims if c.generated]
    assert [c.text for c in kept] == [SEED_PARAPHRASE]
    assert [x.evidence for x in kept[0].citations] == [PYONGYANG]
    assert not any("40 treaties" in c.text for c in claims)
    done = check_briefing(result, tmp_path)
    assert done.returncode == 0, done.stdout
    data = json.loads((tmp_path / "briefing.json").read_text())
    assert [c["text"] for s in data["stories"] for c in s["claims"] if c["generated"]] == [SEED_PARAPHRASE]
    assert sum("_(rewritten)_" in x for x in render(result, "md").splitlines()) == 1
    # Cached: the same briefing again asks the model nothing.
    again = Recording(script)
    make(AbstractiveBackend(again, cache=GenerationCache(tmp_path / "c.sqlite"), unit="claims"), seeds, embedder,
         monkeypatch)
    assert again.calls == 0


@pytest.mark.slow
def test_a_copied_claim_is_not_marked_rewritten(seeds, embedder, monkeypatch, tmp_path):
    keep_seeds(seeds, "000_")  # one article
    gen = Recording(lambda p: p.split("\n\n", 1)[1].removesuffix("</user>"))  # answers with its claim, verbatim
    result = make(AbstractiveBackend(gen, cache=GenerationCache(tmp_path / "c.sqlite"), unit="claims"),
                  seeds, embedder, monkeypatch)
    claims = [c for s in result.stories for c in s.claims]
    rw = result.stats["generation"]["rewritten"]
    assert rw["unchanged"] == len(claims) and rw["kept"] == 0 and not any(c.generated for c in claims)


def test_an_unknown_unit_is_refused(tmp_path):
    with pytest.raises(ValueError, match="articles, claims"):
        AbstractiveBackend(ScriptedGenerator(), unit="sentences")


def test_the_rewrite_prompt_renders_for_every_style():
    p = Prompts()
    for style in ("chat", "completion", "seq2seq"):
        text = p.render("rewrite.j2", style=style, model_type="t5", sentence=PYONGYANG)
        assert PYONGYANG in text
    assert p.render("rewrite.j2", style="seq2seq", model_type="t5", sentence="x").startswith("summarize: ")


def test_a_bad_rewrite_value_is_a_one_line_usage_error(seeds):
    r = CliRunner().invoke(app, ["make", str(seeds), "--rewrite", "sentences"])
    assert r.exit_code == 2
    assert "--rewrite: unknown value 'sentences'; valid: articles, claims" in r.output
    assert "Traceback" not in r.output


def test_the_first_line_stop_ends_a_row_at_its_first_line_of_text():
    torch = pytest.importorskip("torch")
    from briefing.models.generate import _first_line_stop

    class Tok:  # id -> character
        def batch_decode(self, ids, skip_special_tokens=True):
            return ["".join(chr(i) for i in row.tolist() if i) for row in ids]

    rows = [[ord("P")] * 2 + [ord(c) for c in "\nabc"],  # prompt of 2, then "\nabc": a leading break does not stop
            [ord("P")] * 2 + [ord(c) for c in "ab\nc"],  # a break after text stops
            [ord("P")] * 2 + [ord(c) for c in "abcd"]]
    done = _first_line_stop(Tok(), 2)(torch.tensor(rows), None)
    assert done.tolist() == [False, True, False]


# -- a rewrite only shortens its sentence (ground.rewrite_only_shortens): sentences of our own, one a rule ----------
@pytest.mark.parametrize("text,sentence,rule", [
    # a word the sentence lacks: another place, an opposite, an invented purpose
    ("The minister signed the treaty in Paris.", "The minister signed the treaty in Rome on Monday.", "novel"),
    ("No player has tested negative for the virus.", "No player has tested positive for the virus.", "novel"),
    ("Two divers jumped into the lake to rescue the dog.",
     "Two divers jumped into the lake and were later treated for cold.", "novel"),
    # a word that only begins as the sentence's does (a shared beginning is no shared word)
    ("The fire was contained on Monday, officials said.", "The fire continued on Monday, officials said.", "novel"),
    ("The board accepted the offer, the company said.", "The board accelerated the offer, the company said.",
     "novel"),
    ("The president of the club was arrested.", "The presenter of the club was arrested.", "novel"),
    # a short word's other form (its Snowball stem is the sentence word's, its meaning another)
    ("The filter lets parents see the app.", "The filter lets parents see which apps a child used.", "novel"),
    # a word said more often than the sentence says it: who "he" is, guessed
    ("The club said the club acted fairly.", "The club said he acted fairly.", "repeat"),
    # a hedge dropped
    ("The guards wanted to rest before the match.", "Perhaps the guards wanted to rest before the match.",
     "certainty"),
    ("The mayor will resign.", "The mayor may resign, the paper said.", None),
    # a plan, an attempt or an aim told as done (every modal of the sentence kept)
    ("The core landed on a barge.", "The core will attempt to land on a barge.", "certainty"),
    ("Lee was studying the river.", "Lee was looking to study the river.", "certainty"),
    # a rank that loses what it ranks
    ("She was the first coach to win the prize.", "She was the first interim coach to win the prize.", "relation"),
    # a verb of the quoted words made the speaker's
    ("The agency announced new plans.", "'Our country announced new plans,' said the agency.", "speaker"),
    # a speaker dropped
    ("The dog was found alive.", '"The dog was found alive," the owner wrote.', "attribution"),
    # a word of time joined to another word: the order of events changed
    ("Police arrived after the crowd left the square.", "Police arrived shortly after and the crowd left the square.",
     "relation"),
    ("Police arrived after the crowd fled.", "Police arrived after the bomb exploded and the crowd fled.", "relation"),
])
def test_a_rewrite_that_does_more_than_shorten_is_refused(text, sentence, rule):
    problem = ground.rewrite_only_shortens(text, sentence)
    assert problem and (rule is None or problem == rule), problem


@pytest.mark.parametrize("text,sentence", [
    ("The minister signed the treaty in Rome.", "The foreign minister signed the treaty in Rome on Monday."),
    ("Perhaps the guards wanted to rest.", "Perhaps the guards wanted to rest before the match."),
    ("The dog was found alive, the owner wrote.", '"The dog was found alive," the owner wrote on Sunday.'),
    ("Police arrived shortly after the blast.", "Police arrived shortly after the blast and closed the road."),
    ("The couple was heading to Lima.", "The couple, with their sons, were headed to Lima."),  # a form of a word
    ("The club said he acted fairly.", "The club said he acted fairly."),
    ("The core will attempt to land on a barge.", "The brand new core will attempt to land on a barge."),
    ("She was the first interim coach to win.", "She was the first interim coach to win the prize."),
    ("'Our country announced plans,' said the agency.", "'Our country announced new plans,' said the agency."),
    ("The country's plans were announced, the agency said.", "The country's new plans were announced, the agency said."),
])
def test_a_rewrite_that_only_shortens_is_kept(text, sentence):
    assert ground.rewrite_only_shortens(text, sentence) == ""


def test_the_config_key_is_read_and_a_bad_value_names_the_key(tmp_path):
    from briefing import config
    from briefing.errors import BriefError

    good = tmp_path / "good.toml"
    good.write_text('[briefing]\nrewrite = "claims"\n', encoding="utf-8")
    assert config.load(good, env={}).rewrite == "claims"
    assert config.load(None, env={}).rewrite == "articles"
    assert config.load(good, env={}, rewrite="articles").rewrite == "articles"  # the flag wins
    bad = tmp_path / "bad.toml"
    bad.write_text('[briefing]\nrewrite = "claim"\n', encoding="utf-8")
    with pytest.raises(BriefError, match=r"\[briefing\] rewrite: unknown value 'claim'; valid: articles, claims"):
        config.load(bad, env={})


@pytest.mark.slow
def test_claims_mode_holds_a_fused_claim_to_each_sentence_it_cites(seeds, embedder, monkeypatch, tmp_path):
    """A claim of several sources is fused (fuse.j2), and kept only if it also only shortens each cited sentence."""
    from test_abstractive import FUSED

    keep_seeds(seeds, "000_", "002_", "003_")

    def script(prompt):
        if "say the same thing" in prompt and "touched down in Pyongyang" in prompt:
            return reply
        return ""  # every other claim: nothing written, kept as it is

    results = {}
    for reply in (FUSED, FUSED[:-1] + " at a lavish ceremony."):  # the second adds words no source has
        result = make(AbstractiveBackend(Recording(script), cache=GenerationCache(tmp_path / f"{len(reply)}.sqlite"),
                                         unit="claims"), seeds, embedder, monkeypatch)
        results[reply] = [c.text for s in result.stories for c in s.claims if c.generated]
    assert results[FUSED] == [FUSED]
    assert results[FUSED[:-1] + " at a lavish ceremony."] == []


def test_rewrite_claims_without_a_generative_model_is_a_one_line_usage_error(seeds, tmp_path):
    out = tmp_path / "b.json"
    r = CliRunner().invoke(app, ["make", str(seeds), "--rewrite", "claims", "-f", "json", "-o", str(out)])
    assert r.exit_code == 2 and "--rewrite claims needs a generative --model" in r.output
    assert "Traceback" not in r.output and not out.exists()
