"""Reading a question: cleaning it, and finding what kind of question it is.

Before any retrieval, the answerer (``rag.answer``) needs to know a few things about the
question itself, and these functions tell them from its wording alone:

* :func:`clean_question`: control characters removed, length checked (an ``InputError`` with the way out);
* :func:`foreign_language`: a question that is not in English;
* :func:`question_terms`: its content words (stemmed), :func:`question_names`: its acronyms and names;
* :func:`wants_list`: whether it asks for several items ("Which paragraphs ...?");
* :func:`parse_label_request`: a paragraph asked for by its label ("OP 9", "first preambular paragraph");
  :func:`find_label_mentions`, where: the one reading of labels the search (``rag.retrieve``) shares;
* :func:`metadata_intent`: a question about the document itself (symbol, date, issuing body ...);
* :func:`asks_about_present`: a question about the present state of affairs, which dated texts cannot answer.

>>> question_terms("What is UNODC asked to do on biometrics?")
['unodc', 'biometr']
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rag.countries import countries_of
from rag.errors import InputError
from rag.lexical import tokenize
from rag.types import PART_PREFIX, format_label

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def clean_question(raw: str, max_chars: int) -> str:
    """The question with control characters removed and whitespace collapsed.

    Raises :class:`InputError` for an empty question or one longer than ``max_chars``.

    >>> clean_question("  What is\\tUNODC\\x00 asked to do?\\n", 200)
    'What is UNODC asked to do?'
    >>> clean_question(" \\x07 ", 200)
    Traceback (most recent call last):
    ...
    rag.errors.InputError: the question is empty (after removing control characters); ask e.g. ...
    """
    raw = raw or ""
    if len(raw) > 4 * max_chars + 1000:  # refused before any work on it: a huge question slows nobody down
        raise _too_long(len(raw), max_chars)
    text = unicodedata.normalize("NFC", raw)
    had_controls = bool(_CONTROL.search(text))
    text = _INVISIBLE.sub("", _CONTROL.sub(" ", text))
    text = " ".join(text.split())
    if not text:
        why = " (after removing control characters)" if had_controls else ""
        raise InputError(f'the question is empty{why}; ask e.g. rag ask "What is UNODC requested to do?"')
    if len(text) > max_chars:
        raise _too_long(len(text), max_chars)
    return text


#: "what's", "doesn't", "they're": contractions; "admin", "govt", "int'l": informal abbreviations. Written out for the
#: patterns and the search that read a question. An acronym is left as it is: "WHO's estimate" is the World Health
#: Organization's.
_WRITTEN_OUT = (
    (re.compile(r"\b([Ww]hat|[Ww]hen|[Ww]here|[Ww]ho|[Hh]ow|[Tt]hat|[Tt]here|[Ii]t)['’]s\b"), r"\1 is"),
    (re.compile(r"\b([Cc]a)n['’]t\b"), r"\1nnot"),
    (re.compile(r"\b([Ww])on['’]t\b"), r"\1ill not"),
    (re.compile(r"\b(does|do|did|is|are|was|were|has|have|had|should|must|would|could)n['’]t\b", re.IGNORECASE),
     r"\1 not"),
    (re.compile(r"\b(they|we|you)['’]re\b", re.IGNORECASE), r"\1 are"),
    (re.compile(r"\badmin\b", re.IGNORECASE), "administration"),
    (re.compile(r"\bgov(?:['’]?t|ts)\b", re.IGNORECASE), "government"),
    (re.compile(r"\bint(?:['’]l|l)\b", re.IGNORECASE), "international"),
    (re.compile(r"\bdept\b", re.IGNORECASE), "department"),
)


def write_out(question: str) -> str:
    """``question`` with its contractions and informal abbreviations written out, so that "what's the budget" is
    read as "what is the budget" and "the admin of justice resolution" finds the administration of justice.

    >>> write_out("what's WHO's estimate, and when's the report due? It doesn't say; can't it?")
    "what is WHO's estimate, and when is the report due? It does not say; cannot it?"
    >>> write_out("what agenda item is the admin of justice resolution under? and int'l law?")
    'what agenda item is the administration of justice resolution under? and international law?'
    """
    for pattern, replacement in _WRITTEN_OUT:
        question = pattern.sub(replacement, question)
    return question


def _too_long(length: int, max_chars: int) -> InputError:
    return InputError(f"the question is {length:,} characters long, more than the limit of {max_chars:,} "
                      "(setting RAG_MAX_QUESTION_CHARS); ask one short question at a time")


#: Very common function words of languages users may write in, to notice a question
#: that is not in English (the bundled model and the documents are English).
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FOREIGN_WORDS: dict[str, frozenset[str]] = {
    "French": _words("le la les des du une est que qui quoi quel quelle quels quelles dans pour sur avec au aux "
                     "ce cette ces sont il elle nous vous fait faire demande demandé ne pas"),
    "Spanish": _words("el la los las del una es que qué cuál cuáles dónde cómo para por con se al este esta son "
                      "hace pide sobre dice"),
    "German": _words("der die das den dem des ein eine ist sind und was wer wie welche welcher für mit von zu im "
                     "auf wird werden nicht"),
    "Portuguese": _words("o os as do da dos das um uma é que qual quais para com por no na ao pede sobre diz"),
    "Italian": _words("il lo gli le del della dei che cosa quale quali per con sono è nel alla chiede dice"),
}
_ENGLISH_WORDS = _words(
    "the a an of to in on for and or is are was be what which who whom how does do did it this that about with by "
    "from as at its their there any all has have when where why can should say says said text resolution draft"
)


def foreign_language(question: str) -> str | None:
    """The language a question seems written in when it is clearly not English, else ``None``.

    >>> foreign_language("Que demande la résolution à l'ONUDC ?")
    'French'
    >>> foreign_language("¿Qué se pide a la UNODC sobre las pruebas electrónicas?")
    'Spanish'
    >>> foreign_language("联合国毒品和犯罪问题办公室被要求做什么？")
    'a language other than English'
    >>> foreign_language("What is UNODC asked to do on evidence?") is None
    True
    >>> foreign_language("OP 9") is None
    True
    """
    letters = [c for c in question if c.isalpha()]
    if not letters:
        return None
    non_latin = sum(1 for c in letters if not unicodedata.name(c, "").startswith("LATIN"))
    if non_latin / len(letters) > 0.5:
        return "a language other than English"
    words = re.findall(r"[^\W\d_]+", question.lower().replace("’", "'").replace("'", " "))
    if len(words) < 3:
        return None
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    best, best_count = None, 0
    for language, vocabulary in _FOREIGN_WORDS.items():
        count = sum(1 for w in words if w in vocabulary and w not in _ENGLISH_WORDS)
        if count > best_count:
            best, best_count = language, count
    if best is not None and best_count >= 2 and best_count > english:
        return best
    return None


# --------------------------------------------------------------------------- question analysis

#: Words that say how a question is asked, not what it is about.
_QUESTION_TALK = frozenset(
    tokenize(
        "text resolution resolutions draft document documents say says said saying mention mentions mentioned "
        "paragraph paragraphs deal deals dealing anything something there regarding concern concerns concerning "
        "refer refers referred reference talk talks provision provisions language list show tell me us give "
        "where which what whose whom why when how many much kind type one ones part parts contain contains "
        "include includes included anywhere specifically particular relate relates related according "
        "quote quoting cite cited address addresses addressed ask asks asked compare comparing comparison "
        "contrast summarize summarise summary describe explain"
    )
)


def question_terms(question: str) -> list[str]:
    """The stems that carry what a question is about (stop words and question talk removed).

    >>> question_terms("What does the text say about money laundering?")
    ['money', 'launder']
    >>> question_terms("Compare what the two texts ask of all States")
    ['two', 'state']
    """
    seen: list[str] = []
    for token in tokenize(question):
        if token not in _QUESTION_TALK and token not in seen:
            seen.append(token)
    return seen


#: "Which resolutions mention terrorism?", "In which texts is INTERPOL named?": documents, one answer each.
_DOCUMENTS_QUESTION = re.compile(
    r"\b(?:which|what)\s+(?:of\s+the\s+)?(?:resolutions|documents|texts|drafts|declarations)\b|"
    r"\bin\s+which\s+(?:resolutions?|documents?|texts?|drafts?)\b",
    re.IGNORECASE,
)


def asks_for_documents(question: str) -> bool:
    """Whether ``question`` asks which documents say something (each document's best paragraph answers).

    >>> asks_for_documents("Which resolutions mention terrorism?"), asks_for_documents("In which text is it named?")
    (True, True)
    >>> asks_for_documents("Which resolution 2730 paragraphs mention aid?")
    False
    """
    return bool(_DOCUMENTS_QUESTION.search(question))


#: "Which paragraphs mention INTERPOL?", "Where does the text refer to UNESCO?", "Where is INTERPOL mentioned?"
#: (not "Where does the resolution say the meetings named in it are held?", a question on a place)
_MENTION_QUESTION = re.compile(
    r"\b(?:which|what)\s+(?:paragraphs?|passages?|provisions?|parts?|footnotes?|resolutions|documents|texts)\b"
    r".*\b(?:mention|refer|cite|name)\w*|"
    r"^\s*where\s+(?:does|do)\s+(?:the|this|these|any)\s+(?:texts?|resolutions?|documents?|drafts?|declarations?)"
    r"\s+(?:mention|refer|cite|name)\w*|"
    r"^\s*where\s+(?:is|are)\s+.+?\s+(?:mentioned|referred\s+to|cited|named)\s*\??\s*$",
    re.IGNORECASE,
)


def asks_for_mentions(question: str) -> bool:
    """Whether ``question`` asks for every paragraph that mentions something (not the best one on a topic).

    >>> asks_for_mentions("Which paragraphs mention INTERPOL?"), asks_for_mentions("Where is UNESCO mentioned?")
    (True, True)
    >>> asks_for_mentions("What does the text say about INTERPOL?")
    False
    >>> asks_for_mentions("Where does the resolution say the meetings named in it are held?")
    False
    """
    return bool(_MENTION_QUESTION.search(question))


_LIST_CUES = re.compile(
    r"\b(list|all|every|which paragraphs|what paragraphs|which provisions|where does|where is|paragraphs|"
    r"mandates|what are)\b"
    # "what does the text say about X", "what is said on X", "which texts deal with X": everything on X
    r"|\bwhat\s+(?:does|do|did)\s+(?:the\s+|this\s+|these\s+)?(?:texts?|it|they|resolutions?|documents?|drafts?)"
    r"\s+(?:say|says|state|provide)\b|\bwhat\s+is\s+said\b|\bwhich\s+(?:texts|resolutions|documents)\b",
    re.IGNORECASE,
)
#: "Which measures ...", "What protections ...": a wh-word before a plural noun asks for every item.
_PLURAL_WH = re.compile(
    r"^\s*(?:what|which)\s+(?:[A-Za-z\-]+\s+)?(?P<noun>[a-z][a-z\-]{2,}s)\s+(?:and\s+[a-z\-]+s\s+)?"
    r"(?:(?:on|for|against|about|regarding|to|in)\s+(?:[\w\-]+\s+){1,4})?"
    r"(?:are|were|have|do|did|will|would|should|can|could|must|may|might)\b",
    re.IGNORECASE,
)
_NOT_PLURAL = frozenset({"does", "is", "was", "has", "this", "its", "us", "as", "thus", "process", "status", "access",
                         "progress", "business", "basis", "analysis", "crisis", "focus", "address", "success", "bus",
                         "consensus", "means", "series", "species", "news"})


def wants_list(question: str) -> bool:
    """True when the question asks for several items ("list all paragraphs on evidence", "what does the
    text say about X", "which measures ...").

    >>> wants_list("List all paragraphs on evidence."), wants_list("What is SHERLOC?")
    (True, False)
    >>> wants_list("What does the text say about radicalization?"), wants_list("What protections are foreseen?")
    (True, True)
    >>> wants_list("When must the Secretary-General report?"), wants_list("Which guide does it welcome?")
    (False, False)
    """
    if _LIST_CUES.search(question):
        return True
    plural = _PLURAL_WH.match(question)
    return plural is not None and plural.group("noun").lower() not in _NOT_PLURAL


# --------------------------------------------------------------------------- label questions

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "last": -1, "final": -1,
}
_KIND_WORDS = {
    "op": "operative", "operative": "operative", "pp": "preambular", "preambular": "preambular",
    "footnote": "footnote", "fn": "footnote", "note": "footnote", "paragraph": "", "para": "", "par": "", "¶": "",
    "§": "",
}
_SUBS = r"(?:\s*\((?:[a-z]{1,2}|[ivxl]{1,6}|\d{1,2})\))*"  # "(a)", "(iv)", "(1)", as passages are numbered
#: A part of the document named before a label: "Annex OP 49", "draft paragraph 3", "annexed PP 2".
_PART_BEFORE = r"(?:(?P<part>draft|annex(?:ed)?)\s+)?"
#: A sub-paragraph letter typed without brackets at the end of a label: "OP 16 b", "op 5 c of A/RES/79/172".
_BARE_SUB = r"(?:\s+[a-h](?=\s*(?:$|[?!.,;:&]|\b(?:of|in|and)\b)))?"
#: The words that name a paragraph's kind before its number ("OP", "operative paragraph", "paragraphs", "¶").
_PARAGRAPH_WORD = r"(?:paragraphs?|paras?\.?|§)"
_LABEL = re.compile(
    r"(?:\b|(?<!\w)(?=[¶§]))" + _PART_BEFORE + r"(?P<kind>ops?\.?|pps?\.?|fn|footnotes?|note|"
    rf"(?:operative|preambular)\s+{_PARAGRAPH_WORD}|{_PARAGRAPH_WORD}|par\.|¶)"
    rf"\s*(?:no\.?\s*)?(?P<number>\d{{1,3}}{_SUBS}{_BARE_SUB}|\*{{1,3}})(?![\w/])",
    re.IGNORECASE,
)
#: More numbers after a label, of the same kind: "OP 3, 4 and 5", "paragraphs 5 to 7", "OP 16 (a)-(c)".
_MORE_NUMBERS = re.compile(
    rf"\s*(?P<sep>,\s*(?:and\s+)?|&|\band\b|-|–|\bto\b|\bthrough\b)\s*"
    rf"(?:(?P<kind>ops?\.?|pps?\.?|paragraphs?|paras?\.?)\s*)?"
    rf"(?:(?P<number>\d{{1,3}}{_SUBS})|\((?P<sub>[a-z])\))(?![\w/])",
    re.IGNORECASE,
)
#: The longest run of paragraphs a range ("paragraphs 5 to 7") may stand for.
MAX_LABEL_RANGE = 30
#: A part of the document named after a label: "OP 3 of the draft (resolution)", "paragraph 49 of the annex".
PART_AFTER = re.compile(
    r"\s*,?\s*\b(?:of|in)\s+(?:the|its|this)\s+(?:(?P<annex>annex(?:ed\s+(?:text|declaration))?)|"
    r"(?P<draft>draft(?:\s+(?:resolution|decision|text))?))\b",
    re.IGNORECASE,
)
#: A paragraph named by its place: "the second preambular paragraph", "the final operative paragraph", "the last
#: paragraph" (a resolution's last paragraph is operative).
ORDINAL_LABEL = re.compile(
    rf"\b(?P<ordinal>{'|'.join(_ORDINALS)})\s+(?P<kind>operative|preambular)\s+"
    r"(?:(?:paragraphs?|paras?)\b|§)"
    r"|\b(?P<last>last|final)\s+(?:paragraph|para)\b",
    re.IGNORECASE,
)
SYMBOL_PATTERN = re.compile(r"\b(?:[AESTC]|UNEP|FCCC|TD|DP|ICCD|CRC|CEDAW)(?:/[A-Z0-9.()\-]+)+(?:\s*\(\d{4}\))?",
                     re.IGNORECASE)
#: A document named by its number alone, anywhere: a number with a slash or a year ("79/172", "2023/23",
#: "2730 (2024)"). A bare number ("2730") may as well be a year or a count: it names a document only after a noun
#: (:data:`DOCUMENT_REFERENCE`).
DOCUMENT_NUMBER = re.compile(r"(?<![\w/])(?:\d+(?:\s?/\s?\d+)+|\d{1,5}\s*\(\d{4}\))(?![\w/])")
#: One number in a list of them after a noun: "79/172", "2730 (2024)", "2730".
_LISTED_NUMBER = r"\d{1,5}(?:\s?/\s?\d{1,5})*(?:\s*\(\d{4}\))?"
#: Resolutions and decisions named by number, one or a list: "resolution 1325 (2000)", "decision 29/101",
#: "resolutions 757 and 787", "res. 79/172", "UNSCR 2730", "resolution No. 5". The one pattern for them: the
#: search (``rag.retrieve.SymbolMatcher``), the answerer (``rag.retrieve.unindexed_references``) and the
#: follow-up (``rag.followup.cites_a_document``) read them through it.
DOCUMENT_REFERENCE = re.compile(
    rf"\b(?P<noun>resolutions?|decisions?|res\b\.?|unscr)\s+(?:no\.?\s*)?"
    rf"(?P<list>{_LISTED_NUMBER}(?:\s*(?:,|and|or)\s*{_LISTED_NUMBER})*)(?![\w/])",
    re.IGNORECASE,
)


def referenced_numbers(text: str) -> list[tuple[int, int, str, str]]:
    """The documents ``text`` names by number after a noun (:data:`DOCUMENT_REFERENCE`): (start, end, noun,
    number), the noun "resolution" or "decision", the number without spaces nor year.

    >>> [ref[2:] for ref in referenced_numbers("Do UNSCR 1325, resolutions 787 (1992) or 79 / 172 and decision 5 say?")]
    [('resolution', '1325'), ('resolution', '787'), ('resolution', '79/172'), ('decision', '5')]
    """
    found = []
    for match in DOCUMENT_REFERENCE.finditer(text):
        noun = "decision" if match.group("noun").lower().startswith("decision") else "resolution"
        for item in re.finditer(_LISTED_NUMBER, match.group("list")):
            number = re.sub(r"\s+", "", re.sub(r"\s*\(\d{4}\)", "", item.group(0)))
            found.append((match.start("list") + item.start(), match.start("list") + item.end(), noun, number))
    return found


def bare_resolution_numbers(text: str) -> list[tuple[int, int, str]]:
    """Resolutions named by a number without slash nor year, after "resolution", "res." or "UNSCR": a Security
    Council resolution without its year ("resolution 2730", "resolutions 787 and 1445"): (start, end, number).

    >>> bare_resolution_numbers("resolutions 787 and 1445 (2002), decision 5 and res. 79/172")
    [(12, 15, '787')]
    """
    return [(start, end, number) for start, end, noun, number in referenced_numbers(text)
            if noun == "resolution" and text[start:end].isdigit()]


def without_document_references(question: str) -> str:
    """``question`` without the symbols and numbers naming a document: they say which document a question is
    about, not which of its passages or lines answers it.

    >>> without_document_references("When was resolution 79/172 adopted?").split()
    ['When', 'was', 'resolution', 'adopted?']
    >>> without_document_references("Which body adopted A/RES/79/172 and S/RES/2730 (2024)?").split()
    ['Which', 'body', 'adopted', 'and', '?']
    >>> without_document_references("Who adopted resolution 2023/23 and resolutions 787 and 1445?").split()
    ['Who', 'adopted', 'resolution', 'and', 'resolutions', '?']
    """
    question = DOCUMENT_REFERENCE.sub(lambda match: match.group("noun") + " ", SYMBOL_PATTERN.sub(" ", question))
    return DOCUMENT_NUMBER.sub(" ", question)


_FILLER = _words(
    "what does do say says said show me display quote read print give text of in the a paragraph please is "
    "content contents full wording word words verbatim resolution document this its res unscr and about how "
    "ask asks request requests demand demands decide decides mean means contain contains provide provides cover "
    "covers"
)


@dataclass(frozen=True)
class LabelRequest:
    """A question that names a paragraph: ``kind`` ("" when the kind is not said), ``number`` (``"9"``,
    ``"5(a)"``, ``"*"``; ``-1`` ordinal ``last`` becomes ``"last"``), the document symbol if given, and
    whether the question is *only* the label (then the whole paragraph is shown). ``part`` is the part of the
    document the question names ("Annex OP 49", "OP 3 of the draft": ``"annex"``, ``"draft"``; see
    ``rag.types.PART_PREFIX``), ``""`` when it names none (the document's own text first, then its parts)."""

    kind: str
    number: str
    symbol: str = ""
    only: bool = True
    part: str = ""

    @property
    def label(self) -> str:
        """The label asked for, as cited ("Draft OP 3"), or as said ("paragraph 3", "last operative paragraph").

        >>> LabelRequest("operative", "5(a)", part="annex").label, LabelRequest("", "3").label
        ('Annex OP 5 (a)', 'paragraph 3')
        >>> LabelRequest("preambular", "last", part="draft").label
        'last preambular paragraph of the draft'
        """
        if self.number == "last":
            return f"last {self.kind or 'operative'} paragraph" + (f" of the {self.part}" if self.part else "")
        if not self.kind:
            return f"{PART_PREFIX.get(self.part, '').lower()}paragraph {self.number}"
        return format_label(self.kind, self.number, self.part)


def parse_label_request(question: str) -> LabelRequest | None:
    """Recognise a paragraph label in a question (the first, when it names several: :func:`parse_label_requests`).

    >>> parse_label_request("OP 9")
    LabelRequest(kind='operative', number='9', symbol='', only=True, part='')
    >>> parse_label_request("operative paragraph 5 (a) of E/CN.15/2019/L.8/Rev.1")
    LabelRequest(kind='operative', number='5(a)', symbol='E/CN.15/2019/L.8/Rev.1', only=True, part='')
    >>> parse_label_request("What does PP 3 say about religion?")
    LabelRequest(kind='preambular', number='3', symbol='', only=False, part='')
    >>> parse_label_request("Show me the last operative paragraph")
    LabelRequest(kind='operative', number='last', symbol='', only=True, part='')
    >>> parse_label_request("What does resolution 72/194 say?") is None
    True

    A part of the document named before or after the label ("Annex OP 49", "operative paragraph 3 of the
    draft resolution"), and a document named by number ("of resolution 2730"), leave the question a label only:

    >>> parse_label_request("Annex OP 49 of A/RES/73/3")
    LabelRequest(kind='operative', number='49', symbol='A/RES/73/3', only=True, part='annex')
    >>> parse_label_request("What does operative paragraph 3 of the draft resolution say?")
    LabelRequest(kind='operative', number='3', symbol='', only=True, part='draft')
    >>> parse_label_request("What does OP 16 of resolution 2730 say?").only
    True
    """
    requests = parse_label_requests(question)
    return requests[0] if requests else None


def parse_label_requests(question: str) -> list[LabelRequest]:
    """Every paragraph a question names by label, in order: several labels, a list or a range of numbers, each
    with the document symbol written after it (or before it), as people type them.

    >>> [r.label for r in parse_label_requests("OP 3 and OP 4 of resolution 2730")]
    ['OP 3', 'OP 4']
    >>> [r.label for r in parse_label_requests("PP 3 to PP 5 and OP 1")]
    ['PP 3', 'PP 4', 'PP 5', 'OP 1']
    >>> [r.label for r in parse_label_requests("paragraphs 5 to 7")], parse_label_requests("¶ 12")[0].label
    (['paragraph 5', 'paragraph 6', 'paragraph 7'], 'paragraph 12')
    >>> [r.label for r in parse_label_requests("op 16 (a)-(c) of 2730")] + [parse_label_request("OP 16 b").label]
    ['OP 16 (a)', 'OP 16 (b)', 'OP 16 (c)', 'OP 16 (b)']
    >>> [(r.label, r.symbol) for r in parse_label_requests("OP 9 of E/CN.15/2019/L.8/Rev.1 and OP 19 of A/RES/77/236")]
    [('OP 9', 'E/CN.15/2019/L.8/Rev.1'), ('OP 19', 'A/RES/77/236')]
    >>> parse_label_request("op. 5 of res. 79/172").only, parse_label_request("last paragraph of resolution 1445").label
    (True, 'last operative paragraph')
    """
    mentions = find_label_mentions(question)
    remainder = _blank_symbols(question)
    for mention in reversed(mentions):
        remainder = remainder[: mention.start] + " " + remainder[mention.end :]
    remainder = without_document_references(remainder).lower()
    # a number left beside a label names its document ("OP 3 of 2730"), not what to look for
    words = [w for w in re.findall(r"[^\W_]+", remainder)
             if w not in _FILLER and w not in _ORDINALS and not (w.isdigit() and len(w) >= 3)]
    requests = [request for mention in mentions for request in mention.requests]
    return list(dict.fromkeys(dataclasses.replace(r, only=not words) for r in requests))


@dataclass(frozen=True)
class LabelMention:
    """Where a question names paragraphs by label, ``question[start:end]`` ("paragraphs 5 to 7 of the annex"),
    and the paragraphs it names there, in order (their ``only`` is left ``True``: whether the question is
    nothing but its labels, :func:`parse_label_requests` says)."""

    start: int
    end: int
    requests: tuple[LabelRequest, ...]


def find_label_mentions(question: str) -> list[LabelMention]:
    """Where a question names paragraphs by label, and which: the one reading of labels that the answerer
    (:func:`parse_label_requests`) and the search (``rag.retrieve.find_labels``) share. A paragraph named by
    its place ("the second preambular paragraph", "the last paragraph") counts when no label is written.

    >>> [(m.start, m.end, [r.label for r in m.requests]) for m in find_label_mentions("Do OP 3 to 5 of the annex "
    ...                                                                               "and footnote 2 say it?")]
    [(3, 25, ['Annex OP 3', 'Annex OP 4', 'Annex OP 5']), (30, 40, ['Footnote 2'])]
    >>> [r.label for m in find_label_mentions("What does the final operative paragraph say?") for r in m.requests]
    ['last operative paragraph']
    """
    symbols = [(m.start(), m.group(0).strip()) for m in SYMBOL_PATTERN.finditer(question)]
    rest = _blank_symbols(question)
    found: list[tuple[int, int, str, list[str], str]] = []  # (start, end, kind, numbers, part)
    for match in _LABEL.finditer(rest):
        if found and match.start() < found[-1][1]:
            continue  # read already, as the end of a range ("PP 3 to PP 5")
        kind = _kind_of(match.group("kind"))
        numbers, end = [_label_number(match.group("number"))], match.end()
        if not numbers[0].startswith("*"):
            end = _more_numbers(rest, end, numbers, kind)
        else:
            kind = "footnote"
        part = (match.group("part") or "").lower().replace("annexed", "annex")
        found.append((match.start(), end, kind, numbers, part))
    if not found:
        ordinal_match = ORDINAL_LABEL.search(rest)
        if not ordinal_match:
            return []
        ordinal = -1 if ordinal_match.group("last") else _ORDINALS[ordinal_match.group("ordinal").lower()]
        kind = (ordinal_match.group("kind") or "operative").lower()
        found.append((ordinal_match.start(), ordinal_match.end(), kind, ["last" if ordinal < 0 else str(ordinal)], ""))
    mentions: list[LabelMention] = []
    for index, (start, end, kind, numbers, part) in enumerate(found):
        after = PART_AFTER.match(rest, end)
        if after:
            part, end = part or ("annex" if after.group("annex") else "draft"), after.end()
        if kind == "footnote":
            part = ""  # footnotes are numbered through the whole document
        # the symbol written after the label (before the next one), else the last one before it
        upto = found[index + 1][0] if index + 1 < len(found) else len(rest)
        following = [symbol for position, symbol in symbols if end <= position < upto]
        preceding = [symbol for position, symbol in symbols if position < start]
        symbol = (following or preceding[-1:] or [""])[0]
        mentions.append(LabelMention(start, end, tuple(LabelRequest(kind=kind, number=number, symbol=symbol,
                                                                    part=part) for number in numbers)))
    return mentions


def _blank_symbols(question: str) -> str:
    """``question`` with its document symbols blanked out, every other character where it was."""
    return SYMBOL_PATTERN.sub(lambda m: " " * len(m.group(0)), question)


def _kind_of(written: str) -> str:
    """The passage kind a label's word names: "OPs" and "op." operative, "paragraphs" and "¶" any kind ("")."""
    word = written.lower().split()[0].rstrip(".")
    return _KIND_WORDS.get(word, _KIND_WORDS.get(word.rstrip("s"), ""))


def _label_number(written: str) -> str:
    """A label's number as ``rag.types.normalise_label`` compares it: "5 (a)" is "5(a)", "16 b" is "16(b)"."""
    return re.sub(r"\s+", "", re.sub(r"\s+([a-h])$", r"(\1)", written.strip())).lower()


def _more_numbers(text: str, end: int, numbers: list[str], kind: str) -> int:
    """Read the numbers that follow a label of ``kind`` ("OP 3, 4 and 5", "paragraphs 5 to 7", "OP 16 (a)-(c)",
    "PP 3 to PP 5") into ``numbers``; where they end (a label of another kind, "OP 3 and PP 4", is not one)."""
    while (more := _MORE_NUMBERS.match(text, end)) is not None:
        if more.group("kind") and _kind_of(more.group("kind")) != kind:
            break
        previous, ranged = numbers[-1], more.group("sep").strip().lower() in {"-", "–", "to", "through"}
        if more.group("sub"):  # "(c)" after "16 (a)": a sub-paragraph of the same paragraph
            base, _, first = previous.partition("(")
            if not first:
                break
            letters = [more.group("sub").lower()]
            if ranged:
                letters = [chr(c) for c in range(ord(first[0]) + 1, ord(letters[0]) + 1)]
            numbers += [f"{base}({letter})" for letter in letters]
        else:
            number = _label_number(more.group("number"))
            if ranged and previous.isdigit() and number.isdigit() \
                    and int(previous) < int(number) <= int(previous) + MAX_LABEL_RANGE:
                numbers += [str(n) for n in range(int(previous) + 1, int(number) + 1)]
            else:
                numbers.append(number)
        end = more.end()
    return end


# --------------------------------------------------------------------------- metadata questions

_METADATA_INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "symbol of the Secretary-General's report" asks about another document
    ("symbol", re.compile(r"\b(document\s+)?symbol\b(?!\s+of\s+(?:the|a|an)\s+(?!(?:[\w\-’']+\s+){0,4}"
                          r"(?:document|draft|resolution|declaration|decision|text)\b))"
                          r"|\bdocument (number|code)\b", re.I)),
    ("editing", re.compile(r"\bformal(ly)?\s+edit|\bedited\b|\bediting\b", re.I)),
    ("reissue", re.compile(r"\bre-?issu", re.I)),
    # "Under which agenda item was it adopted?", "What is the agenda item of A/RES/77/236?" (not "Under which item
    # will the Assembly consider it next?": the text's own plans)
    ("agenda", re.compile(r"^(?!.*\b(?:will|next|future|upcoming)\b).*(?:\b(?:which|what)\s+(?:[\w\-]+\s+){0,2}"
                          r"agenda\s+items?\b|\bagenda\s+items?\s+(?:of|for|number)\b)", re.I)),
    # "Which session of the General Assembly adopted it?", "At what session was it adopted?"
    ("session", re.compile(r"^(?!.*\b(?:will|next|future|upcoming|following)\b).*\b(?:which|what)\s+"
                           r"(?:[\w\-]+\s+){0,2}session\b.*\b(?:adopt|issu|approv|pass|belong|from|dated)\w*"
                           r"|\badopt\w*\b.*\b(?:which|what)\s+(?:[\w\-]+\s+){0,2}session\b", re.I)),
    ("title", re.compile(r"\btitle\b|\bentitled\b|\bwhat is (this|the) (draft|resolution|document) called\b", re.I)),
    ("body", re.compile(
        r"\b(which|what) (main )?(body|organ|committee|commission)\b|"
        # "On whose report was it adopted?", "Was it adopted without reference to a Main Committee?"
        r"\bon\s+whose\s+(?:report|recommendation|proposal)\b|\bon\s+the\s+(?:report|recommendation)\s+of\s+"
        r"(?:which|what|whom)\b|\breference\s+to\s+a\s+main\s+committee\b|\bmain\s+committee\b.*\badopt|"
        r"\badopt\w*\b.*\bmain\s+committee\b|"
        r"\bwho (would |will )?(adopts?|adopted|issues?|issued|recommends?|recommended|submits?|submitted)\b|"
        r"\bissuing body\b|\b(an?|the) (ecosoc|general assembly|"
        r"security council|economic and social council) (document|one|draft|text)\b", re.I)),
    ("date", re.compile(r"^\s*(when|on what date|what date|which date)\b.*\b(issued?|dated|published?|adopt(ed)?|"
                        r"released?)\b|"
                        r"\bdate of (this|the) (document|draft|resolution|text)\b|"
                        # "What is the date of adoption of E/RES/2018/2?" (not "... of the Kyoto Declaration")
                        r"\bdate of (its )?(adoption|issue)( of ((this|the) (document|draft|resolution|text)|"
                        r"(resolution )?\S*\d\S*))?\W*$", re.I)),
    # "At which meeting was resolution 2730 (2024) adopted?", "In which plenary meeting did the Assembly adopt it?"
    ("meeting", re.compile(r"\b(which|what) ([\w\-]+ ){0,3}(meeting|plenary)\b.*\badopt|\badopt\w*\b.*\b(which|what) "
                           r"([\w\-]+ ){0,3}(meeting|plenary)\b|\bmeeting number\b", re.I)),
)
#: Words of each intent that a matching heading or footnote sentence is likely to contain.
INTENT_WORDS = {
    "editing": "edit editing formal",
    "reissue": "reissued technical reasons",
    "date": "reissued issued adopted dated session",
    "body": "recommends adopts adoption approval council assembly commission committee",
    "meeting": "meeting plenary adopted",
    "agenda": "agenda item",
    "session": "session",
    "title": "",
    "symbol": "",
}


def metadata_intent(question: str) -> str | None:
    """What a question about the document itself asks for, else ``None``.

    >>> metadata_intent("Was this issued with formal editing?")
    'editing'
    >>> metadata_intent("Is this an ECOSOC document or a General Assembly one?")
    'body'
    >>> metadata_intent("How many votes did the draft receive when it was adopted?") is None
    True
    >>> metadata_intent("Under which agenda item was it adopted?"), metadata_intent("Which session adopted it?")
    ('agenda', 'session')
    >>> metadata_intent("On whose report was it adopted?"), metadata_intent("At which plenary was it adopted?")
    ('body', 'meeting')
    """
    for name, pattern in _METADATA_INTENTS:
        if pattern.search(question):
            return name
    return None


_CONNECTORS = frozenset({"of", "on", "and", "for", "the", "in", "against", "to", "a"})
_NAME_WORD = re.compile(r"[^\W_][\w’'\-]*")


def question_names(question: str) -> list[str]:
    """Acronyms and capitalised names in a question (a capitalised first word is not a name).

    >>> question_names("What role does the Human Rights Council play in this resolution?")
    ['Human Rights Council']
    >>> question_names("Does it name ISIL or Al-Qaida?")
    ['ISIL', 'Al-Qaida']
    >>> question_names("Nelson Mandela Rules"), question_names("What does it say about COVID-19?")
    (['Nelson Mandela Rules'], ['COVID-19'])
    >>> question_names("Is terrorism linked to any religion in the text?"), question_names("Summarise S/RES/1445")
    ([], [])
    """
    question = _blank_symbols(question)  # a symbol names a document
    words = [(m.group(0), m.start()) for m in _NAME_WORD.finditer(question)]
    names: list[str] = []
    run: list[tuple[str, int]] = []

    def close() -> None:
        while run and run[-1][0] in _CONNECTORS:
            run.pop()
        if run:
            start, end = run[0][1], run[-1][1] + len(run[-1][0])
            names.append(question[start:end])
        run.clear()

    for index, (word, start) in enumerate(words):
        acronym = sum(c.isupper() for c in word) >= 2 and not word.isdigit()
        capital = word[:1].isupper()
        # a capitalised first word is a name only when the next word is capitalised too ("Nelson Mandela Rules")
        opens_name = (index == 0 and capital and len(words) > 1 and words[1][0][:1].isupper()
                      and word.lower() not in _ENGLISH_WORDS | _QUESTION_TALK_WORDS)
        joined = bool(run) and not question[run[-1][1] + len(run[-1][0]) : start].strip()
        if not joined or acronym or (run and sum(c.isupper() for c in run[-1][0]) >= 2):
            close()  # punctuation ends a name; an acronym is a name of its own
        if acronym or (capital and index > 0) or opens_name or (run and word in _CONNECTORS):
            run.append((word, start))
        else:
            close()
    close()
    return names


def acronym_like(word: str) -> bool:
    return sum(c.isupper() for c in word) >= 2 and not word.isdigit()


def spells_out(acronym: str, text: str) -> bool:
    """Whether ``text`` holds words whose initials are ``acronym`` (connectors and a leading "UN" aside).

    >>> spells_out("IPU", "the role of the Inter-Parliamentary Union in"), spells_out("AI", "artificial intelligence")
    (True, True)
    >>> spells_out("ISIL", "the Islamic Republic of Iran")
    False
    """
    from rag.aliases import initials_match

    words = [w for w in re.split(r"[^\w]+|_", text) if w]
    size = len(re.sub(r"[^A-Za-z]", "", acronym))
    for start in range(len(words)):
        for length in range(1, size + 5):
            chunk = words[start : start + length]
            if len(chunk) < length or chunk[0].lower() in _CONNECTORS:
                break
            if initials_match(acronym, " ".join(w[:1].upper() + w[1:] for w in chunk)):
                return True
    return False


#: Questions about the present state of the world, which texts adopted on a date cannot answer.
_PRESENT_STATE = re.compile(
    r"\b(so far|to date|(?:this|last|past)\s+(?:year|month|week)|these days|right now|nowadays|today|currently|"
    r"at present|since\s+(?:then|(?:its\s+)?adoption|it\s+was\s+adopted)|"
    r"current(?!\s+(?:resolution|text|draft|document|mandate|paragraph))|"
    # "WHO's latest estimate": figures of now, not of the text's date
    r"(?:latest|most\s+recent|up-to-date)\s+(?:estimates?|figures?|data|statistics|numbers?|counts?|tolls?))\b|"
    # "Has the Congress already taken place?": whether something has happened by now
    r"^\s*(?:has|have)\b[^?]*\balready\b",
    re.IGNORECASE,
)


def asks_about_present(question: str) -> bool:
    """True for a question about the present state of affairs ("Who is the current Executive Director?").

    >>> asks_about_present("Which Member States have requested assistance so far?")
    True
    >>> asks_about_present("What does the current resolution ask of UNODC?")
    False
    >>> asks_about_present("Has the Congress already taken place?"), asks_about_present("What has already been done?")
    (True, False)
    >>> asks_about_present("What is WHO's latest estimate of deaths?"), asks_about_present("the latest report on it?")
    (True, False)
    """
    return bool(_PRESENT_STATE.search(question))


_QUESTION_TALK_WORDS = _words("is are was were does do did has have which what who whom how where when why can "
                              "should could would will list show tell give")


# ---------------------------------------------------------------- words the corpus does not know
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def slips(word: str) -> list[str]:
    """The words one typing slip away from ``word``, most likely first: for an acronym of four letters or more,
    two letters swapped ("UNDOC" for "UNODC"); for a word of seven letters or more, also a letter missing, extra
    or wrong ("biometics", "Secretery"). Shorter words get none: "Chile" is not a slip for "child".

    >>> "UNODC" in slips("UNDOC"), "biometrics" in slips("biometics"), slips("Chile")
    (True, True, [])
    >>> slips("personel").index("personnel") < slips("personel").index("persone")  # a letter missing comes first
    True
    """
    lower = word.lower()
    swaps = [lower[:i] + lower[i + 1] + lower[i] + lower[i + 2:] for i in range(len(lower) - 1)]
    if word.isupper() and len(word) >= 4:
        found = swaps
    elif len(word) >= 7 and word.isalpha():
        found = swaps + [lower[:i] + c + lower[i:] for i in range(len(lower) + 1) for c in _LETTERS]  # missing
        found += [lower[:i] + lower[i + 1:] for i in range(len(lower))]  # extra
        found += [lower[:i] + c + lower[i + 1:] for i in range(len(lower)) for c in _LETTERS]  # wrong
    else:
        return []
    return [_same_case(candidate, word) for candidate in dict.fromkeys(found) if candidate != lower]


def _same_case(candidate: str, word: str) -> str:
    if word.isupper():
        return candidate.upper()
    return candidate[:1].upper() + candidate[1:] if word[:1].isupper() else candidate


def respell(question: str, known: Callable[[str], bool]) -> str:
    """``question`` with each word the corpus does not know (``known`` tells whether a stem is in it) replaced by
    the first of its :func:`slips` that the corpus knows; every other word, a common English word ("joining"
    when the corpus has "jointing") and a country's adjective whose country the corpus knows are left as they are.

    >>> corpus = {"unodc", "biometr", "secretari", "general", "uganda", "joint"}.__contains__
    >>> respell("What is UNDOC asked to do on biometics? And the Secretery-General? And Ugandan forces?", corpus)
    'What is UNODC asked to do on biometrics? And the Secretary-General? And Ugandan forces?'
    >>> respell("What about joining treaties?", corpus)
    'What about joining treaties?'
    """
    def mend(match: re.Match[str]) -> str:
        word = match.group(0)
        if not tokenize(word) or _known_form([word], known) or _known_form(countries_of(word), known):
            return word  # known, or a country's adjective ("Ugandan"): not a slip
        fix = _known_form(slips(word), known)
        if not fix:
            return word
        from rag.clean import is_word

        # an English word the corpus lacks ("joining") is not a slip for one it has ("jointing")
        return word if is_word(word) else fix

    return re.sub(r"[A-Za-z]+", mend, question)


def countries_named(question: str, known: Callable[[str], bool]) -> list[str]:
    """The countries the question names by an adjective or a people the corpus does not know, where the corpus
    knows the country: words for the search to find too ("Ugandan forces": the paragraphs say "Uganda").

    >>> countries_named("What are Ugandan and Rwandan forces asked to do in Uganda?", {"uganda"}.__contains__)
    ['Uganda']
    """
    found = []
    for word in re.findall(r"\b[A-Z][a-z]+\b", question):
        if all(known(s) for s in tokenize(word)):
            continue
        country = _known_form(countries_of(word), known)
        if country and country.capitalize() not in found:
            found.append(country.capitalize())
    return found


#: The documents a question is about, by when or by whom they were adopted: "Which resolutions adopted in 2024
#: mention detention?", "What do the 2018 resolutions say ...?", "resolutions from 2018", "2024's resolutions",
#: "... resolutions adopted by the Security Council". A year inside a symbol ("E/RES/2018/2", "S/RES/787 (1992)",
#: "resolution 2018/2") or a date ("26 May 2018") is no scope, nor one of something else ("the 2030 Agenda").
_YEAR = r"(?<![\w/(.\-])(?:19|20)\d{2}(?![\w/)\-]|[.,]\d)"
#: One year or several ("2018", "2018 and 2024", "2018, 2019 or 2020"), none inside a symbol or a date.
YEAR_LIST = rf"{_YEAR}(?:\s*(?:,\s*(?:(?:and|or)\s+)?|\b(?:and|or)\s+){_YEAR})*"
#: Only the plural names a set of documents: "Which 1959 ECOSOC resolution had ...?" asks which resolution a text
#: recalls, and "the 2018 resolution on tuberculosis" is found by its topic.
_SCOPED = r"(?:resolutions|documents|texts|decisions)\b"
_NAME = r"(?-i:[A-Z])[\w-]*(?:\s+(?:(?-i:[A-Z])[\w-]*|and|of|on))*"  # "Security Council", "Economic and Social Council"
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+"
_ADOPTED_IN = re.compile(
    # "adopted in 2024", "adopted by the Security Council during 2018 and 2019", "adopted in December 2018"
    rf"\b(?:adopt(?:ed)?|pass(?:ed)?)(?P<by>\s+by\s+(?:the\s+)?{_NAME})?(?P<after>\s+(?:in|during)\s+(?:{_MONTH})?"
    rf"(?:the\s+year\s+)?(?P<adopted_in>{YEAR_LIST}))"
    # "the 2018 resolutions", "2024's Security Council resolutions" (not "the 2030 Agenda resolutions")
    rf"|(?P<before>(?P<modifying>{YEAR_LIST})(?:['’]s)?\s+)(?!agenda\b)(?:{_NAME}\s+)?{_SCOPED}"
    # "resolutions from 2018", "Security Council resolutions of 2024", "resolutions of the Council in 2002"
    rf"|{_SCOPED}(?:\s+of\s+the\s+{_NAME})?(?P<of>\s+(?:of|from|in)\s+(?:the\s+year\s+)?(?P<of_year>{YEAR_LIST}))",
    re.IGNORECASE,
)
_ADOPTED_BY = re.compile(rf"\badopted\s+by\s+(?:the\s+)?(?P<body>{_NAME})")


def adoption_scope(question: str) -> tuple[list[str], str, str]:
    """The years and the body a question limits its documents to ("adopted in 2024", "the 2018 resolutions",
    "adopted by the Security Council"), and the question without those words (they say which documents, not what
    their paragraphs say); ``([], "", question)`` when it limits them by neither.

    >>> adoption_scope("Which resolutions adopted in 2024 mention detention?")
    (['2024'], '', 'Which resolutions mention detention?')
    >>> adoption_scope("What do resolutions adopted by the Economic and Social Council say about crime?")[1:]
    ('Economic and Social Council', 'What do resolutions say about crime?')
    >>> adoption_scope("Which 2018 resolutions are indexed?")
    (['2018'], '', 'Which resolutions are indexed?')
    >>> adoption_scope("Which 1959 ECOSOC resolution had the Secretary-General hire consultants?")[0]
    []
    >>> adoption_scope("Which Security Council resolutions from 2024 mention humanitarian personnel?")
    (['2024'], '', 'Which Security Council resolutions mention humanitarian personnel?')
    >>> for question in ("What do the 2018 resolutions say about tuberculosis?", "List 2024's resolutions",
    ...                  "Which resolutions of 2018 and 2024 mention crime?", "Any resolutions from the year 2002?",
    ...                  "Which texts were adopted by the Security Council in 2024?"):
    ...     print(adoption_scope(question))
    (['2018'], '', 'What do the resolutions say about tuberculosis?')
    (['2024'], '', 'List resolutions')
    (['2018', '2024'], '', 'Which resolutions mention crime?')
    (['2002'], '', 'Any resolutions?')
    (['2024'], 'Security Council', 'Which texts were?')

    A year in a symbol or a date, or of something else, is no scope:

    >>> for question in ("What does S/RES/787 (1992) decide?", "What does E/RES/2018/2 say?",
    ...                  "What do resolutions 2018/2 and 73/3 say?", "Which resolutions mention the 2030 Agenda?",
    ...                  "What must States achieve by 2030?", "Which resolutions say that in 2023 humanitarian workers "
    ...                  "were killed?", "What do the 2030 Agenda resolutions say?",
    ...                  "Which resolution recalls resolution 71.3 of 26 May 2018?"):
    ...     assert adoption_scope(question) == ([], "", question), question
    """
    years: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _ADOPTED_IN.finditer(question):
        written = match.group("adopted_in") or match.group("modifying") or match.group("of_year")
        years += re.findall(r"\d{4}", written)
        part = next(name for name in ("after", "before", "of") if match.group(name))
        # "resolutions adopted in 2024 mention" loses "adopted" too; "did the Council adopt in 2024" keeps "adopt"
        whole = part == "after" and not match.group("by") and match.group(0).lower().startswith(("adopted", "passed"))
        spans.append(match.span() if whole else match.span(part))
    rest = question
    for start, end in reversed(spans):
        rest = rest[:start] + rest[end:]
    body = _ADOPTED_BY.search(rest)
    rest = _ADOPTED_BY.sub("", rest)
    rest = " ".join(rest.split()).replace(" ?", "?")
    return list(dict.fromkeys(years)), body.group("body").strip() if body else "", rest


_NUMBER_WORDS = [
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
]
#: Small numbers as digits or words: texts write "within six months" and "within 12 months", users either.
_SMALL_NUMBER = re.compile(rf"(?<![\w/.,])(?:[2-9]|1\d|20|{'|'.join(_NUMBER_WORDS)})(?![\w/]|[.,]\d)", re.IGNORECASE)


def number_spellings(question: str) -> list[tuple[str, str]]:
    """The question's small numbers (2 to 20), each as written and written the other way.

    >>> number_spellings("What is due in 6 months, and what within twelve months?")
    [('6', 'six'), ('twelve', '12')]
    >>> number_spellings("What does resolution 2730 say about 1.5 million people in 2009?")
    []
    """
    found: dict[str, str] = {}
    for match in _SMALL_NUMBER.finditer(question):
        word = match.group(0).lower()
        found[word] = _NUMBER_WORDS[int(word) - 2] if word.isdigit() else str(_NUMBER_WORDS.index(word) + 2)
    return list(found.items())


_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
#: Ordinals up to the ninety-ninth: those of the labels (:data:`_ORDINALS`), then "thirtieth", "seventy-third" ...
_ORDINAL_VALUES = {word: n for word, n in _ORDINALS.items() if n > 0} | {
    tens[:-1] + "ieth": 10 * n for n, tens in enumerate(_TENS, 2)} | {
    f"{tens}-{unit}": 10 * n + u for n, tens in enumerate(_TENS, 2) for unit, u in _ORDINALS.items() if 0 < u < 10}
#: Events numbered in a series: "the Fourteenth Congress", "its seventy-third session", "the 14th Crime Congress".
_NUMBERED_EVENT = re.compile(
    rf"\b(?P<ordinal>{'|'.join(sorted(_ORDINAL_VALUES, key=len, reverse=True))}|\d{{1,3}}(?:st|nd|rd|th))\s+"
    r"(?:(?:United\s+Nations|UN|Crime|World|regular|special|substantive|plenary|high-level)\s+){0,3}"
    r"(?P<event>congress|session|meeting|conference|summit|segment|forum|assembly|decade)s?\b",
    re.IGNORECASE,
)


def numbered_events(text: str) -> set[tuple[int, str]]:
    """The events ``text`` names by their number in a series, as (number, kind).

    >>> sorted(numbered_events("the Fourteenth United Nations Congress, at its seventy-third session, 15th Congress"))
    [(14, 'congress'), (15, 'congress'), (73, 'session')]
    """
    found = set()
    for match in _NUMBERED_EVENT.finditer(text):
        ordinal = match["ordinal"].lower()
        number = int(ordinal[:-2]) if ordinal[0].isdigit() else _ORDINAL_VALUES[ordinal]
        found.add((number, match["event"].lower()))
    return found


def _known_form(candidates: Iterable[str], known: Callable[[str], bool]) -> str:
    """The first of ``candidates`` whose stems the corpus knows, or ``""``."""
    return next((c for c in candidates if (stems := tokenize(c)) and all(known(s) for s in stems)), "")
