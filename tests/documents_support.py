"""Small real PDF files for the reader tests, written here byte by byte.

A page is either text (drawn with the standard Helvetica font in WinAnsiEncoding, so
pypdf's text extraction reads it back) or ``None``: a page that holds only a picture and
no text layer, as a scanned page does.
"""
from __future__ import annotations

# a 2 x 2 grey picture: what a scanner leaves instead of text
_PICTURE = bytes([0, 255, 255, 0])


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _text_stream(text: str) -> bytes:
    lines = [b"BT /F1 11 Tf 14 TL 56 760 Td"]
    for i, line in enumerate(text.split("\n")):
        lines.append((b"T* " if i else b"") + _pdf_string(line) + b" Tj")
    lines.append(b"ET")
    return b"\n".join(lines)


def make_pdf(pages: list[str | None], *, title: str | None = None,
             created: str | None = None) -> bytes:
    """A PDF with one page per item of ``pages`` (``None``: a picture-only page),
    ``title`` and ``created`` (``D:YYYYMMDDHHmmSS``) in its document information."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree's number is known
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>")
    picture = add(b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace "
                  b"/DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n" % len(_PICTURE)
                  + _PICTURE + b"\nendstream")
    kids = []
    for page in pages:
        content = (_text_stream(page) if page is not None
                   else b"q 300 0 0 400 150 200 cm /Im1 Do Q")
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                        b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> "
                        b"/Contents %d 0 R >>" % (tree, font, picture, stream)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                         + b"] /Count %d >>" % len(kids))
    info_items = b""
    if title is not None:
        info_items += b"/Title " + _pdf_string(title) + b" "
    if created is not None:
        info_items += b"/CreationDate (" + created.encode("ascii") + b") "
    info = add(b"<< " + info_items + b">>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, catalog, info, xref))
    return bytes(out)
