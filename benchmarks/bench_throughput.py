"""Extraction throughput: reports per second on one core, geocoding included, and peak memory.

usage: python benchmarks/bench_throughput.py [N]   (default N = 10,000 reports)

The reports are the development reports (``<benchmarks>/reports/d*.txt``), each followed
by the body of the next one (~2 KB), repeated to N, each copy made unique (its number is written into every paragraph) so
that no per-text cache (sentence splits, geocoding context) is hit across copies; a
second pass over exact repeats shows what the caches give on wire duplicates.
Baseline in the same run: pysbd sentence splitting alone of the same unique texts (the
cheapest step any extractor needs). Goal: >= 1,000 reports/s.
"""
from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("SEIZURE_ATLAS_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    try:  # one core, as the goal says
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    from geo.extraction import _Context, extract_report
    from geo.reports import read_reports

    base = list(read_reports(sorted((BENCH / "reports").glob("d*.txt"))))
    if not base:
        sys.exit(f"no reports under {BENCH / 'reports'}")
    ctx = _Context()
    ctx.load()
    extract_report(base[0], _ctx=ctx)  # warm: gazetteer index opened, pint factors cached

    def unique(i: int):
        # ~2 KB: a development report followed by the body of the next one
        r = base[i % len(base)]
        other = base[(i + 1) % len(base)].text.split("\n\n", 1)[-1]
        text = (r.text + "\n\n" + other).replace("\n\n", f" (copy {i})\n\n")
        return type(r)(id=f"{r.id}-{i}", text=text, title=r.title, published=r.published,
                       agency=r.agency, dateline_place=r.dateline_place,
                       dateline_country=r.dateline_country, language=r.language)

    reports = [unique(i) for i in range(n)]
    kb = sum(len(r.text.encode("utf-8")) for r in reports) / len(reports) / 1024

    import pysbd
    seg = pysbd.Segmenter(language="en", clean=False)
    t0 = time.perf_counter()
    for r in reports[: min(n, 2000)]:
        for para in r.text.split("\n"):
            if para.strip():
                seg.segment(para)
    base_rate = min(n, 2000) / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    events = 0
    for r in reports:
        events += len(extract_report(r, _ctx=ctx))
    dt = time.perf_counter() - t0
    rate = n / dt

    repeats = [unique(i % len(base)) for i in range(n)]  # the same len(base) texts over and over
    t0 = time.perf_counter()
    for r in repeats:
        extract_report(r, _ctx=ctx)
    rate_rep = n / (time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"reports: {n} unique texts of {kb:.1f} KB on average, {events} events")
    print(f"baseline (pysbd sentence splitting only): {base_rate:,.0f} reports/s")
    print(f"extract_report incl. geocoding, unique texts: {rate:,.0f} reports/s "
          f"({dt:.1f} s; {rate / base_rate:.2f}x the splitting baseline; goal 1,000/s -> {rate / 1000:.2f}x)")
    print(f"extract_report, exact repeats (caches warm):  {rate_rep:,.0f} reports/s")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
