"""Soak: hundreds of short runs and a sweep through the app's own worker, then the leaks.

The app's ``TrainingController`` (offscreen Qt, the same queue, threads and store
connections as the window uses) trains ``--runs`` short runs one after another, then a
small sweep. After a warm-up, resident memory must not grow (goal: under 50 MB over the
whole soak), the thread count must come back to where it started, and the database
grows by a steady amount per run. The second phase repeats it while a CLI process
trains on the same database throughout (a user's shell beside the app): every run of
both must finish, none may see "database is locked".

    QT_QPA_PLATFORM=offscreen python benchmarks/soak.py [--runs 200] [--smoke]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from dlstudio.config import RunConfig  # noqa: E402
from dlstudio.gui.workers.training_controller import TrainingController  # noqa: E402
from dlstudio.store import Store  # noqa: E402
from dlstudio.training.sweeps.setup import create_sweep  # noqa: E402

RUN = ["data.name=digits", "model.hidden=[16]", "train.epochs=1", "train.device=cpu",
       "train.threads=1"]
SWEEP = """
method: successive_halving
name: soak
metric: {name: dev_error, goal: minimize}
successive_halving: {n_configs: 4, min_epochs: 1, max_epochs: 2, eta: 2}
base:
  data: {name: digits}
  model: {hidden: [16]}
  train: {device: cpu, threads: 1}
parameters:
  optim.lr: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
"""
CLI_LOOP = ("import sys\nfrom dlstudio.cli import main\nn = 0\n"
            "while True:\n"
            "    code = main(['train', '--db', sys.argv[1], '--set', 'data.name=digits', "
            "'--set', 'model.hidden=[16]', '--set', 'train.epochs=1', '--set', "
            "'train.device=cpu', '--set', 'train.threads=1', '--set', 'name=cli'])\n"
            "    if code != 0:\n        sys.exit(code)\n")


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def wait_until(app: QCoreApplication, condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.002)
    return True


def soak(app, db_path: Path, runs: int, warmup: int) -> dict[str, float]:
    with Store(db_path) as store:
        controller = TrainingController(db_path, store)
        ended: list[dict] = []
        controller.run_finished.connect(lambda run_id, result: ended.append(result))
        config = RunConfig.from_dict({}, RUN)

        def train(count: int) -> None:
            for _ in range(count):
                done = len(ended)
                controller.enqueue(config)
                if not wait_until(app, lambda: len(ended) == done + 1, 120):
                    raise TimeoutError("a soak run did not end within 2 minutes")

        # The first runs start what lives for the whole process (torch's pools, caches).
        train(warmup)
        threads_before, memory_before = threading.active_count(), rss_mb()
        started = time.perf_counter()
        train(runs - warmup)
        seconds = time.perf_counter() - started
        sweep_id = create_sweep(store, _sweep_file(db_path))
        controller.enqueue_sweep(sweep_id, workers=2)
        if not (wait_until(app, lambda: store.get_sweep(sweep_id)["status"] == "finished", 300)
                and wait_until(app, lambda: not controller.active_sweeps(), 60)):
            raise TimeoutError("the soak's sweep did not end within 6 minutes")
        # Threads end asynchronously after their last signal; give them the event loop.
        wait_until(app, lambda: threading.active_count() <= threads_before, 5)
        memory_after, threads_after = rss_mb(), threading.active_count()
        controller.shutdown()
        app.processEvents()
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {
            "runs_per_s": (runs - warmup) / seconds,
            "rss_growth_mb": memory_after - memory_before,
            "thread_delta": threads_after - threads_before,
            "failed": sum(r["status"] != "finished" for r in ended),
            "locked": sum("locked" in (r.get("error") or "") for r in ended),
            "bytes_per_run": db_path.stat().st_size / max(1, len(store.list_runs())),
        }


def _sweep_file(db_path: Path) -> Path:
    path = db_path.with_suffix(".sweep.yaml")
    path.write_text(SWEEP)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="a quick run for CI")
    args = parser.parse_args()
    runs = 12 if args.smoke else args.runs
    warmup = max(2, runs // 10)
    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        alone = soak(app, Path(folder) / "alone.db", runs, warmup)
        shared_db = Path(folder) / "shared.db"
        Store(shared_db).close()
        cli = subprocess.Popen([sys.executable, "-c", CLI_LOOP, str(shared_db)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        with Store(shared_db) as store:  # the CLI trains before and throughout the phase
            if not wait_until(app, lambda: store.list_runs(status="finished"), 120):
                raise TimeoutError("the CLI trainer finished no run within 2 minutes")
        try:
            beside = soak(app, shared_db, runs, warmup)
        finally:
            cli.terminate()
            _, cli_err = cli.communicate(timeout=60)
        with Store(shared_db) as store:
            cli_runs = [r for r in store.list_runs() if r["name"] == "cli"]
            cli_bad = [r for r in cli_runs if r["status"] not in ("finished", "stopped",
                                                                 "interrupted")]
    print(f"{runs} runs of 1 epoch through TrainingController, then a 2-worker sweep")
    print(f"{'phase':<22} {'runs/s':>7} {'RSS growth MB':>14} {'threads +':>10} "
          f"{'failed':>7} {'locked':>7} {'KB/run':>8}")
    for name, stats in (("alone", alone), ("beside a CLI trainer", beside)):
        print(f"{name:<22} {stats['runs_per_s']:>7.2f} {stats['rss_growth_mb']:>14.1f} "
              f"{stats['thread_delta']:>10d} {stats['failed']:>7d} {stats['locked']:>7d} "
              f"{stats['bytes_per_run'] / 1024:>8.1f}")
    print(f"CLI trainer beside it: {len(cli_runs)} runs, {len(cli_bad)} not finished"
          + (f"; its stderr: {cli_err.strip()[-300:]}" if "locked" in cli_err else ""))
    growth = max(alone["rss_growth_mb"], beside["rss_growth_mb"])
    print(f"goal: RSS growth under 50 MB after warm-up ({'met' if growth < 50 else 'NOT met'}),"
          " threads back to the start count, no failed or locked run")
    print(f"RESULT soak_rss_growth_mb {growth:.1f}")
    print(f"RESULT soak_thread_delta {max(alone['thread_delta'], beside['thread_delta'])}")
    print(f"RESULT soak_failed_runs {alone['failed'] + beside['failed'] + len(cli_bad)}")
    print(f"RESULT soak_kb_per_run {alone['bytes_per_run'] / 1024:.1f}")
    print(f"RESULT soak_runs_per_s {alone['runs_per_s']:.2f}")


if __name__ == "__main__":
    main()
