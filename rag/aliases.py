"""Aliases of UN actors and terms: acronyms, long forms and their variants.

An :class:`AliasTable` maps every *surface form* ("UNODC", "United Nations
Office on Drugs and Crime", "UN Office on Drugs and Crime") to one *canonical*
name ("UNODC"). It starts from a small built-in list for the UN system and
learns more pairs from a corpus: a text that writes "Full Name (ACRONYM)", or
that uses both an acronym and a long form whose initials spell it, teaches the
pair.

>>> table = AliasTable.builtin()
>>> table.canonical("United Nations Office on Drugs and Crime")
'UNODC'
>>> table.canonical("the UN Secretary-General")
'Secretary-General'
>>> table.expand("What is UNODC asked to do?")
['United Nations Office on Drugs and Crime', 'UN Office on Drugs and Crime']
>>> [(text[s:e], c) for text in ["CTED and the Office of Counter -Terrorism"] for s, e, c in table.find(text)]
[('CTED', 'CTED'), ('Office of Counter -Terrorism', 'UNOCT')]

Matching is tolerant of what PDF text does to names: hyphens and spaces are
interchangeable ("Counter -Terrorism"), commas inside names are optional, and
lower-case terms match singular or plural. Acronyms match case-sensitively in
documents ("WHO", never "who"); in queries an acronym of four letters or more
also matches in lower case ("unodc").
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rag.errors import InputError
from rag.types import Passage

AliasKind = Literal["actor", "term"]

FORMAT_VERSION = 1

#: The built-in list: (canonical, kind, other surfaces). Kept modest and general:
#: bodies, offices and terms of the UN system that resolutions abbreviate.
_BUILTIN: tuple[tuple[str, AliasKind, tuple[str, ...]], ...] = (
    # --- Secretariat, principal organs and their subsidiaries
    (
        "Secretary-General",
        "actor",
        ("SG", "UNSG", "UN Secretary-General", "United Nations Secretary-General", "Secretary General"),
    ),
    ("Deputy Secretary-General", "actor", ("DSG",)),
    ("Secretariat", "actor", ("United Nations Secretariat", "UN Secretariat")),
    ("General Assembly", "actor", ("GA", "UNGA", "United Nations General Assembly", "UN General Assembly")),
    ("Security Council", "actor", ("UNSC", "SC", "United Nations Security Council", "UN Security Council")),
    ("ECOSOC", "actor", ("Economic and Social Council", "United Nations Economic and Social Council")),
    ("Human Rights Council", "actor", ("HRC", "United Nations Human Rights Council")),
    ("CCPCJ", "actor", ("Commission on Crime Prevention and Criminal Justice",)),
    ("CND", "actor", ("Commission on Narcotic Drugs",)),
    ("CTC", "actor", ("Counter-Terrorism Committee", "Security Council Counter-Terrorism Committee")),
    ("CTED", "actor", ("Counter-Terrorism Committee Executive Directorate",)),
    (
        "Member States",
        "actor",
        ("States Members of the United Nations", "UN Member States", "United Nations Member States"),
    ),
    # --- offices, funds, programmes and agencies
    ("UNODC", "actor", ("United Nations Office on Drugs and Crime", "UN Office on Drugs and Crime")),
    (
        "UNOCT",
        "actor",
        ("United Nations Office of Counter-Terrorism", "UN Office of Counter-Terrorism", "Office of Counter-Terrorism"),
    ),
    (
        "OHCHR",
        "actor",
        (
            "Office of the United Nations High Commissioner for Human Rights",
            "Office of the High Commissioner for Human Rights",
        ),
    ),
    ("High Commissioner for Human Rights", "actor", ("United Nations High Commissioner for Human Rights",)),
    (
        "UNHCR",
        "actor",
        (
            "Office of the United Nations High Commissioner for Refugees",
            "United Nations High Commissioner for Refugees",
        ),
    ),
    ("UNDP", "actor", ("United Nations Development Programme",)),
    ("UNICEF", "actor", ("United Nations Children's Fund",)),
    ("UN-Women", "actor", ("UN Women", "United Nations Entity for Gender Equality and the Empowerment of Women")),
    ("UNESCO", "actor", ("United Nations Educational, Scientific and Cultural Organization",)),
    ("UNICRI", "actor", ("United Nations Interregional Crime and Justice Research Institute",)),
    ("WHO", "actor", ("World Health Organization",)),
    ("ICAO", "actor", ("International Civil Aviation Organization",)),
    ("IMO", "actor", ("International Maritime Organization",)),
    ("IOM", "actor", ("International Organization for Migration",)),
    ("IAEA", "actor", ("International Atomic Energy Agency",)),
    ("WCO", "actor", ("World Customs Organization",)),
    ("INTERPOL", "actor", ("International Criminal Police Organization", "ICPO", "Interpol")),
    ("IPU", "actor", ("Inter-Parliamentary Union",)),
    ("FATF", "actor", ("Financial Action Task Force",)),
    # --- instruments and terms
    ("UN", "term", ("United Nations",)),
    (
        "UNTOC",
        "term",
        ("United Nations Convention against Transnational Organized Crime", "Organized Crime Convention"),
    ),
    ("UNCAC", "term", ("United Nations Convention against Corruption",)),
    ("FTF", "term", ("FTFs", "foreign terrorist fighters")),
    (
        "AML/CFT",
        "term",
        (
            "anti-money-laundering and countering the financing of terrorism",
            "anti-money-laundering and combating the financing of terrorism",
            "anti-money-laundering/countering the financing of terrorism",
        ),
    ),
    ("AML", "term", ("anti-money-laundering",)),
    ("CFT", "term", ("countering the financing of terrorism", "combating the financing of terrorism")),
    ("CBRN", "term", ("chemical, biological, radiological and nuclear",)),
    ("ICT", "term", ("ICTs", "information and communications technology", "information and communication technology")),
    ("SDGs", "term", ("SDG", "Sustainable Development Goals")),
    ("API", "term", ("advance passenger information",)),
    ("PNR", "term", ("passenger name record",)),
    ("CT", "term", ("counter-terrorism", "counter terrorism", "countering terrorism")),
    ("TB", "term", ("tuberculosis",)),
    ("DRC", "term", ("Democratic Republic of the Congo",)),
)

#: Acronyms of the built-in list that are English words or too short to match
#: in lower case in a query ("who", "un", "sg").
_CASE_ONLY = frozenset({"WHO", "UN", "SG", "GA", "IMO", "API", "ICT", "ICTs", "SDG", "SDGs", "CND", "HRC"})

_DASHES = "\\-\u2010\u2011\u2012\u2013\u00ad"
_SEP = f"(?:\\s*,)?[\\s{_DASHES}]+"
_WORD_CHARS = re.compile(f"[^\\s{_DASHES},]+")
#: Words that join the parts of a name ("Office *on* Drugs *and* Crime").
CONNECTORS = frozenset(
    {"of", "on", "and", "or", "for", "the", "a", "an", "in", "against", "to", "de", "du", "des", "la", "le", "et"}
)
_ROMAN = re.compile(r"^[IVXLCDM]+$")


def surface_key(surface: str) -> str:
    """Comparison key of a surface form: case, dashes, commas, a leading "the"
    and a possessive "'s" do not count.

    >>> surface_key("the Counter -Terrorism Committee’s")
    'counter terrorism committee'
    >>> surface_key("United Nations Educational, Scientific and Cultural Organization")
    'united nations educational scientific and cultural organization'
    """
    text = unicodedata.normalize("NFKC", surface).strip()
    text = re.sub(r"[’']s$", "", text)
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    text = text.replace(",", " ")
    text = re.sub(f"[\\s{_DASHES}]+", " ", text)
    return text.strip().casefold()


def is_acronym(surface: str) -> bool:
    """An acronym is one token of mostly capital letters: ``UNODC``, ``AML/CFT``, ``FTFs``, ``UN-Women``.

    >>> [is_acronym(s) for s in ("UNODC", "AML/CFT", "FTFs", "Interpol", "Member States", "UN-Women")]
    [True, True, True, False, False, True]
    """
    if " " in surface.strip():
        return False
    return sum(c.isupper() for c in surface) >= 2


def _surface_regex(surface: str) -> str:
    """Regular expression for one surface form (no boundaries)."""
    words = _WORD_CHARS.findall(surface)
    parts = [re.escape(word).replace("'", "['’]").replace("’", "['’]") for word in words]
    if surface == surface.lower() and parts and not parts[-1].endswith("s"):
        parts[-1] += "s?"
    elif surface == surface.lower() and parts:
        parts[-1] = parts[-1][:-1] + "s?"
    body = _SEP.join(parts)
    return body if is_acronym(surface) else f"(?i:{body})"


@dataclass
class AliasEntry:
    """One actor or term: its canonical name and every surface form that names it."""

    canonical: str
    kind: AliasKind = "actor"
    surfaces: list[str] = field(default_factory=list)
    source: str = "builtin"

    def to_json(self) -> dict[str, Any]:
        return {"canonical": self.canonical, "kind": self.kind, "surfaces": list(self.surfaces), "source": self.source}


@dataclass(frozen=True)
class Mention:
    """A surface form found in a text, ``text[start:end]``, naming ``canonical``."""

    start: int
    end: int
    canonical: str
    surface: str


class AliasTable:
    """Surface forms of actors and terms, each mapped to one canonical name.

    Tables are immutable in use: :meth:`learn` returns a new table.

    >>> table = AliasTable.builtin().learn([Passage(doc="D", kind="preambular", number="1",
    ...     text="Welcoming the work of the Third Party Verification Mechanism (TPVM),")])
    >>> table.canonical("Third Party Verification Mechanism"), sorted(table.surfaces("TPVM"))
    ('TPVM', ['TPVM', 'Third Party Verification Mechanism'])
    >>> AliasTable.from_json(table.to_json()).canonical("tpvm")
    'TPVM'
    """

    def __init__(self, entries: Iterable[AliasEntry] = (), names: Iterable[str] = ()) -> None:
        self._entries: dict[str, AliasEntry] = {}
        #: Capitalised names of the corpus, for acronyms a question uses and the documents never do.
        self.names: tuple[str, ...] = tuple(names)
        self._keys: dict[str, str] = {}
        self._patterns: dict[bool, re.Pattern[str]] = {}
        self._alternative_lists: dict[bool, list[tuple[int, str, str]]] = {}
        self._small_patterns: dict[tuple[bool, tuple[tuple[int, str, str], ...]], re.Pattern[str]] = {}
        for entry in entries:
            self._add(entry.canonical, entry.kind, entry.surfaces, entry.source)

    # ----------------------------------------------------------------- building
    @classmethod
    def builtin(cls) -> AliasTable:
        """The built-in list for the UN system (a new table each call)."""
        return cls(AliasEntry(canonical, kind, list(surfaces)) for canonical, kind, surfaces in _BUILTIN)

    def with_builtin(self) -> AliasTable:
        """This table with the built-in entries it lacks: a table stored with an index by an earlier version
        of the list still learns the ones added since (the stored ones keep their surfaces).

        >>> AliasTable([AliasEntry("UNODC", "actor", ["UN Office on Drugs and Crime"])]).with_builtin().canonical("SC")
        'Security Council'
        """
        table = self.copy()
        for canonical, kind, surfaces in _BUILTIN:
            table._add(canonical, kind, surfaces, "builtin")
        return table

    def _add(self, canonical: str, kind: AliasKind, surfaces: Iterable[str], source: str) -> AliasEntry:
        entry = self._entries.get(canonical)
        if entry is None:
            entry = self._entries[canonical] = AliasEntry(canonical, kind, [], source)
        for surface in [canonical, *surfaces]:
            surface = re.sub(r"\s+", " ", surface).strip()
            key = surface_key(surface)
            if not key or surface in entry.surfaces:
                continue
            owner = self._keys.get(key)
            if owner is not None and owner != canonical:
                continue  # the first owner of a surface keeps it
            self._keys[key] = canonical
            entry.surfaces.append(surface)
        self._patterns.clear()
        self._alternative_lists.clear()
        self._small_patterns.clear()
        return entry

    def copy(self) -> AliasTable:
        return AliasTable(
            (AliasEntry(e.canonical, e.kind, list(e.surfaces), e.source) for e in self._entries.values()), self.names
        )

    def learn(self, passages: Iterable[Passage]) -> AliasTable:
        """A new table with the pairs a corpus teaches added to this one.

        Two kinds of evidence, read document by document:

        * a definition, "Full Name (ACRONYM)" or "ACRONYM (Full Name)", whose long
          form spells the acronym (Schwartz-Hearst matching);
        * an acronym and a capitalised name used in the same document, the name's
          initials spelling the acronym, possibly after "UN" ("UNOCT" and "Office
          of Counter-Terrorism").

        The capitalised names of the corpus are kept too (:attr:`names`), for :meth:`for_question`.

        >>> text = ("the Office of Counter-Terrorism and the Global Network (GN) ... "
        ...         "UNOCT and the GN and the Inter-Agency Task Force ... IATF")
        >>> table = AliasTable([]).learn([Passage(doc="D", kind="operative", number="1", text=text)])
        >>> sorted((table.canonical(s) or "-") for s in ["Global Network", "Office of Counter-Terrorism",
        ...                                           "Inter-Agency Task Force"])
        ['GN', 'IATF', 'UNOCT']
        """
        table = self.copy()
        by_doc: dict[str, list[str]] = {}
        for passage in passages:
            by_doc.setdefault(passage.doc, []).append(passage.text)
        names = {surface_key(name): name for name in table.names}
        for doc, texts in by_doc.items():
            text = "\n".join(texts)
            for short, long in find_definitions(text):
                table._learn_pair(short, long, f"learned:{doc}")
            for short, long in find_cooccurring_pairs(text, known=table):
                table._learn_pair(short, long, f"learned:{doc}")
            for _, _, name in capitalised_names(re.sub(r"\s+", " ", text)):
                if len(re.split(f"[\\s{_DASHES}]+", name)) >= 3:
                    names.setdefault(surface_key(name), name)
        table.names = tuple(sorted(names.values()))
        return table

    def for_question(self, question: str) -> AliasTable:
        """This table, plus the long forms of the acronyms in ``question`` that it does not know but whose
        initials a name of the corpus spells: a delegate writes "UNGEGN" or "COPUOS", the resolution only
        "United Nations Group of Experts on Geographical Names". A new table when there are any, else this one.

        >>> table = AliasTable([], names=["Committee on the Peaceful Uses of Outer Space"])
        >>> table.for_question("What is COPUOS asked to do?").canonical("Committee on the Peaceful Uses of Outer Space")
        'COPUOS'
        >>> table.for_question("What is UNODC asked to do?") is table
        True
        """
        pairs = [
            (acronym, name)
            for acronym in dict.fromkeys(_QUESTION_ACRONYM.findall(question))
            if _is_short_form(acronym) and len(acronym) >= 3 and self.canonical(acronym) is None
            for name in self.spelled_by(acronym)
        ]
        if not pairs:
            return self
        table = self.copy()
        for acronym, name in pairs:
            table._learn_pair(acronym, name, "question")
        return table

    def spelled_by(self, acronym: str, limit: int = 2) -> list[str]:
        """The corpus names (:attr:`names`) whose initials spell ``acronym``; none when more than ``limit`` do
        (an ambiguous acronym is better left alone)."""
        found = [name for name in self.names if initials_match(acronym, name)]
        return found if len(found) <= limit else []

    def _learn_pair(self, short: str, long: str, source: str) -> None:
        singular = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
        owner = self.canonical(long) or self.canonical(short) or self.canonical(singular)
        kind: AliasKind = "term" if long == long.lower() else "actor"
        if owner is not None:
            self._add(owner, self._entries[owner].kind, [short, long], source)
            return
        self._add(singular, kind, [short, long], source)

    # ----------------------------------------------------------------- queries
    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[AliasEntry]:
        return iter(self._entries.values())

    def __contains__(self, surface: object) -> bool:
        return isinstance(surface, str) and self.canonical(surface) is not None

    def entry(self, canonical: str) -> AliasEntry | None:
        return self._entries.get(canonical)

    def kind(self, canonical: str) -> AliasKind | None:
        entry = self._entries.get(canonical)
        return entry.kind if entry else None

    def canonical(self, surface: str) -> str | None:
        """The canonical name of a surface form, or ``None`` when it is unknown.

        >>> table = AliasTable.builtin()
        >>> table.canonical("unodc"), table.canonical("Foreign terrorist fighter"), table.canonical("Office")
        ('UNODC', 'FTF', None)
        """
        key = surface_key(surface)
        if not key:
            return None
        for candidate in (key, key[:-1] if key.endswith("s") else key + "s"):
            if candidate in self._keys:
                return self._keys[candidate]
        return None

    def surfaces(self, canonical: str) -> set[str]:
        """Every surface form of a canonical name (itself included); empty when unknown.

        >>> sorted(AliasTable.builtin().surfaces("CTED"))
        ['CTED', 'Counter-Terrorism Committee Executive Directorate']
        """
        entry = self._entries.get(canonical)
        return set(entry.surfaces) if entry else set()

    def long_forms(self, canonical: str) -> list[str]:
        """The surfaces of a canonical name that are not acronyms, longest first."""
        entry = self._entries.get(canonical)
        if entry is None:
            return []
        return sorted((s for s in entry.surfaces if not is_acronym(s)), key=len, reverse=True)

    def _alternatives(self, query: bool) -> list[tuple[int, str, str]]:
        """``(length, first word, regex)`` of every surface, longest first (cached)."""
        cached = self._alternative_lists.get(query)
        if cached is None:
            cached = []
            for entry in self._entries.values():
                for surface in entry.surfaces:
                    regex = _surface_regex(surface)
                    if query and is_acronym(surface) and len(surface) >= 4 and surface not in _CASE_ONLY:
                        regex = f"(?i:{regex})"
                    first = re.match(r"\w*", surface.casefold())
                    cached.append((len(surface), first.group(0) if first else "", regex))
            cached.sort(key=lambda item: -item[0])
            self._alternative_lists[query] = cached
        return cached

    @staticmethod
    def _compile(alternatives: Sequence[tuple[int, str, str]]) -> re.Pattern[str]:
        body = "|".join(regex for _, _, regex in alternatives) or "(?!)"
        return re.compile(f"(?<![\\w{_DASHES}])(?:{body})(?![\\w])")

    def _pattern(self, query: bool) -> re.Pattern[str]:
        pattern = self._patterns.get(query)
        if pattern is None:
            pattern = self._patterns[query] = self._compile(self._alternatives(query))
        return pattern

    def _pattern_for(self, text: str, query: bool) -> re.Pattern[str]:
        """For a question, a pattern of only the surfaces whose first word starts one of its words:
        compiling the whole table's pattern costs a cold ``rag ask`` ~0.1-0.3 s. Document text (ingest,
        the mandate map) uses the whole pattern, compiled once: a pattern per passage would cost more."""
        if not query or len(text) > 500:
            return self._pattern(query)
        words = set(re.findall(r"\w+", text.casefold()))
        chosen = tuple(item for item in self._alternatives(query)
                       if not item[1] or any(word.startswith(item[1]) for word in words))
        pattern = self._small_patterns.get((query, chosen))
        if pattern is None:
            if len(self._small_patterns) > 256:
                self._small_patterns.clear()
            pattern = self._small_patterns[(query, chosen)] = self._compile(chosen)
        return pattern

    def mentions(self, text: str, *, query: bool = False) -> list[Mention]:
        """Every non-overlapping mention in ``text``, longest surface first at each position."""
        found = []
        for match in self._pattern_for(text, query).finditer(text):
            canonical = self.canonical(match.group(0))
            if canonical is not None:
                found.append(Mention(match.start(), match.end(), canonical, match.group(0)))
        return found

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Mentions of known actors and terms in ``text`` as ``(start, end, canonical)``.

        >>> text = "Requests the UNODC and the United Nations Office on Drugs and Crime, and WHO, not who"
        >>> [(text[s:e], c) for s, e, c in AliasTable.builtin().find(text)]
        [('UNODC', 'UNODC'), ('United Nations Office on Drugs and Crime', 'UNODC'), ('WHO', 'WHO')]
        """
        return [(m.start, m.end, m.canonical) for m in self.mentions(text)]

    def expand(self, query: str) -> list[str]:
        """Surface forms to add to a search query, for the aliases it mentions.

        Forms already in the query are left out; each form appears once.

        >>> AliasTable.builtin().expand("biometrics and FTF returnees, UNODC and the Office of Counter-Terrorism")
        ... # doctest: +NORMALIZE_WHITESPACE
        ['foreign terrorist fighters', 'FTFs', 'United Nations Office on Drugs and Crime',
         'UN Office on Drugs and Crime', 'United Nations Office of Counter-Terrorism',
         'UN Office of Counter-Terrorism', 'UNOCT']
        >>> AliasTable.builtin().expand("who is asked to report?")
        []
        """
        present = {surface_key(m.surface) for m in self.mentions(query, query=True)}
        extra: list[str] = []
        for mention in self.mentions(query, query=True):
            surfaces = self._entries[mention.canonical].surfaces
            for surface in sorted(surfaces, key=is_acronym):
                key = surface_key(surface)
                if key not in present and surface not in extra:
                    extra.append(surface)
        return extra

    # ----------------------------------------------------------------- JSON
    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION, "entries": [e.to_json() for e in self._entries.values()],
                "names": list(self.names)}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> AliasTable:
        """Rebuild a table from :meth:`to_json` (a dict, or its JSON text)."""
        try:
            if isinstance(data, str):
                data = json.loads(data)
            assert isinstance(data, dict)
            if data.get("version") != FORMAT_VERSION:
                raise InputError(
                    f"alias table format {data.get('version')!r} is not {FORMAT_VERSION}: "
                    "rebuild the index (`rag ingest`)"
                )
            entries = [
                AliasEntry(str(e["canonical"]), e.get("kind", "actor"), [str(s) for s in e["surfaces"]],
                           str(e.get("source", "")))
                for e in data["entries"]
            ]
            names = [str(n) for n in data.get("names", [])]  # absent from tables built before names were kept
        except (ValueError, KeyError, TypeError, AssertionError) as error:
            raise InputError(f"alias table JSON is malformed ({error}): rebuild the index (`rag ingest`)") from None
        return cls(entries, names)


