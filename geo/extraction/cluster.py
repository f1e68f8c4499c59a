"""Extraction on a dask cluster: the client, and each worker's own places.

:func:`connect` gives a ``distributed.Client`` for what the user named: ``"local"`` (a
``LocalCluster`` of single-threaded worker processes on this machine), a scheduler
address (``tcp://host:8786``, a cluster the user runs: dask-jobqueue, Kubernetes, ``dask
scheduler`` + ``dask worker``), or a client the caller already holds.

A worker process builds its extraction context (gazetteer and offline geocoder) once,
the first time a task of this package runs in it (:func:`worker_context`), and keeps it
for every later task: a task carries reports or file names, never the places. The
workers run the offline geocoder only, as ``jobs=N`` does: online services limit the
request rate per client.

:func:`extract_on_cluster` is :func:`geo.extraction.parallel.extract_parallel` with the
cluster as the pool: chunks of reports in, compact rows out, in input order, a bounded
window of chunks in flight. An archive of files is better sharded by file, read on the
workers and written there (:mod:`geo.shards`).
"""
from __future__ import annotations

import contextlib
import itertools
import threading
from collections import deque
from typing import Any, Callable, Iterable, Iterator

from ..errors import ClusterError

__all__ = ["connect", "worker_context", "extract_on_cluster", "require_dask", "WORKER_LOCK"]

# set in a worker process by worker_context(): the process's extraction context
_CONTEXT: Any = None
#: one extraction at a time per process: the caches of the context are plain dicts, and
#: threads of one process share one core's worth of Python anyway
WORKER_LOCK = threading.Lock()


def require_dask(what: str = "--dask") -> None:
    """Raise :class:`~geo.errors.ClusterError` unless dask.distributed can be imported."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ClusterError(f"{what} needs dask and distributed ({exc.name} is not "
                           "installed): pip install 'seizure-atlas[dask]'") from None


@contextlib.contextmanager
def connect(scheduler: Any, *, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler``, closed (with the cluster it started)
    when the block ends; a client given is used as it is and left open.

    :param scheduler: ``"local"``, a scheduler address, or a ``distributed.Client``.
    :param workers: worker processes of a ``"local"`` cluster (default: every core this
        process may use), one thread each.
    :raises ClusterError: dask is not installed, or the scheduler cannot be reached.
    """
    require_dask()
    from distributed import Client

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ClusterError(f"scheduler={scheduler!r}: give 'local', a scheduler address "
                           "(tcp://host:8786) or a distributed.Client")
    if scheduler == "local":
        from distributed import LocalCluster

        from .parallel import available_cores

        n = workers or available_cores()
        # processes, one thread each: the extraction is pure Python, so threads of one
        # process would share one core; no dashboard (it needs bokeh, and a port), and
        # so no use for the workers' statistical profiler, which samples the running
        # task every 10 ms and costs ~10% of a worker's CPU on this work
        import dask

        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
    try:
        yield client
    finally:
        client.close()


def worker_context(new_context: Callable[[], Any]) -> Any:
    """This process's extraction context, made by ``new_context()`` (the default
    places: gazetteer and offline geocoder) and loaded on the first call, then the same
    one every time."""
    global _CONTEXT
    with WORKER_LOCK:
        if _CONTEXT is None:
            from .heap import set_heap_aside_after_load

            set_heap_aside_after_load()  # a dask worker's process does little but extract
            ctx = new_context()
            ctx.load()
            _CONTEXT = ctx
        return _CONTEXT


def _extract_chunk(reports: list[Any], extract_one: Callable[..., list],
                   new_context: Callable[[], Any]) -> tuple[list[tuple], list[dict]]:
    from ..events import event_row

    ctx = worker_context(new_context)
    rows: list[tuple] = []
    not_events: list[dict] = []
    with WORKER_LOCK:
        for r in reports:
            rows.extend(event_row(ev) for ev in extract_one(r, ctx, not_events))
    return rows, not_events


def _check_places(ctx: Any) -> None:
    if not ctx.default:
        raise ClusterError("on a dask cluster every worker loads the default places (the "
                           "offline geocoder): pass no geocoder or places, or run without "
                           "a scheduler")


def extract_on_cluster(reports: Iterable[Any], ctx: Any, client: Any, progress: Any = None,
                       *, extract_one: Callable[[Any, Any, list], list],
                       new_context: Callable[[], Any],
                       chunk: int = 32) -> Iterator[tuple[list[tuple], list[dict]]]:
    """(event rows, not-events) of each chunk of ``reports``, in order, extracted on the
    workers of ``client``: :func:`~geo.extraction.parallel.extract_parallel`'s answer.

    :raises ClusterError: for places other than the default, or when a worker dies
        while it holds a chunk (naming the chunk's first report).
    """
    from distributed import KilledWorker

    _check_places(ctx)
    width = 2 * max(1, len(client.nthreads()))
    it = iter(reports)
    pending: deque = deque()

    def done() -> tuple[list[tuple], list[dict]]:
        first, size, future = pending.popleft()
        try:
            result = future.result()
        except KilledWorker as exc:
            raise ClusterError(f"a dask worker died while extracting the {size} reports "
                               f"from {first} on ({exc})") from None
        if progress is not None:
            progress.update(size)
        return result

    try:
        while batch := list(itertools.islice(it, chunk)):
            pending.append((str(batch[0].id), len(batch),
                            client.submit(_extract_chunk, batch, extract_one, new_context,
                                          pure=False)))
            if len(pending) >= width:
                yield done()
        while pending:
            yield done()
    finally:
        for _, _, future in pending:
            future.cancel()
