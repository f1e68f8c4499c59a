"""Extraction on a dask cluster (issue 15): a real ``distributed.LocalCluster`` of two
single-threaded worker processes extracts a small archive shard by shard into GeoParquet
parts; its events and aggregates are one process's, a rerun runs only the shards not
finished, an unreadable input is reported and skipped, and a worker that dies fails the
run naming its shard while the parts written stay valid.

Worker processes, not threads: that is how the extraction runs for real (pure Python:
threads of one process would share a core), each worker builds its own places, and only
a process can be killed to test a worker's death. The cluster is started once for the
module (~2 s, and ~2 s for each worker to load its gazetteer).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

import geo  # noqa: E402
from geo.cli import main  # noqa: E402
from geo.errors import ClusterError  # noqa: E402
from geo.events import _clean  # noqa: E402
from geo.output import regions_table  # noqa: E402
from geo.pipeline import stream_events  # noqa: E402
from geo.read.events import SHARD_FILE, read_events  # noqa: E402
from geo.shards import extract_shards, plan_shards  # noqa: E402
from test_streaming import TEXTS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client():
    import dask

    # a task whose worker dies fails at once, instead of being tried on three more
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as c:
            yield c


def _archive(root: Path) -> Path:
    """Dev-like reports in two folders; two files share a stem (their ids must be told
    apart as one reader tells them: ``r0003`` then ``r0003~2``), one PDF is broken."""
    archive = root / "archive"
    for sub, n in (("2019", 24), ("2020", 18)):
        (archive / sub).mkdir(parents=True)
        for i in range(n):
            text = TEXTS[(i + len(sub)) % len(TEXTS)].replace(" seized ", f" seized ({sub}/{i}) ", 1)
            (archive / sub / f"r{i:04d}.txt").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "tests" / "data" / "reports" / "interfax_page.html", archive / "2020")
    shutil.copy(next((ROOT / "seeds").glob("*.txt")), archive / "2020" / "seed.txt")
    (archive / "2020" / "zz-broken.pdf").write_bytes(b"%PDF-1.4\n%broken, cut here")
    # an area of crops destroyed: an eradication record, not an event
    (archive / "2020" / "r0005.txt").write_text(
        "Afghan troops eradicated 1,200 hectares of poppy in Helmand province last week, "
        "the counter-narcotics ministry said.", encoding="utf-8")
    return archive


def _records(frame: pd.DataFrame) -> list[dict]:
    cols = [c for c in frame.columns if c != "geometry"]
    return [{k: _clean(v) for k, v in rec.items()}
            for rec in pd.DataFrame(frame[cols]).to_dict(orient="records")]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return _archive(tmp_path_factory.mktemp("dask"))


@pytest.fixture(scope="module")
def single(archive, tmp_path_factory):
    """One process's events (written as parts, read back) and summary."""
    out = tmp_path_factory.mktemp("single") / "events"
    summary = stream_events(archive, out, parts=True)
    return read_events(out), summary


def test_parts_read_back_as_the_events_file_of_one_process(archive, single, tmp_path):
    events, summary = single
    csv = tmp_path / "events.csv"
    assert stream_events(archive, csv).events == summary.events == len(events)
    assert _records(events) == _records(read_events(csv))


# small shards: the 45 files in several shards of a few files each
SHARD = 1_200


def test_plan_cuts_consecutive_files_and_lists_what_is_not_read(archive):
    skipped: list = []
    shards = plan_shards(archive, shard_bytes=SHARD, skipped=skipped)
    files = [f for s in shards for f in s.files]
    assert len(shards) > 5
    assert files == sorted(files, key=lambda f: Path(f).relative_to(archive).parts)
    assert all(s.name.startswith(f"shard-{i:05d}-") for i, s in enumerate(shards))
    assert plan_shards(archive, shard_bytes=SHARD) == shards  # the same names again


