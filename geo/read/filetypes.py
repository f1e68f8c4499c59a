"""Which files are reports, by suffix, and what to tell the user about the others.

A folder of reports often holds other things too (photos from the story, a spreadsheet,
an old .doc). None of them is read as a report, and none is passed over in silence:
:func:`not_read_reason` says why each one was not read, for the run's skipped list.
"""
from __future__ import annotations

from pathlib import Path

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
RECORD_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".tsv"}
DOCUMENT_SUFFIXES = {".pdf", ".docx"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | RECORD_SUFFIXES | DOCUMENT_SUFFIXES

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp",
                  ".heic", ".heif", ".svg", ".ico", ".jp2"}
#: spreadsheets are seizure tables (geo.read.tables), never reports
TABLE_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods"}
#: documents that hold text but in a format read here only once saved as .docx or .pdf
OTHER_DOCUMENT_SUFFIXES = {".doc", ".odt", ".rtf", ".pages", ".wpd", ".epub"}


def readable_types() -> str:
    """The suffixes read as reports, for messages."""
    return " ".join(sorted(SUPPORTED_SUFFIXES))


def not_read_reason(path: Path) -> str:
    """Why a file with an unsupported suffix is not read, in words a user can act on."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return f"image ({suffix}): not read; no OCR"
    if suffix in TABLE_SUFFIXES:
        return (f"spreadsheet ({suffix}): not a report; `geo map`/`geo extract` read it as "
                "a seizure table (geo.read_seizures)")
    if suffix in OTHER_DOCUMENT_SUFFIXES:
        return f"document type {suffix} is not read; save it as .docx or .pdf"
    if not suffix:
        return f"no file suffix: not read (reports are {readable_types()})"
    return f"unsupported file type {suffix!r}: not read (reports are {readable_types()})"
