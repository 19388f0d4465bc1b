"""How big a dev (or test) set must be to tell what you want to tell.

Rates here are fractions in 0..1 (0.1 = 10 %), as in the course's rule of thumb.
"""

from __future__ import annotations

import math

from scipy.stats import norm

from dlstudio.diagnosis.intervals import wald_half_width, wilson_interval, z_for
from dlstudio.errors import ConfigError


def samples_for_events(events: int, rate: float, safety_factor: float = 2.0) -> int:
    """The course's rule: samples needed to see about ``events`` cases of a ``rate`` event.

    ``events / rate`` samples only *expect* that many events; the count you see scatters
    around it (roughly Poisson, sd = sqrt(mean)), so half the time you would see fewer.
    The factor 2 is the course's margin: expecting 2 x 10 = 20 events, seeing fewer
    than 10 has a chance of about 0.5 %. ``samples_for_events(10, 0.1) == 200``.
    """
    problems = []
    if isinstance(events, bool) or not isinstance(events, int) or events <= 0:
        problems.append(f"events: must be a positive whole number, got {events!r}")
    _check_rate(problems, "rate", rate, allow_one=True)
    if not (isinstance(safety_factor, (int, float)) and safety_factor >= 1):
        problems.append(f"safety_factor: must be a number >= 1, got {safety_factor!r}")
    if problems:
        raise ConfigError(problems)
    # The tolerance stops 2 * 10 / 0.1 = 200.00000000000003 from rounding up to 201.
    return math.ceil(safety_factor * events / rate - 1e-9)


def samples_to_detect_difference(
    error_a: float, error_b: float, confidence: float = 0.95, power: float = 0.8,
    two_sided: bool = True,
) -> int:
    """Samples *per set* for a two-proportion z-test to tell error rates a and b apart.

    The standard formula for two independent sets of equal size n:
    n = (z_alpha * sqrt(2 p q) + z_beta * sqrt(p_a q_a + p_b q_b))^2 / (p_a - p_b)^2,
    with p = (p_a + p_b) / 2, z_alpha the (two-sided) quantile for ``confidence`` and
    z_beta the quantile for ``power``. To compare two models on the *same* dev set this
    overestimates (their errors are correlated), which errs on the safe side.
    """
    z_alpha, z_beta = _quantiles(confidence, power, two_sided, error_a, error_b)
    mean = (error_a + error_b) / 2
    spread = (z_alpha * math.sqrt(2 * mean * (1 - mean))
              + z_beta * math.sqrt(error_a * (1 - error_a) + error_b * (1 - error_b)))
    return math.ceil((spread / (error_a - error_b)) ** 2 - 1e-9)


def samples_to_detect_vs_target(
    error: float, target: float, confidence: float = 0.95, power: float = 0.8,
    two_sided: bool = True,
) -> int:
    """Samples for a one-sample z-test to tell a true ``error`` rate from a fixed ``target``.

    n = (z_alpha * sqrt(p0 q0) + z_beta * sqrt(p1 q1))^2 / (p1 - p0)^2 with p0 = target
    (exact, like a human-level error) and p1 = the error you expect the model to have.
    """
    z_alpha, z_beta = _quantiles(
        confidence, power, two_sided, error, target, names=("error", "target")
    )
    spread = (z_alpha * math.sqrt(target * (1 - target))
              + z_beta * math.sqrt(error * (1 - error)))
    return math.ceil((spread / (error - target)) ** 2 - 1e-9)


def ci_half_width(
    error_rate: float, n: int, confidence: float = 0.95, method: str = "wilson"
) -> float:
    """Half-width of the confidence interval for an error rate measured on ``n`` samples.

    ``method="wilson"`` (default; half the width of the Wilson score interval, which is
    not symmetric around the rate) or ``"wald"`` (z * sqrt(p(1-p)/n), the textbook form).
    """
    problems = []
    _check_rate(problems, "error_rate", error_rate, allow_zero=True, allow_one=True)
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        problems.append(f"n: must be a positive whole number of samples, got {n!r}")
    if method not in ("wilson", "wald"):
        problems.append(f"method: must be 'wilson' or 'wald', got {method!r}")
    if problems:
        raise ConfigError(problems)
    if method == "wald":
        return wald_half_width(error_rate, n, confidence)
    low, high = wilson_interval(error_rate, n, confidence)
    return (high - low) / 2


def samples_for_half_width(error_rate: float, half_width: float, confidence: float = 0.95) -> int:
    """Samples so the Wald interval for ``error_rate`` is +- ``half_width`` (n = z^2 p q / h^2)."""
    problems = []
    _check_rate(problems, "error_rate", error_rate)
    if not (isinstance(half_width, (int, float)) and 0 < half_width < 1):
        problems.append(f"half_width: must be a fraction in (0, 1), got {half_width!r}")
    if problems:
        raise ConfigError(problems)
    z = z_for(confidence)
    return math.ceil(z * z * error_rate * (1 - error_rate) / half_width ** 2 - 1e-9)


def _quantiles(confidence, power, two_sided, rate_a, rate_b, names=("error_a", "error_b")):
    problems = []
    _check_rate(problems, names[0], rate_a, allow_zero=True, allow_one=True)
    _check_rate(problems, names[1], rate_b, allow_zero=True, allow_one=True)
    if not problems and rate_a == rate_b:
        problems.append(f"{names[1]}: must differ from {names[0]} ({rate_a!r}); "
                        f"no sample size tells equal rates apart")
    for name, value in (("confidence", confidence), ("power", power)):
        if not (isinstance(value, (int, float)) and 0 < value < 1):
            problems.append(f"{name}: must lie strictly between 0 and 1, got {value!r}")
    if problems:
        raise ConfigError(problems)
    alpha = 1 - confidence
    z_alpha = norm.ppf(1 - alpha / 2) if two_sided else norm.ppf(1 - alpha)
    return float(z_alpha), float(norm.ppf(power))


def _check_rate(problems, name, value, allow_zero=False, allow_one=False):
    """Append a problem unless ``value`` is a finite rate within the allowed bounds."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (0 <= value if allow_zero else 0 < value) and (value <= 1 if allow_one else value < 1)
    if not ok:
        bounds = ("[" if allow_zero else "(") + "0, 1" + ("]" if allow_one else ")")
        problems.append(f"{name}: must be a rate in {bounds} (0.1 = 10 %), got {value!r}")
