"""The seizure event: one row of the events table, and writers for it.

``EVENT_FIELDS`` is the schema every producer (the text extractor, ``read_seizures``)
writes and every consumer (aggregates, maps, the scorer) reads.
"""
from __future__ import annotations

import json
import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from .errors import ExtractionError

__all__ = ["EVENT_FIELDS", "EXTRA_FIELDS", "Event", "event_row", "events_to_frame",
           "write_events", "events_writer", "place_precision", "parse_dates", "evidence_sentence",
           "ERADICATION_FIELDS", "Eradication", "eradications_to_frame", "write_eradications",
           "is_parts_folder", "write_part", "PART_ROWS"]

EVENT_FIELDS = ("doc", "substance", "drug_group", "quantity", "unit", "quantity_kg", "count",
                "labs_destroyed", "place", "country", "admin1", "admin2", "date", "agencies",
                "confidence", "evidence")
EXTRA_FIELDS = ("admin1_name", "admin2_name", "place_precision", "lat", "lon", "approximate",
                "flags", "detail", "operation", "arrests", "title", "origin", "transit",
                "destination", "route")


def place_precision(feature_class: str | None, admin1: str | None,
                    country: str | None) -> str | None:
    """An event's ``place_precision`` from the place it was given: ``point`` for a town
    (feature class ``ppl``), ``admin2`` for a district, ``admin1`` for a region (or a town
    known only by its region), ``country``; None when no country is known."""
    if admin1 and feature_class != "country":
        return {"ppl": "point", "admin2": "admin2"}.get(feature_class or "", "admin1")
    return "country" if country else None


@dataclass
class Event:
    """One seizure figure (or one count of labs destroyed) read from one report.

    ``quantity``/``unit`` are the figure as reported after reading its number format
    (``1500.0``, ``"kg"``); ``quantity_kg`` the mass in kg (``None`` for volumes and
    counts); ``count`` dosage units; ``labs_destroyed`` is set only on lab events.
    ``evidence`` is ``{"sentence": str, "start": int, "end": int}`` (offsets into the
    report text). ``admin1`` is ``None`` when the event cannot be put in one region;
    ``admin2`` (the second-level unit: a department, a province) is set only where the
    default boundary set has a second level for the country and the point lies in a unit
    of ``admin1`` (see :func:`geo.places.locate.add_admin2`).
    ``place_precision`` says how fine the place is: ``point`` (a town), ``admin2`` (a
    district), ``admin1`` (the region only: a region named, or the story's region for a
    place the gazetteer does not know), ``country``; ``None`` when no place is known.
    ``title`` is the report's headline (``Report.title``; empty for table rows): the map's
    popups are titled by it. It is untrusted text: escape it.
    ``origin``/``destination`` are where the report says the drugs came from and were
    going, ``transit`` the places they went through ("; "-joined, in text order): each an
    admin-1 code when a town or region is named, else an ISO country code, or a world
    region's name ("Europe", "West Africa") that no code names; ``route`` the cue words
    and names read ("smuggled from Afghanistan | into Tajikistan"). See
    :mod:`geo.extraction.routes`.
    """

    doc: str
    substance: str | None = None
    drug_group: str | None = None
    quantity: float | None = None
    unit: str | None = None
    quantity_kg: float | None = None
    count: int | None = None
    labs_destroyed: int | None = None
    place: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    date: str | None = None
    agencies: list[str] = field(default_factory=list)
    confidence: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)
    admin1_name: str | None = None
    admin2_name: str | None = None
    place_precision: str | None = None
    lat: float | None = None
    lon: float | None = None
    approximate: bool = False
    flags: list[str] = field(default_factory=list)
    detail: str | None = None
    operation: str | None = None  # "Operation Trueno 25", "joint operation (FSKN, DEA)"
    arrests: int | None = None  # people arrested, counted once per statement of a report
    title: str | None = None
    origin: str | None = None  # "AF", "EC-G", "Europe"
    transit: str | None = None  # "PA; NL"
    destination: str | None = None
    route: str | None = None  # the words read: "bound for | Europe"

    def to_record(self) -> dict[str, Any]:
        """The schema fields only, JSON-ready."""
        d = asdict(self)
        return {k: d[k] for k in EVENT_FIELDS}


