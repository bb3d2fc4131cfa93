#!/usr/bin/env python3
"""Generate Reviewer's built-in demo case: a small FICTIONAL discovery set.

    /work/main/.venv/bin/python resources/make_demo.py [--out DIR]

Writes resources/demo/<custodian>/... plus resources/demo/README.md (the answer
key).  Everything in it is invented: the State of Westmarch, Harlow County, the
town of Marrowfield, every person, firm, newspaper, address, case number and
rule of procedure.  E-mail domains use the reserved ".example" TLD and phone
numbers use the fictional 555-01xx range.

The output is deterministic: fixed dates and metadata, fixed MIME boundaries,
fixed zip timestamps, fixed file mtimes.  Re-running produces byte-identical
files, with one exception: the encrypted PDF (MuPDF salts the encryption with
random bytes), which is equivalent (same content, same password) but not
byte-identical.

Requires PyMuPDF, python-docx and openpyxl (all in the project venv).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import mailbox
import os
import random
import re
import shutil
import sys
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import docx
import openpyxl
import pymupdf
from docx.shared import Pt
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "demo"

ENCRYPTED_PDF_PASSWORD = "harlow"

# Eastern-style fixed offsets for the fictional state (daylight time until
# 5 Nov 2023, standard time after).
EDT = dt.timezone(dt.timedelta(hours=-4))
EST = dt.timezone(dt.timedelta(hours=-5))

ZIP_EPOCH = (2024, 3, 1, 9, 0, 0)  # timestamp given to every entry of every zip container we write

# ---------------------------------------------------------------------------
# Cast (all fictional)
# ---------------------------------------------------------------------------
OKAFOR = ("Dana Okafor", "dana.okafor@postbox.example")
LINDQVIST = ("Priya Lindqvist", "plindqvist@lindqvist-marsh.example")
FERREIRA = ("Tomas Ferreira-Hale", "tferreira-hale@lindqvist-marsh.example")
REYES = ("Sgt. Marcus Reyes", "mreyes@hcso.harlow.example")
REYES_PERSONAL = ("Marcus Reyes", "mreyes.wm@postbox.example")
KERSEY = ("Dale Kersey", "dkersey@postbox.example")
BENEDETTI = ("Dep. Carla Benedetti", "cbenedetti@hcso.harlow.example")
SORENSEN = ("Lt. Gail Sorensen", "gsorensen@hcso.harlow.example")
VOSS = ("Helen Voss", "hvoss@da.harlow.example")
ALBARRAN = ("Ines Albarran", "ialbarran@courts.harlow.example")
PRUITT = ("Walter Pruitt", "wpruitt@marrowfieldfire.example")
BOARD = ("MVFC Board", "board@marrowfieldfire.example")
OKAFOR_FIRE = ("Dana Okafor", "treasurer@marrowfieldfire.example")

CASE = "State of Westmarch v. Dana Okafor"
CASE_NO = "No. HC-23-CR-1186"
WARRANT_NO = "23-SW-0912"

ITEMS: list[dict] = []  # answer key, filled in as files are written


def addr(person: tuple[str, str]) -> str:
    name, email = person
    if any(c in name for c in ".,"):
        return f'"{name}" <{email}>'
    return f"{name} <{email}>"


def pdf_date(when: dt.datetime) -> str:
    off = when.utcoffset() or dt.timedelta(0)
    total = int(off.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return when.strftime("D:%Y%m%d%H%M%S") + f"{sign}{total // 60:02d}'{total % 60:02d}'"


def record(path: Path, out: Path, when: dt.datetime, desc: str, tags: tuple[str, ...] = ()) -> None:
    ts = when.timestamp()
    os.utime(path, (ts, ts))
    ITEMS.append({"path": path.relative_to(out).as_posix(), "desc": desc, "tags": tags})


# ---------------------------------------------------------------------------
# PDF helpers (PyMuPDF)
# ---------------------------------------------------------------------------
_PDF_SUBS = {
    "\u2014": "--", "\u2013": "-", "\u2018": "'", "\u2019": "'",
    "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00a0": " ",
}


def latin(text: str) -> str:
    """The Base-14 fonts only carry Latin-1; keep the text layer searchable."""
    for a, b in _PDF_SUBS.items():
        text = text.replace(a, b)
    return text


def pdf_meta(doc: pymupdf.Document, *, author: str, title: str, subject: str, when: dt.datetime,
             creator: str, keywords: str = "") -> None:
    doc.set_metadata({
        "author": author, "title": latin(title), "subject": latin(subject), "keywords": keywords,
        "creator": creator, "producer": "Reviewer demo generator",
        "creationDate": pdf_date(when), "modDate": pdf_date(when),
    })


def save_pdf(doc: pymupdf.Document, path: Path, **kw) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path, garbage=4, deflate=True, no_new_id=True, **kw)
    doc.close()


def wrap(text: str, fontname: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for para_line in text.split("\n"):
        words = para_line.split(" ")
        cur = ""
        for w in words:
            trial = w if not cur else cur + " " + w
            if pymupdf.get_text_length(trial, fontname=fontname, fontsize=size) <= width or not cur:
                cur = trial
            else:
                lines.append(cur)
                cur = w
        lines.append(cur)
    return lines


def text_pdf(blocks: list[tuple], *, header: str = "", footer: str = "") -> pymupdf.Document:
    """Lay out (kind, text) blocks on Letter pages with a real text layer.

    kinds: "title", "h", "p", "mono", "kv" (label, value), "gap".
    """
    doc = pymupdf.open()
    W, H = pymupdf.paper_size("letter")
    left, right, top, bottom = 72, W - 72, 80, H - 72
    width = right - left
    page = None
    y = 0.0

    def new_page():
        nonlocal page, y
        page = doc.new_page(width=W, height=H)
        y = top
        if header:
            page.insert_text((left, 48), latin(header), fontname="hebo", fontsize=8, color=(0.45, 0, 0))

    def need(h):
        if page is None or y + h > bottom:
            new_page()

    styles = {
        "title": ("hebo", 13, 6), "h": ("hebo", 10.5, 4), "p": ("helv", 10, 6),
        "mono": ("cour", 9, 4), "kv": ("helv", 10, 1), "small": ("helv", 8.5, 4),
    }
    for block in blocks:
        kind = block[0]
        if kind == "gap":
            need(0)
            y += block[1] if len(block) > 1 else 10
            continue
        if kind == "rule":
            need(8)
            page.draw_line((left, y), (right, y), color=(0, 0, 0), width=0.7)
            y += 10
            continue
        font, size, after = styles[kind]
        lh = size * 1.32
        if kind == "kv":
            label, value = block[1], latin(block[2])
            lines = wrap(value, "helv", size, width - 70)
            need(lh * len(lines))
            page.insert_text((left, y + size), label, fontname="hebo", fontsize=size)
            for ln in lines:
                page.insert_text((left + 70, y + size), ln, fontname="helv", fontsize=size)
                y += lh
            y += after
            continue
        text = latin(block[1])
        if kind == "h":
            need(lh * 4)  # keep a heading with the first lines of its paragraph
        for ln in wrap(text, font, size, width):
            need(lh)
            page.insert_text((left, y + size), ln, fontname=font, fontsize=size)
            y += lh
        y += after

    n = doc.page_count
    for i, pg in enumerate(doc, 1):
        if footer:
            pg.insert_text((left, H - 40), latin(footer), fontname="helv", fontsize=7.5, color=(0.3, 0.3, 0.3))
        pg.insert_text((right - 60, H - 40), f"Page {i} of {n}", fontname="helv", fontsize=7.5, color=(0.3, 0.3, 0.3))
    return doc


# ---------------------------------------------------------------------------
# Office helpers
# ---------------------------------------------------------------------------
def normalize_zip(path: Path, when: dt.datetime | None = None) -> None:
    """Rewrite an OOXML/zip container with fixed entry timestamps (and fixed
    docProps/core.xml dates) so the bytes are reproducible."""
    with zipfile.ZipFile(path) as zf:
        entries = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            if when is not None and name == "docProps/core.xml":
                stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                text = data.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    text = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{stamp}\g<2>", text)
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    path.write_bytes(buf.getvalue())


def make_docx(path: Path, *, author: str, title: str, subject: str, when: dt.datetime,
              paragraphs: list[tuple[str, str]], keywords: str = "") -> bytes:
    """paragraphs: (style, text); style in {"", "bold", "center", "heading", "small"}."""
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(11)
    for style, text in paragraphs:
        if style == "heading":
            d.add_heading(text, level=2)
            continue
        p = d.add_paragraph()
        run = p.add_run(text)
        if style in ("bold", "center"):
            run.bold = True
        if style == "center":
            p.alignment = 1
        if style == "small":
            run.font.size = Pt(9)
    cp = d.core_properties
    naive = when.astimezone(dt.UTC).replace(tzinfo=None)
    cp.author = author
    cp.last_modified_by = author
    cp.title = title
    cp.subject = subject
    cp.keywords = keywords
    cp.comments = ""
    cp.category = ""
    cp.created = naive
    cp.modified = naive
    cp.last_printed = naive
    cp.revision = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(path)
    normalize_zip(path, when)
    return path.read_bytes()


# ---------------------------------------------------------------------------
# E-mail helpers
# ---------------------------------------------------------------------------
def make_email(*, sender, to, subject, when, body, msgid, cc=(), in_reply_to=None, references=(),
               attachments=(), extra_headers=()) -> EmailMessage:
    m = EmailMessage()
    m["From"] = addr(sender)
    m["To"] = ", ".join(addr(p) for p in to)
    if cc:
        m["Cc"] = ", ".join(addr(p) for p in cc)
    m["Date"] = format_datetime(when)
    m["Subject"] = subject
    m["Message-ID"] = f"<{msgid}>"
    if in_reply_to:
        m["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        m["References"] = " ".join(f"<{r}>" for r in references)
    for k, v in extra_headers:
        m[k] = v
    m["MIME-Version"] = "1.0"
    m.set_content(body)
    for filename, data, maintype, subtype in attachments:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    n = 0
    for part in m.walk():  # MIME boundaries are random by default: pin them
        if part.is_multipart():
            n += 1
            part.set_boundary(f"----=_DemoPart_{msgid.split('@')[0]}_{n}")
    return m


def write_eml(path: Path, msg: EmailMessage) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes())


# ---------------------------------------------------------------------------
# Image helpers
# ---------------------------------------------------------------------------
def scanned_pdf_from(doc: pymupdf.Document, *, dpi: int, when: dt.datetime, author: str, title: str,
                     seed: int) -> bytes:
    """Render each page to a grey, slightly skewed, speckled bitmap and put ONLY
    the image into a new PDF -- no text layer, like a photocopier scan."""
    rnd = random.Random(seed)
    out = pymupdf.open()
    for page in doc:
        zoom = dpi / 72
        mat = pymupdf.Matrix(zoom, zoom).prerotate(0.55)
        pix = page.get_pixmap(matrix=mat, colorspace=pymupdf.csGRAY, alpha=False)
        # speckles and a darker photocopier edge
        for _ in range(900):
            x, y = rnd.randrange(pix.width), rnd.randrange(pix.height)
            v = rnd.randrange(40, 170)
            pix.set_pixel(x, y, (v,))
        for yy in range(pix.height):
            for xx in range(3):
                pix.set_pixel(xx, yy, (60 + rnd.randrange(40),))
        jpg = pix.tobytes("jpeg", jpg_quality=45)
        W, H = page.rect.width, page.rect.height
        p = out.new_page(width=W, height=H)
        p.insert_image(p.rect, stream=jpg)
    pdf_meta(out, author=author, title=title, subject="Scanned image", when=when,
             creator="HCSO Records copier (scan-to-PDF)")
    buf = io.BytesIO()
    out.save(buf, garbage=4, deflate=True, no_new_id=True)
    out.close()
    return buf.getvalue()


def handwritten_png(lines: list[str], *, seed: int, circle_word: str = "") -> bytes:
    """A yellow legal-pad note in blue 'ink' (Times italic with per-word jitter)."""
    rnd = random.Random(seed)
    W, H = 540, 420
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    page.draw_rect(page.rect, color=None, fill=(1.0, 0.97, 0.72))
    for y in range(70, H, 26):
        page.draw_line((0, y), (W, y), color=(0.55, 0.75, 0.9), width=0.6)
    page.draw_line((52, 0), (52, H), color=(0.9, 0.45, 0.45), width=0.9)
    ink = (0.08, 0.16, 0.55)
    y = 64.0
    circled = None
    for line in lines:
        x = 60 + rnd.uniform(-2, 4)
        for word in line.split(" "):
            size = 15 + rnd.uniform(-0.8, 0.8)
            angle = rnd.uniform(-4, 4)
            dy = rnd.uniform(-1.4, 1.4)
            pt = pymupdf.Point(x, y + dy)
            page.insert_text(pt, word, fontname="tiit", fontsize=size, color=ink,
                             morph=(pt, pymupdf.Matrix(1, 0, rnd.uniform(-0.12, 0.05), 1, 0, 0).prerotate(angle)))
            wlen = pymupdf.get_text_length(word, fontname="tiit", fontsize=size)
            if circle_word and word == circle_word and circled is None:
                circled = pymupdf.Rect(x - 6, y - size - 2, x + wlen + 6, y + 6)
            x += wlen + pymupdf.get_text_length(" ", fontname="tiit", fontsize=size) + rnd.uniform(-0.5, 1.5)
        y += 26
    # a hurried underline of the first line and a circle around the key word
    page.draw_line((60, 70), (240, 68.5), color=ink, width=1.1)
    if circled is not None:
        page.draw_oval(circled, color=ink, width=1.0)
    pix = page.get_pixmap(dpi=110, alpha=False)
    data = pix.tobytes("png")
    doc.close()
    return data


# ---------------------------------------------------------------------------
# The documents
# ---------------------------------------------------------------------------
def okafor_letter_to_counsel(out: Path) -> None:
    when = dt.datetime(2023, 9, 20, 21, 14, tzinfo=EDT)
    path = out / "okafor-d" / "2023-09-20 Letter to P. Lindqvist re representation.docx"
    paras = [
        ("bold", "Dana Okafor"),
        ("", "41 Alder Lane\nMarrowfield, Westmarch 20913\n(555) 010-4471"),
        ("", "September 20, 2023"),
        ("", "Priya Lindqvist, Esq.\nLindqvist & Marsh LLP\n12 Foundry Row, Suite 300\nCarrow Bridge, Westmarch 20901"),
        ("bold", "PRIVILEGED AND CONFIDENTIAL \u2014 FOR MY ATTORNEY ONLY"),
        ("", "Dear Ms. Lindqvist,"),
        ("", "Thank you for meeting with me on Monday and for agreeing to represent me. As you asked, I am "
             "putting down in writing what happened and the history with the investigator, while it is fresh. "
             "I understand this letter is a confidential communication to my lawyer and I have not shown it "
             "to anyone, including my husband."),
        ("", "On September 15 I went to the Harlow County Sheriff's Office voluntarily, because Sgt. Marcus "
             "Reyes left a message saying he had \u201ca few questions about the fire company books.\u201d He "
             "interviewed me for about two hours without a break. At the end he told me I was under arrest for "
             "theft by deception and said, almost smiling, \u201cWe already have a warrant for your house, "
             "signed on the 13th. We'll come by when it suits us.\u201d Nobody has come to the house yet. I do "
             "not understand how a warrant can be signed and then just sit in someone's drawer."),
        ("", "You asked whether Sgt. Reyes has any reason to hold a grudge against me. He does. In 2020, when I "
             "was on the Marrowfield town council's public-safety committee, I filed a civilian complaint about "
             "the way he handled a traffic stop of my nephew, Jonah. The Sheriff's Office sustained the "
             "complaint and gave him a written reprimand. I was told later that it cost him the lieutenant's "
             "promotion in 2021. After a council meeting that year he walked past me in the parking lot and "
             "said, \u201cYou'll get yours, councilwoman.\u201d In March of this year he wrote an op-ed in the "
             "Harlow Ledger naming me and questioning my honesty, months before anyone raised the audit."),
        ("", "About the money: the $18,400 that Walter Pruitt calls \u201cmissing\u201d is the total of the "
             "turnout gear and the thermal imaging camera I bought for the company in March 2023, on my own "
             "card, when the company card was frozen after the bank changed signatories. I reimbursed myself "
             "from the operating account with the board's verbal approval. Every receipt is in the blue binder "
             "in the station safe, and copies are in the two banker's boxes in my home office."),
        ("", "I will keep a note of anything else that happens and send you anything I find. Please tell me "
             "if there is a deadline I should be aware of."),
        ("", "Sincerely,"),
        ("", "Dana Okafor"),
    ]
    make_docx(path, author="Dana Okafor", title="Letter to P. Lindqvist re representation",
              subject="Confidential letter to counsel", when=when, paragraphs=paras,
              keywords="privileged; Reyes; warrant")
    record(path, out, when, "Client's letter to defense counsel retaining her; recounts the arrest, the "
           "\"signed on the 13th\" warrant remark and the 2020 complaint behind Reyes's grudge.",
           ("PRIVILEGED", "BIAS", "MTD"))


def okafor_note_png(out: Path) -> None:
    when = dt.datetime(2023, 9, 28, 7, 40, tzinfo=EDT)
    path = out / "okafor-d" / "IMG_0928 handwritten note.png"
    lines = [
        "Sept 28 - 6:10 am",
        "Reyes + 2 deputies at door. Warrant dated 9/13 !!",
        "That's 15 days. Priya said 10 day limit?",
        "Took: blue binder, laptop, 2 boxes receipts",
        "Reyes on porch: 'Told you in 2020 this",
        "wasn't over.'  (Dep. Benedetti heard it)",
        "Benedetti looked embarrassed - ask her?",
        "Call Priya 9am. Don't talk to Walter.",
        "Write down everything.   - D.O.",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(handwritten_png(lines, seed=928, circle_word="9/13"))
    record(path, out, when, "Photo of the client's handwritten note on the morning of the search: warrant "
           "dated 9/13 executed 9/28, Reyes's \"told you in 2020\" remark. Image only (no text).",
           ("BIAS", "MTD"))


def okafor_email_timeline(out: Path) -> None:
    when = dt.datetime(2024, 1, 16, 22, 3, tzinfo=EST)
    att_when = dt.datetime(2024, 1, 16, 21, 40, tzinfo=EST)
    tmp = out / "_tmp_timeline.docx"
    paras = [
        ("heading", "My timeline \u2014 prepared for my attorneys"),
        ("small", "Privileged and confidential. Prepared at the request of Priya Lindqvist."),
        ("", "2020-05-18  Filed civilian complaint about Sgt. Reyes's traffic stop of my nephew Jonah."),
        ("", "2020-08-03  Sheriff's Office sustains the complaint; Reyes gets a written reprimand."),
        ("", "2021-04-12  Reyes passed over for lieutenant. Parking lot: \u201cYou'll get yours, councilwoman.\u201d"),
        ("", "2023-03-12  Reyes op-ed in the Harlow Ledger naming me (\u201cwho audits the treasurer?\u201d)."),
        ("", "2023-03-20  Company card frozen; I buy turnout gear + thermal camera on my own card ($18,400)."),
        ("", "2023-07-12  Walter emails the board about a \u201cdiscrepancy\u201d. I answer on 7/14: receipts in the safe."),
        ("", "2023-08-30  Walter's letter to the Sheriff \u2014 addressed to Reyes personally. Why him?"),
        ("", "2023-09-13  WARRANT signed (Judge Castellane), per the warrant itself."),
        ("", "2023-09-15  Interview and ARREST. Reyes: \u201cwarrant signed on the 13th.\u201d"),
        ("", "2023-09-28  Search of my house at 6:10 am \u2014 15 days after the warrant was signed."),
        ("", "2023-10-30  Charging deadline (45 days after arrest), per Tomas."),
        ("", "2023-11-06  Information actually filed. Ledger story on 11/9."),
        ("", "2024-01-16  This timeline."),
        ("", "Things I want to ask about: (1) why the warrant sat for two weeks; (2) whether Deputy Benedetti "
             "wrote a report; (3) whether Walter and Reyes talked before his letter \u2014 Walter told Linda "
             "Marsh at the pancake breakfast that \u201cthe sergeant told me exactly what to write.\u201d"),
    ]
    att = make_docx(tmp, author="Dana Okafor", title="My timeline - for my attorneys",
                    subject="Privileged timeline", when=att_when, paragraphs=paras, keywords="privileged; timeline")
    tmp.unlink()
    body = (
        "Priya, Tomas \u2014\n\n"
        "Attached is the timeline you asked for at our meeting. I marked the dates that matter for the "
        "warrant and for the charging deadline, and I added the things I keep coming back to at 3 am.\n\n"
        "Two new things. First, Linda Marsh (no relation to your firm, she runs the pancake breakfast) says "
        "Walter told her \"the sergeant told me exactly what to write\" in his letter to the Sheriff. Second, "
        "I saw Deputy Benedetti at the grocery store and she said she was \"sorry about how that morning "
        "went.\" I did not say anything back, as you told me.\n\n"
        "I understand this email is privileged and I am only sending it to the two of you, from my personal "
        "account, not the fire company one.\n\n"
        "Is the motion to dismiss still going in by the ninth?\n\n"
        "Dana\n"
    )
    msg = make_email(
        sender=OKAFOR, to=[LINDQVIST], cc=[FERREIRA],
        subject="Privileged - my timeline, as you asked", when=when, body=body,
        msgid="20240116220300.okafor.4471@postbox.example",
        attachments=[("Okafor timeline for counsel.docx", att, "application",
                      "vnd.openxmlformats-officedocument.wordprocessingml.document")],
    )
    path = out / "okafor-d" / "2024-01-16 Privileged - my timeline, as you asked.eml"
    write_eml(path, msg)
    record(path, out, when, "Client e-mail to Lindqvist (cc Ferreira-Hale) attaching her personal timeline "
           "(.docx): warrant 9/13, search 9/28, deadline 10/30, filing 11/6; hints Reyes coached Pruitt.",
           ("PRIVILEGED", "BIAS", "MTD"))


def privileged_memo_pdf(out: Path) -> None:
    when = dt.datetime(2024, 1, 22, 17, 30, tzinfo=EST)
    hdr = "PRIVILEGED & CONFIDENTIAL -- ATTORNEY-CLIENT COMMUNICATION -- ATTORNEY WORK PRODUCT"
    blocks = [
        ("title", "LINDQVIST & MARSH LLP"),
        ("small", "12 Foundry Row, Suite 300  |  Carrow Bridge, Westmarch 20901  |  (555) 010-2290"),
        ("rule",),
        ("title", "PRIVILEGED & CONFIDENTIAL -- ATTORNEY-CLIENT COMMUNICATION"),
        ("h", "MEMORANDUM"),
        ("kv", "TO:", "Dana Okafor"),
        ("kv", "FROM:", "Priya Lindqvist"),
        ("kv", "CC:", "Tomas Ferreira-Hale"),
        ("kv", "DATE:", "January 22, 2024"),
        ("kv", "RE:", f"{CASE}, {CASE_NO} (Harlow County Circuit Court) -- strategy for the motion to dismiss"),
        ("rule",),
        ("h", "1. Why you are receiving this"),
        ("p", "This memorandum is a privileged communication from your lawyers to you. It sets out our strategy "
              "for the motion to dismiss and our candid view of its risks. Please do not forward it, print it at "
              "work, or discuss it with anyone other than us -- sharing it with a third party (including friends "
              "at the fire company) could waive the attorney-client privilege."),
        ("h", "2. Summary"),
        ("p", "We intend to file a motion to dismiss on or before February 9, 2024. The lead argument is "
              "procedural and, in our view, strong: the State missed the charging deadline. Under Westmarch "
              "Rule of Criminal Procedure 5.2(a), when a defendant is arrested without a prior charging document "
              "the State must file an information within 45 days of the arrest. You were arrested on September 15, "
              "2023, so the deadline ran on October 30, 2023. The clerk's file stamp shows the information was "
              "filed on November 6, 2023 -- seven days late -- and the docket shows no motion for an extension "
              "under Rule 5.2(b). Rule 5.2(d) says the charge 'shall be dismissed' in that situation unless the "
              "State shows good cause, and the good-cause showing must normally be made before the deadline "
              "expires."),
        ("h", "3. The warrant"),
        ("p", "The search warrant for 41 Alder Lane (No. 23-SW-0912) was signed by Judge Castellane on "
              "September 13, 2023 but not executed until September 28, 2023 -- fifteen days later. Rule 4.7(c) "
              "requires execution within ten days of issuance, after which the warrant is void. The usual remedy "
              "for a stale warrant is suppression of what was seized (the blue binder, the laptop and the two "
              "boxes of receipts), not dismissal of the case. We will therefore file a separate motion to "
              "suppress, and use the delay in the motion to dismiss only as part of the pattern: the sergeant "
              "sat on a signed warrant, then the charging paperwork arrived late."),
        ("h", "4. Sgt. Reyes"),
        ("p", "We have good material suggesting that the lead investigator, Sgt. Marcus Reyes, is biased against "
              "you: the sustained 2020 complaint, his March 2023 op-ed naming you, his own request to be "
              "assigned your case, his remarks at your arrest and on your porch, and what appear to be phone "
              "calls to Walter Pruitt before Mr. Pruitt's complaint letter. Bias is not itself a ground to "
              "dismiss, and judges react badly when a procedural motion turns into an attack on an officer. We "
              "will keep the motion to dismiss about the deadline, and hold the bias material for impeachment "
              "at any hearing and for a discovery demand for his disciplinary file. I do not want you to raise "
              "the grudge with anyone in the meantime."),
        ("h", "5. Risks"),
        ("p", "The State will argue good cause: that the delay in the supplemental reports made a timely filing "
              "impossible, or that the deadline should be computed from the first court appearance rather than "
              "the arrest. We think both arguments are weak, but a dismissal under Rule 5.2(d) may be without "
              "prejudice, which would let the State re-file. Even then, a dismissal resets the negotiating "
              "position and the suppression motion remains."),
        ("h", "6. What we need from you"),
        ("p", "(a) Keep every text and voicemail from September 2023 onward; do not delete anything. "
              "(b) Do not post about the case or the fire company on social media. "
              "(c) Send us the names of anyone who heard Sgt. Reyes's remark on the porch on September 28. "
              "(d) Do not contact Deputy Benedetti or Mr. Pruitt; if either contacts you, write down what was "
              "said and call us."),
        ("gap", 10),
        ("p", "-- P.L."),
    ]
    doc = text_pdf(blocks, header=hdr, footer="Privileged & confidential. Attorney-client communication and attorney "
                                               "work product. Do not forward.")
    pdf_meta(doc, author="Priya Lindqvist", title="PRIVILEGED & CONFIDENTIAL - Attorney-Client Communication - "
             "Strategy for Motion to Dismiss", subject=f"{CASE}, {CASE_NO}", when=when,
             creator="Lindqvist & Marsh LLP document system", keywords="privileged; motion to dismiss; Rule 5.2")
    path = out / "okafor-d" / "2024-01-22 Memo from counsel - motion to dismiss strategy.pdf"
    save_pdf(doc, path)
    record(path, out, when, "Defense counsel's memo to the client titled \"PRIVILEGED & CONFIDENTIAL -- "
           "ATTORNEY-CLIENT COMMUNICATION\": strategy for the motion to dismiss (Rule 5.2 deadline), warrant, "
           "Reyes bias. Text layer.", ("PRIVILEGED", "BIAS", "MTD"))


def court_notes_txt(out: Path) -> None:
    when = dt.datetime(2023, 11, 9, 6, 0, tzinfo=EST)
    text = """THE HARLOW LEDGER -- COURT NOTES
