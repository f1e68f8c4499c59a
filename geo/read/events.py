"""Reading an events file back (``geo aggregate``): the JSON Lines, CSV or GeoJSON that
``geo extract`` / :func:`geo.events.write_events` wrote, or a folder of GeoParquet parts
(``geo extract --out events/``, with or without ``--dask``), as an events frame.

A folder is read with dask.dataframe: its parts are partitions, read lazily and in
parallel (:func:`events_dataframe` gives the lazy frame itself); what is computed from
them is the frame one process would have held."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import AggregationError
from .reports import PathLike

__all__ = ["read_events", "events_dataframe", "event_parts", "SHARDS_FILE", "SHARD_FILE"]

#: the plan of a ``geo extract --dask`` run, written into its folder before any shard
SHARDS_FILE = "_shards.json"
#: what one finished shard read and wrote, in the shard's folder
SHARD_FILE = "_shard.json"


def read_events(path: PathLike) -> pd.DataFrame:
    """Read events written by ``geo extract`` / ``write_events`` (.jsonl, .csv, .geojson),
    or a folder of GeoParquet parts (a GeoDataFrame, EPSG:4326; see :func:`event_parts`).

    JSON-encoded cells of a CSV (``agencies``, ``evidence``) are decoded back to lists and
    dicts. Raises :class:`~geo.errors.AggregationError` naming the file when it cannot be
    read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        return _read_parts(path)
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
            frame = pd.read_csv(path, dtype={"doc": str, "admin1": str, "admin2": str, "country": str,
                                             "date": str, "cluster": str, "duplicate_of": str,
                                             "title": str, "origin": str,
                                             "transit": str, "destination": str,
                                             "route": str}, keep_default_na=False,
                                na_values=[""])
            for col in ("agencies", "evidence", "flags"):
                if col in frame:
                    frame[col] = frame[col].map(_maybe_json)
        elif suffix == ".parquet":  # one part of a folder
            frame = _decoded(pd.read_parquet(path))
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


def event_parts(folder: PathLike) -> list[Path]:
    """The GeoParquet parts of an events folder, in event order.

    A ``geo extract`` run without dask writes ``part-00000.parquet``, ... into the
    folder; a ``--dask`` run one folder per shard of input files (``shard-00000-<key>/``,
    each with its parts), and its plan (``_shards.json``), so that a folder where some
    shard is missing (a run that stopped) is refused rather than read as if whole.

    :raises AggregationError: the folder is no events folder, or a run left it
        incomplete (naming the shards missing).
    """
    folder = Path(folder)
    plan = folder / SHARDS_FILE
    if plan.exists():
        try:
            names = [s["name"] for s in json.loads(plan.read_text(encoding="utf-8"))["shards"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AggregationError(f"{plan}: not a readable shard plan ({exc})") from None
        missing = [n for n in names if not (folder / n / SHARD_FILE).exists()]
        if missing:
            raise AggregationError(
                f"{folder}: {len(missing)} of {len(names)} shard(s) not written yet "
                f"({', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}): the "
                f"geo extract --dask run stopped; run it again to finish them")
        parts = [p for n in names for p in sorted((folder / n).glob("part-*.parquet"))]
    else:
        parts = sorted(folder.glob("part-*.parquet"))
        if not parts and any(p for p in folder.iterdir() if not p.name.startswith(".")):
            raise AggregationError(f"{folder}: no events parts (part-*.parquet) in this "
                                   "folder; give an events file or the folder geo extract "
                                   "wrote")
    return parts


def events_dataframe(folder: PathLike, columns: list[str] | None = None) -> Any:
    """The events of a folder of GeoParquet parts as a lazy ``dask.dataframe`` (one
    partition per part; ``geometry`` as WKB bytes), or None when it holds no part.

    :raises AggregationError: as :func:`event_parts`, or when dask is not installed.
    """
    parts = event_parts(folder)
    if not parts:
        return None
    try:
        import dask.dataframe as dd
    except ImportError:
        raise AggregationError(f"{folder}: reading a folder of parts needs dask: "
                               "pip install 'seizure-atlas[dask]'") from None
    try:
        return dd.read_parquet([str(p) for p in parts], columns=columns)
    except (OSError, ValueError) as exc:
        raise AggregationError(f"{folder}: cannot read its parts: {exc}") from None


def _read_parts(folder: Path) -> pd.DataFrame:
    from ..events import events_to_frame

    frame = events_dataframe(folder)
    if frame is None:
        return events_to_frame([])
    try:
        frame = frame.compute()
    except (OSError, ValueError) as exc:
        raise AggregationError(f"{folder}: cannot read its parts: {exc}") from None
    return _decoded(frame)


def _decoded(frame: pd.DataFrame) -> pd.DataFrame:
    """Parts as read (Arrow text, JSON text, WKB) -> the events frame."""
    import geopandas as gpd

    frame = pd.DataFrame(frame).reset_index(drop=True)
    # the frame geo.extract gives: plain text columns, lists and evidence decoded
    for col in frame.columns:
        # dask reads text as Arrow strings; the events frame has Python strings and None
        if col != "geometry" and frame[col].dtype != object and (
                pd.api.types.is_string_dtype(frame[col].dtype)):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    for col in ("agencies", "evidence", "flags"):
        if col in frame:
            frame[col] = frame[col].map(_maybe_json)
    for col in ("count", "labs_destroyed", "arrests"):
        if col in frame:
            frame[col] = frame[col].astype("Int64")
    geometry = gpd.GeoSeries.from_wkb(frame.pop("geometry").to_numpy(), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
