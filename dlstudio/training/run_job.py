"""One run from config to stored result: what the CLI, the GUI worker and sweeps call.

``create_run`` checks everything a user can get wrong (data file, columns, plugin,
device) before a row exists, so a bad config never leaves a run behind.
``execute_run`` opens its own store connection (it may run on a worker thread), trains,
records and marks the row with the outcome; a crash stores the traceback.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import traceback
from pathlib import Path
from typing import Callable, Sequence

from dlstudio import reproducibility
from dlstudio.config import RunConfig
from dlstudio.data import load_dataset, make_splits
from dlstudio.data.dataset import DataSplits
from dlstudio.data.streamed_splits import StreamedSplits, stream_splits
from dlstudio.errors import ConfigError
from dlstudio.store import MetricWriter, Store
from dlstudio.store.faults import storage_problem
from dlstudio.store.paths import run_checkpoint_dir
from dlstudio.training import checkpoints
from dlstudio.training.device import resolve_device
from dlstudio.training.events import Event, RunEnded
from dlstudio.training.model_checks import check_device_settings, check_model
from dlstudio.training.placement import streams
from dlstudio.training.recorder import MetricRecorder
from dlstudio.training.resources import ResourceMonitor

log = logging.getLogger(__name__)


def load_splits(config: RunConfig) -> DataSplits | StreamedSplits:
    """The run's dataset, split by its seed and standardized on the train split: whole
    in memory, or streamed when it does not fit (the rule is ``placement``'s)."""
    if streams(config, resolve_device(config.train.device)):
        return stream_splits(load_dataset(config.data, mapped=True), config.split,
                             config.train.seed)
    return make_splits(load_dataset(config.data), config.split, config.train.seed)


def check_config(config: RunConfig) -> DataSplits | StreamedSplits:
    """Raise ``ConfigError`` for anything that would fail at start; return the splits."""
    splits = load_splits(config)
    device = resolve_device(config.train.device)
    check_device_settings(config, device)
    if config.model.name == "cnn" and splits.dataset.image_shape is None:
        raise ConfigError("model.name: cnn needs image data; use data.name=digits with "
                          "data.images=true, or an npz file whose X holds images "
                          "(N, C, H, W), (N, H, W, C) or (N, H, W)")
    check_model(config, splits, device)
    return splits


def create_run(store: Store, config: RunConfig, *, name: str = "", status: str = "queued",
               sweep_id: int | None = None, trial_id: int | None = None) -> int:
    """Validate deeply, then add the run row; returns its id."""
    check_config(config)
    return store.create_run(config.to_dict(), name=name or config.name, status=status,
                            sweep_id=sweep_id, trial_id=trial_id)


def checkpoint_dir_for(db_path: Path, run_id: int, root: str | Path | None = None) -> Path:
    """Checkpoints live beside the database, ``<db>-checkpoints/run-<id>/``, or under
    ``root`` (a sweep's folder shared by the nodes of a cluster): ``<root>/run-<id>/``."""
    return run_checkpoint_dir(db_path, run_id) if root is None else Path(root) / f"run-{run_id}"


def run_environment(config: RunConfig) -> dict:
    """What reproducing a built-in run needs: versions, git state of the plugin's folder
    (else of the working folder), command line, and hashes of its data and plugin files."""
    data = [config.data.path] if config.data.name in ("csv", "npz") and config.data.path else []
    plugin = [config.model.plugin] if config.model.name == "plugin" and config.model.plugin else []
    return reproducibility.collect(code=plugin[0] if plugin else None, data_files=data,
                                   plugin_files=plugin)


def execute_run(db_path: Path, run_id: int, *, subscribers: Sequence[Callable[[Event], None]] = (),
                stop: threading.Event | None = None, pause: threading.Event | None = None,
                resume: bool = False, init_from: Path | None = None,
                on_resources: Callable[[dict[str, float]], None] | None = None,
                checkpoint_root: str | Path | None = None) -> RunEnded:
    """Train run ``run_id`` of the database at ``db_path`` and record everything.

    ``resume`` continues from the run's own last checkpoint (from epoch 0 when it was
    stopped before writing one); ``init_from`` continues from another run's checkpoint
    (a promoted sweep trial) and trains up to this run's ``train.epochs``.
    ``checkpoint_root``: see ``checkpoint_dir_for``.
    """
    with Store(db_path) as store:
        run = store.get_run(run_id)
        config = RunConfig.from_dict(run["config"])
        directory = checkpoint_dir_for(db_path, run_id, checkpoint_root)
        store.set_checkpoint_dir(run_id, directory)
        store.start_run(run_id)
        store.set_environment(run_id, run_environment(config))
        writer = MetricWriter(store)
        try:
            ended = _train(store, writer, run_id, config, directory, subscribers, stop, pause,
                           resume, init_from, on_resources)
            writer.close()
        except Exception as exc:  # any failure must end up on the row, not in the void
            ended = _record_failure(store, writer, run_id, db_path, exc)
            for subscriber in subscribers:
                subscriber(ended)
            return ended
        except BaseException:  # a second Ctrl+C: no clean stop, but no run left "running"
            writer.discard()
            store.end_run(run_id, "interrupted", {}, error="interrupted: aborted by the user")
            raise
        store.end_run(run_id, ended.status, ended.summary)
        return ended


def _record_failure(store: Store, writer: MetricWriter, run_id: int, db_path: Path,
                    exc: Exception) -> RunEnded:
    """Mark the run failed with a readable error; a storage fault (full disk, read-only
    file) is one sentence naming the file, anything else keeps its traceback."""
    problem = storage_problem(exc, db_path)
    message = problem or f"{type(exc).__name__}: {exc}"
    detail = problem or traceback.format_exc()
    if problem:
        writer.discard()  # the points cannot be written; trying again only fails again
    else:
        try:
            writer.close()
        except (sqlite3.Error, OSError) as flush_error:
            writer.discard()
            log.warning("run %s: buffered points lost: %s", run_id, flush_error)
    try:
        store.end_run(run_id, "failed", {}, error=detail)
    except (sqlite3.Error, OSError, ConfigError) as row_error:
        # Even the status cannot be written (the disk is still full): say so; the next
        # process that opens the file marks the run interrupted.
        message += (f"; the run's status could not be recorded either "
                    f"({storage_problem(row_error, db_path) or row_error})")
    return RunEnded(status="failed", error=message)


def start_point(directory: Path, resume: bool, init_from: Path | None) -> Path | None:
    """The checkpoint a run starts from: its own last one (``resume``; None when it
    stopped before writing one, so it starts over), another run's (``init_from``), or
    None (from scratch)."""
    if resume:
        last = directory / checkpoints.LAST
        return last if last.is_file() else None
    return init_from


def train_config(config: RunConfig, directory: Path, start_from: Path | None,
                 subscribers: Sequence[Callable[[Event], None]],
                 stop: threading.Event | None = None, pause: threading.Event | None = None,
                 on_resources: Callable[[int, int, float, dict[str, float]], None] | None = None,
                 on_loaded: Callable[[int], None] | None = None) -> RunEnded:
    """Train ``config`` from ``start_from`` (a checkpoint, or None), checkpointing into
    ``directory``; no store: events go to ``subscribers`` and resource samples to
    ``on_resources``. ``on_loaded(step)`` is called once a checkpoint is loaded."""
    from dlstudio.training.trainer import Trainer

    splits = load_splits(config)
    trainer = Trainer(config, splits, stop=stop, pause=pause, checkpoint_dir=directory)
    if start_from is not None:
        if not Path(start_from).is_file():
            raise ConfigError(f"checkpoint {start_from}: not found; the run cannot be resumed")
        trainer.load(Path(start_from))
        if on_loaded is not None:
            on_loaded(trainer.step)
    monitors = [] if on_resources is None else [ResourceMonitor(on_resources, trainer.device)]
    trainer.subscribers = [*monitors, *subscribers]
    return trainer.run()


def _train(store, writer, run_id, config, directory, subscribers, stop, pause, resume,
           init_from, on_resources) -> RunEnded:
    def record_resources(step: int, epoch: int, elapsed: float, sample: dict[str, float]) -> None:
        for key, value in sample.items():
            writer.add(run_id, key, step, epoch, value, elapsed)
        if on_resources is not None:
            on_resources(sample)

    start_from = start_point(directory, resume, init_from)
    if resume and start_from is None:
        # Stopped or killed before its first checkpoint: the run starts over, and the
        # points of the attempt that got lost go.
        store.delete_metrics_after(run_id, -1)
    # Steps after the checkpoint were recorded by the interrupted attempt; they are
    # trained again, so their old points go.
    return train_config(config, directory, start_from,
                        [MetricRecorder(writer, run_id), *subscribers], stop, pause,
                        on_resources=record_resources,
                        on_loaded=lambda step: store.delete_metrics_after(run_id, step))
