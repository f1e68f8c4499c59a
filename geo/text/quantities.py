"""Quantities as news writes them: numbers, units, hedges.

``1,500 kilos``, ``1.5 tonnes``, ``1 740 gallons``, ``395kg``, ``4 kg 520 grams``,
``2.3 million``, ``half a tonne``, ``six kilos and three hundred eighty-six grams``,
``811,900 stimulant tablets``. Units are normalised with pint; volumes stay volumes and
dosage units (pills, tablets, capsules) stay counts.

A figure such as ``1.900`` or ``449,520`` is ambiguous: an English decimal/thousands
reading or a continental one (dot for thousands, comma for decimals). :func:`find_quantities`
keeps both readings (:attr:`Quantity.alt_value`); the extractor decides per report from
language cues, the unit and cross-checks against headline figures and totals.
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import VocabularyError
from ..vocab import alternation, config, path_of, row_error, table
from .patterns import CASE_ODD as _CASE_ODD
from .patterns import rx as _rx
from .plausibility import carrier_of_word
from .units import (SMALLER, SYSTEM, UREG, prefixes, surface_pattern, surfaces, to_kg, unit_code,
                    unit_kind)
from ..caches import memo


__all__ = [
    "Quantity",
    "find_quantities",
    "parse_number",
    "number_readings",
    "to_kg",
    "unit_kind",
    "normalize_unit",
    "number_words",
    "NUMBER_WORDS",
    "IMPLAUSIBLE_KG",
    "hedge_reading",
    "UREG",  # the registry lives in geo.text.units; kept here for old imports
]

# The general limit of one seizure's mass; per substance: geo/vocab/seizure_limits.csv.
IMPLAUSIBLE_KG = 1_000_000.0

#: The unit code of a unit word (the old name of :func:`geo.text.units.unit_code`).
normalize_unit = unit_code


# ---------------------------------------------------------------- numbers as words
@dataclass(frozen=True)
class NumberWord:
    """One row of ``numbers.csv``."""

    word: str
    value: int
    kind: str  # small | tens | scale
    in_words: bool  # part of a spelled-out figure
    after_digits: bool  # scales a figure in digits
    after_article: bool  # "a"/"an" before it is a figure


def _load_numbers() -> tuple[NumberWord, ...]:
    name = "numbers.csv"
    cols = ("word", "value", "kind", "language", "in_words", "after_digits", "after_article")
    rows = table(name, required=cols)
    out: dict[str, NumberWord] = {}
    for i, r in enumerate(rows):
        def bad(msg: str) -> VocabularyError:
            return row_error(name, i, f"{r['word']!r}: {msg}")
        if r["word"] != r["word"].lower() or not r["word"].isalpha():
            raise bad("a number word is one lower-case word")
        if r["word"] in out:
            raise bad("listed twice")
        if r["kind"] not in ("small", "tens", "scale"):
            raise bad(f"kind {r['kind']!r} is not small, tens or scale")
        if r["language"] != "en":
            raise bad(f"language {r['language']!r}: only English number words are read")
        if not r["value"].isdigit():
            raise bad(f"value {r['value']!r} is not a whole number")
        flags = [r[c] for c in cols[4:]]
        if any(f not in ("yes", "no") for f in flags):
            raise bad(f"{', '.join(cols[4:])} are yes or no")
        out[r["word"]] = NumberWord(r["word"], int(r["value"]), r["kind"],
                                    *(f == "yes" for f in flags))
    return tuple(out.values())


#: Every row of ``numbers.csv``, in file order.
NUMBER_WORDS: tuple[NumberWord, ...] = _load_numbers()
_SMALL = {n.word: n.value for n in NUMBER_WORDS if n.kind != "scale"}
_MULT = {n.word: n.value for n in NUMBER_WORDS if n.kind == "scale"}
# scale words after digits ("2.3 million", "12 lakh")
_SCALE_WORDS = alternation(n.word for n in NUMBER_WORDS if n.after_digits)
_DIGITS_SCALE = rf"([\d][\d.,\s\u00a0]*?)\s*({_SCALE_WORDS})?"
_RAW_SCALE = rf"(?i)(.*?\d)\s*({_SCALE_WORDS})"


def number_words(*kinds: str, in_words: bool | None = None) -> dict[str, int]:
    """word -> value of the number words of ``kinds`` (all kinds when none are given)."""
    return {n.word: n.value for n in NUMBER_WORDS
            if (not kinds or n.kind in kinds) and (in_words is None or n.in_words == in_words)}


def _words_value(text: str) -> float | None:
    words = [w for w in _rx(r"[\s-]+").split( text.lower()) if w and w != "and"]
    if not words:
        return None
    if words[:2] in (["half", "a"], ["half", "an"]):
        rest = words[2:]
        if not rest:
            return 0.5
        scale = _words_value(" ".join(rest))
        return 0.5 * scale if scale is not None else None
    total = 0.0
    current = 0.0
    seen = False
    for w in words:
        if w in _SMALL:
            current += _SMALL[w]
            seen = True
        elif w in _MULT:
            m = _MULT[w]
            if m == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * m
                current = 0
            seen = True
        elif w == "half":
            current += 0.5
        else:
            return None
    return total + current if seen else None


def number_readings(text: str) -> tuple[float, float | None]:
    """The English reading of a digit string and, when ambiguous, the continental one.

    ``"1,500"`` -> (1500, 1.5); ``"1.900"`` -> (1.9, 1900); ``"1,3"`` -> (1.3, None);
    ``"1 740"`` -> (1740, None); ``"7.654,5"`` -> (7654.5, None).
    """
    # (an apostrophe groups thousands in Swiss copy: "3'400 ecstasy pills")
    s = text.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ").replace("\u2019", " ")
    if _rx(r"\d{1,3}( \d{3})+([.,]\d+)?").fullmatch( s):
        # "1 740" / "7 654,5": spaces group thousands, so a comma or dot is the decimal mark
        return float(s.replace(" ", "").replace(",", ".")), None
    s = s.replace(" ", "")
    if _rx(r"\d+").fullmatch( s):
        return float(s), None
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        # both separators: the last one is the decimal mark
        if s.rfind(".") > s.rfind(","):
            return float(s.replace(",", "")), None
        return float(s.replace(".", "").replace(",", ".")), None
    sep = "." if has_dot else ","
    parts = s.split(sep)
    if len(parts) > 2:
        # 1.234.567 or 1,234,567: thousands either way
        if all(len(p) == 3 for p in parts[1:]):
            return float("".join(parts)), None
        # Indian grouping: 12,34,567 (lakh)
        if sep == "," and len(parts[-1]) == 3 and all(len(p) == 2 for p in parts[1:-1]):
            return float("".join(parts)), None
        raise ValueError(f"not a number: {text!r}")
    head, tail = parts
    if len(tail) == 3 and 1 <= len(head) <= 3 and head != "0" and tail == "000":
        return float(head + tail), None  # "1,000" / "2.000": a decimal would not be written so
    if len(tail) == 3 and 1 <= len(head) <= 3 and head != "0":
        grouped = float(head + tail)
        decimal = float(f"{head}.{tail}")
        if sep == ",":
            return grouped, decimal
        return decimal, grouped
    # "1,3" "4,4" "577.020" with a 0 head, "1999.579": a decimal mark
    return float(f"{head}.{tail}"), None


def parse_number(text: str, *, convention: str = "en") -> float:
    """Value of a number as news writes it: digits, words, scale words.

    ``convention="latin"`` reads an ambiguous ``1.900`` as 1900 and ``449,520`` as 449.52.
    Raises ``ValueError`` for text that is not a number.

    >>> parse_number("2.3 million")
    2300000.0
    >>> parse_number("half a")
    0.5
    """
    t = text.strip().lower()
    if not t:
        raise ValueError("empty number")
    m = _rx(_DIGITS_SCALE).fullmatch(t)
    if m and _rx(r"\d").search( m.group(1)):
        en, latin = number_readings(m.group(1))
        value = latin if (convention == "latin" and latin is not None) else en
        if m.group(2):
            value *= _MULT[m.group(2)]
        return value
    v = _words_value(t)
    if v is None:
        raise ValueError(f"not a number: {text!r}")
    return v


# ---------------------------------------------------------------- finding quantities
# Every word list below comes from geo/vocab/units.csv and numbers.csv (longest first:
# the engine takes the first alternative that matches).
# Spelled-out numbers are tried in ascending value, not longest first, as they were before
# the table: "eight" before "eighteen". This keeps a known misreading, "eighteen morphine
# pills" as 8 pills with "een morphine" for the words before "pills"; longest first would
# read 18 but changes the events of the equivalence corpus (tests/cases/quantities.jsonl:
# count-eighteen-morphine-pills, an xfail).
_WORDNUM = "(?:" + "|".join(sorted(number_words(in_words=True), key=number_words().get)) + ")"
_WORDS = rf"{_WORDNUM}(?:(?:\s+and\s+|[\s-]+){_WORDNUM})*"
# spaced thousands ("1 740") only before a unit or scale word, to leave "on May 4 2019" alone
# (space-grouped thousands may end in a decimal part: "1 095,5 kg", French and West African copy)
_DIGITS = (r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?=\s*[a-zA-Zа-яА-Я])|\d{1,3}(?:['\u2019]\d{3})+(?:[.,]\d+)?"
           r"|\d+(?:[.,]\d+)*")
_SCALE = rf"(?:\s*{_SCALE_WORDS}\b)"
# Spanish and Portuguese thousands: "20 mil kilos", "2 mil 500 kilos" (Mexican press),
# only before a Spanish or Portuguese unit word: in English "1.5 mil tablets" is a million
_ES_UNIT = surface_pattern(surfaces(prose=True, languages=("es", "pt"))) + r"\b"
_ES_UNIT_RE = re.compile(_ES_UNIT, re.IGNORECASE)
_MIL = rf"\d{{1,3}}(?:,\d{{1,3}})?\s+mil(?:\s+\d{{3}})?(?=\s+(?:de\s+)?{_ES_UNIT})"
# "a thousand", "half a million"; "a tonne of", "over a kilo" (q_hedge_or_of decides)
_ARTICLE_SCALE = alternation(n.word for n in NUMBER_WORDS if n.after_article)
_ARTICLE_UNITS = surfaces(prose=True, article=True)
_NUMBER = (rf"(?P<num>{_MIL}|(?:{_DIGITS}){_SCALE}?|(?:half\s+)?an?\s+{_ARTICLE_SCALE}|half\s+an?|"
           rf"(?:a|an)(?=\s+{surface_pattern(_ARTICLE_UNITS)}\b)|{_WORDS}(?:\s+and\s+a\s+half)?)")
_MASS = surface_pattern(surfaces("mass", prose=True))
_VOLUME = surface_pattern(surfaces("volume", prose=True))
_COUNT = surface_pattern(surfaces("count", prose=True))


def _load_hedges() -> dict[str, tuple[str, ...]]:
    """reading -> phrases of ``hedges.csv`` ("modifier" for the words before a hedge)."""
    name = "hedges.csv"
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, r in enumerate(table(name, required=("phrase", "kind"))):
        phrase = r["phrase"]
        if phrase != phrase.lower() or phrase != " ".join(phrase.split()):
            raise row_error(name, i, f"{phrase!r}: a phrase is lower case with single spaces")
        if phrase in seen:
            raise row_error(name, i, f"{phrase!r}: listed twice")
        seen.add(phrase)
        if r["kind"] == "modifier" and not r["reading"]:
            out.setdefault("modifier", []).append(phrase)
        elif r["kind"] == "hedge" and r["reading"] in ("more", "about", "less", "total"):
            out.setdefault(r["reading"], []).append(phrase)
        else:
            raise row_error(name, i, f"{phrase!r}: kind is hedge (reading more, about, less or "
                                     f"total) or modifier (no reading)")
    return {k: tuple(v) for k, v in out.items()}


#: reading (more, about, less, total, modifier) -> hedge phrases, from hedges.csv
HEDGES: dict[str, tuple[str, ...]] = _load_hedges()
_HEDGE = (rf"(?P<hedge>(?:{surface_pattern(HEDGES['modifier'])}\s+)?"
          rf"{surface_pattern(p for k, ps in HEDGES.items() if k != 'modifier' for p in ps)}\s+)?")


def hedge_reading(hedge: str | None) -> str | None:
    """What a hedge says of its figure (hedges.csv ``reading``): "more" (at least it),
    "less" (at most it), "about", "total"; None for no hedge."""
    if not hedge:
        return None
    h = " ".join(hedge.lower().split())
    for reading, phrases in HEDGES.items():
        if reading != "modifier" and any(h == p or h.endswith(" " + p) for p in phrases):
            return reading
    return None


# a hedge of a total ("a total of", "combined") makes a figure exact, flagged "total"
_TOTAL_HEDGE = "(?i)" + surface_pattern(HEDGES["total"])
_QTY_RE = re.compile(
    rf"(?<![\w.,$€£¥#/])(?<![A-Za-z]-){_HEDGE}{_NUMBER}\s*-?\s*"
    rf"(?:(?P<mass>{_MASS})|(?P<vol>{_VOLUME})|"
    rf"(?P<cwords>(?:[A-Za-z][\w'’-]*\s+){{0,2}}?)(?P<count>{_COUNT}))(?![\w])",
    re.IGNORECASE,
)
# Speed: _QTY_RE is a large case-insensitive alternation, tried at every word of a text
# (most of find_quantities' time). A match can only start at a digit or at one of these
# beginnings of its hedge or its number, preceded by no word character; a case-sensitive
# scan of the lower-cased text lists those few positions and _QTY_RE is tried there only,
# which gives the same left-to-right matches as searching.


def _start_words() -> list[tuple[str, str]]:
    """(first word, what must follow it) of every hedge, modifier and spelled-out figure."""
    # common short words ("a", "at", "in", "up") only before the word that must follow them
    # in _HEDGE or _NUMBER (looked ahead, not consumed: the next word may start a match of
    # its own); a number word whatever follows it. What may follow a word: a space (then any
    # word), one of some next words, or characters glued to it ("approx.").
    anything: set[str] = set(number_words(in_words=True))
    spaced: set[str] = set()
    nexts: dict[str, set[str]] = {}
    glued: dict[str, set[str]] = {}
    for phrase in (p for ps in HEDGES.values() for p in ps):
        first, _, rest = phrase.partition(" ")
        word = re.match(r"\w+", first).group()
        if first != word:
            glued.setdefault(word, set()).add(re.escape(first[len(word):]))
        elif rest:
            nexts.setdefault(word, set()).add(re.escape(rest.split(" ")[0]))
        else:
            spaced.add(word)
    spaced.add("half")  # "half a tonne", "half an ounce"
    for article in ("a", "an"):  # "a thousand", "a tonne of"
        nexts.setdefault(article, set()).update(
            (_ARTICLE_SCALE, surface_pattern(prefixes(_ARTICLE_UNITS))))
    out = [(w, "") for w in sorted(anything)]
    for word in sorted((spaced | set(nexts) | set(glued)) - anything):
        parts = [r"\s"] if word in spaced else [rf"\s+(?:{'|'.join(sorted(nexts[word]))})"]
        parts += sorted(glued.get(word, ()))
        out.append((word, "(?=" + "|".join(parts) + ")"))
    return out


_START_WORDS = _start_words()


def _start_pattern() -> "re.Pattern[str]":
    # the words grouped by first letter: at each word the engine tests ~20 letters instead
    # of ~60 alternatives (1.3x faster). Every alternative consumes word characters only and
    # a start needs a non-word character before it, so no grouping or order of the
    # alternatives changes which positions are found.
    by_letter: dict[str, list[str]] = {}
    for word, then in _START_WORDS:
        by_letter.setdefault(word[0], []).append(re.escape(word[1:]) + then)
    alts = [r"\d"] + [c + "(?:" + "|".join(rests) + ")" for c, rests in sorted(by_letter.items())]
    return re.compile(r"(?<![\w.,$€£¥#/])(?:" + "|".join(alts) + ")")


_QTY_START = _start_pattern()


@memo(1)
def _start_scanner() -> Any:
    # a digit or a start word after a non-word character: where _QTY_START may match (a
    # word that may go on, a number word, is open at its end; one that must be followed
    # by a space or a mark, as all others, is whole)
    from .scan import Entry, Scanner

    return Scanner([Entry("0", "digit", right=False)]
                   + [Entry(w, "start", right=bool(then)) for w, then in _START_WORDS])


def _qty_starts(text: str) -> list[int] | None:
    """Every position where a _QTY_RE match may start, in order; None: search plainly."""
    # a character IGNORECASE equates with an ASCII letter although str.lower() does not
    # give it (dotted capital I, dotless i, long s): such a text is searched plainly
    if not text.isascii() and _CASE_ODD.search(text):
        return None
    # the automaton's one pass lists every place _QTY_START may match (~4x faster than
    # its finditer, which tries the pattern at every character); the pattern, anchored
    # there, keeps those where it does: the very positions its finditer gives (its
    # matches are a digit or a whole word after a non-word character: none overlaps
    # another's start)
    low = text.lower()
    match = _QTY_START.match
    return [p for p in _start_scanner().starts(text) if match(low, p)]


def _qty_search(text: str, pos: int, starts: list[int] | None) -> re.Match | None:
    """``_QTY_RE.search(text, pos)``, trying only the candidate ``starts``."""
    if starts is None:
        return _QTY_RE.search(text, pos)
    for i in range(bisect.bisect_left(starts, pos), len(starts)):
        m = _QTY_RE.match(text, starts[i])
        if m:
            return m
    return None


def _load_cues() -> dict[str, tuple[str, ...]]:
    """The word lists of ``quantity_cues.toml``, each checked: lower-case text, no repeats."""
    name = "quantity_cues.toml"
    lists = {"count_blockers": "words", "prices": "currencies", "vague": "before",
             "parenthesis": "openers"}
    data = config(name)
    # a misspelt section or key would be a list nobody reads: refuse it
    known = {**lists, "tables": "pint_units"}  # [tables] is geo.text.units'
    for section, body in data.items():
        extra = set(body) - {known[section]} if section in known else {section}
        if extra:
            raise VocabularyError(f"{path_of(name)}: [{section}] {', '.join(sorted(extra))}: "
                                  f"not a list the quantity reader knows")
    out = {}
    for section, key in lists.items():
        words = data.get(section, {}).get(key)
        where = f"{path_of(name)}: [{section}] {key}"
        if not words or not all(isinstance(w, str) and w and w == w.lower() for w in words):
            raise VocabularyError(f"{where}: a list of lower-case words")
        if len(set(words)) != len(words):
            raise VocabularyError(f"{where}: a word is listed twice")
        out[section] = tuple(words)
    return out


_CUES = _load_cues()

# "4 kg 520 grams", "10 kilos and 562 grams", "42 kilos with 150 grams", "1 ton and 6488 kg"
_TAIL_RE = re.compile(
    rf"\s*(?:,\s*|and\s+|with\s+|of\s+)?(?P<num>{_DIGITS}|{_WORDS})\s*-?\s*(?P<unit>{_MASS})(?![\w])",
    re.IGNORECASE,
)
# "91,000 pounds (41,310 kilograms)" and "36.202kg (7,697 tablets)"
_PAREN_RE = re.compile(
    rf"\s*\(\s*(?:{alternation(_CUES['parenthesis'])}\s+)?(?P<num>{_DIGITS}{_SCALE}?|{_WORDS})"
    rf"\s*-?\s*(?:(?P<mass>{_MASS})|(?P<vol>{_VOLUME})|(?:[A-Za-z][\w-]*\s+)?(?P<count>{_COUNT}))\s*\)",
    re.IGNORECASE,
)
# the unit a compound figure adds ("11 kg 987 g"): the `smaller` column of units.csv
_SMALLER = {code: (smaller,) for code, smaller in SMALLER.items()}
_COUNT_BLOCK = re.compile("^" + alternation(_CUES["count_blockers"]) + "$", re.I)
# Powers of ten as a figure: "10^12 kg", "1.5 x 10^3 kg", "1e12 kg", "2.5E3 tonnes". Rare
# in copy (none in the development reports, LGL, TR-News or the drugdetection sentences)
# but common in generated and spreadsheet text; without this "10^12 kg" reads as 12 kg.
_POWER_RE = re.compile(
    rf"(?<![\w.,])(?:(?P<coef>\d+(?:\.\d+)?)\s*(?:[x×*]\s*10\s*(?:\^|\*\*)|[eE])"
    rf"|(?P<ten>10)\s*(?:\^|\*\*))\s*(?P<exp>[+-]?\d{{1,3}})\s*-?\s*"
    rf"(?P<unit>{_MASS}|{_VOLUME}|{_COUNT})(?![\w])", re.IGNORECASE)
_HAS_POWER = re.compile(r"\^|\*\*|\d[eE][+-]?\d")
# A figure written in parts, each with its scale word: "34 million 270 thousand pills",
# "113 million 753 thousand 543 plants" (Turkish copy in English writes counts this way);
# the part before the figure the pattern found, read back one scale at a time.
_LEADING_PART = re.compile(rf"(?i)(?<![\d.,])(\d{{1,3}})\s+({_SCALE_WORDS})\s+$")
# A minus glued to the figure, after a space or an opening: "-50 kg" (not "40-50 kg")
_SIGN_BEFORE = re.compile(r"(?:^|[\s(\[:;])[-\u2212]$")
_PRICE_BEFORE = rf"(?i)(?:\d|{alternation(_CUES['prices'])})\W*$"
_VAGUE_BEFORE = rf"(?i)\b{alternation(_CUES['vague'])}\s*$"


@dataclass
class Quantity:
    """One figure with its unit, found in a text.

    ``value`` is the figure in ``unit`` under the English reading; ``alt_value`` the
    continental reading when the digits are ambiguous (``1.900``, ``449,520``).
    """

    start: int
    end: int
    text: str
    value: float
    unit: str
    kind: str  # mass | volume | count
    alt_value: float | None = None
    approximate: bool = False
    hedge: str | None = None
    count: int | None = None  # dosage units given in parentheses next to a mass
    alt_unit_skipped: bool = False  # a pounds figure with its metric twin in parentheses
    count_words: str = ""  # words between a number and "pills" ("ecstasy", "stimulant")
    flags: list[str] = field(default_factory=list)
    ambiguous_group: bool = False  # both readings live in thousand-groups

    def value_as(self, reading: str) -> float:
        """Value under the ``"en"`` or ``"latin"`` reading."""
        if reading == "latin" and self.alt_value is not None:
            return self.alt_value
        return self.value

    def kg(self, reading: str = "en", *, us: bool = False) -> float | None:
        """Mass in kg under a reading, or ``None`` for volumes and counts."""
        if self.kind != "mass":
            return None
        return to_kg(self.value_as(reading), self.unit, us=us)


_MIL_VALUE = re.compile(r"(\d{1,3}(?:,\d{1,3})?)\s+mil(?:\s+(\d{3}))?")


@memo(4096)
def _num_value(raw: str) -> tuple[float, float | None]:
    # cached (a ValueError is raised again each time): number_readings and the scale-word
    # pattern cost ~5 us a figure, and reports repeat their figures and round numbers
    raw = raw.strip()
    m = _rx(_RAW_SCALE).fullmatch(raw)
    if m:
        en, latin = number_readings(m.group(1))
        mult = _MULT[m.group(2).lower()]
        # "4,2 million": a scale word after a comma group is a decimal in any reading
        return en * mult, (latin * mult if latin is not None else None)
    if _rx(r"\d").match( raw):
        return number_readings(raw)
    v = parse_number(raw)
    return v, None


def q_hedge_or_of(m: re.Match, after: str) -> bool:
    """An article read as "one" only with a hedge ("more than a kilogram") or "of" after."""
    return bool(m.group("hedge")) or bool(_rx(r"(?i)\s+of\b").match( after))


def find_quantities(text: str, *, us: bool = False) -> list[Quantity]:
    """Every figure with a mass, volume or dosage-unit count in ``text``, in order.

    Compound masses (``11 kg 987 g``) are summed; a metric figure in parentheses after
    pounds replaces the pounds (``91,000 pounds (41,310 kilograms)``); a dosage count in
    parentheses after a mass is attached as ``count``. Container sizes (``five-liter
    containers``, ``five liters each``) and prices (``$100 a kilogram``) are skipped.
    """
    out: list[Quantity] = []
    pos = 0
    n = len(text)
    starts = _qty_starts(text)
    while pos < n:
        m = _qty_search(text, pos, starts)
        if not m:
            break
        pos = m.end()
        raw_num = m.group("num")
        mil = _MIL_VALUE.fullmatch(raw_num)
        unit_word = m.group("mass") or m.group("vol") or m.group("count") or ""
        try:
            if mil and _ES_UNIT_RE.match(unit_word):
                # "2 mil 500 kilos": 2,500; "1,5 mil toneladas": 1,500 (a decimal comma)
                value, alt = number_readings(mil.group(1))[0] * 1000 + int(mil.group(2) or 0), None
            else:
                value, alt = _num_value(_rx(r"(?i)\s+and\s+a\s+half$").sub( "", raw_num))
        except ValueError:
            continue
        if _rx(r"(?i)\s+and\s+a\s+half$").search( raw_num):
            value += 0.5
        if m.group("mass"):
            kind, unit = "mass", normalize_unit(m.group("mass"), us=us)
        elif m.group("vol"):
            kind, unit = "volume", normalize_unit(m.group("vol"))
        else:
            kind, unit = "count", normalize_unit(m.group("count"))
            words = (m.group("cwords") or "").split()
            if any(_COUNT_BLOCK.match(w) or _rx(r"\d").match( w) for w in words):
                continue
        if unit is None:
            continue
        after = text[m.end(): m.end() + 40]
        before = text[max(0, m.start() - 25): m.start()]
        # a price ("$100 a kilogram", "25,000 rupees a kilo", "per gram") is no quantity
        if _rx(r"(?i)(?:a|an|per)\b").match( raw_num.strip()) or _rx(r"(?i)\bper\s*$").search( before):
            if _rx(_PRICE_BEFORE).search(before) or _rx(r"(?i)\bper\s*$").search(before):
                continue
        single_letter = len(m.group("mass") or m.group("vol") or "") == 1
        if _rx(r"(?i)an?").fullmatch( raw_num.strip()) and not q_hedge_or_of(m, after):
            continue  # "a gram sells for $50": an article is a figure only as "a tonne of" / "over a kilo"
        if single_letter and not _rx(r"\d").match( raw_num):
            continue  # "two t" is no tonnage
        # container sizes: "five-liter containers", "five liters each", "20-litre cans" (the
        # match ends with its unit: a hyphen before the unit is a hyphen at the end of the rest)
        unit_text = m.group("mass") or m.group("vol") or ""
        if kind == "volume" and (_rx(r"(?i)\s*each\b").match( after)
                                 or _rx(r"-\s*$").search(m.group(0)[: m.end() - m.start() - len(unit_text)])
                                 and _rx(r"\s+[a-z]").match( after)):
            continue
        if _rx(r"-[a-z]").match( text[m.end(): m.end() + 2]):
            continue  # "a 5-kg bag"
        if _rx(r"\d\s*-\s*[A-Za-z]").search(m.group(0)):
            # "the 60,000-ton vessel", "a 40-tonne cargo truck": a carrier's size, no seizure
            nxt = _rx(r"\s+([a-z][\w-]*)(?:\s+([a-z][\w-]*))?").match(text, m.end())
            if nxt and any(carrier_of_word(w) in ("vessel", "vehicle")
                           for w in nxt.groups() if w):
                continue
        if not _rx(r"\d").match(raw_num) and \
                _rx(_VAGUE_BEFORE).search(before):
            continue  # "several thousand kilograms" is no figure (the cheap test first)
        if unit == "mg" and not _rx(r"(?i)\s+of\b").match( after):
            continue  # "225mg tramadol" is a dosage strength
        q = Quantity(start=m.start(), end=m.end(), text=m.group(0), value=value, unit=unit,
                     kind=kind, alt_value=alt, hedge=(m.group("hedge") or "").strip() or None,
                     count_words=(m.group("cwords") or "").strip())
        q.approximate = bool(q.hedge and not _rx(_TOTAL_HEDGE).match(q.hedge))
        if _rx(r"\d\s*(?:-|–|to)\s*$").search(before):
            q.approximate = True  # "10-15 kg", "10 to 15 kg": the upper figure, approximate
            q.flags.append("range")
        if q.hedge and _rx(_TOTAL_HEDGE).match(q.hedge):
            q.flags.append("total")
        q.ambiguous_group = alt is not None
        if kind == "count":
            if alt is not None and value != int(value) and alt == int(alt):
                # no one counts 6.2 pills: "6.200 ecstasy pills" is continental thousands
                q.value, q.alt_value, q.ambiguous_group = alt, None, False
            q.count = int(round(q.value))
        # compound mass: "11 kg 987 g", "six kilos and three hundred eighty-six grams"
        if kind == "mass":
            t = _TAIL_RE.match(text, q.end)
            if t:
                tail_unit = normalize_unit(t.group("unit"), us=us)
                if tail_unit in _SMALLER.get(unit, ()):
                    try:
                        tv, _ = _num_value(t.group("num"))
                    except ValueError:
                        tv = None
                    if tv is not None:
                        add = to_kg(tv, tail_unit) / to_kg(1.0, unit)
                        q.value += add
                        q.alt_value = None
                        q.ambiguous_group = False
                        q.end = t.end()
                        q.text = text[q.start:q.end]
                        pos = q.end
        # parenthesised twin: metric after pounds, or a dosage count after a mass
        p = _PAREN_RE.match(text, q.end)
        if p and kind == "mass":
            try:
                pv, palt = _num_value(p.group("num"))
            except ValueError:
                pv = None
            if pv is not None:
                if p.group("count"):
                    q.count = int(round(pv))
                    q.end = p.end()
                    pos = q.end
                elif p.group("mass"):
                    punit = normalize_unit(p.group("mass"), us=us)
                    # a metric twin after a US mass is the figure the report measured
                    if SYSTEM.get(punit) == "metric" and SYSTEM.get(unit) == "us":
                        q.value, q.alt_value, q.unit = pv, palt, punit
                        q.ambiguous_group = palt is not None
                        q.alt_unit_skipped = True
                    elif q.alt_value is not None and palt is None:
                        # "2.350 kilograms (about 2.4 tonnes)": the twin decides the reading
                        _read_as_twin(q, to_kg(pv, punit))
                        q.alt_value, q.ambiguous_group = None, False
                    q.end = p.end()
                    q.text = text[q.start:q.end]
                    pos = q.end
        out.append(q)
    if _HAS_POWER.search(text):
        out = _powers_of_ten(text, out, us=us)
    _twins_decide(text, out)
    for q in out:
        if q.text[:1].isdigit():
            _join_leading_parts(text, q)
    for q in out:
        # the figure itself must open the match: "about -5 kg" is no sign
        if q.text[:1].isdigit() and _SIGN_BEFORE.search(text, max(0, q.start - 2), q.start):
            q.value = -q.value
            q.alt_value = -q.alt_value if q.alt_value is not None else None
            q.start -= 1
            q.text = text[q.start:q.end]
            q.flags.append("negative")
    return out


# between a figure and its twin set off by dashes: its drug ("2.350 kilograms of hashish -
# more than two tonnes -")
_DASH_TWIN_GAP = re.compile(r"(?:\s+of\s+[\w-]+(?:\s+[\w-]+)?)?\s+[-–—]\s+$")


def _twins_decide(text: str, out: list[Quantity]) -> None:
    """A figure of two readings restated at once as a figure of one, between dashes
    ("2.350 kilograms of hashish - more than two tonnes -"): the reading nearer the twin."""
    for q, twin in zip(out, out[1:]):
        if q.alt_value is None or twin.alt_value is not None or q.kind != "mass" \
                or twin.kind != "mass" or twin.start - q.end > 40 \
                or not _DASH_TWIN_GAP.fullmatch(text, q.end, twin.start) \
                or not _rx(r"\s*[-–—,.;)]").match(text, twin.end):
            continue
        _read_as_twin(q, to_kg(twin.value, twin.unit))


def _read_as_twin(q: Quantity, twin_kg: float | None) -> None:
    """Give a figure of two readings the one nearer its twin's kilograms (by ratio)."""
    a, b = to_kg(q.value, q.unit), to_kg(q.alt_value, q.unit)
    if not (twin_kg and a and b):
        return
    if abs(math.log(b / twin_kg)) < abs(math.log(a / twin_kg)):
        q.value = q.alt_value
    q.alt_value, q.ambiguous_group = None, False


