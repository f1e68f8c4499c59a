"""Eradication records through the flow: the API, the files geo map and geo extract write,
the regional sums. (What the reader finds in a sentence is data: tests/cases/eradication.jsonl.)"""
from __future__ import annotations

import json

import pandas as pd
import pytest

import geo
from geo.cli import main
from geo.errors import AggregationError, ExtractionError
from geo.events import ERADICATION_FIELDS, Eradication, eradications_to_frame, write_eradications
from geo.read.reports import Report

HELMAND = Report(id="h", title="Afghan troops eradicate poppy", text=(
    "KABUL, May 3 (Reuters) - Afghan troops eradicate poppy\n\n"
    "Afghan troops eradicated 1,200 hectares of poppy in Helmand province last week, the "
    "counter-narcotics ministry said. So far this year 9,000 hectares have been destroyed "
    "in the province.\n\nIn a separate raid police seized 300 kg of opium in Kandahar city."))


@pytest.fixture(scope="module")
def events():
    return geo.extract([HELMAND])


def test_extract_keeps_seizures_and_eradications_apart(events):
    assert events[["substance", "quantity_kg", "admin1"]].values.tolist() == [["opium", 300.0, "AF-KAN"]]
    erad = geo.eradications(events)
    assert list(erad.columns) == [*ERADICATION_FIELDS, "geometry"]
    assert erad[["crop", "hectares", "admin1", "counted"]].values.tolist() == [
        ["opium poppy", 1200.0, "AF-HEL", True], ["opium poppy", 9000.0, "AF-HEL", False]]
    assert "period total" in erad.loc[1, "flags"]
    assert erad.crs == "EPSG:4326" and erad.geometry.notna().all()
    # the not-events say so, with the figure
    reasons = {n["text"]: n["reason"] for n in events.attrs["not_events"]}
    assert reasons["1,200 hectares"] == "eradication (a record of its own)"


def test_eradications_of_reports_equal_those_of_their_events(events):
    direct = geo.eradications([HELMAND])
    assert direct.drop(columns="geometry").equals(geo.eradications(events).drop(columns="geometry"))


def test_eradications_of_a_frame_without_not_events_says_what_to_give():
    with pytest.raises(ExtractionError, match="not_events"):
        geo.eradications(pd.DataFrame({"doc": ["a"], "substance": ["heroin"]}))


def test_aggregate_adds_hectares_and_counts_the_period_total_nowhere(events):
    erad = geo.eradications(events)
    regions = geo.aggregate(events, eradications=erad).set_index("region")
    assert regions.loc["AF-HEL", "eradicated_ha"] == 1200.0
    assert regions.loc["AF-HEL", "eradications"] == 1
    assert regions.loc["AF-HEL", "events"] == 0                 # no seizure there
    assert pd.isna(regions.loc["AF-HEL", "kg_all"])
    assert regions.loc["AF-KAN", "events"] == 1 and regions.loc["AF-KAN", "eradications"] == 0
    assert regions.attrs["excluded"]["eradication not counted"] == 1
    sources = json.loads(regions.loc["AF-HEL", "sources"])
    assert sources[0]["hectares"] == 1200.0 and sources[0]["crop"] == "opium poppy"
    # without eradications: the table as before, no eradication columns
    plain = geo.aggregate(events)
    assert "eradicated_ha" not in plain.columns and "AF-HEL" not in set(plain["region"])


def test_unlocated_hectares_keep_the_totals_whole():
    records = eradications_to_frame([
        Eradication(doc="a", crop="coca", hectares=100.0, country="CO", admin1="CO-PUT",
                    lat=0.5, lon=-76.0, date="2024-03"),
        Eradication(doc="b", crop="coca", hectares=35.0, country="CO", date="2024"),
    ])
    regions = geo.aggregate(geo.events.events_to_frame([]), eradications=records)
    unlocated = regions.attrs["unlocated"]
    assert regions["eradicated_ha"].sum() + unlocated["eradicated_ha"].sum() == 135.0
    assert unlocated.loc[0, "reason"] == "no admin1"


def test_aggregate_refuses_what_is_no_eradication_frame(events):
    with pytest.raises(AggregationError, match="eradications must be a DataFrame"):
        geo.aggregate(events, eradications=[{"doc": "x"}])
    with pytest.raises(AggregationError, match="hectares"):
        geo.aggregate(events, eradications=pd.DataFrame({"doc": ["x"]}))


def test_write_eradications_csv_jsonl_geojson(events, tmp_path):
    erad = geo.eradications(events)
    csv = pd.read_csv(write_eradications(erad, tmp_path / "e.csv"))
    assert list(csv.columns) == list(ERADICATION_FIELDS)
    assert json.loads(csv.loc[0, "evidence"])["figure"] == "1,200 hectares"
    lines = (write_eradications(erad, tmp_path / "e.jsonl")).read_text().splitlines()
    assert json.loads(lines[1])["counted"] is False
    gj = json.loads(write_eradications(erad, tmp_path / "e.geojson").read_text())
    assert len(gj["features"]) == 2 and gj["features"][0]["properties"]["crop"] == "opium poppy"
    with pytest.raises(ExtractionError, match="record 0"):
        eradications_to_frame(["not a record"])


def _cli(*argv):
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def test_geo_map_and_geo_extract_write_the_eradication_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "h.txt").write_text(HELMAND.text, encoding="utf-8")
    code, out, err = _cli("map", folder, "--out", tmp_path / "maps", "--json", "-q")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["eradications"] == 2 and summary["eradicated_ha"] == {"opium poppy": 1200.0}
    assert summary["outputs"]["eradication.csv"] == str(tmp_path / "maps" / "eradication.csv")
    rows = pd.read_csv(tmp_path / "maps" / "eradication.csv")
    assert rows[["crop", "hectares", "admin1"]].values.tolist()[0] == ["opium poppy", 1200.0, "AF-HEL"]
    regions = pd.read_csv(tmp_path / "maps" / "regions.csv").set_index("region")
    assert regions.loc["AF-HEL", "eradicated_ha"] == 1200.0
    html = (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    assert "crops eradicated (ha)" in html
    code, out, err = _cli("extract", folder, "--out", tmp_path / "x" / "events.jsonl", "-q")
    assert code == 0, err
    lines = (tmp_path / "x" / "eradication.jsonl").read_text().splitlines()
    assert [json.loads(line)["hectares"] for line in lines] == [1200.0, 9000.0]
    # geo aggregate takes the records back
    code, out, err = _cli("aggregate", tmp_path / "x" / "events.jsonl", "--out",
                          tmp_path / "regions.csv", "--eradication",
                          tmp_path / "maps" / "eradication.csv", "-q")
    assert code == 0, err
    regions = pd.read_csv(tmp_path / "regions.csv").set_index("region")
    assert regions.loc["AF-HEL", "eradicated_ha"] == 1200.0 and regions.loc["AF-KAN", "events"] == 1
    # the events file is never where the eradication records go
    code, out, err = _cli("extract", folder, "--out", tmp_path / "x" / "eradication.csv", "-q")
    assert code == 2 and "eradication records go" in err


def test_records_come_back_from_worker_processes_the_same(events):
    other = Report(id="c", text="Police cleared 960 acres of poppy in Loilem township, Shan state.")
    one = geo.eradications(geo.extract([HELMAND, other]))
    two = geo.eradications(geo.extract([HELMAND, other], jobs=2))
    assert len(one) == 3
    assert one.drop(columns="geometry").equals(two.drop(columns="geometry"))
