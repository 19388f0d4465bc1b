"""Built-in, generated and NPZ datasets: shapes, dtypes, tasks, determinism, errors."""

from __future__ import annotations

import numpy as np
import pytest

from dlstudio.config import DATASETS, DataConfig
from dlstudio.data import DATASET_INFO, HUMAN_LEVEL, load_dataset
from dlstudio.errors import ConfigError

BUILTINS = {
    # name: (n_samples, n_features, n_classes or None for regression)
    "digits": (1797, 64, 10),
    "wine": (178, 13, 3),
    "breast_cancer": (569, 30, 2),
    "iris": (150, 4, 3),
    "diabetes": (442, 10, None),
}


def _error(**data) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_dataset(DataConfig(**data))
    return caught.value


# -- built-ins -----------------------------------------------------------------------
@pytest.mark.parametrize("name", list(BUILTINS))
def test_builtin_shapes_dtypes_and_task(name):
    n, d, n_classes = BUILTINS[name]
    dataset = load_dataset(DataConfig(name=name))
    assert dataset.X.shape == (n, d) and dataset.X.dtype == np.float32
    assert dataset.y.shape == (n,)
    assert len(dataset.feature_names) == d
    assert dataset.image_shape is None
    if n_classes is None:
        assert dataset.task == "regression" and dataset.y.dtype == np.float32
        assert dataset.classes == [] and dataset.output_dim == 1
    else:
        assert dataset.task == "classification" and dataset.y.dtype == np.int64
        assert len(dataset.classes) == n_classes == dataset.output_dim
        assert set(np.unique(dataset.y)) == set(range(n_classes))


def test_digits_as_images_keeps_flat_rows():
    dataset = load_dataset(DataConfig(name="digits", images=True))
    assert dataset.X.shape == (1797, 64)
    assert dataset.image_shape == (1, 8, 8)
    assert dataset.classes == [str(i) for i in range(10)]


def test_cached_builtins_hand_out_copies():
    first = load_dataset(DataConfig(name="iris"))
    first.X[:] = 0
    first.classes.append("rose")
    again = load_dataset(DataConfig(name="iris"))
    assert again.X.any() and again.classes == ["setosa", "versicolor", "virginica"]


def test_builtin_refuses_the_other_task():
    assert "data.task" in str(_error(name="diabetes", task="classification"))
    assert "data.task" in str(_error(name="iris", task="regression"))
    assert load_dataset(DataConfig(name="iris", task="classification")).task == "classification"


# -- generated -----------------------------------------------------------------------
@pytest.mark.parametrize("name, n_classes", [("moons", 2), ("circles", 2), ("spirals", 3)])
def test_synthetic_shapes_and_determinism(name, n_classes):
    cfg = DataConfig(name=name, n_samples=301, noise=0.1)
    dataset = load_dataset(cfg)
    assert dataset.X.shape == (301, 2) and dataset.X.dtype == np.float32
    assert dataset.y.dtype == np.int64 and dataset.task == "classification"
    assert dataset.classes == [str(i) for i in range(n_classes)]
    counts = np.bincount(dataset.y)
    assert counts.max() - counts.min() <= 1  # balanced classes
    again = load_dataset(cfg)
    np.testing.assert_array_equal(dataset.X, again.X)
    np.testing.assert_array_equal(dataset.y, again.y)


@pytest.mark.parametrize("name", ["moons", "circles", "spirals"])
def test_synthetic_noise_moves_points(name):
    clean = load_dataset(DataConfig(name=name, n_samples=400, noise=0.0))
    noisy = load_dataset(DataConfig(name=name, n_samples=400, noise=0.3))
    np.testing.assert_array_equal(clean.y, noisy.y)
    spread = np.abs(noisy.X - clean.X).mean()
    assert 0.1 < spread < 0.5  # roughly E|N(0, 0.3)| = 0.24


