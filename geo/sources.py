"""The aggregates' ``sources`` column: per region, the events behind its figures.

A million events fall in a few thousand regions. Writing every region's list as JSON
text when the aggregates are made cost more than the sums themselves (two thirds of
the time, a quarter of a GB of text), for lists that a map reads only for the regions
it draws and a user reads for a few. The column is kept compact instead
(:class:`SourcesArray`, a pandas extension array): one table shared by every row, the
located events' popup fields in their columns, and per row its slice of that table.
A row's text is written when it is read -- ``agg["sources"].iloc[i]``, ``json.loads``
of it, ``to_csv``/``to_file``, iteration, ``to_numpy()`` -- and is always the same text:
a JSON list, one object per event in date order, as pandas' ``to_json`` writes records
(``force_ascii=False, double_precision=15``; None and NaN as ``null``).

The writer turns each distinct value (or run of neighbouring keys' values) into text
once, by pandas' C JSON writer, and joins every row's text from shared pieces: a million
events repeat a few thousand places, dates and figures.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype, take

__all__ = ["SourcesArray", "SourcesDtype", "SourceTable", "encode_records"]

# A column of the shared table: values aligned with the table's rows, or already
# factorized as (codes, -1 when missing; uniques).
Column = pd.Series | tuple[np.ndarray, np.ndarray]


# --------------------------------------------------------------------------- JSON text


def encode_records(columns: Mapping[str, Column], gid: np.ndarray, n: int) -> list[str]:
    """Per group ``0..n-1``: the JSON list of its rows' records (keys in ``columns``'
    order), rows in their order within a group; a group without rows gives ``[]``."""
    if not n:
        return []
    if not len(gid):
        return ["[]"] * n
    return _joined(_record_segments(columns, len(gid)), gid, n)


def _joined(segments: list[tuple[np.ndarray, np.ndarray]], gid: np.ndarray, n: int) -> list[str]:
    """Per group the JSON list of its rows' records, from their pieces (see
    ``_record_segments``), rows in their order within a group."""
    rows = len(gid)
    order = np.argsort(gid, kind="stable")  # keeps the rows' order within a group
    table = np.empty((rows, len(segments)), dtype=object)
    for j, (codes, pieces) in enumerate(segments):
        table[:, j] = pieces[codes[order]]
    bounds = np.searchsorted(gid[order], np.arange(n + 1))
    out = []
    last = len(segments) - 1
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        if a == b:
            out.append("[]")
            continue
        part = table[a:b]
        part[0, 0] = "[" + part[0, 0][1:]  # pieces open with the "," between records
        part[b - a - 1, last] = part[b - a - 1, last] + "]"
        out.append("".join(part.ravel().tolist()))
    return out


def _record_segments(columns: Mapping[str, Column], rows: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The records' text as runs of neighbouring keys: per run, a code per row and the
    text of each code (``,{"doc":..,"date":..`` ... ``"url":..}``), so that joining a
    row's pieces gives ``,`` + the record as pandas' ``to_json`` writes it.

    Neighbouring keys share a run when encoding their distinct combinations costs less
    than one more piece per row (place and substance, the rarely-set columns); a key
    with a value per row (the sentence) stays alone. A run is encoded as soon as it
    ends, so only its codes stay (int32: half the memory at a million rows)."""
    out: list[tuple[np.ndarray, np.ndarray]] = []
    run: tuple[list[str], np.ndarray, int, list] | None = None  # keys, codes, n, members
    for key, values in columns.items():
        if isinstance(values, tuple):
            codes, uniques = values
        else:
            try:
                codes, uniques = pd.factorize(values, use_na_sentinel=True)
            except TypeError:  # unhashable cells: every row on its own
                codes, uniques = np.arange(rows), values.reset_index(drop=True)
        codes = np.where(codes < 0, len(uniques), codes).astype(np.int32)  # missing: last code
        col = (uniques, codes, len(uniques) + 1)
        if run is not None:
            keys, rcodes, rn, members = run

            def cost(nj: int) -> int:
                # measured: a value encoded ~4 units, a line of JSON split and cut ~3,
                # a piece joined per row 1
                return 4 * (nj * (len(keys) + 1) - rn * len(keys) - col[2]) + 3 * (nj - rn - col[2])

            if cost(max(rn, col[2])) < rows:  # at best the combinations are the larger set
                joint, _ = pd.factorize(rcodes.astype(np.int64) * col[2] + codes)
                nj = int(joint.max()) + 1 if rows else 0
                if cost(nj) < rows:
                    run = (keys + [key], joint.astype(np.int32), nj, members + [col])
                    continue
            out.append(_encoded_run(run, first_run=not out, last_run=False))
        run = ([key], codes, len(uniques) + 1, [col])
    if run is not None:
        out.append(_encoded_run(run, first_run=not out, last_run=True))
    return out