Thursday, November 9, 2023
By Owen Tillery, Ledger staff

Charges formally filed in Marrowfield fire company case

CARROW BRIDGE -- The Harlow County District Attorney's Office has formally charged former Marrowfield
Volunteer Fire Company No. 2 treasurer Dana Okafor with one count of theft by deception, nearly eight
weeks after her arrest on Sept. 15.

According to the Circuit Court docket, the criminal information was filed Monday, Nov. 6, and the case
was assigned number HC-23-CR-1186. Okafor, 52, a former member of the Marrowfield town council, is
accused of taking about $18,400 from the company's operating account between March and June.

Assistant District Attorney Helen Voss, who is handling the case, did not return calls seeking comment.
A spokesperson for the DA's office said the timing of the filing was "consistent with the office's
normal practice" and declined to discuss the investigation.

Okafor's attorney, Priya Lindqvist of the Carrow Bridge firm Lindqvist & Marsh, said only that the
defense is "reviewing the deadline issues very carefully" and that her client "looks forward to showing
where every dollar went."

Westmarch's rules of criminal procedure generally require prosecutors to file charges within 45 days
of an arrest. Legal observers contacted by the Ledger said a late filing can be grounds for a motion to
dismiss, though courts sometimes allow extra time for good cause.

The investigation was led by Sgt. Marcus Reyes of the Harlow County Sheriff's Office. In March, Reyes
wrote an opinion column in this newspaper questioning the fire company's bookkeeping. Asked last week
whether his prior public criticism of Okafor created a conflict, Reyes said, "I go where the evidence
goes. Always have."

