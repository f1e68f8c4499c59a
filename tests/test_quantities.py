"""Numbers and units as news writes them (geo.text.quantities)."""
import pytest

from geo.text.quantities import find_quantities, number_readings, parse_number, to_kg, unit_kind


def one(text, **kw):
    qs = find_quantities(text, **kw)
    assert len(qs) == 1, qs
    return qs[0]


@pytest.mark.parametrize("text,value", [
    ("1,500", 1500.0), ("1.5", 1.5), ("2.3 million", 2_300_000.0), ("six", 6.0),
    ("half a", 0.5), ("three hundred eighty-six", 386.0), ("half a million", 500_000.0),
    ("1 740", 1740.0), ("7.654,5", 7654.5), ("1,989.4", 1989.4),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


def test_parse_number_rejects_words():
    with pytest.raises(ValueError):
        parse_number("several")


def test_ambiguous_separators_keep_both_readings():
    assert number_readings("1.900") == (1.9, 1900.0)
    assert number_readings("449,520") == (449520.0, 449.52)
    assert number_readings("1,3") == (1.3, None)          # a decimal comma, never thousands
    assert number_readings("1999.579") == (1999.579, None)
    assert number_readings("1,000") == (1000.0, None)     # nobody writes 1.000 for one
    assert parse_number("1.900", convention="latin") == 1900.0


@pytest.mark.parametrize("text,kg", [
    ("180 kilos of heroin", 180.0), ("395kg", 395.0), ("1.5 tonnes", 1500.0),
    ("215 pounds", 215 * 0.45359237), ("six tonnes", 6000.0), ("half a tonne", 500.0),
    ("4 kg 520 grams", 4.52), ("11 kg 987 g", 11.987), ("42 kilos with 150 grams", 42.15),
    ("six kilos and three hundred eighty-six grams", 6.386), ("516 grams", 0.516),
    ("2 metric tons", 2000.0), ("16 ounces", 16 * 0.028349523125), ("1.648 kgs", 1.648),
])
def test_masses_normalised_with_pint(text, kg):
    assert one(text).kg() == pytest.approx(kg)


def test_us_tons_are_short_tons():
    assert one("2 tons", us=True).kg() == pytest.approx(2 * 907.18474)
    assert one("2 tons").kg() == pytest.approx(2000.0)


def test_volumes_and_counts_stay_what_they_are():
    q = one("370 liters of liquid opium")
    assert (q.kind, q.unit, q.value, q.kg()) == ("volume", "l", 370.0, None)
    q = one("1 740 gallons of coca base paste")
    assert (q.kind, q.unit, q.value) == ("volume", "gal", 1740.0)
    q = one("811,900 stimulant tablets")
    assert (q.kind, q.count, q.count_words) == ("count", 811900, "stimulant")
    q = one("nearly two million capsules in 554 cartons")
    assert (q.count, q.approximate, q.hedge) == (2_000_000, True, "nearly")


def test_hedges_keep_the_figure_and_flag_it():
    q = one("more than a kilogram of hashish")
    assert q.kg() == 1.0 and q.approximate and q.hedge == "more than"
    q = one("almost a tonne of alkaloid")
    assert q.kg() == 1000.0 and q.approximate


def test_metric_twin_in_parentheses_replaces_pounds():
    q = one("91,000 pounds (41,310 kilograms) of meth")
    assert q.unit == "kg" and q.value == 41310.0


def test_count_in_parentheses_attaches_to_the_mass():
    q = one("Tramadol: 36.202kg (7,697 tablets)")
    assert q.kg() == pytest.approx(36.202) and q.count == 7697


@pytest.mark.parametrize("text", [
    "$100 a kilogram", "a gram sells for $50", "25,000 Pakistani rupees a kilo",
    "23 plastic jerrycans of five liters each", "several thousand kilograms", "225mg tramadol",
    "2,640 blocks of cocaine",
])
def test_not_quantities(text):
    assert find_quantities(text) == []


def test_implausible_mass_is_kept_and_flagged():
    q = one("1,500,000 tonnes of cocaine")
    assert q.kg() == 1.5e9 and "implausible" in q.flags


def test_helpers():
    assert to_kg(3, "t") == 3000.0
    assert to_kg(3, "l") is None
    assert unit_kind("gallons") == "volume" and unit_kind("kilos") == "mass"
    assert unit_kind("pills") == "count" and unit_kind("boxes") is None


@pytest.mark.parametrize("text, value, unit", [
    # Portuguese and Spanish unit words
    ("A Polícia Federal apreendeu 800 quilos de cocaína", 800.0, "kg"),
    ("2 quilogramas de maconha", 2.0, "kg"),
    ("350 gramas de crack", 350.0, "g"),
    ("12 kilogramos de cocaína", 12.0, "kg"),
    # their thousands and pills: "mil" is a thousand before these languages' units
    ("incautaron 20 mil kilos de cocaína", 20_000.0, "kg"),
    ("20 mil quilos de maconha", 20_000.0, "kg"),
    ("2 mil pastillas de éxtasis", 2_000.0, "pills"),
    ("5.000 comprimidos de ecstasy", 5_000.0, "tablets"),
    ("la policía decomisó 2 mil 500 kilos de marihuana", 2_500.0, "kg"),  # Mexican press
    ("Se incautaron 2 mil 300 pastillas de éxtasis", 2_300.0, "pills"),
    ("1,5 mil toneladas de cocaína", 1_500.0, "t"),
    # English shorthand: a million, never a thousand
    ("Police seized 1.5 mil tablets of yaba in Cox's Bazar.", 1_500_000.0, "tablets"),
    ("10 mil pills of ecstasy", 10_000_000.0, "pills"),
])
def test_spanish_and_portuguese_figures_and_mil(text, value, unit):
    (q,) = find_quantities(text)
    assert (q.value, q.unit) == (value, unit)


def test_mil_is_no_scale_without_a_unit():
    assert find_quantities("$2 mil in cash") == []
