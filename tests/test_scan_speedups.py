"""The speed paths of the text scans give what the plain patterns give.

Each fast path (gated cue patterns, candidate starts for quantities and substance terms,
easy sentence boundaries found from their punctuation, pysbd spans located with str.find)
is compared with the plain computation it replaces, on sample and generated texts that
include mixed case and the characters IGNORECASE folds differently from str.lower().
"""
from __future__ import annotations

import random
import re

import pytest

_SAMPLES = [
    "So far this year, police seized 1,500 kilos of heroin in three provinces.",
    "In 2012 alone, the FSKN and DEA destroyed six labs; over the past 5 years 10 t were seized.",
    "Afghan drug police said the drugs were burned at a ceremony — previously seized stock.",
    "THE BORDER GUARDS FOUND MORE THAN 20 KG OF HASHISH NATIONWIDE LAST YEAR.",
    "Customs officers, while patrolling: an estimated 2.3 million pills, up to 40 tonnes.",
    "ıN 2019 ſo far, İn recent years; K9 units; enough to produce 3 t; A year ago.",
    "Counter-narcotics police and the Coast Guard intercepted 405 kilograms in Sonora.",
]


def _generated(vocab: list[str], n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        text = rnd.choice([" ", "  ", "\u00a0", "-", ", "]).join(
            rnd.choice(vocab) for _ in range(rnd.randrange(10)))
        out.append(text.upper() if i % 3 == 0 else text.title() if i % 3 == 1 else text)
    return out


def test_gated_patterns_match_like_their_patterns():
    import geo.extraction.agencies as ag
    import geo.extraction.core as ex
    import geo.extraction.cues as cues
    import geo.extraction.linking as linking
    import geo.extraction.operations as operations
    from geo.text.patterns import Gated

    gates = list({id(g): g for m in (ex, cues, ag, linking) for g in vars(m).values()
                  if isinstance(g, Gated)}.values())
    gates += [g for g, _ in ag.AGENCY_RES]
    gates += [g for g in operations._patterns() if isinstance(g, Gated)]
    assert len(gates) > 20
    assert all(g.keys for g in gates)  # every gate found keys (else it is a plain pattern)
    vocab = sorted({w for g in gates for k in g.keys for w in [k, *k.split()]})
    vocab += ["İ", "ı", "ſ", "K", ";", "—", "2012", "two", "earlier", "ago", "@@"]
    for text in _SAMPLES + _generated(vocab, 3000, 1):
        for g in gates:
            a, b = g.rx.search(text), g.search(text)
            assert (a and a.span()) == (b and b.span()), (g.pattern, text)
            assert [m.span() for m in g.rx.finditer(text)] == [m.span() for m in g.finditer(text)]


def test_boundary_led_patterns_match_like_their_patterns():
    """A pattern whose alternatives open with a word boundary and a word character is
    compiled led by the character (geo.text.patterns.boundary_led): the same matches at the
    same offsets, on the country cues of geo/vocab/country_cues.csv and on patterns made to
    trip it (a boundary at the text's start, after an underscore, a digit or an accented
    letter, a "|" inside a class, alternatives not so led beside them); and one it cannot
    lead is left as written."""
    from geo import vocab
    from geo.text.patterns import boundary_led

    plain = {r"\bInterstate \d|\bI-\d{1,3}\b", r"\b[Ss]tate [Ss]enator\b|\b[Ss]tate (?:Sen|Rep)\.",
             r"\b[Ss]heriff['’]s\b", r"\b9x|\b[Aa]b", r"\b[Ss](?:ta|x)te\b|\bq[|]",
             # geo.text.clauses.CLAUSE_BREAK as written: only its last alternative is led
             r";|\s[-–—]\s|:\s|,\s+while\b|,\s+whereas\b|,\s+but\b|\bwhile\s"}
    plain |= {row["pattern"] for row in vocab.table("country_cues.csv", required=("pattern",))}
    assert sum(boundary_led(p) != p for p in plain) == len(plain)
    assert boundary_led(r"\bA|B|\b[xy]z") == r"A(?<!\wA)|B|[xy](?<!\w[xy])z"
    words = ["State", "state", "Senator", "Sen.", "Rep.", "I-5", "I-405", "I-4050", "Interstate 9",
             "sheriff's", "Sheriff’s", "_state", "9state", "éState", "9x", "ab", "Ab", "xAb",
             "stxte", "q|", "x", "-", " ", "county", "Road", "aldermen", "city manager",
             "while", "awhile", ",", ";", ":", " - ", "but", "whereas", "\t"]
    rnd = random.Random(15)
    texts = [" ".join(words)] + ["".join(rnd.choice(words + [" ", "", ".", "\n"])
                                         for _ in range(rnd.randrange(12))) for _ in range(4000)]
    for p in plain:
        slow, fast = re.compile(p), re.compile(boundary_led(p))
        for text in texts:
            assert [m.span() for m in slow.finditer(text)] == \
                [m.span() for m in fast.finditer(text)], (p, text)
    for kept in (r"(?i)\bstate", r"\bA*b", r"\b[a-z]x", r"\b(?:a|b)", r"x\b", r"\b[-a]",
                 r"\b[Ss"):
        assert boundary_led(kept) == kept


def test_quantity_candidates_find_what_a_search_finds():
    from geo.text.quantities import _QTY_RE, _qty_search, _qty_starts

    vocab = ["5", "1,500", "1.900", "2.3", "million", "half", "a", "an", "AN", "In", "in",
             "excess", "of", "at", "least", "up", "to", "more", "than", "about", "some", "six",
             "twenty", "dozen", "five", "kg", "kilos", "tonnes", "t", "lbs", "litres", "pills",
             "ecstasy", "total", "combined", "estimated", "approx.", "ıN", "ſome", "İn", "metric",
             "ton", "кг"]
    for text in _SAMPLES + _generated(vocab, 3000, 2):
        starts = _qty_starts(text)
        pos = 0
        while pos <= len(text):
            a, b = _QTY_RE.search(text, pos), _qty_search(text, pos, starts)
            assert (a and a.span()) == (b and b.span()), text
            if a is None:
                break
            pos = a.start() + 1


@pytest.mark.parametrize("seed", [3, 4])
def test_easy_boundaries_from_punctuation(seed):
    from geo.text import sentences as se

    word_first = re.compile(r"([^\s]*?)([.!?…])([\"'”’)\]]*)(\s+)(?=[\"“‘(\[]?[A-Z0-9А-Я])")

    def reference(block: str) -> list[int] | None:
        ends = []
        for m in word_first.finditer(block):
            word = m.group(1).lstrip("\"'“‘([")
            if m.group(2) == ".":
                if not word or len(word) == 1 or "." in word or word.lower() in se._ABBREV \
                        or word.isdigit():
                    return None
            ends.append(m.end(3))
        return ends

    rnd = random.Random(seed)
    alphabet = list("ab. …!?\"'”’)]([“‘ \tA1Я.") + ["Mr.", "U.S.", "No. ", "kg. "]
    blocks = ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(40)))
              for _ in range(3000)] + _SAMPLES
    for block in blocks:
        assert se._easy_boundaries(block) == reference(block), block


