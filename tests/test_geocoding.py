"""Tests of geo.places.geocoder.OfflineGeocoder: geopy contract, context disambiguation, scores
and caches. Names with their expected readings (every Afghan province, drug-reporting places,
regions, abbreviations) are cases in tests/cases/places.jsonl."""
from __future__ import annotations

import pytest
from geopy.exc import GeocoderQueryError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.places.gazetteer import get_gazetteer
from geo.places.geocoder import OfflineGeocoder, analyse_context

RAW_KEYS = {"name", "feature_class", "country", "admin1", "admin1_name", "score",
            "population", "source", "reason"}


@pytest.fixture(scope="session")
def geocoder() -> OfflineGeocoder:
    return OfflineGeocoder(get_gazetteer(progress=False))


AF_CONTEXT = "KABUL, Sep 29 (IANS) - Afghan police seized heroin in the north of the country."

# --- context ---------------------------------------------------------------------------------
def test_badakhshan_flips_with_context(geocoder):
    af = geocoder.geocode("Badakhshan", context=AF_CONTEXT)
    tj = geocoder.geocode("Badakhshan", context="Tajik border guards detained a courier in Khorog.")
    gbao = geocoder.geocode("Badakhshan", context="Police of the GBAO seized 5 kg of heroin.")
    gorno = geocoder.geocode("Badakhshan", context="A smuggler was arrested in Gorno-Badakhshan, "
                                                   "across the river from Afghanistan's Badakhshan.")
    assert af.raw["admin1"] == "AF-BDS"
    assert tj.raw["admin1"] == "TJ-GB"
    assert gbao.raw["admin1"] == "TJ-GB"
    assert geocoder.geocode("Gorno-Badakhshan").raw["admin1"] == "TJ-GB"
    assert gorno.raw["country"] in ("AF", "TJ")  # both named: the score must say it is unsure
    assert gorno.raw["score"] < af.raw["score"]


def test_dateline_country(geocoder):
    ev = analyse_context(geocoder.gazetteer, "MOSCOW. Jan 31 (Interfax) – Police seized heroin.")
    assert ev.dateline_country == "RU" and ev.dateline == "MOSCOW"
    ev = analyse_context(geocoder.gazetteer, "KABUL, Sep 29 (IANS) - Police seized heroin.")
    assert ev.dateline_country == "AF"
    # a dateline alone moves an ambiguous name
    loc = geocoder.geocode("Faizabad", context="KABUL, Sep 29 (IANS) - Heroin was seized in Faizabad.")
    assert loc.raw["country"] == "AF"


def test_place_only_dateline(geocoder):
    for text, code in [("WASHINGTON — Officials said.", "US"), ("KABUL - Police said.", "AF"),
                       ("LIMA, Peru — Police said.", "PE")]:
        assert analyse_context(geocoder.gazetteer, text).dateline_country == code
    # the dateline names the city the report was filed from, not the state of Washington
    loc = geocoder.geocode("WASHINGTON", context="WASHINGTON — The president said on Monday.")
    assert (loc.raw["admin1"], loc.raw["feature_class"]) == ("US-DC", "ppl")


def test_country_codes_restrict(geocoder):
    assert geocoder.geocode("Faizabad", country_codes="af").raw["country"] == "AF"
    assert geocoder.geocode("Faizabad", country_codes=["PK"]) is None or \
        geocoder.geocode("Faizabad", country_codes=["PK"]).raw["country"] == "PK"
    assert geocoder.geocode("Badakhshan", country_codes=["TJ"]).raw["admin1"] == "TJ-GB"


def test_score_reflects_certainty(geocoder):
    unique_supported = geocoder.geocode("Badakhshan", context=AF_CONTEXT).raw["score"]
    ambiguous = geocoder.geocode("Badakhshan").raw["score"]
    assert unique_supported > 0.9
    assert ambiguous < 0.6
    assert all(geocoder.geocode(q).raw["score"] < 1 for q in ("Kabul", "Khorog", "VRAEM"))


