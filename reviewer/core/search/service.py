"""Run a review query against a case: the one entry point the CLI, the UI and reports share.

A query is parsed, its saved:"NAME" references are replaced by the saved queries (re-run live), and the
tree is evaluated as sets of document ids: text subtrees go to the backend whole (so Whoosh intersects by
its own skip lists), structured filters to SQLite, and the two are intersected, joined or subtracted.
Counts are therefore exact: every number is the size of a set, never an engine estimate. Ranking,
sorting, family expansion, result rows with snippets, and hit positions for the viewer are built on top.

A SearchService holds one index searcher: use it from one thread at a time and close it when done.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from reviewer.core.analytics.groups import thread_order
from reviewer.core.case import Case
from reviewer.core.choices import Sort
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, SavedSearch
from reviewer.core.progress import CancelToken, Progress, no_progress
from reviewer.core.search import saved
from reviewer.core.search.backend import SearchBackend
from reviewer.core.search.fields import field_parts
from reviewer.core.search.filters import all_ids, filter_ids
from reviewer.core.search.hits import SNIPPET_HITS, Hit, Snippet, find_hits, make_snippet, place_on_pdf_pages
from reviewer.core.search.query import (
    FILTER_NODES,
    TEXT_NODES,
    And,
    Match,
    Node,
    Not,
    Or,
    QuerySyntaxError,
    is_text,
    parse,
)
from reviewer.core.search.repair import repair
from reviewer.core.search.whoosh_backend import WhooshBackend
from reviewer.core.team.access import visible_ids

_CHUNK = 10_000


@dataclass
class SearchResult:
    query: str
    node: Node  # as evaluated: saved searches expanded
    total: int
    ids: list[int]  # in the requested order, at most `limit`
    scores: dict[int, float] = field(default_factory=dict)
    elapsed_ms: float = 0.0


@dataclass
class HitRow:
    """What a result list shows for one document."""

    doc_id: int
    control: str
    score: float | None
    title: str
    date: datetime | None
    custodians: list[str]
    kind: str
    snippet: Snippet


class SearchService:
    def __init__(self, case: Case, backend: SearchBackend) -> None:
        self.case = case
        self.backend = backend
        self.repaired: str | None = None  # what opening had to repair in the index, for the user to see

    @classmethod
    def open(cls, case: Case, progress: Progress = no_progress,
             cancel: CancelToken | None = None) -> SearchService:
        """Check the case's index and repair it if needed (with progress, in the calling thread), then open
        it; `repaired` says what was repaired. For commands and scripts that open a case to search it."""
        repaired = repair(case, progress, cancel).message
        service = cls.open_ready(case)
        service.repaired = repaired
        return service

    @classmethod
    def open_ready(cls, case: Case) -> SearchService:
        """Open the index as it is, never repairing it (the desktop repairs once, when it opens a case);
        SearchIndexError when it cannot be searched."""
        return cls(case, WhooshBackend(case.index_dir))

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> SearchService:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- parsing ---------------------------------------------------------------------------------------
    def parse(self, query: str) -> Node:
        """The query's tree with every saved:"NAME" replaced by that saved search's current query."""
        return self._expand(parse(query), ())

    def _expand(self, node: Node, seen: tuple[str, ...]) -> Node:
        if isinstance(node, Match) and node.field == "saved":
            found = saved.find(self.case, node.value)
            if found is None:
                names = ", ".join(s.name for s in saved.saved_searches(self.case)) or "none yet"
                raise QuerySyntaxError(f"No saved search named '{node.value}'", node.column,
                                       f"the saved searches are: {names}")
            return self._expand(self._parse_saved(found, seen), (*seen, found.name.casefold()))
        if isinstance(node, And | Or):
            return type(node)(tuple(self._expand(child, seen) for child in node.children))
        if isinstance(node, Not):
            return Not(self._expand(node.child, seen))
        return node

    @staticmethod
    def _parse_saved(found: SavedSearch, seen: tuple[str, ...]) -> Node:
        if found.name.casefold() in seen:
            raise QuerySyntaxError(f"Saved search '{found.name}' refers to itself", 0)
        try:
            return parse(found.query)
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(f"Saved search '{found.name}' no longer reads: {exc}", 0) from None

    # --- evaluation --------------------------------------------------------------------------------------
    def matching_ids(self, query: str | Node) -> set[int]:
        """Exactly the documents a query finds, unordered."""
        node = self.parse(query) if isinstance(query, str) else query
        found = _Evaluation(self.case, self.backend).run(node)
        visible = visible_ids(self.case)  # a reviewer given only their batches finds only those
        return found if visible is None else found & visible

    def count(self, query: str | Node) -> int:
        return len(self.matching_ids(query))

    def search(self, query: str, limit: int | None = 100, sort: Sort = "relevance", families: bool = False,
               remember: bool = False, threads: bool = False) -> SearchResult:
        """The total and the first `limit` documents (all when None) in `sort` order; with `families`, every
        document of each hit's family, parents before their attachments; with `threads`, every document of
        each hit's email thread, in thread order."""
        started = time.perf_counter()
        node = self.parse(query)
        hits = self.matching_ids(node)
        ids: list[int] = []
        scores: dict[int, float] = {}
        total = len(hits)
        if families or threads:
            ordered, scores = self._ordered(node, hits, sort, None)
            if threads:
                ordered = thread_order(self.case, ordered)
            ids = self._families_in_order(ordered) if families else ordered
            visible = visible_ids(self.case)
            if visible is not None:
                ids = [i for i in ids if i in visible]
            total = len(ids)
            ids = ids if limit is None else ids[:limit]
        elif limit != 0:
            ids, scores = self._ordered(node, hits, sort, limit)
        result = SearchResult(query, node, total, ids, scores, (time.perf_counter() - started) * 1000)
        if remember:
            saved.remember(self.case, query, total)
        return result

    def _ordered(self, node: Node, hits: set[int], sort: Sort,
                 limit: int | None) -> tuple[list[int], dict[int, float]]:
        if sort == "relevance":
            scoring = _scoring_part(node)
            ranked = self.backend.ranked(scoring, hits, limit) if scoring is not None and hits else []
            scores = dict(ranked)
            ids = [doc_id for doc_id, _score in ranked]
            if limit is None or len(ids) < limit:
                # Documents found only by filters have no score: they follow in the order they were added.
                rest = sorted(hits - scores.keys())
                ids += rest if limit is None else rest[:limit - len(ids)]
            return ids, scores
        return self._sorted(hits, sort)[:limit], {}

    def _sorted(self, ids: Collection[int], sort: Sort) -> list[int]:
        keys: list[tuple[int, object, str]] = []
        wanted = list(ids)
        with self.case.db.reader() as session:
            date = func.coalesce(Document.sent, Document.modified, Document.created)
            for start in range(0, len(wanted), _CHUNK):
                rows = session.execute(select(Document.id, date, Document.control).where(
                    Document.id.in_(wanted[start:start + _CHUNK]))).all()
                keys.extend(rows)
        if sort == "date":  # oldest first; undated documents last
            keys.sort(key=lambda row: (row[1] is None, row[1] or datetime.min, row[2]))
        else:
            keys.sort(key=lambda row: row[2])
        return [row[0] for row in keys]

    def family_ids(self, ids: Iterable[int]) -> set[int]:
        """Every document in the families of `ids`."""
        return {doc_id for doc_id, _root in self._family_rows(ids)}

    def _family_rows(self, ids: Iterable[int]) -> list[tuple[int, int]]:
        wanted = list(ids)
        root = func.coalesce(Document.family_id, Document.id)
        rows: list[tuple[int, int]] = []
        with self.case.db.reader() as session:
            for start in range(0, len(wanted), _CHUNK):
                roots = select(root).where(Document.id.in_(wanted[start:start + _CHUNK])).scalar_subquery()
                rows.extend(session.execute(select(Document.id, root).where(root.in_(roots))).all())
        return rows

    def _families_in_order(self, ordered: list[int]) -> list[int]:
        members: dict[int, list[int]] = {}
        root_of: dict[int, int] = {}
        for doc_id, root in sorted(set(self._family_rows(ordered))):
            members.setdefault(root, []).append(doc_id)
            root_of[doc_id] = root
        result: list[int] = []
        placed: set[int] = set()
        for doc_id in ordered:
            root = root_of[doc_id]
            if root not in placed:
                placed.add(root)
                family = members[root]
                # The parent first (the family's root), then its attachments in order.
                result.extend(sorted(family, key=lambda member: (member != root, member)))
        return result

    # --- what the user sees ---------------------------------------------------------------------------------
    def rows(self, result: SearchResult) -> list[HitRow]:
        """Result rows for `result.ids` with a snippet of each document's hits."""
        with self.case.db.reader() as session:
            documents = {d.id: d for d in session.scalars(
                select(Document).where(Document.id.in_(result.ids)).options(selectinload(Document.custodians)))}
        rows = []
        for doc_id in result.ids:
            document = documents[doc_id]
            text = self.case.texts.read(document.control, document.id)
            hits = find_hits(result.node, field_parts(document, text), SNIPPET_HITS)
            rows.append(HitRow(
                doc_id, document.control, result.scores.get(doc_id),
                document.subject or document.title or document.file_name, document.date,
                [c.custodian for c in document.custodians] or [document.custodian], document.kind,
                make_snippet(text, hits),
            ))
        return rows

    def hit_positions(self, control: str, query: str | Node, limit: int | None = None) -> list[Hit]:
        """The hits of a query in one document, in reading order: offsets into its text, and the page and
        rectangles on that page for a PDF, so a viewer can highlight them and jump from hit to hit. With
        `limit`, the text's first `limit` hits only (then every metadata hit), read from no more of the
        text than they need; `hit_count` says how many there are in all."""
        node = self.parse(query) if isinstance(query, str) else query
        document = self._document(control)
        text = self.case.texts.read(document.control, document.id)
        hits = find_hits(node, field_parts(document, text), limit)
        original = self.case.natives.path_for(document.sha256)
        if document.kind == "pdf" and original.is_file():
            hits = place_on_pdf_pages(original, text, hits)
        return hits

    def hit_count(self, control: str, query: str | Node) -> int:
        """How many hits a query has in one document (from the index: the text is not read)."""
        node = self.parse(query) if isinstance(query, str) else query
        return self.backend.hit_count(node, [self._document(control).id])

    def _document(self, control: str) -> Document:
        with self.case.db.reader() as session:
            document = session.scalar(select(Document).where(Document.control == control.strip().upper()))
        if document is None:
            raise ReviewerError(f"No document {control} in this case.")
        return document

    def version(self) -> dict[str, object]:
        return self.backend.version()


