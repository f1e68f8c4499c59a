"""What a seizure was part of: the operation's name, and the people arrested.

``operation`` is the name a report gives ("Operation Trueno 25", "an operation code-named
Hydra"), or, for an operation of several agencies that has no name, "joint operation"
with the agencies (the seed's "with the assistance of FSKN and U.S. Drug Enforcement
Agency, the Afghan drug police conducted an operation"). ``arrests`` is the number of
people a sentence says were arrested or detained. Both are read from the figure's sentence
and the one before it in its paragraph, as the acting agencies are; the words are
geo/vocab/cues.toml's [slots] operation_words, operation_naming, arrest_verbs,
arrested_people.
"""
from __future__ import annotations

import re
from typing import Sequence

from ..caches import memo
from ..text.patterns import Gated
from ..text.quantities import number_words
from .cues import slot

__all__ = ["operation_name", "arrests_in"]

_NAME_WORD = r"[A-Z0-9][\w'’.-]*"
# a name: capitalised words and numbers, with the small words Spanish and Portuguese
# names keep inside them ("Operación Luz del Sur")
_NAME = rf"{_NAME_WORD}(?:\s+(?:(?:de|del|do|da|la|el)\s+)?{_NAME_WORD}){{0,4}}"
# "detained a man": one
_NUMBER = r"\d{1,4}(?:,\d{3})*|an?|" + "|".join(sorted(number_words("small", "tens"),
                                                        key=len, reverse=True))


@memo(1)
def _patterns() -> tuple[Gated, Gated, Gated, "re.Pattern[str]", "re.Pattern[str]"]:
    named = re.compile(rf"\b(?:{slot('operation_words')})\s+[\"“‘']?(?P<name>{_NAME})")
    naming = re.compile(rf"(?i)\boperation\s+(?:{slot('operation_naming')})\s+[\"“‘']?"
                        rf"(?-i:(?P<name>{_NAME}))")
    joint = re.compile(r"(?i)\b(?:joint|combined|international)\s+(?:\w+\s+)?operations?\b|"
                       r"\b(?:with the (?:assistance|help|support) of|together with|in "
                       r"(?:cooperation|coordination|conjunction) with)\b[^;]{0,140}?"
                       r"\boperations?\b|\boperations?\b[^;]{0,80}?\b(?:with the "
                       r"(?:assistance|help|support) of|together with|jointly)\b")
    verbs, people = slot("arrest_verbs"), slot("arrested_people")
    after_verb = re.compile(
        rf"(?i)\b(?:{verbs})\s+(?:at\s+least\s+|some\s+|about\s+)?(?P<n>{_NUMBER})\s+"
        rf"(?:[\w-]+\s+){{0,3}}?(?:{people})\b")
    before_verb = re.compile(
        rf"(?i)\b(?P<n>{_NUMBER})\s+(?:[\w-]+\s+){{0,3}}?(?:{people})\s+(?:were|have\s+been|"
        rf"had\s+been|was|are|being)\s+(?:\w+\s+)?(?:{verbs})\b")
    # searched in every figure's sentence and the one before it, which seldom name an
    # operation: gated on the literals their matches hold ("Operation", "operation")
    return Gated(named), Gated(naming), Gated(joint), after_verb, before_verb


def _clean(name: str) -> str:
    return name.strip().rstrip(".,;:'’\"”")


def operation_name(texts: Sequence[str], agencies: Sequence[str] = ()) -> str | None:
    """The operation the texts (the figure's sentence, with the one before it first) name,
    or "joint operation (A, B)" for an unnamed operation of several agencies."""
    named, naming, joint, _, _ = _patterns()
    for text in reversed(texts):  # the figure's own sentence first
        for pat in (named, naming):
            m = pat.search(text)
            if m:
                name = _clean(m.group("name"))
                word = m.group(0).split()[0]
                return name if pat is naming else f"{word} {name}"
    if len(agencies) >= 2 and any(joint.search(t) for t in texts):
        return "joint operation (" + ", ".join(agencies) + ")"
    return None


def arrests_in(texts: Sequence[str]) -> int | None:
    """The number of people the texts say were arrested or detained (the largest figure
    said, as a later sentence often sums the earlier ones), or None."""
    found = [n for n in (_arrests_in_text(t) for t in texts) if n]
    return max(found) if found else None


@memo(4096)
def _arrests_in_text(text: str) -> int | None:
    # asked per event of a sentence (and of the sentence after): cached, and gated on the
    # verbs' stems, which most sentences lack (the two patterns cost 4% of an extraction)
    low = text.lower()
    if not any(stem in low for stem in _VERB_STEMS()):
        return None
    _, _, _, after_verb, before_verb = _patterns()
    words = number_words("small", "tens")
    found = []
    for pat in (after_verb, before_verb):
        for m in pat.finditer(text):
            raw = m.group("n").lower().replace(",", "")
            n = int(raw) if raw.isdigit() else 1 if raw in ("a", "an") else words.get(raw)
            if n:
                found.append(n)
    return max(found) if found else None


@memo(1)
def _VERB_STEMS() -> tuple[str, ...]:
    from .cues import _data
    return tuple(v.split()[0][:5].lower() for v in _data()["slots"]["arrest_verbs"])
