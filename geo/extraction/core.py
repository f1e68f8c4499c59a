"""Reports to seizure events: find figures, link them to substances, places, dates, agencies.

The flow for one report (:func:`extract_report`):

1. Split into blocks and sentences (:mod:`geo.text.sentences`); the headline is kept apart:
   its figures only cross-check number formats, the body's figures are the events (a
   headline figure is taken only when the body gives none).
2. Find every figure (:func:`geo.text.quantities.find_quantities`) and every lab count; decide
   the report's number format (English or continental) from cues and cross-checks.
3. Link each figure to a substance (the "of X" after it, the "X: 5 kg" before it, or the
   drug the previous sentences talk about when the sentence reports a seizure).
4. Drop what is not a seizure: period statistics, hypothetical output, stock destroyed at
   a ceremony, cultivation and eradication, fuel, explosives, licit medicines.
5. Place each figure (:mod:`geo.extraction.linking`): the place in its own phrase, else earlier in its
   clause, else later in its list, else the nearest earlier sentence that names a place
   (on the acting force's side of a border: "Turkmen border guards ..."); one figure over
   several regions has no admin-1. The dateline is never a seizure's place.
6. Resolve report structure: duplicates, totals broken down into parts, restated figures,
   attempted versus seized amounts.
"""
from __future__ import annotations

import logging
import math
import os
import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

import geopandas as gpd

from ..errors import ExtractionError
from ..events import Event, events_to_frame
from ..places.context import PlaceContext, default_context, is_default
from ..read.reports import Unplaced
from ..text import dates as _dates
from ..text.plausibility import carrier_in, flag_event, size_log_likelihood, size_model
from ..text.dates import month_number
from .heap import set_aside_loaded
from ..text.quantities import Quantity, find_quantities, hedge_reading, number_words, to_kg
from ..places.names import demonym_words
from ..places.names import normalize as normalize_word
from ..vocab import alternation
from ..text.clauses import figure_lists, own_phrase_end
from ..text.sentences import Sentence, split_sentences
from ..text.patterns import Gated as _Gated
from ..text.patterns import ascii_twin as _ascii_twin
from ..text.patterns import rx as _rx
from ..text.units import litres
from ..text.substances import GROUPS, SubstanceMention, canonical, find_substances, near_spelling
from .agencies import actor_country as _actor_country
from .agencies import acting_countries as _acting_countries
from .agencies import agencies_in
# (at module level: _place_target and its fallbacks ran this relative import per figure)
from .linking import (ITEM_BULLET, GeocodeMemo, PlaceIndex, Placed, capital_of, names_facility,
                      national_dateline)
from .routes import read_route
from .scanning import may_hold_figure
# the cue patterns, built from geo/vocab/cues.toml
from .cues import (ATTEMPT as _ATTEMPT, AT_SEA as _AT_SEA, SAME_PLACE as _SAME_PLACE,
                   BREAKDOWN_START as _BREAKDOWN_START,
                   CAPSULE_GROUPS as _CAPSULE_GROUPS,
                   CONTINENTAL_FIGURE as _CONTINENTAL_FIGURE,
                   CONTINENTAL_LANGUAGES as _CONTINENTAL_LANGUAGES, DESTROY as _DESTROY,
                   DESTROY_STRONG as _DESTROY_STRONG, DOSAGE_UNITS as _DOSAGE_UNITS, ERAD as _ERAD,
                   FORWARD_LINK as _FORWARD_LINK, GAP_BREAK as _GAP_BREAK, GAP_NAMING as _GAP_NAMING,
                   HARD_SEP as _HARD_SEP, HEDGE_ABOUT as _HEDGE_ABOUT, HEDGE_ABOVE as _HEDGE_ABOVE,
                   HEDGE_ABOVE_HEADLINE as _HEDGE_ABOVE_HEADLINE, HERE as _HERE,
                   HERE_REPORTING as _HERE_REPORTING, HYPO as _HYPO, JOINER as _JOINER,
                   LAB_NOT as _LAB_NOT, LAB_NOT_AFTER as _LAB_NOT_AFTER, LAB_NOUN as _LAB_NOUN,
                   LAB_STEMS as _LAB_STEMS, LAB_VERB as _LAB_VERB, LUMP as _LUMP,
                   NATIONAL as _NATIONAL, INCIDENT_OPENER as _INCIDENT_OPENER,
                   DESTROYED_STOCK as _DESTROYED_STOCK, LISTING as _LISTING,
                   SEIZE_VERB as _SEIZE_VERB, STAT as _STAT,
                   TOTAL_AFTER as _TOTAL_AFTER, UNITS_WEIGHING as _UNITS_WEIGHING,
                   WEIGHED_BEFORE as _WEIGHED_BEFORE, template)
from .cues import words as _cue_words
from .eradication import eradication_entries
from .operations import arrests_in, operation_name
from .story import headline_paras as _headline_paras
from .story import dateline_span, own_and_previous, sentence_date


log = logging.getLogger(__name__)

__all__ = ["extract", "extract_report", "ExtractionContext", "ExtractionError"]

_REPORT_ATTRS = ("id", "text")

# --------------------------------------------------------------------------- cues
# (the cue phrases and the agencies are data: .cues and .agencies read them)
# lab counts: digits or a number word below a hundred (geo/vocab/numbers.csv)
_NUMW = r"\d+|" + alternation(w for w, n in number_words("small", "tens", in_words=True).items() if n)
_LAB_RE = re.compile(
    rf"(?i)(?<![\w.,])(?P<num>{_NUMW}|an?|another|the (?:biggest|largest))\s+"
    rf"(?:[\w'’\"-]+\s+){{0,3}}?(?P<noun>{_LAB_NOUN})\b(?!\s+{_LAB_NOT_AFTER}\b)")
_LAB_ELLIPSIS = re.compile(rf"(?i)\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?P<num>{_NUMW}|an?)\s+for\b")
_NUM_WORDS = number_words("small", "tens")  # and "a"/"an": one lab
# a colon (or "made up of", "consisting of", "of which") after a lab count, then "N for ..."
_LAB_BREAKDOWN = re.compile(
    rf"(?i)\s*(?::|,?\s+(?:made up of|consisting of|comprising|of which))\s*(?P<num>{_NUMW}|an?)\s+(?:was\s+|were\s+)?(?:for|used for)\b")

# a recent period ("in recent weeks"), from geo/vocab/date_phrases.toml; gated: searched
# per figure, on short texts that rarely hold its words (the dates are .story's)
_PERIOD = _Gated(_dates.RECENT_PERIOD)


# --------------------------------------------------------------------------- records
@dataclass
class _Target:
    """A figure or a lab count in the body, with everything linked to it."""

    start: int
    end: int
    sent: Sentence
    q: Quantity | None = None
    labs: int | None = None
    substance: str | None = None
    detail: str | None = None
    generic: bool = False
    mixed: bool = False
    skip: str | None = None
    flags: list[str] = field(default_factory=list)
    total_hint: bool = False
    attempt: bool = False
    place: Any = None  # linking.Placed
    kg: float | None = None
    count: int | None = None
    value: float | None = None
    unit: str | None = None
    subst_linked: str = ""  # how the substance was found (forward/backward/inside/carry)
    sums_before: bool = False  # "81 kg 348 g in all": a sum of the figures before it
    sums_earlier: bool = False  # "Altogether, the drugs seized weighed 19.6 kg": of earlier sentences
    local: str = ""  # _local_context up to the next figure of its sentence (the cue checks')


# ------------------------------------------------------------------ per-unit figures
# "11 pieces of cocaine weighing more than 1 kg each", "80 bales of cocaine of about 30 kilos
# each", "duffle bags, each weighing 50 kilograms": the figure is one unit's, the seizure
# is the count of units times it; "550 kilograms in each of the two containers" is one
# seizure per container. A per-unit figure with no count of units is no seizure.
_HEDGE_WORDS = r"(?:(?:about|around|approximately|some|roughly|nearly|almost|over|up\s+to|more\s+than|less\s+than)\s+)?"
# "each" closing the figure's phrase, not "each day" (a noun after it makes it a rate)
_EACH_AFTER = re.compile(
    r"(?i)(?:\s+of\s+[a-z-]+)?\s*,?\s*(?:each|apiece)"
    r"(?=\s*(?:[,.;:)\]]|$)|\s+(?:and|or|but|were|was|are|is|had|have|has|in|on|at|from|with"
    r"|for|to|by|inside|into|[a-z]+ed)\b)")
_EACH_BEFORE = re.compile(
    r"(?i)\beach\s+(?:weigh(?:ing|s|ed)|contain(?:ing|s|ed)|hold(?:ing|s)|with|of)\s+"
    + _HEDGE_WORDS + r"$")
_PACKAGE_UNITS = None
_SIZE_ADJECTIVE = re.compile(r"\d\s*-\s*[^\W\d]+$")
_NOUN_AFTER = re.compile(r"\s+[a-z]")


def _package_re() -> "re.Pattern[str]":
    global _PACKAGE_UNITS
    if _PACKAGE_UNITS is None:
        from ..vocab import alternation
        units = alternation(_cue_words("package_units"))
        numbers = alternation(number_words("small", "tens"))
        num = rf"(?P<n>\d{{1,3}}(?:,\d{{3}})*|{numbers})"
        _PACKAGE_UNITS = (
            re.compile(rf"(?i)\b{num}\s+(?:[a-z-]+\s+){{0,2}}?(?:{units})\b"),
            re.compile(rf"(?i)\s+(?:of\s+[a-z-]+\s+)?in\s+each\s+of\s+(?:the\s+|these\s+|those\s+)?"
                       rf"{num}\s+(?:[a-z-]+\s+)?(?:{units})\b"))
    return _PACKAGE_UNITS


def _units_number(word: str) -> int | None:
    if word[0].isdigit():
        return int(word.replace(",", ""))
    return number_words().get(word.lower())


def _per_unit(text: str, q: Quantity, sent: Sentence) -> tuple[str, int] | None:
    """("each", n) for a figure of one unit among n ("n x figure": one seizure), ("in
    each", n) for a figure found in each of n units (n seizures), ("each", 0) for a
    per-unit figure with no count of units; None for a figure of its own."""
    counted, in_each = _package_re()
    m = in_each.match(text, q.end)
    if m:
        n = _units_number(m.group("n"))
        return ("in each", n) if n and 1 < n <= 12 else None
    # a size written as an adjective ("11 packages of 50-kilogram duffle bags") counts as
    # per unit only with its units counted: "Sunday's 5-kilo haul" is the seizure
    adjective = bool(_SIZE_ADJECTIVE.search(q.text)) and bool(_NOUN_AFTER.match(text, q.end))
    if not (adjective or _EACH_AFTER.match(text, q.end) or
            _EACH_BEFORE.search(text, max(sent.start, q.start - 40), q.start)):
        return None
    best = None
    for c in counted.finditer(text, sent.start, q.start):
        best = c
    n = _units_number(best.group("n")) if best else None
    if adjective and not (n and n > 1):
        return None
    return ("each", n) if n and n > 1 else ("each", 0)


# "One kilogram of fentanyl costs roughly $12,500", "a kilo of cannabis can fetch upwards of
# EUR 1,000": one unit of a drug, the subject of its price (6 such sentences in the
# drugdetection and LGL texts, none a seizure); "40 kg of heroin worth $2 million" is a
# seizure and its value (no verb of price after the figure)
_PRICE_AFTER = re.compile(
    r"(?i)\s+of\s+(?:[\w-]+\s+){1,3}?(?:(?:can|could|would|may|(?:is|was|are|were)\s+said\s+to)\s+)?"
    r"(?:costs?|fetch(?:es)?|changes?\s+hands\s+for|sells?\s+for|(?:be\s+)?(?:sold|bought)(?:\s+(?:in|at)\s+[\w-]+(?:\s+[A-Z][\w-]*)?)?\s+for"
    r"|(?:is|was)\s+worth|goes\s+for|retails?"
    r"|(?:is|was)\s+priced)\b")


# "the price of one gram of crystal meth ... ranges from AED 300 to 500"
_PRICE_BEFORE = re.compile(r"(?i)\b(?:price|prices|cost)\s+(?:of|for)\s+(?:a\s+|an\s+)?$")


def _unit_price(text: str, t: _Target) -> bool:
    """Whether the figure is one unit of a drug whose price the sentence gives."""
    q = t.q
    return q is not None and q.kind in ("mass", "volume") and q.value == 1 \
        and bool(_PRICE_AFTER.match(text, q.end, t.sent.end)
                 or _PRICE_BEFORE.search(text, max(t.sent.start, q.start - 20), q.start))


