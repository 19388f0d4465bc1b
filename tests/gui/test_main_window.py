"""The main window: empty state, status bar, panels, settings that persist, opening a saved run."""

from __future__ import annotations

import numpy as np

from tests.gui.helpers import FAST, fill_form, read_store, run_and_wait
from tests.gui.runs.test_runs_panel import select


def test_empty_state_and_status_bar(main_window, db_path):
    live = main_window.live_view
    assert live.stack.currentIndex() == 0
    assert "press <b>Run</b>" in live.empty_label.text()
    assert str(db_path.name) in main_window.status.database.text()
    assert main_window.status.device.text().startswith("Device: ")
    assert main_window.status.activity.text() == "Idle"
    assert main_window.tabs.tabText(0) == "Train"


def test_window_state_and_last_form_persist(qtbot, db_path, qt_settings):
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow

    first = MainWindow(AppContext.open(db_path, qt_settings))
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 560)  # the offscreen screen is small; restore clamps to it
    size = first.size()
    fill_form(first, {"optim.name": "sgd", "optim.lr": "0.02", "train.epochs": "4"})
    first.live_view.plots.options.smoothing.setValue(60)
    first.train.splitter.setSizes([500, 600])
    sizes = first.train.splitter.sizes()
    first.close()
    second = MainWindow(AppContext.open(db_path, qt_settings))
    qtbot.addWidget(second)
    second.show()
    try:
        config = second.form.config()
        assert (config.optim.name, config.optim.lr, config.train.epochs) == ("sgd", 0.02, 4)
        assert second.live_view.plots.options.smoothing.value() == 60
        assert second.size().height() == size.height()  # widths clamp to the tiny screen
        assert qt_settings.value("window/geometry") is not None
        assert abs(second.train.splitter.sizes()[0] - sizes[0]) < 80  # the form's column
    finally:
        second.close()


def test_a_first_window_fits_a_screen_smaller_than_its_default_size(qtbot, db_path,
                                                                     qt_settings):
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import DEFAULT_SIZE, MainWindow

    window = MainWindow(AppContext.open(db_path, qt_settings))  # nothing saved yet
    qtbot.addWidget(window)
    window.show()
    try:
        available = window.screen().availableGeometry().size()
        assert available.width() < DEFAULT_SIZE.width()  # offscreen's screen is 800x600
        assert window.isMaximized()
        least = window.minimumSizeHint()
        assert window.width() <= max(available.width(), least.width())
        assert window.height() <= max(available.height(), least.height())
    finally:
        window.close()


def open_from_runs_tab(window, run_id: int) -> None:
    """Select the run in the Runs tab and press Open, as a user does."""
    window.tabs.show_panel("runs")
    window.runs_panel.refresh()
    select(window.runs_panel, [run_id])
    window.runs_panel.open_button.click()
    assert window.tabs.currentWidget() is window.train  # the live view shows it


def test_open_saved_run_shows_its_stored_curves(qtbot, main_window, db_path):
    run_id, _ = run_and_wait(qtbot, main_window, FAST)
    open_from_runs_tab(main_window, run_id)
    trace = main_window.live_view.trace()
    assert trace.run_id == run_id and run_id not in main_window.live_view.active
    with read_store(db_path) as store:
        stored = store.read_curve(run_id, "loss")
    x, y = main_window.live_view.plots.curves["loss"].getOriginalDataset()
    np.testing.assert_array_equal(x, stored["step"])
    np.testing.assert_array_equal(y, stored["value"])
    assert "finished" in main_window.live_view.progress.title.text()


def test_closing_an_idle_window_asks_nothing(qtbot, db_path, qt_settings, stop_answer):
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow

    window = MainWindow(AppContext.open(db_path, qt_settings), confirm_stop=stop_answer)
    qtbot.addWidget(window)
    window.show()
    assert window.close()
    assert stop_answer.calls == 0
    window.shutdown()  # a second shutdown (aboutToQuit) does nothing


def test_app_main_opens_the_window_and_returns_when_it_closes(qtbot, tmp_path, qt_settings):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from dlstudio.gui.app import main
    from dlstudio.gui.main_window import MainWindow

    opened = []

    def close_the_window():
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        opened.extend(windows)
        for window in windows:
            window.close()
        QApplication.exit(0)

    # Closing the last window would also post a Quit event that could land in a later
    # test's event loop and end it at once: quit explicitly instead.
    app = QApplication.instance()
    app.setQuitOnLastWindowClosed(False)
    QTimer.singleShot(300, close_the_window)
    db_path = tmp_path / "new" / "runs.db"
    try:
        assert main(db_path, settings=qt_settings) == 0
    finally:
        app.setQuitOnLastWindowClosed(True)
    assert len(opened) == 1 and opened[0].context.db_path == db_path
    assert db_path.is_file() and opened[0]._closed


def test_app_main_reports_a_database_it_cannot_open(tmp_path, qt_settings, capsys):
    from dlstudio.gui.app import main

    db_path = tmp_path / "not-a-database.db"
    db_path.write_bytes(b"this is not SQLite" * 100)
    assert main(db_path, settings=qt_settings) == 2
    assert "error:" in capsys.readouterr().err


def test_a_long_saved_run_opens_downsampled_and_says_so(qtbot, main_window, db_path):
    from dlstudio.config import RunConfig
    from dlstudio.store import MetricWriter

    with read_store(db_path) as store:
        run_id = store.create_run(RunConfig().to_dict(), name="long", status="running")
        with MetricWriter(store, max_rows=50_000) as writer:
            for step in range(1, 30_001):
                writer.add(run_id, "loss", step, 1 + step // 1000, 1.0 / step, step * 1e-3)
        store.end_run(run_id, "finished", {"metric_name": "accuracy", "steps": 30_000,
                                           "epochs_done": 30})
    open_from_runs_tab(main_window, run_id)
    trace = main_window.live_view.trace()
    assert trace.count("loss") <= 20_000 and trace.totals["loss"] == 30_000
    assert "of 30,000 points" in main_window.live_view.plots.downsample_note.text()
    _, y = main_window.live_view.plots.curves["loss"].getOriginalDataset()
    assert y.max() == 1.0  # the first point (the peak) survives min/max downsampling
