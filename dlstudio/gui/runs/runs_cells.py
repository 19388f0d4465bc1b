"""What a cell of the runs tree answers for each role: a run's row, or a group's row
(its label and run count, and its best run's numbers).

Painting asks a dozen roles of every cell on screen, so the roles and the answers that
never change are plain values here, not Qt enum lookups and ORs on each call.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from dlstudio import formatting
from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.runs import runs_cv
from dlstudio.gui.runs.run_grouping import Group
from dlstudio.gui.runs.run_row import RunRow
from dlstudio.gui.runs.runs_model import (CV_COLUMN, GROUP_ROLE, RUN_ID_ROLE, SORT_ROLE,
                                          STATUS_COLORS, STATUS_COLUMN, run_tooltip)

NAME_COLUMN = 1
_DISPLAY, _ALIGNMENT, _FOREGROUND, _TOOLTIP, _FONT = (int(role) for role in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.FontRole))
_SORT, _RUN_ID, _GROUP = int(SORT_ROLE), int(RUN_ID_ROLE), int(GROUP_ROLE)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def run_data(row: RunRow, column: int, role: int, columns: Sequence):
    """A run's cell."""
    if role == _DISPLAY:
        return row.texts[column]
    if role == _SORT:
        return row.sort_key(column)
    if role == _RUN_ID:
        return row.record["id"]
    if role == _ALIGNMENT and columns[column].numeric:
        return _RIGHT
    if role == _FOREGROUND and column == STATUS_COLUMN:
        color = STATUS_COLORS.get(row.record.get("status"))
        return QColor(color) if color else None
    if role == _TOOLTIP:
        if column == CV_COLUMN and runs_cv.cv_summary(row.record) is not None:
            return runs_cv.cv_tooltip(row.record)
        return run_tooltip(row.run)  # decodes this run's environment
    return None


def group_data(group: Group, column: int, role: int, columns: Sequence):
    """A group row's cell: bold, its label and size, the numbers of its best run."""
    best = group.runs[0]
    if role == _DISPLAY:
        if column == NAME_COLUMN:
            return f"{group.label}  ({formatting.count(len(group.runs), 'run')})"
        return best.texts[column] if columns[column].numeric and column else ""
    if role == _GROUP:
        return group.key
    if role == _SORT:
        return best.sort_key(column)
    if role == _FONT:
        font = QFont()
        font.setBold(True)
        return font
    if role == _ALIGNMENT and columns[column].numeric:
        return _RIGHT
    if role == _TOOLTIP:
        return (f"{group.label}: {formatting.count(len(group.runs), 'run')}, best first; "
                f"numbers are the best run's ({best.record.get('name')})")
    return None
