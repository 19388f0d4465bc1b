"""Columns the user adds to the runs table: any config key or summary value.

A column id names its source: ``"config:optim.momentum"`` (the flattened config, so
nested and free-form configs both work) or ``"summary:test_loss"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dlstudio.formatting import is_number
from dlstudio.gui.runs.run_grouping import format_value

SOURCES = ("config", "summary")
NO_NUMBER = -math.inf


@dataclass(frozen=True)
class KeyColumn:
    """One added column; ``value(run, flat_config)`` reads its raw value."""

    column_id: str
    header: str
    source: str
    key: str
    numeric: bool = True
    tooltip: str = ""

    def value(self, run: dict, flat: dict) -> Any:
        if self.source == "config":
            return flat.get(self.key)
        return (run.get("summary") or {}).get(self.key)

    def text(self, run: dict, flat: dict) -> str:
        return format_value(self.value(run, flat))

    def sort_key(self, run: dict, flat: dict) -> Any:
        # Numbers before text so one column of mixed values still sorts.
        value = self.value(run, flat)
        if is_number(value) and not (isinstance(value, float) and math.isnan(value)):
            return (1, float(value), "")
        return (0 if value is None else 1, NO_NUMBER, format_value(value).lower())


def key_column(column_id: str) -> KeyColumn:
    """The column for ``"config:KEY"`` or ``"summary:KEY"``; ``ValueError`` otherwise."""
    source, _, key = column_id.partition(":")
    if source not in SOURCES or not key:
        raise ValueError(f"column id: expected config:KEY or summary:KEY, got {column_id!r}")
    return KeyColumn(column_id, key, source, key,
                     tooltip=f"{'Config' if source == 'config' else 'Summary'} value {key}")


def available_keys(runs: list[dict], flats: list[dict]) -> dict[str, list[str]]:
    """The config and summary keys that some run has, sorted, for the column chooser."""
    config = sorted({key for flat in flats for key in flat})
    summary = sorted({key for run in runs for key, value in (run.get("summary") or {}).items()
                      if not isinstance(value, dict)})
    return {"config": config, "summary": summary}
