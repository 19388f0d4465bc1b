"""One run's cells in the runs tree, computed when first needed and then kept."""

from __future__ import annotations

from typing import Any

from dlstudio.config import flatten
from dlstudio.gui.runs.key_columns import KeyColumn
from dlstudio.gui.runs.runs_model import COLUMN_INDEX, COLUMNS
from dlstudio.store.run_records import full_run, record_config

SEARCHED = [COLUMN_INDEX[h] for h in ("ID", "Name", "Status", "Dataset", "Model",
                                      "Optimizer", "LR", "Tags")]


class RunRow:
    """One run's cells, each computed when first needed and then kept: opening 10,000
    runs formats only the rows on screen; sorting computes one column's keys.

    ``record`` is the run as ``Store.list_run_records`` reads it (config undecoded);
    ``run``, the whole run, is decoded for the rows that need it (a tooltip, the
    selection, a key column or grouping by a config key)."""

    __slots__ = ("record", "extra", "_run", "_flat", "_texts", "_keys", "_haystack")

    def __init__(self, record: dict, extra: list[KeyColumn]):
        self.record, self.extra = record, extra
        self._run: dict | None = None
        self._flat: dict | None = None
        self._texts: list[str] | None = None
        self._keys: dict[int, Any] = {}
        self._haystack: str | None = None

    @property
    def run(self) -> dict:
        if self._run is None:
            self._run = full_run(self.record)
        return self._run

    @property
    def flat(self) -> dict:
        if self._flat is None:
            config = self._run["config"] if self._run is not None else record_config(self.record)
            self._flat = flatten(config or {})
        return self._flat

    @property
    def texts(self) -> list[str]:
        if self._texts is None:
            self._texts = [c.text(self.record) for c in COLUMNS] + [
                c.text(self.record, self.flat) for c in self.extra]
        return self._texts

    @property
    def haystack(self) -> str:
        # What the plain-text filter searches: the cells that name a run (not the
        # formatted numbers and dates, whose formatting for 10,000 runs would cost a
        # second on the first keystroke) and the notes.
        if self._haystack is None:
            self._haystack = " ".join([*(COLUMNS[c].text(self.record) for c in SEARCHED),
                                       self.record.get("notes") or ""]).lower()
        return self._haystack

    def sort_key(self, column: int) -> Any:
        key = self._keys.get(column)
        if key is None:
            if column < len(COLUMNS):
                key = COLUMNS[column].sort_key(self.record)
            else:
                key = self.extra[column - len(COLUMNS)].sort_key(self.record, self.flat)
            self._keys[column] = key
        return key

    def add_columns(self, extra: list[KeyColumn]) -> None:
        self.extra = extra
        if self._texts is not None:
            del self._texts[len(COLUMNS):]
            self._texts += [c.text(self.record, self.flat) for c in extra]
        self._keys = {k: v for k, v in self._keys.items() if k < len(COLUMNS)}
