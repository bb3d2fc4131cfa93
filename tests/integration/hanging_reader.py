"""A text reader that never returns for files named hangs*.txt, for the per-file time limit test.

Ingest workers import it when REVIEWER_READER_MODULES names it (set only by that test)."""

from __future__ import annotations

import time
from pathlib import Path

from reviewer.core.ingest import formats
from reviewer.core.ingest.extracted import ExtractContext, Extraction

_read_text = formats.EXTRACTORS["text"]


def _hang_on_request(path: Path, context: ExtractContext) -> Extraction:
    if context.file_name.startswith("hangs"):
        while True:
            time.sleep(60)
    return _read_text(path, context)


formats.EXTRACTORS["text"] = _hang_on_request
