"""Hand edits of people and organisations: merge, split, rename, flags, and a domain's label and flags.

Each is one reviewer action (one AuditGroup), on the trail and undoable. An edit first records its
events — each sets one thing from `before` to `after`: a person's state (name, hand grouping, merged
into), an address moving between people, a flag, a label — and then applies them (apply_people_events).
An undo copies the events with before and after swapped and applies them the same way, so doing and
undoing are one piece of code. Names, counts and communications of the people concerned are refreshed in
the same transaction.

A person merged away is never deleted: it stays, pointing at the survivor, so its id still resolves; a
split makes new people (their rows exist from the split on; undoing it merges them back). People merged
or split by hand are never regrouped by building (see people_build), so hand edits survive a rebuild.

The attorney flag is the case's attorneys list (produce/attorneys.py, which the privilege log uses too):
flagging a person adds their addresses to it, flagging a domain adds @domain; unflagging removes them.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from reviewer.core.audit import Action, Recording, recording
from reviewer.core.case import Case, now
from reviewer.core.casebuild.names import comparison_key
from reviewer.core.casebuild.people import ATTORNEY, find_domain, list_people, resolve_person
from reviewer.core.casebuild.people_build import refresh_people
from reviewer.core.choices import PERSON_FLAGS
from reviewer.core.errors import ReviewerError
from reviewer.core.models import AuditEvent, DomainFlag, EmailDomain, Person, PersonFlag, PersonIdentity
from reviewer.core.produce import attorneys

EDITS = frozenset({Action.PERSON, Action.PERSON_ADDRESS, Action.PERSON_FLAG, Action.DOMAIN_LABEL,
                   Action.DOMAIN_FLAG})


# --- applying events (doing and undoing) -------------------------------------------------------------------
def apply_people_events(change: Recording, actions: set[Action]) -> None:
    """Make people and domains what this group's events say they now are (their `after`)."""
    if not actions & EDITS:
        return
    session = change.session

    def events(kind: Action, *columns: Any) -> list[Any]:
        return list(session.execute(select(*columns).where(
            AuditEvent.group_id == change.group_id, AuditEvent.action == kind.value).order_by(AuditEvent.id)))

    people: set[int] = set()
    for person_id, after in events(Action.PERSON, AuditEvent.subject_id, AuditEvent.after):
        state = json.loads(after)
        session.execute(update(Person).where(Person.id == person_id).values(**state))
        people.add(person_id)
    moves = events(Action.PERSON_ADDRESS, AuditEvent.subject_id, AuditEvent.before, AuditEvent.after)
    if moves:
        session.execute(update(PersonIdentity), [{"id": identity, "person_id": int(after)}
                                                 for identity, _before, after in moves])
        people.update(int(value) for _identity, before, after in moves for value in (before, after))
    for person_id, flag, after in events(Action.PERSON_FLAG, AuditEvent.subject_id, AuditEvent.subject,
                                         AuditEvent.after):
        _set_flag(session, PersonFlag, PersonFlag.person_id, person_id, flag, bool(after))
    for domain_id, after in events(Action.DOMAIN_LABEL, AuditEvent.subject_id, AuditEvent.after):
        session.execute(update(EmailDomain).where(EmailDomain.id == domain_id).values(label=after))
    for domain_id, flag, after in events(Action.DOMAIN_FLAG, AuditEvent.subject_id, AuditEvent.subject,
                                         AuditEvent.after):
        _set_flag(session, DomainFlag, DomainFlag.domain_id, domain_id, flag, bool(after))
    if people:
        refresh_people(session, people)


def _set_flag(session: Session, model: type[PersonFlag] | type[DomainFlag], owner: Any, owner_id: int,
              flag: str, present: bool) -> None:
    session.execute(delete(model).where(owner == owner_id, model.flag == flag))
    if present:
        session.execute(insert(model).values({owner.key: owner_id, "flag": flag}))


def _state(person: Person, **changes: Any) -> str:
    state = {"name": person.name, "named_by_hand": person.named_by_hand,
             "grouped_by_hand": person.grouped_by_hand, "merged_into": person.merged_into}
    state.update(changes)
    return json.dumps(state, sort_keys=True, ensure_ascii=False)


def _person_event(change: Recording, person: Person, **changes: Any) -> None:
    before, after = _state(person), _state(person, **changes)
    if before != after:
        change.event(Action.PERSON, subject=person.name, subject_id=person.id, before=before, after=after)


