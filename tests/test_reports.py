"""geo.read.reports: reading report files and folders, encodings, HTML, records, datelines,
and bad input reported with file and line."""
from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from geo.read.reports import (
    Report,
    ReportSet,
    Skipped,
    decode_bytes,
    parse_date,
    parse_dateline,
    read_report,
    read_reports,
)
from geo.errors import ReportError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_71f20999d8bfe338.txt"
DATA = Path(__file__).resolve().parent / "data" / "reports"
TODAY = dt.date(2026, 11, 28)

BODY_RU = ("МОСКВА, 31 января. /ТАСС/. Сотрудники ФСКН изъяли 180 килограммов героина "
           "в провинции Бадахшан, сообщили в ведомстве в среду.\n")
BODY_ES = ("PIURA, Oct 27 (La República) - La policía halló 53 kilos de cocaína en el casco "
           "de un buque colombiano que iba a España.\n")


def read(*args, **kwargs) -> ReportSet:
    # the reader alone: dateline countries are the place step's (geo.places.datelines)
    return read_reports(*args, **kwargs)


# --------------------------------------------------------------------------------------
# Datelines
# --------------------------------------------------------------------------------------
def test_year_from_weekday_and_years_named_in_text():
    # Jan 31 2013 was a Thursday; "on Wednesday" is the day before the filing day and
    # the text names 2012 as past: 2013 is the only year that fits near 2012
    d = parse_dateline(SEED.read_text(encoding="utf-8"), today=TODAY)
    assert (d.place, d.agency, d.date) == ("MOSCOW", "Interfax", "2013-01-31")


@pytest.mark.parametrize("value, expected", [
    ("2013-01-31", "2013-01-31"), ("2012-09", "2012-09"), ("2012", "2012"),
    ("2013-01-31T08:00:00Z", "2013-01-31"), ("31 January 2013", "2013-01-31"),
    ("", None), ("n/a", None), (None, None), ("2013-02-30", None),
])
def test_parse_date_keeps_precision(value, expected):
    assert parse_date(value) == expected


# --------------------------------------------------------------------------------------
# Text files: the seed and the dateline + headline shape
# --------------------------------------------------------------------------------------
def test_seed_report():
    reports = read(SEED)
    assert isinstance(reports, ReportSet) and reports.skipped == []
    (r,) = reports
    assert r.id == "000_71f20999d8bfe338"
    assert r.title == "Russian-U.S. relations in drug control are on the rise – FSKN"
    assert (r.dateline_place, r.agency, r.published) == ("MOSCOW", "Interfax", "2013-01-31")
    assert r.language == "en"
    assert r.path == str(SEED)
    assert "180 kilos of heroin" in r.text


def test_wire_file_headline_after_dateline(tmp_path):
    f = tmp_path / "d031.txt"
    f.write_text("KABUL, Sep 29 (IANS) - Afghan police dismantle two drug labs in Farah\n\n"
                 "Police in Farah province dismantled two labs on Monday, in 2025.\n",
                 encoding="utf-8")
    (r,) = read(f)
    assert r.title == "Afghan police dismantle two drug labs in Farah"
    assert (r.dateline_place, r.agency, r.published) == ("KABUL", "IANS", "2025-09-29")


def test_year_from_file_name(tmp_path):
    f = tmp_path / "2019-10-11_tribuna.md"
    f.write_text("# Sniffer dog finds cocaine\n\nCURITIBA, Oct 11 (Tribuna PR) - 1,3 tonnes.\n",
                 encoding="utf-8")
    (r,) = read(f)
    assert r.title == "Sniffer dog finds cocaine"
    assert r.published == "2019-10-11"
    g = tmp_path / "iana_2018_nov.txt"
    g.write_text("KABUL, Nov 6 (Reporterly) - Two held at the airport.\n", encoding="utf-8")
    (r,) = read(g)
    assert r.published == "2018-11-06"


