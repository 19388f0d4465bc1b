"""What a storage failure means for the user: a full disk, a read-only file, a
damaged database. One sentence naming the file, instead of SQLite's or the OS's
bare error text (or a traceback)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

_NO_SPACE = "no space left on device"


def out_of_space(exc: BaseException) -> bool:
    """True when ``exc`` says the disk (or the user's quota) has no room left."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.DatabaseError) and "full" in str(exc)


def storage_problem(exc: BaseException, db_path: str | Path | None = None) -> str | None:
    """A one-line description of ``exc`` when it is a storage fault, else None."""
    if isinstance(exc, OSError):
        where = exc.filename or db_path or "a file"
        if exc.errno == errno.ENOSPC:
            return f"{_NO_SPACE}: could not write {where}"
        if exc.errno == errno.EDQUOT:
            return f"disk quota exceeded: could not write {where}"
        if exc.errno == errno.EROFS:
            return f"read-only file system: could not write {where}"
        return None
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    text = str(exc)
    database = f"database {db_path}" if db_path else "the database"
    if out_of_space(exc):  # SQLITE_FULL: "database or disk is full"
        return f"{_NO_SPACE}: could not write {database}"
    if "readonly" in text or "read-only" in text:
        return (f"{database}: read-only (the file, its folder or the disk does not allow "
                "writing); this command needs to write")
    if "malformed" in text or "not a database" in text or type(exc) is sqlite3.DatabaseError:
        return (f"{database}: damaged ({text}); restore a backup, or recover it with "
                "the sqlite3 tool's .recover command")
    return None
