"""Real second processes for the fault tests: the CLI as a user runs it, and scripts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The child processes import the same dlstudio as the tests, installed or not.
_ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


_DLSTUDIO = [sys.executable, "-c", "import sys; from dlstudio.cli import main; sys.exit(main())"]


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``dlstudio ARGS`` in a process of its own, as a user's shell would run it."""
    return subprocess.run([*_DLSTUDIO, *args], env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def start_cli(*args: str, **popen: object) -> subprocess.Popen:
    """``dlstudio ARGS`` started in the background."""
    return subprocess.Popen([*_DLSTUDIO, *args], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **popen)
