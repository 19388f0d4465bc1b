"""Choosing a sweep's executor: the sweep file's ``executor`` section, the CLI's
``--executor`` / ``--address``, and what happens when Ray is not installed."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap

import pytest

from dlstudio.cli import main
from dlstudio.cli.sweep import _executor
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.search import parse_sweep
from dlstudio.search.executor_spec import ExecutorSpec
from dlstudio.store import Store
from dlstudio.training.sweeps.executors import executor_kinds, executor_overrides
from dlstudio.training.sweeps.setup import create_sweep, recorded_executor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP = {"method": "random", "budget": {"trials": 2},
         "parameters": {"optim.lr": {"values": [0.01, 0.02]}},
         "base": {"data": {"name": "digits"}, "model": {"hidden": [8]},
                  "train": {"device": "cpu", "epochs": 1}}}


@pytest.mark.parametrize("section, message", [
    ({"kind": "dask"}, "executor.kind: got 'dask', expected local or ray"),
    ({"kind": "ray", "gpus": 1}, "executor.gpus: unknown setting; expected one of kind, "
                                 "address, gpus_per_trial, cpus_per_trial, checkpoints"),
    ({"kind": "ray", "gpus_per_trial": -1}, "executor.gpus_per_trial: got -1, expected a "
                                            "number >= 0"),
    ({"kind": "ray", "cpus_per_trial": 0}, "executor.cpus_per_trial: got 0, expected a "
                                           "number > 0"),
    ({"kind": "ray", "cpus_per_trial": "two"}, "executor.cpus_per_trial: got 'two'"),
    ({"kind": "ray", "address": ""}, "executor.address: got '', expected a cluster address"),
    ({"kind": "ray", "checkpoints": 3}, "executor.checkpoints: got 3, expected a folder"),
    ({"address": "auto"}, "executor: address, gpus_per_trial and cpus_per_trial are Ray "
                          "settings; add kind: ray"),
    ("ray", "executor: expected a mapping such as {kind: ray"),
])
def test_a_bad_executor_section_is_named_with_the_file(section, message):
    with pytest.raises(ConfigError) as caught:
        parse_sweep({**SWEEP, "executor": section}, source="s.yaml")
    assert any(p.startswith(f"s.yaml: {message}") for p in caught.value.problems), \
        caught.value.problems


def test_the_sweep_records_its_executor_and_a_resume_reads_it_back(db_path):
    section = {"kind": "ray", "address": "auto", "gpus_per_trial": 1, "cpus_per_trial": 2,
               "checkpoints": "/shared/ckpt"}
    spec = parse_sweep({**SWEEP, "executor": section})
    assert spec.executor == ExecutorSpec("ray", "auto", 1.0, 2.0, "/shared/ckpt")
    assert parse_sweep(SWEEP).executor == ExecutorSpec()  # local threads by default
    with Store(db_path) as store:
        sweep_id = create_sweep(store, spec)
        assert recorded_executor(store.get_sweep(sweep_id)) == spec.executor


def test_a_ray_sweep_leaves_the_device_to_its_workers(db_path):
    gpu_sweep = {**SWEEP, "base": {**SWEEP["base"], "train": {"device": "cuda", "epochs": 1}}}
    with Store(db_path) as store:
        # This machine has no GPU: the driver checks the rest, the workers get the GPUs.
        create_sweep(store, {**gpu_sweep, "executor": {"kind": "ray", "gpus_per_trial": 1}})
        with pytest.raises(ConfigError, match="train.device: 'cuda' is not available here"):
            create_sweep(store, gpu_sweep)  # local threads train here
        with pytest.raises(ConfigError, match="train.device: cuda, but executor.gpus_per_trial "
                                              "is 0; ask for GPUs"):
            create_sweep(store, {**gpu_sweep, "executor": {"kind": "ray"}})
        one = {**SWEEP, "base": {**SWEEP["base"], "train": {"device": "cuda:1"}}}
        with pytest.raises(ConfigError, match="train.device: 'cuda:1' names one device, but a "
                                              "Ray trial trains on the GPUs Ray gives it"):
            create_sweep(store, {**one, "executor": {"kind": "ray", "gpus_per_trial": 1}})


def test_the_command_line_overrides_the_files_executor():
    def args(executor=None, address=None):
        return argparse.Namespace(executor=executor, address=address)

    ray = ExecutorSpec("ray", "10.0.0.5:6379", 1.0, 2.0)
    assert _executor(args(), ray) == ray
    assert _executor(args("local"), ray) == ExecutorSpec("local", None, 1.0, 2.0)
    assert _executor(args(address="auto"), ExecutorSpec()).kind == "ray"  # implied
    assert _executor(args("ray", "auto"), ExecutorSpec()).address == "auto"
    with pytest.raises(ConfigError, match="--address: a Ray cluster's address; it needs "
                                          "--executor ray"):
        _executor(args("local", "auto"), ExecutorSpec())


def test_ray_tasks_get_their_cpus_as_threads_and_local_workers_share_the_machine():
    auto = RunConfig.from_dict({"train": {"device": "cpu", "threads": 0}})
    fixed = auto.replace(**{"train.threads": 3})
    ray = ExecutorSpec("ray", cpus_per_trial=2)
    assert executor_overrides(ray, auto, 2) == [{"train.threads": 2}] * 2
    assert executor_overrides(ray, fixed, 2) == [{}, {}]
    assert executor_overrides(ExecutorSpec(), auto, 1) == [{}]
    assert "ray" in executor_kinds()  # the extra is installed in this environment


@pytest.mark.parametrize("address, message", [
    ("127.0.0.1:1", "error: executor.address: nothing answers at 127.0.0.1:1 (Connection "
                    "refused); start the cluster there with  ray start --head --port=1"),
    ("auto", "error: executor.address: cannot start Ray on auto: Could not find any running "
             "Ray instance."),
])
def test_an_unreachable_cluster_is_one_line_and_leaves_the_sweep_queued(
        tmp_path, capsys, address, message):
    import ray

    if ray.is_initialized():  # another module's instance would be used instead
        ray.shutdown()
    path, db = tmp_path / "sweep.yaml", tmp_path / "runs.db"
    path.write_text("method: grid\nparameters: {optim.lr: {values: [0.01]}}\n"
                    "base: {data: {name: digits}, train: {device: cpu, epochs: 1}}\n")
    assert main(["sweep", str(path), "--db", str(db), "--address", address]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line for line in lines if line.startswith("error:")] == [lines[-1]]
    assert lines[-1].startswith(message)
    with Store(db) as store:
        assert [s["status"] for s in store.list_sweeps()] == ["queued"]
        assert store.list_runs() == []


NO_RAY = textwrap.dedent("""
    import sys
    sys.modules["ray"] = None  # as if the ray extra were not installed
    from dlstudio.cli import main
    sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.parametrize("options", [["--executor", "ray"], ["--address", "auto"], []])
def test_without_ray_the_cli_says_how_to_install_it_and_touches_nothing(tmp_path, options):
    path, db = tmp_path / "sweep.yaml", tmp_path / "runs.db"
    executor = "executor: {kind: ray}\n" if not options else ""
    path.write_text(executor + "method: grid\nparameters: {optim.lr: {values: [0.01]}}\n"
                    "base: {data: {name: digits}, train: {device: cpu, epochs: 1}}\n")
    done = subprocess.run([sys.executable, "-c", NO_RAY, "sweep", str(path), "--db", str(db),
                           *options], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": REPO})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        'error: executor ray: Ray is not installed; install it with  '
        'pip install "dlstudio[ray]"']
    if db.exists():
        with Store(db) as store:
            assert not store.list_sweeps()
