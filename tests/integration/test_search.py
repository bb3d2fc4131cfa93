"""Search end to end on real case folders: the query language against ingested files, review-state filters,
saved searches, families, hit positions, the search term report, the CLI, index crash recovery, and a
backend-agnostic correctness suite that checks every backend against a brute-force scan of the text."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

import pymupdf
import pytest
from sqlalchemy import select

from reviewer.cli import main
from reviewer.core import review
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import Document
from reviewer.core.progress import ProgressUpdate
from reviewer.core.search import saved
from reviewer.core.search.backend import SearchBackend
from reviewer.core.search.hits import find_hits
from reviewer.core.search.index import VERSION_FILE, TextIndex, field_parts
from reviewer.core.search.query import And, Near, Node, Not, Or, Phrase, QuerySyntaxError, Word, parse
from reviewer.core.search.repair import rebuild
from reviewer.core.search.service import SearchService
from reviewer.core.search.terms import term_report
from reviewer.core.search.whoosh_backend import WhooshBackend
from tests.databases import CaseMaker
from tests.helpers import make_email, make_pdf, pdf_bytes

pytestmark = pytest.mark.both_databases

TEXTS = {
    "reyes/n1.txt": "The negligence of the hospital was clear.",
    "reyes/n2.txt": "Negligence of the old hospital staff.",
    "reyes/n3.txt": "The hospital admitted negligence.",
    "reyes/m.txt": "Mergers and acquisitions were discussed. The women met.",
    "reyes/c.txt": "This memo is CONFIDENTIAL and privileged. A woman wrote it.",
}


def build_collection(root: Path) -> Path:
    for name, text in TEXTS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    make_email(root / "reyes" / "mail1.eml", "Merger timeline", "Please review the merger plan.",
               to="Ben Ortiz <ben@ortiz.example>", sent=datetime(2018, 4, 3, 9, 0, tzinfo=UTC),
               attachments={"plan.pdf": pdf_bytes("Merger plan draft"),
                            "notes.txt": b"Board notes on the merger"})
    make_email(root / "reyes" / "mail2.eml", "Lunch", "Lunch on friday?", sender="Carl <carl@acme.example>",
               sent=datetime(2019, 1, 15, 12, 0, tzinfo=UTC))
    make_pdf(root / "reyes" / "r.pdf", ["Quarterly report overview.",
                                         "The hospital negligence finding is on page two."])
    # The same memo found under a second custodian: a duplicate that adds "wong" to the original.
    (root / "wong").mkdir(parents=True)
    shutil.copy(root / "reyes" / "c.txt", root / "wong" / "c-copy.txt")
    return root


@pytest.fixture(scope="module")
def template(cases: CaseMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("matter")
    with cases.create(root / "case", name="Search matter") as case:
        collection = build_collection(root / "collection")
        ingest(case, [collection], IngestOptions(custodian_from_folder=True, jobs=1))
        return case.location


@pytest.fixture
def matter(cases: CaseMaker, template: Path, tmp_path: Path) -> Iterator[Case]:
    """A private copy of the ingested case, so a test may tag, save or break it."""
    with Case.open(cases.copy(template, tmp_path / "case")) as case:
        yield case


@pytest.fixture
def search(matter: Case) -> Iterator[SearchService]:
    with SearchService.open(matter) as service:
        yield service


def names(service: SearchService, query: str) -> set[str]:
    return _names(service.case, service.matching_ids(query))


def _names(case: Case, ids: set[int] | list[int]) -> set[str]:
    with case.db.reader() as session:
        return set(session.scalars(select(Document.file_name).where(Document.id.in_(list(ids)))).all())


def doc_id(case: Case, file_name: str) -> int:
    with case.db.reader() as session:
        return session.scalars(select(Document.id).where(Document.file_name == file_name)).one()


def control(case: Case, file_name: str) -> str:
    with case.db.reader() as session:
        return session.scalars(select(Document.control).where(Document.file_name == file_name)).one()


# --- the query language on real documents -------------------------------------------------------------------
def test_within_n_means_positions_differ_by_at_most_n(search: SearchService) -> None:
    # "negligence of the hospital": positions 0 and 3, two words between: inside w/3.
    # "negligence of the old hospital": positions 0 and 4: outside w/3, inside w/4.
    assert names(search, "hospital w/3 negligence") == {"n1.txt", "n3.txt", "r.pdf"}
    assert names(search, "hospital w/4 negligence") == {"n1.txt", "n2.txt", "n3.txt", "r.pdf"}
    assert names(search, "hospital w/1 negligence") == {"r.pdf"}


def test_pre_n_is_ordered(search: SearchService) -> None:
    assert names(search, "negligence pre/3 hospital") == {"n1.txt"}
    assert names(search, "hospital pre/3 negligence") == {"n3.txt", "r.pdf"}


def test_not_within_keeps_occurrences_with_no_partner_nearby(search: SearchService) -> None:
    assert names(search, "hospital NOT w/3 negligence") == {"n2.txt"}


def test_words_are_exact_and_case_insensitive_never_stemmed(search: SearchService) -> None:
    assert "m.txt" not in names(search, "merger")
    assert names(search, "MERGERS") == {"m.txt"}


def test_phrases_wildcards_and_fuzzy(search: SearchService) -> None:
    assert names(search, '"merger plan"') == {"mail1.eml", "plan.pdf"}
    assert names(search, "confid*") == {"c.txt"}
    assert names(search, "wom?n") == {"m.txt", "c.txt"}
    assert names(search, "hospitl~") == names(search, "hospital")
    assert names(search, "hosptl~") == set()
    assert names(search, "hosptl~2") == names(search, "hospital")


def test_bare_words_search_subject_addresses_and_file_name(search: SearchService) -> None:
    assert names(search, "carl@acme.example") == {"mail2.eml"}
    assert names(search, "plan") == {"mail1.eml", "plan.pdf"}  # plan.pdf by its text and its name
    assert names(search, "subject:timeline") == {"mail1.eml"}
    assert names(search, "from:carl@acme.example") == {"mail2.eml"}
    assert names(search, "to:ben") == {"mail1.eml", "mail2.eml"}
    assert names(search, "filename:plan") == {"plan.pdf"}
    assert names(search, "subject:lunch OR subject:merger") == {"mail1.eml", "mail2.eml"}


def test_metadata_filters_come_from_the_database(search: SearchService) -> None:
    everything = search.matching_ids("NOT tag:any")
    assert names(search, "custodian:wong") == {"c.txt"}  # all custodians of a document count
    assert len(search.matching_ids("custodian:reyes")) == len(everything)
    assert names(search, "ext:pdf") == {"r.pdf", "plan.pdf"}
    assert names(search, "type:email") == {"mail1.eml", "mail2.eml"}
    assert names(search, "pages>1") == {"r.pdf"}
    assert names(search, "date:[2018-01-01 TO 2018-12-31]") == {"mail1.eml"}
    assert names(search, "date>=2019-01-15 type:email") == {"mail2.eml"}
    assert names(search, "sent:2018-04") == {"mail1.eml"}
    assert names(search, f"control:{control(search.case, 'n2.txt')}") == {"n2.txt"}
    assert names(search, "is:attachment") == {"plan.pdf", "notes.txt"}
    assert names(search, "has:attachments") == {"mail1.eml"}
    assert names(search, "is:duplicate") == {"c.txt"}
    family = f"family:{control(search.case, 'notes.txt')}"
    assert names(search, family) == {"mail1.eml", "plan.pdf", "notes.txt"}


def test_text_and_filters_combine(search: SearchService) -> None:
    assert names(search, "merger NOT type:email") == {"plan.pdf", "notes.txt"}
    assert names(search, "merger AND ext:pdf OR lunch") == {"plan.pdf", "mail2.eml"}
    assert names(search, "(custodian:wong OR hospital) AND NOT w*n") == {"n1.txt", "n2.txt", "n3.txt",
                                                                         "r.pdf"}


def test_unknown_names_are_errors_not_empty_results(search: SearchService) -> None:
    for query, what in (("custodian:reyez", "No custodian named 'reyez'"),
                        ('tag:"Hott"', "No tag named 'Hott'"),
                        ("family:DOC-999999", "No document DOC-999999"),
                        ('saved:"nope"', "No saved search")):
        with pytest.raises(QuerySyntaxError, match=what):
            search.matching_ids(query)


def test_review_state_is_current_and_never_touches_the_index(search: SearchService) -> None:
    case = search.case
    index_files = {p.name: p.stat().st_mtime_ns for p in case.index_dir.iterdir()}
    generation = TextIndex(case.index_dir).open().latest_generation()
    total = len(search.matching_ids("NOT tag:any"))
    review.create_tag(case, "Smoking gun")
    review.tag_documents(case, [doc_id(case, "c.txt")], "Smoking gun")
    review.add_note(case, doc_id(case, "n1.txt"), "Check the date.")
    assert names(search, 'tag:"smoking gun"') == {"c.txt"}
    assert names(search, "tag:any") == {"c.txt"}
    assert len(search.matching_ids("NOT tag:any")) == total - 1
    assert names(search, "has:notes") == {"n1.txt"}
    assert names(search, '(tag:"Smoking gun" OR negligence) AND NOT has:notes') == {
        "c.txt", "n2.txt", "n3.txt", "r.pdf"}
    assert TextIndex(case.index_dir).open().latest_generation() == generation
    assert {p.name: p.stat().st_mtime_ns for p in case.index_dir.iterdir()} == index_files


# --- results ------------------------------------------------------------------------------------------------
def test_limit_zero_gives_the_total_only(search: SearchService) -> None:
    result = search.search("hospital", limit=0)
    assert (result.total, result.ids) == (4, [])


def test_relevance_order_puts_scored_documents_first(search: SearchService) -> None:
    result = search.search("hospital OR tag:any", limit=None)
    scores = [result.scores[i] for i in result.ids if i in result.scores]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)


def test_sort_by_date_and_control(search: SearchService) -> None:
    by_date = search.search("type:email", sort="date").ids
    assert [_names(search.case, [i]).pop() for i in by_date] == ["mail1.eml", "mail2.eml"]
    by_control = search.search("hospital", sort="control", limit=None).ids
    assert by_control == sorted(by_control)


def test_families_bring_parents_and_attachments_in_order(search: SearchService) -> None:
    result = search.search('"board notes"', families=True, limit=None)
    case = search.case
    assert result.ids == [doc_id(case, "mail1.eml"), doc_id(case, "plan.pdf"), doc_id(case, "notes.txt")]
    assert result.total == 3
    assert search.search('"board notes"', families=True, limit=1).ids == [doc_id(case, "mail1.eml")]


def test_rows_carry_highlighted_snippets(search: SearchService) -> None:
    result = search.search("hospital w/3 negligence", limit=10)
    rows = {row.control: row for row in search.rows(result)}
    row = rows[control(search.case, "n1.txt")]
    assert [row.snippet.text[a:b] for a, b in row.snippet.marks] == ["negligence", "hospital"]
    assert row.custodians == ["reyes"]


def test_hit_positions_are_offsets_into_the_text(search: SearchService) -> None:
    case = search.case
    text = TEXTS["reyes/n1.txt"]
    hits = search.hit_positions(control(case, "n1.txt"), '"the hospital" OR clear')
    assert [(h.part, text[h.start:h.end]) for h in hits] == [("text", "the hospital"), ("text", "clear")]
    email_hits = search.hit_positions(control(case, "mail2.eml"), "subject:lunch")
    assert [(h.part, h.start, h.end) for h in email_hits] == [("subject", 0, 5)]


def test_pdf_hits_have_pages_and_rectangles(search: SearchService, matter: Case) -> None:
    hits = search.hit_positions(control(matter, "r.pdf"), "hospital w/1 negligence OR quarterly")
    assert [h.page for h in hits] == [1, 2]
    assert all(h.rects for h in hits)
    with matter.db.reader() as session:
        sha256 = session.scalars(select(Document.sha256).where(Document.file_name == "r.pdf")).one()
    with pymupdf.open(matter.natives.path_for(sha256)) as pdf:
        assert pdf[0].get_textbox(pymupdf.Rect(hits[0].rects[0])).strip() == "Quarterly"
        assert pdf[1].get_textbox(pymupdf.Rect(hits[1].rects[0])).strip() == "hospital negligence"


# --- saved searches and history -----------------------------------------------------------------------------
def test_saved_searches_run_live_and_nest(search: SearchService, tmp_path: Path) -> None:
    case = search.case
    saved.save(case, "Merger docs", "merger OR mergers")
    assert names(search, 'saved:"merger docs" AND type:email') == {"mail1.eml"}
    before = len(search.matching_ids('saved:"Merger docs"'))
    (tmp_path / "late").mkdir()
    (tmp_path / "late" / "late.txt").write_text("A late note about the merger.")
    ingest(case, [tmp_path / "late"], IngestOptions(custodian="reyes", jobs=1))
    assert len(search.matching_ids('saved:"Merger docs"')) == before + 1
    saved.save(case, "Loop A", 'saved:"Loop B"')
    saved.save(case, "Loop B", 'saved:"Loop A" OR merger')
    with pytest.raises(QuerySyntaxError, match="refers to itself"):
        search.matching_ids('saved:"Loop A"')
    with pytest.raises(QuerySyntaxError, match="Unbalanced quote"):
        saved.save(case, "Broken", '"merger')
    assert [s.name for s in saved.saved_searches(case)] == ["Loop A", "Loop B", "Merger docs"]


def test_search_history_is_kept_per_case(search: SearchService) -> None:
    search.search("hospital", remember=True)
    search.search("merger", remember=True)
    search.search("not remembered")
    assert [(h.query, h.hits) for h in saved.history(search.case)] == [("merger", 3), ("hospital", 4)]


# --- search term report -------------------------------------------------------------------------------------
TERMS = ["hospital", "negligence w/3 hospital", "merger", '"merger plan"', "lunch"]


def test_term_report_counts_by_hand(search: SearchService) -> None:
    report = term_report(search, list(enumerate(TERMS, start=1)))
    rows = {row.query: row for row in report.rows}
    # hospital: n1 n2 n3 r.pdf; the w/3 term also hits n1 n3 r.pdf, so only n2 is unique to "hospital".
    # merger: mail1 plan.pdf notes.txt; "merger plan" hits mail1 and plan.pdf, so only notes.txt is unique.
    expected = {  # documents, with families, unique, hits
        "hospital": (4, 4, 1, 4),
        # Hits: n1 and n3 two stretches each; in r.pdf "hospital negligence" is one stretch.
        "negligence w/3 hospital": (3, 3, 0, 5),
        "merger": (3, 3, 1, None),
        '"merger plan"': (2, 3, 0, None),
        "lunch": (1, 1, 1, None),
    }
    for query, (documents, families, unique, hits) in expected.items():
        row = rows[query]
        assert (row.documents, row.with_families, row.unique) == (documents, families, unique), query
        if hits is not None:
            assert row.hits == hits, query
    assert report.case == "Search matter"
    assert report.index["schema"] and report.index["generation"] is not None
    assert report.documents_hit == 8  # every document but m.txt and c.txt
    assert term_report(search, list(enumerate(TERMS, start=1))).rows[0].documents == 4


def test_term_report_refuses_a_malformed_line_before_running(search: SearchService) -> None:
    with pytest.raises(QuerySyntaxError, match=r"Line 2: Unbalanced quote at column 8"):
        term_report(search, [(1, "hospital"), (2, 'merger "plan')])


# --- the command line ---------------------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_search_json(matter: Case, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "search", str(matter.location), "hospital w/3 negligence", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["total"] == 3
    expected = {control(matter, name) for name in ("n1.txt", "n3.txt", "r.pdf")}
    assert {hit["control"] for hit in result["hits"]} == expected
    first = result["hits"][0]
    assert {"control", "score", "title", "date", "custodians", "snippet", "highlights"} <= first.keys()
    code, out, _err = run(capsys, "search", str(matter.location), "hospital", "--limit", "0", "--json")
    assert json.loads(out)["total"] == 4 and json.loads(out)["hits"] == []


def test_cli_malformed_query_is_one_line_and_exit_2(matter: Case, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", str(matter.location), 'merger w/5 "acme corp')
    assert code == 2
    assert out == ""
    assert err.strip().count("\n") == 0
    assert "Unbalanced quote at column 12" in err


def test_cli_syntax_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "syntax")
    assert code == 0 and "w/N" in out and "at most N-1 words" in out


def test_cli_terms_saved_searches_and_hits(matter: Case, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    terms_file = tmp_path / "terms.txt"
    terms_file.write_text("\n".join(TERMS) + "\n\n", encoding="utf-8")
    code, out, _err = run(capsys, "terms", str(matter.location), str(terms_file), "--json")
    report = json.loads(out)
    assert code == 0 and [t["unique"] for t in report["terms"]] == [1, 0, 1, 0, 1]
    assert report["case"] == "Search matter" and report["ran"].endswith("Z")
    out_csv = str(tmp_path / "t.csv")
    code, _out, _err = run(capsys, "terms", str(matter.location), str(terms_file), "--csv", out_csv)
    header, first = (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    assert header == "line,query,documents,with_families,unique,hits,elapsed_ms,case,index,ran"
    assert first.startswith("1,hospital,4,4,1,4,") and "Search matter" in first and "generation" in first
    assert run(capsys, "save-search", str(matter.location), "Hospital", "hospital")[0] == 0
    code, out, _err = run(capsys, "searches", str(matter.location), "--json")
    assert [(s["name"], s["documents"]) for s in json.loads(out)] == [("Hospital", 4)]
    code, out, _err = run(capsys, "hits", str(matter.location), control(matter, "r.pdf"), "negligence",
                          "--json")
    assert [(h["page"], len(h["rects"])) for h in json.loads(out)] == [(2, 1)]


# --- index health -------------------------------------------------------------------------------------------
CRASH = """
import os, sys
from whoosh.filedb.filestore import FileStorage
import reviewer.core.search.index as index_module
if sys.argv[3] == "publish":  # die while Whoosh publishes the new table of contents
    rename = FileStorage.rename_file
    def crash(self, old, new, safe=False):
        if new.endswith(".toc"):
            os._exit(9)
        return rename(self, old, new, safe)
    FileStorage.rename_file = crash
