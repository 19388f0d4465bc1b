"""Fuzzed data files: CSV tables (empty, header only, ragged rows, text in numeric
columns, NaN / Inf / missing cells, a single class, unicode headers, a missing target
column, binary garbage) and NPZ archives (mismatched or odd shapes, non-numeric or
non-finite arrays, missing arrays, not an archive).

The check that ``create_run`` does before a row exists either accepts the file or
raises a ConfigError whose every message names a field (``data.path``, ``data.target``,
``split.test`` ...) and the file; ``dlstudio train`` then prints it and adds no row.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dlstudio.config import RunConfig
from dlstudio.training.run_job import check_config
from tests.bad_input import (assert_no_run, assert_readable_refusal, config_error_or_none,
                             run_cli, tried)

FIELD = re.compile(r"^(data|split|model|train)\.[a-z_]+: ")
NUMBER_CELL = st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda v: f"{v:g}")
ODD_CELL = st.sampled_from(["", "NA", "nan", "NaN", "inf", "-inf", "?", "null", "1e999",
                            "abc", "x y", '"', "1,5", "\t", "∞", "１２"])
HEADER = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                        blacklist_characters=',;\t|"\r\n\x00'),
                 min_size=1, max_size=8)


def _check(kind: str, path: Path, **data) -> None:
    """Accepted, or a ConfigError whose every message names a field and this file."""
    tried(kind)
    config = RunConfig.from_dict({"data": {"name": kind, "path": str(path), **data},
                                  "train": {"device": "cpu"}})
    error = config_error_or_none(lambda: check_config(config))
    if error is None:
        return
    for problem in error.problems:
        assert FIELD.match(problem), problem
        assert str(path) in problem or problem.startswith(("split.", "model.", "train.")), \
            problem


@st.composite
def tables(draw) -> tuple[str, str]:
    """CSV text with one defect of a drawn kind; and the target column to use."""
    columns = draw(st.integers(1, 5))
    rows = draw(st.integers(0, 40))
    header = draw(st.lists(HEADER, min_size=columns, max_size=columns))
    body = [[draw(NUMBER_CELL) for _ in range(columns)] for _ in range(rows)]
    defect = draw(st.sampled_from(["none", "empty", "header_only", "ragged", "text", "odd",
                                   "single_class", "missing_target", "unicode", "blank"]))
    target = ""
    if defect == "empty":
        return "", target
    if defect == "header_only":
        body = []
    elif defect == "ragged" and body:
        row = draw(st.integers(0, len(body) - 1))
        body[row] = body[row] + ["1"] if draw(st.booleans()) else body[row][:-1]
    elif defect in ("text", "odd") and body:
        row, col = draw(st.integers(0, len(body) - 1)), draw(st.integers(0, columns - 1))
        body[row][col] = draw(ODD_CELL if defect == "odd" else st.text(max_size=6).filter(
            lambda t: not any(c in t for c in ',;\t|"\r\n')))
    elif defect == "single_class":
        for line in body:
            line[-1] = "same"
    elif defect == "missing_target":
        target = draw(HEADER.filter(lambda name: name.strip() not in header))
    elif defect == "unicode":
        header = [f"列{i}é" for i in range(columns)]
    elif defect == "blank":
        body = [[""] * columns for _ in body]
    lines = [",".join(header)] + [",".join(line) for line in body]
    return "\n".join(lines) + "\n", target


@settings(max_examples=250, deadline=None)
@given(table=tables())
def test_a_fuzzed_csv_is_accepted_or_refused_naming_the_file(table):
    text, target = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_text(text, encoding="utf-8")
        _check("csv", path, **({"target": target} if target else {}))


@settings(max_examples=40, deadline=None)
@given(garbage=st.binary(min_size=1, max_size=300))
def test_binary_garbage_as_csv_or_npz(garbage):
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("csv", "npz"):
            path = Path(folder) / f"data.{kind}"
            path.write_bytes(garbage)
            _check(kind, path)


SHAPES = st.lists(st.integers(0, 6), min_size=0, max_size=5).map(tuple)
DTYPES = st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex64, "U3",
                          np.uint8, np.float16])


@st.composite
def archives(draw) -> dict[str, np.ndarray]:
    arrays = {}
    for name in draw(st.sampled_from([("X", "y"), ("X",), ("y",), ("X", "y", "names"),
                                      ("features", "labels")])):
        shape = draw(SHAPES)
        dtype = draw(DTYPES)
        if dtype == "U3":
            values = np.full(shape, "ab", dtype="U3")
        else:
            values = np.asarray(np.arange(int(np.prod(shape))).reshape(shape) % 3,
                                dtype=dtype)
            if draw(st.booleans()) and values.size and np.issubdtype(values.dtype,
                                                                      np.floating):
                values.flat[draw(st.integers(0, values.size - 1))] = draw(
                    st.sampled_from([np.nan, np.inf, -np.inf]))
        arrays[name] = values
    return arrays


@settings(max_examples=200, deadline=None)
@given(arrays=archives())
@example(arrays={"X": np.zeros((0, 2, 2)), "y": np.zeros(0)})  # once a reshape traceback
@example(arrays={"X": np.zeros((3, 0)), "y": np.zeros(3)})
def test_a_fuzzed_npz_is_accepted_or_refused_naming_the_file(arrays):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.npz"
        np.savez(path, **arrays)
        _check("npz", path)


def test_an_npz_that_needs_pickle_is_refused(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, X=np.array([object(), object()], dtype=object), y=np.zeros(2))
    tried("npz")
    error = config_error_or_none(lambda: check_config(RunConfig.from_dict(
        {"data": {"name": "npz", "path": str(path)}})))
    assert error is not None and str(path) in str(error)


@settings(max_examples=15, deadline=None)
@given(table=tables())
def test_dlstudio_train_refuses_a_bad_csv_without_a_row(table):
    text, target = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_text(text, encoding="utf-8")
        settings_ = ["--set", "data.name=csv", "--set", f"data.path={path}", "--set",
                     "train.device=cpu"]
        if target:
            settings_ += ["--set", f"data.target={target}"]
        # The same --set values the CLI gets (YAML reads "00" as 0, say).
        overrides = [item for item in settings_ if item != "--set"]
        if config_error_or_none(lambda: check_config(
                RunConfig.from_dict({}, overrides))) is None:
            return  # a valid table: training it is not this test's business
        tried("csv (dlstudio train)")
        db = Path(folder) / "runs.db"
        code, _, err = run_cli("train", "--db", db, *settings_)
        assert_readable_refusal(code, err, str(path), "data.", "split.")
        assert_no_run(db)
