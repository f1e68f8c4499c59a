"""Extraction: one report in, its seizure events out.

Takes a report (from :mod:`geo.read`) and the place context (gazetteer, geocoder), and
gives :class:`~geo.events.Event` rows: which figures are seizures, what substance each
is of, which place mention it belongs to (:mod:`~geo.extraction.linking`), its date and
agencies. An area of a drug crop destroyed is no seizure but an eradication record
(:mod:`~geo.extraction.eradication`), handed over with the figures not recorded.
:mod:`~geo.extraction.scanning` reads a report's vocabulary in one pass first (a report
holding no figure and no lab is passed over then). :mod:`~geo.extraction.parallel` runs
the per-report function over processes, sending back compact rows
(:func:`geo.events.event_row`).

Two ways in: :func:`geo.extract` returns every event in one GeoDataFrame;
:func:`geo.iter_events` (:mod:`geo.pipeline`) yields the same events one plain dict at a
time, reading and extracting in batches, for archives too large to hold at once.
"""
