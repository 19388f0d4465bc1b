"""A cross-validation group's folds turned into one set of ``diagnose`` inputs.

Each fold's model is scored on a different dev fold, so one fold's dev number is a
noisy draw; the mean over the finished folds is the estimate cross-validation exists
to give. Train, dev and test metrics are each averaged over the same folds.

Set sizes stay one fold's (the first finished one's), not pooled: the train sets
overlap (every sample trains k-1 of the models) and the test set is the same for every
fold, so adding them up would count samples several times and draw intervals that are
too narrow. This is also what ``dlstudio diagnose cv-N`` uses, so both agree.
"""

from __future__ import annotations

import dataclasses
import statistics
from typing import Any, Iterable

from dlstudio.diagnosis.run_metrics import RunMetrics, run_metrics
from dlstudio.errors import ConfigError


def fold_mean_metrics(tag: str, runs: Iterable[dict[str, Any]]) -> RunMetrics:
    """The mean train / dev / test numbers of the finished runs among ``runs`` (the
    members of group ``tag``); ``folds`` says how many were averaged."""
    folds = [run_metrics(run) for run in runs if run.get("status") == "finished"]
    if not folds:
        raise ConfigError(f"group {tag}: no fold has finished yet; its mean needs at "
                          "least one finished fold")
    kinds = {fold.metric for fold in folds}
    if len(kinds) > 1:
        raise ConfigError(f"group {tag}: folds report different metrics "
                          f"({', '.join(sorted(kinds))}); they cannot be averaged")
    first = folds[0]
    return dataclasses.replace(
        first, train=statistics.fmean(f.train for f in folds),
        dev=statistics.fmean(f.dev for f in folds),
        test=statistics.fmean(f.test for f in folds), folds=len(folds), group=tag)
