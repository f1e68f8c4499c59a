"""Tests of geo.places.geocoder.OfflineGeocoder: geopy contract, context disambiguation,
every Afghan province, and a 32-place list of drug-reporting places."""
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

# (query, ISO 3166-2) — every province, with the alternates reports use
AFGHAN_PROVINCES = [
    ("Badakhshan", "AF-BDS"), ("Badghis", "AF-BDG"), ("Baghlan", "AF-BGL"), ("Balkh", "AF-BAL"),
    ("Bamyan", "AF-BAM"), ("Bamiyan", "AF-BAM"), ("Daykundi", "AF-DAY"), ("Daikundi", "AF-DAY"),
    ("Farah", "AF-FRA"), ("Faryab", "AF-FYB"), ("Ghazni", "AF-GHA"), ("Ghor", "AF-GHO"),
    ("Helmand", "AF-HEL"), ("Hilmand", "AF-HEL"), ("Herat", "AF-HER"), ("Hirat", "AF-HER"),
    ("Jowzjan", "AF-JOW"), ("Jawzjan", "AF-JOW"), ("Kabul", "AF-KAB"), ("Kandahar", "AF-KAN"),
    ("Qandahar", "AF-KAN"), ("Kapisa", "AF-KAP"), ("Khost", "AF-KHO"), ("Kunar", "AF-KNR"),
    ("Kunduz", "AF-KDZ"), ("Qunduz", "AF-KDZ"), ("Laghman", "AF-LAG"), ("Logar", "AF-LOG"),
    ("Nangarhar", "AF-NAN"), ("Ningarhar", "AF-NAN"), ("Nimroz", "AF-NIM"), ("Nuristan", "AF-NUR"),
    ("Paktia", "AF-PIA"), ("Paktiya", "AF-PIA"), ("Paktika", "AF-PKA"), ("Panjshir", "AF-PAN"),
    ("Panjsher", "AF-PAN"), ("Parwan", "AF-PAR"), ("Samangan", "AF-SAM"), ("Sar-e Pol", "AF-SAR"),
    ("Sari Pul", "AF-SAR"), ("Takhar", "AF-TAK"), ("Uruzgan", "AF-URU"), ("Oruzgan", "AF-URU"),
    ("Wardak", "AF-WAR"), ("Maidan Wardak", "AF-WAR"), ("Zabul", "AF-ZAB"),
]


@pytest.mark.parametrize("name, code", AFGHAN_PROVINCES)
def test_every_afghan_province(geocoder, name, code):
    loc = geocoder.geocode(name, context=AF_CONTEXT)
    assert loc is not None, name
    assert (loc.raw["country"], loc.raw["admin1"]) == ("AF", code)
    phrased = geocoder.geocode(name, context=f"Afghan police raided a lab in {name} province.")
    assert phrased.raw["feature_class"] == "admin1" and phrased.raw["admin1"] == code


def test_all_34_provinces_covered():
    assert len({code for _, code in AFGHAN_PROVINCES}) == 34


