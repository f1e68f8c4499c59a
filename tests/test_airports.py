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


def test_airport_named_after_its_city_says_so():
    found = {a.name: a for a in load({"PK": {"islamabad", "karachi"}})}
    assert found["Islamabad International Airport"].city_named == "islamabad"
    assert found["Jinnah International Airport"].city_named is None  # Karachi's, a person's name
    assert found["Jomo Kenyatta International Airport"].country == "KE"


def test_city_named_airport_is_indexed_only_outside_its_city_region():
    # the build keeps Kuala Lumpur's airport (in Selangor, not the federal territory) and
    # drops an airport that lies in its city's own region (Peshawar's)
    from geo.places.gazetteer import get_gazetteer

    g = get_gazetteer(progress=False)
    klia = [c for c in g.lookup("Kuala Lumpur International Airport") if c.country == "MY"]
    assert klia and klia[0].admin1 == "MY-10"
    assert not [c for c in g.lookup("Peshawar International Airport")
                if str(c.name).endswith("Airport")]


def test_a_key_two_airports_share_names_neither():
    airports = load({})
    owners: dict[str, int] = {}
    for a in airports:
        for k in a.keys:
            owners[k] = owners.get(k, 0) + 1
    assert max(owners.values()) == 1
    assert all(a.keys for a in airports)
