"""Metric writes (the buffered writer, threads) and curve reads (SQL downsampling)."""

from __future__ import annotations

import math
import sqlite3
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlstudio.store import MetricWriter, Store, read_curves


@pytest.fixture
def store(db_path):
    with Store(db_path) as opened:
        yield opened


def stored_count(path, run_id) -> int:
    # Through a second connection: only committed points are visible there.
    with Store(path, mark_orphans=False) as other:
        return other.read_curve(run_id, "loss")["total"]


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_writer_flushes_on_size(store):
    run_id = store.create_run({})
    writer = MetricWriter(store, max_rows=3, max_interval=3600)
    writer.add(run_id, "loss", 1, 1, 0.5, 0.1)
    writer.add(run_id, "loss", 2, 1, 0.4, 0.2)
    assert (writer.pending, stored_count(store.path, run_id)) == (2, 0)
    writer.add(run_id, "loss", 3, 1, 0.3, 0.3)
    assert (writer.pending, stored_count(store.path, run_id)) == (0, 3)
    writer.close()


def test_writer_flushes_on_time(store):
    run_id = store.create_run({})
    clock = FakeClock()
    writer = MetricWriter(store, max_rows=1000, max_interval=1.0, clock=clock)
    writer.add(run_id, "loss", 1, 1, 0.5, 0.1)
    clock.now += 0.99
    writer.add(run_id, "loss", 2, 1, 0.4, 0.2)
    assert stored_count(store.path, run_id) == 0
    clock.now += 0.01  # one second after the last flush
    writer.add(run_id, "loss", 3, 1, 0.3, 0.3)
    assert (writer.pending, stored_count(store.path, run_id)) == (0, 3)
    writer.close()


def test_writer_flushes_on_close_and_exit(store):
    run_id = store.create_run({})
    writer = MetricWriter(store, max_rows=1000, max_interval=3600)
    writer.add(run_id, "loss", 1, 1, 0.5, 0.1)
    writer.close()
    assert stored_count(store.path, run_id) == 1
    with MetricWriter(store, max_rows=1000, max_interval=3600) as scoped:
        scoped.add(run_id, "loss", 2, 1, 0.4, 0.2)
    assert (stored_count(store.path, run_id), scoped.rows_written) == (2, 1)


def test_failed_flush_keeps_points_and_writes_nothing(store):
    run_id = store.create_run({})
    writer = MetricWriter(store, max_rows=1000, max_interval=3600)
    writer.add(run_id, "loss", 1, 1, 0.5, 0.1)
    writer.add(run_id + 1, "loss", 1, 1, 0.5, 0.1)  # no such run: foreign key
    with pytest.raises(sqlite3.IntegrityError):
        writer.flush()
    assert (writer.pending, stored_count(store.path, run_id)) == (2, 0)
    with pytest.raises(ValueError, match="max_rows"):
        MetricWriter(store, max_rows=0)