def _join_leading_parts(text: str, q: Quantity) -> None:
    """Add to ``q`` the parts of its figure written before it with larger scale words
    ("34 million" before "270 thousand pills")."""
    value, start = q.value, q.start
    while True:
        m = _LEADING_PART.search(text, max(0, start - 24), start)
        if not m:
            break
        scale = _MULT.get(m.group(2).lower())
        # each part must be smaller than the scale before it: "5 million 3 million" is two
        if scale is None or not 0 <= value < scale:
            break
        value += int(m.group(1)) * scale
        start = m.start()
    if start == q.start:
        return
    q.value, q.alt_value, q.ambiguous_group = value, None, False
    q.start, q.text = start, text[start:q.end]
    if q.kind == "count":
        q.count = int(round(value))


def _powers_of_ten(text: str, found: list[Quantity], *, us: bool) -> list[Quantity]:
    """``found`` with each figure written as a power of ten read whole, in place of the
    exponent read as a figure of its own."""
    powers = []
    for m in _POWER_RE.finditer(text):
        coef = float(m.group("coef")) if m.group("coef") else 1.0
        exp = int(m.group("exp"))
        unit_word = m.group("unit")
        if _rx(_MASS + "$").fullmatch(unit_word):
            kind, unit = "mass", normalize_unit(unit_word, us=us)
        elif _rx(_VOLUME + "$").fullmatch(unit_word):
            kind, unit = "volume", normalize_unit(unit_word)
        else:
            kind, unit = "count", normalize_unit(unit_word)
        if unit is None:
            continue
        try:
            value = coef * 10.0 ** exp
        except OverflowError:
            value = float("inf")
        q = Quantity(start=m.start(), end=m.end(), text=m.group(0), value=value, unit=unit,
                     kind=kind, flags=["power of ten"])
        if kind == "count" and value < 1e18:
            q.count = int(round(value))
        powers.append(q)
    if not powers:
        return found
    kept = [q for q in found if not any(p.start < q.end and q.start < p.end for p in powers)]
    return sorted(kept + powers, key=lambda q: q.start)
