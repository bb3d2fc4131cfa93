"""The search index of a shared case lives in the shared folder, built where documents are added: another
client searches it at once, sees new documents within seconds, never reads a half-written generation,
and keeps reading files a commit or a rebuild replaced until it has moved on."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from reviewer.core.case import Case
from reviewer.core.ingest.pipeline import IngestOptions, ingest
from reviewer.core.search.index import TextIndex
from reviewer.core.search.repair import repair
from reviewer.core.search.retiring import LEDGER, RETIRE_SECONDS, retire_unused
from reviewer.core.search.service import SearchService
from tests.team.conftest import fill

BATCHES, PER_BATCH = 10, 6


def batch_folder(root: Path, batch: int) -> Path:
    folder = root / f"batch{batch:02d}"
    folder.mkdir(parents=True)
    for n in range(PER_BATCH):
        (folder / f"d{n}.txt").write_text(f"Ledger entry {batch}-{n}: a zebracrossing report.\n")
    return folder


def test_a_second_client_sees_documents_the_first_adds_within_seconds(shared_case: Path,
                                                                      tmp_path: Path) -> None:
    with Case.open(shared_case) as reader, SearchService.open(reader) as search:
        assert search.repaired is None  # nothing to rebuild: the index came with the case
        assert search.count("zebracrossing") == 0
        added = subprocess.run([sys.executable, "-m", "reviewer", "ingest", str(shared_case),
                                str(batch_folder(tmp_path, 1)), "--custodian", "reyes", "--jobs", "1"],
                               capture_output=True, text=True, timeout=180)
        assert added.returncode == 0, added.stderr
        finished = time.monotonic()
        while search.count("zebracrossing") < PER_BATCH:
            assert time.monotonic() - finished < 5, "the other client's documents did not appear in 5 s"
            time.sleep(0.1)
        assert search.count("zebracrossing AND custodian:reyes") == PER_BATCH


READER = """
import json, sys, time
from reviewer.core.case import Case
from reviewer.core.search.service import SearchService
counts, errors, deadline = [], [], time.monotonic() + float(sys.argv[2])
with Case.open(sys.argv[1]) as case, SearchService.open_ready(case) as search:
    print("ready", flush=True)
    while time.monotonic() < deadline:
        try:
            counts.append(len(search.backend.matching(search.parse("zebracrossing"))))
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
print(json.dumps({"counts": counts, "errors": errors}))
"""


def test_a_reader_sees_only_whole_commits_while_a_writer_adds_and_merges(shared_case: Path,
                                                                         tmp_path: Path) -> None:
    # The reader is another process, as another machine would be; the writer commits BATCHES times,
    # more than the segments after which a commit merges them all.
    reader = subprocess.Popen([sys.executable, "-c", READER, str(shared_case), "25"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
    with Case.open(shared_case) as writer:
        for batch in range(BATCHES):
            ingest(writer, [batch_folder(tmp_path, batch)], IngestOptions(custodian="reyes", jobs=1))
        index = TextIndex(writer.index_dir).open()
        segments = len(index.reader().leaf_readers())
    assert reader.poll() is None, "the reader stopped before the writer finished"
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    seen = json.loads(out.splitlines()[-1])
    assert seen["errors"] == []
    counts = seen["counts"]
    assert len(counts) > 50
    # Each commit adds one whole batch; a half-written generation would show a count between them.
    assert set(counts) <= {PER_BATCH * n for n in range(BATCHES + 1)}
    assert counts == sorted(counts) and counts[-1] == PER_BATCH * BATCHES
    assert len(set(counts)) > 3  # it really read while the writer committed
    assert segments < BATCHES  # and the writer merged segments meanwhile


def test_files_a_commit_replaces_stay_readable_until_retired(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    with Case.create(tmp_path / "case") as case:
        fill(case, tmp_path / "files")
        with SearchService.open(case) as old_reader:
            assert old_reader.count("warrant") == 3
            generation = old_reader.backend.version()["generation"]
            for batch in range(BATCHES):  # enough commits to merge every segment the reader has open
                ingest(case, [batch_folder(tmp_path, batch)], IngestOptions(jobs=1))
            index = TextIndex(case.index_dir)
            retired = json.loads((case.index_dir / LEDGER).read_text())
            assert any(name.endswith(".seg") for name in retired) and f"_MAIN_{generation}.toc" in retired
            # The generation the reader is on is still whole on disk, for as long as it may need it.
            assert all((case.index_dir / name).exists() for name in retired)
            assert old_reader.count("zebracrossing") == PER_BATCH * BATCHES  # and it moves on when asked

        live = index.open()
        toc = live.latest_generation()
        retire_unused(case.index_dir, "MAIN", toc, live._segments(), now=time.time() + RETIRE_SECONDS + 1)
        assert not any((case.index_dir / name).exists() for name in retired)
        assert json.loads((case.index_dir / LEDGER).read_text()) == {}
        assert len(TextIndex(case.index_dir).doc_ids()) == 6 + PER_BATCH * BATCHES


def test_a_rebuild_keeps_the_replaced_index_for_readers_still_on_it(shared_case: Path) -> None:
    with Case.open(shared_case) as reader, SearchService.open(reader) as search:
        assert search.count("warrant") == 3
        rebuilt = subprocess.run([sys.executable, "-m", "reviewer", "reindex", str(shared_case)],
                                 capture_output=True, text=True, timeout=180)
        assert rebuilt.returncode == 0, rebuilt.stderr
        retired = list(reader.index_dir.parent.glob("index.retired-*"))
        assert len(retired) == 1 and any(retired[0].iterdir())
        assert search.count("warrant") == 3  # moved to the rebuilt index at its next search
        assert repair(reader).message is None