# --- geopy contract ----------------------------------------------------------------------------
def test_is_a_geopy_geocoder(geocoder):
    assert isinstance(geocoder, Geocoder)
    loc = geocoder.geocode("Jalalabad", context=AF_CONTEXT)
    assert isinstance(loc, Location)
    assert RAW_KEYS <= set(loc.raw)
    assert loc.raw["admin1_name"] == "Nangarhar" and "Afghanistan" in loc.address
    assert abs(loc.latitude - 34.43) < 0.1 and abs(loc.longitude - 70.45) < 0.1


def test_unknown_place_is_none(geocoder):
    assert geocoder.geocode("Xqzzyplace") is None
    assert geocoder.geocode("Xqzzyplace", exactly_one=False) is None


@pytest.mark.parametrize("bad", ["", "   ", ",", " ., ", None, 42, ["Kabul"]])
def test_bad_query_raises_geopy_error(geocoder, bad):
    with pytest.raises(GeocoderQueryError):
        geocoder.geocode(bad)


def test_exactly_one_false_lists_candidates_best_first(geocoder):
    locs = geocoder.geocode("Faizabad", exactly_one=False, context=AF_CONTEXT)
    assert len(locs) > 3 and locs[0].raw["country"] == "AF"
    scores = [loc.raw["score"] for loc in locs]
    assert scores[0] == max(scores)
    assert len(geocoder.geocode("San Jose", exactly_one=False)) == 25
    assert len(geocoder.geocode("San Jose", exactly_one=False, limit=None)) > 25


def test_rate_limiter(geocoder):
    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    assert geocode("Kandahar", context=AF_CONTEXT).raw["admin1"] == "AF-KAN"
    assert geocode("Xqzzyplace") is None


def test_geopandas_tools_geocode():
    from geopandas.tools import geocode

    frame = geocode(["Kabul", "Xqzzyplace"], provider=OfflineGeocoder)
    assert frame.crs.to_epsg() == 4326
    assert abs(frame.geometry.iloc[0].x - 69.17) < 0.5 and abs(frame.geometry.iloc[0].y - 34.53) < 0.5
    assert frame.geometry.iloc[1].is_empty  # unknown: empty point, not a guess
    assert "Afghanistan" in frame["address"].iloc[0]


def test_reverse_gives_the_admin1_region(geocoder):
    loc = geocoder.reverse((34.53, 69.17))
    assert (loc.raw["admin1"], loc.raw["country"], loc.raw["feature_class"]) == ("AF-KAB", "AF", "admin1")
    assert geocoder.reverse("37.12, 70.58").raw["admin1"] == "AF-BDS"
    assert geocoder.reverse((0.0, -140.0)) is None  # mid-Pacific
    with pytest.raises(GeocoderQueryError):
        geocoder.reverse("not a point")


def test_context_is_analysed_once_per_report(geocoder):
    report = AF_CONTEXT + " Opium was also found in Faizabad and near Jalalabad."
    geocoder.geocode("Faizabad", context=report)
    before = geocoder._context_cache.cache_info().hits
    geocoder.geocode("Jalalabad", context=report)
    assert geocoder._context_cache.cache_info().hits == before + 1


def test_exact_readings_shut_out_spelling_variants(geocoder):
    readings = geocoder.geocode("Illinois", exactly_one=False, limit=None)
    assert {loc.raw["match"] for loc in readings} == {"exact"}
    assert readings[0].raw["admin1"] == "US-IL"


def test_small_unambiguous_places_vote_for_their_region(geocoder):
    # Rantoul (12,000 people) is in Illinois only: Springfield is the Illinois one
    ctx = "Police in Springfield arrested two men from Rantoul."
    assert geocoder.geocode("Springfield", context=ctx).raw["admin1"] == "US-IL"
    assert geocoder.geocode("Springfield").raw["admin1"] != "US-IL"  # not by default


