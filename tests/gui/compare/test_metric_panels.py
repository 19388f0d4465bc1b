"""The compare tab's panels and parameter importance, on real runs and a real sweep."""

from __future__ import annotations

import csv
import os

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage

from dlstudio.gui.common.plot_tools import ema_smooth
from dlstudio.gui.compare.compare_panel import ComparePanel as CompareView
from dlstudio.gui.compare.metric_panel_grid import INK
from dlstudio.store import Store
from tests.gui.helpers import open_context
from tests.gui.runs.test_runs_panel import FakePrompts
from tests.real_runs import SWEEP_TRIALS, real_db, real_runs_master  # noqa: F401

SHOTS = os.environ.get("DLSTUDIO_SCREENSHOTS")
def make_view(qtbot, db, settings, prompts=None) -> CompareView:
    context = open_context(db, settings)
    view = CompareView(context, prompts=prompts or FakePrompts())
    qtbot.addWidget(view)
    view.resize(1400, 900)
    return view


def run_ids(db, where: str) -> list[int]:
    with Store(db) as store:
        return [run["id"] for run in store.list_runs(where=where, sort_by="id",
                                                     descending=False)]


def curve_items(plot: pg.PlotItem) -> dict[str, pg.PlotDataItem]:
    return {item.name(): item for item in plot.listDataItems() if item.name()}


@pytest.fixture
def seeds(real_db) -> list[int]:
    return run_ids(real_db, "tag:seeds-adam or tag:seeds-sgd")


def show_panels(qtbot, view: CompareView, ids: list[int]) -> None:
    view.set_runs(ids)
    view.tabs.setCurrentWidget(view.panels_view)
    assert view.panels_view.grid.plots  # read and drawn when the tab is shown


def test_groups_of_seeds_are_drawn_as_mean_and_band(qtbot, real_db, qt_settings, seeds):
    view = make_view(qtbot, real_db, qt_settings)
    show_panels(qtbot, view, seeds)
    panels = view.panels_view
    assert list(panels.grid.plots) == ["loss", "dev_loss", "dev_metric", "lr"]
    assert len(panels.grid.legend.items) == 2  # one legend for the grid, a line per group
    assert panels.message.text().startswith("6 runs in 2 groups")
    dev = panels.grid.plots["dev_metric"]
    means = {name: item for name, item in curve_items(dev).items() if "mean of 3" in name}
    assert len(means) == 2 and all("min–max" in name for name in means)
    assert sum(isinstance(item, pg.FillBetweenItem) for item in dev.items) == 2
    adam = next(item for name, item in means.items() if "optim.name=adam" in name)
    with Store(real_db) as store:
        adam_ids = [r["id"] for r in store.list_runs(tag="seeds-adam")]
        stored = [store.read_curve(run_id, "dev_metric") for run_id in adam_ids]
    x, y = adam.xData, adam.yData  # all points (getData() is clipped to the view)
    np.testing.assert_allclose(x, stored[0]["step"])
    np.testing.assert_allclose(y, np.mean([c["value"] for c in stored], axis=0))
    if SHOTS:
        view.show()
        qtbot.waitExposed(view)
        view.grab().save(os.path.join(SHOTS, "compare_panels_bands.png"))
    first, other = panels.grid.plots["loss"], panels.grid.plots["lr"]
    first.setXRange(3, 9, padding=0)
    assert other.viewRange()[0] == pytest.approx([3, 9])  # linked x axes


def test_draw_modes_and_x_axes(qtbot, real_db, qt_settings, seeds):
    view = make_view(qtbot, real_db, qt_settings)
    show_panels(qtbot, view, seeds)
    panels = view.panels_view
    panels.draw.setCurrentIndex(panels.draw.findData("sd"))
    assert all("± sd" in name for name in curve_items(panels.grid.plots["loss"]))
    panels.draw.setCurrentIndex(panels.draw.findData("runs"))
    loss = panels.grid.plots["loss"]
    assert len(loss.listDataItems()) == 6
    assert not any(isinstance(item, pg.FillBetweenItem) for item in loss.items)
    panels.options.smoothing.setValue(60)  # smoothing as in the one-metric view
    with Store(real_db) as store:
        raw = store.read_curve(seeds[0], "loss")["value"]
    smoothed = panels.grid.plots["loss"].listDataItems()[0].yData
    np.testing.assert_allclose(smoothed, ema_smooth(raw, 0.6))
    assert not np.allclose(smoothed, raw)
    panels.options.smoothing.setValue(0)
    panels.x_axis.setCurrentIndex(panels.x_axis.findData("epoch"))
    x = panels.grid.plots["dev_metric"].listDataItems()[0].xData
    assert x[-1] == pytest.approx(2.0)  # two epochs
    with Store(real_db) as store:
        run = store.get_run(seeds[0])
        stored = store.read_curve(seeds[0], "loss")
    panels.x_axis.setCurrentIndex(panels.x_axis.findData("relative"))
    x = panels.grid.plots["loss"].listDataItems()[0].xData
    np.testing.assert_allclose(x, stored["time"])
    panels.x_axis.setCurrentIndex(panels.x_axis.findData("wall"))
    x = panels.grid.plots["loss"].listDataItems()[0].xData
    np.testing.assert_allclose(x, stored["time"] + run["started"])
    assert isinstance(panels.grid.plots["loss"].getAxis("bottom"), pg.DateAxisItem)


