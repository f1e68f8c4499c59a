"""The substance vocabulary: canonical names, UNODC drug groups, synonyms in several languages.

``canonical("hashish") -> ("cannabis_resin", "cannabis", None)``;
``canonical("acetic anhydride") -> ("precursor", "precursors", "acetic anhydride")``.
:func:`find_substances` scans free text for every term (longest match first), including
terms that block an event (fuel, explosives, licit medicines, caffeine) so that "63 kg of
explosive material" is not read as a drug seizure.

The words are data: ``geo/vocab/substances.csv`` (one row per term),
``geo/vocab/groups.toml`` (the substances in display order and their groups, also read by
the aggregates) and ``geo/vocab/substance_cues.toml`` (the precursor phrase, the words
that block a term placed before it). They are read and checked once, at import; this
module holds the scan.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterator, Mapping, NamedTuple

from .. import vocab
from ..errors import VocabularyError
from .patterns import rx as _rx
from ..caches import memo


__all__ = ["SUBSTANCES", "GROUPS", "DRUG_GROUPS", "GROUP_LABELS", "NOT_IN_ALL", "canonical",
           "drug_group", "find_substances", "near_spelling", "SubstanceMention"]

# --------------------------------------------------------------------------- the tables

_GROUPS_FILE = "groups.toml"
_TERMS_FILE = "substances.csv"
_CUES_FILE = "substance_cues.toml"

#: the languages a term may be filed under (ISO 639-1; ``mul``: the same word in many)
LANGUAGES = frozenset({"en", "es", "pt", "fr", "ru", "ms", "id", "mul"})
# kinds of term that name a drug; the other three kinds are mentions of their own sort
_DRUG_KINDS = frozenset({"name", "form", "street", "brand", "medicine", "plant", "chemical",
                         "class"})
_OTHER_KINDS = frozenset({"generic", "anaphor", "block"})
KINDS = _DRUG_KINDS | _OTHER_KINDS
_AS_FOUND = "(as found)"  # detail cell: keep the words as found
_QUOTED = "quoted"  # context cell: a term only between quotation marks
_NOT_BEFORE = "not before:"  # context cell prefix: words after which the term is no drug


def _toml_line(name: str, needle: str, after: str = "") -> str:
    """``file:line`` of the first line of a TOML vocabulary holding ``needle`` (past the
    first line holding ``after``): parsed TOML values carry no line numbers."""
    path = vocab.path_of(name)
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next((i for i, line in enumerate(lines) if after in line), 0)
    for n, line in enumerate(lines[start:], start + 1):
        if needle in line and not line.lstrip().startswith("#"):
            return f"{path}:{n}"
    return str(path)


def _load_groups() -> tuple[tuple[str, ...], Mapping[str, str], Mapping[str, str], frozenset[str]]:
    """(substances in display order, substance -> group, group -> label, substances left
    out of ``kg_all``), checked: every substance has a known group, every group a label
    and a substance, no code twice."""
    data = vocab.config(_GROUPS_FILE)
    path = vocab.path_of(_GROUPS_FILE)
    for key in ("substances", "groups"):
        if not isinstance(data.get(key), tuple) or not data[key]:
            raise VocabularyError(f"{path}: needs a non-empty `{key}` list")
    labels: dict[str, str] = {}
    for item in data["groups"]:
        code = item.get("code") if isinstance(item, Mapping) else None
        where = _toml_line(_GROUPS_FILE, f'code = "{code}"', "groups =") if code else str(path)
        if not isinstance(code, str) or not isinstance(item.get("label"), str) \
                or set(item) - {"code", "label"}:
            raise VocabularyError(f"{where}: a group is {{ code = \"...\", label = \"...\" }}, "
                                  f"not {dict(item) if isinstance(item, Mapping) else item!r}")
        if code in labels:
            raise VocabularyError(f"{where}: group {code!r} is listed twice")
        labels[code] = item["label"]
    groups: dict[str, str] = {}
    not_in_all: set[str] = set()
    for item in data["substances"]:
        code = item.get("code") if isinstance(item, Mapping) else None
        where = _toml_line(_GROUPS_FILE, f'code = "{code}"') if code else str(path)
        if not isinstance(code, str) or not isinstance(item.get("group"), str) \
                or set(item) - {"code", "group", "in_all"} \
                or not isinstance(item.get("in_all", True), bool):
            raise VocabularyError(f"{where}: a substance is {{ code = \"...\", group = \"...\" "
                                  f"[, in_all = false] }}, not "
                                  f"{dict(item) if isinstance(item, Mapping) else item!r}")
        if code in groups:
            raise VocabularyError(f"{where}: substance {code!r} is listed twice")
        if item["group"] not in labels:
            raise VocabularyError(f"{where}: substance {code!r} is in group {item['group']!r}, "
                                  f"which `groups` does not list ({', '.join(labels)})")
        groups[code] = item["group"]
        if not item.get("in_all", True):
            not_in_all.add(code)
    empty = [g for g in labels if g not in groups.values()]
    if empty:
        where = _toml_line(_GROUPS_FILE, f'code = "{empty[0]}"', "groups =")
        raise VocabularyError(f"{where}: group {empty[0]!r} has no substance")
    return (tuple(groups), MappingProxyType(groups), MappingProxyType(labels),
            frozenset(not_in_all))


#: SUBSTANCES: the canonical codes in display order; GROUPS: substance -> drug group;
#: GROUP_LABELS: drug group -> what it is, in display order; NOT_IN_ALL: substances the
#: aggregates leave out of ``kg_all``
SUBSTANCES, GROUPS, GROUP_LABELS, NOT_IN_ALL = _load_groups()
#: Drug groups -> their substances, both in display order.
DRUG_GROUPS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {g: tuple(s for s in SUBSTANCES if GROUPS[s] == g) for g in GROUP_LABELS})


def _key(text: str) -> str:
    # accent-insensitive for Latin script (Mn marks dropped); й/ё keep their base letters
    t = unicodedata.normalize("NFKD", text.strip().lower())
    t = "".join(c for c in t if unicodedata.category(c) != "Mn")
    t = t.replace("’", "'").replace("–", "-")
    return _rx(r"\s+").sub( " ", t)


class _Entry(NamedTuple):
    """What a term is: the mention kind (drug | generic | anaphor | block), its substance,
    its detail and context cells."""

    kind: str
    substance: str | None
    detail: str
    context: str


def _load_terms() -> tuple[tuple[str, ...], Mapping[str, _Entry], Mapping[str, _Entry]]:
    """(the terms in file order, term key -> entry, quoted term -> entry), checked: known
    kinds, languages and substances, no term twice, no key with two meanings."""
    path = vocab.path_of(_TERMS_FILE)
    records = vocab.csv_rows(path, required=("term", "language", "kind"),
                             columns=("substance", "detail", "context", "note"))
    terms: list[str] = []
    by_key: dict[str, tuple[_Entry, int]] = {}
    quoted: dict[str, _Entry] = {}
    seen: dict[str, int] = {}
    for line, row in records:
        where = f"{path}:{line}"
        term, substance, language, kind = row["term"], row["substance"], row["language"], row["kind"]
        detail, context = row["detail"], row["context"]
        if term != term.lower():
            raise VocabularyError(f"{where}: write the term {term!r} in lower case")
        if term in seen:
            raise VocabularyError(f"{where}: {term!r} is listed twice (also line {seen[term]})")
        seen[term] = line
        if language not in LANGUAGES:
            raise VocabularyError(f"{where}: language {language!r} is none of "
                                  f"{', '.join(sorted(LANGUAGES))}")
        if kind not in KINDS:
            raise VocabularyError(f"{where}: kind {kind!r} is none of {', '.join(sorted(KINDS))}")
        if kind in ("anaphor", "block"):
            if substance or detail or context:
                raise VocabularyError(f"{where}: a {kind} term has no substance, detail or context")
        elif substance not in GROUPS:
            raise VocabularyError(f"{where}: substance {substance!r} is not in {_GROUPS_FILE} "
                                  f"({', '.join(SUBSTANCES)})")
        if kind == "generic" and detail:
            raise VocabularyError(f"{where}: a generic term keeps no detail")
        if context.startswith(_NOT_BEFORE):
            if not context[len(_NOT_BEFORE):].split():
                raise VocabularyError(f"{where}: '{_NOT_BEFORE}' needs words")
        elif context not in ("", _QUOTED):
            raise VocabularyError(f"{where}: context {context!r} is neither empty, "
                                  f"{_QUOTED!r} nor '{_NOT_BEFORE} WORD ...'")
        entry = _Entry("drug" if kind in _DRUG_KINDS else kind, substance or None, detail,
                       context)
        if context == _QUOTED:
            quoted[term] = entry
            continue
        terms.append(term)
        key = _key(term)
        if key in by_key and by_key[key][0] != entry:
            other, other_line = by_key[key]
            raise VocabularyError(
                f"{where}: {term!r} reads as {key!r}, which line {other_line} maps to "
                f"{other.substance or other.kind} (detail {other.detail!r}); here it is "
                f"{entry.substance or entry.kind} (detail {entry.detail!r})")
        by_key[key] = (entry, line)
    return (tuple(terms), MappingProxyType({k: e for k, (e, _) in by_key.items()}),
            MappingProxyType(quoted))


_TERMS, _TABLE, _QUOTED_TERMS = _load_terms()


def _load_cues() -> Mapping:
    """The cue lists, checked: each a non-empty list of words, the phrase's substance known."""
    data = vocab.config(_CUES_FILE)
    wanted = {"precursor_phrase": ("substance", "lead_in", "noun", "verb", "link", "making", "drug"),
              "before_term": ("blocking",), "lookup": ("leading",)}
    for section, keys in wanted.items():
        for key in keys:
            value = data.get(section, {}).get(key)
            ok = (isinstance(value, str) and value) if key == "substance" else (
                isinstance(value, tuple) and value and all(isinstance(v, str) and v for v in value))
            if not ok:
                raise VocabularyError(f"{_toml_line(_CUES_FILE, f'[{section}]')}: "
                                      f"[{section}] needs `{key}`"
                                      + (" (a substance code)" if key == "substance"
                                         else " (a list of words)"))
    if data["precursor_phrase"]["substance"] not in GROUPS:
        raise VocabularyError(f"{_toml_line(_CUES_FILE, 'substance =')}: substance "
                              f"{data['precursor_phrase']['substance']!r} is not in {_GROUPS_FILE}")
    return data


