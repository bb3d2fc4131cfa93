"""Read a DAT metadata load file as it arrives, whoever wrote it: detect its encoding, delimiter, quote,
header row, newline marker and multi-value separator, and say what was detected.

Concordance (þ quotes, 0x14 between values, ® for a newline) is the common case; pipe, caret, tilde and
comma-separated files with or without quotes are read too. A DAT that was converted to UTF-8 twice shows
its þ as `Ã¾`; that is recognised, repaired and explained rather than read as garbage.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.core.errors import ReviewerError

CONCORDANCE_SEPARATOR = "\x14"
CONCORDANCE_QUOTE = "\u00fe"
CONCORDANCE_NEWLINE = "\u00ae"
MOJIBAKE_QUOTE = "\u00c3\u00be"  # þ's UTF-8 bytes read as cp1252
_DELIMITERS = (CONCORDANCE_SEPARATOR, "|", "^", "~", "\t", ",", ";")
_QUOTES = (CONCORDANCE_QUOTE, '"', "~", "^", "|")
_MULTI_VALUES = (";", "\x1e", "|", "^", "~")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_BATES_LIKE = re.compile(r"^[A-Za-z][\w.\- ]*?\d{3,}$")
_DELIMITER_NAMES = {
    CONCORDANCE_SEPARATOR: "0x14 (Concordance)", "|": "pipe |", "^": "caret ^", "~": "tilde ~",
    "\t": "tab", ",": "comma", ";": "semicolon", "\x1e": "0x1E",
}


class LoadFileError(ReviewerError):
    """A load file that cannot be read at all; one sentence says why."""


@dataclass(frozen=True)
class DatDialect:
    """How one DAT is written; every choice the reader made, so that it can be shown and overridden."""

    encoding: str  # a Python codec name
    bom: bool
    delimiter: str
    quote: str  # "" when values are not quoted
    header: bool
    newline_marker: str  # "" when values carry no newline stand-in
    multi_value: str
    repaired_mojibake: bool = False

    def describe(self) -> list[tuple[str, str]]:
        """The detected settings as (setting, value) pairs a paralegal can read."""
        encoding = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252 (CP1252)",
                    "utf-8": "UTF-8"}.get(self.encoding, self.encoding)
        pairs = [
            ("Encoding", encoding + (" with byte-order mark" if self.bom else "")),
            ("Delimiter", _DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))),
            ("Quote", {"": "none", CONCORDANCE_QUOTE: "þ (Concordance)"}.get(self.quote, self.quote)),
            ("Header row", "yes" if self.header else "no (fields numbered FIELD1, FIELD2, …)"),
            ("Newline in values", self.newline_marker or "none"),
            ("Multi-value separator", _DELIMITER_NAMES.get(self.multi_value, self.multi_value)),
        ]
        if self.repaired_mojibake:
            pairs.append(("Repaired", "þ appeared as Ã¾: the file had been converted to UTF-8 twice; "
                                      "it was read back to the original characters"))
        return pairs


@dataclass
class DatFile:
    """A DAT, read: its dialect, field names and one dict per row, plus rows that could not be read."""

    path: Path
    dialect: DatDialect
    header: list[str]
    rows: list[dict[str, str]]
    line_numbers: list[int] = field(default_factory=list)  # where each row started, for messages
    bad_lines: list[tuple[int, str]] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str, bool, bool]:
    """Text, codec, whether a byte-order mark was present, and whether double-encoding was repaired."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, codec, bom = data.decode("utf-16"), "utf-16", True
    elif data.startswith(b"\xef\xbb\xbf"):
        text, codec, bom = data[3:].decode("utf-8", errors="replace"), "utf-8-sig", True
    elif _looks_utf16(data[:4000]):
        codec = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        text, bom = data.decode(codec, errors="replace"), False
    else:
        bom = False
        try:
            text, codec = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, codec = data.decode("cp1252", errors="replace"), "cp1252"
    repaired = False
    if MOJIBAKE_QUOTE in text[:4000]:
        try:
            text, repaired = text.encode("cp1252").decode("utf-8"), True
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass  # not double-encoded after all; the values keep what they say
    return text, codec, bom, repaired


def _looks_utf16(head: bytes) -> bool:
    return len(head) >= 4 and head.count(b"\x00") > len(head) // 3


