"""Highlights on text and on PDF pages: the words found across line breaks and runs of spaces, rectangles
within 2 points of the words on the page the viewer shows, boxes dragged on a page, the search fields, and
undo of each action."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest
from sqlalchemy import select

from reviewer.cli import main
from reviewer.core import audit
from reviewer.core.case import Case
from reviewer.core.casebuild import facts, highlights
from reviewer.core.casebuild.highlights import HighlightError
from reviewer.core.models import Document
from reviewer.core.search.service import SearchService
from tests.casebuild_matter import control_of, make_matter

pytestmark = pytest.mark.both_databases

TOLERANCE = 2.0


@pytest.fixture
def matter(case: Case, tmp_path: Path) -> dict[str, int]:
    return make_matter(case, tmp_path / "files")


def native_of(case: Case, doc_id: int) -> Path:
    with case.db.reader() as session:
        document = session.get(Document, doc_id)
        assert document is not None
        return case.natives.path_for(document.sha256)


def words_boxes(case: Case, doc_id: int, page: int, phrase: str) -> list[pymupdf.Rect]:
    """Where MuPDF's own search finds the words on the stored page: what the highlight must cover."""
    with pymupdf.open(native_of(case, doc_id)) as pdf:
        return pdf[page - 1].search_for(phrase)


def close_to(found: tuple[float, ...], expected: pymupdf.Rect) -> bool:
    return all(abs(a - b) <= TOLERANCE for a, b in zip(found, tuple(expected), strict=True))


def test_words_in_a_text_file_are_found_across_runs_of_spaces_and_line_breaks(case: Case, matter) -> None:
    doc_id = matter["note.txt"]
    placement, count = highlights.place_phrase(case, doc_id, "detective spoke to the gazette")
    text = case.texts.read(control_of(case, doc_id), doc_id)
    assert count == 1
    assert text[placement.start:placement.end] == "detective   spoke\nto the Gazette"
    stored = highlights.add_highlight(case, placement, ["Improper disclosures to the press"], "twice!")
    assert (stored.text, stored.page, stored.rects, stored.comment) == (
        "detective spoke to the Gazette", None, (), "twice!")
    assert stored.issues == ("Improper disclosures to the press",) and stored.color == "#ff7f0e"
    with pytest.raises(HighlightError, match="not in the text"):
        highlights.place_phrase(case, doc_id, "detective spoke to the Times")
    with pytest.raises(HighlightError, match="no occurrence 2"):
        highlights.place_phrase(case, doc_id, "gazette", occurrence=2)


def test_a_phrase_on_a_pdf_page_gets_rectangles_within_two_points_of_its_words(case: Case, matter) -> None:
    doc_id = matter["memo.pdf"]
    placement, _count = highlights.place_phrase(case, doc_id, "Gazette reporter about the sealed indictment")
    stored = highlights.add_highlight(case, placement, ["2"])
    assert stored.page == 1 and stored.text == "Gazette reporter about the sealed indictment"
    first = words_boxes(case, doc_id, 1, "Gazette reporter about the")
    second = words_boxes(case, doc_id, 1, "sealed indictment")
    assert len(stored.rects) == 2  # one per line
    assert [r[0] for r in stored.rects] == [1, 1]
    assert close_to(stored.rects[0][1:], first[0]) and close_to(stored.rects[1][1:], second[0])


def test_a_highlight_running_onto_the_next_page_has_rectangles_on_both(case: Case, matter) -> None:
    doc_id = matter["memo.pdf"]
    text = case.texts.read(control_of(case, doc_id), doc_id)
    start = text.index("feud with the defendant")
    end = text.index("leak was discussed") + len("leak was discussed")
    stored = highlights.add_highlight(case, highlights.place_span(case, doc_id, start, end))
    assert stored.page == 1 and sorted({r[0] for r in stored.rects}) == [1, 2]
    assert close_to(stored.rects[-1][1:], words_boxes(case, doc_id, 2, "Page two: the leak was discussed")[0])


def test_a_box_dragged_on_a_page_highlights_the_words_inside_it(case: Case, matter) -> None:
    doc_id = matter["memo.pdf"]
    wanted = words_boxes(case, doc_id, 1, "The prosecutor had a long-running feud")[0]
    drawn = (wanted.x0 - 3, wanted.y0 - 3, wanted.x1 + 3, wanted.y1 + 3)
    stored = highlights.add_highlight(case, highlights.place_rect(case, doc_id, 1, drawn),
                                      ["Bias of the prosecution"])
    assert stored.text == "The prosecutor had a long-running feud"
    assert len(stored.rects) == 1 and close_to(stored.rects[0][1:], wanted)
    text = case.texts.read(control_of(case, doc_id), doc_id)
    assert " ".join(text[stored.start:stored.end].split()) == stored.text
    empty = highlights.place_rect(case, doc_id, 1, (300, 500, 400, 600))  # no words: the box itself
    assert (empty.text, empty.rects) == ("", ((1, 300.0, 500.0, 400.0, 600.0),))
    with pytest.raises(HighlightError, match="no page 3"):
        highlights.place_rect(case, doc_id, 3, drawn)
    with pytest.raises(HighlightError, match="no pages to draw on"):
        highlights.place_rect(case, matter["note.txt"], 1, drawn)