_COLUMNS = EVENT_FIELDS + EXTRA_FIELDS
# geo.dedup's columns: not made by the extractor, written to .csv/.geojson when present
_DEDUP_FIELDS = ("cluster", "duplicate_of", "cluster_sources")


_LAT, _LON = _COLUMNS.index("lat"), _COLUMNS.index("lon")


def event_row(ev: Event) -> tuple:
    """``ev`` as a plain tuple of its fields in ``EVENT_FIELDS + EXTRA_FIELDS`` order: what
    the parallel workers send back (a tuple of builtins pickles in a fraction of the bytes
    and time of a dataclass, which carries its class reference and field names)."""
    # getattr, not dataclasses.astuple: astuple deep-copies every list and dict
    return tuple([getattr(ev, f) for f in _COLUMNS])


def events_to_frame(events: Iterable[Event | tuple | dict]) -> gpd.GeoDataFrame:
    """GeoDataFrame (EPSG:4326) with columns ``EVENT_FIELDS`` + extras and a point geometry
    (``None`` for events without coordinates).

    :param events: :class:`Event` objects, their :func:`event_row` tuples, or dicts keyed
        by the columns (as :func:`geo.iter_events` gives them; a missing key is None),
        mixed too.
    :raises ExtractionError: for anything else.
    """
    rows = []
    geoms = []
    width = len(_COLUMNS)
    for ev in events:
        if isinstance(ev, Event):
            ev = event_row(ev)
        elif isinstance(ev, dict):
            ev = tuple([ev.get(f) for f in _COLUMNS])
        elif not (isinstance(ev, tuple) and len(ev) == width):
            raise ExtractionError(f"events_to_frame expects Event objects or event rows, "
                                  f"got {type(ev).__name__}")
        rows.append(ev)
        lat, lon = ev[_LAT], ev[_LON]
        ok = lat is not None and lon is not None and not (math.isnan(lat) or math.isnan(lon))
        geoms.append(Point(lon, lat) if ok else None)
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    for col in ("quantity", "quantity_kg", "lat", "lon", "confidence"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    for col in ("count", "labs_destroyed", "arrests"):
        frame[col] = frame[col].astype("Int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")


def _clean(value: Any) -> Any:
    # pandas NA / NaN -> None, numpy scalars -> Python scalars, so json.dumps accepts them
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def _check_frame(frame: pd.DataFrame, path: Path) -> None:
    missing = [c for c in EVENT_FIELDS if c not in frame.columns]
    if missing:
        raise ExtractionError(f"{path}: events frame lacks columns {missing}")


def is_parts_folder(path: str | Path) -> bool:
    """Whether ``path`` names a folder of GeoParquet parts rather than one events file:
    it ends with a slash or with ``.parquet`` (the convention of a dataset folder), or
    is a folder already whose name is not that of an events file (``events.csv/`` is a
    mistake, not a folder of parts)."""
    text = str(path)
    suffix = Path(path).suffix.lower()
    return (text.endswith(("/", "\\")) or suffix == ".parquet"
            or (Path(path).is_dir()
                and suffix not in (".jsonl", ".ndjson", ".csv", ".geojson", ".json")))


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".geojson", ".json"):
        return "geojson" if suffix == ".json" else suffix[1:]
    raise ExtractionError(f"{path}: unknown events format {suffix!r} (use .jsonl, .csv or .geojson)")


def _write_jsonl(frame: pd.DataFrame, fh: Any) -> None:
    for rec in frame[list(EVENT_FIELDS)].to_dict(orient="records"):
        fh.write(json.dumps({k: _clean(v) for k, v in rec.items()}, ensure_ascii=False))
        fh.write("\n")


