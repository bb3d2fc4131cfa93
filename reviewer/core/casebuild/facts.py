"""Facts: the entries of the case's chronology. Each has a date as precise as is known (see fuzzy_dates),
an optional time, its text, a status, a key flag, the issues and people it concerns, and its sources —
highlights, or documents with a pin-cite page — whose citations are computed when shown.

Adding, changing and deleting facts are reviewer actions, one undo step each. A fact can be made from a
highlight in one step: dated by its document, worded as its passage, filed under its issues.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.core.audit import Action, Recording, counted, recording
from reviewer.core.case import Case
from reviewer.core.casebuild import citations, fuzzy_dates, trail
from reviewer.core.casebuild import issues as issue_tree
from reviewer.core.casebuild.highlights import stored_rects
from reviewer.core.casebuild.people import person_names, resolve_person
from reviewer.core.choices import DEFAULT_FACT_STATUS, FACT_STATUSES
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, Fact, FactIssue, FactPerson, FactSource, Highlight, HighlightIssue

Day = date  # FactInfo has a field named date
_SOURCE = re.compile(r"^(?P<control>.+?)(?::(?P<page>\d+)(?:\s*[-\u2013]\s*(?P<end>\d+))?)?$")
_CHUNK = 5_000


class FactError(ReviewerError):
    """A fact that cannot be stored as given, or that does not exist."""


def _check_person(session: Session, person_id: int) -> int:
    """The person a fact links to: the id as given, or the person it was merged into."""
    resolved = resolve_person(session, person_id)
    if resolved is None:
        raise FactError(f"There is no person {person_id} in this case; `reviewer people CASE` lists them.")
    return resolved


@dataclass(frozen=True)
class SourceRef:
    """A source as given: a document (by id or control number) with an optional page or pages, or a
    highlight (whose document and page it is)."""

    document_id: int | None = None
    control: str = ""
    page: int | None = None
    page_end: int | None = None
    highlight_id: int | None = None

    @classmethod
    def parse(cls, text: str) -> SourceRef:
        """"DOC-000123", "DOC-000123:4" or "DOC-000123:4-5", as the command line takes them."""
        found = _SOURCE.match(text.strip())
        if not found or not found["control"].strip():
            raise FactError(f'"{text}" is not a source; give a control number with an optional page, '
                            "like DOC-000123:4.")
        page = int(found["page"]) if found["page"] else None
        end = int(found["end"]) if found["end"] else None
        return cls(control=found["control"].strip().upper(), page=page, page_end=end)


@dataclass(frozen=True)
class SourceInfo:
    id: int
    document_id: int
    control: str
    highlight_id: int | None
    page: int | None
    page_end: int | None
    cite: str  # as of now: a later production changes it

    def ref(self) -> SourceRef:
        """The source as given when the fact's sources are written again."""
        return SourceRef(document_id=self.document_id, page=self.page, page_end=self.page_end,
                         highlight_id=self.highlight_id)


@dataclass(frozen=True)
class FactInfo:
    id: int
    date: str  # as entered, with its time
    date_text: str
    time: str
    start: Day | None  # the first day the date can mean; None when undated
    end: Day | None
    precision: str  # year, month, day, "" when undated
    approximate: bool
    sort_key: str
    text: str
    status: str
    status_label: str
    key: bool
    issues: tuple[str, ...]  # names, in tree order
    issue_ids: tuple[int, ...]
    people: tuple[int, ...]
    people_names: tuple[str, ...]
    sources: tuple[SourceInfo, ...]
    user: str
    added: datetime

    @property
    def cites(self) -> str:
        return "; ".join(source.cite for source in self.sources)


def status_of(value: str) -> str:
    """The stored status for what a user typed: its name or its label, any letter case."""
    wanted = " ".join(value.replace("_", "-").split()).casefold()
    for name, label in FACT_STATUSES.items():
        if wanted in (name, label.casefold()) or wanted.replace(" ", "-") == name:
            return name
    raise FactError(f'"{value}" is not a status; use one of {", ".join(FACT_STATUSES)}.')


# --- writing ---------------------------------------------------------------------------------------------
def add_fact(case: Case, date: str | None = None, text: str | None = None, time: str = "",
             status: str = DEFAULT_FACT_STATUS, key: bool = False, issues: Iterable[str | int] = (),
             people: Iterable[int] = (), sources: Sequence[SourceRef] = (),
             highlights: Sequence[int] = ()) -> FactInfo:
    """Add a fact. Made from highlights, it may leave out what they give: `date` None takes the first
    highlight's document date, `text` None its passage, and their issues are added to those given."""
    with recording(case) as change:
        fact = _add(change, date, text, time, status, key, issues, people, sources, highlights)
        change.describe(f"adding the fact {_headline(fact)}")
        return _infos(change.session, [fact.id])[0]


