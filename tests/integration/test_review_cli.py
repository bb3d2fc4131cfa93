"""The coding commands end to end on an ingested case: tag, tags, note, privilege, history, undo, export."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.core import inventory
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from tests.helpers import make_email, pdf_bytes

pytestmark = pytest.mark.both_databases


@pytest.fixture
def coded_case(case: Case, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A case with two loose files and an email with two attachments; its path and controls by file name."""
    source = tmp_path / "collection"
    source.mkdir()
    (source / "letter.txt").write_text("A letter about the motion to dismiss.", encoding="utf-8")
    (source / "memo.txt").write_text("A memo about the investigator's grudge.", encoding="utf-8")
    make_email(source / "advice.eml", "Advice on the motion", "See the attached draft.",
               attachments={"draft.pdf": pdf_bytes("Draft brief"), "notes.txt": b"Counsel's notes"})
    ingest(case, [source], IngestOptions(jobs=1))
    controls = {row["file_name"]: row["control"] for row in inventory.document_rows(case)}
    return str(case.location), controls


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `reviewer ARGS` in-process; exit code, standard output, and standard error on one line."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())


def tag_counts(capsys: pytest.CaptureFixture[str], case_path: str) -> dict[str, int]:
    code, out, _ = run(capsys, "tags", case_path, "--json")
    assert code == 0
    return {tag["name"]: tag["count"] for tag in json.loads(out)}


def test_tag_and_list_counts(coded_case, capsys) -> None:
    path, controls = coded_case
    code, _, err = run(capsys, "tag", path, "responsive", controls["letter.txt"],
                       controls["memo.txt"].lower())
    assert code == 0 and err == 'Tagged 2 documents "responsive".'
    code, _, err = run(capsys, "tag", path, "Responsive", controls["letter.txt"])
    assert err == 'Tagged 0 documents "Responsive"; the other 1 already had it.'
    counts = tag_counts(capsys, path)
    assert counts["Responsive"] == 2 and counts["Hot"] == 0
    assert list(counts)[:3] == ["Bias-related", "Privileged", "Relevant to motion to dismiss"]
    code, out, _ = run(capsys, "tags", path)
    assert code == 0 and "Relevant to motion to dismiss" in out


def test_tag_whole_families_and_remove(coded_case, capsys) -> None:
    path, controls = coded_case
    code, _, err = run(capsys, "tag", path, "Hot", controls["draft.pdf"], "--families")
    assert code == 0 and err == 'Tagged 3 documents "Hot".'
    code, _, err = run(capsys, "tag", path, "Hot", controls["advice.eml"], "--remove")
    assert err == 'Took "Hot" off 1 document.'
    assert tag_counts(capsys, path)["Hot"] == 2


def test_tag_refuses_unknown_controls_tags_and_missing_selection(coded_case, capsys) -> None:
    path, controls = coded_case
    assert run(capsys, "tag", path, "Hot", "DOC-999999") == (
        1, "", "error: No document DOC-999999 in this case.")
    assert run(capsys, "tag", path, "Lukewarm", controls["memo.txt"]) == (
        1, "", 'error: There is no tag named "Lukewarm" in this case.')
    code, _, err = run(capsys, "tag", path, "Hot")
    assert code == 1 and "Give either control numbers or --query" in err
    assert tag_counts(capsys, path)["Hot"] == 0


def test_note_privilege_history_and_undo(coded_case, case: Case, capsys) -> None:
    path, controls = coded_case
    control = controls["advice.eml"]
    assert run(capsys, "note", path, control, "Ask Ada who drafted this.")[0] == 0
    code, _, err = run(capsys, "privilege", path, control, "--basis", "attorney-client",
                       "--description", "Legal advice on the motion to dismiss")
    assert code == 0 and err == "Recorded the privilege basis of 1 document."

    code, out, _ = run(capsys, "history", path, control, "--json")
    events = json.loads(out)
    assert [(e["action"], e["before"], e["after"]) for e in events] == [
        ("note", "", "Ask Ada who drafted this."),
        ("privilege", "", "Attorney-Client: Legal advice on the motion to dismiss"),
        ("tag", "", "Privileged"),
    ]
    assert {e["user"] for e in events} == {case.user}  # the OS user, or the login on a shared case
    assert run(capsys, "history", path, control)[1].count("Privileged") == 1

    assert run(capsys, "undo", path) == (0, "", f"Undid marking {control} privileged (Attorney-Client).")
    assert run(capsys, "undo", path) == (0, "", f"Undid adding a note to {control}.")
    assert run(capsys, "undo", path) == (0, "", "Nothing to undo.")
    code, out, _ = run(capsys, "history", path, control, "--json")
    assert [(e["action"], e["undo"], e["undone"]) for e in json.loads(out)] == [
        ("note", False, True), ("privilege", False, True), ("tag", False, True),
        ("privilege", True, False), ("untag", True, False), ("delete note", True, False),
    ]


def test_privilege_refuses_an_unknown_basis(coded_case, capsys) -> None:
    path, controls = coded_case
    code, _, err = run(capsys, "privilege", path, controls["memo.txt"], "--basis", "Spousal")
    assert code == 1
    assert err == ('error: "Spousal" is not a privilege basis; use one of Attorney-Client, Work Product, '
                   "Common Interest, Other.")


