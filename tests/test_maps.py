"""geo.maps.choropleth / geo.maps.classify / geo.maps.assets without a browser: what the saved page holds."""
from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

import browser_support as bs
from geo.maps import classify as mapdata
from geo.maps import assets as offline
from geo.errors import MapError
from geo.maps.choropleth import NO_DATA_COLOR, choropleth


@pytest.fixture(scope="module")
def page_and_map(tmp_path_factory):
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), events=bs.events())
    path = tmp_path_factory.mktemp("map") / "index.html"
    m.save(path)
    return path.read_text(encoding="utf-8"), m


def _payload(page: str) -> dict:
    # the compact regions payload the page decodes ("var D = {...};")
    return json.loads(re.search(r"var D = (\{.*?\});\n", page).group(1))


# ----------------------------------------------------------------------- offline


def test_saved_page_fetches_nothing_and_carries_the_libraries(page_and_map):
    page, _ = page_and_map
    assert offline.external_urls(page) == []
    assert not re.search(r"<script[^>]*\ssrc=", page)
    assert not re.search(r"<link[^>]*\shref=", page)
    assert "Leaflet 1.9.3" in page                      # leaflet.js banner, inlined
    assert "L.MarkerClusterGroup" in page               # markercluster, inlined
    assert "jQuery v3.7.1" in page                      # folium's popups use $()
    assert "data:image/png;base64," in page             # leaflet.css images as data URIs
    assert "bootstrap" not in page.lower()              # dropped: no PyPI copy, unused
    assert "sourceMappingURL" not in page


def test_unknown_external_script_is_an_error():
    page = '<html><head><script src="https://cdn.example.com/new-plugin.js"></script></head></html>'
    with pytest.raises(MapError, match="new-plugin.js"):
        offline.inline_assets(page)
    with pytest.raises(MapError, match="stylesheet"):
        offline.inline_assets('<link rel="stylesheet" href="https://cdn.example.com/x.css"/>')
    with pytest.raises(MapError, match="external URL"):
        offline.inline_assets('<img src="https://tracker.example.com/p.gif">')


def test_a_folium_element_bringing_a_cdn_makes_save_fail(tmp_path):
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries())
    folium.plugins.Fullscreen().add_to(m)  # links Leaflet.fullscreen from a CDN
    with pytest.raises(MapError, match="unknown external"):
        m.save(tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_awesome_markers_refused_rather_than_silently_broken(tmp_path):
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries())
    folium.Marker([34, 66], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(MapError, match="awesome"):
        m.to_html()


def test_requested_tiles_are_the_only_external_url():
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), tiles="OpenStreetMap")
    page = m.to_html()
    assert "tile.openstreetmap.org" in page
    assert offline.external_urls(page) == []
    assert "cdn.jsdelivr" not in page


# --------------------------------------------------------------- layers, classes


def test_layers_one_per_substance_plus_all(page_and_map):
    _, m = page_and_map
    assert m.layer_labels == ["all drugs (kg)", "heroin (kg)", "morphine (kg)", "opium (kg)",
                              "cocaine (kg)"]
    page = m.to_html()
    for label in m.layer_labels + ["labs destroyed", "events (4)"]:
        assert json.dumps(label) in page  # in the layer control


def test_regions_without_reports_are_grey_never_top_class(page_and_map):
    _, m = page_and_map
    e = m.embedded.set_index("code")
    # the rest of the countries with data is embedded, grey
    assert set(e.index) == set(bs.boundaries()["code"])
    assert m.regions_embedded == 8
    for code in ("AF-HEL", "AF-KAB", "RU-MOW", "CO-ANT"):
        assert (e.loc[code, m.layer_labels] == NO_DATA_COLOR).all()
    # a region with no heroin figure is grey on the heroin layer, not the top colour
    assert e.loc["CO-DC", "heroin (kg)"] == NO_DATA_COLOR
    assert e.loc["CO-DC", "cocaine (kg)"] != NO_DATA_COLOR
    # heaviest region gets the darkest colour of the layer
    top = m.colormaps["all drugs (kg)"].colors[-1]
    assert e.loc["AF-KAN", "all drugs (kg)"] == mapdata.palette(4)[-1]
    assert top is not None


