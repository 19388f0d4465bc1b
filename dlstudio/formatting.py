"""How a metric value reads, in the app and on the command line, and which number a text
spells (no Qt, no torch)."""

from __future__ import annotations

import math
from typing import Any

PERCENT_METRICS = ("accuracy",)


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool): what a metric value can be shown as."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_number(text: str) -> int | float | None:
    """The int or float ``text`` spells (``"16"`` -> 16, ``" 1e-5"`` -> 1e-05), None when
    it spells neither."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return None


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1, "run"`` -> ``"1 run"``; ``1200, "run"`` -> ``"1,200 runs"``; ``plural`` for
    a noun that does not just take an s (``2, "class", "classes"``)."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def format_bytes(count: int) -> str:
    """``1536`` -> ``"1.5 KB"`` (powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} B"


def format_metric(name: str | None, value: Any, *, unit: bool = False, missing: str = "") -> str:
    """``"accuracy", 0.9712`` -> ``"97.12 %"``; ``"rmse", 0.31`` -> ``"0.31"``.

    ``unit``: name a metric that is not a percentage after its value (``"0.31 RMSE"``),
    for places that do not say which metric it is. ``missing``: what a value that is
    absent or not finite reads as.
    """
    if not is_number(value):
        return missing
    if name in PERCENT_METRICS:
        return f"{100 * value:.2f} %"
    suffix = f" {name.upper()}" if unit and name else ""
    return f"{value:.4g}{suffix}"