def test_cluster_gives_one_process_events_and_aggregates(client, archive, single, tmp_path):
    events, summary = single
    out = tmp_path / "events"
    got = extract_shards(archive, out, client, shard_bytes=SHARD)
    frame = read_events(out)
    assert len(frame) > 40
    assert _records(frame) == _records(events)
    assert frame.geometry.equals(events.geometry)
    # the same report read twice under one stem: told apart as one reader does
    assert {"r0003", "r0003~2"} <= set(frame["doc"])
    assert (got.reports_read, got.events, got.located, got.unlocated, got.labs_destroyed) == \
        (summary.reports_read, summary.events, summary.located, summary.unlocated,
         summary.labs_destroyed)
    assert got.totals == summary.totals
    assert got.skipped == summary.skipped
    # the aggregates of the folder, as geo aggregate reads it, are one process's
    for kwargs in ({}, {"dedup": False, "by": "country", "freq": "Y"}):
        a = geo.aggregate(frame, **kwargs)
        b = geo.aggregate(events, **kwargs)
        pd.testing.assert_frame_equal(regions_table(a), regions_table(b))
        pd.testing.assert_frame_equal(a.attrs["unlocated"], b.attrs["unlocated"])


def test_an_unreadable_input_is_reported_with_its_path_and_skipped(client, archive, tmp_path):
    out = tmp_path / "events"
    summary = extract_shards(archive, out, client, shard_bytes=SHARD)
    broken = [s for s in summary.skipped if s.path.endswith("zz-broken.pdf")]
    assert len(broken) == 1 and "PDF" in broken[0].reason
    assert summary.exit_code == 1
    # its shard holds the record of what it read, and the others their events
    records = [json.loads(p.read_text()) for p in sorted(out.glob(f"shard-*/{SHARD_FILE}"))]
    assert sum(r["reports"] for r in records) == summary.reports_read == 44


def test_rerun_runs_only_the_shards_not_finished(client, archive, tmp_path):
    out = tmp_path / "events"
    extract_shards(archive, out, client, shard_bytes=SHARD)
    first = read_events(out)
    shards = sorted(p for p in out.iterdir() if p.name.startswith("shard-"))
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("shard-*/part-*.parquet")}
    removed = shards[1]
    shutil.rmtree(removed)  # as if the run had stopped before this shard
    with pytest.raises(geo.errors.AggregationError, match="not written yet"):
        read_events(out)
    summary = extract_shards(archive, out, client, shard_bytes=SHARD)
    again = {p: p.stat().st_mtime_ns for p in out.glob("shard-*/part-*.parquet")}
    redone = {p for p in again if stamps.get(p) != again[p]}
    # the shard removed is written again, and so is the one with the broken PDF (an input
    # skipped may have been mended); every other part is the first run's
    broken = next(p.parent for p in out.glob(f"shard-*/{SHARD_FILE}")
                  if "zz-broken.pdf" in p.read_text())
    assert {p.parent for p in redone} <= {removed, broken}
    assert any(p.parent == removed for p in redone)
    assert len(again) == len(stamps)
    assert _records(read_events(out)) == _records(first)
    assert summary.reports_read == 44


def test_api_and_iter_events_on_the_cluster(client, archive):
    reports = geo.read_reports(archive)
    whole = geo.extract(reports)
    on_cluster = geo.extract(reports, scheduler=client)
    assert _records(on_cluster) == _records(whole)
    assert list(on_cluster.attrs["not_events"]) == list(whole.attrs["not_events"])
    assert list(geo.iter_events(reports, scheduler=client)) == list(geo.iter_events(reports))


