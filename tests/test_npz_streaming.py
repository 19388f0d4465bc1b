"""Large .npz files: X memory-mapped from disk and batches streamed through a DataLoader.

The streamed path must train exactly as the in-memory one for the same seed: same
partition, same standardization, same shuffled batches, and (for splits that fit one
evaluation block, as here) the same evaluation.
"""

from __future__ import annotations

import numpy as np
import pytest

from dlstudio.config import DataConfig, RunConfig, SplitConfig
from dlstudio.data import load_dataset, make_splits
from dlstudio.data import standardize
from dlstudio.data import mapped_rows as mapped_rows_module
from dlstudio.data.mapped_rows import MappedRows
from dlstudio.data.streamed_splits import StreamedSplits, stream_splits
from dlstudio.errors import ConfigError
from dlstudio.training import placement
from dlstudio.training.events import EpochEvent, StepEvent
from dlstudio.training.run_job import load_splits
from dlstudio.training.trainer import Trainer


def _table(n=400, features=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)) * [1, 10, 0.1, 5, 1, 2][:features] + 3
    y = (X[:, 0] + X[:, 3] / 5 > 3.5).astype(np.int64)
    return X, y


def _npz(tmp_path, name="data.npz", compressed=False, **arrays):
    path = tmp_path / name
    (np.savez_compressed if compressed else np.savez)(path, **arrays)
    return path


def _config(path, in_memory, *overrides):
    return RunConfig.from_dict({}, [
        "data.name=npz", f"data.path={path}", f"data.in_memory={in_memory}",
        "model.hidden=[16]", "train.epochs=3", "train.device=cpu", "train.batch_size=32",
        "train.threads=1", *overrides])


def _train(cfg):
    splits = load_splits(cfg)
    events = []
    ended = Trainer(cfg, splits, subscribers=[events.append]).run()
    steps = [(e.step, e.loss, e.lr) for e in events if isinstance(e, StepEvent)]
    epochs = [(e.train_loss, e.train_metric, e.dev_loss, e.dev_metric)
              for e in events if isinstance(e, EpochEvent)]
    scores = {key: value for key, value in ended.summary.items()
              if key.endswith(("_loss", "_metric"))}
    return splits, steps, epochs, scores


# -- the mapped X ----------------------------------------------------------------------
@pytest.mark.parametrize("X", [
    np.random.default_rng(1).normal(size=(30, 5)),  # float64: read as float32
    np.random.default_rng(2).normal(size=30),  # one feature
    np.random.default_rng(3).integers(0, 255, size=(30, 6, 5, 3)).astype(np.uint8),  # HWC
    np.random.default_rng(4).normal(size=(30, 2, 4, 4)).astype(np.float32),  # CHW
    np.random.default_rng(5).normal(size=(30, 4, 4)),  # gray images
    np.asfortranarray(np.random.default_rng(6).normal(size=(30, 5))),
], ids=["float64", "1-d", "channels-last", "channels-first", "gray", "fortran"])
def test_mapped_rows_are_the_rows_the_in_memory_loader_holds(tmp_path, X):
    path = _npz(tmp_path, X=X, y=np.arange(30) % 3)
    held = load_dataset(DataConfig(name="npz", path=str(path)))
    mapped = load_dataset(DataConfig(name="npz", path=str(path)), mapped=True)
    assert isinstance(mapped.X, MappedRows) and isinstance(held.X, np.ndarray)
    assert mapped.X.shape == held.X.shape and mapped.image_shape == held.image_shape
    assert mapped.feature_names == held.feature_names and np.array_equal(mapped.y, held.y)
    shuffled = np.random.default_rng(0).permutation(30)[:17]
    assert np.array_equal(mapped.X[shuffled], held.X[shuffled])
    assert mapped.X[shuffled].dtype == np.float32


def test_compressed_and_csv_data_stay_in_memory_when_mapping_is_asked(tmp_path):
    X, y = _table()
    path = _npz(tmp_path, compressed=True, X=X, y=y)
    dataset = load_dataset(DataConfig(name="npz", path=str(path)), mapped=True)
    assert isinstance(dataset.X, np.ndarray) and dataset.X.dtype == np.float32
    assert isinstance(load_dataset(DataConfig(name="iris"), mapped=True).X, np.ndarray)


def test_streamed_splits_partition_and_scale_as_make_splits(tmp_path):
    X, y = _table(n=500)
    path = _npz(tmp_path, X=X, y=y)
    cfg = DataConfig(name="npz", path=str(path))
    split_cfg = SplitConfig(k_folds=3, fold=1)
    held = make_splits(load_dataset(cfg), split_cfg, seed=7)
    streamed = stream_splits(load_dataset(cfg, mapped=True), split_cfg, seed=7)
    for split in ("train", "dev", "test"):
        assert np.array_equal(streamed.indices[split], held.indices[split])
        assert np.array_equal(getattr(streamed, f"y_{split}"), getattr(held, f"y_{split}"))
        positions = np.random.default_rng(1).permutation(len(held.indices[split]))
        assert np.array_equal(streamed.rows(split, positions),
                              getattr(held, f"X_{split}")[positions])
    assert np.array_equal(streamed.mean, held.mean) and np.array_equal(streamed.std, held.std)
    assert np.array_equal(streamed.train_head(2), held.train_head(2))


