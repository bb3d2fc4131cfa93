"""What a full-text engine must answer for the review query language, and nothing more.

The service hands a backend only text subtrees of a query (words, phrases, w/N, and AND/OR/NOT between
them); dates, tags, custodians and the rest are answered from SQLite. Documents are named by their
database id. Every backend must pass the same correctness suite (tests/integration/test_search.py),
so another engine can be added for very large cases without touching the query language or the UI.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from reviewer.core.search.query import Node


class SearchBackend(Protocol):
    name: str

    def matching(self, node: Node) -> set[int]:
        """Exactly the documents that match a text-only query."""
        ...

    def ranked(self, node: Node, within: Collection[int], limit: int | None) -> list[tuple[int, float]]:
        """The best `limit` (all when None) of `within` by relevance to a text-only query, best first.
        Documents of `within` that the query does not score are left out."""
        ...

    def hit_count(self, node: Node, within: Collection[int]) -> int:
        """How many hits the positive text parts of a query have in `within`, counted as the viewer shows
        them: each stretch of matched words once (see spans.hit_stretches)."""
        ...

    def version(self) -> dict[str, object]:
        """What identifies the state of the index, for reports that must be reproducible."""
        ...

    def close(self) -> None: ...