else:  # die after the index commit, before the database records it
    index_module.mark_indexed = lambda case, ids: os._exit(9)
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
ingest(Case.open(sys.argv[1]), [sys.argv[2]], IngestOptions(custodian="late", jobs=1))
"""


@pytest.mark.parametrize("moment", ["publish", "record"])
def test_a_crash_mid_commit_never_leaves_a_broken_index(matter: Case, tmp_path: Path, moment: str) -> None:
    late = tmp_path / "late"
    late.mkdir()
    for n in range(3):
        (late / f"z{n}.txt").write_text(f"zebra crossing number {n}")
    crashed = subprocess.run([sys.executable, "-c", CRASH, str(matter.location), str(late), moment],
                             capture_output=True, text=True)
    assert crashed.returncode == 9, crashed.stderr
    with SearchService.open(matter) as service:
        assert service.repaired is not None
        assert names(service, "zebra") == {"z0.txt", "z1.txt", "z2.txt"}
        with matter.db.reader() as session:
            every_id = set(session.scalars(select(Document.id)).all())
        assert set(TextIndex(matter.index_dir).doc_ids().tolist()) == every_id
        assert service.search("zebra").total == 3  # no document twice


def test_a_damaged_index_is_rebuilt_with_progress(matter: Case) -> None:
    segment = max(matter.index_dir.glob("*.seg"), key=lambda p: p.stat().st_size)
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    updates: list[ProgressUpdate] = []
    with SearchService.open(matter, progress=updates.append) as service:
        assert "damaged" in (service.repaired or "")
        assert names(service, "hospital w/3 negligence") == {"n1.txt", "n3.txt", "r.pdf"}
    assert any(u.stage == "reindex" and u.total == 10 and u.done == 10 for u in updates)


def test_an_outdated_index_is_rebuilt(matter: Case) -> None:
    (matter.index_dir / VERSION_FILE).write_text(json.dumps({"schema_version": 1}))
    with SearchService.open(matter) as service:
        assert "another version" in (service.repaired or "")
        assert service.count("hospital") == 4


def test_new_documents_reach_an_open_search_incrementally(search: SearchService, tmp_path: Path) -> None:
    generation = TextIndex(search.case.index_dir).open().latest_generation()
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "h.txt").write_text("Another hospital record.")
    ingest(search.case, [tmp_path / "more"], IngestOptions(custodian="reyes", jobs=1))
    assert TextIndex(search.case.index_dir).open().latest_generation() == generation + 1
    assert search.count("hospital") == 5


# --- backend-agnostic correctness against a brute-force scan ------------------------------------------------
BACKENDS: dict[str, Callable[[Case], SearchBackend]] = {"whoosh": lambda case: WhooshBackend(case.index_dir)}
# "the" and "of" are common English words: their pairs are indexed even before a rebuild learns the case's.
VOCABULARY = ["the", "alpha", "of", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
              "juliet", "kilo", "lima", "alps", "alphas", "delt", "bravos"]


Words = dict[str, list[list[str]]]  # field -> its parts, each a list of lowercased words


def words_of(fields: dict[str, list[str]]) -> Words:
    return {name: [[w.lower() for w in _WORD.findall(part)] for part in parts]
            for name, parts in fields.items()}


def brute_force(node: Node, words: Words) -> bool:
    """Whether a text query matches a document, straight from the definitions, by trying every position."""
    if isinstance(node, And):
        return all(brute_force(child, words) for child in node.children)
    if isinstance(node, Or):  # an OR-group is positional only inside w/N, where _occurrences handles it
        return any(brute_force(child, words) for child in node.children)
    if isinstance(node, Not):
        return not brute_force(node.child, words)
    return any(_occurrences(node, part) for part in words[_field(node)])


_WORD = re.compile(r"\w+(?:[.'@-]\w+)*")


def _field(node: Node) -> str:
    while not isinstance(node, Word):
        node = node.words[0] if isinstance(node, Phrase) else node.left if isinstance(node, Near) \
            else node.children[0]  # type: ignore[union-attr]
    return node.field


@cache
def _word_matches(word: Word, text: str) -> bool:
    if word.kind == "wildcard":
        return fnmatchcase(text, word.text)
    if word.kind == "fuzzy":
        return _levenshtein(text, word.text) <= word.distance
    return text == word.text


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        row, previous = [i], row
        for j, y in enumerate(b, 1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y)))
    return row[-1]


def _occurrences(node: Node, words: list[str]) -> set[tuple[int, int]]:
    if isinstance(node, Word):
        return {(i, i) for i, w in enumerate(words) if _word_matches(node, w)}
    if isinstance(node, Phrase):
        k = len(node.words)
        return {(i, i + k - 1) for i in range(len(words) - k + 1)
                if all(_word_matches(node.words[j], words[i + j]) for j in range(k))}
    if isinstance(node, Or):
        return set().union(*(_occurrences(child, words) for child in node.children))
    assert isinstance(node, Near)
    left, right = _occurrences(node.left, words), _occurrences(node.right, words)
    by_start: dict[int, list[tuple[int, int]]] = {}
    by_end: dict[int, list[tuple[int, int]]] = {}
    for b in right:
        by_start.setdefault(b[0], []).append(b)
        by_end.setdefault(b[1], []).append(b)

    def partners(a: tuple[int, int]) -> list[tuple[int, int]]:
        """Right occurrences starting 1..N words after a ends, or (unordered) ending 1..N before it starts."""
        found = [b for gap in range(1, node.distance + 1) for b in by_start.get(a[1] + gap, [])]
        if not node.ordered:
            found += [b for gap in range(1, node.distance + 1) for b in by_end.get(a[0] - gap, [])]
        return found

    if node.negated:
        return {a for a in left if not partners(a)}
    return {(min(a[0], b[0]), max(a[1], b[1])) for a in left for b in partners(a)}


def random_queries(rng: random.Random, count: int) -> list[str]:
    def word() -> str:
        return rng.choice(VOCABULARY[:14])

    def operand() -> str:
        return rng.choice([word, lambda: f'"{word()} {word()}"', lambda: f"({word()} OR {word()})",
                           lambda: word()[:3] + "*", lambda: "?" + word()[1:]])()

    templates = [
        lambda: word(), lambda: word()[:2] + "*", lambda: "*" + word()[-2:], lambda: word()[:-1] + "x~",
        lambda: word()[1:] + "~2", lambda: f'"{word()} {word()}"', lambda: f'"{word()} {word()} {word()}"',
        lambda: f"{operand()} w/{rng.randint(1, 5)} {operand()}",
        lambda: f"{operand()} pre/{rng.randint(1, 5)} {operand()}",
        lambda: f"{operand()} NOT w/{rng.randint(1, 4)} {operand()}",
        lambda: f"{word()} w/{rng.randint(1, 3)} {word()} w/{rng.randint(1, 3)} {word()}",
        lambda: f"{word()} {word()}", lambda: f"{word()} OR {word()} {word()}",
        lambda: f"{word()} NOT {word()}",
        lambda: f"NOT {word()}", lambda: f"({word()} OR {word()}) AND NOT {word()} w/2 {word()}",
        lambda: f"NOT ({word()} OR \"{word()} {word()}\")",
    ]
    return [rng.choice(templates)() for _ in range(count)]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    rng = random.Random(20240305)
    root = tmp_path_factory.mktemp("synthetic")
    source = root / "docs"
    source.mkdir()
    weights = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
    for n in range(150):
        words = rng.choices(VOCABULARY, weights, k=rng.randint(3, 40))
        text = " ".join(w.capitalize() if rng.random() < 0.2 else w for w in words)
        (source / f"s{n:03d}.txt").write_text(text)
    with Case.create(root / "case") as case:
        ingest(case, [source], IngestOptions(custodian="synthetic", jobs=1))
        yield case


@pytest.fixture(scope="module")
def synthetic_rebuilt(synthetic: Case, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    """The same documents after `reviewer reindex`, which learns the case's common words (here: all)."""
    copy = tmp_path_factory.mktemp("rebuilt") / "case"
    shutil.copytree(synthetic.root, copy)
    with Case.open(copy) as case:
        rebuild(case)
        yield case


@pytest.fixture(params=[(name, state) for name in sorted(BACKENDS) for state in ("ingested", "rebuilt")],
                ids=lambda param: "-".join(param))
def service(request: pytest.FixtureRequest) -> Iterator[SearchService]:
    name, state = request.param
    case = request.getfixturevalue("synthetic" if state == "ingested" else "synthetic_rebuilt")
    with SearchService(case, BACKENDS[name](case)) as opened:
        yield opened


def _documents(case: Case) -> list[tuple[int, dict[str, list[str]]]]:
    with case.db.reader() as session:
        documents = session.scalars(select(Document)).all()
        return [(d.id, field_parts(d, case.texts.read(d.control, d.id))) for d in documents]


def _scanned(case: Case) -> list[tuple[int, Words]]:
    return [(doc, words_of(fields)) for doc, fields in _documents(case)]


def test_backend_matches_a_brute_force_scan(service: SearchService) -> None:
    documents = _scanned(service.case)
    queries = random_queries(random.Random(7), 400)
    wrong = []
    for query in queries:
        node = parse(query)
        expected = {doc for doc, fields in documents if brute_force(node, fields)}
        if service.matching_ids(node) != expected:
            wrong.append(query)
    assert not wrong, f"{len(wrong)} of {len(queries)} queries differ, e.g. {wrong[:5]}"


