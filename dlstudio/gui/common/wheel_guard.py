"""The mouse wheel scrolls forms, never the closed combo box or spin box under it.

Qt hands a wheel event to the widget under the pointer, so scrolling a long form
changed whatever combo box happened to pass under the cursor (an LR schedule flipped
from Constant to Step decay). ``install_wheel_guard`` puts one application-wide filter
in place: a combo box or spin box without keyboard focus passes the wheel on to the
scroll area around it; once the user clicked it (it has focus) the wheel changes it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox

_GUARDED = (QComboBox, QAbstractSpinBox)
_installed: list[QObject] = []  # keeps the Python filter alive with the application


class WheelGuard(QObject):
    """The filter; ``install_wheel_guard`` installs one per application."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt's name)
        # Every event of the application passes here: the cheap type test comes first.
        kind = event.type()
        if kind == QEvent.Type.Polish:
            if isinstance(watched, _GUARDED) and \
                    watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                # A wheel turn would otherwise give the box focus first, and then change it.
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if kind != QEvent.Type.Wheel or not isinstance(watched, _GUARDED) or watched.hasFocus():
            return False
        area = _scroll_area_around(watched)
        if area is not None:
            QCoreApplication.sendEvent(area.viewport(), _copy(event, area.viewport(), watched))
        event.accept()
        return True


def _scroll_area_around(widget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _copy(event: QWheelEvent, target, source) -> QWheelEvent:
    position = target.mapFromGlobal(source.mapToGlobal(event.position().toPoint()))
    return QWheelEvent(position.toPointF(), event.globalPosition(), event.pixelDelta(),
                       event.angleDelta(), event.buttons(), event.modifiers(), event.phase(),
                       event.inverted())


def install_wheel_guard() -> None:
    """Install the filter on the running application (once; later calls do nothing)."""
    app = QApplication.instance()
    if app is None or app.property("dlstudio_wheel_guard"):
        return
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    _installed.append(guard)
    app.setProperty("dlstudio_wheel_guard", True)
