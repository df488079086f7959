"""What kind of answer a question expects, and whether a paragraph can give it.

Some questions name the *type* of their answer: "How many ...?" wants a number, "What percentage ...?"
a percentage, "What is the budget of ...?" an amount of money, "When ...?" or "Is there a deadline
...?" a time, "In which month ...?" a month (a year is not precise enough), "In which city ...?" a
place, "How does the text define ...?" a definition, "Who voted against ...?" a vote. A paragraph
without any expression of that type cannot answer such a question, however many of its words it
shares: "Recalling the full deployment of MONUC" does not give MONUC's budget, and "within 12 months"
gives no number of humanitarian workers. This is the expected-answer-type filter of
classic question answering. Retrieval favours the candidates that give the asked type
(``rag.retrieve``); the answerer abstains when none of the paragraphs it would cite does (``rag.answer``).

>>> expected_types("What is the budget of the mission for 2003?")
(<AnswerType.MONEY: 'amount of money'>,)
>>> gives(AnswerType.MONEY, "Recalling its resolution 1291 (2000) on the deployment of the mission,")
False
>>> gives(AnswerType.MONEY, "investment in research should reach 2 billion dollars annually,")
True

Only the wording that fixes an answer type counts: "What does the text say about the budget?" asks
about a topic, not for an amount, and gets no type. The patterns follow English question forms and
UN drafting (dates, sessions, "every four years", "“X” means"), not any one document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from rag.countries import countries_in, country_named_by
from rag.lexical import tokenize
from rag.types import MONTHS


class AnswerType(StrEnum):
    """The type of expression a question's answer must contain (the value names it in messages)."""

    QUANTITY = "number"
    PERCENTAGE = "percentage or fraction"
    MONEY = "amount of money"
    TIME = "date or session"
    DATE = "calendar date"
    YEAR = "year"
    MONTH = "month"
    DAY = "day and month"
    PLACE = "place"
    CITY = "city or town"
    FREQUENCY = "frequency"
    DURATION = "duration"
    DEADLINE = "time limit"
    DEFINITION = "definition"
    VOTE = "vote"
    PENALTY = "penalty or sanction"
    COUNTRY = "country"
    REASON = "reason"
    PERSON = "person's name"


_FLAGS = re.IGNORECASE
#: The start of a question written as a noun phrase ("Exact dates of the Congress?", "Budget for the sessions?").
_OPENS = r"^\W*(?:(?:and|also|so)\s+)?(?:the\s+|its\s+)?"
#: Words of a fraction ("two thirds", "one quarter"); matched in lower case only (see ``AnswerType.PERCENTAGE``).
_FRACTIONS = r"(?:thirds?|quarters?|fifths?|tenths?)"

