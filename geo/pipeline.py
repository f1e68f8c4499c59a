"""The whole job in one call: reports and seizure tables -> events -> regions -> map.

``run(paths, out_dir)`` reads every input, extracts and geocodes the seizure events,
sums them per region and writes four files into ``out_dir``::

    index.html       the choropleth (self-contained, opens offline)
    events.geojson   one point feature per event
    events.csv       the same events as a table
    regions.csv      one row per region with the per-substance figures

and returns a :class:`Summary` of what was read, skipped, found, located and unlocated.

Two promises the CLI makes rest on this module:

* every output is written to a temporary file in ``out_dir`` and moved into place with
  ``os.replace``, so an interrupted run leaves the previous file or none, never half a map;
* re-running on the same input gives byte-identical files: events are sorted by report and
  position, no timestamps are written, and the map's element ids (random in branca) are
  numbered in creation order while the map is built.

The steps' modules are imported inside the functions: ``geo geocode`` should not pay for
folium, and each step's module is owned and loaded on its own.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import logging
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import pandas as pd

from .read.reports import PathLike, ReportSet, Skipped, read_reports

log = logging.getLogger(__name__)

OUTPUT_FILES = ("index.html", "events.geojson", "events.csv", "regions.csv")

#: Suffixes always read as structured seizure tables (reports never come as spreadsheets).
TABLE_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods"}


# --------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------
@dataclass
class Summary:
    """What a run read, skipped, found and wrote.

    ``totals`` maps each substance to ``{"events", "kg", "count"}`` (plus ``"volumes"``:
    ``{unit: quantity}`` for figures given in litres or gallons); ``labs_destroyed`` is
    the number of labs over all lab events. ``exit_code`` is 0 when nothing was skipped,
    1 when some input was.
    """

    reports_read: int = 0
    table_rows_read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    events: int = 0
    located: int = 0
    unlocated: int = 0
    labs_destroyed: int = 0
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)
    regions: int | None = None  # None: not aggregated (geo extract)
    top_regions: list[dict[str, Any]] = field(default_factory=list)
    unlocated_by: list[dict[str, Any]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.skipped else 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's ``--json`` output)."""
        return {
            "reports_read": self.reports_read,
            "table_rows_read": self.table_rows_read,
            "skipped": [{"path": s.path, "line": s.line, "reason": s.reason}
                        for s in self.skipped],
            "events": self.events,
            "located": self.located,
            "unlocated": self.unlocated,
            "labs_destroyed": self.labs_destroyed,
            "regions": self.regions,
            "top_regions": self.top_regions,
            "unlocated_by": self.unlocated_by,
            "totals": self.totals,
            "outputs": self.outputs,
            "exit_code": self.exit_code,
        }

    def format(self) -> str:
        """The human-readable summary the CLI prints."""
        lines = [f"reports read: {self.reports_read}"]
        if self.table_rows_read:
            lines.append(f"seizure table rows read: {self.table_rows_read}")
        lines.append(f"skipped: {len(self.skipped)}")
        lines.extend(f"  {s}" for s in self.skipped)
        lines.append(f"events found: {self.events} (located {self.located}, "
                     f"unlocated {self.unlocated})")
        for u in self.unlocated_by:
            where = f" ({u['country']})" if u.get("country") else ""
            lines.append(f"  unlocated, {u['reason']}{where}: {u['events']}")
        if self.labs_destroyed:
            lines.append(f"labs destroyed: {self.labs_destroyed}")
        if self.totals:
            lines.append("per substance:")
            width = max(len(s) for s in self.totals)
            for substance, t in self.totals.items():
                parts = [f"{t['events']} event{'s' if t['events'] != 1 else ''}"]
                if t.get("kg"):
                    parts.append(f"{_fmt(t['kg'])} kg")
                if t.get("count"):
                    parts.append(f"{_fmt(t['count'])} units")
                for unit, q in (t.get("volumes") or {}).items():
                    parts.append(f"{_fmt(q)} {unit}")
                lines.append(f"  {substance:<{width}}  " + ", ".join(parts))
        if self.regions is not None:
            lines.append(f"regions with events: {self.regions}")
            for r in self.top_regions:
                kg = f", {_fmt(r['kg_all'])} kg of drugs" if r.get("kg_all") else ""
                n_labs = r.get("labs_destroyed")
                labs = f", {n_labs} lab{'s' if n_labs != 1 else ''}" if n_labs else ""
                lines.append(f"  {r['region']}  {r['name']} ({r['country']}): "
                             f"{r['events']} event{'s' if r['events'] != 1 else ''}{kg}{labs}")
            if self.regions > len(self.top_regions):
                lines.append(f"  ... and {self.regions - len(self.top_regions)} more "
                             "(see regions.csv)")
        if self.outputs:
            lines.append("wrote: " + ", ".join(self.outputs.values()))
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.3f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------------
# Atomic, reproducible writes
# --------------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path for ``path``; when the block ends without error the file
    there replaces ``path`` in one ``os.replace``, else it is removed. Readers never see
    a half-written file.

    The temporary file sits in a private folder inside ``path``'s folder (same file
    system, so the rename is atomic) and has ``path``'s own name, because some writers
    put the file name into the file (GDAL's GeoJSON writer records it as the layer name).
    """
    import shutil

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    tmp_path = tmp_dir / path.name
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def write_text_atomic(path: PathLike, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


@contextlib.contextmanager
def deterministic_element_ids() -> Iterator[None]:
    """Number branca/folium element ids 1, 2, 3 ... while the block runs.

    branca draws each element's id from ``os.urandom``, and the ids appear in the saved
    HTML (``map_<id>``, ``geo_json_<id>``), so the same map would differ byte for byte on
    every run. A counter keeps ids unique within the page and makes the page
    reproducible.
    """
    try:
        from branca.element import Element
    except ImportError:  # no branca, nothing random to tame
        yield
        return
    counter = itertools.count(1)
    original = Element.__dict__.get("_generate_id")
    Element._generate_id = classmethod(lambda cls: f"{next(counter):032x}")
    try:
        yield
    finally:
        if original is not None:
            Element._generate_id = original
        else:
            del Element._generate_id


# --------------------------------------------------------------------------------------
# Reading inputs
# --------------------------------------------------------------------------------------
@dataclass
class TableColumns:
    """Column names of a structured seizure table (see ``geo.read.tables.read_seizures``)."""

    text: str | None = None
    place: str | None = None
    country: str | None = None
    quantity: str | None = None
    unit: str | None = None
    substance: str | None = None
    date: str | None = None
    id: str | None = None

    def given(self) -> bool:
        return any(v for v in vars(self).values())

    def kwargs(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def split_inputs(paths: Iterable[PathLike], tables: Iterable[PathLike] = (),
                 table_columns: TableColumns | None = None) -> tuple[list[Path], list[Path]]:
    """Split inputs into (report paths, seizure-table paths).

    Spreadsheets are always tables; with table column options, CSV/JSON files are tables
    too (a plain CSV with a text column is reports); ``tables`` are tables whatever their
    suffix. Folders are expanded only for the table files they hold.
    """
    cols_given = bool(table_columns and table_columns.given())
    table_suffixes = TABLE_SUFFIXES | ({".csv", ".tsv"} if cols_given else set())
    reports: list[Path] = []
    table_files: list[Path] = [Path(t) for t in tables]
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file()
                           and f.suffix.lower() in table_suffixes
                           and not any(x.startswith(".") for x in f.relative_to(p).parts))
            table_files.extend(found)
            if found:
                # read the folder's other files as reports, one by one
                from .read.reports import SUPPORTED_SUFFIXES

                reports.extend(
                    f for f in sorted(p.rglob("*"))
                    if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                    and f.suffix.lower() not in table_suffixes
                    and not any(x.startswith(".") for x in f.relative_to(p).parts))
            else:
                reports.append(p)
        elif p.suffix.lower() in table_suffixes:
            table_files.append(p)
        else:
            reports.append(p)
    return reports, table_files


def _table_skips(frame: Any, path: Path) -> list[Skipped]:
    out = []
    for s in (getattr(frame, "attrs", {}) or {}).get("skipped", []) or []:
        if isinstance(s, Skipped):
            out.append(s)
        elif isinstance(s, dict):
            out.append(Skipped(str(s.get("path", path)), s.get("line") or s.get("row"),
                               str(s.get("reason", s))))
        elif hasattr(s, "reason"):
            out.append(Skipped(str(getattr(s, "path", path)),
                               getattr(s, "line", None) or getattr(s, "row", None),
                               str(s.reason)))
        else:
            out.append(Skipped(str(path), None, str(s)))
    return out


# --------------------------------------------------------------------------------------
# Events: order, relocation, totals
# --------------------------------------------------------------------------------------
def sort_events(events: pd.DataFrame) -> pd.DataFrame:
    """Events in a stable order: by report, then position of the evidence in the report,
    then substance and quantity; the index is reset."""
    if events.empty:
        return events.reset_index(drop=True)

    def start(ev: Any) -> int:
        if isinstance(ev, dict):
            v = ev.get("start")
            return int(v) if isinstance(v, (int, float)) and not math.isnan(v) else -1
        return -1

    key = pd.DataFrame({
        "doc": events["doc"].astype(str) if "doc" in events else "",
        "start": events["evidence"].map(start) if "evidence" in events else -1,
        "substance": events["substance"].fillna("").astype(str) if "substance" in events else "",
        "kg": pd.to_numeric(events.get("quantity_kg"), errors="coerce").fillna(-1)
        if "quantity_kg" in events else -1,
        "labs": pd.to_numeric(events.get("labs_destroyed"), errors="coerce").fillna(-1)
        if "labs_destroyed" in events else -1,
    }, index=events.index)
    order = key.sort_values(list(key.columns), kind="mergesort").index
    return events.loc[order].reset_index(drop=True)


def relocate(events: pd.DataFrame, boundaries: Any) -> pd.DataFrame:
    """Re-join located events' points to a custom boundary set.

    The geocoders give current ISO 3166-2 codes of the default boundaries; a user's own
    boundary file has its own codes, so each event placed in a region is joined to the
    user's polygons by its point. Events without a region stay unlocated (a country-level
    point must not fall into whichever province holds the country's centroid).
    """
    from .places.locate import locate

    if events.empty or "geometry" not in events:
        return events
    has_point = events.geometry.notna() & ~events.geometry.is_empty
    placed = events["admin1"].notna() & has_point
    if not placed.any():
        return events
    located = locate(events.loc[placed, ["geometry"]].copy(), boundaries)
    events = events.copy()
    for col in ("country", "admin1", "admin1_name"):
        if col in located:
            events.loc[placed, col] = located[col].values
    return events


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def event_totals(events: pd.DataFrame) -> tuple[dict[str, dict[str, Any]], int]:
    """Per-substance totals (events, kg, count, volumes by unit) and labs destroyed."""
    totals: dict[str, dict[str, Any]] = {}
    labs = 0
    for row in events.itertuples(index=False):
        lab = _number(getattr(row, "labs_destroyed", None))
        substance = getattr(row, "substance", None)
        if lab:
            labs += int(lab)
        if not isinstance(substance, str) or not substance:
            continue
        t = totals.setdefault(substance, {"events": 0, "kg": 0.0, "count": 0.0, "volumes": {}})
        t["events"] += 1
        kg, count = _number(getattr(row, "quantity_kg", None)), _number(getattr(row, "count", None))
        if kg is not None:
            t["kg"] += kg
        if count is not None:
            t["count"] += count
        if kg is None and count is None:
            q, unit = _number(getattr(row, "quantity", None)), getattr(row, "unit", None)
            if q is not None and isinstance(unit, str) and unit:
                t["volumes"][unit] = t["volumes"].get(unit, 0.0) + q
    for t in totals.values():
        t["kg"] = round(t["kg"], 6)
        t["count"] = round(t["count"], 6)
    order = _substance_order(totals)
    return {s: totals[s] for s in order}, labs


def _substance_order(names: Iterable[str]) -> list[str]:
    from .aggregates import SUBSTANCES

    rank = {s: i for i, s in enumerate(SUBSTANCES)}
    return sorted(names, key=lambda s: (rank.get(s, len(rank)), s))


def empty_events() -> pd.DataFrame:
    """An events frame with no rows and the schema's columns."""
    from .events import events_to_frame

    return events_to_frame([])


def top_regions(regions: pd.DataFrame, n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` regions with the most events (then kg), as plain dicts for the summary."""
    if regions is None or not len(regions):
        return []
    cols = [c for c in ("region", "name", "country", "events", "kg_all", "labs_destroyed")
            if c in regions]
    table = pd.DataFrame(regions[cols]).copy()
    table["_kg"] = pd.to_numeric(table.get("kg_all"), errors="coerce").fillna(0)
    table = table.sort_values(["events", "_kg", "region"], ascending=[False, False, True],
                              kind="mergesort").head(n)
    out = []
    for row in table.to_dict(orient="records"):
        kg, labs = _number(row.get("kg_all")), _number(row.get("labs_destroyed"))
        out.append({"region": row.get("region"), "name": row.get("name"),
                    "country": row.get("country"), "events": int(row.get("events") or 0),
                    "kg_all": round(kg, 6) if kg is not None else None,
                    "labs_destroyed": int(labs) if labs is not None else None})
    return out


def unlocated_reasons(regions: pd.DataFrame) -> list[dict[str, Any]]:
    """Why events are unlocated (``aggregate``'s ``attrs["unlocated"]``): reason, country
    and number of events."""
    un = (getattr(regions, "attrs", {}) or {}).get("unlocated")
    if un is None or not len(un):
        return []
    out = []
    for row in pd.DataFrame(un).to_dict(orient="records"):
        country = row.get("country")
        out.append({"reason": str(row.get("reason")),
                    "country": country if isinstance(country, str) and country else None,
                    "events": int(_number(row.get("events")) or 0)})
    return sorted(out, key=lambda u: (-u["events"], u["reason"], u["country"] or ""))


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------
def write_events_atomic(events: pd.DataFrame, path: PathLike) -> None:
    """``geo.events.write_events`` into a temporary file, then moved into place."""
    from .events import write_events

    with atomic_path(path) as tmp:
        write_events(events, tmp)


def regions_table(regions: pd.DataFrame) -> pd.DataFrame:
    """The aggregates as a plain table (no geometry; lists joined with ``;``)."""
    table = pd.DataFrame(regions.drop(columns=[c for c in ("geometry",) if c in regions]))
    for col in table.columns:
        if table[col].map(lambda v: isinstance(v, (list, tuple, set))).any():
            table[col] = table[col].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple, set)) else v)
    return table


def write_csv_atomic(frame: pd.DataFrame, path: PathLike) -> None:
    """A frame to CSV (UTF-8, ``\\n``), atomically."""
    write_text_atomic(path, frame.to_csv(index=False, lineterminator="\n"))


def save_map_atomic(regions: Any, events: Any, path: PathLike, *, boundaries: Any = None,
                    substance: str | None = None) -> None:
    """Render the choropleth with reproducible element ids and save it atomically."""
    from .maps.choropleth import choropleth

    with deterministic_element_ids():
        kwargs: dict[str, Any] = {"events": events}
        if boundaries is not None:
            kwargs["boundaries"] = boundaries
        if substance:
            kwargs["substance"] = substance
        m = choropleth(regions, **kwargs)
        with atomic_path(path) as tmp:
            m.save(str(tmp))


# --------------------------------------------------------------------------------------
# The job
# --------------------------------------------------------------------------------------
def extract_events(
    paths: PathLike | Sequence[PathLike],
    *,
    geocoder: Any = None,
    boundaries: Any = None,
    tables: Sequence[PathLike] = (),
    table_columns: TableColumns | None = None,
    report_options: dict[str, Any] | None = None,
    progress: bool = False,
    jobs: int | None = 1,
) -> tuple[pd.DataFrame, Summary]:
    """Read every input and extract its events (sorted, relocated to ``boundaries`` when
    given); the summary holds what was read and skipped, and the event counts. ``jobs``:
    processes extracting the reports (see :func:`geo.extract`)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    report_paths, table_paths = split_inputs(paths, tables, table_columns)
    summary = Summary()
    frames = []
    if report_paths:
        reports: ReportSet = read_reports(report_paths, **(report_options or {}))
        summary.reports_read = len(reports)
        summary.skipped.extend(reports.skipped)
        if len(reports):
            from .extraction.core import extract

            frames.append(extract(list(reports), geocoder=geocoder, progress=progress,
                                  jobs=jobs))
    for table in table_paths:
        from .errors import SeizureTableError
        from .read.tables import read_seizures

        try:
            frame = read_seizures(table, geocoder=geocoder,
                                  **(table_columns.kwargs() if table_columns else {}))
        except (SeizureTableError, OSError) as exc:
            line = getattr(exc, "line", None)
            reason = str(exc)
            prefix = f"{table}:{line}: " if line is not None else f"{table}: "
            reason = reason[len(prefix):] if reason.startswith(prefix) else reason
            summary.skipped.append(Skipped(str(table), line, reason))
            log.warning("skipped %s: %s", table, reason)
            continue
        summary.skipped.extend(_table_skips(frame, table))
        summary.table_rows_read += len(frame)
        frames.append(frame)
    frames = [f for f in frames if len(f)]
    if frames:
        import geopandas as gpd

        for f in frames:
            f.attrs = {}  # pandas compares attrs on concat; they hold skips, not data
        events = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    else:
        events = empty_events()
    if boundaries is not None and len(events):
        events = relocate(events, boundaries)
    events = sort_events(events)
    summary.events = len(events)
    if len(events):
        located = events["admin1"].notna() & (events["admin1"].astype(str) != "")
        summary.located = int(located.sum())
        summary.unlocated = int((~located).sum())
    summary.totals, summary.labs_destroyed = event_totals(events)
    return events, summary


def run(
    paths: PathLike | Sequence[PathLike],
    out_dir: PathLike,
    *,
    boundaries: Any = None,
    geocoder: Any = None,
    quiet: bool = False,
    tables: Sequence[PathLike] = (),
    table_columns: TableColumns | None = None,
    report_options: dict[str, Any] | None = None,
    substance: str | None = None,
    progress: bool | None = None,
    jobs: int | None = 1,
) -> Summary:
    """Run the whole job and write ``index.html``, ``events.geojson``, ``events.csv`` and
    ``regions.csv`` into ``out_dir``.

    Parameters
    ----------
    paths:
        Report files/folders (txt, md, html, jsonl, json, csv) and seizure tables
        (xlsx; csv/json too when ``table_columns`` are given).
    out_dir:
        Output folder (created). Each file is replaced atomically.
    boundaries:
        A boundary GeoDataFrame (``geo.places.boundaries.load``) or None for the default set.
    geocoder:
        Any geopy-style geocoder (default: the offline one).
    quiet:
        No progress bar.
    tables, table_columns:
        Extra seizure-table paths and their column names (``read_seizures`` keywords).
    report_options:
        ``read_reports`` keywords (``text_column``, ``id_column`` ...).
    substance:
        The substance layer shown first on the map.
    jobs:
        Processes extracting the reports (``None`` or 0: every core); the events are the
        same as with one. Needs the offline geocoder.

    Returns
    -------
    Summary (``exit_code`` 1 when some input was skipped).
    """
    from .aggregates import aggregate

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    show = (not quiet) if progress is None else progress
    with _step("read and extract"):
        events, summary = extract_events(paths, geocoder=geocoder, boundaries=boundaries,
                                         tables=tables, table_columns=table_columns,
                                         report_options=report_options, progress=show,
                                         jobs=jobs)
    with _step("aggregate"):
        regions = aggregate(events, boundaries)
    summary.regions = len(regions)
    summary.top_regions = top_regions(regions)
    summary.unlocated_by = unlocated_reasons(regions)

    targets = {name: out / name for name in OUTPUT_FILES}
    with _step("write events"):
        write_events_atomic(events, targets["events.geojson"])
        write_events_atomic(events, targets["events.csv"])
        write_csv_atomic(regions_table(regions), targets["regions.csv"])
    # the map last: a run interrupted before it keeps the previous map whole
    with _step("render map"):
        save_map_atomic(regions, events, targets["index.html"], boundaries=boundaries,
                        substance=substance)
    summary.outputs = {name: str(p) for name, p in targets.items()}
    return summary


@contextlib.contextmanager
def _step(name: str) -> Iterator[None]:
    # step timings for `geo -v`; cheap enough to keep always
    import time

    t0 = time.perf_counter()
    yield
    log.info("%s: %.2f s", name, time.perf_counter() - t0)


# --------------------------------------------------------------------------------------
# Reading an events file back (for ``geo aggregate``)
# --------------------------------------------------------------------------------------
def read_events(path: PathLike) -> pd.DataFrame:
    """Read events written by ``geo extract`` / ``write_events`` (.jsonl, .csv, .geojson).

    JSON-encoded cells of a CSV (``agencies``, ``evidence``) are decoded back to lists and
    dicts. Raises :class:`~geo.errors.AggregationError` naming the file when it cannot be
    read.
    """
    from .errors import AggregationError

    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson"):
            rows = []
            with open(path, encoding="utf-8") as fh:
                for n, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise AggregationError(
                            f"{path}:{n}: not a JSON line ({exc.msg})") from None
            frame = pd.DataFrame(rows)
        elif suffix == ".csv":
            # only empty cells are missing: "NA" is Namibia, not a missing country
            frame = pd.read_csv(path, dtype={"doc": str, "admin1": str, "country": str,
                                             "date": str}, keep_default_na=False,
                                na_values=[""])
            for col in ("agencies", "evidence", "flags"):
                if col in frame:
                    frame[col] = frame[col].map(_maybe_json)
        elif suffix in (".geojson", ".json", ".gpkg"):
            import geopandas as gpd

            frame = gpd.read_file(path)
            for col in ("agencies", "evidence", "flags"):
                if col in frame:
                    frame[col] = frame[col].map(_maybe_json)
        else:
            raise AggregationError(f"{path}: unknown events file type {suffix!r}; "
                                   "use .jsonl, .csv or .geojson")
    except (OSError, ValueError) as exc:
        if isinstance(exc, AggregationError):
            raise
        raise AggregationError(f"{path}: cannot read events: {exc}") from None
    return frame


def _maybe_json(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in "[{":
        try:
            return json.loads(v)
        except json.JSONDecodeError:
            return v
    return v
