"""Redactions from storing to burning in: what lay under a box, or matched a redacted phrase, cannot be read
back from a produced page (by PyMuPDF or by poppler's pdftotext), its text file or its load-file
metadata, while the rest of the document still can; originals stay as they were."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest

from reviewer.cli import main
from reviewer.core import inventory
from reviewer.core.case import Case
from reviewer.core.importing.loadfile_reader import read_dat
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.produce import records, redact
from reviewer.core.produce.facts import load_facts
from reviewer.core.produce.production import ProductionResult, ProductionSettings, produce
from tests.helpers import make_email

IMAGE_RECT = pymupdf.Rect(300, 300, 500, 400)
ACCOUNT_BOX = (60, 440, 260, 540)  # over the account number and the blue lines


def make_rich_pdf(path: Path) -> Path:
    """Two pages: a phrase in running text and broken over a line, a look-alike word, an account number
    above two blue lines, and a red picture."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=612, height=792)
    page.insert_text((72, 100), "The merger plan is confidential.", fontsize=11)
    page.insert_text((72, 130), "Ann met Bob for the Annual review.", fontsize=11)
    page.insert_text((72, 160), "Yesterday we discussed the merger", fontsize=11)
    page.insert_text((72, 174), "plan with counsel.", fontsize=11)
    page.insert_text((72, 470), "Account 12345678 belongs to Bob.", fontsize=11)
    page.draw_line((100, 500), (200, 500), color=(0, 0, 1), width=2)
    page.draw_line((150, 520), (400, 520), color=(0, 0, 1), width=2)
    red = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 100, 50), 0)
    red.set_rect(red.irect, (255, 0, 0))
    page.insert_image(IMAGE_RECT, pixmap=red)
    second = pdf.new_page(width=612, height=792)
    second.insert_text((72, 100), "Page two repeats the MERGER   PLAN.", fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    return path


def pdftotext(path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed: run .ci/system-deps.sh"
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()


def readable_everywhere(volume: Path, begbates: str | None = None) -> list[tuple[str, str]]:
    """(where, text) for every produced page (by PyMuPDF and by pdftotext) and text file of the volume,
    or of the documents whose files start with `begbates`."""
    found = []
    for image in sorted((volume / "IMAGES").rglob("*.pdf")):
        with pymupdf.open(image) as pdf:
            found.append((f"{image.name} (PyMuPDF)", "".join(page.get_text() for page in pdf)))
        found.append((f"{image.name} (pdftotext)", pdftotext(image)))
    for text in sorted((volume / "TEXT").rglob("*.txt")):
        found.append((text.name, text.read_text(encoding="utf-8")))
    return [(where, text) for where, text in found if begbates is None or where.startswith(begbates)]


def contains(text: str, phrase: str) -> bool:
    """The phrase as a reader would find it: any letter case, any spacing or line break between words."""
    return re.search(r"\s+".join(map(re.escape, phrase.split())), text, re.IGNORECASE) is not None


@pytest.fixture
def redaction_case(case: Case, tmp_path: Path) -> tuple[Case, dict[str, int]]:
    source = tmp_path / "collection"
    make_rich_pdf(source / "memo.pdf")
    make_email(source / "falcon.eml", "Project Falcon budget", "Dear Ben,\nProject Falcon needs more money.\n"
               "Please keep project falcon quiet.\nThanks, Ada", sender="Ada Quill <ada@quill-law.example>")
    (source / "public.txt").write_text("A public notice about the annual picnic.", encoding="utf-8")
    ingest(case, [source], IngestOptions(jobs=1))
    ids = {row["file_name"]: i for i, row in enumerate(inventory.document_rows(case), start=1)}
    return case, ids


def begbates(case: Case, result: ProductionResult) -> dict[str, str]:
    """Each produced document's first Bates number, by its file name."""
    names = {row["control"]: row["file_name"] for row in inventory.document_rows(case)}
    produced = records.production_documents(case, result.name)
    return {names[entry.control]: entry.beg_bates for entry in produced}


def produce_all(case: Case, out: Path, **options: object) -> ProductionResult:
    ids = sorted(load_facts(case, range(1, 100)))
    return produce(case, ids, ProductionSettings(name=str(options.pop("name", "Redacted")), prefix="ACME-",
                                                  out_dir=out, **options))  # type: ignore[arg-type]


def test_a_box_removes_text_pixels_and_drawings_under_it(redaction_case, tmp_path: Path) -> None:
    case, ids = redaction_case
    redact.add_rectangle(case, ids["memo.pdf"], 1, ACCOUNT_BOX, "PII")
    redact.add_rectangle(case, ids["memo.pdf"], 1, (290, 290, 400, 410), "PII")  # the picture's left half
    result = produce_all(case, tmp_path / "out")

    memo = begbates(case, result)["memo.pdf"]
    page_one = result.volume_dir / "IMAGES" / "0001" / f"{memo}.pdf"
    for where, text in readable_everywhere(result.volume_dir, memo):
        assert "12345678" not in text, where
        assert contains(text, "merger plan is confidential"), where  # the rest still reads
    with pymupdf.open(page_one) as pdf:
        page = pdf[0]
        assert page.get_text().count("PII") == 2  # each box shows its label
        blue = [d for d in page.get_drawings() if d.get("color") == (0.0, 0.0, 1.0)]
        assert blue == []  # the line under the box and the one crossing its edge
        [image] = page.get_images()
        pixels = pymupdf.Pixmap(pdf.extract_image(image[0])["image"])
        assert pixels.pixel(10, 25) != (255, 0, 0)  # under the box: no longer the picture
        assert pixels.pixel(90, 25) == (255, 0, 0)  # outside it: untouched
    dat = {row["BEGBATES"]: row for row in read_dat(result.volume_dir / "DATA" / "VOL001.dat").rows}
    assert dat[memo]["REDACTED"] == "Y" and dat[memo]["PRODUCTIONTREATMENT"] == "Produced with redactions"


def test_a_phrase_is_gone_from_pages_text_and_metadata_wherever_it_occurs(redaction_case,
                                                                         tmp_path: Path) -> None:
    case, ids = redaction_case
    redact.add_phrase(case, [ids["memo.pdf"]], "merger plan", "Privileged – Attorney-Client")
    redact.add_phrase(case, [ids["memo.pdf"]], "Ann", "PII")
    redact.add_phrase(case, [ids["falcon.eml"]], "project falcon", "Privileged")
    result = produce_all(case, tmp_path / "out")

    produced = readable_everywhere(result.volume_dir)
    assert produced
    for where, text in produced:
        assert not contains(text, "merger plan"), where  # on both pages, across the line break, any case
        assert not contains(text, "project falcon"), where  # in the email's header block and its body
        assert not re.search(r"\bAnn\b", text), where
    first = begbates(case, result)
    memo = [text for where, text in produced if where.startswith(first["memo.pdf"])]
    assert memo and all("Annual" in text for text in memo)  # whole words only: "Annual" stays
    email_file = result.volume_dir / "TEXT" / "0001" / f"{first['falcon.eml']}.txt"
    email_text = email_file.read_text(encoding="utf-8")
    assert "Privileged" in email_text and "needs more money" in email_text  # taken from the redacted pages

    dat = {row["BEGBATES"]: row for row in read_dat(result.volume_dir / "DATA" / "VOL001.dat").rows}
    assert dat[first["falcon.eml"]]["SUBJECT"] == "[REDACTED] budget"
    assert dat[first["public.txt"]]["REDACTED"] == "N"
    assert dat[first["public.txt"]]["PRODUCTIONTREATMENT"] == "Produced"


def test_a_label_that_repeats_the_phrase_does_not_stop_the_production(redaction_case, tmp_path: Path) -> None:
    case, ids = redaction_case
    redact.add_phrase(case, [ids["memo.pdf"]], "confidential", "Confidential")
    result = produce_all(case, tmp_path / "out")
    assert result.counts["redacted"] == 1


def test_redact_every_hit_of_a_search_from_the_command_line(redaction_case, tmp_path: Path, capsys) -> None:
    case, ids = redaction_case
    path = str(case.root)
    assert main(["redact", path, "--query", "falcon OR annual", "--hits", "--reason", "PII"]) == 0
    assert "in 3 documents" in capsys.readouterr().err
    falcon, memo = (f"DOC-{ids[name]:06d}" for name in ("falcon.eml", "memo.pdf"))
    assert main(["redactions", path, falcon, "--json"]) == 0
    marks = json.loads(capsys.readouterr().out)
    assert {m["phrase"].lower() for m in marks} == {"falcon"} and marks[0]["query"] == "falcon OR annual"

    assert main(["redact", path, memo, "--text", "Bob", "--reason", "PII"]) == 0
    assert main(["redact", path, memo, "--rect", "1", "60", "440", "260", "540"]) == 0
    assert main(["redactions", path, memo, "--json"]) == 0
    kinds = [(m["phrase"], m["page"]) for m in json.loads(capsys.readouterr().out)]
    assert ("Bob", None) in kinds and ("", 1) in kinds

    result = produce_all(case, tmp_path / "out")
    for where, text in readable_everywhere(result.volume_dir):
        assert not contains(text, "falcon") and not re.search(r"\b(annual|Bob)\b", text, re.IGNORECASE), where

    capsys.readouterr()
    assert main(["redactions", path, falcon, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)[0]["id"]
    assert main(["redactions", path, memo, "--remove", str(first)]) == 1
    assert main(["redactions", path, falcon, "--remove", str(first)]) == 0
    assert "has no redaction" in capsys.readouterr().err
    assert redact.document_marks(case, ids["falcon.eml"]) == []
    assert main(["redact", path, "--query", "falcon"]) == 1
    assert "--hits" in capsys.readouterr().err


def test_originals_are_never_modified(redaction_case, tmp_path: Path) -> None:
    case, ids = redaction_case
    redact.add_phrase(case, list(ids.values()), "the", "PII")
    redact.add_rectangle(case, ids["memo.pdf"], 1, (0, 0, 612, 792), "PII")
    stored = sorted(case.natives.root.rglob("*.bin"))
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mode) for p in stored}
    produce_all(case, tmp_path / "out")
    assert {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mode) for p in stored} == before
    assert all(case.natives.verify(p.stem) is None for p in stored)


