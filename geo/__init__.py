"""seizure atlas: reports of drug seizures -> located events -> regional aggregates -> maps.

The public API, one function per step of the flow::

    import geo
    reports = geo.read_reports("seeds/")             # reports
    events = geo.extract(reports)                    # events (GeoDataFrame, EPSG:4326)
    for event in geo.iter_events("archive/"):        # or one plain dict at a time
    erad = geo.eradications(events)                  # hectares of drug crops destroyed
    events = geo.read_events("events/")              # or an events file/folder written
    events = geo.deduplicate(events)                 # one seizure told by several reports
    regions = geo.aggregate(events)                  # per admin-1 region and substance
    flows = geo.routes(events)                       # origin -> seizure -> destination
    geo.choropleth(regions).save("maps/index.html")  # offline HTML map

The package follows the flow, one subpackage per step: :mod:`geo.read` (files to
reports), :mod:`geo.text` (sentences, numbers, units, substance words), :mod:`geo.extraction`
(a report to its events), :mod:`geo.places` (gazetteer, geocoders, boundaries, the join),
:mod:`geo.aggregates`, :mod:`geo.maps`; :mod:`geo.vocab` holds every word list as data.
Errors derive from :class:`GeoError` (all in :mod:`geo.errors`).

Names are imported lazily (PEP 562) so that ``import geo`` stays cheap and a command
such as ``geo geocode`` does not pay for folium.
"""
from __future__ import annotations

import importlib
from typing import Any

from .errors import GeoError  # noqa: F401 - public: every error of the package is one

__version__ = "0.1.0"

# public name -> module that defines it; everything else stays reachable from its module
# (geo.read.reports.Report, geo.places.gazetteer.Gazetteer, geo.errors.BoundaryError ...)
_LAZY = {
    "read_reports": ("geo.pipeline", "read_reports"),
    "read_seizures": ("geo.pipeline", "read_seizures"),
    "read_events": ("geo.read.events", "read_events"),
    "extract": ("geo.extraction.core", "extract"),
    "iter_events": ("geo.pipeline", "iter_events"),
    "eradications": ("geo.pipeline", "eradications"),
    "aggregate": ("geo.aggregates", "aggregate"),
    "routes": ("geo.flows", "routes"),
    "deduplicate": ("geo.dedup", "deduplicate"),
    "choropleth": ("geo.maps.choropleth", "choropleth"),
    "run": ("geo.pipeline", "run"),
    "Event": ("geo.events", "Event"),
    "EVENT_FIELDS": ("geo.events", "EVENT_FIELDS"),
    "OfflineGeocoder": ("geo.places.geocoder", "OfflineGeocoder"),
    "make_geocoder": ("geo.places.online", "make_geocoder"),
    "PlaceContext": ("geo.places.context", "PlaceContext"),
    "load_boundaries": ("geo.places.boundaries", "load"),
    "locate": ("geo.places.locate", "locate"),
}

__all__ = sorted([*_LAZY, "GeoError"])


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
