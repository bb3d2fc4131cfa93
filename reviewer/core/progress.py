"""How long work reports progress and learns it should stop, without knowing who is watching.

The CLI turns progress into a rich progress bar, the UI into a progress dialog; tests pass a list.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from reviewer.core.errors import CancelledError


@dataclass
class ProgressUpdate:
    """A snapshot of long work: `done` of `total` units (total None while still counting)."""

    stage: str
    done: int = 0
    total: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""


class Progress(Protocol):
    def __call__(self, update: ProgressUpdate, /) -> None: ...


def no_progress(update: ProgressUpdate) -> None:
    """A progress sink for callers that do not watch."""


class CancelToken:
    """Set from any thread (Ctrl-C handler, UI button); checked by the worker between units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise CancelledError("Stopped at your request; run the same command again to resume.")