def test_dateline_country_from_gazetteer_when_available(tmp_path):
    import geo

    assert geo.read_reports(SEED)[0].dateline_country == "RU"
    # the reader alone finds the dateline; its country is the place step's
    alone = read_reports(SEED)[0]
    assert alone.dateline_place and alone.dateline_country is None
    assert geo.read_reports(SEED, resolve_places=False)[0].dateline_country is None


def test_the_run_s_geocoder_reads_the_dateline(tmp_path):
    # the geocoder the user chose is the one the dateline is read with
    import geo
    from geo.places.context import PlaceContext

    class Everywhere:  # a geopy-style geocoder that puts every name in Peru
        def geocode(self, query, exactly_one=True, **kwargs):
            from geopy.location import Location
            loc = Location(query, (-12.05, -77.04), {"country": "PE", "admin1": "PE-LIM",
                                                     "feature_class": "ppl"})
            return loc if exactly_one else [loc]

    asked = PlaceContext(Everywhere())
    assert geo.read_reports(SEED, places=asked)[0].dateline_country == "PE"

    class WithContext:  # the interface extraction documents: geocode(name, context=text)
        def __init__(self):
            from geo.places.context import default_context
            self.offline, self.asked = default_context().geocoder, []

        def geocode(self, query, exactly_one=True, context=None, **kwargs):
            self.asked.append(context)
            return self.offline.geocode(query, exactly_one=exactly_one, context=context)

    mine = WithContext()
    assert geo.read_reports(SEED, places=PlaceContext(mine))[0].dateline_country == "RU"
    assert mine.asked and all(c for c in mine.asked)  # the story went with the name


# --------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, encoding", [
    (BODY_ES, "utf-8"), (BODY_ES, "utf-8-sig"), (BODY_ES, "latin-1"), (BODY_ES, "cp1252"),
    (BODY_RU, "utf-8"), (BODY_RU, "utf-8-sig"), (BODY_RU, "cp1251"), (BODY_RU, "koi8-r"),
])
def test_encodings_detected(tmp_path, text, encoding):
    f = tmp_path / "r.txt"
    f.write_bytes(text.encode(encoding))
    (r,) = read(f)
    assert r.text == text
    assert not r.text.startswith("\ufeff")


def test_cp1251_dateline_and_language(tmp_path):
    f = tmp_path / "tass.txt"
    f.write_bytes(BODY_RU.encode("cp1251"))
    (r,) = read(f)
    assert (r.dateline_place, r.agency, r.language) == ("МОСКВА", "ТАСС", "ru")


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------
def test_html_main_text_and_metadata():
    (r,) = read(DATA / "interfax_page.html")
    assert r.title == "Afghan police seize heroin in Badakhshan"
    assert r.url == "https://news.example.org/2012/09/20/badakhshan-heroin"
    assert r.published == "2012-09-20"
    assert (r.dateline_place, r.agency) == ("KABUL", "Example")
    assert "seized 180 kilos of heroin in the Badakhshan province" in r.text
    assert "Six drug labs were destroyed" in r.text
    # scripts, navigation, share buttons, sidebars and footers are not report text
    for junk in ("fake heroin", "Sports", "Share on", "sidebar", "Copyright", "color: red"):
        assert junk not in r.text


def test_html_without_block_elements(tmp_path):
    f = tmp_path / "bare.htm"
    f.write_bytes("<html><body>LIMA, June 28 (Xinhua) - Police incinerated drugs.<br>"
                  "Second line é</body></html>".encode("latin-1"))
    (r,) = read(f)
    assert r.text.startswith("LIMA, June 28 (Xinhua) - Police incinerated drugs.")
    assert "Second line é" in r.text
    assert r.agency == "Xinhua"


