"""What the attorney files, read back as a reader would: the chronology as a Word table (python-docx), an
Excel sheet with real dates (openpyxl) and CSV; the exhibit list; the exhibit binder's index, pages and
stamps (PyMuPDF). Each names the case and is the same file when made again."""

from __future__ import annotations

import csv
import hashlib
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pymupdf
import pytest

from reviewer.cli import main
from reviewer.core import review
from reviewer.core.case import Case
from reviewer.core.casebuild import binder, exhibits, facts, highlights
from reviewer.core.casebuild.exports import export_chronology
from reviewer.core.casebuild.facts import SourceRef
from reviewer.core.casebuild.office_files import ExportError
from reviewer.core.produce import redact
from reviewer.core.produce.production import ProductionSettings, produce
from tests.casebuild_matter import control_of, make_matter

pytestmark = pytest.mark.both_databases

MADE = date(2026, 12, 1)


@pytest.fixture
def chronology(case: Case, tmp_path: Path) -> dict[str, int]:
    ids = make_matter(case, tmp_path / "files")
    memo = control_of(case, ids["memo.pdf"])
    placement = highlights.place_phrase(case, ids["tip.eml"], "sealed until Friday")[0]
    marked = highlights.add_highlight(case, placement, ["2"])
    facts.fact_from_highlight(case, marked.id)
    facts.add_fact(case, "2021-06", "Marlow briefs the Gazette", issues=["2", "1"], key=True,
                   sources=[SourceRef.parse(f"{memo}:1-2")])
    facts.add_fact(case, "~2021-06-14 09:30", "The story is held", status="disputed-prosecution")
    facts.add_fact(case, "2020", "The feud begins", issues=["1"])
    return ids


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_word_chronology_is_a_real_table_in_date_order_naming_the_case(case: Case, chronology,
                                                                            tmp_path: Path) -> None:
    out = tmp_path / "chronology.docx"
    result = export_chronology(case, out, made=MADE)
    assert result.facts == 4
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Chronology" in text and "Test matter" in text and "Made December 1, 2026" in text
    [table] = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    memo = control_of(case, chronology["memo.pdf"])
    assert rows[0] == ["Date", "Fact", "Source (cites)", "Issues", "Status"]
    assert rows[1:] == [
        ["2020", "The feud begins", "", "Bias of the prosecution", "Undisputed"],
        ["2021-06", "Marlow briefs the Gazette", f"{memo} at 1–2",
         "Bias of the prosecution; Improper disclosures to the press", "Undisputed"],
        ["2021-06-14", "sealed until Friday", control_of(case, chronology["tip.eml"]),
         "Improper disclosures to the press", "Undisputed"],
        ["~2021-06-14 09:30", "The story is held", "", "", "Disputed by the prosecution"],
    ]
    assert table.rows[2].cells[1].paragraphs[0].runs[0].bold  # the key fact
    first = sha(out)
    export_chronology(case, out, made=MADE)
    assert sha(out) == first  # made again: the same bytes
    export_chronology(case, out, issue="Bias of the prosecution", key_only=True, made=MADE)
    only = docx.Document(str(out))
    assert [row.cells[1].text for row in only.tables[0].rows[1:]] == ["Marlow briefs the Gazette"]
    assert "Key facts only" in "\n".join(p.text for p in only.paragraphs)


def test_the_excel_chronology_keeps_dates_as_dates_shown_as_entered(case: Case, chronology,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "chronology.xlsx"
    export_chronology(case, out, made=MADE)
    sheet = openpyxl.load_workbook(out).active
    assert (sheet["A1"].value, sheet["A2"].value) == ("Chronology", "Test matter")
    assert [c.value for c in sheet[5]] == ["Date", "As entered", "Fact", "Source (cites)", "Issues", "Status",
                                          "Key", "People"]
    dates = [(row[0].value, row[0].number_format, row[1].value) for row in sheet.iter_rows(min_row=6)]
    assert dates == [(datetime(2020, 1, 1), "yyyy", "2020"), (datetime(2021, 6, 1), "yyyy-mm", "2021-06"),
                     (datetime(2021, 6, 14), "yyyy-mm-dd", "2021-06-14"),
                     (datetime(2021, 6, 14, 9, 30), '"~"yyyy-mm-dd hh:mm', "~2021-06-14 09:30")]
    assert [row[6].value for row in sheet.iter_rows(min_row=6)] == [False, True, False, False]
    first = sha(out)
    export_chronology(case, out, made=MADE)
    assert sha(out) == first


def test_the_csv_chronology(case: Case, chronology, tmp_path: Path) -> None:
    out = tmp_path / "chronology.csv"
    export_chronology(case, out, made=MADE)
    with out.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][:3] == ["Chronology", "Test matter", "Made December 1, 2026"]
    assert rows[1] == ["Date", "Fact", "Source (cites)", "Issues", "Status", "Key", "People"]
    assert [row[0] for row in rows[2:]] == ["2020", "2021-06", "2021-06-14", "~2021-06-14 09:30"]


def test_cites_in_an_export_follow_a_production(case: Case, chronology, tmp_path: Path) -> None:
    out = tmp_path / "chronology.csv"
    produce(case, [chronology["memo.pdf"]], ProductionSettings(name="First", prefix="DEF", digits=7,
                                                               out_dir=tmp_path / "out"))
    export_chronology(case, out, made=MADE)
    assert "DEF0000001–02" in out.read_text(encoding="utf-8-sig")


