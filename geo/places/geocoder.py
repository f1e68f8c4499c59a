"""Offline geocoder behind geopy's interface, on the embedded gazetteer.

``OfflineGeocoder().geocode("Badakhshan", context=report_text)`` returns a
:class:`geopy.location.Location` whose ``raw`` dict holds ``name, feature_class,
country, admin1, admin1_name, score, population, source, reason`` -- or ``None`` for an
unknown place. Works wherever a geopy geocoder does: ``RateLimiter(geocoder.geocode)``,
``geopandas.tools.geocode(names, provider=OfflineGeocoder)``.

How a name is resolved (each step adds to a candidate's utility, the best one wins):

1. the gazetteer's candidates (transliteration variants only for a name that has no
   exact reading);
2. priors: feature class (a country over a region over a town of the same name;
   "Sinaloa" is the state; "Africa" the continent, never a country's town), population
   (Santos the port, not a village), a capital over its namesakes, and a place called
   so over one that merely lists the name among its alternates (Cancun);
3. the context: countries and regions named in it, the dateline's country
   ("KABUL, Sep 29 (IANS) -"), small places with a single reading in the text's main
   country (they name its region), and phrasing around the name: "X province" picks the
   admin-1, "X district of Y" / "Y's X" / "X, Y" pick candidates inside Y. A region's
   weight is its share among the regions of its own country named (averaged with its
   share among all regions), and the query's own mentions ("Dublin City" for Dublin)
   do not vote. Nor do names that the words around them make something else: people
   ("Marsha J. Moore"), streets ("Memphis St."), acronyms ("SWAT team"), a common word
   opening a sentence ("Man faces ..."), a town named after a state ("Tennessee
   Colony"), a town's alternate or a county's short name ("Keith", "Cook"). The names of
   a local story vote together for the small area most of them lie in (see _cluster),
   and a country's local-government words ("the sheriff's office") name the country
   (geo/vocab/country_cues.csv).

``raw["score"]`` is the probability mass of the chosen admin-1 region among all
candidates (a softmax of the utilities), damped when nothing in the context supports it
and for variant-only matches: a unique match with supporting context scores high, an
ambiguous one low, and nothing scores 1.

:meth:`OfflineGeocoder.context_signature` names what an answer depends on, so that a run
can memoise answers across reports (``geo.extraction.linking.GeocodeMemo``).
"""
from __future__ import annotations

import functools
import math
from collections import Counter
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, NamedTuple

from geopy.exc import GeocoderQueryError
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point

from .. import vocab
from ..errors import VocabularyError
from ..text.patterns import boundary_led
from .context_text import ContextText, _ascii_lowered
from .gazetteer import Candidate, Gazetteer, get_gazetteer, normalize
from .names import FEATURE_CLASSES, km
from ..caches import memo, on_clear

__all__ = ["OfflineGeocoder", "ContextEvidence", "Place", "analyse_context"]

# --- utility weights (log-odds units; see module docstring) ----------------------------
_POP_WEIGHT = 0.45           # per e-fold of population
_CLASS_BONUS = {"country": 2.0, "admin1": 1.0, "region": 1.0, "ppl": 0.0, "admin2": -0.5}
_MAJOR_CITY_POP = 100_000    # a city this big beats the same-named region (Osh, Tashkent)
_MAJOR_CITY_BONUS = 0.8
_CAPITAL_BONUS = 1.5          # a capital beats its same-named region (Washington, Tashkent)
_CURATED_POP = 50_000        # alias-file rows have no population; they are drug-trade places
_ADMIN2_MIN_POP = 1_000      # a district with no town listed still has people
_VARIANT_PENALTY = 2.5
_CONTEXT_COUNTRY = 6.0
_CONTEXT_ADMIN1 = 4.5
_PHRASE_CLASS = 2.5
_PHRASE_PLACE = 5.0
_VARIANT_QUALITY = 0.7
_SUPRANATIONAL_BONUS = 7.0   # beats a town of that name with the whole context on its country
_MINOR_ADMIN1_VOTE = 1.0     # a small unambiguous place's vote for its admin-1
_VOTES_PER_NAME = 2          # occurrences of one name that vote
_NEAR_KM = 30.0              # two readings this close belong together (a town and its county)
_NEAR_VOTE = 1.0
_NEAR_NAMES = 8              # ambiguous names of one text paired (8 names: 28 pairs)
_NEAR_CANDIDATES = 40        # readings of each name paired
_COVER_VOTE = 1.0            # an ambiguous name's vote for the one region most names lie in
_PLACES_KEPT = 50_000       # candidates whose address and point are kept
# (query, context) pairs whose candidates and evidence are kept: the last ~14 reports'
# names. Each pair holds a dozen objects the cyclic collector tracks; 4,096 of them (as
# once kept) outlived the young generations only to die old, and the collector's passes
# over them took 3.2% of the CPU time of 2,000 distinct reports (1.5% at 256)
_PREPARED_KEPT = 256
_QUERIES_KEPT = 8_192       # queries whose candidates and context-free priors are kept
_ALTERNATE_PENALTY = 1.0     # a town matched by one of its alternate names
# the region a local story is about (see ContextEvidence.story_region): three votes of
# other names, at least half of what its country's regions get
_STORY_REGION_WEIGHT = 3.0
_STORY_REGION_SHARE = 0.5
_STORY_UNKNOWN_WEIGHT = 1.0   # ... for a name with no reading anywhere: one vote will do
# a name the gazetteer does not know takes the story's region only in a story about one
# country (not a roundup of several: "Bajo Alto" is not in the South Africa of its other half)
_STORY_COUNTRY_SHARE = 2 / 3
_STORY_NAMESAKE_POP = 100_000  # a namesake elsewhere this big is itself, whatever the story
_STORY_FOREIGN_POP = 50_000    # so is an exact, unique name this big in another country
# a namesake's region with less than this share of the votes for its country's regions
# is not named by the story (one stray vote among twenty: "Lake Mary" in a Minnesota story)
_STORY_STRAY_SHARE = 0.1
_PARTIAL_PENALTY = 2.5         # a region called by a part of its name ("Columbia")
_COUNTRY_CUE_WEIGHT = 1.0      # a country cue names its country once (country_cues.csv)
# the names of a local story lie together (see _cluster): grid cells of this many degrees,
# a neighbourhood of 3x3 cells; at least this many names, this many more than elsewhere
_CLUSTER_CELL = 0.5
_CLUSTER_NAMES = 3
_CLUSTER_MARGIN = 2
_CLUSTER_VOTE = 1.0
_STORY_SCORE = 0.6             # most a fallback to the story's region scores


def _class_words() -> dict[str, tuple[str, ...]]:
    name = "class_words.csv"
    out: dict[str, tuple[str, ...]] = {}
    for i, row in enumerate(vocab.table(name, required=("word", "feature_classes"))):
        word, classes = row["word"], tuple(row["feature_classes"].split())
        if word in out or word != word.lower() or not set(classes) <= set(FEATURE_CLASSES):
            raise vocab.row_error(name, i, f"{word!r}: listed twice, not in lower case, or a "
                                           f"feature class not in {FEATURE_CLASSES}")
        out[word] = classes
    return out


# class word -> the feature classes it says a name is ("X province": admin1 or admin2)
_CLASS_WORDS = _class_words()


def _country_cues() -> tuple[tuple[str, tuple[str, ...], re.Pattern], ...]:
    """geo/vocab/country_cues.csv, checked: (country, anchors, pattern) per row."""
    name = "country_cues.csv"
    out = []
    for i, row in enumerate(vocab.table(name, required=("pattern", "anchors", "country"))):
        pattern, country = row["pattern"], row["country"]
        anchors = tuple(a for a in row["anchors"].split("|") if a)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise vocab.row_error(name, i, f"{pattern!r}: {exc}") from None
        # searched over every report whose text holds an anchor ("state", "i-": most):
        # "\b[Ss]tate ..." led by its first character, the same matches (boundary_led)
        rx = re.compile(boundary_led(pattern))
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise vocab.row_error(name, i, f"{country!r} is no ISO 3166-1 alpha-2 code")
        if not anchors or any(a != a.lower() for a in anchors):
            raise vocab.row_error(name, i, f"anchors {row['anchors']!r}: lower-case text, "
                                           f"separated by '|'")
        out.append((country, anchors, rx))
    return tuple(out)


_COUNTRY_CUES = _country_cues()
_CLASS_WORD_RE = vocab.alternation(_CLASS_WORDS)
_QUERY_SUFFIX = re.compile(rf"^(?P<name>.+?)\s+(?P<word>{_CLASS_WORD_RE})$", re.I)
_QUERY_PREFIX = re.compile(rf"^(?P<word>{_CLASS_WORD_RE})\s+of\s+(?P<name>.+)$", re.I)
# "KABUL, Sep 29 (IANS) -", "MOSCOW. Jan 31 (Interfax) -", "Lima, 3 March (EFE)"
_DATELINE = re.compile(
    r"^\s*(?:(?P<place>[A-Z][A-Za-z'\u2019.\- ]{1,40}?)\s*[,.]\s*"
    r"(?:\(?[A-Z][a-z]{2,9}\.?\s+\d{1,2}\b|\d{1,2}\s+[A-Z][a-z]{2,9}\b)"
    # or a place alone in capitals: "WASHINGTON —", "KABUL -"
    r"|(?P<caps>[A-Z][A-Z'\u2019.\- ]{2,40}?)\s*(?:,\s*[A-Z][A-Za-z.]+\s*)?[\u2014\u2013]|"
    r"(?P<caps2>[A-Z][A-Z'\u2019. ]{2,40}?)\s+-{1,2}\s)"
)
_CAP_RUN = r"[A-Z][\w'\u2019.\-]*(?:\s+(?:de|del|la|e|i|al|of)?\s*[A-Z][\w'\u2019\-]*){0,3}"


class _Layout:
    """How a context's evidence is laid out (see ContextEvidence._layout): each country's
    admin-1 codes in the evidence's order, and the entries held at no weight."""

    __slots__ = ("members", "faint_countries", "faint_admin1")

    def __init__(self, countries: dict[str, float], admin1: dict[str, float]):
        members: dict[str, list[str]] = {}
        for k in admin1:
            members.setdefault(k.split("-", 1)[0], []).append(k)
        self.members = members
        self.faint_countries = frozenset(k for k, v in countries.items() if not v > 1e-9)
        self.faint_admin1 = frozenset(k for k, v in admin1.items() if not v > 1e-9)


