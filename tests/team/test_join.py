"""Joining a shared case: the case file, every command opening it, who the audit trail names, where the
password comes from, and the one sentence a server out of reach gives."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from keyring.backend import KeyringBackend

from reviewer.cli import main
from reviewer.core import audit, review
from reviewer.core.case import Case
from reviewer.core.errors import CaseError, ServerUnreachableError
from reviewer.core.team import server as team_server
from reviewer.core.team import users
from reviewer.core.team.casefile import CaseFile, Server
from tests.databases import PostgresServer
from tests.team.conftest import address


def reviewer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, stdin=subprocess.DEVNULL)


def test_join_writes_a_case_file_that_every_command_and_the_audit_trail_use(
        shared_case: Path, postgres: PostgresServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    original = CaseFile.read(shared_case)
    joined = tmp_path / "mine.reviewer"
    code = main(["join", address(postgres, original.server), "--store", str(original.store), "--out",
                 str(joined)])
    assert code == 0 and 'for "Shared matter"' in capsys.readouterr().err
    assert json.loads(joined.read_text()) == {
        "reviewer": "shared case", "version": 1, "server": original.server.host, "port": original.server.port,
        "database": original.server.database, "store": str(original.store)}

    status = reviewer("status", str(joined), "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["documents"] == 6
    found = reviewer("search", str(joined), "warrant", "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] == 3
    assert reviewer("tag", str(joined), "Responsive", "DOC-000003").returncode == 0
    history = reviewer("history", str(joined), "DOC-000003", "--json")
    [event] = json.loads(history.stdout)
    assert (event["action"], event["after"], event["user"]) == ("tag", "Responsive", postgres.admin)
    # The same case through the first case file: one case, whichever file opens it.
    with Case.open(shared_case) as case:
        assert review.coding(case, 3).tags == ["Responsive"]


def test_join_refuses_a_folder_that_is_not_the_cases_evidence(shared_case: Path, postgres: PostgresServer,
                                                               tmp_path: Path, capsys) -> None:
    original = CaseFile.read(shared_case)
    (tmp_path / "elsewhere").mkdir()
    code = main(["join", address(postgres, original.server), "--store", str(tmp_path / "elsewhere"), "--out",
                 str(tmp_path / "wrong.reviewer")])
    assert code == 1
    assert "is not the evidence folder of the case" in capsys.readouterr().err
    assert not (tmp_path / "wrong.reviewer").exists()


def test_a_database_that_is_no_case_is_refused_and_left_alone(postgres: PostgresServer,
                                                               tmp_path: Path) -> None:
    empty = postgres.new_database()
    (tmp_path / "store").mkdir()
    CaseFile(empty, tmp_path / "store").write(tmp_path / "empty.reviewer")
    with pytest.raises(CaseError, match="is not a Reviewer case"):
        Case.open(tmp_path / "empty.reviewer")
    with postgres.engine(empty).connect() as connection:
        assert not connection.dialect.has_table(connection, "document")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_server_out_of_reach_is_one_sentence_naming_it(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    (tmp_path / "store").mkdir()
    CaseFile(Server("127.0.0.1", port, "matter"), tmp_path / "store").write(tmp_path / "away.reviewer")
    result = reviewer("status", str(tmp_path / "away.reviewer"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") <= 2  # one sentence (wrapped by the terminal width at most once)
    message = " ".join(result.stderr.split())
    assert f"The case database server 127.0.0.1:{port} cannot be reached" in message
    assert "check that it is running" in message

    nowhere = Server("no-such-host.invalid", 5432, "matter")
    CaseFile(nowhere, tmp_path / "store").write(tmp_path / "x.reviewer")
    with pytest.raises(ServerUnreachableError, match="no-such-host.invalid is not known on this network"):
        Case.open(tmp_path / "x.reviewer")


def test_a_database_the_server_does_not_have_is_named(postgres: PostgresServer, tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    missing = Server(postgres.host, postgres.port, "no_such_case")
    CaseFile(missing, tmp_path / "store").write(tmp_path / "n.reviewer")
    with pytest.raises(ServerUnreachableError, match="has no database no_such_case"):
        Case.open(tmp_path / "n.reviewer")


# --- where the password comes from ------------------------------------------------------------------------
@pytest.fixture
def alice(postgres: PostgresServer, shared_case: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A login that must give a password (the suite's server asks every login but its administrator), a
    reviewer of `shared_case`."""
    password = "correct horse battery staple"
    postgres.create_login("alice", password)
    with Case.open(shared_case) as case:
        users.add_user(case, "alice", "reviewer")
    monkeypatch.setenv("PGUSER", "alice")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(Path(os.devnull)))
    monkeypatch.setattr(team_server, "_known", {})
    try:
        psycopg.connect(host=postgres.host, port=postgres.port, user="alice", dbname="postgres").close()
    except psycopg.OperationalError:
        yield password  # refused without one, as it should be
        return
    pytest.skip("this PostgreSQL server lets every login in without a password")


def test_without_a_password_the_login_is_refused_in_one_sentence(shared_case: Path, alice: str) -> None:
    result = reviewer("status", str(shared_case))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert "did not accept the login alice" in message and "PGPASSWORD" in message


def test_the_password_comes_from_pgpassword_or_pgpass_and_the_trail_names_the_login(
        shared_case: Path, alice: str, tmp_path: Path) -> None:
    assert reviewer("tag", str(shared_case), "Hot", "DOC-000003", env={"PGPASSWORD": alice}).returncode == 0
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"*:*:*:alice:{alice}\n")
    passfile.chmod(0o600)
    result = reviewer("history", str(shared_case), "DOC-000003", "--json", env={"PGPASSFILE": str(passfile)})
    assert result.returncode == 0, result.stderr
    assert [(e["after"], e["user"]) for e in json.loads(result.stdout)] == [("Hot", "alice")]
    assert alice not in shared_case.read_text()


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in memory, as the OS keyring would keep them on disk."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


def test_a_password_asked_for_once_goes_to_the_keyring_and_is_found_there_next_time(
        shared_case: Path, alice: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    memory = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(memory)
    questions: list[str] = []
    try:
        team_server.set_password_prompt(lambda question: questions.append(question) or alice)
        with Case.open(shared_case) as case:
            assert case.user == "alice"
            review.tag_documents(case, [3], "Hot")
            assert audit.trail(case, limit=1)[0].user == "alice"
        server = CaseFile.read(shared_case).server
        assert questions == [f"Password of alice on the case database server {server.host}:{server.port}: "]
        account = f"alice@{server.host}:{server.port}"
        assert memory.passwords == {(team_server.KEYRING_SERVICE, account): alice}

        # Next time (a new process: nothing remembered in memory) the keyring answers; nobody is asked.
        monkeypatch.setattr(team_server, "_known", {})
        team_server.set_password_prompt(lambda question: pytest.fail("asked again"))
        with Case.open(shared_case) as case:
            assert case.user == "alice"
    finally:
        team_server.set_password_prompt(None)
        keyring.set_keyring(previous)