def facts_from_highlights(case: Case, highlight_ids: Sequence[int]) -> list[FactInfo]:
    """The one-step fact, for each highlight: dated by its document, worded as its passage, under its
    issues, citing it. One action, however many highlights."""
    with recording(case) as change:
        made = [_add(change, highlights=[highlight_id]) for highlight_id in highlight_ids]
        if made:
            change.describe(f"adding the fact {_headline(made[0])}" if len(made) == 1
                            else f"adding {len(made)} facts from highlights")
        return _infos(change.session, [fact.id for fact in made])


def fact_from_highlight(case: Case, highlight_id: int) -> FactInfo:
    return facts_from_highlights(case, [highlight_id])[0]


def _add(change: Recording, date: str | None = None, text: str | None = None, time: str = "",
         status: str = DEFAULT_FACT_STATUS, key: bool = False, issues: Iterable[str | int] = (),
         people: Iterable[int] = (), sources: Sequence[SourceRef] = (),
         highlights: Sequence[int] = ()) -> Fact:
    status = status_of(status)
    refs = [SourceRef(highlight_id=h) for h in highlights] + list(sources)
    session = change.session
    highlight_rows = _highlights(session, highlights)
    if text is None:
        if not highlight_rows:
            raise FactError("A fact needs its text.")
        text = highlight_rows[0].text or f"(a box on {_control(session, highlight_rows[0].document_id)})"
    if date is None:
        date = "" if not highlight_rows else _document_date(session, highlight_rows[0].document_id)
    when = fuzzy_dates.parse(date, time)
    chosen = issue_tree.resolve(session, [*issues, *_highlight_issues(session, highlight_rows)])
    fact = Fact(date_text=when.text, time=when.time, sort_key=when.sort_key, text=_clean_text(text),
                status=status, is_key=key, added=change.at, user=change.user)
    session.add(fact)
    session.flush()
    trail.added(change, Action.ADD_FACT, [fact], subject=f"fact {fact.id}", text=_describe(fact))
    trail.linked(change, [
        *(FactIssue(fact_id=fact.id, issue_id=i.id) for i in chosen),
        *(FactPerson(fact_id=fact.id, person_id=_check_person(session, p)) for p in dict.fromkeys(people)),
        *_source_rows(session, fact.id, refs),
    ])
    return fact


def edit_fact(case: Case, fact_id: int, date: str | None = None, text: str | None = None,
              time: str | None = None, status: str | None = None, key: bool | None = None,
              issues: Iterable[str | int] | None = None, people: Iterable[int] | None = None,
              sources: Sequence[SourceRef] | None = None) -> FactInfo:
    """Change what is given of a fact; issues, people and sources, when given, replace the whole set."""
    with recording(case) as change:
        session = change.session
        fact = _get(session, fact_id)
        values: dict[str, object] = {}
        if date is not None or time is not None:
            when = fuzzy_dates.parse(fact.date_text if date is None else date,
                                     fact.time if time is None else time)
            values.update(date_text=when.text, time=when.time, sort_key=when.sort_key)
        if text is not None:
            values["text"] = _clean_text(text)
        if status is not None:
            values["status"] = status_of(status)
        if key is not None:
            values["is_key"] = key
        changed = ["details"] if trail.edited(change, Action.EDIT_FACT, fact, values,
                                              subject=f"fact {fact_id}") else []
        if issues is not None:
            wanted = [i.id for i in issue_tree.resolve(session, issues)]
            if _replace_links(change, FactIssue, fact_id, "issue_id", wanted):
                changed.append("issues")
        if people is not None:
            wanted_people = [_check_person(session, p) for p in dict.fromkeys(people)]
            if _replace_links(change, FactPerson, fact_id, "person_id", wanted_people):
                changed.append("people")
        if sources is not None:
            old = list(session.scalars(select(FactSource).where(FactSource.fact_id == fact_id)
                                       .order_by(FactSource.position)))
            new = _source_rows(session, fact_id, sources)
            if [_source_key(s) for s in old] != [_source_key(s) for s in new]:
                trail.unlinked(change, list(old))
                trail.linked(change, list(new))
                changed.append("sources")
        if changed:
            change.describe(f"changing the {_and(changed)} of the fact {_headline(fact)}")
        session.flush()
        return _infos(session, [fact_id])[0]


