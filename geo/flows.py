"""Trafficking flows: origin -> place of seizure -> destination, amounts per drug.

(The module is ``geo.flows``, not ``geo.routes``: a submodule of that name would replace
the function ``geo.routes`` on the package once imported.)

The events' ``origin``, ``transit`` and ``destination`` (read by
:mod:`geo.extraction.routes`) summed the way UNODC's flow maps show them: one row per
route and substance, with the kilograms, the dosage units and the number of events::

    events = geo.extract(reports)
    flows = geo.routes(events)              # by country: AF -> TJ -> RU
    flows = geo.routes(events, by="admin1")  # AF -> TJ-KT -> RU, as the reports name them

Only events with an origin or a destination are flows; the rest are not counted.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import pandas as pd

from .errors import AggregationError

__all__ = ["routes", "FLOW_COLUMNS"]

FLOW_COLUMNS = ("origin", "transit", "seized", "destination", "substance", "drug_group",
                "events", "quantity_kg", "count")
_LEVELS = ("country", "admin1")


def _missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _text(v: Any) -> str | None:
    return None if _missing(v) or not str(v).strip() else str(v).strip()


def to_country(code: str | None) -> str | None:
    """The country of a route end: ``EC-G`` -> ``EC``, ``AF`` -> ``AF``; a world region's
    name ("Europe", "West Africa") is its own country-level end."""
    if code is None:
        return None
    head = code.split("-")[0]
    return head if len(head) == 2 and head.isalpha() and head.isupper() else code


def routes(events: Any, *, by: str = "country") -> pd.DataFrame:
    """The flows of ``events`` (an events frame or Event objects), one row per route and
    substance, biggest amount first.

    :param by: ``"country"`` reduces every end to its country (``EC-G`` -> ``EC``) and
        the seizure to its country; ``"admin1"`` keeps the ends as read and the seizure's
        admin-1 code (its country when the region is unknown).
    :returns: columns ``origin, transit, seized, destination, substance, drug_group,
        events, quantity_kg, count``. ``origin``/``destination`` are None where the
        report names only the other end; ``transit`` is the events' transit places
        ("; "-joined, as read); ``quantity_kg`` sums the known masses (0.0 when none is
        known) and ``count`` the dosage units.
    :raises AggregationError: on an unknown ``by`` or events without the route columns.
    """
    if by not in _LEVELS:
        raise AggregationError(f"routes: by must be one of {_LEVELS}, not {by!r}")
    frame = events if isinstance(events, pd.DataFrame) else _frame(events)
    need = ("origin", "destination", "country", "substance")
    missing = [c for c in need if c not in frame.columns]
    if missing:
        # (a .jsonl events file holds the schema's fields only, not the routes)
        raise AggregationError(f"routes: events lack columns {missing}: read events from "
                               "the .csv or .geojson that geo extract writes, or extract again")
    acc: dict[tuple, list[float]] = {}
    for row in frame.to_dict(orient="records"):
        origin, dest = _text(row.get("origin")), _text(row.get("destination"))
        if origin is None and dest is None:
            continue
        transit = _text(row.get("transit"))
        seized = _text(row.get("country"))
        if by == "country":
            origin, dest = to_country(origin), to_country(dest)
            if transit:
                transit = "; ".join(dict.fromkeys(
                    to_country(t.strip()) or "" for t in transit.split(";") if t.strip()))
        else:
            seized = _text(row.get("admin1")) or seized
        key = (origin, transit, seized, dest, _text(row.get("substance")),
               _text(row.get("drug_group")))
        a = acc.setdefault(key, [0, 0.0, 0])
        a[0] += 1
        kg = row.get("quantity_kg")
        if not _missing(kg) and not math.isnan(float(kg)):
            a[1] += float(kg)
        n = row.get("count")
        if not _missing(n):
            a[2] += int(n)
    rows = [(*k, n, round(kg, 6), cnt) for k, (n, kg, cnt) in acc.items()]
    out = pd.DataFrame(rows, columns=list(FLOW_COLUMNS))
    for col in FLOW_COLUMNS[:6]:  # missing ends are None, as in the events
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    out["events"] = out["events"].astype("int64")
    out["quantity_kg"] = out["quantity_kg"].astype("float64")
    out["count"] = out["count"].astype("int64")
    return out.sort_values(["quantity_kg", "count", "events"], ascending=False,
                           kind="stable").reset_index(drop=True)


def _frame(events: Iterable[Any]) -> pd.DataFrame:
    from .events import Event, events_to_frame

    items = list(events)
    if not all(isinstance(e, Event) for e in items):
        raise AggregationError("routes expects an events frame or Event objects")
    return pd.DataFrame(events_to_frame(items).drop(columns="geometry"))
