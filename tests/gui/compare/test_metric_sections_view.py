"""Compare's panels in W&B-style sections: a script's prefixed keys beside a trained run."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLineEdit, QWidgetAction

import dlstudio
from dlstudio.store import Store
from tests.gui.compare.test_metric_panels import SHOTS, make_view, run_ids, show_panels
from tests.gui.runs.test_runs_panel import FakePrompts
from tests.real_runs import real_db, real_runs_master  # noqa: F401

def api_values(step: int) -> dict[str, float]:
    return {"train/loss": 2.0 / (step + 1), "train/acc": 1 - 1 / (step + 2),
            "val/loss": 2.5 / (step + 1), "val_acc": 0.5 + step / 100,
            "sys.gpu_util": 40.0 + math.sin(step), "sys.cpu_percent": 80.0 + step % 3,
            "sys.ram_mb": 900.0 + step}


@pytest.fixture
def compared(real_db) -> tuple[int, int]:
    """A run trained by the app and one a script logged through the API."""
    trained = run_ids(real_db, "tag:seeds-adam")[0]
    with dlstudio.start_run({"lr": 0.1}, name="api script", db=real_db) as run:
        for step in range(30):
            run.log(api_values(step), step=step, epoch=step // 10)
    return trained, run.id


def stored(db, run_id: int, key: str) -> dict:
    with Store(db) as store:
        return store.read_curve(run_id, key)


def sections_shown(panels) -> dict[str, list[str]]:
    return {name: list(section.grid.plots) for name, section in panels.grid.sections.items()}


def menu_entries(panels) -> dict[str, object]:
    """The Panels menu: metric actions by key, section headers by their label's text."""
    entries = {}
    for action in panels.panels_button.menu().actions():
        if isinstance(action, QWidgetAction):
            widget = action.defaultWidget()
            entries["filter" if isinstance(widget, QLineEdit) else widget.text()] = action
        elif action.data() is not None:
            entries[action.data()] = action
    return entries


def test_keys_are_grouped_into_sections_with_their_panels(qtbot, real_db, qt_settings,
                                                          compared):
    trained, api = compared
    view = make_view(qtbot, real_db, qt_settings)
    show_panels(qtbot, view, [trained, api])
    panels = view.panels_view
    # A script's own keys show by default, the app's by DEFAULT_PANELS; System waits.
    assert sections_shown(panels) == {
        "Charts": ["loss", "dev_loss", "dev_metric", "lr", "val_acc"],
        "train": ["train/acc", "train/loss"], "val": ["val/loss"]}
    assert panels.grid.sections["train"].header.text() == "train  (2 panels)"
    val_acc = panels.grid.plots["val_acc"]
    assert "val_acc (1 of 2 runs)" in val_acc.titleLabel.text  # the other run lacks it
    x, y = val_acc.listDataItems()[0].xData, val_acc.listDataItems()[0].yData
    np.testing.assert_allclose(x, stored(real_db, api, "val_acc")["step"])
    np.testing.assert_allclose(y, [api_values(s)["val_acc"] for s in range(30)])
    loss = panels.grid.plots["loss"]
    assert "(1 of 2 runs)" in loss.titleLabel.text  # the script logged no "loss"
    # One legend for all sections, with the script's run though the first panel lacks it.
    legend = [label.text for _, label in panels.grid.legend.items]
    assert len(legend) == 2 and "api script" in legend
    view.show()
    qtbot.waitExposed(view)
    plots = panels.grid.plots
    # A lone last panel (val_acc, val/loss) is one column wide, as wide as the others:
    # linked axes line panels up by their pixels, so a wider one showed another range.
    assert plots["val_acc"].width() == pytest.approx(plots["loss"].width(), abs=1)
    assert plots["val/loss"].width() == pytest.approx(plots["loss"].width(), abs=1)
    plots["train/loss"].setXRange(3, 9, padding=0)
    for key in ("loss", "val_acc", "val/loss", "train/acc"):  # linked across sections
        assert plots[key].viewRange()[0] == pytest.approx([3, 9], abs=0.05), key
    panels.options.smoothing.setValue(50)
    smoothed = panels.grid.plots["val/loss"].listDataItems()[0].yData
    assert smoothed[-1] > api_values(29)["val/loss"]  # the EMA lags a falling loss
    if SHOTS:
        view.grab().save(os.path.join(SHOTS, "compare_panel_sections.png"))