# ---- what the question asks for
_ASKS: dict[AnswerType, re.Pattern[str]] = {
    # "How many ...?", "How much ...?", "What is the number of ...?"
    AnswerType.QUANTITY: re.compile(
        r"\bhow\s+(?:many|much)\b|\bwhat\s+(?:is|was|are|were)\s+the\s+(?:\w+\s+)?(?:number|total|size)\s+of\b|"
        r"\bwhat\s+number\b|"
        # a noun phrase for a question: "Maximum number of days of detention?"
        rf"{_OPENS}(?:\w+\s+)?(?:number|total)\s+of\b",
        _FLAGS,
    ),
    # "What percentage ...?", "By what percentage ...?", "What share / proportion / fraction of ...?"
    AnswerType.PERCENTAGE: re.compile(
        r"\b(?:what|which)\s+(?:is\s+the\s+|was\s+the\s+)?(?:percentage|per\s*cent|percent|share|proportion|"
        r"fraction)\b|\bhow\s+many\s+per\s*cent\b",
        _FLAGS,
    ),
    # "What is the budget of ...?", "What budget is allocated ...?", "How much money/funding ...?"
    AnswerType.MONEY: re.compile(
        r"\bwhat\s+(?:is|was|are|were|will\s+be)\s+(?:the|[\w\-]+['’]s)\s+(?:\w+\s+)?(?:budget|cost|costs|price|amount|"
        r"funding\s+level)\b|\bwhat\s+(?:\w+\s+)?budget\s+(?:is|was|has|will|does|do|did)\b|\bhow\s+much\s+(?:money|funding|financing)\b|"
        r"\bhow\s+much\b.*\b(?:cost|costs|spend|spent|pay|paid|price)\b|"
        rf"{_OPENS}(?:\w+\s+)?(?:budget|cost|costs)\s+(?:of|for)\b",
        _FLAGS,
    ),
    # "When ...?", "Since when ...?", "What year ...?", "At which session ...?", "What is the timetable?"
    AnswerType.TIME: re.compile(
        r"^\s*(?:(?:since|from)\s+)?when\b|\b(?:what|which)\s+session\b|\bhow\s+soon\b|"
        r"\b(?:time\s*frame|timeframe|timetable|timeline|schedule)s?\b",
        _FLAGS,
    ),
    # "What date ...?": a year, a month or a day, not a session
    AnswerType.DATE: re.compile(r"\b(?:what|which)\s+(?:date|day)\b", _FLAGS),
    # "In which year ...?", "Which month ...?", "On what exact date ...?": that precision, not less
    AnswerType.YEAR: re.compile(r"\b(?:what|which)\s+year\b", _FLAGS),
    AnswerType.MONTH: re.compile(r"\b(?:what|which)\s+month\b", _FLAGS),
    AnswerType.DAY: re.compile(
        r"\b(?:what|which)\s+(?:exact|precise|specific)\s+(?:dates?|days?)\b|\bon\s+(?:what|which)\s+(?:date|day)\b|"
        r"\b(?:what|which)\s+day\s+of\b|"
        rf"{_OPENS}(?:exact|precise|specific)\s+(?:dates?|days?)\b",
        _FLAGS,
    ),
    # "Where will the meetings be held?", "In which country ...?": a place named in the text
    AnswerType.PLACE: re.compile(
        r"\b(?:in|at)\s+(?:which|what)\s+(?:country|countries|place|location)\b|"
        r"^\s*where\b.*\b(?:held|hold|holds|take\s+place|took\s+place|taking\s+place|convene[ds]?|convening|meet|"
        r"met|located|hosted|based|headquartered|venue|adopted|signed|issued)\b",
        _FLAGS,
    ),
    # "Which country offered ...?", "Which Government ...?", "Which country's conflict ...?": one country, named
    # (the plural "Which States ...?" is often answered by a kind of State: "States parties", "all Member States")
    AnswerType.COUNTRY: re.compile(
        r"\b(?:which|what)\s+(?:country|nation|(?:member\s+)?state|government)(?:['’]s)?(?!\w)|"
        # "Which countries have ratified ...?": those that did something, not those asked to ("are urged")
        r"\b(?:which|what)\s+(?:countries|nations|(?:member\s+)?states|governments)\s+(?:have\s+|had\s+|has\s+)?"
        r"(?!been\b|need\b|voted\b|abstained\b)[a-z]+ed\b",
        _FLAGS),
    # "In which city ...?", "At what venue ...?": a place within a country
    AnswerType.CITY: re.compile(
        rf"\b(?:which|what)\s+(?:city|cities|town|towns|venue|venues|capital)\b|{_OPENS}(?:venue|host\s+city)\s+of\b",
        _FLAGS),
    # "How often ...?", "At what intervals ...?"
    AnswerType.FREQUENCY: re.compile(r"\bhow\s+(?:often|frequently|regularly)\b|\bat\s+what\s+intervals?\b", _FLAGS),
    # "How long ...?", "For how many days ...?"
    AnswerType.DURATION: re.compile(
        r"\bhow\s+long\b|\bfor\s+how\s+many\s+(?:days|weeks|months|years)\b|\bwhat\s+(?:is\s+the\s+)?duration\b",
        _FLAGS,
    ),
    # "By when ...?", "Until when ...?", "Is there a deadline / time limit / target date ...?": a limit to come,
    # which the date of an earlier resolution ("of 19 December 2017") does not give
    AnswerType.DEADLINE: re.compile(
        r"^\s*(?:by|until|till)\s+when\b|\bby\s+what\s+(?:date|time|year)\b|"
        r"\b(?:deadline|time[\s\-]*limit|due\s+date|target\s+date|cut-?off\s+date)s?\b",
        _FLAGS,
    ),
    # "How does the text define X?", "What is the definition of X?", "What is meant by X?", "What does X mean?"
    AnswerType.DEFINITION: re.compile(
        r"\bdefin(?:e|es|ed|ing|ition|itions)\b|\bmeant\s+by\b|\bwhat\s+(?:does|do)\b.*\bmean\s*\??\s*$|"
        r"\bmeaning\s+of\b",
        _FLAGS,
    ),
    # "Who voted against ...?", "How many votes ...?", "Was it adopted unanimously?", "Which countries abstained?"
    AnswerType.VOTE: re.compile(
        r"\bvot(?:e|es|ed|ing)\b|\babstained\b|\babstentions?\b|\bunanimous(?:ly)?\b|\bin\s+favou?r\s+of\s+the\s+"
        r"(?:resolution|draft|text)\b",
        _FLAGS,
    ),
    # "What minimum prison sentence ...?", "What sanctions does it impose?", "What penalty applies?"
    AnswerType.PENALTY: re.compile(
        r"\b(?:what|which)\s+(?:\w+\s+){0,2}?(?:penalt(?:y|ies)|punishments?|sanctions?|fines?)\b|"
        r"\b(?:what|which)\s+(?:\w+\s+){0,2}?(?:prison|jail|custodial|minimum|maximum)\s+(?:\w+\s+)?sentences?\b",
        _FLAGS,
    ),
}
#: "Why ...?", "For what reason ...?": a paragraph stating a cause or a purpose ("owing to the pandemic", "for
#: technical reasons"), which a bare decision ("Welcomes the offer of X to host the Congress") does not
_REASON_ASKED = re.compile(
    r"^\W*(?:(?:and|but|so)\s+)?why\b|\b(?:for\s+what|what\s+(?:is|was|were|are)\s+the)\s+reasons?\b|"
    r"\bwhat\s+(?:prompted|motivated|led\s+to|caused)\b",
    _FLAGS,
)
_ASKS[AnswerType.REASON] = _REASON_ASKED
#: "Who is the Special Representative ...?", "Who were the Co-Chairmen ...?", "Who chairs the Commission?": a person
#: by name (not "Who is asked to report?", whose answer is a body)
_ASKS[AnswerType.PERSON] = re.compile(
    r"^\W*(?:(?:and|so)\s+)?who\s+(?:(?:is|was|are|were)\s+(?:the\s+)?(?:current\s+|new\s+|first\s+)?"
    r"(?:[\w\-’']+\s+){0,2}?(?:chair(?:man|men|person|woman|s)?|co-chair(?:man|men|s)?|president|head|"
    r"director(?:-general)?|representatives?|envoys?|rapporteurs?|coordinators?|commissioner|ambassadors?|"
    r"ministers?|judges?|prosecutors?|leaders?|spokes(?:person|man|woman)|secretary(?:-general)?)\b(?!\s+(?:asked|"
    r"requested|invited|called|urged|encouraged|to)\b)|(?:chairs|chaired|presides|presided)\b)",
    _FLAGS,
)

