"""File identification: the bytes decide, the original name helps only when the bytes cannot."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from extract_msg.ole_writer import OleWriter

from reviewer.core.ingest.formats import EXTRACTORS
from reviewer.core.ingest.identify import FileType, identify

ENRON_MESSAGE = (
    b"Message-ID: <18782981.1075855378110.JavaMail.evans@thyme>\r\n"
    b"Date: Mon, 14 May 2001 16:39:00 -0700 (PDT)\r\n"
    b"From: phillip.allen@enron.com\r\n"
    b"To: tim.belden@enron.com\r\n"
    b"Subject: \r\n"
    b"Mime-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=us-ascii\r\n"
    b"X-From: Phillip K Allen\r\n"
    b"\r\n"
    b"Here is our forecast\n"
)


def _identify(tmp_path: Path, data: bytes, file_name: str) -> FileType:
    # The pipeline stores originals under meaningless names; only `file_name` carries the original name.
    stored = tmp_path / "stored-original"
    stored.write_bytes(data)
    return identify(stored, file_name)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _content_types(main_part: str) -> bytes:
    office = "application/vnd.openxmlformats-officedocument"
    return (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="xlsx" ContentType="{office}.spreadsheetml.sheet"/>'
        f'<Override PartName="/main.xml" ContentType="{office}.{main_part}"/>'
        "</Types>"
    ).encode()


def _ole(*streams: str) -> bytes:
    writer = OleWriter()
    for name in streams:
        writer.addEntry(name, data=b"\x00" * 64)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _png() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )


def test_every_kind_has_an_extractor() -> None:
    kinds = {"pdf", "docx", "xlsx", "pptx", "rtf", "text", "csv", "html", "eml", "emlx", "mbox", "msg", "pst"}
    assert kinds | {"zip", "image", "legacy"} <= set(EXTRACTORS)


def test_enron_message_without_extension_is_an_email(tmp_path: Path) -> None:
    assert _identify(tmp_path, ENRON_MESSAGE, "1.") == FileType("eml", "message/rfc822")


def test_news_article_saved_as_txt_is_an_email(tmp_path: Path) -> None:
    article = b"Path: a!b\nFrom: xyz@qrs\nNewsgroups: alt.test\nSubject: hello\n\nBody\n"
    assert _identify(tmp_path, article, "article.txt").kind == "eml"


def test_key_value_notes_are_not_mistaken_for_email(tmp_path: Path) -> None:
    assert _identify(tmp_path, b"Name: John\nAge: 42\n\nNotes follow\n", "notes").kind == "text"


def test_emlx_has_a_byte_count_before_the_message(tmp_path: Path) -> None:
    data = f"{len(ENRON_MESSAGE)}\n".encode() + ENRON_MESSAGE + b'<?xml version="1.0"?><plist/>'
    assert _identify(tmp_path, data, "12345.emlx").kind == "emlx"


def test_mbox_may_start_with_blank_lines_and_an_odd_separator(tmp_path: Path) -> None:
    data = b"\n\nFrom <unknown@example.com> 14-Jun-2010 20:03:53 +0000\n" + ENRON_MESSAGE
    assert _identify(tmp_path, data, "export").kind == "mbox"


def test_single_message_with_envelope_line_saved_as_eml_stays_eml(tmp_path: Path) -> None:
    data = b"From someone@example.com Wed Jul 20 17:35:09 2016\n" + ENRON_MESSAGE
    assert _identify(tmp_path, data, "message.eml").kind == "eml"


def test_prose_starting_with_from_is_text(tmp_path: Path) -> None:
    assert _identify(tmp_path, b"From the start, we agreed.\nThen we did not.\n", "memo").kind == "text"


def test_pdf_header_may_follow_junk(tmp_path: Path) -> None:
    assert _identify(tmp_path, b"\x00junk\r\n%PDF-1.4\n1 0 obj\n", "scan.bin").kind == "pdf"


@pytest.mark.parametrize(
    ("main_part", "kind"),
    [
        ("wordprocessingml.document.main+xml", "docx"),
        ("spreadsheetml.sheet.main+xml", "xlsx"),
        ("presentationml.presentation.main+xml", "pptx"),
    ],
)
def test_office_files_are_told_apart_by_their_main_part(tmp_path: Path, main_part: str, kind: str) -> None:
    # The embedded workbook's content type must not make every document look like a spreadsheet.
    data = _zip({"[Content_Types].xml": _content_types(main_part), "main.xml": b"<x/>"})
    assert _identify(tmp_path, data, "renamed.zip").kind == kind


def test_plain_zip_is_a_zip(tmp_path: Path) -> None:
    assert _identify(tmp_path, _zip({"a.txt": b"hello"}), "bundle").kind == "zip"


def test_opendocument_is_not_unpacked_as_a_zip(tmp_path: Path) -> None:
    data = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    odt = "application/vnd.oasis.opendocument.text"
    assert _identify(tmp_path, data, "letter.odt") == FileType("unknown", odt)


def test_truncated_docx_goes_to_the_office_reader(tmp_path: Path) -> None:
    data = _zip({"[Content_Types].xml": _content_types("wordprocessingml.document.main+xml")})[:60]
    assert _identify(tmp_path, data, "cut.docx").kind == "docx"


def test_outlook_message_is_msg_whatever_its_name(tmp_path: Path) -> None:
    assert _identify(tmp_path, _ole("__substg1.0_0037001F", "__properties_version1.0"), "x.doc").kind == "msg"


def test_word_97_document_is_legacy(tmp_path: Path) -> None:
    word = _ole("WordDocument", "1Table")
    assert _identify(tmp_path, word, "letter") == FileType("legacy", "application/msword")


def test_encrypted_office_file_keeps_its_office_kind(tmp_path: Path) -> None:
    data = _ole("EncryptedPackage", "EncryptionInfo")
    assert _identify(tmp_path, data, "budget.xlsx").kind == "xlsx"
    assert _identify(tmp_path, data, "renamed").kind == "docx"


def test_pst_rtf_wordperfect_and_images_by_magic(tmp_path: Path) -> None:
    assert _identify(tmp_path, b"!BDN" + b"\x00" * 600, "mail").kind == "pst"
    assert _identify(tmp_path, b"{\\rtf1\\ansi hello}", "letter.txt").kind == "rtf"
    assert _identify(tmp_path, b"\xffWPC\x10\x00\x00\x00\x01\x0a" + b"\x00" * 50, "brief").kind == "legacy"
    assert _identify(tmp_path, _png(), "photo") == FileType("image", "image/png")
    assert _identify(tmp_path, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50, "x").kind == "image"


def test_html_is_found_by_content_also_in_utf16(tmp_path: Path) -> None:
    assert _identify(tmp_path, b"<!DOCTYPE html>\n<html><body>x</body></html>", "page").kind == "html"
    utf16 = "\ufeff<html><body>Hello</body></html>".encode("utf-16-le")
    assert _identify(tmp_path, utf16, "page").kind == "html"
    assert _identify(tmp_path, b"<div>fragment</div>", "fragment.htm").kind == "html"


def test_extension_decides_when_content_is_silent(tmp_path: Path) -> None:
    assert _identify(tmp_path, b"a,b\n1,2\n", "table.csv") == FileType("csv", "text/csv")
    assert _identify(tmp_path, b"\x01\x02\x03\x00", "old.xls").kind == "legacy"
    assert _identify(tmp_path, b"", "empty.pdf").kind == "pdf"


def test_text_and_unknown(tmp_path: Path) -> None:
    assert _identify(tmp_path, "Grüße\n".encode(), "notes") == FileType("text", "text/plain")
    assert _identify(tmp_path, "\ufeffhello".encode("utf-16-le"), "notes").kind == "text"
    # "FWS" is the Flash signature, but text that happens to start with it is still text.
    assert _identify(tmp_path, b"FWS meeting notes\n", "notes").kind == "text"
    binary = bytes(range(256)) * 4
    assert _identify(tmp_path, binary, "blob") == FileType("unknown", "application/octet-stream")
