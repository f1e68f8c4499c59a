"""The reading vocabularies (geo/vocab: months, weekdays, date phrases, postal codes, news
agencies, dateline words, function words, HTML chrome) and the patterns generated from
them: every row is read the way its header promises, and the tables hold together."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from geo import vocab
from geo.errors import VocabularyError
from geo.extraction.core import extract_report
from geo.read.reports import Report, parse_dateline
from geo.text import dates

MONTH_ROWS = vocab.table("months.csv", required=("word", "month", "language", "kind"))
EN_ROWS = [r for r in MONTH_ROWS if r["language"] == "en"]


def _id(row) -> str:
    return "-".join(v for v in row.values() if v)


# --------------------------------------------------------------------------- months
@pytest.mark.parametrize("row", MONTH_ROWS, ids=_id)
def test_every_month_word_parses_in_a_dateline(row):
    word, month = row["word"], int(row["month"])
    for written in (word, word.capitalize(), word.upper()):
        for line in (f"LIMA, {written} 5 (Andina) – La policía incautó",  # month first
                     f"LIMA, 5 {written} (Andina) – La policía incautó",  # day first
                     f"LIMA, 5 de {written} de 2013 (Andina) – La policía incautó"):
            d = parse_dateline(line, year_hint=2013)
            assert d is not None and (d.place, d.agency) == ("LIMA", "Andina"), line
            assert (d.month, d.day, d.date) == (month, 5, f"2013-{month:02d}-05"), line
    if row["kind"] == "abbreviation":
        d = parse_dateline(f"KABUL, {word.capitalize()}. 5 (AP) - Police seized", year_hint=2013)
        assert (d.month, d.day) == (month, 5)


@pytest.mark.parametrize("row", EN_ROWS, ids=_id)
def test_every_english_month_word_dates_a_figure_in_prose(row):
    word, month = row["word"].capitalize(), int(row["month"])
    written = [word] + ([f"{word}."] if row["kind"] == "abbreviation" else [])
    for w in written:
        m = dates.MONTH_YEAR.search(f"Police seized it in {w} 2012 in Kabul.")
        assert m and dates.month_number(m.group(1)) == month and m.group(2) == "2012"
        m = dates.MONTH_YEAR.search(f"Police seized it on {w} 5th, 2012.")
        assert m and dates.month_number(m.group(1)) == month
    # the extractor: a month and year in the figure's sentence is its date
    rep = Report(id="t", published="2013-12-20",
                 text=f"Police seized 5 kg of heroin in {word} 2012 in Kabul, Afghanistan.")
    assert [e.date for e in extract_report(rep)] == [f"2012-{month:02d}"]
    if row["kind"] == "full":
        m = dates.MONTH_AFTER_LEAD.search(f"the heroin seized since mid-{word} was burnt")
        assert m and dates.month_number(m.group(1)) == month
        m = dates.MONTH_DAY.search(f"Police said on {word} 5 that")
        assert m and dates.month_number(m.group(1)) == month
        # a month without a year: of the publication year, or the year before when later
        rep = Report(id="t", published="2013-06-20",
                     text=f"Police seized 5 kg of heroin in {word} in Kabul, Afghanistan.")
        year = 2013 if month <= 6 else 2012
        assert [e.date for e in extract_report(rep)] == [f"{year}-{month:02d}"]


def test_month_words_have_one_number_and_valid_attributes():
    seen: dict[str, int] = {}
    for r in MONTH_ROWS:
        assert r["word"] == r["word"].lower() and r["word"].strip() == r["word"]
        assert 1 <= int(r["month"]) <= 12
        assert r["kind"] in ("full", "abbreviation")
        assert seen.setdefault(r["word"], int(r["month"])) == int(r["month"]), r["word"]
    assert dict(dates.MONTHS) == seen


def test_every_language_names_all_twelve_months_in_full():
    by_lang: dict[str, set[int]] = {}
    for r in MONTH_ROWS:
        if r["kind"] == "full":
            by_lang.setdefault(r["language"], set()).add(int(r["month"]))
    assert by_lang and all(months == set(range(1, 13)) for months in by_lang.values()), by_lang


def test_english_month_names_agree_with_the_calendar():
    for r in EN_ROWS:
        if r["kind"] == "full":
            assert dt.date(2000, int(r["month"]), 1).strftime("%B").lower() == r["word"]
        else:
            assert dt.date(2000, int(r["month"]), 1).strftime("%B").lower().startswith(r["word"])


def test_every_word_a_month_pattern_matches_has_a_month():
    # case-insensitive patterns also match characters str.lower() does not fold (long s)
    assert dates.month_number("AUGUſT") == 8 and dates.month_number("Sept.") == 9
    assert dates.month_number("июня") == 6 and dates.month_number("fortnight") is None


@pytest.mark.parametrize("bad_row, message", [
    ("mar,5,xx,abbreviation,", r"'mar' is month 5 here and 3 in another row"),
    ("mar,3,es,abbreviation,", r"'mar' \(es\) is listed twice"),
    ("marzo,13,es,full,", r"month '13' is not 1-12"),
    ("marzo,3,spanish,full,", r"language 'spanish' is not ISO 639-1"),
    ("marz,3,de,short,", r"kind 'short' is not one of full, abbreviation"),
])
def test_a_bad_month_row_is_refused_naming_file_and_line(tmp_path, monkeypatch, bad_row, message):
    shutil.copy(vocab.path_of("months.csv"), tmp_path / "months.csv")
    with open(tmp_path / "months.csv", "a", encoding="utf-8") as f:
        f.write(bad_row + "\n")
    line = len((tmp_path / "months.csv").read_text(encoding="utf-8").splitlines())
    monkeypatch.setattr(vocab, "VOCAB_DIR", tmp_path)
    vocab.clear_caches()
    try:
        with pytest.raises(VocabularyError, match=rf"months\.csv:{line}: {message}"):
            dates._month_rows.__wrapped__()
    finally:
        monkeypatch.undo()
        vocab.clear_caches()


# --------------------------------------------------------------------------- weekdays
def test_weekday_names_agree_with_the_calendar_and_are_found_in_text():
    rows = vocab.table("weekdays.csv", required=("word", "weekday", "language"))
    assert sorted(int(r["weekday"]) for r in rows if r["language"] == "en") == list(range(1, 8))
    monday = dt.date(2024, 1, 1)
    for r in rows:
        day = monday + dt.timedelta(days=int(r["weekday"]) - 1)
        if r["language"] == "en":
            assert day.strftime("%A").lower() == r["word"]
        assert dates.weekday_number(r["word"].capitalize()) == day.weekday()


def test_a_weekday_in_the_story_decides_the_dateline_year():
    # Jan 31 was a Thursday in 2013, a Friday in 2014
    text = "KABUL, Jan 31 (AP) – Police seized 5 kg of heroin on Thursday. In 2012 ..."
    assert parse_dateline(text, today=dt.date(2026, 1, 1)).date == "2013-01-31"


# --------------------------------------------------------------------------- date phrases
@pytest.mark.parametrize("key, pattern, template", [
    ("month_leads", dates.MONTH_AFTER_LEAD, "heroin seized {} March was burnt"),
    ("last_year", dates.LAST_YEAR, "Police seized 5 kg {}, officials said"),
    ("recent_periods", dates.RECENT_PERIOD, "in the {} nationwide"),
])
def test_every_date_phrase_is_matched_by_its_pattern(key, pattern, template):
    for phrase in dates.phrases(key):
        for written in (phrase, phrase.capitalize()):
            assert pattern.search(template.format(written)), phrase


def test_ordinal_suffixes_and_date_particles_parse_in_datelines():
    for suffix in dates.phrases("ordinal_suffixes"):
        d = parse_dateline(f"KABUL, Jan 5{suffix} (AP) - Police seized", year_hint=2013)
        assert (d.month, d.day) == (1, 5)
    for particle in dates.phrases("date_particles"):
        d = parse_dateline(f"LIMA, 27 {particle} octubre {particle} 2013 (Andina). La policía")
        assert d.date == "2013-10-27"


# --------------------------------------------------------------------------- dateline places
class _Place:
    def __init__(self, country, admin1, population, feature_class="ppl"):
        self.country, self.admin1, self.population = country, admin1, population
        self.feature_class = feature_class


@pytest.fixture
def two_springfields(monkeypatch):
    """A stand-in gazetteer and geocoder where "Springfield" is a big town of ZZ and a
    smaller one in ``where`` (country, region): only the dateline's words can pick the
    second."""
    from geo.places import datelines

    where = {}

    class Gazetteer:
        def lookup(self, name):
            return []  # the postal code itself is not a name here

        def find_mentions(self, text):
            return []

    class Geocoder:
        def readings(self, name, context=None, limit=None):
            return [(1.0, _Place("ZZ", "ZZ-01", 100_000)),
                    (0.9, _Place(where["country"], where["region"], 90_000))]

    def country(place, text="", agency=None):
        return datelines.dateline_country(place, text, agency, geocoder=Geocoder(),
                                          gazetteer=Gazetteer())

    where["country_of"] = country
    return where


POSTAL_ROWS = vocab.table("postal_codes.csv", required=("code", "region", "country", "name"))


@pytest.mark.parametrize("row", POSTAL_ROWS, ids=lambda r: f"{r['code']}-{r['region']}")
def test_every_postal_code_after_a_dateline_city_gives_its_region(row, two_springfields):
    code = row["code"]
    d = parse_dateline(f"SPRINGFIELD, {code} (AP) – Police seized 5 kg of cocaine.")
    assert d is not None and d.place == f"SPRINGFIELD, {code}" and d.agency == "AP"
    d = parse_dateline(f"SPRINGFIELD, {code}, Jan 5 (AP) – Police seized 5 kg.", year_hint=2013)
    assert d.place == f"SPRINGFIELD, {code}" and d.date == "2013-01-05"
    two_springfields.update(country=row["country"], region=row["region"])
    country_of = two_springfields["country_of"]
    assert country_of(f"SPRINGFIELD, {code}", "Police seized 5 kg.") == row["country"]
    assert country_of("SPRINGFIELD", "Police seized 5 kg.") == "ZZ"


def test_postal_codes_are_iso_3166_2_regions_the_gazetteer_knows():
    import re

    from geo.places.gazetteer import get_gazetteer

    known = get_gazetteer().admin1_codes()
    seen = set()
    for r in POSTAL_ROWS:
        assert re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", r["region"]), r
        assert r["region"].split("-")[0] == r["country"]
        if r["code"].isalpha():  # the postal code is the subdivision part of ISO 3166-2
            assert r["region"] == f"{r['country']}-{r['code']}"
        # the gazetteer files Puerto Rico under its own country code
        assert known[r["region"]][1] in (r["country"], r["own_code"]), r
        assert (r["code"], r["region"]) not in seen
        seen.add((r["code"], r["region"]))
        assert not r["own_code"] or re.fullmatch(r"[A-Z]{2}", r["own_code"])


@pytest.mark.parametrize("line, country", [
    ("LONDON, ON – Police seized 5 kg of cocaine.", "CA"),
    ("PERTH, WA (AAP) - Police seized 5 kg of ice.", "AU"),
    ("DARWIN, NT (AAP) - Police seized 5 kg of cannabis.", "AU"),
    ("YELLOWKNIFE, NT – RCMP seized 1 kg of cocaine.", "CA"),
    ("SAN JUAN, P.R. (AP) – Agents seized 500 kg of cocaine.", "PR"),
])
def test_postal_codes_decide_real_dateline_countries(tmp_path, line, country):
    import geo

    f = tmp_path / "r.txt"
    f.write_text(line + "\n", encoding="utf-8")
    assert geo.read_reports(f)[0].dateline_country == country


# --------------------------------------------------------------------------- news agencies
AGENCY_ROWS = vocab.table("news_agencies.csv", required=("name", "country", "kind"))


@pytest.mark.parametrize("row", AGENCY_ROWS, ids=lambda r: r["name"])
def test_every_national_agency_makes_its_country_the_datelines(row, two_springfields):
    d = parse_dateline(f"SPRINGFIELD, May 5 ({row['name']}) - Police seized 2 kg of heroin.")
    assert d is not None and d.agency == row["name"]
    two_springfields.update(country=row["country"], region=f"{row['country']}-01")
    text = "Police seized 2 kg of heroin."
    country_of = two_springfields["country_of"]
    got = country_of("SPRINGFIELD", text, row["name"])
    if row["kind"] == "national":
        assert got == row["country"]
        assert country_of("SPRINGFIELD", text, row["name"].upper()) == row["country"]
    else:  # a world wire files from everywhere: it says nothing of the place
        assert got == "ZZ"
    assert country_of("SPRINGFIELD", text, None) == "ZZ"


def test_news_agency_rows_are_valid_and_listed_once():
    import re

    names = [r["name"].lower() for r in AGENCY_ROWS]
    assert len(names) == len(set(names))
    for r in AGENCY_ROWS:
        assert r["kind"] in ("national", "international"), r
        assert re.fullmatch(r"[A-Z]{2}", r["country"]), r
        assert r["note"], r


# --------------------------------------------------------------------------- dateline words
def test_words_that_are_not_places_never_make_a_dateline():
    for word in vocab.config("datelines.toml")["not_places"]:
        for line in (f"{word}: Police seized 5 kg of heroin.",
                     f"{word} — Police seized 5 kg of heroin.",
                     f"{word} (AP) – Police seized 5 kg of heroin."):
            d = parse_dateline(line)
            assert d is None or d.place is None, (line, d)
    # the same shapes with a place are datelines
    assert parse_dateline("KABUL: Police seized 5 kg of heroin.").place == "KABUL"


def test_every_place_particle_joins_a_title_case_place():
    for particle in vocab.config("datelines.toml")["place_particles"]:
        d = parse_dateline(f"San Juan {particle} Maguana, Jan 5 (EFE) - La policía incautó")
        assert d.place == f"San Juan {particle} Maguana", particle


# --------------------------------------------------------------------------- language, HTML
def test_every_language_of_the_function_words_can_be_guessed():
    from geo.read.reports import guess_language

    rows = vocab.table("function_words.csv", required=("word", "language"))
    by_lang: dict[str, list[str]] = {}
    for r in rows:
        assert r["word"] == r["word"].lower()
        assert r["word"] not in by_lang.get(r["language"], []), r
        by_lang.setdefault(r["language"], []).append(r["word"])
    for lang, words in by_lang.items():
        own = [w for w in words if all(w not in ws for other, ws in by_lang.items()
                                       if other != lang)]
        assert len(own) >= 3, lang
        assert guess_language(" ".join(own * 3) + " texto text") == lang


@pytest.mark.parametrize("text, lang", [
    ("the and of " + "x" * 11, None),            # 19 letters: too little to tell
    ("the and of " + "x" * 12, "en"),            # 20: enough
    ("1, 2. the - and; of " + "é" * 12, "en"),   # letters counted, not characters
    ("и в на " + "the and of " + "x" * 4, None),  # 4 Cyrillic + 12 Latin: 16 letters
    ("и в на не что он это the and of", "ru"),   # more Cyrillic letters than Latin
    ("и в " + "the and of " * 3, "en"),          # fewer
])
def test_the_language_guess_needs_twenty_letters_and_counts_scripts(text, lang):
    from geo.read.reports import guess_language

    assert guess_language(text) == lang


@pytest.mark.parametrize("word", vocab.config("html.toml")["boilerplate_classes"])
def test_every_boilerplate_class_is_dropped_from_a_page(word):
    from geo.read.reports import html_to_text

    for cls in (word, f"site-{word}", f"{word}s_box"):
        html = (f'<html><body><article><p>Police seized 5 kg of heroin.</p>'
                f'<div class="{cls}"><p>Share this story</p></div></article></body></html>')
        text, _ = html_to_text(html)
        assert text == "Police seized 5 kg of heroin.", cls


@pytest.mark.parametrize("tag", vocab.config("html.toml")["drop_tags"])
def test_every_dropped_element_is_not_in_the_text(tag):
    from geo.read.reports import html_to_text

    html = (f"<html><body><p>Police seized 5 kg of heroin.</p>"
            f"<{tag}>Chrome words</{tag}></body></html>")
    text, _ = html_to_text(html)
    assert "Chrome" not in text and "Police seized 5 kg of heroin." in text
