"""Online geocoding for users with network: any geopy geocoder, cached and rate limited.

:class:`CachedGeocoder` wraps a geopy geocoder (Nominatim, GeoNames, Photon, ...) so
that it can stand in for :class:`geo.places.geocoder.OfflineGeocoder`:

* requests go through :class:`geopy.extra.rate_limiter.RateLimiter` (public services
  such as Nominatim allow one request a second), with errors *not* swallowed: a
  failing provider raises :class:`ProviderError`, which names the query and is both
  our :class:`~geo.errors.GeocodingError` and geopy's
  :class:`~geopy.exc.GeocoderServiceError`;
* answers are kept in a SQLite file so that a second run over the same reports asks
  the provider nothing (a cache hit never calls the provider; errors are never cached);
* with a ``context`` (the report text) the provider's answers are ranked by the
  countries and regions the text names, with the offline geocoder's evidence
  (:func:`geo.places.geocoder.analyse_context`), still in one request;
* every point goes through the same reverse step as the offline geocoder
  (:func:`geo.places.locate.region_at`), so ``Location.raw`` carries the same keys:
  ``name, feature_class, country, admin1, admin1_name, score, population, source,
  reason`` plus ``provider_raw`` (the provider's own answer).

The cache stores what the provider said (address, lat, lon, raw), not the region we
derived from it, so changing the boundary set never serves stale admin-1 codes.

:func:`make_geocoder` builds the geocoder the CLI asks for (``--geocoder nominatim
--user-agent "my-app/1.0 (me@example.org)"``).
"""
from __future__ import annotations

import inspect
import json
import logging
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from ..errors import GeocodingError

__all__ = ["CachedGeocoder", "ProviderError", "make_geocoder", "cache_dir", "provider_id"]

log = logging.getLogger(__name__)

# No connection, a timeout or HTTP 503: the service cannot be reached (as opposed to a
# service that answers with an error about this one query).
_UNREACHABLE = (GeocoderUnavailable, GeocoderTimedOut)

# Bump when the stored layout changes; an older file is then emptied, not misread.
_SCHEMA_VERSION = 1

_NOMINATIM_PUBLIC = "nominatim.openstreetmap.org"

# Context ranking of a provider's answers (log-odds-like units, as in geo.places.geocoder):
# a country named throughout the context outweighs the provider's own order.
_CONTEXT_COUNTRY = 4.0
_CONTEXT_ADMIN1 = 3.0
_RANK_PENALTY = 0.5

