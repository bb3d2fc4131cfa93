"""Users and roles of a shared case on a real PostgreSQL server: what each role may do, refused by core in
one sentence and by the server itself when a login goes behind Reviewer's back; assigned-only reviewers;
the users commands; the trail names who did what."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import errors as pg_errors

from reviewer.cli import main
from reviewer.core import audit, review
from reviewer.core.analytics import prioritize, training
from reviewer.core.analytics.prioritize import QuestionChoices
from reviewer.core.case import Case
from reviewer.core.errors import CaseError, CaseLockedError
from reviewer.core.ingest.pipeline import ingest
from reviewer.core.produce import redact
from reviewer.core.produce.production import ProductionSettings, produce
from reviewer.core.search import saved
from reviewer.core.search.service import SearchService
from reviewer.core.team import batches, qc, server, users
from reviewer.core.team.access import NotAllowedError
from reviewer.core.team.batch_sets import create_batch_set
from reviewer.core.team.casefile import CaseFile, ServerAddress
from tests.databases import PostgresServer
from tests.team.test_migrations import old_shared_case

PASSWORD = "a long and secret phrase"


def member(case_file: Path, role: str, assigned_only: bool = False) -> str:
    """A new login, added to the case by its admin (through the command) with a password."""
    login = f"u{uuid.uuid4().hex[:8]}"
    flags = ["--assigned-only"] if assigned_only else []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("getpass.getpass", lambda _prompt="": PASSWORD)
        assert main(["user-add", str(case_file), login, "--role", role, "--password-prompt", *flags]) == 0
    return login


@pytest.fixture
def as_login() -> Iterator[Callable[[Path, str], Case]]:
    """Opens a case as another login, as that person's machine would, with their password."""
    opened: list[Case] = []

    def open_as(case_file: Path, login: str) -> Case:
        described = CaseFile.read(case_file)
        case = Case.open_shared(case_file, described,
                                connection=ServerAddress(described.server, login, PASSWORD))
        opened.append(case)
        return case

    yield open_as
    for case in opened:
        case.close()


@contextmanager
def raw(case_file: Path, login: str) -> Iterator[psycopg.Connection]:
    """The login's own connection to the case database, behind Reviewer's back (psql, a script)."""
    where = CaseFile.read(case_file).server
    with psycopg.connect(host=where.host, port=where.port, dbname=where.database, user=login,
                         password=PASSWORD, autocommit=True) as connection:
        yield connection


def test_a_reviewer_codes_but_cannot_ingest_produce_or_edit_tags_neither_in_core_nor_through_sql(
        shared_case: Path, postgres: PostgresServer, as_login: Callable[[Path, str], Case],
        tmp_path: Path) -> None:
    login = member(shared_case, "reviewer")
    case = as_login(shared_case, login)
    assert review.tag_documents(case, [3], "Responsive") == 1  # coding is what a reviewer is for
    review.add_note(case, 3, "Check the date.")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "new.txt").write_text("A new document.\n")
    refusal = rf"^Only an admin can {{}}; {login} is a reviewer in this case \(ask its admin"
    with pytest.raises(NotAllowedError, match=refusal.format("ingest documents")):
        ingest(case, [tmp_path / "more"])
    with pytest.raises(NotAllowedError, match=refusal.format("produce documents")):
        produce(case, [1, 2], ProductionSettings(name="VOL001", prefix="DEF", out_dir=tmp_path / "out"))
    with pytest.raises(NotAllowedError, match=refusal.format("create tags")):
        review.create_tag(case, "Mine")
    # Core checks every action it records, so an entry point that forgot to ask is refused as well.
    with pytest.raises(NotAllowedError, match=r'^Only an admin can record "setting"'):
        with audit.recording(case) as change:
            change.event(audit.Action.SETTING, subject="name", before="Shared matter", after="Mine")
            change.describe("renaming the case")
    assert case.name == "Shared matter" and not (tmp_path / "out").exists()
    assert "Mine" not in {t.name for t in review.list_tags(case)}

    # The server refuses the same login's writes to what only an admin changes.
    with raw(shared_case, login) as connection:
        for table in ("production", "document", "tag", "case_user", "ingest_batch"):
            with pytest.raises(pg_errors.InsufficientPrivilege, match=f"permission denied for table {table}"):
                connection.execute(f"INSERT INTO {table} DEFAULT VALUES")
        with pytest.raises(pg_errors.InsufficientPrivilege):
            connection.execute("UPDATE document SET control = 'X'")
        # Coding tables stay open to a reviewer: the refusals above are the grants, not the connection.
        assert connection.execute("SELECT count(*) FROM document").fetchone() == (6,)
        connection.execute("DELETE FROM note WHERE text = 'Check the date.'")
    # The admin's own login gets past the grants (and stops at the table's constraints instead).
    where = CaseFile.read(shared_case).server
    with psycopg.connect(host=where.host, port=where.port, dbname=where.database, user=postgres.admin,
                         autocommit=True) as connection, pytest.raises(pg_errors.NotNullViolation):
        connection.execute("INSERT INTO production DEFAULT VALUES")


