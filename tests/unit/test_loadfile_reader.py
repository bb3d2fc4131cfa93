"""The detecting DAT reader and the OPT reader on load files as other parties write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core.importing.loadfile_reader import LoadFileError, map_fields, read_dat, split_values
from reviewer.core.importing.opticon import read_opt

HEADER = ["BEGDOC", "ENDDOC", "CUSTODIAN", "SUBJECT", "NOTES"]
ROW_1 = ["ABC000001", "ABC000002", "Renée Roy;Zoë Ng", "Café prices – Q3", "line one\nline two"]
ROW_2 = ["ABC000003", "ABC000003", "Zoë Ng", "", "plain"]

STYLES = {
    # name: (delimiter, quote, newline stand-in)
    "concordance": ("\x14", "\u00fe", "\u00ae"),
    "pipe-caret": ("|", "^", "\u00ae"),
    "caret-tilde": ("^", "~", "\u00ae"),
    "csv": (",", '"', None),
}
ENCODINGS = {
    "utf-8-bom": ("utf-8", b"\xef\xbb\xbf", "UTF-8 with byte-order mark"),
    "utf-8": ("utf-8", b"", "UTF-8"),
    "cp1252": ("cp1252", b"", "Windows-1252 (CP1252)"),
    "utf-16": ("utf-16-le", b"\xff\xfe", "UTF-16 with byte-order mark"),
}


def write(path: Path, style: str, encoding: str, header: bool = True) -> Path:
    delimiter, quote, newline = STYLES[style]
    codec, bom, _ = ENCODINGS[encoding]

    def value(text: str) -> str:
        if newline:
            text = text.replace("\n", newline)
        elif quote == '"':
            text = text.replace('"', '""')
        return f"{quote}{text}{quote}"

    lines = ([HEADER] if header else []) + [ROW_1, ROW_2]
    text = "".join(delimiter.join(value(v) for v in line) + "\r\n" for line in lines)
    path.write_bytes(bom + text.encode(codec))
    return path


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("style", list(STYLES))
def test_every_encoding_and_delimiter_style_reads_the_same_rows(tmp_path: Path, style: str,
                                                                 encoding: str) -> None:
    dat = read_dat(write(tmp_path / "load.dat", style, encoding))

    assert dat.header == HEADER
    assert [list(r.values()) for r in dat.rows] == [ROW_1, ROW_2]
    settings = dict(dat.dialect.describe())
    assert settings["Encoding"] == ENCODINGS[encoding][2]
    assert settings["Header row"] == "yes"
    assert split_values(dat.rows[0]["CUSTODIAN"], dat.dialect.multi_value) == ["Renée Roy", "Zoë Ng"]


def test_a_dat_without_a_header_row_numbers_its_fields_and_takes_bates_from_the_first(tmp_path: Path) -> None:
    dat = read_dat(write(tmp_path / "load.dat", "concordance", "utf-8", header=False))

    assert dat.header[:2] == ["FIELD1", "FIELD2"] and len(dat.rows) == 2
    assert map_fields(dat.header)["BEGBATES"] == "FIELD1"
    assert dict(dat.dialect.describe())["Header row"].startswith("no")


def test_a_double_encoded_dat_is_repaired_and_explained(tmp_path: Path) -> None:
    good = write(tmp_path / "good.dat", "concordance", "utf-8").read_bytes()
    twice = good.decode("utf-8").encode("utf-8").decode("cp1252").encode("utf-8")  # þ → Ã¾
    assert "Ã¾".encode() in twice
    dat = read_dat(_bytes(tmp_path / "twice.dat", twice))

    assert [list(r.values()) for r in dat.rows] == [ROW_1, ROW_2]
    assert "Ã¾" in dict(dat.dialect.describe())["Repaired"]


def test_a_mangled_double_encoded_dat_is_refused_with_the_reason(tmp_path: Path) -> None:
    mangled = ("Ã¾BEGDOCÃ¾\x14Ã¾ENDDOCÃ¾\r\nÃ¾A1Ã¾\x14Ã¾A1Ã¾ \x81\r\n").encode()
    with pytest.raises(LoadFileError, match="Ã¾"):
        read_dat(_bytes(tmp_path / "bad.dat", mangled))


def test_rows_with_the_wrong_number_of_fields_are_set_aside_not_guessed(tmp_path: Path) -> None:
    path = _bytes(tmp_path / "load.dat", b"BEGDOC|ENDDOC\r\nA1|A1\r\nA2\r\nA3|A3\r\n")
    dat = read_dat(path)

    assert [r["BEGDOC"] for r in dat.rows] == ["A1", "A3"]
    assert dat.bad_lines == [(3, "line 3 has 1 fields; the header has 2")]
    assert dict(dat.dialect.describe())["Quote"] == "none"


def test_common_field_names_map_to_ours_and_overrides_win() -> None:
    header = ["Bates Begin", "Bates End", "Email Subject", "Custodian", "DocTitle", "Issue"]
    mapping = map_fields(header, {"TITLE": "Issue"})

    assert mapping["BEGBATES"] == "Bates Begin" and mapping["ENDBATES"] == "Bates End"
    assert mapping["SUBJECT"] == "Email Subject" and mapping["TITLE"] == "Issue"
    with pytest.raises(LoadFileError, match="no field 'Nope'"):
        map_fields(header, {"SUBJECT": "Nope"})


def test_opt_reader_tolerates_line_endings_and_short_lines(tmp_path: Path) -> None:
    lines = b"A1,VOL1,IMAGES\\A1.tif,Y,,,2\nA2,VOL1,IMAGES\\A2.tif\r\n\r\nbroken\r\n"
    path = _bytes(tmp_path / "v.opt", lines)
    opt = read_opt(path)

    assert [(p.bates, p.path, p.first, p.pages) for p in opt.pages] == [
        ("A1", "IMAGES\\A1.tif", True, 2), ("A2", "IMAGES\\A2.tif", False, None)]
    assert [number for number, _ in opt.bad_lines] == [4]


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