@dataclass
class ContextEvidence:
    """What a context says about places: weights per country and per admin-1 code.

    ``by_name`` keeps each named place's contribution, so that :meth:`without` can drop
    the query's own mentions (a name must not vote for its own reading) while the costly
    scan of the context runs once per context, not once per query.
    """

    countries: dict[str, float] = field(default_factory=dict)
    admin1: dict[str, float] = field(default_factory=dict)
    dateline: str | None = None          # dateline place as written
    dateline_country: str | None = None
    # name -> [(country, admin1, country weight, admin1 weight)]
    by_name: dict[str, list[tuple[str | None, str | None, float, float]]] = field(default_factory=dict)
    _admin1_by_country: dict[str, float] | None = field(default=None, repr=False, compare=False)
    # sums of the weights, read for every candidate scored: summed once
    _totals: tuple[float, float] | None = field(default=None, repr=False, compare=False)
    # query key -> the votes without() drops for it, in by_name's order: built once per
    # context for the ~17 queries resolved in it (see without)
    _votes: dict[str, list] | None = field(default=None, repr=False, compare=False)
    # min_weight -> story_region's answer: a context's queries that it holds no vote of
    # (a third of them) ask it of the same evidence (without() gives it back)
    _story: dict[float, tuple | None] | None = field(default=None, repr=False, compare=False)
    # country -> its admin-1 codes in ``admin1``'s order, and the entries at no weight
    # (which without() leaves out): read once per context, so that each query's
    # evidence without its own votes is derived from the few entries those votes touch
    # (a derived evidence shares its context's index: it holds a subset of the codes)
    _layout: "_Layout | None" = field(default=None, repr=False, compare=False)
    # the country of the greatest weight (the first such): kept by without() where the
    # votes it drops leave it so
    _lead: str | None = field(default=None, repr=False, compare=False)

    def add(self, key: str, country: str | None, admin1: str | None, weight: float,
            admin1_weight: float = 1.0) -> None:
        """Record a mention ``key`` voting ``weight`` for ``country`` and
        ``admin1_weight`` for ``admin1`` (either may be None)."""
        if country:
            self.countries[country] = self.countries.get(country, 0.0) + weight
        if admin1:
            self.admin1[admin1] = self.admin1.get(admin1, 0.0) + admin1_weight
        self.by_name.setdefault(key, []).append((country, admin1, weight, admin1_weight))
        self._admin1_by_country = self._totals = self._votes = self._story = None
        self._layout = self._lead = None

    def without(self, key: str) -> "ContextEvidence":
        """The evidence less what the mentions of ``key`` contributed.

        The name followed by a class word counts as the name ("Dublin City" must not vote
        Ireland for the Dublin of an Ohio story); a longer name does not ("Gorno-Badakhshan"
        is another region than Badakhshan).
        """
        index = self._votes
        if index is None:
            # each name's votes go under the name, and under the name less its class word
            index = {}
            for name, vs in self.by_name.items():
                index.setdefault(name, []).extend(vs)
                base, _, word = name.rpartition(" ")
                if base and word in _CLASS_WORDS:
                    index.setdefault(base, []).extend(vs)
            self._votes = index
        votes = index.get(key)
        if not votes:
            return self
        layout = self._layout
        if layout is None:
            layout = self._layout = _Layout(self.countries, self.admin1)
        countries, admin1 = dict(self.countries), dict(self.admin1)
        for country, code, weight, code_weight in votes:
            if country:
                countries[country] -= weight
            if code:
                admin1[code] -= code_weight
        # the entries at no weight fall out: those the votes brought down and those the
        # context held at none (the rest keep their order, as a filter of every entry would)
        fallen = {v[0] for v in votes if v[0]}.union(layout.faint_countries)
        for k in fallen:
            if k in countries and not countries[k] > 1e-9:
                del countries[k]
        changed = {v[1] for v in votes if v[1]}.union(layout.faint_admin1)
        for k in changed:
            if k in admin1 and not admin1[k] > 1e-9:
                del admin1[k]
        ev = ContextEvidence(countries, admin1, self.dateline, self.dateline_country)
        ev._layout = layout
        lead = self._leader()
        if lead is not None and lead not in fallen and all(v[2] >= 0 for v in votes):
            # the others only lost weight: the lead stays the first of the greatest
            ev._lead = lead
        # the regions' weight per country: the context's, summed again (in the same order,
        # so the very same floats) only for the countries whose regions the votes touched
        by_country = dict(self._by_country())
        for cc in {k.split("-", 1)[0] for k in changed}:
            total = None
            for k in layout.members.get(cc, ()):
                v = admin1.get(k)
                if v is not None:
                    total = (0.0 if total is None else total) + v
            if total is None:
                by_country.pop(cc, None)
            else:
                by_country[cc] = total
        ev._admin1_by_country = by_country
        return ev

    def _sums(self) -> tuple[float, float]:
        totals = self._totals
        if totals is None:
            totals = self._totals = (sum(self.countries.values()), sum(self.admin1.values()))
        return totals

    def story_region(self, min_weight: float = _STORY_REGION_WEIGHT
                     ) -> tuple[str, float, float] | None:
        """The one admin-1 region the story is about, and its share among the regions of
        the story's main country: the main country's best-supported region, when other
        names vote for it at least ``min_weight`` times and it holds at least
        :data:`_STORY_REGION_SHARE` of the votes of that country's regions; and the
        country's share of the countries' votes. None otherwise (a story of several
        regions, or of none named)."""
        if not self.countries or not self.admin1:
            return None
        known = self._story
        if known is None:
            known = self._story = {}
        elif min_weight in known:
            return known[min_weight]
        found = known[min_weight] = self._story_region(min_weight)
        return found

    def _leader(self) -> str | None:
        """The country of the greatest weight, the first such (None: no country)."""
        lead = self._lead
        if lead is None and self.countries:
            lead = self._lead = max(self.countries, key=self.countries.get)
        return lead

    def _story_region(self, min_weight: float) -> tuple[str, float, float] | None:
        lead = self._leader()
        total = self._by_country().get(lead, 0.0)
        if total < min_weight:
            return None
        prefix = lead + "-"
        layout = self._layout
        if layout is None:
            layout = self._layout = _Layout(self.countries, self.admin1)
        admin1 = self.admin1
        # the lead country's regions in admin1's order: the first of the greatest weight
        code, weight = None, 0.0
        for k in layout.members.get(lead, ()):
            v = admin1.get(k)
            if v is not None and k.startswith(prefix) and (code is None or v > weight):
                code, weight = k, v
        if code is None or weight < min_weight or weight < _STORY_REGION_SHARE * total:
            return None
        return code, weight / total, self.country_share(lead)

    def country_share(self, code: str | None) -> float:
        total = self._sums()[0]
        return self.countries.get(code, 0.0) / total if code and total else 0.0

    def admin1_share(self, code: str | None) -> float:
        total = self._sums()[1]
        return self.admin1.get(code, 0.0) / total if code and total else 0.0

    def admin1_share_within(self, code: str | None, country: str | None) -> tuple[float, float]:
        """Share of ``code`` among the admin-1 regions of its own country named in the
        context, and the weight those regions add up to.

        Within one country, not among all: a US report naming Texas and a Mexican state
        still says "Texas" for a US town, whatever the other country's regions weigh.
        """
        if not code or not country:
            return 0.0, 0.0
        total = self._by_country().get(country, 0.0)
        return (self.admin1.get(code, 0.0) / total if total else 0.0), total

    def _by_country(self) -> dict[str, float]:
        totals = self._admin1_by_country
        if totals is None:
            totals = {}
            for k, v in self.admin1.items():
                cc = k.split("-", 1)[0]
                totals[cc] = totals.get(cc, 0.0) + v
            self._admin1_by_country = totals
        return totals

    def region_shares(self, regions: Iterable[tuple[str | None, str | None]],
                      places: set[str]) -> list[tuple[float, float, float, float, bool]]:
        """For each (country, admin1): :meth:`country_share`, :meth:`admin1_share`,
        :meth:`admin1_share_within` (share and weight), and whether ``places`` holds
        either code -- the same values, read at once for all the regions of a query's
        candidates (once per query and context, not per method and candidate)."""
        country_total, admin1_total = self._sums()
        countries, admin1 = self.countries, self.admin1
        by_country = self._by_country()
        out = []
        for country, code in regions:
            if code and country:
                weight = by_country.get(country, 0.0)
                own = admin1.get(code, 0.0) / weight if weight else 0.0
            else:
                own = weight = 0.0
            out.append((countries.get(country, 0.0) / country_total if country and country_total else 0.0,
                        admin1.get(code, 0.0) / admin1_total if code and admin1_total else 0.0,
                        own, weight, code in places or country in places))
        return out


def _strong(cands: Iterable[Candidate]) -> list[Candidate]:
    """Candidates that can speak for their country/region when named in a context."""
    return [
        c for c in cands
        if c.match == "exact" and (
            c.feature_class in ("country", "admin1", "region")
            or "aliases" in c.source
            or c.population >= 20_000
        )
    ]


def _mention_vote(cands: tuple[Candidate, ...], key: str = "") -> tuple[str | None, str | None]:
    """The (country, admin1) a context mention points to, or None where it is ambiguous.

    ``key``: the mention, normalized. A town or district votes under its own name only
    (a city of :data:`_STORY_NAMESAKE_POP` under its other names too): "Keith" is an
    alternate name of Bay Shore, "Ray" of Raytown, "Cook" is Cook County less its class
    word -- people's names in a story, which say nothing of its region."""
    strong = _strong(cands)
    if key:
        strong = [c for c in strong if c.feature_class not in ("ppl", "admin2")
                  or "aliases" in c.source or _own_name(c, key)]
    if not strong or any(c.country is None for c in strong):
        # nothing notable, or a region of several countries ("Africa", "Middle East"):
        # its namesake towns (Mahdia's old name Africa) must not vote
        return None, None
    countries = {c.country for c in strong if c.country}
    country = None
    if len(countries) == 1:
        country = next(iter(countries))
    else:
        # one reading far more populous than every reading elsewhere: "Lagos", "Santos"
        ranked = sorted(strong, key=lambda c: -c.population)
        top = ranked[0]
        rest = max((c.population for c in ranked[1:] if c.country != top.country), default=0)
        # (a country too: "India" is the country, not Inđija in Serbia; but "Georgia"
        # the country is no ten times the US state)
        if top.population >= 10 * max(rest, 1):
            country = top.country
    if country is None:
        return None, None
    admin1s = {c.admin1 for c in strong if c.country == country and c.admin1}
    if len(admin1s) > 1:
        # a region's own name speaks for the region, not for its namesake counties and
        # towns: "Ohio" is US-OH, whatever Ohio County (West Virginia) says
        regions = {c.admin1 for c in strong if c.country == country and c.feature_class == "admin1"}
        if len(regions) == 1:
            admin1s = regions
    return country, (next(iter(admin1s)) if len(admin1s) == 1 else None)