def test_legend_labels_and_colormap(page_and_map):
    page, m = page_and_map
    cfg = json.loads(re.search(r"var cfg = (\{.*?\});\n", page).group(1))
    heroin = next(layer for layer in cfg["layers"] if layer["label"] == "heroin (kg)")
    # three distinct heroin figures: three classes, each its own label
    assert heroin["labels"] == ["3.5 kg", "3.5 – 12 kg", "12 – 180 kg"]
    assert heroin["colors"] == mapdata.palette(3)
    assert cfg["noDataLabel"] == "no reports"
    cm = m.colormaps["heroin (kg)"]
    assert cm.vmin == pytest.approx(3.5) and cm.vmax == pytest.approx(180)


def test_tooltip_figures_in_payload(page_and_map):
    page, m = page_and_map
    cfg = json.loads(re.search(r"var cfg = (\{.*?\});\n", page).group(1))
    d = _payload(page)
    names = [r[0] for r in d["regions"]]
    bad = d["regions"][names.index("Badakhshan")]
    rows = dict(zip([cfg["rowLabels"][i] for i in bad[3][::2]], bad[3][1::2]))
    # heroin and morphine travel once, as amounts per period that the page sums; the
    # events listed hold no opium, so opium and all drugs keep their figure as text
    assert rows == {"all drugs": "2,880 kg", "opium": "1,200 kg", "labs destroyed": "6",
                    "events": "5", "reports": "1", "dates": "2013-01-31"}
    labels = [layer["label"] for layer in cfg["layers"]]
    jan = d["periods"].index("2013-01")
    assert bad[9] == [labels.index("heroin (kg)"), 1, jan, 180, labels.index("morphine (kg)"), 1, jan, 1500]
    assert d["regions"][names.index("Helmand")][3] == []  # no reports: no figures


def test_popup_entries_list_reports_and_only_http_links(page_and_map):
    page, _ = page_and_map
    d = _payload(page)
    bad = next(r for r in d["regions"] if r[0] == "Badakhshan")
    reports = bad[4]
    # one report, two figures: grouped under the report, each sentence with its figure marked
    assert len(reports) == 1
    title, date, agencies, url, sentences, figures = reports[0]
    assert (title, date, url) == ("000_seed", "2013-01-31", "https://example.org/report/1")
    assert sentences == [["180 kilos of heroin were seized in Badakhshan.", [[0, 9]]],
                         ["1,500 kilos of morphine.", [[0, 11]]]]
    assert figures == [["180 kg heroin", "Badakhshan", 0], ["1.5 t morphine", "Badakhshan", 1]]
    assert "javascript:alert" not in page  # javascript: URL dropped


def test_report_text_cannot_close_the_script(page_and_map):
    page, _ = page_and_map
    # the payload survives as data; '<' never appears raw inside the scripts' JSON
    assert "<script>window.__pwned" not in page
    assert '<img src=x onerror="window.__pwned' not in page
    d = _payload(page)
    kan = next(r for r in d["regions"] if r[0] == "Kandahar")
    report = kan[4][0]
    assert report[5][0][1] == bs.XSS_PLACE and report[4][0][0] == " ".join(bs.XSS_SENTENCE.split())


def test_initial_substance_and_unknown_substance():
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), substance="cocaine")
    assert '"initial":4' in m.to_html()
    with pytest.raises(MapError, match="no figures for substance 'fentanyl'.*heroin"):
        choropleth(bs.aggregates(), boundaries=bs.boundaries(), substance="fentanyl")


def test_log_classes_are_geometric():
    rng = np.random.default_rng(0)
    values = rng.pareto(1.1, 400) * 10 + 0.5
    lin_classes, lin = mapdata.classify(values, "fisherjenks", 5, log=False)
    log_classes, logb = mapdata.classify(values, "fisherjenks", 5, log=True)
    assert lin[-1] == pytest.approx(values.max()) and logb[-1] == pytest.approx(values.max())
    # a heavy tail puts most regions in the first linear class, not so on a log scale
    assert np.mean(lin_classes == 0) > 0.6
    assert np.mean(log_classes == 0) < 0.5


