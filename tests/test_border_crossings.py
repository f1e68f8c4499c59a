"""Tests of the border crossing table geo/vocab/border_crossings.csv: every row reads with the
alias file's checks, names a region of the boundary file, and its point sits where the row
says (on its own side, at the border with the country across). These are the checks that
catch a post remembered on the wrong road or the wrong side. That the posts resolve to
their region in text is checked by their cases in tests/cases/places.jsonl (ids border-...).
"""
from __future__ import annotations

import pytest
from shapely.geometry import Point
from shapely.ops import nearest_points

from geo.errors import GazetteerError
from geo.places import boundaries
from geo.places import gazetteer as gz
from geo.places.gazetteer_build import read_aliases, read_border_crossings
from geo.places.names import ALIASES_PATH, BORDER_CROSSINGS_PATH, km

# Posts stand on the border line and the boundary polygons are simplified (0.01 degrees), so a
# post may fall just across the line: it must lie within this of its own admin-1 polygon ...
OWN_SIDE_KM = 15.0
# ... and within this of the country across (a post a few km back from the line, as Chaman's
# or the Amu Darya ports are, still counts; one 50 km off is on another road).
ACROSS_KM = 25.0


@pytest.fixture(scope="module")
def rows():
    return read_border_crossings(BORDER_CROSSINGS_PATH)


@pytest.fixture(scope="module")
def regions():
    frame = boundaries.default()
    return frame[frame["code"].map(lambda c: isinstance(c, str) and "~" not in c)]


def _km_to(pt: Point, geom) -> float:
    if geom.contains(pt):
        return 0.0
    near = nearest_points(pt, geom)[1]
    return km(pt.y, pt.x, near.y, near.x)


def test_table_covers_the_land_borders_and_says_where_each_row_comes_from(rows):
    assert len(rows) >= 400
    countries = {r.country for r in rows}
    assert len(countries) >= 100
    # every inhabited continent's land borders
    for code in ("TR", "AF", "KZ", "TH", "NG", "KE", "ZA", "MX", "GT", "BO", "AR", "FI"):
        assert code in countries
    assert all(r.note.startswith("general knowledge: ") for r in rows), \
        [r.line for r in rows if not r.note.startswith("general knowledge: ")]
    # one row per post: a name repeats only for the other side of its border
    seen = [(r.name, r.country) for r in rows]
    assert len(seen) == len(set(seen)), sorted({k for k in seen if seen.count(k) > 1})


def test_no_post_is_also_an_alias_row(rows):
    aliases = {(r.name, r.country) for r in read_aliases(ALIASES_PATH)}
    assert sorted({(r.name, r.country) for r in rows} & aliases) == []


def test_every_admin1_is_a_region_of_the_boundary_file(rows, regions):
    codes = set(regions["code"])
    bad = [(r.line, r.name, r.admin1) for r in rows if r.admin1 not in codes]
    assert bad == []


def test_every_post_lies_on_its_side_at_the_border_with_the_country_across(rows, regions):
    by_code = dict(zip(regions["code"], regions.geometry))
    across = {c: g.union_all() for c, g in regions.groupby("country").geometry}
    bad = []
    for r in rows:
        pt = Point(r.lon, r.lat)
        own = _km_to(pt, by_code[r.admin1])
        other = _km_to(pt, across[r.across]) if r.across in across else float("inf")
        if own > OWN_SIDE_KM or other > ACROSS_KM:
            bad.append(f"{BORDER_CROSSINGS_PATH.name}:{r.line} {r.name} ({r.admin1}): "
                       f"{own:.0f} km from its region, {other:.0f} km from {r.across}")
    assert bad == []


_HEADER = "name,aliases,feature_class,country,admin1,lat,lon,across,note\n"
_GOOD = "Good,,ppl,AF,AF-NAN,34.1,71.09,PK,ok\n"


