"""Which runs can be resumed: one rule for the command line and the app.

A run that ended early (stopped, interrupted, failed) continues from its own last
checkpoint (``execute_run(resume=True)``). A failed run counts: its checkpoint holds the
last good epoch (a crash, an out-of-memory, a killed machine), and continuing from it is
what the user wants after fixing the cause. One that ended before its first checkpoint
(or trains without checkpoints) starts over from epoch 0, as a sweep's trial does.
"""

from __future__ import annotations

from pathlib import Path

from dlstudio.reproducibility import made_by

RESUMABLE_RUNS = ("stopped", "interrupted", "failed")


def trained_here(run: dict) -> bool:
    """Whether dlstudio trained ``run`` (a store row) from its config, so it can resume
    it or train it again: not a run a script logged through the Python API, nor one
    imported from another tracker."""
    return made_by(run.get("environment") or {}) in ("dlstudio", "")


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
    maker = made_by(run.get("environment") or {})
    if maker == "script":
        return (f"{label} was logged by a script, not trained by dlstudio: the script "
                f"continues it with dlstudio.start_run(..., resume={run.get('id')})")
    if maker == "import":
        return (f"{label} was imported from another tracker, not trained by dlstudio: "
                "there is nothing here to continue it with")
    status = run.get("status")
    if status not in RESUMABLE_RUNS:
        return (f"{label} is {status}; only stopped, interrupted or failed runs can be "
                "resumed")
    return ""


def restarts(run: dict) -> bool:
    """True when resuming ``run`` starts it over: it has no checkpoint to continue from."""
    path = checkpoint_path(run)
    return path is None or not path.is_file()
