"""The cue phrases (geo/vocab/cues.toml) and agencies (geo/vocab/agencies.csv) as data: every
row is found by the pattern built from it, every speed gate lets every entry through, no
pattern matches nothing at all, and a bad row is refused at load naming its file."""
from __future__ import annotations

import re

import pytest

from geo import vocab
from geo.errors import VocabularyError
from geo.extraction import agencies as ag
from geo.extraction import cues
from geo.text.patterns import Gated

_CUES = vocab.config("cues.toml")["cues"]
_SLOTS = vocab.config("cues.toml")["slots"]
_AGENCY_ROWS = vocab.table("agencies.csv")

# the pattern each [cues] list is compiled to, as the extractor uses it
_COMPILED = {
    "statistics": cues.STAT, "hypothetical": cues.HYPO, "destroyed": cues.DESTROY,
    "destroyed_strong": cues.DESTROY_STRONG, "eradication": cues.ERAD, "attempt": cues.ATTEMPT,
    "lump": cues.LUMP, "seize_verb": cues.SEIZE_VERB, "breakdown_start": cues.BREAKDOWN_START,
    "lab_verb": cues.LAB_VERB, "lab_not": cues.LAB_NOT, "national": cues.NATIONAL,
    "at_sea": cues.AT_SEA, "gap_break": cues.GAP_BREAK, "gap_naming": cues.GAP_NAMING,
    "incident_opener": cues.INCIDENT_OPENER, "destroyed_stock": cues.DESTROYED_STOCK,
    "listing": cues.LISTING, "same_place": cues.SAME_PLACE,
}


def _plain(name: str) -> list[str]:
    return [e for e in _CUES[name] if not e.startswith("re:")]


def test_every_cue_list_is_used():
    assert set(_COMPILED) == set(_CUES)


@pytest.mark.parametrize("name", sorted(_CUES))
def test_every_cue_entry_is_matched_by_its_list_pattern(name):
    pat = _COMPILED[name]
    for entry in _plain(name):
        text = entry.strip("*")
        for variant in (text, text.upper(), text.capitalize()):
            m = pat.search(variant)
            assert m, (name, variant)


@pytest.mark.parametrize("name", sorted(_CUES))
def test_whole_word_entries_are_not_found_inside_longer_words(name):
    for entry in _plain(name):
        regex = re.compile("(?i)" + cues.entry_regex(entry))
        body = entry.strip("*")
        if not entry.startswith("*") and body[0].isalnum():
            assert not regex.search("x" + body), entry  # "DEA" is not in "IDEA"
        if not entry.endswith("*") and body[-1].isalnum():
            assert not regex.search(body + "x"), entry


def test_gates_admit_every_entry():
    gated = {n: p for n, p in _COMPILED.items() if isinstance(p, Gated)}
    assert {"statistics", "destroyed", "destroyed_strong", "eradication"} <= set(gated)
    for name, pat in gated.items():
        for entry in _plain(name):
            assert pat._may_match(entry.strip("*")), (name, entry)
    # the first-letter lookaheads are read off the lists
    assert "(?=[abcdfinopsty])" in cues.STAT.pattern  # "between 2016 and 2019" adds b
    assert "(?=[abcdipsw])" in cues.DESTROY.pattern
    for name in ("statistics", "destroyed", "destroyed_strong", "eradication"):
        letters = cues.first_letters(cues.entry_regex(e) for e in _CUES[name])
        assert letters and all(e.strip("*")[0].lower() in letters for e in _plain(name))


def test_every_lab_noun_holds_a_stem():
    nouns = [n for n in _SLOTS["lab_noun"] if not n.startswith("re:")]
    nouns += ["structures used to make", "structures used for processing"]
    for noun in nouns:
        assert any(stem in noun.lower() for stem in cues.LAB_STEMS), noun
        assert re.fullmatch("(?i)" + cues.LAB_NOUN, noun), noun
    assert len(cues.LAB_STEMS) <= 6  # shared beginnings, not every noun