#: A second question joined to the first ("When was it set up, and by which resolution?"): a paragraph answering
#: either part is an answer, so the type of one part is not required.
_SECOND_PART = r"(?:(?:by|to|from|in|for|with|on)\s+)?(?:which|what|who|whom|whose|why|how|where|when)\b"
_SECOND_QUESTION = re.compile(rf"\b(?:and|or)\s+{_SECOND_PART}", _FLAGS)
#: A part that is only a question word ("and when?", "and why?", "and by whom?", "and how many?").
_BARE_QUESTION_WORD = re.compile(
    r"^\W*(?:(?:by|in|at|for|until|to|from)\s+)?(?:why|when|where|whom?|how(?:\s+(?:long|often|many|much|soon))?|"
    # "and what is the deadline?", as a chat fragment "And the deadline?" is completed
    r"what\s+(?:is|are|was|were)\s+(?:the|its)\s+[\w\-]+(?:\s+[\w\-]+)?)\W*$", _FLAGS)
#: Where to cut a question in two parts: before the second part's "by which", "how", "when" ...
_SECOND_QUESTION_SPLIT = re.compile(rf"[,;]?\s*\b(?:and|or)\s+(?={_SECOND_PART})", _FLAGS)
#: Two question words sharing one clause: "Where and when did the Congress take place?"
_WORD_PAIR = re.compile(r"\b(where|when|how|who|what|which)\s+(?:and|or)\s+(where|when|how|who|what|which)\b", _FLAGS)

