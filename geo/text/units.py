"""Units of measure: the unit words of prose and tables, their codes, kinds and pint names.

One table, ``geo/vocab/units.csv``, lists every way a report or a seizure table writes a
unit. This module reads it once and answers: the unit code of a word (``"kilos"`` ->
``"kg"``), its kind (mass, volume, count), its pint name, and masses in kilograms (pint
does every conversion, in the project's one registry :data:`UREG`). The prose patterns of
:mod:`geo.text.quantities` and the table reader :mod:`geo.read.tables` are both built from
these rows, so a new spelling is one row. Knows nothing of seizures.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import pint

from ..errors import VocabularyError
from ..vocab import config, path_of, row_error, table
from ..caches import memo
from .patterns import grouped_alternation

__all__ = [
    "UREG", "UnitWord", "UNIT_WORDS", "KINDS", "unit_registry", "unit_code", "unit_kind",
    "pint_name", "pint_unit", "to_kg", "kg_factor", "surfaces", "surface_pattern",
    "prefixes", "fold", "UNIT_ROWS", "SYSTEM", "SMALLER",
]

#: The project's one pint registry (quantities from two registries do not mix).
UREG = pint.UnitRegistry()

KINDS = ("mass", "volume", "count")
_LANGUAGES = frozenset({"en", "es", "pt", "fr", "ru", "*"})
_FILE = "units.csv"


@dataclass(frozen=True)
class UnitWord:
    """One row of ``units.csv``."""

    surface: str
    languages: frozenset[str]
    unit: str  # our code in events
    pint: str  # pint's name, "count" for counted units
    kind: str
    prose: bool  # matched by the prose pattern
    article: bool  # "a"/"an" before it is a figure
    us: str | None  # the code a US report means by it
    system: str | None  # on a code's own row: metric | us
    smaller: str | None  # on a code's own row: the unit a compound figure adds


def fold(text: Any) -> str:
    """Lower case, no accents, single spaces, no trailing dot: how tables are matched."""
    s = unicodedata.normalize("NFKD", str(text).casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[\s_]+", " ", s).strip().strip(".").strip()
    return s


def _load() -> tuple[UnitWord, ...]:
    rows = table(_FILE, required=("surface", "language", "unit", "pint", "kind", "prose",
                                  "article"))
    where = path_of(_FILE)
    for col in ("us", "system", "smaller"):
        if rows and col not in rows[0]:
            raise VocabularyError(f"{where}: header lacks column {col}")
    out: list[UnitWord] = []
    seen: dict[str, int] = {}
    code_of: dict[str, tuple[str, str]] = {}
    folded: dict[str, str] = {}

    def bad(i: int, msg: str) -> VocabularyError:
        return row_error(_FILE, i, f"{rows[i]['surface']!r}: {msg}")

    for i, r in enumerate(rows):
        surface = r["surface"]
        if surface != surface.lower() or surface != " ".join(surface.split()):
            raise bad(i, "a surface is lower case with single spaces")
        if surface in seen:
            raise bad(i, "listed twice")
        seen[surface] = i
        langs = frozenset(r["language"].split())
        if not langs <= _LANGUAGES:
            raise bad(i, f"language {r['language']!r} not among {sorted(_LANGUAGES)}")
        if r["kind"] not in KINDS:
            raise bad(i, f"kind {r['kind']!r} not among {KINDS}")
        flags = {}
        for col in ("prose", "article"):
            if r[col] not in ("yes", "no"):
                raise bad(i, f"{col} is yes or no, not {r[col]!r}")
            flags[col] = r[col] == "yes"
        if flags["article"] and not flags["prose"]:
            raise bad(i, "article is about prose: a row with article yes has prose yes")
        if (r["kind"] == "count") != (r["pint"] == "count"):
            raise bad(i, "a count unit, and only one, has pint name 'count'")
        # a code stands for one pint unit of one kind, whatever the surface
        first = code_of.setdefault(r["unit"], (r["pint"], r["kind"]))
        if first != (r["pint"], r["kind"]):
            raise bad(i, f"unit {r['unit']!r} is {first} in an earlier row")
        # tables are matched folded: two surfaces that fold alike must agree
        key = fold(surface)
        if folded.setdefault(key, r["pint"]) != r["pint"]:
            raise bad(i, f"folds to {key!r} like a row with pint {folded[key]!r}")
        if surface != r["unit"] and (r["system"] or r["smaller"]):
            raise bad(i, "system and smaller are given on the code's own row only")
        if surface == r["unit"] and (r["system"] not in ("", "metric", "us")
                                     or (r["system"] == "") != (r["kind"] == "count")):
            raise bad(i, "a code's system is metric or us for a measured unit, empty for a "
                         "counted one")
        out.append(UnitWord(surface, langs, r["unit"], r["pint"], r["kind"], flags["prose"],
                            flags["article"], r["us"] or None, r["system"] or None,
                            r["smaller"] or None))
    for w in out:
        # every code reads back as itself (events carry codes); a US reading is a code too
        if w.unit not in seen or out[seen[w.unit]].unit != w.unit:
            raise bad(seen[w.surface], f"unit code {w.unit!r} has no row of its own")
        if w.us and (w.us not in code_of or code_of[w.us][1] != w.kind):
            raise bad(seen[w.surface], f"us {w.us!r} is no {w.kind} unit code")
        if w.smaller and (w.smaller not in code_of or code_of[w.smaller][1] != w.kind):
            raise bad(seen[w.surface], f"smaller {w.smaller!r} is no {w.kind} unit code")
    return tuple(out)


#: Every row of ``units.csv``, in file order.
UNIT_ROWS: tuple[UnitWord, ...] = _load()
#: surface -> its row.
UNIT_WORDS: Mapping[str, UnitWord] = MappingProxyType({w.surface: w for w in UNIT_ROWS})
_CODES: Mapping[str, UnitWord] = MappingProxyType({w.unit: UNIT_WORDS[w.unit] for w in UNIT_ROWS})
#: unit code -> metric | us (None for counted units), from the code's own row
SYSTEM: Mapping[str, str | None] = MappingProxyType({c: w.system for c, w in _CODES.items()})
#: unit code -> the unit a compound figure of it adds ("11 kg 987 g"), from the code's own row
SMALLER: Mapping[str, str] = MappingProxyType({c: w.smaller for c, w in _CODES.items()
                                               if w.smaller})
# tables: folded surface -> pint name
_FOLDED: Mapping[str, str] = MappingProxyType({fold(w.surface): w.pint for w in UNIT_ROWS})


def unit_registry() -> pint.UnitRegistry:
    """The pint registry every conversion uses."""
    return UREG


# --------------------------------------------------------------------------- prose side
def unit_code(unit: str, *, us: bool = False) -> str | None:
    """Unit code (``kg``, ``g``, ``t``, ``lb``, ``l``, ``gal``, ``pills`` ...) of a unit word.

    ``us=True`` reads a bare "ton(s)" as the US short ton (reports filed in the US).
    """
    if isinstance(unit, str):
        return _unit_code(unit, us)
    return _unit_code.__wrapped__(unit, us)  # not text: fails as str methods do


@memo(1024)
def _unit_code(unit: str, us: bool) -> str | None:
    # cached: every figure's unit is normalised two or three times (find_quantities, to_kg
    # per reading), from a few dozen surface forms
    row = UNIT_WORDS.get(" ".join(unit.lower().split()))
    if row is None:
        return None
    return row.us if us and row.us else row.unit


def pint_name(code: str) -> str | None:
    """pint's name for a unit code ("count" for counted units)."""
    row = _CODES.get(code)
    return row.pint if row else None


