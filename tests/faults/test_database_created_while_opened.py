"""A database that another process is creating at the moment this one opens it.

Found by the SIGKILL test: its reader opened the file while ``dlstudio train`` was
creating it, read ``user_version`` 0 before the creator's commit and the new tables
after it, and refused the file as "not a dlstudio database". The creator below is a
real second connection in WAL mode, as a creating process is; its commit is made to
land between the reader's first and later reads (the interleaving that happened).
"""

from __future__ import annotations

import sqlite3

from dlstudio.store import Store, schema


def test_a_file_created_while_it_is_opened_opens(tmp_path, monkeypatch):
    path = tmp_path / "runs.db"
    creator = sqlite3.connect(path, isolation_level=None)
    creator.execute("PRAGMA journal_mode = WAL")
    creator.execute("BEGIN IMMEDIATE")
    for steps in schema.MIGRATIONS:
        for statement in steps:
            creator.execute(statement)
    creator.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
    creator.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    read_version = schema.schema_version

    def version_then_the_creator_commits(conn):
        version = read_version(conn)
        if creator.in_transaction:
            creator.execute("COMMIT")
        return version

    monkeypatch.setattr(schema, "schema_version", version_then_the_creator_commits)
    try:
        with Store(path) as store:
            run_id = store.create_run({"lr": 0.1}, name="after the creator")
            assert store.get_run(run_id)["name"] == "after the creator"
    finally:
        creator.close()
