"""The agencies a report names as acting, and the country of the force that acts.

Takes sentences; gives the canonical names of the agencies they name (``geo/vocab/agencies.csv``:
one row per way of writing a name), most specific first-found order kept, and the country
a demonym before a force word gives ("Turkmen border guards": TM).

Speed: each agency's pattern is gated (:class:`geo.text.patterns.Gated`), and one pass over
all the gates' keys picks the few patterns worth searching in a sentence.
"""
from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .. import vocab
from ..errors import VocabularyError
from ..text.patterns import Gated
from ..text.scan import Literals
from .cues import template
from ..caches import memo

__all__ = ["AGENCY_RES", "GENERIC", "IMPLIES", "COUNTRY", "sentence_agencies", "outside_names",
           "most_specific", "agencies_in", "actor_country", "acting_countries"]

_FILE = "agencies.csv"
_COLUMNS = ("pattern", "regex", "name", "country", "generic", "implies", "example", "note")


def _row_regex(row: Mapping[str, str]) -> str:
    """A row's pattern as regex: a literal name is matched as whole words, as written."""
    p = row["pattern"]
    if row["regex"] == "yes":
        return p
    left = r"\b" if re.match(r"\w", p) else ""
    right = r"\b" if re.search(r"\w$", p) else ""
    return left + re.escape(p) + right


def _load() -> tuple[tuple[tuple[str, tuple[str, ...]], ...], frozenset[str], Mapping[str, tuple[str, ...]],
                     Mapping[str, str]]:
    """(name, its rows' patterns) per agency in file order, the generic names, what each implies, and
    each name's country; the rows checked (one value per name, valid cells)."""
    rows = vocab.table(_FILE, required=("pattern", "name", "example", "note"))
    path = vocab.path_of(_FILE)
    alts: dict[str, list[str]] = {}
    attrs: dict[str, tuple[str, str, str]] = {}
    seen: set[str] = set()
    for n, row in enumerate(rows):
        where = f"{vocab.row_line(_FILE, n)} ({row['pattern']!r})"
        missing = [c for c in _COLUMNS if c not in row]
        if missing:
            raise VocabularyError(f"{path}: header lacks column(s) {', '.join(missing)}")
        if row["regex"] not in ("", "yes") or row["generic"] not in ("", "yes"):
            raise VocabularyError(f"{where}: regex and generic are 'yes' or empty")
        if row["country"] and not re.fullmatch(r"[A-Z]{2}", row["country"]):
            raise VocabularyError(f"{where}: country {row['country']!r} is not ISO alpha-2")
        if row["pattern"] in seen:
            raise VocabularyError(f"{where}: pattern listed twice")
        seen.add(row["pattern"])
        regex = _row_regex(row)
        try:
            if re.compile(regex).match(""):
                raise VocabularyError(f"{where}: pattern matches the empty string")
        except re.error as exc:
            raise VocabularyError(f"{where}: bad regex: {exc}") from exc
        a = (row["country"], row["generic"], row["implies"])
        if attrs.setdefault(row["name"], a) != a:
            raise VocabularyError(f"{where}: {row['name']!r} has other country/generic/implies "
                                  f"on an earlier row")
        alts.setdefault(row["name"], []).append(regex)
    generic = frozenset(name for name, (_, g, _) in attrs.items() if g)
    for name, (_, _, implied) in attrs.items():
        if implied and implied not in generic:
            raise VocabularyError(f"{path}: {name!r} implies {implied!r}, not a generic name")
    return (tuple((name, tuple(ps))
                  for name, ps in alts.items()), generic,
            MappingProxyType({name: (i,) for name, (_, _, i) in attrs.items() if i}),
            MappingProxyType({name: c for name, (c, _, _) in attrs.items()}))


def _gated(patterns: tuple[str, ...]) -> Gated:
    """The rows of one agency as one gated pattern. Its keys: those read off the joined
    pattern, or the rows' own keys taken together where those are better (longer, as Gated
    chooses: the parser takes out a beginning all rows share, the "\\bF" of "FSKN" and
    "Federal Drug Control Service", and the joined pattern's keys lose it: "SKN")."""
    g = Gated(re.compile("|".join(patterns)))
    rows = [Gated(re.compile(p)).keys for p in patterns]
    if g.keys is None or not all(rows):
        return g
    union = {k for keys in rows for k in keys}
    union = frozenset(k for k in union if not any(j != k and j in k for j in union))

    def rank(keys: frozenset[str]) -> tuple[int, int]:
        return min(5, *(len(k) for k in keys)), -len(keys)

    if rank(union) >= rank(g.keys):
        g.keys = union
    return g


