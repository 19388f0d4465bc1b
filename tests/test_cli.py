"""The command line end to end on a temporary database."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dlstudio.cli import main
from dlstudio.store import Store

FAST = ["--set", "data.name=digits", "--set", "model.hidden=[16]", "--set", "train.epochs=2",
        "--set", "train.device=cpu"]


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _count_runs(db_path) -> int:
    with Store(db_path) as store:
        return len(store.list_runs())


def test_train_with_no_file_then_list_show_export_delete(db_path, capsys, tmp_path):
    code, out, _ = _run(capsys, "train", "--db", db_path, "--set", "data.name=digits",
                        "--set", "model.name=mlp", "--set", "train.epochs=3")
    assert code == 0 and out.startswith("run 1: finished")
    code, out, _ = _run(capsys, "runs", "--db", db_path, "--json")
    runs = json.loads(out)
    assert [r["id"] for r in runs] == [1] and runs[0]["status"] == "finished"
    code, out, _ = _run(capsys, "show", "1", "--db", db_path, "--json")
    shown = json.loads(out)
    assert {"train_metric", "dev_metric", "test_metric"} <= set(shown["summary"])
    assert shown["config"]["train"]["epochs"] == 3

    target = tmp_path / "run1.csv"
    code, _, _ = _run(capsys, "export", "1", "--db", db_path, "--format", "csv", "-o", target)
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    with Store(db_path) as store:
        stored = store.read_curve(1, "loss")
    exported = [float(r["value"]) for r in rows if r["key"] == "loss"]
    assert exported == pytest.approx(stored["value"].tolist(), rel=0, abs=0)
    code, out, _ = _run(capsys, "export", "1", "--db", db_path, "--format", "json")
    assert json.loads(out)["metrics"]["dev_metric"]["epoch"] == [1, 2, 3]

    code, _, _ = _run(capsys, "delete", "1", "--db", db_path)
    assert code == 0 and _count_runs(db_path) == 0


def test_config_file_with_overrides(db_path, capsys, tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("name: wine-sgd\ndata:\n  name: wine\noptim:\n  name: sgd\n  lr: 0.05\n"
                    "train:\n  epochs: 2\n  device: cpu\n")
    code, out, _ = _run(capsys, "train", path, "--set", "optim.lr=0.1", "--db", db_path, "--json")
    result = json.loads(out)
    assert code == 0 and result["status"] == "finished"
    with Store(db_path) as store:
        run = store.get_run(result["run_id"])
    assert run["name"] == "wine-sgd" and run["config"]["optim"]["lr"] == 0.1


@pytest.mark.parametrize("args, message", [
    (["--set", "optim.name=adamx", "--set", "train.epochs=0"], "optim.name: unknown 'adamx'"),
    (["--set", "data.name=csv", "--set", "data.path=/nowhere/data.csv"],
     "data.path: file /nowhere/data.csv not found"),
    (["--set", "train.device=cuda:7"], "train.device: 'cuda:7' is not available"),
    (["--set", "model.lr=3"], "model.lr: unknown key"),
    (["optim.lr=0.01"], "config file optim.lr=0.01: not found; to set one key, use "
                        "--set optim.lr=0.01"),
])
def test_bad_input_exits_nonzero_and_creates_no_row(db_path, capsys, args, message):
    code, _, err = _run(capsys, "train", "--db", db_path, *args)
    assert code == 2
    assert message in err
    assert _count_runs(db_path) == 0


def test_csv_with_nan_and_non_numeric_columns_is_refused(db_path, capsys, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,b,label\n1,2,x\n,3,y\n4,5,x\n")
    code, _, err = _run(capsys, "train", "--db", db_path, "--set", "data.name=csv",
                        "--set", f"data.path={data}")
    assert code == 2 and "a" in err and str(data) in err
    assert _count_runs(db_path) == 0


def test_plugin_that_raises_creates_no_row(db_path, capsys, tmp_path):
    plugin = tmp_path / "net.py"
    plugin.write_text("def build_model(config, input_shape, output_dim):\n    raise RuntimeError('nope')\n")
    code, _, err = _run(capsys, "train", "--db", db_path, "--set", "model.name=plugin",
                        "--set", f"model.plugin={plugin}")
    assert code == 2 and "model.plugin:" in err and "RuntimeError: nope" in err
    assert _count_runs(db_path) == 0


def test_resume_continues_a_stopped_run(db_path, capsys):
    from dlstudio.config import RunConfig
    from dlstudio.training.run_job import create_run, execute_run

    config = RunConfig.from_dict({}, ["data.name=digits", "model.hidden=[16]", "train.epochs=3",
                                      "train.device=cpu"])
    with Store(db_path) as store:
        run_id = create_run(store, config)
    import threading

    from dlstudio.training.events import EpochEvent

    stop = threading.Event()
    execute_run(db_path, run_id, stop=stop,
                subscribers=[lambda e: stop.set() if isinstance(e, EpochEvent) else None])
    with Store(db_path) as store:
        assert store.get_run(run_id)["status"] == "stopped"
    code, out, _ = _run(capsys, "resume", str(run_id), "--db", db_path, "--json")
    assert code == 0 and json.loads(out)["summary"]["epochs_done"] == 3
    with Store(db_path) as store:
        assert store.read_curve(run_id, "dev_metric")["epoch"].tolist() == [1, 2, 3]
    code, _, err = _run(capsys, "resume", str(run_id), "--db", db_path)
    assert code == 2 and "only stopped, interrupted or failed" in err


def test_unknown_run_is_named(db_path, capsys):
    Store(db_path).close()
    code, _, err = _run(capsys, "show", "42", "--db", db_path)
    assert code == 2 and "run 42: not found" in err
