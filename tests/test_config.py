"""RunConfig: loading from files and --set, and one message per bad value."""

from __future__ import annotations

import json

import pytest

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError


def test_defaults_are_valid():
    RunConfig().validate()


def test_overrides_parse_types():
    config = RunConfig.from_dict({}, ["optim.lr=0.1", "model.hidden=[32, 16]",
                                      "train.epochs=3", "model.batch_norm=true"])
    assert config.optim.lr == 0.1
    assert config.model.hidden == [32, 16]
    assert config.train.epochs == 3
    assert config.model.batch_norm is True


@pytest.mark.parametrize("suffix, text", [
    (".yaml", "data:\n  name: wine\noptim:\n  name: sgd\n  lr: 0.05\n"),
    (".toml", "[data]\nname = 'wine'\n[optim]\nname = 'sgd'\nlr = 0.05\n"),
    (".json", json.dumps({"data": {"name": "wine"}, "optim": {"name": "sgd", "lr": 0.05}})),
])
def test_every_file_format_loads(tmp_path, suffix, text):
    path = tmp_path / f"run{suffix}"
    path.write_text(text)
    config = RunConfig.from_file(path, ["train.epochs=2"])
    assert (config.data.name, config.optim.name, config.optim.lr) == ("wine", "sgd", 0.05)
    assert config.train.epochs == 2


def test_toml_loads_through_tomli_where_there_is_no_tomllib(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tomllib", None)  # as on Python 3.10
    path = tmp_path / "run.toml"
    path.write_text("[optim]\nname = 'sgd'\nlr = 0.05\n")
    assert RunConfig.from_file(path).optim.lr == 0.05


def test_all_problems_are_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        RunConfig.from_dict({"optim": {"name": "adamx", "lr": -1}},
                            ["train.epochs=abc", "nonsense", "model.units=3"])
    problems = caught.value.problems
    joined = "\n".join(problems)
    assert "optim.name: unknown 'adamx'; expected one of gd, sgd" in joined
    assert "optim.lr: got -1.0, expected a number > 0.0" in joined
    assert "train.epochs: got 'abc', expected a whole number" in joined
    assert "--set 'nonsense': expected key=value" in joined
    assert "model.units: unknown key" in joined
    assert len(problems) == 5


@pytest.mark.parametrize("override, key", [
    ("data.name=mnist", "data.name"),
    ("split.test=1.5", "split.test"),
    ("model.dropout=1", "model.dropout"),
    ("schedule.name=warm", "schedule.name"),
    ("train.device=tpu", "train.device"),
    ("train.batch_size=0", "train.batch_size"),
    ("data.name=csv", "data.path"),
    ("model.name=plugin", "model.plugin"),
    ("model.name=cnn", "model.name"),
])
def test_bad_values_name_their_key(override, key):
    with pytest.raises(ConfigError) as caught:
        RunConfig.from_dict({}, [override])
    assert caught.value.problems[0].startswith(key + ":")


def test_cyclic_needs_max_above_base():
    with pytest.raises(ConfigError, match="optim.lr: got 0.01, expected more than schedule.base_lr"):
        RunConfig.from_dict({}, ["schedule.name=cyclic", "schedule.base_lr=0.1",
                                 "schedule.max_lr=0.01"])


@pytest.mark.parametrize("text, message", [
    ("data: [1, 2", "cannot parse"),
    ("- a\n- b\n", "expected a mapping"),
])
def test_bad_files_name_the_file(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        RunConfig.from_file(path)
    assert str(path) in str(caught.value)


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        RunConfig.from_file(tmp_path / "nope.yaml")
    other = tmp_path / "run.ini"
    other.write_text("x")
    with pytest.raises(ConfigError, match="expected .yaml"):
        RunConfig.from_file(other)


def test_flat_round_trip_and_replace():
    config = RunConfig.from_dict({}, ["optim.lr=0.02"])
    again = RunConfig.from_dict(config.flat())
    assert again == config
    changed = config.replace(**{"optim.lr": 0.5})
    assert changed.optim.lr == 0.5 and config.optim.lr == 0.02
