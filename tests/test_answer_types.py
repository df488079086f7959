"""Expected answer types: what a question asks for, and whether a paragraph can give it."""

from __future__ import annotations

import pytest

from rag.answer_types import AnswerType, describe, expected_types, gives, missing_types

Q, M, T, D, DEF, V = (AnswerType.QUANTITY, AnswerType.MONEY, AnswerType.TIME, AnswerType.DEADLINE,
                      AnswerType.DEFINITION, AnswerType.VOTE)
F, L, DT = AnswerType.FREQUENCY, AnswerType.DURATION, AnswerType.DATE
YR, MO, DAY, P, PL = AnswerType.YEAR, AnswerType.MONTH, AnswerType.DAY, AnswerType.PERCENTAGE, AnswerType.PLACE


@pytest.mark.parametrize(
    ("question", "types"),
    [
        ("How many troops may the mission deploy?", (Q,)),
        ("How much should investment in research reach?", (Q,)),
        ("What is the number of States parties?", (Q,)),
        ("What is the budget of the mission for 2003?", (M,)),
        ("What budget is allocated to the Office for this?", (M,)),
        ("How much money goes to the trust fund?", (Q, M)),
        ("When must the Secretary-General report?", (T,)),
        ("How often will the Group meet?", (F,)),
        ("How long can the Congress last?", (L,)),
        ("How often and for how many days will the Group meet?", ()),  # two questions
        ("At which session is the report due?", (T,)),
        ("Is there a deadline for States to ratify?", (D,)),
        ("By when must the forces withdraw?", (D,)),
        ("By what date must States ratify the Convention?", (DT, D)),
        ("In which month of 2019 will the Group first meet?", (MO,)),
        ("In what year was the Convention adopted?", (YR,)),
        ("On what exact dates in 2026 will the Congress be held?", (DAY,)),
        ("On which day will the meeting open?", (DT, DAY)),
        ("In which city will the Congress take place?", (AnswerType.CITY,)),
        ("Where will the regional preparatory meetings be held?", (PL,)),
        ("By what percentage should incidence fall?", (P,)),
        ("Was it adopted unanimously, and what was the vote count?", (V,)),
        ("What minimum prison sentence should States impose on brokers?", (AnswerType.PENALTY,)),
        ("What sanctions does the resolution impose on the parties?", (AnswerType.PENALTY,)),
        ("Which sentence of the text mentions piracy?", ()),
        ("How much is the report expected to cost?", (Q, M)),
        ("What share of the target comes from domestic budgets?", (P,)),
        ("How does the text define terrorism?", (DEF,)),
        ("What is meant by trafficking in organs?", (DEF,)),
        ("Which countries voted against the resolution?", (V,)),
        ("Was it adopted unanimously?", (V,)),
        # no type: a topic, a conjunction "when", a question in two parts, a plain what/who/which question
        ("What does the text say about the budget?", ()),
        ("What must the Secretary-General do when safety issues arise?", ()),
        ("Who is asked to report back, and when?", (AnswerType.TIME,)),  # "and when?" adds the time
        ("When was the Office set up and by which resolution?", ()),
        ("What is UNODC asked to do on biometrics?", ()),
        ("Which guide does the text welcome?", ()),
        ("Where does the text refer to INTERPOL?", ()),  # where in the text, not a place
        ("Which country offered to host the Congress?", (AnswerType.COUNTRY,)),  # a country, not a location
        ("Which States are urged to ratify the conventions?", ()),  # plural: "all States" answers it
        ("When and where did the segment take place?", ()),  # two questions
    ],
)
def test_expected_types(question: str, types: tuple[AnswerType, ...]) -> None:
    assert expected_types(question) == types