An arraignment is scheduled for Nov. 20 before Circuit Judge Miriam Castellane.
"""
    path = out / "okafor-d" / "Harlow Ledger 2023-11-09 court notes.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    record(path, out, when, "Newspaper court-notes item (plain text): information filed Nov 6, \"nearly eight "
           "weeks\" after arrest; 45-day rule; Reyes's earlier column.", ("MTD", "BIAS"))


# --- lindqvist-p -----------------------------------------------------------
def discovery_letter_docx(out: Path) -> None:
    when = dt.datetime(2023, 12, 4, 15, 20, tzinfo=EST)
    paras = [
        ("center", "LINDQVIST & MARSH LLP"),
        ("center", "12 Foundry Row, Suite 300 \u00b7 Carrow Bridge, Westmarch 20901 \u00b7 (555) 010-2290"),
        ("", "December 4, 2023"),
        ("", "VIA E-MAIL AND HAND DELIVERY"),
        ("", "Helen Voss, Assistant District Attorney\nHarlow County District Attorney's Office\n"
             "200 Market Street, Third Floor\nCarrow Bridge, Westmarch 20901"),
        ("bold", f"Re: {CASE}, {CASE_NO} \u2014 Request for Discovery and Disclosure"),
        ("", "Dear Ms. Voss:"),
        ("", "As you know, this firm represents Dana Okafor. Pursuant to Westmarch Rule of Criminal Procedure 16 "
             "and the State's continuing constitutional disclosure obligations, I write to request the "
             "following materials, none of which were included in the initial production of November 20, 2023."),
        ("", "1. The complete application, affidavit, warrant, inventory and return for search warrant "
             f"No. {WARRANT_NO}, together with any record showing who held the signed warrant between its "
             "issuance on September 13, 2023 and its execution on September 28, 2023, and why it was not "
             "executed within the ten days allowed by Rule 4.7(c)."),
        ("", "2. All reports, supplemental reports, notes, drafts and communications of every deputy present at "
             "the September 28 search, including Deputy Carla Benedetti, and any instruction given to a deputy "
             "about the content of a report."),
        ("", "3. Telephone, text and e-mail records reflecting any contact between Sgt. Marcus Reyes and Walter "
             "Pruitt before Mr. Pruitt's letter to the Sheriff dated August 30, 2023."),
        ("", "4. Sgt. Reyes's disciplinary and internal-affairs history, including the sustained 2020 civilian "
             "complaint filed by Ms. Okafor, and any record of his request to be assigned this investigation. "
             "This material bears directly on the investigator's bias and must be disclosed."),
        ("", "5. The file-stamped information, the transmittal record showing when it left your office, and any "
             "motion or order extending the 45-day charging deadline under Rule 5.2(b). By our computation the "
             "deadline ran on October 30, 2023; the docket reflects a filing on November 6, 2023."),
        ("", "Please let me know by December 18, 2023 whether the State will produce these materials voluntarily. "
             "Otherwise we will raise the matter with the Court, and we reserve all rights, including the right "
             "to move to dismiss and to suppress."),
        ("", "Very truly yours,"),
        ("", "Priya Lindqvist"),
        ("small", "cc: Dana Okafor (client); Tomas Ferreira-Hale, Esq."),
    ]
    path = out / "lindqvist-p" / "2023-12-04 Letter to ADA Voss - discovery request.docx"
    make_docx(path, author="Priya Lindqvist", title=f"Letter to ADA Voss - Request for Discovery - {CASE}",
              subject=CASE_NO, when=when, paragraphs=paras, keywords="discovery; warrant; deadline; Reyes")
    record(path, out, when, "Defense letter to ADA Voss demanding the warrant custody record (9/13-9/28), "
           "deputies' reports, Reyes-Pruitt calls, Reyes's disciplinary file and proof of the filing date.",
           ("MTD", "BIAS"))


def research_email(out: Path) -> None:
    when = dt.datetime(2024, 1, 10, 18, 45, tzinfo=EST)
    att_when = dt.datetime(2024, 1, 10, 18, 20, tzinfo=EST)
    blocks = [
        ("title", "ATTORNEY WORK PRODUCT -- PRIVILEGED"),
        ("kv", "TO:", "Priya Lindqvist"),
        ("kv", "FROM:", "Tomas Ferreira-Hale"),
        ("kv", "DATE:", "January 10, 2024"),
        ("kv", "RE:", "Okafor -- Westmarch R. Crim. P. 5.2 charging deadline (research for motion to dismiss)"),
        ("rule",),
        ("h", "Question presented"),
        ("p", "Whether the information filed November 6, 2023 was timely under Rule 5.2(a), and if not, whether "
              "dismissal is mandatory."),
        ("h", "Short answer"),
        ("p", "No, and probably yes. Rule 5.2(a) requires an information within 45 days of a warrantless arrest. "
              "Counting from September 15, 2023 (day zero), day 45 is Monday, October 30, 2023. The deadline is "
              "not extended by Rule 1.6 because October 30 was not a weekend or court holiday. The information was "
              "file-stamped November 6, 2023 at 3:52 p.m. -- seven days late."),
        ("h", "Discussion"),
        ("p", "1. Computation. The State may argue that the clock starts at first appearance (September 18), "
              "which would move the deadline to November 2 -- still four days before filing. The argument fails "
              "on the text anyway: 5.2(a) says 'arrest'."),
        ("p", "2. Good cause. Rule 5.2(b) permits an extension on motion 'filed before the period expires.' No "
              "motion appears on the docket; the deputy clerk confirmed by e-mail (produced) that none was filed. "
              "The State's likely explanation -- waiting for Sgt. Reyes's supplemental report -- is a delay of the "
              "State's own making, and the State's own investigator held the warrant for fifteen days."),
        ("p", "3. Remedy. Rule 5.2(d): the charge 'shall be dismissed.' The committee note indicates dismissal is "
              "without prejudice unless the delay was deliberate or prejudicial. The Benedetti e-mail (if we can "
              "get it) suggests deliberate concealment of the warrant date, which supports dismissal with "
              "prejudice."),
        ("h", "Recommendation"),
        ("p", "Lead the motion to dismiss with the Rule 5.2 deadline. Keep the warrant timing (Rule 4.7(c)) for a "
              "separate suppression motion. Keep the investigator's grudge for the hearing. Draft outline to "
              "follow by February 5."),
    ]
    doc = text_pdf(blocks, header="ATTORNEY WORK PRODUCT -- PRIVILEGED -- PREPARED IN ANTICIPATION OF LITIGATION",
                   footer="Lindqvist & Marsh LLP -- privileged work product")
    pdf_meta(doc, author="Tomas Ferreira-Hale", title="Research memo - Rule 5.2 charging deadline (work product)",
             subject=f"{CASE}, {CASE_NO}", when=att_when, creator="Lindqvist & Marsh LLP document system",
             keywords="work product; privileged; deadline; motion to dismiss")
    buf = io.BytesIO()
    doc.save(buf, garbage=4, deflate=True, no_new_id=True)
    doc.close()
    body = (
        "Priya,\n\n"
        "Attached is my research memo on the Rule 5.2 charging deadline for the Okafor motion to dismiss. "
        "Short version: the deadline was October 30, the information was stamped November 6, and there is no "
        "extension motion on the docket. Even on the State's best computation (first appearance) they are four "
        "days late.\n\n"
        "I also flag that the warrant sat for fifteen days between signature and execution. I think that belongs "
        "in a suppression motion rather than the motion to dismiss, but it helps the narrative.\n\n"
        "Privileged & confidential / attorney work product.\n\n"
        "Tomas\n\n"
        "--\nTomas Ferreira-Hale | Associate\nLindqvist & Marsh LLP | (555) 010-2291\n"
        "This message may contain privileged attorney-client communications or attorney work product.\n"
    )
    msg = make_email(
        sender=FERREIRA, to=[LINDQVIST], subject="Okafor - Rule 5.2 research (privileged work product)",
        when=when, body=body, msgid="CAF7d2024011018450.tfh@lindqvist-marsh.example",
        attachments=[("Okafor - Rule 5.2 research memo.pdf", buf.getvalue(), "application", "pdf")],
    )
    path = out / "lindqvist-p" / "2024-01-10 Okafor - Rule 5.2 research.eml"
    write_eml(path, msg)
    record(path, out, when, "Associate's e-mail to Lindqvist attaching a work-product research memo (.pdf) on "
           "the Rule 5.2 45-day charging deadline (Oct 30 vs. filed Nov 6).", ("PRIVILEGED", "MTD"))


def workproduct_zip(out: Path) -> None:
    when = dt.datetime(2024, 2, 5, 16, 10, tzinfo=EST)
    outline = """PRIVILEGED -- ATTORNEY WORK PRODUCT -- DRAFT