def test_qc_confirms_and_overturns_a_reviewers_decisions_and_a_reviewer_cannot(
        shared_case: Path, as_login: Callable[[Path, str], Case]) -> None:
    coder, checker = member(shared_case, "reviewer"), member(shared_case, "qc")
    with Case.open(shared_case) as admin:
        create_batch_set(admin, "First pass", [3, 5, 6], 3)
    coding = as_login(shared_case, coder)
    batch = batches.check_out_next(coding)
    review.tag_documents(coding, [3, 5, 6], "Responsive")
    batches.check_in(coding, batch.name)
    with pytest.raises(NotAllowedError, match=rf"^Only a QC reviewer can draw QC samples; {coder} is a "):
        qc.create_qc_batch(coding, coder, count=2, seed=1)

    checking = as_login(shared_case, checker)
    sample = qc.create_qc_batch(checking, coder, percent=100, seed=7)
    first, second, third = (d.document_id for d in qc.qc_documents(checking, sample.name))
    assert qc.confirm(checking, sample.name, [first]) == 1
    qc.overturn(checking, sample.name, second, remove=["Responsive"], add=["Not responsive"])
    with pytest.raises(NotAllowedError, match=r"^Only a QC reviewer can confirm QC decisions"):
        qc.confirm(coding, sample.name, [third])
    decided = {d.document_id: (d.decision, d.decided_by) for d in qc.qc_documents(checking, sample.name)}
    assert decided == {first: ("confirmed", checker), second: ("overturned", checker), third: ("", "")}
    assert "Not responsive" in review.coding(checking, second).tags


def test_an_assigned_only_reviewer_sees_and_codes_only_the_batches_assigned_to_them(
        shared_case: Path, as_login: Callable[[Path, str], Case]) -> None:
    from reviewer.core.browse import ordered_ids

    limited, everyone = member(shared_case, "reviewer", assigned_only=True), member(shared_case, "reviewer")
    with Case.open(shared_case) as admin:
        create_batch_set(admin, "Split", [1, 2, 3, 4, 5, 6], 3)
        first = batches.batches(admin)[0].name
        batches.assign(admin, first, limited)
        mine = batches.batch_document_ids(admin, first)
    case = as_login(shared_case, limited)
    assert ordered_ids(case) == sorted(mine)
    with SearchService.open(case) as search:
        assert search.matching_ids("custodian:okafor-d") == set(mine)
        assert set(search.search("warrant OR treasurer OR picnic", limit=None).ids) <= set(mine)
    others = sorted({1, 2, 3, 4, 5, 6} - set(mine))
    with pytest.raises(NotAllowedError, match=rf"^{limited} may code only the documents of the batches "
                                              r"assigned to them, and 1 document of this action is in none"):
        review.tag_documents(case, [mine[0], others[0]], "Responsive")
    assert "Responsive" not in review.coding(case, mine[0]).tags  # refused whole
    assert review.tag_documents(case, mine, "Responsive") == len(mine)
    # A reviewer without the restriction sees the whole case.
    assert ordered_ids(as_login(shared_case, everyone)) == [1, 2, 3, 4, 5, 6]


