"""The substance vocabulary: canonical names, UNODC drug groups, synonyms in several languages.

``canonical("hashish") -> ("cannabis_resin", "cannabis", None)``;
``canonical("acetic anhydride") -> ("precursor", "precursors", "acetic anhydride")``.
:func:`find_substances` scans free text for every term (longest match first), including
terms that block an event (fuel, explosives, licit medicines, caffeine) so that "63 kg of
explosive material" is not read as a drug seizure.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from .patterns import rx as _rx


__all__ = ["SUBSTANCES", "GROUPS", "canonical", "drug_group", "find_substances", "SubstanceMention"]

GROUPS = {
    "heroin": "opiates", "morphine": "opiates", "opium": "opiates", "opium_poppy": "opiates",
    "cocaine": "cocaine", "coca_paste": "cocaine", "coca_leaf": "cocaine",
    "cannabis_herb": "cannabis", "cannabis_resin": "cannabis", "cannabis_plant": "cannabis",
    "methamphetamine": "ats", "amphetamine": "ats", "mdma": "ats", "captagon": "ats",
    "fentanyl": "other", "tramadol": "other", "ketamine": "other",
    "precursor": "precursors", "unspecified": "other",
}
SUBSTANCES = tuple(GROUPS)

# term -> substance; "!generic" marks words for drugs in general (candidates for totals),
# "!block" marks things that are not drugs at all. A "|detail" suffix keeps the name
# (precursor chemicals, medicines filed as unspecified).
_TERMS: dict[str, str] = {}


def _t(substance: str, *terms: str) -> None:
    for term in terms:
        _TERMS[term] = substance


_t("heroin", "heroin", "heroine", "heroin hydrochloride", "heroin base", "brown sugar", "smack",
   "heroína", "heroina", "héroïne", "героин", "героина")
_t("morphine", "morphine", "morphine base", "morfina", "морфин")
_t("opium", "opium", "raw opium", "liquid opium", "opium gum", "processed opium", "opium poppy",
   "processed opium poppy", "opio", "опий", "опия", "опиум", "opium latex", "latex de opio",
   "látex de opio", "goma de opio")
_t("opium_poppy", "seeds of opium poppy", "opium poppy seeds", "poppy seeds", "poppy seed",
   "poppy straw", "poppy heads", "poppy husk", "poppy husks", "poppy capsules", "doda",
   "doda post", "poppy plants", "маковая солома", "мак", "semillas de amapola", "amapola",
   "semilla de amapola", "paja de adormidera", "graines de pavot", "паста маковая")
_t("cocaine", "cocaine", "cocaine hydrochloride", "cocaine alkaloid", "alkaloid", "alkaloid of cocaine",
   "liquid cocaine", "crack", "crack cocaine", "cocaína", "cocaina", "clorhidrato de cocaína",
   "clorhidrato de cocaina", "cocaïne", "кокаин", "кокаина", "cloridrato de cocaína",
   "cloridrato de cocaina")
_t("coca_paste", "coca paste", "coca base", "coca base paste", "cocaine base", "cocaine base paste",
   "base paste", "basic paste", "pasta básica", "pasta basica", "pasta básica de cocaína",
   "pasta basica de cocaina", "base de coca", "pasta base", "pbc", "coca-base", "coca-base paste")
_t("coca_leaf", "coca leaf", "coca leaves", "hoja de coca", "hojas de coca")
_t("cannabis_resin", "hashish", "hash", "hash oil", "hashish oil", "charas", "chars", "chirs",
   "cannabis resin", "resin", "hachís", "hachis", "haschisch", "résine de cannabis", "гашиш",
   "гашиша", "hasheesh", "haxixe")
_t("cannabis_herb", "marijuana", "marihuana", "ganja", "bhang", "weed", "kush", "skunk",
   "cannabis", "cannabis sativa", "cannabis herb", "herbal cannabis", "indian hemp", "hemp",
   "marijuana buds", "мarihuana", "марихуана", "марихуаны", "каннабис", "herbe de cannabis",
   "maconha", "marijuana leaves", "skank")
_t("cannabis_plant", "cannabis plants", "marijuana plants", "hemp plants")
_t("methamphetamine", "methamphetamine", "methamphetamines", "meth", "crystal meth",
   "crystal methamphetamine", "methamphetamine crystals", "ice", "shabu", "shabu-shabu", "crystal",
   "syabu", "sabu", "shabu powder", "methamphetamine hydrochloride",
   "crystals", "yaba", "yaba tablets", "metanfetamina", "метамфетамин", "méthamphétamine",
   "methamphetamine pills", "meth pills", "methamphetamine tablets", "tik", "glass")
_t("amphetamine", "amphetamine", "amphetamines", "anfetamina", "амфетамин", "amphétamine", "speed")
_t("mdma", "mdma", "ecstasy", "ecstasy pills", "ecstasy tablets", "xtc", "molly", "éxtasis",
   "extasis", "экстази", "powdered ecstasy", "ecstasy powder")
_t("captagon", "captagon", "captagon pills", "captagon tablets", "fenethylline", "каптагон")
_t("fentanyl", "fentanyl", "fentanil", "fentanilo", "carfentanil", "fentanyl pills", "фентанил")
_t("tramadol", "tramadol", "tramadol hydrochloride", "трамадол")
_t("ketamine", "ketamine", "ketamina", "кетамин")
_t("precursor", "precursor", "precursors", "chemical precursors", "precursor chemicals",
   "chemicals", "chemical substances", "chemical inputs", "liquid inputs", "solid inputs",
   "liquid chemical inputs", "solid chemical inputs", "solid chemical precursors",
   "liquid chemical precursors", "chemical precursor", "banned chemicals", "prohibited chemicals",
   "insumos", "insumos químicos", "precursores", "прекурсоры", "прекурсоров", "précurseurs")
for _chem in ("acetic anhydride", "ammonium chloride", "sodium carbonate", "potassium permanganate",
              "sulphuric acid", "sulfuric acid", "hydrochloric acid", "acetone", "ephedrine",
              "pseudoephedrine", "ephedra", "safrole", "piperonal", "benzyl methyl ketone",
              "p-2-p", "phenylacetone", "methylamine", "caustic soda", "calcium chloride",
              "anhydride", "toluene", "ether", "ангидрид уксусной кислоты", "уксусный ангидрид"):
    _TERMS[_chem] = "precursor|" + _chem
_t("unspecified", "stimulant tablets", "stimulant pills", "happy water", "happy-5", "happy 5",
   "happy five", "erimin", "erimin-5", "rohypnol", "diazepam", "exol-5", "flunitrazepam",
   "nitrazepam", "alprazolam", "tapentadol", "pregabalin", "codeine", "codeine syrup",
   "mephedrone", "pvp", "alpha-pvp", "a-pvp", "khat", "qat", "kratom", "lsd", "ghb", "spice",
   "synthetic cannabinoids", "psychotropic pills", "psychotropic tablets", "psychotropic substances",
   "psychotropics", "nasvay", "xanax", "zolpidem", "clonazepam", "rivotril", "lorazepam",
   "bromazepam", "valium", "ksalol", "oxycodone", "oxycontin", "hydrocodone", "buprenorphine",
   "methadone", "lança-perfume", "lanca-perfume", "lança perfume", "poppers")
_t("!generic", "drugs", "narcotics", "narcotic", "narcotic drugs", "narcotic substance",
   "narcotic substances", "illicit drugs", "illegal drugs", "illicit narcotics", "illegal narcotics",
   "assorted drugs", "various drugs", "mixed drugs", "different drugs", "different types of drugs",
   "various types of drugs", "other drugs", "other narcotics", "synthetic drugs", "hard drugs",
   "afghan-origin drugs", "drugs of afghan origin", "contraband drugs", "prohibited drugs",
   "drogas", "droga", "estupefacientes", "наркотики", "наркотиков", "drogues", "stupéfiants",
   "narcotic substances and psychotropics", "drugs and psychotropic substances",
   "illicit substances", "illegal substances", "banned drugs", "dangerous drugs")
_t("!anaphor", "the drug", "the drugs", "the narcotics", "the narcotic", "the substance", "the haul", "the cargo",
   "the consignment", "the shipment", "the contraband")
_t("!block", "explosive", "explosives", "explosive material", "explosive materials", "diesel",
   "gasoline", "petrol", "fuel", "caffeine", "medicines", "medicine", "medical drugs",
   "pharmaceuticals", "pharmaceutical drugs", "medicinal drugs", "ammunition", "cash", "money",
   "gold", "sand", "ore", "manganese ore", "talc", "talc stones", "tobacco", "cigarettes", "alcohol",
   "liquor", "wine", "timber", "rice", "sugar", "beans", "peanuts", "chicken", "frozen chicken",
   "fruit", "bananas", "coffee", "cement", "fertilizer", "fertiliser", "urea", "flour", "wheat",
   "fish", "seafood", "meat", "cloth", "fabric", "opium poppy cultivation", "poppy fields",
   "poppy cultivation", "wild hemp", "wild cannabis", "seedbeds", "coca plants", "coca bushes",
   "coca crops", "poppy crop", "cannabis cultivation", "mines", "weapons", "arms", "rounds",
   "bullets", "mobile phones", "gasoil", "kerosene", "lubricant", "cooking oil", "oil")

_DETAIL_KEEP = {"unspecified"}  # medicines filed as unspecified keep their name in `detail`


def _key(text: str) -> str:
    # accent-insensitive for Latin script (Mn marks dropped); й/ё keep their base letters
    t = unicodedata.normalize("NFKD", text.strip().lower())
    t = "".join(c for c in t if unicodedata.category(c) != "Mn")
    t = t.replace("’", "'").replace("–", "-")
    return _rx(r"\s+").sub( " ", t)


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    return {_key(term): value for term, value in _TERMS.items()}


def _resolve(value: str, term: str) -> tuple[str, str, str | None] | None:
    if value.startswith("!"):
        return None
    substance, _, detail = value.partition("|")
    if not detail and substance in _DETAIL_KEEP:
        detail = term
    return substance, GROUPS[substance], detail or None


def canonical(word: str) -> tuple[str, str, str | None] | None:
    """``(substance, drug_group, detail)`` of a drug word, or ``None`` if it is not one.

    Case-, accent- and language-insensitive over the vocabulary: "BASE DE COCA",
    "MARIHUANA", "COCAINA", "героин", "гашиш", "cocaïne", "héroïne", "hashish", "ice".
    Words for drugs in general ("illicit drugs", "narcotics") are ``unspecified``.
    """
    if not isinstance(word, str) or not word.strip():
        return None
    key = _key(word)
    key = _rx(r"^(?:the|a|an|some|of)\s+").sub( "", key)
    table = _table()
    value = table.get(key)
    if value is None and key.endswith("s"):
        value = table.get(key[:-1])
    if value is None:
        # "cocaine hydrochloride in suspension", "powdered heroin": first known term inside
        hits = find_substances(word)
        hits = [h for h in hits if h.substance]
        if len(hits) == 1:
            return hits[0].substance, hits[0].drug_group, hits[0].detail
        return None
    if value == "!generic":
        return "unspecified", GROUPS["unspecified"], None
    return _resolve(value, key)


def drug_group(substance: str) -> str | None:
    """UNODC drug group of a canonical substance name."""
    return GROUPS.get(substance)


@dataclass(frozen=True)
class SubstanceMention:
    """A vocabulary term found in text. ``kind`` is drug | generic | anaphor | block."""

    start: int
    end: int
    text: str
    kind: str
    substance: str | None = None
    drug_group: str | None = None
    detail: str | None = None


def _term_regex(term: str) -> str:
    return re.escape(term).replace(r"\ ", r"[\s-]+")


@functools.lru_cache(maxsize=1)
def _scanner() -> re.Pattern:
    terms = sorted(_TERMS, key=len, reverse=True)
    alts = [_term_regex(term) for term in terms]
    # quoted "oman" is Afghan copy's name for ephedra, a precursor (never the country)
    return re.compile(r"(?<![\w-])(?:" + _PRECURSOR_PHRASE + r"|[\"“'‘]oman[\"”'’]|" + "|".join(alts)
                      + r")(?![\w])", re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def _scanner_for(initial: str) -> re.Pattern:
    """The scanner's alternatives whose first word starts with ``initial`` (lower case), in
    the scanner's order: at a word with that initial the same one matches first, but the
    regex engine tries a few alternatives instead of ~400."""
    alts = []
    if any(w.startswith(initial) for w in _PRECURSOR_FIRST):
        alts.append(_PRECURSOR_PHRASE)
    alts += [_term_regex(t) for t in sorted(_TERMS, key=len, reverse=True) if t[:1].lower() == initial]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alts or ["(?!)"]) + r")(?![\w])", re.IGNORECASE)


# the scanner's only alternative that starts with a quote (tried just before a quoted word)
_QUOTED_OMAN = re.compile(r"(?<![\w-])[\"“'‘]oman[\"”'’](?![\w])", re.IGNORECASE)


# "materials used to make heroin", "a substance used in the production of drugs",
# "chemicals used to produce the drug": precursors, whatever drug is named after them
_PRECURSOR_PHRASE = (
    r"(?:(?:assorted|various|other|different|several types of)\s+)?"
    r"(?:materials?|substances?|chemicals?|ingredients|inputs|items|raw materials)\s+"
    r"(?:\w+\s+){0,2}?(?:used|needed|employed|meant|intended|utilised|utilized)\s+"
    r"(?:to|for|in)\s+(?:the\s+)?(?:make|making|manufacture|manufacturing|produce|producing|"
    r"production|process|processing|prepare|preparing|preparation)(?:\s+of)?"
    r"(?:\s+(?:the\s+)?(?:drugs?|narcotics|heroin|cocaine|methamphetamine|meth|amphetamines?|"
    r"morphine|opium|hashish|crystal|synthetic drugs))?")
_PRECURSOR_RE = re.compile(_PRECURSOR_PHRASE, re.IGNORECASE)


# words that, placed before a term, make it something else ("wild cannabis" is eradication,
# "anti-drug" an adjective); checked on the few characters before a match
_BEFORE_BLOCK = re.compile(r"(?i)(?:anti|counter|non)[\s-]*$")


# first words of the precursor phrase (its optional lead-in and its head nouns)
_PRECURSOR_FIRST = frozenset("""assorted various other different several material materials
substance substances chemical chemicals ingredients inputs items raw""".split())
_WORD = re.compile(r"\w+")
_QUOTES = frozenset("\"“'‘")


@functools.lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    # every alternative of the scanner starts with one of these whole words (the quoted
    # "oman" starts with its quote, handled at the call)
    return frozenset({re.split(r"[ -]", t, maxsplit=1)[0].lower() for t in _TERMS}
                     | _PRECURSOR_FIRST | {"oman"})


@functools.lru_cache(maxsize=1)
def _second_words() -> dict[str, tuple[str, ...]]:
    """For a first word that is no term by itself ("the", "a", "afghan"): the words that can
    follow it in a term ("drug", "drugs", "haul"...; "pvp"; "origin")."""
    singles = {t.lower() for t in _TERMS if not re.search(r"[ -]", t)}
    out: dict[str, set[str]] = {}
    for term in _TERMS:
        parts = re.split(r"[ -]", term.lower())
        if len(parts) > 1 and parts[0] not in singles:
            out.setdefault(parts[0], set()).add(parts[1])
    for word in _PRECURSOR_FIRST | {"oman"}:  # the precursor phrase and the quoted "oman"
        out.pop(word, None)
    return {w: tuple(sorted(nxt)) for w, nxt in out.items()}


# the word after a candidate, past the spaces or hyphens the scanner allows between words
_NEXT_WORD = re.compile(r"[\s-]+(\w+)")


def _trie(words: frozenset[str]) -> str:
    """A pattern matching exactly ``words``, as a trie: the engine follows one branch per
    letter instead of trying every word at every position."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        group = "(?:" + "|".join(alts) + ")"
        return group + "?" if "" in node else group

    return emit(root)


