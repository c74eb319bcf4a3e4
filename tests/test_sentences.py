from briefing.sentences import split


def test_abbreviations_titles_and_times_do_not_split():
    assert split("Mr. Putin met Mr. Kim at 3 a.m. local time. They spoke.") == [
        "Mr. Putin met Mr. Kim at 3 a.m. local time.", "They spoke."]


def test_country_abbreviations_inside_and_at_end_of_sentence():
    assert split("The U.S. said it was worried. The U.N. did not.") == [
        "The U.S. said it was worried.", "The U.N. did not."]
    assert split("She lives in the U.S. The next day, she left.") == [
        "She lives in the U.S.", "The next day, she left."]


def test_decimals_months_and_initials():
    assert split("It cost $3.5 billion on Jun. 18, up 2.5%. John F. Kennedy agreed.") == [
        "It cost $3.5 billion on Jun. 18, up 2.5%.", "John F. Kennedy agreed."]


def test_quotes_close_with_the_sentence():
    assert split('He said: "We will win." Officials agreed.') == ['He said: "We will win."', "Officials agreed."]
    assert split("“It is over,” she said. “We go home.”") == ["“It is over,” she said.", "“We go home.”"]


def test_number_abbreviation_only_before_a_number():
    assert split('It was No. 10 on the list. He said "No." He left.') == [
        "It was No. 10 on the list.", 'He said "No."', "He left."]


def test_every_sentence_is_a_slice_of_the_input_with_spaces_folded():
    text = "First   line\nwraps here.  Second one!  Third?"
    parts = split(text)
    assert parts == ["First line wraps here.", "Second one!", "Third?"]
    folded = " ".join(text.split())
    assert all(p in folded for p in parts)


def test_empty_input():
    assert split("   \n ") == []


def test_a_full_stop_glued_to_the_next_sentence_splits():
    from briefing.sentences import split

    text = "They move across the ocean.The rings were seen near Australia. U.S. troops left at 3.5 p.m. Friday."
    assert split(text) == ["They move across the ocean.", "The rings were seen near Australia.",
                           "U.S. troops left at 3.5 p.m. Friday."]


def test_one_opener_list_serves_the_splitter_the_ranking_the_standalone_check_and_the_names():
    from briefing import facts, merge, sentences, standalone

    for w in sentences.PRONOUN_OPENERS:
        text = f"{w} was expected to sign the agreement on Wednesday."
        assert merge.PRONOUN_START.match(text) and standalone.OPENING_PRONOUN.match(text), w
        assert w in sentences.STARTERS and w in facts.NOT_NAMES
    assert not merge.PRONOUN_START.match("Theirs is a long road.")  # a whole word only
    assert sentences.STARTERS <= facts.NOT_NAMES
    assert sentences.split("They met at 10 a.m. Those present agreed.") == ["They met at 10 a.m.", "Those present agreed."]


def test_one_statement_test_for_condensing_and_grounding():
    from briefing import condense, ground, sentences

    assert sentences.is_statement("The council approved the new budget on Monday.", 6, 70)
    assert not sentences.is_statement("Did the council approve the new budget?”", 6, 70)  # a question
    assert not sentences.is_statement("Budget approved.", 6, 70)
    assert condense.usable("The council approved the new budget on Monday.")
    assert not condense.usable("THE COUNCIL APPROVED THE NEW BUDGET ON MONDAY")  # no running text
    assert not ground.well_formed("Did the council approve the new budget on Monday?")
    assert [condense.keep_count(n) for n in (0, 4, 10, 100)] == [3, 3, 8, 40]
