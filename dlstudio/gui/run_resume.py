"""Resuming a stopped or interrupted run from its last checkpoint, from the GUI.

``resume_problem`` says why a run cannot be resumed ("" when it can), so the Runs
panel's Resume button is enabled only when it would work and otherwise says why.
``resume_run`` starts the run through the window's ``TrainingController``, keeping its
rule of one training run per device. The training itself is the core's
``execute_run(resume=True)``, which loads ``last.pt`` and trains the remaining epochs.
"""

from __future__ import annotations

from pathlib import Path

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.gui import run_format as fmt
from dlstudio.gui.training_controller import device_key

RESUMABLE = ("stopped", "interrupted")


def checkpoint_path(run: dict) -> Path | None:
    """Where the run's last checkpoint is (whether or not the file exists)."""
    directory = run.get("checkpoint_dir")
    if not directory:
        return None
    from dlstudio.training.checkpoints import LAST  # here: importing torch takes a second

    return Path(directory) / LAST


def resume_problem(run: dict) -> str:
    """Why ``run`` (a ``Store.list_runs`` row) cannot be resumed; "" when it can."""
    label, status = fmt.run_label(run), run.get("status")
    if status not in RESUMABLE:
        return (f"Only stopped or interrupted runs can be resumed; {label} is {status}. "
                "Use 'Run again with changes' to train its config anew.")
    path = checkpoint_path(run)
    if path is None or not path.is_file():
        return (f"{label} has no checkpoint to continue from (checkpoints were off, or it "
                "stopped before its first epoch ended). Use 'Run again with changes'.")
    return ""


def resume_run(controller, run_id: int) -> str:
    """Continue ``run_id`` now on its device; returns what to tell the user.

    Raises ``ConfigError`` saying why not: the run is not resumable (any more), its
    stored config no longer loads, or another run is training on its device.
    """
    run = controller.store.get_run(run_id)
    problem = resume_problem(run)
    if problem:
        raise ConfigError(problem)
    device = device_key(RunConfig.from_dict(run["config"]))
    for busy_id, busy_device in controller.active_runs():
        if busy_device == device:
            raise ConfigError(f"Run #{busy_id} is training on {device}: resume run #{run_id} "
                              f"when it has ended, or stop run #{busy_id} first.")
    controller.start(run_id, device, resume=True)
    return f"Run #{run_id} continues from its last checkpoint on {device}."
