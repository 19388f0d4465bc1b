"""The optimizer lab panel: every optimizer on every surface, replay, Newton, clicks."""

from __future__ import annotations


import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from dlstudio.gui.lab.optimizer_lab_panel import OptimizerLabPanel
from dlstudio.training.optimizer_lab import OPTIMIZERS
from dlstudio.training.surfaces import SURFACES

FEW_STEPS = 30  # enough to see every optimizer move, fast enough for 5 surfaces


@pytest.fixture
def panel(qtbot, app_context):
    widget = OptimizerLabPanel(app_context)
    qtbot.addWidget(widget)
    widget.steps.setValue(FEW_STEPS)
    yield widget
    widget.shutdown()


def run(qtbot, panel) -> dict:
    with qtbot.waitSignal(panel.trajectories_computed, timeout=30_000) as blocker:
        panel.run_button.click()
    qtbot.waitUntil(lambda: not panel.running, timeout=10_000)
    return blocker.args[0]


def test_opens_on_the_quadratic_with_a_hint(panel):
    assert panel.surface.name == "quadratic"
    assert "Run" in panel.message.text()
    assert (panel.start_x.value(), panel.start_y.value()) == SURFACES["quadratic"].start
    # No empty log plot before the first Run: a line says what will appear there.
    assert panel.loss_stack.currentWidget() is panel.loss_stack.empty
    assert "f - f*" in panel.loss_stack.empty.text()
    assert panel.table.checked() == list(OPTIMIZERS)
    assert panel.table.lr_fields["gd"].value() == pytest.approx(0.07)
    assert not any(path.isVisible() for path in panel.contour.paths.values())


@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_optimizer_runs_on_every_surface(qtbot, panel, surface):
    panel.surface_combo.setCurrentIndex(panel.surface_combo.findData(surface))
    assert panel.surface.name == surface
    assert panel.formula.text() == SURFACES[surface].formula
    trajectories = run(qtbot, panel)
    assert set(trajectories) == set(OPTIMIZERS)
    for name, trajectory in trajectories.items():
        assert trajectory.diverged or trajectory.steps == FEW_STEPS
        assert np.allclose(trajectory.points[0], SURFACES[surface].start)
        assert panel.contour.paths[name].isVisible()
        x, _ = panel.contour.paths[name].getData()
        assert len(x) == len(trajectory.points)  # the slider sits at the end after a run
    assert panel.player.slider.maximum() == FEW_STEPS
    outcomes = [panel.table.item(row, 2).text() for row in range(len(OPTIMIZERS))]
    assert all(outcomes)


def test_slider_moves_markers_onto_the_trajectory_points(qtbot, panel):
    trajectories = run(qtbot, panel)
    for step in (0, 7, FEW_STEPS):
        panel.player.slider.setValue(step)
        for name, trajectory in trajectories.items():
            x, y = panel.contour.markers[name].getData()
            expected = trajectory.points[min(step, trajectory.steps)]
            assert (x[0], y[0]) == pytest.approx(tuple(expected))
            path_x, _ = panel.contour.paths[name].getData()
            assert len(path_x) == min(step, trajectory.steps) + 1
        assert panel.loss_plot.cursor.value() == step
        assert panel.player.label.text() == f"{step} / {FEW_STEPS}"


def test_play_replays_to_the_end(qtbot, panel):
    panel.steps.setValue(10)
    run(qtbot, panel)
    panel.player.play_button.click()
    assert panel.player.step == 0 and panel.player.timer.isActive()
    qtbot.waitUntil(lambda: not panel.player.play_button.isChecked(), timeout=5_000)
    assert panel.player.step == 10
    assert panel.player.play_button.text() == "Play"


def test_newton_lands_on_the_quadratic_minimum_in_one_step(qtbot, panel):
    panel.newton_button.click()
    assert "Minimum in one step" in panel.newton_label.text()
    x, y = panel.contour.newton_arrow.getData()
    assert (x[1], y[1]) == pytest.approx((0.0, 0.0), abs=1e-9)
    panel.table.set_checked(["newton"])
    trajectories = run(qtbot, panel)
    assert list(trajectories) == ["newton"]
    assert trajectories["newton"].points[1] == pytest.approx([0.0, 0.0], abs=1e-9)
    assert trajectories["newton"].losses[1] == pytest.approx(0.0, abs=1e-12)


def test_newton_elsewhere_is_not_called_a_minimum(panel):
    panel.set_surface("saddle")
    panel.newton_button.click()
    assert "not of the surface" in panel.newton_label.text()


def test_click_on_the_map_sets_the_start_and_runs(qtbot, panel):
    panel.resize(1200, 750)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.contour.plot.vb
    scene_point = view.mapViewToScene(QPointF(-5.0, 1.0))
    widget_point = panel.contour.mapFromScene(scene_point)
    with qtbot.waitSignal(panel.trajectories_computed, timeout=30_000) as blocker:
        qtbot.mouseClick(panel.contour.viewport(), Qt.MouseButton.LeftButton, pos=widget_point)
    qtbot.waitUntil(lambda: not panel.running, timeout=10_000)
    assert panel.start_x.value() == pytest.approx(-5.0, abs=0.1)
    assert panel.start_y.value() == pytest.approx(1.0, abs=0.1)
    for trajectory in blocker.args[0].values():
        assert trajectory.points[0] == pytest.approx([panel.start_x.value(),
                                                      panel.start_y.value()])


def test_typed_start_clears_stale_paths(qtbot, panel):
    run(qtbot, panel)
    assert panel.loss_stack.currentWidget() is panel.loss_plot
    panel.start_x.setValue(3.0)
    assert not panel.trajectories
    assert panel.loss_stack.currentWidget() is panel.loss_stack.empty
    assert "press <b>Run</b>" in panel.message.text()
    assert panel.contour.start_marker.getData()[0][0] == 3.0


def test_diverged_runs_are_marked_in_the_legend(qtbot, panel):
    panel.table.set_checked(["gd", "adam"])
    panel.table.lr_fields["gd"].setText("1")  # > 2 / 25: GD blows up on the quadratic
    trajectories = run(qtbot, panel)
    assert trajectories["gd"].diverged and not trajectories["adam"].diverged
    labels = [label.text for _, label in panel.loss_plot.legend.items]
    assert labels == ["GD (diverged)", "Adam"]
    assert panel.table.item(0, 2).text().startswith("diverged at step")
    assert "Diverged: GD" in panel.message.text()


def test_bad_choices_block_the_run(panel):
    panel.table.lr_fields["adam"].setText("-1")
    assert not panel.run_button.isEnabled()
    assert "Adam learning rate" in panel.message.text()
    assert panel.run() is False
    panel.table.lr_fields["adam"].setText("0.3")
    panel.table.set_checked([])
    assert "Tick at least one optimizer" in panel.message.text()
    panel.table.set_checked(["adam"])
    assert panel.run_button.isEnabled()
