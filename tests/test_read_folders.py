"""Walking a folder of reports without holding its files (geo.read.folders), and the
run's report ids kept in little memory (geo.read.ids): the same files, order and ids as
before, whatever the names."""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from geo.read import folders, ids
from geo.read.folders import walk
from geo.read.ids import SeenIds
from geo.read.reports import read_reports, report_files, told_apart

TEXT = "KABUL, Jan 5 (AP) - Police seized 20 kg of heroin in Herat province.\n"


def _tree(root: Path) -> None:
    # names whose order as strings and as paths differ ('a-c.txt' < 'a/b.txt' as text,
    # 'a/b.txt' first as a path), capitals, accents, a hidden folder and hidden files,
    # links to a file and to a folder, an empty folder
    for rel in ["a/b.txt", "a-c.txt", "a.txt", "B.txt", "a/z/deep.md", "é.txt", "e.txt",
                ".hidden/x.txt", "sub/.git/y.txt", "sub/.DS_Store", "sub/ok.txt",
                "sub dir/n.txt", "z/photo.jpg"]:
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(TEXT, encoding="utf-8")
    (root / "empty").mkdir()
    os.symlink(root / "a.txt", root / "link.txt")
    os.symlink(root / "sub", root / "linked-folder")


def test_walk_gives_the_files_of_sorted_rglob_in_its_order(tmp_path):
    _tree(tmp_path)
    expected = [f for f in sorted(tmp_path.rglob("*")) if f.is_file()]
    got = list(walk(tmp_path))
    assert [f for f, _ in got] == expected
    hidden = {f.relative_to(tmp_path).as_posix() for f, h in got if h}
    assert hidden == {".hidden/x.txt", "sub/.git/y.txt", "sub/.DS_Store"}
    # a link to a folder is not walked into (rglob's rule): its files are read once
    assert not any("linked-folder" in f.parts for f, _ in got)


@pytest.mark.parametrize("run", [16_384, 7])  # one sorted run per folder, or many merged
def test_walk_on_many_random_names_matches_sorted_rglob(tmp_path, monkeypatch, run):
    monkeypatch.setattr(folders, "_RUN", run)
    rng = random.Random(7)
    alphabet = "aAbB-._ 0é"
    for _ in range(300):
        parts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
                 for _ in range(rng.randint(1, 3))]
        if any(p in (".", "..") or p != p.strip() for p in parts):
            continue
        f = tmp_path.joinpath(*parts[:-1], parts[-1] + ".txt")
        try:
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text("x", encoding="utf-8")
        except (FileExistsError, NotADirectoryError):
            continue  # a name taken by a file and a folder: skip it
    expected = [f for f in sorted(tmp_path.rglob("*")) if f.is_file()]
    assert len(expected) > 100
    assert [f for f, _ in walk(tmp_path)] == expected


def test_the_reader_reads_a_folder_in_path_order_and_lists_what_it_skips(tmp_path):
    _tree(tmp_path)
    reports = read_reports(tmp_path)
    assert [r.path for r in reports] == [
        str(tmp_path / rel) for rel in
        ["B.txt", "a/b.txt", "a/z/deep.md", "a-c.txt", "a.txt", "e.txt", "link.txt",
         "sub/ok.txt", "sub dir/n.txt", "é.txt"]]
    assert [s.path for s in reports.skipped] == [str(tmp_path / "z" / "photo.jpg")]
    assert list(report_files(tmp_path)) == [Path(r.path) for r in reports]


def test_a_folder_that_cannot_be_listed_is_reported_not_passed_over(tmp_path, monkeypatch):
    _tree(tmp_path)
    real = os.scandir

    def scandir(path):
        if Path(path).name == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    reports = read_reports(tmp_path)
    assert str(tmp_path / "sub" / "ok.txt") not in [r.path for r in reports]
    assert [(s.path, s.reason) for s in reports.skipped][0] == (
        str(tmp_path / "sub"), "cannot list folder: Permission denied")


def test_seen_ids_tell_ids_apart_as_a_dict_does(monkeypatch):
    monkeypatch.setattr(ids, "_RECENT", 64)  # many merges into the sorted array
    rng = random.Random(3)
    raw = [f"r{rng.randrange(2000)}" for _ in range(6000)] + ["a#1", "a#1", "\udcff", "\udcff"]
    as_dict: dict[str, int] = {}
    compact = SeenIds()
    assert [told_apart(r, compact) for r in raw] == [told_apart(r, as_dict) for r in raw]
    assert len(compact) == len(as_dict)


def test_seen_ids_hold_digests_that_end_in_zero_bytes(monkeypatch):
    # numpy hands a fixed-width bytes item back without its trailing NULs
    monkeypatch.setattr(ids, "_RECENT", 8)
    keys = [str(k) for k in range(50_000) if SeenIds._digest(str(k)).endswith(b"\0")][:40]
    seen = SeenIds()
    for k in keys:
        seen[k] = 1
    assert len(seen) == len(keys) and all(seen.get(k) == 1 for k in keys)
    assert seen.get("never seen", 0) == 0


@pytest.mark.parametrize("stems", [["r", "r"], ["x", "y", "x", "x"]])
def test_same_stems_in_several_folders_are_told_apart_in_order(tmp_path, stems):
    for n, stem in enumerate(stems):
        f = tmp_path / f"d{n}" / f"{stem}.txt"
        f.parent.mkdir()
        f.write_text(TEXT, encoding="utf-8")
    got = [r.id for r in read_reports(tmp_path)]
    as_dict: dict[str, int] = {}
    assert got == [told_apart(s, as_dict) for s in stems]
    assert len(set(got)) == len(got)