def _apply_per_unit(t: _Target, how: tuple[str, int] | None) -> list[_Target]:
    """Scale ``t`` to the seizure its per-unit figure stands for; the further seizures of
    an "in each of n" figure (to add beside ``t``)."""
    if how is None:
        return []
    kind, n = how
    if kind == "each" and not n:
        t.skip = "a per-unit figure (no count of units)"
        return []
    if kind == "each":
        for attr in ("value", "kg"):
            if getattr(t, attr) is not None:
                setattr(t, attr, getattr(t, attr) * n)
        if t.count is not None:
            t.count *= n
        t.flags.append(f"{n} units of the figure each")
        return []
    t.flags.append(f"one of {n} seizures of the figure each")
    return [replace(t, flags=list(t.flags)) for _ in range(n - 1)]


def _check_report(report: Any) -> None:
    if isinstance(report, (str, bytes, os.PathLike)):
        raise ExtractionError(f"extract_report expects a Report, got a {type(report).__name__}; "
                              "pass paths to extract() or read them with geo.read_reports")
    missing = [a for a in _REPORT_ATTRS if not hasattr(report, a)]
    if missing:
        raise ExtractionError(f"not a report ({type(report).__name__} lacks {', '.join(missing)})")
    if not isinstance(report.text, str):
        raise ExtractionError(f"report {getattr(report, 'id', '?')!r}: text is "
                              f"{type(report.text).__name__}, not str")


# --------------------------------------------------------------------------- structure
# the adverbial that opens a sentence ("Over the same period, he said, ..."): up to its comma
_OPENING = re.compile(r"\s*([^,;:.]{3,60}),")


def _stat_opening(sent: Sentence, text: str, start: int) -> bool:
    """A statistics period opening the sentence governs every figure of it, also those
    after a dash or a list ("Over the same period, ... heroin, ... - 12.5 tons of drugs
    of all kinds - and have shut down 11 drug laboratories")."""
    m = _OPENING.match(sent.text)
    if not (m and sent.start + m.end() <= start and _STAT.search(m.group(1))):
        return False
    # "So far in 2021, four seizures ...: On February 5, 800 kilograms ...": a colon or a
    # semicolon opens the single cases the period holds
    return not re.search(r"[:;]", text[sent.start + m.end():start])


_DEFINITE_BEFORE = re.compile(r"(?i)\bthe\s+$")

# a figure with nothing before it in its clause but the clause's opening: its subject
_CLAUSE_OPEN = re.compile(r"(?i)(?:^|\b(?:that|said|says|warned)\s+|[:;]\s+)[\"“‘']?$")
_CLAUSE_OPEN_ASCII = _ascii_twin(_CLAUSE_OPEN)


def _opens_clause(before: str) -> bool:
    """Whether ``before`` (a sentence up to a figure) ends with its clause's opening; on
    the lowered copy of an ASCII text with the case-sensitive twin (the same matches, 3x
    faster: tried at every character, and asked of most figures)."""
    if before.isascii():
        return _CLAUSE_OPEN_ASCII.search(before.lower()) is not None
    return _CLAUSE_OPEN.search(before) is not None


def _local_context(text: str, sent: Sentence, start: int, end: int, next_start: int) -> str:
    """The clause before a figure and its own phrase after it (up to the next figure)."""
    before = text[sent.start:start]
    cut = 0
    for m in _HARD_SEP.finditer(before):
        cut = m.end()
    after_end = min(next_start, sent.end)
    after = text[end:after_end]
    m = _HARD_SEP.search(after)
    if m:
        after = after[: m.start()]
    # "217 kg of cocaine ..., the largest cache since 2012": the figure's own clause only
    m = _rx(r",\s").search( after)
    if m:
        after = after[: m.start()]
    return before[cut:] + " @@ " + after


# a time phrase, not any phrase opening with "in" ("..., in the biggest haul since 2019")
_PERIOD_ADVERBIAL = re.compile(
    r"(?i),\s+(?:(?:and|but)\s+)?(?:(?:in|during|over|throughout|for)\s+the\s+"
    r"(?:first|past|last|previous|same)\s|(?:in|during|throughout)\s+(?:19|20)\d{2}\b(?!['’])|"
    r"so far\b|since the (?:start|beginning)\b)[^,;]*")


def _period_after(text: str, sent: Sentence, end: int) -> str | None:
    """A time adverbial set off by commas later in the figure's sentence, which governs the
    whole clause ("seized 81 tonnes of drugs, including 9.9 million Captagon pills, in the
    first ten months of 2024"); None when there is none."""
    found = [m.group(0) for m in _PERIOD_ADVERBIAL.finditer(text, end, sent.end)]
    return " ".join(found) or None


# --------------------------------------------------------------------------- number format
def _decide_reading(report: Any, text: str, body_qs: list[Quantity], head_qs: list[Quantity],
                    sent_of: dict[int, Sentence], subs: list[SubstanceMention]) -> tuple[str, bool]:
    """The reading of this report's ambiguous figures (``1.900``, ``449,520``): ``"en"``,
    ``"latin"`` or ``"latin_dot"``, and whether anything in the report decided it.

    Cross-checks first (a headline figure or a stated total that only one reading matches),
    then unambiguous continental figures in the text (``1,3 tonnes``, ``4.255.000``), then
    the report's language, then the sizes seizures have (:func:`_reading_by_size`); where
    none decides, English, undecided.
    """
    amb = [q for q in body_qs if q.alt_value is not None and q.kind != "count"]
    if not amb:
        return "en", True

    def values(reading: str) -> list[float]:
        out = []
        for q in body_qs:
            v = to_kg(_apply_reading(q, reading), q.unit) if q.kind == "mass" else None
            if v is not None:
                out.append(v)
        return out

    def score(reading: str) -> float:
        vals = values(reading)
        refs = [(to_kg(_apply_reading(q, reading), q.unit), q.hedge) for q in head_qs if q.kind == "mass"]
        s = 0.0
        for ref, hedge in refs:
            if not ref:
                continue
            h = (hedge or "").lower()
            lo, hi = (0.98, 1.6) if _HEDGE_ABOVE_HEADLINE.match(h) else \
                ((0.75, 1.02) if h else (0.9, 1.1))
            if any(lo <= v / ref <= hi for v in vals if v):
                s += 1
            elif vals and lo <= sum(vals) / ref <= hi:
                s += 1
        # a stated total that the next figures add up to
        for i, v in enumerate(vals):
            run = 0.0
            for w in vals[i + 1:]:
                run += w
                if len(vals) > i + 2 and v > 0 and abs(run - v) / v < 0.05 and run != w:
                    s += 0.5
                    break
        # a reading that makes a seizure absurd (one haul over 100 t of anything): only
        # figures told as seizures vote ("Afghanistan produced 6,400 tonnes of opium last
        # year" is no haul and must not turn "2,500 kg of heroin" into 2.5 kg)
        for q in seized:
            kg = to_kg(_apply_reading(q, reading), q.unit)
            if kg and kg > 100_000:
                s -= 0.75
        return s

    seized = [q for q in amb if _SEIZE_VERB.search(sent_of[id(q)].text)]
    en, latin = score("en"), score("latin")
    if en != latin:
        return ("en" if en > latin else "latin"), True
    # cues: unambiguous continental figures ("1,3 tonnes", "4,2 million", "5.000 million")
    if _CONTINENTAL_FIGURE.search(text) or \
            _rx(r"\d\.\d{3}\.\d{3}|\d\.\d{3},\d|\b\d{1,3}\.000 (?:million|billion)").search( text):
        return "latin_dot", True
    if (getattr(report, "language", None) or "en")[:2] in _CONTINENTAL_LANGUAGES:
        return "latin_dot", True
    # No country prior: where the report comes from says nothing about how its English copy
    # writes figures (English news sentences from every continent write "1.527kg",
    # "184.644 kg", "4.525 kg" as decimals). The sizes seizures have decide where one
    # reading is far more likely than the English one; otherwise English.
    by_size = _reading_by_size(amb, sent_of, subs)
    return by_size, by_size != "en"


# how much likelier (natural log) a continental reading must make the report's ambiguous
# figures than the English one to be taken: 20 to 1
_SIZE_MARGIN = math.log(20)


def _reading_by_size(amb: list[Quantity], sent_of: dict[int, Sentence],
                     subs: list[SubstanceMention]) -> str:
    """``"latin_dot"`` (``1.900`` is 1,900) when under it the ambiguous figures have the
    sizes real seizures of their drug (or of their carrier: a courier, a vehicle, a vessel)
    have, far likelier than under the English reading; else ``"en"``."""
    # only the dotted figures' reading is weighed: a comma-grouped figure in English copy
    # ("41,310 kilograms") is thousands however large, record seizures being in the tail
    scores = dict.fromkeys(("en", "latin_dot"), 0.0)
    for q in amb:
        if q.kind not in ("mass", "volume"):
            continue
        sent = sent_of[id(q)]
        model = size_model(q.kind, _figure_group(q, sent, subs), carrier_in(sent.text))
        for reading in scores:
            value = _apply_reading(q, reading)
            amount = to_kg(value, q.unit) if q.kind == "mass" else litres(value, q.unit)
            scores[reading] += size_log_likelihood(amount or 0.0, model)
    return "latin_dot" if scores["latin_dot"] - scores["en"] >= _SIZE_MARGIN else "en"


def _figure_group(q: Quantity, sent: Sentence, subs: list[SubstanceMention]) -> str | None:
    """The drug group of the drug a figure names: the first drug after it in its phrase, else
    the last before it in its sentence; None when its sentence names none."""
    after = [s for s in subs if s.kind == "drug" and q.end <= s.start < min(sent.end, q.end + 60)]
    if after:
        return after[0].drug_group
    before = [s for s in subs if s.kind == "drug" and sent.start <= s.start and s.end <= q.start]
    return before[-1].drug_group if before else None


_SUM_SENTENCES_BACK = 2  # sentences an "Altogether, ..." total may sum
_TOTAL_OPENING = re.compile(template(r"(?i)^\W*{total_after}\b"))
_SUM_PARTS_MAX = 8      # figures after a total tried as its parts
_SUM_AMBIGUOUS_MAX = 9  # ambiguous figures whose readings are tried together (a total and 8 parts)
_SUM_SPAN = 700         # characters from a total to its last part


def _stated_sum_readings(text: str, body_qs: list[Quantity], reading: str,
                         us: bool) -> dict[int, float]:
    """Per-figure readings that make a stated total and the list of figures after it add up.

    "seized 1,372 kilograms ... the haul comprised 1,271 kilograms of opium, 61,600
    kilograms of heroin, 2,850 kilograms of hashish and 35,900 kilograms of other drugs":
    only 1,271 + 61.6 + 2.85 + 35.9 makes 1,372, so each ambiguous figure takes the reading
    the sum gives it, whatever the report's reading of the rest. A total is a figure said to
    be one ("a total of", "in all") or followed by a listing word ("comprised", "including",
    a colon) before its parts; the parts are one list (no sentence end between them).
    Returns {id(figure): value} for the figures whose reading differs from ``reading``;
    empty when no sum decides (none, or two ways). A figure keeps the first reading a sum
    gives it.
    """
    masses = [q for q in body_qs if q.kind == "mass"]
    out: dict[int, float] = {}
    if not any(q.alt_value is not None for q in masses):
        return out  # most reports: no figure with two readings
    # each figure's kg under the report's reading and under each of its own readings, once
    # it is needed (the sums below try many groups and assignments)
    kg_of: dict[int, tuple[float | None, float | None, float | None]] = {}

    def kgs(q: Quantity) -> None:
        if id(q) not in kg_of:
            alt = to_kg(q.alt_value, q.unit, us=us) if q.alt_value is not None else None
            kg_of[id(q)] = (to_kg(_apply_reading(q, reading), q.unit, us=us),
                            to_kg(q.value, q.unit, us=us), alt)

    for i, total in enumerate(masses[:-2]):
        # two more figures near it, and it is said to be a total, or a listing word
        # follows it before the next figure (cheapest test first)
        nxt = masses[i + 1]
        if masses[i + 2].start - total.end > _SUM_SPAN or total.alt_value is None and all(
                q.alt_value is None for q in masses[i + 1: i + 1 + _SUM_PARTS_MAX]):
            continue
        if not ("total" in total.flags or _TOTAL_AFTER.match(text, total.end)
                or _LISTING.search(text, total.end, nxt.start)):
            continue
        parts: list[Quantity] = []
        prev_end = total.end
        for q in masses[i + 1: i + 1 + _SUM_PARTS_MAX]:
            if q.start - total.end > _SUM_SPAN or (parts and _SENTENCE_END.search(text, prev_end, q.start)):
                break
            parts.append(q)
            prev_end = q.end
        if len(parts) < 2 or not any(q.alt_value is not None for q in [total] + parts):
            continue
        for q in [total] + parts:
            kgs(q)
        for n in range(len(parts), 1, -1):
            group = [total] + parts[:n]
            found = _sum_assignment(group, kg_of)
            if found is not None:
                for key, value in found.items():
                    out.setdefault(key, value)
                break
    return out


