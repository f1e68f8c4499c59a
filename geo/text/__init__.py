"""Text mechanics: sentences, numbers, quantities, substance words, dates.

Takes plain strings and gives spans with offsets: sentences, figures with their units
(through pint), substance mentions with their canonical names. Holds no knowledge of
seizures, places or reports: every rule here would hold in any text about drugs.
"""
