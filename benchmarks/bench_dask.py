"""Extraction on a dask LocalCluster against ``--jobs 2`` and one core: reports/s, CPU
and peak memory per process, and whether the events and aggregates are the same.

usage: python benchmarks/bench_dask.py [N]   (default N = 20,000 reports; ``--help``)

The N reports are bench_throughput.py's (:func:`bench_throughput.unique_report`: a
development report followed by the body of the next one, ~2 KB, its number in every
paragraph), written as N files into a temporary folder. Each pass is one ``geo extract``
process on that folder, into a folder of GeoParquet parts:

* ``one core``:   ``geo extract F --out one/``
* ``--jobs 2``:   ``geo extract F --out jobs/ --jobs 2`` (a process pool, forked)
* ``dask local``: ``geo extract F --out dask/ --dask local --jobs 2 --shard-mb 1`` (a
  LocalCluster of 2 single-threaded worker processes; shards of ~1 MB of files, ~450
  reports, so that both workers stay busy to the end)

Every process of a pass (the command, its pool workers; the cluster's scheduler lives in
the command, its nannies and workers are children) is sampled every 0.2 s for its RSS and
CPU time. Printed per pass: wall time and reports/s; CPU seconds of the workers and of
the coordinating process (whose share is the serial part of the run); reports per
worker-CPU-second (the per-core rate); peak RSS per process role. The wall times
depend on what else the machine runs; the CPU times much less, so the extrapolation at
the end (a 16-core machine, a 10-node cluster) is made from them: per-core rate x cores,
capped by the coordinator's CPU per report. The coordinator's start (imports, places
loaded once) is a fixed cost, not a share per report: each pass is run a second time on
the first 100 files, and the coordinator's CPU per report is the difference over the
difference in reports; for dask, less the upkeep of an idle LocalCluster's scheduler and
nannies (measured here, per second) over the difference in wall time.
Then the three folders' events (every column) and aggregates (``geo.aggregate``, without
dedup: the copies of the dev reports would all be candidate duplicates of each other) are
compared.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_throughput import BENCH, unique_report  # noqa: E402


def make_files(folder: Path, n: int) -> float:
    """N report files in ``folder`` (names sort in report order); their mean size in KB."""
    from geo import read_reports

    base = list(read_reports(sorted((BENCH / "reports").glob("d*.txt"))))
    if not base:
        sys.exit(f"no reports under {BENCH / 'reports'}")
    folder.mkdir(parents=True)
    size = 0
    for i in range(n):
        text = unique_report(base, i).text
        (folder / f"r{i:07d}.txt").write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    return size / n / 1024


def _role(proc, root_pid: int) -> str:
    if proc.pid == root_pid:
        return "command"
    cmd = " ".join(proc.cmdline())
    if "resource_tracker" in cmd:
        return "tracker"
    if "multiprocessing.spawn" in cmd or "multiprocessing.forkserver" in cmd:
        # a LocalCluster's nannies live in the command; each spawns its worker process
        return "dask worker"
    return "pool worker"  # forked: the command's own command line


def run_pass(cmd: list[str], env: dict) -> dict:
    """Wall seconds, and per process: role, peak RSS (MB), CPU seconds."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(proc.pid)
    seen: dict[int, dict] = {}
    while proc.poll() is None:
        try:
            procs = [root] + root.children(recursive=True)
        except psutil.NoSuchProcess:
            procs = []
        for p in procs:
            try:
                with p.oneshot():
                    rss = p.memory_info().rss / 2**20
                    cpu = p.cpu_times()
                    cpu_s = cpu.user + cpu.system
                    entry = seen.setdefault(p.pid, {"role": _role(p, proc.pid), "rss": 0.0,
                                                    "cpu": 0.0})
                entry["rss"] = max(entry["rss"], rss)
                entry["cpu"] = max(entry["cpu"], cpu_s)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {"wall": wall, "procs": list(seen.values())}


def cluster_idle_cpu(seconds: float = 10.0) -> float:
    """CPU seconds per wall second that a LocalCluster of 2 workers costs the process that
    holds its scheduler and nannies while no task runs (heartbeats, monitors): time-bound
    work, not work per report."""
    import resource

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        time.sleep(2)
        u0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        time.sleep(seconds)
        u1 = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.perf_counter() - t0
    return (u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime) / wall


