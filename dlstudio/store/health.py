"""A database's health: SQLite's own integrity checks, said in a user's words.

Opening a file reads only its first pages, so a damaged page deep in the metrics can go
unnoticed until a command reads it. ``check_database`` reads every page: the B-trees
(``quick_check``, or ``integrity_check``, which also compares each index with its table)
and the links between tables (``foreign_key_check``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from dlstudio.formatting import count, format_bytes
from dlstudio.store.base import StoreBase
from dlstudio.store.compaction import WORTH_COMPACTING, free_bytes

MAX_REPORTED = 100  # SQLite stops listing problems after this many
RECOVER = ("Restore a backup, or recover what can be read with the sqlite3 tool: "
           "sqlite3 {path} .recover | sqlite3 recovered.db")


@dataclass
class Health:
    """What a check found: ``problems`` is empty for a healthy file."""

    thorough: bool
    pages: int
    page_size: int
    problems: list[str] = field(default_factory=list)
    runs: int | None = None  # counted only in a healthy file
    free_bytes: int = 0  # left inside the file by deleted rows

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def size_bytes(self) -> int:
        return self.pages * self.page_size

    def verdict(self, path: str | Path) -> str:
        """One line: intact (what was read), or damaged (how many problems)."""
        if self.ok:
            kind = "thorough check" if self.thorough else "check"
            free = (f"; {format_bytes(self.free_bytes)} of it left free by deleted runs, "
                    "which dlstudio compact gives back" if self.free_bytes >= WORTH_COMPACTING
                    else "")
            return (f"database {path}: intact ({kind} of {format_bytes(self.size_bytes)}, "
                    f"{count(self.runs or 0, 'run')}{free})")
        return f"database {path}: damaged, {count(len(self.problems), 'problem')} found:"


def check_database(store: StoreBase, thorough: bool = False) -> Health:
    """Read every page of ``store``'s file and report what is damaged.

    ``thorough`` adds the index-against-table comparison (``integrity_check``); it takes
    several times longer on a large file. Changes nothing.
    """
    conn = store.db.conn
    problems = _page_problems(conn, "integrity_check" if thorough else "quick_check")
    if not problems:  # the links mean something only in a sound file
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            where = f"{table} row {rowid}" if rowid is not None else f"a {table} row"
            problems.append(f"{where} refers to a {parent} row that does not exist")
    health = Health(thorough=thorough, pages=conn.execute("PRAGMA page_count").fetchone()[0],
                    page_size=conn.execute("PRAGMA page_size").fetchone()[0],
                    problems=problems)
    if health.ok:
        health.runs = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
        health.free_bytes = free_bytes(store)
    return health


def _page_problems(conn: sqlite3.Connection, pragma: str) -> list[str]:
    """What ``pragma`` reports, one problem a line. Some damage stops the check itself
    ("database disk image is malformed") after problems it already found: asking for
    fewer problems then gets those out, before it reaches that point."""
    stopped = None
    for limit in (MAX_REPORTED, 10, 1):
        try:
            rows = [row[0] for row in conn.execute(f"PRAGMA {pragma}({limit})")]
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "interrupt" in str(exc):
                raise  # stopped by the user (Connection.interrupt), not by damage
            stopped = stopped or str(exc)
            continue
        if rows == ["ok"]:
            return []
        lines = [line for row in rows for line in row.splitlines()
                 if line and not line.startswith("*** in database")]
        if stopped:
            lines.append(f"the check stopped there: {stopped}; more pages may be damaged")
        elif len(lines) >= limit:
            lines.append(f"the check lists the first {limit} problems; there may be more")
        return lines
    return [f"the check could not run: {stopped}"]
