"""Index files a commit no longer needs are deleted only once no reader can still be using them.

Whoosh deletes the files of merged-away segments and the old tables of contents as soon as a commit
publishes a new generation. A reader that read the previous table of contents a moment earlier — another
window, or on a shared case another machine reading the index through the shared folder — is then opening
files that are gone; on a network share even files it already has open can vanish under it. So the
writer (segments.LeanWriter) deletes nothing at once: each file the new generation does not use is noted,
with the time, in `reviewer-retired.json` in the index folder, and deleted by a later commit once it has
been unused for
RETIRE_SECONDS. That is far longer than a reader takes from a generation's table of contents to its files,
and every search first moves its reader to the newest generation (whoosh_backend.py). A full rebuild
replaces the whole folder and retires the old one the same way (repair.py).

What a reader sees is always complete: Whoosh writes a generation's segment files first and publishes it
by renaming its table of contents into place, so a reader finds the previous generation or the new one.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

RETIRE_SECONDS = 600.0
LEDGER = "reviewer-retired.json"


def unused_files(directory: Path, indexname: str, generation: int, segments: list[Any]) -> set[str]:
    """Files of the index that the given generation does not use: older tables of contents and the
    files of segments it no longer lists (Whoosh's own rule for what a commit may delete)."""
    current = {segment.segment_id() for segment in segments}
    tables = whoosh_index.TOC._pattern(indexname)
    segment_files = whoosh_index.TOC._segment_pattern(indexname)
    unused = set()
    for name in os.listdir(directory):
        if name.startswith("."):
            continue
        table, segment = tables.match(name), segment_files.match(name)
        if (table and int(table.group(1)) != generation) or (segment and segment.group(1) not in current):
            unused.add(name)
    return unused


def retire_unused(directory: Path, indexname: str, generation: int, segments: list[Any],
                  now: float | None = None) -> None:
    """Note the files `generation` does not use, and delete those unused for RETIRE_SECONDS. Runs under
    Whoosh's write lock, so one writer at a time keeps the ledger."""
    now = time.time() if now is None else now
    ledger_path = directory / LEDGER
    try:
        ledger = {str(k): float(v) for k, v in json.loads(ledger_path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        ledger = {}  # none yet, or unreadable: start again (the files are simply kept a while longer)
    unused = unused_files(directory, indexname, generation, segments)
    kept: dict[str, float] = {}
    for name in unused:
        since = ledger.get(name, now)
        if now - since < RETIRE_SECONDS:
            kept[name] = since
            continue
        try:
            (directory / name).unlink()
        except FileNotFoundError:
            pass
        except OSError:  # still open on Windows: try again at the next commit
            kept[name] = since
    temporary = directory / f".{LEDGER}.{os.getpid()}"
    temporary.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8")
    os.replace(temporary, ledger_path)