# --------------------------------------------------------------------- learning
_ACRONYM_TOKEN = r"[A-Z][A-Za-z0-9&/\-]*[A-Z0-9](?:s)?"
#: An acronym as a question writes it: "UNGEGN", "COPUOS", "UN-SPIDER".
_QUESTION_ACRONYM = re.compile(r"(?<![\w\-])[A-Z][A-Z0-9\-]*[A-Z](?![\w\-])")
_DEFINITION = re.compile(rf"\((?:the\s+)?(?P<short>{_ACRONYM_TOKEN})\)")
_REVERSE_DEFINITION = re.compile(rf"(?<![\w-])(?P<short>{_ACRONYM_TOKEN})\s+\((?P<long>[^()]{{6,160}})\)")


def _is_short_form(token: str) -> bool:
    core = token[:-1] if token.endswith("s") else token
    letters = [c for c in core if c.isalpha()]
    return (
        2 <= len(letters) <= 12
        and sum(c.isupper() for c in letters) >= 2
        and not _ROMAN.match(core)
        and not core.isdigit()
    )


def schwartz_hearst(short: str, candidate: str) -> str | None:
    """The long form of ``short`` at the end of ``candidate`` (Schwartz & Hearst 2003), or ``None``.

    Every letter of the acronym must occur in order in the long form, the
    first one at the start of a word.

    >>> schwartz_hearst("UNODC", "Requests the United Nations Office on Drugs and Crime")
    'United Nations Office on Drugs and Crime'
    >>> schwartz_hearst("INTERPOL", "with the International Criminal Police Organization")
    'International Criminal Police Organization'
    >>> schwartz_hearst("XYZ", "the United Nations") is None
    True
    """
    letters = [c.lower() for c in (short[:-1] if short.endswith("s") and short[:-1].isupper() else short)]
    letters = [c for c in letters if c.isalnum()]
    text = candidate.lower()
    s_index, l_index = len(letters) - 1, len(text) - 1
    while s_index >= 0:
        char = letters[s_index]
        while l_index >= 0 and (
            text[l_index] != char or (s_index == 0 and l_index > 0 and text[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = max(candidate.rfind(" ", 0, l_index + 1), candidate.rfind("\n", 0, l_index + 1)) + 1
    long = candidate[start:].strip()
    if len(long.split()) < 2 or len(long) <= len(short) + 2 or short in long:
        return None
    return long


def _extend_capitalised(long: str, before: str) -> str:
    """Prepend the capitalised words right before a proper-name long form
    ("United Nations" + "Organization Mission in ...")."""
    if not long[:1].isupper():
        return long
    words = before.split(" ")
    taken: list[str] = []
    while len(words) > 1 and re.fullmatch(r"[A-Z][\w'’\-]*", words[-1]):
        taken.insert(0, words.pop())
    return " ".join([*taken, long]) if taken else long


def _initials_suffix(short: str, words: list[str]) -> str | None:
    """The shortest run of final ``words`` whose initials spell ``short`` exactly."""
    for start in range(len(words) - 1, -1, -1):
        if words[start].lower().strip(",") in CONNECTORS:
            continue
        candidate = " ".join(words[start:]).strip(" ,")
        if initials_match(short, candidate):
            return candidate
    return None


def find_definitions(text: str) -> list[tuple[str, str]]:
    """Acronym definitions in a text: ``(short, long)`` pairs.

    >>> find_definitions("deployment of the United Nations Organization Mission in the Democratic Republic of "
    ...                  "the Congo (MONUC), and foreign terrorist fighters (FTFs), MONUC (the Mission)")
    ... # doctest: +NORMALIZE_WHITESPACE
    [('MONUC', 'United Nations Organization Mission in the Democratic Republic of the Congo'),
     ('FTFs', 'foreign terrorist fighters')]
    >>> find_definitions("the disarmament, demobilization and repatriation (DDR) caseload")
    [('DDR', 'disarmament, demobilization and repatriation')]
    """
    text = re.sub(r"\s+", " ", text)
    pairs: list[tuple[str, str]] = []
    for match in _DEFINITION.finditer(text):
        short = match.group("short")
        if not _is_short_form(short):
            continue
        before = text[: match.start()].rstrip()
        before = re.split(r"[;:()\[\]“”\"]|\.\s", before)[-1]
        words = before.split(" ")
        n_letters = len(short)
        window = words[-min(n_letters + 5, 2 * n_letters) :]
        long = _initials_suffix(short, window) or schwartz_hearst(short, " ".join(window))
        if long is None:
            continue
        head = before[: len(before) - len(long)].rstrip()
        long = _extend_capitalised(long, head).strip(" ,")
        pairs.append((short, long))
    for match in _REVERSE_DEFINITION.finditer(text):
        short, long = match.group("short"), match.group("long").strip()
        if _is_short_form(short) and len(long.split()) >= 2 and initials_match(short, long):
            pairs.append((short, long))
    return pairs


def initials_match(short: str, name: str) -> bool:
    """Whether ``short`` is exactly the initials of ``name``, possibly after "UN"; a connector's initial
    may be in the acronym or not ("COPUOS" keeps the "on" of its name, "UNGEGN" drops it).

    >>> initials_match("UNOCT", "Office of Counter-Terrorism"), initials_match("UNODC", "Office of Counter-Terrorism")
    (True, False)
    >>> initials_match("COPUOS", "Committee on the Peaceful Uses of Outer Space")
    True
    """
    core = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
    core = re.sub(r"[^A-Za-z]", "", core).upper()
    if len(core) < 2:
        return False
    parts = [w for w in re.split(f"[\\s{_DASHES}]+", name) if w and w[0].isalpha()]
    words = [(w[0].upper(), w.lower() in CONNECTORS) for w in parts]  # (initial, may be left out)

    def spells(letters: str, at: int) -> bool:
        if at == len(words):
            return not letters
        initial, optional = words[at]
        taken = bool(letters) and letters[0] == initial and spells(letters[1:], at + 1)
        return taken or (optional and spells(letters, at + 1))

    return spells(core, 0) or (core.startswith("UN") and spells(core[2:], 0))


#: A capitalised name: capitalised words, possibly joined by connectors.
_NAME = re.compile(
    r"(?<![\w\-])[A-Z][A-Za-z'’\-]*"
    r"(?:[ \t]+(?:(?:(?:of|on|for|in|against|de|du|des)(?:[ \t]+(?:the|la|le|les))?|and|et)[ \t]+)?[A-Z][A-Za-z'’\-]*)+"
)


def capitalised_names(text: str) -> list[tuple[int, int, str]]:
    """Spans of capitalised multi-word names in ``text``.

    >>> [n for _, _, n in capitalised_names("Recalling the establishment of the Office of Counter-Terrorism by it")]
    ['Office of Counter-Terrorism']
    """
    return [(m.start(), m.end(), m.group(0)) for m in _NAME.finditer(text)]


def find_cooccurring_pairs(text: str, known: AliasTable | None = None) -> list[tuple[str, str]]:
    """Acronyms and names used in one text without a definition, paired by their initials."""
    flat = re.sub(r"\s+", " ", text)
    acronyms = {
        m.group(0)
        for m in re.finditer(r"(?<![\w\-/.])[A-Z]{3,}s?(?![\w\-/]|\.\d)", flat)
        if _is_short_form(m.group(0)) and len(m.group(0)) >= 3
    }
    if known is not None:
        acronyms = {a for a in acronyms if known.canonical(a) is None}
    if not acronyms:
        return []
    names: set[str] = set()
    for _, _, name in capitalised_names(flat):
        words = name.split(" ")
        for i in range(len(words)):
            for j in range(len(words), i + 1, -1):
                if words[i][0].isupper() and words[j - 1][0].isupper():
                    names.add(" ".join(words[i:j]))
    pairs = []
    for acronym in sorted(acronyms):
        matches = [n for n in names if initials_match(acronym, n)]
        if known is not None:
            matches = [n for n in matches if known.canonical(n) is None or known.canonical(n) == acronym]
        if matches:
            pairs.append((acronym, max(matches, key=len)))
    return pairs
