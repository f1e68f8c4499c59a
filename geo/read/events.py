"""Reading an events file back (``geo aggregate``): the JSON Lines, CSV or GeoJSON that
``geo extract`` / :func:`geo.events.write_events` wrote, as an events frame."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import AggregationError
from .reports import PathLike

__all__ = ["read_events"]


def read_events(path: PathLike) -> pd.DataFrame:
    """Read events written by ``geo extract`` / ``write_events`` (.jsonl, .csv, .geojson).

    JSON-encoded cells of a CSV (``agencies``, ``evidence``) are decoded back to lists and
    dicts. Raises :class:`~geo.errors.AggregationError` naming the file when it cannot be
    read.
    """
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
            frame = pd.read_csv(path, dtype={"doc": str, "admin1": str, "admin2": str, "country": str,
                                             "date": str, "cluster": str, "duplicate_of": str,
                                             "title": str, "origin": str,
                                             "transit": str, "destination": str,
                                             "route": str}, keep_default_na=False,
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