def test_the_viewer_preview_shows_the_boxes_production_will_burn(redaction_case) -> None:
    case, ids = redaction_case
    redact.add_phrase(case, [ids["memo.pdf"]], "merger plan", "PII")
    redact.add_rectangle(case, ids["memo.pdf"], 2, (10, 10, 50, 50), "PII")
    pdf, boxes = redact.preview(case, ids["memo.pdf"])
    assert pdf.page_count == 2
    assert [box.page for box in boxes] == [1, 1, 1, 2, 2]  # one line, then two lines of a wrapped hit
    assert (10, 10, 50, 50) in [box.rect for box in boxes if box.page == 2]
    first_line = pymupdf.Rect(boxes[0].rect)
    assert pdf[0].get_textbox(first_line).strip().lower() == "merger plan"  # the box sits on the words
    pdf.close()

    email, email_boxes = redact.preview(case, ids["falcon.eml"])  # not a PDF: its production layout
    assert email_boxes == [] and "Project Falcon budget" in email[0].get_text()
    email.close()
    redact.add_rectangle(case, ids["memo.pdf"], 3, (10, 10, 50, 50), "PII")
    with pytest.raises(redact.RedactionError, match="page 3"):
        redact.preview(case, ids["memo.pdf"])


def test_bad_redactions_are_refused(redaction_case) -> None:
    case, ids = redaction_case
    with pytest.raises(redact.RedactionError, match="letter or digit"):
        redact.add_phrase(case, [ids["memo.pdf"]], " -- ")
    with pytest.raises(redact.RedactionError, match="at least one point"):
        redact.add_rectangle(case, ids["memo.pdf"], 1, (10, 10, 10, 50))
    with pytest.raises(redact.RedactionError, match="no document"):
        redact.add_phrase(case, [999], "word")
    assert redact.document_marks(case, ids["memo.pdf"]) == []


