"""People marked as attorneys, so the privilege log can flag them (with "*", as practitioners do).

An entry is an email address (ada@quill-law.example), a whole domain (@quill-law.example) or a name
(Ada Quill); "Ada Quill <ada@quill-law.example>" is taken as its address. Matching ignores letter case.
Marking and unmarking are reviewer actions on the audit trail, undoable.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from sqlalchemy import delete, select

from reviewer.core.audit import Action, recording
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Attorney
from reviewer.core.team.access import require_role

FLAG = "*"


def normalize(identity: str) -> str:
    identity = " ".join(identity.split())
    _name, address = parseaddr(identity)
    if "<" in identity and "@" in address:
        return address.casefold()
    if not identity:
        raise ReviewerError("Give an email address, an @domain or a name to mark as an attorney.")
    if len(identity) > 320:
        raise ReviewerError("An attorney's address or name can be at most 320 characters long.")
    return identity.casefold()


def add(case: Case, identities: Iterable[str]) -> int:
    """Mark people as attorneys, as one reviewer action (undoable); how many were not marked already."""
    require_role(case, "admin", "mark attorneys")
    wanted = sorted({normalize(i) for i in identities})
    with recording(case) as change:
        session = change.session
        marked = set(session.scalars(select(Attorney.identity).where(Attorney.identity.in_(wanted))))
        added = [Attorney(identity=i, added=change.at, user=change.user) for i in wanted if i not in marked]
        session.add_all(added)
        session.flush()
        change.row_events(Action.ADD_ATTORNEY, [(a, a.identity, a.identity) for a in added])
        if added:
            change.describe(f"marking {_people(added)}")
        return len(added)


def remove(case: Case, identities: Iterable[str]) -> int:
    """Unmark people as attorneys, as one reviewer action (undoable); how many had been marked."""
    require_role(case, "admin", "unmark attorneys")
    wanted = {normalize(i) for i in identities}
    with recording(case) as change:
        session = change.session
        found = list(session.scalars(select(Attorney).where(Attorney.identity.in_(wanted))
                                     .order_by(Attorney.identity)))
        change.row_events(Action.REMOVE_ATTORNEY, [(a, a.identity, a.identity) for a in found])
        session.execute(delete(Attorney).where(Attorney.id.in_([a.id for a in found])))
        if found:
            change.describe(f"unmarking {_people(found)}")
        return len(found)


def _people(marked: list[Attorney]) -> str:
    """'ada@quill-law.example as an attorney' or '3 people as attorneys', for the trail."""
    if len(marked) == 1:
        return f"{marked[0].identity} as an attorney"
    return f"{len(marked)} people as attorneys"


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
