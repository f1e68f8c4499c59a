"""Regex mechanics shared by every rule module: a compiled-pattern cache and gated patterns.

:func:`rx` compiles a pattern once per process. :class:`Gated` wraps a compiled pattern
so that it runs only on text holding one of the literals every match must contain (read
off the pattern's own syntax tree): the same matches, without scanning the many texts
that hold none of its words. Knows nothing of seizures.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from ..caches import memo

__all__ = ["rx", "Gated", "CASE_ODD", "grouped_alternation", "ascii_twin", "boundary_led"]


@memo(8192)
def rx(pattern: str) -> "re.Pattern[str]":
    # our own compiled-pattern cache: pysbd compiles hundreds of patterns per text and
    # evicts re's small shared cache, which made every inline pattern here recompile
    return re.compile(pattern)


def ascii_twin(rx: "re.Pattern[str]") -> "re.Pattern[str]":
    """``rx``, a case-insensitive pattern whose letters are all lower-case, without re.I:
    on the lower-cased copy of an ASCII text it finds the same matches at the same offsets,
    3-4x faster (sre compares case-insensitive literals character by character through case
    folding). A named group's ``(?P<`` is syntax, not a letter matched."""
    src = rx.pattern
    if not src.startswith("(?i)") or src.replace("(?P<", "(?p<") != src.lower():
        raise ValueError(f"not a lower-case, case-insensitive pattern: {src[:40]!r}")
    return re.compile(src[4:], rx.flags & ~re.IGNORECASE)



def _top_alternatives(src: str) -> list[str] | None:
    """``src`` split at its top-level ``|`` (None: a bracket or group left open)."""
    parts, depth, start, i, n = [], 0, 0, 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i += 1
            if src[i:i + 1] == "^":
                i += 1
            if src[i:i + 1] == "]":  # a "]" first in a class is the character
                i += 1
            while i < n and src[i] != "]":
                i += 2 if src[i] == "\\" else 1
            if i >= n:
                return None
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(src[start:i])
            start = i + 1
        i += 1
    if depth:
        return None
    parts.append(src[start:])
    return parts


_LED = re.compile(r"\\b(\[[A-Za-z0-9]+\]|[A-Za-z0-9])(?![*+?{])")


def boundary_led(src: str) -> str:
    r"""``src`` with each top-level alternative that opens with ``\b`` and a word character
    (a letter or digit, or a class of them: ``\b[Ss]tate``) opening with that character
    instead, the boundary checked behind it (``[Ss](?<!\w[Ss])tate``): the same matches at
    the same offsets (before a word character, ``\b`` is "no word character behind"). Where
    every alternative then opens with a character, sre skips to the places such a character
    stands instead of trying the pattern at every position of the text (3x faster for an
    [Ss], 70x for an I, on a 4 KB report). The other alternatives are left as written (a
    pattern none of whose alternatives is so led is returned as it is)."""
    parts = _top_alternatives(src)
    if not parts:
        return src
    out = []
    for part in parts:
        m = _LED.match(part)
        if m is None:
            out.append(part)
            continue
        atom = m.group(1)
        out.append(f"{atom}(?<!\\w{atom}){part[m.end():]}")
    return "|".join(out)


# --------------------------------------------------------------------------- speed: gates
# Most cue patterns below are alternations that regex engines try at every position of a
# text; most sentences hold none of their words. A gate runs a pattern only on text that
# holds one of its "keys": literals that every match must contain, read off the pattern's
# own syntax tree (so a gate stays right when a pattern is edited). A few substring tests
# cost far less than the scan, and the matches are exactly the pattern's.
try:
    import re._parser as _sre  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    try:
        import sre_parse as _sre  # type: ignore[no-redef]
    except ImportError:  # no parser: patterns run ungated (Gated catches the failure)
        _sre = None  # type: ignore[assignment]

# characters that re.IGNORECASE equates with an ASCII letter although str.lower() does not
# give that letter (dotted capital I, dotless i, long s): a text holding one is always scanned
CASE_ODD = re.compile("[\u0130\u0131\u017f]")


def _strings(seq: Any, fold: bool) -> set[str] | None:
    """Every string ``seq`` matches, when it matches a few fixed strings only, else None."""
    out = {""}
    for op, av in seq:
        if op is _sre.LITERAL:
            alts: set[str] | None = {chr(av)}
        elif op is _sre.IN and all(o is _sre.LITERAL for o, _ in av):
            alts = {chr(a) for _, a in av}
        elif op is _sre.SUBPATTERN and not av[1] and not av[2]:
            alts = _strings(av[3], fold)
        elif op is _sre.BRANCH:
            alts = set()
            for alt in av[1]:
                sub = _strings(alt, fold)
                if sub is None:
                    return None
                alts |= sub
        else:
            return None
        if alts is None:
            return None
        if fold:
            alts = {a.lower() for a in alts}
            if not all(a.isascii() for a in alts):
                return None
        out = {a + b for a in out for b in alts}
        if len(out) > 64:
            return None
    return out