def _csv_table(frame: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in _COLUMNS + _DEDUP_FIELDS if c in frame.columns]
    out = pd.DataFrame(frame[cols]).copy()
    for col in ("agencies", "evidence", "flags"):
        if col in out:
            out[col] = [json.dumps(_clean(v), ensure_ascii=False) for v in out[col]]
    return out


def write_events(frame: gpd.GeoDataFrame | pd.DataFrame | Iterable[Event], path: str | Path) -> Path:
    """Write events to ``.jsonl`` (exactly ``EVENT_FIELDS``, one event a line), ``.csv``
    (lists and evidence as JSON text) or ``.geojson``. Returns the path written."""
    path = Path(path)
    if not isinstance(frame, pd.DataFrame):
        frame = events_to_frame(frame)
    _check_frame(frame, path)
    kind = _format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            _write_jsonl(frame, fh)
    elif kind == "csv":
        _csv_table(frame).to_csv(path, index=False)
    else:
        cols = [c for c in _COLUMNS + _DEDUP_FIELDS if c in frame.columns]
        gdf = frame if isinstance(frame, gpd.GeoDataFrame) else gpd.GeoDataFrame(frame)
        out = gpd.GeoDataFrame(gdf[cols].copy(), geometry=gdf.geometry, crs="EPSG:4326")
        for col in ("agencies", "evidence", "flags"):
            if col in out:
                out[col] = [json.dumps(_clean(v), ensure_ascii=False) for v in out[col]]
        out.to_file(path, driver="GeoJSON")
    return path


#: events per GeoParquet part: parts of a few MB each, so that a writer holds little
#: and a reader has partitions worth scheduling
PART_ROWS = 20_000

# each column's Arrow type, fixed: a part whose column happens to be all empty must have
# the type of the others (pyarrow would make it "null"), or the parts are no one dataset
_TEXT = ("doc", "substance", "drug_group", "unit", "place", "country", "admin1", "admin2",
         "date", "admin1_name", "admin2_name", "place_precision", "detail", "operation",
         "title", "origin", "transit", "destination", "route",
         # lists and the evidence as JSON text, as in events.csv
         "agencies", "evidence", "flags") + _DEDUP_FIELDS
_FLOAT = ("quantity", "quantity_kg", "confidence", "lat", "lon")
_INT = ("count", "labs_destroyed", "arrests")


def _arrow_schema(columns: list[str]) -> Any:
    import pyarrow as pa

    def kind(col: str) -> Any:
        if col in _FLOAT:
            return pa.float64()
        if col in _INT:
            return pa.int64()
        if col == "approximate":
            return pa.bool_()
        if col == "geometry":
            return pa.binary()
        return pa.string()

    return pa.schema([pa.field(c, kind(c)) for c in columns])


def _geo_metadata() -> bytes:
    # GeoParquet 1.1 (https://geoparquet.org): WKB points, lon/lat on WGS 84
    from pyproj import CRS

    return json.dumps({
        "version": "1.1.0", "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"],
                                 "crs": CRS("EPSG:4326").to_json_dict()}},
    }).encode()


