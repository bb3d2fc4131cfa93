"""Productions end to end on a real case: the volume and its load files, treatments, Bates numbering
across productions, quality control, page images, what produced PDFs may not carry, the privilege log
and the production history."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import docx
import pymupdf
import pytest
from openpyxl import Workbook, load_workbook
from PIL import Image

from reviewer.cli import main
from reviewer.core import inventory, review
from reviewer.core.case import Case
from reviewer.core.errors import CancelledError
from reviewer.core.importing.loadfile_reader import read_dat
from reviewer.core.importing.opticon import read_opt
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.produce import attorneys, records, redact, volume
from reviewer.core.produce.bates import BatesError
from reviewer.core.produce.facts import load_facts
from reviewer.core.produce.plan import REDACTED, WITHHELD, build_plan
from reviewer.core.produce.privlog import COLUMNS, FAMILY_BASIS, privilege_log
from reviewer.core.produce.production import ProductionResult, ProductionSettings, produce
from reviewer.core.produce.qc import QcBlocked
from reviewer.core.progress import CancelToken
from tests.databases import CaseMaker
from tests.helpers import make_email, make_pdf
from tests.integration.test_redaction import pdftotext
from tests.unit.test_loadfiles import validate_dat, validate_opt

pytestmark = pytest.mark.both_databases

SECRET_WORD = "Zanzibarcove"  # only in the withheld privileged draft


def build_collection(folder: Path) -> None:
    make_pdf(folder / "report.pdf", ["Quarterly report, page one.", "Quarterly report, page two."],
             author="Cy Report", title="Quarterly")
    draft = pymupdf.open()
    draft.new_page().insert_text((72, 72), f"Draft legal advice about {SECRET_WORD}.")
    make_email(folder / "advice.eml", "Advice on the merger", "See the attached draft and notes.",
               sender="Ada Quill <ada@quill-law.example>", to="Ben Ortiz <ben@ortiz.example>",
               attachments={"draft.pdf": draft.tobytes(), "notes.txt": b"Meeting notes: lunch at noon."})
    make_pdf(folder / "secret.pdf", ["Public part. The codename is Bluebird. More public text."])
    workbook = Workbook()
    workbook.active.append(["Item", "Cost"])  # type: ignore[union-attr]
    workbook.active.append(["Paper", 12])  # type: ignore[union-attr]
    workbook.save(folder / "budget.xlsx")
    Image.new("RGB", (400, 300), (20, 120, 200)).save(folder / "photo.png")
    (folder / "plain.txt").write_text("A plain letter about the picnic.", encoding="utf-8")


@pytest.fixture(scope="module")
def template(cases: CaseMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ingested and coded case, copied for each test (ingest is the slow part)."""
    root = tmp_path_factory.mktemp("production-template")
    build_collection(root / "collection")
    with cases.create(root / "case", name="Production tests") as case:
        ingest(case, [root / "collection"], IngestOptions(jobs=1))
        ids = file_ids(case)
        review.set_privilege(case, [ids["draft.pdf"]], "Attorney-Client", "")
        review.set_privilege(case, [ids["secret.pdf"]], "Work Product", "Redacted codename.")
        redact.add_phrase(case, [ids["secret.pdf"]], "Bluebird", "Privileged – Work Product")
        return case.location


@pytest.fixture
def coded(cases: CaseMaker, template: Path, tmp_path: Path) -> Iterator[Case]:
    with Case.open(cases.copy(template, tmp_path / "case")) as case:
        yield case


def file_ids(case: Case) -> dict[str, int]:
    with case.db.reader():
        controls = {row["control"]: row["file_name"] for row in inventory.document_rows(case)}
    ids = review.resolve_controls(case, list(controls))
    return {controls[control]: doc_id for control, doc_id in zip(controls, ids, strict=True)}


def settings(out: Path, name: str = "First", prefix: str = "ACME-", **options: object) -> ProductionSettings:
    return ProductionSettings(name=name, prefix=prefix, out_dir=out, **options)  # type: ignore[arg-type]


