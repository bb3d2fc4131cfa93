"""A prioritized review's scores where searching and listing need them: the `score:"Tag">=70` query field,
the document list's score column and its sort. Scores are hidden (an error, or blank) while a validation
sample of the question is being decided."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from reviewer.core.analytics.decisions import check_not_blind, open_round, question_of
from reviewer.core.models import Document, ReviewScore, Tag
from reviewer.core.search.query import QuerySyntaxError, ScoreComparison

_COMPARE = {">=": "__ge__", "<=": "__le__", ">": "__gt__", "<": "__lt__", "=": "__eq__"}


def score_filter(session: Session, node: ScoreComparison) -> Select[Any]:
    """The documents whose score for the tag compares as the query asks."""
    wanted = node.name.casefold()
    tag = next((t for t in session.scalars(select(Tag)) if t.name.casefold() == wanted), None)
    if tag is None:
        raise QuerySyntaxError(f"No tag named '{node.name}' in this case", node.column)
    if question_of(session, tag.id) is None:
        raise QuerySyntaxError(f"'{tag.name}' has no scores", node.column,
                               "scores come from a prioritized review of the tag (reviewer prioritize)")
    check_not_blind(session, tag)
    condition = getattr(ReviewScore.score, _COMPARE[node.op])(node.value)
    return select(ReviewScore.document_id).where(ReviewScore.tag_id == tag.id, condition)


def visible_scores(session: Session, tag_id: int, doc_ids: Sequence[int]) -> dict[int, float]:
    """The scores of some documents for a question (none while it is validated blind)."""
    if open_round(session, tag_id) is not None:
        return {}
    return dict(session.execute(select(ReviewScore.document_id, ReviewScore.score).where(
        ReviewScore.tag_id == tag_id, ReviewScore.document_id.in_(list(doc_ids)))).all())


def score_sort_key(session: Session, tag_id: int | None) -> Any:
    """The score of the listed document for a question, as a sort key (unscored documents sort last); None
    when there is nothing to sort by: no question, or its scores hidden while it is validated blind."""
    if tag_id is None or open_round(session, tag_id) is not None:
        return None
    return (select(ReviewScore.score).where(ReviewScore.tag_id == tag_id,
                                            ReviewScore.document_id == Document.id)
            .correlate(Document).scalar_subquery())
