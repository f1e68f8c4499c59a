"""Trafficking routes of a seizure: where the drugs came from, went through and were going.

Read from the figure's sentence, then from the sentences of its paragraph that hold no
figure of their own ("... 70 kilograms of opium. The opium had come from Balkh"), then
from a paragraph with no figure right after it (a route is often told apart from its
figure: see :func:`read_route`), using the place mentions linking already resolved
(:class:`geo.extraction.linking.PlaceIndex`, excluded ones included: "bound for X" is
excluded as the seizure's place, and is exactly what we want here).
The words right before a mention say its route role (``geo/vocab/route_cues.toml``):
"smuggled from X" (origin), "via X" (transit), "bound for X", "into X" (destination).
A bare "from X" / "to X" counts only after a motion word in its clause ("a container
from Guayaquil to Antwerp"), so "a man from Lagos" or "sentenced to" are not routes.

A route end is the mention's admin-1 code when it has one (a town or region named:
``EC-G`` for Guayaquil), else its ISO country code. A world region ("Europe", "West
Africa", "the Golden Triangle"), which no code names, is kept as the gazetteer's name of
it: a value that is not an upper-case code is such a name. Nothing here decides the
seizure's own place: linking's roles are read, never changed.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Mapping, Any, Sequence

from .. import vocab
from ..caches import memo
from ..text.patterns import Gated, ascii_twin
from ..text.scan import Literals
from ..text.quantities import find_quantities

__all__ = ["Route", "RouteEnd", "read_route", "route_lists"]

_LISTS = ("origin", "destination", "transit", "motion_words", "origin_after",
          "list_joiners", "clause_breaks", "to_cancelled_after")
_REGEX = "regex:"


@memo(1)
def route_lists() -> dict[str, tuple[str, ...]]:
    """The lists of ``geo/vocab/route_cues.toml``, checked (:func:`vocab.checked_lists`)."""
    return vocab.checked_lists("route_cues.toml", _LISTS, regex_prefix=_REGEX)


def _alt(key: str) -> str:
    items = [e[len(_REGEX):] if e.startswith(_REGEX) else re.escape(e).replace(r"\ ", r"\s+")
             for e in route_lists()[key]]
    return vocab.alternation(items, escape=False)


# the words that may stand between a cue and the name: "bound for the port city of X"
_TAIL = r"(?:\s+(?:the|a|an))?(?:\s+(?:port|city|town|village|province|region|state|" \
        r"capital|district|country|island|republic|department|of|neighbouring|neighboring|" \
        r"nearby|northern|southern|eastern|western|central))*\s*$"


@memo(1)
def _patterns() -> dict[str, "re.Pattern[str]"]:
    pats = {role: re.compile(rf"(?i)\b(?:{_alt(role)}){_TAIL}")
            for role in ("origin", "destination", "transit")}
    # "close to", "next to": checked behind the "to" once it is there (the same matches as
    # (?<!\bclose )to, which the engine tried at every word of the text: 2-3x slower)
    not_after = "".join(rf"(?<!\b{re.escape(w)} to)" for w in route_lists()["to_cancelled_after"])
    pats["bare"] = re.compile(rf"(?i)\b(?P<word>to{not_after}|from)\b{_TAIL}")
    pats["motion"] = re.compile(rf"(?i)\b(?:{_alt('motion_words')})\b")
    # "of Afghan origin", "Mexican-made": a hyphen entry is glued to the name, a word is not
    after = route_lists()["origin_after"]
    glued = [re.escape(e) for e in after if e.startswith("-")]
    spaced = [re.escape(e) for e in after if not e.startswith("-")]
    pats["after"] = re.compile(rf"(?i)^(?:{'|'.join(glued) or '(?!)'}|"
                               rf"\s+(?:{'|'.join(spaced) or '(?!)'}))\b")
    joiners = "|".join(re.escape(j) if not j[0].isalpha() else rf"\b{re.escape(j)}\b"
                       for j in sorted(route_lists()["list_joiners"], key=len, reverse=True))
    pats["joined"] = re.compile(rf"(?i)^(?:\s|{joiners})*$")
    pats["break"] = re.compile("|".join(re.escape(b) for b in route_lists()["clause_breaks"]))
    # the cue patterns' case-sensitive twins, for the lower-cased copy of an ASCII text (the
    # words before nearly every name): the same matches, 2-3x faster
    for key in ("origin", "transit", "destination", "bare", "motion"):
        pats[key + "_ascii"] = ascii_twin(pats[key])
    return pats


@dataclass(frozen=True)
class RouteEnd:
    """One named end of a route: the code (admin-1, country or a world region's name) and
    the words of the report that named it."""

    code: str
    name: str
    start: int
    end: int


@dataclass
class Route:
    """What a figure's sentences say of its drugs' route. Ends are in text order."""

    origins: list[RouteEnd] = field(default_factory=list)
    transits: list[RouteEnd] = field(default_factory=list)
    destinations: list[RouteEnd] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the cue and the name, as written

    @property
    def origin(self) -> str | None:
        """The first origin named in the figure's sentence, else in the one before."""
        return self.origins[0].code if self.origins else None

    @property
    def destination(self) -> str | None:
        return self.destinations[0].code if self.destinations else None

    @property
    def transit(self) -> str | None:
        """Every transit named, in text order, joined by "; " (a text column in CSV)."""
        codes = list(dict.fromkeys(e.code for e in self.transits))
        return "; ".join(codes) if codes else None

    @property
    def text(self) -> str | None:
        return " | ".join(self.words) if self.words else None

    def fill(self, event: Any) -> None:
        """Set an event's ``origin``, ``transit``, ``destination`` and ``route``."""
        event.origin = self.origin
        event.transit = self.transit
        event.destination = self.destination
        event.route = self.text


def _code(pm: Any) -> str | None:
    if pm.level == "region" and not pm.country:
        return str(getattr(pm, "query", "") or pm.text).strip() or None
    return pm.admin1 or pm.country


_ROLES = ("origin", "transit", "destination")
_ROLES_ASCII = ("origin_ascii", "transit_ascii", "destination_ascii")


@memo(1)
def _ascii_gates() -> tuple[Literals, dict[str, frozenset[str] | None]]:
    """The role and bare cue twins' gate keys (:class:`geo.text.patterns.Gated`, read off
    each pattern's syntax tree: literals one of which every match holds; None: no gate),
    and one automaton of them all: the words before a name are read once for the four
    patterns, and only a pattern whose keys are there is searched (most names have none)."""
    pats = _patterns()
    gates = {key: Gated(pats[key]).keys for key in (*_ROLES_ASCII, "bare_ascii")}
    return Literals(k for keys in gates.values() if keys for k in keys), gates


def _role(before: str) -> tuple[str | None, str]:
    """The route role the words before a name give it, and the cue as written."""
    pats = _patterns()
    if before.isascii():  # nearly always: the twins on the words lower-cased
        text, keys, bare, motion = before.lower(), _ROLES_ASCII, "bare_ascii", "motion_ascii"
        literals, gates = _ascii_gates()
        present = literals.found(text)
    else:
        text, keys, bare, motion = before, _ROLES, "bare", "motion"
        gates, present = {}, frozenset()
    for role, key in zip(_ROLES, keys):
        gate = gates.get(key)
        if gate is not None and gate.isdisjoint(present):
            continue  # none of the literals each of its matches holds
        m = pats[key].search(text)
        if m:
            return role, before[m.start():m.end()].strip()
    gate = gates.get(bare)
    m = None if gate is not None and gate.isdisjoint(present) else pats[bare].search(text)
    if m:
        # a bare "from"/"to": a route only when its clause moves something
        clause = text[:m.start()]
        cut = max((b.end() for b in pats["break"].finditer(clause)), default=0)
        if pats[motion].search(clause, cut):
            return ("origin" if m.group("word").lower() == "from" else "destination"), \
                before[m.start():m.end()].strip()
    return None, ""


@memo(4096)
def _figures(sentence: str) -> tuple[int, ...]:
    """Where the figures of a sentence start (offsets in the sentence)."""
    return tuple(q.start for q in find_quantities(sentence))


# a report's sentences are read once, not once per figure (a sentence lends its ends to the
# figures of the sentences around it too); kept while the report's PlaceIndex lives
_ENDS: "weakref.WeakKeyDictionary[Any, dict[int, list]]" = weakref.WeakKeyDictionary()


def _sentence_ends(text: str, s: Any, index: Any,
                   cache: "dict[int, list] | None" = None) -> list[tuple[str, RouteEnd, str]]:
    """Every route end named in sentence ``s``: (role, end, cue words as written).
    ``cache``: the report's sentences read so far (the extractor keeps one per report; a
    weak-keyed lookup per call cost more than the reading it saved)."""
    if cache is not None:
        per_sentence = cache
    else:
        try:
            per_sentence = _ENDS.setdefault(index, {})
        except TypeError:  # an index that takes no weak reference: read the sentence again
            per_sentence = {}
    if s.start not in per_sentence:
        per_sentence[s.start] = _read_sentence(text, s, index)
    return per_sentence[s.start]


def _read_sentence(text: str, s: Any, index: Any) -> list[tuple[str, RouteEnd, str]]:
    pats = _patterns()
    out: list[tuple[str, RouteEnd, str]] = []
    last: tuple[str, Any] | None = None
    for pm in index.in_span(s.start, s.end + 1, usable_only=False):
        code = _code(pm)
        if not code:
            continue
        role, cue = _role(text[max(s.start, pm.start - 80): pm.start])
        if role is None and last is not None and pats["joined"].match(text[last[1].end:pm.start]):
            role, cue = last[0], ""  # "bound for West Africa and the Netherlands"
        if role is None and pats["after"].match(text[pm.end: min(s.end, pm.end + 20)]):
            role, cue = "origin", ""  # "of Afghan origin", "Mexican-made"
        if role is None:
            last = None
            continue
        out.append((role, RouteEnd(code=code, name=pm.text, start=pm.start, end=pm.end), cue))
        last = (role, pm)
    return out


# a list item ("- Cocaine: 0.183kg", "2) 15 kg of heroin"): its own block of the text
_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d{1,2}[.)])\s")