def produce_files(case: Case, out: Path, names: list[str] | None = None,
                  **options: object) -> ProductionResult:
    ids = file_ids(case)
    wanted = [ids[name] for name in names] if names else list(ids.values())
    return produce(case, wanted, settings(out, **options))


def dat_rows(result: ProductionResult) -> dict[str, dict[str, str]]:
    return {row["FILENAME"] or row["BEGBATES"]: row
            for row in read_dat(result.volume_dir / "DATA" / f"{result.volume_dir.name}.dat").rows}


def page_texts(result: ProductionResult) -> dict[str, str]:
    texts = {}
    for image in sorted((result.volume_dir / "IMAGES").rglob("*.pdf")):
        with pymupdf.open(image) as pdf:
            texts[image.stem] = pdf[0].get_text()
    return texts


def test_a_volume_holds_images_text_natives_and_load_files_that_read_back(coded: Case,
                                                                          tmp_path: Path) -> None:
    result = produce_files(coded, tmp_path / "out", split_families="produce-others",
                           endorsement="CONFIDENTIAL")
    vol = result.volume_dir
    assert vol == tmp_path / "out" / "VOL001" and not (tmp_path / "out" / ".VOL001.partial").exists()
    assert result.counts == {"produced": 5, "redacted": 1, "withheld": 1, "native": 1}
    assert volume.verify(vol) == []

    dat_bytes = (vol / "DATA" / "VOL001.dat").read_bytes()
    table = validate_dat(dat_bytes)
    assert len(table) == 1 + 8
    opt = validate_opt((vol / "DATA" / "VOL001.opt").read_bytes())
    assert len(opt) == result.pages == 9  # report 2; email, draft, notes, secret, budget, photo, plain 1
    assert all((vol / row[2].replace("\\", "/")).is_file() for row in opt)
    assert [row[0] for row in opt] == [f"ACME-{n:08d}" for n in range(1, 10)]
    assert read_opt(vol / "DATA" / "VOL001.opt").pages[0].volume == "VOL001"

    rows = dat_rows(result)
    email, notes = rows["advice.eml"], rows["notes.txt"]
    withheld = next(row for row in rows.values() if row["PRODUCTIONTREATMENT"] == "Withheld - Privileged")
    assert email["BEGATTACH"] == email["BEGBATES"] and notes["ENDATTACH"] == notes["ENDBATES"]
    assert withheld["BEGATTACH"] == email["BEGBATES"] and withheld["ENDATTACH"] == notes["ENDBATES"]
    assert email["FROM"] == "Ada Quill <ada@quill-law.example>" and email["DATESENT"] == "03/05/2024"
    revealing = ("FROM", "TO", "SUBJECT", "FILENAME", "FILEEXT", "MD5HASH", "TITLE")
    assert all(withheld[field] == "" for field in revealing)
    assert withheld["PGCOUNT"] == "1" and withheld["CONFIDENTIALITY"] == "CONFIDENTIAL"
    assert (vol / withheld["TEXTPATH"].replace("\\", "/")).read_text(encoding="utf-8").startswith("Withheld")

    budget = rows["budget.xlsx"]
    assert budget["PRODUCTIONTREATMENT"] == "Produced in native format" and budget["PGCOUNT"] == "1"
    native = (vol / budget["NATIVEPATH"].replace("\\", "/")).read_bytes()
    assert native.startswith(b"PK") and hashlib.md5(native).hexdigest() == budget["MD5HASH"]
    assert budget["NATIVEPATH"] == f"NATIVES\\0001\\{budget['BEGBATES']}.xlsx"
    assert rows["secret.pdf"]["REDACTED"] == "Y" and rows["report.pdf"]["PGCOUNT"] == "2"

    texts = page_texts(result)
    slip = texts[withheld["BEGBATES"]]
    assert "Withheld — Privileged" in slip and slip.count(withheld["BEGBATES"]) == 2  # on the sheet and stamp
    assert "Produced in native format" in texts[budget["BEGBATES"]]
    header = texts[email["BEGBATES"]]
    for label in ("From:", "To:", "Cc:", "Bcc:", "Date:", "Subject:", "Attachments:"):
        assert label in header
    assert "notes.txt" in header and "[privileged attachment]" in header and "draft.pdf" not in header
    assert "Meeting notes: lunch at noon." in (vol / notes["TEXTPATH"].replace("\\", "/")).read_text("utf-8")


