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

The workers send back compact rows (:func:`geo.events.event_row` tuples), not pickled
:class:`~geo.events.Event` objects; frames are built where the rows arrive. Reports are
taken from the input as the pool needs them (a few chunks ahead of the one being
returned), so an input read lazily is never held whole.
"""
from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator

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
    from .heap import set_heap_aside_after_load

    set_heap_aside_after_load()  # a worker process does nothing but extract
    if ctx is None:  # a spawned worker: its own gazetteer and offline geocoder
        ctx = new_context()
    _WORKER = (ctx, extract_one)
    ctx.load()


def _extract_chunk(reports: list[Any]) -> tuple[list[tuple], list[dict]]:
    from ..events import event_row

    ctx, extract_one = _WORKER
    rows: list[tuple] = []
    not_events: list[dict] = []
    for r in reports:
        rows.extend(event_row(ev) for ev in extract_one(r, ctx, not_events))
    return rows, not_events


def _chunks(reports: Iterable[Any]) -> Iterator[list[Any]]:
    it = iter(reports)
    while chunk := list(itertools.islice(it, _CHUNK)):
        yield chunk


def extract_parallel(reports: Iterable[Any], ctx: Any, jobs: int, progress: Any = None, *,
                     extract_one: Callable[[Any, Any, list], list],
                     new_context: Callable[[], Any]) -> Iterator[tuple[list[tuple], list[dict]]]:
    """(event rows, not-events) of each chunk of ``reports``, in order, from at most
    ``jobs`` processes (never more than there are chunks). The rows are
    :func:`geo.events.event_row` tuples (:func:`geo.events.events_to_frame` takes them).

    :param reports: a list or any iterable, consumed as the workers need it.
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
    chunks = _chunks(reports)
    # look ahead enough chunks to know whether there are fewer than jobs: a small input
    # needs no more processes than it has chunks
    ahead = list(itertools.islice(chunks, jobs))
    if not ahead:
        return
    jobs = max(1, min(jobs, len(ahead)))
    chunks = itertools.chain(ahead, chunks)
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
            # a bounded window of chunks in flight (Executor.map would submit them all at
            # once, holding every report): two per worker keeps each one busy
            pending: deque = deque()
            for chunk in chunks:
                pending.append((len(chunk), pool.submit(_extract_chunk, chunk)))
                if len(pending) >= 2 * jobs:
                    yield _done(pending.popleft(), progress)
            while pending:
                yield _done(pending.popleft(), progress)
    except BrokenProcessPool as exc:
        raise ExtractionError(f"an extraction worker process died ({exc}); "
                              f"run with jobs=1 to see the report that stops it") from exc


def _done(item: tuple[int, Any], progress: Any) -> tuple[list[tuple], list[dict]]:
    size, future = item
    result = future.result()
    if progress is not None:
        progress.update(size)
    return result
