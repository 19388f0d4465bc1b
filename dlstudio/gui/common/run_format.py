"""How run values read in tables: metric spreads, durations, dates (no Qt).

A single metric value reads as ``dlstudio.formatting.format_metric`` says.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dlstudio.formatting import PERCENT_METRICS, is_number

def format_metric_spread(mean: Any, std: Any, metric_name: str | None) -> str:
    """``0.95, 0.0084, "accuracy"`` -> ``"95.00 ± 0.84 %"``: a mean and its standard
    deviation, in the metric's unit."""
    if not is_number(mean) or not is_number(std):
        return ""
    if metric_name in PERCENT_METRICS:
        return f"{100 * mean:.2f} ± {100 * std:.2f} %"
    suffix = f" {metric_name.upper()}" if metric_name else ""
    return f"{mean:.4g} ± {std:.2g}{suffix}"


def format_duration(seconds: Any) -> str:
    """``75.2`` -> ``"1 m 15 s"``; ``4.25`` -> ``"4.2 s"``."""
    if not is_number(seconds):
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} m {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} m"


def format_lr(value: Any) -> str:
    return f"{value:g}" if is_number(value) else ""


def to_timestamp(value: Any) -> float | None:
    """Seconds since the epoch from a stored time (a number or an ISO string)."""
    if is_number(value):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None


def format_time(value: Any) -> str:
    """A stored time as local ``YYYY-MM-DD HH:MM``."""
    stamp = to_timestamp(value)
    if stamp is None:
        return ""
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def run_duration(run: dict[str, Any]) -> float | None:
    """The summary's duration, else ended - started."""
    duration = (run.get("summary") or {}).get("duration")
    if is_number(duration):
        return float(duration)
    started, ended = to_timestamp(run.get("started")), to_timestamp(run.get("ended"))
    if started is not None and ended is not None:
        return max(0.0, ended - started)
    return None


def run_label(run: dict[str, Any]) -> str:
    """``"#12 adam-lr0.01"``: how plots and headers name a run."""
    name, tag = run.get("name") or "", f"#{run['id']}"
    if name.endswith(tag):  # default names already end with the id
        return name
    return f"{tag} {name}".strip()
