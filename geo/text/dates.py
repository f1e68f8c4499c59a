"""Dates in text: month and weekday names, and the patterns of dates in English prose.

The words come from ``geo/vocab``: ``months.csv`` (every language, full names and
abbreviations: the one month table of datelines and prose), ``weekdays.csv`` and
``date_phrases.toml``. :func:`month_number` reads any month word a generated pattern
matches; :func:`month_alternation` gives the regex alternation of a slice of the table
(a language, a kind), longest first. Knows nothing of seizures or reports.
"""
from __future__ import annotations

import re
from types import MappingProxyType
from typing import Mapping

from .. import vocab
from ..errors import VocabularyError
from ..caches import memo

__all__ = [
    "month_words",
    "MONTHS", "WEEKDAYS", "month_number", "weekday_number", "month_alternation",
    "month_initials", "weekday_alternation", "phrases", "phrase_alternation",
    "MONTH_YEAR", "MONTH_AFTER_LEAD", "MONTH_DAY", "LAST_YEAR", "RECENT_PERIOD",
]

_MONTH_KINDS = ("full", "abbreviation")
_LANGUAGE = re.compile(r"[a-z]{2}")

# characters that re.IGNORECASE equates with an ASCII letter although str.lower() does
# not give it (see geo.text.patterns.CASE_ODD): folded so that every word a generated
# pattern matches is found in the table
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _fold(word: str) -> str:
    return word.translate(_FOLD).lower().rstrip(".")


def _check_word(name: str, i: int, word: str) -> None:
    if word != word.lower() or word != word.strip() or not word:
        raise VocabularyError(f"{vocab.row_line(name, i)}: {word!r} is not a lower-case word")


@memo(1)
def _month_rows() -> tuple[tuple[str, int, str, str], ...]:
    name = "months.csv"
    rows = vocab.table(name, required=("word", "month", "language", "kind"))
    out, seen, pairs = [], {}, set()
    for i, r in enumerate(rows):
        word, lang, kind = r["word"], r["language"], r["kind"]
        _check_word(name, i, word)
        if not r["month"].isdigit() or not 1 <= int(r["month"]) <= 12:
            raise VocabularyError(f"{vocab.row_line(name, i)}: month {r['month']!r} is not 1-12")
        month = int(r["month"])
        if not _LANGUAGE.fullmatch(lang):
            raise VocabularyError(f"{vocab.row_line(name, i)}: language {lang!r} is not ISO 639-1")
        if kind not in _MONTH_KINDS:
            raise VocabularyError(f"{vocab.row_line(name, i)}: kind {kind!r} is not one of "
                                  f"{', '.join(_MONTH_KINDS)}")
        if (word, lang) in pairs:
            raise VocabularyError(f"{vocab.row_line(name, i)}: {word!r} ({lang}) is listed twice")
        pairs.add((word, lang))
        # one lookup serves every language: a word may be in two, with one number
        if seen.setdefault(word, month) != month:
            raise VocabularyError(f"{vocab.row_line(name, i)}: {word!r} is month {month} here and "
                                  f"{seen[word]} in another row")
        out.append((word, month, lang, kind))
    return tuple(out)


@memo(1)
def _weekday_rows() -> Mapping[str, int]:
    name = "weekdays.csv"
    out: dict[str, int] = {}
    for i, r in enumerate(vocab.table(name, required=("word", "weekday", "language"))):
        _check_word(name, i, r["word"])
        if not r["weekday"].isdigit() or not 1 <= int(r["weekday"]) <= 7:
            raise VocabularyError(f"{vocab.row_line(name, i)}: weekday {r['weekday']!r} is not 1-7")
        if r["word"] in out:
            raise VocabularyError(f"{vocab.row_line(name, i)}: {r['word']!r} is listed twice")
        out[r["word"]] = int(r["weekday"]) - 1  # ISO 1-7 -> datetime.weekday() 0-6
    return MappingProxyType(out)


