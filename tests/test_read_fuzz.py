"""Fuzzing the readers: random bytes, cut files, mixed encodings and folders of random
files never end in a traceback; every good file is read; every other one is listed as
skipped with a reason naming it."""
from __future__ import annotations

import tempfile
from pathlib import Path

import docx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from geo.errors import UnreadableInput
from geo.read.encodings import decode
from geo.read.reports import read_reports
from geo.read.stories import split_stories

from documents_support import make_pdf

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SUFFIXES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".tsv", ".pdf",
            ".docx", ".png", ".jpg", ".xlsx", ".doc", ".zip", ".bin", ".TXT", ".Pdf", ""]

# lower-case accented letters: their cp1252 bytes (0xE0-0xFF) never form UTF-8 with what
# follows them, so a word written in cp1252 is a stray byte run, never a wrong letter
ACCENTED = "àáâãäçèéêëìíîïñòóôõöùúûüý"
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz" + ACCENTED, min_size=1, max_size=12)

GOOD_TEXT = st.lists(WORDS, min_size=3, max_size=40).map(
    lambda ws: "Police seized " + " ".join(ws) + " in Herat.\n")


def files_of(folder: Path) -> list[str]:
    return [str(f) for f in folder.rglob("*") if f.is_file() and not f.name.startswith(".")]


def _files_accounted(folder: Path, reports, skipped) -> None:
    read = {r.path for r in reports}
    named = {s.path for s in skipped}
    files = {str(f) for f in folder.rglob("*")
             if f.is_file() and not f.name.startswith(".")}
    assert files <= read | named, files - read - named
    for s in skipped:
        assert s.path in files and s.reason.strip()


@FUZZ
@given(st.binary(max_size=3000))
def test_decode_random_bytes_gives_text_or_our_error(data):
    try:
        decoded = decode(data)
    except UnreadableInput as exc:
        assert exc.reason
        return
    assert isinstance(decoded.text, str)
    assert all(n.message for n in decoded.notes)
    # what comes out is text: no lone surrogate from the repair survives
    assert not any("\udc80" <= c <= "\udcff" for c in decoded.text)


@FUZZ
@given(GOOD_TEXT, st.data())
def test_a_utf8_file_cut_anywhere_keeps_all_whole_characters(text, data):
    raw = text.encode("utf-8")
    cut = data.draw(st.integers(min_value=1, max_value=len(raw)))
    part = raw[:cut]
    assume(part.strip())
    decoded = decode(part)
    whole = part.decode("utf-8", "ignore")
    if whole.isascii() and len(part) == len(whole.encode("utf-8")) + 1:
        # one high byte after ASCII: a cut character or a cp1252 letter, read as the letter
        assert decoded.text[:-1] == whole and decoded.notes
        return
    assert decoded.text == whole
    if whole.encode("utf-8") != part:
        assert "truncated" in decoded.notes[-1].message


@FUZZ
@given(st.lists(st.tuples(WORDS, st.booleans()), min_size=1, max_size=40))
def test_mixed_utf8_and_cp1252_words_read_as_written(words):
    # each word in UTF-8 or in cp1252, as when text is pasted from two editors
    good = sum(len(w.encode("utf-8")) - len(w) for w, legacy in words if not legacy) // 1
    bad = sum(len([c for c in w if c in ACCENTED]) for w, legacy in words if legacy)
    assume(good > 0 and bad <= 4 * good)
    # (the file ends in a full stop: a lone lead byte at the very end is read as a cut
    # character, see test_read_encodings)
    data = b" ".join(w.encode("cp1252" if legacy else "utf-8") for w, legacy in words) + b"."
    text = " ".join(w for w, _ in words) + "."
    decoded = decode(data)
    assert decoded.text == text
    assert bool(decoded.notes) == (bad > 0)


NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÑñé0123456789-_ ", min_size=1,
                max_size=12).filter(lambda s: s.strip() == s and s)

CONTENT = st.one_of(
    st.binary(max_size=2000).map(lambda b: ("bytes", b)),
    GOOD_TEXT.map(lambda t: ("text", t)),
    GOOD_TEXT.map(lambda t: ("cut", t.encode("utf-8")[:-1])),
    st.just(("pdf", b"")),
    st.just(("docx", b"")),
)


def _write(path: Path, kind: str, payload) -> None:
    if kind == "pdf":
        path.write_bytes(make_pdf(["Police seized 5 kg of heroin in Herat.", None]))
    elif kind == "docx":
        d = docx.Document()
        d.add_paragraph("Police seized 5 kg of heroin in Herat.")
        d.save(path)
    elif kind == "text":
        path.write_text(payload, encoding="utf-8")
    else:
        path.write_bytes(payload)


@FUZZ
@given(st.lists(st.tuples(NAMES, st.sampled_from(SUFFIXES), CONTENT), min_size=1,
                max_size=8, unique_by=lambda t: (t[0], t[1].lower())))
def test_folder_of_random_files(entries):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        good: dict[str, str] = {}
        for name, suffix, (kind, payload) in entries:
            path = folder / (name + suffix)
            # a real PDF or Word file only under its own suffix; elsewhere its bytes
            if kind in ("pdf", "docx") and suffix.lower() != "." + kind:
                kind, payload = "bytes", b"%PDF-1.4 not really"
            _write(path, kind, payload)
            if kind == "text" and suffix.lower() in (".txt", ".md"):
                good[str(path)] = payload
            if kind in ("pdf", "docx"):
                good[str(path)] = "Police seized 5 kg of heroin in Herat."
        reports = read_reports(folder)
        _files_accounted(folder, reports, reports.skipped)
        by_path = {r.path: r for r in reports}
        for path, text in good.items():
            assert path in by_path, (path, reports.skipped)
            assert by_path[path].text.strip() == text.strip()
        for path in files_of(folder):
            # every file gave a report or a reason
            assert path in by_path or any(s.path == path for s in reports.skipped)
        for s in reports.skipped:
            if s.path in good:
                # only a repair or a scanned page of a file that was read
                assert s.partial


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(["", "", "---", "* * *", "\f"]),
                          st.text(alphabet="abc XYZ.,\t", min_size=1, max_size=60)),
                max_size=80),
       st.integers(min_value=40, max_value=400))
def test_story_splitting_loses_no_word(lines, max_chars):
    text = "\n".join(lines)
    stories = split_stories(text, lambda line: line.startswith("XYZ"), max_chars=max_chars)
    assert stories

    def words(s: str) -> list[str]:
        return [w for line in s.split("\n") for w in line.split()
                if line.strip() not in ("---", "* * *", "\f")]

    assert [w for s in stories for w in words(s.text)] == words(text) or (
        len(stories) == 1 and stories[0].text == text)
    assert [s.line for s in stories] == sorted(s.line for s in stories)
