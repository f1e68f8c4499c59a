"""Place-name keys and the gazetteer index format: what the index build and its reader share.

:func:`normalize` makes the accent-, case- and punctuation-insensitive key of a name,
:func:`variant_key` the coarser transliteration-folding key, :func:`abbreviation_key`
the key of a dotted abbreviation ("Ont."), :func:`name_keys` every key one name is
indexed under, and :func:`key_hash` the 64-bit hash the index stores. The constants
below fix the index layout (:data:`SCHEMA_VERSION`, :data:`RECORD_FORMAT`) and the
feature classes and their rank order (``geo/vocab/feature_classes.csv``).

Both ``geo.places.gazetteer`` (reading an index) and ``geo.places.gazetteer_build``
(writing one) import this module, and neither imports the other at module level: the
build never loads the reader. The index is rebuilt when this module or a vocabulary
file in :data:`BUILD_VOCABULARY` changes (see ``gazetteer.source_versions``).
"""
from __future__ import annotations

import math
import operator
import re
from hashlib import blake2b
from pathlib import Path
from types import MappingProxyType

from unidecode import unidecode

from .. import vocab
from ..caches import memo

__all__ = [
    "SCHEMA_VERSION",
    "FEATURE_CLASSES",
    "CLASS_ORDER",
    "RECORD_FORMAT",
    "NO_VARIANT",
    "MIN_VARIANT_LEN",
    "ALIASES_PATH",
    "BORDER_CROSSINGS_PATH",
    "DEMONYMS_PATH",
    "BUILD_VOCABULARY",
    "normalize",
    "variant_key",
    "abbreviation_key",
    "key_hash",
    "name_keys",
    "normalized_words",
    "demonym_words",
    "km",
]

#: Bump when the table layout or the key functions change: the cached index is rebuilt.
SCHEMA_VERSION = 8
# One place in the index's ``records`` blob: lat, lon, population, name offset and length,
# ref offset and length (characters of the names/refs text), country, admin-1, feature
# class and source (vocabulary indexes), capital flag.
RECORD_FORMAT = "<ddqIHIHHHBBB"
NO_VARIANT = 0xFFFFFFFF  # key_variant entry of a key without a variant key in the index
# Short folded keys ("ash" for Osh, "kala" for Callao) collide with far too much.
MIN_VARIANT_LEN = 5

ALIASES_PATH = vocab.VOCAB_DIR / "aliases.csv"
BORDER_CROSSINGS_PATH = vocab.VOCAB_DIR / "border_crossings.csv"
DEMONYMS_PATH = vocab.VOCAB_DIR / "demonyms.csv"


@memo(1)
def demonym_words() -> frozenset[str]:
    """Every country's adjectives and nouns for its people, as :func:`normalize`-d keys
    ("afghan", "colombians"): a name the text uses for people, not a place of its own."""
    return frozenset(normalize(w) for row in vocab.table(DEMONYMS_PATH.name)
                     for w in row["demonyms"].split("|") if w)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine) between two points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))
#: Vocabulary files whose rows shape the built index (their hashes are in its fingerprint;
#: aliases, border crossings and demonyms have entries of their own there).
BUILD_VOCABULARY: tuple[Path, ...] = (vocab.VOCAB_DIR / "feature_classes.csv",
                                      vocab.VOCAB_DIR / "generic_words.csv")


def _feature_classes() -> MappingProxyType:
    name = "feature_classes.csv"
    rows = vocab.table(name, required=("feature_class", "rank"))
    ranks: dict[str, int] = {}
    for i, row in enumerate(rows):
        fc, rank = row["feature_class"], row["rank"]
        if fc in ranks or not rank.isdigit() or int(rank) in ranks.values():
            raise vocab.row_error(name, i, f"feature class {fc!r}: a duplicate class or rank, "
                                           f"or a rank that is no number ({rank!r})")
        ranks[fc] = int(rank)
    return MappingProxyType(ranks)


#: feature class -> rank in a lookup's result order (0 first)
CLASS_ORDER = _feature_classes()
FEATURE_CLASSES = tuple(sorted(CLASS_ORDER, key=CLASS_ORDER.__getitem__))

# ---------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bb\u02bc\u02b9\u00b4]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@memo(262_144)
def normalize(text: str) -> str:
    """Accent-, case- and punctuation-insensitive key of a name.

    ``"Sar-e Pol"`` -> ``"sar e pol"``, ``"Culiacán"`` -> ``"culiacan"``,
    ``"O'sh"`` -> ``"osh"`` (apostrophes are dropped, other punctuation becomes a space).
    """
    s = (text if text.isascii() else unidecode(text)).lower()
    if s.isalnum():
        return s  # one plain word, the common case: no regex needed
    s = _APOSTROPHES.sub("", s)
    return _NON_ALNUM.sub(" ", s).strip()


