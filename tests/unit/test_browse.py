"""reviewer.core.browse on a real case: ordering in SQL, facet filters and counts, rows, one document."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core import browse, review
from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from tests.helpers import make_email, make_pdf, pdf_bytes


@pytest.fixture
def coded_case(case: Case, tmp_path: Path) -> Case:
    files = tmp_path / "files"
    make_pdf(files / "a-memo.pdf", ["Memo one.", "Page two."], author="Zed Author", title="Memo")
    make_email(files / "b-mail.eml", "Alpha subject", "Body text.", attachments={"att.pdf": pdf_bytes("Att")})
    (files / "c-note.txt").write_text("A note without a date of its own.")
    ingest(case, [files], IngestOptions(custodian="reyes-m", jobs=1))
    review.ensure_default_tags(case)
    return case


def test_ordered_ids_sorts_in_sql_and_keeps_to_the_result(coded_case: Case):
    every = browse.ordered_ids(coded_case)
    assert len(every) == 4 and every == sorted(every)
    by_control_desc = browse.ordered_ids(coded_case, sort="control", descending=True)
    assert by_control_desc == list(reversed(every))
    by_subject = browse.ordered_ids(coded_case, sort="subject")
    subjects = [row.subject.casefold() for row in browse.document_rows(coded_case, by_subject)]
    assert subjects == sorted(subjects)
    within = {every[0], every[2]}
    assert browse.ordered_ids(coded_case, within, sort="control", descending=True) == [every[2], every[0]]


def test_filters_and_facet_counts(coded_case: Case):
    every = browse.ordered_ids(coded_case)
    review.tag_documents(coded_case, every[:2], "Privileged")
    privileged = next(t for t in browse.facets(coded_case).tags if t.name == "Privileged")
    assert privileged.count == 2
    assert browse.ordered_ids(coded_case, browse=browse.BrowseFilter(tag_id=privileged.id)) == every[:2]
    assert browse.ordered_ids(coded_case, browse=browse.BrowseFilter(kind="pdf")) == [
        row.id for row in browse.document_rows(coded_case, every) if row.kind == "pdf"]
    facets = browse.facets(coded_case, {every[0]})
    assert facets.total == 1 and facets.custodians == [("reyes-m", 1)]
    assert browse.tag_counts(coded_case, every) == {privileged.id: 2}
    assert browse.coding_counts(coded_case, every) == browse.CodingCounts(2, 2)
    month = next(m for m, _n in browse.facets(coded_case).months if m != browse.UNDATED)
    assert browse.ordered_ids(coded_case, browse=browse.BrowseFilter(period=month))
    assert browse.ordered_ids(coded_case, browse=browse.BrowseFilter(period=month[:4]))


def test_document_detail_email_family_and_pages(coded_case: Case):
    rows = browse.document_rows(coded_case, browse.ordered_ids(coded_case))
    email = next(row for row in rows if row.kind == "eml")
    detail = browse.document_detail(coded_case, email.id)
    assert detail.display == "email"
    assert detail.text[detail.body_offset:].startswith("Body text.")
    assert [(m.depth, m.is_current) for m in detail.family] == [(0, True), (1, False)]
    pdf = next(row for row in rows if row.kind == "pdf" and row.pages == 2)
    assert browse.document_detail(coded_case, pdf.id).display == "page"
    assert browse.controls_to_ids(coded_case, [pdf.control.lower(), "NOPE-1"]) == [pdf.id]
    with pytest.raises(LookupError):
        browse.document_detail(coded_case, 999)
