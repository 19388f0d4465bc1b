"""CPU and RAM use of this process's machine, one reading (psutil; no torch), as
runs the trainer trains and runs a script logs both record it."""

from __future__ import annotations

import psutil

MB = 2**20


def prime_cpu_percent() -> None:
    """Start psutil's machine-wide CPU counter: its first reading means nothing, each
    later one is the use since the reading before."""
    psutil.cpu_percent(interval=None)


def cpu_and_ram() -> dict[str, float]:
    """The machine's CPU use since the last reading (%) and this process's RAM (MB)."""
    return {"sys.cpu_percent": psutil.cpu_percent(interval=None),
            "sys.ram_mb": psutil.Process().memory_info().rss / MB}
