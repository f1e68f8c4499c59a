"""Every process-wide cache of the package, bounded and cleared by one call.

Modules memoise through :func:`memo` (``functools.lru_cache`` with a size it must name)
and register other caches' clear functions with :func:`on_clear`, so that
:func:`clear` (also :func:`geo.places.context.clear_caches`) empties them all and a
test can check that none grows without bound.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

__all__ = ["memo", "on_clear", "clear", "registered"]

F = TypeVar("F", bound=Callable[..., Any])

_CLEARERS: list[Callable[[], None]] = []
_MEMOS: list[Any] = []


def memo(maxsize: int) -> Callable[[F], F]:
    """``functools.lru_cache(maxsize)``, registered for :func:`clear`. A size is required:
    a cache keyed on text or names would otherwise grow with the archive."""
    if not isinstance(maxsize, int) or maxsize < 1:
        raise ValueError(f"a cache needs a positive size, got {maxsize!r}")

    def wrap(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _MEMOS.append(cached)
        return cached  # type: ignore[return-value]

    return wrap


def on_clear(clearer: Callable[[], None]) -> Callable[[], None]:
    """Register the clear function of a cache that is not a :func:`memo` (a dict, an
    object's own lru_cache); returns it unchanged, so it can decorate."""
    _CLEARERS.append(clearer)
    return clearer


def registered() -> list[Any]:
    """The :func:`memo` caches made so far (their ``cache_info()`` tells size and bound)."""
    return list(_MEMOS)


def clear() -> None:
    """Empty every registered cache."""
    for cached in _MEMOS:
        cached.cache_clear()
    for clearer in _CLEARERS:
        clearer()
