"""Airports as places: the names news give the airport where a courier was stopped.

Seizure reports place a courier at an airport by its own name ("at the Jomo Kenyatta
International Airport", "Bacha Khan airport", "Ninoy Aquino International Airport"),
and most of those names are people's names, which no town gazetteer holds: the figure
then either stays unplaced or borrows the region of another sentence. An airport named
after its city ("Islamabad International Airport") needs no entry: the city is found.

Source: PyPI ``airportsdata`` (Mike Borsetti's maintained airport database, MIT; a fork
of mwgg/Airports whose new entries are checked against national AIPs), the airports with
an IATA code: those with scheduled service, where couriers fly. The gazetteer build
(``geo.places.gazetteer_build``) adds them as places with the admin-1 region their point
falls in; this module only says which airports and under which keys.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from geo.places.names import name_keys, normalize

# The words that end an airport's name ("International Airport", "Intl Airport"):
# the rest is what names this airport ("Jomo Kenyatta")
_SUFFIX = re.compile(r"(?i)\s+(?:international\s+|intl\.?\s+|regional\s+|domestic\s+)?airport$")
# Honorific words news drop ("Mwalimu Julius K. Nyerere", "Chhatrapati Shivaji Maharaj",
# "Sheikh ..."): not dropped from the name, but a shorter key starts after them
_INITIAL = re.compile(r"^[A-Z]\.?$")
# A key needs at least this many words before "airport": one word ("Kenyatta airport")
# is too often a person or another airport
_MIN_WORDS = 2


@dataclass(frozen=True, slots=True)
class Airport:
    """One airport as the gazetteer indexes it."""

    name: str
    iata: str
    country: str
    lat: float
    lon: float
    keys: frozenset


def _base_words(name: str) -> list[str] | None:
    """The words that name the airport, without "International Airport" and initials;
    None when the name does not end in "Airport" (an air base, an airfield)."""
    m = _SUFFIX.search(name)
    if not m:
        return None
    base = re.sub(r"\([^)]*\)", " ", name[: m.start()])
    words = [w for w in base.replace("/", " ").split() if not _INITIAL.match(w)]
    return words or None


def airport_keys(name: str) -> set[str]:
    """Keys of an airport's name: the name as written, with and without "International",
    and the shorter names news use that keep its last two words or more ("Julius Nyerere
    International Airport" for "Mwalimu Julius K. Nyerere International Airport")."""
    words = _base_words(name)
    if words is None:
        return set()
    keys: set[str] = set(name_keys(name))
    for i in range(0, len(words) - _MIN_WORDS + 1):
        base = " ".join(words[i:])
        for tail in ("Airport", "International Airport"):
            keys |= name_keys(f"{base} {tail}")
    return keys


def load(known_places: dict[str, set[str]]) -> list[Airport]:
    """The IATA airports whose own name is not a known place of their country.

    ``known_places``: country code -> the normalized names of its places already in the
    index; "Islamabad International Airport" is then left to the city of Islamabad. A key
    two airports share is dropped from both (two "Benito Juarez" airports).
    """
    import airportsdata

    out: list[tuple[dict, set[str]]] = []
    for rec in airportsdata.load("IATA").values():
        name = (rec.get("name") or "").strip()
        cc = (rec.get("country") or "").strip().upper()
        words = _base_words(name)
        if not words or len(cc) != 2:
            continue
        if normalize(" ".join(words)) in known_places.get(cc, ()):
            continue  # named after its city: the city is found
        keys = airport_keys(name)
        if keys:
            out.append((rec, keys))
    owners: dict[str, int] = defaultdict(int)
    for _, keys in out:
        for k in keys:
            owners[k] += 1
    return [Airport(rec["name"].strip(), rec["iata"], rec["country"].upper(), float(rec["lat"]),
                    float(rec["lon"]), frozenset(k for k in keys if owners[k] == 1))
            for rec, keys in out if any(owners[k] == 1 for k in keys)]
