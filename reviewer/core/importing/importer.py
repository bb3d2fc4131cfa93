"""Import an incoming production volume: every DAT row becomes one document under its BEGBATES, its OPT
pages assembled into one PDF (each page keeping its Bates number), with text, natives and families.

Every DAT row ends on the ingest ledger (document, duplicate for a re-import or overlay, or exception);
every other problem is an exception too and a line of the validation report. The volume's files are only
read. Rows are recorded a few hundred to a transaction, and a row already imported is never imported
again, so a killed or cancelled import is finished by running it again; an overlay (same BEGBATES, new
fields) updates metadata and leaves coding alone.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.core.audit import Action
from reviewer.core.case import Case, now
from reviewer.core.casebuild import people_build
from reviewer.core.errors import CancelledError, ReviewerError
from reviewer.core.importing.assemble import PageImageError, SourcePage, assemble, page_count
from reviewer.core.importing.loadfile_reader import (
    DatDialect,
    DatFile,
    LoadFileError,
    decode,
    map_fields,
    read_dat,
    split_values,
)
from reviewer.core.importing.metadata import apply_metadata
from reviewer.core.importing.opticon import OptFile, OptPage, read_opt
from reviewer.core.importing.validate import (
    Problem,
    RowRange,
    ValidationReport,
    check_families,
    check_ranges,
    label_after,
    span,
)
from reviewer.core.models import (
    Document,
    DocumentCustodian,
    ImportedRecord,
    IngestEntry,
    PageBates,
)
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.recording import RecordingRun, RecordingTransaction, finish_batch, start_batch
from reviewer.core.search.index import index_pending
from reviewer.core.team.access import require_role

NO_TEXT_FLAG = "no text"
_MULTI_PAGE_SUFFIXES = {".pdf", ".tif", ".tiff"}


@dataclass
class ImportOptions:
    dat: Path | None = None
    opt: Path | None = None
    custodian: str = ""
    mapping: dict[str, str] = field(default_factory=dict)  # OURFIELD -> THEIRFIELD
    dialect: DatDialect | None = None  # None: detected
    ocr: bool = True


@dataclass
class ImportPlan:
    """What an import would read, before it reads any image: for the preview and the checks."""

    volume_dir: Path
    dat: DatFile
    opt: OptFile | None
    mapping: dict[str, str]

    def value(self, row: dict[str, str], ours: str) -> str:
        theirs = self.mapping.get(ours)
        return row.get(theirs, "").strip() if theirs else ""

    @property
    def unmapped(self) -> list[str]:
        return [name for name in self.dat.header if name not in self.mapping.values()]


def find_load_file(volume_dir: Path, suffix: str) -> Path | None:
    found = sorted(p for p in volume_dir.rglob("*") if p.suffix.lower() == suffix and p.is_file())
    if len(found) > 1:
        names = ", ".join(str(p.relative_to(volume_dir)) for p in found)
        option = "--dat" if suffix == ".dat" else "--opt"
        raise ReviewerError(f"The volume holds several {suffix} files ({names}); choose one with {option}.")
    return found[0] if found else None


def plan_import(volume_dir: Path | str, options: ImportOptions | None = None) -> ImportPlan:
    options = options or ImportOptions()
    volume_dir = Path(volume_dir).absolute()
    if not volume_dir.is_dir():
        raise ReviewerError(f"{volume_dir} is not a folder; choose the production volume's folder.")
    dat_path = options.dat or find_load_file(volume_dir, ".dat")
    if dat_path is None:
        raise ReviewerError(f"No .dat file in {volume_dir}; name it with --dat.")
    opt_path = options.opt or find_load_file(volume_dir, ".opt")
    dat = read_dat(Path(dat_path), options.dialect)
    mapping = map_fields(dat.header, options.mapping)
    if "BEGBATES" not in mapping:
        raise LoadFileError(f"No BEGBATES field among {', '.join(dat.header)}; name it with "
                            "--map BEGBATES=FIELD.")
    return ImportPlan(volume_dir, dat, read_opt(Path(opt_path)) if opt_path else None, mapping)


def import_production(case: Case, volume_dir: Path | str, options: ImportOptions | None = None,
                      progress: Progress = no_progress,
                      cancel: CancelToken | None = None) -> ValidationReport:
    """Import a volume; returns (and saves in the case's imports/ folder) its validation report."""
    require_role(case, "admin", "import productions")
    options = options or ImportOptions()
    cancel = cancel or CancelToken()
    plan = plan_import(volume_dir, options)
    progress(ProgressUpdate("check", message="Checking the load files…"))
    opt = str(plan.opt.path) if plan.opt else ""
    report = ValidationReport(str(plan.volume_dir), str(plan.dat.path), opt, plan.dat.dialect.describe(),
                              rows=len(plan.dat.rows))
    with case.writing():
        index_pending(case)
        run = _ImportRun(case, plan, options, report)
        try:
            run.run(progress, cancel)
        except CancelledError:
            report.cancelled = True
        finally:
            progress(ProgressUpdate("index", message="Updating the search index…"))
            run.link_families()
            index_pending(case)
            run.finish()
        if not report.cancelled:
            # Imported only now: a run that is stopped never pays for the analytics' libraries.
            from reviewer.core.analytics import run as analytics

            report.cancelled = not analytics.refresh(case, progress, cancel)
        people_build.after_run(case, progress, cancel)
    report.save(case.root / "imports", now())
    return report


class _ImportRun:
    def __init__(self, case: Case, plan: ImportPlan, options: ImportOptions,
                 report: ValidationReport) -> None:
        self.case, self.plan, self.options, self.report = case, plan, options, report
        self.dat_source = str(plan.dat.path)
        self.opt_source = str(plan.opt.path) if plan.opt else self.dat_source
        # Every file in the volume by its relative path in lower case: load files written on Windows name
        # IMAGES\0001\A.TIF for images/0001/A.tif, or give absolute paths from the producer's machine.
        self.files = {p.relative_to(plan.volume_dir).as_posix().lower(): p
                      for p in plan.volume_dir.rglob("*") if p.is_file()}
        self.texts_by_name = {p.stem.upper(): p for p in self.files.values() if p.suffix.lower() == ".txt"}
        self.page_counts: dict[Path, int] = {}
        self._early: list[tuple[str, str, str]] = []  # problems found before the first transaction
        self.batch_id = start_batch(case, options.custodian, [str(plan.volume_dir)])
        with case.db.reader() as session:
            self.ledger = {(s, m) for s, m in session.execute(
                select(IngestEntry.source_path, IngestEntry.member_path).where(
                    IngestEntry.source_path.in_([self.dat_source, self.opt_source])))}

    # --- the load-file checks, and which OPT pages belong to which row -----------------------------------
    def _rows_and_pages(self) -> list[tuple[int, dict[str, str], list[OptPage]]]:
        plan, report = self.plan, self.report
        for number, reason in plan.dat.bad_lines:
            self._exception(None, self.dat_source, f"line {number}", Problem.BAD_LINE, f"DAT line {number}",
                            reason)
        if plan.opt:
            for number, reason in plan.opt.bad_lines:
                self._exception(None, self.opt_source, f"line {number}", Problem.BAD_LINE,
                                f"OPT line {number}", reason)
        if plan.dat.dialect.repaired_mojibake:
            self._exception(None, self.dat_source, "(encoding)", Problem.MOJIBAKE, plan.dat.path.name,
                            "its þ quotes appeared as Ã¾; it was read back to the original characters, but "
                            "ask the producing party whether other text was damaged")
        opt_pages = plan.opt.pages if plan.opt else []
        report.pages = len(opt_pages)
        position: dict[str, int] = {}
        for index, page in enumerate(opt_pages):
            position.setdefault(page.bates, index)
        begins = {plan.value(row, "BEGBATES") for row in plan.dat.rows}
        claimed: set[int] = set()
        result = []
        seen: set[str] = set()
        ranges = []
        for line, row in zip(plan.dat.line_numbers, plan.dat.rows, strict=True):
            beg, end = plan.value(row, "BEGBATES"), plan.value(row, "ENDBATES")
            if not beg:
                self._exception(None, self.dat_source, f"line {line}", Problem.NO_BATES, f"DAT line {line}",
                                "the row has no BEGBATES; it cannot be numbered")
                continue
            if beg in seen:
                self._exception(None, self.dat_source, f"{beg} (line {line})", Problem.DUPLICATE, beg,
                                f"DAT line {line} repeats a BEGBATES already used; only the first is "
                                "imported")
                continue
            seen.add(beg)
            ranges.append(RowRange(beg, end, plan.value(row, "BEGATTACH"), plan.value(row, "ENDATTACH")))
            pages: list[OptPage] = []
            start = position.get(beg)
            if start is not None:
                for index in range(start, len(opt_pages)):
                    page = opt_pages[index]
                    if index > start and (page.first or page.bates in begins):
                        break
                    pages.append(page)
                    claimed.add(index)
                    if page.bates == end:
                        break
            result.append((line, row, pages))
        for index, page in enumerate(opt_pages):
            if index not in claimed:
                self._exception(None, self.opt_source, page.bates, Problem.OUTSIDE, page.bates,
                                f"OPT line {page.line} ({page.path}) is in no DAT row's range")
        if plan.opt:  # an overlay (a DAT alone) updates some rows; the holes between them are no gaps
            check_ranges(report, ranges)
            check_families(report, ranges)
        return result

    # --- the rows ---------------------------------------------------------------------------------------
    def run(self, progress: Progress, cancel: CancelToken) -> None:
        rows = self._rows_and_pages()
        recording = RecordingRun(self.case, self.batch_id)
        counts: Counter[str] = Counter({"added": 0, "updated": 0, "unchanged": 0, "exceptions": 0})
        progress(ProgressUpdate("import", 0, len(rows), dict(counts)))
        try:
            existing, controls = self._existing()
            for done, (line, row, pages) in enumerate(rows, start=1):
                cancel.raise_if_cancelled()
                beg = self.plan.value(row, "BEGBATES")
                if beg in controls and beg not in existing:
                    prepared = _Prepared(line, row, beg, failure=(
                        Problem.DUPLICATE, "a document already in this case has this control number"))
                else:
                    prepared = self._prepare(line, row, pages, existing.get(beg))
                counts.update(recording.add(partial(self._record, prepared=prepared)))
                progress(ProgressUpdate("import", done, len(rows), dict(counts)))
            counts.update(recording.flush())
        except CancelledError:
            counts.update(recording.flush())  # what was read before the stop is kept
            raise
        except BaseException:
            recording.abandon_index()
            raise
        finally:
            recording.commit_index()
            self.report.added, self.report.updated = counts["added"], counts["updated"]
            self.report.unchanged = counts["unchanged"]
            progress(ProgressUpdate("import", len(rows), len(rows), dict(counts)))

    def _existing(self) -> tuple[dict[str, tuple[int, str]], set[str]]:
        """Rows imported before (by BEGBATES: document id and fields), and every control number in use."""
        with self.case.db.reader() as session:
            imported = {beg: (doc_id, fields) for beg, doc_id, fields in session.execute(
                select(ImportedRecord.beg_bates, ImportedRecord.document_id, ImportedRecord.fields))}
            return imported, set(session.scalars(select(Document.control)))

    def _prepare(self, line: int, row: dict[str, str], opt_pages: list[OptPage],
                 existing: tuple[int, str] | None) -> _Prepared:
        plan = self.plan
        beg = plan.value(row, "BEGBATES")
        prepared = _Prepared(line, row, beg)
        if existing is not None:
            prepared.existing_id = existing[0]
            before = json.loads(existing[1])
            prepared.changed = any(before.get(name) != value for name, value in row.items())
            return prepared
        if not opt_pages:
            prepared.failure = (Problem.NO_IMAGES, "the OPT lists no page image for this document")
            return prepared
        try:
            sources, page_labels = self._source_pages(opt_pages)
            assembled = assemble(sources, ocr=False)
        except PageImageError as error:
            prepared.failure = (Problem.BAD_IMAGE, str(error))
            return prepared
        prepared.page_labels = page_labels
        self._check_page_count(prepared, row, len(opt_pages), len(page_labels))
        text = self._text(prepared, row)
        if text is None:
            text = "\f".join(assembled.texts)
            if not text.strip() and self.options.ocr:
                assembled = assemble(sources, ocr=True)
                text = "\f".join(assembled.texts)
        if not text.strip():
            prepared.flags.append(NO_TEXT_FLAG)
            prepared.warnings.append((Problem.NO_TEXT, "no text file, no text layer, and no OCR text"))
        prepared.text, prepared.pdf = text, assembled.pdf
        native = plan.value(row, "NATIVEPATH")
        if native:
            path = self._volume_file(native)
            if path is None:
                prepared.warnings.append((Problem.NO_NATIVE, f"NATIVEPATH {native} is not in the volume"))
            else:
                prepared.native = path
        return prepared

    def _source_pages(self, opt_pages: list[OptPage]) -> tuple[list[SourcePage], list[str]]:
        """Each page's file and place in it, and its Bates number. Consecutive OPT lines naming one file are
        its successive pages; a multi-page PDF/TIFF named once stands for all its pages."""
        sources: list[SourcePage] = []
        labels: list[str] = []
        run_file: Path | None = None
        run_index = 0
        for page in opt_pages:
            path = self._volume_file(page.path)
            if path is None:
                raise PageImageError(f"The page image {page.path} for {page.bates} is missing from the "
                                     "volume.")
            run_index = run_index + 1 if path == run_file else 0
            run_file = path
            sources.append(SourcePage(path, run_index))
            labels.append(page.bates)
        if len(opt_pages) == 1 and sources[0].file.suffix.lower() in _MULTI_PAGE_SUFFIXES:
            count = self._page_count(sources[0].file)
            for index in range(1, count):
                sources.append(SourcePage(sources[0].file, index))
                labels.append(label_after(labels[0], index))
        return sources, labels

    def _page_count(self, path: Path) -> int:
        if path not in self.page_counts:
            self.page_counts[path] = page_count(path)
        return self.page_counts[path]

    def _check_page_count(self, prepared: _Prepared, row: dict[str, str], opt_lines: int, pages: int) -> None:
        plan = self.plan
        claims = {"pages assembled": pages}
        bates_span = span(prepared.beg, plan.value(row, "ENDBATES"))
        if bates_span is not None and plan.value(row, "ENDBATES"):
            claims["BEGBATES–ENDBATES"] = bates_span
        pgcount = plan.value(row, "PGCOUNT")
        if pgcount.isdigit():
            claims["PGCOUNT"] = int(pgcount)
        if len(set(claims.values())) > 1:
            said = ", ".join(f"{name} {value}" for name, value in claims.items())
            prepared.warnings.append((Problem.PAGE_COUNT, f"{said} (OPT lines {opt_lines})"))

    def _text(self, prepared: _Prepared, row: dict[str, str]) -> str | None:
        """The producing party's text for the row, or None to fall back to the images."""
        named = self.plan.value(row, "TEXTPATH")
        path = self._volume_file(named) if named else self.texts_by_name.get(prepared.beg.upper())
        if named and path is None:
            prepared.warnings.append((Problem.NO_TEXT, f"TEXTPATH {named} is not in the volume; text taken "
                                                       "from the page images"))
        if path is None:
            return None
        return decode(path.read_bytes())[0].replace("\r\n", "\n")

    def _volume_file(self, relative: str) -> Path | None:
        """The volume's file a load file names; the longest tail of the name that is in the volume wins.
        Only files inside the volume are ever found, so "..\\IMAGES\\A.tif" cannot reach outside it."""
        parts = [p for p in relative.replace("\\", "/").lower().split("/") if p not in ("", ".", "..")]
        for start in range(len(parts)):
            found = self.files.get("/".join(parts[start:]))
            if found is not None:
                return found
        return None

    # --- recording ----------------------------------------------------------------------------------------
    def _record(self, transaction: RecordingTransaction, prepared: _Prepared) -> dict[str, int]:
        """Record one row: a new document, an overlay of one already imported, or an exception."""
        session, member = transaction.session, prepared.beg
        if prepared.existing_id is not None:
            if prepared.changed:
                self._overlay(session, prepared)
            if (self.dat_source, member) not in self.ledger:
                reason = "already imported; metadata updated" if prepared.changed else "already imported"
                self._entry(session, self.dat_source, member, "duplicate", reason, prepared.existing_id)
            return {"updated" if prepared.changed else "unchanged": 1}
        if prepared.failure is not None:
            problem, detail = prepared.failure
            self._exception(session, self.dat_source, member, problem, member, detail)
            return {"exceptions": 1}
        document = self._new_document(transaction, prepared)
        self._entry(session, self.dat_source, member, "document", "", document.id)
        for problem, detail in prepared.warnings:
            self._exception(session, self.dat_source, f"{member} ({problem.value})", problem, member, detail)
        return {"added": 1}

    def _new_document(self, transaction: RecordingTransaction, prepared: _Prepared) -> Document:
        plan, row = self.plan, prepared.row
        hashes, _ = self.case.natives.add_bytes(prepared.pdf)
        custodians = split_values(plan.value(row, "CUSTODIAN"), plan.dat.dialect.multi_value) \
            or [self.options.custodian]
        native_sha, native_name = "", ""
        if prepared.native is not None:
            native_sha = self.case.natives.add_file(prepared.native)[0].sha256
            native_name = prepared.native.name
        file_name = plan.value(row, "FILENAME") or f"{prepared.beg}.pdf"
        document = Document(
            id=transaction.new_document_id(), control=prepared.beg, batch_id=self.batch_id, md5=hashes.md5,
            sha1=hashes.sha1, sha256=hashes.sha256, dedup_key=hashes.sha256, size=hashes.size,
            custodian=custodians[0],
            source_path=f"{self.dat_source}!{prepared.beg}", file_name=file_name, ext="pdf",
            mime="application/pdf", kind="pdf", pages=len(prepared.page_labels),
            text_chars=len(prepared.text),
            flags="; ".join(prepared.flags), indexed=False, added=now(),
        )
        apply_metadata(document, partial(plan.value, row), plan.dat.dialect.multi_value)
        for custodian in dict.fromkeys(custodians):
            document.custodians.append(DocumentCustodian(custodian=custodian))
        transaction.add_document(document, prepared.text)
        session = transaction.session
        session.add(ImportedRecord(
            document_id=document.id, beg_bates=prepared.beg, end_bates=plan.value(row, "ENDBATES"),
            beg_attach=plan.value(row, "BEGATTACH"), end_attach=plan.value(row, "ENDATTACH"),
            volume=self.dat_source, fields=json.dumps(row, ensure_ascii=False), native_sha256=native_sha,
            native_name=native_name, added=now()))
        session.add_all(PageBates(document_id=document.id, page_number=number, bates=label)
                        for number, label in enumerate(prepared.page_labels, start=1))
        return document

    def _overlay(self, session: Session, prepared: _Prepared) -> None:
        document = session.get(Document, prepared.existing_id)
        record = session.scalar(select(ImportedRecord).where(ImportedRecord.beg_bates == prepared.beg))
        assert document is not None and record is not None
        merged = {**json.loads(record.fields), **prepared.row}
        apply_metadata(document, partial(self.plan.value, merged), self.plan.dat.dialect.multi_value)
        record.fields, record.updated = json.dumps(merged, ensure_ascii=False), now()
        record.end_bates = self.plan.value(merged, "ENDBATES") or record.end_bates
        record.beg_attach = self.plan.value(merged, "BEGATTACH") or record.beg_attach
        record.end_attach = self.plan.value(merged, "ENDATTACH") or record.end_attach
        document.indexed = False  # its subject and addresses are searchable

    def _entry(self, session: Session, source: str, member: str, status: str, reason: str,
               document_id: int | None) -> None:
        if (source, member) in self.ledger:
            return
        self.ledger.add((source, member))
        session.add(IngestEntry(batch_id=self.batch_id, custodian=self.options.custodian, source_path=source,
                                member_path=member, status=status, reason=reason, document_id=document_id,
                                kind="production", added=now()))

    def _exception(self, session: Session | None, source: str, member: str, problem: Problem, subject: str,
                   detail: str) -> None:
        self.report.add(problem, subject, detail)
        if session is not None:
            self._entry(session, source, member, "exception", f"{problem.value}: {detail}", None)
        else:
            self._early.append((source, member, f"{problem.value}: {detail}"))

    # --- after the rows -----------------------------------------------------------------------------------
    def link_families(self) -> None:
        """Attachments point at their parent (the row whose BEGBATES is their BEGATTACH), across every
        volume imported so far, so an overlay or a later volume can complete a family."""
        with self.case.db.session() as session:
            records = session.execute(select(ImportedRecord.beg_bates, ImportedRecord.beg_attach,
                                             ImportedRecord.document_id)).all()
            by_beg = {beg: doc_id for beg, _, doc_id in records}
            for _, beg_attach, doc_id in records:
                parent = by_beg.get(beg_attach) if beg_attach else None
                document = session.get(Document, doc_id)
                assert document is not None
                if parent is None or parent == doc_id:
                    document.family_id, document.parent_id = doc_id, None
                else:
                    document.family_id, document.parent_id = parent, parent

    def finish(self) -> None:
        with self.case.db.session() as session:
            for source, member, reason in self._early:
                self._entry(session, source, member, "exception", reason, None)
            for finding in self.report.findings:
                if finding.problem in (Problem.GAP, Problem.OVERLAP, Problem.FAMILY):
                    self._entry(session, self.dat_source, f"{finding.subject} ({finding.problem.value})",
                                "exception", f"{finding.problem.value}: {finding.detail}", None)
        report = self.report
        finish_batch(self.case, self.batch_id, report.cancelled, Action.IMPORT,
                     f"import of {self.plan.volume_dir.name}: {report.added:,} added, {report.updated:,} "
                     f"updated, {len(report.findings):,} problems")


@dataclass
class _Prepared:
    """One DAT row, read and assembled outside the database transaction."""

    line: int
    row: dict[str, str]
    beg: str
    existing_id: int | None = None
    changed: bool = False
    failure: tuple[Problem, str] | None = None
    warnings: list[tuple[Problem, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    page_labels: list[str] = field(default_factory=list)
    text: str = ""
    pdf: bytes = b""
    native: Path | None = None
