"""The search term report: the numbers parties exchange when they negotiate search terms.

For each query in a list: documents with hits, the same including their families, unique hits (documents
hit by this query and by no other query in the list), the hit count, and how long it took. Every count is
the size of an exact set (service.py), so the same case and index give the same report; the report says
which case, which index state and when.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from reviewer.core.case import now
from reviewer.core.errors import ReviewerError
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.search.query import Node, QuerySyntaxError
from reviewer.core.search.service import SearchService

COLUMNS = ["line", "query", "documents", "with_families", "unique", "hits", "elapsed_ms"]
# A CSV travels alone, so each of its rows also says which case, which index state and when.
CSV_COLUMNS = [*COLUMNS, "case", "index", "ran"]


@dataclass
class TermRow:
    line: int
    query: str
    documents: int  # documents with hits
    with_families: int  # documents with hits, including their families
    unique: int  # documents hit by this query and no other in the list
    hits: int  # highlighted stretches in those documents: words, phrases, each side of a w/N match
    elapsed_ms: float


@dataclass
class TermReport:
    case: str
    index: dict[str, object]
    ran: datetime
    rows: list[TermRow]
    documents_hit: int  # by any query
    documents_hit_with_families: int

    def csv_rows(self) -> list[dict[str, object]]:
        index = ", ".join(f"{key} {value}" for key, value in self.index.items())
        ran = self.ran.isoformat(timespec="seconds") + "Z"
        return [{**asdict(row), "case": self.case, "index": index, "ran": ran} for row in self.rows]

    def as_dict(self) -> dict[str, object]:
        return {"case": self.case, "index": self.index, "ran": self.ran.isoformat(timespec="seconds") + "Z",
                "documents_hit": self.documents_hit,
                "documents_hit_with_families": self.documents_hit_with_families,
                "terms": [asdict(row) for row in self.rows]}


def read_terms(path: Path) -> list[tuple[int, str]]:
    """The queries of a terms file, one a line, with their line numbers; blank lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise ReviewerError(f"Cannot read the terms file {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise ReviewerError(f"The terms file {path} is not UTF-8 text.") from None
    terms = [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]
    if not terms:
        raise ReviewerError(f"The terms file {path} has no queries.")
    return terms


def term_report(service: SearchService, terms: list[tuple[int, str]], progress: Progress = no_progress,
                cancel: CancelToken | None = None) -> TermReport:
    parsed: list[tuple[int, str, Node]] = []
    for number, query in terms:  # every line is checked before any runs
        try:
            parsed.append((number, query, service.parse(query)))
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(f"Line {number}: {exc.what}", exc.column, exc.hint) from None
    ran = now()
    results: list[tuple[int, str, set[int], int, int, float]] = []
    progress(ProgressUpdate("terms", 0, len(parsed)))
    for done, (number, query, node) in enumerate(parsed, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        started = time.perf_counter()
        ids = service.matching_ids(node)
        families = len(service.family_ids(ids))
        hits = service.backend.hit_count(node, ids)
        results.append((number, query, ids, families, hits, (time.perf_counter() - started) * 1000))
        progress(ProgressUpdate("terms", done, len(parsed)))
    hit_by = Counter(doc_id for _n, _q, ids, _f, _h, _ms in results for doc_id in ids)
    rows = [TermRow(number, query, len(ids), families, sum(1 for d in ids if hit_by[d] == 1), hits,
                    round(ms, 1)) for number, query, ids, families, hits, ms in results]
    return TermReport(service.case.name, service.version(), ran, rows, len(hit_by),
                      len(service.family_ids(hit_by)))