# ---- what a paragraph can answer with
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|"
    r"trillion|dozen|half|double|twice|single|several"
)
_MONTHS = "|".join(month.lower() for month in MONTHS)
_ORDINALS = (
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|fortieth|fiftieth|sixtieth|"
    r"seventieth|eightieth|ninetieth|hundredth"
)
_YEAR = r"(?:19|20)\d{2}"
#: Capitalised words after "in" or "at" that name no place.
_NOT_PLACES = (
    r"Annex|Annexes|Article|Articles|Chapter|Part|Section|Paragraph|Resolution|Resolutions|Decision|General|Security|"
    r"Economic|Human|Member|Members|States?|Council|Assembly|Commission|Committee|Conference|Congress|Government|"
    r"Governments|Secretary|Secretariat|Office|Programme|Agenda|Convention|Conventions|Protocols?|Declaration|Plan|"
    r"Strategy|Charter|Rules|Guidelines|Principles|Framework|Its|Their|This|That|These|Those|All|Each|Accordance|"
    r"Particular|Order|Addition|View|Light|Line|Support|Cooperation|Consultation|Coordination|Partnership"
)
_UNITS = r"(?:days?|weeks?|months?|years?|hours?|decades?)"
#: References that contain digits but state no quantity: resolution and document numbers, dates, years,
#: ordinals, paragraph numbers ("resolution 1291 (2000)", "A/RES/73/3", "of 15 June 2017", "its 1854th meeting",
#: "paragraph 5").
_REFERENCES = re.compile(
    rf"\b[A-Z]{{1,5}}(?:/[A-Z0-9.\-]+)+\b|\b\d+/\d+\b|\b\d{{1,5}}\s*\({_YEAR}\)|"
    rf"\b\d{{1,2}}\s+(?:{_MONTHS})\s+{_YEAR}\b|\b(?:{_MONTHS})\s+{_YEAR}\b|\b{_YEAR}\b|\b\d+(?:st|nd|rd|th)\b|"
    r"\b(?:paragraphs?|articles?|rules?|sections?|annex|chapter|resolutions?|decisions?)\s+"
    r"\d+[\w./()\-]*(?:\s*(?:,|and|to)\s*\d+[\w./()\-]*)*",
    _FLAGS,
)
_NAMED_PLACE = re.compile(
    rf"(?<![A-Za-z])(?:[Ii]n|at)\s+(?:the\s+(?:city\s+of\s+)?)?(?!(?i:{_MONTHS}|{_ORDINALS}|{_NOT_PLACES})\b)"
    r"(?!United\s+Nations\b)[A-Z][\w’'\-]+"
)
_GIVES: dict[AnswerType, re.Pattern[str]] = {
    # a number word, not an ordinal ("seventy-ninth") or the pronoun "one" ("one of", "one another", "no one")
    AnswerType.QUANTITY: re.compile(
        rf"\d|(?<!\bno\s)\b(?!one\s+(?:of|another)\b)(?:{_NUMBER_WORDS})\b(?!-(?:{_ORDINALS}))|\bper\s*cent\b|%",
        _FLAGS,
    ),
    AnswerType.DATE: re.compile(rf"\b{_YEAR}\b|\b(?:{_MONTHS})\b", _FLAGS),
    AnswerType.YEAR: re.compile(rf"\b{_YEAR}\b"),
    AnswerType.MONTH: re.compile(rf"\b(?:{_MONTHS})\b", _FLAGS),
    AnswerType.DAY: re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b", _FLAGS),
    AnswerType.PERCENTAGE: re.compile(
        # fractions are lower case: "Third" and "Quarter" in a name are ordinals ("the Third International Conference")
        rf"\d\s*(?:per\s*cent|percent|%)|\b(?:half|halve|halving)\b|(?-i:\b{_FRACTIONS}\b)",
        _FLAGS,
    ),
    # "in Vienna", "at Kyoto", "in the city of Doha": a capitalised name after "in" or "at" that is not a month, an
    # ordinal, a document part or an institution ("in Annex I", "in General Assembly resolution", "at the Fifteenth
    # Congress"); for a place, also a country named by its Government ("the offer of the Government of Qatar to host
    # the Congress", "Praising the Government of Japan for conducting the Congress")
    AnswerType.CITY: _NAMED_PLACE,
    AnswerType.PLACE: re.compile(rf"{_NAMED_PLACE.pattern}|\bGovernments?\s+of\s+(?:the\s+)?[A-Z]"),
    AnswerType.MONEY: re.compile(
        r"(?:US\s?\$|\$|€|£|\bUSD|\bEUR)\s?\d|\b\d[\d,.]*\s*(?:(?:thousand|million|billion|trillion)\s+)?"
        r"(?:(?:United\s+States|US)\s+)?(?:dollars|euros|francs|pounds)\b|"
        rf"\b(?:{_NUMBER_WORDS})\s+(?:(?:United\s+States|US)\s+)?(?:dollars|euros|francs|pounds)\b",
        _FLAGS,
    ),
    AnswerType.TIME: re.compile(
        rf"\b(?:{_MONTHS})\b|\b{_YEAR}\b|\bsessions?\b|\b(?:{_ORDINALS})\s+(?:meeting|congress|conference|year)\b|"
        rf"\b{_UNITS}\b|\b(?:annual(?:ly)?|yearly|biennial(?:ly)?|quadrennial(?:ly)?|periodic(?:ally)?|regularly|"
        r"immediately|promptly|swiftly|without\s+delay|forthwith|as\s+soon\s+as|no\s+later\s+than|deadline|"
        r"timetable|timeline|time\s*frame|time\s*limit|until|by\s+the\s+end\s+of|expire[sd]?)\b",
        _FLAGS,
    ),
    AnswerType.FREQUENCY: re.compile(
        r"\b(?:annual(?:ly)?|biennial(?:ly)?|triennial(?:ly)?|quadrennial(?:ly)?|every|each\s+(?:year|month|session)|"
        r"twice|once\s+a|quarterly|monthly|yearly|regular(?:ly)?|periodic(?:ally)?|per\s+(?:year|annum))\b",
        _FLAGS,
    ),
    AnswerType.DURATION: re.compile(
        rf"\b(?:\d[\d,.]*|{_NUMBER_WORDS}|a)\s+(?:\w+\s+)?{_UNITS}\b|\b(?:duration|exceed|until|period)\b", _FLAGS
    ),
    AnswerType.DEADLINE: re.compile(
        rf"\bby\s+(?:the\s+(?:end|middle|beginning)\s+of\s+)?(?:(?:\d{{1,2}}\s+)?(?:{_MONTHS})\s+)?{_YEAR}\b|"
        rf"\bwithin\s+(?:a|an|the\s+next|{_NUMBER_WORDS}|\d+)\s+(?:\w+\s+)?{_UNITS}\b|"
        r"\b(?:at|to)\s+its\s+(?:next|[a-z]+(?:-[a-z]+)?)\s+(?:regular\s+|substantive\s+)?session\b|"
        r"\b(?:no\s+later\s+than|not\s+later\s+than|before\s+the\s+end\s+of|deadline|time[\s\-]*limit|"
        r"expir(?:e|es|ed|y|ation)|until|till|due\s+(?:by|on|in))\b",
        _FLAGS,
    ),
    AnswerType.DEFINITION: re.compile(
        r"\bdefin(?:e|es|ed|ition|itions)\b|\brefers?\s+to\b|\bshall\s+mean\b|[”\"’']\s+means\b|"
        r"\bis\s+understood\s+(?:as|to)\b|\bunderstood\s+as\b|\bfor\s+the\s+purposes?\s+of\s+(?:this|the\s+present)\b"
        r"|\bthe\s+terms?\s+[“\"‘']",
        _FLAGS,
    ),
    AnswerType.VOTE: re.compile(
        r"\bvot(?:e|es|ed|ing)\b|\babstentions?\b|\babstained\b|\bunanimous(?:ly)?\b|\bin\s+favou?r\b",
        _FLAGS,
    ),
    # a cause or purpose; or a preambular paragraph, which states what the decisions are taken in view of
    # ("Concerned that ...", "Recognizing ...")
    AnswerType.REASON: re.compile(
        r"\b(?:because|owing\s+to|due\s+to|on\s+account\s+of|as\s+a\s+(?:result|consequence)\s+of|in\s+view\s+of|"
        r"in\s+(?:the\s+)?light\s+of|given\s+(?:that|the)|reasons?|in\s+order\s+to|so\s+as\s+to|with\s+a\s+view\s+to|"
        r"for\s+the\s+purpose\s+of|aim(?:ed|ing)?\s+(?:at|to)|in\s+response\s+to|considering|convinced|since)\b|"
        r"^\W*(?:(?:also|further|deeply|gravely|strongly|seriously|bearing)\s+)?(?:[a-z]+ing|aware|concerned|convinced|"
        r"mindful|alarmed|cognizant|conscious|determined|desirous)\b",
        _FLAGS,
    ),
    # a person named with a title: "Mr. Cyrus Vance", "Lord Owen"
    AnswerType.PERSON: re.compile(r"\b(?:Mr|Ms|Mrs|Mme|Dr|Sir|Lord|Lady|Dame|H\.\s?E)\.?\s+[A-Z][a-z]"),
    AnswerType.PENALTY: re.compile(
        # "punishable by", "punishment", not the verb: "prosecuting and punishing trafficking" states no penalty
        r"\b(?:sentenc\w*|penalt(?:y|ies)|punish(?:able|ments?)|sanction\w*|fines?|imprison\w*|prison|custod\w*|"
        r"embargo\w*|asset\s+freez\w*|travel\s+bans?)\b",
        _FLAGS,
    ),
}


