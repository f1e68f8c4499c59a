"""The quantity vocabularies (geo/vocab/units.csv, numbers.csv, hedges.csv,
quantity_cues.toml) and what reads them.

Every row must work where it says it does: a prose unit is found after a number, every
unit is understood in a seizure table, pint knows every unit name and agrees on its kind,
every number word reads as its value. The patterns are checked to be the tables' words and
nothing else, so a new word is one row.
"""
from __future__ import annotations

import csv
import re

import pytest

import geo.vocab
import geo.text.quantities as qmod
import geo.text.units as umod
from geo.errors import VocabularyError
from vocab_support import append_row, run_with_vocab
from geo.read.tables import pint_unit as table_pint_unit
from geo.read.tables import unit_kind as table_unit_kind
from geo.text.quantities import find_quantities, parse_number
from geo.text.units import UREG, UNIT_ROWS, pint_unit, to_kg, unit_code, unit_kind
from geo.vocab import VOCAB_DIR


def _csv(name):
    """The rows of a vocabulary file read plainly (not through the module under test)."""
    lines = [l for l in (VOCAB_DIR / name).read_text(encoding="utf-8").splitlines()
             if l.strip() and not l.startswith("#")]
    return list(csv.DictReader(lines))


UNITS = _csv("units.csv")
NUMBERS = _csv("numbers.csv")
PROSE = [r for r in UNITS if r["prose"] == "yes"]


def test_the_module_reads_every_row():
    assert [w.surface for w in UNIT_ROWS] == [r["surface"] for r in UNITS]
    assert [n.word for n in qmod.NUMBER_WORDS] == [r["word"] for r in NUMBERS]


# --------------------------------------------------------------------------- prose
@pytest.mark.parametrize("row", PROSE, ids=lambda r: r["surface"])
def test_every_prose_surface_is_found_after_a_number(row):
    text = f"Police seized 12 {row['surface']} of heroin in Kabul."
    qs = find_quantities(text)
    assert len(qs) == 1, qs
    q = qs[0]
    assert (q.value, q.unit, q.kind) == (12.0, row["unit"], row["kind"])
    assert q.text == f"12 {row['surface']}"
    # and in capitals, and glued to the number where it is a symbol
    assert [x.unit for x in find_quantities(text.upper())] == [row["unit"]]
    if row["language"] == "*":
        assert [x.unit for x in find_quantities(text.replace("12 ", "12"))] == [row["unit"]]


@pytest.mark.parametrize("row", [r for r in PROSE if r["article"] == "yes"],
                         ids=lambda r: r["surface"])
def test_article_units_read_a_as_one(row):
    (q,) = find_quantities(f"They found over a {row['surface']} of heroin.")
    assert (q.value, q.unit, q.hedge) == (1.0, row["unit"], "over")


@pytest.mark.parametrize("row", [r for r in PROSE if "es" in r["language"].split()
                                 or "pt" in r["language"].split()], ids=lambda r: r["surface"])
def test_spanish_and_portuguese_units_read_mil_as_thousand(row):
    (q,) = find_quantities(f"incautaron 20 mil {row['surface']} de cocaína")
    assert q.value == 20_000.0 and q.unit == row["unit"]


def test_english_units_read_mil_as_million():
    (q,) = find_quantities("1.5 mil tablets of captagon")
    assert q.value == 1_500_000.0


def test_the_us_ton():
    rows = [r for r in UNITS if r["us"]]
    assert rows, "no row has a US reading"
    for r in rows:
        (q,) = find_quantities(f"2 {r['surface']} of cocaine", us=True)
        assert q.unit == r["us"]
        assert q.kg() == pytest.approx(UREG.Quantity(2, umod.pint_name(r["us"])).to("kg").magnitude)


try:
    import re._parser as _sre  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre


def _expand(seq) -> set[str]:
    """Every string a pattern of literals, groups, alternations and ``\\s+`` matches (the
    whitespace run written as one space)."""
    out = {""}
    for op, av in seq:
        if op is _sre.LITERAL:
            alts = {chr(av)}
        elif op is _sre.SUBPATTERN:
            alts = _expand(av[3])
        elif op is _sre.BRANCH:
            alts = set().union(*(_expand(a) for a in av[1]))
        elif op is _sre.IN and av == [(_sre.CATEGORY, _sre.CATEGORY_SPACE)]:
            alts = {" "}
        elif op is _sre.MAX_REPEAT and av[0] == 1 and list(av[2]) == [
                (_sre.IN, [(_sre.CATEGORY, _sre.CATEGORY_SPACE)])]:
            alts = {" "}
        else:
            raise AssertionError(f"not a word list: {op} {av}")
        out = {a + b for a in out for b in alts}
    return out


