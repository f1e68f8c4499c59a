"""Benchmark geo.choropleth on a world admin-1 map: 100,000 synthetic events -> aggregate -> map.

Measures, in one run on the same aggregates:

* aggregate: time and peak traced memory of ``geo.aggregate`` (a plain groupby if the
  module is missing);
* ours: ``geo.choropleth(aggregates)`` + rendering the self-contained page (best of
  --repeat; peak traced memory in a separate call), the HTML size, the number of regions
  embedded; the same with the 100,000 events as a clustered overlay;
* baseline: ``GeoDataFrame.explore()`` on the same aggregates (column kg_all, a
  continuous YlOrRd colormap, tooltips with name/country/kg columns, no tiles; the
  list/JSON columns dropped because explore would put them in every tooltip);
* paint time in headless Chromium (/usr/bin/chromium): from navigation to all region
  paths in the DOM plus two animation frames, best of --paint-repeat, with every non-file
  request blocked and counted. explore()'s page links Leaflet/jQuery/Bootstrap from CDNs:
  for a fair paint time those requests are answered from the same XStatic files we
  inline (served through playwright's request routing, not the network); the rest
  (Bootstrap, Font Awesome, awesome-markers) are aborted, which explore's map does not
  need to draw polygons.

    /work/venv/bin/python benchmarks/bench_map.py [--events 100000] [--repeat 2]

The machine may be shared: compare ratios, not absolute seconds.
"""
from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.maps import assets as offline  # noqa: E402
from geo.places.boundaries import default  # noqa: E402
from geo.maps.choropleth import choropleth  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SUBSTANCES = ["heroin", "opium", "morphine", "cocaine", "coca_paste", "cannabis_herb",
              "cannabis_resin", "methamphetamine", "amphetamine", "captagon", "precursor"]
PLACES = ["the port", "a checkpoint", "the border crossing", "a warehouse", "the airport",
          "a village", "the highway", "a farm"]


