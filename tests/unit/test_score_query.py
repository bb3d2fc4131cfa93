"""The score:"Tag">=N query field: parsed into one comparison, explained, refused when malformed."""

from __future__ import annotations

import pytest

from reviewer.core.search.query import And, QuerySyntaxError, ScoreComparison, explain, parse


@pytest.mark.parametrize(("query", "name", "op", "value"), [
    ('score:"Relevant to motion to dismiss">=70', "Relevant to motion to dismiss", ">=", 70),
    ('score:"Hot" < 20.5', "Hot", "<", 20.5),
    ('score:"Hot" >=5', "Hot", ">=", 5),
    ("score:Hot>90", "Hot", ">", 90),
    ('SCORE:"Hot"=0', "Hot", "=", 0),
])
def test_score_comparisons(query: str, name: str, op: str, value: float) -> None:
    assert parse(query) == ScoreComparison("score", name, op, value)


def test_combined_and_explained() -> None:
    node = parse('score:"Relevant to motion to dismiss">=70 AND deadline')
    assert isinstance(node, And)
    assert explain(node) == 'score:"Relevant to motion to dismiss">=70 AND deadline'


@pytest.mark.parametrize(("query", "message"), [
    ('score:"Hot"', "Missing comparison"),
    ("score>=70", "needs the tag it scores"),
    ('score:"Hot">=high', "is not a number"),
    ("score:", "Missing tag"),
])
def test_malformed(query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message):
        parse(query)