def _encoded_run(run: tuple[list[str], np.ndarray, int, list], *, first_run: bool,
                 last_run: bool) -> tuple[np.ndarray, np.ndarray]:
    """(codes, text per code) of one run of keys: see ``_record_segments``."""
    keys, codes, nj, members = run
    # the first row of each distinct combination gives its members' codes
    present, first = np.unique(codes, return_index=True)
    table = {}
    for key, (uniques, mcodes, _m) in zip(keys, members):
        picked = mcodes[first]
        vals = np.asarray(uniques, dtype=object) if len(uniques) else np.empty(0, dtype=object)
        col_vals = np.empty(len(first), dtype=object)
        known = picked < len(uniques)
        col_vals[known] = vals[picked[known]]
        col_vals[~known] = None
        kind = getattr(uniques, "dtype", None)
        table[key] = (pd.Series(col_vals, dtype=float) if kind is not None and kind.kind == "f"
                      else pd.Series(col_vals, dtype=object))
    head = ",{" if first_run else ","
    tail = "}" if last_run else ""
    pieces = np.empty(nj, dtype=object)
    if not len(first):
        return codes, pieces
    frame = pd.DataFrame(table)
    # '[{...},{...}]': the records meet at "},{", which a string value may hold too; when
    # the count shows none does, the text is cut there (pandas' lines=True pass costs a
    # third of the encoding), else at the line ends of lines=True, which JSON strings
    # cannot hold. The braces become the run's own ends in the same replace.
    text = frame.to_json(orient="records", force_ascii=False, double_precision=15)
    body, sep = text[2:-2], "},{"
    if body.count(sep) != len(frame) - 1:
        text = frame.to_json(orient="records", lines=True, force_ascii=False,
                             double_precision=15)
        body, sep = text.rstrip("\n")[1:-1], "}\n{"
    pieces[present] = (head + body.replace(sep, tail + "\x00" + head) + tail).split("\x00")
    return codes, pieces


def _ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """``np.concatenate([np.arange(a, b) for a, b in zip(starts, stops)])``, vectorised."""
    lengths = stops - starts
    total = int(lengths.sum())
    if not total:
        return np.empty(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lengths)


# --------------------------------------------------------------------------- tables


class SourceTable:
    """The rows every ``sources`` value of one aggregate is cut from.

    ``columns``: JSON key -> values aligned with the rows (or ``(codes, uniques)``);
    ``order``: the rows in group order, so that a value is a slice ``[start, stop)`` of
    it; ``clean``: key -> a function applied to that column's values for the rows asked
    for only (reading an event's evidence sentence, stripping text), work that a
    million events would otherwise pay for whether or not their lists are ever read.
    Not changed once built: arrays share it."""

    def __init__(self, columns: Mapping[str, Column], order: np.ndarray,
                 clean: Mapping[str, Callable[[pd.Series], pd.Series]] | None = None):
        self.columns = {k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v)
                        for k, v in columns.items()}
        self.order = np.asarray(order, dtype=np.int64)
        self.clean = dict(clean or {})

    def encode(self, starts: np.ndarray, stops: np.ndarray) -> list[str]:
        """The JSON text of the slices ``[starts[i], stops[i])`` of ``order``."""
        starts = np.asarray(starts, dtype=np.int64)
        stops = np.asarray(stops, dtype=np.int64)
        n = len(starts)
        wanted = self.order[_ranges(starts, stops)]
        if not n or not len(wanted):
            return ["[]"] * n
        gid = np.repeat(np.arange(n), stops - starts)
        # the rows are read and encoded in the order they are stored, then put in the
        # order asked for: a million evidence dicts read in region order (scattered in
        # memory) cost four times as much as in their own order
        pos = np.argsort(wanted, kind="stable")
        rows = wanted[pos]
        values: dict[str, Column] = {}
        for key, col in self.columns.items():
            if isinstance(col, tuple):
                codes, uniques = col
                values[key] = (codes[rows], uniques)
                continue
            part = col.take(rows).reset_index(drop=True)
            values[key] = self.clean[key](part) if key in self.clean else part
        back = np.empty_like(pos)
        back[pos] = np.arange(len(pos))
        segments = [(codes[back], pieces) for codes, pieces in _record_segments(values, len(rows))]
        return _joined(segments, gid, n)


