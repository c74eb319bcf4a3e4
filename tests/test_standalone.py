"""Which sentences can be read on their own as claims. Real sentences from MultiLing 2011 (WikiNews,
CC BY 2.5; the MultiLing 2011 pilot data set, CC BY 3.0, the MultiLing community) and the seeds;
furniture in made-up words of the same form."""
import pytest

from briefing import extract
from briefing.standalone import furniture, reason, standalone
from briefing.types import RawDocument

TOUR = "Tour de France: Alexandre Vinokourov wins stage 15"


@pytest.mark.parametrize("text, headline", [
    ("Alberto Contador of Spain has won the 2007 Tour de France general classification.", TOUR),
    ("The earthquake was felt in Chillan, Talca, Concepcion, and the capital Santiago.", "Strong earthquake hits Chile"),
    ('"Vino has tested positive having to do with a blood transfusion, and the team is leaving the Tour," team '
     'spokesperson Corinne Druey said.', TOUR),
    ("Russian media reports suggest that Mr Putin and Mr Kim might sign a partnership agreement, potentially "
     "covering security issues.", "Putin visits North Korea"),
    ("Texans safety Corey Moore also injured his knee in the second half and didn't return.", "Steelers rout Texans"),
])
def test_whole_sentences_stand_alone(text, headline):
    assert reason(text, headline) is None


@pytest.mark.parametrize("text, headline, why", [
    ("He won by 23 seconds over Cadel Evans of Australia.", TOUR, "dangling"),
    ("The decision was made at this year's United Nations Climate Change Conference in Bali.",
     "Climate change talks continue in Bali", "dangling"),
    ("The earthquake was felt in Chillan, Talca, Concepcion, and the capital Santiago.",
     "Olympic torch faces protests", "dangling"),
    ("A fourth bomb exploded on a bus nearly an hour later in Tavistock Square.", "Tributes paid to the victims",
     "dangling"),
    ("After the speech the torch will be taken on a 31 mile relay around London.", "Olympic torch in London",
     "dangling"),
    ("The most recent meeting between the two leaders occurred in September.", "Putin visits North Korea", "dangling"),
    ('"Tour organizers have asked Astana Cycling Team to leave the race, which has been accepted spontaneously."',
     TOUR, "fragment"),
    ("We manage air evacuation missions, but without a destination to fly to we can't move anybody.",
     "US government to resume Haiti evacuations", "fragment"),
    ("TEXAS, US – A United States Army court martial found Army Spc.", "Abu Ghraib", "fragment"),
    ("Ambulances at Russell Square, London after the July 7, 2005 bombings.", "London bombings", "fragment"),
    ("Air France A330-200 F-GZCP lands at Paris-Charles de Gaulle Airport on March 28, 2007.", "Air France 447",
     "furniture"),
])
def test_what_cannot_be_read_alone_and_why(text, headline, why):
    got = reason(text, headline)
    assert got is not None and got.startswith(why), got
    assert not standalone(text, headline)


@pytest.mark.parametrize("text", [
    "What a launch. — Jane Roe (@janeroe) March 3, 2024",
    "Officials inspect the ship in the port. (Jane Roe/Agency via AP, File)",
    "The minister speaks to reporters on Monday. | Jane Roe/AP",
    "FILE - In this Friday, Dec. 29, 2017, file photo, a ship is seen in waters off the coast.",
    "Story highlights The minister resigned on Monday",
    "Chat with us in Facebook Messenger.",
    "Look back at the history of the city each day in 2017.",
    "Ministers Will Meet in Paris With New Plans, Officials Say The talks began.",
])
def test_furniture_by_form(text):
    assert furniture(text) is not None


def test_extract_drops_furniture_sentences_but_verify_keeps_them():
    doc = RawDocument(input="a.txt", text=(
        "Ministers met in Paris on Monday to agree a new budget for the agency.\n\n"
        "What a meeting this was for all of us. — Jane Roe (@janeroe) March 3, 2024\n\n"
        "Chat with us in Facebook Messenger.\n\n"
        "The budget rises by four percent next year, the ministers said.\n"))
    kept = [s.text for s in extract.build_article(doc, 1).sentences]
    assert kept == ["Ministers met in Paris on Monday to agree a new budget for the agency.",
                    "The budget rises by four percent next year, the ministers said."]
    everything = [s.text for s in extract.build_article(doc, 1, embeds=True).sentences]
    assert len(everything) > len(kept)
