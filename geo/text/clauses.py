"""Clauses of a sentence, and the lists of figures a clause holds.

A figure is read as a seizure, a destruction of old stock, a statistic or a hypothetical by
the words of the clause that governs it. News copy often lets one verb govern a whole list:
"40 kg of opium, 12 kg of heroin and 5 kg of hashish were burned at a ceremony" destroys
all three, not only the hashish that the words happen to follow. A dependency parse would
find that verb, at the cost of a model package and ~10x the extraction time; the lists of
seizure copy are regular enough for a chunker over the sentence splitter's sentences:

* a clause ends at a semicolon, a colon, a dash between spaces, or a contrast ("while",
  "whereas", ", but"): the boundaries the extractor has always cut a figure's context at;
* figures are one list when only their own phrase ("of opium", "of heroin (brown sugar)")
  and a joiner (a comma, "and", "as well as", "plus") stand between them;
* a list is the clause's subject when nothing but an opening stands before it (the clause
  start, a fronted adverbial of place or time ending in a comma, "police said", "that"),
  and its predicate is the verb group after its last item ("were burned", "would have
  been", "that had been seized", ", which had been seized earlier, were burned"), up to a
  comma or an "and" that starts another statement: that predicate governs every item.

A list after a verb ("seized 40 kg of opium and 12 kg of heroin") is that verb's object; the
words before it already reach every item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .patterns import boundary_led

__all__ = ["CLAUSE_BREAK", "ITEM_BREAK", "Clause", "FigureList", "split_clauses",
           "figure_lists", "own_phrase_end"]

#: Where a clause ends: a semicolon, a dash between spaces, a colon, a contrast.
#: (Compiled led by the w of its last "while": every alternative then opens with a
#: character, which sre skips to; see geo.text.patterns.boundary_led.)
CLAUSE_BREAK = re.compile(boundary_led(
    r";|\s[-–—]\s|:\s|,\s+while\b|,\s+whereas\b|,\s+but\b|\bwhile\s"))

#: Where a figure's own phrase ends inside a clause: a coordinator that opens the next item
#: of a distribution ("one off Lagos with 40 kg of cocaine and the other off Calabar ...",
#: "32 kg of hashish near the coast, and the other uncovered a warehouse ..."); "in another
#: vehicle" (after a preposition) is the figure's own.
ITEM_BREAK = re.compile(
    r"(?:,\s*(?:and\s+|while\s+|whereas\s+)?|\s+(?:and|while|whereas)\s+)"
    r"(?:the\s+other|another|the\s+second|the\s+third|the\s+latter|the\s+rest|"
    r"the\s+remainder)\b", re.IGNORECASE)

# a finite verb's auxiliary: where an item's own phrase ends and a statement begins
_AUX = (r"(?:had|has|have|were|was|are|is|would|could|will|might|may|must|should|can|"
        r"been|being)")
# an item's own phrase: "of" and a few words, none of them an auxiliary, no clause
# punctuation; a bracket after it ("of heroin (brown sugar)")
_OWN_PHRASE = (rf"(?:\s+of\s+(?:(?!{_AUX}\b)[^\s,;:()]+\s+){{0,5}}?(?!{_AUX}\b)[^\s,;:()]+)?"
               r"(?:\s*\([^()]{0,80}\))?")

# between two items of one list: the first item's own phrase and a joiner
_ITEM_GAP = re.compile(
    _OWN_PHRASE +
    r"\s*(?:,\s*(?:and\s+|as\s+well\s+as\s+|plus\s+)?|\s+(?:and|as\s+well\s+as|plus)\s+)$",
    re.IGNORECASE)

# what may stand before a list that is its clause's subject: nothing, a fronted adverbial
# of place or time ("In Helmand, ", "On Monday, "), a reporting verb or "that" ("police
# said ..."), a colon; a determiner ("a total of") is part of the subject. A bare comma is
# not enough: "seized a truck, 40 kg of opium and ..." is a list of objects.
_QUANTIFIER_END = re.compile(
    r"(?:(?:a\s+total\s+of|in\s+all|altogether|some|about|around|nearly|almost|over|"
    r"more\s+than|at\s+least)\s+)?[\"“‘']?\s*$", re.IGNORECASE)
_REPORTING_END = re.compile(
    r"(?:^|\b(?:that|said|says|added|adding|reported|stated|announced|warned|explained|"
    r"noted)|[:;])\s*$", re.IGNORECASE)
_FRONTED = re.compile(
    rf"\s*(?:in|on|at|during|near|across|after|before|since|from|along|inside|outside|"
    rf"meanwhile|separately|elsewhere|overall|altogether|also|earlier|later|last|this|"
    rf"according\s+to)\b(?:(?!{_AUX}\b)[^,;:])*,\s*$", re.IGNORECASE)

# after the last item's own phrase: a relative clause set off by commas (", which had been
# seized earlier,"), then the predicate's verb group (a relative pronoun allowed)
_PREDICATE = re.compile(
    _OWN_PHRASE + r"\s*(?:,\s*(?P<rel>(?:which|that|who)\b[^,;:]{0,120}),\s*)?,?\s*"
    rf"(?P<pred>(?:(?:which|that|who)\s+)?{_AUX}\b)", re.IGNORECASE)

# where the predicate's own words end: a comma (a participle or another clause after it:
# ", bringing ...", ", adding ..."), or "and" before what is no verb of the same subject
# ("and 300 kg of hashish was burned"); "and set on fire", "and then burned" go on
_PREDICATE_END = re.compile(
    r",|\s+and\s+(?!(?:then\s+|later\s+|subsequently\s+|immediately\s+)?"
    r"(?:\w+(?:ed|en)|set|put|kept|sent|burnt|taken|shown|held|sold|lost|spent)\b)",
    re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    """A clause: ``text[start:end]`` of the text the sentence is in."""

    start: int
    end: int


@dataclass(frozen=True)
class FigureList:
    """Figures of one clause joined as one list (indexes into the figures given).

    ``predicate`` is the span of the verb group after the list (and a relative clause set
    off by commas before it) when the list is its clause's subject: the words that govern
    every item; else None.
    """

    items: tuple[int, ...]
    clause: Clause
    predicate: tuple[int, int] | None = None


def split_clauses(text: str, start: int = 0, end: int | None = None) -> list[Clause]:
    """The clauses of ``text[start:end]`` (one sentence), in order, covering it whole."""
    end = len(text) if end is None else end
    out = []
    lo = start
    for m in CLAUSE_BREAK.finditer(text, start, end):
        if m.start() > lo:
            out.append(Clause(lo, m.start()))
        lo = m.end()
    if end > lo or not out:
        out.append(Clause(lo, end))
    return out


def figure_lists(text: str, sent_start: int, sent_end: int,
                 figures: Sequence[tuple[int, int]]) -> list[FigureList]:
    """The lists of two or more figures in one sentence ``text[sent_start:sent_end]``.

    ``figures`` are the (start, end) spans of the sentence's figures, in order. A figure in
    no list is in no returned :class:`FigureList`.
    """
    if len(figures) < 2:
        return []
    clauses = split_clauses(text, sent_start, sent_end)
    out: list[FigureList] = []
    run: list[int] = []
    run_clause: Clause | None = None

    def close() -> None:
        if len(run) >= 2 and run_clause is not None:
            out.append(_with_predicate(text, FigureList(tuple(run), run_clause), figures))

    for i, (s, e) in enumerate(figures):
        clause = next((c for c in clauses if c.start <= s < c.end), None)
        if run and clause == run_clause and _ITEM_GAP.fullmatch(text, figures[run[-1]][1], s):
            run.append(i)
            continue
        close()
        run, run_clause = [i], clause
    close()
    return out


def own_phrase_end(text: str, start: int, end: int) -> int:
    """Where the own phrase of a figure ending at ``start`` ends, ``end`` at the latest:
    at a clause break or at the opening of the next item of a distribution."""
    cut = end
    for rx in (CLAUSE_BREAK, ITEM_BREAK):
        m = rx.search(text, start, cut)
        if m:
            cut = m.start()
    return cut


def _is_subject(before: str) -> bool:
    """Whether a list with ``before`` between its clause's start and its first item is the
    clause's subject."""
    before = before[: _QUANTIFIER_END.search(before).start()]
    return not before.strip() or bool(_REPORTING_END.search(before)) \
        or bool(_FRONTED.fullmatch(before))


def _with_predicate(text: str, found: FigureList,
                    figures: Sequence[tuple[int, int]]) -> FigureList:
    clause = found.clause
    first, last = figures[found.items[0]], figures[found.items[-1]]
    if not _is_subject(text[clause.start:first[0]]):
        return found
    m = _PREDICATE.match(text, last[1], clause.end)
    if not m:
        return found
    start = m.start("rel") if m.group("rel") else m.start("pred")
    stop = _PREDICATE_END.search(text, m.end("pred"), clause.end)
    return FigureList(found.items, clause, (start, stop.start() if stop else clause.end))
