"""Make a production: plan, quality control, then pages, text, natives and load files into a new volume,
and the record of what went out kept in the case.

The rules that must hold are checked here, not assumed: no Privileged document goes out unless withheld
or redacted (QC), a redacted phrase can be read neither in a produced page nor in its text file (checked
on the produced output itself; a failure stops the production), and it is masked in the load files. The
whole run holds the case's writer lock, so two productions can never hand out the same Bates numbers.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from reviewer.core.audit import Action, record_job
from reviewer.core.case import Case, now
from reviewer.core.choices import Unimageable
from reviewer.core.db import violates_unique
from reviewer.core.errors import ReviewerError
from reviewer.core.models import Production, ProductionDocument
from reviewer.core.produce import bates, lettering, loadfiles, pages, qc, volume
from reviewer.core.produce.facts import DocumentFacts
from reviewer.core.produce.imaging import MUPDF_ERRORS, ImagingError
from reviewer.core.produce.loadfiles import DatEncoding, OptPage
from reviewer.core.produce.plan import (
    NATIVE,
    REDACTED,
    TREATMENT_LABELS,
    WITHHELD,
    Plan,
    PlannedDocument,
    SplitRule,
    build_plan,
)
from reviewer.core.produce.redact import Burned, phrase_pattern, readable
from reviewer.core.produce.stamping import EXTENSIONS, ImageFormat, write_page
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.team.access import require_role

WITHHELD_SLIP = "Withheld \u2014 Privileged"
NATIVE_SLIP = "Produced in native format"
MASK = "[REDACTED]"
# Load-file fields that carry what a document says, and so may carry what its redactions removed.
_CONTENT_FIELDS = ("FROM", "TO", "CC", "BCC", "SUBJECT", "AUTHOR", "TITLE", "FILENAME")


class ProductionError(ReviewerError):
    """The production could not be completed; nothing was written."""


@dataclass(frozen=True)
class ProductionSettings:
    name: str
    prefix: str
    out_dir: Path
    volume: str | None = None  # default: VOL001, VOL002, … by the number of productions in the case
    start: int | None = None  # default: after the last number used with this prefix
    digits: int = bates.DEFAULT_DIGITS
    endorsement: str = ""
    confidentiality: str | None = None  # default: the endorsement
    image_format: ImageFormat = "pdf"
    dat_encoding: DatEncoding = "utf-8"
    withhold_privileged: bool = False
    split_families: SplitRule = "ask"
    unimageable: Unimageable = "native"  # what becomes of a document that cannot be imaged (plan.py)
    query: str = ""  # how the documents were chosen, for the record


@dataclass
class ProductionResult:
    name: str
    volume_dir: Path
    first_bates: str
    last_bates: str
    documents: int
    pages: int
    counts: dict[str, int]
    left_out: list[str]  # mailbox files, whose messages are documents of their own
    rendered_from_text: list[str]  # documents laid out from their extracted text (see imaging.py)
    pictures: int  # pages produced as pictures of themselves (hidden content, layers)
    seconds: float
    unimageable: list[NotImaged] = field(default_factory=list)  # documents that could not be imaged


@dataclass(frozen=True)
class NotImaged:
    """A document that could not be imaged, and what was done with it instead."""

    control: str
    reason: str
    treatment: str  # "native" or "text"


@dataclass
class _Output:
    """One document as it went out."""

    planned: PlannedDocument
    first: int
    last: int
    text_path: str
    native_path: str = ""
    burned: Burned = field(default_factory=Burned)
    family_first: int = 0
    family_last: int = 0


def preview(case: Case, doc_ids: list[int], settings: ProductionSettings, progress: Progress = no_progress,
            cancel: CancelToken | None = None) -> tuple[Plan, list[qc.Issue]]:
    """What a production would hold and what would stop it, without writing anything."""
    _check_settings(settings)
    plan = build_plan(case, doc_ids, settings.withhold_privileged, settings.split_families)
    name = _volume_name(case, settings)
    return plan, qc.check(case, plan, settings.name, settings.out_dir / name, settings.prefix, settings.start,
                          progress, cancel, settings.unimageable)


def produce(case: Case, doc_ids: list[int], settings: ProductionSettings, progress: Progress = no_progress,
            cancel: CancelToken | None = None) -> ProductionResult:
    """Produce the documents (with their families) as a new volume under settings.out_dir.
    Raises qc.QcBlocked with the list of problems when quality control fails; nothing is written then."""
    require_role(case, "admin", "produce documents")
    cancel = cancel or CancelToken()
    started = time.monotonic()
    _check_settings(settings)
    with case.writing():
        plan = build_plan(case, doc_ids, settings.withhold_privileged, settings.split_families)
        name = _volume_name(case, settings)
        issues = qc.check(case, plan, settings.name, settings.out_dir / name, settings.prefix, settings.start,
                          progress, cancel, settings.unimageable)
        if issues:
            raise qc.QcBlocked(issues)
        numbering = bates.Numbering(settings.prefix, settings.digits)
        start = settings.start if settings.start is not None else bates.next_number(case, settings.prefix)
        writer = volume.VolumeWriter(settings.out_dir, name)
        writer.start()
        try:
            result, outputs = _write(case, plan, settings, numbering, start, writer, progress, cancel)
            problems = volume.verify(writer.root, name)
            if problems:
                raise ProductionError(f"The volume {name} did not read back as written ("
                                      + "; ".join(problems[:5]) + "); nothing was produced. Run the "
                                      "production again; if it happens again, report it.")
            writer.flush()
            _record(case, settings, name, writer, numbering, start, outputs, result.unimageable)
            result.volume_dir = writer.final
        except BaseException:
            writer.discard()
            raise
    result.seconds = time.monotonic() - started
    return result


def _check_settings(settings: ProductionSettings) -> None:
    if not settings.name.strip():
        raise ReviewerError("A production needs a name.")
    if len(settings.name) > 256:
        raise ReviewerError("A production's name can be at most 256 characters long.")
    bates.check_prefix(settings.prefix)
    bates.check_digits(settings.digits)
    if settings.start is not None and settings.start < 1:
        raise bates.BatesError("Bates numbers start at 1 or above.")
    if settings.volume is not None:
        volume.check_volume_name(settings.volume)


def _volume_name(case: Case, settings: ProductionSettings) -> str:
    if settings.volume:
        return settings.volume
    with case.db.reader() as session:
        count = session.scalar(select(func.count()).select_from(Production)) or 0
    return f"VOL{count + 1:03d}"


# --- writing ----------------------------------------------------------------------------------------------
def _write(case: Case, plan: Plan, settings: ProductionSettings, numbering: bates.Numbering, start: int,
           writer: volume.VolumeWriter, progress: Progress,
           cancel: CancelToken) -> tuple[ProductionResult, list[_Output]]:
    outputs: list[_Output] = []
    opt: list[OptPage] = []
    from_text: list[str] = []
    pictures = 0
    number = start
    total = len(plan.documents)
    for done, planned in enumerate(plan.documents, start=1):
        cancel.raise_if_cancelled()
        facts = planned.facts
        label = numbering.label(number)
        prepared, native_path = _prepared(case, planned, settings.unimageable, writer, label)
        if prepared.method == "text" and facts.kind not in ("text", "csv", "html"):
            from_text.append(facts.control)
        try:
            first = number
            produced_text = []
            for page in prepared.pages:
                if number > numbering.largest:
                    raise bates.BatesError(f"Bates numbers ran past {numbering.label(numbering.largest)}; "
                                           f"use more --digits.")
                page_label = numbering.label(number)
                relative, target = writer.next_path("IMAGES", page_label + EXTENSIONS[settings.image_format])
                try:
                    produced_text.append(write_page(page, page_label, settings.endorsement,
                                                    settings.image_format, target,
                                                    read_back=planned.treatment == REDACTED))
                except MUPDF_ERRORS as error:
                    raise ProductionError(f"{facts.control}: page {page.number + 1} could not be produced "
                                          f"({error}); nothing was written. Withhold the document or "
                                          "leave it out, and run the production again.") from error
                opt.append(OptPage(page_label, writer.volume, relative, number == first,
                                   len(prepared.pages) if number == first else None))
                number += 1
            pictures += prepared.pictures
        finally:
            prepared.close()
        text_path, target = writer.next_path("TEXT", f"{label}.txt")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(prepared.text, encoding="utf-8")
        output = _Output(planned, first, number - 1, text_path, native_path, prepared.burned)
        if planned.treatment == REDACTED:
            _check_no_leak(output, produced_text, prepared.text, settings)
        outputs.append(output)
        progress(ProgressUpdate("produce", done, total, {"pages": number - start}))
    last = number - 1
    _family_ranges(outputs)
    rows = _dat_rows(outputs, numbering, settings)
    loadfiles.write_dat(writer.data_path(".dat"), rows, settings.dat_encoding)
    loadfiles.write_opt(writer.data_path(".opt"), opt)
    loadfiles.write_csv(writer.data_path(".csv"), rows)
    return ProductionResult(
        name=settings.name, volume_dir=writer.root, first_bates=numbering.label(start),
        last_bates=numbering.label(last), documents=len(outputs), pages=last - start + 1,
        counts=plan.counts(), left_out=plan.left_out, rendered_from_text=from_text, pictures=pictures,
        seconds=0.0, unimageable=not_imaged(plan),
    ), outputs


def not_imaged(plan: Plan) -> list[NotImaged]:
    """The documents of a plan that cannot be imaged, and the treatment each was given."""
    return [NotImaged(p.control, p.unimageable, "text" if p.plain_text else "native")
            for p in plan.documents if p.unimageable]


def _prepared(case: Case, planned: PlannedDocument, unimageable: Unimageable, writer: volume.VolumeWriter,
              label: str) -> tuple[pages.PreparedDocument, str]:
    """The document's pages ready to stamp, and where its native went in the volume (if it went out
    native). One that quality control could image but that fails now is given the unimageable treatment
    all the same: real data does not stop a run unless the production says it should."""
    facts = planned.facts
    if planned.treatment == WITHHELD:
        return pages.slip_sheet([WITHHELD_SLIP, label]), ""
    if planned.treatment != NATIVE:
        redacted = planned.treatment == REDACTED
        try:
            return pages.prepare(case, facts, redacted, planned.plain_text), ""
        except (ImagingError, *MUPDF_ERRORS) as error:
            if planned.plain_text:
                raise ProductionError(f"{facts.control} cannot be imaged even from its text in a plain "
                                      f"layout ({error}); the production was stopped and nothing was "
                                      "written. Withhold it or leave it out, and run the production "
                                      "again.") from error
            problem = qc.treat_unimageable(planned, str(error), unimageable)
            if problem:
                raise ProductionError(f"{facts.control} {problem} The production was stopped and nothing "
                                      "was written.") from error
        if planned.plain_text:
            return pages.prepare(case, facts, redacted, plain_text=True), ""
    prepared = pages.slip_sheet([NATIVE_SLIP, facts.file_name, label])
    prepared.text = case.texts.read(facts.control, facts.id)
    native_path, target = writer.next_path("NATIVES", f"{label}{_safe_extension(facts.ext)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case.natives.path_for(facts.sha256), target)
    return prepared, native_path


def _safe_extension(ext: str) -> str:
    """The native's extension as a file name suffix (".xlsx"); none when it is odd enough to be unsafe."""
    return f".{ext}" if re.fullmatch(r"[A-Za-z0-9]{1,10}", ext) else ""


