"""geo.aggregates: regional sums per substance, periods, unlocated totals, validation.

Built on hand-made boxes and event frames, so every expected figure is stated here;
one test at the end runs on the committed default boundaries.
"""
from __future__ import annotations

import itertools
import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.aggregates import SUBSTANCES, aggregate, parse_dates, to_long
from geo.errors import AggregationError


@pytest.fixture(scope="module")
def regions() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["AF-BDS", "AF-KAB", "AF-HEL", "TJ-GB"],
         "name": ["Badakhshan", "Kabul", "Helmand", "Gorno-Badakhshan"],
         "country": ["AF", "AF", "AF", "TJ"],
         "admin": ["Afghanistan", "Afghanistan", "Afghanistan", "Tajikistan"]},
        geometry=[box(70, 36, 72, 38), box(68, 34, 70, 36), box(63, 30, 65, 32), box(72, 37, 75, 39)],
        crs="EPSG:4326",
    )


def ev(doc, substance=None, kg=None, *, count=None, labs=None, quantity=None, unit=None,
       admin1="AF-BDS", country="AF", date="2012-09", place="Badakhshan", sentence=None, url=None):
    return {"doc": doc, "substance": substance, "quantity": quantity if quantity is not None else kg,
            "unit": unit or ("kg" if kg is not None else None), "quantity_kg": kg, "count": count,
            "labs_destroyed": labs, "place": place, "country": country, "admin1": admin1,
            "date": date, "agencies": [], "confidence": 0.9,
            "evidence": {"sentence": sentence or f"{doc} sentence", "start": 0, "end": 10},
            "url": url}


@pytest.fixture()
def seed_events() -> pd.DataFrame:
    """The seed report's Badakhshan sentence as the extractor reads it, plus others."""
    s = "180 kilos of heroin ... and six drug labs destroyed in the Badakhshan province."
    return pd.DataFrame([
        ev("000_seed", "heroin", 180.0, sentence=s, url="https://example.org/fskn"),
        ev("000_seed", "morphine", 1500.0, sentence=s),
        ev("000_seed", "opium", 1200.0, sentence=s),
        ev("000_seed", "opium_poppy", 2000.0, sentence=s),
        ev("000_seed", "precursor", 700.0, sentence=s),
        ev("000_seed", None, None, labs=6, sentence=s),
        ev("r2", "mdma", None, count=5000, quantity=5000, unit="pills", admin1="AF-KAB",
           place="Kabul", date="2013-01-31"),
        ev("r3", "precursor", None, quantity=10, unit="gallons", admin1="AF-KAB", place="Kabul",
           date="2012"),
        ev("r4", "opium", 1000.0, admin1=None, place="Afghanistan", date="2012-10-02"),
        ev("r5", "heroin", 3.0, admin1="AF-XXX", place="Nowhere", date="2012-11"),
        ev("r6", "cocaine", 2.0, admin1=None, country=None, place=None, date=None),
    ])


def test_seed_region_figures(seed_events, regions):
    agg = aggregate(seed_events, regions)
    bds = agg.set_index("region").loc["AF-BDS"]
    assert bds["name"] == "Badakhshan" and bds["country"] == "AF"
    assert bds["kg_heroin"] == 180 and bds["kg_morphine"] == 1500 and bds["kg_opium"] == 1200
    assert bds["kg_opium_poppy"] == 2000 and bds["kg_precursor"] == 700
    assert bds["labs_destroyed"] == 6
    # precursor chemicals are not drugs: kg_all leaves them out
    assert bds["kg_all"] == 180 + 1500 + 1200 + 2000
    assert bds["events"] == 6 and bds["reports"] == 1 and bds["report_ids"] == ["000_seed"]
    assert bds["first_date"] == "2012-09" and bds["last_date"] == "2012-09"
    assert bds.geometry.equals(box(70, 36, 72, 38))
    # one row per region with events, none for Helmand/Gorno-Badakhshan
    assert sorted(agg["region"]) == ["AF-BDS", "AF-KAB"]


