"""A production of part of the public corpus (emails, PDFs good and bad, office files, court notices):
it loads back through the project's own DAT/OPT reader with every page accounted for, privileged
documents are withheld or redacted, redacted words cannot be read back, and no produced page hides text
(the corpus has PDFs with "redactions" that are only black boxes over text). REVIEWER_CORPUS, else
skipped."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from reviewer.core import inventory, review
from reviewer.core.case import Case
from reviewer.core.importing.loadfile_reader import read_dat
from reviewer.core.importing.opticon import read_opt
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.produce import redact, visible, volume
from reviewer.core.produce.facts import load_facts
from reviewer.core.produce.plan import REDACTED, WITHHELD
from reviewer.core.produce.production import ProductionResult, ProductionSettings, produce
from reviewer.core.produce.records import production_documents
from reviewer.core.search.service import SearchService
from tests.integration.test_redaction import pdftotext
from tests.unit.test_loadfiles import validate_dat, validate_opt

pytestmark = pytest.mark.corpus

REDACTED_WORD = "Enron"


def subset(corpus: Path) -> list[Path]:
    """About 150 inputs of every kind, chosen the same way every time."""
    index = list(csv.DictReader((corpus / "pdf" / "INDEX.tsv").open(encoding="utf-8"), delimiter="\t"))
    by_category: dict[str, list[str]] = {}
    for row in index:
        by_category.setdefault(row["category"].split("(")[0], []).append(row["file"])
    pdfs = [name for name in by_category["ok-text"] if "x-ray" in name]
    pdfs += by_category["ok-text"][:8] + by_category["encrypted-user-password"][:2]
    pdfs += by_category["broken-needs-repair"][:3] + by_category["image-only"][:2]
    enron = sorted(p for p in (corpus / "enron" / "maildir").rglob("*") if p.is_file())
    misc = [p for part in ("eml", "msg", "docx", "xlsx", "html", "txt", "legacy_office")
            for p in sorted((corpus / "misc" / part).iterdir()) if p.is_file()]
    court = sorted((corpus / "court" / "cmecf_nef_emails").iterdir())[:10]
    return [corpus / "pdf" / name for name in dict.fromkeys(pdfs)] + enron[::40] + misc + court


@pytest.fixture(scope="module")
def produced(corpus: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Case, ProductionResult]]:
    root = tmp_path_factory.mktemp("production-corpus")
    with Case.create(root / "case") as case:
        ingest(case, subset(corpus), IngestOptions(jobs=2, ocr=False))
        rows = inventory.document_rows(case)
        everything = review.resolve_controls(case, [row["control"] for row in rows])
        with SearchService.open(case) as search:
            mentions = sorted(search.matching_ids(REDACTED_WORD.lower()))
        emails = [row["control"] for row in rows if row["kind"] == "eml"]
        privileged = review.resolve_controls(case, emails[:6])
        review.set_privilege(case, privileged, "Attorney-Client", "")
        redact.add_phrase(case, mentions[:12], REDACTED_WORD, "PII")
        review.tag_documents(case, mentions[:2], "Privileged")  # privileged, but produced redacted
        result = produce(case, everything, ProductionSettings(
            name="Corpus", prefix="CORP-", out_dir=root / "out", endorsement="CONFIDENTIAL",
            split_families="produce-others"))
        yield case, result


def test_the_volume_loads_back_with_every_page_accounted_for(produced) -> None:
    case, result = produced
    vol = result.volume_dir
    assert result.documents > 100 and result.pages > result.documents
    assert volume.verify(vol) == []
    table = validate_dat((vol / "DATA" / f"{vol.name}.dat").read_bytes())
    opt_rows = validate_opt((vol / "DATA" / f"{vol.name}.opt").read_bytes())
    documents = read_dat(vol / "DATA" / f"{vol.name}.dat").rows
    pages = read_opt(vol / "DATA" / f"{vol.name}.opt").pages
    assert len(table) - 1 == len(documents) == result.documents
    assert len(opt_rows) == len(pages) == result.pages == sum(int(row["PGCOUNT"]) for row in documents)
    assert [page.bates for page in pages] == [f"CORP-{n:08d}" for n in range(1, result.pages + 1)]
    folders = {page.path.split("\\")[1] for page in pages}
    assert len(folders) == (result.pages - 1) // 1000 + 1
    for page in pages:
        with pymupdf.open(vol.joinpath(*page.path.split("\\"))) as pdf:
            assert pdf.page_count == 1
    recorded = production_documents(case, "Corpus")
    in_dat = [(document["BEGBATES"], document["ENDBATES"]) for document in documents]
    assert [(entry.beg_bates, entry.end_bates) for entry in recorded] == in_dat


def test_privileged_documents_are_withheld_or_redacted(produced) -> None:
    case, result = produced
    recorded = production_documents(case, "Corpus")
    facts = {entry.document_id: entry for entry in recorded}
    privileged = [entry for entry in recorded if entry.treatment in (WITHHELD, REDACTED)]
    assert len([e for e in privileged if e.treatment == WITHHELD]) >= 3
    for doc_id, document in load_facts(case, facts).items():
        if document.privileged:
            assert facts[doc_id].treatment in (WITHHELD, REDACTED), document.control


def test_redacted_words_cannot_be_read_back(produced) -> None:
    case, result = produced
    redacted = [entry for entry in production_documents(case, "Corpus") if entry.treatment == REDACTED]
    assert len(redacted) >= 5
    pattern = re.compile(rf"(?<![^\W_]){REDACTED_WORD}(?![^\W_])", re.IGNORECASE)
    for entry in redacted:
        first, last = (int(b.removeprefix("CORP-")) for b in (entry.beg_bates, entry.end_bates))
        for number in range(first, last + 1):
            image = next(result.volume_dir.joinpath("IMAGES").rglob(f"CORP-{number:08d}.pdf"))
            with pymupdf.open(image) as pdf:
                assert not pattern.search(pdf[0].get_text()), image.name
            assert not pattern.search(pdftotext(image)), image.name
        text = next(result.volume_dir.joinpath("TEXT").rglob(f"{entry.beg_bates}.txt")).read_text("utf-8")
        assert not pattern.search(text), entry.beg_bates


def test_no_produced_page_hides_text(produced) -> None:
    _case, result = produced
    for image in sorted(result.volume_dir.joinpath("IMAGES").rglob("*.pdf")):
        with pymupdf.open(image) as pdf:
            hidden = visible.hidden_text(pdf[0])
            assert not hidden, image.name
            assert not pdf.metadata["author"] and list(pdf[0].annots()) == []


def test_a_tiff_production_continues_the_numbers(produced, tmp_path: Path) -> None:
    case, first = produced
    some = [entry.document_id for entry in production_documents(case, "Corpus")
            if entry.treatment == "produced"][:8]
    result = produce(case, some, ProductionSettings(name="Corpus TIFF", prefix="CORP-", out_dir=tmp_path,
                                                    image_format="tiff", split_families="produce-others"))
    assert int(result.first_bates.removeprefix("CORP-")) == first.pages + 1
    assert volume.verify(result.volume_dir) == []
    for image in result.volume_dir.joinpath("IMAGES").rglob("*.tif"):
        with Image.open(image) as tiff:
            assert tiff.mode == "1" and tiff.info["compression"] == "group4"


def test_every_enron_message_and_pdf_in_one_production(corpus: Path, tmp_path: Path) -> None:
    """Real data never stops a run: every document is produced, or treated as quality control said."""
    with Case.create(tmp_path / "case") as case:
        ingest(case, [corpus / "enron" / "maildir", corpus / "pdf"], IngestOptions(jobs=2, ocr=False))
        rows = inventory.document_rows(case)
        everything = review.resolve_controls(case, [row["control"] for row in rows])
        result = produce(case, everything, ProductionSettings(
            name="All", prefix="ALL-", out_dir=tmp_path / "out", split_families="produce-others"))
        recorded = production_documents(case, "All")
    assert result.documents == len(recorded) >= 1000
    assert volume.verify(result.volume_dir) == []
    set_aside = {entry.control: entry for entry in result.unimageable}
    for entry in recorded:
        if entry.control in set_aside:
            assert entry.treatment == "native", entry.control
    assert len(set_aside) <= 5
