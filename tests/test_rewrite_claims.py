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

from briefing import ground, shorten
from briefing.abstractive import AbstractiveBackend
from briefing.cli import app
from briefing.models.cache import GenerationCache
from briefing.prompting import Prompts
from briefing.render import render

# Seed article 1, sentence 2 (a claim of the seeds' briefing), and it shortened by its trailing clause.
PYONGYANG = ("Russian President Vladimir Putin touched down in Pyongyang, where he was warmly greeted by North Korean "
             "leader Kim Jong Un.")
SHORTENED = "Russian President Vladimir Putin touched down in Pyongyang."


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
# Rewrites that only leave out whole units of their sentence (shorten.py): an aside, a trailing clause, a leading
# phrase; and an attribution moved to the front.
KEPT = [
    ("Putin arrived in North Korea on his first official visit in 24 years.",
     "Putin arrived in North Korea, where Kim greeted him at the airport, on his first official visit in 24 years."),
    ("Ushakov insisted the agreement is not aimed against other countries.",
     "Ushakov insisted the agreement, signed on Wednesday, is not aimed against other countries."),
    ("Both Moscow and Pyongyang have denied such arms transfers.",
     "In recent months, both Moscow and Pyongyang have denied such arms transfers, which Western capitals described."),
    ("Police said the ship ran aground near the coast.", "The ship ran aground near the coast, police said."),
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
    text, good = KEPT[0]
    other = "Putin arrived in North Korea, the Kremlin said."  # no 24 years in it
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
            return SHORTENED + "\nThat is the sentence."  # the first sentence is the answer
        return "Putin signed 40 treaties in Moscow."  # every other claim: an invention, refused

    gen = Recording(script)
    result = make(AbstractiveBackend(gen, cache=GenerationCache(tmp_path / "c.sqlite"), unit="claims"),
                  seeds, embedder, monkeypatch)
    claims = [c for s in result.stories for c in s.claims]
    # Only rewrite prompts were sent (no article was condensed by the model), one a claim that has something to
    # leave out (shorten.can_shorten), with the cap and stop.
    stats = result.stats["generation"]
    rw = stats["rewritten"]
    asked = [c for c in claims if all(shorten.can_shorten(x.evidence) for x in c.citations)]
    assert 0 < len(asked) < len(claims) and rw["not_asked"] == len(claims) - len(asked)
    assert gen.prompts and all("Rewrite this sentence" in p for p in gen.prompts)
    assert len(gen.prompts) == len(asked)
    assert all(o == {"max_new_tokens": 64, "first_line": True} for o in gen.options)
    assert stats["unit"] == "claims" and stats["generated"] == 0
    assert rw["claims"] == len(claims) and rw["kept"] == 1 and rw["dropped"] == len(asked) - 1
    assert rw["projected"] == 0  # the invention chose nothing; the one kept is the model's own words
    assert sum(rw["dropped_reasons"].values()) == rw["dropped"]
    kept = [c for c in claims if c.generated]
    assert [c.text for c in kept] == [SHORTENED]
    assert [x.evidence for x in kept[0].citations] == [PYONGYANG]
    assert not any("40 treaties" in c.text for c in claims)
    done = check_briefing(result, tmp_path)
    assert done.returncode == 0, done.stdout
    data = json.loads((tmp_path / "briefing.json").read_text())
    assert [c["text"] for s in data["stories"] for c in s["claims"] if c["generated"]] == [SHORTENED]
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
    assert rw["unchanged"] == len(claims) - rw["not_asked"] > 0 and rw["kept"] == 0
    assert not any(c.generated for c in claims)


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
    assert "--rewrite: unknown value 'sentences'; valid: auto, articles, claims" in r.output
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


# -- a rewrite only shortens its sentence (ground.rewrite_only_shortens, shorten.py): sentences of our own ----------
@pytest.mark.parametrize("text,sentence,rule", [
    # a word the sentence lacks, or another form of its word: another place, an opposite, an invented purpose
    ("The minister signed the treaty in Paris.", "The minister signed the treaty in Rome, officials said.",
     "not a shortening"),
    ("No player has tested negative for the virus.", "No player has tested positive for the virus.",
     "not a shortening"),
    ("The couple was heading to Lima.", "The couple, with their sons, were headed to Lima.", "not a shortening"),
    ("The club said the club acted fairly.", "The club said he acted fairly.", "not a shortening"),
    # words moved: the order of events, who did what to whom
    ("Police arrived after the crowd left the square.", "Police arrived shortly after and the crowd left the square.",
     "not a shortening"),
    ("Pyongyang accused Moscow of supplying weapons.", "Moscow accused Pyongyang of supplying weapons.",
     "not a shortening"),
    # words left out inside a clause, however harmless they look: a modifier, an object, a rank's noun, a time
    ("The minister signed the treaty.", "The foreign minister signed the treaty.", "not a shortening"),
    ("She was the first coach to win.", "She was the first interim coach to win the prize.", "not a shortening"),
    ("Police arrived after the crowd fled.", "Police arrived after the bomb exploded and the crowd fled.",
     "not a shortening"),
    ("The ship ran aground near the coast.", "The ship ran aground near the coast on Monday.", "not a shortening"),
    # a negation, a number, a hedge, a speaker: never left out, even as a whole unit
    ("The king arrived.", "The king did not arrive.", "not a shortening"),
    ("The king arrived in Paris.", "The king arrived in Paris, not in Rome.", "negation"),
    ("The bus crashed.", "The bus crashed, killing 12 people.", "number"),
    ("The bus crashed.", "The bus crashed, killing twelve people.", "number"),
    ("The mayor resigned.", "Perhaps the mayor resigned.", "not a shortening"),
    ("The mayor will resign.", "The mayor will resign, possibly next week.", "certainty"),
    ("The core landed on a barge.", "The core will attempt to land on a barge.", "not a shortening"),
    ("The dog was found alive.", "The dog was found alive, the owner wrote.", "attribution"),
    ("The dog was found alive.", "According to the owner, the dog was found alive.", "attribution"),
    # a condition or an alternative: the clause without it says more
    ("The deal stands.", "The deal stands, unless parliament objects.", "condition"),
    ("He will resign.", "He will resign, or be dismissed.", "condition"),
    # someone's own words are not cut
    ("He called the plan a disaster.", 'He called the plan "a disaster, a shame and a farce".', "quotation"),
    # a main clause taken for a leading phrase, an aside left without the clause it hangs on
    ("Killing the driver.", "The bus crashed, killing the driver.", "not a shortening"),
    ("The bus, which carried tourists.", "The bus, which carried tourists, crashed.", "not a shortening"),
    # a stance dropped, so what someone suspects, believes or disputes reads as fact (the review of session 7)
    ("The mayor of the city took bribes from the construction company.",
     "The mayor of the city took bribes from the construction company, police suspect.", "attribution"),
    ("The mayor of the city took bribes.", "The mayor of the city took bribes, it seems.", "attribution"),
    ("The election in the province was free and fair.",
     "The election in the province was free and fair, the opposition disputed.", "attribution"),
    # a restriction dropped, so the claim says more: a frequency, a place, an exception, a stage, a degree
    ("The new vaccine causes heart inflammation in young men.",
     "In rare cases, the new vaccine causes heart inflammation in young men.", "restriction"),
    ("The drug is legal for adults.", "In France, the drug is legal for adults.", "restriction"),
    ("All flights from the airport were cancelled on the day.",
     "All flights from the airport were cancelled on the day, apart from those to Paris.", "restriction"),
    ("The plant remains open to visitors.", "The plant, for now, remains open to visitors.", "restriction"),
    ("The old bridges in the town collapsed in the flood.",
     "The old bridges in the town, mostly, collapsed in the flood.", "restriction"),
    ("The police denied the report.", "At first, the police denied the report.", "restriction"),
    ("A lower tax rate is expected to help business.", "Longer term, a lower tax rate is expected to help business.",
     "restriction"),
    # a quotation in single marks is someone's own words too
    ("'We will cut taxes,' he said.", "'We will cut taxes, for the rich,' he said.", "quotation"),
    # half a phrase left
    ("The talks were held between.", "The talks were held between, among others, the ministers.", "dangling"),
    ("The talks were held in.", "The talks were held in, as it happens, Rome.", "dangling"),
])
def test_a_rewrite_that_does_more_than_leave_out_whole_units_is_refused(text, sentence, rule):
    assert ground.rewrite_only_shortens(text, sentence) == rule


@pytest.mark.parametrize("text,sentence", [
    # a parenthesis, an aside between commas or dashes, a leading phrase, a trailing clause
    ("The minister signed the treaty in Rome.", "The minister signed the treaty in Rome (the Italian capital)."),
    ("The minister signed the treaty in Rome on Monday.",
     "The minister signed the treaty in Rome (the Italian capital) on Monday."),
    ("Smith said the bridge was safe.", "Smith, the city's engineer, said the bridge was safe."),
    ("Smith said the bridge was safe.", "Smith — the city's engineer — said the bridge was safe."),
    ("The council approved the budget.", "On Tuesday evening, the council approved the budget."),
    ("Police arrived shortly after the blast.", "Police arrived shortly after the blast, closing the road."),
    ("Ministers met in Rome.", "Ministers met in Rome; the talks went on for hours."),
    ("The club said he acted fairly.", "The club said he acted fairly."),
    # several units at once, and only a capital, a stop or a "that" besides
    ("The mayor opened the bridge.", "On Friday, the mayor, who took office last year, opened the bridge, ending a "
                                     "long wait."),
    ("the mayor opened the bridge", "The mayor opened the bridge."),
    ("The dog was found alive, the owner wrote.", "The dog, a spaniel, was found alive, the owner wrote."),
    # an attribution moved to the front, or to the end
    ("The owner wrote that the dog was found alive.", "The dog was found alive, the owner wrote."),
    ("The dog was found alive, the owner wrote.", "The owner wrote the dog was found alive."),
    # a negation, number or hedge kept where it stands: only the unit around it goes
    ("The king did not arrive in Paris.", "The king did not arrive in Paris, where crowds had gathered."),
    ("The bus, carrying 12 people, may have crashed.", "On Monday, the bus, carrying 12 people, may have crashed."),
])
def test_a_rewrite_that_leaves_out_only_whole_units_is_kept(text, sentence):
    assert ground.rewrite_only_shortens(text, sentence) == ""


def test_a_paraphrase_grounding_keeps_is_no_shortening():
    # What `--rewrite articles` keeps (tests/test_faithful.py), `--rewrite claims` refuses: its words are reordered.
    assert ground.rewrite_only_shortens(SEED_PARAPHRASE, PYONGYANG) == "not a shortening"
    assert ground.rewrite_only_shortens(SHORTENED, PYONGYANG) == ""


def test_only_a_sentence_with_something_to_leave_out_is_asked_for():
    assert shorten.can_shorten(PYONGYANG)  # its trailing "where ..." clause
    assert shorten.can_shorten("The ship ran aground, police said.")  # an attribution to move
    assert not shorten.can_shorten("The ship ran aground near the coast on Monday.")  # no unit
    assert not shorten.can_shorten("The bus crashed, killing 12 people.")  # its one unit holds a number
    assert not shorten.can_shorten("x, " * 500 + "y.")  # longer than any claim: not read


# -- the model's choice, the sentence's words (shorten.project) ----------------------------------------------------
@pytest.mark.parametrize("text,sentence,projected", [
    # the model paraphrased, but left out an aside and a trailing clause: only those go
    ("Mayor Smith said the deal was finished.", "Smith, who took office last year, said the deal was done, ending a "
     "long wait.", "Smith said the deal was done."),
    ("The king reached Paris.", "On Monday, the king arrived in Paris (the capital).",
     "The king arrived in Paris."),
    ("Russian President Putin landed in Pyongyang.", PYONGYANG, SHORTENED),
    # what it kept stays, in the sentence's words
    ("The king reached Paris after a long wait.", "On Monday, the king arrived in Paris, ending a long wait.",
     "The king arrived in Paris, ending a long wait."),
])
def test_a_paraphrase_chooses_which_whole_units_go(text, sentence, projected):
    assert shorten.project(text, sentence) == projected
    assert ground.rewrite_only_shortens(projected, sentence) == ""


@pytest.mark.parametrize("text,sentence", [
    ("The bus crashed on the road.", "The bus crashed, killing 12 people."),  # a unit with a number stays
    ("The dog was found.", "The dog was found alive, the owner wrote."),  # a speaker stays
    ("The deal stands firm.", "The deal stands, unless parliament objects."),  # a condition stays
    ("Putin signed 40 treaties in Moscow.", PYONGYANG),  # an answer about something else chooses nothing
    ("The ship ran aground near the coast.", "The ship ran aground near the coast on Monday."),  # no unit
    ("Smith, the city's mayor, said it was over.", "Smith, the mayor, said the deal was done."),  # every unit kept
])
def test_nothing_is_projected_where_no_unit_may_go(text, sentence):
    assert shorten.project(text, sentence) is None


def test_the_config_key_is_read_and_a_bad_value_names_the_key(tmp_path):
    from briefing import config
    from briefing.errors import BriefError

    good = tmp_path / "good.toml"
    good.write_text('[briefing]\nrewrite = "claims"\n', encoding="utf-8")
    assert config.load(good, env={}).rewrite == "claims"
    assert config.load(None, env={}).rewrite == "auto"  # claims for a generative model (abstractive._generative)
    assert config.load(good, env={}, rewrite="articles").rewrite == "articles"  # the flag wins
    bad = tmp_path / "bad.toml"
    bad.write_text('[briefing]\nrewrite = "claim"\n', encoding="utf-8")
    with pytest.raises(BriefError, match=r"\[briefing\] rewrite: unknown value 'claim'; valid: auto, articles, claims"):
        config.load(bad, env={})


@pytest.mark.slow
def test_claims_mode_holds_a_fused_claim_to_each_sentence_it_cites(seeds, embedder, monkeypatch, tmp_path):
    """A claim of several sources is fused (fuse.j2) and kept only if it also only shortens each sentence it cites:
    FUSED, which `--rewrite articles` keeps (test_abstractive), restates two outlets' sentences in words of its own."""
    from test_abstractive import FUSED

    keep_seeds(seeds, "000_", "002_", "003_")

    def script(prompt):
        if "say the same thing" in prompt and "touched down in Pyongyang" in prompt:
            return FUSED
        return ""  # every other claim: nothing written, kept as it is

    gen = Recording(script)
    result = make(AbstractiveBackend(gen, cache=GenerationCache(tmp_path / "c.sqlite"), unit="claims"), seeds,
                  embedder, monkeypatch)
    fused = result.stats["generation"]["fused"]
    assert any("say the same thing" in p for p in gen.prompts) and fused["dropped"] >= 1 and fused["kept"] == 0
    assert not any(c.generated for s in result.stories for c in s.claims)
    cited = [x.evidence for s in result.stories for c in s.claims for x in c.citations
             if "touched down in Pyongyang" in x.evidence]
    assert cited and all(ground.rewrite_only_shortens(FUSED, e) for e in cited)


def test_rewrite_claims_without_a_generative_model_is_a_one_line_usage_error(seeds, tmp_path):
    out = tmp_path / "b.json"
    r = CliRunner().invoke(app, ["make", str(seeds), "--rewrite", "claims", "-f", "json", "-o", str(out)])
    assert r.exit_code == 2 and "--rewrite claims needs a generative --model" in r.output
    assert "Traceback" not in r.output and not out.exists()
