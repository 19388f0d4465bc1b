"""The menu bar's actions and shortcuts, the About box, the preferences dialog's theme,
dark plots."""

from __future__ import annotations

import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QMessageBox

import dlstudio
from tests.gui.helpers import FAST, fill_form


def _shortcuts(action) -> set[str]:
    return {key.toString(QKeySequence.SequenceFormat.PortableText) for key in action.shortcuts()}


def test_menu_actions_have_the_standard_shortcuts(main_window):
    menus = main_window.menus
    assert "Ctrl+Q" in _shortcuts(menus.quit)
    assert "Ctrl+Return" in _shortcuts(menus.run) and "Ctrl+Enter" in _shortcuts(menus.run)
    assert "Ctrl+F" in _shortcuts(menus.filter)
    assert "F5" in _shortcuts(menus.refresh)
    assert "Ctrl+," in _shortcuts(menus.preferences)
    titles = [action.text() for action in main_window.menuBar().actions()]
    assert titles == ["&File", "&Run", "&View", "&Help"]


def test_ctrl_f_focuses_the_runs_filter_and_ctrl_enter_runs(qtbot, main_window):
    qtbot.waitExposed(main_window)
    main_window.activateWindow()
    qtbot.keyClick(main_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    runs = main_window.tabs.panel("runs")
    assert main_window.tabs.current_panel() is runs
    qtbot.waitUntil(runs.search.hasFocus)
    fill_form(main_window, FAST)
    with qtbot.waitSignal(main_window.run_finished, timeout=30_000):
        main_window.menus.run.trigger()
    assert main_window.tabs.current_panel() is main_window.train


def test_f5_is_offered_only_where_a_tab_rereads(qtbot, main_window):
    for key in ("runs", "diagnosis"):  # Diagnosis re-reads its run list
        main_window.tabs.show_panel(key)
        assert main_window.menus.refresh.isEnabled(), key
    main_window.tabs.show_panel("train")
    assert not main_window.menus.refresh.isEnabled()


def test_dark_theme_from_preferences_colours_widgets_and_plots(qtbot, db_path, qt_settings):
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow

    answers = ["dark"]
    window = MainWindow(AppContext.open(db_path, qt_settings), confirm_stop=lambda *_: True,
                        preferences=lambda parent, theme: answers.pop())
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    window.menus.preferences.trigger()
    assert qt_settings.value("appearance/theme") == "dark"
    qtbot.waitUntil(lambda: window.palette().color(QPalette.ColorRole.Window).lightness() < 80)
    plot = window.live_view.plots.plot_widgets["loss"]
    corner = plot.grab().toImage().pixelColor(3, 3)
    assert corner.lightness() < 60, corner.name()
    axis = plot.getPlotItem().getAxis("left")
    assert axis.textPen().color().lightness() > 150
    legend = plot.getPlotItem().legend  # built light, before the switch
    assert legend.brush().color().lightness() < 60 and legend.brush().color().alpha() < 255
    assert legend.opts["labelTextColor"].lightness() > 150
    window.close()
    # The choice is remembered: the next window opens dark.
    again = MainWindow(AppContext.open(db_path, qt_settings), confirm_stop=lambda *_: True)
    qtbot.addWidget(again)
    assert again.theme.choice == "dark" and again.theme.scheme == "dark"
    again.theme.apply("light")
    again.close()


def test_ctrl_and_a_number_brings_that_tab_forward(qtbot, main_window):
    qtbot.waitExposed(main_window)
    main_window.activateWindow()
    for number, key in ((4, "sweeps"), (2, "runs"), (7, "optimizer_lab"), (1, "train")):
        qtbot.keyClick(main_window, getattr(Qt.Key, f"Key_{number}"),
                       Qt.KeyboardModifier.ControlModifier)
        assert main_window.tabs.current_panel() is main_window.tabs.panel(key), number
    assert [action.text().split(" ", 1)[1] for action in main_window.menus.tab_actions] == [
        main_window.tabs.tabText(i) for i in range(main_window.tabs.count())]


def test_about_names_the_version_database_software_and_devices(qtbot, main_window, db_path):
    main_window.menus.about.trigger()
    box = main_window.findChild(QMessageBox)
    qtbot.waitUntil(box.isVisible)
    details = box.informativeText()
    assert f"dlstudio {dlstudio.__version__}" in box.text() + details
    assert str(db_path) in details
    assert f"torch {torch.__version__}" in details and "Devices: cpu" in details
    box.close()
