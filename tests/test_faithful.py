"""A generated sentence must say what its evidence says: the unfaithful sentences issue 14 found models
writing (or sentences built like them) are dropped, and a paraphrase that keeps every fact is kept.

First through the whole grounding of a real seed article (the evidence is found, not given), then the
support check alone on the cases whose evidence the seeds don't hold."""
from __future__ import annotations

import pytest

from briefing import ground, pipeline, support
from briefing.ingest import read_inputs


@pytest.fixture(scope="module")
def seed_articles(embedder):
    from conftest import SEEDS

    docs, skipped = read_inputs((str(SEEDS),))
    articles = pipeline.articles_from(docs, skipped)
    return {a.path.rsplit("/", 1)[-1][:3]: (a, embedder.embed([s.text for s in a.sentences])) for a in articles}


def grounded(seed_articles, embedder, key, texts):
    article, vecs = seed_articles[key]
    return ground.ground(article, vecs, texts, embedder.embed(texts))


# Each: (seed article, generated sentence, why it is unfaithful). The evidence is in that article.
UNFAITHFUL = [
    ("003", "Russian President Vladimir Putin arrived in North Korea on Wednesday morning on his first official "
            "visit to the East Asian nation in 24 months.", "24 months for 24 years"),
    ("003", "Russian President Vladimir Putin arrived in North Korea on Wednesday morning on his first official "
            "visit to the East Asian nation in 24 days.", "24 days for 24 years"),
    ("004", "Russia has been supplying North Korea with artillery, missiles and other military equipment for use "
            "in Ukraine, Washington and Seoul have alleged.", "roles swapped"),
    ("001", "Putin and Kim signed a partnership agreement, including security matters, and addressed the media "
            "jointly.", "may sign -> signed"),
    ("001", "Putin attended a concert and visited the Orthodox Church of the Life-Giving Trinity, the only "
            "orthodox church in North Korea.", "likely to -> did"),
    ("003", "The agreement is not provocative or aimed against other countries, but is meant to ensure greater "
            "stability in northeast Asia.", "'Ushakov insisted' dropped"),
    ("002", 'The sentence is: "Both Moscow and Pyongyang have denied such arms transfers."', "chatter"),
]
# Paraphrases that keep every fact, of the same evidence.
FAITHFUL = [
    ("003", "Russian President Vladimir Putin arrived in North Korea on Wednesday morning for his first official "
            "visit to the East Asian nation in 24 years."),
    ("004", "Washington and Seoul have alleged that North Korea has been supplying Russia with artillery, "
            "missiles and other military equipment for use in Ukraine."),
    ("001", "Russian media suggested that Putin and Kim may sign a partnership agreement, including security "
            "matters."),
    ("003", "Ushakov insisted the agreement is not provocative or aimed against other countries."),
    ("002", "Both Moscow and Pyongyang have denied such arms transfers."),
]


@pytest.mark.parametrize("key,text,why", UNFAITHFUL, ids=[w for _, _, w in UNFAITHFUL])
def test_unfaithful_sentences_are_dropped(seed_articles, embedder, key, text, why):
    (g,) = grounded(seed_articles, embedder, key, [text])
    assert not g.kept, f"kept ({why}): {text}"


@pytest.mark.parametrize("key,text", FAITHFUL)
def test_a_paraphrase_that_keeps_every_fact_is_kept(seed_articles, embedder, key, text):
    (g,) = grounded(seed_articles, embedder, key, [text])
    assert g.kept, (g.reason, ground.SUPPORT(text, [seed_articles[key][0].sentences[i].text for i in g.support]))


def test_the_support_check_names_each_problem(seed_articles):
    """The check alone, against the sentence each case rests on: each drop is for its own reason."""
    def evidence(key, words):
        return [next(s.text for s in seed_articles[key][0].sentences if words in s.text)]

    cases = [(0, "24 years and is expected", "quantity"), (1, "24 years and is expected", "quantity"),
             (2, "Washington and Seoul", "roles"), (3, "Russian media suggesting", "certainty"),
             (4, "likely to attend", "certainty"), (5, "Ushakov insisted", "attribution"),
             (6, "Both Moscow and Pyongyang", "chatter")]
    for i, words, reason in cases:
        key, text, _why = UNFAITHFUL[i]
        v = support.check(text, " ".join(evidence(key, words)))
        assert v.verdict != support.SUPPORTS and reason in v.rules, (text, reason, v)


