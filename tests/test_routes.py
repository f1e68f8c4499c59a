"""Routes (issue 14): origin, transit and destination of each seizure, and their flows."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import geo
from geo.errors import AggregationError, VocabularyError
from geo.events import EXTRA_FIELDS, Event, events_to_frame, write_events
from geo.extraction.core import extract_report
from geo.extraction.routes import route_lists
from geo.read.events import read_events
from geo.read.reports import Report
from geo.flows import routes, to_country


def one(text: str) -> Event:
    events = extract_report(Report(id="r", text=text))
    assert len(events) == 1, events
    return events[0]


# --------------------------------------------------------------------- the cue reading
def test_from_into_and_the_seizure_place_stay_apart():
    ev = one("Border guards seized 50 kg of heroin smuggled from Afghanistan into Tajikistan "
             "in Khatlon province.")
    assert (ev.origin, ev.destination) == ("AF", "TJ")
    assert ev.admin1 == "TJ-KT"  # the seizure's own place is still read
    assert "smuggled from Afghanistan" in ev.route


def test_from_to_after_a_motion_word_names_towns_by_region():
    ev = one("Police in Guayaquil found 200 kg of cocaine in a container from Guayaquil to Antwerp.")
    assert (ev.origin, ev.destination) == ("EC-G", "BE-VLG")


def test_via_is_transit_and_a_list_after_bound_for_keeps_its_role():
    ev = one("Customs in Hamburg seized 3 tonnes of cocaine shipped from Ecuador via Panama, "
             "bound for West Africa and the Netherlands.")
    assert ev.origin == "EC"
    assert ev.transit == "PA"
    # a world region no code names is kept as its name
    assert ev.destination == "West Africa"
    assert "Netherlands" in ev.route


def test_a_destination_is_never_the_seizure_place():
    ev = one("Police seized 40 kg of heroin destined for Kazakhstan.")
    assert ev.destination == "KZ"
    assert ev.country != "KZ"


def test_a_man_from_a_town_is_no_origin_and_close_to_no_destination():
    ev = one("Police in Lagos arrested a man from Kano with 5 kg of cannabis.")
    assert ev.origin is None
    ev = one("The navy seized 640 kg of cocaine off a boat close to Coiba Island.")
    assert ev.destination is None


def test_of_afghan_origin():
    assert one("Officers in Kabul seized 20 kg of heroin of Afghan origin.").origin == "AF"


def test_each_figure_takes_the_route_told_after_it():
    events = extract_report(Report(id="r", text=(
        "Police at the port of Paranagua found 165 kg of cocaine in a container headed for "
        "Rotterdam, and another 756 kg in a cargo bound for Algeciras, Spain.")))
    dest = {round(e.quantity_kg): e.destination for e in events}
    assert dest[165] == "NL-ZH"
    assert dest[756] == "ES-AN"


def test_the_sentence_before_lends_its_route_only_without_a_figure_of_its_own():
    events = extract_report(Report(id="r", text=(
        "At Multan airport 1.6 kg of hashish was found on a passenger flying to Muscat. "
        "At Karachi airport 516 grams of heroin was recovered from a traveller.")))
    by_kg = {round(e.quantity_kg, 1): e for e in events}
    assert by_kg[1.6].destination == "OM-MA"
    assert by_kg[0.5].destination is None
    ev = one("The shipment was bound for Europe. Customs found 300 kg of cocaine in Valencia.")
    assert ev.destination == "Europe"


def test_a_route_told_sentences_before_the_figure_in_its_paragraph_reaches_it():
    ev = one("The consignment had set out from Herat. It was hidden among carpets on a "
             "truck. Police in Kabul found 300 kg of opium in it.")
    assert ev.origin == "AF-HER"
    assert ev.admin1 == "AF-KAB"


def test_a_paragraph_without_figures_goes_on_telling_the_seizure_before_it():
    ev = one("Police in Algeciras found 500 kg of cocaine in a container of bananas.\n\n"
             "According to investigators, the cargo had come from Ecuador and its final "
             "destination was Madrid.")
    assert (ev.origin, ev.destination) == ("EC", "ES-MD")
    assert ev.admin1 == "ES-AN"


def test_a_route_told_apart_goes_to_the_nearest_figure_before_it_only():
    events = extract_report(Report(id="r", text=(
        "Police found 20 kg of heroin in Kabul. In Herat, 50 kg of opium were seized.\n\n"
        "The opium had been smuggled in from Iran.")))
    by_kg = {round(e.quantity_kg): e for e in events}
    assert by_kg[50].origin == "IR"
    assert by_kg[20].origin is None
    # a paragraph with a figure of its own tells its own seizure
    events = extract_report(Report(id="r", text=(
        "Police in Kabul found 20 kg of heroin.\n\n"
        "In Herat, 50 kg of opium smuggled in from Iran were seized.")))
    assert {round(e.quantity_kg): e.origin for e in events} == {20: None, 50: "IR"}


def test_the_paragraph_after_a_list_is_no_route_of_its_last_item():
    events = extract_report(Report(id="r", text=(
        "Police in Kabul listed what the raids had netted:\n- Heroin: 2 kg\n- Opium: 5 kg\n\n"
        "Another gang is accused of having smuggled hashish from Pakistan.")))
    assert events and all(e.origin is None for e in events)


def test_the_seed_report_names_no_route():
    # the seed tells a lab raid in Badakhshan and Russian-U.S. relations: no drug's route
    events = geo.extract(geo.read_reports(Path(__file__).resolve().parents[1] / "seeds"))
    assert len(events) == 6
    assert events["origin"].isna().all() and events["destination"].isna().all()


def test_route_vocabulary_is_checked(vocab_copy):
    path = vocab_copy / "route_cues.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("origin_after =", "after ="),
                    encoding="utf-8")
    route_lists.cache_clear()
    with pytest.raises(VocabularyError, match="origin_after"):
        route_lists()
    route_lists.cache_clear()


# --------------------------------------------------------------------- the schema
def test_route_fields_are_written_and_read_back(tmp_path):
    ev = Event(doc="d", substance="cocaine", quantity_kg=5.0, country="ES", admin1="ES-AN",
               origin="NA", transit="PA; NL", destination="Europe", route="from Namibia")
    assert {"origin", "transit", "destination", "route"} <= set(EXTRA_FIELDS)
    for suffix in (".csv", ".geojson"):
        path = write_events([ev], tmp_path / f"events{suffix}")
        back = read_events(path).iloc[0]
        # "NA" is Namibia, not a missing value
        assert (back["origin"], back["transit"], back["destination"], back["route"]) == \
            ("NA", "PA; NL", "Europe", "from Namibia")


# --------------------------------------------------------------------- the flows
def _events():
    return [Event(doc="a", substance="heroin", drug_group="opiates", quantity_kg=10.0,
                  country="TJ", admin1="TJ-KT", origin="AF-BAL", destination="RU"),
            Event(doc="b", substance="heroin", drug_group="opiates", quantity_kg=5.0,
                  country="TJ", admin1="TJ-GB", origin="AF", destination="RU-MOW"),
            Event(doc="c", substance="mdma", drug_group="ats", count=1000,
                  country="DE", admin1="DE-HH", origin="NL", destination=None),
            Event(doc="d", substance="heroin", quantity_kg=99.0, country="TJ")]  # no route


def test_flows_by_country_sum_kg_per_drug():
    flows = routes(_events())
    heroin = flows[flows["substance"] == "heroin"]
    assert len(heroin) == 1  # AF-BAL and AF are one origin by country, RU and RU-MOW one end
    row = heroin.iloc[0]
    assert (row["origin"], row["seized"], row["destination"]) == ("AF", "TJ", "RU")
    assert row["quantity_kg"] == pytest.approx(15.0) and row["events"] == 2
    mdma = flows[flows["substance"] == "mdma"].iloc[0]
    assert mdma["count"] == 1000 and mdma["destination"] is None
    assert flows["events"].sum() == 3  # the event without a route is no flow


def test_flows_by_admin1_keep_the_ends_as_read():
    flows = routes(events_to_frame(_events()), by="admin1")
    assert set(flows["seized"]) == {"TJ-KT", "TJ-GB", "DE-HH"}
    assert "AF-BAL" in set(flows["origin"])


def test_flows_reject_a_bad_level_and_old_events():
    with pytest.raises(AggregationError, match="by must be"):
        routes(_events(), by="city")
    with pytest.raises(AggregationError, match="lack columns"):
        routes(pd.DataFrame({"doc": ["a"], "country": ["AF"], "substance": ["heroin"]}))


def test_to_country_keeps_region_names():
    assert to_country("EC-G") == "EC" and to_country("AF") == "AF"
    assert to_country("Europe") == "Europe" and to_country("West Africa") == "West Africa"


def test_geo_routes_is_public():
    import geo.flows  # noqa: F401 - importing the module must not hide the function

    assert geo.routes is routes


def test_bare_to_and_from_read_as_the_plain_pattern_reads_them():
    """The bare "to"/"from" cue checks "close to", "next to" ... behind the "to" (faster
    than before it): the matches must be those of the plain reading, "to" not after one of
    route_cues.toml's to_cancelled_after words, on any wording and case; and its
    lower-cased twin must agree on ASCII words."""
    import random
    import re

    from geo.extraction.routes import _TAIL, _patterns

    cancelled = route_lists()["to_cancelled_after"]
    behind = "".join(rf"(?<!\b{re.escape(w)} )" for w in cancelled)
    plain = re.compile(rf"(?i)\b(?P<word>{behind}to|from)\b{_TAIL}")
    pats = _patterns()
    words = list(cancelled) + ["to", "from", "To", "FROM", "the", "port", "of", "city", "x",
                               "into", "toward", "close", "Next", "Due", "onto", "a"]
    rng = random.Random(11)
    checked = 0
    for _ in range(3000):
        text = "".join(rng.choice(words) + rng.choice([" ", " ", "  ", ", ", "-", "\n", ""])
                       for _ in range(rng.randint(1, 7)))
        want = [(m.span(), m.group("word")) for m in plain.finditer(text)]
        assert [(m.span(), m.group("word")) for m in pats["bare"].finditer(text)] == want, text
        assert [m.span() for m in pats["bare_ascii"].finditer(text.lower())] == \
            [span for span, _ in want], text
        checked += bool(want)
    assert checked > 300


def test_route_roles_read_through_their_gates_as_without(monkeypatch):
    """The words before a name are read once for the keys of all the role cues and only
    the cues whose keys are there are searched: the same role and cue words as searching
    every cue, for every cue of route_cues.toml in any case and amid other words."""
    import random

    from geo.extraction import routes
    from geo.extraction.routes import _role

    rng = random.Random(15)
    lists = route_lists()
    cues = [c for key in ("origin", "transit", "destination", "motion_words")
            for c in lists[key] if not c.startswith("regex:")]
    fillers = ["the", "port of", "a container", ",", "from", "to", "close to", "police said",
               "Caf\u00e9", "shipped", "city of", "and"]
    befores = []
    for cue in cues:
        for form in (cue, cue.upper(), cue.title()):
            befores += [f"drugs {form} ", f"{form} the port city of ", f"{form}", f"x{form} "]
    for _ in range(3000):
        befores.append(" ".join(rng.choice(cues + fillers) for _ in range(rng.randint(1, 6)))
                       + rng.choice([" ", " the ", ""]))
    gated = [_role(before) for before in befores]
    # the same reader with its gates open: no pattern passed over, every cue twin searched
    keys, gates = routes._ascii_gates()
    monkeypatch.setattr(routes, "_ascii_gates", lambda: (keys, dict.fromkeys(gates)))
    for before, got in zip(befores, gated):
        assert got == _role(before), before
    assert sum(role is not None for role, _ in gated) > 1000
