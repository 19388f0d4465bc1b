"""The labelled fields ``dlstudio show``, the row tooltip and the details pane share."""

from __future__ import annotations

import math

from dlstudio.reproducibility import API_MARK
from dlstudio.formatting import format_bytes
from dlstudio.run_record import environment_fields, resource_fields, with_details
from dlstudio.store import Store


def test_metric_stats_are_count_mean_and_peak_without_nan(db_path):
    with Store(db_path) as store:
        run_id = store.create_run({"lr": 0.1})
        store.write_metrics([(run_id, "sys.gpu_util", step, 1, value, float(step))
                             for step, value in enumerate([20.0, math.nan, 80.0], 1)])
        details = with_details(store, store.get_run(run_id))
    assert details["system_metrics"] == {"sys.gpu_util": {"count": 2, "mean": 50.0,
                                                          "max": 80.0}}
    assert details["files"] == []


def test_resource_fields_of_a_cpu_run_and_of_a_run_without_any():
    fields = dict(resource_fields({"device": "cpu", "cpu_time": 3.0, "duration": 6.0},
                                  {"sys.ram_mb": {"count": 4, "mean": 300.0, "max": 410.0}}))
    assert fields == {"Device": "cpu",
                      "CPU time (training thread)": "3.0 s (50 % of the wall-clock time)",
                      "RAM of the process": "mean 300 MB, peak 410 MB (4 samples)"}
    assert resource_fields({}, {}) == [("Resources",
                                        "not recorded (the run is older than this record)")]
    [(_, imported)] = resource_fields({}, {}, {"imported_from": {"kind": "tensorboard"}})
    assert imported.startswith("not recorded: an import brings")
    [(_, script)] = resource_fields({}, {}, {API_MARK: "dlstudio.start_run"})
    assert "system_metrics=False" in script


def test_environment_fields_label_git_and_hashed_inputs():
    fields = environment_fields({
        "python": "3.11.7", "torch": "2.3.0", "cuda": None, "dlstudio": "0.1.0",
        "host": "box", "platform": "Linux", "command": "python train.py", "cwd": "/w",
        "git": {"commit": "abc123", "dirty": True, "root": "/w"},
        "data_files": [{"path": "/w/d.csv", "sha256": "ff00"}],
        "plugin_files": [{"path": "/w/p.py", "error": "cannot read: gone"}]})
    assert ("Git commit", "abc123 (dirty: uncommitted changes)") in fields
    assert ("CUDA", "none") in fields and ("Host", "box (Linux)") in fields
    assert ("Data file", "/w/d.csv  sha256 ff00") in fields
    assert ("Plugin file", "/w/p.py  cannot read: gone") in fields
    assert format_bytes(5) == "5 B" and format_bytes(1536) == "1.5 KB"


def test_who_made_a_run_is_read_from_its_environment_one_way():
    from dlstudio.reproducibility import made_by
    from dlstudio.training.resumable import trained_here

    cases = {"": {}, "import": {"imported_from": {"kind": "mlflow", "source": "mlruns"}},
             "script": {"logged_by": "dlstudio.start_run", "python": "3.11"},
             "dlstudio": {"python": "3.11", "command": "dlstudio train"}}
    for maker, environment in cases.items():
        assert made_by(environment) == maker
        # Only the trainer's runs (and those older than the record) can be trained again.
        assert trained_here({"environment": environment}) == (maker in ("dlstudio", ""))
