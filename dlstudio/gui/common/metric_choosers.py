"""Metric keys listed for the user to pick, under their sections' headers
(``dlstudio.metric_sections``), with a filter box once the list is long.

``fill_metric_menu`` fills a menu of checkable keys (Compare's "Panels"), with
``add_section_header`` lines (also in the runs table's summary columns);
``fill_metric_combo`` a combo box of keys (Compare's single metric). Headers show only
when the keys fall in more than one section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QStringListModel, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QComboBox, QCompleter, QLabel, QLineEdit, QMenu,
                               QWidgetAction)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.metric_sections import group_metric_keys

LONG_LIST = 12  # more keys than this get a filter box
HEADER_STYLE = "font-weight: bold; padding: 4px 8px 2px 8px; color: palette(highlight);"


def fill_metric_menu(menu: QMenu, keys: Iterable[str], checked: set[str]) -> list[QAction]:
    """Append a checkable action per key (its ``data()`` is the key), grouped; returns them."""
    groups = group_metric_keys(keys)
    count = sum(len(members) for _, members in groups)
    metric_filter = MetricMenuFilter(menu) if count > LONG_LIST else None
    actions = []
    for section, members in groups:
        header = add_section_header(menu, section, len(members)) if len(groups) > 1 else None
        for key in members:
            action = QAction(key, menu)
            action.setCheckable(True)
            action.setChecked(key in checked)
            action.setData(key)
            menu.addAction(action)
            actions.append(action)
            if metric_filter is not None:
                metric_filter.add(action, header)
    return actions


def add_section_header(menu: QMenu, section: str, count: int) -> QWidgetAction:
    """A header line naming ``section`` and its ``count`` keys; it cannot be chosen."""
    label = QLabel(f"{section}  ({count})")
    label.setStyleSheet(HEADER_STYLE)
    header = QWidgetAction(menu)
    header.setDefaultWidget(label)
    header.setEnabled(False)
    header.setData(None)
    menu.addAction(header)
    return header


class MetricMenuFilter(QWidgetAction):
    """A line edit at the top of a metric menu: shows only the keys that contain it."""

    def __init__(self, menu: QMenu):
        super().__init__(menu)
        self.line = QLineEdit()
        self.line.setPlaceholderText("Filter metrics…")
        self.line.setClearButtonEnabled(True)
        self.setDefaultWidget(self.line)
        self.entries: list[tuple[QAction, QAction | None]] = []
        menu.addAction(self)
        self.line.textChanged.connect(self._on_text_changed)
        menu.aboutToShow.connect(self._on_menu_about_to_show)

    @Slot()
    def _on_menu_about_to_show(self) -> None:
        # Typing goes to the filter at once, not to the menu's mnemonic search.
        QTimer.singleShot(0, self.line.setFocus)

    def add(self, action: QAction, header: QAction | None) -> None:
        self.entries.append((action, header))

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        wanted = text.strip().lower()
        shown_headers = set()
        for action, header in self.entries:
            action.setVisible(wanted in action.data().lower())
            if action.isVisible() and header is not None:
                shown_headers.add(id(header))
        for header in {id(h): h for _, h in self.entries if h is not None}.values():
            header.setVisible(id(header) in shown_headers)


def fill_metric_combo(combo: QComboBox, keys: Iterable[str], label: Callable[[str], str]) -> None:
    """Refill ``combo`` with ``keys`` (item data) labelled ``label(key)``, under section
    headers that cannot be chosen; long lists get a type-to-filter completer."""
    groups = group_metric_keys(keys)
    model = QStandardItemModel(combo)
    labels = []
    for section, members in groups:
        if len(groups) > 1:
            model.appendRow(_header_item(section))
        for key in members:
            item = QStandardItem(label(key))
            item.setData(key, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
            labels.append(item.text())
    combo.setModel(model)  # deletes the model it had made (its child)
    long_list = len(labels) > LONG_LIST
    combo.setEditable(long_list)
    if long_list:
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.lineEdit().setPlaceholderText("Type to filter metrics")
        combo.setCompleter(MetricCompleter(combo, labels))


class MetricCompleter(QCompleter):
    """Offers the labels that contain what was typed; choosing one chooses its metric."""

    def __init__(self, combo: QComboBox, labels: list[str]):
        super().__init__(combo)
        self.setModel(QStringListModel(labels, self))
        self.combo = combo
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.activated[str].connect(self._on_activated)

    @Slot(str)
    def _on_activated(self, text: str) -> None:
        index = self.combo.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.combo.setCurrentIndex(index)


def _header_item(section: str) -> QStandardItem:
    item = QStandardItem(section)
    item.setFlags(Qt.ItemFlag.NoItemFlags)  # neither selectable nor enabled
    font = QFont()
    font.setBold(True)
    item.setFont(font)
    return item


def first_key_index(combo: QComboBox) -> int:
    """The index of the combo's first metric (not a header); -1 when it has none."""
    for index in range(combo.count()):
        if combo.itemData(index) is not None:
            return index
    return -1


__all__ = ["LONG_LIST", "MetricCompleter", "MetricMenuFilter", "add_section_header",
           "fill_metric_combo", "fill_metric_menu", "first_key_index"]