@pytest.mark.filterwarnings("ignore:Numba not installed")
def test_jenks_breaks_match_mapclassify():
    import mapclassify
    rng = np.random.default_rng(3)
    values = rng.pareto(1.3, 400) * 7
    assert mapdata.jenks_breaks(values, 5) == pytest.approx(list(mapclassify.FisherJenks(values, k=5).bins))


def test_classify_handles_few_values_and_nan():
    classes, bins = mapdata.classify(np.array([np.nan, 5.0, 5.0, 0.0, 7.0]), "fisherjenks", 5, False)
    assert classes.tolist() == [-1, 0, 0, -1, 1] and bins == [5.0, 7.0]
    with pytest.raises(MapError, match="unknown classification scheme"):
        choropleth(bs.aggregates(), boundaries=bs.boundaries(), scheme="rainbow")


def test_headtailbreaks_scheme():
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), scheme="headtailbreaks")
    assert m.regions_embedded == 8


# ------------------------------------------------------------------ geometry


def test_chukotka_is_drawn_in_one_piece_east_of_180():
    agg = bs.aggregates()
    m = choropleth(agg[agg["region"] == "RU-CHU"], boundaries=bs.boundaries())
    (south, west), (north, east) = m.bounds
    assert west == pytest.approx(170) and east == pytest.approx(188)  # not -180..180
    d = _payload(m.to_html())
    chu = next(r for r in d["regions"] if r[0] == "Chukotka")
    xs = [ring[0] / d["scale"] for poly in chu[7] for ring in poly]
    assert min(xs) >= 170


def test_alaska_style_split_moves_the_small_side_west():
    b = gpd.GeoDataFrame({"code": ["US-AK"], "name": ["Alaska"], "country": ["US"]},
                         geometry=[box(-180, 51, -140, 70).union(box(172, 52, 180, 53))],
                         crs="EPSG:4326")
    sides = mapdata.dateline_sides(gpd.GeoSeries({"US": b.geometry[0]}))
    assert sides == {"US": -1}
    shifted = mapdata.shift(b.geometry[0], -1)
    assert shifted.bounds[0] == pytest.approx(-188) and shifted.bounds[2] == pytest.approx(-140)


