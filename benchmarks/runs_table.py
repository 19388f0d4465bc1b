"""The runs table with 10,000 runs: time to open it and to re-filter, query, regroup, sort.

Builds a temporary database of ``--runs`` runs shaped like real ones (RunConfig configs,
summaries, tags, the environment record and checkpoint folder that training leaves; a
fifth of them trials of 20 sweeps), then, offscreen:

- open: ``RunsPanel(AppContext.open(db))`` (reads every run, fills the table, groups by
  sweep) plus one paint of the shown window. The table reads runs as records
  (``Store.list_run_records``): summaries and shown config values are decoded on first
  use, configs and environments read and decoded when a row needs them, and the keys
  offered for grouping and completion worked out when those boxes are first used. So
  decoding every config is part of the regroup by a config key (and of a sort by a key
  column), and every summary part of the first sort by a metric, not of opening;
- re-filter: typing a word in the plain-text filter, then clearing it;
- query: a run query in the query box (SQL) and the table it leaves;
- regroup: switching the grouping between sweep, tag, a config key and none;
- sort: clicking a numeric column's header;
- window: the whole main window on the same database, shown and painted (the app's start
  on a busy database; the Runs table is built when its tab is first opened, so this is
  the Train tab's cost, not the table's).

Each step ends with a paint (``repaint()``), so the time is what the user waits (wall
clock; the process's CPU time is printed beside it, steadier on a shared machine). The
baseline, measured in the same process, is the floor under "open": reading the runs
from the store as the table does (``list_run_records``); the ratio says how much the
table adds on top. ``list_runs``, the full read the table used before, is printed too.

    python benchmarks/runs_table.py            # 10,000 runs
    python benchmarks/runs_table.py --smoke    # 1,000 runs, one repeat

Ends with ``RESULT runs_table_open_ms``, ``RESULT runs_table_refilter_ms``,
``RESULT runs_table_query_ms``, ``RESULT runs_table_regroup_ms``,
``RESULT runs_table_sort_ms``, ``RESULT runs_table_window_ms`` (medians) and
``RESULT runs_table_open_over_read`` (the ratio). Goal: open and re-filter < 200 ms
each for 10,000 runs on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from dlstudio.config import RunConfig  # noqa: E402
from dlstudio.gui import qt_compat  # noqa: E402,F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.context import AppContext  # noqa: E402
from dlstudio.gui.runs.runs_model import COLUMN_INDEX, SHOWN_CONFIG_KEYS  # noqa: E402
from dlstudio.gui.runs.runs_panel import RunsPanel  # noqa: E402
from dlstudio.store import Store  # noqa: E402

OPTIMIZERS = ("adam", "sgd", "adamw", "rmsprop")
ENVIRONMENT = {  # what reproducibility.collect() records for a run trained here
    "python": "3.11.7", "dlstudio": "0.9.0", "torch": "2.5.1+cpu", "cuda": None,
    "host": "workstation", "platform": "Linux-6.8.0-x86_64-with-glibc2.39",
    "command": "dlstudio train --config runs/config.yaml", "cwd": "/home/user/project",
    "git": {"commit": "3f9c2a7d1e0b4c8a9f6e5d4c3b2a1f0e9d8c7b6a", "dirty": True,
            "root": "/home/user/project"},
    "code": None, "data_files": [], "plugin_files": []}
STEPS = ("read", "full_read", "open", "refilter", "query", "regroup", "sort", "window")


def build_database(path: Path, count: int, seed: int = 0) -> None:
    """``count`` finished runs; every fifth run is a trial of one of 20 sweeps."""
    rng = random.Random(seed)
    with Store(path) as store, store.transaction():
        sweeps = [store.create_sweep(f"sweep {n}", {}) for n in range(20)]
        for n in range(count):
            config = RunConfig.from_dict({
                "data": {"name": rng.choice(["digits", "wine", "iris"])},
                "optim": {"name": rng.choice(OPTIMIZERS), "lr": 10 ** rng.uniform(-5, -1)},
                "train": {"seed": rng.randrange(5), "epochs": rng.choice([5, 10, 20])},
            }).to_dict()
            sweep = sweeps[n % 20] if n % 5 == 0 else None
            run_id = store.create_run(config, sweep_id=sweep)
            store.set_environment(run_id, ENVIRONMENT)
            store.set_checkpoint_dir(run_id, path.parent / "checkpoints" / f"run-{run_id}")
            score = rng.uniform(0.1, 0.99)
            store.end_run(run_id, "finished", {
                "metric_name": "accuracy", "best_dev_metric": score, "dev_metric": score,
                "train_metric": min(1.0, score + 0.02), "test_metric": score - 0.01,
                "duration": rng.uniform(5, 500)})
            if n % 7 == 0:
                store.add_tag(run_id, rng.choice(["baseline", "ablation", "final"]))


def timed(app: QApplication, panel: RunsPanel, action, cpu: list[float]) -> float:
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    app.processEvents()
    panel.repaint()
    cpu.append((time.process_time() - start_cpu) * 1000)
    return (time.perf_counter() - start) * 1000


def measure(db: Path, repeats: int, settings_path: Path
            ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU milliseconds of each step, by step."""
    app = QApplication.instance() or QApplication([])
    times: dict[str, list[float]] = {k: [] for k in STEPS}
    cpu: dict[str, list[float]] = {k: [] for k in STEPS}
    for _ in range(repeats):
        for step, read in (("read", lambda s: s.list_run_records(SHOWN_CONFIG_KEYS)),
                           ("full_read", lambda s: s.list_runs())):
            start, start_cpu = time.perf_counter(), time.process_time()
            with Store(db, mark_orphans=False) as store:
                read(store)
            times[step].append((time.perf_counter() - start) * 1000)
            cpu[step].append((time.process_time() - start_cpu) * 1000)
        settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        holder: list[RunsPanel] = []
        contexts: list[AppContext] = []

        def open_panel() -> None:
            contexts.append(AppContext.open(db, settings))
            panel = RunsPanel(contexts[-1])
            panel.resize(1400, 800)
            panel.show()
            holder.append(panel)

        start, start_cpu = time.perf_counter(), time.process_time()
        open_panel()
        app.processEvents()
        holder[0].repaint()
        times["open"].append((time.perf_counter() - start) * 1000)
        cpu["open"].append((time.process_time() - start_cpu) * 1000)
        panel = holder[0]
        for word in ("adam", "sgd", "wine"):
            times["refilter"].append(timed(app, panel, lambda: panel.search.setText(word),
                                           cpu["refilter"]))
            times["refilter"].append(timed(app, panel, panel.search.clear, cpu["refilter"]))
        query = panel.view_controls.query_bar.edit
        times["query"].append(timed(app, panel, lambda: query.setText(
            "optim.name = adam and best_dev_metric > 0.5 or tag:baseline"), cpu["query"]))
        times["query"].append(timed(app, panel, query.clear, cpu["query"]))
        combo = panel.view_controls.group_by
        for mode in ("tag", "config:optim.name", "none", "sweep"):
            times["regroup"].append(timed(app, panel, lambda: choose(combo, mode),
                                          cpu["regroup"]))
        for column in ("Best dev", "LR", "ID"):
            times["sort"].append(timed(app, panel, lambda: panel.table.sortByColumn(
                COLUMN_INDEX[column], Qt.SortOrder.DescendingOrder), cpu["sort"]))
        shown = panel.model.shown_run_count()
        assert shown == panel.model.run_count(), (shown, panel.model.run_count())
        panel.close()
        panel.deleteLater()
        # processEvents() outside an event loop leaves deferred deletes pending: without
        # this, each repeat kept the panels before it alive for the collector to scan.
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        contexts[-1].close()
        times["window"].append(open_window(app, db, settings, cpu["window"]))
    return times, cpu


