"""Conversations the threading tests build: emails that reply, reply to all, forward, quote in the common
Outlook/Gmail/Apple forms, or come as printed text without headers of their own."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

START = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
ADA = "Ada Quill <ada@quill-law.example>"
BEN = "Ben Ortiz <ben@ortiz.example>"
CY = "Cy Park <cy@park.example>"
DEE = "Dee Marsh <dee@marsh.example>"


def write_mail(
    path: Path,
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str | None = None,
    reply_to: str | None = None,
    references: list[str] | None = None,
    hours: float = 0,
    cc: str | None = None,
    attachments: dict[str, bytes] | None = None,
    dated: bool = True,
) -> Path:
    message = EmailMessage()
    message["From"] = sender
    if to:
        message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    if dated:
        message["Date"] = format_datetime(START + timedelta(hours=hours))
    if message_id:
        message["Message-ID"] = f"<{message_id}>"
    if reply_to:
        message["In-Reply-To"] = f"<{reply_to}>"
    if references:
        message["References"] = " ".join(f"<{r}>" for r in references)
    message.set_content(body)
    for name, data in (attachments or {}).items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(message.as_bytes())
    return path


def gmail_quote(sender: str, hours: float, body: str) -> str:
    when = START + timedelta(hours=hours)
    quoted = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
    return f"On {when:%a, %b} {when.day}, {when:%Y at %-I:%M %p}, {sender} wrote:\n{quoted}"


def outlook_quote(sender: str, to: str, subject: str, hours: float, body: str) -> str:
    when = START + timedelta(hours=hours)
    name, _, address = sender.partition(" <")
    return (
        f"-----Original Message-----\nFrom: {name} [mailto:{address.rstrip('>')}]\n"
        f"Sent: {when:%A, %B} {when.day}, {when:%Y %-I:%M %p}\nTo: {to}\nSubject: {subject}\n\n{body}"
    )


def apple_forward(sender: str, to: str, subject: str, hours: float, body: str) -> str:
    when = START + timedelta(hours=hours)
    return (
        f"Begin forwarded message:\n\nFrom: {sender}\nSubject: {subject}\n"
        f"Date: {when:%B} {when.day}, {when:%Y at %-I:%M:%S %p} UTC\nTo: {to}\n\n{body}"
    )


def printed(sender: str, to: str, subject: str, hours: float, body: str) -> str:
    """An email printed to text (or to PDF and read back): Outlook's header block, then the body."""
    when = START + timedelta(hours=hours)
    return (
        f"From: {sender}\nSent: {when:%A, %B} {when.day}, {when:%Y %-I:%M %p}\nTo: {to}\n"
        f"Subject: {subject}\n\n{body}\n"
    )


VOCABULARY = [
    f"{a}{b}"
    for a in ("al", "be", "co", "du", "er", "fa", "go", "hu", "in", "jo", "ka", "lu")
    for b in ("ma", "ne", "pi", "ro", "su", "ta", "vi", "wo", "xe", "yo", "za", "qu")
]


def prose(words: int, seed: int) -> list[str]:
    """Random words from a small made-up vocabulary: a memo's words, reproducible."""
    rng = random.Random(seed)
    return [rng.choice(VOCABULARY) for _ in range(words)]


def changed(words: list[str], share: float, seed: int) -> list[str]:
    """The words with `share` of them replaced, scattered, by words that occur nowhere else."""
    rng = random.Random(seed)
    result = list(words)
    for n, position in enumerate(rng.sample(range(len(words)), round(share * len(words)))):
        result[position] = f"edit{seed}x{n}"
    return result


def as_text(words: list[str]) -> str:
    lines = [" ".join(words[start : start + 12]) for start in range(0, len(words), 12)]
    return "\n".join(lines) + "\n"
