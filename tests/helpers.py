"""Small real files that tests build on the fly: emails with attachments, PDFs, archives."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pymupdf


def make_pdf(path: Path, pages: list[str], author: str = "", title: str = "") -> Path:
    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page()
        page.insert_textbox(pymupdf.Rect(72, 72, 540, 720), text, fontsize=11)
    doc.set_metadata({"author": author, "title": title})
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    doc.close()
    return path


def pdf_bytes(text: str) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    data = doc.tobytes()
    doc.close()
    return data


def make_email(
    path: Path,
    subject: str,
    body: str,
    sender: str = "Ada Quill <ada@quill-law.example>",
    to: str = "Ben Ortiz <ben@ortiz.example>",
    message_id: str | None = None,
    attachments: dict[str, bytes] | None = None,
    received: str | None = None,
    sent: datetime | None = None,
) -> Path:
    message = EmailMessage()
    if received:
        message["Received"] = received
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(sent or datetime(2024, 3, 5, 14, 30, tzinfo=UTC))
    message["Message-ID"] = message_id or f"<{abs(hash((subject, body)))}@mail.example>"
    message.set_content(body)
    for name, data in (attachments or {}).items():
        maintype, subtype = (
            ("application", "pdf") if name.endswith(".pdf") else ("application", "octet-stream")
        )
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(message.as_bytes())
    return path


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path