def test_tag_management_commands(coded_case, capsys) -> None:
    path, controls = coded_case
    assert run(capsys, "tag-new", path, "Follow up", "--hotkey", "8")[0] == 0
    assert run(capsys, "tag", path, "follow up", controls["memo.txt"])[0] == 0
    assert run(capsys, "tag-edit", path, "Follow up", "--rename", "Follow-up", "--color", "#123456")[0] == 0
    assert run(capsys, "tag-edit", path, "Follow-up", "--hotkey", "1") == (
        1, "", 'error: Hotkey 1 is already used by "Bias-related".')
    code, out, _ = run(capsys, "tags", path, "--json")
    follow = json.loads(out)[-1]
    assert (follow["name"], follow["color"], follow["hotkey"], follow["count"]) == (
        "Follow-up", "#123456", "8", 1)
    assert run(capsys, "tag-delete", path, "follow-up") == (
        0, "", 'Deleted the tag "follow-up" from 1 document.')
    assert "Follow-up" not in tag_counts(capsys, path)
    assert run(capsys, "undo", path)[2] == 'Undid deleting the tag "Follow-up" from 1 document.'
    assert tag_counts(capsys, path)["Follow-up"] == 1


def test_export_csv_has_metadata_tags_privilege_and_notes(coded_case, capsys, tmp_path: Path) -> None:
    path, controls = coded_case
    run(capsys, "tag", path, "Responsive", controls["letter.txt"], controls["advice.eml"])
    run(capsys, "tag", path, "Hot", controls["advice.eml"])
    run(capsys, "note", path, controls["advice.eml"], "First, look at the date.")
    run(capsys, "note", path, controls["advice.eml"], "Then the signature.")
    run(capsys, "privilege", path, controls["draft.pdf"], "--basis", "Work Product",
        "--description", "Draft brief")
    target = tmp_path / "coding.csv"
    code, _, err = run(capsys, "export", path, "--csv", str(target))
    assert code == 0 and err == f"Wrote 5 documents to {target}."
    with target.open(encoding="utf-8-sig", newline="") as stream:
        rows = {row["control"]: row for row in csv.DictReader(stream)}
    advice = rows[controls["advice.eml"]]
    assert advice["subject"] == "Advice on the motion" and advice["file_name"] == "advice.eml"
    assert advice["tags"] == "Responsive; Hot"
    assert advice["notes"] == "First, look at the date.\nThen the signature."
    draft = rows[controls["draft.pdf"]]
    assert (draft["tags"], draft["privilege_basis"], draft["privilege_description"]) == (
        "Privileged", "Work Product", "Draft brief")
    assert draft["parent"] == controls["advice.eml"]
    assert rows[controls["memo.txt"]]["tags"] == ""


def test_query_selects_what_search_finds(coded_case, capsys, tmp_path: Path) -> None:
    path, controls = coded_case
    code, _, err = run(capsys, "tag", path, "Relevant to motion to dismiss", "--query", "dismiss")
    assert (code, err) == (0, 'Tagged 1 document "Relevant to motion to dismiss".')
    code, _, err = run(capsys, "tag", path, "Hot", "--query", 'subject:motion', "--families")
    assert (code, err) == (0, 'Tagged 3 documents "Hot".')
    target = tmp_path / "hot.csv"
    assert run(capsys, "export", path, "--query", 'tag:"Hot" AND brief', "--csv", str(target))[0] == 0
    with target.open(encoding="utf-8-sig", newline="") as stream:
        assert [(row["control"], row["tags"]) for row in csv.DictReader(stream)] == [
            (controls["draft.pdf"], "Hot")]
    code, _, err = run(capsys, "tag", path, "Hot", "--query", "(motion")
    assert code == 1 and err.startswith("error:")


def test_the_installed_command_runs_the_same_round_trip(coded_case) -> None:
    path, controls = coded_case

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True)

    assert cli("tag", path, "Bias-related", controls["memo.txt"]).returncode == 0
    listed = cli("tags", path, "--json")
    assert {t["name"]: t["count"] for t in json.loads(listed.stdout)}["Bias-related"] == 1
    undone = cli("undo", path)
    assert undone.returncode == 0 and "Undid tagging" in undone.stderr


def test_the_case_wide_trail_lists_every_action_newest_first(coded_case, capsys) -> None:
    path, controls = coded_case
    run(capsys, "tag", path, "Hot", controls["memo.txt"])
    run(capsys, "attorneys", path, "--add", "@quill-law.example")
    run(capsys, "save-search", path, "Memos", "memo")
    run(capsys, "undo", path)
    code, out, _ = run(capsys, "history", path, "--all", "--json")
    assert code == 0
    trail = json.loads(out)
    assert [(e["summary"], e["events"], e["undoable"], e["undone_by"] is not None) for e in trail] == [
        ('undoing saving the search "Memos"', 1, True, False),
        ('saving the search "Memos"', 1, True, True),
        ("marking @quill-law.example as an attorney", 1, True, False),
        (f'tagging {controls["memo.txt"]} "Hot"', 1, True, False),
        ("ingest batch 1: 5 documents, 0 duplicates, 0 exceptions", 1, False, False),  # a long job
    ]
    code, out, _ = run(capsys, "history", path, "--all", "--limit", "1")
    assert code == 0 and "Memos" in out and "attorney" not in out  # the table wraps to the terminal
    assert run(capsys, "history", path) == (
        1, "", "error: Give a document's control number, or --all for the whole case's trail.")
