"""Invariants of the place step's vocabulary (geo/vocab) and of the gazetteer's module layout.

Each word table is checked against what its code does with it: a not-place word is never
a place mention, a scope phrase is matched by linking's generated pattern, a generic word
is stripped from names in the index, a class word hints at its feature classes. And the
gazetteer's build no longer imports the reader (the import loop is gone).
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo import vocab
from geo.errors import VocabularyError
from geo.extraction import linking
from geo.places import gazetteer as gz
from geo.places import geocoder, names
from geo.places.gazetteer import get_gazetteer
from geo.places.names import normalize

PLACES = Path(names.__file__).resolve().parent
STOPWORD_FILES = sorted(f"stopwords/{p.name}" for p in (vocab.VOCAB_DIR / "stopwords").glob("*.txt"))


@pytest.fixture(scope="module")
def gaz():
    return get_gazetteer(progress=False)


# --- the import loop ------------------------------------------------------------------------
def test_the_build_loads_without_the_reader():
    code = ("import sys, geo.places.gazetteer_build; "
            "print('geo.places.gazetteer' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _imports(path: Path) -> set[str]:
    """Every module a file imports (relative imports resolved inside geo.places)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == 1:
                base = "geo.places" + ("." + base if base else "")
            elif node.level == 2:
                base = "geo" + ("." + base if base else "")
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


@pytest.mark.parametrize("module", ["gazetteer_build.py", "names.py"])
def test_build_and_names_never_import_the_reader(module):
    assert "geo.places.gazetteer" not in _imports(PLACES / module)


def test_index_fingerprint_covers_every_word_table_the_build_reads():
    read = set()
    for module in ("gazetteer_build.py", "airports.py", "names.py"):
        src = (PLACES / module).read_text(encoding="utf-8")
        read |= set(re.findall(r"""["']([\w/]+\.(?:csv|tsv|txt|toml))["']""", src))
    read = {n for n in read if (vocab.VOCAB_DIR / n).is_file()}  # not the packages' data files
    covered = {p.name for p in names.BUILD_VOCABULARY} | {names.ALIASES_PATH.name,
                                                          names.BORDER_CROSSINGS_PATH.name,
                                                          names.DEMONYMS_PATH.name}
    assert read and read <= covered
    versions = gz.source_versions()
    assert versions["vocabulary"] == gz._files_sha256(names.BUILD_VOCABULARY)
    assert versions["builder"] == gz._files_sha256([PLACES / "gazetteer_build.py",
                                                    PLACES / "airports.py",
                                                    PLACES / "names.py"])


# --- stopwords and not-places ------------------------------------------------------------
def test_there_is_a_stopword_file():
    assert "stopwords/en.txt" in STOPWORD_FILES


@pytest.mark.parametrize("name", STOPWORD_FILES + ["not_places.txt"])
def test_stopword_file_loads_unique_and_normalised(name):
    words = names.normalized_words(name)  # raises on a duplicate or an unnormalised entry
    assert words and len(set(words)) == len(words)
    assert all(normalize(w) == w for w in words)


def test_no_word_is_both_a_stopword_and_a_not_place():
    stop = {w for f in STOPWORD_FILES for w in vocab.words(f)}
    assert not stop & set(vocab.words("not_places.txt"))
    # the English month and weekday names come from the dates tables, not a second list
    from geo.text import dates

    calendar = {normalize(w) for w in (*dates.month_words("en"), *dates.WEEKDAYS)}
    assert not calendar & set(vocab.words("not_places.txt"))
    assert gz._STOPWORDS == stop | set(vocab.words("not_places.txt")) | calendar


def test_an_unnormalised_entry_is_an_error_naming_its_line(tmp_path, monkeypatch):
    (tmp_path / "bad.txt").write_text("# a comment\npolice\nPolicía\n", encoding="utf-8")
    monkeypatch.setattr(vocab, "VOCAB_DIR", tmp_path)
    vocab.clear_caches()
    try:
        with pytest.raises(VocabularyError, match=r"bad\.txt:3: 'Policía'"):
            names.normalized_words("bad.txt")
    finally:
        monkeypatch.undo()
        vocab.clear_caches()


NOT_PLACES = vocab.words("not_places.txt")


@pytest.mark.parametrize("word", NOT_PLACES)
def test_a_not_place_word_is_no_place_mention(gaz, word):
    written = word.capitalize()
    for sentence in (f"{written} was seen there yesterday.",
                     f"The report says {written} is there."):
        assert written not in [m.text for m in gaz.find_mentions(sentence)], sentence


@pytest.mark.parametrize("word", [w for f in STOPWORD_FILES for w in vocab.words(f)])
def test_a_capitalised_stopword_is_no_place_mention(gaz, word):
    written = word.capitalize()
    assert written not in [m.text for m in gaz.find_mentions(f"{written} police seized it.")]


def test_place_names_are_still_found(gaz):
    found = [m.text for m in gaz.find_mentions("Police in Kabul and Herat seized heroin.")]
    assert found == ["Kabul", "Herat"]


