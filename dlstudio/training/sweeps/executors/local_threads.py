"""The ``local`` executor: each run trains on a worker thread of this process."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from dlstudio.training.events import RunEnded
from dlstudio.training.sweeps.executors import ExecutorContext
from dlstudio.training.sweeps.jobs import Job, execute_job


class LocalThreads:
    """``context.workers`` threads; each run opens its own store connection."""

    def __init__(self, context: ExecutorContext):
        self.context = context
        self._pool = ThreadPoolExecutor(context.workers,
                                        thread_name_prefix=f"sweep-{context.sweep_id}")
        self._running: dict[Future, Job] = {}

    @property
    def running(self) -> int:
        return len(self._running)

    def submit(self, job: Job) -> None:
        self._running[self._pool.submit(self._execute, job)] = job

    def finished(self, timeout: float) -> Iterator[tuple[Job, RunEnded]]:
        done, _ = wait(self._running, timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            yield self._running.pop(future), future.result()

    def settle(self) -> Iterator[tuple[Job, RunEnded]]:
        for future, job in list(self._running.items()):
            if future.exception() is None:  # waits for it
                yield job, future.result()
        self._running.clear()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _execute(self, job: Job) -> RunEnded:
        c = self.context
        return execute_job(c.db_path, c.sweep_id, job, c.notify, c.stop, c.pause,
                           c.checkpoints)
