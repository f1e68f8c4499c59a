"""The data side of :mod:`geo.maps.choropleth`: classes, figures, geometry and their compact encoding.

A world admin-1 map holds ~4,600 polygons, 20 substance layers and the reports behind
every region. Written the way folium writes GeoJSON (one copy per layer, spaced JSON,
HTML strings with ``\\u003c`` escapes) that is over 20 MB; the goal is 5 MB. So the page
carries one copy of the geometry, simplified (shapely's coverage simplification keeps
shared borders shared), quantised to 10^-3 or 10^-4 degrees and delta-encoded as integer
arrays, and each region's figures as short pre-formatted strings that a few lines of
JavaScript turn into tooltips and popups with ``textContent`` (never ``innerHTML``), so
report text cannot become markup.
"""
from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.colormap import StepColormap
from branca.utilities import color_brewer

from ..errors import MapError

NO_DATA_COLOR = "#c9c9c9"
NO_DATA_LABEL = "no reports"
#: countries without a single report: the background, named in the legend
NOT_COVERED_COLOR = "#f4f1ea"
NOT_COVERED_LABEL = "country without reports"
# ColorBrewer Oranges without its two palest steps: YlOrRd's palest yellow read as the
# beige of countries without reports, and under a deuteranopia simulation (Machado et al.
# 2009, tests/test_maps.py) two of its middle oranges came within CIE76 7.5 of each other;
# Oranges keeps every pair of legend colours (classes, grey, beige) >= 10 apart for 3 to 7
# classes in normal, protan, deutan and tritan vision, ordered by lightness.
PALETTE = "Oranges"
PALETTE_SKIP = 2

#: substance codes in words where the code alone reads badly (others: "_" -> " ")
SUBSTANCE_WORDS = {
    "all": "all drugs",
    "opium_poppy": "opium poppy",
    "coca_paste": "coca paste",
    "coca_leaf": "coca leaf",
    "cannabis_herb": "cannabis herb",
    "cannabis_resin": "cannabis resin (hashish)",
    "cannabis_plant": "cannabis plants",
    "mdma": "MDMA (ecstasy)",
    "precursor": "precursor chemicals",
    "unspecified": "drugs not named",
}
SCHEMES = ("fisherjenks", "headtailbreaks", "naturalbreaks", "quantiles", "equalinterval",
           "jenkscaspall", "maximumbreaks", "percentiles", "stdmean", "boxplot")

# mapclassify's Fisher-Jenks is quadratic and runs in pure Python without numba (2.5 s
# for 2,000 values, per layer). Above this many values we run the same optimisation as
# numpy-vectorised dynamic programming on an evenly spaced quantile sample.
FISHER_JENKS_PURE = 300
FISHER_JENKS_SAMPLE = 1000
MAX_SENTENCE_CHARS = 240
# characters of report details shared by all popups of a map; with the sparklines and
# circle anchors of issue 13 (~300 kB on a world map) the page stays at its former size
POPUP_BUDGET = 1_100_000
POPUP_MIN_ENTRIES = 1
POPUP_MAX_ENTRIES = 50
_CLASS_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


# ----------------------------------------------------------------------- figures


def fmt(value: float) -> str:
    """A figure as people read it: 1,500 / 180 / 2.5 / 0.004."""
    if value == 0:
        return "0"
    a = abs(value)
    if a >= 100:
        return f"{value:,.0f}"
    if a >= 1:
        s = f"{value:,.1f}"
        return s[:-2] if s.endswith(".0") else s
    return f"{value:.2g}"


def amount(value: float, unit: str) -> str:
    """An amount with its unit, tonnes from 1,000 kg on: "8 t", "180 kg", "12,000 units"."""
    if unit == "kg" and abs(value) >= 1000:
        return f"{fmt(value / 1000)} t"
    return f"{fmt(value)} {unit}".strip()


def figures_of(item: Mapping[str, Any]) -> list[Any]:
    """The values an event's figure may be written as in its sentence."""
    return [item.get(k) for k in ("quantity", "quantity_kg", "count", "litres", "labs_destroyed")]


