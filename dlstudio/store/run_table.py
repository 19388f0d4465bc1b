"""Many runs as tables: one flat row per run (config and summary keys as columns) and
every metric point of many runs in one long table. What ``dlstudio export --runs`` and
``dlstudio.open(...).table()`` give, so the two never differ.

Configs are free-form: a nested config (``{"optim": {"lr": 0.1}}``) becomes columns
``config.optim.lr``; a flat one (``{"lr": 0.1}``) becomes ``config.lr``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from typing import Any, TextIO

RUN_FIELDS = ("id", "name", "status", "created", "started", "ended", "tags")
LONG_HEADER = ("run_id", "run_name", "key", "step", "epoch", "value", "time")


def flatten(value: Any, prefix: str) -> dict[str, Any]:
    """Nested dicts as dotted keys: ``{"a": {"b": 1}}`` -> ``{"<prefix>.a.b": 1}``."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}"))
        return out
    return {prefix: value}


def flat_run_row(run: dict[str, Any]) -> dict[str, Any]:
    """One run as a flat dict: its fields, then ``config.*`` and ``summary.*``."""
    row = {field: run.get(field) for field in RUN_FIELDS}
    row["tags"] = ",".join(run.get("tags") or [])
    row.update(flatten(run.get("config") or {}, "config"))
    row.update(flatten(run.get("summary") or {}, "summary"))
    return row


def write_summary_csv(runs: Sequence[dict[str, Any]], handle: TextIO) -> int:
    """One row per run; the columns are the union over the runs (a run without a key
    has an empty cell). Returns the rows written."""
    rows = [flat_run_row(run) for run in runs]
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    writer = csv.DictWriter(handle, fieldnames=list(columns), restval="")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return len(rows)


def write_long_csv(store, runs: Sequence[dict[str, Any]], handle: TextIO) -> int:
    """Every point of every metric of ``runs`` (never downsampled), run by run, keys
    sorted, steps in order; a NaN value is an empty cell. Returns the rows written."""
    writer = csv.writer(handle)
    writer.writerow(LONG_HEADER)
    written = 0
    for run in runs:
        for key in store.metric_keys(run["id"]):
            curve = store.read_curve(run["id"], key)
            values = [_cell(v) for v in curve["value"].tolist()]
            count = len(values)
            writer.writerows(zip([run["id"]] * count, [run["name"]] * count, [key] * count,
                                 curve["step"].tolist(), curve["epoch"].tolist(), values,
                                 [repr(t) for t in curve["time"].tolist()]))
            written += count
    return written


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value)
    return value