def _own_name(c: Candidate, key: str, unit: bool = False) -> bool:
    """Whether ``key`` names the town or district ``c`` as itself (see :func:`_mention_vote`);
    ``unit``: or as the district's name less its class word ("Hamilton", Hamilton County)."""
    own = normalize(c.name)
    if own == key:
        return True
    if own.startswith(key + " "):
        return unit and own[len(key) + 1:] in _CLASS_WORDS
    return c.population >= _STORY_NAMESAKE_POP


def analyse_context(gazetteer: Gazetteer, context: str, *, ignore: str | None = None) -> ContextEvidence:
    """Countries and admin-1 regions named in ``context`` (and its dateline).

    ``ignore`` is a normalized place name left out (the query itself).
    """
    ev = ContextEvidence()
    if not context:
        return ev
    m = _DATELINE.match(context[:200])
    if m:
        place = (m.group("place") or m.group("caps") or m.group("caps2")).strip(" .-")
        code = gazetteer.country_code(place)
        if code is None:
            cands = _strong(gazetteer.lookup(place))
            if cands:
                code = max(cands, key=lambda c: (c.population, _CLASS_BONUS[c.feature_class])).country
        if code:
            ev.dateline, ev.dateline_country = place, code
            # under its own key, never dropped by without(): the dateline's country holds
            # even when the query is the dateline's place ("OTTAWA, ..." -> Canada)
            ev.add("#dateline", code, None, 1.5)
    lowered = context.lower()
    for country, anchors, cue in _COUNTRY_CUES:
        key = "#cue " + country
        if key not in ev.by_name and any(a in lowered for a in anchors) and cue.search(context):
            # "the sheriff's office", "aldermen": the story's country, once (under its own
            # key, like the dateline, so no query's mention takes it away)
            ev.add(key, country, None, _COUNTRY_CUE_WEIGHT)
    minor = []
    spread = []  # names with readings in several regions: read together below
    paired = []  # every name worth pairing with another (see _near_pairs)
    mentions = _whole_names(gazetteer, context, gazetteer.find_mentions(context))
    readings = [_mention_reading(mm.candidates, mm.text) for mm in mentions]
    people = _surnames(context, mentions, readings)
    seen: dict[str, int] = {}
    # "DeSoto Parish ... DeSoto", "Hall County ... Hall": the short form is the unit the
    # text names in full, which votes (DeSoto is not DeSoto, Texas, there)
    keys = [normalize(mm.text) for mm in mentions]
    units = set()
    for key in keys:
        base, _, word = key.rpartition(" ")
        if base and "admin2" in _CLASS_WORDS.get(word, ()) and "ppl" not in _CLASS_WORDS[word]:
            units.add(base)
    for mention, reading, key in zip(mentions, readings, keys):
        if m and mention.start < m.end():
            continue  # the dateline, counted above
        if mention.text in people:
            continue  # "Sheila Williams", "Jones said": a person, not Williams County
        if _no_place_here(context, mention):
            continue
        # a name written ten times is one name: its votes stop at the second writing
        n = seen[mention.text] = seen.get(mention.text, 0) + 1
        if n > _VOTES_PER_NAME:
            continue
        if n == 1 and len(mention.text) > 3 and not reading.exact_country:
            # (a country's name is the country: "Mexico" pairs with no town near Mexico,
            # Pampanga)
            paired.append(mention)
        if key in units:
            continue
        country, admin1, weight, minor_admin1, minor_country = reading[:5]
        if country is None or admin1 is None:
            if minor_admin1:
                minor.append((mention, minor_admin1, minor_country))
            elif len(mention.text) > 3:
                spread.append(mention)
            if country is None:
                continue
        ev.add(key, country, admin1, weight)
    if minor and ev.countries:
        # a small place with one reading ("Walker County", "Cumby") in the country the
        # text is about still says which region of it the text is about
        lead = max(ev.countries, key=ev.countries.get)
        for mention, minor_admin1, minor_country in minor:
            if minor_country == lead:
                ev.add(normalize(mention.text), None, minor_admin1, 0.0, _MINOR_ADMIN1_VOTE)
    lead = max(ev.countries, key=ev.countries.get) if ev.countries else None
    if spread and (lead is None or ev.country_share(lead) >= _STORY_COUNTRY_SHARE):
        # "Georgia" in a story about the United States: the state, not the country (the
        # name's region of the country the text is about votes for that region); in a
        # story that names no country at all, "Georgia" beside Albany is still the state
        # (a name's one first-level region votes for itself, not for its country)
        for mention in spread:
            regions = {c.admin1 for c in mention.candidates if c.match == "exact"
                       and c.feature_class == "admin1" and c.admin1
                       and (lead is None or c.country == lead)}
            if len(regions) == 1:
                ev.add(normalize(mention.text), None, regions.pop(), 0.0, 1.0)
    if paired and lead is not None:
        _cover(ev, paired, lead)
    if len(paired) > 1:
        # (a name with one dominant reading, "Paris", may still be another Paris next to a
        # county the text names)
        _near_pairs(ev, paired, lead)
    if len(paired) >= _CLUSTER_NAMES:
        _cluster(ev, paired, lead)
    return ev.without(ignore) if ignore else ev


def _has_word(text: str, word: str) -> bool:
    """Whether ``word`` stands in ``text`` as a word of its own, as written."""
    i = text.find(word)
    n = len(word)
    while i >= 0:
        before, after = text[i - 1:i], text[i + n:i + n + 1]
        if not (before.isalnum() or before in "_-" and before) \
                and not (after.isalnum() or after in "_-" and after):
            return True
        i = text.find(word, i + 1)
    return False


def _no_place_here(context: str, mention) -> bool:
    """Whether the words around a mention make it no vote for a place of its name: a
    place named after a state ("Tennessee Colony", "Lake Vermont" is read "Vermont"), an
    acronym inside ordinary text ("an Albany police SWAT team"), a common word that opens
    a sentence and is written in lower case elsewhere ("Man faces charges ... a Paris
    man"), a street of the story's town ("2517 Memphis St.")."""
    text, end = mention.text, mention.end
    if _FEATURE_AFTER.match(context, end) and any(
            c.feature_class in ("admin1", "country") for c in mention.candidates):
        return True
    if len(text) >= 3 and text.isupper() and not _caps_around(context, mention.start, end) \
            and not any(c.feature_class in ("country", "admin1") for c in mention.candidates):
        return True
    if " " not in text and text[1:].islower() and _sentence_start(context, mention.start) \
            and _has_word(context, text.lower()):
        return True
    return bool(_STREET_AFTER.match(context, end))


def _near_pairs(ev: ContextEvidence, spread: list, lead: str | None) -> None:
    """Two names of a local story that each have namesakes in many regions, but one
    reading of each lies next to one of the other ("Paris" and "Henry County": Paris,
    Tennessee is Henry County's seat): both vote for that region, when no pair of their
    readings in another region comes nearly as close."""
    names: dict[str, dict[str, list]] = {}  # name -> region -> its readings there
    for mention in spread:
        key = normalize(mention.text)
        if key in names or len(names) >= _NEAR_NAMES:
            continue
        by_region = _by_region(mention.candidates, key)
        if len(by_region) > 1:
            names[key] = by_region
    keys = list(names)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            ra, rb = names[a], names[b]
            best: dict[str, float] = {}
            for code in ra.keys() & rb.keys():  # only regions both names have readings in
                best[code] = min(km(ca.lat, ca.lon, cb.lat, cb.lon)
                                 for ca in ra[code] for cb in rb[code])
            ranked = sorted(best.items(), key=lambda kv: kv[1])
            if not ranked or ranked[0][1] > _NEAR_KM:
                continue
            if len(ranked) > 1 and ranked[1][1] < 3 * ranked[0][1] + _NEAR_KM:
                continue  # another region has a pair nearly as close
            code = ranked[0][0]
            country = code.split("-", 1)[0]
            for key in (a, b):
                # a pair outside the country the text is mostly about names its country too
                ev.add(key, None if country == lead else country, code,
                       0.0 if country == lead else _NEAR_VOTE, _NEAR_VOTE)


def _cells(cands: tuple, key: str) -> tuple[dict[tuple[int, int], list], tuple]:
    """A name's exact town and district readings by grid cell, and the cells of their
    neighbourhoods (each cell and the eight around it, once), for :func:`_cluster`;
    cached like :func:`_by_region`."""
    hit = _CELLS.get(id(cands))
    if hit is not None and hit[0] is cands:
        return hit[1]
    cells: dict[tuple[int, int], list] = {}
    for c in cands[:_NEAR_CANDIDATES]:
        if c.match == "exact" and c.admin1 and c.feature_class in ("ppl", "admin2") \
                and _own_name(c, key, True):
            cells.setdefault((math.floor(c.lat / _CLUSTER_CELL),
                              math.floor(c.lon / _CLUSTER_CELL)), []).append(c)
    around = tuple(dict.fromkeys((y + dy, x + dx) for y, x in cells
                                 for dy in (-1, 0, 1) for dx in (-1, 0, 1)))
    if len(_CELLS) >= _READINGS_KEPT:
        _CELLS.clear()
    _CELLS[id(cands)] = (cands, (cells, around))
    return cells, around


_CELLS: dict[int, tuple] = {}
on_clear(_CELLS.clear)


def _cluster(ev: ContextEvidence, names: list, lead: str | None) -> None:
    """The names of a local story lie together: where readings of several of its names
    (Delano, Watertown, Montgomery, Scott County, Elgin, Plainview) fall within one small
    area and no other area holds nearly as many, each of those names votes for the region
    of its reading there -- though every one of them has namesakes, bigger ones, across
    the country."""
    counts: Counter[tuple[int, int]] = Counter()  # cell -> names with a reading around it
    read: list[tuple[str, dict]] = []
    seen = set()
    for mention in names:
        key = normalize(mention.text)
        base, _, word = key.rpartition(" ")
        # "Forsyth County" and "Forsyth" are one name
        name = base if base and word in _CLASS_WORDS else key
        if name in seen or _mention_reading(mention.candidates, mention.text).exact_region:
            continue  # ("Kansas" is the state, not Kansas, Illinois)
        seen.add(name)
        cells, around = _cells(mention.candidates, key)
        if cells:
            read.append((key, cells))
            counts.update(around)  # (counted in C, first seen first, as one by one)
    if not counts:
        return
    (by, bx), best = max(counts.items(), key=lambda kv: kv[1])  # (the first of equals)
    if best < _CLUSTER_NAMES:
        return
    # the best area away from this one (overlapping neighbourhoods count as one)
    second = max((n for (y, x), n in counts.items() if abs(y - by) > 2 or abs(x - bx) > 2),
                 default=0)
    if best < second + _CLUSTER_MARGIN:
        return
    for key, cells in read:
        codes = {c.admin1 for (y, x), cs in cells.items()
                 if abs(y - by) <= 1 and abs(x - bx) <= 1 for c in cs}
        if len(codes) == 1:
            code = codes.pop()
            country = code.split("-", 1)[0]
            ev.add(key, None if country == lead else country, code,
                   0.0 if country == lead else _NEAR_VOTE, _CLUSTER_VOTE)


