"""Importing production volumes into a real case: hand-made volumes in several styles, broken volumes,
re-imports and overlays, and a round trip through our own `produce`."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest
from PIL import Image
from sqlalchemy import select

from reviewer.cli import main as cli_main
from reviewer.core import review
from reviewer.core.browse import document_detail
from reviewer.core.case import Case
from reviewer.core.errors import ReviewerError
from reviewer.core.importing.assemble import SourcePage, assemble
from reviewer.core.importing.bates_lookup import document_ids_in_range, find_page, page_labels
from reviewer.core.importing.importer import ImportOptions, import_production
from reviewer.core.importing.validate import Problem
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import Document, ImportedRecord, IngestEntry
from reviewer.core.produce import records
from reviewer.core.produce.production import ProductionSettings, produce
from reviewer.core.progress import CancelToken
from reviewer.core.search.query import QuerySyntaxError
from reviewer.core.search.service import SearchService
from tests.helpers import make_email, make_pdf

pytestmark = pytest.mark.both_databases

SEP, Q = "\x14", "\u00fe"


def pdf_page(path: Path, words: str) -> None:
    document = pymupdf.open()
    page = document.new_page(width=612, height=792)
    page.insert_text((72, 100), words, fontsize=14)
    document.save(path)
    document.close()


def blank_image(path: Path, frames: int = 1) -> None:
    """A page scan with no text layer: a TIFF (several frames when asked), JPG or PNG."""
    images = [Image.new("L", (170, 220), 255) for _ in range(frames)]
    kind = {"tif": "TIFF", "jpg": "JPEG", "png": "PNG"}[path.suffix.lstrip(".").lower()]
    images[0].save(path, kind, save_all=frames > 1, append_images=images[1:])


def concordance(header: list[str], rows: list[list[str]]) -> str:
    return "".join(SEP.join(f"{Q}{v}{Q}" for v in line) + "\r\n" for line in [header, *rows])


def opt_line(bates: str, path: str, first: bool, count: int | None = None) -> str:
    return f"{bates},VOL001,{path},{'Y' if first else ''},,,{count or ''}\r\n"


HEADER = ["BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "CUSTODIAN", "FROM", "TO", "SUBJECT", "DATESENT",
          "CONFIDENTIALITY", "TEXTPATH", "NATIVEPATH"]


@pytest.fixture
def volume(tmp_path: Path) -> Path:
    return make_volume(tmp_path / "VOL001")


def make_volume(root: Path) -> Path:
    """A clean Concordance volume: an email (2 PDF pages) with a spreadsheet attachment (1 page, native),
    and a memo (1 page) whose text comes from a TEXT file named by its BEGBATES."""
    for sub in ("IMAGES", "TEXT", "NATIVES", "DATA"):
        (root / sub).mkdir(parents=True)
    for number, words in [(1, "Quarterly pricing email page one"), (2, "second page of the email"),
                          (3, "Attached spreadsheet"), (4, "Memo about the warehouse")]:
        pdf_page(root / "IMAGES" / f"DEF{number:08d}.pdf", words)
    (root / "TEXT" / "DEF00000001.txt").write_text("Quarterly pricing email\nsecond page", encoding="utf-8")
    (root / "TEXT" / "DEF00000004.txt").write_text("Memo about the warehouse leak", encoding="utf-8")
    (root / "NATIVES" / "DEF00000003.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    rows = [
        ["DEF00000001", "DEF00000002", "DEF00000001", "DEF00000003", "Ann Lee;Bo Chan", "ann@acme.test",
         "bo@acme.test;cy@acme.test", "Pricing", "03/14/2021", "CONFIDENTIAL", r"TEXT\DEF00000001.txt", ""],
        ["DEF00000003", "DEF00000003", "DEF00000001", "DEF00000003", "Ann Lee", "", "", "", "",
         "CONFIDENTIAL", "", r"NATIVES\DEF00000003.xlsx"],
        ["DEF00000004", "DEF00000004", "", "", "Bo Chan", "", "", "", "", "", "", ""],
    ]
    (root / "DATA" / "VOL001.dat").write_text("\ufeff" + concordance(HEADER, rows), encoding="utf-8",
                                              newline="")
    opt = (opt_line("DEF00000001", r"IMAGES\DEF00000001.pdf", True, 2)
           + opt_line("DEF00000002", r"IMAGES\DEF00000002.pdf", False)
           + opt_line("DEF00000003", r"IMAGES\DEF00000003.pdf", True, 1)
           + opt_line("DEF00000004", r"IMAGES\DEF00000004.pdf", True, 1))
    (root / "DATA" / "VOL001.opt").write_text(opt, encoding="ascii", newline="")
    return root


def documents(case: Case) -> dict[str, Document]:
    with case.db.reader() as session:
        return {d.control: d for d in session.scalars(select(Document))}


def ledger(case: Case) -> list[IngestEntry]:
    with case.db.reader() as session:
        return list(session.scalars(select(IngestEntry).order_by(IngestEntry.id)))


def test_a_clean_volume_becomes_documents_under_their_bates_numbers(case: Case, volume: Path) -> None:
    snapshots = []
    report = import_production(case, volume, progress=snapshots.append)

    assert report.findings == []
    docs = documents(case)
    assert sorted(docs) == ["DEF00000001", "DEF00000003", "DEF00000004"]
    email, sheet, memo = docs["DEF00000001"], docs["DEF00000003"], docs["DEF00000004"]
    assert (email.pages, sheet.pages, memo.pages) == (2, 1, 1)
    assert page_labels(case, email.id) == ["DEF00000001", "DEF00000002"]
    assert email.email_from == "ann@acme.test" and email.email_to == "bo@acme.test; cy@acme.test"
    assert email.sent is not None and email.sent.date().isoformat() == "2021-03-14"
    assert email.custodian == "Ann Lee" and memo.custodian == "Bo Chan"
    assert sheet.parent_id == email.id and sheet.family_id == email.id and email.family_id == email.id
    assert case.texts.read(email.control, email.id).startswith("Quarterly pricing email")
    assert "warehouse leak" in case.texts.read(memo.control, memo.id)  # the TEXT file named by BEGBATES
    detail = document_detail(case, email.id)
    assert detail.display == "page"  # the assembled PDF is what the viewer shows
    with pymupdf.open(detail.native) as assembled:
        assert assembled.page_count == 2 and "second page" in assembled[1].get_text()
    assert ("CONFIDENTIALITY", "CONFIDENTIAL") in detail.metadata  # unmapped fields are kept and shown
    with case.db.reader() as session:
        record = session.scalar(select(ImportedRecord).where(ImportedRecord.document_id == sheet.id))
        assert record is not None and record.native_name == "DEF00000003.xlsx"
        assert case.natives.path_for(record.native_sha256).read_bytes().startswith(b"PK")
    entries = ledger(case)
    assert [(e.member_path, e.status) for e in entries] == [
        ("DEF00000001", "document"), ("DEF00000003", "document"), ("DEF00000004", "document")]
    # The index is brought up to date; then the new documents are threaded and grouped (analytics), and
    # people are built from them.
    stages = [snapshot.stage for snapshot in snapshots]
    assert "index" in stages and "saving" in stages and stages[-1] == "people"
    assert Path(report.saved_to).read_text(encoding="utf-8").count("Problems: none") == 1
    assert (volume / "IMAGES" / "DEF00000001.pdf").stat().st_size > 0  # originals left where they were


def test_reimport_adds_nothing_and_an_overlay_updates_metadata_but_not_coding(case: Case, volume: Path,
                                                                               tmp_path: Path) -> None:
    import_production(case, volume)
    email_id = documents(case)["DEF00000001"].id
    review.create_tag(case, "Pricing issue")
    review.tag_documents(case, [email_id], "Pricing issue")
    before_entries = len(ledger(case))

    again = import_production(case, volume)
    assert (again.added, again.unchanged) == (0, 3)
    assert len(documents(case)) == 3 and len(ledger(case)) == before_entries

    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "overlay.dat").write_text(concordance(["BEGBATES", "SUBJECT", "ISSUE"],
                                                     [["DEF00000001", "Pricing (corrected)", "Antitrust"],
                                                      ["DEF00000004", "Memo", ""]]),
                                         encoding="utf-8", newline="")
    result = import_production(case, overlay)
    assert (result.added, result.updated, result.findings) == (0, 2, [])
    email = documents(case)["DEF00000001"]
    assert email.subject == "Pricing (corrected)" and email.id == email_id and email.pages == 2
    assert ("ISSUE", "Antitrust") in document_detail(case, email_id).metadata
    assert review.coding(case, email_id).tags == ["Pricing issue"]
    assert ("CONFIDENTIALITY", "CONFIDENTIAL") in document_detail(case, email_id).metadata


def test_a_broken_volume_imports_what_is_sound_and_lists_every_problem(case: Case, volume: Path) -> None:
    dat = volume / "DATA" / "VOL001.dat"
    rows = [
        # DEF00000001 claims page 3 too (overlap); its family claims up to 9 (missing members)
        ["DEF00000001", "DEF00000003", "DEF00000001", "DEF00000009", "", "", "", "", "", "", "", ""],
        ["DEF00000003", "DEF00000003", "DEF00000001", "DEF00000009", "", "", "", "", "", "", "",
         r"NATIVES\gone.xlsx"],
        ["DEF00000003", "DEF00000003", "", "", "", "", "", "", "", "", "", ""],  # duplicate BEGBATES
        ["DEF00000007", "DEF00000007", "", "", "", "", "", "", "", "", "", ""],  # gap before, no images
    ]
    dat.write_text(concordance(HEADER, rows), encoding="utf-8", newline="")
    opt = volume / "DATA" / "VOL001.opt"
    opt.write_text(opt.read_text() + opt_line("DEF00000005", r"IMAGES\DEF00000005.pdf", True, 1),
                   encoding="ascii", newline="")

    report = import_production(case, volume)

    found = {f.problem for f in report.findings}
    assert {Problem.OVERLAP, Problem.DUPLICATE, Problem.GAP, Problem.NO_IMAGES, Problem.OUTSIDE,
            Problem.NO_NATIVE, Problem.PAGE_COUNT, Problem.FAMILY} <= found
    assert sorted(documents(case)) == ["DEF00000001", "DEF00000003"]
    statuses = {e.member_path: e.status for e in ledger(case)}
    assert statuses["DEF00000007"] == "exception"
    assert "row without images" in next(e.reason for e in ledger(case) if e.member_path == "DEF00000007")
    assert statuses["DEF00000005"] == "exception"  # OPT page DEF00000005 sits in no row's range
    assert sum(1 for e in ledger(case) if e.status == "exception") == len(report.findings)
    saved = Path(report.saved_to).read_text(encoding="utf-8")
    assert "duplicate BEGBATES" in saved and "Bates gap" in saved


def test_tiff_jpg_png_and_multipage_images_without_text_are_flagged(case: Case, tmp_path: Path) -> None:
    root = tmp_path / "PROD002"
    (root / "IMAGES").mkdir(parents=True)
    blank_image(root / "IMAGES" / "ABC0001.tif", frames=3)  # a multi-page TIFF referenced once
    blank_image(root / "IMAGES" / "ABC0004.jpg")
    blank_image(root / "IMAGES" / "ABC0005.png")
    dat = "BEGDOC|ENDDOC|PAGES\r\nABC0001|ABC0003|3\r\nABC0004|ABC0005|2\r\n"
    (root / "load.dat").write_bytes(dat.encode("cp1252"))
    (root / "load.opt").write_text(
        # written on Windows: any letter case, and the producer's own absolute paths
        opt_line("ABC0001", r"images\abc0001.TIF", True, 3)
        + opt_line("ABC0004", r"D:\Productions\PROD002\IMAGES\ABC0004.jpg", True, 2)
        + opt_line("ABC0005", r"IMAGES\ABC0005.png", False), encoding="ascii")

    report = import_production(case, root, ImportOptions(ocr=False))

    docs = documents(case)
    assert (docs["ABC0001"].pages, docs["ABC0004"].pages) == (3, 2)
    assert page_labels(case, docs["ABC0001"].id) == ["ABC0001", "ABC0002", "ABC0003"]
    assert "no text" in docs["ABC0001"].flags
    assert report.count(Problem.NO_TEXT) == 2 and report.count(Problem.PAGE_COUNT) == 0


def test_cli_imports_with_a_field_map_and_a_custodian(case: Case, volume: Path, capsys) -> None:
    dat = volume / "DATA" / "VOL001.dat"
    dat.write_text(dat.read_text(encoding="utf-8-sig").replace("SUBJECT", "EMAIL_TITLE_X"), encoding="utf-8")
    case.close()
    code = cli_main(["import-production", str(case.location), str(volume), "--custodian", "Government",
                     "--map", "SUBJECT=EMAIL_TITLE_X", "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["added"] == 3 and summary["problems"] == []
    with Case.open(case.location) as reopened:
        docs = documents(reopened)
        assert docs["DEF00000001"].subject == "Pricing"
        assert docs["DEF00000004"].custodian == "Bo Chan"


def test_cancelling_stops_cleanly_and_running_again_finishes(case: Case, volume: Path) -> None:
    token = CancelToken()
    token.cancel()
    first = import_production(case, volume, cancel=token)
    assert first.cancelled and documents(case) == {}
    second = import_production(case, volume)
    assert second.added == 3


@pytest.mark.parametrize("image_format", ["pdf", "tiff"])
def test_a_production_we_made_imports_back_as_the_same_documents(tmp_path: Path, image_format: str) -> None:
    collection = tmp_path / "collection"
    collection.mkdir()
    make_pdf(collection / "report.pdf", ["Quarterly report, page one.", "Quarterly report, page two."],
             author="Cy Report")
    make_email(collection / "advice.eml", "Merger timing", "See the attached schedule.",
               attachments={"schedule.txt": b"Closing on the first of June."})
    (collection / "letter.txt").write_text("A plain letter about the picnic.", encoding="utf-8")
    with Case.create(tmp_path / "source", name="Ours") as source:
        ingest(source, [collection], IngestOptions(jobs=1, custodian="Dana Fox"))
        with source.db.reader() as session:
            ids = list(session.scalars(select(Document.id).order_by(Document.id)))
        result = produce(source, ids, ProductionSettings(name="First", prefix="DEF", out_dir=tmp_path / "out",
                                                         image_format=image_format))
        produced = {pd.beg_bates: pd for pd in records.production_documents(source)}
        by_control = documents(source)
        originals = {beg: (by_control[pd.control], source.texts.read(pd.control, pd.document_id))
                     for beg, pd in produced.items()}

    with Case.create(tmp_path / "theirs", name="Theirs") as case:
        report = import_production(case, result.volume_dir, ImportOptions(ocr=False))
        assert report.findings == []
        imported = documents(case)
        assert sorted(imported) == sorted(produced)
        for beg, pd in produced.items():
            original, original_text = originals[beg]
            mine = imported[beg]
            first = int(pd.beg_bates.removeprefix("DEF"))
            assert mine.pages == pd.pages
            assert page_labels(case, mine.id) == [f"DEF{n:08d}" for n in range(first, first + pd.pages)]
            assert case.texts.read(mine.control, mine.id).strip() == original_text.strip()
            assert (mine.subject, mine.email_from, mine.email_to, mine.author, mine.custodian, mine.sent) == (
                original.subject, original.email_from, original.email_to, original.author, original.custodian,
                original.sent)
            assert (mine.parent_id is None) == (original.parent_id is None)


def test_any_page_is_found_by_its_bates_number_and_ranges_find_every_document_touching_them(
        case: Case, volume: Path) -> None:
    import_production(case, volume)
    docs = documents(case)

    page = find_page(case, "def00000002")
    assert (page.control, page.page) == ("DEF00000001", 2)
    with pytest.raises(ReviewerError, match="DEF00000099"):
        find_page(case, "DEF00000099")
    with case.db.reader() as session:
        assert document_ids_in_range(session, "DEF00000002", "DEF00000003") == {
            docs["DEF00000001"].id, docs["DEF00000003"].id}
        assert document_ids_in_range(session, "DEF00000004") == {docs["DEF00000004"].id}


def test_group4_tiffs_look_the_same_whether_passed_through_or_converted(tmp_path: Path) -> None:
    image = Image.new("1", (850, 1100), 1)
    image.paste(0, (0, 0, 425, 550))  # the top-left quarter is black ink
    single, striped = tmp_path / "single.tif", tmp_path / "striped.tif"
    image.save(single, "TIFF", compression="group4", dpi=(100, 100), strip_size=1 << 30)
    image.save(striped, "TIFF", compression="group4", dpi=(100, 100), strip_size=8192)

    for path in (single, striped):
        with pymupdf.open("pdf", assemble([SourcePage(path, 0)]).pdf) as pdf:
            page = pdf[0]
            assert page.rect == pymupdf.Rect(0, 0, 612, 792)  # 8.5 x 11 inches at 100 dpi
            pixmap = page.get_pixmap(dpi=20, colorspace=pymupdf.csGRAY)
            assert pixmap.pixel(10, 10) == (0,)
            assert pixmap.pixel(pixmap.width - 10, pixmap.height - 10) == (255,)
            if path == single:  # the producing party's compressed data is kept as it is
                assert "CCITTFaxDecode" in pdf.xref_object(page.get_images()[0][0])


def test_scanned_pages_without_any_text_are_ocred(case: Case, tmp_path: Path) -> None:
    root = tmp_path / "SCANS"
    root.mkdir()
    page = pymupdf.open().new_page(width=612, height=200)
    page.insert_text((40, 120), "WAREHOUSE INVENTORY", fontsize=40)
    page.get_pixmap(dpi=150).save(root / "SCN0001.png")
    (root / "scan.dat").write_text("BEGBATES,ENDBATES\r\nSCN0001,SCN0001\r\n", encoding="utf-8")
    (root / "scan.opt").write_text(opt_line("SCN0001", "SCN0001.png", True, 1), encoding="ascii")

    report = import_production(case, root)

    scanned = documents(case)["SCN0001"]
    assert "WAREHOUSE" in case.texts.read(scanned.control, scanned.id).upper()
    assert report.findings == [] and "no text" not in scanned.flags


STYLES = {  # delimiter, quote, encoding, byte-order mark
    "pipe-caret-cp1252": ("|", "^", "cp1252", b""),
    "caret-tilde-utf16": ("^", "~", "utf-16-le", b"\xff\xfe"),
    "csv-utf8": (",", '"', "utf-8", b""),
    "concordance-mojibake": (SEP, Q, "mojibake", b""),
}


@pytest.mark.parametrize("style", list(STYLES))
def test_volumes_in_other_encodings_and_delimiters_import_the_same(case: Case, volume: Path,
                                                                   style: str) -> None:
    delimiter, quote, encoding, bom = STYLES[style]
    dat = volume / "DATA" / "VOL001.dat"
    rows = [line.split(SEP) for line in dat.read_text(encoding="utf-8-sig").splitlines()]
    rows = [[value.strip(Q).replace("Pricing", "Prix café") for value in row] for row in rows]
    text = "".join(delimiter.join(f"{quote}{v}{quote}" for v in row) + "\r\n" for row in rows)
    if encoding == "mojibake":  # UTF-8 bytes read as CP1252 and written out as UTF-8 again
        data = text.encode("utf-8").decode("cp1252").encode("utf-8")
    else:
        data = bom + text.encode(encoding)
    dat.write_bytes(data)

    report = import_production(case, volume)

    email = documents(case)["DEF00000001"]
    assert email.subject == "Prix café" and email.pages == 2
    assert sorted(documents(case)) == ["DEF00000001", "DEF00000003", "DEF00000004"]
    problems = [f.problem for f in report.findings]
    assert problems == ([Problem.MOJIBAKE] if encoding == "mojibake" else [])


def test_bates_search_finds_the_documents_holding_those_pages(case: Case, volume: Path) -> None:
    import_production(case, volume)
    docs = documents(case)
    with SearchService.open(case) as service:
        assert service.search("bates:DEF00000002").ids == [docs["DEF00000001"].id]
        found = service.search("bates:[DEF00000002 TO DEF00000004] AND NOT bates:DEF00000004").ids
        assert sorted(found) == [docs["DEF00000001"].id, docs["DEF00000003"].id]
        with pytest.raises(QuerySyntaxError, match="No page stamped DEF00000099"):
            service.search("bates:DEF00000099")
        with pytest.raises(QuerySyntaxError, match="both ends"):
            service.search("bates:[DEF00000002 TO *]")