def write_part(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write one GeoParquet part of events to ``path``: the columns of ``events.csv``
    (``agencies``, ``evidence`` and ``flags`` as JSON text), each with a fixed type, and
    the point as WKB ``geometry``. :func:`geo.read.events.read_events` reads a folder of
    them back.

    :raises ExtractionError: for a frame without the schema's columns, or when pyarrow
        is not installed.
    """
    path = Path(path)
    _check_frame(frame, path)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExtractionError(f"{path}: GeoParquet parts need pyarrow: "
                              "pip install 'seizure-atlas[dask]'") from None
    import shapely

    table = pd.DataFrame(_csv_table(frame))
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geoms = frame.geometry.to_numpy()
    else:
        geoms = np.array([None] * len(frame), dtype=object)
    table["geometry"] = shapely.to_wkb(geoms)
    for col in _TEXT:
        # pandas NA/NaN in a text column is a missing value, not the text "nan"
        if col in table:
            table[col] = [None if v is None or (isinstance(v, float) and math.isnan(v))
                          or v is pd.NA else str(v) for v in table[col]]
    schema = _arrow_schema(list(table.columns))
    arrow = pa.Table.from_pandas(table, schema=schema, preserve_index=False)
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}),
                                           b"geo": _geo_metadata()})
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(arrow, path)
    return path


def _parts_writer(folder: Path) -> Iterator[Callable[[pd.DataFrame], None]]:
    """``write(frame)`` for a folder of numbered parts (``part-00000.parquet`` ...), each
    of about :data:`PART_ROWS` events, written as they fill."""
    folder.mkdir(parents=True, exist_ok=True)
    held: list[pd.DataFrame] = []
    count = [0, 0]  # parts written, events held

    def flush() -> None:
        for p in held:
            p.attrs = {}  # pandas compares attrs on concat; they hold no event data
        whole = held[0] if len(held) == 1 else gpd.GeoDataFrame(
            pd.concat(held, ignore_index=True), crs="EPSG:4326")
        write_part(whole, folder / f"part-{count[0]:05d}.parquet")
        count[0] += 1
        held.clear()
        count[1] = 0

    def write(frame: pd.DataFrame) -> None:
        _check_frame(frame, folder)
        if not len(frame):
            return
        held.append(frame)
        count[1] += len(frame)
        if count[1] >= PART_ROWS:
            flush()

    yield write
    if held:
        flush()


@contextmanager
def events_writer(path: str | Path, *,
                  parts: bool | None = None) -> Iterator[Callable[[pd.DataFrame], None]]:
    """Write events to ``path`` part by part: yields ``write(frame)``, to be called with
    each part's events in order; the file is complete when the ``with`` block ends.

    ``.jsonl`` and ``.csv`` are written as the parts come, so memory holds one part at a
    time; the file is byte for byte what :func:`write_events` writes for the parts'
    concatenation (the CSV header once, from the first part; with no part at all, the
    header of an empty events frame). ``.geojson`` is one JSON document whose feature
    collection GDAL writes whole: its parts are kept and written at the end.
    A folder (``parts=True``, or a path :func:`is_parts_folder` takes for one) gets
    numbered GeoParquet parts (:func:`write_part`) of about :data:`PART_ROWS` events each,
    written as they fill; no events, no part.

    :raises ExtractionError: for an unknown suffix or a part without the schema's columns.
    """
    path = Path(path)
    if parts or (parts is None and is_parts_folder(path)):
        yield from _parts_writer(path)
        return
    kind = _format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "geojson":
        parts: list[pd.DataFrame] = []

        def keep(frame: pd.DataFrame) -> None:
            _check_frame(frame, path)
            if len(frame):
                parts.append(frame)

        yield keep
        if parts:
            for p in parts:
                p.attrs = {}  # pandas compares attrs on concat; they hold no event data
            whole = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")
        else:
            whole = events_to_frame([])
        write_events(whole, path)
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        header = [True]

        def write(frame: pd.DataFrame) -> None:
            _check_frame(frame, path)
            if kind == "jsonl":
                _write_jsonl(frame, fh)
            elif len(frame) or header[0]:
                _csv_table(frame).to_csv(fh, index=False, header=header[0])
                header[0] = False

        yield write
        if kind == "csv" and header[0]:
            write(events_to_frame([]))


def evidence_sentence(value: Any) -> str | None:
    """The sentence of an event's ``evidence``: the extractor's dict, or its JSON text as
    the events files hold it; a plain string is taken as the sentence itself; None when
    there is none. The aggregates' popups and dedup's text signs both read it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dict):
        s = value.get("sentence")
        return str(s) if s is not None else None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                return evidence_sentence(json.loads(text))
            except ValueError:
                pass
        return text or None
    return str(value)


# --------------------------------------------------------------------------- dates
# An event's date is ISO at the precision the report gives ("2019", "2019-03",
# "2019-03-05"): the aggregates put it in a period, dedup compares two of them.

