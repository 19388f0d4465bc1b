"""The ``ray`` executor: each run is a Ray task with the sweep's CPUs and GPUs per trial.

The driver (this process) connects to the cluster at ``executor.address`` or starts a
local Ray instance, and stays the only writer of the database: a task trains with
``train_config`` (no store), streams its events back in batches through a
``ray.util.queue.Queue`` and follows the sweep's stop and pause through a small flags
actor; the driver records the stream (``StreamedRun``) and re-sends it to the sweep's
subscribers, so the app watches a Ray trial like a local one. Checkpoints go to the
sweep's checkpoint folder, which every node must reach, so a promoted trial starts from
its earlier trial's checkpoint on whichever node Ray puts it.

A task whose worker process or node dies raises a Ray system error here: its run ends
``interrupted`` and the runner continues it from its last checkpoint. A task puts its
events into the queue, and waits for the queue to hold them, before it writes a
checkpoint, so a resumed run never lacks the points before its checkpoint.

Ray is imported in this module only, and only once a Ray sweep runs.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.search.executor_spec import ExecutorSpec
from dlstudio.training.events import EpochEvent, Event, RunEnded, RunStarted, StepEvent
from dlstudio.training.run_job import checkpoint_dir_for, start_point, train_config
from dlstudio.training.sweeps.events import RunEvent, TrialPlaced
from dlstudio.training.sweeps.executors import RAY_MISSING, ExecutorContext
from dlstudio.training.sweeps.executors.streamed_run import StreamedRun
from dlstudio.training.sweeps.jobs import Job

SEND_SECONDS = 0.25  # a task sends its events at least this often (the live view's lag)
FLAG_SECONDS = 0.25  # and reads the sweep's stop and pause this often


def import_ray() -> Any:
    """The ``ray`` module, or ConfigError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ConfigError(RAY_MISSING) from None
    return ray


def connect(spec: ExecutorSpec) -> Any:
    """Connect to ``spec.address``, or start a local Ray instance with this machine's
    CPUs; a process already connected stays on its cluster. Returns the module."""
    ray = import_ray()
    if spec.address:
        check_reachable(spec.address)
    if ray.is_initialized():
        return ray
    try:
        if spec.address:
            ray.init(address=spec.address, logging_level=logging.WARNING)
        else:
            ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False,
                     logging_level=logging.WARNING)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = spec.address or "a local instance"
        lines = str(exc).strip().strip("'\"").splitlines() or [repr(exc)]
        raise ConfigError(f"executor.address: cannot start Ray on {where}: {lines[0]}") \
            from None
    return ray


def check_reachable(address: str) -> None:
    """ConfigError at once when nothing listens at a ``host:port`` address (Ray itself
    retries for minutes); ``auto`` and ``ray://`` addresses are left to Ray."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address:
        return
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise ConfigError(f"executor.address: nothing answers at {address} "
                          f"({exc.strerror or exc}); start the cluster there with  "
                          f"ray start --head --port={port}") from None


def check_resources(ray: Any, spec: ExecutorSpec) -> None:
    """ConfigError when no live node has the CPUs and GPUs a trial asks for: Ray would
    keep such a task waiting forever (a cluster that adds nodes on demand is not
    foreseen)."""
    nodes = [node["Resources"] for node in ray.nodes() if node.get("Alive")]
    if any(r.get("CPU", 0) >= spec.cpus_per_trial and r.get("GPU", 0) >= spec.gpus_per_trial
           for r in nodes):
        return
    cpus = max((r.get("CPU", 0) for r in nodes), default=0)
    gpus = max((r.get("GPU", 0) for r in nodes), default=0)
    raise ConfigError(f"executor: a trial asks for {spec.cpus_per_trial:g} CPUs and "
                      f"{spec.gpus_per_trial:g} GPUs (cpus_per_trial, gpus_per_trial), but no "
                      f"node of the Ray cluster has them; the largest has {cpus:g} CPUs and "
                      f"{gpus:g} GPUs")


class RayExecutor:
    """Runs jobs as Ray tasks; records what they stream back (see the module docstring)."""

    def __init__(self, spec: ExecutorSpec, context: ExecutorContext):
        self.spec = spec
        self.context = context
        self._ray = ray = connect(spec)
        check_resources(ray, spec)
        from ray.util.queue import Queue

        self._queue = Queue(actor_options={"num_cpus": 0})
        self._flags = ray.remote(_Flags).options(num_cpus=0).remote()
        self._sent_flags = (False, False)
        self._task = ray.remote(_train_task).options(
            num_cpus=spec.cpus_per_trial, num_gpus=spec.gpus_per_trial, max_retries=0)
        self._running: dict[Any, tuple[Job, StreamedRun]] = {}  # ObjectRef -> its job
        self._streams: dict[int, tuple[Job, StreamedRun]] = {}  # by run id

    @property
    def running(self) -> int:
        return len(self._running)

    def submit(self, job: Job) -> None:
        c = self.context
        # Absolute: a worker's working folder is not the driver's.
        directory = checkpoint_dir_for(c.db_path, job.run_id, c.checkpoints).resolve()
        start_from = start_point(directory, job.resume, job.init_from)
        config = c.store.get_run(job.run_id)["config"]
        stream = StreamedRun(c.store, job.run_id, directory, self._forwarder(job))
        self._streams[job.run_id] = (job, stream)
        ref = self._task.remote(job.run_id, config, str(directory),
                                None if start_from is None else str(Path(start_from).resolve()),
                                self._queue, self._flags)
        self._running[ref] = (job, stream)

    def finished(self, timeout: float) -> Iterator[tuple[Job, RunEnded]]:
        self._send_flags()
        ready, _ = self._ray.wait(list(self._running), num_returns=1, timeout=timeout)
        self.drain()  # after the wait: a task that ended has put all its events
        for ref in ready:
            job, stream = self._running.pop(ref)
            ended, detail = self._outcome(ref)
            stream.end(ended, detail)
            self._streams.pop(job.run_id, None)
            yield job, ended

    def settle(self) -> Iterator[tuple[Job, RunEnded]]:
        while self._running:
            yield from self.finished(FLAG_SECONDS)

    def close(self) -> None:
        for actor in (self._queue.actor, self._flags):
            self._ray.kill(actor)

    def _outcome(self, ref: Any) -> tuple[RunEnded, str]:
        exceptions = self._ray.exceptions
        try:
            return self._ray.get(ref)
        except exceptions.RayTaskError as exc:  # the task's own code, outside training
            return RunEnded("failed", error=f"Ray task failed: {_first_line(exc)}"), str(exc)
        except exceptions.RayError as exc:  # its worker process or its node died
            return (RunEnded("interrupted", error=f"Ray worker lost: {type(exc).__name__}"),
                    str(exc))

    def _forwarder(self, job: Job) -> Callable[[Event], None]:
        c, trial_id = self.context, (job.trial.id if job.trial is not None else None)

        def forward(event: Event) -> None:
            c.notify(RunEvent(c.sweep_id, job.run_id, trial_id, event))

        return forward

    def _send_flags(self) -> None:
        flags = (self.context.stop.is_set(), self.context.pause.is_set())
        if flags != self._sent_flags:
            self._flags.set.remote(*flags)
            self._sent_flags = flags

    def drain(self) -> None:
        """Record what the tasks have streamed so far (also called by ``finished``)."""
        waiting = self._queue.qsize()
        if not waiting:
            return
        for run_id, kind, payload in itertools.chain.from_iterable(
                self._queue.get_nowait_batch(waiting)):
            if run_id not in self._streams:  # a late message of an attempt already settled
                continue
            job, stream = self._streams[run_id]
            if kind == "step":
                stream.event(StepEvent(*payload))
            elif kind == "event":
                stream.event(payload)
            elif kind == "resources":
                stream.resources(*payload)
            elif kind == "placed":
                trial_id = job.trial.id if job.trial is not None else None
                self.context.notify(TrialPlaced(self.context.sweep_id, run_id, trial_id,
                                                *payload))


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(exc).__name__


# -- the worker side ---------------------------------------------------------------------
class _Flags:
    """A Ray actor holding the sweep's (stop, pause), set by the driver, read by tasks."""

    def __init__(self) -> None:
        self._value = (False, False)

    def set(self, stop: bool, pause: bool) -> None:
        self._value = (stop, pause)

    def get(self) -> tuple[bool, bool]:
        return self._value


