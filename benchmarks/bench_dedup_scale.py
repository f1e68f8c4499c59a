"""Deduplication as the archive fills with wire copies: time and peak memory, before/after.

    python benchmarks/bench_dedup_scale.py [--copies 1000 10000 100000] [--before REV]
        [--cap 240] [--mem-cap 4000] [--bylines] [--events CACHE.pkl]

An archive is full of repeats: one agency story reprinted by dozens of outlets, a day or
two apart, with small edits. This builds such archives from the labelled multi-outlet set
of ``bench_dedup.py`` (``benchmarks/data/dedup``: 100 reports, 102 events): each wire copy
is one of the 100 reports (in turn) as another outlet printed it:

* its own doc id (``r013~kyodo~00042``) and an outlet;
* its date a day or two later for a third of the copies (day-precise dates only: a
  month stays a month);
* small edits of the evidence sentence: the outlet credited in front ("According to
  Kyodo, ..."), the last clause cut, "tonnes" written "tons", "said" made "told
  reporters", the first capitalised name lower-cased; with ``--bylines``, a byline on
  one copy in ten, by one of 1,000 reporters drawn at random (a stress: copies of one
  story then differ in a word other copies share, so they are fewer twins);
* one copy in five credits no agency.

For each number of copies the old algorithm (``geo/dedup.py`` at ``--before``, the last
commit that clustered over every compatible pair) and the new one each run in a child
process: wall time of ``deduplicate`` and the child's peak RSS (``ru_maxrss``) above what
it held before the call. The old one is stopped past ``--cap`` seconds or ``--mem-cap``
MB (then not run at larger sizes). Where both finish, their outputs (``cluster``,
``duplicate_of``, ``cluster_sources`` and ``attrs["dedup"]``) are compared and must be
equal; the run fails otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import resource
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
#: The last commit whose deduplicate scored and clustered every compatible pair.
BEFORE = "2bb7bfd"

OUTLETS = ("reuters", "afp", "ap", "efe", "kyodo", "dpa", "ansa", "xinhua", "bernama",
           "antara", "pti", "ians", "tass", "anadolu", "mena", "apa", "pna", "lusa",
           "ghananews", "nan")


def base_events(cache: Path | None) -> pd.DataFrame:
    """The events of the labelled multi-outlet set (extracted once, cached if asked)."""
    if cache is not None and cache.exists():
        events = pd.read_pickle(cache)
    else:
        sys.path.insert(0, str(HERE))
        from bench_dedup import DATA, extract, read_blocks

        events = extract(read_blocks(DATA / "reports.txt"))
        if cache is not None:
            pd.to_pickle(events, cache)
    return events.drop(columns=[c for c in ("cluster", "duplicate_of", "cluster_sources")
                                if c in events])


def _edit(sentence: str, outlet: str, rng: np.random.Generator, bylines: bool) -> str:
    """One outlet's small edits of a sentence (each with its own chance)."""
    if rng.random() < 0.3:
        sentence = f"According to {outlet.capitalize()}, {sentence[:1].lower()}{sentence[1:]}"
    if rng.random() < 0.2 and sentence.count(",") >= 1:
        head = sentence.rsplit(",", 1)[0]
        if re.search(r"\d", head):  # never cut the figure away
            sentence = head + "."
    if rng.random() < 0.2:
        sentence = re.sub(r"\btonnes\b", "tons", sentence)
    if rng.random() < 0.2:
        sentence = re.sub(r"\bsaid\b", "told reporters", sentence, count=1)
    if rng.random() < 0.1:
        m = re.search(r"(?<=\s)[A-Z][a-z]{3,}", sentence)
        if m:
            sentence = sentence[:m.start()] + m.group().lower() + sentence[m.end():]
    if bylines and rng.random() < 0.1:  # a byline: one of a thousand reporters
        k = int(rng.integers(1000))
        sentence += " Reporting by " + "Ro" + "".join(chr(97 + int(c)) for c in f"{k:03d}") + "."
    return sentence


