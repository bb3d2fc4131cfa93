"""What every worker process Reviewer starts needs: to end when the process that started it is gone.

A worker started from a fork server is not that process's child, and a killed parent leaves it waiting
for work for ever (a queue it holds both ends of never reports the end); each worker therefore watches
its parent's pid and exits when it is gone.
"""

from __future__ import annotations

import os
import threading
import time

_orphan_watch_started = False


def watch_parent(parent_pid: int) -> None:
    """Exit when `parent_pid` is gone (call once in each worker)."""
    global _orphan_watch_started
    if os.name == "posix" and not _orphan_watch_started:
        _orphan_watch_started = True
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()


def _exit_when_orphaned(parent_pid: int) -> None:
    while True:
        time.sleep(1.0)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid was reused by someone else's process: ours is gone
            os._exit(1)
