"""The report vocabulary as one automaton: one pass over a report finds every candidate.

Every word list a report is read with goes into one :class:`geo.text.scan.Scanner`, built
once per process (:func:`report_scanner`): the unit words of ``units.csv`` (also written
against a figure, "5kg", or against a spelled-out number, "twokg"), the number words of
``numbers.csv``, the substance terms of ``substances.csv``, the lab nouns' stems, the
literal phrases of ``cues.toml`` and the literal agency names of ``agencies.csv``.
:func:`scan_report` gives every candidate of a text with its offsets (kinds ``unit``,
``figure``, ``number``, ``substance``, ``lab``, ``cue``, ``agency``).

The extractor asks :func:`may_hold_figure` first: a text in which no unit word and no lab
noun stands where a figure's unit or a lab could be holds no figure and no lab, whatever
the costlier readers would say, and is passed over after this one pass. The question is
answered so that it never says no where :func:`geo.text.quantities.find_quantities` finds a
figure or the lab reader a lab noun (the unit words match wherever the figure pattern lets
a unit stand: after a space, a hyphen, a digit or a number word; the lab stems anywhere).
"""
from __future__ import annotations

import re
from typing import Iterator

from .. import vocab
from ..caches import memo
from ..text import substances as _substances
from ..text.quantities import _SCALE_WORDS as _SCALE_PATTERN
from ..text.quantities import number_words
from ..text.scan import Entry, Hit, Scanner, fold
from ..text.units import UNIT_ROWS
from . import agencies as _agencies
from . import cues as _cues

__all__ = ["report_entries", "report_scanner", "scan_report", "may_hold_figure", "KINDS"]

KINDS = ("unit", "figure", "number", "substance", "lab", "cue", "agency")
_ARTICLE = "article figure"  # "a"/"an" and a unit word, a figure after "half" only
_GATE_KINDS = frozenset({"unit", "figure", "lab", _ARTICLE})
_SCALE_WORDS = tuple(re.findall(r"\w+", _SCALE_PATTERN))
_HALF_BEFORE = re.compile(r"(?i)\bhalf\s+$")


def _after_half(text: str, hit: Hit) -> bool:
    return bool(_HALF_BEFORE.search(text, max(0, hit.start - 40), hit.start))


def _unit_entries() -> Iterator[Entry]:
    prose = [w for w in UNIT_ROWS if w.prose]
    # a spelled-out number the figure pattern lets a unit touch ("twokg", "two and a
    # halfkg"); "a"/"an" only after "half" ("half akilo"), which scan_report checks
    numbers = list(number_words(in_words=True)) + ["half"]
    for w in prose:
        yield Entry(w.surface, "unit", w.unit, after_digit=True)
        for n in numbers:
            yield Entry(n + w.surface, "figure", w.unit)
        for article in ("a", "an"):
            yield Entry(article + w.surface, _ARTICLE, w.unit)


def _cue_entries() -> Iterator[Entry]:
    for name, items in _cues._data()["cues"].items():
        for item in items:
            if item.startswith("re:") or not any(c.isalnum() for c in item):
                continue  # a pattern or a mark of punctuation, not a phrase of words
            yield Entry(item.strip("*"), "cue", name, left=not item.startswith("*"),
                        right=not item.endswith("*"))


def _agency_entries() -> Iterator[Entry]:
    for row in vocab.table("agencies.csv", required=("pattern", "name")):
        if row.get("regex") == "yes":
            continue  # a pattern, not a name: the agency reader's gate reads it
        p = row["pattern"]
        # whole words as written, as agencies._row_regex makes a literal name
        yield Entry(p, "agency", row["name"], left=p[:1].isalnum() or p[:1] == "_",
                    right=p[-1:].isalnum() or p[-1:] == "_", case=True)


def report_entries() -> Iterator[Entry]:
    """Every word of the report vocabulary, as scanner entries."""
    yield from _unit_entries()
    for n in number_words(in_words=True):
        yield Entry(n, "number", n)
    for term in _substances._TERMS:
        yield Entry(term, "substance", term)
    for stem in _cues.LAB_STEMS:
        yield Entry(stem, "lab", stem, left=False, right=False)
    yield from _cue_entries()
    yield from _agency_entries()


@memo(1)
def report_scanner() -> Scanner:
    """The report vocabulary's automaton, built once per process (~0.1 s)."""
    return Scanner(report_entries())


@memo(1)
def _gate_scanner() -> Scanner:
    # the gate's words only: a pass over a story without figures has few hits to look at
    # (the cue words alone are ~60 a report)
    return Scanner(e for e in report_entries() if e.kind in _GATE_KINDS)


def scan_report(text: str) -> list[Hit]:
    """Every candidate of the report vocabulary in ``text``, in order, with its offsets."""
    out = []
    for h in report_scanner().scan(text):
        if h.kind == _ARTICLE:
            if not _after_half(text, h):
                continue  # "at", "ag": no "half a t", "half a g"
            h = Hit(h.start, h.end, "figure", h.word, h.value)
        out.append(h)
    return out


# what a figure's number may end with (geo.text.quantities' _NUMBER): a digit, a number
# word, a scale word ("5 million"), "half" ("two and a half"), an article ("a kilo")
_NUMBER_WORDS = tuple(sorted(set(number_words(in_words=True)) | set(_SCALE_WORDS) | {"half"}))
_WORDS_BETWEEN = 6  # folded words a figure's number may stand before its unit word
_LOOK_BACK = 160


def _figure_before(text: str, start: int) -> bool:
    """Whether a number may stand before the unit word at ``start``, with at most a few
    words between ("5 kg", "5-kg", "5,000 ecstasy pills", "3000x Xanax Tabs", "two metric
    tons"): generous (a word holding a number word counts), never strict."""
    lo = max(0, start - _LOOK_BACK)
    words = fold(text[lo:start]).split()
    if lo and len(words) <= _WORDS_BETWEEN + 1:
        return True  # the window may have cut the number off: say yes
    for word in words[-_WORDS_BETWEEN - 1:]:
        if "0" in word or word == "a" or word == "an" or any(n in word for n in _NUMBER_WORDS):
            return True
    return False


def may_hold_figure(text: str) -> bool:
    """False when ``text`` holds no unit word where a figure's unit could stand and no lab
    noun: then it holds no figure and no lab (one pass, stopped at the first candidate)."""
    for h in _gate_scanner().hits(text):
        kind = h.kind
        if kind == "unit":
            if _figure_before(text, h.start):
                return True
        elif kind != _ARTICLE or _after_half(text, h):
            return True
    return False
