"""``dlstudio compact`` on real files: deleted runs' space given back, what is kept
unchanged, and a refusal while another process trains on the file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from dlstudio.store import Store
from dlstudio.store.compaction import compact, free_bytes
from dlstudio.store.health import check_database

from tests.damaged_files import database_with_points
from tests.faults.processes import DLSTUDIO, ENV, RUNNING_SCRIPT, cli, wait_for
from tests.faults.test_full_disk_run import _in_small_tmpfs

def file_bytes(path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def test_deleted_runs_space_is_given_back_and_the_rest_is_kept(db_path):
    database_with_points(db_path, runs=20, points=5000)
    for run_id in range(1, 16):
        assert cli("delete", run_id, "--db", db_path).returncode == 0
    kept = {run_id: json.loads(cli("export", run_id, "--db", db_path, "--format", "json").stdout)
            for run_id in range(16, 21)}
    checked = cli("check", "--db", db_path)
    assert checked.returncode == 0 and "which dlstudio compact gives back" in checked.stdout
    before = file_bytes(db_path)
    done = cli("compact", "--db", db_path)
    assert done.returncode == 0, done.stderr
    after = file_bytes(db_path)
    assert after < before / 3  # 15 of 20 runs' points were deleted
    assert done.stdout.startswith(f"database {db_path}: ") and "given back" in done.stdout
    for run_id, exported in kept.items():
        assert json.loads(cli("export", run_id, "--db", db_path, "--format",
                              "json").stdout) == exported
    checked = cli("check", "--db", db_path)
    assert checked.returncode == 0 and "compact" not in checked.stdout


def test_compact_waits_for_nothing_training_on_the_file(db_path):
    database_with_points(db_path, runs=3, points=100)
    training = subprocess.Popen([sys.executable, "-c", RUNNING_SCRIPT, str(db_path)], env=ENV,
                                stdout=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: cli("runs", "--db", db_path, "--status", "running").stdout.count(
            "training") == 1, training, "the script's run running")
        before = db_path.read_bytes()
        refused = cli("compact", "--db", db_path)
        assert refused.returncode == 2
        assert refused.stderr.strip() == (
            f"error: database {db_path}: 1 run running on it; compact it once nothing "
            "trains (the rewrite would hold up their writes)")
        assert db_path.read_bytes() == before
    finally:
        os.kill(training.pid, signal.SIGKILL)
        training.wait()
    # Its process gone, the run is marked interrupted and the file can be compacted.
    done = cli("compact", "--db", db_path)
    assert done.returncode == 0, done.stderr
    shown = json.loads(cli("show", 4, "--db", db_path, "--json").stdout)
    assert shown["status"] == "interrupted"


def test_a_disk_without_room_for_the_rewrite_is_refused_before_it_starts(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    db = disk / "runs.db"
    make = [sys.executable, "-c", "import sys, pathlib; from tests.damaged_files import "
            "database_with_points; database_with_points(pathlib.Path(sys.argv[1]), runs=20, "
            "points=5000)", str(db)]
    fill = ["sh", "-c", f"head -c 3M /dev/zero > {disk / 'filler'}"]
    digest = ["sha256sum", str(db)]
    made, filled, before, compacted, after = _in_small_tmpfs(
        disk, "8m", tmp_path, make, fill, digest, [*DLSTUDIO, "compact", "--db", str(db)],
        digest)
    assert made["code"] == 0 and filled["code"] == 0, made["err"] + filled["err"]
    assert compacted["code"] == 2
    assert compacted["err"].startswith(f"error: database {db}: compacting needs about ")
    assert "free beside it, the disk has " in compacted["err"]
    assert after["out"] == before["out"]


def test_an_interrupted_compaction_leaves_the_file_as_it_was(db_path):
    database_with_points(db_path, runs=10, points=2000)
    with Store(db_path) as store:
        for run_id in range(1, 9):
            store.delete_run(run_id)
        free = free_bytes(store)
        kept = store.db.conn.execute("SELECT * FROM metrics ORDER BY run_id, key, step").fetchall()
        # As the app's Cancel does (Connection.interrupt), mid-rewrite.
        store.db.conn.set_progress_handler(lambda: 1, 10_000)
        with pytest.raises(sqlite3.OperationalError, match="interrupt"):
            compact(store)
        store.db.conn.set_progress_handler(None, 0)
        assert free_bytes(store) == free > 0  # nothing given back, nothing lost
        assert store.db.conn.execute(
            "SELECT * FROM metrics ORDER BY run_id, key, step").fetchall() == kept
        assert check_database(store).ok
