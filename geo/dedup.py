"""The same seizure told by several reports: find it, so that it counts once.

A seizure of note is reported by the agency that made it, by two or three wires and by
local papers, days apart, with rounded or converted figures ("1.5 tonnes", "1,500
kilos", "3,300 pounds"), a port, its city or its province for the place, and different
agencies credited. :func:`deduplicate` links such events across reports and marks every
event of a merged seizure, without dropping any::

    events = geo.deduplicate(events)      # adds cluster, duplicate_of, cluster_sources
    regions = geo.aggregate(events)       # each merged seizure counted once

How (plain blocking and rule scoring over frames; see the README's "Deduplication"):

1. **Blocking.** Events are put in blocks by country and measure (kg, dosage units,
   litres, labs) and sorted by the log of the figure; only events whose figures are
   within a factor :data:`BLOCK_RATIO` of each other and that come from different
   reports are candidates. Events of one report are never merged: the extractor has
   already told them apart.
2. **Hard rules** (all must hold): the figures' intervals overlap (an exact figure is a
   point give or take :data:`CONVERSION_SLACK` for unit conversion; a round figure
   ("4.3 t", "1,500 kg") spans half a unit of its last significant digit, up to
   :data:`ROUNDING_CAP`; a hedged one spans what its hedge says: "more than 1 t" is
   1-1.25 t); the substances agree (the same one, the same drug group, or one side
   unspecified); the places agree (the same region, or one side known only to its
   country); the dates are within ``window_days`` of each other (a month-precise date
   spans its month; a missing date agrees with any); the routes agree (where both give
   an origin, or both a destination, they name a country in common).
3. **Score** of the pair: how specific the shared figure is, the same substance,
   region, district and day, plus the text: an agency both credit and distinctive
   words both evidence sentences hold (an operation's, a vessel's, a port's name). A
   pair merges at :data:`MIN_SCORE`: a shared specific figure (3+ significant digits)
   with the same substance, region and period needs no more; a shared round figure
   ("100 kg of hashish in Helmand" twice in a month may be two seizures) needs one more
   sign from the text, a rounded or hedged one two.
4. **Clusters** are grown from the best pairs down, and two clusters join only when
   every pair across them satisfies the hard rules and no report would be in the
   cluster twice (so a chain 1 t ~ 1.2 t ~ 1.4 t does not merge its ends).

An archive repeats itself: one agency story reprinted by dozens of outlets is dozens of
events equal in everything the rules read (figure, drug, place, date, agencies, the
distinctive words; a word or an agency only one report prints, a byline, counts for
nothing, as the score reads only what two reports share). Such twins form one class
(:func:`_shared_only`, :func:`_classes`); steps 1-3 judge pairs of classes, and step 4
walks the pairs of events without listing them (:func:`_clusters`), with the result the
walk over every pair would give. A story reprinted a thousand times is one class, not
half a million pairs.

Each merged seizure keeps one event for the totals, the one with the most specific
figure (not hedged, most significant digits), then the one most sources agree with.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .errors import DeduplicationError
from .events import evidence_sentence, parse_dates

__all__ = ["deduplicate", "cluster_view", "merged_summary", "DEDUP_COLUMNS", "REQUIRED_COLUMNS",
           "ROUTE_FIELDS", "POUND_COUNTRIES", "MIN_SCORE", "WINDOW_DAYS"]

#: Columns :func:`deduplicate` adds: ``cluster`` (id of the merged seizure, or None for
#: a seizure one report tells), ``duplicate_of`` (on a merged duplicate: the report id
#: whose event counts for the seizure; None on the counted event and on singletons),
#: ``cluster_sources`` (on the counted event of a merged seizure: JSON list of every
#: source: doc, date, place, admin1, agencies, quantity, unit, quantity_kg, count).
DEDUP_COLUMNS: tuple[str, ...] = ("cluster", "duplicate_of", "cluster_sources")

REQUIRED_COLUMNS: tuple[str, ...] = ("doc", "substance", "quantity_kg", "count", "country",
                                     "admin1", "date")

#: Days two dates may lie apart (between the end of the earlier and the start of the
#: later): wires and local papers follow the agency by days, rarely by two weeks.
WINDOW_DAYS = 10
#: Relative slack of an exact figure: "3,300 pounds" is 1,496.9 kg for "1.5 tonnes".
CONVERSION_SLACK = 0.02
#: Two specific figures (3+ significant digits) are the same figure within this: a
#: unit conversion ("573 pounds" for 260 kg) stays well inside, a coincidence rarely does.
SAME_FIGURE = 0.005
#: Most a round figure's half unit may span: "2 tonnes" may stand for 1,870 kg, it is
#: not read as anything from 1.5 to 2.5 t.
ROUNDING_CAP = 0.10
#: How far a hedge reaches: "more than 1 t" up to 1.25 t, "nearly/about 2 t" down to 1.7 t.
HEDGE_ABOVE = 0.25
HEDGE_BELOW = 0.15
#: Candidate figures are within this factor of each other (wider than any interval).
BLOCK_RATIO = 1.6
#: Score at which a compatible pair merges (see the module docstring).
MIN_SCORE = 4.0

_MEASURES = ("kg", "count", "litres", "labs")

# words that say nothing about which seizure a sentence tells: they may be capitalised
# (sentence start, headline case, agency names) but every report has them
_COMMON = frozenset("""
a an the and or of in on at to for from by with into near off over under after before
this that these those it its their they he she his her we our you said says say told
police customs officers officials official agents agency army navy forces force guards
border security ministry department national federal state provincial regional local
anti narcotics narcotic drug drugs counter unit command office service services team
province region district city town village port airport state county department
seized seizes seizure seizures haul hauls found find intercepted intercept confiscated
recovered arrested detained kilograms kilogram kilos kilo kg tonnes tonne tons ton
pounds pound grams gram cocaine heroin opium hashish cannabis marijuana methamphetamine
meth crystal pills tablets capsules captagon tramadol fentanyl ketamine ecstasy
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
reuters afp ap efe xinhua ians tass interfax anadolu apa irna bernama pti ani upi
news agency reported reports report statement spokesman spokesperson
mr mrs ms new south north east west southern northern eastern western central
destroyed dismantled
worth value valued estimated street market price dollars dollar euros euro rupees rupee
""".split())

#: Route fields two reports of one seizure cannot disagree on: drugs shipped from
#: Bangladesh and drugs shipped from Texas are two seizures, however alike the rest.
ROUTE_FIELDS: tuple[str, ...] = ("origin", "destination")
_COUNTRY_CODE_RE = re.compile(r"^([A-Z]{2})(?:-[A-Z0-9]{1,3})?$")

_NAME_RE = re.compile(r"\b[A-Z][\w'-]*[A-Za-z]|\b[A-Za-z]*\d[\w-]*")
_WORD_RE = re.compile(r"\b[a-z][a-z-]{3,}\b")


# --------------------------------------------------------------------------- validation


def _validate(events: Any, window_days: Any, min_score: Any) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame):
        raise DeduplicationError(
            f"events must be a DataFrame (geo.extract output), not {type(events).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in events.columns]
    if missing:
        raise DeduplicationError(
            f"events lack required column(s): {', '.join(missing)} "
            f"(have: {', '.join(map(str, events.columns))})")
    if isinstance(window_days, bool) or not isinstance(window_days, (int, float)) \
            or not math.isfinite(window_days) or window_days < 0:
        raise DeduplicationError(f"window_days={window_days!r}: give a number of days >= 0")
    if isinstance(min_score, bool) or not isinstance(min_score, (int, float)) \
            or not math.isfinite(min_score):
        raise DeduplicationError(f"min_score={min_score!r}: give a number")
    return events


# --------------------------------------------------------------------------- features


def _significant_digits(value: float) -> int:
    """Significant digits of a figure as written: 4.3 -> 2, 4300 -> 2, 1040 -> 3."""
    if not math.isfinite(value) or value == 0:
        return 0
    text = f"{abs(value):.10g}"
    if "e" in text:
        mantissa = text.split("e")[0]
        return len(mantissa.replace(".", "").strip("0")) or 1
    if "." in text:
        digits = text.replace(".", "").lstrip("0")
        return len(digits)
    return len(text.strip("0")) or 1


def _hedge_patterns() -> dict[str, re.Pattern[str]]:
    # the extractor's hedge vocabulary (geo/vocab/hedges.csv), read once
    from .text.quantities import HEDGES

    numberish = (r"(?:\d|a\b|an\b|one|two|three|four|five|six|seven|eight|nine|ten|"
                 r"eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|half|dozen)")
    out = {}
    for reading in ("more", "less", "about"):
        words = "|".join(re.escape(p).replace(r"\ ", r"\s+")
                         for p in sorted(HEDGES.get(reading, ()), key=len, reverse=True))
        if words:
            out[reading] = re.compile(rf"(?i)\b(?:{words})\s+{numberish}")
    return out


_HEDGE_RX: dict[str, re.Pattern[str]] | None = None


def _hedge(sentence: str | None, approximate: bool | None) -> str | None:
    """How a figure is hedged: "more", "less", "about" or None (exact as written).

    ``approximate`` is the extractor's reading (its flag); None when the events do not
    carry it (a JSON Lines file), and then the sentence alone decides.
    """
    global _HEDGE_RX
    if approximate is False:
        return None
    if _HEDGE_RX is None:
        _HEDGE_RX = _hedge_patterns()
    found = {r for r, rx in _HEDGE_RX.items() if sentence and rx.search(sentence)}
    if len(found) == 1:
        return found.pop()
    if found or approximate:  # several hedges in the sentence, or flagged with no word
        return "about"
    return None


def _interval(value: float, sig: int, hedge: str | None) -> tuple[float, float]:
    """The amounts a figure can stand for (see the module docstring)."""
    if hedge == "more":
        return value, value * (1 + HEDGE_ABOVE)
    if hedge == "less":
        return value * (1 - HEDGE_BELOW), value
    if hedge == "about":
        return value * (1 - HEDGE_BELOW), value * (1 + HEDGE_BELOW)
    half = 0.0
    if sig and value > 0:
        half = 0.5 * 10 ** (math.floor(math.log10(value)) - sig + 1)
        # a figure with 3+ significant digits is exact as far as news goes
        half = 0.0 if sig >= 3 else min(half, ROUNDING_CAP * value)
    return value - half, value + half


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.startswith("["):
            try:
                return _as_list(json.loads(text))
            except ValueError:
                pass
        return [text]
    return []


def _stopwords() -> frozenset[str]:
    # the package's English function words (geo/vocab/stopwords/en.txt) and ours
    from pathlib import Path

    from .text.quantities import HEDGES, NUMBER_WORDS

    path = Path(__file__).parent / "vocab" / "stopwords" / "en.txt"
    words = set(_COMMON)
    # the figure's own words ("4.16 million", "nearly", "more than") are the figure,
    # which the rules compare already; two reports of any seizures share them
    words.update(n.word for n in NUMBER_WORDS)
    words.update(w for phrases in HEDGES.values() for p in phrases for w in p.split())
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip().lower()
            words.update(line.split())
    except OSError:  # a trimmed install: our own list still holds the common words
        pass
    return frozenset(words)


_STOP: frozenset[str] | None = None


def _tokens(sentence: str | None, place: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """Distinctive words of an event's text: names and codes (``Tormes``, ``AICM``,
    ``B-737``), and every content word, names included, as a plain word (``cucumbers``,
    ``suitcase``, ``shoe``, ``committee``): what hid the drugs and where is what outlets
    retell, and one outlet's "National Security Committee" is another's "the security
    committee", so a word is matched whatever its case."""
    global _STOP
    if _STOP is None:
        _STOP = _stopwords()
    text = " ".join(t for t in (sentence, place) if t)
    names = set()
    for tok in _NAME_RE.findall(text):
        key = tok.lower().strip("'-")
        if key.endswith("'s"):  # "the Felcn's patrol" names the Felcn
            key = key[:-2]
        # a bare number is mostly the figure itself, which the rules compare already
        if len(key) >= 3 and key not in _STOP and not key.replace(",", "").isdigit():
            names.add(key)
    words = {w.rstrip("s") for w in _WORD_RE.findall(text.lower()) if w not in _STOP}
    return frozenset(names), frozenset(words)