def wire_copies(events: pd.DataFrame, copies: int, seed: int = 15,
                bylines: bool = False) -> pd.DataFrame:
    """``copies`` wire copies of the reports of ``events`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    events = events.reset_index(drop=True)
    docs = events["doc"].astype(str).to_numpy()
    order = list(dict.fromkeys(docs))
    rows_of = {d: np.flatnonzero(docs == d) for d in order}
    source = [order[k % len(order)] for k in range(copies)]
    outlet = rng.integers(len(OUTLETS), size=copies)
    shift = rng.choice([0, 0, 0, 0, 1, 2], size=copies)
    silent = rng.random(copies) < 0.2
    sizes = np.array([len(rows_of[d]) for d in source])
    copy_of_row = np.repeat(np.arange(copies), sizes)
    out = events.iloc[np.concatenate([rows_of[d] for d in source])].reset_index(drop=True)
    out["doc"] = [f"{source[k]}~{OUTLETS[outlet[k]]}~{k:06d}" for k in copy_of_row.tolist()]
    dates = out["date"].astype(object)
    day = pd.to_datetime(dates.where(dates.astype(str).str.len() == 10), errors="coerce")
    moved = (day + pd.to_timedelta(shift[copy_of_row], unit="D")).dt.strftime("%Y-%m-%d")
    out["date"] = moved.where(day.notna(), dates).astype(object)
    out["evidence"] = [dict(ev, sentence=_edit(ev["sentence"], OUTLETS[outlet[k]], rng,
                                               bylines))
                       if isinstance(ev, dict) and ev.get("sentence") else ev
                       for ev, k in zip(out["evidence"].tolist(), copy_of_row.tolist())]
    out["agencies"] = [[] if silent[k] else a
                       for a, k in zip(out["agencies"].tolist(), copy_of_row.tolist())]
    return out


def load_before(rev: str) -> types.ModuleType:
    """``geo/dedup.py`` at ``rev``, imported beside today's package (its helpers, and its
    vocabulary files, which it finds beside its ``__file__``)."""
    import geo

    text = subprocess.run(["git", "show", f"{rev}:geo/dedup.py"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout
    module = types.ModuleType("geo._dedup_before")
    module.__file__ = str(Path(geo.__file__).parent / "dedup.py")
    module.__package__ = "geo"
    sys.modules[module.__name__] = module
    exec(compile(text, f"{rev}:geo/dedup.py", "exec"), module.__dict__)
    return module


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def child(args: argparse.Namespace) -> int:
    """One measurement: build the copies, deduplicate them, report time and memory."""
    events = wire_copies(pd.read_pickle(args.base), args.child_copies, bylines=args.bylines)
    if args.child == "old":
        dedup = load_before(args.before).deduplicate
    else:
        from geo.dedup import deduplicate as dedup
    dedup(events.iloc[:50])  # vocabularies and stopwords loaded before the clock
    before = _rss_mb()
    Path(f"{args.result}.started").touch()  # the parent's clock for the cap starts here
    t0 = time.perf_counter()
    out = dedup(events)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(args.result, "wb") as fh:
        pickle.dump({"events": len(events), "seconds": seconds, "rss_before": before,
                     "peak": peak, "attrs": out.attrs["dedup"],
                     "columns": out[["cluster", "duplicate_of", "cluster_sources"]]}, fh)
    return 0


def _child_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(which: str, copies: int, base: Path, before: str, cap: float, mem_cap: float,
            tmp: Path, bylines: bool = False) -> dict | str:
    """The child's figures, or why it was stopped: it is killed past ``cap`` seconds in
    ``deduplicate`` or ``mem_cap`` MB of RSS (the pairwise clustering of 100k copies would take more than a
    20 GB machine has, and the kernel's OOM killer picks its victim among every process)."""
    result = tmp / f"{which}-{copies}.pkl"
    cmd = [sys.executable, __file__, "--child", which, "--child-copies", str(copies),
           "--base", str(base), "--result", str(result), "--before", before]
    if bylines:
        cmd.append("--bylines")
    started = Path(f"{result}.started")
    t0 = None
    proc = subprocess.Popen(cmd, cwd=REPO)
    why = None
    while proc.poll() is None:
        if t0 is None and started.exists():
            t0 = time.perf_counter()
        if t0 is not None and time.perf_counter() - t0 > cap:
            why = f"> {cap:.0f} s"
        elif _child_rss_mb(proc.pid) > mem_cap:
            why = f"> {mem_cap:.0f} MB" + (f" ({time.perf_counter() - t0:.0f} s in)"
                                           if t0 is not None else "")
        if why:
            proc.kill()
            proc.wait()
            return why
        time.sleep(0.1)
    if proc.returncode:
        return f"failed ({proc.returncode})"
    with open(result, "rb") as fh:
        return pickle.load(fh)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--before", default=BEFORE, help="git revision of the old algorithm")
    ap.add_argument("--cap", type=float, default=240.0,
                    help="seconds the old algorithm may run per size")
    ap.add_argument("--mem-cap", type=float, default=4000.0,
                    help="MB of RSS past which a child is stopped")
    ap.add_argument("--events", type=Path, help="cache of the extracted base events (.pkl)")
    ap.add_argument("--bylines", action="store_true",
                    help="a random byline on one copy in ten (fewer twins)")
    ap.add_argument("--child", choices=("old", "new"), help=argparse.SUPPRESS)
    ap.add_argument("--child-copies", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--base", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args)

    events = base_events(args.events)
    failed = False
    print(f"base: {len(events)} events of {events['doc'].nunique()} reports; old algorithm: "
          f"geo/dedup.py at {args.before}, stopped past {args.cap:.0f} s or "
          f"{args.mem_cap:.0f} MB" + ("; with bylines" if args.bylines else ""))
    print(f"{'copies':>8} {'events':>8} | {'old s':>8} {'old MB':>8} | {'new s':>7} "
          f"{'new MB':>7} | {'time x':>7} {'mem x':>6} | same output")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base = tmp / "base.pkl"
        events.to_pickle(base)
        stopped = None
        for copies in args.copies:
            new = measure("new", copies, base, args.before, 10 * args.cap, args.mem_cap, tmp,
                          args.bylines)
            if isinstance(new, str):
                print(f"{copies:>8,} new algorithm stopped: {new}")
                failed = True
                continue
            old = stopped or measure("old", copies, base, args.before, args.cap,
                                     args.mem_cap, tmp, args.bylines)
            mem_new = max(new["peak"] - new["rss_before"], 0.0)
            line = f"{copies:>8,} {new['events']:>8,} | "
            if isinstance(old, str):
                stopped = old if old.startswith("not run") else \
                    f"not run (stopped at {copies:,})"
                if old.endswith(" s"):
                    line += (f"{old:>8} {'-':>8} | {new['seconds']:>7.2f} {mem_new:>7.0f} | "
                             f"{'> ' + format(args.cap / new['seconds'], '.0f'):>7} {'-':>6} | "
                             f"old stopped")
                elif " MB" in old:
                    line += (f"{'-':>8} {old.split(' (')[0]:>8} | {new['seconds']:>7.2f} "
                             f"{mem_new:>7.0f} | {'-':>7} "
                             f"{'> ' + format((args.mem_cap - new['rss_before']) / max(mem_new, 1.0), '.0f'):>6} | "
                             f"old stopped{' ' + old[old.index('('):] if '(' in old else ''}")
                else:
                    line += (f"{'-':>8} {'-':>8} | {new['seconds']:>7.2f} {mem_new:>7.0f} | "
                             f"{'':>7} {'':>6} | old {old}")
            else:
                mem_old = max(old["peak"] - old["rss_before"], 0.0)
                same = (old["attrs"] == new["attrs"]
                        and old["columns"].equals(new["columns"]))
                failed |= not same
                line += (f"{old['seconds']:>8.2f} {mem_old:>8.0f} | {new['seconds']:>7.2f} "
                         f"{mem_new:>7.0f} | {old['seconds'] / new['seconds']:>7.1f} "
                         f"{mem_old / max(mem_new, 1.0):>6.1f} | "
                         f"{'equal' if same else 'DIFFERENT'}")
            info = new["attrs"]
            print(line + f"   ({info['seizures']:,} seizures, {info['duplicates']:,} "
                  f"duplicates, {info['pairs']:,} compatible pairs)", flush=True)
    print("\nMB: peak RSS of the child above what it held before deduplicate was called; "
          "x: old / new")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
