"""Place-name finding on real news the extractor's rules were not written on: LGL and TR-News.

usage: python benchmarks/bench_place_recall.py [--limit N] [--verbose]

The extractor places figures with :class:`geo.extraction.linking.PlaceIndex`: the gazetteer's mention
scan, the geocoder, and a noise filter that drops capitalised words that are no places here
("Pablo", "Trueno"). Its rules were studied on the drugdetection sentences
(``bench_extract.py``); this script measures the same index on the two geoparsing corpora
(first 70 %, every toponym annotated by hand in whole articles), which no rule was written on:

* recall: gold toponyms overlapped by a kept mention that resolved to a place (a country,
  an admin-1, or a curated region such as "the Middle East");
* precision of sub-national mentions: kept mentions below country level (towns, districts,
  regions) that overlap a gold toponym. Country-level mentions are left out because the
  corpora do not annotate demonyms ("Iraqi"), which the index keeps on purpose as country
  evidence.

The data is read from ``../shared/benchmarks/geoparsing/`` next to the repository (override
with ``$SEIZURE_ATLAS_BENCHMARKS``); nothing is copied into the repository.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("SEIZURE_ATLAS_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def measure(path: Path, ctx, limit: int | None, verbose: bool) -> dict:
    from geo.extraction.linking import PlaceIndex

    gold_n = hit = sub_n = sub_ok = docs = 0
    misses: list[str] = []
    noise: list[str] = []
    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and gold_n >= limit:
                break
            doc = json.loads(line)
            text, gold = doc["text"], doc["toponyms"]
            docs += 1
            idx = PlaceIndex(text, gazetteer=ctx.gazetteer, geocoder=ctx.geocoder, skip=[])
            found = [pm for pm in idx.mentions if pm.country or pm.admin1 or pm.level == "region"]
            for g in gold:
                gold_n += 1
                if any(_overlaps(pm.start, pm.end, g["start"], g["end"]) for pm in found):
                    hit += 1
                elif verbose:
                    misses.append(f"{doc['doc']}: {g['phrase']!r}")
            for pm in found:
                if pm.level == "country":
                    continue
                sub_n += 1
                if any(_overlaps(pm.start, pm.end, g["start"], g["end"]) for g in gold):
                    sub_ok += 1
                elif verbose:
                    noise.append(f"{doc['doc']}: {pm.text!r} -> {pm.country}/{pm.admin1} "
                                 f"| {text[max(0, pm.start - 40):pm.end + 30]!r}")
    return {"docs": docs, "gold": gold_n, "hit": hit, "sub": sub_n, "sub_ok": sub_ok,
            "seconds": time.perf_counter() - t0, "misses": misses, "noise": noise}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="gold toponyms per corpus")
    ap.add_argument("--verbose", action="store_true", help="print every miss and every noise mention")
    args = ap.parse_args()
    from geo.extraction.core import ExtractionContext

    ctx = ExtractionContext()
    ctx.load()
    for name in ("lgl", "trnews"):
        path = BENCH / "geoparsing" / f"{name}-train.jsonl"
        if not path.exists():
            print(f"no {path}; skipped")
            continue
        r = measure(path, ctx, args.limit, args.verbose)
        rec = r["hit"] / r["gold"] if r["gold"] else 0.0
        prec = r["sub_ok"] / r["sub"] if r["sub"] else 0.0
        print(f"=== {name}: {r['docs']} articles, {r['gold']} gold toponyms, {r['seconds']:.1f} s ===")
        print(f"place recall (found and resolved)      {rec:.3f}  ({r['hit']}/{r['gold']})")
        print(f"precision of sub-national mentions     {prec:.3f}  ({r['sub_ok']}/{r['sub']})")
        if args.verbose:
            print("  misses:")
            for m in r["misses"]:
                print("   ", m)
            print("  sub-national mentions on no gold toponym:")
            for m in r["noise"]:
                print("   ", m)


if __name__ == "__main__":
    main()
