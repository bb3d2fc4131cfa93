"""Real data at its worst, made at test time: odd names, links, pipes and sockets, damaged metadata,
unknown charsets, crafted XML, pathological HTML, pixel bombs and encrypted mail (issue 14)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import socket
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pymupdf

# The non-UTF-8 name as the OS hands it to Python: byte 0xE9 becomes the surrogate U+DCE9.
LATIN1_NAME = os.fsdecode(b"caf\xe9 notes.txt")
LATIN1_NAME_SHOWN = "caf\\xE9 notes.txt"


def latin1_named_file(folder: Path) -> Path:
    path = folder / LATIN1_NAME
    path.write_bytes(b"Notes from the old drive about the lease.")
    return path


def link(folder: Path, name: str, target: Path | str) -> Path:
    path = folder / name
    os.symlink(target, path)
    return path


def fifo(folder: Path, name: str = "pipe") -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def unix_socket(folder: Path, name: str = "socket") -> Path:
    """A bound socket file; bound by a relative name because socket paths are limited to ~100 bytes."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.chdir(folder):
        server.bind(name)
    server.close()  # the socket file stays behind, as a crashed server leaves it
    return folder / name


def pdf_with_year_one(path: Path, text: str) -> Path:
    """A sound PDF whose dates say year 0001; east of UTC, converting them to UTC overflows."""
    with pymupdf.open() as document:
        document.new_page().insert_text((72, 72), text)
        document.set_metadata({"author": "R. Lamb", "title": "Lease memo",
                               "creationDate": "D:00010101000000+05'00'", "modDate": "D:00010101000000Z"})
        document.save(path)
    return path


def docx_with_year_one(path: Path, text: str) -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)

    def year_one(xml: bytes) -> bytes:
        return re.sub(rb"(<dcterms:created[^>]*>)[^<]*", rb"\g<1>0001-01-01T00:00:00+05:00", xml)

    return _rewrite_package(buffer.getvalue(), path, {"docProps/core.xml": year_one})


def rtf_with_bad_year(path: Path, text: str) -> Path:
    path.write_bytes(rb"{\rtf1\ansi{\info{\author Ann Lee}{\creatim\yr99999999999999999999\mo1\dy1}}"
                     + text.encode("ascii") + b"}")
    return path


def email_with_charset(path: Path, charset: str, body: bytes) -> Path:
    path.write_bytes(
        b"From: Ann Lee <ann@lee.example>\r\nTo: Bo Park <bo@park.example>\r\nSubject: Rent schedule\r\n"
        b"Date: Tue, 05 Mar 2024 14:30:00 +0000\r\nMessage-ID: <charset@lee.example>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n\r\n" + body + b"\r\n"
    )
    return path


def html_with_charset(path: Path, charset: str, body: bytes) -> Path:
    head = b"<html><head><meta charset=" + charset.encode() + b"><title>Rent</title></head>"
    path.write_bytes(head + b"<body><p>" + body + b"</p></body></html>")
    return path


def xlsx_with_doctype(path: Path, cell_text: str, entity_target: Path) -> Path:
    """A workbook whose sheet declares an external entity (XXE) and uses it in a cell next to real text."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = cell_text
    workbook.active["B1"] = "placeholder"
    buffer = io.BytesIO()
    workbook.save(buffer)
    doctype = f'<!DOCTYPE worksheet [<!ENTITY leak SYSTEM "file://{entity_target}">]>'.encode()

    def with_doctype(xml: bytes) -> bytes:
        xml = xml.replace(b"?>", b"?>" + doctype, 1) if xml.startswith(b"<?xml") else doctype + xml
        return xml.replace(b"<t>placeholder</t>", b"<t>&leak;</t>")

    return _rewrite_package(buffer.getvalue(), path, {"xl/worksheets/sheet1.xml": with_doctype})


def _rewrite_package(data: bytes, path: Path, edits: dict[str, Callable[[bytes], bytes]]) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            member = source.read(info)
            out.writestr(info, edits[info.filename](member) if info.filename in edits else member)
    return path


def nested_html(path: Path, depth: int, word: str) -> Path:
    path.write_text(f"<html><body>{'<div>' * depth}{word}{'</div>' * depth}</body></html>", encoding="ascii")
    return path


def huge_png(path: Path, side: int) -> Path:
    """A grey PNG of side × side pixels that compresses to about a megabyte: a black bar on white."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    white = b"\x00" + b"\xff" * side
    bar = b"\x00" + b"\xff" * (side // 4) + b"\x00" * (side // 2) + b"\xff" * (side - side // 4 - side // 2)
    bar_rows = range(side // 2, side // 2 + side // 50)
    compressor = zlib.compressobj(1)
    pieces = [compressor.compress(bar if row in bar_rows else white) for row in range(side)]
    pieces.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit grey, not interlaced
    idat = chunk(b"IDAT", b"".join(pieces))
    path.write_bytes(b"".join([b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", header), idat, chunk(b"IEND", b"")]))
    return path


_HEADERS = (b"From: Ann Lee <ann@lee.example>\r\nTo: Bo Park <bo@park.example>\r\n"
            b"Date: Tue, 05 Mar 2024 14:30:00 +0000\r\nMIME-Version: 1.0\r\n")


def smime_email(path: Path) -> Path:
    path.write_bytes(
        _HEADERS + b"Subject: Sealed offer (S/MIME)\r\nMessage-ID: <smime@lee.example>\r\n"
        b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
        b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7m\r\n\r\n"
        b"MIAGCSqGSIb3DQEHA6CAMIACAQAxggFwMIIBbAIBADBUMEYxCzAJBgNVBAYTAlVTMRMw\r\n"
    )
    return path


def pgp_email(path: Path) -> Path:
    path.write_bytes(
        _HEADERS + b"Subject: Sealed offer (PGP)\r\nMessage-ID: <pgp@lee.example>\r\n"
        b'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="SEAL"\r\n\r\n'
        b"--SEAL\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
        b"--SEAL\r\nContent-Type: application/octet-stream; name=encrypted.asc\r\n\r\n"
        b"-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA1bX2dTn3kPpAQf/Zm9vYmFy\r\n-----END PGP MESSAGE-----\r\n"
        b"--SEAL--\r\n"
    )
    return path


def wrapped_email(path: Path) -> Path:
    """A message whose own Content-Type is message/rfc822: the real headers are inside."""
    path.write_bytes(
        b"MIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: Cy Dunn <cy@dunn.example>\r\nTo: Ann Lee <ann@lee.example>\r\nSubject: Inner subject line\r\n"
        b"Date: Wed, 06 Mar 2024 09:00:00 +0000\r\nMessage-ID: <inner@dunn.example>\r\n\r\n"
        b"The inner message body about the deposit.\r\n"
    )
    return path
