"""Each script in the repository's examples/ folder runs as a user would run it (a real process, a fresh
database) and its runs land in the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dlstudio

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run_example(name: str, *args: str, env: dict[str, str] | None = None) -> str:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", **(env or {})}
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], env=environment,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_examples_record_runs_and_read_them_back(tmp_path):
    db_path = tmp_path / "examples.db"
    run_example("plain_loop.py", "--db", str(db_path), "--epochs", "2")
    # No --db: the example honours $DLSTUDIO_DB, as the CLI and the app do.
    run_example("dataloader_loop.py", "--epochs", "2", env={"DLSTUDIO_DB": str(db_path)})
    with dlstudio.open(db_path) as db:
        plain, loader = sorted(db.runs(tag="example"), key=lambda run: run.id)
        assert plain.name == "spirals-mlp" and plain.status == "finished"
        assert plain.config["model"] == "mlp-2x" and 0 <= plain.summary["dev/accuracy"] <= 1
        assert len(db.curve(plain.id, "train/loss").step) == 2 * 20  # every step of 2 epochs
        assert db.curve(plain.id, "dev/accuracy").epoch.tolist() == [0, 1]
        assert loader.status == "finished" and "test/accuracy" in loader.summary
        assert [path.name for path in db.files(loader.id)] == ["best.pt"]
        assert loader.environment["command"].endswith("dataloader_loop.py --epochs 2")
    table = run_example("read_runs.py", "--db", str(db_path), "--metric", "dev/accuracy")
    assert "spirals-mlp" in table and "digits-cnn-dataloader" in table
    assert "2 runs in" in table
