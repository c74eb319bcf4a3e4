"""The support check, rule by rule, on real sentence pairs.

Pairs come from the seeds (examples/state-visit) and from MultiLing 2011 (WikiNews texts, CC BY 2.5;
the MultiLing 2011 pilot data set, CC BY 3.0, the MultiLing community).
"""
from briefing import support
from briefing.support import check


def test_paraphrase_that_states_the_claim_supports():
    # MultiLing: Haiti orphans; one word differs ("at" / "in").
    v = check("Their claimed intention was to move the quake victims to a temporary orphanage being set up at a "
              "hotel-resort in the neighbouring Dominican Republic.",
              "Their claimed intention was to move the quake victims to a temporary orphanage being set up in a "
              "hotel-resort in the neighbouring Dominican Republic.")
    assert v.verdict == support.SUPPORTS and v.reason is None


def test_reworded_negation_still_supports_but_a_dropped_negation_does_not():
    claim = "Police said the Americans did not have paperwork, nor permissions, to remove the children from the country."
    assert check(claim, "Police said the Americans did not have any paperwork or permissions to remove the children "
                        "from the country.").verdict == support.SUPPORTS
    v = check(claim, "Police said the Americans had paperwork and permissions to remove the children from the country.")
    assert v.verdict != support.SUPPORTS and "negat" in v.reason


def test_a_different_event_does_not_support():
    # MultiLing, Tour de France 2007: the overall win is not a stage win of another rider.
    v = check("Alberto Contador of Spain has won the 2007 Tour de France general classification.",
              "Alexander Vinokourov of Kazakhstan has won stage 13 of the 2007 Tour de France.")
    assert v.verdict != support.SUPPORTS
    assert "Contador" in v.reason


def test_a_different_number_does_not_support_and_the_reason_names_it():
    # Stage 15 is not stage 13, however alike the sentences read.
    v = check("Alexandre Vinokourov of Kazakhstan has won stage 15 of the 2007 Tour de France.",
              "Alexander Vinokourov of Kazakhstan has won stage 13 of the 2007 Tour de France.")
    assert v.verdict == support.PARTIAL
    assert "15" in v.reason and "13" in v.reason


def test_hedged_and_plain_do_not_support_each_other():
    hedged = ("Russian media reports suggest that Mr Putin and Mr Kim might sign a partnership agreement, "
              "potentially covering security issues.")
    plain = "Putin and Kim signed a partnership agreement."
    v = check(plain, hedged)
    assert v.verdict == support.PARTIAL and "hedge" in v.reason
    assert check(hedged, "Putin and Kim signed a comprehensive strategic partnership treaty in Pyongyang on "
                         "Wednesday.").verdict != support.SUPPORTS


def test_a_quote_without_its_speaker_does_not_confirm_who_said_it():
    claim = ('"Vino has tested positive having to do with a blood transfusion, and the team is leaving the Tour," '
             'team spokesperson Corinne Druey said.')
    v = check(claim, '"Vino has tested positive having to do with a blood transfusion, and the team is leaving the Tour."')
    assert v.verdict == support.PARTIAL and "Druey" in v.reason
    # The same quote with its speaker does.
    assert check(claim, 'Team spokesperson Corinne Druey said: "Vino has tested positive having to do with a blood '
                        'transfusion, and the team is leaving the Tour."').verdict == support.SUPPORTS


def test_a_missing_date_is_partial_with_the_reason():
    # MultiLing: the claim says Wednesday; the evidence does not.
    v = check('Iranian President Mahmoud Ahmadinejad on Wednesday announced that he would free the fifteen British '
              'captured navy personnel as a "gift to the British people."',
              "Iranian President Mahmoud Ahmadinejad has announced that the fifteen British captured navy personnel "
              "detained by Iran would be released, saying they have been pardoned as a gift to the British people.")
    assert v.verdict == support.PARTIAL and "Wednesday" in v.reason


def test_another_happening_in_the_same_story_is_none():
    v = check("At least half a million onlookers turned out to line the route as the Tour de France Prologue closed "
              "the streets of Central London for a day.",
              "Alexander Vinokourov of Kazakhstan has won stage 13 of the 2007 Tour de France.")
    assert v.verdict == support.NONE


def test_the_check_is_registered_by_name():
    assert support.Check.name == "rules"
    assert support.Check().check("Putin visited Pyongyang.", "Putin visited Pyongyang on Wednesday.").verdict \
        == support.SUPPORTS


def test_a_sentence_supports_itself():
    # Found on a fresh briefing: "According to" opening the sentence was not seen as naming a source.
    s = "According to All Nippon Airways, the unauthorised person was a passenger who had boarded the wrong flight."
    assert check(s, s).verdict == support.SUPPORTS


def test_a_thousands_comma_followed_by_a_space_is_read_not_a_crash():
    # Seen in a news article: "an increased police presence of some 1, 600 officers" (brief verify crashed on it).
    claim = "Security will be tight with an increased police presence of some 1, 600 officers."
    assert support._values(claim) == {1600.0}
    assert check(claim, claim).verdict == support.SUPPORTS
    other = "Security will be tight with an increased police presence of some 2,600 officers."
    assert check(claim, other).verdict != support.SUPPORTS
