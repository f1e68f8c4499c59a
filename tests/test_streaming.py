"""Streaming extraction (issue 15): ``geo.iter_events`` gives ``geo.extract``'s events,
and ``geo extract`` writing as it goes gives the same file as writing the whole frame.
(That memory stays flat is measured in benchmarks/bench_extract_memory.py.)"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import geo
from geo.cli import main
from geo.events import event_row, events_to_frame, events_writer, write_events
from geo.errors import ExtractionError
from geo.extraction.core import extract
from geo.extraction.parallel import available_cores
from geo.pipeline import extract_events, stream_events
from geo.read.reports import iter_reports, read_reports

ROOT = Path(__file__).resolve().parents[1]

TEXTS = [
    "LONDON, March 3 (Reuters) - Border Force officers seized 1.2 tonnes of cocaine at the "
    "port of Southampton. The National Crime Agency said 30 kg of heroin were found too.",
    "Police Scotland said officers found 20 kg of cannabis in a van in Glasgow on Friday.",
    "MADRID, June 2 (Reuters) - Spain's Guardia Civil seized 3 tonnes of hashish off the "
    "coast of Cadiz. In three years, over 10 tonnes of hashish have been seized nationwide.",
    "La Secretaría de Marina (Semar) seized 500 kg of cocaine in Manzanillo, Colima.",
    "KABUL, Sept 7 (NNN-BNA) - Police seized 420 kilograms of opium in the Marja district of "
    "Helmand and destroyed two drug labs in Badakhshan.",
    "Customs officers found the drugs in a container; no figure was given.",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    # more reports than one batch (256), so that parts are joined
    path = tmp_path_factory.mktemp("stream") / "reports"
    path.mkdir()
    for i in range(300):
        text = TEXTS[i % len(TEXTS)].replace(" seized ", f" seized (case {i}) ", 1)
        (path / f"r{i:04d}.txt").write_text(text, encoding="utf-8")
    return path


def test_iter_reports_is_read_reports_one_at_a_time(folder):
    skipped: list = []
    assert [(r.id, r.text) for r in iter_reports(folder, skipped=skipped)] == \
        [(r.id, r.text) for r in read_reports(folder)]
    assert skipped == []


def test_iter_events_equals_extract(folder):
    reports = geo.read_reports(folder)
    whole = extract(reports)
    dicts = list(geo.iter_events(reports))
    assert len(whole) > 300
    assert all(isinstance(d, dict) and "geometry" not in d for d in dicts)
    from geo.events import _clean

    cols = [c for c in whole.columns if c != "geometry"]
    expected = [{k: _clean(v) for k, v in rec.items()}
                for rec in pd.DataFrame(whole[cols]).to_dict(orient="records")]
    assert dicts == expected
    # and back to a frame: the same points and figures
    again = events_to_frame(dicts)
    assert again.geometry.equals(whole.geometry)
    pd.testing.assert_series_equal(again["quantity_kg"], whole["quantity_kg"])


def test_iter_events_takes_a_generator_and_a_path(folder):
    reports = geo.read_reports(folder)
    from_generator = list(geo.iter_events(r for r in reports))
    assert from_generator == list(geo.iter_events(folder))


def test_iter_events_refuses_what_is_not_reports():
    with pytest.raises(ExtractionError, match="not a report"):
        list(geo.iter_events([object()]))
    with pytest.raises(ExtractionError, match="whole number"):
        list(geo.iter_events([], jobs=-1))


def test_iter_events_in_parallel_equals_one_process(folder):
    if available_cores() < 2:
        pytest.skip("needs two cores")
    reports = geo.read_reports(folder)
    assert list(geo.iter_events(reports, jobs=2)) == list(geo.iter_events(reports))


def test_event_rows_make_the_same_frame():
    from geo.extraction.core import extract_report
    from geo.read.reports import make_report

    events = extract_report(make_report(TEXTS[0], id="a"))
    pd.testing.assert_frame_equal(events_to_frame([event_row(e) for e in events]),
                                  events_to_frame(events))
    with pytest.raises(ExtractionError, match="event rows"):
        events_to_frame([("too", "short")])


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".geojson"])
def test_streamed_file_equals_the_whole_frame_written(folder, tmp_path, suffix):
    events, summary = extract_events([folder])
    whole = tmp_path / "whole" / f"events{suffix}"
    write_events(events, whole)
    streamed = tmp_path / "streamed" / f"events{suffix}"
    streamed_summary = stream_events([folder], streamed)
    assert streamed.read_bytes() == whole.read_bytes()
    assert streamed_summary.to_dict() == summary.to_dict()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_writer_parts_equal_one_write(tmp_path, suffix):
    from geo.extraction.core import extract_report
    from geo.read.reports import make_report

    frames = [events_to_frame(extract_report(make_report(t, id=f"d{i}")))
              for i, t in enumerate(TEXTS)]
    whole = pd.concat(frames, ignore_index=True)
    write_events(whole, tmp_path / f"whole{suffix}")
    with events_writer(tmp_path / f"parts{suffix}") as write:
        for f in frames:
            write(f)
    assert (tmp_path / f"parts{suffix}").read_bytes() == (tmp_path / f"whole{suffix}").read_bytes()


def test_writer_with_no_events_writes_the_empty_file(tmp_path):
    for suffix in (".jsonl", ".csv"):
        write_events(events_to_frame([]), tmp_path / f"whole{suffix}")
        with events_writer(tmp_path / f"none{suffix}"):
            pass
        assert (tmp_path / f"none{suffix}").read_bytes() == \
            (tmp_path / f"whole{suffix}").read_bytes()


def test_geo_extract_streams_the_same_file_as_before(folder, tmp_path, capsys):
    out = tmp_path / "events.csv"
    assert main(["extract", str(folder), "--out", str(out), "--quiet"]) == 0
    events, _ = extract_events([folder])
    write_events(events, tmp_path / "expected.csv")
    assert out.read_bytes() == (tmp_path / "expected.csv").read_bytes()
    assert not list(tmp_path.glob(".*"))  # nothing staged is left behind