def delete_facts(case: Case, fact_ids: Iterable[int]) -> int:
    """Delete facts with their links; how many. Undo brings them back as they were."""
    wanted = sorted(set(fact_ids))
    with recording(case) as change:
        session = change.session
        rows = list(session.scalars(select(Fact).where(Fact.id.in_(wanted)).order_by(Fact.id)))
        missing = sorted(set(wanted) - {row.id for row in rows})
        if missing:
            raise FactError(f"There is no fact {', '.join(map(str, missing))} in this case.")
        links: list = []
        for model in (FactIssue, FactPerson, FactSource):
            links.extend(session.scalars(select(model).where(model.fact_id.in_(wanted)).order_by(model.id)))
        trail.unlinked(change, links)
        trail.removed(change, Action.DELETE_FACT, rows, subject="fact", text="")
        change.describe(f"deleting the fact {_headline(rows[0])}" if len(rows) == 1
                        else f"deleting {len(rows)} facts")
        return len(rows)


def _replace_links(change: Recording, model: type[FactIssue] | type[FactPerson], fact_id: int, column: str,
                   wanted: list[int]) -> bool:
    """Make a fact's issues (or people) exactly `wanted`; whether they changed."""
    links = list(change.session.scalars(select(model).where(model.fact_id == fact_id)))
    have = {getattr(link, column) for link in links}
    trail.unlinked(change, [link for link in links if getattr(link, column) not in wanted])
    trail.linked(change, [model(fact_id=fact_id, **{column: value}) for value in wanted if value not in have])
    return have != set(wanted)


def _highlights(session: Session, ids: Sequence[int]) -> list[Highlight]:
    rows = {row.id: row for row in session.scalars(select(Highlight).where(Highlight.id.in_(ids)))}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise FactError(f"There is no highlight {', '.join(missing)} in this case.")
    return [rows[i] for i in ids]


def _highlight_issues(session: Session, rows: list[Highlight]) -> list[int]:
    if not rows:
        return []
    return list(session.scalars(select(HighlightIssue.issue_id)
                                .where(HighlightIssue.highlight_id.in_([r.id for r in rows]))
                                .order_by(HighlightIssue.id)))


def _control(session: Session, doc_id: int) -> str:
    return session.scalar(select(Document.control).where(Document.id == doc_id)) or ""


def _document_date(session: Session, doc_id: int) -> str:
    document = session.get(Document, doc_id)
    return fuzzy_dates.of_datetime(document.date if document else None).text


def _source_rows(session: Session, fact_id: int, refs: Sequence[SourceRef]) -> list[FactSource]:
    """The fact_source rows for the sources given, each once, checked against the case."""
    controls = [ref.control for ref in refs if ref.control and ref.document_id is None]
    by_control = dict(zip(controls, _control_ids(session, controls), strict=True)) if controls else {}
    highlight_rows = {h.id: h for h in _highlights(session, [r.highlight_id for r in refs if r.highlight_id])}
    rows: list[FactSource] = []
    seen: set[tuple[int, int | None, int | None, int | None]] = set()
    for ref in refs:
        page, page_end = ref.page, ref.page_end
        if ref.highlight_id is not None:
            highlight = highlight_rows[ref.highlight_id]
            doc_id = highlight.document_id
            page = highlight.page
            pages = sorted({rect[0] for rect in stored_rects(highlight)})
            page_end = pages[-1] if len(pages) > 1 else None
        else:
            doc_id = ref.document_id if ref.document_id is not None else by_control[ref.control]
            _check_pages(session, doc_id, page, page_end)
        key = (doc_id, ref.highlight_id, page, page_end)
        if key not in seen:
            seen.add(key)
            rows.append(FactSource(fact_id=fact_id, document_id=doc_id, highlight_id=ref.highlight_id,
                                   page=page, page_end=page_end, position=len(rows) + 1))
    return rows


def _control_ids(session: Session, controls: list[str]) -> list[int]:
    found = dict(session.execute(select(Document.control, Document.id)
                                 .where(Document.control.in_(set(controls)))).all())
    missing = [c for c in controls if c not in found]
    if missing:
        raise FactError(f"No document {', '.join(dict.fromkeys(missing))} in this case.")
    return [found[c] for c in controls]


def _check_pages(session: Session, doc_id: int, page: int | None, page_end: int | None) -> None:
    if page is None:
        return
    document = session.get(Document, doc_id)
    if document is None:
        raise FactError(f"There is no document with id {doc_id} in this case.")
    if page < 1 or (page_end is not None and page_end < page):
        raise FactError(f"{document.control}: pages are numbered from 1, and a range runs forwards.")
    last = page_end or page
    if document.pages is not None and last > document.pages:
        raise FactError(f"{document.control} has {counted(document.pages, 'page')}; "
                        f"there is no page {last}.")


def _source_key(source: FactSource) -> tuple[int, int | None, int | None, int | None]:
    return source.document_id, source.highlight_id, source.page, source.page_end


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise FactError("A fact needs its text.")
    return text


# --- reading ---------------------------------------------------------------------------------------------
def list_facts(case: Case, issue: str | None = None, person: int | None = None, status: str | None = None,
               key_only: bool = False) -> list[FactInfo]:
    """The chronology in date order (undated last), optionally only the facts under an issue (and its
    sub-issues), about a person, with a status, or marked key."""
    with case.db.reader() as session:
        return _infos(session, fact_ids(session, issue, person, status, key_only))


