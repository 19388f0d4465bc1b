"""``dlstudio`` in a real process of its own, as a user's shell runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

# The children import the same dlstudio as the tests, installed or not.
_ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
DLSTUDIO = [sys.executable, "-c", "import sys; from dlstudio.cli import main; sys.exit(main())"]
# A script's run (through the tracking API) that stays "running" until it is killed.
RUNNING_SCRIPT = ("import sys, time, dlstudio; "
                  "run = dlstudio.start_run({'lr': 0.1}, name='training', db=sys.argv[1], "
                  "system_metrics=False); print('started', flush=True); time.sleep(600)")


def cli(*args: object, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``dlstudio ARGS`` to its end."""
    return subprocess.run([*DLSTUDIO, *map(str, args)], env=ENV, capture_output=True,
                          text=True, timeout=timeout)


def start_cli(*args: object) -> subprocess.Popen:
    """``dlstudio ARGS`` started in the background."""
    return subprocess.Popen([*DLSTUDIO, *map(str, args)], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen, what: str,
             limit: float = 120) -> None:
    """Poll ``condition`` until true; fail if the process ended first or never got there."""
    deadline = time.monotonic() + limit
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the process ended before {what}: {out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"never saw {what}")
        time.sleep(0.05)