def _sum_assignment(group: list[Quantity],
                    kg_of: dict[int, tuple[float | None, float | None, float | None]]
                    ) -> dict[int, float] | None:
    """The readings of the ambiguous figures of ``group`` (each its English or other value)
    under which the parts ``group[1:]`` add up to the total ``group[0]`` within 1 %, with
    the fewest figures read otherwise than the report reads them; None when none does,
    when the report's own reading already does, or when two assignments tie."""
    base = [kg_of[id(q)][0] for q in group]
    if any(k is None for k in base) or not base[0]:
        return None
    if abs(sum(base[1:]) - base[0]) <= 0.01 * base[0]:
        return None  # the report's reading adds up already
    amb = [j for j, q in enumerate(group) if q.alt_value is not None and kg_of[id(q)][2] is not None]
    if not amb or len(amb) > _SUM_AMBIGUOUS_MAX:
        return None
    best: tuple[int, int] | None = None  # (figures changed, mask)
    tie = False
    for mask in range(1 << len(amb)):
        kg = list(base)
        for b, j in enumerate(amb):
            kg[j] = kg_of[id(group[j])][2 if mask >> b & 1 else 1]
        if not kg[0] or abs(sum(kg[1:]) - kg[0]) > 0.01 * kg[0]:
            continue
        cost = sum(1 for j in range(len(group)) if kg[j] != base[j])
        if best is None or cost < best[0]:
            best, tie = (cost, mask), False
        elif cost == best[0]:
            tie = True
    if best is None or tie:
        return None
    out = {}
    for b, j in enumerate(amb):
        q = group[j]
        value = q.alt_value if best[1] >> b & 1 else q.value
        if kg_of[id(q)][2 if best[1] >> b & 1 else 1] != kg_of[id(q)][0]:
            out[id(q)] = value
    return out


_SENTENCE_END = re.compile(r"[.!?]\s+[A-Z\"“]|[;\n]")


# a figure in digits, a scale word of numbers.csv after it or not, then the words before the unit
_DOSAGE_WORD = re.compile(rf"\d[\d\s.,]*\s(?:(?i:{alternation(number_words('scale'))})\s+)?"
                          r"(?P<word>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2}?)\s+\w+$")


def _dosage_word(q: Quantity) -> str | None:
    """The unknown word of a count of dosage units ("31 000 mandrax tablets" -> "mandrax"),
    lower-cased; None when the figure has none between its number and its unit."""
    if q.unit not in _DOSAGE_UNITS or not q.text:
        return None
    m = _DOSAGE_WORD.search(q.text.strip())
    if not m:
        return None
    words = [w for w in m.group("word").lower().split() if w not in _NOT_DRUG_WORDS]
    # one word left that names something: not a description ("small white", "Chinese-made")
    if len(words) != 1 or words[0].endswith(("-made", "-shaped", "-coloured", "-colored")) \
            or normalize_word(words[0]) in _DEMONYM_WORDS:
        return None
    return words[0]


_NOT_DRUG_WORDS = frozenset(_cue_words("dosage_descriptions"))
_DEMONYM_WORDS = demonym_words()


def _apply_reading(q: Quantity, reading: str) -> float:
    """Value of a figure under the report's reading.

    ``latin_dot`` (a continental figure elsewhere in the report, the report's language, or
    the sizes seizures have): read ``1.900`` as 1900 but keep the English reading of
    ``1,500`` (English copy of continental sources keeps comma thousands).
    Tonnes are never read as thousands (``1.587 tons`` is a decimal).
    """
    if q.alt_value is None or q.kind == "count":
        return q.value
    if reading == "latin":
        if q.unit in ("t", "ton_us") and q.text and _rx(r"\d\.\d{3}").search( q.text):
            return q.value
        return q.alt_value
    if reading == "latin_dot":
        if q.unit in ("t", "ton_us"):
            return q.value
        if _rx(r"\d\.\d{3}(?!\d)").search( q.text) and "," not in q.text.split()[0]:
            return q.alt_value
        return q.value
    return q.value


# --------------------------------------------------------------------------- substances
def _link_substance(t: _Target, text: str, subs: list[SubstanceMention], next_start: int,
                    prev_end: int) -> None:
    """Substance of a figure: inside it ("ecstasy pills"), the "of X" after it, or the
    "X: 5 kg" / "X weighing 5 kg" before it."""
    q = t.q
    inside = [s for s in subs if q.start <= s.start and s.end <= q.end and s.kind != "block"]
    if inside:
        _take(t, inside[0], subs, text, next_start)
        t.subst_linked = "inside"
        return
    lo = max(prev_end, t.sent.start)
    back = [s for s in subs if lo <= s.start and s.end <= q.start]
    if back and back[-1].kind not in ("block", "anaphor") \
            and _WEIGHED_BEFORE.match(text[back[-1].end:q.start]):
        # "hashish weighing 1,490 grams and four packages of marijuana"
        _take(t, back[-1], subs, text, q.start)
        t.subst_linked = "backward"
        return
    limit = min(next_start, t.sent.end, q.end + 90)
    window = text[q.end:limit]
    cut = _rx(r";|\n").search( window)
    if cut:
        limit = q.end + cut.start()
    fwd = [s for s in subs if q.end <= s.start and s.end <= limit]
    if fwd:
        first = fwd[0]
        gap = _rx(r"\([^()]*\)").sub( " ", text[q.end:first.start])
        gap = _rx(r"[\"“”‘’\[\]()]").sub( " ", gap)
        # (compiled once: as inline patterns they went through re's shared cache, which
        # pysbd's hundreds of patterns keep evicting)
        linked = _FORWARD_LINK.match(gap) and not _GAP_BREAK.search(_GAP_NAMING.sub("", gap))
        if linked:
            if first.kind == "block":
                t.skip = "not a drug: " + first.text
                return
            _take(t, first, subs, text, limit)
            if t.subst_linked != "anaphor":  # "800 kilograms of the drug": resolved later
                t.subst_linked = "forward"
            return
    # "274 kilograms of lime or whitener": the figure names its own material, one the
    # vocabulary does not know; it borrows no drug from before or after it
    own = _own_material(text, q.end, subs)
    if own is not None:
        substance, detail, flag = own
        if substance == "unspecified" and not any(
                sm.kind in ("drug", "generic") and t.sent.start <= sm.start < t.sent.end
                for sm in subs):
            # "46,000 kilograms of betel nuts ... concealed under coal": a sentence that
            # names no drug at all is no drug seizure of an unknown word
            t.skip = f"not a known drug: {detail}"
            return
        t.substance, t.detail, t.subst_linked = substance, detail, "own words"
        t.flags.append(flag)
        return
    # before: "Tramadol: 36.202kg", "hashish weighing 1 kg", "heroin with a total weight of"
    if back:
        last = back[-1]
        gap = text[last.end:q.start]
        if len(gap) <= 90 and not _rx(r"[;]").search( gap):
            if last.kind == "block":
                t.skip = "not a drug: " + last.text
                return
            if last.kind == "anaphor":
                t.subst_linked = "anaphor"  # "the drug weighed 1 kg": resolved from the story
            else:
                # "hashish and 18 kg" would be wrong, but the previous figure's end bounds lo
                _take(t, last, subs, text, q.start)
                t.subst_linked = "backward"
                return


# the words after "of" that name what a figure weighs, up to a word that ends the phrase
_OF_WORDS = re.compile(r"\s+of\s+(?P<w>[a-z][a-z-]+(?:\s+(?:(?:or|and)\s+)?[a-z][a-z-]+){0,2})",
                       re.IGNORECASE)
# a first word after "of" that is no material: an article or a pronoun (the drug is named
# elsewhere: "5 kg of the drug", "2 kg of what appeared to be"), a hedge, a quantity word
_NOT_MATERIAL = frozenset(
    "the a an this that these those it them its their his her what which such some any "
    "each other others all both more less about around approximately over under nearly "
    "almost up suspected alleged brutto netto gross net".split())
# words that end the material's phrase ("lime hidden in", "powder worth")
_PHRASE_END = frozenset(
    "in on at from with to for by was were is are had has have hidden found seized which "
    "that worth valued inside into during near after before while when as being packed "
    "wrapped concealed stashed".split())
# a chemical named by its class: "tartaric acid", "sodium hydroxide", "calcium oxide"
# (not by suffixes such as -one or -ate: cathinone and mephedrone are drugs, chocolate and
# concentrate are hashish words)
_CHEMICAL_NAME = re.compile(r"(?i)\b(?:\w+\s+acid|(?:sodium|potassium|calcium|ammonium|"
                            r"magnesium)(?:\s+\w+)?|\w+(?:oxide|chloride|nitrile))$")


def _own_material(text: str, end: int, subs: list[SubstanceMention]
                  ) -> tuple[str, str, str] | None:
    """(substance, detail, flag) of the material a figure's own "of ..." names when the
    vocabulary does not know it: a misspelt drug ("ketamin"), a chemical by its class
    ("tartaric acid"), else unspecified with the words kept; None when "of" is followed
    by an article, a pronoun or a known term, or by nothing."""
    m = _OF_WORDS.match(text, end)
    if not m:
        return None
    words = m.group("w").split()
    if words[0].lower() in _NOT_MATERIAL:
        return None
    kept: list[str] = []
    for i, w in enumerate(words):
        lw = w.lower()
        # a number or a verb after "and" opens the next item or clause ("lime and five
        # gallons of ammonia", "adulterant and detained one")
        if lw in _PHRASE_END or lw in _NUM_WORDS or lw == "then" or (
                i and words[i - 1].lower() in ("and", "or") and lw.endswith("ed")):
            break
        kept.append(w)
    if not kept or kept[-1].lower() in ("or", "and"):
        kept = kept[:-1] if kept else kept
    if not kept:
        return None
    span_end = m.start("w") + len(" ".join(kept))
    if any(m.start("w") <= sm.start < span_end for sm in subs):
        return None  # a known term is part of it ("5 kg of high-grade heroin")
    phrase = " ".join(kept).lower()
    for w in kept:
        term = near_spelling(w)
        if term:
            hit = canonical(term)
            if hit:
                return hit[0], hit[2] or term, f"spelling: {w.lower()} read as {term}"
    # each alternative of "lime or whitener" is tried as a chemical name
    if any(_CHEMICAL_NAME.search(alt.strip()) for alt in re.split(r"\s+(?:or|and)\s+", phrase)):
        return "precursor", phrase, "chemical by its name"
    return "unspecified", phrase, "unknown drug word"


_NAMED_AFTER_GENERIC = re.compile(
    r"(?i)\s*(?:[(\[]|,?\s*(?:presumably|probably|apparently|reportedly|likely|"
    r"(?:believed|suspected|thought|said)\s+to\s+be))\s*")


def _take(t: _Target, sm: SubstanceMention, subs: list[SubstanceMention], text: str, limit: int) -> None:
    if sm.kind == "anaphor":
        t.substance = None
        t.subst_linked = "anaphor"
        return
    if sm.kind == "generic":
        # "1 kg of hard drugs (cocaine)": the drug named in brackets
        # "more than half a tonne of drugs, presumably cocaine": named with a hedge too
        nxt = [s for s in subs if s.start > sm.end and s.kind == "drug"]
        if nxt and _NAMED_AFTER_GENERIC.fullmatch(text, sm.end, nxt[0].start):
            sm = nxt[0]
    t.substance, t.detail = sm.substance, sm.detail
    t.generic = sm.kind == "generic"
    # "opium and hashish", "heroin and other narcotics", "methamphetamine, heroin and fentanyl"
    after = [s for s in subs if s.start >= sm.end and s.end <= max(limit, sm.end) and s.kind != "block"]
    prev_end = sm.end
    names = [sm.text]
    for nxt in after:
        gap = text[prev_end:nxt.start]
        if not _JOINER.match(gap):
            break
        if nxt.substance != t.substance or nxt.kind == "generic":
            t.mixed = True
        names.append(nxt.text)
        prev_end = nxt.end
    if t.mixed:
        t.detail = " + ".join(names)
        t.substance = "unspecified"
        t.generic = False


# --------------------------------------------------------------------------- labs
def _has_lab_noun(sentence: str) -> bool:
    low = sentence.lower()
    return any(stem in low for stem in _LAB_STEMS)


def _find_labs(text: str, sents: list[Sentence], head: set[int]) -> list[tuple[int, int, int, Sentence]]:
    out = []
    for s in sents:
        if s.para in head or not _has_lab_noun(s.text) or not _LAB_VERB.search(s.text):
            continue
        for m in _LAB_RE.finditer(s.text):
            if _LAB_NOT.search(s.text[max(0, m.start() - 20): m.end() + 25]):
                continue
            num = m.group("num").lower()
            # "another drug lab was discovered": one more
            n = 1 if num.startswith("the ") or num == "another" else _lab_number(num)
            if not n:
                continue
            out.append((s.start + m.start(), s.start + m.end(), n, s))
            # the labs listed after it, each ", and M for ...", or a breakdown after a colon
            # ("three laboratories: one for cocaine hydrochloride and two for base paste");
            # which of them are totals of the others is decided with the figures' totals.
            # A breakdown that does not add up is part of the count, not more labs
            brk = _LAB_BREAKDOWN.match(s.text, m.end())
            more = _lab_chain(s, m.end(), first=brk)
            if brk is None or sum(x[2] for x in more) == n:
                out.extend(more)
    return out


