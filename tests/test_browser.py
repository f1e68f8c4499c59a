"""The saved map in headless Chromium, with the network cut off.

Every request that is not file:/data: is blocked and recorded. Needs Debian's Chromium
(/usr/bin/chromium, or $SEIZURE_ATLAS_CHROMIUM) and playwright's Python package; never
downloads a browser.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import folium
import numpy as np
import pytest

import browser_support as bs
from geo.maps.choropleth import NO_DATA_COLOR, choropleth

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not bs.chromium_available(),
                       reason=f"Chromium not found at {bs.CHROMIUM} (apt-get install chromium; "
                              "or set SEIZURE_ATLAS_CHROMIUM)"),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright's Python package is not installed")

SHARED_SCREENSHOT = Path("/work/brief/map_screenshot.png")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), events=bs.events(), view="choropleth")
    path = tmp_path_factory.mktemp("browser") / "index.html"
    m.save(path)
    return path, m


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=bs.CHROMIUM, args=bs.CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    def __init__(self, page, recorder, errors, dialogs):
        self.page, self.recorder, self.errors, self.dialogs = page, recorder, errors, dialogs

    def region_point(self, name: str) -> tuple[float, float]:
        """Page coordinates of a point where the named region's path is the topmost element.

        Waits until such a point exists and the region has stopped moving: right after load
        the map may still be settling its view (a point found mid-animation can lie in
        another region by the time it is clicked), and the centre of a region's box need
        not lie inside an irregular region.
        """
        handle = self.page.wait_for_function(
            """name => {
                const a = window.seizureAtlas;
                const layer = a.regions.getLayers().find(l => l.feature.properties.name === name);
                const el = layer.getElement();
                const r = el.getBoundingClientRect();
                const box = [r.left, r.top, r.width, r.height].join(",");
                window.__saBoxes = window.__saBoxes || {};
                const same = window.__saBoxes[name] === box;
                window.__saBoxes[name] = box;
                if (!same) return null;  // moved since the last poll: not settled yet
                for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) {
                    const x = r.left + r.width * i / 8, y = r.top + r.height * j / 8;
                    if (document.elementFromPoint(x, y) === el) return [x, y];
                }
                return null;
            }""", arg=name)
        x, y = handle.json_value()
        return x, y

    def hover(self, name: str, expect: str) -> str:
        """Move the mouse onto a region until its tooltip shows ``expect``; the tooltip text."""
        x, y = self.region_point(name)
        tip = self.page.locator(".leaflet-tooltip")
        for _ in range(5):
            self.page.mouse.move(x - 3, y - 3)
            self.page.mouse.move(x, y, steps=3)
            try:
                self.page.wait_for_function(
                    "t => { const e = document.querySelector('.leaflet-tooltip');"
                    " return e && e.innerText.includes(t); }", arg=expect, timeout=2000)
                return tip.inner_text()
            except playwright_api.TimeoutError:
                continue
        raise AssertionError(f"no tooltip with {expect!r} when hovering {name}")

    def fill_of(self, name: str) -> str:
        return self.page.evaluate(
            """name => window.seizureAtlas.regions.getLayers()
                 .find(l => l.feature.properties.name === name).getElement().getAttribute('fill')""",
            name)


@pytest.fixture
def opened(browser, built):
    path, _ = built
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    recorder = bs.Recorder()
    page.route("**/*", recorder)
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.as_uri())
    page.wait_for_function("window.seizureAtlas !== undefined")
    yield Opened(page, recorder, errors, dialogs)
    page.close()


def test_opens_offline_and_draws_every_region(opened, built, tmp_path):
    _, m = built
    page = opened.page
    assert page.locator(".leaflet-regions-pane path").count() == m.regions_embedded == 8
    assert page.locator(".sa-legend .sa-title").inner_text() == "all drugs (kg)"
    assert opened.recorder.blocked == []
    assert opened.errors == []
    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


def test_hover_shows_the_region_figures(opened):
    page = opened.page
    text = opened.hover("Badakhshan", "Badakhshan (AF)")
    for figure in ("heroin\t180 kg", "morphine\t1,500 kg", "opium\t1,200 kg",
                   "all drugs\t2,880 kg", "labs destroyed\t6", "events\t5"):
        assert figure in text
    # grey region: says so
    assert "no reports" in opened.hover("Helmand", "Helmand")
    assert opened.errors == []


def test_layer_control_switches_substance_and_legend(opened, built):
    _, m = built
    page = opened.page
    e = m.embedded.set_index("name")
    assert opened.fill_of("Bogota") == e.loc["Bogota", "all drugs (kg)"]
    page.select_option("#sa-layer-select", label="heroin (kg)")
    legend = page.locator(".sa-legend")
    assert legend.locator(".sa-title").inner_text() == "heroin (kg)"
    assert "12 – 180 kg" in legend.inner_text() and "no reports" in legend.inner_text()
    assert opened.fill_of("Bogota") == NO_DATA_COLOR            # no heroin there
    assert opened.fill_of("Badakhshan") == e.loc["Badakhshan", "heroin (kg)"]
    page.select_option("#sa-layer-select", label="cocaine (kg)")
    assert legend.locator(".sa-title").inner_text() == "cocaine (kg)"
    assert opened.fill_of("Bogota") == e.loc["Bogota", "cocaine (kg)"] != NO_DATA_COLOR
    assert opened.fill_of("Badakhshan") == NO_DATA_COLOR
    # a hover and mouse-out keeps the cocaine colours (resetStyle uses the new style)
    x, y = opened.region_point("Bogota")
    page.mouse.move(x, y)
    page.mouse.move(5, 400)
    assert opened.fill_of("Bogota") == e.loc["Bogota", "cocaine (kg)"]
    assert opened.errors == [] and opened.recorder.blocked == []


def test_popup_lists_reports_and_xss_payload_stays_text(opened):
    page = opened.page
    x, y = opened.region_point("Kandahar")
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    text = popup.inner_text()
    assert "evil_1" in text and "<img src=x onerror=" in text and "<script>" in text
    assert popup.locator("img, script").count() == 0
    assert page.evaluate("window.__pwned") is None
    # the events overlay: zoom to Kandahar's event and hover it; the payload is a place name
    page.evaluate("window.seizureAtlas.map.closePopup()")
    page.get_by_text("events (4)", exact=True).click()
    page.evaluate("window.seizureAtlas.map.setView([31, 65], 9, {animate: false})")
    page.wait_for_timeout(300)
    circle = page.evaluate("""() => { let box = null; window.seizureAtlas.map.eachLayer(l => {
        if (l instanceof L.CircleMarker && l._sa !== undefined && l.getElement()) {
            const r = l.getElement().getBoundingClientRect(); box = [r.left + r.width / 2, r.top + r.height / 2]; } });
        return box; }""")
    assert circle is not None
    page.mouse.move(*circle)
    page.wait_for_function("[...document.querySelectorAll('.leaflet-tooltip')].some(t => t.innerText.includes('evil_1'))")
    event_tip = page.locator(".leaflet-tooltip").last.inner_text()
    assert "evil_1 12 kg heroin" in event_tip and "onerror=" in event_tip and "2013-02" in event_tip
    assert page.evaluate("window.__pwned") is None
    assert opened.dialogs == []
    assert opened.errors == []
    page.get_by_text("events (4)", exact=True).click()   # off again: its clusters sit on the regions
    page.evaluate("window.seizureAtlas.map.setView([37, 71], 6, {animate: false})")
    x, y = opened.region_point("Badakhshan")
    page.mouse.click(x, y)
    page.wait_for_function("document.querySelector('.leaflet-popup-content')?.innerText.includes('Badakhshan')")
    links = page.locator(".leaflet-popup-content a")
    assert links.count() == 1 and links.get_attribute("href") == "https://example.org/report/1"
    assert "180 kilos of heroin" in page.locator(".leaflet-popup-content").inner_text()
    assert opened.recorder.blocked == []


def test_labs_overlay_and_clusters(opened):
    page = opened.page
    page.get_by_text("labs destroyed", exact=True).click()
    assert page.locator(".leaflet-labs-pane path").count() == 2   # Badakhshan, Bogota
    x, y = page.evaluate("""() => { const p = document.querySelector('.leaflet-labs-pane path').getBoundingClientRect();
        return [p.left + p.width / 2, p.top + p.height / 2]; }""")
    page.mouse.move(x, y)
    page.wait_for_function("[...document.querySelectorAll('.leaflet-tooltip')].some(t => t.innerText.includes('labs destroyed'))")
    page.get_by_text("events (4)", exact=True).click()
    # four placed events (one unlocated is not drawn): clusters or single circles
    n = page.evaluate("""() => { let n = 0; window.seizureAtlas.map.eachLayer(l => {
        if (l instanceof L.MarkerClusterGroup) n += l.getLayers().length; }); return n; }""")
    assert n == 4
    assert page.locator(".sa-cluster").count() >= 1   # our single-colour bubbles
    assert opened.errors == [] and opened.recorder.blocked == []


def test_seed_figures_on_the_real_boundaries(browser, tmp_path):
    """The issue's check: Badakhshan coloured, its tooltip with the seed report's figures."""
    from geo.places import boundaries

    regions = boundaries.default()
    figures = {  # code: heroin, morphine, opium, opium_poppy, precursor, labs
        "AF-BDS": (180.0, 1500.0, 1200.0, 2000.0, 700.0, 6.0),
        "AF-HEL": (np.nan, np.nan, 40000.0, np.nan, np.nan, np.nan),
        "AF-NAN": (55.0, np.nan, 300.0, np.nan, np.nan, 2.0),
        "AF-KAN": (900.0, np.nan, 12000.0, np.nan, 120.0, np.nan),
    }
    cols = ["kg_heroin", "kg_morphine", "kg_opium", "kg_opium_poppy", "kg_precursor", "labs_destroyed"]
    agg = regions[regions["code"].isin(figures)][["code", "name", "country", "geometry"]].copy()
    agg = agg.rename(columns={"code": "region"})
    for j, col in enumerate(cols):
        agg[col] = [figures[c][j] for c in agg["region"]]
    agg["kg_all"] = agg[cols[:4]].sum(axis=1, min_count=1)
    agg["events"] = [6, 1, 2, 3]
    m = choropleth(agg, boundaries=regions)
    path = tmp_path / "seed.html"
    m.save(path)
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    recorder = bs.Recorder()
    page.route("**/*", recorder)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function("window.seizureAtlas !== undefined")
    af = (m.embedded["country"] == "AF").sum()
    assert page.locator(".leaflet-regions-pane path").count() == m.regions_embedded == af
    text = Opened(page, recorder, errors, []).hover("Badakhshan", "Badakhshan")
    for figure in ("heroin\t180 kg", "morphine\t1,500 kg", "opium\t1,200 kg",
                   "opium poppy\t2,000 kg", "precursor chemicals\t700 kg", "labs destroyed\t6"):
        assert figure in text
    shot = tmp_path / "seed.png"
    page.screenshot(path=str(shot))
    assert errors == [] and recorder.blocked == []
    page.close()
    if SHARED_SCREENSHOT.parent.is_dir():  # a convenience for reviewers on the dev machine
        try:
            shutil.copyfile(shot, SHARED_SCREENSHOT)
        except OSError:
            pass


def test_a_plain_folium_marker_gets_its_icon_offline(browser, tmp_path):
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries())
    folium.Marker([37.0, 71.0], tooltip="a marker").add_to(m)
    path = tmp_path / "marker.html"
    m.save(path)
    page = browser.new_page()
    recorder = bs.Recorder()
    page.route("**/*", recorder)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function("window.seizureAtlas !== undefined")
    # the marker pane: the map's names are divIcons in a pane of their own
    icon = page.locator(".leaflet-marker-pane .leaflet-marker-icon")
    assert icon.count() == 1
    assert icon.get_attribute("src").startswith("data:image/png;base64,")
    assert page.evaluate("document.querySelector('.leaflet-marker-pane .leaflet-marker-icon').naturalWidth") == 25
    assert errors == [] and recorder.blocked == []
    page.close()


# ------------------------------------------------------------------ issue 13: the finished map

CONTROLS = ".leaflet-control-zoom, .leaflet-control-scale, #sa-side, .sa-head, .sa-foot"


def _with_shan_and_netherlands():
    """The fixture plus the issue's two cases: Shan State, the only region of the
    methamphetamine (units) layer, in South-East Asia; 8 t of cocaine known only to be in
    the Netherlands (through geo.aggregate, which puts it in attrs["unlocated"])."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point, box

    from geo import aggregates as aggregation

    b = bs.boundaries()
    b = pd.concat([b, gpd.GeoDataFrame({"code": ["MM-17", "NL-ZH"], "name": ["Shan", "Zuid-Holland"],
                                        "country": ["MM", "NL"]},
                                       geometry=[box(96.5, 19.5, 100.0, 24.0), box(4.0, 51.5, 5.0, 52.5)],
                                       crs="EPSG:4326")],
                  ignore_index=True)
    b["admin"] = b["country"].map({"AF": "Afghanistan", "RU": "Russia", "CO": "Colombia",
                                   "MM": "Myanmar", "NL": "Netherlands"})
    ev = bs.events()
    extra = gpd.GeoDataFrame(
        {"doc": ["r_shan", "r_nl"], "substance": ["methamphetamine", "cocaine"],
         "quantity_kg": [float("nan"), 8000.0], "count": [1_200_000.0, float("nan")],
         "place": ["Tachileik", "Rotterdam area"], "country": ["MM", "NL"],
         "admin1": ["MM-17", None], "date": ["2015-03-02", "2015-04"]},
        geometry=[Point(99.9, 20.4), None], crs="EPSG:4326")
    ev = gpd.GeoDataFrame(pd.concat([ev, extra], ignore_index=True), geometry="geometry", crs="EPSG:4326")
    ev["labs_destroyed"] = np.nan
    agg = aggregation.aggregate(pd.DataFrame(ev.drop(columns="geometry")), b)
    return agg, ev, b


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    agg, ev, b = _with_shan_and_netherlands()
    ev["title"] = ev["doc"].map({"000_seed": XSS_HEADLINE, "r3": "Heroin found in Anadyr"})
    m = choropleth(agg, boundaries=b, events=ev, made="2025-01-31")
    path = tmp_path_factory.mktemp("world") / "index.html"
    m.save(path)
    return path, m, ev


