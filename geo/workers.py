"""Extraction over several processes, for archives of many thousand reports.

Reports are independent of each other, so the run is cut into chunks that worker processes
extract with their own gazetteer and geocoder; the events come back in input order, so the
result is the same as one process's. Where the platform can fork (Linux), the workers
inherit the parent's loaded gazetteer and geocoder instead of loading their own (~1 s and
~150 MB each), and the pages stay shared until written.

Only the offline geocoder runs in parallel: online services limit the request rate per
client, and several processes asking at once would break that limit.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Iterator

from .errors import ExtractionError

__all__ = ["available_cores", "extract_parallel"]

# reports per task: big enough that pickling the chunk and its events is small next to
# extracting it (~4 ms a report), small enough that the cores finish together
_CHUNK = 32

_WORKER_CTX: Any = None


def available_cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _check_geocoder(geocoder: Any, jobs: int) -> None:
    if geocoder is None:
        return
    from .geocoding import OfflineGeocoder

    if not isinstance(geocoder, OfflineGeocoder):
        raise ExtractionError(
            f"jobs={jobs}: parallel extraction runs only with the offline geocoder "
            f"({type(geocoder).__name__} is an online service with a request-rate limit); "
            f"use jobs=1")


def _init_worker(ctx: Any) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx
    ctx.load()


def _extract_chunk(reports: list[Any]) -> tuple[list[Any], list[dict]]:
    from .extraction import extract_report

    events: list[Any] = []
    not_events: list[dict] = []
    for r in reports:
        events.extend(extract_report(r, not_events=not_events, _ctx=_WORKER_CTX))
    return events, not_events


def extract_parallel(reports: list[Any], ctx: Any, jobs: int,
                     progress: Any = None) -> Iterator[tuple[list[Any], list[dict]]]:
    """(events, not-events) of each chunk of ``reports``, in order, from ``jobs`` processes.

    :param ctx: the run's ``extraction._Context`` (loaded here, then inherited or pickled
        by the workers).
    :param progress: a tqdm bar advanced by each chunk's report count, or None.
    :raises ExtractionError: for a geocoder that must not be asked in parallel.
    """
    _check_geocoder(ctx.geocoder, jobs)
    ctx.load()  # loaded once here: forked workers inherit it
    methods = mp.get_all_start_methods()
    mp_ctx = mp.get_context("fork") if "fork" in methods else mp.get_context()
    chunks = [reports[i:i + _CHUNK] for i in range(0, len(reports), _CHUNK)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp_ctx, initializer=_init_worker,
                             initargs=(ctx,)) as pool:
        for chunk, result in zip(chunks, pool.map(_extract_chunk, chunks)):
            if progress is not None:
                progress.update(len(chunk))
            yield result
