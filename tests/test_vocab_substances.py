"""The substance vocabulary as data: geo/vocab/substances.csv, groups.toml, substance_cues.toml.

Every term of the table is found in a plain sentence and read as its row says; the
substances and groups agree between the extractor and the aggregates; a table that
contradicts itself is refused at load, naming the file and line.
"""
import csv
import unicodedata

import pandas as pd
import pytest

from geo import aggregates, summary, vocab
from geo.errors import VocabularyError
from vocab_support import append_row, run_with_vocab
from geo.text import substances as S

ROWS = [r for r in vocab.table("substances.csv")]


def _key(term: str) -> str:
    # the lookup's reading of a term: lower case, accents dropped, hyphens as spaces
    t = "".join(c for c in unicodedata.normalize("NFKD", term.lower())
                if unicodedata.category(c) != "Mn")
    return " ".join(t.replace("-", " ").split())


def _sentence(row) -> str:
    term = f'"{row["term"]}"' if row["context"] == "quoted" else row["term"]
    return f"Police seized 5 kg of {term} in the port."


@pytest.mark.parametrize("row", ROWS, ids=[r["term"] for r in ROWS])
def test_every_term_is_found_in_a_plain_sentence_as_its_row_says(row):
    text = _sentence(row)
    found = S.find_substances(text)
    assert len(found) == 1, [(m.text, m.kind) for m in found]
    m = found[0]
    assert m.text.strip("\"") == row["term"]
    kind = row["kind"] if row["kind"] in ("generic", "anaphor", "block") else "drug"
    assert m.kind == kind
    assert m.substance == (row["substance"] or None)
    assert m.drug_group == (S.GROUPS[row["substance"]] if row["substance"] else None)
    if kind == "drug":
        # "(as found)": the words as found, lower case, without accents
        want = {"": None, "(as found)": S._key(row["term"])}.get(row["detail"], row["detail"])
        assert m.detail == want
    else:
        assert m.detail is None
    # the fast scan (candidate first words from the table) finds what the full pattern finds
    assert [(x.start(), x.end()) for x in S._scan(text)] == \
        [(x.start(), x.end()) for x in S._scanner().finditer(text)]


@pytest.mark.parametrize("row", [r for r in ROWS if r["context"]], ids=lambda r: r["term"])
def test_a_term_with_a_context_is_no_drug_out_of_it(row):
    if row["context"] == "quoted":
        # unquoted it is something else ('oman' is ephedra, Oman the country)
        assert S.find_substances(f"Police seized 5 kg of {row['term']} in the port.") == []
    else:
        assert row["context"].startswith("not before:")
        for word in row["context"].split(":", 1)[1].split():
            found = S.find_substances(f"They had {row['term']} {word} in the port.")
            assert not [m for m in found if m.text == row["term"]], word


@pytest.mark.parametrize("row", [r for r in ROWS if r["kind"] not in ("anaphor", "block")
                                 and r["context"] != "quoted"], ids=lambda r: r["term"])
def test_canonical_reads_every_drug_term_as_its_substance(row):
    # the table reader's path (geo.read.tables): a cell holding the term, in capitals
    found = S.canonical(row["term"].upper())
    assert found is not None and found[0] == row["substance"]
    assert found[1] == S.GROUPS[row["substance"]]


def test_no_term_maps_to_two_substances():
    # read the file plainly, not through the loader that enforces it
    path = vocab.path_of("substances.csv")
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    meaning: dict[str, set] = {}
    terms = []
    for r in csv.DictReader(lines):
        terms.append(r["term"])
        meaning.setdefault(_key(r["term"]), set()).add((r["substance"], r["kind"] in (
            "generic", "anaphor", "block") and r["kind"]))
    assert {k: v for k, v in meaning.items() if len(v) > 1} == {}
    assert len(terms) == len(set(terms))


def test_every_substance_has_a_group_and_every_group_a_substance():
    assert set(S.GROUPS) == set(S.SUBSTANCES)
    assert set(S.GROUPS.values()) == set(S.GROUP_LABELS)
    assert all(S.GROUP_LABELS[g] for g in S.GROUP_LABELS)
    assert {r["substance"] for r in ROWS if r["substance"]} <= set(S.SUBSTANCES)
    for row in ROWS:
        assert row["language"] in S.LANGUAGES and row["kind"] in S.KINDS