@pytest.mark.parametrize("name", sorted(_SLOTS))
def test_every_slot_entry_is_matched_by_its_alternation(name):
    alt = re.compile("(?i)" + cues.slot(name))
    for entry in _SLOTS[name]:
        if not entry.startswith("re:"):
            assert alt.fullmatch(entry), (name, entry)


def test_no_pattern_matches_the_empty_string():
    pats = dict(_COMPILED)
    pats.update({f"slot {n}": re.compile(cues.slot(n)) for n in _SLOTS})
    pats.update({"total_after": cues.TOTAL_AFTER, "joiner": cues.JOINER,
                 "units_weighing": cues.UNITS_WEIGHING, "here": cues.HERE,
                 "here_reporting": cues.HERE_REPORTING, "hard_sep": cues.HARD_SEP,
                 "actor": ag.ACTOR, "hedge_above": cues.HEDGE_ABOVE,
                 "hedge_about": cues.HEDGE_ABOUT, "continental": cues.CONTINENTAL_FIGURE})
    pats.update({f"agency {name}": g for g, name in ag.AGENCY_RES})
    for name, p in pats.items():
        rx = p.rx if isinstance(p, Gated) else p
        assert rx.search("") is None, name
    # (FORWARD_LINK matches an empty gap on purpose: "5 kg heroin")
    assert cues.FORWARD_LINK.match("")


def test_patterns_built_from_lists_find_what_the_rules_read():
    assert cues.STAT.search("seized so far this year")
    assert not cues.STAT.search("seized earlier this year")
    assert cues.DESTROY.search("the drugs were set on fire")
    assert cues.LUMP.search("in 12 northern provinces")
    assert cues.TOTAL_AFTER.match(" in all")
    assert cues.JOINER.match(" as well as other ") and not cues.JOINER.match(" with ")
    assert cues.UNITS_WEIGHING.fullmatch(" tablets (weighing about ")
    assert cues.HERE.search("was arrested here") and not cues.HERE.search("there")
    assert "pills" in cues.DOSAGE_UNITS and "es" in cues.CONTINENTAL_LANGUAGES


def test_word_sets_name_what_the_rules_compare_with():
    from geo.text.substances import GROUPS

    assert cues.CAPSULE_GROUPS <= set(GROUPS.values())
    assert all(re.fullmatch(r"[a-z]{2}", c) for c in cues.CONTINENTAL_LANGUAGES)
    assert cues.HEDGE_ABOVE.match("just over") and not cues.HEDGE_ABOVE.match("nearly")
    assert cues.CONTINENTAL_FIGURE.search("1,3 tonnes") and not cues.CONTINENTAL_FIGURE.search("1,300 t")


# --------------------------------------------------------------------------- agencies
@pytest.mark.parametrize("row", _AGENCY_ROWS, ids=lambda r: r["pattern"])
def test_every_agency_row_finds_its_example(row):
    own = re.compile(ag._row_regex(row))
    assert own.search(row["example"]), "the row's own pattern misses its example"
    found = ag.sentence_agencies(row["example"])
    assert row["name"] in found, found
    assert row["name"] in ag.most_specific(found)


def test_agency_attributes():
    names = [name for _, name in ag.AGENCY_RES]
    assert len(names) == len(set(names))
    assert ag.IMPLIES["SEMAR"] == ("navy",) and "police" in ag.GENERIC
    assert ag.COUNTRY["NCA"] == "GB" and ag.COUNTRY["police"] == ""
    for row in _AGENCY_ROWS:
        assert row["note"] and row["example"]
        assert (row["country"] == "") or re.fullmatch(r"[A-Z]{2}", row["country"])
        assert row["generic"] != "yes" or row["country"] == ""
    # a specific agency implies its generic word: not reported beside it
    assert ag.most_specific(("SEMAR", "navy", "police")) == ("SEMAR", "police")