def test_pysbd_spans_as_pysbd_gives_them():
    from geo.text import sentences as se

    rnd = random.Random(5)
    alphabet = list("ab. …!?\"'”’)]([“‘ \tA1.") + ["Mr.", "U.S.", " No. ", "1.", "e.g.", "Col. "]
    blocks = ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(60)))
              for _ in range(500)] + _SAMPLES
    seg = se._segmenter()
    for block in blocks:
        expected = tuple((s.start, s.end) for s in seg.segment(block))
        assert se._pysbd_spans(block) == expected, block


def test_clause_opening_read_by_the_twin_as_by_the_pattern():
    """A figure opens its clause when the sentence before it ends with the clause's
    opening ("..., police said "): read on the lowered copy of an ASCII text by the
    case-sensitive twin, the same answer as the case-insensitive pattern."""
    from geo.extraction.core import _CLAUSE_OPEN, _opens_clause

    words = ["that", "THAT", "Said", "says", "warned", "WARNED", "thats", "unsaid", ":", ";",
             " ", "  ", "\n", "\"", "“", "'", "x", "police", "ſays", "İ", "_that"]
    rnd = random.Random(15)
    texts = ["", "\"", "that ", "said \"", "police said ", "unsaid ", ": ", "x:"]
    texts += ["".join(rnd.choice(words) for _ in range(rnd.randrange(8))) for _ in range(5000)]
    for text in texts:
        assert _opens_clause(text) == bool(_CLAUSE_OPEN.search(text)), text
    assert sum(_opens_clause(t) for t in texts) > 500
