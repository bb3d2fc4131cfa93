"""Index repair is explicit: a damaged, outdated or incomplete index is repaired when a case is opened,
before the first search, and says so; a rebuild is written beside the live index and swapped in, so a kill
mid-rebuild leaves the old index answering; searches never rebuild, and two of them never race one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from reviewer.cli import main
from reviewer.core import inventory
from reviewer.core.case import Case
from reviewer.core.errors import CancelledError
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.models import Document
from reviewer.core.progress import CancelToken, ProgressUpdate
from reviewer.core.search import build
from reviewer.core.search.index import VERSION_FILE, SearchIndexError, TextIndex
from reviewer.core.search.repair import inspect, rebuild, repair
from reviewer.core.search.service import SearchService

WORDS = ("motion", "warrant", "deadline", "custody", "ledger", "invoice", "witness", "statement", "exhibit")


def _text(n: int, repeat: int = 12) -> str:
    """Document n: its number, case words `repeat` times over, and every tenth signed by the treasurer."""
    words = [WORDS[(n * 7 + k) % len(WORDS)] for k in range(40)]
    signed = "\nThe treasurer signed." if n % 10 == 0 else ""
    return f"Document number n{n:05d}. " + " ".join(words * repeat) + signed


@pytest.fixture(scope="module")
def many_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case of 2,000 longer documents, so that rebuilding its index takes several seconds."""
    root = tmp_path_factory.mktemp("many")
    source = root / "docs"
    source.mkdir()
    for n in range(2000):
        (source / f"d{n:05d}.txt").write_text(_text(n, repeat=30))
    with Case.create(root / "case", name="Many documents") as case:
        ingest(case, [source], IngestOptions(custodian="many", jobs=2))
    return root / "case"


@pytest.fixture(scope="module")
def small_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small")
    source = root / "docs"
    source.mkdir()
    for n in range(40):
        (source / f"d{n:02d}.txt").write_text(_text(n))
    with Case.create(root / "case", name="Small") as case:
        ingest(case, [source], IngestOptions(custodian="small", jobs=1))
    return root / "case"


def _copy(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


@pytest.fixture
def small(small_template: Path, tmp_path: Path) -> Iterator[Case]:
    with Case.open(_copy(small_template, tmp_path)) as case:
        yield case


def _damage(index_dir: Path) -> None:
    segment = max(index_dir.glob("*.seg"), key=lambda p: p.stat().st_size)
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])


def _answers(case: Case) -> dict[str, list[int]]:
    """What a few searches find, without repairing anything first."""
    with SearchService.open_ready(case) as service:
        return {query: sorted(service.matching_ids(query))
                for query in ("treasurer", "warrant w/3 deadline", '"document number"', "n00042", "motion")}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- a kill mid-rebuild -------------------------------------------------------------------------------------