def _current(session: Session, person_id: int) -> Person:
    resolved = resolve_person(session, person_id)
    person = session.get(Person, resolved) if resolved is not None else None
    if person is None:
        raise ReviewerError(f"No person {person_id} in this case; `reviewer people CASE` lists them.")
    return person


# --- merge, split, rename ----------------------------------------------------------------------------------
def merge_people(case: Case, person_ids: list[int]) -> int:
    """Merge people into the first one given, which keeps its id (the others resolve to it from now on);
    one undoable action. Returns the survivor's id."""
    with recording(case) as change:
        session = change.session
        people = list({p.id: p for p in (_current(session, i) for i in person_ids)}.values())
        if len(people) < 2:
            raise ReviewerError("Give two or more different people to merge; the first one keeps its id.")
        survivor, others = people[0], people[1:]
        other_ids = [p.id for p in others]
        for identity_id, value, person_id in session.execute(
                select(PersonIdentity.id, PersonIdentity.value, PersonIdentity.person_id)
                .where(PersonIdentity.person_id.in_(other_ids)).order_by(PersonIdentity.id)):
            change.event(Action.PERSON_ADDRESS, subject=value, subject_id=identity_id, before=str(person_id),
                         after=str(survivor.id))
        kept = set(session.scalars(select(PersonFlag.flag).where(PersonFlag.person_id == survivor.id)))
        theirs = set(session.scalars(select(PersonFlag.flag).where(PersonFlag.person_id.in_(other_ids))))
        for flag in sorted(theirs - kept):
            change.event(Action.PERSON_FLAG, subject=flag, subject_id=survivor.id, before="", after=flag)
        for other in others:
            _person_event(change, other, merged_into=survivor.id)
        _person_event(change, survivor, grouped_by_hand=True)
        apply_people_events(change, {Action.PERSON})
        names = ", ".join(f'"{p.name}"' for p in others)
        change.describe(f'merging {names} into "{survivor.name}"')
        return survivor.id


def split_person(case: Case, person_id: int, references: list[str], each: bool = False) -> list[int]:
    """Move some of a person's addresses (or bare names) to a new person — to one new person each with
    `each` — as one undoable action; both sides are then kept as they are by later builds. Returns the
    new people's ids."""
    with recording(case) as change:
        session = change.session
        person = _current(session, person_id)
        own = list(session.execute(select(PersonIdentity.id, PersonIdentity.kind, PersonIdentity.value)
                                   .where(PersonIdentity.person_id == person.id).order_by(PersonIdentity.id)))
        chosen = []
        for reference in references:
            wanted = reference.strip().lower() if "@" in reference else comparison_key(reference)
            match = next((row for row in own if row.value == wanted), None)
            if match is None:
                listing = "; ".join(row.value for row in own)
                raise ReviewerError(f'"{reference}" is not an address or name of {person.name} '
                                    f"({person.id}); theirs are: {listing}.")
            if match not in chosen:
                chosen.append(match)
        if not chosen:
            raise ReviewerError("Name the addresses to split off.")
        if len(chosen) == len(own) and not (each and len(chosen) > 1):
            raise ReviewerError(f"That is every address of {person.name}; leave at least one with them.")
        groups = [[row] for row in chosen] if each else [chosen]
        if len(chosen) == len(own):
            groups = groups[1:]  # the first stays with the person
        next_id = (session.scalar(select(func.max(Person.id))) or 0) + 1
        new_ids = list(range(next_id, next_id + len(groups)))
        # The new people exist from here on, merged into the person until the events below split them off,
        # so an undo merges them back rather than deleting an id someone may have noted.
        session.execute(insert(Person), [{"id": new_id, "name": "", "merged_into": person.id, "added": now()}
                                         for new_id in new_ids])
        for new_id, group in zip(new_ids, groups, strict=True):
            new_person = session.get(Person, new_id)
            assert new_person is not None
            _person_event(change, new_person, merged_into=None, grouped_by_hand=True)
            for row in group:
                change.event(Action.PERSON_ADDRESS, subject=row.value, subject_id=row.id,
                             before=str(person.id), after=str(new_id))
        _person_event(change, person, grouped_by_hand=True)
        apply_people_events(change, {Action.PERSON})
        moved = sum(len(group) for group in groups)
        change.describe(f'splitting {moved} address{"es" if moved != 1 else ""} off "{person.name}"')
        return new_ids


