"""Benchmark geo.aggregate on 100,000 synthetic events over the world's admin-1 regions.

Baseline, in the same run on the same events: a plain pandas groupby (kg per region and
substance, unstacked wide, joined to the region polygons) -- what a user would write by
hand without counts, litres, labs, dates, unlocated totals or popup lists.

    /work/venv/bin/python benchmarks/bench_aggregate.py [--events 100000] [--repeat 3] [--no-dedup]

``--no-dedup`` times ``aggregate(..., dedup=False)``: the summing alone, as for events
that carry geo.dedup's columns already (``geo map`` writes them). Without it every call
also deduplicates the synthetic events (geo.dedup), which at 1e6 events is most of the
time. The goal of issue 15: 1e6 events summed in <= 2 s and <= 1 GB.

Prints wall time (first call and best of --repeat), the CPU time of that best call
(process time: on a shared machine the wall time also counts waiting for a core), peak
traced memory (tracemalloc, a separate run) and the peak RSS the call added (Linux:
the high-water mark reset before it) for each variant, the ratios to the baseline,
then the process's max RSS. The machine may be shared: compare ratios, not absolute
seconds.

The ``sources`` column (the events behind each region, for the map's popups) is kept
compact and written as JSON text when read (geo.sources): the last lines time writing
every row's text (what regions.csv costs) and one region's (a popup).
"""
from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.aggregates import SUBSTANCES, aggregate  # noqa: E402
from geo.places.boundaries import default  # noqa: E402


