"""GUI responsiveness while a run trains at full speed, and the cost of overlaying saved runs.

Measures, offscreen, in one process:

1. Throughput: the same digits MLP run trained headless (``execute_run``, no GUI) and
   from one open main window (worker thread, coalesced batches, live plots), in
   alternation. On a shared 2-core VM the rate of a single run moves by +-10 % (within a
   run, half-second windows span 1,300-2,100 steps/s), so the headline ratio pools all
   GUI runs against all headless runs (steps over seconds); each GUI run's ratio to the
   headless runs just before and after it is printed too.
2. Timer lateness: in separate GUI runs, how late a 10 ms precise QTimer fires in the
   GUI thread (p50, p99) while the run trains. The probe wakes the GUI thread 100 times
   a second, which costs the training thread ~2 % (each wake-up takes the GIL), so it is
   kept out of the throughput runs; their own throughput is printed too.
3. Overlaying 20 saved runs of 50,000 loss points each: loading (downsampled in SQL)
   plus ``setData`` of all curves and one paint, through ``ComparePanel`` when it exists.

One short headless run and one short GUI run come first, unmeasured: the first run in a
process pays one-time costs (lazy imports, first paints) that are not throughput. The
window is opened once and left open, as a user's is; ``gc.freeze()`` follows its opening
as in ``dlstudio.gui.app``.

    python benchmarks/gui_latency.py            # full
    python benchmarks/gui_latency.py --smoke    # a quick CI variant

Ends with ``RESULT gui_timer_p99_ms <x>``, ``RESULT gui_throughput_ratio <x>``,
``RESULT gui_training_wait_share <x>`` (the share of a GUI run's duration its training
thread spent off the CPU) and ``RESULT overlay_20_runs_s <x>``. Targets: p99 < 50 ms,
ratio >= 0.9, overlay < 0.5 s. The smoke variant's runs last a fraction of a second: its
ratio says nothing about throughput.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QObject, QSettings, Qt, QTimer, Slot  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from dlstudio.config import RunConfig  # noqa: E402
from dlstudio.gui import qt_compat  # noqa: E402,F401  (PySide6 6.12 refcount fix)
from dlstudio.store import MetricWriter, Store  # noqa: E402
from dlstudio.training.run_job import create_run, execute_run  # noqa: E402

TIMER_MS = 10
OVERLAY_REPEATS = 3


def train_config(epochs: int) -> RunConfig:
    return RunConfig.from_dict({"data.name": "digits", "model.name": "mlp", "model.hidden": [64],
                                "train.epochs": epochs, "train.batch_size": 16,
                                "train.device": "cpu", "train.checkpoints": False})


def headless_run(db_path: Path, config: RunConfig) -> dict:
    """The summary of ``config`` trained by ``execute_run``, no GUI."""
    with Store(db_path) as store:
        run_id = create_run(store, config)
    return execute_run(db_path, run_id).summary


class TimerProbe(QObject):
    """Quits a loop when the run ends; with ``ticking``, records when a precise 10 ms
    timer fires while it trains."""

    def __init__(self, loop: QEventLoop, ticking: bool):
        super().__init__()
        self.loop = loop
        self.ticking = ticking
        self.ticks: list[float] = []
        self.ended: dict = {}
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TIMER_MS)
        self.timer.timeout.connect(self._on_timeout)

    @Slot()
    def _on_timeout(self) -> None:
        self.ticks.append(time.perf_counter())

    @Slot(int)
    def _on_run_started(self, run_id: int) -> None:
        self.ticks.clear()
        if self.ticking:
            self.timer.start()

    @Slot(int, dict)
    def _on_run_finished(self, run_id: int, ended: dict) -> None:
        self.timer.stop()
        self.ended = ended
        self.loop.quit()

    def lateness_ms(self) -> np.ndarray:
        return np.clip(np.diff(self.ticks) * 1e3 - TIMER_MS, 0, None)


class OpenWindow:
    """One main window on its own database, kept open for every GUI run, as a user's is."""

    def __init__(self, folder: Path):
        from dlstudio.gui.context import AppContext
        from dlstudio.gui.main_window import MainWindow

        folder.mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(AppContext.open(folder / "gui.db", settings),
                                 confirm_stop=lambda *_: True)
        self.window.resize(1280, 800)
        self.window.show()
        settle(1000)  # the first layout, paint and form previews, before a user presses Run
        gc.freeze()  # as gui.app does once the window is up

    def train(self, config: RunConfig, probe_timer: bool) -> tuple[dict, np.ndarray, int]:
        """Train ``config`` through the window's controller; returns the run's summary,
        timer lateness (empty without ``probe_timer``) and the loss points in the live view."""
        loop = QEventLoop()
        probe = TimerProbe(loop, probe_timer)
        self.window.run_started.connect(probe._on_run_started)
        self.window.run_finished.connect(probe._on_run_finished)
        QTimer.singleShot(0, lambda: self.window.controller.run_now(config))
        loop.exec()
        self.window.run_started.disconnect(probe._on_run_started)
        self.window.run_finished.disconnect(probe._on_run_finished)
        settle(300)  # the run's end is drawn before the next run starts
        points = self.window.live_view.trace().count("loss")
        return probe.ended["summary"], probe.lateness_ms(), points

    def close(self) -> None:
        self.window.close()
        settle(100)