# The issue's other cases, whose evidence is not in the seeds: the evidence is given here.
@pytest.mark.parametrize("claim,evidence,reason", [
    ("The bomber was seen at 12:40 pm near the station.",
     "The bomber was first seen at 12:50 p.m. near the station and again at 1:40 p.m. in the square.", "time"),
    ("The suspect had fled to Spain nine months earlier.",
     "The suspect had fled to Spain nine days earlier, police said.", "quantity"),
    ("The suspect had fled to Spain 9 months earlier.", "The suspect had fled to Spain nine days earlier.",
     "quantity"),
    ("The company paid 40 million euros for the site.", "The company paid $40 million for the site.", "quantity"),
    ("The two countries have been at loggerheads, with Moscow accusing Pyongyang of supplying weapons to Kyiv.",
     "The two countries have been at loggerheads, with Pyongyang accusing Moscow of supplying weapons to Kyiv.",
     "roles"),
    ("The visit was also a visit to the Orthodox Church.",
     "Putin will also visit the Orthodox Church, and is likely to attend a concert.", "certainty"),
    ("The minister signed the treaty.", "The minister may sign the treaty on Friday.", "certainty"),
    ("The accident occurred around 5:20 a.m.", "The accident occurred around 5.10am, officials said.", "time"),
    ("Here is the rewritten sentence: Putin met Kim in Pyongyang.", "Putin met Kim in Pyongyang.", "chatter"),
    # Gemma 3 270M on the seeds: an aim the evidence doesn't give
    ("Russia is seeking to increase trade with North Korea.", "Trade between the two countries has seen a "
     "significant uptick, with Russia providing essential goods and services to North Korea.", "certainty"),
    # Gemma 3 270M on the seeds: the Kremlin's description, stated as the briefing's own
    ("The visit is a friendly state visit, and it is a welcome one for Russia.",
     'The Kremlin has described the trip as a "friendly state visit."', "attribution"),
])
def test_issue_cases_fail_the_support_check(claim, evidence, reason):
    v = support.check(claim, evidence)
    assert v.verdict != support.SUPPORTS and reason in v.rules, v


@pytest.mark.parametrize("claim,evidence", [
    ("The bomber was first seen at 12:50 pm near the station.",
     "The bomber was first seen at 12:50 p.m. near the station and again at 1:40 p.m. in the square."),
    ("The suspect had fled to Spain 9 days earlier, police said.", "The suspect had fled to Spain nine days earlier, police said."),
    ("The company paid 40 million dollars for the site.", "The company paid $40 million for the site."),
    ("Kim was greeted by Putin at the airport.", "Putin greeted Kim at the airport."),  # voice turned, roles kept
    ("Putin and Kim met in Pyongyang.", "Kim and Putin met in Pyongyang."),
    ("Putin, who will leave on Thursday, arrived in Pyongyang.", "Putin, who will leave on Thursday, arrived in "
                                                                 "Pyongyang on Wednesday."),
    ("The minister may sign the treaty on Friday.", "The minister is expected to sign the treaty on Friday."),
    ("The treaty was signed on Friday, the ministry said.", "The treaty was signed on Friday, the ministry insisted."),
    ("The accident occurred around 5:10 a.m.", "The accident occurred around 5.10am, officials said."),  # one time
    # a hedge governs its own clause: the arrival is stated, only the signing is expected
    ("Putin arrived in Pyongyang on Wednesday.", "Putin arrived in Pyongyang on Wednesday, and is expected to sign "
                                                 "a treaty."),
    ("Scientists see the two ends of the rings.", "Scientists can see the two ends of the rings."),  # ability
])
def test_faithful_rewordings_pass_the_support_check(claim, evidence):
    v = support.check(claim, evidence)
    assert v.verdict == support.SUPPORTS, v


@pytest.mark.parametrize("claim,evidence", [
    # two negations (even: the parity rule alone reads them as none) against a source with none
    ("The talks in Geneva were not held without the minister on Friday.",
     "The talks in Geneva were held with the minister on Friday."),
    ("The minister in Geneva signed neither treaty on Friday.", "The minister in Geneva signed the treaty on Friday."),
])
def test_a_claim_that_negates_needs_a_source_that_negates(claim, evidence):
    """What ground.py's own negation pre-check caught is now the support check's rule, so `brief verify`
    and grounding agree on it."""
    v = support.check(claim, evidence)
    assert v.verdict != support.SUPPORTS and v.rule == "negation", v
    assert support.check(evidence, evidence).verdict == support.SUPPORTS  # the same words, unnegated, pass


