"""The whole job in one call: reports and seizure tables -> events -> regions -> map.

``run(paths, out_dir)`` reads every input, extracts and geocodes the seizure events,
sums them per region and writes five files into ``out_dir``::

    index.html       the choropleth (self-contained, opens offline)
    events.geojson   one point feature per event
    events.csv       the same events as a table
    regions.csv      one row per region with the per-substance figures
    eradication.csv  the areas of drug crops destroyed (never seizures), one per row

and returns a :class:`Summary` of what was read, skipped, found, located and unlocated.

The outputs are written atomically and reproducibly (:mod:`geo.output`); the
:class:`~geo.summary.Summary` is built in :mod:`geo.summary`.

The steps' modules are imported inside the functions: ``geo geocode`` should not pay for
folium, and each step's module is owned and loaded on its own.
"""
from __future__ import annotations

import contextlib
import itertools
import logging
import math
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import pandas as pd

from .events import write_eradications, write_events
from .output import OUTPUT_FILES, regions_table, save_map, write_csv
from .read.folders import walk
from .read.reports import PathLike, ReportSet, Skipped
from .summary import Summary, event_totals, set_aside, top_regions, unlocated_reasons

log = logging.getLogger(__name__)


#: Suffixes always read as structured seizure tables (reports never come as spreadsheets).
TABLE_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods"}


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
            # walked without holding its files (geo.read.folders): the folder stays one
            # input unless it holds a table
            found = [f for f, hidden in walk(p)
                     if not hidden and f.suffix.lower() in table_suffixes]
            table_files.extend(found)
            if found:
                # read the folder's other files as reports, one by one (the reader lists
                # those it cannot read, images and unsupported types included)
                reports.extend(f for f, hidden in walk(p)
                               if not hidden and f.suffix.lower() not in table_suffixes)
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
def sort_events(events: pd.DataFrame, order: dict[str, int] | None = None) -> pd.DataFrame:
    """Events in a stable order: by report, then position of the evidence in the report,
    then substance and quantity; the index is reset.

    :param order: report id -> its place in the run; without it reports are ordered by
        their ids (as text).
    """
    if events.empty:
        return events.reset_index(drop=True)

    def start(ev: Any) -> int:
        if isinstance(ev, dict):
            v = ev.get("start")
            return int(v) if isinstance(v, (int, float)) and not math.isnan(v) else -1
        return -1

    key = pd.DataFrame({
        "doc": (events["doc"].astype(str) if order is None
                else events["doc"].astype(str).map(order).fillna(-1))
        if "doc" in events else "",
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
    # the second level is the default set's: it means nothing next to the user's regions
    for col in ("admin2", "admin2_name"):
        events[col] = None
    if "parent" in boundaries.columns:
        # a set of second-level units: the unit is admin2, its parent the admin1
        parent = dict(zip(boundaries["code"], boundaries["parent"]))
        events.loc[placed, "country"] = located["country"].values
        events.loc[placed, "admin2"] = located["admin1"].values
        events.loc[placed, "admin2_name"] = located["admin1_name"].values
        events.loc[placed, "admin1"] = [parent.get(c) if c is not None else None
                                        for c in located["admin1"].values]
        events.loc[placed, "admin1_name"] = None
        return events
    for col in ("country", "admin1", "admin1_name"):
        if col in located:
            events.loc[placed, col] = located[col].values
    return events


def empty_events() -> pd.DataFrame:
    """An events frame with no rows and the schema's columns."""
    from .events import events_to_frame

    return events_to_frame([])


def add_titles(events: pd.DataFrame, reports: Iterable[Any]) -> pd.DataFrame:
    """``events`` with ``title`` set to the headline of the report each event came from
    (``Report.title``; a title the event already has is kept).

    The map's popups are titled by it. Filled here, where the reports and their events
    meet, so that one process or several give the same events.
    """
    return _fill_titles(events, {str(r.id): r.title for r in reports
                                 if getattr(r, "title", None)})


def _fill_titles(events: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    if not len(events):
        return events
    have = events["title"] if "title" in events.columns else pd.Series(None, index=events.index, dtype=object)
    filled = events["doc"].astype(str).map(titles)
    events = events.copy()
    events["title"] = have.where(have.notna() & (have.astype(str) != ""), filled)
    return events


# --------------------------------------------------------------------------------------
# The job
# --------------------------------------------------------------------------------------
#: reports extracted together before their events are placed, titled, sorted and written:
#: enough that the per-call cost of the admin-2 join and of the writer is small, few
#: enough that memory does not depend on the size of the run
_BATCH = 256


def _reports_of(reports: Any, places: Any, skipped: list[Skipped] | None = None, *,
                in_workers: bool = False, **options: Any) -> Iterator[Any]:
    """The reports of what :func:`geo.extract` accepts (a report, reports, a path or
    paths), one at a time: paths are read file by file.

    ``in_workers``: the reports go to worker processes, which find the datelines'
    countries of the files read here themselves (:class:`geo.read.reports.Unplaced`):
    done here, it was a third of this process's serial work per report, and the worker
    read the same text's places again."""
    from .errors import ExtractionError
    from .read.reports import Unplaced, iter_reports

    def read(paths: list[Any]) -> Iterator[Any]:
        if not in_workers:
            yield from iter_reports(paths, places=places, skipped=skipped, **options)
            return
        for r in iter_reports(paths, places=None, skipped=skipped, **options):
            yield Unplaced(r)

    if isinstance(reports, (str, os.PathLike)):
        yield from read([reports])
        return
    if hasattr(reports, "text") and hasattr(reports, "id"):
        yield reports
        return
    if isinstance(reports, bytes) or not isinstance(reports, Iterable):
        raise ExtractionError(f"extract expects a Report, Reports or a path, got {type(reports).__name__}")
    if skipped is not None:
        skipped.extend(getattr(reports, "skipped", None) or [])
    items = iter(reports)
    first = next(items, None)
    if first is None:
        return
    if isinstance(first, (str, os.PathLike)):
        paths = [first, *items]
        if not all(isinstance(r, (str, os.PathLike)) for r in paths):
            raise ExtractionError("extract expects reports or paths, not a mix of them")
        yield from read(paths)
        return
    for n, r in enumerate(itertools.chain([first], items)):
        if not (hasattr(r, "text") and hasattr(r, "id")):
            raise ExtractionError(f"item {n} is not a report ({type(r).__name__})")
        yield r


def _jobs(jobs: int | None) -> int:
    from .errors import ExtractionError
    from .extraction.parallel import available_cores

    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0):
        raise ExtractionError(f"jobs must be a whole number >= 0, got {jobs!r}")
    cores = available_cores()
    # more processes than cores only adds start-up and memory
    return min(jobs or cores, cores)


def _event_parts(reports: Iterable[Any], ctx: Any, jobs: int, bar: Any = None,
                 client: Any = None, eradications: list[dict] | None = None,
                 ) -> Iterator[tuple[pd.DataFrame, list[tuple[str, Any]]]]:
    """(events frame, [(report id, title)]) of each batch of ``reports``, in order: the
    frame as :func:`geo.extract` makes it for those reports (admin-2 joined). With a
    dask ``client`` the chunks are extracted on its workers, else with ``jobs``
    processes. ``eradications``, when given, receives the reports' eradication records
    (dicts, in report order)."""
    from .events import event_row, events_to_frame
    from .extraction.core import ExtractionContext, _extract_into
    from .extraction.parallel import _CHUNK, extract_parallel
    from .places.locate import add_admin2

    def part(rows: list[tuple], seen: list[tuple[str, Any]]):
        frame = events_to_frame(rows)
        return (add_admin2(frame) if len(frame) else frame), seen

    meta: deque[tuple[str, Any]] = deque()

    def noted(rs: Iterable[Any]) -> Iterator[Any]:
        for r in rs:
            meta.append((str(r.id), getattr(r, "title", None)))
            yield r

    rows: list[tuple] = []
    seen: list[tuple[str, Any]] = []
    if client is not None or jobs > 1:
        if client is not None:
            from .extraction.cluster import extract_on_cluster

            chunks = extract_on_cluster(noted(reports), ctx, client, bar,
                                        extract_one=_extract_into,
                                        new_context=ExtractionContext, chunk=_CHUNK)
        else:
            chunks = extract_parallel(noted(reports), ctx, jobs, bar,
                                      extract_one=_extract_into, new_context=ExtractionContext)
        for chunk_rows, not_events in chunks:
            rows.extend(chunk_rows)
            _keep_eradications(not_events, eradications)
            # the workers answer chunk by chunk, in order: the chunk's reports are the
            # first _CHUNK noted (fewer for the last)
            seen.extend(meta.popleft() for _ in range(min(_CHUNK, len(meta))))
            if len(seen) >= _BATCH:
                yield part(rows, seen)
                rows, seen = [], []
    else:
        ctx.load()
        for r in noted(reports):
            not_events: list[dict] = []
            rows.extend(event_row(ev) for ev in _extract_into(r, ctx, not_events))
            _keep_eradications(not_events, eradications)
            seen.append(meta.popleft())
            if bar is not None:
                bar.update(1)
            if len(seen) >= _BATCH:
                yield part(rows, seen)
                rows, seen = [], []
    if seen:
        yield part(rows, seen)


def _keep_eradications(not_events: list[dict], sink: list[dict] | None) -> None:
    # the extractor hands each eradication record over with the figures it did not record
    if sink is not None:
        sink.extend(n["eradication"] for n in not_events if "eradication" in n)


def eradication_frame(records: Iterable[Any], boundaries: Any = None) -> pd.DataFrame:
    """The eradication records as a GeoDataFrame (:func:`geo.events.eradications_to_frame`)
    with ``admin2`` joined from their points and, given ``boundaries``, relocated to them
    as events are (:func:`relocate`); in report order."""
    from .events import eradications_to_frame
    from .places.locate import add_admin2

    frame = eradications_to_frame(records)
    if len(frame):
        frame = add_admin2(frame)
        if boundaries is not None:
            frame = relocate(frame, boundaries)
    return frame


def eradications(source: Any, *, geocoder: Any = None, places: Any = None,
                 jobs: int | None = 1) -> pd.DataFrame:
    """Eradication records (areas of opium poppy, coca or cannabis a report says were
    destroyed): never seizures, so :func:`geo.extract` leaves them out of its events and
    keeps them with the figures it did not record.

    :param source: an events frame of :func:`geo.extract` (its ``attrs["not_events"]``
        carry the records: nothing is read again), or what ``geo.extract`` takes (a
        report, reports, a path), which is extracted first.
    :param geocoder, places, jobs: as for :func:`geo.extract`, when ``source`` is reports.
    :returns: a GeoDataFrame (EPSG:4326), one row per record, columns
        :data:`geo.events.ERADICATION_FIELDS` (``hectares`` through pint; ``counted`` False
        for a period total or a part of a figure told before) and a point geometry.
    :raises ExtractionError: for a frame that did not come from ``geo.extract`` (it has
        no ``attrs["not_events"]``) or input that is not reports.
    """
    from .errors import ExtractionError

    if isinstance(source, pd.DataFrame):
        if "not_events" not in source.attrs:
            raise ExtractionError(
                "eradications(frame): the frame has no attrs['not_events'] (give the frame "
                "geo.extract returned, before filtering or concatenating it, or the reports)")
        entries = source.attrs["not_events"]
    else:
        from .extraction.core import extract

        entries = extract(source, geocoder=geocoder, places=places, jobs=jobs).attrs["not_events"]
    records: list[dict] = []
    _keep_eradications(list(entries), records)
    return eradication_frame(records)


def iter_events(reports: Any, *, geocoder: Any = None, places: Any = None,
                jobs: int | None = 1, progress: bool = False,
                scheduler: Any = None) -> Iterator[dict[str, Any]]:
    """The events of :func:`geo.extract`, one plain dict at a time, as the reports are read
    and extracted: memory holds one batch of reports, not the run.

    Each dict has the keys of ``extract()``'s columns but ``geometry`` (``lat``/``lon``
    give the point) with plain Python values (``None`` where the frame has NaN or NA):
    the rows of ``geo.extract(r)``, in the same order
    (:func:`geo.events.events_to_frame` makes a frame of them again). The figures read but not recorded (``extract()``'s
    ``attrs["not_events"]``) are not given. Errors in the input are raised when the
    iteration reaches them.

    :param reports: a :class:`~geo.read.reports.Report`, an iterable of them (a generator
        too, consumed as it goes), or a path or paths (read file by file).
    :param geocoder: any geopy-style geocoder (default: the offline one).
    :param places: the run's :class:`~geo.places.context.PlaceContext`, instead of
        ``geocoder``.
    :param jobs: worker processes, as for :func:`geo.extract` (same events, same order).
    :param progress: show a tqdm progress bar (reports extracted).
    :param scheduler: extract on a dask cluster, as for :func:`geo.extract` (same events,
        same order): ``"local"``, a scheduler address or a ``distributed.Client``.
    :raises ExtractionError: for input that is not reports, a negative ``jobs``, or
        ``jobs`` > 1 with an online geocoder.
    :raises ClusterError: with ``scheduler``, as for :func:`geo.extract`.
    """
    from .errors import ExtractionError
    from .events import _clean
    from .extraction.core import ExtractionContext

    if places is not None and geocoder is not None:
        raise ExtractionError("give either geocoder= or places=, not both")
    jobs = _jobs(jobs)
    ctx = ExtractionContext(geocoder, places=places)
    bar = _bar(progress)
    with contextlib.ExitStack() as stack:
        client = None
        if scheduler is not None:
            from .extraction.cluster import connect

            client = stack.enter_context(connect(scheduler))
        if bar is not None:
            stack.callback(bar.close)
        items = _reports_of(reports, ctx.places, in_workers=jobs > 1 or client is not None)
        for frame, _ in _event_parts(items, ctx, jobs, bar, client):
            cols = [c for c in frame.columns if c != "geometry"]
            for rec in pd.DataFrame(frame[cols]).to_dict(orient="records"):
                yield {k: _clean(v) for k, v in rec.items()}


def _bar(progress: bool) -> Any:
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(desc="extract", unit="report")


def report_frames(reports: Iterable[Any], ctx: Any, jobs: int = 1, *, boundaries: Any = None,
                  bar: Any = None,
                  eradications: list[dict] | None = None) -> Iterator[pd.DataFrame]:
    """The events of ``reports`` in batches, in report order, as the events files hold
    them: each batch titled, relocated to ``boundaries`` when given, sorted within each
    report (:func:`sort_events`); batches without events are left out.

    :param ctx: the run's :class:`~geo.extraction.core.ExtractionContext`.
    :param jobs: processes (1: this one).
    :param eradications: when given, receives the reports' eradication records.
    """
    for frame, seen in _event_parts(reports, ctx, jobs, bar, eradications=eradications):
        if not len(frame):
            continue
        frame = _fill_titles(frame, {d: t for d, t in seen if t})
        if boundaries is not None:
            frame = relocate(frame, boundaries)
        order: dict[str, int] = {}
        for d, _ in seen:
            order.setdefault(d, len(order))
        yield sort_events(frame, order)


def _extraction(paths: PathLike | Sequence[PathLike], summary: Summary, *,
                geocoder: Any = None, boundaries: Any = None, tables: Sequence[PathLike] = (),
                table_columns: TableColumns | None = None,
                report_options: dict[str, Any] | None = None, progress: bool = False,
                jobs: int | None = 1,
                eradications: list[dict] | None = None) -> Iterator[pd.DataFrame]:
    """The run's events part by part: the reports' in batches, in report order (each
    batch titled, relocated to ``boundaries`` when given, sorted within each report),
    then each seizure table's (relocated, sorted). ``summary`` gets what was read and
    skipped as the parts come (its event counts are the caller's); ``eradications``, when
    given, the reports' eradication records."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    report_paths, table_paths = split_inputs(paths, tables, table_columns)
    # one place context for the run: the geocoder the user chose is the one every step asks
    from .extraction.core import ExtractionContext
    from .places.context import PlaceContext, default_context

    places = default_context() if geocoder is None else PlaceContext(geocoder)
    if report_paths:
        jobs = _jobs(jobs)
        ctx = ExtractionContext(places=places)

        def counted(rs: Iterable[Any]) -> Iterator[Any]:
            for r in rs:
                summary.reports_read += 1
                yield r

        reports = counted(_reports_of(report_paths, places, summary.skipped,
                                      in_workers=jobs > 1, progress=progress,
                                      **(report_options or {})))
        bar = _bar(progress)
        try:
            yield from report_frames(reports, ctx, jobs, boundaries=boundaries, bar=bar,
                                     eradications=eradications)
        finally:
            if bar is not None:
                bar.close()
    for table in table_paths:
        from .errors import SeizureTableError

        try:
            frame = read_seizures(table, places=places,
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
        frame.attrs = {}  # pandas compares attrs on concat; they hold skips, not data
        if not len(frame):
            continue
        if boundaries is not None:
            frame = relocate(frame, boundaries)
        yield sort_events(frame)
    summary.degraded.extend(places.problems())


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
    eradications: list[dict] | None = None,
) -> tuple[pd.DataFrame, Summary]:
    """Read every input and extract its events (sorted, relocated to ``boundaries`` when
    given); the summary holds what was read and skipped, and the event counts. ``jobs``:
    processes extracting the reports (see :func:`geo.extract`); ``eradications``, when
    given, receives the reports' eradication records (dicts, for :func:`eradication_frame`).

    The events are held whole (the map and the aggregates need them all);
    :func:`stream_events` writes them as they come instead."""
    summary = Summary()
    frames = list(_extraction(paths, summary, geocoder=geocoder, boundaries=boundaries,
                              tables=tables, table_columns=table_columns,
                              report_options=report_options, progress=progress, jobs=jobs,
                              eradications=eradications))
    if frames:
        import geopandas as gpd

        events = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    else:
        events = empty_events()
    events = sort_events(events)
    summary.events = len(events)
    if len(events):
        located = events["admin1"].notna() & (events["admin1"].astype(str) != "")
        summary.located = int(located.sum())
        summary.unlocated = int((~located).sum())
    summary.totals, summary.labs_destroyed = event_totals(events)
    summary.set_aside = set_aside(events)
    return events, summary


def stream_events(
    paths: PathLike | Sequence[PathLike],
    out: PathLike,
    *,
    geocoder: Any = None,
    boundaries: Any = None,
    tables: Sequence[PathLike] = (),
    table_columns: TableColumns | None = None,
    report_options: dict[str, Any] | None = None,
    progress: bool = False,
    jobs: int | None = 1,
    parts: bool | None = None,
    eradications: list[dict] | None = None,
) -> Summary:
    """Read every input, extract its events and write them to ``out`` as they come
    (``.jsonl``/``.csv``, or a folder of GeoParquet parts with ``parts``; ``.geojson``
    is written whole at the end, see :func:`geo.events.events_writer`): memory holds a
    batch of reports (a part's events), not the run.

    The events are in report order (the reader's: sorted paths, then file order), each
    report's sorted as :func:`sort_events` sorts them, then each table's rows. That is
    :func:`extract_events`' order, and the file is byte for byte what writing its frame
    gives, whenever the report ids sort as the reports are read (files named in order)
    and the tables' ids after the reports'; otherwise only the order differs.

    ``out`` is written in place: stage it (:class:`geo.staging.Staging`) to keep a
    previous file until the run succeeds. The summary is :func:`extract_events`'.
    ``eradications``, when given, receives the eradication records (few: they are kept).
    """
    from .events import events_writer
    from .summary import add_totals, finish_totals

    summary = Summary()
    totals: dict[str, dict[str, Any]] = {}
    labs = 0
    with events_writer(out, parts=parts) as write:
        for frame in _extraction(paths, summary, geocoder=geocoder, boundaries=boundaries,
                                 tables=tables, table_columns=table_columns,
                                 report_options=report_options, progress=progress, jobs=jobs,
                                 eradications=eradications):
            write(frame)
            summary.events += len(frame)
            located = frame["admin1"].notna() & (frame["admin1"].astype(str) != "")
            summary.located += int(located.sum())
            summary.unlocated += int((~located).sum())
            summary.set_aside.extend(set_aside(frame))
            # event_totals' sums, kept running over the parts (the same floats)
            labs += add_totals(totals, frame)
    summary.totals = finish_totals(totals)
    summary.labs_destroyed = labs
    return summary


def read_reports(paths: PathLike | Sequence[PathLike], *, places: Any = None,
                 resolve_places: bool = True, **options: Any) -> ReportSet:
    """Read reports from files and folders (text, Markdown, HTML, JSON Lines, JSON, CSV),
    each dateline's country found with the run's places.

    The options are those of :func:`geo.read.reports.read_reports` (``text_column``,
    ``id_column``, ``date_column``, ``url_column``, ``title_column``, ``years``).

    :param places: the run's :class:`~geo.places.context.PlaceContext` (default the
        process's, with the offline geocoder).
    :param resolve_places: ``False`` leaves dateline countries empty (no gazetteer needed).
    :returns: the reports, with ``.skipped`` listing what could not be read and why.
    """
    from .read import reports as _reports

    if resolve_places and places is None:
        from .places.context import default_context

        places = default_context()
    return _reports.read_reports(paths, places=places if resolve_places else None, **options)


def read_seizures(path: PathLike, *, geocoder: Any = None, places: Any = None,
                  **columns: Any) -> Any:
    """Read a structured seizure table as located events (GeoDataFrame, EPSG:4326).

    The columns are named as in :func:`geo.read.tables.read_seizures` (``place``,
    ``quantity``, ``unit``, ``substance``, ``country``, ``date``, ``id``, ``text``,
    ``sheet``); each distinct place is geocoded once with the row's country as a hint.

    :param geocoder: any geopy-style geocoder (default: the offline one).
    :param places: the run's :class:`~geo.places.context.PlaceContext`, instead of
        ``geocoder``.
    :raises SeizureTableError: when the file cannot be read or a named column is missing.
    """
    from .places.context import PlaceContext, default_context
    from .places.rows import RowGeocoder
    from .read import tables

    if places is None:
        places = default_context() if geocoder is None else PlaceContext(geocoder)
    elif geocoder is not None:
        from .errors import GeocodingError

        raise GeocodingError("give either geocoder= or places=, not both")
    places.load()
    from .places.locate import add_admin2

    frame = tables.read_seizures(path, places=RowGeocoder(places.geocoder, places.gazetteer),
                                 **columns)
    attrs = dict(frame.attrs)
    frame = add_admin2(frame)
    frame.attrs = attrs
    return frame


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
    map_options: dict | None = None,
    progress: bool | None = None,
    jobs: int | None = 1,
    level: int = 1,
    dedup: bool = True,
) -> Summary:
    """Run the whole job and write ``index.html``, ``events.geojson``, ``events.csv``,
    ``regions.csv`` and ``eradication.csv`` (the areas of drug crops destroyed, see
    :func:`eradications`) into ``out_dir``.

    Parameters
    ----------
    paths:
        Report files/folders (txt, md, html, jsonl, json, csv) and seizure tables
        (xlsx; csv/json too when ``table_columns`` are given).
    out_dir:
        Output folder (created). The five files are written into a staging folder beside
        it and moved in together at the end, under a lock (``.<name>.lock`` beside it).
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
    map_options:
        More options for the map: ``title``, ``view`` ("auto", "symbols", "choropleth"),
        ``png`` (a path: also a static picture, needs matplotlib).
    jobs:
        Processes extracting the reports (``None`` or 0: every core); the events are the
        same as with one. Needs the offline geocoder.
    level:
        1 (first-level regions) or 2 (the units below them: departments, provinces) for
        the regions and the map; ``boundaries`` must then be of that level.
    dedup:
        Count a seizure several reports tell once (:func:`geo.dedup.deduplicate`): the
        events files keep every event with ``cluster``/``duplicate_of``/``cluster_sources``,
        the regions and the summary's totals count each seizure once. ``False``: the
        figures of every report are added up.

    Returns
    -------
    Summary (``exit_code`` 1 when some input was skipped or a step degraded).

    Raises
    ------
    OutputError
        before any work, when ``out_dir`` is, holds or lies inside an input, is a file,
        cannot be written, or another run holds its lock (:class:`~geo.errors.OutputLockedError`).
    NothingUsableError
        when no input could be read; ``out_dir`` is then left as it was.
    """
    from .aggregates import aggregate
    from .staging import OutputLock, Staging
    from .targets import check_output

    if boundaries is not None and level == 2:
        from .places.boundaries import require_level
        require_level(boundaries, 2)  # before the work, not after
    out = Path(out_dir)
    inputs = ([paths] if isinstance(paths, (str, Path)) else list(paths)) + list(tables)
    check_output(out, inputs, folder=True, option="out_dir")  # before the work
    show = (not quiet) if progress is None else progress
    with OutputLock([out]):
        records: list[dict] = []
        with _step("read and extract"):
            events, summary = extract_events(paths, geocoder=geocoder, boundaries=boundaries,
                                             tables=tables, table_columns=table_columns,
                                             report_options=report_options, progress=show,
                                             jobs=jobs, eradications=records)
            erad = eradication_frame(records, boundaries)
        require_usable(summary, out)
        summary.add_eradications(erad)
        if dedup:
            from .dedup import deduplicate, merged_summary

            with _step("deduplicate"):
                events = deduplicate(events)
            merged = merged_summary(events)
            summary.duplicates = merged["duplicates"]
            summary.merged_seizures = merged["seizures"]
            if summary.duplicates:
                counted = events["duplicate_of"].isna()
                summary.totals, summary.labs_destroyed = event_totals(events[counted])
        with _step("aggregate"):
            regions = aggregate(events, boundaries, level=level, dedup=dedup, eradications=erad)
        summary.regions = len(regions)
        summary.top_regions = top_regions(regions)
        summary.unlocated_by = unlocated_reasons(regions)

        # every file into a staging folder beside out, moved in together at the end: the
        # map, events and regions in out are always from one run
        with Staging.folder(out) as stage:
            with _step("write events"):
                write_events(events, stage.path(out / "events.geojson"))
                write_events(events, stage.path(out / "events.csv"))
                write_csv(regions_table(regions), stage.path(out / "regions.csv"))
                write_eradications(erad, stage.path(out / "eradication.csv"))
            with _step("render map"):
                save_map(regions, events, stage.path(out / "index.html"),
                         boundaries=boundaries, substance=substance, **(map_options or {}))
            written = stage.commit()
    # in OUTPUT_FILES order, as the summary has always listed them
    summary.outputs = {name: str(out / name) for name in OUTPUT_FILES
                       if out / name in written}
    return summary


def require_usable(summary: Summary, out: PathLike) -> None:
    """Raise :class:`~geo.errors.NothingUsableError` when no input could be read: writing
    empty outputs would replace the previous run's good ones with nothing."""
    if summary.reports_read or summary.table_rows_read:
        return
    from .errors import NothingUsableError

    why = f"{len(summary.skipped)} input(s) skipped" if summary.skipped else "no input to read"
    raise NothingUsableError(f"nothing written: no report or table row could be read "
                             f"({why}); {out} is as it was", summary=summary)


@contextlib.contextmanager
def _step(name: str) -> Iterator[None]:
    # step timings for `geo -v`; cheap enough to keep always
    import time

    t0 = time.perf_counter()
    yield
    log.info("%s: %.2f s", name, time.perf_counter() - t0)