class _Outbox:
    """A trainer subscriber in the task: batches events into the driver's queue."""

    def __init__(self, queue: Any, run_id: int):
        self.queue = queue
        self.run_id = run_id
        self._items: list[tuple[int, str, Any]] = []
        self._sent = time.monotonic()

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepEvent):  # most of the stream: a plain tuple pickles ~10x
            self._items.append((self.run_id, "step", (  # faster than a slots dataclass
                event.step, event.epoch, event.loss, event.lr, event.time, event.momentum)))
        else:
            self._items.append((self.run_id, "event", event))
        # A checkpoint is written right after its epoch event: its points go first.
        urgent = isinstance(event, (RunStarted, RunEnded)) or \
            (isinstance(event, EpochEvent) and event.checkpoint)
        if urgent or time.monotonic() - self._sent >= SEND_SECONDS:
            self.flush()

    def resources(self, step: int, epoch: int, elapsed: float,
                  sample: dict[str, float]) -> None:
        self._items.append((self.run_id, "resources", (step, epoch, elapsed, sample)))

    def send(self, kind: str, payload: Any) -> None:
        self._items.append((self.run_id, kind, payload))
        self.flush()

    def flush(self) -> None:
        if self._items:
            self.queue.put(self._items)  # waits until the queue actor holds them
            self._items = []
        self._sent = time.monotonic()


def _follow_flags(flags: Any, stop: threading.Event, pause: threading.Event,
                  done: threading.Event) -> None:
    import ray

    while not done.wait(FLAG_SECONDS):
        try:
            stopping, pausing = ray.get(flags.get.remote())
        except ray.exceptions.RayError:  # the driver is gone: nobody will record the rest
            stopping, pausing = True, False
        for event, value in ((stop, stopping), (pause, pausing)):
            event.set() if value else event.clear()


def _train_task(run_id: int, config: dict[str, Any], directory: str, start_from: str | None,
                queue: Any, flags: Any) -> tuple[RunEnded, str]:
    """The Ray task: train one run, streaming to ``queue``; returns (ended, traceback)."""
    import ray

    outbox = _Outbox(queue, run_id)
    outbox.send("placed", (ray.util.get_node_ip_address(), os.getpid()))
    stop, pause, done = threading.Event(), threading.Event(), threading.Event()
    threading.Thread(target=_follow_flags, args=(flags, stop, pause, done), daemon=True,
                     name=f"flags-run-{run_id}").start()
    detail = ""
    try:
        ended = train_config(RunConfig.from_dict(config), Path(directory),
                             None if start_from is None else Path(start_from), [outbox],
                             stop, pause, on_resources=outbox.resources)
    except Exception as exc:  # any failure must reach the run's row, as a local run's does
        ended = RunEnded(status="failed", error=f"{type(exc).__name__}: {exc}")
        detail = traceback.format_exc()
        outbox(ended)
    finally:
        done.set()
    outbox.flush()
    return ended, detail