def expected_types(question: str, *, every_part: bool = False) -> tuple[AnswerType, ...]:
    """The answer types ``question`` asks for, in declaration order (none for most questions).

    >>> expected_types("How many votes did the draft receive?")
    (<AnswerType.QUANTITY: 'number'>, <AnswerType.VOTE: 'vote'>)
    >>> expected_types("Is there a deadline to ratify the conventions?")
    (<AnswerType.DEADLINE: 'time limit'>,)
    >>> expected_types("What must the Secretary-General do when safety issues arise?")
    ()
    >>> expected_types("What does the text say about the budget?")
    ()

    A question in two parts asks only for the types that every part asks for, since a paragraph answering
    either part answers it; with ``every_part``, for the types that any part asks for (for ranking: a
    paragraph giving the types of all parts is then the better one).

    >>> expected_types("When was the Office set up, and by which resolution?")
    ()
    >>> expected_types("Was it adopted unanimously, and what was the vote?")
    (<AnswerType.VOTE: 'vote'>,)
    >>> expected_types("Who is asked to report back, and when?", every_part=True)
    (<AnswerType.TIME: 'date or session'>,)

    A last part that is a question word alone ("..., and when?", as a follow-up is completed) asks for its type:

    >>> expected_types("What does resolution 1445 ask of the Secretary-General, and why?")
    (<AnswerType.REASON: 'reason'>,)
    >>> expected_types("What does resolution 1445 ask of the Secretary-General, and what is the deadline?")
    (<AnswerType.DEADLINE: 'time limit'>,)

    Two question words sharing one clause make two parts, each asking with the rest of the clause:

    >>> expected_types("According to it, where and when did the Congress take place?", every_part=True)
    (<AnswerType.TIME: 'date or session'>, <AnswerType.PLACE: 'place'>)
    """
    pair = _WORD_PAIR.search(question)
    if pair:
        parts = [pair.group(n) + question[pair.end() :] for n in (1, 2)]
    elif _SECOND_QUESTION.search(question):
        parts = _SECOND_QUESTION_SPLIT.split(question)
    else:
        return tuple(kind for kind, pattern in _ASKS.items() if pattern.search(question))
    join = any if every_part else all
    # "..., and when?": a question word alone is what the question adds, so its type is asked for
    focus = parts[-1] if len(parts) > 1 and _BARE_QUESTION_WORD.match(parts[-1]) else None
    return tuple(kind for kind, pattern in _ASKS.items()
                 if join(pattern.search(part) for part in parts) or (focus is not None and pattern.search(focus)))


