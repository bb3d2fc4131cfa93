"""A production volume on disk, and reading one back to prove every page and file is where it says.

    OUT/VOL001/IMAGES/0001/ABC00000001.pdf   page images, at most 1,000 files per folder
    OUT/VOL001/TEXT/0001/ABC00000001.txt     one UTF-8 text file per document, named by its BEGBATES
    OUT/VOL001/NATIVES/0001/ABC00000007.xlsx natives, named by BEGBATES
    OUT/VOL001/DATA/VOL001.dat|.opt|.csv      load files

The volume is written into a hidden folder beside its final place and renamed into place only when it
is complete, so a failed or cancelled production leaves nothing that looks like a volume.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path, PurePosixPath

from reviewer.core.errors import ReviewerError
from reviewer.core.importing.loadfile_reader import LoadFileError, read_dat
from reviewer.core.importing.opticon import read_opt

FILES_PER_FOLDER = 1000
_VOLUME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_volume_name(name: str) -> str:
    if not _VOLUME_NAME.fullmatch(name):
        raise ReviewerError(f'"{name}" cannot name a volume; use letters, digits, ".", "_" and "-", '
                            f"as in VOL001.")
    return name


class VolumeWriter:
    def __init__(self, out_dir: Path, volume: str) -> None:
        self.volume = volume
        self.final = out_dir / volume
        self.root = out_dir / f".{volume}.partial"
        self._counts = {"IMAGES": 0, "TEXT": 0, "NATIVES": 0}

    def start(self) -> None:
        if self.root.exists():
            shutil.rmtree(self.root)  # what an earlier, killed run left behind
        self.root.mkdir(parents=True)
        (self.root / "DATA").mkdir()

    def next_path(self, kind: str, name: str) -> tuple[str, Path]:
        """The next file of a kind ("IMAGES", "TEXT", "NATIVES"): its path relative to the volume (with
        backslashes, as load files want) and where to write it now."""
        folder = f"{self._counts[kind] // FILES_PER_FOLDER + 1:04d}"
        self._counts[kind] += 1
        relative = PurePosixPath(kind, folder, name)
        return str(relative).replace("/", "\\"), self.root.joinpath(*relative.parts)

    def data_path(self, extension: str) -> Path:
        return self.root / "DATA" / f"{self.volume}{extension}"

    def finish(self) -> Path:
        self.root.rename(self.final)
        return self.final

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def verify(volume_dir: Path, volume: str | None = None) -> list[str]:
    """Read a volume's DAT and OPT back with the importer's readers and account for every page and file;
    the problems found, as sentences (none for a sound volume). `volume` names the load files when the
    folder is not (yet) named after the volume."""
    name = volume or volume_dir.name
    dat, opt = volume_dir / "DATA" / f"{name}.dat", volume_dir / "DATA" / f"{name}.opt"
    try:
        dat_file, opt_file = read_dat(dat), read_opt(opt)
    except LoadFileError as error:
        return [str(error)]
    documents, pages = dat_file.rows, opt_file.pages
    problems = [f"{dat.name} {reason}." for _, reason in dat_file.bad_lines]
    problems += [f"{reason}." for _, reason in opt_file.bad_lines]
    starts = {page.bates: index for index, page in enumerate(pages) if page.first}
    for document in documents:
        begin, count = document["BEGBATES"], int(document["PGCOUNT"] or 0)
        index = starts.get(begin)
        if index is None:
            problems.append(f"{begin} is in the DAT but starts no document in the OPT.")
            continue
        own = pages[index:index + count]
        if pages[index].pages != count or len(own) != count or any(p.first for p in own[1:]):
            problems.append(f"{begin} has {count} pages in the DAT but not in the OPT.")
        elif own[-1].bates != document["ENDBATES"]:
            problems.append(f"{begin} ends at {own[-1].bates} in the OPT but {document['ENDBATES']} "
                            "in the DAT.")
        for field in ("TEXTPATH", "NATIVEPATH"):
            if document[field] and not _file(volume_dir, document[field]).is_file():
                problems.append(f"{begin}: its {field} {document[field]} is missing.")
    if len(starts) != len(documents):
        problems.append(f"The OPT starts {len(starts):,} documents; the DAT lists {len(documents):,}.")
    problems.extend(f"{page.bates}: its image {page.path} is missing." for page in pages
                    if not _file(volume_dir, page.path).is_file())
    return problems


def _file(volume_dir: Path, relative: str) -> Path:
    return volume_dir.joinpath(*relative.split("\\"))