def _alternatives(pattern: str) -> set[str]:
    """The words a generated alternation matches, spaces for ``\\s+``."""
    return _expand(_sre.parse(pattern))


@pytest.mark.parametrize("kind,pattern", [("mass", "_MASS"), ("volume", "_VOLUME"),
                                          ("count", "_COUNT")])
def test_unit_patterns_are_the_tables_words_and_nothing_else(kind, pattern):
    built = getattr(qmod, pattern)
    assert _alternatives(built) == {r["surface"] for r in PROSE if r["kind"] == kind}
    # longer words first where one extends another ("kgs." before "kgs" before "kg")
    rx = re.compile(built, re.I)
    for r in PROSE:
        if r["kind"] == kind:
            assert rx.match(r["surface"] + " x").group() == r["surface"], r["surface"]
    # and it is what the quantity scan runs
    assert f"(?P<{ {'mass': 'mass', 'volume': 'vol', 'count': 'count'}[kind] }>{built})" \
        in qmod._QTY_RE.pattern


def test_spanish_unit_pattern_is_the_tables_words():
    es = {r["surface"] for r in PROSE if {"es", "pt"} & set(r["language"].split())}
    assert qmod._ES_UNIT.endswith(r"\b")
    assert _alternatives(qmod._ES_UNIT[:-2]) == es


def test_prose_no_rows_are_not_prose_units():
    mass_vol_count = re.compile(rf"(?:{qmod._MASS}|{qmod._VOLUME}|{qmod._COUNT})", re.I)
    for r in UNITS:
        if r["prose"] == "no":
            assert not mass_vol_count.fullmatch(r["surface"]), r["surface"]


def test_start_words_come_from_the_number_table():
    starts = {w for w, _ in qmod._START_WORDS}
    assert {r["word"] for r in NUMBERS if r["in_words"] == "yes"} <= starts
    # every word a figure may start with is a start position of the fast scan
    for r in NUMBERS:
        if r["in_words"] == "yes":
            assert qmod._qty_starts(f"x {r['word']} kilos") == [2], r["word"]


HEDGES = _csv("hedges.csv")


@pytest.mark.parametrize("row", [r for r in HEDGES if r["kind"] == "hedge"],
                         ids=lambda r: r["phrase"])
def test_every_hedge_is_read(row):
    for text, hedge in ((f"{row['phrase']} 12 kilos of heroin", row["phrase"]),
                        (f"Police seized just {row['phrase']}\n12 kilos of heroin",
                         f"just {row['phrase']}")):
        (q,) = find_quantities(text)
        assert " ".join(q.hedge.split()) == hedge and q.value == 12.0
        assert q.approximate == (row["reading"] != "total" or hedge.startswith("just"))
        assert ("total" in q.flags) == (row["reading"] == "total" and hedge == row["phrase"])


def test_hedge_pattern_is_the_tables_phrases():
    mods = {r["phrase"] for r in HEDGES if r["kind"] == "modifier"}
    hedges = {r["phrase"] for r in HEDGES if r["kind"] == "hedge"}
    m = re.fullmatch(r"\(\?P<hedge>\(\?:(\(\?:.*?\))\\s\+\)\?(\(\?:.*\))\\s\+\)\?", qmod._HEDGE)
    assert m, qmod._HEDGE
    assert _alternatives(m.group(1)) == mods and _alternatives(m.group(2)) == hedges


# --------------------------------------------------------------------------- tables
@pytest.mark.parametrize("row", UNITS, ids=lambda r: r["surface"])
def test_every_surface_is_understood_in_tables(row):
    for written in (row["surface"], row["surface"].upper(), row["surface"] + "."):
        assert table_pint_unit(written) == row["pint"], written
    assert table_unit_kind(row["surface"]) == row["kind"]
    assert unit_code(row["surface"]) == row["unit"]
    assert unit_kind(row["surface"]) == row["kind"]


def test_every_unit_code_reads_back():
    for r in UNITS:
        assert unit_code(r["unit"]) == r["unit"]
        assert pint_unit(r["unit"]) == r["pint"]


def test_the_table_reader_and_the_aggregates_use_the_text_layer():
    import geo.aggregates
    import geo.read.tables

    assert geo.read.tables.pint_unit is umod.pint_unit
    assert geo.aggregates.pint_unit is umod.pint_unit
    assert geo.aggregates.unit_registry() is UREG is qmod.UREG


