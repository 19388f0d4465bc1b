"""Fuzzed sweep files: bad methods, distributions, bounds, budgets and settings.

Each is refused by ``dlstudio sweep`` with ``error:`` lines naming the file or the
parameter, exit 2, and no sweep row; ``min: 1e-5`` written the YAML way (PyYAML reads
the text "1e-5") is accepted, as ``--set optim.lr=1e-5`` is.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dlstudio.store import Store
from dlstudio.training.sweeps.setup import read_sweep
from tests.bad_input import assert_readable_refusal, config_error_or_none, run_cli, tried

PARAM = "optim.lr"
NUMBER = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**30, 10**30)
WEIRD = NUMBER | st.text(max_size=8) | st.none() | st.booleans() | st.lists(st.integers(),
                                                                              max_size=2)
DISTRIBUTIONS = ["uniform", "log_uniform_values", "q_uniform", "int_uniform", "log_uniform",
                 "q_log_uniform_values", "normal", "bogus", "categorical", "constant"]


def _valid_sweep() -> dict:
    return {"method": "random", "metric": {"name": "dev_loss", "goal": "minimize"},
            "budget": {"trials": 2}, "base": {"data": {"name": "iris"}},
            "parameters": {PARAM: {"distribution": "log_uniform_values", "min": 1e-4,
                                   "max": 1e-1}}}


@st.composite
def bad_sweeps(draw) -> dict:
    sweep = _valid_sweep()
    kind = draw(st.sampled_from(["bounds", "distribution", "method", "metric", "budget",
                                 "top", "base", "param_shape", "settings"]))
    if kind == "bounds":  # reversed, equal, non-finite, non-numeric, log with min <= 0
        low, high = draw(WEIRD), draw(WEIRD)
        spec = {"distribution": draw(st.sampled_from(DISTRIBUTIONS[:6])), "min": low,
                "max": high}
        sweep["parameters"][PARAM] = spec
    elif kind == "distribution":
        sweep["parameters"][PARAM] = {"distribution": draw(st.text(max_size=10)),
                                      "min": 1e-4, "max": 1e-1}
    elif kind == "method":
        sweep["method"] = draw(st.text(max_size=10) | st.integers() | st.none())
    elif kind == "metric":
        sweep["metric"] = draw(st.sampled_from([
            {"name": "dev_loss", "goal": "upward"}, {"goal": "minimize"}, "dev_loss", 3,
            {"name": 5, "goal": "minimize"}]))
    elif kind == "budget":
        sweep["budget"] = {"trials": draw(st.integers(max_value=0) | st.text(max_size=4)
                                          | st.floats())}
    elif kind == "top":
        sweep[draw(st.from_regex(r"[a-z]{3,10}", fullmatch=True))] = 1
    elif kind == "base":
        sweep["base"] = draw(st.sampled_from([{"optim": {"lr": -1}}, {"train": {"epochs": 0}},
                                              {"nope": 1}, "text", [1, 2]]))
    elif kind == "param_shape":
        sweep["parameters"][PARAM] = draw(st.sampled_from([
            {}, [], "x", {"values": []}, {"values": "adam"}, {"min": 1},
            {"distribution": "uniform", "min": 0.1, "max": 0.2, "points": 0},
            {"values": [1, 1]}, {"value": 1, "condition": "adam"}]))
    else:
        sweep["method"] = "grid"
        sweep["grid"] = {"points": draw(st.integers(max_value=0) | st.integers(10_001, 10**9)
                                        | st.text(max_size=3))}
    return sweep


def _accepts(sweep: dict) -> bool:
    return config_error_or_none(lambda: read_sweep(sweep)) is None


@settings(max_examples=300, deadline=None)
@given(sweep=bad_sweeps())
def test_a_bad_sweep_mapping_is_refused_with_a_config_error(sweep):
    tried("sweep file")
    error = config_error_or_none(lambda: read_sweep(sweep))
    if error is None:
        # The draw happened to be valid (e.g. bounds 1 and 2): then it must also build.
        return
    assert str(error).strip()


@settings(max_examples=40, deadline=None)
@given(sweep=bad_sweeps())
def test_dlstudio_sweep_refuses_a_bad_file_without_a_sweep_row(sweep):
    if _accepts(sweep):
        return  # valid after all: running it is not this test's business
    tried("sweep file (dlstudio sweep)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sweep.yaml"
        path.write_text(yaml.safe_dump(sweep, allow_unicode=True))
        db = Path(folder) / "runs.db"
        code, _, err = run_cli("sweep", path, "--db", db)
        assert_readable_refusal(code, err, str(path), "sweep.yaml")
        if db.exists():
            with Store(db) as store:
                assert store.list_sweeps() == [] and store.list_runs() == []


def test_yaml_style_exponents_are_numbers(tmp_path):
    for low, high in (("1e-5", "1e-1"), ("1E-5", "0.1"), ("5e-4", "1e0")):
        tried("sweep file")
        sweep = _valid_sweep()
        sweep["parameters"][PARAM] = {"distribution": "log_uniform_values", "min": low,
                                      "max": high}
        spec, _ = read_sweep(sweep)
        (param,) = spec.space.params
        assert (param.low, param.high) == (float(low), float(high))
    path = tmp_path / "sweep.yaml"
    path.write_text("method: random\nmetric: {name: dev_loss, goal: minimize}\n"
                    "budget: {trials: 1}\nbase: {data: {name: iris}}\nparameters:\n"
                    "  optim.lr: {distribution: log_uniform_values, min: 1e-5, max: 1e-1}\n")
    assert yaml.safe_load(path.read_text())["parameters"][PARAM]["min"] == "1e-5"
    spec, _ = read_sweep(path)
    assert math.isclose(spec.space.params[0].low, 1e-5)
