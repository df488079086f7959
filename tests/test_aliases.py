"""Alias table: built-in UN names, pairs learned from a corpus, matching, expansion, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.aliases import (
    AliasTable,
    find_cooccurring_pairs,
    find_definitions,
    initials_match,
    schwartz_hearst,
    surface_key,
)
from rag.errors import InputError
from rag.types import Passage

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "corpus" / "E-CN.15-2019-L.8-Rev.1.txt"
EXTRA = ROOT / "tests" / "data" / "extra"


def _passage(text: str, doc: str = "D", number: str = "1") -> Passage:
    return Passage(doc=doc, kind="operative", number=number, text=text)


@pytest.fixture(scope="module")
def builtin() -> AliasTable:
    return AliasTable.builtin()


# --------------------------------------------------------------------- built-in list
@pytest.mark.parametrize(
    ("surface", "canonical"),
    [
        ("UNODC", "UNODC"),
        ("United Nations Office on Drugs and Crime", "UNODC"),
        ("the United Nations Office on Drugs and Crime", "UNODC"),
        ("UNOCT", "UNOCT"),
        ("Office of Counter-Terrorism", "UNOCT"),
        ("United Nations Office of Counter-Terrorism", "UNOCT"),
        ("Counter-Terrorism Committee Executive Directorate", "CTED"),
        ("United Nations Convention against Transnational Organized Crime", "UNTOC"),
        ("International Criminal Police Organization", "INTERPOL"),
        ("Interpol", "INTERPOL"),
        ("foreign terrorist fighters", "FTF"),
        ("foreign terrorist fighter", "FTF"),
        ("FTFs", "FTF"),
        ("anti-money-laundering and countering the financing of terrorism", "AML/CFT"),
        ("anti-money laundering and countering the financing of terrorism", "AML/CFT"),
        ("SG", "Secretary-General"),
        ("Secretary General", "Secretary-General"),
        ("United Nations Educational Scientific and Cultural Organization", "UNESCO"),
        ("World Health Organization", "WHO"),
        ("Office of the United Nations High Commissioner for Human Rights", "OHCHR"),
        ("International Civil Aviation Organization", "ICAO"),
        ("States Members of the United Nations", "Member States"),
    ],
)
def test_builtin_canonical(builtin: AliasTable, surface: str, canonical: str) -> None:
    assert builtin.canonical(surface) == canonical


def test_unknown_surfaces_have_no_canonical(builtin: AliasTable) -> None:
    for surface in ("the Office", "Office", "States", "who knows", "", "   "):
        assert builtin.canonical(surface) is None


def test_surfaces_include_canonical_and_long_forms(builtin: AliasTable) -> None:
    surfaces = builtin.surfaces("UNODC")
    assert {"UNODC", "United Nations Office on Drugs and Crime"} <= surfaces
    assert builtin.surfaces("nothing") == set()


def test_surface_key_ignores_case_dashes_commas_and_article() -> None:
    assert surface_key("the Counter -Terrorism Committee") == surface_key("Counter-Terrorism committee")
    assert surface_key("INTERPOL’s") == "interpol"


# --------------------------------------------------------------------- find
def test_find_tolerates_pdf_spacing_in_names(builtin: AliasTable) -> None:
    text = "the Global Counter -Terrorism Coordination Compact, the Counter-\nTerrorism Committee Executive Directorate"
    found = [(text[s:e], c) for s, e, c in builtin.find(text)]
    assert ("Counter-\nTerrorism Committee Executive Directorate", "CTED") in found


def test_find_prefers_the_longest_name(builtin: AliasTable) -> None:
    text = "the Counter-Terrorism Committee Executive Directorate and the Counter-Terrorism Committee"
    assert [c for _, _, c in builtin.find(text)] == ["CTED", "CTC"]


def test_acronyms_are_case_sensitive_in_documents(builtin: AliasTable) -> None:
    assert builtin.find("those who need it") == []
    assert [c for _, _, c in builtin.find("the WHO guiding principles")] == ["WHO"]
    assert builtin.find("unodc") == []


def test_find_spans_are_exact(builtin: AliasTable) -> None:
    text = "Requests UNODC, in cooperation with INTERPOL’s databases, and the SG"
    for start, end, canonical in builtin.find(text):
        assert builtin.canonical(text[start:end]) == canonical


# --------------------------------------------------------------------- expand
def test_expand_adds_long_forms_of_acronyms(builtin: AliasTable) -> None:
    extra = builtin.expand("What is UNODC asked to do about FTF?")
    assert "United Nations Office on Drugs and Crime" in extra
    assert "foreign terrorist fighters" in extra
    assert "UNODC" not in extra


def test_expand_adds_acronym_of_long_form(builtin: AliasTable) -> None:
    assert "CTED" in builtin.expand("role of the Counter-Terrorism Committee Executive Directorate")


def test_expand_accepts_lower_case_acronyms_but_not_english_words(builtin: AliasTable) -> None:
    assert "United Nations Office on Drugs and Crime" in builtin.expand("what does unodc do")
    assert builtin.expand("who is asked to report to whom?") == []
    assert builtin.expand("no alias at all") == []


def test_expand_lists_each_form_once(builtin: AliasTable) -> None:
    extra = builtin.expand("UNODC and UNODC and United Nations Office on Drugs and Crime")
    assert len(extra) == len(set(extra))
    assert "United Nations Office on Drugs and Crime" not in extra


# --------------------------------------------------------------------- learning
def test_schwartz_hearst_long_forms() -> None:
    assert schwartz_hearst("TPVM", "verified by the Third Party Verification Mechanism") == (
        "Third Party Verification Mechanism"
    )
    assert schwartz_hearst("ABC", "nothing matches here") is None


def test_definitions_full_name_then_acronym() -> None:
    text = (
        "cooperation in the full deployment of the United Nations Organization Mission in the Democratic "
        "Republic of the Congo (MONUC), and the disarmament, demobilization, repatriation, reintegration or "
        "resettlement (DDRRR) of armed groups"
    )
    pairs = dict(find_definitions(text))
    assert pairs["MONUC"] == "United Nations Organization Mission in the Democratic Republic of the Congo"
    assert pairs["DDRRR"] == "disarmament, demobilization, repatriation, reintegration or resettlement"


def test_definitions_acronym_then_full_name() -> None:
    assert find_definitions("the role of the IATF (Inter-Agency Task Force) is") == [
        ("IATF", "Inter-Agency Task Force")
    ]


def test_roman_numerals_and_symbols_are_not_acronyms() -> None:
    assert find_definitions("Chapter of the Charter (VII)") == []
    text = "resolution A/RES/77/236 and Resolutions of the Economic and Social Council and WHA63.22"
    assert find_cooccurring_pairs(text) == []


def test_cooccurring_acronym_and_name_are_paired() -> None:
    text = "Recalling the establishment of the Office of Counter-Terrorism ... enhance coordination with UNOCT"
    assert find_cooccurring_pairs(text) == [("UNOCT", "Office of Counter-Terrorism")]
    assert initials_match("UNODC", "United Nations Office on Drugs and Crime")
    assert not initials_match("UNODC", "United Nations Office for Project Services")


def test_learn_returns_a_new_table(builtin: AliasTable) -> None:
    learned = builtin.learn([_passage("the Third Party Verification Mechanism (TPVM) will report")])
    assert learned.canonical("TPVM") == "TPVM"
    assert learned.canonical("Third Party Verification Mechanism") == "TPVM"
    assert builtin.canonical("TPVM") is None
    assert len(learned) == len(builtin) + 1


def test_learn_plural_acronym_gets_singular_canonical(builtin: AliasTable) -> None:
    learned = AliasTable([]).learn([_passage("small arms and light weapons (SALWs) and more SALWs")])
    assert learned.canonical("SALWs") == "SALW"
    assert learned.canonical("small arms and light weapons") == "SALW"


def test_learn_known_long_form_joins_its_entry(builtin: AliasTable) -> None:
    learned = builtin.learn([_passage("the United Nations Office on Drugs and Crime (the UNODC) and the UNODC")])
    assert len(learned) == len(builtin)
    assert learned.canonical("UNODC") == "UNODC"


def test_learn_from_the_extra_documents(builtin: AliasTable) -> None:
    from rag.parse import parse_file

    passages = parse_file(EXTRA / "S_RES_1445_2002.txt").passages
    learned = builtin.learn(passages)
    assert learned.canonical("MONUC") == "MONUC"
    assert learned.canonical("Third Party Verification Mechanism") == "TPVM"
    assert learned.canonical("disarmament, demobilization and repatriation") == "DDR"
    for _, _, canonical in learned.find(" ".join(p.text for p in passages)):
        assert learned.entry(canonical) is not None


def test_learning_pairs_are_per_document(builtin: AliasTable) -> None:
    learned = builtin.learn([_passage("the Global Network", doc="A"), _passage("the GN met", doc="B")])
    assert learned.canonical("GN") is None


# --------------------------------------------------------------------- JSON
def test_json_round_trip(builtin: AliasTable) -> None:
    learned = builtin.learn([_passage("the Third Party Verification Mechanism (TPVM)")])
    text = learned.dumps()
    again = AliasTable.from_json(json.loads(text))
    assert again.to_json() == learned.to_json()
    assert AliasTable.from_json(text).canonical("tpvm") == "TPVM"


@pytest.mark.parametrize("bad", ["not json", "{}", '{"version": 99, "entries": []}', '{"version": 1}'])
def test_bad_json_is_a_clear_error(bad: str) -> None:
    with pytest.raises(InputError, match="rag ingest"):
        AliasTable.from_json(bad)


@given(st.text(max_size=300))
def test_find_and_expand_never_fail(text: str) -> None:
    table = AliasTable.builtin()
    for start, end, canonical in table.find(text):
        assert 0 <= start < end <= len(text)
        assert table.canonical(text[start:end]) == canonical
    assert isinstance(table.expand(text), list)


def test_seed_mentions(builtin: AliasTable) -> None:
    text = SEED.read_text(encoding="utf-8")
    found = {c for _, _, c in builtin.find(text)}
    assert {"UNODC", "UNOCT", "CTED", "INTERPOL", "UNTOC", "AML/CFT", "FTF", "Secretary-General"} <= found


def test_initials_may_keep_or_drop_connectors() -> None:
    assert initials_match("COPUOS", "Committee on the Peaceful Uses of Outer Space")  # keeps "on"
    assert initials_match("UNGEGN", "United Nations Group of Experts on Geographical Names")  # drops "of", "on"
    assert initials_match("UNOCT", "Office of Counter-Terrorism")  # after "UN"
    assert not initials_match("COPUS", "Committee on the Peaceful Uses of Outer Space")  # a word left out
    assert not initials_match("CPUOSX", "Committee on the Peaceful Uses of Outer Space")


def test_learn_keeps_the_corpus_names_for_question_acronyms(builtin: AliasTable) -> None:
    text = ("Decides that the United Nations Group of Experts on Geographical Names shall meet biennially, "
            "and invites the Committee on the Peaceful Uses of Outer Space to report;")
    table = builtin.learn([Passage(doc="D", kind="operative", number="1", text=text)])
    assert "United Nations Group of Experts on Geographical Names" in table.names
    assert table.canonical("UNGEGN") is None  # the documents never write it: nothing is learned for it
    assert AliasTable.from_json(table.dumps()).names == table.names
    extended = table.for_question("When does UNGEGN meet, and what is COPUOS asked to do?")
    assert extended is not table and table.canonical("UNGEGN") is None  # the table itself is left as it was
    assert extended.canonical("United Nations Group of Experts on Geographical Names") == "UNGEGN"
    assert extended.canonical("Committee on the Peaceful Uses of Outer Space") == "COPUOS"
    assert "United Nations Group of Experts on Geographical Names" in extended.expand("UNGEGN sessions")
    # known acronyms, lower-case words and acronyms no name spells leave the table as it is
    assert table.for_question("What is UNODC asked to do?") is table
    assert table.for_question("what does the group do?") is table
    assert table.for_question("What does XYZQ do?") is table


def test_an_acronym_many_names_spell_is_left_alone() -> None:
    table = AliasTable([], names=["Global Task Force", "Green Trade Fund", "Grain Transport Facility"])
    assert table.for_question("What is the GTF?") is table
    assert table.spelled_by("GTF", limit=3) == ["Global Task Force", "Green Trade Fund", "Grain Transport Facility"]


def test_tables_without_names_still_load() -> None:
    data = AliasTable.builtin().to_json()
    del data["names"]
    assert AliasTable.from_json(data).names == ()