def test_column_layout(seed_events, regions):
    agg = aggregate(seed_events, regions)
    cols = list(agg.columns)
    assert cols[:6] == ["region", "name", "country", "events", "reports", "labs_destroyed"]
    kg = [c for c in cols if c.startswith("kg_")]
    # vocabulary order, kg_all first; substances seen only in unlocated events too
    assert kg == ["kg_all", "kg_heroin", "kg_morphine", "kg_opium", "kg_opium_poppy", "kg_cocaine",
                  "kg_precursor"]
    assert [c for c in cols if c.startswith(("count_", "litres_"))] == ["count_mdma", "litres_precursor"]
    assert cols[-5:] == ["first_date", "last_date", "report_ids", "sources", "geometry"]
    assert isinstance(agg, gpd.GeoDataFrame) and agg.crs == regions.crs
    assert [c for c in SUBSTANCES if f"kg_{c}" in cols] == [c[3:] for c in kg[1:]]


def test_counts_and_litres_kept_apart(seed_events, regions):
    kab = aggregate(seed_events, regions).set_index("region").loc["AF-KAB"]
    assert kab["count_mdma"] == 5000
    assert kab["litres_precursor"] == pytest.approx(10 * 3.785411784)  # US gallons, by pint
    # neither is a mass
    assert math.isnan(kab["kg_all"]) and math.isnan(kab["kg_precursor"])
    assert kab["events"] == 2 and kab["reports"] == 2


def test_sources_json_for_popups(seed_events, regions):
    agg = aggregate(seed_events, regions).set_index("region")
    items = json.loads(agg.loc["AF-BDS", "sources"])
    assert len(items) == 6
    assert set(items[0]) == {"doc", "date", "place", "substance", "quantity_kg", "count", "litres",
                             "labs_destroyed", "arrests", "operation", "sentence", "url",
                             "cluster", "duplicate_of"}
    heroin = next(i for i in items if i["substance"] == "heroin")
    assert heroin["quantity_kg"] == 180 and heroin["url"] == "https://example.org/fskn"
    assert heroin["sentence"].startswith("180 kilos of heroin")
    labs = next(i for i in items if i["labs_destroyed"])
    assert labs["labs_destroyed"] == 6 and labs["substance"] is None
    kab = json.loads(agg.loc["AF-KAB", "sources"])
    assert [i["date"] for i in kab] == ["2012", "2013-01-31"]  # date order


def test_sources_keep_odd_sentences_whole(regions):
    # news text carries U+2028 and NEL (JSON leaves them unescaped) and "},{" (where JSON
    # records meet): each event's popup entry keeps its own sentence whole, and the
    # next events' values stay unshifted
    odd = ["first\u2028line", "next\x85line", "para\u2029end", "cut },{\"doc\":\"x\"} here"]
    events = pd.DataFrame([ev(f"u{i}", "heroin", float(i + 1), sentence=s, date=f"2012-0{i + 1}")
                           for i, s in enumerate(odd)])
    items = json.loads(aggregate(events, regions).set_index("region").loc["AF-BDS", "sources"])
    assert [(i["doc"], i["sentence"], i["quantity_kg"]) for i in items] == [
        (f"u{i}", s, i + 1) for i, s in enumerate(odd)]


def test_sources_read_as_text_however_the_frame_is_used(seed_events, regions, tmp_path):
    # the column is written when read (geo.sources): a user sees the same JSON text from a
    # row, from the whole column, from a CSV, a copy, a sort, a filter and a concat
    agg = aggregate(seed_events, regions, all_regions=True)
    col = agg["sources"]
    texts = col.tolist()
    assert texts == [col.iloc[i] for i in range(len(agg))]  # a row alone, the same text
    assert col.isna().tolist() == (agg["events"].isna() | (agg["events"] == 0)).tolist()
    assert all(isinstance(t, str) and json.loads(t) for t in texts if not pd.isna(t))
    agg.drop(columns=["geometry", "report_ids"]).to_csv(tmp_path / "r.csv", index=False)
    back = pd.read_csv(tmp_path / "r.csv")["sources"]
    assert back.fillna("").tolist() == [t if isinstance(t, str) else "" for t in texts]
    by_kg = agg.sort_values("kg_all", ascending=False)
    assert by_kg["sources"].tolist() == [texts[i] for i in by_kg.index]
    kab = agg[agg["region"] == "AF-KAB"]
    assert [i["doc"] for i in json.loads(kab["sources"].item())] == ["r3", "r2"]
    both = pd.concat([pd.DataFrame(agg.drop(columns="geometry")),
                      pd.DataFrame(agg.drop(columns="geometry"))], ignore_index=True)
    both.attrs = {}
    assert both["sources"].tolist()[len(agg):] == texts
    assert agg["sources"].str.contains("180 kilos").sum() == 1


