"""Search services for the worker threads: a SearchService holds one index searcher and must be used by one
thread at a time, so each worker thread gets its own, opened on first use and closed with the window.

A service never repairs the index (that runs once, when the window opens the case: dialogs/index_repair.py);
an index that cannot be searched raises SearchIndexError, which the panes show. Each service works on a
Case object of its own, so that no thread's work depends on another's."""

from __future__ import annotations

import threading

from reviewer.core.case import Case
from reviewer.core.search.service import SearchService


class Searchers:
    def __init__(self, case: Case) -> None:
        self.case = case
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[SearchService] = []

    def get(self) -> SearchService:
        """This thread's service (its searcher follows index changes by itself)."""
        service: SearchService | None = getattr(self._local, "service", None)
        if service is None:
            case = Case.open(self.case.location)
            try:
                service = SearchService.open_ready(case)
            except BaseException:
                case.close()
                raise
            self._local.service = service
            with self._lock:
                self._opened.append(service)
        return service

    def close(self) -> None:
        """Close every service and its case; only once the worker threads have stopped."""
        with self._lock:
            for service in self._opened:
                service.close()
                service.case.close()
            self._opened.clear()
