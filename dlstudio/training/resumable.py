"""Which runs can be resumed: one rule for the command line and the app.

A run continues from its own last checkpoint (``execute_run(resume=True)``), so it
needs an ended-early status and that checkpoint file. A failed run counts: its
checkpoint holds the last good epoch (a crash, an out-of-memory, a killed machine),
and continuing from it is what the user wants after fixing the cause.
"""

from __future__ import annotations

from pathlib import Path

RESUMABLE_RUNS = ("stopped", "interrupted", "failed")


def checkpoint_path(run: dict) -> Path | None:
    """Where the run's last checkpoint is (whether or not the file exists)."""
    directory = run.get("checkpoint_dir")
    if not directory:
        return None
    from dlstudio.training.checkpoints import LAST  # here: importing torch takes a second

    return Path(directory) / LAST


def resume_problem(run: dict, label: str | None = None) -> str:
    """Why ``run`` (a store row) cannot be resumed; "" when it can.

    ``label`` names the run in the message (default ``run <id>``).
    """
    label = label or f"run {run.get('id')}"
    status = run.get("status")
    if status not in RESUMABLE_RUNS:
        return (f"{label} is {status}; only stopped, interrupted or failed runs can be "
                "resumed")
    path = checkpoint_path(run)
    if path is None or not path.is_file():
        return (f"{label} has no checkpoint to continue from (checkpoints were off, or it "
                "ended before its first epoch did)")
    return ""
