"""JSON columns: configs, summaries, sweep state and LR-test curves as text.

Non-finite floats become ``null``: Python would write ``NaN`` / ``Infinity``, which is not
JSON, and SQLite's ``json_extract`` (used to sort runs by a summary key) then fails on
every query that touches the row. A diverged run's ``inf`` loss therefore reads back as
``None``. numpy scalars and arrays are accepted by duck typing, without importing numpy.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
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


class LazyObject(Mapping):
    """A JSON object column read as a mapping, decoded on first use: the runs table reads
    10,000 summaries to show the few dozen rows on screen. Text that is not an object
    reads as empty. Two of one kind compare by what they were read from first (no
    decoding when equal). A subclass decodes other text with ``_decode``."""

    __slots__ = ("text", "_value")

    def __init__(self, text: str | None):
        self.text = text
        self._value: dict | None = None

    def decoded(self) -> dict:
        if self._value is None:
            self._value = self._decode()
        return self._value

    def _decode(self) -> dict:
        value = loads(self.text, {})
        return value if isinstance(value, dict) else {}

    def _source(self) -> object:
        return self.text

    def __getitem__(self, key: str) -> Any:
        return self.decoded()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.decoded().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.decoded()

    def __iter__(self) -> Iterator[str]:
        return iter(self.decoded())

    def __len__(self) -> int:
        return len(self.decoded())

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self) and other._source() == self._source():
            return True
        return isinstance(other, Mapping) and self.decoded() == dict(other.items())

    __hash__ = None  # type: ignore[assignment]  (mutable-looking, as a dict)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.decoded()!r})"


def _clean(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):  # a dict, or a LazyObject read back
        return {str(key): _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(item) for item in value]
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _clean(value.tolist())
    raise TypeError(f"cannot store {type(value).__name__} as JSON: {value!r}")