# --- what a redaction removed stays removed ----------------------------------------------------------------
def _masks(burned: Burned) -> list[re.Pattern[str]]:
    """The patterns of the redacted phrases and of the words that lay under redaction boxes."""
    patterns = [p for p in (phrase_pattern(phrase) for phrase in burned.phrases) if p is not None]
    words = {w.casefold() for text in burned.covered_text for w in re.findall(r"[^\W_]{2,}", text)}
    patterns.extend(p for p in (phrase_pattern(word) for word in sorted(words)) if p is not None)
    return patterns


def _check_no_leak(output: _Output, page_texts: list[str], text_file: str,
                   settings: ProductionSettings) -> None:
    """A redacted phrase must not be readable in the produced pages or text; the labels the boxes show and
    the page stamps are set aside first, as they are ours, not the document's."""
    stamps = {*output.burned.labels, lettering.shown(settings.endorsement)} - {""}
    ours = sorted(stamps, key=len, reverse=True)
    for phrase in output.burned.phrases:
        pattern = phrase_pattern(phrase)
        assert pattern is not None
        for where, text in [("a produced page", t) for t in page_texts] + [("its text file", text_file)]:
            text = readable(text)
            for label in ours:
                text = text.replace(label, " ")
            if pattern.search(text):
                raise ProductionError(
                    f'{output.planned.control}: the redacted phrase "{phrase}" could still be read in '
                    f"{where}; the production was stopped and nothing was written. Cover it with a "
                    "redaction box instead."
                )