XSS_HEADLINE = 'Heroin <b>seized</b> in Badakhshan <img src=x onerror="window.__pwned=5">'


def _open(browser, path, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    recorder = bs.Recorder()
    page.route("**/*", recorder)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function("window.seizureAtlas !== undefined")
    page.wait_for_timeout(300)
    return page, recorder, errors


COVERED = """sel => {
    const controls = [...document.querySelectorAll(sel)].map(e => e.getBoundingClientRect())
        .filter(r => r.width > 0 && r.height > 0);
    const a = window.seizureAtlas, hits = [];
    const shapes = [];
    a.regions.eachLayer(l => { if (l.feature.properties.rows.length) shapes.push([l.feature.properties.name, l.getElement()]); });
    a.symbols.eachLayer(l => shapes.push(["circle", l.getElement()]));
    const mapBox = a.map.getContainer().getBoundingClientRect();
    for (const [name, el] of shapes) {
        const r = el.getBoundingClientRect();
        // only the part inside the map's box can be seen, or covered
        const x0 = Math.max(r.left, mapBox.left), x1 = Math.min(r.right, mapBox.right);
        const y0 = Math.max(r.top, mapBox.top), y1 = Math.min(r.bottom, mapBox.bottom);
        if (x1 <= x0 || y1 <= y0) { hits.push(name + " outside the map"); continue; }
        for (const c of controls) {
            if (x0 < c.right && x1 > c.left && y0 < c.bottom && y1 > c.top) hits.push(name);
        }
    }
    return {hits: hits, shapes: shapes.length};
}"""


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
@pytest.mark.parametrize("view", ["symbols", "choropleth"])
def test_no_data_region_is_covered_by_a_control(browser, world, size, view):
    path, m, _ = world
    page, recorder, errors = _open(browser, path, *size)
    for i, label in enumerate(m.layer_labels):
        page.evaluate("([i, v]) => window.seizureAtlas.show(i, v)", [i, view])
        result = page.evaluate(COVERED, CONTROLS)
        assert result["shapes"] > 0, label
        assert result["hits"] == [], (label, view, size)
    # the case: the methamphetamine (units) layer shows Shan State, in plain sight
    page.select_option("#sa-layer-select", label="methamphetamine (units)")
    shan = page.evaluate("""() => { let box = null; window.seizureAtlas.regions.eachLayer(l => {
        if (l.feature.properties.name === 'Shan') { const r = l.getElement().getBoundingClientRect();
            box = [r.left + r.width / 2, r.top + r.height / 2]; } }); return box; }""")
    top = page.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y); return e.tagName + ' ' + (e.closest('.leaflet-container') ? 'map' : 'page'); }", shan)
    assert top == "path map"
    assert errors == [] and recorder.blocked == []
    page.close()