# pass name: (output folder, the command's options)
_PASSES = {
    "one core": ("one", []),
    "--jobs 2": ("jobs", ["--jobs", "2"]),
    "dask local": ("dask", ["--dask", "local", "--jobs", "2", "--shard-mb", "1"]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=20_000, help="reports (default 20,000)")
    ap.add_argument("--keep", type=Path, help="make the files and outputs here and keep them")
    ap.add_argument("--passes", nargs="+", choices=list(_PASSES), default=list(_PASSES),
                    help="which passes to run (default: all three); the first is the one "
                         "the others are compared with")
    args = ap.parse_args()
    n = args.n

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-dask-"))
    folder = work / "reports"
    if not folder.exists():
        t0 = time.perf_counter()
        kb = make_files(folder, n)
        print(f"{n:,} reports of {kb:.1f} KB written in {time.perf_counter() - t0:.0f} s")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    geo = [sys.executable, "-m", "geo.cli", "extract", str(folder), "-q"]
    passes = {name: geo + ["--out", f"{work / _PASSES[name][0]}/"] + _PASSES[name][1]
              for name in args.passes}
    small = work / "small"
    if not small.exists():
        small.mkdir()
        for f in sorted(folder.iterdir())[:100]:
            shutil.copy(f, small / f.name)
    results, starts = {}, {}
    for name, cmd in passes.items():
        out = Path(cmd[cmd.index("--out") + 1])
        shutil.rmtree(out, ignore_errors=True)
        results[name] = r = run_pass(cmd, env)
        print(f"{name}: {r['wall']:.1f} s", flush=True)
        few = [str(small) if c == str(folder) else c for c in cmd]
        few[few.index("--out") + 1] = f"{work / 'small-out'}/"
        shutil.rmtree(work / "small-out", ignore_errors=True)
        starts[name] = run_pass(few, env)

    idle = cluster_idle_cpu()
    print(f"\nan idle LocalCluster costs its scheduler's process {idle:.3f} CPU s per s")
    print(f"\n{n:,} reports; {os.cpu_count()} cores here, load average "
          f"{os.getloadavg()[0]:.1f} at the end\n")
    print(f"{'pass':<11} {'wall s':>7} {'reports/s':>9} {'worker CPU s':>12} "
          f"{'coord CPU s':>11} {'reports/CPU-s':>13} {'serial share':>12}  peak RSS MB per process")
    print("(reports/CPU-s and the serial share: the pass minus its run on 100 files)")
    rates = {}

    def cpu(procs: list[dict]) -> tuple[float, float]:
        coord = sum(p["cpu"] for p in procs if p["role"] in ("command", "tracker"))
        workers = sum(p["cpu"] for p in procs if p["role"] in ("pool worker", "dask worker"))
        return coord, workers

    for name, r in results.items():
        procs = r["procs"]
        coord, work_cpu = cpu(procs)
        coord0, work0 = cpu(starts[name]["procs"])
        if not work_cpu:  # one core: the command does everything
            work_cpu, work0 = coord, coord0
            coord_serial = 0.0
        else:
            coord_serial = max(coord - coord0, 0.0)
            if name == "dask local":
                # the scheduler's and nannies' upkeep grows with the time, not the reports
                coord_serial = max(coord_serial - idle * (r["wall"] - starts[name]["wall"]), 0.0)
        # the workers' rate, their own start (imports, places) left out the same way
        per_core = (n - 100) / max(work_cpu - work0, 1e-9)
        share = coord_serial / (coord_serial + work_cpu - work0)
        rates[name] = (per_core, coord_serial / (n - 100))
        rss = ", ".join(f"{p['role']} {p['rss']:.0f}" for p in
                        sorted(procs, key=lambda p: (p["role"], -p["rss"])))
        print(f"{name:<11} {r['wall']:>7.1f} {n / r['wall']:>9.0f} {work_cpu:>12.1f} "
              f"{coord:>11.1f} {per_core:>13.0f} {share:>12.1%}  {rss}")
    first = next(iter(results))
    base_wall = results[first]["wall"]
    print(f"\nwall-time ratio to {first}: " + ", ".join(
        f"{k} {base_wall / r['wall']:.2f}x" for k, r in results.items()))

    # Amdahl from CPU times: each extra core adds the per-core rate until the coordinator,
    # whose work grows with the reports and runs on one core, is the bottleneck
    print("\nextrapolated (per-core rate from the workers' CPU, serial part = the "
          "coordinator's CPU per report):")
    for name in [p for p in ("--jobs 2", "dask local") if p in rates]:
        per_core, serial = rates[name]
        # a process pool stays on one machine
        shapes = [("16 cores", 16)] + ([("10 nodes x 16 cores", 160)] if "dask" in name else [])
        for label, cores in shapes:
            rate = cores * per_core
            cap = 1 / serial if serial > 0 else float("inf")
            got = min(rate, cap)
            print(f"  {name:<10} {label:<20} {got:>8,.0f} reports/s "
                  f"({'coordinator-bound' if rate > cap else 'core-bound'}; "
                  f"1M reports in {1e6 / got / 60:.0f} min)")

    print("\nsame events and aggregates:")
    import pandas as pd

    import geo
    from geo.output import regions_table

    def differing(frame, base) -> list[str]:
        """The columns where ``frame`` differs from ``base`` (column by column, so that a
        million-report run is compared without a Python object per cell)."""
        if len(frame) != len(base) or list(frame.columns) != list(base.columns):
            return ["(shape or columns)"]
        return [c for c in frame.columns
                if not pd.Series(frame[c]).reset_index(drop=True).equals(
                    pd.Series(base[c]).reset_index(drop=True))]

    base = agg_base = None
    for name in passes:
        frame = geo.read_events(work / _PASSES[name][0])
        # without dedup: the corpus is the dev reports copied over and over, every copy's
        # figure a candidate duplicate of every other's (pairs grow with the square)
        agg = regions_table(geo.aggregate(frame, dedup=False))
        if base is None:
            base, agg_base = frame, agg
            print(f"  {name:<11} {len(frame):,} events (the reference)")
            continue
        diff = differing(frame, base)
        same_agg = agg.equals(agg_base)
        print(f"  {name:<11} {len(frame):,} events: events "
              f"{'equal' if not diff else 'DIFFER in ' + ', '.join(diff)}, "
              f"aggregates {'equal' if same_agg else 'DIFFER'}")
        del frame
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