# 32 places that drug-seizure reports name, one sentence of context each:
# (query, context, country, admin1)
DRUG_PLACES = [
    ("Marja", "Afghan troops seized two tonnes of opium in Marja.", "AF", "AF-HEL"),
    ("Kashm", "Afghan police seized heroin in Kashm district.", "AF", "AF-BDS"),
    ("Torkham", "Afghan customs officers found hashish in a truck at Torkham.", "AF", "AF-NAN"),
    ("Hairatan", "Afghan border police seized heroin at the Hairatan port.", "AF", "AF-BAL"),
    ("Chaman", "Pakistan's Frontier Corps seized opium near Chaman.", "PK", "PK-BA"),
    ("Gwadar", "Pakistan coast guards intercepted a boat carrying hashish off Gwadar.", "PK", "PK-BA"),
    ("Quetta", "Anti-Narcotics Force officials in Quetta, Pakistan, seized heroin.", "PK", "PK-BA"),
    ("Peshawar", "Pakistani police arrested two smugglers in Peshawar.", "PK", "PK-KP"),
    ("Karachi", "Pakistan customs seized methamphetamine at the port of Karachi.", "PK", "PK-SD"),
    ("Zahedan", "Iranian police seized a tonne of opium near Zahedan.", "IR", "IR-11"),
    ("Bandar Abbas", "Iranian police seized heroin in Bandar Abbas.", "IR", "IR-22"),
    ("Osh", "Kyrgyz police seized heroin in Osh.", "KG", "KG-GO"),
    ("Khorog", "Tajik border guards seized opium in Khorog.", "TJ", "TJ-GB"),
    ("Batken", "Kyrgyz border guards seized hashish in Batken.", "KG", "KG-B"),
    ("Termez", "Uzbek customs seized heroin on a train in Termez.", "UZ", "UZ-SU"),
    ("Culiacán", "Mexican soldiers seized methamphetamine in Culiacán.", "MX", "MX-SIN"),
    ("Sinaloa", "Mexican marines destroyed a drug lab in Sinaloa.", "MX", "MX-SIN"),
    ("Tijuana", "Mexican police seized cocaine in Tijuana.", "MX", "MX-BCN"),
    ("Ensenada", "The Mexican navy seized cocaine off Ensenada.", "MX", "MX-BCN"),
    ("Guayaquil", "Ecuadorian police seized cocaine in banana containers at Guayaquil.", "EC", "EC-G"),
    ("Callao", "Peruvian police seized cocaine at the port of Callao.", "PE", "PE-CAL"),
    ("Paita", "Peruvian anti-drug police seized cocaine at the port of Paita.", "PE", "PE-PIU"),
    ("VRAEM", "Peruvian troops destroyed cocaine labs in the VRAEM.", "PE", None),
    ("Catatumbo", "Colombian troops destroyed coca labs in Catatumbo.", "CO", "CO-NSA"),
    ("Tumaco", "Colombian navy seized cocaine near Tumaco.", "CO", "CO-NAR"),
    ("Buenaventura", "Colombian police seized cocaine at the port of Buenaventura.", "CO", "CO-VAC"),
    ("Chapare", "Bolivian police destroyed cocaine labs in the Chapare.", "BO", "BO-C"),
    ("Yungas", "Bolivian police eradicated coca in the Yungas.", "BO", "BO-L"),
    ("Tachileik", "Myanmar police seized methamphetamine tablets in Tachileik.", "MM", "MM-17"),
    ("Lagos", "Nigerian anti-drug agents seized cocaine at the Lagos airport.", "NG", "NG-LA"),
    ("Santos", "Brazilian federal police seized cocaine at the port of Santos.", "BR", "BR-SP"),
    ("Rotterdam", "Dutch customs seized cocaine in the port of Rotterdam.", "NL", "NL-ZH"),
]


def test_drug_place_list_has_32():
    assert len(DRUG_PLACES) == 32


@pytest.mark.parametrize("query, context, country, admin1", DRUG_PLACES, ids=[p[0] for p in DRUG_PLACES])
def test_drug_reporting_places(geocoder, query, context, country, admin1):
    loc = geocoder.geocode(query, context=context)
    assert loc is not None
    assert (loc.raw["country"], loc.raw["admin1"]) == (country, admin1)
    assert loc.raw["score"] >= 0.5


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


def test_faizabad_with_afghan_context_is_in_badakhshan(geocoder):
    loc = geocoder.geocode("Faizabad", context=AF_CONTEXT)
    assert (loc.raw["country"], loc.raw["admin1"]) == ("AF", "AF-BDS")
    assert geocoder.geocode("Faizabad").raw["country"] == "IN"  # without context: the largest


def test_jalalabad_with_nangarhar_context(geocoder):
    loc = geocoder.geocode("Jalalabad", context="Police in Nangarhar seized opium near Jalalabad.")
    assert (loc.raw["country"], loc.raw["admin1"]) == ("AF", "AF-NAN")


def test_osh_is_the_kyrgyz_city(geocoder):
    loc = geocoder.geocode("Osh")
    assert (loc.raw["country"], loc.raw["admin1"], loc.raw["feature_class"]) == ("KG", "KG-GO", "ppl")
    region = geocoder.geocode("Osh region")
    assert (region.raw["admin1"], region.raw["feature_class"]) == ("KG-O", "admin1")


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


def test_province_phrase_picks_the_admin1(geocoder):
    # Balkh is a province and a town (pop. ~80,000): the wording decides
    town = geocoder.geocode("Balkh", context="Police seized opium in the town of Balkh.")
    province = geocoder.geocode("Balkh", context="Police raided labs in Balkh province.")
    assert province.raw["feature_class"] == "admin1" and town.raw["feature_class"] == "ppl"
    assert province.raw["admin1"] == town.raw["admin1"] == "AF-BAL"


