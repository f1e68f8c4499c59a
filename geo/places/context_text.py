"""A context as the geocoder reads the wording around each name in it, read once.

A report's ~18 names are each looked for in its text (:func:`geo.places.geocoder._phrases`):
what does not depend on the name -- the text lower-cased, where the plural class words
("counties", "provinces") stand -- is worked out once per text here, not once per name.
"""
from __future__ import annotations

import bisect
import re

# the only characters that a case-insensitive pattern of ASCII letters matches and that
# lower-case to something else than those letters: İ ı ſ K (found by trying every code point)
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


def _ascii_lowered(text: str) -> str | None:
    """``text.lower()`` when that keeps every offset and every match of an ASCII name's
    case-insensitive pattern reads as the name lower-cased there, else None.

    Any ASCII text, and nearly any other ("Nariño", "Panamá": one report in three has an
    accent); not one with İ ı ſ K in it, nor one whose lower case is longer (İ).
    """
    if text.isascii():
        return text.lower()
    lowered = text.lower()
    if len(lowered) != len(text) or _FOLDS_TO_ASCII.search(text):
        return None
    return lowered


class ContextText:
    """``text`` with what every name's reading of it shares: ``lowered``
    (:func:`_ascii_lowered`) and the spans of the ``words`` written in it, as written."""

    __slots__ = ("text", "lowered", "has_words", "_starts", "_stops")

    def __init__(self, text: str, words: tuple[str, ...] = ()):
        self.text = text
        self.lowered = _ascii_lowered(text)
        spans = []
        for word in words:
            i = text.find(word)
            while i >= 0:
                spans.append((i, i + len(word)))
                i = text.find(word, i + 1)
        spans.sort()
        # (most texts hold none of the words: their names' readers skip the search)
        self.has_words = bool(spans)
        self._starts = [s for s, _ in spans]
        self._stops = [e for _, e in spans]

    def has_word_within(self, start: int, stop: int) -> bool:
        """Whether one of the words stands inside ``text[start:stop]`` (as ``any(w in
        text[start:stop] for w in words)`` says, for 0 <= start <= stop)."""
        stop = min(stop, len(self.text))
        stops = self._stops
        for i in range(bisect.bisect_left(self._starts, start), len(stops)):
            if self._starts[i] + 1 > stop:
                return False
            if stops[i] <= stop:
                return True
        return False
