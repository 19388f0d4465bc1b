"""The mouse wheel over a closed combo box scrolls the form instead of changing it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea


def _wheel(widget, notches: int = -1) -> None:
    """One real wheel turn over the middle of ``widget``, as the window system sends it."""
    local = QPointF(widget.rect().center())
    event = QWheelEvent(local, QPointF(widget.mapToGlobal(local.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_wheel_over_unfocused_combo_scrolls_the_form(qtbot, main_window):
    main_window.resize(1024, 500)
    form = main_window.form
    combo = form.fields["schedule.name"].combo
    scroll = next(w for w in form.findChildren(QScrollArea) if w.isAncestorOf(combo))
    bar = scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    scroll.ensureWidgetVisible(combo)
    before_index, before_scroll = combo.currentIndex(), bar.value()
    main_window.tabs.setFocus()
    _wheel(combo, -1)
    assert combo.currentIndex() == before_index
    qtbot.waitUntil(lambda: bar.value() != before_scroll)

    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    _wheel(combo, -1)  # clicked into, the wheel changes it as usual
    assert combo.currentIndex() != before_index


def test_combo_does_not_take_focus_from_the_wheel(qtbot, main_window):
    combo = main_window.form.fields["schedule.name"].combo
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus
