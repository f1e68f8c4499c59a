"""locate() against a raw geopandas.sjoin on the same boundaries, same points, same run.

1,000,000 random points (by default): each drawn uniformly inside the bounding box of a randomly
chosen admin-1 region, so most fall on land, many near coasts, some at sea — the mix a seizure
atlas sees, and the case where locate() does extra work (the nearest-region step for points just
off a simplified coast). Prints both times and their ratio (goal <= 1.2).

The baseline is what a user would write by hand: build a GeoDataFrame from lon/lat and call
``geopandas.sjoin(points, boundaries, predicate="covered_by")``. Both sides include building the
points from lon/lat columns; boundaries are loaded (and their spatial index built) beforehand.

Run: ``python benchmarks/bench_join.py [--points 1000000] [--repeat 3]``
"""
from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.places.boundaries import default
from geo.places.locate import locate


def random_points(boundaries: gpd.GeoDataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    bounds = boundaries.geometry.bounds.to_numpy()
    pick = rng.integers(0, len(bounds), n)
    minx, miny, maxx, maxy = bounds[pick].T
    return pd.DataFrame({"id": np.arange(n),
                         "lon": minx + rng.random(n) * (maxx - minx),
                         "lat": miny + rng.random(n) * (maxy - miny)})


def raw_sjoin(frame: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat),
                              crs="EPSG:4326")
    return gpd.sjoin(points, boundaries[["code", "name", "country", "geometry"]], how="left",
                     predicate="covered_by")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    boundaries = default()
    boundaries.sindex  # build the spatial index outside the timings, for both sides
    frame = random_points(boundaries, args.points)
    locate(frame.head(1000), boundaries)  # warm-up: caches the prepared boundaries

    t_raw, t_ours, c_raw, c_ours = [], [], [], []
    for _ in range(args.repeat):  # alternate, best of n: the machine is shared
        t0, c0 = time.perf_counter(), time.process_time()
        raw = raw_sjoin(frame, boundaries)
        t_raw.append(time.perf_counter() - t0)
        c_raw.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        ours = locate(frame, boundaries)
        t_ours.append(time.perf_counter() - t0)
        c_ours.append(time.process_time() - c0)

    within = int((ours.located_by == "within").sum())
    nearest = int((ours.located_by == "nearest").sum())
    raw_hits = int(raw.index_right.notna().groupby(level=0).any().sum())
    print(f"{args.points:,} points, {len(boundaries):,} regions")
    print(f"geopandas.sjoin (covered_by): {min(t_raw):.2f} s, CPU {min(c_raw):.2f} s  ({raw_hits:,} points matched, "
          f"{len(raw) - args.points:,} extra rows for border duplicates)")
    print(f"geo.places.locate:                   {min(t_ours):.2f} s, CPU {min(c_ours):.2f} s  ({within:,} within, "
          f"{nearest:,} nearest within 10 km, {args.points - within - nearest:,} unlocated)")
    print(f"ratio locate / sjoin: {min(t_ours) / min(t_raw):.2f} wall clock, "
          f"{min(c_ours) / min(c_raw):.2f} CPU time (goal <= 1.2)")
    assert within == raw_hits, "locate() and sjoin disagree on which points are inside"


if __name__ == "__main__":
    main()