def settle(milliseconds: int) -> None:
    """Run the event loop for a while."""
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def write_saved_runs(db_path: Path, runs: int, steps: int) -> list[int]:
    """``runs`` finished runs with a ``loss`` curve of ``steps`` points, via the store's writer."""
    rng = np.random.default_rng(0)
    config = train_config(1).to_dict()
    ids = []
    with Store(db_path) as store:
        writer = MetricWriter(store, max_rows=50_000)
        for index in range(runs):
            run_id = store.create_run(config, name=f"saved {index}", status="running")
            loss = 2.0 / np.sqrt(np.arange(1, steps + 1)) + rng.random(steps) * 0.05
            for step, value in enumerate(loss, start=1):
                writer.add(run_id, "loss", step, 1 + step // 100, float(value), step * 1e-3)
            writer.flush()
            store.end_run(run_id, "finished", {"metric_name": "accuracy", "steps": steps})
            ids.append(run_id)
    return ids


def overlay_seconds(app: QApplication, db_path: Path, run_ids: list[int]) -> tuple[float, str]:
    """Time loading + setData of every run's loss curve and one paint."""
    try:
        from dlstudio.gui.compare.compare_panel import ComparePanel
        from dlstudio.gui.context import AppContext
    except ImportError:
        return overlay_with_plot_items(app, db_path, run_ids), "PlotDataItems"
    settings = QSettings(str(db_path.parent / "overlay-settings.ini"), QSettings.Format.IniFormat)
    context = AppContext.open(db_path, settings)
    times = []
    for _ in range(OVERLAY_REPEATS):  # a fresh view each time; the median is reported
        gc.collect()
        view = ComparePanel(context)
        view.resize(1200, 700)
        view.show()
        app.processEvents()
        started = time.perf_counter()
        view.set_runs(run_ids)
        app.processEvents()
        view.grab()
        times.append(time.perf_counter() - started)
        view.close()
        view.deleteLater()
    context.close()
    return float(np.median(times)), "ComparePanel"


def overlay_with_plot_items(app: QApplication, db_path: Path, run_ids: list[int]) -> float:
    import pyqtgraph as pg

    from dlstudio.gui.common.plot_tools import configure_plot

    widget = pg.PlotWidget()
    widget.resize(1200, 700)
    widget.show()
    configure_plot(widget.getPlotItem(), "Loss")
    curves = [widget.plot(pen=pg.intColor(i)) for i in range(len(run_ids))]
    app.processEvents()
    gc.collect()
    started = time.perf_counter()
    with Store(db_path, mark_orphans=False) as store:
        for curve, run_id in zip(curves, run_ids):
            data = store.read_curve(run_id, "loss", max_points=4000)
            curve.setData(data["step"].astype(np.float64), data["value"])
    app.processEvents()
    widget.grab()
    return time.perf_counter() - started


def throughput_rounds(folder: Path, window: OpenWindow, config: RunConfig,
                      rounds: int) -> tuple[list, list]:
    """Headless, GUI, headless, ... GUI, headless: the summary of each."""
    headless = [headless_run(folder / "headless.db", config)]
    gui = []
    for _ in range(rounds):
        gui.append(window.train(config, probe_timer=False)[0])
        headless.append(headless_run(folder / "headless.db", config))
    return headless, gui


def rate(runs: list[dict]) -> float:
    """Steps per second over all ``runs`` (summaries) together."""
    return sum(run["steps"] for run in runs) / sum(run["duration"] for run in runs)


def waiting(runs: list[dict]) -> float:
    """The share of its time the training thread was off the CPU (waiting for the GIL,
    mostly), over all ``runs``: a figure the machine's speed swings barely move."""
    return 1 - sum(run["cpu_time"] for run in runs) / sum(run["duration"] for run in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a short run for CI")
    parser.add_argument("--rounds", type=int, default=None,
                        help="GUI runs compared with headless ones (default 8; smoke 1)")
    args = parser.parse_args(argv)
    epochs, runs, steps = (4, 4, 5_000) if args.smoke else (100, 20, 50_000)
    rounds = args.rounds or (1 if args.smoke else 8)
    latency_rounds = 1 if args.smoke else 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    config = train_config(epochs)
    with tempfile.TemporaryDirectory(prefix="dlstudio-bench-") as tmp:
        folder = Path(tmp)
        window = OpenWindow(folder / "gui")
        headless_run(folder / "warm-up.db", train_config(2))
        window.train(train_config(2), probe_timer=False)
        headless, gui = throughput_rounds(folder, window, config, rounds)
        probed, probed_headless = [], headless[-1:]
        for _ in range(latency_rounds):  # bracketed by headless runs too
            probed.append(window.train(config, probe_timer=True))
            probed_headless.append(headless_run(folder / "headless.db", config))
        window.close()
        saved = write_saved_runs(folder / "saved.db", runs, steps)
        overlay, how = overlay_seconds(app, folder / "saved.db", saved)
        direct = overlay_with_plot_items(app, folder / "saved.db", saved)
    late = np.concatenate([lateness for _, lateness, _ in probed])
    points = probed[-1][2]
    p50, p99 = np.percentile(late, [50, 99]) if len(late) else (float("nan"),) * 2
    pairs = [rate([run]) / rate(headless[i:i + 2]) for i, run in enumerate(gui)]
    ratio = rate(gui) / rate(headless)
    probed_ratio = rate([summary for summary, _, _ in probed]) / rate(probed_headless)
    rows = [
        ("run trained", f"{points:,} steps ({epochs} epochs, digits MLP, batch 16)"),
        ("headless steps/s (each run)", " / ".join(f"{rate([run]):,.0f}" for run in headless)),
        ("GUI steps/s (between them)", " / ".join(f"{rate([run]):,.0f}" for run in gui)),
        ("GUI / headless, each pair", " / ".join(f"{value:.3f}" for value in pairs)
                                      + f"   (median {np.median(pairs):.3f})"),
        ("throughput ratio GUI / headless", f"{ratio:.3f}   (all {rounds} GUI runs' steps/s over "
                                            f"all {rounds + 1} headless runs'; target >= 0.9)"
                                            + ("; smoke runs are too short to count"
                                               if args.smoke else "")),
        ("  same, with the timer probe", f"{probed_ratio:.3f}   ({latency_rounds} run(s))"),
        ("training thread off the CPU", f"GUI {waiting(gui):.1%}, headless {waiting(headless):.1%}"
                                        "   (1 - its CPU seconds / duration)"),
        (f"{TIMER_MS} ms timer lateness p50 / p99", f"{p50:.2f} / {p99:.2f} ms   "
                                                    f"({len(late):,} ticks; target p99 < 50)"),
        (f"overlay {runs} runs x {steps:,} steps", f"{overlay:.3f} s via {how}, median of "
                                                    f"{OVERLAY_REPEATS}   (target < 0.5)"),
        ("  same, read_curve(4,000) + setData", f"{direct:.3f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"dlstudio GUI latency ({'smoke' if args.smoke else 'full'}; {os.cpu_count()} CPU "
          f"cores, load average {os.getloadavg()[0]:.2f}, Qt {os.environ['QT_QPA_PLATFORM']})")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print(f"RESULT gui_timer_p99_ms {p99:.2f}")
    print(f"RESULT gui_throughput_ratio {ratio:.3f}")
    print(f"RESULT gui_training_wait_share {waiting(gui):.3f}")
    print(f"RESULT overlay_20_runs_s {overlay:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