def test_writer_in_a_worker_thread_with_its_own_connection(store):
    run_id = store.create_run({})
    errors: list[BaseException] = []

    def work():
        try:
            with pytest.raises(sqlite3.ProgrammingError):  # connections stay in their thread
                store.get_run(run_id)
            with Store(store.path, mark_orphans=False) as own, MetricWriter(own, 500) as w:
                for step in range(2000):
                    w.add(run_id, "loss", step, step // 100, 1 / (step + 1), step * 0.01)
                    w.add(run_id, "lr", step, step // 100, 1e-3, step * 0.01)
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive() and not errors
    assert store.metric_keys(run_id) == ["loss", "lr"]
    assert store.read_curve(run_id, "loss")["total"] == 2000


def test_relogged_step_replaces_and_nan_round_trips(store):
    run_id = store.create_run({})
    store.write_metrics([(run_id, "loss", 1, 1, 1.0, 0.0), (run_id, "loss", 2, 1, 2.0, 0.1)])
    store.write_metrics([(run_id, "loss", 2, 1, math.nan, 0.2)])  # resumed, then diverged
    curve = store.read_curve(run_id, "loss")
    assert curve["step"].tolist() == [1, 2]
    assert curve["value"][0] == 1.0 and math.isnan(curve["value"][1])
    assert curve["time"].tolist() == [0.0, 0.2]
    assert curve["step"].dtype == np.int64 and curve["value"].dtype == np.float64


def test_missing_curve_is_empty_and_max_points_is_checked(store):
    run_id = store.create_run({})
    curve = store.read_curve(run_id, "nothing", max_points=10)
    assert (len(curve["step"]), curve["total"], curve["downsampled"]) == (0, 0, False)
    assert store.metric_keys(run_id) == []
    with pytest.raises(ValueError, match="max_points"):
        store.read_curve(run_id, "loss", max_points=1)


def test_downsampling_keeps_dips_and_spikes(store):
    run_id = store.create_run({})
    values = np.sin(np.arange(10_000) / 300.0)
    values[4321] = -50.0  # a one-step dip that sampling would hide
    values[777] = 40.0
    store.write_metrics((run_id, "loss", step, 0, float(v), 0.0) for step, v in enumerate(values))
    curve = store.read_curve(run_id, "loss", max_points=200)
    assert curve["downsampled"] and curve["total"] == 10_000
    assert len(curve["step"]) <= 200
    assert {4321, 777} <= set(curve["step"].tolist())
    assert np.all(np.diff(curve["step"]) > 0)
    assert np.array_equal(curve["value"], values[curve["step"]])


def test_short_curve_comes_back_exactly(store):
    run_id = store.create_run({})
    rows = [(run_id, "loss", step * 10, step, step * 0.5, step * 1.5) for step in range(50)]
    store.write_metrics(rows)
    curve = store.read_curve(run_id, "loss", max_points=50)
    assert not curve["downsampled"]
    assert curve["step"].tolist() == [r[2] for r in rows]
    assert curve["epoch"].tolist() == [r[3] for r in rows]
    assert curve["time"].tolist() == [r[5] for r in rows]


def buckets_of(steps: np.ndarray, n_buckets: int) -> np.ndarray:
    # The store's integer bucket arithmetic, restated.
    lo, span = int(steps.min()), int(steps.max()) - int(steps.min()) + 1
    return ((steps - lo) * n_buckets) // span


points = st.dictionaries(
    st.integers(0, 10**6),
    st.one_of(st.floats(allow_nan=False, allow_infinity=True, width=64), st.just(math.nan)),
    min_size=1, max_size=300,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=points, max_points=st.integers(2, 60))
def test_downsampling_invariants(points, max_points):
    steps = np.array(sorted(points), dtype=np.int64)
    values = np.array([points[s] for s in steps], dtype=np.float64)
    with Store(":memory:") as store:
        run_id = store.create_run({})
        store.write_metrics((run_id, "m", int(s), 0, float(v), 0.0) for s, v in zip(steps, values))
        curve = store.read_curve(run_id, "m", max_points=max_points)

    got_steps, got_values = curve["step"], curve["value"]
    assert curve["total"] == len(steps)
    assert np.all(np.diff(got_steps) > 0)
    expected = values[np.searchsorted(steps, got_steps)]
    assert set(got_steps) <= set(steps.tolist())
    assert np.array_equal(got_values, expected, equal_nan=True)
    if len(steps) <= max_points:
        assert not curve["downsampled"] and np.array_equal(got_steps, steps)
        return
    assert curve["downsampled"] and 0 < len(got_steps) <= max_points
    # Every bucket keeps its extremes, so in particular the global ones.
    all_buckets = buckets_of(steps, max_points // 2)
    got_buckets = all_buckets[np.searchsorted(steps, got_steps)]
    for bucket in np.unique(all_buckets):
        mine = values[all_buckets == bucket]
        kept = got_values[got_buckets == bucket]
        assert len(kept) >= 1
        finite = mine[~np.isnan(mine)]
        if len(finite):
            assert np.nanmin(kept) == finite.min() and np.nanmax(kept) == finite.max()


def test_read_curves_in_parallel_matches_read_curve_in_order(store, db_path):
    rng = np.random.default_rng(1)
    run_ids = [store.create_run({}) for _ in range(5)]
    for run_id in run_ids:
        values = rng.random(3000)
        store.write_metrics((run_id, "loss", step, 1, float(v), step * 0.1)
                            for step, v in enumerate(values, start=1))
        store.write_metrics([(run_id, "train_loss", 1500, 1, 0.5, 1.0)])
    requests = [(run_id, key, points) for run_id in run_ids
                for key, points in (("loss", 400), ("train_loss", None), ("missing", 10))]
    for threads in (1, 3, None):
        got = read_curves(db_path, requests, threads=threads)
        assert len(got) == len(requests)
        for request, curve in zip(requests, got):
            expected = store.read_curve(*request)
            assert curve.keys() == expected.keys()
            for name, value in expected.items():
                np.testing.assert_array_equal(curve[name], value)


def test_read_curves_raises_a_reads_error_and_handles_no_requests(store, db_path):
    run_id = store.create_run({})
    assert read_curves(db_path, []) == []
    with pytest.raises(ValueError, match="max_points"):
        read_curves(db_path, [(run_id, "loss", None), (run_id, "loss", 1)], threads=2)


def test_read_curve_after_returns_only_newer_points(tmp_path):
    from dlstudio.store import Store

    with Store(tmp_path / "runs.db") as store:
        run_id = store.create_run({"data": {"name": "digits"}})
        store.write_metrics([(run_id, "loss", step, 1, 1.0 / step, float(step))
                             for step in range(1, 11)])
        newer = store.read_curve_after(run_id, "loss", 7)
        assert newer["step"].tolist() == [8, 9, 10]
        assert newer["value"].tolist() == [1 / 8, 1 / 9, 1 / 10]
        assert len(store.read_curve_after(run_id, "loss", 10)["step"]) == 0
