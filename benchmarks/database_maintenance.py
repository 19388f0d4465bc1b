"""What ``dlstudio check`` and ``dlstudio compact`` cost on a file of many metric points.

In the same run, against baselines that read or write the same bytes:
  * ``check`` (``quick_check``) and ``check --thorough`` (``integrity_check``) against a
    full scan of the metrics table (``SELECT count(*), sum(value)``, every metrics page);
  * ``compact`` (``VACUUM`` and the log truncated) after 60 % of the runs were deleted,
    against copying the compacted file once (``shutil.copyfile``): the rewrite writes
    what is kept more than once (a temporary copy, the log, the file).

    python benchmarks/database_maintenance.py            # 40 runs x 50,000 points
    python benchmarks/database_maintenance.py --smoke    # a second, for CI

Ends with ``RESULT <name> <value>`` lines for scripts to pick up.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dlstudio.formatting import format_bytes
from dlstudio.store import Store
from dlstudio.store.compaction import compact, free_bytes
from dlstudio.store.health import check_database

REPEATS = 3
DELETED_SHARE = 0.6


def build(path: Path, runs: int, points: int) -> None:
    """``runs`` runs of ``points`` points each, as a training loop logs them."""
    with Store(path) as store:
        for index in range(runs):
            with store.transaction():
                run_id = store.create_run({"index": index}, name=f"run {index}",
                                          status="finished")
                store.write_metrics([(run_id, key, step, step // 100, 1.0 / (step + 1),
                                      step * 0.01)
                                     for step in range(points // 2)
                                     for key in ("train_loss", "lr")])


def median_seconds(action: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny file, for CI")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--points", type=int, default=50_000)
    args = parser.parse_args()
    runs, points = (10, 2_000) if args.smoke else (args.runs, args.points)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "runs.db"
        build(path, runs, points)
        with Store(path) as store:
            conn = store.db.conn
            size = path.stat().st_size
            scan = median_seconds(
                lambda: conn.execute("SELECT count(*), sum(value) FROM metrics").fetchone())
            quick = median_seconds(lambda: check_database(store))
            thorough = median_seconds(lambda: check_database(store, thorough=True))
            assert check_database(store).ok
            for run_id in range(1, int(runs * DELETED_SHARE) + 1):
                store.delete_run(run_id)
            free = free_bytes(store)
            start = time.perf_counter()
            done = compact(store)
            compacting = time.perf_counter() - start
        copy_target = Path(folder) / "copy.db"
        copying = median_seconds(lambda: shutil.copyfile(path, copy_target))
    print(f"{runs} runs x {points:,} points: {format_bytes(size)}")
    print(f"  full scan of the metrics   {scan * 1000:8.1f} ms")
    print(f"  check                      {quick * 1000:8.1f} ms  ({quick / scan:.2f}x the scan)")
    print(f"  check --thorough           {thorough * 1000:8.1f} ms  "
          f"({thorough / scan:.2f}x the scan)")
    print(f"  compact after deleting {DELETED_SHARE:.0%} of the runs ({format_bytes(free)} "
          f"free): {format_bytes(done.before)} -> {format_bytes(done.after)} in "
          f"{compacting * 1000:.1f} ms ({compacting / copying:.1f}x copying the result)")
    print(f"RESULT db_check_over_scan {quick / scan:.3f}")
    print(f"RESULT db_check_thorough_over_scan {thorough / scan:.3f}")
    print(f"RESULT db_compact_over_copy {compacting / copying:.3f}")
    print(f"RESULT db_compact_kept_share {done.after / done.before:.3f}")


if __name__ == "__main__":
    main()