def test_stamps_sit_in_a_footer_band_below_the_content(coded: Case, tmp_path: Path) -> None:
    result = produce_files(coded, tmp_path / "out", ["report.pdf"], endorsement="CONFIDENTIAL — PO")
    for bates in ("ACME-00000001", "ACME-00000002"):
        path = f"0001/{bates}.pdf"
        with pymupdf.open(result.volume_dir / "IMAGES" / path) as pdf:
            page = pdf[0]
            words = page.get_text("words")
            stamp = [w for w in words if w[4] in (bates, "CONFIDENTIAL", "-", "PO")]
            content = [w for w in words if w not in stamp]
            band_top = min(w[1] for w in stamp)
            assert content and max(w[3] for w in content) < band_top  # nothing stamped over the content
            bates_word = next(w for w in stamp if w[4] == bates)
            endorse_word = next(w for w in stamp if w[4] == "CONFIDENTIAL")
            assert bates_word[2] > page.rect.width * 0.75 and endorse_word[0] < page.rect.width * 0.25
            assert bates_word[1] > page.rect.height * 0.93
            assert page.rect == pymupdf.paper_rect("a4")  # the page keeps its size; the content is scaled
            assert "CONFIDENTIAL - PO" in page.get_text()  # dashes in their plain form: no font to embed
            assert all(font[1] == "n/a" for font in pdf.get_page_fonts(0))  # nothing embedded: small files
        assert "Quarterly report" in pdftotext(result.volume_dir / "IMAGES" / path)


def test_tiff_pages_are_one_bit_group4_at_300_dpi(coded: Case, tmp_path: Path) -> None:
    result = produce_files(coded, tmp_path / "out", ["photo.png", "plain.txt"], image_format="tiff",
                           endorsement="CONFIDENTIAL")
    images = sorted((result.volume_dir / "IMAGES").rglob("*"))
    assert [p.suffix for p in images if p.is_file()] == [".tif", ".tif"]
    for path in (p for p in images if p.is_file()):
        with Image.open(path) as image:
            assert image.mode == "1" and image.info["compression"] == "group4"
            assert tuple(round(v) for v in image.info["dpi"]) == (300, 300)
            assert image.size in ((2550, 3300), (3300, 2550))  # letter, upright or turned for a wide photo
    assert volume.verify(result.volume_dir) == []
    rows = read_dat(result.volume_dir / "DATA" / "VOL001.dat").rows
    assert {row["FILENAME"] for row in rows} == {"photo.png", "plain.txt"}


