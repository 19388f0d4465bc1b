"""Bias / variance / dev-overfitting verdicts, their intervals and bad input."""

from __future__ import annotations

import json

import pytest

from dlstudio.diagnosis import (
    VERDICTS,
    Thresholds,
    diagnose,
    newcombe_difference,
    remedies_for,
    wilson_interval,
)
from dlstudio.errors import ConfigError

COURSE_CASES = [
    # train, dev, test accuracy (human level 100) -> verdict
    ((85, 83, 82), "bias"),
    ((97, 75, 74), "variance"),
    ((85, 75, 73), "both"),
    ((97, 94, 85), "dev_overfitting"),
]


@pytest.mark.parametrize(("accuracies", "verdict"), COURSE_CASES)
def test_course_cases(accuracies, verdict):
    result = diagnose(*accuracies, human_level=100)
    assert result.verdict == verdict
    assert result.remedies == remedies_for(verdict)


@pytest.mark.parametrize(("accuracies", "verdict"), COURSE_CASES)
def test_course_cases_in_error_terms(accuracies, verdict):
    errors = [100 - a for a in accuracies]
    assert diagnose(*errors, metric="error").verdict == verdict


@pytest.mark.parametrize(("accuracies", "verdict"), COURSE_CASES)
def test_course_cases_hold_with_large_sets(accuracies, verdict):
    sizes = {"train_size": 50_000, "dev_size": 5_000, "test_size": 5_000}
    assert diagnose(*accuracies, **sizes).verdict == verdict


def test_gaps_are_the_course_differences():
    result = diagnose(85, 75, 73)
    assert (result.train_error, result.dev_error, result.test_error) == (15, 25, 27)
    assert result.avoidable_bias.value == pytest.approx(15)
    assert result.variance.value == pytest.approx(10)
    assert result.dev_overfitting.value == pytest.approx(2)


def test_remedies_follow_the_course():
    assert any("bigger model" in r for r in remedies_for("bias"))
    variance = " ".join(remedies_for("variance")).lower()
    for word in ("more training data", "dropout", "augment", "l2", "batchnorm", "early"):
        assert word in variance
    assert "bigger dev set" in remedies_for("dev_overfitting")[0]
    assert not any("smaller model" in r.lower() for r in remedies_for("both"))
    assert remedies_for("none") == ()
    assert set(VERDICTS) == {"bias", "variance", "both", "dev_overfitting", "none"}


def test_explanation_quotes_the_numbers():
    text = diagnose(85, 75, 73).explanation
    for number in ("15.0", "25.0", "27.0", "10.0"):
        assert number in text
    assert "bias" in text and "variance" in text


def test_human_level_shifts_the_bias():
    # Course: human 7.5 % error, train 8 %, dev 10 % -> variance, not bias.
    assert diagnose(92, 90, human_level=92.5).verdict == "variance"
    assert diagnose(92, 90, human_level=99).verdict == "bias"


def test_train_better_than_human_is_handled():
    result = diagnose(99, 98.5, 98, human_level=97)
    assert result.avoidable_bias.value < 0
    assert not result.avoidable_bias.counts
    assert result.verdict == "none"
    assert any("avoidable bias is not the issue" in n for n in result.notes)


def test_small_gaps_give_none():
    assert diagnose(99, 98.5, 98).verdict == "none"


def test_missing_test_metric_judges_bias_and_variance_only():
    result = diagnose(97, 75)
    assert result.verdict == "variance"
    assert result.dev_overfitting is None and result.test_error is None
    assert any("dev overfitting cannot be judged" in n for n in result.notes)
    assert result.to_dict()["dev_overfitting"] is None


def test_intervals_widen_as_sets_shrink():
    widths = []
    for n in (100_000, 10_000, 1_000, 100):
        result = diagnose(85, 75, 73, train_size=n, dev_size=n, test_size=n)
        gaps = (result.avoidable_bias, result.variance, result.dev_overfitting)
        for gap in gaps:
            assert gap.low <= gap.value <= gap.high
        widths.append([g.high - g.low for g in gaps])
    for wider, narrower in zip(widths[1:], widths):
        assert all(w > v for w, v in zip(wider, narrower))
    assert result.ci_method is not None


def test_a_gap_whose_interval_includes_zero_does_not_count():
    big = diagnose(97, 90, human_level=97, train_size=10_000, dev_size=10_000)
    tiny = diagnose(97, 90, human_level=97, train_size=30, dev_size=30)
    assert big.verdict == "variance"
    assert tiny.variance.low < 0 and not tiny.variance.counts
    assert tiny.verdict == "none"
    assert any("could be noise" in n for n in tiny.notes)


def test_bias_interval_takes_human_level_as_exact():
    result = diagnose(85, 85, human_level=95, train_size=1000)
    low, high = wilson_interval(0.15, 1000)
    assert result.avoidable_bias.low == pytest.approx(100 * low - 5)
    assert result.avoidable_bias.high == pytest.approx(100 * high - 5)
    assert result.variance.low is None  # no dev size: no interval


def test_newcombe_interval_contains_the_difference_and_is_not_symmetric_near_zero():
    low, high = newcombe_difference(0.02, 200, 0.0, 200)
    assert low < 0.02 < high
    assert high - 0.02 != pytest.approx(0.02 - low)


def test_to_dict_is_json_ready_and_has_the_verdict():
    data = diagnose(85, 75, 73, train_size=5000, dev_size=1000, test_size=1000).to_dict()
    assert next(iter(data)) == "verdict" and data["verdict"] == "both"
    assert data["variance"]["value"] == pytest.approx(10)
    assert json.loads(json.dumps(data))["remedies"] == data["remedies"]


def test_regression_uses_errors_directly_without_intervals():
    result = diagnose(0.10, 0.40, 0.42, human_level=0.05, metric="regression",
                      train_size=100, dev_size=100, test_size=100)
    assert result.verdict == "variance"
    assert result.avoidable_bias.value == pytest.approx(0.05)
    assert result.variance.low is None and result.ci_method is None
    assert any("no binomial" in n for n in result.notes)
    assert diagnose(0.5, 0.55, metric="regression").verdict == "bias"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"train": 101, "dev": 90}, "train"),
        ({"train": 90, "dev": -1}, "dev"),
        ({"train": 90, "dev": 80, "test": float("nan")}, "test"),
        ({"train": 90, "dev": 80, "human_level": 120}, "human_level"),
        ({"train": 90, "dev": 80, "human_level": -5}, "human_level"),
        ({"train": 90, "dev": 80, "train_size": -10}, "train_size"),
        ({"train": 90, "dev": 80, "dev_size": 0}, "dev_size"),
        ({"train": 90, "dev": 80, "test_size": 2.5}, "test_size"),
        ({"train": 90, "dev": 80, "metric": "f1"}, "metric"),
        ({"train": -0.1, "dev": 0.2, "metric": "regression"}, "train"),
        ({"train": "high", "dev": 80}, "train"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(ConfigError) as raised:
        diagnose(**kwargs)
    assert str(raised.value).startswith(f"{field}:")


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as raised:
        diagnose(101, 90, human_level=150, dev_size=-1)
    assert len(raised.value.problems) == 3


def test_thresholds_are_configurable_and_checked():
    # 85/83/82 has a 2-point variance gap; raise the bar and it no longer counts.
    assert diagnose(85, 83, 82).also == ("variance",)
    assert diagnose(85, 83, 82, thresholds=Thresholds(min_gap=3)).also == ()
    with pytest.raises(ConfigError, match="comparable_ratio"):
        Thresholds(comparable_ratio=0)