@memo(256)  # one entry per list name in date_phrases.toml
def phrases(key: str) -> tuple[str, ...]:
    """The named phrase list ``key`` of ``date_phrases.toml`` (lower case, no duplicates)."""
    name = "date_phrases.toml"
    items = vocab.config(name).get(key)
    if not items or not all(isinstance(p, str) and p for p in items):
        raise VocabularyError(f"{vocab.path_of(name)}: {key!r} is not a list of phrases")
    if len(set(items)) != len(items):
        raise VocabularyError(f"{vocab.path_of(name)}: {key!r} lists a phrase twice")
    if any(p != p.lower() for p in items):
        raise VocabularyError(f"{vocab.path_of(name)}: {key!r} holds a phrase not in lower case")
    return tuple(items)


def phrase_alternation(key: str) -> str:
    """The regex alternation of the phrase list ``key`` (longest first)."""
    return vocab.alternation(phrases(key))


#: month word (lower case, every language) -> month number 1-12
MONTHS: Mapping[str, int] = MappingProxyType({w: m for w, m, _, _ in _month_rows()})
#: weekday word (lower case) -> datetime.weekday() number (Monday 0)
WEEKDAYS: Mapping[str, int] = _weekday_rows()


def month_number(word: str) -> int | None:
    """The month (1-12) of a month word in any case, with or without a final dot."""
    return MONTHS.get(_fold(word))


def weekday_number(word: str) -> int | None:
    """The weekday (Monday 0 ... Sunday 6) of a weekday name in any case."""
    return WEEKDAYS.get(_fold(word))


def _month_words(language: str | None, kind: str | None) -> list[str]:
    words = [w for w, _, lang, k in _month_rows()
             if (language is None or lang == language) and (kind is None or k == kind)]
    if not words:
        raise VocabularyError(f"{vocab.path_of('months.csv')}: no month words for "
                              f"language={language!r}, kind={kind!r}")
    return words


def month_words(language: str | None = None, kind: str | None = None) -> tuple[str, ...]:
    """The month words of ``language`` and ``kind`` (None: all), in table order."""
    return tuple(_month_words(language, kind))


@memo(256)  # a few slices (language x kind)
def month_alternation(language: str | None = None, kind: str | None = None) -> str:
    """The regex alternation of the month words of ``language`` and ``kind`` (None: all),
    longest first ("september" before "sept" before "sep")."""
    return vocab.alternation(_month_words(language, kind))


@memo(256)
def month_initials(language: str | None = None, kind: str | None = None) -> str:
    """The first letters of those month words, in month order ("jfmasond" in English): a
    character class body for a lookahead gate."""
    rows = sorted(((m, w) for w, m, lang, k in _month_rows()
                   if (language is None or lang == language) and (kind is None or k == kind)),
                  key=lambda mw: mw[0])
    return "".join(dict.fromkeys(re.escape(w[0]) for _, w in rows))


def weekday_alternation() -> str:
    """The regex alternation of every weekday word."""
    return vocab.alternation(WEEKDAYS)


# ------------------------------------------------------------------ dates in English prose
_EN_MONTH = month_alternation("en")
_EN_FULL = month_alternation("en", "full")
_ORDINAL = phrase_alternation("ordinal_suffixes")

#: "March 2013", "Sept. 5, 2013", "Jan 5-7 2013": group 1 the month, group 2 the year
MONTH_YEAR = re.compile(
    rf"(?i)(?=[{month_initials('en')}])\b({_EN_MONTH})\.?"
    rf"(?:\s+\d{{1,2}}(?:{_ORDINAL})?)?(?:\s*[-–]\s*\d{{1,2}})?,?\s+((?:19|20)\d{{2}})\b")
#: "in March", "since mid-May", "at the end of June": group 1 the month
MONTH_AFTER_LEAD = re.compile(
    rf"(?i)\b{phrase_alternation('month_leads')}[\s-]+({_EN_FULL})\b")
#: "March 5": group 1 the month
MONTH_DAY = re.compile(rf"(?i)\b({_EN_FULL})\s+\d{{1,2}}\b")
#: "last year", "a year ago": the year before publication
LAST_YEAR = re.compile(rf"(?i)\b{phrase_alternation('last_year')}\b")
#: "last month", "the past year", "previous quarter"
RECENT_PERIOD = re.compile(rf"(?i)\b{phrase_alternation('recent_periods')}\b")
