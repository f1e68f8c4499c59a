"""Regional aggregates of seizure events: one row per region (and period), per substance.

``aggregate(events)`` sums located events per admin-1 region (or per country) and joins
the region polygons, so the result can be mapped, written or analysed directly. It is a
plain function over frames in the style of ``geopandas.sjoin``: validate up front, then
a handful of vectorised groupbys.

Nothing read disappears between events and aggregates: an event that cannot be put in a
region (no admin-1 code, a code unknown to the boundary set, no country for
``by="country"``) or in a period (no date, or a date coarser than ``freq``) is summed in
``result.attrs["unlocated"]`` together with the reason, so

    regions totals + unlocated totals == event totals

for every measure (kg per substance, counts, litres, labs, events).
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import math
import operator
import re
import weakref
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .caches import memo, on_clear
from .errors import AggregationError
from .events import evidence_sentence as _evidence_sentence
from .events import events_to_frame, parse_dates
from .sources import SourcesArray, SourceTable
from .text import substances as _substances
from .text.quantities import parse_number
from .text.units import pint_unit, unit_registry

__all__ = ["aggregate", "to_long", "parse_dates", "SUBSTANCES", "REQUIRED_COLUMNS"]

# The substances, their groups and which stay out of ``kg_all`` come from one table,
# geo/vocab/groups.toml, which the extractor reads too (geo.text.substances).

#: The substance vocabulary in display order; wide columns follow it.
SUBSTANCES: tuple[str, ...] = _substances.SUBSTANCES

#: Drug groups (UNODC) -> substances, so ``substances=["opiates"]`` works too.
DRUG_GROUPS: Mapping[str, tuple[str, ...]] = _substances.DRUG_GROUPS

#: Substances left out of ``kg_all``: precursor chemicals are not drugs and are seized by
#: the tonne, so adding them would swamp the drug figures (they stay in ``kg_precursor``).
NOT_IN_ALL: frozenset[str] = _substances.NOT_IN_ALL

REQUIRED_COLUMNS: tuple[str, ...] = (
    "doc", "substance", "quantity_kg", "count", "labs_destroyed", "country", "admin1", "date",
)

_BY = ("admin1", "country")

# user spelling -> pandas Period frequency
_FREQ = {
    "D": "D", "DAY": "D", "DAILY": "D",
    "W": "W", "WEEK": "W", "WEEKLY": "W",
    "M": "M", "ME": "M", "MS": "M", "MONTH": "M", "MONTHLY": "M",
    "Q": "Q", "QE": "Q", "QS": "Q", "QUARTER": "Q", "QUARTERLY": "Q",
    "Y": "Y", "YE": "Y", "YS": "Y", "A": "Y", "AS": "Y", "YEAR": "Y", "YEARLY": "Y", "ANNUAL": "Y",
}


# --------------------------------------------------------------------------- dates
# parse_dates (ISO dates at mixed precision) lives with the events (geo.events), as
# dedup reads the same dates; it stays importable from here.


def _bound(value: Any, which: str) -> pd.Timestamp | None:
    if value is None:
        return None
    parsed = parse_dates([value])
    if parsed["start"].isna().iloc[0]:
        raise AggregationError(f"{which}={value!r} is not a date (use ISO: 2012, 2012-09 or 2012-09-15)")
    # start="2012-09" means from the 1st; end="2012-09" means through the 30th
    return parsed["start"].iloc[0] if which == "start" else parsed["end"].iloc[0]


# --------------------------------------------------------------------------- validation


def _column_key(substance: str) -> str:
    return re.sub(r"\W+", "_", str(substance).strip().lower()).strip("_") or "unspecified"


def _substance_order(names: Iterable[str]) -> list[str]:
    names = set(names)
    known = [s for s in SUBSTANCES if s in names]
    return known + sorted(names - set(known))


def _resolve_substances(substances: str | Sequence[str] | None) -> list[str] | None:
    if substances is None:
        return None
    if isinstance(substances, str):
        substances = [substances]
    out: list[str] = []
    for name in substances:
        key = _column_key(name)
        if key in SUBSTANCES:  # "cocaine" is a substance before it is a group
            out.append(key)
        elif key in DRUG_GROUPS:
            out.extend(DRUG_GROUPS[key])
        else:
            raise AggregationError(
                f"unknown substance {name!r}; use one of {', '.join(SUBSTANCES)} "
                f"or a drug group ({', '.join(DRUG_GROUPS)})"
            )
    return list(dict.fromkeys(out))


def _resolve_freq(freq: str | None) -> str | None:
    if freq is None:
        return None
    key = str(freq).strip().upper()
    if key not in _FREQ:
        raise AggregationError(
            f"freq={freq!r} is not supported; use one of 'D', 'W', 'M', 'Q', 'Y' (or None)"
        )
    return _FREQ[key]


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """Column as float; a non-empty value that is not a number is an error, not a NaN."""
    if column not in frame:
        return pd.Series(np.nan, index=frame.index)
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return raw.astype(float)
    num = pd.to_numeric(raw, errors="coerce")
    blank = raw.isna() | raw.astype(str).str.strip().isin(["", "None", "nan", "NaN", "<NA>"])
    bad = num.isna() & ~blank
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise AggregationError(
            f"events column {column!r}: row {pos} ({raw.index[pos]!r}) holds {raw.iloc[pos]!r}, "
            f"not a number ({int(bad.sum())} such rows)"
        )
    return num.astype(float)


def _per_unique(values: pd.Series, fn: Callable[[Any], Any],
                many: Callable[[list], list] | None = None) -> pd.Series:
    """``fn`` applied once per distinct value (events repeat a few thousand codes, units
    and dates 100,000 times); missing values give None. ``many``: the same over a list
    of the distinct values at once (a column of a third of a million report ids pays
    for a call per value)."""
    try:
        # text columns (pandas' Arrow-backed str) are factorized as they are: a copy to
        # Python objects first costs more than the factorize
        codes, uniques = pd.factorize(
            values if isinstance(values.dtype, pd.StringDtype) else values.astype(object),
            use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): one call per row
        return pd.Series([fn(v) for v in values.tolist()], index=values.index, dtype=object)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    if isinstance(uniques.dtype, pd.StringDtype):  # Arrow text: one conversion, not an iterator
        uniques = uniques.tolist()
    mapped[:-1] = [fn(u) for u in uniques] if many is None else many(list(uniques))
    mapped[-1] = None
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _clean_text(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value


def _text(frame: pd.DataFrame, column: str, fn: Callable[[Any], Any] | None = None) -> pd.Series:
    """Column as object values, stripped, None for empty; ``fn`` applied to non-empty."""
    if column not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    if fn is None:
        return _per_unique(frame[column], _clean_text, _clean_texts)

    def clean_then(value: Any) -> Any:
        value = _clean_text(value)
        return None if value is None else fn(value)

    def clean_all(values: list) -> list:
        if fn is str or pd.api.types.infer_dtype(values, skipna=False) != "string":
            return [clean_then(v) for v in values]
        return [None if v is None else fn(v) for v in _clean_texts(values)]

    return _per_unique(frame[column], clean_then,
                       _clean_str_texts if fn is str else clean_all)


def _clean_texts(values: list) -> list:
    """``_clean_text`` of each value; text (all a text column holds) without a call each."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return [v.strip() or None for v in values]
    return [_clean_text(v) for v in values]


