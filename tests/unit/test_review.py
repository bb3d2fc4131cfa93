"""Coding on a real case database: default tags, tagging selections and families, privilege, notes, the
audit trail, undo, and a 10,000-document batch."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select

from reviewer.core import audit, review
from reviewer.core.case import DB_NAME, Case, now
from reviewer.core.db import Database
from reviewer.core.errors import CaseLockedError, ReviewerError
from reviewer.core.migrate import migrations_dir
from reviewer.core.models import Document
from reviewer.core.team.server import os_user
from tests.databases import insert_with_ids


def add_documents(case: Case, count: int, family_size: int = 1) -> list[int]:
    """Document rows written straight to the database (ingest would take minutes for 10,000); each run of
    `family_size` documents is one family whose first document is the parent."""
    with case.db.reader() as session:
        start = (session.scalar(select(Document.id).order_by(Document.id.desc())) or 0) + 1
    ids = list(range(start, start + count))
    rows = []
    for doc_id in ids:
        parent = doc_id - (doc_id - start) % family_size
        rows.append({
            "id": doc_id, "control": f"DOC-{doc_id:06d}", "family_id": parent,
            "parent_id": None if parent == doc_id else parent, "md5": "0" * 32, "sha1": "0" * 40,
            "sha256": f"{doc_id:064d}", "dedup_key": str(doc_id), "size": 10,
            "source_path": f"/in/{doc_id}.txt", "file_name": f"{doc_id}.txt", "added": now(),
        })
    with case.db.session() as session:
        insert_with_ids(session, Document, rows)
    return ids


def tags_of(case: Case, doc_ids: list[int]) -> dict[int, list[str]]:
    return {doc_id: review.coding(case, doc_id).tags for doc_id in doc_ids}


def tag_count(case: Case, name: str) -> int:
    return next(tag.count for tag in review.list_tags(case) if tag.name == name)


# --- the tag set ---------------------------------------------------------------------------------------

def test_a_new_case_starts_with_the_requested_coding_set(case: Case) -> None:
    tags = review.list_tags(case)
    assert [(t.name, t.hotkey) for t in tags] == [
        ("Bias-related", "1"), ("Privileged", "2"), ("Relevant to motion to dismiss", "3"),
        ("Responsive", "4"), ("Not responsive", "5"), ("Hot", "6"), ("Needs redaction", "7"),
    ]
    assert all(t.count == 0 and t.color.startswith("#") for t in tags)
    assert review.PRIVILEGE_BASES == ("Attorney-Client", "Work Product", "Common Interest", "Other")


def test_a_case_made_before_coding_existed_is_upgraded_and_seeded_on_open(tmp_path: Path) -> None:
    root = tmp_path / "old-case"
    root.mkdir()
    database = Database.sqlite(root / DB_NAME, root.name, os_user())
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")  # the schema before privilege entries and the audit trail
    database.close()
    with Case.open(root) as opened:
        assert [t.hotkey for t in review.list_tags(opened)][:3] == ["1", "2", "3"]
        [doc] = add_documents(opened, 1)
        review.set_privilege(opened, [doc], "Other", "Joint defence")
        assert audit.undo(opened) == "Undid marking DOC-000001 privileged (Other)."


def test_tags_a_team_deleted_stay_deleted(case: Case) -> None:
    for tag in review.list_tags(case):
        review.delete_tag(case, tag.name)
    with Case.open(case.root) as reopened:
        assert review.list_tags(reopened) == []


def test_create_rename_recolour_rekey_and_regroup_tags(case: Case) -> None:
    created = review.create_tag(case, "  Follow   up ", group="Review", hotkey="8")
    assert (created.name, created.hotkey, created.position) == ("Follow up", "8", 8)
    assert created.color not in {t.color for t in review.list_tags(case) if t.id != created.id}
    review.rename_tag(case, "follow up", "Follow-up")
    review.recolor_tag(case, "Follow-up", "#ABCDEF")
    review.set_tag_hotkey(case, "Follow-up", "f")
    review.set_tag_group(case, "Follow-up", "Later")
    last = review.list_tags(case)[-1]
    assert (last.name, last.color, last.hotkey, last.group) == ("Follow-up", "#abcdef", "F", "Later")


@pytest.mark.parametrize(("change", "message"), [
    (lambda c: review.create_tag(c, "hot"), 'There is already a tag named "hot".'),
    (lambda c: review.create_tag(c, "Later", hotkey="1"), 'Hotkey 1 is already used by "Bias-related".'),
    (lambda c: review.create_tag(c, "   "), "A tag needs a name."),
    (lambda c: review.rename_tag(c, "Hot", "responsive"), 'There is already a tag named "responsive".'),
    (lambda c: review.recolor_tag(c, "Hot", "red"), '"red" is not a colour; give one as #RRGGBB'),
    (lambda c: review.set_tag_hotkey(c, "Hot", "F5"), '"F5" cannot be a hotkey; use a single digit'),
    (lambda c: review.set_tag_hotkey(c, "Hot", "2"), 'Hotkey 2 is already used by "Privileged".'),
    (lambda c: review.tag_documents(c, [1], "Lukewarm"), 'There is no tag named "Lukewarm" in this case.'),
])
def test_tag_mistakes_are_refused_in_one_sentence(case: Case, change, message: str) -> None:
    add_documents(case, 1)
    before = review.list_tags(case)
    with pytest.raises(ReviewerError, match=re.escape(message)):
        change(case)
    assert review.list_tags(case) == before
    assert audit.next_undo(case) is None  # a refused change leaves no trace in the trail


# --- coding documents ----------------------------------------------------------------------------------

def test_tag_and_untag_a_selection(case: Case) -> None:
    ids = add_documents(case, 5)
    assert review.tag_documents(case, ids[:3], "responsive") == 3
    assert review.tag_documents(case, ids[:4], "Responsive") == 1  # only the fourth was missing it
    assert tag_count(case, "Responsive") == 4
    assert review.tag_documents(case, [ids[1]], "Responsive", add=False) == 1
    assert tags_of(case, ids) == {ids[0]: ["Responsive"], ids[1]: [], ids[2]: ["Responsive"],
                                  ids[3]: ["Responsive"], ids[4]: []}


def test_tags_are_listed_in_display_order_whatever_order_they_were_applied(case: Case) -> None:
    [doc] = add_documents(case, 1)
    for name in ("Needs redaction", "Bias-related", "Hot"):
        review.tag_documents(case, [doc], name)
    assert review.coding(case, doc).tags == ["Bias-related", "Hot", "Needs redaction"]


def test_families_expand_to_every_member(case: Case) -> None:
    ids = add_documents(case, 6, family_size=3)  # two families: ids[0..2] and ids[3..5]
    assert review.tag_documents(case, [ids[1]], "Hot", families=True) == 3
    assert [doc for doc, tags in tags_of(case, ids).items() if tags] == ids[:3]
    assert review.tag_documents(case, [ids[0]], "Hot", add=False, families=True) == 3
    assert tag_count(case, "Hot") == 0


def test_toggle_applies_to_all_unless_all_have_it(case: Case) -> None:
    ids = add_documents(case, 2)
    review.tag_documents(case, [ids[0]], "Hot")
    assert review.toggle_tag(case, ids, "Hot") is True
    assert tag_count(case, "Hot") == 2
    assert review.toggle_tag(case, ids, "Hot") is False
    assert tag_count(case, "Hot") == 0


def test_privilege_basis_and_description(case: Case) -> None:
    ids = add_documents(case, 3)
    assert review.set_privilege(case, ids[:2], "work product", "  Draft reviewed by counsel ") == 2
    first = review.coding(case, ids[0])
    assert first.privilege_basis == "Work Product"
    assert first.privilege_description == "Draft reviewed by counsel"
    assert first.tags == ["Privileged"]  # recording a basis is deciding the document is privileged
    assert review.coding(case, ids[2]).privilege_basis == ""
    assert review.set_privilege(case, [ids[0]], None) == 1
    cleared = review.coding(case, ids[0])
    assert (cleared.privilege_basis, cleared.privilege_description) == ("", "")


def test_an_unknown_privilege_basis_is_refused_with_the_choices(case: Case) -> None:
    ids = add_documents(case, 1)
    with pytest.raises(ReviewerError) as error:
        review.set_privilege(case, ids, "Spousal")
    assert str(error.value) == ('"Spousal" is not a privilege basis; use one of Attorney-Client, '
                                "Work Product, Common Interest, Other.")
    assert review.coding(case, ids[0]).privilege_basis == ""


def test_notes(case: Case) -> None:
    [doc] = add_documents(case, 1)
    review.add_note(case, doc, "Ask Ada about the date.")
    review.add_note(case, doc, "  Second look: fine. ")
    found = review.notes(case, doc)
    assert [n.text for n in found] == ["Ask Ada about the date.", "Second look: fine."]
    assert found[0].user == os_user()
    assert review.coding(case, doc).notes == found
    with pytest.raises(ReviewerError, match="A note needs some text."):
        review.add_note(case, doc, "   ")
    with pytest.raises(ReviewerError, match="There is no document with id 999"):
        review.add_note(case, 999, "lost")


def test_resolve_controls(case: Case) -> None:
    ids = add_documents(case, 3)
    assert review.resolve_controls(case, [" doc-000003", "DOC-000001", "DOC-000003"]) == [ids[2], ids[0]]
    with pytest.raises(ReviewerError, match="No document DOC-000009 in this case."):
        review.resolve_controls(case, ["DOC-000001", "DOC-000009"])


# --- the audit trail and undo --------------------------------------------------------------------------

def test_every_change_is_an_audit_event_with_user_and_before_after(case: Case) -> None:
    [doc] = add_documents(case, 1)
    review.tag_documents(case, [doc], "Hot")
    review.set_privilege(case, [doc], "Attorney-Client", "Advice on the motion")
    review.set_privilege(case, [doc], "Work Product")
    review.add_note(case, doc, "Check the date")
    review.tag_documents(case, [doc], "Hot", add=False)
    events = audit.history(case, doc)
    assert [(e.action, e.before, e.after) for e in events] == [
        ("tag", "", "Hot"),
        ("privilege", "", "Attorney-Client: Advice on the motion"),
        ("tag", "", "Privileged"),
        ("privilege", "Attorney-Client: Advice on the motion", "Work Product"),
        ("note", "", "Check the date"),
        ("untag", "Hot", ""),
    ]
    assert {e.user for e in events} == {os_user()}
    assert all(e.control == "DOC-000001" and not e.undo and not e.undone for e in events)
    assert events[0].at <= events[-1].at


def test_undo_of_a_batch_restores_exactly_the_previous_state(case: Case) -> None:
    ids = add_documents(case, 6, family_size=2)
    review.tag_documents(case, [ids[1], ids[4]], "Hot")  # these had the tag before the batch
    review.tag_documents(case, [ids[2]], "Responsive")
    before = tags_of(case, ids)

    assert review.tag_documents(case, ids, "Hot") == 4
    assert audit.next_undo(case) == 'tagging 4 documents "Hot"'
    assert audit.undo(case) == 'Undid tagging 4 documents "Hot".'

    assert tags_of(case, ids) == before
    assert before[ids[1]] == ["Hot"] and before[ids[4]] == ["Hot"]
    assert audit.undo(case) == 'Undid tagging DOC-000003 "Responsive".'
    assert audit.undo(case) == 'Undid tagging 2 documents "Hot".'
    assert audit.undo(case) is None
    assert tag_count(case, "Hot") == tag_count(case, "Responsive") == 0


def test_the_undo_itself_is_recorded(case: Case) -> None:
    [doc] = add_documents(case, 1)
    review.tag_documents(case, [doc], "Hot")
    audit.undo(case)
    tagged, undone = audit.history(case, doc)
    assert (tagged.action, tagged.undone, tagged.undo) == ("tag", True, False)
    assert (undone.action, undone.before, undone.after, undone.undo) == ("untag", "Hot", "", True)
    assert undone.user == os_user()


def test_undo_restores_privilege_notes_and_tag_edits(case: Case) -> None:
    ids = add_documents(case, 2)
    review.set_privilege(case, ids, "Attorney-Client", "Advice")
    review.set_privilege(case, ids, "Common Interest")
    review.add_note(case, ids[0], "A thought")
    review.rename_tag(case, "Hot", "Very hot")
    review.set_tag_hotkey(case, "Very hot", "9")

    assert audit.undo(case) == 'Undid setting the hotkey of "Very hot" to "9".'
    assert audit.undo(case) == 'Undid renaming the tag "Hot" to "Very hot".'
    assert [(t.name, t.hotkey) for t in review.list_tags(case)][5] == ("Hot", "6")
    audit.undo(case)
    assert review.notes(case, ids[0]) == []
    audit.undo(case)
    coded = review.coding(case, ids[1])
    assert (coded.privilege_basis, coded.privilege_description, coded.tags) == ("Attorney-Client", "Advice",
                                                                                 ["Privileged"])
    audit.undo(case)
    coded = review.coding(case, ids[1])
    assert (coded.privilege_basis, coded.tags) == ("", [])


def test_a_deleted_tag_comes_back_with_undo(case: Case) -> None:
    ids = add_documents(case, 3)
    review.tag_documents(case, ids[:2], "Hot")
    before = review.list_tags(case)
    assert review.delete_tag(case, "hot") == 2
    assert "Hot" not in [t.name for t in review.list_tags(case)]
    assert [(e.action, e.before) for e in audit.history(case, ids[0])][-1] == ("untag", "Hot")
    assert audit.undo(case) == 'Undid deleting the tag "Hot" from 2 documents.'
    assert review.list_tags(case) == before
    assert tags_of(case, ids) == {ids[0]: ["Hot"], ids[1]: ["Hot"], ids[2]: []}


def test_a_change_that_changes_nothing_is_not_an_undo_step(case: Case) -> None:
    ids = add_documents(case, 2)
    review.tag_documents(case, ids, "Hot")
    review.tag_documents(case, ids, "Hot")
    review.set_privilege(case, ids, None)
    assert audit.undo(case) == 'Undid tagging 2 documents "Hot".'


# --- scale and concurrency -----------------------------------------------------------------------------

def test_ten_thousand_documents_are_tagged_and_undone_in_one_step(case: Case) -> None:
    ids = add_documents(case, 10_000, family_size=4)
    review.tag_documents(case, ids[:100], "Responsive")
    started = time.perf_counter()
    assert review.tag_documents(case, ids, "Responsive") == 9_900
    elapsed = time.perf_counter() - started
    assert tag_count(case, "Responsive") == 10_000
    assert elapsed < 2.0, f"tagging 10,000 documents took {elapsed:.2f} s"  # ~0.15 s measured; CI is slower
    assert audit.undo(case) == 'Undid tagging 9,900 documents "Responsive".'
    assert tag_count(case, "Responsive") == 100
    assert review.tag_documents(case, [ids[5]], "Hot", families=True) == 4


def test_coding_does_not_wait_for_an_ingest_holding_the_writer_lock(case: Case) -> None:
    [doc] = add_documents(case, 1)
    with Case.open(case.root) as ingesting, ingesting.writing():
        with pytest.raises(CaseLockedError):
            case.acquire_lock()
        assert review.tag_documents(case, [doc], "Hot") == 1


def test_coding_waits_out_another_short_write_transaction(case: Case) -> None:
    [doc] = add_documents(case, 1)
    holding = threading.Event()

    def short_writer() -> None:
        connection = sqlite3.connect(case.db.path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(0.3)
        connection.execute("COMMIT")
        connection.close()

    writer = threading.Thread(target=short_writer)
    writer.start()
    holding.wait()
    assert review.tag_documents(case, [doc], "Hot") == 1
    writer.join()
    assert review.coding(case, doc).tags == ["Hot"]


# --- export ------------------------------------------------------------------------------------------

def test_export_rows_carry_metadata_and_coding(case: Case) -> None:
    ids = add_documents(case, 3)
    review.tag_documents(case, ids[:2], "Responsive")
    review.tag_documents(case, [ids[0]], "Hot")
    review.set_privilege(case, [ids[1]], "Other", "Settlement talks")
    review.add_note(case, ids[0], "first")
    review.add_note(case, ids[0], "second")
    rows = {row["control"]: row for row in review.export_rows(case)}
    assert rows["DOC-000001"]["file_name"] == "1.txt"
    assert rows["DOC-000001"]["tags"] == ["Responsive", "Hot"]
    assert rows["DOC-000001"]["notes"] == "first\nsecond"
    assert (rows["DOC-000002"]["privilege_basis"], rows["DOC-000002"]["privilege_description"]) == (
        "Other", "Settlement talks")
    assert rows["DOC-000003"]["tags"] == []
    chosen = review.export_rows(case, [ids[2], ids[0]])
    assert [row["control"] for row in chosen] == ["DOC-000001", "DOC-000003"]
