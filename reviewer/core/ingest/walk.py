"""Turn the paths a user names into the ordered list of input files, each with its custodian."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputFile:
    path: Path
    custodian: str


def walk_inputs(
    paths: Iterable[Path | str], custodian: str = "", custodian_from_folder: bool = False
) -> list[InputFile]:
    """Every file under `paths`, sorted so that control numbers follow the folder order.

    With `custodian_from_folder`, a file's custodian is the first folder below the named path
    (`maildir/allen-p/inbox/1.` → `allen-p`), which is how collections usually arrive.
    Linked folders are not followed, so a link cannot pull in a whole disk or loop forever.
    """
    found: list[InputFile] = []
    for raw in paths:
        root = Path(raw).absolute()
        if root.is_file():
            found.append(InputFile(root, custodian))
            continue
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder) / name
                who = custodian
                if custodian_from_folder:
                    relative = path.relative_to(root).parts
                    who = relative[0] if len(relative) > 1 else custodian
                found.append(InputFile(path, who))
    return found
