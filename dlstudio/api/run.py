"""``start_run`` and ``Run``: a run that the user's own training loop writes.

A ``Run`` is an ordinary row of the runs table (status ``running``, owner pid and host,
a free-form config), so every reader (the CLI, the app, exports) shows it like a run
dlstudio trained. If the process is killed outright the row stays ``running`` and the
next reader that opens the database finds its process gone and marks it
``interrupted``, exactly as for built-in runs.
"""

from __future__ import annotations

import atexit
import dataclasses
import operator
import os
import shutil
import sys
import threading
import time
from time import monotonic as _monotonic
import traceback
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from dlstudio import reproducibility
from dlstudio.api.buffer import MetricBuffer
from dlstudio.api.system_monitor import SystemMonitor
from dlstudio.errors import ConfigError
from dlstudio.store import Store, codec, resolve_db_path
from dlstudio.store.paths import run_checkpoint_dir
from dlstudio.reproducibility import API_MARK
from dlstudio.store.schema import MEMORY

END_STATUSES = ("finished", "stopped", "failed", "diverged")


def start_run(config: Mapping[str, Any] | Any = None, name: str = "",
              tags: Iterable[str] | str = (), db: str | Path | None = None, *,
              notes: str = "", data_files: Iterable[str | Path] = (),
              flush_interval: float = 0.5, system_metrics: bool = True,
              resume: int | None = None) -> Run:
    """Start recording a run; use it as a context manager or call ``finish()``.

    ``config``: any JSON-ready mapping (``{"lr": 3e-4, "model": "resnet18"}``), a
    dataclass or an ``argparse.Namespace``. ``db``: the database file, chosen as the CLI
    does (``--db``, then ``$DLSTUDIO_DB``, then the user data folder). ``data_files``:
    files whose SHA-256 is recorded with the run, so a changed input shows.
    ``flush_interval``: seconds between background writes of logged points (at most 1).
    ``system_metrics``: sample CPU, RAM and (once the script uses CUDA) GPU use every 2 s
    as ``sys.*`` metrics, and record CPU time and GPU peaks in the summary at the end.
    ``resume``: the id of a run a script logged earlier (killed, stopped, failed or
    finished) to go on recording into: its steps continue after ``run.last_step``, its
    clock after its last point, and ``run.dir`` holds what it saved. A config given must
    be the run's own; tags are added, a name or notes given replace its own.

    Raises ``ConfigError`` for a config that cannot be stored, an empty tag, or a
    database that cannot be used; with ``resume``, for a run that is not there, still
    runs, was not logged by a script, or whose config differs.
    """
    if not 0 < flush_interval <= 1:
        raise ConfigError(f"flush_interval: got {flush_interval!r}, expected seconds in (0, 1]")
    path = resolve_db_path(None if db is None else str(db))
    if str(path) == MEMORY:
        raise ConfigError("db: ':memory:' cannot be shared with the background writer; "
                          "give a file path")
    settings = _config_dict(config)
    tag_list = [tags] if isinstance(tags, str) else list(tags)
    environment = ({**reproducibility.collect(code=_main_script(), data_files=data_files),
                    API_MARK: "dlstudio.start_run"} if resume is None else {})
    store = Store(path)
    try:
        buffer = MetricBuffer(path, interval=flush_interval)
        try:
            with store.transaction():  # checked and claimed in one: two resumes, one wins
                if resume is None:
                    run_id = store.create_run(settings, name=name)
                    store.set_checkpoint_dir(run_id, run_checkpoint_dir(path, run_id))
                    store.set_environment(run_id, environment)
                else:
                    _check_resumable(store, resume, settings if config is not None else None)
                    run_id = resume
                    if name:
                        store.rename_run(run_id, name)
                for tag in tag_list:
                    store.add_tag(run_id, tag)
                if notes:
                    store.set_notes(run_id, notes)
                store.start_run(run_id)
        except BaseException:
            buffer.close()
            raise
    except BaseException:
        store.close()
        raise
    return Run(store, buffer, run_id, system_metrics)


def _check_resumable(store: Store, run_id: int, settings: dict[str, Any] | None) -> None:
    run = store.get_run(run_id)
    maker = reproducibility.made_by(run.get("environment") or {})
    if maker != "script":
        how = (f"continue it with  dlstudio resume {run_id}" if maker in ("dlstudio", "")
               else "an imported run cannot be continued")
        raise ConfigError(f"resume: run {run_id} was not logged by a script; {how}")
    if run["status"] == "running":
        raise ConfigError(f"resume: run {run_id} is still running (process "
                          f"{run.get('owner_pid')} on {run.get('owner_host')})")
    if settings is not None and settings != run["config"]:
        keys = sorted(key for key in {*settings, *run["config"]}
                      if settings.get(key) != run["config"].get(key))
        raise ConfigError(f"resume: the config differs from run {run_id}'s at "
                          f"{', '.join(keys)}; resume with the run's own config, or start "
                          "a new run")


