"""Configs that cannot train are refused before a run (or sweep) row exists."""

from __future__ import annotations

import os
import stat

import pytest

from dlstudio.cli import main
from dlstudio.store import Store

FAST = ["--set", "data.name=iris", "--set", "model.hidden=[8]", "--set", "train.epochs=1",
        "--set", "train.device=cpu"]


def _train(capsys, db_path, *argv):
    code = main(["train", "--db", str(db_path), *FAST, *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def _runs(db_path) -> list:
    if not db_path.exists():
        return []
    with Store(db_path) as store:
        return store.list_runs()


def _refused(capsys, db_path, needle, *argv) -> str:
    code, _, err = _train(capsys, db_path, *argv)
    assert code == 2, err
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert _runs(db_path) == []
    return err


def test_a_model_too_big_for_memory(capsys, db_path):
    err = _refused(capsys, db_path, "model.hidden: the model has",
                   "--set", "model.hidden=[1000000000000]")
    assert "GiB" in err


def test_more_threads_than_cores(capsys, db_path):
    _refused(capsys, db_path, "train.threads: got 100000", "--set", "train.threads=100000")


@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_half_precision_on_the_cpu(capsys, db_path, precision):
    _refused(capsys, db_path, f"train.precision: {precision} needs a CUDA GPU",
             "--set", f"train.precision={precision}")


def _plugin(tmp_path, body: str):
    path = tmp_path / "net.py"
    path.write_text("import torch\n" + body)
    return ["--set", "model.name=plugin", "--set", f"model.plugin={path}"]


def test_a_plugin_with_the_wrong_output_size(capsys, db_path, tmp_path):
    argv = _plugin(tmp_path, "def build_model(config, shape, out):\n"
                             "    return torch.nn.Linear(shape[0], out + 1)\n")
    _refused(capsys, db_path, "gives outputs of shape (2, 4) for a batch of 2; expected (2, 3)",
             *argv)


def test_a_plugin_whose_forward_fails(capsys, db_path, tmp_path):
    argv = _plugin(tmp_path, "def build_model(config, shape, out):\n"
                             "    return torch.nn.Linear(shape[0] + 5, out)\n")
    _refused(capsys, db_path, "fails on a batch of shape (2, 4)", *argv)


@pytest.mark.parametrize("where", ["top", "build"])
def test_a_plugin_calling_sys_exit(capsys, db_path, tmp_path, where):
    body = ("import sys\nsys.exit(3)\n" if where == "top" else
            "import sys\ndef build_model(config, shape, out):\n    sys.exit(3)\n")
    _refused(capsys, db_path, "called sys.exit(3)", *_plugin(tmp_path, body))


def test_a_plugin_top_level_code_runs_once_per_train(capsys, db_path, tmp_path):
    log = tmp_path / "imports.log"
    argv = _plugin(tmp_path, f"with open({str(log)!r}, 'a') as f: f.write('imported\\n')\n"
                             "def build_model(config, shape, out):\n"
                             "    return torch.nn.Linear(shape[0], out)\n")
    code, _, err = _train(capsys, db_path, *argv)
    assert code == 0, err
    assert log.read_text() == "imported\n"


def test_a_huge_grid_is_refused_before_a_sweep_row(capsys, db_path, tmp_path):
    sweep = tmp_path / "grid.yaml"
    sweep.write_text("method: grid\nmetric: {name: dev_loss, goal: minimize}\n"
                     "grid: {points: 100000}\nbase: {data: {name: iris}}\nparameters:\n"
                     "  optim.lr: {distribution: log_uniform_values, min: 1e-5, max: 1e-1}\n")
    code = main(["sweep", str(sweep), "--db", str(db_path)])
    err = capsys.readouterr().err
    assert code == 2 and "grid.points: got 100,000, expected at most 10,000" in err
    assert not db_path.exists()


def test_a_large_grid_of_distinct_values_is_built_in_linear_time():
    # The duplicate check was a list scan per value: 10,000 points took ~1 s, 100,000
    # never finished. 10,000 distinct values must come back, in order.
    from dlstudio.search.params import Float

    values = Float(name="optim.lr", low=1e-5, high=1e-1, log=True).grid(10_000)
    assert len(values) == 10_000 and values == sorted(values)


def test_database_and_checkpoints_are_private(capsys, db_path):
    previous = os.umask(0o022)
    try:
        code, _, err = _train(capsys, db_path)
    finally:
        os.umask(previous)
    assert code == 0, err
    mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
    assert mode(db_path) == 0o600
    for suffix in ("-wal", "-shm"):
        sidecar = db_path.parent / (db_path.name + suffix)
        if sidecar.exists():
            assert mode(sidecar) == 0o600
    root = db_path.parent / "runs-checkpoints"
    assert mode(root) == 0o700 and mode(root / "run-1") == 0o700
    assert mode(root / "run-1" / "last.pt") == 0o600
