"""Building people and communications from the case's documents: derived data, never a reviewer action.

It runs at the end of every ingest and import (after_run), and when people are first asked for in a case
built before (ensure_built); `reviewer people-rebuild` runs it by hand. Each run reads only the documents
that are new or whose address fields changed (a fingerprint per document), a chunk per transaction, so a
stopped or killed run resumes where it stopped; then, in one transaction, it groups addresses and names
into people and refreshes their names, counts and the kept communications.

Grouping is automatic: one person per address or bare name at first; identities written with the same
full name (names.name_key: "Lelling, Andrew" = "Andrew E. Lelling") become one person, the oldest id
surviving and the others recorded as merged into it. Never grouped by name: role mailboxes
(names.is_role_address), a name written on more than MAX_ADDRESSES_PER_NAME addresses (a team's or a
list's name), an address written with more than MAX_NAMES_PER_ADDRESS different names (a shared mailbox).
Building never splits anyone, and never regroups a person merged or split by hand: hand edits survive.

Cases ingested before Reply-To was recorded have it read back from their stored originals on the first
build (backfill_reply_to).
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, distinct, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from reviewer.core.audit import Action, record_job
from reviewer.core.case import Case, now
from reviewer.core.casebuild.communications import (
    ORGANISATION,
    PERSON,
    add_communications,
    refresh_communications,
)
from reviewer.core.casebuild.names import (
    ADDRESS,
    AUTHOR,
    BCC,
    CC,
    FROM,
    RECIPIENT_ROLES,
    REPLY_TO,
    TO,
    Party,
    comparison_key,
    is_role_address,
    name_key,
    parse_parties,
)
from reviewer.core.errors import CancelledError, CaseLockedError
from reviewer.core.models import (
    Document,
    EmailDomain,
    ImportedRecord,
    MessageParty,
    PeopleSource,
    Person,
    PersonAlias,
    PersonFlag,
    PersonIdentity,
    Setting,
)
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress

MAX_ADDRESSES_PER_NAME = 6
MAX_NAMES_PER_ADDRESS = 3
_CHUNK = 2_000
_IN_LIST = 5_000
# Set while a build has read documents but not yet regrouped and recounted: the next build then
# refreshes everything, whatever it reads itself.
_PENDING = "people_pending"
_REPLY_TO_KINDS = ("eml", "emlx", "msg")
_ADDRESS_FIELDS = (Document.email_from, Document.email_to, Document.email_cc, Document.email_bcc,
                   Document.email_reply_to, Document.author, Document.sent)
_ROLES = (FROM, TO, CC, BCC, REPLY_TO, AUTHOR)


@dataclass
class BuildSummary:
    documents: int = 0  # documents read (new or changed)
    reply_to_read: int = 0  # originals read again for their Reply-To
    people: int = 0
    seconds: float = 0.0


# --- entry points ------------------------------------------------------------------------------------------
def build_people(case: Case, progress: Progress = no_progress, cancel: CancelToken | None = None,
                 every_document: bool = False) -> BuildSummary:
    """Bring people and communications up to date with the documents (see the module's docstring).
    Documents are read when new, or when they came in a production whose overlay may have changed them;
    `every_document` compares every document's fields with what was read before, and puts the run on the
    case's trail, as a user asked for it."""
    cancel = cancel or CancelToken()
    started = time.monotonic()
    summary = BuildSummary()
    with case.writing():
        summary.reply_to_read = backfill_reply_to(case, progress, cancel)
        changed, revisited = _changed_documents(case, every_document)
        ids = list(changed)
        with case.db.reader() as session:
            everything = _pending(session)
        touched: set[int] = set()
        for start in range(0, len(ids), _CHUNK):
            cancel.raise_if_cancelled()
            with case.db.session() as session:
                _set_pending(session, True)
                chunk = {i: changed[i] for i in ids[start:start + _CHUNK]}
                named, seen_before = _read_documents(session, chunk)
                touched |= named
                revisited = revisited or seen_before
            progress(ProgressUpdate("people", min(start + _CHUNK, len(changed)), len(changed),
                                    message="Reading who is on each document…"))
        summary.documents = len(changed)
        if changed or everything:
            progress(ProgressUpdate("people", message="Grouping people and counting their messages…"))
            with case.db.session() as session:
                # Only new documents, nothing left over: their mail is added to what is kept.
                added = ids if not (everything or revisited) else None
                _derive(session, None if everything else touched, added)
                _set_pending(session, False)
        with case.db.session() as session:
            current = select(func.count(Person.id)).where(Person.merged_into.is_(None))
            summary.people = session.scalar(current) or 0
            if every_document:
                record_job(session, Action.PEOPLE_BUILD,
                           f"people built again: {len(changed):,} documents read, {summary.people:,} people")
    summary.seconds = time.monotonic() - started
    return summary


def after_run(case: Case, progress: Progress = no_progress, cancel: CancelToken | None = None) -> None:
    """The end of an ingest or import: bring people up to date; a stopped run leaves them to the next."""
    if cancel is not None and cancel.cancelled:
        return  # the user asked to stop: the next run (or the first look at people) builds them
    try:
        build_people(case, progress, cancel)
    except CancelledError:
        pass


def needs_build(case: Case) -> bool:
    """Whether some document has not been read for people yet (cheap: not a fingerprint check)."""
    unread = select(Document.id).where(~exists().where(PeopleSource.document_id == Document.id)).limit(1)
    old = select(Document.id).where(Document.email_reply_to.is_(None)).limit(1)
    with case.db.reader() as session:
        return session.scalar(unread) is not None or session.scalar(old) is not None or _pending(session)


def ensure_built(case: Case, progress: Progress = no_progress, cancel: CancelToken | None = None) -> None:
    """Build people when the case has documents never read for them (a case made before people existed,
    or an ingest that was stopped). While another job writes to the case, what is built is shown."""
    if needs_build(case):
        try:
            build_people(case, progress, cancel)
        except CaseLockedError:
            pass


# --- reading documents -------------------------------------------------------------------------------------
def fingerprint(values: Iterable[Any]) -> str:
    return hashlib.sha1("\x1f".join("" if v is None else str(v) for v in values).encode(
        "utf-8", "surrogatepass")).hexdigest()


def _changed_documents(case: Case, every_document: bool) -> tuple[dict[int, str], bool]:
    """The documents new or changed since people were built from them, with their fingerprints now, and
    whether any of them had been read before. Ingest only adds documents; an import's overlay changes
    its own; so only those are compared, unless `every_document`."""
    query = (select(Document.id, *_ADDRESS_FIELDS, PeopleSource.fingerprint)
             .outerjoin(PeopleSource, PeopleSource.document_id == Document.id)
             .order_by(Document.id).execution_options(yield_per=10_000))
    if not every_document:
        query = query.where(or_(PeopleSource.document_id.is_(None),
                                Document.id.in_(select(ImportedRecord.document_id))))
    changed = {}
    revisited = False
    with case.db.reader() as session:
        for row in session.execute(query):
            current = fingerprint(row[1:-1])
            if current != row[-1]:
                changed[row[0]] = current
                revisited = revisited or row[-1] is not None
    return changed, revisited


def _read_documents(session: Session, fingerprints: dict[int, str]) -> tuple[set[int], bool]:
    """Record who is on each of these documents (id → fingerprint of its fields now); the ids of every
    identity they named before or now, and whether any had been read before."""
    ids = list(fingerprints)
    parties: list[tuple[int, str, Party]] = []
    sources = []
    for row in session.execute(select(Document.id, *_ADDRESS_FIELDS).where(Document.id.in_(ids))):
        doc_id, fields = row[0], tuple(row[1:])
        sent: datetime | None = row.sent
        for role, text in zip(_ROLES, fields[:-1], strict=True):
            parties.extend((doc_id, role, party) for party in parse_parties(str(text or "")))
        sources.append({"document_id": doc_id, "fingerprint": fingerprints[doc_id], "sent": sent,
                        "month": sent.strftime("%Y-%m") if sent else ""})
    identity_ids = _identities(session, {(p.kind, p.value): p.domain for _, _, p in parties})
    touched = set(session.scalars(select(MessageParty.identity_id).distinct().where(
        MessageParty.document_id.in_(ids))))
    seen_before = bool(touched)
    session.execute(delete(MessageParty).where(MessageParty.document_id.in_(ids)))
    session.execute(delete(PeopleSource).where(PeopleSource.document_id.in_(ids)))
    rows: dict[tuple[int, str, int], dict[str, Any]] = {}
    for doc_id, role, party in parties:
        identity = identity_ids[(party.kind, party.value)]
        rows.setdefault((doc_id, role, identity), {"document_id": doc_id, "role": role,
                                                   "identity_id": identity, "display": party.display})
        touched.add(identity)
    # Through the connection: the ORM's bulk path costs more than the database for rows this simple.
    if rows:
        session.connection().execute(insert(MessageParty), list(rows.values()))
    if sources:
        session.connection().execute(insert(PeopleSource), sources)
    return touched, seen_before


def _identities(session: Session, wanted: dict[tuple[str, str], str]) -> dict[tuple[str, str], int]:
    """The ids of these identities (kind, value) → domain, recording the new ones (and their domains)."""
    domains = _domain_ids(session, {domain for domain in wanted.values() if domain})
    found = _existing_identities(session, list(wanted))
    new: list[dict[str, Any]] = [{"kind": kind, "value": value, "domain_id": domains.get(domain)}
           for (kind, value), domain in wanted.items() if (kind, value) not in found]
    if new:
        session.execute(insert(PersonIdentity), new)
        found.update(_existing_identities(session, [(row["kind"], row["value"]) for row in new]))
    return found


def _existing_identities(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    wanted = set(keys)
    values = sorted({value for _, value in keys})
    for start in range(0, len(values), _IN_LIST):
        for identity_id, kind, value in session.execute(
                select(PersonIdentity.id, PersonIdentity.kind, PersonIdentity.value)
                .where(PersonIdentity.value.in_(values[start:start + _IN_LIST]))):
            if (kind, value) in wanted:
                found[(kind, value)] = identity_id
    return found


def _domain_ids(session: Session, domains: set[str]) -> dict[str, int]:
    def existing(names: list[str]) -> dict[str, int]:
        return {domain: domain_id for domain_id, domain in session.execute(
            select(EmailDomain.id, EmailDomain.domain).where(EmailDomain.domain.in_(names)))}

    found = existing(sorted(domains))
    missing = sorted(domains - found.keys())
    if missing:
        session.execute(insert(EmailDomain), [{"domain": domain, "label": ""} for domain in missing])
        found.update(existing(missing))
    return found


def _pending(session: Session) -> bool:
    return session.scalar(select(Setting.value).where(Setting.key == _PENDING)) == "1"


def _set_pending(session: Session, pending: bool) -> None:
    session.execute(delete(Setting).where(Setting.key == _PENDING))
    if pending:
        session.execute(insert(Setting).values(key=_PENDING, value="1"))


# --- deriving people ---------------------------------------------------------------------------------------
def _derive(session: Session, touched: set[int] | None, added: list[int] | None) -> None:
    """Aliases, grouping, names and counts, and the kept communications, for the identities `touched`
    (all when None, or when they are too many to list). When the documents read were all new (`added`)
    and nobody was merged, their counts and mail are added to what is kept, not recounted."""
    if touched is not None and len(touched) > _IN_LIST:
        touched = None
    refresh_aliases(session, touched)
    regrouped, merged = _group(session)
    if added is not None and touched is not None and not merged:
        rename_people(session, regrouped | _people_of(session, touched))
        _add_counts(session, added)
        for level in (PERSON, ORGANISATION):
            add_communications(session, level, added)
        return
    if touched is None:
        people: set[int] | None = None
        domains: set[int] | None = None
    else:
        people = regrouped | _people_of(session, touched)
        domains = {d for d in _column_of(session, PersonIdentity.domain_id, touched) if d is not None}
    refresh_people(session, people)
    refresh_communications(session, ORGANISATION, domains)


def refresh_aliases(session: Session, identity_ids: Collection[int] | None) -> None:
    """Recount the display names each identity was written with, and their keys."""
    query = (select(MessageParty.identity_id, MessageParty.display, func.count(MessageParty.id))
             .where(MessageParty.display != "").group_by(MessageParty.identity_id, MessageParty.display))
    if identity_ids is None:
        session.execute(delete(PersonAlias))
        chunks: list[list[int] | None] = [None]
    else:
        wanted = sorted(identity_ids)
        chunks = [wanted[i:i + _IN_LIST] for i in range(0, len(wanted), _IN_LIST)]
    for chunk in chunks:
        chunked = query
        if chunk is not None:
            session.execute(delete(PersonAlias).where(PersonAlias.identity_id.in_(chunk)))
            chunked = query.where(MessageParty.identity_id.in_(chunk))
        rows = [{"identity_id": identity_id, "display": display, "key": comparison_key(display),
                 "personal": name_key(display) is not None, "seen": seen}
                for identity_id, display, seen in session.execute(chunked)]
        if rows:
            session.connection().execute(insert(PersonAlias), rows)


def _people_of(session: Session, identity_ids: Collection[int]) -> set[int]:
    return {p for p in _column_of(session, PersonIdentity.person_id, identity_ids) if p is not None}


def _column_of(session: Session, column: Any, identity_ids: Collection[int]) -> list[Any]:
    wanted = sorted(identity_ids)
    values: list[Any] = []
    for start in range(0, len(wanted), _IN_LIST):
        values += session.scalars(select(column).distinct().where(
            PersonIdentity.id.in_(wanted[start:start + _IN_LIST])))
    return values


class _Groups:
    """Union-find over identity ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def join(self, items: list[int]) -> None:
        roots = [self.find(item) for item in items]
        for root in roots[1:]:
            self.parent[root] = roots[0]


def _group(session: Session) -> tuple[set[int], bool]:
    """Group every identity not placed by hand into people; the people created, merged or grown, and
    whether any two existing people were merged."""
    by_hand = set(session.scalars(select(Person.id).where(Person.grouped_by_hand,
                                                          Person.merged_into.is_(None))))
    rows = session.execute(select(PersonIdentity.id, PersonIdentity.kind, PersonIdentity.value,
                                  PersonIdentity.person_id))
    identities = {identity_id: (kind, value, person_id) for identity_id, kind, value, person_id in rows
                  if person_id not in by_hand}
    groups = _Groups()
    members: dict[int, list[int]] = {}
    for identity_id, (_kind, _value, person_id) in identities.items():
        groups.find(identity_id)
        if person_id is not None:
            members.setdefault(person_id, []).append(identity_id)
    for together in members.values():  # grouping never splits anyone
        groups.join(together)
    for holders in _name_links(session, identities).values():
        groups.join(holders)
    components: dict[int, list[int]] = {}
    for identity_id in identities:
        components.setdefault(groups.find(identity_id), []).append(identity_id)
    return _place(session, identities, components.values())


def _name_links(session: Session, identities: dict[int, tuple[str, str, int | None]]) -> dict[str, list[int]]:
    """Full-name key → the identities written with it, for the keys and identities that may link."""
    keys_of: dict[int, set[str]] = {}
    for identity_id, key in session.execute(select(PersonAlias.identity_id, PersonAlias.key).where(
            PersonAlias.personal)):
        if identity_id in identities:
            keys_of.setdefault(identity_id, set()).add(key)
    holders: dict[str, list[int]] = {}
    for identity_id, keys in keys_of.items():
        kind, value, _person = identities[identity_id]
        if kind == ADDRESS and (is_role_address(value) or len(keys) > MAX_NAMES_PER_ADDRESS):
            continue
        for key in keys:
            holders.setdefault(key, []).append(identity_id)
    return {key: ids for key, ids in holders.items()
            if sum(identities[i][0] == ADDRESS for i in ids) <= MAX_ADDRESSES_PER_NAME}


def _place(session: Session, identities: dict[int, tuple[str, str, int | None]],
           components: Iterable[list[int]]) -> tuple[set[int], bool]:
    next_id = (session.scalar(select(func.max(Person.id))) or 0) + 1
    added = now()
    new_people: list[dict[str, Any]] = []
    merges: list[tuple[int, int]] = []
    moves: list[dict[str, int]] = []
    changed: set[int] = set()
    for component in components:
        people = sorted({person for i in component if (person := identities[i][2]) is not None})
        if people:
            survivor = people[0]
            merges += [(other, survivor) for other in people[1:]]
        else:
            survivor, next_id = next_id, next_id + 1
            new_people.append({"id": survivor, "name": "", "added": added})
        for identity_id in component:
            if identities[identity_id][2] != survivor:
                moves.append({"id": identity_id, "person_id": survivor})
                changed.add(survivor)
    if new_people:
        session.execute(insert(Person), new_people)
    if moves:
        session.execute(update(PersonIdentity), moves)
    _fold(session, merges)
    return changed | {person for merge in merges for person in merge}, bool(merges)


def _fold(session: Session, merges: list[tuple[int, int]]) -> None:
    """Record automatic merges: the merged person points at the survivor, which takes their flags, and
    their name when only theirs was given by hand."""
    if not merges:
        return
    session.execute(update(Person), [{"id": merged, "merged_into": survivor} for merged, survivor in merges])
    for merged, survivor in merges:
        flags = set(session.scalars(select(PersonFlag.flag).where(PersonFlag.person_id == merged)))
        flags -= set(session.scalars(select(PersonFlag.flag).where(PersonFlag.person_id == survivor)))
        if flags:
            session.execute(insert(PersonFlag), [{"person_id": survivor, "flag": f} for f in sorted(flags)])
        kept, hand_name = session.execute(select(Person.named_by_hand, Person.name).where(
            Person.id == merged)).one()
        if kept and not session.scalar(select(Person.named_by_hand).where(Person.id == survivor)):
            session.execute(update(Person).where(Person.id == survivor).values(name=hand_name,
                                                                                named_by_hand=True))


# --- names, counts, communications -------------------------------------------------------------------------
def refresh_people(session: Session, person_ids: Collection[int] | None) -> None:
    """Names (unless given by hand), organisations, counts and the kept communications of these people
    (everyone when None), after their addresses or documents changed."""
    rename_people(session, person_ids, recount=True)
    refresh_communications(session, PERSON, person_ids)


def rename_people(session: Session, person_ids: Collection[int] | None, recount: bool = False) -> None:
    """Names (unless given by hand) and organisations of these people, and with `recount` their counts."""
    people = select(Person.id, Person.name, Person.named_by_hand).where(Person.merged_into.is_(None))
    wanted = sorted(person_ids) if person_ids is not None else None
    chunks: list[list[int] | None] = [None] if wanted is None else [
        wanted[i:i + _IN_LIST] for i in range(0, len(wanted), _IN_LIST)]
    updates = []
    for chunk in chunks:
        def limited(query: Any, column: Any = PersonIdentity.person_id, ids: list[int] | None = chunk) -> Any:
            return query if ids is None else query.where(column.in_(ids))

        counts = [_document_counts(session, limited, roles) for roles in _COUNTED] if recount else []
        aliases: dict[int, list[tuple[str, bool, int]]] = {}
        for person_id, display, personal, seen in session.execute(limited(
                select(PersonIdentity.person_id, PersonAlias.display, PersonAlias.personal, PersonAlias.seen)
                .join(PersonAlias, PersonAlias.identity_id == PersonIdentity.id))):
            aliases.setdefault(person_id, []).append((display, personal, seen))
        uses: dict[int, list[tuple[str, str, int | None, int]]] = {}
        for person_id, kind, value, domain_id, count in session.execute(limited(
                select(PersonIdentity.person_id, PersonIdentity.kind, PersonIdentity.value,
                       PersonIdentity.domain_id, func.count(MessageParty.id))
                .outerjoin(MessageParty, MessageParty.identity_id == PersonIdentity.id)
                .group_by(PersonIdentity.id))):
            uses.setdefault(person_id, []).append((kind, value, domain_id, count))
        for person_id, name, named_by_hand in session.execute(limited(people, Person.id)):
            person_uses = sorted(uses.get(person_id, []), key=lambda u: (-u[3], u[1]))
            if not named_by_hand:
                name = automatic_name(aliases.get(person_id, []), person_uses)
            domain_id = next((u[2] for u in person_uses if u[0] == ADDRESS), None)
            row = {"id": person_id, "name": name, "name_key": comparison_key(name), "domain_id": domain_id}
            if recount:
                row.update({column: count.get(person_id, 0)
                            for column, count in zip(_COUNT_COLUMNS, counts, strict=True)})
            updates.append(row)
    if updates:
        session.execute(update(Person), updates)


_COUNTED: tuple[list[str] | None, ...] = ([FROM], list(RECIPIENT_ROLES), None)
_COUNT_COLUMNS = ("sent", "received", "documents")


def _add_counts(session: Session, documents: list[int]) -> None:
    """Add what these new documents bring to their people's sent, received and documents counts."""
    added: dict[int, dict[str, int]] = {}
    for start in range(0, len(documents), _IN_LIST):
        chunk = documents[start:start + _IN_LIST]

        def limited(query: Any, ids: list[int] = chunk) -> Any:
            return query.where(MessageParty.document_id.in_(ids))

        for column, roles in zip(_COUNT_COLUMNS, _COUNTED, strict=True):
            for person_id, count in _document_counts(session, limited, roles).items():
                totals = added.setdefault(person_id, dict.fromkeys(_COUNT_COLUMNS, 0))
                totals[column] += count
    if added:
        session.connection().execute(
            update(Person).where(Person.id == bindparam("person")).values(
                sent=Person.sent + bindparam("sent_now"),
                received=Person.received + bindparam("received_now"),
                documents=Person.documents + bindparam("documents_now")),
            [{"person": person_id, **{f"{column}_now": n for column, n in totals.items()}}
             for person_id, totals in added.items()])


def _document_counts(session: Session, limited: Any, roles: list[str] | None) -> dict[int, int]:
    query = (select(PersonIdentity.person_id, func.count(distinct(MessageParty.document_id)))
             .join(MessageParty, MessageParty.identity_id == PersonIdentity.id)
             .group_by(PersonIdentity.person_id))
    if roles is not None:
        query = query.where(MessageParty.role.in_(roles))
    return {person_id: count for person_id, count in session.execute(limited(query)) if person_id is not None}


def automatic_name(aliases: list[tuple[str, bool, int]], uses: list[tuple[str, str, int | None, int]]) -> str:
    """What a person is called when nobody named them: their full name as most often written, else the
    name most often written, else their most used address, else the bare name they appear as."""
    def most_seen(candidates: list[tuple[str, bool, int]]) -> str:
        return min(candidates, key=lambda a: (-a[2], a[0]))[0]

    personal = [alias for alias in aliases if alias[1]]
    if personal:
        return most_seen(personal)
    if aliases:
        return most_seen(aliases)
    addresses = [value for kind, value, _domain, _count in uses if kind == ADDRESS]
    return addresses[0] if addresses else (uses[0][1] if uses else "")


# --- Reply-To of documents ingested before it was recorded -------------------------------------------------
def backfill_reply_to(case: Case, progress: Progress, cancel: CancelToken) -> int:
    """Read the Reply-To of every email ingested before it was recorded from its stored original; the
    other documents of that time get an empty one. How many originals were read."""
    with case.db.reader() as session:
        rows = session.execute(select(Document.id, Document.kind, Document.sha256).where(
            Document.email_reply_to.is_(None)).order_by(Document.id)).all()
    if not rows:
        return 0
    emails = sum(kind in _REPLY_TO_KINDS for _id, kind, _sha in rows)
    read = 0
    with tempfile.TemporaryDirectory(prefix="reviewer-reply-to-") as scratch:
        for start in range(0, len(rows), 200):
            cancel.raise_if_cancelled()
            values = []
            for doc_id, kind, sha256 in rows[start:start + 200]:
                if kind in _REPLY_TO_KINDS:
                    read += 1
                    reply_to = _reply_to(case, kind, sha256, Path(scratch))
                    values.append({"id": doc_id, "email_reply_to": reply_to})
                else:
                    values.append({"id": doc_id, "email_reply_to": ""})
            with case.db.session() as session:
                session.execute(update(Document), values)
            progress(ProgressUpdate("Reply-To", read, emails, message="Reading Reply-To from the originals…"))
    return read


def _reply_to(case: Case, kind: str, sha256: str, scratch: Path) -> str:
    # Imported here: the readers are heavy, and only cases from before Reply-To was recorded need them.
    from reviewer.core.ingest.extracted import ExtractContext
    from reviewer.core.ingest.formats import extract

    try:
        extraction = extract(kind, case.natives.path_for(sha256), ExtractContext(scratch=scratch, ocr=False))
    except Exception:  # an original the reader cannot open again: it had no readable Reply-To either
        return ""
    return extraction.email.reply_to if extraction.email is not None else ""
