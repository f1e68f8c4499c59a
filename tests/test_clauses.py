"""The clause chunker (geo.text.clauses, issue 11 "clause scope"): clauses end where the
extractor cuts a figure's context, figures joined by their own phrase and a joiner are one
list, and a list that is its clause's subject is governed by the verb group after it."""
from __future__ import annotations

import re

import pytest

from geo.text.clauses import figure_lists, split_clauses

_FIGURE = re.compile(r"\d[\d,.]*\s*(?:kg|tonnes|grams)")


def _lists(sentence: str):
    spans = [m.span() for m in _FIGURE.finditer(sentence)]
    return spans, figure_lists(sentence, 0, len(sentence), spans)


def test_clauses_cover_the_sentence_and_end_at_contrasts():
    s = "Police seized 40 kg of opium in Helmand, while 30 kg of heroin was found in Kandahar; three men were held."
    parts = [s[c.start:c.end] for c in split_clauses(s)]
    assert parts[0] == "Police seized 40 kg of opium in Helmand"
    assert parts[1].startswith(" 30 kg of heroin") and parts[2].startswith(" three men")
    assert split_clauses("No break here.")[0].end == len("No break here.")


@pytest.mark.parametrize("sentence, predicate", [
    ("40 kg of opium, 12 kg of heroin and 5 kg of hashish were burned at a ceremony.",
     "were burned at a ceremony."),
    ("In Helmand, 40 kg of opium, 12 kg of heroin and 5 kg of hashish that had been seized earlier were burned.",
     "that had been seized earlier were burned."),
    ("Police said 40 kg of opium and 12 kg of heroin (brown sugar) would have been sold in Europe.",
     "would have been sold in Europe."),
    ("A total of 40 kg of opium as well as 12 kg of heroin were found in a truck.",
     "were found in a truck."),
])
def test_a_subject_list_is_governed_by_the_verb_after_it(sentence, predicate):
    spans, found = _lists(sentence)
    assert len(found) == 1 and found[0].items == tuple(range(len(spans)))
    start, end = found[0].predicate
    assert sentence[start:end] == predicate


@pytest.mark.parametrize("sentence", [
    # the object of a verb: the words before the list already reach every item
    "Police seized 40 kg of opium, 12 kg of heroin and 5 kg of hashish in a raid.",
    "Customs found 40 kg of opium and 12 kg of heroin that had been hidden in a truck.",
])
def test_an_object_list_has_no_predicate_of_its_own(sentence):
    spans, found = _lists(sentence)
    assert len(found) == 1 and len(found[0].items) == len(spans)
    assert found[0].predicate is None


@pytest.mark.parametrize("sentence", [
    # two clauses: a contrast, a semicolon
    "Police seized 40 kg of opium in Helmand, while 300 kg of heroin was burned at a ceremony.",
    "40 kg of opium was seized in Helmand; 300 kg of heroin was burned at a ceremony.",
    # a verb between the figures: two statements, no list
    "40 kg of opium was seized and 300 kg of heroin was burned.",
])
def test_figures_in_other_clauses_or_statements_are_no_list(sentence):
    _, found = _lists(sentence)
    assert found == []


@pytest.mark.parametrize("sentence, predicate", [
    # the predicate ends at a comma or at an "and" that starts another statement
    ("In Helmand, 40 kg of opium and 12 kg of heroin were seized on Monday, bringing the total to a record.",
     "were seized on Monday"),
    ("In Helmand, 40 kg of opium and 12 kg of heroin were seized and 300 kg of hashish was burned.",
     "were seized"),
    # ... not at an "and" that joins two verbs of the list
    ("In Kandahar, 40 kg of opium and 12 kg of heroin were found and set on fire on Monday.",
     "were found and set on fire on Monday."),
    # a relative clause set off by commas before the verb belongs to it
    ("In Helmand, 40 kg of opium and 12 kg of heroin, which had been seized earlier, were burned.",
     "which had been seized earlier, were burned."),
])
def test_the_predicate_is_the_lists_own_verb_group(sentence, predicate):
    spans, found = _lists(sentence)
    start, end = found[0].predicate
    assert sentence[start:end] == predicate


def test_a_comma_after_an_object_does_not_make_a_subject():
    spans, found = _lists("Police in Helmand seized a truck, 40 kg of opium and 12 kg of heroin, "
                          "which would have fetched a fortune.")
    assert found and found[0].predicate is None


@pytest.mark.parametrize("sentence, own", [
    ("one off Lagos with 40 kg of cocaine and the other off Calabar with 30 kg", " of cocaine"),
    ("40 kg of hashish near the coast, and the other uncovered a warehouse", " of hashish near the coast"),
    ("40 kg of heroin in another vehicle stopped nearby", " of heroin in another vehicle stopped nearby"),
    ("40 kg of heroin in Helmand; police said", " of heroin in Helmand"),
])
def test_a_figures_own_phrase_ends_at_the_next_item(sentence, own):
    from geo.text.clauses import own_phrase_end

    m = _FIGURE.search(sentence)
    assert sentence[m.end():own_phrase_end(sentence, m.end(), len(sentence))] == own
