"""An archive extracted on a dask cluster, shard by shard, into a folder of GeoParquet
parts (``geo extract ARCHIVE --out events/ --dask ADDRESS``).

The report files are listed here, in the reader's order, and cut into shards: runs of
consecutive files of about ``shard_bytes`` together. Each shard is one dask task: a
worker reads its files, extracts them with the context it built once
(:func:`geo.extraction.cluster.worker_context`) and writes its events as numbered parts
into a hidden folder beside the shard's, then renames that folder into place::

    events/
      _shards.json                  the plan: every shard's name and files
      shard-00000-3f2a9c1e07/       a finished shard
        part-00000.parquet ...      its events (geo.events.write_part)
        _shard.json                 what it read: reports, ids, skipped inputs, totals

A shard's folder appears whole or not at all, so the parts in the folder are always
valid, whatever stopped a run; a rerun finds the shards already there and runs only the
others. A shard's name holds its number and a digest of its files (path, size, time of
change) and the reading options: a file changed or added makes new shards, and the
folders of shards that are no longer planned are removed. A shard where some input was
skipped is run again by a rerun (the file may have been mended).

The events are those of one process, in its order: the shards are consecutive files, a
shard's reports are extracted and sorted as :func:`geo.pipeline.report_frames` does, and
a report id that an earlier shard also read (two ``index.html`` in two folders) is told
apart afterwards, as one reader would have (``index~2``), its parts rewritten.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .errors import ClusterError, OutputError
from .read.events import SHARD_FILE, SHARDS_FILE
from .read.reports import PathLike, Skipped
from .summary import Summary

log = logging.getLogger(__name__)

__all__ = ["Shard", "plan_shards", "extract_shards", "check_events_folder", "SHARD_BYTES"]

#: bytes of report files per shard: ~4 MB is ~2,000 news reports, some seconds of one
#: core, so that a task is long next to its scheduling and short next to a rerun
SHARD_BYTES = 4_000_000


@dataclass(frozen=True)
class Shard:
    """A run of consecutive report files, extracted by one task."""

    name: str
    files: tuple[str, ...]


def _digest(items: Any) -> str:
    return hashlib.sha1(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()[:10]


def plan_shards(paths: PathLike | Sequence[PathLike], *, shard_bytes: int = SHARD_BYTES,
                skipped: list[Skipped] | None = None, key: Any = None) -> list[Shard]:
    """The shards of the report files under ``paths``, in the reader's order.

    :param shard_bytes: a shard takes files until they hold this many bytes (a larger
        file is a shard of its own: a file is never split).
    :param skipped: receives the files that will not be read, with the reason.
    :param key: what else the events depend on (reading options): part of every name.
    """
    from .read.reports import report_files

    shards: list[Shard] = []
    group: list[tuple[str, int, int]] = []
    size = 0

    def close() -> None:
        nonlocal size
        if group:
            name = f"shard-{len(shards):05d}-{_digest([key, group])}"
            shards.append(Shard(name, tuple(f for f, _, _ in group)))
            group.clear()
            size = 0

    for f in report_files(paths, skipped):
        try:
            st = f.stat()
            stamp = (st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = (0, 0)  # the worker will say why it cannot be read
        group.append((str(f), *stamp))
        size += stamp[0]
        if size >= shard_bytes:
            close()
    close()
    return shards


# --------------------------------------------------------------------------------------
# The worker's side
# --------------------------------------------------------------------------------------
def _run_shard(shard: Shard, folder: str, report_options: dict[str, Any],
               boundaries: Any = None) -> dict[str, Any]:
    """Extract one shard into ``folder/<shard.name>/`` and return its record."""
    from .events import events_writer
    from .extraction.cluster import WORKER_LOCK, worker_context
    from .extraction.core import ExtractionContext
    from .output import write_text_atomic
    from .pipeline import report_frames
    from .read.reports import iter_reports
    from .summary import add_totals, set_aside

    out = Path(folder)
    final = out / shard.name
    if (final / SHARD_FILE).exists():  # a task run again after its worker was lost
        return json.loads((final / SHARD_FILE).read_text(encoding="utf-8"))
    ctx = worker_context(ExtractionContext)
    stage = out / f".{shard.name}.tmp-{secrets.token_hex(4)}"
    stage.mkdir(parents=True)
    try:
        skipped: list[Skipped] = []
        raw_ids: list[str] = []
        ids: list[str] = []
        record: dict[str, Any] = {"name": shard.name, "files": list(shard.files),
                                  "events": 0, "located": 0, "unlocated": 0, "labs": 0,
                                  "totals": {}, "set_aside": []}

        def noted(reports):
            for r in reports:
                ids.append(str(r.id))
                yield r

        eradications: list[dict] = []
        with WORKER_LOCK, events_writer(stage, parts=True) as write:
            reports = noted(iter_reports(list(shard.files), places=ctx.places,
                                         skipped=skipped, raw_ids=raw_ids, **report_options))
            for frame in report_frames(reports, ctx, boundaries=boundaries,
                                       eradications=eradications):
                write(frame)
                located = frame["admin1"].notna() & (frame["admin1"].astype(str) != "")
                record["events"] += len(frame)
                record["located"] += int(located.sum())
                record["unlocated"] += int((~located).sum())
                record["set_aside"].extend(set_aside(frame))
                record["labs"] += add_totals(record["totals"], frame)
        # eradication records are few (an area of crops destroyed, not a seizure): kept
        # in the record, written beside the folder by the client
        record.update(reports=len(ids), raw_ids=raw_ids, ids=ids, eradications=eradications,
                      parts=sorted(p.name for p in stage.glob("part-*.parquet")),
                      skipped=[[s.path, s.line, s.reason, s.partial] for s in skipped])
        write_text_atomic(stage / SHARD_FILE, json.dumps(record, default=str))
        try:
            os.rename(stage, final)
        except OSError:
            if not (final / SHARD_FILE).exists():
                raise
            # the same shard finished twice (a task retried): the first one stays
            shutil.rmtree(stage, ignore_errors=True)
            return json.loads((final / SHARD_FILE).read_text(encoding="utf-8"))
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return record


# --------------------------------------------------------------------------------------
# The client's side
# --------------------------------------------------------------------------------------
def check_events_folder(folder: PathLike, option: str = "--out") -> None:
    """Refuse a folder that holds anything but events parts (``part-*.parquet``, shard
    folders, the plan and hidden files): writing events there would remove its files.

    :raises OutputError: naming the first file that is not ours.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith(".") or name == SHARDS_FILE:
            continue
        if entry.is_file() and name.startswith("part-") and name.endswith(".parquet"):
            continue
        if entry.is_dir() and name.startswith("shard-"):
            continue
        raise OutputError(f"{option} {folder} holds {name}, which is no events part; "
                          f"events are written into a folder of their own: choose an "
                          f"empty or new folder")


