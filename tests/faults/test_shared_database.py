"""One database, many processes: the app's pattern beside CLI commands, for real.

The app holds connections for its whole life and opens more of its own (a worker's,
a panel's) while a user runs ``dlstudio`` commands in a shell on the same file. Before
the fix, opening a second ``Store`` read the file header with ``open()``/``close()``,
which dropped this process's POSIX locks; the CLI's exit then deleted the WAL under the
app, whose next statement failed with "disk I/O error" and whose last commits were gone.
"""

from __future__ import annotations

import json

import pytest

from dlstudio.config import DataConfig
from dlstudio.data.loading import load_dataset
from dlstudio.errors import ConfigError
from dlstudio.store import MetricWriter, Store
from dlstudio.store.schema import connected_here
from tests.faults.processes import cli

ROUNDS = 6
POINTS = 200


def test_cli_commands_beside_a_long_lived_process_lose_nothing(db_path):
    with Store(db_path) as app_store, MetricWriter(app_store) as writer:
        run_id = app_store.create_run({"model": "app-side"}, name="app")
        step = 0
        for round_ in range(ROUNDS):
            # The app's pattern: another connection of its own opened and closed...
            with Store(db_path, mark_orphans=False) as panel_store:
                panel_store.add_tag(run_id, f"round-{round_}")
            for _ in range(POINTS):
                writer.add(run_id, "loss", step, round_, 1.0 / (step + 1), 0.0)
                step += 1
            writer.flush()
            # ...while the user reads and writes from a shell.
            listed = cli("runs", "--json", "--db", str(db_path))
            assert listed.returncode == 0, listed.stderr
            assert run_id in [run["id"] for run in json.loads(listed.stdout)]
            scratch = app_store.create_run({}, name="scratch")
            deleted = cli("delete", str(scratch), "--db", str(db_path))
            assert deleted.returncode == 0, deleted.stderr
        assert connected_here(db_path)
        assert app_store.get_run(run_id)["tags"] == sorted(f"round-{r}" for r in range(ROUNDS))
    with Store(db_path) as fresh:
        curve = fresh.read_curve(run_id, "loss")
        assert len(curve["step"]) == ROUNDS * POINTS
        assert fresh.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [run["name"] for run in fresh.list_runs()] == ["app"]


def test_the_open_database_named_as_a_data_file_is_refused_without_reading_it(db_path):
    with Store(db_path) as store:
        run_id = store.create_run({}, name="kept")
        with pytest.raises(ConfigError, match=r"data.path: .* is the run database"):
            load_dataset(DataConfig(name="csv", path=str(db_path)))
        # Our locks held: a CLI command's exit did not delete the WAL under us.
        assert cli("runs", "--json", "--db", str(db_path)).returncode == 0
        store.add_tag(run_id, "still-writable")
    with Store(db_path) as store:
        assert store.get_run(run_id)["tags"] == ["still-writable"]
