"""Numbers and units as news writes them (geo.text.quantities); the example phrases and their
values are cases in tests/cases/quantities.jsonl and numbers.jsonl."""
import pytest

from geo.text.quantities import parse_number, to_kg, unit_kind


def test_parse_number_rejects_words():
    with pytest.raises(ValueError):
        parse_number("several")


def test_helpers():
    assert to_kg(3, "t") == 3000.0
    assert to_kg(3, "l") is None
    assert unit_kind("gallons") == "volume" and unit_kind("kilos") == "mass"
    assert unit_kind("pills") == "count" and unit_kind("boxes") is None
