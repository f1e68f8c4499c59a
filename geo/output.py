"""Writing outputs: atomic, so an interrupted run never leaves half a file, and
deterministic, so a re-run on the same input gives byte-identical files.

Every output is written to a temporary file beside its target and moved into place with
``os.replace`` (a run's several outputs are staged together: :mod:`geo.staging`); events are sorted by report and position, no timestamps are written, and
the map's element ids (random in branca) are numbered in creation order.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from .maps.ids import deterministic_element_ids  # noqa: F401  (public here since issue 9)
from .read.reports import PathLike

__all__ = ["OUTPUT_FILES", "atomic_path", "write_text_atomic", "deterministic_element_ids",
           "write_events_atomic", "regions_table", "write_csv", "write_csv_atomic", "save_map",
           "save_map_atomic"]

OUTPUT_FILES = ("index.html", "events.geojson", "events.csv", "regions.csv", "eradication.csv")


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


def write_events_atomic(events: pd.DataFrame, path: PathLike) -> None:
    """``geo.events.write_events`` into a temporary file, then moved into place."""
    from .events import write_events

    with atomic_path(path) as tmp:
        write_events(events, tmp)


def regions_table(regions: pd.DataFrame) -> pd.DataFrame:
    """The aggregates as a plain table (no geometry; lists joined with ``;``)."""
    table = pd.DataFrame(regions.drop(columns=[c for c in ("geometry",) if c in regions]))
    for col in table.columns:
        # lists live in object columns only; the sources (geo.sources) are text, written
        # once, by the CSV writer
        if table[col].dtype == object and table[col].map(
                lambda v: isinstance(v, (list, tuple, set))).any():
            table[col] = table[col].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple, set)) else v)
    return table


def write_csv(frame: pd.DataFrame, path: PathLike) -> None:
    """A frame to CSV (UTF-8, ``\\n``), written in place (into a staging folder)."""
    Path(path).write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8",
                          newline="\n")


def write_csv_atomic(frame: pd.DataFrame, path: PathLike) -> None:
    """A frame to CSV (UTF-8, ``\\n``), atomically."""
    write_text_atomic(path, frame.to_csv(index=False, lineterminator="\n"))


def save_map(regions: Any, events: Any, path: PathLike, *, boundaries: Any = None,
             substance: str | None = None, title: str | None = None, view: str = "auto",
             png: PathLike | None = None) -> None:
    """Render the map with reproducible element ids and save it to ``path`` as it is
    (into a staging folder; :func:`save_map_atomic` otherwise); ``png``: also a static
    picture there (atomically; needs matplotlib)."""
    from .maps.choropleth import choropleth

    kwargs: dict[str, Any] = {"events": events, "view": view}
    if boundaries is not None:
        kwargs["boundaries"] = boundaries
    if substance:
        kwargs["substance"] = substance
    if title:
        kwargs["title"] = title
    m = choropleth(regions, **kwargs)   # numbers its element ids itself
    if png is not None:
        with atomic_path(png) as tmp:
            m.to_png(tmp)
    m.save(str(path))


def save_map_atomic(regions: Any, events: Any, path: PathLike, *, boundaries: Any = None,
                    substance: str | None = None, title: str | None = None, view: str = "auto",
                    png: PathLike | None = None) -> None:
    """Render the map with reproducible element ids and save it atomically."""
    with atomic_path(path) as tmp:
        save_map(regions, events, tmp, boundaries=boundaries, substance=substance, title=title,
                 view=view, png=png)