# --- load files -------------------------------------------------------------------------------------------
def _family_ranges(outputs: list[_Output]) -> None:
    """BEGATTACH–ENDATTACH: the first and last page of each document's family (its own for a loose one)."""
    families: dict[int, tuple[int, int]] = {}
    for output in outputs:
        root = output.planned.facts.family_root
        low, high = families.get(root, (output.first, output.last))
        families[root] = (min(low, output.first), max(high, output.last))
    for output in outputs:
        output.family_first, output.family_last = families[output.planned.facts.family_root]


def _dat_rows(outputs: list[_Output], numbering: bates.Numbering,
              settings: ProductionSettings) -> list[dict[str, str]]:
    confidentiality = settings.endorsement if settings.confidentiality is None else settings.confidentiality
    rows = []
    for output in outputs:
        facts, treatment = output.planned.facts, output.planned.treatment
        row = {
            "BEGBATES": numbering.label(output.first), "ENDBATES": numbering.label(output.last),
            "BEGATTACH": numbering.label(output.family_first),
            "ENDATTACH": numbering.label(output.family_last),
            "PGCOUNT": str(output.last - output.first + 1), "CUSTODIAN": facts.custodian,
            "ALLCUSTODIANS": loadfiles.dat_value(facts.custodians),
            "REDACTED": "Y" if treatment == REDACTED else "N",
            "CONFIDENTIALITY": confidentiality, "PRODUCTIONTREATMENT": TREATMENT_LABELS[treatment],
            "NATIVEPATH": output.native_path, "TEXTPATH": output.text_path,
        }
        if treatment != WITHHELD:  # a withheld document's metadata could say what it is about
            row.update(_metadata(facts))
        if treatment == REDACTED:
            masks = _masks(output.burned)
            for name in _CONTENT_FIELDS:
                for pattern in masks:
                    row[name] = pattern.sub(MASK, readable(row[name]))
        rows.append(row)
    return rows