@pytest.mark.parametrize(
    ("question", "types"),
    [
        # two question words in one clause: each asks with the whole clause, even after a lead-in
        ("According to the resolution, where and when did the Congress take place?", (T, PL)),
        ("When and where will the Group meet?", (T, PL)),
        ("Who is asked to report back, and when?", (T,)),
    ],
)
def test_expected_types_of_every_part(question: str, types: tuple[AnswerType, ...]) -> None:
    assert expected_types(question, every_part=True) == types


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (Q, "authorizes an increase of the military strength to 8,700 personnel", True),
        (Q, "across its four pillars", True),
        (Q, "to treat 40 million people", True),
        (Q, "99 per cent of deaths", True),
        # numbers inside references are no quantity
        (Q, "Recalling its resolutions 1291 (2000) and 1445 (2002), A/RES/73/3 and resolution 71/291,", False),
        (Q, "Recalling its decision of 15 June 2017 and paragraph 12 of resolution 70/1,", False),
        (Q, "the decision taken by the Council at its 1854th meeting, on 4 May 1973,", False),
        # ordinals in words and the pronoun "one" are no quantity either
        (Q, "to report at its seventy-ninth session, in the twenty-first century", False),
        (Q, "terrorism constitutes one of the most serious threats; States help one another; no one", False),
        (Q, "twenty-five members and one quarter of the world's people", True),
        (DT, "at its first session, in March", True),
        (DT, "resolution 72/194 of 19 December 2017", True),
        (DT, "at its next session", False),
        (YR, "at its first session, in March", False),
        (MO, "beginning in 2019", False),
        (MO, "at its first session, in March", True),
        (DAY, "to be held in 2026", False),
        (DAY, "in Vienna on 20 and 21 June 2018", True),
        (P, "65 per cent of all international financing", True),
        (P, "one quarter of the world's people", True),
        (P, "to end the epidemic by 2030", False),
        (P, "two thirds of the Member States", True),
        (P, "the Third International Conference on Financing for Development", False),  # an ordinal in a name
        (PL, "held in Vienna on 20 and 21 June 2018", True),
        (PL, "in the city of Doha", True),
        (AnswerType.PENALTY, "to prosecute all actors that knowingly engage in trafficking", False),
        (AnswerType.PENALTY, "investigating, prosecuting and punishing trafficking in persons", False),
        (AnswerType.PENALTY, "offences punishable by two years of deprivation of liberty", True),
        (AnswerType.PENALTY, "punishable by appropriate penalties that take into account the gravity", True),
        (AnswerType.PENALTY, "decides that all States shall impose an arms embargo", True),
        (PL, "to participate in the Fifteenth Congress at the highest level", False),
        (PL, "the offer of the Government of the United Arab Emirates to host the Congress, to be held in 2026", True),
        (AnswerType.CITY, "the offer of the Government of the United Arab Emirates to host the Congress", False),
        (AnswerType.CITY, "to be held in Kyoto, Japan", True),
        (PL, "Praising the Government of Japan for conducting the Fourteenth Congress", True),
        (PL, "to prepare a discussion guide for the regional preparatory meetings", False),
        (PL, "In accordance with General Assembly resolution 56/119, in United Nations operations, in March", False),
        (PL, "as set out in Annex I", False),
        (M, "should reach 2 billion dollars annually", True),
        (M, "a contribution of US$ 5,000,000 to the fund", True),
        (M, "Requests adequate resources from the regular budget", False),
        (M, "Recalling resolution 1291 (2000) on the mission", False),
        (T, "at its seventy-ninth session", True),
        (T, "shall meet biennially over a period of five days", True),
        (F, "shall convene biennial sessions", True),
        (F, "to provide a yearly briefing", True),
        (F, "at its seventy-ninth session", False),
        (L, "should not exceed eight days", True),
        (L, "over a period of five days", True),
        (L, "at its next session", False),
        (T, "in March 2026", True),
        (T, "Urges Member States to consider ratifying the conventions", False),
        (D, "no later than 12 months after the adoption", True),
        (D, "to withdraw its forces by 1 January 2003", True),
        (D, "within six months", True),
        (D, "at its next session", True),
        (D, "Recalling its resolution 72/194 of 19 December 2017,", False),
        (D, "Urges Member States that have not yet done so to become parties", False),
        (DEF, "For the purposes of the present resolution, “organ” means a differentiated part", True),
        (DEF, "the term “terrorism” refers to", True),
        (DEF, "terrorism in all its forms constitutes one of the most serious threats", False),
        (DEF, "by all means and ways and means of implementation", False),
        (V, "Adopted unanimously at its 3137th meeting", True),
        (V, "adopted without a vote", True),
        (V, "Welcomes the offer of the Government to host the Congress", False),
    ],
)
def test_gives(kind: AnswerType, text: str, expected: bool) -> None:
    assert gives(kind, text) is expected


