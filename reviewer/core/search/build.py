"""Building an index from the database in parallel: worker processes each read a slice of the documents'
text, analyse it and write it as a segment of their own; the calling process hands out the slices in
id order and collects the segments, then the workers merge them, a group each at the same time, into as
many segments as there are workers (at most index.MAX_SEGMENTS), which the writer publishes in one commit
(segments.LeanWriter).

The workers read the database through the caller only (rows are sent to them), so this works whatever
the database is; they write nothing but segment files no table of contents names yet.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from whoosh.codec.whoosh3 import W3Segment
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage

from reviewer.core.models import Document
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate
from reviewer.core.search.fields import PAIRS_FIELD, analyze_document
from reviewer.core.search.index import MAX_SEGMENTS
from reviewer.core.search.lean import DOC_IDS
from reviewer.core.search.segments import LeanWriter, merge_segments, remove_files, write_segment
from reviewer.core.store import TextStore
from reviewer.core.worker_processes import watch_parent

# Documents per segment a worker writes: large enough that merging them is cheap, small enough that a
# worker's memory stays well under 100 MB.
SLICE = 5_000
# How often a parallel merge looks at the cancel token.
CANCEL_POLL_SECONDS = 0.25
METADATA = (Document.id, Document.control, Document.email_from, Document.email_to, Document.email_cc,
            Document.email_bcc, Document.subject, Document.author, Document.title, Document.file_name)


@dataclass(frozen=True)
class _Row:
    """What analysing a document needs besides its text (fields.Searchable)."""

    id: int
    control: str
    email_from: str
    email_to: str
    email_cc: str
    email_bcc: str
    subject: str
    author: str
    title: str
    file_name: str


def build_segments(case: Any, writer: LeanWriter, ids: Sequence[int], progress: Progress, stage: str,
                   cancel: CancelToken | None, jobs: int | None = None) -> int:
    """Add the documents `ids` to `writer` as segments written and then merged by worker processes, one
    segment per worker (commit them with `merge_written=False`); documents added."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    done = 0
    progress(ProgressUpdate(stage, 0, len(ids)))
    context = multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=watch_parent,
                             initargs=(os.getpid(),)) as pool:
        running: deque[Future[tuple[W3Segment, np.ndarray]]] = deque()
        try:
            for rows in _slices(case, ids):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                running.append(pool.submit(_write_slice, str(writer.storage.folder), writer.indexname,
                                           writer.schema, str(case.texts.root), rows))
                while len(running) > jobs:
                    done += _collect(writer, running.popleft())
                    progress(ProgressUpdate(stage, done, len(ids)))
            while running:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                done += _collect(writer, running.popleft())
                progress(ProgressUpdate(stage, done, len(ids)))
            progress(ProgressUpdate(stage, done, len(ids), message="Writing the index…"))
            _merge_written(pool, writer, min(jobs, MAX_SEGMENTS), cancel)
        except BaseException:
            for future in running:
                future.cancel()
            for future in running:
                if not future.cancelled() and future.exception() is None:
                    writer.add_segment(*future.result())  # so that cancelling the writer removes it
            raise
    return done


def _collect(writer: LeanWriter, future: Future[tuple[W3Segment, np.ndarray]]) -> int:
    segment, doc_ids = future.result()
    writer.add_segment(segment, doc_ids)
    return len(doc_ids)


def _merge_written(pool: ProcessPoolExecutor, writer: LeanWriter, groups: int,
                   cancel: CancelToken | None) -> None:
    """Merge the writer's segments, in id order, into `groups` segments, the groups at the same time."""
    if cancel is not None:
        cancel.raise_if_cancelled()
    written = list(writer.written)
    size = max(1, -(-len(written) // groups))
    parts = [written[start:start + size] for start in range(0, len(written), size)]
    pending = {pool.submit(_merge_group, str(writer.storage.folder), writer.indexname, writer.schema, group):
               group for group in parts if len(group) > 1}
    try:
        while pending:
            finished, _running = wait(pending, CANCEL_POLL_SECONDS, FIRST_COMPLETED)
            for future in finished:
                writer.replace_written(pending.pop(future), future.result())
            if cancel is not None:
                cancel.raise_if_cancelled()
    except BaseException:
        for future in pending:
            future.cancel()
        for future in pending:
            if not future.cancelled() and future.exception() is None:
                remove_files(writer.storage, [future.result()])
        raise


def _slices(case: Any, ids: Sequence[int]) -> Iterator[list[_Row]]:
    for start in range(0, len(ids), SLICE):
        wanted = ids[start:start + SLICE]
        with case.db.reader() as session:
            rows = session.execute(select(*METADATA).where(Document.id.in_(wanted)).order_by(Document.id))
            yield [_Row(*row) for row in rows]


def _write_slice(folder: str, indexname: str, schema: Schema, text_root: str,
                 rows: list[_Row]) -> tuple[W3Segment, np.ndarray]:
    """In a worker: read, analyse and write one slice of documents as a segment."""
    texts = TextStore(Path(text_root))
    common = schema[PAIRS_FIELD].common
    documents = ((row.id, analyze_document(row, texts.read(row.control, row.id), common)) for row in rows)
    segment = write_segment(FileStorage(folder), indexname, schema, documents)
    return segment, np.asarray([row.id for row in rows], DOC_IDS)


def _merge_group(folder: str, indexname: str, schema: Schema, segments: list[W3Segment]) -> W3Segment:
    """In a worker: merge some of the segments the workers wrote into one (not yet published)."""
    return merge_segments(FileStorage(folder), indexname, schema, segments)
