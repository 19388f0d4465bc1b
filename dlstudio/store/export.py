"""A run's metrics as CSV or plain lists: what ``dlstudio export`` and the app's
"Export CSV" both write, so the two files never differ."""

from __future__ import annotations

import csv
import math
from typing import Any, TextIO

CSV_HEADER = ("key", "step", "epoch", "value", "time")


def write_metrics_csv(store, run_id: int, handle: TextIO) -> int:
    """Every point of every metric (never downsampled), keys sorted, steps in order.

    A NaN value (a diverged step) is an empty cell. Returns the rows written.
    """
    store.get_run(run_id)  # raises ConfigError("run N: not found")
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    rows = 0
    for key in store.metric_keys(run_id):
        curve = store.read_curve(run_id, key)
        values = ["" if math.isnan(v) else repr(v) for v in curve["value"].tolist()]
        times = [repr(t) for t in curve["time"].tolist()]
        writer.writerows(zip([key] * len(values), curve["step"].tolist(),
                             curve["epoch"].tolist(), values, times))
        rows += len(values)
    return rows


def metrics_as_lists(store, run_id: int) -> dict[str, dict[str, list[Any]]]:
    """``{key: {"step": [...], "epoch": [...], "value": [...], "time": [...]}}``; NaN -> None."""
    out = {}
    for key in store.metric_keys(run_id):
        curve = store.read_curve(run_id, key)
        out[key] = {column: curve[column].tolist() for column in ("step", "epoch", "time")}
        out[key]["value"] = [None if math.isnan(v) else v for v in curve["value"].tolist()]
    return out
