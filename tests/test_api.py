"""The public API a user reaches through ``import geo``."""
from __future__ import annotations

import inspect

import pytest

import geo


@pytest.mark.parametrize("name", [n for n in geo.__all__ if not n.endswith("Error")])
def test_every_public_name_resolves_and_is_documented(name):
    obj = getattr(geo, name)
    assert inspect.getdoc(obj), f"geo.{name} has no docstring"
    if inspect.isfunction(obj):
        hints = inspect.signature(obj).return_annotation
        assert hints is not inspect.Signature.empty, f"geo.{name} has no return type hint"


def test_errors_share_one_base():
    for name in geo.__all__:
        if name.endswith("Error"):
            assert issubclass(getattr(geo, name), geo.GeoError)


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        geo.no_such_thing  # noqa: B018


def test_five_line_api_on_the_seed(tmp_path):
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    reports = geo.read_reports(seeds)
    events = geo.extract(reports)
    regions = geo.aggregate(events)
    geo.choropleth(regions, events=events).save(tmp_path / "index.html")
    bds = regions.set_index("region").loc["AF-BDS"]
    assert bds["kg_heroin"] == pytest.approx(180)
    assert bds["kg_morphine"] == pytest.approx(1500)
    assert bds["labs_destroyed"] == 6
    assert (tmp_path / "index.html").stat().st_size > 10_000