# --- the gazetteer's other tables ------------------------------------------------------------
@pytest.mark.parametrize("row", vocab.table("lone_articles.csv"), ids=lambda r: r["article"])
def test_a_lone_article_is_no_place(gaz, row):
    article = row["article"].capitalize()
    assert set(row["languages"].split()) <= {"es", "fr", "it", "pt", "de"}
    assert article not in [m.text for m in gaz.find_mentions(f"{article} douane a saisi 5 kg.")]


def test_an_article_still_starts_a_name(gaz):
    assert "La Paz" in [m.text for m in gaz.find_mentions("Police in La Paz seized 5 kg.")]


@pytest.mark.parametrize("row", vocab.table("country_abbreviations.csv"),
                         ids=lambda r: r["abbreviation"])
def test_country_abbreviation_names_its_country(gaz, row):
    assert gaz.country_code(row["abbreviation"]) == row["country"]
    assert row["abbreviation"] in linking._COUNTRY_ABBREVIATIONS


def test_us_alone_in_capitals_is_the_country(gaz):
    found = {m.text: m for m in gaz.find_mentions("It went to the US.")}
    assert "US" in found and found["US"].candidates[0].country == "US"


@pytest.mark.parametrize("word", vocab.words("name_connectors.txt"))
def test_connector_joins_a_run_of_capitalised_words(word):
    assert gz._RUN.match(f"Norte {word} Santander").group() == f"Norte {word} Santander"


@pytest.mark.parametrize("suffix", vocab.words("hyphen_suffixes.txt"))
def test_hyphen_suffix_leaves_the_place(gaz, suffix):
    found = gaz.find_mentions(f"The Pakistan-{suffix} group was caught.")
    assert [m.text for m in found] == ["Pakistan"]


@pytest.mark.parametrize("row", vocab.table("generic_words.csv"), ids=lambda r: r["word"])
def test_generic_word_is_stripped_from_indexed_names(row):
    word = row["word"]
    name = f"Foo Bar {word}" if row["position"] == "suffix" else f"{word} Foo Bar"
    assert names.name_keys(name, generic=True) == {normalize(name), "foo bar"}
    assert names.name_keys(name) == {normalize(name)}


def test_feature_class_ranks_run_from_zero():
    assert sorted(names.CLASS_ORDER.values()) == list(range(len(names.FEATURE_CLASSES)))
    assert names.FEATURE_CLASSES[0] == "country"


def test_feature_class_order_ranks_lookups(gaz):
    ranks = [names.CLASS_ORDER[c.feature_class] for c in gaz.lookup("Sinaloa")
             if c.match == "exact"]
    assert ranks == sorted(ranks)


# --- the geocoder's class words ----------------------------------------------------------------
@pytest.mark.parametrize("row", vocab.table("class_words.csv"), ids=lambda r: r["word"])
def test_class_word_hints_its_classes(row):
    word, classes = row["word"], tuple(row["feature_classes"].split())
    assert set(classes) <= set(names.FEATURE_CLASSES)
    m = geocoder._QUERY_SUFFIX.match(f"Badakhshan {word.capitalize()}")
    assert m and m.group("word").lower() == word
    assert geocoder._CLASS_WORDS[m.group("word").lower()] == classes
    assert geocoder._QUERY_PREFIX.match(f"{word} of Badakhshan").group("name") == "Badakhshan"


# --- linking's cue lists -----------------------------------------------------------------------
CUES = linking.CUES


def _literal(key):
    return [e for e in CUES[key] if not e.startswith("regex:")]


def _both(pattern, ascii_twin, before):
    """Whether a before-the-name pattern and its lowered twin agree that ``before`` matches."""
    hit = bool(pattern.search(before))
    assert hit == bool(ascii_twin.search(before.lower()))
    return hit


def test_every_cue_list_is_read_and_has_no_duplicates():
    raw = vocab.config("place_cues.toml")
    assert set(raw) == set(linking._CUE_LISTS)
    for key, entries in raw.items():
        assert len(set(entries)) == len(entries), key


@pytest.mark.parametrize("phrase", _literal("scope_excluding"))
def test_scope_phrase_excludes_the_name_after_it(phrase):
    for before in (f"the drugs were {phrase} ", f"The drugs were {phrase.upper()} the ",
                   f"seized {phrase} the port city of "):
        assert _both(linking._EXCLUDE_BEFORE, linking._EXCLUDE_BEFORE_ASCII, before), before


@pytest.mark.parametrize("example", ["take them to ", "take the cargo to ", "smuggled heroin into ",
                                     "smuggle to ", "arrived from ", "10 miles north of ",
                                     "5 km from ", "40 kilometres south of ",
                                     "headquartered in ", "talking to reporters in "])
def test_scope_regex_rows_match(example):
    assert _both(linking._EXCLUDE_BEFORE, linking._EXCLUDE_BEFORE_ASCII, f"it was {example}")


@pytest.mark.parametrize("point", CUES["compass_points"])
def test_compass_point_of_excludes(point):
    for before in (f"a village {point} of ", f"the {point}ern of "):
        assert _both(linking._EXCLUDE_BEFORE, linking._EXCLUDE_BEFORE_ASCII, before)


