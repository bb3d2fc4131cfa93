"""Dates as a chronology knows them: exact (2019-04-02), partial (2019-04, 2019), approximate
(~2019-04-02, "c. 2019") or a range (2019-04-02 to 2019-04-10), with an optional time (14:30).

A date is kept as the person entered it and shown that way; what is parsed from it is a period (its first
and last day), how precise it is, and a sort key. In a chronology a partial date sorts before the exact
dates of its period (2019-04 comes before 2019-04-01), an approximate date after the exact one of the same
day, a range after the single day it starts on, a time after no time, and undated entries last.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from reviewer.core.errors import ReviewerError

YEAR, MONTH, DAY = "year", "month", "day"
_RANK = {YEAR: 0, MONTH: 1, DAY: 2}
UNDATED_KEY = "9999"  # after every real date

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_APPROXIMATE = re.compile(r"^(?:~|c\.\s*|ca\.\s*|circa\s+|about\s+|approx(?:\.|imately)?\s+)", re.IGNORECASE)
_RANGE = re.compile(r"\s+(?:to|through|until|-)\s+|\s*(?:\.\.|–|—)\s*", re.IGNORECASE)
_TIME = re.compile(r"^(?P<rest>.*?)[\sT,]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::\d{2})?\s*(?P<ampm>[ap]\.?m\.?)?$",
                   re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_SLASHED = re.compile(r"^(\d{1,2})/(?:(\d{1,2})/)?(\d{4})$")  # M/D/YYYY or M/YYYY, as US courts write
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})$", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(r"^([a-z]+)\.?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})$", re.IGNORECASE)


class DateError(ReviewerError):
    """A date the chronology cannot read."""


@dataclass(frozen=True)
class FuzzyDate:
    """A parsed chronology date. `text` is what was entered (spaces tidied); `start`/`end` the first and
    last day it can mean; None for an undated entry."""

    text: str
    start: date | None
    end: date | None
    precision: str  # year, month, day, or "" when undated
    approximate: bool
    is_range: bool
    time: str  # "HH:MM" or ""

    @property
    def sort_key(self) -> str:
        if self.start is None or self.end is None:
            return UNDATED_KEY
        return "|".join((self.start.isoformat(), str(_RANK[self.precision]), "1" if self.approximate else "0",
                         self.end.isoformat(), self.time))

    @property
    def shown(self) -> str:
        """How the date reads in a chronology: as entered, with its time."""
        return f"{self.text} {self.time}".strip()


UNDATED = FuzzyDate("", None, None, "", False, False, "")


def parse(text: str, time: str = "") -> FuzzyDate:
    """Read a chronology date ("" is undated). A time may follow the date or be given apart."""
    text = " ".join(text.split())
    if time.strip():
        clock = _clock(time.strip(), time)
    else:
        found = _TIME.match(text)
        clock = ""
        if found:
            clock = _clock(f"{found['h']}:{found['m']}{found['ampm'] or ''}", text)
            text = found["rest"].strip()
    if not text:
        if clock:
            raise DateError(f'"{time or clock}" is a time without a date; give the date too.')
        return UNDATED
    approximate = False
    body = text
    marker = _APPROXIMATE.match(body)
    if marker:
        approximate, body = True, body[marker.end():].strip()
    parts = _RANGE.split(body)
    if len(parts) > 2:
        raise DateError(f'"{text}" has more than two dates; a range is "2019-04-02 to 2019-04-10".')
    first = _period(parts[0].strip(), text)
    if len(parts) == 2:
        last = _period(_APPROXIMATE.sub("", parts[1].strip()), text)
        if last[1] < first[0]:
            raise DateError(f'"{text}" ends before it begins.')
        return FuzzyDate(text, first[0], last[1], first[2], approximate, True, clock)
    return FuzzyDate(text, first[0], first[1], first[2], approximate, False, clock)


def of_datetime(value: datetime | None) -> FuzzyDate:
    """A document's date as an exact chronology date (its time left out: document times are UTC, and an
    attorney dates an event by its day)."""
    return UNDATED if value is None else parse(value.date().isoformat())


def _period(text: str, whole: str) -> tuple[date, date, str]:
    """The first and last day a single date means, and its precision."""
    year, month, day = _parts(text, whole)
    if not 1000 <= year <= 9998:
        raise DateError(f'"{whole}" has a year Reviewer cannot place ({year}).')
    if month is None:
        return date(year, 1, 1), date(year, 12, 31), YEAR
    if not 1 <= month <= 12:
        raise DateError(f'"{whole}" has no month {month}.')
    last_day = calendar.monthrange(year, month)[1]
    if day is None:
        return date(year, month, 1), date(year, month, last_day), MONTH
    if not 1 <= day <= last_day:
        raise DateError(f'"{whole}": {calendar.month_name[month]} {year} has no day {day}.')
    return date(year, month, day), date(year, month, day), DAY


def _parts(text: str, whole: str) -> tuple[int, int | None, int | None]:
    """Year, month and day of a single date in any of the forms Reviewer reads."""
    if found := _ISO.match(text):
        return int(found[1]), int(found[2]) if found[2] else None, int(found[3]) if found[3] else None
    if found := _SLASHED.match(text):
        if found[2] is None:
            return int(found[3]), int(found[1]), None
        return int(found[3]), int(found[1]), int(found[2])
    if found := _DAY_MONTH_YEAR.match(text):
        return int(found[3]), _month(found[2], whole), int(found[1])
    if found := _MONTH_DAY_YEAR.match(text):
        return int(found[3]), _month(found[1], whole), int(found[2]) if found[2] else None
    raise DateError(f'"{whole}" is not a date Reviewer can read; write it like 2019-04-02, 2019-04, '
                    '2019, ~2019-04-02 (approximate) or 2019-04-02 to 2019-04-10.')


def _month(name: str, whole: str) -> int:
    number = _MONTHS.get(name.lower().rstrip("."))
    if number is None:
        raise DateError(f'"{whole}": "{name}" is not a month.')
    return number


def _clock(value: str, whole: str) -> str:
    found = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?\s*([ap])?\.?(?:m\.?)?", value, re.IGNORECASE)
    if not found:
        raise DateError(f'"{whole}": "{value}" is not a time; write it like 14:30 or 2:30 pm.')
    hour, minute = int(found[1]), int(found[2])
    if found[3]:
        if not 1 <= hour <= 12:
            raise DateError(f'"{whole}": {value} is not a time.')
        hour = hour % 12 + (12 if found[3].lower() == "p" else 0)
    if hour > 23 or minute > 59:
        raise DateError(f'"{whole}": {value} is not a time.')
    return f"{hour:02d}:{minute:02d}"