def _shared_text(x: tuple[frozenset[str], frozenset[str]],
                 y: tuple[frozenset[str], frozenset[str]], agencies: frozenset[str]) -> float:
    """What the distinctive words two events share say (at most 1.5): a name both
    write as a name counts 0.75, any other word both hold 0.5 (a shared name is not
    counted again as a word). The words of ``agencies``, which both credit and which
    count already, are not counted again ("Felcn" of the Felcn)."""
    skip = {w for a in agencies for w in re.findall(r"[a-z0-9-]+", a)}
    skip |= {w.rstrip("s") for w in skip}
    names = (x[0] & y[0]) - skip
    words = (x[1] & y[1]) - {n.rstrip("s") for n in names} - skip
    return min(0.75 * len(names) + 0.5 * len(words), 1.5)


def _route_countries(value: Any) -> frozenset[str]:
    """The countries a route field names ("EC-G; PA" -> EC, PA). A world region's name
    ("Europe", "West Africa") names no one country and is left out: "bound for Europe"
    and "bound for Spain" may be one seizure."""
    if not isinstance(value, str) or not value.strip():
        return frozenset()
    out = set()
    for part in value.split(";"):
        m = _COUNTRY_CODE_RE.match(part.strip())
        if m:
            out.add(m.group(1))
    return frozenset(out)


def _routes_clash(x: tuple[frozenset[str], ...], y: tuple[frozenset[str], ...]) -> bool:
    """Whether two events' routes disagree: on some field both name countries and none
    in common."""
    return any(a and b and not (a & b) for a, b in zip(x, y))


