"""Example sentences and reports with their expected results, kept as data in tests/cases/.

Each ``*.jsonl`` file there holds one case a line (see tests/cases/README.md); every case is
one test, named by its id. A file's runner below feeds the case to the public or internal API
that file is about and compares only the expected fields the case gives, so a case states what
a user would check. Lines that do not parse or break the format fail
``test_case_files_are_valid``, naming file and line.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import pytest

CASES = Path(__file__).resolve().parent / "cases"
COMMON = {"id", "source", "expect", "xfail", "note"}
TODAY = dt.date(2026, 11, 28)  # "today" for datelines without a year


@dataclass(frozen=True)
class Case:
    file: str
    line: int
    data: dict

    @property
    def where(self) -> str:
        return f"tests/cases/{self.file}:{self.line}"


def _fail(case: Case, expected: Any, actual: Any, what: str = "") -> None:
    given = {k: v for k, v in case.data.items() if k not in COMMON}
    pytest.fail(f"{case.where} [{case.data['id']}] {what}\n"
                f"  input:    {json.dumps(given, ensure_ascii=False)}\n"
                f"  expected: {json.dumps(expected, ensure_ascii=False, default=str)}\n"
                f"  actual:   {json.dumps(actual, ensure_ascii=False, default=str)}",
                pytrace=False)


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, float) or (isinstance(want, int) and isinstance(got, float)):
        return got is not None and not isinstance(got, str) and got == pytest.approx(want)
    return want == got


def _fields_match(want: dict, got: dict, subset_lists: tuple[str, ...] = ()) -> bool:
    for key, value in want.items():
        if key in subset_lists:
            if not set(value) <= set(got.get(key) or ()):
                return False
        elif not _same(value, got.get(key)):
            return False
    return True


def _assign(wants: list[dict], gots: list[dict], match: Callable[[dict, dict], bool]) -> bool:
    """True when each wanted record matches a different actual record (small lists)."""
    def place(i: int, used: frozenset) -> bool:
        if i == len(wants):
            return True
        return any(j not in used and match(wants[i], g) and place(i + 1, used | {j})
                   for j, g in enumerate(gots))
    return place(0, frozenset())


# --------------------------------------------------------------------------------------
# events.jsonl: a report -> its seizure events (geo.extraction.core.extract_report)
# --------------------------------------------------------------------------------------
EVENT_FIELDS = {"substance", "drug_group", "quantity", "unit", "quantity_kg", "count",
                "labs_destroyed", "place", "country", "admin1", "admin1_name", "admin2", "place_precision", "date",
                "agencies", "detail", "approximate", "flags", "operation", "arrests"}


def _event_report(case: Case):
    from geo.read.reports import Report, make_report

    c = case.data
    meta = {k: c[k] for k in ("title", "published") if k in c}
    if c.get("read_dateline"):
        from geo.places.context import default_context

        return make_report(c["text"], id=c["id"], places=default_context(), **meta)
    if "dateline_place" in c:
        meta["dateline_place"] = c["dateline_place"]
    return Report(id=c["id"], text=c["text"], **meta)


def run_event_case(case: Case) -> None:
    from geo.extraction.core import extract_report

    expect = case.data["expect"]
    events = extract_report(_event_report(case))
    shown = set().union(*(w.keys() for key in ("events", "events_include")
                          for w in expect.get(key, []))) or {"substance", "quantity_kg", "admin1"}
    records = [{k: getattr(e, k) for k in EVENT_FIELDS} for e in events]
    actual = [{k: v for k, v in r.items() if k in shown} for r in records]

    _check_records(case, expect, "events", records, actual, "events differ",
                   "an expected event is missing")


def _check_records(case: Case, expect: dict, key: str, records: list[dict],
                   actual: list[dict], differ: str, missing: str) -> None:
    """``expect[key]``: exactly these records (in any order); ``expect[key + "_include"]``:
    at least these. A record's ``flags`` need only hold the expected ones."""
    def match(want: dict, got: dict) -> bool:
        return _fields_match(want, got, subset_lists=("flags",))

    if key in expect:
        want = expect[key]
        if len(want) != len(records) or not _assign(want, records, match):
            _fail(case, want, actual, differ)
    if key + "_include" in expect:
        want = expect[key + "_include"]
        if not _assign(want, records, match):
            _fail(case, {"include": want}, actual, missing)


