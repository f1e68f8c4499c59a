"""Is one seizure's quantity one a seizure can have?

A figure read wrong by a factor of a thousand ("2.500 tonnes" taken as 2,500 t), a pill
count in the billions, a negative or zero quantity: such an event stays in the output,
flagged with its reason, and stays out of the regional totals, the map's legend and the
per-substance totals of the summary, which list it apart. The limits per substance, with
the records they come from, are ``geo/vocab/seizure_limits.csv``.

The test is made twice on purpose: when an event is made (the flag a user reads) and
again when events are summed (:func:`implausible_reasons`), so that an events file
written by an older version or edited by hand is held to the same limits.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..caches import memo
from ..errors import VocabularyError
from ..vocab import alternation, checked_lists, csv_rows, path_of

__all__ = ["SeizureLimit", "limit_for", "implausible_reason", "implausible_reasons",
           "flag_event", "FLAG", "SizeModel", "size_model", "size_log_likelihood", "carrier_in",
           "carrier_of_word"]

#: The flag an implausible event carries; its reason follows after ": ".
FLAG = "implausible"

_FILE = "seizure_limits.csv"


@dataclass(frozen=True)
class SeizureLimit:
    """One row of ``seizure_limits.csv``."""

    substance: str
    limit_kg: float
    limit_units: float
    record_kg: float | None
    record_units: float | None
    record: str


def _number(path: Any, line: int, column: str, text: str, *, optional: bool) -> float | None:
    if not text:
        if optional:
            return None
        raise VocabularyError(f"{path}:{line}: empty {column}")
    try:
        value = float(text)
    except ValueError:
        raise VocabularyError(f"{path}:{line}: {column} {text!r} is not a number") from None
    if not value > 0 or math.isinf(value):
        raise VocabularyError(f"{path}:{line}: {column} {text!r} must be a positive number")
    return value


@memo(1)
def _limits() -> dict[str, SeizureLimit]:
    from .substances import GROUPS

    path = path_of(_FILE)
    out: dict[str, SeizureLimit] = {}
    cols = ("substance", "record_kg", "record_units", "limit_kg", "limit_units", "record")
    rows = csv_rows(path, required=("substance", "limit_kg"), columns=cols)
    general = [row for _, row in rows if row["substance"] == "*"]
    if not general or not general[0]["limit_units"]:
        raise VocabularyError(f"{path}: no '*' row with limit_units (the limit of every "
                              "other substance)")
    for line, row in rows:
        code = row["substance"]
        if code != "*" and code not in GROUPS:
            raise VocabularyError(f"{path}:{line}: {code!r} is not a substance of groups.toml")
        if code in out:
            raise VocabularyError(f"{path}:{line}: {code!r} is listed twice")
        lim = SeizureLimit(
            substance=code,
            limit_kg=_number(path, line, "limit_kg", row["limit_kg"], optional=False),
            # no count limit of its own: the general one (cocaine is not counted in pills)
            limit_units=_number(path, line, "limit_units",
                                row["limit_units"] or general[0]["limit_units"], optional=False),
            record_kg=_number(path, line, "record_kg", row["record_kg"], optional=True),
            record_units=_number(path, line, "record_units", row["record_units"], optional=True),
            record=row["record"])
        # a limit under its own record would flag the record itself
        for rec, limit, what in ((lim.record_kg, lim.limit_kg, "kg"),
                                 (lim.record_units, lim.limit_units, "units")):
            if rec is not None and limit < rec:
                raise VocabularyError(f"{path}:{line}: limit_{what} is below record_{what}")
        out[code] = lim
    return out


def limit_for(substance: str | None) -> SeizureLimit:
    """The limits that hold for ``substance`` (its own row, else the ``*`` row)."""
    table = _limits()
    return table.get(substance or "", table["*"])


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:g}"


def implausible_reason(substance: str | None, *, quantity: float | None = None,
                       kg: float | None = None, count: float | None = None) -> str | None:
    """Why one seizure of ``substance`` with this quantity cannot be true, or ``None``.

    ``quantity`` is the figure as written (in its own unit), ``kg`` its mass, ``count``
    its dosage units; any may be missing.
    """
    def given(v: float | None) -> bool:
        return v is not None and not (isinstance(v, float) and math.isnan(v))
    if any(given(v) and v < 0 for v in (quantity, kg, count)):
        return "a negative quantity"
    # zero as written: a mass in kg rounds to 0 for "0.5 milligrams", which is no zero
    written = [v for v in (quantity, count) if given(v)] or [v for v in (kg,) if given(v)]
    if written and all(v == 0 for v in written):
        return "a quantity of zero"
    lim = limit_for(substance)
    name = substance or "drugs"
    if kg is not None and not math.isnan(kg) and kg > lim.limit_kg:
        return (f"{_fmt(kg)} kg of {name} in one seizure is over {_fmt(lim.limit_kg)} kg, "
                f"four times the largest on record" if lim.record_kg else
                f"{_fmt(kg)} kg of {name} in one seizure is over the general limit of "
                f"{_fmt(lim.limit_kg)} kg")
    if count is not None and not math.isnan(count) and count > lim.limit_units:
        return (f"{_fmt(count)} units of {name} in one seizure is over "
                f"{_fmt(lim.limit_units)}, four times the largest on record"
                if lim.record_units else
                f"{_fmt(count)} units of {name} in one seizure is over the general limit of "
                f"{_fmt(lim.limit_units)}")
    return None


def flag_event(ev: Any) -> None:
    """Add the ``implausible: <reason>`` flag to an :class:`geo.events.Event` that needs it
    (and drop a stale one)."""
    ev.flags = [f for f in ev.flags if f != FLAG and not f.startswith(FLAG + ":")]
    if ev.labs_destroyed and ev.quantity is None:
        return
    reason = implausible_reason(ev.substance, quantity=ev.quantity, kg=ev.quantity_kg,
                                count=ev.count)
    if reason:
        ev.flags.append(f"{FLAG}: {reason}")


def implausible_reasons(substance: pd.Series, quantity: pd.Series, kg: pd.Series,
                        count: pd.Series) -> pd.Series:
    """:func:`implausible_reason` over aligned columns (object Series: reason or None)."""
    out = pd.Series(None, index=substance.index, dtype=object)
    q = pd.to_numeric(quantity, errors="coerce")
    k = pd.to_numeric(kg, errors="coerce")
    c = pd.to_numeric(count, errors="coerce")
    # the cheap vector test first: most events are far inside every limit
    suspect = (q <= 0) | (k <= 0) | (c <= 0) | (k > _min_limit("limit_kg")) | \
        (c > _min_limit("limit_units"))
    pos = np.flatnonzero(suspect.fillna(False).to_numpy(dtype=bool))  # nullable: NA is no
    if not len(pos):
        return out
    # the suspects read from plain arrays: a pandas lookup per value cost more than the test
    subs = substance.to_numpy(dtype=object)[pos].tolist()
    qs, ks, cs = (s.to_numpy(dtype=float, na_value=np.nan)[pos].tolist() for s in (q, k, c))
    reasons = np.empty(len(pos), dtype=object)
    reasons[:] = [implausible_reason(s if isinstance(s, str) else None,
                                     quantity=None if math.isnan(qv) else qv,
                                     kg=None if math.isnan(kv) else kv,
                                     count=None if math.isnan(cv) else cv)
                  for s, qv, kv, cv in zip(subs, qs, ks, cs)]
    values = out.to_numpy(dtype=object, copy=True)
    values[pos] = reasons
    return pd.Series(values, index=out.index, dtype=object)


def _min_limit(column: str) -> float:
    return min(getattr(lim, column) for lim in _limits().values())


# --------------------------------------------------------------------------- sizes
# The sizes real seizures have: a log-normal per drug group and kind (mass in kg, volume in
# litres), and per carrier named in the sentence, measured on annotated public news by
# benchmarks/derive_seizure_sizes.py. They weigh the readings of an ambiguous figure
# ("1.475 kilos") where nothing in the report decides: wide distributions, so they decide
# only figures far in one tail under one reading and near the middle under the other.
_SIZES = "seizure_sizes.csv"
_CARRIERS = ("person", "vessel", "vehicle")


@dataclass(frozen=True)
class SizeModel:
    """One row of ``seizure_sizes.csv``: log10 of the amounts seized."""

    group: str
    kind: str
    n: int
    mean: float
    sd: float


@memo(1)
def _size_models() -> dict[tuple[str, str], SizeModel]:
    path = path_of(_SIZES)
    out: dict[tuple[str, str], SizeModel] = {}
    for line, row in csv_rows(path, required=("group", "kind", "n", "mean", "sd")):
        if row["kind"] not in ("mass", "volume"):
            raise VocabularyError(f"{path}:{line}: kind {row['kind']!r} is not mass or volume")
        try:
            n, mean, sd = int(row["n"]), float(row["mean"]), float(row["sd"])
        except ValueError:
            raise VocabularyError(f"{path}:{line}: n, mean and sd must be numbers") from None
        if not sd > 0:
            raise VocabularyError(f"{path}:{line}: sd must be positive")
        out[(row["group"], row["kind"])] = SizeModel(row["group"], row["kind"], n, mean, sd)
    for kind in ("mass", "volume"):
        if ("*", kind) not in out:
            raise VocabularyError(f"{path}: no '*' row of kind {kind}")
    return out


def size_model(kind: str, group: str | None = None, carrier: str | None = None) -> SizeModel:
    """The size distribution for a figure of ``kind`` (mass or volume): its carrier's when
    the sentence names one and the table has it, else its drug group's, else all seizures'."""
    table = _size_models()
    for key in ((f"carrier:{carrier}", kind), (group or "*", kind)):
        if key in table:
            return table[key]
    return table[("*", kind)]


def size_log_likelihood(amount: float, model: SizeModel) -> float:
    """Natural log of the density of log10(``amount``) under ``model`` (up to a constant
    shared by every amount): comparable between readings of one figure."""
    if not amount > 0:
        return -math.inf
    z = (math.log10(amount) - model.mean) / model.sd
    return -0.5 * z * z


@memo(1)
def _carrier_patterns() -> tuple[tuple[str, "re.Pattern[str]", frozenset[str]], ...]:
    lists = checked_lists("carriers.toml", _CARRIERS)
    # lower case as listed (capitalised only as a sentence's first word): "Van" is a Turkish
    # province, "vans" are vehicles; "to ship" is a verb, "the ship" a vessel
    return tuple((name, re.compile(rf"(?<![\w-])(?<!\bto ){alternation(lists[name])}(?![\w-])"),
                  frozenset(lists[name])) for name in _CARRIERS)


_FIRST_WORD = re.compile(r"\W*([\w-]+)")


def carrier_of_word(word: str) -> str | None:
    """The kind of carrier one word names (``"vessel"`` for "trawler"), or None."""
    w = word.lower()
    return next((name for name, _, words in _carrier_patterns() if w in words), None)


def carrier_in(sentence: str) -> str | None:
    """The one kind of carrier (``person``, ``vessel``, ``vehicle``) a sentence names, or
    None when it names none or several ("a courier's car": no one size holds)."""
    m = _FIRST_WORD.match(sentence)
    first = m.group(1).lower() if m else ""
    found = [name for name, rx, words in _carrier_patterns()
             if rx.search(sentence) or first in words]
    return found[0] if len(found) == 1 else None
