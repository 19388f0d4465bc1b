"""Opening database files: pragmas, migrations, refusals that leave files untouched."""

from __future__ import annotations

import sqlite3

import pytest

from dlstudio.errors import ConfigError
from dlstudio.store import DB_ENV, SCHEMA_VERSION, Store, resolve_db_path
from dlstudio.store.schema import APPLICATION_ID

# The version-1 schema as the first release wrote it, spelled out here on purpose: the
# test must keep describing old files even when the store's DDL moves on.
V1_DDL = """
CREATE TABLE sweeps (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'queued', created REAL NOT NULL,
    spec TEXT NOT NULL DEFAULT '{}', state TEXT NOT NULL DEFAULT '{}');
CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'queued', created REAL NOT NULL, started REAL, ended REAL,
    config TEXT NOT NULL DEFAULT '{}', summary TEXT NOT NULL DEFAULT '{}',
    error TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',
    sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL, trial_id INTEGER,
    checkpoint_dir TEXT, owner_pid INTEGER, owner_host TEXT);
CREATE TABLE metrics (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL, step INTEGER NOT NULL, epoch INTEGER NOT NULL DEFAULT 0, value REAL,
    time REAL NOT NULL DEFAULT 0, PRIMARY KEY (run_id, key, step)) WITHOUT ROWID;
CREATE TABLE tags (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    tag TEXT NOT NULL, PRIMARY KEY (run_id, tag)) WITHOUT ROWID;
CREATE TABLE trials (id INTEGER PRIMARY KEY,
    sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'queued', config TEXT NOT NULL DEFAULT '{}',
    epochs INTEGER NOT NULL DEFAULT 0, resume_from, score REAL, bracket INTEGER,
    rung INTEGER, created REAL NOT NULL);
"""


def write_v1_file(path):
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL)
    conn.execute("INSERT INTO runs (name, status, created, config, summary) VALUES "
                 "('old run', 'finished', 1.0, '{\"seed\": 3}', '{\"best_dev_metric\": 0.5}')")
    conn.executemany("INSERT INTO metrics VALUES (1, 'loss', ?, 0, ?, ?)",
                     [(step, 1.0 / (step + 1), step * 0.1) for step in range(10)])
    conn.execute("INSERT INTO tags VALUES (1, 'baseline')")
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.commit()
    conn.close()


def assert_refused_unchanged(path, *words):
    before = path.read_bytes()
    siblings = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(ConfigError) as caught:
        Store(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == siblings  # no -wal / -shm


def test_new_file_has_wal_busy_timeout_foreign_keys_and_version(db_path):
    with Store(db_path) as store:
        conn = store.db.conn
        assert store.db.journal_mode == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert {"runs", "metrics", "tags", "sweeps", "trials", "lr_tests"} <= set(
            store.db.table_names())
        assert store.path == db_path
    with Store(db_path) as again:  # WAL persists in the file
        assert again.db.journal_mode == "wal"


def test_memory_store_works():
    with Store(":memory:") as store:
        run_id = store.create_run({"seed": 1})
        assert store.get_run(run_id)["config"] == {"seed": 1}


def test_v1_file_is_migrated_and_keeps_its_data(db_path):
    write_v1_file(db_path)
    with Store(db_path) as store:
        assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        run = store.get_run(1)
        assert (run["name"], run["config"], run["tags"]) == ("old run", {"seed": 3},
                                                             ["baseline"])
        assert run["resources"] is None  # the column added by version 2
        assert store.read_curve(1, "loss")["total"] == 10
        test_id = store.save_lr_test({}, [1e-4, 1e-3], [2.0, 1.5], {"steepest": 1e-3})
        assert store.get_lr_test(test_id)["losses"] == [2.0, 1.5]
        assert store.list_runs(sort_by="best_dev_metric")[0]["id"] == 1


def test_empty_v0_sqlite_file_gets_the_schema(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("VACUUM")  # writes a valid, empty database
    conn.close()
    with Store(db_path) as store:
        assert store.db.journal_mode == "wal"
        assert store.list_runs() == []


def test_newer_version_is_refused_unchanged(db_path):
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    assert_refused_unchanged(db_path, "newer", str(SCHEMA_VERSION + 5))


@pytest.mark.parametrize("content", [b"junk", b"this is not a database\n" * 50])
def test_garbage_file_is_refused_unchanged(db_path, content):
    db_path.write_bytes(content)
    assert_refused_unchanged(db_path, "not a SQLite")


def test_empty_file_counts_as_new(db_path):
    db_path.write_bytes(b"")  # e.g. made by tempfile
    with Store(db_path) as store:
        assert store.db.journal_mode == "wal"


def test_damaged_schema_page_is_refused_unchanged(db_path):
    with Store(db_path) as store:
        store.create_run({})
    data = bytearray(db_path.read_bytes())
    data[100:1000] = b"\xff" * 900  # keep the header, wreck the schema b-tree
    db_path.write_bytes(bytes(data))
    assert_refused_unchanged(db_path, "corrupt")


def test_another_programs_database_is_refused_unchanged(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    assert_refused_unchanged(db_path, "not a dlstudio database")
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    assert_refused_unchanged(db_path, "not a dlstudio database")


def test_missing_folder_names_the_file(tmp_path):
    path = tmp_path / "nowhere" / "runs.db"
    with pytest.raises(ConfigError, match="nowhere"):
        Store(path)


def test_resolve_db_path_prefers_cli_then_env_then_default(tmp_path, monkeypatch):
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / "data" / app))
    monkeypatch.delenv(DB_ENV, raising=False)
    default = resolve_db_path(None)
    assert default == tmp_path / "data" / "dlstudio" / "dlstudio.db"
    assert default.parent.is_dir()
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env" / "e.db"))
    assert resolve_db_path(None) == tmp_path / "env" / "e.db"
    assert resolve_db_path(str(tmp_path / "cli" / "c.db")) == tmp_path / "cli" / "c.db"
    assert (tmp_path / "cli").is_dir()
