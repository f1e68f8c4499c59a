"""geo.read.tables: structured seizure tables in Spanish, Russian, French and English.

Fixture tables in tests/data/seizures/ carry deliberately bad rows; the tests check the
figures read, the rows skipped (by the row number a spreadsheet shows) and that places
are geocoded with the table's country, by the offline geocoder on the real gazetteer
(wrapped to record the calls read_seizures makes).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from geo.aggregates import aggregate
from geo.places.geocoder import OfflineGeocoder
from geo.places.locate import region_at
from geo.errors import SeizureTableError
from geo import read_seizures
from geo.read.tables import TABLE_COLUMNS, pint_unit, unit_kind

DATA = Path(__file__).parent / "data" / "seizures"


class RecordingGeocoder(OfflineGeocoder):
    """The offline geocoder (real gazetteer), recording the calls read_seizures makes."""

    def __init__(self):
        super().__init__()
        self.calls: list[tuple] = []

    def geocode(self, query, *, exactly_one=True, country_codes=None, context=None, **kw):
        self.calls.append((query, tuple(country_codes or ()), context))
        return super().geocode(query, exactly_one=exactly_one, country_codes=country_codes,
                               context=context, **kw)


def skipped(frame) -> dict[int, str]:
    return {s["line"]: s["reason"] for s in frame.attrs["skipped"]}


@pytest.fixture(scope="module")
def peru():
    geocoder = RecordingGeocoder()
    frame = read_seizures(DATA / "peru_incautaciones.csv", place="DEPARTAMENTO", country="PE",
                          geocoder=geocoder)
    return frame, geocoder


def test_peru_spanish_table(peru):
    frame, _ = peru
    assert list(frame.columns) == [*TABLE_COLUMNS, "geometry"]
    rows = frame.set_index("row")
    # COCAINA 12,5 KILOGRAMO: decimal comma, Spanish unit word
    assert rows.loc[2, "substance"] == "cocaine" and rows.loc[2, "quantity_kg"] == 12.5
    assert rows.loc[2, "admin1"] == "PE-TUM" and rows.loc[2, "date"] == "2019-03-15"
    point = rows.loc[2, "geometry"]
    assert region_at(point.x, point.y).code == "PE-TUM"  # the geocoded point lies in Tumbes
    # BASE DE COCA 1.250,75 KILOGRAMO, a month-precision date
    assert rows.loc[3, "substance"] == "coca_paste" and rows.loc[3, "quantity_kg"] == 1250.75
    assert rows.loc[3, "drug_group"] == "cocaine" and rows.loc[3, "date"] == "2019-04"
    # MARIHUANA 850 GRAMOS
    assert rows.loc[4, "substance"] == "cannabis_herb" and rows.loc[4, "quantity_kg"] == pytest.approx(0.85)
    # 0,5 TONELADAS = 500 kg; EXTASIS 1.200 PASTILLAS is a count, not a mass
    assert rows.loc[10, "quantity_kg"] == pytest.approx(500)
    assert rows.loc[11, "count"] == 1200 and pd.isna(rows.loc[11, "quantity_kg"])
    assert rows.loc[11, "substance"] == "mdma"
    assert rows.loc[2, "doc"] == "peru_incautaciones:2"
    assert rows.loc[2, "unit"] == "KILOGRAMO"  # as written


def test_peru_bad_rows_reported_with_spreadsheet_row_numbers(peru):
    frame, _ = peru
    bad = skipped(frame)
    assert sorted(bad) == [5, 6, 7, 8]
    assert "no quantity" in bad[5]
    assert "unknown substance" in bad[6] and "POLVO MISTERIOSO" in bad[6]
    assert "not a number" in bad[7] and "dos mil" in bad[7]
    assert "unknown unit" in bad[8] and "SACOS" in bad[8]
    assert all(s["path"].endswith("peru_incautaciones.csv") for s in frame.attrs["skipped"])
    # the other rows all went on: 11 rows of data, 4 skipped
    assert len(frame) == 10 - 4


def test_place_not_found_is_kept_unlocated(peru):
    frame, geocoder = peru
    row = frame.set_index("row").loc[9]
    assert row["country"] == "PE" and pd.isna(row["admin1"]) and row["geometry"] is None
    assert any("ATLANTIDA DEL NORTE" in f for f in row["flags"])
    # the country hint reached the geocoder
    assert ("TUMBES", ("PE",), None) in geocoder.calls
    # each distinct place is geocoded once
    assert len(geocoder.calls) == len(set(geocoder.calls))


def test_colombia_cp1252_with_country_column_and_place_columns():
    geocoder = RecordingGeocoder()
    frame = read_seizures(DATA / "colombia_incautaciones.csv", place=["MUNICIPIO", "DEPARTAMENTO"],
                          country="PAIS", substance="CLASE BIEN", date="FECHA HECHO",
                          geocoder=geocoder)
    rows = frame.set_index("row")
    assert rows.loc[2, "place"] == "TUMACO (CT), NARIÑO"  # cp1252 decoded
    # "TUMACO (CT)" is not a place; "TUMACO" is, with the department as context
    assert rows.loc[2, "admin1"] == "CO-NAR" and rows.loc[2, "country"] == "CO"
    assert ("TUMACO", ("CO",), "NARIÑO") in geocoder.calls
    # Puerto Asís, a town of Putumayo
    assert rows.loc[3, "admin1"] == "CO-PUT"
    assert rows.loc[3, "quantity_kg"] == pytest.approx(1.5)  # 1500 GRAMO
    assert rows.loc[4, "substance"] == "cocaine" and rows.loc[4, "quantity_kg"] == pytest.approx(0.3)
    # "2,000" LIBRAS in a column that writes decimal points: 2000 pounds, by pint
    assert rows.loc[7, "quantity_kg"] == pytest.approx(2000 * 0.45359237)
    assert rows.loc[2, "date"] == "2020-02-01"
    bad = skipped(frame)
    assert sorted(bad) == [5, 6] and "no quantity" in bad[5] and "CIGARRILLOS" in bad[6]


def test_russian_table():
    frame = read_seizures(DATA / "russia_izyatiya.csv", country="RU", geocoder=RecordingGeocoder())
    rows = frame.set_index("row")
    # columns found by their Russian names: Вещество, Количество, Ед. изм., Регион, Дата
    assert rows.loc[2, "substance"] == "heroin" and rows.loc[2, "quantity_kg"] == 1.5  # "1,5" кг
    assert rows.loc[3, "substance"] == "cannabis_resin" and rows.loc[3, "quantity_kg"] == 0.25  # 250 г
    assert rows.loc[4, "quantity_kg"] == pytest.approx(0.3)  # 300 гр
    assert rows.loc[2, "date"] == "2021-03-12" and rows.loc[4, "date"] == "2021-04"
    assert rows.loc[2, "admin1"] == "RU-MOW"
    assert rows.loc[7, "country"] == "RU" and pd.isna(rows.loc[7, "admin1"])  # Нигдеград
    bad = skipped(frame)
    assert sorted(bad) == [5, 6]
    assert "'abc' is not a number" in bad[5] and "unknown unit 'пуд'" in bad[6]


def test_excel_written_with_pandas(tmp_path):
    path = tmp_path / "saisies.xlsx"
    pd.DataFrame({
        "Date": [dt.datetime(2020, 5, 1), dt.datetime(2020, 5, 2), "2020-06", None],
        "Lieu": ["Tumbes", "Puno", "Tumbes", "Puno"],
        "Drogue": ["cocaïne", "héroïne", "résine de cannabis", "cocaïne"],
        "Quantité": [2.5, 300, "1 200", "beaucoup"],
        "Unité": ["kg", "grammes", "g", "kg"],
    }).to_excel(path, index=False)
    frame = read_seizures(path, place="Lieu", country="PE", geocoder=RecordingGeocoder())
    rows = frame.set_index("row")
    assert rows.loc[2, "substance"] == "cocaine" and rows.loc[2, "quantity_kg"] == 2.5
    assert rows.loc[2, "date"] == "2020-05-01" and rows.loc[2, "admin1"] == "PE-TUM"
    assert rows.loc[3, "substance"] == "heroin" and rows.loc[3, "quantity_kg"] == pytest.approx(0.3)
    assert rows.loc[4, "quantity_kg"] == pytest.approx(1.2) and rows.loc[4, "date"] == "2020-06"
    assert skipped(frame) == {5: "quantity 'beaucoup' is not a number"}


def test_json_and_jsonl(tmp_path):
    records = [
        {"id": "a1", "drug": "heroin", "qty": "1,500", "unit": "kilos", "place": "Moscow"},
        {"id": "a2", "drug": "opium", "qty": 2, "unit": "tonnes", "place": "Atlantis"},
        {"id": "a3", "drug": "heroin", "qty": 3, "unit": "bags"},
    ]
    j = tmp_path / "s.json"
    j.write_text(json.dumps({"seizures": records}), encoding="utf-8")
    frame = read_seizures(j, quantity="qty", country="RU", geocoder=RecordingGeocoder())
    assert frame["doc"].tolist() == ["a1", "a2"]
    assert frame["quantity_kg"].tolist() == [1500.0, 2000.0]
    assert skipped(frame) == {3: "unknown unit 'bags'"}  # the third record
    lines = [json.dumps(r) for r in records[:2]] + ["", "{not json", json.dumps(records[2])]
    jl = tmp_path / "s.jsonl"
    jl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = read_seizures(jl, quantity="qty", country="RU", geocoder=RecordingGeocoder())
    bad = skipped(frame)
    assert sorted(bad) == [4, 5] and "not valid JSON" in bad[4]


def test_fixed_unit_substance_and_number_with_unit(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("where,amount\nTumbes,12\nPuno,3.5 kg\nLima,\n", encoding="utf-8")
    frame = read_seizures(path, place="where", quantity="amount", substance="cocaína",
                          unit="libras", country="PE", geocoder=RecordingGeocoder())
    rows = frame.set_index("row")
    assert rows.loc[2, "quantity_kg"] == pytest.approx(12 * 0.45359237)  # the table's unit
    assert rows.loc[3, "quantity_kg"] == 3.5  # the cell's own unit wins over the default
    assert set(frame["substance"]) == {"cocaine"}
    assert 4 in skipped(frame)


def test_missing_column_names_file_and_lists_columns():
    with pytest.raises(SeizureTableError) as err:
        read_seizures(DATA / "peru_incautaciones.csv", quantity="PESO", geocoder=RecordingGeocoder())
    msg = str(err.value)
    assert "peru_incautaciones.csv" in msg and "'PESO'" in msg
    assert "CANTIDAD" in msg and "DROGA" in msg and "UNIDAD" in msg
    with pytest.raises(SeizureTableError, match="unsupported table format"):
        read_seizures(Path(__file__), geocoder=RecordingGeocoder())
    with pytest.raises(SeizureTableError, match="no such file"):
        read_seizures(DATA / "nope.csv")


def test_unit_words():
    assert [pint_unit(w) for w in ("KILOGRAMO", "GRAMO", "GRAMOS", "kg", "g", "кг", "гр", "г.",
                                   "tonnes", "libras", "Kilos", "litros", "gallons", "PASTILLAS",
                                   "шт")] == [
        "kilogram", "gram", "gram", "kilogram", "gram", "kilogram", "gram", "gram",
        "metric_ton", "pound", "kilogram", "liter", "gallon", "count", "count"]
    assert pint_unit("SACOS") is None and pint_unit("") is None
    assert unit_kind("litros") == "volume" and unit_kind("кг") == "mass" and unit_kind("pills") == "count"


def test_tables_feed_the_aggregate(peru):
    from shapely.geometry import box
    import geopandas as gpd

    frame, _ = peru
    regions = gpd.GeoDataFrame({"code": ["PE-TUM", "PE-HUC", "PE-PUN"], "name": ["Tumbes", "Huánuco", "Puno"],
                                "country": ["PE"] * 3},
                               geometry=[box(-81, -4, -80, -3), box(-77, -10, -75, -9),
                                         box(-71, -16, -69, -15)], crs="EPSG:4326")
    agg = aggregate(frame, regions).set_index("region")
    assert agg.loc["PE-TUM", "kg_cocaine"] == 12.5
    assert agg.loc["PE-HUC", "kg_coca_paste"] == 1250.75
    un = agg.attrs["unlocated"]
    # every kg read is either in a region or unlocated
    total = agg.filter(like="kg_").drop(columns="kg_all").sum().sum() + \
        un.filter(like="kg_").drop(columns="kg_all").sum().sum()
    assert total == pytest.approx(frame["quantity_kg"].sum())
    assert agg["events"].sum() + un["events"].sum() == len(frame)


def test_default_offline_geocoder():
    """The real gazetteer: province + department, municipality + department, Cyrillic."""
    pe = read_seizures(DATA / "peru_incautaciones.csv", place=["PROVINCIA", "DEPARTAMENTO"],
                       country="PE").set_index("row")
    assert pe.loc[[2, 3, 4, 10], "admin1"].tolist() == ["PE-TUM", "PE-HUC", "PE-PUN", "PE-SAM"]
    assert pd.isna(pe.loc[9, "admin1"])  # "ATLANTIDA DEL NORTE" is no Peruvian place
    co = read_seizures(DATA / "colombia_incautaciones.csv", place=["MUNICIPIO", "DEPARTAMENTO"],
                       country="PAIS", substance="CLASE BIEN", date="FECHA HECHO").set_index("row")
    assert co.loc[[2, 3, 4, 7], "admin1"].tolist() == ["CO-NAR", "CO-PUT", "CO-DC", "CO-MET"]
    ru = read_seizures(DATA / "russia_izyatiya.csv", country="RU").set_index("row")
    assert ru.loc[[2, 3, 4], "admin1"].tolist() == ["RU-MOW", "RU-SPE", "RU-SVE"]
    assert ru.loc[2].geometry is not None and pd.isna(ru.loc[7, "admin1"])


def test_title_row_above_header_and_ambiguous_numbers(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("Incautaciones enero 2019\n\nlugar,droga,cantidad,unidad\n"
                    "Tumbes,cocaina,\"12,5\",kg\nPuno,cocaina,\"1.200\",g\n", encoding="utf-8")
    frame = read_seizures(path, country="PE", geocoder=RecordingGeocoder())
    rows = frame.set_index("row")
    # the header is on line 3, data on lines 4 and 5
    assert sorted(rows.index) == [4, 5]
    assert rows.loc[4, "quantity_kg"] == 12.5
    # the column writes decimal commas, so "1.200" is 1200 g; the reading is flagged
    assert rows.loc[5, "quantity_kg"] == pytest.approx(1.2)
    assert any("ambiguous number '1.200' read as 1200" in f for f in rows.loc[5, "flags"])
