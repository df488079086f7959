"""The mandate map: who is asked to do what, paragraph by paragraph.

Every operative paragraph of a resolution is one or more *action clauses*,
each opened by a lead verb ("Requests", "Also calls upon", "Strongly urges",
"Decides") and, for the verbs that address someone, an addressee and an action:

    Urges Member States ... to consider becoming parties ..., and requests the
    United Nations Office on Drugs and Crime, within its mandate, ..., to continue
    to provide technical assistance ...

gives two clauses: (``urges``, Member States, "to consider becoming parties
...") and (``requests``, UNODC, "to continue to provide technical assistance
..."). Sub-paragraphs inherit the verb and addressee of their chapeau
("Requests the Secretary-General to: (a) Provide ...").

>>> text = ("Urges Member States that have not yet done so to ratify the Convention, and requests the "
...         "United Nations Office on Drugs and Crime, within its mandate, to continue to provide "
...         "technical assistance; welcomes the Guide developed by the Office, and stresses its importance;")
>>> for c in extract_mandates([Passage(doc="X", kind="operative", number="1", text=text)]):
...     print(c.verb, c.actors, "|", c.action[:40])
urges ('Member States',) | to ratify the Convention
requests ('UNODC',) | to continue to provide technical assista
welcomes () | the Guide developed by the Office
stresses () | its importance

Extraction is a pure function of passages and the alias table
(:func:`extract_mandates`). Ingest runs it once per document and stores the
clauses with the index (:func:`index_mandates`); the CLI (``rag mandates``), the
answerer and the app read them (``Pipeline.mandates``) and filter, query and show
them with :mod:`rag.mandate_query`. Nothing here knows any particular document.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rag.aliases import AliasTable, capitalised_names
from rag.types import Passage

# ============================================================================ lexicon
#: Lead verbs: (canonical 3rd-person form, regex of its 3rd-person form, addresses
#: someone). The base form (first-person declarations: "Commit", "Call upon") is
#: derived. Order matters only where one verb is a prefix of another.
_VERBS: tuple[tuple[str, str, bool], ...] = (
    ("calls upon", r"calls\s+(?:(?P<mid>also|again|once\s+again|further)\s+)?(?:up)?on", True),
    ("calls for", r"calls\s+(?:(?P<mid2>also|again|once\s+again|further)\s+)?for", False),
    ("requests", r"requests", True),
    ("urges", r"urges", True),
    ("encourages", r"encourages", True),
    ("invites", r"invites", True),
    ("appeals", r"appeals", True),
    ("authorizes", r"authori[sz]es", True),
    ("demands", r"demands", True),
    ("directs", r"directs", True),
    ("instructs", r"instructs", True),
    ("exhorts", r"exhorts", True),
    ("entrusts", r"entrusts", True),
    ("recommends", r"recommends", True),
    ("reminds", r"reminds", True),
    ("asks", r"asks", True),
    ("mandates", r"mandates", True),
    ("takes note", r"takes\s+note", False),
    ("decides", r"decides", False),
    ("welcomes", r"welcomes", False),
    ("stresses", r"stresses", False),
    ("notes", r"notes", False),
    ("expresses", r"expresses", False),
    ("reaffirms", r"reaffirms", False),
    ("recalls", r"recalls", False),
    ("reiterates", r"reiterates", False),
    ("emphasizes", r"emphasi[sz]es", False),
    ("underlines", r"underlines", False),
    ("underscores", r"underscores", False),
    ("recognizes", r"recogni[sz]es", False),
    ("acknowledges", r"acknowledges", False),
    ("affirms", r"affirms", False),
    ("approves", r"approves", False),
    ("endorses", r"endorses", False),
    ("commends", r"commends", False),
    ("supports", r"supports", False),
    ("insists", r"insists", False),
    ("deplores", r"deplores", False),
    ("regrets", r"regrets", False),
    ("declares", r"declares", False),
    ("adopts", r"adopts", False),
    ("condemns", r"condemns", False),
    ("considers", r"considers", False),
    ("agrees", r"agrees", False),
    ("determines", r"determines", False),
    ("confirms", r"confirms", False),
    ("highlights", r"highlights", False),
    ("proclaims", r"proclaims", False),
    ("resolves", r"resolves", False),
    ("pledges", r"pledges", False),
    ("commits", r"commits", False),
    ("undertakes", r"undertakes", False),
    ("remains", r"remains", False),
    ("renews", r"renews", False),
    ("extends", r"extends", False),
    ("establishes", r"establishes", False),
    ("looks forward", r"looks\s+forward", False),
    ("believes", r"believes", False),
    ("observes", r"observes", False),
    ("appreciates", r"appreciates", False),
    ("applauds", r"applauds", False),
    ("rejects", r"rejects", False),
    ("denounces", r"denounces", False),
    ("warns", r"warns", False),
    ("draws attention", r"draws\s+(?:the\s+)?attention", False),
    ("continues", r"continues", False),
)
VERB_LEMMAS = {lemma for lemma, _, _ in _VERBS}
ADDRESSING_VERBS = frozenset(lemma for lemma, _, addresses in _VERBS if addresses)

#: "Reiterates its call upon", "Renews its invitation to": the noun names the real verb.
_NOMINAL = {
    "call": "calls upon",
    "calls": "calls upon",
    "invitation": "invites",
    "request": "requests",
    "appeal": "appeals",
    "demand": "demands",
    "encouragement": "encourages",
    "recommendation": "recommends",
}
_NOMINAL_RE = re.compile(
    r"^\s+(?:its|their|our)\s+(?P<noun>calls?|invitation|request|appeal|demand|encouragement|recommendation)"
    r"(?:\s+(?:up)?on|\s+to(?=\s+(?:the|all|its|Member|States|Governments|[A-Z])))?",
    re.IGNORECASE,
)
#: "Expresses its deep appreciation", "Expresses concern": the noun is part of the verb.
_EXPRESSES_RE = re.compile(
    r"^\s+(?:(?:its|their|our)\s+)?(?P<adj>(?:(?:deep|deepest|grave|serious|full|sincere|profound|strong|"
    r"utmost|great|continued|firm|unwavering|strongest|heartfelt)\s+)*)(?P<noun>[a-z]+)",
    re.IGNORECASE,
)
_WITH_RE = re.compile(
    r"^\s+(?P<with>with\s+(?:deep\s+|grave\s+|great\s+|serious\s+)?(?:appreciation|concern|satisfaction|interest|"
    r"regret|gratitude|alarm))",
    re.IGNORECASE,
)
_CONTINUES_RE = re.compile(r"^\s+to\s+(?P<base>[a-z]+)(?P<rest>\s+(?:up)?on)?", re.IGNORECASE)

_PRE_ADVERBS = r"(?:(?:also|further|again|once\s+again|once\s+more|strongly|firmly|urgently|likewise)\s+)"
_POST_ADVERBS = r"(?:\s+(?:also|again|once\s+again|likewise))"
#: Phrases that may stand between a clause boundary and its lead verb.
_INTRO = (
    r"(?:and|but|and\s+also|in\s+(?:this|that)\s+(?:regard|respect|context|connection)|to\s+(?:that|this)\s+end|"
    r"in\s+particular|accordingly|therefore|furthermore|moreover|in\s+addition|at\s+the\s+same\s+time|thus|hence|"
    r"consequently|meanwhile|in\s+this\s+spirit)"
)
_TRAILING_INTRO = re.compile(rf"(?:^|(?<=[\s,;:]))(?P<intro>{_INTRO})\s*,?\s*$", re.IGNORECASE)
_COORDINATOR_INTRO = re.compile(r"^(?:and|but|and\s+also)$", re.IGNORECASE)

#: Words after which a lead-verb look-alike is a noun ("requests for assistance").
_NOUN_FOLLOWERS = frozenset(
    {"of", "for", "from", "made", "received", "submitted", "by", "and", "or", "which", "verbales", "to"}
)
_FOLLOWER_OK = {"calls upon": {"to"}, "appeals": {"to", "for"}, "recommends": {"to"}, "takes note": {"of"},
                "continues": {"to"}, "remains": {"to"}, "looks forward": {"to"}, "draws attention": {"to"},
                "commits": {"to"}, "pledges": {"to"}, "undertakes": {"to"}, "resolves": {"to"},
                "decides": {"to"}, "agrees": {"to"}, "reminds": {"to"}, "asks": {"for"},
                "insists": {"on"}, "extends": {"to"}}


def _base_form(third: str) -> str:
    """``requests`` -> ``request``; ``stresses`` -> ``stress``; ``calls upon`` -> ``call upon``."""
    head, _, rest = third.partition(" ")
    if re.search(r"(?:ss|sh|ch|x)es$", head):
        base = head[:-2]
    elif head.endswith("ies"):
        base = head[:-3] + "y"
    else:
        base = head[:-1]
    return f"{base} {rest}".strip()


def _base_regex(third_regex: str) -> str:
    head, sep, rest = third_regex.partition(r"\s+")
    if re.search(r"(?:ss|sh|ch|x)es$", head):
        head = head[:-2]
    elif head.endswith("s"):
        head = head[:-1]
    # group names must stay unique across the two forms
    rest = rest.replace("?P<mid>", "?P<midb>").replace("?P<mid2>", "?P<mid2b>")
    return head + (sep + rest if sep else "")


def _verb_alternation(base: bool) -> str:
    parts = []
    for i, (_, regex, _) in enumerate(_VERBS):
        form = _base_regex(regex) if base else regex
        parts.append(f"(?P<v{i}>{form})")
    return "|".join(parts)


def _lead_regex(base: bool) -> re.Pattern[str]:
    return re.compile(
        rf"(?P<pre>{_PRE_ADVERBS}*)(?:{_verb_alternation(base)})(?P<post>{_POST_ADVERBS}*)(?=[\s,:;]|$)",
        re.IGNORECASE,
    )


@functools.cache
def _lead_pattern(base: bool) -> re.Pattern[str]:
    """The lead-verb pattern (third person, or base form for declarations), compiled on first use: it is large,
    and answering a question needs it only when no stored mandate map exists."""
    return _lead_regex(base)


#: First words a lead can start with: only these positions are tried (a fast pre-filter).
_LEAD_STARTS = frozenset(
    [regex.split("\\s+")[0].replace("[sz]", "z") for _, regex, _ in _VERBS]
    + [regex.split("\\s+")[0].replace("[sz]", "s") for _, regex, _ in _VERBS]
    + [_base_regex(regex).split("\\s+")[0].replace("[sz]", z) for _, regex, _ in _VERBS for z in "sz"]
    + ["also", "further", "again", "once", "strongly", "firmly", "urgently", "likewise"]
)
_BASE_TO_LEMMA = {_base_form(lemma): lemma for lemma in VERB_LEMMAS}


def normalise_verb(text: str) -> str | None:
    """The canonical lead verb for any form a user or a text writes.

    >>> [normalise_verb(v) for v in ("Also requests", "requested", "call on", "Called upon", "urge", "encouraged")]
    ['requests', 'requests', 'calls upon', 'calls upon', 'urges', 'encourages']
    >>> normalise_verb("Expresses its appreciation"), normalise_verb("take note"), normalise_verb("foo")
    ('expresses appreciation', 'takes note', None)
    """
    words = re.sub(r"[^a-z ]", " ", text.lower()).split()
    words = [w for w in words if w not in {"also", "further", "again", "once", "strongly", "its", "their", "our"}]
    if not words:
        return None
    phrase = " ".join(words)
    if phrase.startswith(("expresses ", "express ", "expressed ")) and len(words) >= 2:
        return f"expresses {words[-1]}"
    candidates = [phrase, " ".join(words[:2]), words[0]]
    for candidate in candidates:
        candidate = re.sub(r"\bon\b", "upon", candidate) if candidate.startswith("call") else candidate
        if candidate in VERB_LEMMAS:
            return candidate
        if candidate in _BASE_TO_LEMMA:
            return _BASE_TO_LEMMA[candidate]
        head, _, rest = candidate.partition(" ")
        for stem in (head[:-1], head[:-2], head[:-3] + "y" if head.endswith("ied") else "", head[:-3]):
            if not stem:
                continue
            joined = f"{stem} {rest}".strip()
            if joined in _BASE_TO_LEMMA:
                return _BASE_TO_LEMMA[joined]
            if f"{stem}e {rest}".strip() in _BASE_TO_LEMMA:
                return _BASE_TO_LEMMA[f"{stem}e {rest}".strip()]
    return None


# ============================================================================ actors
#: Nouns that head a noun phrase naming an actor ("all *parties* to armed conflict").
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ACTOR_HEADS = _words(
    """states state members member parties party governments government authorities authority organizations
    organisations organization organisation agencies agency entities entity bodies body donors donor stakeholders
    stakeholder community society sector institutions institution actors countries country partners partner
    programmes programme programs program funds fund individuals officials leaders leadership participants holders
    signatories mechanisms mechanism networks network experts groups forces offices office committees committee
    commissions commission councils council secretariat secretary-general system operators providers companies
    businesses industry media academia parliaments parliamentarians judiciary professionals practitioners
    associations unions missions mission operations teams rapporteurs rapporteur representative representatives
    envoy envoys coordinator director director-general president chair chairs bureau panel tribunals tribunal
    courts court conference congress assembly institutes centres centers peoples everyone concerned administration
    administrations ministries ministers heads presidency personnel staff contingents troops observers"""
)
#: Capitalised head nouns of organisation names ("the *Office*", "the *Commission*").
ORG_HEADS = _words(
    """Office Commission Committee Council Group Conference Congress Programme Program Directorate Mission Tribunal
    Court Fund Agency Organization Organisation Assembly Secretariat Bureau Board Panel Forum Network Institute
    Centre Center Compact Force Team Unit Division Department Service Mechanism Entity Union Bank Authority
    Commissioner Rapporteur Representative Envoy Coordinator Director President Chair Presidency Facility
    Initiative Partnership Platform Operation Administration Body Observatory Secretary-General"""
)
_PRONOUNS = frozenset({"it", "they", "them", "he", "she", "itself", "themselves", "its", "their"})
DETERMINERS = re.compile(
    r"^(?:(?:the|all|both|each|any|every|those|these|such|other|its|their|also|further|relevant\s+(?=other))\s+)+",
    re.IGNORECASE,
)
_PARENTHETICAL = re.compile(
    r"^(?:in|within|through|upon|with|by|as(?!\s+well\s+as)|where|when|whenever|wherever|while|bearing|acting|"
    r"consistent|pursuant|according|taking|including|particularly|especially|notably|inter\s+alia|if|subject|on|"
    r"under|at|from|for|without|whether|together|also|further|respectively|such\s+as|e\.g\.|i\.e\.|based|given|"
    r"among|via|after|before|during|following|guided|mindful|recalling|recognizing|noting|not\s+least|"
    r"to\s+the\s+extent|in\s+particular|among\s+others|as\s+appropriate|as\s+applicable|where\s+appropriate|"
    r"if\s+appropriate|respectively|who|which|that)\b",
    re.IGNORECASE,
)
_POSTMODIFIER = re.compile(
    r"\s(?:that|which|who|whose|including|in\s+particular|especially|notably|acting|in\s+cooperation\s+with|"
    r"in\s+collaboration\s+with|in\s+consultation\s+with|in\s+coordination\s+with|in\s+close|within|through|"
    r"upon|where|when|as\s+appropriate|with\s+a\s+view|in\s+accordance|in\s+line\s+with|consistent\s+with|"
    r"such\s+as|inter\s+alia|in\s+(?:this|that)\s+regard|in\s+(?:the|their)\s+capacity|with\s+the\s+support)\b",
    re.IGNORECASE,
)
_COORDINATION = re.compile(r"\s*,\s*(?:and|or)\s+|\s*,\s*|\s+and/or\s+|\s+and\s+|\s+or\s+", re.IGNORECASE)
_AS_WELL_AS = re.compile(r"\s*,?\s+as\s+well\s+as\s+|\s*,?\s+together\s+with\s+|\s*,?\s+along\s+with\s+", re.IGNORECASE)
#: After "that", the subject ends where its verb starts: a modal, a negation, an adverb, or a
#: common verb of compliance ("Demands that all parties *cease* ...").
_THAT_SUBJECT_END = re.compile(
    r"\s(?:shall|should|will|would|must|may|might|can|could|be|is|are|was|were|has|have|do|does|not|never|"
    r"\w+ly|cease|desist|refrain|comply|respect|ensure|take|allow|facilitate|cooperate|work|end|withdraw|"
    r"fulfil|fulfill|abide|put|stop|halt|release|implement|continue|provide|immediately|fully)\b",
    re.IGNORECASE,
)
#: Words that, right after "to", show the "to" is a preposition, not an infinitive.
_NOT_VERBS = _words(
    """the a an this that these those its their his her our your my all any each every such other both which whom
    whose what whatever relevant international national regional subregional local global member some many several
    various more most no non one two three four five six seven eight nine ten date and or as be"""
)
_LEADING_NUMBER = re.compile(r"^\s*(?:\d+\s*\.|\(\s*[a-z]{1,4}\s*\)|[a-z]\)|[—–\-•]\s)\s*", re.IGNORECASE)


#: Words before "to" that make it a preposition: "pursuant *to* resolution 1267".
_TO_PREPOSITION_AFTER = _words(
    """pursuant according due prior owing thanks contrary addition relation regard respect reference view close
    similar related subject attention access assistance support contribution contributions"""
)


def _verb_like(word: str, previous: str) -> bool:
    """Whether ``word`` after "to" starts an infinitive ("to *provide*"), not a prepositional phrase."""
    if not word or not word[0].islower() or not word.replace("-", "").isalpha():
        return False
    if previous in _TO_PREPOSITION_AFTER:
        return False
    if word in _NOT_VERBS and word != "be":
        return False
    if word.endswith("ing") or (word.endswith("ed") and not word.endswith("eed")):
        return False
    return not re.search(r"[^su]s$", word)


# ============================================================================ records
@dataclass(frozen=True)
class ActionClause:
    """One action clause of an operative paragraph or sub-paragraph.

    ``verb`` is the canonical lead verb (``requests``, ``calls upon``,
    ``expresses appreciation``) and ``modifier`` what qualified it (``also``,
    ``strongly``, ``with appreciation``, ``reiterates``). ``actors`` are the
    addressees, canonical through the alias table; ``mentioned`` the actors
    named in the clause without being addressed (a beneficiary, a partner).
    ``text_span`` is the clause's ``(start, end)`` in the passage text.
    ``inherited`` marks a sub-paragraph clause that takes its verb and
    addressee from the chapeau.
    """

    doc: str
    label: str
    number: str
    part: str
    verb: str
    modifier: str
    actors: tuple[str, ...]
    action: str
    text_span: tuple[int, int]
    lead: str = ""
    addressee: str = ""
    mentioned: tuple[str, ...] = ()
    inherited: bool = False

    @property
    def citation(self) -> str:
        return f"{self.doc}, {self.label}"

    @property
    def verb_phrase(self) -> str:
        """The lead as written, in lower case: ``also requests``, ``takes note with appreciation``,
        ``reiterates its invitation``; the canonical verb when there is none."""
        if self.lead:
            return re.sub(r"\s+(?:of|to)$", "", self.lead.lower())
        return f"{self.modifier} {self.verb}".strip()

    def to_json(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "label": self.label,
            "number": self.number,
            "part": self.part,
            "verb": self.verb,
            "modifier": self.modifier,
            "actors": list(self.actors),
            "action": self.action,
            "lead": self.lead,
            "addressee": self.addressee,
            "mentioned": list(self.mentioned),
            "inherited": self.inherited,
            "text_span": list(self.text_span),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActionClause:
        """The clause :meth:`to_json` wrote (lists back to tuples).

        >>> clause = ActionClause("X", "OP 1", "1", "", "requests", "also", ("UNODC",), "to act", (0, 30))
        >>> ActionClause.from_json(clause.to_json()) == clause
        True
        """
        return cls(
            doc=str(data["doc"]), label=str(data["label"]), number=str(data["number"]), part=str(data["part"]),
            verb=str(data["verb"]), modifier=str(data["modifier"]), actors=tuple(data["actors"]),
            action=str(data["action"]), text_span=(int(data["text_span"][0]), int(data["text_span"][1])),
            lead=str(data.get("lead", "")), addressee=str(data.get("addressee", "")),
            mentioned=tuple(data.get("mentioned", ())), inherited=bool(data.get("inherited", False)),
        )


@dataclass(frozen=True)
class _Lead:
    start: int  # where the clause starts (its connective included)
    verb_start: int
    verb_end: int
    lemma: str
    modifier: str
    lead: str


@dataclass
class _Mention:
    position: tuple[int, int]  # (passage index, offset)
    canonical: str
    names: tuple[str, ...]
    words: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        self.words = tuple(tuple(_name_words(name)) for name in self.names)


@dataclass
class DocumentContext:
    """What has been named so far in a document, in reading order, to resolve
    definite descriptions: "the Office" is the office last named in full.

    >>> ctx = DocumentContext(AliasTable.builtin())
    >>> ctx.read(0, "the partnership between the Inter-Parliamentary Union, the United Nations Office on Drugs "
    ...          "and Crime and the Commission on the Status of Women")
    >>> ctx.resolve("the Office", (1, 0)), ctx.resolve("the Commission", (1, 0)), ctx.resolve("the Union", (1, 0))
    ('UNODC', 'Commission on the Status of Women', 'IPU')
    >>> ctx.resolve("the Fund", (1, 0)) is None
    True
    """

    aliases: AliasTable
    mentions: list[_Mention] = field(default_factory=list)

    def read(self, index: int, text: str) -> None:
        """Record the names in the text of passage ``index``."""
        taken: list[tuple[int, int]] = []
        for mention in self.aliases.mentions(text):
            if self.aliases.kind(mention.canonical) != "actor":
                continue
            names = tuple(self.aliases.long_forms(mention.canonical)) or (mention.surface,)
            self.mentions.append(_Mention((index, mention.start), mention.canonical, names))
            taken.append((mention.start, mention.end))
        for match in _COMMITTEE.finditer(text):
            name = normalise_committee(match.group(0))
            self.mentions.append(_Mention((index, match.start()), name, (name,)))
            taken.append((match.start(), match.end()))
        for start, end, name in capitalised_names(text):
            name, start = _trim_name(name, start)
            if any(s < end and start < e for s, e in taken) or not _org_head(name):
                continue
            canonical = self.resolve(name, (index, start)) or name
            self.mentions.append(_Mention((index, start), canonical, (name,)))
        self.mentions.sort(key=lambda m: m.position)

    def resolve(self, phrase: str, position: tuple[int, int]) -> str | None:
        """The canonical actor a phrase names at ``position``, or ``None`` when it names none yet."""
        known = self.aliases.canonical(phrase)
        if known is not None:
            return known
        words = _name_words(phrase)
        if not words or not _org_head(phrase):
            return None
        for mention in reversed(self.mentions):
            if mention.position >= position:
                continue
            if any(_is_subsequence(words, list(name_words)) for name_words in mention.words):
                return mention.canonical
        return None


#: A committee named by the resolution that set it up (a Security Council sanctions committee).
_COMMITTEE = re.compile(
    r"Committee\s+(?:established|set\s+up|created)\s+(?:pursuant\s+to|by|under|in)\s+(?:Security\s+Council\s+)?"
    r"resolution\s+(?P<number>\d+)\s*(?P<year>\(\d{4}\))?"
)


def normalise_committee(text: str) -> str:
    """One name for a committee however its founding resolution is cited.

    >>> normalise_committee("Committee established by Security Council resolution 724 (1991)")
    'Committee established pursuant to resolution 724 (1991)'
    """
    match = _COMMITTEE.search(text)
    if match is None:
        return text
    year = f" {match.group('year')}" if match.group("year") else ""
    return text[: match.start()] + f"Committee established pursuant to resolution {match.group('number')}{year}" + (
        text[match.end() :]
    )


def _name_words(name: str) -> list[str]:
    text = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    return [w.casefold() for w in re.split(r"[\s\-‐‑–]+", text) if w and w.lower() not in {"the"}]


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    iterator = iter(long)
    return len(short) < len(long) and all(word in iterator for word in short)


def _org_head(name: str) -> str | None:
    """The organisation noun heading a name: the last word before its first preposition.

    >>> _org_head("Office of Counter-Terrorism"), _org_head("Economic and Social Council")
    ('Office', 'Council')
    >>> _org_head("States of the Council of Europe") is None
    True
    """
    core = re.split(r"\s+(?:of|on|for|against|in|to)\s+", name.strip(), maxsplit=1)[0]
    words = core.split()
    if not words:
        return None
    word = words[-1]
    return word if word in ORG_HEADS or word.split("-")[-1] in ORG_HEADS else None


def _trim_name(name: str, start: int) -> tuple[str, int]:
    """Drop a lead verb glued to the front of a capitalised name ("Requests UNODC")."""
    first, _, rest = name.partition(" ")
    if rest and (normalise_verb(first) is not None or first.lower() in {"also", "further", "strongly"}):
        return rest, start + len(first) + 1
    return name, start


# ============================================================================ clauses
def _find_leads(text: str, base: bool) -> list[_Lead]:
    """Lead verbs at clause level in ``text``: at its start, or after a clause boundary."""
    pattern = _lead_pattern(base)
    leads: list[_Lead] = []
    depth = _paren_depth(text)
    for word in re.finditer(r"[A-Za-z]+", text):
        if word.group(0).lower() not in _LEAD_STARTS or (leads and word.start() < leads[-1].verb_end):
            continue  # not a lead, or inside the one just read ("encourages" of "also encourages")
        match = pattern.match(text, word.start())
        if match is None:
            continue
        start = match.start()
        if (start and (text[start - 1].isalnum() or text[start - 1] in "-‐")) or depth[start]:
            continue
        lemma, verb_end, extra = _lemma_of(match, text)
        if lemma == "continues" and start > 0:
            continue  # only "continues to <lead verb>" leads a clause inside a paragraph
        following = re.match(r"\s*([\w’']+|[,;.)])", text[match.end() :])
        next_word = following.group(1).lower() if following else ""
        if (
            verb_end == match.end()
            and next_word in _NOUN_FOLLOWERS
            and next_word not in _FOLLOWER_OK.get(lemma, set())
        ):
            continue
        clause_start = _boundary(text, start, base=base)
        if clause_start is None:
            continue
        modifiers = [squash_spaces(match.group("pre")), squash_spaces(match.group("post")), extra]
        mid = next((match.group(g) for g in ("mid", "mid2", "midb", "mid2b") if match.groupdict().get(g)), None)
        if mid:
            modifiers.insert(1, squash_spaces(mid))
        leads.append(
            _Lead(
                start=clause_start,
                verb_start=start,
                verb_end=verb_end,
                lemma=lemma,
                modifier=" ".join(m for m in modifiers if m).lower(),
                lead=squash_spaces(text[start:verb_end]),
            )
        )
    return leads


@functools.lru_cache(maxsize=512)
def _paren_depth(text: str) -> tuple[int, ...]:
    """Nesting level of each character: inside parentheses or “quotes” it is above 0."""
    depth, level, quote = [], 0, False
    for char in text:
        if char in "(":
            level += 1
        elif char == ")":
            level = max(0, level - 1)
        elif char == "“":
            quote = True
        elif char == "”":
            quote = False
        depth.append(level + (1 if quote else 0))
    depth.append(level)
    return tuple(depth)


def squash_spaces(text: str | None) -> str:
    """``text`` with runs of white space made one space, trimmed (``None`` gives ``""``)."""
    return re.sub(r"\s+", " ", text or "").strip()


def _lemma_of(match: re.Match[str], text: str) -> tuple[str, int, str]:
    """The canonical verb of a lead match, where the verb phrase ends, and any extra modifier."""
    index = next(i for i in range(len(_VERBS)) if match.group(f"v{i}"))
    lemma = _VERBS[index][0]
    end = match.end()
    rest = text[end:]
    if lemma in {"reiterates", "renews", "reaffirms"} and (nominal := _NOMINAL_RE.match(rest)):
        return _NOMINAL[nominal.group("noun").lower()], end + nominal.end(), lemma
    if lemma == "continues" and (cont := _CONTINUES_RE.match(rest)):
        real = normalise_verb(cont.group("base") + (cont.group("rest") or ""))
        if real is not None:
            return real, end + cont.end(), "continues to"
    if lemma == "expresses" and (expressed := _EXPRESSES_RE.match(rest)):
        noun = expressed.group("noun").lower()
        if noun not in {"the", "a", "an", "that", "to", "for"}:
            adjectives = squash_spaces(expressed.group("adj")).lower()
            return f"expresses {noun}", end + expressed.end(), adjectives
    if lemma in {"takes note", "notes", "welcomes"} and (with_ := _WITH_RE.match(rest)):
        end += with_.end()
        extra = squash_spaces(with_.group("with")).lower()
        if lemma == "takes note" and (of := re.match(r"^\s+of\b", text[end:])):
            end += of.end()
        return lemma, end, extra
    if lemma == "takes note" and (of := re.match(r"^\s+of\b", rest)):
        return lemma, end + of.end(), ""
    if lemma == "appeals" and (to := re.match(r"^\s+to\b", rest)):
        return lemma, end + to.end(), ""
    return lemma, end, ""


def _boundary(text: str, start: int, *, base: bool) -> int | None:
    """Where a clause led by the verb at ``start`` begins, or ``None`` when the verb is not at clause level."""
    stripped = text[:start].rstrip()
    if stripped and stripped[-1] in ",;":
        return len(stripped) - 1
    coordinated = False
    while True:
        intro = _TRAILING_INTRO.search(stripped)
        if not intro or intro.start() == len(stripped):
            break
        coordinated = coordinated or bool(_COORDINATOR_INTRO.match(intro.group("intro")))
        stripped = stripped[: intro.start()].rstrip()
    if not stripped:
        return 0
    if stripped[-1] in ",;":
        return len(stripped) - 1
    if stripped[-1] in ":—–":
        return len(stripped)
    if coordinated and not base:
        return len(stripped)
    return None


_FALLBACK_VERB = re.compile(r"^\s*(?P<verb>[A-Z][a-z]{3,}s)\b(?!\s+(?:of|and|to)\b)")


def split_clauses(text: str, *, continuation: bool = False) -> list[tuple[int, int, str, str, str]]:
    """Split paragraph text into clauses: ``(start, end, verb, modifier, lead)``.

    A new clause starts at a lead verb in the third person ("requests",
    "welcomes") after ", ", "; ", ", and", "; and" or "and"; verbs inside the
    action ("to prevent and combat") do not split. Words before the first lead
    verb are a frame of the first clause ("Acting under Chapter VII, decides"),
    or, in a ``continuation`` (a sub-paragraph), a clause of their own whose
    verb is ``""``: it continues the chapeau.

    >>> t = "Requests UNODC to continue to provide assistance, welcomes the Guide, and stresses its value"
    >>> [(t[s:e], v, m) for s, e, v, m, _ in split_clauses(t)]  # doctest: +NORMALIZE_WHITESPACE
    [('Requests UNODC to continue to provide assistance', 'requests', ''),
     (', welcomes the Guide', 'welcomes', ''), (', and stresses its value', 'stresses', '')]
    >>> t = ("Also calls upon States to strengthen border management so as to prevent and combat crime "
    ...      "and requests the SG")
    >>> [(v, m) for _, _, v, m, _ in split_clauses(t)]
    [('calls upon', 'also'), ('requests', '')]
    >>> t = "Provide a briefing to the Council, and expresses its intention"
    >>> [(v, m) for _, _, v, m, _ in split_clauses(t, continuation=True)]
    [('', ''), ('expresses intention', '')]
    >>> t = "Encourages Governments to act and also encourages the Governments of Burundi to take similar steps"
    >>> [(v, m) for _, _, v, m, _ in split_clauses(t)]
    [('encourages', ''), ('encourages', 'also')]
    >>> [(v, m) for _, _, v, m, _ in split_clauses("Reiterates its invitation to Governments to act")]
    [('invites', 'reiterates')]
    >>> [v for _, _, v, _, _ in split_clauses("Acting under Chapter VII of the Charter, calls upon States to act")]
    ['calls upon']
    """
    return [(lead.start, end, lead.lemma, lead.modifier, lead.lead) for lead, end in _clauses(text, continuation)]


def _clauses(text: str, continuation: bool) -> list[tuple[_Lead, int]]:
    """The leads of :func:`split_clauses`, each with the end of its clause."""
    base = not continuation and _opens_with_base_form(text)
    leads = _find_leads(text, base)
    first_start = leads[0].start if leads else len(text)
    if first_start > 0:
        fallback = None if continuation else _FALLBACK_VERB.match(text[:first_start])
        if fallback:  # an unknown lead verb: "Solicits the views of ..."
            verb = fallback.group("verb")
            leads.insert(0, _Lead(0, fallback.start("verb"), fallback.end("verb"), verb.lower(), "", verb))
        elif continuation:
            leads.insert(0, _Lead(0, 0, 0, "", "", ""))
        elif leads:  # a frame before the first verb: "Acting under Chapter VII ..., decides"
            first = leads[0]
            leads[0] = _Lead(0, first.verb_start, first.verb_end, first.lemma, first.modifier, first.lead)
    if not leads:
        return []
    ends = [lead.start for lead in leads[1:]] + [len(text)]
    return list(zip(leads, ends, strict=True))


def _opens_with_base_form(text: str) -> bool:
    """First-person declarations open with a base form: "Commit to ...", "We reaffirm ..."."""
    opening = re.sub(r"^\s*We(?:,[^,]{0,200},)?\s+", "", text)
    return bool(_lead_pattern(True).match(opening)) and not _lead_pattern(False).match(opening)


# ============================================================================ addressees
def _split_top_level(text: str, pattern: re.Pattern[str], protected: list[tuple[int, int]]) -> list[str]:
    pieces, last = [], 0
    depth = _paren_depth(text)
    for match in pattern.finditer(text):
        if depth[match.start()] or any(s < match.end() and match.start() < e for s, e in protected):
            continue
        pieces.append(text[last : match.start()])
        last = match.end()
    pieces.append(text[last:])
    return pieces


_NEW_ACTOR_AFTER_AND = re.compile(r"\s+and\s+(?=(?:Member\s+)?States\b|Governments\b|Parties\b)")


def _protected_spans(text: str, aliases: AliasTable) -> list[tuple[int, int]]:
    """Spans not to split on "and" or commas: known names and capitalised names
    (but "the Convention ... and States parties to ..." are two)."""
    spans = [(s, e) for s, e, _ in aliases.find(text)]
    for start, end, name in capitalised_names(text):
        offset = start
        for part in _NEW_ACTOR_AFTER_AND.split(name):
            if " " in part:
                spans.append((offset, offset + len(part)))
            offset += len(part)
            rest = text[offset:end]
            gap = _NEW_ACTOR_AFTER_AND.match(rest)
            offset += gap.end() if gap else 0
    return spans


def _np_head(phrase: str) -> str:
    if _COMMITTEE.match(phrase):
        return "Committee"
    core = re.split(r"\s+(?:of|to|in|for|on|from|at)\s+", phrase, maxsplit=1)[0]
    words = core.split()
    return words[-1] if words else ""


def _actor_like(phrase: str, known: bool) -> bool:
    if known:
        return True
    head = _np_head(phrase)
    if not head or head.lower() in _PRONOUNS:
        return False
    if head.lower() in ACTOR_HEADS:
        return True
    return head[0].isupper() and head.lower() not in {"i", "ii", "iii"}


def parse_actors(
    region: str, aliases: AliasTable, context: DocumentContext | None = None, position: tuple[int, int] = (0, 0)
) -> list[tuple[str, str]]:
    """Addressees in an addressee region: ``(as written, canonical)`` pairs.

    Parentheticals ("within its mandate", "in cooperation with INTERPOL") and
    post-modifiers ("that have not yet done so", "including through ...") are
    dropped; coordinated actors are split.

    >>> table = AliasTable.builtin()
    >>> [c for _, c in parse_actors("Member States including through relevant central authorities as well as "
    ...     "UNODC and other relevant UN entities that support capacity building", table)]
    ['Member States', 'UNODC', 'relevant UN entities']
    >>> [c for _, c in parse_actors("the United Nations Office on Drugs and Crime, in cooperation with "
    ...     "INTERPOL and other relevant entities of the Compact,", table)]
    ['UNODC']
    >>> [c for _, c in parse_actors("Member States and, where applicable, other stakeholders, such as the "
    ...     "private sector", table)]
    ['Member States', 'stakeholders']
    >>> [c for _, c in parse_actors("all States and parties to armed conflict", table)]
    ['States', 'parties to armed conflict']
    """
    region = squash_spaces(region).strip(" ,;:")
    protected = _protected_spans(region, aliases)
    chunks = _split_top_level(region, re.compile(r"\s*,\s*"), protected)
    kept: list[str] = []
    in_parenthetical = False  # after a parenthetical, only a coordinated chunk names an actor again
    for chunk in chunks:
        chunk = chunk.strip()
        if not chunk:
            continue
        bare = re.sub(r"^(?:and|or|and/or|as\s+well\s+as)\b\s*", "", chunk, flags=re.IGNORECASE)
        coordinated = bare != chunk or bool(kept and re.search(r"\b(?:and|or)$", kept[-1]))
        if _PARENTHETICAL.match(bare):
            if kept and bare != chunk:  # "and, where applicable, X": the coordinator waits for X
                kept.append(chunk[: len(chunk) - len(bare)].strip())
            in_parenthetical = True
            continue
        if in_parenthetical and not coordinated:
            continue
        in_parenthetical = False
        kept.append(chunk)
    joined = re.sub(r"\b(and|or)\s*,\s*", r"\1 ", ", ".join(kept))
    joined = re.sub(r"\s*,\s*(and|or)\s*$", "", joined)
    actors: list[tuple[str, str]] = []
    protected = _protected_spans(joined, aliases)
    for group in _split_top_level(joined, _AS_WELL_AS, protected):
        group_protected = _protected_spans(group, aliases)
        cut = next(
            (m.start() for m in _POSTMODIFIER.finditer(group)
             if not any(s < m.end() and m.start() < e for s, e in group_protected)),
            len(group),
        )
        group = group[:cut]
        pieces = [p.strip(" ,") for p in _split_top_level(group, _COORDINATION, _protected_spans(group, aliases))]
        pieces = [p for p in pieces if p]
        for i, piece in enumerate(pieces):
            written = piece
            phrase = normalise_committee(DETERMINERS.sub("", piece).strip())
            if not phrase or phrase.lower() in _PRONOUNS:
                continue
            if (
                i + 1 < len(pieces)
                and phrase.islower()
                and " of " not in phrase
                and _np_head(phrase).lower() not in ACTOR_HEADS
                and _np_head(pieces[i + 1]).lower() in ACTOR_HEADS
            ):  # "intergovernmental and non-governmental organizations"
                phrase = f"{phrase} {_np_head(pieces[i + 1])}"
            canonical = aliases.canonical(phrase)
            if canonical is None and context is not None and phrase[0].isupper():
                canonical = context.resolve(phrase, position)
            if not _actor_like(phrase, canonical is not None):
                continue
            if canonical is None and context is not None and re.match(r"the\s+[A-Z]", written):
                canonical = context.resolve(written, position)
            actors.append((written, canonical or phrase))
    return actors


def _infinitive_start(text: str) -> int | None:
    """Offset of the "to" that opens the action ("Requests UNODC, within its mandate, *to* continue")."""
    depth = _paren_depth(text)
    for match in re.finditer(r"(?:(?<=\s)|(?<=,)|^)(?:not\s+)?to\s+(?P<word>[\w’'\-]+)", text):
        if depth[match.start()]:
            continue
        before = text[: match.start()].rstrip().split()
        previous = before[-1].lower().strip(",") if before else ""
        if _verb_like(match.group("word"), previous):
            return match.start()
    return None


def _complete_subject(text: str) -> str:
    """The longest opening words of ``text`` that end in an actor noun and are not continued
    ("Member States consider adopting ..." -> "Member States")."""
    words = text.split()
    best = ""
    for k in range(1, min(12, len(words)) + 1):
        prefix = " ".join(words[:k]).rstrip(",;")
        following = words[k].lower() if k < len(words) else ""
        if following in {"of", "and", "or", "in", "to", "from", "for", "the", "concerned", "parties", "states"}:
            continue
        if _np_head(prefix).lower() in ACTOR_HEADS or builtin_aliases().canonical(prefix):
            best = prefix
    return best


def _addressee_and_action(lemma: str, rest: str) -> tuple[str, str]:
    """Split the words after an addressing verb into (addressee region, action)."""
    stripped = rest.lstrip(" ,")
    if lemma in {"recommends", "reminds", "appeals"} and (to := re.match(r"to\s+(?=the\s|all\s|[A-Z])", stripped)):
        # an indirect object: "Recommends to the General Assembly the adoption of ..."
        stripped = stripped[to.end():]
        ends = [m.start() for m in re.finditer(r",|:|\s(?:the|a|an)\s", stripped) if m.start() > 0]
        infinitive = _infinitive_start(stripped)
        end = min([*ends, infinitive if infinitive is not None else len(stripped)])
        return stripped[:end], stripped[end:].strip(" ,:")
    if re.match(r"that\b", stripped, re.IGNORECASE):
        after = stripped[4:]
        verb_at = _THAT_SUBJECT_END.search(after)
        subject = after[: verb_at.start()] if verb_at and verb_at.start() < 200 else _complete_subject(after)
        return subject, after.strip()
    colon = stripped.find(":")
    infinitive = _infinitive_start(stripped)
    if infinitive is not None and (colon < 0 or infinitive < colon):
        return stripped[:infinitive], stripped[infinitive:].strip()
    if colon >= 0:
        region = re.sub(r"\s+to\s*$", "", stripped[:colon])
        return region, stripped[colon + 1 :].strip()
    if lemma == "reminds" and (of := re.search(r"\s(?:of|that)\s", stripped)):
        return stripped[: of.start()], stripped[of.start() :].strip()  # "Reminds all parties of ..."
    comma = stripped.find(",")
    if comma >= 0:
        return stripped[:comma], stripped[comma + 1 :].strip()
    return stripped, ""


# ============================================================================ extraction
def _strip_number(text: str) -> int:
    match = _LEADING_NUMBER.match(text)
    return match.end() if match else 0


def _tidy_action(text: str) -> str:
    text = squash_spaces(text)
    text = re.sub(r"^(?:to\s*:|:)\s*", "", text)
    text = re.sub(rf"^(?:[,\s]*(?:{_INTRO})\s*,)+\s*", "", text, flags=re.IGNORECASE).lstrip(" ,")
    text = re.sub(r"^in\s+(?:this|that)\s+(?:regard|respect|context)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"[\s,;:]*(?:\band\b)?[\s,;.]*$", "", text)
    return text.strip()


def _parent_number(passage: Passage) -> str:
    if passage.parent:
        return passage.parent
    match = re.match(r"^([^()]*)\(", passage.number)
    return match.group(1).strip() if match else ""


def extract_passage(
    passage: Passage,
    aliases: AliasTable,
    context: DocumentContext | None = None,
    index: int = 0,
    chapeau: ActionClause | None = None,
) -> list[ActionClause]:
    """Action clauses of one operative passage; ``chapeau`` is the last clause of its parent paragraph."""
    text = passage.text
    offset = _strip_number(text)
    body = text[offset:]
    clauses: list[ActionClause] = []
    for lead, end in _clauses(body, continuation=chapeau is not None):
        start, lemma = lead.start, lead.lemma
        segment = body[start:end]
        span = (offset + start, offset + end)
        if not lemma:
            if chapeau is None:
                continue
            clauses.append(
                ActionClause(
                    doc=passage.doc, label=passage.label, number=passage.number, part=passage.part,
                    verb=chapeau.verb, modifier=chapeau.modifier, actors=chapeau.actors,
                    action=_tidy_action(segment), text_span=span, lead=chapeau.lead,
                    addressee=chapeau.addressee,
                    mentioned=_mentioned(segment, chapeau.actors, aliases, context, (index, offset + start)),
                    inherited=True,
                )
            )
            continue
        after_verb = body[lead.verb_end : end]
        actors: tuple[str, ...] = ()
        addressee = ""
        action = _tidy_action(after_verb)
        if lemma in ADDRESSING_VERBS:
            region, rest = _addressee_and_action(lemma, after_verb)
            found = parse_actors(region, aliases, context, (index, offset + lead.verb_start))
            actors = tuple(dict.fromkeys(canonical for _, canonical in found))
            if actors:
                addressee = squash_spaces(region).strip(" ,")
                action = _tidy_action(rest)
        clauses.append(
            ActionClause(
                doc=passage.doc, label=passage.label, number=passage.number, part=passage.part,
                verb=lemma, modifier=lead.modifier, actors=actors, action=action, text_span=span, lead=lead.lead,
                addressee=addressee,
                mentioned=_mentioned(segment, actors, aliases, context, (index, offset + start)),
            )
        )
    return clauses


def _mentioned(
    segment: str,
    addressed: tuple[str, ...],
    aliases: AliasTable,
    context: DocumentContext | None,
    position: tuple[int, int],
) -> tuple[str, ...]:
    found: list[str] = []
    for mention in aliases.mentions(segment):
        if aliases.kind(mention.canonical) == "actor":
            found.append(mention.canonical)
    committees = [(m.start(), m.end()) for m in _COMMITTEE.finditer(segment)]
    found += [normalise_committee(segment[s:e]) for s, e in committees]
    if context is not None:
        for match in re.finditer(r"\bthe\s+(?P<name>[A-Z][\w\-]*(?:\s+(?:(?:of|on|for|in|against)(?:\s+the)?\s+)?"
                                 r"[A-Z][\w\-]*)*)", segment):
            name = match.group("name")
            if not _org_head(name) or aliases.canonical(name) or any(s <= match.end() < e for s, e in committees):
                continue
            resolved = context.resolve(name, (position[0], position[1] + match.start()))
            if resolved:
                found.append(resolved)
    return tuple(c for c in dict.fromkeys(found) if c not in addressed)


def extract_mandates(passages: Iterable[Passage], aliases: AliasTable | None = None) -> list[ActionClause]:
    """Every action clause of every operative paragraph and sub-paragraph, in reading order.

    ``passages`` may hold several documents; each is read in order (heading and
    preambular paragraphs too, for the names they introduce). Without an alias
    table, the built-in one is used, extended with what the passages teach.
    """
    passages = list(passages)
    if aliases is None:
        aliases = AliasTable.builtin().learn(passages)
    by_doc: dict[str, list[Passage]] = {}
    for passage in passages:
        by_doc.setdefault(passage.doc, []).append(passage)
    clauses: list[ActionClause] = []
    for doc_passages in by_doc.values():
        context = DocumentContext(aliases)
        last_clause: dict[tuple[str, str], ActionClause] = {}
        for index, passage in enumerate(doc_passages):
            if passage.kind != "footnote":
                context.read(index, passage.text)
            if passage.kind == "operative":
                chapeau = None
                parent = _parent_number(passage)
                if parent:
                    chapeau = last_clause.get((passage.part, parent))
                found = extract_passage(passage, aliases, context, index, chapeau)
                clauses.extend(found)
                if found:
                    last_clause[(passage.part, passage.number)] = found[-1]
    return clauses


_BUILTIN_CACHE: list[AliasTable] = []


def builtin_aliases() -> AliasTable:
    """The built-in alias table, loaded once (for callers that pass none)."""
    if not _BUILTIN_CACHE:
        _BUILTIN_CACHE.append(AliasTable.builtin())
    return _BUILTIN_CACHE[0]


# ============================================================================ stored with the index
def aliases_fingerprint(aliases: AliasTable) -> str:
    """A short hash of an alias table: stored clauses are valid for the table they were extracted with."""
    import hashlib

    return hashlib.sha256(aliases.dumps().encode("utf-8")).hexdigest()[:16]


def index_mandates(store: Any, aliases: AliasTable) -> int:
    """Extract and store the clauses of every document of ``store`` (a ``rag.store.Store`` being
    written) whose stored clauses are missing or were extracted with another alias table; return
    how many documents were extracted. Clauses are a pure function of a document's passages and
    the alias table, so an unchanged document keeps its clauses from one generation to the next.
    """
    import json

    fingerprint = aliases_fingerprint(aliases)
    stored = store.mandate_versions()
    todo = [symbol for symbol in store.symbols() if stored.get(symbol) != fingerprint]
    with store.transaction():
        for symbol in todo:
            clauses = extract_mandates(store.passages(symbol), aliases)
            store.put_mandates(symbol, fingerprint,
                               json.dumps([c.to_json() for c in clauses], ensure_ascii=False))
    return len(todo)


def clauses_from_json(text: str) -> list[ActionClause]:
    """Clauses stored by :func:`index_mandates` (a JSON list of :meth:`ActionClause.to_json`)."""
    import json

    return [ActionClause.from_json(item) for item in json.loads(text)]
