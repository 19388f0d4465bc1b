"""CSV tables: encoding, task inference and the error for each kind of bad input."""

from __future__ import annotations

import numpy as np
import pytest

from dlstudio.config import DataConfig
from dlstudio.data import load_dataset
from dlstudio.data.targets import infer_task
from dlstudio.errors import ConfigError


def _write(tmp_path, text: str, name: str = "table.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _load(path: str, **data):
    return load_dataset(DataConfig(name="csv", path=path, **data))


def _error(path: str, **data) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        _load(path, **data)
    return caught.value


# -- encoding ------------------------------------------------------------------------
def test_text_column_is_one_hot_and_text_target_becomes_classes(tmp_path):
    path = _write(tmp_path, "size,color,weight,fruit\n"
                            "1.5,red,10,apple\n"
                            "2,green,12,pear\n"
                            "3,red,9,apple\n"
                            "0.5,blue,11,cherry\n")
    dataset = _load(path)
    assert dataset.feature_names == ["size", "color=blue", "color=green", "color=red", "weight"]
    assert dataset.X.dtype == np.float32 and dataset.X.shape == (4, 5)
    np.testing.assert_array_equal(dataset.X[0], [1.5, 0, 0, 1, 10])
    np.testing.assert_array_equal(dataset.X[3], [0.5, 1, 0, 0, 11])
    assert dataset.task == "classification"
    assert dataset.classes == ["apple", "cherry", "pear"]
    assert list(dataset.y) == [0, 2, 0, 1] and dataset.y.dtype == np.int64


def test_target_by_name_semicolons_quotes_and_blank_lines(tmp_path):
    path = _write(tmp_path, 'label;"a b";c\n\nx;1;2\ny;3;4\n\nx;5;6\n')
    dataset = _load(path, target="label")
    assert dataset.feature_names == ["a b", "c"]
    assert dataset.classes == ["x", "y"] and list(dataset.y) == [0, 1, 0]


def test_numeric_classes_sort_as_numbers(tmp_path):
    rows = "".join(f"{i},{label}\n" for i, label in enumerate([2, 10, 2, 10, 1] * 4))
    dataset = _load(_write(tmp_path, "x,y\n" + rows), task="classification")
    assert dataset.classes == ["1", "2", "10"]


# -- task inference ------------------------------------------------------------------
def test_few_integer_labels_infer_classification(tmp_path):
    rows = "".join(f"{i * 0.1:.1f},{i % 3}\n" for i in range(60))
    dataset = _load(_write(tmp_path, "x,label\n" + rows))
    assert dataset.task == "classification" and dataset.classes == ["0", "1", "2"]


def test_real_valued_target_infers_regression(tmp_path):
    rows = "".join(f"{i},{i * 1.7 + 0.25}\n" for i in range(60))
    dataset = _load(_write(tmp_path, "x,price\n" + rows))
    assert dataset.task == "regression" and dataset.y.dtype == np.float32
    assert dataset.classes == []
    assert dataset.y[1] == pytest.approx(1.95)


def test_task_can_be_forced(tmp_path):
    rows = "".join(f"{i},{i % 3}\n" for i in range(60))
    dataset = _load(_write(tmp_path, "x,label\n" + rows), task="regression")
    assert dataset.task == "regression" and dataset.y[2] == 2.0


@pytest.mark.parametrize("values, expected", [
    (["a", "b"] * 3, "classification"),
    ([0, 1, 1], "classification"),  # a binary flag, however few rows
    ([0, 1, 2] * 10, "classification"),
    ([0, 1, 2, 3, 4, 5] * 2, "regression"),  # 2 rows per value: a measurement, not labels
    ([0.5, 1.5] * 10, "regression"),
    (list(range(100)) * 3, "regression"),  # too many distinct values
])
def test_infer_task_rule(values, expected):
    assert infer_task(np.asarray(values)) == expected


# -- errors --------------------------------------------------------------------------
def test_missing_file_names_the_path():
    assert str(_error("/x/y.csv")) == "data.path: file /x/y.csv not found"


def test_missing_target_lists_the_columns(tmp_path):
    path = _write(tmp_path, "alpha,beta,gamma\n1,2,3\n")
    message = str(_error(path, target="delta"))
    assert "data.target" in message and "'delta'" in message
    assert "alpha, beta, gamma" in message


def test_nan_names_the_column_and_first_row(tmp_path):
    path = _write(tmp_path, "a,b,y\n1,2,0\n3,nan,1\n5,inf,0\n")
    message = str(_error(path))
    assert "column 'b' has NaN at row 2" in message and "table.csv" in message


def test_values_beyond_float32_are_refused(tmp_path):
    path = _write(tmp_path, "a,y\n1e300,1.5\n2,0.5\n3,1e300\n")
    problems = _error(path).problems
    assert len(problems) == 2  # one per column
    assert problems[0] == (f"data.path: {path}: column 'a' has a value too large for float32 "
                           "at row 1; fix or drop those rows")
    assert "column 'y'" in problems[1] and "row 3" in problems[1]


def test_each_bad_column_gets_its_own_message(tmp_path):
    path = _write(tmp_path, "a,b,c,y\n1,,x,0\n2,3,y,1\n4,5,oops,0\n7,8,9,1\n")
    error = _error(path)
    assert len(error.problems) == 1  # only b: c is text with numbers mixed in, 3 to 1
    assert "column 'b' has a missing value at row 1" in str(error)
    path = _write(tmp_path, "a,b,c,y\n1,,1,0\n2,3,2,1\n4,5,oops,0\n7,8,9,1\n", "two.csv")
    error = _error(path)
    assert len(error.problems) == 2
    assert "column 'c' looks numeric but row 3 holds 'oops'" in str(error)


def test_free_text_column_is_neither_numeric_nor_categorical(tmp_path):
    rows = "".join(f"{i},name-{i},{i % 2}\n" for i in range(100))
    message = str(_error(_write(tmp_path, "x,name,y\n" + rows)))
    assert "column 'name' is neither numeric nor categorical" in message


def test_single_class_target(tmp_path):
    path = _write(tmp_path, "x,y\n1,a\n2,a\n3,a\n")
    message = str(_error(path))
    assert "single class ('a')" in message and "data.target" in message


def test_regression_on_text_target(tmp_path):
    path = _write(tmp_path, "x,y\n1,a\n2,b\n")
    assert "data.task: regression needs a numeric target" in str(_error(path, task="regression"))


@pytest.mark.parametrize("text, expected", [
    ("", "is empty"),
    ("a,b\n", "no data rows"),
    ("a,b\n1,2\n3,4,5\n", "row 2 has 3 fields but the header names 2 columns"),
    ("1,2\n3,4\n", "first row must name the columns"),
    ("a,a,y\n1,2,3\n", "repeated: a"),
    ("y\n1\n2\n", "no feature columns"),
])
def test_malformed_tables(tmp_path, text, expected):
    assert expected in str(_error(_write(tmp_path, text)))


def test_unreadable_bytes(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"a,b\n\xff\xfe\x00,1\n")
    assert "cannot read" in str(_error(str(path)))


def test_edited_file_is_read_again(tmp_path):
    path = _write(tmp_path, "x,y\n1,a\n2,b\n")
    assert _load(path).n_samples == 2
    # A different size is enough to miss the cache even within one mtime tick.
    _write(tmp_path, "x,y\n1,a\n2,b\n3,a\n")
    assert _load(path).n_samples == 3
