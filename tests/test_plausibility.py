"""Quantities no seizure can have (geo.text.plausibility, issue 12): kept in the events with
a flag and a reason, left out of the regional totals, the legend and the summary's
per-substance totals, and listed apart."""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

import geo
from geo.aggregates import aggregate
from geo.cli import main
from geo.read.reports import make_report
from geo.text.plausibility import implausible_reason, limit_for
from geo.text.substances import GROUPS
from geo.vocab import csv_rows, path_of


def test_every_limit_is_a_known_substance_and_above_its_record():
    rows = csv_rows(path_of("seizure_limits.csv"))
    assert any(r["substance"] == "*" for _, r in rows)
    for _, r in rows:
        assert r["substance"] == "*" or r["substance"] in GROUPS
        lim = limit_for(r["substance"])
        if lim.record_kg:
            assert lim.record_kg <= lim.limit_kg <= 5 * lim.record_kg
        assert r["record"], "every row says where its record comes from"


@pytest.mark.parametrize("substance, kw, expected", [
    ("heroin", {"kg": 2988.0}, None),                       # the record itself
    ("heroin", {"kg": 2_500_000.0}, "over 12,000 kg"),       # "2.500 t" read as 2,500 t
    ("cannabis_resin", {"kg": 236_800.0}, None),             # Spin Boldak, 2008
    ("methamphetamine", {"count": 55_600_000}, None),        # Bokeo, 2021
    ("methamphetamine", {"count": 3e9}, "units of methamphetamine"),
    ("opium", {"kg": 2e9}, "general limit"),
    ("cocaine", {"quantity": -50.0, "kg": -50.0}, "negative"),
    ("cocaine", {"quantity": 0.0, "kg": 0.0}, "zero"),
    (None, {"kg": 5.0}, None),
])
def test_reasons(substance, kw, expected):
    reason = implausible_reason(substance, **kw)
    if expected is None:
        assert reason is None
    else:
        assert reason and expected in reason


@pytest.mark.parametrize("sentence, figure", [
    ("Police seized 1,000,000,000,000 kg of heroin in Helmand province on Monday.", 1e12),
    ("Police seized 10^12 kg of heroin in Helmand province on Monday.", 1e12),
    ("Police seized 1e12 kg of heroin in Helmand province on Monday.", 1e12),
    ("Police seized -50 kg of heroin in Helmand province on Monday.", -50),
    ("Police seized 0 kg of heroin in Helmand province on Monday.", 0),
])
def test_an_implausible_figure_is_an_event_with_its_reason(sentence, figure):
    events = geo.extract([make_report(sentence, id="r1")])
    assert len(events) == 1
    row = events.iloc[0]
    assert row["quantity_kg"] == figure and row["admin1"] == "AF-HEL"
    reasons = [f for f in row["flags"] if f.startswith("implausible: ")]
    assert len(reasons) == 1, row["flags"]


def _frame(rows):
    return pd.DataFrame([{"doc": d, "substance": s, "quantity": q, "unit": "kg",
                          "quantity_kg": q, "count": None, "labs_destroyed": None,
                          "place": "Helmand", "country": "AF", "admin1": "AF-HEL",
                          "date": "2020-01-02", "agencies": [], "confidence": 0.9,
                          "evidence": {}} for d, s, q in rows])


@pytest.fixture(scope="module")
def helmand():
    return gpd.GeoDataFrame({"code": ["AF-HEL"], "name": ["Helmand"], "country": ["AF"]},
                            geometry=[box(63, 30, 65, 32)], crs="EPSG:4326")


def test_aggregate_sets_the_implausible_aside(helmand):
    events = _frame([("a", "heroin", 40.0), ("b", "heroin", 2_500_000.0), ("c", "heroin", -3.0)])
    regions = aggregate(events, helmand)
    assert regions.loc[0, "kg_heroin"] == 40.0 and regions.loc[0, "events"] == 1
    aside = regions.attrs["set_aside"]
    assert sorted(aside["doc"]) == ["b", "c"]
    assert regions.attrs["excluded"]["implausible"] == 2
    assert all(isinstance(r, str) and r for r in aside["reason"])
    # nothing is lost: regions + unlocated + set aside = every event
    assert regions["events"].sum() + len(regions.attrs["unlocated"]) + len(aside) == len(events)


