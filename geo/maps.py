"""Offline choropleth maps of regional seizure aggregates.

:func:`choropleth` turns the GeoDataFrame of :func:`geo.aggregate` (one row per region,
``kg_<substance>`` columns, ``labs_destroyed``, ``events``, ``reports`` ...) into a
folium map whose :meth:`OfflineMap.save` writes one HTML file that opens without network:

* one radio-button base layer per substance plus "all drugs (kg)"; the region polygons
  are embedded once and restyled when the layer changes (one copy of the geometry
  instead of one per substance keeps a world map small);
* classes from mapclassify (Fisher-Jenks by default, suited to the heavy tails of
  seizure figures; ``log=True`` classifies log10 values), colours from a branca
  StepColormap, regions without reports in grey under "no reports";
* a discrete legend that follows the visible layer, tooltips with the figures, popups
  listing the reports behind each region, "labs destroyed" and "events" overlays
  (events clustered with Leaflet.markercluster);
* no tile server by default: a light country-outline layer from the boundaries.

Report text is untrusted: every string from a report or an aggregate is HTML-escaped in
Python before it reaches the page, because folium puts tooltip and popup values in
``innerHTML``.
"""
from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.colormap import StepColormap
from branca.utilities import color_brewer
from jinja2 import Template

from . import offline
from .errors import MapError

__all__ = ["choropleth", "OfflineMap", "NO_DATA_COLOR", "SCHEMES"]

NO_DATA_COLOR = "#d9d9d9"
NO_DATA_LABEL = "no reports"
PALETTE = "YlOrRd"
SCHEMES = ("fisherjenks", "headtailbreaks", "naturalbreaks", "quantiles", "equalinterval",
           "jenkscaspall", "maximumbreaks", "percentiles", "stdmean", "boxplot")
MAX_POPUP_REPORTS = 15     # a region's popup lists this many reports, then says how many more
MAX_SENTENCE_CHARS = 280
COORD_DECIMALS = 4         # ~11 m: far below what a choropleth of provinces can show
SIMPLIFY_DEGREES = 0.01    # ~1 km
FISHER_JENKS_SAMPLE = 2000 # exact Fisher-Jenks is quadratic: sample above this many values

REGION_STYLE = {"color": "#ffffff", "weight": 0.6, "fillOpacity": 0.8}
# keys of the lists of contributing reports an aggregate may carry
_REPORT_LIST_COLUMNS = ("sources", "report_list", "reports_list", "contributions",
                        "evidence", "items", "details", "event_list", "events_list", "docs")


