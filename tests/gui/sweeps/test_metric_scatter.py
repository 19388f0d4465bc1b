"""The metric-against-hyperparameter scatter keeps every point, however close."""

from __future__ import annotations

from dlstudio.gui.sweeps.param_axis import axes_for
from dlstudio.gui.sweeps.sweep_plots import MetricScatterPlot
from dlstudio.search.space import SearchSpace

SPACE = SearchSpace.from_dict(
    {"optim.lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-2}})


def test_close_points_are_each_drawn_with_their_colour(qtbot):
    plot = MetricScatterPlot()
    qtbot.addWidget(plot)
    plot.resize(500, 350)
    plot.show()
    qtbot.waitExposed(plot)
    # Three learning rates within a pixel of each other in the view as it stands: the
    # plot's peak downsampling kept two of the points and all three colours, and
    # pyqtgraph raised (3 brushes, 2 points) when a stored sweep was shown.
    lrs = [0.00602, 0.00498, 0.00580]
    trials = [{"run_id": index + 1, "score": 0.75 + 0.01 * index, "config": {"optim.lr": lr}}
              for index, lr in enumerate(lrs)]
    plot.set_data(axes_for(SPACE), trials, "dev_loss", "minimize")
    x, y = plot.scatter.getData()
    assert len(x) == 3 and sorted(y) == sorted(t["score"] for t in trials)
