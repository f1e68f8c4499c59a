"""Cross-report deduplication on our labelled multi-outlet set (benchmarks/data/dedup).

    python benchmarks/bench_dedup.py [--events CACHE.csv] [--speed N]

1. Reads the 100 reports of ``reports.txt`` (37 seizures told 2-4 times each, plus
   near-misses), extracts their events (``geo.extract``) and deduplicates them
   (``geo.deduplicate``).
2. Pairwise precision and recall of the merges, over reports: a pair of reports is
   predicted merged when an event of one and an event of the other share a cluster,
   and is true when ``seizures.csv`` gives both the same seizure. Goal: P >= 0.95,
   R >= 0.90. Every wrong or missed pair is listed.
3. Regional totals (``geo.aggregate``, kg of every drug and dosage units per admin-1)
   after dedup, without it, and the truth (each seizure of ``seizures.csv`` once, with
   its exact figure): the issue's done-when is totals after dedup == truth.
4. Time per 1,000 events: the extracted events replicated into ``--speed`` events
   (default 10,000) with shifted dates and places, timed in ``deduplicate`` and in
   ``aggregate`` with and without dedup.

``--events`` caches the extracted events (the extraction takes a minute): a later run
reads them back instead of extracting again.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "dedup"


def read_blocks(path: Path) -> list[dict]:
    """The reports of ``reports.txt``: header lines, a blank line, the text."""
    out = []
    for block in path.read_text(encoding="utf-8").split("\n=== ")[1:]:
        head, _, text = block.partition("\n\n")
        lines = head.splitlines()
        rec = {"id": lines[0].strip()}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            rec[key.strip()] = value.strip()
        rec["text"] = text.strip()
        out.append(rec)
    return out


def extract(reports: list[dict]) -> pd.DataFrame:
    import geo

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dedup_reports.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for r in reports:
                fh.write(json.dumps({"id": r["id"], "date": r["date"], "text": r["text"]},
                                    ensure_ascii=False) + "\n")
        rs = geo.read_reports(path, id_column="id", date_column="date")
        return geo.extract(list(rs))


def pairwise(events: pd.DataFrame, gold: dict[str, str]) -> dict:
    docs = sorted(gold)
    true_pairs = {(a, b) for a, b in itertools.combinations(docs, 2) if gold[a] == gold[b]}
    pred_pairs = set()
    for _, g in events[events["cluster"].notna()].groupby("cluster"):
        for a, b in itertools.combinations(sorted(set(g["doc"].astype(str))), 2):
            pred_pairs.add((a, b))
    tp = true_pairs & pred_pairs
    return {"true": len(true_pairs), "predicted": len(pred_pairs), "tp": len(tp),
            "precision": len(tp) / len(pred_pairs) if pred_pairs else 1.0,
            "recall": len(tp) / len(true_pairs) if true_pairs else 1.0,
            "wrong": sorted(pred_pairs - true_pairs), "missed": sorted(true_pairs - pred_pairs)}


def totals(regions: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in regions.columns if c.startswith(("kg_", "count_")) and c != "kg_all"]
    long = pd.DataFrame(regions[["region"] + cols]).melt(id_vars="region", var_name="measure")
    return long[long["value"].notna()].set_index(["region", "measure"])["value"]


def truth(seizures: pd.DataFrame) -> pd.Series:
    rows = []
    for s in seizures.itertuples(index=False):
        if pd.notna(s.quantity_kg):
            rows.append((s.admin1, f"kg_{s.substance}", float(s.quantity_kg)))
        if pd.notna(s.count):
            rows.append((s.admin1, f"count_{s.substance}", float(s.count)))
    frame = pd.DataFrame(rows, columns=["region", "measure", "value"])
    return frame.groupby(["region", "measure"])["value"].sum()


def synthetic(events: pd.DataFrame, n: int) -> pd.DataFrame:
    """``events`` replicated to ``n`` rows: each copy another set of reports, a year
    later, so the copies stay apart and every block holds the usual load."""
    reps = int(np.ceil(n / max(len(events), 1)))
    parts = []
    for k in range(reps):
        part = events.copy()
        part["doc"] = part["doc"].astype(str) + f"~{k}"
        years = part["date"].astype(str).str[:4]
        ok = years.str.isdigit()
        part.loc[ok, "date"] = ((years[ok].astype(int) + k).astype(str)
                                + part.loc[ok, "date"].astype(str).str[4:])
        parts.append(part)
    return pd.concat(parts, ignore_index=True).iloc[:n].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=Path, help="cache of the extracted events (.pkl)")
    ap.add_argument("--speed", type=int, default=10_000, help="events for the timing")
    args = ap.parse_args(argv)
    import geo
    from geo.dedup import deduplicate

    reports = read_blocks(DATA / "reports.txt")
    seizures = pd.read_csv(DATA / "seizures.csv", dtype={"admin1": str, "country": str})
    gold = {r["id"]: r["seizure"] for r in reports}
    if args.events and args.events.exists():
        events = pd.read_pickle(args.events)
    else:
        t0 = time.perf_counter()
        events = extract(reports)
        print(f"extracted {len(events)} events from {len(reports)} reports in "
              f"{time.perf_counter() - t0:.1f} s")
        if args.events:
            pd.to_pickle(events, args.events)
    events = events.drop(columns=[c for c in ("cluster", "duplicate_of", "cluster_sources")
                                  if c in events])
    per_doc = events.groupby("doc").size()
    silent = sorted(set(gold) - set(per_doc.index))
    several = sorted(per_doc[per_doc > 1].index)
    print(f"reports: {len(reports)} ({seizures['kind'].eq('seizure').sum()} seizures told "
          f"2-4 times, {seizures['kind'].eq('near-miss').sum()} near-miss seizures); "
          f"events: {len(events)}")
    if silent:
        print(f"  reports with no event: {', '.join(silent)}")
    if several:
        print(f"  reports with several events: {', '.join(several)}")

    t0 = time.perf_counter()
    dd = deduplicate(events)
    elapsed = time.perf_counter() - t0
    info = dd.attrs["dedup"]
    print(f"dedup: {info['duplicates']} duplicates merged into {info['seizures']} seizures "
          f"({info['pairs']} compatible pairs) in {elapsed * 1000:.0f} ms")

    pw = pairwise(dd, gold)
    print(f"\npairwise over reports: precision {pw['precision']:.3f} "
          f"({pw['tp']}/{pw['predicted']}), recall {pw['recall']:.3f} ({pw['tp']}/{pw['true']})"
          f"   goal P >= 0.95, R >= 0.90")
    for a, b in pw["wrong"]:
        print(f"  WRONG  {a} ({gold[a]}) + {b} ({gold[b]})")
    where = events.groupby("doc")[["country", "admin1"]].first()

    def apart(a: str, b: str) -> bool:
        # the extraction put the two reports in two countries or two regions: the hard
        # rules keep them apart, whatever dedup does
        if a not in where.index or b not in where.index:
            return True
        for col in ("country", "admin1"):
            x, y = where.at[a, col], where.at[b, col]
            if pd.notna(x) and pd.notna(y) and x != y:
                return True
        return False

    for a, b in pw["missed"]:
        why = "extraction placed them apart" if apart(a, b) else "dedup"
        print(f"  MISSED {a} + {b} ({gold[a]}): {why}")
    placed = [p for p in itertools.chain(pw["missed"], []) if not apart(*p)]
    agree = pw["true"] - (len(pw["missed"]) - len(placed))
    print(f"  recall over the true pairs the extraction placed compatibly: "
          f"{pw['tp'] / agree:.3f} ({pw['tp']}/{agree})")

    # ---- regional totals: after dedup, without it, the truth
    after = totals(geo.aggregate(dd))
    before = totals(geo.aggregate(dd, dedup=False))
    want = truth(seizures)
    table = pd.concat({"truth": want, "dedup": after, "no dedup": before}, axis=1)
    table = table.sort_index()
    equal = np.isclose(table["truth"].fillna(-1), table["dedup"].fillna(-1), rtol=1e-6)
    print(f"\nregional totals: {int(equal.sum())}/{len(table)} region x substance figures "
          f"equal to the truth after dedup, {int(np.isclose(table['truth'].fillna(-1), table['no dedup'].fillna(-1), rtol=1e-6).sum())}"
          f"/{len(table)} without")
    print(f"  sum of figures: truth kg {want[[m.startswith('kg_') for m in want.index.get_level_values(1)]].sum():,.1f}, "
          f"dedup {after[[m.startswith('kg_') for m in after.index.get_level_values(1)]].sum():,.1f}, "
          f"no dedup {before[[m.startswith('kg_') for m in before.index.get_level_values(1)]].sum():,.1f}")
    close = np.isclose(table["truth"].fillna(-1), table["dedup"].fillna(-1), rtol=0.005)
    print(f"  within a unit conversion (0.5%): {int(close.sum())}/{len(table)}")
    # which reports the extraction put in another region than their seizure's: a total
    # they touch cannot equal the truth, whatever dedup does
    region_of = dict(zip(seizures["seizure"], seizures["admin1"]))
    misplaced: dict[str, list[str]] = {}
    for doc, seizure in gold.items():
        got = events.loc[events["doc"] == doc, "admin1"].dropna().unique().tolist()
        if got != [region_of[seizure]]:
            where_got = ", ".join(map(str, got)) or "no region"
            for region in {region_of[seizure], *got}:
                misplaced.setdefault(region, []).append(f"{doc} ({where_got})")
    clean = [r not in misplaced for r in table.index.get_level_values(0)]
    print(f"  figures of regions whose every report the extraction placed right: "
          f"{int(equal[clean].sum())}/{sum(clean)} equal")
    for (region, measure), row in table[~equal].iterrows():
        print(f"  DIFF {region} {measure}: truth {row['truth']}, dedup {row['dedup']}, "
              f"no dedup {row['no dedup']}"
              + (f"; placed otherwise by the extraction: {', '.join(misplaced[region])}"
                 if region in misplaced else ""))

    # ---- speed
    big = synthetic(events, args.speed)
    t0 = time.perf_counter()
    big_dd = deduplicate(big)
    t_dedup = time.perf_counter() - t0
    t0 = time.perf_counter()
    geo.aggregate(big_dd)
    t_agg = time.perf_counter() - t0
    t0 = time.perf_counter()
    geo.aggregate(big, dedup=False)
    t_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    geo.aggregate(big)  # dedup inside
    t_inside = time.perf_counter() - t0
    print(f"\nspeed on {len(big):,} events: deduplicate {t_dedup:.2f} s "
          f"({t_dedup / len(big) * 1000 * 1000:.0f} ms per 1,000 events, "
          f"{big_dd.attrs['dedup']['pairs']:,} compatible pairs); aggregate {t_plain:.2f} s "
          f"without dedup, {t_agg:.2f} s on deduplicated events, {t_inside:.2f} s "
          f"deduplicating inside")
    ok = pw["precision"] >= 0.95 and pw["recall"] >= 0.90 and bool(equal.all())
    print("\nresult:", "goals met" if ok else "goals NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
