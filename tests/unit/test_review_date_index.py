"""date:[A TO B] reads the documents of its range through the review date index, not every document."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reviewer.core.case import Case
from reviewer.core.search.filters import _select
from reviewer.core.search.query import DateRange


def test_a_date_range_is_answered_from_the_review_date_index(tmp_path: Path) -> None:
    case = Case.create(tmp_path / "case")
    try:
        with case.db.reader() as session:
            query = _select(session, DateRange("date", datetime(2020, 1, 1), datetime(2020, 3, 1)))
            compiled = query.compile(dialect=case.db.engine.dialect)
            parameters = tuple(str(compiled.params[name]) for name in compiled.positiontup or ())
            plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", parameters).all()
    finally:
        case.close()
    details = " ".join(str(row[-1]) for row in plan)
    assert "ix_document_review_date" in details, details
