"""Load files: Concordance DAT, Opticon OPT and a plain CSV, written. They are read back (here, to verify
a volume, and when another party's production is imported) by reviewer.core.importing's one reader.

DAT: one header row, then one line per document; each value between þ (U+00FE) qualifiers, values
separated by byte 0x14, a newline inside a value written as ® (U+00AE), multiple values joined by ";",
lines ending CR LF. UTF-8 with a byte-order mark by default, or cp1252 or UTF-16 (with its mark).
A value may itself contain þ: readers split on the whole þ 0x14 þ sequence, which no value holds.

OPT: one line per page, `PAGEBATES,VOLUME,RELATIVE\\PATH,Y,,,PAGECOUNT` on a document's first page and
`PAGEBATES,VOLUME,RELATIVE\\PATH,,,,` on the others; paths relative to the volume folder.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from reviewer.core.choices import DatEncoding
from reviewer.core.importing.loadfile_reader import LoadFileError
from reviewer.core.importing.opticon import OptPage

DAT_FIELDS = (
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "PGCOUNT", "CUSTODIAN", "ALLCUSTODIANS", "FROM", "TO",
    "CC", "BCC", "SUBJECT", "DATESENT", "TIMESENT", "AUTHOR", "TITLE", "DATECREATED", "DATEMOD", "FILENAME",
    "FILEEXT", "MD5HASH", "SHA1HASH", "REDACTED", "CONFIDENTIALITY", "PRODUCTIONTREATMENT", "NATIVEPATH",
    "TEXTPATH",
)
SEPARATOR = "\x14"
QUALIFIER = "\u00fe"
NEWLINE = "\u00ae"
MULTI_VALUE = ";"
_LINE_END = "\r\n"
_PYTHON_ENCODINGS = {"utf-8": "utf-8-sig", "cp1252": "cp1252", "utf-16": "utf-16"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- DAT -----------------------------------------------------------------------------------------------
def dat_value(value: str | Sequence[str] | None) -> str:
    """A value as it can stand in a DAT field: lists joined, newlines as ®, control characters dropped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = MULTI_VALUE.join(v.strip() for v in value if v.strip())
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", NEWLINE)
    return _CONTROL.sub("", value)


def write_dat(path: Path, rows: Iterable[dict[str, str]], encoding: DatEncoding = "utf-8",
              fields: Sequence[str] = DAT_FIELDS) -> None:
    """Characters the encoding cannot hold (cp1252) are written as "?"."""
    def line(values: Iterable[str]) -> str:
        return SEPARATOR.join(f"{QUALIFIER}{dat_value(v)}{QUALIFIER}" for v in values) + _LINE_END

    with path.open("w", encoding=_PYTHON_ENCODINGS[encoding], errors="replace", newline="") as out:
        out.write(line(fields))
        for row in rows:
            out.write(line(row.get(name, "") for name in fields))


# --- OPT -----------------------------------------------------------------------------------------------
def write_opt(path: Path, pages: Iterable[OptPage]) -> None:
    with path.open("w", encoding="ascii", newline="") as out:
        for page in pages:
            if "," in page.bates + page.volume + page.path:
                raise LoadFileError(f"An OPT field cannot contain a comma: {page.path}")
            flag, count = ("Y", str(page.pages)) if page.first else ("", "")
            out.write(f"{page.bates},{page.volume},{page.path},{flag},,,{count}{_LINE_END}")


# --- CSV -----------------------------------------------------------------------------------------------
def write_csv(path: Path, rows: Iterable[dict[str, str]], fields: Sequence[str] = DAT_FIELDS) -> None:
    """The same fields as the DAT, for people who open it in a spreadsheet (UTF-8 with BOM for Excel)."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in fields})
