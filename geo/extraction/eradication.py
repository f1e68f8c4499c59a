"""Eradication of drug crops: "troops eradicated 1,200 hectares of poppy in Helmand".

An area of a drug crop that a report says was destroyed is a record of its own (an
:class:`geo.events.Eradication`), never a seizure. The reader, for one report:

1. finds area figures: a number (digits, "one", "a", "two-hectare") and an area unit of
   ``geo/vocab/eradication.toml`` [units] (hectares, ha, acres, jeribs, square metres);
   pint converts each to hectares;
2. gives each its crop: the crop word after it ("of poppy"), else in its sentence, else
   in the two sentences before, else the one crop the whole report names ("a two-hectare
   area" of a story about wild cannabis);
3. keeps the figure when its sentence says the crop was destroyed (``eradication`` words:
   eradicated, destroyed, cleared, mown, uprooted, burned ...); a crop's area without one
   is cultivation ("poppy cultivation covered 224,000 hectares"), noted, not recorded;
4. flags what must not be summed: a period total ("33 hectares have been cleared so far
   this season", the statistics cues of the seizure reader), a part of the figure before
   it ("a two-hectare area, including roughly a hectare mown in ..."); the same area in
   a second unit in brackets ("960 acres (388 ha)") is no second record;
5. places it as the seizure reader places a figure, in short: a place in its own phrase,
   earlier in its clause, later in its sentence, in an earlier sentence, the one region
   the story is about, else the country; dates it as a seizure of its sentence
   (:func:`geo.extraction.story.sentence_date`); its agencies are its sentence's and the
   one before's.

Headline figures are read only when the body gives none (the headline restates the body).

A figure written ``35.000`` or ``1,500`` (a separator before exactly three digits) is read
in thousands whatever the report's number format: areas are not reported to the square
metre in hectares, so ``1.500 ha`` is 1,500 ha (and ``2,5 ha`` is 2.5).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..caches import memo
from ..errors import VocabularyError
from ..events import Eradication
from ..text.quantities import number_words
from ..text.sentences import Sentence, split_sentences
from ..text.units import UREG
from .. import vocab
from .agencies import agencies_in
from .cues import HARD_SEP, LUMP, STAT, entry_regex
from .operations import operation_name
from .story import dateline_span, headline_paras, own_and_previous, sentence_date

__all__ = ["read_eradications", "area_figures", "crop_words", "ERADICATION_REASON"]

_FILE = "eradication.toml"

#: The reason the not-events list gives an eradication figure (its record is beside it).
ERADICATION_REASON = "eradication (a record of its own)"


@dataclass(frozen=True)
class Area:
    """An area figure in a text: where, the number and unit as written, in hectares."""

    start: int
    end: int
    value: float
    unit: str
    hectares: float
    approximate: bool = False


# --------------------------------------------------------------------------- vocabulary
@memo(1)
def _vocab() -> Mapping[str, Any]:
    data = vocab.config(_FILE)
    where = vocab.path_of(_FILE)
    for section in ("units", "pint", "crops", "words"):
        if section not in data:
            raise VocabularyError(f"{where}: no [{section}] section")
    for name, definition in data["pint"].items():
        if name not in UREG:
            UREG.define(definition)
    for surface, row in data["units"].items():
        if not (isinstance(row, tuple) and len(row) == 2):
            raise VocabularyError(f"{where}: [units] {surface!r}: give [our code, pint unit]")
        try:
            UREG.Quantity(1, row[1]).to("hectare")
        except Exception as exc:  # pint's errors differ by version: name the row either way
            raise VocabularyError(f"{where}: [units] {surface!r}: {row[1]!r} is no area "
                                  f"pint knows ({exc})") from None
    for key in ("eradication", "cultivation", "part"):
        if key not in data["words"]:
            raise VocabularyError(f"{where}: [words] has no list {key!r}")
    return data


def _words_re(entries: Any) -> "re.Pattern[str]":
    return re.compile("(?i)" + vocab.alternation([entry_regex(e) for e in entries], escape=False))


@memo(1)
def _patterns() -> dict[str, Any]:
    data = _vocab()
    units = data["units"]
    # "ha" only in lower case: "Ha" is a name
    spelled = vocab.alternation([u for u in units if u != "ha"])
    small = number_words("small", "tens")
    words = vocab.alternation([w for w, n in small.items() if n])
    number = (r"(?P<num>\d{1,3}(?:[,.\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
              r"(?:\s+(?P<scale>thousand|million))?")
    # the unit first (one scan: most texts hold none), then the number right before it;
    # a unit word is a word of its own ("massacre" holds no acre), "ha" only after digits
    # (led by a lookahead on the units' first letters: the scan passes over most positions)
    first = "".join(sorted({u[0].lower() for u in units} | {u[0].upper() for u in units}))
    unit = re.compile(rf"(?=[{re.escape(first)}])(?:(?i:(?<![^\W\d_])(?P<unit>{spelled})(?![\w²]))"
                      r"|(?:(?<=\d)|(?<=\d\s))ha(?!\w))")
    before = re.compile(
        rf"(?i)(?<![\w.,])(?:(?P<hedge>about|around|approximately|some|roughly|nearly|almost|"
        rf"over|more than|at least|up to)\s+)?(?:{number}|(?P<word>{words}|an?))"
        rf"(?:\s*-\s*|\s+|(?<=\d))\Z")
    crops = {crop: _words_re(entries) for crop, entries in data["crops"].items()}
    # the gate before any scan: a beginning every unit word holds, or digits before "ha"
    keys = tuple(sorted({u[:4] for u in units if u != "ha"}))
    return {"unit": unit, "before": before, "crops": crops, "keys": keys,
            "digit_ha": re.compile(r"\d\s?ha\b"),
            "eradication": _words_re(data["words"]["eradication"]),
            "cultivation": _words_re(data["words"]["cultivation"]),
            "part": _words_re(data["words"]["part"])}


def crop_words() -> dict[str, tuple[str, ...]]:
    """Crop -> the words that name it (``geo/vocab/eradication.toml`` [crops])."""
    return {crop: tuple(words) for crop, words in _vocab()["crops"].items()}


def _number(raw: str) -> float:
    """``1,200`` / ``35.000`` -> thousands; ``2,5`` / ``1.25`` -> a decimal; ``1,200.5``
    and ``1.200,5`` -> the last separator is the decimal one."""
    raw = raw.replace("\u00a0", ",").replace("\u202f", ",")
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", raw):
        return float(re.sub(r"[,.]", "", raw))
    seps = [i for i, ch in enumerate(raw) if ch in ",."]
    if not seps:
        return float(raw)
    last = seps[-1]
    whole = re.sub(r"[,.]", "", raw[:last])
    return float(f"{whole}.{raw[last + 1:]}")


def area_figures(text: str, start: int = 0, end: int | None = None) -> list[Area]:
    """The area figures of ``text[start:end]`` in text order, each in hectares."""
    pats = _patterns()
    units = _vocab()["units"]
    small = number_words("small", "tens")
    out: list[Area] = []
    low = text.lower()
    if not (any(k in low for k in pats["keys"]) or pats["digit_ha"].search(text)):
        return out  # no area unit in the text (nearly every report): no scan
    for u in pats["unit"].finditer(text, start, len(text) if end is None else end):
        lo = max(start, u.start() - 60)
        m = pats["before"].search(text[lo:u.start()])
        if m is None:
            continue
        if m.group("num"):
            value = _number(m.group("num"))
            if m.group("scale"):
                value *= 1000 if m.group("scale").lower() == "thousand" else 1_000_000
        else:
            word = m.group("word").lower()
            value = 1.0 if word in ("a", "an") else float(small.get(word) or 0)
        surface = (u.group("unit") or "ha").lower()
        code, pint_name = units[surface]
        hectares = float(UREG.Quantity(value, pint_name).to("hectare").magnitude)
        if value > 0:
            out.append(Area(lo + m.start(), u.end(), value, code, round(hectares, 6),
                            approximate=bool(m.group("hedge"))))
    return out


# --------------------------------------------------------------------------- reading
def _crop_at(text: str, sents: list[Sentence], s: Sentence, area: Area,
             report_crops: set[str]) -> tuple[str | None, str]:
    """The crop of an area figure and how it was found."""
    crops = _patterns()["crops"]
    # "1,200 hectares of poppy", "40 acres of cannabis plantations": the phrase after it
    after = text[area.end: min(s.end, area.end + 60)]
    stop = HARD_SEP.search(after)
    after = after[: stop.start()] if stop else after
    found = [(m.start(), crop) for crop, rx in crops.items() for m in [rx.search(after)] if m]
    if found:
        return min(found)[1], "after"
    # "poppy fields covering 200 ha": the nearest crop word of its sentence
    at = area.start - s.start
    found = [(min(abs(m.start() - at) for m in rx.finditer(s.text)), crop)
             for crop, rx in crops.items() if rx.search(s.text)]
    if found:
        return min(found)[1], "sentence"
    for prev in reversed(sents[max(0, s.index - 2): s.index]):
        found = [(m.start(), crop) for crop, rx in crops.items() for m in rx.finditer(prev.text)]
        if found:
            return max(found)[1], "earlier sentence"
    if len(report_crops) == 1:
        return next(iter(report_crops)), "story"
    return None, ""


def _place(idx: Any, text: str, sents: list[Sentence], head: set[int], s: Sentence,
           area: Area) -> Any:
    """The place of an area figure: the seizure reader's order of looking, in short (see
    the module docstring)."""
    from .linking import Placed

    after = text[area.end: s.end]
    stop = HARD_SEP.search(after)
    clause_end = area.end + stop.start() if stop else s.end
    if LUMP.search(text[area.end:clause_end]):
        cs = [p.country for p in idx.in_span(s.start, s.end) if p.country]
        return Placed(None, cs[0] if cs else idx.main_country, None, None, None, None, 0.6,
                      "several regions", lumped=True)

    def usable(found: list) -> list:
        found = [p for p in found if p.level != "country"]
        # a region of several countries is background when a closer place is named
        return [p for p in found if p.level != "region"] or found

    own = usable(idx.in_span(area.end, clause_end))
    if own:
        return idx.place_group(own[0], "own phrase", 0.95)
    clause_start = s.start
    for m in HARD_SEP.finditer(text, s.start, area.start):
        clause_start = m.end()
    back = usable(idx.in_span(clause_start, area.start))
    if back:
        return idx.place_group(back[-1], "earlier in clause", 0.9)
    later = usable(idx.in_span(area.end, s.end))
    if later:
        return idx.place_group(later[0], "later in sentence", 0.85)
    back = usable(idx.in_span(s.start, area.start))
    if back:
        return idx.place_group(back[-1], "earlier in sentence", 0.8)
    body = [x for x in sents[: s.index] if x.para not in head][::-1]
    for strong_only in (True, False):
        for prev in body:
            cand = [p for p in usable(idx.in_span(prev.start, prev.end))
                    if p.role == "strong" or not strong_only]
            if cand:
                return idx.place_group(cand[0], "earlier sentence",
                                       max(0.5, 0.8 - 0.05 * (s.index - prev.index)))
    region = getattr(idx, "story_region", None)
    if region is not None:
        country, code, name, lat, lon = region
        return Placed(name, country, code, name, lat, lon, 0.5, "story region", precision="admin1")
    cs = [p.country for p in idx.in_span(s.start, s.end) if p.country]
    return Placed(None, cs[0] if cs else idx.main_country, None, None, None, None, 0.3,
                  "country only", precision="country" if (cs or idx.main_country) else None)


def read_eradications(report: Any, context: Any) -> tuple[list[Eradication], list[dict]]:
    """The eradication records of one report, and the area figures read but not recorded
    (``doc, text, start, reason`` dicts: cultivation, the same area in another unit).

    :param report: a report (``id``, ``text``; ``title``, ``published``,
        ``dateline_country``, ``dateline_span`` when it has them).
    :param context: the run's :class:`geo.extraction.core.ExtractionContext` (loaded).
    """
    text: str = report.text
    areas = area_figures(text) if text else []
    if not areas:
        return [], []
    pats = _patterns()
    report_crops = {crop for crop, rx in pats["crops"].items() if rx.search(text)}
    if not report_crops:
        return [], []  # areas of land, fires, farms: no drug crop in the whole report
    sents = split_sentences(text)
    head = headline_paras(report, sents)
    starts = [s.start for s in sents]
    doc = str(report.id)
    found: list[tuple[Area, Sentence, str, str]] = []  # area, sentence, crop, how found
    noted: list[dict] = []
    previous: Area | None = None
    for area in areas:
        s = sents[max(0, bisect.bisect_right(starts, area.start) - 1)]
        twin = previous is not None and re.fullmatch(r"\s*[(\[]\s*", text[previous.end:area.start])
        previous = area
        if twin:
            noted.append({"doc": doc, "text": text[area.start:area.end], "start": area.start,
                          "reason": "the same area in another unit"})
            continue
        crop, how = _crop_at(text, sents, s, area, report_crops)
        if crop is None:
            continue  # an area of no drug crop (a farm, a fire): nothing of ours
        if not pats["eradication"].search(s.text):
            why = ("cultivation, not eradication" if pats["cultivation"].search(s.text)
                   else "a crop's area, not said to be destroyed")
            noted.append({"doc": doc, "text": text[area.start:area.end], "start": area.start,
                          "reason": why})
            continue
        found.append((area, s, crop, how))
    in_body = [f for f in found if f[1].para not in head]
    chosen = in_body or found  # a headline figure only when the body gives none
    if in_body:
        noted += [{"doc": doc, "text": text[a.start:a.end], "start": a.start,
                   "reason": "a headline figure (the body tells it)"}
                  for a, t, _, _ in found if t.para in head]
    if not chosen:
        return [], noted
    idx = _place_index(report, text, sents, head, context)
    published = getattr(report, "published", None)
    records: list[Eradication] = []
    for area, s, crop, how in chosen:
        flags = [f"crop:{how}"]
        if not in_body:
            flags.append("from headline")
        if STAT.search(s.text):
            flags.append("period total")
        before = [a for a, t, _, _ in chosen if t is s and a.end <= area.start]
        if before and pats["part"].search(text, before[-1].end, area.start):
            flags.append("part of an earlier figure")
        p = _place(idx, text, sents, head, s, area)
        flags.append(f"place:{p.how}")
        agencies = agencies_in(own_and_previous(sents, s))
        counted = not any(f in ("period total", "part of an earlier figure") for f in flags)
        records.append(Eradication(
            doc=doc, crop=crop, hectares=area.hectares, area=area.value, area_unit=area.unit,
            place=p.place, country=p.country, admin1=p.admin1, admin1_name=p.admin1_name,
            lat=p.lat, lon=p.lon,
            place_precision=p.precision or ("admin1" if p.admin1 else "country" if p.country else None),
            date=sentence_date(s, sents, published), agencies=agencies,
            confidence=round(p.confidence, 3),
            evidence={"sentence": s.text, "start": s.start, "end": s.end,
                      "figure": text[area.start:area.end]},
            approximate=area.approximate, flags=flags, counted=counted,
            operation=operation_name(own_and_previous(sents, s), agencies),
            title=getattr(report, "title", None)))
    return records, noted


def _place_index(report: Any, text: str, sents: list[Sentence], head: set[int],
                 context: Any) -> Any:
    from .agencies import acting_countries
    from .linking import PlaceIndex

    skip = [(s.start, s.end) for s in sents if s.para in head]
    span = dateline_span(report, text)
    if span is not None:
        skip.append(span)
    acting = acting_countries(s.text for s in sents if s.para not in head)
    return PlaceIndex(text, gazetteer=context.gazetteer, geocoder=context.geocoder, skip=skip,
                      country_prior=getattr(report, "dateline_country", None),
                      memo=context.memo, agency_countries=acting)


def eradication_entries(report: Any, context: Any) -> list[dict]:
    """:func:`read_eradications` as not-event entries (``doc, text, start, reason``), the
    form the extractor's not-events list takes: each record's entry carries the record
    (a plain dict) under ``eradication``, so that it travels with the not-events from the
    worker processes to :func:`eradications`; then the figures noted but not recorded."""
    records, noted = read_eradications(report, context)
    out = [{"doc": r.doc, "text": r.evidence.get("figure"), "start": r.evidence.get("start"),
            "reason": ERADICATION_REASON, "eradication": r.to_dict()} for r in records]
    return out + noted
