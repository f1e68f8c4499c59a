"""Extraction over several processes (``geo.extract(..., jobs=N)``, ``geo map --jobs N``):
the same events in the same order as one process, and a clear error where parallel
asking is not allowed."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from geopy.geocoders import Nominatim

from geo.cli import main
from geo.errors import ExtractionError
from geo.extraction.core import extract
from geo import read_reports  # with dateline countries, as users read reports
from geo.places.context import default_context
from geo.read.reports import make_report
from geo.extraction import parallel as workers
from geo.extraction.parallel import available_cores

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

TEXTS = [
    "LONDON, March 3 (Reuters) - Border Force officers seized 1.2 tonnes of cocaine at the "
    "port of Southampton. The National Crime Agency said 30 kg of heroin were found too.",
    "Police Scotland said officers found 20 kg of cannabis in a van in Glasgow on Friday.",
    "MADRID, June 2 (Reuters) - Spain's Guardia Civil seized 3 tonnes of hashish off the "
    "coast of Cadiz. In three years, over 10 tonnes of hashish have been seized nationwide.",
    "La Secretaría de Marina (Semar) seized 500 kg of cocaine in Manzanillo, Colima.",
    "JAKARTA (Reuters) - Indonesia's National Narcotics Agency (BNN) seized 1 tonne of "
    "methamphetamine in Aceh and 12,000 ecstasy pills in Bali.",
    "KABUL, Sept 7 (NNN-BNA) - Police seized 420 kilograms of opium in the Marja district of "
    "Helmand and destroyed two drug labs in Badakhshan.",
    "Customs officers found the drugs in a container; no figure was given.",
]


@pytest.fixture(scope="module")
def many_reports():
    """40 reports (more than one worker's chunk): the seed and the texts above, repeated
    under their own ids."""
    seed = list(read_reports(SEEDS))
    made = [make_report(TEXTS[i % len(TEXTS)], id=f"t{i}", places=default_context())
            for i in range(39)]
    return seed + made


def test_several_processes_give_the_same_events_in_the_same_order(many_reports):
    one = extract(many_reports, jobs=1)
    two = extract(many_reports, jobs=2)
    assert len(one) > 50 and one["doc"].nunique() > 30
    pd.testing.assert_frame_equal(one, two)
    # figures read but not recorded (the "in three years" statistic) come back too
    assert list(one.attrs["not_events"]) == list(two.attrs["not_events"])
    assert any(r["reason"] for r in two.attrs["not_events"])


def test_every_core_is_the_default_of_jobs_none(many_reports):
    frame = extract(many_reports[:3], jobs=None)
    assert len(frame) == len(extract(many_reports[:3]))
    assert available_cores() >= 1


def test_online_geocoder_is_never_asked_in_parallel(many_reports):
    online = Nominatim(user_agent="seizure-atlas-tests")  # refused before any request
    with pytest.raises(ExtractionError, match="offline geocoder"):
        extract(many_reports[:4], geocoder=online, jobs=2)


@pytest.mark.parametrize("jobs", [-1, 1.5, "2", True])
def test_bad_jobs_value_is_refused(many_reports, jobs):
    with pytest.raises(ExtractionError, match="jobs"):
        extract(many_reports[:2], jobs=jobs)


def test_cli_jobs_writes_the_same_events(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(36):
        (folder / f"r{i:02d}.txt").write_text(TEXTS[i % len(TEXTS)] + "\n", encoding="utf-8")
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"events{jobs}.jsonl"
        assert main(["extract", str(folder), "--out", str(out), "--jobs", jobs, "-q"]) == 0
        outs.append([json.loads(line) for line in out.read_text().splitlines()])
    assert outs[0] == outs[1] and len(outs[0]) > 30


def test_cli_jobs_with_an_online_geocoder_is_a_usage_error(tmp_path, capsys):
    code = main(["extract", str(SEEDS), "--out", str(tmp_path / "e.jsonl"), "--jobs", "2",
                 "--geocoder", "nominatim", "--user-agent", "seizure-atlas-tests"])
    assert code == 2
    assert "--jobs 2 needs the offline geocoder" in capsys.readouterr().err


def _die(reports):
    os._exit(3)  # a worker killed mid-run (out of memory, a crash in a C library)


def test_a_worker_that_dies_is_an_extraction_error(many_reports, monkeypatch):
    if not workers._can_fork() or available_cores() < 2:
        pytest.skip("needs fork and two cores")
    monkeypatch.setattr(workers, "_extract_chunk", _die)
    with pytest.raises(ExtractionError, match="worker process died"):
        extract(many_reports, jobs=2)


def test_without_fork_the_workers_load_their_own_places(many_reports, monkeypatch):
    # as on macOS and Windows: spawned workers, nothing inherited or pickled but reports
    if available_cores() < 2:
        pytest.skip("needs two cores")
    monkeypatch.setattr(workers, "_can_fork", lambda: False)
    one = extract(many_reports, jobs=1)
    pd.testing.assert_frame_equal(one, extract(many_reports, jobs=2))
    from geo.places.geocoder import OfflineGeocoder

    with pytest.raises(ExtractionError, match="pass no geocoder"):
        extract(many_reports, geocoder=OfflineGeocoder(), jobs=2)


def test_the_pipeline_runs_spawned_workers_with_its_default_places(tmp_path, monkeypatch):
    # geo map --jobs 2 where workers are spawned: the run's context is the process default,
    # which a worker can make for itself
    if available_cores() < 2:
        pytest.skip("needs two cores")
    from geo.pipeline import extract_events

    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(40):
        (folder / f"r{i:02d}.txt").write_text(TEXTS[i % len(TEXTS)], encoding="utf-8")
    monkeypatch.setattr(workers, "_can_fork", lambda: False)
    one, _ = extract_events([folder], jobs=1)
    two, _ = extract_events([folder], jobs=2)
    assert len(one) > 0
    pd.testing.assert_frame_equal(one, two)


def test_the_workers_place_the_datelines_of_the_files_they_extract(tmp_path, monkeypatch):
    # geo extract --jobs 2: the process reading the files leaves each dateline's country to
    # the worker extracting the report (reading it there was a third of the reading
    # process's serial work); the events are those of one process, where the dateline is
    # all that places them
    if not workers._can_fork() or available_cores() < 2:
        pytest.skip("needs fork and two cores")
    from geo.places.context import PlaceContext

    asked = []
    original = PlaceContext.dateline_country

    def counted(self, place, text="", agency=None):
        asked.append(os.getpid())
        return original(self, place, text, agency)

    monkeypatch.setattr(PlaceContext, "dateline_country", counted)
    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(40):
        # no place but the dateline's: the country comes from the dateline alone
        (folder / f"r{i:02d}.txt").write_text(
            f"KABUL, Sept {i % 28 + 1} (Pajhwok) - Police seized {100 + i} kilograms of "
            f"opium in a raid on Tuesday, officials said.\n", encoding="utf-8")
    outs = {}
    for jobs in ("1", "2"):
        asked.clear()
        out = tmp_path / f"events{jobs}.jsonl"
        assert main(["extract", str(folder), "--out", str(out), "--jobs", jobs, "-q"]) == 0
        outs[jobs] = [json.loads(line) for line in out.read_text().splitlines()]
        here = asked.count(os.getpid())
        assert here == (40 if jobs == "1" else 0), (jobs, here)
    assert outs["1"] == outs["2"]
    assert len(outs["2"]) == 40 and {e["country"] for e in outs["2"]} == {"AF"}
