"""Hits and snippets are bounded by what is shown: the first hits of a long text are the same whether the
whole text is read or only as much as they need, for every kind of query, and a snippet never grows with
the number of hits."""

from __future__ import annotations

import random

import pytest

from reviewer.core.search import hits
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


@pytest.mark.parametrize("chunk", [None, 64])
@pytest.mark.parametrize("query", QUERIES)
def test_the_first_hits_are_the_same_read_whole_or_in_part(query: str, chunk: int | None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if chunk is not None:  # a few words at a time: every limit then ends near the edge of what was read
        monkeypatch.setattr(hits, "FIRST_CHUNK", chunk)
        monkeypatch.setattr(hits, "LARGEST_CHUNK", chunk)
    rng = random.Random(query)
    node = parse(query)
    # Shorter than the first stretch read, and many stretches long.
    for words in (30, 2_000) if chunk else (30, 9_000, 60_000):
        text = _text(rng, words)
        fields = {"text": [text, "alpha memo", "", "alpha.txt", "", "", "", ""], "subject": ["alpha memo"]}
        every = find_hits(node, fields)
        text_hits = [hit for hit in every if hit.part == "text"]
        for limit in (1, 7, 150, 1_000):
            first = find_hits(node, fields, limit)
            assert [hit for hit in first if hit.part == "text"] == text_hits[:limit], (query, words, limit)
            metadata = [hit for hit in every if hit.part != "text"]
            assert [hit for hit in first if hit.part != "text"] == metadata


def test_a_snippet_stays_short_however_dense_the_hits() -> None:
    text = "needle, row\n" * 200_000
    found = find_hits(parse("needle"), {"text": [text]}, 100)
    assert len(found) == 100
    snippet = make_snippet(text, found)
    assert len(snippet.text) < 3 * 420
    assert snippet.text.startswith("needle, row needle")
    assert 3 <= len(snippet.marks) <= 100
    for start, end in snippet.marks:
        assert snippet.text[start:end] == "needle"