# --------------------------------------------------------------------------- pint
_DIMENSION = {"mass": UREG.kilogram.dimensionality, "volume": UREG.liter.dimensionality,
              "count": UREG.count.dimensionality}


@pytest.mark.parametrize("name", sorted({r["pint"] for r in UNITS}))
def test_pint_knows_every_unit_name(name):
    assert name in UREG  # pint's own name (or an alias pint resolves)
    UREG.Unit(name)


@pytest.mark.parametrize("row", UNITS, ids=lambda r: r["surface"])
def test_kinds_agree_with_pint(row):
    assert UREG.Unit(row["pint"]).dimensionality == _DIMENSION[row["kind"]]
    kg = to_kg(3, row["surface"])
    if row["kind"] == "mass":
        assert kg == pytest.approx(UREG.Quantity(3, row["pint"]).to("kg").magnitude)
    else:
        assert kg is None


def test_a_code_is_one_unit():
    seen = {}
    for r in UNITS:
        assert seen.setdefault(r["unit"], (r["pint"], r["kind"])) == (r["pint"], r["kind"]), r


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("row", NUMBERS, ids=lambda r: r["word"])
def test_every_number_word_parses_to_its_value(row):
    value = int(row["value"])
    assert parse_number(row["word"]) == value
    if row["in_words"] == "yes":
        (q,) = find_quantities(f"seized {row['word']} kilos of heroin")
        assert q.value == value and q.text == f"{row['word']} kilos"
    if row["after_digits"] == "yes":
        assert parse_number(f"2.5 {row['word']}") == 2.5 * value
        (q,) = find_quantities(f"seized 3 {row['word']} pills")
        assert q.value == 3 * value
    if row["after_article"] == "yes":
        (q,) = find_quantities(f"seized a {row['word']} pills")
        assert q.value == value


@pytest.mark.parametrize("text,value", [
    ("three hundred and eighty-six", 386), ("two dozen", 24), ("half a dozen", 6),
    ("twelve lakh", 1_200_000), ("forty-two", 42)])
def test_number_words_combine(text, value):
    assert parse_number(text) == value


def test_lab_counts_use_the_number_table():
    import geo.extraction.core as core

    small = {r["word"]: int(r["value"]) for r in NUMBERS if r["kind"] in ("small", "tens")}
    assert core._NUM_WORDS == small
    lab = re.compile(rf"(?i){core._NUMW}")
    for word, value in small.items():
        assert bool(lab.fullmatch(word)) == (value > 0 and word not in ("a", "an")), word


# --------------------------------------------------------------------------- the loader
_NEW_WORD = """
from geo.read.tables import pint_unit
from geo.text.quantities import find_quantities

(q,) = find_quantities("Police seized 12 kilograma of cocaine.")
(m,) = find_quantities("incautaron 20 mil kilograma de cocaína")
print(q.value, q.unit, m.value, pint_unit("KILOGRAMA"))
"""


def test_a_new_unit_word_is_one_row(vocab_copy):
    assert find_quantities("Police seized 12 kilograma of cocaine.") == []
    append_row(vocab_copy / "units.csv", "kilograma,pt,kg,kilogram,mass,yes,no,,,")
    out = run_with_vocab(vocab_copy, _NEW_WORD)
    assert out.returncode == 0, out.stderr
    # found in prose, read as Portuguese ("mil" a thousand), understood in tables
    assert out.stdout.split() == ["12.0", "kg", "20000.0", "kilogram"]


# a bad row of each table the quantity reader loads, and the loader that must refuse it
_LOADERS = {"units.csv": umod._load, "numbers.csv": qmod._load_numbers,
            "hedges.csv": qmod._load_hedges}