State of Westmarch v. Dana Okafor, No. HC-23-CR-1186
DEFENDANT'S MOTION TO DISMISS -- OUTLINE (draft 3, P.L./T.F.H., Feb. 5, 2024)

I.   Introduction
     - Information filed 11/6/2023; Rule 5.2(a) deadline ran 10/30/2023 (45 days from 9/15 arrest).
     - No motion to extend under 5.2(b). Dismissal mandatory under 5.2(d).

II.  Facts
     A. Arrest 9/15/2023 after interview by Sgt. Reyes.
     B. Warrant 23-SW-0912 signed 9/13, executed 9/28 (15 days; Rule 4.7(c) allows 10).
     C. Deputy clerk's e-mail of 11/7/2023: stamped received 11/06/2023 3:52 pm; nothing else on docket.

III. Argument
     A. The deadline is computed from arrest, not first appearance (text of 5.2(a)).
     B. The State cannot show good cause after the period expired.
     C. The delay was of the State's own making (investigator held the warrant; late supplemental).
     D. Dismissal should be WITH prejudice: deliberate delay (Benedetti e-mail -- pending discovery).

IV.  Conclusion / proposed order

Notes: keep investigator bias OUT of the motion itself; save for the hearing (see impeachment notes).
File by Friday 2/9. Hearing request: 30 minutes.
"""
    notes = """PRIVILEGED -- ATTORNEY WORK PRODUCT
Impeachment notes -- Sgt. Marcus Reyes (lead investigator)

Bias / motive ("grudge"):
  * 2020 civilian complaint by D.O. (nephew's traffic stop) -- SUSTAINED, written reprimand.
  * Passed over for lieutenant 2021. "You'll get yours, councilwoman." (client; parking lot, 4/2021)
  * 3/12/2023 Harlow Ledger op-ed names D.O. before any audit issue existed.
  * 9/5/2023 asked the captain for the file himself (per HCSO memo of 10/2/2023, Lt. Kowalczyk).
  * 9/15/2023 Ledger quote: "She's had this coming for a long time."
  * 9/28/2023 porch: "Told you in 2020 this wasn't over." (Benedetti present)

Contact with complainant:
  * Phone log: calls to Pruitt 8/22 (14 min) and 8/28 (22 min) BEFORE Pruitt's 8/30 letter.
  * Pruitt's letter is addressed "Attn: Sgt. Marcus Reyes" -- how did he know?

Warrant:
  * Held signed warrant 9/13-9/28. Told deputies to "hold it until after the arrest."
  * Reportedly told Benedetti to leave the 9/13 date out of her supplemental
    (her 10/24 e-mail to Lt. Sorensen -- requested in discovery).

Cross themes: (1) he wanted this case; (2) he shaped the complaint; (3) he hid the delay.
"""
    path = out / "lindqvist-p" / "Okafor work product 2024-02-05.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("Draft MTD outline.txt", outline), ("Reyes impeachment notes.txt", notes)):
            info = zipfile.ZipInfo(name, date_time=(2024, 2, 5, 16, 5, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    record(path, out, when, "Zip family of two work-product text files: draft motion-to-dismiss outline and "
           "impeachment notes on Reyes's grudge.", ("PRIVILEGED", "MTD", "BIAS"))


# --- reyes-m ---------------------------------------------------------------
def reyes_oped_html(out: Path) -> None:
    when = dt.datetime(2023, 3, 12, 6, 0, tzinfo=EST)
    html = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Opinion: Marrowfield's volunteers deserve an honest treasurer | The Harlow Ledger</title>
<meta name="author" content="Marcus Reyes">
<meta name="date" content="2023-03-12">
</head>
<body>
<header><p>THE HARLOW LEDGER &middot; Opinion &middot; Sunday, March 12, 2023</p></header>
<article>
<h1>Marrowfield's volunteers deserve an honest treasurer</h1>
<p class="byline">By Marcus Reyes</p>

<p>Every Saturday morning the men and women of Marrowfield Volunteer Fire Company No.&nbsp;2 wash the
trucks, check the air packs and train for the worst day of someone else's life. They don't get paid.
What they are owed, at the very least, is the confidence that every dollar raised at the pancake
breakfast and the boot drive goes where it is supposed to go.</p>

<p>I am not sure they have that confidence today. The company's treasurer, Dana Okafor, has held the
checkbook for six years with no outside audit. Members have told me that reimbursements are approved
"verbally," that receipts live in a binder only the treasurer can open, and that questions are
answered with a lecture. That is not how a public trust should be run.</p>

<p>Some readers will remember Ms.&nbsp;Okafor from her years on the town council, when she made a career
of second-guessing the deputies who patrol our roads &mdash; including, I will say plainly, the same
councilwoman who once tried to end my career over a routine traffic stop. I have not forgotten it, and
I don't think Marrowfield should forget how she treats people who ask hard questions.</p>

<p>Here is a hard question: who audits the treasurer? The board should commission an independent
review of the company's books for the last three years, and the treasurer should step aside while it
happens. If everything is in order, she has nothing to fear. If it isn't, the county has people whose
job is to find out.</p>

<p>Our volunteers run toward the fire. The least we can do is make sure nobody is running off with the
money.</p>

<p class="tagline"><em>Marcus Reyes is a Marrowfield resident and a sergeant with the Harlow County
Sheriff's Office. The views expressed are his own.</em></p>
</article>
<footer><p>&copy; 2023 The Harlow Ledger. Letters and columns may be edited for length.</p></footer>
</body>
</html>
"""
    path = out / "reyes-m" / "Harlow Ledger op-ed 2023-03-12 (Reyes).html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8", newline="\n")
    record(path, out, when, "Op-ed by Sgt. Reyes (HTML) attacking Okafor by name six months before the "
           "investigation and referring to her 2020 complaint against him.", ("BIAS",))