def _lab_chain(s: Sentence, pos: int, first: re.Match | None) -> list[tuple[int, int, int, Sentence]]:
    """The lab counts listed after a count, each ", and M for ...": from ``first`` (the
    opening item of a breakdown after a colon) or else after the count's own phrase."""
    out = []
    if first is not None:
        k = _lab_number(first.group("num"))
        if not k:
            return []
        out.append((s.start + first.start("num"), s.start + first.end(), k, s))
        pos = first.end()
    while True:
        # skip the phrase ("heroin laboratories", "for heroin") up to the next comma/and
        nxt = _rx(r"[^,;]*?(?=,|\sand\s|;|$)").match(s.text[pos:])
        pos += nxt.end() if nxt else 0
        e = _LAB_ELLIPSIS.match(s.text, pos)
        if not e:
            return out
        k = _lab_number(e.group("num"))
        if k:
            out.append((s.start + e.start("num"), s.start + e.end(), k, s))
        pos = e.end()


def _lab_number(word: str) -> int | None:
    word = word.lower()
    return int(word) if word.isdigit() else _NUM_WORDS.get(word)


# --------------------------------------------------------------------------- dates
def _date_for(t: _Target, text: str, sents: list[Sentence], published: str | None) -> str | None:
    # the sentence's date, as the eradication reader dates its records (.story)
    return sentence_date(t.sent, sents, published)


# --------------------------------------------------------------------------- places
def _here(sentence: str) -> bool:
    """Whether a sentence places its seizure "here" (not "said ... here")."""
    return any(not _HERE_REPORTING.search(sentence, 0, m.end() - 4)
               for m in _HERE.finditer(sentence))


def _dateline_place(report: Any, text: str, ctx: "ExtractionContext", fallback: Any) -> Any:
    """The dateline city, for a figure its sentence places "here" (never by itself: the
    dateline is otherwise only where the story was filed)."""
    name = str(report.dateline_place).split(",")[0].strip()
    try:
        loc = ctx.geocoder.geocode(name.title() if name.isupper() else name, context=text)
    except Exception:  # a geocoder failure leaves the figure as it was
        return fallback
    raw = getattr(loc, "raw", None) or {}
    country = raw.get("country")
    if loc is None or not raw.get("admin1") or (fallback.country and country != fallback.country):
        return fallback
    return Placed(name.title() if name.isupper() else name, country, raw.get("admin1"),
                  raw.get("admin1_name"), loc.latitude, loc.longitude, 0.6, "here: the dateline")


_SMALL_PLACE = 20_000  # a town this small may well have a namesake in another region


def _local_paper_region(report: Any, text: str, ctx: Any, idx: Any, live: list[Any]) -> None:
    """A small town that a story filed from a provincial city (not the capital) puts in
    another region of the same country, with no reading in the dateline's region, is a
    namesake: the figure is placed in the dateline's region, at admin1 precision. ("CHURU
    ... Police in Churu seized ... at the Malasar toll naka": Malasar is a village of Tamil
    Nadu in the gazetteer, the story is Rajasthan's.) A wire filed from the capital reports
    the whole country: there the town stands."""
    if not getattr(report, "dateline_place", None) or not live:
        return
    # the cheap tests first: most reports have no small town placed by its own phrase
    small = []
    for t in live:
        p = t.place
        if p is None or p.precision != "point" or not p.admin1 \
                or p.how.split("/")[0] not in _GROUNDED:
            continue
        pm = next((m for m in idx.mentions if m.text == p.place), None)
        if pm is not None and pm.population < _SMALL_PLACE and pm.level == "local" \
                and not names_facility(pm.text):
            # (an airport or port named in full is where it is: "Suvarnabhumi airport" in
            # a Chiang Rai paper is Samut Prakan's, no namesake)
            small.append((t, pm))
    if not small:
        return
    gaz = getattr(ctx, "gazetteer", None)
    if gaz is None:
        return
    try:
        if national_dateline(gaz, report.dateline_place):
            return  # filed from the capital or a big city (La Paz, Karachi): a national wire
    except Exception:
        return
    here = _dateline_place(report, text, ctx, Placed())
    if here is None or not here.admin1 or here.how != "here: the dateline":
        return
    for t, pm in small:
        p = t.place
        if p.country != here.country or p.admin1 == here.admin1 or p.admin1 in idx.named_admin1:
            # (the story names the town's own region: "Nakhon Phanom police stopped a truck
            # in That Phanom district" in a Chiang Rai paper is no namesake)
            continue
        readings = idx._readings.get(pm.query, ())
        if any(getattr(r, "admin1", None) == here.admin1 for _, r in readings):
            continue  # a reading there: the geocoder's choice is judged elsewhere
        t.place = Placed(p.place, here.country, here.admin1, here.admin1_name, here.lat,
                         here.lon, min(p.confidence, 0.6), p.how + "/region of the dateline",
                         precision="admin1")


_CROSSED = re.compile(r"(?i)\b(?:across|through|via|over|along)\s+(?:the\s+)?$")


# "seized nearly 100 tons of cocaine last year", "were intercepted last year": a year's
# total (5 times in the drugdetection sentences); "in December last year", "on September 20
# last year" date one seizure (4 times)
# (the word before "last year"; none when it follows the figure's own words at once:
# "640,000 ecstasy tablets last year", the count's words being part of the figure)
_LAST_YEAR = re.compile(r"(?i)(?:\b(\w+)|@@)\s+last\s+year\b")


# "Last year authorities seized a total of 8.2 tonnes": a total over the year its clause
# opens with (a single seizure recalled, "Last year police seized 2 t in a raid", is kept)
_LAST_YEAR_OPENS = re.compile(r"(?i)\s*(?:in\s+|over\s+|during\s+)?(?:the\s+)?(?:last|past)\s+year\b")
_WHOLE_YEAR = re.compile(r"(?i)\b(?:in all of|throughout|in the whole of) (?:19|20)\d{2}\b")


def _year_total(local: str) -> bool:
    """Whether a figure's context gives it a whole year: "in all of 2024", or "last year"
    said of the figure, not of a month or day."""
    low = local.lower()
    if "of 20" in low or "throughout" in low:
        if _WHOLE_YEAR.search(local):
            return True
    if "last year" not in low:
        return False
    return any(m.group(1) is None or (
        month_number(m.group(1).lower()) is None and not m.group(1).isdigit()
        and m.group(1).lower() not in ("of", "the")) for m in _LAST_YEAR.finditer(local))


def _clause_start(text: str, s: Sentence, start: int) -> int:
    """Where the clause of the figure at ``start`` begins in its sentence ``s``."""
    clause_start = s.start
    for m in _HARD_SEP.finditer(text[s.start:start]):
        clause_start = s.start + m.end()
    return clause_start


def _in_countries(places: list[Any]) -> list[Any]:
    """``places`` without regions of several countries when any other place is there: "on
    the bank of the Mekong River in Tha Uthen district" was seized in Tha Uthen."""
    return [p for p in places if p.level != "region"] or places


_SPACES = re.compile(r" +")
_WEIGHT_OF = re.compile(r"(?i)\b(?:weigh(?:ed|s|ing)?|weight)\b")
# "in the capital", "of the capital" (not "the capital of X", which names X; not the capital
# of a region: "the provincial capital")
_THE_CAPITAL = re.compile(r"(?i)\b(?:in|of|at|near|around)\s+the\s+(?:country's\s+|nation's\s+)?capital\b(?!\s+of\b|\s+city\s+of\b)")
# "and" with a verb in the past: the next predicate of the clause ("seized 2,185 kg of
# cannabis and uprooted 78 acres of cannabis farms")
_AND_PREDICATE = re.compile(r"\s(?:and|then)\s+(?:also\s+)?[a-z]+ed\b")


def _before_next_predicate(local: str) -> str:
    """A figure's local context (:func:`_local_context`) without the predicate that a
    coordinated verb after the figure opens: an area uprooted there is not the figure's."""
    before, sep, after = local.partition(" @@ ")
    m = _AND_PREDICATE.search(after)
    return before + sep + (after[: m.start()] if m else after)


# "some 60 nautical miles off", "40 km from the coast of": a distance at sea from a place
_OFFSHORE = re.compile(r"(?i)\b(?P<n>\d[\d,]*(?:\.\d+)?)[-\s]+(?:plus\s+)?(?P<u>nautical\s+miles?|miles?|km|"
                       r"kilomet(?:re|er)s?)\s+(?:(?:north|south|east|west)\w*\s+)?(?:off|from|of)\s+"
                       r"(?:the\s+(?:coast|shores?|island|port)\s+of\s+)?")
# how far off a coast a seizure still takes the coast's region: 100 nautical miles ("100
# nautical miles south of Sao Miguel" is Azorean water; "150 nautical miles off the
# Galapagos Islands" is the open Pacific)
_OFFSHORE_MAX_KM = 185.2
_KM_PER = {"n": 1.852, "m": 1.609344, "k": 1.0}
_OFFSHORE_MIN_SCORE = 0.75  # a confident reading only: a region of the wrong coast is worse than none


def _offshore_of(s: Sentence, idx: Any) -> Any:
    """At sea "N miles off" a place the gazetteer knows: that place's region, as the
    place of the figure (admin-1 precision: the point is at sea), else None."""
    for m in _OFFSHORE.finditer(s.text):
        km = float(m.group("n").replace(",", "")) * _KM_PER[m.group("u")[0].lower()]
        if km > _OFFSHORE_MAX_KM:
            continue
        at = s.start + m.end()
        near = [p for p in idx.in_span(at, min(s.end, at + 40), usable_only=False)
                if p.level not in ("country", "region") and p.admin1]
        if near and near[0].start - at <= 4 and near[0].score >= _OFFSHORE_MIN_SCORE:
            p = near[0]
            return Placed(p.admin1_name, p.country, p.admin1, p.admin1_name, None, None, 0.55,
                          "at sea off " + p.text, precision="admin1")
    return None


def _names_drug_kind(text: str, p: Any) -> bool:
    """Whether a place stands right before a drug word as its kind or origin ("142
    kilograms of Kerala ganja", "Afghan heroin"): not where the figure was seized."""
    m = _SPACES.match(text, p.end)
    if m is None:
        return False
    subs = find_substances(text[m.end(): m.end() + 40])
    return bool(subs) and subs[0].start == 0 and subs[0].kind == "drug"


# the words that name a kind of place again ("the Klaipeda state seaport ... at the same port")
_SAME_KIND = {kind: words for words, kinds in (
    ("port|seaport|harbou?r", ("port", "seaport", "harbour", "harbor")),
    ("crossing|checkpoint|border post", ("crossing", "checkpoint", "border crossing")))
    for kind in kinds}


def _same_place(kind: str, s: Sentence, sents: list[Sentence], idx: Any, usable) -> Any:
    """The place "the same <kind>" calls back: in the nearest earlier sentence that names
    the kind, the usable place nearest the word (None: no such sentence)."""
    word = re.compile(rf"(?i)\b(?:{_SAME_KIND.get(kind, re.escape(kind))})s?\b")
    for prev in sents[: s.index][::-1]:
        hits = [m.start() for m in word.finditer(prev.text)]
        if not hits:
            continue
        cand = [p for p in idx.in_span(prev.start, prev.end) if usable(p) and p.role != "excluded"]
        if cand:
            at = [prev.start + h for h in hits]
            return min(cand, key=lambda p: min(abs(p.start - a) for a in at))
    return None


