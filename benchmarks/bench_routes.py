"""Routes benchmark: the origin and destination the extractor gives the dev reports' events,
against our annotation of them (benchmarks/data/routes/gold_routes.jsonl: the shared gold
events with ``origin`` and ``destination`` added; see that folder's README).

usage: python benchmarks/bench_routes.py [--docs d001-d047] [--verbose]

Events are paired with the gold as the set's own ``score.py`` pairs them (same substance,
quantity within 2 %, or the same count or labs; greedy, same admin-1 first). Per field,
over the paired events: precision = right values / values given, recall = right values /
gold values; "exact" compares the codes as written (an admin-1 code must be that admin-1
code), "country" compares their countries (``EC-G`` -> ``EC``; a world region's name is
compared as it is). Gold events the extractor did not find count against recall, as
"unpaired".
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("SEIZURE_ATLAS_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))
GOLD = REPO / "benchmarks" / "data" / "routes" / "gold_routes.jsonl"
FIELDS = ("origin", "destination")


def _scorer():
    spec = importlib.util.spec_from_file_location("dev_score", BENCH / "reports" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _country(code: str | None) -> str | None:
    if not code:
        return None
    return code.split("-")[0] if code[:2].isupper() and code[:2].isalpha() else code


def pair(gold: list[dict], pred: list[dict]) -> list[tuple[dict, dict | None]]:
    """Each gold event with its paired prediction (None when none), as score.py pairs."""
    sc = _scorer()
    out = []
    docs = sorted({g["doc"] for g in gold})
    for doc in docs:
        gs = [sc.norm(g) for g in gold if g["doc"] == doc]
        ps = [sc.norm(p) for p in pred if p["doc"] == doc]
        cands = []
        for gi, g in enumerate(gs):
            for pi, p in enumerate(ps):
                err = sc.pair_error(g, p)
                if err is not None:
                    cands.append((g["admin1"] != p["admin1"], err, gi, pi))
        cands.sort()
        used_g, used_p, got = set(), set(), {}
        for _, _, gi, pi in cands:
            if gi in used_g or pi in used_p:
                continue
            used_g.add(gi)
            used_p.add(pi)
            got[gi] = ps[pi]["raw"]
        out.extend((g["raw"], got.get(gi)) for gi, g in enumerate(gs))
    return out


def score(pairs: list[tuple[dict, dict | None]]) -> dict[str, dict[str, float]]:
    """Per field and level: tp, given, gold, precision, recall."""
    res = {}
    for f in FIELDS:
        for level, norm in (("exact", lambda c: c or None), ("country", _country)):
            tp = given = want = 0
            for g, p in pairs:
                gv = norm(g.get(f))
                pv = norm(p.get(f)) if p else None
                want += gv is not None
                given += pv is not None
                tp += gv is not None and pv == gv
            res[f"{f}/{level}"] = {"tp": tp, "given": given, "gold": want,
                                   "precision": tp / given if given else float("nan"),
                                   "recall": tp / want if want else float("nan")}
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", default=None, help="a range such as d001-d047")
    ap.add_argument("--verbose", action="store_true", help="print every disagreement")
    args = ap.parse_args(argv)
    import geo

    gold = [json.loads(l) for l in GOLD.read_text(encoding="utf-8").splitlines() if l.strip()]
    if args.docs:
        lo, hi = args.docs.split("-")
        gold = [g for g in gold if lo <= g["doc"] <= hi]
    docs = sorted({g["doc"] for g in gold})
    folder = BENCH / "reports"
    reports = geo.read_reports([folder / f"{d}.txt" for d in docs])
    frame = geo.extract(reports)
    pred = [{k: (None if v != v else v) if not isinstance(v, (list, dict)) else v
             for k, v in row.items() if k != "geometry"}
            for row in frame.to_dict(orient="records")]
    pairs = pair(gold, pred)
    unpaired = sum(p is None for _, p in pairs)
    print(f"routes: {len(gold)} gold events in {len(docs)} reports, {len(pred)} extracted, "
          f"{unpaired} gold events unpaired")
    for key, r in score(pairs).items():
        print(f"{key:20s} P={r['precision']:.3f} ({r['tp']}/{r['given']})  "
              f"R={r['recall']:.3f} ({r['tp']}/{r['gold']})")
    if args.verbose:
        for g, p in pairs:
            for f in FIELDS:
                pv = p.get(f) if p else "<unpaired>"
                if (g.get(f) or None) != (pv or None):
                    print(f"  {g['doc']} {g['substance']} {g.get('quantity_kg')} {f}: "
                          f"gold={g.get(f)} got={pv}  [{(p or {}).get('route')}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
