"""How a sweep's progress reads on screen, from ``sweep_summary`` dicts (no Qt).

Which trials a halving schedule eliminated, whether a Bayesian sweep still proposes at
random, the one-line status, and which stored curve shows the sweep's metric.
"""

from __future__ import annotations

import json
import math
from typing import Any, Callable

import numpy as np

from dlstudio.training.sweeps.outcomes import config_key

# The sweep metric per epoch: (stored metric key, how the metric reads from it).
METRIC_CURVES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "dev_loss": ("dev_loss", lambda v: v),
    "dev_metric": ("dev_metric", lambda v: v),
    "dev_accuracy": ("dev_metric", lambda v: v),
    "dev_rmse": ("dev_metric", lambda v: v),
    "dev_error": ("dev_metric", lambda v: 1.0 - v),
}
METRIC_LABELS = {"dev_loss": "Dev loss", "dev_metric": "Dev metric",
                 "dev_accuracy": "Dev accuracy", "dev_rmse": "Dev RMSE",
                 "dev_error": "Dev error"}


def metric_label(metric: str | None) -> str:
    return METRIC_LABELS.get(metric or "", metric or "score")


def metric_curve(metric: str | None) -> tuple[str, Callable[[np.ndarray], np.ndarray]]:
    """The stored per-epoch key and transform that show ``metric`` (default dev_loss)."""
    return METRIC_CURVES.get(metric or "", METRIC_CURVES["dev_loss"])


def eliminated_trials(trials: list[dict[str, Any]]) -> set[int]:
    """Ids of the trials a halving rung eliminated (``sweep_summary``'s outcome)."""
    return {t["trial"] for t in trials if t.get("outcome") == "eliminated"}


def latest_per_config(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Under a halving schedule, each configuration once: its longest-trained trial
    (promotions repeat a configuration); other sweeps' trials as they are."""
    latest: dict[tuple[Any, str], dict[str, Any]] = {}
    for trial in trials:
        key = (trial.get("bracket"), config_key(trial["config"]))
        if trial.get("rung") is None:
            key = (trial["trial"], "")
        if key not in latest or trial["epochs"] > latest[key]["epochs"]:
            latest[key] = trial
    return list(latest.values())


def parent_runs(trials: list[dict[str, Any]]) -> dict[int, int]:
    """``{run id: run id it continues}`` for promotions that resumed a checkpoint: the
    same configuration one rung down in the same bracket."""
    runs = {(t["bracket"], t["rung"], config_key(t["config"])): t["run_id"]
            for t in trials if t.get("rung") is not None}
    parents = {}
    for trial in trials:
        if trial.get("start_epoch") and trial.get("rung") and trial["run_id"] is not None:
            key = (trial["bracket"], trial["rung"] - 1, config_key(trial["config"]))
            if runs.get(key) is not None:
                parents[trial["run_id"]] = runs[key]
    return parents


def startup_note(summary: dict[str, Any]) -> str:
    """A line while a model-based sweep still proposes at random, else ``""``."""
    startup = summary.get("startup")
    if not startup:
        return ""
    needed, have, sampler = startup["needed"], startup["have"], startup["sampler"].upper()
    if startup["per_epochs"]:
        return (f"Random start-up: {sampler} proposes once {needed} trials have a result at "
                f"the same number of epochs ({have} so far).")
    return (f"Random start-up: proposals are random until {needed} trials have a result "
            f"({have} so far); then the {sampler} model proposes.")


def status_line(summary: dict[str, Any]) -> str:
    """``"running · 5 of 7 trials told · 6 epochs spent · best dev_error 0.031 (trial 4)"``."""
    counts = summary.get("counts", {})
    parts = [summary.get("status", "?"), f"{summary.get('told', 0)} trials told"]
    running = counts.get("running", 0)
    if running:
        parts.append(f"{running} training")
    failed = sum(counts.get(s, 0) for s in ("failed", "diverged"))
    if failed:
        parts.append(f"{failed} failed or diverged")
    parts.append(f"{summary.get('epochs_spent', 0)} epochs spent")
    best = summary.get("best")
    if best:
        parts.append(f"best {summary.get('metric')} {format_score(best['score'])} "
                     f"(trial {best['trial']}, run #{best['run_id']})")
    return " · ".join(parts)


def trial_name(trial: dict[str, Any], params: list[str]) -> str:
    """``"Trial 1 · run #3 · optim.lr 0.00316"``: a ``sweep_summary`` trial and its
    values of the searched ``params``, as the plots' hover read-outs name it."""
    parts = [f"Trial {trial['trial']}"]
    if trial.get("run_id") is not None:
        parts.append(f"run #{trial['run_id']}")
    config = trial.get("config") or {}
    values = [f"{name} {format_value(config[name])}" for name in params if name in config]
    if values:
        parts.append(", ".join(values))
    return " · ".join(parts)


def format_score(value: Any) -> str:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "—"
    return f"{value:.4g}"


def format_value(value: Any) -> str:
    """A config value in a table cell: floats short, lists as ``[128, 64]``."""
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return "" if value is None else str(value)