class Run:
    """One run being recorded. Log from any thread; use ``summary``, ``finish``,
    ``save_checkpoint`` and ``log_artifact`` from the thread that started it."""

    def __init__(self, store: Store, buffer: MetricBuffer, run_id: int,
                 system_metrics: bool = False):
        self._store = store
        self._buffer = buffer
        self.id: int = run_id
        self.name: str = store.get_run(run_id)["name"]
        self.db_path: Path = store.path
        self.dir: Path = run_checkpoint_dir(store.path, run_id)
        self.summary = RunSummary(store, run_id)
        self.status = "running"
        # A resumed run goes on after its last point: steps, epoch and clock.
        step, epoch, elapsed = store.last_position(run_id) or (-1, 0, 0.0)
        self._started = time.monotonic() - elapsed
        self._step = step
        self._epoch = epoch
        self._pid = os.getpid()
        self._monitor = SystemMonitor(run_id, self._position) if system_metrics else None
        buffer.monitor = self._monitor
        _OPEN_RUNS.add(self)
        _install_exit_hooks()

    def __repr__(self) -> str:
        return f"Run(id={self.id}, name={self.name!r}, status={self.status!r})"

    @property
    def last_step(self) -> int:
        """The step of the last point logged (-1 before any): where a resumed run was."""
        return self._step

    def _position(self) -> tuple[int, int, float]:
        """(step, epoch, seconds since the start) where a point made now belongs."""
        return max(self._step, 0), self._epoch, _monotonic() - self._started

    # -- logging -------------------------------------------------------------------
    def log(self, metrics: Mapping[str, Any], step: int | None = None,
            epoch: int | None = None) -> None:
        """Record metric values at ``step`` (default: the previous step + 1, from 0).

        Values are numbers or one-element tensors; NaN and infinities are stored as
        they are (a NaN reads back as NaN). ``epoch`` defaults to the last one given.
        Never waits on the disk: points are written by a background thread at least
        every ``flush_interval`` seconds and when the run finishes.
        """
        if self.status != "running":
            raise ConfigError(f"run {self.id}: already {self.status}; start a new run "
                              "to log more")
        # The hot path of a training loop: checks cost only for unusual types.
        if step is None:
            step = self._step + 1
        elif type(step) is not int:
            step = _integer("step", step)
        self._step = step
        if epoch is None:
            epoch = self._epoch
        else:
            if type(epoch) is not int:
                epoch = _integer("epoch", epoch)
            self._epoch = epoch
        elapsed = _monotonic() - self._started
        run_id = self.id
        rows: list[tuple] = []
        tensors: list[int] = []
        for key, value in metrics.items():
            if type(key) is not str or not key:
                raise ConfigError(f"run.log: metric name {key!r}: expected non-empty text")
            kind = type(value)
            if kind is not float and kind is not int:
                value = _number(key, value)
                if type(value) is not float:
                    tensors.append(len(rows))
            rows.append((run_id, key, step, epoch, value, elapsed))
        self._buffer.add(rows, tensors)

    # -- files ---------------------------------------------------------------------
    def save_checkpoint(self, obj: Any, name: str) -> Path:
        """``torch.save(obj)`` into the run's folder as ``name`` (atomically: a crash
        mid-write leaves the previous file); returns the path."""
        import torch  # only here: logging never needs torch

        target = self.dir / _file_name("save_checkpoint", name)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        torch.save(obj, partial)
        os.replace(partial, target)
        return target

    def log_artifact(self, path: str | Path, name: str | None = None) -> Path:
        """Copy a file or folder into the run's ``artifacts/`` folder; returns the copy."""
        source = Path(path).expanduser()
        if not source.exists():
            raise ConfigError(f"log_artifact: {source}: not found")
        target = self.dir / "artifacts" / _file_name("log_artifact", name or source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
        return target

    # -- the end -------------------------------------------------------------------
    def finish(self, status: str = "finished", error: str = "") -> None:
        """Write every logged point, then mark the run ``status`` (finished, stopped,
        failed or diverged) with ``error`` as its message. A second call does nothing."""
        if status not in END_STATUSES:
            raise ConfigError(f"status: got {status!r}, expected one of "
                              f"{', '.join(END_STATUSES)}")
        if self.status != "running":
            return
        self.status = status
        _OPEN_RUNS.discard(self)
        try:
            self._buffer.close()
        except Exception as exc:
            self._store.end_run(self.id, "failed",
                                error=f"logged points could not be written: {exc}")
            self._store.close()
            raise
        if self._monitor is not None:
            # The user's own summary keys win: these are added, never overwritten.
            own = {k: v for k, v in self._monitor.summary().items() if k not in self.summary}
            if own:
                self.summary.update(own)
        self._store.end_run(self.id, status, error=error)
        self._store.close()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: Any) -> None:
        status, message = outcome(kind, error, tb)
        self.finish(status, message)