def _per_value(values: np.ndarray, fn: Any) -> np.ndarray:
    """``fn`` of every item of an object array, once per distinct value where the items
    are all text (an archive repeats its places, units and sentences); ``fn(None)`` for
    the missing ones."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        mapped = np.empty(len(uniques) + 1, dtype=object)
        mapped[:len(uniques)] = [fn(u) for u in uniques]
        mapped[len(uniques)] = fn(None)
        return mapped[codes]
    out = np.empty(len(values), dtype=object)
    out[:] = [fn(None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                 else v) for v in values]
    return out


def _text_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), None, dtype=object)
    upper = name in ("country", "admin1", "admin2")

    def clean(v: Any) -> str | None:
        if v is None:
            return None
        text = str(v).strip()
        return text.upper() if upper and text else (text or None)

    return _per_value(frame[name].astype(object).to_numpy(), clean)


def _obj(f: pd.DataFrame, name: str) -> np.ndarray:
    """A text column as an object array with None for missing (pandas may have made the
    Nones NaN in a string column)."""
    return _per_value(f[name].to_numpy(dtype=object), lambda v: v)


def _codes(f: pd.DataFrame, name: str) -> np.ndarray:
    """A text column as integer codes, -1 for missing: pairs compare in numpy."""
    return pd.factorize(_obj(f, name), use_na_sentinel=True)[0]


def _numbers(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").astype(float).to_numpy()


def _litres(ev: pd.DataFrame) -> np.ndarray:
    """Volume of each event in litres (gallons converted with pint), NaN otherwise."""
    from .text.units import pint_unit, unit_registry

    out = np.full(len(ev), np.nan)
    if "unit" not in ev or "quantity" not in ev:
        return out
    qty = pd.to_numeric(ev["quantity"], errors="coerce").to_numpy(dtype=float)
    ureg = unit_registry()
    factors: dict[str, float | None] = {}
    for k, unit in enumerate(_text_column(ev, "unit")):
        if unit is None or not np.isfinite(qty[k]):
            continue
        if unit not in factors:
            name = pint_unit(unit)
            factors[unit] = None
            if name and name != "count":
                try:
                    q = ureg.Quantity(1.0, name)
                    if q.dimensionality == ureg.liter.dimensionality:
                        factors[unit] = float(q.to(ureg.liter).magnitude)
                except Exception:  # pint raises several error types for unknown names
                    pass
        if factors[unit] is not None:
            out[k] = qty[k] * factors[unit]
    return out


def _features(events: pd.DataFrame) -> pd.DataFrame:
    """One row per event (positional index) with everything the rules compare."""
    from .text.plausibility import implausible_reasons
    from .text.substances import GROUPS

    n = len(events)
    ev = events.reset_index(drop=True)
    f = pd.DataFrame(index=pd.RangeIndex(n))
    f["doc"] = _text_column(ev, "doc")
    sub = _text_column(ev, "substance")
    f["substance"] = [s.lower() if s else None for s in sub]
    group = _text_column(ev, "drug_group")
    f["group"] = [g or (GROUPS.get(s.lower()) if s else None) for g, s in zip(group, sub)]
    where = {col: _text_column(ev, col) for col in ("country", "admin1", "admin2")}
    # an ISO 3166-2 code names its country when the country is empty
    where["country"] = np.array([c or (a.split("-")[0] if a and "-" in a else None)
                                 for c, a in zip(where["country"], where["admin1"])], dtype=object)
    for col, values in where.items():
        f[col] = values
    kg, count, labs = _numbers(ev, "quantity_kg"), _numbers(ev, "count"), _numbers(ev, "labs_destroyed")
    litres = _litres(ev)
    litres[~np.isnan(kg)] = np.nan  # weighed: the mass is the figure
    f["kg"], f["count"], f["litres"], f["labs"] = kg, count, litres, labs
    qty = _numbers(ev, "quantity")
    units = _text_column(ev, "unit")
    f["imperial"] = [bool(u) and u.lower() in ("lb", "lbs", "pound", "pounds", "oz", "ounce", "ounces")
                     for u in units]
    evidence = ev["evidence"].tolist() if "evidence" in ev else [None] * n
    sentences = [evidence_sentence(v) or None for v in evidence]
    f["sentence"] = sentences
    places = _text_column(ev, "place")
    f["place"] = places
    approx: list[bool | None]
    if "approximate" in ev:
        approx = [None if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v)
                  for v in ev["approximate"].astype(object).tolist()]
    elif "flags" in ev:
        approx = ["approximate" in _as_list(v) for v in ev["flags"].tolist()]
    else:
        approx = [None] * n
    # wire copies repeat their sentences and figures: each read once
    hedges: dict[tuple[str | None, bool | None], str | None] = {}
    f["hedge"] = [hedges[(s, a)] if (s, a) in hedges else hedges.setdefault((s, a), _hedge(s, a))
                  for s, a in zip(sentences, approx)]
    # significant digits of the figure as written (the kg of "4.3 t" is 4300: also 2)
    written = np.where(np.isnan(qty), np.where(np.isnan(kg), count, kg), qty)
    digits: dict[float, int] = {}
    f["sig"] = [0 if np.isnan(v) else digits[v] if v in digits
                else digits.setdefault(v, _significant_digits(v)) for v in written.tolist()]
    f["routes"] = list(zip(*[_per_value(ev[c].astype(object).to_numpy(), _route_countries)
                             if c in ev else [frozenset()] * n for c in ROUTE_FIELDS]))
    f["agencies"] = [frozenset(a.lower() for a in _as_list(v))
                     for v in (ev["agencies"].tolist() if "agencies" in ev else [None] * n)]
    # the figures of one sentence share its words: read each sentence once
    read: dict[tuple[str | None, str | None], tuple[frozenset[str], frozenset[str]]] = {}
    f["tokens"] = [read[(s, p)] if (s, p) in read else read.setdefault((s, p), _tokens(s, p))
                   for s, p in zip(sentences, places)]
    dates = parse_dates(ev["date"])
    f["start"] = dates["start"].to_numpy()
    f["end"] = dates["end"].to_numpy()
    f["precision"] = dates["precision"].to_numpy()
    # the plausibility of each distinct (substance, figure), once
    figures = pd.DataFrame({"substance": f["substance"].to_numpy(dtype=object),
                            "quantity": qty if "quantity" in ev else kg, "kg": kg,
                            "count": count})
    distinct = figures.groupby(list(figures.columns), dropna=False, sort=False).ngroup().to_numpy()
    once = figures.iloc[np.unique(distinct, return_index=True)[1]].reset_index(drop=True)
    f["implausible"] = implausible_reasons(
        pd.Series(once["substance"].to_numpy(), dtype=object), once["quantity"], once["kg"],
        once["count"]).notna().to_numpy()[distinct]
    precision_rank = {"point": 3, "admin2": 2, "admin1": 1, "country": 0}
    pp = _text_column(ev, "place_precision")
    f["place_rank"] = [precision_rank.get(p, 2 if a2 else 1 if a1 else 0 if c else -1)
                       for p, a1, a2, c in zip(pp, where["admin1"], where["admin2"],
                                               where["country"])]
    return f


# --------------------------------------------------------------------------- pairs


def _window_pairs(left: np.ndarray, left_key: np.ndarray, right: np.ndarray,
                  right_key: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Every (left, right) whose keys are within ``step`` (sorted neighbourhood: two
    binary searches per left row, the pairs spread with repeat/arange, no Python loop)."""
    if not len(left) or not len(right):
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    order = np.argsort(right_key, kind="stable")
    rk, rr = right_key[order], right[order]
    lo = np.searchsorted(rk, left_key - step, side="left")
    hi = np.searchsorted(rk, left_key + step, side="right")
    width = hi - lo
    total = int(width.sum())
    if not total:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    a = np.repeat(left, width)
    offset = np.arange(total) - np.repeat(np.cumsum(width) - width, width)
    b = rr[np.repeat(lo, width) + offset]
    return a, b


