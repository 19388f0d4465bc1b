"""Run one short computation (a call with no progress) on its own QThread.

``JobWorker`` calls the job in its thread and reports the return value or the error;
``finished`` always follows, from ``finally:``, so the thread quits. ``JobSession`` lives
in the GUI thread, receives those signals in bound slots and re-emits them there.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.workers.thread_session import ThreadSession
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


class JobSession(ThreadSession):
    """One job's thread and worker; ``session_ended`` fires after the thread ended."""

    job_done = Signal(object)
    job_failed = Signal(str)
    session_ended = Signal()

    def __init__(self, job: Callable[[], Any], name: str = "dlstudio-job",
                 parent: QObject | None = None):
        super().__init__(JobWorker(job), name, parent)  # no stop: jobs take about a second
        self.worker.result_ready.connect(self._on_result_ready)
        self.worker.failed.connect(self._on_failed)

    @Slot(object)
    def _on_result_ready(self, result: Any) -> None:
        self.job_done.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.job_failed.emit(message)

    def _thread_ended(self) -> None:
        self.session_ended.emit()