# --------------------------------------------------------------------------------------
# eradication.jsonl: a report -> its eradication records (and that they are no seizures)
# --------------------------------------------------------------------------------------
ERADICATION_FIELDS = {"crop", "hectares", "area", "area_unit", "counted", "place", "country",
                      "admin1", "admin2", "place_precision", "date", "agencies", "flags",
                      "approximate", "operation"}
NOTED_FIELDS = {"text", "reason"}


def run_eradication_case(case: Case) -> None:
    from geo.extraction.core import extract_report

    expect = case.data["expect"]
    not_events: list[dict] = []
    events = extract_report(_event_report(case), not_events=not_events)
    records = [n["eradication"] for n in not_events if "eradication" in n]
    shown = set().union(*(w.keys() for key in ("records", "records_include")
                          for w in expect.get(key, []))) or {"crop", "hectares", "admin1"}
    actual = [{k: v for k, v in r.items() if k in shown} for r in records]

    _check_records(case, expect, "records", records, actual, "eradication records differ",
                   "an expected eradication record is missing")
    if "events" in expect:
        got = [{"substance": e.substance, "quantity_kg": e.quantity_kg} for e in events]
        want = expect["events"]
        if len(want) != len(got) or not _assign(want, got, _fields_match):
            _fail(case, want, got, "seizure events differ")
    if "not_recorded" in expect:
        noted = [{"text": n["text"], "reason": n["reason"]} for n in not_events
                 if "eradication" not in n]
        if not _assign(expect["not_recorded"], noted, _fields_match):
            _fail(case, {"not_recorded": expect["not_recorded"]}, noted,
                  "a figure expected among those read and not recorded is missing")


# --------------------------------------------------------------------------------------
# quantities.jsonl: a phrase -> its quantities (geo.text.quantities.find_quantities)
# --------------------------------------------------------------------------------------
QUANTITY_FIELDS = {"value", "unit", "kind", "kg", "count", "count_words", "approximate",
                   "hedge", "alt_value", "flags"}


def run_quantity_case(case: Case) -> None:
    from geo.text.quantities import find_quantities

    want = case.data["expect"]["quantities"]
    found = find_quantities(case.data["text"], us=case.data.get("us", False))
    shown = set().union(*(w.keys() for w in want)) or {"value", "unit"}
    got = [dict({k: getattr(q, k) for k in shown - {"kg"}}, **({"kg": q.kg()} if "kg" in shown else {}))
           for q in found]
    if len(got) != len(want) or not all(_fields_match(w, g, subset_lists=("flags",))
                                        for w, g in zip(want, got)):
        _fail(case, want, got, "quantities differ")


# --------------------------------------------------------------------------------------
# numbers.jsonl: a number as news writes it -> its value (parse_number, number_readings)
# --------------------------------------------------------------------------------------
def run_number_case(case: Case) -> None:
    from geo.text.quantities import number_readings, parse_number

    text, expect = case.data["text"], case.data["expect"]
    got: dict = {}
    if "value" in expect:
        got["value"] = parse_number(text, convention=case.data.get("convention", "en"))
    if "readings" in expect:
        got["readings"] = list(number_readings(text))
    same = _same(expect.get("value"), got.get("value")) and \
        len(expect.get("readings", [])) == len(got.get("readings", [])) and \
        all(_same(w, g) for w, g in zip(expect.get("readings", []), got.get("readings", [])))
    if not same:
        _fail(case, expect, got, "number differs")


# --------------------------------------------------------------------------------------
# substances.jsonl: a term -> its substance (canonical), or a text -> the terms found in it
# --------------------------------------------------------------------------------------
def run_substance_case(case: Case) -> None:
    from geo.text.substances import GROUPS, canonical, find_substances

    c, expect = case.data, case.data["expect"]
    if "term" in c:
        hit = canonical(c["term"])
        got = None if hit is None else dict(zip(("substance", "group", "detail"), hit))
        if expect["substance"] is None:
            if got is not None:
                _fail(case, None, got, "a drug where none was expected")
            return
        if got is None or not _fields_match(expect, got):
            _fail(case, expect, got, "substance differs")
        if got["group"] != GROUPS[got["substance"]]:
            _fail(case, GROUPS[got["substance"]], got["group"], "group is not the substance's")
        return
    found = [{"text": m.text, "kind": m.kind, "substance": m.substance, "detail": m.detail}
             for m in find_substances(c["text"])]
    for want in expect.get("found", []):
        if not any(_fields_match(want, g) for g in found):
            _fail(case, want, found, "a term was not found")
    for unwanted in expect.get("not_found", []):
        if any(_fields_match(unwanted, g) for g in found):
            _fail(case, {"not": unwanted}, found, "a term was found that should not be")
    if "first" in expect and not (found and _fields_match(expect["first"], found[0])):
        _fail(case, {"first": expect["first"]}, found, "the first term differs")


