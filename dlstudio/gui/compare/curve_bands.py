"""Runs drawn as groups: which runs belong together, and a group's mean and band (no Qt).

A group is the runs that differ only in their seed and name (the seeds of one
configuration, however each run was named), or that share a tag (the folds of a CV run
carry ``cv-N``). Its curves are put on one x grid (the union of their x values, each run
interpolated only inside its own range) and summarised as mean, min, max and standard
deviation per x; where only some runs reached an x, the band says so by narrowing to
them.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass

import numpy as np

GROUP_BY_CONFIG, GROUP_BY_TAG, GROUP_NONE = "config", "tag", "none"
SEED_KEYS = ("train.seed", "seed")


@dataclass
class Band:
    x: np.ndarray
    mean: np.ndarray
    low: np.ndarray  # min
    high: np.ndarray  # max
    sd: np.ndarray
    count: np.ndarray  # runs that reached each x


def group_runs(runs: list[dict], flats: list[dict], mode: str) -> list[tuple[str, list[int]]]:
    """``[(label, [indices into runs])]`` in first-seen order."""
    groups: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    settings = [_settings(run, flat) for run, flat in zip(runs, flats)]
    differing = _differing_keys(settings)
    for index, (run, kept) in enumerate(zip(runs, settings)):
        if mode == GROUP_NONE:
            key, label = str(run["id"]), run.get("name") or f"run {run['id']}"
        elif mode == GROUP_BY_TAG:
            tag = sorted(run.get("tags") or ["(no tag)"])[0]
            key, label = tag, tag
        else:
            key = json.dumps(kept, sort_keys=True, default=str)
            label = ", ".join(f"{k}={_short(kept[k])}" for k in differing
                              if k in kept) or run.get("name") or "same config"
        groups.setdefault(key, []).append(index)
        labels.setdefault(key, label)
    return [(labels[key], members) for key, members in groups.items()]


def band(curves: list[tuple[np.ndarray, np.ndarray]]) -> Band:
    """Mean, min, max and sd over ``curves`` (x, y pairs, x increasing)."""
    curves = [(np.asarray(x, float), np.asarray(y, float)) for x, y in curves if len(x)]
    if not curves:
        empty = np.array([], float)
        return Band(empty, empty, empty, empty, empty, np.array([], int))
    grid = np.unique(np.concatenate([x for x, _ in curves]))
    stack = np.full((len(curves), len(grid)), np.nan)
    for row, (x, y) in enumerate(curves):
        inside = (grid >= x[0]) & (grid <= x[-1])
        stack[row, inside] = np.interp(grid[inside], x, y)
    count = np.sum(~np.isnan(stack), axis=0)
    # An all-NaN column (a diverged step in every run) would warn "Mean of empty slice".
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(stack, axis=0)
        sd = np.nanstd(stack, axis=0)
        low, high = np.nanmin(stack, axis=0), np.nanmax(stack, axis=0)
    return Band(grid, mean, low, high, sd, count)


def _settings(run: dict, flat: dict) -> dict:
    """What makes a run's configuration: its flat config without the seed, and without a
    ``name`` that only repeats the run's name (the app's RunConfig keeps the run's name
    there; a script's own ``name``, a model's say, stays)."""
    return {k: v for k, v in flat.items() if k not in SEED_KEYS
            and not (k == "name" and v == run.get("name"))}


def _differing_keys(flats: list[dict]) -> list[str]:
    keys = list(dict.fromkeys(k for flat in flats for k in flat))
    # A key only some runs have (a script's free-form config beside the app's) differs
    # only where its values do: listing every key one run lacks made labels unreadable.
    return [k for k in keys
            if len({json.dumps(f[k], default=str) for f in flats if k in f}) > 1]


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
