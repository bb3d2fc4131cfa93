"""Text features for prioritized review: TF-IDF of words and word pairs, computed once per document and
cached in the case folder, so that a retraining only reads a matrix.

Each document's stored text (its first MAX_CHARS characters) is turned into counts of its words and of its
pairs of consecutive words by scikit-learn's HashingVectorizer, with the search's own definition of a
word (reviewer.core.search.analysis.WORD). Hashing needs no vocabulary, so a document's counts never
change when others arrive: new documents are counted and appended, nothing is recounted. The counts live
in `analytics/features/` as chunks of a sparse matrix (one .npz per run that added documents, merged when
there are many) with a manifest; the folder is derived data, rebuilt when missing or made with other
settings. A lock file keeps two processes from adding the same documents at once.

TF-IDF is computed from the counts when a model is trained: sublinear term frequency (1 + log tf) times
smoothed inverse document frequency over the documents under review, rows scaled to unit length. Terms
found in a single document are dropped (they cannot help rank any other one), which also halves the
matrix.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from reviewer.core.case import Case
from reviewer.core.models import Document
from reviewer.core.progress import CancelToken, Progress, ProgressUpdate, no_progress
from reviewer.core.store import _atomic_write
from reviewer.core.writer_lock import FileLock, WriterLock

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

FEATURES_DIR = Path("analytics") / "features"
MANIFEST = "manifest.json"
HASH_BITS = 20
MAX_CHARS = 200_000  # a huge document's first 200,000 characters say what it is about
BATCH = 2_000
MAX_CHUNKS = 12
# Everything that changes the counts; a cache made with other settings is rebuilt.
SETTINGS = {"format": 1, "hash_bits": HASH_BITS, "ngrams": [1, 2], "max_chars": MAX_CHARS,
            "word": "reviewer.core.search.analysis.WORD"}


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    from reviewer.core.search.analysis import WORD

    return HashingVectorizer(n_features=2 ** HASH_BITS, ngram_range=(1, 2), alternate_sign=False, norm=None,
                             token_pattern=WORD.pattern, lowercase=True, dtype=_float32())


def _float32() -> Any:
    import numpy as np

    return np.float32


class FeatureCache:
    """The counts of every document counted so far, in `analytics/features/` of the case."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.folder = case.root / FEATURES_DIR
        self.lock = WriterLock(FileLock(self.folder.parent / "features.lock", case.user), case.name)

    def counts(self, doc_ids: Sequence[int], progress: Progress = no_progress,
               cancel: CancelToken | None = None) -> tuple[np.ndarray, csr_matrix]:
        """Word and word-pair counts of `doc_ids` (sorted ascending), counting the documents not counted
        yet first. Rows follow the sorted ids."""
        import numpy as np
        from scipy.sparse import vstack

        wanted = np.unique(np.asarray(doc_ids, dtype=np.int64))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock.acquire(wait=600.0, cancel=cancel)
        try:
            chunks = self._load()
            have = np.concatenate([ids for ids, _ in chunks]) if chunks else np.zeros(0, np.int64)
            missing = np.setdiff1d(wanted, have, assume_unique=True)
            if len(missing):
                chunks.append(self._count(missing, progress, cancel))
                self._save(chunks)
            if len(chunks) > MAX_CHUNKS:
                chunks = [self._merge(chunks)]
                self._save(chunks, replace=True)
        finally:
            self.lock.release()
        ids = np.concatenate([ids for ids, _ in chunks])
        matrix = vstack([m for _, m in chunks], format="csr")
        if np.any(ids[1:] < ids[:-1]):
            order = np.argsort(ids, kind="stable")
            ids, matrix = ids[order], matrix[order]
        keep = np.isin(ids, wanted, assume_unique=True)
        return (ids, matrix) if keep.all() else (ids[keep], matrix[keep])

    def _count(self, doc_ids: np.ndarray, progress: Progress,
               cancel: CancelToken | None) -> tuple[np.ndarray, csr_matrix]:
        import numpy as np
        from scipy.sparse import vstack

        vectorizer = _vectorizer()
        with self.case.db.reader() as session:
            controls = dict(session.execute(
                select(Document.id, Document.control).where(Document.id.in_(doc_ids.tolist()))).all())
        parts = []
        total = len(doc_ids)
        for start in range(0, total, BATCH):
            if cancel is not None:
                cancel.raise_if_cancelled()
            batch = doc_ids[start:start + BATCH]
            texts = [self.case.texts.read(controls.get(int(i), ""), int(i))[:MAX_CHARS] for i in batch]
            parts.append(vectorizer.transform(texts))
            progress(ProgressUpdate("Reading the documents' words", min(start + BATCH, total), total))
        return doc_ids, vstack(parts, format="csr").astype(np.float32)

    # --- the folder -------------------------------------------------------------------------------------
    def _manifest(self) -> dict[str, Any]:
        path = self.folder / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"settings": SETTINGS, "chunks": []}
        if manifest.get("settings") != SETTINGS:
            return {"settings": SETTINGS, "chunks": []}
        return manifest

    def _load(self) -> list[tuple[np.ndarray, csr_matrix]]:
        import numpy as np
        from scipy.sparse import csr_matrix

        chunks = []
        for name in self._manifest()["chunks"]:
            try:
                with np.load(self.folder / name) as stored:
                    matrix = csr_matrix((stored["data"], stored["indices"], stored["indptr"]),
                                        shape=tuple(stored["shape"]))
                    chunks.append((stored["ids"], matrix))
            except (OSError, ValueError, KeyError):
                return []  # a damaged cache is counted again from the texts
        return chunks

    def _save(self, chunks: list[tuple[np.ndarray, csr_matrix]], replace: bool = False) -> None:
        """Write chunks not on disk yet (all of them with `replace`), then the manifest naming them."""
        import numpy as np

        manifest = self._manifest()
        names: list[str] = [] if replace else list(manifest["chunks"])
        for ids, matrix in chunks[len(names):]:
            number = 1 + max((int(n[6:12]) for n in os.listdir(self.folder) if n.startswith("chunk-")),
                             default=0)
            name = f"chunk-{number:06d}.npz"

            def write(out: Any, ids: np.ndarray = ids, matrix: csr_matrix = matrix) -> None:
                np.savez(out, ids=ids, data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
                         shape=np.asarray(matrix.shape))

            _atomic_write(self.folder / name, write)
            names.append(name)
        text = json.dumps({"settings": SETTINGS, "chunks": names}, indent=1)
        _atomic_write(self.folder / MANIFEST, lambda out: out.write(text.encode("utf-8")))
        for stale in set(os.listdir(self.folder)) - set(names) - {MANIFEST}:
            if stale.startswith("chunk-"):
                (self.folder / stale).unlink(missing_ok=True)

    def _merge(self, chunks: list[tuple[np.ndarray, csr_matrix]]) -> tuple[np.ndarray, csr_matrix]:
        import numpy as np
        from scipy.sparse import vstack

        return np.concatenate([ids for ids, _ in chunks]), vstack([m for _, m in chunks], format="csr")


def tf_idf(counts: csr_matrix) -> csr_matrix:
    """Sublinear TF-IDF rows of unit length; terms in fewer than two documents dropped."""
    import numpy as np
    from sklearn.preprocessing import normalize

    matrix = counts.copy()
    documents = matrix.shape[0]
    frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = (np.log((1 + documents) / (1 + frequency)) + 1).astype(np.float32)
    idf[frequency < 2] = 0
    matrix.data = (1 + np.log(matrix.data)) * idf[matrix.indices]
    matrix.eliminate_zeros()
    return normalize(matrix, copy=False)