def test_regions_of_several_countries_do_not_vote(geocoder):
    ev = analyse_context(geocoder.gazetteer, "Heroin from Asia reached Europe via Africa and "
                                             "the Middle East.")
    assert ev.countries == {} and ev.admin1 == {}


def test_bare_words_are_no_abbreviations(geocoder):
    # "Mass arrests", "Ont": only the dotted forms are the states
    assert all(c.admin1 != "US-MA" for c in geocoder.gazetteer.lookup("Mass"))
    assert all(c.admin1 != "CA-ON" for c in geocoder.gazetteer.lookup("Ont"))
    assert all(c.admin1 != "CA-QC" for c in geocoder.gazetteer.lookup("Que"))


# --- context_signature: what an answer depends on (the run memo's key) ---------------------
SIGNATURE_CONTEXTS = [
    "Police seized 20 kg of heroin in Badakhshan on Monday.",
    "Customs officers found 5 kg of opium in Badakhshan, the ministry said.",
    "Tajik border guards seized 12 kg of heroin in Badakhshan.",
    "Border guards of Tajikistan seized hashish in Badakhshan, near Khorog.",
    "KABUL, Sep 29 (IANS) - Afghan police seized opium in Badakhshan province.",
    "Afghan police seized opium in Badakhshan. Heroin was found in Kunduz and Takhar.",
    "In Faizabad, police found heroin. Faizabad lies in the north.",
    "Heroin was seized in Faizabad, Afghanistan.",
    "Police in Faizabad, Uttar Pradesh, seized charas.",
    "Indian police seized charas in Faizabad and Lucknow.",
    "Santos port officers seized 2 tonnes of cocaine bound for Antwerp.",
    "Brazilian police found cocaine at the port of Santos, Sao Paulo.",
    "Police seized cocaine in Santos.",
]


def test_context_signature_decides_the_answer(geocoder):
    """Equal signatures give equal answers; a context that changes the answer changes it."""
    by_signature: dict = {}
    for name in ("Badakhshan", "Faizabad", "Santos", "Khorog", "Kunduz"):
        for text in SIGNATURE_CONTEXTS:
            sig = geocoder.context_signature(name, text)
            hash(sig)  # usable as a dict key
            locs = geocoder.geocode(name, context=text, exactly_one=False, limit=8)
            answer = [(loc.address, loc.raw) for loc in locs or []]
            by_signature.setdefault(sig, []).append((text, answer))
    for sig, seen in by_signature.items():
        assert all(answer == seen[0][1] for _, answer in seen), sig
    # shared where the context says nothing about the name's readings ...
    assert geocoder.context_signature("Badakhshan", SIGNATURE_CONTEXTS[0]) == \
        geocoder.context_signature("Badakhshan", SIGNATURE_CONTEXTS[1])
    # ... not where it names one of its countries or words its class
    assert len({geocoder.context_signature("Badakhshan", t) for t in SIGNATURE_CONTEXTS[:5]}) >= 3
    tj = geocoder.geocode("Badakhshan", context=SIGNATURE_CONTEXTS[2]).raw["admin1"]
    af = geocoder.geocode("Badakhshan", context=SIGNATURE_CONTEXTS[4]).raw["admin1"]
    assert (tj, af) == ("TJ-GB", "AF-BDS")
    assert geocoder.context_signature("Nowhere at all", "text") == ("Nowhere at all", None, None)
    with pytest.raises(GeocoderQueryError):
        geocoder.context_signature("", "text")


def test_utilities_from_priors_equal_the_worded_ones(geocoder):
    """geocode() scores candidates from per-query priors and per-region shares
    (_utilities); the explained path words _utility: both must give the very same floats."""
    from geo.places.geocoder import _utilities, _utility

    queries = ["Badakhshan", "Faizabad", "Santos", "Khorog", "Kunduz", "Kabul", "Mexico",
               "Santos, Sao Paulo", "Badakhshan province", "Sinaloa", "Washington", "Osh",
               "Africa", "Cancun", "Gwadar", "San Jose", "Dublin"]
    compared = 0
    for text in SIGNATURE_CONTEXTS + [AF_CONTEXT, None]:
        for query in queries:
            prep = geocoder._prepare(query, text, None)
            if prep is None:
                continue
            q = prep.query
            assert _utilities(q, prep) == [_utility(c, prep.ev, prep.classes, prep.places, q.key)
                                           for c in q.cands], (query, text)
            compared += len(q.cands)
    assert compared > 500


