"""The summary of a run: what was read, skipped, found, located and unlocated, per
substance and per region, as the CLI prints it and as ``--json`` gives it."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .read.reports import Skipped

__all__ = ["Summary", "event_totals", "set_aside", "top_regions", "unlocated_reasons"]


@dataclass
class Summary:
    """What a run read, skipped, found and wrote.

    ``totals`` maps each substance to ``{"events", "kg", "count"}`` (plus ``"volumes"``:
    ``{unit: quantity}`` for figures given in litres or gallons); ``labs_destroyed`` is
    the number of labs over all lab events. ``degraded`` says which steps ran worse than
    asked (an online geocoder that could not be reached, a cache that could not be
    written, places that could not be loaded) and what it cost. ``exit_code`` is 0 when
    every input was read and every step ran, 1 when some input was skipped or a step
    degraded.
    """

    reports_read: int = 0
    table_rows_read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    events: int = 0
    located: int = 0
    unlocated: int = 0
    labs_destroyed: int = 0
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)
    regions: int | None = None  # None: not aggregated (geo extract)
    top_regions: list[dict[str, Any]] = field(default_factory=list)
    unlocated_by: list[dict[str, Any]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    #: events kept in the output but out of every total (implausible quantities)
    set_aside: list[dict[str, Any]] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)
    #: events merged into a seizure another report told too (geo.dedup), and how many
    #: such seizures; None when deduplication was off
    duplicates: int | None = None
    merged_seizures: int | None = None
    #: eradication records (areas of drug crops destroyed, never seizures), and the
    #: hectares of those that count (not a period total, not a part of another figure)
    eradications: int = 0
    eradicated_ha: dict[str, float] = field(default_factory=dict)

    def add_eradications(self, records: Any) -> None:
        """Count an eradication frame (:func:`geo.pipeline.eradication_frame`)."""
        self.eradications += len(records)
        if not len(records):
            return
        counted = records[records["counted"].astype(bool)]
        for crop, ha in counted.groupby(counted["crop"].fillna("unspecified"), sort=True)["hectares"]:
            self.eradicated_ha[crop] = round(self.eradicated_ha.get(crop, 0.0) + float(ha.sum()), 6)

    @property
    def exit_code(self) -> int:
        return 1 if self.skipped or self.degraded else 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's ``--json`` output)."""
        return {
            "reports_read": self.reports_read,
            "table_rows_read": self.table_rows_read,
            "skipped": [{"path": s.path, "line": s.line, "reason": s.reason,
                         "partial": bool(getattr(s, "partial", False))}
                        for s in self.skipped],
            "events": self.events,
            "located": self.located,
            "unlocated": self.unlocated,
            "labs_destroyed": self.labs_destroyed,
            "regions": self.regions,
            "top_regions": self.top_regions,
            "unlocated_by": self.unlocated_by,
            "totals": self.totals,
            "set_aside": self.set_aside,
            "duplicates": self.duplicates,
            "merged_seizures": self.merged_seizures,
            "eradications": self.eradications,
            "eradicated_ha": self.eradicated_ha,
            "degraded": self.degraded,
            "outputs": self.outputs,
            "exit_code": self.exit_code,
        }

    def format(self) -> str:
        """The human-readable summary the CLI prints."""
        lines = [f"reports read: {self.reports_read}"]
        if self.table_rows_read:
            lines.append(f"seizure table rows read: {self.table_rows_read}")
        lines.append(f"skipped: {len(self.skipped)}")
        lines.extend(f"  {s}" for s in self.skipped)
        if self.degraded:
            lines.append(f"degraded: {len(self.degraded)}")
            lines.extend(f"  {d}" for d in self.degraded)
        lines.append(f"events found: {self.events} (located {self.located}, "
                     f"unlocated {self.unlocated})")
        for u in self.unlocated_by:
            where = f" ({u['country']})" if u.get("country") else ""
            lines.append(f"  unlocated, {u['reason']}{where}: {u['events']}")
        if self.set_aside:
            lines.append(f"set aside, in the events but in no total: {len(self.set_aside)}")
            for e in self.set_aside:
                lines.append(f"  {e['doc']}: {e['figure']} ({e['reason']})")
        if self.duplicates:
            lines.append(f"told by several reports: {self.merged_seizures} seizure(s); "
                         f"{self.duplicates} event(s) merged into them, in the events "
                         f"(duplicate_of) but counted once (--no-dedup counts each)")
        if self.labs_destroyed:
            lines.append(f"labs destroyed: {self.labs_destroyed}")
        if self.eradications:
            crops = ", ".join(f"{_fmt(ha)} ha {crop}" for crop, ha in self.eradicated_ha.items())
            lines.append(f"eradication records (crops destroyed, not seizures): "
                         f"{self.eradications}" + (f"; {crops}" if crops else ""))
        if self.totals:
            lines.append("per substance:")
            width = max(len(s) for s in self.totals)
            for substance, t in self.totals.items():
                parts = [f"{t['events']} event{'s' if t['events'] != 1 else ''}"]
                if t.get("kg"):
                    parts.append(f"{_fmt(t['kg'])} kg")
                if t.get("count"):
                    parts.append(f"{_fmt(t['count'])} units")
                for unit, q in (t.get("volumes") or {}).items():
                    parts.append(f"{_fmt(q)} {unit}")
                lines.append(f"  {substance:<{width}}  " + ", ".join(parts))
        if self.regions is not None:
            lines.append(f"regions with events: {self.regions}")
            for r in self.top_regions:
                kg = f", {_fmt(r['kg_all'])} kg of drugs" if r.get("kg_all") else ""
                n_labs = r.get("labs_destroyed")
                labs = f", {n_labs} lab{'s' if n_labs != 1 else ''}" if n_labs else ""
                lines.append(f"  {r['region']}  {r['name']} ({r['country']}): "
                             f"{r['events']} event{'s' if r['events'] != 1 else ''}{kg}{labs}")
            if self.regions > len(self.top_regions):
                lines.append(f"  ... and {self.regions - len(self.top_regions)} more "
                             "(see regions.csv)")
        if self.outputs:
            lines.append("wrote: " + ", ".join(self.outputs.values()))
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.3f}".rstrip("0").rstrip(".")


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _implausible(events: pd.DataFrame) -> pd.Series:
    from .text.plausibility import implausible_reasons

    def col(name: str) -> pd.Series:
        return events[name] if name in events else pd.Series(None, index=events.index)
    return implausible_reasons(col("substance"), col("quantity"), col("quantity_kg"),
                               col("count"))


