"""Placing the rows of a seizure table: each distinct (place names, country) geocoded once.

A table names its places in one or more columns ("TUMACO (CT)", "NARIÑO") and often a
country; the geocoder is asked for each name in turn, with the country as a hint and the
row's other names as context, and the first answer inside the country wins.
"""
from __future__ import annotations

import inspect
import re
from typing import Any

from ..errors import GeoError

__all__ = ["RowGeocoder"]


class RowGeocoder:
    """Geocodes each distinct (place names, country) of a table once, the country as a hint
    and the row's other place names as context."""

    def __init__(self, geocoder: Any = None, gazetteer: Any = None):
        self._geocoder = geocoder
        self._gazetteer = gazetteer
        self._cache: dict[tuple, dict] = {}
        self._kwargs: set[str] | None = None

    def _accepts(self) -> set[str]:
        if self._kwargs is None:
            try:
                params = inspect.signature(self.geocoder.geocode).parameters
                if any(p.kind is p.VAR_KEYWORD for p in params.values()):
                    self._kwargs = {"country_codes", "context", "exactly_one"}
                    from .geocoder import OfflineGeocoder

                    if isinstance(self.geocoder, OfflineGeocoder):
                        # a wrapper of the offline geocoder passes its options on
                        self._kwargs.add("story_fallback")
                else:
                    self._kwargs = set(params)
            except (TypeError, ValueError):
                self._kwargs = {"exactly_one"}
        return self._kwargs

    @property
    def geocoder(self) -> Any:
        if self._geocoder is None:
            from .geocoder import OfflineGeocoder
            self._geocoder = OfflineGeocoder()
        return self._geocoder

    def country_code(self, name: str) -> str | None:
        """The country a name means in the gazetteer ("Perú", "Россия"), or None; the
        gazetteer is a richer source when present, not a requirement."""
        try:
            gazetteer = self._gazetteer
            if gazetteer is None:
                from .gazetteer import get_gazetteer
                gazetteer = get_gazetteer()
            return gazetteer.country_code(name)
        except Exception:
            return None

    def locate(self, names: tuple[str, ...], country: str | None, context: str | None) -> dict:
        """``lat, lon, country, admin1, admin1_name, confidence, feature_class, flags`` of
        the first of ``names`` found (in ``country`` when given), else only ``flags`` saying
        why none was."""
        key = (names, country)
        if key not in self._cache:
            self._cache[key] = self._locate(names, country, context)
        return self._cache[key]

    def _locate(self, names: tuple[str, ...], country: str | None, context: str | None) -> dict:
        accepts = self._accepts()
        problems: list[str] = []
        for i, name in enumerate(names):
            kwargs: dict[str, Any] = {}
            if "exactly_one" in accepts:
                kwargs["exactly_one"] = True
            if country and "country_codes" in accepts:
                kwargs["country_codes"] = [country]
            others = [n for j, n in enumerate(names) if j != i]
            ctx = " ".join(x for x in [*others, context or ""] if x).strip()
            if ctx and "context" in accepts:
                kwargs["context"] = ctx
            if "story_fallback" in accepts:
                # the row's own names are tried in turn: an unknown town is no answer
                # while the row still names its region
                kwargs["story_fallback"] = False
            try:
                loc = self.geocoder.geocode(name, **kwargs)
            except GeoError as exc:
                problems.append(f"geocoding {name!r} failed: {exc}")
                continue
            except Exception as exc:  # geopy network errors etc.: keep the row, unlocated
                problems.append(f"geocoding {name!r} failed: {type(exc).__name__}: {exc}")
                continue
            if isinstance(loc, list):
                loc = loc[0] if loc else None
            if loc is None:
                # "TUMACO (CT)", "Lima (provincia)": tables qualify names in brackets
                bare = re.sub(r"\s*[(\[].*?[)\]]\s*", " ", name).strip()
                if bare and bare != name:
                    return self._locate((bare, *names[:i], *names[i + 1:]), country, context)
                problems.append(f"place {name!r} not found")
                continue
            found = self._from_location(name, loc)
            if country and found.get("country") and found["country"] != country:
                problems.append(f"place {name!r} found in {found['country']}, not in {country}")
                continue
            return found
        return {"flags": problems}

    @staticmethod
    def _from_location(name: str, loc: Any) -> dict:
        raw = getattr(loc, "raw", None) or {}
        lat, lon = float(loc.latitude), float(loc.longitude)
        out = {"lat": lat, "lon": lon, "country": raw.get("country"), "admin1": raw.get("admin1"),
               "admin1_name": raw.get("admin1_name"), "confidence": raw.get("score"),
               "feature_class": raw.get("feature_class"), "flags": []}
        if "admin1" not in raw:
            # a plain geopy geocoder: find the region from the point
            try:
                from .locate import region_at
                region = region_at(lon, lat)
            except Exception as exc:
                region = None
                out["flags"].append(f"no admin-1 for {name!r}: {exc}")
            if region is not None:
                out.update(country=region.country, admin1=region.code, admin1_name=region.name)
        if out["country"]:
            out["country"] = str(out["country"]).upper()
        if out["confidence"] is None:
            out["confidence"] = 1.0 if out["admin1"] else 0.5
        return out
