"""Confidence intervals for error rates and for gaps between them.

Error rates are fractions in 0..1 here; callers that think in percent scale on the way in
and out. One rate gets a Wilson score interval; the difference of two independent rates
gets Newcombe's hybrid score interval (Newcombe 1998, method 10), which is built from the
two Wilson intervals. Both keep sensible coverage for rates near 0 or 1 and for small
sets, where the textbook Wald interval (p +- z*sqrt(p(1-p)/n)) collapses to zero width
at p = 0 and undercovers badly - and a good model's error rate *is* near 0.
"""

from __future__ import annotations

import math

from scipy.stats import norm

from dlstudio.errors import ConfigError


def z_for(confidence: float) -> float:
    """The two-sided standard-normal quantile for ``confidence`` (0.95 -> 1.96)."""
    if not 0.0 < confidence < 1.0:
        raise ConfigError(f"confidence: must lie strictly between 0 and 1, got {confidence!r}")
    return float(norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(rate: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for an error rate ``rate`` measured on ``n`` samples."""
    z = z_for(confidence)
    z2_n = z * z / n
    centre = (rate + z2_n / 2.0) / (1.0 + z2_n)
    half = z / (1.0 + z2_n) * math.sqrt(rate * (1.0 - rate) / n + z2_n / (4.0 * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def wald_half_width(rate: float, n: int, confidence: float = 0.95) -> float:
    """Half-width of the Wald interval, z * sqrt(p(1-p)/n) (the textbook formula)."""
    return z_for(confidence) * math.sqrt(rate * (1.0 - rate) / n)


def newcombe_difference(
    rate_a: float, n_a: int, rate_b: float, n_b: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Interval for ``rate_a - rate_b`` from two independent samples (Newcombe method 10).

    Each side of the interval combines the distances from each rate to the matching end
    of its own Wilson interval, so it inherits Wilson's behaviour near 0 and 1.
    """
    low_a, high_a = wilson_interval(rate_a, n_a, confidence)
    low_b, high_b = wilson_interval(rate_b, n_b, confidence)
    difference = rate_a - rate_b
    lower = difference - math.sqrt((rate_a - low_a) ** 2 + (high_b - rate_b) ** 2)
    upper = difference + math.sqrt((high_a - rate_a) ** 2 + (rate_b - low_b) ** 2)
    return lower, upper