def reyes_email_kersey(out: Path) -> None:
    when = dt.datetime(2023, 9, 6, 23, 12, tzinfo=EDT)
    body = (
        "Dale,\n\n"
        "Guess whose file landed on my desk. I asked the captain for it myself -- told him I know the fire "
        "company people and it would go faster. He didn't ask about 2020 and I didn't bring it up.\n\n"
        "Three years I've waited since that complaint. Three years of watching guys I trained make lieutenant "
        "while I'm still writing up fender benders. Walter Pruitt sent the letter just like I told him and now "
        "it's official. She's going to find out what it's like to have somebody go through your life with a "
        "magnifying glass.\n\n"
        "Don't repeat any of this at the lodge. I mean it.\n\n"
        "Getting a warrant for her house next week. Might let it sit a few days and pick her up first -- "
        "nothing like watching someone sweat.\n\n"
        "M.\n"
    )
    msg = make_email(sender=REYES_PERSONAL, to=[KERSEY], subject="guess who", when=when, body=body,
                     msgid="a91f0c2e.20230906231200@postbox.example")
    path = out / "reyes-m" / "2023-09-06 guess who.eml"
    write_eml(path, msg)
    record(path, out, when, "Reyes's personal e-mail to a friend: asked for the case himself, \"three years "
           "I've waited\", coached Pruitt's letter, plans to let the warrant \"sit\".", ("BIAS", "MTD"))


SCAN_BYTES: bytes = b""


def warrant_scan(out: Path) -> bytes:
    """Image-only PDF of the signed warrant and return (no text layer)."""
    when = dt.datetime(2023, 10, 3, 10, 12, tzinfo=EDT)
    src = pymupdf.open()
    W, H = pymupdf.paper_size("letter")
    p = src.new_page(width=W, height=H)

    def t(xy, s, size=10, font="cour"):
        return p.insert_text(xy, s, fontname=font, fontsize=size)

    t((170, 70), "IN THE CIRCUIT COURT OF HARLOW COUNTY", 12, "cobo")
    t((225, 86), "STATE OF WESTMARCH", 12, "cobo")
    t((250, 118), "SEARCH WARRANT", 15, "cobo")
    t((400, 140), f"No. {WARRANT_NO}", 11, "cobo")
    body = [
        "TO ANY SHERIFF, DEPUTY OR LAW ENFORCEMENT OFFICER OF HARLOW COUNTY:",
        "",
        "Affidavit having been made before me by Sgt. Marcus Reyes, Harlow County",
        "Sheriff's Office, that there is probable cause to believe that records of",
        "the Marrowfield Volunteer Fire Company No. 2, including ledgers, receipts,",
        "bank statements and a laptop computer, are located at:",
        "",
        "      41 ALDER LANE, MARROWFIELD, WESTMARCH 20913 (residence and home office)",
        "",
        "YOU ARE COMMANDED to search the premises described above and to seize the",
        "items described, and to make return of this warrant with an inventory.",
        "",
        "THIS WARRANT MUST BE EXECUTED WITHIN TEN (10) DAYS OF ISSUANCE.",
        "WESTMARCH R. CRIM. P. 4.7(c). A WARRANT NOT SO EXECUTED IS VOID.",
        "",
        "ISSUED this 13th day of September, 2023, at 4:40 p.m.",
    ]
    y = 170
    for ln in body:
        t((60, y), ln, 9.5)
        y += 14
    p.draw_line((330, y + 22), (540, y + 22), width=0.6)
    # a scrawled judge's signature
    sig = p.new_shape()
    sx, sy = 340, y + 18
    pts = [(sx + i * 6, sy - 8 * ((i * 37) % 5) / 4) for i in range(30)]
    for a, b in zip(pts, pts[1:], strict=False):
        sig.draw_line(a, b)
    sig.finish(color=(0.1, 0.1, 0.3), width=1.2)
    sig.commit()
    t((340, y + 34), "Hon. Miriam Castellane, Circuit Judge", 9)
    y += 70
    p.draw_rect(pymupdf.Rect(50, y, W - 50, y + 230), width=1.2)
    t((230, y + 22), "RETURN AND INVENTORY", 12, "cobo")
    ret = [
        "Warrant received by me on 09/13/2023 and EXECUTED on  09/28/2023",
        "at 06:10 hours at the premises described above.",
        "",
        "Inventory of property seized:",
        "  1. Blue three-ring binder labeled 'MVFC RECEIPTS 2023'",
        "  2. Laptop computer, silver, serial ending -7731",
        "  3. Two (2) banker's boxes of receipts and bank statements",
        "",
        "Present: Sgt. M. Reyes #418, Dep. C. Benedetti #502, Dep. R. Oyelaran #517",
        "",
        "Sworn: Sgt. M. Reyes #418            Date of return: 10/02/2023",
    ]
    yy = y + 44
    for ln in ret:
        t((64, yy), ln, 9.5)
        yy += 14
    p.insert_text((470, y + 56), "M.R.", fontname="tiit", fontsize=15, color=(0.1, 0.1, 0.45))
    p.insert_text((300, y + 200), "M. Reyes #418", fontname="tiit", fontsize=14, color=(0.1, 0.1, 0.45))
    # "RECEIVED" stamp below the return box
    sy = y + 250
    p.draw_rect(pymupdf.Rect(400, sy, 560, sy + 52), color=(0.2, 0.2, 0.2), width=1.5)
    t((410, sy + 18), "HCSO RECORDS", 10, "cobo")
    t((410, sy + 32), "RECEIVED", 10, "cobo")
    t((410, sy + 46), "OCT 03 2023", 10, "cobo")
    data = scanned_pdf_from(src, dpi=100, when=when, author="HCSO Records", title="Scan 2023-10-03 10.12",
                            seed=912)
    src.close()
    path = out / "reyes-m" / "Warrant 23-SW-0912 and return (scan).pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    record(path, out, when, "SCANNED image-only PDF (no text layer) of search warrant 23-SW-0912: issued "
           "9/13/2023, executed 9/28/2023; states the 10-day limit. Needs OCR to be searchable.", ("MTD",))
    return data


def reyes_voss_thread(out: Path, scan: bytes) -> None:
    w1 = dt.datetime(2023, 10, 4, 16, 2, tzinfo=EDT)
    id1 = "HCSO.20231004160200.418@hcso.harlow.example"
    body1 = (
        "Helen,\n\n"
        "Return on the Okafor warrant attached (23-SW-0912). Executed 9/28 at 0610, binder, laptop and two "
        "boxes of receipts seized and logged into evidence. Dep. Benedetti's supplemental will follow. Mine is "
        "done except for the financial summary.\n\n"
        "You'll have everything you need for the information. This one is solid.\n\n"
        "Sgt. Marcus Reyes #418\nInvestigations Division\nHarlow County Sheriff's Office\n(555) 010-3418\n"
    )
    m1 = make_email(sender=REYES, to=[VOSS], cc=[BENEDETTI], subject="Okafor - warrant return (23-SW-0912)",
                    when=w1, body=body1, msgid=id1,
                    attachments=[("23-SW-0912 return.pdf", scan, "application", "pdf")])
    p1 = out / "reyes-m" / "2023-10-04 Okafor - warrant return.eml"
    write_eml(p1, m1)
    record(p1, out, w1, "Reyes to ADA Voss (cc Benedetti) attaching the scanned warrant return (.pdf, same "
           "bytes as the scan), executed 9/28.", ("MTD",))

    w2 = dt.datetime(2023, 10, 5, 9, 17, tzinfo=EDT)
    body2 = (
        "Marcus,\n\n"
        "Thanks. One problem: the warrant was issued September 13 and the return says it was executed "
        "September 28. Rule 4.7(c) gives you ten days. Defense counsel will see that on the first read. I need "
        "a written explanation of the delay before I can decide how to handle it -- who had the warrant, and "
        "why it wasn't served.\n\n"
        "Separately, I'm watching the 45-day charging deadline under Rule 5.2. She was arrested 9/15, so the "
        "information has to be filed by October 30. I need your supplemental and Benedetti's by the 20th at the "
        "latest, or I'll have to move for an extension before the deadline runs.\n\n"
        "Helen\n\n"
        "> On Wed, Oct 4, 2023 at 4:02 PM, Sgt. Marcus Reyes wrote:\n"
        "> Return on the Okafor warrant attached (23-SW-0912). Executed 9/28 at 0610, binder, laptop and two\n"
        "> boxes of receipts seized and logged into evidence. Dep. Benedetti's supplemental will follow.\n"
        "> You'll have everything you need for the information. This one is solid.\n\n"
        "--\nHelen Voss | Assistant District Attorney\nHarlow County District Attorney's Office | (555) 010-5120\n"
    )
    m2 = make_email(sender=VOSS, to=[REYES], subject="RE: Okafor - warrant return (23-SW-0912)", when=w2,
                    body=body2, msgid="DAO.20231005091700.hv@da.harlow.example", in_reply_to=id1,
                    references=[id1])
    p2 = out / "reyes-m" / "2023-10-05 RE Okafor - warrant return.eml"
    write_eml(p2, m2)
    record(p2, out, w2, "ADA Voss's reply (In-Reply-To the return e-mail): flags the 15-day warrant delay "
           "under Rule 4.7(c) and the Oct 30 Rule 5.2 charging deadline.", ("MTD",))


