"""The number a sweep optimises, read from the dev-set values of a run's summary.

Only ``dev_*`` keys are ever read here: the test set is evaluated when a run ends, for
the record, and must never reach a strategy. A run summary holds ``dev_loss`` and
``dev_metric`` (accuracy 0..1 for classification, RMSE for regression) at the last epoch
trained, which is the trial's score at ``trial.epochs``.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from dlstudio.errors import ConfigError

# name -> (task it needs or None for any, how to read it from a summary)
_OBJECTIVES: dict[str, tuple[str | None, Callable[[dict[str, Any]], Any]]] = {
    "dev_loss": (None, lambda s: s.get("dev_loss")),
    "dev_metric": (None, lambda s: s.get("dev_metric")),
    "dev_accuracy": ("classification", lambda s: s.get("dev_metric")),
    "dev_error": ("classification", lambda s: _complement(s.get("dev_metric"))),
    "dev_rmse": ("regression", lambda s: s.get("dev_metric")),
}
_ALIASES = {"dev_acc": "dev_accuracy", "dev_err": "dev_error", "dev_error_rate": "dev_error"}
OBJECTIVES = tuple(_OBJECTIVES)


def objective_name(name: str) -> str:
    """The canonical name (``dev_acc`` -> ``dev_accuracy``); ConfigError if unknown."""
    name = _ALIASES.get(name, name)
    if name not in _OBJECTIVES:
        raise ConfigError(f"metric.name: {name!r} is not recorded by a run; expected one of "
                          f"{', '.join(OBJECTIVES)}")
    return name


def check_objective(name: str, task: str) -> None:
    """Raise ConfigError when the metric does not exist for the dataset's ``task``."""
    needs = _OBJECTIVES[objective_name(name)][0]
    if needs is not None and needs != task:
        raise ConfigError(f"metric.name: {name} needs a {needs} dataset; this one is "
                          f"{task} (use dev_loss or dev_metric)")


def objective_score(name: str, summary: dict[str, Any]) -> float | None:
    """The objective of a finished run, or None when it has none (failed, diverged)."""
    value = _OBJECTIVES[objective_name(name)][1](summary)
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _complement(accuracy: Any) -> float | None:
    return None if accuracy is None else 1.0 - float(accuracy)
