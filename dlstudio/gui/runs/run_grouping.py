"""How the runs table groups runs: by sweep, by tag or by a config key (no Qt).

A group holds its runs best first (highest best-dev metric; lowest for RMSE); runs
outside any group (not in a sweep, when grouping by sweep) stand alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dlstudio.formatting import is_number

GROUP_NONE, GROUP_SWEEP, GROUP_TAG = "none", "sweep", "tag"
CONFIG_PREFIX = "config:"  # "config:optim.name" groups by that key
LOWER_IS_BETTER = ("rmse",)
NOT_SET = "(not set)"
NO_TAG = "(no tag)"


@dataclass(slots=True)  # one per top-level row: 8,000 for 10,000 runs by sweep
class Group:
    """A group of runs (``key`` is None for a run that stands alone)."""

    key: str | None
    label: str
    runs: list[Any]  # whatever the caller groups (rows that hold a run)


def best_score(run: dict) -> float:
    """The run's best dev metric on a higher-is-better scale; -inf when it has none."""
    summary = run.get("summary") or {}
    value = summary.get("best_dev_metric")
    if not is_number(value) or math.isnan(value):
        return -math.inf
    return -float(value) if summary.get("metric_name") in LOWER_IS_BETTER else float(value)


def group_items(items: list, run_of, flat_of, mode: str,
                sweep_names: dict[int, str]) -> list[Group]:
    """``items`` (each holding a run, read by ``run_of``; ``flat_of`` gives its flat
    config) in groups for ``mode``, each group best first, groups in first-seen order."""
    if mode == GROUP_NONE:
        return [Group(None, "", [item]) for item in items]
    groups: dict[str, Group] = {}
    alone: list[Group] = []
    for item in items:
        run = run_of(item)
        if mode == GROUP_SWEEP and run.get("sweep_id") is None:  # most runs, by far
            alone.append(Group(None, "", [item]))
            continue
        for key, label in _keys(run, lambda: flat_of(item), mode, sweep_names):
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(key, label, [])
            group.runs.append(item)
    for group in groups.values():
        group.runs.sort(key=lambda item: (-best_score(run_of(item)), run_of(item)["id"]))
    return [*groups.values(), *alone]


def _keys(run: dict, flat, mode: str, sweep_names: dict[int, str]):
    # ``flat()`` flattens the config: only grouping by a config key needs it.
    if mode == GROUP_SWEEP:
        sweep_id = run["sweep_id"]
        name = sweep_names.get(sweep_id, "")
        return [(f"sweep:{sweep_id}", f"sweep {sweep_id}" + (f" '{name}'" if name else ""))]
    if mode == GROUP_TAG:
        tags = run.get("tags") or []
        return [(f"tag:{tag}", tag) for tag in tags] or [("tag:", NO_TAG)]
    if mode.startswith(CONFIG_PREFIX):
        key = mode[len(CONFIG_PREFIX):]
        value = flat().get(key, NOT_SET)
        text = value if isinstance(value, str) else format_value(value)
        return [(f"config:{key}={text}", f"{key} = {text}")]
    raise ValueError(f"group mode: unknown {mode!r}")


def format_value(value: Any) -> str:
    """A config or summary value as a table cell: numbers to 4 significant digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)
