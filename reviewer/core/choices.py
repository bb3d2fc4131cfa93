"""The choices a user makes, and their defaults, named once for the command line, the desktop and core.

Kept free of heavy imports, so that `reviewer --help` and every command's options are built without
loading the code that acts on them.
"""

from __future__ import annotations

from typing import Literal

# Ingest: seconds a reader may go without producing a result before it is stopped (0: no limit).
DEFAULT_FILE_TIMEOUT = 300.0

# Search: result order, and how many hits in one document are shown (and looked for) at first.
Sort = Literal["relevance", "date", "control"]
SORTS: tuple[Sort, ...] = ("relevance", "date", "control")
SHOWN_HITS = 1000

# Review and production.
PRIVILEGE_BASES = ("Attorney-Client", "Work Product", "Common Interest", "Other")
DEFAULT_REDACTION_REASON = "Redacted"
DEFAULT_DIGITS = 8
ImageFormat = Literal["pdf", "tiff"]
IMAGE_FORMATS: tuple[ImageFormat, ...] = ("pdf", "tiff")
DatEncoding = Literal["utf-8", "cp1252", "utf-16"]
DAT_ENCODINGS: tuple[DatEncoding, ...] = ("utf-8", "cp1252", "utf-16")
Unimageable = Literal["native", "text", "stop"]  # what becomes of a document that cannot be imaged
UNIMAGEABLE: tuple[Unimageable, ...] = ("native", "text", "stop")
SplitRule = Literal["ask", "produce-others", "withhold-family"]  # a family only partly produced
SPLIT_RULES: tuple[SplitRule, ...] = ("ask", "produce-others", "withhold-family")

# Chronology: a fact's status, by the name stored and typed (--status) → how it reads.
FACT_STATUSES = {
    "undisputed": "Undisputed",
    "disputed-prosecution": "Disputed by the prosecution",
    "disputed-defense": "Disputed by the defense",
    "unsure": "Unsure",
}
DEFAULT_FACT_STATUS = "undisputed"

# Batches: the order documents are batched in (families stay together in any of them).
BatchOrder = Literal["control", "date", "custodian"]
BATCH_ORDERS: tuple[BatchOrder, ...] = ("control", "date", "custodian")

# People and communications: the flags a person or a domain can carry (attorney comes from the attorneys
# list), and who the communications view is about.
PERSON_FLAGS = ("attorney", "prosecution", "agency", "press")
CommsLevel = Literal["person", "organisation"]
COMMS_LEVELS: tuple[CommsLevel, ...] = ("person", "organisation")
