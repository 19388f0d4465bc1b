"""The real app (offscreen) and a CLI training on the same database at the same time.

As a user found it: open the app, press Run, run a ``dlstudio`` command in a shell,
press Run again. Both runs and the CLI's must finish, the app must list the CLI's run,
and no "database is locked" or "disk I/O error" may reach the user.
"""

from __future__ import annotations

from dlstudio.store import Store
from tests.faults.processes import cli, start_cli
from tests.gui.conftest import (collect_qt_garbage, main_window,  # noqa: F401 (fixtures)
                                no_dangling_qthreads, qt_settings, stop_answer)
from tests.gui.helpers import FAST, run_and_wait
from tests.gui.runs.test_runs_panel import select

CLI_TRAIN = ["train", "--set", "data.name=digits", "--set", "model.hidden=[16]", "--set",
             "train.epochs=3", "--set", "train.device=cpu", "--set", "train.threads=1",
             "--set", "name=from-the-shell"]


def test_runs_in_the_app_and_the_shell_both_finish_and_the_app_lists_both(qtbot, main_window,
                                                                          db_path):
    messages: list[str] = []
    main_window.status.messageChanged.connect(messages.append)
    shell = start_cli(*CLI_TRAIN, "--db", str(db_path))
    first_id, first = run_and_wait(qtbot, main_window, {**FAST, "train.epochs": "3"})
    listed = cli("runs", "--json", "--db", str(db_path))
    assert listed.returncode == 0, listed.stderr
    out, err = shell.communicate(timeout=120)
    assert shell.returncode == 0, err
    second_id, second = run_and_wait(qtbot, main_window, FAST)
    assert (first["status"], second["status"]) == ("finished", "finished"), (first, second)

    with Store(db_path) as store:
        shell_id = next(run["id"] for run in store.list_runs() if run["name"] == "from-the-shell")
    runs = main_window.tabs.show_panel("runs")
    runs.refresh()
    select(runs, [shell_id])
    assert runs.selected_run_ids() == [shell_id]
    select(runs, [first_id, second_id])
    assert sorted(runs.selected_run_ids()) == sorted([first_id, second_id])
    shown = " ".join(messages) + out + err
    assert "locked" not in shown and "disk I/O" not in shown
    with Store(db_path) as store:
        assert sorted(run["status"] for run in store.list_runs()) == ["finished"] * 3
        assert store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_shell_deletes_and_compacts_beside_the_open_app_which_keeps_working(
        qtbot, main_window, db_path):
    first_id, first = run_and_wait(qtbot, main_window, FAST)
    second_id, second = run_and_wait(qtbot, main_window, FAST)
    runs = main_window.tabs.show_panel("runs")
    runs.refresh()
    assert runs.proxy.rowCount() == 2
    assert cli("delete", first_id, "--db", str(db_path)).returncode == 0
    compacted = cli("compact", "--db", str(db_path))
    assert compacted.returncode == 0, compacted.stderr
    runs.refresh()
    select(runs, [second_id])
    assert runs.proxy.rowCount() == 1 and runs.selected_run_ids() == [second_id]
    third_id, third = run_and_wait(qtbot, main_window, FAST)  # the app still writes
    assert third["status"] == "finished", third
    checked = cli("check", "--db", str(db_path))
    assert checked.returncode == 0 and "2 runs" in checked.stdout, checked.stdout