# --------------------------------------------------------------------------------------
# Records: CSV, JSON Lines, JSON
# --------------------------------------------------------------------------------------
def test_csv_with_named_columns(tmp_path):
    f = tmp_path / "feed.csv"
    f.write_text(
        "story_id;body;pub;link;headline\n"
        "a1;\"KABUL, Nov 6 (Reporterly) - Two held; 5 kg of heroin.\";2018-11-06;"
        "https://x.org/a1;Two held\n"
        "a2;\"Police seized 3 kg\nof opium in Herat.\";2019-02;;\n",
        encoding="utf-8")
    reports = read(f, text_column="body", id_column="story_id", date_column="pub",
                   url_column="link", title_column="headline")
    assert reports.skipped == []
    assert [r.id for r in reports] == ["a1", "a2"]
    a1, a2 = reports
    assert (a1.published, a1.url, a1.title, a1.agency) == (
        "2018-11-06", "https://x.org/a1", "Two held", "Reporterly")
    assert a2.text == "Police seized 3 kg\nof opium in Herat."
    assert (a2.published, a2.url, a2.title) == ("2019-02", None, "Police seized 3 kg")


def test_csv_row_ids_are_stem_and_line(tmp_path):
    f = tmp_path / "rows.csv"
    f.write_text('text\n"first\nreport"\nsecond\n', encoding="utf-8")
    reports = read(f)
    # a record's line is where it starts in the file (the first spans lines 2-3)
    assert [r.id for r in reports] == ["rows:2", "rows:4"]


def test_jsonl_with_fields_and_a_bad_line(tmp_path, caplog):
    f = tmp_path / "wire.jsonl"
    lines = [
        json.dumps({"id": 7, "content": "QUITO (EFE) - Police seized 2 t.", "date": "2023-07"}),
        '{"id": 8, "content": "broken',
        json.dumps({"id": 9, "content": ""}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"content": "Police seized 1 kg in Osh."}),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="geo.read.reports"):
        reports = read(f, text_column="content", id_column="id", date_column="date")
    assert [r.id for r in reports] == ["7", "wire:5"]
    assert reports[0].published == "2023-07" and reports[0].agency == "EFE"
    assert [(s.line, s.reason.split(":")[0]) for s in reports.skipped] == [
        (2, "JSON line does not parse"), (3, "empty text in column 'content'"),
        (4, "JSON line is a list, not an object")]
    assert all(s.path == str(f) for s in reports.skipped)
    assert f"{f}:2: JSON line does not parse" in caplog.text


def test_json_array(tmp_path):
    f = tmp_path / "batch.json"
    f.write_text(json.dumps({"reports": [{"text": "one report"}, {"text": "another"}]}),
                 encoding="utf-8")
    assert [r.text for r in read(f)] == ["one report", "another"]


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------
def _only_skip(reports: ReportSet) -> Skipped:
    assert len(reports.skipped) == 1, reports.skipped
    return reports.skipped[0]


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.md", b"  \n\n ", "empty file"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
    ("cut.json", b'[{"text": "Police seized 5 kg", "id": 1}, {"text": "Pol', "JSON does not parse"),
])
def test_bad_files_are_skipped_with_reason(tmp_path, name, data, reason):
    f = tmp_path / name
    f.write_bytes(data)
    reports = read(f)
    assert len(reports) == 0
    s = _only_skip(reports)
    assert s.path == str(f) and reason in s.reason


def test_undecodable_bytes(tmp_path, monkeypatch):
    # bytes no encoding explains: charset-normalizer gives up
    import charset_normalizer

    class Nothing:
        def best(self):
            return None

        def __iter__(self):
            return iter(())

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: Nothing())
    f = tmp_path / "odd.txt"
    f.write_bytes(b"caf\xe9 \xff\xfe\xfd text")
    s = _only_skip(read(f))
    assert "undecodable" in s.reason


def test_csv_without_the_text_column(tmp_path):
    f = tmp_path / "table.csv"
    f.write_text("id,body\n1,Police seized 5 kg\n", encoding="utf-8")
    reports = read(f)
    s = _only_skip(reports)
    assert (s.path, s.line) == (str(f), 1)
    assert "no column 'text'" in s.reason and "id, body" in s.reason
    assert str(s) == f"{f}:1: {s.reason}"