def _candidates(f: pd.DataFrame, window_days: float) -> pd.DataFrame:
    """Pairs (i < j, positional) of events from different reports whose figures on one
    measure are within ``BLOCK_RATIO``, blocked so that 10,000 events of one country
    over years do not make every similar figure a candidate:

    * events dated to the day or month, with a country: by country and time bucket
      (a bucket is longer than a month plus the window, so two events within the window
      are in the same or neighbouring buckets);
    * events with no date or only a year: against every event of their country;
    * events with no country (a report that named none, a place at sea): against every
      event.
    """
    step = math.log(BLOCK_RATIO)
    country, _ = pd.factorize(_obj(f, "country"), use_na_sentinel=True)
    doc = np.array([d or "" for d in _obj(f, "doc")], dtype=object)
    usable = ~f["implausible"].to_numpy()
    start = f["start"].to_numpy(dtype="datetime64[ns]")
    fine = np.isin(_obj(f, "precision"), ["day", "month"])
    bucket_days = 32 + float(window_days)
    days = np.where(np.isnat(start), 0, start.astype("datetime64[D]").astype("int64"))
    bucket = np.floor(days / bucket_days).astype("int64")
    parts = []
    for measure in _MEASURES:
        values = f[measure].to_numpy(dtype=float)
        rows = np.flatnonzero(usable & np.isfinite(values) & (values > 0))
        if len(rows) < 2:
            continue
        logv = np.zeros(len(f))
        logv[rows] = np.log(values[rows])
        # keys on one sorted axis: blocks a stride apart that no figure window spans
        stride = float(np.ptp(logv[rows])) + 10 * step + 1.0
        core = rows[fine[rows] & (country[rows] >= 0)]
        lonely = rows[~fine[rows] & (country[rows] >= 0)]
        stateless = rows[country[rows] < 0]
        found = []
        if len(core):
            block, _ = pd.factorize(pd.Series(list(zip(country[core], bucket[core]))))
            cells = dict(zip(zip(country[core].tolist(), bucket[core].tolist()), block.tolist()))
            # the neighbouring buckets of each core row, where they hold events
            for shift in (-1, 0, 1):
                other = np.array([cells.get((c, b + shift), -1)
                                  for c, b in zip(country[core].tolist(), bucket[core].tolist())])
                has = other >= 0
                if has.any():
                    found.append(_window_pairs(core[has], other[has] * stride + logv[core[has]],
                                               core, block * stride + logv[core], step))
        if len(lonely):
            found.append(_window_pairs(lonely, country[lonely] * stride + logv[lonely],
                                       rows, country[rows] * stride + logv[rows], step))
        if len(stateless):
            found.append(_window_pairs(stateless, logv[stateless], rows, logv[rows], step))
        if not found:
            continue
        a = np.concatenate([p[0] for p in found])
        b = np.concatenate([p[1] for p in found])
        keep = (doc[a] != doc[b]) & (a != b)
        a, b = a[keep], b[keep]
        parts.append(pd.DataFrame({"i": np.minimum(a, b), "j": np.maximum(a, b),
                                   "measure": measure}))
    if not parts:
        return pd.DataFrame({"i": pd.Series([], dtype=int), "j": pd.Series([], dtype=int),
                             "measure": pd.Series([], dtype=object)})
    return pd.concat(parts, ignore_index=True).drop_duplicates(["i", "j", "measure"])


def _intervals(f: pd.DataFrame, measure: str) -> tuple[np.ndarray, np.ndarray]:
    values = f[measure].to_numpy(dtype=float)
    lo = np.full(len(f), np.nan)
    hi = np.full(len(f), np.nan)
    hedges, sigs = _obj(f, "hedge"), f["sig"].to_numpy()
    for k in np.flatnonzero(np.isfinite(values)):
        # labs are counted, never rounded or converted
        lo[k], hi[k] = ((values[k], values[k]) if measure == "labs"
                        else _interval(values[k], int(sigs[k]), hedges[k]))
    return lo, hi