def test_extractor_and_aggregates_list_the_same_substances_and_groups():
    assert aggregates.SUBSTANCES == S.SUBSTANCES == tuple(S.GROUPS)
    assert dict(aggregates.DRUG_GROUPS) == {g: tuple(s for s in S.SUBSTANCES if S.GROUPS[s] == g)
                                            for g in S.GROUP_LABELS}
    # the groups split the substances: each once, in display order
    flat = [s for subs in aggregates.DRUG_GROUPS.values() for s in subs]
    assert sorted(flat) == sorted(S.SUBSTANCES)
    assert aggregates.NOT_IN_ALL == {"precursor"} and aggregates.NOT_IN_ALL <= set(S.SUBSTANCES)
    # the summary orders substances as the aggregates' wide columns do
    assert aggregates._substance_order(list(reversed(S.SUBSTANCES)) + ["zzz"]) == \
        [*S.SUBSTANCES, "zzz"]
    totals, _ = summary.event_totals(pd.DataFrame({"substance": list(reversed(S.SUBSTANCES)),
                                                   "quantity_kg": 1.0}))
    assert list(totals) == list(S.SUBSTANCES)


@pytest.mark.parametrize("part", ["noun", "verb", "making"])
def test_every_word_of_the_precursor_phrase_makes_a_precursor(part):
    words = S._CUES["precursor_phrase"]
    parts = {"noun": "chemicals", "verb": "used", "making": "make"}
    for word in words[part]:
        phrase = " ".join([*(word if p == part else parts[p] for p in ("noun", "verb")), "to",
                           word if part == "making" else parts["making"], "heroin"])
        found = S.find_substances(f"Police seized 5 kg of {phrase} in the port.")
        assert [(m.text, m.substance) for m in found] == [(phrase, "precursor")], phrase


@pytest.mark.parametrize("word", S._CUES["before_term"]["blocking"])
def test_a_blocking_word_before_a_term_blocks_it(word):
    assert S.find_substances(f"a {word}-heroin drive") == []
    assert S.find_substances(f"a {word} heroin drive") == []


# --------------------------------------------------------------------------- refused tables

@pytest.mark.parametrize("row, message", [
    ("hashish,cocaine,en,name,,,", "listed twice"),
    ("hashísh,cocaine,en,name,,,", "reads as 'hashish'"),
    ("heroin 2,heroin,xx,name,,,", "language 'xx'"),
    ("heroin 2,heroin,en,slang,,,", "kind 'slang'"),
    ("heroin 2,snuff,en,name,,,", "substance 'snuff'"),
    ("sugar 2,heroin,en,block,,,", "no substance"),
    ("heroin 2,heroin,en,name,,after cream,", "context"),
])
def test_a_bad_term_row_is_refused_naming_file_and_line(vocab_copy, row, message):
    line = append_row(vocab_copy / "substances.csv", row)
    with pytest.raises(VocabularyError, match=message) as err:
        S._load_terms()
    assert f"substances.csv:{line}:" in str(err.value)


def test_a_substance_in_an_unknown_group_is_refused(vocab_copy):
    path = vocab_copy / "groups.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('{ code = "ketamine",        group = "other" }',
                                 '{ code = "ketamine",        group = "dissociatives" }'),
                    encoding="utf-8")
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if '"ketamine"' in ln)
    with pytest.raises(VocabularyError, match=f"groups.toml:{line}: .*'dissociatives'"):
        S._load_groups()


def test_a_group_with_no_substance_is_refused(vocab_copy):
    path = vocab_copy / "groups.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('  { code = "precursors",', '  { code = "nps", label = "new '
                                 'psychoactive substances" },\n  { code = "precursors",'),
                    encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"groups.toml:\d+: group 'nps' has no substance"):
        S._load_groups()


def test_a_new_word_is_one_row(vocab_copy):
    # a fresh process reads the copied folder with one row added: the scan and the lookup
    # know the word, with nothing else edited
    append_row(vocab_copy / "substances.csv", "tusi,unspecified,es,street,(as found),,pink cocaine")
    out = run_with_vocab(vocab_copy, (
        "from geo.text.substances import find_substances, canonical; "
        "m = find_substances('Police seized 5 kg of Tusi in the port.'); "
        "print([(x.text, x.kind, x.substance, x.detail) for x in m], canonical('TUSI'))"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ("[('Tusi', 'drug', 'unspecified', 'tusi')] "
                                  "('unspecified', 'other', 'tusi')")
