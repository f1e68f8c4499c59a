"""The substance vocabulary (geo.text.substances)."""
import pytest

from geo.text.substances import GROUPS, SUBSTANCES, canonical, find_substances


@pytest.mark.parametrize("word,substance", [
    ("hashish", "cannabis_resin"), ("charas", "cannabis_resin"), ("chars", "cannabis_resin"),
    ("hash oil", "cannabis_resin"), ("marijuana", "cannabis_herb"), ("ganja", "cannabis_herb"),
    ("bhang", "cannabis_herb"), ("Cannabis Sativa", "cannabis_herb"),
    ("crystal meth", "methamphetamine"), ("ICE", "methamphetamine"), ("shabu", "methamphetamine"),
    ("crystal", "methamphetamine"), ("cocaine base", "coca_paste"), ("pasta básica", "coca_paste"),
    ("coca base paste", "coca_paste"), ("cocaine hydrochloride", "cocaine"),
    ("seeds of opium poppy", "opium_poppy"), ("liquid opium", "opium"), ("Heroine", "heroin"),
    ("ecstasy", "mdma"), ("captagon", "captagon"), ("fentanyl", "fentanyl"),
    # the structured-table reader's other languages
    ("BASE DE COCA", "coca_paste"), ("MARIHUANA", "cannabis_herb"), ("COCAINA", "cocaine"),
    ("героин", "heroin"), ("гашиш", "cannabis_resin"), ("cocaïne", "cocaine"), ("héroïne", "heroin"),
    ("illicit drugs", "unspecified"), ("Happy-5", "unspecified"),
])
def test_canonical(word, substance):
    sub, group, _ = canonical(word)
    assert sub == substance and group == GROUPS[substance]


def test_precursors_keep_the_chemical():
    assert canonical("acetic anhydride") == ("precursor", "precursors", "acetic anhydride")
    assert canonical("ammonium chloride") == ("precursor", "precursors", "ammonium chloride")


@pytest.mark.parametrize("word", ["diesel", "explosives", "medicines", "caffeine", "Kabul", "", None])
def test_not_drugs(word):
    assert canonical(word) is None


def test_vocabulary_covers_design():
    assert set(SUBSTANCES) >= {"heroin", "morphine", "opium", "opium_poppy", "cocaine", "coca_paste",
                               "coca_leaf", "cannabis_herb", "cannabis_resin", "cannabis_plant",
                               "methamphetamine", "amphetamine", "mdma", "captagon", "fentanyl",
                               "tramadol", "ketamine", "precursor", "unspecified"}
    assert set(GROUPS.values()) == {"opiates", "cocaine", "cannabis", "ats", "other", "precursors"}


def test_scan_longest_match_and_blockers():
    found = find_substances("2,000 kilos of seeds of opium poppy, 63 kg of explosive material and "
                            "1,900 kg of assorted materials used to make heroin")
    kinds = [(m.text, m.kind, m.substance) for m in found]
    assert ("seeds of opium poppy", "drug", "opium_poppy") in kinds
    assert ("explosive material", "block", None) in kinds
    assert ("assorted materials used to make heroin", "drug", "precursor") in kinds
    assert not any(m.substance == "heroin" for m in found)


def test_quoted_oman_is_ephedra_not_the_country():
    found = find_substances('1800 kilograms of "oman" [amphetamine] ... flights to Oman')
    assert found[0].substance == "precursor" and "ephedra" in found[0].detail
    assert all(m.text != "Oman" for m in found)


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


@pytest.mark.parametrize("text, substances", [
    ("A polícia apreendeu 3 quilos de cloridrato de cocaína e 2 quilos de haxixe em Recife.",
     ["cocaine", "cannabis_resin"]),
    ("Foram apreendidos 10 quilos de crack e 5 quilos de lança-perfume.", ["cocaine", "unspecified"]),
])
def test_portuguese_drug_words_are_their_own_substance(text, substances):
    from geo.extraction.core import extract_report
    from geo.read.reports import Report

    assert [e.substance for e in extract_report(Report(id="x", text=text))] == substances
