"""Search services for the worker threads: a SearchService holds one index searcher and must be used by one
thread at a time, so each worker thread gets its own, opened on first use and closed with the window.

Each service works on a Case object of its own: opening a service may bring the index up to date under
the case's writer lock, and that lock belongs to a Case object, so sharing the window's (which an ingest
may hold) would let the two writers through together."""

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
            service = SearchService.open(Case.open(self.case.root))
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
