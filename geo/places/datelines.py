"""The country of a report's dateline place, read with the run's geocoder and gazetteer.

The report reader finds the dateline ("LONDON, ON (CP) –", "KABUL, Sept 7 (Pajhwok) –");
this module says which country its place is in: the city read as the geocoder reads any
name in the story, narrowed by the region after the comma (a state in words, initials or
a postal code of ``postal_codes.csv``), and for a name shared by big places of several
countries, by the countries the story names and the home of a national news agency
(``news_agencies.csv``).
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any, NamedTuple

from .. import vocab
from ..errors import VocabularyError

__all__ = ["dateline_country", "POSTAL_REGIONS", "AGENCY_HOME"]

log = logging.getLogger(__name__)

_ISO_3166_2 = re.compile(r"(?P<country>[A-Z]{2})-[A-Z0-9]{1,3}")
_ISO_3166_1 = re.compile(r"[A-Z]{2}")


def _postal_regions() -> dict[str, frozenset[str]]:
    """Postal code -> the ISO 3166-2 regions it stands for (and a region's own ISO 3166-1
    code: "PR" is also Puerto Rico the country)."""
    name = "postal_codes.csv"
    out: dict[str, set[str]] = {}
    for i, r in enumerate(vocab.table(name, required=("code", "region", "country", "name"))):
        where = f"{vocab.row_line(name, i)} ({r['code']})"
        m = _ISO_3166_2.fullmatch(r["region"])
        if not m or m["country"] != r["country"]:
            raise VocabularyError(f"{where}: region {r['region']!r} is not an ISO 3166-2 code "
                                  f"of {r['country']!r}")
        if r.get("own_code") and not _ISO_3166_1.fullmatch(r["own_code"]):
            raise VocabularyError(f"{where}: own_code {r['own_code']!r} is not ISO 3166-1")
        regions = out.setdefault(r["code"], set())
        if r["region"] in regions:
            raise VocabularyError(f"{where}: listed twice")
        regions.add(r["region"])
        if r.get("own_code"):
            regions.add(r["own_code"])
    return {code: frozenset(regions) for code, regions in out.items()}


# the regions the codes stand for: the gazetteer indexes the US codes as names of their
# states, but not Canada's and Australia's (they would match "ON", "WA" in running text)
POSTAL_REGIONS = _postal_regions()


class _Reading(NamedTuple):
    # the fields of a reading the rule reads, from a geocoder without ``readings``
    country: str | None
    admin1: str | None
    feature_class: str | None
    population: int | None


def _readings(geocoder: Any, name: str, text: str) -> list:
    """Every reading of ``name`` in ``text``, best first: the offline geocoder's own
    ``readings``; another geopy geocoder's answers, with their ``raw`` fields."""
    if hasattr(geocoder, "readings"):
        try:  # the name's own readings, not the story's region in its place
            found = geocoder.readings(name, context=text or None, limit=None,
                                      story_fallback=False)
        except TypeError:
            found = geocoder.readings(name, context=text or None, limit=None)
        return [p for _, p in found]
    try:  # the story as context, as the extractor asks (geopy's own geocoders take none)
        answers = geocoder.geocode(name, exactly_one=False, context=text or None)
    except TypeError:
        answers = geocoder.geocode(name, exactly_one=False)
    if answers is not None and not isinstance(answers, list):
        answers = [answers]
    answers = answers or []
    out = []
    for loc in answers:
        raw = getattr(loc, "raw", None) or {}
        country = raw.get("country") or raw.get("country_code")
        out.append(_Reading(str(country).upper() if country else None, raw.get("admin1"),
                            raw.get("feature_class") or "ppl", raw.get("population")))
    return out


