"""Real data never stops a run (issue 14): every odd input ends on the ledger as a document or an exception
with a one-line reason, alone in a folder and all together, through ingest() and the `reviewer` command,
and `reviewer check` stays clean afterwards."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewer.core import inventory
from reviewer.core.case import Case
from reviewer.core.ingest.extracted import Flag
from reviewer.core.ingest.pipeline import IngestOptions, IngestSummary, ingest
from tests import hostile_files

SECRET = "OUTSIDE-THE-INPUT-7731"  # in files outside the input folder: must never reach a document
HUGE_SIDE = 19_000


@dataclass(frozen=True)
class Odd:
    """One odd input: how to make it in a folder, and what the ledger must say about it."""

    build: Callable[[Path, Path], object]  # (input folder, a folder outside it)
    entry: str  # the name as the ledger shows it
    status: str  # "document" or "exception"
    says: str  # the exception's reason starts so, or the document carries this flag ("" for none)
    text: str = ""  # words the document's text holds


def _outside_link(folder: Path, outside: Path) -> object:
    return hostile_files.link(folder, "hostname", outside / "hostname")


def _huge_png(folder: Path, outside: Path) -> object:
    return shutil.copy(outside / "bomb.png", folder / "bomb.png")


OCR_FLAG = Flag.OCR_DOWNSCALED if shutil.which("tesseract") else Flag.NEEDS_OCR

ODD_INPUTS = {
    "latin1 name": Odd(lambda f, o: hostile_files.latin1_named_file(f), hostile_files.LATIN1_NAME_SHOWN,
                       "document", "", "Notes from the old drive"),
    "link to /dev/zero": Odd(lambda f, o: hostile_files.link(f, "zero", "/dev/zero"), "zero", "exception",
                             "link not followed: It is a shortcut (symbolic link) to /dev/zero, outside"),
    "link outside": Odd(_outside_link, "hostname", "exception", "link not followed: It is a shortcut"),
    "link loop": Odd(lambda f, o: hostile_files.link(f, "loop", f / "loop"), "loop", "exception",
                     "link not followed: It is a shortcut (symbolic link) that leads round in a loop"),
    "dangling link": Odd(lambda f, o: hostile_files.link(f, "gone", f / "deleted.txt"), "gone", "exception",
                         "link not followed: It is a shortcut (symbolic link) to"),
    "named pipe": Odd(lambda f, o: hostile_files.fifo(f), "pipe", "exception",
                      "not a regular file: It is a named pipe"),
    "socket": Odd(lambda f, o: hostile_files.unix_socket(f), "socket", "exception",
                  "not a regular file: It is a socket"),
    "pdf year 0001": Odd(lambda f, o: hostile_files.pdf_with_year_one(f / "memo.pdf", "Lease renewal memo"),
                         "memo.pdf", "document", Flag.METADATA_DAMAGED, "Lease renewal memo"),
    "docx year 0001": Odd(lambda f, o: hostile_files.docx_with_year_one(f / "terms.docx", "Deposit terms"),
                          "terms.docx", "document", Flag.METADATA_DAMAGED, "Deposit terms"),
    "rtf bad year": Odd(lambda f, o: hostile_files.rtf_with_bad_year(f / "notice.rtf", "Notice to quit"),
                        "notice.rtf", "document", Flag.METADATA_DAMAGED, "Notice to quit"),
    "email unknown charset": Odd(lambda f, o: hostile_files.email_with_charset(
        f / "rent.eml", "x-unknown", "Loyer payé en retard".encode("cp1252")),
        "rent.eml", "document", Flag.CHARSET_GUESSED, "Loyer payé en retard"),
    "html unknown charset": Odd(lambda f, o: hostile_files.html_with_charset(
        f / "rent.html", "rot13", "Loyer payé".encode("cp1252")),
        "rent.html", "document", Flag.CHARSET_GUESSED, "Loyer payé"),
    "xlsx doctype": Odd(lambda f, o: hostile_files.xlsx_with_doctype(f / "roll.xlsx", "Quarterly rent roll",
                                                                     o / "hostname"),
                        "roll.xlsx", "document", "", "Quarterly rent roll"),
    "nested html": Odd(lambda f, o: hostile_files.nested_html(f / "deep.html", 100_000, "bedrock"),
                       "deep.html", "document", "", "bedrock"),
    "huge png": Odd(_huge_png, "bomb.png", "document", OCR_FLAG),
    "s/mime": Odd(lambda f, o: hostile_files.smime_email(f / "smime.eml"), "smime.eml", "document",
                  Flag.ENCRYPTED_CONTENT, "Sealed offer (S/MIME)"),
    "pgp": Odd(lambda f, o: hostile_files.pgp_email(f / "pgp.eml"), "pgp.eml", "document",
               Flag.ENCRYPTED_CONTENT, "Sealed offer (PGP)"),
    "message/rfc822": Odd(lambda f, o: hostile_files.wrapped_email(f / "wrapped.eml"), "wrapped.eml",
                          "document", "", "From: Cy Dunn <cy@dunn.example>"),
}


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outside")
    (folder / "hostname").write_text(SECRET)
    hostile_files.huge_png(folder / "bomb.png", HUGE_SIDE)
    return folder


def make_folder(root: Path, outside: Path, names: list[str]) -> Path:
    folder = root / "input"
    folder.mkdir(parents=True)
    for name in names:
        ODD_INPUTS[name].build(folder, outside)
    return folder


@pytest.fixture
def case_with_evidence(case: Case, tmp_path: Path) -> Case:
    """A case that already holds a document, as real ones do (see test_check_on_a_case_without_documents)."""
    letter = tmp_path / "earlier" / "letter.txt"
    letter.parent.mkdir()
    letter.write_text("An ordinary letter about the lease.")
    ingest(case, [letter], IngestOptions(jobs=1))
    return case


def ingest_within(case: Case, folder: Path, jobs: int, seconds: float = 240) -> IngestSummary:
    """ingest(), failing the test instead of hanging it when an input blocks a reader."""
    outcome: list[IngestSummary | BaseException] = []

    def run() -> None:
        try:
            outcome.append(ingest(case, [folder], IngestOptions(jobs=jobs)))
        except BaseException as error:  # handed to the test thread
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the ingest of {folder} did not finish within {seconds} s"
    [result] = outcome
    if isinstance(result, BaseException):
        raise result
    return result


def check_ledger(odd: Odd, exceptions: list[dict], documents: list[dict],
                 text_of: Callable[[str], str]) -> None:
    listed = [row for row in exceptions if Path(row["path"]).name == odd.entry]
    docs = [row for row in documents if row["file_name"] == odd.entry]
    if odd.status == "exception":
        assert [row["reason"][: len(odd.says)] for row in listed] == [odd.says], (odd.entry, listed)
        assert "\n" not in listed[0]["reason"]
        assert docs == []
        return
    assert listed == [], (odd.entry, listed)
    [doc] = docs
    assert doc["path"].endswith("/" + odd.entry)
    if odd.says:
        assert odd.says in doc["flags"].split("; "), (odd.entry, doc["flags"])
    assert odd.text in text_of(doc["control"])


def texts(case: Case) -> Callable[[str], str]:
    return lambda control: inventory.document_text(case, control) or ""


@pytest.mark.parametrize("name", list(ODD_INPUTS))
def test_each_odd_input_alone(case_with_evidence: Case, tmp_path: Path, outside: Path, name: str) -> None:
    case = case_with_evidence
    folder = make_folder(tmp_path / "odd", outside, [name])

    summary = ingest_within(case, folder, jobs=1)

    odd = ODD_INPUTS[name]
    assert summary.inputs == 1
    assert (summary.documents, summary.exceptions) == ((1, 0) if odd.status == "document" else (0, 1))
    check_ledger(odd, inventory.exception_rows(case), inventory.document_rows(case), texts(case))
    assert inventory.check(case) == []


def test_all_odd_inputs_together_then_again(case: Case, tmp_path: Path, outside: Path) -> None:
    folder = make_folder(tmp_path, outside, list(ODD_INPUTS))
    expected_documents = sum(odd.status == "document" for odd in ODD_INPUTS.values())

    summary = ingest_within(case, folder, jobs=2)

    assert summary.inputs == len(ODD_INPUTS)
    expected_exceptions = len(ODD_INPUTS) - expected_documents
    assert (summary.documents, summary.exceptions) == (expected_documents, expected_exceptions)
    exceptions, documents = inventory.exception_rows(case), inventory.document_rows(case)
    for odd in ODD_INPUTS.values():
        check_ledger(odd, exceptions, documents, texts(case))
    assert all(SECRET not in texts(case)(row["control"]) for row in documents)
    assert inventory.check(case) == []

    again = ingest_within(case, folder, jobs=2)

    # The documents (the non-UTF-8 name among them) are recognised as done; exceptions are listed once.
    assert (again.skipped, again.documents, again.duplicates) == (expected_documents, 0, 0)
    assert len(inventory.exception_rows(case)) == len(exceptions)
    assert inventory.check(case) == []


def _cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reviewer", *map(str, args)], capture_output=True, text=True,
                          timeout=600)


def test_all_odd_inputs_through_the_command(tmp_path: Path, outside: Path) -> None:
    folder = make_folder(tmp_path, outside, list(ODD_INPUTS))
    case_path = tmp_path / "case"
    assert _cli("init", case_path).returncode == 0

    run = _cli("ingest", case_path, folder, "--json")

    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert json.loads(run.stdout)["inputs"] == len(ODD_INPUTS)
    exceptions = json.loads(_cli("exceptions", case_path, "--json").stdout)
    documents = json.loads(_cli("docs", case_path, "--json").stdout)
    assert _cli("text", case_path, documents[0]["control"]).returncode == 0
    with Case.open(case_path) as case:  # one process for the texts, not one per document
        for odd in ODD_INPUTS.values():
            check_ledger(odd, exceptions, documents, texts(case))
    shown = _cli("exceptions", case_path)
    assert shown.returncode == 0 and "not a regular file: It is a named pipe" in shown.stdout
    check = _cli("check", case_path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_check_on_a_case_without_documents(case: Case, tmp_path: Path, outside: Path) -> None:
    ingest_within(case, make_folder(tmp_path, outside, ["named pipe"]), jobs=1)

    assert inventory.check(case) == []