class RunSummary(MutableMapping):
    """The run's final numbers (``run.summary["test/accuracy"] = 0.93``): each change
    is stored at once, so a crash after it keeps it. Tensors become floats."""

    def __init__(self, store: Store, run_id: int):
        self._store = store
        self._run_id = run_id
        self._data: dict[str, Any] = dict(store.get_run(run_id)["summary"])

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        remaining = {k: v for k, v in self._data.items() if k != key}
        if len(remaining) == len(self._data):
            raise KeyError(key)
        self._store.replace_summary(self._run_id, remaining)
        self._data = remaining

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"RunSummary({self._data!r})"

    def update(self, other: Any = (), /, **more: Any) -> None:  # type: ignore[override]
        """Store several keys in one write."""
        changes = {str(k): _summary_value(k, v) for k, v in dict(other, **more).items()}
        self._data = self._store.update_summary(self._run_id, changes)


def outcome(kind: type[BaseException] | None, error: BaseException | None,
            tb: Any) -> tuple[str, str]:
    """The status and message a run ends with after ``error`` (None: finished)."""
    if kind is None:
        return "finished", ""
    if issubclass(kind, KeyboardInterrupt):
        return "stopped", "stopped by KeyboardInterrupt (Ctrl+C)"
    if issubclass(kind, SystemExit) and error is not None and error.code in (0, None):
        return "finished", ""
    return "failed", "".join(traceback.format_exception(kind, error, tb))


# -- values ------------------------------------------------------------------------
def _integer(name: str, value: Any) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise ConfigError(f"run.log: {name}: got {value!r}, expected a whole number") from None


def _number(key: str, value: Any) -> Any:
    """A float, or a detached one-element tensor copy (converted at the flush)."""
    if _is_tensor(value):
        if value.numel() != 1:
            raise ConfigError(f"run.log: {key!r}: got a tensor of shape {tuple(value.shape)}, "
                              "expected a single value")
        # A copy: the caller may change the tensor in place before the flush.
        return value.detach().clone()
    if isinstance(value, (str, bytes)) or not hasattr(value, "__float__"):
        raise ConfigError(f"run.log: {key!r}: got {type(value).__name__} {value!r}, "
                          "expected a number or a one-element tensor")
    return float(value)


def _summary_value(key: Any, value: Any) -> Any:
    if _is_tensor(value):
        value = value.detach().cpu().tolist()
    try:
        codec.dumps(value)
    except TypeError as exc:
        raise ConfigError(f"run.summary[{key!r}]: {exc}; expected numbers, text, lists "
                          "or dicts") from None
    return value


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _config_dict(config: Any) -> dict[str, Any]:
    if config is None:
        settings: dict[str, Any] = {}
    elif isinstance(config, Mapping):
        settings = dict(config)
    elif dataclasses.is_dataclass(config) and not isinstance(config, type):
        settings = dataclasses.asdict(config)
    elif hasattr(config, "__dict__") and not isinstance(config, type):  # argparse.Namespace
        settings = dict(vars(config))
    else:
        raise ConfigError(f"config: got {type(config).__name__}, expected a dict, a "
                          "dataclass or an argparse.Namespace")
    try:
        codec.dumps(settings)
    except TypeError as exc:
        raise ConfigError(f"config: {exc}; expected numbers, text, lists or dicts") from None
    return settings


def _file_name(what: str, name: str) -> str:
    name = str(name)
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise ConfigError(f"{what}: name {name!r}: expected a plain file name")
    return name


def _main_script() -> Path | None:
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return Path(path).resolve() if path and Path(path).is_file() else None


# -- runs left open at exit ----------------------------------------------------------
# A script that never calls finish() still ends its runs: finished when the interpreter
# exits normally, failed (with the traceback) or stopped after an uncaught exception.
_OPEN_RUNS: set[Run] = set()
_uncaught: list[tuple[Any, Any, Any]] = []
_hooks_lock = threading.Lock()
_hooks_installed = False


def _install_exit_hooks() -> None:
    global _hooks_installed
    with _hooks_lock:
        if _hooks_installed:
            return
        _hooks_installed = True
        previous = sys.excepthook

        def remember(kind, error, tb):
            _uncaught.append((kind, error, tb))
            previous(kind, error, tb)

        sys.excepthook = remember
        atexit.register(_finish_open_runs)


def _finish_open_runs() -> None:
    status, message = outcome(*_uncaught[-1]) if _uncaught else ("finished", "")
    for run in list(_OPEN_RUNS):
        if run._pid == os.getpid():  # not in a forked child (DataLoader workers)
            run.finish(status, message)