def _place_target(t: _Target, idx: Any, text: str, sents: list[Sentence], head: set[int],
                  targets_in_sent: list[_Target], frames: "_Frames | None" = None) -> Any:
    """The place of one figure (see the module docstring, step 5)."""
    s = t.sent
    later = [o.start for o in targets_in_sent if o.start > t.start]
    # its own phrase: up to the next figure, a clause break or the next item ("and the
    # other off Calabar")
    seg_end = own_phrase_end(text, t.end, min(later) if later else s.end)
    if _LUMP.search(text[t.end:seg_end]):
        cs = [p.country for p in idx.in_span(s.start, s.end) if p.country]
        return Placed(None, cs[0] if cs else idx.main_country, None, None, None, None, 0.6,
                      "several regions", lumped=True)
    # 1. its own phrase: "120 kg of opium near Dalbandin"
    own = idx.in_span(t.end, seg_end)
    own = _in_countries([p for p in own if p.level != "country" and not _names_drug_kind(text, p)])
    if own and all(p.level == "region" and not p.country
                   and _CROSSED.search(text, max(t.end, p.start - 20), p.start) for p in own) \
            and any(p.level not in ("country", "region")
                    for p in idx.in_span(_clause_start(text, s, t.start), t.start)):
        # "in That Phanom district ... found 450 kg ..., which had been ferried across the
        # Mekong River from Laos": a region of several countries the haul crossed is no
        # better place than the district its clause named (one it was seized in, "in the
        # Caribbean", is)
        own = []
    if own:
        if all(p.level == "region" and not p.country for p in own):
            # "intercepted a semi-submersible ... off the Pacific coast": a sea names no
            # region; the next sentences of its frame may say how far off which place
            for x in [s] + sents[s.index + 1: s.index + 3]:
                if frames is not None and not frames.same(x, s):
                    break
                off = _offshore_of(x, idx)
                if off is not None:
                    return off
        return idx.place_group(own[0], "own phrase", 0.95)
    # the local context up to seg_end is the one the cue checks made up to the next figure
    # (t.local): cut at the first hard separator, the phrase after the figure is the same
    # either way, and the clause before it does not depend on the end
    lump_ctx = t.local if t.local else _local_context(text, s, t.start, t.end, seg_end)
    if _LUMP.search(lump_ctx) or _LUMP.search(s.text):
        cs = [p.country for p in idx.in_span(s.start, s.end) if p.country]
        return Placed(None, cs[0] if cs else idx.main_country, None, None, None, None, 0.6,
                      "several regions", lumped=True)
    # 2. earlier in its clause: "Near Dalbandin in Chaghi, officers found 120 kg"
    clause_start = _clause_start(text, s, t.start)
    back = _in_countries([p for p in idx.in_span(clause_start, t.start) if p.level != "country"])
    if back:
        return idx.place_group(back[-1], "earlier in clause", 0.9)
    back = _in_countries([p for p in idx.in_span(s.start, t.start) if p.level != "country"])
    # 3. later in a coordinated list: "180 kilos of heroin, ... were seized ... in Badakhshan"
    fwd_end = s.end
    hard = _HARD_SEP.search(text[t.end:s.end])
    if hard:
        fwd_end = t.end + hard.start()
    fwd = _in_countries([p for p in idx.in_span(t.end, fwd_end) if p.level != "country"])
    if fwd:
        return idx.place_group(fwd[0], "later in sentence", 0.85)
    if back:
        regions = {p.admin1 for p in back if p.admin1 and p.role == "strong"}
        if len(regions) > 1:
            # "one in Tehran, the capital, and one in ... Kerman - have netted a combined 1,235 kg"
            cs = {p.country for p in back if p.country}
            return Placed(None, cs.pop() if len(cs) == 1 else idx.main_country, None, None, None,
                          None, 0.6, "several regions", lumped=True)
        return idx.place_group(back[-1], "earlier in sentence", 0.8)
    if _AT_SEA.search(s.text):
        # "halted some 110 miles out to sea": a seizure at sea lies in no region, whatever
        # port or island an earlier sentence named -- but one "60 nautical miles off Puerto
        # San Jose" is off that place's coast: its region
        off = _offshore_of(s, idx)
        if off is not None:
            return off
        cs = [p.country for p in idx.in_span(s.start, s.end) if p.country]
        return Placed(None, cs[0] if cs else None, None, None, None, None, 0.5, "at sea")
    # the country of the force that acted ("Turkmen border guards detained ...") keeps the
    # fallbacks below on its side of a border
    actor = _actor_country(s.text, idx)

    def usable(p) -> bool:
        # a region of several countries in another sentence is background ("flights from
        # Central and South America"), not where this figure was seized
        return p.level not in ("country", "region") and (actor is None or p.country == actor)

    # an unknown name in its own clause ("at the Batha border post"): the place is there,
    # somewhere the story is, never the place of another sentence
    unknown = bool(idx.unknown_in(clause_start, seg_end)) if hasattr(idx, "unknown_in") else False
    # "searched a flat in the Botanica sector of the capital": the story's country's capital
    if _THE_CAPITAL.search(text, clause_start, seg_end) and getattr(idx, "main_country", None):
        cap = capital_of(getattr(idx, "gazetteer", None), idx.main_country)
        if cap is not None and cap.admin1:
            return Placed(cap.name, cap.country, cap.admin1, None, cap.lat, cap.lon, 0.6,
                          "the capital", precision="point")
    # "In another case at the same airport, 850 grams ...": the place named before with
    # that kind, whatever frame it was in
    same = _SAME_PLACE.search(text, clause_start, seg_end)
    if same is not None:
        kind = same.group(0).lower().split(" same ", 1)[1]
        back = _same_place(kind, s, sents, idx, usable)
        if back is not None:
            return idx.place_group(back, "same " + kind, 0.7)
    # 4. its incident frame: the sentences since the one that opened it (see _Frames.before)
    if unknown:
        in_frame = []
    elif frames is not None:
        in_frame = frames.before(s)
    else:  # no frames: the nearest body sentence first
        in_frame = [x for x in sents[: s.index] if x.para not in head][::-1]
    at_sea = None
    last = next((prev for prev in in_frame if prev.index == s.index - 1), None)
    if last is not None and _AT_SEA.search(last.text) \
            and not any(usable(p) for p in idx.in_span(last.start, last.end)):
        # the sentence before put the story at sea ("halted some 110 miles out to sea
        # ... Its crew were arrested, and 397 kg of cocaine was recovered"): unless the
        # next sentences place it, not in whatever port an earlier sentence named
        cs = [p.country for p in idx.in_span(last.start, last.end) if p.country]
        at_sea = _offshore_of(last, idx) or \
            Placed(None, cs[0] if cs else None, None, None, None, None, 0.45, "at sea")
        in_frame = []
    # a place the wording puts something in ("in Bacoor City", "to a warehouse in Herat")
    # before one merely named ("PDEA's NCR office"), each in the frame's order
    # (a roll-up's places are the sum's, no case's: "operations across Lagos, Kano and Edo")
    spans = [(prev, [p for p in idx.in_span(prev.start, prev.end) if usable(p)])
             for prev in in_frame if frames is None or prev.index not in frames.rollups]
    for strong_only in (True, False):
        for prev, cand in spans:
            pick = next((p for p in cand if p.role == "strong" or not strong_only), None)
            if pick is not None:
                dist = s.index - prev.index
                return idx.place_group(pick, "earlier sentence", max(0.5, 0.8 - 0.05 * dist))
    if not unknown and hasattr(idx, "unknown_in") \
            and any(idx.unknown_in(x.start, x.end) for x in in_frame):
        # the frame named its place, one the gazetteer does not know ("Two days later, a
        # driver ... through the DeConcini crossing was sent to secondary inspection.
        # Officers removed fentanyl pills weighing 98 pounds"): as in its own clause
        unknown = True
    # 5. the next sentences of its frame ("... the site lay in Quiriego, in Sonora")
    for nxt in ([] if unknown else sents[s.index + 1: s.index + 3]):
        if frames is not None and not frames.same(nxt, s):
            break
        cand = [p for p in idx.in_span(nxt.start, nxt.end) if usable(p)]
        strong = [p for p in cand if p.role == "strong"]
        if strong:
            return idx.place_group(strong[0], "next sentence", 0.5)
        if actor:
            # smugglers caught crossing "towards the village of Kelif" by that country's guards
            toward = [p for p in idx.in_span(nxt.start, nxt.end, usable_only=False)
                      if p.role == "excluded" and p.toward and usable(p)]
            if toward:
                return idx.place_group_members(toward, "next sentence, destination", 0.45)
    if at_sea is not None:
        return at_sea
    # 6. the one region the whole story is about ("police in the province", a checkpoint
    # the gazetteer does not know), unless the frame spans the country
    region = getattr(idx, "story_region", None)
    about = unknown or getattr(idx, "story_region_mentions", 0) >= 2
    if region is not None and about and (actor is None or actor == region[0]):
        span = ([x.text for x in frames.before(s)] + [s.text] if frames is not None
                else [x.text for x in sents[: s.index + 1] if x.para not in head])
        if not any(_LUMP.search(x) or _NATIONAL.search(x) for x in span) \
                and not _region_of_other_frames(region, s, sents, head, idx, frames):
            country, code, name, lat, lon = region
            return Placed(name, country, code, name, lat, lon, 0.5, "story region",
                          precision="admin1")
    # 7. a name the gazetteer does not know, in a local paper's story ("ARICA (La Estrella
    # de Arica) - ... at the Visviri border crossing"): the paper's region, its beat
    local = idx.local_paper_admin1() if unknown and hasattr(idx, "local_paper_admin1") else None
    if local is not None and (actor is None or actor == idx.main_country):
        name = getattr(idx, "dateline_admin1_name", None)
        return Placed(name, idx.main_country, local, name, None, None, 0.45,
                      "unknown place/region of the dateline", precision="admin1")
    # 8. the country only
    cs = [p.country for p in idx.in_span(s.start, s.end) if p.country]
    return Placed(None, cs[0] if cs else idx.main_country, None, None, None, None, 0.3, "country only")


def _region_of_other_frames(region: tuple, s: Sentence, sents: list[Sentence], head: set[int],
                            idx: Any, frames: "_Frames | None") -> bool:
    """Whether the story's region is named in the body only as the place of other incidents
    ("In a second case, customs officers at the port of Burgas discovered 40 kg"): a frame
    with no place of its own ("at the Kapitan Andreevo border checkpoint") takes no other
    incident's region. A region named in the lead, in the figure's own frame, in a
    sentence with no figure or by the dateline is the story's ("police in the province"
    then stand in it)."""
    if frames is None:
        return False
    code = region[1]
    if getattr(idx, "dateline_admin1", None) is not None and idx.dateline_admin1() == code:
        return False  # the story was filed there ("COCHABAMBA (El Deber) - ..."): a local story
    body = [x for x in sents if x.para not in head]
    lead_para = body[0].para if body else None
    elsewhere = False
    for x in body:
        if not any(p.admin1 == code for p in idx.in_span(x.start, x.end)):
            continue
        if frames.same(x, s) or x.para == lead_para or x.index not in frames.figures:
            return False
        elsewhere = True
    return elsewhere


# the opening of a digest's list item: a bullet, a number, or a place name and a colon
_ITEM_OPEN = re.compile(rf"\s*(?:{ITEM_BULLET}\s+|[A-Z][\w'’.-]*(?:[ /-][A-Z][\w'’.-]*){{0,3}}"
                        r"\s*(?:\([^)\n]{1,40}\))?:\s)")


@dataclass
class _Frames:
    """The incident frames of a report's body (see :func:`_frames`)."""

    of: dict[int, int] = field(default_factory=dict)      # sentence index -> frame
    sentences: dict[int, list[Sentence]] = field(default_factory=dict)  # frame -> its sentences
    scene_set: set[int] = field(default_factory=set)  # frames whose opening names the scene
    figures: set[int] = field(default_factory=set)  # the sentences that hold a figure
    rollups: set[int] = field(default_factory=set)  # figure sentences over several regions

    def before(self, s: Sentence) -> list[Sentence]:
        """The sentences of ``s``'s frame before it, in the order their places are tried:
        the opening sentence first where it set the scene ("The first case was in Mae
        Phrik district of Lampang ..."), then the nearest first."""
        frame = self.of.get(s.index)
        earlier = [x for x in self.sentences.get(frame, ()) if x.index < s.index]
        if earlier and frame in self.scene_set:
            return [earlier[0]] + earlier[:0:-1]
        return earlier[::-1]

    def same(self, a: Sentence, b: Sentence) -> bool:
        return self.of.get(a.index) == self.of.get(b.index)


def _frames(sents: list[Sentence], head: set[int], idx: Any, figure_sents: set[int],
            facts: dict[int, list] | None = None) -> _Frames:
    """Incident frames of the body: a frame opens at the first body sentence, at a sentence
    that opens with a date or another case ("On 7 July, ...", "In another case, ..."), and
    at a sentence that reports a figure with a place of its own; the last two set the scene
    of their frame (the first body sentence may be only a summary). ``facts`` keeps each
    sentence's (opens with a cue, names a usable place) for a second call."""
    frames = _Frames(figures=set(figure_sents))
    fid = -1
    facts = {} if facts is None else facts
    prev_para = None
    for x in sents:
        if x.para in head:
            continue
        # a list item of a digest ("- At Geneva Airport, ...", "Nickelsdorf: On the A4 ...")
        # is an incident of its own, its opening the scene
        item = x.para != prev_para and x.start > 0 and bool(_ITEM_OPEN.match(x.text))
        prev_para = x.para
        known = facts.get(x.index)
        if known is None:
            known = facts[x.index] = [bool(_INCIDENT_OPENER.match(x.text.lstrip(" \"'“‘("))), None]
        cue = known[0]
        placed = rollup = False
        if x.index in figure_sents:
            if known[1] is None:  # usable mentions only
                ms = [p for p in idx.in_span(x.start, x.end) if p.level != "country"]
                # a figure over several regions ("operations across Lagos, Kano and Edo
                # states") sums the cases told next: it sets no scene for them. The places
                # the wording puts it in count, with the rest of their list, not a name
                # merely mentioned ("the state news agency Bakhtar")
                put = {p.group for p in ms if p.role == "strong"}
                regions = {p.admin1 for p in ms if p.group in put and p.admin1}
                known[1] = (bool(ms), len(regions) > 1)
            placed, rollup = known[1]
            if rollup:
                frames.rollups.add(x.index)
        if fid < 0 or cue or placed or item:
            fid += 1
            if cue or item or (placed and not rollup):
                frames.scene_set.add(fid)
        frames.of[x.index] = fid
        frames.sentences.setdefault(fid, []).append(x)
    return frames


