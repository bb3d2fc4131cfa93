"""Keeping the search index fit to search: the check, the explicit repair run when a case is opened, and
the full rebuild, written beside the live index and swapped in.

Folders in the case: `index/` is the live index; `index.new/` a rebuild in progress (complete once its
version record is written, index.TextIndex.seal); `index.old/` the previous index for the instant between
the two renames of a swap. A rebuild never touches `index/` until the swap, so readers keep searching the
old index meanwhile, and a kill at any moment leaves it usable; the next repair removes the leftovers
(or finishes a swap that was interrupted between its two renames). The index a swap replaced is kept as
`index.retired-TIME/` for readers still on it (other windows; on a shared case, other machines) and
removed by a repair once retiring.RETIRE_SECONDS have passed.

Only one repair runs at a time: it holds the case's index lock (Case.index_lock: `index.lock` in a case
folder, an advisory lock on a shared case), and a second one, in another thread
or process, waits for it and then finds the index sound. Writing the index also needs the case's writer
lock, so a repair never runs beside an ingest; when an ingest holds it, documents it is adding are left
to it, and an index that cannot be searched at all is reported as such (CaseLockedError).

The check reads the database in one statement (one snapshot) and the index through one searcher (one
generation). Documents are never deleted and ids only grow, so an index entry with an id above the
snapshot's highest is a document recorded since, not an orphan.
"""

from __future__ import annotations

import shutil
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Integer, cast, select, update

from reviewer.core.case import Case
from reviewer.core.db import selected_ids
from reviewer.core.errors import CaseLockedError, ReviewerError
from reviewer.core.models import Document
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.search.build import build_segments
from reviewer.core.search.index import (
    SearchIndexError,
    TextIndex,
    common_words,
    index_pending,
    mark_indexed,
)
from reviewer.core.search.retiring import RETIRE_SECONDS

MISSING = "is missing"


@dataclass(frozen=True)
class IndexState:
    """What the check found. `unusable` completes "The search index …" when it cannot be searched."""

    documents: int
    unusable: str | None = None
    orphans: int = 0  # index entries for documents the database does not have
    lost: frozenset[int] = frozenset()  # flagged as indexed, yet not in the index
    pending: int = 0  # not indexed yet

    @property
    def needs_rebuild(self) -> bool:
        # An empty case needs no index; repair creates one quietly.
        return bool(self.orphans) or (self.unusable is not None
                                      and not (self.unusable == MISSING and self.documents == 0))

    @property
    def sound(self) -> bool:
        return not self.needs_rebuild and not self.lost and not self.pending and self.unusable is None

    def problems(self) -> list[str]:
        """One sentence per problem, for `reviewer check`."""
        fix = "(run `reviewer reindex`)"
        if self.needs_rebuild and self.unusable is not None:
            return [f"The search index {self.unusable} {fix}."]
        problems = []
        if self.orphans:
            problems.append(f"{self.orphans:,} index entries have no document {fix}.")
        if self.lost:
            problems.append(f"{len(self.lost):,} documents are missing from the search index {fix}.")
        if self.pending:
            problems.append(f"{self.pending:,} documents are not in the search index yet {fix}.")
        return problems


@dataclass(frozen=True)
class Repair:
    """What a repair did; `message` is the sentence to show the user (None when nothing was wrong)."""

    found: tuple[str, ...] = ()  # what was wrong, each completing "The search index was repaired: …"
    rebuilt: int | None = None  # documents written by a full rebuild
    added: int = 0  # documents added to the existing index

    @property
    def message(self) -> str | None:
        return f"The search index was repaired: {'; '.join(self.found)}." if self.found else None


def inspect(case: Case) -> IndexState:
    """Check the live index against the database, each read as one snapshot."""
    with case.db.reader() as session:
        # One statement (one snapshot), each row one number, id * 2 + indexed: a million documents are
        # read in well under a second, where a row object per document took seconds.
        coded = np.asarray(selected_ids(session, select(Document.id * 2 + cast(Document.indexed, Integer))),
                           np.int64)
    ids = coded >> 1
    known = np.sort(ids)
    flagged = ids[(coded & 1) == 1]
    newest = int(known[-1]) if len(known) else 0
    try:
        in_index = TextIndex(case.index_dir).doc_ids()  # one searcher: one generation
    except SearchIndexError as error:
        return IndexState(len(known), unusable=error.reason)
    except Exception as error:  # reading a segment failed: its files are damaged
        return IndexState(len(known), unusable=f"is damaged ({type(error).__name__}: {error})")
    recorded_before = in_index[in_index <= newest]
    orphans = int(np.count_nonzero(~np.isin(recorded_before, known, assume_unique=True)))
    lost = np.setdiff1d(flagged, in_index, assume_unique=True)
    return IndexState(len(known), orphans=orphans, lost=frozenset(lost.tolist()),
                      pending=len(known) - len(flagged))


def problems(case: Case) -> list[str]:
    """The index's problems as `reviewer check` reports them (none for a sound or empty case)."""
    return inspect(case).problems()