def test_the_map_run_leaves_it_out_of_totals_and_legend_but_lists_it(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(
        "KABUL, Jan 2 (Xinhua) - Police in Helmand province seized 40 kg of heroin on "
        "Monday.\n", encoding="utf-8")
    (src / "b.txt").write_text(
        "KABUL, Jan 3 (Xinhua) - Police in Helmand province seized 1,000,000,000,000 kg "
        "of heroin on Tuesday.\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["map", str(src), "--out", str(out), "-q", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["totals"]["heroin"]["kg"] == 40.0
    assert [e["doc"] for e in summary["set_aside"]] and "implausible" not in \
        json.dumps(summary["totals"])
    assert "over 12,000 kg" in summary["set_aside"][0]["reason"]
    regions = pd.read_csv(out / "regions.csv")
    assert regions.loc[regions["region"] == "AF-HEL", "kg_heroin"].item() == 40.0
    events = pd.read_csv(out / "events.csv")
    assert len(events) == 2  # the implausible one is in the events, flagged
    assert events["flags"].str.contains("implausible: ").sum() == 1
    page = (out / "index.html").read_text(encoding="utf-8")
    # on the map only as its own event, marked; in no legend class or region popup
    assert page.count("1,000,000,000,000") == page.count(
        "1,000,000,000,000 kg (implausible: in no total)") == 1
    assert "1000000000000" not in page and "1e+12" not in page


# --------------------------------------------------------------------------- sizes (issue 11)
def test_the_size_table_is_what_the_derivation_gives():
    """Rerun the derivation where the annotated sources are at hand: the committed table
    must be its output (a stale or hand-edited table fails)."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "derive_seizure_sizes.py"
    spec = importlib.util.spec_from_file_location("derive_seizure_sizes", script)
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    if not (derive.BENCH / "drugdetection" / "train.json").exists():
        pytest.skip(f"the annotated sources are not at {derive.BENCH}")
    rows = derive.summarise(derive.gold_sizes() + derive.drugdetection_sizes())
    want = {(r["group"], r["kind"]): (r["n"], round(r["mean"], 3), round(r["sd"], 3)) for r in rows}
    got = {(r["group"], r["kind"]): (int(r["n"]), float(r["mean"]), float(r["sd"]))
           for _, r in csv_rows(path_of("seizure_sizes.csv"))}
    assert got == want


def test_the_size_table_is_derived_and_complete():
    """seizure_sizes.csv is the derivation script's output: every drug group it has figures
    for, a '*' row per kind, sources named in its header."""
    from geo.text.plausibility import size_model
    from geo.text.substances import DRUG_GROUPS

    path = path_of("seizure_sizes.csv")
    header = path.read_text(encoding="utf-8")
    assert "derive_seizure_sizes.py" in header and "drugdetection" in header
    rows = [r for _, r in csv_rows(path)]
    for r in rows:
        assert r["kind"] in ("mass", "volume")
        assert r["group"] in ("*",) + tuple(DRUG_GROUPS) or r["group"].startswith("carrier:")
        assert int(r["n"]) >= 20 and float(r["sd"]) > 0
    # a kind or group without a row of its own falls back to the '*' row of the kind
    assert size_model("volume", "cannabis").group == "*"
    assert size_model("mass", "cocaine").group == "cocaine"
    assert size_model("mass", "cocaine", "vessel").group == "carrier:vessel"


def test_sizes_rank_the_readings_as_real_seizures_do():
    from geo.text.plausibility import size_log_likelihood, size_model

    vessel = size_model("mass", "cocaine", "vessel")
    # a kilogram-sized haul is likelier on a ship than a gram
    assert size_log_likelihood(1100.0, vessel) > size_log_likelihood(1.1, vessel)
    person = size_model("mass", "heroin", "person")
    # a courier carries kilograms, not tonnes
    assert size_log_likelihood(12.48, person) > size_log_likelihood(12_480.0, person)
    assert size_log_likelihood(0.0, person) == float("-inf")


@pytest.mark.parametrize("sentence, carrier", [
    ("A courier was stopped at the airport with 2 kg of heroin.", "person"),
    ("The navy boarded a semi-submersible off the coast.", "vessel"),
    ("Police searched the truck at a checkpoint.", "vehicle"),
    ("The courier's car was searched.", None),               # two carriers: no one size holds
    ("Police raided a house in the suburbs.", None),
    ("The cartel's scar-faced boss was named.", None),        # no word inside another word
    ("Police in Van seized 2 kg of heroin.", None),           # the Turkish province
    ("They planned to ship the drugs to Europe.", None),      # the verb
    ("Vans loaded with hashish were stopped.", "vehicle"),    # a sentence's first word
])
def test_carrier_named_in_a_sentence(sentence, carrier):
    from geo.text.plausibility import carrier_in

    assert carrier_in(sentence) == carrier


@pytest.mark.parametrize("text, flagged", [
    # nothing in the report tells how it writes figures: read as English, both readings shown
    ("Soldiers in Putumayo found 2.375 kilos of solid chemical inputs.", True),
    # a continental figure in the same report decides: no doubt left to show
    ("Soldiers in Putumayo found 2.375 kilos of solid chemical inputs worth 4,2 billion pesos.", False),
    # one reading only (a comma-grouped figure in English copy; a decimal with one digit)
    ("Soldiers in Putumayo found 2,375 kilos of solid chemical inputs.", False),
    ("Soldiers in Putumayo found 2.5 kilos of solid chemical inputs.", False),
])
def test_an_undecided_number_format_is_flagged_with_both_readings(text, flagged):
    from geo.extraction.core import extract_report
    from geo.read.reports import Report

    (event,) = extract_report(Report(id="x", text=text))
    notes = [f for f in event.flags if f.startswith("number format undecided")]
    assert bool(notes) == flagged
    if flagged:
        assert "2.375 kg" in notes[0] and "2375 kg" in notes[0]