def test_coordinates_are_rounded_and_simplified():
    ring = [(60 + 0.00001 * i, 30 + 2 * np.sin(i / 300)) for i in range(3000)]
    poly = box(60, 30, 60.03, 33).union(gpd.GeoSeries.from_xy(*zip(*ring)).union_all().convex_hull)
    agg = gpd.GeoDataFrame({"region": ["XX-1"], "name": ["X"], "country": ["XX"], "kg_heroin": [1.0]},
                           geometry=[poly], crs="EPSG:4326")
    m = choropleth(agg, boundaries=None)
    page = m.to_html()
    d = _payload(page)
    assert d["scale"] <= 10 ** 5
    n = sum(len(r) // 2 for poly in d["regions"][0][7] for r in poly)
    assert n < len(poly.exterior.coords) / 5


def test_country_aggregates_get_no_admin1_fill():
    agg = bs.aggregates()
    by_country = agg.dissolve("country", as_index=False)[["country", "geometry"]]
    by_country["region"] = by_country["country"]
    by_country["name"] = by_country["country"]
    by_country["kg_heroin"] = [12.0, np.nan, 180.0]
    by_country.attrs["by"] = "country"
    m = choropleth(by_country, boundaries=bs.boundaries())
    assert sorted(m.embedded["code"]) == ["AF", "CO", "RU"]


# ------------------------------------------------------------------- bad input


def test_bad_input_errors():
    with pytest.raises(MapError, match="GeoDataFrame"):
        choropleth(pd.DataFrame({"kg_heroin": [1.0]}))
    with pytest.raises(MapError, match="long form.*tidy=False"):
        choropleth(pd.DataFrame({"region": ["AF-BDS"], "substance": ["heroin"], "measure": ["kg"],
                                 "value": [1.0]}))
    agg = bs.aggregates()
    twice = pd.concat([agg, agg])
    with pytest.raises(MapError, match="several rows for region 'AF-BDS'.*period"):
        choropleth(gpd.GeoDataFrame(twice, crs="EPSG:4326"), boundaries=bs.boundaries())
    pts = agg.copy()
    pts["geometry"] = [Point(0, 0)] * len(pts)
    with pytest.raises(MapError, match="row 0 \\(AF-BDS\\).*Point"):
        choropleth(pts, boundaries=bs.boundaries())
    no_crs = agg.set_crs(None, allow_override=True)
    with pytest.raises(MapError, match="no CRS"):
        choropleth(no_crs)
    with pytest.raises(MapError, match="k must be"):
        choropleth(agg, k=0, boundaries=bs.boundaries())


def test_popup_budget_lists_some_and_counts_the_rest():
    items = [{"doc": f"r{i // 2}", "date": "2014", "place": "P", "sentence": f"{i} " + "x" * 200}
             for i in range(100)]
    entries, more_events, more_reports = mapdata.popup_entries(items, 1000)
    assert 1 <= len(entries) <= 5
    assert len(entries) + more_events == 100
    assert more_reports == 50 - len({e[0] for e in entries})
    # a sentence repeated by the figures of one report is paid for (and shown) once
    same = [{"doc": "r", "place": "P", "sentence": "x" * 200, "quantity_kg": i + 1} for i in range(20)]
    entries, more_events, _ = mapdata.popup_entries(same, 1000)
    assert len(entries) > 5
    groups = mapdata.report_groups(entries, [mapdata.figures_of(i) for i in same[:len(entries)]])
    assert len(groups) == 1 and len(groups[0][4]) == 1 and len(groups[0][5]) == len(entries)


def test_any_kg_columns_and_no_kg_all():
    agg = bs.aggregates().drop(columns=["kg_all", "kg_morphine", "kg_opium"])
    agg["count_captagon"] = [np.nan, 25000.0, np.nan, np.nan]
    m = choropleth(agg, boundaries=bs.boundaries())
    assert m.layer_labels == ["all drugs (kg)", "heroin (kg)", "cocaine (kg)", "captagon (units)"]


def test_map_of_geo_aggregate_output():
    from geo import aggregates as aggregation
    ev = bs.events().drop(columns="geometry")
    ev["count"] = np.nan
    ev["labs_destroyed"] = [6, np.nan, np.nan, np.nan, np.nan]
    ev["evidence"] = [{"sentence": f"sentence {i}", "start": 0, "end": 5} for i in range(len(ev))]
    agg = aggregation.aggregate(pd.DataFrame(ev), bs.boundaries())
    m = choropleth(agg, boundaries=bs.boundaries(), events=bs.events())
    d = _payload(m.to_html())
    bad = next(r for r in d["regions"] if r[0] == "Badakhshan")
    assert {s[0] for report in bad[4] for s in report[4]} == {"sentence 0", "sentence 1"}
    assert m.embedded.set_index("code").loc["AF-BDS", "heroin (kg)"] != NO_DATA_COLOR


def test_no_located_region_still_gives_an_outline_map():
    m = choropleth(bs.aggregates().iloc[0:0], boundaries=bs.boundaries())
    page = m.to_html()
    assert m.regions_embedded == 0 and m.layer_labels == ["all drugs (kg)"]
    assert len(_payload(page)["outlines"]) == 3  # AF, CO, RU as background



def test_labs_circles_in_payload_with_names_as_data():
    agg = bs.aggregates()
    agg.loc[agg["region"] == "AF-BDS", "name"] = "Bad`akh ${window.__pwned=5}"
    page = choropleth(agg, boundaries=bs.boundaries()).to_html()
    d = _payload(page)
    assert [(d["regions"][i][0], n, name) for i, _, _, n, name in d["labs"]] == [
        ("Bad`akh ${window.__pwned=5}", "6", "Bad`akh ${window.__pwned=5}"), ("Bogota", "2", "Bogota")]
    assert not re.search(r"bindTooltip\(\s*`", page)  # no folium template-literal tooltip


def test_islands_across_the_antimeridian_join_their_country():
    # New Zealand's Chatham Islands lie at -176.5: the country spans 166..183.5, not the globe
    nz = box(166, -47, 178.5, -34).union(box(-177, -44.5, -176, -43.5))
    aq = box(-180, -90, 180, -60)  # one part around the globe: left alone
    assert mapdata.dateline_sides(gpd.GeoSeries({"NZ": nz, "AQ": aq})) == {"NZ": 1}
    assert mapdata.shift(nz, 1).bounds[2] == pytest.approx(184)


def test_branca_colormap_legend_works_offline_too():
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries())
    m.colormaps["heroin (kg)"].add_to(m)  # branca's d3 legend, if a user wants it
    page = m.to_html()
    assert "/* d3.min.js (inlined) */" in page and "version: \"3.5" in page
    assert offline.external_urls(page) == []


