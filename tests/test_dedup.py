"""Cross-report deduplication (geo.dedup): the pairing and scoring rules, the aggregate
that counts a seizure told three times once, and ``--no-dedup`` on the command line."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import geo
from geo.cli import main
from geo.dedup import DEDUP_COLUMNS, cluster_view, deduplicate, merged_summary
from geo.errors import DeduplicationError, GeoError


def event(doc: str, kg: float | None = None, *, quantity: float | None = None,
          unit: str = "kg", substance: str = "cocaine", country: str | None = "EC",
          admin1: str | None = "EC-G", admin2: str | None = None, date: str | None = "2023-07",
          sentence: str = "", agencies: tuple[str, ...] = (), count: int | None = None,
          approximate: bool | None = None) -> dict:
    return {"doc": doc, "substance": substance, "quantity": quantity if quantity is not None else
            (kg if kg is not None else count), "unit": unit if kg is not None else "pills",
            "quantity_kg": kg, "count": count, "labs_destroyed": None, "country": country,
            "admin1": admin1, "admin2": admin2, "date": date, "agencies": list(agencies),
            "evidence": {"sentence": sentence, "start": 0, "end": len(sentence)},
            "place": None, "approximate": approximate}


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def clusters(out: pd.DataFrame) -> list[set[str]]:
    return sorted((set(g["doc"]) for _, g in out[out["cluster"].notna()].groupby("cluster")),
                  key=lambda s: sorted(s))


PORT = "at the port of Guayaquil during Operation Tormes"


# ------------------------------------------------------------------ figures


def test_tonnes_kilos_and_pounds_of_one_seizure_merge():
    out = deduplicate(frame(
        event("a", 1500, quantity=1.5, unit="t", sentence=f"1.5 tonnes of cocaine {PORT}"),
        event("b", 1500, sentence=f"1,500 kilos of cocaine {PORT}"),
        event("c", 3300 * 0.45359237, quantity=3300, unit="lb",
              sentence=f"3,300 pounds of cocaine {PORT}")))
    assert clusters(out) == [{"a", "b", "c"}]
    # the metric figure counts, the others point to it
    kept = out[out["duplicate_of"].isna()]
    assert kept["doc"].tolist() == ["a"] or kept["doc"].tolist() == ["b"]
    assert set(out.loc[out["duplicate_of"].notna(), "duplicate_of"]) == set(kept["doc"])


def test_a_hedged_round_figure_meets_the_exact_one():
    out = deduplicate(frame(
        event("a", 1040, sentence=f"Police found 1,040 kg of cocaine {PORT}.",
              agencies=("National Police",)),
        event("b", 1000, quantity=1, unit="t", approximate=True,
              sentence=f"Police seized more than 1 tonne of cocaine {PORT}.",
              agencies=("National Police",))))
    assert clusters(out) == [{"a", "b"}]
    # the exact figure beats the hedged one
    assert out.loc[out["doc"] == "b", "duplicate_of"].item() == "a"


def test_more_than_a_tonne_is_not_a_tonne_and_a_half():
    out = deduplicate(frame(
        event("a", 1500, sentence=f"1,500 kg of cocaine {PORT}"),
        event("b", 1000, quantity=1, unit="t", approximate=True,
              sentence=f"more than 1 tonne of cocaine {PORT}")))
    assert clusters(out) == []


def test_exact_figures_apart_are_two_seizures():
    # same port, same week, same drug: 4.3 t and 1.2 t are two seizures
    out = deduplicate(frame(event("a", 4300, sentence=f"4.3 tonnes of cocaine {PORT}"),
                            event("b", 1200, sentence=f"1.2 tonnes of cocaine {PORT}")))
    assert clusters(out) == []


def test_a_rounded_figure_needs_the_text_to_agree():
    # 2 t stands for 1,870 kg only when something else says it is the same seizure
    bare = deduplicate(frame(event("a", 1870, sentence="1,870 kg of cocaine"),
                             event("b", 2000, approximate=True,
                                   sentence="nearly 2 tonnes of cocaine")))
    assert clusters(bare) == []
    told = deduplicate(frame(
        event("a", 1870, sentence="1,870 kg of cocaine on the vessel Huko II",
              agencies=("coast guard",)),
        event("b", 2000, approximate=True, agencies=("coast guard",),
              sentence="nearly 2 tonnes of cocaine on the Huko II")))
    assert clusters(told) == [{"a", "b"}]


def test_pill_counts_merge_like_masses():
    out = deduplicate(frame(
        event("a", None, count=4_160_000, substance="methamphetamine", country="LA",
              admin1="LA-BK", sentence="4,160,000 pills in the roof of a truck near Houayxay"),
        event("b", None, count=4_000_000, substance="methamphetamine", country="LA",
              admin1="LA-BK", approximate=True,
              sentence="over 4 million methamphetamine tablets from a truck near Houayxay")))
    assert clusters(out) == [{"a", "b"}]


# ------------------------------------------------------------------ substances and places


def test_unspecified_drugs_meet_a_named_drug_but_two_drugs_do_not():
    out = deduplicate(frame(event("a", 4300, sentence=f"4.3 tonnes of cocaine {PORT}"),
                            event("b", 4300, substance="unspecified",
                                  sentence=f"4.3 tonnes of drugs {PORT}")))
    assert clusters(out) == [{"a", "b"}]
    out = deduplicate(frame(event("a", 4300, sentence=f"4.3 tonnes of cocaine {PORT}"),
                            event("b", 4300, substance="heroin",
                                  sentence=f"4.3 tonnes of heroin {PORT}")))
    assert clusters(out) == []


def test_a_city_and_its_province_and_the_country_alone_merge():
    # the port (a point in EC-G), the province (EC-G) and the country only
    out = deduplicate(frame(
        event("port", 4300, admin2=None, sentence=f"4.3 t of cocaine {PORT}"),
        event("province", 4300, sentence="4,300 kg of cocaine in Guayas province, Operation Tormes"),
        event("country", 4300, admin1=None, sentence="4,300 kg of cocaine in Ecuador, Operation Tormes")))
    assert clusters(out) == [{"port", "province", "country"}]
    # the seizure counts in the province, whichever event holds the figure
    view = cluster_view(out)
    assert set(view["admin1"]) == {"EC-G"}


def test_two_provinces_are_two_seizures():
    out = deduplicate(frame(event("a", 4300, sentence=f"4.3 t of cocaine {PORT}"),
                            event("b", 4300, admin1="EC-O", sentence="4.3 t of cocaine in El Oro")))
    assert clusters(out) == []


def test_two_countries_are_two_seizures():
    out = deduplicate(frame(event("a", 4300), event("b", 4300, country="PE", admin1=None)))
    assert clusters(out) == []


# ------------------------------------------------------------------ dates


def test_reports_days_apart_merge_months_apart_do_not():
    # a specific figure (1,213 kg) in one region and period needs no more
    near = deduplicate(frame(event("a", 1213, date="2019-03-10"), event("b", 1213, date="2019-03-16")))
    assert clusters(near) == [{"a", "b"}]
    # a month-precise date spans its month: the 2nd of the next month is 2 days away
    edge = deduplicate(frame(event("a", 1213, date="2019-03"), event("b", 1213, date="2019-04-02")))
    assert clusters(edge) == [{"a", "b"}]
    # the same drug, region and figure four months later is another seizure
    apart = deduplicate(frame(event("a", 1213, date="2019-03"), event("b", 1213, date="2019-07")))
    assert clusters(apart) == []


def test_a_round_figure_twice_in_a_month_needs_the_text():
    # "100 kg of hashish in Helmand" twice in a month may well be two seizures
    rows = [event(d, 100, substance="cannabis_resin", country="AF", admin1="AF-HEL",
                  date="2012-09", sentence="100 kg of hashish") for d in "ab"]
    assert clusters(deduplicate(frame(*rows))) == []
    for r in rows:
        r["evidence"]["sentence"] = "100 kg of hashish found in a truck at the Gereshk bridge"
    assert clusters(deduplicate(frame(*rows))) == [{"a", "b"}]


def test_a_name_in_one_outlet_is_a_plain_word_in_another():
    # the agency's "Banana Export Terminal" is the paper's "banana export terminal"
    rows = frame(event("a", 500, sentence="Agents at the Banana Export Terminal found 500 kg of cocaine"),
                 event("b", 500, sentence="500 kg of cocaine were found at the banana export terminal"))
    assert clusters(deduplicate(rows)) == [{"a", "b"}]


def test_the_words_of_a_figure_and_its_value_are_no_sign():
    # any two reports of two million pills may say "million", "about", "worth an estimated"
    rows = [event("a", None, count=2_000_000, substance="captagon", country="SA", admin1="SA-02",
                  sentence="Customs seized 2 million pills worth an estimated 5 million dollars"),
            event("b", None, count=2_000_000, substance="captagon", country="SA", admin1="SA-02",
                  sentence="About 2 million pills with an estimated street value of 10 million dollars")]
    assert clusters(deduplicate(frame(*rows))) == []


def test_an_agency_both_credit_counts_once():
    # the agency is one sign, not two: its name in both sentences is the same sign again
    rows = frame(event("a", 300, approximate=True, country="BO", admin1="BO-C", date="2019-03",
                       agencies=("FELCN",), sentence="A Felcn patrol seized over 300 kg of cocaine"),
                 event("b", 300, approximate=True, country="BO", admin1="BO-C", date="2019-04",
                       agencies=("FELCN",), sentence="The Felcn seized more than 300 kg of cocaine"))
    assert clusters(deduplicate(rows)) == []


def test_routes_that_disagree_are_two_seizures():
    # two containers of 550 kg at one port on one day, one from Bangladesh, one from Texas
    a = event("a", 550, country="AU", admin1="AU-NSW", date="2022-11",
              sentence="550 kg of cocaine in a container shipped to Port Botany")
    b = event("b", 550, country="AU", admin1="AU-NSW", date="2022-11",
              sentence="550 kilograms of cocaine in a container shipped to Port Botany")
    assert clusters(deduplicate(frame(a, b))) == [{"a", "b"}]
    a["origin"], b["origin"] = "BD", "US-TX"
    assert clusters(deduplicate(frame(a, b))) == []
    # a region of the country named elsewhere, or a world region, is no disagreement
    a["origin"], b["origin"] = "US", "US-TX"
    a["destination"], b["destination"] = "Oceania", "AU-NSW"
    assert clusters(deduplicate(frame(a, b))) == [{"a", "b"}]


def test_pounds_count_where_agencies_weigh_in_pounds():
    # the DEA's 705 pounds is the figure; a foreign paper's 320 kilograms its conversion
    where = dict(substance="methamphetamine", country="US", admin1="US-GA", date="2025-06")
    out = deduplicate(frame(
        event("dea", 705 * 0.45359237, quantity=705, unit="lb", agencies=("DEA",),
              sentence="DEA agents in Gainesville seized 705 pounds of meth in cucumbers", **where),
        event("paper", 320, sentence="320 kilograms of meth hidden in cucumbers in Gainesville",
              agencies=("DEA",), **where)))
    assert clusters(out) == [{"dea", "paper"}]
    assert out.loc[out["doc"] == "paper", "duplicate_of"].item() == "dea"
    # elsewhere the metric figure counts: "2,866 pounds" is a foreign outlet's 1.3 t
    where = dict(country="BR", admin1="BR-PR", date="2019-10")
    out = deduplicate(frame(
        event("wire", 2866 * 0.45359237, quantity=2866, unit="lb",
              sentence="2,866 pounds of cocaine in a sugar container at Paranagua", **where),
        event("agency", 1300, sentence="1,300 kg of cocaine in a sugar container at Paranagua",
              **where)))
    assert out.loc[out["doc"] == "wire", "duplicate_of"].item() == "agency"


def test_window_days_is_the_limit():
    rows = frame(event("a", 1213, date="2019-03-01"), event("b", 1213, date="2019-03-09"))
    assert clusters(deduplicate(rows, window_days=10)) == [{"a", "b"}]
    assert clusters(deduplicate(rows, window_days=5)) == []


def test_a_missing_date_agrees_with_any():
    out = deduplicate(frame(event("a", 4300, date=None, sentence=f"4.3 t of cocaine {PORT}"),
                            event("b", 4300, sentence=f"4,300 kg of cocaine {PORT}")))
    assert clusters(out) == [{"a", "b"}]


# ------------------------------------------------------------------ clusters


def test_events_of_one_report_are_never_merged():
    # the extractor has told them apart: two containers of 550 kg in one report
    out = deduplicate(frame(event("a", 550, sentence="550 kg in the first container"),
                            event("a", 550, sentence="550 kg in the second container")))
    assert clusters(out) == []


def test_one_report_of_two_seizures_and_one_of_one():
    # b's one event may merge with either of a's two, never both
    out = deduplicate(frame(event("a", 550, sentence="550 kg of cocaine at Port Botany"),
                            event("a", 550, sentence="another 550 kg of cocaine at Port Botany"),
                            event("b", 550, sentence="550 kg of cocaine at Port Botany")))
    (merged,) = clusters(out)
    assert merged == {"a", "b"}
    assert out["cluster"].notna().sum() == 2


def test_a_chain_of_rounded_figures_does_not_merge_its_ends():
    # 1,000 ~ "about 1.1 t" ~ 1,250: the ends are apart, so one of them stays out
    out = deduplicate(frame(
        event("a", 1000, sentence=f"1,000 kg of cocaine {PORT}", agencies=("police",)),
        event("b", 1100, quantity=1.1, unit="t", approximate=True, agencies=("police",),
              sentence=f"about 1.1 tonnes of cocaine {PORT}"),
        event("c", 1250, sentence=f"1,250 kg of cocaine {PORT}", agencies=("police",))))
    for c in clusters(out):
        assert not {"a", "c"} <= c


def test_nothing_is_lost_and_sources_list_every_report():
    rows = frame(event("a", 4300, quantity=4.3, unit="t", date="2023-07-28", sentence=f"4.3 t {PORT}",
                       agencies=("National Police",)),
                 event("b", 4300, date="2023-07-30", sentence=f"4,300 kg {PORT}"),
                 event("c", 4000, quantity=4, unit="t", approximate=True, date="2023-07-31",
                       sentence=f"more than four tonnes of cocaine {PORT}"))
    out = deduplicate(rows)
    assert len(out) == 3 and out.index.equals(rows.index)
    assert set(DEDUP_COLUMNS) <= set(out.columns)
    kept = out[out["cluster_sources"].notna()]
    assert len(kept) == 1
    sources = json.loads(kept["cluster_sources"].item())
    assert [s["doc"] for s in sources] == ["a", "b", "c"]
    assert sources[0]["agencies"] == ["National Police"]
    assert sources[2]["hedge"] == "more"
    assert merged_summary(out) == {"seizures": 1, "duplicates": 2}
    assert out.attrs["dedup"]["duplicates"] == 2


def test_deterministic_and_independent_of_old_columns():
    rows = frame(event("a", 4300, sentence=PORT), event("b", 4300, sentence=PORT))
    once = deduplicate(rows)
    again = deduplicate(once)
    pd.testing.assert_frame_equal(once, again)


def test_validation_errors_are_ours():
    with pytest.raises(DeduplicationError, match="DataFrame"):
        deduplicate([1, 2])
    with pytest.raises(DeduplicationError, match="quantity_kg"):
        deduplicate(pd.DataFrame({"doc": ["a"]}))
    with pytest.raises(DeduplicationError, match="window_days"):
        deduplicate(frame(event("a", 1)), window_days=-1)
    with pytest.raises(GeoError):
        cluster_view(frame(event("a", 1)))


def test_empty_and_single_frames():
    empty = deduplicate(frame(event("a", 1)).iloc[:0])
    assert list(empty.columns)[-3:] == list(DEDUP_COLUMNS) and not len(empty)
    one = deduplicate(frame(event("a", 1)))
    assert one["cluster"].isna().all()


# ------------------------------------------------------------------ aggregates


def three_reports() -> pd.DataFrame:
    return frame(
        event("wire", 4300, quantity=4300, date="2023-07-30", admin1=None,
              sentence="Ecuadorean agents seized 4,300 kilograms of cocaine, Operation Tormes"),
        event("agency", 4300, quantity=4.3, unit="t", date="2023-07-28",
              sentence=f"4.3 tonnes of cocaine {PORT}", agencies=("National Police",)),
        event("paper", 4000, quantity=4, unit="t", approximate=True, date="2023-07-31",
              sentence=f"more than four tonnes of cocaine {PORT}", agencies=("National Police",)))


def test_a_seizure_reported_three_times_counts_once():
    regions = geo.aggregate(three_reports())
    row = regions.set_index("region").loc["EC-G"]
    assert row["kg_cocaine"] == 4300
    assert row["events"] == 1 and row["duplicates"] == 2 and row["reports"] == 3
    assert row["report_ids"] == ["agency", "paper", "wire"]
    sources = json.loads(row["sources"])
    assert len(sources) == 3
    assert {s["cluster"] for s in sources} == {"S0001"}
    assert sorted(s["doc"] for s in sources if s["duplicate_of"]) == ["paper", "wire"]
    # each source shows its own figure and date
    assert {s["doc"]: s["date"] for s in sources}["paper"] == "2023-07-31"
    assert {s["doc"]: s["quantity_kg"] for s in sources}["paper"] == 4000
    # the country-only report does not add an unlocated figure
    assert regions.attrs["unlocated"]["events"].sum() == 0


def test_aggregate_without_dedup_adds_every_report():
    regions = geo.aggregate(three_reports(), dedup=False)
    kg = regions["kg_cocaine"].sum() + regions.attrs["unlocated"]["kg_cocaine"].sum()
    assert kg == 4300 + 4300 + 4000
    assert (regions["duplicates"] == 0).all()


def test_aggregate_takes_the_marks_it_is_given():
    marked = deduplicate(three_reports())
    marked["duplicate_of"] = None  # a user who undid the merge keeps every figure
    marked["cluster"] = None
    regions = geo.aggregate(marked)
    assert regions.set_index("region").loc["EC-G", "events"] == 2


def test_aggregate_dedup_flag_is_checked():
    with pytest.raises(geo.GeoError, match="dedup"):
        geo.aggregate(three_reports(), dedup="yes")


# ------------------------------------------------------------------ command line


def write_jsonl(path: Path, rows: pd.DataFrame) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for rec in rows.to_dict(orient="records"):
            fh.write(json.dumps(rec) + "\n")
    return path


def test_cli_aggregate_no_dedup_keeps_the_old_sums(tmp_path, capsys):
    events = write_jsonl(tmp_path / "events.jsonl", three_reports().drop(columns=["approximate"]))
    assert main(["aggregate", str(events), "--out", str(tmp_path / "dedup.csv")]) == 0
    said = capsys.readouterr().out
    assert "told by several reports: 1 seizure(s); 2 event(s) merged" in said
    assert main(["aggregate", str(events), "--out", str(tmp_path / "all.csv"), "--no-dedup"]) == 0
    assert "merged" not in capsys.readouterr().out
    dedup = pd.read_csv(tmp_path / "dedup.csv")
    every = pd.read_csv(tmp_path / "all.csv")
    assert dedup["kg_cocaine"].sum() == 4300
    assert every["kg_cocaine"].sum() == 4300 + 4000  # the country-only report is unlocated
    assert main(["aggregate", str(events), "--out", str(tmp_path / "j.csv"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["duplicates"] == 2


def test_cli_map_no_dedup(tmp_path, capsys):
    reports = tmp_path / "reports"
    reports.mkdir()
    texts = {
        "agency": "GUAYAQUIL, Jul 28, 2023 (Policia Nacional) - Cocaine found at the port\n\n"
                  "The National Police found 4.3 tonnes of cocaine hidden in a container of "
                  "bananas at the port of Guayaquil during Operation Tormes.",
        "wire": "QUITO, Jul 30, 2023 (Andes Wire) - Ecuador finds cocaine in fruit\n\n"
                "Anti-drug agents seized 4,300 kilograms of cocaine packed among bananas at the "
                "port of Guayaquil in Operation Tormes, the National Police said.",
    }
    for name, text in texts.items():
        (reports / f"{name}.txt").write_text(text, encoding="utf-8")
    assert main(["map", str(reports), "--out", str(tmp_path / "m1"), "--json"]) == 0
    on = json.loads(capsys.readouterr().out)
    assert main(["map", str(reports), "--out", str(tmp_path / "m2"), "--json", "--no-dedup"]) == 0
    off = json.loads(capsys.readouterr().out)
    assert on["events"] == off["events"] == 2
    assert on["duplicates"] == 1 and off["duplicates"] is None
    assert on["totals"]["cocaine"]["kg"] == 4300
    assert off["totals"]["cocaine"]["kg"] == 8600
    events = pd.read_csv(tmp_path / "m1" / "events.csv")
    assert events["cluster"].notna().all() and events["duplicate_of"].notna().sum() == 1
    assert "cluster" not in pd.read_csv(tmp_path / "m2" / "events.csv").columns
    regions = pd.read_csv(tmp_path / "m1" / "regions.csv")
    assert regions["kg_cocaine"].sum() == 4300
    assert pd.read_csv(tmp_path / "m2" / "regions.csv")["kg_cocaine"].sum() == 8600