def test_backend_hit_counts_equal_the_highlighted_hits(service: SearchService) -> None:
    documents = dict(_documents(service.case))
    for query in random_queries(random.Random(11), 60):
        node = parse(query)
        ids = service.matching_ids(node)
        highlighted = sum(len(find_hits(node, documents[doc])) for doc in ids)
        assert service.backend.hit_count(node, ids) == highlighted, query


# --- w/N between words that fill long documents ------------------------------------------------------------
# The backend decides w/N between two words from the first few occurrences of the rarer one in each
# document, then the next few, then the rest; these documents hold matches only past those first looks.
def _spaced(word: str, times: int) -> list[str]:
    """`word` again and again, each time with seven filler words after it (never within w/7 of itself)."""
    return [w for _ in range(times)
            for w in (word, "golf", "hotel", "india", "juliet", "kilo", "lima", "mike")]


LONG_TEXTS = {
    # alpha is the rarer word overall; its only occurrence near bravo is its 41st.
    "late.txt": _spaced("alpha", 40) + ["alpha", "bravo"],
    "never.txt": ["alpha", *_spaced("golf", 2), *_spaced("bravo", 120)],
    # charlie next to itself only at the very end.
    "twice.txt": _spaced("charlie", 30) + ["charlie", "charlie"],
    # echo before delta all along (wrong way round for delta pre/N echo), delta before echo only at the end.
    "order.txt": [w for _ in range(25) for w in ("echo", "delta", *_spaced("kilo", 1))] + ["delta", "echo"],
    "backwards.txt": [w for _ in range(25) for w in ("echo", "delta", *_spaced("kilo", 1))],
    "early.txt": ["alpha", "bravo", "charlie", "charlie", "delta", "echo", *_spaced("alpha", 30)],
    # alpha NOT w/1 bravo: every alpha has bravo beside it but the 21st.
    "crowded.txt": ["alpha", "bravo"] * 20 + _spaced("kilo", 1) + ["alpha"],
}
LONG_QUERIES = [
    "alpha w/1 bravo", "bravo w/1 alpha", "alpha pre/1 bravo", "bravo pre/1 alpha", "alpha w/9 bravo",
    "charlie w/1 charlie", "charlie pre/1 charlie", "charlie w/7 charlie", "charlie w/8 charlie",
    "delta pre/1 echo", "echo pre/1 delta", "delta w/1 echo", "alph* w/1 bravo", "alpha w/1 bra*",
    "alpha NOT w/1 bravo", "charlie NOT w/1 charlie", "delta NOT w/3 alpha", "bravo NOT w/1 alpha",
    "alpha NOT w/9 bravo", "alpha w/1 bravo AND juliet",
    "alpha w/1 bravo AND NOT echo", "(alpha w/1 bravo) OR (delta pre/1 echo)",
]


