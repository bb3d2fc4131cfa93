"""People marked as attorneys, so the privilege log can flag them (with "*", as practitioners do).

An entry is an email address (ada@quill-law.example), a whole domain (@quill-law.example) or a name
(Ada Quill); "Ada Quill <ada@quill-law.example>" is taken as its address. Matching ignores letter case.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from reviewer.core.case import Case, current_user, now
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Attorney

FLAG = "*"


def normalize(identity: str) -> str:
    identity = " ".join(identity.split())
    _name, address = parseaddr(identity)
    if "<" in identity and "@" in address:
        return address.casefold()
    if not identity:
        raise ReviewerError("Give an email address, an @domain or a name to mark as an attorney.")
    return identity.casefold()


def add(case: Case, identities: Iterable[str]) -> int:
    """Mark people as attorneys; how many were not marked already."""
    added = 0
    with case.db.session() as session:
        for identity in {normalize(i) for i in identities}:
            added += session.execute(
                sqlite_insert(Attorney).values(identity=identity, added=now(), user=current_user())
                .on_conflict_do_nothing()
            ).rowcount  # type: ignore[attr-defined]  # DML gives a CursorResult
    return added


def remove(case: Case, identities: Iterable[str]) -> int:
    wanted = {normalize(i) for i in identities}
    with case.db.session() as session:
        return int(session.execute(delete(Attorney).where(Attorney.identity.in_(wanted))).rowcount)  # type: ignore[attr-defined]  # DML gives a CursorResult


def attorneys(case: Case) -> list[str]:
    with case.db.reader() as session:
        return list(session.scalars(select(Attorney.identity).order_by(Attorney.identity)))


class AttorneyFlagger:
    """Flags the attorneys in an address list: "Ada <ada@x.example>; Ben" → "Ada <ada@x.example> *; Ben"."""

    def __init__(self, identities: Iterable[str]) -> None:
        self.identities = set(identities)

    def is_attorney(self, person: str) -> bool:
        name, address = parseaddr(person)
        address = address.casefold() if "@" in address else ""
        domain = "@" + address.rpartition("@")[2] if address else ""
        names = {name.casefold(), person.strip().casefold()} - {""}
        return bool(self.identities & ({address, domain} - {""} | names))

    def flag(self, people: str) -> str:
        if not people.strip():
            return ""
        parts = [p.strip() for p in people.split(";") if p.strip()]  # ingest joins addresses with "; "
        return "; ".join(f"{part} {FLAG}" if self.is_attorney(part) else part for part in parts)
