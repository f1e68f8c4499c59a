"""PDF and Word (.docx) reports: their text, and the title and date their metadata give.

A PDF's text comes from its text layer (pypdf); a page that has none (a scanned page, a
photo) is not read, since there is no OCR here, and :class:`Document` says which pages
those were. A .docx file's text is its paragraphs and table rows in document order
(python-docx). Either file's creation date is when the file was made, which for a saved
or printed article can be later than the story, so the reader uses it only where the
text gives no date.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import UnreadableInput

__all__ = ["Document", "read_pdf", "read_docx"]


@dataclass
class Document:
    """The text of a PDF or Word file and what its metadata say.

    ``published`` is an ISO date (the file's creation date) or None; ``notes`` are what
    was not read, for the run's skipped list (the file was read all the same).
    """

    text: str
    title: str | None = None
    published: str | None = None
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _quiet(logger: str) -> Iterator[None]:
    # pypdf logs and warns about every repair it makes to a damaged file; what matters to
    # the user is whether the text could be read, which the caller reports with the path
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(level)


def _describe(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def _iso(value: Any) -> str | None:
    if isinstance(value, (dt.datetime, dt.date)) and 1900 < value.year < 2200:
        return value.strftime("%Y-%m-%d")
    return None


def _pages_list(numbers: list[int]) -> str:
    word = "page" if len(numbers) == 1 else "pages"
    return f"{word} {', '.join(map(str, numbers))}"


def read_pdf(path: Path) -> Document:
    """The text layer of every page of a PDF, pages apart by a blank line.

    Raises :class:`~geo.errors.UnreadableInput` when the file is not a readable PDF, is
    encrypted with a password, or no page has a text layer.
    """
    from pypdf import PdfReader

    with _quiet("pypdf"):
        try:
            reader = PdfReader(path)
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnreadableInput("encrypted PDF (needs a password): not read")
            pages = list(reader.pages)
        except UnreadableInput:
            raise
        except Exception as exc:  # noqa: BLE001
            # a damaged PDF fails anywhere inside pypdf with any exception type; whatever
            # it was, the file is not readable and the run goes on with the others
            raise UnreadableInput(f"not a readable PDF ({_describe(exc)})") from None
        texts: list[str] = []
        empty: list[int] = []
        broken: list[str] = []
        for number, page in enumerate(pages, start=1):
            try:
                text = page.extract_text() or ""
            except Exception as exc:  # noqa: BLE001 - as above, for one page
                broken.append(f"page {number} ({_describe(exc)})")
                continue
            if text.strip():
                texts.append(text.strip())
            else:
                empty.append(number)
        title, published = _pdf_metadata(reader)
    of = f"of {len(pages)}"
    if not texts:
        if not pages:
            raise UnreadableInput("PDF has no pages")
        raise UnreadableInput(
            f"no text layer on any of its {len(pages)} page{'s' if len(pages) > 1 else ''} "
            "(scanned?): not read; no OCR" + (f"; unreadable: {', '.join(broken)}"
                                               if broken else ""))
    notes = []
    if empty:
        notes.append(f"{_pages_list(empty)} {of} {'has' if len(empty) == 1 else 'have'} "
                     "no text layer (scanned?): not read; no OCR; the other pages were read")
    if broken:
        notes.append(f"unreadable {', '.join(broken)} {of}: not read; the other pages "
                     "were read")
    return Document("\n\n".join(texts), title, published, notes)


def _pdf_metadata(reader: Any) -> tuple[str | None, str | None]:
    try:
        meta = reader.metadata
        if meta is None:
            return None, None
        title = meta.title
        try:
            created = meta.creation_date
        except Exception:  # noqa: BLE001 - a malformed date string is no date
            created = None
    except Exception:  # noqa: BLE001 - damaged metadata: the text is still worth reading
        return None, None
    title = " ".join(str(title).split()) if title else None
    return title or None, _iso(created)


def read_docx(path: Path) -> Document:
    """The paragraphs and table rows of a Word .docx file in document order, paragraphs
    apart by a blank line, a table row's cells joined by " | ".

    Raises :class:`~geo.errors.UnreadableInput` when the file is not a readable .docx or
    holds no text.
    """
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks.extend(_table_rows(item))
            else:
                line = item.text.strip()
                if line:
                    blocks.append(line)
        props = document.core_properties
        title = " ".join((props.title or "").split()) or None
        published = _iso(props.created)
    except Exception as exc:  # noqa: BLE001
        # a damaged .docx (a bad zip, broken XML, a missing part) fails in zipfile, lxml
        # or python-docx with their own exception types; any of them means not readable
        raise UnreadableInput(f"not a readable Word .docx file ({_describe(exc)})") from None
    if not blocks:
        raise UnreadableInput("Word document has no text")
    return Document("\n\n".join(blocks), title, published)


def _table_rows(table: Any) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # a merged cell is returned once per grid column it spans
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows
