"""Turn the paths a user names into the ordered list of input entries, each with its custodian.

Every entry of an input folder is listed, so that every one ends on the ledger: regular files are
extracted; what must not be read carries a one-line `refusal` instead — pipes, sockets and devices
(reading them blocks or never ends), links that lead outside the folder being ingested, dangling or
looping links, links to folders, and folders that cannot be opened.

File names are whatever the operating system allows. Bytes that are not UTF-8 (a Latin-1 name from an
old drive) reach Python as lone surrogates; the path keeps them so the file can still be opened, and
`InputFile.source` shows them as `\\xE9`-style escapes wherever the name is recorded or displayed.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reviewer.core.ingest.extracted import ExtractionFailed, Reason

_SURROGATE = re.compile("[\ud800-\udfff]")


def shown_path(text: str) -> str:
    """`text` with the undecodable bytes of a file name escaped visibly (`caf\\xE9.txt`), safe to store."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        # Undecodable bytes 0x80-0xFF arrive as U+DC80-U+DCFF; other lone surrogates come from Windows names.
        return f"\\x{code - 0xDC00:02X}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04X}"

    return _SURROGATE.sub(escape, text)


@dataclass(frozen=True)
class InputFile:
    path: Path
    custodian: str
    # The ledger reason ("not a regular file: …") when this entry is listed but must never be read.
    refusal: str = ""

    @property
    def source(self) -> str:
        """The path as the ledger records and shows it."""
        return shown_path(str(self.path))

    @property
    def name(self) -> str:
        return shown_path(self.path.name)


def walk_inputs(
    paths: Iterable[Path | str], custodian: str = "", custodian_from_folder: bool = False
) -> list[InputFile]:
    """Every entry under `paths`, sorted so that control numbers follow the folder order.

    With `custodian_from_folder`, an entry's custodian is the first folder below the named path
    (`maildir/allen-p/inbox/1.` → `allen-p`), which is how collections usually arrive.
    A path the user names is taken as named, even through a link; inside a folder, links are followed
    only to files within that folder, so a link cannot pull in a whole disk, a device or loop forever.
    """
    found: list[InputFile] = []
    for raw in paths:
        root = Path(raw).absolute()
        if root.is_dir():
            found.extend(_walk_folder(root, custodian, custodian_from_folder))
        else:
            found.append(InputFile(root, custodian, _refusal(root, root, named=True)))
    return found


def _walk_folder(root: Path, custodian: str, custodian_from_folder: bool) -> list[InputFile]:
    real_root = Path(os.path.realpath(root))
    found: list[InputFile] = []

    def custodian_of(path: Path) -> str:
        if not custodian_from_folder:
            return custodian
        relative = path.relative_to(root).parts
        return shown_path(relative[0]) if len(relative) > 1 else custodian

    def unreadable_folder(error: OSError) -> None:
        folder = Path(error.filename or root)
        refusal = _failure(Reason.UNREADABLE,
                           f"The folder could not be opened ({error.strerror or error}); its files were not "
                           "ingested. Fix its permissions and ingest again.")
        found.append(InputFile(folder, custodian_of(folder) if folder != root else custodian, refusal))

    for folder, dirs, files in os.walk(root, onerror=unreadable_folder, followlinks=False):
        # os.walk counts a link to a folder as a folder but never enters it; it is an entry like any other.
        linked_folders = [name for name in dirs if os.path.islink(os.path.join(folder, name))]
        dirs[:] = sorted(name for name in dirs if name not in linked_folders)
        for name in sorted(files + linked_folders):
            path = Path(folder) / name
            found.append(InputFile(path, custodian_of(path), _refusal(path, real_root, named=False)))
    return found


def _failure(reason: Reason, detail: str) -> str:
    return shown_path(str(ExtractionFailed(reason, detail)))


_KIND_OF_SPECIAL_FILE = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _refusal(path: Path, real_root: Path, named: bool) -> str:
    """Why the entry at `path` must not be read, or "" for a regular file that may be."""
    link = ""
    try:
        if path.is_symlink():
            link = os.readlink(path)
        status = os.stat(path)  # follows the link: what would be read is what counts
    except OSError as error:
        if error.errno == errno.ELOOP:
            return _failure(Reason.LINK_NOT_FOLLOWED,
                            "It is a shortcut (symbolic link) that leads round in a loop; "
                            "nothing was ingested.")
        if link and error.errno in (errno.ENOENT, errno.ENOTDIR):
            return _failure(Reason.LINK_NOT_FOLLOWED,
                            f"It is a shortcut (symbolic link) to {link}, which does not exist; "
                            "nothing was ingested.")
        # Unreadable for another reason (permissions): the worker reports it when it tries.
        return ""
    if link and not named:
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(real_root):
            return _failure(Reason.LINK_NOT_FOLLOWED,
                            f"It is a shortcut (symbolic link) to {target}, outside the folder being "
                            "ingested; ingest that file itself if it is evidence.")
        if stat.S_ISDIR(status.st_mode):
            return _failure(Reason.LINK_NOT_FOLLOWED,
                            f"It is a shortcut (symbolic link) to the folder {target}, whose files are "
                            "ingested from where they are.")
    if stat.S_ISREG(status.st_mode):
        return ""
    kind = next((label for test, label in _KIND_OF_SPECIAL_FILE if test(status.st_mode)), "a special file")
    via = f"a shortcut (symbolic link) to {link}, " if link else ""
    return _failure(Reason.NOT_A_FILE,
                    f"It is {via}{kind}, a system object rather than a document; it was listed but not read.")
