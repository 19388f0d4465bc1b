"""Issues 12 and 15: the Runs tab's details pane shows everything recorded about the
current run (config, summary, where it came from, resources, files)."""

from __future__ import annotations

import json

import dlstudio
from PySide6.QtWidgets import QApplication

from dlstudio.config import RunConfig
from dlstudio.store import Store
from dlstudio.training.run_job import create_run, execute_run
from tests.gui.helpers import open_context
from tests.gui.runs.test_runs_panel import make_panel, select


def details_of(qtbot, context, run_id: int):
    panel = make_panel(qtbot, context)
    select(panel, [run_id])
    assert panel.details.run_id == run_id  # it follows the current row
    return panel, panel.details.text()


def test_a_trained_run_shows_config_summary_environment_and_files(qtbot, db_path,
                                                                   app_context):
    config = RunConfig.from_dict({"data": {"name": "digits"}, "model": {"hidden": [16]},
                                  "optim": {"name": "adam", "lr": 0.003},
                                  "train": {"epochs": 1, "batch_size": 128, "device": "cpu"}})
    with Store(db_path) as store:
        run_id = create_run(store, config, name="details of a real run")
    assert execute_run(db_path, run_id).status == "finished"
    with Store(db_path) as store:
        run = store.get_run(run_id)
    environment = run["environment"]

    panel, text = details_of(qtbot, app_context, run_id)
    assert "details of a real run" in panel.details.title.text()
    assert "Status: finished" in text and "Duration: " in text
    assert "  optim\n    name: adam\n    lr: 0.003" in text  # the nested config, as stored
    assert "  model\n    name: mlp\n    hidden: 16" in text
    assert f"best_dev_metric: {100 * run['summary']['best_dev_metric']:.2f} %" in text
    assert "Origin: trained by dlstudio" in text
    assert f"Python: {environment['python']}" in text
    assert f"torch: {environment['torch']}" in text
    assert f"dlstudio: {dlstudio.__version__}" in text
    assert f"Host: {environment['host']} (" in text
    assert f"Command line: {environment['command']}" in text
    git = environment["git"]
    assert (f"Git commit: {git['commit']}" if git else "Git commit: not in a git repository") \
        in text
    assert "CPU time (training thread): " in text  # a CPU run: no GPU fields
    assert "GPU" not in text.split("Resources")[1].split("Files")[0]
    folder = run["checkpoint_dir"]
    files = sorted(p for p in __import__("pathlib").Path(folder).rglob("*") if p.is_file())
    assert files, "the run saved checkpoints"
    assert f"Files ({len(files)})" in text and f"Folder: {folder}" in text
    for path in files:
        assert f"{path.name}: {path.stat().st_size / 1024:.1f} KB" in text

    opened = []
    panel.details.open_url = opened.append
    panel.details.open_folder_button.click()
    assert [url.toLocalFile() for url in opened] == [folder]
    panel.details.copy_json_button.click()
    copied = json.loads(QApplication.clipboard().text())
    assert copied["id"] == run_id and len(copied["files"]) == len(files)
    assert copied["environment"]["host"] == environment["host"]