# SmolLM2 on MultiLing M007 moved an announcement from the army to the court (our own sentences, built like it).
@pytest.mark.parametrize("claim,evidence,supported", [
    ("The officer will face trial for his role in the prison abuse case, a military court has announced.",
     "The officer will be tried by a military court for his role in the prison abuse case, the army announced "
     "yesterday.", False),
    ("According to the army, the toll rose to 50 on Monday.", "The toll rose to 50 on Monday, the police said.", False),
    ("The officer will face trial for his role in the prison abuse case, the army has announced.",
     "The officer will be tried by a military court for his role in the prison abuse case, the army announced "
     "yesterday.", True),
    ("According to the police, the toll rose to 50 on Monday.", "The toll rose to 50 on Monday, the police said.", True),
    ("The toll rose to 50 on Monday, officials said.", "The toll rose to 50 on Monday, officials told reporters.", True),
    # a speaker the evidence does not name ("it") may be the claim's: not a different one
    ("The airline failed its passengers on this flight, the airline said.",
     "We failed our passengers on this flight, it said.", True),
    # a description between commas after a name: the name said it, and the name is the source's speaker
    ("Yuri Ushakov, Putin's aide, announced that the visit would feature a very eventful agenda.",
     "Putin's aide Yuri Ushakov also commented on the trip during a press conference Monday and stated that "
     "his trip will have an eventful agenda.", True),
])
def test_a_claim_keeps_who_said_it_even_when_no_name(claim, evidence, supported):
    v = support.check(claim, evidence)
    assert (v.verdict == support.SUPPORTS) == supported, v
    if not supported:
        assert v.rule == "speaker", v


def assert_verdict(claim: str, evidence: str, supported: bool, *rules: str) -> None:
    """support.check's verdict on the pair is `supported`; a refusal names one of `rules` (any, if none given)."""
    v = support.check(claim, evidence)
    assert (v.verdict == support.SUPPORTS) == supported, v
    if not supported and rules:
        assert any(r in v.rules for r in rules), v


# SmolLM2 on MultiLing M009 gave the torch to the official who put it out (our own sentences, built like it).
@pytest.mark.parametrize("claim,evidence,supported", [
    ("The flame went out once, when it was in the hands of a French official.",
     "The flame was put out once by a French official when it was in the hands of Jane Roe.", False),
    ("The flame went out once, when it was in the hands of Jane Roe.",
     "The flame was put out once by a French official when it was in the hands of Jane Roe.", True),
    ("The report of the Senate committee was published on Monday.",
     "The report of the House committee was published on Monday.", False),
    # a noun with several names after it in the source: any of them is that source's
    ("The visit of Putin was the first since 2000.", "The visit of Putin and the visit of Kim were the first since "
                                                     "2000.", True),
])
def test_a_name_after_noun_of_must_be_the_sources(claim, evidence, supported):
    assert_verdict(claim, evidence, supported, "roles", "names")


# Gemma 3 270M on MultiLing M008 counted the passengers as the people on board (our own sentences, built like it).
@pytest.mark.parametrize("claim,evidence,supported", [
    ("The ferry was carrying 300 people.", "The ferry, carrying 300 passengers and 20 crew, 320 people in all, sank.",
     False),
    ("The ferry was carrying 320 people.", "The ferry, carrying 300 passengers and 20 crew, 320 people in all, sank.",
     True),
    ("The ferry was carrying 300 passengers.", "The ferry, carrying 300 passengers and 20 crew, sank.", True),
    ("The ferry was carrying twenty crew.", "The ferry, carrying 300 passengers and 20 crew, sank.", True),
])
def test_a_count_of_a_noun_must_be_the_sources_count_of_it(claim, evidence, supported):
    v = support.check(claim, evidence)
    assert (v.verdict == support.SUPPORTS) == supported, v
    if not supported:
        assert v.rule == "quantity", v


