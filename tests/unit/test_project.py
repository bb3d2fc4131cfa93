"""Project-wide rules: core stays Qt-free, migrations match the models, the command line answers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from reviewer import __version__
from reviewer.cli import build_parser
from reviewer.core.migrate import current_revision, head_revision, migrations_dir, upgrade_to_head
from reviewer.core.models import Base

ROOT = Path(__file__).resolve().parents[2]


def test_core_never_imports_qt() -> None:
    offenders = []
    for path in (ROOT / "reviewer" / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6"} for name in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_build_exactly_the_models(backend: str, tmp_path: Path,
                                              request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    else:
        server = request.getfixturevalue("postgres")
        engine = server.engine(server.new_database())
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_the_head_read_from_the_scripts_is_alembics_head() -> None:
    # Opening a case compares its revision with this head without importing Alembic.
    assert head_revision() == ScriptDirectory(str(migrations_dir())).get_current_head()


def test_version_and_help_list_every_command() -> None:
    result = subprocess.run([sys.executable, "-m", "reviewer", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and __version__ in result.stdout
    help_run = subprocess.run([sys.executable, "-m", "reviewer", "--help"], capture_output=True, text=True)
    help_text = help_run.stdout
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for required in ("init", "ingest", "status", "docs", "text", "exceptions", "check", "reindex"):
        assert required in commands
    for name in commands:
        assert name in help_text


def test_an_error_is_one_sentence_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "reviewer", "status", str(tmp_path / "nowhere")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "is not a Reviewer case" in result.stderr


def test_the_command_line_starts_without_loading_what_its_commands_use() -> None:
    # Building every command's options (what `reviewer --version` and `--help` do) loads no database,
    # PDF, index or GUI library: those come in only with the command that uses them.
    probe = ("import sys; from reviewer.cli import build_parser; build_parser(); "
             "print(sorted({'sqlalchemy', 'pymupdf', 'whoosh', 'PySide6', 'alembic', 'sklearn', 'scipy'} "
             "& set(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


# What importing each of these would cost a command that does not use it: readers of documents, the GUI,
# the index, arrays, terminal tables, the package metadata.
HEAVY = {"pymupdf", "fitz", "lxml", "extract_msg", "pypff", "PySide6", "whoosh", "numpy", "sqlalchemy",
         "alembic", "rich", "importlib.metadata"}
READERS_AND_GUI = {"pymupdf", "fitz", "lxml", "extract_msg", "pypff", "docx", "openpyxl", "pptx", "PySide6"}
# What opening a case that is already current never needs: the migration machinery.
MIGRATIONS = {"alembic", "mako"}


def _modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stdout.split()) if result.stdout.strip() else set()


def test_importing_the_command_line_loads_nothing_heavy() -> None:
    assert _modules_after("import reviewer.cli") & HEAVY == set()


def test_version_loads_nothing_heavy_but_the_package_metadata() -> None:
    loaded = _modules_after("from reviewer.cli import main\ntry:\n    main(['--version'])\n"
                            "except SystemExit:\n    pass")
    assert loaded & HEAVY == {"importlib.metadata"}


def test_searching_loads_no_document_reader_and_no_gui(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "note.txt").write_text("The warrant was served late.")
    case = tmp_path / "case"
    for command in (["init", str(case), "--name", "Probe"], ["ingest", str(case), str(tmp_path / "in")]):
        subprocess.run([sys.executable, "-m", "reviewer", *command], check=True, capture_output=True)
    search = f"main(['search', {str(case)!r}, 'warrant', '--json'])"
    loaded = _modules_after(f"from reviewer.cli import main\nassert {search} == 0")
    assert "whoosh" in loaded  # it did search
    assert loaded & (READERS_AND_GUI | MIGRATIONS) == set()