def test_admin1_over_town_of_equal_name(geocoder):
    loc = geocoder.geocode("Kandahar", context=AF_CONTEXT)
    assert (loc.raw["feature_class"], loc.raw["admin1"]) == ("admin1", "AF-KAN")


def test_district_of_phrase(geocoder):
    loc = geocoder.geocode("Faizabad", context="Opium was found in Faizabad district of Jowzjan.")
    assert loc.raw["admin1"] == "AF-JOW"
    loc = geocoder.geocode("Faizabad, Badakhshan")
    assert loc.raw["admin1"] == "AF-BDS"


def test_state_over_town_of_the_same_name(geocoder):
    loc = geocoder.geocode("Sinaloa")
    assert (loc.raw["feature_class"], loc.raw["admin1"]) == ("admin1", "MX-SIN")


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


def test_possessive_and_comma_phrasing(geocoder):
    assert geocoder.geocode("Faizabad", context="Police raided a house in Jowzjan's Faizabad."
                            ).raw["admin1"] == "AF-JOW"
    assert geocoder.geocode("Faizabad", context="Heroin was seized in Faizabad, Afghanistan."
                            ).raw["country"] == "AF"


def test_context_is_analysed_once_per_report(geocoder):
    report = AF_CONTEXT + " Opium was also found in Faizabad and near Jalalabad."
    geocoder.geocode("Faizabad", context=report)
    before = geocoder._context_cache.cache_info().hits
    geocoder.geocode("Jalalabad", context=report)
    assert geocoder._context_cache.cache_info().hits == before + 1


def test_capital_over_same_named_region(geocoder):
    assert geocoder.geocode("Washington").raw["admin1"] == "US-DC"
    assert geocoder.geocode("Tashkent").raw["admin1"] == "UZ-TK"  # the city, not Tashkent region
    assert geocoder.geocode("Washington state").raw["admin1"] == "US-WA"


def test_exact_readings_shut_out_spelling_variants(geocoder):
    readings = geocoder.geocode("Illinois", exactly_one=False, limit=None)
    assert {loc.raw["match"] for loc in readings} == {"exact"}
    assert readings[0].raw["admin1"] == "US-IL"


def test_a_place_named_so_over_one_listing_it_as_an_alternate(geocoder):
    # GeoNames lists "Cancun" among Changchun's alternate names
    assert geocoder.geocode("Cancun").raw["admin1"] == "MX-ROO"


def test_name_with_class_word_does_not_vote_for_itself(geocoder):
    # "Dublin City Schools" is the Ohio suburb's school district: it must not make the
    # query "Dublin" Irish; Ohio, the region named, wins over Ohio County (West Virginia)
    ctx = "Police in Dublin said a Dublin City Schools bus driver was arrested in Ohio."
    assert geocoder.geocode("Dublin", context=ctx).raw["admin1"] == "US-OH"


def test_longer_name_containing_the_query_still_votes(geocoder):
    ctx = "A courier was arrested in Gorno-Badakhshan with 3 kg of heroin."
    assert geocoder.geocode("Badakhshan", context=ctx).raw["admin1"] == "TJ-GB"


def test_small_unambiguous_places_vote_for_their_region(geocoder):
    # Rantoul (12,000 people) is in Illinois only: Springfield is the Illinois one
    ctx = "Police in Springfield arrested two men from Rantoul."
    assert geocoder.geocode("Springfield", context=ctx).raw["admin1"] == "US-IL"
    assert geocoder.geocode("Springfield").raw["admin1"] != "US-IL"  # not by default


SUPRANATIONAL = ["Africa", "Europe", "Asia", "Middle East", "West Africa", "Central Asia",
                 "Latin America", "South America", "Central America", "the Caribbean",
                 "Golden Crescent", "Golden Triangle", "Balkans", "Southeast Asia",
                 "Mediterranean", "Pacific", "European"]


@pytest.mark.parametrize("name", SUPRANATIONAL)
def test_regions_of_several_countries_stay_unlocated(geocoder, name):
    # not Mahdia (Tunisia, once "Africa"), a Maryland village, a Missouri town "Pacific"
    loc = geocoder.geocode(name, context=f"Tunisian police said the hashish was bound for {name}.")
    assert (loc.raw["feature_class"], loc.raw["country"], loc.raw["admin1"]) == ("region", None, None)