def repair(case: Case, progress: Progress = no_progress, cancel: CancelToken | None = None,
           rebuild: bool = False) -> Repair:
    """Bring the index up to date before searching: clean up after an interrupted rebuild, rebuild a
    damaged or outdated one, add what is missing. With `rebuild`, rebuild it whatever its state (`reviewer
    reindex`). Waits for a repair running elsewhere; raises CaseLockedError when the index cannot be
    searched and an ingest holds the case."""
    def waiting() -> None:
        progress(ProgressUpdate("index", message="Waiting for another Reviewer window or command to "
                                                 "finish repairing the search index…"))

    with case.index_lock(cancel, waiting):
        found = ["an interrupted rebuild was cleaned up"] if _clean_up(case) else []
        state = inspect(case)
        if state.sound and not rebuild:
            return Repair(tuple(found))
        with ExitStack() as writing:
            try:
                writing.enter_context(case.writing())
            except CaseLockedError:
                if not rebuild and not state.needs_rebuild:
                    return Repair(tuple(found))  # the ingest holding the lock indexes its documents itself
                why = "" if state.unusable is None else f"{state.unusable} and "
                raise CaseLockedError(f"The search index {why}must be rebuilt, but another Reviewer window "
                                      "or command is changing the case; try again when it has finished."
                                      ) from None
            return _repair_locked(case, found, progress, cancel, rebuild)


def _repair_locked(case: Case, found: list[str], progress: Progress, cancel: CancelToken | None,
                   rebuild: bool) -> Repair:
    state = inspect(case)  # again: nothing else writes now, so this is what to act on
    if rebuild or state.needs_rebuild:
        if state.orphans:
            found.append(f"it held {state.orphans:,} entries for documents the database does not have, "
                         "so it was rebuilt from the database")
        elif state.needs_rebuild:
            found.append(f"it {state.unusable}, so it was rebuilt from the database")
        return Repair(tuple(found), rebuilt=_rebuild(case, progress, cancel))
    if state.unusable == MISSING:  # a case without documents: an empty index, nothing to report
        index = TextIndex(case.index_dir)
        index.create_empty()
        index.seal()
        return Repair(tuple(found))
    if state.lost:
        with case.db.session() as session:
            ids = sorted(state.lost)
            for start in range(0, len(ids), 10_000):
                chunk = ids[start:start + 10_000]
                session.execute(update(Document).where(Document.id.in_(chunk)).values(indexed=False))
    added = index_pending(case, progress, cancel)
    if added:
        found.append(f"{added:,} documents were missing from it and were added")
    return Repair(tuple(found), added=added)


def rebuild(case: Case, progress: Progress = no_progress, cancel: CancelToken | None = None) -> int:
    """Rebuild the index from the database (beside the live one, then swapped in); documents indexed."""
    done = repair(case, progress, cancel, rebuild=True).rebuilt
    assert done is not None
    return done


def _rebuild(case: Case, progress: Progress, cancel: CancelToken | None) -> int:
    """Build the whole index in index.new/ (in parallel, build.py) and swap it in."""
    building = TextIndex(_beside(case, "new"))
    building.create_empty(common_words(case))
    with case.db.reader() as session:
        ids = selected_ids(session, select(Document.id).order_by(Document.id))
    try:
        with building.writing(merge_written=False) as writer:  # the workers merged what they wrote
            done = build_segments(case, writer, ids, progress, "reindex", cancel)
    except BaseException:
        shutil.rmtree(building.directory, ignore_errors=True)  # stopped or failed: the live index stays
        raise
    building.seal()
    _swap_in(case)
    mark_indexed(case, ids)
    return done


def _beside(case: Case, suffix: str) -> Path:
    return case.index_dir.with_name(f"{case.index_dir.name}.{suffix}")


def _swap_in(case: Case) -> None:
    """index.new/ becomes index/: two renames while readers wait, then the old index goes."""
    live, new, old = case.index_dir, _beside(case, "new"), _beside(case, "old")
    with TextIndex(live).steady():
        try:
            if live.exists():
                live.rename(old)
        except OSError as error:  # Windows: another process has the live index open
            shutil.rmtree(new, ignore_errors=True)
            raise ReviewerError(f"The rebuilt search index could not replace the old one ({error.strerror}); "
                                "close the other Reviewer windows on this case and run `reviewer reindex` "
                                "again.") from None
        new.rename(live)
    try:
        old.rename(_beside(case, f"retired-{time.time():.0f}"))
    except OSError:  # nowhere to keep it: readers on it reopen the new index at their next search
        shutil.rmtree(old, ignore_errors=True)


def _clean_up(case: Case) -> bool:
    """Remove what an interrupted rebuild left; finish a swap a kill cut between its two renames.
    Whether there was anything to clean (an index retired by a finished swap does not count)."""
    _remove_retired(case)
    live, new, old = case.index_dir, _beside(case, "new"), _beside(case, "old")
    if not new.exists() and not old.exists():
        return False
    with TextIndex(live).steady():
        if not live.exists():
            complete = _is_complete(new)
            if complete or old.exists():
                (new if complete else old).rename(live)
    shutil.rmtree(new, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return True


def _remove_retired(case: Case) -> None:
    """Remove the indexes swaps replaced once no reader can still be on them."""
    for retired in case.index_dir.parent.glob(f"{case.index_dir.name}.retired-*"):
        stamp = retired.name.rpartition("-")[2]
        if not stamp.isdigit() or time.time() - int(stamp) >= RETIRE_SECONDS:
            shutil.rmtree(retired, ignore_errors=True)


def _is_complete(directory: Path) -> bool:
    try:
        TextIndex(directory).build_id()
    except SearchIndexError:
        return False
    return True
