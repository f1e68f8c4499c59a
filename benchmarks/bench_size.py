"""Benchmark: one large file against the same text as many small files.

    python benchmarks/bench_size.py [--sizes 1,10,50] [--keep DIR]

For each size (MB) it builds, at run time and in a temporary folder, a single .txt file
of that size from the development reports (``../shared/benchmarks/reports``, or
``$SEIZURE_ATLAS_BENCHMARKS/reports``) joined by blank lines only (the reader must find
the stories by their datelines), and as a baseline a folder holding the same stories one
per file. Each is read and extracted (``geo.pipeline.extract_events``, one process, one
job) in a fresh Python process, so that peak RSS is that run's own. Prints seconds,
reports/s, MB/s, peak RSS and the ratio single-file / many-files seconds.

The development set has 87 reports, so the large texts repeat them; the extractor's
bounded caches then serve repeated sentences in both runs alike, which keeps the ratio
fair but makes both faster than 50 MB of all-different news would be. No benchmark text
is stored in the repository.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench_dir() -> Path:
    env = os.environ.get("SEIZURE_ATLAS_BENCHMARKS")
    base = Path(env) if env else ROOT.parent / "shared" / "benchmarks"
    return base / "reports"


def stories_of_size(mb: float) -> list[str]:
    """Development reports, repeated in order, until their text reaches ``mb`` MB."""
    texts = [p.read_text(encoding="utf-8").strip()
             for p in sorted(bench_dir().glob("d[0-9]*.txt"))]
    if not texts:
        sys.exit(f"no development reports in {bench_dir()}")
    target, size, out = int(mb * 1_000_000), 0, []
    while size < target:
        t = texts[len(out) % len(texts)]
        out.append(t)
        size += len(t.encode("utf-8")) + 2
    return out


def run_one(path: str) -> None:
    """Child process: read and extract ``path``; print the figures as JSON."""
    sys.path.insert(0, str(ROOT))
    from geo.pipeline import extract_events
    from geo.places.context import default_context

    default_context().load()  # the gazetteer's load is not the file's cost
    t0 = time.perf_counter()
    events, summary = extract_events([path], progress=False, jobs=1)
    seconds = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "reports": summary.reports_read,
                      "events": len(events), "skipped": len(summary.skipped),
                      "rss_mb": rss_mb}))


def measure(path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,50", help="file sizes in MB (default 1,10,50)")
    ap.add_argument("--keep", help="build the files in this folder and keep them")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        run_one(args.one)
        return
    sizes = [float(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench_size_") as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        print(f"{'input':<26} {'MB':>6} {'reports':>8} {'events':>8} {'seconds':>8} "
              f"{'reports/s':>9} {'MB/s':>6} {'RSS MB':>7} {'ratio':>6}")
        for mb in sizes:
            stories = stories_of_size(mb)
            single = base / f"single_{mb:g}MB.txt"
            single.write_text("\n\n".join(stories) + "\n", encoding="utf-8")
            many = base / f"many_{mb:g}MB"
            many.mkdir(exist_ok=True)
            for k, story in enumerate(stories):
                (many / f"s{k:06d}.txt").write_text(story + "\n", encoding="utf-8")
            size_mb = single.stat().st_size / 1e6
            baseline = measure(many)
            result = measure(single)
            for name, r, ratio in ((f"{len(stories)} files", baseline, None),
                                   (f"1 file of {mb:g} MB", result,
                                    result["seconds"] / baseline["seconds"])):
                print(f"{name:<26} {size_mb:>6.1f} {r['reports']:>8} {r['events']:>8} "
                      f"{r['seconds']:>8.1f} {r['reports'] / r['seconds']:>9.0f} "
                      f"{size_mb / r['seconds']:>6.2f} {r['rss_mb']:>7.0f} "
                      f"{'' if ratio is None else f'{ratio:.2f}':>6}", flush=True)


if __name__ == "__main__":
    main()
