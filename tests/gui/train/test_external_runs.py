"""Issue 12: a run another process trains shows up in the open app and streams live."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from tests.gui.helpers import read_store


def _train_elsewhere(db_path, epochs: int) -> subprocess.Popen:
    """``dlstudio train`` in a second process on the same database file."""
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, "-m", "dlstudio", "train", "--db", str(db_path), "--name", "from the cli",
         "--set", "data.name=digits", "--set", "model.hidden=[16]", "--set", "train.device=cpu",
         "--set", f"train.epochs={epochs}", "--set", "train.batch_size=8",
         "--set", "train.checkpoints=false"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_a_cli_run_appears_and_its_curves_stream_into_the_live_view(qtbot, main_window, db_path):
    live = main_window.live_view
    process = _train_elsewhere(db_path, epochs=40)
    try:
        qtbot.waitUntil(lambda: any(live.trace(r) is not None and live.trace(r).name == "from the cli"
                                    for r in live.external), timeout=60_000)
        run_id = next(iter(live.external))
        assert live.shown == run_id  # nothing else was shown: the view follows it
        assert "another process" in live.progress.title.text()
        assert not live.progress.stop_button.isEnabled()  # watched, not controlled
        trace = live.trace(run_id)
        qtbot.waitUntil(lambda: trace.count("loss") > 0, timeout=30_000)
        first = trace.count("loss")
        qtbot.waitUntil(lambda: trace.count("loss") > first, timeout=30_000)  # it streams
        qtbot.waitUntil(lambda: run_id not in live.external, timeout=120_000)
    finally:
        process.wait(timeout=120)
    assert process.returncode == 0, process.stderr.read().decode()
    assert "finished" in live.progress.title.text()
    with read_store(db_path) as store:
        stored = store.read_curve(run_id, "loss")
    qtbot.waitUntil(lambda: trace.count("loss") == len(stored["step"]))
    np.testing.assert_array_equal(trace.xy("loss")[0], stored["step"])  # each point once
    x, _ = live.plots.curves["loss"].getOriginalDataset()
    assert len(x) == len(stored["step"])


FREE_FORM = {"script": "my_loop.py", "hparams": {"lr": 0.1}}
SCRIPT = f"CONFIG = {FREE_FORM!r}\n" + """
import sys, time
from dlstudio.store import Store
store = Store(sys.argv[1])
run_id = store.create_run(CONFIG, name="free form")
store.start_run(run_id)
for step in range(1, 301):
    store.write_metrics([(run_id, "loss", step, 1, 1.0 / step, step * 0.01)])
    time.sleep(0.01)
store.end_run(run_id, "finished", {"note": "trained outside dlstudio"})
"""


def test_a_free_form_run_of_another_script_is_followed_without_controls(qtbot, main_window,
                                                                       db_path):
    """A run whose config is no RunConfig (a script's own loop) is watched like any
    other; the live view offers nothing to do with it."""
    import pytest

    from dlstudio.config import RunConfig
    from dlstudio.errors import ConfigError

    with pytest.raises(ConfigError):  # not a config dlstudio could train again
        RunConfig.from_dict(FREE_FORM)
    live = main_window.live_view
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(db_path)], env=env,
                               stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: bool(live.external), timeout=60_000)
        run_id = next(iter(live.external))
        trace = live.trace(run_id)
        assert trace.name == "free form"
        assert not live.progress.pause_button.isEnabled()
        qtbot.waitUntil(lambda: run_id not in live.external, timeout=60_000)
    finally:
        process.wait(timeout=60)
    assert process.returncode == 0, process.stderr.read().decode()
    assert trace.count("loss") == 300
    assert "finished" in live.progress.title.text()