def test_a_capitalised_word_must_stand_as_a_word_in_the_evidence():
    """Gemma 3 270M on MultiLing M008 made the searcher "Air France" from "France said ... the airplane's
    recorders" (our own sentences, built like it): grounding's stricter rule reads words, not letters."""
    evidence = ["Canada said that it has sent a ship to search for the airplane's flight recorders."]
    assert "Air" in ground.missing_facts("Air Canada has been searching for the flight recorders.", evidence)
    assert not ground.missing_facts("Canada has sent a ship to search for the airplane's flight recorders.", evidence)
    assert not ground.missing_facts("Canada's ship will search for the flight recorders.", evidence)


# The four unfaithful kinds SmolLM2 still got past grounding in session 4 (MultiLing M001, M005, M006, M009), as
# our own sentences built like them, each beside a rewording that keeps every fact and must pass.
@pytest.mark.parametrize("claim,evidence,supported,rule", [
    # a place given to another thing of the sentence
    ("The campaign has been held in Lyon.",
     "After the campaign started in Paris, two groups held a night of speeches in a park in Lyon.", False, "place"),
    ("The night of speeches was held in Lyon.",
     "After the campaign started in Paris, two groups held a night of speeches in Lyon.", True, None),
    # a claim that says a thing and its opposite
    ("The accused men were found not accused.", "The two accused men were found not guilty.", False,
     "contradiction"),
    ("The two men were found not guilty.", "The two men found not guilty were released on Friday.", True, None),
    ("The jury found one man guilty but another not guilty.",
     "The jury found one man guilty but another not guilty.", True, None),
    # an account (X stated that ...) told as a fact, in one clause of the claim
    ('The clash was described as "a mistake", and no shots were fired.',
     'The navy stated that the clash did happen but it was "a mistake" and that no shots were fired.', False,
     "attribution"),
    # the same kind read in the kept sentences of session 5 (MultiLing M008), built like it
    ("The ship had lost its engine, and the radio failed.",
     "Ten minutes later, a message was sent saying that the ship had lost its engine and that the radio had failed.",
     False, "attribution"),
    ("The ship was bound for Spain.", "The ship, which the agency reports was bound for Spain, hit a pier on Monday.",
     False, "attribution"),
    # a leave to do it told as done
    ("The road was reopened on Friday.", "The road was shut for a day, but the police allowed it to reopen after "
                                         "repairs on Friday.", False, "certainty"),
    ("The road was allowed to reopen on Friday.", "The road was shut for a day, but the police allowed it to reopen "
                                                  "after repairs on Friday.", True, None),
    # what comes on the eve of, or ahead of, a visit is not the visit
    ("The minister is in Japan.", "The minister wrote an article on the eve of his state visit to Japan.", False,
     "certainty"),
    ("The minister is in Japan.", "The minister spoke to reporters ahead of talks in Japan.", False, "certainty"),
    ("The minister wrote on the eve of his visit to Japan.", "The minister wrote an article on the eve of his "
                                                             "visit to Japan.", True, None),
    # "until the summit" is not "until after the summit"
    ("The vote may have to wait until the summit in Oslo.", "The vote may have to wait until after the summit "
                                                            "held in Oslo.", False, "time"),
    ("The vote may have to wait until after the summit.", "The vote may have to wait until after the summit "
                                                          "held in Oslo.", True, None),
    ("The patient was in a coma.", "A doctor noted that the patient was in a coma at the start of the operation.",
     False, "attribution"),
    # a condition is no fact, past a number's comma and a quoted word
    ("The comet is a 'great' comet.", "The comet would have to pass within 1,000,000 miles of the Sun to be "
                                      "called ‘great’.", False, "certainty"),
    # a question states nothing
    ("The moon is a blue moon.", "Is the moon a blue moon?", False, "recall"),
    ("A message said the ship had lost its engine.",
     "Ten minutes later, a message was sent saying that the ship had lost its engine and that the radio had failed.",
     True, None),
    ("The navy stated that no shots were fired.",
     'The navy stated that the clash did happen but it was "a mistake" and that no shots were fired.', True, None),
])
def test_meaning_rules_of_session_5(claim, evidence, supported, rule):
    assert_verdict(claim, evidence, supported, *filter(None, [rule]))  # every refused row names its rule