# --------------------------------------------------------------------------------------
# datelines.jsonl: a report's first line -> its dateline (geo.read.reports.parse_dateline)
# --------------------------------------------------------------------------------------
DATELINE_FIELDS = {"place", "agency", "date", "month", "day", "year"}


def run_dateline_case(case: Case) -> None:
    from geo.read.reports import make_report, parse_dateline

    c, expect = case.data, case.data["expect"]
    hint = c.get("year_hint")
    d = parse_dateline(c["text"], year_hint=tuple(hint) if isinstance(hint, list) else hint,
                       today=TODAY)
    if expect.get("found", True) is False:
        if d is not None:
            _fail(case, None, {k: getattr(d, k) for k in DATELINE_FIELDS}, "a dateline was read")
        return
    want = {k: v for k, v in expect.items() if k in DATELINE_FIELDS}
    if d is None:
        if want or "starts" in expect or "after" in expect:
            _fail(case, expect, None, "no dateline read")
    else:
        got = {k: getattr(d, k) for k in want}
        if "starts" in expect:
            got["starts"] = c["text"][d.start:d.start + len(expect["starts"])]
            want["starts"] = expect["starts"]
        if "after" in expect:
            got["after"] = c["text"][d.end:d.end + len(expect["after"])]
            want["after"] = expect["after"]
        if got != want:
            _fail(case, want, got, "dateline differs")
    if "country" in expect:
        from geo.places.context import default_context

        r = make_report(c["text"], id=c["id"], places=default_context())
        if r.dateline_country != expect["country"]:
            _fail(case, {"country": expect["country"]}, {"country": r.dateline_country,
                                                           "place": r.dateline_place},
                  "dateline country differs")


# --------------------------------------------------------------------------------------
# places.jsonl: a name and its context -> the geocoder's reading (OfflineGeocoder)
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _geocoder():
    from geo.places.gazetteer import get_gazetteer
    from geo.places.geocoder import OfflineGeocoder

    return OfflineGeocoder(get_gazetteer(progress=False))


def run_place_case(case: Case) -> None:
    c, expect = case.data, case.data["expect"]
    loc = _geocoder().geocode(c["query"], context=c.get("context"))
    if expect.get("found", True) is False:
        if loc is not None:
            _fail(case, None, loc.raw, "a place was found")
        return
    if loc is None:
        _fail(case, expect, None, "no place found")
    raw = loc.raw
    got = {k: raw[k] for k in ("country", "admin1", "feature_class") if k in expect}
    want = {k: expect[k] for k in got}
    if "admin1_known" in expect:
        got["admin1_known"], want["admin1_known"] = raw["admin1"] is not None, expect["admin1_known"]
    if "min_score" in expect:
        got["score"], want["min_score"] = raw["score"], expect["min_score"]
        if raw["score"] < expect["min_score"]:
            _fail(case, want, got, "score too low")
        got.pop("score"), want.pop("min_score")
    if got != want:
        _fail(case, want, dict(got, score=raw["score"], name=raw["name"]), "reading differs")


# --------------------------------------------------------------------------------------
# mentions.jsonl: a text -> the place names the gazetteer finds in it (find_mentions)
# --------------------------------------------------------------------------------------
def run_mention_case(case: Case) -> None:
    from geo.places.gazetteer import get_gazetteer

    expect = case.data["expect"]
    names = [m.text for m in get_gazetteer(progress=False).find_mentions(case.data["text"])]
    if "names" in expect and names != expect["names"]:
        _fail(case, expect["names"], names, "names differ")
    missing = [n for n in expect.get("include", []) if n not in names]
    extra = [n for n in expect.get("exclude", []) if n in names]
    if missing or extra:
        _fail(case, {k: expect[k] for k in ("include", "exclude") if k in expect}, names,
              f"missing {missing}, unwanted {extra}")


