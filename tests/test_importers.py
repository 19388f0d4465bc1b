"""dlstudio import tensorboard | mlflow: real logs written by TensorBoard's and MLflow's
own writers, read back through the CLI."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dlstudio
from dlstudio.cli import main

ROOT = Path(__file__).resolve().parent.parent

# The [import] extra (in [dev], so CI has it): these tests fail, not skip, without it.
from mlflow.tracking import MlflowClient  # noqa: E402
from torch.utils import tensorboard  # noqa: E402


def test_tensorboard_scalars_and_hparams_become_runs(tmp_path, db_path, capsys):
    logs = tmp_path / "tb"
    writer = tensorboard.SummaryWriter(str(logs / "baseline"))
    for step in range(5):
        writer.add_scalar("train/loss", 1.0 / (step + 1), step)
    writer.add_scalar("dev/accuracy", math.nan, 4)  # diverged: kept as a gap
    writer.close()
    tuned = tensorboard.SummaryWriter(str(logs / "tuned"))
    tuned.add_scalar("train/loss", 0.5, 10)
    tuned.add_hparams({"lr": 0.01, "model": "mlp", "bn": True}, {"hp/acc": 0.9}, run_name=".")
    tuned.close()

    assert main(["import", "tensorboard", str(logs), "--db", str(db_path)]) == 0
    assert "imported 2 runs" in capsys.readouterr().out
    with dlstudio.open(db_path) as db:
        runs = {run.name: run for run in db.runs(tag="tensorboard")}
        assert set(runs) == {"baseline", "tuned"}
        baseline, tuned_run = runs["baseline"], runs["tuned"]
        loss = db.curve(baseline.id, "train/loss")
        assert loss.step.tolist() == [0, 1, 2, 3, 4]
        assert loss.value.tolist() == pytest.approx([1, 0.5, 1 / 3, 0.25, 0.2])
        assert math.isnan(db.curve(baseline.id, "dev/accuracy").value[0])
        assert tuned_run.config == {"lr": 0.01, "model": "mlp", "bn": True}
        assert db.curve(tuned_run.id, "hp/acc").value.tolist() == [pytest.approx(0.9)]
        assert baseline.environment["imported_from"]["kind"] == "tensorboard"
    assert main(["import", "tensorboard", str(logs), "--db", str(db_path)]) == 0
    assert "imported 0 runs" in capsys.readouterr().out  # a second import skips them


def test_mlflow_database_runs_become_runs(tmp_path, db_path, capsys):
    client = _mlflow_client(f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = client.create_experiment("cifar")
    good = client.create_run(experiment, run_name="resnet", tags={"team": "vision"})
    client.log_param(good.info.run_id, "lr", "0.001")
    client.log_param(good.info.run_id, "model", "resnet18")
    for step in range(3):
        client.log_metric(good.info.run_id, "val_acc", 0.5 + step / 10, step=step)
    client.set_terminated(good.info.run_id, "FINISHED")
    bad = client.create_run(experiment, run_name="crashed")
    client.log_metric(bad.info.run_id, "loss", math.nan, step=0)
    client.set_terminated(bad.info.run_id, "FAILED")

    assert main(["import", "mlflow", str(tmp_path / "mlflow.db"), "--db", str(db_path)]) == 0
    assert "imported 2 runs" in capsys.readouterr().out
    with dlstudio.open(db_path) as db:
        runs = {run.name: run for run in db.runs(tag="experiment=cifar")}
        resnet, crashed = runs["resnet"], runs["crashed"]
        assert resnet.config == {"lr": 0.001, "model": "resnet18"}
        assert "team=vision" in resnet.tags and "mlflow" in resnet.tags
        assert resnet.status == "finished" and crashed.status == "failed"
        assert db.curve(resnet.id, "val_acc").value.tolist() == pytest.approx([0.5, 0.6, 0.7])
        assert math.isnan(db.curve(crashed.id, "loss").value[0])
        assert resnet.environment["imported_from"]["id"] == good.info.run_id
    assert main(["show", str(resnet.id), "--db", str(db_path)]) == 0
    assert f"imported from mlflow: sqlite:///{tmp_path / 'mlflow.db'} (run {good.info.run_id})" \
        in capsys.readouterr().out


def test_an_mlruns_folder_is_read_too(tmp_path, db_path, monkeypatch, capsys):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # older MLflow wrote these
    client = _mlflow_client((tmp_path / "mlruns").as_uri())
    run = client.create_run(client.create_experiment("old"), run_name="old-run")
    client.log_metric(run.info.run_id, "loss", 0.25, step=7)
    client.set_terminated(run.info.run_id)
    assert main(["import", "mlflow", str(tmp_path / "mlruns"), "--db", str(db_path)]) == 0
    with dlstudio.open(db_path) as db:
        [imported] = db.runs()
        assert imported.name == "old-run" and db.curve(imported.id, "loss").step.tolist() == [7]


@pytest.mark.parametrize("source", ["tensorboard", "mlflow"])
def test_without_the_extra_the_command_says_how_to_install_it(tmp_path, db_path, source):
    # A fresh process where the reader cannot be imported, as when it is not installed.
    code = (f"import sys; sys.modules[{source!r}] = None; from dlstudio.cli import main; "
            f"sys.exit(main(['import', {source!r}, {str(tmp_path)!r}, '--db', {str(db_path)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 2
    assert f"import {source}: needs" in done.stderr
    assert 'install it with: pip install "dlstudio[import]"' in done.stderr


def test_bad_sources_are_named(tmp_path, db_path, capsys):
    assert main(["import", "tensorboard", str(tmp_path / "nope"), "--db", str(db_path)]) == 2
    assert "nope: not a folder" in capsys.readouterr().err
    assert main(["import", "tensorboard", str(tmp_path), "--db", str(db_path)]) == 2
    assert "no event files" in capsys.readouterr().err
    assert main(["import", "mlflow", str(tmp_path / "nope.db"), "--db", str(db_path)]) == 2
    assert "no such folder or file" in capsys.readouterr().err


def _mlflow_client(uri: str) -> MlflowClient:
    return MlflowClient(tracking_uri=uri)