# ------------------------------------------------------------------ issue 13

def test_api_page_is_byte_identical_between_runs(tmp_path):
    # branca's ids are random; choropleth() numbers them itself, as the CLI always did
    pages = []
    for n in range(2):
        m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), events=bs.events(), made="2025-01-31")
        m.save(tmp_path / f"{n}.html")
        pages.append((tmp_path / f"{n}.html").read_bytes())
    assert pages[0] == pages[1]
    assert re.search(rb"map_0{20,}[0-9a-f]+", pages[0])


def _srgb_to_lab(rgb):
    c = np.asarray(rgb, dtype=float)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = lin @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                          [0.0193, 0.1192, 0.9505]]).T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _simulate(hex_colors, matrix):
    rgb = np.array([[int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)] for h in hex_colors])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    sim = np.clip(lin @ np.asarray(matrix).T, 0, 1)
    return np.where(sim <= 0.0031308, sim * 12.92, 1.055 * sim ** (1 / 2.4) - 0.055)


@pytest.mark.parametrize("k", [3, 5, 7])
def test_legend_colours_stay_apart_for_colour_blind_readers(k):
    from geo.maps.classify import NOT_COVERED_COLOR
    colors = mapdata.palette(k) + [NO_DATA_COLOR, NOT_COVERED_COLOR]
    for name, matrix in [("normal", np.eye(3))] + list(MACHADO.items()):
        lab = _srgb_to_lab(_simulate(colors, matrix))
        d = np.linalg.norm(lab[:, None, :] - lab[None, :, :], axis=-1)
        np.fill_diagonal(d, np.inf)
        # CIE76 distance >= 10: told apart at a glance, also as small patches
        assert d.min() >= 10, (name, k, d.min())
        # the classes stay ordered in lightness, whatever the colour vision
        assert np.all(np.diff(lab[:k, 0]) < 0), name


def test_class_bounds_are_round_numbers():
    values = np.array([2, 100, 1300, 3354, 6080, 11605, 41833.0])
    layer = mapdata.make_layer("all", "all drugs (kg)", "kg_all", "kg", values, "fisherjenks", 5, False)
    assert layer.labels == ["2 – 1,300 kg", "1,300 – 3,400 kg", "3,400 – 6,100 kg",
                            "6,100 – 12,000 kg", "12,000 – 42,000 kg"]
    assert layer.classes.tolist() == [0, 0, 0, 1, 2, 3, 4]


def test_view_title_and_words():
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), title="Opiates <b>2013</b>")
    assert m.view == "symbols"   # three countries: circles first
    assert "<title>Opiates &lt;b&gt;2013&lt;/b&gt;</title>" in m.to_html()
    one = bs.aggregates()
    one = one[one["country"] == "AF"]
    assert choropleth(one, boundaries=bs.boundaries()).view == "choropleth"
    with pytest.raises(MapError, match="view must be"):
        choropleth(bs.aggregates(), boundaries=bs.boundaries(), view="dots")
    agg = bs.aggregates().assign(kg_opium_poppy=[1.0, None, None, None], kg_mdma=[None, 2.0, None, None])
    labels = choropleth(agg, boundaries=bs.boundaries()).layer_labels
    assert "opium poppy (kg)" in labels and "MDMA (ecstasy) (kg)" in labels