# --------------------------------------------------------------------------------------
# linking.jsonl: a text -> the names the extractor keeps as places (linking.PlaceIndex)
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _place_context():
    from geo.extraction.core import ExtractionContext

    ctx = ExtractionContext()
    ctx.load()
    return ctx


def run_linking_case(case: Case) -> None:
    from geo.extraction.linking import PlaceIndex

    ctx = _place_context()
    expect = case.data["expect"]
    idx = PlaceIndex(case.data["text"], gazetteer=ctx.gazetteer, geocoder=ctx.geocoder, skip=[])
    kept = {p.text: {"country": p.country, "admin1": p.admin1} for p in idx.mentions}
    for name, want in expect.get("places", {}).items():
        got = kept.get(name)
        if got is None or not _fields_match(want, got):
            _fail(case, {name: want}, kept, f"{name!r} not kept as expected")
    extra = [n for n in expect.get("not_places", []) if n in kept]
    if extra:
        _fail(case, {"not_places": expect["not_places"]}, kept, f"kept {extra}")


# --------------------------------------------------------------------------------------
# The files: input fields, expect keys, runner
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    required: frozenset
    optional: frozenset
    expect: frozenset
    run: Callable[[Case], None]
    record_fields: dict  # expect key -> allowed fields of the records it lists


KINDS = {
    "events.jsonl": Kind(frozenset({"text"}),
                         frozenset({"title", "published", "dateline_place", "read_dateline"}),
                         frozenset({"events", "events_include"}), run_event_case,
                         {"events": EVENT_FIELDS, "events_include": EVENT_FIELDS}),
    "eradication.jsonl": Kind(frozenset({"text"}),
                              frozenset({"title", "published", "dateline_place", "read_dateline"}),
                              frozenset({"records", "records_include", "events", "not_recorded"}),
                              run_eradication_case,
                              {"records": ERADICATION_FIELDS, "records_include": ERADICATION_FIELDS,
                               "events": {"substance", "quantity_kg"},
                               "not_recorded": NOTED_FIELDS}),
    "quantities.jsonl": Kind(frozenset({"text"}), frozenset({"us"}), frozenset({"quantities"}),
                             run_quantity_case, {"quantities": QUANTITY_FIELDS}),
    "numbers.jsonl": Kind(frozenset({"text"}), frozenset({"convention"}),
                          frozenset({"value", "readings"}), run_number_case, {}),
    "substances.jsonl": Kind(frozenset(), frozenset({"term", "text"}),
                             frozenset({"substance", "group", "detail", "found", "not_found",
                                        "first"}), run_substance_case,
                             {k: {"text", "kind", "substance", "detail"}
                              for k in ("found", "not_found")}),
    "datelines.jsonl": Kind(frozenset({"text"}), frozenset({"year_hint"}),
                            frozenset(DATELINE_FIELDS | {"found", "starts", "after", "country"}),
                            run_dateline_case, {}),
    "places.jsonl": Kind(frozenset({"query"}), frozenset({"context"}),
                         frozenset({"found", "country", "admin1", "feature_class", "admin1_known",
                                    "min_score"}), run_place_case, {}),
    "mentions.jsonl": Kind(frozenset({"text"}), frozenset(),
                           frozenset({"names", "include", "exclude"}), run_mention_case, {}),
    "linking.jsonl": Kind(frozenset({"text"}), frozenset(), frozenset({"places", "not_places"}),
                          run_linking_case, {}),
}