def test_geo_extract_dask_at_a_scheduler_address(client, archive, single, tmp_path, capsys):
    out = tmp_path / "events"
    address = client.scheduler.address
    code = main(["extract", str(archive), "--out", f"{out}/", "--dask", address, "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["reports_read"] == 44  # 1: the broken PDF
    assert _records(read_events(out)) == _records(single[0])
    # the eradication records beside the folder, as beside an events file
    erad = tmp_path / "eradication.jsonl"
    single = tmp_path / "single"
    single.mkdir()
    main(["extract", str(archive), "--out", str(single / "events.jsonl"), "-q"])
    assert erad.read_bytes() == (single / "eradication.jsonl").read_bytes()
    assert b"Helmand" in erad.read_bytes() or b"AF-HEL" in erad.read_bytes()
    regions = tmp_path / "regions.csv"
    assert main(["aggregate", str(out), "--out", str(regions), "--eradication", str(erad),
                 "-q"]) == 0
    one = tmp_path / "one.csv"
    single_csv = single / "events.csv"
    main(["extract", str(archive), "--out", str(single_csv), "-q"])
    assert main(["aggregate", str(single_csv), "--out", str(one), "--eradication",
                 str(single / "eradication.csv"), "-q"]) == 0
    assert regions.read_bytes() == one.read_bytes()


def test_dask_needs_a_folder_and_dask(archive, tmp_path, monkeypatch, capsys):
    assert main(["extract", str(archive), "--out", str(tmp_path / "e.jsonl"),
                 "--dask", "local"]) == 2
    assert "folder of GeoParquet parts" in capsys.readouterr().err
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    assert main(["extract", str(archive), "--out", f"{tmp_path / 'events'}/",
                 "--dask", "local"]) == 2
    err = capsys.readouterr().err
    assert "needs dask" in err and "seizure-atlas[dask]" in err
    assert not (tmp_path / "events").exists()
    with pytest.raises(ClusterError, match="needs dask"):
        geo.extract(geo.read_reports(archive), scheduler="local")


def test_a_worker_that_dies_fails_the_run_naming_its_shard(client, tmp_path):
    # one long shard (a JSON Lines file of 150 reports) among short ones
    archive = tmp_path / "archive"
    archive.mkdir()
    for i in range(6):
        (archive / f"a{i}.txt").write_text("\n\n".join([TEXTS[i % len(TEXTS)]] * 8),
                                            encoding="utf-8")
    with (archive / "b-long.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(150):
            fh.write(json.dumps({"id": f"long{i}", "text": TEXTS[i % len(TEXTS)]}) + "\n")
    out = tmp_path / "events"
    long_shard = next(s for s in plan_shards(archive, shard_bytes=SHARD)
                      if any(f.endswith("b-long.jsonl") for f in s.files))
    failure: list[BaseException] = []

    def run():
        try:
            extract_shards(archive, out, client, shard_bytes=SHARD)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    pids = client.run(os.getpid)
    # its number (the digest in a name depends on the reading options too)
    key = f"geo-extract-{long_shard.name[:len('shard-00000')]}"
    deadline = time.monotonic() + 60
    killed = False
    while thread.is_alive() and time.monotonic() < deadline and not killed:
        for worker, keys in client.processing().items():
            if any(str(k).startswith(key) for k in keys):
                os.kill(pids[worker], signal.SIGKILL)
                killed = True
        time.sleep(0.005)
    thread.join(120)
    assert killed, "the long shard was never seen running"
    assert failure and isinstance(failure[0], ClusterError)
    message = str(failure[0])
    # named with its files (and any shard queued on the same worker: lost with it)
    assert long_shard.name[:len("shard-00000")] in message and "b-long.jsonl" in message
    # what was written is valid: each shard folder there is whole and readable
    for shard in out.glob("shard-*"):
        assert (shard / SHARD_FILE).exists()
        for part in shard.glob("part-*.parquet"):
            assert len(read_events(part)) > 0
    # and a rerun (the nanny has restarted the worker) finishes the run
    client.wait_for_workers(2, timeout=60)
    summary = extract_shards(archive, out, client, shard_bytes=SHARD)
    assert summary.reports_read == len(geo.read_reports(archive))
    assert len(read_events(out)) == summary.events > 150
