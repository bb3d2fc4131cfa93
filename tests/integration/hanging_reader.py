"""A text reader that never returns for files named hangs*.txt and takes its process down for files
named crashes*.txt, for the tests of the per-file time limit and of crashing readers.

Ingest workers import it when REVIEWER_READER_MODULES names it (set only by those tests)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from reviewer.core.ingest import formats
from reviewer.core.ingest.extracted import ExtractContext, Extraction

_read_text = formats.EXTRACTORS["text"]


def _hang_on_request(path: Path, context: ExtractContext) -> Extraction:
    if context.file_name.startswith("hangs"):
        while True:
            time.sleep(60)
    if context.file_name.startswith("crashes"):
        os.kill(os.getpid(), signal.SIGKILL)  # as a native reader's segmentation fault would
    return _read_text(path, context)


formats.EXTRACTORS["text"] = _hang_on_request
