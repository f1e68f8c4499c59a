"""Derive the sizes real seizures have, per drug group, for ``geo/vocab/seizure_sizes.csv``.

usage: python benchmarks/derive_seizure_sizes.py [--write]

The extractor decides an ambiguous figure ("1.475 kilos": 1.475 kg or 1,475 kg?) partly by
how plausible each reading is for the drug seized. That needs the distribution of seizure
sizes, which this script measures on two public, annotated sources (read at run time from
``../shared/benchmarks`` or ``$SEIZURE_ATLAS_BENCHMARKS``; nothing is copied):

* the gold events of the development set's first part, ``d001``-``d047`` (``reports/gold.jsonl``:
  ``quantity_kg`` and ``substance`` as the annotators wrote them); the second part,
  ``d048``-``d087``, is left out: it measures the extractor and must not feed it;
* the drugdetection sentences (``drugdetection/train.json``): every annotated QUANTITY span
  that our quantity reader reads as one mass or volume, with the drug our substance reader
  finds nearest to it in the sentence. A dotted figure with two readings (``1.900``) is left
  out, so the table does not depend on the decision it feeds; a comma-grouped one
  (``2,175 kg``) counts at its English value, the reading the extractor keeps for it. The
  annotators' QUANTITY spans also hold some doses and prices ("6 milligrams ... per ounce"):
  they are a small share and pull the small tail a little.

Per drug group and kind (mass, volume) it prints the number of figures and the mean, standard deviation and
10/50/90 % quantiles of log10(kg); ``--write`` writes them to ``geo/vocab/seizure_sizes.csv``
(a derived table of summary statistics, with its sources in the header) — the log-normal
model ``geo.text.plausibility.size_log_likelihood`` reads.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BENCH = Path(os.environ.get("SEIZURE_ATLAS_BENCHMARKS", REPO.parent / "shared" / "benchmarks"))
OUT = REPO / "geo" / "vocab" / "seizure_sizes.csv"

HEADER = """\
# Sizes of real seizures per drug group: log10 of the kilograms seized.
# Derived by benchmarks/derive_seizure_sizes.py (rerun it to refresh; do not edit by hand)
# from two public annotated sources: the gold events of the development set's first part
# (reports/gold.jsonl, d001-d047 only, quantity_kg per substance) and the drugdetection news
# sentences (drugdetection/train.json: annotated QUANTITY spans read as one mass or volume,
# dotted figures with two readings left out, with the nearest drug named in the sentence;
# the spans hold some doses and prices too).
# Used by geo.text.plausibility.size_log_likelihood to weigh the two readings of an ambiguous figure
# ("1.475 kilos": 1.475 kg or 1,475 kg) by how often seizures of that drug have each size.
#   group        a drug group of groups.toml, * for every seizure of the kind, or
#                carrier:person / carrier:vehicle / carrier:vessel for the drugdetection
#                figures whose sentence names one such carrier (carriers.toml)
#   kind         mass (log10 kg) or volume (log10 litres); a group with fewer than 20
#                figures of a kind has no row (the * row of the kind stands for it)
#   n            figures measured
#   mean, sd     of log10 of the amount: kilograms (mass rows), litres (volume rows)
#   q10,q50,q90  quantiles of the same
"""


LAST_TUNING_DOC = "d047"  # the dev set's first part; d048-d087 measure, never tune
MIN_FIGURES = 20  # fewer figures give no row: the model falls back to the "*" row of the kind


_DOTTED = re.compile(r"\d\.\d{3}(?!\d)")  # "1.900": the figures whose reading the table decides


def _log_kg(value: float) -> float | None:
    return math.log10(value) if value and value > 0 else None


def gold_sizes() -> list[tuple[str, float]]:
    from geo.text.substances import drug_group

    out = []
    path = BENCH / "reports" / "gold.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        ev = json.loads(line)
        if ev["doc"] > LAST_TUNING_DOC:
            continue
        group = drug_group(ev.get("substance") or "")
        kg, kind = ev.get("quantity_kg"), "mass"
        if kg is None and ev.get("quantity") and ev.get("unit"):
            kg, kind = _litres(ev["quantity"], ev["unit"]), "volume"
        lk = _log_kg(kg) if kg is not None else None
        if group and lk is not None:
            out.append((group, kind, lk))
    return out


def drugdetection_sizes() -> list[tuple[str, float]]:
    from geo.text.quantities import find_quantities
    from geo.text.substances import find_substances
    from geo.text.units import to_kg

    out = []
    data = json.loads((BENCH / "drugdetection" / "train.json").read_text(encoding="utf-8"))
    for row in data:
        text = row["text"]
        spans = [(e["start"], e["end"]) for e in row["ents"] if e["label"] == "QUANTITY"]
        if not spans:
            continue
        drugs = [s for s in find_substances(text) if s.kind == "drug" and s.drug_group]
        if not drugs:
            continue
        for q in find_quantities(text):
            if q.kind == "count" or (q.alt_value is not None and _DOTTED.search(q.text)):
                continue
            if not any(a < q.end and q.start < b for a, b in spans):
                continue
            kg = to_kg(q.value, q.unit) if q.kind == "mass" else _litres(q.value, q.unit)
            lk = _log_kg(kg) if kg is not None else None
            if lk is None:
                continue
            near = min(drugs, key=lambda s: min(abs(s.start - q.end), abs(q.start - s.end)))
            out.append((near.drug_group, q.kind, lk))
            carrier = carrier_of(text)
            if carrier:
                out.append(("carrier:" + carrier, q.kind, lk))
    return out


def carrier_of(sentence: str) -> str | None:
    """The one carrier class (person, vessel, vehicle) the sentence names, else None."""
    from geo.text.plausibility import carrier_in

    return carrier_in(sentence)


def _litres(value: float, unit: str) -> float | None:
    from geo.text.units import litres

    return litres(value, unit)


def summarise(sizes: list[tuple[str, str, float]]) -> list[dict]:
    groups: dict[tuple[str, str], list[float]] = {}
    for g, kind, lk in sizes:
        keys = [(g, kind)] if g.startswith("carrier:") else [(g, kind), ("*", kind)]
        for key in keys:
            groups.setdefault(key, []).append(lk)
    rows = []
    for (g, kind), xs in groups.items():
        if len(xs) < MIN_FIGURES:
            continue
        xs = sorted(xs)
        q = statistics.quantiles(xs, n=10)
        rows.append({"group": g, "kind": kind, "n": len(xs), "mean": statistics.fmean(xs),
                     "sd": statistics.stdev(xs), "q10": q[0], "q50": statistics.median(xs),
                     "q90": q[-1]})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(REPO)}")
    args = ap.parse_args(argv)
    gold, dd = gold_sizes(), drugdetection_sizes()
    n_dd = sum(1 for g, _, _ in dd if not g.startswith("carrier:"))
    print(f"figures: dev gold {len(gold)}, drugdetection {n_dd} "
          f"({len(dd) - n_dd} of them with one carrier named)")
    rows = summarise(gold + dd)
    from geo.text.substances import DRUG_GROUPS

    order = {g: i for i, g in enumerate(("*",) + tuple(DRUG_GROUPS) + tuple(
        "carrier:" + c for c in ("person", "vehicle", "vessel")))}
    rows.sort(key=lambda r: (r["kind"], order.get(r["group"], 99)))
    print(f"{'group':12} {'kind':7} {'n':>5} {'mean':>6} {'sd':>5} {'q10':>6} {'q50':>6} {'q90':>6}  (log10 kg)")
    for r in rows:
        print(f"{r['group']:12} {r['kind']:7} {r['n']:5d} {r['mean']:6.2f} {r['sd']:5.2f} {r['q10']:6.2f} "
              f"{r['q50']:6.2f} {r['q90']:6.2f}")
    if args.write:
        lines = [HEADER.rstrip("\n"), "group,kind,n,mean,sd,q10,q50,q90"]
        lines += [f"{r['group']},{r['kind']},{r['n']},{r['mean']:.3f},{r['sd']:.3f},{r['q10']:.3f},"
                  f"{r['q50']:.3f},{r['q90']:.3f}" for r in rows]
        OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