def test_users_commands_add_list_change_and_remove_members(
        shared_case: Path, postgres: PostgresServer, as_login: Callable[[Path, str], Case],
        capsys: pytest.CaptureFixture[str]) -> None:
    login = member(shared_case, "reviewer")
    capsys.readouterr()
    assert main(["users", str(shared_case), "--json"]) == 0
    listed = {u["login"]: (u["role"], u["assigned_only"], u["added_by"])
              for u in json.loads(capsys.readouterr().out)}
    assert listed == {postgres.admin: ("admin", False, postgres.admin),
                      login: ("reviewer", False, postgres.admin)}
    assert main(["user-add", str(shared_case), login, "--role", "qc"]) == 0
    assert f"{login} is qc in this case." in capsys.readouterr().err
    assert main(["users", str(shared_case)]) == 0
    assert login in capsys.readouterr().out
    # The last admin stays.
    assert main(["user-remove", str(shared_case), postgres.admin]) == 1
    assert "is the case's only admin; make another user admin first" in capsys.readouterr().err
    assert main(["user-remove", str(shared_case), login]) == 0
    # Removed: the server no longer lets the login read the case (no group role, so no grants), and
    # Reviewer says so in one sentence.
    with pytest.raises(CaseError, match=rf"^{login} is not a member of the shared case .+; ask its admin to "
                                        rf"add them \(reviewer user-add CASE {login} --role reviewer\)\.$"):
        as_login(shared_case, login)
    with raw(shared_case, login) as connection, pytest.raises(pg_errors.InsufficientPrivilege):
        connection.execute("SELECT count(*) FROM document_tag")
    assert main(["users", str(shared_case), "--json"]) == 0
    assert [u["login"] for u in json.loads(capsys.readouterr().out)] == [postgres.admin]
    # The trail has the membership changes, by the admin.
    with Case.open(shared_case) as admin:
        trail = [(e.user, e.summary) for e in audit.trail(admin, 3)]
    assert trail[0] == (postgres.admin, f"removing {login}")
    assert trail[1] == (postgres.admin, f"{login}: reviewer → qc")


