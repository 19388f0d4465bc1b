"""Damaged, foreign and old database files, opened by the real CLI.

Each refusal is one line naming the file, exit code 2, no traceback, and the file stays
byte-for-byte as it was. An older schema is upgraded only after a copy of it was
written beside it.
"""

from __future__ import annotations

import sqlite3

import pytest

from dlstudio.store import SCHEMA_VERSION, Store
from tests.faults.processes import cli
from tests.test_store_schema import write_v1_file


def _database_with_runs(path, runs: int = 300) -> None:
    with Store(path) as store, store.transaction():
        for index in range(runs):
            store.create_run({"note": "x" * 200, "index": index}, name=f"run {index}")
    # Fold the WAL into the file, so the damage below hits the pages that hold the runs.
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def truncated(path):
    _database_with_runs(path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 3])


def garbage_inner_pages(path):
    _database_with_runs(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for number in range(3, len(data) // page, 2):  # every other page after the schema
        data[number * page:(number + 1) * page] = b"\x5a" * page
    path.write_bytes(bytes(data))


def not_sqlite(path):
    path.write_bytes(b"name,value\n" * 500)


def another_programs(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()


def newer_schema(path):
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


@pytest.mark.parametrize("damage", [truncated, garbage_inner_pages, not_sqlite,
                                    another_programs, newer_schema],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("command", [["runs"], ["show", "2"], ["sweeps"],
                                     ["train", "--set", "train.epochs=1"]],
                         ids=lambda c: c[0])
def test_a_bad_file_gives_one_line_and_stays_unchanged(db_path, damage, command):
    damage(db_path)
    before = db_path.read_bytes()
    done = cli(*command, "--db", str(db_path))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(db_path) in lines[0], \
        done.stderr
    assert "Traceback" not in done.stderr
    assert db_path.read_bytes() == before


def test_an_older_schema_is_backed_up_then_upgraded(db_path):
    write_v1_file(db_path)
    before = db_path.read_bytes()
    done = cli("runs", "--json", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert '"old run"' in done.stdout
    backups = list(db_path.parent.glob(f"{db_path.name}.v1-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
        assert copy.execute("SELECT name FROM runs").fetchall() == [("old run",)]
        assert copy.execute("SELECT count(*) FROM metrics").fetchone()[0] == 10
    assert db_path.read_bytes() != before
    with Store(db_path) as store:
        assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
