"""Bates numbers: a prefix and a zero-padded page number, unique across every production of a case.

Numbers belong to the prefix, not to its padding: ABC00000001 and ABC000001 are the same number, so a
production may never reuse a number an earlier production with the same prefix (in any letter case) used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewer.core.case import Case
from reviewer.core.choices import DEFAULT_DIGITS
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Production

# Letters, digits and . _ - only: the number becomes a file name and a field of comma-separated OPT lines.
_ALLOWED = re.compile(r"[A-Za-z0-9._-]+")


class BatesError(ReviewerError):
    """A prefix, start or range that would make ambiguous or colliding Bates numbers."""


@dataclass(frozen=True)
class Numbering:
    prefix: str
    digits: int = DEFAULT_DIGITS

    def label(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.digits}d}"

    @property
    def largest(self) -> int:
        return 10 ** self.digits - 1


def check_prefix(prefix: str) -> str:
    """The prefix as given, or a BatesError saying which rule it breaks."""
    if not prefix:
        raise BatesError("A Bates prefix is needed, for example ACME-.")
    if prefix[-1].isdigit():
        raise BatesError(f'The Bates prefix "{prefix}" ends in a digit, which would run into the number; '
                         f'end it with a letter or a separator such as "-".')
    if any(c in prefix for c in "[](){}<>"):
        raise BatesError(f'The Bates prefix "{prefix}" contains a bracket; use letters, digits, ".", "_" '
                         f'or "-".')
    if any(c.isspace() for c in prefix):
        raise BatesError(f'The Bates prefix "{prefix}" contains a space; use "_" or "-" instead.')
    if not _ALLOWED.fullmatch(prefix):
        raise BatesError(f'The Bates prefix "{prefix}" contains characters other than letters, digits, ".", '
                         f'"_" and "-", which cannot appear in file names and load files.')
    if len(prefix) > 40:
        raise BatesError("A Bates prefix can be at most 40 characters long.")
    return prefix


def check_digits(digits: int) -> int:
    if not 3 <= digits <= 12:
        raise BatesError("Bates numbers need between 3 and 12 digits.")
    return digits


def next_number(case: Case, prefix: str) -> int:
    """Where a new production with this prefix starts by default: after the last number used, else 1."""
    with case.db.reader() as session:
        last = session.scalar(
            select(func.max(Production.last_number)).where(func.lower(Production.prefix) == prefix.lower())
        )
    return (last or 0) + 1


def collisions(case: Case, prefix: str, first: int, last: int) -> list[str]:
    """The earlier productions whose numbers overlap first…last with this prefix, as sentences."""
    with case.db.reader() as session:
        return overlapping(session, prefix, first, last)


def overlapping(session: Session, prefix: str, first: int, last: int,
                besides: int | None = None) -> list[str]:
    """collisions() in the caller's transaction, leaving out the production `besides`: run in the
    transaction that records a production (a write session, which holds the case's write lock from its
    start: db.py), it sees every production any other process has recorded, and none can be recorded
    until it ends."""
    query = (
        select(Production.name, Production.prefix, Production.digits, Production.first_number,
               Production.last_number)
        .where(func.lower(Production.prefix) == prefix.lower(), Production.first_number <= last,
               Production.last_number >= first)
        .order_by(Production.first_number)
    )
    if besides is not None:
        query = query.where(Production.id != besides)
    rows = session.execute(query).all()
    found = []
    for name, used, digits, low, high in rows:
        numbering = Numbering(used, digits)
        found.append(f'"{name}" already used {numbering.label(low)}–{numbering.label(high)}')
    return found
