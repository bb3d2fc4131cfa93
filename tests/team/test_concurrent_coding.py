"""A team coding one shared case at once, as separate processes on a real PostgreSQL server: eight
reviewers on the same documents (every change to a different tag lands; of each true conflict exactly one
change lands and every other is refused naming the winner and their value; the audit trail holds exactly
the actions that landed); a reviewer killed mid-write (nothing partial, nothing committed lost, the case
keeps working); the server restarted mid-session (a write is refused in one sentence, then lands)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from reviewer.core import changes, review
from reviewer.core.case import Case
from reviewer.core.conflicts import case_version
from reviewer.core.errors import ServerUnreachableError
from reviewer.core.models import AuditEvent, AuditGroup, DocumentTag, Tag
from reviewer.core.team.casefile import CaseFile
from tests import postgres_server
from tests.databases import REVIEWER_PASSWORD, CaseMaker, PostgresServer, make_member
from tests.unit.test_review import add_documents

ROOT = Path(__file__).resolve().parents[2]
REVIEWERS = 8
DOCUMENTS = 30


class Team:
    """Reviewer processes (tests/team/coder.py) on one case, each with its own login."""

    def __init__(self, location: Path, postgres: PostgresServer, folder: Path) -> None:
        self.location, self.postgres, self.folder = location, postgres, folder
        self.go = folder / "go"
        self.processes: dict[str, subprocess.Popen[str]] = {}

    def start(self, user: str, actions: list[dict[str, Any]]) -> subprocess.Popen[str]:
        make_member(self.location, user)
        plan = self.folder / f"{user}.plan.json"
        plan.write_text(json.dumps({"go": str(self.go), "actions": actions}))
        env = {**os.environ, "PGUSER": user, "PGPASSWORD": REVIEWER_PASSWORD}
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.team.coder", str(self.location), str(plan),
             str(self.folder / f"{user}.results.json")],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        self.processes[user] = process
        return process

    def run(self) -> dict[str, list[dict[str, Any]]]:
        """Start every reviewer's plan at the same moment (once each has opened the case); their results."""
        for user, process in self.processes.items():
            assert process.stdout is not None and process.stdout.readline().strip() == "ready", user
        self.go.touch()
        for user, process in self.processes.items():
            assert process.wait(timeout=300) == 0, user
        return {user: json.loads((self.folder / f"{user}.results.json").read_text())
                for user in self.processes}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def team(shared: CaseMaker, postgres: PostgresServer, tmp_path: Path) -> Iterator[tuple[Case, Team]]:
    with shared.create(tmp_path / "store", name="Team matter") as case:
        started = Team(case.location, postgres, tmp_path)
        try:
            yield case, started
        finally:
            started.stop()


