"""The map's routes overlays: a curved line per leg of the events' routes, one overlay per
drug group.

A route is drawn as two legs, origin -> place of seizure and place of seizure ->
destination (the events' ``origin``/``destination``, see :mod:`geo.extraction.routes`);
legs with the same ends and drug group are one line, its width growing with the square
root of the kilograms (so that area, not length, reads as amount), its tooltip the sum.
An end is placed at a point inside its admin-1 region or its country (shapely's
representative point, always inside the shape); a world region ("Europe") has no shape in
the boundary set and its leg is not drawn (the events' table keeps it).
"""
from __future__ import annotations

import math

import folium
import geopandas as gpd
import pandas as pd

from ..text.substances import GROUP_LABELS
from . import classify as md

__all__ = ["FLOW_COLORS", "flow_overlays"]

#: one colour per drug group (groups.toml's codes); ColorBrewer Dark2, told apart by
#: colour-blind readers better than a rainbow
FLOW_COLORS = {"opiates": "#7570b3", "cocaine": "#d95f02", "cannabis": "#1b9e77",
               "ats": "#e7298a", "other": "#a6761d", "precursors": "#66a61e"}
OTHER_COLOR = "#666666"
MIN_WEIGHT, MAX_WEIGHT = 2.0, 12.0  # px, the thinnest and the widest line
_BEND = 0.2  # the curve's height, as a share of the leg's length
_STEPS = 16  # segments per curve


def _anchors(bounds: gpd.GeoDataFrame, outlines: gpd.GeoSeries) -> tuple[dict, dict]:
    regions = {}
    if "code" in bounds.columns:
        for code, geom in zip(bounds["code"].astype(str), bounds.geometry):
            if geom is not None and not geom.is_empty and code not in regions:
                regions[code] = geom
    return regions, dict(outlines.items())


def _point(code: str | None, regions: dict, countries: dict, cache: dict) -> tuple | None:
    if not code:
        return None
    if code not in cache:
        geom = regions.get(code) or countries.get(code)
        p = geom.representative_point() if geom is not None else None
        cache[code] = (p.y, p.x) if p is not None else None
    return cache[code]


def curve(a: tuple[float, float], b: tuple[float, float], steps: int = _STEPS) -> list[list[float]]:
    """Points (lat, lon) of a quadratic Bézier from ``a`` to ``b`` bent to the left of the
    direction of travel, so that A -> B and B -> A are two lines, not one."""
    (y0, x0), (y1, x1) = a, b
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    cx, cy = mx - (y1 - y0) * _BEND, my + (x1 - x0) * _BEND
    out = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        out.append([round(u * u * y0 + 2 * u * t * cy + t * t * y1, 5),
                    round(u * u * x0 + 2 * u * t * cx + t * t * x1, 5)])
    return out


def flow_overlays(ev: pd.DataFrame, bounds: gpd.GeoDataFrame,
                  outlines: gpd.GeoSeries) -> list[tuple[folium.FeatureGroup, dict]]:
    """One hidden overlay per drug group with a route, and its legend entry (label,
    colour, note), in the order of :data:`FLOW_COLORS`. Empty when no event has a route
    with two ends on the map."""
    if not {"origin", "destination"} <= set(ev.columns):
        return []
    regions, countries = _anchors(bounds, outlines)
    cache: dict = {}
    legs: dict[tuple, list] = {}
    for rec in ev.to_dict("records"):
        origin, dest = md.text(rec.get("origin")), md.text(rec.get("destination"))
        if not origin and not dest:
            continue
        here_code = md.text(rec.get("admin1")) or md.text(rec.get("country"))
        geom = rec.get("geometry")
        if geom is not None and not getattr(geom, "is_empty", True) and geom.geom_type == "Point":
            here = (geom.y, geom.x)
        else:
            here = _point(here_code, regions, countries, cache)
        if here is None:
            continue
        group = md.text(rec.get("drug_group")) or "other"
        kg = md.num(rec.get("quantity_kg")) or 0.0
        for a_code, b_code, a, b in (
                (origin, here_code, _point(origin, regions, countries, cache), here),
                (here_code, dest, here, _point(dest, regions, countries, cache))):
            if a is None or b is None or a_code == b_code or not a_code or not b_code:
                continue  # an end off the map, or the leg of a route into its own region
            leg = legs.setdefault((group, a_code, b_code), [a, b, 0.0, 0])
            leg[2] += kg
            leg[3] += 1
    if not legs:
        return []
    top = max(v[2] for v in legs.values()) or 1.0
    out = []
    order = list(FLOW_COLORS) + sorted({g for g, _, _ in legs} - set(FLOW_COLORS))
    for group in order:
        mine = sorted(((k, v) for k, v in legs.items() if k[0] == group), key=lambda kv: -kv[1][2])
        if not mine:
            continue
        color = FLOW_COLORS.get(group, OTHER_COLOR)
        label = f"routes: {GROUP_LABELS.get(group, group)}"
        fg = folium.FeatureGroup(name=label, overlay=True, control=False, show=False)
        for (_, a_code, b_code), (a, b, kg, n) in mine:
            weight = MIN_WEIGHT + (MAX_WEIGHT - MIN_WEIGHT) * math.sqrt(kg / top)
            amount = f"{md.fmt(kg)} kg" if kg else "amount not in kg"
            tip = f"{a_code} → {b_code}: {amount}, {n} event{'s' if n != 1 else ''}"
            folium.PolyLine(curve(a, b), color=color, weight=round(weight, 1), opacity=0.75,
                            tooltip=tip).add_to(fg)
        # the note once, under the first routes overlay: the same words under each repeat
        out.append((fg, {"label": label, "color": color,
                         "note": "" if out else "origin -> seizure -> destination; wider for more kg"}))
    return out
