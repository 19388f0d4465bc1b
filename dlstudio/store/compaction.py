"""Giving back the space that deleted runs left inside the database file.

SQLite keeps the pages a delete frees and reuses them for new rows, so deleting runs
never shrinks the file. ``compact`` rewrites it without them (``VACUUM``), then folds
the write-ahead log back into the file and truncates it: that log grows to about the
file's size during the rewrite.

The rewrite holds the write lock from start to end, longer than a training process
waits for it (the busy timeout), so it refuses while anything on this file trains.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dlstudio.errors import ConfigError
from dlstudio.formatting import count, format_bytes
from dlstudio.store.base import StoreBase

if TYPE_CHECKING:
    from dlstudio.store.store import Store

# The rewrite needs room for a copy of what is kept (its temporary database and the
# log), with a margin for the log's frame headers and the file system.
SPACE_FACTOR = 2.2
WORTH_COMPACTING = 2**20  # free bytes in the file from which the user is told of them


@dataclass(frozen=True)
class Compaction:
    """The file's size in bytes before and after ``compact``."""

    before: int
    after: int

    def summary(self, path) -> str:
        freed = self.before - self.after
        return (f"database {path}: {format_bytes(self.before)} -> {format_bytes(self.after)} "
                f"({format_bytes(freed)} given back)")


def free_bytes(store: StoreBase) -> int:
    """Bytes inside the file that deleted rows left free (``compact`` gives them back)."""
    conn = store.db.conn
    pages = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return pages * conn.execute("PRAGMA page_size").fetchone()[0]


def compact(store: Store) -> Compaction:
    """Rewrite ``store``'s file without its free pages; see the module's note.

    Raises ``ConfigError`` while a run or sweep on this file is running (after marking
    those whose process ended), or when the disk has no room for the rewrite.
    """
    store.mark_orphans_interrupted()
    busy = store.db.conn.execute(
        "SELECT (SELECT count(*) FROM runs WHERE status = 'running'), "
        "(SELECT count(*) FROM sweeps WHERE status = 'running')").fetchone()
    if any(busy):
        what = " and ".join(count(n, noun) for n, noun in zip(busy, ("run", "sweep")) if n)
        raise ConfigError(f"database {store.path}: {what} running on it; compact it once "
                          "nothing trains (the rewrite would hold up their writes)")
    before = _file_bytes(store)
    needed = int(SPACE_FACTOR * (before - free_bytes(store)))
    available = shutil.disk_usage(store.path.resolve().parent).free
    if available < needed:
        raise ConfigError(f"database {store.path}: compacting needs about "
                          f"{format_bytes(needed)} free beside it, the disk has "
                          f"{format_bytes(available)}")
    conn = store.db.conn
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Compaction(before=before, after=_file_bytes(store))


def _file_bytes(store: StoreBase) -> int:
    """The file and its write-ahead log, as the disk holds them."""
    wal = store.path.with_name(store.path.name + "-wal")
    return store.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