def test_statistics_over_many_blocks_are_the_whole_splits(tmp_path, monkeypatch):
    # Blocks of a few rows: the scans really go block by block.
    monkeypatch.setattr(standardize, "CHUNK_BYTES", 7 * 4 * 6)
    monkeypatch.setattr(mapped_rows_module, "CHUNK_BYTES", 5 * 8 * 6)
    X, y = _table(n=300)
    X[:, 2] = 4.0  # constant: std 1
    path = _npz(tmp_path, X=X, y=y)
    streamed = stream_splits(load_dataset(DataConfig(name="npz", path=str(path)), mapped=True),
                             SplitConfig(), seed=0)
    train = X[streamed.indices["train"]].astype(np.float32)
    expected_std = train.std(axis=0, dtype=np.float64)
    expected_std[2] = 1.0
    np.testing.assert_allclose(streamed.mean, train.mean(axis=0, dtype=np.float64), rtol=1e-6)
    np.testing.assert_allclose(streamed.std, expected_std, rtol=1e-6)


def test_nonfinite_values_are_found_block_by_block(tmp_path, monkeypatch):
    monkeypatch.setattr(mapped_rows_module, "CHUNK_BYTES", 10 * 8 * 6)
    X, y = _table(n=100)
    X[57, 4], X[58, 1], X[91, 0] = np.inf, np.nan, 1e300  # 1e300: Inf as float32
    path = _npz(tmp_path, "bad.npz", X=X, y=y)
    with pytest.raises(ConfigError) as mapped:
        load_dataset(DataConfig(name="npz", path=str(path)), mapped=True)
    with pytest.raises(ConfigError) as held:
        load_dataset(DataConfig(name="npz", path=str(path)))
    assert str(mapped.value) == str(held.value)
    assert "bad.npz: X has Inf at X[57, 4] (row 57) (the first of 3 values)" in str(mapped.value)


@pytest.mark.parametrize(("arrays", "expected"), [
    ({"X": np.zeros((3, 2))}, "no array y; it holds X"),
    ({"X": np.zeros((3, 2)), "y": np.zeros(4)}, "X has 3 rows but y has 4"),
    ({"X": np.array([["a", "b"]] * 3), "y": np.zeros(3)}, "X holds <U1 values"),
    ({"X": np.zeros((3, 2, 2, 2, 2)), "y": np.zeros(3)}, "expected (n, features)"),
    ({"X": np.zeros((0, 2)), "y": np.zeros(0)}, "expected at least one sample"),
    ({"X": np.zeros((3, 2)), "y": np.zeros((3, 2))}, "y has shape (3, 2)"),
])
def test_bad_mapped_files_name_the_file(tmp_path, arrays, expected):
    path = _npz(tmp_path, "bad.npz", **arrays)
    with pytest.raises(ConfigError) as error:
        load_dataset(DataConfig(name="npz", path=str(path)), mapped=True)
    assert f"data.path: {path}" in str(error.value) and expected in str(error.value)


def test_a_pickled_x_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, X=np.array([{"a": 1}] * 3, dtype=object), y=np.zeros(3))
    with pytest.raises(ConfigError, match="pickled.npz: X holds object values"):
        load_dataset(DataConfig(name="npz", path=str(path)), mapped=True)


# -- the rule --------------------------------------------------------------------------
def test_small_data_keeps_the_fast_path_unless_told(tmp_path):
    X, y = _table()
    path = _npz(tmp_path, X=X, y=y)
    assert not isinstance(load_splits(_config(path, "auto")), StreamedSplits)
    assert not isinstance(load_splits(_config(path, "always")), StreamedSplits)
    assert isinstance(load_splits(_config(path, "never")), StreamedSplits)
    assert isinstance(load_splits(_config(path, "never", "data.name=iris")), StreamedSplits)


def test_data_over_the_memory_share_streams(tmp_path, monkeypatch):
    X, y = _table()
    path = _npz(tmp_path, X=X, y=y)
    monkeypatch.setattr(placement, "HOST_SHARE", X.size * 4 / 2 / placement.psutil
                        .virtual_memory().available)
    assert isinstance(load_splits(_config(path, "auto")), StreamedSplits)


def test_in_memory_setting_is_checked():
    with pytest.raises(ConfigError, match="data.in_memory: unknown 'sometimes'; expected one "
                                          "of auto, always, never"):
        RunConfig.from_dict({"data": {"in_memory": "sometimes"}})


def test_a_compressed_file_too_large_to_hold_says_to_save_it_uncompressed(tmp_path, monkeypatch):
    X, y = _table()
    path = _npz(tmp_path, "packed.npz", compressed=True, X=X, y=y)
    monkeypatch.setattr(placement, "HOLD_SHARE", 1e-12)
    with pytest.raises(ConfigError) as error:
        load_splits(_config(path, "never"))
    message = str(error.value)
    assert message.startswith(f"data.path: {path}: X is compressed")
    assert "numpy.savez(path, X=X, y=y) (uncompressed)" in message
    assert isinstance(load_splits(_config(path, "always")).X_train, np.ndarray)


# -- training --------------------------------------------------------------------------
@pytest.mark.parametrize("overrides", [
    (),
    ("optim.name=sgd", "optim.lr=0.05", "schedule.name=onecycle", "model.batch_norm=true"),
    ("data.task=regression",),
], ids=["adam", "onecycle-batchnorm", "regression"])
def test_streamed_training_gives_the_in_memory_curves(tmp_path, overrides):
    X, y = _table()
    path = _npz(tmp_path, X=X, y=y.astype(np.float64) * 2.5 + X[:, 1])
    held, *in_memory = _train(_config(path, "always", *overrides))
    streamed, *from_disk = _train(_config(path, "never", *overrides))
    assert isinstance(streamed, StreamedSplits) and isinstance(streamed.dataset.X, MappedRows)
    assert not isinstance(held, StreamedSplits)
    # Equal, not close: the same rows in the same batches, scaled by the same numbers,
    # through the same operations; each split fits one evaluation pass.
    assert from_disk == in_memory
    assert len(from_disk[0]) == 3 * -(-len(held.y_train) // 32)


def test_streamed_channels_last_images_train_as_in_memory(tmp_path):
    images = np.random.default_rng(0).integers(0, 255, size=(120, 6, 6, 3)).astype(np.uint8)
    path = _npz(tmp_path, X=images, y=np.arange(120) % 2)
    held, *in_memory = _train(_config(path, "always"))
    streamed, *from_disk = _train(_config(path, "never"))
    assert streamed.dataset.image_shape == (3, 6, 6) == held.dataset.image_shape
    assert from_disk == in_memory


def test_streamed_evaluation_in_several_blocks_is_close(tmp_path, monkeypatch):
    from dlstudio.training import streamed_batches

    X, y = _table()
    path = _npz(tmp_path, X=X, y=y)
    *_, in_memory = _train(_config(path, "always"))
    monkeypatch.setattr(streamed_batches, "EVAL_BATCH_BYTES", 4 * 6 * 25)  # 25 rows
    *_, from_disk = _train(_config(path, "never"))
    assert from_disk.keys() == in_memory.keys()
    for key, value in in_memory.items():
        assert from_disk[key] == pytest.approx(value, rel=1e-5, abs=1e-7), key


def test_lr_finder_runs_on_streamed_data(tmp_path):
    from dlstudio.training.lr_finder import find_lr

    X, y = _table()
    path = _npz(tmp_path, X=X, y=y)
    results = [find_lr(_config(path, mode, "optim.name=sgd"), num_steps=20)
               for mode in ("always", "never")]
    assert results[0].losses == results[1].losses and len(results[0].losses) >= 3


def test_cli_train_streams_a_file_named_in_a_config_file(tmp_path, db_path, capsys):
    import json

    from dlstudio.cli import main
    from dlstudio.store import Store

    X, y = _table()
    path = _npz(tmp_path, X=X, y=y)
    curves = {}
    for mode in ("never", "always"):
        config_file = tmp_path / f"{mode}.yaml"
        config_file.write_text(f"data:\n  name: npz\n  path: {path}\n  in_memory: {mode}\n"
                               "model:\n  hidden: [16]\n"
                               "train:\n  epochs: 2\n  device: cpu\n  batch_size: 32\n")
        assert main(["train", str(config_file), "--db", str(db_path), "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["status"] == "finished"
        with Store(db_path) as store:
            run = store.get_run(result["run_id"])
            curves[mode] = (store.read_curve(result["run_id"], "loss")["value"].tolist(),
                            store.read_curve(result["run_id"], "dev_loss")["value"].tolist())
        assert run["config"]["data"]["in_memory"] == mode
    steps = 2 * -(-run["summary"]["sizes"]["train"] // 32)
    assert curves["never"] == curves["always"] and len(curves["never"][0]) == steps


def test_the_preview_describes_a_mapped_file_as_a_loaded_one(tmp_path):
    from dlstudio.data import describe

    images = np.random.default_rng(0).integers(0, 255, size=(90, 6, 6, 3)).astype(np.uint8)
    path = _npz(tmp_path, X=images, y=np.array(list("abc") * 30))
    summary = describe(DataConfig(name="npz", path=str(path)), SplitConfig(), seed=0)
    assert summary["n_samples"] == 90 and summary["n_features"] == 108
    assert summary["image_shape"] == (3, 6, 6) and summary["classes"] == ["a", "b", "c"]
    assert sum(summary["splits"].values()) == 90
