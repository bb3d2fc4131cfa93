"""Makes ingest workers send every container member in a chunk of its own, so that a test can stop or
kill a run inside a small mailbox (a PST of seven items). Imported through REVIEWER_READER_MODULES."""

from __future__ import annotations

from reviewer.core.ingest import worker

worker.CHUNK_ITEMS = 1
