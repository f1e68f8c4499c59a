"""Reading reports: files and folders of text, Markdown, HTML, JSON Lines, JSON, CSV, PDF
and Word (.docx).

``read_reports(paths)`` turns whatever the user has (a file, a folder read recursively, or
a list of them) into :class:`Report` objects: the text, a title, a url, the publication
date at the precision known, the source agency and the wire dateline (where the story was
filed). Bytes are decoded by :mod:`geo.read.encodings` (UTF-8, UTF-8 with a few stray
bytes repaired, cp1251, latin-1 ...); HTML is reduced to its main text with BeautifulSoup;
PDF and .docx text comes from :mod:`geo.read.documents`.

Nothing is dropped silently: a file or record that cannot be read (empty, binary,
undecodable, an image, an unsupported type, a CSV without the text column, a JSON line
that does not parse) becomes a :class:`Skipped` entry in ``ReportSet.skipped`` naming the
file, the line and the reason, a warning is logged, and reading goes on with the rest.
What was read with a loss or a repair (a stray byte, a cut last character, a PDF page
without a text layer) is listed the same way with ``partial=True``.

``parse_dateline(text)`` reads wire datelines such as ``MOSCOW. Jan 31 (Interfax) –``,
``KABUL, Sept 7 (NNN-BNA) –``, ``Mar 02, Colombo:`` or ``(MENAFN) Jan 6 -``. When the
dateline has no year, the year comes from metadata, the file name, or a weekday named in
the text ("on Wednesday" + Jan 31 -> a year in which Jan 31 was a Wednesday or Thursday,
the one nearest to the years the text itself mentions).

The words all this reads by are tables in ``geo/vocab``: months.csv and weekdays.csv
(through :mod:`geo.text.dates`), postal_codes.csv, news_agencies.csv, datelines.toml,
function_words.csv (the language guess) and html.toml (page chrome).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, Union

from .. import vocab
from ..errors import ReportError, UnreadableInput, VocabularyError
from ..text.dates import (month_alternation, month_number, phrase_alternation,
                          weekday_alternation, weekday_number)
from ..vocab import alternation
from .documents import read_docx, read_pdf
from .encodings import decode
from .folders import walk
from .ids import SeenIds
# the suffix sets are re-exported: callers found them here before filetypes held them
from .filetypes import (DOCUMENT_SUFFIXES, HTML_SUFFIXES, RECORD_SUFFIXES,  # noqa: F401
                        SUPPORTED_SUFFIXES, TEXT_SUFFIXES, not_read_reason)
from .stories import MAX_STORY_CHARS, iter_stories

log = logging.getLogger(__name__)

PathLike = Union[str, Path]


# A plausible first year for a news report whose dateline has no year.
EARLIEST_YEAR = 1990


# --------------------------------------------------------------------------------------
# Data classes
# --------------------------------------------------------------------------------------
@dataclass
class Report:
    """One report: its text and what is known about where and when it was filed.

    ``published`` is an ISO date at the precision known ("2013-01-31", "2012-09",
    "2012") or None. ``dateline_place`` is where the story was filed (a country prior for
    place disambiguation, never the place of a seizure by itself).
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    agency: str | None = None
    dateline_place: str | None = None
    dateline_country: str | None = None
    language: str | None = None
    path: str | None = None
    #: (start, end) of the dateline in ``text``, when one was found (the extractor keeps
    #: it out of the places without parsing it again)
    dateline_span: tuple[int, int] | None = None
    #: the 1-based line of the file's text where this report starts, for a story cut
    #: from a digest or a large file (id ``<stem>#<k>``); None for a whole file or record
    line: int | None = None


@dataclass(frozen=True)
class Unplaced:
    """A report read without places, whose dateline's country is still to be found: the
    process that extracts it finds it (:meth:`placed`), so that a run with worker
    processes does not read every text's places twice, once in the process that reads
    the files (serially, for all of them) and again in the worker."""

    report: Report

    @property
    def id(self) -> str:
        return self.report.id

    @property
    def title(self) -> str | None:
        return self.report.title

    def placed(self, places: Any) -> Report:
        """The report as :func:`make_report` gives it with ``places``."""
        r = self.report
        country = _dateline_country(places, r.dateline_place, r.text, r.agency)
        return r if country is None else replace(r, dateline_country=country)


def _dateline_country(places: Any, place: str | None, text: str,
                      agency: str | None) -> str | None:
    return places.dateline_country(place, text, agency) if places is not None and place else None


@dataclass(frozen=True)
class Skipped:
    """An input that could not be read: ``path``, ``line`` (1-based, or None for the whole
    file) and a ``reason`` a user can act on."""

    path: str
    line: int | None
    reason: str
    #: True when the file was read all the same and only what ``reason`` names was lost
    #: or repaired (a stray byte, a cut last character, a PDF page without text)
    partial: bool = False

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


class ReportSet(list):
    """A list of :class:`Report` with ``.skipped``: the inputs that could not be read."""

    def __init__(self, reports: Iterable[Report] = (), skipped: Iterable[Skipped] = ()):
        super().__init__(reports)
        self.skipped: list[Skipped] = list(skipped)


@dataclass(frozen=True)
class Dateline:
    """A parsed wire dateline.

    ``date`` is ISO at the precision known (None when the year could not be decided;
    ``month``/``day`` keep what the dateline said). ``start``/``end`` are character
    offsets of the dateline in the text it was found in (``end`` is where the story
    begins).
    """

    place: str | None
    agency: str | None
    date: str | None
    month: int | None = None
    day: int | None = None
    year: int | None = None
    start: int = 0
    end: int = 0


