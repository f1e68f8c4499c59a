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
from collections.abc import Iterable
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
from jinja2 import Template

from . import classify as md
from . import assets as offline
from ..errors import MapError
from ..text.plausibility import implausible_reasons
from .classify import NO_DATA_COLOR, NO_DATA_LABEL, SCHEMES

__all__ = ["choropleth", "OfflineMap", "NO_DATA_COLOR", "NO_DATA_LABEL", "SCHEMES"]

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

    def _repr_html_(self, **kwargs: Any) -> str:
        # Notebooks show the offline page too: what one sees is what gets saved.
        page = html.escape(self.to_html(), quote=True)
        return (f'<div style="width:100%;height:520px"><iframe srcdoc="{page}" '
                'style="width:100%;height:100%;border:none"></iframe></div>')


# ----------------------------------------------------------------- page elements


class _Panes(folium.MacroElement):
    """Map panes: outlines under the regions, labs circles above them."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .folium-map.leaflet-container { background: #dfe9f2; }
        .sa-legend { background: rgba(255,255,255,.93); padding: 6px 9px; font: 12px/1.4 sans-serif;
                     border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
        .sa-legend .sa-title { font-weight: bold; margin-bottom: 3px; }
        .sa-legend i { display: inline-block; width: 14px; height: 12px; margin-right: 6px;
                       vertical-align: -2px; border: 1px solid #999; }
        .sa-tip th { text-align: left; padding-right: 8px; font-weight: normal; color: #555; }
        .sa-tip td { text-align: right; }
        .sa-pop ol { padding-left: 18px; margin: 4px 0; max-height: 260px; overflow-y: auto; }
        .sa-pop li { margin-bottom: 5px; }
        .sa-pop q { font-style: italic; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {%- for name, z in this.panes %}
        {{ this._parent.get_name() }}.createPane({{ name|tojson }}).style.zIndex = {{ z|tojson }};
        {%- endfor %}
        {{ this._parent.get_name() }}.getPane("outlines").style.pointerEvents = "none";
        {% endmacro %}
    """)

    def __init__(self, panes: list[tuple[str, int]]):
        super().__init__()
        self._name = "Panes"
        self.panes = panes