def synthetic_events(boundaries, n: int, seed: int = 42) -> pd.DataFrame:
    """n events on random admin-1 regions: masses for most, pills, litres, labs, and
    5% with no admin-1 (country only) and 1% with a code the boundaries do not know."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(boundaries), n)
    codes = boundaries["code"].to_numpy(dtype=object)[pick]
    countries = boundaries["country"].to_numpy(dtype=object)[pick]
    subs = np.array([s for s in SUBSTANCES if s != "unspecified"], dtype=object)
    substance = rng.choice(subs, n)
    kind = rng.random(n)
    mass = kind < 0.85
    pills = (kind >= 0.85) & (kind < 0.92)
    litres = (kind >= 0.92) & (kind < 0.96)
    labs = kind >= 0.96
    kg = np.where(mass, np.round(rng.lognormal(2.0, 2.0, n), 3), np.nan)
    quantity = np.where(mass, kg, np.where(pills, rng.integers(10, 100_000, n),
                                           np.where(litres, rng.integers(1, 500, n), np.nan)))
    unit = np.where(mass, "kg", np.where(pills, "pills", np.where(litres, "gal", None)))
    admin1 = codes.copy()
    admin1[rng.random(n) < 0.05] = None
    admin1[rng.random(n) < 0.01] = "ZZ-999"
    days = rng.integers(0, 365 * 10, n)
    dates = (pd.Timestamp("2012-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d").to_numpy(dtype=object).copy()
    month_only = rng.random(n) < 0.2
    dates[month_only] = [d[:7] for d in dates[month_only]]
    return pd.DataFrame({
        "doc": [f"r{i // 3}" for i in range(n)],
        "substance": np.where(labs, None, substance),
        "quantity": quantity,
        "unit": unit,
        "quantity_kg": kg,
        "count": np.where(pills, quantity, np.nan),
        "labs_destroyed": np.where(labs, rng.integers(1, 6, n), np.nan),
        "place": codes,
        "country": countries,
        "admin1": admin1,
        "date": dates,
        "evidence": [{"sentence": f"synthetic sentence {i}", "start": 0, "end": 20} for i in range(n)],
    })


def baseline(events: pd.DataFrame, boundaries):
    wide = (events.groupby(["admin1", "substance"])["quantity_kg"].sum(min_count=1)
            .unstack("substance").add_prefix("kg_"))
    regions = boundaries[["code", "name", "country", "geometry"]].set_index("code")
    return regions.join(wide, how="inner")


def timed(fn, repeat: int) -> tuple[float, float, float, object]:
    """(first call, best of ``repeat`` calls, CPU time of that call, result): the first
    call of by="country" dissolves the polygons, later calls on the same boundary frame
    reuse them."""
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        c = time.process_time()
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t, time.process_time() - c))
    best = min(times)
    return times[0][0], best[0], best[1], out


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_added_mb(fn) -> float | None:
    """Peak RSS during ``fn`` minus the RSS before it (Linux: writing 5 to
    /proc/self/clear_refs resets the high-water mark); None where that is not possible."""
    gc.collect()
    try:  # memory freed by earlier runs back to the system, or fn would reuse it unseen
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return None
    before = _status_kb("VmRSS")
    fn()
    peak = _status_kb("VmHWM")
    if before is None or peak is None:
        return None
    return (peak - before) / 1024


def peak_mb(fn) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-dedup", action="store_true",
                    help="aggregate(dedup=False): summing alone, no deduplication")
    args = ap.parse_args(argv)
    kw = {"dedup": False} if args.no_dedup else {}

    boundaries = default()
    events = synthetic_events(boundaries, args.events)
    print(f"{len(events):,} events over {len(boundaries):,} admin-1 regions "
          f"({events['admin1'].nunique():,} distinct codes in the events)")

    _, base_t, base_c, base_out = timed(lambda: baseline(events, boundaries), args.repeat)
    base_m = peak_mb(lambda: baseline(events, boundaries))
    base_r = rss_added_mb(lambda: baseline(events, boundaries))

    def mb(v: float | None) -> str:
        return f"{v:8.1f}" if v is not None else f"{'n/a':>8s}"

    print(f"{'variant':34s} {'first s':>8s} {'best s':>8s} {'x base':>7s} {'cpu s':>7s} {'x base':>7s} "
          f"{'peak MB':>8s} {'x base':>7s} {'+RSS MB':>8s} {'rows':>6s}")
    print(f"{'baseline pandas groupby (kg only)':34s} {'':8s} {base_t:8.3f} {1:7.1f} {base_c:7.3f} {1:7.1f} "
          f"{base_m:8.1f} {1:7.1f} {mb(base_r)} {len(base_out):6d}")

    variants = {
        "aggregate(by='admin1')": lambda: aggregate(events, boundaries, **kw),
        "aggregate(by='admin1', freq='M')": lambda: aggregate(events, boundaries, freq="M", **kw),
        "aggregate(by='country')": lambda: aggregate(events, boundaries, by="country", **kw),
        "aggregate(all_regions=True)": lambda: aggregate(events, boundaries, all_regions=True,
                                                         **kw),
    }
    results = {}
    for name, fn in variants.items():
        first, t, c, out = timed(fn, args.repeat)
        m = peak_mb(fn)
        r = rss_added_mb(fn)
        results[name] = out
        print(f"{name:34s} {first:8.3f} {t:8.3f} {t / base_t:7.1f} {c:7.3f} {c / base_c:7.1f} "
              f"{m:8.1f} {m / base_m:7.1f} {mb(r)} {len(out):6d}")
        del out

    # the figures agree with the baseline where both have them
    agg = results["aggregate(by='admin1')"].set_index("region")
    common = base_out.index.intersection(agg.index)
    cols = [c for c in base_out.columns if c.startswith("kg_")]
    diff = (agg.loc[common, cols] - base_out.loc[common, cols]).abs().max().max()
    un = agg.attrs["unlocated"]
    print(f"max |aggregate - baseline| over {len(common)} regions: {diff:.3g} kg; "
          f"unlocated events: {int(un['events'].sum()):,} "
          f"({', '.join(f'{r}: {int(e):,}' for r, e in un.groupby('reason')['events'].sum().items())})")
    total = agg["events"].sum() + un["events"].sum()
    print(f"events in regions + unlocated = {int(total):,} of {len(events):,}")
    # the popups' lists, written when read: every row (regions.csv) and one region
    sources = agg["sources"]
    gc.collect()
    t = time.perf_counter()
    texts = sources.tolist()
    every = time.perf_counter() - t
    busiest = int(agg["events"].to_numpy().argmax())
    t = time.perf_counter()
    one = sources.iloc[busiest]
    single = time.perf_counter() - t
    print(f"sources text of all {len(texts):,} rows ({sum(map(len, texts)) / 1e6:.0f} MB): "
          f"{every:.2f} s; of the busiest region ({int(agg['events'].iloc[busiest]):,} events, "
          f"{len(one) / 1e3:.0f} kB): {single * 1e3:.0f} ms")
    del texts
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