def test_name_found_in_any_case_and_spacing(geocoder):
    """The wording around a name counts however the text cases and spaces it; an ASCII
    context, an accented one (both substring search on the lowered text) and one with a
    letter that folds to ASCII only case-insensitively (İ ı ſ K: pattern search) read it
    alike."""
    texts = [
        "Opium was seized in BADAKHSHAN PROVINCE by Afghan police.",
        "Opium was seized in the district of\nFaizabad, Badakhshan.",
        "Afghan police in Kunduz Kunduz Kunduz province seized heroin.",
        "Police found opium in Helmand's Marja, in the south.",
        "Police found opium in Badakhshanabad, not in the province.",
        "Colombian police in NORTE  DE\nSANTANDER department seized cocaine.",
    ]
    for text in texts:
        for name in ("Badakhshan", "Faizabad", "Kunduz", "Marja", "Kunduz province",
                     "Norte de Santander"):
            plain = geocoder.geocode(name, context=text, exactly_one=False, limit=None)
            # a non-ASCII word that names no place leaves the answer alike
            accented = geocoder.geocode(name, context=text + " (café)", exactly_one=False,
                                        limit=None)
            folded = geocoder.geocode(name, context=text + " (\u017f)", exactly_one=False,
                                      limit=None)
            assert [(loc.raw["admin1"], loc.raw["reason"]) for loc in plain or []] == \
                [(loc.raw["admin1"], loc.raw["reason"]) for loc in accented or []] == \
                [(loc.raw["admin1"], loc.raw["reason"]) for loc in folded or []], (name, text)
    from geo.places.geocoder import _ascii_lowered

    assert _ascii_lowered("In Nariño") == "in nariño"
    assert [_ascii_lowered(t) for t in ("\u0130zmir", "Kabul \u212a", "ſ", "ı")] == [None] * 4
    loc = geocoder.geocode("Badakhshan", context=texts[0])
    assert loc.raw["feature_class"] == "admin1" and "wording says admin1" in loc.raw["reason"]
    loc = geocoder.geocode("Norte de Santander", context=texts[-1])
    assert "wording says admin1" in loc.raw["reason"]


def test_unexplained_answers_differ_only_by_their_reason(geocoder):
    for name, text in (("Badakhshan", AF_CONTEXT), ("Santos", SIGNATURE_CONTEXTS[11]),
                       ("Faizabad", SIGNATURE_CONTEXTS[8])):
        full = geocoder.geocode(name, context=text, exactly_one=False, limit=8)
        bare = geocoder.geocode(name, context=text, exactly_one=False, limit=8, explain=False)
        assert [loc.raw["reason"] for loc in bare] == [""] * len(full)
        assert all(loc.raw["reason"] for loc in full)
        assert [(loc.address, loc.point, dict(loc.raw, reason="")) for loc in full] == \
            [(loc.address, loc.point, loc.raw) for loc in bare]


def test_readings_are_the_answers_of_geocode_in_brief(geocoder):
    for name, text in (("Badakhshan", AF_CONTEXT), ("Santos", SIGNATURE_CONTEXTS[11]),
                       ("Faizabad", SIGNATURE_CONTEXTS[8]), ("San Jose", None)):
        locs = geocoder.geocode(name, context=text, exactly_one=False, limit=8, explain=False)
        readings = geocoder.readings(name, context=text, limit=8)
        assert len(readings) == len(locs) > 0
        for (score, place), loc in zip(readings, locs):
            raw = loc.raw
            assert score == raw["score"]
            assert (place.name, place.feature_class, place.country, place.admin1,
                    place.admin1_name, place.population, place.match) == \
                (raw["name"], raw["feature_class"], raw["country"], raw["admin1"],
                 raw["admin1_name"], raw["population"], raw["match"])
            assert (place.latitude, place.longitude) == (loc.latitude, loc.longitude)
    assert geocoder.readings("Xyzzyville Qwerty", context=AF_CONTEXT) == []
    with pytest.raises(GeocoderQueryError):
        geocoder.readings("   ")