def _scoring_part(node: Node) -> Node | None:
    """The text the ranking is about: every text subtree that is not negated."""
    if isinstance(node, Not) or isinstance(node, FILTER_NODES):
        return None
    if isinstance(node, TEXT_NODES) or is_text(node):
        return node
    assert isinstance(node, And | Or)
    parts = [part for child in node.children if (part := _scoring_part(child)) is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


def _whole_for_backend(node: Node) -> bool:
    """Whether the backend can answer this text subtree by itself. A NOT needs the set of all documents,
    which only the database knows exactly (documents still being indexed are not in the index yet), so
    it goes to the backend only beside a positive term that bounds it: `a AND NOT b`."""
    if isinstance(node, TEXT_NODES):
        return True
    if isinstance(node, Or):
        return all(_whole_for_backend(child) for child in node.children)
    if isinstance(node, And):
        positive = [child for child in node.children if not isinstance(child, Not)]
        negated = [child.child for child in node.children if isinstance(child, Not)]
        return bool(positive) and all(map(_whole_for_backend, positive)) and all(map(is_text, negated))
    return False


class _Evaluation:
    """One query's evaluation as sets of ids, with the set of all documents read at most once."""

    def __init__(self, case: Case, backend: SearchBackend) -> None:
        self.case = case
        self.backend = backend
        self._universe: set[int] | None = None

    def universe(self) -> set[int]:
        if self._universe is None:
            with self.case.db.reader() as session:
                self._universe = all_ids(session)
        return self._universe

    def run(self, node: Node) -> set[int]:
        if _whole_for_backend(node):
            return self.backend.matching(node)
        if isinstance(node, FILTER_NODES):
            with self.case.db.reader() as session:
                return filter_ids(session, node)
        if isinstance(node, Not):
            return self.universe() - self.run(node.child)
        if isinstance(node, Or):
            text = [child for child in node.children if _whole_for_backend(child)]
            found = self.backend.matching(Or(tuple(text)) if len(text) > 1 else text[0]) if text else set()
            for child in node.children:
                if child not in text:
                    found |= self.run(child)
            return found
        assert isinstance(node, And)
        return self._and(node.children)

    def _and(self, children: tuple[Node, ...]) -> set[int]:
        positive = [child for child in children if not isinstance(child, Not)]
        negated = [child.child for child in children if isinstance(child, Not)]
        text = [child for child in positive if _whole_for_backend(child)]
        sets: list[set[int]] = []
        if text:
            # The negated text rides along with the positive text, bounded by it.
            text_negated = [child for child in negated if is_text(child)]
            negated = [child for child in negated if not is_text(child)]
            terms = tuple(text) + tuple(Not(child) for child in text_negated)
            sets.append(self.backend.matching(And(terms) if len(terms) > 1 else terms[0]))
        sets += [self.run(child) for child in positive if child not in text]
        if not sets:
            sets.append(self.universe())
        sets.sort(key=len)
        found = set(sets[0])
        for other in sets[1:]:
            found &= other
            if not found:
                return found
        for child in negated:
            found -= self.run(child)
        return found
