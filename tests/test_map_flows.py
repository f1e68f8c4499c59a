"""The map's routes overlays (geo.maps.flows): curved legs per drug group, width by kg."""
from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

import browser_support as bs
from geo.maps.choropleth import _country_outlines, choropleth
from geo.maps.flows import FLOW_COLORS, curve, flow_overlays


def _routed() -> gpd.GeoDataFrame:
    ev = bs.events()
    ev["drug_group"] = ["opiates", "opiates", "opiates", "opiates", "cocaine"]
    # Badakhshan's heroin from Kandahar to Moscow; Kandahar's heroin to Russia (the
    # country: its only region here, Moscow, is where the line ends); Chukotka's none
    ev["origin"] = ["AF-KAN", None, None, None, "CO"]
    ev["destination"] = ["RU-MOW", None, "RU", None, "Europe"]
    return ev


def _lines(fg: folium.FeatureGroup) -> list[folium.PolyLine]:
    return [c for c in fg._children.values() if isinstance(c, folium.PolyLine)]


def test_one_overlay_per_drug_group_with_its_colour_and_legs():
    b = bs.boundaries()
    out = flow_overlays(_routed(), b, _country_outlines(b))
    # the cocaine event has no point and no region: nothing to draw from, no overlay
    assert [cfg["label"] for _, cfg in out] == [
        "routes: opiates (opium, morphine, heroin, poppy)"]
    fg, cfg = out[0]
    assert cfg["color"] == FLOW_COLORS["opiates"]
    lines = _lines(fg)
    # Kandahar -> Badakhshan, Badakhshan -> Moscow, Kandahar -> Russia
    assert len(lines) == 3
    weights = sorted(line.options["weight"] for line in lines)
    assert weights[0] < weights[-1]  # 12 kg is thinner than 180 kg


def test_a_world_region_end_is_not_drawn():
    b = bs.boundaries()
    ev = _routed()
    ev.loc[4, ["country", "admin1"]] = ["CO", "CO-ANT"]
    ev.loc[4, "geometry"] = Point(-75.5, 6.5)
    out = {cfg["label"].split(":")[1].split()[0]: fg
           for fg, cfg in flow_overlays(ev, b, _country_outlines(b))}
    # Colombia -> Antioquia is drawn; Antioquia -> Europe is not (no shape for Europe)
    assert len(_lines(out["cocaine-type"])) == 1


def test_curve_bends_and_keeps_its_ends():
    pts = curve((0.0, 0.0), (0.0, 10.0))
    assert pts[0] == [0.0, 0.0] and pts[-1] == [0.0, 10.0]
    assert max(p[0] for p in pts) > 0.5  # off the straight line
    back = curve((0.0, 10.0), (0.0, 0.0))
    assert min(p[0] for p in back) < -0.5  # the way back bends the other side


def test_the_page_lists_the_routes_overlay_in_its_legend(tmp_path):
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), events=_routed())
    path = tmp_path / "index.html"
    m.save(path)
    page = path.read_text(encoding="utf-8")
    assert "routes: opiates" in page
    assert FLOW_COLORS["opiates"] in page


def test_events_without_route_columns_add_no_overlay():
    b = bs.boundaries()
    assert flow_overlays(pd.DataFrame(bs.events()), b, _country_outlines(b)) == []
