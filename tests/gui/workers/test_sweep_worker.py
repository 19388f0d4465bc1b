"""The sweep worker: batching without loss, its body run synchronously, then its thread."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt, Slot

from dlstudio.gui.workers.sweep_worker import SweepEventBatcher, SweepSession, SweepWorker
from dlstudio.search import Trial
from dlstudio.store import Store
from dlstudio.training.events import EpochEvent, StepEvent
from dlstudio.training.sweeps.events import RunEvent, SweepEnded, TrialFinished, TrialStarted
from dlstudio.training.sweeps.setup import create_sweep

BASE = {"data": {"name": "digits"}, "model": {"hidden": [16]},
        "train": {"device": "cpu", "batch_size": 64, "epochs": 1}}
RANDOM_3 = {"method": "random", "metric": {"name": "dev_loss"}, "budget": {"trials": 3},
            "parameters": {"optim.lr": {"distribution": "log_uniform_values",
                                        "min": 1e-3, "max": 3e-2}}, "base": BASE}


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def step(run_id: int, n: int) -> RunEvent:
    return RunEvent(1, run_id, 0, StepEvent(step=n, epoch=1, loss=1.0 / n, lr=0.1, time=n))


def test_batcher_keeps_every_point_and_event_in_order_at_a_bounded_rate():
    batches, clock = [], FakeClock()
    batcher = SweepEventBatcher(batches.append, max_rate=10, clock=clock)
    trial = Trial(id=0, config={"optim.lr": 0.1}, epochs=1)
    batcher(TrialStarted(1, trial, 7, 0, False))
    for n in range(1, 101):  # 100 steps within 0.05 s: no emit yet
        clock.now = n * 0.0005
        batcher(step(7, n))
    assert batches == []
    clock.now = 0.2
    batcher(RunEvent(1, 7, 0, EpochEvent(1, 100, 0.5, 0.9, 0.4, 0.8, 0.2)))
    batcher(TrialFinished(1, 0, 7, 0.4, "finished"))  # within the interval: held back
    assert len(batches) == 1
    batcher.close()
    assert [e["type"] for b in batches for e in b["events"]] == ["TrialStarted", "TrialFinished"]
    steps = batches[0]["curves"][7]["steps"]
    assert np.array_equal(steps["step"], np.arange(1, 101))
    assert batches[0]["curves"][7]["epochs"]["dev_loss"].tolist() == [0.4]
    assert batches[0]["events"][0]["trial"]["config"] == {"optim.lr": 0.1}
    batcher.flush_if_due()  # closed: nothing more
    assert len(batches) == 2


def test_flush_if_due_carries_out_what_a_paused_sweep_left():
    batches, clock = [], FakeClock()
    batcher = SweepEventBatcher(batches.append, max_rate=30, clock=clock)
    batcher(SweepEnded(1, "paused", None))
    batcher.flush_if_due()
    assert batches == []  # not due yet
    clock.now = 1.0
    batcher.flush_if_due()
    assert batches[0]["events"][0]["status"] == "paused"


class Recorder(QObject):
    """GUI-thread receiver of worker or session signals (bound slots, never lambdas)."""

    def __init__(self):
        super().__init__()
        self.batches, self.summaries, self.failures, self.ended = [], [], [], []

    @Slot(object)
    def on_batch(self, batch):
        self.batches.append(batch)

    @Slot(object)
    def on_summary(self, summary):
        self.summaries.append(summary)

    @Slot(str)
    def on_failure(self, message):
        self.failures.append(message)

    @Slot(int)
    def on_ended(self, sweep_id):
        self.ended.append(sweep_id)


def make_sweep(db_path, spec=RANDOM_3) -> int:
    with Store(db_path) as store:
        return create_sweep(store, spec)


def test_worker_body_runs_the_sweep_synchronously(qapp, db_path):
    sweep_id = make_sweep(db_path)
    worker, recorder = SweepWorker(db_path, sweep_id), Recorder()
    # Queued, as the session connects it: batches come from the runner's pool threads
    # too, and only a queue keeps them in the order they were emitted.
    worker.batched.connect(recorder.on_batch, Qt.ConnectionType.QueuedConnection)
    worker.sweep_returned.connect(recorder.on_summary)
    worker.run()
    qapp.processEvents()
    assert recorder.summaries[0]["status"] == "finished"
    events = [e["type"] for b in recorder.batches for e in b["events"]]
    assert events[0] == "SweepStarted" and events[-1] == "SweepEnded"
    assert events.count("TrialFinished") == 3
    runs = {run_id for b in recorder.batches for run_id in b["curves"]}
    assert runs == {t["run_id"] for t in recorder.summaries[0]["trials"]}


def test_worker_reports_a_sweep_it_cannot_run(qapp, db_path):
    sweep_id = make_sweep(db_path)
    with Store(db_path) as store:
        from dlstudio.training.sweeps.setup import cancel_sweep

        cancel_sweep(store, sweep_id)
    worker, recorder = SweepWorker(db_path, sweep_id), Recorder()
    worker.sweep_failed.connect(recorder.on_failure)
    worker.run()
    assert "cancelled" in recorder.failures[0]


def test_session_runs_on_its_thread_and_ends_after_it(qtbot, db_path):
    sweep_id = make_sweep(db_path)
    session, recorder = SweepSession(db_path, sweep_id), Recorder()
    session.batch_received.connect(recorder.on_batch)
    session.sweep_returned.connect(recorder.on_summary)
    with qtbot.waitSignal(session.session_ended, timeout=30_000):
        session.start()
    assert session.done and session.thread is None
    assert recorder.summaries[0]["status"] == "finished"
    assert sum(e["type"] == "TrialFinished" for b in recorder.batches for e in b["events"]) == 3


def test_shutdown_stops_and_joins_leaving_the_sweep_resumable(qtbot, db_path):
    long = {**RANDOM_3, "base": {**BASE, "train": {**BASE["train"], "epochs": 200,
                                                    "batch_size": 16}}}
    sweep_id = make_sweep(db_path, long)
    session, recorder = SweepSession(db_path, sweep_id), Recorder()
    session.batch_received.connect(recorder.on_batch)
    session.start()
    qtbot.waitUntil(lambda: any(b["curves"] for b in recorder.batches), timeout=30_000)
    session.shutdown()
    assert not session.thread.isRunning()
    with Store(db_path) as store:
        assert store.get_sweep(sweep_id)["status"] == "paused"


def test_a_runner_that_cannot_be_imported_is_a_failed_sweep_and_the_worker_finishes(
        qapp, db_path, monkeypatch):
    import sys

    sweep_id = make_sweep(db_path)
    # As in a broken installation: the runner's module cannot be imported.
    monkeypatch.setitem(sys.modules, "dlstudio.training.sweeps.runner", None)
    worker, recorder = SweepWorker(db_path, sweep_id), Recorder()
    worker.sweep_failed.connect(recorder.on_failure)
    finished = []
    worker.finished.connect(lambda: finished.append(True))
    worker.run()
    assert finished == [True]  # the thread quits, so the session ends
    assert "dlstudio.training.sweeps.runner" in recorder.failures[0]