def synthetic_events(boundaries, n: int, seed: int = 7) -> pd.DataFrame:
    """n events on random admin-1 regions, each with a point inside its region, a
    sentence, a place and a URL; 3% labs-destroyed events, 2% unlocated."""
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(boundaries), n)
    b = boundaries.reset_index(drop=True)
    lon = b["label_lon"].to_numpy(dtype=float)[pick] + rng.normal(0, 0.05, n)
    lat = b["label_lat"].to_numpy(dtype=float)[pick] + rng.normal(0, 0.05, n)
    substance = rng.choice(SUBSTANCES, n)
    kg = np.round(rng.lognormal(2.0, 2.2, n), 2)
    labs = rng.random(n) < 0.03
    admin1 = b["code"].to_numpy(dtype=object)[pick].copy()
    admin1[rng.random(n) < 0.02] = None
    days = rng.integers(0, 3650, n)
    dates = (pd.Timestamp("2012-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    place = rng.choice(PLACES, n)
    names = b["name"].to_numpy(dtype=object)[pick]
    sentences = [f"Police seized {q:,.1f} kilos of {s.replace('_', ' ')} at {p} in {r} province "
                 f"on {d}, the ministry said." for q, s, p, r, d in zip(kg, substance, place, names, dates)]
    frame = pd.DataFrame({
        "doc": [f"report-{i // 4:06d}" for i in range(n)],
        "substance": np.where(labs, None, substance),
        "quantity": np.where(labs, np.nan, kg), "unit": np.where(labs, None, "kg"),
        "quantity_kg": np.where(labs, np.nan, kg), "count": np.nan,
        "labs_destroyed": np.where(labs, rng.integers(1, 5, n), np.nan),
        "place": [f"{p}, {r}" for p, r in zip(place, names)],
        "country": b["country"].to_numpy(dtype=object)[pick], "admin1": admin1,
        "date": dates, "confidence": 0.9,
        "evidence": [{"sentence": s, "start": 0, "end": len(s)} for s in sentences],
        "url": [f"https://news.example.org/{i // 4}" for i in range(n)],
    })
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def with_operations(events, boundaries, seed: int = 11):
    """The events with arrests (on 20%) and operation names (on 5%, 500 names), and one
    eradication record per 50 events (hectares of poppy, coca or cannabis): the inputs of
    the map's arrests, operations and eradicated-hectares layers."""
    from geo.events import eradications_to_frame

    rng = np.random.default_rng(seed)
    n = len(events)
    ev = events.copy()
    ev["arrests"] = pd.array(np.where(rng.random(n) < 0.2, rng.integers(1, 7, n), None), dtype="Int64")
    ev["operation"] = np.where(rng.random(n) < 0.05,
                               [f"Operation {i}" for i in rng.integers(0, 500, n)], None)
    b = boundaries.reset_index(drop=True)
    k = max(1, n // 50)
    pick = rng.integers(0, len(b), k)
    days = rng.integers(0, 3650, k)
    dates = (pd.Timestamp("2012-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    records = eradications_to_frame([
        {"doc": f"erad-{i}", "crop": crop, "hectares": float(ha), "area": float(ha),
         "area_unit": "ha", "counted": True, "country": c, "admin1": a, "date": d,
         "lat": float(y), "lon": float(x), "evidence": {"sentence": f"{ha} ha of {crop} destroyed."}}
        for i, (crop, ha, c, a, d, y, x) in enumerate(zip(
            rng.choice(["opium poppy", "coca", "cannabis"], k), np.round(rng.lognormal(3, 1.5, k), 1),
            b["country"].to_numpy(dtype=object)[pick], b["code"].to_numpy(dtype=object)[pick], dates,
            b["label_lat"].to_numpy(dtype=float)[pick], b["label_lon"].to_numpy(dtype=float)[pick]))])
    return ev, records


def aggregate_events(events, boundaries):
    try:
        from geo.aggregates import aggregate
    except ImportError:  # fall back to a plain groupby
        located = events[events["admin1"].notna()]
        wide = located.groupby(["admin1", "substance"])["quantity_kg"].sum().unstack()
        wide.columns = [f"kg_{c}" for c in wide.columns]
        wide["events"] = located.groupby("admin1").size()
        wide["labs_destroyed"] = located.groupby("admin1")["labs_destroyed"].sum(min_count=1)
        out = boundaries.merge(wide, left_on="code", right_index=True)
        return out
    return aggregate(events, boundaries)


def timed(fn, repeat: int):
    best, first, out = float("inf"), None, None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t
        first = dt if first is None else first
        best = min(best, dt)
    return first, best, out


def peak_mb(fn) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def xstatic_router(blocked: list[str]):
    """Answer CDN requests for files we ship from the XStatic packages; abort the rest."""
    def handle(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            return route.continue_()
        name = offline._file_name(url)
        if name in offline.INLINED:
            ctype = "text/css" if name.endswith(".css") else "application/javascript"
            return route.fulfill(status=200, body=offline.asset_text(name), content_type=ctype)
        blocked.append(url)
        return route.abort()
    return handle


def paint(browser, path: Path, repeat: int, serve_cdn: bool) -> dict:
    best = float("inf")
    info: dict = {}
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1400, "height": 800})
        blocked: list[str] = []
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        if serve_cdn:
            page.route("**/*", xstatic_router(blocked))
        else:
            page.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(
                ("file:", "data:", "about:", "blob:")) else (blocked.append(route.request.url), route.abort())))
        t = time.perf_counter()
        page.goto(path.as_uri(), timeout=120_000)
        page.wait_for_load_state("load")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        dt = time.perf_counter() - t
        best = min(best, dt)
        info = {"paths": page.locator("path.leaflet-interactive").count(),
                "blocked": len(blocked), "errors": errors[:3]}
        page.close()
    info["seconds"] = best
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--paint-repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="folder for the HTML files (default: temp)")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_map_"))
    out.mkdir(parents=True, exist_ok=True)

    boundaries = default()
    events = synthetic_events(boundaries, args.events)
    print(f"{len(events):,} synthetic events over {len(boundaries):,} admin-1 regions")

    first, best, agg = timed(lambda: aggregate_events(events, boundaries), 1)
    agg_mem = peak_mb(lambda: aggregate_events(events, boundaries))
    print(f"aggregate: {best:.2f} s, peak {agg_mem:.0f} MB traced, {len(agg):,} regions with data")

    def ours():
        return choropleth(agg, boundaries=boundaries).to_html()

    def ours_events():
        return choropleth(agg, boundaries=boundaries, events=events).to_html()

    # the same events with arrests, operations and eradication records: three more layers
    from geo.aggregates import aggregate

    ops_events, ops_records = with_operations(events, boundaries)
    ops_agg = aggregate(ops_events, boundaries, eradications=ops_records)

    def ours_operations():
        return choropleth(ops_agg, boundaries=boundaries).to_html()

    explore_agg = agg.drop(columns=[c for c in ("reports", "report_ids") if c in agg.columns])
    kg_cols = [c for c in explore_agg.columns if str(c).startswith("kg_")]

    def explore():
        # explore() needs matplotlib (pip install -e ".[bench]"), a benchmark-only dependency
        m = explore_agg.explore(column="kg_all", cmap="YlOrRd", tiles=None,
                                tooltip=["region", "name", "country", *kg_cols])
        return m.get_root().render()

    rows = []
    for name, fn in (("geo.choropleth", ours), (f"geo.choropleth + {len(events) // 1000}k events", ours_events),
                     ("geo.choropleth + operations", ours_operations),
                     ("GeoDataFrame.explore()", explore)):
        first, best, page = timed(fn, args.repeat)
        mem = peak_mb(fn)
        path = out / (name.split()[0].replace(".", "_").replace("()", "") +
                      ("_events" if "events" in name else "") +
                      ("_operations" if "operations" in name else "") + ".html")
        path.write_text(page, encoding="utf-8")
        rows.append({"name": name, "first": first, "best": best, "mem": mem, "path": path,
                     "mb": path.stat().st_size / 1e6, "external": len(offline.external_urls(page))})

    m = choropleth(agg, boundaries=boundaries)
    print(f"regions embedded: {m.regions_embedded:,} (simplify tolerance {m.tolerance:.3f} deg, "
          f"{len(m.layer_labels)} base layers)")

    if Path(CHROMIUM).exists():
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for row in rows:
                row["paint"] = paint(browser, row["path"], args.paint_repeat,
                                     serve_cdn=row["name"].startswith("GeoDataFrame"))
            browser.close()
    else:
        print(f"no Chromium at {CHROMIUM}: paint times skipped")

    base = rows[-1]
    print(f"\n{'variant':30s} {'render s':>9s} {'x base':>7s} {'peak MB':>8s} {'HTML MB':>8s} "
          f"{'x base':>7s} {'ext URLs':>8s} {'paint s':>8s} {'x base':>7s} {'paths':>6s} {'blocked':>7s}")
    for row in rows:
        pt = row.get("paint", {})
        ps = pt.get("seconds")
        bps = base.get("paint", {}).get("seconds")
        print(f"{row['name']:30s} {row['best']:9.2f} {row['best'] / base['best']:7.2f} {row['mem']:8.0f} "
              f"{row['mb']:8.2f} {row['mb'] / base['mb']:7.2f} {row['external']:8d} "
              f"{(f'{ps:8.2f}' if ps else '       -')} {(f'{ps / bps:7.2f}' if ps and bps else '      -')} "
              f"{pt.get('paths', '-'):>6} {pt.get('blocked', '-'):>7}")
        if pt.get("errors"):
            print(f"    page errors: {pt['errors']}")
    ours_row = rows[0]
    ops_row = rows[2]
    print(f"\noperations layers (arrests, operations, eradicated ha): HTML "
          f"{rows[0]['mb']:.2f} -> {ops_row['mb']:.2f} MB "
          f"(x{ops_row['mb'] / rows[0]['mb']:.3f} in this run)")
    print(f"\ngoal: world admin-1 map <= 5 MB and painted <= 2 s: "
          f"{ours_row['mb']:.2f} MB, {ours_row.get('paint', {}).get('seconds', float('nan')):.2f} s")
    print(f"HTML files in {out}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