_DATE_RE = r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*$"


def parse_dates(values: Iterable[Any]) -> pd.DataFrame:
    """Parse ISO dates at mixed precision ("2012", "2012-09", "2013-01-31").

    Returns a frame aligned with ``values`` with columns ``date`` (the normalised ISO
    string at the precision given, or None), ``precision`` ("year" | "month" | "day" |
    None), ``start`` and ``end`` (Timestamps: first and last day the date can mean; NaT
    when the value is empty or not a date). Timestamps and ``datetime.date`` count as
    day precision.
    """
    s = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    # text columns (pandas' Arrow-backed str) factorized as they are: a copy to Python
    # objects first costs more than the factorize
    codes, uniques = pd.factorize(s if isinstance(s.dtype, pd.StringDtype) else s.astype(object),
                                  use_na_sentinel=True)
    if len(uniques) < len(s):
        # parse each distinct date once, then spread: 100,000 events hold a few
        # thousand dates
        parsed = _parse_dates(pd.Series(list(uniques) + [None], dtype=object))
        take = np.where(codes < 0, len(uniques), codes)  # missing -> the trailing None
        out = pd.DataFrame(index=s.index)
        for col in ("date", "precision"):
            out[col] = pd.Series(parsed[col].to_numpy(dtype=object)[take], index=s.index, dtype=object)
        for col in ("start", "end"):
            out[col] = parsed[col].to_numpy()[take]
        return out
    return _parse_dates(s)


def _parse_dates(s: pd.Series) -> pd.DataFrame:
    index = s.index
    out = pd.DataFrame(index=index)
    text = s.map(_date_text, na_action="ignore").astype(object)
    parts = text.astype("string").str.extract(_DATE_RE)
    year = pd.to_numeric(parts[0], errors="coerce")
    month = pd.to_numeric(parts[1], errors="coerce")
    day = pd.to_numeric(parts[2], errors="coerce")
    ok = year.notna()
    start = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if ok.any():
        ymd = (year[ok].astype(int).astype(str).str.zfill(4) + "-"
               + month[ok].fillna(1).astype(int).astype(str).str.zfill(2) + "-"
               + day[ok].fillna(1).astype(int).astype(str).str.zfill(2))
        # errors="coerce": "2012-13" or "2013-02-30" are not dates, they become NaT
        start[ok] = pd.to_datetime(ymd, format="%Y-%m-%d", errors="coerce").to_numpy()
    precision = pd.Series(np.where(day.notna(), "day", np.where(month.notna(), "month", "year")),
                          index=index, dtype=object)
    precision[start.isna()] = None
    end = start.copy()
    is_month = (precision == "month").to_numpy()
    is_year = (precision == "year").to_numpy()
    if is_month.any():
        end[is_month] = start[is_month] + pd.offsets.MonthEnd(0)
    if is_year.any():
        end[is_year] = start[is_year] + pd.offsets.YearEnd(0)
    iso = np.full(len(index), None, dtype=object)
    for prec, f in {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}.items():
        m = (precision == prec).to_numpy()
        if m.any():
            iso[m] = start[m].dt.strftime(f).to_numpy(dtype=object)
    out["date"] = pd.Series(iso, index=index, dtype=object)
    out["precision"] = precision
    out["start"] = start
    out["end"] = end
    return out


def _date_text(value: Any) -> Any:
    if isinstance(value, (pd.Timestamp,)) or hasattr(value, "isoformat"):
        try:
            return value.isoformat()[:10]
        except (TypeError, ValueError):  # NaT
            return None
    text = str(value).strip()
    return text or None

# --------------------------------------------------------------------------- eradication
ERADICATION_FIELDS = ("doc", "crop", "hectares", "area", "area_unit", "counted", "place",
                      "country", "admin1", "admin2", "date", "agencies", "confidence",
                      "evidence", "admin1_name", "admin2_name", "place_precision", "lat", "lon",
                      "approximate", "flags", "operation", "title")


