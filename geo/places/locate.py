"""Put points into admin-1 regions.

``locate(points)`` adds ``country``, ``admin1``, ``admin1_name``, ``located_by`` and
``distance_km`` to a frame of points; ``region_at(lon, lat)`` answers for one point (the
geocoders' ``reverse()``).

Two steps, like geopandas' tools/sjoin.py they build on:

1. ``geopandas.sjoin(..., predicate="covered_by")``: a point inside a region, or on its border, is
   located there (``located_by="within"``, ``distance_km=0``). A point on a border shared by two
   regions matches both; the smallest code wins, so the answer does not depend on row order.
2. The points left over that lie within ``max_distance_km`` of some region go to the nearest one
   (``located_by="nearest"``). Simplified coastlines cut off coastal towns — Guayaquil lies ~1.4 km
   outside the simplified Guayas — and so do ports, islets and GPS noise. Distances are measured in
   a local frame around each point (metres per degree of latitude and longitude at that latitude,
   on the WGS84 ellipsoid), not in degrees or Web Mercator, which would stretch 10 km to 14 km
   at 45 degrees latitude and to 30 km in northern Russia. Points farther away stay unlocated
   (``admin1`` None): a guess at sea is worse than no answer.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..caches import memo, on_clear
from ..errors import BoundaryError, GeoError

__all__ = ["Region", "locate", "region_at", "add_admin2"]

_WGS84 = "EPSG:4326"
_OUT = ["country", "admin1", "admin1_name", "located_by", "distance_km"]


@dataclass(frozen=True)
class Region:
    """The admin-1 region a point falls in (or next to)."""

    code: str
    name: str
    country: str | None
    located_by: str  # "within" | "nearest"
    distance_km: float


# ---------------------------------------------------------------------------------------------
class _Prepared:
    """Boundaries in EPSG:4326 as plain arrays, plus their spatial index (built once)."""

    def __init__(self, boundaries: gpd.GeoDataFrame):
        missing = [c for c in ("code", "name", "country") if c not in boundaries.columns]
        if missing:
            where = boundaries.attrs.get("path", "boundaries")
            raise BoundaryError(f"{where}: no column {', '.join(missing)}; load the file with "
                                "geo.places.boundaries.load(path, code=..., name=..., country=...)")
        if boundaries.crs is None:
            raise BoundaryError(f"{boundaries.attrs.get('path', 'boundaries')}: no CRS")
        frame = boundaries if boundaries.crs.equals(_WGS84) else boundaries.to_crs(_WGS84)
        self.frame = gpd.GeoDataFrame({"code": frame["code"].to_numpy()},
                                      geometry=frame.geometry.to_numpy(), crs=_WGS84)
        self.code = frame["code"].to_numpy(dtype=object)
        self.name = frame["name"].to_numpy(dtype=object)
        self.country = frame["country"].to_numpy(dtype=object)
        self.geoms = self.frame.geometry.to_numpy()
        self.tree = self.frame.sindex  # geopandas' STRtree, reused by sjoin on this frame
        # rank of each region's code, so "smallest code wins" is an integer comparison
        self.rank = pd.Series(self.code).rank(method="dense").to_numpy()
        self._edges = None

    def edges(self):
        """Region boundaries cut into short pieces with their own index (built on first use)."""
        if self._edges is None:
            pieces, owner = _cut_boundaries(self.geoms)
            self._edges = (pieces, owner, shapely.STRtree(pieces))
        return self._edges


_CACHE: dict[int, _Prepared] = {}
on_clear(_CACHE.clear)


def _prepare(boundaries: gpd.GeoDataFrame | None) -> _Prepared:
    if boundaries is None:
        from .boundaries import shared

        boundaries = shared()
    key = id(boundaries)
    prepared = _CACHE.get(key)
    if prepared is None:
        prepared = _Prepared(boundaries)
        _CACHE[key] = prepared
        # drop the entry when the frame is garbage-collected (and its id may be reused)
        weakref.finalize(boundaries, _CACHE.pop, key, None)
    return prepared


# ---------------------------------------------------------------------------------------------
def locate(points, boundaries: gpd.GeoDataFrame | None = None, *, lon: str = "lon",
           lat: str = "lat", max_distance_km: float = 10.0) -> gpd.GeoDataFrame:
    """Add the admin-1 region of every point.

    Parameters
    ----------
    points : GeoDataFrame/GeoSeries of points in any CRS (reprojected to EPSG:4326 for the join),
        or a DataFrame with ``lon``/``lat`` columns in degrees (EPSG:4326). A GeoDataFrame without
        CRS is accepted only if it has ``lon``/``lat`` columns, which are then used.
    boundaries : from :func:`geo.places.boundaries.load`; default the Natural Earth set.
    max_distance_km : how far outside every region a point may be and still go to the nearest
        one; ``0`` disables that step.

    Returns
    -------
    A GeoDataFrame with the input's rows, index and columns (geometry in the input's CRS, or
    EPSG:4326 built from lon/lat), plus ``country``, ``admin1``, ``admin1_name``,
    ``located_by`` ("within" | "nearest" | None) and ``distance_km`` (0 within; NaN unlocated).
    Rows that cannot be placed (no coordinates, too far from land) have ``admin1`` None; their
    ``country`` keeps the value the input had, if it had that column.
    """
    prepared = _prepare(boundaries)
    out, geoms = _as_points(points, lon, lat)
    n = len(geoms)
    pos = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    how = np.full(n, None, dtype=object)

    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    # --- 1. inside or on the border ---------------------------------------------------------------
    if valid.any():
        left = gpd.GeoDataFrame(geometry=geoms[valid], crs=_WGS84)
        joined = gpd.sjoin(left, prepared.frame[["geometry"]], how="inner",
                           predicate="covered_by")
        rows = np.flatnonzero(valid)[joined.index.to_numpy()]
        right = joined["index_right"].to_numpy()
        rows, right = _smallest_code(rows, right, prepared.rank)
        pos[rows] = right
        dist[rows] = 0.0
        how[rows] = "within"

    # --- 2. just outside every region -------------------------------------------------------------
    misses = np.flatnonzero(valid & (pos < 0))
    if len(misses) and max_distance_km > 0:
        near, km = _nearest(geoms[misses], prepared, max_distance_km)
        hit = near >= 0
        pos[misses[hit]] = near[hit]
        dist[misses[hit]] = km[hit]
        how[misses[hit]] = "nearest"

    found = pos >= 0
    safe = np.where(found, pos, 0)
    country = np.where(found, prepared.country[safe], None)
    if "country" in out.columns:
        # keep what the input knew (e.g. the country named in a report) when we cannot place it
        country = np.where(found, country, out["country"].to_numpy(dtype=object))
    # object columns: unlocated rows hold None, as documented, not a NaN of a string dtype
    index = out.index
    out["country"] = pd.Series(country, index=index, dtype=object)
    out["admin1"] = pd.Series(np.where(found, prepared.code[safe], None), index=index, dtype=object)
    out["admin1_name"] = pd.Series(np.where(found, prepared.name[safe], None), index=index,
                                   dtype=object)
    out["located_by"] = pd.Series(how, index=index, dtype=object)
    out["distance_km"] = dist
    return out


def region_at(lon: float, lat: float, boundaries: gpd.GeoDataFrame | None = None, *,
              max_distance_km: float = 10.0) -> Region | None:
    """The admin-1 region at (lon, lat) in degrees, the nearest one within ``max_distance_km``,
    or None. Same rules as :func:`locate`, for one point without building frames."""
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    if 180 < lon <= 360:  # 0..360 longitudes, as some GPS exports write them
        lon -= 360
    prepared = _prepare(boundaries)
    point = shapely.Point(lon, lat)
    hits = prepared.tree.query(point, predicate="covered_by")
    if len(hits):
        best = hits[np.argmin(prepared.rank[hits])]
        return Region(prepared.code[best], prepared.name[best], prepared.country[best],
                      "within", 0.0)
    if max_distance_km > 0:
        near, km = _nearest(np.array([point]), prepared, max_distance_km)
        if near[0] >= 0:
            i = near[0]
            return Region(prepared.code[i], prepared.name[i], prepared.country[i], "nearest",
                          float(km[0]))
    return None


def add_admin2(events: pd.DataFrame, *, max_distance_km: float = 10.0) -> pd.DataFrame:
    """``admin2`` and ``admin2_name`` of every event the default set's second level knows.

    An event gets the second-level unit its point falls in (or lies next to, as
    :func:`locate`) when that unit's parent is the event's ``admin1``: the two levels are
    simplified apart, so near a border they may disagree, and then the level-1 answer (the one
    the geocoder gave) stands without a second level. Events placed at the level of a whole
    region (their point is the region's label point, where the gazetteer puts an admin-1
    name) get none: their point says nothing about which unit inside. Countries without a
    second level, events without a point or an ``admin1``: ``None``.
    Returns a copy with the two columns set.
    """
    from .boundaries import shared

    out = events.copy()
    n = len(out)
    code = np.full(n, None, dtype=object)
    name = np.full(n, None, dtype=object)
    if n and "admin1" in out.columns:
        level2 = shared(2)
        countries, parent, _ = _level2_tables()
        admin1 = out["admin1"].to_numpy(dtype=object)
        lon, lat = _lonlat(out)
        wanted = np.array([isinstance(a, str) and a[:2] in countries for a in admin1], dtype=bool)
        wanted &= np.isfinite(lon) & np.isfinite(lat)
        wanted &= ~_at_label_points(lon, lat)
        rows = np.flatnonzero(wanted)
        if len(rows):
            pts = pd.DataFrame({"lon": lon[rows], "lat": lat[rows]})
            found = locate(pts, level2, max_distance_km=max_distance_km)
            got = found["admin1"].to_numpy(dtype=object)  # locate's column holds the unit code
            names = found["admin1_name"].to_numpy(dtype=object)
            for k, r in enumerate(rows):
                if got[k] is not None and parent.get(got[k]) == admin1[r]:
                    code[r], name[r] = got[k], names[k]
    out["admin2"] = pd.Series(code, index=out.index, dtype=object)
    out["admin2_name"] = pd.Series(name, index=out.index, dtype=object)
    return out


def _lonlat(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of an events frame: its lon/lat columns, else its points."""
    if "lon" in frame.columns and "lat" in frame.columns:
        lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
        if np.isfinite(lon).any() or "geometry" not in frame.columns:
            return lon, lat
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geoms = frame.geometry
        if geoms.crs is not None and not geoms.crs.equals(_WGS84):
            geoms = geoms.to_crs(_WGS84)
        arr = geoms.to_numpy()
        ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
        ok[ok] = shapely.get_type_id(arr[ok]) == 0
        lon = np.full(len(arr), np.nan)
        lat = np.full(len(arr), np.nan)
        lon[ok], lat[ok] = shapely.get_x(arr[ok]), shapely.get_y(arr[ok])
        return lon, lat
    nan = np.full(len(frame), np.nan)
    return nan, nan.copy()


