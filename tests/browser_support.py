"""Hand-made regions, aggregates and events for the map tests, and a headless Chromium helper.

The shapes are simple boxes placed where the real regions are (Afghan provinces, a
Russian region split at 180° like Chukotka), so the tests do not depend on the boundary
file and can state every expected figure.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Point, box

CHROMIUM = os.environ.get("SEIZURE_ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

XSS_PLACE = '<img src=x onerror="window.__pwned=1;alert(1)">Kishim'
XSS_SENTENCE = ('Police seized <script>window.__pwned=2</script> heroin near '
                '<img src=x onerror="window.__pwned=3">.</script><script>window.__pwned=4</script>')


def boundaries() -> gpd.GeoDataFrame:
    """Eight regions in three countries; RU-CHU crosses the antimeridian."""
    rows = [
        ("AF-BDS", "Badakhshan", "AF", box(70.0, 36.0, 72.0, 38.0)),
        ("AF-KAN", "Kandahar", "AF", box(64.0, 30.0, 66.0, 32.0)),
        ("AF-HEL", "Helmand", "AF", box(62.0, 30.0, 64.0, 32.0)),
        ("AF-KAB", "Kabul", "AF", box(68.0, 34.0, 70.0, 36.0)),
        ("RU-CHU", "Chukotka", "RU", MultiPolygon([box(170.0, 64.0, 180.0, 68.0),
                                                    box(-180.0, 64.0, -172.0, 68.0)])),
        ("RU-MOW", "Moscow", "RU", box(37.0, 55.0, 38.0, 56.0)),
        ("CO-DC", "Bogota", "CO", box(-74.5, 4.0, -73.5, 5.0)),
        ("CO-ANT", "Antioquia", "CO", box(-76.5, 5.5, -74.5, 8.0)),
    ]
    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "name": [r[1] for r in rows], "country": [r[2] for r in rows]},
        geometry=[r[3] for r in rows], crs="EPSG:4326")


def reports_json(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False)


def aggregates() -> gpd.GeoDataFrame:
    """Aggregates shaped like geo.aggregate's output for four regions with data."""
    b = boundaries().set_index("code")
    badakhshan = [
        {"doc": "000_seed", "date": "2013-01-31", "place": "Badakhshan", "substance": "heroin",
         "quantity_kg": 180.0, "sentence": "180 kilos of heroin were seized in Badakhshan.",
         "url": "https://example.org/report/1"},
        {"doc": "000_seed", "date": "2013-01-31", "place": "Badakhshan", "substance": "morphine",
         "quantity_kg": 1500.0, "sentence": "1,500 kilos of morphine.", "url": "javascript:alert(1)"},
    ]
    kandahar = [{"doc": "evil_1", "date": "2013-02", "place": XSS_PLACE, "substance": "heroin",
                 "quantity_kg": 12.0, "sentence": XSS_SENTENCE, "url": None}]
    rows = [
        # code, heroin, morphine, opium, cocaine, labs, events, report list, first, last
        ("AF-BDS", 180.0, 1500.0, 1200.0, np.nan, 6.0, 5, badakhshan, "2013-01-31", "2013-01-31"),
        ("AF-KAN", 12.0, np.nan, 40000.0, np.nan, np.nan, 2, kandahar, "2013-02", "2013-03"),
        ("RU-CHU", 3.5, np.nan, np.nan, np.nan, np.nan, 1, [], "2014", "2014"),
        ("CO-DC", np.nan, np.nan, np.nan, 950.0, 2.0, 3, [], "2015-05-01", "2015-06-01"),
    ]
    df = pd.DataFrame(rows, columns=["region", "kg_heroin", "kg_morphine", "kg_opium", "kg_cocaine",
                                     "labs_destroyed", "events", "items", "first_date", "last_date"])
    df["kg_all"] = df[["kg_heroin", "kg_morphine", "kg_opium", "kg_cocaine"]].sum(axis=1, min_count=1)
    df["report_ids"] = [sorted({i["doc"] for i in items}) or ["r"] for items in df["items"]]
    df["reports"] = [reports_json(items) for items in df["items"]]
    df = df.drop(columns="items")
    df["name"] = [b.loc[c, "name"] for c in df["region"]]
    df["country"] = [b.loc[c, "country"] for c in df["region"]]
    gdf = gpd.GeoDataFrame(df, geometry=[b.loc[c, "geometry"] for c in df["region"]], crs="EPSG:4326")
    gdf.attrs["by"] = "admin1"
    return gdf


