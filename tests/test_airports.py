"""Airports as places (geo.places.airports): which airports the gazetteer takes from
airportsdata and under which names news write them."""
from __future__ import annotations

from geo.places.airports import airport_keys, load


def test_shorter_names_news_use_are_keys():
    keys = airport_keys("Mwalimu Julius K. Nyerere International Airport")
    assert "julius nyerere international airport" in keys
    assert "julius nyerere airport" in keys
    assert "mwalimu julius k nyerere international airport" in keys  # as written
    # one word before "airport" is too often a person or another airport
    assert "nyerere international airport" not in keys


def test_an_air_base_or_field_is_no_airport_key():
    assert airport_keys("Bagram Air Base") == set()


def test_airport_named_after_its_city_is_left_to_the_city():
    names = {a.name for a in load({"PK": {"islamabad", "karachi"}})}
    assert "Islamabad International Airport" not in names
    assert "Jinnah International Airport" in names  # Karachi's, named after a person
    found = {a.name: a for a in load({})}
    assert "Islamabad International Airport" in found
    assert found["Jomo Kenyatta International Airport"].country == "KE"


def test_a_key_two_airports_share_names_neither():
    airports = load({})
    owners: dict[str, int] = {}
    for a in airports:
        for k in a.keys:
            owners[k] = owners.get(k, 0) + 1
    assert max(owners.values()) == 1
    assert all(a.keys for a in airports)
