"""Issue 13: the live view's controls and read-out stay true as runs start and end."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QPointF

from dlstudio.gui.workers.event_bridge import EventBridge
from tests.gui.train.test_live_view import batch

START = {"epochs": 10, "steps_per_epoch": 100, "start_step": 0, "metric_name": "accuracy"}


def _live_view(qtbot):
    from dlstudio.gui.train.live_view import LiveView

    view = LiveView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def _start(view, run_id: int, steps: int) -> EventBridge:
    bridge = EventBridge(run_id)
    view.watch(bridge, f"run {run_id}")
    bridge.run_started.emit(run_id, START)
    bridge.points_arrived.emit(run_id, batch(1, steps))
    return bridge


def _settle_layouts() -> None:
    """Deliver the layout requests a shown widget posted (nested layouts post in turn)."""
    for _ in range(4):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QCoreApplication.processEvents()


def test_pause_and_stop_stay_put_when_a_second_run_starts(qtbot):
    view = _live_view(qtbot)
    _start(view, 1, 50)
    buttons = (view.progress.pause_button, view.progress.stop_button)
    qtbot.waitUntil(lambda: all(b.isVisible() for b in buttons))
    _settle_layouts()
    before = [b.mapTo(view, QPoint(0, 0)) for b in buttons]
    _start(view, 2, 50)
    qtbot.waitUntil(view.selector_row.isVisible)
    _settle_layouts()
    assert [b.mapTo(view, QPoint(0, 0)).y() for b in buttons] == [p.y() for p in before]


def test_stop_button_reads_stop_again_once_the_run_stopped(qtbot):
    view = _live_view(qtbot)
    bridge = _start(view, 1, 50)
    stop = view.progress.stop_button
    with qtbot.waitSignal(view.stop_requested):
        stop.click()
    assert stop.text() == "Stopping…"
    bridge.run_ended.emit(1, {"status": "stopped", "summary": {"epochs_done": 0}})
    qtbot.waitUntil(lambda: stop.text() == "Stop")
    assert not stop.isEnabled()


def _hover(view, x_value: float) -> str:
    plot = view.plots.plots["loss"]
    y_mid = sum(plot.vb.viewRange()[1]) / 2
    scene_point = plot.vb.mapViewToScene(QPointF(x_value, y_mid))
    plot.scene().sigMouseMoved.emit(scene_point)
    return view.plots.readout.text()


def test_readout_belongs_to_the_run_shown_and_ends_with_it(qtbot):
    view = _live_view(qtbot)
    first = _start(view, 1, 900)
    first.run_ended.emit(1, {"status": "finished", "summary": {}})
    qtbot.waitUntil(lambda: view.plots.curves["loss"].getOriginalDataset()[0] is not None)
    assert _hover(view, 850).startswith("step 850")
    second = _start(view, 2, 100)
    second.run_ended.emit(2, {"status": "finished", "summary": {}})
    # The read-out of run 1 is gone when run 2 shows, and run 2 has no step 850.
    assert "850" not in view.plots.readout.text()
    qtbot.waitUntil(lambda: len(view.plots.curves["loss"].getOriginalDataset()[0]) == 100)
    view.plots.plots["loss"].setXRange(0, 900, padding=0)
    assert "no point here" in _hover(view, 850)
    assert _hover(view, 60).startswith("step 60")


def test_small_plots_fit_their_titles_at_1024_px(qtbot, db_path, qt_settings):
    """Issue 13: the LR and momentum plots of a one-cycle run were clipped (title and
    legend cut) in the 1024 px window."""
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow

    window = MainWindow(AppContext.open(db_path, qt_settings), confirm_stop=lambda *_: True)
    qtbot.addWidget(window)
    window.showNormal()  # not maximised to offscreen's 800x600 screen, as a first window is
    window.resize(1024, 700)
    qtbot.waitExposed(window)
    view = window.live_view
    bridge = _start(view, 1, 900)
    momentum = batch(1, 900)
    bridge.run_ended.emit(1, {"status": "finished", "summary": {}})
    view.plots.trace.add_batch({"steps": {**momentum["steps"], "momentum": momentum["steps"]["lr"]},
                                "epochs": None})
    view.plots.refresh(force=True)
    _settle_layouts()
    assert window.width() == 1024 and window.minimumSizeHint().width() <= 1024
    for name in ("lr", "momentum", "metric"):
        widget = view.plots.plot_widgets[name]
        assert widget.isVisible()
        title = widget.getPlotItem().titleLabel
        assert title.item.boundingRect().width() <= widget.width(), name
    for name in ("lr", "momentum"):
        assert view.plots.plots[name].legend is None, name
    window.close()
