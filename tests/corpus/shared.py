"""The whole public corpus ingested once per test session, as a reviewer would load it: the Enron maildir
with a custodian per mailbox folder, every other part under a custodian named after it."""

from __future__ import annotations

from pathlib import Path

from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest

# Ingested in this order; Enron maildir takes its custodian from the first folder (allen-p, …).
PARTS = ["enron/maildir", "enron/mbox", "pdf", "misc", "court"]


def ingest_corpus(case: Case, corpus: Path, jobs: int = 2) -> None:
    ingest(case, [corpus / "enron" / "maildir"], IngestOptions(custodian_from_folder=True, jobs=jobs))
    for part in PARTS[1:]:
        ingest(case, [corpus / part], IngestOptions(custodian=part.split("/")[0], jobs=jobs))
