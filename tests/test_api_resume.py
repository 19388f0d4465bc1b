"""``start_run(resume=ID)``: a script killed mid-run goes on recording into the same run,
its steps, epoch and clock continuing; what cannot be resumed is refused by name."""

from __future__ import annotations

import signal
import time

import numpy as np
import pytest

import dlstudio
from dlstudio.errors import ConfigError
from dlstudio.store import Store
from tests.test_api import run_script

FIRST = """
    import os, signal, time, dlstudio
    run = dlstudio.start_run(config={{"lr": 0.1}}, name="long", db={db!r},
                             system_metrics=False)
    for step in range(55):  # into epoch 5, which the resumed part goes on with
        run.log({{"loss": 1.0 / (step + 1)}}, epoch=step // 10)
    (run.dir / "last.txt").parent.mkdir(parents=True, exist_ok=True)
    (run.dir / "last.txt").write_text("54")  # what a checkpoint would hold
    with dlstudio.open({db!r}) as db:  # every point written, then a real SIGKILL
        while ("loss" not in db.metric_keys(run.id)
               or len(db.curve(run.id, "loss").step) < 55):
            time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGKILL)
"""

SECOND = """
    import dlstudio
    with dlstudio.start_run(config={{"lr": 0.1}}, db={db!r}, resume=1, tags=["resumed"],
                            system_metrics=False) as run:
        done = int((run.dir / "last.txt").read_text())
        print(run.last_step, done, flush=True)
        for step in range(run.last_step + 1, 100):
            run.log({{"loss": 1.0 / (step + 1)}}, epoch=step // 10 if step % 10 == 0 else None)
"""


def test_a_killed_script_resumes_its_run_where_it_was(db_path, tmp_path):
    first = run_script(FIRST.format(db=str(db_path)), tmp_path)
    assert first.wait(120) == -signal.SIGKILL
    with dlstudio.open(db_path) as db:  # the open marks it: its process is gone
        assert db.run(1).status == "interrupted"
        first_part = db.curve(1, "loss")
    second = run_script(SECOND.format(db=str(db_path)), tmp_path)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert out.split() == ["54", "54"]  # last_step, and what run.dir held
    with dlstudio.open(db_path) as db:
        info = db.run(1)
        loss = db.curve(1, "loss")
        assert [run.id for run in db.runs()] == [1]  # the same run, no second one
    assert info.status == "finished" and info.error == "" and info.tags == ["resumed"]
    assert np.array_equal(loss.step, np.arange(100))  # no gap, no point twice
    assert np.array_equal(loss.epoch, np.arange(100) // 10)
    assert np.all(np.diff(loss.value) < 0)
    assert first_part.step.size == 55
    with Store(db_path) as store:  # the clock went on from the first part's last point
        times = store.read_curve(1, "loss", max_points=None)["time"]
    assert np.all(np.diff(times) >= 0)


def test_what_cannot_be_resumed_is_refused_by_name(db_path):
    run = dlstudio.start_run(config={"lr": 0.1}, db=db_path, system_metrics=False)
    with pytest.raises(ConfigError, match=f"resume: run {run.id} is still running"):
        dlstudio.start_run(db=db_path, resume=run.id)
    run.finish("stopped")
    with pytest.raises(ConfigError, match=r"resume: the config differs from run 1's at lr"):
        dlstudio.start_run(config={"lr": 0.2}, db=db_path, resume=run.id)
    with pytest.raises(ConfigError, match="run 9: not found"):
        dlstudio.start_run(db=db_path, resume=9)
    with Store(db_path) as store:
        trained = store.create_run({"optim": {"name": "adam"}}, status="stopped")
        store.set_environment(trained, {"python": "3.11", "command": "dlstudio train"})
    with pytest.raises(ConfigError, match=f"not logged by a script; continue it with  "
                                          f"dlstudio resume {trained}"):
        dlstudio.start_run(db=db_path, resume=trained)
    with dlstudio.start_run(db=db_path, resume=run.id, system_metrics=False) as again:
        assert again.last_step == -1  # it had logged nothing
        again.log({"loss": 1.0})
    with dlstudio.open(db_path) as db:
        assert db.run(run.id).status == "finished" and db.curve(run.id, "loss").step.tolist() == [0]