@pytest.mark.parametrize("word", CUES["scope_cancelled_after"])
def test_word_before_a_scope_phrase_cancels_it(word):
    assert not _both(linking._EXCLUDE_BEFORE, linking._EXCLUDE_BEFORE_ASCII, f"the {word} to ")
    assert _both(linking._EXCLUDE_BEFORE, linking._EXCLUDE_BEFORE_ASCII, "the way to ")


@pytest.mark.parametrize("word", CUES["scope_tail"])
def test_scope_tail_word_may_follow_a_scope_phrase(word):
    assert _both(linking._EXCLUDE_BEFORE, linking._EXCLUDE_BEFORE_ASCII, f"bound for the {word} ")


def test_a_toward_phrase_is_a_scope_phrase():
    assert set(CUES["toward"]) <= set(CUES["scope_excluding"])


@pytest.mark.parametrize("phrase", CUES["toward"])
def test_toward_phrase_is_matched(phrase):
    for word in CUES["toward_tail"]:
        assert _both(linking._TOWARD, linking._TOWARD_ASCII, f"went {phrase} the {word} ")


@pytest.mark.parametrize("word", CUES["strong_before"])
def test_strong_preposition_is_matched(word):
    assert _both(linking._STRONG_BEFORE, linking._STRONG_BEFORE_ASCII, f"seized {word} the ")
    assert _both(linking._STRONG_BEFORE, linking._STRONG_BEFORE_ASCII, f"seized {word} ")


def test_report_region_phrases_are_matched():
    for word in CUES["of_report_possessive"]:
        assert _both(linking._PROVINCE_OF_REPORT, linking._PROVINCE_OF_REPORT_ASCII,
                     f"in the {word}'s ")
    for word in CUES["of_report_same"]:
        assert _both(linking._PROVINCE_OF_REPORT, linking._PROVINCE_OF_REPORT_ASCII,
                     f"in the same {word}, in ")


# (list, the pattern generated from it, how a surface sits in text, search or match)
CUE_CASES = [
    ("place_prepositions", linking._PREPOSITION_BEFORE, "seized {} ", "search"),
    ("class_words_before", linking._CLASS_WORD_BEFORE, "the {} of ", "search"),
    ("class_words_after", linking._CLASS_WORD_AFTER, " {} police", "match"),
    ("query_class_words", linking._CLASS_AFTER, " {}", "match"),
    ("route_words", linking._ROUTE_WORD, " {}", "match"),
    ("media_words", linking._NOT_PLACE_AFTER, " {} said", "match"),
    ("speech_verbs", linking._PERSON_AFTER, " {} that", "match"),
    ("person_relations", linking._PERSON_AFTER, "'s {} ", "match"),
    ("title_abbreviations", linking._PERSON_BEFORE, "{}. ", "search"),
    ("person_titles", linking._PERSON_BEFORE, "{} ", "search"),
    ("place_name_prefixes", linking._PLACE_PREFIX, "in {} ", "search"),
    ("facility_words", linking._FACILITY, "{}", "match"),
    ("person_cancelling_prepositions", linking._PLACE_PREPOSITION, "the office {} the ", "search"),
    ("region_adjectives", linking._PLACE_PREPOSITION, "the office in {} ", "search"),
    ("group_gap_words", linking._GROUP_GAP, ", {} ", "match"),
    ("list_joiners", linking._GROUP_GAP, " {} ", "match"),
]


@pytest.mark.parametrize("key, pattern, template, how", CUE_CASES, ids=[c[0] for c in CUE_CASES])
def test_cue_word_is_matched_by_its_pattern(key, pattern, template, how):
    for entry in _literal(key):
        text = template.format(entry)
        assert getattr(pattern, how)(text), (key, text)


def test_capitalised_class_words_after_are_class_words_after():
    assert set(CUES["class_words_after_capitalised"]) <= set(CUES["class_words_after"])
    for word in CUES["class_words_after_capitalised"]:
        assert linking._CLASS_WORD_AFTER.match(f" {word.capitalize()}")
    for word in set(CUES["class_words_after"]) - set(CUES["class_words_after_capitalised"]):
        assert not linking._CLASS_WORD_AFTER.match(f" {word.capitalize()}")  # "Bahria Town"


def test_list_joiners_lump_a_group():
    for word in CUES["list_joiners"]:
        assert linking._LIST_JOINER.search(f"Sonora {word} Sinaloa")
        assert linking._LIST_GOES_ON.match(f" {word} Sinaloa")


def test_not_name_parts_and_generic_words_are_read():
    assert linking._NOT_NAME_PARTS == frozenset(CUES["not_name_parts"])
    assert linking._GENERIC_WORDS == frozenset(CUES["generic_words"])
    assert all(w == w.lower() for w in CUES["generic_words"])
    assert all(w[:1].isupper() for w in CUES["not_name_parts"] + CUES["facility_words"]
               + CUES["place_name_prefixes"] + CUES["title_abbreviations"])
