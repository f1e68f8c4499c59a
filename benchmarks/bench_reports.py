"""Benchmark geo.read.reports: reading speed and dateline accuracy.

    python benchmarks/bench_reports.py [--n 10000]

1. Datelines on the development reports (``../shared/benchmarks/reports``, or
   ``$SEIZURE_ATLAS_BENCHMARKS/reports``): how many documents' datelines give a place,
   an agency and a country, and how many publication dates match ``sources.tsv``
   (precision: only the dates we give; coverage: of the dates known).
2. Throughput: N reports (the development texts repeated) read from N .txt files and
   from one .jsonl, against a baseline that only reads the same files' text
   (``Path.read_text``) in the same run. Prints reports/s and the ratio to the baseline.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import read_reports  # noqa: E402  (the reader with dateline countries)


def bench_dir() -> Path:
    env = os.environ.get("SEIZURE_ATLAS_BENCHMARKS")
    base = Path(env) if env else ROOT.parent / "shared" / "benchmarks"
    return base / "reports"


def datelines(folder: Path) -> None:
    sources = {}
    with open(folder / "sources.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            sources[row["id"]] = row["publish_date"].split(" ")[0]
    reports = [r for r in read_reports(sorted(folder.glob("d*.txt")))]
    n = len(reports)
    place = sum(1 for r in reports if r.dateline_place)
    agency = sum(1 for r in reports if r.agency)
    country = sum(1 for r in reports if r.dateline_country)
    known = {k: v for k, v in sources.items() if v[:4].isdigit()}
    given = [r for r in reports if r.published]
    right = [r for r in given if known.get(r.id, "").startswith(r.published)]
    print(f"datelines: {n} documents, place {place}, agency {agency}, "
          f"dateline country {country}")
    print(f"publication dates given: {len(given)} (correct {len(right)}; "
          f"{len(known)} known in sources.tsv; the others' datelines have no year)")
    for r in given:
        if r not in right:
            print(f"  wrong: {r.id} {r.published} vs {known.get(r.id)}")


def throughput(folder: Path, n: int) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("d*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = tmp / "files"
        files.mkdir()
        with open(tmp / "all.jsonl", "w", encoding="utf-8") as fh:
            for i in range(n):
                text = texts[i % len(texts)]
                (files / f"r{i:06d}.txt").write_text(text, encoding="utf-8")
                fh.write(json.dumps({"id": f"r{i}", "text": text}) + "\n")
        size = sum(len(t.encode()) for t in texts) / len(texts)

        read_reports(files / "r000000.txt")  # open the gazetteer outside the timing
        t0 = time.perf_counter()
        base = [p.read_text(encoding="utf-8") for p in sorted(files.iterdir())]
        t_base = time.perf_counter() - t0
        t0 = time.perf_counter()
        reps = read_reports(files)
        t_files = time.perf_counter() - t0
        t0 = time.perf_counter()
        reps2 = read_reports(tmp / "all.jsonl", id_column="id")
        t_jsonl = time.perf_counter() - t0
        t0 = time.perf_counter()
        reps3 = read_reports(files, resolve_places=False)
        t_noplace = time.perf_counter() - t0
    assert len(reps) == len(reps2) == len(reps3) == len(base) == n
    print(f"throughput: {n} reports of ~{size / 1000:.1f} KB")
    print(f"  baseline Path.read_text     {n / t_base:10,.0f} files/s")
    print(f"  read_reports(folder)        {n / t_files:10,.0f} reports/s "
          f"(x{t_files / t_base:.1f} the baseline's time)")
    print(f"  read_reports(folder), no dateline country  {n / t_noplace:10,.0f} reports/s")
    print(f"  read_reports(one .jsonl)    {n / t_jsonl:10,.0f} reports/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS {peak:,.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10000)
    args = ap.parse_args()
    folder = bench_dir()
    if not folder.is_dir():
        sys.exit(f"no benchmark folder at {folder} (set SEIZURE_ATLAS_BENCHMARKS)")
    datelines(folder)
    throughput(folder, args.n)


if __name__ == "__main__":
    main()