def test_title_source_line_and_page_title(browser, world):
    path, m, _ = world
    page, recorder, errors = _open(browser, path, 1400, 900)
    assert page.title() == m.title
    h1 = page.locator("h1").inner_text()
    # AF, MM, RU with regions, NL with an amount placed in no region (CO has no event here)
    assert h1 == "Drug seizures reported in the news: 4 countries, 2013–2015"
    sub = page.locator("#sa-subtitle").inner_text()
    assert "7 seizure events" in sub and "6 reports" in sub
    foot = page.locator(".sa-foot").inner_text()
    assert "Made 2025-01-31" in foot and "GeoNames" in foot and "Boundaries" in foot
    page.close()


def test_netherlands_8_t_shown_and_totals_add_up(browser, world):
    path, m, ev = world
    page, recorder, errors = _open(browser, path, 1400, 900)
    page.select_option("#sa-layer-select", label="cocaine (kg)")
    panel = page.locator("#sa-unplaced").inner_text()
    assert "8 t cocaine, Netherlands (1 report; country only)" in panel
    total = ev.loc[ev["substance"] == "cocaine", "quantity_kg"].sum()
    # the bs fixture's unlocated r4 (5 kg, no country) is placed nowhere either
    assert "5 kg cocaine, country unknown (1 report; no country)" in panel
    # the page's totals equal the events' totals
    assert f"In regions 0 kg cocaine + not placed 8,005 kg cocaine = {total:,.0f} kg cocaine" in panel
    page.select_option("#sa-layer-select", label="all drugs (kg)")
    # all drugs names the substance: "8 t drugs" left the reader guessing
    assert "8 t cocaine, Netherlands" in page.locator("#sa-unplaced").inner_text()
    assert errors == [] and recorder.blocked == []
    page.close()