# --------------------------------------------------------------------------------------
# Datelines
# --------------------------------------------------------------------------------------
def _listed(name: str, key: str) -> tuple[str, ...]:
    """The named word list ``key`` of the TOML vocabulary ``name``, checked."""
    items = vocab.config(name).get(key)
    if not items or not all(isinstance(w, str) and w.strip() == w and w for w in items):
        raise VocabularyError(f"{vocab.path_of(name)}: {key!r} is not a list of words")
    if len(set(items)) != len(items):
        raise VocabularyError(f"{vocab.path_of(name)}: {key!r} lists a word twice")
    return tuple(items)


def _dateline_words(key: str) -> tuple[str, ...]:
    return _listed("datelines.toml", key)


# every month word of months.csv: the wires write datelines in many languages
_MONTH_RE = f"(?i:{month_alternation()})"
_ORDINAL = phrase_alternation("ordinal_suffixes")
_PARTICLE = phrase_alternation("date_particles")

_UP = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁ"
_LO = "a-zß-öø-ÿā-žа-яё"
# A place written in capitals ("MOSCOW", "MEXICO CITY", "ZARANJ/HERAT CITY", "ST. PETERSBURG").
_PLACE_CAPS = rf"[{_UP}][{_UP}'’.\-]*(?:[ /][{_UP}][{_UP}'’.\-]*){{0,4}}"
# ... or in title case ("Kabul", "Colombo", "San Jose", "Mazar-i-Sharif").
_PLACE_TITLE = (rf"[{_UP}][{_LO}'’\-]+(?:[ \-](?:[{_UP}][{_LO}'’\-]+|"
                rf"{alternation(_dateline_words('place_particles'))})){{0,3}}")
_DATE = (
    rf"(?:(?P<mon>{_MONTH_RE})\.?\s+(?P<day>\d{{1,2}})(?:{_ORDINAL})?"
    rf"|(?P<day2>\d{{1,2}})(?:\s+{_PARTICLE})?\s+(?P<mon2>{_MONTH_RE})\.?)"
    rf"(?:,?(?:\s+{_PARTICLE})?\s+(?P<year>(?:19|20)\d\d))?"
)
_AGENCY = r"(?:\((?P<agency>[^()\n]{2,60})\)|/(?P<agency2>[^/\n]{2,40})/)"
_END = r"\s*(?:–|—|--?|:|\.)(?=\s|$)"
# what follows a dateline city after a comma: a country or state in words ("Afghanistan",
# "Va."), in initials ("D.C.", "N.Y.", "B.C.") or as a two-letter postal code ("ON", "NY")
# (the postal codes of US states, Canadian provinces and Australian states only, from
# postal_codes.csv: "CHINA, US –" and "DRUGS, UK –" are headlines)
_POSTAL_CODES = tuple(dict.fromkeys(vocab.columns(
    vocab.table("postal_codes.csv", required=("code", "region", "country", "name")), "code")))
_REGION = (rf"(?P<region>{_PLACE_TITLE}\.?|(?:[A-Z]\.){{2,3}}|"
           rf"{alternation(_POSTAL_CODES)}(?=\s*[–—:(,]))")

_DATELINE_RES = [
    # MOSCOW. Jan 31 (Interfax) –   KABUL, Sept 7 (NNN-BNA) –   QUITO (EFE) -
    # KABUL, Afghanistan, Jan 5 (AP) -   LIMA, 27 de octubre (Andina).
    re.compile(
        rf"(?P<place>{_PLACE_CAPS}|{_PLACE_TITLE})(?:,\s*{_REGION})?"
        rf"(?:[.,]\s*{_DATE})?\s*{_AGENCY}(?:{_END})?"
    ),
    # MOSCOW, Jan 31 -   Kabul, Jan 31:   (a date but no agency)
    re.compile(
        rf"(?P<place>{_PLACE_CAPS}|{_PLACE_TITLE})(?:,\s*{_REGION})?"
        rf"[.,]\s*{_DATE}{_END}"
    ),
    # (MENAFN) Jan 6 -   (Turkmenistan News Gazette) -
    re.compile(rf"{_AGENCY}\s*(?:{_DATE})?{_END}"),
    # Mar 02, Colombo:   Mar 02, Colombo (Daily Mirror) -
    re.compile(rf"{_DATE},\s*(?P<place>{_PLACE_TITLE}|{_PLACE_CAPS})\s*(?:{_AGENCY})?{_END}"),
    # ISLAMABAD: Police ...   WASHINGTON — The DEA ...   NEWPORT NEWS, Va. – Three ...
    # (a place in capitals only, then a colon or a long dash; a hyphen is too common after
    # capitals to count)
    re.compile(rf"(?P<place>{_PLACE_CAPS})(?:,\s*{_REGION})?(?::|\s+[–—])(?=\s)"),
]

# Words in capitals that start a paragraph but are not places ("UPDATE: ...").
_NOT_PLACES = frozenset(_dateline_words("not_places"))
if any(w != w.upper() for w in _NOT_PLACES):
    raise VocabularyError(f"{vocab.path_of('datelines.toml')}: not_places are compared in "
                          "upper case; write them so")

# How far into a report a dateline may sit (a title and a photo caption may come first).
_DATELINE_SEARCH_CHARS = 2500
_DATELINE_SEARCH_PARAGRAPHS = 8


