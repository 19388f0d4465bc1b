"""``Store``: the one object the rest of dlstudio uses to reach the database."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from dlstudio.store.curves import CurvesMixin
from dlstudio.store.faults import out_of_space, storage_problem
from dlstudio.store.lr_tests import LrTestsMixin
from dlstudio.store.run_reads import RunReadsMixin
from dlstudio.store.run_records import RunRecordsMixin
from dlstudio.store.runs import RunsMixin
from dlstudio.store.sweeps import SweepsMixin
from dlstudio.store.writer import MetricWritesMixin

log = logging.getLogger(__name__)


class Store(RunsMixin, RunReadsMixin, RunRecordsMixin, MetricWritesMixin, CurvesMixin,
            SweepsMixin, LrTestsMixin):
    """Runs, metrics, tags, sweeps, trials and LR tests in one SQLite file.

    Opening creates the file (WAL mode) or upgrades an older one; a newer, foreign or
    corrupt file raises ``ConfigError`` and is left untouched. Each instance owns one
    connection, usable only from the thread that opened it: a worker thread opens
    ``Store(store.path, mark_orphans=False)``. Use it as a context manager or call
    ``close()``.

    ``mark_orphans``: on open, turn ``running`` runs whose process on this host is gone
    into ``interrupted`` (see ``mark_orphans_interrupted``). On a full disk that write
    cannot happen; the file still opens (a warning says so), so that what it holds can
    still be read.
    """

    def __init__(self, path: str | Path, *, mark_orphans: bool = True,
                 busy_timeout: float = 5.0):
        super().__init__(path, busy_timeout=busy_timeout)
        if mark_orphans and not self.read_only:  # a read-only file keeps what it says
            try:
                self.mark_orphans_interrupted()
            except (sqlite3.Error, OSError) as exc:
                if not out_of_space(exc):
                    self.close()
                    raise
                log.warning("warning: runs whose process ended still show as running: %s",
                            storage_problem(exc, self.path))
            except BaseException:
                self.close()
                raise