def _compatible(f: pd.DataFrame, pairs: pd.DataFrame, window_days: float,
                intervals: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """The candidate pairs that satisfy every hard rule, with what the score needs."""
    if not len(pairs):
        return pairs.assign(exact=pd.Series([], dtype=bool))
    i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    ok = np.ones(len(pairs), dtype=bool)
    exact = np.zeros(len(pairs), dtype=bool)
    for measure in _MEASURES:
        m = (pairs["measure"] == measure).to_numpy()
        if not m.any():
            continue
        lo, hi = intervals[measure]
        values = f[measure].to_numpy(dtype=float)
        slack = 0.0 if measure == "labs" else CONVERSION_SLACK
        a, b = i[m], j[m]
        overlap = (lo[a] <= hi[b] * (1 + slack)) & (lo[b] <= hi[a] * (1 + slack))
        ok[m] &= overlap
        rel = np.abs(values[a] - values[b]) / np.maximum(values[a], values[b])
        exact[m] = rel <= slack
    # the other measures both sides have must not contradict (a count next to a mass)
    for measure in ("kg", "count"):
        if measure not in intervals:
            continue
        lo, hi = intervals[measure]
        both = np.isfinite(lo[i]) & np.isfinite(lo[j])
        clash = both & ~((lo[i] <= hi[j] * (1 + CONVERSION_SLACK))
                         & (lo[j] <= hi[i] * (1 + CONVERSION_SLACK)))
        ok &= ~clash
    # substances: the same, the same group, or one side unspecified / not named
    sub, grp = _codes(f, "substance"), _codes(f, "group")
    vague = np.array([x in (None, "unspecified") for x in _obj(f, "substance")])
    labs = np.isfinite(f["labs"].to_numpy(dtype=float))
    same_sub = (sub[i] == sub[j]) & (sub[i] >= 0)
    same_grp = (grp[i] == grp[j]) & (grp[i] >= 0)
    # a lab line has no substance: it pairs only with a lab line
    ok &= (labs[i] == labs[j]) & (same_sub | same_grp | vague[i] | vague[j] | labs[i])
    # places: the same region, or one side known only to its country (or to nothing)
    for col in ("country", "admin1", "admin2"):
        code = _codes(f, col)
        ok &= (code[i] < 0) | (code[j] < 0) | (code[i] == code[j])
    # dates: within the window, a missing date agrees with any
    start = f["start"].to_numpy(dtype="datetime64[ns]")
    end = f["end"].to_numpy(dtype="datetime64[ns]")
    gap = np.maximum(start[j] - end[i], start[i] - end[j]).astype("timedelta64[D]").astype(float)
    dated = ~np.isnat(start[i]) & ~np.isnat(start[j])
    gap = np.where(dated, np.maximum(gap, 0.0), np.nan)
    ok &= ~dated | (gap <= window_days)
    # routes: where both say where the drugs came from (or were going), they agree
    routes = f["routes"].to_numpy(dtype=object)
    routed = np.array([any(r) for r in routes], dtype=bool)
    both = np.flatnonzero(ok & routed[i] & routed[j])  # most events name no route
    ok[both] = [not _routes_clash(routes[i[k]], routes[j[k]]) for k in both]
    out = pairs.assign(exact=exact, gap=gap, same_sub=same_sub, same_grp=same_grp)
    out = out[ok]
    # a pair found on two measures (a mass and a count) is one pair: keep its best reading
    out = out.sort_values(["i", "j", "exact"], ascending=[True, True, False], kind="stable")
    return out.drop_duplicates(["i", "j"]).reset_index(drop=True)


def _score(f: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """Evidence that two compatible events tell the same seizure (see the docstring)."""
    if not len(pairs):
        return np.zeros(0)
    i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    sig = f["sig"].to_numpy()
    hedged = f["hedge"].notna().to_numpy()
    exact = pairs["exact"].to_numpy()
    precise = exact & ~hedged[i] & ~hedged[j]
    kg = f["kg"].to_numpy(dtype=float)
    count = f["count"].to_numpy(dtype=float)
    v_i = np.where(np.isfinite(kg[i]), kg[i], count[i])
    v_j = np.where(np.isfinite(kg[j]), kg[j], count[j])
    same = np.abs(v_i - v_j) <= SAME_FIGURE * np.maximum(v_i, v_j)
    specific = precise & same & (np.minimum(sig[i], sig[j]) >= 3)
    # the figure: a shared specific figure (4,312 kg; 91,000 lb and 41,310 kg) is
    # strong; a shared round one (4.3 t / 4,300 kg) is what two seizures of a busy port
    # may share by chance, and figures that only fit each other's rounding are weak
    score = np.where(specific, 2.0, np.where(precise, 1.0, 0.5))
    score += np.where(pairs["same_sub"].to_numpy(), 1.0,
                      np.where(pairs["same_grp"].to_numpy(), 0.5, 0.0))
    a1, a2 = _codes(f, "admin1"), _codes(f, "admin2")
    score += np.where((a1[i] >= 0) & (a1[i] == a1[j]), 1.0, 0.0)
    score += np.where((a2[i] >= 0) & (a2[i] == a2[j]), 0.5, 0.0)
    gap = pairs["gap"].to_numpy(dtype=float)
    day = np.array([p == "day" for p in _obj(f, "precision")])
    days = day[i] & day[j]
    score += np.where(np.isnan(gap), 0.0,
                      np.where(days & (gap <= 3), 1.0, np.where(gap <= 0, 0.5, 0.25)))
    # the text: an agency both credit, names both evidence sentences hold
    agencies = f["agencies"].tolist()
    tokens = f["tokens"].tolist()
    shared = [agencies[x] & agencies[y] for x, y in zip(i.tolist(), j.tolist())]
    score += np.array([1.0 if s else 0.0 for s in shared])
    score += np.array([_shared_text(tokens[x], tokens[y], s)
                       for x, y, s in zip(i.tolist(), j.tolist(), shared)])
    return score


# --------------------------------------------------------------------------- twins


#: What the pair rules read of an event (:func:`_candidates`, :func:`_intervals`,
#: :func:`_compatible`, :func:`_score`, :func:`_unmeasured_ok`): two events equal on all
#: of them (wire copies of one story, mostly) are twins, and every rule says the same of
#: a twin as of the other.
_PAIR_FEATURES: tuple[str, ...] = ("substance", "group", "country", "admin1", "admin2",
                                   *_MEASURES, "hedge", "sig", "routes", "agencies",
                                   "tokens", "start", "end", "precision", "implausible")


def _shared_only(f: pd.DataFrame) -> pd.DataFrame:
    """``f`` with each event's agencies and distinctive words cut to those an event of
    another report holds too. The score reads them only through what two events of two
    reports share, so no score changes; but a word one outlet alone prints (its name, a
    reporter's) no longer keeps its copies from being twins."""
    f = f.copy()
    docs = f["doc"].tolist()
    many = object()
    for col in ("agencies", "tokens"):
        values = f[col].tolist()
        held: dict[Any, Any] = {}  # distinct value -> its report, or many
        for v, d in zip(values, docs):
            h = held.setdefault(v, d)
            if h is not many and h != d:
                held[v] = many
        parts = [(v,) if col == "agencies" else v for v in held]
        shared: list[set[str]] = [set() for _ in parts[0]] if parts else []
        first: list[dict[str, Any]] = [{} for _ in shared]
        for v, part in zip(held, parts):
            for k, words in enumerate(part):
                for w in words:
                    h = first[k].setdefault(w, held[v])
                    if h is many or h != held[v]:
                        shared[k].add(w)
        cut = {}
        for v, part in zip(held, parts):
            pruned = tuple(frozenset(w for w in words if w in shared[k])
                           for k, words in enumerate(part))
            cut[v] = pruned[0] if col == "agencies" else pruned
        f[col] = [cut[v] for v in values]
    return f


def _classes(f: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(class of each event, first event of each class): events with the same
    :data:`_PAIR_FEATURES` share a class, numbered in the order of their first event."""
    n = len(f)
    codes = np.column_stack([pd.factorize(f[c], use_na_sentinel=True)[0]
                             for c in _PAIR_FEATURES])
    _, inverse = np.unique(codes, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    first = np.full(int(inverse.max()) + 1, n)
    np.minimum.at(first, inverse, np.arange(n))
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inverse], first[order]


def _self_candidates(f: pd.DataFrame, sizes: np.ndarray) -> pd.DataFrame:
    """The pairs (c, c) of the classes of ``f`` with twins: twins are candidates on every
    measure :func:`_candidates` would pair them on (the same figure, block and bucket)."""
    usable = ~f["implausible"].to_numpy() & (sizes >= 2)
    parts = []
    for measure in _MEASURES:
        values = f[measure].to_numpy(dtype=float)
        k = np.flatnonzero(usable & np.isfinite(values) & (values > 0))
        parts.append(pd.DataFrame({"i": k, "j": k, "measure": measure}))
    return pd.concat(parts, ignore_index=True)


def _event_pairs(pairs: pd.DataFrame, classes: np.ndarray, docs: np.ndarray) -> int:
    """How many pairs of events (of different reports) the compatible class pairs
    ``pairs`` stand for."""
    if not len(pairs):
        return 0
    sizes = np.bincount(classes)
    ci, cj = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    total = int(np.where(ci == cj, sizes[ci] * (sizes[ci] - 1) // 2,
                         sizes[ci] * sizes[cj]).sum())
    # less the pairs within one report, which are never pairs
    keys = pd.factorize(docs, use_na_sentinel=False)[0]
    several = np.flatnonzero(np.bincount(keys)[keys] > 1)
    if not len(several):
        return total
    compatible = set(zip(ci.tolist(), cj.tolist()))
    per_doc: dict[int, dict[int, int]] = {}
    for e in several.tolist():
        held = per_doc.setdefault(int(keys[e]), {})
        held[int(classes[e])] = held.get(int(classes[e]), 0) + 1
    neighbours: dict[int, list[int]] | None = None
    for held in per_doc.values():
        if len(held) <= 64:  # a report holds a few events: its pairs of classes
            for c, nc in held.items():
                for d, nd in held.items():
                    if d == c and (c, c) in compatible:
                        total -= nc * (nc - 1) // 2
                    elif d > c and (c, d) in compatible:
                        total -= nc * nd
            continue
        if neighbours is None:  # events with no report id: each class's pairs
            neighbours = {}
            for a, b in compatible:
                neighbours.setdefault(a, []).append(b)
                if a != b:
                    neighbours.setdefault(b, []).append(a)
        for c, nc in held.items():
            for d in neighbours.get(c, ()):
                if d == c:
                    total -= nc * (nc - 1) // 2
                elif d > c and d in held:
                    total -= nc * held[d]
    return total


# --------------------------------------------------------------------------- clusters


def _clusters(classes: np.ndarray, pairs: pd.DataFrame, scores: np.ndarray,
              min_score: float, docs: np.ndarray, unmeasured: Any) -> np.ndarray:
    """Cluster label per event (-1: alone; else the first event of its seizure).

    The rule: every compatible pair of events from different reports, taken from the
    best score down (ties in the events' order), merges the two clusters it joins when
    no report would be in the merged one twice and every pair across them is compatible
    (complete linkage: a chain 1 t ~ 1.2 t ~ 1.4 t does not merge its ends).
    ``unmeasured(c, d)``: whether events of classes ``c`` and ``d`` that share no measure
    (a pill count and a mass of one seizure) satisfy every other hard rule: such a pair
    is never a candidate, but it must not keep a seizure's count and mass apart.

    ``pairs``/``scores`` are those of classes of twins (:func:`_classes`), so that a story
    reprinted a thousand times is not a million pairs. The pairs of events are walked
    without being listed, from what makes most of them moot: once two clusters have
    merged, pairs within stay so, and once they have failed to merge they fail for good
    (clusters only grow, and a report twice or an incompatible pair stays in a larger
    cluster). So, at one score, an event whose class has been walked already by an event
    now in its cluster has nothing left to do (every pair it would try, its twin tried
    first: merged since, or failed), and an event that walks its pairs tries each other
    cluster once, at the first of its events it pairs with.
    """
    from bisect import bisect_right, insort

    n = len(classes)
    label = np.full(n, -1)
    ci, cj = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    keep = scores >= min_score
    if not keep.any():
        return label
    compatible = set(zip(ci.tolist(), cj.tolist()))
    unmeasured_memo: dict[tuple[int, int], bool] = {}

    def fits(c: int, d: int) -> bool:
        key = (c, d) if c <= d else (d, c)
        if key in compatible:
            return True
        ok = unmeasured_memo.get(key)
        if ok is None:
            ok = unmeasured_memo[key] = bool(unmeasured(*key))
        return ok

    cls = classes.tolist()
    doc = list(docs)
    parent = list(range(n))
    size = [1] * n
    low = list(range(n))
    doc_set: dict[int, set] = {}
    members: dict[int, dict[int, list[int]]] = {}  # root -> class -> its members, sorted
    where: dict[int, dict[int, list[int]]] = {}    # class -> root -> the same lists
    fit: dict[int, dict[int, bool]] = {}           # root -> class -> fits every class held
    # only events of a class with a pair to merge on take part
    taking = set(ci[keep].tolist()) | set(cj[keep].tolist())
    for x in range(n):
        if cls[x] in taking:
            lst = [x]
            members[x] = {cls[x]: lst}
            where.setdefault(cls[x], {})[x] = lst
            doc_set[x] = {doc[x]}

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def fits_cluster(root: int, d: int) -> bool:
        cache = fit.setdefault(root, {})
        ok = cache.get(d)
        if ok is None:
            ok = cache[d] = all(fits(c, d) for c in members[root])
        return ok

    def joinable(a: int, b: int) -> bool:
        if not doc_set[a].isdisjoint(doc_set[b]):
            return False
        if len(members[a]) < len(members[b]):
            a, b = b, a
        return all(fits_cluster(a, d) for d in members[b])

    def merge(a: int, b: int) -> None:
        if size[a] < size[b]:
            a, b = b, a
        parent[b] = a
        size[a] += size[b]
        low[a] = min(low[a], low[b])
        doc_set[a] |= doc_set.pop(b)
        held = members[a]
        new = [d for d in members[b] if d not in held]
        for d, lst in members.pop(b).items():
            at = where[d]
            del at[b]
            mine = held.get(d)
            if mine is None:
                held[d] = at[a] = lst
            elif len(lst) < 8:
                for v in lst:
                    insort(mine, v)
            else:
                mine.extend(lst)
                mine.sort()
        cache = fit.get(a)
        if cache and new:
            for d, ok in cache.items():
                if ok:
                    cache[d] = all(fits(c, d) for c in new)
        fit.pop(b, None)
        marks = walked.pop(b, None)
        if marks:
            walked.setdefault(a, set()).update(marks)

    level_of = scores[keep]
    li, lj = ci[keep], cj[keep]
    for level in np.unique(level_of)[::-1]:
        partners: dict[int, list[int]] = {}
        at = level_of == level
        for c, d in zip(li[at].tolist(), lj[at].tolist()):
            partners.setdefault(c, []).append(d)
            if c != d:
                partners.setdefault(d, []).append(c)
        walked: dict[int, set[int]] = {}  # root -> classes walked at this score
        # a class in one cluster is walked by its first event only (the others find it
        # walked); one spread over several, by each event until its cluster is
        visit: list[int] = []
        for c in partners:
            spread = where[c]
            if len(spread) == 1:
                visit.append(next(iter(spread.values()))[0])
            else:
                visit.extend(x for lst in spread.values() for x in lst)
        visit.sort()
        for x in visit:
            r = find(x)
            c = cls[x]
            marks = walked.setdefault(r, set())
            if c in marks:
                continue
            marks.add(c)
            # each other cluster at its first event after x that pairs with x (one of x's
            # own report may come first: that cluster holds x's report and fails anyway)
            first: dict[int, int] = {}
            for d in partners[c]:
                for root, lst in where[d].items():
                    if root == r:
                        continue
                    k = bisect_right(lst, x)
                    if k < len(lst) and lst[k] < first.get(root, n):
                        first[root] = lst[k]
            for root in sorted(first, key=first.__getitem__):
                r = find(x)
                if joinable(r, root):
                    merge(r, root)
    for x in range(n):
        if parent[x] != x or size[x] > 1:
            label[x] = low[find(x)]
    return label


def _arrays(f: pd.DataFrame) -> dict[str, np.ndarray]:
    """The features as plain arrays, for the per-cluster steps (pandas' per-cell access
    costs microseconds each, thousands of times)."""
    out = {c: _obj(f, c) for c in ("doc", "substance", "group", "country", "admin1", "admin2",
                                   "hedge", "place", "precision")}
    for c in (*_MEASURES, "sig", "place_rank"):
        out[c] = f[c].to_numpy(dtype=float)
    out["imperial"] = f["imperial"].to_numpy(dtype=bool)
    out["routes"] = f["routes"].to_numpy(dtype=object)
    out["start"] = f["start"].to_numpy(dtype="datetime64[ns]")
    out["end"] = f["end"].to_numpy(dtype="datetime64[ns]")
    return out


def _unmeasured_ok(A: dict[str, np.ndarray], x: int, y: int, window_days: float) -> bool:
    """Two events with no measure in common (a pill count, a mass) that satisfy the
    other hard rules of :func:`_compatible`."""
    if any(np.isfinite(A[m][x]) and np.isfinite(A[m][y]) for m in _MEASURES):
        return False  # they share a measure: the candidate rules have judged them
    if np.isfinite(A["labs"][x]) != np.isfinite(A["labs"][y]):
        return False
    sx, sy = A["substance"][x], A["substance"][y]
    vague = sx in (None, "unspecified") or sy in (None, "unspecified")
    if not (sx == sy or vague or (A["group"][x] is not None and A["group"][x] == A["group"][y])):
        return False
    for col in ("country", "admin1", "admin2"):
        u, v = A[col][x], A[col][y]
        if u is not None and v is not None and u != v:
            return False
    if _routes_clash(A["routes"][x], A["routes"][y]):
        return False
    if not (np.isnat(A["start"][x]) or np.isnat(A["start"][y])):
        gap = max(A["start"][y] - A["end"][x], A["start"][x] - A["end"][y])
        if gap / np.timedelta64(1, "D") > window_days:
            return False
    return True


def _support(A: dict[str, np.ndarray], idx: Sequence[int]) -> dict[int, int]:
    """How many members' figures agree (within the conversion slack) with each one's:
    members with the same figures are counted together, so that a seizure a thousand
    copies tell compares its few distinct figures, not a million pairs."""
    if len(idx) <= 8:  # most seizures: a few reports, cheaper than arrays
        out = {}
        for a in idx:
            n = 0
            for b in idx:
                for m in _MEASURES:
                    x, y = A[m][a], A[m][b]
                    if np.isfinite(x) and np.isfinite(y) and \
                            abs(x - y) <= CONVERSION_SLACK * max(x, y):
                        n += 1
                        break
            out[a] = n
        return out
    values = np.column_stack([A[m][list(idx)] for m in _MEASURES])
    if len(idx) > 64:
        # a missing figure fits none: any one stand-in groups them (unique sees NaN apart)
        keyed = np.where(np.isfinite(values), values, -np.inf)
        distinct, code = np.unique(keyed, axis=0, return_inverse=True)
        code = code.reshape(-1)
    else:
        distinct, code = values, np.arange(len(idx))
    weight = np.bincount(code, minlength=len(distinct))
    support = np.zeros(len(distinct), dtype=np.int64)
    chunk = max(1, 2_000_000 // max(len(distinct), 1))
    for lo in range(0, len(distinct), chunk):
        x = distinct[lo:lo + chunk, None, :]
        y = distinct[None, :, :]
        with np.errstate(invalid="ignore"):
            agree = (np.isfinite(x) & np.isfinite(y)
                     & (np.abs(x - y) <= CONVERSION_SLACK * np.maximum(x, y))).any(axis=2)
        support[lo:lo + chunk] = agree @ weight
    return {a: int(support[k]) for a, k in zip(idx, code.tolist())}


#: Countries whose agencies weigh seizures in pounds (the DEA, CBP and US police do).
POUND_COUNTRIES = frozenset({"US"})


def _kept(A: dict[str, np.ndarray], idx: list[int]) -> int:
    """The member whose figure counts: exact beats hedged; a figure in the unit of the
    seizure's country beats a conversion: a metric figure beats one in pounds ("3,300
    pounds" is mostly a foreign outlet's conversion, and the annotation rules record the
    metric one), except in a country that weighs in pounds (:data:`POUND_COUNTRIES`),
    where the agency's "705 pounds" is the figure and a foreign paper's "320 kilograms"
    the conversion; more significant digits beat fewer; then the figure most members
    agree with, the finer place, the first in the events' order."""
    support = _support(A, idx)
    country = next((A["country"][a] for a in idx if A["country"][a]), None)
    pounds = country in POUND_COUNTRIES
    return min(idx, key=lambda a: (A["hedge"][a] is not None, bool(A["imperial"][a]) != pounds,
                                   -A["sig"][a], -support[a], -A["place_rank"][a], a))


def _clean(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


_SOURCE_COLUMNS = ("date", "agencies", "quantity", "unit", "quantity_kg", "count")


def _source_records(cols: dict[str, list[Any]], A: dict[str, np.ndarray],
                    rows: Sequence[int]) -> list[dict[str, Any]]:
    """One record per source of a merged seizure: what the popups list. ``cols``: the
    events' :data:`_SOURCE_COLUMNS` as lists."""
    return [{"doc": A["doc"][a], "date": _clean(cols["date"][a]), "place": A["place"][a],
             "admin1": A["admin1"][a], "agencies": _as_list(cols["agencies"][a]),
             "substance": A["substance"][a], "quantity": _clean(cols["quantity"][a]),
             "unit": _clean(cols["unit"][a]), "quantity_kg": _clean(cols["quantity_kg"][a]),
             "count": _clean(cols["count"][a]), "hedge": A["hedge"][a]} for a in rows]


# --------------------------------------------------------------------------- public API


def deduplicate(events: pd.DataFrame, *, window_days: float = WINDOW_DAYS,
                min_score: float = MIN_SCORE) -> pd.DataFrame:
    """Find the seizures several reports tell, and mark them so that they count once.

    Parameters
    ----------
    events
        An events frame (``geo.extract`` / ``geo.read_seizures`` / ``read_events``) with
        at least ``doc, substance, quantity_kg, count, country, admin1, date``; it also
        reads ``quantity, unit, labs_destroyed, admin2, drug_group, agencies, evidence,
        place, place_precision, approximate, flags`` where present.
    window_days
        Most days between two reports' dates of one seizure (default :data:`WINDOW_DAYS`).
    min_score
        Score at which a compatible pair merges (default :data:`MIN_SCORE`).

    Returns
    -------
    A copy of ``events`` (same index, same order, same type) with the columns of
    :data:`DEDUP_COLUMNS`; previous values of those columns are replaced. Every event
    stays: a merged duplicate has ``duplicate_of`` set and is left out of the totals by
    :func:`geo.aggregate`. ``result.attrs["dedup"]`` holds ``{"seizures": merged
    seizures, "duplicates": events merged into them, "pairs": candidate pairs scored}``.

    Raises
    ------
    DeduplicationError
        ``events`` is not a DataFrame, lacks a required column, or an option is invalid.
    """
    events = _validate(events, window_days, min_score)
    out = events.copy()
    n = len(events)
    for col in DEDUP_COLUMNS:
        out[col] = pd.Series([None] * n, index=events.index, dtype=object)
    if n < 2:
        out.attrs["dedup"] = {"seizures": 0, "duplicates": 0, "pairs": 0}
        return out
    f = _features(events)
    A = _arrays(f)
    # the rules judge classes of twins (wire copies), each by its first event
    shared = _shared_only(f)
    classes, head = _classes(shared)
    rep = shared.iloc[head].reset_index(drop=True)
    rep["doc"] = [f"#{k}" for k in range(len(rep))]  # twins pair whatever their reports
    intervals = {m: _intervals(rep, m) for m in _MEASURES}
    candidates = pd.concat([_candidates(rep, float(window_days)),
                            _self_candidates(rep, np.bincount(classes))], ignore_index=True)
    pairs = _compatible(rep, candidates, float(window_days), intervals)
    scores = _score(rep, pairs)
    label = _clusters(classes, pairs, scores, float(min_score), A["doc"],
                      lambda c, d: _unmeasured_ok(A, int(head[c]), int(head[d]),
                                                  float(window_days)))
    cluster = np.full(n, None, dtype=object)
    duplicate_of = np.full(n, None, dtype=object)
    sources = np.full(n, None, dtype=object)
    cols = {c: (events[c].tolist() if c in events else [None] * n) for c in _SOURCE_COLUMNS}
    groups: dict[int, list[int]] = {}
    for pos in np.flatnonzero(label >= 0):
        groups.setdefault(int(label[pos]), []).append(int(pos))
    # ids numbered in the events' order of each seizure's first event: reproducible
    for number, first in enumerate(sorted(groups), start=1):
        idx = groups[first]
        kept = _kept(A, idx)
        cid = f"S{number:04d}"
        for a in idx:
            cluster[a] = cid
            if a != kept:
                duplicate_of[a] = A["doc"][kept]
        # sources in date order (undated last), then in the events' order
        rows = np.array(idx)
        undated = np.isnat(A["start"][rows])
        when = np.where(undated, 0, A["start"][rows].astype("int64"))
        ordered = rows[np.lexsort((rows, when, undated))].tolist()
        sources[kept] = json.dumps(_source_records(cols, A, ordered), ensure_ascii=False)
    out["cluster"] = pd.Series(cluster, index=events.index, dtype=object)
    out["duplicate_of"] = pd.Series(duplicate_of, index=events.index, dtype=object)
    out["cluster_sources"] = pd.Series(sources, index=events.index, dtype=object)
    out.attrs = dict(events.attrs)
    out.attrs["dedup"] = {"seizures": len(groups),
                          "duplicates": int(sum(len(v) - 1 for v in groups.values())),
                          "pairs": _event_pairs(pairs, classes, A["doc"])}
    return out


def cluster_view(events: pd.DataFrame) -> pd.DataFrame:
    """Where and when each event counts, once its seizure is merged (for the aggregates).

    Returns a frame aligned with ``events`` (same index) with ``counted`` (False for a
    merged duplicate), and ``country``, ``admin1``, ``admin2``, ``date``: the seizure's,
    for every member of a merged seizure, so that its sources fall in one region and
    period: the finest place any member gives (members agree on it by construction; a
    report that names only the country yields to one that names the province) and the
    most precise date (a day before a month; the earliest of equals, as reports follow
    the seizure). Events outside a merged seizure keep their own.
    """
    if "duplicate_of" not in events or "cluster" not in events:
        raise DeduplicationError("events carry no dedup columns: run geo.deduplicate first")
    view = pd.DataFrame(index=events.index)
    dup = events["duplicate_of"].astype(object)
    view["counted"] = dup.isna() | dup.astype(str).str.strip().isin(["", "nan", "None"])
    for col in ("country", "admin1", "admin2", "date"):
        view[col] = (events[col].astype(object) if col in events
                     else pd.Series(None, index=events.index, dtype=object))
    cid = events["cluster"].astype(object)
    has = cid.notna() & ~cid.astype(str).str.strip().isin(["", "nan", "None"])
    if not has.any():
        return view
    sub = view[has].copy()
    sub["_cid"] = cid[has].astype(str)
    dates = parse_dates(sub["date"])
    sub["_drank"] = dates["precision"].map({"day": 0, "month": 1, "year": 2}).fillna(3).to_numpy()
    sub["_start"] = dates["start"].to_numpy()
    for col in ("country", "admin1", "admin2"):
        sub[col] = sub[col].where(sub[col].notna() & (sub[col].astype(str).str.strip() != ""))
    # members agree on every place both give (deduplicate's hard rules): the first one
    # given is the finest; the date: a day before a month, the earliest of equals
    places = sub.groupby("_cid", sort=False)[["country", "admin1", "admin2"]].first()
    dated = sub.sort_values(["_drank", "_start"], kind="stable", na_position="last")
    first_date = dated.groupby("_cid", sort=False)["date"].first()
    for col in ("country", "admin1", "admin2"):
        view.loc[has, col] = sub["_cid"].map(places[col]).astype(object).to_numpy()
    view.loc[has, "date"] = sub["_cid"].map(first_date).astype(object).to_numpy()
    return view


def merged_summary(events: pd.DataFrame) -> dict[str, int]:
    """``{"seizures": merged seizures, "duplicates": events merged into them}`` of an
    events frame that carries the dedup columns (zeros when it does not)."""
    if "duplicate_of" not in events or "cluster" not in events:
        return {"seizures": 0, "duplicates": 0}
    dup = events["duplicate_of"].astype(object)
    cid = events["cluster"].astype(object)
    is_dup = dup.notna() & ~dup.astype(str).str.strip().isin(["", "nan", "None"])
    has = cid.notna() & ~cid.astype(str).str.strip().isin(["", "nan", "None"])
    return {"seizures": int(cid[has].nunique()), "duplicates": int(is_dup.sum())}

