"""Extraction throughput: reports per second on one core, geocoding included, and peak memory.

usage: python benchmarks/bench_throughput.py [N]   (default N = 10,000 reports; 1000 for a
quick run of ~1 minute; ``--help`` for the options)

The reports are the development reports (``<benchmarks>/reports/d*.txt``), each followed
by the body of the next one (~2 KB), repeated to N, each copy made unique (its number is
written into every paragraph) so that no per-text cache (sentence splits, the geocoder's
context analysis) is hit across copies.

Passes, all in this run and on the same core:

* baselines: reading the texts (a plain word split) and pysbd sentence splitting of
  every paragraph (the splitter the extractor used before, run over all the text);
* ``extract, every report distinct``: the run's geocoder memo emptied before each report,
  i.e. no report shares anything with another (the worst case: a corpus of unrelated
  stories);
* ``extract, one run``: as :func:`geo.extract` runs: the geocoder answers are memoised
  over the run (``linking.GeocodeMemo``, keyed on
  ``OfflineGeocoder.context_signature``: an answer is reused only where everything it
  depends on -- the query, the shares of its readings' countries and regions in the
  report, the wording around the name -- is the same), on copies the first pass has not
  seen;
* ``geocoder alone``: the offline geocoder's calls as linking makes them (every name the
  report's mention scan finds, ``exactly_one=False, limit=8, explain=False``), per call,
  on texts it has not seen (its per-text context analysis timed apart);
* ``exact repeats``: the same 47 texts over and over (wire duplicates);
* ``stories with no figure or lab``: ~2 KB of the dev reports' paragraphs that hold no
  figure and no lab (most of a news feed), which extraction passes over after one scan.

* beside the goal: ``geo.extract(jobs=...)`` over every core the machine allows, against
  ``jobs=1`` on the same kind of reports in the same run.

Goal: >= 1,000 reports/s (one core). Peak memory is the process's max RSS (gazetteer and boundary
data included), with the RSS before extraction for reference.
"""
from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("SEIZURE_ATLAS_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def unique_report(base: list, i: int):
    """Report ``i`` of the corpus (~2 KB): a development report of ``base`` followed by
    the body of the next one, its number written into every paragraph, so that no
    per-text cache is hit across copies (benchmarks/bench_dask.py builds its files so)."""
    r = base[i % len(base)]
    other = base[(i + 1) % len(base)].text.split("\n\n", 1)[-1]
    mark = f" (copy {i})"
    text = (r.text + "\n\n" + other).replace("\n\n", mark + "\n\n")
    span = r.dateline_span
    if span is not None:  # as geo.read.reports gives it: moved by the marks written before it
        shift = len(mark) * r.text.count("\n\n", 0, span[0])
        span = (span[0] + shift, span[1] + shift)
    return type(r)(id=f"{r.id}-{i}", text=text, title=r.title, published=r.published,
                   agency=r.agency, dateline_place=r.dateline_place,
                   dateline_country=r.dateline_country, language=r.language,
                   dateline_span=span)


def _geocoder_alone(ctx, base, n: int) -> tuple[float, float, int]:
    """ms per geocode call and per context analysis, over ``n`` unseen report texts."""
    import inspect

    geocoder, gaz = ctx.geocoder, ctx.gazetteer
    extra = {"explain": False} if "explain" in inspect.signature(geocoder.geocode).parameters else {}
    texts = [base[i % len(base)].text + f" (geocoder copy {i})" for i in range(n)]
    names = [list(dict.fromkeys(m.text for m in gaz.find_mentions(t))) for t in texts]
    calls = 0
    t_ctx = t_geo = 0.0
    for text, qs in zip(texts, names):
        t0 = time.perf_counter()
        if hasattr(geocoder, "_context_cache"):
            geocoder._context_cache(text)
        t1 = time.perf_counter()
        for q in qs:
            geocoder.geocode(q, context=text, exactly_one=False, limit=8, **extra)
        t_ctx += t1 - t0
        t_geo += time.perf_counter() - t1
        calls += len(qs)
    return t_geo / max(calls, 1) * 1e3, t_ctx / max(n, 1) * 1e3, calls


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000,
                        help="reports per pass (default 10,000; 1,000 for a quick run)")
    n = parser.parse_args().n
    try:  # one core, as the goal says
        all_cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(all_cores)})
    except (AttributeError, OSError):
        all_cores = set()
    from geo.extraction.core import ExtractionContext, extract_report
    from geo import read_reports  # the reader with dateline countries, as users call it

    base = list(read_reports(sorted((BENCH / "reports").glob("d*.txt"))))
    if not base:
        sys.exit(f"no reports under {BENCH / 'reports'}")
    # as the geo command does (geo.cli): the loaded heap set aside from the collector
    from geo.extraction.heap import set_heap_aside_after_load

    set_heap_aside_after_load()
    ctx = ExtractionContext()
    ctx.load()
    extract_report(base[0], context=ctx)  # warm: gazetteer index opened, pint factors cached
    ctx.memo.clear()

    def unique(i: int):
        return unique_report(base, i)

    distinct = [unique(n + i) for i in range(n)]
    reports = [unique(i) for i in range(n)]
    kb = sum(len(r.text.encode("utf-8")) for r in reports) / len(reports) / 1024
    rss_before = _rss_mb()

    t0 = time.perf_counter()
    words = sum(len(r.text.split()) for r in reports)
    read_rate = n / (time.perf_counter() - t0)

    import pysbd
    seg = pysbd.Segmenter(language="en", clean=False)
    m = min(n, 2000)
    t0 = time.perf_counter()
    for r in reports[:m]:
        for para in r.text.split("\n"):
            if para.strip():
                seg.segment(para)
    sbd_rate = m / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    for r in distinct:
        ctx.memo.clear()
        extract_report(r, context=ctx)
    cold = n / (time.perf_counter() - t0)
    rss_cold = _rss_mb()

    ctx.memo.clear()
    ctx.memo.hits = ctx.memo.misses = 0
    t0 = time.perf_counter()
    events = 0
    for r in reports:
        events += len(extract_report(r, context=ctx))
    dt = time.perf_counter() - t0
    rate = n / dt
    asked = ctx.memo.hits + ctx.memo.misses
    hit_rate = ctx.memo.hits / asked if asked else 0.0
    rss_run = _rss_mb()

    # stories with no figure and no lab (most of a news feed): the paragraphs of the
    # development reports that hold none, ~2 KB each, made unique the same way
    from geo.extraction.core import _has_lab_noun
    from geo.text.quantities import find_quantities

    quiet = [p for r in base for p in r.text.split("\n\n")
             if p.strip() and not find_quantities(p) and not _has_lab_noun(p)]
    background = []
    for i in range(n):
        paras, size, j = [], 0, i
        while size < 1900:
            paras.append(quiet[j % len(quiet)] + f" (copy {i})")
            size += len(paras[-1])
            j += 7
        background.append(type(base[0])(id=f"bg-{i}", text="\n\n".join(paras)))
    t0 = time.perf_counter()
    for r in background:
        extract_report(r, context=ctx)
    rate_bg = n / (time.perf_counter() - t0)

    ms_call, ms_ctx, calls = _geocoder_alone(ctx, base, min(n, 1000))

    repeats = [unique(i % len(base)) for i in range(n)]  # the same len(base) texts over and over
    t0 = time.perf_counter()
    for r in repeats:
        extract_report(r, context=ctx)
    rate_rep = n / (time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # beside the goal: geo.extract(jobs=...) over every core this machine allows, against
    # jobs=1 on the same reports in this run (the workers are child processes: their
    # memory is not in the peak above)
    multi = None
    if len(all_cores) > 1:
        from geo.extraction.core import extract

        os.sched_setaffinity(0, all_cores)
        m = min(n, 2000)
        sample = [unique(3 * n + i) for i in range(m)]
        t0 = time.perf_counter()
        extract(sample[: m // 2], jobs=1)
        one = (m // 2) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        extract(sample[m // 2:], jobs=len(all_cores))
        multi = (len(all_cores), one, (m - m // 2) / (time.perf_counter() - t0))

    print(f"reports: {n} unique texts of {kb:.1f} KB on average ({words / n:.0f} words), {events} events")
    print(f"baseline, reading the texts (word split):       {read_rate:,.0f} reports/s")
    print(f"baseline, pysbd splitting of all the text:      {sbd_rate:,.0f} reports/s")
    print(f"extract, every report distinct (no memo hits):  {cold:,.0f} reports/s "
          f"({cold / sbd_rate:.2f}x pysbd alone; goal 1,000/s -> {cold / 1000:.2f}x)")
    print(f"extract, one run (geocoder memo, {hit_rate:.0%} hits):  {rate:,.0f} reports/s "
          f"({dt:.1f} s; {rate / sbd_rate:.2f}x pysbd alone; goal 1,000/s -> {rate / 1000:.2f}x)")
    print(f"extract, exact repeats (caches warm):           {rate_rep:,.0f} reports/s")
    print(f"geocoder alone: {ms_call:.3f} ms per geocode call ({calls:,} calls, as linking "
          f"makes them), context analysis {ms_ctx:.3f} ms per report")
    print(f"extract, stories with no figure or lab:         {rate_bg:,.0f} reports/s "
          f"({len(quiet)} such paragraphs in the dev reports, ~2 KB per story)")
    print(f"memory: RSS {rss_before:,.0f} MB before extraction (gazetteer, boundaries, the "
          f"{4 * n:,} test texts), {rss_cold:,.0f} MB after the distinct pass, {rss_run:,.0f} MB "
          f"after the one-run pass ({len(ctx.memo._answers):,} memoised answers); "
          f"peak (max RSS) {peak_mb:,.0f} MB")
    if multi is not None:
        cores, one, many = multi
        print(f"beside the goal, geo.extract(jobs={cores}) on {cores} cores: {many:,.0f} reports/s "
              f"against {one:,.0f}/s with jobs=1 in this run ({many / one:.2f}x)")


if __name__ == "__main__":
    main()