def test_history_json_names_the_login_of_every_event(
        shared_case: Path, postgres: PostgresServer, as_login: Callable[[Path, str], Case],
        capsys: pytest.CaptureFixture[str]) -> None:
    login = member(shared_case, "reviewer")
    review.tag_documents(as_login(shared_case, login), [4], "Responsive")
    with Case.open(shared_case) as admin:
        review.tag_documents(admin, [4], "Responsive", add=False)
    capsys.readouterr()
    assert main(["history", str(shared_case), "DOC-000004", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [(e["user"], e["action"]) for e in events if e["action"] in ("tag", "untag")][-2:] == [
        (login, "tag"), (postgres.admin, "untag")]
    assert all(e["user"] for e in events)


def test_a_case_folder_has_no_members_its_user_is_its_admin(tmp_path: Path) -> None:
    with Case.create(tmp_path / "solo") as case:
        assert [(u.login, u.role) for u in users.users(case)] == [(server.os_user(), "admin")]
        with pytest.raises(CaseError, match="is a case folder, used by one person; users and roles belong"):
            users.add_user(case, "bob", "reviewer")
        review.create_tag(case, "Mine")  # nothing is restricted


def test_a_reviewer_does_everything_a_reviewer_does_with_their_own_login(
        shared_case: Path, as_login: Callable[[Path, str], Case]) -> None:
    """The grants are not too tight: coding, notes, privilege, redactions, saved searches, batches,
    prioritized review (decisions and the model retrained) and undo all work as a reviewer's login."""
    login = member(shared_case, "reviewer")
    with Case.open(shared_case) as admin:
        prioritize.set_up(admin, "Responsive", QuestionChoices(seed=1))
        create_batch_set(admin, "Pass", [1, 2, 3, 4, 5, 6], 6)
    case = as_login(shared_case, login)
    with pytest.raises(NotAllowedError, match="^Only an admin can set up prioritized review"):
        prioritize.set_up(case, "Hot")
    batch = batches.check_out_next(case)
    assert review.tag_documents(case, [5, 6], "Bias-related") == 2
    review.add_note(case, 5, "Compare with the deputy's notes.")
    review.set_privilege(case, [5], "Attorney-Client", "Advice on the motion")
    assert redact.add_phrase(case, [3], "treasurer")
    saved.save(case, "Warrants", "warrant")
    with SearchService.open(case) as search:
        assert search.search("warrant", remember=True).total >= 1
    prioritize.decide(case, "Responsive", [1, 2], True)
    prioritize.decide(case, "Responsive", [3, 4], False)
    assert training.retrain(case, "Responsive").scored >= 1
    review.tag_documents(case, [1, 2, 3, 4, 5, 6], "Hot")
    batches.check_in(case, batch.name)
    undone = audit.undo(case)  # the check-in is passed over; the newest coding is undone
    assert undone is not None and '"Hot"' in undone and "Hot" not in review.coding(case, 6).tags
    with Case.open(shared_case) as admin:
        trail = audit.trail(admin, 10)  # the reviewer's actions, newest first
    assert {entry.user for entry in trail} == {login}


HOLD_JOBS_LOCK = """
import sys, time
from reviewer.core.case import Case
with Case.open(sys.argv[1]) as case, case.writing():
    print("locked", flush=True)
    time.sleep(60)
"""


def test_one_ingest_or_production_at_a_time_across_the_team_while_reviewers_code(
        shared_case: Path, as_login: Callable[[Path, str], Case], tmp_path: Path) -> None:
    coder, second_admin = member(shared_case, "reviewer"), member(shared_case, "admin")
    # An admin's long job on another machine (a process holding the case's writer lock, as ingest does).
    holder = subprocess.Popen([sys.executable, "-c", HOLD_JOBS_LOCK, str(shared_case)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        other = as_login(shared_case, second_admin)
        (tmp_path / "more").mkdir()
        (tmp_path / "more" / "new.txt").write_text("A new document.\n")
        busy = r"^Another Reviewer window or command \(.+ process \d+\) is changing .+; wait for it to finish"
        with pytest.raises(CaseLockedError, match=busy):
            ingest(other, [tmp_path / "more"])
        with pytest.raises(CaseLockedError, match=busy):
            produce(other, [1], ProductionSettings(name="VOL001", prefix="DEF", out_dir=tmp_path / "out"))
        started = time.monotonic()
        assert review.tag_documents(as_login(shared_case, coder), [6], "Responsive") == 1
        assert time.monotonic() - started < 5  # coding never waits for the long job
        assert holder.poll() is None  # refused because the holder is at work, not because it ended
    finally:
        holder.kill()
        holder.wait()
    with other.writing(wait=30):  # the lock went with the killed holder's connection
        pass
    # A second admin (a login of its own, not the server's superuser) ingests with the grants of admins.
    assert ingest(other, [tmp_path / "more"]).documents == 1


def test_a_shared_case_from_before_roles_gets_the_login_that_upgrades_it_as_its_admin(
        postgres: PostgresServer, as_login: Callable[[Path, str], Case], tmp_path: Path) -> None:
    case_file = old_shared_case(postgres, tmp_path / "store", revision="0014")
    with Case.open(case_file) as case:
        assert case.upgraded_from == "0014"
        assert [(u.login, u.role) for u in users.users(case)] == [(postgres.admin, "admin")]
    login = member(case_file, "reviewer")  # the upgrade gave the case its group roles and grants
    assert review.list_tags(as_login(case_file, login))
    with raw(case_file, login) as connection, pytest.raises(pg_errors.InsufficientPrivilege):
        connection.execute("INSERT INTO tag DEFAULT VALUES")