# --------------------------------------------------------------------------- structure
_GROUNDED = {"own phrase", "earlier in clause", "later in sentence", "several regions"}


def _same_region(a: _Target, b: _Target) -> bool:
    pa, pb = a.place, b.place
    return pa.admin1 is None or pb.admin1 is None or pa.admin1 == pb.admin1


def _round_unit(value: float) -> float:
    """The step a round figure was rounded to: 34,000,000 -> 1,000,000; 2,500 -> 100."""
    digits = f"{abs(value):.0f}".rstrip("0")
    return 10.0 ** (len(f"{abs(value):.0f}") - len(digits)) if value >= 1 else 0.0


def _restated_exactly(a: _Target, b: _Target, ma: float, mb: float) -> _Target | None:
    """The exact one of two figures that are one seizure written rounded (and hedged:
    "over", "more than") and then exactly, the drug named at least in the rounded one;
    None when they are not."""
    for rounded, exact in ((a, b), (b, a)):
        # (hedged first: most pairs of a report are not, and the step costs two formats)
        if not (rounded.q is not None and rounded.q.approximate):
            continue
        step = _round_unit(sizes_of(rounded))
        if step < 10:
            continue
        if _round_unit(sizes_of(exact)) >= step:
            continue  # both round: two seizures of the same size, or a repeat (step 1)
        # a figure rounded to its last non-zero digit is within half a step of the exact
        # one, and never far from it; the hedge says on which side ("more than 20 million"
        # is not the 19.5 million of another day)
        diff = sizes_of(exact) - sizes_of(rounded)
        if abs(diff) > min(step / 2, 0.1 * sizes_of(rounded)):
            continue
        side = hedge_reading(rounded.q.hedge)
        if (side == "more" and diff < 0) or (side == "less" and diff > 0):
            continue
        if rounded.substance == exact.substance or exact.generic:
            return exact
    return None


def sizes_of(t: _Target) -> float:
    return float(t.count if t.count is not None else t.kg if t.kg is not None else t.value or 0)


def _resolve_structure(ts: list[_Target]) -> list[_Target]:
    """Duplicates, totals broken down into parts, restatements, attempted vs seized."""
    alive = [t for t in ts if t.skip is None]
    drop: set[int] = set()

    def measure(t: _Target) -> float | None:
        if t.labs:
            return float(t.labs)
        if t.kg is not None:
            return t.kg
        if t.count is not None:
            return float(t.count)
        return t.value

    def kind(t: _Target) -> str:
        if t.labs:
            return "labs"
        if t.kg is not None:
            return "mass"
        if t.count is not None:
            return "count"
        return "volume:" + (t.unit or "")

    # each figure's kind and measure, once: the steps below compare every pair of figures
    # (nothing here changes what they depend on)
    kinds = {id(t): kind(t) for t in alive}
    sizes = {id(t): measure(t) for t in alive}

    # copy measures chemicals in litres and kilograms alike: a total sums both ("more than
    # 2,700 litres of chemical precursors" over litres of acetone and kilograms of sodium
    # hydroxide) and a figure is told again in the other ("5 tonnes of acetic anhydride" ...
    # "its total weight given as 5000 liters"); for comparing figures, a precursor's litres
    # and kilograms are one kind (a litre ~ a kilogram)
    sum_kinds, sum_sizes = dict(kinds), dict(sizes)
    for t in alive:
        if t.substance == "precursor" and not t.labs and t.count is None:
            amount = t.kg if t.kg is not None else litres(t.value, t.unit) if t.value else None
            if amount is not None:
                sum_kinds[id(t)], sum_sizes[id(t)] = "chemicals", amount

    # 1. the same figure twice ("32 kilograms of methamphetamine" in lead and body)
    for i, a in enumerate(alive):
        if id(a) in drop:
            continue
        for b in alive[i + 1:]:
            if id(b) in drop or a.sent.index == b.sent.index:
                continue
            ma, mb = sum_sizes[id(a)], sum_sizes[id(b)]
            if sum_kinds[id(a)] != sum_kinds[id(b)]:
                # "5 million Captagon pills" and later "5 million ... pills, with a weight of
                # 500kg": a count told again with its weight is the same count
                if a.count is None or b.count is None:
                    continue
                ma, mb = float(a.count), float(b.count)
            if not (ma and mb):
                continue
            if "one more" in a.flags or "one more" in b.flags:
                continue
            if a.detail and b.detail and a.detail != b.detail:
                continue  # 500 l of acetone and 500 kg of caustic soda: two chemicals
            if a.substance != b.substance or abs(ma - mb) > 0.01 * max(ma, mb):
                # a rounded figure restated exactly, the drug named in one of them only:
                # "over 34 million Captagon pills" ... "34 million 270 thousand narcotic pills"
                exact = _restated_exactly(a, b, ma, mb)
                if exact is not None:
                    other = b if exact is a else a
                    if exact.generic and not other.generic:
                        exact.substance, exact.detail, exact.generic = \
                            other.substance, other.detail, False
                    drop.add(id(other))
                    other.skip = "same seizure mentioned again (rounded)"
                    if other is a:
                        break
                continue
            grounded_a = a.place.how.split("/")[0] in _GROUNDED
            grounded_b = b.place.how.split("/")[0] in _GROUNDED
            if _same_region(a, b) or (kind(a) != "labs" and not (grounded_a and grounded_b)):
                # keep the better placed one: a region over none in the same country
                # ("2,3 tonnes ... in the Pacific" and "2.296 kilograms" off Puntarenas),
                # then a place of its own sentence over a carried one
                a1a, a1b = bool(a.place.admin1), bool(b.place.admin1)
                if a1a != a1b and (a.place.country == b.place.country
                                   or not (a.place.country and b.place.country)):
                    keep, lose = (a, b) if a1a else (b, a)
                elif grounded_a != grounded_b:
                    keep, lose = (a, b) if grounded_a else (b, a)
                else:
                    keep, lose = (a, b) if (a.place.admin1 or not b.place.admin1) else (b, a)
                drop.add(id(lose))
                lose.skip = "same seizure mentioned again"
                if keep.kg is None and lose.kg is not None and keep.count is not None:
                    keep.kg = lose.kg  # the count keeps the weight told with it again
                if lose is a:
                    break
    alive = [t for t in alive if id(t) not in drop]

    # 2. totals: a figure that the following (or, with "in all", the preceding) figures
    #    add up to is recorded only as its parts; also a rounded restatement ("more than
    #    40 tons" then "41,310 kilograms")
    def crossing(t: _Target) -> bool:
        # a figure that may sum several substances: "drugs", "3,053 pounds in all"
        return t.generic or t.mixed or t.sums_before or t.sums_earlier \
            or (t.total_hint and t.substance == "unspecified")

    def bounds(t: _Target) -> tuple[float, float]:
        h = (t.q.hedge or "").lower() if t.q else ""
        if t.sums_earlier and not (t.generic or t.sums_before):
            # a sum of whole sentences before it: it must add up, not nearly
            return (0.98, 1.3) if _HEDGE_ABOVE.match(h) else (0.97, 1.03)
        if crossing(t):
            return (0.5, 1.35) if not h else (0.6, 1.35)
        if _HEDGE_ABOVE.match(h):
            return 0.98, 1.3
        if _HEDGE_ABOUT.match(h):
            return 0.8, 1.1
        return 0.97, 1.03

    order = sorted(alive, key=lambda t: (sum_sizes[id(t)] or 0))
    for a in order:
        ma = sum_sizes[id(a)]
        if not ma or id(a) in drop:
            continue
        lo, hi = bounds(a)
        if not a.sums_before and any(o.sent.index == a.sent.index and o.start < a.start
                                     and bool(o.labs) == bool(a.labs)
                                     and not _other_clause("", o, a)
                                     for o in alive):
            # an item of a list ("6 g of heroin, 26 g of synthetic drugs, ..."); a lab
            # before it is no item ("dismantled a laboratory and secured more than ..."),
            # nor is a drug figure before a lab count ("seized more than three tonnes of
            # narcotics and destroyed 14 laboratories", a total of the labs told after)
            continue
        ka, cross = sum_kinds[id(a)], crossing(a)
        # a figure of one named chemical or form ("800 litres of acetone") is no total of
        # figures of others
        parts_pool = [b for b in alive if b is not a and id(b) not in drop and sum_kinds[id(b)] == ka
                      and (cross or not (a.detail and b.detail and b.detail != a.detail))
                      and (sum_sizes[id(b)] or 0) <= ma * 1.3 and _same_region_part(a, b)
                      and (cross or b.substance == a.substance)]
        after = [b for b in parts_pool if b.start > a.start]
        if (a.sums_before or a.sums_earlier) and not a.generic:
            after = []  # "81 kg 348 g in all" sums what came before it
        before = [b for b in parts_pool if b.start < a.start and (
            b.sent.index == a.sent.index
            or (a.sums_earlier and a.sent.index - b.sent.index <= _SUM_SENTENCES_BACK))]
        hit = False
        h = (a.q.hedge if a.q else None) or ""
        for seq in (after, list(reversed(before))):
            run = 0.0
            for n, b in enumerate(seq, 1):
                run += sum_sizes[id(b)] or 0
                if lo <= run / ma <= hi:
                    # one "part" is a restatement: only across sentences, and only for a
                    # rounded or generic figure ("more than 40 tons" -> "41,310 kilograms")
                    if n >= 2 or (ka != "labs" and _other_clause(text_of(a), a, b)
                                  and (h or a.generic or a.total_hint)):
                        hit = True
                        break
                if run / ma > hi:
                    break
            if hit:
                break
        # a generic figure right before a breakdown in the next sentence ("Broken down, ...")
        if not hit and crossing(a) and after:
            nxt = [b for b in after if b.sent.index <= a.sent.index + 1 and not b.generic]
            tot = sum(sum_sizes[id(b)] or 0 for b in nxt)
            if nxt and 0.2 <= tot / ma <= hi:
                hit = True
        if hit:
            drop.add(id(a))
            a.skip = "total broken down into parts (or restated)"
    alive = [t for t in alive if id(t) not in drop]

    # 2b. a roll-up: a sentence placed in no region that lists the story's drugs ("The haul
    #     was made up of 247.3 kg of hashish, 5.049 kg of heroin, 10 kg of ice and 83 grams
    #     of weed") before the regional cases that make it up: each item that the later
    #     regional figures of its drug make up is recorded as those parts; an item no part
    #     covers stays (the weed)
    by_sent: dict[int, list[_Target]] = {}
    for t in alive:
        if t.labs is None and t.substance and t.place is not None:
            by_sent.setdefault(t.sent.index, []).append(t)
    for idx_s, items in by_sent.items():
        if not items or any(t.place.admin1 for t in items):
            continue
        covered = []
        for t in items:
            parts = [b for b in alive if b.sent.index > idx_s and b.substance == t.substance
                     and b.labs is None and b.place is not None and b.place.admin1
                     and kinds[id(b)] == kinds[id(t)]
                     and (not t.place.country or b.place.country == t.place.country)]
            total = sum(sizes[id(b)] or 0 for b in parts)
            mt = sizes[id(t)] or 0
            if parts and mt and 0.4 <= total / mt <= 1.05:
                covered.append(t)
        # an item already found told again in a regional case counts as covered too
        told_again = sum(1 for t in ts if t.sent.index == idx_s
                         and t.skip == "same seizure mentioned again")
        if covered and len(covered) + told_again >= 2:
            for t in covered:
                drop.add(id(t))
                t.skip = "roll-up of the regional figures that follow"
    alive = [t for t in alive if id(t) not in drop]

    # 3. attempted vs seized: "trying to sneak over three kilograms" vs "confiscated 6.386 kg"
    for a in alive:
        # the seized figure is told with the attempt (its sentence or the next or previous
        # one, in its paragraph): an attempt of another incident in the same region is a
        # seizure of its own
        if a.attempt and any(b is not a and not b.attempt and b.substance == a.substance
                             and kinds[id(b)] == kinds[id(a)] and _same_region(a, b)
                             and b.sent.para == a.sent.para
                             and abs(b.sent.index - a.sent.index) <= 1 for b in alive):
            drop.add(id(a))
            a.skip = "attempted amount; the seized one is recorded"
    return [t for t in alive if id(t) not in drop]


def text_of(t: _Target) -> str:
    return t.sent.text