# --- the story's region (invented local-news texts) -----------------------------------------
LA_STORY = ("Hikers crowd the trails of Mount Washington. Residents of the Los Angeles "
            "neighbourhood, between Highland Park and Glendale, asked the city of Los Angeles "
            "for more parking; Pasadena did the same last year, the California parks agency said.")
EL_ORO_STORY = ("Police in El Oro province seized cocaine on an island off Machala. The El Oro "
                "police chief said the load was bound for Pasaje.")


def test_small_namesake_elsewhere_yields_to_the_story_region(geocoder):
    """A neighbourhood the gazetteer does not know, named like towns in other states, is
    placed in the state the whole story is about, and says that it was."""
    loc = geocoder.geocode("Mount Washington", context=LA_STORY)
    assert (loc.raw["admin1"], loc.raw["feature_class"], loc.raw["match"]) == \
        ("US-CA", "admin1", "story")
    assert "the region the story is about" in loc.raw["reason"]
    assert 0 < loc.raw["score"] < 0.6
    # the namesakes are still there, after it
    rest = geocoder.geocode("Mount Washington", context=LA_STORY, exactly_one=False, limit=3)
    assert rest[0].raw["match"] == "story" and rest[1].raw["admin1"] != "US-CA"
    assert [p.admin1 for _, p in geocoder.readings("Mount Washington", context=LA_STORY,
                                                  limit=3)] == [loc.raw["admin1"] for loc in rest]
    # a reading in the story's region is scored as any other, never replaced
    assert geocoder.geocode("Glendale", context=LA_STORY).raw["match"] == "exact"
    assert geocoder.geocode("Glendale", context=LA_STORY).raw["admin1"] == "US-CA"


def test_story_fallback_can_be_refused(geocoder):
    loc = geocoder.geocode("Mount Washington", context=LA_STORY, story_fallback=False)
    assert loc.raw["match"] == "exact" and loc.raw["admin1"] != "US-CA"
    assert geocoder.geocode("Xqzzyplace Heights", context=LA_STORY, story_fallback=False) is None
    assert geocoder.readings("Xqzzyplace Heights", context=LA_STORY, story_fallback=False) == []


def test_unknown_name_takes_the_region_of_a_one_country_story(geocoder):
    loc = geocoder.geocode("Xqzzyplace Heights", context=LA_STORY)
    assert (loc.raw["admin1"], loc.raw["match"]) == ("US-CA", "story")
    assert loc.raw["reason"].startswith("not in the gazetteer")
    assert geocoder.geocode("Xqzzyplace Heights", context=EL_ORO_STORY).raw["admin1"] == "EC-O"
    # not in a text of two countries: the name may be in either
    two = EL_ORO_STORY + " " + ("Police in the Western Cape seized dagga near Cape Town and "
                               "Johannesburg, South African police said.")
    assert geocoder.geocode("Xqzzyplace Heights", context=two) is None
    # nor where no region has the votes
    assert geocoder.geocode("Xqzzyplace Heights", context="Police in Ecuador seized cocaine.") is None
    # a name known nowhere takes the region on one vote; a namesake elsewhere needs more
    ct = "Selectmen in the Connecticut town met on Monday about the road budget."
    assert geocoder.geocode("Xqzzyplace Heights", context=ct).raw["admin1"] == "US-CT"
    assert geocoder.geocode("Mount Washington", context=ct).raw["match"] == "exact"


