"""Issue 13: picking a parameter key must not move the value field out from under the
mouse (the plan grew above it), and a one-value parameter says it is no search."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QPoint
from PySide6.QtWidgets import QApplication, QScrollArea

from dlstudio.gui.sweeps.sweep_panel import SweepPanel
from tests.gui.sweeps.test_sweep_panel import BASE, FakePrompts

EMPTY = {"method": "hyperband", "hyperband": {"max_epochs": 9, "eta": 3}, "metric": {"name": "dev_error"}, "parameters": {},
         "base": {"model": {"hidden": [16]}, "train": {"device": "cpu", "epochs": 1}}}


def _settle() -> None:
    for _ in range(4):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QCoreApplication.processEvents()


def test_picking_a_key_keeps_the_value_field_in_place(qtbot, app_context):
    # The form checks after a typing pause, as in the app: the plan comes later.
    panel = SweepPanel(app_context, prompts=FakePrompts(), debounce_ms=100)
    qtbot.addWidget(panel)
    panel.resize(1024, 640)
    panel.set_base_config(BASE)
    panel.form.load_mapping(EMPTY)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.plan_view.plan is None  # no parameter: nothing to plan yet
    editor = panel.form.params_editor
    editor.add_button.click()
    row = editor.rows[-1]
    _settle()
    scroll = next(w for w in panel.findChildren(QScrollArea) if w.widget() is panel.form)
    bar = scroll.verticalScrollBar()
    bar.setValue(bar.maximum())  # the user scrolled down to the new row
    _settle()
    panel.activateWindow()
    row.key.setFocus()  # Add parameter puts the cursor into the new key field
    qtbot.waitUntil(row.key.hasFocus)
    row.key.setCurrentText("optim.lr")  # the user picks a key; the row fills in
    _settle()
    bar.setValue(bar.maximum())
    assert bar.value() > 0
    before = row.low.mapTo(panel, QPoint(0, 0))
    assert panel.plan_view.plan is None
    qtbot.waitUntil(lambda: panel.plan_view.plan is not None)
    qtbot.waitUntil(lambda: panel.plan_view.table.isVisible() or panel.plan_view.total.isVisible())
    _settle()
    assert row.low.mapTo(panel, QPoint(0, 0)) == before


def test_a_one_value_parameter_warns_that_it_is_no_search(qtbot):
    from dlstudio.gui.sweeps.param_row import ParamRow

    row = ParamRow(["optim.name", "optim.lr"])
    qtbot.addWidget(row)
    row.show()
    row.key.setCurrentText("optim.name")  # fills in the default: one value
    assert row.warning.isVisible() and "not searched" in row.warning.text()
    qtbot.keyClicks(row.values, ", nesterov, momentum")
    assert row.spec()[0] == {"values": ["adam", "nesterov", "momentum"]}
    assert not row.warning.isVisible()