@memo(256)  # one entry per mass code: bounded by the table
def kg_factor(code: str) -> float:
    """Kilograms in one ``code`` (a mass code)."""
    # pint does the conversion; the factor is cached because a Quantity round trip costs
    # ~20 us and the extractor converts every figure of every report
    return float(UREG.Quantity(1.0, _CODES[code].pint).to(UREG.kilogram).magnitude)


@memo(256)  # one entry per volume code: bounded by the table
def litre_factor(code: str) -> float:
    """Litres in one ``code`` (a volume code)."""
    return float(UREG.Quantity(1.0, _CODES[code].pint).to(UREG.liter).magnitude)


def litres(value: float, unit: str, *, us: bool = False) -> float | None:
    """Volume in litres, or ``None`` when ``unit`` is not a volume (masses, counts)."""
    code = unit_code(unit, us=us)
    if code is None or _CODES[code].kind != "volume":
        return None
    return float(value) * litre_factor(code)


def to_kg(value: float, unit: str, *, us: bool = False) -> float | None:
    """Mass in kilograms, or ``None`` when ``unit`` is not a mass (volumes, counts)."""
    code = unit_code(unit, us=us)
    if code is None or _CODES[code].kind != "mass":
        return None
    return float(value) * kg_factor(code)


# --------------------------------------------------------------------------- table side
@memo(4096)
def pint_unit(word: Any) -> str | None:
    """pint unit name for a unit word as tables write it, "count" for counted units
    (pills, unidades, шт), None when unknown.

    >>> pint_unit("KILOGRAMO"), pint_unit("гр"), pint_unit("libras"), pint_unit("pills")
    ('kilogram', 'gram', 'pound', 'count')
    """
    if word is None:
        return None
    key = fold(word)
    if not key:
        return None
    if key in _FOLDED:
        return _FOLDED[key]
    # "kilos." / "KG(S)" / "кг.": drop brackets and punctuation, then look again
    key2 = re.sub(r"[()\[\].,]", "", key).strip()
    if key2 in _FOLDED:
        return _FOLDED[key2]
    # a name pint itself knows for a prefixed gram or litre ("hg", "cl", "decigram"), or
    # a common trade unit; not just any pint unit: pint's "bag" is a bag of cement (94 lb)
    # and "grain" 65 mg, while a table's "bags"/"grains" are no measure at all
    try:
        units = str(UREG.Quantity(1.0, key2.replace(" ", "_")).units)
    except Exception:
        return None
    if units.endswith(("gram", "liter")) or units in _PINT_TRADE_UNITS:
        return units
    return None