def rename_person(case: Case, person_id: int, name: str) -> str:
    """Give a person the name a reader should see; "" goes back to the name their documents give them.
    One undoable action; returns the name now shown."""
    name = " ".join(name.split())
    with recording(case) as change:
        person = _current(change.session, person_id)
        old = person.name
        _person_event(change, person, name=name or old, named_by_hand=bool(name))
        apply_people_events(change, {Action.PERSON})
        shown = change.session.scalar(select(Person.name).where(Person.id == person.id)) or ""
        change.describe(f'renaming "{old}" to "{shown}"' if name else
                        f'giving "{old}" back their name from the documents')
        return shown


# --- flags and labels --------------------------------------------------------------------------------------
def _check_flag(flag: str) -> str:
    flag = flag.strip().lower()
    if flag not in PERSON_FLAGS:
        raise ReviewerError(f'"{flag}" is not a flag; use one of {", ".join(PERSON_FLAGS)}.')
    return flag


def flag_person(case: Case, person_id: int, flag: str, on: bool = True) -> bool:
    """Set (or with on=False take off) a flag on a person, as one undoable action; False when it was
    already so. The attorney flag goes through the attorneys list."""
    flag = _check_flag(flag)
    info = next(iter(list_people(case, [person_id])), None)
    if info is None:
        raise ReviewerError(f"No person {person_id} in this case; `reviewer people CASE` lists them.")
    if flag == ATTORNEY:
        return _flag_attorney(case, info.id, info.addresses or [info.name], on)
    with recording(case) as change:
        session = change.session
        person = _current(session, info.id)
        present = session.scalar(select(PersonFlag.id).where(PersonFlag.person_id == person.id,
                                                             PersonFlag.flag == flag)) is not None
        if present == on:
            if not on and flag in info.flags:
                raise ReviewerError(f"{person.name} is flagged {flag} through their domain; take the flag "
                                    f"off the domain: `reviewer domain-flag CASE DOMAIN {flag} --remove`.")
            return False
        change.event(Action.PERSON_FLAG, subject=flag, subject_id=person.id, before="" if on else flag,
                     after=flag if on else "")
        apply_people_events(change, {Action.PERSON_FLAG})
        change.describe(f'{"" if on else "un"}flagging "{person.name}" as {flag}')
        return True


def _flag_attorney(case: Case, person_id: int, identities: list[str], on: bool) -> bool:
    if on:
        return attorneys.add(case, identities) > 0
    removed = attorneys.remove(case, identities) > 0
    still = next(iter(list_people(case, [person_id])), None)
    if still is not None and ATTORNEY in still.flags:
        raise ReviewerError(f"{still.name} is still an attorney through their domain or name on the "
                            "attorneys list; see `reviewer attorneys CASE`.")
    return removed


def label_domain(case: Case, domain: str, label: str) -> bool:
    """Name an organisation by its domain ("" goes back to the domain itself); one undoable action."""
    label = " ".join(label.split())
    with recording(case) as change:
        row = _domain(change.session, domain)
        if row.label == label:
            return False
        change.event(Action.DOMAIN_LABEL, subject=row.domain, subject_id=row.id, before=row.label,
                     after=label)
        apply_people_events(change, {Action.DOMAIN_LABEL})
        change.describe(f'labelling {row.domain} "{label}"' if label else
                        f"clearing the label of {row.domain}")
        return True


def flag_domain(case: Case, domain: str, flag: str, on: bool = True) -> bool:
    """Flag a whole domain (everyone with an address there carries the flag); one undoable action."""
    flag = _check_flag(flag)
    with case.db.reader() as session:
        name = _domain(session, domain).domain
    if flag == ATTORNEY:
        return (attorneys.add(case, [f"@{name}"]) if on else attorneys.remove(case, [f"@{name}"])) > 0
    with recording(case) as change:
        row = _domain(change.session, name)
        present = change.session.scalar(select(DomainFlag.id).where(DomainFlag.domain_id == row.id,
                                                                    DomainFlag.flag == flag)) is not None
        if present == on:
            return False
        change.event(Action.DOMAIN_FLAG, subject=flag, subject_id=row.id, before="" if on else flag,
                     after=flag if on else "")
        apply_people_events(change, {Action.DOMAIN_FLAG})
        change.describe(f"flagging {row.domain} as {flag}" if on else f"unflagging {row.domain} as {flag}")
        return True


def _domain(session: Session, domain: str) -> EmailDomain:
    row = find_domain(session, domain)
    if row is None:
        raise ReviewerError(f"No address at {domain} in this case; `reviewer domains CASE` lists the "
                            "domains.")
    return row

