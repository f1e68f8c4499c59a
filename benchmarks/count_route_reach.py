"""How often a route is told apart from its figure, per corpus: the reach of the route
reader beyond the figure's sentence (geo.extraction.routes.read_route).

usage: python benchmarks/count_route_reach.py

Per corpus (the development reports, LGL and TR-News articles, drugdetection sentences;
see ``count_cues.py``), the number of texts with a route cue (``route_cues.toml``'s
origin, destination and transit words):

* ``far in paragraph``: in a sentence with no figure of its own, two or more sentences
  from the nearest figure of its paragraph (the one before and the one after were read
  before the reach grew);
* ``next paragraph``: in a paragraph with no figure that comes right after a paragraph
  with one.

A figure here is anything ``find_quantities`` reads, so the counts are an upper bound on
what the extractor, which needs a seizure event and a place the gazetteer knows, reads.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def main() -> int:
    from count_cues import corpora
    from geo.extraction.routes import _alt
    from geo.text.quantities import find_quantities
    from geo.text.sentences import split_sentences

    cue = re.compile(rf"(?i)\b(?:{_alt('origin')}|{_alt('destination')}|{_alt('transit')})\b")
    print(f"{'corpus':16}{'texts':>8}{'far in paragraph':>18}{'next paragraph':>16}")
    for name, texts in corpora().items():
        far = after = 0
        for text in texts:
            sents = split_sentences(text)
            starts = [q.start for q in find_quantities(text)]
            figured = {s.index for s in sents if any(s.start <= q <= s.end for q in starts)}
            paras: dict[int, list] = {}
            for s in sents:
                paras.setdefault(s.para, []).append(s)
            order = sorted(paras)
            after += any(any(s.index in figured for s in paras[a])
                         and not any(s.index in figured for s in paras[b])
                         and any(cue.search(s.text) for s in paras[b])
                         for a, b in zip(order, order[1:]))
            hit = False
            for p in order:
                ss = paras[p]
                at = [k for k, s in enumerate(ss) if s.index in figured]
                for k, s in enumerate(ss):
                    if s.index in figured or not at or not cue.search(s.text):
                        continue
                    if min(abs(k - j) for j in at) >= 2:
                        hit = True
            far += hit
        print(f"{name:16}{len(texts):>8}{far:>18}{after:>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