def test_every_overlay_has_a_legend_entry_in_its_colour(browser, world):
    path, m, _ = world
    page, recorder, errors = _open(browser, path, 1400, 900)
    labels = page.locator("#sa-overlays label")
    assert labels.count() == 1  # events only (no labs in this aggregate)
    swatch = labels.first.locator("i").evaluate("e => getComputedStyle(e).backgroundColor")
    labels.first.locator("input").check()
    page.evaluate("window.seizureAtlas.map.setView([31, 65], 9, {animate: false})")
    page.wait_for_timeout(300)
    fills = page.evaluate("""() => { const out = []; window.seizureAtlas.map.eachLayer(l => {
        if (l instanceof L.CircleMarker && l._sa !== undefined && l.getElement()) out.push(l.getElement().getAttribute('fill')); });
        return out; }""")
    assert fills and set(fills) == {"#2171b5"} and swatch == "rgb(33, 113, 181)"
    # symbols and choropleth each name every colour they paint in the legend
    for view in ("symbols", "choropleth"):
        page.evaluate("v => window.seizureAtlas.show(0, v)", view)
        legend = page.locator("#sa-legend").inner_text()
        assert "no reports" in legend and "country without reports" in legend
    assert page.locator("#sa-legend svg circle").count() == 0  # choropleth: no circles
    page.evaluate("window.seizureAtlas.show(0, 'symbols')")
    assert page.locator("#sa-legend svg.sa-circles circle").count() >= 2
    page.close()