_BY_REGION: dict[int, tuple] = {}  # like _READINGS: a candidates tuple -> its readings by region
on_clear(_BY_REGION.clear)


def _by_region(cands: tuple, key: str) -> dict[str, list]:
    """A name's exact town and district readings by region (cached per candidates tuple:
    the gazetteer hands out one per name, the same in every text)."""
    hit = _BY_REGION.get(id(cands))
    if hit is not None and hit[0] is cands:
        return hit[1]
    by_region: dict[str, list] = {}
    for c in cands[:_NEAR_CANDIDATES]:
        if c.match == "exact" and c.admin1 and c.feature_class in ("ppl", "admin2") \
                and _own_name(c, key, True):
            by_region.setdefault(c.admin1, []).append(c)
    if len(_BY_REGION) >= _READINGS_KEPT:
        _BY_REGION.clear()
    _BY_REGION[id(cands)] = (cands, by_region)
    return by_region


# capitalised words before a place that leave it a place ("Northern Helmand", "Downtown
# Memphis"): geo/vocab/place_cues.toml, not_name_parts and place_name_prefixes
_NOT_FIRST_NAMES = frozenset(vocab.config("place_cues.toml")["not_name_parts"]) | frozenset(
    w.capitalize() for w in vocab.config("place_cues.toml")["place_name_prefixes"]) | {
    "Downtown", "Metro", "St", "New", "Old", "Little", "Big", "Great", "Northeast", "Northwest",
    "Southeast", "Southwest"}  # (the lists' own words are not repeated here)
_FIRST_NAME_BEFORE = re.compile(r"(?:^|[^\w.])([A-Z][a-z]+|[A-Z]\.) $")
# a capitalised feature word after a name (geo/vocab/query_forms.toml strip_after):
# "Tennessee Colony", "Ohio River" are a town and a river, not the state
_FEATURE_AFTER = re.compile(r"\s+(?:" + "|".join(
    re.escape(w.title()) for w in vocab.config("query_forms.toml")["strip_after"]
    if w.isalpha()) + r")\b")
# a street of the story's town named after a place elsewhere ("2517 Memphis St.",
# "Augusta Street"): geo/vocab/place_cues.toml street_words
_STREET_AFTER = re.compile(r"\s+(?:" + "|".join(
    re.escape(w) for w in vocab.config("place_cues.toml")["street_words"]) + r")(?![\w-])")
# a person: "Marsha J. Moore" (after a first name and an initial), "Jack L. Harmon"
# (before an initial and a surname), "Warden, 44," (before an age)
_INITIAL_BEFORE = re.compile(r"(?:^|[^\w.])[A-Z][a-z]+ [A-Z]\. $")
_INITIAL_AFTER = re.compile(r" [A-Z]\. [A-Z][a-z]")
_AGE_AFTER = re.compile(r", \d{1,3},")
# the abbreviated first word of a name ("St. Cloud", "Mt. Pleasant") that the gazetteer's
# scan of a text leaves out, and what it abbreviates
_ABBREVIATED = {"st": "Saint", "ste": "Sainte", "mt": "Mount", "ft": "Fort", "pt": "Point"}
_ABBREVIATION = re.compile(r"(?:St|Ste|Mt|Ft|Pt)\.?")
_ABBREVIATION_BEFORE = re.compile(r"\b(St|Ste|Mt|Ft|Pt)\.?\s$")
_CAPITAL_AFTER = re.compile(r"\s+[A-Z]")
_WHOLE: dict[str, tuple] = {}  # "Saint Cloud" -> (gazetteer, its exact candidates)
on_clear(_WHOLE.clear)


def _whole_names(gaz: Gazetteer, context: str, mentions: list) -> list:
    """The mentions, with "St. Cloud", "Mt. Pleasant", "Ft. Worth" read whole (as "Saint
    Cloud", "Mount Pleasant", "Fort Worth") where the gazetteer's scan read "Cloud", or
    "Mt." and "Pleasant": neither part is a place of its own ("Mt." is not Montana)."""
    out = []
    for mm in mentions:
        if len(mm.text) <= 4 and _ABBREVIATION.fullmatch(mm.text) \
                and _CAPITAL_AFTER.match(context, mm.end):
            continue
        # (the pattern is tried only after "t. ", "t ": most names have neither before them)
        b = context[mm.start - 3:mm.start - 1] in ("t.", "St", "Mt", "Ft", "Pt", "te") \
            and _ABBREVIATION_BEFORE.search(context, max(0, mm.start - 5), mm.start)
        if b:
            full = f"{_ABBREVIATED[b.group(1).lower()]} {mm.text}"
            hit = _WHOLE.get(full)
            if hit is None or hit[0] is not gaz:
                if len(_WHOLE) >= _READINGS_KEPT:
                    _WHOLE.clear()
                # one tuple per name, kept: _mention_reading caches by its identity
                hit = _WHOLE[full] = (gaz, tuple(c for c in gaz.lookup(full) if c.match == "exact"))
            mm = type(mm)(b.start(), mm.end, context[b.start():mm.end], hit[1])
        out.append(mm)
    return out


def _caps_around(text: str, start: int, end: int) -> bool:
    """Whether the words next to ``text[start:end]`` are in capitals too (a headline or a
    dateline: "HEROIN SEIZED IN KABUL", "MANSFIELD --"), or there are none on its line."""
    before = re.search(r"([A-Za-z]{2,})[^A-Za-z\n]*$", text[max(0, start - 30):start])
    after = re.match(r"[^A-Za-z\n]*([A-Za-z]{2,})", text[end:end + 30])
    words = [m.group(1) for m in (before, after) if m]
    return not words or any(w.isupper() for w in words)


def _surnames(context: str, mentions: list, readings: list) -> set[str]:
    """One-word names the text uses as people's names: written right after a
    capitalised word that is not itself read as a place ("Sheila Williams", "Darryl Keith
    Warden"), as the last word of a longer matched name ("Roy Jones" ... "Jones"), next to
    a middle initial ("Marsha J. Moore", "Jack L. Harmon") or before an age ("Warden,
    44,")."""
    placed = {mm.text for mm, r in zip(mentions, readings) if r[0] is not None}
    # "Roy Jones ... Jones": the last word of a longer name that reads as no place (not
    # "Northern Ireland ... Ireland", "New Mexico ... Mexico", nor a district known by
    # its exact name but too small to vote, "Khas Uruzgan ... Uruzgan")
    lasts = {mm.text.rsplit(" ", 1)[1] for mm, r in zip(mentions, readings)
             if " " in mm.text and r.country is None and not r.exact_placed}
    out = set()
    alone = set()  # first-level regions and countries written once with no first name
    for mm, r in zip(mentions, readings):
        if " " in mm.text or not mm.text[:1].isupper():
            continue
        if mm.text in lasts:
            out.add(mm.text)
            continue
        before = None
        if mm.start >= 3 and context[mm.start - 1] == " " and context[mm.start - 2].isalpha():
            before = _FIRST_NAME_BEFORE.search(context, max(0, mm.start - 20), mm.start)
        if before and before.group(1) not in placed and before.group(1) not in _NOT_FIRST_NAMES \
                and not _sentence_start(context, before.start(1)):
            out.add(mm.text)
        elif _person_around(context, mm.start, mm.end):
            out.add(mm.text)
        elif r.region_named:
            alone.add(mm.text)
    # "Education Minnesota" is an organisation of the Minnesota the text also names alone
    return out - alone


def _person_around(context: str, start: int, end: int) -> bool:
    """A middle initial before or after the name, or an age after it ("Marsha J. Moore",
    "Jack L. Harmon", "Warden, 44,"); the patterns are tried only where the characters
    they need are there (most names have none)."""
    if start >= 5 and context[start - 2] == "." \
            and _INITIAL_BEFORE.search(context, max(0, start - 25), start):
        return True
    after = context[end:end + 3]
    if len(after) == 3 and after[2] == "." and _INITIAL_AFTER.match(context, end):
        return True
    return after[:1] == "," and _AGE_AFTER.match(context, end) is not None


def _region_named(cands: tuple[Candidate, ...], country: str, admin1: str | None) -> bool:
    """Whether the reading a name votes for, ``country`` and ``admin1``, is a country or
    first-level region of that (exact) name: "Minnesota" is the state, "Rojas" (a town in
    Argentina, a municipality of Latvia) is no region's name where it votes."""
    return any(c.match == "exact" and c.country == country and (
        c.feature_class == "country" or c.feature_class == "admin1" and c.admin1 == admin1)
        for c in cands)


def _sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t\"'\u201c(":
        j -= 1
    return j < 0 or text[j] in ".!?\n"


def _cover(ev: ContextEvidence, spread: list, lead: str) -> None:
    """Names of a local story that each have namesakes in many regions ("Alexandria",
    "Brandon", "Douglas County", "Kensington") point together to the one region where
    all or most of them lie: it gets a vote from each name it holds, when it holds at
    least two more than any other region (a name never votes for its own reading: see
    :meth:`ContextEvidence.without`)."""
    holds: dict[str, set[str]] = {}
    for mention in spread:
        key = normalize(mention.text)
        for code in _mention_reading(mention.candidates, mention.text).local_codes.get(lead, ()):
            holds.setdefault(code, set()).add(key)
    if not holds:
        return
    ranked = sorted(holds.items(), key=lambda kv: -len(kv[1]))
    best, names = ranked[0]
    second = len(ranked[1][1]) if len(ranked) > 1 else 0
    if len(names) >= 2 and len(names) >= second + 2:
        for key in names:
            ev.add(key, None, best, 0.0, _COVER_VOTE)


# a mention's candidates -> what it says in a context (see _mention_reading), by identity:
# the gazetteer hands out one tuple per run of words it has matched, the same in every
# report naming it; the tuple is kept with its reading, so an id is never reused meanwhile
_READINGS: dict[int, tuple] = {}
on_clear(_READINGS.clear)
_READINGS_KEPT = 65_536


class _Reading(NamedTuple):
    """What a context mention says, from its candidates alone (see :func:`_mention_reading`):
    the same in every text that names it, so worked out once per candidates tuple, not
    once per mention of every report."""

    country: str | None          # the country it votes for (None: ambiguous)
    admin1: str | None           # ... and the admin-1 region
    weight: float | None         # ... with this weight
    minor_admin1: str | None     # an ambiguous one's exact readings' one admin-1 region
    minor_country: str | None    # ... and its country
    exact_country: bool          # an exact reading is a country
    exact_region: bool           # an exact reading is a country or a first-level region
    exact_placed: bool           # an exact reading lies in a country
    region_named: bool           # _region_named of the vote: a country or region so named
    # country -> the admin-1 codes of its exact town and district readings (see _cover),
    # each set filled in the candidates' order, as a set made per text would be
    local_codes: dict[str, set[str]]


