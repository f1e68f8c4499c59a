"""Extraction over several processes, for archives of many thousand reports.

Reports are independent of each other, so the run is cut into chunks that worker processes
extract with their own gazetteer and geocoder; the events come back in input order, so the
result is the same as one process's. Where the platform can fork (Linux), the workers
inherit the parent's loaded gazetteer and geocoder instead of loading their own (~1 s and
~150 MB each), and the pages stay shared until written.

Where the platform cannot fork safely (macOS, Windows), workers are spawned and each loads
its own gazetteer; a script calling ``geo.extract(..., jobs=N)`` there needs the usual
``if __name__ == "__main__":`` guard of Python's multiprocessing.

Only the offline geocoder runs in parallel: online services limit the request rate per
client, and several processes asking at once would break that limit.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterator

from ..errors import ExtractionError

__all__ = ["available_cores", "extract_parallel"]

# reports per task: big enough that pickling the chunk and its events is small next to
# extracting it (~4 ms a report), small enough that the cores finish together
_CHUNK = 32

# set in each worker process by _init_worker: (the run's context, the per-report function)
_WORKER: tuple[Any, Callable[..., list]] | None = None


def available_cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _check_geocoder(geocoder: Any, jobs: int) -> None:
    if geocoder is None:
        return
    from ..places.geocoder import OfflineGeocoder

    if not isinstance(geocoder, OfflineGeocoder):
        raise ExtractionError(
            f"jobs={jobs}: parallel extraction runs only with the offline geocoder, not "
            f"{type(geocoder).__name__} (online services limit how fast one client may ask, "
            f"and a geocoder cache is written by one process); use jobs=1")


def _can_fork() -> bool:
    # fork only where it is safe and cheap: on macOS system libraries may crash in a forked
    # child (Python's own default there is spawn); Windows has no fork
    return sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()


def _init_worker(ctx: Any, extract_one: Callable[..., list], new_context: Callable[[], Any]) -> None:
    global _WORKER
    if ctx is None:  # a spawned worker: its own gazetteer and offline geocoder
        ctx = new_context()
    _WORKER = (ctx, extract_one)
    ctx.load()


def _extract_chunk(reports: list[Any]) -> tuple[list[Any], list[dict]]:
    ctx, extract_one = _WORKER
    events: list[Any] = []
    not_events: list[dict] = []
    for r in reports:
        events.extend(extract_one(r, ctx, not_events))
    return events, not_events


def extract_parallel(reports: list[Any], ctx: Any, jobs: int, progress: Any = None, *,
                     extract_one: Callable[[Any, Any, list], list],
                     new_context: Callable[[], Any]) -> Iterator[tuple[list[Any], list[dict]]]:
    """(events, not-events) of each chunk of ``reports``, in order, from at most ``jobs``
    processes (never more than there are chunks).

    :param ctx: the run's context (with ``load()``, ``geocoder`` and ``default``, whether
        it holds the process's default places): inherited by forked
        workers; where the platform cannot fork, each worker makes its own with
        ``new_context()`` (the default geocoder only).
    :param extract_one: ``extract_one(report, ctx, not_events) -> events``, the per-report
        function; a module-level function, so that a spawned worker can unpickle it.
    :param new_context: makes a worker's own context where the platform cannot fork.
    :param progress: a tqdm bar advanced by each chunk's report count, or None.
    :raises ExtractionError: for a geocoder that must not be asked in parallel, or when a
        worker process dies.
    """
    _check_geocoder(ctx.geocoder, jobs)
    chunks = [reports[i:i + _CHUNK] for i in range(0, len(reports), _CHUNK)]
    jobs = max(1, min(jobs, len(chunks)))
    if _can_fork():
        ctx.load()  # loaded once here: the forked workers inherit it
        mp_ctx, init = mp.get_context("fork"), ctx
    else:
        if not ctx.default:
            raise ExtractionError(
                f"jobs={jobs}: on {sys.platform} the workers load their own places, so pass "
                f"no geocoder (the offline one is the default) or use jobs=1")
        mp_ctx, init = mp.get_context("spawn"), None
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp_ctx, initializer=_init_worker,
                                 initargs=(init, extract_one, new_context)) as pool:
            for chunk, result in zip(chunks, pool.map(_extract_chunk, chunks)):
                if progress is not None:
                    progress.update(len(chunk))
                yield result
    except BrokenProcessPool as exc:
        raise ExtractionError(f"an extraction worker process died ({exc}); "
                              f"run with jobs=1 to see the report that stops it") from exc