def test_story_region_is_in_the_signature(geocoder):
    """Two stories about different regions give a name with readings in neither
    different answers, so they must not share a memoised one."""
    la = geocoder.context_signature("Mount Washington", LA_STORY)
    oro = geocoder.context_signature("Mount Washington", EL_ORO_STORY)
    assert la != oro
    # (a small town in a country the story never names is no reading either)
    assert geocoder.geocode("Mount Washington", context=EL_ORO_STORY).raw["admin1"] == "EC-O"


def test_a_region_named_alone_is_no_surname(geocoder):
    """"Education Minnesota" (an organisation) does not make Minnesota a person's surname
    where the text also names the state alone; "Khas Uruzgan" (a district) does not make
    Uruzgan one."""
    text = ("Lawmakers want to cut school funds, said Tom Dooher, president of Education "
            "Minnesota. The families and small businesses of Minnesota would pay, he said.")
    assert analyse_context(geocoder.gazetteer, text).admin1.get("US-MN")
    text = ("Police in central Uruzgan province seized hashish in Khas Uruzgan district. "
            "Police in Uruzgan are still searching the province.")
    assert analyse_context(geocoder.gazetteer, text).admin1.get("AF-URU")
    # a person's surname that is also a town elsewhere still is one
    text = ("Commander Luis Rojas said police in La Paz seized it. \"We do not know where it "
            "came from,\" Rojas said.")
    assert "rojas" not in analyse_context(geocoder.gazetteer, text).by_name


def test_a_town_named_with_its_class_word_is_that_town(geocoder):
    """"Kansas City" is a city of that name, not the state of Kansas; "Boulder City" is
    the Nevada town, not Boulder, Colorado; the word still says town (Ho Chi Minh City
    the city, not the province of that name)."""
    assert geocoder.geocode("Kansas City").raw["feature_class"] == "ppl"
    assert geocoder.geocode("North Kansas City").raw["admin1"] == "US-MO"
    assert geocoder.geocode("Boulder City").raw["admin1"] == "US-NV"
    assert geocoder.geocode("Ho Chi Minh City").raw["feature_class"] == "ppl"
    # a unit's class word still leaves the unit to the context
    jo = geocoder.geocode("Karak district", context="Jordan's Public Security Directorate "
                                                    "said a house burned in Qatraneh.")
    assert jo.raw["country"] == "JO"


def test_a_state_sharing_a_country_name_votes_in_a_story_of_that_country(geocoder):
    """"Georgia" in a story about the United States names the state (its vote goes to
    US-GA); in a story about the Caucasus it stays the country's."""
    us = ("Gainesville police said two people were hurt at the intersection with Dixie Drive "
          "in Hall County, Georgia. Both were taken to a hospital in Atlanta, Georgia, and "
          "the United States Department of Transportation was told.")
    votes = analyse_context(geocoder.gazetteer, us).by_name.get("georgia", [])
    assert any(admin1 == "US-GA" for _, admin1, _, _ in votes)
    ge = "Russian troops left Gori in Georgia; Tbilisi and Moscow traded blame."
    votes = analyse_context(geocoder.gazetteer, ge).by_name.get("georgia", [])
    assert not any(admin1 == "US-GA" for _, admin1, _, _ in votes)


def test_story_region_needs_votes_in_the_main_country(geocoder):
    """A text whose main country has no region named has no story region, however low
    the bar (a region of another country named does not stand in)."""
    from geo.places.geocoder import ContextEvidence

    ev = ContextEvidence()
    ev.add("afghanistan", "AF", None, 1.0)
    ev.add("khorog", "TJ", "TJ-GB", 0.5)
    assert ev.story_region(0.0) is None


_NAME_ALPHABET = "aAbBkKsSiI._-' \u00a0\t\n\u2028_0\u00e9\u00c9\u00df\u0663\u00b2x"