@pytest.mark.parametrize("table,line,message", [
    ("units.csv", "kg,*,g,gram,mass,yes,no,,,", "listed twice"),
    ("units.csv", "Kilogramm,ru,kg,kilogram,mass,yes,no,,,", "lower case"),
    ("units.csv", "stone,en,kg,stone,mass,yes,no,,,", "'kg' is"),
    ("units.csv", "bag,en,bags,count,count,yes,no,,,", "no row of its own"),
    ("units.csv", "dram,xx,oz,ounce,mass,yes,no,,,", "language"),
    ("units.csv", "drum,en,drums,count,weight,no,no,,,", "kind"),
    ("units.csv", "kilogramm,ru,kg,kilogram,mass,maybe,no,,,", "prose is yes or no"),
    ("units.csv", "kilogramm,ru,kg,kilogram,mass,no,yes,,,", "article"),
    ("units.csv", "kilós,es,g,gram,mass,no,no,,,", "folds to 'kilos'"),
    ("units.csv", "tonnage,en,t,metric_ton,mass,yes,no,l,,", "no mass unit code"),
    ("units.csv", "kgx,*,kg,kilogram,mass,yes,no,,metric,", "code's own row only"),
    ("units.csv", "stone,en,stone,stone,mass,no,no,,,", "a code's system"),
    ("units.csv", "dram,en,dram,dram,mass,no,no,,us,pills", "smaller 'pills'"),
    ("numbers.csv", "one,1,small,en,yes,no,no", "listed twice"),
    ("numbers.csv", "score,20,dozens,en,yes,no,no", "kind"),
    ("numbers.csv", "gross,1.5,scale,en,yes,no,no", "whole number"),
    ("numbers.csv", "tres,3,small,es,yes,no,no", "language"),
    ("hedges.csv", "over,hedge,more", "listed twice"),
    ("hedges.csv", "Circa,hedge,about", "lower case"),
    ("hedges.csv", "circa,hedge,roughly", "kind is hedge"),
    ("hedges.csv", "barely,modifier,less", "kind is hedge"),
])
def test_a_bad_row_names_file_and_line(vocab_copy, table, line, message):
    n = append_row(vocab_copy / table, line)
    with pytest.raises(VocabularyError, match=rf"{re.escape(table)}:{n}: .*{re.escape(message)}"):
        _LOADERS[table]()


# --------------------------------------------------------------------------- quantity cues
CUES = geo.vocab.config("quantity_cues.toml")


@pytest.mark.parametrize("word", CUES["count_blockers"]["words"])
def test_count_blockers_keep_a_number_from_counting_pills(word):
    assert find_quantities(f"Police found 12 {word} pills.") == []
    assert [q.count for q in find_quantities("Police found 12 ecstasy pills.")] == [12]


@pytest.mark.parametrize("currency", CUES["prices"]["currencies"])
def test_money_before_a_kilo_is_a_price(currency):
    assert find_quantities(f"They paid in {currency} a kilo of heroin.") == []
    assert [q.value for q in find_quantities("They paid in kind a kilo of heroin.")] == [1.0]


@pytest.mark.parametrize("vague", CUES["vague"]["before"])
def test_vague_amounts_are_no_figures(vague):
    assert find_quantities(f"Police seized {vague} thousand kilograms of heroin.") == []
    assert [q.value for q in find_quantities("Police seized three thousand kilograms.")] == [3000.0]


@pytest.mark.parametrize("opener", CUES["parenthesis"]["openers"])
def test_parenthesis_openers_keep_the_metric_twin(opener):
    (q,) = find_quantities(f"Agents seized 91,000 pounds ({opener} 41,310 kilograms) of cocaine.")
    assert (q.value, q.unit, q.alt_unit_skipped) == (41_310.0, "kg", True)


def test_bad_cue_lists_name_the_file(vocab_copy):
    path = vocab_copy / "quantity_cues.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"several"', '"Several"'),
                    encoding="utf-8")
    geo.vocab.clear_caches()
    with pytest.raises(VocabularyError, match=r"quantity_cues\.toml: \[vague\] before"):
        qmod._load_cues()


def test_code_level_columns_drive_compound_and_twin_figures():
    # "smaller" and "system" sit on a code's own row of units.csv and the quantity reader
    # follows them: a compound figure adds its smaller unit; a metric twin after a US mass wins
    from geo.text import units
    from geo.text.quantities import find_quantities

    assert units.SMALLER["kg"] == "g" and units.SMALLER["t"] == "kg"
    assert units.SYSTEM["lb"] == "us" and units.SYSTEM["kg"] == "metric"
    assert all(units.SYSTEM[c] is None for c in ("pills", "tablets"))
    (q,) = find_quantities("11 kg 987 g of heroin")
    assert abs(q.kg() - 11.987) < 1e-9
    (q,) = find_quantities("2,200 pounds (1,000 kg) of cocaine")
    assert q.unit == "kg" and q.value == 1000


def test_a_misspelt_cue_list_is_refused(vocab_copy):
    # a list nobody reads under a misspelt key is refused, not ignored
    path = vocab_copy / "quantity_cues.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("before = [", "befor = [", 1),
                    encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"quantity_cues\.toml: \[vague\] befor: not a list"):
        qmod._load_cues()