_CUES = _load_cues()


def _not_before(context: str) -> tuple["re.Pattern[str]", int] | None:
    """For a ``not before: W1 W2`` context: the pattern of those words after a match and
    how many characters after it to look at (the longest word and a little space)."""
    if not context.startswith(_NOT_BEFORE):
        return None
    after = context[len(_NOT_BEFORE):].split()
    return re.compile(r"(?i)\s*" + vocab.alternation(after)), max(map(len, after)) + 2


_NOT_BEFORE_RX = {e.context: _not_before(e.context) for e in _TABLE.values() if e.context}


def _detail(entry: _Entry, found: str) -> str | None:
    if entry.detail == _AS_FOUND:
        return found
    return entry.detail or None


def _resolve(entry: _Entry, found: str) -> tuple[str, str, str | None] | None:
    if entry.kind != "drug":
        return None
    return entry.substance, GROUPS[entry.substance], _detail(entry, found)


_LEADING = re.compile(r"^" + vocab.alternation(_CUES["lookup"]["leading"]) + r"\s+")


def canonical(word: str) -> tuple[str, str, str | None] | None:
    """``(substance, drug_group, detail)`` of a drug word, or ``None`` if it is not one.

    Case-, accent- and language-insensitive over the vocabulary: "BASE DE COCA",
    "MARIHUANA", "COCAINA", "героин", "гашиш", "cocaïne", "héroïne", "hashish", "ice".
    Words for drugs in general ("illicit drugs", "narcotics") are ``unspecified``.
    """
    if not isinstance(word, str) or not word.strip():
        return None
    key = _key(word)
    key = _LEADING.sub("", key)
    entry = _TABLE.get(key)
    if entry is None and key.endswith("s"):
        entry = _TABLE.get(key[:-1])
    if entry is None:
        # "cocaine hydrochloride in suspension", "powdered heroin": first known term inside
        hits = find_substances(word)
        hits = [h for h in hits if h.substance]
        if len(hits) == 1:
            return hits[0].substance, hits[0].drug_group, hits[0].detail
        return None
    if entry.kind == "generic":
        return entry.substance, GROUPS[entry.substance], None
    return _resolve(entry, key)


