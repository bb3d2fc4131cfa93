"""`reviewer share`: a case folder copied to PostgreSQL and a shared folder, every row and file verified,
the case folder left exactly as it was; and what it refuses."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from reviewer.cli import main
from reviewer.core import audit, review
from reviewer.core.analytics import prioritize, run
from reviewer.core.analytics.prioritize import QuestionChoices
from reviewer.core.case import Case
from reviewer.core.casebuild import facts, highlights, people
from reviewer.core.casebuild.people_edits import merge_people
from reviewer.core.db import sqlite_engine
from reviewer.core.errors import CancelledError, CaseError
from reviewer.core.models import Base, Document, Note, Tag
from reviewer.core.progress import CancelToken, ProgressUpdate
from reviewer.core.search.service import SearchService
from reviewer.core.store import copy_file
from reviewer.core.team.batch_sets import create_batch_set
from reviewer.core.team.batches import batches, check_out_next
from reviewer.core.team.casefile import Server, parse_address
from reviewer.core.team.share import share, verify_files
from tests.databases import PostgresServer
from tests.team.conftest import address


@pytest.fixture
def worked_case(local_case: Path) -> Path:
    """The case folder worked on in every area: threads and near-duplicates, people merged (the survivor
    the later one, so a row points forward), a fact naming a person, a highlight, a batch set checked
    out, a prioritized review with a decision."""
    with Case.open(local_case) as case:
        run.analyze(case)
        first, *_rest, last = [person.id for person in people.list_people(case)]
        merge_people(case, [last, first])
        with case.db.reader() as session:
            memo = session.scalar(select(Document.id).where(Document.file_name == "memo.pdf"))
        highlights.add_highlight(case, highlights.place_phrase(case, memo, "motion to dismiss")[0], ["1"])
        facts.add_fact(case, "2021-06-14", "The warrant was served late", issues=["1"], people=[last])
        create_batch_set(case, "First pass", range(1, 7), 2)
        check_out_next(case, user="ana")
        review.create_tag(case, "Motion")
        prioritize.set_up(case, "Motion", QuestionChoices(seed=1))
        prioritize.decide(case, "Motion", [memo], True)
    return local_case


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of a folder by its SHA-256 (the lock file aside: it only says who last held the lock)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "case.lock"}


def row_counts(engine) -> dict[str, int]:
    try:
        with engine.connect() as connection:
            return {table.name: connection.scalar(select(func.count()).select_from(table))
                    for table in Base.metadata.sorted_tables}
    finally:
        engine.dispose()  # a connection left open would keep SQLite's -wal and -shm files beside the case


def test_share_copies_and_verifies_everything_and_leaves_the_case_folder_as_it_was(
        worked_case: Path, database: Callable[[], Server], postgres: PostgresServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprint(worked_case)
    expected = row_counts(sqlite_engine(worked_case / "case.sqlite"))
    target = database()
    case_file = tmp_path / "matter.reviewer"
    code = main(["share", str(worked_case), "--database", address(postgres, target), "--store",
                 str(tmp_path / "store"), "--out", str(case_file), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["rows"] == expected and sum(expected.values()) > 50
    assert report["files"] == len([p for p in before if p.split("/")[0] in ("natives", "text", "index")])
    assert report["documents"] == expected["document"] == 6
    assert fingerprint(worked_case) == before  # not a byte of the case folder changed
    # The server has the same rows, one setting more (the id of its shared folder) and its first member,
    # who shared it, its admin.
    assert row_counts(postgres.engine(target)) == {**expected, "setting": expected["setting"] + 1,
                                                   "case_user": 1}

    written = json.loads(case_file.read_text())
    # No login, no password.
    assert set(written) == {"reviewer", "version", "server", "port", "database", "store"}
    with Case.open(case_file) as shared, Case.open(worked_case) as local:
        assert shared.shared and shared.name == "Shared matter"
        assert review.export_rows(shared) == review.export_rows(local)
        assert [e.summary for e in audit.trail(shared)] == [e.summary for e in audit.trail(local)]
        # Every area's work came along: people as merged, the chronology, batches, the prioritized review.
        assert people.list_people(shared) == people.list_people(local)
        assert facts.list_facts(shared) == facts.list_facts(local) and len(facts.list_facts(shared)) == 1
        assert [(b.name, b.assignee, b.status) for b in batches(shared)] == [
            (b.name, b.assignee, b.status) for b in batches(local)]
        assert prioritize.state(shared, "Motion") == prioritize.state(local, "Motion")
        # The index came along: searching needs no repair, and finds what the case folder finds.
        with SearchService.open(shared) as service:
            assert service.repaired is None
            assert service.count("warrant") == 3
        # New rows get ids past the copied ones (the sequences were moved on).
        note = review.add_note(shared, 1, "Written on the server.")
        assert note.id > max(n.id for n in review.notes(local, 1))
        assert review.create_tag(shared, "Second look").id > 8
        assert audit.undo(shared) == 'Undid creating the tag "Second look".'


def test_share_refuses_a_database_or_a_folder_that_is_not_empty(
        local_case: Path, database: Callable[[], Server], postgres: PostgresServer, tmp_path: Path) -> None:
    used = database()
    with postgres.engine(used).begin() as connection:
        connection.execute(text("CREATE TABLE something (id integer)"))
    with pytest.raises(CaseError, match=rf"The database {used.database} on .* is not empty"):
        share(local_case, parse_address(address(postgres, used)), tmp_path / "store")
    assert not (tmp_path / "store").exists()

    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "old.txt").write_text("someone else's")
    fresh = database()
    with pytest.raises(CaseError, match="busy is not empty"):
        share(local_case, parse_address(address(postgres, fresh)), tmp_path / "busy")
    with postgres.engine(fresh).connect() as connection:
        assert inspect(connection).get_table_names() == []


def test_share_refuses_a_case_whose_original_was_altered_or_whose_text_is_missing(
        local_case: Path, database: Callable[[], Server], postgres: PostgresServer, tmp_path: Path) -> None:
    with Case.open(local_case) as case, case.db.reader() as session:
        memo = session.scalars(select(Document).where(Document.file_name == "memo.pdf")).one()
        native, text_file = case.natives.path_for(memo.sha256), case.texts.path_for(memo.control, memo.id)
    os.chmod(native, 0o644)
    native.write_bytes(native.read_bytes() + b"tampered")
    text_file.unlink()
    target = database()
    with pytest.raises(CaseError) as refused:
        share(local_case, parse_address(address(postgres, target)), tmp_path / "store")
    message = str(refused.value)
    assert f"{memo.control}: its stored original no longer matches the SHA-256 taken at ingest" in message
    assert f"{memo.control}: its extracted text is missing" in message and "reviewer check" in message
    # Nothing of the attempt is left: the folder is gone and the database holds no table.
    assert not (tmp_path / "store").exists()
    with postgres.engine(target).connect() as connection:
        assert inspect(connection).get_table_names() == []


def test_a_share_stopped_while_copying_rows_leaves_nothing_behind(
        local_case: Path, database: Callable[[], Server], postgres: PostgresServer, tmp_path: Path) -> None:
    token = CancelToken()
    seen: list[str] = []

    def progress(update: ProgressUpdate) -> None:
        seen.append(update.stage)
        if update.stage == "copy rows" and update.done == 3:
            token.cancel()

    target = database()
    (tmp_path / "store").mkdir()  # an empty folder given: emptied again, not removed
    with pytest.raises(CancelledError):
        share(local_case, parse_address(address(postgres, target)), tmp_path / "store", progress=progress,
              cancel=token)
    assert "copy rows" in seen
    assert list((tmp_path / "store").iterdir()) == []
    with postgres.engine(target).connect() as connection:  # the schema went with the rows: all or nothing
        assert inspect(connection).get_table_names() == []
    # And sharing again simply works.
    report = share(local_case, parse_address(address(postgres, target)), tmp_path / "store")
    assert report.rows["document"] == 6


def test_verification_finds_a_copy_that_is_missing_or_altered(local_case: Path, tmp_path: Path) -> None:
    copied = {}
    for source in sorted((local_case / "text").rglob("*.txt"))[:3]:
        relative = source.relative_to(local_case)
        copied[relative] = copy_file(source, tmp_path / "copy" / relative)
    assert verify_files(tmp_path / "copy", copied) == []
    gone, changed, _kept = list(copied)
    (tmp_path / "copy" / gone).unlink()
    (tmp_path / "copy" / changed).write_text("something else", encoding="utf-8")
    assert verify_files(tmp_path / "copy", copied) == [f"{gone} is missing",
                                                       f"{changed} differs from the original"]


def test_share_creates_the_database_when_the_server_has_none(local_case: Path, postgres: PostgresServer,
                                                             tmp_path: Path) -> None:
    name = f"created_{os.getpid()}"
    where = Server(postgres.host, postgres.port, name)
    try:
        report = share(local_case, parse_address(address(postgres, where)), tmp_path / "store",
                       tmp_path / "new.reviewer")
        assert report.rows["document"] == 6
        with Case.open(tmp_path / "new.reviewer") as case, case.db.reader() as session:
            assert session.scalar(select(func.count()).select_from(Note)) == 1
            assert "Impeachment" in session.scalars(select(Tag.name)).all()
    finally:
        postgres.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
