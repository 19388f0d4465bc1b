"""A stored run turned into the numbers ``diagnose`` takes.

The store keeps a classification metric as accuracy in 0..1 and a regression metric as
RMSE; ``diagnose`` wants accuracy in percent. Finished and stopped runs with train, dev
and test metrics are diagnosed: a stopped run's model was evaluated on all three sets
when it stopped (a user stops a run that clearly overfits, and wants to hear so); a
failed or diverged run's numbers describe no usable model, and without the test metric
dev overfitting cannot be judged. Every refusal is a ``ConfigError`` that names the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dlstudio.errors import ConfigError

SPLITS = ("train", "dev", "test")
DIAGNOSABLE = ("finished", "stopped")  # statuses whose three metrics describe a model


@dataclass(frozen=True)
class RunMetrics:
    """One run's train / dev / test numbers in ``diagnose``'s terms, with set sizes."""

    run_id: int
    run_name: str
    dataset: str  # config data.name, for the default human level
    metric: str  # "accuracy" (percent) or "regression" (RMSE)
    train: float
    dev: float
    test: float
    train_size: int | None
    dev_size: int | None
    test_size: int | None
    folds: int = 1  # runs averaged: a cross-validation group's finished folds
    group: str = ""  # their group tag ("cv-12"); empty for a single run

    def diagnose_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``diagnose`` (human level left to the caller)."""
        return {"train": self.train, "dev": self.dev, "test": self.test, "metric": self.metric,
                "train_size": self.train_size, "dev_size": self.dev_size,
                "test_size": self.test_size}


def run_label(run: dict[str, Any]) -> str:
    """``"run 12 (digits-mlp-adam #12)"``: how messages name a run."""
    name = run.get("name") or ""
    return f"run {run.get('id')}" + (f" ({name})" if name else "")


def run_metrics(run: dict[str, Any]) -> RunMetrics:
    """The diagnosis inputs of a run dict as ``Store.get_run`` returns it."""
    label = run_label(run)
    status = run.get("status")
    if status not in DIAGNOSABLE:
        raise ConfigError(f"{label}: status is {status!r}; only finished and stopped runs "
                          "can be diagnosed (their train, dev and test metrics were measured)")
    summary = run.get("summary") or {}
    metric_name = summary.get("metric_name", "accuracy")
    if metric_name not in ("accuracy", "rmse"):
        raise ConfigError(f"{label}: unknown metric {metric_name!r}; expected accuracy or rmse")
    values = {split: _metric(label, summary, split, metric_name) for split in SPLITS}
    sizes = _sizes(label, summary.get("sizes"))
    dataset = ((run.get("config") or {}).get("data") or {}).get("name", "")
    return RunMetrics(
        run_id=int(run["id"]), run_name=run.get("name") or "", dataset=dataset,
        metric="accuracy" if metric_name == "accuracy" else "regression", **values,
        train_size=sizes["train"], dev_size=sizes["dev"], test_size=sizes["test"],
    )


def _metric(label: str, summary: dict[str, Any], split: str, metric_name: str) -> float:
    key = f"{split}_metric"
    value = summary.get(key)
    if value is None:
        raise ConfigError(f"{label}: no {key} in its summary; the run ended before the "
                          f"{split} set was evaluated")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{label}: {key} is {value!r}, not a finite number")
    if metric_name == "rmse":
        return float(value)
    if not 0 <= value <= 1:
        raise ConfigError(f"{label}: {key} is {value!r}; a stored accuracy lies in 0..1")
    return 100.0 * float(value)


def _sizes(label: str, sizes: Any) -> dict[str, int | None]:
    if not isinstance(sizes, dict):
        return dict.fromkeys(SPLITS)
    result: dict[str, int | None] = {}
    for split in SPLITS:
        size = sizes.get(split)
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
            raise ConfigError(f"{label}: sizes.{split} is {size!r}, expected a positive "
                              "whole number of samples")
        result[split] = size
    return result
