"""Document extractors (PDF, Office, legacy Office, text, RTF, HTML, images) on files made at test time."""

from __future__ import annotations

import codecs
import shutil
import struct
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pptx
import pymupdf
import pytest

from reviewer.core.ingest.extracted import ExtractContext, ExtractionFailed, Flag, Reason
from reviewer.core.ingest.formats import html, image, legacy, office, pdf, plain
from tests.helpers import make_pdf

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_NO_OCR", "1")


def context(tmp_path: Path, file_name: str = "", passwords: list[str] | None = None) -> ExtractContext:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    return ExtractContext(scratch=scratch, passwords=passwords or [], file_name=file_name)


def failure(extractor, path: Path, ctx: ExtractContext) -> ExtractionFailed:
    with pytest.raises(ExtractionFailed) as caught:
        extractor(path, ctx)
    return caught.value


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def rendered_text_png(text: str) -> bytes:
    """A picture of printed text, as a scanner would produce it."""
    with pymupdf.open() as document:
        page = document.new_page(width=400, height=120)
        page.insert_text((20, 70), text, fontsize=28)
        return page.get_pixmap(dpi=150).tobytes("png")


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (the container of .doc, .xls, .ppt and encrypted OOXML).

    Every stream is padded to 4 KiB so it lives in ordinary sectors and no mini stream is needed; at most
    three streams fit the single directory sector.
    """
    assert len(streams) <= 3
    end_of_chain, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fat_sector, end_of_chain]
    directory = bytearray()
    data = bytearray()
    entries = []
    for name, content in streams.items():
        content = content.ljust(max(4096, -(-len(content) // 512) * 512), b"\0")
        first = len(fat)
        sectors = len(content) // 512
        fat.extend(range(first + 1, first + sectors))
        fat.append(end_of_chain)
        data += content
        entries.append((name, first, len(content)))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", free, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    directory += entry("Root Entry", 5, free, 1, end_of_chain, 0)
    for index, (name, start, size) in enumerate(entries, start=1):
        directory += entry(name, 2, index + 1 if index < len(entries) else free, free, start, size)
    directory = directory.ljust(512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    return header + fat_bytes + bytes(directory) + bytes(data)


def word97_document(text: str, encrypted: bool = False) -> bytes:
    """A .doc reduced to what carries text: the FIB, a one-piece table and the characters (cp1252)."""
    text_offset = 2048
    fib = bytearray(text_offset)
    struct.pack_into("<HH", fib, 0, 0xA5EC, 0xC1)
    struct.pack_into("<H", fib, 0x0A, 0x0100 if encrypted else 0)
    position = 32
    struct.pack_into("<H", fib, position, 14)
    position += 2 + 14 * 2
    struct.pack_into("<H", fib, position, 22)
    position += 2 + 22 * 4
    struct.pack_into("<H", fib, position, 93)
    clx = b"\x02" + struct.pack("<I", 16) + struct.pack("<II", 0, len(text))
    clx += struct.pack("<HIH", 0, (text_offset * 2) | 0x40000000, 0)
    struct.pack_into("<II", fib, position + 2 + 33 * 8, 0, len(clx))
    word_document = bytes(fib) + text.encode("cp1252")
    return compound_file({"WordDocument": word_document, "0Table": clx})


# --- PDF ------------------------------------------------------------------------------------------------


def test_pdf_text_pages_and_metadata(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "a.pdf", ["Quarterly pricing memo", "Second page about rebates"], "Ada", "Memo"
    )
    with pymupdf.open(path) as document:
        document.set_metadata(
            {**document.metadata, "creationDate": "D:20200102030405+02'00'", "modDate": "D:20210315"}
        )
        document.saveIncr()

    result = pdf.extract(path, context(tmp_path))

    assert "Quarterly pricing memo" in result.text
    assert "rebates" in result.text
    assert result.text.count("\f") == 1
    assert (result.pages, result.mime) == (2, "application/pdf")
    assert (result.author, result.title) == ("Ada", "Memo")
    assert result.created == datetime(2020, 1, 2, 1, 4, 5)
    assert result.modified == datetime(2021, 3, 15)
    assert result.flags == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D:20240229235959Z", datetime(2024, 2, 29, 23, 59, 59)),
        ("D:20240101000000-05'00'", datetime(2024, 1, 1, 5, 0, 0)),
        ("20240101", datetime(2024, 1, 1)),
        ("D:2024", datetime(2024, 1, 1)),
        ("D:20241399", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_pdf_dates(value: str, expected: datetime | None) -> None:
    assert pdf.parse_pdf_date(value) == expected


def test_pdf_meaningless_file_name(tmp_path: Path) -> None:
    source = make_pdf(tmp_path / "a.pdf", ["stored under its hash"])
    stored = write(tmp_path / "3f9a0c", source.read_bytes())

    assert "stored under its hash" in pdf.extract(stored, context(tmp_path, "a.pdf")).text


def scanned_pdf(path: Path, text: str) -> Path:
    with pymupdf.open() as document:
        page = document.new_page(width=400, height=120)
        page.insert_image(page.rect, stream=rendered_text_png(text))
        document.save(path)
    return path


def test_pdf_scan_without_ocr_is_flagged(tmp_path: Path, no_ocr: None) -> None:
    result = pdf.extract(scanned_pdf(tmp_path / "scan.pdf", "INVOICE 4471"), context(tmp_path))

    assert result.text == ""
    assert result.flags == [Flag.NEEDS_OCR]


@needs_tesseract
def test_pdf_scan_is_ocred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWER_NO_OCR", raising=False)

    result = pdf.extract(scanned_pdf(tmp_path / "scan.pdf", "INVOICE 4471"), context(tmp_path))

    assert "INVOICE" in result.text
    assert Flag.NEEDS_OCR not in result.flags


def test_pdf_without_text_or_images(tmp_path: Path) -> None:
    with pymupdf.open() as document:
        document.new_page().draw_rect(pymupdf.Rect(10, 10, 100, 100))
        document.save(tmp_path / "blank.pdf")

    assert pdf.extract(tmp_path / "blank.pdf", context(tmp_path)).flags == [Flag.NO_TEXT]


def encrypted_pdf(path: Path, user_password: str, owner_password: str = "owner-secret") -> Path:
    with pymupdf.open() as document:
        document.new_page().insert_text((72, 72), "Settlement terms are confidential")
        document.save(
            path,
            encryption=pymupdf.PDF_ENCRYPT_AES_256,
            user_pw=user_password,
            owner_pw=owner_password,
            permissions=pymupdf.PDF_PERM_ACCESSIBILITY,
        )
    return path


def test_pdf_with_user_password_needs_the_password(tmp_path: Path) -> None:
    path = encrypted_pdf(tmp_path / "locked.pdf", "s3cret")

    assert failure(pdf.extract, path, context(tmp_path)).reason is Reason.ENCRYPTED
    assert failure(pdf.extract, path, context(tmp_path, passwords=["wrong"])).reason is Reason.ENCRYPTED

    opened = pdf.extract(path, context(tmp_path, passwords=["wrong", "s3cret"]))
    assert "Settlement terms" in opened.text
    assert Flag.ENCRYPTED_OPENED in opened.flags


def test_pdf_with_owner_password_only_opens_without_one(tmp_path: Path) -> None:
    result = pdf.extract(encrypted_pdf(tmp_path / "restricted.pdf", ""), context(tmp_path))

    assert "Settlement terms" in result.text
    assert Flag.ENCRYPTED_OPENED not in result.flags


def test_pdf_empty_and_damaged(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.pdf", b"")
    garbage = write(tmp_path / "garbage.pdf", b"%PDF-1.7\n" + b"\x00\x13 not really a pdf " * 50)

    assert failure(pdf.extract, empty, context(tmp_path)).reason is Reason.EMPTY
    assert failure(pdf.extract, garbage, context(tmp_path)).reason is Reason.DAMAGED


def test_pdf_truncated_is_read_or_reported_damaged(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf", [f"page {number} of the deposition" for number in range(20)])
    data = whole.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 40):
        truncated = write(tmp_path / f"cut{cut}.pdf", data[:cut])
        try:
            result = pdf.extract(truncated, context(tmp_path))
        except ExtractionFailed as error:
            assert error.reason is Reason.DAMAGED
        else:
            assert "deposition" in result.text


def test_pdf_attachments_become_children(tmp_path: Path) -> None:
    with pymupdf.open() as document:
        document.new_page().insert_text((72, 72), "See the attached spreadsheet")
        document.embfile_add("figures", b"a,b\n1,2\n", filename="figures.csv")
        document.save(tmp_path / "with-attachment.pdf")

    result = pdf.extract(tmp_path / "with-attachment.pdf", context(tmp_path))

    assert [(child.name, child.data) for child in result.children] == [("figures.csv", b"a,b\n1,2\n")]


# --- Word, Excel, PowerPoint ----------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("The merger closes on Friday.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Buyer"
    table.cell(0, 1).text = "Acme Holdings"
    document.sections[0].header.paragraphs[0].text = "PRIVILEGED AND CONFIDENTIAL"
    document.core_properties.author = "Ada Quill"
    document.core_properties.title = "Merger timeline"
    document.core_properties.created = datetime(2023, 4, 5, 6, 7, 8)
    document.save(path)
    return path


def test_docx_text_tables_headers_and_properties(tmp_path: Path) -> None:
    stored = write(tmp_path / "blob", make_docx(tmp_path / "memo.docx").read_bytes())

    result = office.extract_docx(stored, context(tmp_path, "memo.docx"))

    assert "The merger closes on Friday." in result.text
    assert "Buyer\tAcme Holdings" in result.text
    assert "PRIVILEGED AND CONFIDENTIAL" in result.text
    assert (result.author, result.title) == ("Ada Quill", "Merger timeline")
    assert result.created == datetime(2023, 4, 5, 6, 7, 8)
    assert result.mime.endswith("wordprocessingml.document")


def test_docx_embedded_files_become_children(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "memo.docx")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", b"PK-not-checked-here")

    children = list(office.extract_docx(path, context(tmp_path)).children)

    assert [(child.name, child.data) for child in children] == [
        ("Microsoft_Excel_Worksheet.xlsx", b"PK-not-checked-here")
    ]


def test_docx_embedded_file_over_the_limit_is_reported(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "memo.docx")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/embeddings/big.bin", b"x" * 600_000)
    ctx = context(tmp_path)
    ctx.limits = type(ctx.limits)(max_member_bytes=500_000)

    (child,) = office.extract_docx(path, ctx).children

    assert child.failure is not None and child.failure.reason is Reason.TOO_LARGE


def test_docx_expanding_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "memo.docx")
    ctx = context(tmp_path)
    ctx.limits = type(ctx.limits)(max_total_expanded_bytes=1000)

    assert failure(office.extract_docx, path, ctx).reason is Reason.TOO_LARGE


def test_docx_truncated_and_empty(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "memo.docx").read_bytes()
    truncated = write(tmp_path / "truncated.docx", data[: len(data) // 2])

    assert failure(office.extract_docx, truncated, context(tmp_path)).reason is Reason.DAMAGED
    assert failure(office.extract_docx, write(tmp_path / "e", b""), context(tmp_path)).reason is Reason.EMPTY


def test_encrypted_ooxml_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "protected.docx", compound_file({"EncryptedPackage": b"\x01" * 5000}))

    for extractor in (office.extract_docx, office.extract_xlsx, office.extract_pptx, legacy.extract):
        assert failure(extractor, path, context(tmp_path)).reason is Reason.ENCRYPTED


def test_xlsx_sheets_rows_and_properties(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Payments"
    sheet.append(["Payee", "Amount", "Date", "Approved"])
    sheet.append(["Ben Ortiz", 1250.0, datetime(2022, 7, 1), True])
    workbook.create_sheet("Notes").append(["wire sent late"])
    workbook.properties.creator = "Finance"
    workbook.properties.title = "Q3 payments"
    workbook.save(tmp_path / "payments.xlsx")
    stored = write(tmp_path / "blob", (tmp_path / "payments.xlsx").read_bytes())

    result = office.extract_xlsx(stored, context(tmp_path, "payments.xlsx"))

    assert result.text.splitlines() == [
        "Sheet: Payments",
        "Payee\tAmount\tDate\tApproved",
        "Ben Ortiz\t1250\t2022-07-01\tTRUE",
        "Sheet: Notes",
        "wire sent late",
    ]
    assert (result.author, result.title) == ("Finance", "Q3 payments")


def test_pptx_slides_notes_and_page_count(tmp_path: Path) -> None:
    presentation = pptx.Presentation()
    for title, notes in (("Launch plan", "Do not share outside legal"), ("Budget", "")):
        slide = presentation.slides.add_slide(presentation.slide_layouts[5])
        slide.shapes.title.text = title
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    presentation.core_properties.author = "Ben Ortiz"
    presentation.save(tmp_path / "deck.pptx")

    result = office.extract_pptx(tmp_path / "deck.pptx", context(tmp_path))

    assert result.pages == 2
    first, second = result.text.split("\f")
    assert "Launch plan" in first and "Do not share outside legal" in first
    assert "Budget" in second
    assert result.author == "Ben Ortiz"


# --- plain text, CSV, RTF -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        "He said “wait” – the café’s niño paid €5.\n".encode("cp1252"),
        "He said “wait” – the café’s niño paid €5.\n".encode(),
        codecs.BOM_UTF8 + "He said “wait” – the café’s niño paid €5.\n".encode(),
        codecs.BOM_UTF16_LE + "He said “wait” – the café’s niño paid €5.\n".encode("utf-16-le"),
        "He said “wait” – the café’s niño paid €5.\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "He said “wait” – the café’s niño paid €5.\n".encode("utf-16-be"),
    ],
    ids=["cp1252", "utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-le", "utf-16-be-bom"],
)
def test_text_encodings(tmp_path: Path, encoded: bytes) -> None:
    result = plain.extract_text(write(tmp_path / "note", encoded), context(tmp_path, "note.txt"))

    assert result.text.strip() == "He said “wait” – the café’s niño paid €5."
    assert result.mime == "text/plain"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (
            "Port ABC não contabilize\nespañol ABC adhoc práctica\nPort ABC doação uno negócios\n" * 3,
            "cp1252",
        ),
        ("Le café était très bon, n’est-ce pas?", "cp1252"),
        ("Grüße aus München – „Straße“ für 5 €", "cp1252"),
        ("Zażółć gęślą jaźń. Pójdźże, kiń tę chmurność w głąb flaszy! Łódź i Kraków.", "cp1250"),
        ("Съешь же ещё этих мягких французских булок, да выпей чаю. Договор подписан.", "cp1251"),
    ],
    ids=["portuguese-spanish", "french", "german", "polish", "russian"],
)
def test_single_byte_code_pages(tmp_path: Path, text: str, encoding: str) -> None:
    result = plain.extract_text(write(tmp_path / "a.txt", text.encode(encoding)), context(tmp_path))

    assert result.text == text


def test_csv_mime_and_empty_text(tmp_path: Path) -> None:
    result = plain.extract_text(write(tmp_path / "x", b"a,b\n1,2\n"), context(tmp_path, "ledger.CSV"))

    assert result.mime == "text/csv"
    assert failure(plain.extract_text, write(tmp_path / "e", b""), context(tmp_path)).reason is Reason.EMPTY


def test_rtf_text_encoding_and_info(tmp_path: Path) -> None:
    rtf = (
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}"
        rb"{\info{\title Board minutes}{\author Ada Quill}{\creatim\yr2019\mo3\dy4\hr5\min6}}"
        rb"\f0 The caf\'e9 meeting \u8220?ran late\u8221?.\par Second line.}"
    )

    result = plain.extract_rtf(write(tmp_path / "m.rtf", rtf), context(tmp_path))

    assert "The café meeting “ran late”." in result.text
    assert "Second line." in result.text
    assert (result.title, result.author) == ("Board minutes", "Ada Quill")
    assert result.created == datetime(2019, 3, 4, 5, 6)
    assert failure(plain.extract_rtf, write(tmp_path / "x.rtf", b"PK\x03\x04"), context(tmp_path)).reason is (
        Reason.DAMAGED
    )


# --- HTML -----------------------------------------------------------------------------------------------


def test_html_declared_charset_title_and_visible_text(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1251"><title>Договор</title>'
        '<meta name="author" content="Иван"><style>p {color: red}</style>'
        "<script>var hidden = 1;</script></head>"
        "<body><p>Первый абзац</p><p>Второй абзац</p>"
        "<table><tr><td>A</td><td>B</td></tr></table></body></html>"
    ).encode("cp1251")

    result = html.extract(write(tmp_path / "page", page), context(tmp_path))

    assert result.title == "Договор"
    assert result.author == "Иван"
    assert "Первый абзац\n" in result.text and "Второй абзац" in result.text
    assert "A B" in result.text
    assert "hidden" not in result.text and "color" not in result.text
    assert result.mime == "text/html"


def test_html_misleading_declaration_falls_back_to_detection(tmp_path: Path) -> None:
    body = "Les données du café « spécial » sont prêtes. " * 5
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>{body}'
    )

    result = html.extract(write(tmp_path / "p.html", page.encode("cp1252")), context(tmp_path))

    assert "données du café « spécial » sont prêtes" in result.text


def test_html_latin1_label_means_windows_1252(tmp_path: Path) -> None:
    page = '<meta charset="iso-8859-1"><p>“Quoted” — text</p>'.encode("cp1252")

    assert html.extract(write(tmp_path / "p.html", page), context(tmp_path)).text == "“Quoted” — text"


@pytest.mark.parametrize("bom", [True, False])
def test_html_utf16(tmp_path: Path, bom: bool) -> None:
    page = "<html><head><title>Title</title></head><body><p>Ein schöner Text</p></body></html>"
    data = (codecs.BOM_UTF16_LE if bom else b"") + page.encode("utf-16-le")

    result = html.extract(write(tmp_path / "p.html", data), context(tmp_path))

    assert result.title == "Title"
    assert "Ein schöner Text" in result.text


# --- images ---------------------------------------------------------------------------------------------


def test_image_without_ocr_is_kept_and_flagged(tmp_path: Path, no_ocr: None) -> None:
    result = image.extract(write(tmp_path / "scan", rendered_text_png("RECEIPT 981")), context(tmp_path))

    assert (result.mime, result.pages, result.text) == ("image/png", 1, "")
    assert result.flags == [Flag.NEEDS_OCR]
    assert not image.ocr_available()


def test_ocr_off_for_this_ingest(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    ctx.ocr = False

    assert not image.ocr_available(ctx)
    assert image.extract(write(tmp_path / "s.png", rendered_text_png("x")), ctx).flags == [Flag.NEEDS_OCR]


@needs_tesseract
def test_image_is_ocred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWER_NO_OCR", raising=False)
    with pymupdf.open() as document:
        page = document.new_page(width=400, height=120)
        page.insert_text((20, 70), "RECEIPT 981", fontsize=28)
        jpeg = page.get_pixmap(dpi=150).tobytes("jpeg")

    result = image.extract(write(tmp_path / "scan", jpeg), context(tmp_path))

    assert result.mime == "image/jpeg"
    assert "RECEIPT" in result.text
    assert result.flags == []


def test_damaged_and_empty_images(tmp_path: Path) -> None:
    garbage = write(tmp_path / "g.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)

    assert failure(image.extract, garbage, context(tmp_path)).reason is Reason.DAMAGED
    assert failure(image.extract, write(tmp_path / "e", b""), context(tmp_path)).reason is Reason.EMPTY


# --- legacy Office and WordPerfect ----------------------------------------------------------------------


def test_word97_text_without_field_codes(tmp_path: Path) -> None:
    body = 'Dear Ben,\rSee \x13 HYPERLINK "http://example.com" \x14our site\x15 today.\rCell\x07Next\x07\r'
    path = write(tmp_path / "letter.doc", word97_document(body))

    result = legacy.extract(path, context(tmp_path, "letter.doc"))

    assert result.text == "Dear Ben,\nSee our site today.\nCell\tNext"
    assert result.mime == "application/msword"
    assert result.flags == []


def test_word97_encrypted(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.doc", word97_document("secret", encrypted=True))

    assert failure(legacy.extract, path, context(tmp_path)).reason is Reason.ENCRYPTED


def test_powerpoint97_text_atoms(tmp_path: Path) -> None:
    chars = "Quarterly “results”\rNext line".encode("utf-16-le")
    plain_bytes = b"Speaker notes"
    atoms = struct.pack("<HHI", 0, 0x0FA0, len(chars)) + chars
    atoms += struct.pack("<HHI", 0, 0x0FA8, len(plain_bytes)) + plain_bytes
    stream = struct.pack("<HHI", 0x0F, 0x03E8, len(atoms)) + atoms
    path = write(tmp_path / "deck.ppt", compound_file({"PowerPoint Document": stream}))

    result = legacy.extract(path, context(tmp_path))

    assert result.text == "Quarterly “results”\nNext line\nSpeaker notes"
    assert result.mime == "application/vnd.ms-powerpoint"


def test_powerpoint97_encrypted(tmp_path: Path) -> None:
    ole = compound_file({"PowerPoint Document": b"\0" * 16, "EncryptedSummary": b"\0" * 16})

    assert (
        failure(legacy.extract, write(tmp_path / "d.ppt", ole), context(tmp_path)).reason is Reason.ENCRYPTED
    )


def test_unknown_ole_document_is_kept_without_text(tmp_path: Path) -> None:
    path = write(tmp_path / "drawing.vsd", compound_file({"VisioDocument": b"\1" * 100}))

    result = legacy.extract(path, context(tmp_path))

    assert result.flags == [Flag.NO_TEXT]


def test_wordperfect_is_kept_without_text(tmp_path: Path) -> None:
    path = write(tmp_path / "blob", b"\xffWPC\x10\x00\x00\x00\x01\x0a" + b"\0" * 200)

    result = legacy.extract(path, context(tmp_path, "brief.wpd"))

    assert (result.mime, result.flags) == ("application/vnd.wordperfect", [Flag.NO_TEXT])


def test_legacy_rtf_named_doc_and_garbage(tmp_path: Path) -> None:
    rtf = write(tmp_path / "memo.doc", rb"{\rtf1\ansi Saved as RTF.\par}")
    garbage = write(tmp_path / "junk.doc", b"not an office document at all")

    assert "Saved as RTF." in legacy.extract(rtf, context(tmp_path)).text
    assert failure(legacy.extract, garbage, context(tmp_path)).reason is Reason.DAMAGED
