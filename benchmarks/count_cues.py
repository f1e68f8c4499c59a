"""How often each cue fires on unlabelled news, beside how many dev reports it fires in.

The team's rule before adding a cue: count how often it fires on news nobody labelled (the
LGL and TR-News article texts, the drugdetection sentences) and how many development reports
need it. This prints, per cue pattern of ``geo/vocab/cues.toml`` (and the place cues the
story reading added), the number of texts it fires in for each corpus.

usage: python benchmarks/count_cues.py [NAME ...]   (default: every cue list)

The corpora are read from ``../shared/benchmarks/`` (override with ``$SEIZURE_ATLAS_BENCHMARKS``);
nothing is copied into the repository.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def benchmarks_dir() -> Path:
    env = os.environ.get("SEIZURE_ATLAS_BENCHMARKS")
    return Path(env).expanduser() if env else HERE.parents[1] / "shared" / "benchmarks"


def corpora() -> dict[str, list[str]]:
    base = benchmarks_dir()
    out: dict[str, list[str]] = {}
    out["dev reports"] = [p.read_text(encoding="utf-8") for p in sorted((base / "reports").glob("d*.txt"))]
    for name in ("lgl-train.jsonl", "trnews-train.jsonl"):
        path = base / "geoparsing" / name
        if path.exists():
            out[name.split("-")[0]] = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    path = base / "drugdetection" / "train.json"
    if path.exists():
        out["drugdetection"] = [r["text"] for r in json.loads(path.read_text(encoding="utf-8"))]
    return out


def patterns() -> dict[str, "re.Pattern[str]"]:
    from geo.extraction import cues, linking

    out = {name: cues.cue(name) for name in cues._data()["cues"]}
    # incident openers are read at a sentence start: count them there
    opener = cues.INCIDENT_OPENER
    body = opener.pattern[4:] if opener.pattern.startswith("(?i)") else opener.pattern
    out["incident_opener"] = re.compile(r"(?i)(?:^|[.!?]\s+)(?=" + body + ")")
    out["place: region adjective"] = re.compile(r"\b[A-Z][a-z]{3,}" + linking._REGION_ADJECTIVE_TAIL.pattern)
    out["place: currency after a name"] = re.compile(r"\b[A-Z]{2,3}\$|\b[A-Z][a-z]+ dollars?\b")
    # the eradication reader's cues (geo/vocab/eradication.toml): an area figure, a crop
    # word, an eradication word; a record needs all three
    from geo.extraction import eradication

    pats = eradication._patterns()
    out["eradication: area unit"] = pats["unit"]
    out["eradication: crop word"] = re.compile("(?i)" + "|".join(rx.pattern[4:] for rx in pats["crops"].values()))
    out["eradication: verb"] = pats["eradication"]
    out["place: statement place"] = re.compile(
        r"(?i)\b(?:issued in|statement in|press conference in|news conference in|briefing in|"
        r"announced in) [A-Z]")
    return out


def main(argv: list[str]) -> int:
    texts = corpora()
    pats = patterns()
    names = argv or list(pats)
    cols = list(texts)
    print(f"{'cue':32}" + "".join(f"{c:>16}" for c in cols))
    print(f"{'(texts)':32}" + "".join(f"{len(texts[c]):>16}" for c in cols))
    for name in names:
        rx = pats[name]
        row = [sum(1 for t in texts[c] if rx.search(t)) for c in cols]
        print(f"{name:32}" + "".join(f"{n:>16}" for n in row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
