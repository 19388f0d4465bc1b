"""A widget nobody references any more is freed at once, not by a later garbage collection.

A top-level widget belongs to its Python object. When a reference cycle held that object
(a helper keeping the widget or one of its bound methods), the widget lived on until
Python's cyclic collector ran, at any later moment: once inside Qt's event processing of
the widget's own plots, where its tab widget's ``currentChanged`` reached the panel's
already cleared Python side and the process crashed (a segmentation fault). Freed when
the last reference goes, a widget is deleted where its owner lets go of it.
"""

from __future__ import annotations

import gc
import weakref

import pytest
from PySide6.QtWidgets import QApplication

from dlstudio.gui.common.gc_pause import collector_paused
from dlstudio.store import Store
from tests.gui.runs.test_runs_panel import FakePrompts, add_run


def compare_tab_with_panels(context, db_path):
    from dlstudio.gui.compare.compare_panel import ComparePanel

    with Store(db_path) as store:
        runs = [add_run(store, optim=optim, lr=lr, curves={"loss": [2.0, 1.5, 1.1],
                                                           "dev_metric": [0.5, 0.8]})
                for optim, lr in (("adam", 1e-3), ("sgd", 0.1))]
    panel = ComparePanel(context, prompts=FakePrompts())
    panel.resize(1000, 700)
    panel.set_runs(runs)
    panel.tabs.setCurrentWidget(panel.panels_view)  # drawn when shown
    assert panel.panels_view.grid.plots
    return panel


def compare_plot(context, db_path):
    from dlstudio.gui.compare.run_curves_plot import RunCurvesPlot

    return RunCurvesPlot()


def live_plots(context, db_path):
    from dlstudio.gui.train.live_plots_view import LivePlotsView

    return LivePlotsView()


def sweep_results(context, db_path):
    from dlstudio.gui.sweeps.sweep_results_view import SweepResultsView

    return SweepResultsView()  # its plots' hover helpers follow the mouse


def diagnosis_curves(context, db_path):
    from dlstudio.gui.diagnosis.run_curves_view import RunCurvesView

    return RunCurvesView()  # two placed legends


def runs_tab(context, db_path):
    from dlstudio.gui.runs.runs_panel import RunsPanel

    with Store(db_path) as store:
        add_run(store, name="one")
    panel = RunsPanel(context, prompts=FakePrompts())
    assert panel.model.run_count() == 1
    return panel


def closed_main_window(context, db_path):
    from dlstudio.gui.main_window import MainWindow

    window = MainWindow(context, confirm_stop=lambda parent, running: True)
    window.show()
    window.close()
    return window


@pytest.mark.parametrize("build", [compare_tab_with_panels, compare_plot, live_plots,
                                   sweep_results, diagnosis_curves, runs_tab,
                                   closed_main_window])
def test_a_dropped_widget_is_freed_with_its_last_reference(qtbot, app_context, db_path,
                                                           build):
    widget = build(app_context, db_path)
    QApplication.processEvents()
    gone = weakref.ref(widget)
    with collector_paused():  # only reference counting may free it here
        del widget
        assert gone() is None, "a reference cycle keeps the dropped widget for the collector"
    gc.collect()  # whatever a cycle still held: no Qt slot or event filter may fail now
    QApplication.processEvents()