def _match_dateline(para: str) -> re.Match | None:
    for rx in _DATELINE_RES:
        m = rx.match(para)
        if not m:
            continue
        place = m.groupdict().get("place")
        if place:
            words = {w.strip(".'’-").upper() for w in re.split(r"[ /]", place)}
            if words & _NOT_PLACES or len(place.strip(".")) < 3:
                continue
            if rx is _DATELINE_RES[-1] and len(place) < 4:
                continue  # "DEA — ..." is an agency, not a filing place
        gd = m.groupdict()
        has_date = bool(gd.get("mon") or gd.get("mon2"))
        has_agency = bool(gd.get("agency") or gd.get("agency2"))
        # A title-case word followed by "(" could be any sentence ("Police (ANF) said");
        # demand a date for title-case places unless the place is in capitals.
        if place and not has_date and place != place.upper():
            continue
        if not place and not (has_date or has_agency):
            continue
        return m
    return None


def parse_dateline(
    text: str,
    *,
    year_hint: int | tuple[int, int] | None = None,
    today: dt.date | None = None,
) -> Dateline | None:
    """Find and parse the wire dateline at the start of a paragraph near the top of ``text``.

    Parameters
    ----------
    text:
        The report text (the dateline may follow a title and a caption).
    year_hint:
        The publication year when known from metadata or the file name (an int), or a
        plausible ``(first, last)`` range of years. Without it, the year is decided from
        the weekdays and years the text mentions, or left unknown.
    today:
        The reference date for "not in the future" (defaults to today).

    Returns
    -------
    Dateline or None when no dateline is found. ``date`` is "YYYY-MM-DD" when the year is
    known, None when the dateline has a month and day but the year cannot be decided.
    """
    offset = 0
    for n, para in enumerate(text.split("\n")):
        if offset > _DATELINE_SEARCH_CHARS or n > _DATELINE_SEARCH_PARAGRAPHS * 3:
            break
        stripped = para.lstrip(" \t\ufeff#*>_")
        lead = len(para) - len(stripped)
        m = _match_dateline(stripped) if stripped else None
        if m:
            return _build_dateline(m, text, offset + lead, year_hint, today)
        offset += len(para) + 1
    return None


def _build_dateline(m: re.Match, text: str, base: int, year_hint, today) -> Dateline:
    gd = m.groupdict()
    place = gd.get("place")
    if place:
        place = place.strip(" .")
        if gd.get("region"):  # "KABUL, Afghanistan", "EDMONTON, Ky." say which one
            place = f"{place}, {gd['region'].strip()}"
    agency = (gd.get("agency") or gd.get("agency2") or "").strip() or None
    mon = gd.get("mon") or gd.get("mon2")
    day = gd.get("day") or gd.get("day2")
    month = month_number(mon) if mon else None
    dayn = int(day) if day else None
    year = int(gd["year"]) if gd.get("year") else None
    if month and dayn and not _valid(year or 2000, month, dayn):
        month = dayn = None
    if month and dayn and year is None:
        year = _decide_year(month, dayn, text, year_hint, today)
    date = None
    if month and dayn and year:
        date = f"{year:04d}-{month:02d}-{dayn:02d}"
    end = base + m.end()
    # the story starts after the separator's whitespace
    while end < len(text) and text[end] in " \t":
        end += 1
    return Dateline(place=place or None, agency=agency, date=date, month=month, day=dayn,
                    year=year if date else None, start=base + m.start(), end=end)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


_YEAR_IN_TEXT = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]\d)")
_WEEKDAY_IN_TEXT = re.compile(rf"\b({weekday_alternation()})\b", re.IGNORECASE)


def _decide_year(month: int, day: int, text: str, year_hint, today) -> int | None:
    """The year of a dateline's month-day from a hint or the weekdays in the text.

    A weekday in a news story ("said on Wednesday") is the filing day or one of the few
    days before it; the filing day itself or the day before are by far the most common.
    So a year fits when some weekday named in the text falls on the dateline day or the
    day before. Among the years that fit, the one nearest to the plausible range wins:
    the hint's range, or else [latest year the text mentions, +3] (a report is rarely
    older than the latest year it names). A tie, or no weekday at all, means undecided.
    """
    today = today or dt.date.today()
    if isinstance(year_hint, int):
        return year_hint if _valid(year_hint, month, day) else None
    weekdays = {weekday_number(w) for w in _WEEKDAY_IN_TEXT.findall(text)}
    if not weekdays:
        return None
    if year_hint:
        lo, hi = year_hint
    else:
        years = [int(y) for y in _YEAR_IN_TEXT.findall(text)
                 if EARLIEST_YEAR <= int(y) <= today.year]
        if not years:
            return None  # any of several years would fit: do not guess
        lo = max(years)
        hi = lo + 3
    best: list[tuple[int, int, int]] = []
    for year in range(EARLIEST_YEAR, today.year + 1):
        if not _valid(year, month, day) or dt.date(year, month, day) > today:
            continue
        wd = dt.date(year, month, day).weekday()
        lag = min((wd - w) % 7 for w in weekdays)
        if lag > 1:
            continue
        distance = 0 if lo <= year <= hi else min(abs(year - lo), abs(year - hi))
        best.append((distance, lag, year))
    if not best:
        return None
    best.sort()
    if len(best) > 1 and best[0][:2] == best[1][:2]:
        return None  # two years fit equally well
    return best[0][2]


