"""Running the analytics: `refresh` after every ingest and import (new documents only), `analyze` when the
user asks (`reviewer analyze`: everything again, with a threshold and whether emails count as
near-duplicates). Both read what is new from the texts, then thread the case's messages and place its
documents in near-duplicate groups, with progress and a cancel token; results are written in short write
transactions at the end, so coding never waits on the computation. A stopped run keeps the texts it read;
the next run (or the next ingest) finishes the rest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import exists, insert, select

from reviewer.core.analytics import fingerprints, neardups, threads
from reviewer.core.analytics.neardups import DEFAULT_THRESHOLD, MIN_THRESHOLD
from reviewer.core.audit import Action, record_job
from reviewer.core.case import Case, now
from reviewer.core.errors import CancelledError, ReviewerError
from reviewer.core.models import AnalysisRun, Document, EmailThread, NearDuplicate, TextFingerprint
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.team.access import require_role

ANALYZE, UPDATE = "analyze", "update"


@dataclass(frozen=True)
class AnalysisSettings:
    threshold: int = DEFAULT_THRESHOLD
    include_emails: bool = False


@dataclass(frozen=True)
class AnalysisSummary:
    settings: AnalysisSettings
    read: int  # texts read by this run
    emails: int
    threads: int
    inclusive: int
    near_dup_groups: int
    near_dup_documents: int  # documents in a near-duplicate group, principals included
    compared: int  # documents the near-duplicate analysis covers
    seconds: float


def current_settings(case: Case) -> AnalysisSettings:
    """The settings of the newest run: what incremental runs keep using until `analyze` changes them."""
    with case.db.reader() as session:
        run = session.scalar(
            select(AnalysisRun)
            .where(AnalysisRun.finished.is_not(None))
            .order_by(AnalysisRun.id.desc())
            .limit(1)
        )
    return AnalysisSettings(run.threshold, run.include_emails) if run else AnalysisSettings()


def check_threshold(threshold: int) -> int:
    if not MIN_THRESHOLD <= threshold <= 100:
        raise ReviewerError(
            f"The near-duplicate threshold is a similarity in percent, from {MIN_THRESHOLD} "
            f"to 100 (you gave {threshold})."
        )
    return threshold


def analyze(
    case: Case,
    threshold: int | None = None,
    include_emails: bool | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    jobs: int | None = None,
) -> AnalysisSummary:
    """Thread every message and group every document again (group and thread ids are kept where the
    groups are the same). The run goes on the case's trail as a long job. CancelledError when stopped."""
    require_role(case, "admin", "run the analytics")
    cancel = cancel or CancelToken()
    previous = current_settings(case)
    settings = AnalysisSettings(
        check_threshold(previous.threshold if threshold is None else threshold),
        previous.include_emails if include_emails is None else include_emails,
    )
    with case.writing():
        return _run(case, settings, True, progress, cancel, jobs)


def refresh(
    case: Case, progress: Progress = no_progress, cancel: CancelToken | None = None, jobs: int | None = None
) -> bool:
    """After an ingest or import: read the new documents and place them in threads and groups, with the
    settings of the last analysis. False when stopped (the next run finishes it)."""
    cancel = cancel or CancelToken()
    try:
        with case.writing():
            if not _pending(case, current_settings(case)):
                return True
            _run(case, current_settings(case), False, progress, cancel, jobs)
    except CancelledError:
        return False
    return True


def _pending(case: Case, settings: AnalysisSettings) -> bool:
    eligible = fingerprints.eligible_for_near_dups(settings.include_emails)
    with case.db.reader() as session:
        if fingerprints.pending_jobs(session, settings.include_emails):
            return True
        unthreaded = exists().where(
            TextFingerprint.message.is_(True),
            ~exists().where(EmailThread.document_id == TextFingerprint.document_id),
        )
        unplaced = exists().where(
            TextFingerprint.document_id == Document.id,
            TextFingerprint.words > 0,
            eligible,
            ~exists().where(NearDuplicate.document_id == Document.id),
        )
        orphans = exists().where(
            Document.family_id.in_(select(EmailThread.document_id)),
            ~exists().where(EmailThread.document_id == Document.id),
        )
        return (
            bool(session.scalar(select(unthreaded)))
            or bool(session.scalar(select(unplaced)))
            or bool(session.scalar(select(orphans)))
        )


def _run(
    case: Case,
    settings: AnalysisSettings,
    full: bool,
    progress: Progress,
    cancel: CancelToken,
    jobs: int | None,
) -> AnalysisSummary:
    started, at = time.monotonic(), now()
    read = fingerprints.read_pending(case, settings.include_emails, progress, cancel, jobs)
    progress(ProgressUpdate("threads", message="Threading emails…"))
    with case.db.reader() as session:
        thread_plan = threads.plan(session)
    cancel.raise_if_cancelled()
    with case.db.reader() as session:
        near_plan = neardups.plan(
            case, session, settings.threshold, settings.include_emails, full, progress, cancel
        )
    cancel.raise_if_cancelled()
    progress(ProgressUpdate("saving", message="Saving threads and near-duplicate groups…"))
    with case.db.session() as session:
        threads.store(session, thread_plan)
        neardups.store(session, near_plan)
        counted = threads.summary(session)
        result = AnalysisSummary(
            settings,
            read,
            counted.emails,
            counted.threads,
            counted.inclusive,
            near_plan.summary.groups,
            near_plan.summary.grouped,
            near_plan.summary.documents,
            time.monotonic() - started,
        )
        session.execute(
            insert(AnalysisRun).values(
                kind=ANALYZE if full else UPDATE,
                started=at,
                finished=now(),
                user=case.user,
                threshold=settings.threshold,
                include_emails=settings.include_emails,
                documents=near_plan.summary.pending,
            )
        )
        if full:
            record_job(session, Action.ANALYZE, describe(result), subject="threads and near-duplicates")
    return result


def describe(result: AnalysisSummary) -> str:
    emails = "including emails" if result.settings.include_emails else "emails left out"
    return (
        f"analysis: {result.emails:,} emails in {result.threads:,} threads ({result.inclusive:,} "
        f"inclusive); {result.near_dup_groups:,} near-duplicate groups of {result.near_dup_documents:,} "
        f"documents at {result.settings.threshold} % ({emails})"
    )
