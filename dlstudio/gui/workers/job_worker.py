"""Run one short computation (a call with no progress) on its own QThread.

``JobWorker`` calls the job in its thread and reports the return value or the error;
``finished`` always follows, from ``finally:``, so the thread quits. ``JobSession`` lives
in the GUI thread; its ``job_done`` and ``job_failed`` carry them there.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.workers.worker_session import WorkerSession
from dlstudio.errors import ConfigError


class JobWorker(QObject):
    """Calls ``job()`` when ``run()`` is called on its thread."""

    result_ready = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, job: Callable[[], Any]):
        super().__init__()
        self.job = job

    @Slot()
    def run(self) -> None:
        try:
            self.result_ready.emit(self.job())
        except ConfigError as error:
            self.failed.emit("\n".join(error.problems))
        except Exception as error:  # report, never take the app down
            self.failed.emit(f"{type(error).__name__}: {error}")
        finally:
            self.finished.emit()


class JobSession(WorkerSession):
    """One job's thread and worker; ``session_ended`` fires after the thread ended."""

    job_done = Signal(object)
    job_failed = Signal(str)
    session_ended = Signal()
    relays = {"result_ready": "job_done", "failed": "job_failed"}

    def __init__(self, job: Callable[[], Any], name: str = "dlstudio-job",
                 parent: QObject | None = None):
        super().__init__(JobWorker(job), name, parent)  # no stop: jobs take about a second

    def _thread_ended(self) -> None:
        self.session_ended.emit()