@functools.lru_cache(maxsize=1)
def _candidates() -> re.Pattern:
    # whole words (\w runs) that are a first word, over lower-cased text
    return re.compile(r"(?<!\w)" + _trie(_first_words()) + r"(?!\w)")


def _candidate_words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lower-cased word) of every word of ``text`` that is a first word.

    One pattern over the lower-cased text finds them (~1.3x faster than a Python pass over
    every word) when lower-casing keeps every offset (no character becomes several); no
    character changes between word and non-word when lower-cased, so the words are the
    same. Otherwise the word pass.
    """
    low = text.lower()
    if len(low) == len(text):
        for m in _candidates().finditer(low):
            yield m.start(), m.end(), m.group()
        return
    firsts = _first_words()
    for w in _WORD.finditer(text):
        word = w.group().lower()
        if word in firsts:
            yield w.start(), w.end(), word


def _scan(text: str) -> Iterator[re.Match]:
    """The scanner's matches, as ``finditer`` gives them, tried only at candidate words.

    The scanner is one alternation of ~400 terms; run over a whole report it tries every
    term at every word and costs ~1 ms per KB. A match can only start at a word that is
    the first word of some term (every term is whole words), so one cheap word pass picks
    the few positions where the alternation is tried, with the same left-to-right,
    non-overlapping result.
    """
    seconds = _second_words()
    pos = 0
    for s, end, word in _candidate_words(text):
        if s < pos:
            continue
        nxt_words = seconds.get(word)
        if nxt_words is not None and word.isascii():
            # "the" (~20 a report) starts a term only as "the drug(s)", "the haul"...: the
            # alternation is tried only when the next word may continue one. An ASCII word
            # folds the same under str.lower() and IGNORECASE; any other is always tried.
            nxt = _NEXT_WORD.match(text, end)
            if nxt is None:
                continue
            following = nxt.group(1).lower()
            if following.isascii() and not following.startswith(nxt_words):
                continue
        if s > pos and text[s - 1] in _QUOTES:
            m = _QUOTED_OMAN.match(text, s - 1)  # a quoted term ("'oman'")
            if m:
                pos = m.end()
                yield m
                continue
        m = _scanner_for(word[0]).match(text, s)
        if m:
            pos = m.end()
            yield m


@functools.lru_cache(maxsize=4096)
def _classify(raw: str) -> tuple[bool, tuple] | None:
    """What a scanner match is, from its text alone (cached: reports repeat the same few
    words): ``(is "ice", SubstanceMention fields after the offsets and text)``, or None."""
    low = _key(raw)
    if _PRECURSOR_RE.fullmatch(raw):
        return False, ("drug", "precursor", "precursors", _rx(r"\s+").sub(" ", raw))
    if _rx(r"[\"“'‘]oman[\"”'’]").fullmatch(raw):
        return False, ("drug", "precursor", "precursors", "ephedra (oman)")
    table = _table()
    value = table.get(_rx(r"[\s-]+").sub(" ", low)) or table.get(low)
    if value is None:
        value = table.get(_rx(r"[\s-]+").sub("-", low))
    if value is None:
        return None
    if value == "!generic":
        fields: tuple = ("generic", "unspecified", "other", None)
    elif value == "!anaphor":
        fields = ("anaphor",)
    elif value == "!block":
        fields = ("block",)
    else:
        fields = ("drug", *_resolve(value, low))
    return low == "ice", fields


def find_substances(text: str) -> list[SubstanceMention]:
    """Every vocabulary term in ``text``, longest match first, in order of position."""
    out: list[SubstanceMention] = []
    for m in _scan(text):
        raw = m.group(0)
        if _BEFORE_BLOCK.search(text[max(0, m.start() - 9): m.start()]):
            continue
        what = _classify(raw)
        if what is None:
            continue
        ice, fields = what
        # "ICE" and "ice" are meth, but not in "ice cream" / "on ice"
        if ice and _rx(r"(?i)\s*(?:cream|hockey|age|berg)").match(text[m.end(): m.end() + 8]):
            continue
        out.append(SubstanceMention(m.start(), m.end(), raw, *fields))
    return out