_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _check(file: str, rec: Any) -> list[str]:
    """What is wrong with one parsed line of ``file`` (empty when nothing)."""
    kind = KINDS[file]
    if not isinstance(rec, dict):
        return ["a case is a JSON object"]
    problems = []
    for key in ("id", "source", "expect"):
        if key not in rec:
            problems.append(f"missing {key!r}")
    for key in ("id", "source"):
        if key in rec and not (isinstance(rec[key], str) and rec[key].strip()):
            problems.append(f"{key!r} must be a non-empty string")
    if isinstance(rec.get("id"), str) and not _ID.fullmatch(rec["id"]):
        problems.append(f"id {rec['id']!r} is not lower-case words joined by '-'")
    unknown = set(rec) - COMMON - kind.required - kind.optional
    if unknown:
        problems.append(f"unknown field(s) {sorted(unknown)}; allowed: "
                        f"{sorted(COMMON | kind.required | kind.optional)}")
    for key in kind.required - set(rec):
        problems.append(f"missing {key!r}")
    if file == "substances.jsonl" and ("term" in rec) == ("text" in rec):
        problems.append("give either 'term' or 'text'")
    if "xfail" in rec and not (isinstance(rec["xfail"], str) and rec["xfail"].strip()):
        problems.append("'xfail' must say why")
    expect = rec.get("expect")
    if "expect" in rec:
        if not isinstance(expect, dict) or not expect:
            problems.append("'expect' must be a non-empty object")
        else:
            bad = set(expect) - kind.expect
            if bad:
                problems.append(f"unknown expect key(s) {sorted(bad)}; allowed: {sorted(kind.expect)}")
            for key in ("events_include", "found", "not_found", "include", "exclude", "not_places",
                        "records_include", "not_recorded"):
                if expect.get(key) == []:
                    problems.append(f"expect.{key} is empty: it checks nothing")
            for key, allowed in kind.record_fields.items():
                for item in expect.get(key, []) or []:
                    extra = set(item) - allowed if isinstance(item, dict) else {"(not an object)"}
                    if extra:
                        problems.append(f"unknown field(s) {sorted(extra)} in expect.{key}; "
                                        f"allowed: {sorted(allowed)}")
    return problems


def load_cases(folder: Path = CASES) -> tuple[list[Case], list[str]]:
    """Every valid case of every file, and the problems of the others as 'file:line: why'."""
    cases: list[Case] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    present = sorted(p.name for p in folder.glob("*.jsonl"))
    for name in present:
        if name not in KINDS:
            problems.append(f"tests/cases/{name}: no runner for this file (known: {sorted(KINDS)})")
            continue
        with open(folder / name, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"tests/cases/{name}:{n}"
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    problems.append(f"{where}: not JSON ({exc.msg} at column {exc.colno})")
                    continue
                bad = _check(name, rec)
                if not bad and rec["id"] in seen:
                    bad = [f"duplicate id {rec['id']!r} (first at {seen[rec['id']]})"]
                if bad:
                    problems.extend(f"{where}: {b}" for b in bad)
                    continue
                seen[rec["id"]] = where
                cases.append(Case(name, n, rec))
    for name in sorted(set(KINDS) - set(present)):
        problems.append(f"tests/cases/{name}: missing")
    return cases, problems


ALL_CASES, PROBLEMS = load_cases()


def test_case_files_are_valid():
    assert not PROBLEMS, "\n".join(PROBLEMS)


def _param(case: Case):
    marks = [pytest.mark.xfail(reason=case.data["xfail"], strict=True)] if "xfail" in case.data else []
    return pytest.param(case, id=case.data["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in ALL_CASES])
def test_case(case: Case):
    KINDS[case.file].run(case)


# --------------------------------------------------------------------------------------
# The format itself: a bad line is caught and named
# --------------------------------------------------------------------------------------
def test_a_bad_case_file_is_named_by_file_and_line(tmp_path):
    good = {"id": "a", "source": "invented", "text": "5 kg", "expect": {"quantities": []}}
    lines = [json.dumps(good), "",
             json.dumps(dict(good, id="b", colour="red")),       # unknown field
             json.dumps({k: v for k, v in good.items() if k != "source"} | {"id": "c"}),
             json.dumps(good),                                    # duplicate id
             "{not json",
             json.dumps(dict(good, id="d", expect={"quantities": [{"kilos": 5}]})),
             json.dumps(dict(good, id="E f"))]
    (tmp_path / "quantities.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "other.jsonl").write_text("", encoding="utf-8")
    cases, problems = load_cases(tmp_path)
    assert [c.data["id"] for c in cases] == ["a"]
    text = "\n".join(problems)
    assert "quantities.jsonl:3: unknown field(s) ['colour']" in text
    assert "quantities.jsonl:4: missing 'source'" in text
    assert "quantities.jsonl:5: duplicate id 'a' (first at tests/cases/quantities.jsonl:1)" in text
    assert "quantities.jsonl:6: not JSON" in text
    assert "quantities.jsonl:7: unknown field(s) ['kilos'] in expect.quantities" in text
    assert "quantities.jsonl:8: id 'E f' is not lower-case words" in text
    assert "other.jsonl: no runner" in text and "events.jsonl: missing" in text


def test_every_afghan_province_has_a_case():
    codes = {c.data["expect"]["admin1"] for c in ALL_CASES
             if c.data["id"].startswith("af-province-")}
    assert len(codes) == 34
