"""seizure atlas: reports of drug seizures -> located events -> regional aggregates -> maps.

The public API, one function per step of the flow::

    import geo
    reports = geo.read_reports("seeds/")             # reports
    events = geo.extract(reports)                    # events (GeoDataFrame, EPSG:4326)
    regions = geo.aggregate(events)                  # per admin-1 region and substance
    geo.choropleth(regions).save("maps/index.html")  # offline HTML map

Names are imported lazily (PEP 562) so that ``import geo`` stays cheap and a command
such as ``geo geocode`` does not pay for folium.
"""
from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    AggregationError,
    BoundaryError,
    ExtractionError,
    GazetteerError,
    GeocodingError,
    GeoError,
    MapError,
    ReportError,
    SeizureTableError,
)

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "load_boundaries": ("geo.places.boundaries", "load"),
    "locate": ("geo.places.locate", "locate"),
    "region_at": ("geo.places.locate", "region_at"),
    "Region": ("geo.places.locate", "Region"),
    "get_gazetteer": ("geo.places.gazetteer", "get_gazetteer"),
    "Gazetteer": ("geo.places.gazetteer", "Gazetteer"),
    "Candidate": ("geo.places.gazetteer", "Candidate"),
    "OfflineGeocoder": ("geo.places.geocoder", "OfflineGeocoder"),
    "CachedGeocoder": ("geo.places.online", "CachedGeocoder"),
    "make_geocoder": ("geo.places.online", "make_geocoder"),
    "ProviderError": ("geo.places.online", "ProviderError"),
    "Report": ("geo.read.reports", "Report"),
    "read_reports": ("geo.read.reports", "read_reports"),
    "ReportSet": ("geo.read.reports", "ReportSet"),
    "Skipped": ("geo.read.reports", "Skipped"),
    "parse_dateline": ("geo.read.reports", "parse_dateline"),
    "extract": ("geo.extraction.core", "extract"),
    "Event": ("geo.events", "Event"),
    "read_seizures": ("geo.read.tables", "read_seizures"),
    "aggregate": ("geo.aggregates", "aggregate"),
    "to_long": ("geo.aggregates", "to_long"),
    "choropleth": ("geo.maps.choropleth", "choropleth"),
    "OfflineMap": ("geo.maps.choropleth", "OfflineMap"),
    "run": ("geo.pipeline", "run"),
    "events_to_frame": ("geo.events", "events_to_frame"),
    "write_events": ("geo.events", "write_events"),
}

__all__ = sorted(
    [
        *_LAZY,
        "GeoError",
        "BoundaryError",
        "GazetteerError",
        "GeocodingError",
        "ReportError",
        "SeizureTableError",
        "ExtractionError",
        "AggregationError",
        "MapError",
    ]
)


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'geo' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