@pytest.fixture(scope="module")
def long_documents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    root = tmp_path_factory.mktemp("long")
    (root / "docs").mkdir()
    for name, words in LONG_TEXTS.items():
        (root / "docs" / name).write_text(" ".join(words))
    with Case.create(root / "case") as case:
        ingest(case, [root / "docs"], IngestOptions(custodian="long", jobs=1))
        with SearchService.open(case) as service:
            yield service


def test_near_finds_matches_late_in_long_documents(long_documents: SearchService) -> None:
    assert names(long_documents, "alpha w/1 bravo") == {"late.txt", "early.txt", "crowded.txt"}
    assert names(long_documents, "alpha NOT w/1 bravo") == {"late.txt", "never.txt", "early.txt",
                                                             "crowded.txt"}
    assert names(long_documents, "charlie w/1 charlie") == {"twice.txt", "early.txt"}
    assert names(long_documents, "delta pre/1 echo") == {"order.txt", "early.txt"}
    assert names(long_documents, "echo pre/1 delta") == {"order.txt", "backwards.txt"}
    documents = _scanned(long_documents.case)
    for query in LONG_QUERIES:
        node = parse(query)
        expected = {doc for doc, fields in documents if brute_force(node, fields)}
        assert long_documents.matching_ids(node) == expected, query