class OfflineMap(folium.Map):
    """A :class:`folium.Map` whose HTML inlines every script and stylesheet.

    ``allowed_urls`` lists URL prefixes that may stay external (the tile server the
    user asked for); anything else external makes :meth:`to_html` raise MapError.
    """

    def __init__(self, *args: Any, allowed_urls: Iterable[str] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.allowed_urls = tuple(allowed_urls)

    def to_html(self) -> str:
        """The complete, self-contained HTML page."""
        page = self.get_root().render()
        return offline.inline_assets(page, allowed=self.allowed_urls)

    def save(self, outfile: Any, close_file: bool = True, **kwargs: Any) -> None:
        """Write the self-contained page to a path or an open (text or binary) file."""
        page = self.to_html()
        if hasattr(outfile, "write"):
            try:
                outfile.write(page)
            except TypeError:
                outfile.write(page.encode("utf-8"))
            if close_file:
                outfile.close()
            return
        with open(outfile, "w", encoding="utf-8") as fh:
            fh.write(page)

    def _repr_html_(self, **kwargs: Any) -> str:
        # Notebooks show the offline page too, so what one sees is what gets saved.
        page = html.escape(self.to_html(), quote=True)
        return (f'<div style="width:100%;height:500px"><iframe srcdoc="{page}" '
                'style="width:100%;height:100%;border:none"></iframe></div>')


@dataclass
class _Layer:
    key: str          # javascript-safe id
    label: str        # what the layer control and the legend show
    column: str
    unit: str
    colors: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    classes: np.ndarray | None = None  # per region: class index, -1 for no reports
    colormap: StepColormap | None = None


# --------------------------------------------------------------------------- helpers


def _esc(value: Any) -> str:
    """HTML-escape anything (None -> empty), quotes included: it may end in attributes."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


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


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, float) and math.isnan(value):
        return []
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    return [value]


# ---------------------------------------------------------------- classification


def _classify(values: np.ndarray, scheme: str, k: int, log: bool) -> tuple[np.ndarray, list[float]]:
    """Class index per value (-1 where missing or <= 0) and the classes' upper bounds."""
    import mapclassify

    classes = np.full(len(values), -1, dtype=int)
    ok = np.isfinite(values) & (values > 0)
    y = values[ok]
    if y.size == 0:
        return classes, []
    z = np.log10(y) if log else y
    uniq = np.unique(z)
    if uniq.size <= k:
        # No more distinct figures than classes: each figure is its own class
        # (classifiers need more values than classes).
        yb = np.searchsorted(uniq, z, side="left")
        classes[ok] = yb
        return classes, [float(10 ** b) if log else float(b) for b in uniq]
    name = scheme.lower().replace("_", "").replace("-", "")
    if name == "fisherjenks" and z.size > FISHER_JENKS_SAMPLE:
        name = "fisherjenkssampled"
    kk = int(min(k, uniq.size))
    try:
        if name == "headtailbreaks":
            c = mapclassify.HeadTailBreaks(z)
        elif name == "fisherjenkssampled":
            # sampled Fisher-Jenks draws a random sample: seed it so a re-run gives the same map
            np.random.seed(0)
            c = mapclassify.FisherJenksSampled(z, k=kk, pct=min(1.0, FISHER_JENKS_SAMPLE / z.size))
        else:
            c = mapclassify.classify(z, name, k=kk)
    except Exception as exc:  # mapclassify raises plain ValueErrors
        raise MapError(f"classification {scheme!r} with k={k} failed: {exc}") from exc
    bins = [float(b) for b in c.bins]
    # the top bin must hold the maximum (sampled classifiers can miss it)
    bins[-1] = max(bins[-1], float(z.max()))
    yb = np.searchsorted(np.asarray(bins), z, side="left")
    classes[ok] = np.minimum(yb, len(bins) - 1)
    if log:
        bins = [float(10 ** b) for b in bins]
    return classes, bins


def _palette(n: int) -> list[str]:
    colors = color_brewer(PALETTE, n=max(n, 3))
    if n < 3:  # keep the strong end so one class is not nearly white
        colors = colors[-n:] if n else []
    return colors


def _make_layer(key: str, label: str, column: str, unit: str, values: np.ndarray,
                scheme: str, k: int, log: bool) -> _Layer:
    classes, bins = _classify(values, scheme, k, log)
    layer = _Layer(key=key, label=label, column=column, unit=unit, classes=classes)
    if bins:
        layer.colors = _palette(len(bins))
        lows = [float(np.nanmin(values[classes >= 0]))] + bins[:-1]
        layer.colormap = StepColormap(layer.colors, index=[lows[0]] + bins,
                                      vmin=lows[0], vmax=bins[-1], caption=label)
        for i, (lo, hi) in enumerate(zip(lows, bins)):
            if i == 0 and fmt(lo) == fmt(hi):
                layer.labels.append(f"{fmt(hi)} {unit}".strip())
            else:
                layer.labels.append(f"{fmt(lo)} – {fmt(hi)} {unit}".strip())
    return layer


# ----------------------------------------------------------------------- geometry


def _dateline_sides(countries: gpd.GeoSeries) -> dict[str, int]:
    """Countries split at ±180° (Russia, Fiji, USA...): which side to move across.

    +1: parts west of 0° get +360 (Chukotka joins Russia); -1: parts east of 0° get -360
    (the western Aleutians join Alaska). The smaller side moves. A country with one part
    spanning the whole globe (Antarctica) is left alone.
    """
    sides: dict[str, int] = {}
    for code, geom in countries.items():
        if geom is None or geom.is_empty:
            continue
        minx, _, maxx, _ = geom.bounds
        if not (minx < -179.0 and maxx > 179.0):
            continue
        parts = list(getattr(geom, "geoms", [geom]))
        if any(p.bounds[2] - p.bounds[0] > 180 for p in parts):
            continue
        east = sum(p.area for p in parts if p.centroid.x >= 0)
        west = sum(p.area for p in parts if p.centroid.x < 0)
        sides[code] = 1 if east >= west else -1
    return sides


def _shift(geom: Any, side: int) -> Any:
    if geom is None or geom.is_empty or side == 0:
        return geom
    parts = list(getattr(geom, "geoms", [geom]))

    def move(p: Any) -> Any:
        x = p.centroid.x
        if side > 0 and x < 0:
            return shapely.transform(p, lambda c: c + np.array([360.0, 0.0]))
        if side < 0 and x >= 0:
            return shapely.transform(p, lambda c: c - np.array([360.0, 0.0]))
        return p

    moved = [move(p) for p in parts]
    if len(moved) == 1:
        return moved[0]
    if geom.geom_type == "MultiPolygon":
        return shapely.MultiPolygon(moved)
    if geom.geom_type == "MultiPoint":
        return shapely.MultiPoint(moved)
    return shapely.GeometryCollection(moved)


def _prepare(geoms: gpd.GeoSeries, tolerance: float) -> np.ndarray:
    """Simplify (shared edges kept shared where the input is a coverage) and round."""
    arr = np.asarray(geoms.values, dtype=object)
    valid = np.array([g is not None and not g.is_empty for g in arr])
    out = arr.copy()
    if tolerance > 0 and valid.any():
        try:
            out[valid] = shapely.coverage_simplify(arr[valid], tolerance)
        except Exception:  # not a clean coverage: simplify each polygon on its own
            out[valid] = shapely.simplify(arr[valid], tolerance, preserve_topology=True)
    out[valid] = shapely.transform(out[valid], lambda c: np.round(c, COORD_DECIMALS))
    return out


def _geojson_geometry(geom: Any) -> dict | None:
    if geom is None or geom.is_empty:
        return None
    return shapely.geometry.mapping(geom)


# ----------------------------------------------------------------- text builders


def _figure_rows(row: Mapping[str, Any], layers: list[_Layer]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for layer in layers:
        v = _num(row.get(layer.column))
        if v is not None and v > 0:
            rows.append((layer.label.rsplit(" (", 1)[0], f"{fmt(v)} {layer.unit}".strip()))
    for column, label in (("labs_destroyed", "labs destroyed"), ("events", "events")):
        v = _num(row.get(column))
        if v is not None and v > 0:
            rows.append((label, fmt(v)))
    # number of reports: a count, or geo.aggregate's list of report ids
    ids = row.get("report_ids")
    n = len(ids) if isinstance(ids, (list, tuple, np.ndarray)) else _num(row.get("reports"))
    if n:
        rows.append(("reports", fmt(n)))
    first, last = row.get("first_date"), row.get("last_date")
    if first is not None and not pd.isna(first):
        first_s, last_s = str(first)[:10], str(last)[:10] if last is not None and not pd.isna(last) else ""
        rows.append(("dates", first_s if not last_s or last_s == first_s else f"{first_s} – {last_s}"))
    return rows


def _tooltip_html(row: Mapping[str, Any], layers: list[_Layer]) -> str:
    head = f"<b>{_esc(row.get('name') or row.get('code'))}</b>"
    if row.get("country"):
        head += f" <span class='sa-country'>({_esc(row.get('country'))})</span>"
    rows = _figure_rows(row, layers)
    if not rows:
        return f"{head}<br><i>{NO_DATA_LABEL}</i>"
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows)
    return f"{head}<table class='sa-figures'>{body}</table>"


def _safe_url(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    url = url.strip()
    # javascript:/data: links would run code when clicked
    return url if re.match(r"^https?://", url, re.I) else None


def _report_item(item: Any) -> dict:
    if isinstance(item, Mapping):
        return dict(item)
    if hasattr(item, "__dict__"):
        return dict(vars(item))
    return {"doc": item}


def _sentence(item: Mapping[str, Any]) -> str:
    ev = item.get("sentence") or item.get("evidence")
    if isinstance(ev, Mapping):
        ev = ev.get("sentence")
    if ev is None or (isinstance(ev, float) and math.isnan(ev)):
        return ""
    ev = " ".join(str(ev).split())
    return ev if len(ev) <= MAX_SENTENCE_CHARS else ev[: MAX_SENTENCE_CHARS - 1] + "…"


def _popup_html(row: Mapping[str, Any], items: list[dict]) -> str:
    head = f"<b>{_esc(row.get('name') or row.get('code'))}</b>"
    if row.get("country"):
        head += f" ({_esc(row.get('country'))})"
    if not items:
        return f"{head}<br><i>{NO_DATA_LABEL}</i>"
    lis = []
    for item in items[:MAX_POPUP_REPORTS]:
        bits = [f"<b>{_esc(item.get('doc', item.get('id')))}</b>"]
        for key in ("date", "place"):
            if item.get(key) not in (None, "") and not pd.isna(item.get(key)):
                bits.append(_esc(item.get(key)))
        what = []
        if item.get("substance"):
            what.append(_esc(item["substance"]))
        kg = _num(item.get("quantity_kg"))
        if kg is not None:
            what.append(f"{fmt(kg)} kg")
        if what:
            bits.append(" ".join(what))
        line = " · ".join(bits)
        sentence = _sentence(item)
        if sentence:
            line += f"<br><q>{_esc(sentence)}</q>"
        url = _safe_url(item.get("url"))
        if url:
            line += (f" <a href=\"{_esc(url)}\" target=\"_blank\" "
                     f"rel=\"noopener noreferrer\">source</a>")
        lis.append(f"<li>{line}</li>")
    more = len(items) - MAX_POPUP_REPORTS
    tail = f"<p>… and {more} more</p>" if more > 0 else ""
    return f"{head}<ol class='sa-reports'>{''.join(lis)}</ol>{tail}"


# ------------------------------------------------------------------ JS elements


class _Panes(folium.MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        {%- for name, z in this.panes %}
        {{ this._parent.get_name() }}.createPane({{ name|tojson }}).style.zIndex = {{ z|tojson }};
        {%- endfor %}
        {%- for name in this.inert %}
        {{ this._parent.get_name() }}.getPane({{ name|tojson }}).style.pointerEvents = "none";
        {%- endfor %}
        {% endmacro %}
    """)

    def __init__(self, panes: list[tuple[str, int]], inert: list[str]):
        super().__init__()
        self._name = "Panes"
        self.panes = panes
        self.inert = inert


class _LayerSwitch(folium.MacroElement):
    """Restyles the one regions layer and swaps the legend when the base layer changes."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .sa-legend { background: rgba(255,255,255,.92); padding: 6px 9px; font: 12px/1.35 sans-serif;
                     border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
        .sa-legend .sa-title { font-weight: bold; margin-bottom: 3px; }
        .sa-legend i { display: inline-block; width: 14px; height: 12px; margin-right: 6px;
                       vertical-align: -2px; border: 1px solid #999; }
        .sa-figures th { text-align: left; padding-right: 8px; font-weight: normal; color: #555; }
        .sa-figures td { text-align: right; }
        .sa-reports { padding-left: 18px; margin: 4px 0; max-height: 260px; overflow-y: auto; }
        .sa-reports li { margin-bottom: 4px; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var regions = {{ this.regions.get_name() }};
            var cfg = {{ this.config|tojson }};
            var byLayer = {
                {%- for name, index in this.switches %}
                [L.stamp({{ name }})]: {{ index|tojson }},
                {%- endfor %}
            };
            function styler(i) {
                var layer = cfg.layers[i];
                return function(feature) {
                    var k = feature.properties._k[i];
                    var s = Object.assign({}, cfg.style);
                    s.fillColor = k < 0 ? cfg.noData : layer.colors[k];
                    return s;
                };
            }
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function() {
                this._div = L.DomUtil.create("div", "sa-legend");
                L.DomEvent.disableClickPropagation(this._div);
                return this._div;
            };
            legend.show = function(i) {
                var layer = cfg.layers[i], div = this._div;
                div.textContent = "";
                div.setAttribute("data-layer", layer.key);
                var title = L.DomUtil.create("div", "sa-title", div);
                title.textContent = layer.label;
                var rows = layer.labels.map(function(label, k) { return [layer.colors[k], label]; });
                rows.push([cfg.noData, cfg.noDataLabel]);
                rows.forEach(function(r) {
                    var row = L.DomUtil.create("div", "sa-row", div);
                    var sw = L.DomUtil.create("i", "", row);
                    sw.style.background = r[0];
                    row.appendChild(document.createTextNode(r[1]));
                });
            };
            legend.addTo(map);
            legend.show({{ this.initial|tojson }});
            map.on("baselayerchange", function(e) {
                var i = byLayer[L.stamp(e.layer)];
                if (i === undefined) { return; }
                regions.options.style = styler(i);  // resetStyle after a hover uses it
                regions.setStyle(regions.options.style);
                legend.show(i);
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, regions: folium.GeoJson, switches: list[tuple[str, int]], config: dict,
                 initial: int):
        super().__init__()
        self._name = "LayerSwitch"
        self.regions = regions
        self.switches = switches
        self.config = config
        self.initial = initial


class _FitBounds(folium.MacroElement):
    # folium's fit_bounds clamps nothing, but we also want a sane zoom when the data are
    # one small region; maxZoom keeps the whole province in view.
    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }}, {maxZoom: 7, padding: [10, 10]});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "FitBounds"
        self.bounds = bounds


# ----------------------------------------------------------------------- the map


def _default_boundaries() -> gpd.GeoDataFrame | None:
    try:
        from . import boundaries as _b
    except ImportError:
        return None
    try:
        return _b.default()
    except Exception:  # no boundary file in this checkout: map only what we were given
        return None


def _layers_for(frame: pd.DataFrame, scheme: str, k: int, log: bool) -> list[_Layer]:
    specs: list[tuple[str, str, str, str]] = [("all", "all drugs (kg)", "kg_all", "kg")]
    for prefix, unit, suffix in (("kg_", "kg", "kg"), ("count_", "units", "units"),
                                 ("litres_", "l", "litres")):
        for col in frame.columns:
            if not isinstance(col, str) or not col.startswith(prefix) or col == "kg_all":
                continue
            values = pd.to_numeric(frame[col], errors="coerce")
            if not (values > 0).any():
                continue  # a substance nobody reported: a layer of grey helps no one
            sub = col[len(prefix):]
            specs.append((f"{prefix}{sub}", f"{sub.replace('_', ' ')} ({suffix})", col, unit))
    layers = []
    for key, label, col, unit in specs:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        layers.append(_make_layer(re.sub(r"\W", "_", key), label, col, unit, values, scheme, k, log))
    return layers


def _validate(aggregates: Any) -> gpd.GeoDataFrame:
    if not isinstance(aggregates, gpd.GeoDataFrame):
        raise MapError(f"choropleth needs a GeoDataFrame of regional aggregates, got {type(aggregates).__name__}")
    if aggregates.geometry.name not in aggregates.columns:
        raise MapError("the aggregates have no geometry column")
    frame = aggregates.copy()
    if frame.crs is None:
        raise MapError("the aggregates have no CRS: set it (EPSG:4326 for lon/lat)")
    if not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    if "code" not in frame.columns:
        # geo.aggregate names the region code "region"
        src = next((c for c in ("region", "admin1", "iso_3166_2") if c in frame.columns), None)
        frame["code"] = frame[src].astype(str) if src else [str(i) for i in frame.index]
    if "name" not in frame.columns:
        frame["name"] = frame["code"]
    if "country" not in frame.columns:
        frame["country"] = None
    dup = frame["code"][frame["code"].duplicated()]
    if len(dup):
        raise MapError(
            f"the aggregates have several rows for region {dup.iloc[0]!r} (one per period?): "
            "map one period at a time, e.g. aggregates[aggregates.period == ...]"
        )
    kg_cols = [c for c in frame.columns if isinstance(c, str) and c.startswith("kg_") and c != "kg_all"]
    if "kg_all" not in frame.columns:
        frame["kg_all"] = frame[kg_cols].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1) \
            if kg_cols else np.nan
    bad = [g.geom_type for g in frame.geometry if g is not None and not g.is_empty
           and g.geom_type not in ("Polygon", "MultiPolygon")]
    if bad:
        raise MapError(f"region geometries must be polygons, found {bad[0]}")
    return frame


def _parse_list(value: Any) -> Any:
    # geo.aggregate stores the list as JSON text so the frame writes to CSV/GPKG as is
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _is_report_list(value: Any) -> bool:
    value = _parse_list(value)
    return isinstance(value, (list, tuple)) and bool(value) and isinstance(value[0], Mapping)


def _report_lists(frame: pd.DataFrame, events: pd.DataFrame | None) -> list[list[dict]]:
    """Per region, the reports behind it, from the aggregate's list column or the events."""
    col = next((c for c in _REPORT_LIST_COLUMNS if c in frame.columns), None)
    if col is None and "reports" in frame.columns and frame["reports"].map(_is_report_list).any():
        col = "reports"
    if col is None:  # any column whose cells are lists of dicts
        for c in frame.columns:
            if c != "geometry" and frame[c].dtype == object and frame[c].map(_is_report_list).any():
                col = c
                break
    if col is not None:
        return [[_report_item(i) for i in _as_list(_parse_list(v))] for v in frame[col]]
    if events is not None and "admin1" in events.columns:
        keep = [c for c in ("doc", "date", "place", "substance", "quantity_kg", "evidence", "url")
                if c in events.columns]
        grouped = {code: part[keep].to_dict("records")
                   for code, part in events.groupby("admin1", sort=False)}
        return [grouped.get(code, []) for code in frame["code"]]
    return [[] for _ in range(len(frame))]


def _events_frame(events: Any) -> gpd.GeoDataFrame:
    if isinstance(events, gpd.GeoDataFrame):
        ev = events if events.crs is None or events.crs.equals("EPSG:4326") else events.to_crs("EPSG:4326")
    elif isinstance(events, pd.DataFrame) and {"lon", "lat"} <= set(events.columns):
        ev = gpd.GeoDataFrame(events, geometry=gpd.points_from_xy(events["lon"], events["lat"]),
                              crs="EPSG:4326")
    else:
        raise MapError("events must be a GeoDataFrame of points or a DataFrame with lon/lat columns")
    return ev


def choropleth(
    aggregates: gpd.GeoDataFrame,
    *,
    substance: str | None = None,
    events: Any = None,
    scheme: str = "fisherjenks",
    k: int = 5,
    log: bool = False,
    tiles: str | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    simplify: float = SIMPLIFY_DEGREES,
) -> OfflineMap:
    """Choropleth of regional aggregates as an offline folium map.

    Parameters
    ----------
    aggregates
        GeoDataFrame from :func:`geo.aggregate`: one row per region with ``code``,
        ``name``, ``country``, polygons, ``kg_<substance>`` columns (any set), optionally
        ``kg_all``, ``count_*``, ``litres_*``, ``labs_destroyed``, ``events``, ``reports``,
        ``first_date``/``last_date`` and a column listing the contributing reports.
    substance
        Layer visible on opening (``"heroin"`` or ``"kg_heroin"``); default all drugs.
    events
        Optional events (GeoDataFrame of points, or DataFrame with lon/lat): drawn as a
        clustered "events" overlay; also used for popups when the aggregates carry no
        list of reports.
    scheme, k, log
        mapclassify scheme and number of classes; ``log=True`` classifies log10 values.
    tiles
        None (default): no tile server, a country-outline background. A folium tile
        name or URL template (``"OpenStreetMap"``) adds online tiles as an overlay.
    boundaries
        Admin-1 set used for the grey "no reports" regions of the countries that have
        data and for the country outlines (default: :func:`geo.boundaries.default`).
    simplify
        Simplification tolerance in degrees (0 keeps the geometry as given).

    Returns an :class:`OfflineMap`; ``.save(path)`` writes a self-contained HTML file.
    Raises :class:`MapError` for unusable input.
    """
    if scheme.lower().replace("_", "") not in SCHEMES:
        raise MapError(f"unknown classification scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise MapError(f"k must be a positive number of classes, got {k!r}")
    frame = _validate(aggregates)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty].copy()
    bounds_from = boundaries if boundaries is not None else _default_boundaries()
    if bounds_from is not None:
        bounds_from = _validate_boundaries(bounds_from)

    # Grey "no reports" regions: the rest of each country that has data (admin-1 maps only:
    # a by="country" aggregate has country codes, which no admin-1 region shares).
    extra = None
    by_country = aggregates.attrs.get("by") == "country" or frame["code"].astype(str).str.fullmatch(r"[A-Za-z]{2}").all()
    if bounds_from is not None and not by_country and frame["country"].notna().any():
        countries = set(frame["country"].dropna())
        extra = bounds_from[bounds_from["country"].isin(countries) & ~bounds_from["code"].isin(set(frame["code"]))]
        extra = extra[["code", "name", "country", "geometry"]]
    regions = pd.concat([frame, extra], ignore_index=True) if extra is not None and len(extra) else \
        frame.reset_index(drop=True)
    regions = gpd.GeoDataFrame(regions, geometry="geometry", crs="EPSG:4326")

    layers = _layers_for(regions, scheme, k, log)
    initial = 0
    if substance is not None:
        wanted = {substance, f"kg_{substance}", substance.replace(" ", "_")}
        match = [i for i, layer in enumerate(layers) if layer.column in wanted or layer.key in wanted
                 or layer.column[layer.column.index("_") + 1:] in wanted]
        if not match:
            have = ", ".join(layer.column.split("_", 1)[1] for layer in layers[1:]) or "none"
            raise MapError(f"no figures for substance {substance!r} in the aggregates (have: {have})")
        initial = match[0]

    # Country outlines (background) and the dateline shifts they decide.
    outline_src = bounds_from if bounds_from is not None else regions
    outlines = _country_outlines(outline_src)
    sides = _dateline_sides(outlines)
    region_geoms = [_shift(g, sides.get(c, 0)) for g, c in zip(regions.geometry, regions["country"])]
    regions["geometry"] = gpd.GeoSeries(region_geoms, crs="EPSG:4326", index=regions.index)
    region_geoms = _prepare(regions.geometry, simplify)
    outline_geoms = _prepare(gpd.GeoSeries([_shift(g, sides.get(c, 0)) for c, g in outlines.items()]),
                             simplify * 2)

    report_lists = _report_lists(regions, events if events is None else _events_frame(events))
    records = regions.drop(columns="geometry").to_dict("records")
    features = []
    for i, (row, geom) in enumerate(zip(records, region_geoms)):
        gj = _geojson_geometry(geom)
        if gj is None:
            continue
        features.append({
            "type": "Feature",
            "id": str(i),
            "properties": {
                "code": _esc(row.get("code")),
                "tip": _tooltip_html(row, layers),
                "pop": _popup_html(row, report_lists[i]),
                "_k": [int(layer.classes[i]) for layer in layers],
            },
            "geometry": gj,
        })

    data_mask = np.array([any(layer.classes[i] >= 0 for layer in layers) for i in range(len(regions))])
    fit = _bounds([g for g, d in zip(region_geoms, data_mask) if d]) or _bounds(list(region_geoms)) \
        or [[-60.0, -180.0], [80.0, 180.0]]

    allowed: list[str] = []
    m = OfflineMap(location=[(fit[0][0] + fit[1][0]) / 2, (fit[0][1] + fit[1][1]) / 2], zoom_start=3,
                   tiles=None, control_scale=True, world_copy_jump=False, allowed_urls=allowed)
    m.add_child(_Panes([("outlines", 350), ("regions", 400), ("labs", 610)], ["outlines"]))
    if tiles is not None:
        tile = folium.TileLayer(tiles, name=f"tiles: {tiles}" if isinstance(tiles, str) else None,
                                overlay=True, control=True, show=True)
        allowed.extend(_tile_prefixes(tile))
        m.add_child(tile)
        m.allowed_urls = tuple(allowed)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": _geojson_geometry(g)}
            for g in outline_geoms if _geojson_geometry(g) is not None]},
        name="country outlines",
        style_function=lambda f: {"color": "#9a9a9a", "weight": 0.7,
                                  "fillColor": "#f4f1ea", "fillOpacity": 0.0 if tiles else 1.0},
        control=False, interactive=False, pane="outlines",
    ).add_to(m)
    m.get_root().header.add_child(folium.Element(
        "<style>.folium-map.leaflet-container { background: #dfe9f2; }</style>"), name="sa_background")

    init_layer = layers[initial]

    def style(feature: dict) -> dict:
        k_ = feature["properties"]["_k"][initial]
        return {**REGION_STYLE, "fillColor": NO_DATA_COLOR if k_ < 0 else init_layer.colors[k_]}

    geo = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="regions",
        style_function=style,
        highlight_function=lambda f: {"weight": 2.5, "color": "#333333"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=["pop"], labels=False, max_width=420),
        control=False,
        pane="regions",
    )
    m.add_child(geo)

    switches = []
    for i, layer in enumerate(layers):
        fg = folium.FeatureGroup(name=layer.label, overlay=False, control=True, show=(i == initial))
        m.add_child(fg)
        switches.append((fg.get_name(), i))

    labs = _labs_layer(regions, region_geoms)
    if labs is not None:
        m.add_child(labs)
    if events is not None:
        cluster = _events_layer(_events_frame(events), sides)
        if cluster is not None:
            m.add_child(cluster)

    config = {
        "layers": [{"key": layer.key, "label": layer.label, "colors": layer.colors,
                    "labels": layer.labels} for layer in layers],
        "style": REGION_STYLE, "noData": NO_DATA_COLOR, "noDataLabel": NO_DATA_LABEL,
    }
    m.add_child(folium.LayerControl(collapsed=False, position="topright"))
    m.add_child(_LayerSwitch(geo, switches, config, initial))
    m.add_child(_FitBounds(fit))
    # figures a caller (or a test) may want without parsing the page
    m.regions_embedded = len(features)
    m.layer_labels = [layer.label for layer in layers]
    m.colormaps = {layer.label: layer.colormap for layer in layers}
    return m