def _mention_reading(cands: tuple[Candidate, ...], text: str = "") -> _Reading:
    """A context mention's (country, admin1, weight) vote (country None: ambiguous) and,
    for an ambiguous one, the (admin1, country) of its exact readings where they all lie
    in one admin-1 region (else None, None); and what else the analysis of a context asks
    of its candidates (see :class:`_Reading`)."""
    hit = _READINGS.get(id(cands))
    if hit is not None and hit[0] is cands:
        return hit[1]
    country, admin1 = _mention_vote(cands, normalize(text) if text else "")
    weight = minor_admin1 = minor_country = None
    exact = [c for c in cands if c.match == "exact"]
    is_country = any(c.feature_class == "country" for c in exact)
    if country is not None:
        weight = 1.0 if is_country else 0.7
    else:
        if len({c.admin1 for c in exact}) == 1 and exact[0].admin1:
            minor_admin1, minor_country = exact[0].admin1, exact[0].country
    local: dict[str, set[str]] = {}
    for c in exact:
        if c.country and c.admin1 and c.feature_class in ("ppl", "admin2"):
            local.setdefault(c.country, set()).add(c.admin1)
    reading = _Reading(country, admin1, weight, minor_admin1, minor_country, is_country,
                       any(c.feature_class in ("country", "admin1") for c in exact),
                       any(c.country for c in exact),
                       country is not None and _region_named(cands, country, admin1), local)
    if len(_READINGS) >= _READINGS_KEPT:
        _READINGS.clear()
    _READINGS[id(cands)] = (cands, reading)
    return reading


