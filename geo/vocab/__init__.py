"""Every word list the rules use, as plain files, read once, checked and frozen.

The files in this folder are the vocabulary of the product: units, number words,
months, substances and their groups, agencies, cue phrases, stopwords, aliases. Code
holds the mechanism; a new word is one row here (and one test case). ``README.md``
beside this file says where each file's rows come from.

Formats:

* ``*.csv`` / ``*.tsv``: a header row, then one row per entry. Lines that start with
  ``#`` (before the header or between rows) are comments. Empty cells are ``""``.
* ``*.txt``: one entry per line; ``#`` starts a comment line.
* ``*.toml``: named lists or tables (read with :mod:`tomllib`).

Every loader returns immutable values (tuples, ``MappingProxyType``), cached for the
process: a table is validated once when first asked for, and a bad row raises
:class:`~geo.errors.VocabularyError` naming the file and line.

:func:`alternation` builds one regex alternation from a table's words, longest first, so
that a pattern follows its table instead of being written out by hand.
"""
from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from ..errors import VocabularyError
from ..caches import memo

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["VOCAB_DIR", "Row", "table", "csv_rows", "words", "config", "alternation", "columns", "path_of",
           "clear_caches", "row_line", "row_error", "checked_lists"]

VOCAB_DIR = Path(__file__).resolve().parent

#: One row of a table: column -> cell text (read-only).
Row = Mapping[str, str]


def path_of(name: str) -> Path:
    """The file of vocabulary ``name`` (a file name in this folder, with its extension)."""
    path = VOCAB_DIR / name
    if not path.is_file():
        raise VocabularyError(f"{path}: no such vocabulary file")
    return path


def _data_lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"{path}: cannot read: {exc}") from exc
    return [(i, line) for i, line in enumerate(text.split("\n"), 1)
            if line.strip() and not line.lstrip().startswith("#")]


def csv_rows(path: Path, required: tuple[str, ...] = (),
             columns: tuple[str, ...] = ()) -> tuple[tuple[int, Row], ...]:
    """(line number, row) of every row of a vocabulary-format CSV/TSV file at ``path``:
    ``#`` comment lines skipped, cells stripped, every row as long as the header.

    ``required`` names columns that must exist and be non-empty in every row;
    ``columns`` names columns that must exist.
    """
    path = Path(path)
    delimiter = "\t" if path.suffix == ".tsv" else ","
    lines = _data_lines(path)
    if not lines:
        raise VocabularyError(f"{path}: no header row")
    numbers = [n for n, _ in lines]
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)), delimiter=delimiter)
    rows = list(reader)
    header = [h.strip() for h in rows[0]]
    missing = [c for c in dict.fromkeys((*required, *columns)) if c not in header]
    if missing:
        raise VocabularyError(f"{path}:{numbers[0]}: header lacks column(s) {', '.join(missing)} "
                              f"(has {', '.join(header)})")
    out = []
    for line_no, cells in zip(numbers[1:], rows[1:]):
        if len(cells) != len(header):
            raise VocabularyError(f"{path}:{line_no}: {len(cells)} cells where the header has "
                                  f"{len(header)}")
        row = dict(zip(header, (c.strip() for c in cells)))
        empty = [c for c in required if not row[c]]
        if empty:
            raise VocabularyError(f"{path}:{line_no}: empty {', '.join(empty)}")
        out.append((line_no, MappingProxyType(row)))
    return tuple(out)


@memo(256)  # one entry per vocabulary file: bounded by the folder
def table(name: str, required: tuple[str, ...] = ()) -> tuple[Row, ...]:
    """The rows of ``name`` (``.csv`` or ``.tsv`` in this folder), each a read-only
    column -> text mapping (see :func:`csv_rows`)."""
    return tuple(row for _, row in csv_rows(path_of(name), required))


@memo(256)
def words(name: str) -> tuple[str, ...]:
    """The entries of a one-per-line ``.txt`` vocabulary, in file order, without duplicates."""
    path = path_of(name)
    seen: dict[str, None] = {}
    for line_no, line in _data_lines(path):
        word = line.strip()
        if word in seen:
            raise VocabularyError(f"{path}:{line_no}: {word!r} is listed twice")
        seen[word] = None
    return tuple(seen)


def _freeze(value):
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


@memo(256)
def config(name: str) -> Mapping:
    """A ``.toml`` vocabulary as nested read-only mappings and tuples."""
    path = path_of(name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VocabularyError(f"{path}: cannot read: {exc}") from exc
    return _freeze(data)


def alternation(items: Iterable[str], *, escape: bool = True) -> str:
    """One non-capturing regex alternation of ``items``, longest first, duplicates dropped.

    Longest first so that the engine, which takes the first alternative that matches,
    prefers "kilograms" over "kilo". With ``escape=False`` the items are regex fragments
    (for rows that need one).
    """
    seen = dict.fromkeys(items)
    if not seen:
        raise VocabularyError("an alternation of no words would match nothing")
    parts = sorted(seen, key=lambda s: (-len(s), s))
    return "(?:" + "|".join(re.escape(p) if escape else p for p in parts) + ")"


def clear_caches() -> None:
    """Forget every loaded vocabulary (tests that write a vocabulary file call this;
    :func:`geo.caches.clear` does it too)."""
    for fn in (table, words, config):
        fn.cache_clear()


def columns(rows: Sequence[Row], name: str) -> tuple[str, ...]:
    """The cells of one column, in row order."""
    return tuple(r[name] for r in rows)


def row_line(name: str, index: int) -> str:
    """``path:line`` of entry ``index`` (0-based) of vocabulary ``name``: a row after the
    header of a table, an entry of a one-per-line ``.txt`` list."""
    path = path_of(name)
    lines = _data_lines(path)
    at = index if path.suffix == ".txt" else index + 1
    line = lines[at][0] if 0 <= at < len(lines) else "?"
    return f"{path}:{line}"


def row_error(name: str, index: int, message: str) -> VocabularyError:
    """The error a table's own check raises for entry ``index``, naming file and line."""
    return VocabularyError(f"{row_line(name, index)}: {message}")


def checked_lists(name: str, keys: Iterable[str], *,
                  regex_prefix: str = "regex:") -> dict[str, tuple[str, ...]]:
    """The word lists ``keys`` of the ``.toml`` vocabulary ``name``, checked: the file has
    exactly these lists, each non-empty text, no entry twice, every ``regex_prefix`` entry
    compiles. Each message names the file and the list."""
    keys = tuple(keys)
    lists = config(name)
    where = path_of(name)
    missing = [k for k in keys if k not in lists]
    unknown = [k for k in lists if k not in keys]
    if missing or unknown:
        raise VocabularyError(f"{where}: lists missing: {missing or 'none'}; "
                              f"unknown: {unknown or 'none'}")
    out: dict[str, tuple[str, ...]] = {}
    for key in keys:
        entries = lists[key]
        if not entries or not all(isinstance(e, str) and e.strip() for e in entries):
            raise VocabularyError(f"{where}: {key}: a list of non-empty strings")
        dup = next((e for i, e in enumerate(entries) if e in entries[:i]), None)
        if dup:
            raise VocabularyError(f"{where}: {key}: {dup!r} is listed twice")
        for e in entries:
            if e.startswith(regex_prefix):
                try:
                    re.compile(e[len(regex_prefix):])
                except re.error as exc:
                    raise VocabularyError(f"{where}: {key}: {e!r}: {exc}") from None
        out[key] = tuple(entries)
    return out