def _other_clause(_text: str, a: _Target, b: _Target) -> bool:
    """Whether two figures stand in different sentences or clauses ("...; the final tally")."""
    if a.sent.index != b.sent.index:
        return True
    lo, hi = sorted((a.end, b.start)) if a.start < b.start else sorted((b.end, a.start))
    between = a.sent.text[lo - a.sent.start: hi - a.sent.start]
    return bool(_rx(r";|\s[-–—]\s").search( between))


def _same_region_part(total: _Target, part: _Target) -> bool:
    if total.place.admin1 is None:
        return True
    return part.place.admin1 in (None, total.place.admin1)


# --------------------------------------------------------------------------- main
class NotEvents(tuple):
    """Figures read but not recorded (dicts: doc, text, start, reason), read-only.

    pandas deep-copies ``DataFrame.attrs`` on every operation; a read-only record list is
    shared instead of copied, so a large run's frame stays fast to filter.
    """

    def __deepcopy__(self, memo: dict) -> "NotEvents":
        return self


class ExtractionContext:
    """What every report of one run shares: the place context and the run's geocoder memo.

    :param places: the run's :class:`~geo.places.context.PlaceContext`; default the
        process's (:func:`~geo.places.context.default_context`) when neither a geocoder nor a
        gazetteer is given, else one made of them.
    """

    def __init__(self, geocoder: Any = None, gazetteer: Any = None, *,
                 places: PlaceContext | None = None):
        if places is None:
            places = (default_context() if geocoder is None and gazetteer is None
                      else PlaceContext(geocoder, gazetteer))
        self.places = places
        #: whether this run uses the process's default places (a spawned worker can make
        #: the same for itself; it cannot copy a context the caller made)
        self.default = is_default(places)
        self.memo: Any = None  # linking.GeocodeMemo: geocoder answers shared over the run
        self._loaded = False

    @property
    def geocoder(self) -> Any:
        return self.places.geocoder

    @property
    def gazetteer(self) -> Any:
        return self.places.gazetteer

    def load(self) -> None:
        """Load the places (gazetteer index, geocoder) once; then, the first time in a
        process, set what the process holds aside from the cyclic garbage collector's
        passes (see :func:`_set_aside_loaded`)."""
        if self._loaded:
            return
        self._loaded = True
        try:
            self.places.load()
        finally:
            if self.places.geocoder is not None:
                self.memo = GeocodeMemo(self.places.geocoder)
        set_aside_loaded()


def extract_report(report: Any, geocoder: Any = None, *, gazetteer: Any = None,
                   not_events: list[dict] | None = None,
                   context: ExtractionContext | None = None) -> list[Event]:
    """Seizure events of one report (see the module docstring for the steps).

    :param report: a :class:`geo.read.reports.Report` (or any object with ``id`` and ``text``,
        and optionally ``title``, ``published``, ``dateline_country``).
    :param geocoder: a geopy-style geocoder whose ``geocode(name, context=text)`` returns a
        Location with ``raw`` keys country/admin1/admin1_name/feature_class/score; default
        :class:`geo.places.geocoder.OfflineGeocoder`.
    :param not_events: if given, a list that receives one dict per figure read but not
        recorded (``doc, text, reason, start``): statistics, totals broken down,
        duplicates, destroyed stock... so that nothing read disappears unexplained.
    :param context: the run's :class:`ExtractionContext` (places and memo shared by its
        reports); without one, one is made of ``geocoder`` and ``gazetteer``.
    :raises ExtractionError: when ``report`` is not a report.
    """
    _check_report(report)
    ctx = context or ExtractionContext(geocoder, gazetteer)
    ctx.load()
    if not report.text.strip():
        return []
    dropped: list[dict] = []
    events, headline_figures = _extract(report, ctx, use_headline=False, dropped=dropped)
    if not events and headline_figures:
        # a headline figure the body never restates ("Police seize 50 kg of heroin" over a
        # body that says "a large quantity") is the report's only figure: take it
        body_dropped, dropped = dropped, []
        events, _ = _extract(report, ctx, use_headline=True, dropped=dropped)
        # the body's figures set aside stay listed with their reasons (nothing read is
        # lost silently), beside the headline's
        seen = {(d["start"], d["text"]) for d in dropped}
        dropped = sorted(dropped + [d for d in body_dropped if (d["start"], d["text"]) not in seen],
                         key=lambda d: d["start"])
        for e in events:
            e.flags.append("from headline")
            e.confidence = round(e.confidence * 0.8, 3)
    if not_events is not None:
        not_events.extend(dropped)
        # an area of a drug crop destroyed is a record of its own, never a seizure: it goes
        # with the figures not recorded, which carry it to geo.eradications
        not_events.extend(eradication_entries(report, ctx))
    return events


def _extract(report: Any, ctx: ExtractionContext, *, use_headline: bool,
             dropped: list[dict]) -> tuple[list[Event], bool]:
    text: str = report.text
    doc = str(report.id)
    dateline_country = getattr(report, "dateline_country", None)
    us = dateline_country == "US"
    if not may_hold_figure(text):
        # one pass of the vocabulary's automaton found no unit word where a figure's could
        # stand and no lab noun: no figure, no lab, as the readers below would find
        return [], False
    qs = find_quantities(text, us=us)
    if not qs and not _has_lab_noun(text):
        # no figure and no lab anywhere (most of a news feed): nothing to record, and
        # the sentence splitter and the geocoder are spared
        return [], False
    sents = split_sentences(text)
    head = set() if use_headline else _headline_paras(report, sents)
    head_spans = [(s.start, s.end) for s in sents if s.para in head]
    head_end = max((e for _, e in head_spans), default=0)
    if use_headline:
        head_end = max((s.end for s in sents if s.para in _headline_paras(report, sents)), default=0)
        body_qs = [q for q in qs if q.start < head_end]  # the headline's figures only
        head_qs = []
        head_end = 0
    else:
        head_qs = [q for q in qs if q.start < head_end]
        body_qs = [q for q in qs if q.start >= head_end]

    labs = _find_labs(text, sents, head)
    if not body_qs and not labs:
        return [], bool(head_qs)  # no figure, no lab: nothing to place, spare the geocoder
    # places are needed up to two sentences past the last figure (the "next sentence" rule)
    last = max([q.start for q in body_qs] + [lab[0] for lab in labs])
    last_sent = next((s.index for s in sents if s.start <= last < s.end + 1), len(sents) - 1)
    place_limit = sents[min(len(sents) - 1, last_sent + 2)].end

    # places: skip the headline and the dateline ("KABUL, Sep 29 (IANS) -")
    skip = list(head_spans) + [(place_limit, len(text) + 1)]
    span = dateline_span(report, text)
    if span is not None:
        skip.append(span)
    sent_of = {}
    si = 0
    for q in body_qs:
        while si < len(sents) - 1 and sents[si].end <= q.start:
            si += 1
        sent_of[id(q)] = sents[si]
    # the acting agencies' countries, from the figures' sentences and the ones before them
    # (the very sentences whose agencies each event reads below: they are cached)
    figure_sents = {sent_of[id(q)].index for q in body_qs}
    acting = _acting_countries(y.text for x in sorted(figure_sents) for y in sents[max(0, x - 1): x + 1])
    idx = PlaceIndex(text, gazetteer=ctx.gazetteer, geocoder=ctx.geocoder, skip=skip,
                     country_prior=dateline_country, memo=ctx.memo, agency_countries=acting,
                     dateline=getattr(report, "dateline_place", None))
    subs = find_substances(text)
    reading, decided = _decide_reading(report, text, body_qs, head_qs, sent_of, subs)
    # a stated total and its listed parts decide their own figures' readings
    by_sum = _stated_sum_readings(text, body_qs, reading, us)

    targets: list[_Target] = []
    for q in body_qs:
        s = sent_of[id(q)]
        if s.para in head:
            continue
        t = _Target(q.start, q.end, s, q=q)
        t.value = _apply_reading(q, reading) if q.kind != "count" else q.value
        if id(q) in by_sum:
            t.value = by_sum[id(q)]
        t.unit = q.unit
        if q.kind == "mass":
            t.kg = to_kg(t.value, q.unit, us=us)
        t.count = q.count
        t.flags = list(q.flags) + (["reading from a stated sum"] if id(q) in by_sum else [])
        if not decided and id(q) not in by_sum and q.kind != "count":
            other = _apply_reading(q, "latin_dot")
            if other != t.value:
                # nothing in the report says how it writes figures: the user sees both
                t.flags.append(f"number format undecided: {t.value:g} {q.unit} as English "
                               f"writes it, {other:g} {q.unit} as continental copy does")
        if q.approximate:
            t.flags.append("approximate")
        t.total_hint = "total" in q.flags or bool(_TOTAL_AFTER.match(text, q.end))
        t.sums_before = bool(_TOTAL_AFTER.match(text, q.end))
        # a total word opening the figure's sentence: it may sum the sentences before
        t.sums_earlier = bool(_TOTAL_OPENING.match(s.text))
        targets.append(t)
        if "each" in text[max(s.start, q.start - 40): q.end + 60].lower() or \
                "apiece" in text[q.end: q.end + 30].lower() or _SIZE_ADJECTIVE.search(q.text):
            targets.extend(_apply_per_unit(t, _per_unit(text, q, s)))
    _weigh_counts(targets, text)
    for start, end, n, s in labs:
        # "another drug lab": one more, never the lab told before ("one more" flag)
        targets.append(_Target(start, end, s, labs=n, flags=(
            ["one more"] if text[start:start + 8].lower().startswith("another") else [])))
    targets.sort(key=lambda t: t.start)

    by_sent: dict[int, list[_Target]] = {}
    for t in targets:
        by_sent.setdefault(t.sent.index, []).append(t)
    # a list of figures that is its clause's subject: the verb group after it governs
    # every item ("40 kg of opium, 12 kg of heroin and 5 kg of hashish were burned"); a
    # list that is an object: what follows its last item modifies every item ("destroyed
    # 2 tonnes of opium, 800 kg of heroin and 1.2 tonnes of hashish seized over the past
    # year at a ceremony"), so that the items of one list are read alike
    governed: dict[int, str] = {}
    for same in by_sent.values():
        figs = [t for t in same if t.labs is None]
        if len(figs) < 2:
            continue
        for found in figure_lists(text, figs[0].sent.start, figs[0].sent.end,
                                  [(t.start, t.end) for t in figs]):
            if found.predicate is not None:
                pred = text[found.predicate[0]:found.predicate[1]]
                for i in found.items:
                    governed[id(figs[i])] = pred
            else:
                last = figs[found.items[-1]]
                tail = _local_context(text, last.sent, last.start, last.end,
                                      last.sent.end).partition(" @@ ")[2]
                for i in found.items[:-1]:
                    governed[id(figs[i])] = tail

    last_substance: tuple[int, str, str | None] | None = None  # (sentence index, substance, detail)
    prev_sent_skip: dict[int, str | None] = {}
    # incidents that destroy stock seized before: their figures are no seizures
    sentence_facts: dict[int, list] = {}
    early_frames = _frames(sents, head, idx, {t.sent.index for t in targets}, sentence_facts)
    destroyed_frames = {f for f, xs in early_frames.sentences.items()
                        if _DESTROYED_STOCK.search(xs[0].text)}
    for t in targets:
        same = by_sent[t.sent.index]
        later = [o.start for o in same if o.start > t.start]
        next_start = min(later) if later else t.sent.end
        earlier = [o.end for o in same if o.end <= t.start]
        prev_end = max(earlier) if earlier else t.sent.start
        local = t.local = _local_context(text, t.sent, t.start, t.end, next_start) + \
            (" " + governed[id(t)] if id(t) in governed else "")
        period = _period_after(text, t.sent, t.end)
        if _STAT.search(local) or _year_total(local) or (_NATIONAL.search(local) and _PERIOD.search(local)) \
                or (_LAST_YEAR_OPENS.match(local) and t.q is not None and "total" in t.q.flags) \
                or (period and _STAT.search(period)) or _stat_opening(t.sent, text, t.start):
            t.skip = "period statistics"
        elif _HYPO.search(local) or (
                # a figure that opens its clause is its subject: the predicate after an
                # aside is its own ("Two milligrams of fentanyl, ..., is enough to kill")
                _opens_clause(text[t.sent.start:t.start])
                and _HYPO.search(text, t.end, t.sent.end)):
            t.skip = "hypothetical or averted amount"
        elif t.labs is None and _unit_price(text, t):
            t.skip = "a unit price"
        elif t.labs is None and (_DESTROY_STRONG.search(local)
                                 or _DESTROY.search(local.partition(" @@ ")[2])):
            t.skip = "destruction of earlier seizures"
        elif t.labs is None and early_frames.of.get(t.sent.index) in destroyed_frames:
            t.skip = "destruction of earlier seizures (the incident destroys seized stock)"
        elif _ERAD.search(_before_next_predicate(local)):
            t.skip = "cultivation or eradication"
        elif _BREAKDOWN_START.match(t.sent.text) and prev_sent_skip.get(t.sent.index - 1):
            t.skip = prev_sent_skip[t.sent.index - 1]
        t.attempt = bool(_ATTEMPT.search(local.split("@@")[0]))
        if t.labs is None:
            _link_substance(t, text, subs, next_start, prev_end)
            if t.substance is None and t.skip is None and t.subst_linked == "anaphor":
                prior = [m for m in subs if m.kind == "drug" and m.end <= t.start and m.start >= head_end]
                if prior:
                    t.substance, t.detail = prior[-1].substance, prior[-1].detail
            if t.substance is None and t.skip is None:
                # the drug the story is about, when this sentence reports a seizure
                word = _dosage_word(t.q) if t.q.kind == "count" else None
                # "The 4,300 kilograms were hidden in bananas": a figure with the definite
                # article is one told before, of the drug told before
                definite = _DEFINITE_BEFORE.search(text, max(t.sent.start, t.start - 8), t.start)
                # "The weight was established at 312 kilos": a weight told of the haul before
                weighed = _WEIGHT_OF.search(t.sent.text)
                if (_SEIZE_VERB.search(t.sent.text) or definite or weighed) and last_substance and \
                        t.sent.index - last_substance[0] <= (5 if weighed else 2):
                    t.substance, t.detail = last_substance[1], last_substance[2]
                    t.subst_linked = "carried"
                elif word and _SEIZE_VERB.search(t.sent.text):
                    # "31 000 zyxor tablets": dosage units of a drug the vocabulary does not
                    # know are a seizure of it all the same, its word kept
                    t.substance, t.detail, t.subst_linked = "unspecified", word, "unknown word"
                    t.flags.append("unknown drug word")
                else:
                    t.skip = t.skip or "no substance"
            if t.substance and t.q.kind == "count":
                if t.q.unit == "capsules" and GROUPS.get(t.substance) in _CAPSULE_GROUPS:
                    t.skip = t.skip or "swallowed capsules are packages, not dosage units"
            if t.substance and not t.generic and not t.mixed and t.substance != "unspecified":
                last_substance = (t.sent.index, t.substance, t.detail)
        if t.skip:
            prev_sent_skip[t.sent.index] = t.skip
        # a substance named in this sentence without a figure also feeds the carry-over
    # carry-over also from figure-less mentions: recompute per target lazily above would be
    # order-dependent; a second pass fills targets still lacking a substance
    for t in targets:
        if t.labs is None and t.skip == "no substance" and _SEIZE_VERB.search(t.sent.text):
            prior = [s for s in subs if s.kind == "drug" and s.end <= t.start and
                     s.start >= _window_start(sents, t.sent, head)]
            if prior:
                sm = prior[-1]
                t.substance, t.detail, t.skip, t.subst_linked = sm.substance, sm.detail, None, "carried"
                if t.q.kind == "count" and t.q.unit == "capsules" and \
                        GROUPS.get(t.substance) in _CAPSULE_GROUPS:
                    t.skip = "swallowed capsules are packages, not dosage units"

    live = [t for t in targets if t.skip is None]
    frames = _frames(sents, head, idx, {t.sent.index for t in live}, sentence_facts)
    for t in live:
        t.place = _place_target(t, idx, text, sents, head, by_sent[t.sent.index], frames)
        if t.place.admin1 is None and not t.place.lumped and t.place.how != "at sea" \
                and _here(t.sent.text) and getattr(report, "dateline_place", None):
            t.place = _dateline_place(report, text, ctx, t.place)
    _local_paper_region(report, text, ctx, idx, live)
    kept = _resolve_structure(live)
    kept_ids = {id(t) for t in kept}
    for t in targets:
        if id(t) not in kept_ids:
            dropped.append({"doc": doc, "text": text[t.start:t.end], "start": t.start,
                            "reason": t.skip or "not a seizure"})

    events: list[Event] = []
    arrests_said: set[int] = set()
    # every figure's start by sentence (the route reader asks which sentences hold one)
    sent_starts = [x.start for x in sents]
    fig_at: dict[int, list[int]] = {}
    route_cache: dict[int, list] = {}  # the route ends of each sentence read, by its start
    for q in qs:
        i = bisect.bisect_right(sent_starts, q.start) - 1
        if i >= 0:
            fig_at.setdefault(i, []).append(q.start)
    published = getattr(report, "published", None)
    date_cache: dict[int, str | None] = {}
    for t in kept:
        p = t.place
        ev = Event(doc=doc, place=p.place, country=p.country, admin1=p.admin1,
                   admin1_name=p.admin1_name, lat=p.lat, lon=p.lon,
                   place_precision=p.precision or (
                       "admin1" if p.admin1 else "country" if p.country else None))
        if t.labs:
            ev.labs_destroyed = t.labs
        else:
            ev.substance = t.substance
            ev.drug_group = GROUPS.get(t.substance)
            ev.quantity = round(t.value, 6) if t.value is not None else None
            ev.unit = t.unit
            ev.quantity_kg = round(t.kg, 6) if t.kg is not None else None
            ev.count = t.count
            ev.detail = t.detail
            ev.approximate = bool(t.q.approximate)
        ev.flags = list(dict.fromkeys(t.flags + ([f"substance:{t.subst_linked}"] if t.subst_linked else [])
                                      + ([f"place:{p.how}"] if p else [])))
        flag_event(ev)
        if t.sent.index not in date_cache:  # the date depends on the sentence only
            date_cache[t.sent.index] = _date_for(t, text, sents, published)
        ev.date = date_cache[t.sent.index]
        texts = own_and_previous(sents, t.sent)
        ev.agencies = agencies_in(texts)
        ev.title = getattr(report, "title", None)  # the headline, for maps and readers
        ev.operation = operation_name(texts, ev.agencies)
        read_route(text, t.start, t.sent, sents, idx, fig_at, route_cache).fill(ev)
        # an arrest count is said once, of the incident: it goes to the first event of the
        # sentence that says it, so a region's arrests are not counted once per drug
        for s_idx, s_text in ((t.sent.index, t.sent.text),
                              (t.sent.index - 1, texts[0] if len(texts) > 1 else "")):
            if s_text and s_idx not in arrests_said:
                n = arrests_in([s_text])
                if n:
                    arrests_said.add(s_idx)
                    ev.arrests = n
                    break
        conf = p.confidence if p else 0.3
        if t.subst_linked in ("carried", "backward"):
            conf *= 0.9
        ev.confidence = round(conf, 3)
        ev.evidence = {"sentence": t.sent.text, "start": t.sent.start, "end": t.sent.end}
        events.append(ev)
    return events, bool(head_qs)