def test_redactions_are_in_the_history_and_undone_newest_first(redaction_case, capsys) -> None:
    case, ids = redaction_case
    path, memo = str(case.root), f"DOC-{ids['memo.pdf']:06d}"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, " ".join(err.split())

    def marks() -> list[dict]:
        return json.loads(run("redactions", path, memo, "--json")[1])

    assert run("redact", path, memo, "--rect", "1", "60.5", "440", "260", "540", "--reason", "PII")[0] == 0
    assert run("redact", path, memo, "--text", "merger plan")[0] == 0
    box, phrase = marks()
    assert run("redactions", path, memo, "--remove", str(box["id"]))[0] == 0
    assert marks() == [phrase]

    code, out, _ = run("history", path, memo, "--json")
    assert [(e["action"], e["before"], e["after"]) for e in json.loads(out)] == [
        ("add redaction", "", "page 1: 60.5, 440, 260, 540 (PII)"),
        ("add redaction", "", '"merger plan" (Redacted)'),
        ("delete redaction", "page 1: 60.5, 440, 260, 540 (PII)", ""),
    ]
    assert "(PII)" in run("history", path, memo)[1]  # the table, wrapped to the terminal's width
    assert "removing the box" in run("history", path, "--all")[1]

    assert run("undo", path) == (0, "", f"Undid removing the box on page 1 of {memo}.")
    assert marks() == [box, phrase]  # the same redaction: id, page, rectangle, reason, who and when
    assert run("undo", path) == (0, "", f'Undid redacting "merger plan" in {memo} (Redacted).')
    assert marks() == [box]
    assert run("undo", path) == (0, "", f"Undid redacting a box on page 1 of {memo} (PII).")
    assert marks() == []
    assert run("undo", path) == (0, "", "Nothing to undo.")