def test_a_script_run_says_logged_by_and_lists_its_artifact(qtbot, db_path, app_context,
                                                            tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    config = {"lr": 3e-4, "net": {"depth": 50, "widths": [64, 128]}, "model": "my-resnet"}
    with dlstudio.start_run(config=config, name="script", db=db_path) as run:
        run.log({"train/loss": 1.0}, step=1)
        run.log_artifact(notes)
        run.summary["test/accuracy"] = 0.9

    panel, text = details_of(qtbot, app_context, run.id)
    assert "Origin: logged by a script (dlstudio.start_run)" in text
    assert "  net\n    depth: 50\n    widths: 64, 128" in text and "model: my-resnet" in text
    assert "test/accuracy: 0.9" in text
    assert "artifacts/notes.txt: 5 B" in text
    assert panel.details.open_folder_button.isEnabled()


def test_old_and_imported_runs_say_what_is_not_recorded(qtbot, db_path, app_context):
    with Store(db_path) as store:
        old = store.create_run({"lr": 0.1}, name="before the record")
        store.end_run(old, "finished", {})
        imported = store.create_run({"lr": 0.2}, name="from mlflow")
        store.set_environment(imported, {"imported_from": {
            "kind": "mlflow", "source": "sqlite:///elsewhere.db", "id": "abc123",
            "experiment": "baseline"}})
        store.end_run(imported, "failed", {}, error="Traceback (most recent call last):\n"
                                                     "ValueError: bad batch")

    panel, text = details_of(qtbot, app_context, old)
    assert "Origin: not recorded (the run is older than this record)" in text
    assert "Resources: not recorded" in text
    assert "Folder: none: the run saved no checkpoint or artifact" in text
    assert not panel.details.open_folder_button.isEnabled()
    select(panel, [imported])
    text = panel.details.text()
    assert "Origin: imported from mlflow: sqlite:///elsewhere.db (run abc123)" in text
    assert "experiment: baseline" in text
    assert "Status: failed" in text and "Error: ValueError: bad batch" in text


def test_a_gpu_runs_memory_and_utilisation(qtbot, db_path, app_context):
    # This machine has no GPU: the values a CUDA run records (trainer's gpu_summary and
    # the ResourceMonitor's samples) are written through the store as training would.
    with Store(db_path) as store:
        gpu = store.create_run({"lr": 0.1}, name="on the gpu")
        store.write_metrics([(gpu, key, step, 1, value, step * 2.0) for step, values in
                             enumerate([(10.0, 3000.0), (50.0, 5000.0), (90.0, 4000.0)], 1)
                             for key, value in zip(("sys.gpu_util", "sys.gpu_device_mem_mb"),
                                                   values)])
        store.end_run(gpu, "finished", {"device": "cuda:0", "gpu_name": "NVIDIA H200",
                                        "gpu_max_mem_mb": 1234.4,
                                        "gpu_max_reserved_mb": 2048.0})
        blind = store.create_run({"lr": 0.1}, name="no nvml")
        store.end_run(blind, "finished", {"device": "cuda:0", "gpu_name": "NVIDIA H200",
                                          "gpu_max_mem_mb": 10.0, "gpu_max_reserved_mb": 20.0,
                                          "gpu_monitor": "nvidia-ml-py is not installed "
                                                         "(pip install nvidia-ml-py)"})

    panel, text = details_of(qtbot, app_context, gpu)
    assert "GPU: NVIDIA H200" in text
    assert "Peak GPU memory allocated (torch): 1,234 MB" in text
    assert "Peak GPU memory reserved (torch): 2,048 MB" in text
    assert "GPU utilisation (NVML): mean 50 %, peak 90 % (3 samples)" in text
    assert "GPU device memory used (NVML): mean 4,000 MB, peak 5,000 MB (3 samples)" in text
    select(panel, [blind])
    assert ("GPU utilisation (NVML): not measured: nvidia-ml-py is not installed"
            in panel.details.text())


def test_the_pane_follows_changes_and_its_state_is_remembered(qtbot, db_path, app_context,
                                                              qt_settings):
    with Store(db_path) as store:
        run_id = store.create_run({"lr": 0.1}, name="live")
        store.start_run(run_id)
    panel = make_panel(qtbot, app_context)
    panel.show()
    select(panel, [run_id])
    assert "Status: running" in panel.details.text()
    tree = panel.details.tree
    config = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                  if tree.topLevelItem(i).text(0) == "Config")
    config.setExpanded(False)  # the user folds a section
    with Store(db_path) as store:  # another connection: as a script's process would
        store.update_summary(run_id, {"loss": 0.25})
    qtbot.waitUntil(lambda: "loss: 0.25" in panel.details.text(), timeout=5_000)
    folded = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())
              if not tree.topLevelItem(i).isExpanded()]
    assert folded == ["Config"]  # rebuilt with the new summary, the fold kept

    menu = [a for a in panel.context_menu().actions() if a.text() == "Details"]
    assert menu and menu[0].isCheckable() and menu[0].isChecked()
    menu[0].trigger()
    assert not panel.details_button.isChecked() and panel.details.isHidden()
    again = make_panel(qtbot, open_context(db_path, qt_settings))
    assert not again.details_button.isChecked() and again.details.isHidden()
    again.details_button.click()
    assert not again.details.isHidden()


def test_runs_another_process_writes_are_listed_without_refresh(qtbot, main_window, db_path):
    from tests.faults.processes import cli
    from tests.gui.runs.test_runs_panel import shown_ids

    runs = main_window.tabs.show_panel("runs")
    trained = cli("train", "--db", db_path, "--name", "from the shell", "--set",
                  "data.name=digits", "--set", "model.hidden=[16]", "--set", "train.epochs=1",
                  "--set", "train.device=cpu", "--set", "train.threads=1")
    assert trained.returncode == 0, trained.stderr
    qtbot.waitUntil(lambda: len(shown_ids(runs)) == 1, timeout=10_000)
    (run_id,) = shown_ids(runs)
    select(runs, [run_id])
    assert "from the shell" in runs.details.title.text()
    assert "Status: finished" in runs.details.text()
    # A change that is never a running run (which the Train tab's follower would see):
    # another process deletes it; the table and the pane both notice.
    deleted = cli("delete", str(run_id), "--db", db_path)
    assert deleted.returncode == 0, deleted.stderr
    qtbot.waitUntil(lambda: shown_ids(runs) == [], timeout=10_000)
    assert runs.details.run_id is None or "no longer exists" in runs.details.title.text()


def test_a_run_of_the_app_refreshes_the_runs_tab_once(qtbot, main_window):
    from tests.gui.helpers import FAST, run_and_wait
    from tests.gui.runs.test_runs_panel import shown_ids

    runs = main_window.tabs.show_panel("runs")
    resets: list[int] = []
    runs.model.modelReset.connect(lambda: resets.append(1))
    run_id, ended = run_and_wait(qtbot, main_window, FAST)
    assert ended["status"] == "finished"
    assert shown_ids(runs) == [run_id]  # refreshed as the run ended, no poll waited for
    assert runs.model.records()[0]["status"] == "finished"
    resets.clear()
    for _ in range(2):  # two polls of the watcher: the end was read once, not again
        with qtbot.waitSignal(main_window.context.watcher.timer.timeout, timeout=5_000):
            pass
    assert resets == []


def test_a_metric_flush_elsewhere_updates_the_pane_not_the_table(qtbot, db_path, app_context):
    """A running script flushes points every second: the table (10,000 runs, perhaps)
    is not read again for them, the shown live run's resource samples are."""
    with Store(db_path) as store:
        run_id = store.create_run({"lr": 0.1}, name="live")
        store.start_run(run_id)
    panel = make_panel(qtbot, app_context)
    panel.show()
    select(panel, [run_id])
    resets: list[int] = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    with Store(db_path) as store:  # another connection, as the script's process
        store.write_metrics([(run_id, "sys.cpu_percent", 1, 0, 42.0, 0.5)])
    qtbot.waitUntil(lambda: "42" in panel.details.text(), timeout=5_000)
    assert resets == []
    with Store(db_path) as store:
        store.end_run(run_id, "finished", {"loss": 0.5})
    qtbot.waitUntil(lambda: bool(resets), timeout=5_000)  # what the table shows changed
    assert panel.model.records()[0]["status"] == "finished"
