"""Text mechanics: sentences, numbers, quantities, substance words, dates.

Takes plain strings and gives spans with offsets: sentences (:mod:`~geo.text.sentences`),
numbers and figures with their units (:mod:`~geo.text.quantities`, :mod:`~geo.text.units`
through pint), substance mentions with their canonical names
(:mod:`~geo.text.substances`), dates (:mod:`~geo.text.dates`); the words of any list found in one pass
(:mod:`~geo.text.scan`, an Aho-Corasick automaton). Holds no knowledge of
seizures, places or reports: every rule here would hold in any text about drugs.
"""