@memo(1)
def _one_word_drug_terms() -> tuple[str, ...]:
    return tuple(t for t in _TERMS if " " not in t and "-" not in t and len(t) >= 6
                 and _TABLE.get(_key(t)) is not None and _TABLE[_key(t)].kind == "drug")


@memo(1024)
def near_spelling(word: str) -> str | None:
    """The drug term ``word`` is a misspelling of ("ketamin", "marijuane", "aplrazolam"),
    or None. Only for a word the vocabulary does not know, of six letters or more: close
    to a one-word term by difflib's ratio (>= 0.86), or one letter added, dropped, changed
    or two swapped from it."""
    w = word.lower()
    if len(w) < 6 or _TABLE.get(_key(w)) is not None:
        return None
    import difflib

    # difflib's ratio takes sound-alike spellings ("methamfetamine"); one edit takes a
    # changed letter in a short word, which the ratio misses ("ecstacy": 0.857)
    close = difflib.get_close_matches(w, _one_word_drug_terms(), n=1, cutoff=0.86) or \
        [t for t in _one_word_drug_terms() if _one_edit_apart(w, t)]
    return close[0] if close else None


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one letter added, dropped, changed, or two neighbours
    swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (
            a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1:] == shorter[i:]


def drug_group(substance: str) -> str | None:
    """UNODC drug group of a canonical substance name."""
    return GROUPS.get(substance)


