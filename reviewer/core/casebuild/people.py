"""People and organisations as a reader sees them: listing, finding, resolving ids, and the documents of a
person. What other parts of Reviewer call:

- resolve_person(session, id) → the id of the person an id is now (merges are followed), or None;
- person_names(session, ids) → {id: name} for ids kept elsewhere (a fact's people), merges followed;
- person_documents(session, person_ids) → the ids of every document a person is on, in any role
  (sender, recipient, Reply-To or author); documents_of(person_ids) is the same as SQL;
- find_people(session, reference) → the people a reference names: an id (12 or #12), an address, an
  @domain, a name in any of its usual forms, or a wildcard (lell*).

A person's id never changes: a merge keeps the survivor's id, and the person merged away stays on
record pointing at it (Person.merged_into), so an id written down before the merge still resolves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from reviewer.core.case import Case
from reviewer.core.casebuild.names import ADDRESS, NAME, comparison_key, loose_key, plain_text
from reviewer.core.models import (
    DomainFlag,
    EmailDomain,
    MessageParty,
    Person,
    PersonAlias,
    PersonFlag,
    PersonIdentity,
)
from reviewer.core.produce.attorneys import AttorneyFlagger, attorneys

ATTORNEY = "attorney"
_CHUNK = 5_000


@dataclass(frozen=True)
class PersonInfo:
    id: int
    name: str
    addresses: list[str]
    organisation: str
    flags: list[str]
    sent: int
    received: int
    documents: int
    names: list[str] = field(default_factory=list)  # every display name the person was written with
    named_by_hand: bool = False
    grouped_by_hand: bool = False


@dataclass(frozen=True)
class DomainInfo:
    id: int
    domain: str
    label: str
    flags: list[str]
    people: int
    sent: int
    received: int

    @property
    def name(self) -> str:
        return self.label or self.domain


# --- ids ---------------------------------------------------------------------------------------------------
def resolve_person(session: Session, person_id: int) -> int | None:
    """The person an id stands for now: itself, or the survivor of the merges it went into; None if the
    case never had that person."""
    seen: set[int] = set()
    current: int | None = person_id
    while current is not None and current not in seen:
        seen.add(current)
        row = session.execute(select(Person.id, Person.merged_into).where(Person.id == current)).first()
        if row is None:
            return None
        if row.merged_into is None:
            return current
        current = row.merged_into
    return None


def person_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The current name of the person each id stands for (merges followed); ids never seen are left out."""
    names: dict[int, str] = {}
    for person_id in set(ids):
        resolved = resolve_person(session, person_id)
        if resolved is not None:
            names[person_id] = session.scalar(select(Person.name).where(Person.id == resolved)) or ""
    return names


def documents_of(person_ids: Collection[int]) -> Select[int]:
    """The ids of the documents any of these people is on, in any role."""
    return (select(MessageParty.document_id).distinct()
            .join(PersonIdentity, PersonIdentity.id == MessageParty.identity_id)
            .where(PersonIdentity.person_id.in_(list(person_ids))))


def person_documents(session: Session, person_ids: Collection[int]) -> list[int]:
    """Ids of every document these people are on (as sender, recipient, Reply-To or author), in order."""
    return sorted(session.scalars(documents_of(person_ids)))