def test_acronyms_keep_their_other_meanings_out():
    assert ag.sentence_agencies("Pakistan's NCA chairman spoke.") == ()
    assert ag.sentence_agencies("BNN Bloomberg reported it.") == ()
    assert ag.sentence_agencies("A boat on Lake Garda.") == ()
    assert ag.sentence_agencies("The IDEA of it.") == ()


def _write(tmp_path, monkeypatch, name, text):
    for f in vocab.VOCAB_DIR.iterdir():
        if f.is_file() and f.suffix in (".csv", ".toml", ".txt", ".tsv"):
            (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(vocab, "VOCAB_DIR", tmp_path)
    vocab.clear_caches()


def test_bad_agency_rows_are_refused(tmp_path, monkeypatch):
    header = "pattern,regex,name,country,generic,implies,example,note\n"
    bad = {
        "DEA,,DEA,US,,,x,y\nD.E.A.,,DEA,GB,,,x,y\n": "other country",
        "DEA,,DEA,US,,,x,y\nDEA,,DEA,US,,,x,y\n": "twice",
        "DEA,,DEA,USA,,,x,y\n": "ISO",
        "SEMAR,,SEMAR,MX,,navy,x,y\n": "not a generic",
        "(?:x)?,yes,X,,,,x,y\n": "empty string",
    }
    try:
        for rows, message in bad.items():
            _write(tmp_path, monkeypatch, "agencies.csv", header + rows)
            with pytest.raises(VocabularyError, match=message):
                ag._load()
    finally:
        monkeypatch.undo()
        vocab.clear_caches()


def test_bad_cue_lists_are_refused(tmp_path, monkeypatch):
    good = (vocab.VOCAB_DIR / "cues.toml").read_text(encoding="utf-8")
    try:
        _write(tmp_path, monkeypatch, "cues.toml", good.replace(
            'total_after = ["in all"', 'total_after = ["in all*"'))
        with pytest.raises(VocabularyError, match="total_after"):
            cues.slot("total_after")
        _write(tmp_path, monkeypatch, "cues.toml", good.replace(
            'attempt = [\n', 'attempt = [\n  "sneak*",\n'))
        with pytest.raises(VocabularyError, match="listed twice"):
            cues.cue_entries("attempt")
    finally:
        monkeypatch.undo()
        vocab.clear_caches()


def test_gate_keys_stay_few_and_rare():
    # a gate tests each key per text: a key of one or two letters lets nearly every text
    # through, and listing every surface of a phrase must not multiply the tests
    for g, name in ag.AGENCY_RES:
        assert g.keys and all(len(k) >= 3 for k in g.keys), (name, g.keys)
    for name, p in _COMPILED.items():
        if isinstance(p, Gated):
            assert p.keys and len(p.keys) <= 40 and all(len(k) >= 3 for k in p.keys), name
    assert {"FSKN", "Federal Drug Control Service"} == set(ag.AGENCY_RES[0][0].keys)


def test_cues_that_name_months_numbers_or_hedges_read_those_tables():
    # one row in months.csv / numbers.csv / hedges.csv reaches the cues too: no second copy
    from geo.text import dates
    from geo.text.quantities import HEDGES, number_words

    for month in dates.month_words("en", "full"):
        assert cues.STAT.search(f"seized since {month.title()}"), month
    for word, value in number_words("small").items():
        if 2 <= value <= 12:
            assert cues.STAT.search(f"seized in {word} years"), word
    for phrase in HEDGES["more"]:
        assert cues.HEDGE_ABOVE.match(phrase), phrase
        for modifier in HEDGES["modifier"]:
            assert cues.HEDGE_ABOVE.match(f"{modifier} {phrase}"), (modifier, phrase)
    for phrase in HEDGES["about"]:
        assert cues.HEDGE_ABOUT.match(phrase) and not cues.HEDGE_ABOVE.match(phrase), phrase