def detect(text: str, codec: str, bom: bool, repaired: bool) -> DatDialect:
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        raise LoadFileError("The DAT's first line is empty; it is not a metadata load file.")
    quote = first[0] if first[0] in _QUOTES and first.rstrip()[-1] == first[0] and len(first) > 1 else ""
    if quote:
        # The delimiter is whatever stands between a closing and the next opening quote.
        between = Counter(re.findall(re.escape(quote) + r"(.)" + re.escape(quote), first))
        delimiter = between.most_common(1)[0][0] if between else ","
    else:
        counts = {d: first.count(d) for d in _DELIMITERS}
        delimiter = max(counts, key=lambda d: counts[d])
        if counts[delimiter] == 0:
            delimiter = ","
    sample = text[:200_000]
    # Concordance-style files (any quote but the CSV double quote) write a newline inside a value as ®.
    concordance_style = quote not in ('"', "")
    newline_marker = CONCORDANCE_NEWLINE if concordance_style and CONCORDANCE_NEWLINE in sample else ""
    first_values = [v.strip(quote) for v in first.split(delimiter)]
    header = not (first_values and _BATES_LIKE.match(first_values[0]) and _field_name(first_values[0]) not in
                  KNOWN_NAMES)
    # Concordance's own default is ";"; another separator wins only when ";" never occurs.
    multi = {m: sample.count(m) for m in _MULTI_VALUES if m not in (delimiter, quote)}
    best = max(multi, key=lambda m: multi[m])
    multi_value = best if multi[best] and not multi.get(";") else ";"
    return DatDialect(codec, bom, delimiter, quote, header, newline_marker, multi_value, repaired)