def test_the_exhibit_list_numbers_the_documents_in_date_order(case: Case, chronology, tmp_path: Path) -> None:
    numbered = exhibits.number_exhibits(case, chronology.values(), start=7)
    assert [e.number for e in numbered] == [7, 8, 9]
    tip = next(e for e in numbered if e.document_id == chronology["tip.eml"])
    assert (tip.date, tip.author, tip.description, tip.issues) == (
        "2021-06-14", "Det. Marlow <marlow@westmarch-pd.example>", "Off the record",
        ("Improper disclosures to the press",))
    assert [e.date for e in numbered] == ["2021-06-14", "", ""]  # the dated first, undated last
    out = tmp_path / "exhibits.xlsx"
    exhibits.export_exhibit_list(case, numbered, out, MADE)
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[5]] == ["Exhibit No.", "Bates / control", "Date", "From / author",
                                          "Description", "Issues"]
    assert [row[0].value for row in sheet.iter_rows(min_row=6)] == [7, 8, 9]
    word = tmp_path / "exhibits.docx"
    exhibits.export_exhibit_list(case, numbered, word, MADE)
    table = docx.Document(str(word)).tables[0]
    assert [row.cells[0].text for row in table.rows] == ["Exhibit No.", "7", "8", "9"]


def test_privileged_documents_stay_out_of_exhibits_unless_redacted_or_asked_for(case: Case,
                                                                                 chronology) -> None:
    review.set_privilege(case, [chronology["note.txt"]], "Work Product", "Investigator's call log")
    with pytest.raises(ExportError, match=r"DOC-\d+ is privileged and not redacted"):
        exhibits.number_exhibits(case, chronology.values())
    assert len(exhibits.number_exhibits(case, chronology.values(), include_privileged=True)) == 3
    redact.add_phrase(case, [chronology["note.txt"]], "Gazette")
    assert [e.redacted for e in exhibits.number_exhibits(case, [chronology["note.txt"]])] == [True]


def test_the_binder_has_an_index_then_every_page_stamped(case: Case, chronology, tmp_path: Path) -> None:
    produce(case, [chronology["memo.pdf"]],
            ProductionSettings(name="First", prefix="GOV", digits=7, start=456, out_dir=tmp_path / "out"))
    redact.add_phrase(case, [chronology["note.txt"]], "Gazette")
    numbered = exhibits.number_exhibits(case, chronology.values())
    out = tmp_path / "binder.pdf"
    made = binder.make_binder(case, numbered, out, MADE)
    tip, memo, note = (control_of(case, chronology[name]) for name in ("tip.eml", "memo.pdf", "note.txt"))
    assert [e.control for e in numbered] == [tip, memo, note]  # the dated one first, then by control number
    with pymupdf.open(out) as pdf:
        assert made.pages == pdf.page_count == 1 + 1 + 2 + 1  # index, email, memo (2 pages), note
        index = pdf[0].get_text()
        for expected in ("Exhibit binder", "Test matter", "Made December 1, 2026", "GOV0000456-GOV0000457",
                         "Off the record"):
            assert expected in index
        stamps = [("Exhibit 1", f"{tip} at 1"), ("Exhibit 2", "GOV0000456"), ("Exhibit 2", "GOV0000457"),
                  ("Exhibit 3", f"{note} at 1")]
        for page, (exhibit, label) in zip(pdf.pages(1), stamps, strict=True):
            width, height = page.rect.width, page.rect.height
            footer = page.get_text(clip=pymupdf.Rect(0, height - 30, width, height))
            assert exhibit in footer and label in footer
        assert "Detective Marlow" in pdf[2].get_text()
        assert "Call log" in pdf[4].get_text() and "Gazette" not in pdf[4].get_text()  # redactions burned in
        assert [entry[1] for entry in pdf.get_toc()] == ["Index", "Exhibit 1: Off the record",
                                                         "Exhibit 2: memo.pdf", "Exhibit 3: note.txt"]
        assert [link["page"] for link in pdf[0].get_links()] == [1, 2, 4]
    first = sha(out)
    binder.make_binder(case, numbered, out, MADE)
    assert sha(out) == first


def test_the_export_commands(case: Case, chronology, tmp_path: Path, capsys) -> None:
    path = str(case.location)
    out = tmp_path / "c.docx"
    assert main(["chronology", path, "--out", str(out), "--made", "2026-12-01"]) == 0
    assert "4 facts" in capsys.readouterr().err and out.is_file()
    assert main(["chronology", path, "--out", str(tmp_path / "c.txt")]) == 1
    assert "ending in .docx, .xlsx, .csv" in capsys.readouterr().err
    binder_out = tmp_path / "b.pdf"
    assert main(["exhibits", path, "--query", "issue:2", "--out", str(binder_out), "--start", "3"]) == 0
    assert "Exhibits 3–4" in capsys.readouterr().err
    with pymupdf.open(binder_out) as pdf:
        assert "Exhibit 3" in pdf[1].get_text()
    assert main(["exhibits", path, "--query", "issue:3", "--out", str(tmp_path / "none.docx")]) == 1
    assert "found no documents" in capsys.readouterr().err
