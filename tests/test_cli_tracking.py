"""The CLI over runs it did not train: free-form configs from the API, their
environment and files, many-run exports; and the environment of built-in runs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math

import numpy as np

import dlstudio
from dlstudio.cli import main


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _api_runs(db_path, tmp_path):
    """A flat and a nested free-form config, neither shaped like RunConfig."""
    # Without system metrics: the exports' point counts are the logged points alone.
    with dlstudio.start_run(config={"model": "my-resnet", "lr": 0.1}, name="resnet",
                            tags=["mine"], db=db_path, system_metrics=False) as first:
        for step in range(3):
            first.log({"train/loss": 1.0 / (step + 1), "val_acc": 0.5 + step / 10}, step=step)
        first.log({"train/loss": math.nan}, step=3)
        first.summary["test/accuracy"] = 0.7
        notes = tmp_path / "notes.txt"
        notes.write_text("n")
        first.log_artifact(notes)
    with dlstudio.start_run(config={"net": {"depth": 50}, "data": "cifar"}, name="deep",
                            db=db_path, system_metrics=False) as second:
        second.log({"train/loss": 2.0}, step=0)
        second.summary["test/accuracy"] = 0.9
    return first, second


def test_runs_show_and_filters_accept_free_form_configs(db_path, tmp_path, capsys):
    first, second = _api_runs(db_path, tmp_path)
    code, out, _ = _run(capsys, "runs", "--db", db_path)
    assert code == 0 and "resnet" in out and "deep" in out
    code, out, _ = _run(capsys, "runs", "--db", db_path, "--filter", "my-resnet", "--json")
    assert [run["id"] for run in json.loads(out)] == [first.id]
    code, out, _ = _run(capsys, "runs", "--db", db_path, "--sort", "test/accuracy", "--json")
    assert [run["id"] for run in json.loads(out)] == [second.id, first.id]
    code, out, _ = _run(capsys, "show", str(second.id), "--db", db_path)
    assert code == 0 and "net: depth=50" in out and "data: cifar" in out
    code, out, _ = _run(capsys, "show", "resnet", "--db", db_path)
    assert "model: my-resnet" in out and "environment:" in out
    assert f"artifacts/notes.txt  (1 B)" in out
    code, out, _ = _run(capsys, "show", str(first.id), "--db", db_path, "--json")
    shown = json.loads(out)
    assert shown["environment"]["dlstudio"] == dlstudio.__version__
    assert [entry["path"].rsplit("/", 2)[-2:] for entry in shown["files"]] == [
        ["artifacts", "notes.txt"]]


def test_export_runs_writes_long_metrics_and_a_wide_summary(db_path, tmp_path, capsys):
    first, second = _api_runs(db_path, tmp_path)
    long_csv, wide_csv = tmp_path / "metrics.csv", tmp_path / "summary.csv"
    code, _, err = _run(capsys, "export-runs", "--db", db_path, "--metrics", long_csv,
                        "--summary", wide_csv)
    assert code == 0 and "8 points of 2 runs" in err
    rows = list(csv.DictReader(io.StringIO(long_csv.read_text())))
    assert [(r["run_id"], r["key"], r["step"]) for r in rows][:4] == [
        (str(first.id), "train/loss", "0"), (str(first.id), "train/loss", "1"),
        (str(first.id), "train/loss", "2"), (str(first.id), "train/loss", "3")]
    assert rows[3]["value"] == ""  # the NaN
    assert {r["run_name"] for r in rows} == {"resnet", "deep"}
    summary = list(csv.DictReader(io.StringIO(wide_csv.read_text())))
    assert [r["name"] for r in summary] == ["resnet", "deep"]
    assert summary[0]["config.model"] == "my-resnet" and summary[0]["config.net.depth"] == ""
    assert summary[1]["config.net.depth"] == "50" and summary[1]["summary.test/accuracy"] == "0.9"
    assert summary[0]["tags"] == "mine"

    code, _, err = _run(capsys, "export-runs", str(second.id), "--db", db_path, "--metrics",
                        long_csv)
    assert code == 0 and "1 point of 1 run" in err
    code, _, err = _run(capsys, "export-runs", "99", "--db", db_path, "--summary", wide_csv)
    assert code == 2 and "run 99: not found" in err
    code, _, err = _run(capsys, "export-runs", "--db", db_path)
    assert code == 2 and "--metrics FILE and / or --summary FILE" in err


def test_a_built_in_run_records_its_data_file_and_versions(db_path, tmp_path, capsys):
    data = tmp_path / "points.npz"
    rng = np.random.default_rng(0)
    np.savez(data, X=rng.normal(size=(60, 3)), y=rng.integers(0, 2, 60))
    code, _, err = _run(capsys, "train", "--db", db_path, "--set", "data.name=npz",
                        "--set", f"data.path={data}", "--set", "train.epochs=1",
                        "--set", "train.device=cpu", "--json")
    assert code == 0, err
    code, out, _ = _run(capsys, "show", "1", "--db", db_path, "--json")
    environment = json.loads(out)["environment"]
    assert environment["data_files"] == [{
        "path": str(data.resolve()), "bytes": data.stat().st_size,
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest()}]
    assert environment["torch"] and environment["python"] and environment["host"]
    assert "cuda" in environment and environment["plugin_files"] == []