def read_dat(path: Path, dialect: DatDialect | None = None) -> DatFile:
    """Read a DAT; `dialect` overrides detection. Rows with the wrong number of fields are set aside."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LoadFileError(f"Cannot read {path.name}: {error.strerror}.") from None
    if not data.strip():
        raise LoadFileError(f"{path.name} is empty; a DAT file has one line per document.")
    text, codec, bom, repaired = decode(data)
    if MOJIBAKE_QUOTE in text[:4000]:
        raise LoadFileError(f"{path.name} shows its þ quotes as Ã¾ (converted to UTF-8 twice, then damaged); "
                            "ask the producing party for the original DAT.")
    dialect = dialect or detect(text, codec, bom, repaired)
    return parse(path, text, dialect)


def _records(text: str, dialect: DatDialect) -> Iterator[tuple[int, list[str]]]:
    """(line number, values) of every line. CSV quoting (doubled quotes, newlines inside values) is the
    csv module's; a Concordance-style line is split on quote-delimiter-quote, which no value holds even
    when it holds the quote character itself (þ in an Icelandic name)."""
    if dialect.quote == '"':
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, strict=False)
        start = 1
        for values in reader:
            yield start, values
            start = reader.line_num + 1
        return
    quote, joint = dialect.quote, dialect.quote + dialect.delimiter + dialect.quote
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if quote and len(line) >= 2 and line.startswith(quote) and line.endswith(quote):
            yield number, line[1:-1].split(joint)
        else:
            yield number, [value.strip(quote) if quote else value for value in line.split(dialect.delimiter)]


def parse(path: Path, text: str, dialect: DatDialect) -> DatFile:
    records = [(line, values) for line, values in _records(text, dialect) if any(v.strip() for v in values)]
    if not records:
        raise LoadFileError(f"{path.name} holds no rows.")
    if dialect.header:
        header = [name.strip() for name in records[0][1]]
        body = records[1:]
    else:
        header = [f"FIELD{n}" for n in range(1, len(records[0][1]) + 1)]
        body = records
    dat = DatFile(path, dialect, header, [])
    for number, values in body:
        if len(values) != len(header):
            dat.bad_lines.append((number, f"line {number} has {len(values)} fields; the header has "
                                          f"{len(header)}"))
            continue
        if dialect.newline_marker:
            values = [v.replace(dialect.newline_marker, "\n") for v in values]
        dat.rows.append(dict(zip(header, values, strict=True)))
        dat.line_numbers.append(number)
    return dat


# --- field names ---------------------------------------------------------------------------------------
# Our name for a field, and the names producing parties use for it (compared without spaces or punctuation).
ALIASES: dict[str, tuple[str, ...]] = {
    "BEGBATES": ("BEGBATES", "BEGDOC", "BEGNO", "BEGINBATES", "BATESBEGIN", "BATESBEG", "PRODBEG",
                 "PRODBEGBATES", "BEGPROD", "STARTBATES", "BEGINNINGBATES", "BEGBATESNUMBER", "DOCID"),
    "ENDBATES": ("ENDBATES", "ENDDOC", "ENDNO", "BATESEND", "PRODEND", "PRODENDBATES", "ENDPROD",
                 "ENDINGBATES", "ENDBATESNUMBER"),
    "BEGATTACH": ("BEGATTACH", "BEGATT", "BEGFAMILY", "ATTACHBEG", "BEGATTACHMENT", "PRODBEGATTACH",
                  "PARENTBATES", "FAMILYBEG"),
    "ENDATTACH": ("ENDATTACH", "ENDATT", "ENDFAMILY", "ATTACHEND", "ENDATTACHMENT", "PRODENDATTACH",
                  "FAMILYEND"),
    "PGCOUNT": ("PGCOUNT", "PAGECOUNT", "PAGES", "NUMPAGES"),
    "CUSTODIAN": ("CUSTODIAN", "CUSTODIANS", "ALLCUSTODIANS", "OWNER"),
    "FROM": ("FROM", "EMAILFROM", "SENDER", "AUTHOREMAIL"),
    "TO": ("TO", "EMAILTO", "RECIPIENTS", "RECIPIENT"),
    "CC": ("CC", "EMAILCC"),
    "BCC": ("BCC", "EMAILBCC"),
    "REPLYTO": ("REPLYTO", "EMAILREPLYTO"),
    "SUBJECT": ("SUBJECT", "EMAILSUBJECT"),
    "DATESENT": ("DATESENT", "SENTDATE", "SENTON", "DATETIMESENT", "EMAILDATESENT"),
    "TIMESENT": ("TIMESENT", "SENTTIME"),
    "AUTHOR": ("AUTHOR", "DOCAUTHOR"),
    "TITLE": ("TITLE", "DOCTITLE"),
    "DATECREATED": ("DATECREATED", "CREATEDDATE", "CREATEDATE", "DATECREATE"),
    "DATEMOD": ("DATEMOD", "DATEMODIFIED", "LASTMODIFIED", "MODIFIEDDATE", "DATELASTMOD"),
    "FILENAME": ("FILENAME", "ORIGINALFILENAME", "DOCNAME", "NATIVEFILENAME"),
    "FILEEXT": ("FILEEXT", "FILEEXTENSION", "EXTENSION", "EXT"),
    "MD5HASH": ("MD5HASH", "MD5", "HASHMD5", "HASH"),
    "SHA1HASH": ("SHA1HASH", "SHA1"),
    "TEXTPATH": ("TEXTPATH", "TEXTLINK", "EXTRACTEDTEXT", "TEXTFILE", "OCRPATH", "FULLTEXT", "TEXT"),
    "NATIVEPATH": ("NATIVEPATH", "NATIVELINK", "NATIVEFILE", "NATIVE", "FILEPATH", "NATIVEFILEPATH"),
}
KNOWN_NAMES = {alias for aliases in ALIASES.values() for alias in aliases}


def _field_name(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def map_fields(header: list[str], overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Our field name → their column name, by common names, with `overrides` (OURS=THEIRS) winning."""
    overrides = {ours.upper(): theirs for ours, theirs in (overrides or {}).items()}
    unknown = [theirs for theirs in overrides.values() if theirs not in header]
    if unknown:
        raise LoadFileError(f"The DAT has no field {unknown[0]!r}; its fields are {', '.join(header)}.")
    bad = [ours for ours in overrides if ours not in ALIASES]
    if bad:
        raise LoadFileError(f"{bad[0]} is not one of our fields; use one of {', '.join(ALIASES)}.")
    mapping: dict[str, str] = {}
    by_name = {_field_name(name): name for name in reversed(header)}
    for ours, aliases in ALIASES.items():
        for alias in aliases:
            if alias in by_name and by_name[alias] not in mapping.values():
                mapping[ours] = by_name[alias]
                break
    mapping.update(overrides)
    if "BEGBATES" not in mapping and header and header[0].startswith("FIELD"):
        mapping["BEGBATES"] = header[0]  # no header row: the first column is the Bates number by convention
        if len(header) > 1:
            mapping.setdefault("ENDBATES", header[1])
    return mapping


def split_values(value: str, separator: str) -> list[str]:
    return [part.strip() for part in value.split(separator) if part.strip()]
