"""What every command shares: opening a case, printing JSON or CSV, a progress bar with Ctrl-C to stop."""

from __future__ import annotations

import csv
import json
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.core.progress import CancelToken, ProgressUpdate

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from reviewer.core.case import Case


class _LazyConsole:
    """A rich Console made when a command first prints, so that starting the CLI does not load rich."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


console = _LazyConsole(stderr=True, soft_wrap=True)  # progress, messages and errors (one line each)
stdout_console = _LazyConsole()  # tables that are the command's output


def fail(message: str, code: int = 1) -> int:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return code


def open_case(path: str) -> Case:
    from reviewer.core.case import Case  # here: a command that opens no case never loads the database layer

    return Case.open(path)


def matching_ids(case: Case, query: str) -> list[int]:
    """The documents a review query finds, in document order (the index checked first, with progress)."""
    from reviewer.core.search.service import SearchService

    with progress_bar("index") as (progress, cancel):
        search = SearchService.open(case, progress, cancel)
    with search:
        if search.repaired:
            console.print(f"[yellow]{search.repaired}[/]", highlight=False)
        return sorted(search.matching_ids(query))


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_records(records: Sequence[Any]) -> None:
    """Dataclass records (tags, audit events, redactions, production history) as a JSON array."""
    print_json([asdict(record) for record in records])


def titled_table(title: str, columns: Sequence[str]) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    return table


def write_csv(path: str | None, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """CSV to a file (UTF-8 with BOM so Excel opens it right) or to standard output."""
    def dump(stream: Any) -> None:
        writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()})

    if path in (None, "-"):
        dump(sys.stdout)
    else:
        with Path(path).open("w", newline="", encoding="utf-8-sig") as stream:
            dump(stream)


def _rich_progress(quiet: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), console=console.get(),
                    disable=quiet or not console.is_terminal)


@contextmanager
def progress_bar(label: str, quiet: bool = False) -> Iterator[tuple[Any, CancelToken]]:
    """A rich progress bar and a cancel token that the first Ctrl-C sets (a second one kills). The bar
    (and rich's progress module) comes with the first progress report, so a command that has nothing
    long to do — a search on a current index — never builds one."""
    cancel = CancelToken()

    def on_interrupt(_signum: int, _frame: Any) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()
        console.print("[yellow]Stopping after the current files… (Ctrl-C again to abort at once)[/]")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    started = time.monotonic()
    with ExitStack() as shown:
        bars: list[tuple[Any, Any]] = []

        def update(event: ProgressUpdate) -> None:
            if not bars:
                bar = shown.enter_context(_rich_progress(quiet))
                bars.append((bar, bar.add_task(label, total=None, detail="")))
            bar, task = bars[0]
            detail = "  ".join(f"{k} {v:,}" for k, v in event.counts.items()) or event.message
            elapsed = time.monotonic() - started
            if event.done and elapsed > 1:
                detail += f"  {event.done / elapsed:,.1f}/s"
            bar.update(task, description=event.stage, completed=event.done, total=event.total, detail=detail)

        try:
            yield update, cancel
        finally:
            signal.signal(signal.SIGINT, previous)