def _validate_boundaries(b: Any) -> gpd.GeoDataFrame:
    if not isinstance(b, gpd.GeoDataFrame):
        raise MapError(f"boundaries must be a GeoDataFrame, got {type(b).__name__}")
    missing = {"code", "country"} - set(b.columns)
    if missing:
        raise MapError(f"boundaries lack column(s) {sorted(missing)}")
    if b.crs is None:
        raise MapError("boundaries have no CRS")
    if not b.crs.equals("EPSG:4326"):
        b = b.to_crs("EPSG:4326")
    if "name" not in b.columns:
        b = b.assign(name=b["code"])
    return b


_OUTLINE_CACHE: dict[int, tuple[Any, gpd.GeoSeries]] = {}


def _country_outlines(b: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """One (multi)polygon per country, cached per boundary frame (dissolving takes seconds)."""
    hit = _OUTLINE_CACHE.get(id(b))
    if hit is not None and hit[0] is b:
        return hit[1]
    src = b[b.geometry.notna() & b["country"].notna()]
    out = {}
    for code, part in src.groupby("country", sort=True):
        geoms = np.asarray(part.geometry.values, dtype=object)
        try:
            merged = shapely.coverage_union_all(geoms)
            if not merged.is_valid:
                raise ValueError
        except Exception:
            merged = shapely.union_all(shapely.make_valid(geoms))
        out[code] = merged
    series = gpd.GeoSeries(out, crs="EPSG:4326")
    if len(_OUTLINE_CACHE) > 8:
        _OUTLINE_CACHE.clear()
    _OUTLINE_CACHE[id(b)] = (b, series)
    return series


def _bounds(geoms: list) -> list[list[float]] | None:
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def _tile_prefixes(tile: folium.TileLayer) -> list[str]:
    url = tile.tiles
    prefix = url.split("{s}")[0] if "{s}" in url else url.split("{", 1)[0]
    # "https://{s}.tile.osm.org" -> the subdomains vary: allow the scheme+host tail
    return [prefix] if prefix else []


def _labs_layer(regions: gpd.GeoDataFrame, geoms: np.ndarray) -> folium.FeatureGroup | None:
    if "labs_destroyed" not in regions.columns:
        return None
    labs = pd.to_numeric(regions["labs_destroyed"], errors="coerce")
    if not (labs > 0).any():
        return None
    features = []
    for i in np.flatnonzero((labs > 0).to_numpy()):
        geom = geoms[i]
        if geom is None or geom.is_empty:
            continue
        pt = shapely.point_on_surface(geom)
        row = regions.iloc[i]
        n = float(labs.iloc[i])
        features.append({
            "type": "Feature", "id": str(i),
            "properties": {"n": n, "radius": round(4 + 3 * math.sqrt(n), 1),
                           "tip": f"<b>{_esc(row.get('name'))}</b>: {fmt(n)} labs destroyed"},
            "geometry": {"type": "Point", "coordinates": [round(pt.x, COORD_DECIMALS), round(pt.y, COORD_DECIMALS)]},
        })
    fg = folium.FeatureGroup(name="labs destroyed", overlay=True, control=True, show=False)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        marker=folium.CircleMarker(radius=6, color="#2b2b2b", weight=1, fill=True,
                                   fill_color="#5e3c99", fill_opacity=0.75, pane="labs"),
        style_function=lambda f: {"radius": f["properties"]["radius"]},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(fg)
    return fg


def _events_layer(ev: gpd.GeoDataFrame, sides: dict[str, int]) -> folium.plugins.MarkerCluster | None:
    placed = ev[ev.geometry.notna() & ~ev.geometry.is_empty]
    placed = placed[placed.geometry.geom_type == "Point"]
    if placed.empty:
        return None
    xs = placed.geometry.x.to_numpy(dtype=float)
    ys = placed.geometry.y.to_numpy(dtype=float)
    if "country" in placed.columns and sides:
        side = placed["country"].map(lambda c: sides.get(c, 0)).fillna(0).to_numpy()
        xs = np.where((side > 0) & (xs < 0), xs + 360, np.where((side < 0) & (xs >= 0), xs - 360, xs))
    cols = [c for c in ("doc", "substance", "quantity", "unit", "quantity_kg", "place", "date")
            if c in placed.columns]
    features = []
    for x, y, rec in zip(xs, ys, placed[cols].to_dict("records")):
        head = _esc(rec.get("doc"))
        what = " ".join(_esc(rec.get(c)) for c in ("quantity", "unit", "substance")
                        if rec.get(c) is not None and not pd.isna(rec.get(c)))
        where = " · ".join(_esc(rec.get(c)) for c in ("place", "date")
                           if rec.get(c) is not None and not pd.isna(rec.get(c)))
        features.append({
            "type": "Feature",
            "properties": {"tip": f"<b>{head}</b> {what}<br>{where}".strip()},
            "geometry": {"type": "Point", "coordinates": [round(float(x), COORD_DECIMALS),
                                                          round(float(y), COORD_DECIMALS)]},
        })
    cluster = folium.plugins.MarkerCluster(name=f"events ({len(features):,})", overlay=True,
                                           control=True, show=False,
                                           options={"chunkedLoading": True})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        marker=folium.CircleMarker(radius=5, color="#08306b", weight=1, fill=True,
                                   fill_color="#2171b5", fill_opacity=0.8),
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(cluster)
    return cluster
