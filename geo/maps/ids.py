"""Reproducible element ids for folium/branca pages."""
from __future__ import annotations

import contextlib
import itertools
from typing import Iterator


@contextlib.contextmanager
def deterministic_element_ids() -> Iterator[None]:
    """Number branca/folium element ids 1, 2, 3 ... while the block runs.

    branca draws each element's id from ``os.urandom``, and the ids appear in the saved
    HTML (``map_<id>``, ``geo_json_<id>``), so the same map would differ byte for byte on
    every run. A counter keeps ids unique within the page and makes the page
    reproducible. Blocks may nest: the inner one numbers its own elements from 1 and the
    outer numbering resumes after it.
    """
    try:
        from branca.element import Element
    except ImportError:  # no branca, nothing random to tame
        yield
        return
    counter = itertools.count(1)
    original = Element.__dict__.get("_generate_id")
    Element._generate_id = classmethod(lambda cls: f"{next(counter):032x}")
    try:
        yield
    finally:
        if original is not None:
            Element._generate_id = original
        else:
            del Element._generate_id