def test_bates_numbers_continue_and_never_collide(coded: Case, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ids = file_ids(coded)
    first = produce(coded, [ids["report.pdf"]], settings(out, "One"))
    second = produce(coded, [ids["plain.txt"]], settings(out, "Two"))
    assert (first.first_bates, first.last_bates) == ("ACME-00000001", "ACME-00000002")
    assert second.first_bates == "ACME-00000003" and second.volume_dir.name == "VOL002"
    dat = read_dat(second.volume_dir / "DATA" / "VOL002.dat").rows
    assert [row["BEGBATES"] for row in dat] == ["ACME-00000003"]

    with pytest.raises(QcBlocked, match="ACME-00000002 is taken"):
        produce(coded, [ids["photo.png"]], settings(out, "Three", start=2))
    gap = produce(coded, [ids["photo.png"]], settings(out, "Gap", start=10))
    with pytest.raises(BatesError, match="(?i)ACME-00000009–ACME-00000010"):  # starts free, runs into Gap
        produce(coded, [ids["report.pdf"]], settings(tmp_path / "other", "Into", prefix="acme-", start=9))
    assert list((tmp_path / "other").iterdir()) == []
    later = produce(coded, [ids["plain.txt"]], settings(out, "Later"))
    assert (gap.first_bates, later.first_bates) == ("ACME-00000010", "ACME-00000011")
    other = produce(coded, [ids["plain.txt"]], settings(out, "Other", prefix="XYZ-"))
    assert other.first_bates == "XYZ-00000001"
    assert [info.name for info in records.productions(coded)] == ["One", "Two", "Gap", "Later", "Other"]


def test_every_privileged_document_is_withheld_or_redacted(coded: Case, tmp_path: Path) -> None:
    ids = file_ids(coded)
    plan = build_plan(coded, list(ids.values()), split="produce-others")
    privileged = [p for p in plan.documents if p.facts.privileged]
    treatments = {p.facts.file_name: p.treatment for p in privileged}
    assert treatments == {"draft.pdf": WITHHELD, "secret.pdf": REDACTED}
    strict = build_plan(coded, list(ids.values()), withhold_privileged=True, split="produce-others")
    assert {p.treatment for p in strict.documents if p.facts.privileged} == {WITHHELD}

    result = produce_files(coded, tmp_path / "out", split_families="produce-others")
    everything = [path for path in result.volume_dir.rglob("*") if path.is_file()]
    for path in everything:
        if path.suffix == ".pdf":
            with pymupdf.open(path) as pdf:
                readable = pdf[0].get_text() + pdftotext(path)
        else:
            readable = path.read_bytes().decode("utf-8", errors="ignore")
        assert SECRET_WORD.lower() not in readable.lower(), path.name
        assert "bluebird" not in readable.lower(), path.name


def test_quality_control_lists_every_problem_and_writes_nothing(coded: Case, tmp_path: Path) -> None:
    ids = file_ids(coded)
    review.tag_documents(coded, [ids["plain.txt"]], "Privileged")  # tagged, but no basis and no redaction
    original = coded.natives.path_for(load_facts(coded, [ids["report.pdf"]])[ids["report.pdf"]].sha256)
    original.chmod(0o644)
    original.write_bytes(original.read_bytes() + b"%tampered")
    with pytest.raises(QcBlocked) as blocked:
        produce_files(coded, tmp_path / "out")
    problems = [str(issue) for issue in blocked.value.issues]
    assert len(problems) == 3
    assert any("is tagged Privileged but would be produced" in p for p in problems)
    assert any("family is split" in p and "would be withheld" in p for p in problems)
    assert any("no longer matches" in p for p in problems)
    assert "nothing was written" in str(blocked.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert records.productions(coded) == []


def test_a_privileged_document_whose_redactions_cover_nothing_is_not_produced(coded: Case,
                                                                             tmp_path: Path) -> None:
    ids = file_ids(coded)
    [mark] = redact.document_marks(coded, ids["secret.pdf"])
    redact.remove(coded, ids["secret.pdf"], [mark.id])
    redact.add_phrase(coded, [ids["secret.pdf"]], "Nightingale", "Privileged")  # not in the document
    with pytest.raises(QcBlocked, match="none of its redactions covers anything"):
        produce_files(coded, tmp_path / "out", ["secret.pdf"])
    result = produce_files(coded, tmp_path / "out", ["secret.pdf"], withhold_privileged=True)
    assert result.counts["withheld"] == 1


def test_withholding_a_whole_family_logs_each_member(coded: Case, tmp_path: Path) -> None:
    result = produce_files(coded, tmp_path / "out", ["advice.eml"], split_families="withhold-family")
    assert result.counts["withheld"] == 3 and result.pages == 3
    rows = {row["Bates"]: row for row in privilege_log(coded)}
    assert len(rows) == 3
    bases = sorted(row["Privilege Basis"] for row in rows.values())
    assert bases == ["Attorney-Client", FAMILY_BASIS, FAMILY_BASIS]


def test_privilege_log_as_csv_and_xlsx_flags_attorneys(coded: Case, tmp_path: Path, capsys) -> None:
    path = str(coded.location)
    assert main(["attorneys", path, "--add", "ada@quill-law.example", "@ortiz.example"]) == 0
    assert attorneys.attorneys(coded) == ["@ortiz.example", "ada@quill-law.example"]
    result = produce_files(coded, tmp_path / "out", split_families="produce-others")
    assert main(["privlog", path, "--production", "First", "--out", str(tmp_path / "log.csv")]) == 0
    assert main(["privlog", path, "--out", str(tmp_path / "log.xlsx")]) == 0
    assert "Wrote 2 log entries" in capsys.readouterr().err

    with (tmp_path / "log.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == list(COLUMNS) and len(rows) == 2
    draft, secret = rows
    email = dat_rows(result)["advice.eml"]
    assert draft["Treatment"] == "Withheld" and draft["Privilege Basis"] == "Attorney-Client"
    assert draft["Family"] == f"{email['BEGBATES']} – {email['ENDATTACH']}"
    assert secret["Treatment"] == "Redacted" and secret["Description"] == "Redacted codename."
    assert draft["Description"].startswith("Confidential PDF document (attachment)")
    sheet = load_workbook(tmp_path / "log.xlsx")["Privilege log"]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS) and sheet.max_row == 3

    # The email from an attorney, to a person at a flagged domain.
    ids = file_ids(coded)
    review.set_privilege(coded, [ids["advice.eml"]], "Attorney-Client", "")
    produce(coded, [ids["advice.eml"]], settings(tmp_path / "out", "Second", withhold_privileged=True,
                                                  split_families="produce-others"))
    assert main(["privlog", path, "--production", "second", "--out", str(tmp_path / "second.csv")]) == 0
    with (tmp_path / "second.csv").open(encoding="utf-8-sig", newline="") as stream:
        email_row = next(csv.DictReader(stream))
    assert email_row["Author / From"] == "Ada Quill <ada@quill-law.example> *"
    assert email_row["To"] == "Ben Ortiz <ben@ortiz.example> *"
    assert email_row["Date"] == "2024-03-05" and email_row["Document Type"] == "Email"
    assert "merger" not in email_row["Description"].lower()  # made from metadata, never from the subject
    assert main(["privlog", path, "--production", "Nope", "--out", str(tmp_path / "x.csv")]) == 1


def test_production_history_from_the_command_line(coded: Case, tmp_path: Path, capsys) -> None:
    path = str(coded.location)
    out = str(tmp_path / "out")
    code = main(["produce", path, "Check only", "--query", "picnic OR quarterly", "--prefix", "ACME-",
                 "--out", out, "--check"])
    assert code == 0 and "Quality control passed" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    code = main(["produce", path, "Letters", "--query", "picnic OR quarterly", "--prefix", "ACME-",
                 "--out", out, "--endorse", "CONFIDENTIAL", "--json"])
    assert code == 0
    produced = json.loads(capsys.readouterr().out)
    assert produced["pages"] == 3 and produced["first_bates"] == "ACME-00000001"
    assert main(["produce", path, "Bad", "--query", "picnic", "--prefix", "ACME1", "--out", out]) == 1
    assert "ends in a digit" in capsys.readouterr().err
    assert main(["produce", path, "Advice", "--query", "advice", "--prefix", "ACME-", "--out", out]) == 1
    assert "family is split" in capsys.readouterr().err

    assert main(["productions", path, "--json"]) == 0
    [info] = json.loads(capsys.readouterr().out)
    assert info["name"] == "Letters" and info["documents"] == 2 and info["last_bates"] == "ACME-00000003"
    control = next(r["control"] for r in inventory.document_rows(coded) if r["file_name"] == "plain.txt")
    assert main(["productions", path, control, "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["production"] == "Letters" and entry["treatment"] == "produced" and entry["pages"] == 1
    assert entry["beg_bates"] == entry["end_bates"] and entry["beg_bates"].startswith("ACME-0000000")


def test_produced_pdfs_carry_nothing_hidden(case: Case, tmp_path: Path) -> None:
    source = tmp_path / "collection"
    source.mkdir()
    pdf = pymupdf.open()
    first = pdf.new_page(width=612, height=792)
    first.insert_text((72, 100), "Visible body text.", fontsize=11)
    first.insert_text((72, 130), "Invisiblesecret layer", fontsize=11, render_mode=3)
    first.insert_text((700, 100), "Offpagesecret", fontsize=11)
    first.add_freetext_annot(pymupdf.Rect(72, 200, 300, 230), "Visiblenote stamp", fontsize=11)
    hidden = first.add_freetext_annot(pymupdf.Rect(72, 300, 300, 330), "Hiddennotesecret", fontsize=11)
    hidden.set_flags(pymupdf.PDF_ANNOT_IS_HIDDEN)
    hidden.update()
    second = pdf.new_page(width=612, height=792)
    second.insert_text((72, 100), "Coveredsecret under a box", fontsize=11)
    second.draw_rect(pymupdf.Rect(60, 85, 300, 110), color=None, fill=(0, 0, 0))
    pdf.set_metadata({"author": "Metaauthorsecret", "title": "Metatitlesecret"})
    pdf.set_xml_metadata("<x:xmpmeta xmlns:x='adobe:ns:meta/'>Xmpsecret</x:xmpmeta>")
    pdf.embfile_add("attached.txt", b"Embeddedsecret")
    pdf.xref_set_key(pdf.pdf_catalog(), "OpenAction", "<</S/JavaScript/JS(app.alert('Jssecret'))>>")
    pdf.save(source / "tricky.pdf")
    ingest(case, [source], IngestOptions(jobs=1))

    result = produce(case, [1], settings(tmp_path / "out"))
    assert result.pictures == 1  # the page with text under a box is produced as a picture of itself
    [tricky] = records.document_history(case, 1)  # its embedded file is a document of its own, produced too
    assert (tricky.beg_bates, tricky.end_bates) == ("ACME-00000001", "ACME-00000002")
    pages = [result.volume_dir / "IMAGES" / "0001" / f"ACME-0000000{n}.pdf" for n in (1, 2)]
    text = ""
    for path in pages:
        data = path.read_bytes()
        for marker in (b"/JavaScript", b"/JS", b"/EmbeddedFile", b"/Annots", b"/Metadata", b"/OpenAction"):
            assert marker not in data, (path.name, marker)
        with pymupdf.open(path) as produced:
            assert not any(produced.metadata[key] for key in ("author", "title", "creator", "producer"))
            assert produced.embfile_count() == 0 and produced.get_xml_metadata() == ""
            assert list(produced[0].annots()) == [] and list(produced[0].widgets()) == []
            streams = b"".join(produced.xref_stream(x) or b"" for x in range(1, produced.xref_length())
                               if produced.xref_is_stream(x))
            assert b"secret" not in streams.lower()  # removed, not merely clipped or covered
            text += produced[0].get_text()
        text += pdftotext(path)
    assert "Visible body text." in text and "Visiblenote stamp" in text  # visible annotations are kept, flat
    for secret in ("secret", "Secret"):
        assert secret not in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_office_files_are_rendered_by_libreoffice_when_it_is_installed(case: Case, tmp_path: Path) -> None:
    source = tmp_path / "collection"
    source.mkdir()
    minutes = docx.Document()
    minutes.add_heading("Board minutes", 1)
    minutes.add_paragraph("The board approved the Falcon acquisition.")
    minutes.save(source / "minutes.docx")
    ingest(case, [source], IngestOptions(jobs=1))
    redact.add_phrase(case, [1], "Falcon", "Privileged")
    result = produce(case, [1], settings(tmp_path / "out"))
    assert result.rendered_from_text == [] and result.counts["redacted"] == 1
    page = result.volume_dir / "IMAGES" / "0001" / "ACME-00000001.pdf"
    assert "Board minutes" in pdftotext(page) and "Falcon" not in pdftotext(page)


def test_cancelling_leaves_no_volume_and_no_record(coded: Case, tmp_path: Path) -> None:
    cancel = CancelToken()
    seen = []

    def progress(update) -> None:  # type: ignore[no-untyped-def]
        seen.append(update.stage)
        if update.stage == "produce":
            cancel.cancel()

    with pytest.raises(CancelledError):
        produce(coded, list(file_ids(coded).values()),
                settings(tmp_path / "out", split_families="produce-others"), progress, cancel)
    assert "produce" in seen and list((tmp_path / "out").iterdir()) == []
    assert records.productions(coded) == []


# --- real data never stops a run ----------------------------------------------------------------------
AWKWARD_BODY = (
    "Managing Director \x01) Commercial\r\n"  # as in the Enron mail: 0x01 where a dash was
    "vertical\x0btab, escape\x1b[0m, and a NUL\x00 byte\r\n"
    "AT&T &nbsp; &amp; &reg; stay as written\r\n"
    + "unbroken" * 600 + "\r\n"
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd and \u0645\u0631\u062d\u0628\u0627 right to left\r\n"
    "Closing line of the message.\r\n"
)


def awkward_email(path: Path, body: bytes) -> Path:
    head = ("From: Ada Quill <ada@quill-law.example>\r\nTo: Ben Ortiz <ben@ortiz.example>\r\n"
            "Subject: Elections \x01 announced\r\nDate: Tue, 05 Mar 2024 14:30:00 +0000\r\n"
            "Message-ID: <awkward@mail.example>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(head.encode() + body)
    return path


def test_an_email_with_control_characters_is_imaged_with_all_its_text(tmp_path: Path) -> None:
    """What MuPDF's layout drops or mangles: control characters, entities written as plain text, a line of
    4,800 letters, Hebrew and Arabic; and, in a second message, a lone surrogate's bytes and a stray
    0xff, which make its text undecodable as UTF-8."""
    awkward_email(tmp_path / "in" / "awkward.eml", AWKWARD_BODY.encode())
    awkward_email(tmp_path / "in" / "bad-bytes.eml", b"bad bytes \xed\xa0\x80 and \xff\x01 end\r\n")
    with Case.create(tmp_path / "case") as case:
        ingest(case, [tmp_path / "in"], IngestOptions(jobs=1))
        result = produce_files(case, tmp_path / "out")
    assert result.unimageable == [] and result.counts["produced"] == 2 and result.pages >= 3
    shown = "".join(page_texts(result).values())
    for words in ("Managing Director ) Commercial", "vertical", "tab, escape[0m, and a NUL byte",
                  "AT&T", "&nbsp; &amp; &reg; stay as written", "Closing line of the message.", "bad bytes",
                  "\u05e9\u05dc\u05d5\u05dd", "Elections"):
        assert words in shown, words
    arabic = "\u0645\u0631\u062d\u0628\u0627"  # shaped on the page: letters in presentation forms
    normalized = unicodedata.normalize("NFKC", shown)
    assert arabic in normalized or arabic in normalized[::-1]
    unstamped = re.sub(r"ACME-\d{8}", "", "".join(shown.split()).replace("\u200b", ""))  # ZWSP breaks it
    assert unstamped.count("unbroken") == 600


def test_two_productions_started_together_never_share_a_bates_number(coded: Case, tmp_path: Path) -> None:
    coded.close()
    started = [
        subprocess.Popen([sys.executable, "-m", "reviewer", "produce", str(coded.location), f"Run {n}",
                          "--query", "picnic OR quarterly", "--prefix", "ACME-", "--out",
                          str(tmp_path / f"out{n}")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in (1, 2)
    ]
    finished = [(process.wait(timeout=120), *process.communicate()) for process in started]
    assert any(code == 0 for code, _out, _err in finished)
    for code, out, err in finished:
        if code != 0:  # refused, saying why and what to do, with nothing left behind
            assert f"is changing {coded.label}; wait for it to finish" in out + err, out + err
    for n in (1, 2):
        assert not list((tmp_path / f"out{n}").glob(".VOL*")) if (tmp_path / f"out{n}").exists() else True
    with Case.open(coded.location) as case:
        ranges = sorted((p.first_bates, p.last_bates) for p in records.productions(case))
    assert ranges and all(earlier[1] < later[0] for earlier, later in zip(ranges, ranges[1:], strict=False))