def test_symbols_have_areas_proportional_to_the_amounts(browser, world):
    path, m, _ = world
    page, recorder, errors = _open(browser, path, 1400, 900)
    page.get_by_label("proportional circles").check()
    page.select_option("#sa-layer-select", label="heroin (kg)")
    radii = page.evaluate("""() => { const out = {}; window.seizureAtlas.symbols.eachLayer(l => {
        out[l.getTooltip()._content().querySelector('b').textContent] = l.getRadius(); }); return out; }""")
    # heroin: Badakhshan 180 kg, Kandahar 12 kg, Chukotka 3.5 kg
    assert set(radii) == {"Badakhshan", "Kandahar", "Chukotka"}
    assert radii["Badakhshan"] ** 2 / radii["Kandahar"] ** 2 == pytest.approx(180 / 12, rel=1e-6)
    page.get_by_label("shaded regions (choropleth)").check()
    assert page.evaluate("window.seizureAtlas.symbols.getLayers().length") >= 0
    assert page.locator(".leaflet-symbols-pane path").count() == 0
    page.close()


def test_popup_clear_of_controls_closes_and_hides_the_tooltip(browser, world):
    path, m, _ = world
    page, recorder, errors = _open(browser, path, 1400, 900)
    page.get_by_label("shaded regions (choropleth)").check()
    opened = Opened(page, recorder, errors, [])
    opened.hover("Chukotka", "Chukotka")
    x, y = opened.region_point("Chukotka")   # at the top right of the map
    page.mouse.click(x, y)
    page.locator(".leaflet-popup").wait_for(state="visible")
    page.wait_for_timeout(400)  # autopan
    assert page.locator(".leaflet-tooltip-pane").evaluate("e => getComputedStyle(e).display") == "none"
    close = page.locator(".leaflet-popup-close-button")
    r = close.bounding_box()
    top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('a')?.className || ''",
                        [r["x"] + r["width"] / 2, r["y"] + r["height"] / 2])
    assert "leaflet-popup-close-button" in top
    box = page.locator(".leaflet-popup").bounding_box()
    for sel in (".leaflet-control-zoom", "#sa-side"):
        c = page.locator(sel).bounding_box()
        assert (box["x"] >= c["x"] + c["width"] or box["x"] + box["width"] <= c["x"]
                or box["y"] >= c["y"] + c["height"] or box["y"] + box["height"] <= c["y"]), sel
    close.click()
    page.locator(".leaflet-popup").wait_for(state="detached")
    assert page.locator(".leaflet-tooltip-pane").evaluate("e => getComputedStyle(e).display") != "none"
    # no focus box around the clicked region
    outline = page.evaluate("() => document.activeElement && getComputedStyle(document.activeElement).outlineStyle")
    assert outline in (None, "none")
    assert errors == []
    page.close()