class OfflineGeocoder(Geocoder):
    """Geocoder on the embedded gazetteer: no network, no API key, geopy's interface.

    :param gazetteer: a :class:`geo.places.gazetteer.Gazetteer`; default the shared one
        (:func:`geo.places.gazetteer.get_gazetteer`, built into the cache on first use).
    :param boundaries: boundary GeoDataFrame for :meth:`reverse` (default: the package's).
    :param max_distance_km: how far outside every polygon :meth:`reverse` still assigns
        the nearest region (coast simplification).
    Other keyword arguments (``timeout``, ``user_agent``, ...) go to geopy's
    :class:`~geopy.geocoders.base.Geocoder` and are accepted for compatibility.
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        boundaries=None,
        max_distance_km: float = 10.0,
        scheme=None,
        timeout=DEFAULT_SENTINEL,
        proxies=DEFAULT_SENTINEL,
        user_agent=None,
        ssl_context=DEFAULT_SENTINEL,
        adapter_factory=None,
    ):
        super().__init__(
            scheme=scheme, timeout=timeout, proxies=proxies, user_agent=user_agent,
            ssl_context=ssl_context, adapter_factory=adapter_factory,
        )
        self._gazetteer = gazetteer
        self.boundaries = boundaries
        self.max_distance_km = max_distance_km
        self._context_cache = lru_cache(maxsize=256)(self._analyse)
        # a report's ~17 names are each looked for in its text: read it once for them
        self._texts = lru_cache(maxsize=16)(_context_text)
        self._codes_cache = lru_cache(maxsize=16_384)(self._codes)
        self._prepared = lru_cache(maxsize=_PREPARED_KEPT)(self._prepare_query)
        # what a query's answer owes to the query alone (its candidates and their priors),
        # whatever the context: worked out once per name, not once per report naming it
        self._queries = lru_cache(maxsize=_QUERIES_KEPT)(self._query)
        self._places: dict[Candidate, tuple] = {}
        self._regions: dict[str, Candidate | None] = {}  # admin-1 code -> its reading

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = get_gazetteer()
        return self._gazetteer

    def _analyse(self, context: str) -> ContextEvidence:
        return analyse_context(self.gazetteer, context)

    def _codes(self, phrase: str) -> frozenset[str]:
        return _place_codes(self.gazetteer, phrase)

    # -- forward --------------------------------------------------------------------------
    def geocode(
        self,
        query,
        *,
        exactly_one: bool = True,
        country_codes: str | Iterable[str] | None = None,
        context: str | None = None,
        timeout=None,
        limit: int | None = 25,
        explain: bool = True,
        story_fallback: bool = True,
    ):
        """Resolve a place name to a :class:`~geopy.location.Location`, or ``None``.

        :param query: the place name as written; ``"Faizabad, Badakhshan"`` and
            ``"Badakhshan province"`` are understood (the parts after a comma and a
            class word are hints, not part of the name).
        :param exactly_one: ``False`` returns every candidate, best first.
        :param country_codes: ISO alpha-2 code(s) to restrict the result to.
        :param context: report text or the sentences around the name.
        :param timeout: accepted for geopy compatibility; nothing here waits.
        :param limit: most candidates returned when ``exactly_one`` is False ("San José"
            has hundreds); ``None`` for all.
        :param explain: ``False`` leaves ``raw["reason"]`` empty: a caller that never
            reads it (the extractor) spares the wording of every reading returned.
        :param story_fallback: in a story about one region (see
            :meth:`ContextEvidence.story_region`), a name with no reading in it that the
            gazetteer does not know, or knows only as a small namesake in a region or
            country the story does not name, answers with that region first
            (``raw["match"] == "story"``, ``feature_class`` admin1); ``False``: never.
        :raises geopy.exc.GeocoderQueryError: on an empty or non-string query.
        """
        prep = self._prepare(query, context, country_codes)
        if prep is None:
            return None
        q = prep.query
        found = []
        for i, score in self._ranked(prep, 1 if exactly_one else limit, story_fallback):
            if explain:
                # the reasons are worded only for the candidates returned
                reasons: list[str] = []
                if i < 0:
                    reasons.append(_story_reason(prep, self.gazetteer))
                else:
                    _utility(q.cands[i], prep.ev, prep.classes, prep.places, q.key, reasons)
                n = len(q.cands)
                reasons.append(f"{n} candidate{'s' if n != 1 else ''}")
                found.append(self._location(prep, i, score, "; ".join(reasons)))
            else:
                found.append(self._location(prep, i, score, ""))
        if not found:
            return None  # only look-alikes in countries the context never names
        return found[0] if exactly_one else found

    def readings(self, query, *, context: str | None = None,
                 country_codes: str | Iterable[str] | None = None,
                 limit: int | None = 25,
                 story_fallback: bool = True) -> list[tuple[float, "Place"]]:
        """``geocode(query, exactly_one=False, ...)`` in brief: ``(score, place)`` per
        reading, best first (``[]`` for none), ``place`` a :class:`Place` of the fields of
        ``raw`` a caller such as :mod:`geo.extraction.linking` reads -- the same readings and scores,
        without a Location and a raw dict made per reading (one :class:`Place` per
        candidate is shared by every answer returning it).

        Raises :class:`geopy.exc.GeocoderQueryError` as :meth:`geocode` does.
        """
        prep = self._prepare(query, context, country_codes)
        if prep is None:
            return []
        located = prep.query.located
        out = []
        for i, score in self._ranked(prep, limit, story_fallback):
            place = located[i] if i >= 0 else self._place(prep.story)
            if place is None:
                place = located[i] = self._place(prep.query.cands[i])
            out.append((score, place[4]))
        return out

    def _ranked(self, prep: "_Prepared", limit: int | None,
                story_fallback: bool = True) -> list[tuple[int, float]]:
        """(candidate index, score) of the best ``limit`` candidates (None: all), best
        first: the answers of :meth:`geocode` and :meth:`readings`. Index -1 is the
        story's region (``prep.story``), where ``story_fallback`` allows it."""
        q = prep.query
        cands, shares, region_of = q.cands, prep.shares, q.region_of
        story = prep.story if story_fallback else None
        n = len(cands)
        if n == 0:
            # a name the gazetteer does not know, in a story about one region
            return [(-1, prep.story_score)] if story is not None else []
        if n == 1:
            # one reading: it holds all the mass (the sums below give exactly 1.0)
            order, region_mass, total = [0], [1.0], 1.0
        else:
            scored = _utilities(q, prep)
            # best first, equal utilities in candidate order (a stable sort, also reversed)
            order = sorted(range(n), key=scored.__getitem__, reverse=True)
            top = max(scored)
            weights = [math.exp(s - top) for s in scored]
            total = sum(weights)
            # each region's probability mass, summed once (not once per candidate returned)
            region_mass = [0.0] * len(q.regions)
            for w, r in zip(weights, region_of):
                region_mass[r] += w
        if cands[order[0]].match != "exact" and prep.ev.countries:
            # a look-alike spelling never crosses into a country the context does not name
            # ("Harwinton" in a Connecticut story is no town in China): where the best
            # reading is a look-alike, only readings in the countries the context names are
            # kept, and none may be left
            order = [i for i in order if shares[region_of[i]][0] > 0]
            if not order:
                return [(-1, prep.story_score)] if story is not None else []
        out = []
        if story is not None and _namesake_elsewhere(cands, order[0], prep):
            # a small namesake in another region of a local story: the story's region is
            # the better reading ("Mount Washington" in a Los Angeles story is no town in
            # Kentucky)
            out.append((-1, prep.story_score))
        if limit is not None:
            order = order[:max(1, limit) - len(out)]
        for i in order:
            c = cands[i]
            r = region_of[i]
            country_share, admin1_share, _, _, placed = shares[r]
            mass = region_mass[r] / total
            support = min(1.0, country_share + admin1_share + (1.0 if placed else 0.0))
            quality = 1.0 if c.match == "exact" else _VARIANT_QUALITY
            out.append((i, round(min(0.99, mass * quality * (0.75 + 0.25 * support)), 3)))
        return out

    def context_signature(self, query, context: str | None = None, *,
                          country_codes: str | Iterable[str] | None = None) -> tuple:
        """What :meth:`geocode`'s answer for ``query`` depends on in ``context``.

        Two calls with equal signatures (and the same ``exactly_one``, ``limit`` and
        ``explain``) return equal answers, so a run may memoise answers by it: the query, and for its
        candidates only the evidence they are scored on -- the shares of their countries
        and regions among those the context names, the feature classes and places the
        wording around the name attaches to them. Two unrelated reports that name none of
        a name's countries share a signature; a report naming one of them does not.

        Raises :class:`geopy.exc.GeocoderQueryError` as :meth:`geocode` does.
        """
        prep = self._prepare(query, context, country_codes)
        if prep is None:
            return (query, _codes_key(country_codes), None)
        if not prep.query.cands:
            return (query, _codes_key(country_codes), None, prep.story)
        if prep.signature is None:
            q = prep.query
            # the shares as they are: their last field (the wording places the region)
            # follows from the places kept, so it splits no signature further
            # (whether the context names any country at all: a look-alike spelling is no
            # answer in a context that names countries, none of them its own; see _ranked)
            prep.signature = (query, _codes_key(country_codes), tuple(prep.shares),
                              tuple(sorted(prep.classes & q.classes)),
                              tuple(sorted(prep.places & q.codes)), bool(prep.ev.countries),
                              prep.story, prep.story_score)
        return prep.signature

    def _prepare(self, query, context: str | None, country_codes) -> "_Prepared | None":
        """Candidates and evidence of ``query`` in ``context`` (None: no candidate).

        Kept for the last few hundred (query, context) pairs: :meth:`context_signature`
        followed by :meth:`geocode` for the same pair (a memo's miss), or a report seen
        again soon after (wire duplicates), read the text once.
        """
        if not isinstance(query, str):
            raise GeocoderQueryError(f"query must be a string, got {type(query).__name__}")
        if context is not None and not isinstance(context, str):
            raise GeocoderQueryError(f"context must be a string, got {type(context).__name__}")
        return self._prepared(query, context, _codes_key(country_codes))

    def _prepare_query(self, query: str, context: str | None,
                       codes: tuple[str, ...] | None) -> "_Prepared | None":
        q = self._queries(query, codes)
        if q is None:
            if not context:
                return None
            # no reading anywhere: the story's region, if the story is about one
            q = _Query([], normalize(_parse_query(query)[0]), query, (), frozenset())
        ev = self._context_cache(context).without(q.key) if context else ContextEvidence()
        story = story_score = None
        found = None
        if context:
            found = ev.story_region(_STORY_REGION_WEIGHT if q.cands else _STORY_UNKNOWN_WEIGHT)
            if found is None and q.cands and q.cands[0].match != "exact":
                # a name known only by look-alike spellings ("Harwinton": Pulandian, China)
                # is as good as unknown: one vote will do, in a story about one country
                found = ev.story_region(_STORY_UNKNOWN_WEIGHT)
                if found is not None and found[2] < _STORY_COUNTRY_SHARE:
                    found = None
        if found is not None and found[0] not in q.codes and (
                not codes or found[0].split("-", 1)[0] in codes):
            # (a reading inside the story's region is scored as any other: see _utility)
            story = self._region_candidate(found[0])
            story_score = round(_STORY_SCORE * found[1], 3)
        if not q.cands:
            if story is None or found[2] < _STORY_COUNTRY_SHARE:
                return None
            return _Prepared(q, ev, set(), set(), [], story=story, story_score=story_score)
        phrase_classes, phrase_places = _phrases(
            self.gazetteer, q.name, context or "", self._texts(context) if context else None,
            self._codes_cache)
        if q.class_hint:
            phrase_classes |= set(q.class_hint)
        phrase_places |= q.hint_places
        # the context's say on each region of the candidates, worked out once for the
        # signature, the utilities and the scores
        return _Prepared(q, ev, phrase_classes, phrase_places,
                         ev.region_shares(q.regions, phrase_places), story=story,
                         story_score=story_score)

    def _region_candidate(self, code: str) -> Candidate | None:
        """The gazetteer's reading of the admin-1 region ``code`` (None: not in it)."""
        hit = self._regions.get(code, False)
        if hit is False:
            name = self.gazetteer.admin1_name(code)
            hit = next((c for c in self.gazetteer.lookup(name or "") if c.match == "exact"
                        and c.feature_class == "admin1" and c.admin1 == code), None)
            if hit is not None:
                # matched by no name: by the story (raw["match"] says so)
                hit = hit._replace(match="story")
            self._regions[code] = hit
        return hit

    def _query(self, query: str, codes: tuple[str, ...] | None) -> "_Query | None":
        """The candidates of ``query`` and their context-free priors (None: no candidate)."""
        if not query.strip():
            raise GeocoderQueryError("query is empty")
        name, hints, class_hint = _parse_query(query)
        if not normalize(name):
            raise GeocoderQueryError(f"query has no name in it: {query!r}")
        if class_hint == ("ppl",):
            # "Kansas City", "Boulder City", "Story City": a town called so with its class
            # word is that town, not the state or town the rest of it names (and the word
            # still says town: Ho Chi Minh City the city, not the province; a unit's
            # class word, "Karak district", is left to the context: the gazetteer knows
            # units with and without it)
            written = query.split(",")[0].strip()
            key = normalize(written)
            if any(c.match == "exact" and normalize(c.name) == key
                   for c in self.gazetteer.lookup(written)):
                name = written
        cands = self.gazetteer.lookup(name)
        if set(class_hint) & {"admin1", "region"}:
            # "Moscow Oblast", "Moscow region": a region known by its name with the class
            # word is that region, not the city it is named after (Russian "X region" is
            # the oblast); "Moscow city", "port of Samara" are the cities
            written = query.split(",")[0].strip()
            word = written[len(name):].strip().lower()
            fulls = (written, f"{name} Oblast") if word in ("region", "oblast") else (written,)
            for full in fulls:
                whole = [c for c in self.gazetteer.lookup(full)
                         if c.match == "exact" and c.feature_class in ("admin1", "region")]
                if whole:
                    cands = whole
                    break
        if not cands:
            # "Readington Township", "Lake Lanier", "Ontarians": another form of the name
            name, cands = _fallback_candidates(self.gazetteer, name)
        if any(c.match == "exact" for c in cands):
            # a spelling variant is a reading only where the name has no exact one:
            # Gwadar is not Cadiz's old name Gadir, Illinois not Yvelines, Swansea not
            # Shaanxi, Cancun not Changchun
            cands = [c for c in cands if c.match == "exact"]
        if not cands:
            return None
        if codes:
            wanted = set(codes)
            cands = [c for c in cands if c.country in wanted]
            if not cands:
                return None
        hint_places: set[str] = set()
        for hint in hints:
            hint_places |= self._codes_cache(hint)
        return _Query(cands, normalize(name), name, class_hint, frozenset(hint_places))

    def _place(self, c: Candidate) -> tuple[str, Point, tuple, dict, "Place"]:
        """Address, point, geopy's (address, (lat, lon)), raw dict (less score and
        reason) and :class:`Place` of a candidate: the same for every answer that returns
        it, so made once (geopy's Point checks its coordinates each time)."""
        hit = self._places.get(c)
        if hit is None:
            gaz = self.gazetteer
            admin1_name = gaz.admin1_name(c.admin1)
            country_name = _country_name(gaz, c.country)
            parts = [c.name]
            if admin1_name and admin1_name != c.name:
                parts.append(admin1_name)
            if country_name and country_name != c.name:
                parts.append(country_name)
            if len(self._places) >= _PLACES_KEPT:
                self._places.clear()
            address, point = ", ".join(parts), Point(c.lat, c.lon)
            raw = {
                "name": c.name,
                "feature_class": c.feature_class,
                "country": c.country,
                "admin1": c.admin1,
                "admin1_name": admin1_name,
                "score": None,   # per answer (see _location)
                "population": c.population,
                "source": c.source,
                "reason": None,  # per answer
                "lat": c.lat,
                "lon": c.lon,
                "match": c.match,
                "ref": c.ref,
            }
            place = Place(c.name, c.feature_class, c.country, c.admin1, admin1_name,
                          c.population, c.match, point.latitude, point.longitude)
            hit = self._places[c] = (address, point, (address, (point.latitude, point.longitude)),
                                     raw, place)
        return hit

    def _location(self, prep: "_Prepared", i: int, score: float, reason: str) -> Location:
        """The answer of candidate ``i`` of ``prep``'s query (-1: the story's region)."""
        if i < 0:
            place = self._place(prep.story)
        else:
            q = prep.query
            place = q.located[i]
            if place is None:
                place = q.located[i] = self._place(q.cands[i])
        address, point, pair, raw, _ = place
        # a copy of the candidate's raw dict with this answer's score and reason, in
        # their places (the keys keep their order)
        raw = raw.copy()
        raw["score"] = score
        raw["reason"] = reason
        return new_location(address, point, raw, pair)

    # -- reverse --------------------------------------------------------------------------
    def reverse(self, query, *, exactly_one: bool = True, timeout=None):
        """The admin-1 region at a point, as a Location (``None`` at sea / far outside).

        :param query: ``(lat, lon)``, ``"lat, lon"`` or a :class:`geopy.point.Point`.
        """
        try:
            point = Point(query)
        except (ValueError, TypeError) as exc:
            raise GeocoderQueryError(f"not a point: {query!r} ({exc})") from exc
        from .locate import region_at

        region = region_at(point.longitude, point.latitude, self.boundaries,
                           max_distance_km=self.max_distance_km)
        if region is None:
            return None
        km = float(region.distance_km or 0.0)
        if region.located_by == "within":
            score, reason = 0.99, "point within the region's polygon"
        else:
            score = round(max(0.5, 0.95 * (1 - km / max(self.max_distance_km, 1e-9))), 3)
            reason = f"nearest region, {km:.1f} km from its polygon"
        country_name = _country_name(self.gazetteer, region.country)
        raw = {
            "name": region.name,
            "feature_class": "admin1",
            "country": region.country,
            "admin1": region.code,
            "admin1_name": region.name,
            "score": score,
            "population": 0,
            "source": "boundaries",
            "reason": reason,
            "located_by": region.located_by,
            "distance_km": km,
        }
        address = ", ".join(p for p in (region.name, country_name) if p)
        loc = Location(address, Point(point.latitude, point.longitude), raw)
        return loc if exactly_one else [loc]


class Place(NamedTuple):
    """A reading of a name as :meth:`OfflineGeocoder.readings` gives it: the fields of a
    Location's ``raw`` that :mod:`geo.extraction.linking` reads (less the score, which is per
    answer), and the point's latitude and longitude."""

    name: str | None
    feature_class: str | None
    country: str | None
    admin1: str | None
    admin1_name: str | None
    population: int | None
    match: str | None
    latitude: float | None
    longitude: float | None


class _Query:
    """A query's candidates and what its answer owes to the query alone: their regions
    and, per candidate, the utility terms that no context changes (see
    :func:`_utilities`). Made once per query (OfflineGeocoder._query), shared by every
    context the query is resolved in."""

    __slots__ = ("cands", "key", "name", "class_hint", "hint_places", "regions", "region_of",
                 "classes", "codes", "priors", "located")

    def __init__(self, cands: list[Candidate], key: str, name: str,
                 class_hint: tuple[str, ...], hint_places: frozenset[str]):
        self.cands = cands
        self.key = key                  # the normalized name
        self.name = name                # as written, less hints and class word
        self.class_hint = class_hint
        self.hint_places = hint_places  # codes the hints after a comma point to
        regions: dict[tuple, int] = {}
        self.region_of = [regions.setdefault((c.country, c.admin1), len(regions)) for c in cands]
        self.regions = list(regions)    # distinct (country, admin1), in candidate order
        self.classes = frozenset(c.feature_class for c in cands)
        self.codes = frozenset(p for c in cands for p in (c.country, c.admin1) if p)
        self.priors = [_priors(c, key) for c in cands]
        self.located: list[tuple | None] = [None] * len(cands)  # _place of those returned