def dateline_country(place: str | None, text: str = "", agency: str | None = None, *,
                     geocoder: Any, gazetteer: Any) -> str | None:
    """Country of a dateline place ("LONDON, ON", "KABUL"), or None when the place is
    unknown or no gazetteer is available.

    The city is read as the geocoder reads any name in this text (its population, its
    primary name, the countries the text names: "SAN JOSE" of a Costa Rica story). What
    follows the comma narrows it: the first reading of the city inside that region wins
    ("LONDON, ON" is Ontario's). A region in words or initials ("Afghanistan", "Ky.",
    "D.C.") settles the country even for a town the gazetteer does not know; a bare
    two-letter code never overrules the city ("BOGOTA, CO" is not Colorado). A national
    agency that files from home counts as one naming of its country ("KOCHI (PTI)" is in
    Kerala, not Japan's Kōchi).
    """
    if not place or gazetteer is None or geocoder is None:
        return None
    gaz = gazetteer
    city, region = place.rsplit(", ", 1) if ", " in place else (place, None)
    try:
        inside: set[str] = set()
        region_country = None
        if region:
            cands = [c for c in gaz.lookup(region)
                     if c.country and c.feature_class in ("country", "admin1")]
            inside = {c.admin1 if c.feature_class == "admin1" else c.country for c in cands}
            inside |= POSTAL_REGIONS.get(region, frozenset())
            if cands and not _BARE_CODE.fullmatch(region):
                region_country = max(cands, key=lambda c: c.population or 0).country
        first = None
        for part in re.split(r"\s*/\s*", city):
            readings = [p for p in _readings(geocoder, part, text)
                        if p.country and p.feature_class in ("ppl", "admin1", "admin2", "country")]
            if text and _ambiguous(readings):
                # a name shared by big places of several countries: the country the story
                # names most often (the whole text is scanned, as the extractor will, so
                # the gazetteer's last-scan cache serves both)
                named = Counter(m.candidates[0].country for m in gaz.find_mentions(text)
                                if m.candidates and m.candidates[0].feature_class == "country")
                home = _agency_country(agency)
                if home:
                    named[home] += 1
                readings.sort(key=lambda p: -named.get(p.country, 0))
            for p in readings:
                if p.admin1 in inside or p.country in inside:
                    return p.country
            if readings and first is None:
                first = readings[0].country
    except Exception as exc:  # a broken index must not stop reading reports
        log.warning("gazetteer lookup of dateline place %r failed: %s", place, exc)
        return None
    return region_country or first


def _agency_homes() -> dict[str, str]:
    """Lower-cased name -> country of the national agencies that file mostly from home
    (news_agencies.csv; the world wires, kind "international", say nothing of the country)."""
    name = "news_agencies.csv"
    out: dict[str, str] = {}
    seen: set[str] = set()
    for i, r in enumerate(vocab.table(name, required=("name", "country", "kind"))):
        where = f"{vocab.row_line(name, i)} ({r['name']})"
        if r["kind"] not in ("national", "international"):
            raise VocabularyError(f"{where}: kind {r['kind']!r} is not national or international")
        if not _ISO_3166_1.fullmatch(r["country"]):
            raise VocabularyError(f"{where}: country {r['country']!r} is not ISO 3166-1")
        key = r["name"].lower()
        if key in seen:
            raise VocabularyError(f"{where}: listed twice")
        seen.add(key)
        if r["kind"] == "national":
            out[key] = r["country"]
    return out


AGENCY_HOME = _agency_homes()


def _agency_country(agency: str | None) -> str | None:
    """The home country of a dateline's agency when it is a national one that files from
    home ("PTI" -> "IN"), else None."""
    return AGENCY_HOME.get((agency or "").strip().lower())


# two or three capitals after a dateline city: a postal code that may also be a country's
_BARE_CODE = re.compile(r"[A-Z]{2,3}")


def _ambiguous(readings: list) -> bool:
    # Kabul (AF, 3.7M) against a Kabul village elsewhere is no contest; San Jose (US, 1M)
    # against San José (CR, 0.3M) is
    by_country: dict[str, int] = {}
    for p in readings:
        by_country[p.country] = max(by_country.get(p.country, 0), p.population or 0)
    if len(by_country) < 2:
        return False
    top, second = sorted(by_country.values(), reverse=True)[:2]
    return second >= 0.1 * top
