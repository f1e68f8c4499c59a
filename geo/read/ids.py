"""The report ids a run has given, kept in ~16 bytes each.

Two reports read with the same id (``a.txt`` and ``a.md``, two folders' ``report.txt``,
a repeated id column) are told apart as ``a``, ``a~2`` ... (:func:`geo.read.reports.
told_apart`), so a run must know every id it has given. A dict of them costs ~120 bytes
a report (the string, its entry, the table's growth): 120 MB over a million reports.
:class:`SeenIds` keeps a 128-bit digest of each id instead, in a sorted numpy array,
with a bounded set of the latest ones in front of it; only ids seen more than once keep
their text and count. Two different ids share a digest with a probability of about
n² / 2¹²⁹ (1e-27 for a million reports): none will.
"""
from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["SeenIds"]

#: digests held in a set before they are merged into the sorted array: the set costs
#: ~90 bytes an entry, the array 16, and a merge copies the array once
_RECENT = 16_384


class SeenIds:
    """How many times each id was seen, as far as :func:`told_apart` asks: ``get(id,
    0)`` and ``seen[id] = n``, like the dict it replaces, in bounded memory per id."""

    def __init__(self) -> None:
        self._recent: set[bytes] = set()
        self._old = np.empty(0, dtype="S16")
        self._repeats: dict[str, int] = {}  # ids seen twice or more: their count

    @staticmethod
    def _digest(key: str) -> bytes:
        return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def _known(self, digest: bytes) -> bool:
        if digest in self._recent:
            return True
        old = self._old
        if not len(old):
            return False
        i = int(np.searchsorted(old, digest))
        # numpy gives a fixed-width bytes item back without its trailing NUL bytes
        return i < len(old) and old[i] == digest.rstrip(b"\0")

    def get(self, key: str, default: int = 0) -> int:
        n = self._repeats.get(key)
        if n is not None:
            return n
        return 1 if self._known(self._digest(key)) else default

    def __setitem__(self, key: str, n: int) -> None:
        if n > 1:
            self._repeats[key] = n
            return
        digest = self._digest(key)
        if self._known(digest):
            return
        self._recent.add(digest)
        if len(self._recent) >= _RECENT:
            self._merge()

    def __len__(self) -> int:
        return len(self._recent) + len(self._old)

    def _merge(self) -> None:
        new = np.sort(np.fromiter(self._recent, dtype="S16", count=len(self._recent)))
        self._old = np.insert(self._old, np.searchsorted(self._old, new), new)
        self._recent = set()