def phone_log_xlsx(out: Path) -> None:
    when = dt.datetime(2023, 12, 15, 11, 0, tzinfo=EST)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Call detail"
    ws.append(["HARLOW COUNTY -- TELECOM CALL DETAIL RECORDS -- Extension 3418 / county mobile (555) 010-3418"])
    ws.append(["Subscriber: Sgt. Marcus Reyes #418 -- Period 2023-08-15 to 2023-10-31 -- produced 2023-12-15"])
    ws.append([])
    header = ["Date", "Time", "Direction", "Number", "Subscriber / party", "Duration (min)", "Notes"]
    ws.append(header)
    rows = [
        ("2023-08-22", "19:41", "Outgoing", "(555) 010-6604", "Walter Pruitt (mobile)", 14, ""),
        ("2023-08-28", "20:05", "Outgoing", "(555) 010-6604", "Walter Pruitt (mobile)", 22, ""),
        ("2023-08-30", "10:12", "Incoming", "(555) 010-6604", "Walter Pruitt (mobile)", 3, "Day of complaint letter"),
        ("2023-09-05", "08:55", "Outgoing", "(555) 010-3001", "Capt. Hollis Dray", 6, ""),
        ("2023-09-06", "22:48", "Outgoing", "(555) 010-7789", "Dale Kersey", 31, ""),
        ("2023-09-13", "16:52", "Outgoing", "(555) 010-5120", "ADA Helen Voss", 4, "Warrant signed 16:40"),
        ("2023-09-14", "09:30", "Outgoing", "(555) 010-4471", "Dana Okafor", 2, "Voicemail left"),
        ("2023-09-15", "13:15", "Outgoing", "(555) 010-6604", "Walter Pruitt (mobile)", 5, "After arrest"),
        ("2023-09-15", "17:02", "Incoming", "(555) 010-8810", "Harlow Ledger newsroom", 7, ""),
        ("2023-09-27", "21:10", "Outgoing", "(555) 010-3502", "Dep. Carla Benedetti", 3, "Eve of search"),
        ("2023-10-05", "09:40", "Incoming", "(555) 010-5120", "ADA Helen Voss", 11, ""),
        ("2023-10-06", "08:20", "Outgoing", "(555) 010-3502", "Dep. Carla Benedetti", 9, ""),
        ("2023-10-20", "15:44", "Incoming", "(555) 010-5120", "ADA Helen Voss", 6, ""),
        ("2023-10-31", "10:05", "Incoming", "(555) 010-5120", "ADA Helen Voss", 12, "Day after charging deadline"),
    ]
    for r in rows:
        ws.append(list(r))
    for cell in ws[4]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True)
    for col, w in zip("ABCDEFG", (12, 8, 10, 16, 28, 14, 28), strict=True):
        ws.column_dimensions[col].width = w

    tl = wb.create_sheet("Case timeline")
    tl.append(["Date", "Event", "Source", "Rule / deadline"])
    events = [
        ("2020-08-03", "Okafor civilian complaint against Reyes sustained; written reprimand", "HCSO IA file", ""),
        ("2023-03-12", "Reyes op-ed in Harlow Ledger naming Okafor", "Ledger", ""),
        ("2023-08-30", "Pruitt complaint letter to Sheriff, attn. Sgt. Reyes", "MVFC", ""),
        ("2023-09-13", f"Search warrant {WARRANT_NO} issued (Castellane, J.)", "Warrant", "Execute by 2023-09-23 (R. 4.7(c))"),
        ("2023-09-15", "Okafor interviewed and arrested", "HCSO", "Information due 2023-10-30 (R. 5.2(a))"),
        ("2023-09-23", "Ten-day execution window closes", "", "R. 4.7(c) DEADLINE"),
        ("2023-09-28", "Warrant executed at 41 Alder Lane", "Return", "15 days after issuance"),
        ("2023-10-30", "45-day charging deadline", "", "R. 5.2(a) DEADLINE"),
        ("2023-11-06", "Information filed; case no. HC-23-CR-1186", "Clerk", "7 days late; no 5.2(b) motion"),
        ("2024-02-09", "Defense motion to dismiss due (internal target)", "Defense", ""),
    ]
    for e in events:
        tl.append(list(e))
    for cell in tl[1]:
        cell.font = Font(bold=True)
    for col, w in zip("ABCD", (12, 58, 14, 36), strict=True):
        tl.column_dimensions[col].width = w
    for row in tl.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True)

    props = wb.properties
    naive = when.astimezone(dt.UTC).replace(tzinfo=None)
    props.creator = "Harlow County IT - Telecom"
    props.lastModifiedBy = "Harlow County IT - Telecom"
    props.title = "Call detail records - ext. 3418 (Reyes) Aug-Oct 2023"
    props.subject = f"Production in {CASE}"
    props.created = naive
    props.modified = naive
    path = out / "reyes-m" / "Reyes call detail Aug-Oct 2023.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    normalize_zip(path, when)
    record(path, out, when, "Spreadsheet: Reyes's county phone records (calls to Pruitt on 8/22 and 8/28, before "
           "the 8/30 complaint) and a case timeline sheet with the 4.7(c) and 5.2 deadlines.", ("BIAS", "MTD"))


# --- benedetti-c -----------------------------------------------------------
def benedetti_forward(out: Path) -> None:
    when = dt.datetime(2023, 10, 24, 7, 55, tzinfo=EDT)
    body = (
        "Lt. Sorensen,\n\n"
        "As we discussed, I'm forwarding the exchange below. I'm not comfortable leaving the warrant date out "
        "of my supplemental and I haven't. My report says we had the signed warrant on 9/13 and were told to "
        "hold it until after the arrest, and that the search was on 9/28. I'd like this on file with "
        "Professional Standards in case anyone asks later why my report differs from the sergeant's.\n\n"
        "I also want it noted that on the porch on 9/28 Sgt. Reyes said to Ms. Okafor, \"Told you in 2020 this "
        "wasn't over.\" I wrote that down at the time.\n\n"
        "Dep. Carla Benedetti #502\n\n"
        "---------- Forwarded message ---------\n"
        "From: Sgt. Marcus Reyes <mreyes@hcso.harlow.example>\n"
        "Date: Fri, Oct 6, 2023 at 8:31 AM\n"
        "Subject: RE: Okafor supplemental\n"
        "To: Dep. Carla Benedetti <cbenedetti@hcso.harlow.example>\n\n"
        "Carla -- leave the 9/13 date out of your supplemental. Just say \"warrant executed 9/28 per the "
        "return.\" The ADA is already nervous about timing and I'm not letting a paperwork thing sink this. "
        "You don't need to explain how long it sat; that's on me, not you.\n\n"
        "And between us, this one's personal. She tried to end my career. Let's not hand her a way out.\n\n"
        "M.\n\n"
        "    ---------- Original message ---------\n"
        "    From: Dep. Carla Benedetti <cbenedetti@hcso.harlow.example>\n"
        "    Date: Thu, Oct 5, 2023 at 10:14 PM\n"
        "    Subject: Okafor supplemental\n"
        "    To: Sgt. Marcus Reyes <mreyes@hcso.harlow.example>\n\n"
        "    Sarge, my notes say we had the signed warrant on the 13th and you told us to hold it until after\n"
        "    the arrest, and then until the 28th because of the training week. Do you want that in my\n"
        "    supplemental or not? I don't want it to look like I'm hiding anything.\n\n"
        "    Carla\n"
    )
    msg = make_email(
        sender=BENEDETTI, to=[SORENSEN], subject="FW: RE: Okafor supplemental", when=when, body=body,
        msgid="HCSO.20231024075500.502@hcso.harlow.example",
        in_reply_to="HCSO.20231006083100.418@hcso.harlow.example",
        references=["HCSO.20231005221400.502@hcso.harlow.example", "HCSO.20231006083100.418@hcso.harlow.example"],
    )
    path = out / "benedetti-c" / "2023-10-24 FW RE Okafor supplemental.eml"
    write_eml(path, msg)
    record(path, out, when, "Forwarded chain: Benedetti forwards to Professional Standards Reyes's instruction "
           "to omit the 9/13 warrant date (\"this one's personal\"), quoting her own question.", ("BIAS", "MTD"))


def hcso_internal_memo(out: Path) -> None:
    when = dt.datetime(2023, 10, 2, 14, 25, tzinfo=EDT)
    blocks = [
        ("title", "HARLOW COUNTY SHERIFF'S OFFICE"),
        ("small", "Investigations Division  |  1 Courthouse Square, Carrow Bridge, Westmarch 20901"),
        ("rule",),
        ("h", "INTERNAL MEMORANDUM -- NOT FOR DISTRIBUTION OUTSIDE THE OFFICE"),
        ("kv", "TO:", "Capt. Hollis Dray, Investigations"),
        ("kv", "FROM:", "Lt. Andrea Kowalczyk, Investigations Division Commander"),
        ("kv", "DATE:", "October 2, 2023"),
        ("kv", "RE:", f"Search warrant {WARRANT_NO} (Okafor) -- late execution; assignment of Sgt. Reyes"),
        ("rule",),
        ("p", "Captain, I am writing to document two concerns about the Okafor investigation before the return "
              "goes to the District Attorney."),
        ("h", "1. Late execution of the warrant"),
        ("p", f"Search warrant {WARRANT_NO} was signed by Judge Castellane on September 13, 2023 at 4:40 p.m. "
              "Department Policy 7.14 and Westmarch R. Crim. P. 4.7(c) require execution within ten days of "
              "issuance, i.e. by September 23. The warrant was executed on September 28, fifteen days after "
              "issuance. The warrant log shows Sgt. Reyes signed it out on September 13 and did not return it to "
              "the warrant desk. When I asked him on September 29 why it was not served earlier, Sgt. Reyes said "
              "he 'wanted the arrest done first' and that the training week of September 18-22 left him short of "
              "deputies. Neither is a reason recognised by the rule. I recommend we notify ADA Voss in writing "
              "rather than leave it for her to find on the face of the return."),
        ("h", "2. Appearance of bias"),
        ("p", "Sgt. Reyes requested this assignment on September 5. At the time I was not aware that Ms. Okafor "
              "filed the 2020 civilian complaint that resulted in his written reprimand, or that he wrote a "
              "newspaper column criticising her in March. Given that history, a defense attorney will argue the "
              "lead investigator holds a grudge against the defendant, and the timing issue will be presented as "
              "part of it. I recommend that the case be reassigned for any further investigation, and that Sgt. "
              "Reyes have no further contact with the complainant, Mr. Pruitt."),
        ("h", "3. Charging deadline"),
        ("p", "The DA's office will need our supplemental reports well before the 45-day charging deadline "
              "(October 30). I have asked Dep. Benedetti to complete hers this week."),
        ("gap", 8),
        ("p", "A.K."),
        ("small", "Handwritten at foot of original (per copy): 'Discussed w/ Capt. 10/3 -- no reassignment. HD'"),
    ]
    doc = text_pdf(blocks, header="HCSO -- INTERNAL -- NOT FOR DISTRIBUTION",
                   footer="Harlow County Sheriff's Office -- internal memorandum")
    pdf_meta(doc, author="Andrea Kowalczyk", title=f"Warrant {WARRANT_NO} late execution; assignment of Sgt. Reyes",
             subject="Internal memorandum", when=when, creator="HCSO Word template v4",
             keywords="internal; warrant; investigator")
    path = out / "benedetti-c" / "HCSO internal memo 2023-10-02 - warrant 23-SW-0912.pdf"
    save_pdf(doc, path)
    record(path, out, when, "Leaked HCSO internal memo (text PDF): warrant held by Reyes and executed 15 days "
           "after issuance; recommends reassignment for appearance of bias (refused).", ("MTD", "BIAS"))


