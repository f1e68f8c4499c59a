"""One file, many stories: a digest or an archive dump cut at its story boundaries.

Extraction weighs every figure of a report against every substance, place and other
figure in it, so its time grows with the square of a report's length: a 1 MB file read
as one report took minutes, and its stories' figures were linked across stories. Cut
into its stories, the same file costs what the same stories cost as separate files.

Boundaries, strongest first:

1. a separator line (``---``, ``* * *``, ``=====``, ``####``, a form feed);
2. a paragraph that opens with a wire dateline (``KABUL, Jan 5 (AP) -``) when an earlier
   paragraph already started a story: the short headline lines right before it go with
   it;
3. in a large text only (more than :data:`MAX_STORY_CHARS`), a run of two or more blank
   lines;
4. the last resort, in a story still longer than :data:`MAX_STORY_CHARS`: a cut at the
   last paragraph end (else line end, else sentence end) before that length.

A text with no boundary and within the size is one story, as before. Everything is done
in one pass over the lines, so the time is linear in the text's length.
"""
from __future__ import annotations

import re
from array import array
from dataclasses import dataclass
from typing import Callable, Iterator

__all__ = ["Story", "iter_stories", "split_stories", "MAX_STORY_CHARS"]

#: The longest story extraction gets. Longer ones are cut (rule 4); the dev reports are
#: 0.5-1.6 kB, a long feature article 10-15 kB.
MAX_STORY_CHARS = 20_000

# A story shorter than this is a title page, a footer or a lone headline: it joins the
# story after it (or before it, at the end).
_MIN_STORY_CHARS = 80

# a line of one repeated mark (spaces allowed): ---  * * *  ====  ____  ####  ~~~  • • •
_SEPARATOR = re.compile(r"[ \t]*([-=*_#~+•·])(?:[ \t]*\1){2,}[ \t]*")
# what a headline does not end with (a lede or a caption does)
_SENTENCE_END = re.compile(r"[.,;:][\"'”’)]?$")
_SENTENCE_INSIDE = re.compile(r"[a-z][.!?][\"'”’)]?\s+[A-Z(]")
_HEADLINE_CHARS = 160
_SENTENCE_CUT = re.compile(r"[.!?][\"'”’)]?\s+(?=\S)")


@dataclass(frozen=True)
class Story:
    """A part of a text: ``text`` and the 1-based ``line`` of the text it starts on.
    ``cut`` is True when it ends at a size cut (rule 4) rather than a story boundary."""

    text: str
    line: int
    cut: bool = False


@dataclass(slots=True)  # one per paragraph of a large file: no __dict__ each
class _Para:
    first: int  # index of its first line
    last: int  # index of its last line (inclusive)
    blanks_before: int
    separator_before: bool


def split_stories(text: str, starts_story: Callable[[str], bool],
                  max_chars: int = MAX_STORY_CHARS) -> list[Story]:
    """Cut ``text`` into stories (see the module docstring).

    ``starts_story(line)`` tells whether a paragraph's first line opens with a dateline.
    Returns at least one story; a text with no boundary comes back whole.
    """
    return list(iter_stories(text, starts_story, max_chars))


def iter_stories(text: str, starts_story: Callable[[str], bool],
                 max_chars: int = MAX_STORY_CHARS) -> Iterator[Story]:
    """The stories of :func:`split_stories`, one at a time: the boundaries are found
    first (lines and paragraphs), each story's text made when it is reached, so that a
    large file's stories are not all held beside its text."""
    lines = _Lines(text)
    paras = _paragraphs(lines)
    if not paras:
        yield Story(text, 1)
        return
    large = len(text) > max_chars
    starts = [0]
    for i in range(1, len(paras)):
        p = paras[i]
        if p.separator_before or (large and p.blanks_before >= 2):
            starts.append(i)
        elif starts_story(lines[p.first].lstrip(" \t\ufeff#*>_")):
            starts.append(_with_headline(paras, lines, i, starts[-1]))
    starts = sorted(set(starts))
    bounds = _merge_short(paras, lines, starts)
    if len(bounds) == 1 and lines.chars(paras[0].first, paras[-1].last) <= max_chars:
        # one story within the size: unchanged, with its leading and trailing lines
        yield Story(text, 1)
        return
    for a, b in zip(bounds, bounds[1:] + [len(paras)]):
        yield from _sized(paras[a:b], lines, max_chars)


class _Lines:
    """The lines of a text as ``text.split("\\n")`` gives them, made when asked for: the
    text and where each line starts (8 bytes a line), not a string per line beside the
    text (~60 bytes a line more than its characters)."""

    __slots__ = ("text", "starts")

    def __init__(self, text: str):
        starts = array("q", [0])
        find, i = text.find, text.find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.text, self.starts = text, starts

    def __len__(self) -> int:
        return len(self.starts)

    def _end(self, k: int) -> int:
        return self.starts[k + 1] - 1 if k + 1 < len(self.starts) else len(self.text)

    def __getitem__(self, k: int) -> str:
        return self.text[self.starts[k]:self._end(k)]

    def __iter__(self) -> Iterator[str]:
        return (self[k] for k in range(len(self.starts)))

    def joined(self, first: int, last: int) -> str:
        """Lines ``first`` to ``last`` (inclusive) joined by newlines, as in the text."""
        return self.text[self.starts[first]:self._end(last)]

    def chars(self, first: int, last: int) -> int:
        """``len(self.joined(first, last))``, without making it."""
        return self._end(last) - self.starts[first]


