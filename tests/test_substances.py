"""The substance vocabulary (geo.text.substances); terms and texts with their substances are
cases in tests/cases/substances.jsonl."""
import pytest

from geo.text.substances import GROUPS, SUBSTANCES, canonical


@pytest.mark.parametrize("word", ["", None])
def test_no_word_is_no_drug(word):
    assert canonical(word) is None


def test_vocabulary_covers_design():
    assert set(SUBSTANCES) >= {"heroin", "morphine", "opium", "opium_poppy", "cocaine", "coca_paste",
                               "coca_leaf", "cannabis_herb", "cannabis_resin", "cannabis_plant",
                               "methamphetamine", "amphetamine", "mdma", "captagon", "fentanyl",
                               "tramadol", "ketamine", "precursor", "unspecified"}
    assert set(GROUPS.values()) == {"opiates", "cocaine", "cannabis", "ats", "other", "precursors"}


@pytest.mark.parametrize("text", [
    "He said 'oman' was seized; \"oman\" and 'Oman' and “oman”",
    "anti-heroin drive, non-drug raids, counter-narcotics; then heroin-base and heroin base",
    "HEROÍNA y COCAINA; героин, гашиш; Cocaïne",
    "Raw materials used for the production of drugs, other chemicals used to make heroin",
    "a-pvp and alpha-PVP, crystal   meth, crystal-meth, ice cream and ICE",
    "1,500 kilos of morphine, 1,200 kilos opium, 2,000 kilos of seeds of opium poppy",
])
def test_scan_only_at_candidate_words_matches_a_full_scan(text):
    # the fast scan tries the vocabulary only at words that begin a term; it must find
    # exactly what the vocabulary pattern finds when tried at every position
    from geo.text.substances import _scan, _scanner

    full = [(m.start(), m.end()) for m in _scanner().finditer(text)]
    assert [(m.start(), m.end()) for m in _scan(text)] == full
    assert full  # each sample holds terms