def test_regions_of_several_countries_do_not_vote(geocoder):
    ev = analyse_context(geocoder.gazetteer, "Heroin from Asia reached Europe via Africa and "
                                             "the Middle East.")
    assert ev.countries == {} and ev.admin1 == {}


@pytest.mark.parametrize("name, country", [("England", "GB"), ("Scotland", "GB"), ("Wales", "GB"),
                                           ("Northern Ireland", "GB"), ("Darfur", "SD")])
def test_regions_spanning_several_admin1_have_none(geocoder, name, country):
    loc = geocoder.geocode(name, context=f"Police seized cannabis in {name}.")
    assert (loc.raw["country"], loc.raw["admin1"]) == (country, None)


@pytest.mark.parametrize("query, context, admin1", [
    ("Trenton, N.J.", None, "US-NJ"), ("Charleston, S.C.", None, "US-SC"),
    ("Charleston, W.Va.", None, "US-WV"), ("Kingston", "Police in Kingston, Ont., seized fentanyl.", "CA-ON"),
    ("Vancouver", "Police in Vancouver, B.C., seized fentanyl.", "CA-BC"),
    ("Que.", None, "CA-QC"), ("Wash.", None, "US-WA"),
])
def test_press_abbreviations(geocoder, query, context, admin1):
    assert geocoder.geocode(query, context=context).raw["admin1"] == admin1


def test_bare_words_are_no_abbreviations(geocoder):
    # "Mass arrests", "Ont": only the dotted forms are the states
    assert all(c.admin1 != "US-MA" for c in geocoder.gazetteer.lookup("Mass"))
    assert all(c.admin1 != "CA-ON" for c in geocoder.gazetteer.lookup("Ont"))
    assert all(c.admin1 != "CA-QC" for c in geocoder.gazetteer.lookup("Que"))


def test_washington_is_the_capital_unless_the_state_is_meant(geocoder):
    assert geocoder.geocode("Washington", context="Police in Washington seized 20 kg.").raw["admin1"] == "US-DC"
    assert geocoder.geocode("Washington", context="Police in Washington state seized 20 kg."
                            ).raw["admin1"] == "US-WA"
    # other states named: still the capital, not one more town of the US
    ctx = "Officials in Washington said police in Texas and Florida seized 2 tons."
    assert geocoder.geocode("Washington", context=ctx).raw["admin1"] == "US-DC"