# Order matters: multi-letter spellings first, then single letters, then the collapses.
_VARIANT_SUBS = (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("tch", "ch"))
_VARIANT_X_Q = str.maketrans({"x": "kh", "q": "k"})
_VARIANT_PAIRS = (("ck", "k"), ("gh", "g"), ("ph", "f"))
# w, y, v are read as the vowels u, i, u, and every run of vowels becomes one "a": map all
# of them to "a" here and let the doubled-letter collapse merge the runs
_VARIANT_VOWELS = str.maketrans({c: "a" for c in "aeiouwyv"})
_DOUBLED = re.compile(r"(.)\1+")
_FIRST_GROUP = operator.itemgetter(1)  # a callable: re's "\\1" template is re-parsed per call


@memo(262_144)
def variant_key(key: str) -> str:
    """Coarse transliteration-folding key of a :func:`normalize`-d name.

    Folds q/k, w/u, y/i, v/u, zh/dzh/j, x/kh, gh/g, doubled letters, every run of vowels
    (u/o, e/i, ou, aa, iya ...) and a final -h after a vowel; spaces are dropped (Now Zad
    / Nawzad). Applied to index and query alike, so Qunduz, Hilmand, Ningarhar, Paktiya,
    Taluqan, Jawzjan meet Kunduz, Helmand, Nangarhar, Paktia, Taloqan, Jowzjan.
    """
    s = key.replace(" ", "")
    if "j" in s or "h" in s:  # every multi-letter spelling has one of them
        for old, new in _VARIANT_SUBS:
            s = s.replace(old, new)
    s = s.translate(_VARIANT_X_Q)
    if "ck" in s or "h" in s:
        for old, new in _VARIANT_PAIRS:
            s = s.replace(old, new)
    s = _DOUBLED.sub(_FIRST_GROUP, s.translate(_VARIANT_VOWELS))
    if len(s) > 3 and s.endswith("ah"):
        s = s[:-1]
    return s


def abbreviation_key(name: str) -> str | None:
    """Index key of a dotted one-word abbreviation ("Ont.", "Calif."), else None.

    The normalized word plus its full stop: "Ont." finds Ontario, the bare word "Ont" (or
    "Mass" at the start of a sentence) finds nothing. Abbreviations with inner dots
    ("N.J.", "W.Va.") normalize to spaced letters that are no word anyway.
    """
    s = name.strip()
    if len(s) > 1 and s.endswith(".") and s[:-1].isalpha():
        key = normalize(s)
        if key and " " not in key:
            return key + "."
    return None


def key_hash(key: str) -> int:
    """64-bit hash of an index key (variant keys carry a leading "~").

    The index stores sorted hashes, not the key strings: ~1 M keys give a collision
    chance of ~3e-8, and a lookup is one binary search in a flat array.
    """
    return int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "little")


def normalized_words(name: str) -> tuple[str, ...]:
    """The entries of a one-per-line vocabulary whose entries are :func:`normalize`-d
    keys; an entry written otherwise ("Policía" for "policia") is an error naming its line."""
    entries = vocab.words(name)
    for i, entry in enumerate(entries):
        if normalize(entry) != entry:
            raise vocab.row_error(name, i, f"{entry!r} is not written as its key "
                                  f"{normalize(entry)!r} (lower case, no accents or punctuation)")
    return entries


def _generic_words(position: str) -> tuple[str, ...]:
    name = "generic_words.csv"
    rows = vocab.table(name, required=("word", "position"))
    for i, row in enumerate(rows):
        if row["position"] not in ("prefix", "suffix"):
            raise vocab.row_error(name, i, f"position must be prefix or suffix, not "
                                           f"{row['position']!r}")
        if normalize(row["word"]) != row["word"]:
            raise vocab.row_error(name, i, f"{row['word']!r} is not written as its key "
                                           f"{normalize(row['word'])!r}")
    return tuple(r["word"] for r in rows if r["position"] == position)


# Generic words around names ("Badakhshan Province", "Provincia de Huallaga"): the name
# without them is indexed too, and a query carrying them hints at the feature class.
# Longest first: "provincia de" is stripped whole, not "provincia" leaving "de".
_GENERIC_SUFFIX = re.compile(rf"\s+{vocab.alternation(_generic_words('suffix'))}$")
_GENERIC_PREFIX = re.compile(rf"^{vocab.alternation(_generic_words('prefix'))}\s+")


def name_keys(name: str, *, generic: bool = False) -> set[str]:
    """Normalized keys of one name (plus the name stripped of generic words); a dotted
    abbreviation keeps its dot (:func:`abbreviation_key`)."""
    abbr = abbreviation_key(name)
    if abbr:
        return {abbr}
    k = normalize(name)
    if not k:
        return set()
    keys = {k}
    if "-" in name:
        # a hyphen is a spelling choice in transliterated names: "Mu-se" is written
        # "Muse", "Naro-Fominsk" "Narofominsk" (the joined form, as one word)
        joined = normalize(name.replace("-", ""))
        if joined and joined != k and len(joined.replace(" ", "")) >= 4:
            keys.add(joined)
    if generic:
        bare = _GENERIC_PREFIX.sub("", _GENERIC_SUFFIX.sub("", k))
        if bare and bare != k:
            keys.add(bare)
    return keys
