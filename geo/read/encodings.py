"""Bytes to text: one encoding per file, and stray bytes repaired where they stand.

A report saved as UTF-8 often carries a few bytes of another code page (a name pasted
from a Windows document: "Nari\\xf1o"), and a file copied off a cut download may end
inside a multi-byte character. Reading such a file in a code page that fits every byte
(cp1252 for all of it) turns each of its real UTF-8 letters into two wrong ones, and a
place name then geocodes elsewhere; refusing it loses the report for one byte. So:

* a file that decodes as UTF-8 (with or without BOM) is UTF-8;
* a file that is UTF-8 but for a few bytes (at most four bad bytes per good multi-byte
  character, or any file with a UTF-8 BOM) keeps UTF-8, and each bad byte is read as
  the cp1252 letter it most likely was, or U+FFFD where cp1252 gives no letter; a
  multi-byte character cut by the end of the file is dropped; each repair is a
  :class:`DecodeNote` naming the line and byte;
* anything else is guessed whole by charset-normalizer (cp1251, cp1252, koi8-r ...).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import UnreadableInput

__all__ = ["DecodeNote", "Decoded", "decode"]

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# surrogateescape turns each byte that is not UTF-8 into one lone surrogate U+DC80-U+DCFF
_ESCAPED = re.compile("[\udc80-\udcff]")
_GOOD_MULTIBYTE = re.compile("[^\x00-\x7f\udc80-\udcff]")

# A file in a legacy code page has valid UTF-8 sequences only by accident, a few per
# hundred high bytes (cp1251 "Я»"); a UTF-8 file with stray bytes has at least as many
# good characters as a quarter of its bad bytes. Misjudging a Latin legacy file costs
# little: each of its bytes is then read as cp1252 anyway.
_BAD_PER_GOOD = 4

# how many repaired bytes one note lists before it only counts the rest
_LISTED_REPAIRS = 5

# Among equally good whole-file guesses prefer the common code pages: short Latin texts
# fit cp1250 and cp1252 alike but differ on "España".
_PREFERRED_ENCODINGS = ("utf_8", "cp1251", "cp1252", "latin_1", "iso8859_15", "koi8_r")


@dataclass(frozen=True)
class DecodeNote:
    """Something the decoder changed: ``line`` (1-based) where it starts and what."""

    line: int | None
    message: str


@dataclass
class Decoded:
    """Text decoded from bytes, the encoding it was read in and the repairs made."""

    text: str
    encoding: str
    notes: list[DecodeNote] = field(default_factory=list)


def decode(data: bytes) -> Decoded:
    """Decode a file's bytes (see the module docstring for the rules).

    Raises :class:`~geo.errors.UnreadableInput` for empty or binary input, or bytes that
    no encoding explains; repairs are in ``Decoded.notes``.
    """
    decoded = _decode(data)
    if not decoded.text.strip():
        raise UnreadableInput("empty file" + (" (a byte-order mark only)"
                                              if data.strip() else ""))
    return decoded


def _decode(data: bytes) -> Decoded:
    if not data.strip():
        raise UnreadableInput("empty file")
    if data.startswith(_UTF8_BOM):
        # a BOM says UTF-8 whatever the bytes after it say
        decoded = _utf8(data[len(_UTF8_BOM):], "utf-8-sig", certain=True, offset=3)
        assert decoded is not None
        return decoded
    if data.startswith(_UTF16_BOMS):
        return _utf16(data)
    if b"\x00" in data[:8192]:
        raise UnreadableInput("binary file (contains NUL bytes), not text")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    decoded = _utf8(data, "utf-8", certain=False)
    if decoded is not None:
        return decoded
    return _guess(data)


def _utf8(data: bytes, encoding: str, *, certain: bool, offset: int = 0) -> Decoded | None:
    """``data`` as UTF-8 with its bad bytes repaired, or None when it is not UTF-8 with a
    few bad bytes but some other encoding (unless ``certain``). ``offset``: bytes before
    ``data`` in the file (a BOM), for the byte positions in the notes."""
    text = data.decode("utf-8", "surrogateescape")
    cut = _cut_tail(text)
    if cut == 1 and _ESCAPED.search(text, 0, len(text) - 1):
        # a lone lead byte at the end of a file with other stray bytes is one more of
        # them (a cp1252 "à" is 0xE0), not a cut character
        cut = 0
    body = text[: len(text) - cut]
    bad = [m.start() for m in _ESCAPED.finditer(body)]
    if not certain:
        good = len(_GOOD_MULTIBYTE.findall(body)) + (1 if cut >= 2 else 0)
        if good == 0 and not bad and cut == 1:
            # one high byte at the very end of an ASCII file: a cp1252 letter ("Bogot\xe1")
            # or the first byte of a character the end cut off; nothing tells which, and
            # a guess over one byte picks any code page: it is read as its cp1252 letter
            # and said so
            body, bad, cut = text, [len(text) - 1], 0
        elif good == 0 or len(bad) > _BAD_PER_GOOD * good:
            return None
    notes: list[DecodeNote] = []
    if bad:
        body, note = _repair(body, bad, offset)
        notes.append(note)
    if cut:
        tail = " ".join(f"0x{ord(c) - 0xDC00:02X}" for c in text[len(text) - cut:])
        line = body.count("\n") + 1
        notes.append(DecodeNote(line, (
            f"the file ends inside a multi-byte UTF-8 character (truncated): its "
            f"{cut} byte{'s' if cut > 1 else ''} {tail} at byte {offset + len(data) - cut} "
            f"dropped; the rest was read")))
    return Decoded(body, encoding, notes)


def _cut_tail(text: str) -> int:
    """How many escaped bytes at the end of ``text`` are the start of a multi-byte UTF-8
    character that the end of the file cut off (0 when none)."""
    for k in (1, 2, 3):
        if len(text) < k:
            break
        seq = text[-k:]
        if not all("\udc80" <= c <= "\udcff" for c in seq):
            break
        lead, rest = ord(seq[0]) - 0xDC00, [ord(c) - 0xDC00 for c in seq[1:]]
        need = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else (
            4 if 0xF0 <= lead <= 0xF4 else 0)
        if need > k and all(0x80 <= b <= 0xBF for b in rest):
            return k
    return 0


def _stray_byte(byte: int) -> str:
    """What a byte that is not UTF-8 most likely was: its cp1252 letter (or typographic
    quote, dash or space, which Windows editors paste), else U+FFFD. Digits, signs and
    symbols are not guessed: a wrong one could change a figure."""
    try:
        ch = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return "\ufffd"
    if ch.isalpha() or unicodedata.category(ch) in ("Pi", "Pf", "Pd", "Zs"):
        return ch
    return "\ufffd"


def _repair(body: str, bad: list[int], offset: int) -> tuple[str, DecodeNote]:
    """``body`` with each escaped byte at the positions ``bad`` replaced, and a note
    listing the first few by line and byte offset."""
    pieces: list[str] = []
    listed: list[str] = []
    first_line = None
    line, byte, prev = 1, offset, 0
    for pos in bad:
        # line and byte offset counted from the previous repair: linear in the file
        chunk = body[prev:pos]
        line += chunk.count("\n")
        byte += len(chunk.encode("utf-8", "surrogateescape"))
        value = ord(body[pos]) - 0xDC00
        ch = _stray_byte(value)
        pieces.append(chunk)
        pieces.append(ch)
        if first_line is None:
            first_line = line
        if len(listed) < _LISTED_REPAIRS:
            how = (f"read as cp1252 {ch!r}" if ch != "\ufffd"
                   else "no letter in cp1252, replaced by U+FFFD")
            listed.append(f"line {line} byte {byte}: 0x{value:02X} {how}")
        prev = pos + 1
        byte += 1
    pieces.append(body[prev:])
    more = len(bad) - len(listed)
    what = "; ".join(listed) + (f"; and {more} more" if more else "")
    n = len(bad)
    note = DecodeNote(first_line, (
        f"{n} byte{'s' if n > 1 else ''} not valid UTF-8 in a UTF-8 file, repaired "
        f"({what}); the rest was read as UTF-8"))
    return "".join(pieces), note


def _utf16(data: bytes) -> Decoded:
    try:
        return Decoded(data.decode("utf-16"), "utf-16")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-16", "replace")
        line = data[: exc.start].decode("utf-16", "replace").count("\n") + 1
        bad = text.count("\ufffd")
        return Decoded(text, "utf-16", [DecodeNote(line, (
            f"{bad} UTF-16 code unit{'s' if bad > 1 else ''} not valid (first at byte "
            f"{exc.start}: {exc.reason}), replaced by U+FFFD; the rest was read"))])


def _guess(data: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None or best.encoding is None:
        raise UnreadableInput("undecodable: no text encoding fits its bytes (binary or corrupt)")
    ties = [m for m in results
            if m.chaos <= best.chaos + 1e-9 and m.coherence >= best.coherence - 1e-9]
    for preferred in _PREFERRED_ENCODINGS:
        pick = next((m for m in ties if m.encoding == preferred), None)
        if pick is not None:
            best = pick
            break
    text = str(best)
    if _looks_binary(text):
        raise UnreadableInput("binary file (control characters), not text")
    return Decoded(text, best.encoding)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return bad / len(sample) > 0.01
