"""Sweep executors: trials per minute and driver overhead, local threads against Ray.

The same random-search sweep (digits, a 32-unit MLP, one torch thread per trial) runs
through ``SweepRunner`` with ``executor: local`` (worker threads) and ``executor: ray``
(Ray tasks on a local Ray instance with this machine's CPUs, ``cpus_per_trial: 1``),
``--workers`` trials at a time. Ray runs twice: cold (its worker processes start and
import torch) and warm (the same instance, workers reused): the warm run is what a long
sweep sees.

- trials/minute: trials told / the sweep's wall time;
- overhead per trial: worker-slot seconds not spent training, ``(wall * workers -
  sum of the runs' training seconds) / trials`` (training seconds: the trainer's own
  clock at the run's last epoch);
- Ray driver CPU per trial: this process's CPU seconds per trial under Ray, where it
  trains nothing: recording the streamed events in SQLite and polling Ray;
- metric points a trial streams per second of training;
- the driver's recording rate: points per second the Ray executor takes out of its
  queue and writes to SQLite (``RayExecutor.drain`` on a queue holding 100,000 step
  events, as tasks put them). Against a trial's points/s it gives the most trials one
  driver can record at once (``benchmarks/store_ingest.py`` measures the SQLite writer
  alone).

Both executors should give the same trials, scores too (the same seeds): the script says
whether they did and, where not, prints the trials that differ to stderr. It does not
fail on a difference: ``tests/test_sweep_ray.py`` asserts it, bit for bit; a benchmark
that exits non-zero on a one-off stops every RESULT after it.

    python benchmarks/sweep_executors.py           # 12 trials x 3 epochs (~2 min on 2 cores)
    python benchmarks/sweep_executors.py --smoke   # 4 trials x 1 epoch (CI, ~1 min: most
                                                   # of it Ray starting and importing torch)

Ends with ``RESULT <name> <value>`` lines.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from dlstudio.config import RunConfig
from dlstudio.search.executor_spec import ExecutorSpec
from dlstudio.store import Store
from dlstudio.training.events import EpochEvent, StepEvent
from dlstudio.training.sweeps.events import RunEvent
from dlstudio.training.sweeps.executors import ExecutorContext
from dlstudio.training.sweeps.jobs import Job
from dlstudio.training.sweeps.runner import SweepRunner
from dlstudio.training.sweeps.setup import create_sweep


def sweep(trials: int, epochs: int, kind: str) -> dict:
    return {"method": "random", "metric": {"name": "dev_error"}, "budget": {"trials": trials},
            "parameters": {"optim.lr": {"distribution": "log_uniform_values",
                                        "min": 1e-3, "max": 1e-1}},
            "base": {"data": {"name": "digits"}, "model": {"hidden": [32]},
                     "train": {"device": "cpu", "epochs": epochs, "batch_size": 32,
                               "threads": 1}},
            "executor": {"kind": kind}}


def measure(db_path: Path, spec: dict, workers: int) -> dict:
    """Run one sweep; its wall time, CPU time of this process, training seconds, scores."""
    with Store(db_path) as store:
        sweep_id = create_sweep(store, spec)
    trained: dict[int, float] = {}

    def on_event(event) -> None:
        if isinstance(event, RunEvent) and isinstance(event.event, EpochEvent):
            trained[event.run_id] = event.event.time

    cpu, wall = time.process_time(), time.perf_counter()
    summary = SweepRunner(db_path, sweep_id, workers=workers, subscribers=[on_event]).run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with Store(db_path) as store:
        points = store.db.conn.execute("SELECT count(*) FROM metrics").fetchone()[0]
    told = summary["told"]
    return {"wall": wall, "cpu": cpu, "told": told, "per_min": 60 * told / wall,
            "overhead": (wall * workers - sum(trained.values())) / told,
            "points_per_train_s": points / sum(trained.values()),
            "trials": [(t["trial"], t["config"], t["epochs"], t["status"], t["score"])
                       for t in summary["trials"]]}


def differences(local: list, cold: list, warm: list) -> list[tuple]:
    """The trials (trial, config, epochs, status, score) not alike on all three runs;
    each printed to stderr, so a one-off in CI says what differed."""
    differing = []
    for index in range(max(len(local), len(cold), len(warm))):
        rows = [trials[index] if index < len(trials) else None
                for trials in (local, cold, warm)]
        if not rows[0] == rows[1] == rows[2]:
            differing.append(tuple(rows))
            print(f"sweep_executors: trial #{index} differs: local {rows[0]}, "
                  f"ray (cold) {rows[1]}, ray (warm) {rows[2]}", file=sys.stderr)
    return differing


def recording_rate(db_path: Path, events: int) -> float:
    """Points/s the Ray driver records: ``drain`` of a queue full of step events."""
    import threading

    from dlstudio.training.sweeps.executors.ray_executor import RayExecutor, _Outbox
    from dlstudio.training.sweeps.executors.streamed_run import StreamedRun

    with Store(db_path) as store:
        run_id = store.create_run(RunConfig().to_dict(), status="queued")
        context = ExecutorContext(db_path, 0, store, 1, lambda event: None,
                                  threading.Event(), threading.Event(), None)
        executor = RayExecutor(ExecutorSpec("ray"), context)
        stream = StreamedRun(store, run_id, db_path.parent / "unused", lambda event: None)
        executor._streams[run_id] = (Job(run_id, 0), stream)
        outbox = _Outbox(executor._queue, run_id)  # what a task sends, as it sends it
        for step in range(1, events + 1):
            outbox(StepEvent(step, 1, 0.5, 0.1, 0.0))
        outbox.flush()
        started = time.perf_counter()
        executor.drain()
        stream.writer.close()
        elapsed = time.perf_counter() - started
        executor.close()
        points = store.db.conn.execute("SELECT count(*) FROM metrics").fetchone()[0]
    return points / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="4 trials x 1 epoch (CI)")
    parser.add_argument("--workers", type=int, default=2, help="trials at once (default 2)")
    args = parser.parse_args()
    trials, epochs = (4, 1) if args.smoke else (12, 3)
    try:
        import ray  # the benchmark's own Ray instance; the executor reuses it
    except ImportError:
        print('sweep_executors: needs the ray extra:  pip install "dlstudio[ray]"',
              file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        local = measure(root / "local.db", sweep(trials, epochs, "local"), args.workers)
        started = time.perf_counter()
        ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False,
                 logging_level=logging.WARNING)
        ray_start = time.perf_counter() - started
        try:
            # The first Ray sweep also starts the worker processes (each imports torch).
            cold = measure(root / "ray-cold.db", sweep(trials, epochs, "ray"), args.workers)
            warm = measure(root / "ray.db", sweep(trials, epochs, "ray"), args.workers)
            recording = recording_rate(root / "recording.db", 20_000 if args.smoke else 100_000)
        finally:
            ray.shutdown()
    differing = differences(local["trials"], cold["trials"], warm["trials"])
    same = not differing
    print(f"{trials} trials x {epochs} epochs, {args.workers} at a time "
          f"({os.cpu_count()} CPUs); Ray started in {ray_start:.1f} s")
    print(f"{'executor':<12} {'wall s':>8} {'trials/min':>11} {'overhead s/trial':>17} "
          f"{'driver CPU s':>13}")
    for name, row in (("local", local), ("ray (cold)", cold), ("ray (warm)", warm)):
        print(f"{name:<12} {row['wall']:>8.1f} {row['per_min']:>11.1f} "
              f"{row['overhead']:>17.2f} {row['cpu']:>13.1f}")
    print(f"same scores on both executors: {'yes' if same else 'NO'}")
    print(f"the driver records {recording:,.0f} points/s from the queue; a trial streams "
          f"{warm['points_per_train_s']:,.0f} points per second of training here")
    print(f"ratio ray (warm) / local trials per minute: {warm['per_min'] / local['per_min']:.3f}")
    print(f"\nRESULT sweep_local_trials_per_min {local['per_min']:.1f}")
    print(f"RESULT sweep_ray_trials_per_min {warm['per_min']:.1f}")
    print(f"RESULT sweep_ray_cold_trials_per_min {cold['per_min']:.1f}")
    print(f"RESULT sweep_ray_vs_local_ratio {warm['per_min'] / local['per_min']:.3f}")
    print(f"RESULT sweep_local_overhead_s_per_trial {local['overhead']:.3f}")
    print(f"RESULT sweep_ray_overhead_s_per_trial {warm['overhead']:.3f}")
    print(f"RESULT ray_driver_cpu_s_per_trial {warm['cpu'] / warm['told']:.3f}")
    print(f"RESULT ray_points_per_train_s {warm['points_per_train_s']:.0f}")
    print(f"RESULT ray_driver_records_points_per_s {recording:.0f}")
    print(f"RESULT ray_start_s {ray_start:.2f}")
    print(f"RESULT sweep_executors_same_scores {int(same)}")
    print(f"RESULT sweep_executors_differing_trials {len(differing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
