"""Bias / variance / dev-overfitting diagnosis from a run's numbers (no torch, no Qt)."""

from dlstudio.diagnosis.bias_variance import (
    CI_METHOD,
    METRICS,
    Diagnosis,
    Gap,
    Thresholds,
    diagnose,
)
from dlstudio.diagnosis.dev_set_size import (
    ci_half_width,
    samples_for_events,
    samples_for_half_width,
    samples_to_detect_difference,
    samples_to_detect_vs_target,
)
from dlstudio.diagnosis.intervals import newcombe_difference, wilson_interval
from dlstudio.diagnosis.remedies import VERDICTS, remedies_for

__all__ = [
    "CI_METHOD", "METRICS", "VERDICTS", "Diagnosis", "Gap", "Thresholds", "ci_half_width",
    "diagnose", "newcombe_difference", "remedies_for", "samples_for_events",
    "samples_for_half_width", "samples_to_detect_difference", "samples_to_detect_vs_target",
    "wilson_interval",
]
