"""The example configs and sweep files ship inside the package and are found from anywhere."""

from __future__ import annotations

import pytest

import dlstudio
from dlstudio.cli import main
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.examples import example_files, example_path, examples_folder
from dlstudio.training.sweeps.setup import read_sweep


def test_examples_live_inside_the_package():
    package = examples_folder("configs").parents[1]
    assert package.samefile(dlstudio.__path__[0])
    names = {path.name for path in example_files()}
    assert {"digits_adam.yaml", "moons_momentum.toml", "hyperband.yaml", "grid.yaml"} <= names


def test_every_example_loads():
    for path in example_files("configs"):
        RunConfig.from_file(path)
    for path in example_files("sweeps"):
        read_sweep(path)


def test_the_cli_lists_them_and_prints_one_path_from_any_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["examples"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == len(example_files())
    assert main(["examples", "hyperband.yaml"]) == 0
    assert capsys.readouterr().out.strip() == str(example_path("hyperband.yaml"))
    assert main(["examples", "sweeps/grid.yaml"]) == 0
    assert capsys.readouterr().out.strip().endswith("grid.yaml")
    assert main(["examples", "nope.yaml"]) == 2
    assert "example 'nope.yaml': not found; the examples are " in capsys.readouterr().err
    with pytest.raises(ConfigError):
        example_path("nope.yaml")