def test_chosen_panels_are_remembered(qtbot, real_db, qt_settings, seeds):
    view = make_view(qtbot, real_db, qt_settings)
    show_panels(qtbot, view, seeds)
    actions = {a.text(): a for a in view.panels_view.panels_button.menu().actions()}
    actions["train_metric"].trigger()
    actions["lr"].trigger()
    # Within a section the app's own keys keep their order: train before dev.
    assert list(view.panels_view.grid.plots) == ["loss", "dev_loss", "train_metric",
                                                  "dev_metric"]
    again = make_view(qtbot, real_db, qt_settings)
    show_panels(qtbot, again, seeds)
    assert list(again.panels_view.grid.plots) == ["loss", "dev_loss", "train_metric",
                                                   "dev_metric"]


def test_export_png_svg_at_a_size_and_the_curves_csv(qtbot, real_db, qt_settings, seeds,
                                                    tmp_path):
    prompts = FakePrompts()
    view = make_view(qtbot, real_db, qt_settings, prompts)
    show_panels(qtbot, view, seeds)
    panels = view.panels_view
    panels.image_width.setValue(1200)
    panels.image_height.setValue(700)
    for name in ("panels.png", "panels.svg"):
        prompts.answer_text = str(tmp_path / name)
        panels.save_button.click()
    image = QImage(str(tmp_path / "panels.png"))
    assert (image.width(), image.height()) == (1200, 700)
    assert image.pixelColor(2, 2).name() == "#ffffff"
    svg = (tmp_path / "panels.svg").read_text()
    assert 'viewBox="0 0 1200 700"' in svg and "dev_metric" in svg
    legend = panels.grid.legend
    assert legend.brush().color().lightness() > 230  # a light box ...
    assert all(label.opts["color"] == INK for _, label in legend.items)  # ... dark text
    prompts.answer_text = str(tmp_path / "curves.csv")
    panels.csv_button.click()
    rows = list(csv.reader(open(tmp_path / "curves.csv", encoding="utf-8")))
    assert rows[0] == ["run_id", "run_name", "key", "step", "epoch", "time", "wall_time",
                       "value"]
    with Store(real_db) as store:
        stored = store.db.conn.execute(
            f"SELECT count(*) FROM metrics WHERE run_id IN ({','.join('?' * len(seeds))})",
            seeds).fetchone()[0]
    assert len(rows) - 1 == stored and {int(r[0]) for r in rows[1:]} == set(seeds)
    assert f"Wrote {stored:,} points of 6 runs" in panels.message.text()


def test_importance_of_a_real_sweep_and_a_refusal(qtbot, real_db, qt_settings):
    view = make_view(qtbot, real_db, qt_settings)
    importance = view.importance_view
    view.set_runs(run_ids(real_db, "sweep:1"))
    with qtbot.waitSignal(importance.result_shown, timeout=120_000):
        view.tabs.setCurrentWidget(importance)
    qtbot.waitUntil(lambda: not importance.is_busy())
    assert f"computed from {SWEEP_TRIALS} runs" in importance.status.text()
    bars = [i for i in importance.bars.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    assert sum(bars[0].opts["width"]) == pytest.approx(100.0)  # percent
    colorbar = [i for i in importance.parallel.ci.items if isinstance(i, pg.ColorBarItem)]
    scores = importance.result.scores
    assert colorbar[0].levels() == pytest.approx((min(scores), max(scores)))
    assert len(importance.scatters.ci.items) == 2  # optim.lr and optim.name
    importance.evaluator.setCurrentIndex(importance.evaluator.findData("mdi"))
    assert "Mean decrease impurity" in importance.bars.getPlotItem().titleLabel.text
    if SHOTS:
        view.show()
        qtbot.waitExposed(view)
        view.grab().save(os.path.join(SHOTS, "importance_view.png"))
    with qtbot.waitSignal(importance.refused, timeout=60_000) as refused:
        view.set_runs(run_ids(real_db, "tag:seeds-adam"))
    qtbot.waitUntil(lambda: not importance.is_busy())
    assert "3 of 3 runs have a best_dev_metric; at least 8 are needed" in refused.args[0]
    assert importance.status.text() == refused.args[0]
