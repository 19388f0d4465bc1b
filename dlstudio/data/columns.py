"""Decide what each text column of a table is: numbers, categories, or a problem.

A feature column is *numeric* when every cell parses as a number, *categorical* when it
holds text with few distinct values (at most 100, and at most half the rows once a
table has more than 40 rows: a column of unique names or ids is not a category), and a
problem otherwise. Missing cells ("", NA, N/A, NaN, null, None, ?) and NaN/Inf values
are problems too: the model cannot train on them and guessing a fill value silently
would hide a data issue. Problems are appended to a list, one message per column,
so the user sees every bad column at once.

Rows in messages count from 1 at the first data row (the header is not counted).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from dlstudio.data.targets import first_nonfinite, nonfinite_kind

MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
MAX_CATEGORIES = 100
SMALL_TABLE_ROWS = 40


@dataclass
class Column:
    """One parsed feature column: ``numbers`` (float64) or ``codes`` into ``categories``."""

    name: str
    numbers: np.ndarray | None = None
    categories: list[str] = field(default_factory=list)
    codes: np.ndarray | None = None

    @property
    def width(self) -> int:
        """How many model inputs the column becomes (one per category when one-hot)."""
        return 1 if self.numbers is not None else len(self.categories)

    @property
    def feature_names(self) -> list[str]:
        if self.numbers is not None:
            return [self.name]
        return [f"{self.name}={category}" for category in self.categories]


def parse_feature(name: str, cells: Sequence[str], where: str,
                  problems: list[str]) -> Column | None:
    """Parse one feature column; on a problem append its message and return None."""
    numbers = _as_numbers(cells)
    if numbers is not None:
        return Column(name, numbers=numbers) if _finite(name, numbers, where, problems) else None
    text = [cell.strip() for cell in cells]
    counts = Counter(text)
    if not _only_text(name, text, counts, where, problems):
        return None
    limit = MAX_CATEGORIES if len(text) <= SMALL_TABLE_ROWS else min(MAX_CATEGORIES,
                                                                     len(text) // 2)
    if len(counts) > limit:
        problems.append(f"{where}: column {name!r} is neither numeric nor categorical: "
                        f"{len(counts):,} distinct text values in {len(text):,} rows "
                        f"(at most {limit} make a category); drop it or use it as "
                        "data.target")
        return None
    categories = sorted(counts)
    position = {category: i for i, category in enumerate(categories)}
    codes = np.fromiter((position[cell] for cell in text), dtype=np.int64, count=len(text))
    return Column(name, categories=categories, codes=codes)


def parse_target(name: str, cells: Sequence[str], where: str,
                 problems: list[str]) -> np.ndarray | None:
    """The target column as float64 numbers or as text labels; None on a problem."""
    numbers = _as_numbers(cells)
    if numbers is not None:
        return numbers if _finite(name, numbers, where, problems) else None
    text = [cell.strip() for cell in cells]
    if not _only_text(name, text, Counter(text), where, problems):
        return None
    return np.asarray(text, dtype=np.str_)


def _as_numbers(cells: Sequence[str] | np.ndarray) -> np.ndarray | None:
    try:
        return np.asarray(cells, dtype=np.float64)  # no copy of a parsed float64 column
    except ValueError:
        return None


def _finite(name: str, numbers: np.ndarray, where: str, problems: list[str]) -> bool:
    # float32 is what the model sees: a value beyond its range becomes Inf there.
    with np.errstate(over="ignore"):  # the overflow is what this looks for
        found = first_nonfinite(numbers) or first_nonfinite(numbers.astype(np.float32))
    if found is None:
        return True
    (row,), count = found
    value = numbers[row]
    kind = nonfinite_kind(value) if not np.isfinite(value) else "a value too large for float32"
    problems.append(f"{where}: column {name!r} has {kind} at row {row + 1}"
                    f"{_first_of(count)}; fix or drop those rows")
    return False


def _only_text(name: str, text: list[str], counts: Counter[str], where: str,
               problems: list[str]) -> bool:
    """False (with a message) for missing cells or a numeric column with stray text."""
    # Judge each distinct value once: a 100k-row column often has a handful.
    missing = {value for value in counts if value.lower() in MISSING_MARKERS}
    if missing:
        rows = sum(counts[value] for value in missing)
        problems.append(f"{where}: column {name!r} has a missing value at row "
                        f"{_first_row(text, missing)}{_first_of(rows)}; fill or drop "
                        "those rows")
        return False
    stray = {value for value in counts if not is_number(value)}
    stray_rows = sum(counts[value] for value in stray)
    if stray_rows < len(text) - stray_rows:
        row = _first_row(text, stray)
        problems.append(f"{where}: column {name!r} looks numeric but row {row} holds "
                        f"{text[row - 1]!r}{_first_of(stray_rows, 'such rows')}")
        return False
    return True


def _first_row(text: list[str], values: set[str]) -> int:
    return next(i for i, cell in enumerate(text, start=1) if cell in values)


def is_number(cell: str) -> bool:
    """Whether ``float`` accepts the text."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _first_of(count: int, what: str = "rows") -> str:
    return f" (the first of {count:,} {what})" if count > 1 else ""