# --------------------------------------------------------------------------------------
# Dates from metadata and file names
# --------------------------------------------------------------------------------------
_ISO_DATE = re.compile(r"^\s*((?:19|20)\d\d)(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ].*)?\s*$")
_NAME_DATE = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d\d)[-_.]?(\d\d)[-_.]?(\d\d)(?![0-9])")
_NAME_YEAR = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d\d)(?![0-9A-Za-z])")


def parse_date(value: Any) -> str | None:
    """An ISO date string at the precision ``value`` gives ("2013-01-31", "2012-09",
    "2012"), or None when it is empty or not a date."""
    if value is None:
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    s = str(value).strip()
    if not s or s.lower() in {"nan", "nat", "none", "null"}:
        return None
    m = _ISO_DATE.match(s)
    if m:
        y, mo, d = m.group(1), m.group(2), m.group(3)
        if mo is None:
            return y
        if d is None:
            return f"{y}-{int(mo):02d}" if 1 <= int(mo) <= 12 else None
        return f"{y}-{int(mo):02d}-{int(d):02d}" if _valid(int(y), int(mo), int(d)) else None
    try:
        from dateutil import parser as du

        parsed = du.parse(s, default=dt.datetime(1, 1, 1))
    except (ValueError, OverflowError):
        return None
    if parsed.year == 1:
        return None
    return parsed.strftime("%Y-%m-%d")


def _date_from_name(name: str) -> tuple[str | None, int | None]:
    """(full date, year) found in a file name such as ``2013-01-31_interfax.txt``."""
    m = _NAME_DATE.search(name)
    if m and _valid(int(m.group(1)), int(m.group(2)), int(m.group(3))):
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}", int(m.group(1))
    m = _NAME_YEAR.search(name)
    if m:
        return None, int(m.group(1))
    return None, None