def test_missing_types_needs_one_text_giving_every_asked_type() -> None:
    question = "How many votes did the draft receive?"
    assert len(missing_types(question, ["It was adopted by vote.", "Four pillars."])) == 1  # neither gives both
    assert missing_types(question, ["adopted by 14 votes to none"]) == ()
    assert missing_types("What does it say about piracy?", []) == ()
    assert missing_types("When is the report due?", []) == (T,)


RECALLED = ("Recalling its resolution 77/231 of 15 December 2022, in which it decided to hold the Fifteenth Congress "
            "in 2026,")


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        # when something happens: the date of the resolution that decided it is no answer, the year in the text is
        ("On what exact dates will the Fifteenth Congress be held?", (DAY,)),
        ("When will the Fifteenth Congress be held?", ()),
        # when a text was adopted, or a body acted by it: that date is the answer
        ("On which date was resolution 77/231 adopted?", ()),
        ("On what date did the Assembly decide to hold the Fifteenth Congress?", ()),
    ],
)
def test_the_date_of_a_recalled_text_dates_the_text_not_an_event(question: str,
                                                                 missing: tuple[AnswerType, ...]) -> None:
    assert missing_types(question, [RECALLED]) == missing


def test_describe_names_the_types_for_a_message() -> None:
    assert describe([Q, V]) == "number or vote"
    assert describe([M]) == "amount of money"


@pytest.mark.parametrize(
    ("question", "text", "missing"),
    [
        # a "How many ...?" question needs a number of what it counts, or of things counted alike
        ("How many troops may the mission deploy?", "to consist of up to 8,700 military personnel", ()),
        ("How many Rwandan soldiers had left?", "the withdrawal of 23,400 Rwandan troops", ()),
        ("How many people should be treated by 2022?", "to treat 40 million people with tuberculosis", ()),
        ("How many humanitarian workers were killed in 2023?",
         "a briefing no later than 12 months after the adoption of this resolution on humanitarian personnel", (Q,)),
        ("How many police officers does it authorize?", "up to 8,700 military personnel", (Q,)),
        # numbers in references count nothing; "how many times" names no thing, any number will do
        ("How many observers will be deployed?", "Recalling resolution 1291 (2000) on observers", (Q,)),
        ("How many times has the Council met?", "it met 12 times", ()),
        # a "What percentage / share of X?" question needs a share of X
        ("What percentage of deaths occur in developing countries?", "where 99 per cent of deaths occur", ()),
        ("What share of the yearly global tuberculosis investment target is domestic?",
         "the Global Fund, which provides 65 per cent of all international financing for tuberculosis", (P,)),
        ("By what percentage did deaths fall?", "reduced mortality by 37 per cent", ()),
    ],
)
def test_a_number_or_share_must_be_of_what_the_question_names(
    question: str, text: str, missing: tuple[AnswerType, ...]
) -> None:
    assert missing_types(question, [text]) == missing


def test_a_country_question_needs_a_country_the_question_does_not_name() -> None:
    question = "Which country offered to host the Congress?"
    assert missing_types(question, ["Welcoming the offer of the Government of Qatar to host the Congress,"]) == ()
    assert missing_types(question, ["Decides to hold the Congress in 2026, in Vienna,"]) == (AnswerType.COUNTRY,)
    near = "Which country's forces left Uganda?"
    assert missing_types(near, ["Welcomes the withdrawals by Uganda;"]) == (AnswerType.COUNTRY,)
    assert missing_types(near, ["Welcomes the withdrawals by Uganda and Rwanda;"]) == ()


