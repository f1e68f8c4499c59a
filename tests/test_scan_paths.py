"""More speed paths checked against the plain computation they replace: the one-pass agency
gate, and the unit and number caches of geo.text.quantities (keyed on all they depend on)."""
from __future__ import annotations

import random

import pytest

_SENTENCES = [
    "Afghan drug police (CNPA) and NDS officers seized 120 kg near Dalbandin.",
    "The Philippine Drug Enforcement Agency, not the DEA, led the raid with the NAVY.",
    "Counter-narcotics police, border guards and Customs found it; the army helped.",
    "Polícia Federal agents and the Federal Police of Mexico; Sindh Rangers; Frontier Corps.",
    "FSKN, FSB and the National Security Committee (KNB) reported 5 t; SCNS and GKNB agreed.",
    "nothing to see here",
    "",
]


def test_sentence_agencies_match_a_search_of_every_pattern():
    import geo.extraction.agencies as ag

    vocab = sorted({w for g, _ in ag.AGENCY_RES for k in g.keys for w in [k, *k.split()]})
    vocab += ["police", "Police", "POLICE", "guards", "drug", "-", "of", "the", "said"]
    rnd = random.Random(7)
    texts = _SENTENCES + [" ".join(rnd.choice(vocab) for _ in range(rnd.randrange(12)))
                          for _ in range(3000)]
    for text in texts:
        hits = [i for i, (g, _) in enumerate(ag.AGENCY_RES) if g.rx.search(text)]
        plain = tuple(ag.AGENCY_RES[i][1] for i in ag.outside_names(text, hits))
        assert ag.sentence_agencies.__wrapped__(text) == plain, text
    # "drug police" and "police" only inside the named agency's own name
    assert ag.sentence_agencies(_SENTENCES[0]) == ("Afghan drug police (CNPA)",)
    assert ag.sentence_agencies(_SENTENCES[0] + " Local police helped.") == (
        "Afghan drug police (CNPA)", "police")


def test_unit_cache_keeps_the_us_ton_apart():
    from geo.text.quantities import normalize_unit, to_kg

    assert normalize_unit("Tons") == "t"
    assert normalize_unit("Tons", us=True) == "ton_us"
    assert normalize_unit("Tons") == "t"  # the US reading did not stick
    assert to_kg(2, "tons") == pytest.approx(2000.0)
    assert to_kg(2, "tons", us=True) == pytest.approx(1814.36948)
    assert normalize_unit(" kilo  grams ") is None and normalize_unit("KGS") == "kg"
    with pytest.raises(AttributeError):
        normalize_unit(None)  # not text: fails as before the cache


def test_number_cache_raises_every_time():
    from geo.text.quantities import _num_value, find_quantities

    for _ in range(2):
        with pytest.raises(ValueError):
            _num_value("twelve bananas")
    assert _num_value("1,500") == (1500.0, 1.5)
    assert _num_value("4,2 million") == (4_200_000.0, None)
    first = [(q.value, q.alt_value, q.unit) for q in find_quantities("1.900 kg and 1.900 kg")]
    assert first == [(1.9, 1900.0, "kg")] * 2


def test_substance_candidates_are_the_first_words_a_word_pass_finds():
    from geo.text.substances import _WORD, _candidate_words, _first_words

    firsts = _first_words()
    vocab = sorted(firsts)[::3] + ["\u212ahat", "İce", "ΣΑΣ", "heroinΣ", "the_drugs", "tHe",
                                   "drugs.", "-", "'", "x", "ﬁne", "ХЕРОИН"]
    rnd = random.Random(11)
    texts = []
    for i in range(2000):
        text = rnd.choice([" ", "-", ", ", "\u00a0"]).join(
            rnd.choice(vocab) for _ in range(rnd.randrange(12)))
        texts.append(text.upper() if i % 3 == 0 else text)
    for text in texts:
        plain = [(w.start(), w.end(), w.group().lower()) for w in _WORD.finditer(text)
                 if w.group().lower() in firsts]
        assert list(_candidate_words(text)) == plain, text
    # both paths ran: texts whose lower-casing changes lengths ("İ") take the word pass
    assert 30 < sum(len(t.lower()) != len(t) for t in texts) < 1900
