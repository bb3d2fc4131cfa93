"""Search on the public corpus (REVIEWER_CORPUS, else skipped): result sets against a brute-force scan of
every document's stored text, hit counts against the highlighted hits, and PDF hit rectangles."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import Document
from reviewer.core.search.hits import find_hits
from reviewer.core.search.index import field_parts
from reviewer.core.search.query import parse
from reviewer.core.search.service import SearchService
from tests.integration.test_search import Words, brute_force, words_of

pytestmark = pytest.mark.corpus

OPERATORS = {"and", "or", "not", "to"}


@pytest.fixture(scope="module")
def corpus_search(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    with Case.create(tmp_path_factory.mktemp("corpus-search") / "case") as case:
        ingest(case, [corpus], IngestOptions(custodian_from_folder=True, jobs=2))
        with SearchService.open(case) as service:
            yield service


@pytest.fixture(scope="module")
def scanned(corpus_search: SearchService) -> list[tuple[int, dict[str, list[str]], Words]]:
    case = corpus_search.case
    with case.db.reader() as session:
        documents = session.scalars(select(Document)).all()
        fields = [(d.id, field_parts(d, case.texts.read(d.control, d.id))) for d in documents]
    return [(doc, parts, words_of(parts)) for doc, parts in fields]


def corpus_queries(scanned: list[tuple[int, dict[str, list[str]], Words]], count: int) -> list[str]:
    """Queries built from the corpus's own words, common to rare, over every operator."""
    frequency: Counter[str] = Counter()
    for _doc, _parts, words in scanned:
        for part in words["text"]:
            frequency.update(part)
    ranked = [w for w, _n in frequency.most_common() if w.isalpha() and w not in OPERATORS and len(w) > 2]
    common, middle, rare = ranked[:60], ranked[200:3000], [w for w in ranked if frequency[w] <= 3][:3000]
    rng = random.Random(1481)

    def word() -> str:
        return rng.choice(rng.choice((common, middle, middle, rare)))

    def sequence(length: int) -> str:
        _doc, _parts, words = rng.choice(scanned)
        text = [w for part in words["text"] for w in part]
        if len(text) <= length:
            return word()
        start = rng.randrange(len(text) - length)
        return " ".join(text[start:start + length])

    templates = [
        word, lambda: word()[:4] + "*", lambda: word()[:-1] + "~", lambda: f'"{sequence(2)}"',
        lambda: f'"{sequence(3)}"', lambda: f"{word()} w/{rng.randint(1, 10)} {word()}",
        lambda: f"{sequence(1)} pre/{rng.randint(1, 5)} {word()}",
        lambda: f"{word()} NOT w/{rng.randint(1, 5)} {word()}",
        lambda: f'"{sequence(2)}" w/{rng.randint(2, 8)} ({word()} OR {word()})',
        lambda: f"{word()} {word()}", lambda: f"{word()} OR {word()} AND NOT {word()}",
        lambda: f"subject:{word()} OR from:{word()}",
    ]
    return [rng.choice(templates)() for _ in range(count)]


def test_corpus_results_equal_a_brute_force_scan(corpus_search: SearchService, scanned: list) -> None:
    wrong = []
    queries = corpus_queries(scanned, 150)
    for query in queries:
        node = parse(query)
        expected = {doc for doc, _parts, words in scanned if brute_force(node, words)}
        if corpus_search.matching_ids(node) != expected:
            wrong.append(query)
    assert not wrong, f"{len(wrong)} of {len(queries)} queries differ, e.g. {wrong[:5]}"


def test_corpus_hit_counts_equal_the_highlighted_hits(corpus_search: SearchService, scanned: list) -> None:
    fields = {doc: parts for doc, parts, _words in scanned}
    for query in corpus_queries(scanned, 40):
        node = parse(query)
        ids = corpus_search.matching_ids(node)
        highlighted = sum(len(find_hits(node, fields[doc])) for doc in ids)
        assert corpus_search.backend.hit_count(node, ids) == highlighted, query


def test_pdf_hits_get_boxes_on_their_pages(corpus_search: SearchService, scanned: list) -> None:
    case = corpus_search.case
    with case.db.reader() as session:
        pdfs = session.execute(select(Document.id, Document.control).where(
            Document.kind == "pdf", Document.text_chars > 200).order_by(Document.id).limit(30)).all()
    words = {doc: w for doc, _parts, w in scanned}
    boxed = 0
    for doc, control in pdfs:
        first = next(w for w in words[doc]["text"][0] if w.isalpha() and w not in OPERATORS)
        hits = [h for h in corpus_search.hit_positions(control, f'"{first}"') if h.part == "text"]
        assert hits and all(h.page for h in hits), control
        boxed += any(h.rects for h in hits)
    # A page that was OCR'd at ingest has no text layer to draw boxes on; most corpus PDFs do.
    assert boxed >= 0.8 * len(pdfs)