def test_eight_reviewers_coding_the_same_documents_lose_no_update(team: tuple[Case, Team]) -> None:
    case, reviewers = team
    docs = add_documents(case, DOCUMENTS)
    users = [f"reviewer_{n}" for n in range(REVIEWERS)]
    for user in users:
        review.create_tag(case, f"Seen by {user}")
    seen = case_version(case)  # every reviewer looked at the documents before anyone coded
    hot_docs = {user: docs[10 + n // 2] for n, user in enumerate(users)}  # one document per pair
    for user in users:
        reviewers.start(user, [
            *({"op": "toggle", "docs": [doc], "tag": f"Seen by {user}", "seen": seen} for doc in docs),
            {"op": "privilege", "docs": [docs[0]], "basis": "Work Product", "description": f"notes of {user}",
             "seen": seen},
            {"op": "toggle", "docs": [hot_docs[user]], "tag": "Hot", "seen": seen},
        ])
    results = reviewers.run()

    # Every reviewer's own tag landed on every document: 8 × 30 changes to different tags of the same rows.
    for user in users:
        assert [r.get("ok") for r in results[user][:DOCUMENTS]] == [True] * DOCUMENTS, user
    for doc in docs:
        assert {t for t in review.coding(case, doc).tags if t.startswith("Seen by")} == {
            f"Seen by {user}" for user in users}
    # Eight privilege descriptions for one document: exactly one lands, seven are refused naming it.
    privilege = {user: results[user][DOCUMENTS] for user in users}
    [winner] = [user for user, result in privilege.items() if result.get("ok") == 1]
    coding = review.coding(case, docs[0])
    assert coding.privilege_description == f"notes of {winner}"
    for user, result in privilege.items():
        if user != winner:
            assert result["conflicts"] == [{"document_id": docs[0], "user": winner, "action": "privilege",
                                            "value": f"Work Product: notes of {winner}"}], user
    # Two reviewers press "Hot" on a document neither saw tagged: one adds it, the other's toggle (which
    # would now take it off) is refused naming the first.
    for n in range(0, REVIEWERS, 2):
        pair = users[n], users[n + 1]
        outcomes = {user: results[user][DOCUMENTS + 1] for user in pair}
        [added] = [user for user in pair if outcomes[user].get("ok") is True]
        [refused] = [user for user in pair if "conflicts" in outcomes[user]]
        assert outcomes[refused]["conflicts"][0]["user"] == added
        assert outcomes[refused]["conflicts"][0]["value"] == "Hot"
        assert "Hot" in review.coding(case, hot_docs[added]).tags
    # The trail holds exactly the actions that landed, each by its reviewer; refusals left nothing.
    landed = Counter({user: sum(1 for r in results[user] if "ok" in r) for user in users})
    with case.db.reader() as session:
        groups = Counter(dict(session.execute(
            select(AuditGroup.user, func.count()).where(AuditGroup.user.in_(users)).group_by(AuditGroup.user)
        ).all()))
        tag_rows = session.scalar(select(func.count()).select_from(DocumentTag).join(Tag)
                                  .where(Tag.name.like("Seen by %")))
    assert groups == landed
    assert sum(landed.values()) == REVIEWERS * DOCUMENTS + 1 + REVIEWERS // 2
    assert tag_rows == REVIEWERS * DOCUMENTS


def _writing(admin: Engine, pid: int) -> bool:
    """Whether the process `pid` is inside a transaction on the server right now (its connections name
    the process: db.application_name)."""
    with admin.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE :name "
            "AND xact_start IS NOT NULL AND state <> 'idle'"), {"name": f"%process {pid}"}))


def test_a_reviewer_killed_mid_write_leaves_nothing_partial(team: tuple[Case, Team],
                                                            postgres: PostgresServer) -> None:
    case, reviewers = team
    docs = add_documents(case, 3_000)
    process = reviewers.start("reviewer_killed", [{"op": "churn", "docs": docs, "tag": "Hot"}])
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    reviewers.go.touch()
    deadline = time.monotonic() + 120
    while changes.since(case, 0).version < 3 * len(docs):  # a few whole actions committed first
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    admin = postgres.engine(CaseFile.read(case.location).server)
    try:
        while not _writing(admin, process.pid):
            assert time.monotonic() < deadline and process.poll() is None
        assert process.poll() is None  # alive, and inside a write transaction, when killed
        process.kill()
        process.wait()
    finally:
        admin.dispose()

    with case.db.reader() as session:
        per_group = set(session.scalars(select(func.count()).select_from(AuditEvent)
                                        .join(AuditGroup).where(AuditGroup.user == "reviewer_killed")
                                        .group_by(AuditEvent.group_id)))
        tagged = session.scalar(select(func.count()).select_from(DocumentTag))
        last = session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1))
    assert per_group == {len(docs)}  # every action the trail holds is whole
    assert tagged == (len(docs) if last == "tag" else 0)  # and the coding is what the trail says
    # The killed writer held the case's write lock; the team goes on at once.
    started = time.monotonic()
    assert review.tag_documents(case, docs[:1], "Responsive") == 1
    assert time.monotonic() - started < 10


def test_a_server_restart_refuses_a_write_in_one_sentence_then_it_lands(tmp_path: Path) -> None:
    folder, url = postgres_server.start()
    try:
        server = PostgresServer(url)
        maker = CaseMaker("postgresql", server)
        with maker.create(tmp_path / "store", name="Restarted matter") as case:
            docs = add_documents(case, 5)
            assert review.tag_documents(case, docs[:2], "Hot") == 2
            postgres_server.halt(folder)
            with pytest.raises(ServerUnreachableError) as refused:
                review.tag_documents(case, docs, "Responsive")
            assert "nothing of the interrupted action was saved" in str(refused.value)
            assert "\n" not in str(refused.value)
            with pytest.raises(ServerUnreachableError):
                changes.since(case, 0)  # the desktop's poll says the same, and keeps trying
            postgres_server.resume(folder)
            assert review.tag_documents(case, docs, "Responsive") == 5  # the same action, now applied once
            assert review.coding(case, docs[0]).tags == ["Responsive", "Hot"]
            with case.db.reader() as session:
                assert session.scalar(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action == "tag")) == 7
    finally:
        postgres_server.stop(folder)