@pytest.mark.parametrize("line, message", [
    ("X,,ppl,AF,AF-NAN,34.1,71.09,,n", "across must be the ISO alpha-2 code"),
    ("X,,ppl,AF,AF-NAN,34.1,71.09,AF,n", "across must be the ISO alpha-2 code"),
    ("X,,ppl,AF,AF-NAN,34.1,71.09,PAK,n", "across must be the ISO alpha-2 code"),
    ("X,,region,AF,AF-NAN,34.1,71.09,PK,n", "a border crossing is a ppl"),
    ("X,,ppl,AF,,34.1,71.09,PK,n", "needs its country and admin1"),
    ("X,,ppl,AF,PK-KP,34.1,71.09,PK,n", "not in country AF"),  # the alias reader's checks
    ("X,,ppl,AF,AF-NAN,north,71.09,PK,n", "lat/lon must be numbers"),
])
def test_border_file_errors_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "border_crossings.csv"
    path.write_text(_HEADER + _GOOD + line + "\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=message) as err:
        read_border_crossings(path)
    assert f"{path}:3" in str(err.value)


def test_border_file_needs_the_across_column(tmp_path):
    path = tmp_path / "border_crossings.csv"
    path.write_text("name,aliases,feature_class,country,admin1,lat,lon,note\n"
                    "Good,,ppl,AF,AF-NAN,34.1,71.09,ok\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="missing column.*across"):
        read_border_crossings(path)


def test_reader_keeps_across_and_line_numbers(tmp_path):
    path = tmp_path / "border_crossings.csv"
    path.write_text("# a comment\n" + _HEADER + "Torkham,Torkham Gate,ppl,PK,PK-KP,34.1,71.1,AF,n\n",
                    encoding="utf-8")
    (row,) = read_border_crossings(path)
    assert (row.line, row.names, row.admin1, row.across) == (3, ["Torkham", "Torkham Gate"],
                                                             "PK-KP", "AF")


def test_index_is_rebuilt_when_the_table_changes(monkeypatch, tmp_path):
    monkeypatch.setenv("SEIZURE_ATLAS_CACHE", str(tmp_path / "cache"))
    base = gz.source_versions()
    table = tmp_path / "border_crossings.csv"
    table.write_text(BORDER_CROSSINGS_PATH.read_text(encoding="utf-8") + _GOOD, encoding="utf-8")
    monkeypatch.setattr(gz, "BORDER_CROSSINGS_PATH", table)
    changed = gz.source_versions()
    assert changed["border_crossings"] != base["border_crossings"]
    assert gz.index_path(changed) != gz.index_path(base)


def test_posts_are_indexed_as_curated_places():
    gaz = gz.get_gazetteer(progress=False)
    # a post the sources lack is a place of its own, on its side of the border
    (post,) = [c for c in gaz.lookup("Kapitan Andreevo") if c.country == "BG"]
    assert (post.admin1, post.feature_class, post.ref.split(":")[0]) == ("BG-26", "ppl", "border")
    # the two sides of one crossing are two places, one per country
    sides = {c.country: c.admin1 for c in gaz.lookup("Torkham") if c.source == "aliases"}
    assert sides == {"AF": "AF-NAN", "PK": "PK-KP"}


def test_posts_are_found_by_their_spellings_not_by_look_alikes():
    gaz = gz.get_gazetteer(progress=False)
    assert [c.country for c in gaz.lookup("Kasumulu") if c.ref.startswith("border:")] == ["TZ"]
    # a Bangladeshi village the gazetteer lacks folds to the same key as Kasumulu: a hamlet's
    # look-alike is no reading of it (it placed a RAB raid in Tanzania)
    assert [c for c in gaz.lookup("Kasimala") if c.ref.startswith("border:")] == []


def test_across_names_the_other_side_of_a_post():
    from geo.places.crossings import across

    assert across("Lebombo", "ZA") == {"MZ"}
    assert across("Kapikule", "TR") == {"BG"}  # a listed spelling, written without its ı
    assert across("Torkham", "PK") == {"AF"} and across("Torkham", "AF") == {"PK"}
    assert across("Lebombo", "MZ") == frozenset()  # no post of that name on that side
    assert across("Kandahar", "AF") == frozenset()  # a town, no post