def benedetti_duplicate(out: Path, scan: bytes) -> None:
    when = dt.datetime(2023, 10, 3, 10, 12, tzinfo=EDT)
    path = out / "benedetti-c" / "Warrant 23-SW-0912 and return (scan).pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(scan)
    record(path, out, when, "EXACT DUPLICATE of reyes-m/Warrant 23-SW-0912 and return (scan).pdf (same bytes, "
           "second custodian) -- de-duplication should fold it.", ("MTD", "DUPLICATE"))


# --- pruitt-w --------------------------------------------------------------
def pruitt_mbox(out: Path) -> None:
    path = out / "pruitt-w" / "MVFC board mail 2023.mbox"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    id1 = "mvfc.20230712.0931.wp@marrowfieldfire.example"
    id2 = "mvfc.20230714.2115.do@marrowfieldfire.example"
    id3 = "HCSO.20230822204000.418@hcso.harlow.example"
    w1 = dt.datetime(2023, 7, 12, 9, 31, tzinfo=EDT)
    w2 = dt.datetime(2023, 7, 14, 21, 15, tzinfo=EDT)
    w3 = dt.datetime(2023, 8, 22, 20, 40, tzinfo=EDT)
    m1 = make_email(sender=PRUITT, to=[BOARD], subject="Audit discrepancy - operating account", when=w1,
                    msgid=id1, body=(
                        "All,\n\n"
                        "Going through the operating account for the annual report I can't tie out about $18,400 "
                        "in transfers between March and June. They are marked 'reimb - DO' in the ledger. I don't "
                        "remember the board voting on any reimbursements that size.\n\n"
                        "Dana, can you explain before the August meeting? Otherwise I think we need an outside "
                        "audit like people have been saying.\n\n"
                        "Walt\nPresident, Marrowfield Volunteer Fire Company No. 2\n"))
    m2 = make_email(sender=OKAFOR_FIRE, to=[BOARD], subject="RE: Audit discrepancy - operating account", when=w2,
                    msgid=id2, in_reply_to=id1, references=[id1], body=(
                        "Walt and all,\n\n"
                        "Those are the reimbursements for the turnout gear (six sets) and the thermal imaging "
                        "camera. The company card was frozen in March when the bank changed signatories, and we "
                        "had two members without gear, so I paid on my own card. Chief Amsel and you both said at "
                        "the March 20 meeting to go ahead and I'd be paid back. The receipts are in the blue "
                        "binder in the station safe -- anyone on the board can look. Happy to walk through it line "
                        "by line.\n\n"
                        "I'd welcome an outside audit. I have nothing to hide.\n\n"
                        "Dana\nTreasurer\n\n"
                        "> Going through the operating account for the annual report I can't tie out about\n"
                        "> $18,400 in transfers between March and June.\n"))
    m3 = make_email(sender=REYES, to=[PRUITT], subject="Following up on our call", when=w3, msgid=id3,
                    in_reply_to=None, body=(
                        "Walter,\n\n"
                        "Good talking tonight. Like I said, the Sheriff's Office can't do anything with a rumor. "
                        "Put it in a letter to the Sheriff -- dates, amounts, the 'reimb - DO' entries -- and "
                        "address it attention to me so it lands on the right desk. Leave out the part about the "
                        "March meeting; that's for her to explain, not you.\n\n"
                        "Between us, this isn't the first time she's made trouble for people in this town. You're "
                        "doing the right thing.\n\n"
                        "Sgt. Marcus Reyes #418\nHarlow County Sheriff's Office\n"))
    box = mailbox.mbox(path, create=True)
    box.lock()
    try:
        for msg, who, when in ((m1, PRUITT[1], w1), (m2, OKAFOR_FIRE[1], w2), (m3, REYES[1], w3)):
            mm = mailbox.mboxMessage(msg)
            mm.set_from(who, when.astimezone(dt.UTC).timetuple())
            box.add(mm)
        box.flush()
    finally:
        box.unlock()
        box.close()
    record(path, out, w3, "Mbox of 3 messages: Pruitt raises the $18,400 \"discrepancy\"; Okafor replies "
           "(receipts in the safe, board approval); Reyes coaches Pruitt to write to the Sheriff \"attention "
           "to me\" and omit the approval.", ("BIAS",))


def pruitt_letter_pdf(out: Path) -> None:
    when = dt.datetime(2023, 8, 30, 9, 50, tzinfo=EDT)
    blocks = [
        ("title", "MARROWFIELD VOLUNTEER FIRE COMPANY No. 2"),
        ("small", "7 Station Road  |  Marrowfield, Westmarch 20913  |  Est. 1931"),
        ("rule",),
        ("p", "August 30, 2023"),
        ("p", "Sheriff Arthur Brennick\nHarlow County Sheriff's Office\n1 Courthouse Square\n"
              "Carrow Bridge, Westmarch 20901"),
        ("p", "ATTENTION: Sgt. Marcus Reyes, Investigations"),
        ("h", "Re: Suspected misuse of Fire Company funds"),
        ("p", "Dear Sheriff Brennick:"),
        ("p", "I am the president of the Marrowfield Volunteer Fire Company No. 2. I am writing to report what I "
              "believe may be the misuse of company funds by our treasurer, Dana Okafor."),
        ("p", "Between March 21 and June 9, 2023 there were eleven transfers from the company's operating account "
              "totalling $18,400.00, each marked 'reimb - DO' in the ledger. I cannot find a board vote "
              "authorising these payments. When I raised it with the board on July 12, Ms. Okafor replied that the "
              "receipts are in a binder in the station safe. I have not reviewed the binder."),
        ("p", "The company raises this money from our pancake breakfasts, boot drives and the annual raffle, and "
              "our members and donors deserve to know where it went. I am enclosing a copy of the ledger pages "
              "and the bank statements for March through June."),
        ("p", "I understand that the Sheriff's Office will decide whether an investigation is warranted. I am "
              "available at (555) 010-6604 at any time."),
        ("p", "Respectfully,"),
        ("gap", 14),
        ("p", "Walter Pruitt\nPresident, Marrowfield Volunteer Fire Company No. 2"),
        ("small", "Enclosures: ledger pages (4); bank statements March-June 2023 (4)"),
    ]
    doc = text_pdf(blocks)
    pdf_meta(doc, author="Walter Pruitt", title="Letter to Sheriff Brennick re suspected misuse of funds",
             subject="Complaint letter", when=when, creator="Microsoft Word - Letter to Sheriff.docx",
             keywords="complaint; treasurer")
    path = out / "pruitt-w" / "2023-08-30 Letter to Sheriff Brennick.pdf"
    save_pdf(doc, path)
    record(path, out, when, "Pruitt's complaint letter to the Sheriff as a PDF (text layer), addressed "
           "\"ATTENTION: Sgt. Marcus Reyes\"; omits the March board approval.", ("BIAS",))


def arrest_news_html(out: Path) -> None:
    when = dt.datetime(2023, 9, 15, 19, 30, tzinfo=EDT)
    html = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Former fire company treasurer arrested in Marrowfield | The Harlow Ledger</title>
<meta name="author" content="Owen Tillery">
<meta name="date" content="2023-09-15">
</head>
<body>
<header><p>THE HARLOW LEDGER &middot; Local News &middot; Friday, September 15, 2023 &middot; Updated 7:30 p.m.</p></header>
<article>
<h1>Former fire company treasurer arrested in Marrowfield</h1>
<p class="byline">By Owen Tillery, Ledger staff</p>

<p>MARROWFIELD &mdash; Dana Okafor, the longtime treasurer of Marrowfield Volunteer Fire Company No.&nbsp;2
and a former town council member, was arrested Friday afternoon on suspicion of theft by deception,
the Harlow County Sheriff's Office said.</p>

<p>Okafor, 52, went to the Sheriff's Office in Carrow Bridge on Friday morning for what a department
spokesperson described as a voluntary interview. She was arrested at about 1&nbsp;p.m. and released
that evening. Formal charges had not been filed as of Friday night.</p>

<p>The investigation began after fire company president Walter Pruitt wrote to the Sheriff in late
August about roughly $18,400 in transfers from the company's operating account. Pruitt declined to
comment Friday beyond saying, "The board wants answers."</p>

<p>Sgt. Marcus Reyes, who is leading the investigation, told the Ledger that investigators "expect to
execute additional search warrants in the coming days." Asked about his own history with Okafor,
who as a council member filed a complaint against him in 2020, Reyes said: "Everybody in this town
knows who she is. She's had this coming for a long time."</p>

<p>A spokesperson for the Sheriff's Office later said Reyes's comment "did not reflect the views of the
department" and that the investigation "will be handled strictly by the book."</p>