def test_popup_groups_by_report_and_marks_the_figures(opened):
    page = opened.page
    x, y = opened.region_point("Badakhshan")
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert popup.locator(".sa-report").count() == 1            # two events, one report
    assert popup.locator("blockquote").count() == 2            # each sentence once
    assert [m.inner_text() for m in popup.locator("mark").all()] == ["180 kilos", "1,500 kilos"]
    assert "1.5 t morphine" in popup.inner_text()


# ------------------------------------------------ issue 13, second part: periods, labels, hatching


def _tip(page, name, expect):
    return Opened(page, None, [], []).hover(name, expect)


def test_period_control_redraws_regions_legend_and_panel(browser, world):
    path, m, _ = world
    page, recorder, errors = _open(browser, path, 1400, 900)
    page.get_by_label("shaded regions (choropleth)").check()
    page.select_option("#sa-layer-select", label="heroin (kg)")
    assert page.locator("#sa-period-from").input_value() == ""        # all periods by default
    assert page.locator("#sa-period-to").is_disabled()
    assert "heroin\t180 kg" in _tip(page, "Badakhshan", "180 kg")
    grey_before = Opened(page, None, [], []).fill_of("Chukotka")
    assert grey_before != NO_DATA_COLOR                                 # 3.5 kg in 2014
    # one year: only Chukotka's 3.5 kg of 2014
    page.select_option("#sa-period-from", label="2014")
    legend = page.locator("#sa-legend")
    assert legend.locator(".sa-title").inner_text() == "heroin (kg), 2014"
    opened = Opened(page, None, [], [])
    assert opened.fill_of("Badakhshan") == NO_DATA_COLOR
    assert opened.fill_of("Chukotka") == grey_before                    # the classes stay those of all periods
    text = _tip(page, "Chukotka", "3.5 kg")
    assert "heroin\t3.5 kg" in text and "period\t2014" in text
    assert "In regions 3.5 kg heroin + not placed 0 kg heroin = 3.5 kg heroin" in page.locator("#sa-unplaced").inner_text()
    # a range: 2013 to 2014 sums Badakhshan, Kandahar and Chukotka again
    page.select_option("#sa-period-from", label="2013")
    page.select_option("#sa-period-to", label="2014")
    assert legend.locator(".sa-title").inner_text() == "heroin (kg), 2013 – 2014"
    assert "In regions 196 kg heroin" in page.locator("#sa-unplaced").inner_text()
    # cocaine in 2015: the 8 t known only for the Netherlands, the 5 kg of no country
    page.select_option("#sa-layer-select", label="cocaine (kg)")
    page.select_option("#sa-period-from", label="2015")
    page.select_option("#sa-period-to", label="2015")
    panel = page.locator("#sa-unplaced").inner_text()
    assert "8 t cocaine, Netherlands" in panel and "5 kg cocaine, country unknown" in panel
    assert "In regions 0 kg cocaine + not placed 8,005 kg cocaine = 8,005 kg cocaine" in panel
    page.select_option("#sa-period-from", label="2013")
    page.select_option("#sa-period-to", label="2013")
    assert "not placed 0 kg cocaine" in page.locator("#sa-unplaced").inner_text()
    # by month: February 2013 holds Kandahar's 12 kg of heroin only
    page.select_option("#sa-layer-select", label="heroin (kg)")
    page.get_by_label("by month").check()
    page.select_option("#sa-period-from", label="Feb 2013")
    page.select_option("#sa-period-to", label="Feb 2013")
    assert legend.locator(".sa-title").inner_text() == "heroin (kg), Feb 2013"
    assert opened.fill_of("Badakhshan") == NO_DATA_COLOR and opened.fill_of("Kandahar") != NO_DATA_COLOR
    # proportional circles follow the period
    page.get_by_label("proportional circles").check()
    circles = page.evaluate("window.seizureAtlas.symbols.getLayers().length")
    assert circles == 1
    # back to all periods: the figures of the aggregates
    page.select_option("#sa-period-from", label="all periods")
    assert legend.locator(".sa-title").inner_text() == "heroin (kg)"
    assert page.evaluate("window.seizureAtlas.symbols.getLayers().length") == 3
    assert errors == [] and recorder.blocked == []
    page.close()


