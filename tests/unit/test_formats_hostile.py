"""Extractors on hostile input: bad metadata, unknown charsets, DOCTYPEs, deep HTML, pixel bombs, sealed
mail."""

from __future__ import annotations

import math
import shutil
import time
from datetime import datetime
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from reviewer.core.ingest.extracted import ExtractContext, Flag
from reviewer.core.ingest.formats import downscale, email_message, html, image, office, pdf, plain
from tests import hostile_files

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


@pytest.fixture
def ctx(tmp_path: Path) -> ExtractContext:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return ExtractContext(scratch=scratch)


# --- metadata ------------------------------------------------------------------------------------------


def test_pdf_with_year_one_dates_keeps_its_text(tmp_path: Path, ctx: ExtractContext) -> None:
    result = pdf.extract(hostile_files.pdf_with_year_one(tmp_path / "memo.pdf", "Lease renewal memo"), ctx)

    assert "Lease renewal memo" in result.text
    assert (result.created, result.modified) == (None, None)
    assert (result.author, result.title) == ("R. Lamb", "Lease memo")
    assert Flag.METADATA_DAMAGED in result.flags


def test_docx_with_year_one_date_keeps_its_text(tmp_path: Path, ctx: ExtractContext) -> None:
    path = hostile_files.docx_with_year_one(tmp_path / "memo.docx", "Deposit terms")

    result = office.extract_docx(path, ctx)

    assert result.text == "Deposit terms"
    assert result.created is None and result.modified is not None
    assert result.flags == [Flag.METADATA_DAMAGED]


def test_rtf_with_overflowing_year_keeps_its_text(tmp_path: Path, ctx: ExtractContext) -> None:
    result = plain.extract_rtf(hostile_files.rtf_with_bad_year(tmp_path / "n.rtf", "Notice to quit"), ctx)

    assert result.text.strip() == "Notice to quit"
    assert result.author == "Ann Lee" and result.created is None
    assert result.flags == [Flag.METADATA_DAMAGED]


def test_metadata_reader_keeps_good_values_and_flags_bad_ones() -> None:
    metadata = plain.MetadataReader()

    assert metadata.date("2024-03-05T10:00:00+01:00", datetime.fromisoformat) == datetime(2024, 3, 5, 9)
    assert metadata.date("", datetime.fromisoformat) is None
    assert metadata.flags == []
    assert metadata.date("9999-12-31T23:00:00-05:00", datetime.fromisoformat) is None  # overflows
    assert metadata.text("Ann \udce9") == "Ann \ufffd"
    assert metadata.flags == [Flag.METADATA_DAMAGED]


# --- charsets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["x-unknown", "rot13", "base64"])
def test_email_with_unknown_charset_is_decoded_and_flagged(tmp_path: Path, ctx: ExtractContext,
                                                           charset: str) -> None:
    body = "Loyer payé en retard".encode("cp1252")
    path = hostile_files.email_with_charset(tmp_path / "m.eml", charset, body)

    result = email_message.extract_eml(path, ctx)

    assert "Loyer payé en retard" in result.text
    assert result.email is not None and result.email.subject == "Rent schedule"
    assert result.flags == [Flag.CHARSET_GUESSED]


@pytest.mark.parametrize("charset", ["x-unknown", "rot13"])
def test_html_with_unknown_charset_is_decoded_and_flagged(tmp_path: Path, ctx: ExtractContext,
                                                          charset: str) -> None:
    path = hostile_files.html_with_charset(tmp_path / "p.html", charset, "Loyer payé".encode("cp1252"))

    result = html.extract(path, ctx)

    assert "Loyer payé" in result.text and result.title == "Rent"
    assert result.flags == [Flag.CHARSET_GUESSED]


def test_html_email_body_with_unknown_meta_charset(ctx: ExtractContext, tmp_path: Path) -> None:
    path = tmp_path / "h.eml"
    path.write_bytes(b"From: a@b.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
                     b"Content-Type: text/html\r\n\r\n<meta charset=rot13><p>Hello there</p>\r\n")

    result = email_message.extract_eml(path, ctx)

    assert "Hello there" in result.text and result.flags == [Flag.CHARSET_GUESSED]


# --- XML DOCTYPE ---------------------------------------------------------------------------------------


def test_xlsx_with_doctype_is_read_and_its_entity_never_resolved(tmp_path: Path, ctx: ExtractContext) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-HOST")
    path = hostile_files.xlsx_with_doctype(tmp_path / "book.xlsx", "Quarterly rent roll", secret)

    result = office.extract_xlsx(path, ctx)

    assert "Quarterly rent roll" in result.text
    assert "TOP-SECRET-HOST" not in result.text


def test_without_doctype_drops_declared_entities_and_keeps_the_rest() -> None:
    xml = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "]>">]><a>&amp; &x; &lt;</a>'

    assert office.without_doctype(xml) == b'<?xml version="1.0"?><a>&amp;  &lt;</a>'


# --- HTML in linear time -------------------------------------------------------------------------------


def test_html_with_100000_nested_elements_is_read_in_seconds(tmp_path: Path, ctx: ExtractContext) -> None:
    path = hostile_files.nested_html(tmp_path / "deep.html", 100_000, "bedrock")
    started = time.monotonic()

    result = html.extract(path, ctx)

    assert time.monotonic() - started < 30  # a hang guard; the benchmark figure is about 1 s
    assert result.text == "bedrock"


@pytest.mark.parametrize("markup", ["<!--" + "a<" * 100_000, "<a" * 100_000, "</" * 100_000, "<?" * 100_000,
                                    '<a b="' * 100_000, "<script>" + "</scrip" * 50_000])