<p>Okafor could not be reached for comment. Fire company members said the station's Saturday pancake
breakfast would go ahead as planned.</p>
</article>
<footer><p>&copy; 2023 The Harlow Ledger.</p></footer>
</body>
</html>
"""
    path = out / "pruitt-w" / "Harlow Ledger 2023-09-15 - treasurer arrested.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8", newline="\n")
    record(path, out, when, "News article (HTML) on the arrest; Reyes quoted: \"She's had this coming for a "
           "long time.\"", ("BIAS",))


# --- voss-h ----------------------------------------------------------------
def clerk_reply_eml(out: Path) -> None:
    when = dt.datetime(2023, 11, 7, 11, 26, tzinfo=EST)
    orig = "DAO.20231107090400.hv@da.harlow.example"
    body = (
        "Ms. Voss,\n\n"
        "The information in State v. Okafor was stamped received on 11/06/2023 at 3:52 pm and was assigned case "
        "number HC-23-CR-1186 the same day. The interoffice envelope from your office is dated 11/06. I checked "
        "the intake log for October and there is nothing from your office on this matter before then.\n\n"
        "I also checked the docket for any motion to extend the Rule 5.2 deadline or any order of the Court "
        "extending it. None has been filed.\n\n"
        "Arraignment is set for 11/20 at 9:00 am before Judge Castellane.\n\n"
        "Ines Albarran\nDeputy Clerk, Criminal Division\nHarlow County Circuit Court | (555) 010-9200\n\n"
        "-----Original Message-----\n"
        "From: Helen Voss <hvoss@da.harlow.example>\n"
        "Sent: Tuesday, November 7, 2023 9:04 AM\n"
        "To: Ines Albarran <ialbarran@courts.harlow.example>\n"
        "Subject: Okafor information - file stamp\n\n"
        "Ines, can you confirm the file stamp date on the information in State v. Okafor? My calendar had it "
        "going out on 10/27 but I don't see it on the docket until this week. I need to know exactly when it was "
        "received, and whether anything else was filed on the deadline.\n\n"
        "Thanks,\nHelen\n"
    )
    msg = make_email(sender=ALBARRAN, to=[VOSS], subject="RE: Okafor information - file stamp", when=when,
                     body=body, msgid="HCCC.20231107112600.ia@courts.harlow.example", in_reply_to=orig,
                     references=[orig])
    path = out / "voss-h" / "2023-11-07 RE Okafor information - file stamp.eml"
    write_eml(path, msg)
    record(path, out, when, "Deputy clerk's reply to ADA Voss (thread with In-Reply-To): information stamped "
           "11/06/2023 3:52 pm; no Rule 5.2 extension motion or order on the docket.", ("MTD",))


def encrypted_charging_memo(out: Path) -> None:
    when = dt.datetime(2023, 11, 3, 16, 48, tzinfo=EDT)
    blocks = [
        ("title", "HARLOW COUNTY DISTRICT ATTORNEY'S OFFICE"),
        ("h", "CHARGING MEMORANDUM -- CONFIDENTIAL -- PROSECUTION WORK PRODUCT"),
        ("kv", "TO:", "File; Chief Deputy DA"),
        ("kv", "FROM:", "Helen Voss, ADA"),
        ("kv", "DATE:", "November 3, 2023"),
        ("kv", "RE:", "State v. Dana Okafor -- theft by deception"),
        ("rule",),
        ("p", "Recommendation: charge one count of theft by deception ($18,400). The information is ready for "
              "filing Monday, November 6."),
        ("p", "Timing problem: the defendant was arrested September 15. The Rule 5.2(a) deadline ran on October "
              "30. The supplemental reports from Sgt. Reyes were not received until October 31, and I did not file "
              "a motion for extension under Rule 5.2(b) before the deadline. Expect a motion to dismiss. Our best "
              "response is good cause based on the late supplemental, but that is the Sheriff's delay and the "
              "rule asks for the motion before expiry. Dismissal, if granted, is likely without prejudice."),
        ("p", "Warrant: issued 9/13, executed 9/28, outside the ten-day window of Rule 4.7(c). Expect a "
              "suppression motion covering the binder and laptop. The bank records obtained by subpoena are "
              "independent of the warrant."),
        ("p", "Witness concerns: Sgt. Reyes has a documented history with the defendant (sustained 2020 "
              "complaint; March 2023 column) and made a public remark to the Ledger on the day of arrest. This "
              "is impeachment material and must be disclosed. Consider whether another investigator should "
              "testify to the financial analysis."),
    ]
    doc = text_pdf(blocks, header="CONFIDENTIAL -- DA WORK PRODUCT", footer="Harlow County DA -- internal")
    pdf_meta(doc, author="Helen Voss", title="Charging memorandum - State v. Okafor", subject="Internal",
             when=when, creator="DAO case system", keywords="charging; deadline")
    path = out / "voss-h" / "Okafor charging memo 2023-11-03 (encrypted).pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    # NOTE: MuPDF salts encryption with random bytes, so this file differs byte-wise on each run.
    doc.save(path, garbage=4, deflate=True, no_new_id=True, encryption=pymupdf.PDF_ENCRYPT_AES_128,
             user_pw=ENCRYPTED_PDF_PASSWORD, owner_pw="dao-records-2023", permissions=-1)
    doc.close()
    record(path, out, when, f"ENCRYPTED PDF (AES-128, user password \"{ENCRYPTED_PDF_PASSWORD}\"): ADA's "
           "charging memo admitting the Rule 5.2 deadline was missed and flagging Reyes as impeachment material. "
           "Should land in the exceptions report.", ("MTD", "BIAS", "ENCRYPTED"))


# ---------------------------------------------------------------------------
# README / answer key
# ---------------------------------------------------------------------------
CUSTODIANS = {
    "okafor-d": "Dana Okafor -- the defendant (former fire company treasurer); files she gave counsel",
    "lindqvist-p": "Priya Lindqvist -- defense counsel, Lindqvist & Marsh LLP",
    "reyes-m": "Sgt. Marcus Reyes -- lead investigator, Harlow County Sheriff's Office",
    "benedetti-c": "Dep. Carla Benedetti -- deputy present at the search",
    "pruitt-w": "Walter Pruitt -- fire company president, the complainant",
    "voss-h": "Helen Voss -- Assistant District Attorney",
}


def write_readme(out: Path) -> None:
    lines = [
        "# Demo case: State of Westmarch v. Dana Okafor (FICTIONAL)",
        "",
        "Everything in this folder is invented for testing Reviewer: the State of Westmarch, Harlow County, the",
        "town of Marrowfield, every person, firm, newspaper, address, phone number, case number and rule of",
        "procedure. E-mail addresses use the reserved `.example` domain. Any resemblance to real people or",
        "cases is accidental. Regenerate with `python resources/make_demo.py` (deterministic, except the",
        "encrypted PDF, whose bytes differ on each run).",
        "",
        "## The matter",
        "",
        "Dana Okafor, former treasurer of the Marrowfield Volunteer Fire Company No. 2 and a former town",
        "councilwoman, is charged with theft by deception ($18,400) in Harlow County Circuit Court,",
        f"{CASE_NO}. She says the money reimbursed turnout gear and a thermal camera she bought on her own",
        "card with the board's approval. She is defended by Priya Lindqvist and Tomas Ferreira-Hale of",
        "Lindqvist & Marsh LLP; ADA Helen Voss prosecutes. The lead investigator, Sgt. Marcus Reyes, was",
        "reprimanded in 2020 after a complaint Okafor filed, and has a grudge.",
        "",
        "Key dates: warrant " + WARRANT_NO + " issued 2023-09-13, arrest 2023-09-15, warrant executed",
        "2023-09-28 (Rule 4.7(c) allows 10 days), charging deadline 2023-10-30 (Rule 5.2(a): 45 days from",
        "arrest), information filed 2023-11-06 with no extension. Defense motion to dismiss due 2024-02-09.",
        "",
        "## Tags used in the answer key",
        "",
        "- **PRIVILEGED** -- attorney-client communication or defense work product (should be withheld/logged).",
        "- **BIAS** -- suggests a witness/official (mainly Sgt. Reyes) is biased against the defendant.",
        "- **MTD** -- relevant to the motion to dismiss / procedural defects (charging deadline, warrant).",
        "- DUPLICATE / ENCRYPTED -- processing markers (de-duplication, exceptions report).",
        "",
        "## Items by custodian folder",
        "",
        "Custodian = first folder level.",
        "",
    ]
    for cust, who in CUSTODIANS.items():
        lines.append(f"### `{cust}/` -- {who}")
        lines.append("")
        for it in ITEMS:
            if it["path"].split("/")[0] != cust:
                continue
            name = it["path"].split("/", 1)[1]
            tags = ", ".join(it["tags"]) or "--"
            lines.append(f"- `{name}` [{tags}] -- {it['desc']}")
        lines.append("")

    def list_for(tag):
        return [f"- `{it['path']}`" for it in ITEMS if tag in it["tags"]]

    lines += ["## Answer key", "", "### Privileged (PRIVILEGED)", ""] + list_for("PRIVILEGED")
    lines += ["", "### Bias-related (BIAS)", ""] + list_for("BIAS")
    lines += ["", "### Relevant to the motion to dismiss (MTD)", ""] + list_for("MTD")
    lines += [
        "",
        "### Processing checks",
        "",
        "- **Search \"privileged\"** must find `okafor-d/2024-01-22 Memo from counsel - motion to dismiss "
        "strategy.pdf` (text layer; title \"PRIVILEGED & CONFIDENTIAL -- ATTORNEY-CLIENT COMMUNICATION\").",
        "- **Exact duplicate**: `reyes-m/Warrant 23-SW-0912 and return (scan).pdf` and "
        "`benedetti-c/Warrant 23-SW-0912 and return (scan).pdf` are byte-identical (the same bytes are also "
        "attached to `reyes-m/2023-10-04 Okafor - warrant return.eml`).",
        "- **No text layer**: the warrant scan PDF is image-only, and `okafor-d/IMG_0928 handwritten note.png` "
        "is a picture; neither is searchable without OCR.",
        "- **Attachments**: `okafor-d/2024-01-16 ...eml` (.docx), `lindqvist-p/2024-01-10 ...eml` (.pdf), "
        "`reyes-m/2023-10-04 ...eml` (.pdf).",
        "- **Threads**: `reyes-m/2023-10-05 RE ...eml` replies to `reyes-m/2023-10-04 ...eml`; the mbox holds a "
        "3-message board thread; `benedetti-c/2023-10-24 FW ...eml` is a forwarded chain.",
        "- **Zip family**: `lindqvist-p/Okafor work product 2024-02-05.zip` holds two .txt files.",
        f"- **Encrypted PDF**: `voss-h/Okafor charging memo 2023-11-03 (encrypted).pdf` -- user password "
        f"**`{ENCRYPTED_PDF_PASSWORD}`**. Expected in the exceptions report until the password is supplied.",
        "- Useful search words: deadline, warrant, grudge, privileged, \"motion to dismiss\", investigator, "
        "Reyes, 5.2, 4.7(c), 23-SW-0912.",
        "",
        "Note: this README itself sits at the top of the demo folder and contains all those words; when "
        "ingesting, point the tool at the custodian folders or exclude README.md.",
        "",
    ]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8", newline="\n")
    ts = dt.datetime(2024, 3, 1, 9, 0, tzinfo=EST).timestamp()
    os.utime(out / "README.md", (ts, ts))


# ---------------------------------------------------------------------------
def build(out: Path) -> None:
    ITEMS.clear()
    if out.exists():
        for cust in list(CUSTODIANS) + ["README.md"]:
            p = out / cust
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    out.mkdir(parents=True, exist_ok=True)

    okafor_letter_to_counsel(out)
    okafor_note_png(out)
    okafor_email_timeline(out)
    privileged_memo_pdf(out)
    court_notes_txt(out)

    discovery_letter_docx(out)
    research_email(out)
    workproduct_zip(out)

    reyes_oped_html(out)
    reyes_email_kersey(out)
    scan = warrant_scan(out)
    reyes_voss_thread(out, scan)
    phone_log_xlsx(out)

    benedetti_forward(out)
    hcso_internal_memo(out)
    benedetti_duplicate(out, scan)

    pruitt_mbox(out)
    pruitt_letter_pdf(out)
    arrest_news_html(out)

    clerk_reply_eml(out)
    encrypted_charging_memo(out)

    write_readme(out)
    for cust in CUSTODIANS:
        d = out / cust
        ts = dt.datetime(2024, 3, 1, 9, 0, tzinfo=EST).timestamp()
        os.utime(d, (ts, ts))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: resources/demo)")
    args = ap.parse_args(argv)
    build(args.out)
    total = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"wrote {len(ITEMS)} items + README.md to {args.out} ({total / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