def test_spirals_without_noise_lie_on_their_arms():
    dataset = load_dataset(DataConfig(name="spirals", n_samples=300, noise=0.0))
    radius = np.hypot(dataset.X[:, 0], dataset.X[:, 1])
    assert radius.max() == pytest.approx(3.0, rel=1e-5)
    # Each arm is one curve: consecutive points of an arm are close together.
    for arm in range(3):
        points = dataset.X[dataset.y == arm]
        assert np.linalg.norm(np.diff(points, axis=0), axis=1).max() < 0.3


def test_synthetic_sample_floor():
    assert "data.n_samples" in str(_error(name="moons", n_samples=5))


# -- npz -----------------------------------------------------------------------------
def _npz(tmp_path, name="data.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return str(path)


def test_npz_tabular_with_text_labels(tmp_path):
    path = _npz(tmp_path, X=np.arange(12.0).reshape(6, 2), y=np.array(list("abcabc")),
                feature_names=np.array(["left", "right"]))
    dataset = load_dataset(DataConfig(name="npz", path=path))
    assert dataset.X.shape == (6, 2) and dataset.X.dtype == np.float32
    assert dataset.feature_names == ["left", "right"]
    assert dataset.classes == ["a", "b", "c"] and list(dataset.y) == [0, 1, 2, 0, 1, 2]


def test_npz_images_flatten_and_channels_last_is_transposed(tmp_path):
    images = np.random.default_rng(0).random((5, 6, 7, 3))  # n, H, W, C
    path = _npz(tmp_path, X=images, y=np.arange(5) % 2)
    dataset = load_dataset(DataConfig(name="npz", path=path))
    assert dataset.image_shape == (3, 6, 7)
    restored = dataset.X.reshape(5, 3, 6, 7)
    np.testing.assert_allclose(restored[2, 1], images[2, :, :, 1], rtol=1e-6)

    gray = _npz(tmp_path, "gray.npz", X=np.zeros((4, 5, 5)), y=np.arange(4.0) * 1.5)
    dataset = load_dataset(DataConfig(name="npz", path=gray))
    assert dataset.image_shape == (1, 5, 5) and dataset.X.shape == (4, 25)
    assert dataset.task == "regression" and dataset.y.dtype == np.float32


def test_npz_errors(tmp_path):
    no_y = _npz(tmp_path, "no_y.npz", X=np.zeros((3, 2)))
    message = str(_error(name="npz", path=no_y))
    assert "no_y.npz" in message and "no array y" in message

    short = _npz(tmp_path, "short.npz", X=np.zeros((3, 2)), y=np.zeros(4))
    assert "X has 3 rows but y has 4" in str(_error(name="npz", path=short))

    X = np.zeros((3, 2))
    X[1, 1] = np.nan
    nan = _npz(tmp_path, "nan.npz", X=X, y=np.array([0, 1, 0]))
    assert "X has NaN at X[1, 1]" in str(_error(name="npz", path=nan))

    single = _npz(tmp_path, "single.npz", X=np.zeros((3, 2)), y=np.ones(3, dtype=int))
    assert "single class" in str(_error(name="npz", path=single, task="classification"))

    text = tmp_path / "text.npz"
    text.write_text("a,b\n1,2\n")
    assert "not a .npz archive" in str(_error(name="npz", path=str(text)))


def test_missing_file_and_folder(tmp_path):
    assert str(_error(name="npz", path="/x/y.npz")) == "data.path: file /x/y.npz not found"
    assert "folder" in str(_error(name="csv", path=str(tmp_path)))
    assert "data.path: required" in str(_error(name="csv", path=""))


# -- catalog -------------------------------------------------------------------------
def test_every_dataset_has_a_description_and_a_human_level_entry():
    assert set(DATASET_INFO) == set(DATASETS) == set(HUMAN_LEVEL)
    assert all(text and "\n" not in text for text in DATASET_INFO.values())
    assert HUMAN_LEVEL["diabetes"] is None
    assert all(level is None or 50 <= level <= 100 for level in HUMAN_LEVEL.values())
