"""The compare tab's panels: several metrics at once, runs grouped into mean and band.

Panels come in W&B-style sections, one per key prefix (``train/loss`` in ``train``),
each collapsible (``panel_sections``). Choose the panels (any logged key, listed by
section; remembered in ``QSettings`` with the collapsed sections), how runs group (same
config but the seed, a tag, or not at all), whether a group is drawn as its mean with a
min–max or ± sd band or as its single runs, and the x axis (step, epoch, time since
the run started, wall-clock time). Saves the grid as PNG or SVG at a chosen size and
every point of the selected runs' curves as one long CSV.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMenu, QPushButton, QSpinBox,
                               QToolButton, QVBoxLayout, QWidget)

from dlstudio import formatting
from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.config import flatten
from dlstudio.errors import ConfigError
from dlstudio.gui.common.plot_tools import PlotOptionsBar, ema_smooth, steps_to_epochs
from dlstudio.gui.compare.curve_bands import GROUP_BY_CONFIG, GROUP_BY_TAG, GROUP_NONE, group_runs
from dlstudio.gui.common.export import save_image
from dlstudio.gui.common.metric_choosers import fill_metric_menu
from dlstudio.gui.compare.metric_panel_grid import DRAW_CHOICES, Series
from dlstudio.gui.compare.panel_sections import SectionedPanels
from dlstudio.metric_sections import (BUILT_IN_METRICS, SYSTEM_SECTION, group_metric_keys,
                                      metric_section)
from dlstudio.store import read_curves
from dlstudio.store.curves_csv import write_curves_long_csv

X_CHOICES = {"step": "Step", "epoch": "Epoch", "relative": "Time since start (s)",
             "wall": "Wall-clock time"}
GROUP_CHOICES = {GROUP_BY_CONFIG: "Group: same config but seed", GROUP_BY_TAG: "Group: by tag",
                 GROUP_NONE: "No groups"}
# Shown until the user chooses: these of the app's own keys, and every key a script
# logged or an importer brought but the system samples (their section is one click).
DEFAULT_PANELS = ("loss", "dev_loss", "dev_metric", "lr")
PANELS_KEY, HIDDEN_KEY = "compare/panels", "compare/hidden_panels"
COLLAPSED_KEY = "compare/collapsed_sections"
EPOCH_KEY = "train_loss"  # logged once per epoch, at the epoch's last step
POINTS = 2000


class MetricPanelsView(QWidget):
    """Panels for the runs given to ``set_runs`` (store rows)."""

    def __init__(self, context, prompts, parent: QWidget | None = None):
        super().__init__(parent)
        self.context, self.prompts = context, prompts
        self.db_path, self.settings = context.db_path, context.settings
        self.runs: list[dict] = []
        self.keys: list[str] = []
        # (run id, key) -> its curve, or None for a key the run has no points of (most
        # keys of a script's run beside the app's): read once, not at every redraw.
        self._curves: dict[tuple[int, str], dict | None] = {}
        self._build()

    def _build(self) -> None:
        self.panels_button = QToolButton(text="Panels")
        self.panels_button.setToolTip("The metrics to show, one panel each")
        self.panels_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.panels_button.setMenu(QMenu(self))
        self.x_axis = _combo(X_CHOICES)
        self.draw = _combo(DRAW_CHOICES)
        self.group_by = _combo(GROUP_CHOICES)
        self.options = PlotOptionsBar(with_x_axis=False)
        self.image_width, self.image_height = _spin(1600), _spin(1000)
        self.save_button = QPushButton("Save image…")
        self.save_button.setToolTip("The panels as a PNG image or an SVG drawing of the size "
                                    "on the left")
        self.csv_button = QPushButton("Export curves CSV…")
        self.csv_button.setToolTip("Every point of every metric of the compared runs, one "
                                   "line per run, metric and step")
        self.grid = SectionedPanels()
        self.message = QLabel()
        top = QHBoxLayout()
        for widget in (self.panels_button, self.group_by, self.draw, QLabel("x axis"),
                       self.x_axis):
            top.addWidget(widget)
        top.addWidget(self.options, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        for widget in (QLabel("Image"), self.image_width, QLabel("×"), self.image_height,
                       self.save_button, self.csv_button):
            bottom.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)
        layout.addLayout(bottom)
        self.panels_button.menu().triggered.connect(self._on_panel_toggled)
        self.grid.section_toggled.connect(self._on_section_toggled)
        for combo in (self.x_axis, self.draw, self.group_by):
            combo.currentIndexChanged.connect(self._on_choice_changed)
        self.options.options_changed.connect(self._on_choice_changed)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.csv_button.clicked.connect(self._on_csv_clicked)

    # -- public --------------------------------------------------------------------
    def set_runs(self, runs: list[dict]) -> None:
        """Show these runs (store rows) in the chosen panels."""
        self.runs = list(runs)
        self._curves = {}
        store = self.context.store
        keys = {key for run in self.runs for key in store.metric_keys(run["id"])}
        self.keys = [key for _, members in group_metric_keys(keys) for key in members]
        self._fill_panel_menu()
        self.redraw()

    def chosen_panels(self) -> list[str]:
        """The keys shown, in section order: chosen ones, and the defaults not hidden."""
        chosen = _strings(self.settings.value(PANELS_KEY))
        if chosen and not self.settings.contains(HIDDEN_KEY):
            return [key for key in self.keys if key in chosen]  # saved by older versions
        hidden = _strings(self.settings.value(HIDDEN_KEY))
        return [key for key in self.keys
                if key in chosen or (key not in hidden and _shown_by_default(key))]

    def set_panels(self, keys: list[str]) -> None:
        """Show exactly these metrics (and remember them)."""
        self._save_panels(set(keys))
        self._fill_panel_menu()
        self.redraw()

    def _save_panels(self, shown: set[str]) -> None:
        old_chosen = set(_strings(self.settings.value(PANELS_KEY)))
        old_hidden = set(_strings(self.settings.value(HIDDEN_KEY)))
        # Keys of runs not compared now keep their choice.
        self.settings.setValue(PANELS_KEY, sorted((old_chosen - set(self.keys)) | shown))
        self.settings.setValue(HIDDEN_KEY, sorted((old_hidden - set(self.keys))
                                                  | (set(self.keys) - shown)))
        self.settings.sync()

    def collapsed_sections(self) -> set[str]:
        return set(_strings(self.settings.value(COLLAPSED_KEY)))

    def redraw(self) -> None:
        collapsed = self.collapsed_sections()
        sections = group_metric_keys(self.chosen_panels())
        self._load([key for name, keys in sections if name not in collapsed for key in keys])
        groups = group_runs(self.runs, [flatten(r.get("config") or {}) for r in self.runs],
                            self.group_by.currentData())
        group_of = {index: g for g, (_, members) in enumerate(groups) for index in members}
        shown = [(name, len(keys) if name in collapsed else {
            key: [Series(group_of[i], *self._xy(run, key)) for i, run in enumerate(self.runs)
                  if self._curves.get((run["id"], key)) is not None] for key in keys})
                 for name, keys in sections]
        x_key = self.x_axis.currentData()
        self.grid.show_sections(shown, self._titles(shown), [label for label, _ in groups],
                              self.draw.currentData(), X_CHOICES[x_key], x_key == "wall",
                              self.options.log_y.isChecked())
        sizes = ", ".join(f"{label}: {len(m)}" for label, m in groups if len(m) > 1)
        counted = (f"{formatting.count(len(self.runs), 'run')} in "
                   f"{formatting.count(len(groups), 'group')}")
        self.message.setText(counted + (f" ({sizes})" if sizes else "") if self.runs
                             else "Select runs to compare in the Runs tab.")

    # -- data ----------------------------------------------------------------------
    def _load(self, keys: list[str]) -> None:
        wanted = [(run["id"], key) for run in self.runs for key in [*keys, EPOCH_KEY]
                  if (run["id"], key) not in self._curves]
        if not wanted:
            return
        read = read_curves(self.db_path, [(run_id, key, POINTS) for run_id, key in wanted])
        for (run_id, key), curve in zip(wanted, read):
            self._curves[(run_id, key)] = curve if curve["total"] else None

    def _xy(self, run: dict, key: str) -> tuple[np.ndarray, np.ndarray]:
        curve = self._curves[(run["id"], key)]
        x_key = self.x_axis.currentData()
        if x_key == "epoch":
            ends = self._curves.get((run["id"], EPOCH_KEY))
            x = (steps_to_epochs(curve["step"], ends["step"]) if ends is not None
                 else curve["epoch"].astype(float))
        elif x_key == "relative":
            x = curve["time"]
        elif x_key == "wall":
            x = curve["time"] + (run.get("started") or 0.0)
        else:
            x = curve["step"].astype(float)
        y = ema_smooth(curve["value"], self.options.smoothing_weight)
        return np.asarray(x, float), np.asarray(y, float)

    def _titles(self, sections) -> dict[str, str]:
        # A panel of a key that only some runs logged says so.
        titles = {}
        for _, panels in sections:
            for key, series in ({} if isinstance(panels, int) else panels).items():
                if 0 < len(series) < len(self.runs):
                    of_all = formatting.count(len(self.runs), "run")
                    titles[key] = f"{key} ({len(series)} of {of_all})"
                elif not series:
                    titles[key] = f"{key} (no points)"
        return titles

    def _fill_panel_menu(self) -> None:
        menu = self.panels_button.menu()
        menu.clear()
        chosen = self.chosen_panels()
        fill_metric_menu(menu, self.keys, set(chosen))
        self.panels_button.setText(f"Panels ({len(chosen)})")

    # -- events --------------------------------------------------------------------
    @Slot(QAction)
    def _on_panel_toggled(self, _action: QAction) -> None:
        # The menu is not rebuilt here: that would delete the action being triggered.
        shown = {a.data() for a in self.panels_button.menu().actions()
                 if a.data() is not None and a.isChecked()}
        self._save_panels(shown)
        self.panels_button.setText(f"Panels ({len(shown)})")
        self.redraw()

    @Slot(str, bool)
    def _on_section_toggled(self, section: str, collapsed: bool) -> None:
        names = self.collapsed_sections() - {section} | ({section} if collapsed else set())
        self.settings.setValue(COLLAPSED_KEY, sorted(names))
        self.settings.sync()
        self.redraw()

    @Slot()
    def _on_choice_changed(self) -> None:
        self.redraw()

    @Slot()
    def _on_save_clicked(self) -> None:
        save_image(self, self.prompts, "Save the panels", "compare-panels.png",
                   lambda path: self.grid.export(path, self.image_width.value(),
                                                 self.image_height.value()))

    @Slot()
    def _on_csv_clicked(self) -> None:
        path = self.prompts.save_path(self, "Export the curves", "compare-curves.csv",
                                      "CSV file (*.csv)")
        if not path:
            return
        try:
            with open(path, "w", newline="", encoding="utf-8") as handle:
                lines = write_curves_long_csv(self.context.store,
                                              [run["id"] for run in self.runs], handle)
            self.message.setText(f"Wrote {formatting.count(lines, 'point')} of "
                                 f"{formatting.count(len(self.runs), 'run')} to {path}")
        except (OSError, ConfigError) as exc:
            self.prompts.inform(self, "Export the curves", f"Could not export: {exc}")


def _shown_by_default(key: str) -> bool:
    if key in BUILT_IN_METRICS:
        return key in DEFAULT_PANELS
    return metric_section(key) != SYSTEM_SECTION


def _strings(value) -> list[str]:
    # QSettings returns a str for a one-item list and None for an empty one (INI files).
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _combo(choices: dict[str, str]) -> QComboBox:
    combo = QComboBox()
    for key, label in choices.items():
        combo.addItem(label, key)
    return combo


def _spin(value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(200, 8000)
    spin.setSingleStep(100)
    spin.setValue(value)
    spin.setSuffix(" px")
    return spin
