"""PDF and Word reports are read; scanned pages, images and other files are named, never
passed over in silence."""
from __future__ import annotations

import datetime as dt

import docx
import pytest

import geo
from geo.pipeline import TableColumns, split_inputs
from geo.read.reports import read_reports

from documents_support import make_pdf

STORY = ("TUMACO, Colombia, March 3 (EFE) - Colombian police seized two tonnes of cocaine\n"
         "in the department of Nariño, the navy said on Tuesday.")


def _pdf(tmp_path, name="digest.pdf", **kwargs):
    f = tmp_path / name
    f.write_bytes(make_pdf(**kwargs))
    return f


def test_pdf_text_pages_read_scanned_page_named(tmp_path):
    f = _pdf(tmp_path, pages=[STORY, None, "The drugs were found on a speedboat.", None],
             title="Two tonnes seized in Nariño", created="D:20210315093000Z")
    reports = read_reports(f)
    (r,) = reports
    assert "two tonnes of cocaine" in r.text and "on a speedboat" in r.text
    assert (r.title, r.agency) == ("Two tonnes seized in Nariño", "EFE")
    (note,) = reports.skipped
    assert note.path == str(f) and note.partial
    assert note.reason.startswith("pages 2, 4 of 4 have no text layer (scanned?)")
    assert "no OCR" in note.reason


def test_pdf_event_is_extracted_and_placed(tmp_path):
    f = _pdf(tmp_path, pages=[STORY])
    events = geo.extract(read_reports(f))
    assert list(events["quantity_kg"]) == [2000.0]
    assert list(events["admin1"]) == ["CO-NAR"]


def test_pdf_creation_date_only_where_the_text_gives_none(tmp_path):
    undated = _pdf(tmp_path, "a.pdf", pages=["Police seized 5 kg of heroin in Herat."],
                   created="D:20190704000000+02'00'")
    dated = _pdf(tmp_path, "b.pdf", pages=["KABUL, Nov 6, 2018 (Reporterly) - Police seized "
                                          "5 kg of heroin in Herat."],
                 created="D:20190704000000Z")
    a, b = read_reports([undated, dated])
    assert a.published == "2019-07-04"
    assert b.published == "2018-11-06"  # the story's own date, not the file's


def test_pdf_of_scanned_pages_only_is_skipped(tmp_path):
    f = _pdf(tmp_path, "scan.pdf", pages=[None, None])
    reports = read_reports(f)
    assert len(reports) == 0
    (s,) = reports.skipped
    assert (s.path, s.partial) == (str(f), False)
    assert "no text layer on any of its 2 pages (scanned?): not read; no OCR" in s.reason


@pytest.mark.parametrize("damage", ["cut", "garbage", "empty"])
def test_damaged_pdf_is_skipped_with_reason(tmp_path, damage):
    data = make_pdf(pages=[STORY])
    data = {"cut": data[:60], "garbage": b"%PDF-1.4\n" + bytes(range(256)) * 4,
            "empty": b""}[damage]
    f = tmp_path / "bad.pdf"
    f.write_bytes(data)
    reports = read_reports(f)
    assert len(reports) == 0
    (s,) = reports.skipped
    assert s.path == str(f) and "PDF" in s.reason


def _docx(path, *, title=None, created=None):
    d = docx.Document()
    d.add_heading("Police seize heroin in Herat", level=1)
    d.add_paragraph("HERAT, Afghanistan, Jan 5 (Pajhwok) - Police seized 12 kg of heroin "
                    "in Herat province, officials said.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Substance", "Quantity"
    table.cell(1, 0).text, table.cell(1, 1).text = "Opium", "30 kg"
    d.add_paragraph("The suspects were handed to the prosecutor.")
    d.core_properties.title = title or ""
    if created:
        d.core_properties.created = created
    d.save(path)
    return path


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    f = _docx(tmp_path / "herat.docx", title="Herat seizure",
              created=dt.datetime(2020, 1, 6, 10, 0))
    reports = read_reports(f)
    assert reports.skipped == []
    (r,) = reports
    assert r.text.split("\n\n") == [
        "Police seize heroin in Herat",
        "HERAT, Afghanistan, Jan 5 (Pajhwok) - Police seized 12 kg of heroin in Herat "
        "province, officials said.",
        "Substance | Quantity", "Opium | 30 kg",
        "The suspects were handed to the prosecutor."]
    assert (r.title, r.agency, r.dateline_place) == ("Herat seizure", "Pajhwok",
                                                      "HERAT, Afghanistan")
    # the dateline has no year; the text names none; the file's date fills in
    assert r.published == "2020-01-06"


def test_damaged_docx_is_skipped(tmp_path):
    f = tmp_path / "broken.docx"
    f.write_bytes(b"PK\x03\x04 not really a zip")
    (s,) = read_reports(f).skipped
    assert s.path == str(f) and "not a readable Word .docx file" in s.reason


def test_folder_lists_every_file_it_does_not_read(tmp_path):
    (tmp_path / "r.txt").write_text("Police seized 5 kg of heroin in Herat.", encoding="utf-8")
    _pdf(tmp_path, "p.pdf", pages=[STORY])
    _docx(tmp_path / "w.docx")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "notes.xyz").write_text("?", encoding="utf-8")
    (tmp_path / "LICENSE").write_text("MIT", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    reports = read_reports(tmp_path)
    assert sorted(r.id for r in reports) == ["p", "r", "w"]
    reasons = {s.path.rsplit("/", 1)[1]: s.reason for s in reports.skipped}
    assert reasons == {
        "photo.png": "image (.png): not read; no OCR",
        "old.doc": "document type .doc is not read; save it as .docx or .pdf",
        "notes.xyz": reasons["notes.xyz"],
        "LICENSE": reasons["LICENSE"],
    }
    assert reasons["notes.xyz"].startswith("unsupported file type '.xyz': not read")
    assert reasons["LICENSE"].startswith("no file suffix: not read")
    assert not any(s.partial for s in reports.skipped)


def test_images_beside_seizure_tables_are_listed_too(tmp_path):
    # a folder with a table is read file by file: its picture must still reach the reader
    (tmp_path / "seizures.csv").write_text("place,quantity\nHerat,5\n", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / "r.txt").write_text("Police seized 5 kg.", encoding="utf-8")
    reports, tables = split_inputs([tmp_path], table_columns=TableColumns(place="place"))
    assert [p.name for p in tables] == ["seizures.csv"]
    assert [p.name for p in reports] == ["photo.jpg", "r.txt"]
    skipped = read_reports(reports).skipped
    assert [(s.path, s.reason) for s in skipped] == [
        (str(tmp_path / "photo.jpg"), "image (.jpg): not read; no OCR")]
