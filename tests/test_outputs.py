"""Nothing lost, nothing silent (issue 12): what the ``geo`` command does with its outputs
and how its exit code and messages tell what happened.

Each test runs the command (in-process through ``main(argv)``, or as a subprocess where
a second process or a fresh cache folder is the point) and checks three things: the exit
code, that the message names the file / column / option at fault, and that nothing was
lost (inputs byte for byte, previous outputs byte for byte, no staging or lock files
left behind).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from geo.cli import main
from geo.output import OUTPUT_FILES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

HERAT = {"id": "r1", "text": "KABUL, Jan 3 (Reuters) - Afghan police seized 20 kg of heroin "
                             "in Herat province on Tuesday, the interior ministry said."}


def run_cli(*argv: object) -> tuple[int, str, str]:
    """``geo ARGV`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def work(tmp_path) -> Path:
    """A folder with one JSON Lines report (``in.jsonl``) and a first good map in ``maps/``."""
    (tmp_path / "in.jsonl").write_text(json.dumps(HERAT) + "\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def first_map(work) -> Path:
    code, _, err = run_cli("map", work / "in.jsonl", "--out", work / "maps", "-q")
    assert code == 0, err
    return work / "maps"


def no_leftovers(folder: Path) -> None:
    """No staging folder, lock or write probe left anywhere under ``folder``."""
    left = [p.name for p in folder.rglob(".*")]
    assert not left, left


# --------------------------------------------------------------------------------------
# An output that is, holds or lies inside an input: exit 2 before any work
# --------------------------------------------------------------------------------------
@pytest.fixture
def no_extraction(monkeypatch):
    """Fail the test if the run gets as far as reading and extracting."""
    import geo.pipeline

    def refuse(*args, **kwargs):
        raise AssertionError("the run extracted before checking its outputs")

    monkeypatch.setattr(geo.pipeline, "extract_events", refuse)
    monkeypatch.setattr(geo.pipeline, "stream_events", refuse)  # what `geo extract` runs


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_extract_onto_its_own_input_is_refused(work, suffix, no_extraction):
    source = work / f"in.{suffix}"
    if suffix == "csv":
        source.write_text('id,text\nr1,"' + HERAT["text"] + '"\n', encoding="utf-8")
    before = source.read_bytes()
    code, _, err = run_cli("extract", source, "--out", source)
    assert code == 2
    assert f"--out {source} is also an input" in err
    assert source.read_bytes() == before
    no_leftovers(work)


def test_extract_onto_an_input_in_a_folder_given_as_input(work, no_extraction):
    source = work / "in.jsonl"
    before = source.read_bytes()
    # the same file through another spelling and through the folder holding it
    code, _, err = run_cli("extract", work, "--out", work / "sub" / ".." / "in.jsonl")
    assert code == 2 and "lies inside the input folder" in err and "--out" in err
    assert source.read_bytes() == before


def test_map_out_inside_an_input_folder_is_refused(work, no_extraction):
    code, _, err = run_cli("map", work, "--out", work / "maps")
    assert code == 2
    assert f"--out {work / 'maps'} lies inside the input folder {work}" in err
    assert not (work / "maps").exists()


def test_map_out_holding_an_input_is_refused(first_map, no_extraction):
    before = snapshot(first_map)
    events = first_map / "events.csv"
    code, _, err = run_cli("map", events, "--out", first_map)
    assert code == 2
    assert f"--out {first_map} holds the input {events}" in err
    assert snapshot(first_map) == before


@pytest.mark.parametrize("option", ["--out", "--map"])
def test_aggregate_onto_its_events_file_is_refused(first_map, option, no_extraction):
    events = first_map / "events.csv"
    before = snapshot(first_map)
    other = {"--out": ["--map", first_map.parent / "m.html"],
             "--map": ["--out", first_map.parent / "r.csv"]}[option]
    code, _, err = run_cli("aggregate", events, option, events, *other)
    assert code == 2
    assert f"{option} {events} is also an input" in err
    assert snapshot(first_map) == before
    assert not (first_map.parent / "m.html").exists() and not (first_map.parent / "r.csv").exists()


def test_map_out_that_is_a_file_is_a_usage_error(work, no_extraction):
    target = work / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    code, _, err = run_cli("map", work / "in.jsonl", "--out", target)
    assert code == 2
    assert f"--out {target} is a file" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "mine"


def test_extract_out_that_is_a_folder_is_a_usage_error(work, no_extraction):
    (work / "events.jsonl").mkdir()
    code, _, err = run_cli("extract", work / "in.jsonl", "--out", work / "events.jsonl")
    assert code == 2 and "is a folder" in err


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder no file can be made in: chmod for a normal user; root writes through
    modes, so a read-only file system (``/sys`` in containers) stands in for it."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    for candidate in (Path("/sys"), Path("/proc/sys")):
        try:
            fd, name = tempfile.mkstemp(dir=candidate)
        except OSError:
            return candidate
        os.close(fd)
        os.unlink(name)
    pytest.skip("running as root with no read-only file system to write into")


def test_read_only_out_is_refused_before_the_extraction(work, no_extraction):
    folder = _read_only_folder(work)
    try:
        t0 = time.monotonic()
        code, _, err = run_cli("map", work / "in.jsonl", "--out", folder / "maps")
        assert code == 2
        assert f"--out {folder / 'maps'}: cannot write in {folder}" in err
        assert time.monotonic() - t0 < 10
        code, _, err = run_cli("extract", work / "in.jsonl", "--out", folder / "ev.jsonl")
        assert code == 2 and f"--out {folder / 'ev.jsonl'}: cannot write" in err
    finally:
        if folder.is_relative_to(work):
            folder.chmod(0o755)


def test_out_and_map_naming_one_file(first_map, work):
    code, _, err = run_cli("aggregate", first_map / "events.csv", "--out", work / "x.csv",
                           "--map", work / "x.csv")
    assert code == 2 and "--out and --map both name" in err


# --------------------------------------------------------------------------------------
# A run with nothing usable leaves the previous outputs alone
# --------------------------------------------------------------------------------------
def test_unusable_inputs_do_not_replace_good_outputs(first_map, work):
    before = snapshot(first_map)
    bad = work / "feed.csv"
    bad.write_text("id,body\n1,Police seized 5 kg of heroin in Herat\n", encoding="utf-8")
    code, out, err = run_cli("map", bad, "--out", first_map)
    assert code == 2
    assert "nothing written" in err and str(first_map) in err
    assert f"{bad}:1: no column 'text'" in out  # the summary says what was skipped, why
    assert snapshot(first_map) == before
    no_leftovers(work)

    # geo extract too; and --json still gives the summary
    events = work / "events.jsonl"
    events.write_text("previous\n", encoding="utf-8")
    code, out, err = run_cli("extract", bad, "--out", events, "--json")
    assert code == 2 and "nothing written" in err
    assert json.loads(out)["skipped"][0]["path"] == str(bad)
    assert events.read_text(encoding="utf-8") == "previous\n"


def test_unusable_inputs_do_not_create_the_output_folder(work):
    bad = work / "feed.csv"
    bad.write_text("id,body\n1,x\n", encoding="utf-8")
    code, _, _ = run_cli("map", bad, "--out", work / "new", "-q")
    assert code == 2 and not (work / "new").exists()


# --------------------------------------------------------------------------------------
# Staging, lock, Ctrl-C
# --------------------------------------------------------------------------------------
def test_a_second_run_on_a_locked_out_fails_naming_the_lock(first_map, work):
    from geo.staging import OutputLock, lock_path

    before = snapshot(first_map)
    with OutputLock([first_map]):  # another run is writing maps/
        t0 = time.monotonic()
        code, _, err = run_cli("map", work / "in.jsonl", "--out", first_map, "-q")
        waited = time.monotonic() - t0
    assert code == 2
    lock = lock_path(first_map.resolve())
    assert f"(process {os.getpid()} holds the lock {lock})" in err
    assert waited < 15  # waits a moment, does not hang
    assert snapshot(first_map) == before
    assert not lock.exists()  # released and removed


def test_the_lock_of_a_killed_run_is_no_obstacle(first_map, work):
    from geo.staging import lock_path

    # a run killed with -9 leaves its lock file; flock died with it
    lock_path(first_map).write_text("999999\n", encoding="ascii")
    code, _, err = run_cli("map", work / "in.jsonl", "--out", first_map, "-q")
    assert code == 0, err
    assert not lock_path(first_map).exists()


def test_two_concurrent_runs_never_mix_their_outputs(work, tmp_path):
    """Two ``geo map`` processes, different inputs, one --out: the outputs are one run's."""
    out = work / "maps"
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(SEEDS / "000_71f20999d8bfe338.txt", other / "seed.txt")
    exe = [sys.executable, "-m", "geo.cli", "map"]
    procs = [subprocess.Popen(exe + [str(src), "--out", str(out), "-q"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for src in (work / "in.jsonl", other)]
    results = [(p.wait(timeout=600), p.stdout.read(), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    codes = sorted(code for code, _, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    for code, _, err in results:
        assert code == 0 or "holds the lock" in err, err
    events = (out / "events.csv").read_text(encoding="utf-8")
    html = (out / "index.html").read_text(encoding="utf-8")
    regions = (out / "regions.csv").read_text(encoding="utf-8")
    if "AF-BDS" in events:  # the seed's run
        assert "Badakhshan" in html and "AF-BDS" in regions and "AF-HER" not in regions
    else:
        assert "AF-HER" in events and "AF-HER" in regions and "AF-BDS" not in regions
    no_leftovers(work)


def test_ctrl_c_while_writing_keeps_every_previous_output(first_map, work, monkeypatch):
    import geo.maps.choropleth

    before = snapshot(first_map)
    render = geo.maps.choropleth.choropleth

    def interrupted(*args, **kwargs):
        m = render(*args, **kwargs)

        def save(path, *a, **k):  # Ctrl-C half way through the map, the events written
            Path(path).write_text("<html><body>half", encoding="utf-8")
            raise KeyboardInterrupt

        m.save = save
        return m

    monkeypatch.setattr(geo.maps.choropleth, "choropleth", interrupted)
    seed = work / "seed.txt"
    shutil.copy(SEEDS / "000_71f20999d8bfe338.txt", seed)
    code, _, err = run_cli("map", seed, "--out", first_map, "-q")
    assert code == 130
    assert f"interrupted; nothing was written: {first_map} is as before this run" in err
    assert snapshot(first_map) == before  # not new events beside the old map
    no_leftovers(work)


@pytest.fixture
def terminal_sigint():
    """Ctrl-C as at a terminal: a shell starts background jobs (a test run with ``&``) with
    SIGINT ignored, and an ignored Ctrl-C is rightly not reported."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_while_moving_in_is_held_until_all_are_in(first_map, work, monkeypatch,
                                                         terminal_sigint):
    import geo.staging

    seed = work / "seed.txt"
    shutil.copy(SEEDS / "000_71f20999d8bfe338.txt", seed)
    real_replace = os.replace
    moved = []

    def replace_then_ctrl_c(src, dst):
        real_replace(src, dst)
        moved.append(dst)
        if len(moved) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C after one file

    monkeypatch.setattr(geo.staging.os, "replace", replace_then_ctrl_c)
    code, _, err = run_cli("map", seed, "--out", first_map, "-q")
    assert code == 130
    assert "interrupted after every output of this run was written, complete" in err
    assert len(moved) == len(OUTPUT_FILES)
    # all four from the new run (the seed's Badakhshan), none from the first (Herat)
    for name in ("events.csv", "regions.csv", "index.html"):
        text = (first_map / name).read_text(encoding="utf-8")
        assert "Badakhshan" in text or "AF-BDS" in text, name
        assert "AF-HER" not in text, name
    no_leftovers(work)


def test_a_new_out_folder_appears_whole(work, monkeypatch):
    import geo.staging

    renames = []
    real_rename = os.rename
    monkeypatch.setattr(geo.staging.os, "rename",
                        lambda a, b: (renames.append((Path(a), Path(b))), real_rename(a, b)))
    code, _, err = run_cli("map", work / "in.jsonl", "--out", work / "fresh" / "maps", "-q")
    assert code == 0, err
    # one rename of the staging folder brought all four in
    assert [b for _, b in renames] == [work / "fresh" / "maps"]
    assert renames[0][0].parent == work / "fresh"
    assert sorted(p.name for p in (work / "fresh" / "maps").iterdir()) == sorted(OUTPUT_FILES)
    assert oct((work / "fresh" / "maps").stat().st_mode & 0o777) != oct(0o700)
    no_leftovers(work)


def test_other_files_in_out_are_kept(first_map, work):
    (first_map / "NOTES.md").write_text("mine", encoding="utf-8")
    code, _, _ = run_cli("map", work / "in.jsonl", "--out", first_map, "-q")
    assert code == 0
    assert (first_map / "NOTES.md").read_text(encoding="utf-8") == "mine"


# --------------------------------------------------------------------------------------
# Boundary options
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def boundary_file(tmp_path_factory) -> Path:
    import geopandas as gpd

    from geo.places.boundaries import default

    af = default()
    af = af[af["country"] == "AF"][["code", "name", "country", "geometry"]]
    frame = gpd.GeoDataFrame({"prov_id": af["code"].values, "label": af["name"].values,
                              "iso": af["country"].values, "cname": "AFGHANISTAN"},
                             geometry=af.geometry.values, crs=af.crs)
    path = tmp_path_factory.mktemp("bounds") / "provinces.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


@pytest.mark.parametrize("code, name, country, clash", [
    ("prov_id", "prov_id", "iso", "--code-col and --name-col"),
    ("prov_id", "label", "label", "--name-col and --country-col"),
    ("iso", "label", "iso", "--code-col and --country-col"),
])
def test_one_column_for_two_roles_is_a_usage_error(work, boundary_file, code, name,
                                                   country, clash, no_extraction):
    code_, _, err = run_cli("map", work / "in.jsonl", "--out", work / "m",
                            "--boundaries", boundary_file, "--code-col", code,
                            "--name-col", name, "--country-col", country)
    assert code_ == 2
    assert clash in err and str(boundary_file) in err and "Traceback" not in err


def test_country_names_instead_of_codes_name_file_and_column(work, boundary_file,
                                                             no_extraction):
    code, _, err = run_cli("map", work / "in.jsonl", "--out", work / "m",
                           "--boundaries", boundary_file, "--code-col", "prov_id",
                           "--name-col", "label", "--country-col", "cname")
    assert code == 2
    assert f"{boundary_file}: column 'cname'" in err and "'AFGHANISTAN'" in err
    assert "--country-col" in err
    assert not (work / "m").exists()


# --------------------------------------------------------------------------------------
# Command line: global flags, --table alone, the id field
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("flags_before, flags_after", [
    (["-v"], []), ([], ["-v"]), (["-q"], []), (["--json"], []), (["-q", "--json"], ["-v"]),
])
def test_global_flags_before_or_after_the_command(work, flags_before, flags_after):
    code, out, err = run_cli(*flags_before, "map", work / "in.jsonl", "--out", work / "m",
                             *flags_after)
    assert code == 0, err
    flags = flags_before + flags_after
    if "--json" in flags:
        assert json.loads(out)["events"] == 1
    if "-v" in flags:
        assert "read and extract:" in err  # the step timings -v logs


def test_map_with_only_a_table(work):
    table = work / "t.csv"
    table.write_text("place,qty,unit,drug\nHerat,5,kg,heroin\n", encoding="utf-8")
    code, out, err = run_cli("map", "--table", table, "--seizure-place", "place",
                             "--seizure-quantity", "qty", "--seizure-unit", "unit",
                             "--seizure-substance", "drug", "--out", work / "m", "--json")
    assert code == 0, err
    assert json.loads(out)["table_rows_read"] == 1
    assert "AF-HER" in (work / "m" / "regions.csv").read_text(encoding="utf-8")


def test_map_with_no_input_at_all(work):
    code, _, err = run_cli("map", "--out", work / "m")
    assert code == 2 and "give at least one PATH" in err and "--table" in err


def test_jsonl_id_field_is_the_event_doc(work):
    code, _, err = run_cli("extract", work / "in.jsonl", "--out", work / "ev.jsonl", "-q")
    assert code == 0, err
    rows = [json.loads(line) for line in (work / "ev.jsonl").read_text().splitlines()]
    assert rows and {r["doc"] for r in rows} == {"r1"}
    # --id-col still names another field
    (work / "in2.jsonl").write_text(json.dumps({**HERAT, "ref": "X-9"}) + "\n")
    code, _, _ = run_cli("extract", work / "in2.jsonl", "--out", work / "ev2.jsonl", "-q",
                         "--id-col", "ref")
    assert code == 0
    assert json.loads((work / "ev2.jsonl").read_text().splitlines()[0])["doc"] == "X-9"


# --------------------------------------------------------------------------------------
# Degraded steps: exit 1, and said without -v
# --------------------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_unreachable_geocoder_fails_fast_and_says_so(work, monkeypatch):
    import geo.places.online as online

    # --geocoder nominatim, pointed at a closed port on this machine (no network needed)
    monkeypatch.setattr(online, "_NOMINATIM_PUBLIC", f"127.0.0.1:{_closed_port()}")
    reports = work / "many.jsonl"
    reports.write_text("".join(json.dumps({**HERAT, "id": f"r{i}"}) + "\n" for i in range(5)))
    t0 = time.monotonic()
    code, out, err = run_cli("map", reports, "--out", work / "m", "--json",
                             "--geocoder", "nominatim", "--user-agent", "atlas-tests/1.0 (t@x.org)",
                             "--geocoder-cache", work / "gc.sqlite")
    elapsed = time.monotonic() - t0
    assert code == 1
    summary = json.loads(out)
    assert summary["exit_code"] == 1
    assert any("unreachable" in d and "127.0.0.1" in d for d in summary["degraded"])
    assert summary["events"] == 5 and summary["located"] == 0
    assert elapsed < 30, elapsed  # was ~40 s a report
    code, text, err = run_cli("map", reports, "--out", work / "m",
                              "--geocoder", "nominatim", "--user-agent", "atlas-tests/1.0 (t@x.org)",
                              "--geocoder-cache", work / "gc.sqlite")
    assert code == 1
    assert "cannot be reached" in err  # on stderr, without -v
    assert "degraded: 1" in text and "place lookup(s) not made" in text


def test_unwritable_cache_folder_is_exit_1_naming_it(work):
    blocker = work / "cache-is-a-file"
    blocker.write_text("", encoding="utf-8")
    env = {**os.environ, "SEIZURE_ATLAS_CACHE": str(blocker / "cache")}
    proc = subprocess.run([sys.executable, "-m", "geo.cli", "map", str(work / "in.jsonl"),
                           "--out", str(work / "m")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert "places unavailable" in proc.stderr and str(blocker / "cache") in proc.stderr
    assert "SEIZURE_ATLAS_CACHE" in proc.stdout and "degraded: 1" in proc.stdout
    assert (work / "m" / "events.csv").exists()  # the events are still written, unlocated


def test_gazetteer_first_build_says_so(monkeypatch, tmp_path):
    import geo.places.gazetteer as gz

    monkeypatch.setenv("SEIZURE_ATLAS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(gz, "_SHARED", None)
    monkeypatch.setattr(gz, "PROGRESS", None)

    class Stop(Exception):
        pass

    def fake_build(path, *, progress, versions, boundaries=None):
        raise Stop

    monkeypatch.setattr(gz.Gazetteer, "build", staticmethod(fake_build))
    for switch, said in ((None, True), (True, True), (False, False)):
        gz.set_progress(switch)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), pytest.raises(Stop):
            gz.get_gazetteer()
        assert ("building the gazetteer index (once, ~1 min)" in err.getvalue()) == said


def test_the_place_context_lets_the_build_show_progress(monkeypatch):
    import geo.places.gazetteer as gz
    from geo.places.context import PlaceContext

    asked = []
    monkeypatch.setattr(gz, "get_gazetteer", lambda progress=None: asked.append(progress))
    PlaceContext(geocoder=object()).load()
    assert asked == [None]  # follows set_progress and the terminal, not forced off