def choose(combo, mode: str) -> None:
    """Pick ``mode`` as a user does: open the list (which fills it), click the item."""
    combo.showPopup()
    index = combo.findData(mode)
    assert index >= 0, f"the group box offers no {mode!r}"
    combo.hidePopup()
    combo.setCurrentIndex(index)


def open_window(app: QApplication, db: Path, settings: QSettings, cpu: list[float]) -> float:
    """Milliseconds from nothing to the main window on ``db`` shown and painted."""
    from dlstudio.gui.main_window import MainWindow

    start, start_cpu = time.perf_counter(), time.process_time()
    window = MainWindow(AppContext.open(db, settings), confirm_stop=lambda *_: True,
                        devices=[("cpu", "CPU")])
    window.resize(1400, 800)
    window.show()
    app.processEvents()
    window.repaint()
    cpu.append((time.process_time() - start_cpu) * 1000)
    elapsed = (time.perf_counter() - start) * 1000
    window.close()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="1,000 runs, one repeat")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    count = args.runs or (1_000 if args.smoke else 10_000)
    repeats = args.repeats or (1 if args.smoke else 3)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "runs.db"
        start = time.perf_counter()
        build_database(db, count)
        print(f"built {count:,} runs in {time.perf_counter() - start:.1f} s")
        times, cpu = measure(db, repeats, Path(folder) / "settings.ini")
    medians = {key: statistics.median(values) for key, values in times.items()}
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for key, values in times.items():
        print(f"{key:>9}: median {medians[key]:7.1f} ms  (min {min(values):.1f}, "
              f"max {max(values):.1f}, n={len(values)})   CPU median "
              f"{statistics.median(cpu[key]):7.1f} ms, max {max(cpu[key]):.1f}")
    ratio = medians["open"] / medians["read"]
    print(f"open / store read (baseline) = {ratio:.2f}x   goal: open and re-filter < 200 ms")
    for key in ("open", "refilter", "query", "regroup", "sort", "window"):
        print(f"RESULT runs_table_{key}_ms {medians[key]:.1f}")
    print(f"RESULT runs_table_open_over_read {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
