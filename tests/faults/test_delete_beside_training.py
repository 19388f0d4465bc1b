"""``dlstudio delete`` beside another process that trains: a running run is refused,
whether named or chosen by a query, and nothing is half deleted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from tests.damaged_files import database_with_points
from tests.faults.processes import ENV, RUNNING_SCRIPT, cli, wait_for


def test_a_run_another_process_trains_is_not_deleted(db_path):
    database_with_points(db_path, runs=2, points=10)
    training = subprocess.Popen([sys.executable, "-c", RUNNING_SCRIPT, str(db_path)], env=ENV,
                                stdout=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: "training" in cli("runs", "--db", db_path, "--status",
                                           "running").stdout, training, "the run running")
        for args in (["3"], ["1", "3"], ["--where", "name ~ r", "--yes"]):
            refused = cli("delete", *args, "--db", db_path)
            assert refused.returncode == 2, (args, refused.stdout)
            assert refused.stderr.strip() == ("error: run 3: still running; stop it first, "
                                              "then delete it"), args
            listed = json.loads(cli("runs", "--json", "--db", db_path).stdout)
            assert sorted(run["id"] for run in listed) == [1, 2, 3], args  # none deleted
        assert training.poll() is None  # the script never noticed
    finally:
        os.kill(training.pid, signal.SIGKILL)
        training.wait()
    # Its process gone, the run is interrupted, and may go.
    assert cli("delete", "3", "--db", db_path).returncode == 0
