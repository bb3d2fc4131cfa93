"""DAT and OPT load files against validators written from the specification (not from the writer), and
the project's reader reading back what the writer wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core.importing.loadfile_reader import LoadFileError, read_dat
from reviewer.core.importing.opticon import OptPage, read_opt
from reviewer.core.produce.loadfiles import DAT_FIELDS, write_csv, write_dat, write_opt

REQUIRED_DAT_FIELDS = {
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "PGCOUNT", "CUSTODIAN", "ALLCUSTODIANS", "FROM", "TO",
    "CC", "BCC", "SUBJECT", "DATESENT", "AUTHOR", "TITLE", "DATECREATED", "DATEMOD", "FILENAME", "FILEEXT",
    "MD5HASH", "SHA1HASH", "REDACTED", "CONFIDENTIALITY", "PRODUCTIONTREATMENT", "NATIVEPATH", "TEXTPATH",
}
BOMS = {"utf-8": b"\xef\xbb\xbf", "utf-16": b"\xff\xfe", "cp1252": b""}


def validate_dat(data: bytes, encoding: str = "utf-8") -> list[list[str]]:
    """Check a Concordance DAT byte for byte: the encoding's byte-order mark, CR LF after every line and
    nowhere else, every value between þ qualifiers, values separated by 0x14, the same number of fields on
    every line, the required fields in the header. Returns the raw values, line by line."""
    bom = BOMS[encoding]
    assert data.startswith(bom), "missing or wrong byte-order mark"
    text = data[len(bom):].decode({"utf-8": "utf-8", "utf-16": "utf-16-le", "cp1252": "cp1252"}[encoding])
    assert text.endswith("\r\n"), "the last line must end with CR LF"
    lines = text[:-2].split("\r\n")
    assert not any("\n" in line or "\r" in line for line in lines), "a bare newline inside a line"
    table = []
    for line in lines:
        pieces = line.split("\x14")
        for piece in pieces:
            assert len(piece) >= 2 and piece[0] == "þ" and piece[-1] == "þ", f"unqualified value {piece!r}"
        table.append([piece[1:-1] for piece in pieces])
    assert len({len(row) for row in table}) == 1, "lines with different numbers of fields"
    assert REQUIRED_DAT_FIELDS <= set(table[0])
    return table


def validate_opt(data: bytes) -> list[list[str]]:
    """Check an Opticon file: seven comma-separated fields a line (CR LF), Y and the page count on a
    document's first page only, that count matching the pages up to the next document, relative image
    paths with backslashes, each page's Bates number once."""
    text = data.decode("ascii")
    assert text.endswith("\r\n")
    rows = [line.split(",") for line in text[:-2].split("\r\n")]
    assert all(len(row) == 7 for row in rows)
    starts = [index for index, row in enumerate(rows) if row[3] == "Y"]
    assert starts and starts[0] == 0
    for index, row in enumerate(rows):
        assert row[3] in ("Y", "") and row[4] == row[5] == ""
        assert (row[3] == "Y") == row[6].isdigit() and (row[6] != "" or row[3] == "")
        assert "/" not in row[2] and not row[2].startswith("\\") and ":" not in row[2]
        if row[3] == "Y":
            following = [i for i in starts if i > index]
            end = following[0] if following else len(rows)
            assert int(row[6]) == end - index
    assert len({row[0] for row in rows}) == len(rows)
    return rows


TRICKY_ROWS = [
    {"BEGBATES": "ACME-00000001", "ENDBATES": "ACME-00000002", "SUBJECT": "Line one\r\nline two\nthree",
     "CUSTODIAN": "Þórunn Smáradóttir", "ALLCUSTODIANS": "Þórunn Smáradóttir;Ben Ortiz",
     "TO": "Ada <ada@example.com>;Ben <ben@example.com>", "TITLE": "Café þe ümlaut — “quoted”",
     "FILENAME": "budget\x14v2\x07.xlsx"},
    {"BEGBATES": "ACME-00000003", "ENDBATES": "ACME-00000003", "SUBJECT": "", "PGCOUNT": "1"},
]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_dat_follows_the_format_and_reads_back(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "VOL001.dat"
    write_dat(path, TRICKY_ROWS, encoding)  # type: ignore[arg-type]
    table = validate_dat(path.read_bytes(), encoding)
    assert table[0] == list(DAT_FIELDS) and len(table) == 3
    subject = table[0].index("SUBJECT")
    assert table[1][subject] == "Line one®line two®three"
    assert table[1][table[0].index("FILENAME")] == "budgetv2.xlsx"  # control characters cannot be carried

    dat = read_dat(path)
    header, rows = dat.header, dat.rows
    assert header == list(DAT_FIELDS)
    assert rows[0]["SUBJECT"] == "Line one\nline two\nthree"
    assert rows[0]["ALLCUSTODIANS"].split(";") == ["Þórunn Smáradóttir", "Ben Ortiz"]
    assert rows[1]["PGCOUNT"] == "1" and rows[1]["SUBJECT"] == ""
    expected_title = "Café þe ümlaut — “quoted”"
    assert rows[0]["TITLE"] == expected_title  # cp1252 holds all of these, þ included


def test_cp1252_replaces_what_it_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "VOL001.dat"
    write_dat(path, [{"BEGBATES": "A-001", "SUBJECT": "Привет from 東京"}], "cp1252")
    assert read_dat(path).rows[0]["SUBJECT"] == "?????? from ??"


def test_opt_follows_the_format_and_reads_back(tmp_path: Path) -> None:
    pages = [
        OptPage("ACME-00000001", "VOL001", r"IMAGES\0001\ACME-00000001.tif", True, 2),
        OptPage("ACME-00000002", "VOL001", r"IMAGES\0001\ACME-00000002.tif", False, None),
        OptPage("ACME-00000003", "VOL001", r"IMAGES\0001\ACME-00000003.tif", True, 1),
    ]
    path = tmp_path / "VOL001.opt"
    write_opt(path, pages)
    rows = validate_opt(path.read_bytes())
    assert rows[0] == ["ACME-00000001", "VOL001", r"IMAGES\0001\ACME-00000001.tif", "Y", "", "", "2"]
    assert rows[1] == ["ACME-00000002", "VOL001", r"IMAGES\0001\ACME-00000002.tif", "", "", "", ""]
    assert read_opt(path).pages == pages


def test_broken_lines_are_set_aside_and_writers_refuse_what_cannot_be_written(tmp_path: Path) -> None:
    dat = tmp_path / "bad.dat"
    dat.write_bytes("þBEGBATESþ\x14þENDBATESþ\r\nþA-1þ\r\n".encode())
    assert read_dat(dat).bad_lines == [(2, "line 2 has 1 fields; the header has 2")]
    opt = tmp_path / "bad.opt"
    opt.write_bytes(b"A-1,VOL001\r\n")
    assert [number for number, _ in read_opt(opt).bad_lines] == [1]
    with pytest.raises(LoadFileError, match="comma"):
        write_opt(opt, [OptPage("A-1", "VOL,1", "x.tif", True, 1)])


def test_csv_has_the_same_fields_for_spreadsheet_users(tmp_path: Path) -> None:
    path = tmp_path / "VOL001.csv"
    write_csv(path, TRICKY_ROWS)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").splitlines()[0] == ",".join(DAT_FIELDS)
