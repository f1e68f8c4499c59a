"""The cue patterns of the extraction rules, built once from ``geo/vocab/cues.toml``.

Takes the cue lists (statistics, hypothetical, destroyed, eradication, attempt, seize verbs,
lab words, here and at sea, the words that link a figure to its drug) and gives one
compiled pattern per list, with the speed gates the hot ones had when written by hand: a
lookahead on the first letters every entry can start with, a :class:`Gated` wrapper, the
stems every lab noun holds. The file's header says how an entry matches; the structure
a rule needs around a word list (``\\s*{total_after}\\b``) stays here, the words there.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

from .. import vocab
from ..text.clauses import CLAUSE_BREAK
from ..errors import VocabularyError
from ..text.dates import month_alternation
from ..text.patterns import Gated
from ..text.quantities import HEDGES as _HEDGES
from ..text.quantities import number_words

try:
    import re._parser as _sre  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre  # type: ignore[no-redef]

__all__ = ["cue_entries", "slot", "template", "cue", "entry_regex", "first_letters", "stems",
           "words"]

_FILE = "cues.toml"
_SLOT_REF = re.compile(r"\{([a-z_]+)\}")


_CHECKED: list = []  # the loaded file once checked (a reload, after clear_caches, is checked anew)


def _data() -> Mapping:
    data = vocab.config(_FILE)
    if _CHECKED and _CHECKED[0] is data:  # every list and pattern below asks: check once
        return data
    for section in ("cues", "slots", "words"):
        if section not in data:
            raise VocabularyError(f"{vocab.path_of(_FILE)}: no [{section}] section")
        for name, items in data[section].items():
            where = f"{vocab.path_of(_FILE)}: [{section}] {name}"
            if not isinstance(items, tuple) or not items:
                raise VocabularyError(f"{where}: not a non-empty list")
            if not all(isinstance(i, str) and i.strip("*") for i in items):
                raise VocabularyError(f"{where}: an entry is empty or not text")
            dup = {i for i in items if items.count(i) > 1}
            if dup:
                raise VocabularyError(f"{where}: listed twice: {', '.join(sorted(dup))}")
            if section != "cues" and any(i.startswith("*") or i.endswith("*") for i in items):
                raise VocabularyError(f"{where}: * marks are for [cues] entries only")
    _CHECKED[:] = [data]
    return data


def cue_entries(name: str) -> tuple[str, ...]:
    """The entries of the [cues] list ``name``."""
    try:
        return _data()["cues"][name]
    except KeyError:
        raise VocabularyError(f"{vocab.path_of(_FILE)}: no [cues] list {name!r}") from None


def words(name: str) -> tuple[str, ...]:
    """The [words] list ``name`` (a set of words, not a pattern)."""
    try:
        return _data()["words"][name]
    except KeyError:
        raise VocabularyError(f"{vocab.path_of(_FILE)}: no [words] list {name!r}") from None


# slots whose words another vocabulary owns: one row there, not a second copy here
_TABLE_SLOTS = {
    "months": lambda: month_alternation("en", "full"),
    "two_to_twelve": lambda: vocab.alternation(
        w for w, v in number_words("small").items() if 2 <= v <= 12),
}


def slot(name: str) -> str:
    """The [slots] list ``name`` as one alternation: phrases literally, ``re:`` entries as
    regex, longest first. ``months`` (English full names of months.csv) and
    ``two_to_twelve`` (numbers.csv) come from their own tables."""
    if name in _TABLE_SLOTS:
        return _TABLE_SLOTS[name]()
    try:
        items = _data()["slots"][name]
    except KeyError:
        raise VocabularyError(f"{vocab.path_of(_FILE)}: no [slots] list {name!r}") from None
    return vocab.alternation(
        (i[3:] if i.startswith("re:") else re.escape(i) for i in items), escape=False)


def template(pattern: str) -> str:
    """``pattern`` with each ``{name}`` replaced by the [slots] list ``name``."""
    return _SLOT_REF.sub(lambda m: slot(m.group(1)), pattern)


def entry_regex(entry: str) -> str:
    """The regex of one [cues] entry (see the file's header)."""
    if entry.startswith("re:"):
        return template(entry[3:])
    body = entry.strip("*")
    left = r"\b" if not entry.startswith("*") and re.match(r"\w", body) else ""
    right = r"\b" if not entry.endswith("*") and re.search(r"\w$", body) else ""
    return left + re.escape(body) + right


def _first(seq) -> set[str] | None:
    """Every (lower-case) character a match of the parsed ``seq`` can start with, or None."""
    for op, av in seq:
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero-width: the next item holds the first character
        if op is _sre.LITERAL:
            return {chr(av).lower()}
        if op is _sre.IN and all(o is _sre.LITERAL for o, _ in av):
            return {chr(a).lower() for _, a in av}
        if op is _sre.SUBPATTERN and not av[1] and not av[2]:
            return _first(av[3])
        if op is _sre.BRANCH:
            out: set[str] = set()
            for alt in av[1]:
                sub = _first(alt)
                if sub is None:
                    return None
                out |= sub
            return out
        return None
    return None


def first_letters(regexes: Iterable[str]) -> str | None:
    """The letters every match of one of ``regexes`` starts with, as a character class
    (sorted), or None when one can start otherwise (then no gate)."""
    letters: set[str] = set()
    for r in regexes:
        first = _first(_sre.parse(r, re.IGNORECASE))
        if not first or not all(c.isalpha() and c.isascii() for c in first):
            return None
        letters |= first
    return "[" + "".join(sorted(letters)) + "]"


def cue(name: str, *, gate: bool = False) -> "re.Pattern[str]":
    """The [cues] list ``name`` as one case-insensitive pattern.

    ``gate``: start with a lookahead on the entries' first letters (and a word boundary,
    where every entry starts at one), so that the scan passes over most positions without
    trying each alternative (``statistics``: about 4x faster).
    """
    regexes = [entry_regex(e) for e in cue_entries(name)]
    prefix = ""
    if gate:
        letters = first_letters(regexes)
        if letters is None:
            raise VocabularyError(f"{vocab.path_of(_FILE)}: [cues] {name}: an entry does not "
                                  "start with a letter, so the list has no first-letter gate")
        bounded = all(r.startswith(r"\b") for r in regexes)
        prefix = (r"\b" if bounded else "") + f"(?={letters})"
        if bounded:
            regexes = [r[2:] for r in regexes]
    return re.compile("(?i)" + prefix + vocab.alternation(regexes, escape=False))


def stems(phrases: Iterable[str]) -> tuple[str, ...]:
    """A few lower-case beginnings one of which every phrase holds: phrases that share a
    beginning of three characters or more give that beginning ("factory", "factories":
    "factor")."""
    out: list[str] = []
    for p in sorted({p.lower() for p in phrases}):
        if out and len(_common(out[-1], p)) >= 3:
            out[-1] = _common(out[-1], p)
        else:
            out.append(p)
    return tuple(out)


def _common(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


# --------------------------------------------------------------------------- the patterns
# gated (see Gated): these are searched per figure, on short texts that rarely hold their words
STAT = Gated(cue("statistics", gate=True))
HYPO = Gated(cue("hypothetical"))
DESTROY = Gated(cue("destroyed", gate=True))
DESTROY_STRONG = Gated(cue("destroyed_strong", gate=True))
ERAD = Gated(cue("eradication", gate=True))
ATTEMPT = Gated(cue("attempt"))
LUMP = Gated(cue("lump"))
SEIZE_VERB = Gated(cue("seize_verb"))
LAB_VERB = Gated(cue("lab_verb"))
LAB_NOT = Gated(cue("lab_not"))
NATIONAL = Gated(cue("national"))
BREAKDOWN_START = cue("breakdown_start")
# (searched in every figure's sentence that its own clause leaves unplaced, and the one
# before: "at sea", "nautical miles" are in few)
AT_SEA = Gated(cue("at_sea"))
SAME_PLACE = cue("same_place")
INCIDENT_OPENER = cue("incident_opener")
DESTROYED_STOCK = Gated(cue("destroyed_stock", gate=True))
LISTING = cue("listing")
GAP_BREAK = cue("gap_break")
GAP_NAMING = cue("gap_naming")

# a clause ends at these: semicolon, a dash between spaces, a colon, "while", "but" (the
# clause chunker's boundaries, geo.text.clauses)
HARD_SEP = Gated(CLAUSE_BREAK)
TOTAL_AFTER = re.compile(template(r"(?i)\s*{total_after}\b"))

# the lab nouns of a lab count and the words after one that make it no drug lab (the
# count's pattern, with the number words, is in core)
LAB_NOUN = slot("lab_noun")
LAB_NOT_AFTER = slot("lab_not_after")
# every lab noun holds one of these (lower case): a sentence without any is passed over
# without running the lab patterns
_lab_keys = Gated(re.compile("(?i)" + LAB_NOUN)).keys
if not _lab_keys:  # no literal every lab noun holds: the lab gate would pass over every lab
    raise VocabularyError(f"{vocab.path_of(_FILE)}: [slots] lab_noun: an entry holds no "
                          "fixed words (a sentence could not be tested for lab nouns)")
LAB_STEMS = stems(_lab_keys)

FORWARD_LINK = re.compile(template(
    r"(?i)^\s*(?:[\"“”'‘’\[(]\s*)?(?:{forward_link}\s+)?(?:[\w'’\"“”,-]+\s+){0,6}?$"))
JOINER = re.compile(template(r"(?i)^\s*{joiner}\s*(?:{joiner_then}\s+)?$"))
UNITS_WEIGHING = re.compile(template(
    r"(?i)[\w\s\"'’-]{0,40}?(?:\(\s*{weighing_in_brackets}?|,?\s*{weighing})"
    r"\s*{weighing_hedge}?\s*$"))
# "hashish weighing 1,490 grams": the drug right before a weighing word is the figure's, whatever
# drug an "of X" after it names ("... and four packages of marijuana")
# "hashish weighing 1,490 grams", and "syabu (280 grams)": a figure in brackets right
# after its drug is that drug's
WEIGHED_BEFORE = re.compile(template(
    r"(?i)^\s*(?:,?\s*{weighing}\s*|[(\[]\s*)(?:{weighing_hedge}\s*)?$"))
HERE = re.compile(template(r"(?i)\b{here_near}\s+(?:[\w.'’-]+\s+){0,4}?here\b|\b{here_verbs}\s+here\b"))
HERE_REPORTING = re.compile(template(r"(?i)\b{reporting}\b[^.;]{0,40}$"))

# the reading of a figure's hedge, from the hedges vocabulary the quantity scan reads
HEDGE_ABOVE = re.compile(rf"(?:{vocab.alternation(_HEDGES['modifier'])}\s+)?"
                         rf"{vocab.alternation(_HEDGES['more'])}")
HEDGE_ABOUT = re.compile(vocab.alternation(_HEDGES["about"]))
HEDGE_ABOVE_HEADLINE = re.compile(template(r"{hedge_above_headline}"))
# "1,3 tonnes", "4,2 million": a decimal comma (case-sensitive, as it always was)
CONTINENTAL_FIGURE = re.compile(template(r"\d,\d{1,2}\s*{continental_after}"))

DOSAGE_UNITS = frozenset(words("dosage_units"))
CAPSULE_GROUPS = frozenset(words("capsule_groups"))
CONTINENTAL_LANGUAGES = words("continental_languages")


