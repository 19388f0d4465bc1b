"""The public API: dlstudio.start_run / Run.log / summary / finish / files, dlstudio.open."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import dlstudio
from dlstudio.errors import ConfigError
from dlstudio.run_record import resource_fields, with_details
from dlstudio.store import Store

ROOT = Path(__file__).resolve().parent.parent


def run_script(code: str, tmp_path: Path, **kwargs) -> subprocess.Popen:
    """A real Python process running ``code`` with this checkout importable."""
    script = tmp_path / f"script_{time.perf_counter_ns()}.py"
    script.write_text(textwrap.dedent(code))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def test_logged_points_read_back_as_arrays(db_path):
    with dlstudio.start_run(config={"lr": 3e-4, "model": "resnet18"}, name="baseline",
                            tags=["cifar", "v1"], db=db_path) as run:
        for step in range(5):
            run.log({"train/loss": 1.0 / (step + 1)}, step=step * 10)
        run.log({"dev/loss": 0.5, "dev/accuracy": 0.75}, step=40, epoch=2)
        run.log({"train/loss": 0.1})  # no step: the previous one + 1
        run.summary["test/accuracy"] = 0.93
    with dlstudio.open(db_path) as db:
        [info] = db.runs(tag="cifar")
        assert (info.id, info.name, info.status) == (run.id, "baseline", "finished")
        assert info.config == {"lr": 3e-4, "model": "resnet18"}
        assert info.summary["test/accuracy"] == 0.93 and info.tags == ["cifar", "v1"]
        assert set(info.summary) == {"test/accuracy", "cpu_time"}  # the system monitor's
        assert db.metric_keys(run.id) == ["dev/accuracy", "dev/loss", "sys.cpu_percent",
                                          "sys.ram_mb", "train/loss"]
        loss = db.curve(run.id, "train/loss")
        assert isinstance(loss.value, np.ndarray)
        assert loss.step.tolist() == [0, 10, 20, 30, 40, 41]
        assert loss.epoch.tolist() == [0, 0, 0, 0, 0, 2]  # the epoch carries over
        assert loss.value[:2].tolist() == [1.0, 0.5]
        assert db.curves(run.id)["dev/accuracy"].value.tolist() == [0.75]
        with pytest.raises(ConfigError, match="no metric 'nope'"):
            db.curve(run.id, "nope")


def test_non_finite_values_are_stored_not_dropped(db_path):
    with dlstudio.start_run(db=db_path) as run:
        for step, value in enumerate([1.0, math.nan, math.inf, -math.inf, 2.0]):
            run.log({"loss": value}, step=step)
    with dlstudio.open(db_path) as db:
        value = db.curve(run.id, "loss").value
    assert len(value) == 5 and math.isnan(value[1])
    assert value[[0, 2, 3, 4]].tolist() == [1.0, math.inf, -math.inf, 2.0]


def test_tensors_are_converted_in_one_batch_per_flush(db_path, monkeypatch):
    stacks = []
    real_stack = torch.stack
    monkeypatch.setattr(torch, "stack", lambda tensors: stacks.append(len(tensors))
                        or real_stack(tensors))
    with dlstudio.start_run(db=db_path, flush_interval=1.0) as run:
        loss = torch.tensor(2.5, requires_grad=True) * 2
        for step in range(100):
            run.log({"loss": loss / (step + 1), "count": torch.tensor(step),
                     "plain": float(step)}, step=step)
        loss.data.fill_(0.0)  # changed in place after logging: the logged values stand
    assert sum(stacks) == 200 and len(stacks) <= 3  # batched, not one per value
    with dlstudio.open(db_path) as db:
        assert db.curve(run.id, "loss").value[:2].tolist() == [5.0, 2.5]
        assert db.curve(run.id, "count").value[-1] == 99.0


def test_bad_values_name_the_metric(db_path):
    with dlstudio.start_run(db=db_path) as run:
        with pytest.raises(ConfigError, match="'acc': got str 'high'"):
            run.log({"acc": "high"})
        with pytest.raises(ConfigError, match=r"'w': got a tensor of shape \(3,\)"):
            run.log({"w": torch.ones(3)})
        with pytest.raises(ConfigError, match="step: got 1.5"):
            run.log({"loss": 1.0}, step=1.5)
        run.log({"loss": np.float32(0.25), "ok": True}, step=np.int64(3))
    with pytest.raises(ConfigError, match="already finished"):
        run.log({"loss": 1.0})
    with dlstudio.open(db_path) as db:
        assert db.curve(run.id, "loss").value.tolist() == [0.25]


def test_bad_arguments_are_clear_errors(db_path, tmp_path):
    with pytest.raises(ConfigError, match="config: cannot store object"):
        dlstudio.start_run(config={"x": object()}, db=db_path)
    with pytest.raises(ConfigError, match="config: got int"):
        dlstudio.start_run(config=3, db=db_path)
    with pytest.raises(ConfigError, match="tag: got an empty tag"):
        dlstudio.start_run(tags=[" "], db=db_path)
    with pytest.raises(ConfigError, match=":memory:"):
        dlstudio.start_run(db=":memory:")
    with pytest.raises(ConfigError, match="not found"):
        dlstudio.open(tmp_path / "missing.db")
    with Store(db_path) as store:  # a refused start leaves no run behind
        assert store.list_runs() == []


def test_an_exception_marks_the_run_failed_and_propagates(db_path):
    with pytest.raises(ZeroDivisionError):
        with dlstudio.start_run(db=db_path) as run:
            run.log({"loss": 1.0})
            1 / 0
    with dlstudio.open(db_path) as db:
        info = db.run(run.id)
        assert info.status == "failed" and "ZeroDivisionError" in info.error
        assert db.curve(run.id, "loss").value.tolist() == [1.0]  # logged points kept


def test_ctrl_c_marks_the_run_stopped(db_path):
    with pytest.raises(KeyboardInterrupt):
        with dlstudio.start_run(db=db_path) as run:
            raise KeyboardInterrupt
    with dlstudio.open(db_path) as db:
        assert db.run(run.id).status == "stopped"


def test_summary_is_stored_at_once_and_dict_like(db_path):
    with dlstudio.start_run(db=db_path) as run:
        run.summary["test/accuracy"] = torch.tensor(0.5)
        run.summary.update({"a": 1, "b": [1, 2]})
        del run.summary["a"]
        with Store(db_path, mark_orphans=False) as other:  # another connection sees it
            assert other.get_run(run.id)["summary"] == {"test/accuracy": 0.5, "b": [1, 2]}
        assert dict(run.summary) == {"test/accuracy": 0.5, "b": [1, 2]}
        with pytest.raises(ConfigError, match=r"run.summary\['x'\]"):
            run.summary["x"] = object()


def test_checkpoints_and_artifacts_live_in_the_runs_folder(db_path, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("hello")
    with dlstudio.start_run(db=db_path) as run:
        saved = run.save_checkpoint({"w": torch.ones(2)}, "model.pt")
        copied = run.log_artifact(report)
        with pytest.raises(ConfigError, match="log_artifact: .*nope.txt: not found"):
            run.log_artifact(tmp_path / "nope.txt")
        with pytest.raises(ConfigError, match="expected a plain file name"):
            run.save_checkpoint({}, "../escape.pt")
    assert saved.parent == run.dir and run.dir.parent == tmp_path / "runs-checkpoints"
    assert torch.load(saved)["w"].tolist() == [1.0, 1.0] and copied.read_text() == "hello"
    with dlstudio.open(db_path) as db:
        assert sorted(p.name for p in db.files(run.id)) == ["model.pt", "report.txt"]
    with Store(db_path) as store:
        store.delete_run(run.id)
    assert not run.dir.exists()


def test_points_reach_the_file_within_a_second_and_a_killed_run_is_interrupted(
        db_path, tmp_path):
    child = run_script(f"""
        import sys, time, dlstudio
        run = dlstudio.start_run(config={{"model": "mine"}}, db={str(db_path)!r})
        for step in range(20):
            run.log({{"loss": 1.0 / (step + 1)}}, step=step)
        print(run.id, flush=True)
        time.sleep(600)
        """, tmp_path)
    try:
        run_id = int(child.stdout.readline())
        deadline = time.monotonic() + 10
        points = 0
        while points < 20 and time.monotonic() < deadline:  # written by the flusher thread
            with Store(db_path, mark_orphans=False) as store:
                points = store.read_curve(run_id, "loss")["total"]
                assert store.get_run(run_id)["status"] == "running"
            time.sleep(0.05)
        assert points == 20
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
        child.wait()
    with dlstudio.open(db_path) as db:
        info = db.run(run_id)
    assert info.status == "interrupted" and f"process {child.pid}" in info.error
    assert len(db_path.read_bytes()) > 0


@pytest.mark.parametrize(("ending", "status", "message"), [
    ("pass", "finished", ""),
    ("raise RuntimeError('boom')", "failed", "RuntimeError: boom"),
    ("raise KeyboardInterrupt", "stopped", "KeyboardInterrupt"),
])
def test_a_script_that_never_finishes_its_run_ends_it_at_exit(db_path, tmp_path, ending,
                                                              status, message):
    child = run_script(f"""
        import dlstudio
        run = dlstudio.start_run(db={str(db_path)!r})
        run.log({{"loss": 1.0}})
        {ending}
        """, tmp_path)
    child.communicate(timeout=60)
    with dlstudio.open(db_path) as db:
        [info] = db.runs()
        assert info.status == status and message in info.error
        assert db.curve(info.id, "loss").value.tolist() == [1.0]


def test_logging_floats_never_imports_torch(db_path, tmp_path):
    child = run_script(f"""
        import sys, dlstudio
        with dlstudio.start_run(config={{"a": 1}}, db={str(db_path)!r}) as run:
            run.log({{"loss": 1.0}})
        with dlstudio.open({str(db_path)!r}) as db:
            db.curve(run.id, "loss")
        print("torch" in sys.modules)
        """, tmp_path)
    out, err = child.communicate(timeout=60)
    assert out.strip() == "False", err


def test_a_script_run_records_its_cpu_and_ram_use_without_importing_torch(db_path, tmp_path):
    # A real script that works for 2.5 s: readings at its start, after 2 s, and at its end.
    child = run_script(f"""
        import sys, time, dlstudio
        with dlstudio.start_run(config={{"a": 1}}, db={str(db_path)!r}) as run:
            started, step = time.monotonic(), 0
            while time.monotonic() - started < 2.5:
                step += 1
                if step % 20_000 == 0:
                    run.log({{"loss": 1.0 / step}}, step=step, epoch=1)
        print("torch" in sys.modules)
        """, tmp_path)
    out, err = child.communicate(timeout=60)
    assert out.strip() == "False", err
    with Store(db_path) as store:
        [run] = store.list_runs()
        details = with_details(store, run)
    system, summary = details["system_metrics"], details["summary"]
    assert set(system) == {"sys.cpu_percent", "sys.ram_mb"}  # no GPU without CUDA
    assert system["sys.cpu_percent"]["count"] >= 2 and system["sys.ram_mb"]["max"] > 1
    assert system["sys.cpu_percent"]["max"] > 0  # the loop kept a core busy
    assert 0 < summary["cpu_time"] <= run["ended"] - run["started"]  # the loop's thread
    fields = dict(resource_fields(summary, system))
    assert fields["RAM of the process"].startswith("mean ")
    assert "CPU time (training thread)" in fields


def test_system_metrics_can_be_left_out_and_never_overwrite_the_summary(db_path):
    with dlstudio.start_run(db=db_path, system_metrics=False) as quiet:
        quiet.log({"loss": 1.0})
    with dlstudio.start_run(db=db_path) as short:  # shorter than one sampling interval
        short.summary["cpu_time"] = "mine"
    with Store(db_path) as store:
        assert store.metric_keys(quiet.id) == ["loss"]
        assert store.get_run(quiet.id)["summary"] == {}
        assert store.get_run(short.id)["summary"] == {"cpu_time": "mine"}
        assert store.metric_stats(short.id, ["sys.ram_mb"])["sys.ram_mb"]["count"] >= 1


def test_every_run_records_what_reproducing_it_needs(db_path, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    data = repo / "data.bin"
    data.write_bytes(b"abc")
    script = repo / "train.py"
    script.write_text(textwrap.dedent(f"""
        import dlstudio
        with dlstudio.start_run(db={str(db_path)!r}, data_files=[{str(data)!r}]) as run:
            run.log({{"loss": 1.0}})
        """))
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "train.py"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(script), "--flag"], env=env, check=True)
    script.write_text(script.read_text() + "\n# edited\n")
    subprocess.run([sys.executable, str(script)], env=env, check=True)
    with dlstudio.open(db_path) as db:
        clean, dirty = sorted(db.runs(), key=lambda run: run.id)
    environment = clean.environment
    assert environment["git"] == {"commit": commit, "dirty": False, "root": str(repo)}
    assert dirty.environment["git"]["dirty"] is True
    assert environment["python"] == ".".join(map(str, sys.version_info[:3]))
    assert environment["dlstudio"] == dlstudio.__version__ and environment["torch"]
    assert environment["command"].endswith("train.py --flag")
    assert environment["data_files"] == [{
        "path": str(data), "bytes": 3,
        "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]
    assert environment["code"]["path"] == str(script)
    assert environment["code"]["sha256"] != dirty.environment["code"]["sha256"]