@memo(1)
def _level2_tables() -> tuple[frozenset, dict, frozenset]:
    """Of the default set, read once: the countries with a second level, each second-level
    unit's parent, and the level-1 label points (rounded to 5 decimals, as stored)."""
    from .boundaries import shared

    level1, level2 = shared(1), shared(2)
    countries = frozenset(level2["country"].dropna())
    parent = dict(zip(level2["code"], level2["parent"]))
    labels = frozenset()
    if "label_lon" in level1.columns and "label_lat" in level1.columns:
        labels = frozenset(zip(np.round(level1["label_lon"].to_numpy(dtype=float), 5),
                               np.round(level1["label_lat"].to_numpy(dtype=float), 5)))
    return countries, parent, labels


def _at_label_points(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points are a level-1 region's label point (to ~1 m): where the gazetteer puts an
    event it could only place in a whole region."""
    labels = _level2_tables()[2]
    return np.array([(x, y) in labels for x, y in zip(np.round(lon, 5), np.round(lat, 5))],
                    dtype=bool)


# ---------------------------------------------------------------------------------------------
def _as_points(points, lon: str, lat: str) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The output frame (a copy of the input) and its points as EPSG:4326 shapely geometries."""
    if isinstance(points, gpd.GeoSeries):
        points = gpd.GeoDataFrame(geometry=points)
    if isinstance(points, gpd.GeoDataFrame) and points._geometry_column_name in points.columns:
        if points.crs is None:
            if lon in points.columns and lat in points.columns:
                return _from_lonlat(points.copy(), lon, lat, keep_geometry=True)
            raise GeoError(f"points have no CRS and no {lon!r}/{lat!r} columns: set one with "
                           "points.set_crs(...) so they are not placed in the wrong country")
        out = points.copy()
        geoms = out.geometry
        if not geoms.crs.equals(_WGS84):
            geoms = geoms.to_crs(_WGS84)
        geoms = geoms.to_numpy()
        kinds = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist())
        if not kinds <= {0}:  # 0 = Point
            raise GeoError("locate() needs point geometries; use .representative_point() first")
        return out, geoms
    if isinstance(points, pd.DataFrame):
        missing = [c for c in (lon, lat) if c not in points.columns]
        if missing:
            raise GeoError(f"points have no column {', '.join(map(repr, missing))} and no "
                           f"geometry; columns: {', '.join(map(str, points.columns))}")
        return _from_lonlat(points.copy(), lon, lat, keep_geometry=False)
    raise GeoError(f"locate() needs a DataFrame or GeoDataFrame, got {type(points).__name__}")