def test_period_popup_lists_the_period_reports_titled_by_headline(browser, world):
    path, m, _ = world
    page, recorder, errors = _open(browser, path, 1400, 900)
    page.get_by_label("shaded regions (choropleth)").check()
    opened = Opened(page, recorder, errors, [])
    x, y = opened.region_point("Badakhshan")
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    heading = popup.locator(".sa-report b").first.inner_text()
    assert heading == XSS_HEADLINE                                     # the headline, as text
    assert "000_seed" in popup.locator(".sa-meta").first.inner_text()  # the file under it
    assert popup.locator("img, script").count() == 0 and page.evaluate("window.__pwned") is None
    page.evaluate("window.seizureAtlas.setPeriod('year', 2014)")
    x, y = opened.region_point("Badakhshan")
    page.mouse.click(x, y)
    page.wait_for_function("document.querySelector('.leaflet-popup-content')?.innerText.includes('2014')")
    text = popup.inner_text()
    assert "Period: 2014" in text and "no report listed for this period" in text
    assert errors == [] and recorder.blocked == []
    page.close()


def test_events_without_a_date_count_under_all_periods_only(browser, tmp_path):
    from geo import aggregates as aggregation

    ev = bs.events()
    ev.loc[ev["doc"] == "r3", "date"] = None          # Chukotka's 3.5 kg, undated
    ev["count"] = np.nan
    ev["labs_destroyed"] = np.nan
    agg = aggregation.aggregate(ev.drop(columns="geometry"), bs.boundaries())
    m = choropleth(agg, boundaries=bs.boundaries(), events=ev, view="choropleth")
    path = tmp_path / "undated.html"
    m.save(path)
    page, recorder, errors = _open(browser, path, 1400, 900)
    assert page.locator("#sa-undated").inner_text() == "1 event without a date: counted under all periods only"
    page.select_option("#sa-layer-select", label="heroin (kg)")
    opened = Opened(page, recorder, errors, [])
    assert opened.fill_of("Chukotka") != NO_DATA_COLOR
    assert [o.inner_text() for o in page.locator("#sa-period-from option").all()] == [
        "all periods", "2013", "2015"]
    page.select_option("#sa-period-from", label="2013")
    page.select_option("#sa-period-to", label="2015")
    assert opened.fill_of("Chukotka") == NO_DATA_COLOR
    assert "Not in this period: 1 event without a date" in page.locator("#sa-unplaced").inner_text()
    assert errors == [] and recorder.blocked == []
    page.close()


def test_country_known_only_as_a_whole_is_hatched_with_its_legend_entry(browser, world):
    path, m, _ = world
    page, recorder, errors = _open(browser, path, 1400, 900)
    page.get_by_label("shaded regions (choropleth)").check()
    hatched = "document.querySelectorAll('.leaflet-hatch-pane path').length"
    legend = page.locator("#sa-legend")
    # all drugs and cocaine: the Netherlands' 8 t are known for the country only
    for label in ("all drugs (kg)", "cocaine (kg)"):
        page.select_option("#sa-layer-select", label=label)
        assert page.evaluate(hatched) == 1, label
        assert page.locator(".leaflet-hatch-pane path").get_attribute("fill") == "url(#sa-hatch)"
        assert "amount known only for the country" in legend.inner_text()
        assert legend.locator(".sa-hatch-row rect").get_attribute("fill") == "url(#sa-hatch)"
    # the hatched country says what it stands for
    page.evaluate("window.seizureAtlas.map.setView([52.2, 5.3], 7, {animate: false})")
    page.wait_for_timeout(200)
    box = page.locator(".leaflet-hatch-pane path").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("[...document.querySelectorAll('.leaflet-tooltip')].some(t => t.innerText.includes('known only for the country'))")
    assert "Netherlands" in page.locator(".leaflet-tooltip").last.inner_text()
    # heroin: nothing known for a country alone; 2013 (cocaine): nothing seized then
    page.select_option("#sa-layer-select", label="heroin (kg)")
    assert page.evaluate(hatched) == 0 and "known only for the country" not in legend.inner_text()
    page.select_option("#sa-layer-select", label="cocaine (kg)")
    page.select_option("#sa-period-from", label="2013")
    assert page.evaluate(hatched) == 0
    assert errors == [] and recorder.blocked == []
    page.close()


LABELS = """() => [...document.querySelectorAll('.leaflet-labels-pane .sa-label span')].map(e => {
    const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; })"""


def _apart(a, b):
    return a[2] <= b[0] or a[0] >= b[2] or a[3] <= b[1] or a[1] >= b[3]


