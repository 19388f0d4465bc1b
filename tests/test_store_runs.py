"""Runs: writes, reads, filters, sorting, tags, delete, crash recovery."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from dlstudio.errors import ConfigError
from dlstudio.store import RUN_STATUSES, Store
from dlstudio.store.owners import HOST, pid_alive

CONFIG = {"data": {"name": "digits"}, "model": {"name": "mlp"}, "optim": {"name": "adam",
                                                                          "lr": 0.001}}


@pytest.fixture
def store(db_path):
    with Store(db_path) as opened:
        yield opened


def test_run_round_trip_with_metrics(store):
    run_id = store.create_run(CONFIG)
    run = store.get_run(run_id)
    assert run["name"] == f"digits-mlp-adam #{run_id}"
    assert (run["status"], run["config"], run["summary"], run["tags"]) == (
        "queued", CONFIG, {}, [])
    store.start_run(run_id)
    store.write_metrics([(run_id, "loss", step, 1, 2.0 - step / 10, step * 0.5)
                         for step in range(1, 11)])
    store.update_summary(run_id, {"best_dev_metric": 0.8, "epochs_done": 1})
    store.end_run(run_id, "finished", {"best_dev_metric": 0.9, "test_metric": 0.88})
    run = store.get_run(run_id)
    assert run["status"] == "finished"
    assert run["owner_pid"] == os.getpid() and run["owner_host"] == HOST
    assert run["created"] <= run["started"] <= run["ended"]
    assert run["summary"] == {"best_dev_metric": 0.9, "epochs_done": 1, "test_metric": 0.88}
    curve = store.read_curve(run_id, "loss")
    assert curve["step"].tolist() == list(range(1, 11))
    assert curve["value"][0] == pytest.approx(1.9)
    assert (curve["total"], curve["downsampled"]) == (10, False)
    assert store.metric_keys(run_id) == ["loss"]


def test_names_notes_status_checkpoint_and_resources(store, tmp_path):
    run_id = store.create_run({"seed": 1})
    assert store.get_run(run_id)["name"] == f"run {run_id}"
    assert store.get_run(store.create_run({"data.name": "wine", "model.name": "linear",
                                           "optim.name": "sgd"}))["name"].startswith(
        "wine-linear-sgd #")
    store.rename_run(run_id, "my baseline")
    store.set_notes(run_id, "lr too high?")
    store.set_status(run_id, "stopped")
    store.set_checkpoint_dir(run_id, tmp_path / "ckpt")
    store.set_resources(run_id, {"device": "cpu", "threads": 4})
    run = store.get_run(run_id)
    assert (run["name"], run["notes"], run["status"]) == ("my baseline", "lr too high?",
                                                          "stopped")
    assert run["checkpoint_dir"] == str(tmp_path / "ckpt")
    assert run["resources"] == {"device": "cpu", "threads": 4}


def test_missing_run_and_bad_status_raise_config_error(store):
    with pytest.raises(ConfigError, match="run 42: not found"):
        store.get_run(42)
    for call in (lambda: store.rename_run(42, "x"), lambda: store.start_run(42),
                 lambda: store.end_run(42, "finished", {}), lambda: store.add_tag(42, "t"),
                 lambda: store.delete_run(42), lambda: store.update_summary(42, {})):
        with pytest.raises(ConfigError, match="run 42: not found"):
            call()
    run_id = store.create_run({})
    with pytest.raises(ConfigError, match="expected one of queued, running"):
        store.set_status(run_id, "done")
    with pytest.raises(ConfigError, match="sweep 7: not found"):
        store.create_run({}, sweep_id=7)
    assert RUN_STATUSES == ("queued", "running", "finished", "stopped", "diverged",
                            "failed", "interrupted")


def test_failed_run_keeps_traceback_and_non_finite_summary_values(store):
    run_id = store.create_run({})
    store.end_run(run_id, "diverged", {"final_loss": math.inf, "best": float("nan"),
                                       "nested": {"x": [1.0, -math.inf]}},
                  error="Traceback ...\nFloatingPointError")
    run = store.get_run(run_id)
    assert run["summary"] == {"final_loss": None, "best": None, "nested": {"x": [1.0, None]}}
    assert run["error"].endswith("FloatingPointError")
    assert store.list_runs(sort_by="final_loss")[0]["id"] == run_id  # still valid JSON


def test_list_filters(store):
    sweep_id = store.create_sweep("lr sweep", {"space": {}})
    a = store.create_run(CONFIG, name="alpha_1")
    b = store.create_run({"optim": {"name": "sgd"}}, name="beta", sweep_id=sweep_id)
    c = store.create_run({}, name="gamma")
    store.set_status(b, "finished")
    store.set_status(c, "failed")
    store.set_notes(c, "Diverged at epoch 3")
    store.add_tag(a, "keep")
    store.add_tag(c, "keep")

    def ids(**filters):
        return [run["id"] for run in store.list_runs(**filters)]

    assert ids() == [c, b, a]  # newest first
    assert ids(status="finished") == [b]
    assert ids(status=["failed", "queued"]) == [c, a]
    assert ids(tag="keep") == [c, a]
    assert ids(sweep_id=sweep_id) == [b]
    assert ids(text="sgd") == [b]  # config text
    assert ids(text="diverged") == [c]  # notes, case-insensitive
    assert ids(text="a_1") == [a]  # name; "_" is literal, not a wildcard
    assert ids(text="a%") == []
    assert ids(tag="keep", status="failed") == [c]
    assert ids(limit=2) == [c, b]
    with pytest.raises(ConfigError, match="unknown 'done'"):
        store.list_runs(status="done")


def test_sort_by_summary_key_and_column(store):
    scores = {"r1": 0.7, "r2": 0.9, "r3": None, "r4": 0.8}
    ids = {}
    for name, score in scores.items():
        ids[name] = store.create_run({}, name=name)
        if score is not None:
            store.update_summary(ids[name], {"best_dev_metric": score})
    names = [r["name"] for r in store.list_runs(sort_by="best_dev_metric")]
    assert names == ["r2", "r4", "r1", "r3"]  # missing values last
    names = [r["name"] for r in store.list_runs(sort_by="best_dev_metric", descending=False)]
    assert names == ["r1", "r4", "r2", "r3"]
    names = [r["name"] for r in store.list_runs(sort_by="name", descending=False)]
    assert names == ["r1", "r2", "r3", "r4"]
    with pytest.raises(ConfigError, match="sort_by"):
        store.list_runs(sort_by='bad"key')


def test_tags(store):
    run_id = store.create_run({})
    store.add_tag(run_id, " best ")
    store.add_tag(run_id, "best")  # duplicate: ignored
    store.add_tag(run_id, "adam")
    assert store.get_run(run_id)["tags"] == ["adam", "best"]
    store.remove_tag(run_id, "best")
    store.remove_tag(run_id, "never there")
    assert store.get_run(run_id)["tags"] == ["adam"]
    with pytest.raises(ConfigError, match="empty tag"):
        store.add_tag(run_id, "  ")


def test_delete_removes_metrics_tags_and_checkpoints(store, tmp_path):
    keep = store.create_run({})
    gone = store.create_run({})
    folder = tmp_path / "runs-checkpoints" / f"run-{gone}"  # the database's own folder
    folder.mkdir(parents=True)
    (folder / "epoch_1.pt").write_bytes(b"weights")
    store.set_checkpoint_dir(gone, f"runs-checkpoints/run-{gone}")
    for run_id in (keep, gone):
        store.add_tag(run_id, "t")
        store.write_metrics([(run_id, "loss", s, 0, 1.0, 0.0) for s in range(5)])
    sweep_id = store.create_sweep("s", {})
    trial_id = store.add_trial(sweep_id, {}, epochs=1)
    store.update_trial(trial_id, run_id=gone)

    assert store.delete_run(gone) == f"removed its checkpoints {folder}"
    conn = store.db.conn
    assert conn.execute("SELECT count(*) FROM metrics WHERE run_id = ?", (gone,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM tags WHERE run_id = ?", (gone,)).fetchone()[0] == 0
    assert not folder.exists()
    assert store.get_trial(trial_id)["run_id"] is None
    assert store.read_curve(keep, "loss")["total"] == 5
    assert store.get_run(keep)["tags"] == ["t"]
    store.set_checkpoint_dir(keep, tmp_path / "already removed")
    store.delete_run(keep)  # a missing folder is fine
    assert store.list_runs() == []


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_orphaned_running_runs_become_interrupted(db_path):
    pid = dead_pid()
    assert not pid_alive(pid) and pid_alive(os.getpid())
    with Store(db_path) as store:
        owners = {
            "dead": (pid, HOST),
            "alive elsewhere here": (os.getppid(), HOST),
            "other host": (pid, HOST + "-other"),
            "our pid, not started here": (os.getpid(), HOST),  # pid reuse
            "unknown owner": (None, None),
        }
        ids = {}
        for name, (owner_pid, host) in owners.items():
            # Rows as other processes left them: running, not started by this one.
            ids[name] = store.create_run({}, name=name, status="running")
            store.db.conn.execute(
                "UPDATE runs SET owner_pid = ?, owner_host = ? WHERE id = ?",
                (owner_pid, host, ids[name]))
        ids["ours"] = store.create_run({}, name="ours")
        store.start_run(ids["ours"])
        ids["finished"] = store.create_run({}, name="finished")
        store.end_run(ids["finished"], "finished", {})

    with Store(db_path, mark_orphans=False) as store:
        assert store.get_run(ids["dead"])["status"] == "running"
    with Store(db_path) as store:
        status = {name: store.get_run(run_id)["status"] for name, run_id in ids.items()}
        assert status == {
            "dead": "interrupted", "alive elsewhere here": "running",
            "other host": "running", "our pid, not started here": "interrupted",
            "unknown owner": "running", "ours": "running", "finished": "finished",
        }
        assert f"process {pid}" in store.get_run(ids["dead"])["error"]
        assert store.mark_orphans_interrupted() == []