def gives(kind: AnswerType, text: str) -> bool:
    """Whether ``text`` contains an expression of type ``kind`` (for a number, one that is not part of a
    reference: a resolution number, a document symbol, a date or a year states no quantity).

    >>> gives(AnswerType.QUANTITY, "Recalling resolution 71/291 of 15 June 2017 and resolution 1373 (2001),")
    False
    >>> gives(AnswerType.QUANTITY, "the four pillars of the Strategy")
    True
    >>> gives(AnswerType.TIME, "Urges Member States to consider ratifying the conventions;")
    False
    >>> gives(AnswerType.TIME, "to report to the Commission at its twenty-ninth session")
    True
    """
    if kind is AnswerType.COUNTRY:
        return bool(countries_in(text))
    if kind is AnswerType.QUANTITY:
        text = _REFERENCES.sub(" ", text)
    return bool(_GIVES[kind].search(text))


#: The words after "how many" or "percentage of" that name what is counted or measured: up to five, ending
#: before a verb, a preposition or the end of the clause ("How many police officers does ...?").
_NAMED = (
    r"((?:[\w’'\-]+\s+){0,4}?[\w’'\-]+?)(?=\s+(?:are|is|was|were|do|does|did|have|has|had|will|would|should|shall|"
    r"can|could|must|may|might|been|of|in|for|to|on|at|from|by|with|under|per|according|that|which|who|"
    r"[a-z]{3,}ed)\b"  # or a verb in the past: "How many Member States attended ...?"
    r"|\s*[?,.;:]|\s*$)"
)
_HOW_MANY = re.compile(rf"\b(?:how\s+many|number\s+of)\s+{_NAMED}", _FLAGS)
_SHARE_OF = re.compile(rf"\b(?:percentage|per\s*cent|percent|share|proportion|fraction)\s+of\s+(?:the\s+)?{_NAMED}",
                       _FLAGS)
#: Words that count the same things in UN texts (stemmed): "troops" are counted as "military personnel".
_COUNTED_ALIKE = (
    frozenset({"troop", "soldier", "personnel", "militari", "forc", "peacekeep", "conting"}),
    frozenset({"peopl", "person", "individu"}),
    frozenset({"state", "countri", "nation", "govern"}),
)
_NUMBER = re.compile(rf"\d|^(?:{_NUMBER_WORDS})$", _FLAGS)
_SHARE = re.compile(rf"%|^(?:per|percent|half)$|(?-i:^{_FRACTIONS}$)", _FLAGS)
#: How many words apart a number and the word naming what it counts may be ("8,700 military personnel"). Four on
#: the dev split: three content words (stop words skipped) would also count "one quarter of the world's people
#: are infected" as an answer to "how many people died", a near miss of the fresh suite.
COUNT_WINDOW = 4


