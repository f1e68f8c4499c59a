"""One pass over a text that finds every word of a vocabulary, with its offsets.

A :class:`Scanner` compiles word lists (unit words, number words, substance terms, cue
phrases, agency names...) into one Aho-Corasick automaton (pyahocorasick). Its
:meth:`Scanner.scan` reads a text once and gives every :class:`Hit`, whatever the size
of the vocabulary: hundreds of words cost one pass, where one regular expression per list
costs one pass per list (and an alternation of them all is tried at every character).

How a word matches (the rules the regular expressions of the vocabulary follow):

* case: the text is folded one character for one character (``str.lower``, and the few
  characters that ``re.IGNORECASE`` equates with an ASCII letter although ``lower`` does
  not give it: dotless i, dotted capital I, long s), so offsets into the folded text are
  offsets into the text. A word marked ``case=True`` (an acronym: "DEA" is not "idea")
  must also be written in the text as in the vocabulary. Accents are kept: "cocaína" and
  "cocaina" are two words, as in the tables.
* boundaries: every character that is no word character (``\\w``) is folded to a space and
  the text is padded with one, so a word written ``" kg "`` matches "kg" as a whole word,
  before or after punctuation, at either end of the text. A word may be open at its start
  or its end (``left=False`` / ``right=False``: "ceremon" matches "ceremonies"), or may
  follow a figure written against it (``after_digit=True``: "5kg", the digits of the text
  fold to ``0``).
* a space inside a word stands for one non-word character of the text (a space, a hyphen,
  a line break: "crystal-meth" is "crystal meth"); a run of several does not match it.

Why pyahocorasick and not hyperscan (``benchmarks/bench_scan.py`` measures both on the same
folded texts and keys): the raw pass is as fast (25 against 22 us a 2 KB report for the
report vocabulary's 3,578 keys; 55 against 52 us with every gazetteer name, 233k keys),
the automaton builds in 0.2 s where hyperscan compiles for 10 s, it reads ``str`` and gives
character offsets (hyperscan reads bytes: every non-ASCII text would need its byte offsets
mapped back), and its wheels are 35-115 KB against 2-3 MB. Both publish wheels for
CPython 3.10-3.13 on Linux x86_64/aarch64 and macOS; both licences are permissive (BSD-3;
MIT over a BSD engine). Hyperscan's own case folding and ``\b`` are not needed: the fold
below gives both to any automaton.

Knows nothing of seizures: the vocabularies come from the modules that own them.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, NamedTuple

from ..errors import GeoError

try:
    import ahocorasick as _ac
except ImportError as exc:  # pragma: no cover - the package is a dependency
    raise GeoError(
        "geo.text.scan needs the pyahocorasick package (pip install 'pyahocorasick>=2.0'): "
        f"it is a dependency of seizure-atlas and could not be imported ({exc})") from exc

__all__ = ["Entry", "Hit", "Scanner", "Literals", "fold", "ODD_CASE"]

# characters IGNORECASE equates with an ASCII letter although str.lower() does not give it
ODD_CASE = {"\u0130": "i", "\u0131": "i", "\u017f": "s"}


class _Fold(dict):
    """The translation table of :func:`fold`: each character once, on first sight."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in ODD_CASE:
            out = ODD_CASE[ch]
        elif ch.isdecimal():
            out = "0"
        elif ch.isalnum() or ch == "_":  # what re calls a word character (\w)
            low = ch.lower()
            out = low[0] if low[0].isalnum() or low[0] == "_" else ch
        else:
            out = " "
        self[code] = out
        return out


_TABLE = _Fold()
# the ASCII characters' folds as one byte table (bytes.translate: ~50x faster than a
# str.translate through a mapping); a non-ASCII character is folded through _TABLE
_BYTES = bytes((ord(_TABLE[c]) if c < 128 else ord(" ")) for c in range(256))
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> str:
    """``text`` folded for scanning: one character for one, lower case, every non-word
    character a space, every decimal digit ``0``."""
    # "replace" writes one "?" for each character ASCII has not: the offsets stay
    out = text.encode("ascii", "replace").translate(_BYTES).decode("ascii")
    if text.isascii():
        return out
    parts = []
    at = 0
    for m in _NON_ASCII.finditer(text):
        parts.append(out[at:m.start()])
        parts.append(m.group().translate(_TABLE))
        at = m.end()
    parts.append(out[at:])
    return "".join(parts)