def test_kill_during_reindex_leaves_the_old_index_answering(many_template: Path, tmp_path: Path) -> None:
    root = _copy(many_template, tmp_path)
    with Case.open(root) as case:
        before = _answers(case)
    assert len(before["treasurer"]) == 200 and len(before["motion"]) == 2000
    reindex = subprocess.Popen([sys.executable, "-m", "reviewer", "reindex", str(root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    building = root / "index.new"
    deadline = time.monotonic() + 60
    while not building.exists() and time.monotonic() < deadline and reindex.poll() is None:
        time.sleep(0.01)
    time.sleep(0.5)  # into adding documents: the whole rebuild takes several seconds
    assert reindex.poll() is None, f"reindex ended before it could be killed: {reindex.stderr.read()!r}"
    os.kill(reindex.pid, signal.SIGKILL)
    assert reindex.wait(30) == -signal.SIGKILL
    reindex.stderr.close()
    assert building.exists()  # killed mid-rebuild: what it was writing is still there

    with Case.open(root) as case:
        assert _answers(case) == before  # the old index answers, unchanged
        with SearchService.open(case) as service:
            assert service.repaired == "The search index was repaired: an interrupted rebuild was cleaned up."
            assert sorted(service.matching_ids("treasurer")) == before["treasurer"]
        assert not building.exists() and not (root / "index.old").exists()
        assert inspect(case).sound
        assert inventory.check(case) == []


def test_reindex_swaps_the_new_index_in_under_an_open_search(small: Case) -> None:
    with SearchService.open(small) as service:
        before = sorted(service.matching_ids("treasurer"))
        build = service.version()["build"]
        assert rebuild(small) == 40
        assert sorted(service.matching_ids("treasurer")) == before  # follows the swap, no error
        assert service.version()["build"] != build
    assert not (small.root / "index.new").exists() and not (small.root / "index.old").exists()


@pytest.mark.parametrize("new_complete", [True, False])
def test_a_swap_cut_between_its_two_renames_is_finished_or_undone(small: Case, new_complete: bool) -> None:
    before = _answers(small)
    live, new, old = small.index_dir, small.root / "index.new", small.root / "index.old"
    shutil.copytree(live, new)
    if not new_complete:
        (new / VERSION_FILE).unlink()  # killed before the rebuild was sealed
    live.rename(old)  # killed here, before index.new became index
    done = repair(small)
    assert done.message == "The search index was repaired: an interrupted rebuild was cleaned up."
    assert live.is_dir() and not new.exists() and not old.exists()
    assert _answers(small) == before


def test_stopping_a_rebuild_keeps_the_live_index(small: Case) -> None:
    before = _answers(small)
    cancel = CancelToken()

    def stop_after_the_first_batch(update: ProgressUpdate) -> None:
        if update.stage == "reindex" and update.done:
            cancel.cancel()

    with pytest.raises(CancelledError):
        repair(small, stop_after_the_first_batch, cancel, rebuild=True)
    assert not (small.root / "index.new").exists()
    assert _answers(small) == before


def test_stopping_a_rebuild_while_its_workers_merge_keeps_the_live_index(
        small: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "SLICE", 7)  # several segments per worker, so that there is merging to stop
    before = _answers(small)
    cancel = CancelToken()
    merging: list[ProgressUpdate] = []

    def stop_once_merging(update: ProgressUpdate) -> None:
        if update.message == "Writing the index…":
            merging.append(update)
            cancel.cancel()

    with pytest.raises(CancelledError):
        repair(small, stop_once_merging, cancel, rebuild=True)
    assert merging
    assert not (small.root / "index.new").exists()
    assert _answers(small) == before


# --- repaired before the first search, and said -------------------------------------------------------------
def test_a_damaged_index_is_repaired_before_the_first_cli_search(small: Case,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    expected = _answers(small)["treasurer"]
    _damage(small.index_dir)
    with pytest.raises(SearchIndexError, match="damaged.*reviewer reindex"):
        SearchService.open_ready(small)  # searching never repairs
    code, out, err = run(capsys, "search", str(small.root), "treasurer", "--limit", "0")
    assert code == 0, err
    assert out.strip() == f"{len(expected)} documents"
    assert "The search index was repaired: it is damaged (" in err
    assert "so it was rebuilt from the database" in err
    code, out, err = run(capsys, "search", str(small.root), "treasurer", "--limit", "0")
    assert "repaired" not in err  # once repaired, it stays quiet


def test_reindex_says_what_it_repaired(small: Case, capsys: pytest.CaptureFixture[str]) -> None:
    (small.index_dir / VERSION_FILE).unlink()
    code, _out, err = run(capsys, "reindex", str(small.root))
    assert code == 0, err
    assert "The search index was repaired: it has no version record" in err
    assert "Indexed 40 documents." in err
    code, _out, err = run(capsys, "reindex", str(small.root))
    assert code == 0 and "repaired" not in err and "Indexed 40 documents." in err


def test_an_index_broken_under_an_open_search_says_to_repair(small: Case) -> None:
    with SearchService.open(small) as service:
        assert service.count("treasurer") == 4
        (small.index_dir / VERSION_FILE).unlink()
        with pytest.raises(SearchIndexError, match="repair it"):
            service.count("treasurer")


def test_documents_missing_from_the_index_are_added_and_said(small: Case) -> None:
    with small.db.session() as session:
        session.execute(update(Document).where(Document.id <= 3).values(indexed=False))
    assert inspect(small).pending == 3
    done = repair(small)
    assert done.message == "The search index was repaired: 3 documents were missing from it and were added."
    assert inspect(small).sound
    assert _answers(small)["motion"] == list(range(1, 41))


# --- never two rebuilds at once -----------------------------------------------------------------------------
def test_two_threads_searching_right_after_open_never_race_a_rebuild(small: Case) -> None:
    expected = _answers(small)
    _damage(small.index_dir)
    start = threading.Barrier(2)
    results: dict[int, tuple[str | None, list[int], int]] = {}
    errors: list[BaseException] = []

    def search_after_open(number: int) -> None:
        rebuilds: list[ProgressUpdate] = []
        try:
            with Case.open(small.root) as case:
                start.wait()
                with SearchService.open(case, progress=rebuilds.append) as service:
                    found = sorted(service.matching_ids("warrant w/3 deadline"))
            results[number] = (service.repaired, found,
                               sum(1 for u in rebuilds if u.stage == "reindex" and u.done == 0))
        except BaseException as error:  # reported below, with the thread's other outcome
            errors.append(error)

    threads = [threading.Thread(target=search_after_open, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    wanted = expected["warrant w/3 deadline"]
    assert [found for _message, found, _rebuilds in results.values()] == [wanted, wanted]
    messages = [message for message, _found, _rebuilds in results.values()]
    # One repaired; the other waited for it and found the index sound.
    assert sum(1 for m in messages if m and "damaged" in m) == 1
    assert sum(rebuilds for _m, _f, rebuilds in results.values()) == 1


def test_a_repair_waits_for_another_then_finds_the_index_sound(small: Case) -> None:
    _damage(small.index_dir)
    first_started = threading.Event()
    outcome: dict[str, object] = {}

    def slow_progress(update: ProgressUpdate) -> None:
        if update.stage == "reindex":
            first_started.set()
            time.sleep(0.05)

    def first() -> None:
        outcome["first"] = repair(small, slow_progress).message

    thread = threading.Thread(target=first)
    thread.start()
    assert first_started.wait(30)
    waits: list[ProgressUpdate] = []
    with Case.open(small.root) as other:
        outcome["second"] = repair(other, waits.append).message
    thread.join(30)
    assert "damaged" in str(outcome["first"])
    assert outcome["second"] is None
    assert any("Waiting for another" in u.message for u in waits)


# --- a case without documents -------------------------------------------------------------------------------
def test_a_case_without_documents_checks_reindexes_and_searches(case: Case,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = str(case.root)
    code, out, err = run(capsys, "check", root)
    assert code == 0, out + err
    code, _out, err = run(capsys, "reindex", root)
    assert code == 0 and "Indexed 0 documents." in err
    code, out, err = run(capsys, "check", root)
    assert code == 0, out + err
    code, out, err = run(capsys, "search", root, "anything")
    assert code == 0 and out.startswith("0 documents") and "repaired" not in err
    assert len(TextIndex(case.index_dir).doc_ids()) == 0
