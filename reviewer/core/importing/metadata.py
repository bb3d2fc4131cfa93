"""A DAT row's values onto a Document's own columns: addresses, subject, author, title and dates, read in
the formats producing parties write them. Everything else stays in ImportedRecord.fields as received."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from reviewer.core.importing.loadfile_reader import split_values
from reviewer.core.models import Document

_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%Y%m%d", "%d-%b-%Y", "%m/%d/%y")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p")
_TEXT_COLUMNS = {"FROM": "email_from", "TO": "email_to", "CC": "email_cc", "BCC": "email_bcc",
                 "REPLYTO": "email_reply_to", "SUBJECT": "subject", "AUTHOR": "author", "TITLE": "title"}
_ADDRESS_LISTS = ("TO", "CC", "BCC", "REPLYTO")


def apply_metadata(document: Document, value: Callable[[str], str], multi_value: str) -> None:
    """Set the document's columns from `value(OURFIELD)`; address lists are joined with "; " as ingest
    does, whatever separator the DAT used."""
    for ours, column in _TEXT_COLUMNS.items():
        text = value(ours)
        if ours in _ADDRESS_LISTS:
            text = "; ".join(split_values(text, multi_value))
        setattr(document, column, text)
    document.sent = parse_date(value("DATESENT"), value("TIMESENT"))
    document.created = parse_date(value("DATECREATED"))
    document.modified = parse_date(value("DATEMOD"))


def parse_date(day: str, clock: str = "") -> datetime | None:
    """A load file's date (and optional time); None when unreadable."""
    day, clock = day.strip(), clock.strip()
    if not day:
        return None
    if not clock and len(day) > 10 and day[10] in "T ":  # "2020-01-31T09:15:00", "01/31/2020 9:15 AM"
        day, clock = day[:10], day[11:].rstrip("Z")
    for day_format in _DATE_FORMATS:
        try:
            date = datetime.strptime(day, day_format)
        except ValueError:
            continue
        for time_format in _TIME_FORMATS:
            try:
                moment = datetime.strptime(clock.upper(), time_format)
            except ValueError:
                continue
            return date.replace(hour=moment.hour, minute=moment.minute, second=moment.second)
        return date
    return None
