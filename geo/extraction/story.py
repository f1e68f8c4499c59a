"""The parts of a report every reader of it shares: which blocks are the headline, and the
date a sentence gives its incident.

The seizure reader (:mod:`geo.extraction.core`) and the eradication reader
(:mod:`geo.extraction.eradication`) read a report's structure the same way, so that an
eradication record and a seizure of the same sentence have the same date.
"""
from __future__ import annotations

from typing import Any

from ..text import dates as _dates
from ..text.patterns import Gated
from ..text.patterns import rx as _rx
from ..text.sentences import Sentence

__all__ = ["headline_paras", "sentence_date", "dateline_span", "own_and_previous"]

# speed: searched per figure, on short texts that rarely hold their words
_DATE_MY, _DATE_M, _DATE_MD, _LAST_YEAR = (
    Gated(rx) for rx in (_dates.MONTH_YEAR, _dates.MONTH_AFTER_LEAD, _dates.MONTH_DAY,
                         _dates.LAST_YEAR))
_month = _dates.month_number


def headline_paras(report: Any, sents: list[Sentence]) -> set[int]:
    """Block indexes that are the headline (and a photo caption before the dateline)."""
    if not sents:
        return set()
    title = (getattr(report, "title", None) or "").strip()
    out: set[int] = set()
    paras: dict[int, str] = {}
    for s in sents:
        paras.setdefault(s.para, "")
        paras[s.para] += " " + s.text
    for p in sorted(paras)[:3]:
        txt = paras[p].strip()
        short = len(txt) < 300 and not _rx(r"[.!?][\"'”’]?$").search( txt)
        if title and title in txt and len(txt) < len(title) + 120:
            out.add(p)
        elif p == 0 and short and len(paras) > 1:
            out.add(p)
        elif out and p == max(out) + 1 and len(txt) < 80 and not _rx(r"\d").search( txt):
            out.add(p)  # a caption under the headline ("Russian Drug Den File Photo")
        else:
            break
    return out


def sentence_date(sent: Sentence, sents: list[Sentence], published: str | None) -> str | None:
    """The date (``YYYY-MM`` or ``YYYY``) of the incident ``sent`` tells: a month and year in
    it or in the sentence before it in its paragraph, a month in it (of the year of
    publication, or the year before for a month still to come), "last year", else the
    month of publication."""
    pub_year = int(published[:4]) if published and _rx(r"\d{4}").match( published) else None
    pub_month = int(published[5:7]) if published and _rx(r"\d{4}-\d{2}").match( published) else None
    prev = sents[sent.index - 1] if sent.index > 0 else None
    ctx_sents = [sent] + ([prev] if prev is not None and prev.para == sent.para else [])
    for s in ctx_sents:
        m = _DATE_MY.search(s.text)
        if m:
            return f"{m.group(2)}-{_month(m.group(1)):02d}"
    s = sent
    m = _DATE_M.search(s.text) or _DATE_MD.search(s.text)
    if m and pub_year:
        month = _month(m.group(1))
        year = pub_year - 1 if (pub_month and month > pub_month) else pub_year
        return f"{year}-{month:02d}"
    if _LAST_YEAR.search(s.text) and pub_year:
        return str(pub_year - 1)
    if published:
        return published[:7]
    return None


def dateline_span(report: Any, text: str) -> tuple[int, int] | None:
    """Where the report's dateline is ("KABUL, Sep 29 (IANS) -"), which no place is read
    from: as :mod:`geo.read.reports` found it, else looked for here (a report made by hand),
    else None."""
    span = getattr(report, "dateline_span", None)
    if span is not None:
        return tuple(span)
    try:
        from ..read.reports import parse_dateline

        dl = parse_dateline(text)
    except Exception:  # dateline parsing is a nicety here, never a reason to fail
        return None
    return (dl.start, dl.end) if dl is not None else None


def own_and_previous(sents: list[Sentence], s: Sentence) -> list[str]:
    """The texts of ``s`` and of the sentence before it in its paragraph, that one first:
    where a seizure's or an eradication's agencies and operation are named."""
    prev = sents[s.index - 1] if s.index > 0 else None
    return [prev.text, s.text] if prev is not None and prev.para == s.para else [s.text]