# A wider list of places that seizure reports name (districts, border posts, ports), each
# with a one-sentence context naming the country: every one must land in an admin-1 of
# that country.
WIDER_CONTEXT = {
    "AF": "Afghan police seized opium in {}.",
    "PK": "Pakistani forces seized hashish in {}.",
    "IR": "Iranian police seized opium in {}.",
    "TJ": "Tajik border guards seized heroin in {}.",
    "KG": "Kyrgyz police seized hashish in {}.",
    "CO": "Colombian police seized cocaine in {}.",
    "EC": "Ecuadorian police seized cocaine in {}.",
    "BO": "Bolivian police seized cocaine in {}.",
    "PY": "Paraguayan police seized marijuana in {}.",
    "BR": "Brazilian police seized cocaine in {}.",
    "PE": "Peruvian police seized cocaine in {}.",
    "MX": "Mexican soldiers seized methamphetamine in {}.",
}
WIDER_PLACES = {
    "AF": ["Nad Ali", "Nahr-e Saraj", "Gereshk", "Lashkar Gah", "Zhari", "Panjwai", "Arghandab",
           "Maiwand", "Shindand", "Ghoryan", "Kohsan", "Khakrez", "Bakwa", "Khash Rod",
           "Chahar Burjak", "Zaranj", "Delaram", "Shorabak", "Achin", "Shinwar", "Khogyani",
           "Nazian", "Momand Dara", "Lalpur", "Mazar-i-Sharif", "Mazar-e-Sharif",
           "Pul-i-Khumri", "Sheberghan", "Maimana", "Taloqan", "Chaghcharan", "Qala-i-Naw",
           "Gardez", "Sharana", "Tarin Kot", "Qalat", "Asadabad", "Mehtarlam", "Bazarak",
           "Pul-e Alam", "Nili", "Dand", "Argo", "Jurm", "Baharak", "Darayim", "Yamgan"],
    "PK": ["Landi Kotal", "Turbat", "Panjgur", "Pishin", "Qila Abdullah", "Killa Saifullah",
           "Noshki", "Chagai", "Lasbela", "Hub", "Ormara", "Pasni", "Jiwani", "Torkham", "Bara",
           "Khyber"],
    "IR": ["Chabahar", "Saravan", "Khash", "Iranshahr", "Mashhad", "Taybad", "Dogharoun",
           "Zabol", "Milak", "Sarakhs", "Bam", "Kerman", "Shiraz", "Sistan and Baluchestan",
           "Hormozgan"],
    "TJ": ["Panj", "Shurobod", "Kulob", "Vahdat", "Bokhtar", "Kurgan-Tyube", "Isfara",
           "Khujand", "Darvoz", "Vanj", "Rushan", "Ishkoshim", "Murghob"],
    "KG": ["Jalal-Abad", "Karakol", "Tokmok", "Kara-Suu", "Nookat", "Aravan", "Uzgen", "Chui",
           "Issyk-Kul", "Naryn", "Sary-Tash", "Kyzyl-Kiya"],
    "CO": ["Putumayo", "Nariño", "Guaviare", "Meta", "Caquetá", "San José del Guaviare",
           "Cúcuta", "Barranquilla", "Cartagena", "Santa Marta", "Turbo", "Urabá",
           "Puerto Asís", "La Guajira", "Tibú", "Caucasia", "Bajo Cauca"],
    "EC": ["Esmeraldas", "Manta", "Machala", "San Lorenzo", "Sucumbíos", "Puerto Bolívar"],
    "BO": ["Santa Cruz", "Beni", "Pando", "Cobija", "Riberalta", "Guayaramerín", "Chapare",
           "Villa Tunari", "Shinahota", "Yapacaní"],
    "PY": ["Ciudad del Este", "Pedro Juan Caballero", "Amambay", "Canindeyú",
           "Salto del Guairá"],
    "BR": ["Manaus", "Tabatinga", "Foz do Iguaçu", "Ponta Porã", "Paranaguá", "Itajaí"],
    "PE": ["Iquitos", "Pucallpa", "Tingo María", "Aguaytía", "Pichari", "Kimbiri",
           "Puerto Maldonado", "Juliaca", "Desaguadero", "Santa Rosa", "Llochegua", "Huanta",
           "La Mar", "Satipo", "Pangoa"],
    "MX": ["Sonora", "Michoacán", "Guerrero", "Jalisco", "Tamaulipas", "Nuevo Laredo",
           "Reynosa", "Matamoros", "Ciudad Juárez", "Mexicali", "Nogales", "Sonoyta",
           "San Luis Río Colorado", "Lázaro Cárdenas", "Manzanillo", "Badiraguato", "Guasave",
           "Los Mochis", "Mazatlán", "Apatzingán", "Uruapan"],
}

def test_wider_drug_trade_places(geocoder):
    wrong = []
    for cc, names in WIDER_PLACES.items():
        for name in names:
            loc = geocoder.geocode(name, context=WIDER_CONTEXT[cc].format(name))
            if loc is None or loc.raw["country"] != cc or loc.raw["admin1"] is None:
                wrong.append((cc, name, None if loc is None else loc.raw["admin1"]))
    assert len(WIDER_PLACES["AF"]) + len(WIDER_PLACES["MX"]) > 60
    assert wrong == [("PK", "Torkham", "AF-NAN")]  # the crossing is filed on the Afghan side


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


@pytest.mark.parametrize("query, admin1", [
    ("Moscow Oblast", "RU-MOS"), ("Moscow region", "RU-MOS"), ("Moscow", "RU-MOW"),
    ("Mexico state", "MX-MEX"), ("Leningrad region", "RU-LEN"), ("Badakhshan province", "AF-BDS"),
])
def test_a_region_named_with_its_class_word_is_the_region(query, admin1):
    assert OfflineGeocoder().geocode(query).raw["admin1"] == admin1


@pytest.mark.parametrize("query, admin1", [("Moscow city", "RU-MOW"), ("city of Moscow", "RU-MOW")])
def test_a_city_named_with_its_class_word_is_the_city(query, admin1):
    assert OfflineGeocoder().geocode(query).raw["admin1"] == admin1
