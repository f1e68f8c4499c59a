"""Eradication records: what the reader finds on the development reports, its false alarms
on news nobody labelled, and what it costs beside the seizure extraction.

usage: python benchmarks/bench_eradication.py

Prints, per corpus (the development reports, the LGL and TR-News articles, the
drugdetection sentences): texts with an area figure, eradication records (and how many
count in the sums), figures noted but not recorded (cultivation, a twin unit), and the
time of the eradication reader against the time of the whole extraction of the same texts
(``extract_report``, which runs it), measured in the same run. Every record is listed, to
be read against its report. The corpora are read from ``../shared/benchmarks/`` (or
``$SEIZURE_ATLAS_BENCHMARKS``); nothing is copied into the repository.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from count_cues import benchmarks_dir  # noqa: E402


def corpora() -> dict[str, list[tuple[str, str]]]:
    base = benchmarks_dir()
    out = {"dev reports": [(p.stem, p.read_text(encoding="utf-8"))
                           for p in sorted((base / "reports").glob("d*.txt"))]}
    for name in ("lgl-train.jsonl", "trnews-train.jsonl"):
        path = base / "geoparsing" / name
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                out[name.split("-")[0]] = [(f"{name}:{i}", json.loads(line)["text"])
                                           for i, line in enumerate(fh)]
    path = base / "drugdetection" / "train.json"
    if path.exists():
        out["drugdetection"] = [(r["id"], r["text"])
                                for r in json.loads(path.read_text(encoding="utf-8"))]
    return out


def main() -> int:
    from geo.extraction.core import ExtractionContext, extract_report
    from geo.extraction.eradication import area_figures, read_eradications
    from geo.read.reports import Report

    ctx = ExtractionContext()
    ctx.load()
    texts = corpora()
    if not texts["dev reports"]:
        print(f"no reports in {benchmarks_dir() / 'reports'}; nothing to measure")
        return 1
    listed = []
    print(f"{'corpus':16}{'texts':>7}{'areas':>7}{'records':>9}{'counted':>9}{'noted':>7}"
          f"{'reader s':>10}{'extract s':>11}{'share':>7}")
    for name, items in texts.items():
        reports = [Report(id=doc, text=text) for doc, text in items]
        t0 = time.perf_counter()
        found = [read_eradications(r, ctx) for r in reports]
        reader = time.perf_counter() - t0
        t0 = time.perf_counter()
        for r in reports:
            extract_report(r, not_events=[], context=ctx)  # the reader runs inside it
        whole = time.perf_counter() - t0
        records = [rec for recs, _ in found for rec in recs]
        noted = [n for _, ns in found for n in ns]
        areas = sum(1 for _, text in items if area_figures(text))
        print(f"{name:16}{len(items):>7}{areas:>7}{len(records):>9}"
              f"{sum(r.counted for r in records):>9}{len(noted):>7}{reader:>10.2f}{whole:>11.2f}"
              f"{reader / whole if whole else 0:>7.1%}")
        listed += [(name, r) for r in records]
    print("\nrecords:")
    for name, r in listed:
        print(f"  {name} {r.doc}: {r.area:g} {r.area_unit} = {r.hectares:g} ha {r.crop}, "
              f"{r.admin1 or r.country}, counted={r.counted}, flags={r.flags}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
