"""Fixtures for the team tests: a small case folder, shared cases on the suite's PostgreSQL server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reviewer.core import review
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.team.casefile import Server
from tests.databases import CaseMaker, PostgresServer
from tests.helpers import make_email, make_pdf, pdf_bytes


def fill(case: Case, folder: Path) -> None:
    """Documents (a PDF, an email with attachments, text files) with coding, a note and a privilege."""
    make_pdf(folder / "memo.pdf", ["Counsel's memo on the motion to dismiss.", "The warrant was late."])
    make_email(folder / "mail.eml", "Warrant return", "The warrant return is attached.",
               attachments={"return.pdf": pdf_bytes("Warrant return"), "notes.txt": b"Deputy's notes"})
    (folder / "news.txt").write_text("The treasurer was arrested; the investigator had a grudge.\n")
    (folder / "letter.txt").write_text("A letter about the picnic.\n")
    ingest(case, [folder], IngestOptions(custodian="okafor-d", jobs=1))
    ids = review.resolve_controls(case, ["DOC-000001", "DOC-000002", "DOC-000004"])
    review.tag_documents(case, ids, "Hot")
    review.add_note(case, ids[0], "Ask Priya about page two.")
    review.set_privilege(case, ids[:1], "Attorney-Client", "Counsel's advice")
    review.create_tag(case, "Impeachment", group="Issues")


@pytest.fixture
def local_case(tmp_path: Path) -> Path:
    """A case folder with documents and coding, closed."""
    folder = tmp_path / "files"
    folder.mkdir()
    with Case.create(tmp_path / "local", name="Shared matter") as case:
        fill(case, folder)
    return tmp_path / "local"


@pytest.fixture
def shared(postgres: PostgresServer) -> Iterator[CaseMaker]:
    """Makes shared cases (`create` returns the open case; its case file is beside its store)."""
    maker = CaseMaker("postgresql", postgres)
    yield maker
    maker.close()


@pytest.fixture
def shared_case(shared: CaseMaker, tmp_path: Path) -> Path:
    """A shared case with documents and coding (see `fill`), closed; its case file."""
    (tmp_path / "files").mkdir()
    with shared.create(tmp_path / "store", name="Shared matter") as case:
        fill(case, tmp_path / "files")
        return case.location


@pytest.fixture
def database(postgres: PostgresServer) -> Callable[[], Server]:
    """New, empty databases on the suite's server."""
    return postgres.new_database


def address(postgres: PostgresServer, server: Server, user: str | None = None) -> str:
    return f"postgresql://{user or postgres.admin}@{server.host}:{server.port}/{server.database}"