def test_sources_value_set_by_hand_is_text(seed_events, regions):
    agg = aggregate(seed_events, regions)
    before = agg["sources"].tolist()
    mine = agg.copy()
    mine.loc[0, "sources"] = "[]"
    assert mine["sources"].tolist() == ["[]"] + before[1:]
    assert agg["sources"].tolist() == before  # the copy's change stays in the copy
    with pytest.raises(TypeError, match="JSON text"):
        mine.loc[1, "sources"] = 5


def test_sources_survive_pickle_and_parquet(seed_events, regions, tmp_path):
    import pickle

    agg = aggregate(seed_events, regions)
    texts = agg["sources"].tolist()
    assert pickle.loads(pickle.dumps(agg))["sources"].tolist() == texts
    pytest.importorskip("pyarrow")
    plain = agg.drop(columns=["report_ids"])
    plain.attrs = {}  # attrs hold frames, which Parquet metadata cannot
    plain.to_parquet(tmp_path / "r.parquet")
    assert gpd.read_parquet(tmp_path / "r.parquet")["sources"].tolist() == texts


def _totals(frame: pd.DataFrame, prefix: str) -> pd.Series:
    cols = [c for c in frame.columns if isinstance(c, str) and c.startswith(prefix) and c != "kg_all"]
    return frame[cols].sum().rename(lambda c: c[len(prefix):])


def test_nothing_disappears(seed_events, regions):
    agg = aggregate(seed_events, regions)
    un = agg.attrs["unlocated"]
    for prefix in ("kg_", "count_", "litres_"):
        got = _totals(agg, prefix).add(_totals(un, prefix), fill_value=0)
        assert got.sum() > 0 or prefix == "count_"
    kg = _totals(agg, "kg_").add(_totals(un, "kg_"), fill_value=0)
    expected = seed_events.groupby("substance")["quantity_kg"].sum()
    expected = expected[expected > 0]
    pd.testing.assert_series_equal(kg[expected.index].sort_index(), expected.sort_index(),
                                   check_names=False)
    assert agg["events"].sum() + un["events"].sum() == len(seed_events)
    assert agg["labs_destroyed"].sum() + un["labs_destroyed"].fillna(0).sum() == 6
    assert un.groupby("reason")["events"].sum().to_dict() == {"no admin1": 2,
                                                               "admin1 not in boundaries": 1}
    # per country where known: Afghanistan's "no admin1" row holds the opium
    af = un[(un["reason"] == "no admin1") & (un["country"] == "AF")].iloc[0]
    assert af["kg_opium"] == 1000 and af["report_ids"] == ["r4"]
    row = un.set_index("reason").loc["admin1 not in boundaries"]
    assert row["country"] == "AF" and row["kg_heroin"] == 3 and row["report_ids"] == ["r5"]