@dataclass(frozen=True)
class SubstanceMention:
    """A vocabulary term found in text. ``kind`` is drug | generic | anaphor | block."""

    start: int
    end: int
    text: str
    kind: str
    substance: str | None = None
    drug_group: str | None = None
    detail: str | None = None


# --------------------------------------------------------------------------- the scan


def _term_regex(term: str) -> str:
    return re.escape(term).replace(r"\ ", r"[\s-]+")


def _precursor_phrase(words: Mapping[str, tuple[str, ...]]) -> str:
    # [lead_in] noun (up to two words) verb link [the] making [of] [[the] drug]
    alt = vocab.alternation
    return (
        r"(?:" + alt(words["lead_in"]) + r"\s+)?"
        + alt(words["noun"]) + r"\s+"
        r"(?:\w+\s+){0,2}?" + alt(words["verb"]) + r"\s+"
        + alt(words["link"]) + r"\s+(?:the\s+)?" + alt(words["making"]) + r"(?:\s+of)?"
        r"(?:\s+(?:the\s+)?" + alt(words["drug"]) + r")?")


# "materials used to make heroin", "chemicals used to produce the drug": precursors,
# whatever drug is named after them
_PRECURSOR_PHRASE = _precursor_phrase(_CUES["precursor_phrase"])
_PRECURSOR_RE = re.compile(_PRECURSOR_PHRASE, re.IGNORECASE)
_PRECURSOR_SUBSTANCE = _CUES["precursor_phrase"]["substance"]
# first words of the precursor phrase (its optional lead-in and its head nouns)
_PRECURSOR_FIRST = frozenset(w.split()[0].lower() for w in
                             _CUES["precursor_phrase"]["lead_in"] + _CUES["precursor_phrase"]["noun"])

# terms that count only between quotation marks ("'oman'" is ephedra in Afghan copy, Oman
# the country). The scan finds them in any case; only the term as written counts (a
# quoted 'Oman' stays the country).
_OPEN_QUOTES, _CLOSE_QUOTES = "\"“'‘", "\"”'’"
_QUOTES = frozenset(_OPEN_QUOTES)
_QUOTED_ALT = (r"[" + _OPEN_QUOTES + r"]" + vocab.alternation(map(_term_regex, _QUOTED_TERMS), escape=False)
               + r"[" + _CLOSE_QUOTES + r"]") if _QUOTED_TERMS else None
# the scanner's only alternatives that start with a quote (tried just before a quoted word)
_QUOTED_SCAN = (re.compile(r"(?<![\w-])" + _QUOTED_ALT + r"(?![\w])", re.IGNORECASE)
                if _QUOTED_ALT else None)