# --- finding -----------------------------------------------------------------------------------------------
def find_people(session: Session, reference: str) -> set[int]:
    """The current people a reference names (see the module's docstring); empty when none."""
    reference = reference.strip()
    if not reference:
        return set()
    if reference.lstrip("#").isdigit():
        resolved = resolve_person(session, int(reference.lstrip("#")))
        return {resolved} if resolved is not None else set()
    if reference.startswith("@"):
        return set(session.scalars(
            select(PersonIdentity.person_id).distinct()
            .join(EmailDomain, EmailDomain.id == PersonIdentity.domain_id)
            .where(EmailDomain.domain.in_(domains_named(session, reference[1:])),
                   PersonIdentity.person_id.is_not(None))))
    if "*" in reference or "?" in reference:
        return _matching_pattern(session, reference)
    identity = PersonIdentity.person_id
    if "@" in reference:
        found = session.scalars(select(identity).where(PersonIdentity.kind == ADDRESS,
                                                       PersonIdentity.value == reference.lower()))
    else:
        key = comparison_key(reference)
        by_alias = select(identity).join(PersonAlias, PersonAlias.identity_id == PersonIdentity.id).where(
            PersonAlias.key == key)
        by_name = select(identity).where(PersonIdentity.kind == NAME, PersonIdentity.value == key)
        by_person = select(Person.id).where(Person.name_key == key, Person.merged_into.is_(None))
        found = session.scalars(by_alias.union(by_name, by_person))
    return {person_id for person_id in found if person_id is not None}


def _matching_pattern(session: Session, pattern: str) -> set[int]:
    """People whose name, an address or a display name matches a wildcard, ignoring case and accents; a
    name pattern may match from any word on (lell* finds "Andrew Lelling")."""
    if "@" in pattern:
        wanted = pattern.lower()
        return {person_id for person_id, value in session.execute(
            select(PersonIdentity.person_id, PersonIdentity.value).where(PersonIdentity.kind == ADDRESS))
            if person_id is not None and fnmatchcase(value, wanted)}
    wanted = " ".join(plain_text(pattern).split())
    names: list[tuple[int | None, str]] = [
        (person_id, name) for person_id, name in session.execute(
            select(Person.id, Person.name).where(Person.merged_into.is_(None)))]
    names += [(person_id, display) for person_id, display in session.execute(
        select(PersonIdentity.person_id, PersonAlias.display)
        .join(PersonAlias, PersonAlias.identity_id == PersonIdentity.id))]
    found: set[int] = set()
    for person_id, name in names:
        words = loose_key(name).split()
        if person_id is not None and any(fnmatchcase(" ".join(words[start:]), wanted)
                                         for start in range(len(words))):
            found.add(person_id)
    return found


def domains_named(session: Session, reference: str) -> list[str]:
    """The domains a reference means: the domain itself and its subdomains (example.org finds
    mail.example.org), or every domain labelled so (ignoring case)."""
    wanted = reference.strip().lstrip("@").lower()
    if not wanted:
        return []
    found = []
    for domain, label in session.execute(select(EmailDomain.domain, EmailDomain.label)):
        labelled = bool(label) and label.casefold() == wanted.casefold()
        if domain == wanted or domain.endswith("." + wanted) or labelled:
            found.append(domain)
    return found


# --- listing -----------------------------------------------------------------------------------------------
def list_people(case: Case, ids: Collection[int] | None = None) -> list[PersonInfo]:
    """Every current person (or those of `ids`, resolved), most active first."""
    with case.db.reader() as session:
        query = select(Person).where(Person.merged_into.is_(None))
        if ids is not None:
            resolved = {r for i in ids if (r := resolve_person(session, i)) is not None}
            query = query.where(Person.id.in_(resolved))
        people = list(session.scalars(query))
        wanted = [p.id for p in people] if ids is not None else None
        addresses = _by_person(session, select(PersonIdentity.person_id, PersonIdentity.value).where(
            PersonIdentity.kind == ADDRESS).order_by(PersonIdentity.value), wanted)
        displays = _by_person(session, select(PersonIdentity.person_id, PersonAlias.display)
                              .join(PersonAlias, PersonAlias.identity_id == PersonIdentity.id)
                              .order_by(PersonAlias.seen.desc(), PersonAlias.display), wanted)
        own_flags = _by_person(session, select(PersonFlag.person_id, PersonFlag.flag), wanted)
        domain_flags = _domain_flags(session)
        person_domains = _by_person(session, select(PersonIdentity.person_id, PersonIdentity.domain_id).where(
            PersonIdentity.domain_id.is_not(None)), wanted)
        organisations = {d.id: d.label or d.domain for d in session.scalars(select(EmailDomain))}
    flagger = AttorneyFlagger(attorneys(case))
    listed = []
    for person in people:
        flags = set(own_flags.get(person.id, []))
        for domain_id in set(person_domains.get(person.id, [])):
            flags.update(domain_flags.get(domain_id, []))
        names = list(dict.fromkeys(displays.get(person.id, [])))
        person_addresses = addresses.get(person.id, [])
        if any(flagger.is_attorney(text) for text in [*person_addresses, *names, person.name]):
            flags.add(ATTORNEY)
        listed.append(PersonInfo(
            id=person.id, name=person.name, addresses=person_addresses,
            organisation=organisations.get(person.domain_id, "") if person.domain_id else "",
            flags=sorted(flags), sent=person.sent, received=person.received, documents=person.documents,
            names=names, named_by_hand=person.named_by_hand, grouped_by_hand=person.grouped_by_hand,
        ))
    listed.sort(key=lambda p: (-(p.sent + p.received), -p.documents, p.name.casefold(), p.id))
    return listed