def test_search_finds_highlighted_documents_and_documents_under_an_issue(case: Case, matter) -> None:
    issue_text = highlights.place_phrase(case, matter["note.txt"], "detective")[0]
    highlights.add_highlight(case, issue_text, ["1"])
    fact = facts.add_fact(case, "2021-06-14", "The tip", issues=["Improper disclosures to the press"],
                          sources=[facts.SourceRef(document_id=matter["tip.eml"])])
    with SearchService.open(case) as search:
        assert search.matching_ids("has:highlights") == {matter["note.txt"]}
        assert search.matching_ids('issue:"Bias of the prosecution"') == {matter["note.txt"]}
        assert search.matching_ids("issue:2") == {matter["tip.eml"]}
        assert search.matching_ids("issue:*pro*") == {matter["note.txt"], matter["tip.eml"]}
        assert search.matching_ids("issue:3") == set()
        facts.delete_facts(case, [fact.id])
        assert search.matching_ids("issue:2") == set()  # always current
        with pytest.raises(Exception, match="No issue named 'Bias'"):
            search.matching_ids("issue:Bias")


def test_adding_editing_and_deleting_are_each_undone_in_one_step(case: Case, matter) -> None:
    placement = highlights.place_phrase(case, matter["memo.pdf"], "sealed indictment")[0]
    stored = highlights.add_highlight(case, placement, ["1"], "first")
    highlights.edit_highlight(case, stored.id, issues=["2", "3"], comment="second")
    edited = highlights.get_highlight(case, stored.id)
    assert edited.issues == ("Improper disclosures to the press", "Grounds for the motion to dismiss")
    fact = facts.fact_from_highlight(case, stored.id)
    highlights.delete_highlights(case, [stored.id])
    assert highlights.list_highlights(case) == []
    cited = facts.get_fact(case, fact.id).sources[0]
    assert (cited.highlight_id, cited.page, cited.control) == (None, 1, control_of(case, matter["memo.pdf"]))
    assert audit.undo(case) == f'Undid deleting the highlight "sealed indictment" on {cited.control}.'
    assert highlights.get_highlight(case, stored.id) == edited
    assert facts.get_fact(case, fact.id).sources[0].highlight_id == stored.id
    audit.undo(case)  # the fact
    audit.undo(case)  # the edit
    restored = highlights.get_highlight(case, stored.id)
    assert (restored.issues, restored.comment) == (("Bias of the prosecution",), "first")
    audit.undo(case)
    assert highlights.list_highlights(case) == []
    history = audit.history(case, matter["memo.pdf"])
    assert [event.action for event in history] == ["add highlight", "edit highlight", "delete highlight",
                                                   "add highlight", "edit highlight", "delete highlight"]


def test_the_commands_highlight_by_words_or_box_and_list(case: Case, matter, capsys) -> None:
    path, control = str(case.location), control_of(case, matter["memo.pdf"])
    assert main(["highlight", path, control, "--text", "sealed\n  indictment", "--issue", "2",
                 "--comment", "the leak"]) == 0
    assert "on page 1 of" in capsys.readouterr().err
    box = words_boxes(case, matter["memo.pdf"], 2, "leak was discussed")[0]
    assert main(["highlight", path, control, "--rect", "2", *(str(v) for v in box), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)[0]
    assert made["text"] == "leak was discussed" and made["page"] == 2
    assert main(["highlights", path, "--issue", "Improper disclosures to the press", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(h["text"], h["comment"]) for h in listed] == [("sealed indictment", "the leak")]
    assert main(["highlight-edit", path, str(made["id"]), "--issue", "1"]) == 0
    assert main(["highlight-delete", path, str(listed[0]["id"])]) == 0
    capsys.readouterr()
    assert main(["highlights", path, "--json"]) == 0
    remaining = json.loads(capsys.readouterr().out)
    assert [(h["id"], h["issues"]) for h in remaining] == [(made["id"], ["Bias of the prosecution"])]
    assert main(["highlight", path, control, "--text", "not in it"]) == 1
    assert "is not in the text of" in capsys.readouterr().err
    with case.db.reader() as session:
        assert session.scalar(select(Document.id).where(Document.control == control)) == matter["memo.pdf"]
