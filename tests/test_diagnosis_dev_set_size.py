"""How big a dev set must be: the course's rule, z-test sample sizes, interval widths."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from dlstudio.diagnosis import (
    ci_half_width,
    samples_for_events,
    samples_for_half_width,
    samples_to_detect_difference,
    samples_to_detect_vs_target,
)
from dlstudio.errors import ConfigError


def test_course_rule_ten_events_at_ten_percent_needs_200():
    assert samples_for_events(events=10, rate=0.1) == 200
    assert samples_for_events(events=10, rate=0.1, safety_factor=1) == 100
    assert samples_for_events(events=5, rate=0.01) == 1000


def test_two_proportion_sample_size_textbook_value():
    # 20 % vs 10 %, 5 % two-sided, 80 % power: the uncorrected formula gives 199 per group.
    assert samples_to_detect_difference(0.2, 0.1) == 199
    assert samples_to_detect_difference(0.1, 0.2) == 199


def test_one_sample_sample_size_textbook_value():
    # 60 % against a fixed 50 %, 5 % two-sided, 80 % power: 194.
    assert samples_to_detect_vs_target(0.6, target=0.5) == 194


def test_sample_size_grows_with_confidence_and_power():
    by_confidence = [samples_to_detect_difference(0.10, 0.08, confidence=c)
                     for c in (0.8, 0.9, 0.95, 0.99)]
    by_power = [samples_to_detect_difference(0.10, 0.08, power=p) for p in (0.5, 0.8, 0.9, 0.99)]
    assert by_confidence == sorted(by_confidence) and len(set(by_confidence)) == 4
    assert by_power == sorted(by_power) and len(set(by_power)) == 4
    assert samples_to_detect_difference(0.1, 0.08, two_sided=False) < by_confidence[2]


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 0.5), st.floats(0.005, 0.2), st.floats(0.8, 0.99), st.floats(0.5, 0.95))
def test_the_returned_size_reaches_the_asked_power(rate, gap, confidence, power):
    # Invert independently: the z-test's power at n must reach the target, and at n - 1
    # (the size one smaller) it must not - the formula was solved for the smallest n.
    other = rate + gap
    n = samples_to_detect_difference(rate, other, confidence, power)
    z_alpha = norm.ppf(0.5 + confidence / 2)
    mean = (rate + other) / 2

    def achieved(size):
        spread = math.sqrt(rate * (1 - rate) + other * (1 - other))
        return norm.cdf((gap * math.sqrt(size) - z_alpha * math.sqrt(2 * mean * (1 - mean)))
                        / spread)

    assert achieved(n) >= power - 1e-9
    assert n == 1 or achieved(n - 1) < power


def test_half_width_shrinks_with_n_and_matches_wald():
    assert ci_half_width(0.1, 1000, method="wald") == pytest.approx(
        1.959964 * math.sqrt(0.1 * 0.9 / 1000), rel=1e-6)
    widths = [ci_half_width(0.05, n) for n in (100, 1000, 10_000)]
    assert widths == sorted(widths, reverse=True)
    # Wilson stays honest at an error rate of 0: Wald claims perfect certainty.
    assert ci_half_width(0.0, 100) > 0 == ci_half_width(0.0, 100, method="wald")


def test_samples_for_half_width_inverts_wald():
    n = samples_for_half_width(0.05, 0.01)
    assert n == 1825
    assert ci_half_width(0.05, n, method="wald") <= 0.01 < ci_half_width(0.05, n - 1, method="wald")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: samples_for_events(0, 0.1), "events"),
        (lambda: samples_for_events(10, 0), "rate"),
        (lambda: samples_for_events(10, 1.5), "rate"),
        (lambda: samples_for_events(10, 0.1, safety_factor=0.5), "safety_factor"),
        (lambda: samples_to_detect_difference(0.1, 0.1), "error_b"),
        (lambda: samples_to_detect_difference(-0.1, 0.1), "error_a"),
        (lambda: samples_to_detect_difference(0.1, 0.2, confidence=1.0), "confidence"),
        (lambda: samples_to_detect_difference(0.1, 0.2, power=0), "power"),
        (lambda: samples_to_detect_vs_target(0.1, 2), "target"),
        (lambda: ci_half_width(0.1, 0), "n"),
        (lambda: ci_half_width(1.1, 10), "error_rate"),
        (lambda: ci_half_width(0.1, 10, method="exact"), "method"),
        (lambda: ci_half_width(0.1, 10, confidence=95), "confidence"),
        (lambda: samples_for_half_width(0.1, 0), "half_width"),
    ],
)
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(ConfigError) as raised:
        call()
    assert str(raised.value).startswith(f"{argument}:")
