"""Model plugins get image batches as (N, C, H, W) and may bring their own loss and
metrics (trained through the CLI, recorded in the store)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlstudio.cli import main
from dlstudio.store import Store

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "plugin_model.py"


def _train(db_path, *sets: str) -> int:
    argv = ["train", "--db", str(db_path), "--json", "--set", "train.epochs=2",
            "--set", "train.device=cpu", "--set", "model.name=plugin"]
    for item in sets:
        argv += ["--set", item]
    return main(argv)


def _images(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 90)
    X = rng.normal(size=(90, 3, 12, 12)) + y[:, None, None, None]  # channels-first images
    path = tmp_path / "images.npz"
    np.savez(path, X=X, y=y)
    return path


def test_a_conv2d_plugin_trains_on_npz_images_with_its_loss_and_metrics(db_path, tmp_path,
                                                                      capsys):
    data = _images(tmp_path)
    # Before: "got input of size [64, 432]" (flat rows reached the Conv2d).
    assert _train(db_path, "data.name=npz", f"data.path={data}",
                  f"model.plugin={EXAMPLE}") == 0, capsys.readouterr()
    with Store(db_path) as store:
        run = store.get_run(1)
        top2 = store.read_curve(1, "dev_top2_accuracy")
        confidence = store.read_curve(1, "dev_confidence")
    assert run["status"] == "finished"
    assert top2["epoch"].tolist() == [1, 2] and all(0 <= v <= 1 for v in top2["value"])
    assert len(confidence["value"]) == 2
    assert {"train_top2_accuracy", "dev_top2_accuracy", "test_top2_accuracy",
            "test_confidence"} <= set(run["summary"])


def test_the_plugins_loss_is_the_one_trained_and_recorded(db_path, tmp_path, capsys):
    plugin = tmp_path / "plugin.py"
    plugin.write_text(
        "from torch import nn\n"
        "def build_model(config, input_shape, output_dim):\n"
        "    return nn.Linear(input_shape[0], output_dim)\n"
        "def loss(outputs, targets):\n"
        "    return nn.functional.cross_entropy(outputs, targets) + 100.0\n")
    assert _train(db_path, "data.name=wine", f"model.plugin={plugin}") == 0
    with Store(db_path) as store:
        losses = store.read_curve(1, "loss")["value"]
    assert len(losses) > 0 and (losses > 100).all()


def test_bad_hooks_are_named(db_path, tmp_path, capsys):
    plugin = tmp_path / "plugin.py"
    plugin.write_text("from torch import nn\n"
                      "def build_model(config, input_shape, output_dim):\n"
                      "    return nn.Linear(input_shape[0], output_dim)\n"
                      "loss = 3\n")
    assert _train(db_path, "data.name=wine", f"model.plugin={plugin}") == 2
    err = capsys.readouterr().err
    assert "model.plugin: loss in" in err and "expected a function loss(outputs, targets)" in err
    plugin.write_text("from torch import nn\n"
                      "def build_model(config, input_shape, output_dim):\n"
                      "    return nn.Linear(input_shape[0], output_dim)\n"
                      "def metrics(outputs, targets):\n"
                      "    return 'good'\n")
    assert _train(db_path, "data.name=wine", f"model.plugin={plugin}") == 1
    with Store(db_path) as store:
        [run] = store.list_runs()
    assert run["status"] == "failed" and "expected a dict of name -> number" in run["error"]
