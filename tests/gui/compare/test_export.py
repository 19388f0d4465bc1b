"""Exports: the plot as PNG and SVG, a run's metrics as long-format CSV."""

from __future__ import annotations

import csv
import math

import importlib

import pytest
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer

from dlstudio.errors import ConfigError
from dlstudio.gui.compare.compare_panel import ComparePanel
from dlstudio.gui.common.export import _render_svg, export_plot, export_run_csv
from dlstudio.store import Store
from tests.gui.runs.test_runs_panel import FakePrompts, add_run

SVGExporter = importlib.import_module("pyqtgraph.exporters.SVGExporter")
ORIGINAL_CORRECT_COORDINATES = SVGExporter.correctCoordinates


@pytest.fixture
def run_with_curves(db_path):
    with Store(db_path) as store:
        run_id = add_run(store, summary={"metric_name": "accuracy"},
                         curves={"loss": [2.0, float("nan"), 0.5], "dev_metric": [0.25, 0.75]})
    return run_id


@pytest.fixture
def view(qtbot, db_path, run_with_curves, app_context):
    view = ComparePanel(app_context, prompts=FakePrompts())
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    view.set_runs([run_with_curves])
    return view


def test_plot_exports_as_png_and_svg(view, tmp_path):
    png = export_plot(view.curves_plot.plot_widget, tmp_path / "plot.png")
    image = QImage(str(png))
    assert not image.isNull() and image.width() >= 1600
    svg = export_plot(view.curves_plot.plot, tmp_path / "plot.svg")
    assert QSvgRenderer(str(svg)).isValid()
    # pyqtgraph's exporter wrote it (curves in plain coordinates), not the fallback
    assert "pyqtgraph SVG export" in svg.read_text(encoding="utf-8")
    assert SVGExporter.correctCoordinates is ORIGINAL_CORRECT_COORDINATES  # restored
    with pytest.raises(ValueError, match="png or .svg"):
        export_plot(view.curves_plot.plot, tmp_path / "plot.pdf")


def test_svg_fallback_draws_the_scene(view, tmp_path):
    _render_svg(view.curves_plot.plot, tmp_path / "direct.svg")
    renderer = QSvgRenderer(str(tmp_path / "direct.svg"))
    assert renderer.isValid() and renderer.viewBoxF().width() > 100


def test_save_plot_button_asks_for_a_file_name(view, tmp_path):
    view.prompts.answer_text = str(tmp_path / "chosen")  # no extension: PNG
    view.save_plot_button.click()
    assert (tmp_path / "chosen.png").stat().st_size > 0


def test_run_csv_has_every_stored_point(db_path, run_with_curves, tmp_path):
    path = tmp_path / "run.csv"
    with Store(db_path) as store:
        written = export_run_csv(store, run_with_curves, path)
        expected = []
        for key in store.metric_keys(run_with_curves):
            curve = store.read_curve(run_with_curves, key)
            expected += [(key, int(s), int(e), float(v), float(t)) for s, e, v, t in
                         zip(curve["step"], curve["epoch"], curve["value"], curve["time"])]
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["key", "step", "epoch", "value", "time"]
    parsed = [(k, int(s), int(e), float(v) if v else math.nan, float(t))
              for k, s, e, v, t in rows[1:]]
    assert written == len(parsed) == 5
    for got, want in zip(parsed, expected):
        assert got[:3] == want[:3] and got[4] == want[4]
        assert got[3] == want[3] or (math.isnan(got[3]) and math.isnan(want[3]))


def test_run_csv_of_a_missing_run_says_so(db_path, tmp_path):
    with Store(db_path) as store, pytest.raises(ConfigError, match="not found"):
        export_run_csv(store, 42, tmp_path / "x.csv")


def test_csv_menu_exports_the_chosen_run(view, run_with_curves, tmp_path):
    view.prompts.answer_text = str(tmp_path / "menu.csv")
    action = view.csv_menu.actions()[0]
    assert action.data() == run_with_curves
    action.trigger()
    assert (tmp_path / "menu.csv").read_text(encoding="utf-8").startswith("key,step,epoch")
