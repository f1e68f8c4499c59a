"""Land border crossing posts as the extractor reads them: the country across the border
from a post (``geo/vocab/border_crossings.csv``, the table the gazetteer build indexes the
posts from). A story often names only the other side ("at the Lebombo border post ... a
truck from Mozambique"): the post is still read there, on its own side."""
from __future__ import annotations

from collections import defaultdict

from ..caches import memo
from .gazetteer_build import read_border_crossings
from .names import BORDER_CROSSINGS_PATH, normalize

__all__ = ["across"]


@memo(1)
def _across_table() -> dict[tuple[str, str], frozenset[str]]:
    """(normalized name or spelling, country) of every post -> the countries across."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in read_border_crossings(BORDER_CROSSINGS_PATH):
        for name in row.names:
            out[(normalize(name), row.country)].add(row.across)
    return {key: frozenset(v) for key, v in out.items()}


def across(name: str, country: str | None) -> frozenset[str]:
    """The countries across the border from the post ``name`` (as written) of ``country``;
    empty where ``name`` is no post of that country in the table."""
    if not country:
        return frozenset()
    return _across_table().get((normalize(name), country), frozenset())
