"""Dump every event the flow gives on a fixed corpus, for before/after equivalence checks.

usage: python benchmarks/dump_events.py OUT.jsonl [--copies N]

A restructuring must not change what the product reads. Run this on the commit before
and after a change and compare the files with ``cmp``; any byte of difference is a
changed event, datelines included. The corpus:

* the development reports (``<benchmarks>/reports/d*.txt``) and the seed report;
* ``N`` (default 300) ~2 KB throughput copies: a development report followed by the
  body of the next one, each copy made unique (as ``bench_throughput.py`` builds them);
* every drugdetection sentence as a report of its own;
* the LGL and TR-News articles (general news: the false alarms);
* the seizure tables under ``tests/data/seizures`` (the spreadsheet path);
* the regional aggregates of the development reports' events.

Only the public API is used, so the script runs unchanged on either side of a move.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("SEIZURE_ATLAS_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))

TABLES = {  # the column names each test table uses
    "colombia_incautaciones.csv": {"place": ["MUNICIPIO", "DEPARTAMENTO"], "country": "PAIS",
                                   "substance": "CLASE BIEN", "date": "FECHA HECHO"},
    "peru_incautaciones.csv": {"place": ["PROVINCIA", "DEPARTAMENTO"], "country": "PE"},
    "russia_izyatiya.csv": {"country": "RU"},
}


def _plain(value):
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else repr(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if hasattr(value, "wkt"):
        return value.wkt
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    return value if isinstance(value, (str, int, bool)) else repr(value)


def _rows(frame, tag: str, out) -> int:
    cols = sorted(map(str, frame.columns))
    for i, rec in enumerate(frame.to_dict("records")):
        out.write(json.dumps({"set": tag, "i": i, **{c: _plain(rec[c]) for c in cols}},
                             ensure_ascii=False, sort_keys=True) + "\n")
    return len(frame)


def _reports_rows(reports, tag: str, out) -> None:
    for r in reports:
        out.write(json.dumps({"set": tag, "report": r.id, "dateline_place": r.dateline_place,
                              "dateline_country": r.dateline_country, "language": r.language,
                              "published": _plain(r.published), "agency": r.agency,
                              "span": _plain(r.dateline_span)},
                             ensure_ascii=False, sort_keys=True) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=300)
    args = parser.parse_args()
    import geo

    dev = sorted((BENCH / "reports").glob("d*.txt"))
    if not dev:
        sys.exit(f"no reports under {BENCH / 'reports'}")
    with tempfile.TemporaryDirectory() as tmp, open(args.out, "w", encoding="utf-8") as out:
        tmp = Path(tmp)
        counts = {}
        base = list(geo.read_reports(dev + sorted((REPO / "seeds").glob("*"))))
        _reports_rows(base, "dev", out)
        events = geo.extract(base)
        counts["dev"] = _rows(events, "dev", out)
        counts["dev-aggregate"] = _rows(geo.aggregate(events), "dev-aggregate", out)

        copies = tmp / "copies"
        copies.mkdir()
        texts = [p.read_text(encoding="utf-8") for p in dev]
        for i in range(args.copies):
            mark = f" (copy {i})"
            other = texts[(i + 1) % len(texts)].split("\n\n", 1)[-1]
            text = (texts[i % len(texts)] + "\n\n" + other).replace("\n\n", mark + "\n\n")
            (copies / f"c{i:05d}.txt").write_text(text, encoding="utf-8")
        rs = geo.read_reports(copies)
        _reports_rows(rs, "copies", out)
        counts["copies"] = _rows(geo.extract(rs), "copies", out)

        sents = json.loads((BENCH / "drugdetection" / "train.json").read_text(encoding="utf-8"))
        dd = tmp / "dd.jsonl"
        dd.write_text("".join(json.dumps({"id": str(s["id"]), "text": s["text"]}) + "\n"
                              for s in sents), encoding="utf-8")
        rs = geo.read_reports(dd, id_column="id")
        counts["drugdetection"] = _rows(geo.extract(rs), "drugdetection", out)

        for name in ("lgl-train.jsonl", "trnews-train.jsonl"):
            src = BENCH / "geoparsing" / name
            recs = [json.loads(line) for line in src.read_text(encoding="utf-8").split("\n")
                    if line.strip()]
            f = tmp / name
            f.write_text("".join(json.dumps({"id": str(r["doc"]), "text": r["text"]}) + "\n"
                                 for r in recs), encoding="utf-8")
            rs = geo.read_reports(f, id_column="id")
            _reports_rows(rs, name, out)
            counts[name] = _rows(geo.extract(rs), name, out)

        for name, cols in TABLES.items():
            path = REPO / "tests" / "data" / "seizures" / name
            try:
                frame = geo.read_seizures(path, **cols)
            except Exception as exc:  # a table the reader refuses is part of the answer too
                out.write(json.dumps({"set": name, "error": f"{type(exc).__name__}: {exc}"},
                                     ensure_ascii=False) + "\n")
                continue
            counts[name] = _rows(frame, name, out)
    print(" ".join(f"{k}={v}" for k, v in counts.items()), "->", args.out)


if __name__ == "__main__":
    main()
