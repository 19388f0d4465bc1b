"""Model factories and the user plugin, including every way a plugin can be wrong."""

from __future__ import annotations

import pytest
import torch

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.training.models import build_model


@pytest.mark.parametrize("overrides, shape, out", [
    (["model.name=linear"], (64,), 10),
    (["model.name=mlp", "model.hidden=[16, 8]", "model.batch_norm=true", "model.dropout=0.2"],
     (64,), 10),
    (["model.name=mlp", "model.activation=tanh"], (13,), 1),
    (["model.name=cnn", "data.images=true", "model.channels=[4, 8]", "model.batch_norm=true"],
     (1, 8, 8), 10),
])
def test_models_map_inputs_to_outputs(overrides, shape, out):
    model = build_model(RunConfig.from_dict({}, overrides), shape, out)
    batch = torch.randn(5, int(torch.tensor(shape).prod()))
    assert model(batch).shape == (5, out)


def _plugin(tmp_path, body: str):
    path = tmp_path / "my_model.py"
    path.write_text(body)
    return RunConfig.from_dict({}, ["model.name=plugin", f"model.plugin={path}"]), path


def test_plugin_builds_the_users_module(tmp_path):
    config, _ = _plugin(tmp_path, (
        "import torch\n"
        "def build_model(config, input_shape, output_dim):\n"
        "    assert config['model']['name'] == 'plugin'\n"
        "    return torch.nn.Linear(input_shape[0], output_dim)\n"))
    model = build_model(config, (64,), 10)
    assert isinstance(model, torch.nn.Linear) and model.out_features == 10


@pytest.mark.parametrize("body, message", [
    ("raise RuntimeError('boom')\n", "importing .* raised RuntimeError: boom"),
    ("x = 1\n", "defines no build_model"),
    ("def build_model(c, s, o):\n    raise ValueError('bad shape')\n",
     "build_model in .* raised ValueError: bad shape"),
    ("def build_model(c, s, o):\n    return 42\n", "returned int, expected a torch.nn.Module"),
])
def test_bad_plugins_are_refused_with_the_file_named(tmp_path, body, message):
    config, path = _plugin(tmp_path, body)
    with pytest.raises(ConfigError, match=message) as caught:
        build_model(config, (64,), 10)
    assert str(path) in str(caught.value)
    assert caught.value.problems[0].startswith("model.plugin:")


def test_missing_plugin_file(tmp_path):
    config = RunConfig.from_dict({}, ["model.name=plugin", f"model.plugin={tmp_path}/none.py"])
    with pytest.raises(ConfigError, match="not found"):
        build_model(config, (64,), 10)
