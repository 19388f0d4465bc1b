"""A streamed .npz is never loaded whole: memory stays a few blocks, not the file.

A real file of ~190 MB, trained for an epoch in a child process whose allocated memory
(RssAnon: what the process holds, not the mapped file's pages, which are the OS's file
cache) is sampled every millisecond. The in-memory path takes ~4x the file; the
streamed one must stay under a quarter of it. Speed is ``benchmarks/npz_stream.py``'s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

_CHILD = r"""
import json, sys, threading, time
from dlstudio.config import RunConfig
from dlstudio.training.run_job import load_splits
from dlstudio.training.trainer import Trainer

def anon():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024

settings = ["data.in_memory=never", "model.hidden=[8]", "train.epochs=1",
            "train.device=cpu", "train.batch_size=64", "train.threads=1"]
warm = RunConfig.from_dict({}, ["data.name=iris", *settings])
Trainer(warm, load_splits(warm)).run()  # first-run costs (thread pools, kernels) go first
start, peak, done = anon(), [0], threading.Event()

def sample():
    while not done.is_set():
        peak[0] = max(peak[0], anon())
        time.sleep(0.001)

sampler = threading.Thread(target=sample)
sampler.start()
config = RunConfig.from_dict({}, ["data.name=npz", f"data.path={sys.argv[1]}", *settings])
splits = load_splits(config)
ended = Trainer(config, splits).run()
done.set()
sampler.join()
print(json.dumps({"added": peak[0] - start, "status": ended.status,
                  "streamed": type(splits).__name__, "steps": ended.summary["steps"]}))
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_a_streamed_file_is_not_loaded_whole(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12_000, 4096)).astype(np.float32)
    path = tmp_path / "large.npz"
    np.savez(path, X=X, y=(X[:, 0] > 0).astype(np.int64))
    del X
    size = path.stat().st_size
    result = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == "finished" and report["streamed"] == "StreamedSplits"
    assert report["steps"] > 50
    added = report["added"]
    assert added < size / 4, f"{added / 1e6:.0f} MB allocated for a {size / 1e6:.0f} MB file"