def _metadata(facts: DocumentFacts) -> dict[str, str]:
    def addresses(value: str) -> str:
        return loadfiles.dat_value([part for part in value.split("; ")])

    return {
        "FROM": facts.email_from, "TO": addresses(facts.email_to), "CC": addresses(facts.email_cc),
        "BCC": addresses(facts.email_bcc), "SUBJECT": facts.subject, "DATESENT": _date(facts.sent),
        "TIMESENT": facts.sent.strftime("%H:%M:%S") if facts.sent else "", "AUTHOR": facts.author,
        "TITLE": facts.title, "DATECREATED": _date(facts.created), "DATEMOD": _date(facts.modified),
        "FILENAME": facts.file_name, "FILEEXT": facts.ext.lower(), "MD5HASH": facts.md5,
        "SHA1HASH": facts.sha1,
    }


def _date(value: datetime | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


# --- the record -------------------------------------------------------------------------------------------
def _record(case: Case, settings: ProductionSettings, name: str, writer: volume.VolumeWriter,
            numbering: bates.Numbering, start: int, outputs: list[_Output],
            unimageable: list[NotImaged]) -> None:
    """Record the production and put its volume in place, in one transaction.

    The transaction holds the case's write lock from its start (db.py); the Production row goes in first,
    then the range is checked against every other production, so no other process can record an
    overlapping range between the check and the commit (and unique constraints on the first numbers
    stand behind the check). The volume is renamed into place before the commit and back if the commit
    fails: no row names a volume that is not there, and a volume in place is one the case knows."""
    options = {
        "confidentiality": settings.confidentiality, "dat_encoding": settings.dat_encoding,
        "withhold_privileged": settings.withhold_privileged, "split_families": settings.split_families,
        "unimageable": settings.unimageable,
        "not_imaged": [asdict(n) for n in unimageable],
    }
    last = outputs[-1].last
    again = ("Choose another --start" if settings.start is not None else
             "Run the production again to number it after them")
    taken = (f"Bates numbers {numbering.label(start)}–{numbering.label(last)} are taken ({{}}); nothing was "
             f"produced. {again}.")
    try:
        with case.db.session() as session:
            production = Production(
                name=settings.name, volume=name, prefix=settings.prefix, digits=settings.digits,
                first_number=start, last_number=last, image_format=settings.image_format,
                endorsement=settings.endorsement, query=settings.query, options=json.dumps(options),
                out_dir=str(writer.final.absolute()), created=now(), user=case.user,
            )
            session.add(production)
            session.flush()
            clashes = bates.overlapping(session, settings.prefix, start, last, besides=production.id)
            if clashes:
                raise bates.BatesError(taken.format("; ".join(clashes)))
            session.add_all(
                ProductionDocument(
                    production_id=production.id, document_id=output.planned.facts.id, position=position,
                    treatment=output.planned.treatment, first_number=output.first, last_number=output.last,
                    beg_bates=numbering.label(output.first), end_bates=numbering.label(output.last),
                    beg_attach=numbering.label(output.family_first),
                    end_attach=numbering.label(output.family_last),
                )
                for position, output in enumerate(outputs, start=1)
            )
            session.flush()
            record_job(session, Action.PRODUCTION,
                       f"production {name} {numbering.label(start)}–{numbering.label(last)}: "
                       f"{len(outputs):,} documents", subject=name)
            writer.finish()
    except IntegrityError as error:
        writer.unfinish()
        if violates_unique(error, "production", "name"):
            raise ProductionError(f'A production named "{settings.name}" was recorded while this one was '
                                  "being written; nothing was produced. Choose another name.") from error
        raise bates.BatesError(taken.format("another production recorded them")) from error
    except BaseException:
        writer.unfinish()
        raise
