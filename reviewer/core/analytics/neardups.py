"""Near-duplicate groups: documents whose text is nearly the same, each group led by its largest document
(the principal), every member at least `threshold` % similar to it (similarity.py says what that means).

Candidates come from MinHash LSH: each document's signature (fingerprints.py, datasketch MinHash over word
3-shingles) is cut into bands; documents that agree on a whole band are candidates. The band size is chosen
per threshold so that a pair exactly at the threshold whose changes are scattered one word in every few
(the hardest case for shingles) is still a candidate with probability 0.999. Every candidate is then
verified exactly, so a group never holds a document below the threshold. The banding runs as numpy sorts
over the whole signature matrix; datasketch's own dictionary index took 1.5 GB and 27 s for 100,000
documents, this takes a fraction of both.

Grouping is greedy by size, as reviewers know it from the paid platforms: the largest document not yet
placed becomes a principal and takes every unplaced candidate that is similar enough. Runs after an ingest
place only the new documents: a new document joins the group of a similar principal at least its size; one
larger than a similar principal takes over that group (re-pivot: the id stays, members are measured again
against it and any that fall below the threshold are placed anew); otherwise it starts a group with similar
unplaced documents, led by the largest of them. Empty and numbers-only documents never group.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from reviewer.core.analytics.fingerprints import NUM_PERM, SHINGLE, eligible_for_near_dups
from reviewer.core.analytics.similarity import document_words, similarity
from reviewer.core.case import Case
from reviewer.core.models import Document, NearDuplicate, TextFingerprint
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate

DEFAULT_THRESHOLD = 90
MIN_THRESHOLD = 50
TARGET_RECALL = 0.999
# Scattered edits break more shingles than the average; the Jaccard aimed at is this much below the mean.
JACCARD_MARGIN = 0.95
_MIX = np.uint64(0x9E3779B97F4A7C15)


def bands_for(threshold: int) -> tuple[int, int]:
    """(bands, rows per band) for a similarity threshold in percent."""
    kept = (threshold / 100) ** SHINGLE
    jaccard = JACCARD_MARGIN * kept / (2 - kept)
    for rows in range(NUM_PERM, 0, -1):
        bands = NUM_PERM // rows
        if 1 - (1 - jaccard**rows) ** bands >= TARGET_RECALL:
            return bands, rows
    return NUM_PERM, 1


class Bands:
    """The LSH index: for each band, the documents sorted by their band key, and where each one's bucket
    (its run of equal keys) starts and ends."""

    def __init__(self, signatures: np.ndarray, threshold: int) -> None:
        count = len(signatures)
        bands, rows = bands_for(threshold)
        self.order = np.empty((bands, count), dtype=np.int32)
        self.position = np.empty((bands, count), dtype=np.int32)
        self.start = np.empty((bands, count), dtype=np.int32)
        self.end = np.empty((bands, count), dtype=np.int32)
        shared = np.zeros((count, bands), dtype=bool)
        columns = signatures.astype(np.uint64)
        for band in range(bands):
            keys = columns[:, band * rows]
            for column in range(band * rows + 1, (band + 1) * rows):
                keys = keys * _MIX + columns[:, column]
            order = np.argsort(keys, kind="stable").astype(np.int32)
            ordered = keys[order]
            boundary = np.ones(count, dtype=bool)
            boundary[1:] = ordered[1:] != ordered[:-1]
            run = np.cumsum(boundary) - 1
            starts = np.flatnonzero(boundary).astype(np.int32)
            ends = np.append(starts[1:], count).astype(np.int32)
            self.order[band] = order
            self.position[band, order] = np.arange(count, dtype=np.int32)
            self.start[band, order] = starts[run]
            self.end[band, order] = ends[run]
            shared[order, band] = (ends - starts)[run] > 1
        self.shared = shared

    def candidates(self, index: int) -> np.ndarray:
        bands = np.flatnonzero(self.shared[index])
        if not len(bands):
            return np.empty(0, dtype=np.int32)
        found = np.unique(
            np.concatenate([self.order[b, self.start[b, index] : self.end[b, index]] for b in bands])
        )
        return found[found != index]


@dataclass(frozen=True)
class NearDupSummary:
    documents: int  # documents compared
    groups: int
    grouped: int  # documents in a group, principals included
    pending: int  # documents placed by this run


@dataclass
class _Group:
    id: int
    principal: int  # document id
    members: dict[int, float] = field(default_factory=dict)  # document id -> similarity 0–1, principal incl.


class _Grouping:
    def __init__(
        self,
        ids: np.ndarray,
        sizes: np.ndarray,
        bands: Bands | None,
        threshold: int,
        read_words: Callable[[int], list[str]],
        groups: dict[int, _Group],
        next_id: int,
    ) -> None:
        self.ids, self.sizes, self.bands = ids, sizes, bands
        self.index = {int(doc_id): n for n, doc_id in enumerate(ids)}
        self.share = threshold / 100
        self.read_words = read_words
        self.groups = groups
        self.group_of = {doc: group.id for group in groups.values() for doc in group.members}
        self.next_id = next_id
        self.changed: set[int] = set()  # documents whose row must be written
        self.heap: list[tuple[int, int]] = []

    def larger(self, first: int, second: int) -> bool:
        """Whether document `first` outranks `second` as a principal: more words, then the older id."""
        a, b = self.sizes[self.index[first]], self.sizes[self.index[second]]
        return bool(a > b or a == b and first < second)

    def similar(self, first: int, second: int) -> float:
        return similarity(self.read_words(first), self.read_words(second), self.share)

    def queue(self, doc_ids: Iterable[int]) -> None:
        for doc_id in doc_ids:
            heapq.heappush(self.heap, (-int(self.sizes[self.index[doc_id]]), doc_id))
            self.changed.add(doc_id)

    def run(self, progress: Progress, cancel: CancelToken) -> None:
        total, done = len(self.heap), 0
        seen: set[int] = set()
        while self.heap:
            _, doc_id = heapq.heappop(self.heap)
            done += 1
            if done % 500 == 0:
                cancel.raise_if_cancelled()
                progress(ProgressUpdate("near-duplicates", min(done, total), total))
            if doc_id in self.group_of or doc_id in seen:
                continue
            seen.add(doc_id)
            self.place(doc_id)

    def place(self, doc_id: int) -> None:
        verified: dict[int, float] = {}
        for other in self.candidates_of(doc_id):
            score = self.similar(doc_id, other)
            if score:
                verified[other] = score
        if not verified:
            return
        principals = {
            other: score
            for other, score in verified.items()
            if other in self.group_of and self.groups[self.group_of[other]].principal == other
        }
        bigger = {p: s for p, s in principals.items() if self.larger(p, doc_id)}
        if bigger:
            chosen = max(bigger, key=lambda p: (bigger[p], self.sizes[self.index[p]], -p))
            self.join(self.groups[self.group_of[chosen]], doc_id, bigger[chosen])
            return
        unplaced = {other: score for other, score in verified.items() if other not in self.group_of}
        if principals:
            chosen = max(principals, key=lambda p: (principals[p], -p))
            group = self.groups[self.group_of[chosen]]
            self.repivot(group, doc_id)
        elif not unplaced:
            return  # similar only to members of groups led by documents it is not similar enough to
        else:
            leader = max([doc_id, *unplaced], key=lambda d: (self.sizes[self.index[d]], -d))
            group = self.new_group(leader)
            if leader != doc_id:
                self.join(group, doc_id, unplaced.pop(leader))
                unplaced = {
                    other: self.similar(leader, other)
                    for other in self.candidates_of(leader)
                    if other not in self.group_of
                }
        for other, score in unplaced.items():
            if score and other not in self.group_of and self.larger(group.principal, other):
                self.join(group, other, score)

    def candidates_of(self, doc_id: int) -> list[int]:
        assert self.bands is not None
        return [int(self.ids[n]) for n in self.bands.candidates(self.index[doc_id])]

    def new_group(self, principal: int) -> _Group:
        group = _Group(self.next_id, principal, {principal: 1.0})
        self.next_id += 1
        self.groups[group.id] = group
        self.group_of[principal] = group.id
        self.changed.add(principal)
        return group

    def join(self, group: _Group, doc_id: int, score: float) -> None:
        group.members[doc_id] = score
        self.group_of[doc_id] = group.id
        self.changed.add(doc_id)

    def repivot(self, group: _Group, principal: int) -> None:
        """A larger document takes over the group: the id stays; members are measured against it anew."""
        old_members = list(group.members)
        group.principal, group.members = principal, {principal: 1.0}
        self.group_of[principal] = group.id
        self.changed.add(principal)
        released = []
        for member in old_members:
            score = self.similar(principal, member)
            self.changed.add(member)
            if score:
                group.members[member] = score
            else:
                del self.group_of[member]
                released.append(member)
        self.queue(released)


@dataclass
class NearDupPlan:
    """What a grouping run found, computed from a read session and written in a short write transaction."""

    grouping: _Grouping
    existing: dict[int, tuple[int | None, int | None, float | None]]
    known: set[int]
    full: bool
    summary: NearDupSummary


def plan(
    case: Case,
    session: Session,
    threshold: int,
    include_emails: bool,
    full: bool,
    progress: Progress,
    cancel: CancelToken,
) -> NearDupPlan:
    """Place the documents not yet placed (every document with `full`)."""
    eligible = eligible_for_near_dups(include_emails)
    rows = session.execute(
        select(TextFingerprint.document_id, TextFingerprint.words, TextFingerprint.signature)
        .join(Document, Document.id == TextFingerprint.document_id)
        .where(eligible, TextFingerprint.words > 0, TextFingerprint.signature.is_not(None))
        .order_by(TextFingerprint.document_id)
    ).all()
    existing = {
        doc_id: (group, principal, score)
        for doc_id, group, principal, score in session.execute(
            select(
                NearDuplicate.document_id,
                NearDuplicate.near_dup_group,
                NearDuplicate.principal_id,
                NearDuplicate.similarity,
            )
        )
    }
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    sizes = np.array([row[1] for row in rows], dtype=np.int64)
    known = set(ids.tolist())
    groups: dict[int, _Group] = {}
    if not full:
        for doc_id, (group_id, principal, score) in existing.items():
            if group_id is not None and principal is not None and doc_id in known and principal in known:
                group = groups.setdefault(group_id, _Group(group_id, principal))
                group.members[doc_id] = (score or 0) / 100
    pending = sorted(d for d in known if full or d not in existing)
    if not pending:
        return NearDupPlan(
            _Grouping(ids, sizes, None, threshold, _no_words, groups, 0),
            existing,
            known,
            full,
            NearDupSummary(len(known), *_counted(groups), 0),
        )
    progress(ProgressUpdate("near-duplicates", message="Finding near-duplicate candidates…"))
    packed = b"".join(row[2] or b"" for row in rows)
    signatures = np.frombuffer(packed, dtype=np.uint32).reshape(len(rows), NUM_PERM)
    bands = Bands(signatures, threshold)
    next_id = max((g for g, _, _ in existing.values() if g is not None), default=0) + 1
    texts = case.texts
    controls = dict(
        session.execute(
            select(Document.id, Document.control).where(
                Document.id.in_(select(TextFingerprint.document_id).where(TextFingerprint.words > 0))
            )
        ).all()
    )

    @lru_cache(maxsize=4096)
    def read_words(doc_id: int) -> list[str]:
        return document_words(texts.read(controls[doc_id], doc_id))

    grouping = _Grouping(ids, sizes, bands, threshold, read_words, groups, next_id)
    grouping.queue(pending)
    grouping.run(progress, cancel)
    if full:
        _keep_old_ids(grouping.groups, existing)
        grouping.changed = known
    return NearDupPlan(
        grouping, existing, known, full, NearDupSummary(len(known), *_counted(grouping.groups), len(pending))
    )


def _no_words(doc_id: int) -> list[str]:
    raise AssertionError("nothing to compare")


def _counted(groups: dict[int, _Group]) -> tuple[int, int]:
    real = [g for g in groups.values() if len(g.members) > 1]
    return len(real), sum(len(g.members) for g in real)


def _keep_old_ids(
    groups: dict[int, _Group], existing: dict[int, tuple[int | None, int | None, float | None]]
) -> None:
    """After a full run, each group takes the old id its principal had, else the one most members had."""
    new_ids: dict[int, int] = {}
    taken: set[int] = set()
    fresh = max((g for g, _, _ in existing.values() if g is not None), default=0) + 1
    for group in sorted(groups.values(), key=lambda g: -len(g.members)):
        votes: dict[int, int] = {}
        for member in group.members:
            old = existing.get(member, (None, None, None))[0]
            if old is not None:
                votes[old] = votes.get(old, 0) + (len(group.members) if member == group.principal else 1)
        choice = next(
            (g for g, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])) if g not in taken), None
        )
        if choice is None:
            choice, fresh = fresh, fresh + 1
        taken.add(choice)
        new_ids[group.id] = choice
    renumbered = {new_ids[g.id]: _Group(new_ids[g.id], g.principal, g.members) for g in groups.values()}
    groups.clear()
    groups.update(renumbered)


def store(session: Session, found: NearDupPlan) -> None:
    """Write what a plan changed (in a write transaction)."""
    grouping, existing, known = found.grouping, found.existing, found.known
    if found.full:
        gone = [doc_id for doc_id in existing if doc_id not in known]
        if gone:
            session.execute(delete(NearDuplicate).where(NearDuplicate.document_id.in_(gone)))
    placed: dict[int, tuple[int | None, int | None, float | None]] = {}
    for group in grouping.groups.values():
        alone = len(group.members) < 2
        for member, score in group.members.items():
            placed[member] = (
                (None, None, None) if alone else (group.id, group.principal, round(100 * score, 4))
            )
    fresh, changed = [], []
    for doc_id in grouping.changed:
        value = placed.get(doc_id, (None, None, None))
        row = {
            "document_id": doc_id,
            "near_dup_group": value[0],
            "principal_id": value[1],
            "similarity": value[2],
        }
        if doc_id not in existing:
            fresh.append(row)
        elif existing[doc_id] != value:
            changed.append(row)
    if fresh:
        session.execute(insert(NearDuplicate), fresh)
    if changed:
        session.execute(update(NearDuplicate), changed)


def summary(session: Session) -> tuple[int, int]:
    """(groups, documents in groups) as stored."""
    groups = session.scalar(select(func.count(func.distinct(NearDuplicate.near_dup_group)))) or 0
    grouped = session.scalar(select(func.count()).where(NearDuplicate.near_dup_group.is_not(None))) or 0
    return groups, grouped
