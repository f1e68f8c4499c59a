"""The place context: the gazetteer, the geocoder and the boundaries one run shares.

One :class:`PlaceContext` is made by the pipeline (or by :func:`geo.extract` when called
alone) and handed to every step that places something: the report reader's datelines,
the extractor, the seizure-table reader, the join. So the geocoder the user chose is the
one every step asks, and the caches built on these resources live as long as the context.

:func:`default_context` is the process's context with the offline geocoder (what a call
without a context uses). :func:`clear_caches` forgets every cache of the package.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from ..errors import GeoError

__all__ = ["PlaceContext", "default_context", "is_default", "clear_caches"]

log = logging.getLogger(__name__)


class PlaceContext:
    """Gazetteer, geocoder and boundary set of one run, loaded on first use.

    :param geocoder: any geopy-style geocoder whose ``geocode(name, context=text)``
        answers carry ``raw`` keys country/admin1/...; default the offline geocoder over
        ``gazetteer``.
    :param gazetteer: a :class:`~geo.places.gazetteer.Gazetteer` for finding place
        mentions in text; default the offline geocoder's own, else the shared index.
    :param boundaries: the admin-1 set (``code, name, country, geometry``); default the
        package's Natural Earth set.

    Places that cannot be loaded (no cache folder, a broken index) are not fatal: the
    context warns once and gives ``None``, and the events are unlocated;
    :meth:`problems` says so, for the run's summary.
    """

    def __init__(self, geocoder: Any = None, gazetteer: Any = None, boundaries: Any = None):
        self.geocoder = geocoder
        self.gazetteer = gazetteer
        self._boundaries = boundaries
        self._loaded = False
        self.available = True
        self.error: str | None = None  # why places are unavailable

    def load(self) -> bool:
        """Open the gazetteer and make the default geocoder where none was given.

        :returns: whether places are available (else events will be unlocated).
        """
        if self._loaded:
            return self.available
        self._loaded = True
        if self.geocoder is not None and self.gazetteer is not None:
            return True
        if self.gazetteer is None:
            gz = getattr(self.geocoder, "gazetteer", None)
            if gz is not None and hasattr(gz, "find_mentions"):
                self.gazetteer = gz
        try:
            from .gazetteer import get_gazetteer
            from .geocoder import OfflineGeocoder

            if self.gazetteer is None:
                # progress=None: the build's bar or note follows set_progress (the CLI's
                # -q) and whether stderr is a terminal; a minute of silence looks hung
                self.gazetteer = get_gazetteer(progress=None)
            if self.geocoder is None:
                self.geocoder = OfflineGeocoder(self.gazetteer)
        except (GeoError, OSError, ImportError) as exc:
            self.error = _describe(exc)
            log.warning("places unavailable, events will be unlocated: %s", self.error)
            self.available = False
        return self.available

    def problems(self) -> list[str]:
        """What went wrong with places in this run, one sentence each (empty when
        nothing did): places that could not be loaded, and the geocoder's own
        (``problems()`` of :class:`~geo.places.online.CachedGeocoder`: a service that
        could not be reached, a cache that could not be written)."""
        out = []
        if self._loaded and not self.available:
            out.append(f"places unavailable, every event is unlocated: {self.error}")
        own = getattr(self.geocoder, "problems", None)
        if callable(own):
            out.extend(own())
        return out

    def dateline_country(self, place: str | None, text: str = "",
                         agency: str | None = None) -> str | None:
        """The country of a report's dateline place, read with this context's geocoder
        and gazetteer (see :mod:`geo.places.datelines`); None when unknown or when places
        are unavailable."""
        if not place or not self.load():
            return None
        from .datelines import dateline_country

        return dateline_country(place, text, agency, geocoder=self.geocoder,
                                gazetteer=self.gazetteer)

    @property
    def boundaries(self):
        """The admin-1 boundary set of this run (the package's unless one was given)."""
        if self._boundaries is None:
            from .boundaries import shared

            self._boundaries = shared()
        return self._boundaries

    def __repr__(self) -> str:
        return (f"PlaceContext(geocoder={type(self.geocoder).__name__}, "
                f"gazetteer={'loaded' if self.gazetteer is not None else 'not loaded'})")


def _describe(exc: BaseException) -> str:
    # an OSError from a cache folder says which folder; point at the setting that moves it
    if not isinstance(exc, OSError):
        return str(exc)
    where = f"{exc.filename}: " if exc.filename else ""
    return (f"cannot use the cache folder: {where}{exc.strerror or exc}; set "
            "SEIZURE_ATLAS_CACHE to a folder you can write")


_DEFAULT: PlaceContext | None = None
_DEFAULT_LOCK = threading.Lock()


def default_context() -> PlaceContext:
    """The process's context with the offline geocoder, loaded on first use.

    Its geocoder's per-name and per-text caches serve every call made without a context
    of its own (the report reader's datelines and the extractor alike).
    """
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            ctx = PlaceContext()
            ctx.load()
            _DEFAULT = ctx
        return _DEFAULT


def is_default(ctx: Any) -> bool:
    """Whether ``ctx`` is the process's default context (a worker process can make the
    same for itself; a context the caller made it cannot copy)."""
    return ctx is not None and ctx is _DEFAULT


def clear_caches() -> None:
    """Forget every cache of the package: the default context, the gazetteer's and the
    geocoders' memoised answers, prepared boundary indexes, loaded vocabularies.

    For long-running processes and tests; the next call loads what it needs again.
    """
    global _DEFAULT
    from .. import caches

    with _DEFAULT_LOCK:
        _DEFAULT = None
    caches.clear()
