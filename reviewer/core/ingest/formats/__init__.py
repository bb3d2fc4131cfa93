"""The extractor for each kind of file. Each module reads one family of formats; see extracted.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reviewer.core.ingest.extracted import ExtractContext, Extraction, ExtractionFailed, Reason
from reviewer.core.ingest.formats import (
    archive,
    email_message,
    html,
    image,
    legacy,
    mailbox,
    msg,
    office,
    pdf,
    plain,
)

Extractor = Callable[[Path, ExtractContext], Extraction]

EXTRACTORS: dict[str, Extractor] = {
    "pdf": pdf.extract,
    "docx": office.extract_docx,
    "xlsx": office.extract_xlsx,
    "pptx": office.extract_pptx,
    "rtf": plain.extract_rtf,
    "text": plain.extract_text,
    "csv": plain.extract_text,
    "html": html.extract,
    "eml": email_message.extract_eml,
    "emlx": email_message.extract_emlx,
    "msg": msg.extract,
    "mbox": mailbox.extract_mbox,
    "pst": mailbox.extract_pst,
    "zip": archive.extract_zip,
    "image": image.extract,
    "legacy": legacy.extract,
}


def extract(kind: str, path: Path, context: ExtractContext) -> Extraction:
    extractor = EXTRACTORS.get(kind)
    if extractor is None:
        raise ExtractionFailed(Reason.UNSUPPORTED,
                               "Reviewer cannot read this type of file; the original is kept.")
    return extractor(path, context)
