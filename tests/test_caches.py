"""Every cache of the package is bounded, and one call clears them all without changing
what the next run gives."""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import geo
from geo import caches
from geo.places import context

GEO = Path(geo.__file__).resolve().parent
SEED = GEO.parent / "seeds"


def _import_every_module() -> None:
    for info in pkgutil.walk_packages(geo.__path__, "geo."):
        importlib.import_module(info.name)


def test_no_cache_grows_without_bound():
    # a cache keyed on texts or names must have a size, or a long run's memory grows
    # with the archive
    unbounded = []
    for path in GEO.rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"lru_cache\((?:maxsize=)?None\)|functools\.cache\b|@cache\b", line):
                unbounded.append(f"{path.relative_to(GEO.parent)}:{n}: {line.strip()}")
    assert not unbounded, "\n".join(unbounded)
    _import_every_module()
    assert caches.registered(), "no module registers its caches"
    for cached in caches.registered():
        assert cached.cache_info().maxsize, cached


def test_one_call_clears_every_cache_and_the_next_run_gives_the_same_events():
    first = geo.extract(geo.read_reports(SEED))
    before = context.default_context()
    assert any(c.cache_info().currsize for c in caches.registered())
    context.clear_caches()
    assert all(c.cache_info().currsize == 0 for c in caches.registered())
    again = geo.extract(geo.read_reports(SEED))
    assert context.default_context() is not before  # the places were loaded anew
    cols = ["doc", "substance", "quantity_kg", "admin1", "country", "date", "agencies"]
    assert len(first) == 6 and first[cols].to_json() == again[cols].to_json()