_QUOTED_EXACT = re.compile(_QUOTED_ALT) if _QUOTED_ALT else None

# words that, placed before a term, make it something else ("anti-drug" is an adjective);
# checked on the few characters before a match (the longest word and a little space)
_BLOCKING = _CUES["before_term"]["blocking"]
_BEFORE_BLOCK = re.compile(r"(?i)" + vocab.alternation(_BLOCKING) + r"[\s-]*$")
_BEFORE_WINDOW = max(map(len, _BLOCKING)) + 2


@memo(1)
def _scanner() -> re.Pattern:
    terms = sorted(_TERMS, key=len, reverse=True)
    alts = [_term_regex(term) for term in terms]
    return re.compile(r"(?<![\w-])(?:" + _PRECURSOR_PHRASE + "|"
                      + (_QUOTED_ALT + "|" if _QUOTED_ALT else "") + "|".join(alts)
                      + r")(?![\w])", re.IGNORECASE)


@memo(1_024)
def _scanner_for(initial: str) -> re.Pattern:
    """The scanner's alternatives whose first word starts with ``initial`` (lower case), in
    the scanner's order: at a word with that initial the same one matches first, but the
    regex engine tries a few alternatives instead of ~400."""
    alts = []
    if any(w.startswith(initial) for w in _PRECURSOR_FIRST):
        alts.append(_PRECURSOR_PHRASE)
    alts += [_term_regex(t) for t in sorted(_TERMS, key=len, reverse=True) if t[:1].lower() == initial]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts or ["(?!)"]) + r")(?![\w])", re.IGNORECASE)


_WORD = re.compile(r"\w+")


def _first_word(term: str) -> str:
    return re.split(r"[ -]", term, maxsplit=1)[0].lower()


@memo(1)
def _first_words() -> frozenset[str]:
    # every alternative of the scanner starts with one of these whole words (a quoted
    # term starts with its quote, handled at the call)
    return frozenset({_first_word(t) for t in _TERMS} | _PRECURSOR_FIRST
                     | {_first_word(t) for t in _QUOTED_TERMS})


@memo(1)
def _second_words() -> dict[str, tuple[str, ...]]:
    """For a first word that is no term by itself ("the", "a", "afghan"): the words that can
    follow it in a term ("drug", "drugs", "haul"...; "pvp"; "origin")."""
    singles = {t.lower() for t in _TERMS if not re.search(r"[ -]", t)}
    out: dict[str, set[str]] = {}
    for term in _TERMS:
        parts = re.split(r"[ -]", term.lower())
        if len(parts) > 1 and parts[0] not in singles:
            out.setdefault(parts[0], set()).add(parts[1])
    # the precursor phrase and the quoted terms are tried whatever follows their first word
    for word in _PRECURSOR_FIRST | {_first_word(t) for t in _QUOTED_TERMS}:
        out.pop(word, None)
    return {w: tuple(sorted(nxt)) for w, nxt in out.items()}


# the word after a candidate, past the spaces or hyphens the scanner allows between words
_NEXT_WORD = re.compile(r"[\s-]+(\w+)")


def _trie(words: frozenset[str]) -> str:
    """A pattern matching exactly ``words``, as a trie: the engine follows one branch per
    letter instead of trying every word at every position."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        group = "(?:" + "|".join(alts) + ")"
        return group + "?" if "" in node else group

    return emit(root)


@memo(1)
def _candidates() -> re.Pattern:
    # whole words (\w runs) that are a first word, over lower-cased text
    return re.compile(r"(?<!\w)" + _trie(_first_words()) + r"(?!\w)")


def _candidate_words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lower-cased word) of every word of ``text`` that is a first word.

    One pattern over the lower-cased text finds them (~1.3x faster than a Python pass over
    every word) when lower-casing keeps every offset (no character becomes several); no
    character changes between word and non-word when lower-cased, so the words are the
    same. Otherwise the word pass.
    """
    low = text.lower()
    if len(low) == len(text):
        for m in _candidates().finditer(low):
            yield m.start(), m.end(), m.group()
        return
    firsts = _first_words()
    for w in _WORD.finditer(text):
        word = w.group().lower()
        if word in firsts:
            yield w.start(), w.end(), word