def test_html_left_open_reads_in_linear_time(markup: str) -> None:
    started = time.monotonic()
    html.html_to_text("<p>before</p>" + markup)
    assert time.monotonic() - started < 10


def test_html_text_title_author_and_blocks() -> None:
    page = ('<html><head><meta content="Ann &amp; Bo" name=author><title>My  Title</title>'
            "<style>p{}</style></head><body><p>One</p><p>Two<br>three</p><table><tr><td>A</td><td>B</td></tr>"
            '</table><img src="x>y" alt=1>after <template>hidden</template>a &lt; b</body></html>')

    text, title, author = html.html_to_text(page)

    assert (title, author) == ("My Title", "Ann & Bo")
    assert text == "My Title\n\nOne\n\nTwo\nthree\n\nA B\n\nafter a < b"


# --- images over the pixel budget ----------------------------------------------------------------------


def test_reduction_factor_fits_the_budget() -> None:
    assert downscale.reduction_factor(6000, 6000) == 1
    factor = downscale.reduction_factor(19_000, 19_000)
    side, smaller = math.ceil(19_000 / factor), math.ceil(19_000 / (factor - 1))
    assert side**2 <= downscale.OCR_PIXEL_BUDGET < smaller**2


@pytest.mark.parametrize("mode", ["RGB", "L", "P", "RGBA", "LA"])
def test_png_reduced_in_bands_matches_a_whole_decode(tmp_path: Path, mode: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with pymupdf.open() as document:
        page = document.new_page(width=300, height=200)
        page.draw_circle((150, 100), 80, color=(0.8, 0.1, 0.3), fill=(0.1, 0.6, 0.9))
        page.insert_text((40, 100), "Banded", fontsize=40)
        png = page.get_pixmap(dpi=300).tobytes("png")
    source = tmp_path / "in.png"
    source.write_bytes(png)
    picture = Image.open(source)
    picture = picture.convert("P", palette=Image.Palette.ADAPTIVE) if mode == "P" else picture.convert(mode)
    picture.save(tmp_path / "image.png")
    monkeypatch.setattr(downscale, "_BAND_PIXELS", 40_000)  # many bands, each led by the row above it

    reduced = Image.open(downscale.io.BytesIO(downscale.reduced_png(tmp_path / "image.png", 3)))

    expected = Image.open(tmp_path / "image.png").convert("L").reduce(3)
    assert reduced.size == expected.size and reduced.tobytes() == expected.tobytes()


@needs_tesseract
def test_huge_png_is_reduced_before_ocr(tmp_path: Path, ctx: ExtractContext) -> None:
    path = hostile_files.huge_png(tmp_path / "bomb.png", 19_000)
    assert path.stat().st_size < 2_000_000

    result = image.extract(path, ctx)

    assert result.pages == 1
    assert Flag.OCR_DOWNSCALED in result.flags


@needs_tesseract
def test_text_in_an_oversized_scan_is_still_read(tmp_path: Path, ctx: ExtractContext) -> None:
    with pymupdf.open() as document:
        page = document.new_page(width=400, height=120)
        page.insert_text((20, 70), "COUNTERCLAIM", fontsize=28)
        small = Image.open(downscale.io.BytesIO(page.get_pixmap(dpi=150).tobytes("png")))
    # 16,660 × 5,000 pixels: twice the budget, as a scanner set to 3,000 dpi would make it.
    small.resize((small.width * 20, small.height * 20), Image.Resampling.NEAREST).save(tmp_path / "scan.png")

    result = image.extract(tmp_path / "scan.png", ctx)

    assert "COUNTERCLAIM" in result.text
    assert result.flags == [Flag.OCR_DOWNSCALED]


# --- email ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [hostile_files.smime_email, hostile_files.pgp_email])
def test_encrypted_email_is_kept_with_its_headers_and_flagged(tmp_path: Path, ctx: ExtractContext,
                                                              make) -> None:
    result = email_message.extract_eml(make(tmp_path / "sealed.eml"), ctx)

    assert result.email is not None and result.email.subject.startswith("Sealed offer")
    assert "ann@lee.example" in result.email.sender
    assert result.flags == [Flag.ENCRYPTED_CONTENT]
    assert list(result.children) == []  # the ciphertext stays in the original, not as unreadable children


def test_message_rfc822_at_the_top_is_read_as_the_message_inside(tmp_path: Path, ctx: ExtractContext) -> None:
    result = email_message.extract_eml(hostile_files.wrapped_email(tmp_path / "w.eml"), ctx)

    assert result.email is not None
    assert result.email.sender == "Cy Dunn <cy@dunn.example>"
    assert result.email.subject == "Inner subject line"
    assert result.email.message_id == "<inner@dunn.example>"
    assert result.email.sent == datetime(2024, 3, 6, 9, 0)
    assert "deposit" in result.text


def test_message_rfc822_under_its_own_headers_attaches_the_inner_message(tmp_path: Path,
                                                                         ctx: ExtractContext) -> None:
    path = tmp_path / "j.eml"
    path.write_bytes(b"From: journal@firm.example\r\nSubject: Journal report\r\n"
                     + hostile_files.wrapped_email(tmp_path / "w.eml").read_bytes())

    result = email_message.extract_eml(path, ctx)

    assert result.email is not None and result.email.subject == "Journal report"
    [child] = list(result.children)
    assert child.name == "Inner subject line.eml" and b"From: Cy Dunn" in child.data
