"""Read an Opticon OPT image load file: one line per page, `BATES,VOLUME,PATH,Y,BOX,FOLDER,PAGECOUNT`,
where Y marks a document's first page. Tolerant of what producing parties send: any line ending, a
missing trailing field, UTF-8 or CP1252, blank lines. Lines that cannot be read are set aside, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reviewer.core.importing.loadfile_reader import LoadFileError, decode


@dataclass(frozen=True)
class OptPage:
    bates: str
    volume: str
    path: str  # as written: relative to the volume folder, usually with backslashes
    first: bool  # a document's first page
    pages: int | None  # the document's page count, on its first page only
    line: int = field(default=0, compare=False)  # where it was read, for messages


@dataclass
class OptFile:
    path: Path
    pages: list[OptPage]
    bad_lines: list[tuple[int, str]] = field(default_factory=list)


def read_opt(path: Path) -> OptFile:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LoadFileError(f"Cannot read {path.name}: {error.strerror}.") from None
    text = decode(data)[0]
    opt = OptFile(path, [])
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [part.strip() for part in line.split(",")]
        if len(parts) < 3 or not parts[0] or not parts[2]:
            opt.bad_lines.append((number, f"OPT line {number} is not BATES,VOLUME,PATH,…: {line[:80]}"))
            continue
        parts += [""] * (7 - len(parts))
        count = parts[6]
        opt.pages.append(OptPage(parts[0], parts[1], parts[2], parts[3].upper() == "Y",
                                 int(count) if count.isdigit() else None, number))
    return opt