def num(value: Any) -> float | None:
    """A finite float, or None for missing/NaN/non-numbers."""
    if isinstance(value, (list, tuple, dict)):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) or math.isinf(v) else v


def text(value: Any) -> str | None:
    """Text of a cell, None when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    s = " ".join(str(value).split())
    return s or None


# ------------------------------------------------------------------ classification


@dataclass
class Layer:
    """One base layer of the map: a figure column classified into colours."""

    key: str
    label: str
    column: str
    unit: str
    classes: np.ndarray            # per region: class index, -1 where no figure
    bins: list[float] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    colormap: StepColormap | None = None
    words: str | None = None  # what an amount of it is, after the unit ("12 people arrested")
    none: str | None = None  # what a region has no reports of, when not ``short`` ("arrests")

    @property
    def short(self) -> str:
        return self.words or self.label.rsplit(" (", 1)[0]


def classify(values: np.ndarray, scheme: str = "fisherjenks", k: int = 5,
             log: bool = False) -> tuple[np.ndarray, list[float]]:
    """Class index per value (-1 where missing or <= 0) and the classes' upper bounds.

    Upper bounds are inclusive (mapclassify's convention). With no more distinct figures
    than classes each figure is its own class.
    """
    classes = np.full(len(values), -1, dtype=int)
    ok = np.isfinite(values) & (values > 0)
    y = values[ok]
    if y.size == 0:
        return classes, []
    z = np.log10(y) if log else y
    uniq = np.unique(z)
    if uniq.size <= k:
        classes[ok] = np.searchsorted(uniq, z, side="left")
        bins = uniq
    else:
        name = scheme.lower().replace("_", "").replace("-", "")
        c = None
        if name == "fisherjenks" and z.size > FISHER_JENKS_PURE:
            bins = np.asarray(jenks_breaks(z, k))
        else:
            # imported only here: mapclassify pulls in scipy (~2 s at first use)
            import mapclassify

            try:
                if name == "headtailbreaks":
                    c = mapclassify.HeadTailBreaks(z)
                else:
                    with warnings.catch_warnings():
                        # mapclassify's hint about numba: for <= FISHER_JENKS_PURE values
                        # its pure-Python Fisher-Jenks is fast enough
                        warnings.filterwarnings("ignore", message="Numba not installed")
                        c = mapclassify.classify(z, name, k=k)
            except Exception as exc:  # mapclassify raises plain ValueErrors
                raise MapError(f"classification {scheme!r} with k={k} failed: {exc}") from exc
        if c is not None:
            bins = np.asarray(c.bins, dtype=float)
        bins = np.unique(bins)
        bins = bins[bins >= z.min()]
        if bins.size == 0 or bins[-1] < z.max():  # the top class must hold the maximum
            bins = np.append(bins, z.max())
        classes[ok] = np.minimum(np.searchsorted(bins, z, side="left"), bins.size - 1)
    out = [float(b) for b in bins]
    if log:
        out = [float(10 ** b) for b in out]
    return classes, out


def jenks_breaks(values: np.ndarray, k: int, sample: int = FISHER_JENKS_SAMPLE) -> list[float]:
    """Upper bounds of the k Fisher-Jenks classes (minimum within-class squared deviation).

    Exact for up to ``sample`` values; above, exact on evenly spaced order statistics
    (min and max included), which keeps the heavy tail that a random sample may miss.
    """
    x = np.sort(np.asarray(values, dtype=float))
    if x.size > sample:
        x = x[np.unique(np.linspace(0, x.size - 1, sample).round().astype(int))]
    n = x.size
    k = min(k, n)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])

    best = np.empty((k, n))
    start = np.zeros((k, n), dtype=int)  # start index of the last class
    ends = np.arange(n)
    best[0] = (s2[ends + 1] - s2[0]) - (s1[ends + 1] - s1[0]) ** 2 / (ends + 1)
    block = 256  # rows of the (last x first) candidate matrix computed at once
    for j in range(1, k):
        best[j, :j] = np.inf
        first = np.arange(j, n)[None, :]
        prev = best[j - 1, first - 1]
        for lo in range(j, n, block):
            last = np.arange(lo, min(lo + block, n))[:, None]
            count = last - first + 1
            with np.errstate(divide="ignore", invalid="ignore"):
                total = s1[last + 1] - s1[first]
                within = (s2[last + 1] - s2[first]) - total * total / count
            candidates = np.where(count > 0, prev + within, np.inf)
            pick = np.argmin(candidates, axis=1)
            best[j, last[:, 0]] = candidates[np.arange(len(pick)), pick]
            start[j, last[:, 0]] = first[0, pick]
    uppers = []
    last = n - 1
    for j in range(k - 1, -1, -1):
        uppers.append(float(x[last]))
        last = start[j, last] - 1
        if last < 0:
            break
    return sorted(set(uppers))


def substance_words(code: str) -> str:
    """A substance code as a reader says it: "opium_poppy" -> "opium poppy"."""
    return SUBSTANCE_WORDS.get(code, code.replace("_", " "))


def palette(n: int) -> list[str]:
    """n ColorBrewer Oranges colours, light to dark, the two palest left out."""
    if n <= 0:
        return []
    colors = color_brewer(PALETTE, n=max(n + PALETTE_SKIP, 3))[PALETTE_SKIP:]
    return colors[-n:]


def round_down_125(v: float) -> float:
    """The largest 1, 2 or 5 x 10^n not above v (sample figures for a circle legend)."""
    if v <= 0:
        return 0.0
    e = 10 ** math.floor(math.log10(v))
    return float(max(c for c in (1, 2, 5, 10) if c * e <= v * (1 + 1e-9)) * e)


def nice_number(value: float, up: bool = False) -> float:
    """``value`` rounded to two significant digits (up, or to the nearest): 11,605 -> 12,000."""
    if value <= 0 or not math.isfinite(value):
        return value
    step = 10 ** (math.floor(math.log10(value)) - 1)
    q = value / step
    return (math.ceil(q - 1e-9) if up else round(q)) * step


def nice_breaks(values: np.ndarray, classes: np.ndarray, bins: list[float]) -> tuple[np.ndarray, list[float]]:
    """Class upper bounds rounded to two significant digits (the top one up, so it still
    holds the maximum), and the classes recomputed on them: a legend of 1,300 - 3,400 kg
    reads at a glance where 1,300 - 3,354 kg does not. Bounds that round together merge."""
    if len(bins) < 2:
        return classes, bins
    rounded = [nice_number(b) for b in bins[:-1]] + [nice_number(bins[-1], up=True)]
    rounded = sorted(set(rounded))
    ok = classes >= 0
    out = classes.copy()
    out[ok] = np.minimum(np.searchsorted(np.asarray(rounded), values[ok], side="left"), len(rounded) - 1)
    # a rounded bound below every figure leaves an empty first class: drop it
    used = sorted(set(out[ok].tolist()))
    if used and used[0] > 0:
        rounded = rounded[used[0]:]
        out[ok] -= used[0]
    return out, [float(b) for b in rounded]


def make_layer(key: str, label: str, column: str, unit: str, values: np.ndarray,
               scheme: str, k: int, log: bool) -> Layer:
    classes, bins = classify(values, scheme, k, log)
    if bins and len(bins) >= 2 and len(np.unique(values[classes >= 0])) > len(bins):
        classes, bins = nice_breaks(values, classes, bins)
    layer = Layer(key=key, label=label, column=column, unit=unit, classes=classes, bins=bins)
    if bins:
        layer.colors = palette(len(bins))
        low = float(np.nanmin(values[classes >= 0]))
        lows = [low] + bins[:-1]
        # The colormap holds the classes (index = class edges); colours are looked up by
        # class index, never by value, so a figure on an edge gets its class's colour.
        index = [low] + bins if bins[-1] > low else [low, low + 1]
        layer.colormap = StepColormap(layer.colors, index=index[: len(layer.colors) + 1],
                                      vmin=index[0], vmax=index[-1], caption=label)
        for i, (lo, hi) in enumerate(zip(lows, bins)):
            unit_s = f" {unit}" if unit else ""
            if fmt(lo) == fmt(hi):
                layer.labels.append(f"{fmt(hi)}{unit_s}")
            else:
                layer.labels.append(f"{fmt(lo)} – {fmt(hi)}{unit_s}")
    return layer


#: The layers of what the operations did beside the drugs seized: the regions table's
#: column -> (label, unit, words after an amount, what a region has "no reports of"),
#: so that the panel says "12 people arrested", "3 named operations", "1,200 ha crops
#: eradicated". Drawn when a region has a figure.
OPERATION_LAYERS = {
    "arrests": ("people arrested", "people", "arrested", "arrests"),
    "operations": ("operations named", "named", "operations", None),
    "eradicated_ha": ("crops eradicated (ha)", "ha", "crops eradicated", None),
}


def figure_layers(frame: pd.DataFrame, scheme: str, k: int, log: bool,
                  keep: Sequence[str] = ()) -> list[Layer]:
    """"all drugs (kg)" and one layer per kg_/count_/litres_ column holding a figure (or
    named in ``keep``: a substance whose only amounts could not be placed in a region),
    then the layers of :data:`OPERATION_LAYERS` whose column holds a figure."""
    specs: list[tuple[str, str, str, str]] = [("all", f"{substance_words('all')} (kg)", "kg_all", "kg")]
    for prefix, unit, suffix in (("kg_", "kg", "kg"), ("count_", "", "units"),
                                 ("litres_", "l", "litres")):
        for col in frame.columns:
            if not isinstance(col, str) or not col.startswith(prefix) or col == "kg_all":
                continue
            if col not in keep and not (pd.to_numeric(frame[col], errors="coerce") > 0).any():
                continue  # a substance nobody reported: a layer of grey helps no one
            sub = col[len(prefix):]
            specs.append((col, f"{substance_words(sub)} ({suffix})", col, unit))
    layers = []
    for key, label, col, unit in specs:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        layers.append(make_layer(re.sub(r"\W", "_", key), label, col, unit, values, scheme, k, log))
    for col, (label, unit, words, none) in OPERATION_LAYERS.items():
        if col not in frame.columns:
            continue
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        if not (values > 0).any():
            continue
        layer = make_layer(col, label, col, unit, values, scheme, k, log)
        layer.words, layer.none = words, none
        layers.append(layer)
    return layers


def class_string(layers: Sequence[Layer], i: int) -> str:
    """Region i's class in every layer, one character each ('-': no figure)."""
    return "".join("-" if layer.classes[i] < 0 else _CLASS_CHARS[layer.classes[i]] for layer in layers)


# ------------------------------------------------------------------------ geometry


def dateline_sides(countries: gpd.GeoSeries) -> dict[str, int]:
    """Countries split by the antimeridian (Russia, Fiji, USA, New Zealand's Chathams...):
    which way their far parts move so the country is drawn in one piece.

    A country qualifies when moving its western parts by +360° makes it narrower than it
    is (Russia: 19°..191° instead of -180°..180°). +1: parts west of 0° get +360°
    (Chukotka joins Russia); -1: parts east of 0° get -360° (the western Aleutians join
    Alaska). The side with less area moves. A part spanning the globe (Antarctica) rules
    the country out.
    """
    sides: dict[str, int] = {}
    for code, geom in countries.items():
        if geom is None or geom.is_empty:
            continue
        parts = list(getattr(geom, "geoms", [geom]))
        bounds = np.array([p.bounds for p in parts])
        if (bounds[:, 2] - bounds[:, 0]).max() > 180:
            continue
        raw = bounds[:, 2].max() - bounds[:, 0].min()
        if raw <= 180:
            continue
        west = np.array([p.centroid.x < 0 for p in parts])
        moved = bounds[:, [0, 2]] + np.where(west, 360.0, 0.0)[:, None]
        if moved[:, 1].max() - moved[:, 0].min() >= raw:
            continue
        east_area = sum(p.area for p, w in zip(parts, west) if not w)
        west_area = sum(p.area for p, w in zip(parts, west) if w)
        sides[code] = 1 if east_area >= west_area else -1
    return sides


def shift(geom: Any, side: int) -> Any:
    """Move the parts of ``geom`` on the far side of the antimeridian by ±360°."""
    if geom is None or geom.is_empty or not side:
        return geom
    parts = list(getattr(geom, "geoms", [geom]))
    moved = []
    for p in parts:
        x = p.centroid.x
        if side > 0 and x < 0:
            p = shapely.transform(p, lambda c: c + np.array([360.0, 0.0]))
        elif side < 0 and x >= 0:
            p = shapely.transform(p, lambda c: c - np.array([360.0, 0.0]))
        moved.append(p)
    if geom.geom_type == "MultiPolygon":
        return shapely.MultiPolygon(moved)
    return moved[0] if len(moved) == 1 else shapely.GeometryCollection(moved)


def auto_tolerance(bounds: Sequence[float]) -> float:
    """Simplification tolerance in degrees for a map of this extent (minx, miny, maxx, maxy).

    About 1/6000 of the extent: ~0.05° (5 km) for the world, ~0.002° for a province.
    """
    minx, miny, maxx, maxy = bounds
    extent = max(maxx - minx, maxy - miny, 0.0)
    return float(min(0.05, max(0.001, extent / 6000)))


def simplify(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify polygons; shared edges stay shared where the input is a clean coverage."""
    arr = np.asarray(geoms, dtype=object)
    if tolerance <= 0 or arr.size == 0:
        return arr
    valid = np.array([g is not None and not g.is_empty for g in arr])
    out = arr.copy()
    if valid.any():
        try:
            out[valid] = shapely.coverage_simplify(arr[valid], tolerance)
        except Exception:  # not a coverage (overlaps, invalid rings): each on its own
            out[valid] = shapely.simplify(arr[valid], tolerance, preserve_topology=True)
        # A polygon simplified away (a tiny island region) keeps its original shape:
        # every region embedded must stay drawable.
        lost = valid & np.array([g is None or g.is_empty for g in out])
        out[lost] = arr[lost]
    return out


def decimals_for(tolerance: float) -> int:
    """Coordinate decimals: well below the simplification tolerance, never above 5."""
    return 3 if tolerance >= 0.01 else 4 if tolerance >= 0.001 else 5


def encode_ring(coords: np.ndarray, scale: int) -> list[int] | None:
    """[x0, y0, dx1, dy1, ...] in units of 1/scale degree, repeated points dropped."""
    q = np.round(np.asarray(coords)[:, :2] * scale).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)
    q = q[keep]
    if len(q) < 3:
        return None
    d = np.empty_like(q)
    d[0] = q[0]
    d[1:] = q[1:] - q[:-1]
    return d.ravel().tolist()


def encode_polygons(geom: Any, scale: int) -> list[list[list[int]]]:
    """A (multi)polygon as a list of polygons, each a list of encoded rings."""
    if geom is None or geom.is_empty:
        return []
    polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon"]
    out = []
    for p in polys:
        shell = encode_ring(np.asarray(p.exterior.coords), scale)
        if shell is None:
            continue
        holes = [h for h in (encode_ring(np.asarray(r.coords), scale) for r in p.interiors) if h]
        out.append([shell, *holes])
    if not out and polys:
        # quantisation collapsed every ring: keep the largest one unsimplified-by-dedup
        biggest = max(polys, key=lambda g: g.area)
        c = np.round(np.asarray(biggest.exterior.coords)[:, :2] * scale).astype(np.int64)
        d = np.vstack([c[:1], np.diff(c, axis=0)])
        out.append([d.ravel().tolist()])
    return out


def total_bounds(geoms: Sequence[Any]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the non-empty geometries, or None."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


# ------------------------------------------------------------------- report lists


def safe_url(url: Any) -> str | None:
    """An http(s) URL, or None: javascript:/data: links would run code when clicked."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if re.match(r"^https?://[^\s\"'<>]+$", url, re.I) else None


def parse_list(value: Any) -> Any:
    """geo.aggregate stores the reports behind a region as JSON text; decode it."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _is_report_list(value: Any) -> bool:
    value = parse_list(value)
    return isinstance(value, (list, tuple)) and bool(value) and isinstance(value[0], Mapping)


def _as_list(value: Any) -> list:
    value = parse_list(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    return [value]


_LIST_COLUMNS = ("reports", "sources", "report_list", "reports_list", "contributions",
                 "event_list", "events_list", "items", "details")


def report_lists(frame: pd.DataFrame, events: pd.DataFrame | None) -> list[list[dict]]:
    """Per region, the events/reports behind it: the aggregate's list column, else events."""
    values = None
    for c in _LIST_COLUMNS:
        if c in frame.columns:
            # read once: geo.aggregate's sources are written as JSON text when read
            column = frame[c].tolist()
            if any(map(_is_report_list, column)):
                values = column
                break
    if values is None:
        for c in frame.columns:
            if c != "geometry" and frame[c].dtype == object and frame[c].map(_is_report_list).any():
                values = frame[c].tolist()
                break
    if values is not None:
        return [[dict(i) if isinstance(i, Mapping) else {"doc": i} for i in _as_list(v)]
                for v in values]
    if events is not None and "admin1" in events.columns:
        keep = [c for c in ("doc", "date", "place", "substance", "quantity_kg", "evidence", "url",
                            "title", "headline", "agencies")
                if c in events.columns]
        grouped = {code: part[keep].to_dict("records")
                   for code, part in events.groupby("admin1", sort=False)}
        return [grouped.get(code, []) for code in frame["code"]]
    return [[] for _ in range(len(frame))]


def sentence(item: Mapping[str, Any]) -> str | None:
    ev = item.get("sentence") or item.get("evidence")
    if isinstance(ev, Mapping):
        ev = ev.get("sentence")
    s = text(ev)
    if s and len(s) > MAX_SENTENCE_CHARS:
        s = s[: MAX_SENTENCE_CHARS - 1] + "…"
    return s


def popup_entry(item: Mapping[str, Any]) -> list:
    """[doc, date, place, what, sentence, url, title, agencies] for one event, strings or None."""
    what = []
    kg = num(item.get("quantity_kg"))
    if kg is not None:
        what.append(amount(kg, "kg"))
    elif num(item.get("count")) is not None:
        what.append(amount(num(item.get("count")), "units"))
    elif num(item.get("litres")) is not None:
        what.append(amount(num(item.get("litres")), "l"))
    if text(item.get("substance")):
        what.append(substance_words(text(item.get("substance"))))
    labs = num(item.get("labs_destroyed"))
    if labs:
        what.append(f"{fmt(labs)} labs destroyed")
    hectares = num(item.get("hectares"))
    if hectares:
        crop = text(item.get("crop"))
        what.append(f"{fmt(hectares)} ha{' of ' + crop if crop else ''} eradicated")
    agencies = item.get("agencies")
    if isinstance(agencies, (list, tuple, np.ndarray)):
        agencies = ", ".join(t for t in (text(a) for a in agencies) if t)
    return [text(item.get("doc", item.get("id"))), text(item.get("date")), text(item.get("place")),
            " ".join(what) or None, sentence(item), safe_url(item.get("url")),
            text(item.get("title") or item.get("headline")), text(agencies)]


def popup_entries(items: list[dict], budget: int) -> tuple[list[list], int, int]:
    """As many entries as fit in ``budget`` characters (at least one), and what is left:
    (entries, events not listed, reports not listed)."""
    entries: list[list] = []
    used = 0
    seen_sentences: set = set()
    for item in items:
        if len(entries) >= POPUP_MAX_ENTRIES:
            break
        entry = popup_entry(item)
        # a sentence shown once per report: the others cost nothing to repeat
        key = (entry[0], entry[4])
        # + the JSON around it: brackets, quotes, the figure's index and highlight span
        size = sum(len(x) for x in entry[:4] if x) + 30 + (
            0 if key in seen_sentences else len(entry[4] or ""))
        if entries and len(entries) >= POPUP_MIN_ENTRIES and used + size > budget:
            break
        seen_sentences.add(key)
        entries.append(entry)
        used += size
    rest = items[len(entries):]
    shown_docs = {e[0] for e in entries}
    more_docs = {text(i.get("doc", i.get("id"))) for i in rest} - shown_docs
    return entries, len(rest), len(more_docs)


_NUMBER = re.compile(r"\d+(?:[ ,.\u202f\u00a0]\d{3})*(?:[.,]\d+)?")
_UNIT_WORD = re.compile(r"[ \u00a0-]?(?:(?:metric |short )?(?:tonnes?|tons?|kilo(?:gram)?s?|kgs?|grams?|g|"
                        r"pounds?|lbs?|t|litres?|liters?|l|gallons?|gal|"
                        r"million|thousand|billion|units?|pills?|tablets?|doses?|packages?|"
                        r"packets?|bales?|bags?|bricks?|blocks?))\b", re.I)


def _as_number(token: str) -> float | None:
    t = token.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    # "1,500" and "1.500" as thousands, "2.5"/"2,5" as decimals
    if re.fullmatch(r"\d{1,3}([,.])\d{3}(\1\d{3})*", t):
        t = re.sub(r"[,.]", "", t)
    else:
        t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


_SCALE_WORDS = (("billion", 1e9), ("million", 1e6), ("thousand", 1e3), ("tonne", 1e3), ("ton", 1e3),
                ("pound", 0.45359237), ("lb", 0.45359237), ("gram", 1e-3), ("g", 1e-3), ("t", 1e3))


def figure_span(sentence_text: str | None, figures: Sequence[Any]) -> list[int] | None:
    """[start, end) of a figure's words in its sentence ("180 kilos" in "... 180 kilos of
    heroin ..."), found by value: the number as written, or times its scale word ("1.5
    tonnes" for 1,500 kg, "34 million" for 34,000,000 units). ``figures`` are the values
    the event may be written as (quantity, kg, count, litres). None when the sentence
    writes it otherwise ("a tonne", "two tons")."""
    wanted = [v for v in (num(f) for f in figures) if v is not None and v > 0]
    if not sentence_text or not wanted:
        return None
    for m in _NUMBER.finditer(sentence_text):
        v = _as_number(m.group(0))
        if v is None:
            continue
        end = m.end()
        factor = 1.0
        while True:  # "1.5 metric tons", "34 million units"
            u = _UNIT_WORD.match(sentence_text, end)
            if not u or u.end() == end:
                break
            word = u.group(0).strip(" \u00a0-").lower().split()[-1]
            factor *= next((f for w, f in _SCALE_WORDS if word.startswith(w) and (
                len(w) > 2 or word == w)), 1.0)
            end = u.end()
        if any(math.isclose(v, w, rel_tol=1e-3) or math.isclose(v * factor, w, rel_tol=1e-3)
               for w in wanted):
            return [m.start(), end]
    return None


def report_groups(entries: list[list], quantities: list[Any]) -> list[list]:
    """Popup entries grouped by report, each sentence once with its figures highlighted.

    Per report: [title, date, agencies, url, sentences, figures(, file)] where sentences is
    [[text, [[start, end], ...]], ...] and figures [[what, place, sentence index or -1], ...];
    title is the headline (the report id where none is known); file, the report id,
    only follows when a headline is the title.
    ``entries`` come from :func:`popup_entries` with two more fields each: title and agencies.
    """
    groups: dict[Any, list] = {}
    for entry, q in zip(entries, quantities):
        doc, date, place, what, sent, url, title, agencies = entry
        g = groups.get(doc)
        if g is None:
            g = groups[doc] = [title or doc, date, agencies, url, [], [], {}, doc if title else None]
        else:
            g[1] = g[1] or date
            g[2] = g[2] or agencies
            g[3] = g[3] or url
        index = -1
        if sent:
            index = g[6].get(sent)
            if index is None:
                index = g[6][sent] = len(g[4])
                g[4].append([sent, []])
            span = figure_span(sent, q if isinstance(q, (list, tuple)) else [q])
            if span and span not in g[4][index][1]:
                g[4][index][1].append(span)
        g[5].append([what, place, index])
    out = []
    for g in groups.values():
        for s in g[4]:
            s[1].sort()
            # overlapping spans (one figure read twice) would garble the highlighting
            kept: list[list[int]] = []
            for span in s[1]:
                if not kept or span[0] >= kept[-1][1]:
                    kept.append(span)
            s[1] = kept
        out.append(g[:6] + ([g[7]] if g[7] else []))
    return out


def period_key(date: Any) -> str | None:
    """The period an event's date falls in: its month ("2013-01") when the date names one,
    its year ("2013") for a date of year precision, None when undated."""
    d = text(date)
    m = re.match(r"^(\d{4})(?:-(\d{2})(?!\d))?", d) if d else None
    if not m:
        return None
    return f"{m[1]}-{m[2]}" if m[2] and "01" <= m[2] <= "12" else m[1]


#: what an item gives to a layer: kg_<s> its quantity_kg, count_<s> its count, litres_<s> its litres
_LAYER_FIELDS = {"kg": "quantity_kg", "count": "count", "litres": "litres"}


def cell_value(v: float) -> float | int:
    """A period figure for the page: six significant digits (sums of events carry float
    noise such as 0.30000000000000004), an int when whole."""
    r = float(f"{v:.6g}")
    return int(r) if r.is_integer() and abs(r) < 2 ** 53 else r


def period_cells(items: Sequence[Mapping[str, Any]], layers: Sequence[Layer],
                 periods: dict[str, int]) -> dict[tuple[int, int], float]:
    """{(layer index, period index): amount} of a region's events (or of the events a
    country could not place). Period index 0 is "no date"; ``periods`` grows with every
    new period key. The "all drugs" layer is left out: the page sums it from the layers
    marked ``in_all``, as geo.aggregate does."""
    by_column = {layer.column: i for i, layer in enumerate(layers) if layer.key != "all"}
    cells: dict[tuple[int, int], float] = {}
    named: dict[tuple[int, int], set] = {}  # the operations of a period: distinct names
    for item in items:
        sub = text(item.get("substance"))
        key = period_key(item.get("date"))
        p = 0 if key is None else periods.setdefault(key, len(periods) + 1)
        for prefix, field_name in _LAYER_FIELDS.items():
            i = by_column.get(f"{prefix}_{sub}") if sub else None
            v = num(item.get(field_name)) if i is not None else None
            if v is not None and v > 0:
                cells[(i, p)] = cells.get((i, p), 0.0) + v
        for column, field_name in (("arrests", "arrests"), ("eradicated_ha", "hectares")):
            i = by_column.get(column)
            v = num(item.get(field_name)) if i is not None else None
            if v is not None and v > 0:
                cells[(i, p)] = cells.get((i, p), 0.0) + v
        i = by_column.get("operations")
        if i is not None and text(item.get("operation")):
            named.setdefault((i, p), set()).add(text(item.get("operation")))
    # an operation counts once in each period it is told in (a range of periods adds them)
    cells.update({cell: float(len(names)) for cell, names in named.items()})
    return cells


def encode_cells(cells: Mapping[tuple[int, int], float], order: Mapping[int, int]) -> list:
    """Flat [layer, n, period delta, amount, ... (n pairs), layer, n, ...]: periods as
    indices of the page's sorted period list (``order`` maps the first-seen index to
    it), ascending and delta-coded, so most take one or two digits."""
    by_layer: dict[int, list[tuple[int, float]]] = {}
    for (i, p), v in cells.items():
        by_layer.setdefault(i, []).append((order[p] if p else 0, v))
    out: list = []
    for i in sorted(by_layer):
        pairs = sorted(by_layer[i])
        out += [i, len(pairs)]
        last = 0
        for p, v in pairs:
            out += [p - last, cell_value(v)]
            last = p
    return out


# ---------------------------------------------------------------------- serialising


def js_json(value: Any) -> str:
    """Compact JSON that is safe inside a <script> element.

    '<' only occurs inside JSON strings, so escaping it as \\u003c leaves the data
    unchanged and makes '</script>' or '<!--' in a report harmless.
    """
    s = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return s.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