def _key_options(seq: Any, fold: bool) -> frozenset[str] | None:
    """A set of literals one of which every match of ``seq`` contains (the one whose
    shortest literal is longest: the rarest, as a rule), or None."""
    options: list[frozenset[str]] = []
    run = {""}  # the fixed strings the items since the last flush match, end to end

    def flush() -> None:
        nonlocal run
        if run != {""}:
            options.append(frozenset(run))
        run = {""}

    for item in seq:
        lit = _strings([item], fold)
        if lit is not None:
            if len(run) * len(lit) <= 64:
                run = {a + b for a in run for b in lit}
            else:
                flush()
                run = lit
            continue
        flush()
        op, av = item
        if op is _sre.SUBPATTERN and not av[1] and not av[2]:
            sub = _key_options(av[3], fold)
            if sub:
                options.append(sub)
        elif op is _sre.BRANCH:
            alts = [_key_options(a, fold) for a in av[1]]
            if all(alts):
                options.append(frozenset().union(*alts))
    flush()

    def useful(keys: frozenset[str]) -> bool:
        # a single letter, digit or space is in nearly every text: no gate
        return all(k and (len(k) > 1 or not (k.isalnum() or k.isspace())) for k in keys)

    # a literal holding another one is found only where that one is: test the shorter only
    good = [frozenset(k for k in o if not any(j != k and j in k for j in o))
            for o in options if useful(o)]
    if not good:
        return None
    # past five characters a literal is rare enough: then the fewest literals to test
    return max(good, key=lambda o: (min(5, *(len(k) for k in o)), -len(o)))


# The keys of every case-folded gate, in one automaton (geo.text.scan.Literals): the many
# gates asked about one text (a figure's sentence, its clause: a dozen cue lists each) are
# answered by one pass over it, cached, instead of a lower-casing and a few substring
# tests per gate. Gates register their keys when first asked (a caller may set keys after
# making a gate); a new key rebuilds the automaton.
_FOLDED_KEYS: set[str] = set()
_LITERALS: list = []  # [Literals] once built for the keys registered


def _literals() -> Any:
    if not _LITERALS:
        from .scan import Literals

        _LITERALS.append(Literals(_FOLDED_KEYS))
        _present.cache_clear()
    return _LITERALS[0]


@memo(2048)
def _present(text: str) -> frozenset[str]:
    """The folded gates' keys that ``text`` lower-cased holds."""
    return _literals().found(text.lower())


class Gated:
    """A compiled pattern that is run only on text holding one of its keys."""

    __slots__ = ("rx", "keys", "fold", "pattern", "_registered")

    def __init__(self, rx: "re.Pattern[str]"):
        self.rx = rx
        self.pattern = rx.pattern
        self.fold = bool(rx.flags & re.IGNORECASE)
        self._registered = None
        try:
            self.keys = _key_options(_sre.parse(rx.pattern, rx.flags), self.fold)
        except Exception:  # an unexpected syntax tree: no gate, same matches
            self.keys = None

    def _may_match(self, text: str) -> bool:
        keys = self.keys
        if keys is None:
            return True
        if self.fold:
            if not text.isascii() and CASE_ODD.search(text):
                return True
            if self._registered is not keys:
                if not keys <= _FOLDED_KEYS:
                    _FOLDED_KEYS.update(keys)
                    _LITERALS.clear()
                self._registered = keys
            if not _LITERALS:
                _literals()
            # a key is in text.lower() exactly when the one pass over it found it
            return not keys.isdisjoint(_present(text))
        for k in keys:
            if k in text:
                return True
        return False

    def search(self, text: str, *args: int) -> "re.Match[str] | None":
        return self.rx.search(text, *args) if self._may_match(text) else None

    def finditer(self, text: str, *args: int) -> Iterable["re.Match[str]"]:
        return self.rx.finditer(text, *args) if self._may_match(text) else iter(())


def grouped_alternation(fragments: Iterable[str]) -> str:
    """One alternation of regex ``fragments``, grouped by first character and longest first
    within a group (``k(?:ilograms|ilos|g)|t(?:onnes|on)``).

    Two fragments with different first characters never match at one position, so the
    matches are those of one flat longest-first alternation; but at each position the
    engine tests one character per group instead of every fragment. A fragment that opens
    with a group, a class, an escape or a quantified character goes in as it is.
    """
    groups: dict[str, list[str]] = {}
    other: list[str] = []
    for part in dict.fromkeys(fragments):
        if part[:1].isalnum() and part[1:2] not in ("?", "*", "+", "{"):
            groups.setdefault(part[0], []).append(part[1:])
        else:
            other.append(part)
    if not groups and not other:
        raise ValueError("an alternation of nothing would match nothing")
    alts = []
    for first, rests in sorted(groups.items()):
        if len(rests) > 1:
            rests = sorted(rests, key=lambda r: (-len(r), r))
            alts.append(first + "(?:" + "|".join(rests) + ")")
        else:
            alts.append(first + (f"(?:{rests[0]})" if "|" in rests[0] else rests[0]))
    return "(?:" + "|".join(alts + other) + ")"
