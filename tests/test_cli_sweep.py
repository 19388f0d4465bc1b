"""``dlstudio sweep | sweeps | sweep-resume`` end to end on a temporary database."""

from __future__ import annotations

import copy
import json
import threading

import pytest
import yaml

from dlstudio.cli import main
from dlstudio.examples import examples_folder
from dlstudio.errors import ConfigError
from dlstudio.store import Store
from dlstudio.training.events import StepEvent
from dlstudio.training.sweeps.events import RunEvent
from dlstudio.training.sweeps.runner import SweepRunner
from dlstudio.training.sweeps.setup import create_sweep

EXAMPLES = examples_folder("sweeps")

TINY = """
method: successive_halving
name: tiny-sh
metric: {name: dev_error, goal: minimize}
successive_halving: {n_configs: 4, min_epochs: 1, max_epochs: 2, eta: 2}
final_seeds: {top: 2, seeds: 2}
base:
  data: {name: digits}
  model: {hidden: [16]}
  train: {device: cpu}
parameters:
  optim.lr: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
"""


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path, text, name="sweep.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_sweep_then_list_then_resume(db_path, tmp_path, capsys):
    path = _write(tmp_path, TINY)
    code, out, _ = _run(capsys, "sweep", path, "--db", db_path, "--seed", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("sweep 1 'tiny-sh' starts: Successive halving")
    trial_lines = [line for line in lines if line.startswith("trial ")]
    assert len(trial_lines) == 4 + 2
    assert "[b0 r1]  epochs 1->2" in trial_lines[-1] and "dev_error 0." in trial_lines[-1]
    assert sum(line.startswith("final #") for line in lines) == 4
    assert "sweep 1 'tiny-sh': finished" in out and "best: trial" in out
    assert "<- winner" in out and "6 epochs spent" in out
    assert "halving: 2 promoted, 2 eliminated" in out

    code, out, _ = _run(capsys, "sweeps", "--db", db_path)
    assert code == 0 and "tiny-sh" in out and "finished" in out and "dev_error" in out
    code, out, _ = _run(capsys, "sweeps", "--db", db_path, "--json")
    listed = json.loads(out)
    assert [(s["sweep_id"], s["status"], s["told"]) for s in listed] == [(1, "finished", 6)]

    code, out, _ = _run(capsys, "sweep-resume", "tiny-sh", "--db", db_path)
    assert code == 0 and out.startswith("sweep 1: already finished")


def test_resume_a_stopped_sweep_by_name_with_json(db_path, tmp_path, capsys):
    stop = threading.Event()

    def stop_at_promotion(event):
        if isinstance(event, RunEvent) and event.trial_id == 4 \
                and isinstance(event.event, StepEvent):
            stop.set()

    with Store(db_path) as store:
        sweep_id = create_sweep(store, _write(tmp_path, TINY), "to-resume")
    assert SweepRunner(db_path, sweep_id, subscribers=[stop_at_promotion],
                       stop=stop).run()["status"] == "paused"
    code, out, _ = _run(capsys, "sweeps", "--db", db_path, "--json")
    assert json.loads(out)[0]["status"] == "paused"
    code, out, _ = _run(capsys, "sweep-resume", "to-resume", "--db", db_path, "--workers", "2",
                        "--json")
    summary = json.loads(out)
    assert code == 0 and summary["status"] == "finished"
    assert summary["counts"] == {"finished": 6} and summary["epochs_spent"] == 6
    assert len(summary["final"]) == 2


def test_a_resumed_sweep_keeps_the_workers_it_was_created_with(db_path, tmp_path, capsys):
    stop = threading.Event()

    def stop_at_first_step(event):
        if isinstance(event, RunEvent) and isinstance(event.event, StepEvent):
            stop.set()

    with Store(db_path) as store:
        sweep_id = create_sweep(store, _write(tmp_path, TINY), "two-at-once", workers=2)
        assert store.get_sweep(sweep_id)["spec"]["workers"] == 2
    assert SweepRunner(db_path, sweep_id, workers=2, subscribers=[stop_at_first_step],
                       stop=stop).run()["status"] == "paused"
    code, out, _ = _run(capsys, "sweep-resume", "two-at-once", "--db", db_path)
    assert code == 0 and "continues" in out.splitlines()[0]
    assert "(2 trials at a time)" in out.splitlines()[0]


def test_workers_below_one_never_create_a_sweep(db_path, tmp_path):
    with Store(db_path) as store:
        with pytest.raises(ConfigError, match=r"workers: got 0, expected a whole number >= 1"):
            create_sweep(store, _write(tmp_path, TINY), workers=0)
        assert store.list_sweeps() == []


def _shrink(data: dict) -> dict:
    """An example sweep file with a budget of a few seconds: same space and method."""
    data = copy.deepcopy(data)
    base = data.setdefault("base", {})
    base["data"] = {"name": "digits"}
    base["model"] = {"hidden": [16]}
    base["train"] = {"epochs": 1, "device": "cpu"}
    method = data["method"]
    if "budget" in data or method in ("random", "grid", "bayes"):
        data["budget"] = {"trials": 3}
    if method == "bayes" and "early_terminate" not in data:
        data["bayes"] = {**data.get("bayes", {}), "n_startup_trials": 2}
    if method == "coarse_to_fine":
        data["coarse_to_fine"] = {**data["coarse_to_fine"], "rounds": 2, "per_round": 2,
                                  "keep": 1}
    if method == "successive_halving":
        data["successive_halving"] = {"n_configs": 4, "min_epochs": 1, "max_epochs": 2,
                                      "eta": 2}
    if method in ("hyperband", "bohb"):
        data["hyperband"] = {**data["hyperband"], "max_epochs": 2, "eta": 2}
        if "n_startup_trials" in data["hyperband"]:
            data["hyperband"]["n_startup_trials"] = 2
        if "budget" in data:
            data["budget"] = {"epochs": 8}
    if "early_terminate" in data:  # the W&B file: hyperband over its fixed epochs
        data["parameters"]["epochs"] = {"value": 2}
        data["early_terminate"]["eta"] = 2
        data.pop("budget", None)
    return data


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_example_sweep_file_runs_through_the_cli(example, db_path, tmp_path, capsys):
    data = _shrink(yaml.safe_load((EXAMPLES / example).read_text()))
    path = _write(tmp_path, yaml.safe_dump(data), example)
    code, out, err = _run(capsys, "sweep", path, "--db", db_path, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["status"] == "finished" and summary["told"] == summary["n_trials"] > 0
    assert summary["best"] is not None


def test_bad_sweep_files_exit_2_with_one_message_per_problem(db_path, tmp_path, capsys):
    path = _write(tmp_path, """
method: annealing
metric: {name: test_accuracy}
final_seeds: {top: 0}
parameters:
  optim.lr: {distribution: log_uniform_values, min: 1.0, max: 0.1}
""")
    code, out, err = _run(capsys, "sweep", path, "--db", db_path)
    problems = err.splitlines()
    assert code == 2 and out == ""
    assert all(line.startswith(f"error: {path}: ") for line in problems)
    assert not db_path.exists()  # a bad file never touches the database
    for expected in ("method: unknown 'annealing'", "metric.name: 'test_accuracy' is a test-set",
                     "final_seeds.top: got 0", "optim.lr"):
        assert sum(expected in line for line in problems) == 1, (expected, problems)

    missing = tmp_path / "nowhere.yaml"
    code, _, err = _run(capsys, "sweep", missing, "--db", db_path)
    assert code == 2 and f"sweep file {missing}: not found" in err

    bad_base = _write(tmp_path, TINY.replace("data: {name: digits}",
                                             "data: {name: csv, path: /no/data.csv}"))
    code, _, err = _run(capsys, "sweep", bad_base, "--db", db_path)
    assert code == 2 and "base: data.path: file /no/data.csv not found" in err

    code, _, err = _run(capsys, "sweep-resume", "nope", "--db", db_path)
    assert code == 2 and "sweep 'nope': no sweep with that name" in err
    code, _, err = _run(capsys, "sweep", _write(tmp_path, TINY), "--db", db_path,
                        "--workers", "0")
    assert code == 2 and "--workers: got 0" in err
    with Store(db_path) as store:
        assert store.list_sweeps() == []  # nothing was created by a refused command