def counted(question: str) -> frozenset[str]:
    """The stems of what a "How many ...?" question counts, with the words that count the same things (empty
    for other questions, and for "how many times" or "how many per cent", which count nothing named).

    >>> sorted(counted("How many police officers does the resolution authorize?"))
    ['offic', 'polic']
    >>> sorted(counted("How many troops may the mission deploy?"))[:3]
    ['conting', 'forc', 'militari']
    >>> counted("How often will the Group meet?"), sorted(counted("How many Member States attended the Congress?"))
    (frozenset(), ['countri', 'govern', 'member', 'nation', 'state'])
    >>> sorted(counted("What is the maximum number of days of pretrial detention?"))
    ['day']
    """
    return _named(_HOW_MANY, question)


def counted_country(question: str) -> frozenset[str]:
    """The stems of the country a "How many ...?" question's things belong to ("How many Ugandan troops ...?"):
    a number of the troops of another country does not answer it. Empty when it names none.

    >>> sorted(counted_country("How many Ugandan troops had left the country?"))
    ['uganda', 'ugandan']
    >>> counted_country("How many troops may the mission deploy?"), counted_country("How many Member States voted?")
    (frozenset(), frozenset())
    """
    match = _HOW_MANY.search(question)
    if not match:
        return frozenset()
    stems: set[str] = set()
    for word in re.findall(r"\b[A-Z][a-z]+\b", match.group(1)):
        country = country_named_by(word)
        if country:
            stems |= set(tokenize(word)) | set(tokenize(country))
    return frozenset(stems)


def measured(question: str) -> frozenset[str]:
    """The stems of what a "What percentage / share of ...?" question measures a part of (empty otherwise).

    >>> sorted(measured("What percentage of their TB spending should come from domestic resources?"))
    ['spend', 'tb']
    >>> measured("By what percentage did deaths fall?")
    frozenset()
    """
    return _named(_SHARE_OF, question)


def _named(pattern: re.Pattern[str], question: str) -> frozenset[str]:
    match = pattern.search(question)
    if not match:
        return frozenset()
    stems = set(tokenize(match.group(1))) - {"time", "per", "cent", "percent"}
    for alike in _COUNTED_ALIKE:
        if stems & alike:
            stems |= alike
    return frozenset(stems)


#: A date or a year: its numbers count nothing ("held from 7 to 12 March 2021", "in 2018").
_DATE_NUMBERS = re.compile(
    rf"\b\d{{1,2}}(?:\s*(?:-|–|to|and)\s*\d{{1,2}})?\s+(?:{_MONTHS})(?:\s+{_YEAR})?\b|\b(?:{_MONTHS})\s+{_YEAR}\b"
    rf"|\b{_YEAR}\b", _FLAGS)