@dataclass(slots=True)  # a few hundred are kept (OfflineGeocoder._prepared): no __dict__ each
class _Prepared:
    """A query in one context: what it is scored on (see OfflineGeocoder._prepare)."""

    query: _Query
    ev: ContextEvidence
    classes: set[str]
    places: set[str]
    # per region of query.regions: (country share, admin-1 share, share within its
    # country, weight of its country's regions, wording places it there)
    shares: list[tuple[float, float, float, float, bool]]
    signature: tuple | None = None
    # the story's region where no reading lies in it (ContextEvidence.story_region), and
    # the score it answers with when the name has no better reading (see _ranked)
    story: Candidate | None = None
    story_score: float | None = None


def _codes_key(country_codes) -> tuple[str, ...] | None:
    if not country_codes:
        return None
    if isinstance(country_codes, str):
        return (country_codes.upper(),)
    return tuple(sorted({c.upper() for c in country_codes}))


# --- helpers ---------------------------------------------------------------------------
def _country_name(gaz: Gazetteer, code: str | None) -> str | None:
    if not code:
        return None
    return _country_names(gaz).get(code)


@memo(4)
def _country_names(gaz: Gazetteer) -> dict[str, str]:
    rows = gaz._db.execute("SELECT country, name FROM places WHERE feature_class='country'")
    return dict(rows.fetchall())


def _query_forms() -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """geo/vocab/query_forms.toml, checked: (words dropped after, words dropped before,
    (suffix, endings) of a region's people)."""
    name = "query_forms.toml"
    data = vocab.config(name)
    try:
        after = tuple(sorted(data["strip_after"], key=len, reverse=True))
        before = tuple(sorted(data["strip_before"], key=len, reverse=True))
        people = []
        for entry in data["people_suffixes"]:
            suffix, *endings = entry.split(" ")
            people.append((suffix, tuple(endings) or ("",)))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise VocabularyError(f"{vocab.path_of(name)}: strip_after, strip_before and "
                              f"people_suffixes must be lists of words ({exc})") from None
    return after, before, tuple(people)


_STRIP_AFTER, _STRIP_BEFORE, _PEOPLE_SUFFIXES = _query_forms()
_FALLBACK_CLASSES = {"country", "admin1", "region"}


def _fallback_candidates(gaz: Gazetteer, name: str) -> tuple[str, list[Candidate]]:
    """Candidates of another form of a name the gazetteer does not know (see
    geo/vocab/query_forms.toml): a feature word dropped after or before it, or a name for
    its people read as the region or country. (name, []) when no form has any."""
    low = name.lower()
    forms: list[tuple[str, set[str] | None]] = []
    for word in _STRIP_AFTER:
        if low.endswith(" " + word):
            forms.append((name[: -len(word) - 1].strip(), None))
            break
    for word in _STRIP_BEFORE:
        if low.startswith(word + " "):
            forms.append((name[len(word) + 1:].strip(), None))
            break
    for suffix, endings in _PEOPLE_SUFFIXES:
        if low.endswith(suffix) and len(name) - len(suffix) >= 3:
            stem = name[: -len(suffix)]
            forms.extend((stem + e, _FALLBACK_CLASSES) for e in endings)
    for form, classes in forms:
        if not normalize(form) or form == name:
            continue
        cands = [c for c in gaz.lookup(form) if c.match == "exact"
                 and (classes is None or c.feature_class in classes)]
        if cands:
            return form, cands
    return name, []


def _parse_query(query: str) -> tuple[str, list[str], tuple[str, ...]]:
    """Split "Faizabad, Badakhshan province" into name, hints and class hint."""
    parts = [p.strip() for p in query.split(",") if p.strip()] or [""]
    name, hints = parts[0], parts[1:]
    class_hint: tuple[str, ...] = ()
    m = _QUERY_SUFFIX.match(name) or _QUERY_PREFIX.match(name)
    if m:
        class_hint = _CLASS_WORDS[m.group("word").lower()]
        name = m.group("name").strip()
    return name, hints, class_hint


def _place_codes(gaz: Gazetteer, text: str) -> frozenset[str]:
    """Country and admin-1 codes a phrase such as "Badakhshan province" may point to.

    Every reading counts ("in Badakhshan" admits AF-BDS and TJ-GB): the phrase only says
    which candidates of the *query* it fits, and the query decides between them.
    """
    text = text.strip()
    m = _QUERY_SUFFIX.match(text)
    if m:
        text = m.group("name")
    code = gaz.country_code(text)
    if code:
        return frozenset((code,))
    strong = [c for c in _strong(gaz.lookup(text))
              if c.feature_class in ("country", "admin1", "region", "admin2")]
    return frozenset(c.admin1 or c.country for c in strong if c.admin1 or c.country)


_AFTER = re.compile(
    rf"(?:\s+(?P<word>{_CLASS_WORD_RE})\b)?"
    rf"(?:\s*,\s*(?P<comma>{_CAP_RUN})|\s+(?:of|in)\s+(?:the\s+)?(?P<of>{_CAP_RUN}))?", re.I)
_BEFORE = re.compile(rf"\b(?P<word>{_CLASS_WORD_RE})\s+of\s+(?:the\s+)?$", re.I)
# a name in a list of names: more of them after it or before it ("Clay, Douglas, Grant")
_LIST_NAME = r"[A-Z][\w'\u2019.\-]*(?:\s+[A-Z][\w'\u2019.\-]*)?"
# (a list ends in "and"/"or"; "Montana, Isabela, Puerto Rico" is a chain of places, each in
# the next, and "Fort Worth, Texas, and Dallas" names Texas for Fort Worth)
_LIST_AFTER = re.compile(rf"(?P<items>(?:\s*,\s*{_LIST_NAME})+)\s*,?\s*(?:and|or|&)\s+[A-Z]")
_LIST_BEFORE = re.compile(rf"{_LIST_NAME}\s*,\s*$")
# ... ending in a plural class word: "Douglas, Grant and Wilkin counties"
_PLURALS = ("counties|parishes|provinces|districts|states|regions|departments|municipalities|"
            "oblasts|governorates")
_PLURAL_WORDS = tuple(_PLURALS.split("|"))


def _context_text(context: str) -> ContextText:
    """``context`` read once for the wording around each of its names (see :func:`_phrases`)."""
    return ContextText(context, _PLURAL_WORDS)

_LIST_TAIL = re.compile(rf"(?:(?:\s*,\s*{_LIST_NAME})*\s*,?\s*(?:and|or|&)\s+{_LIST_NAME})?\s+"
                        rf"(?P<plural>{_PLURALS})\b"
                        rf"(?:\s+(?:in|of)\s+(?:the\s+)?(?P<where>{_CAP_RUN}))?")
_POSSESSIVE = re.compile(rf"(?P<owner>{_CAP_RUN})['\u2019]s\s+$")


@memo(4096)
def _name_pattern(name: str) -> re.Pattern:
    return re.compile(r"\b" + r"\s+".join(re.escape(w) for w in name.split()) + r"\b", re.I)


@memo(4096)
def _name_words(name: str) -> tuple[str, ...] | None:
    """The words of ``name`` lower-cased where the name is ASCII (else None): what
    :func:`_occurrences` matches without :func:`_name_pattern`."""
    return tuple(w.lower() for w in name.split()) if name.isascii() else None


def _is_word(ch: str) -> bool:
    # re's \w for str patterns: a character str.isalnum() accepts, or the underscore
    return ch.isalnum() or ch == "_"


def _name_end(words: tuple[str, ...], context: str, lowered: str, i: int) -> int:
    r"""Where :func:`_name_pattern`'s match anchored at ``i`` ends (-1: none), read on the
    text itself: the same boundaries (``\b``: a word character on one side only, as
    ``re`` judges them), the same gaps (``\s+``: one or more characters str.isspace()
    accepts) and the same case-blind words (``lowered`` as :func:`_ascii_lowered` gives
    it, where a letter of an ASCII name lower-cased is matched exactly by its cases)."""
    n = len(context)
    if (i > 0 and _is_word(context[i - 1])) == (i < n and _is_word(context[i])):
        return -1
    pos = i
    for k, word in enumerate(words):
        if k:
            gap = pos
            while pos < n and context[pos].isspace():
                pos += 1
            if pos == gap:
                return -1
        if not lowered.startswith(word, pos):
            return -1
        pos += len(word)
    if _is_word(context[pos - 1]) == (pos < n and _is_word(context[pos])):
        return -1
    return pos


def _occurrences(name: str, context: str, lowered: str | None = None) -> list[tuple[int, int]]:
    """Spans of :func:`_name_pattern`'s matches in ``context``, left to right, not
    overlapping.

    ``lowered`` is ``context.lower()`` where :func:`_ascii_lowered` allows it (else None),
    and the name is ASCII: a plain substring search for
    the name's first word then finds where a match may start, and the name is matched
    there only, by :func:`_name_end` (the same matches as ``finditer``, ~10x faster on a
    report, and no pattern compiled per name: a report's ~17 names would each compile one
    and push the patterns other modules reuse out of ``re``'s cache).
    """
    words = _name_words(name)
    if lowered is None or words is None:
        return [m.span() for m in _name_pattern(name).finditer(context)]
    first = words[0]
    found = []
    i = lowered.find(first)
    if len(words) == 1 and first.isalnum():
        # one word of letters and digits (most names): its first and last characters are
        # word characters, so a match is a find with no word character either side --
        # _name_end's test, read here without a call per place the word is found
        size, n = len(first), len(context)
        while i >= 0:
            end = i + size
            if (i == 0 or not _is_word(context[i - 1])) and (end == n or not _is_word(context[end])):
                found.append((i, end))
                i = lowered.find(first, end)
            else:
                i = lowered.find(first, i + 1)
        return found
    while i >= 0:
        end = _name_end(words, context, lowered, i)
        if end >= 0:
            found.append((i, end))
            i = lowered.find(first, end)
        else:
            i = lowered.find(first, i + 1)
    return found