class _RegionScript(folium.MacroElement):
    """Decodes the compact regions/outlines, binds tooltips and popups, drives the legend."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var regions = {{ this.regions.get_name() }};
            var cfg = {{ this.config }};
            var D = {{ this.payload }};
            // the view first: paths added afterwards are projected once, not twice
            map.fitBounds(cfg.bounds, {maxZoom: 7, padding: [8, 8]});
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
                                     moreEvents: r[5], moreReports: r[6]}};
            })});
            {%- if this.labs %}
            var labs = {{ this.labs.get_name() }};
            D.labs.forEach(function(l) {  // [region index, x, y, labs destroyed]
                var name = D.regions[l[0]][0];
                L.circleMarker([l[2] / D.scale, l[1] / D.scale], Object.assign(
                    {radius: 4 + 3 * Math.sqrt(parseFloat(l[3].replace(/,/g, "")))}, cfg.labsStyle))
                  .bindTooltip(function() {
                      var div = document.createElement("div");
                      el("b", div, name);
                      div.appendChild(document.createTextNode(": " + l[3] + " labs destroyed"));
                      return div;
                  }).addTo(labs);
            });
            {%- endif %}
            D.regions = null;  // the features hold everything now

            function el(tag, parent, text, cls) {
                var e = document.createElement(tag);
                if (text !== undefined && text !== null) { e.textContent = text; }
                if (cls) { e.className = cls; }
                if (parent) { parent.appendChild(e); }
                return e;
            }
            function head(p, parent) {
                el("b", parent, p.name);
                if (p.country) { parent.appendChild(document.createTextNode(" (" + p.country + ")")); }
            }
            regions.bindTooltip(function(layer) {
                var p = layer.feature.properties, div = el("div", null, null, "sa-tip");
                head(p, div);
                if (!p.rows.length) { el("div", div, cfg.noDataLabel).style.fontStyle = "italic"; return div; }
                var table = el("table", div);
                for (var i = 0; i < p.rows.length; i += 2) {
                    var tr = el("tr", table);
                    el("th", tr, cfg.rowLabels[p.rows[i]]);
                    el("td", tr, p.rows[i + 1]);
                }
                return div;
            }, {sticky: true});
            regions.bindPopup(function(layer) {
                var p = layer.feature.properties, div = el("div", null, null, "sa-pop");
                head(p, div);
                if (!p.items.length) { el("div", div, cfg.noDataLabel).style.fontStyle = "italic"; return div; }
                var ol = el("ol", div);
                p.items.forEach(function(it) {  // [doc, date, place, what, sentence, url]
                    var li = el("li", ol);
                    el("b", li, it[0]);
                    [it[1], it[2], it[3]].forEach(function(s) {
                        if (s) { li.appendChild(document.createTextNode(" · " + s)); }
                    });
                    if (it[4]) { el("br", li); el("q", li, it[4]); }
                    if (it[5]) {
                        li.appendChild(document.createTextNode(" "));
                        var a = el("a", li, "source");
                        a.href = it[5]; a.target = "_blank"; a.rel = "noopener noreferrer";
                    }
                });
                if (p.moreEvents) {
                    el("p", div, "… and " + p.moreEvents + " more event" + (p.moreEvents > 1 ? "s" : "")
                       + (p.moreReports ? " from " + p.moreReports + " more report" + (p.moreReports > 1 ? "s" : "") : ""));
                }
                return div;
            }, {maxWidth: 420});

            function styler(i) {
                return function(feature) {
                    var s = Object.assign({}, cfg.style), c = feature.properties.k.charAt(i);
                    s.fillColor = c === "-" ? cfg.noData : cfg.layers[i].colors[parseInt(c, 36)];
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
                el("div", div, layer.label, "sa-title");
                var rows = layer.labels.map(function(label, k) { return [layer.colors[k], label]; });
                rows.push([cfg.noData, cfg.noDataLabel]);
                rows.forEach(function(r) {
                    var row = el("div", div, null, "sa-row");
                    el("i", row).style.background = r[0];
                    row.appendChild(document.createTextNode(r[1]));
                });
            };
            legend.addTo(map);
            legend.show(cfg.initial);
            var byLayer = {};
            {%- for name, index in this.switches %}
            byLayer[L.stamp({{ name }})] = {{ index|tojson }};
            {%- endfor %}
            map.on("baselayerchange", function(e) {
                var i = byLayer[L.stamp(e.layer)];
                if (i === undefined) { return; }
                regions.options.style = styler(i);  // resetStyle after a hover reads it
                regions.setStyle(regions.options.style);
                legend.show(i);
            });
            // a handle for scripts and tests: the map, the regions layer, the legend
            window.seizureAtlas = {map: map, regions: regions, legend: legend, config: cfg};
        })();
        {% endmacro %}
    """)

    def __init__(self, regions: folium.GeoJson, switches: list[tuple[str, int]], config: dict,
                 payload: dict, labs: folium.FeatureGroup | None = None):
        super().__init__()
        self._name = "RegionScript"
        self.regions = regions
        self.labs = labs
        self.switches = switches
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
        return gpd.GeoDataFrame(events, geometry=gpd.points_from_xy(events["lon"], events["lat"]),
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
) -> OfflineMap:
    """Choropleth of regional aggregates as an offline folium map.

    Parameters
    ----------
    aggregates
        GeoDataFrame from :func:`geo.aggregate`: one row per region with ``region`` (or
        ``code``), ``name``, ``country``, polygons, any ``kg_<substance>`` columns,
        optionally ``kg_all``, ``count_*``, ``litres_*``, ``labs_destroyed``, ``events``,
        ``report_ids``, ``first_date``/``last_date`` and ``reports`` (the events behind
        the region as a list, or JSON text, of objects with ``doc, date, place,
        substance, quantity_kg, sentence, url``).
    substance
        Layer visible on opening (``"heroin"`` or ``"kg_heroin"``); default all drugs.
    events
        Optional events (GeoDataFrame of points, or DataFrame with lon/lat): a clustered
        "events" overlay; also feeds the popups when the aggregates list no reports.
    scheme, k, log
        mapclassify scheme and number of classes (at most 36); ``log=True`` classifies
        log10 of the figures.
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

    Returns an :class:`OfflineMap`; ``.save(path)`` writes a self-contained HTML file.
    Raises :class:`MapError` for unusable input.
    """
    if not isinstance(scheme, str) or scheme.lower().replace("_", "") not in SCHEMES:
        raise MapError(f"unknown classification scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= 36:
        raise MapError(f"k must be a number of classes between 1 and 36, got {k!r}")
    frame = _validate(aggregates)
    bounds_src = boundaries if boundaries is not None else _default_boundaries()
    if bounds_src is not None:
        bounds_src = _validate_boundaries(bounds_src)
    ev = _events_frame(events) if events is not None else None

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

    layers = md.figure_layers(regions, scheme, int(k), log)
    initial = _initial_layer(layers, substance)

    # Country outlines (background for countries without data) and the dateline shifts.
    outlines = _country_outlines(bounds_src if bounds_src is not None else regions)
    sides = md.dateline_sides(outlines)
    region_geoms = np.array([md.shift(g, sides.get(c, 0))
                             for g, c in zip(regions.geometry, regions["country"])], dtype=object)
    with_data = np.array([any(layer.classes[i] >= 0 for layer in layers) for i in range(len(regions))],
                         dtype=bool)
    fit = (md.total_bounds(region_geoms[with_data]) or md.total_bounds(region_geoms)
           or [[-60.0, -180.0], [80.0, 180.0]])
    if simplify == "auto":
        tolerance = md.auto_tolerance([fit[0][1], fit[0][0], fit[1][1], fit[1][0]])
    elif isinstance(simplify, (int, float)) and not isinstance(simplify, bool) and simplify >= 0:
        tolerance = float(simplify)
    else:
        raise MapError(f"simplify must be 'auto' or a tolerance in degrees >= 0, got {simplify!r}")
    scale = 10 ** md.decimals_for(tolerance)
    region_geoms = md.simplify(region_geoms, tolerance)
    shown = set(regions["country"].dropna())
    background = [md.shift(g, sides.get(c, 0)) for c, g in outlines.items() if c not in shown]
    background = md.simplify(np.array(background, dtype=object), max(tolerance, 0.02) * 2)

    # Per region: [name, country, classes, tooltip rows, popup entries, more events,
    # more reports, geometry]
    row_labels = [layer.short for layer in layers] + ["labs destroyed", "events", "reports", "dates"]
    lists = md.report_lists(regions, ev)
    share = max(300, popup_budget // max(1, sum(1 for items in lists if items)))
    records = regions.drop(columns="geometry").to_dict("records")
    payload_regions = []
    for i, row in enumerate(records):
        entries, more_events, more_reports = md.popup_entries(lists[i], share)
        payload_regions.append([
            md.text(row.get("name")) or md.text(row.get("code")) or "", md.text(row.get("country")),
            md.class_string(layers, i), _tooltip_rows(row, layers), entries, more_events,
            more_reports, md.encode_polygons(region_geoms[i], scale)])

    allowed: list[str] = []
    # markercluster needs a maxZoom, which a map without tiles does not have
    m = OfflineMap(location=[0, 0], zoom_start=2, tiles=None, control_scale=True, zoom_snap=0.25,
                   minZoom=1, maxZoom=18)
    # regions under the overlay pane, where the labs and event circles go
    m.add_child(_Panes([("outlines", 350), ("regions", 390)]))
    if tiles is not None:
        tile = folium.TileLayer(tiles, name=f"tiles: {tiles}", overlay=True, control=True, show=True)
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
    extra = {}
    if boundaries is None:
        # the default set holds geoBoundaries units derived from OpenStreetMap (ODbL): a map
        # drawn from it must say so (data/boundaries/README.md)
        extra["attribution"] = BOUNDARY_ATTRIBUTION
    geo = folium.GeoJson(
        {"type": "FeatureCollection", "features": stubs},
        name="regions", style_function=style, highlight_function=lambda f: HIGHLIGHT_STYLE,
        control=False, pane="regions", smooth_factor=0.5, **extra,
    )
    m.add_child(geo)
    switches = []
    for i, layer in enumerate(layers):
        fg = folium.FeatureGroup(name=layer.label, overlay=False, control=True, show=(i == initial))
        m.add_child(fg)
        switches.append((fg.get_name(), i))
    labs = _labs_points(regions, region_geoms, scale)
    labs_group = None
    if labs:
        labs_group = folium.FeatureGroup(name="labs destroyed", overlay=True, control=True, show=False)
        m.add_child(labs_group)
    if ev is not None:
        cluster = _events_layer(ev, sides)
        if cluster is not None:
            m.add_child(cluster)
    m.add_child(folium.LayerControl(collapsed=False, position="topright"))

    config = {
        "layers": [{"key": layer.key, "label": layer.label, "colors": layer.colors,
                    "labels": layer.labels} for layer in layers],
        "rowLabels": row_labels, "style": REGION_STYLE, "outline": {
            **OUTLINE_STYLE, "fillOpacity": 0.0 if tiles is not None else 1.0},
        "noData": NO_DATA_COLOR, "noDataLabel": NO_DATA_LABEL, "initial": initial,
        "labsStyle": {"color": "#2b2b2b", "weight": 1, "fillColor": "#5e3c99", "fillOpacity": 0.75},
        "bounds": fit,
    }
    payload = {"scale": scale, "regions": payload_regions, "labs": labs,
               "outlines": [md.encode_polygons(g, scale) for g in background]}
    m.add_child(_RegionScript(geo, switches, config, payload, labs_group))

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
    return m


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


def _tooltip_rows(row: dict, layers: list[md.Layer]) -> list:
    """Flat [label index, figure text, ...] for the tooltip table."""
    rows: list = []
    for i, layer in enumerate(layers):
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
    return [[int(i), int(round(x * scale)), int(round(y * scale)), md.fmt(float(labs[i]))]
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
    payload = {
        "scale": scale, "x": np.round(x * scale).astype(np.int64).tolist(),
        "y": np.round(y * scale).astype(np.int64).tolist(), "doc": doc, "docs": docs,
        "place": place, "places": places, "date": date, "dates": dates, "amount": amounts,
        "sub": sub, "subs": subs,
        "style": {"radius": 5, "color": "#08306b", "weight": 1, "fillColor": "#2171b5",
                  "fillOpacity": 0.8},
    }
    cluster = folium.plugins.MarkerCluster(name=f"events ({len(placed):,})", overlay=True,
                                           control=True, show=False,
                                           options={"chunkedLoading": True})
    cluster.add_child(_EventPoints(payload))
    return cluster