def test_labels_by_zoom_inside_the_map_and_clear_of_controls(browser, world):
    path, m, _ = world
    page, recorder, errors = _open(browser, path, 1400, 900)
    # world zoom: the countries with data (and the hatched Netherlands), no region names
    names = {x[0] for x in page.evaluate(LABELS)}
    assert {"Afghanistan", "Myanmar", "Netherlands"} <= names and "Badakhshan" not in names
    assert "Colombia" not in names                          # no event there
    page.evaluate("window.seizureAtlas.map.setView([35, 68], 6, {animate: false})")
    page.wait_for_timeout(200)
    names = {x[0] for x in page.evaluate(LABELS)}
    assert {"Badakhshan", "Kandahar"} <= names and "Afghanistan" not in names
    for size, view in (((1400, 900), [35, 68, 6]), ((1400, 900), [40, 20, 2]), ((390, 844), [35, 68, 5])):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.evaluate("v => window.seizureAtlas.map.setView([v[0], v[1]], v[2], {animate: false})", view)
        page.wait_for_timeout(200)
        shown = page.evaluate(LABELS)
        assert shown, (size, view)
        mapbox = page.locator(".folium-map").bounding_box()
        controls = [page.locator(sel).bounding_box() for sel in
                    ("#sa-side", ".leaflet-control-zoom", ".leaflet-control-scale")]
        for name, *r in shown:
            assert (r[0] >= mapbox["x"] and r[2] <= mapbox["x"] + mapbox["width"]
                    and r[1] >= mapbox["y"] and r[3] <= mapbox["y"] + mapbox["height"]), name
            for c in controls:
                assert _apart(r, [c["x"], c["y"], c["x"] + c["width"], c["y"] + c["height"]]), (name, c)
        for i, a in enumerate(shown):                       # names never overlap
            for b in shown[i + 1:]:
                assert _apart(a[1:], b[1:]), (a[0], b[0])
    assert errors == [] and recorder.blocked == []
    page.close()


# ------------------------------------------------ issue 14, third part: operations beside seizures


def test_arrests_operations_and_eradicated_hectares_are_layers(browser, tmp_path):
    from geo import aggregate

    events, records = bs.operations_map_inputs()
    regions = aggregate(events, bs.boundaries(), eradications=records)
    m = choropleth(regions, boundaries=bs.boundaries(), events=events, view="choropleth")
    path = tmp_path / "index.html"
    m.save(path)
    page, recorder, errors = _open(browser, path, 1400, 900)
    opened = Opened(page, None, [], [])
    options = page.locator("#sa-layer-select option").all_inner_texts()
    assert {"people arrested", "operations named", "crops eradicated (ha)"} <= set(options)
    e = m.embedded.set_index("name")
    # eradicated hectares: Helmand has no seizure, only the 1,200 ha (its 9,000 ha period
    # total is in no sum)
    page.select_option("#sa-layer-select", label="crops eradicated (ha)")
    legend = page.locator("#sa-legend")
    assert legend.locator(".sa-title").inner_text() == "crops eradicated (ha)"
    assert " ha" in legend.inner_text() and "no reports of crops eradicated" in legend.inner_text()
    assert "In regions 1,500 ha crops eradicated" in page.locator("#sa-unplaced").inner_text()
    assert opened.fill_of("Helmand") == e.loc["Helmand", "crops eradicated (ha)"] != NO_DATA_COLOR
    assert opened.fill_of("Badakhshan") == NO_DATA_COLOR
    assert "crops eradicated\t1,200 ha" in _tip(page, "Helmand", "1,200 ha")
    # a period keeps the layer: 2014 holds Kandahar's 300 ha only
    page.select_option("#sa-period-from", label="2014")
    assert opened.fill_of("Helmand") == NO_DATA_COLOR
    assert opened.fill_of("Kandahar") != NO_DATA_COLOR
    page.select_option("#sa-period-from", label="all periods")
    # arrests and operations, from the events
    page.select_option("#sa-layer-select", label="people arrested")
    assert legend.locator(".sa-title").inner_text() == "people arrested"
    assert "no reports of arrests" in legend.inner_text()
    assert "arrested\t4 people" in _tip(page, "Badakhshan", "4 people")
    assert opened.fill_of("Helmand") == NO_DATA_COLOR
    page.select_option("#sa-layer-select", label="operations named")
    assert "operations\t2 named" in _tip(page, "Badakhshan", "2 named")
    assert opened.fill_of("Kandahar") == NO_DATA_COLOR
    shot = tmp_path / "operations.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert errors == [] and recorder.blocked == []
    page.close()
