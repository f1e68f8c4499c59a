"""Paragraphs and sentences with character offsets, split by pysbd (rule-based, no models)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pysbd

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


@functools.lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


# Quick check: a block with no sentence-final punctuation followed by more text needs no
# splitting, which spares pysbd (the slowest step of extraction) on headlines and list items.
_MAYBE_SPLIT = re.compile(r"[.!?…][\"'”’)\]]*\s+\S")


@functools.lru_cache(maxsize=8192)
def _split_block(block: str) -> tuple[tuple[int, int], ...]:
    # cached per block: wires repeat boilerplate paragraphs across many reports
    if not _MAYBE_SPLIT.search(block):
        return ((0, len(block)),)
    spans = []
    for span in _segmenter().segment(block):
        spans.append((span.start, span.end))
    return tuple(spans)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` in order, whitespace-trimmed, with offsets into ``text``."""
    out: list[Sentence] = []
    para = 0
    for m in re.finditer(r"[^\n]+", text):
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