def test_name_occurrences_are_the_name_patterns_matches():
    """The geocoder finds a name in a text without compiling its pattern: the spans must
    be those of the pattern (``\\b`` words ``\\s+`` ... ``\\b``, any case) on any text --
    word characters of other scripts, digits, underscores, every kind of space -- else a
    change of ``re``'s rules (or of this reading of them) changes the answers."""
    import random
    import re

    from geo.places.geocoder import _ascii_lowered, _name_pattern, _occurrences

    rng = random.Random(15)
    checked = 0
    names = ["Kunduz", "Norte de Santander", "St. Louis", "'s-Hertogenbosch", "Ban_Na",
             "K2", "Sa", "a", "bi b", "Al-Kut", "X."]
    for _ in range(4000):
        name = rng.choice(names) if rng.random() < 0.5 else "".join(
            rng.choice("aAbBkKsS._-'0 ") for _ in range(rng.randint(1, 6))).strip() or "a"
        parts = []
        for _ in range(rng.randint(0, 8)):
            if rng.random() < 0.4:
                gaps = [" ", "  ", "\n", "\u00a0", "\t ", ""]
                spaced = re.sub(r"\s+", lambda m: rng.choice(gaps), name)
                parts.append(rng.choice([spaced, spaced.upper(), spaced.lower()]))
            else:
                parts.append("".join(rng.choice(_NAME_ALPHABET)
                                     for _ in range(rng.randint(0, 4))))
        text = "".join(parts)
        lowered = _ascii_lowered(text)
        want = [m.span() for m in _name_pattern(name).finditer(text)]
        assert _occurrences(name, text, lowered) == want, (name, text)
        checked += lowered is not None and bool(want)
    assert checked > 500  # the pattern-free path was the one compared


def _filtered_without(ev, key):
    """ContextEvidence.without as first written: every entry copied, the votes of ``key``
    taken off, every entry at no weight left out."""
    from geo.places.geocoder import _CLASS_WORDS, ContextEvidence

    votes = []
    for name, vs in ev.by_name.items():
        base, _, word = name.rpartition(" ")
        if name == key or (base == key and word in _CLASS_WORDS):
            votes.extend(vs)
    if not votes:
        return ev
    countries, admin1 = dict(ev.countries), dict(ev.admin1)
    for country, code, weight, code_weight in votes:
        if country:
            countries[country] -= weight
        if code:
            admin1[code] -= code_weight
    return ContextEvidence({k: v for k, v in countries.items() if v > 1e-9},
                           {k: v for k, v in admin1.items() if v > 1e-9},
                           ev.dateline, ev.dateline_country)


def test_evidence_without_a_name_is_the_evidence_filtered_again():
    """Each query's evidence is derived from the context's by the few entries its votes
    touch: the same entries in the same order, and every share and story region read from
    it the very same float as from the evidence filtered entry by entry (the scores, and
    so the events, must not change by a bit) -- on random evidence with ties, votes that
    empty a region or a country, and entries held at no weight."""
    import random

    from geo.places.geocoder import ContextEvidence

    rng = random.Random(15)
    countries = ["AF", "TJ", "US", "MX", "PK"]
    weights = [0.0, 0.1, 0.3, 0.5, 1.0, 1.5, 2.0 / 3.0]
    checked = 0
    for _ in range(3000):
        ev = ContextEvidence()
        names = [f"n{i}" for i in range(rng.randint(1, 7))] + ["n0 province"]
        for _ in range(rng.randint(1, 14)):
            cc = rng.choice(countries + [None])
            code = f"{cc or rng.choice(countries)}-{rng.randint(1, 4)}" if rng.random() < 0.7 else None
            ev.add(rng.choice(names), cc, code, rng.choice(weights), rng.choice(weights))
        ev.story_region(0.5)  # the context's own caches filled first, as in a run
        for key in names + ["n0", "absent"]:
            want, got = _filtered_without(ev, key), ev.without(key)
            assert (list(got.countries.items()), list(got.admin1.items())) == \
                (list(want.countries.items()), list(want.admin1.items()))
            for w in (0.25, 0.5, 1.0, 2.5):
                assert got.story_region(w) == want.story_region(w)
            regions = [(c, f"{c}-{i}") for c in countries for i in range(1, 5)] + [("AF", None)]
            assert got.region_shares(regions, {"US"}) == want.region_shares(regions, {"US"})
            checked += got is not ev
    assert checked > 3000


