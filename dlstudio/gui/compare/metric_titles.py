"""What Compare's one-metric plot says for a metric key, and how it scales the values.

The app's own keys get titles; ``train_metric`` / ``dev_metric`` are accuracy (shown in
percent, rising) or RMSE, depending on the runs compared. Any other key, such as one a
script logged, is shown as it is named.
"""

from __future__ import annotations

# Known metrics first, in this order, with what the y axis says.
METRIC_TITLES = {
    "loss": "Training loss (per step)",
    "train_loss": "Train loss (per epoch)",
    "dev_loss": "Dev loss (per epoch)",
    "train_metric": "Train {metric}",
    "dev_metric": "Dev {metric}",
    "lr": "Learning rate",
    "momentum": "Momentum",
}
RATIO_METRICS = ("train_metric", "dev_metric")


def metric_names(runs: list[dict]) -> set[str]:
    """The runs' metric names (accuracy, rmse). Runs still training (or that failed
    early) have no summary yet: they are assumed to share the metric of those that do."""
    names = {(run.get("summary") or {}).get("metric_name") for run in runs}
    return (names - {None}) or {"metric"}


def metric_rises(key: str, runs: list[dict]) -> bool:
    """Whether ``key`` is an accuracy of every run (higher is better, shown in %)."""
    return key in RATIO_METRICS and metric_names(runs) == {"accuracy"}


def metric_title(key: str, runs: list[dict]) -> str:
    """The y axis label of ``key`` for these runs."""
    if key not in RATIO_METRICS:
        return METRIC_TITLES.get(key, key)
    names = metric_names(runs)
    if names == {"accuracy"}:
        return METRIC_TITLES[key].format(metric="accuracy (%)")
    if len(names) == 1:
        return METRIC_TITLES[key].format(metric=next(iter(names)).upper())
    return METRIC_TITLES[key].format(metric="metric (accuracy 0-1 or RMSE)")


def metric_scale(key: str, runs: list[dict]) -> float:
    """The factor the stored values are drawn at (accuracy 0-1 as percent)."""
    return 100.0 if metric_rises(key, runs) else 1.0
