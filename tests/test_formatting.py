"""How a metric value reads: one function for the app's tables, its live view and the CLI."""

from __future__ import annotations

import math

from dlstudio.formatting import count, format_metric


def test_accuracy_reads_as_a_percentage_other_metrics_as_numbers():
    assert format_metric("accuracy", 0.9712) == "97.12 %"
    assert format_metric("rmse", 0.312345) == "0.3123"
    assert format_metric(None, 2) == "2"


def test_unit_names_a_metric_that_is_not_a_percentage():
    assert format_metric("rmse", 0.31, unit=True) == "0.31 RMSE"
    assert format_metric("accuracy", 0.5, unit=True) == "50.00 %"


def test_missing_or_not_finite_values_read_as_missing():
    for value in (None, math.nan, math.inf, True, "0.5"):
        assert format_metric("accuracy", value) == ""
        assert format_metric("rmse", value, missing="n/a") == "n/a"


def test_a_count_names_one_thing_in_the_singular():
    assert count(1, "run") == "1 run"
    assert count(0, "run") == "0 runs"
    assert count(3001, "run") == "3,001 runs"
    assert count(2, "class", "classes") == "2 classes"