def test_csv_row_with_extra_fields(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("id,text\n1,good report\n2,bad,extra\n3,also good\n", encoding="utf-8")
    reports = read(f, id_column="id")
    assert [r.id for r in reports] == ["1", "3"]
    assert _only_skip(reports).line == 3


def test_folder_goes_on_after_bad_files(tmp_path, caplog):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("KABUL, Sep 29 (IANS) - Two labs.", encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text("Police seized 5 kg.", encoding="utf-8")
    (tmp_path / "sub" / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00")  # not a report: listed
    (tmp_path / ".hidden.txt").write_text("ignored", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="geo.read.reports"):
        reports = read(tmp_path)
    assert [r.id for r in reports] == ["a", "b"]
    assert [(s.path, s.reason) for s in reports.skipped] == [
        (str(tmp_path / "photo.jpg"), "image (.jpg): not read; no OCR"),
        (str(tmp_path / "sub" / "empty.txt"), "empty file")]
    assert "empty.txt: empty file" in caplog.text


def test_list_of_paths_and_missing_path(tmp_path):
    a = tmp_path / "x" / "r.txt"
    b = tmp_path / "y" / "r.txt"
    for p in (a, b):
        p.parent.mkdir()
        p.write_text("text", encoding="utf-8")
    reports = read([a, b, tmp_path / "nope.txt"])
    assert [r.id for r in reports] == ["r", "r~2"]  # same stem, both kept, told apart
    assert _only_skip(reports).reason == "no such file or folder"


def test_read_report_raises_report_error(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    with pytest.raises(ReportError, match=r"empty\.txt: empty file"):
        read_report(f)
    assert isinstance(read_report(SEED), Report)


def test_decode_bytes_reports_encoding():
    assert decode_bytes(BODY_RU.encode("cp1251")) == (BODY_RU, "cp1251")
    assert decode_bytes(b"\xef\xbb\xbfhi") == ("hi", "utf-8-sig")


def test_markdown_is_read_as_plain_text(tmp_path):
    f = tmp_path / "story.md"
    f.write_text("# Police seize **heroin**\n\nKABUL, Sep 29 (IANS) - Police seized "
                 "[5 kg of heroin](https://x.org/a) in _Farah_ province.\n", encoding="utf-8")
    (r,) = read(f)
    assert r.title == "Police seize heroin"
    assert r.text == ("Police seize heroin\n\nKABUL, Sep 29 (IANS) - Police seized "
                      "5 kg of heroin in Farah province.\n")
    assert r.agency == "IANS"


def test_html_declared_charset_wins(tmp_path):
    f = tmp_path / "ru.html"
    page = ("<html><head><meta charset=\"windows-1251\"><title>Героин</title></head>"
            "<body><p>" + BODY_RU.strip() + "</p></body></html>")
    f.write_bytes(page.encode("cp1251"))
    (r,) = read(f)
    assert r.title == "Героин" and r.text == BODY_RU.strip()


def test_a_story_that_starts_with_its_lede_has_no_headline(tmp_path):
    f = tmp_path / "ec.txt"
    f.write_text("GUAYAQUIL (Reuters) - Ecuador's navy seized 3.4 tonnes of cocaine from a "
                 "semi-submersible vessel off the Galapagos Islands, the defence ministry said on "
                 "Tuesday.\n\nSeparately, police found 870 kilos of cocaine at the port of "
                 "Guayaquil.\n", encoding="utf-8")
    (r,) = read(f)
    assert r.title is None
    from geo.extraction.core import extract_report

    assert sorted(e.quantity_kg for e in extract_report(r)) == [870.0, 3400.0]


def test_a_headline_after_the_dateline_is_the_title(tmp_path):
    f = tmp_path / "af.txt"
    f.write_text("KABUL, Oct 4 (Xinhua) - Afghan police destroy heroin lab in Badakhshan\n\n"
                 "Afghan police destroyed a heroin lab in Badakhshan province.\n", encoding="utf-8")
    (r,) = read(f)
    assert r.title == "Afghan police destroy heroin lab in Badakhshan"