def _from_lonlat(frame: pd.DataFrame, lon: str, lat: str, *, keep_geometry: bool):
    x = pd.to_numeric(frame[lon], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(frame[lat], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(x) & np.isfinite(y) & (np.abs(y) <= 90) & (np.abs(x) <= 360)
    geoms = np.full(len(frame), None, dtype=object)
    geoms[ok] = shapely.points(np.where(x[ok] > 180, x[ok] - 360, x[ok]), y[ok])
    if keep_geometry:
        out = frame.set_crs(_WGS84, allow_override=True)
        out[out.geometry.name] = geoms
    else:
        out = gpd.GeoDataFrame(frame, geometry=geoms, crs=_WGS84)
    return out, geoms


def _smallest_code(rows: np.ndarray, right: np.ndarray, rank: np.ndarray):
    """One match per point: where a point matched several regions, the smallest code."""
    if len(rows) == 0 or np.bincount(rows).max() == 1:  # O(n), unlike np.unique's sort/hash
        return rows, right  # the usual case: no point on a shared border
    order = np.lexsort((rank[right], rows))
    rows, right = rows[order], right[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    return rows[first], right[first]


def _metres_per_degree(lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Length of one degree of latitude and of longitude at ``lat`` on the WGS84 ellipsoid."""
    phi = np.radians(lat)
    m_lat = 111132.92 - 559.82 * np.cos(2 * phi) + 1.175 * np.cos(4 * phi)
    m_lon = 111412.84 * np.cos(phi) - 93.5 * np.cos(3 * phi)
    return m_lat, np.maximum(m_lon, 1.0)


def _nearest(points: np.ndarray, prepared: _Prepared, max_km: float):
    """Nearest region within ``max_km`` of each point: (position or -1, distance in km).

    Only called for points outside every region, so the distance to a region is the distance
    to its boundary, which ``_Prepared.edges`` holds cut into short pieces: a bounding-box
    query finds the pieces near a point without touching the rest of a large region.
    """
    n = len(points)
    best = np.full(n, -1, dtype=np.int64)
    best_km = np.full(n, np.nan)
    pieces, owner_region, tree = prepared.edges()
    x, y = shapely.get_x(points), shapely.get_y(points)
    m_lat, m_lon = _metres_per_degree(y)
    # search radius in degrees, generous in both directions (a degree of longitude is the shorter)
    reach = max_km * 1000.0 / np.minimum(m_lat, m_lon) * 1.01
    boxes = shapely.box(x - reach, y - reach, x + reach, y + reach)
    pt_idx, pc_idx = tree.query(boxes)  # bounding boxes only: cheap
    if len(pt_idx) == 0:
        return best, best_km
    # Distance in degrees bounds the distance in metres from below and above (the two axes have
    # different metres per degree): measure exactly only pairs that can still be the nearest.
    deg = shapely.distance(points[pt_idx], pieces[pc_idx])
    lo = deg * np.minimum(m_lat, m_lon)[pt_idx] / 1000.0
    hi = deg * np.maximum(m_lat, m_lon)[pt_idx] / 1000.0
    best_hi = pd.Series(hi).groupby(pt_idx).transform("min").to_numpy()
    keep = (lo <= max_km) & (lo <= best_hi)
    pt_idx, pc_idx = pt_idx[keep], pc_idx[keep]
    if len(pt_idx) == 0:
        return best, best_km
    # exact: move each piece into a local metric frame centred on its point (x east, y north)
    coords, which = shapely.get_coordinates(pieces[pc_idx], return_index=True)
    p = pt_idx[which]
    local = np.column_stack(((coords[:, 0] - x[p]) * m_lon[p], (coords[:, 1] - y[p]) * m_lat[p]))
    moved = shapely.linestrings(local, indices=which)
    km = shapely.distance(shapely.points(np.zeros(len(moved)), np.zeros(len(moved))), moved)
    km = km / 1000.0
    region = owner_region[pc_idx]
    # per point: smallest distance, ties to the smallest code
    order = np.lexsort((prepared.rank[region], km, pt_idx))
    pt_sorted = pt_idx[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = pt_sorted[1:] != pt_sorted[:-1]
    chosen = order[first]
    ok = km[chosen] <= max_km
    best[pt_idx[chosen[ok]]] = region[chosen[ok]]
    best_km[pt_idx[chosen[ok]]] = km[chosen[ok]]
    return best, best_km


def _cut_boundaries(geoms: np.ndarray, size: int = 32):
    """The boundary rings of ``geoms`` cut into linestrings of at most ``size`` + 1 vertices,
    and for each piece the position of the geometry it came from."""
    lines, line_owner = shapely.get_parts(shapely.boundary(geoms), return_index=True)
    coords, line_of = shapely.get_coordinates(lines, return_index=True)
    counts = np.bincount(line_of, minlength=len(lines))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    pos = np.arange(len(coords)) - starts[line_of]  # vertex number within its ring
    n = counts[line_of]
    piece = np.minimum(pos // size, np.maximum(n - 2, 0) // size)
    npieces = np.maximum(n - 2, 0) // size + 1
    first_piece = np.concatenate(([0], np.cumsum(np.maximum(counts - 2, 0) // size + 1)[:-1]))
    gid = first_piece[line_of] + piece
    # a vertex where one piece ends and the next begins belongs to both
    shared = (pos % size == 0) & (pos > 0) & (pos < n - 1)
    all_coords = np.concatenate((coords, coords[shared]))
    all_gid = np.concatenate((gid, gid[shared] - 1))
    all_pos = np.concatenate((pos, pos[shared]))
    order = np.lexsort((all_pos, all_gid))
    pieces = shapely.linestrings(all_coords[order], indices=all_gid[order])
    total = int(npieces[np.cumsum(counts) - 1].sum()) if len(counts) else 0
    owner = np.repeat(line_owner, np.maximum(counts - 2, 0) // size + 1)
    assert len(pieces) == len(owner) == total
    return pieces, owner
