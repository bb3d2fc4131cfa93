"""The largest resident set any process of a process tree reached, sampled from /proc (Linux only).

A fork server's ingest workers are not children of the process that asked for them, so `wait4` and
`getrusage` miss them; walking /proc's parent links finds every process of the tree. Used by the streaming
tests and by benchmarks/ingest.py.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path


class TreePeak:
    def __init__(self, root: int) -> None:
        self.root = root
        self.peaks: dict[int, int] = {}  # pid -> VmHWM in kB
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def stop(self) -> int:
        """Peak resident set, in kB, of the largest process (0 without /proc)."""
        self.running = False
        self.thread.join()
        return max(self.peaks.values(), default=0)

    def _sample(self) -> None:
        while self.running:
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]))
            time.sleep(0.05)

    def _tree(self) -> set[int]:
        parents: dict[int, int] = {}
        proc = Path("/proc")
        if not proc.is_dir():
            return set()
        for entry in proc.iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, grew = {self.root}, True
        while grew:
            grown = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= grown
            grew = bool(grown)
        return tree
