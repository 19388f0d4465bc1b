"""Groups of runs that answer one question together.

- Cross-validation: k runs of one config, fold i as the dev set of run i, the same
  held-out test set for all; reported as mean and spread.
- Learning curve: one run per training-set share (10 % .. 100 % of the train split) with
  the same dev and test sets; train and dev error against the number of training samples.

A group is a tag on its runs (``cv-<first id>``, ``learning-curve-<first id>``), so the
runs table can filter by it and the runs themselves go through the ordinary queue.
"""

from __future__ import annotations

import re
import statistics
from typing import Iterable, Sequence

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.store import Store

GROUP_KINDS = ("cv", "learning-curve")
_GROUP_TAG = re.compile(r"(cv|learning-curve)-(\d+)")
LEARNING_CURVE_FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)
SUMMARY_KEYS = ("train_metric", "dev_metric", "test_metric", "train_loss", "dev_loss",
                "test_loss", "best_dev_metric")


def create_cross_validation(store: Store, config: RunConfig, k: int) -> tuple[str, list[int]]:
    """Queue ``k`` fold runs; returns the group tag and their run ids."""
    if k < 2:
        raise ConfigError(f"k: got {k}, expected at least 2 folds")
    configs = [config.replace(**{"split.k_folds": k, "split.fold": fold}) for fold in range(k)]
    base = config.name or f"{config.data.name}-{config.model.name}-{config.optim.name}"
    names = [f"{base} cv fold {fold + 1}/{k}" for fold in range(k)]
    return _create_group(store, "cv", configs, names)


def create_learning_curve(store: Store, config: RunConfig,
                          fractions: Sequence[float] = LEARNING_CURVE_FRACTIONS
                          ) -> tuple[str, list[int]]:
    """Queue one run per training-set share; returns the group tag and run ids."""
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise ConfigError(f"fractions: got {list(fractions)}, expected shares in (0, 1]")
    configs = [config.replace(**{"split.train_fraction": f}) for f in sorted(fractions)]
    base = config.name or f"{config.data.name}-{config.model.name}-{config.optim.name}"
    names = [f"{base} learning curve {round(100 * f)} %" for f in sorted(fractions)]
    return _create_group(store, "learning-curve", configs, names)


def group_kind(tag: str) -> str | None:
    """``"cv"`` or ``"learning-curve"`` for a group tag, else None (a user's own tag)."""
    match = _GROUP_TAG.fullmatch(tag)
    return match.group(1) if match else None


def groups_of(runs: Iterable[dict], kind: str) -> dict[str, list[dict]]:
    """The groups of ``kind`` among ``runs`` (``Store.list_runs`` rows): members by tag,
    each sorted by id; groups newest first."""
    groups: dict[str, list[dict]] = {}
    for run in runs:
        for tag in run.get("tags") or []:
            if group_kind(tag) == kind:
                groups.setdefault(tag, []).append(run)
    ordered = sorted(groups, key=lambda tag: int(tag.rsplit("-", 1)[1]), reverse=True)
    return {tag: sorted(groups[tag], key=lambda run: run["id"]) for tag in ordered}


def _create_group(store: Store, kind: str, configs: list[RunConfig],
                  names: list[str]) -> tuple[str, list[int]]:
    # Imported here: the runs table reads groups through this module and should not
    # load torch (run_job's training imports) just to show a table.
    from dlstudio.training.run_job import check_config

    for config in configs:  # every member checked before any row exists
        check_config(config)
    run_ids = [store.create_run(c.to_dict(), name=name) for c, name in zip(configs, names)]
    tag = f"{kind}-{run_ids[0]}"
    for run_id in run_ids:
        store.add_tag(run_id, tag)
    return tag, run_ids


def group_runs(store: Store, tag: str) -> list[dict]:
    runs = sorted(store.list_runs(tag=tag), key=lambda run: run["id"])
    if not runs:
        raise ConfigError(f"group {tag!r}: no runs carry this tag")
    return runs


def cross_validation_summary(store: Store, tag: str) -> dict:
    """Mean and standard deviation of each summary metric over the finished folds."""
    return fold_summary(tag, group_runs(store, tag))


def fold_summary(tag: str, runs: list[dict]) -> dict:
    """``cross_validation_summary`` of runs already read (every member of group ``tag``)."""
    runs = sorted(runs, key=lambda run: run["id"])
    finished = [run for run in runs if run["status"] == "finished"]
    summary: dict = {"tag": tag, "folds": len(runs), "finished": len(finished),
                     "run_ids": [run["id"] for run in runs]}
    if finished:
        summary["metric_name"] = finished[0]["summary"].get("metric_name")
        summary["sizes"] = finished[0]["summary"].get("sizes", {})
    for key in SUMMARY_KEYS:
        values = [run["summary"][key] for run in finished if run["summary"].get(key) is not None]
        if values:
            summary[key] = {"mean": statistics.fmean(values),
                            "std": statistics.stdev(values) if len(values) > 1 else 0.0,
                            "values": values}
    return summary


def learning_curve(store: Store, tag: str) -> dict:
    """Train and dev metric against the number of training samples, finished runs only."""
    runs = group_runs(store, tag)
    points = []
    for run in runs:
        summary = run["summary"] or {}
        if run["status"] != "finished" or "train_metric" not in summary:
            continue
        points.append({"run_id": run["id"], "train_size": summary["sizes"]["train"],
                       "fraction": run["config"]["split"]["train_fraction"],
                       "train_metric": summary["train_metric"],
                       "dev_metric": summary["dev_metric"]})
    points.sort(key=lambda p: p["train_size"])
    # Any finished member names the metric: the first run may still be queued.
    metric = next((run["summary"].get("metric_name") for run in runs
                   if run["status"] == "finished" and run["summary"]), None)
    return {"tag": tag, "metric_name": metric, "runs": len(runs), "points": points}