def _paragraphs(lines: _Lines) -> list[_Para]:
    paras: list[_Para] = []
    blanks, separator, first = 0, False, None
    for i, line in enumerate(lines):
        stripped = line.strip()
        is_sep = stripped == "\f" or (bool(stripped) and _SEPARATOR.fullmatch(line) is not None)
        if not stripped or is_sep:
            if first is not None:
                paras.append(_Para(first, i - 1, blanks, separator))
                first, blanks, separator = None, 0, False
            if is_sep:
                separator = True
            else:
                blanks += 1
        elif first is None:
            first = i
    if first is not None:
        paras.append(_Para(first, len(lines) - 1, blanks, separator))
    return paras


def _is_headline(paras: list[_Para], lines: _Lines, i: int) -> bool:
    # one short line that is not a sentence: a lede, a closing sentence or a
    # "(Source: ...)" line at the end of the story before is not a headline
    p = paras[i]
    line = lines[p.first].strip()
    return (p.first == p.last and len(line) <= _HEADLINE_CHARS
            and not _SENTENCE_END.search(line) and not _SENTENCE_INSIDE.search(line)
            and not line.startswith(("(", "[")) and not line.endswith((")", "]")))


def _with_headline(paras: list[_Para], lines: _Lines, i: int, previous_start: int) -> int:
    """Where the story whose dateline paragraph is ``i`` starts: up to two headline
    lines before it go with it, never past the previous story's start or a separator.
    A previous "story" that is nothing but those headline lines is this story's own
    head ("Gendarmeria weekly round-up: ..." over "BUENOS AIRES (Noticias Argentinas) -"):
    they are not cut off as a story of their own."""
    start = i
    for _ in range(2):
        j = start - 1
        if (j < previous_start or paras[start].separator_before
                or not _is_headline(paras, lines, j)):
            break
        start = j
        if j == previous_start:
            break
    return start


def _span_chars(paras: list[_Para], lines: _Lines, a: int, b: int) -> int:
    # each paragraph's lines with a newline after each
    return sum(lines.chars(p.first, p.last) + 1 for p in paras[a:b])


def _merge_short(paras: list[_Para], lines: _Lines, starts: list[int]) -> list[int]:
    """Story starts with every story shorter than a headline-and-lede merged into the
    next one (the last one into the one before)."""
    kept: list[int] = []
    ends = starts[1:] + [len(paras)]
    pending = None
    for a, b in zip(starts, ends):
        start = a if pending is None else pending
        if _span_chars(paras, lines, start, b) < _MIN_STORY_CHARS and b < len(paras):
            pending = start
            continue
        pending = None
        if kept and _span_chars(paras, lines, a, b) < _MIN_STORY_CHARS:
            continue  # a short last story: a footer of the one before
        kept.append(start)
    return kept or [0]


def _sized(chunk: list[_Para], lines: _Lines, max_chars: int) -> list[Story]:
    """The paragraphs of one story as one :class:`Story`, or cut into pieces of at most
    ``max_chars`` at paragraph, line or sentence ends when it is longer."""
    first, last = chunk[0].first, chunk[-1].last
    text = lines.joined(first, last)
    if len(text) <= max_chars:
        return [Story(text, first + 1)]
    out: list[Story] = []
    piece: list[str] = []
    piece_line, size = first, 0
    for p in chunk:
        for n, (part_line, part) in enumerate(_parts(p, lines, max_chars)):
            if piece and size + len(part) + 2 > max_chars:
                out.append(Story("\n".join(piece), piece_line + 1, cut=True))
                piece, size = [], 0
            if not piece:
                piece_line = part_line
            elif n == 0:
                piece.append("")  # paragraphs stay apart
            piece.append(part)
            size += len(part) + 2
    if piece:
        out.append(Story("\n".join(piece), piece_line + 1, cut=True))
    return out


def _parts(p: _Para, lines: _Lines, max_chars: int) -> list[tuple[int, str]]:
    """A paragraph as (line index, text) pieces no longer than ``max_chars``: itself,
    else its lines, else a long line's sentences, else a long sentence's words."""
    text = lines.joined(p.first, p.last)
    if len(text) <= max_chars:
        return [(p.first, text)]
    out: list[tuple[int, str]] = []
    for k in range(p.first, p.last + 1):
        line = lines[k]
        while len(line) > max_chars:
            window = line[:max_chars]
            cut = max((m.end() for m in _SENTENCE_CUT.finditer(window)), default=0)
            if cut == 0:
                cut = window.rfind(" ") + 1 or max_chars
            out.append((k, line[:cut].rstrip()))
            line = line[cut:]
        if line.strip():
            out.append((k, line))
    return out