def _record(folder: Path, shard: Shard) -> dict[str, Any] | None:
    """The record a finished shard wrote (None: none, or not readable)."""
    try:
        return json.loads((folder / shard.name / SHARD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _done(folder: Path, shard: Shard) -> dict[str, Any] | None:
    """The record of a shard finished by an earlier run, or None to run it."""
    record = _record(folder, shard)
    if record is None:
        return None
    if record.get("files") != list(shard.files) or record.get("skipped"):
        return None
    if not all((folder / shard.name / p).exists() for p in record.get("parts", [])):
        return None
    return record


def _tidy(folder: Path, shards: list[Shard]) -> None:
    """Remove what does not belong to this plan: the parts of a run without dask, the
    shards of another plan, unfinished shards' staging folders, redone shards."""
    names = {s.name for s in shards}
    for entry in folder.iterdir():
        stale = ((entry.name.startswith("part-") and entry.name.endswith(".parquet"))
                 or (entry.name.startswith("shard-") and entry.name not in names)
                 or (entry.name.startswith(".shard-") and ".tmp-" in entry.name))
        if stale:
            log.info("%s: removing %s (not of this run's plan)", folder, entry.name)
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _rename_docs(shard_dir: Path, record: dict[str, Any], new_ids: list[str]) -> None:
    """Give a finished shard's events the report ids one reading of the archive gives."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .output import write_text_atomic

    mapping = {old: new for old, new in zip(record["ids"], new_ids) if old != new}
    for name in record["parts"]:
        path = shard_dir / name
        table = pq.read_table(path)
        docs = [mapping.get(d, d) for d in table.column("doc").to_pylist()]
        table = table.set_column(table.schema.get_field_index("doc"), "doc",
                                 pa.array(docs, type=pa.string()))
        tmp = shard_dir / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    record["ids"] = new_ids
    write_text_atomic(shard_dir / SHARD_FILE, json.dumps(record, default=str))


def _merge(summary: Summary, record: dict[str, Any], totals: dict[str, dict[str, Any]]) -> int:
    summary.reports_read += record["reports"]
    summary.skipped.extend(Skipped(p, line, reason, bool(partial))
                           for p, line, reason, partial in record["skipped"])
    summary.events += record["events"]
    summary.located += record["located"]
    summary.unlocated += record["unlocated"]
    summary.set_aside.extend(record["set_aside"])
    for substance, t in record["totals"].items():
        into = totals.setdefault(substance, {"events": 0, "kg": 0.0, "count": 0.0,
                                             "volumes": {}})
        into["events"] += t["events"]
        into["kg"] += t["kg"]
        into["count"] += t["count"]
        for unit, q in t["volumes"].items():
            into["volumes"][unit] = into["volumes"].get(unit, 0.0) + q
    return int(record["labs"])


def extract_shards(
    paths: PathLike | Sequence[PathLike],
    out: PathLike,
    scheduler: Any,
    *,
    workers: int | None = None,
    report_options: dict[str, Any] | None = None,
    boundaries: Any = None,
    shard_bytes: int = SHARD_BYTES,
    eradications: list[dict] | None = None,
) -> Summary:
    """Extract the reports under ``paths`` on a dask cluster into the events folder
    ``out`` (see the module's text); shards finished by an earlier run are kept.

    :param scheduler: ``"local"``, a scheduler address or a ``distributed.Client``
        (:func:`geo.extraction.cluster.connect`); the workers must see ``paths`` and
        ``out`` at the same paths (a shared file system).
    :param workers: worker processes of a ``"local"`` cluster (default: every core).
    :param report_options: :func:`geo.read.reports.iter_reports` keywords.
    :param boundaries: a boundary set the events are relocated to, as for ``geo extract``.
    :param eradications: when given, receives the reports' eradication records, in
        report order (for :func:`geo.pipeline.eradication_frame`).
    :returns: the run's summary, as :func:`geo.pipeline.stream_events` gives it (totals
        summed per shard).
    :raises ClusterError: dask missing, the scheduler unreachable, or a worker that died
        holding a shard (named; the shards written stay, a rerun finishes the others).
    :raises OutputError: ``out`` holds files that are not events parts.
    """
    from .extraction.cluster import connect, require_dask
    from .output import write_text_atomic
    from .read.ids import SeenIds
    from .read.reports import told_apart
    from .summary import finish_totals

    require_dask()
    folder = Path(out)
    check_events_folder(folder)
    report_options = {k: v for k, v in (report_options or {}).items() if v is not None}
    summary = Summary()
    key = [sorted(report_options.items()),
           None if boundaries is None else _digest(sorted(map(str, boundaries["code"])))]
    shards = plan_shards(paths, shard_bytes=shard_bytes, skipped=summary.skipped, key=key)
    folder.mkdir(parents=True, exist_ok=True)
    _tidy(folder, shards)
    write_text_atomic(folder / SHARDS_FILE, json.dumps(
        {"shards": [{"name": s.name, "files": list(s.files)} for s in shards]}, indent=1))
    todo = [shard for shard in shards if _done(folder, shard) is None]
    for shard in todo:
        shutil.rmtree(folder / shard.name, ignore_errors=True)
    log.info("%s: %d shard(s), %d finished before, %d to run", folder, len(shards),
             len(shards) - len(todo), len(todo))
    if todo:
        with connect(scheduler, workers=workers) as client:
            _run_all(client, todo, folder, report_options, boundaries)
    # in shard order: the ids one reading gives, and the run's sums. The records are read
    # back one at a time from the shards' folders: held as the tasks ended, their report
    # ids made this process's memory grow with the archive (~0.5 KB a report)
    seen = SeenIds()  # (16 bytes an id, as the reader keeps them)
    totals: dict[str, dict[str, Any]] = {}
    labs = 0
    for shard in shards:
        record = _record(folder, shard)
        if record is None:
            raise ClusterError(f"{folder / shard.name}: the shard's record "
                               f"({SHARD_FILE}) cannot be read after its task ended")
        ids = [told_apart(r, seen) for r in record["raw_ids"]]
        if ids != record["ids"]:
            renamed = dict(zip(record["ids"], ids))
            for e in record.get("eradications", []):
                e["doc"] = renamed.get(e.get("doc"), e.get("doc"))
            _rename_docs(folder / shard.name, record, ids)
        if eradications is not None:
            eradications.extend(record.get("eradications", []))
        labs += _merge(summary, record, totals)
    summary.totals = finish_totals(totals)
    summary.labs_destroyed = labs
    return summary


def _run_all(client: Any, todo: list[Shard], folder: Path, report_options: dict[str, Any],
             boundaries: Any) -> None:
    """Run the shards ``todo`` on the cluster; each writes its parts and record into
    ``folder``."""
    from distributed import KilledWorker, as_completed

    if boundaries is not None:
        boundaries = client.scatter(boundaries, broadcast=True)
    futures = {client.submit(_run_shard, shard, str(folder), report_options, boundaries,
                             key=f"geo-extract-{shard.name}", pure=False): shard
               for shard in todo}
    finished = 0
    try:
        for future in as_completed(list(futures)):
            shard = futures[future]
            try:
                record = future.result()
            except KilledWorker:
                # a worker holds the shard it runs and the next one queued: name each
                # shard lost with it (their failures arrive together)
                lost = _lost(futures, shard)
                raise ClusterError(
                    f"a dask worker died while it held {'; '.join(map(_describe, lost))}; "
                    f"the {finished} shard(s) finished stay in {folder}, and a rerun "
                    f"runs the others") from None
            except Exception as exc:
                exc.add_note(f"while extracting {shard.name} ({len(shard.files)} file(s) "
                             f"from {shard.files[0]})")
                raise
            finished += 1
            log.info("%s: %s done (%d reports, %d events)", folder, shard.name,
                     record["reports"], record["events"])
            # released: the cluster forgets the task's result (the record is on disk)
            del futures[future]
    finally:
        client.cancel(list(futures))


def _describe(shard: Shard) -> str:
    files = (shard.files[0] if len(shard.files) == 1
             else f"{shard.files[0]} ... {shard.files[-1]}")
    return f"{shard.name} ({len(shard.files)} file(s): {files})"


def _lost(futures: dict[Any, Shard], first: Shard) -> list[Shard]:
    """The shards whose tasks failed with a worker's death, ``first`` among them."""
    from distributed import KilledWorker, wait

    try:
        wait(list(futures), timeout=1)
    except TimeoutError:
        pass  # the others run on: only those failed so far are named
    lost = [shard for future, shard in futures.items()
            if future.status == "error" and isinstance(future.exception(), KilledWorker)]
    return sorted(set(lost) | {first}, key=lambda s: s.name)
