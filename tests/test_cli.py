"""The ``geo`` command end to end: geo map / extract / aggregate / geocode, exit codes,
atomic and reproducible outputs. Runs in-process through ``main(argv)`` for speed, plus
one run of the installed console script."""
from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.output import OUTPUT_FILES, atomic_path, deterministic_element_ids, write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_71f20999d8bfe338.txt"

SEED_KG = {"heroin": 180, "morphine": 1500, "opium": 1200, "opium_poppy": 2000,
           "precursor": 700}


def need(*names: str) -> None:
    """Fail, naming it, when a step's module ("module:attribute") is missing."""
    missing = []
    for name in names:
        module, _, attr = name.partition(":")
        try:
            mod = importlib.import_module(module)
        except ImportError:
            missing.append(name)
            continue
        if attr and not hasattr(mod, attr):
            missing.append(name)
    # every step is part of the package: a missing one is a failure, not a skip
    assert not missing, f"{', '.join(missing)} missing from the package"


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``geo ARGV`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def seed_map(tmp_path_factory):
    """``geo map seeds/ --out DIR --json``, run once: (exit code, summary, DIR)."""
    need("geo.extraction.core:extract", "geo.places.geocoder:OfflineGeocoder")
    out = tmp_path_factory.mktemp("seedmap")
    code, stdout, stderr = run_cli("map", SEEDS, "--out", out, "--json", "-q")
    assert stdout, stderr
    return code, json.loads(stdout), out


# --------------------------------------------------------------------------------------
# geo map on the seed
# --------------------------------------------------------------------------------------
def test_map_seeds_writes_the_four_files(seed_map):
    code, summary, out = seed_map
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)  # no temp files left
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Badakhshan" in html
    assert summary["outputs"] == {name: str(out / name) for name in OUTPUT_FILES}


def test_map_seeds_summary_six_events_in_badakhshan(seed_map):
    _, summary, out = seed_map
    assert summary["reports_read"] == 1 and summary["skipped"] == []
    assert (summary["events"], summary["located"], summary["unlocated"]) == (6, 6, 0)
    assert summary["labs_destroyed"] == 6
    assert {s: t["kg"] for s, t in summary["totals"].items()} == SEED_KG
    events = pd.read_csv(out / "events.csv", keep_default_na=False)
    assert len(events) == 6
    assert set(events["admin1"]) == {"AF-BDS"}
    regions = pd.read_csv(out / "regions.csv")
    bds = regions.set_index("region").loc["AF-BDS"]
    assert bds["kg_heroin"] == 180 and bds["labs_destroyed"] == 6
    geo = json.loads((out / "events.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == 6
    assert summary["top_regions"] == [{"region": "AF-BDS", "name": "Badakhshan",
                                       "country": "AF", "events": 6, "kg_all": 4880.0,
                                       "labs_destroyed": 6}]
    assert summary["unlocated_by"] == []


def test_map_text_summary(tmp_path, capsys):
    need("geo.extraction.core:extract", "geo.places.geocoder:OfflineGeocoder")
    code = main(["map", str(SEEDS), "--out", str(tmp_path), "-q"])
    text = capsys.readouterr().out
    assert code == 0
    assert "reports read: 1" in text
    assert "skipped: 0" in text
    assert "events found: 6 (located 6, unlocated 0)" in text
    assert "labs destroyed: 6" in text
    for line in ("heroin", "1,500 kg", "opium_poppy", "2,000 kg", "precursor", "700 kg"):
        assert line in text
    assert "AF-BDS  Badakhshan (AF): 6 events" in text


def test_rerun_gives_byte_identical_files(seed_map, tmp_path):
    _, _, first = seed_map
    before = {name: (first / name).read_bytes() for name in OUTPUT_FILES}
    # the same folder again (files replaced) and another folder: same bytes
    for out in (first, tmp_path / "again"):
        code, _, _ = run_cli("map", SEEDS, "--out", out, "-q")
        assert code == 0
        for name in OUTPUT_FILES:
            assert (out / name).read_bytes() == before[name], name


def test_folder_with_bad_files_is_partial(tmp_path):
    need("geo.extraction.core:extract", "geo.places.geocoder:OfflineGeocoder")
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(SEED, inp / SEED.name)
    (inp / "empty.txt").write_bytes(b"")
    (inp / "scan.txt").write_bytes(b"%PDF-1.4\x00\x01\x02" * 20)
    (inp / "feed.csv").write_text("id,body\n1,Police seized 5 kg\n", encoding="utf-8")
    code, stdout, _ = run_cli("map", inp, "--out", tmp_path / "out", "--json", "-q")
    summary = json.loads(stdout)
    assert code == 1
    skipped = {Path(s["path"]).name: s for s in summary["skipped"]}
    assert set(skipped) == {"empty.txt", "scan.txt", "feed.csv"}
    assert skipped["empty.txt"]["reason"] == "empty file"
    assert "binary" in skipped["scan.txt"]["reason"]
    assert skipped["feed.csv"]["line"] == 1 and "no column 'text'" in skipped["feed.csv"]["reason"]
    # the rest went on
    assert summary["reports_read"] == 1 and summary["events"] == 6
    assert all((tmp_path / "out" / n).exists() for n in OUTPUT_FILES)
    # the text form lists each skip with its reason
    code, text, _ = run_cli("map", inp, "--out", tmp_path / "out", "-q")
    assert code == 1
    assert "skipped: 3" in text
    assert f"{inp / 'empty.txt'}: empty file" in text
    assert f"{inp / 'feed.csv'}:1: no column 'text'" in text


def test_map_json_is_machine_readable(seed_map):
    code, summary, _ = seed_map
    assert summary["exit_code"] == code == 0
    assert set(summary) >= {"reports_read", "skipped", "events", "located", "unlocated",
                            "totals", "outputs"}
    json.dumps(summary)  # round-trips


def test_map_with_custom_boundaries(tmp_path):
    need("geo.extraction.core:extract", "geo.places.geocoder:OfflineGeocoder")
    import geopandas as gpd

    from geo.places.boundaries import default

    af = default()
    af = af[af["country"] == "AF"][["code", "name", "country", "geometry"]]
    mine = gpd.GeoDataFrame({"prov_id": "P-" + af["code"].str[3:], "label": af["name"],
                             "iso": af["country"]}, geometry=af.geometry.values, crs=af.crs)
    path = tmp_path / "provinces.geojson"
    mine.to_file(path, driver="GeoJSON")
    code, stdout, _ = run_cli("map", SEEDS, "--out", tmp_path / "out", "--json", "-q",
                              "--boundaries", path, "--code-col", "prov_id",
                              "--name-col", "label", "--country-col", "iso")
    assert code == 0, stdout
    events = pd.read_csv(tmp_path / "out" / "events.csv", keep_default_na=False)
    assert set(events["admin1"]) == {"P-BDS"}
    regions = pd.read_csv(tmp_path / "out" / "regions.csv")
    assert list(regions["region"]) == ["P-BDS"]


def test_map_with_a_seizure_table(tmp_path):
    need("geo.places.geocoder:OfflineGeocoder")
    table = tmp_path / "seizures.csv"
    table.write_text("fecha,departamento,droga,cantidad,unidad\n"
                     "2019-03-02,Cusco,COCAINA,12.5,KILOGRAMO\n"
                     "2019-03-05,Puno,MARIHUANA,800,GRAMO\n", encoding="utf-8")
    code, stdout, _ = run_cli(
        "map", table, "--out", tmp_path / "out", "--json", "-q",
        "--seizure-place", "departamento", "--seizure-substance", "droga",
        "--seizure-quantity", "cantidad", "--seizure-unit", "unidad",
        "--seizure-date", "fecha", "--seizure-country", "PE")
    summary = json.loads(stdout)
    assert code == 0, summary
    assert summary["reports_read"] == 0 and summary["table_rows_read"] == 2
    assert summary["totals"]["cocaine"]["kg"] == 12.5
    assert summary["totals"]["cannabis_herb"]["kg"] == 0.8
    events = pd.read_csv(tmp_path / "out" / "events.csv", keep_default_na=False)
    assert sorted(events["admin1"]) == ["PE-CUS", "PE-PUN"]


def test_console_script_in_a_subprocess(tmp_path):
    need("geo.extraction.core:extract", "geo.places.geocoder:OfflineGeocoder")
    exe = shutil.which("geo", path=str(Path(sys.executable).parent)) or shutil.which("geo")
    assert exe, "the geo console script is not installed (pip install -e .)"
    proc = subprocess.run([exe, "map", str(SEEDS), "--out", str(tmp_path), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["events"] == 6
    assert all((tmp_path / n).stat().st_size > 0 for n in OUTPUT_FILES)


# --------------------------------------------------------------------------------------
# geo extract / geo aggregate
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def seed_events(tmp_path_factory):
    need("geo.extraction.core:extract", "geo.places.geocoder:OfflineGeocoder")
    out = tmp_path_factory.mktemp("extract")
    for suffix in ("jsonl", "csv", "geojson"):
        code, _, err = run_cli("extract", SEEDS, "--out", out / f"events.{suffix}", "-q")
        assert code == 0, err
    return out


def test_extract_jsonl_holds_exactly_the_schema(seed_events):
    from geo.events import EVENT_FIELDS

    lines = (seed_events / "events.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 6
    assert all(tuple(r) == EVENT_FIELDS for r in rows)
    assert {r["substance"]: r["quantity_kg"] for r in rows if r["substance"]} == SEED_KG
    assert all(r["admin1"] == "AF-BDS" for r in rows)


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "geojson"])
def test_aggregate_reads_each_events_format(seed_events, tmp_path, suffix):
    code, out, err = run_cli("aggregate", seed_events / f"events.{suffix}",
                             "--out", tmp_path / "regions.csv")
    assert code == 0, err
    regions = pd.read_csv(tmp_path / "regions.csv").set_index("region")
    assert list(regions.index) == ["AF-BDS"]
    assert regions.loc["AF-BDS", "kg_morphine"] == 1500
    assert regions.loc["AF-BDS", "labs_destroyed"] == 6
    assert "unlocated events: 0" in out


HAND_EVENTS = [
    {"doc": "r1", "substance": "heroin", "drug_group": "opiates", "quantity": 180,
     "unit": "kilos", "quantity_kg": 180.0, "count": None, "labs_destroyed": None,
     "place": "Badakhshan", "country": "AF", "admin1": "AF-BDS", "date": "2012-09",
     "agencies": ["FSKN"], "confidence": 0.9,
     "evidence": {"sentence": "180 kilos of heroin", "start": 10, "end": 29}},
    {"doc": "r2", "substance": "opium", "drug_group": "opiates", "quantity": 20,
     "unit": "kg", "quantity_kg": 20.0, "count": None, "labs_destroyed": None,
     "place": "Herat", "country": "AF", "admin1": "AF-HER", "date": "2013-01",
     "agencies": [], "confidence": 0.8,
     "evidence": {"sentence": "20 kg of opium", "start": 0, "end": 14}},
    {"doc": "r3", "substance": "opium", "drug_group": "opiates", "quantity": 5,
     "unit": "kg", "quantity_kg": 5.0, "count": None, "labs_destroyed": None,
     "place": "Afghanistan", "country": "AF", "admin1": None, "date": "2013",
     "agencies": [], "confidence": 0.5,
     "evidence": {"sentence": "5 kg of opium", "start": 0, "end": 13}},
]


@pytest.fixture()
def hand_events(tmp_path) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in HAND_EVENTS), encoding="utf-8")
    return path


def test_aggregate_by_region_and_country(hand_events, tmp_path):
    code, out, _ = run_cli("aggregate", hand_events, "--out", tmp_path / "r.csv")
    assert code == 0
    regions = pd.read_csv(tmp_path / "r.csv").set_index("region")
    assert regions.loc["AF-BDS", "kg_heroin"] == 180
    assert regions.loc["AF-HER", "kg_opium"] == 20
    assert "unlocated events: 1" in out and "no admin1: 1 event(s) in AF" in out

    code, out, _ = run_cli("aggregate", hand_events, "--out", tmp_path / "c.csv",
                           "--by", "country", "--json")
    assert code == 0
    assert json.loads(out)["regions"] == 1
    countries = pd.read_csv(tmp_path / "c.csv", keep_default_na=False).set_index("region")
    assert countries.loc["AF", "kg_opium"] == 25  # the country-level event counts here


def test_aggregate_map_is_reproducible(hand_events, tmp_path):
    for name in ("a.html", "b.html"):
        code, _, _ = run_cli("aggregate", hand_events, "--out", tmp_path / "r.csv",
                             "--map", tmp_path / name, "-q")
        assert code == 0
    a, b = (tmp_path / "a.html").read_bytes(), (tmp_path / "b.html").read_bytes()
    assert a == b and b"Badakhshan" in a


def test_aggregate_bad_events_file(tmp_path):
    bad = tmp_path / "events.jsonl"
    bad.write_text('{"doc": "r1"}\n{oops\n', encoding="utf-8")
    code, _, err = run_cli("aggregate", bad, "--out", tmp_path / "r.csv")
    assert code == 2
    assert f"{bad}:2: not a JSON line" in err
    assert not (tmp_path / "r.csv").exists()


# --------------------------------------------------------------------------------------
# geo geocode
# --------------------------------------------------------------------------------------
def test_geocode_with_context():
    need("geo.places.geocoder:OfflineGeocoder")
    code, out, _ = run_cli("geocode", "Badakhshan", "--context",
                           "drug labs destroyed in northern Afghanistan", "--json")
    assert code == 0
    best = json.loads(out)["results"][0]
    assert (best["country"], best["admin1"]) == ("AF", "AF-BDS")
    code, out, _ = run_cli("geocode", "Badakhshan", "--context", "northern Afghanistan")
    assert code == 0 and "AF-BDS" in out


def test_geocode_unknown_name_exits_1():
    need("geo.places.geocoder:OfflineGeocoder")
    code, out, err = run_cli("geocode", "Xqzzyvillezzz")
    assert code == 1 and out == "" and "no match" in err


# --------------------------------------------------------------------------------------
# Usage errors, atomic writes, reproducible element ids
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    ([], "required"),
    (["frobnicate"], "invalid choice"),
    (["map"], "at least one PATH"),
    (["map", "no/such/folder", "--out", "x"], "no such file or folder: no/such/folder"),
    (["map", "seeds", "--geocoder", "nominatim"], "needs --user-agent"),
    (["map", "seeds", "--years", "later"], "--years"),
    (["extract", "seeds", "--out", "events.txt"], "use a .jsonl, .csv or .geojson"),
    (["aggregate", "missing.jsonl", "--out", "r.csv"], "no such file"),
    (["aggregate", "x.jsonl", "--out", "r.csv", "--by", "district"], "invalid choice"),
    (["map", "seeds", "--boundaries", "nowhere.gpkg"], "--boundaries: no such file"),
])
def test_usage_errors_exit_2(argv, message, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, _, err = run_cli(*argv)
    assert code == 2
    assert message in err


def test_help_exits_0():
    code, out, _ = run_cli("map", "--help")
    assert code == 0 and "--seizure-place" in out and "--boundaries" in out


def test_atomic_write_replaces_or_leaves_the_old_file(tmp_path):
    target = tmp_path / "index.html"
    target.write_text("old map", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent.parent == target.parent and tmp.name == target.name
            tmp.write_text("half a ma", encoding="utf-8")
            raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old map"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]  # no temp file left
    write_text_atomic(target, "new map\n")
    assert target.read_text(encoding="utf-8") == "new map\n"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_interrupted_map_keeps_previous_outputs(tmp_path, monkeypatch, hand_events):
    code, _, _ = run_cli("aggregate", hand_events, "--out", tmp_path / "r.csv",
                         "--map", tmp_path / "m.html", "-q")
    assert code == 0
    before = (tmp_path / "m.html").read_bytes()
    import geo.maps.choropleth

    render = geo.maps.choropleth.choropleth

    def interrupted_choropleth(*args, **kwargs):
        m = render(*args, **kwargs)

        def save(path, *a, **k):  # the user presses Ctrl-C half way through the write
            Path(path).write_text("<html><body>half", encoding="utf-8")
            raise KeyboardInterrupt

        m.save = save
        return m

    monkeypatch.setattr(geo.maps.choropleth, "choropleth", interrupted_choropleth)
    code, _, err = run_cli("aggregate", hand_events, "--out", tmp_path / "r.csv",
                           "--map", tmp_path / "m.html", "-q")
    assert code == 130 and "interrupted" in err
    assert (tmp_path / "m.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl", "m.html", "r.csv"]


def test_deterministic_element_ids():
    import folium

    def page() -> str:
        m = folium.Map(location=[36, 70], zoom_start=5, tiles=None)
        folium.Marker([36.7, 70.8], tooltip="Faizabad").add_to(m)
        return m.get_root().render()

    assert page() != page()  # branca's ids are random ...
    with deterministic_element_ids():
        first = page()
    with deterministic_element_ids():
        second = page()
    assert first == second  # ... and numbered inside the context
    assert page() != page()  # the patch is undone


def test_geocode_online_geocoder_is_wired_through(tmp_path, monkeypatch):
    """``--geocoder nominatim --user-agent UA`` builds geopy's Nominatim with that user
    agent behind the cache; the network is replaced by a canned answer (none here)."""
    need("geo.places.online:make_geocoder")
    from geopy.geocoders import Nominatim
    from geopy.location import Location

    calls = []

    def canned(self, query, **kwargs):
        calls.append((self.headers.get("User-Agent"), query))
        return Location("Kabul, Kabul Province, Afghanistan", (34.5281, 69.1723),
                        {"display_name": "Kabul", "class": "place", "type": "city"})

    monkeypatch.setattr(Nominatim, "geocode", canned)
    cache = tmp_path / "nominatim.sqlite"
    argv = ["geocode", "Kabul", "--geocoder", "nominatim", "--user-agent",
            "atlas-tests/1.0 (tests@example.org)", "--geocoder-cache", cache, "--json"]
    for _ in range(2):
        code, out, err = run_cli(*argv)
        assert code == 0, err
        best = json.loads(out)["results"][0]
        assert (best["country"], best["admin1"]) == ("AF", "AF-KAB")
    assert calls == [("atlas-tests/1.0 (tests@example.org)", "Kabul")]  # 2nd run: cache
    assert cache.exists()


def test_a_bug_is_not_reported_as_partial(monkeypatch, tmp_path, hand_events):
    import geo.aggregates

    def broken(*args, **kwargs):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(geo.aggregates, "aggregate", broken)
    code, _, err = run_cli("aggregate", hand_events, "--out", tmp_path / "r.csv")
    assert code == 3 and "internal error" in err and "ZeroDivisionError" in err


def test_quiet_silences_the_gazetteer_build_bar(monkeypatch):
    """`-q` promises no progress bar: the first-build bar of the gazetteer included."""
    import geo.places.gazetteer as gaz

    monkeypatch.setattr(gaz, "PROGRESS", None)
    code = main(["geocode", "Badakhshan", "--context", "Afghan police in Faizabad", "-q"])
    assert code == 0
    assert gaz._show_progress(None) is False
    assert gaz._show_progress(True) is True  # an explicit argument still wins
