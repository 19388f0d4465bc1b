"""Screenshots of the desktop app in each state, for the README and for looking at.

Opens the main window on a temporary database, fills the form, trains a short digits
run and saves PNGs (``QWidget.grab()``) of: the empty form, the live view while the
run trains and after it finished, the queue holding runs and a sweep, every other tab,
the Runs tab's details pane on the first run (top, and scrolled to where it came from
and what it used), the compare tab's panels in sections with a run a script logged
through the API (``train/loss``, ``val/acc``, ``sys.*``), and the diagnosis tab with a
learning curve by training-set size.

    python scripts/screenshot.py [FOLDER]            # default: docs/
    xvfb-run -a python scripts/screenshot.py shots/  # real X11 fonts and rendering
    xvfb-run -a python scripts/screenshot.py shots/ --size 1024x700 --size 1920x1080

``screenshot.png`` (the finished live view) is the README's picture. Runs offscreen
when no display is set. Never touches the user's settings or database.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget  # noqa: E402

from dlstudio.gui import qt_compat  # noqa: E402,F401  (PySide6 6.12 refcount fix)

FORM = {"data.name": "digits", "model.name": "mlp", "model.hidden": "256, 128",
        "optim.name": "adam", "optim.lr": "0.01", "schedule.name": "onecycle",
        "schedule.pct_start": "0.3", "train.epochs": "40",
        "train.batch_size": "16", "train.seed": "1", "name": "digits one-cycle"}


def pump(milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the state to capture")
        pump(50)


def save(widget: QWidget, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    widget.grab().save(str(path))
    print(f"saved {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="docs", help="where the PNGs go (docs/)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--size", action="append", default=[], metavar="WxH",
                        help="a window size to capture, e.g. 1024x700 (repeatable: each "
                             "size goes to its own sub-folder); overrides --width/--height")
    args = parser.parse_args(argv)
    if args.size:
        for size in args.size:
            width, _, height = size.lower().partition("x")
            if not (width.isdigit() and height.isdigit()):
                parser.error(f"--size: got {size!r}, expected WIDTHxHEIGHT, e.g. 1024x700")
            main([str(Path(args.folder) / size), "--width", width, "--height", height])
        return 0
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="dlstudio-shots-") as tmp:
        capture(app, Path(tmp), folder, args.width, args.height)
    return 0


def capture(app: QApplication, tmp: Path, folder: Path, width: int, height: int) -> None:
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow

    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(AppContext.open(tmp / "runs.db", settings),
                        confirm_stop=lambda *_: True)
    window.resize(width, height)
    window.show()
    form = window.form
    wait_until(lambda: "samples" in form.dataset_preview.label.text())
    pump(300)  # the layout catches up with the preview's new text
    save(window, folder, "01-new-run-form")

    form.set_config(FORM)
    wait_until(lambda: len(form.schedule_preview.lr_values) > 0)
    scroll = form.findChild(QScrollArea)
    scroll.ensureWidgetVisible(form.schedule_preview, 0, 40)
    pump(300)
    save(window, folder, "02-form-one-cycle-preview")
    scroll.verticalScrollBar().setValue(0)

    finished: list[int] = []
    window.run_finished.connect(lambda run_id, ended: finished.append(run_id))
    form.run_button.click()
    live = window.live_view
    wait_until(lambda: live.trace() is not None and live.trace().progress()["step"]
               > 0.4 * max(1, live.trace().total_steps))
    pump(250)
    save(window, folder, "03-live-view-training")

    wait_until(lambda: bool(finished))
    live.plots.options.smoothing.setValue(60)
    pump(300)
    save(window, folder, "04-live-view-finished")
    save(window, folder, "screenshot")  # the README's picture

    window.queue_view.hold_button.click()
    for lr in ("0.003", "0.0003"):
        form.set_config({"optim.lr": lr, "schedule.name": "constant", "train.epochs": "15",
                         "name": f"digits adam lr {lr}"})
        form.queue_button.click()
    sweeps = window.tabs.panel("sweeps")
    sweeps.set_base_config(form.config().replace(**{"train.epochs": 4}))
    sweeps.start_sweep()  # waits behind the runs in the same queue
    pump(300)
    save(window, folder, "05-queue-held")

    window.queue_view.hold_button.click()  # train them, for the runs and compare tabs
    controller = window.controller
    wait_until(lambda: len(finished) == 3 and not controller.sessions
               and not controller.sweep_sessions and not len(controller.queue), timeout=600)
    pump(300)
    for index in range(1, window.tabs.count()):
        panel = window.tabs.widget(index)
        if hasattr(panel, "refresh"):
            panel.refresh()
        if hasattr(panel, "set_runs"):
            panel.set_runs(finished)
        window.tabs.setCurrentIndex(index)
        pump(500)
        save(window, folder, f"{5 + index:02d}-{window.tabs.tabText(index).lower()}-tab")
    capture_run_details(window, folder, finished[0])
    capture_panel_sections(window, folder, tmp / "runs.db", finished)
    capture_learning_curve(window, folder)
    window.close()


def capture_run_details(window, folder: Path, run_id: int) -> None:
    """The Runs tab with the details pane on ``run_id``: its top, then scrolled to the
    reproducibility and resources sections."""
    runs = window.tabs.show_panel("runs")
    runs.details_button.setChecked(True)
    runs.select_run_ids([run_id], current=run_id)
    wait_until(lambda: runs.details.run_id == run_id)
    pump(300)
    save(window, folder, "15-runs-details")
    tree = runs.details.tree
    for index in range(tree.topLevelItemCount()):
        if tree.topLevelItem(index).text(0) == "Reproducibility":
            tree.scrollToItem(tree.topLevelItem(index), tree.ScrollHint.PositionAtTop)
    pump(300)
    save(window, folder, "16-runs-details-reproducibility")
def capture_panel_sections(window, folder: Path, db: Path, trained: list[int]) -> None:
    """Compare's panels: the app's runs beside one logged with prefixed keys by a script."""
    import math

    import dlstudio

    with dlstudio.start_run({"lr": 0.01, "model": "mlp"}, name="script via API", db=db) as run:
        for step in range(0, 600, 5):
            run.log({"train/loss": 2.3 * math.exp(-step / 150) + 0.05,
                     "train/accuracy": 1 - 0.9 * math.exp(-step / 120),
                     "val/loss": 2.3 * math.exp(-step / 180) + 0.12,
                     "val/accuracy": 0.95 - 0.85 * math.exp(-step / 150),
                     "sys.gpu_util": 70 + 20 * math.sin(step / 40)}, step=step)
    compare = window.tabs.show_panel("compare")
    compare.set_runs([*trained, run.id])
    compare.tabs.setCurrentWidget(compare.panels_view)
    compare.panels_view.grid.sections["Charts"].header.click()  # the script's sections
    pump(500)
    save(window, folder, "21-compare-panel-sections")
    button = compare.panels_view.panels_button
    menu = button.menu()
    menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
    pump(300)
    save(menu, folder, "22-compare-panels-menu")
    menu.hide()
    compare.tabs.setCurrentIndex(0)
    compare.metric_chooser.showPopup()
    pump(300)
    save(compare.metric_chooser.view().window(), folder, "23-compare-metric-chooser")
    compare.metric_chooser.hidePopup()


def capture_learning_curve(window, folder: Path) -> None:
    """Train the learning curve of the run the diagnosis shows, through the queue."""
    diagnosis = window.tabs.show_panel("diagnosis")
    box = diagnosis.learning
    box.train_button.click()
    controller = window.controller
    wait_until(lambda: not controller.sessions and not len(controller.queue), timeout=600)
    diagnosis.refresh_runs()
    pump(500)
    save(window, folder, "20-diagnosis-learning-curve")


if __name__ == "__main__":
    sys.exit(main())