def _by_person(session: Session, query: Any, wanted: list[int] | None) -> dict[int, list[Any]]:
    """Rows (person id, value) grouped by person, in the query's order; only `wanted` people if given."""
    grouped: dict[int, list[Any]] = {}
    chunks = [None] if wanted is None else [wanted[i:i + _CHUNK] for i in range(0, len(wanted), _CHUNK)]
    person_column = query.selected_columns[0]
    for chunk in chunks:
        chunked = query if chunk is None else query.where(person_column.in_(chunk))
        for person_id, value in session.execute(chunked):
            if person_id is not None:
                grouped.setdefault(person_id, []).append(value)
    return grouped


def _domain_flags(session: Session) -> dict[int, list[str]]:
    flags: dict[int, list[str]] = {}
    for domain_id, flag in session.execute(select(DomainFlag.domain_id, DomainFlag.flag)):
        flags.setdefault(domain_id, []).append(flag)
    return flags


def person_flags(case: Case) -> dict[int, list[str]]:
    """Every current person's flags (their own, their domains' and attorney), for colouring a view."""
    return {person.id: person.flags for person in list_people(case)}


def list_domains(case: Case) -> list[DomainInfo]:
    """Every email domain with its label, flags, people and messages sent from it and to it."""
    with case.db.reader() as session:
        domains = list(session.scalars(select(EmailDomain)))
        flags = _domain_flags(session)
        people: dict[int, set[int]] = {}
        for domain_id, person_id in session.execute(
                select(PersonIdentity.domain_id, PersonIdentity.person_id)):
            if domain_id is not None and person_id is not None:
                people.setdefault(domain_id, set()).add(person_id)
        sent = _domain_counts(session, ["from"])
        received = _domain_counts(session, ["to", "cc", "bcc"])
    counsel = set(attorneys(case))
    listed = []
    for domain in domains:
        domain_flags = set(flags.get(domain.id, []))
        if f"@{domain.domain}" in counsel:
            domain_flags.add(ATTORNEY)
        listed.append(DomainInfo(domain.id, domain.domain, domain.label, sorted(domain_flags),
                                 len(people.get(domain.id, ())), sent.get(domain.id, 0),
                                 received.get(domain.id, 0)))
    listed.sort(key=lambda d: (-(d.sent + d.received), d.domain))
    return listed


def _domain_counts(session: Session, roles: list[str]) -> dict[int, int]:
    counts = (select(PersonIdentity.domain_id, func.count(distinct(MessageParty.document_id)))
              .join(MessageParty, MessageParty.identity_id == PersonIdentity.id)
              .where(MessageParty.role.in_(roles)).group_by(PersonIdentity.domain_id))
    return {domain_id: count for domain_id, count in session.execute(counts) if domain_id is not None}


def find_domain(session: Session, domain: str) -> EmailDomain | None:
    wanted = domain.strip().lstrip("@").lower()
    return session.scalar(select(EmailDomain).where(EmailDomain.domain == wanted))
