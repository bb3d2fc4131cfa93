"""The one write path on a real case database: redactions, saved searches, attorneys and settings are on the
audit trail and undone newest first like coding; long jobs are recorded with record_job and passed over by
undo; the case-wide trail lists it all."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reviewer.core import audit, review
from reviewer.core.audit import Action
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Document, Redaction
from reviewer.core.produce import attorneys, redact
from reviewer.core.search import saved
from reviewer.core.team.server import os_user
from tests.unit.test_review import add_documents


def stored_redactions(case: Case) -> list[tuple]:
    """Every stored redaction, every column, for comparing before and after exactly."""
    with case.db.reader() as session:
        return [tuple(getattr(r, c.key) for c in Redaction.__table__.columns)
                for r in session.scalars(select(Redaction).order_by(Redaction.id))]


def searches(case: Case) -> list[tuple[int, str, str]]:
    return [(s.id, s.name, s.query) for s in saved.saved_searches(case)]


# --- redactions ----------------------------------------------------------------------------------------

def test_redactions_are_undone_strictly_newest_first_and_come_back_exactly(case: Case) -> None:
    memo, letter = add_documents(case, 2)
    box = redact.add_rectangle(case, memo, 2, (60.25, 440, 260, 540.125), "PII")
    redact.add_phrase(case, [letter], "merger  plan", "Privileged")
    review.tag_documents(case, [memo], "Hot")
    everything = stored_redactions(case)
    assert redact.remove(case, memo, [box.id]) == 1
    assert [m.id for m in redact.document_marks(case, memo)] == []

    assert [(e.action, e.before, e.after) for e in audit.history(case, memo)] == [
        ("add redaction", "", "page 2: 60.25, 440, 260, 540.125 (PII)"),
        ("tag", "", "Hot"),
        ("delete redaction", "page 2: 60.25, 440, 260, 540.125 (PII)", ""),
    ]
    assert audit.next_undo(case) == "removing the box on page 2 of DOC-000001"
    assert audit.undo(case) == "Undid removing the box on page 2 of DOC-000001."
    assert stored_redactions(case) == everything  # same id, page, rectangle, reason, time and user
    assert audit.undo(case) == 'Undid tagging DOC-000001 "Hot".'
    assert audit.undo(case) == 'Undid redacting "merger plan" in DOC-000002 (Privileged).'
    assert [m.phrase for m in redact.document_marks(case, letter)] == []
    assert audit.undo(case) == "Undid redacting a box on page 2 of DOC-000001 (PII)."
    assert stored_redactions(case) == []
    assert audit.undo(case) is None
    memo_trail = audit.history(case, memo)
    assert [(e.action, e.undo, e.undone) for e in memo_trail] == [
        ("add redaction", False, True), ("tag", False, True), ("delete redaction", False, True),
        ("add redaction", True, False), ("untag", True, False), ("delete redaction", True, False),
    ]


def test_redacting_search_hits_is_one_undo_step(case: Case) -> None:
    ids = add_documents(case, 3)
    added = redact.add_hits(case, {ids[0]: ["Ann", "ann", "Bob"], ids[1]: ["Ann"]}, "PII", query="Ann OR Bob")
    assert added == 3
    assert audit.undo(case) == "Undid adding 3 redactions to 2 documents (PII)."
    assert stored_redactions(case) == []


def test_a_refused_redaction_change_leaves_no_trace(case: Case) -> None:
    [doc] = add_documents(case, 1)
    with pytest.raises(redact.RedactionError, match="There is no document with id 99"):
        redact.add_phrase(case, [doc, 99], "word")
    with pytest.raises(redact.RedactionError, match="The document has no redaction 7."):
        redact.remove(case, doc, [7])
    assert stored_redactions(case) == [] and audit.trail(case) == []


# --- saved searches, attorneys, settings ------------------------------------------------------------------

def test_saved_search_create_edit_delete_round_trip(case: Case) -> None:
    saved.save(case, "Merger docs", "merger")
    saved.save(case, "merger DOCS", "merger OR mergers", replace=True)  # keeps its first spelling and id
    [(search_id, name, query)] = searches(case)
    assert (name, query) == ("Merger docs", "merger OR mergers")
    saved.save(case, "Merger docs", "merger OR mergers", replace=True)  # no change: no undo step
    with pytest.raises(ReviewerError, match="There is already a saved search named 'Merger docs'"):
        saved.save(case, "merger docs", "x")
    saved.remove(case, "merger docs")
    assert searches(case) == []

    assert audit.undo(case) == 'Undid deleting the saved search "Merger docs".'
    assert searches(case) == [(search_id, "Merger docs", "merger OR mergers")]
    assert audit.undo(case) == 'Undid changing the saved search "Merger docs".'
    assert searches(case) == [(search_id, "Merger docs", "merger")]
    assert audit.undo(case) == 'Undid saving the search "Merger docs".'
    assert searches(case) == []
    assert audit.undo(case) is None


def test_attorney_add_remove_round_trip(case: Case) -> None:
    assert attorneys.add(case, ["Ada Quill <ADA@quill-law.example>", "@ortiz.example"]) == 2
    assert attorneys.add(case, ["ada@quill-law.example"]) == 0  # already marked: nothing to undo
    assert attorneys.remove(case, ["@ortiz.example", "nobody@x.example"]) == 1
    assert attorneys.attorneys(case) == ["ada@quill-law.example"]
    assert audit.undo(case) == "Undid unmarking @ortiz.example as an attorney."
    assert attorneys.attorneys(case) == ["@ortiz.example", "ada@quill-law.example"]
    assert audit.undo(case) == "Undid marking 2 people as attorneys."
    assert attorneys.attorneys(case) == []
    assert audit.undo(case) is None


def test_setting_changes_are_undone(case: Case) -> None:
    case.set_setting("control_prefix", "ACME")
    case.set_setting("review_note", "Second pass")
    case.set_setting("control_prefix", "ACME")  # unchanged: no undo step
    assert case.setting("control_prefix") == "ACME"
    assert audit.undo(case) == 'Undid setting "review_note" to "Second pass".'
    assert case.setting("review_note", "default") == "default"
    assert audit.undo(case) == 'Undid changing the setting "control_prefix" from "DOC" to "ACME".'
    assert case.setting("control_prefix") == "DOC"


# --- long jobs and the case-wide trail -------------------------------------------------------------------

def test_long_jobs_are_on_the_trail_and_undo_passes_over_them(case: Case) -> None:
    ids = add_documents(case, 3)
    review.tag_documents(case, ids, "Responsive")
    with case.db.session() as session:
        job = audit.record_job(session, Action.PRODUCTION, "production VOL001 DEF000001–DEF000003",
                               subject="VOL001")
        job.document_events(select(Document.id, Document.control, Document.control), Action.PRODUCTION)
    attorneys.add(case, ["ada@quill-law.example"])

    newest = audit.trail(case)
    assert [(e.summary, e.events, e.undoable) for e in newest] == [
        ("marking ada@quill-law.example as an attorney", 1, True),
        ("production VOL001 DEF000001–DEF000003", 4, False),
        ('tagging 3 documents "Responsive"', 3, True),
    ]
    assert {e.user for e in newest} == {os_user()}
    assert [e.action for e in audit.group_events(case, newest[1].id)] == ["production"] * 4
    assert [e.action for e in audit.history(case, ids[0])] == ["tag", "production"]

    assert audit.undo(case) == "Undid marking ada@quill-law.example as an attorney."
    assert audit.undo(case) == 'Undid tagging 3 documents "Responsive".'  # the production is passed over
    assert audit.undo(case) is None
    assert audit.next_undo(case) is None
    entries = audit.trail(case)
    assert [(e.summary, e.undo_of is not None, e.undone_by is not None) for e in entries] == [
        ('undoing tagging 3 documents "Responsive"', True, False),
        ("undoing marking ada@quill-law.example as an attorney", True, False),
        ("marking ada@quill-law.example as an attorney", False, True),
        ("production VOL001 DEF000001–DEF000003", False, False),
        ('tagging 3 documents "Responsive"', False, True),
    ]
    assert len(audit.trail(case, limit=2)) == 2


def test_a_job_record_commits_or_rolls_back_with_its_job(case: Case) -> None:
    with pytest.raises(RuntimeError), case.db.session() as session:
        audit.record_job(session, Action.INGEST, "ingest batch 1: 120 documents")
        raise RuntimeError("the ingest failed")
    assert audit.trail(case) == []
    with pytest.raises(ValueError, match="a reviewer action, not a long job"), case.db.session() as session:
        audit.record_job(session, Action.TAG, "tagging")
