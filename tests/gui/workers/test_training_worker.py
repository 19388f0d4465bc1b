"""The worker side: batching of events, the worker's body, a session through its thread."""

from __future__ import annotations

import threading

import numpy as np

from tests.gui.helpers import FAST, read_store

from dlstudio.config import RunConfig
from dlstudio.gui.workers.event_bridge import MetricBatcher
from dlstudio.gui.qt_compat import leaks_references
from dlstudio.training.events import EpochEvent, RunEnded, StepEvent


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def step(n: int, momentum=None) -> StepEvent:
    return StepEvent(step=n, epoch=1, loss=1.0 / n, lr=0.1, time=n * 0.001, momentum=momentum)


def test_batcher_emits_at_most_max_rate_and_keeps_every_point():
    clock, batches = FakeClock(), []
    batcher = MetricBatcher(batches.append, max_rate=30, clock=clock)
    for n in range(1, 1001):  # 1000 steps in one simulated second
        clock.now = n / 1000
        batcher(step(n))
    batcher.flush()
    assert len(batches) <= 31
    steps = np.concatenate([batch["steps"]["step"] for batch in batches])
    np.testing.assert_array_equal(steps, np.arange(1, 1001))
    assert np.isnan(batches[0]["steps"]["momentum"]).all()


def test_batcher_flushes_at_once_when_paused_and_ignores_other_events():
    clock, batches, pause = FakeClock(), [], threading.Event()
    batcher = MetricBatcher(batches.append, max_rate=30, pause=pause, clock=clock)
    batcher(step(1))
    assert batches == []
    pause.set()
    batcher(step(2, momentum=0.9))
    assert len(batches) == 1 and list(batches[0]["steps"]["step"]) == [1, 2]
    batcher(RunEnded(status="finished"))
    batcher.flush()  # nothing pending: nothing emitted
    assert len(batches) == 1


def test_batcher_carries_epoch_columns():
    batches = []
    batcher = MetricBatcher(batches.append, max_rate=1e9)
    batcher(EpochEvent(epoch=1, step=16, train_loss=1.0, train_metric=0.5, dev_loss=1.1,
                       dev_metric=0.4, time=0.2, lr=0.01))
    epochs = batches[0]["epochs"]
    assert batches[0]["steps"] is None
    assert epochs["dev_metric"][0] == 0.4 and epochs["step"][0] == 16


def test_worker_body_runs_synchronously(db_path):
    """The worker's run() called directly in the test thread, before any QThread."""
    from dlstudio.gui.workers.training_worker import TrainingWorker
    from dlstudio.training.run_job import create_run

    with read_store(db_path) as store:
        run_id = create_run(store, RunConfig.from_dict(FAST))
    worker = TrainingWorker(db_path, run_id)
    started, batches, ended, finished = [], [], [], []
    worker.run_started.connect(lambda _run_id, info: started.append(info))
    worker.points_batched.connect(lambda _run_id, batch: batches.append(batch))
    worker.run_ended.connect(lambda _run_id, end: ended.append(end))
    worker.finished.connect(lambda: finished.append(True))
    worker.run()
    assert started[0]["steps_per_epoch"] > 0
    assert ended[0]["status"] == "finished" and finished == [True]
    steps = np.concatenate([b["steps"]["step"] for b in batches if b["steps"] is not None])
    with read_store(db_path) as store:
        np.testing.assert_array_equal(steps, store.read_curve(run_id, "loss")["step"])


def test_session_reports_through_the_bridge_and_joins(qtbot, db_path, no_dangling_qthreads):
    from dlstudio.gui.workers.training_worker import TrainingSession
    from dlstudio.training.run_job import create_run

    with read_store(db_path) as store:
        run_id = create_run(store, RunConfig.from_dict(FAST))
    session = TrainingSession(db_path, run_id)
    points = []
    session.bridge.points_arrived.connect(lambda rid, batch: points.append(batch))
    with qtbot.waitSignal(session.run_finished, timeout=30_000) as blocker:
        session.start()
    assert blocker.args[0] == run_id and blocker.args[1]["status"] == "finished"
    assert session.done and session.thread is None
    assert sum(len(b["steps"]["step"]) for b in points if b["steps"] is not None) > 0
    session.shutdown()  # harmless once done


def test_worker_reports_a_missing_run_as_failed(qtbot, db_path):
    from dlstudio.gui.workers.training_worker import TrainingSession

    with read_store(db_path):
        pass  # creates the file
    session = TrainingSession(db_path, 12345)
    with qtbot.waitSignal(session.run_finished, timeout=10_000) as blocker:
        session.start()
    assert blocker.args[1]["status"] == "failed"
    assert "12345" in blocker.args[1]["error"]


def test_reference_leak_workaround_holds():
    import sys

    from PySide6.QtCore import QObject

    probe = QObject()
    for _ in range(20_000):
        probe.setObjectName("x")
    assert sys.getrefcount(None) > 0
    assert isinstance(leaks_references(), bool)
