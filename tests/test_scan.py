"""The one-pass vocabulary scanner (geo.text.scan) and the report vocabulary built on it
(geo.extraction.scanning): candidates with their offsets, whole words, case and accents as
the vocabulary means them, and the figure gate never passing over a figure or a lab."""
from __future__ import annotations

import random

import pytest

from geo.errors import GeoError
from geo.text.scan import Entry, Scanner, fold


def _found(scanner: Scanner, text: str) -> list[tuple[str, str, int, int]]:
    return [(h.kind, text[h.start:h.end], h.start, h.end) for h in scanner.scan(text)]


def test_fold_keeps_every_offset():
    for text in ["Police seized 5 KG", "İstanbul — ſo ı", "ÉCSTASY 12kg", "a\u00a0b\tc\nd",
                 "١٢ kg", "e\u0301"]:
        folded = fold(text)
        assert len(folded) == len(text)
    assert fold("Kabul's 5,000-KG haul!") == "kabul s 0 000 kg haul "
    assert fold("İSTANBUL ſo ı") == "istanbul so i"  # what IGNORECASE equates, for a gate
    assert fold("cocaína") == "cocaína"  # accents are kept


def test_candidates_with_offsets_and_whole_words():
    sc = Scanner([Entry("kg", "unit", "kg", after_digit=True), Entry("t", "unit", "t", after_digit=True),
                  Entry("heroin", "substance"), Entry("crystal meth", "substance"),
                  Entry("ceremon", "cue", right=False), Entry("incinerat", "cue", left=False, right=False)])
    text = "Police seized 5kg of HEROIN and 3 t of crystal-meth; heroines, kgs, Kt. Ceremonies."
    assert _found(sc, text) == [
        ("unit", "kg", 15, 17), ("substance", "HEROIN", 21, 27), ("unit", "t", 34, 35),
        ("substance", "crystal-meth", 39, 51), ("cue", "Ceremon", 72, 79)]
    # open at both sides: inside a longer word
    assert _found(sc, "They were reincinerated.") == [("cue", "incinerat", 12, 21)]
    # at the very ends of the text
    assert _found(sc, "kg") == [("unit", "kg", 0, 2)] and _found(sc, "5kg") == [("unit", "kg", 1, 3)]
    assert _found(sc, "akg tkg") == []  # glued to a letter: no whole word
    assert _found(sc, "heroin") == [("substance", "heroin", 0, 6)]


def test_case_and_accents_as_the_vocabulary_says():
    sc = Scanner([Entry("DEA", "agency", "DEA", case=True), Entry("cocaína", "substance"),
                  Entry("ice", "substance")])
    text = "The DEA, not the idea nor Dea; COCAÍNA, cocaina; ICE and ıce"
    found = _found(sc, text)
    assert ("agency", "DEA", 4, 7) in found
    assert not [f for f in found if f[1] == "Dea"]  # an acronym is matched as written
    at = text.index("COCAÍNA")
    assert ("substance", "COCAÍNA", at, at + 7) in found
    assert not [f for f in found if f[1] == "cocaina"]  # accents are exact, as in the table
    assert [f[1] for f in found if f[0] == "substance"][-2:] == ["ICE", "ıce"]


def test_a_word_in_two_lists_is_two_hits_and_kinds_can_be_asked():
    sc = Scanner([Entry("pills", "unit", "pills"), Entry("pills", "substance", "pill")])
    hits = sc.scan("500 pills")
    assert [(h.kind, h.value) for h in hits] == [("unit", "pills"), ("substance", "pill")]
    assert [h.kind for h in sc.scan("500 pills", kinds={"substance"})] == ["substance"]
    assert next(sc.hits("no such words here"), None) is None


def test_a_word_without_letters_is_refused():
    with pytest.raises(GeoError, match="has no letter or digit"):
        Scanner([Entry(" - ", "cue")])