def _scan(text: str) -> Iterator[re.Match]:
    """The scanner's matches, as ``finditer`` gives them, tried only at candidate words.

    The scanner is one alternation of ~400 terms; run over a whole report it tries every
    term at every word and costs ~1 ms per KB. A match can only start at a word that is
    the first word of some term (every term is whole words), so one cheap word pass picks
    the few positions where the alternation is tried, with the same left-to-right,
    non-overlapping result.
    """
    seconds = _second_words()
    pos = 0
    for s, end, word in _candidate_words(text):
        if s < pos:
            continue
        nxt_words = seconds.get(word)
        if nxt_words is not None and word.isascii():
            # "the" (~20 a report) starts a term only as "the drug(s)", "the haul"...: the
            # alternation is tried only when the next word may continue one. An ASCII word
            # folds the same under str.lower() and IGNORECASE; any other is always tried.
            nxt = _NEXT_WORD.match(text, end)
            if nxt is None:
                continue
            following = nxt.group(1).lower()
            if following.isascii() and not following.startswith(nxt_words):
                continue
        if _QUOTED_SCAN is not None and s > pos and text[s - 1] in _QUOTES:
            m = _QUOTED_SCAN.match(text, s - 1)  # a quoted term ("'oman'")
            if m:
                pos = m.end()
                yield m
                continue
        m = _scanner_for(word[0]).match(text, s)
        if m:
            pos = m.end()
            yield m


_QUOTED_BY_KEY = {_rx(r"[\s-]+").sub(" ", t): e for t, e in _QUOTED_TERMS.items()}


def _fields(entry: _Entry, found: str) -> tuple:
    """The SubstanceMention fields after the offsets and text."""
    if entry.kind == "drug":
        return ("drug", *_resolve(entry, found))
    if entry.kind == "generic":
        return ("generic", entry.substance, GROUPS[entry.substance], None)
    return (entry.kind,)


@memo(4096)
def _classify(raw: str) -> tuple[tuple[re.Pattern, int] | None, tuple] | None:
    """What a scanner match is, from its text alone (cached: reports repeat the same few
    words): ``(the words after which it is no drug and how far to look, or None;
    SubstanceMention fields after the offsets and text)``, or None."""
    low = _key(raw)
    if _PRECURSOR_RE.fullmatch(raw):
        return None, ("drug", _PRECURSOR_SUBSTANCE, GROUPS[_PRECURSOR_SUBSTANCE],
                      _rx(r"\s+").sub(" ", raw))
    if _QUOTED_EXACT is not None and _QUOTED_EXACT.fullmatch(raw):
        inner = raw[1:-1]  # without its quotes
        return None, _fields(_QUOTED_BY_KEY[_rx(r"[\s-]+").sub(" ", inner)], _key(inner))
    entry = _TABLE.get(_rx(r"[\s-]+").sub(" ", low)) or _TABLE.get(low)
    if entry is None:
        entry = _TABLE.get(_rx(r"[\s-]+").sub("-", low))
    if entry is None:
        return None
    return _NOT_BEFORE_RX.get(entry.context), _fields(entry, low)


def find_substances(text: str) -> list[SubstanceMention]:
    """Every vocabulary term in ``text``, longest match first, in order of position."""
    out: list[SubstanceMention] = []
    for m in _scan(text):
        raw = m.group(0)
        if _BEFORE_BLOCK.search(text[max(0, m.start() - _BEFORE_WINDOW): m.start()]):
            continue
        what = _classify(raw)
        if what is None:
            continue
        not_before, fields = what
        # "ICE" and "ice" are meth, but not in "ice cream" (the row's context)
        if not_before is not None and not_before[0].match(text[m.end(): m.end() + not_before[1]]):
            continue
        out.append(SubstanceMention(m.start(), m.end(), raw, *fields))
    # "2.000 tablets of the drug tramadol": an anaphor right before a drug's name is that
    # name's article, no reference back
    return [a for a, b in zip(out, out[1:] + [None])
            if not (a.kind == "anaphor" and b is not None and b.kind == "drug"
                    and text[a.end:b.start].strip() == "")]
