"""The current result: a query's matches narrowed by the Browse pane's choices, in the chosen order, with
the counts the panes show. Worked out on the read lane; the newest request wins. A query the reviewer ran is
recorded in the search history on the write lane, like every other write.

The id list changes only when the query, filters or order change (or documents are added). Coding leaves
the list alone, so the reviewer keeps their place, and only the counts are refreshed. A new list is shown as
soon as it is known and its counts follow (on a million documents they take seconds, the rows do not). A
query may come with an order of its own (a batch's documents in review order), kept until the reviewer sorts
or searches anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, Signal

from reviewer.core import browse
from reviewer.core.analytics import groups
from reviewer.core.errors import ReviewerError
from reviewer.core.search import saved
from reviewer.ui.searching import Searchers
from reviewer.ui.tasks import Lane, TaskRunner


@dataclass(frozen=True)
class Counts:
    facets: browse.Facets
    coding: browse.CodingCounts
    saved: list[tuple[str, str, int | None]]  # saved searches: name, query, matches (None if it fails)


@dataclass(frozen=True)
class ResultView:
    query: str
    ids: list[int]  # what the list shows
    within: set[int] | None  # the documents matching the query, before filters; None without a query
    history: list[str]  # recent queries, newest first

    @property
    def matches(self) -> int | None:
        return None if self.within is None else len(self.within)


def _counts(searchers: Searchers, within: set[int] | None, listed: list[int]) -> Counts:
    case = searchers.case
    found: list[tuple[str, str, int | None]] = []
    for entry in saved.saved_searches(case):
        try:
            found.append((entry.name, entry.query, searchers.get().count(entry.query)))
        except ReviewerError:  # it refers to a tag or saved search that is gone: shown without a count
            found.append((entry.name, entry.query, None))
    return Counts(browse.facets(case, within), browse.coding_counts(case, listed), found)


def _compute(searchers: Searchers, query: str, record: bool, browse_filter: browse.BrowseFilter, sort: str,
             descending: bool, inclusive_only: bool = False, order: list[int] | None = None,
             score_tag: int | None = None) -> ResultView:
    case = searchers.case
    within: set[int] | None = None
    if query:
        within = searchers.get().matching_ids(query)
    ids = browse.ordered_ids(case, within, browse_filter, sort, descending, score_tag)
    if inclusive_only:
        hidden = groups.hidden_when_inclusive_only(case)
        ids = [doc_id for doc_id in ids if doc_id not in hidden]
    if order is not None:
        listed = set(ids)
        ids = [doc_id for doc_id in order if doc_id in listed]
    recorded = [entry.query for entry in saved.history(case)]
    # The write lane records this query after the fact; the history shown has it already.
    history = list(dict.fromkeys([query, *recorded] if record and query else recorded))
    return ResultView(query, ids, within, history)


class ResultState(QObject):
    changed = Signal(object)  # ResultView: a new id list
    countsChanged = Signal(object)  # Counts: of the list last shown (after it is shown, after coding)
    searchFailed = Signal(str)  # the query cannot be read: one sentence for the search pane

    def __init__(self, searchers: Searchers, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._searchers = searchers
        self._tasks = tasks
        self.query = ""
        self.browse = browse.BrowseFilter()
        self.sort = "control"
        self.descending = False
        self.order: list[int] | None = None  # the query's own order, when it has one
        self.inclusive_only = False  # hide emails another email of their thread contains
        self.score_tag: int | None = None  # the prioritized review whose scores the list shows and sorts by
        self._within: set[int] | None = None
        self._ids: list[int] = []
        self._generation = 0

    def set_query(self, query: str, order: list[int] | None = None) -> None:
        """Search for `query`; its matches are listed in `order` when given (those it leaves out are not
        listed), else in the current sort."""
        self.query = query.strip()
        self.order = order
        self._recompute(record=True)

    def set_browse(self, browse_filter: browse.BrowseFilter) -> None:
        self.browse = browse_filter
        self._recompute()

    def set_sort(self, key: str, descending: bool) -> None:
        self.sort, self.descending = key, descending
        self.order = None
        self._recompute()

    def set_inclusive_only(self, on: bool) -> None:
        self.inclusive_only = on
        self._recompute()

    def refresh(self) -> None:
        """Work the list out again (documents were added)."""
        self._recompute()

    def refresh_counts(self) -> None:
        generation = self._generation
        self._tasks.run(partial(_counts, self._searchers, self._within, self._ids),
                        partial(self._counts_ready, generation))

    def _recompute(self, record: bool = False) -> None:
        self._generation += 1
        self._tasks.run(
            partial(_compute, self._searchers, self.query, record, self.browse, self.sort, self.descending,
                    self.inclusive_only, self.order, self.score_tag),
            partial(self._ready, self._generation, record), partial(self._failed, self._generation))

    def _ready(self, generation: int, record: bool, view: ResultView) -> None:
        if record and view.within is not None:  # every search run is history, even one overtaken since
            self._tasks.run(partial(saved.remember, self._searchers.case, view.query, len(view.within)),
                            lane=Lane.WRITE)
        if generation != self._generation:
            return
        self._ids, self._within = view.ids, view.within
        self.changed.emit(view)
        self.refresh_counts()

    def _counts_ready(self, generation: int, counts: Counts) -> None:
        if generation == self._generation:
            self.countsChanged.emit(counts)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(error, ReviewerError):
            self.searchFailed.emit(str(error))
        else:
            raise error