def events() -> gpd.GeoDataFrame:
    """Events behind the aggregates (one unlocated), with the XSS payload in one of them."""
    rows = [
        ("000_seed", "heroin", 180.0, "Badakhshan", "AF", "AF-BDS", "2013-01-31", Point(71.0, 37.0)),
        ("000_seed", "morphine", 1500.0, "Badakhshan", "AF", "AF-BDS", "2013-01-31", Point(71.1, 37.1)),
        ("evil_1", "heroin", 12.0, XSS_PLACE, "AF", "AF-KAN", "2013-02", Point(65.0, 31.0)),
        ("r3", "heroin", 3.5, "Anadyr", "RU", "RU-CHU", "2014", Point(-175.0, 66.0)),
        ("r4", "cocaine", 5.0, "somewhere", None, None, "2015", None),
    ]
    return gpd.GeoDataFrame(
        pd.DataFrame([r[:7] for r in rows], columns=["doc", "substance", "quantity_kg", "place",
                                                     "country", "admin1", "date"]),
        geometry=[r[7] for r in rows], crs="EPSG:4326")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


class Recorder:
    """Blocks every request that is not file: or data:, and remembers it."""

    def __init__(self) -> None:
        self.blocked: list[str] = []

    def __call__(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


def operations_map_inputs() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Events with arrests and operations, and eradication records (one a period total,
    which no sum counts), on the boxes of :func:`boundaries`: the inputs of the
    arrests, operations and eradicated-hectares layers."""
    from geo.events import Eradication, Event, eradications_to_frame, events_to_frame

    def ev(doc, substance, kg, admin1, date, lon, lat, arrests=None, operation=None):
        return Event(doc=doc, substance=substance, quantity=kg, unit="kg", quantity_kg=kg,
                     place=admin1, country="AF", admin1=admin1, date=date, lat=lat, lon=lon,
                     arrests=arrests, operation=operation,
                     evidence={"sentence": f"Police seized {kg:g} kg of {substance}."})

    events = events_to_frame([
        ev("b1", "heroin", 50.0, "AF-BDS", "2013-03", 71.0, 37.0, arrests=4,
           operation="Operation Dragon"),
        ev("b2", "opium", 20.0, "AF-BDS", "2014-06", 71.2, 37.2, operation="Operation Hydra"),
        ev("k1", "heroin", 10.0, "AF-KAN", "2014-02", 65.0, 31.0, arrests=2),
    ])

    def er(doc, ha, crop, admin1, date, lon, lat, counted=True):
        return Eradication(doc=doc, crop=crop, hectares=ha, area=ha, area_unit="ha",
                           counted=counted, place=admin1, country="AF", admin1=admin1,
                           date=date, lat=lat, lon=lon, place_precision="admin1",
                           flags=[] if counted else ["period total"],
                           evidence={"sentence": f"Troops eradicated {ha:g} hectares of {crop}."})

    records = eradications_to_frame([
        er("h1", 1200.0, "opium poppy", "AF-HEL", "2013-04", 63.0, 31.0),
        er("h2", 9000.0, "opium poppy", "AF-HEL", "2013-12", 63.0, 31.0, counted=False),
        er("k2", 300.0, "opium poppy", "AF-KAN", "2014-05", 65.1, 31.1),
    ])
    return events, records
