"""Communications: who wrote to whom, per pair of people or of organisations — messages, first and last
date, counts by month — for the whole case or for the documents of any query.

A message is a document with a sender (From); its recipients are To, Cc and Bcc. A message counts once
per sender → recipient pair, however many addresses of those two it names. A person's mail to themself
is not a communication; mail within one organisation is (the organisation's pair with itself). Every
document counts, attached emails too; duplicates are not documents and do not.

The whole case's communications are kept ready, refreshed whenever people are built or edited
(refresh_communications): communication_month holds one row per pair and month, communication_pair those
months added up. The view of the whole case reads one row per pair; a range of months adds up its months;
a query's communications are counted from who is on each of its documents (message_party), a chunk of
documents at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    distinct,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from reviewer.core.case import Case
from reviewer.core.casebuild.names import FROM, RECIPIENT_ROLES
from reviewer.core.choices import CommsLevel
from reviewer.core.models import (
    CommunicationMonth,
    CommunicationPair,
    Document,
    EmailDomain,
    MessageParty,
    PeopleSource,
    Person,
    PersonIdentity,
)

PERSON: CommsLevel = "person"
ORGANISATION: CommsLevel = "organisation"
# Refreshing more people than this at once recomputes the whole case: one pass beats long id lists.
_TARGETED_LIMIT = 2_000
_CHUNK = 5_000


@dataclass(slots=True)  # not frozen: made by the hundred thousand, and frozen ones cost twice as much
class Pair:
    """Messages from one person (or organisation) to another."""

    from_id: int
    to_id: int
    from_name: str
    to_name: str
    messages: int
    first: datetime | None
    last: datetime | None
    months: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" (or "" undated) → messages


@dataclass(frozen=True)
class Message:
    """One message of a pair, as the list under the communications view shows it."""

    document_id: int
    control: str
    sent: datetime | None
    sender: str
    recipients: str
    subject: str


# --- the parties of each message, as SQL -------------------------------------------------------------------
class _Parties:
    """The sender and a recipient of the same message, with the people (or organisations) they belong to."""

    def __init__(self, level: CommsLevel) -> None:
        self.sender, self.recipient = aliased(MessageParty), aliased(MessageParty)
        self.sender_identity, self.recipient_identity = aliased(PersonIdentity), aliased(PersonIdentity)
        column = "person_id" if level == PERSON else "domain_id"
        self.from_key: ColumnElement[int] = getattr(self.sender_identity, column)
        self.to_key: ColumnElement[int] = getattr(self.recipient_identity, column)
        self.level = level

    def joined(self, *columns: Any) -> Select[Any]:
        query = (
            select(*columns).select_from(self.sender)
            .join(self.recipient, and_(self.recipient.document_id == self.sender.document_id,
                                       self.recipient.role.in_(RECIPIENT_ROLES)))
            .join(self.sender_identity, self.sender_identity.id == self.sender.identity_id)
            .join(self.recipient_identity, self.recipient_identity.id == self.recipient.identity_id)
            .where(self.sender.role == FROM, self.from_key.is_not(None), self.to_key.is_not(None))
        )
        return query.where(self.from_key != self.to_key) if self.level == PERSON else query

    def monthly(self) -> Select[Any]:
        """(from, to, month, messages, first sent, last sent) per pair and month."""
        return self.joined(
            self.from_key, self.to_key, PeopleSource.month, func.count(distinct(self.sender.document_id)),
            func.min(PeopleSource.sent), func.max(PeopleSource.sent),
        ).join(PeopleSource, PeopleSource.document_id == self.sender.document_id).group_by(
            self.from_key, self.to_key, PeopleSource.month)


def refresh_communications(session: Session, level: CommsLevel, ids: Collection[int] | None) -> None:
    """Recompute the kept communications of the people (or organisations) `ids`, or of everyone (None)."""
    parties = _Parties(level)
    rows = parties.monthly()
    kept = delete(CommunicationMonth).where(CommunicationMonth.level == level)
    if ids is not None and len(ids) > _TARGETED_LIMIT:
        ids = None
    if ids is not None:
        if not ids:
            return
        wanted = list(ids)
        kept = kept.where(or_(CommunicationMonth.from_id.in_(wanted), CommunicationMonth.to_id.in_(wanted)))
        rows = rows.where(or_(parties.from_key.in_(wanted), parties.to_key.in_(wanted)))
    session.execute(kept)
    session.execute(insert(CommunicationMonth).from_select(
        ["from_id", "to_id", "month", "messages", "first_sent", "last_sent", "level"],
        select(*rows.subquery().c, literal(level)),
    ))
    month = CommunicationMonth
    totals = (select(month.from_id, month.to_id, func.sum(month.messages), func.min(month.first_sent),
                     func.max(month.last_sent), literal(level))
              .where(month.level == level).group_by(month.from_id, month.to_id))
    added_up = delete(CommunicationPair).where(CommunicationPair.level == level)
    if ids is not None:
        wanted = list(ids)
        totals = totals.where(or_(month.from_id.in_(wanted), month.to_id.in_(wanted)))
        added_up = added_up.where(or_(CommunicationPair.from_id.in_(wanted),
                                      CommunicationPair.to_id.in_(wanted)))
    session.execute(added_up)
    session.execute(insert(CommunicationPair).from_select(
        ["from_id", "to_id", "messages", "first_sent", "last_sent", "level"], totals))


def add_communications(session: Session, level: CommsLevel, documents: list[int]) -> None:
    """Add the mail of new documents to what is kept (when nobody they name changed person meanwhile,
    counting them alone and adding is the same as counting everything again)."""
    parties = _Parties(level)
    monthly = parties.monthly()
    by_month: dict[tuple[int, int, str], tuple[int, datetime | None, datetime | None]] = {}
    for start in range(0, len(documents), _CHUNK):
        chunk = documents[start:start + _CHUNK]
        for from_id, to_id, month, count, first, last in session.connection().execute(
                monthly.where(parties.sender.document_id.in_(chunk))):
            _add(by_month, (from_id, to_id, month), count, first, last)
    by_pair: dict[tuple[int, int], tuple[int, datetime | None, datetime | None]] = {}
    for (from_id, to_id, _month), (count, first, last) in by_month.items():
        _add(by_pair, (from_id, to_id), count, first, last)
    _add_rows(session, CommunicationMonth, level, by_month)
    _add_rows(session, CommunicationPair, level, by_pair)


def _add(totals: dict[Any, tuple[int, datetime | None, datetime | None]], key: Any, count: int,
         first: datetime | None, last: datetime | None) -> None:
    before = totals.get(key)
    totals[key] = (count, first, last) if before is None else (
        before[0] + count, _earliest(before[1], first), _latest(before[2], last))


def _add_rows(session: Session, model: type[CommunicationMonth] | type[CommunicationPair], level: CommsLevel,
              added: dict[Any, tuple[int, datetime | None, datetime | None]]) -> None:
    """Add counts to the kept rows they belong to (keyed (from, to[, month])), making the missing ones."""
    keyed_by_month = model is CommunicationMonth
    senders = sorted({key[0] for key in added})
    existing: dict[Any, tuple[Any, ...]] = {}
    columns: list[Any] = [model.id, model.from_id, model.to_id, model.messages, model.first_sent,
                          model.last_sent]
    if keyed_by_month:
        columns.append(CommunicationMonth.month)
    for start in range(0, len(senders), _CHUNK):
        for row_id, from_id, to_id, count, first, last, *month in session.connection().execute(
                select(*columns).where(model.level == level,
                                       model.from_id.in_(senders[start:start + _CHUNK]))):
            key = (from_id, to_id, *month)
            if key in added:
                existing[key] = (row_id, count, first, last)
    updates, inserts = [], []
    for key, (count, first, last) in added.items():
        kept = existing.get(key)
        if kept is None:
            row = {"level": level, "from_id": key[0], "to_id": key[1], "messages": count, "first_sent": first,
                   "last_sent": last}
            inserts.append({**row, "month": key[2]} if keyed_by_month else row)
        else:
            row_id, before, earliest, latest = kept
            updates.append({"row": row_id, "total": before + count, "earliest": _earliest(earliest, first),
                            "latest": _latest(latest, last)})
    if updates:
        session.connection().execute(
            update(model).where(model.id == bindparam("row")).values(
                messages=bindparam("total"), first_sent=bindparam("earliest"), last_sent=bindparam("latest")),
            updates)
    if inserts:
        session.connection().execute(insert(model), inserts)


# --- reading -----------------------------------------------------------------------------------------------
def communications(case: Case, level: CommsLevel = PERSON, document_ids: Collection[int] | None = None,
                   start_month: str | None = None, end_month: str | None = None,
                   with_months: bool = False) -> list[Pair]:
    """Every pair with its messages, first and last date, most messages first (then by ids): for the
    whole case, or for `document_ids` (a query's result); only months from `start_month` to `end_month`
    ("YYYY-MM", inclusive) when given. `with_months` adds each pair's counts by month."""
    with case.db.reader() as session:
        if document_ids is None:
            rows, months = _kept(session, level, start_month, end_month, with_months)
        else:
            rows, months = _counted(session, level, document_ids, start_month, end_month)
        names = _names(session, level, {row[0] for row in rows} | {row[1] for row in rows})
    pairs = [
        Pair(from_id, to_id, names.get(from_id, ""), names.get(to_id, ""), int(count), first, last,
             months.get((from_id, to_id), {}) if with_months else {})
        for from_id, to_id, count, first, last in rows
    ]
    pairs.sort(key=lambda p: (-p.messages, p.from_id, p.to_id))
    return pairs


_Totals = dict[tuple[int, int], tuple[int, datetime | None, datetime | None]]
_Rows = list[tuple[int, int, int, datetime | None, datetime | None]]  # from, to, messages, first, last
_Months = dict[tuple[int, int], dict[str, int]]


@dataclass(frozen=True)
class Overview:
    """What the Communications view draws: the busiest people (or organisations) and the mail among them."""

    level: CommsLevel
    # id, name, how much mail: for the whole case's people, the messages they sent and received; else the
    # messages of their pairs added up (a message to three people counts three times). The busiest first.
    nodes: list[tuple[int, str, int]]
    pairs: list[Pair]  # every pair among those nodes, each way
    total_pairs: int  # in the whole view, not only among the busiest


def overview(case: Case, level: CommsLevel = PERSON, top: int = 40,
             document_ids: Collection[int] | None = None, start_month: str | None = None,
             end_month: str | None = None) -> Overview:
    """The busiest `top` people (or organisations) and the pairs among them, for the whole case (from the
    kept totals, at once whatever the case's size), a range of months (their kept months added up), or
    the documents of a query (counted from them)."""
    if document_ids is not None:
        pairs = communications(case, level, document_ids, start_month, end_month)
        volume: dict[int, int] = {}
        for pair in pairs:
            volume[pair.from_id] = volume.get(pair.from_id, 0) + pair.messages
            if pair.to_id != pair.from_id:
                volume[pair.to_id] = volume.get(pair.to_id, 0) + pair.messages
        ranked = sorted(volume.items(), key=lambda item: (-item[1], item[0]))[:top]
        chosen = {node for node, _count in ranked}
        known = {p.from_id: p.from_name for p in pairs} | {p.to_id: p.to_name for p in pairs}
        return Overview(level, [(node, known.get(node, ""), count) for node, count in ranked],
                        [p for p in pairs if p.from_id in chosen and p.to_id in chosen], len(pairs))
    with case.db.reader() as session:
        connection = session.connection()
        if start_month or end_month:
            month = CommunicationMonth
            kept = select(month.from_id, month.to_id, func.sum(month.messages).label("messages"),
                          func.min(month.first_sent).label("first_sent"),
                          func.max(month.last_sent).label("last_sent")).where(
                month.level == level, *_in_months(month.month, start_month, end_month)).group_by(
                month.from_id, month.to_id).subquery()
        else:
            added_up = CommunicationPair
            kept = select(added_up.from_id, added_up.to_id, added_up.messages, added_up.first_sent,
                          added_up.last_sent).where(added_up.level == level).subquery()
        if level == PERSON and not (start_month or end_month):
            # A person's messages sent and received are kept on the person: the busiest are an index away.
            volume_of: ColumnElement[int] = Person.sent + Person.received
            busiest = connection.execute(
                select(Person.id, volume_of).where(Person.merged_into.is_(None), volume_of > 0)
                .order_by(volume_of.desc(), Person.id).limit(top)).all()
        else:
            sides = union_all(select(kept.c.from_id.label("node"), kept.c.messages), select(
                kept.c.to_id, kept.c.messages).where(kept.c.to_id != kept.c.from_id)).subquery()
            volume_of = func.sum(sides.c.messages)
            busiest = connection.execute(select(sides.c.node, volume_of).group_by(sides.c.node)
                                         .order_by(volume_of.desc(), sides.c.node).limit(top)).all()
        shown = [node for node, _count in busiest]
        total_pairs = connection.execute(select(func.count()).select_from(kept)).scalar_one()
        among = connection.execute(select(kept.c.from_id, kept.c.to_id, kept.c.messages, kept.c.first_sent,
                                          kept.c.last_sent).where(kept.c.from_id.in_(shown),
                                                                  kept.c.to_id.in_(shown))).all()
        names = _names(session, level, shown)
    pairs = [Pair(a, b, names.get(a, ""), names.get(b, ""), int(count), first, last)
             for a, b, count, first, last in among]
    pairs.sort(key=lambda p: (-p.messages, p.from_id, p.to_id))
    return Overview(level, [(node, names.get(node, ""), int(count)) for node, count in busiest], pairs,
                    int(total_pairs))


def _in_months(column: Any, start_month: str | None, end_month: str | None) -> list[ColumnElement[bool]]:
    conditions = []
    if start_month:
        conditions.append(column >= start_month)
    if end_month:
        conditions.append(and_(column <= end_month, column != ""))
    return conditions


def _kept(session: Session, level: CommsLevel, start_month: str | None, end_month: str | None,
          with_months: bool) -> tuple[_Rows, _Months]:
    kept = CommunicationMonth
    where = [kept.level == level, *_in_months(kept.month, start_month, end_month)]
    if start_month or end_month:
        query = select(kept.from_id, kept.to_id, func.sum(kept.messages), func.min(kept.first_sent),
                       func.max(kept.last_sent)).where(*where).group_by(kept.from_id, kept.to_id)
    else:
        pair = CommunicationPair
        query = select(pair.from_id, pair.to_id, pair.messages, pair.first_sent, pair.last_sent).where(
            pair.level == level)
    # Straight through the connection: rows, not ORM results, for a hundred thousand pairs.
    connection = session.connection()
    rows: _Rows = connection.execute(query).all()  # type: ignore[assignment]  # Rows are tuples
    months: _Months = {}
    if with_months:
        for from_id, to_id, month, count in connection.execute(
                select(kept.from_id, kept.to_id, kept.month, kept.messages).where(*where)):
            months.setdefault((from_id, to_id), {})[month] = count
    return rows, months


def _counted(session: Session, level: CommsLevel, document_ids: Collection[int], start_month: str | None,
             end_month: str | None) -> tuple[_Rows, _Months]:
    parties = _Parties(level)
    monthly = parties.monthly().where(*_in_months(PeopleSource.month, start_month, end_month))
    totals: _Totals = {}
    months: _Months = {}
    wanted = sorted(document_ids)
    for start in range(0, len(wanted), _CHUNK):
        chunk = monthly.where(parties.sender.document_id.in_(wanted[start:start + _CHUNK]))
        for from_id, to_id, month, count, first, last in session.execute(chunk):
            # A document lies in one chunk and one month, so the counts simply add up.
            pair = (from_id, to_id)
            before = totals.get(pair)
            if before is None:
                totals[pair] = (count, first, last)
            else:
                totals[pair] = (before[0] + count, _earliest(before[1], first), _latest(before[2], last))
            by_month = months.setdefault(pair, {})
            by_month[month] = by_month.get(month, 0) + count
    return [(f, t, count, first, last) for (f, t), (count, first, last) in totals.items()], months


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(a, b) if a and b else a or b


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(a, b) if a and b else a or b


def _names(session: Session, level: CommsLevel, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(ids)
    names: dict[int, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        if level == PERSON:
            names.update(session.execute(select(Person.id, Person.name).where(Person.id.in_(chunk))).all())
        else:
            domains = select(EmailDomain.id, EmailDomain.domain, EmailDomain.label).where(
                EmailDomain.id.in_(chunk))
            names.update((i, label or domain) for i, domain, label in session.execute(domains))
    return names


def month_span(case: Case) -> tuple[str, str] | None:
    """The first and last month with dated communications, for a range slider; None when there are none."""
    with case.db.reader() as session:
        first, last = session.execute(
            select(func.min(CommunicationMonth.month), func.max(CommunicationMonth.month))
            .where(CommunicationMonth.month != "", CommunicationMonth.level == PERSON)).one()
    return (first, last) if first and last else None


# --- the messages of a pair --------------------------------------------------------------------------------
def between(level: CommsLevel, senders: Collection[int], recipients: Collection[int],
            both_ways: bool = False) -> Select[Any]:
    """The ids of the messages from any of `senders` to any of `recipients` (people or organisations by
    id), and the other way too with `both_ways`."""
    parties = _Parties(level)

    def one_way(from_ids: Collection[int], to_ids: Collection[int]) -> ColumnElement[bool]:
        return and_(parties.from_key.in_(list(from_ids)), parties.to_key.in_(list(to_ids)))

    condition = or_(one_way(senders, recipients), one_way(recipients, senders)) if both_ways else \
        one_way(senders, recipients)
    return parties.joined(parties.sender.document_id).where(condition).distinct()


def pair_messages(case: Case, level: CommsLevel, from_id: int, to_id: int, both_ways: bool = False,
                  document_ids: Collection[int] | None = None, start_month: str | None = None,
                  end_month: str | None = None) -> list[Message]:
    """The messages of one pair, oldest first (within `document_ids` and the months, when given)."""
    found = between(level, [from_id], [to_id], both_ways).subquery()
    query = (select(Document.id, Document.control, Document.sent, Document.email_from, Document.email_to,
                    Document.subject)
             .join(found, found.c[0] == Document.id)
             .join(PeopleSource, PeopleSource.document_id == Document.id)
             .where(*_in_months(PeopleSource.month, start_month, end_month))
             .order_by(Document.sent.is_(None), Document.sent, Document.id))
    with case.db.reader() as session:
        rows = session.execute(query).all()
    wanted = set(document_ids) if document_ids is not None else None
    return [Message(doc_id, control, sent, sender, recipients, subject)
            for doc_id, control, sent, sender, recipients, subject in rows
            if wanted is None or doc_id in wanted]


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ("YYYY-MM"), both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
