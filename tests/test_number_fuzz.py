"""Property tests of the number and unit reader (issue 12): any figure written in a format
copy uses reads back to its value, in the unit written, and no text makes the reader or
the extractor raise."""
from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.text.quantities import find_quantities, to_kg

# the unit words a seizure figure is written with, and their mass in kg per unit
MASS_UNITS = {"kg": 1.0, "kilograms": 1.0, "kilos": 1.0, "tonnes": 1000.0, "grams": 0.001,
              "g": 0.001, "pounds": 0.45359237, "lbs": 0.45359237}
SENTENCES = ["Police seized {} of heroin in Helmand.", "{} of cocaine were found.",
             "Customs officers found {} of hashish hidden in a truck.",
             "the haul, {} in all, was burned"]

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _read_one(text: str):
    qs = find_quantities(text)
    assert len(qs) == 1, f"{text!r}: read {[q.text for q in qs]}"
    return qs[0]


def _english_grouping(n: int) -> str:
    return f"{n:,}"


def _space_grouping(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _continental_grouping(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@FUZZ
@given(n=st.integers(min_value=1, max_value=10**9),
       fmt=st.sampled_from([str, _english_grouping, _space_grouping, _continental_grouping]),
       unit=st.sampled_from(sorted(MASS_UNITS)), frame=st.sampled_from(SENTENCES))
def test_a_whole_number_reads_back_in_any_grouping(n, fmt, unit, frame):
    written = fmt(n)
    q = _read_one(frame.format(f"{written} {unit}"))
    # a grouping that is also a decimal ("1.500", "2,500") keeps both readings: the value
    # written must be one of them, and the English one when the digits are English
    readings = {q.value, q.alt_value}
    assert float(n) in readings, f"{written} {unit} read as {readings}"
    if fmt in (str, _english_grouping, _space_grouping):
        assert q.value == n
    assert math.isclose(to_kg(q.value if q.value == n else q.alt_value, q.unit),
                        n * MASS_UNITS[unit], rel_tol=1e-9)


@FUZZ
@given(whole=st.integers(min_value=0, max_value=99_999), cents=st.integers(min_value=1, max_value=99),
       unit=st.sampled_from(["kg", "kilograms", "tonnes", "grams"]))
def test_a_decimal_reads_back_with_a_point_or_a_comma(whole, cents, unit):
    value = whole + cents / 100
    for sep in (".", ","):
        written = f"{whole}{sep}{cents:02d}"
        q = _read_one(f"Police seized {written} {unit} of opium.")
        assert any(v is not None and math.isclose(v, value) for v in (q.value, q.alt_value)), \
            f"{written} {unit} read as {q.value}/{q.alt_value}"


@FUZZ
@given(units=st.integers(min_value=1, max_value=999), tenth=st.integers(min_value=0, max_value=9),
       scale=st.sampled_from([("thousand", 1e3), ("million", 1e6)]),
       what=st.sampled_from(["tablets", "pills", "capsules"]))
def test_a_figure_with_a_scale_word_reads_back(units, tenth, scale, what):
    word, mult = scale
    written = f"{units}.{tenth}" if tenth else f"{units}"
    q = _read_one(f"Officers seized {written} {word} methamphetamine {what} in Shan State.")
    expected = (units + tenth / 10) * mult
    assert q.kind == "count" and math.isclose(q.value, expected), (written, word, q.value)
    assert q.count == round(expected)


@FUZZ
@given(coef=st.integers(min_value=1, max_value=9), exp=st.integers(min_value=0, max_value=15),
       form=st.sampled_from(["{c}e{e} kg", "{c} x 10^{e} kg", "{c}×10^{e} kg", "{c}E{e} kg"]))
def test_a_power_of_ten_reads_whole_not_as_its_exponent(coef, exp, form):
    q = _read_one("Police seized " + form.format(c=coef, e=exp) + " of heroin.")
    assert math.isclose(q.value, coef * 10.0 ** exp) and q.unit == "kg"
    assert "power of ten" in q.flags


@FUZZ
@given(n=st.integers(min_value=1, max_value=10**6))
def test_a_glued_minus_is_a_sign_and_a_range_is_not(n):
    q = _read_one(f"Police seized -{n} kg of heroin.")
    assert q.value == -n and "negative" in q.flags
    lo = _read_one(f"Police seized {n}-{n + 5} kg of heroin.")
    assert lo.value == n + 5 and "negative" not in lo.flags


TOKENS = ["1,500", "2.5", "1 740", "kg", "tonnes", "of", "heroin", "pills", "10^", "e12", "-",
          "−", "million", "half", "a", "seized", "in", "Helmand", "(", ")", "about", "and",
          "grams", "½", "٣", "١٢", "0", "00", ",", ".", "x", "×", "per", "$", "mil", "kilos",
          "litres", "\u00a0", "\n\n", "tabletas", "toneladas", "1.000.000", "9" * 40]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join))
def test_no_arrangement_of_figure_words_makes_the_reader_raise(text):
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
        assert isinstance(q.value, float) and not math.isnan(q.value)


@FUZZ
@given(st.text(max_size=300))
def test_no_text_makes_the_reader_raise(text):
    find_quantities(text)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(TOKENS + ["Police", "seized", "on", "Monday", ".", "Kabul",
                                          "opium", "cocaine", "province"]),
                min_size=1, max_size=40).map(" ".join))
def test_no_text_makes_the_extractor_raise(text):
    import geo
    from geo.read.reports import make_report

    events = geo.extract([make_report(text, id="fuzz")])
    assert set(events["doc"]) <= {"fuzz"}