def test_plural_words_found_within_a_span_as_by_slicing():
    """The plural class words are found once per context; whether one stands inside
    ``text[a:b]`` must be what ``word in text[a:b]`` says, at any span."""
    import random

    from geo.places.context_text import ContextText

    rng = random.Random(15)
    words = ("counties", "states", "es", "provinces")
    for _ in range(2000):
        text = "".join(rng.choice(["counties", "Counties", " states", "s", "e", " ", "provin",
                                   "ces", "x"]) for _ in range(rng.randint(0, 12)))
        read = ContextText(text, words)
        for _ in range(10):
            a = rng.randint(0, len(text))
            b = a + rng.randint(0, 30)
            assert read.has_word_within(a, b) == any(w in text[a:b] for w in words), (text, a, b)


# --- what is kept between queries -----------------------------------------------------------
LOCAL_STORIES = SIGNATURE_CONTEXTS + [LA_STORY, EL_ORO_STORY, (
    "Paris police and Henry County deputies seized methamphetamine; the Henry County sheriff "
    "said the load came from Memphis."), (
    "Albany police seized cocaine in Georgia; Dougherty County deputies found more in Leesburg.")]


def _names_of(text: str) -> list[str]:
    return list(dict.fromkeys(m.text for m in get_gazetteer(progress=False).find_mentions(text)))


def test_answers_do_not_depend_on_what_was_asked_before():
    """A name's readings in a text are the same whatever the geocoder answered before and
    whatever its caches still hold: asked in one order by one geocoder, in another order
    (interleaved, texts repeated, more pairs than the prepared pairs kept, module caches
    emptied between) by another."""
    import random

    from geo import caches
    from geo.places import geocoder as gc

    # each story made distinct many times over, so that pairs are evicted and come back
    texts = [f"{t} (copy {i})" for i in range(12) for t in LOCAL_STORIES]
    pairs = [(name, text) for text in texts for name in _names_of(text)]
    assert len(pairs) > 2 * gc._PREPARED_KEPT
    gaz = get_gazetteer(progress=False)
    first = OfflineGeocoder(gaz)
    want = {pair: first.readings(pair[0], context=pair[1], limit=5) for pair in pairs}
    assert sum(1 for r in want.values() if r) > len(pairs) // 2
    caches.clear()
    second = OfflineGeocoder(gaz)
    order = pairs * 2
    random.Random(15).shuffle(order)
    for i, pair in enumerate(order):
        if i == len(order) // 2:
            caches.clear()
        assert second.readings(pair[0], context=pair[1], limit=5) == want[pair], pair
        assert second.context_signature(*pair) == first.context_signature(*pair), pair


def test_a_mentions_reading_holds_what_its_candidates_say():
    """What the context analysis asks of a mention's candidates is read once per candidates
    tuple (geocoder._Reading): the same as asking the candidates each time, and the
    regions a name's towns lie in, per country, in the order a set made per text has."""
    from geo.places.geocoder import _mention_reading, _region_named

    gaz = get_gazetteer(progress=False)
    checked = 0
    for text in LOCAL_STORIES:
        for m in gaz.find_mentions(text):
            cands = m.candidates
            r = _mention_reading(cands, m.text)
            exact = [c for c in cands if c.match == "exact"]
            assert r.exact_country == any(c.feature_class == "country" for c in exact)
            assert r.exact_region == any(c.feature_class in ("country", "admin1") for c in exact)
            assert r.exact_placed == any(c.country for c in exact)
            assert r.region_named == (r.country is not None
                                      and _region_named(cands, r.country, r.admin1))
            for country in {c.country for c in cands if c.country} | {"ZZ"}:
                made = {c.admin1 for c in cands if c.match == "exact" and c.country == country
                        and c.admin1 and c.feature_class in ("ppl", "admin2")}
                assert list(r.local_codes.get(country, ())) == list(made)
            checked += 1
    assert checked > 30