_PATTERNS, GENERIC, IMPLIES, COUNTRY = _load()
#: (gated pattern, canonical name) per agency, in file order
AGENCY_RES = tuple((_gated(ps), name) for name, ps in _PATTERNS)


def _agency_keys() -> tuple[tuple[tuple[str, tuple[int, ...]], ...], tuple[int, ...]]:
    """Each gate key of the agency patterns with the patterns (indexes) it opens, and the
    patterns searched whatever the sentence holds (ungated, or case-folded)."""
    by_key: dict[str, list[int]] = {}
    always = []
    for i, (rx, _) in enumerate(AGENCY_RES):
        if rx.keys is None or rx.fold:
            always.append(i)
        else:
            for key in rx.keys:
                by_key.setdefault(key, []).append(i)
    return tuple((k, tuple(ids)) for k, ids in by_key.items()), tuple(always)


_AGENCY_KEYS, _AGENCY_ALWAYS = _agency_keys()
# the keys in one automaton: a sentence is read once for all of them (~10x faster than a
# substring test per key)
_KEY_IDS = dict(_AGENCY_KEYS)
_KEY_LITERALS = Literals(_KEY_IDS)


@memo(8192)
def sentence_agencies(sentence: str) -> tuple[str, ...]:
    """Agencies named in one sentence, in :data:`AGENCY_RES` order (cached: a sentence
    serves its own figures and the next sentence's, and wires repeat boilerplate)."""
    # one pass over all the agencies' gate keys (an automaton of them) picks the few
    # patterns worth searching, instead of ~30 gated searches
    may = set(_AGENCY_ALWAYS)
    for key in _KEY_LITERALS.found(sentence):
        may.update(_KEY_IDS[key])
    hits = [i for i in sorted(may) if AGENCY_RES[i][0].search(sentence)]
    if len(hits) > 1 and any(AGENCY_RES[i][1] in GENERIC for i in hits):
        hits = outside_names(sentence, hits)
    return tuple(AGENCY_RES[i][1] for i in hits)


def outside_names(sentence: str, hits: list[int]) -> list[int]:
    """Drop a generic agency word found only inside a named agency's own name ("Police" of
    "Royal Canadian Mounted Police", "Customs" of "Customs and Border Protection"); kept
    where it also stands alone ("RCMP and Vancouver police")."""
    spans = [m.span() for i in hits if AGENCY_RES[i][1] not in GENERIC
             for m in AGENCY_RES[i][0].rx.finditer(sentence)]
    if not spans:
        return hits
    return [i for i in hits if AGENCY_RES[i][1] not in GENERIC or any(
        not any(a <= m.start() and m.end() <= b for a, b in spans)
        for m in AGENCY_RES[i][0].rx.finditer(sentence))]


def acting_countries(texts: Iterable[str]) -> frozenset[str]:
    """Countries of the agencies the ``texts`` (sentences) name: the ANF is Pakistan's,
    the PDEA the Philippines' (:func:`sentence_agencies`, cached per sentence)."""
    return frozenset(COUNTRY[name] for text in texts for name in sentence_agencies(text)
                     if COUNTRY.get(name))


@memo(1024)
def most_specific(found: tuple[str, ...]) -> tuple[str, ...]:
    """``found`` without the generic names a more specific one holds or implies."""
    # "police" by "Afghan drug police", "customs" by CBP, whose full name holds the word,
    # "navy" by SEMAR; cached: figures repeat the same few combinations of names
    return tuple(n for n in found if not any(
        o != n and (n.lower() in o.lower() or n in IMPLIES.get(o, ())) for o in found))


def agencies_in(texts: Iterable[str]) -> list[str]:
    """The agencies the texts name, in order of first mention, without the generic names a
    more specific one holds or implies (see :func:`most_specific`)."""
    found: list[str] = []
    for txt in texts:
        for name in sentence_agencies(txt):
            if name not in found:
                found.append(name)
    return list(most_specific(tuple(found)))


# "Turkmen border guards", "Iranian security forces": a demonym (or a country's name) and
# at most one more capitalised word before a force word (geo/vocab/cues.toml: acting_force)
ACTOR = Gated(re.compile(template(
    r"\b([A-Z][a-z]+)\s+(?:[A-Z][a-z]+\s+)?{acting_force}\b")))


def actor_country(sentence: str, idx: Any) -> str | None:
    """Country of the force acting in a sentence, from a demonym before it, or None."""
    gz = getattr(idx, "gazetteer", None)
    if gz is None:
        return None
    for m in ACTOR.finditer(sentence):
        try:
            code = gz.country_code(m.group(1))
        except Exception:
            code = None
        if code:
            return code
    return None