def set_aside(events: pd.DataFrame) -> list[dict[str, Any]]:
    """The events whose quantity no seizure can have (:mod:`geo.plausibility`): kept in
    the events, left out of every total. One dict per event: doc, figure, reason."""
    if not len(events):
        return []
    reasons = _implausible(events)
    out = []
    for i in reasons[reasons.notna()].index:
        row = events.loc[i]
        q, unit = _number(row.get("quantity")), row.get("unit")
        figure = f"{_fmt(q)} {unit}" if q is not None and isinstance(unit, str) else "?"
        if isinstance(row.get("substance"), str):
            figure += f" of {row['substance']}"
        out.append({"doc": str(row.get("doc")), "figure": figure, "reason": reasons[i]})
    return out


def event_totals(events: pd.DataFrame) -> tuple[dict[str, dict[str, Any]], int]:
    """Per-substance totals (events, kg, count, volumes by unit) and labs destroyed;
    events with an implausible quantity (:func:`set_aside`) are in none of them."""
    totals: dict[str, dict[str, Any]] = {}
    labs = add_totals(totals, events)
    return finish_totals(totals), labs


def add_totals(totals: dict[str, dict[str, Any]], events: pd.DataFrame) -> int:
    """Add ``events`` to running per-substance ``totals`` (in place, as
    :func:`event_totals` sums them: a stream of parts gives the same floats) and return
    the labs destroyed among them."""
    labs = 0
    if len(events):
        events = events[_implausible(events).isna()]

    def values(name: str) -> list[Any]:
        # whole columns as lists: a row at a time, the text columns (pyarrow strings) cost
        # the run's writing process more than the rest of a batch's summing
        return events[name].tolist() if name in events else [None] * len(events)

    for lab, substance, kg, count, q, unit in zip(
            values("labs_destroyed"), values("substance"), values("quantity_kg"),
            values("count"), values("quantity"), values("unit")):
        lab = _number(lab)
        if lab:
            labs += int(lab)
        if not isinstance(substance, str) or not substance:
            continue
        t = totals.setdefault(substance, {"events": 0, "kg": 0.0, "count": 0.0, "volumes": {}})
        t["events"] += 1
        kg, count = _number(kg), _number(count)
        if kg is not None:
            t["kg"] += kg
        if count is not None:
            t["count"] += count
        if kg is None and count is None:
            q = _number(q)
            if q is not None and isinstance(unit, str) and unit:
                t["volumes"][unit] = t["volumes"].get(unit, 0.0) + q
    return labs


def finish_totals(totals: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Running totals rounded once and in the order of the aggregates' wide columns."""
    for t in totals.values():
        t["kg"] = round(t["kg"], 6)
        t["count"] = round(t["count"], 6)
    from .aggregates import _substance_order  # the order of the aggregates' wide columns

    return {s: totals[s] for s in _substance_order(totals)}


def top_regions(regions: pd.DataFrame, n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` regions with the most events (then kg), as plain dicts for the summary."""
    if regions is None or not len(regions):
        return []
    cols = [c for c in ("region", "name", "country", "events", "kg_all", "labs_destroyed")
            if c in regions]
    table = pd.DataFrame(regions[cols]).copy()
    table["_kg"] = pd.to_numeric(table.get("kg_all"), errors="coerce").fillna(0)
    table = table.sort_values(["events", "_kg", "region"], ascending=[False, False, True],
                              kind="mergesort").head(n)
    out = []
    for row in table.to_dict(orient="records"):
        kg, labs = _number(row.get("kg_all")), _number(row.get("labs_destroyed"))
        out.append({"region": row.get("region"), "name": row.get("name"),
                    "country": row.get("country"), "events": int(row.get("events") or 0),
                    "kg_all": round(kg, 6) if kg is not None else None,
                    "labs_destroyed": int(labs) if labs is not None else None})
    return out


def unlocated_reasons(regions: pd.DataFrame) -> list[dict[str, Any]]:
    """Why events are unlocated (``aggregate``'s ``attrs["unlocated"]``): reason, country
    and number of events."""
    un = (getattr(regions, "attrs", {}) or {}).get("unlocated")
    if un is None or not len(un):
        return []
    out = []
    for row in pd.DataFrame(un).to_dict(orient="records"):
        country = row.get("country")
        out.append({"reason": str(row.get("reason")),
                    "country": country if isinstance(country, str) and country else None,
                    "events": int(_number(row.get("events")) or 0)})
    return sorted(out, key=lambda u: (-u["events"], u["reason"], u["country"] or ""))
