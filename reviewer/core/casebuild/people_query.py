"""The query fields about people, answered from who is on each document:

- person:"Lelling, Andrew"   documents the person is on in any role (From, To, Cc, Bcc, Reply-To, author);
  the person by any name they were written with, in its usual forms, by address (person:ada@x.example),
  by id (person:12) or by wildcard (person:lell*);
- domain:example.org          documents with an address of that domain (or a subdomain, or a domain
  labelled so) in any role;
- between:("A", "B")          messages with one as sender and the other as a recipient, either way; each
  side is a person as above, or a whole domain written @example.org.

A name that matches nobody is an error naming it, never an empty result.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from reviewer.core.casebuild.communications import ORGANISATION, PERSON, between
from reviewer.core.casebuild.people import documents_of, domains_named, find_people
from reviewer.core.models import EmailDomain, MessageParty, Person, PersonIdentity
from reviewer.core.search.query import Match, MatchPair, QuerySyntaxError

_HINT = "`reviewer people CASE` lists the people, `reviewer domains CASE` the domains"


def person_documents(session: Session, node: Match) -> Select[int]:
    return documents_of(_people(session, node.value, node.column))


def domain_documents(session: Session, node: Match) -> Select[int]:
    return (select(MessageParty.document_id).distinct()
            .join(PersonIdentity, PersonIdentity.id == MessageParty.identity_id)
            .where(PersonIdentity.domain_id.in_(_domain_ids(session, node.value, node.column))))


def between_documents(session: Session, node: MatchPair) -> Select[int]:
    first, second = node.values
    if first.startswith("@") and second.startswith("@"):
        return between(ORGANISATION, _domain_ids(session, first, node.column),
                       _domain_ids(session, second, node.column), both_ways=True)
    return between(PERSON, _side(session, first, node.column), _side(session, second, node.column),
                   both_ways=True)


def _side(session: Session, reference: str, column: int) -> set[int]:
    """The people one side of between: means; a whole domain (@example.org) is everyone with an address
    there."""
    if reference.startswith("@"):
        _domain_ids(session, reference, column)  # an unknown domain is an error, not nobody
    return _people(session, reference, column)


def _people(session: Session, reference: str, column: int) -> set[int]:
    found = find_people(session, reference)
    if not found:
        if session.scalar(select(Person.id).limit(1)) is None:
            raise QuerySyntaxError("People have not been built in this case yet", column,
                                   "open the People pane or run `reviewer people CASE`")
        raise QuerySyntaxError(f"No person '{reference}' in this case", column, _HINT)
    return found


def _domain_ids(session: Session, reference: str, column: int) -> list[int]:
    names = domains_named(session, reference)
    if not names:
        raise QuerySyntaxError(f"No address at '{reference.lstrip('@')}' in this case", column, _HINT)
    return list(session.scalars(select(EmailDomain.id).where(EmailDomain.domain.in_(names))))
