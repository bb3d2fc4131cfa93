"""Email, mailbox and archive extractors on small files each test builds itself."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from reviewer.core.ingest.extracted import Child, ExtractContext, ExtractionFailed, Flag, Limits, Reason
from reviewer.core.ingest.formats.archive import extract_zip
from reviewer.core.ingest.formats.email_message import extract_eml, extract_emlx
from reviewer.core.ingest.formats.mailbox import extract_mbox

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def context(tmp_path: Path) -> ExtractContext:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return ExtractContext(scratch=scratch)


def _write(tmp_path: Path, data: bytes, name: str = "stored") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _attached_message() -> EmailMessage:
    inner = EmailMessage()
    inner["From"] = "carol@example.com"
    inner["To"] = "dave@example.com"
    inner["Subject"] = "Earlier thread"
    inner.set_content("The earlier message.\n")
    return inner


def _full_message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Jörg Müller <joerg@example.de>"
    message["To"] = '"Doe, John" <john@example.com>, jane@example.com'
    message["Cc"] = "Legal Team <legal@example.com>"
    message["Subject"] = "Vertrag – final draft"
    message["Date"] = "Tue, 01 May 2001 17:14:00 -0700"
    message["Message-ID"] = "<abc@example.com>"
    message["In-Reply-To"] = "<parent@example.com>"
    message["References"] = "<root@example.com> <parent@example.com>"
    message.set_content("Please find the contract attached.\nRegards, Jörg\n")
    message.add_alternative(
        "<html><body><p>Please find the <b>contract</b> attached.</p></body></html>", "html"
    )
    message.get_payload()[1].add_related(PNG_BYTES, "image", "png", cid="<logo>", filename="logo.png")
    message.add_attachment(PDF_BYTES, maintype="application", subtype="pdf", filename="Vertrag Ä.pdf")
    message.add_attachment(_attached_message())
    return message


def test_eml_headers_body_and_attachments(tmp_path: Path, context: ExtractContext) -> None:
    result = extract_eml(_write(tmp_path, _full_message().as_bytes()), context)

    assert result.email is not None
    assert result.email.sender == "Jörg Müller <joerg@example.de>"
    assert result.email.to == "Doe, John <john@example.com>; jane@example.com"
    assert result.email.cc == "Legal Team <legal@example.com>"
    assert result.email.subject == result.title == "Vertrag – final draft"
    assert result.email.sent == datetime(2001, 5, 2, 0, 14)
    assert result.email.message_id == "<abc@example.com>"
    assert result.email.in_reply_to == "<parent@example.com>"
    assert result.email.references == "<root@example.com> <parent@example.com>"
    assert result.mime == "message/rfc822"
    # Header words are searchable, and the plain version of the body is used, once.
    assert result.text.startswith("From: Jörg Müller <joerg@example.de>\nTo: Doe, John")
    assert "Subject: Vertrag – final draft" in result.text
    assert result.text.count("Please find the contract attached.") == 1
    assert "<b>" not in result.text

    children = {child.name: child.data for child in result.children}
    assert children["Vertrag Ä.pdf"] == PDF_BYTES
    assert children["logo.png"] == PNG_BYTES
    attached = children["Earlier thread.eml"]
    assert b"Subject: Earlier thread" in attached and b"The earlier message." in attached


def test_html_only_email_becomes_readable_text(tmp_path: Path, context: ExtractContext) -> None:
    message = EmailMessage()
    message["From"] = "court@example.gov"
    message["Subject"] = "Notice of Electronic Filing"
    message.set_content(
        "<html><head><style>p {color: red}</style></head><body><p>Docket entry 12</p>"
        "<table><tr><td>Filed</td><td>May 1</td></tr></table></body></html>",
        subtype="html",
    )
    result = extract_eml(_write(tmp_path, message.as_bytes()), context)
    assert "Docket entry 12" in result.text
    assert "color: red" not in result.text and "<p>" not in result.text


def test_broken_headers_and_charsets_still_read(tmp_path: Path, context: ExtractContext) -> None:
    raw = (
        b"From: Ren\xe9 <rene@example.fr>\n"  # raw Latin-1 byte in a header
        b"To: =?utf-8?q?Fran=C3=A7ois?= <francois@example.fr>\n"
        b"Subject: =?bogus-charset?q?caf=E9?= r\xc3\xa9union\n"
        b"Date: sometime last week\n"
        b"MIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=XYZ\n"
        b"\n"
        b"--XYZ\n"
        b"Content-Type: text/plain; charset=us-ascii\n"  # mislabelled: the bytes are Windows-1252
        b"\n"
        b"Smart \x93quotes\x94 and caf\xe9\n"
        b"--XYZ\n"
        b"Content-Type: text/plain; charset=no-such-charset\n"
        b"\n"
        b"Unknown label, UTF-8 bytes: \xc3\xa9t\xc3\xa9\n"
        # no closing boundary: the message was cut off
    )
    result = extract_eml(_write(tmp_path, raw), context)
    assert result.email is not None
    assert result.email.sender == "René <rene@example.fr>"
    assert result.email.to == "François <francois@example.fr>"
    assert "réunion" in result.email.subject
    assert result.email.sent is None
    assert "Smart \u201cquotes\u201d and café" in result.text
    assert "UTF-8 bytes: été" in result.text


def test_emlx_reads_the_counted_message_and_ignores_the_plist(
    tmp_path: Path, context: ExtractContext
) -> None:
    message = EmailMessage()
    message["From"] = "apple@example.com"
    message["Subject"] = "From Apple Mail"
    message["Date"] = format_datetime(datetime(2010, 9, 6, 9, 25, 34).astimezone())
    message.set_content("Body text\n")
    data = message.as_bytes()
    emlx = f"{len(data)}\n".encode() + data + b'<?xml version="1.0"?>\n<plist><dict/></plist>\n'
    result = extract_emlx(_write(tmp_path, emlx, "1234.emlx"), context)
    assert result.email is not None and result.email.subject == "From Apple Mail"
    assert "Body text" in result.text and "plist" not in result.text


def test_empty_and_binary_files_are_reported(tmp_path: Path, context: ExtractContext) -> None:
    with pytest.raises(ExtractionFailed) as empty:
        extract_eml(_write(tmp_path, b"", "empty.eml"), context)
    assert empty.value.reason is Reason.EMPTY
    with pytest.raises(ExtractionFailed) as binary:
        extract_eml(_write(tmp_path, b"\x00\x01\x02garbage\x00" * 50, "junk.eml"), context)
    assert binary.value.reason is Reason.DAMAGED


# ---- mbox ---------------------------------------------------------------------------------------------

MBOX = (
    b"\n"
    b"From <unknown@example.com> 14-Jun-2010 20:03:53 +0000\n"
    b"From: alice@example.com\n"
    b"Subject: first\n"
    b"\n"
    b"Hello.\n"
    b"\n"
    b"From my point of view this line is body text, not a separator.\n"
    b"\n"
    b"From <unknown@example.com> 14-Jun-2010 20:03:53 +0000\n"
    b"From: bob@example.com\n"
    b"Subject: second\n"
    b"\n"
    b"Second body.\n"
    b"From - \n"  # no blank line before this separator
    b"From: carol@example.com\n"
    b"Subject: third\n"
    b"\n"
    b"Third body.\n"
)


def test_mbox_splits_on_real_separators_only(tmp_path: Path, context: ExtractContext) -> None:
    result = extract_mbox(_write(tmp_path, MBOX, "enron.mbox"), context)
    assert result.text == "Mailbox with 3 messages"
    assert result.children_are_top_level and Flag.CONTAINER in result.flags
    children = list(result.children)
    assert [child.name for child in children] == ["message-0001.eml", "message-0002.eml", "message-0003.eml"]
    assert children[0].data.startswith(b"From: alice@example.com\n")
    assert b"From my point of view" in children[0].data
    assert children[1].data == b"From: bob@example.com\nSubject: second\n\nSecond body.\n"

    second = extract_eml(_write(tmp_path, children[2].data, "third"), context)
    assert second.email is not None and second.email.subject == "third"


def test_mbox_messages_without_headers(tmp_path: Path, context: ExtractContext) -> None:
    data = (
        b"From sender Mon Jun 01 10:00:00 2009\n\nTest content 1\n\n"
        b"From sender Mon Jun 01 11:00:00 2010\n\nTest content 2\n"
    )
    children = list(extract_mbox(_write(tmp_path, data), context).children)
    assert [child.data.strip() for child in children] == [b"Test content 1", b"Test content 2"]


def test_mbox_message_over_the_limit_is_reported(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    context = ExtractContext(scratch=tmp_path_factory.mktemp("scratch"), limits=Limits(max_member_bytes=40))
    children = list(extract_mbox(_write(tmp_path, MBOX), context).children)
    assert children[0].failure is not None and children[0].failure.reason is Reason.TOO_LARGE


# ---- ZIP ----------------------------------------------------------------------------------------------


def _zip(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def _zipcrypto_archive(name: str, data: bytes, password: bytes) -> bytes:
    """A one-member archive with traditional PKWARE encryption, which zipfile can read but not write."""

    def crc_update(crc: int, byte: int) -> int:
        return ~zlib.crc32(bytes([byte]), ~crc & 0xFFFFFFFF) & 0xFFFFFFFF

    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(byte: int) -> None:
        keys[0] = crc_update(keys[0], byte)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc_update(keys[2], keys[1] >> 24)

    def encrypt(plain: bytes) -> bytes:
        out = bytearray()
        for byte in plain:
            temp = (keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            update(byte)
        return bytes(out)

    for byte in password:
        update(byte)
    crc = zlib.crc32(data)
    payload = encrypt(b"\x00" * 11 + bytes([crc >> 24])) + encrypt(data)
    encoded = name.encode()
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 1, 0, 0, 0x21, crc, len(payload), len(data), len(encoded), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        20,
        20,
        1,
        0,
        0,
        0x21,
        crc,
        len(payload),
        len(data),
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + encoded + payload
    directory = central + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def test_zip_members_become_children(tmp_path: Path, context: ExtractContext) -> None:
    data = _zip([("docs/", b""), ("docs/memo.txt", b"memo text"), ("report.pdf", PDF_BYTES)])
    result = extract_zip(_write(tmp_path, data), context)
    assert Flag.CONTAINER in result.flags and not result.children_are_top_level
    assert "docs/memo.txt" in result.text and "report.pdf" in result.text
    assert [(child.name, child.data) for child in list(result.children)] == [
        ("docs/memo.txt", b"memo text"),
        ("report.pdf", PDF_BYTES),
    ]


@pytest.mark.parametrize(
    "name", ["../evil.txt", "safe/../../evil.txt", "/etc/passwd", "C:/Windows/evil.dll", "..\\evil"]
)
def test_unsafe_member_paths_are_refused(tmp_path: Path, context: ExtractContext, name: str) -> None:
    data = _zip([("fine.txt", b"ok"), (name, b"evil")])
    children = list(extract_zip(_write(tmp_path, data), context).children)
    assert children[0] == Child("fine.txt", b"ok")
    assert children[1].name == name and children[1].data == b""
    assert children[1].failure is not None and children[1].failure.reason is Reason.UNSAFE
    assert "unsafe path" in children[1].failure.detail


def test_zip_bomb_is_not_expanded(tmp_path: Path, context: ExtractContext) -> None:
    data = _zip([("zeros.bin", b"\x00" * (50 * 1024 * 1024)), ("small.txt", b"fine")])
    assert len(data) < 1024 * 1024
    children = list(extract_zip(_write(tmp_path, data), context).children)
    assert children[0].failure is not None and children[0].failure.reason is Reason.TOO_LARGE
    assert "zip bomb" in children[0].failure.detail
    assert children[1] == Child("small.txt", b"fine")


def test_total_expansion_and_member_count_limits(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    limits = Limits(max_total_expanded_bytes=25, max_members=3)
    context = ExtractContext(scratch=tmp_path_factory.mktemp("scratch"), limits=limits)
    data = _zip([(f"file{number}.txt", b"x" * 10) for number in range(5)], zipfile.ZIP_STORED)
    children = list(extract_zip(_write(tmp_path, data), context).children)
    assert [child.data for child in children[:2]] == [b"x" * 10, b"x" * 10]
    assert children[2].failure is not None and children[2].failure.reason is Reason.TOO_LARGE
    assert children[3].failure is not None and "more than 3 members" in children[3].failure.detail
    assert len(children) == 4


def test_encrypted_member_needs_a_supplied_password(tmp_path: Path, context: ExtractContext) -> None:
    path = _write(tmp_path, _zipcrypto_archive("secret.txt", b"the secret text", b"tika"))
    locked = list(extract_zip(path, context).children)
    assert locked[0].failure is not None and locked[0].failure.reason is Reason.ENCRYPTED

    context.passwords = ["wrong", "tika"]
    assert list(extract_zip(path, context).children) == [Child("secret.txt", b"the secret text")]


def test_damaged_zip(tmp_path: Path, context: ExtractContext) -> None:
    data = _zip([("a.txt", b"hello" * 100)])
    with pytest.raises(ExtractionFailed) as failure:
        extract_zip(_write(tmp_path, data[:-30]), context)
    assert failure.value.reason is Reason.DAMAGED