def test_totals_conserved_on_random_events(regions):
    rng = np.random.default_rng(7)
    n = 2000
    codes = np.array(["AF-BDS", "AF-KAB", "AF-HEL", "TJ-GB", "AF-XXX", None], dtype=object)
    subs = np.array(["heroin", "opium", "cocaine", "mdma", "precursor", None], dtype=object)
    admin1 = rng.choice(codes, n)
    frame = pd.DataFrame({
        "doc": [f"d{i % 300}" for i in range(n)],
        "substance": rng.choice(subs, n),
        "quantity_kg": np.where(rng.random(n) < 0.7, rng.gamma(1.0, 50.0, n).round(2), np.nan),
        "count": np.where(rng.random(n) < 0.1, rng.integers(1, 10_000, n), np.nan),
        "labs_destroyed": np.where(rng.random(n) < 0.05, rng.integers(1, 5, n), np.nan),
        "country": [None if (a is None and rng.random() < 0.5) else (a or "AF-").split("-")[0]
                    for a in admin1],
        "admin1": admin1,
        "date": rng.choice(["2012", "2012-09", "2013-01-31", None, "2014-06-30"], n),
    })
    # every event is in a row (counted or as a duplicate); the figures are those of the
    # counted events (all of them with dedup=False)
    from geo.dedup import deduplicate

    marked = deduplicate(frame)
    for by, freq, dedup in itertools.product(("admin1", "country"), (None, "M", "Y"),
                                             (False, True)):
        agg = aggregate(marked, regions, by=by, freq=freq, dedup=dedup)
        un = agg.attrs["unlocated"]
        assert (agg["events"].sum() + un["events"].sum() + agg["duplicates"].sum()
                + un["duplicates"].sum()) == n
        counted = frame[marked["duplicate_of"].isna().to_numpy()] if dedup else frame
        labs = agg["labs_destroyed"].sum() + un["labs_destroyed"].sum()
        assert labs == counted["labs_destroyed"].sum()
        for prefix, col in (("kg_", "quantity_kg"), ("count_", "count")):
            got = _totals(agg, prefix).add(_totals(un, prefix), fill_value=0)
            want = counted.assign(substance=counted["substance"].fillna("unspecified")) \
                .groupby("substance")[col].sum()
            want = want[want > 0]
            assert got.reindex(want.index).to_numpy() == pytest.approx(want.to_numpy()), (by, freq)
        # kg_all of regions + unlocated = all kg but precursors
        all_kg = agg["kg_all"].sum() + un["kg_all"].sum()
        assert all_kg == pytest.approx(
            counted.loc[counted["substance"] != "precursor", "quantity_kg"].sum())



