"""Cross-validation groups in the runs table: every fold's row carries its group's
mean ± standard deviation, so the group reads as one result wherever its runs are
sorted or filtered to (the tag filter ``cv-12`` shows just the group).

The numbers are the core's ``fold_summary`` (``cross_validation_summary`` of rows
already read: no query per group); this module only attaches and words them.
"""

from __future__ import annotations

from typing import Any

from dlstudio.gui.common import run_format as fmt
from dlstudio.training.run_groups import fold_summary, groups_of

CV_KEY = "cv_group"  # the key under which a fold's run dict holds its group's summary
SPLITS = ("train", "dev", "test")


def with_cv_groups(runs: list[dict]) -> list[dict]:
    """``runs`` with each cross-validation fold's dict extended by its group summary."""
    summaries: dict[int, dict] = {}
    for tag, members in groups_of(runs, "cv").items():  # newest group first
        summary = fold_summary(tag, members)
        for run in members:
            summaries.setdefault(run["id"], summary)
    return [{**run, CV_KEY: summaries[run["id"]]} if run["id"] in summaries else run
            for run in runs]


def cv_summary(run: dict) -> dict | None:
    return run.get(CV_KEY)


def cv_text(run: dict, key: str = "dev_metric", progress: bool = True) -> str:
    """``"95.12 ± 0.84 %"``, with ``"(3/5 folds)"`` while folds are still to finish."""
    summary = cv_summary(run)
    if summary is None:
        return ""
    stats = summary.get(key)
    done = "" if summary["finished"] == summary["folds"] or not progress else \
        f" ({summary['finished']}/{summary['folds']} folds)"
    if not stats:
        return f"no fold finished{done}" if not summary["finished"] else ""
    return fmt.format_metric_spread(stats["mean"], stats["std"], summary.get("metric_name")) + done


def cv_sort_key(run: dict, missing: Any) -> Any:
    stats = (cv_summary(run) or {}).get("dev_metric")
    return float(stats["mean"]) if stats else missing


def cv_tooltip(run: dict) -> str | None:
    """The group, its folds and the mean ± sd of train, dev and test."""
    summary = cv_summary(run)
    if summary is None:
        return None
    lines = [(f"Cross-validation group {summary['tag']}: mean ± sd of its "
              f"{summary['finished']} finished folds (of {summary['folds']})")]
    for split in SPLITS:
        text = cv_text(run, f"{split}_metric", progress=False)
        if text:
            lines.append(f"{split.capitalize()}: {text}")
    lines.append(f"Filter the table by the tag {summary['tag']} to see only its folds.")
    return "\n".join(lines)