def test_grouped_panel_menu_filters_and_draws_a_chosen_key(qtbot, real_db, qt_settings,
                                                           compared):
    trained, api = compared
    view = make_view(qtbot, real_db, qt_settings)
    show_panels(qtbot, view, [trained, api])
    panels = view.panels_view
    entries = menu_entries(panels)
    headers = [text for text in entries if "  (" in text]
    assert headers == ["Charts  (7)", "train  (2)", "val  (1)", "System  (3)"]
    keys = [a.data() for a in panels.panels_button.menu().actions() if a.data() is not None]
    assert keys.index("sys.gpu_util") > keys.index("val/loss") > keys.index("train/loss")
    filter_line = entries["filter"].defaultWidget()
    menu = panels.panels_button.menu()
    view.show()
    menu.popup(panels.panels_button.mapToGlobal(panels.panels_button.rect().bottomLeft()))
    qtbot.waitUntil(filter_line.hasFocus)  # typing filters at once
    qtbot.keyClicks(filter_line, "GPU")
    visible = {text for text, action in entries.items() if action.isVisible()}
    assert visible == {"filter", "System  (3)", "sys.gpu_util"}
    filter_line.clear()
    menu.hide()
    assert entries["train/loss"].isVisible() and entries["Charts  (7)"].isVisible()
    entries["sys.gpu_util"].trigger()
    assert sections_shown(panels)["System"] == ["sys.gpu_util"]
    gpu = panels.grid.plots["sys.gpu_util"].listDataItems()[0]
    np.testing.assert_allclose(gpu.yData, stored(real_db, api, "sys.gpu_util")["value"])
    assert panels.panels_button.text() == "Panels (9)"  # 5 + 2 + 1, and this one


def test_a_collapsed_section_stays_collapsed_in_a_new_view(qtbot, real_db, qt_settings,
                                                           compared, tmp_path):
    view = make_view(qtbot, real_db, qt_settings)
    view.show()
    show_panels(qtbot, view, list(compared))
    train = view.panels_view.grid.sections["train"]
    qtbot.mouseClick(train.header, Qt.MouseButton.LeftButton)
    assert train.collapsed and not train.grid.isVisible()
    assert "train/loss" not in view.panels_view.grid.plots  # not even read
    assert train.header.text() == "train  (2 panels)"
    again = make_view(qtbot, real_db, qt_settings)
    again.show()
    show_panels(qtbot, again, list(compared))
    train = again.panels_view.grid.sections["train"]
    assert train.collapsed and not train.grid.isVisible()
    assert sections_shown(again.panels_view)["val"] == ["val/loss"]
    prompts = FakePrompts(text=str(tmp_path / "panels.svg"))
    again.panels_view.prompts = prompts
    again.panels_view.save_button.click()
    svg = (tmp_path / "panels.svg").read_text()
    assert "val/loss" in svg and "train/loss" not in svg  # the open sections only
    prompts.answer_text = str(tmp_path / "panels.png")
    again.panels_view.save_button.click()
    image = QImage(str(tmp_path / "panels.png"))
    assert (image.width(), image.height()) == (1600, 1000)
    qtbot.mouseClick(train.header, Qt.MouseButton.LeftButton)
    assert list(again.panels_view.grid.sections["train"].grid.plots) == ["train/acc",
                                                                          "train/loss"]
    charts = again.panels_view.grid.sections["Charts"]
    qtbot.mouseClick(charts.header, Qt.MouseButton.LeftButton)
    assert charts.collapsed and "loss" not in again.panels_view.grid.plots
    # The trained run is drawn in no open panel now; the legend still lists it.
    legend = [label.text for _, label in again.panels_view.grid.legend.items]
    assert len(legend) == 2 and "api script" in legend


def test_one_metric_combo_groups_keys_and_draws_the_chosen_one(qtbot, real_db, qt_settings,
                                                               compared):
    trained, api = compared
    view = make_view(qtbot, real_db, qt_settings)
    view.set_runs([trained, api])
    combo = view.metric_chooser
    items = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
    headers = [text for text, key in items if key is None]
    assert headers == ["Charts", "train", "val", "System"]
    header_row = combo.model().item(0)
    assert not header_row.isSelectable() and not header_row.isEnabled()
    assert view.metric == "loss"
    combo.setCurrentIndex(combo.findData("train/acc"))
    x, y = view.curves_plot.items[api].getData()
    np.testing.assert_allclose(y, [api_values(s)["train/acc"] for s in range(30)])
    assert "No points for this metric" in view.curves_plot.notice_label.text()
    # A long list is filtered by typing: the completer offers the keys that match.
    assert combo.isEditable()
    completer = combo.completer()
    completer.setCompletionPrefix("gpu")
    assert completer.currentCompletion() == "sys.gpu_util"
    completer.activated[str].emit(completer.currentCompletion())
    assert view.metric == "sys.gpu_util"
    _, y = view.curves_plot.items[api].getData()
    np.testing.assert_allclose(y, stored(real_db, api, "sys.gpu_util")["value"])
