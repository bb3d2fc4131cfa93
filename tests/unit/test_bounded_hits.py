"""Hits and snippets are bounded by what is shown: the first hits of a long text are the same whether the
whole text is read or only as much as they need, for every kind of query, and a snippet never grows with
the number of hits."""

from __future__ import annotations

import random

import pytest

from reviewer.core.search.hits import find_hits, make_snippet
from reviewer.core.search.query import parse

VOCABULARY = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "alps", "delt"]
QUERIES = ["alpha", "alpha OR delta", '"alpha bravo"', '"bravo charlie delta"', "alpha w/3 golf",
           "hotel pre/2 alpha", "alpha NOT w/5 echo", "al*", "delta~1", "(alpha w/2 bravo) w/4 hotel",
           '"golf hotel" OR foxtrot', "alpha AND NOT bravo", "subject:alpha OR golf"]


def _text(rng: random.Random, words: int) -> str:
    lines, line = [], []
    for _ in range(words):
        line.append(rng.choice(VOCABULARY).capitalize() if rng.random() < 0.1 else rng.choice(VOCABULARY))
        if rng.random() < 0.1:
            lines.append(" ".join(line))
            line = []
    return "\n".join(lines + [" ".join(line)])


@pytest.mark.parametrize("query", QUERIES)
def test_the_first_hits_are_the_same_read_whole_or_in_part(query: str) -> None:
    rng = random.Random(query)
    node = parse(query)
    for words in (30, 9_000, 60_000):  # shorter than the first stretch read, and many stretches long
        text = _text(rng, words)
        fields = {"text": [text, "alpha memo", "", "alpha.txt", "", "", "", ""], "subject": ["alpha memo"]}
        every = find_hits(node, fields)
        text_hits = [hit for hit in every if hit.part == "text"]
        for limit in (1, 7, 150, 5_000):
            first = find_hits(node, fields, limit)
            assert [hit for hit in first if hit.part == "text"] == text_hits[:limit], (query, words, limit)
            assert [hit for hit in first if hit.part != "text"] == [hit for hit in every if hit.part != "text"]


def test_a_snippet_stays_short_however_dense_the_hits() -> None:
    text = "needle, row\n" * 200_000
    hits = find_hits(parse("needle"), {"text": [text]}, 100)
    assert len(hits) == 100
    snippet = make_snippet(text, hits)
    assert len(snippet.text) < 3 * 420
    assert snippet.text.startswith("needle, row needle")
    assert 3 <= len(snippet.marks) <= 100
    for start, end in snippet.marks:
        assert snippet.text[start:end] == "needle"