@dataclass
class Eradication:
    """One area of a drug crop a report says was destroyed: a record of its own, never a
    seizure (see :mod:`geo.extraction.eradication`).

    ``crop`` is ``opium poppy``, ``coca`` or ``cannabis``; ``area``/``area_unit`` the figure
    as written (``960.0``, ``"acre"``; units ``ha, acre, jerib, m2, km2``), ``hectares`` the
    area in hectares (pint). ``counted`` is False for a figure that must not be summed: a
    period total (flag ``period total``: "33 hectares have been cleared so far this season")
    or a part of the figure before it (``part of an earlier figure``). The place fields are
    an event's: ``admin1``, ``admin2``, ``place_precision`` ...; ``evidence`` is
    ``{"sentence", "start", "end", "figure"}``.
    """

    doc: str
    crop: str | None = None
    hectares: float | None = None
    area: float | None = None
    area_unit: str | None = None
    counted: bool = True
    place: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    date: str | None = None
    agencies: list[str] = field(default_factory=list)
    confidence: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)
    admin1_name: str | None = None
    admin2_name: str | None = None
    place_precision: str | None = None
    lat: float | None = None
    lon: float | None = None
    approximate: bool = False
    flags: list[str] = field(default_factory=list)
    operation: str | None = None
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict of builtins (what workers send and frames take)."""
        return {f: getattr(self, f) for f in ERADICATION_FIELDS}


def eradications_to_frame(records: Iterable[Eradication | dict]) -> gpd.GeoDataFrame:
    """GeoDataFrame (EPSG:4326) with columns ``ERADICATION_FIELDS`` and a point geometry
    (``None`` without coordinates), from :class:`Eradication` objects or their dicts.

    :raises ExtractionError: for anything else.
    """
    rows = []
    geoms = []
    for n, rec in enumerate(records):
        if isinstance(rec, Eradication):
            rec = rec.to_dict()
        elif not isinstance(rec, dict):
            raise ExtractionError(f"eradication record {n}: expected an Eradication or a "
                                  f"dict, got {type(rec).__name__}")
        row = tuple([rec.get(f) for f in ERADICATION_FIELDS])
        rows.append(row)
        lat, lon = rec.get("lat"), rec.get("lon")
        ok = lat is not None and lon is not None and not (math.isnan(lat) or math.isnan(lon))
        geoms.append(Point(lon, lat) if ok else None)
    frame = pd.DataFrame(rows, columns=list(ERADICATION_FIELDS))
    for col in ("hectares", "area", "lat", "lon", "confidence"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["counted"] = frame["counted"].map(lambda v: v is not False).astype(bool)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")


def write_eradications(frame: pd.DataFrame | Iterable[Eradication | dict],
                       path: str | Path) -> Path:
    """Write eradication records to ``.csv`` (lists and evidence as JSON text, as
    :func:`write_events` writes events), ``.geojson`` or ``.jsonl`` (one record a line).
    Returns the path written."""
    path = Path(path)
    if not isinstance(frame, pd.DataFrame):
        frame = eradications_to_frame(frame)
    missing = [c for c in ERADICATION_FIELDS if c not in frame.columns]
    if missing:
        raise ExtractionError(f"{path}: eradication frame lacks columns {missing}")
    kind = _format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for rec in frame[list(ERADICATION_FIELDS)].to_dict(orient="records"):
                fh.write(json.dumps({k: _clean(v) for k, v in rec.items()}, ensure_ascii=False))
                fh.write("\n")
        return path
    out = pd.DataFrame(frame[list(ERADICATION_FIELDS)]).copy()
    for col in ("agencies", "evidence", "flags"):
        out[col] = [json.dumps(_clean(v), ensure_ascii=False) for v in out[col]]
    if kind == "csv":
        out.to_csv(path, index=False)
    else:
        geom = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
        gpd.GeoDataFrame(out, geometry=geom, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path
