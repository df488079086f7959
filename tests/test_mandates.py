"""Mandate map: action clauses (verb, addressees, action) of operative paragraphs.

The expected sets below were derived by reading the documents, paragraph by
paragraph; each entry says why the paragraph addresses the actor. Paragraphs
where the actor is only mentioned or is a beneficiary are listed too, as
exclusions that must not appear.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rag.aliases import AliasTable
from rag.cli import app
from rag.mandate_query import MandateQuery, filter_mandates, mandates_command, mandates_csv, parse_mandate_question
from rag.mandates import (
    ActionClause,
    DocumentContext,
    extract_mandates,
    extract_passage,
    normalise_verb,
    parse_actors,
    split_clauses,
)
from rag.types import Document, Passage

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "corpus" / "E-CN.15-2019-L.8-Rev.1.txt"
EXTRA = ROOT / "tests" / "data" / "extra"
SEED_SYMBOL = "E/CN.15/2019/L.8/Rev.1"

# ----------------------------------------------------------------------------- expected sets (seed)
#: Operative paragraphs of the seed that address UNODC (request, call upon, encourage, urge it).
SEED_UNODC = {
    "1": "second clause: 'and requests the United Nations Office on Drugs and Crime ... to continue to provide'",
    "3": "second clause: 'and requests the United Nations Office on Drugs and Crime, upon request ...'",
    "5": "'Requests the United Nations Office on Drugs and Crime, within its mandate, to provide'",
    "6": "'Also requests the United Nations Office on Drugs and Crime ... to strengthen'",
    "7": "'Calls upon Member States ... as well as UNODC and other relevant UN entities ... to share'",
    "9": "'Requests the United Nations Office on Drugs and Crime, in cooperation with INTERPOL ...'",
    "10": "second clause: 'and requests the United Nations Office on Drugs and Crime, whenever appropriate'",
    "11": "'Requests the United Nations Office on Drugs and Crime, within its mandate ...'",
    "12": "'Calls upon the United Nations Office on Drugs and Crime to further enhance'",
    "13": "'Requests the United Nations Office on Drugs and Crime, within its mandate ...'",
    "14": "'Calls upon the United Nations Office on Drugs and Crime to enhance its coordination'",
    "15": "'Requests the UNODC to continue providing technical assistance'",
    "16": "second clause: 'and calls upon the United Nations Office on Drugs and Crime ... to support'",
    "17": "second clause: 'and calls upon the United Nations Office on Drugs and Crime to continue'",
    "18": "second clause: 'and requests the United Nations Office on Drugs and Crime to continue'",
    "20": "'Requests the United Nations Office on Drugs and Crime to continue ... to develop'",
    "21": "'Also requests the United Nations Office on Drugs and Crime ... to continue to support'",
    "22": "'Further requests the United Nations Office on Drugs and Crime ... to continue to develop'",
    "23": "'Requests the United Nations Office on Drugs and Crime to provide'",
    "24": "'Also requests the United Nations Office on Drugs and Crime, through its Global Programme ...'",
    "25": "'Encourages the United Nations Office on Drugs and Crime ... to assist Member States'",
    "26": "last clause: 'and encourages the United Nations Office on Drugs and Crime to intensify'",
    "27": "'Urges the United Nations Office on Drugs and Crime ... to continue to strengthen'",
}
#: Seed paragraphs that name UNODC without addressing it.
SEED_UNODC_ONLY_MENTIONED = {
    "8": "Member States are encouraged to use platforms 'developed by' UNODC and 'provide the Office with' data",
    "19": "'Takes note with appreciation of the cooperation between ... the United Nations Office on Drugs and Crime'",
    "28": "appreciation to Member States that supported UNODC's activities; Member States are invited",
    "29": "the Secretary-General is requested 'to provide the United Nations Office on Drugs and Crime with' resources",
}
#: Seed paragraphs that address the Secretary-General.
SEED_SG = {
    "29": "'Requests the Secretary-General to continue to provide ... sufficient resources'",
    "30": "'Also requests the Secretary-General to submit ... a report'",
}
#: Seed paragraphs that address Member States.
SEED_MEMBER_STATES = {
    "1": "'Urges Member States that have not yet done so to consider becoming parties'",
    "2": "'Encourages Member States to consider ratifying' and 'calls upon Member States to implement'",
    "3": "'Encourages Member States to continue to promote'",
    "4": "'Calls upon Member States to continue to strengthen'",
    "7": "'Calls upon Member States including through relevant central authorities ... to share'",
    "8": "'Encourages Member States to use, as appropriate, the platforms and tools'",
    "16": "'Encourages Member States to further identify, analyse and counter'",
    "17": "'Calls upon Member States to strengthen efforts'",
    "18": "'Also calls upon Member States to strengthen their border management'",
    "26": "'Encourages Member States to take appropriate measures'",
    "28": "second clause: 'and invites Member States to consider making additional ... contributions'",
}
#: Seed paragraphs where Member States are only beneficiaries ("technical assistance to Member States").
SEED_MEMBER_STATES_BENEFICIARY = {"5", "9", "11", "14", "15", "23", "25", "29"}


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def seed_document() -> Document:
    from rag.parse import parse_file

    return parse_file(SEED)


@pytest.fixture(scope="module")
def seed_clauses(seed_document: Document) -> list[ActionClause]:
    return extract_mandates(seed_document.passages)


@pytest.fixture(scope="module")
def extra_clauses() -> dict[str, list[ActionClause]]:
    from rag.parse import parse_file

    found = {}
    for name in ("S_RES_2730_2024", "A_RES_77_236", "A_RES_79_172", "E_RES_2023_23", "S_RES_1445_2002",
                 "S_RES_787_1992"):
        document = parse_file(EXTRA / f"{name}.txt")
        found[name] = extract_mandates(document.passages)
    return found


def _numbers(clauses: list[ActionClause]) -> set[str]:
    return {c.number for c in clauses}


def _one(text: str, number: str = "1", doc: str = "X", **kw: object) -> list[ActionClause]:
    return extract_mandates([Passage(doc=doc, kind="operative", number=number, text=text, **kw)])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- seed: complete sets
def test_seed_unodc_is_addressed_in_exactly_these_paragraphs(seed_clauses: list[ActionClause]) -> None:
    assert _numbers(filter_mandates(seed_clauses, actor="UNODC")) == set(SEED_UNODC)


def test_seed_unodc_only_mentioned_is_not_addressed(seed_clauses: list[ActionClause]) -> None:
    addressed = _numbers(filter_mandates(seed_clauses, actor="UNODC"))
    assert not addressed & set(SEED_UNODC_ONLY_MENTIONED)
    for number in SEED_UNODC_ONLY_MENTIONED:
        mentioned = {m for c in seed_clauses if c.number == number for m in c.mentioned}
        assert "UNODC" in mentioned, number


def test_seed_secretary_general(seed_clauses: list[ActionClause]) -> None:
    assert _numbers(filter_mandates(seed_clauses, actor="Secretary-General")) == set(SEED_SG)


def test_seed_member_states(seed_clauses: list[ActionClause]) -> None:
    addressed = _numbers(filter_mandates(seed_clauses, actor="Member States"))
    assert addressed == set(SEED_MEMBER_STATES)
    assert not addressed & SEED_MEMBER_STATES_BENEFICIARY


@pytest.mark.parametrize("alias", ["UNODC", "unodc", "United Nations Office on Drugs and Crime",
                                   "the United Nations Office on Drugs and Crime", "UN Office on Drugs and Crime"])
def test_seed_actor_matches_any_alias(seed_clauses: list[ActionClause], alias: str) -> None:
    assert _numbers(filter_mandates(seed_clauses, actor=alias)) == set(SEED_UNODC)


def test_seed_verbs_and_modifiers(seed_clauses: list[ActionClause]) -> None:
    by_number: dict[str, list[ActionClause]] = {}
    for clause in seed_clauses:
        by_number.setdefault(clause.number, []).append(clause)
    assert [(c.verb, c.modifier) for c in by_number["6"]] == [("requests", "also"), ("welcomes", "")]
    assert [(c.verb, c.modifier) for c in by_number["22"]] == [("requests", "further")]
    assert [(c.verb, c.modifier) for c in by_number["18"]] == [("calls upon", "also"), ("requests", "")]
    assert [c.verb for c in by_number["9"]] == ["requests", "welcomes", "stresses"]
    assert [c.verb for c in by_number["19"]] == ["takes note"]
    assert by_number["19"][0].modifier == "with appreciation"
    assert [c.verb for c in by_number["28"]] == ["expresses appreciation", "invites"]
    assert [c.verb for c in by_number["10"]] == ["stresses", "requests"]
    assert by_number["10"][0].actors == ()


def test_seed_clause_actions_and_spans(seed_document: Document, seed_clauses: list[ActionClause]) -> None:
    texts = {p.number: p.text for p in seed_document.by_kind("operative")}
    first = next(c for c in seed_clauses if c.number == "1" and c.verb == "requests")
    assert first.action.startswith("to continue to provide technical assistance to Member States")
    assert "within its mandate" not in first.action
    op7 = next(c for c in seed_clauses if c.number == "7")
    assert op7.actors[:2] == ("Member States", "UNODC")
    assert op7.action.startswith("to share best practices")
    for clause in seed_clauses:
        start, end = clause.text_span
        assert 0 <= start < end <= len(texts[clause.number])
        assert clause.citation == f"{SEED_SYMBOL}, OP {clause.number}"
    # every operative paragraph has at least one clause, and clauses of one paragraph do not overlap
    assert {c.number for c in seed_clauses} == set(texts)


def test_seed_op9_partner_is_not_addressed(seed_clauses: list[ActionClause]) -> None:
    op9 = [c for c in seed_clauses if c.number == "9"]
    assert op9[0].actors == ("UNODC",)
    assert "INTERPOL" in op9[0].mentioned


# ----------------------------------------------------------------------------- extra documents
def test_security_council_requests_to_the_secretary_general(extra_clauses: dict[str, list[ActionClause]]) -> None:
    clauses = filter_mandates(extra_clauses["S_RES_2730_2024"], actor="Secretary-General", verb="requests")
    # OP 16 "Requests the Secretary-General to:" and its sub-paragraphs (a)-(d), which inherit the chapeau
    assert [c.label for c in clauses] == ["OP 16", "OP 16 (a)", "OP 16 (b)", "OP 16 (c)", "OP 16 (d)"]
    assert all(c.inherited for c in clauses[1:])
    assert clauses[1].action.startswith("Provide the Security Council")
    assert clauses[3].action.startswith("Continue to provide")
    # (d) has a clause of its own after the inherited one: "and expresses its intention to give ..."
    own = [c for c in extra_clauses["S_RES_2730_2024"] if c.label == "OP 16 (d)" and not c.inherited]
    assert [(c.verb, c.actors) for c in own] == [("expresses intention", ())]


def test_security_council_addressees(extra_clauses: dict[str, list[ActionClause]]) -> None:
    clauses = extra_clauses["S_RES_2730_2024"]
    # "Calls upon all States" (1, 2, 5, 10), "Urges all States that have not yet done so" (4),
    # "Urges States ..." and twice more in 13, "requests States to share information" (15)
    assert _numbers(filter_mandates(clauses, actor="States")) == {"1", "2", "4", "5", "10", "13", "15"}
    # "Calls upon all States and parties to armed conflict" (2), "Demands that all parties to armed conflict"
    # (3), "urges parties to armed conflict" (6), "Calls on all parties to armed conflict" (7), "Urges all ..." (9)
    assert _numbers(filter_mandates(clauses, actor="parties to armed conflict")) == {"2", "3", "6", "7", "9"}
    assert _numbers(filter_mandates(clauses, actor="Member States")) == {"12"}
    op13 = [c for c in clauses if c.number == "13"]
    assert [(c.verb, c.modifier) for c in op13] == [("urges", ""), ("urges", "further"), ("urges", "")]
    op15 = [c for c in clauses if c.number == "15"]
    assert [(c.verb, c.actors) for c in op15] == [
        ("expresses determination", ()), ("encourages", ()), ("requests", ("States",))
    ]


def test_general_assembly_organ_trafficking(extra_clauses: dict[str, list[ActionClause]]) -> None:
    clauses = extra_clauses["A_RES_77_236"]
    # 17 requests WHO, UNODC and OHCHR; 18 requests UNODC; 19 also requests UNODC.
    # 20 invites Member States and donors to provide resources *to* UNODC: a beneficiary, not addressed.
    assert _numbers(filter_mandates(clauses, actor="UNODC")) == {"17", "18", "19"}
    # 16 encourages the World Health Organization; 17 requests it
    assert _numbers(filter_mandates(clauses, actor="World Health Organization")) == {"16", "17"}
    assert _numbers(filter_mandates(clauses, actor="SG")) == {"21"}
    # sub-paragraphs (a)-(k) of 6 and (a)-(e) of 15 inherit "Urges Member States"
    urged = _numbers(filter_mandates(clauses, actor="Member States", verb="urge"))
    assert {"6(a)", "6(k)", "15(a)", "15(e)"} <= urged


def test_definite_descriptions_resolve_to_the_last_named_body(extra_clauses: dict[str, list[ActionClause]]) -> None:
    draft = extra_clauses["E_RES_2023_23"]
    # Draft OP 3 "Requests the Commission on Crime Prevention and Criminal Justice"; Draft OP 21 "Requests the
    # Commission to accord sufficient time": the same body
    assert {c.label for c in filter_mandates(draft, actor="CCPCJ")} == {"Draft OP 3", "Draft OP 21"}
    # A/RES/79/172: "the Office of the High Commissioner" after the full name
    justice = extra_clauses["A_RES_79_172"]
    assert _numbers(filter_mandates(justice, actor="OHCHR")) == {"25", "41"}
    assert _numbers(filter_mandates(justice, actor="UNODC")) == {"25", "41", "46"}
    # S/RES/787: "Welcomes the establishment of the Commission of Experts ..., and requests the Commission"
    yugoslavia = extra_clauses["S_RES_787_1992"]
    op8 = [c for c in yugoslavia if c.number == "8" and c.verb == "requests"]
    assert op8[0].actors == ("Commission of Experts",)


def test_ecosoc_recommendation_and_draft_requests(extra_clauses: dict[str, list[ActionClause]]) -> None:
    clauses = extra_clauses["E_RES_2023_23"]
    sg = [c.label for c in filter_mandates(clauses, actor="Secretary-General")]
    assert sg == ["Draft OP 10", "Draft OP 13", "Draft OP 14", "Draft OP 18", "Draft OP 23", "Draft OP 24"]
    reiterated = next(c for c in clauses if c.label == "Draft OP 1")
    assert (reiterated.verb, reiterated.modifier, reiterated.actors) == ("invites", "reiterates", ("Governments",))


def test_learned_acronyms_name_actors(extra_clauses: dict[str, list[ActionClause]]) -> None:
    clauses = extra_clauses["S_RES_1445_2002"]
    # "Calls upon MONUC to pay special attention" (12), "Encourages MONUC to continue its assessment" (18)
    assert _numbers(filter_mandates(clauses, actor="MONUC")) == {"12", "18"}
    from rag.parse import parse_file

    learned = AliasTable.builtin().learn(parse_file(EXTRA / "S_RES_1445_2002.txt").passages)
    long_form = "United Nations Organization Mission in the Democratic Republic of the Congo"
    assert _numbers(filter_mandates(clauses, actor=long_form, aliases=learned)) == {"12", "18"}
    # "requests the Secretary-General to report to the Council" (2), "requests the Secretary-General to
    # increase the presence of MONUC" (15)
    assert _numbers(filter_mandates(clauses, actor="Secretary-General")) == {"2", "15"}


def test_every_operative_passage_yields_a_clause(extra_clauses: dict[str, list[ActionClause]]) -> None:
    from rag.parse import parse_file

    for name, clauses in extra_clauses.items():
        document = parse_file(EXTRA / f"{name}.txt")
        labels = {p.label for p in document.passages if p.kind == "operative" and p.text.strip()}
        assert labels == {c.label for c in clauses}, name


def test_akn_and_text_agree_on_the_secretary_general() -> None:
    from rag.akn import load_akn

    document = load_akn(str(EXTRA / "akn" / "S_RES_2730_2024.akn.xml"))
    clauses = filter_mandates(extract_mandates(document.passages), actor="Secretary-General")
    assert [c.label for c in clauses] == ["OP 16", "OP 16 (a)", "OP 16 (b)", "OP 16 (c)", "OP 16 (d)"]


# ----------------------------------------------------------------------------- clause splitting
def _verbs(text: str) -> list[tuple[str, str]]:
    return [(verb, modifier) for _, _, verb, modifier, _ in split_clauses(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Urges Member States to act, and requests UNODC to help;", [("urges", ""), ("requests", "")]),
        ("Urges Member States to act; and requests UNODC to help;", [("urges", ""), ("requests", "")]),
        ("Urges Member States to act and requests UNODC to help;", [("urges", ""), ("requests", "")]),
        ("Requests UNODC to continue to provide aid, welcomes the Guide, and stresses its value",
         [("requests", ""), ("welcomes", ""), ("stresses", "")]),
        # verbs inside the action do not split
        ("Calls upon States to cooperate in order to prevent and combat terrorism", [("calls upon", "")]),
        ("Encourages States to promote, protect and support victims", [("encourages", "")]),
        # a noun that looks like a verb does not split
        ("Invites the community to respond favourably to requests for assistance, and notes the report",
         [("invites", ""), ("notes", "")]),
        ("Strongly urges all parties to comply", [("urges", "strongly")]),
        ("Further requests the Secretary-General to report", [("requests", "further")]),
        ("Takes note with appreciation of the report", [("takes note", "with appreciation")]),
        ("Expresses its deep concern over the violence", [("expresses concern", "deep")]),
        ("Continues to encourage States to act", [("encourages", "continues to")]),
        ("Strongly reaffirms its call on all parties to respect the law", [("calls upon", "strongly reaffirms")]),
        ("Calls for a full cessation of hostilities", [("calls for", "")]),
        ("Recalls the prohibition of torture; in particular urges parties to refrain",
         [("recalls", ""), ("urges", "")]),
        ("Underlines the importance of justice, and in this respect requests the Secretary-General to act",
         [("underlines", ""), ("requests", "")]),
        ("Acting under Chapter VII of the Charter of the United Nations, calls upon States to act",
         [("calls upon", "")]),
        ("Commit to preventing and countering terrorism, and reaffirm our commitment to the rule of law",
         [("commits", ""), ("reaffirms", "")]),
    ],
)
def test_split_clauses(text: str, expected: list[tuple[str, str]]) -> None:
    assert _verbs(text) == expected


def test_split_clauses_spans_cover_the_text() -> None:
    text = "Urges Member States to act, and requests UNODC to help; welcomes the Guide"
    clauses = split_clauses(text)
    assert clauses[0][0] == 0 and clauses[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(clauses))


def test_continuation_has_no_verb_of_its_own() -> None:
    text = "Provide a briefing to the Council, and expresses its intention to follow up"
    assert [(v, m) for _, _, v, m, _ in split_clauses(text, continuation=True)] == [
        ("", ""), ("expresses intention", "")
    ]


def test_unknown_lead_verb_still_gives_a_clause() -> None:
    (clause,) = _one("Solicits the views of Member States on the matter;")
    assert clause.verb == "solicits"
    assert clause.actors == ()


# ----------------------------------------------------------------------------- addressees
@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("Member States that have not yet done so", ["Member States"]),
        ("the Secretary-General, in consultation with Member States,", ["Secretary-General"]),
        ("the World Health Organization, the United Nations Office on Drugs and Crime and the Office of the "
         "United Nations High Commissioner for Human Rights", ["WHO", "UNODC", "OHCHR"]),
        ("Member States, international organizations and civil society",
         ["Member States", "international organizations", "civil society"]),
        ("the United Nations Office on Drugs and Crime, within its mandate and in collaboration with, when "
         "appropriate, relevant Global Compact entities,", ["UNODC"]),
        ("Member States, intergovernmental and non-governmental organizations",
         ["Member States", "intergovernmental organizations", "non-governmental organizations"]),
        ("the United Nations Secretariat, and other relevant bodies, in consultation with the signatories",
         ["Secretariat", "relevant bodies"]),
        ("they and all other concerned parties in the region", ["concerned parties in the region"]),
        ("further efforts", []),
    ],
)
def test_parse_actors(region: str, expected: list[str]) -> None:
    assert [c for _, c in parse_actors(region, AliasTable.builtin())] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Requests the Secretary-General, in close cooperation with UNODC and OHCHR, to prepare a report;",
         [("requests", ("Secretary-General",))]),
        ("Encourages Member States, as well as relevant international and regional organizations, to share data;",
         [("encourages", ("Member States", "relevant international organizations", "regional organizations"))]),
        ("Calls upon Governments and, as appropriate, civil society and the private sector to act;",
         [("calls upon", ("Governments", "civil society", "private sector"))]),
        ("Invites the Chair of the Committee established pursuant to resolution 1267 (1999) to brief the Council;",
         [("invites", ("Chair of the Committee established pursuant to resolution 1267 (1999)",))]),
        ("Recommends that Member States consider adopting the measures;", [("recommends", ("Member States",))]),
        ("Recommends to the General Assembly the adoption of the following draft resolution:",
         [("recommends", ("General Assembly",))]),
        ("Reminds all parties of their obligations under international humanitarian law;",
         [("reminds", ("parties",))]),
        ("Authorizes Member States acting nationally or through regional organizations to take all measures;",
         [("authorizes", ("Member States",))]),
        ("Encourages States not to set the minimum age of criminal responsibility too low;",
         [("encourages", ("States",))]),
        ("Appeals to Governments to include justice in their development plans;", [("appeals", ("Governments",))]),
        ("Encourages it to implement further its commitments;", [("encourages", ())]),
        ("Notes that the situation, which continues to deteriorate, continues to be grave, and requests States to act;",
         [("notes", ()), ("requests", ("States",))]),
    ],
)
def test_addressees_in_context(text: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert [(c.verb, c.actors) for c in _one(text)] == expected


def test_sanctions_committee_is_one_actor_however_cited() -> None:
    passages = [
        Passage(doc="X", kind="preambular", number="1",
                text="Recalling the Committee established pursuant to resolution 1267 (1999) and its work,"),
        Passage(doc="X", kind="operative", number="1",
                text="Requests the Committee established by resolution 1267 (1999) to report;"),
        Passage(doc="X", kind="operative", number="2", text="Requests the Committee to review its list;"),
    ]
    clauses = extract_mandates(passages)
    name = "Committee established pursuant to resolution 1267 (1999)"
    assert [c.actors for c in clauses] == [(name,), (name,)]


def test_beneficiary_is_not_addressed() -> None:
    (clause,) = _one("Requests the Secretary-General to continue to provide the United Nations Office on Drugs "
                     "and Crime with sufficient resources;")
    assert clause.actors == ("Secretary-General",)
    assert "UNODC" in clause.mentioned


def test_that_clause_addressee() -> None:
    (clause,) = _one("Demands that all parties to armed conflict fully comply with their obligations;")
    assert (clause.verb, clause.actors) == ("demands", ("parties to armed conflict",))
    (clause,) = _one("Demands that all forms of interference from outside the country cease immediately;")
    assert clause.actors == ()


def test_decides_and_stresses_address_nobody() -> None:
    clauses = _one("Decides to remain seized of the matter, and stresses the role of the Secretary-General;")
    assert [(c.verb, c.actors) for c in clauses] == [("decides", ()), ("stresses", ())]
    assert "Secretary-General" in clauses[1].mentioned


def test_the_office_refers_back_to_the_last_named_office() -> None:
    passages = [
        Passage(doc="X", kind="preambular", number="1",
                text="Welcoming the work of the Office of Counter-Terrorism and of the United Nations Office on "
                     "Drugs and Crime,"),
        Passage(doc="X", kind="operative", number="1", text="Requests the Office to report on its work;"),
        Passage(doc="X", kind="operative", number="2",
                text="Welcomes the role of the Office of Counter-Terrorism, and encourages the Office to continue;"),
    ]
    clauses = extract_mandates(passages)
    assert [(c.number, c.verb, c.actors) for c in clauses] == [
        ("1", "requests", ("UNODC",)), ("2", "welcomes", ()), ("2", "encourages", ("UNOCT",))
    ]
    assert clauses[0].addressee == "the Office"
    assert [c.number for c in filter_mandates(clauses, actor="the Office")] == ["1", "2"]


def test_document_context_is_per_document() -> None:
    passages = [
        Passage(doc="A", kind="preambular", number="1", text="Recalling the Commission on Narcotic Drugs,"),
        Passage(doc="B", kind="operative", number="1", text="Requests the Commission to act;"),
    ]
    (clause,) = extract_mandates(passages)
    assert clause.actors == ("Commission",)


def test_document_context_resolves_only_earlier_names() -> None:
    context = DocumentContext(AliasTable.builtin())
    context.read(1, "the Commission on Crime Prevention and Criminal Justice")
    assert context.resolve("the Commission", (0, 0)) is None
    assert context.resolve("the Commission", (2, 0)) == "CCPCJ"


def test_subparagraph_inherits_the_chapeau() -> None:
    passages = [
        Passage(doc="X", kind="operative", number="4", text="4. Calls upon Member States and donors:"),
        Passage(doc="X", kind="operative", number="4(a)", text="(a) To ensure access to justice;", parent="4"),
        Passage(doc="X", kind="operative", number="4(b)", text="(b) To fund programmes; and notes the report",
                parent="4"),
    ]
    clauses = extract_mandates(passages)
    assert [(c.label, c.verb, c.actors, c.action, c.inherited) for c in clauses] == [
        ("OP 4", "calls upon", ("Member States", "donors"), "", False),
        ("OP 4 (a)", "calls upon", ("Member States", "donors"), "To ensure access to justice", True),
        ("OP 4 (b)", "calls upon", ("Member States", "donors"), "To fund programmes", True),
        ("OP 4 (b)", "notes", (), "the report", False),
    ]
    start, end = clauses[1].text_span
    assert passages[1].text[start:end].strip().startswith("To ensure")


def test_extract_passage_without_chapeau_skips_verbless_text() -> None:
    passage = Passage(doc="X", kind="operative", number="2(a)", text="Opening of the Congress.")
    assert extract_passage(passage, AliasTable.builtin()) == []


def test_only_operative_passages_are_read() -> None:
    passages = [
        Passage(doc="X", kind="preambular", number="1", text="Requesting the Secretary-General to act,"),
        Passage(doc="X", kind="footnote", number="1", text="Requests nothing."),
    ]
    assert extract_mandates(passages) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    *"abcdefgh ,;:()“”.-", " requests ", " Requests ", " and ", " to ", " the Office", " UNODC", " Member States",
    " calls upon ", " that ", " welcomes ", " Also ", "(a) ", " Secretary-General"]), max_size=60).map("".join))
def test_extraction_never_fails_and_spans_stay_inside(text: str) -> None:
    passage = Passage(doc="X", kind="operative", number="1", text=text)
    for clause in extract_mandates([passage]):
        start, end = clause.text_span
        assert 0 <= start <= end <= len(text)
        assert clause.verb


# ----------------------------------------------------------------------------- filters
def test_filter_by_verb_any_form(seed_clauses: list[ActionClause]) -> None:
    requested = filter_mandates(seed_clauses, verb="requested")
    assert requested and all(c.verb == "requests" for c in requested)
    called = filter_mandates(seed_clauses, verb="call on")
    assert called and all(c.verb == "calls upon" for c in called)
    assert filter_mandates(seed_clauses, verb="expresses")[0].verb == "expresses appreciation"


def test_filter_by_document(seed_clauses: list[ActionClause], extra_clauses: dict[str, list[ActionClause]]) -> None:
    mixed = seed_clauses + extra_clauses["S_RES_2730_2024"]
    assert {c.doc for c in filter_mandates(mixed, doc="s/res/2730 (2024)")} == {"S/RES/2730 (2024)"}
    assert {c.doc for c in filter_mandates(mixed, doc="2730")} == {"S/RES/2730 (2024)"}
    assert filter_mandates(mixed, doc="A/RES/1/1") == []


def test_normalise_verb() -> None:
    assert normalise_verb("Strongly urges") == "urges"
    assert normalise_verb("authorized") == "authorizes"
    assert normalise_verb("stressed") == "stresses"
    assert normalise_verb("recommending") is None or normalise_verb("recommending") == "recommends"
    assert normalise_verb("") is None


def test_csv_export(seed_clauses: list[ActionClause]) -> None:
    text = mandates_csv(filter_mandates(seed_clauses, actor="Secretary-General"))
    lines = text.strip().splitlines()
    assert lines[0] == "doc,label,verb,actors,action,mentioned"
    assert len(lines) == 3 and "OP 30" in lines[2]


# ----------------------------------------------------------------------------- questions
@pytest.mark.parametrize(
    ("question", "actor", "verb"),
    [
        ("What is UNODC requested to do?", "UNODC", "requests"),
        ("What is the United Nations Office on Drugs and Crime asked to do on biometrics?", "UNODC", None),
        ("mandates of the Secretary-General", "Secretary-General", None),
        ("What are Member States called upon to do?", "Member States", "calls upon"),
        ("What are States urged to do?", "States", "urges"),
        ("Which tasks does the resolution give the Secretary-General?", "Secretary-General", None),
        ("What does the Security Council request of all parties to armed conflict?", "parties to armed conflict",
         "requests"),
        ("What is CTED encouraged to do?", "CTED", "encourages"),
        ("UNODC's mandates", "UNODC", None),
        # auxiliaries and question words are not part of the actor
        ("Are States encouraged to share information?", "States", "encourages"),
        ("Were Member States called upon to ratify the conventions?", "Member States", "calls upon"),
        ("Which States are asked to give UNODC data?", "States", None),
        # passive voice, with the actor before or after the participle
        ("Is the Secretary-General requested to report to the General Assembly?", "Secretary-General", "requests"),
        ("Has UNODC been asked to help with biometrics?", "UNODC", None),
        ("UNODC is requested to do what?", "UNODC", "requests"),
        ("What is requested of UNODC?", "UNODC", "requests"),
        ("What is expected from Member States?", "Member States", None),
        ("What does it request from the Secretary-General?", "Secretary-General", "requests"),
        # obligations and tasks
        ("What must Member States do?", "Member States", None),
        ("What should States do about foreign terrorist fighters?", "States", None),
        ("What is UNODC to do on evidence?", "UNODC", None),
        ("Should States give UNODC voluntary contributions?", "States", None),
        ("tasks for UNODC", "UNODC", None),
        ("Which tasks are given to the Secretary-General?", "Secretary-General", None),
    ],
)
def test_mandate_questions(question: str, actor: str, verb: str | None) -> None:
    query = parse_mandate_question(question)
    assert query is not None
    assert (query.actor, query.verb) == (actor, verb)


@pytest.mark.parametrize(
    "question",
    [
        "When was the resolution adopted?",
        "What does OP 9 say?",
        "Which paragraph mentions INTERPOL's databases?",
        "What is the role of UNODC in the Global Compact?",
        "Was the document formally edited?",
        "",
        # the actor is what these ask for
        "Who is asked to give UNODC enough resources?",
        "Who is requested to report to the General Assembly?",
        "Which body is asked to follow up?",
        "To whom should the Secretary-General report?",
        # no actor after the modal, or no asking at all
        "Should the resolution be adopted?",
        "Is the text given to the Commission?",
    ],
)
def test_other_questions_are_not_mandate_questions(question: str) -> None:
    assert parse_mandate_question(question) is None


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Are States encouraged to ratify the Convention?", "ratify Convention"),
        ("What does it request from the Secretary-General?", ""),
        ("What is UNODC requested to do on evidence?", "evidence"),
        ("Must States criminalize organ trafficking?", "criminalize organ trafficking"),
    ],
)
def test_mandate_question_topic_leaves_out_question_words(question: str, topic: str) -> None:
    query = parse_mandate_question(question)
    assert query is not None and query.topic == topic


def test_mandate_question_topic_and_selection(seed_clauses: list[ActionClause]) -> None:
    query = parse_mandate_question("What is UNODC requested to do on evidence?")
    assert query == MandateQuery(actor="UNODC", verb="requests", topic="evidence", surface="UNODC")
    selected = query.select(seed_clauses)
    assert selected and all(c.verb == "requests" and "UNODC" in c.actors for c in selected)


# ----------------------------------------------------------------------------- CLI
def test_cli_json_lists_the_complete_set() -> None:
    result = CliRunner().invoke(app, ["mandates", "--file", str(SEED), "--actor", "UNODC", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["number"] for r in rows} == set(SEED_UNODC)
    for row in rows:
        assert {"doc", "label", "number", "verb", "modifier", "actors", "action"} <= set(row)
        assert isinstance(row["actors"], list) and "UNODC" in row["actors"]


def test_cli_table(seed_document: Document) -> None:
    result = CliRunner().invoke(app, ["mandates", "--file", str(SEED), "--actor", "Secretary-General"])
    assert result.exit_code == 0, result.output
    assert "OP 29" in result.stdout and "OP 30" in result.stdout and "Secretary-General" in result.stdout


def test_cli_unknown_verb_is_a_clear_error() -> None:
    from rag.errors import InputError

    with pytest.raises(InputError, match="unknown verb"):
        mandates_command(files=[SEED], verb="frobnicates")


def test_cli_unknown_document_is_a_clear_error() -> None:
    from rag.errors import InputError

    with pytest.raises(InputError, match="no document matches"):
        mandates_command(files=[SEED], doc="A/RES/1/1")


def test_cli_without_index_says_how_to_build_one(tmp_path: Path) -> None:
    from rag.errors import IndexMissingError

    with pytest.raises(IndexMissingError, match="--file"):
        mandates_command(index_dir=tmp_path / "none")


def test_cli_reads_the_index(built_pipeline: object, capsys: pytest.CaptureFixture[str]) -> None:
    code = mandates_command(actor="UNODC", as_json=True, pipeline=built_pipeline)
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    # the conftest sample: OP 2 requests UNODC (with (a) and (b)), OP 3 "Encourages the Office"
    assert [(r["doc"], r["label"]) for r in rows] == [
        (SEED_SYMBOL, "OP 2"), (SEED_SYMBOL, "OP 2 (a)"), (SEED_SYMBOL, "OP 2 (b)"), (SEED_SYMBOL, "OP 3")
    ]


def test_an_actor_named_by_the_start_of_its_name_is_found_when_no_actor_has_that_name() -> None:
    clauses = _one("1. Requests the Director-General of the World Health Organization to report on progress;")
    assert len(filter_mandates(clauses, actor="Director-General", by_prefix=True)) == 1
    assert len(filter_mandates(clauses, actor="Director General", by_prefix=True)) == 1
    assert filter_mandates(clauses, actor="World Health Organization", by_prefix=True) == []  # the start only
    assert filter_mandates(clauses, actor="Director General") == []  # a question's actor is matched whole


def test_the_asker_is_no_actor_and_the_asked_may_be_an_unknown_acronym() -> None:
    from rag.mandate_query import parse_mandate_question

    query = parse_mandate_question("what is the SC asking states to do in 787?")
    assert query is not None and (query.actor, query.topic) == ("states", "")
    query = parse_mandate_question("What does the Council ask MONUC to do on Ituri?")
    assert query is not None and (query.actor, query.topic) == ("MONUC", "Ituri")
    assert parse_mandate_question("What does the Security Council want?") is None
