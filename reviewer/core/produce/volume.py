"""A production volume on disk, and reading one back to prove every page and file is where it says.

    OUT/VOL001/IMAGES/0001/ABC00000001.pdf   page images, at most 1,000 files per folder
    OUT/VOL001/TEXT/0001/ABC00000001.txt     one UTF-8 text file per document, named by its BEGBATES
    OUT/VOL001/NATIVES/0001/ABC00000007.xlsx natives, named by BEGBATES
    OUT/VOL001/DATA/VOL001.dat|.opt|.csv      load files

The volume is written into a hidden folder of its own beside its final place (.VOL001.partial-PID-…, so
a second writer aiming at the same place can neither write into it nor clear it away), every file and
folder in it is flushed to disk, and it is renamed into place only when it is complete: a failed,
cancelled or killed production leaves nothing that looks like a volume, and what a killed run left is
cleared by the next one.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
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


class VolumeError(ReviewerError):
    """The volume could not be written or put in place."""


class VolumeWriter:
    def __init__(self, out_dir: Path, volume: str) -> None:
        self.volume = volume
        self.out_dir = out_dir
        self.final = out_dir / volume
        self.root = out_dir / f".{volume}.partial"  # until start() makes the real one
        self._counts = {"IMAGES": 0, "TEXT": 0, "NATIVES": 0}
        self._finished = False

    def start(self) -> None:
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            _clear_abandoned(self.out_dir, self.volume)
            self.root = Path(tempfile.mkdtemp(prefix=f".{self.volume}.partial-{os.getpid()}-",
                                              dir=self.out_dir))
            (self.root / "DATA").mkdir()
        except OSError as error:
            raise VolumeError(f"The volume cannot be written in {self.out_dir}: {error.strerror or error}; "
                              "choose another --out.") from error

    def next_path(self, kind: str, name: str) -> tuple[str, Path]:
        """The next file of a kind ("IMAGES", "TEXT", "NATIVES"): its path relative to the volume (with
        backslashes, as load files want) and where to write it now."""
        folder = f"{self._counts[kind] // FILES_PER_FOLDER + 1:04d}"
        self._counts[kind] += 1
        relative = PurePosixPath(kind, folder, name)
        return str(relative).replace("/", "\\"), self.root.joinpath(*relative.parts)

    def data_path(self, extension: str) -> Path:
        return self.root / "DATA" / f"{self.volume}{extension}"

    def flush(self) -> None:
        """Every file and folder of the staged volume on disk (folders where the system allows it)."""
        for folder, _subfolders, files in os.walk(self.root):
            for name in files:
                _fsync(Path(folder, name), os.O_RDONLY)
            _fsync_folder(Path(folder))

    def finish(self) -> Path:
        """Rename the staged volume into place (and make the rename itself durable)."""
        try:
            self.final.rmdir()  # an empty folder of that name may stand there; anything else may not
        except OSError:
            pass
        try:
            os.rename(self.root, self.final)
        except OSError as error:
            raise VolumeError(f"{self.final} appeared while the production was being written, so the volume "
                              "could not be put there; nothing was produced. Move that folder away or "
                              "choose another --out or --volume, and run the production again.") from error
        self._finished = True
        _fsync_folder(self.out_dir)
        return self.final

    def unfinish(self) -> None:
        """Undo finish() when what it completes (the record in the case) fails."""
        if self._finished:
            os.rename(self.final, self.root)
            self._finished = False

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _clear_abandoned(out_dir: Path, volume: str) -> None:
    """Remove the staging folders of runs that were killed (their process is gone)."""
    for folder in out_dir.glob(f".{volume}.partial*"):
        pid = folder.name.removeprefix(f".{volume}.partial").split("-")[1:2]
        if not (pid and pid[0].isdigit() and _alive(int(pid[0]))):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill would end the process there; a killed run's hidden folder stays
    if pid == os.getpid():
        return False  # a folder of ours from before is one this process abandoned
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else (or the system cannot tell)
        return True
    return True


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    if os.name != "nt":  # Windows cannot open a folder to flush it; NTFS journals the names itself
        _fsync(folder, os.O_RDONLY)


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
