"""JSON columns: configs, summaries, sweep state and LR-test curves as text.

Non-finite floats become ``null``: Python would write ``NaN`` / ``Infinity``, which is not
JSON, and SQLite's ``json_extract`` (used to sort runs by a summary key) then fails on
every query that touches the row. A diverged run's ``inf`` loss therefore reads back as
``None``. numpy scalars and arrays are accepted by duck typing, without importing numpy.
"""

from __future__ import annotations

import json
import math
from pathlib import PurePath
from typing import Any


def dumps(value: Any) -> str:
    """Encode ``value`` as strict JSON text (non-finite floats become ``null``)."""
    return json.dumps(_clean(value), allow_nan=False, separators=(",", ":"))


def loads(text: str | None, default: Any = None) -> Any:
    """Decode a JSON column; ``None`` / empty text gives ``default``."""
    if not text:
        return default
    return json.loads(text)


def _clean(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(item) for item in value]
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _clean(value.tolist())
    raise TypeError(f"cannot store {type(value).__name__} as JSON: {value!r}")
