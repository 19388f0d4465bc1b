"""A trial that runs out of memory or raises mid-training fails alone; the sweep goes on."""

from __future__ import annotations

import json
import textwrap

from dlstudio.store import Store
from tests.faults.processes import cli

# A real allocation the allocator cannot serve (not a raised MemoryError), and a plain
# exception, each in the middle of a trial's training, chosen by the trial's config.
PLUGIN = textwrap.dedent("""
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self, inputs, outputs, lr):
            super().__init__()
            self.layer = nn.Linear(inputs, outputs)
            self.lr = lr
            self.calls = 0

        def forward(self, x):
            self.calls += 1
            if self.training and self.calls > 5:
                if self.lr == 0.02:
                    torch.empty(10**14, dtype=torch.uint8).fill_(1)  # 100 TB
                if self.lr == 0.03:
                    raise ValueError("trial-made failure")
            return self.layer(x)

    def build_model(config, input_shape, output_dim):
        return Net(input_shape[-1], output_dim, config["optim"]["lr"])
""")

SWEEP = """
method: grid
name: some-fail
metric: {name: dev_error, goal: minimize}
base:
  data: {name: digits}
  model: {name: plugin, plugin: PLUGIN}
  train: {device: cpu, threads: 1, epochs: 2}
parameters:
  optim.lr: {values: [0.01, 0.02, 0.03, 0.04]}
"""


def test_out_of_memory_and_an_exception_fail_their_trials_only(db_path, tmp_path):
    plugin = tmp_path / "net.py"
    plugin.write_text(PLUGIN)
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(SWEEP.replace("PLUGIN", str(plugin)))
    done = cli("sweep", str(sweep_file), "--json", "--db", str(db_path), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "finished"
    with Store(db_path) as store:
        runs = {run["config"]["optim"]["lr"]: run for run in store.list_runs()}
    assert {lr: run["status"] for lr, run in runs.items()} == {
        0.01: "finished", 0.02: "failed", 0.03: "failed", 0.04: "finished"}
    assert "memory" in runs[0.02]["error"].lower()
    assert "trial-made failure" in runs[0.03]["error"]
    assert summary["best"]["config"]["optim.lr"] in (0.01, 0.04)