class _TextTable:
    """JSON text given as it is (values set by hand, read back, concatenated)."""

    def __init__(self, texts: np.ndarray):
        self.texts = texts

    def encode(self, starts: np.ndarray, stops: np.ndarray) -> list[str]:
        return self.texts[np.asarray(starts, dtype=np.int64)].tolist()


# --------------------------------------------------------------------------- the column


@register_extension_dtype  # by name too: a Parquet file's pandas metadata names it
class SourcesDtype(ExtensionDtype):
    """dtype of the ``sources`` column: JSON text, written when read."""

    name = "sources"
    type = str
    kind = "O"
    na_value = np.nan

    @classmethod
    def construct_array_type(cls) -> type[SourcesArray]:
        return SourcesArray

    def __from_arrow__(self, array: Any) -> SourcesArray:
        """The column read back from Parquet/Arrow text."""
        return SourcesArray._from_sequence(array.to_pylist())


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


try:  # ``agg["sources"].str...`` as on a column of strings (pandas' own mixin)
    from pandas.core.strings.object_array import ObjectStringArrayMixin as _StrMethods
except ImportError:  # pragma: no cover - a pandas that moved it: no .str methods
    _StrMethods = object  # type: ignore[assignment,misc]


class SourcesArray(_StrMethods, ExtensionArray):
    """The ``sources`` column: per row a slice of a shared :class:`SourceTable`, its
    JSON text written when read. Behaves as a column of strings (NaN where a row has no
    list, e.g. ``all_regions=True`` rows without events): ``iloc``, ``json.loads``,
    ``map``, ``tolist``, ``==``, CSV/GeoJSON/GPKG/Parquet writers all see the text.
    Setting a value stores the text given (it must be a string or missing)."""

    def __init__(self, tables: Sequence[Any], tab: np.ndarray, start: np.ndarray,
                 stop: np.ndarray):
        self._tables = tuple(tables)
        self._tab = np.asarray(tab, dtype=np.int32)
        self._start = np.asarray(start, dtype=np.int64)
        self._stop = np.asarray(stop, dtype=np.int64)

    # ---- construction
    @classmethod
    def from_table(cls, table: SourceTable, bounds: np.ndarray) -> SourcesArray:
        """One value per group: rows ``order[bounds[i]:bounds[i + 1]]`` of ``table``."""
        bounds = np.asarray(bounds, dtype=np.int64)
        n = max(len(bounds) - 1, 0)
        return cls([table], np.zeros(n, dtype=np.int32), bounds[:-1].copy(), bounds[1:].copy())

    @classmethod
    def _from_sequence(cls, scalars: Any, *, dtype: Any = None, copy: bool = False) -> SourcesArray:
        if isinstance(scalars, SourcesArray):
            return scalars.copy() if copy else scalars
        values = np.empty(len(scalars), dtype=object)
        values[:] = list(scalars)
        missing = np.fromiter((_is_missing(v) for v in values), dtype=bool, count=len(values))
        bad = [v for v, m in zip(values, missing) if not m and not isinstance(v, str)]
        if bad:
            raise TypeError(f"a sources value is JSON text (a string), not {type(bad[0]).__name__}: "
                            f"{bad[0]!r:.80}")
        values[missing] = None
        n = len(values)
        return cls([_TextTable(values)], np.where(missing, -1, 0), np.arange(n), np.arange(1, n + 1))

    @classmethod
    def _from_factorized(cls, values: np.ndarray, original: SourcesArray) -> SourcesArray:
        return cls._from_sequence(values)

    # ---- reading
    @property
    def dtype(self) -> SourcesDtype:
        return SourcesDtype()

    def __len__(self) -> int:
        return len(self._tab)

    @property
    def nbytes(self) -> int:
        return self._tab.nbytes + self._start.nbytes + self._stop.nbytes

    def isna(self) -> np.ndarray:
        return self._tab < 0

    def texts(self) -> np.ndarray:
        """Every value's JSON text (object array; NaN where missing), each table's
        values written in one pass."""
        out = np.full(len(self), np.nan, dtype=object)
        for t, table in enumerate(self._tables):
            pos = np.flatnonzero(self._tab == t)
            if len(pos):
                out[pos] = table.encode(self._start[pos], self._stop[pos])
        return out

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, (int, np.integer)):
            t = int(self._tab[item])  # IndexError out of range
            if t < 0:
                return self.dtype.na_value
            i = int(item) % len(self)
            return self._tables[t].encode(self._start[i:i + 1], self._stop[i:i + 1])[0]
        if isinstance(item, tuple) and len(item) == 1:
            item = item[0]
        if not isinstance(item, slice):
            item = pd.api.indexers.check_array_indexer(self, item)
        return type(self)(self._tables, self._tab[item], self._start[item], self._stop[item])

    def __iter__(self):
        return iter(self.texts().tolist())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.texts()
        return out if dtype is None or np.dtype(dtype) == object else out.astype(dtype)

    def __arrow_array__(self, type: Any = None) -> Any:
        import pyarrow as pa

        texts = self.texts()
        return pa.array([None if m else v for v, m in zip(texts.tolist(), self.isna())],
                        type=type or pa.string())

    def _values_for_factorize(self) -> tuple[np.ndarray, Any]:
        texts = self.texts()
        texts[self.isna()] = None
        return texts, None

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        if isinstance(other, (pd.Series, pd.Index, pd.DataFrame)):
            return NotImplemented
        mine = self.texts()
        if isinstance(other, str):
            return np.array([isinstance(v, str) and v == other for v in mine], dtype=bool)
        theirs = np.asarray(other, dtype=object)
        if len(theirs) != len(mine):
            raise ValueError(f"lengths differ: {len(mine)} and {len(theirs)}")
        return np.array([isinstance(a, str) and isinstance(b, str) and a == b
                         for a, b in zip(mine.tolist(), theirs.tolist())], dtype=bool)

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else ~eq

    # ---- reshaping
    def take(self, indices: Any, *, allow_fill: bool = False, fill_value: Any = None) -> SourcesArray:
        if allow_fill and fill_value is not None and not _is_missing(fill_value):
            filled = self._from_sequence([fill_value])
            both = type(self)._concat_same_type([self, filled])
            indices = np.asarray(indices, dtype=np.int64)
            return both.take(np.where(indices < 0, len(self), indices))
        tab = take(self._tab, indices, allow_fill=allow_fill, fill_value=-1)
        start = take(self._start, indices, allow_fill=allow_fill, fill_value=0)
        stop = take(self._stop, indices, allow_fill=allow_fill, fill_value=0)
        return type(self)(self._tables, tab, start, stop)

    def copy(self) -> SourcesArray:
        # the tables are never changed: copies share them
        return type(self)(self._tables, self._tab.copy(), self._start.copy(), self._stop.copy())

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence[SourcesArray]) -> SourcesArray:
        tables: list[Any] = []
        tabs, starts, stops = [], [], []
        for arr in to_concat:
            where = []
            for table in arr._tables:
                pos = next((i for i, t in enumerate(tables) if t is table), None)
                if pos is None:
                    tables.append(table)
                    pos = len(tables) - 1
                where.append(pos)
            remap = np.asarray(where + [-1], dtype=np.int32)  # -1 (missing) stays -1
            tabs.append(remap[arr._tab])
            starts.append(arr._start)
            stops.append(arr._stop)
        if not tabs:
            return cls([], np.empty(0, np.int32), np.empty(0, np.int64), np.empty(0, np.int64))
        return cls(tables, np.concatenate(tabs), np.concatenate(starts), np.concatenate(stops))

    def __setitem__(self, key: Any, value: Any) -> None:
        key = pd.api.indexers.check_array_indexer(self, key)
        positions = np.arange(len(self))[key]
        values = (list(value) if pd.api.types.is_list_like(value)
                  else [value] * len(np.atleast_1d(positions)))
        new = self._from_sequence(values)
        merged = type(self)._concat_same_type([self, new])
        taken = np.atleast_1d(positions)
        if len(values) != len(taken):
            raise ValueError(f"{len(values)} sources values for {len(taken)} rows")
        source = np.arange(len(self), len(self) + len(values))
        for name in ("_tab", "_start", "_stop"):
            arr = getattr(merged, name)
            arr[taken] = arr[source]
            setattr(self, name, arr[:len(self)].copy())
        self._tables = merged._tables

    def _formatter(self, boxed: bool = False) -> Callable[[Any], str]:
        def short(value: Any) -> str:
            if not isinstance(value, str):
                return repr(value)
            return repr(value if len(value) <= 60 else value[:57] + "...")
        return short
