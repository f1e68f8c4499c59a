"""Reports to seizure events (geo.extraction.core, geo.events)."""
import json
from pathlib import Path

import pytest

from geo.errors import ExtractionError
from geo.events import EVENT_FIELDS, Event, events_to_frame, write_events
from geo.extraction.core import extract, extract_report
from geo import read_reports  # with dateline countries, as users read reports
from geo.read.reports import Report

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_71f20999d8bfe338.txt"


@pytest.fixture(scope="session")
def seed_events():
    return extract(read_reports(SEED))


def test_seed_report_yields_exactly_the_badakhshan_events(seed_events):
    f = seed_events
    got = sorted((s if isinstance(s, str) else "labs", q if q == q else None)
                 for s, q in zip(f["substance"], f["quantity_kg"]))
    assert got == sorted([("heroin", 180.0), ("morphine", 1500.0), ("opium", 1200.0),
                          ("opium_poppy", 2000.0), ("precursor", 700.0), ("labs", None)])
    assert int(f["labs_destroyed"].dropna().iloc[0]) == 6
    assert set(f["admin1"]) == {"AF-BDS"} and set(f["country"]) == {"AF"}
    assert set(f["date"]) == {"2012-09"}
    for agencies in f["agencies"]:
        assert {"FSKN", "DEA"} <= set(agencies)
        assert any("Afghan drug police" in a for a in agencies)
    # nothing from "In three years, the trafficking of over 10 tonnes of heroin has been averted"
    assert not (f["quantity_kg"] == 10000).any()
    assert all("10 tonnes" not in e["sentence"] for e in f["evidence"])
    assert f.crs.to_epsg() == 4326 and f.geometry.notna().all()


def test_evidence_offsets_point_into_the_report(seed_events):
    text = SEED.read_text(encoding="utf-8")
    for e in seed_events["evidence"]:
        assert text[e["start"]:e["end"]] == e["sentence"]
        assert "Badakhshan" in e["sentence"]


def test_write_events_jsonl_has_exactly_the_schema(tmp_path, seed_events):
    out = write_events(seed_events, tmp_path / "events.jsonl")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(seed_events)
    for line in lines:
        rec = json.loads(line)
        assert tuple(rec) == EVENT_FIELDS
    write_events(seed_events, tmp_path / "events.csv")
    write_events(seed_events, tmp_path / "events.geojson")
    gj = json.loads((tmp_path / "events.geojson").read_text(encoding="utf-8"))
    assert len(gj["features"]) == len(seed_events)
    with pytest.raises(ExtractionError, match="unknown events format"):
        write_events(seed_events, tmp_path / "events.xlsx")


def test_bad_input_is_an_extraction_error():
    with pytest.raises(ExtractionError, match="not a report"):
        extract_report({"text": "5 kg of heroin"})
    with pytest.raises(ExtractionError):
        extract([object()])
    with pytest.raises(ExtractionError):
        extract(42)
    with pytest.raises(ExtractionError):
        events_to_frame(["not an event"])


def test_event_record_is_the_schema():
    e = Event(doc="d", substance="heroin", quantity=1.0, unit="kg", quantity_kg=1.0)
    assert tuple(e.to_record()) == EVENT_FIELDS