def test_a_number_of_one_country_s_things_is_not_another_s() -> None:
    question = "How many Ugandan troops had left?"
    text = "the withdrawal of 23,400 Rwandan troops, as well as withdrawals by Uganda"
    assert missing_types(question, [text]) == (AnswerType.QUANTITY,)
    assert missing_types("How many Rwandan troops had left?", [text]) == ()


@pytest.mark.parametrize(
    ("question", "types"),
    [
        ("Why was the Congress postponed?", (AnswerType.REASON,)),
        ("For what reason was the text reissued?", (AnswerType.REASON,)),
        ("When was it reissued, and why?", (AnswerType.REASON,)),  # "and why?" adds the reason
        ("Exact dates of the Fifteenth Congress?", (AnswerType.DAY,)),
        ("Budget for the new sessions?", (AnswerType.MONEY,)),
        ("Venue of the Congress?", (AnswerType.CITY,)),
        ("What is the maximum number of days of detention?", (AnswerType.QUANTITY,)),
        ("What does the text say about the number of victims?", ()),  # a topic, not a count
    ],
)
def test_types_of_short_and_why_questions(question: str, types: tuple[AnswerType, ...]) -> None:
    assert expected_types(question) == types


def test_a_why_question_needs_a_cause_or_a_purpose() -> None:
    question = "Why was the Congress postponed?"
    assert missing_types(question, ["in which it decided to hold the Congress in 2021 owing to the pandemic,"]) == ()
    assert missing_types(question, ["Welcomes the offer of the Government of X to host the Congress;"]) == (
        AnswerType.REASON,)


@pytest.mark.parametrize(
    ("question", "types"),
    [
        ("Who were the Co-Chairmen of the Steering Committee?", (AnswerType.PERSON,)),
        ("Who is the Secretary-General's Special Representative for the DRC?", (AnswerType.PERSON,)),
        ("Who chairs the Commission this year?", (AnswerType.PERSON,)),
        ("Who is asked to report?", ()),
        ("Who is the Special Rapporteur asked to consult?", ()),
    ],
)
def test_who_holds_a_post_asks_for_a_person(question: str, types: tuple[AnswerType, ...]) -> None:
    assert expected_types(question) == types


def test_a_person_is_named_with_a_title() -> None:
    assert gives(AnswerType.PERSON, "commends the Co-Chairmen, Mr. Cyrus Vance and Lord Owen,")
    assert not gives(AnswerType.PERSON, "commends the Co-Chairmen of the Steering Committee")


@pytest.mark.parametrize(
    ("question", "types"),
    [
        ("What is MONUC's budget under 1445?", (AnswerType.MONEY,)),
        ("What budget does OOSA get?", (AnswerType.MONEY,)),
        ("Which countries have ratified the conventions?", (AnswerType.COUNTRY,)),
        ("Which countries voted against it?", (AnswerType.VOTE,)),  # a vote, whoever cast it
        ("Which States are urged to ratify the conventions?", ()),
    ],
)
def test_budgets_and_countries_that_acted(question: str, types: tuple[AnswerType, ...]) -> None:
    assert expected_types(question) == types


def test_a_share_is_no_count() -> None:
    text = "developing countries, where 99 per cent of tuberculosis-associated deaths occur"
    assert missing_types("How many TB deaths were there in 2017?", [text]) == (AnswerType.QUANTITY,)
    assert missing_types("How many deaths were there?", ["some 1.6 million deaths in 2017"]) == ()


def test_a_preambular_paragraph_states_why() -> None:
    question = "Why does the Council demand that the parties protect aid workers?"
    assert missing_types(question, ["Concerned by the growing number of attacks on humanitarian personnel,"]) == ()
    assert missing_types(question, ["Recognizing the role of humanitarian personnel,"]) == ()
    assert missing_types(question, ["Demands that all parties protect humanitarian personnel;"]) == (
        AnswerType.REASON,)
    assert expected_types("Who leads the coordination of the follow-up?") == ()  # a body may lead: no person