def counts(things: frozenset[str], text: str, country: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` gives a number of ``things`` (stems, see :func:`counted`): a number, not part of a
    reference or a date, at most ``COUNT_WINDOW`` words from one of them.

    >>> counts(counted("How many troops may the mission deploy?"), "an expansion to 8,700 military personnel")
    True
    >>> counts(counted("How many humanitarian workers were killed?"), "a briefing no later than 12 months after")
    False
    >>> counts(counted("How many Member States attended?"), "Member States met in Kyoto from 7 to 12 March 2021")
    False

    With ``country`` (:func:`counted_country`), the country must be near the number too:

    >>> question = "How many Ugandan troops left?"
    >>> counts(counted(question), "the withdrawal of 23,400 Rwandan troops and withdrawals by Uganda",
    ...        counted_country(question))
    False
    """
    return _near(things, _DATE_NUMBERS.sub(" ", text), _NUMBER, country)


def shares(things: frozenset[str], text: str) -> bool:
    """Whether ``text`` gives a percentage or fraction of ``things`` (stems, see :func:`measured`).

    >>> shares(measured("What percentage of deaths occur in poorer countries?"), "where 99 per cent of deaths occur")
    True
    >>> shares(measured("What share of TB spending is domestic?"), "65 per cent of all international financing")
    False
    """
    return _near(things, text, _SHARE)


def _near(things: frozenset[str], text: str, anchor: re.Pattern[str], also: frozenset[str] = frozenset()) -> bool:
    """Whether a word of ``text`` matching ``anchor`` (outside references) is at most ``COUNT_WINDOW`` words from
    one of ``things`` (and, when ``also`` is given, from one of ``also``)."""
    words = _REFERENCES.sub(" ", text).split()
    for index, word in enumerate(words):
        if anchor.search(word.strip("(),;:.")):
            near = set(tokenize(" ".join(words[max(0, index - COUNT_WINDOW) : index + COUNT_WINDOW + 1])))
            if things & near and (not also or also & near):
                return True
    return False


#: A question on when something happens ("When will the Congress be held?", "On what dates does it meet?") ...
_ASKS_EVENT = re.compile(
    r"\b(?:held|hold|take\s+place|took\s+place|taking\s+place|convene[ds]?|convening|meet|meets|met|begins?|began|"
    r"start(?:s|ed)?|open(?:s|ed)?|end(?:s|ed)?|close[ds]?|conclude[ds]?|"
    # or the dates of an event: "Exact dates of the Fifteenth Congress?"
    r"congress(?:es)?|meetings?|conferences?|summits?|segments?|sessions?|consultations?)\b",
    _FLAGS,
)
#: ... and not on when a text was adopted or issued, or a body acted by one ("On which date was resolution 77/231
#: adopted?", "When did the Assembly decide to hold the Congress?").
_ASKS_TEXT_DATE = re.compile(
    r"\b(?:adopt\w*|resolutions?|decisions?|decid\w*|request\w*|call\w*|agree\w*|establish\w*|proclaim\w*|"
    r"declar\w*|issued|signed|dated|published|approved|endorsed|documents?|texts?)\b",
    _FLAGS,
)
#: The date of a text a paragraph refers to: "resolution 77/231 of 15 December 2022", "its decision of 15 June 2017".
_TEXT_DATE = re.compile(
    rf"(?P<text>\b(?:resolutions?|decisions?)\b[^,;]{{0,40}}?\bof)\s+\d{{1,2}}\s+(?:{_MONTHS})\s+{_YEAR}\b", _FLAGS)
_DATE_TYPES = frozenset({AnswerType.TIME, AnswerType.DATE, AnswerType.YEAR, AnswerType.MONTH, AnswerType.DAY})


def event_dates(text: str) -> str:
    """``text`` without the dates of the texts it refers to, which say when those were adopted, not when anything
    happens.

    >>> event_dates("Recalling its resolution 77/231 of 15 December 2022, in which it decided to hold the Congress")
    'Recalling its resolution 77/231 of, in which it decided to hold the Congress'
    """
    return _TEXT_DATE.sub(lambda match: match.group("text"), text)


def missing_types(question: str, texts: Iterable[str]) -> tuple[AnswerType, ...]:
    """The answer types ``question`` asks for that no single one of ``texts`` gives (empty: it can be answered).

    A question asking for several types ("How many votes ...?") needs one text giving all of them; a "How
    many ...?" question, a number of the things it counts (:func:`counts`); a "What percentage of ...?"
    question, a share of what it names (:func:`shares`). A question on when something happens, not on a text,
    is not answered by the date of a text a paragraph refers to (:func:`event_dates`).

    >>> missing_types("When is the report due?", ["Requests a report at its next session;"])
    ()
    >>> missing_types("Is there a deadline to ratify?", ["Recalling its resolution 72/194 of 19 December 2017,"])
    (<AnswerType.DEADLINE: 'time limit'>,)
    """
    wanted = expected_types(question)
    if not wanted:
        return ()
    # what a number or a share must be of: "How many police officers", "What percentage of TB spending"
    of_what = {AnswerType.QUANTITY: (counted(question), _NUMBER, counted_country(question)),
               AnswerType.PERCENTAGE: (measured(question), _SHARE, frozenset())}
    # "Which country borders Uganda?" is not answered by a paragraph naming Uganda alone
    asked_about = set(countries_in(question))
    about_event = bool(_ASKS_EVENT.search(question)) and not _ASKS_TEXT_DATE.search(question)
    best: tuple[AnswerType, ...] = wanted
    for text in texts:
        dated = event_dates(text) if about_event else text
        missing = tuple(kind for kind in wanted
                        if not _gives_of(kind, dated if kind in _DATE_TYPES else text, of_what, asked_about))
        if len(missing) < len(best):
            best = missing
        if not best:
            break
    return best


def _gives_of(kind: AnswerType, text: str,
              of_what: dict[AnswerType, tuple[frozenset[str], re.Pattern[str], frozenset[str]]],
              asked_about: set[str]) -> bool:
    """``gives(kind, text)``, or for a number or share of named things, one near them (:func:`_near`); for a
    country, one that the question does not name (``asked_about``)."""
    if kind is AnswerType.COUNTRY:
        return bool(set(countries_in(text)) - asked_about)
    if kind in of_what and of_what[kind][0]:
        things, anchor, also = of_what[kind]
        if kind is AnswerType.QUANTITY:  # "99 per cent of deaths" is a share of them, not how many there are
            text = _PERCENTAGE_FIGURE.sub(" ", text)
        return _near(things, text, anchor, also)
    return gives(kind, text)


_PERCENTAGE_FIGURE = re.compile(r"\b\d[\d.,]*\s*(?:per\s*cent|percent|%)", _FLAGS)


def describe(kinds: Iterable[AnswerType]) -> str:
    """The types for a message: ``describe([AnswerType.QUANTITY, AnswerType.VOTE]) == "number or vote"``."""
    return " or ".join(kind.value for kind in kinds)