def _block(sents: Sequence[Any], para: int, near: int) -> list[Any]:
    """The sentences of paragraph ``para`` (found from sentence index ``near``)."""
    lo = near
    while lo > 0 and sents[lo - 1].para == para:
        lo -= 1
    hi = near
    while hi + 1 < len(sents) and sents[hi + 1].para == para:
        hi += 1
    return list(sents[lo:hi + 1]) if sents[near].para == para else []


def read_route(text: str, figure: int, sent: Any, sents: Sequence[Any], index: Any,
               figures: "Mapping[int, Sequence[int]] | None" = None,
               cache: "dict[int, list] | None" = None) -> Route:
    """The route of the figure at offset ``figure`` of ``text``, in sentence ``sent``
    (a :class:`geo.text.sentences.Sentence` of ``sents``), from the mentions ``index`` (a
    linking ``PlaceIndex`` of ``text``) found around it.

    A mention takes its role from the cue words before it in its own sentence, or
    inherits the role of the mention before it when only list words stand between
    ("bound for West Africa and the Netherlands"). A mention followed by "origin" ("of
    Afghan origin") is an origin. In a sentence of several figures an end goes with the
    last figure before it ("165 kg ... headed for Rotterdam ..., another 756 kg ... bound
    for Algeciras"); ends before the sentence's first figure go with all of them.

    A route is often told apart from its figure ("The consignment had set out from
    western Herat province"). For a role the figure's own sentence leaves empty, and only
    from sentences that hold no figure of their own (else they tell another seizure's
    route), the nearest one that names it lends it:

    1. the sentences of the figure's paragraph before it, then after it, nearest first,
       as far as the next sentence with a figure;
    2. then, for the last figures of a paragraph (not of a list item), the paragraph
       right after it when that paragraph holds no figure at all: it goes on telling the
       seizure just told ("... found 53 kg of cocaine in a ship's sea chest. // According
       to the police, the cargo had come from Colombia and its final destination was
       Spain.").
    """
    route = Route()

    def figures_of(s: Any) -> list[int]:
        # the extractor's own figures by sentence when it gives them (it found them
        # already: finding them again per sentence cost a tenth of the extraction)
        if figures is not None:
            return list(figures.get(s.index, ()))
        return [s.start + f for f in _figures(s.text)]

    figs = figures_of(sent)
    own = []
    for role, end, cue in _sentence_ends(text, sent, index, cache):
        before = [f for f in figs if f < end.start]
        # (a figure not found again here, a lab count say, keeps every end)
        if not before or figure not in figs or max(before) == figure:
            own.append((role, end, cue))
    ends = list(own)
    have = {role for role, _, _ in own}

    def lend(s: Any) -> None:
        found = [e for e in _sentence_ends(text, s, index, cache) if e[0] not in have]
        ends.extend(found)
        have.update(role for role, _, _ in found)

    para = _block(sents, sent.para, sent.index)
    k = para.index(sent)
    behind = []  # the figure-free sentences next to the figure's, nearest first
    for x in reversed(para[:k]):
        if figures_of(x):
            break
        behind.append(x)
    ahead = []
    for x in para[k + 1:]:
        if figures_of(x):
            break
        ahead.append(x)
    for x in behind + ahead:
        lend(x)
    if len(ahead) == len(para) - k - 1 and para[-1].index + 1 < len(sents) \
            and not _LIST_ITEM.match(para[0].text):
        # no figure after this one in its paragraph: a figure-free paragraph next (the
        # paragraph after a list follows the whole list, not its last item)
        after = sents[para[-1].index + 1]
        nxt = _block(sents, after.para, after.index)
        if not any(figures_of(x) for x in nxt):
            for x in nxt:
                lend(x)
    for role, end, cue in ends:
        {"origin": route.origins, "transit": route.transits,
         "destination": route.destinations}[role].append(end)
        route.words.append(f"{cue} {end.name}".strip() if cue else f"{role}: {end.name}")
    # the figure's own sentence first: the origin named there is the one to give
    for lst in (route.origins, route.transits, route.destinations):
        lst.sort(key=lambda e: (e.start < sent.start, e.start))
    return route
