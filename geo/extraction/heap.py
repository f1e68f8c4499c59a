"""Whether a process sets its loaded heap aside from Python's cyclic garbage collector.

Kept apart from geo.extraction.core so that the processes the project runs (the ``geo``
command, its --jobs and dask workers) can ask for it without importing the extractor.
"""
from __future__ import annotations

import gc

__all__ = ["set_heap_aside_after_load", "set_aside_loaded"]

# whether this process sets its heap aside once the places are loaded: the processes the
# project runs (the ``geo`` command, its --jobs and dask workers) do; a program that calls
# the library keeps its own collector policy unless it asks (set_heap_aside_after_load)
_HEAP_ASIDE = {"on": False}


def set_heap_aside_after_load(on: bool = True) -> None:
    """Let the first loaded :class:`ExtractionContext` of this process ``gc.freeze()`` what
    the process then holds (see :func:`set_aside_loaded`): for a process that does little
    but extract, as the ``geo`` command and its workers."""
    _HEAP_ASIDE["on"] = on


def set_aside_loaded() -> None:
    """``gc.freeze()`` what the process holds once its places are loaded, the first time,
    where the process asked for it (:func:`set_heap_aside_after_load`).

    The ~125,000 objects a loaded process tracks (the modules and functions of pandas,
    numpy, pint, geopandas, the place index) live as long as the process; yet every full
    pass of the cyclic collector, a few per thousand reports, walks them all (the
    collector took 7.5% of the CPU time of 600 distinct reports, 2.9% with them frozen).
    Frozen, they are left out of the passes (and a forked worker
    does not write to the pages it shares with its parent to count their references).
    Reference counting still frees them; only garbage cycles among objects that exist now
    would outlive the process's use of them. Nothing is frozen where the process froze
    objects itself (its own policy stands) or runs with the collector off.
    """
    if _HEAP_ASIDE["on"] and gc.isenabled() and gc.get_freeze_count() == 0:
        gc.collect()  # what is garbage already is freed, not set aside
        gc.freeze()