# --------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------
# a file that cannot become text; the message is the reason (the reader adds the path)
_Unreadable = UnreadableInput


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` to text, returning ``(text, encoding)``.

    The rules are :func:`geo.read.encodings.decode`'s: UTF-8 (with or without BOM) and
    UTF-16 with a BOM as they are, UTF-8 with a few stray bytes repaired byte by byte,
    anything else guessed by charset-normalizer. Repairs are logged as warnings (the
    readers themselves list them with the file's name). Raises
    :class:`~geo.errors.UnreadableInput` for empty, binary or undecodable input.
    """
    decoded = decode(data)
    for note in decoded.notes:
        log.warning("decoded bytes, line %s: %s", note.line, note.message)
    return decoded.text, decoded.encoding


# --------------------------------------------------------------------------------------
# Markdown and HTML
# --------------------------------------------------------------------------------------
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)


def markdown_to_text(md: str) -> str:
    """Markdown reduced to the text a reader sees: heading marks, emphasis, links and
    images replaced by their words (offsets of events then point into this text)."""
    text = _MD_IMAGE.sub(r"\1", md)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub(r"\2", text)


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)


def _declared_html_text(raw: bytes) -> str | None:
    """The page decoded with the charset its ``<meta>`` declares, when that decodes it
    cleanly (a declared windows-1251 beats a guess on a short page)."""
    import codecs

    m = _META_CHARSET.search(raw[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace")
    try:
        codecs.lookup(name)
        return raw.decode(name).lstrip("\ufeff")
    except (LookupError, UnicodeDecodeError):
        return None
_DROP_TAGS = list(_listed("html.toml", "drop_tags"))
_BLOCK_TAGS = list(_listed("html.toml", "block_tags"))
_BOILERPLATE = re.compile(rf"(^|[-_ ])({alternation(_listed('html.toml', 'boilerplate_classes'))})",
                          re.I)


def html_to_text(html: str) -> tuple[str, dict[str, str | None]]:
    """Main text of an HTML page and its metadata (title, url, published).

    Scripts, navigation, headers, footers and asides are dropped; the text comes from
    ``<article>`` (the longest one), else ``<main>``, else ``<body>``, one paragraph per
    block element.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    meta = {"title": _html_title(soup), "url": _html_url(soup), "published": _html_date(soup)}
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(attrs={"class": _BOILERPLATE}):
        if tag.name not in ("body", "html", "article", "main"):
            tag.decompose()
    articles = soup.find_all("article")
    container = (max(articles, key=lambda a: len(a.get_text())) if articles
                 else soup.find("main") or soup.body or soup)
    paragraphs = []
    for block in container.find_all(_BLOCK_TAGS):
        if block.find(_BLOCK_TAGS):
            continue  # its inner blocks are read on their own
        line = " ".join(block.get_text("").split())
        if line:
            paragraphs.append(line)
    text = "\n\n".join(paragraphs)
    if len(text) < 0.5 * len(" ".join(container.get_text(" ").split())):
        # text sits directly in containers (no block elements): take it line by line
        lines = (" ".join(s.split()) for s in container.get_text("\n").split("\n"))
        text = "\n\n".join(s for s in lines if s)
    return text, meta


def _meta_content(soup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find(
            "meta", attrs={"name": name})
        if tag and tag.get("content", "").strip():
            return tag["content"].strip()
    return None


def _html_title(soup) -> str | None:
    title = _meta_content(soup, "og:title", "twitter:title")
    if not title and soup.title and soup.title.string:
        title = soup.title.string
    if not title:
        h1 = soup.find("h1")
        title = h1.get_text(" ") if h1 else None
    return " ".join(title.split()) if title else None


def _html_url(soup) -> str | None:
    link = soup.find("link", rel="canonical")
    if link and link.get("href"):
        return link["href"].strip()
    return _meta_content(soup, "og:url")


def _html_date(soup) -> str | None:
    value = _meta_content(soup, "article:published_time", "datePublished", "date",
                          "pubdate", "publish-date", "dc.date", "DC.date.issued")
    if not value:
        time = soup.find("time", attrs={"datetime": True})
        value = time["datetime"] if time else None
    return parse_date(value) if value else None


# --------------------------------------------------------------------------------------
# Language (a cheap guess from function words and script)
# --------------------------------------------------------------------------------------
def _function_words() -> dict[str, frozenset[str]]:
    """Language -> its function words (function_words.csv), languages in file order (a
    tie in the guess goes to the first)."""
    name = "function_words.csv"
    out: dict[str, set[str]] = {}
    for i, r in enumerate(vocab.table(name, required=("word", "language"))):
        where = f"{vocab.row_line(name, i)} ({r['word']})"
        if not re.fullmatch(r"[a-z]{2}", r["language"]):
            raise VocabularyError(f"{where}: language {r['language']!r} is not ISO 639-1")
        if r["word"] != r["word"].lower():
            raise VocabularyError(f"{where}: words are counted in lower case; write it so")
        words = out.setdefault(r["language"], set())
        if r["word"] in words:
            raise VocabularyError(f"{where}: listed twice for {r['language']}")
        words.add(r["word"])
    return {lang: frozenset(words) for lang, words in out.items()}


_FUNCTION_WORDS = _function_words()


_WORDS = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LATIN_20 = re.compile(r"(?:[^A-Za-z\u00c0-\u024f]*[A-Za-z\u00c0-\u024f]){20}")


def guess_language(text: str) -> str | None:
    """ISO 639-1 code of the most likely language of ``text`` (en, es, pt, fr, de, nl,
    ru), or None when too little text to tell. A guess, not a classifier."""
    sample = text[:1500]
    cyr = len(_CYRILLIC.findall(sample))
    if not cyr:
        # the Latin letters need counting only against Cyrillic ones: else it is enough
        # that there are 20 (counting them all was half of this guess, for every report)
        if not _LATIN_20.match(sample):
            return None
    else:
        lat = len(_LATIN.findall(sample))
        if cyr + lat < 20:
            return None
        if cyr > lat:
            return "ru"
    counts = Counter(_WORDS.findall(sample.lower()))
    scores = {lang: sum(counts[w] for w in sw) for lang, sw in _FUNCTION_WORDS.items()}
    lang, score = max(scores.items(), key=lambda kv: kv[1])
    return lang if score >= 3 else None


# --------------------------------------------------------------------------------------
# Building a Report from text + metadata
# --------------------------------------------------------------------------------------
# a line that ends as a sentence does; with the length check in _title_from_text, a lede
# ("... the ministry said on Tuesday.") rather than a headline
_LEDE = re.compile(r"[.!?][\"'”’)]?$")


def _title_from_text(text: str, dateline: Dateline | None) -> str | None:
    offset = 0
    for raw in text.split("\n"):
        start, end = offset, offset + len(raw)
        offset = end + 1
        line = raw
        if dateline and start <= dateline.start <= end:
            # the line opens with the dateline: the headline is what follows it
            line = text[min(dateline.end, end):end]
        line = line.strip().lstrip("#").strip().strip("*_").strip()
        if not line:
            continue
        if _LEDE.search(line) and len(line) > 120:
            # the story starts at once ("GUAYAQUIL (Reuters) - Ecuador's navy seized 3.4
            # tonnes ... the ministry said on Tuesday."): a lede, not a headline, and its
            # figures are the story's own
            return None
        if len(line) > 200:
            line = line[:200].rsplit(" ", 1)[0] + "…"
        return line
    return None


def make_report(
    text: str,
    *,
    id: str,
    path: str | None = None,
    title: str | None = None,
    url: str | None = None,
    published: str | None = None,
    name_hint: str | None = None,
    places: Any = None,
    years: tuple[int, int] | None = None,
) -> Report:
    """A :class:`Report` from text and whatever metadata is known.

    ``published`` from metadata wins; a year from it or from ``name_hint`` (a file name)
    completes a dateline without a year; else the weekdays in the text decide it.
    ``places`` (anything with ``dateline_country(place, text, agency)``, such as the run's
    :class:`geo.places.context.PlaceContext`) finds the dateline's country; without it the
    report keeps only the dateline place.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    meta_year = int(published[:4]) if published else None
    name_date, name_year = _date_from_name(name_hint or "")
    year_hint: int | tuple[int, int] | None = meta_year or name_year or years
    dateline = parse_dateline(text, year_hint=year_hint)
    if not published:
        published = (dateline.date if dateline and dateline.date else None) or name_date
    place = dateline.place if dateline else None
    return Report(
        id=id,
        text=text,
        title=title or _title_from_text(text, dateline),
        url=url or None,
        published=published,
        agency=dateline.agency if dateline else None,
        dateline_place=place,
        dateline_country=_dateline_country(places, place, text,
                                           dateline.agency if dateline else None),
        language=guess_language(text),
        path=path,
        dateline_span=(dateline.start, dateline.end) if dateline else None,
    )


# --------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------
def read_reports(
    paths: PathLike | Sequence[PathLike],
    *,
    text_column: str = "text",
    id_column: str | None = None,
    date_column: str | None = None,
    url_column: str | None = None,
    title_column: str | None = None,
    years: tuple[int, int] | None = None,
    places: Any = None,
    progress: bool = False,
) -> ReportSet:
    """Read reports from a file, a folder (recursively) or a list of them.

    Parameters
    ----------
    paths:
        File(s) and/or folder(s). In folders, files with a supported suffix are read
        (``.txt .md .html .htm .jsonl .json .csv .tsv .pdf .docx``); every other file
        is listed in ``.skipped`` with the reason (images: no OCR); hidden files are
        not read.
    text_column, id_column, date_column, url_column, title_column:
        Column (CSV) or field (JSON) names for record files. Without ``id_column`` a
        record's id is its ``id`` field, else ``<file stem>:<line>``.
    years:
        A plausible ``(first, last)`` range of publication years, used to decide the
        year of datelines that have none when the text does not.
    places:
        What finds a dateline place's country: anything with ``dateline_country(place,
        text, agency)``, such as the run's :class:`geo.places.context.PlaceContext`.
        Without it the reports keep their dateline places but no country
        (:func:`geo.read_reports` passes the run's context).
    progress:
        Show a progress bar over the bytes read (on stderr, once reading takes more than
        a second).

    A digest or a large file is read as one report per story (ids ``<stem>#1``,
    ``<stem>#2`` ..., ``Report.line`` the line each starts on; see
    :mod:`geo.read.stories`), so that extraction time stays linear in the file's size.

    Returns
    -------
    ReportSet: the reports in a stable order (sorted paths, then file order) with
    ``.skipped`` listing every file or record that could not be read, and why.
    """
    out = ReportSet()
    out.extend(iter_reports(paths, text_column=text_column, id_column=id_column,
                            date_column=date_column, url_column=url_column,
                            title_column=title_column, years=years, places=places,
                            progress=progress, skipped=out.skipped))
    return out


def iter_reports(
    paths: PathLike | Sequence[PathLike],
    *,
    text_column: str = "text",
    id_column: str | None = None,
    date_column: str | None = None,
    url_column: str | None = None,
    title_column: str | None = None,
    years: tuple[int, int] | None = None,
    places: Any = None,
    progress: bool = False,
    skipped: list[Skipped] | None = None,
    raw_ids: list[str] | None = None,
) -> Iterator[Report]:
    """The reports of :func:`read_reports`, one at a time, in the same order and with the
    same ids, reading one file at a time: a run over a folder holds one file's text (and
    the reports it is cut into), not the whole folder's.

    :param skipped: a list that receives what :func:`read_reports` lists in ``.skipped``,
        as each file is read (a file's entries in line order once the file is done).
    :param raw_ids: a list that receives each report's id as read, before a repeated id
        is told apart (``~2``, ``~3`` ...): with them, reports read in several pieces
        (shards of an archive) get the ids one reading would give
        (:func:`told_apart`).
    The other parameters are :func:`read_reports`'.
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    columns = dict(text=text_column, id=id_column, date=date_column, url=url_column,
                   title=title_column)
    opts = dict(places=places, years=years)
    skips: list[Skipped] = [] if skipped is None else skipped
    seen = SeenIds()
    # the files one at a time, as the folders are walked: a list of them would hold a
    # Path per file of the archive for the whole run
    bar = _ByteProgress(paths) if progress else None
    for file, root in _iter_files(paths, skips):
        first_skip, reports = len(skips), 0
        try:
            for rep in _read_file(file, root, columns, opts, skips):
                if raw_ids is not None:
                    raw_ids.append(rep.id)
                rep.id = told_apart(rep.id, seen)
                reports += 1
                if bar:
                    bar.story(file, len(rep.text))
                yield rep
        except UnreadableInput as exc:
            _skip(skips, str(file), exc.line, exc.reason)
        except OSError as exc:
            _skip(skips, str(file), None, f"cannot read: {exc.strerror or exc}")
        if not reports and len(skips) == first_skip:
            # "[]", a CSV header alone, blank JSON lines: nothing lost, but say so
            _skip(skips, str(file), None, "holds no report (no records in it)")
        # a file's skips in line order (records are checked in two passes)
        skips[first_skip:] = sorted(skips[first_skip:],
                                    key=lambda s: (s.line is not None, s.line or 0))
        if bar:
            bar.done(file)
    if bar:
        bar.close()


def told_apart(raw_id: str, seen: dict[str, int] | SeenIds) -> str:
    """The id of a report read as ``raw_id``, after the reports whose ids ``seen``
    counts (updated; a dict, or a :class:`~geo.read.ids.SeenIds` that holds a run's
    ids in little memory): ``raw_id`` itself the first time, then ``<id>~2``, ``<id>~3``
    ... (two files with the same stem: keep both, tell them apart)."""
    n = seen.get(raw_id, 0)
    seen[raw_id] = n + 1
    return f"{raw_id}~{n + 1}" if n else raw_id


def report_files(paths: PathLike | Sequence[PathLike],
                 skipped: list[Skipped] | None = None) -> Iterator[Path]:
    """The files :func:`iter_reports` would read for ``paths``, in its order (folders
    walked, hidden files left out), one at a time (a list of a million files' paths was
    most of a dask run's coordinating memory); what it would not read goes to ``skipped``
    with the reason, as :func:`read_reports` lists it, as the walk reaches it."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for f, _root in _iter_files(paths, [] if skipped is None else skipped):
        yield f


class _ByteProgress:
    """A tqdm bar over the bytes of the files to read, moved on story by story within a
    large file (a story's characters stand in for its bytes, up to the file's size).
    The total comes from a walk of its own over the inputs, summing sizes as it goes."""

    def __init__(self, paths: Sequence[PathLike]):
        from tqdm import tqdm

        total = sum(_size(f) for f, _root in _iter_files(paths, None))
        self.file: Path | None = None
        self.size = self.moved = 0
        self.bar = tqdm(total=total, desc="read", unit="B", unit_scale=True, delay=1.0,
                        leave=False)

    def story(self, file: Path, chars: int) -> None:
        if file != self.file:
            self.file, self.size, self.moved = file, _size(file), 0
        step = max(0, min(chars, self.size - self.moved))
        self.moved += step
        self.bar.update(step)

    def done(self, file: Path) -> None:
        self.story(file, _size(file) if file != self.file else self.size)

    def close(self) -> None:
        self.bar.close()


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0


def _skip(skipped: list[Skipped], path: str, line: int | None, reason: str, *,
          partial: bool = False) -> None:
    entry = Skipped(path, line, reason, partial)
    log.warning("%s %s", "partly read:" if partial else "skipped", entry)
    skipped.append(entry)


def _iter_files(paths: Iterable[PathLike],
                skipped: list[Skipped] | None) -> Iterator[tuple[Path, Path]]:
    """(file, the folder or file given) of every file to read, in order, as the folders
    are walked; what is not read goes to ``skipped`` (None: not noted at all, for a
    second walk over the same inputs)."""
    def skip(path: Path, reason: str) -> None:
        if skipped is not None:
            _skip(skipped, str(path), None, reason)

    for p in paths:
        p = Path(p)
        if p.is_dir():
            hidden = 0
            for f, is_hidden in walk(p, lambda d, exc: skip(
                    d, f"cannot list folder: {exc.strerror or exc}")):
                if is_hidden:
                    hidden += 1  # .git, .DS_Store ...: not the user's inputs
                    continue
                if f.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield f, p
                else:
                    # photos, spreadsheets, old .doc files next to the reports: not read,
                    # and listed, so that nothing the user put there goes unmentioned
                    skip(f, not_read_reason(f))
            if hidden and skipped is not None:
                log.info("%s: %d hidden file(s) not read", p, hidden)
        elif p.is_file():
            if p.suffix.lower() in SUPPORTED_SUFFIXES:
                yield p, p.parent
            else:
                skip(p, not_read_reason(p))
        elif p.exists():
            skip(p, "not a regular file or folder: not read")
        else:
            skip(p, "no such file or folder")


def _read_file(file: Path, root: Path, columns: dict, opts: dict,
               skipped: list[Skipped]) -> Iterator[Report]:
    suffix = file.suffix.lower()
    path = str(file)
    if suffix in DOCUMENT_SUFFIXES:
        doc = read_pdf(file) if suffix == ".pdf" else read_docx(file)
        for message in doc.notes:
            _skip(skipped, path, None, message, partial=True)
        # the file's creation date only where the text gives none: a saved or printed
        # article is often made into a file long after the story
        yield from _file_reports(doc.text, file, opts, title=doc.title,
                                 fallback_date=doc.published)
        return
    raw = file.read_bytes()
    decoded = decode(raw)
    text = decoded.text
    declared = _declared_html_text(raw) if suffix in HTML_SUFFIXES else None
    if declared is None:
        for note in decoded.notes:
            _skip(skipped, path, note.line, note.message, partial=True)
    # the text is all that is read from here on: a large file is not held twice while
    # its stories are extracted
    raw = decoded = None
    if suffix in TEXT_SUFFIXES:
        if suffix in (".md", ".markdown"):
            text = markdown_to_text(text)
        yield from _file_reports(text, file, opts)
    elif suffix in HTML_SUFFIXES:
        text = declared or text
        body, meta = html_to_text(text)
        if not body.strip():
            raise _Unreadable("HTML page has no text")
        yield from _file_reports(body, file, opts, title=meta["title"], url=meta["url"],
                                 published=meta["published"])
    elif suffix in (".csv", ".tsv"):
        yield from _read_csv(text, file, columns, opts, skipped)
    elif suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(text, file, columns, opts, skipped)
    elif suffix == ".json":
        yield from _read_json(text, file, columns, opts, skipped)


def _opens_with_dateline(line: str) -> bool:
    """A full wire dateline (with a date or an agency) opens ``line``: the start of a
    story in a digest. A bare place in capitals ("ISLAMABAD:") is not enough here."""
    m = _match_dateline(line)
    return m is not None and m.re is not _DATELINE_RES[-1]


def _file_reports(text: str, file: Path, opts: dict, *, title: str | None = None,
                  url: str | None = None, published: str | None = None,
                  fallback_date: str | None = None) -> Iterator[Report]:
    """The reports of one file's text: one, or one per story of a digest or a large
    file (:mod:`geo.read.stories`), each ``<stem>#<k>`` with the line it starts on."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # one story at a time (a large file's stories are not all held beside its text); the
    # first two tell whether the file is one report or several
    stories = iter_stories(text, _opens_with_dateline)
    first = next(stories)
    second = next(stories, None)
    path = str(file)
    if second is None:
        rep = make_report(text, id=file.stem, path=path, title=title, url=url,
                          published=published, name_hint=file.name, **opts)
        rep.published = rep.published or fallback_date
        yield rep
        return
    count = cuts = 0
    for k, story in enumerate(itertools.chain([first] + ([second] if second else []),
                                              stories), start=1):
        # the page's title and date are the digest's, not each story's: a date only
        # where the story gives none
        rep = make_report(story.text, id=f"{file.stem}#{k}", path=path, url=url,
                          name_hint=file.name, **opts)
        rep.published = rep.published or published or fallback_date
        rep.line = story.line
        count, cuts = k, cuts + story.cut
        yield rep
    log.info("%s: %d stories", file, count)
    if cuts:
        log.warning("%s: %d part(s) with no story boundary were cut at paragraph ends into "
                    "pieces of at most %d characters; a figure and its place on two sides "
                    "of a cut are not linked", file, cuts, MAX_STORY_CHARS)


def _record_report(rec: dict, file: Path, line: int, columns: dict, opts: dict,
                   skipped: list[Skipped]) -> Report | None:
    value = rec.get(columns["text"])
    if value is None or not str(value).strip():
        _skip(skipped, str(file), line, f"empty text in column {columns['text']!r}")
        return None

    def col(key):
        # a record's own "id" field is its id unless another column is named for it
        name = columns[key] or ("id" if key == "id" else None)
        v = rec.get(name) if name else None
        return None if v is None or str(v).strip() == "" else str(v).strip()

    rid = col("id") or f"{file.stem}:{line}"
    published = parse_date(col("date")) if columns["date"] else None
    if columns["date"] and col("date") and not published:
        log.warning("%s:%d: %r in column %r is not a date; ignored", file, line,
                    col("date"), columns["date"])
    return make_report(str(value), id=rid, path=str(file), title=col("title"),
                       url=col("url"), published=published, name_hint=file.name, **opts)


def _missing_columns(available: Iterable[str], columns: dict) -> list[str]:
    names = set(available)
    return [c for k, c in columns.items() if c and c not in names and k == "text"]


def _read_csv(text: str, file: Path, columns: dict, opts: dict,
              skipped: list[Skipped]) -> Iterator[Report]:
    csv.field_size_limit(1 << 30)
    sample = text[:20000]
    delimiter = "\t" if file.suffix.lower() == ".tsv" else ","
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        pass  # one column, or too irregular to sniff: keep the default
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise _Unreadable(f"line 1: not a readable CSV header: {exc}") from None
    header = [h.strip().lstrip("\ufeff") if h else h for h in header]
    reader.fieldnames = header
    if columns["text"] not in header:
        _skip(skipped, str(file), 1,
              f"no column {columns['text']!r} (columns: {', '.join(map(str, header))}); "
              "name the text column with text_column= / --text-col")
        return
    for name in ("id", "date", "url", "title"):
        if columns[name] and columns[name] not in header:
            log.warning("%s: no column %r for the %s; ignored", file, columns[name], name)
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            _skip(skipped, str(file), line, f"unreadable CSV row: {exc}")
            break  # the reader cannot resync after a broken quote
        if None in row:
            _skip(skipped, str(file), line,
                  f"{len(header) + len(row[None])} fields where the header has {len(header)}")
        else:
            rep = _record_report(row, file, line, columns, opts, skipped)
            if rep is not None:
                yield rep
        line = reader.line_num + 1


def _read_jsonl(text: str, file: Path, columns: dict, opts: dict,
                skipped: list[Skipped]) -> Iterator[Report]:
    records, fields_seen = [], set()
    for n, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as exc:
            _skip(skipped, str(file), n, f"JSON line does not parse: {exc.msg} "
                                         f"(column {exc.colno})")
            continue
        if not isinstance(rec, dict):
            _skip(skipped, str(file), n, f"JSON line is a {type(rec).__name__}, not an object")
            continue
        fields_seen.update(rec)
        records.append((n, rec))
    yield from _records(records, fields_seen, file, columns, opts, skipped)


def _read_json(text: str, file: Path, columns: dict, opts: dict,
               skipped: list[Skipped]) -> Iterator[Report]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # JSON Lines saved as .json
            yield from _read_jsonl(text, file, columns, opts, skipped)
            return
        raise _Unreadable(f"line {exc.lineno}: JSON does not parse: {exc.msg} "
                          f"(truncated or not JSON)") from None
    if isinstance(data, dict):
        # {"reports": [...]} or one report
        lists = [v for v in data.values() if isinstance(v, list) and v
                 and all(isinstance(x, dict) for x in v)]
        data = lists[0] if columns["text"] not in data and len(lists) == 1 else [data]
    if not isinstance(data, list):
        raise _Unreadable("JSON is neither an object nor a list of objects")
    records, fields_seen = [], set()
    for i, rec in enumerate(data, start=1):
        if not isinstance(rec, dict):
            _skip(skipped, str(file), i, f"record {i} is a {type(rec).__name__}, not an object")
            continue
        fields_seen.update(rec)
        records.append((i, rec))
    yield from _records(records, fields_seen, file, columns, opts, skipped)


def _records(records, fields_seen, file, columns, opts, skipped) -> Iterator[Report]:
    if records and columns["text"] not in fields_seen:
        _skip(skipped, str(file), None,
              f"no field {columns['text']!r} in any record (fields: "
              f"{', '.join(sorted(map(str, fields_seen)))}); name it with text_column= / "
              "--text-col")
        return
    for n, rec in records:
        rep = _record_report(rec, file, n, columns, opts, skipped)
        if rep is not None:
            yield rep


def read_report(path: PathLike, **kwargs: Any) -> Report:
    """Read one single-report file (txt/md/html); raise :class:`ReportError` naming the
    file when it cannot be read."""
    reports = read_reports([path], **kwargs)
    if reports.skipped:
        s = reports.skipped[0]
        raise ReportError(s.reason, path=s.path, line=s.line)
    if len(reports) != 1:
        raise ReportError(f"holds {len(reports)} reports, not one", path=str(path))
    return reports[0]
