"""What ``run.log`` costs a training loop, against raw sqlite3.

Side by side, on the same machine and in the same run, for the same rows:
  * raw sqlite3 ``executemany`` of every point in one transaction into the store's
    metrics table (the ceiling: no Python per point beyond building the tuple list),
  * ``dlstudio.start_run`` + ``run.log({...}, step=)`` of the same points, ``KEYS``
    metrics per call as a training loop logs them, timed from the first ``log`` to
    the end of ``finish()`` (every point written and the run marked finished).

The goal of issue 12 is a ratio of at most 1.5. A second, informational line logs one
metric per call (the worst case for per-call overhead).

    python benchmarks/api_log.py            # 1,000,000 scalars
    python benchmarks/api_log.py --smoke    # a few seconds, for CI

Ends with ``RESULT <name> <value>`` lines for scripts to pick up.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import tempfile
import time
from pathlib import Path

import dlstudio
from dlstudio.store import Store
from dlstudio.store.writer import INSERT_METRICS

KEYS = ("train/loss", "train/accuracy", "lr", "grad_norm", "dev/loss", "dev/accuracy",
        "momentum", "weight_norm", "throughput", "gpu_memory")


def values(steps: int, keys: tuple[str, ...]) -> list[dict[str, float]]:
    return [{key: math.sin(step / 500.0) + k * 0.1 for k, key in enumerate(keys)}
            for step in range(steps)]


def time_raw(folder: Path, logs: list[dict[str, float]]) -> float:
    path = folder / f"raw-{time.perf_counter_ns()}.db"
    with Store(path) as store:
        run_id = store.create_run({}, name="raw")
    # The same table with the same pragmas as the store (as store_ingest.py's baseline):
    # the ratio then measures what run.log adds, not a cheaper table.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    start = time.perf_counter()
    rows = [(run_id, key, step, 0, value, 0.0)
            for step, metrics in enumerate(logs) for key, value in metrics.items()]
    conn.execute("BEGIN")
    conn.executemany(INSERT_METRICS, rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def time_api(folder: Path, logs: list[dict[str, float]]) -> tuple[float, float]:
    """(seconds from the first log to the end of finish(), of which in log calls)."""
    path = folder / f"api-{time.perf_counter_ns()}.db"
    run = dlstudio.start_run(config={"bench": True}, name="api", db=path)
    log = run.log
    start = time.perf_counter()
    for step, metrics in enumerate(logs):
        log(metrics, step=step)
    logged = time.perf_counter() - start
    run.finish()
    elapsed = time.perf_counter() - start
    with dlstudio.open(path) as db:
        stored = sum(db.curve(run.id, key).step.size for key in db.metric_keys(run.id)
                     if not key.startswith("sys."))  # the system monitor's own readings
    expected = sum(len(metrics) for metrics in logs)
    assert stored == expected, f"stored {stored} points, logged {expected}"
    return elapsed, logged


def best_of(repeats: int, folder: Path, logs: list[dict[str, float]]
            ) -> tuple[float, tuple[float, float]]:
    """Best raw and API seconds; rounds interleave the two so a burst of load on a
    shared machine does not land on one side only."""
    raw, api = math.inf, (math.inf, math.inf)
    for _ in range(repeats):
        raw = min(raw, time_raw(folder, logs))
        api = min(api, time_api(folder, logs))
    return raw, api


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scalars", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds (best kept)")
    parser.add_argument("--smoke", action="store_true", help="small and quick (CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.scalars, args.repeat = 50_000, 1
    with tempfile.TemporaryDirectory(prefix="dlstudio-bench-") as tmp:
        folder = Path(tmp)
        results = {}
        for label, keys in (("per_call_10", KEYS), ("per_call_1", KEYS[:1])):
            logs = values(args.scalars // len(keys), keys)
            raw, (api, logged) = best_of(args.repeat, folder, logs)
            results[label] = (raw, api)
            print(f"{args.scalars:,} scalars, {len(keys)} per run.log call:")
            print(f"  raw sqlite3 executemany, one transaction  {raw:7.3f} s")
            print(f"  dlstudio run.log + finish()               {api:7.3f} s")
            print(f"    of which in run.log calls               {logged:7.3f} s")
            print(f"  ratio                                     {api / raw:7.2f} x")
    raw, api = results["per_call_10"]
    goal = "met" if api / raw <= 1.5 else "NOT met"
    note = " (smoke: too small to count)" if args.smoke else ""
    print(f"goal: run.log at most 1.5x raw executemany: {goal}{note}")
    print(f"RESULT api_log_ratio {api / raw:.3f}")
    print(f"RESULT api_log_ratio_one_per_call {results['per_call_1'][1] / results['per_call_1'][0]:.3f}")
    print(f"RESULT api_log_points_per_s {args.scalars / api:.0f}")


if __name__ == "__main__":
    main()
