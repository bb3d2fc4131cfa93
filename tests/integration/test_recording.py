"""The one recording path: ids allocated inside the transaction that records them, text durable before the
commit, and two writers that never collide, even when they bypass the case's writer lock."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import func, select

from reviewer.core.audit import Action, trail
from reviewer.core.case import Case, now
from reviewer.core.inventory import check
from reviewer.core.models import Document
from reviewer.core.recording import RecordingRun, RecordingTransaction, finish_batch, start_batch


def add_marked_document(transaction: RecordingTransaction, marker: str) -> dict[str, int]:
    doc_id = transaction.new_document_id()
    document = Document(id=doc_id, control=f"DOC-{doc_id:06d}", batch_id=transaction.batch_id, md5="",
                        sha1="", sha256=marker, dedup_key=marker, size=0, source_path=marker,
                        file_name=marker, family_id=doc_id, text_chars=len(marker), added=now())
    transaction.add_document(document, f"text of {marker}")
    return {"document": 1}


def record_many(root: Path, writer: str, count: int, start: threading.Barrier) -> None:
    """Record `count` documents, five a transaction, straight through RecordingTransaction."""
    with Case.open(root) as case:
        batch = start_batch(case, writer, [writer])
        start.wait()
        for first in range(0, count, 5):
            with case.db.session() as session:
                transaction = RecordingTransaction(case, session, batch)
                for number in range(first, first + 5):
                    add_marked_document(transaction, f"{writer}-{number}")
                transaction.make_durable()
        finish_batch(case, batch, False, Action.INGEST, f"ingest by {writer}")


def test_two_writers_without_the_lock_still_get_distinct_numbers_and_their_own_text(case: Case) -> None:
    # The writer lock keeps long jobs apart; this checks the backstop beneath it, the allocation inside
    # the transaction, by letting two writers record at once.
    start = threading.Barrier(2)
    threads = [threading.Thread(target=record_many, args=(case.root, name, 60, start)) for name in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with case.db.reader() as session:
        documents = session.execute(select(Document.id, Document.control, Document.source_path)).all()
        assert session.scalar(select(func.count(func.distinct(Document.control)))) == 120
    assert len(documents) == 120
    for doc_id, control, marker in documents:
        assert case.texts.read(control, doc_id) == f"text of {marker}"
    # Both writers' batches interleaved rather than one waiting for the other to finish.
    batches = [marker[0] for _, _, marker in sorted(documents)]
    assert "AB" in "".join(batches) or "BA" in "".join(batches)


def test_a_failed_transaction_allocates_nothing(case: Case) -> None:
    batch = start_batch(case, "", ["x"])
    run = RecordingRun(case, batch, commit_every_units=1000)

    def broken(transaction: RecordingTransaction) -> dict[str, int]:
        add_marked_document(transaction, "lost")
        raise RuntimeError("the reader broke")

    run.add(lambda transaction: add_marked_document(transaction, "first"))
    run.add(broken)
    try:
        run.flush()
    except RuntimeError:
        pass
    run.abandon_index()
    run = RecordingRun(case, batch)
    run.add(lambda transaction: add_marked_document(transaction, "second"))
    run.flush()
    run.commit_index()
    with case.db.reader() as session:
        rows = session.execute(select(Document.id, Document.source_path)).all()
    # The rolled-back transaction took no number for good: the next document gets the first id, and its
    # text replaced the orphan file the failed attempt had written for that id.
    assert rows == [(1, "second")]
    assert case.texts.read("DOC-000001", 1) == "text of second"


def write_folder(folder: Path, name: str, count: int) -> None:
    folder.mkdir(parents=True)
    for number in range(count):
        text = f"Memo {name} number {number} marker{name}{number}z\n"
        (folder / f"{name}-{number:03d}.txt").write_text(text)


def test_two_ingests_at_once_never_share_a_control_number(case: Case, tmp_path: Path) -> None:
    for name in ("alpha", "bravo"):
        write_folder(tmp_path / name, name, 150)
    command = [sys.executable, "-m", "reviewer", "ingest", str(case.root)]
    runs = [subprocess.Popen([*command, str(tmp_path / name), "--custodian", name, "--jobs", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in ("alpha", "bravo")]
    results = [(run.wait(300), *run.communicate()) for run in runs]
    refused = [err for code, _, err in results if code != 0]
    for err in refused:  # the second writer is turned away with a sentence, never a traceback
        assert "is changing" in err and "Traceback" not in err
    for name, (code, _, _) in zip(("alpha", "bravo"), results, strict=True):
        if code != 0:  # run again what was refused: now it goes through
            subprocess.run([*command, str(tmp_path / name), "--custodian", name], check=True,
                           capture_output=True)
    with case.db.reader() as session:
        documents = session.execute(select(Document.id, Document.control, Document.file_name)).all()
    assert len(documents) == 300
    assert len({control for _, control, _ in documents}) == 300
    for doc_id, control, file_name in documents:
        name, number = Path(file_name).stem.split("-")
        assert f"marker{name}{int(number)}z" in case.texts.read(control, doc_id)
    assert check(case) == []
    # Each run that recorded is on the case's audit trail, and undo passes over it.
    runs = [group for group in trail(case) if group.summary.startswith("ingest batch")]
    assert len(runs) >= 2 and not any(group.undoable for group in runs)
    assert sum(int(group.summary.split(": ")[1].split(" ")[0]) for group in runs) == 300