def fact_ids(session: Session, issue: str | None = None, person: int | None = None, status: str | None = None,
             key_only: bool = False) -> list[int]:
    query = select(Fact.id)
    if issue is not None:
        chosen = issue_tree.with_subissues(session, [issue_tree.resolve(session, [issue])[0].id])
        query = query.where(Fact.id.in_(select(FactIssue.fact_id).where(FactIssue.issue_id.in_(chosen))))
    if person is not None:
        query = query.where(Fact.id.in_(select(FactPerson.fact_id).where(FactPerson.person_id == person)))
    if status is not None:
        query = query.where(Fact.status == status_of(status))
    if key_only:
        query = query.where(Fact.is_key.is_(True))
    return list(session.scalars(query.order_by(Fact.sort_key, Fact.id)))


def get_fact(case: Case, fact_id: int) -> FactInfo:
    with case.db.reader() as session:
        _get(session, fact_id)
        return _infos(session, [fact_id])[0]


def _get(session: Session, fact_id: int) -> Fact:
    fact = session.get(Fact, fact_id)
    if fact is None:
        raise FactError(f"There is no fact {fact_id} in this case.")
    return fact


def _infos(session: Session, ids: list[int]) -> list[FactInfo]:
    """Facts by id, in the order given, with their issues (tree order), people, sources and cites."""
    order = {issue.id: (index, issue) for index, issue in enumerate(issue_tree.tree(session))}
    # Plain rows, not ORM objects: a chronology of thousands of facts is read in a blink.
    rows: dict[int, Any] = {}
    issues: dict[int, list[int]] = defaultdict(list)
    people: dict[int, list[int]] = defaultdict(list)
    sources: dict[int, list[Any]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        rows.update((row.id, row) for row in session.execute(select(*Fact.__table__.c)
                                                             .where(Fact.id.in_(chunk))))
        for fact_id, issue_id in session.execute(select(FactIssue.fact_id, FactIssue.issue_id)
                                                 .where(FactIssue.fact_id.in_(chunk))):
            issues[fact_id].append(issue_id)
        for fact_id, person_id in session.execute(select(FactPerson.fact_id, FactPerson.person_id)
                                                  .where(FactPerson.fact_id.in_(chunk))
                                                  .order_by(FactPerson.id)):
            people[fact_id].append(person_id)
        for source in session.execute(select(*FactSource.__table__.c).where(FactSource.fact_id.in_(chunk))
                                      .order_by(FactSource.fact_id, FactSource.position, FactSource.id)):
            sources[source.fact_id].append(source)
    numbers = citations.numbers(session, {s.document_id for found in sources.values() for s in found})
    names = person_names(session, {p for found in people.values() for p in found})
    found_infos = []
    for fact_id in ids:
        fact = rows[fact_id]
        when = fuzzy_dates.parse(fact.date_text, fact.time)
        mine = sorted((order[i] for i in issues[fact_id] if i in order), key=lambda pair: pair[0])
        found_infos.append(FactInfo(
            id=fact.id, date=when.shown, date_text=fact.date_text, time=fact.time, start=when.start,
            end=when.end, precision=when.precision, approximate=when.approximate, sort_key=fact.sort_key,
            text=fact.text, status=fact.status, status_label=FACT_STATUSES.get(fact.status, fact.status),
            key=fact.is_key, issues=tuple(issue.name for _i, issue in mine),
            issue_ids=tuple(issue.id for _i, issue in mine), people=tuple(people[fact_id]),
            people_names=tuple(names[p] for p in people[fact_id]),
            sources=tuple(SourceInfo(s.id, s.document_id, numbers[s.document_id].control, s.highlight_id,
                                     s.page, s.page_end, numbers[s.document_id].cite(s.page, s.page_end))
                          for s in sources[fact_id]),
            user=fact.user, added=fact.added,
        ))
    return found_infos


def _headline(fact: Fact) -> str:
    text = " ".join(fact.text.split())
    text = text if len(text) <= 50 else text[:49] + "…"
    return f'{fact.date_text} "{text}"' if fact.date_text else f'"{text}"'


def _describe(fact: Fact) -> str:
    return f"{fact.date_text} {fact.time}".strip() + f": {fact.text}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def people_in_chronology(case: Case) -> list[tuple[int, str]]:
    """Every person some fact is about, by name: what a chronology can be filtered by."""
    with case.db.reader() as session:
        ids = list(session.scalars(select(FactPerson.person_id).distinct()))
        names = person_names(session, ids)
    return sorted(names.items(), key=lambda pair: (pair[1].casefold(), pair[0]))