def _phrases(gaz: Gazetteer, name: str, context: str, read: ContextText | None = None,
             codes: Callable[[str], frozenset[str]] | None = None) -> tuple[set[str], set[str]]:
    """Feature classes and places the context's wording attaches to ``name``.

    Each occurrence of the name is found first (one scan); the phrase patterns are then
    matched anchored at it, so a long report costs one search per query, not three.
    ``read``: the context as :func:`_context_text` reads it for every name (its
    :func:`_ascii_lowered` text, see :func:`_occurrences`; where its plural class words
    stand); ``codes``: :func:`_place_codes` bound to ``gaz``, cached by the caller.
    """
    classes: set[str] = set()
    places: set[str] = set()
    if not context:
        return classes, places
    if codes is None:
        codes = functools.partial(_place_codes, gaz)
    if read is None:
        read = _context_text(context)
    lowered = read.lowered
    for start, end in _occurrences(name, context, lowered):
        if context[start:end].isupper() and not context[:start].strip():
            classes.add("ppl")  # a dateline names the city the report was filed from
        after = _AFTER.match(context, end)
        word, comma, of = after.group("word", "comma", "of")
        if word:
            classes.update(_CLASS_WORDS[word.lower()])
        if not word and read.has_words and read.has_word_within(end, end + 200):
            tail = _LIST_TAIL.match(context, end)
            if tail:
                # "Becker, Clay, Douglas, Grant and Wilkin counties": each is a county
                plural = tail.group("plural").lower()
                single = plural[:-3] + "y" if plural.endswith("ies") else plural.rstrip("s")
                if single not in _CLASS_WORDS and plural.endswith("es"):
                    single = plural[:-2]
                classes.update(_CLASS_WORDS.get(single, ()))
                if tail.group("where"):
                    places |= codes(tail.group("where"))  # "... counties in Florida"
        if comma:
            listed = _LIST_AFTER.match(context, end)
            if listed and (listed.group("items").count(",") > 1
                           or _LIST_BEFORE.search(context, max(0, start - 40), start)):
                comma = None  # "Clay, Douglas, Grant and Wilkin": a list, not Douglas in Grant
        if comma:
            places |= codes(comma)
        if of:
            places |= codes(of)
        before = context[max(0, start - 60):start]
        # both patterns end at the name, after "of"/"of the" and after "'s": where the
        # words before it end otherwise (nearly always), neither is searched for
        last = before.rstrip()[-3:]
        if last[-2:].lower() == "of" or last.lower() == "the":
            b = _BEFORE.search(before)
            if b:
                classes.update(_CLASS_WORDS[b.group("word").lower()])
        if last[-2:] in ("'s", "\u2019s"):
            p = _POSSESSIVE.search(before)
            if p:
                places |= codes(p.group("owner"))
    return classes, places


def _namesake_elsewhere(cands: list[Candidate], i: int, prep: _Prepared) -> bool:
    """Whether the best reading ``cands[i]`` is a namesake in a region the story does not
    name, small enough to yield to the story's region (:attr:`_Prepared.story`): a town or
    district (no country, no first-level region, no capital, no place of
    :data:`_STORY_NAMESAKE_POP`), that no other name and no wording puts the story in; in
    another country, not an exact name of one country only of :data:`_STORY_FOREIGN_POP`
    (a reading in a country the story never names needs strong evidence)."""
    c = cands[i]
    if c.feature_class not in ("ppl", "admin2") or c.country is None or c.capital \
            or c.population >= _STORY_NAMESAKE_POP:
        return False
    country_share, admin1_share, own_share, _, placed = prep.shares[prep.query.region_of[i]]
    if placed or own_share > _STORY_STRAY_SHARE or (own_share == 0 and admin1_share):
        return False
    if c.country != prep.story.country:
        if country_share:
            return False
        if c.match == "exact" and c.population >= _STORY_FOREIGN_POP and len(
                {o.country for o in cands if o.match == "exact"}) == 1:
            return False
    return True


def _story_reason(prep: _Prepared, gaz: Gazetteer) -> str:
    """The reason worded for the story's region as an answer."""
    name = gaz.admin1_name(prep.story.admin1) or prep.story.admin1
    if not prep.query.cands:
        return f"not in the gazetteer; the story is about {name} ({prep.story.admin1})"
    return f"no reading in {name} ({prep.story.admin1}), the region the story is about; " \
           f"its readings are namesakes elsewhere"


def _base_utility(c: Candidate) -> tuple[int, float]:
    """(population as scored, population and class term) of a candidate: a curated
    alias without a population counts as a town, a district as at least a small one."""
    pop = c.population
    if pop <= 0 and "aliases" in c.source:
        pop = _CURATED_POP
    elif c.feature_class == "admin2":
        pop = max(pop, _ADMIN2_MIN_POP)
    return pop, _POP_WEIGHT * math.log1p(pop) + _CLASS_BONUS[c.feature_class]


def _utility(c: Candidate, ev: ContextEvidence, classes: set[str], places: set[str],
             key: str = "", reasons: list[str] | None = None) -> float:
    """The candidate's utility; its reasons are appended to ``reasons`` when given (the
    wording costs more than the sum, and only returned candidates need it)."""
    pop, u = _base_utility(c)
    own_share, a_total = ev.admin1_share_within(c.admin1, c.country)
    # a big city answers for its same-named region, unless the context is about another
    # region of its country (then it is just one more town); a capital always does
    if c.feature_class == "ppl" and pop >= _MAJOR_CITY_POP and (
            c.capital or not (a_total and own_share < 0.2)):
        u += _MAJOR_CITY_BONUS
    if c.country is None:
        # a region of several countries (continent, sea, "Golden Crescent"): the name as
        # written means it far more often than a same-named town, and no context names
        # its country to support it
        u += _SUPRANATIONAL_BONUS
        if reasons is not None:
            reasons.append("region of several countries")
    if c.feature_class == "ppl" and getattr(c, "capital", False):
        u += _CAPITAL_BONUS
        if reasons is not None:
            reasons.append("national capital")
    if key and c.feature_class in ("ppl", "admin2") and normalize(c.name) != key:
        # known by another name and called so only in some list of alternates (Changchun's
        # "Cancun"): the place primarily named so is likelier
        u -= _ALTERNATE_PENALTY
    elif key and _partial_name(c, key):
        u -= _PARTIAL_PENALTY
    if c.match != "exact":
        u -= _VARIANT_PENALTY
        if reasons is not None:
            reasons.append("transliteration variant")
    elif reasons is not None:
        reasons.append("exact name")
    share = ev.country_share(c.country)
    if share:
        u += _CONTEXT_COUNTRY * share
        if reasons is not None:
            reasons.append(f"context names {c.country} ({share:.0%})")
    a_share = (ev.admin1_share(c.admin1) + own_share) / 2
    if a_share:
        u += _CONTEXT_ADMIN1 * a_share
        if reasons is not None:
            reasons.append(f"context names {c.admin1}")
    if c.feature_class in classes:
        u += _PHRASE_CLASS
        if reasons is not None:
            reasons.append(f"wording says {c.feature_class}")
    if places & {c.admin1, c.country}:
        u += _PHRASE_PLACE
        if reasons is not None:
            reasons.append("wording places it in " + "/".join(sorted(p for p in places & {c.admin1, c.country} if p)))
    if reasons is not None:
        reasons.append(f"{c.feature_class}, population {c.population:,}")
    return u


def _partial_name(c: Candidate, key: str) -> bool:
    """Whether ``key`` is only part of the region's or country's name, a word or two of
    it: "Columbia" of the District of Columbia (a city's name far more often)."""
    if c.feature_class not in ("admin1", "country"):
        return False
    # whole words of the name as written: "Badakhshan" is no part of "Gorno-Badakhshan"
    words = [normalize(w) for w in c.name.split()]
    n = len(key.split())
    return n < len(words) and any(" ".join(words[i:i + n]) == key
                                  for i in range(len(words) - n + 1))


def _priors(c: Candidate, key: str) -> tuple[float, bool, bool, tuple[float, ...], str]:
    """The terms of :func:`_utility` that depend on the candidate alone, for
    :func:`_utilities`: (population and class term, may get the big-city bonus, capital,
    the constant terms that follow in :func:`_utility`'s order, feature class)."""
    pop, base = _base_utility(c)
    adds: list[float] = []
    if c.country is None:
        adds.append(_SUPRANATIONAL_BONUS)
    if c.feature_class == "ppl" and c.capital:
        adds.append(_CAPITAL_BONUS)
    if key and c.feature_class in ("ppl", "admin2") and normalize(c.name) != key:
        adds.append(-_ALTERNATE_PENALTY)
    elif key and _partial_name(c, key):
        adds.append(-_PARTIAL_PENALTY)
    if c.match != "exact":
        adds.append(-_VARIANT_PENALTY)
    return (base, c.feature_class == "ppl" and pop >= _MAJOR_CITY_POP, bool(c.capital),
            tuple(adds), c.feature_class)


def _utilities(q: _Query, prep: _Prepared) -> list[float]:
    """:func:`_utility` of every candidate of ``q`` in ``prep``'s context, from their
    :func:`_priors` and the context's shares per region.

    The terms are added in :func:`_utility`'s order (floating-point sums depend on it),
    so each utility is the very same float.
    """
    shares, classes = prep.shares, prep.classes
    out = []
    for (base, major, capital, adds, fc), r in zip(q.priors, q.region_of):
        country_share, admin1_share, own_share, a_total, placed = shares[r]
        u = base
        if major and (capital or not (a_total and own_share < 0.2)):
            u += _MAJOR_CITY_BONUS
        for a in adds:
            u += a
        if country_share:
            u += _CONTEXT_COUNTRY * country_share
        a_share = (admin1_share + own_share) / 2
        if a_share:
            u += _CONTEXT_ADMIN1 * a_share
        if fc in classes:
            u += _PHRASE_CLASS
        if placed:
            u += _PHRASE_PLACE
        out.append(u)
    return out


# geopy's Location computes its (address, (lat, lon)) tuple through two Point lookups
# that each copy the point: a place returned over and over keeps its tuple (see
# OfflineGeocoder._place) and its Locations are filled in directly, where this geopy's
# Location is the one that was checked (four slots, no __setattr__)
_LOCATION_SLOTS_KNOWN = (getattr(Location, "__slots__", None) == ("_address", "_point", "_tuple", "_raw")
                         and "__setattr__" not in vars(Location) and "__new__" not in vars(Location))


def new_location(address: str, point: Point, raw: dict, pair: tuple | None = None) -> Location:
    """``Location(address, point, raw)`` for a ``point`` that is a :class:`Point`;
    ``pair`` is its ``(address, (latitude, longitude))`` when known."""
    if not _LOCATION_SLOTS_KNOWN or type(point) is not Point:
        return Location(address, point, raw)
    if address is None or raw is None:
        raise TypeError("`address` and `raw` must not be None")
    loc = object.__new__(Location)
    loc._address = address
    loc._point = point
    loc._tuple = pair if pair is not None else (address, (point.latitude, point.longitude))
    loc._raw = raw
    return loc
