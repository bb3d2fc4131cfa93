"""A small fictional mail collection for the people and communications tests, and the counts a reader
works out from it by hand. Every person, firm and domain is invented (.example)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from tests.helpers import make_pdf

LELLING = ('"Lelling, Andrew" <andrew.lelling@usao.example>', "Andrew E. Lelling <alelling@home.example>",
           "ANDREW LELLING <lelling@usao.example>")
ROE = ("Jane Roe <jroe@globe.example>", '"Roe, Jane" <jane.roe@globe.example>')
PARK = "Special Agent Kim Park <kpark@fbi.example>"
NUNEZ = ("José Núñez <jnunez@fbi.example>", '"Nunez, Jose" <jose.nunez@mail.example>')
SMITHS = [f"John Smith <js{n}@corp{n}.example>" for n in range(7)]  # one name, seven mailboxes: a list


def message(sender: str, to: str, subject: str, sent: datetime | None, cc: str = "", bcc: str = "",
            reply_to: str = "", attached: EmailMessage | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    for header, value in (("Cc", cc), ("Bcc", bcc), ("Reply-To", reply_to)):
        if value:
            mail[header] = value
    mail["Subject"] = subject
    if sent is not None:
        mail["Date"] = format_datetime(sent)
    mail["Message-ID"] = f"<{abs(hash((sender, to, subject)))}@mail.example>"
    mail.set_content(f"{subject}\n\nA message for the people tests.")
    if attached is not None:
        mail.add_attachment(attached)
    return mail


def on(month: int, day: int) -> datetime:
    return datetime(2019, month, day, 15, 0, tzinfo=UTC)


def write_collection(folder: Path) -> Path:
    """The collection (see the module's counts below); returns the folder to ingest."""
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    forwarded = message(NUNEZ[0], ROE[0], "Background", on(3, 1))
    mails = {
        "m1": message(LELLING[0], ROE[0], "Press release", on(4, 2), cc=LELLING[1]),
        "m2": message(LELLING[2], f"{ROE[0]}, {ROE[1]}", "Embargoed", on(4, 20), bcc=PARK),
        "m3": message(ROE[0], LELLING[0], "Question", on(5, 1), reply_to="Globe Desk <desk@globe.example>"),
        "m4": message("Info <info@usao.example>", "Info <info@globe.example>", "Notice", on(5, 3)),
        "m5": message("Jane Roe <press@globe.example>", PARK, "Inquiry", on(5, 10)),
        "m6": message(PARK, LELLING[0], "FW: Background", on(5, 12), attached=forwarded),
        "m7": message(NUNEZ[1], PARK, "Lunch", on(6, 5)),
        "m9": message(LELLING[0], LELLING[0], "Note to self", on(6, 6)),
        "m10": message(ROE[0], LELLING[0], "Undated follow-up", None),
    }
    for number, smith in enumerate(SMITHS):
        mails[f"s{number}"] = message(smith, PARK, f"List mail {number}", on(7, 1 + number))
    for name, mail in mails.items():
        (inbox / f"{name}.eml").write_bytes(mail.as_bytes())
    # The same message found again under another folder is a duplicate, not a second message.
    (folder / "copies").mkdir()
    (folder / "copies" / "m1 copy.eml").write_bytes(mails["m1"].as_bytes())
    make_pdf(folder / "inbox" / "statement.pdf", ["Draft statement"], author="Lelling, Andrew")
    return folder


# Person → person messages a reader counts from the collection, by one address of each person.
PERSON_PAIRS = {
    # m1, m2 (which names two addresses of Roe: one message still)
    ("andrew.lelling@usao.example", "jroe@globe.example"): (2, on(4, 2), on(4, 20)),
    ("andrew.lelling@usao.example", "kpark@fbi.example"): (1, on(4, 20), on(4, 20)),  # m2 Bcc
    ("jroe@globe.example", "andrew.lelling@usao.example"): (2, on(5, 1), on(5, 1)),  # m3, m10 (undated)
    ("info@usao.example", "info@globe.example"): (1, on(5, 3), on(5, 3)),
    ("press@globe.example", "kpark@fbi.example"): (1, on(5, 10), on(5, 10)),
    ("kpark@fbi.example", "andrew.lelling@usao.example"): (1, on(5, 12), on(5, 12)),
    ("jnunez@fbi.example", "jroe@globe.example"): (1, on(3, 1), on(3, 1)),  # the attached message
    ("jnunez@fbi.example", "kpark@fbi.example"): (1, on(6, 5), on(6, 5)),
    **{(f"js{n}@corp{n}.example", "kpark@fbi.example"): (1, on(7, 1 + n), on(7, 1 + n)) for n in range(7)},
}
ORGANISATION_PAIRS = {
    ("usao.example", "globe.example"): 3,  # m1, m2, m4
    ("usao.example", "home.example"): 1,  # m1 Cc
    ("usao.example", "fbi.example"): 1,  # m2 Bcc
    ("usao.example", "usao.example"): 1,  # m9: mail within an organisation counts
    ("globe.example", "usao.example"): 2,  # m3, m10
    ("globe.example", "fbi.example"): 1,  # m5
    ("fbi.example", "usao.example"): 1,  # m6
    ("fbi.example", "globe.example"): 1,  # the attached message
    ("mail.example", "fbi.example"): 1,  # m7
    **{(f"corp{n}.example", "fbi.example"): 1 for n in range(7)},
}