# GeoNames feature codes of countries (PCLI independent, PCLD dependent, ...).
_COUNTRY_FCODES = {"PCL", "PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "TERR"}
# ... and of areas wider than one admin-1 region (continent, ocean, sea, region)
_SUPRANATIONAL_FCODES = {"CONT", "OCN", "SEA", "GULF", "RGN", "RGNE", "RGNH", "ZN"}


class ProviderError(GeocodingError, GeocoderServiceError):
    """An online provider failed on a query (after the rate limiter's retries).

    It is both our :class:`GeocodingError` (so ``except geo.GeoError`` catches it) and
    geopy's :class:`GeocoderServiceError` (so code written for geopy keeps working).
    ``query``, ``provider`` and ``error`` (geopy's original exception, also the
    ``__cause__``) say what failed.
    """

    def __init__(self, message: str, *, query: Any = None, provider: str | None = None,
                 error: BaseException | None = None):
        super().__init__(message)
        self.query = query
        self.provider = provider
        self.error = error


class _Final(Exception):
    """Carries a provider error that no retry can fix past the RateLimiter's retries."""

    def __init__(self, error: GeocoderServiceError):
        super().__init__(str(error))
        self.error = error


def _is_final(error: GeocoderServiceError) -> bool:
    # a bad query, a bad key or a spent quota fail the same way on every retry; a
    # timeout, an outage, HTTP 5xx or "too many requests" (429) may not
    if isinstance(error, GeocoderRateLimited):
        return False
    return isinstance(error, (GeocoderQueryError, GeocoderAuthenticationFailure,
                              GeocoderInsufficientPrivileges, GeocoderQuotaExceeded))


def cache_dir() -> Path:
    """The folder for seizure atlas' caches, shared with the gazetteer's index.

    ``$SEIZURE_ATLAS_CACHE`` if set, else the user cache folder
    (``~/.cache/seizure-atlas`` on Linux); see :func:`geo.places.gazetteer.cache_dir`.
    """
    from .gazetteer import cache_dir as gazetteer_cache_dir

    return gazetteer_cache_dir()


def provider_id(geocoder: Any) -> str:
    """A stable name for a geocoder's provider, used in cache keys and file names.

    The class name, plus the host for providers that can point at another server
    (a private Nominatim answers differently from the public one).
    """
    name = type(geocoder).__name__.lower()
    domain = getattr(geocoder, "domain", None)
    if isinstance(domain, str) and domain:
        return f"{name}@{domain.strip('/').lower()}"
    return name


def _normalize_query(query: Any) -> str:
    """Cache key of a query: case- and whitespace-insensitive, accents kept.

    Accents are kept on purpose: providers answer "Bogotá" and "Bogota" alike but not
    every pair of accented names is the same place.
    """
    if isinstance(query, Mapping):
        items = {str(k): _normalize_query(v) for k, v in query.items() if v is not None}
        return json.dumps(items, sort_keys=True, ensure_ascii=False)
    text = unicodedata.normalize("NFC", str(query)).casefold()
    return " ".join(text.split())


def _country_list(country_codes: Any) -> list[str]:
    if not country_codes:
        return []
    if isinstance(country_codes, str):
        country_codes = re.split(r"[,\s]+", country_codes)
    return sorted({str(c).strip().upper() for c in country_codes if str(c).strip()})


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is no number


def _describe(raw: Any) -> dict[str, Any]:
    """What a provider's raw answer says about feature class, country and size.

    Knows Nominatim (place_rank, addresstype, address.country_code, importance,
    extratags.population), GeoNames (fcode, countryCode, population) and Photon
    (properties.type, properties.countrycode); anything else gives no hints.
    """
    info: dict[str, Any] = {"feature_class": None, "country": None, "population": 0,
                            "score": None, "name": None, "kind": None}
    if not isinstance(raw, Mapping):
        return info
    props = raw.get("properties") if isinstance(raw.get("properties"), Mapping) else {}
    address = raw.get("address") if isinstance(raw.get("address"), Mapping) else {}
    extratags = raw.get("extratags") if isinstance(raw.get("extratags"), Mapping) else {}

    info["name"] = raw.get("name") or props.get("name") or raw.get("toponymName") or None
    country = (address.get("country_code") or raw.get("countryCode")
               or props.get("countrycode") or None)
    info["country"] = str(country).upper() if country else None
    population = _number(extratags.get("population") or raw.get("population"))
    info["population"] = int(population) if population and population > 0 else 0
    importance = _number(raw.get("importance"))
    if importance is not None:
        info["score"] = min(max(importance, 0.0), 1.0)

    rank = _number(raw.get("place_rank"))
    fcode = str(raw.get("fcode") or "").upper()
    kind = str(raw.get("addresstype") or raw.get("type") or props.get("type") or "").lower()
    info["kind"] = kind or fcode or None
    if rank is not None:
        # Nominatim's address ranks: 4 country, 5-9 state/province, 10-12 county,
        # 13-25 city down to hamlet/neighbourhood, above that streets and buildings.
        if rank < 4:
            info["feature_class"] = "region"
        elif rank == 4:
            info["feature_class"] = "country"
        elif rank <= 9:
            info["feature_class"] = "admin1"
        elif rank <= 12:
            info["feature_class"] = "admin2"
        else:
            info["feature_class"] = "ppl"
    elif fcode:
        if fcode in _COUNTRY_FCODES:
            info["feature_class"] = "country"
        elif fcode.startswith("ADM1"):
            info["feature_class"] = "admin1"
        elif fcode.startswith("ADM2"):
            info["feature_class"] = "admin2"
        elif fcode in _SUPRANATIONAL_FCODES:
            info["feature_class"] = "region"
        else:
            # towns and every spot feature (airport, park, church): a point in a region
            info["feature_class"] = "ppl"
    elif kind:
        info["feature_class"] = {
            "country": "country", "state": "admin1", "province": "admin1",
            "county": "admin2", "district": "admin2", "city": "ppl", "town": "ppl",
            "village": "ppl", "hamlet": "ppl", "locality": "ppl", "suburb": "ppl",
        }.get(kind)
    return info


class _Cache:
    """The SQLite file behind :class:`CachedGeocoder` (one connection, one lock).

    A file that cannot be created or written (a read-only or missing folder) is no
    reason to stop: the answers are then kept in memory for the run, and ``error`` says
    why they are not kept for the next one. A file that is not a cache is an error.
    """

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self.error: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open(str(path))
        except (sqlite3.OperationalError, OSError) as exc:
            # not "file is not a database" (a DatabaseError): that one is raised below
            self._fall_back(exc)
        except sqlite3.Error as exc:
            raise GeocodingError(f"{path}: cannot open the geocoding cache: {exc}") from exc

    @staticmethod
    def _open(where: str) -> sqlite3.Connection:
        # check_same_thread=False: a RateLimiter-wrapped geocoder may be shared by a
        # thread pool; the lock serialises access instead.
        db = sqlite3.connect(where, check_same_thread=False)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, _SCHEMA_VERSION):
            db.execute("DROP TABLE IF EXISTS geocode")
        db.execute(
            "CREATE TABLE IF NOT EXISTS geocode ("
            " provider TEXT NOT NULL, query TEXT NOT NULL,"
            " country_codes TEXT NOT NULL, options TEXT NOT NULL,"
            " results TEXT NOT NULL, created TEXT NOT NULL,"
            " PRIMARY KEY (provider, query, country_codes, options))"
        )
        db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        db.commit()
        return db

    def _fall_back(self, exc: BaseException) -> None:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.error = f"{self.path}: {reason}"
        log.warning("geocoding cache %s cannot be written (%s): answers are kept for this "
                    "run only (--geocoder-cache FILE, or SEIZURE_ATLAS_CACHE, to choose "
                    "another place)", self.path, reason)
        self._db = self._open(":memory:")

    def get(self, key: tuple[str, str, str, str]) -> list[dict] | None:
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT results FROM geocode WHERE provider=? AND query=?"
                    " AND country_codes=? AND options=?", key).fetchone()
            except sqlite3.Error as exc:
                raise GeocodingError(f"{self.path}: cannot read the geocoding cache: {exc}") from exc
        if row is None:
            return None
        try:
            return json.loads(row[0])
        except ValueError:
            return None  # a damaged entry is asked again, and overwritten

    def put(self, key: tuple[str, str, str, str], results: list[dict]) -> None:
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        payload = json.dumps(results, ensure_ascii=False, default=str)
        with self._lock:
            try:
                self._db.execute("INSERT OR REPLACE INTO geocode VALUES (?,?,?,?,?,?)",
                                 (*key, payload, created))
                self._db.commit()
            except sqlite3.OperationalError as exc:
                # read-only file, full disk: the answer is good, only keeping it failed;
                # raising would cost the caller the place
                if self.error is None:
                    self._db.rollback()
                    self._fall_back(exc)
                    self._db.execute("INSERT OR REPLACE INTO geocode VALUES (?,?,?,?,?,?)",
                                     (*key, payload, created))
                    self._db.commit()
            except sqlite3.Error as exc:
                raise GeocodingError(f"{self.path}: cannot write the geocoding cache: {exc}") from exc

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM geocode").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedGeocoder(Geocoder):
    """Any geopy geocoder, rate limited, cached on disk, and joined to admin-1 regions.

    :param geocoder: a geopy geocoder instance, e.g.
        ``Nominatim(user_agent="my-app/1.0 (me@example.org)")``.
    :param cache_path: the SQLite cache file; default
        ``<cache_dir()>/online-<provider>.sqlite``.
    :param min_delay_seconds: least time between two provider requests (Nominatim's
        policy: 1 request a second). Cache hits are not delayed.
    :param max_retries: retries of a failed request (timeout, outage, HTTP 5xx or 429),
        ``error_wait_seconds`` apart, before :class:`ProviderError` is raised; a bad
        query, key or spent quota is raised at once.
    :param boundaries: the admin-1 set for the reverse step (default: the project's).
    :param max_distance_km: a point this close to a region but outside every polygon
        (coastline simplification) still gets that region.
    :param geocode_kwargs: extra arguments for the provider's ``geocode`` (e.g.
        ``{"addressdetails": True}`` for Nominatim); part of the cache key.
    :param use_context: pick among the provider's answers with the ``context`` given
        to :meth:`geocode` (needs the embedded gazetteer); ``False``: provider's first.

    ``geocode`` has the offline geocoder's signature and ``Location.raw`` keys; a
    query the provider does not know gives ``None`` (and is cached as such).
    """

    def __init__(self, geocoder: Any, *, cache_path: str | os.PathLike | None = None,
                 min_delay_seconds: float = 1.0, max_retries: int = 2,
                 error_wait_seconds: float = 5.0, boundaries: Any = None,
                 max_distance_km: float = 10.0,
                 geocode_kwargs: Mapping[str, Any] | None = None,
                 use_context: bool = True):
        if not callable(getattr(geocoder, "geocode", None)):
            raise GeocodingError(
                f"CachedGeocoder needs a geopy geocoder with a geocode() method, "
                f"got {type(geocoder).__name__}")
        if min_delay_seconds < 0 or max_retries < 0:
            raise GeocodingError("min_delay_seconds and max_retries must not be negative")
        super().__init__(user_agent=getattr(geocoder, "headers", {}).get("User-Agent"))
        self.geocoder = geocoder
        self.provider = provider_id(geocoder)
        self.boundaries = boundaries
        self.max_distance_km = max_distance_km
        self.geocode_kwargs = dict(geocode_kwargs or {})
        self.use_context = use_context
        if cache_path is None:
            safe = re.sub(r"[^a-z0-9._-]+", "-", type(geocoder).__name__.lower())
            cache_path = cache_dir() / f"online-{safe}.sqlite"
        self.cache_path = Path(cache_path).expanduser()
        self._cache = _Cache(self.cache_path)
        self._limited = RateLimiter(
            self._ask_provider,
            min_delay_seconds=min_delay_seconds,
            max_retries=max_retries,
            # RateLimiter insists the wait after an error is at least the normal delay
            error_wait_seconds=max(error_wait_seconds, min_delay_seconds),
            swallow_exceptions=False,
        )
        try:
            params = inspect.signature(geocoder.geocode).parameters
        except (TypeError, ValueError):
            params = {}
        # Providers name their country filter differently; the rest are filtered
        # after the reverse step, so country_codes means the same for every provider.
        if "country_codes" in params:
            self._country_param = "country_codes"
        elif "country" in params and type(geocoder).__name__ == "GeoNames":
            self._country_param = "country"
        else:
            self._country_param = None
        self._timeout_param = "timeout" in params
        # "failed": queries the provider did not answer (errors, or not asked because it
        # could not be reached); for the run's summary
        self.stats = {"cache_hits": 0, "provider_calls": 0, "failed": 0}
        # circuit breaker: once the provider cannot be reached, later queries fail at
        # once instead of each waiting for timeouts and retries (a report asks dozens)
        self.unreachable: ProviderError | None = None
        self._answered = False  # whether the provider has answered once in this run

    def problems(self) -> list[str]:
        """What went wrong in this run, one sentence each, for the run's summary: the
        provider could not be reached (and how many queries that cost), queries failed,
        the cache could not be written."""
        out = []
        failed = self.stats["failed"]
        if self.unreachable is not None:
            err = self.unreachable.error
            out.append(f"geocoder {self.provider} unreachable ({type(err).__name__}: {err}): "
                       f"{failed} place lookup(s) not made; events that needed them are "
                       "unlocated")
        elif failed:
            out.append(f"geocoder {self.provider}: {failed} place lookup(s) failed; events "
                       "that needed them are unlocated")
        if self._cache.error:
            out.append(f"geocoding cache {self._cache.error}: answers are not kept for the "
                       "next run")
        return out

    # -- geopy's Geocoder interface --------------------------------------------------

    def geocode(self, query: Any, *, exactly_one: bool = True, country_codes: Any = None,
                context: str | None = None, timeout: float | None = None):
        """Geocode ``query`` with the provider (or the cache) and place it in a region.

        :param query: a place name (or a structured query dict the provider accepts).
        :param country_codes: ISO alpha-2 code(s) the result must lie in; passed to the
            provider when it supports a filter, and enforced on the answers.
        :param context: report text. Providers see only the query and
            ``country_codes``; with ``use_context`` (default) the wrapper asks for all
            of the provider's answers (still one request) and picks the one in the
            country/admin-1 the context names, as the offline geocoder does
            ("Faizabad" in a report about Badakhshan is the Afghan town).
        :returns: a :class:`geopy.location.Location` (or a list when
            ``exactly_one=False``), or ``None`` when the provider finds nothing.
        :raises GeocoderQueryError: empty or non-string query.
        :raises ProviderError: the provider failed (after retries); nothing is cached.
        """
        query = self._check_query(query)
        if context is not None and not isinstance(context, str):
            raise GeocoderQueryError(f"context must be a string, got {type(context).__name__}")
        countries = _country_list(country_codes)
        ranked = bool(exactly_one and context and context.strip() and self.use_context)
        one = exactly_one and not ranked
        options = json.dumps({"exactly_one": one, **self.geocode_kwargs},
                             sort_keys=True, default=str)
        key = (self.provider, _normalize_query(query), ",".join(countries), options)
        results = self._cache.get(key)
        if results is None:
            results = self._fetch(query, exactly_one=one, countries=countries,
                                  timeout=timeout)
            self._cache.put(key, results)
        else:
            self.stats["cache_hits"] += 1

        locations = [self._to_location(r, rank) for rank, r in enumerate(results, 1)]
        if countries:
            locations = [loc for loc in locations if loc.raw["country"] in countries]
        if ranked and len(locations) > 1:
            locations = self._rank_by_context(query, locations, context)
        if exactly_one:
            return locations[0] if locations else None
        return locations or None

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: float | None = None):
        """The admin-1 region at a ``(lat, lon)`` point, from the boundary set.

        Answered locally (no provider request), like the offline geocoder's reverse.
        Returns ``None`` when the point lies in no region (nor within
        ``max_distance_km`` of one).
        """
        try:
            point = Point(query)
        except (TypeError, ValueError) as exc:
            raise GeocoderQueryError(f"not a (lat, lon) point: {query!r}") from exc
        region = self._region_at(point.longitude, point.latitude)
        if region is None:
            return None
        km = float(region.distance_km or 0.0)
        if region.located_by == "within":
            score, reason = 0.99, "point within the region's polygon"
        else:  # the offline geocoder's rule: surer the closer, never a certainty
            score = round(max(0.5, 0.95 * (1 - km / max(self.max_distance_km, 1e-9))), 3)
            reason = f"nearest region, {km:.1f} km from its polygon"
        raw = {
            "name": region.name, "feature_class": "admin1", "country": region.country,
            "admin1": region.code, "admin1_name": region.name, "score": score,
            "population": 0, "source": "boundaries", "reason": reason,
            "located_by": region.located_by, "distance_km": km,
        }
        location = Location(f"{region.name}, {region.country}",
                            (point.latitude, point.longitude), raw)
        return location if exactly_one else [location]

    # -- internals -------------------------------------------------------------------

    def _rank_by_context(self, query: Any, locations: list[Location],
                         context: str) -> list[Location]:
        """Provider's answers re-ordered by what the context names.

        The same evidence the offline geocoder uses (:func:`geo.places.geocoder.analyse_context`:
        countries and admin-1 regions named in the text, the dateline); the provider's
        own order breaks ties and counts a little, since it ranks by importance.
        """
        from .gazetteer import get_gazetteer, normalize
        from .geocoder import analyse_context

        name = query if isinstance(query, str) else " ".join(map(str, query.values()))
        evidence = analyse_context(get_gazetteer(), context,
                                   ignore=normalize(name.split(",")[0]))

        def utility(item: tuple[int, Location]) -> float:
            rank, loc = item
            return (_CONTEXT_COUNTRY * evidence.country_share(loc.raw["country"])
                    + _CONTEXT_ADMIN1 * evidence.admin1_share(loc.raw["admin1"])
                    - _RANK_PENALTY * rank)

        order = sorted(enumerate(locations), key=utility, reverse=True)
        best_rank, best = order[0]
        if best_rank != 0:
            best.raw["reason"] += (f"; context names {best.raw['country']}"
                                   + (f"/{best.raw['admin1']}"
                                      if evidence.admin1_share(best.raw["admin1"]) else "")
                                   + f" (provider ranked it {best_rank + 1})")
        return [loc for _, loc in order]

    @staticmethod
    def _check_query(query: Any) -> Any:
        if isinstance(query, Mapping):
            if not any(str(v).strip() for v in query.values() if v is not None):
                raise GeocoderQueryError("empty structured query")
            return dict(query)
        if not isinstance(query, str):
            raise GeocoderQueryError(f"query must be a string, got {type(query).__name__}")
        if not query.strip():
            raise GeocoderQueryError("empty query")
        return query.strip()

    def _ask_provider(self, query: Any, kwargs: dict[str, Any]) -> Any:
        self.stats["provider_calls"] += 1
        try:
            answer = self.geocoder.geocode(query, **kwargs)
        except GeocoderServiceError as exc:
            # a service that has not answered once in this run is not retried: it is
            # most likely no network or a wrong address, and retries cost seconds each
            if _is_final(exc) or (not self._answered and isinstance(exc, _UNREACHABLE)):
                raise _Final(exc) from exc
            raise
        self._answered = True
        return answer

    def _fetch(self, query: Any, *, exactly_one: bool, countries: list[str],
               timeout: float | None) -> list[dict]:
        """Ask the provider (rate limited) and turn its answer into cacheable dicts."""
        if self.unreachable is not None:
            self.stats["failed"] += 1
            raise ProviderError(
                f"{self.provider} not asked for {query!r}: unreachable since an earlier "
                f"query ({self.unreachable.error})", query=query, provider=self.provider,
                error=self.unreachable.error)
        kwargs: dict[str, Any] = {"exactly_one": exactly_one, **self.geocode_kwargs}
        if countries and self._country_param:
            kwargs[self._country_param] = [c.lower() for c in countries]
        if timeout is not None and self._timeout_param:
            kwargs["timeout"] = timeout
        try:
            try:
                answer = self._limited(query, kwargs)
            except _Final as final:
                raise final.error from final.error.__cause__
        except GeocoderServiceError as exc:
            self.stats["failed"] += 1
            error = ProviderError(
                f"{self.provider} failed to geocode {query!r}: {type(exc).__name__}: {exc}",
                query=query, provider=self.provider, error=exc)
            if isinstance(exc, _UNREACHABLE):
                self.unreachable = error
                log.warning("geocoder %s cannot be reached (%s: %s): no more places are "
                            "looked up online in this run; events that need them stay "
                            "unlocated", self.provider, type(exc).__name__, exc)
            raise error from exc
        except GeopyError as exc:  # configuration problems etc.: still name the query
            self.stats["failed"] += 1
            raise GeocodingError(
                f"{self.provider} could not geocode {query!r}: {type(exc).__name__}: {exc}"
            ) from exc
        if answer is None:
            return []
        if isinstance(answer, Location):
            answer = [answer]
        results = []
        for location in answer:
            results.append({"address": location.address, "lat": location.latitude,
                            "lon": location.longitude, "raw": location.raw})
        return results

    def _region_at(self, lon: float, lat: float):
        from .locate import region_at  # geopandas is heavy: import on first use

        return region_at(lon, lat, self.boundaries, max_distance_km=self.max_distance_km)

    def _to_location(self, result: Mapping[str, Any], rank: int) -> Location:
        """A cached provider answer -> Location with the offline geocoder's raw keys."""
        lat, lon = float(result["lat"]), float(result["lon"])
        provider_raw = result.get("raw")
        info = _describe(provider_raw)
        address = result.get("address") or ""
        name = info["name"] or (address.split(",")[0].strip() if address else None)
        region = self._region_at(lon, lat)
        feature_class = info["feature_class"]
        country = region.country if region is not None else info["country"]
        reasons = [f"{self.provider} result {rank}"
                   + (f" ({info['kind']})" if info["kind"] else "")]
        if feature_class in ("country", "region"):
            # a country's or continent's point lies in some province, but the place
            # named is not in that province
            admin1 = admin1_name = None
            reasons.append(f"{feature_class}: no admin-1")
            if feature_class == "country" and info["country"]:
                country = info["country"]
        elif region is not None:
            admin1, admin1_name = region.code, region.name
            reasons.append(f"admin-1 by point {region.located_by} region"
                           + (f" ({region.distance_km:.1f} km)"
                              if region.located_by == "nearest" else ""))
        else:
            admin1 = admin1_name = None
            reasons.append(f"point outside every region (> {self.max_distance_km:g} km)")
        score = info["score"] if info["score"] is not None else 0.5
        raw = {
            "name": name, "feature_class": feature_class, "country": country,
            "admin1": admin1, "admin1_name": admin1_name, "score": score,
            "population": info["population"], "source": f"online:{self.provider}",
            "reason": "; ".join(reasons), "provider_raw": provider_raw,
        }
        return Location(address, (lat, lon), raw)

    def close(self) -> None:
        """Close the cache file."""
        self._cache.close()

    def __enter__(self) -> CachedGeocoder:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CachedGeocoder({self.provider!r}, cache_path={str(self.cache_path)!r})"