_MAX_KG_PER_UNIT = 0.05  # 50 g: far above any pill, tablet or blotter


def _weigh_counts(targets: list[_Target], text: str) -> None:
    """"9900x Xanax Tablets (weighing 2.430 Kg)", "2,000 ecstasy pills weighing 600 grams":
    the mass is what the counted units weigh, one seizure: the count's event gets the mass
    too and the mass is no event of its own."""
    for a, b in zip(targets, targets[1:]):
        if a.count is None or a.kg is not None or b.kg is None or b.count is not None \
                or a.sent is not b.sent or b.start - a.end > 60 \
                or a.q is None or a.q.unit not in _DOSAGE_UNITS:
            continue  # (86 swallowed capsules weighing one kg: the kilogram is the seizure)
        if _UNITS_WEIGHING.fullmatch(text, a.end, b.start):
            kg = b.kg
            if kg / a.count > _MAX_KG_PER_UNIT and b.q is not None and b.q.alt_value is not None:
                # "9900 tablets (weighing 2.430 Kg)": 245 g a tablet is no tablet; the other
                # reading of the digits is the weight
                other = b.q.alt_value if b.value == b.q.value else b.q.value
                other_kg = to_kg(other, b.q.unit)
                if other_kg is not None and other_kg / a.count <= _MAX_KG_PER_UNIT:
                    kg = other_kg
            a.kg = kg
            b.skip = "weight of the units counted before"


def _window_start(sents: list[Sentence], s: Sentence, head: set[int]) -> int:
    first = max(0, s.index - 2)
    while first < s.index and sents[first].para in head:
        first += 1
    return sents[first].start


def _as_reports(reports: Any, places: PlaceContext) -> list[Any]:
    if isinstance(reports, (str, os.PathLike)):
        from ..read.reports import read_reports

        return list(read_reports(reports, places=places))
    if hasattr(reports, "text") and hasattr(reports, "id"):
        return [reports]
    if isinstance(reports, bytes) or not isinstance(reports, Iterable):
        raise ExtractionError(f"extract expects a Report, Reports or a path, got {type(reports).__name__}")
    items = list(reports)
    if items and all(isinstance(r, (str, os.PathLike)) for r in items):
        from ..read.reports import read_reports

        return list(read_reports(items, places=places))
    for n, r in enumerate(items):
        if not (hasattr(r, "text") and hasattr(r, "id")):
            raise ExtractionError(f"item {n} is not a report ({type(r).__name__})")
    return items


def _extract_into(report: Any, ctx: ExtractionContext, not_events: list[dict]) -> list[Event]:
    # the per-report function the parallel workers are handed (a module-level function,
    # so a spawned worker can unpickle it by name); a report read without places has its
    # dateline placed here, in the worker, where the extraction reuses the geocoder's
    # reading of the text
    if isinstance(report, Unplaced):
        report = report.placed(ctx.places)
    return extract_report(report, not_events=not_events, context=ctx)


def extract(reports: Any, *, geocoder: Any = None, progress: bool = False,
            jobs: int | None = 1, places: PlaceContext | None = None,
            scheduler: Any = None) -> gpd.GeoDataFrame:
    """Seizure events of reports as a GeoDataFrame (EPSG:4326), one row per event.

    :param reports: a :class:`~geo.read.reports.Report`, an iterable of them, or a path (file or
        folder, read with :func:`geo.read.reports.read_reports`).
    :param geocoder: any geopy-style geocoder (default: the offline one).
    :param places: the run's :class:`~geo.places.context.PlaceContext` (as the pipeline
        makes it); instead of ``geocoder``.
    :param progress: show a tqdm progress bar.
    :param jobs: worker processes (``None`` or 0: every core this process may use; never
        more than that). The events are the same and in the same order as with one
        process; more than one needs the offline geocoder (see :mod:`geo.extraction.parallel`).
    :param scheduler: extract on a dask cluster instead (needs ``seizure-atlas[dask]``):
        ``"local"`` (a ``LocalCluster`` of one single-threaded process per core), a
        scheduler address (``"tcp://host:8786"``) or a ``distributed.Client``; the
        reports go to the workers in chunks, each worker loads its own places once, and
        the events are the same and in the same order. ``jobs`` is then ignored; the
        default places only (see :mod:`geo.extraction.cluster`).
    Columns: :data:`geo.events.EVENT_FIELDS` plus admin1_name, admin2_name, lat, lon,
    approximate, flags, detail. Events that cannot be placed keep ``admin1`` empty. ``frame.attrs["not_events"]``
    lists the figures read but not recorded, each with its reason; ``attrs["skipped"]`` the
    inputs the reader skipped.
    :raises ExtractionError: for input that is not reports, a negative ``jobs``, or
        ``jobs`` > 1 with an online geocoder.
    :raises ClusterError: with ``scheduler``: dask not installed, a scheduler that cannot
        be reached, a geocoder other than the default, or a worker that died.
    """
    from .parallel import available_cores, extract_parallel

    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0):
        raise ExtractionError(f"jobs must be a whole number >= 0, got {jobs!r}")
    if places is not None and geocoder is not None:
        raise ExtractionError("give either geocoder= or places=, not both")
    ctx = ExtractionContext(geocoder, places=places)
    items = _as_reports(reports, ctx.places)
    cores = available_cores()
    # more processes than cores only adds start-up and memory
    jobs = min(jobs or cores, cores, max(1, len(items)))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(items), desc="extract", unit="report")
    events: list[Event] = []
    not_events: list[dict] = []
    try:
        if scheduler is not None:
            from .cluster import connect, extract_on_cluster

            with connect(scheduler) as client:
                for chunk_events, chunk_not in extract_on_cluster(
                        items, ctx, client, bar, extract_one=_extract_into,
                        new_context=ExtractionContext):
                    events.extend(chunk_events)
                    not_events.extend(chunk_not)
        elif jobs > 1:
            for chunk_events, chunk_not in extract_parallel(
                    items, ctx, jobs, bar, extract_one=_extract_into, new_context=ExtractionContext):
                events.extend(chunk_events)
                not_events.extend(chunk_not)
        else:
            ctx.load()
            for r in items:
                events.extend(_extract_into(r, ctx, not_events))
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    frame = events_to_frame(events)
    if len(frame):
        from ..places.locate import add_admin2

        frame = add_admin2(frame)  # the second level, from each event's point
    # every figure read but not recorded, with the reason (statistics, totals, duplicates...)
    frame.attrs["not_events"] = NotEvents(not_events)
    skipped = getattr(reports, "skipped", None)
    if skipped:
        frame.attrs["skipped"] = list(skipped)
    return frame