def test_png_has_the_title_legend_and_source(tmp_path):
    pytest.importorskip("matplotlib")
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), view="choropleth", made="2025-01-31")
    path = tmp_path / "map.png"
    m.to_png(path, dpi=60)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    from PIL import Image  # matplotlib depends on pillow
    img = np.asarray(Image.open(path).convert("RGB"))
    # every class colour of the legend is painted somewhere (map or legend)
    colours = {tuple(c) for c in img.reshape(-1, 3)}
    for hexcol in m.static["layer"].colors:
        rgb = tuple(int(hexcol[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, hexcol


def test_png_without_matplotlib_is_a_clear_error(tmp_path, monkeypatch):
    import sys
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries())
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MapError, match=r"needs matplotlib: pip install 'seizure-atlas\[png\]'"):
        m.to_png(tmp_path / "x.png")


# ------------------------------------------------ issue 13, second part: a real run

NL_REPORT = ("Dutch customs seized 8 tonnes of cocaine in a container from Ecuador, "
             "the Netherlands' customs service said.\n")
SEED_HEADLINE = "Russian-U.S. relations in drug control are on the rise – FSKN"


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    """``geo map`` on the seed report and a report naming no region (8 t in the Netherlands)."""
    import shutil
    from pathlib import Path

    from geo.cli import main

    src = tmp_path_factory.mktemp("reports")
    for f in (Path(__file__).resolve().parents[1] / "seeds").iterdir():
        shutil.copy(f, src / f.name)
    (src / "nl.txt").write_text(NL_REPORT, encoding="utf-8")
    out = tmp_path_factory.mktemp("realmap")
    assert main(["map", str(src), "--out", str(out), "-q"]) in (0, 1)
    return out


def test_events_carry_the_report_headline_in_every_format(real_run):
    from geo.read.events import read_events

    for name in ("events.csv", "events.geojson"):
        ev = read_events(real_run / name)
        titles = dict(zip(ev["doc"], ev["title"]))
        assert titles["000_71f20999d8bfe338"] == SEED_HEADLINE, name
        assert titles["nl"] == NL_REPORT.strip(), name   # a one-line report is its own headline


def test_real_run_panel_names_the_netherlands_cocaine_on_opening(real_run):
    page = (real_run / "index.html").read_text(encoding="utf-8")
    config = json.loads(re.search(r"var cfg = (\{.*?\});\n", page).group(1))
    # the panel opens on all drugs: its line says what the 8 t are
    assert "8 t cocaine, Netherlands (1 report; country only)" in config["unplaced"][config["initial"]]["rows"]
    cocaine = [layer["label"] for layer in config["layers"]].index("cocaine (kg)")
    assert "8 t cocaine, Netherlands (1 report; country only)" in config["unplaced"][cocaine]["rows"]


def test_popups_are_titled_by_the_headline_with_the_file_below(real_run):
    page = (real_run / "index.html").read_text(encoding="utf-8")
    bds = next(r for r in _payload(page)["regions"] if r[0] == "Badakhshan")
    titles = [group[0] for group in bds[4]]
    assert titles == [SEED_HEADLINE]
    assert bds[4][0][6] == "000_71f20999d8bfe338"


def test_all_drugs_line_names_several_substances():
    from geo.maps.choropleth import _all_drugs_words

    part = pd.DataFrame({"kg_all": [8200.0], "kg_cocaine": [8000.0], "kg_heroin": [200.0],
                         "kg_precursor": [50.0]})
    assert _all_drugs_words(8200.0, part) == "8.2 t drugs (8 t cocaine, 200 kg heroin)"
    assert _all_drugs_words(8000.0, part.drop(columns="kg_heroin")) == "8 t cocaine"


def test_events_read_back_from_csv_without_coordinates_draw_no_point(tmp_path):
    ev = pd.DataFrame(bs.events().drop(columns="geometry"))
    ev["lon"] = [71.0, 71.1, 65.0, -175.0, np.nan]
    ev["lat"] = [37.0, 37.1, 31.0, 66.0, np.nan]
    m = choropleth(bs.aggregates(), boundaries=bs.boundaries(), events=ev)
    assert "events (4)" in [o.layer_name for o in m._children.values() if hasattr(o, "layer_name")]
