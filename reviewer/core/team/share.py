"""Sharing a case with a team (`reviewer share`) and joining one (`reviewer join`).

Sharing copies a case folder into a new PostgreSQL database and a shared evidence folder and proves the
copy: every row of every table and every file. The case folder is only read (under its writer lock, so
no ingest, import or production changes it meanwhile; reading it leaves it exactly as it was).

1. The files: every file of natives/, text/, index/, productions/ and imports/ is copied (atomically,
   fsync'd) and read back; its SHA-256 must equal the source's. Every document's original must be in the
   shared folder and match the SHA-256 it was ingested with, and its text must be there.
2. The rows, in one database transaction: the schema is made by the same Alembic migrations a case
   folder gets, every row of every table is copied, the sequences are set past the copied ids, and then
   every table is read back: the row count and a SHA-256 of all its rows (in key order) must equal the
   case folder's. Only then is the transaction committed. A failure rolls it back, leaving the database
   empty, and removes what was copied into the shared folder, so running `share` again starts afresh.

Joining writes a case file after opening the shared case once through it: a wrong address, login or
folder is said then, not at the first search.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from reviewer.core.case import (
    DB_NAME,
    EVIDENCE_FOLDERS,
    STORE_ID_SETTING,
    Case,
    check_empty_database,
    prepare_store,
)
from reviewer.core.db import first_line, sqlite_engine, without_nul
from reviewer.core.errors import CaseError
from reviewer.core.migrate import current_revision, head_revision, run_migrations
from reviewer.core.models import Base, Document, Setting
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.sql import sortable
from reviewer.core.store import EvidenceStore, TextStore, copy_file, file_sha256, sync_folder
from reviewer.core.team import server
from reviewer.core.team.casefile import CaseFile, Server, ServerAddress
from reviewer.core.team.users import add_first_admin
from reviewer.core.writer_lock import FileLock, WriterLock

BATCH_ROWS = 1000
# Copying waits on disks and networks, not on Python: a few files at once hide a network share's latency.
COPY_THREADS = 8


@dataclass
class ShareReport:
    """What was copied and proven equal."""

    server: Server
    store: Path
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied and verified
    files: int = 0
    bytes: int = 0
    documents: int = 0  # documents whose original and text were checked in the shared folder
    case_file: Path | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def share(source: Path, address: ServerAddress, store: Path, case_file: Path | None = None,
          progress: Progress = no_progress, cancel: CancelToken | None = None) -> ShareReport:
    """Copy the case folder `source` into the (new or empty) database `address` and the empty folder
    `store`, verifying everything (see the module's docstring); with `case_file`, write the case file
    that opens the shared case."""
    source, store = Path(source).absolute(), Path(store).absolute()
    case_file = Path(case_file).absolute() if case_file is not None else None
    if not (source / DB_NAME).is_file():
        raise CaseError(f"{source} is not a case folder (no {DB_NAME}); give the folder of the case to "
                        "share.")
    if store == source or source in store.parents:
        raise CaseError(f"The shared folder {store} cannot be inside the case folder {source}.")
    if store.exists() and (not store.is_dir() or any(store.iterdir())):
        raise CaseError(f"{store} is not empty; give share a new, empty folder for the case's evidence.")
    if case_file is not None and case_file.exists():
        raise CaseError(f"{case_file} already exists; choose another name for the case file.")
    lock = WriterLock(FileLock(source / "case.lock", server.os_user()), source.name)
    lock.acquire()  # no ingest, import or production may change the case while it is copied
    try:
        local = sqlite_engine(source / DB_NAME)
        try:
            if current_revision(local) != head_revision():
                raise CaseError(f"{source} was made by another version of Reviewer; open it once with this "
                                "version (`reviewer status`), which upgrades it, then share it.")
            target = _database(address)
            try:
                check_empty_database(target, address.server)
                report = _share(source, local, target, address.server, store, progress, cancel)
            finally:
                target.dispose()
        finally:
            local.dispose()
    finally:
        lock.release()
    if case_file is not None:
        CaseFile(address.server, store).write(case_file)
        report.case_file = case_file
    return report


def _share(source: Path, local: Engine, target: Engine, where: Server, store: Path, progress: Progress,
           cancel: CancelToken | None) -> ShareReport:
    report = ShareReport(where, store)
    made_store = not store.exists()
    try:
        with local.connect() as reading, target.begin() as writing:
            reading.execute(text("BEGIN"))  # one snapshot of the case folder for files and rows alike
            reading.execute(select(Setting.key).limit(1))  # (SQLite takes it at the first read)
            store_id = uuid.uuid4().hex
            prepare_store(store, store_id, where)
            _copy_files(source, store, report, progress, cancel)
            _check_documents(reading, store, report, progress, cancel)
            run_migrations(writing)
            _copy_rows(reading, writing, report, progress, cancel)
            writing.execute(insert(Setting).values(key=STORE_ID_SETTING, value=store_id))
            add_first_admin(writing)  # whoever shares the case is its first admin
    except BaseException:
        _empty(store, remove=made_store)
        raise
    return report


def _database(address: ServerAddress) -> Engine:
    """The target database, created first when the server has none of that name (and the login may)."""
    try:
        return server.connect(address.server, address.user, address.password)
    except server.MissingDatabaseError:
        pass
    maintenance = Server(address.server.host, address.server.port, "postgres")
    engine = server.connect(maintenance, address.user, address.password)
    name = address.server.database.replace('"', '""')
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    except DBAPIError as error:
        raise CaseError(f"The server {address.server.host}:{address.server.port} has no database "
                        f"{address.server.database}, and it could not be created ({first_line(error)}); ask "
                        f"whoever runs the server to create it (createdb {address.server.database}), then "
                        "share again.") from None
    finally:
        engine.dispose()
    return server.connect(address.server, address.user, address.password)


# --- files -----------------------------------------------------------------------------------------------
def _source_files(source: Path) -> Iterator[Path]:
    for folder in EVIDENCE_FOLDERS:
        if (source / folder).is_dir():
            yield from sorted(p for p in (source / folder).rglob("*") if p.is_file() and not p.is_symlink())


def _copy_files(source: Path, store: Path, report: ShareReport, progress: Progress,
                cancel: CancelToken | None) -> None:
    files = list(_source_files(source))

    def copy(path: Path) -> tuple[Path, str, int]:
        relative = path.relative_to(source)
        return relative, copy_file(path, store / relative, read_only=relative.parts[0] == "natives"), \
            path.stat().st_size

    copied: dict[Path, str] = {}
    with ThreadPoolExecutor(COPY_THREADS) as pool:
        running = [pool.submit(copy, path) for path in files]
        try:
            for done, finished in enumerate(as_completed(running), start=1):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                relative, sha256, size = finished.result()
                copied[relative] = sha256
                report.bytes += size
                progress(ProgressUpdate("copy files", done, len(files)))
        except BaseException:
            for future in running:
                future.cancel()
            raise
    for folder in {(store / relative).parent for relative in copied}:
        sync_folder(folder)
    problems = verify_files(store, copied)
    if problems:
        raise CaseError(f"The copy in {store} is not the same as the case ({'; '.join(problems[:3])}"
                        f"{f'; and {len(problems) - 3:,} more' if len(problems) > 3 else ''}); nothing was "
                        "shared. Check the shared folder's disk, then share again.")
    report.files = len(copied)


def verify_files(store: Path, expected: dict[Path, str]) -> list[str]:
    """Every file of `expected` (path in the store -> SHA-256) read back from the store; one sentence
    per file that is missing or differs."""
    def problem(item: tuple[Path, str]) -> str | None:
        relative, sha256 = item
        target = store / relative
        if not target.is_file():
            return f"{relative} is missing"
        if file_sha256(target) != sha256:
            return f"{relative} differs from the original"
        return None

    with ThreadPoolExecutor(COPY_THREADS) as pool:
        return [found for found in pool.map(problem, expected.items()) if found is not None]


def _check_documents(reading: Connection, store: Path, report: ShareReport, progress: Progress,
                     cancel: CancelToken | None) -> None:
    """Every document's original (by the SHA-256 taken at ingest) and text is in the shared folder."""
    natives, texts = EvidenceStore(store / "natives"), TextStore(store / "text")
    documents = reading.execute(
        select(Document.id, Document.control, Document.sha256, Document.text_chars).order_by(Document.id)
    ).all()
    problems = []
    for done, (doc_id, control, sha256, text_chars) in enumerate(documents, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        problem = natives.verify(sha256)
        if problem:
            problems.append(f"{control}: {problem}")
        if text_chars and not texts.path_for(control, doc_id).is_file():
            problems.append(f"{control}: its extracted text is missing")
        if done % 500 == 0 or done == len(documents):
            progress(ProgressUpdate("check documents", done, len(documents)))
    if problems:
        more = f"; and {len(problems) - 3:,} more" if len(problems) > 3 else ""
        raise CaseError(f"The case is not sound, so it was not shared ({'; '.join(problems[:3])}{more}); run "
                        "`reviewer check` on it and repair what it finds first.")
    report.documents = len(documents)


def _empty(store: Path, remove: bool) -> None:
    """Take back what was copied into the shared folder (it was empty, or did not exist, before)."""
    for child in store.iterdir() if store.is_dir() else ():
        _make_writable(child)
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    if remove:
        shutil.rmtree(store, ignore_errors=True)


def _make_writable(path: Path) -> None:
    # Originals are copied read-only; on Windows that stops their removal.
    for folder, _dirs, names in os.walk(path):
        for name in names:
            os.chmod(os.path.join(folder, name), 0o644)


# --- rows ------------------------------------------------------------------------------------------------
def _copy_rows(reading: Connection, writing: Connection, report: ShareReport, progress: Progress,
               cancel: CancelToken | None) -> None:
    tables = Base.metadata.sorted_tables
    for done, table in enumerate(tables, start=1):
        copied = _copy_table(reading, writing, table, cancel)
        _advance_sequence(writing, table)
        expected = _fingerprint(reading, table)
        found = _fingerprint(writing, table)
        if found != expected:
            raise CaseError(f"The table {table.name} read back from the server differs from the case "
                            f"({found[0]:,} rows, {expected[0]:,} expected); nothing was shared. Report "
                            "this.")
        report.rows[table.name] = copied
        progress(ProgressUpdate("copy rows", done, len(tables), {"rows": report.total_rows}))


def _copy_table(reading: Connection, writing: Connection, table: Table, cancel: CancelToken | None) -> int:
    """Copy every row; columns that point into the same table (a document's parent, an undo's action)
    are filled in afterwards, so that the order rows come in never matters."""
    own = [c.name for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]
    later: list[dict[str, Any]] = []
    count = 0
    rows = reading.execute(select(table).order_by(*_key(table)).execution_options(stream_results=True))
    for batch in rows.mappings().partitions(BATCH_ROWS):
        if cancel is not None:
            cancel.raise_if_cancelled()
        values = [dict(row) for row in batch]
        for row in values:
            pointers = {name: row[name] for name in own if row[name] is not None}
            if pointers:
                later.append({"_id": row["id"], **{f"_{k}": v for k, v in pointers.items()}})
                row.update(dict.fromkeys(pointers))
        writing.execute(insert(table), values)
        count += len(values)
    for name in own:
        pointing = [{"_id": row["_id"], "_value": row[f"_{name}"]} for row in later if f"_{name}" in row]
        if pointing:
            writing.execute(update(table).where(table.c.id == bindparam("_id"))
                            .values({name: bindparam("_value")}), pointing)
    return count


def _key(table: Table) -> list[Any]:
    """Key order, the same on both databases (text keys by code point)."""
    return [sortable(c) if c.type.python_type is str else c for c in table.primary_key.columns]


def _advance_sequence(writing: Connection, table: Table) -> None:
    """New rows on the server get ids past the copied ones."""
    if "id" not in table.c or not table.c.id.autoincrement:
        return
    writing.execute(text(
        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


def _fingerprint(connection: Connection, table: Table) -> tuple[int, str]:
    """(rows, SHA-256 of every row in key order): equal on both databases when the copy is exact."""
    digest = hashlib.sha256()
    count = 0
    result = connection.execute(select(table).order_by(*_key(table)).execution_options(stream_results=True))
    for row in result:
        digest.update(repr(tuple(without_nul(value) for value in row)).encode("utf-8"))
        count += 1
    return count, digest.hexdigest()


# --- joining ---------------------------------------------------------------------------------------------
def join(address: ServerAddress, store: Path, out: Path) -> str:
    """Write the case file `out` for the shared case at `address` with its evidence in `store`, after
    opening the case once through it; the case's name."""
    out, store = Path(out).absolute(), Path(store).absolute()
    if out.exists():
        raise CaseError(f"{out} already exists; choose another name for the case file.")
    described = CaseFile(address.server, store)
    with Case.open_shared(out, described, connection=address) as case:
        name = case.name
    described.write(out)
    return name