def _check_user_agent(user_agent: str | None, service: str) -> str:
    from geopy.geocoders.base import _DEFAULT_USER_AGENT

    ua = (user_agent or "").strip()
    if not ua or ua == _DEFAULT_USER_AGENT or ua.lower().startswith(("geopy/", "my_user_agent", "my-application")):
        raise GeocodingError(
            f"{service} needs a user agent that identifies your application "
            f"(its usage policy, https://operations.osmfoundation.org/policies/nominatim/): "
            f"pass user_agent=... / --user-agent \"my-app/1.0 (me@example.org)\"")
    return ua


def make_geocoder(name: str = "offline", *, user_agent: str | None = None,
                  cache_path: str | os.PathLike | None = None,
                  min_delay_seconds: float | None = None, boundaries: Any = None,
                  domain: str | None = None, **options: Any) -> Geocoder:
    """The geocoder the CLI's ``--geocoder`` names.

    * ``"offline"`` (default): :class:`geo.places.geocoder.OfflineGeocoder`, no network.
    * ``"nominatim"``: OpenStreetMap's Nominatim (or your own server via ``domain``),
      wrapped in :class:`CachedGeocoder`. Needs ``user_agent``; the public server gets
      at least 1 second between requests.
    * any other geopy service name (``"geonames"``, ``"photon"``, ...): that geopy
      geocoder built with ``user_agent`` and ``options`` (e.g. ``username=``), wrapped.

    :raises GeocodingError: unknown name, missing user agent, or too short a delay for
        the public Nominatim server.
    """
    key = (name or "offline").strip().lower()
    if key == "offline":
        from .geocoder import OfflineGeocoder

        params = inspect.signature(OfflineGeocoder).parameters
        if boundaries is not None and "boundaries" in params:
            options["boundaries"] = boundaries
        return OfflineGeocoder(**options)

    wrap_options = {"cache_path": cache_path, "boundaries": boundaries}
    for opt in ("max_retries", "error_wait_seconds", "max_distance_km", "geocode_kwargs",
                "use_context"):
        if opt in options:
            wrap_options[opt] = options.pop(opt)
    if key == "nominatim":
        from geopy.geocoders import Nominatim

        ua = _check_user_agent(user_agent, "Nominatim")
        host = (domain or _NOMINATIM_PUBLIC).strip("/")
        delay = 1.0 if min_delay_seconds is None else float(min_delay_seconds)
        if host == _NOMINATIM_PUBLIC and delay < 1.0:
            raise GeocodingError(
                f"the public Nominatim server allows at most one request a second; "
                f"min_delay_seconds={delay:g} is too short")
        wrap_options.setdefault("geocode_kwargs", {"addressdetails": True})
        geocoder = Nominatim(user_agent=ua, domain=host, **options)
        return CachedGeocoder(geocoder, min_delay_seconds=delay, **wrap_options)

    from geopy.exc import GeocoderNotFound
    from geopy.geocoders import get_geocoder_for_service

    try:
        cls = get_geocoder_for_service(key)
    except GeocoderNotFound as exc:
        raise GeocodingError(
            f"unknown geocoder {name!r}: use 'offline', 'nominatim' or a geopy service "
            f"name (geopy.geocoders.SERVICE_TO_GEOCODER)") from exc
    if domain is not None:
        options["domain"] = domain
    try:
        geocoder = cls(user_agent=user_agent, **options)
    except (TypeError, GeopyError) as exc:
        raise GeocodingError(f"cannot set up geocoder {name!r}: {exc}") from exc
    delay = 1.0 if min_delay_seconds is None else float(min_delay_seconds)
    return CachedGeocoder(geocoder, min_delay_seconds=delay, **wrap_options)