def _clean_str_texts(values: list) -> list:
    """``_clean_str`` of each value (``str`` of a text is itself)."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return [v.strip() or None for v in values]
    return [_clean_str(v) for v in values]


def _raw(frame: pd.DataFrame, column: str) -> pd.Series:
    """Column as the frame holds it (objects), None where the frame lacks it."""
    if column not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    return frame[column]


def _validate_boundaries(boundaries: gpd.GeoDataFrame) -> None:
    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise AggregationError(f"boundaries must be a GeoDataFrame, not {type(boundaries).__name__}")
    missing = [c for c in ("code", "name", "country") if c not in boundaries.columns]
    if missing:
        raise AggregationError(
            f"boundaries lack column(s) {', '.join(missing)} (have: {', '.join(map(str, boundaries.columns))}); "
            "load them with geo.places.boundaries.load(path, code=..., name=..., country=...)"
        )


# --------------------------------------------------------------------------- units


@memo(1_024)
def _litres_per_unit(unit: str) -> float | None:
    """Litres in one ``unit`` (pint does the conversion), None when it is not a volume."""
    name = pint_unit(unit)
    if name is None or name == "count":
        return None
    ureg = unit_registry()
    try:
        q = ureg.Quantity(1.0, name)
    except Exception:  # pint raises several error types for unknown names
        return None
    if q.dimensionality != ureg.liter.dimensionality:
        return None
    return float(q.to(ureg.liter).magnitude)


def _number(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    try:
        return float(parse_number(text))  # the extractor's reading of "1,500", "2.3 million"
    except Exception:
        try:
            return float(text.replace(",", "").replace(" ", ""))
        except ValueError:
            return math.nan


def _litres(frame: pd.DataFrame) -> pd.Series:
    """Volume of each event in litres (gallons etc. converted with pint); NaN otherwise."""
    out = pd.Series(np.nan, index=frame.index)
    if "unit" not in frame or "quantity" not in frame:
        return out
    factors = _text(frame, "unit", lambda u: _litres_per_unit(str(u)))
    vol = factors.notna()
    if not vol.any():
        return out
    idx = factors[vol].index
    raw = frame.loc[idx, "quantity"]
    # figures held as numbers are the numbers (what _number gives each); text is read
    numeric = pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw)
    qty = raw.astype(float) if numeric else raw.map(_number).astype(float)
    out.loc[idx] = qty.to_numpy() * factors[vol].astype(float).to_numpy()
    # a volume event that also carries a mass was weighed: count it once, as kg
    return out


# --------------------------------------------------------------------------- geometry

# id(boundaries) -> (weak reference to the frame, {country: (name, dissolved geometry)})
_DISSOLVED: dict[int, tuple[Any, dict]] = {}
on_clear(_DISSOLVED.clear)


def _country_cache(boundaries: gpd.GeoDataFrame) -> dict:
    entry = _DISSOLVED.get(id(boundaries))
    if entry is not None and entry[0]() is boundaries:
        return entry[1]
    try:
        ref = weakref.ref(boundaries, lambda _r, key=id(boundaries): _DISSOLVED.pop(key, None))
    except TypeError:
        return {}
    cache: dict = {}
    _DISSOLVED[id(boundaries)] = (ref, cache)
    return cache


def _dissolve(geoms: np.ndarray) -> Any:
    # admin-1 polygons of a country usually form a coverage (shared edges, no overlaps):
    # the coverage union is ~10x faster than a general union; other inputs get the latter
    if len(geoms) > 1 and shapely.coverage_is_valid(geoms):
        return shapely.coverage_union_all(geoms)
    return shapely.union_all(geoms)


def _regions(boundaries: gpd.GeoDataFrame, by: str, needed: set | None) -> gpd.GeoDataFrame:
    """Region table indexed by code: name, country, geometry (countries dissolved)."""
    if by == "admin1":
        table = boundaries[["code", "name", "country", "geometry"]].copy()
        table["code"] = table["code"].astype(object)
        table = table.drop_duplicates("code").set_index("code")
        return table if needed is None else table.loc[table.index.isin(needed)]
    # countries: dissolve admin-1 polygons, only those asked for (a world dissolve costs
    # a second), cached per boundary frame so repeated calls are cheap
    cache = _country_cache(boundaries)
    country = boundaries["country"].astype(object)
    codes = set(country.dropna().astype(str)) if needed is None else set(needed)
    todo = sorted(c for c in codes if c not in cache)
    if todo:
        names = boundaries["admin"] if "admin" in boundaries else country
        geoms = boundaries.geometry.to_numpy()
        arr = country.to_numpy(dtype=object)
        for code in todo:
            pos = np.flatnonzero(arr == code)
            if len(pos):
                cache[code] = (names.iloc[pos[0]], _dissolve(geoms[pos]))
    rows = [(c, *cache[c]) for c in sorted(codes) if c in cache]
    table = gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "name": [r[1] for r in rows], "country": [r[0] for r in rows]},
        geometry=[r[2] for r in rows], crs=boundaries.crs,
    )
    return table.set_index("code")


# --------------------------------------------------------------------------- summaries


class _Coded(NamedTuple):
    """A text column kept as codes into its distinct values (-1: missing): a third of a
    million dates or region names become a column from a few thousand texts."""

    codes: np.ndarray
    values: np.ndarray

    def decoded(self) -> np.ndarray:
        """The values as an object array, NaN where missing."""
        return np.append(self.values.astype(object), [np.nan])[self.codes]

    def column(self, fill: Any = np.nan) -> Any:
        """The column pandas makes of ``decoded()`` (its type told from the distinct
        values, which are the column's values), built by a take of them."""
        codes, values = self.codes, self.values
        if (codes < 0).any():
            values = np.append(values.astype(object), [fill])
            codes = np.where(codes < 0, len(values) - 1, codes)
        return pd.Series(values).array.take(codes)


# A key's order: for its distinct values, the place of each in the order wanted.
Rank = Callable[[Any], np.ndarray]


def _group_ids(keys: list[pd.Series | tuple[str, np.ndarray, Any]],
               ranks: Sequence[Rank | None] = ()) -> tuple[np.ndarray, pd.Index]:
    """Group number per row and the groups' keys, numbered as
    ``groupby(keys, sort=True, dropna=False)`` numbers them (missing last), or in the
    order ``ranks`` give a key's values, from one factorize per key and integer
    arithmetic: hashing a million (region, period) tuples, then again for every
    measure, cost more than the sums. A key may come factorized already: (name, codes,
    distinct values)."""
    codes, levels, names = [], [], []
    for i, key in enumerate(keys):
        rank = ranks[i] if i < len(ranks) else None
        if isinstance(key, tuple):
            name, c, u = key
            rank = rank or _sorted_places
        elif rank is None:  # groupby's own order
            name = key.name
            c, u = pd.factorize(key, sort=True, use_na_sentinel=True)
        else:
            name = key.name
            c, u = pd.factorize(key, use_na_sentinel=True)
        if rank is not None:
            place = np.asarray(rank(u), dtype=np.int64)
            u = u.take(np.argsort(place))
            c = np.where(c < 0, c, place[c])
        names.append(name)
        codes.append(np.where(c < 0, len(u), c).astype(np.int64))  # missing sorts last
        levels.append(u)
    combined = codes[0]
    for c, u in zip(codes[1:], levels[1:]):
        combined = combined * (len(u) + 1) + c
    gid, present = pd.factorize(combined, sort=True)
    # each key's code per group, -1 where it is missing (a MultiIndex's own NaN)
    parts = []
    rest = np.asarray(present, dtype=np.int64)
    for u in reversed(levels[1:]):
        rest, mine = np.divmod(rest, len(u) + 1)
        parts.append(mine)
    parts.append(rest)
    group_codes = [np.where(p == len(u), -1, p) for p, u in zip(reversed(parts), levels)]
    index = pd.MultiIndex(levels=[pd.Index(u) for u in levels], codes=group_codes,
                          names=names, verify_integrity=False)
    return gid.astype(np.int64), (index.get_level_values(0) if len(keys) == 1 else index)


def _summarise(df: pd.DataFrame, keys: list[str], kg_cols: list[str], *,
               rows: np.ndarray | None = None, sources: bool = False,
               doc_ids: np.ndarray | None = None,
               ranks: Sequence[Rank | None] = (),
               coded: Mapping[str, tuple[np.ndarray, Any]] | None = None,
               ) -> tuple[pd.Index, dict[str, Any]]:
    """Measures per group of ``keys`` over the rows ``rows`` (all when None) of a
    prepared events frame (``doc_ids``: the sorted report ids that its ``_doc_id`` codes
    number): the groups' keys (sorted, as ``groupby(keys)``'s index, or in the order
    ``ranks`` give, see ``_group_ids``) and the columns, arrays aligned with them; with
    ``sources``, the ``sources`` column too. ``coded``: keys factorized already, name ->
    (code per row of ``rows``, distinct values).

    Every measure is computed from an integer group number per row: the keys are hashed
    once, and only the columns a measure reads are taken from the frame (a copy of the
    summed columns cost a sixth of the aggregation)."""
    def col(name: str) -> np.ndarray:
        values = df[name].to_numpy()
        return values if rows is None else values[rows]

    def series(name: str) -> pd.Series:
        values = df[name] if rows is None else df[name].take(rows)
        return values.reset_index(drop=True)

    coded = coded or {}
    gid, index = _group_ids([(k, *coded[k]) if k in coded else series(k) for k in keys], ranks)
    n = len(index)
    counted = col("_counted").astype(bool)
    # eradication records (aggregate(..., eradications=)) ride in the same frame: in the
    # reports, dates and their own two measures, never in an event count or a figure
    erad = col("_erad").astype(bool) if "_erad" in df else None

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(gid[mask], minlength=n).astype(np.int64)

    # a merged duplicate is in its seizure's row (reports, sources) but in no figure;
    # people arrested: each statement counted once, on one event; a merged duplicate's
    # not again. pandas' sums (compensated, in row order) over the group numbers: the
    # same figures as by the keys
    summed = {"labs": np.where(counted, col("_labs"), np.nan),
              "arrests": np.where(counted, col("_arrests"), np.nan)}
    if erad is not None:
        summed["ha"] = col("_ha").astype(float)
    sums = pd.DataFrame(summed).groupby(gid, sort=True).sum(min_count=1)
    ids = (_report_ids(series("_doc"), gid, n) if doc_ids is None else
           _ids_per_group(col("_doc_id"), doc_ids, gid, n))
    cols: dict[str, Any] = {
        "events": count(counted),
        # distinct reports: the lengths of the id lists (a second count of a million
        # text values cost as much as the lists)
        "reports": np.fromiter(map(len, ids), dtype=np.int64, count=n),
        "labs_destroyed": sums["labs"].to_numpy(),
        "duplicates": count(~counted),
        "arrests": sums["arrests"].to_numpy(),
        # the distinct operations the events name
        "operations": _distinct_per_group(series("_operation"), gid, n),
    }
    if erad is not None:
        cols["events"] = count(counted & ~erad)
        # hectares of drug crops destroyed, and the records that say so
        cols["eradications"] = count(erad)
        cols["eradicated_ha"] = sums["ha"].to_numpy()
    # substances numbered once; each measure renumbers the few codes it holds
    substance_codes, substance_names = pd.factorize(df["_substance"], use_na_sentinel=True)
    substance = substance_codes if rows is None else substance_codes[rows]
    for measure, src in (("kg", "_kg"), ("count", "_count"), ("litres", "_litres")):
        values = col(src)
        has = ~pd.isna(values) & counted
        if not has.any() and measure != "kg":
            continue
        wide = _wide_sums(gid[has], substance[has], np.asarray(substance_names, dtype=object),
                          values[has].astype(float), n)
        if measure == "kg":
            in_all = [s for s in wide.columns if s not in NOT_IN_ALL]
            cols["kg_all"] = (wide[in_all].sum(axis=1, min_count=1).to_numpy() if in_all
                              else np.full(n, np.nan))
            names = kg_cols
        else:
            names = _substance_order(wide.columns)
        for s in names:
            cols[f"{measure}_{s}"] = (wide[s].to_numpy(dtype=float) if s in wide.columns
                                      else np.full(n, np.nan))
    if "kg_all" not in cols:
        cols["kg_all"] = np.full(n, np.nan)
    # the rows in group order (a stable sort keeps the rows' order within a group) and
    # each group's slice of them: for the dates and the sources
    order = np.argsort(gid, kind="stable")
    bounds = np.searchsorted(gid[order], np.arange(n + 1))
    # first/last date at the precision the events give it: the first event of the
    # earliest start, of the latest end (NaN for a group with no dated event)
    start = col("_start")
    undated = pd.isna(start)
    if not undated.all():
        stamps = {"first_date": np.where(undated, _NEVER, start.view(np.int64)),
                  "last_date": np.where(undated, -_NEVER, col("_end").view(np.int64))}
        for name, stamp in stamps.items():
            pick = _first_extreme(stamp[order], bounds, gid[order], latest=name == "last_date")
            has = pick >= 0
            # only the picked events' dates read, kept as codes into the distinct dates
            at = order[pick[has]]
            picked = df["_date"].take(at if rows is None else rows[at]).to_numpy(dtype=object)
            found, distinct = pd.factorize(picked, use_na_sentinel=True)
            codes = np.full(n, -1, dtype=np.int64)
            codes[has] = found
            cols[name] = _Coded(codes, np.asarray(distinct, dtype=object))
    else:
        cols["first_date"] = np.full(n, None, dtype=object)
        cols["last_date"] = np.full(n, None, dtype=object)
    cols["report_ids"] = ids
    if sources:
        # written as JSON text when read (geo.sources): the rows of the prepared frame in
        # group order, each group's slice of them
        picked = order if rows is None else np.asarray(rows)[order]
        table = SourceTable(_source_columns(df, doc_ids), picked, clean=_SOURCE_CLEANING)
        cols["sources"] = SourcesArray.from_table(table, bounds)
    return index, cols


# a timestamp no date reaches (int64 nanoseconds): an undated event's, so it is never
# the earliest (nor, negated, the latest)
_NEVER = np.iinfo(np.int64).max


def _first_extreme(stamps: np.ndarray, bounds: np.ndarray, gid: np.ndarray, *,
                   latest: bool) -> np.ndarray:
    """Per group (rows ``bounds[g]:bounds[g + 1]`` of ``stamps``, ``gid`` their groups)
    the position of its first earliest (``latest``: latest) stamp, -1 where the group
    has only undated ones (``_NEVER``): ``groupby.idxmin``/``idxmax`` over dated events,
    from one reduction and one comparison instead of a groupby."""
    n = len(bounds) - 1
    pick = np.full(n, -1, dtype=np.int64)
    if not len(stamps):
        return pick
    nonempty = bounds[:-1] < bounds[1:]
    reduce = np.maximum if latest else np.minimum
    extreme = np.full(n, -_NEVER if latest else _NEVER, dtype=np.int64)
    extreme[nonempty] = reduce.reduceat(stamps, bounds[:-1][nonempty])
    hits = np.flatnonzero(stamps == extreme[gid])
    first = hits[np.r_[True, gid[hits][1:] != gid[hits][:-1]]] if len(hits) else hits
    pick[gid[first]] = first
    pick[extreme == (-_NEVER if latest else _NEVER)] = -1
    return pick


def _summary_frame(index: pd.Index, cols: Mapping[str, Any]) -> pd.DataFrame:
    """``_summarise``'s columns as one frame indexed by the groups' keys."""
    out = pd.DataFrame({k: (v.decoded() if isinstance(v, _Coded) else v) for k, v in cols.items()
                        if k not in ("report_ids", "sources")}, index=index)
    out["report_ids"] = cols["report_ids"]
    if "sources" in cols:
        out["sources"] = pd.Series(cols["sources"], index=out.index)
    return out


def _wide_sums(gid: np.ndarray, substance: np.ndarray, substance_names: np.ndarray,
               values: np.ndarray, n: int) -> pd.DataFrame:
    """Per group (rows ``0..n-1``) the sum of ``values`` per substance (a column each, in
    the order the substances first come, NaN where a group has none): what
    ``groupby([keys, "_substance"], sort=False).sum().unstack().reindex(groups)`` gives,
    from one pandas sum over integer (group, substance) numbers (the same compensated
    sums in the same row order) put in a matrix laid out as ``unstack`` lays it out, one
    row per group, so ``kg_all`` adds its columns in the same order and way."""
    # ``substance``: codes into ``substance_names`` (-1: none), renumbered here in the
    # order they first come (integers hashed, not a million texts)
    codes, present = pd.factorize(substance, use_na_sentinel=False)
    names = np.append(substance_names, [np.nan])[present]
    m = max(len(names), 1)
    sums = pd.Series(values).groupby(gid.astype(np.int64) * m + codes, sort=False).sum()
    matrix = np.full((n, len(names)), np.nan)
    matrix.reshape(-1)[sums.index.to_numpy()] = sums.to_numpy()
    return pd.DataFrame(matrix, columns=pd.Index(names, dtype=object), copy=False)


def _distinct_per_group(values: pd.Series, gid: np.ndarray, n: int) -> np.ndarray:
    """Per group the number of distinct non-missing values (``nunique``), from integer
    (group, value) pairs."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells: pandas' own count
        return values.groupby(gid).nunique().reindex(range(n), fill_value=0).to_numpy()
    keep = codes >= 0
    m = max(len(uniques), 1)
    pairs = np.unique(gid[keep].astype(np.int64) * m + codes[keep])
    return np.bincount(pairs // m, minlength=n).astype(np.int64)


def _doc_column(ev: pd.DataFrame) -> pd.Series:
    """The report ids as text, stripped, as a categorical whose categories are sorted
    (Python's order): what ``_doc_codes`` numbers, from one factorize of the column as it
    is (a third of a million ids hashed as Python strings a second time cost more)."""
    if "doc" not in ev:
        return pd.Series(None, index=ev.index, dtype=object)
    try:
        raw = ev["doc"]
        codes, uniques = pd.factorize(raw if isinstance(raw.dtype, pd.StringDtype)
                                      else raw.astype(object), use_na_sentinel=True)
    except TypeError:  # unhashable cells: as any text column
        return _text(ev, "doc", str)
    # one conversion of the distinct values (Arrow text iterated costs a call each)
    raw_ids = uniques.tolist()
    cleaned_ids = _clean_str_texts(raw_ids)
    cleaned = np.array(cleaned_ids + [None], dtype=object)
    known = np.flatnonzero(pd.notna(cleaned))
    # ids that stripping left as they are (the same objects) are still distinct: sorted
    # without hashing them again
    distinct = all(map(operator.is_, cleaned_ids, raw_ids))
    ids, sorted_ids = _sorted_factorize(cleaned[known], distinct=distinct)
    rank = np.full(len(cleaned), -1, dtype=np.int64)
    rank[known] = ids
    return pd.Series(pd.Categorical.from_codes(rank[codes], categories=pd.Index(sorted_ids, dtype=object)),
                     index=ev.index)


def _doc_codes(docs: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per event, -1 when missing; the distinct report ids sorted as text, in
    Python's order): one factorize that the date order and the report lists share."""
    if isinstance(docs.dtype, pd.CategoricalDtype):  # numbered already (_doc_column)
        return (docs.cat.codes.to_numpy().astype(np.int64),
                np.asarray(docs.cat.categories, dtype=object))
    d = docs.to_numpy(dtype=object)
    keep = pd.notna(d)
    ids = d[keep]
    if pd.api.types.infer_dtype(ids, skipna=False) != "string":  # (prepared ids are text)
        ids = pd.Series(ids).astype(str).to_numpy(dtype=object)
    codes, uniques = _sorted_factorize(ids)
    out = np.full(len(d), -1, dtype=np.int64)
    out[keep] = codes
    return out, np.asarray(uniques, dtype=object)


def _sorted_factorize(ids: np.ndarray, *, distinct: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(ids, sort=True)`` of text: the distinct ids sorted by Arrow, whose
    order of UTF-8 bytes is Python's order of code points (a third of a million ids
    compared one pair at a time in Python cost half a second). ``distinct``: the ids
    are known to be so (no hash of them is needed)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pyarrow is optional (the GeoParquet and dask extras)
        return pd.factorize(ids, sort=True)
    codes, uniques = (np.arange(len(ids)), ids) if distinct else pd.factorize(ids)
    try:
        order = pc.array_sort_indices(pa.array(uniques, type=pa.string())).to_numpy()
    except (pa.ArrowException, UnicodeEncodeError):  # not UTF-8 (lone surrogates): Python's sort
        return pd.factorize(ids, sort=True)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], np.asarray(uniques, dtype=object)[order]


def _report_ids(docs: pd.Series, gid: np.ndarray, n: int) -> list[list[str]]:
    """Per group the sorted distinct report ids."""
    return _ids_per_group(*_doc_codes(docs), gid, n)


def _ids_per_group(codes: np.ndarray, uniques: np.ndarray, gid: np.ndarray,
                   n: int) -> list[list[str]]:
    """Per group the distinct ``uniques[codes]`` in code order (-1: none)."""
    keep = codes >= 0
    # distinct (group, report) pairs as integers: one sort of group * ids + id replaces
    # a drop_duplicates and a two-column sort of a million objects
    m = max(len(uniques), 1)
    pairs = np.sort(gid[keep].astype(np.int64) * m + codes[keep])
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    g, c = np.divmod(pairs, m)
    # one list of every (group, report) id, cut per group: a list slice each instead
    # of an array slice and its tolist (a third of a million groups by region and month)
    flat = uniques[c].tolist()
    bounds = np.searchsorted(g, np.arange(n + 1)).tolist()
    with _collector_paused():
        return [flat[a:b] for a, b in itertools.pairwise(bounds)]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while lists of text are made (they
    cannot form a cycle): a third of a million new lists set off hundreds of passes,
    each walking every object the process holds (the events' million evidence dicts),
    eight times the making of the lists. A collector already off stays off."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _source_columns(df: pd.DataFrame, doc_ids: np.ndarray | None) -> dict[str, Any]:
    """The ``sources`` records' columns (JSON key -> values of ``df``'s rows; see
    ``aggregate`` for the shape); ``df`` is the aggregate's own copy, never changed
    after, so the columns are shared, not copied."""
    cols = {"_doc": "doc", "_src_date": "date", "_place": "place", "_substance_raw": "substance",
            "_kg": "quantity_kg", "_count": "count", "_litres": "litres",
            "_labs": "labs_destroyed", "_arrests_c": "arrests", "_operation": "operation",
            "_sentence": "sentence", "_url": "url",
            "_cluster": "cluster", "_duplicate_of": "duplicate_of"}
    if "_erad" in df:  # an eradication record's crop and hectares (only then: same bytes)
        cols.update({"_crop": "crop", "_ha": "hectares"})
    # a merged duplicate's arrests are its seizure's: not again (as the arrests column)
    values: dict[str, Any] = {
        key: (df["_arrests"].where(df["_counted"].astype(bool)) if column == "_arrests_c"
              else df[column]) for column, key in cols.items()}
    if doc_ids is not None:  # the report ids are numbered already (_doc_codes)
        values["doc"] = (df["_doc_id"].to_numpy(), doc_ids)
    return values


def _clean_column(values: pd.Series) -> pd.Series:
    return _per_unique(values, _clean_text, _clean_texts)


def _clean_str(value: Any) -> Any:
    value = _clean_text(value)
    return None if value is None else str(value)


def _clean_str_column(values: pd.Series) -> pd.Series:
    return _per_unique(values, _clean_str, _clean_str_texts)


def _sentence_column(values: pd.Series) -> pd.Series:
    return pd.Series(_evidence_sentences(values.tolist()), index=values.index, dtype=object)


# The popup fields only the ``sources`` lists show are kept as the events give them and
# read (evidence sentence, stripped text) for the rows a list is written for: at a
# million events this reading was a fifth of the aggregation, for lists seldom read.
_SOURCE_CLEANING: dict[str, Callable[[pd.Series], pd.Series]] = {
    "place": _clean_column, "url": _clean_column, "sentence": _sentence_column,
    "cluster": _clean_str_column, "duplicate_of": _clean_str_column}


def _code_country(code: Any) -> str | None:
    m = _CODE_COUNTRY.match(code) if isinstance(code, str) else None
    return m.group(1) if m else None


_CODE_COUNTRY = re.compile(r"^([A-Z]{2})-")


def _evidence_sentences(values: list) -> list[str | None]:
    """``_evidence_sentence`` of each value, the extractor's dicts read inline (one per
    event: a million calls cost more than the reading)."""
    out: list[str | None] = []
    add = out.append
    for v in values:
        if type(v) is dict:
            s = v.get("sentence")
            add(s if s is None or type(s) is str else str(s))
        else:
            add(_evidence_sentence(v))
    return out


def _prepare(events: pd.DataFrame, *, dedup: bool = False) -> pd.DataFrame:
    """Internal working columns (underscore-prefixed) from an events frame.

    With ``dedup`` (events carrying :mod:`geo.dedup`'s columns), ``_counted`` is False
    on merged duplicates and every source of a merged seizure takes the seizure's place
    and date, so that its sources fall in one region and period; ``_src_date`` keeps
    each source's own date for the popups."""
    df = pd.DataFrame(index=pd.RangeIndex(len(events)))
    ev = events.reset_index(drop=True)
    df["_counted"] = True
    df["_cluster"] = None
    df["_duplicate_of"] = None
    df["_src_date"] = None
    if dedup and "duplicate_of" in ev.columns and "cluster" in ev.columns:
        from .dedup import cluster_view

        view = cluster_view(ev)
        df["_counted"] = view["counted"].to_numpy(dtype=bool)
        df["_cluster"] = _raw(ev, "cluster")  # cleaned when a list is written
        df["_duplicate_of"] = _raw(ev, "duplicate_of")
        df["_src_date"] = parse_dates(ev["date"])["date"].to_numpy()
        ev = ev.copy()
        for col in ("country", "admin1", "admin2", "date"):
            ev[col] = view[col].to_numpy()
    else:
        df["_src_date"] = None
    df["_doc"] = _doc_column(ev)  # ids read from CSV may be numbers: compare as text
    sub = _text(ev, "substance", _column_key)
    df["_substance_raw"] = sub
    # a figure with no substance still counts: under "unspecified", as the vocabulary says
    df["_substance"] = sub.fillna("unspecified")
    df["_kg"] = _numeric(ev, "quantity_kg")
    df["_count"] = _numeric(ev, "count")
    df["_labs"] = _numeric(ev, "labs_destroyed")
    df["_arrests"] = _numeric(ev, "arrests")
    df["_operation"] = _text(ev, "operation")
    df["_litres"] = _litres(ev)
    df.loc[df["_kg"].notna(), "_litres"] = np.nan  # weighed: the mass is the figure
    df["_country"] = _text(ev, "country", lambda v: str(v).upper())
    df["_admin1"] = _text(ev, "admin1", lambda v: str(v).upper())
    df["_admin2"] = _text(ev, "admin2", lambda v: str(v).upper())
    # an ISO 3166-2 code names its country ("AF-BDS" -> "AF") when the country is empty
    # once per distinct code, not per event (a million events hold a few thousand)
    prefix = _per_unique(df["_admin1"], _code_country)
    df["_country"] = df["_country"].where(df["_country"].notna(), prefix.astype(object))
    df["_country"] = df["_country"].astype(object).where(df["_country"].notna(), None)
    # the popups' own fields, read when a list is written (_SOURCE_CLEANING)
    df["_place"] = _raw(ev, "place")
    df["_url"] = _raw(ev, "url")
    df["_sentence"] = _raw(ev, "evidence")
    from .text.plausibility import implausible_reasons
    df["_implausible"] = implausible_reasons(
        # the written figure only for its sign: not a required column, never an error
        df["_substance_raw"], pd.to_numeric(ev.get("quantity"), errors="coerce")
        if "quantity" in ev else df["_kg"], df["_kg"], df["_count"])
    dates = parse_dates(ev["date"])
    df["_date"] = dates["date"].to_numpy()
    df["_start"] = dates["start"].to_numpy()
    df["_end"] = dates["end"].to_numpy()
    if not dedup:
        df["_src_date"] = df["_date"]
    return df


def _prepare_eradications(records: pd.DataFrame, columns: pd.Index) -> pd.DataFrame:
    """An eradication frame's records as rows of a prepared events frame (``columns``),
    marked ``_erad``, with ``_ha`` (hectares) and ``_crop``; no seizure figure."""
    missing = [c for c in ("doc", "crop", "hectares", "country", "admin1", "date")
               if c not in records.columns]
    if missing:
        raise AggregationError(f"eradications lack required column(s): {', '.join(missing)}")
    rec = records.reset_index(drop=True)
    df = pd.DataFrame(index=pd.RangeIndex(len(rec)), columns=columns, dtype=object)
    df["_counted"] = True
    df["_doc"] = _text(rec, "doc", str)
    for col in ("_kg", "_count", "_labs", "_arrests", "_litres"):
        df[col] = np.nan
    df["_operation"] = _text(rec, "operation") if "operation" in rec else None
    df["_country"] = _text(rec, "country", lambda v: str(v).upper())
    df["_admin1"] = _text(rec, "admin1", lambda v: str(v).upper())
    df["_admin2"] = (_text(rec, "admin2", lambda v: str(v).upper()) if "admin2" in rec
                     else None)
    prefix = _per_unique(df["_admin1"], _code_country)
    df["_country"] = df["_country"].where(df["_country"].notna(), prefix.astype(object))
    df["_country"] = df["_country"].astype(object).where(df["_country"].notna(), None)
    df["_place"] = _raw(rec, "place")
    df["_sentence"] = _raw(rec, "evidence")
    df["_implausible"] = None
    dates = parse_dates(rec["date"])
    df["_date"] = dates["date"].to_numpy()
    df["_src_date"] = df["_date"]
    df["_start"] = dates["start"].to_numpy()
    df["_end"] = dates["end"].to_numpy()
    df["_erad"] = True
    df["_crop"] = _text(rec, "crop")
    df["_ha"] = _numeric(rec, "hectares")
    return df


# --------------------------------------------------------------------------- public API


def aggregate(
    events: pd.DataFrame | Iterable[Any],
    boundaries: gpd.GeoDataFrame | None = None,
    *,
    level: int = 1,
    by: str = "admin1",
    substances: str | Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    freq: str | None = None,
    all_regions: bool = False,
    tidy: bool = False,
    dedup: bool = True,
    eradications: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Sum seizure events per region (and period) and substance.

    Parameters
    ----------
    events
        Events frame (``geo.extract`` / ``geo.read_seizures`` output, or any frame with
        the columns ``doc, substance, quantity_kg, count, labs_destroyed, country, admin1,
        date``; ``quantity``/``unit`` give litres, ``place``/``evidence``/``url`` feed the
        ``reports`` column), or an iterable of ``geo.events.Event``.
    boundaries
        Regions with ``code, name, country, geometry`` (default ``geo.places.boundaries.default()``,
        or its second level with ``level=2``). A set of your own is summed at its own level.
    level
        ``1``: a row per first-level region (the events' ``admin1``); ``2``: a row per
        second-level unit (the events' ``admin2``: departments, provinces), for the countries
        the boundary set has them (the default set's ``admin2.fgb.gz``, or your own set loaded
        with ``load(path, level=2)``); other events are unlocated ("no admin2"). Events of an
        older events file coded with the previous default set's codes (departments
        ``FR-64``, provinces ``ES-CA``) are summed under today's level-1 code, and events
        coded with an ISO level-1 unit the default set does not draw (``LB-BH``, created 2014)
        under the unit that holds it (``LB-BI``) (``geo.places.boundaries.code_map()``) when
        the default set is used.
    substances
        Substances (or drug groups such as ``"opiates"``) to keep; ``kg_<substance>``
        columns are made for each, present or not. Events with no substance (e.g. a
        lab-destruction event) are kept, so labs still show.
    start, end
        Inclusive ISO bounds at any precision (``end="2012-09"`` means through Sept 30).
        An event dated at a coarser precision is kept when its span overlaps the window
        (a "2012" event is in ``start="2012-06"``). Undated events are not in any
        window: with a bound set they go to ``attrs["unlocated"]`` (reason "no date").
    freq
        ``"D" | "W" | "M" | "Q" | "Y"`` (also "month", "QE", "A" ...): one row per region
        and period. An event falls in the period holding its whole span ("2012-09" is in
        September, and in 2012Q3); one whose date is coarser than ``freq`` ("2012" with
        monthly) or missing goes to ``attrs["unlocated"]``.
    all_regions
        Also list the regions (x periods) with no events, every figure NaN (not 0).
    tidy
        Return the long form of :func:`to_long` instead.
    dedup
        Count a seizure several reports tell once (default; :mod:`geo.dedup`). Events
        that carry the dedup columns (``geo.deduplicate`` output, or an events file
        ``geo map`` wrote) are taken as they are marked; others are deduplicated here.
        Each merged seizure counts with its kept event's figure, in the finest region and
        the most precise date its sources give; its duplicates add to ``reports``,
        ``report_ids``, ``sources`` and ``duplicates``, never to a figure. ``False``
        sums every event as it is.
    eradications
        Eradication records (:func:`geo.eradications`, or ``eradication.csv`` read back):
        adds ``eradications`` (records) and ``eradicated_ha`` (hectares of drug crops
        destroyed) per region and period, a region with eradication only gets its row
        too. Records that do not count (``counted`` false: a period total, a part of a
        figure told before) are left out (``attrs["excluded"]["eradication not
        counted"]``). They add to ``reports``, ``report_ids``, ``sources`` (with ``crop``
        and ``hectares``) and the dates, never to ``events`` or a seizure figure.

    Returns
    -------
    GeoDataFrame, one row per region [and period], in the boundaries' CRS, columns:

    - ``region``: admin-1 code (ISO 3166-2) or country code (ISO 3166-1 alpha-2);
      ``name``: region or country name; ``country``: ISO2;
    - ``period`` (only with ``freq``): label string "2012-09", "2012Q3", "2012", a day
      "2012-09-15" or a week "2012-09-10/2012-09-16";
    - ``events``: number of events (a merged seizure counts once); ``reports``: number of
      distinct reports (``doc``), merged duplicates' included;
      ``labs_destroyed``: labs destroyed (NaN when no event reports any); ``duplicates``:
      events merged into a seizure the row counts (0 with ``dedup=False``);
      ``arrests``: people arrested (each statement once); ``operations``: distinct
      operations named; with ``eradications``: ``eradications`` and ``eradicated_ha``;
    - ``kg_all``: kg of every substance but precursors (see ``NOT_IN_ALL``);
      ``kg_<substance>`` for each substance in the data (or in ``substances``), in
      vocabulary order (``SUBSTANCES``), e.g. ``kg_heroin``, ``kg_opium``;
    - ``count_<substance>``: units counted (pills, tablets), only for substances counted;
      ``litres_<substance>``: volumes in litres (gallons converted with pint), only for
      substances measured by volume. Counts and litres never enter ``kg_*``.
      A substance figure is NaN when that region has no such figure (not 0);
    - ``first_date``, ``last_date``: earliest / latest event date as ISO text at the
      precision given ("2012-09");
    - ``report_ids``: sorted list of the distinct report ids;
    - ``sources``: JSON text, kept compact and written when read (dtype ``sources``,
      :class:`geo.sources.SourcesArray`: each value reads as a ``str``, NaN for a row
      with no events; ``tolist()``, ``.str``, CSV/GeoJSON/GPKG/Parquet writers see the
      text; a value set by hand must be text):
      a list, one object per event in date order, with keys ``doc, date, place,
      substance, quantity_kg, count, litres, labs_destroyed, arrests, operation, sentence,
      url, cluster, duplicate_of`` (and ``crop, hectares`` with ``eradications``; null when
      unknown; ``sentence`` is the evidence sentence, as
      untrusted text: escape it; ``cluster`` is the merged seizure's id, shared by all
      its sources, and ``duplicate_of`` is set on the sources that do not count: the
      report whose figure counts); each source shows its own figure and date;
    - ``geometry``.

    ``attrs``: ``by``, ``freq``, ``substances`` (the substance columns), ``excluded``
    (events removed by the ``substances``/date filters and ``implausible`` ones, per
    cause), ``set_aside``: the events whose quantity no seizure can have (negative, zero,
    or over the limit of ``geo/vocab/seizure_limits.csv``: a misread figure), one row
    each with ``doc, substance, quantity_kg, count, reason``, in no total; and
    ``unlocated``: a DataFrame with a row per (``reason``, ``country``) and the same
    measure columns (``events, reports, labs_destroyed, kg_all, kg_*, count_*,
    litres_*, first_date, last_date, report_ids``). Reasons: "no admin1", "no country",
    "admin1 not in boundaries", "admin1 split since (code_map.csv)", "country not in
    boundaries", "no admin2", "admin2 not in boundaries", "no date", "date coarser than
    freq". Note that pandas compares ``attrs`` on ``pd.concat``: clear them
    (``agg.attrs = {}``) before concatenating two aggregates.

    Raises
    ------
    AggregationError
        events lack required columns (named), a column holds non-numbers, ``by``/``freq``
        /``substances``/``start``/``end``/``level`` are invalid, or boundaries lack columns.
    BoundaryError
        ``level=2`` with a boundary set that has no second level (no ``parent`` column).
    """
    # ---- validation up front, before any work
    if not isinstance(events, pd.DataFrame):
        events = _events_from_objects(events)
    missing = [c for c in REQUIRED_COLUMNS if c not in events.columns]
    if missing:
        raise AggregationError(
            f"events lack required column(s): {', '.join(missing)} "
            f"(have: {', '.join(map(str, events.columns))})"
        )
    if not isinstance(dedup, bool):
        raise AggregationError(f"dedup={dedup!r}: give True or False")
    if by not in _BY:
        raise AggregationError(f"by={by!r} is not supported; use 'admin1' or 'country'")
    period_freq = _resolve_freq(freq)
    wanted = _resolve_substances(substances)
    lo, hi = _bound(start, "start"), _bound(end, "end")
    if lo is not None and hi is not None and lo > hi:
        raise AggregationError(f"start={start!r} is after end={end!r}")
    if level not in (1, 2) or isinstance(level, bool):
        raise AggregationError(f"level={level!r} is not supported; use 1 or 2")
    if by == "country":
        level = 1  # countries are dissolved from the level-1 regions whatever the level
    default_set = boundaries is None or _is_default_set(boundaries)
    if boundaries is None:
        from .places.boundaries import shared as default_boundaries
        boundaries = default_boundaries(level)
    _validate_boundaries(boundaries)
    if level == 2:
        from .places.boundaries import require_level
        require_level(boundaries, 2)
        if "admin2" not in events.columns:
            # an events file from before the second level: find it from the points
            from .places.locate import add_admin2
            events = add_admin2(events)

    if dedup:
        from .dedup import deduplicate

        if "duplicate_of" not in events.columns or "cluster" not in events.columns:
            events = deduplicate(events)
    df = _prepare(events, dedup=dedup)
    erad_excluded = 0
    if eradications is not None:
        if not isinstance(eradications, pd.DataFrame):
            raise AggregationError(f"eradications must be a DataFrame (geo.eradications), "
                                   f"not {type(eradications).__name__}")
        keep = (eradications["counted"].map(lambda v: str(v).lower() not in ("false", "0"))
                if "counted" in eradications.columns
                else pd.Series(True, index=eradications.index))
        erad_excluded = int((~keep.astype(bool)).sum())
        df["_erad"] = False
        df["_crop"] = None
        df["_ha"] = np.nan
        if keep.any():
            er = _prepare_eradications(eradications[keep.astype(bool)], df.columns)
            df = pd.concat([df, er[df.columns]], ignore_index=True) if len(df) else er[df.columns]
            for col in ("_counted", "_erad"):
                df[col] = df[col].astype(bool)
            for col in ("_kg", "_count", "_labs", "_arrests", "_litres", "_ha"):
                df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
            for col in ("_start", "_end"):
                df[col] = pd.to_datetime(df[col])
    retired = pd.Series(False, index=df.index)
    if default_set and level == 1:
        df["_admin1"], retired = _current_codes(df["_admin1"])
    excluded: dict[str, int] = {}
    if erad_excluded:
        excluded["eradication not counted"] = erad_excluded

    # ---- quantities no seizure can have: in the events, in no total (geo.plausibility)
    implausible = df["_implausible"].notna()
    set_aside = pd.DataFrame({"doc": df.loc[implausible, "_doc"].astype(object),
                              "substance": df.loc[implausible, "_substance"],
                              "quantity_kg": df.loc[implausible, "_kg"],
                              "count": df.loc[implausible, "_count"],
                              "reason": df.loc[implausible, "_implausible"]}
                             ).reset_index(drop=True)
    # the events left out are marked, not cut out: each cut copied a million rows
    alive = ~implausible.to_numpy(dtype=bool)
    if implausible.any():
        excluded["implausible"] = int(implausible.sum())

    # ---- filters the user asked for
    if wanted is not None:
        keep = (df["_substance_raw"].isin(wanted) | df["_substance_raw"].isna()).to_numpy()
        excluded["substance"] = int((alive & ~keep).sum())
        alive &= keep
    reason = pd.Series(None, index=df.index, dtype=object)
    if lo is not None or hi is not None:
        undated = df["_start"].isna().to_numpy()
        inside = ~undated
        if lo is not None:
            inside &= (df["_end"] >= lo).to_numpy()
        if hi is not None:
            inside &= (df["_start"] <= hi).to_numpy()
        excluded["date"] = int((alive & ~inside & ~undated).sum())
        alive &= inside | undated
        reason[undated] = "no date"

    # ---- where: region code per event, or the reason it has none
    known_codes = set(boundaries["code"].dropna().astype(str).str.upper())
    if by == "admin1" and level == 2:
        df["_region"] = df["_admin2"]
        no_key, not_known = "no admin2", "admin2 not in boundaries"
    elif by == "admin1":
        df["_region"] = df["_admin1"]
        no_key, not_known = "no admin1", "admin1 not in boundaries"
    else:
        known_codes = set(boundaries["country"].dropna().astype(str).str.upper())
        df["_region"] = df["_country"]
        no_key, not_known = "no country", "country not in boundaries"
    place_reason = pd.Series(None, index=df.index, dtype=object)
    place_reason[df["_region"].isna()] = no_key
    place_reason[df["_region"].notna() & ~df["_region"].isin(known_codes)] = not_known
    if by == "admin1" and level == 1:
        place_reason[retired.to_numpy(dtype=bool)] = "admin1 split since (code_map.csv)"
    # the place reason wins: an event with neither region nor date is first unlocated
    reason = place_reason.where(place_reason.notna(), reason)

    # ---- when: period per event
    keys = ["_region"]
    if period_freq is not None:
        dated = df["_start"].notna()
        p_start = pd.Series(pd.NaT, index=df.index, dtype="period[%s]" % period_freq)
        p_end = p_start.copy()
        if dated.any():
            p_start[dated] = df.loc[dated, "_start"].dt.to_period(period_freq)
            p_end[dated] = df.loc[dated, "_end"].dt.to_period(period_freq)
        fits = dated & (p_start == p_end)
        reason[reason.isna() & ~dated] = "no date"
        reason[reason.isna() & dated & ~fits] = "date coarser than freq"
        df["_period"] = p_start.where(fits)
        keys.append("_period")

    substance_names = wanted if wanted is not None else _substance_order(
        df.loc[alive & df["_kg"].notna().to_numpy(), "_substance"].unique())
    kg_cols = list(substance_names)

    # report ids numbered once, in sorted order, for the date order and the id lists
    df["_doc_id"], doc_ids = _doc_codes(df["_doc"])
    placed = reason.isna().to_numpy()
    inside = np.flatnonzero(alive & placed)
    lost = np.flatnonzero(alive & ~placed)
    unlocated = df.take(lost).assign(_reason=reason.take(lost))

    # ---- sums
    # the located events in date order; each measure reads its own columns at these
    # rows, the popups' are cut from df when a list is read
    rows = inside[_date_doc_order(df[["_doc_id", "_start"]].take(inside))]
    region_codes, located_regions = pd.factorize(df["_region"].take(rows), use_na_sentinel=True)
    needed = None if all_regions else set(located_regions)
    table = _regions(boundaries, by, needed)
    table.index = table.index.astype(str).str.upper()
    # a code the boundaries write twice in other cases ("AF-KAB", "af-kab") is one region,
    # its first row: drawn twice, all_regions counted its events twice
    table = table[~table.index.duplicated(keep="first")]
    # the groups numbered in the result's order (country, region [, period]): its
    # columns are the groups' own arrays, not a sorted copy of a built frame
    ranks = [lambda regions: _region_ranks(regions, table), _period_ranks]
    groups, cols = _summarise(df, keys, kg_cols, rows=rows, sources=True, doc_ids=doc_ids,
                              ranks=ranks, coded={"_region": (region_codes, located_regions)})

    # the result's rows: the groups, or every region (x period) with all_regions
    full = groups
    if all_regions and period_freq is not None and len(rows):
        group_periods = groups.get_level_values("_period")
        periods = pd.period_range(group_periods.min(), group_periods.max(), freq=period_freq)
        full = pd.MultiIndex.from_product([table.index, periods], names=keys)
    elif all_regions and period_freq is None:
        full = pd.Index(table.index, name="_region")
    if full is not groups:
        full = full[_key_order(full, ranks)]
    where = None if full is groups else groups.get_indexer(full)
    result = _result_frame(full, where, cols, table, boundaries.crs)

    result.attrs["by"] = by
    result.attrs["level"] = level
    result.attrs["freq"] = period_freq
    result.attrs["substances"] = list(substance_names)
    result.attrs["excluded"] = excluded
    result.attrs["set_aside"] = set_aside
    result.attrs["unlocated"] = _unlocated_frame(unlocated, kg_cols, substance_names, doc_ids)
    return to_long(result) if tidy else result


def _region_ranks(regions: Any, table: gpd.GeoDataFrame) -> np.ndarray:
    """Each region's place in the result's order: by country, then code, as pandas
    sorts those text columns (missing last)."""
    regions = np.asarray(regions, dtype=object)
    keys = pd.DataFrame({"country": table["country"].reindex(regions).to_numpy(),
                         "region": regions})
    return _places(keys.sort_values(["country", "region"], kind="stable").index.to_numpy())


def _period_ranks(periods: Any) -> np.ndarray:
    """Each period's place in the result's order: by its label ("2012-09"), as text."""
    labels = pd.Series(pd.Series(periods).astype(str).to_numpy())
    return _places(labels.sort_values(kind="stable").index.to_numpy())


def _sorted_places(values: Any) -> np.ndarray:
    """Each value's place in sorted order (what ``factorize(sort=True)`` numbers)."""
    _, uniques = pd.factorize(values, sort=True)
    return pd.Index(uniques).get_indexer(values)


def _places(order: np.ndarray) -> np.ndarray:
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(len(order))
    return place


def _key_order(keys: pd.Index, ranks: Sequence[Rank]) -> np.ndarray:
    """Positions of ``keys`` (regions [x periods]) in the result's order."""
    if not isinstance(keys, pd.MultiIndex):
        return np.argsort(ranks[0](keys), kind="stable")
    places = [ranks[i](level)[codes] for i, (level, codes) in enumerate(zip(keys.levels, keys.codes))]
    return np.lexsort(places[::-1])


def _result_frame(full: pd.Index, where: np.ndarray | None, cols: dict[str, Any],
                  table: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    """The aggregate: a row per key of ``full`` (region [, period], in the result's
    order) with the group columns ``cols`` at ``where`` (-1: a region without events,
    every figure NaN; None: ``full`` are the groups), region names and polygons from
    ``table``.

    The columns are the groups' own arrays (taken once with ``all_regions``), and each
    key's text is made once per distinct value: building the frame and then sorting it
    copied all of it twice (a third of a GB at a million events by region and month)."""
    flat = not isinstance(full, pd.MultiIndex)
    regions, region_codes = ((pd.Index(full), np.arange(len(full))) if flat
                             else (full.levels[0], full.codes[0]))
    regions = np.asarray(regions, dtype=object)
    # a region's name and polygon looked up once per region, and each key column made
    # from its distinct values, not per row
    geo_rows = table.reindex(regions)
    data: dict[str, Any] = {
        "region": _Coded(region_codes, regions).column(),
        "name": _Coded(region_codes, geo_rows["name"].to_numpy()).column(),
        "country": _Coded(region_codes, geo_rows["country"].to_numpy()).column(),
    }
    if not flat:
        labels = pd.Series(full.levels[1]).astype(str).to_numpy()
        data["period"] = _Coded(full.codes[1], labels).column()
    polygons = geo_rows.geometry.to_numpy()
    geometry = (polygons[region_codes] if (region_codes >= 0).all()
                else np.append(polygons, [None])[region_codes])
    missing = None if where is None else where < 0
    for name in list(cols):
        values = cols.pop(name)  # the group's copy freed as it goes
        if isinstance(values, list):
            values = _object_array(values)
        if where is not None:
            values = _taken(values, where, missing)
        data[name] = values.column() if isinstance(values, _Coded) else values
    # not consolidated into one block: that would copy every figure once more
    return gpd.GeoDataFrame(data, geometry=geometry, crs=crs, copy=False)


def _taken(values: Any, at: np.ndarray, missing: np.ndarray) -> Any:
    """``values[at]``, NaN where ``missing`` (integers then as floats): what reindexing
    a column of the groups to the result's rows gives."""
    if isinstance(values, SourcesArray):
        return values.take(at, allow_fill=True)
    if isinstance(values, _Coded):
        return _Coded(np.where(missing, -1, values.codes[at]), values.values)
    if not missing.any():
        return values[at]
    if values.dtype.kind in "iub":
        values = values.astype(np.float64)
    out = values[np.where(missing, 0, at)] if len(values) else np.empty(len(at), values.dtype)
    out[missing] = np.nan
    return out


def _object_array(values: list) -> np.ndarray:
    """The report id lists as a column: an array of lists (never 2-D); none at all gives
    floats, as pandas makes a column of an empty list."""
    if not values:
        return np.empty(0, dtype=np.float64)
    return np.fromiter(values, dtype=object, count=len(values))


def _date_doc_order(df: pd.DataFrame) -> np.ndarray:
    """Positions of ``df`` sorted by ``_start`` then ``_doc``, stable, missing last: what
    ``sort_values(["_start", "_doc"], kind="stable", na_position="last")`` gives, from
    integer codes (one factorize each, then one lexsort) instead of a sort of objects."""
    keys = []
    for col in ("_doc", "_start"):  # lexsort: the last key is the primary one
        if col == "_doc" and "_doc_id" in df:  # sorted codes already (_doc_codes)
            codes = df["_doc_id"].to_numpy()
            keys.append(np.where(codes < 0, codes.max(initial=-1) + 1, codes))
            continue
        values = df[col]
        if values.dtype.kind == "M":  # timestamps sort as their integers, missing last
            stamps = values.to_numpy().view(np.int64)
            keys.append(np.where(values.isna().to_numpy(), np.iinfo(np.int64).max, stamps))
            continue
        codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
        keys.append(np.where(codes < 0, len(uniques), codes))
    return np.lexsort(keys) if len(df) else np.arange(0)


def _is_default_set(boundaries: gpd.GeoDataFrame) -> bool:
    """Whether a frame is (a copy of) the default level-1 set, whose earlier codes
    ``code_map.csv`` maps: ``geo.boundaries.default()`` or ``load()`` of its file."""
    from .places.boundaries import DEFAULT_PATH

    return getattr(boundaries, "attrs", {}).get("path") == str(DEFAULT_PATH)


def _current_codes(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Level-1 codes of the previous default set mapped to today's (``FR-64`` -> ``FR-NAQ``),
    and which codes name a unit that was split (no single code today: left as they are)."""
    from .places.boundaries import code_map

    table = code_map()

    def current(code: Any) -> Any:
        if code is None or code not in table:
            return code
        return table[code] or code

    # one factorize gives both (a million events, a few thousand codes)
    found, uniques = pd.factorize(codes.astype(object), use_na_sentinel=True)
    distinct = list(uniques)
    mapped = np.array([current(c) for c in distinct] + [None], dtype=object)
    retired = np.array([c in table and table[c] is None for c in distinct] + [False], dtype=bool)
    return (pd.Series(mapped[found], index=codes.index, dtype=object),
            pd.Series(retired[found], index=codes.index, dtype=bool))


def _unlocated_frame(unlocated: pd.DataFrame, kg_cols: list[str],
                     substance_names: list[str], doc_ids: np.ndarray | None = None) -> pd.DataFrame:
    if not len(unlocated):
        cols = ["reason", "country", "events", "reports", "labs_destroyed", "duplicates", "kg_all",
                *[f"kg_{s}" for s in kg_cols], "first_date", "last_date", "report_ids"]
        return pd.DataFrame(columns=cols)
    u = unlocated.assign(_country=unlocated["_country"].fillna("")).reset_index(drop=True)
    out = _summary_frame(*_summarise(u, ["_reason", "_country"], kg_cols, doc_ids=doc_ids)).reset_index()
    out = out.rename(columns={"_reason": "reason", "_country": "country"})
    out["country"] = out["country"].replace("", None)
    return out


def _events_from_objects(events: Iterable[Any]) -> pd.DataFrame:
    try:
        items = list(events)
    except TypeError:
        raise AggregationError(
            f"events must be a DataFrame or an iterable of Event, not {type(events).__name__}"
        ) from None
    return events_to_frame(items)


def to_long(agg: pd.DataFrame) -> pd.DataFrame:
    """Tidy long form of an aggregate: one row per region [, period], substance, measure.

    Columns ``region, name, country, [period], substance, measure, value`` where
    ``measure`` is "kg", "count" or "litres" and ``substance`` a vocabulary name or
    "all" (from ``kg_all``). Only figures that exist are listed (no NaN rows), so the
    long form of ``all_regions=True`` equals that of the default. Plain DataFrame (no
    geometry); ``attrs`` are kept.
    """
    id_cols = [c for c in ("region", "name", "country", "period") if c in agg.columns]
    value_cols = [c for c in agg.columns if re.match(r"^(kg|count|litres)_", str(c))]
    if not value_cols or "region" not in agg.columns:
        raise AggregationError("to_long needs an aggregate with region and kg_/count_/litres_ columns")
    frame = pd.DataFrame(agg[id_cols + value_cols])
    long = frame.melt(id_vars=id_cols, value_vars=value_cols, var_name="column", value_name="value")
    long = long[long["value"].notna()]
    parts = [str(c).partition("_") for c in long["column"].tolist()]
    long.insert(len(id_cols), "substance", pd.Series([p[2] for p in parts], index=long.index, dtype=object))
    long.insert(len(id_cols), "measure", pd.Series([p[0] for p in parts], index=long.index, dtype=object))
    long = long.drop(columns="column")
    long = long[id_cols + ["substance", "measure", "value"]]
    long = long.sort_values(id_cols[:1] + (["period"] if "period" in id_cols else []) + ["measure", "substance"],
                            kind="stable").reset_index(drop=True)
    long["value"] = long["value"].astype(float)
    long.attrs = dict(agg.attrs)
    return long
