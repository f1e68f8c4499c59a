"""Paragraphs and sentences with character offsets, split by pysbd (rule-based, no models)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pysbd

from ..caches import memo

__all__ = ["Sentence", "split_sentences"]


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == report_text[start:end]``; ``para`` is its block's index
    (blocks are split on line breaks, so list items are blocks of their own)."""

    start: int
    end: int
    text: str
    para: int
    index: int


@memo(1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


# Quick check: a block with no sentence-final punctuation followed by more text needs no
# splitting, which spares pysbd (the slowest step of extraction) on headlines and list items.
_MAYBE_SPLIT = re.compile(r"[.!?…][\"'”’)\]]*\s+\S")


# A boundary candidate: end punctuation, closing quotes/brackets, space, then a capital,
# a digit or an opening quote. The word before it (back to the previous whitespace) decides
# whether the rules are easy. (Matching from the punctuation lets the regex engine skip to
# the few [.!?…] of a block; a pattern that starts with the word, ([^\s]*?)[.!?…]..., is
# retried at every character of every word, 4x slower for the same boundaries.)
_BOUNDARY = re.compile(r"([.!?…])([\"'”’)\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9А-Я])")
_ABBREV = frozenset("""
mr mrs ms dr prof gen col lt maj capt cpt sgt brig adm cmdr gov sen rep st mt ft no nos vol
co corp inc ltd jr sr vs etc approx dept univ est fig al ave blvd rd hon pres supt insp
jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun rs tk pvt
""".split())


def _easy_boundaries(block: str) -> list[int] | None:
    """Sentence ends of a block whose every candidate boundary is unambiguous, or None.

    A boundary after an abbreviation ("Gen.", "Col."), an initial ("B. Konysbayev"), a
    dotted acronym ("U.S.") or a number ("No. 5") is left to pysbd's rules.
    """
    ends = []
    for m in _BOUNDARY.finditer(block):
        if m.group(1) == ".":
            # the word before the period, back to the previous whitespace
            q = start = m.start()
            while start > 0 and not block[start - 1].isspace():
                start -= 1
            word = block[start:q].lstrip("\"'“‘([")
            low = word.lower()
            if not word or len(word) == 1 or "." in word or low in _ABBREV or word.isdigit():
                return None
        ends.append(m.end(2))
    return ends


@memo(8192)
def _split_block(block: str) -> tuple[tuple[int, int], ...]:
    # cached per block: wires repeat boilerplate paragraphs across many reports
    if not _MAYBE_SPLIT.search(block):
        return ((0, len(block)),)
    ends = _easy_boundaries(block)
    if ends is not None:
        # pysbd is the slowest step of extraction; blocks without abbreviations, initials
        # or dotted acronyms split the same way by the plain rule
        starts = [0] + ends
        return tuple((a, b) for a, b in zip(starts, ends + [len(block)]) if b > a)
    return _pysbd_spans(block)


def _pysbd_spans(block: str) -> tuple[tuple[int, int], ...]:
    r"""pysbd's sentence spans, as ``Segmenter(char_span=True).segment(block)`` gives them.

    pysbd locates each sentence it returns by compiling a regex of it (``re.escape(sent)
    + r"\s*"``) and taking the first match that ends past the previous sentence; that costs
    a compile per sentence and evicts the patterns pysbd's own rules reuse from ``re``'s
    cache. The same search with ``str.find``: the first non-overlapping occurrence (with
    the whitespace after it) that ends past the previous span.
    """
    seg = _segmenter()
    if not block:
        return ()
    spans: list[tuple[int, int]] = []
    prior_end = 0
    n = len(block)
    for sent in seg.processor(block).process():
        if not sent:  # never seen; pysbd's own search handles what an empty pattern does
            return tuple((span.start, span.end) for span in seg.segment(block))
        at = 0
        while True:
            start = block.find(sent, at)
            if start < 0:
                break
            end = start + len(sent)
            while end < n and block[end].isspace():
                end += 1
            if end > prior_end:
                spans.append((start, end))
                prior_end = end
                break
            at = end  # re.finditer goes on after the end of the match
    return tuple(spans)


_LINE = re.compile(r"[^\n]+")  # a block: compiled once, not looked up in re's shared cache


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` in order, whitespace-trimmed, with offsets into ``text``."""
    out: list[Sentence] = []
    para = 0
    for m in _LINE.finditer(text):
        block = m.group(0)
        if not block.strip():
            continue
        base = m.start()
        for s, e in _split_block(block):
            piece = block[s:e]
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece.rstrip())
            if trail <= lead:
                continue
            start, end = base + s + lead, base + s + trail
            out.append(Sentence(start, end, text[start:end], para, len(out)))
        para += 1
    return out
