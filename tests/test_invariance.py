"""Invariance (issue 11): a templated report gives the same events whatever its place, figure,
drug name, agency and word order -- each with the swapped values. The templates and their
fillers are data: tests/cases/invariance.json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.extraction.core import extract_report
from geo.read.reports import Report

DATA = json.loads((Path(__file__).parent / "cases" / "invariance.json").read_text("utf-8"))
PLACES, DRUGS, FIGURES, AGENCIES = (DATA[k] for k in ("places", "drugs", "figures", "agencies"))


def _cases(kind: str, n: int):
    # a deterministic walk through the fillers: steps prime to each list's length, so the
    # combinations differ from case to case instead of moving in lockstep
    out = []
    for i in range(n):
        t = DATA[kind][i % len(DATA[kind])]
        p, p2 = PLACES[(i * 3) % len(PLACES)], PLACES[(i * 3 + 5) % len(PLACES)]
        d, d2 = DRUGS[(i * 5) % len(DRUGS)], DRUGS[(i * 5 + 1) % len(DRUGS)]
        f, f2 = FIGURES[(i * 7) % len(FIGURES)], FIGURES[(i * 7 + 2) % len(FIGURES)]
        d3, f3 = DRUGS[(i * 5 + 2) % len(DRUGS)], FIGURES[(i * 7 + 4) % len(FIGURES)]
        a = AGENCIES[i % len(AGENCIES)]
        text = t.format(agency=a, place=p[0], figure=f[0], drug=d[0],
                        place2=p2[0], figure2=f2[0], drug2=d2[0], figure3=f3[0], drug3=d3[0])
        if kind in ("none", "list_none"):
            want = []
        elif kind == "list":  # one list, one place: three events there
            want = [(d[1], f[1], p[1]), (d2[1], f2[1], p[1]), (d3[1], f3[1], p[1])]
        elif kind == "list_two":  # the list's two items; the third figure is no seizure
            want = [(d[1], f[1], p[1]), (d2[1], f2[1], p[1])]
        else:
            want = [(d[1], f[1], p[1])] + ([(d2[1], f2[1], p2[1])] if kind == "two" else [])
        out.append(pytest.param(text, want, id=f"{kind}-{i}"))
    return out


@pytest.mark.parametrize("text, want", _cases("one", 48) + _cases("two", 24)
                         + _cases("none", 24) + _cases("restated", 12)
                         + _cases("list", 24) + _cases("list_two", 24)
                         + _cases("list_none", 24))
def test_swapped_values_give_the_same_events(text, want):
    events = extract_report(Report(id="inv", text=text))
    got = sorted((e.substance, round(e.quantity_kg, 6), e.admin1) for e in events)
    assert got == sorted(want), text