# The verb changed, every other word there: grounding holds a generated sentence's verbs to those of the sentence
# it rests on, in some form (not the check: two outlets may tell one act with their own verbs).
@pytest.mark.parametrize("claim,evidence,refused", [
    ("The team has also dropped a rider, Jan Roe.",
     "The team, which has now withdrawn from the race, had two riders in the top ten, Jan Roe and Max Moe.", True),
    ("The four riders were all Danish and were all injured in the crash.",
     "The four riders were all Danish, and police are unsure of the cause of the crash.", True),
    ("The minister is traveling to Japan.", "The minister wrote an article on the eve of his visit to Japan.", True),
    ("The team has withdrawn a rider, Jan Roe.", "The team withdrew its rider Jan Roe on Monday.", False),
    ("The team withdrew a rider, Jan Roe.", "The team has withdrawn its rider Jan Roe.", False),
    ("The ministers were dropping the plan.", "The ministers dropped the plan on Monday.", False),
    ("The bill was signed by the president.", "The president signs the bill.", False),
])
def test_a_generated_sentence_keeps_its_evidence_verbs(claim, evidence, refused):
    assert bool(support.verb_problem(claim, evidence)) == refused, support.claim_verbs(claim)


def test_grounding_drops_a_changed_verb_and_the_check_allows_it(seed_articles, embedder):
    """"landed" for "touched down": another outlet's word for one act is support (merge cites it), but a model
    rewriting that sentence does not get to change what was done."""
    text = "Russian President Vladimir Putin landed in Pyongyang, where he was warmly greeted by North Korean leader Kim Jong Un."
    (g,) = grounded(seed_articles, embedder, "000", [text])
    assert not g.kept and g.reason == "verb", g
    evidence = next(s.text for s in seed_articles["000"][0].sentences if "touched down in Pyongyang" in s.text)
    assert support.check(text, evidence).verdict == support.SUPPORTS


# A word for its opposite, the rest of the sentence kept (Gemma 3 270M on MultiLing M002 put a ship outside the
# waters the source put it inside; our own sentences, built like it).
@pytest.mark.parametrize("claim,evidence,supported", [
    ("The navy first gave the ship's position as outside Spanish waters.",
     "The navy first gave the ship's location as inside Spanish waters.", False),
    ("The two men were found guilty.", "The two men were found innocent by the jury.", False),
    ("Sales rose by a tenth in May.", "Sales fell by a tenth in May.", False),
    ("The navy initially put the ship outside Spanish waters.", "The navy later gave a revised position, outside "
                                                                "Spanish waters.", False),
    # the same place word with another word after it, and an order in time turned round: no opposite
    ("The new position was outside Spanish waters.", "The new position placed it inside French waters, outside "
                                                     "Spanish waters.", True),
    ("Roe played for Leeds for two seasons before joining Hull.", "Roe played for Leeds for two seasons before "
                                                                  "joining Hull, after a trial.", True),
])
def test_a_word_for_its_opposite_is_refused(claim, evidence, supported):
    assert_verdict(claim, evidence, supported, "contradiction")


# A thing given an owner the evidence never gives it (Gemma 3 270M on MultiLing M002: "detained by Iran's navy"
# where the navy is the crew's own; our own sentences, built like it).
@pytest.mark.parametrize("claim,evidence,supported", [
    ("The sailors were held by Spain's navy.", "Details of the ten French Navy sailors' capture by Spain were given.",
     False),
    ("The sailors were captured by Spain.", "Details of the ten French Navy sailors' capture by Spain were given.", True),
    ("Spain's navy held the sailors.", "The Spanish navy held the ten sailors, Spain said.", True),
])
def test_an_owner_the_evidence_does_not_give_is_refused(claim, evidence, supported):
    assert_verdict(claim, evidence, supported, "roles")


# A model rewriting (or fusing) sentences that say "police said" must keep the speaker; the check itself lets a
# claim drop a plain "said", as outlets do (SmolLM2 fused "Police said the Americans did not have ..." into a bare
# statement, MultiLing M006; our own sentences, built like it).
@pytest.mark.parametrize("claim,evidence,dropped", [
    ("The two men had no papers to take the boat out of the port.",
     "Police said the two men did not have papers to take the boat out of the port.", True),
    ("The two men had no papers to take the boat out of the port, police said.",
     "Police said the two men did not have papers to take the boat out of the port.", False),
    ("The two men had no papers to take the boat out of the port.",
     "The two men had no papers to take the boat out of the port.", False),
])
def test_a_rewritten_sentence_keeps_its_speaker(claim, evidence, dropped):
    assert bool(support.dropped_speaker(claim, evidence)) == dropped
