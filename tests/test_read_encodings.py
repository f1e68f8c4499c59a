"""geo.read.encodings: a UTF-8 file with a few stray bytes stays UTF-8, each stray byte
is repaired where it stands and named; a cut last character costs that character only."""
from __future__ import annotations

import pytest

import geo
from geo.errors import UnreadableInput
from geo.read.encodings import decode
from geo.read.reports import read_reports

NARINO = ("TUMACO, Colombia, March 3 (EFE) - Colombian police seized two tonnes of cocaine "
          "in the department of Nariño, the navy said on Tuesday.\n"
          "The drugs were found on a speedboat near the port, and the Policía said more "
          "arrests would follow.\n")


def _with_stray_byte(text: str) -> bytes:
    # UTF-8 throughout, but "Policía" pasted from a Windows document: í as cp1252 0xED
    data = text.encode("utf-8")
    return data.replace("Policía".encode("utf-8"), b"Polic\xeda")


def test_stray_cp1252_byte_is_repaired_in_place(tmp_path):
    f = tmp_path / "tumaco.txt"
    f.write_bytes(_with_stray_byte(NARINO))
    reports = read_reports(f)
    (r,) = reports
    # the real UTF-8 letter is kept, the stray byte becomes the letter it was
    assert r.text == NARINO
    (note,) = reports.skipped
    byte = _with_stray_byte(NARINO).index(b"\xed")
    assert (note.path, note.line, note.partial) == (str(f), 2, True)
    assert f"line 2 byte {byte}: 0xED read as cp1252 'í'" in note.reason
    assert str(note).startswith(f"{f}:2: 1 byte not valid UTF-8")


def test_stray_byte_does_not_move_the_seizure(tmp_path):
    # before: the whole file was read as another code page, "Nariño" became two wrong
    # letters and the 2 tonnes lost their department
    f = tmp_path / "tumaco.txt"
    f.write_bytes(_with_stray_byte(NARINO))
    events = geo.extract(read_reports(f))
    assert list(events["quantity_kg"]) == [2000.0]
    assert list(events["admin1"]) == ["CO-NAR"]


def test_byte_without_a_cp1252_letter_becomes_replacement_char():
    data = "Operación en Nariño: ".encode("utf-8") + b"5 kg \x81 de coca\n"
    d = decode(data)
    assert d.text == "Operación en Nariño: 5 kg \ufffd de coca\n"
    assert d.encoding == "utf-8"
    assert "0x81 no letter in cp1252, replaced by U+FFFD" in d.notes[0].message


def test_digits_and_symbols_are_not_guessed():
    # cp1252 0xBD is "½": a guessed fraction could change a figure
    d = decode("Incautación de ".encode("utf-8") + b"1\xbd toneladas\n")
    assert d.text == "Incautación de 1\ufffd toneladas\n"


def test_many_stray_bytes_are_counted_not_all_listed():
    good = "ñ" * 10
    data = (good + "\n").encode("utf-8") + b"".join(b"a\xe9\n" for _ in range(8))
    d = decode(data)
    assert d.text == good + "\n" + "aé\n" * 8
    msg = d.notes[0].message
    assert msg.startswith("8 bytes not valid UTF-8")
    assert "line 2 byte 22" in msg and "line 6 byte" in msg and "and 3 more" in msg
    assert d.notes[0].line == 2


def test_bom_means_utf8_whatever_follows():
    d = decode(b"\xef\xbb\xbf" + b"Caf\xe9 de Colombia\n")
    assert (d.text, d.encoding) == ("Café de Colombia\n", "utf-8-sig")
    assert "line 1 byte 6: 0xE9" in d.notes[0].message  # the BOM's 3 bytes counted


def test_legacy_code_pages_are_still_guessed_whole():
    ru = "МОСКВА, 31 января (ТАСС). Полиция изъяла 5 кг героина в Москве.\n"
    assert decode(ru.encode("cp1251")).text == ru
    es = "La Policía incautó cocaína en Nariño y en el Cauca, según la Fiscalía.\n"
    d = decode(es.encode("cp1252"))
    assert d.text == es and d.notes == []


@pytest.mark.parametrize("cut", [1, 2])
def test_truncated_last_character_is_dropped_report_kept(tmp_path, cut):
    text = "Полиция изъяла героин в Оше\n" + "Изъято 5 кг €"
    data = text.encode("utf-8")[:-cut]  # € is three bytes: cut inside it
    f = tmp_path / "cut.txt"
    f.write_bytes(data)
    reports = read_reports(f)
    (r,) = reports
    assert r.text == text[:-1]
    (note,) = reports.skipped
    assert note.partial and note.line == 2
    assert "ends inside a multi-byte UTF-8 character (truncated)" in note.reason
    assert f"at byte {len(data) - (3 - cut)}" in note.reason


def test_cut_tail_of_an_ascii_file_is_evidence_of_utf8():
    d = decode(b"Police seized 5 kg \xe2\x82")  # the first two bytes of "€"
    assert d.text == "Police seized 5 kg " and d.encoding == "utf-8"


def test_utf16_cut_in_half_keeps_the_rest():
    data = "Полиция изъяла героин".encode("utf-16")[:-1]
    d = decode(data)
    assert d.text.startswith("Полиция изъяла герои")
    assert "UTF-16" in d.notes[0].message


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"\x00\x01\x02text", "binary file"),
])
def test_unreadable_bytes_raise_our_error(data, reason):
    with pytest.raises(UnreadableInput, match=reason):
        decode(data)


def test_repaired_file_in_json_lines_names_the_record_line(tmp_path):
    f = tmp_path / "wire.jsonl"
    f.write_bytes(b'{"text": "Incautaci\xc3\xb3n en Nari\xc3\xb1o"}\n'
                  b'{"text": "Polic\xeda de Tumaco"}\n')
    reports = read_reports(f)
    assert [r.text for r in reports] == ["Incautación en Nariño", "Policía de Tumaco"]
    assert [(s.line, s.partial) for s in reports.skipped] == [(2, True)]


def test_lone_lead_byte_at_the_end():
    # alone, it is a cut character; after other stray bytes, one more of them
    assert decode("Nariño ".encode("utf-8") + b"\xe0").text == "Nariño "
    mixed = decode("Nariño ".encode("utf-8") + b"Polic\xeda \xe0")
    assert mixed.text == "Nariño Policía à"
    assert "2 bytes not valid UTF-8" in mixed.notes[0].message


def test_a_bom_alone_is_an_empty_file():
    with pytest.raises(UnreadableInput, match=r"empty file \(a byte-order mark only\)"):
        decode(b"\xef\xbb\xbf\n")


@pytest.mark.parametrize("name, data", [("none.json", "[]"), ("header.csv", "id,text\n"),
                                        ("blank.jsonl", "\n\n  \n")])
def test_a_file_without_records_is_named(tmp_path, name, data):
    f = tmp_path / name
    f.write_text(data, encoding="utf-8")
    reports = read_reports(f)
    assert len(reports) == 0
    assert [(s.path, s.reason) for s in reports.skipped] in (
        [(str(f), "holds no report (no records in it)")], [(str(f), "empty file")])
