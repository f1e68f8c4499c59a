"""The scanning floor: one pass of a multi-pattern automaton over reports, two libraries.

usage: python benchmarks/bench_scan.py [N] [--no-gazetteer]   (default N = 1,000 reports)

The texts are the ``bench_throughput.py`` reports (~2 KB: a development report and the body
of the next one, each copy made unique). The vocabulary is the report vocabulary the
extractor scans with (:func:`geo.extraction.scanning.report_entries`: unit words, also
glued to a spelled-out number, number words, substance terms, lab stems, literal cue
phrases, agency names; ~3,600 keys), then the same with every gazetteer name added
(~200k names: "where practical" is what this measures). Each word is matched whole, any
case, on the text as :func:`geo.text.scan.fold` folds it (a word ``w`` is the key
``" w "`` over ``" " + fold(text) + " "``), so the engines answer the same question and
their hits are compared.

Passes, same texts, same run, one core:

* baseline: Python ``re``, the words as one alternation (longest first, grouped by first
  letter as :func:`geo.text.patterns.grouped_alternation` makes it), ``finditer`` over the
  folded text;
* pyahocorasick: ``Automaton.iter`` over the folded text (every hit: the raw pass), and
  :meth:`geo.text.scan.Scanner.scan` as the extractor calls it (hits as objects, the
  case-sensitive agency names checked);
* hyperscan: one block-mode database of the same keys as literals (``HS_FLAG_SOM_LEFTMOST``),
  ``Database.scan`` over the folded text's UTF-8 bytes with a Python callback per hit.

Also printed: the time to build each automaton and the wheels each library ships.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("SEIZURE_ATLAS_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))


def _texts(n: int) -> list[str]:
    base = [p.read_text(encoding="utf-8") for p in sorted((BENCH / "reports").glob("d*.txt"))]
    if not base:
        sys.exit(f"no reports under {BENCH / 'reports'}")
    out = []
    for i in range(n):
        r, other = base[i % len(base)], base[(i + 1) % len(base)].split("\n\n", 1)[-1]
        mark = f" (copy {i})"
        out.append((r + "\n\n" + other).replace("\n\n", mark + "\n\n"))
    return out


def _keys(words) -> list[str]:
    from geo.text.scan import fold

    return sorted({" " + fold(w) + " " for w in words if fold(w).strip()})


def _gazetteer_names() -> list[str]:
    from geo.places.gazetteer import get_gazetteer

    g = get_gazetteer()
    unpack, size, names = g._unpack, g._record_size, g._names
    out = set()
    for pid in range(len(g._records) // size):
        rec = unpack(g._records, pid * size)
        out.add(names[rec[3]:rec[3] + rec[4]])
    return sorted(out)


def _time(fn, texts) -> tuple[float, int]:
    t0 = time.perf_counter()
    hits = 0
    for t in texts:
        hits += fn(t)
    return (time.perf_counter() - t0) / len(texts) * 1e6, hits


def _measure(label: str, keys: list[str], texts: list[str], with_re: bool,
             scanner=None) -> None:
    import ahocorasick
    import hyperscan

    from geo.text.patterns import grouped_alternation
    from geo.text.scan import fold

    folded = [" " + fold(t) + " " for t in texts]
    print(f"\n{label}: {len(keys):,} keys")
    rows = []
    if with_re:
        t0 = time.perf_counter()
        body = grouped_alternation(re.escape(k.strip()) for k in keys)
        pattern = re.compile(r"(?<=\s)" + body + r"(?=\s)")
        build = time.perf_counter() - t0
        # an alternation takes one word per position: the automaton's overlapping hits
        # ("crystal meth" and "meth") are more; the time is what compares
        us, hits = _time(lambda t: sum(1 for _ in pattern.finditer(t)), folded)
        rows.append(("re, one alternation (baseline)", build, us, hits))
    t0 = time.perf_counter()
    auto = ahocorasick.Automaton()
    for k in keys:
        auto.add_word(k, len(k))
    auto.make_automaton()
    build = time.perf_counter() - t0
    us, hits_ac = _time(lambda t: sum(1 for _ in auto.iter(t)), folded)
    rows.append(("pyahocorasick, raw pass", build, us, hits_ac))
    if scanner is not None:
        us, hits = _time(lambda t: len(scanner.scan(t)), texts)
        rows.append(("pyahocorasick, Scanner.scan (hits as objects)", 0.0, us, hits))
    t0 = time.perf_counter()
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    exprs = [re.escape(k).encode("utf-8") for k in keys]
    db.compile(expressions=exprs, ids=list(range(len(exprs))),
               elements=len(exprs), flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * len(exprs))
    build = time.perf_counter() - t0
    found: list = []

    def on_hit(i, start, end, flags, ctx):
        found.append(i)

    def hs_scan(t: str) -> int:
        found.clear()
        db.scan(t.encode("utf-8"), match_event_handler=on_hit)
        return len(found)

    us, hits_hs = _time(hs_scan, folded)
    rows.append(("hyperscan, Database.scan", build, us, hits_hs))
    base_us = rows[0][2]
    for name, build, us, hits in rows:
        print(f"  {name:<48} build {build:6.2f} s  {us:8.1f} us/report  "
              f"{1e6 / us:9,.0f} reports/s  {base_us / us:6.1f}x the first row  {hits:,} hits")
    if hits_ac != hits_hs:
        print(f"  NOTE: the two automata disagree on the number of hits ({hits_ac} vs {hits_hs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--no-gazetteer", action="store_true",
                        help="leave out the pass with every gazetteer name")
    args = parser.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    from geo.extraction.scanning import report_entries, report_scanner

    texts = _texts(args.n)
    kb = sum(len(t.encode()) for t in texts) / len(texts) / 1024
    print(f"{len(texts)} reports of {kb:.1f} KB on average")
    words = [e.word for e in report_entries()]
    _measure("report vocabulary", _keys(words), texts, True, report_scanner())
    if not args.no_gazetteer:
        names = _gazetteer_names()
        _measure(f"report vocabulary and {len(names):,} gazetteer names", _keys(words + names),
                 texts[: max(1, len(texts) // 4)], False)
    from importlib import metadata

    for dist in ("pyahocorasick", "hyperscan"):
        try:
            md = metadata.metadata(dist)
            print(f"{dist} {md['Version']}: licence {md.get('License') or md.get('License-Expression')}")
        except metadata.PackageNotFoundError:
            print(f"{dist}: not installed")


if __name__ == "__main__":
    main()
