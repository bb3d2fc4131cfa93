"""walk_inputs lists every entry of an input folder; what must not be read carries a one-line reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewer.core.ingest.walk import InputFile, shown_path, walk_inputs
from tests import hostile_files


def entries(folder: Path) -> dict[str, InputFile]:
    return {entry.name: entry for entry in walk_inputs([folder])}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inside = tmp_path / "input"
    inside.mkdir()
    (inside / "letter.txt").write_text("A letter.")
    return inside


def test_a_name_that_is_not_utf8_is_kept_and_shown_escaped(folder: Path) -> None:
    path = hostile_files.latin1_named_file(folder)

    entry = entries(folder)[hostile_files.LATIN1_NAME_SHOWN]

    assert entry.path == path and entry.path.read_bytes()  # still opens under its real name
    assert entry.source.endswith("/" + hostile_files.LATIN1_NAME_SHOWN)
    assert entry.source.encode("utf-8")  # storable: no surrogates left
    assert entry.refusal == ""


def test_a_custodian_folder_whose_name_is_not_utf8(folder: Path) -> None:
    custodian_folder = folder / os.fsdecode(b"Ren\xe9e")
    custodian_folder.mkdir()
    (custodian_folder / "mail.txt").write_text("x")

    [entry] = [e for e in walk_inputs([folder], custodian_from_folder=True) if e.name == "mail.txt"]

    assert entry.custodian == "Ren\\xE9e"


def test_shown_path_escapes_only_what_is_not_text() -> None:
    assert shown_path("plain – café.txt") == "plain – café.txt"
    assert shown_path(os.fsdecode(b"\xff\xfe.bin")) == "\\xFF\\xFE.bin"


def test_pipes_and_sockets_are_listed_never_opened(folder: Path) -> None:
    hostile_files.fifo(folder)
    hostile_files.unix_socket(folder)

    listed = entries(folder)

    assert listed["pipe"].refusal.startswith("not a regular file: It is a named pipe")
    assert listed["socket"].refusal.startswith("not a regular file: It is a socket")
    assert listed["letter.txt"].refusal == ""


def test_links_are_followed_only_to_files_inside_the_input(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("Not evidence.")
    (folder / "sub").mkdir()
    hostile_files.link(folder, "to-letter", folder / "letter.txt")
    hostile_files.link(folder, "to-outside", outside)
    hostile_files.link(folder, "to-zero", "/dev/zero")
    hostile_files.link(folder, "to-pipe", hostile_files.fifo(folder / "sub", "inner-pipe"))
    hostile_files.link(folder, "to-folder", folder / "sub")
    hostile_files.link(folder, "to-parent", tmp_path)
    hostile_files.link(folder, "loop", folder / "loop")
    hostile_files.link(folder, "dangling", folder / "gone.txt")

    listed = entries(folder)

    assert listed["to-letter"].refusal == ""
    for name in ("to-outside", "to-zero", "to-parent"):
        assert "outside the folder being ingested" in listed[name].refusal, name
    assert listed["to-pipe"].refusal.startswith("not a regular file:")
    assert listed["to-folder"].refusal.startswith("link not followed:")
    assert "leads round in a loop" in listed["loop"].refusal
    assert "does not exist" in listed["dangling"].refusal
    # Nothing below a linked folder is walked twice, and nothing outside is walked at all.
    assert sorted(e.path.name for e in walk_inputs([folder]) if e.path.parent != folder) == ["inner-pipe"]


def test_a_named_device_is_refused(tmp_path: Path) -> None:
    [entry] = walk_inputs(["/dev/zero"])

    assert entry.refusal.startswith("not a regular file: It is a character device")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can open any folder")
def test_a_folder_that_cannot_be_opened_is_listed(folder: Path) -> None:
    locked = folder / "locked"
    locked.mkdir()
    (locked / "secret.txt").write_text("x")
    locked.chmod(0)
    try:
        listed = entries(folder)
    finally:
        locked.chmod(0o755)

    assert listed["locked"].refusal.startswith("unreadable: The folder could not be opened")