def test_extract_reads_a_path(tmp_path):
    (tmp_path / "r1.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    f = extract(tmp_path)
    assert len(f) == 6 and set(f["doc"]) == {"r1"}


def test_any_geopy_geocoder_places_events():
    """A plain geopy geocoder (no ``context`` keyword) is accepted; its raw keys place."""
    from geopy.geocoders.base import Geocoder
    from geopy.location import Location
    from geopy.point import Point

    class Canned(Geocoder):
        def geocode(self, query, exactly_one=True, timeout=None):
            hit = [Location("Badakhshan", Point(36.7, 70.8),
                            {"feature_class": "admin1", "country": "AF", "admin1": "AF-BDS",
                             "admin1_name": "Badakhshan", "score": 0.9})] if "Badakhshan" in query else []
            return (hit[0] if hit else None) if exactly_one else hit

    events = extract_report(Report(id="x", text="Police seized 5 kg of heroin in Badakhshan province."),
                            Canned())
    assert [(e.substance, e.admin1, e.lat) for e in events] == [("heroin", "AF-BDS", 36.7)]


def test_figures_not_recorded_say_why(seed_events):
    reasons = {d["text"]: d["reason"] for d in seed_events.attrs["not_events"]}
    assert reasons.get("over 10 tonnes") == "period statistics"
    got = []
    extract_report(Report(id="t", text="Police in Kapisa province recovered 29 kg of narcotics. "
                                      "Officers found 1 kg of heroin and 28 kg of hashish in a "
                                      "house in the province."), not_events=got)
    assert [(d["text"], d["reason"]) for d in got] == [
        ("29 kg", "total broken down into parts (or restated)")]


def test_geocoder_answers_shared_over_a_run_follow_each_report():
    """Answers kept over a run are reused only where the report reads the same around the
    name: the Hyderabad of a Pakistani story is not given to an Indian one."""
    from geo.extraction.core import ExtractionContext

    pk = "Pakistan: Police seized 50 kg of heroin in Hyderabad on Monday, officials in Sindh said."
    india = "India: Police seized 50 kg of heroin in Hyderabad on Monday, officials in Telangana said."
    reports = [Report(id="pk", text=pk), Report(id="in", text=india),
               Report(id="pk-again", text=pk)]  # a wire duplicate
    ctx = ExtractionContext()
    shared = [[(e.substance, e.admin1) for e in extract_report(r, context=ctx)] for r in reports]
    alone = [[(e.substance, e.admin1) for e in extract_report(r)] for r in reports]
    assert shared == alone == [[("heroin", "PK-SD")], [("heroin", "IN-TS")], [("heroin", "PK-SD")]]
    assert ctx.memo.hits > 0  # the repeated story was answered from the run's memo


def test_a_story_without_figures_is_not_geocoded():
    """Most of a news feed names places but no seizure figure: nothing to record, and the
    geocoder is not asked (the figure scan comes first)."""
    from geopy.geocoders.base import Geocoder

    class Counting(Geocoder):
        calls = 0

        def geocode(self, query, exactly_one=True, timeout=None):
            Counting.calls += 1
            return None

    text = ("KABUL, Sept 7 (NNN-BNA) - Afghan officials in Helmand and Kandahar met tribal elders "
            "on Monday to discuss the drug trade, officials said.")
    not_events: list = []
    assert extract_report(Report(id="x", text=text), Counting(), not_events=not_events) == []
    assert not_events == [] and Counting.calls == 0
    # the same story with a figure is geocoded
    extract_report(Report(id="y", text=text + " Police seized 5 kg of heroin in Helmand."), Counting())
    assert Counting.calls > 0


def test_place_roles_read_alike_in_any_case():
    """linking reads a name's role with case-sensitive twins of its patterns on the
    lowered words of an ASCII text: the same role as the case-insensitive patterns."""
    from geo.extraction import linking

    befores = ["heroin bound for the port of ", "HEROIN BOUND FOR THE PORT OF ", "seized in ",
               "Seized In The Province Of ", "100 Miles South Of ", "residents of ", "close to ",
               "the province's ", "The Province\u2019s ", "shipped to ", "Road To ", "next to ",
               "on their way to the city of ", "in the same province, police said ",
               "towards the village of ", "Towards ", "police in northern ", "smuggled it into ",
               "Caf\u00e9 owners from ", "\u017fent to ", "seen near \u212aabul and "]
    pairs = [(linking._PROVINCE_OF_REPORT, linking._PROVINCE_OF_REPORT_ASCII),
             (linking._EXCLUDE_BEFORE, linking._EXCLUDE_BEFORE_ASCII),
             (linking._TOWARD, linking._TOWARD_ASCII),
             (linking._STRONG_BEFORE, linking._STRONG_BEFORE_ASCII),
             (linking._THROUGH_END, linking._THROUGH_END_ASCII)]
    befores += ["smuggled via ", "Shipped Through The ", "VIA THE ", "viaduct ", "through"]
    for before in befores:
        if not before.isascii():
            continue  # linking uses the case-insensitive patterns there
        for rx, twin in pairs:
            assert bool(rx.search(before)) == bool(twin.search(before.lower())), (before, rx.pattern[:30])
    assert sum(bool(linking._EXCLUDE_BEFORE_ASCII.search(b.lower())) for b in befores if b.isascii()) >= 8


def test_places_unavailable_leave_events_unlocated(monkeypatch):
    # a broken gazetteer index is not fatal: the figures are read, their places are not
    import geo.places.gazetteer as gazetteer_module
    from geo.errors import GazetteerError
    from geo.extraction.core import ExtractionContext
    from geo.places.context import PlaceContext

    def broken(**_kw):
        raise GazetteerError("index unreadable")

    monkeypatch.setattr(gazetteer_module, "get_gazetteer", broken)
    ctx = ExtractionContext(places=PlaceContext())
    text = "Police in Kandahar seized 120 kg of opium. The week before, 40 kg of heroin was found."
    events = extract_report(Report(id="x", text=text), context=ctx)
    assert [(e.substance, e.quantity_kg, e.admin1) for e in events] == [
        ("opium", 120.0, None), ("heroin", 40.0, None)]
    assert ctx.places.available is False


def test_place_index_without_gazetteer_reads_no_story():
    from geo.extraction.linking import PlaceIndex

    idx = PlaceIndex("Police seized 5 kg of heroin in Kabul.", gazetteer=None, geocoder=None, skip=[])
    assert idx.mentions == [] and idx.unknown_in(0, 40) == [] and idx.story_region is None


@pytest.mark.parametrize("text, expected", [
    ("274 kilograms of chalk or whitener, along with", ("unspecified", "chalk or whitener")),
    ("274 kilograms of lime or whitener, along with", None),  # lime is a known chemical
    ("250 kilograms of tartaric acid and", ("precursor", "tartaric acid")),
    ("3 kilograms of methamfetamine were", ("methamphetamine", "methamphetamine")),
    ("80 kg of the drug were packed", None),      # an article: the drug is named elsewhere
    ("2 kg of what appeared to be", None),
    ("5 kg of suspected heroin", None),
    ("12 kg of high-grade heroin", None),         # a known term inside the phrase
    ("3,127 grams of brutto weight", None),        # a weight word, no material
])
def test_a_figure_names_its_own_material(text, expected):
    from geo.extraction.core import _own_material
    from geo.text.substances import find_substances

    end = text.index(" of")
    got = _own_material(text, end, find_substances(text))
    assert (got[:2] if got else None) == expected


_HEAP_PROBE = r"""
import gc, sys, weakref
if sys.argv[1] == "off":
    gc.disable()
from geo.extraction.core import ExtractionContext, extract_report
from geo.extraction.heap import set_heap_aside_after_load
from geo.read.reports import Report
ExtractionContext().load()
untouched = gc.get_freeze_count() == 0  # a library call leaves the collector alone
set_heap_aside_after_load()  # as the geo command and its workers do
ExtractionContext().load()
frozen = gc.get_freeze_count()

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a garbage cycle made after the load
probe = weakref.ref(a)
del a, b
gc.collect()
events = extract_report(Report(id="t", text="Police in Kapisa province seized 29 kg of heroin."))
print(untouched, frozen, probe() is None, [(e.substance, e.admin1) for e in events])
"""


@pytest.mark.parametrize("collector", ["on", "off"])
def test_a_loaded_process_sets_its_heap_aside_from_the_collector(collector):
    """Once its places are loaded, a process that asked for it (the geo command, its
    workers) leaves its own objects (libraries, place index) out of the cyclic collector's
    passes, which walked them all a few times per thousand reports; garbage cycles made
    after it are still collected; a process that runs without the collector, or a program
    that only calls the library, is left as it is."""
    import os
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    out = subprocess.run([sys.executable, "-c", _HEAP_PROBE, collector], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    untouched, frozen, freed, events = out.stdout.split(" ", 3)
    assert untouched == "True"
    assert (int(frozen) > 10_000) == (collector == "on")
    assert freed == "True"
    assert events.strip() == "[('heroin', 'AF-KAP')]"
