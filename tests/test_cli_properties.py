"""Property tests of the ``geo`` command (hypothesis): whatever options and paths a user
combines, the command ends with 0, 1 or 2 and a message naming what is wrong, never a
traceback (3), and never changes an input."""
from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.cli import main

HERAT = {"id": "r1", "text": "KABUL, Jan 3 (Reuters) - Afghan police seized 20 kg of heroin "
                             "in Herat province on Tuesday, the interior ministry said."}
EVENTS = [
    {"doc": "r1", "substance": "heroin", "quantity": 180, "unit": "kg", "quantity_kg": 180.0,
     "place": "Badakhshan", "country": "AF", "admin1": "AF-BDS", "date": "2012-09"},
    {"doc": "r2", "substance": "opium", "quantity": 20, "unit": "kg", "quantity_kg": 20.0,
     "place": "Herat", "country": "AF", "admin1": "AF-HER", "date": "2013-01"},
]
COLUMNS = ["prov_id", "label", "iso", "cname", "nope"]  # the file's, and one it lacks

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def run_cli(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    import geopandas as gpd

    from geo.places.boundaries import default

    folder = tmp_path_factory.mktemp("props")
    af = default()
    af = af[af["country"] == "AF"][["code", "name", "country", "geometry"]]
    gpd.GeoDataFrame({"prov_id": af["code"].values, "label": af["name"].values,
                      "iso": af["country"].values, "cname": "AFGHANISTAN"},
                     geometry=af.geometry.values, crs=af.crs).to_file(
        folder / "provinces.geojson", driver="GeoJSON")
    (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in EVENTS))
    return folder


@SETTINGS
@given(code=st.sampled_from(COLUMNS), name=st.sampled_from(COLUMNS),
       country=st.sampled_from(COLUMNS), parent=st.sampled_from(COLUMNS),
       level=st.sampled_from(["1", "2"]), by=st.sampled_from(["admin1", "country"]))
def test_boundary_options_never_crash(files, tmp_path_factory, code, name, country, parent,
                                      level, by):
    before = {p.name: p.read_bytes() for p in files.iterdir()}
    out = tmp_path_factory.mktemp("agg") / "regions.csv"
    status, _, err = run_cli("aggregate", files / "events.jsonl", "--out", out,
                             "--boundaries", files / "provinces.geojson", "--code-col", code,
                             "--name-col", name, "--country-col", country, "--parent-col",
                             parent, "--level", level, "--by", by, "-q")
    assert "Traceback" not in err and status in (0, 2), err
    if status == 2:
        # the message names the option or the file at fault
        assert "-col" in err or str(files / "provinces.geojson") in err, err
        assert not out.exists()
    else:
        assert out.exists()
    assert {p.name: p.read_bytes() for p in files.iterdir()} == before


# where --out goes, relative to the input folder "in" holding "in.jsonl"
OUT_PLACES = {
    "the input file": "in/in.jsonl",
    "the input folder": "in",
    "inside the input folder": "in/ev.jsonl",
    "a folder below it": "in/sub/ev.csv",
    "a sibling": "ev.jsonl",
    "another folder": "elsewhere/ev.geojson",
    "the input by another spelling": "in/sub/../in.jsonl",
}


@SETTINGS
@given(where=st.sampled_from(sorted(OUT_PLACES)), give=st.sampled_from(["file", "folder"]),
       command=st.sampled_from(["extract", "map"]))
def test_no_output_ever_changes_an_input(tmp_path_factory, where, give, command):
    base = tmp_path_factory.mktemp("paths")
    (base / "in").mkdir()
    source = base / "in" / "in.jsonl"
    source.write_text(json.dumps(HERAT) + "\n", encoding="utf-8")
    given_input = source if give == "file" else base / "in"
    out = base / OUT_PLACES[where]
    if command == "map":
        out = out.with_suffix("") if out.suffix else out
    status, _, err = run_cli(command, given_input, "--out", out, "-q")
    assert "Traceback" not in err and status in (0, 2), err
    assert source.read_text(encoding="utf-8") == json.dumps(HERAT) + "\n"
    assert sorted(p.name for p in (base / "in").iterdir()) == ["in.jsonl"] or status == 0
    if status == 2:
        assert "--out" in err, err
    shutil.rmtree(base)