def _pint_trade_units() -> frozenset[str]:
    name = "quantity_cues.toml"
    units = config(name).get("tables", {}).get("pint_units", ())
    for u in units:
        if not isinstance(u, str) or u not in UREG:
            raise VocabularyError(f"{path_of(name)}: [tables] pint_units: {u!r} is no pint unit")
    return frozenset(units)


_PINT_TRADE_UNITS = _pint_trade_units()


@memo(4096)
def unit_kind(word: Any) -> str | None:
    """``"mass"`` | ``"volume"`` | ``"count"`` | None for a unit code or word."""
    if not word:
        return None
    if isinstance(word, str):
        row = UNIT_WORDS.get(" ".join(word.lower().split()))
        if row is not None:
            return row.kind
    name = pint_unit(word)
    if name is None:
        return None
    if name == "count":
        return "count"
    dim = UREG.Quantity(1.0, name).dimensionality
    if dim == UREG.kilogram.dimensionality:
        return "mass"
    if dim == UREG.liter.dimensionality:
        return "volume"
    return None


# --------------------------------------------------------------------------- patterns
def surfaces(kind: str | None = None, *, prose: bool | None = None,
             languages: Iterable[str] | None = None,
             article: bool | None = None) -> tuple[str, ...]:
    """The surfaces of the rows that fit every condition given, in file order."""
    langs = frozenset(languages) if languages is not None else None
    return tuple(w.surface for w in UNIT_ROWS
                 if (kind is None or w.kind == kind)
                 and (prose is None or w.prose == prose)
                 and (langs is None or w.languages & langs)
                 and (article is None or w.article == article))


def _regex(word: str) -> str:
    return r"\s+".join(map(re.escape, word.split(" ")))


def surface_pattern(words: Iterable[str]) -> str:
    """One alternation of ``words``, longest first, a space matching any whitespace.

    The words are grouped by first letter (``k(?:ilograms|ilos|g)|t(?:onnes|on)``): at each
    position the engine tests one letter per group instead of every word (the unit
    alternation is tried after every number of a text). Words of two groups never match at
    the same place, so the grouping changes no match.
    """
    fragments = [_regex(w) for w in dict.fromkeys(words)]
    if not fragments:
        raise VocabularyError("an alternation of no words would match nothing")
    # escaping and widening spaces keep a word that extends another one longer than it, so
    # longest first still tries "kgs." before "kgs", "metric tons" before "metric ton"
    return grouped_alternation(fragments)


def prefixes(words: Iterable[str]) -> tuple[str, ...]:
    """The words no other word of ``words`` begins (enough for a lookahead without ``\\b``)."""
    ws = sorted(set(words))
    return tuple(w for w in ws if not any(o != w and w.startswith(o) for o in ws))