class Entry(NamedTuple):
    """One word of a vocabulary.

    ``kind`` names the list it comes from, ``value`` what the caller wants back with it
    (its code, its row); ``left``/``right``: whole word at that side; ``after_digit``: may
    also follow a digit directly ("5kg"); ``case``: written in the text as here."""

    word: str
    kind: str
    value: object = None
    left: bool = True
    right: bool = True
    after_digit: bool = False
    case: bool = False


class Hit(NamedTuple):
    """A word of the vocabulary found in a text at ``text[start:end]`` (written there in
    any case, unless the word's entry asks for its case); ``word`` is the vocabulary's."""

    start: int
    end: int
    kind: str
    word: str
    value: object


class Scanner:
    """An automaton of every word of ``entries``; :meth:`scan` finds them in one pass.

    :raises GeoError: for an entry whose word is empty once folded.
    """

    def __init__(self, entries: Iterable[Entry]):
        keyed: dict[str, list[Entry]] = {}
        kinds: set[str] = set()
        for e in entries:
            body = fold(e.word)
            if not body.strip():
                raise GeoError(f"scan vocabulary: the {e.kind} word {e.word!r} has no letter or digit")
            kinds.add(e.kind)
            for pre in ([" "] + (["0"] if e.after_digit else [])) if e.left else [""]:
                keyed.setdefault(pre + body + (" " if e.right else ""), []).append(e)
        automaton = _ac.Automaton()
        for key, found in keyed.items():
            # per entry, all a hit needs, worked out once: how far the word's start in the
            # text lies before the key's last character in the padded text, its length,
            # kind, word, value, case
            automaton.add_word(key, tuple(
                (len(key) - (1 if e.left else 0), len(e.word), e.kind, e.word, e.value, e.case)
                for e in found))
        automaton.make_automaton()
        self._automaton = automaton
        self.kinds = frozenset(kinds)
        self.size = len(keyed)

    def hits(self, text: str, kinds: Iterable[str] | None = None) -> Iterator[Hit]:
        """The hits of ``text`` (of ``kinds`` only, when given) as the pass comes to them
        (in order of end): a question answered by the first few need not read the rest."""
        wanted = None if kinds is None else frozenset(kinds)
        for last, found in self._automaton.iter(" " + fold(text) + " "):
            for back, size, kind, word, value, case in found:
                if wanted is not None and kind not in wanted:
                    continue
                start = last - back
                if case and text[start:start + size] != word:
                    continue
                yield Hit(start, start + size, kind, word, value)

    def starts(self, text: str) -> list[int]:
        """Where in ``text`` a word of the vocabulary starts, each place once, in order
        (the hits' offsets only: no hit is made)."""
        found = set()
        add = found.add
        for last, entries in self._automaton.iter(" " + fold(text) + " "):
            for back, size, _, word, _, case in entries:
                start = last - back
                if not case or text[start:start + size] == word:
                    add(start)
        return sorted(found)

    def scan(self, text: str, kinds: Iterable[str] | None = None) -> list[Hit]:
        """Every word of the vocabulary in ``text`` (of ``kinds`` only, when given), in
        order of start, then of end; a word found twice at one place (two lists) is
        two hits."""
        out = list(self.hits(text, kinds))
        out.sort(key=_by_place)
        return out


def _by_place(hit: Hit) -> tuple[int, int]:
    return hit[0], hit[1]


class Literals:
    """Which of a set of strings occur in a text, anywhere, exactly as written (no folding,
    no boundaries): ``literals.found(text)`` is ``{k for k in literals if k in text}``, in
    one pass however many there are."""

    def __init__(self, literals: Iterable[str]):
        self.literals = frozenset(k for k in literals if k)
        automaton = _ac.Automaton()
        for k in self.literals:
            automaton.add_word(k, k)
        if self.literals:
            automaton.make_automaton()
        self._automaton = automaton

    def found(self, text: str) -> frozenset[str]:
        if not self.literals:
            return frozenset()
        return frozenset(k for _, k in self._automaton.iter(text))