def test_rows_and_figures_are_those_of_a_groupby_by_region_and_period():
    # aggregate numbers its groups from integer codes, in the result's order; a plain
    # pandas groupby by the keys, sorted by country, region, period, must give the same
    # rows and figures. Codes sort apart from their countries, and one region's country
    # is missing (it comes last).
    codes = ["ZZ-A", "AA-B", "MM-C", "AA-A", "NO-X"]
    bounds = gpd.GeoDataFrame(
        {"code": codes, "name": [f"region {c}" for c in codes],
         "country": ["ZZ", "AA", "MM", "AA", None]},
        geometry=[box(i, 0, i + 1, 1) for i in range(len(codes))], crs="EPSG:4326")
    rng = np.random.default_rng(11)
    n = 3000
    subs = ["heroin", "opium", "cocaine", "mdma"]
    days = rng.integers(0, 800, n)
    frame = pd.DataFrame({
        "doc": [f"d{i % 400}" for i in range(n)],
        "substance": rng.choice(subs, n),
        "quantity_kg": rng.gamma(1.0, 50.0, n).round(3),
        "count": np.nan, "labs_destroyed": np.nan, "country": None,
        "admin1": rng.choice(codes, n),
        "date": (pd.Timestamp("2012-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
    })
    country = dict(zip(bounds["code"], bounds["country"]))
    for freq in (None, "M", "W"):
        f = frame.rename(columns={"admin1": "region"})
        keys = ["region"]
        if freq:
            f["period"] = pd.to_datetime(f["date"]).dt.to_period(freq).astype(str)
            keys.append("period")
        g = f.groupby(keys)
        want = pd.DataFrame({"events": g.size(), "first_date": g["date"].min(),
                             "last_date": g["date"].max(),
                             "report_ids": g["doc"].agg(lambda d: sorted(set(d)))})
        for s in subs:
            want[f"kg_{s}"] = f[f["substance"] == s].groupby(keys)["quantity_kg"].sum()
        want = want.reset_index()
        want.insert(1, "country", want["region"].map(country))
        want = want.sort_values(["country", *keys], kind="stable").reset_index(drop=True)

        agg = aggregate(frame, bounds, freq=freq, dedup=False)
        assert agg["region"].tolist() == want["region"].tolist(), freq
        for col in ("country", *keys[1:], "events", "first_date", "last_date", "report_ids"):
            assert agg[col].tolist() == want[col].tolist(), (freq, col)
        for s in subs:
            assert agg[f"kg_{s}"].to_numpy() == pytest.approx(want[f"kg_{s}"].to_numpy(),
                                                             rel=1e-12, nan_ok=True)
        # every region (x every period between the first and last) in the same order,
        # those without events missing
        full = aggregate(frame, bounds, freq=freq, dedup=False, all_regions=True)
        order = full[["country", *keys]].sort_values(["country", *keys], kind="stable")
        assert full.index.tolist() == order.index.tolist(), freq
        merged = full.merge(want[keys + ["events"]], on=keys, how="left", suffixes=("", "_want"))
        assert merged["events"].astype(float).equals(merged["events_want"].astype(float)), freq


def test_all_regions_missing_not_zero(seed_events, regions):
    agg = aggregate(seed_events, regions, all_regions=True).set_index("region")
    assert sorted(agg.index) == ["AF-BDS", "AF-HEL", "AF-KAB", "TJ-GB"]
    hel = agg.loc["AF-HEL"]
    assert hel["name"] == "Helmand" and hel.geometry is not None
    for col in ("events", "reports", "labs_destroyed", "kg_all", "kg_heroin", "count_mdma"):
        assert math.isnan(hel[col]), col
    # a region with events but no heroin figure: missing, not zero
    assert math.isnan(agg.loc["AF-KAB", "kg_heroin"])
    assert aggregate(seed_events, regions)["region"].tolist() == ["AF-BDS", "AF-KAB"]


def test_by_country_dissolves_and_counts_country_level_events(seed_events, regions):
    agg = aggregate(seed_events, regions, by="country", all_regions=True).set_index("region")
    assert sorted(agg.index) == ["AF", "TJ"]
    af = agg.loc["AF"]
    assert af["name"] == "Afghanistan"
    assert af.geometry.equals(regions[regions.country == "AF"].union_all())
    # "Afghanistan" (no admin1) and the unknown admin1 code count at country level
    assert af["kg_opium"] == 1200 + 1000 and af["kg_heroin"] == 180 + 3
    un = agg.attrs["unlocated"]
    assert un["reason"].tolist() == ["no country"] and un["kg_cocaine"].tolist() == [2]
    assert math.isnan(agg.loc["TJ", "events"])


def test_monthly_periods_and_mixed_precision(seed_events, regions):
    agg = aggregate(seed_events, regions, freq="M")
    got = {(r.region, r.period): r.events for r in agg.itertuples()}
    # "2012-09" falls in September 2012; "2013-01-31" in January 2013
    assert got == {("AF-BDS", "2012-09"): 6, ("AF-KAB", "2013-01"): 1}
    un = agg.attrs["unlocated"].set_index("reason")
    # the year-precision "2012" cannot be put in one month: unlocated in time, not dropped
    assert un.loc["date coarser than freq", "litres_precursor"] == pytest.approx(37.854, rel=1e-4)
    yearly = aggregate(seed_events, regions, freq="Y")
    assert set(zip(yearly.region, yearly.period)) == {("AF-BDS", "2012"), ("AF-KAB", "2012"),
                                                      ("AF-KAB", "2013")}
    q = aggregate(seed_events, regions, freq="quarter")
    assert set(q.period) == {"2012Q3", "2013Q1"}
    assert q.attrs["freq"] == "Q"


def test_all_regions_with_periods_is_a_full_panel(seed_events, regions):
    agg = aggregate(seed_events, regions, freq="Y", all_regions=True)
    assert len(agg) == 4 * 2  # regions x {2012, 2013}
    row = agg[(agg.region == "AF-HEL") & (agg.period == "2013")].iloc[0]
    assert math.isnan(row["events"])


def test_date_filter_at_mixed_precision(seed_events, regions):
    seed_events = pd.concat([seed_events, pd.DataFrame([ev("r7", "cocaine", 4.0, date=None)])],
                            ignore_index=True)
    agg = aggregate(seed_events, regions, start="2012-09-15", end="2012-12")
    # "2012-09" overlaps the window (kept); "2012" too; 2013-01-31 is out
    assert sorted(agg["region"]) == ["AF-BDS", "AF-KAB"]
    kab = agg.set_index("region").loc["AF-KAB"]
    assert kab["events"] == 1 and "count_mdma" not in agg.columns
    assert agg.attrs["excluded"] == {"date": 1}
    un = agg.attrs["unlocated"].set_index("reason")
    assert un.loc["no date", "kg_cocaine"] == 4  # undated: cannot be shown to be inside
    only_2013 = aggregate(seed_events, regions, start="2013")
    assert only_2013["region"].tolist() == ["AF-KAB"] and only_2013["count_mdma"].iloc[0] == 5000


def test_substance_filter(seed_events, regions):
    agg = aggregate(seed_events, regions, substances=["heroin", "cocaine"])
    assert [c for c in agg.columns if c.startswith("kg_")] == ["kg_all", "kg_heroin", "kg_cocaine"]
    bds = agg.set_index("region").loc["AF-BDS"]
    assert bds["kg_heroin"] == 180 and bds["labs_destroyed"] == 6  # lab event kept
    assert math.isnan(bds["kg_cocaine"])
    opiates = aggregate(seed_events, regions, substances="opiates")
    assert opiates.set_index("region").loc["AF-BDS", "kg_all"] == 180 + 1500 + 1200 + 2000


def test_tidy_long_form(seed_events, regions):
    agg = aggregate(seed_events, regions)
    long = aggregate(seed_events, regions, tidy=True)
    pd.testing.assert_frame_equal(long, to_long(agg))
    assert list(long.columns) == ["region", "name", "country", "substance", "measure", "value"]
    rows = {(r.region, r.substance, r.measure): r.value for r in long.itertuples()}
    assert rows[("AF-BDS", "heroin", "kg")] == 180
    assert rows[("AF-BDS", "all", "kg")] == 4880
    assert rows[("AF-KAB", "mdma", "count")] == 5000
    assert ("AF-KAB", "heroin", "kg") not in rows  # only figures that exist
    monthly = aggregate(seed_events, regions, freq="M", tidy=True)
    assert "period" in monthly.columns
    assert len(to_long(aggregate(seed_events, regions, all_regions=True))) == len(long)
    assert long.attrs["unlocated"] is not None


@pytest.mark.parametrize("kwargs, needle", [
    ({"by": "province"}, "by='province'"),
    ({"freq": "fortnight"}, "freq='fortnight'"),
    ({"substances": ["unobtainium"]}, "unobtainium"),
    ({"start": "last year"}, "start='last year'"),
    ({"start": "2013", "end": "2012"}, "after"),
])
def test_invalid_arguments(seed_events, regions, kwargs, needle):
    with pytest.raises(AggregationError, match=needle.replace("(", r"\(")):
        aggregate(seed_events, regions, **kwargs)


def test_missing_columns_are_named(seed_events, regions):
    with pytest.raises(AggregationError) as err:
        aggregate(seed_events.drop(columns=["admin1", "quantity_kg"]), regions)
    assert "admin1" in str(err.value) and "quantity_kg" in str(err.value)
    with pytest.raises(AggregationError, match="boundaries lack column"):
        aggregate(seed_events, regions.drop(columns=["name"]))


def test_non_numeric_figures_are_an_error(seed_events, regions):
    bad = seed_events.astype({"quantity_kg": object})
    bad.loc[2, "quantity_kg"] = "lots"
    with pytest.raises(AggregationError, match="quantity_kg.*'lots'"):
        aggregate(bad, regions)


def test_frame_read_back_from_csv(seed_events, regions, tmp_path):
    # events.csv as the pipeline writes it: strings, evidence as JSON text
    path = tmp_path / "events.csv"
    out = seed_events.copy()
    out["evidence"] = out["evidence"].map(json.dumps)
    out.to_csv(path, index=False)
    back = pd.read_csv(path)
    agg = aggregate(back, regions).set_index("region")
    assert agg.loc["AF-BDS", "kg_all"] == 4880 and agg.loc["AF-BDS", "labs_destroyed"] == 6
    assert json.loads(agg.loc["AF-BDS", "sources"])[0]["sentence"].startswith("180 kilos")


def test_event_objects_are_accepted(regions):
    from geo.events import Event

    events = [Event(doc="a", substance="heroin", drug_group="opiates", quantity=2.0, unit="kg",
                    quantity_kg=2.0, country="AF", admin1="AF-KAB", date="2012-01"),
              Event(doc="a", labs_destroyed=2, country="AF", admin1="AF-KAB", date="2012-01")]
    agg = aggregate(events, regions)
    assert agg["kg_heroin"].tolist() == [2.0] and agg["labs_destroyed"].tolist() == [2.0]


def test_parse_dates_precision():
    got = parse_dates(["2012", "2012-09", "2013-01-31", None, "garbage", "2013-02-30",
                       pd.Timestamp("2014-05-06 10:00")])
    assert got["date"].tolist() == ["2012", "2012-09", "2013-01-31", None, None, None, "2014-05-06"]
    assert got["precision"].tolist() == ["year", "month", "day", None, None, None, "day"]
    assert got["end"].iloc[1] == pd.Timestamp("2012-09-30")
    assert got["end"].iloc[0] == pd.Timestamp("2012-12-31")


def test_default_boundaries():
    frame = pd.DataFrame([ev("s", "heroin", 180.0, admin1="AF-BDS"),
                          ev("s", "heroin", 5.0, admin1="MX-CMX", country="MX")])
    agg = aggregate(frame).set_index("region")
    assert agg.loc["AF-BDS", "name"] == "Badakhshan"
    assert agg.loc["MX-CMX", "country"] == "MX"
    # the Badakhshan polygon holds Faizabad, its capital
    from shapely.geometry import Point
    assert agg.loc["AF-BDS"].geometry.contains(Point(70.58, 37.12))


def test_empty_and_all_unlocated_events(regions):
    from geo.aggregates import REQUIRED_COLUMNS

    empty = pd.DataFrame(columns=list(REQUIRED_COLUMNS))
    for kwargs in ({}, {"freq": "M"}, {"by": "country"}, {"tidy": True}):
        out = aggregate(empty, regions, **kwargs)
        assert len(out) == 0 and len(out.attrs["unlocated"]) == 0, kwargs
    assert aggregate(empty, regions, all_regions=True)["events"].isna().all()
    nowhere = pd.DataFrame([ev("x", "heroin", 1.0, admin1=None)])
    agg = aggregate(nowhere, regions)
    assert len(agg) == 0 and "kg_heroin" in agg.columns
    assert agg.attrs["unlocated"]["kg_heroin"].tolist() == [1.0]


def test_country_taken_from_the_admin1_code(regions):
    frame = pd.DataFrame([ev("x", "heroin", 1.0, admin1="TJ-GB", country=None)])
    agg = aggregate(frame, regions, by="country")
    assert agg["region"].tolist() == ["TJ"] and agg["kg_heroin"].tolist() == [1.0]


@pytest.mark.parametrize("freq", [None, "M"])
def test_a_code_written_twice_in_other_cases_is_one_region(freq):
    # boundaries of a user's own making may write a code twice ("AF-KAB" and "af-kab"):
    # one region, its first row, its events counted once, with all_regions as without
    bounds = gpd.GeoDataFrame(
        {"code": ["AF-KAB", "af-kab", "AF-HEL"], "name": ["Kabul", "kabul", "Helmand"],
         "country": ["AF", "AF", "AF"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs="EPSG:4326")
    events = pd.DataFrame({"doc": ["r1"], "substance": ["heroin"], "quantity_kg": [5.0],
                           "count": [None], "labs_destroyed": [None], "country": ["AF"],
                           "admin1": ["AF-KAB"], "date": ["2012-09"]})
    some = aggregate(events, bounds, dedup=False, freq=freq)
    every = aggregate(events, bounds, dedup=False, freq=freq, all_regions=True)
    assert list(some["region"]) == ["AF-KAB"]
    assert sorted(every["region"]) == ["AF-HEL", "AF-KAB"]
    kabul = every[every["region"] == "AF-KAB"]
    assert list(kabul["name"]) == ["Kabul"] and list(kabul["kg_all"]) == [5.0]
    assert every["kg_all"].sum() == some["kg_all"].sum() == 5.0
