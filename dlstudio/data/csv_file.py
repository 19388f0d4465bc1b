"""Load a user's CSV table: a header row, then one sample per row.

The delimiter is the one of ``, ; TAB |`` that the header line uses most (comma when
none). ``data.target`` names the target column (default: the last one); every other
column is a feature: numbers as they are, text columns one-hot encoded as
``color=red``, ``color=blue`` ... (see ``columns`` for what counts as categorical).
A table whose cells are all numbers (the common case, and the big one) is parsed by
numpy's C reader straight into one float64 array: no Python object per cell, so peak
memory stays about the size of the array (``benchmarks/csv_memory.py``; reading rows of
strings first took ~12x the file). Any other table (text columns, missing cells, ragged
rows) goes through the ``csv`` module, column by column as text, which finds and names
each problem.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np

from dlstudio.data.columns import Column, is_number, parse_feature, parse_target
from dlstudio.data.dataset import Dataset
from dlstudio.data.targets import encode_target
from dlstudio.errors import ConfigError

DELIMITERS = (",", ";", "\t", "|")
MAX_LISTED_COLUMNS = 30


def load_csv(path: Path, target: str = "", task: str = "auto") -> Dataset:
    """Read ``path`` into a Dataset; ``ConfigError`` names the file, column and row."""
    where = f"data.path: {path}"
    header, columns = read_numeric_table(path) or read_table(path)
    target = target or header[-1]
    if target not in header:
        raise ConfigError(f"data.target: column {target!r} not in {path}; its columns are "
                          f"{_listing(header)}")
    if len(header) < 2:
        raise ConfigError(f"{where}: only the target column {target!r}; no feature columns "
                          "to learn from")
    problems: list[str] = []
    features = [parse_feature(name, cells, where, problems)
                for name, cells in zip(header, columns) if name != target]
    raw_target = parse_target(target, columns[header.index(target)], where, problems)
    if problems:
        raise ConfigError(problems)
    encoded = encode_target(raw_target, task, f"column {target!r} of {path}")
    X, names = _design_matrix(features, len(raw_target))  # type: ignore[arg-type]
    return Dataset(name=path.stem, source=str(path), X=X, y=encoded.y, task=encoded.task,
                   feature_names=names, classes=encoded.classes)


def read_table(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    """The header and the columns (tuples of cell text) of a CSV file."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            delimiter = _delimiter(handle.readline())
            handle.seek(0)
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            # Blank lines come back as empty rows; they are spacing, not samples.
            rows = [row for row in reader if row]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"data.path: cannot read {path} as CSV: {exc}") from exc
    if not header:
        raise ConfigError(f"data.path: {path} is empty; expected a header row and data rows")
    header = _check_header(path, header)
    if not rows:
        raise ConfigError(f"data.path: {path} has a header but no data rows")
    _check_widths(path, rows, len(header))
    return header, list(zip(*rows))


def read_numeric_table(path: Path) -> tuple[list[str], list[np.ndarray]] | None:
    """The header and float64 columns of a table of numbers only; None for any other
    table (``read_table`` then reads it and names what is wrong)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            first = handle.readline()
            header = next(csv.reader([first], delimiter=_delimiter(first)), None)
            if not header:
                return None
            header = _check_header(path, header)
            with warnings.catch_warnings():  # "no data": read_table says it better
                warnings.simplefilter("ignore", UserWarning)
                values = np.loadtxt(handle, delimiter=_delimiter(first), dtype=np.float64,
                                    comments=None, quotechar='"', ndmin=2)
    except (OSError, UnicodeDecodeError, ValueError, csv.Error):
        return None
    if values.shape[0] == 0 or values.shape[1] != len(header):
        return None
    return header, list(values.T)


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_header(path: Path, header: list[str]) -> list[str]:
    names = [name.strip() or f"column_{i + 1}" for i, name in enumerate(header)]
    if len(names) > 1 and all(is_number(name) for name in names):
        raise ConfigError(f"data.path: {path}: the first row must name the columns, but it "
                          f"holds numbers ({_listing(names, 5)})")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"data.path: {path}: column names must be unique; repeated: "
                          f"{', '.join(duplicates)}")
    return names


def _check_widths(path: Path, rows: list[list[str]], width: int) -> None:
    ragged = [i for i, row in enumerate(rows) if len(row) != width]
    if ragged:
        first = ragged[0]
        more = f" ({len(ragged):,} rows differ)" if len(ragged) > 1 else ""
        raise ConfigError(f"data.path: {path}: row {first + 1} has {len(rows[first])} fields "
                          f"but the header names {width} columns{more}")


def _design_matrix(features: list[Column], n_rows: int) -> tuple[np.ndarray, list[str]]:
    X = np.zeros((n_rows, sum(column.width for column in features)), dtype=np.float32)
    names: list[str] = []
    rows = np.arange(n_rows)
    for column in features:
        start = len(names)
        if column.numbers is not None:
            X[:, start] = column.numbers
        else:
            X[rows, start + column.codes] = 1.0
        names += column.feature_names
    return X, names


def _listing(names: list[str], limit: int = MAX_LISTED_COLUMNS) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")