def test_report_vocabulary_finds_each_kind():
    from geo.extraction.scanning import scan_report

    text = ("KABUL, March 3 - Afghan police and the DEA seized two tonnes of heroin and "
            "destroyed three drug laboratories so far this year; 36.202kg of hashish, twokg.")
    found = {(h.kind, text[h.start:h.end]) for h in scan_report(text)}
    assert {("unit", "tonnes"), ("number", "two"), ("substance", "heroin"),
            ("agency", "DEA"), ("cue", "so far"), ("unit", "kg"),
            ("substance", "hashish"), ("figure", "twokg")} <= found
    assert [k for k, w in found if k == "lab" and "laboratories".startswith(w.lower())]
    for h in scan_report(text):
        assert text[h.start:h.end].lower().replace("-", " ") == h.word.lower() or h.kind == "lab"


def test_article_with_a_unit_is_a_figure_after_half_only():
    from geo.extraction.scanning import may_hold_figure, scan_report

    assert not may_hold_figure("They met at the station and left at noon.")
    assert may_hold_figure("They found half at the port.")  # "half a t(onne)" to the reader
    assert ("figure", "at") in {(h.kind, "They found half at the port."[h.start:h.end])
                                for h in scan_report("They found half at the port.")}


def _texts() -> list[str]:
    from geo.text.units import UNIT_ROWS
    from geo.text.quantities import number_words

    units = [w.surface for w in UNIT_ROWS if w.prose]
    numbers = list(number_words(in_words=True))
    vocab = units + numbers + ["5", "1,500", "36.202", "half", "a", "an", "and", "of", "-",
                               "ecstasy", "drug", "lab", "laboratories", "İ", "ı", "ſ", "x",
                               "10^3", "1e3", "at", "the", "said", "police", "(", ")", "mil", "3000x",
                               "metric", "xanax", "million", "crore"]
    rnd = random.Random(11)
    out = []
    for i in range(4000):
        sep = rnd.choice([" ", "", "-", "  ", "\n", ", "])
        text = sep.join(rnd.choice(vocab) for _ in range(rnd.randrange(1, 6)))
        out.append(text.upper() if i % 3 == 0 else text.title() if i % 3 == 1 else text)
    return out


def test_the_gate_never_passes_over_a_figure_or_a_lab():
    from geo.extraction.core import _has_lab_noun
    from geo.extraction.scanning import may_hold_figure
    from geo.text.quantities import find_quantities

    samples = ["3000x Xanax Tabs were found", "2 metric  tons", "twox Xanax Tabs", "5million kg",
               "half akilo", "four hundred and fifty-\n\nkilograms", "Two  -  kilos", "TWO TABLETS",
               "a tonne of it", "12 ecstasy pills", "36.202kg", "١٢ kg", "1e3 kg", "10^12 kg"]
    for text in samples:
        assert find_quantities(text), text  # each is a figure to the reader
        assert may_hold_figure(text), text
    passed_over = 0
    for text in _texts():
        if find_quantities(text) or _has_lab_noun(text):
            assert may_hold_figure(text), text
        else:
            passed_over += not may_hold_figure(text)
    assert passed_over > 200  # and it does pass over texts without one


def test_extraction_passes_over_a_story_without_figures_the_same():
    import geo
    from geo.read.reports import Report

    story = Report(id="quiet", text=(
        "KABUL - Officials met in Kabul on Monday to discuss border security with "
        "delegates from Tajikistan.\n\nThe talks will resume at the end of the month."))
    assert len(geo.extract([story])) == 0


def test_a_missing_automaton_library_fails_at_import_with_a_clear_error(tmp_path):
    import subprocess
    import sys

    # a stand-in package that fails to import, as a missing one does
    (tmp_path / "ahocorasick.py").write_text("raise ImportError('No module named ahocorasick')\n")
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "try:\n    import geo.extraction.core\n"
            "except Exception as exc:\n    print(type(exc).__name__, exc)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.startswith("GeoError") and "pyahocorasick" in out.stdout, out.stdout + out.stderr
