"""Streaming a large .npz from disk against holding it in memory: peak memory and speed.

Writes an uncompressed ``.npz`` (``numpy.savez``) of float32 features and 10 classes,
then trains one epoch of a small MLP on it twice, each in a fresh process so that one
run's memory cannot hide the other's:

  * in memory (``data.in_memory=always``, the fast path and the baseline): the file is
    read whole, split, standardized and held as tensors;
  * streamed (``data.in_memory=never``): X is memory-mapped, its train statistics
    computed in blocks, and batches read, scaled and copied one at a time through a
    ``torch.utils.data.DataLoader``.

Each child first trains on iris (what any first run costs: thread pools, kernels),
then reports for the large run (Linux):

  * the peak memory the process allocated (RssAnon, sampled every millisecond by a
    thread): the memory a run needs, and what the ratio compares;
  * the peak resident size it added (VmHWM, reset through ``/proc/self/clear_refs``),
    which also counts the mapped file's pages: the OS's file cache, clean and dropped
    when memory runs short, so they bound nothing (see ``dlstudio.data.mapped_rows``);
  * the optimizer steps per second of its training loop (first to last step) and its
    wall time from loading to the final train/dev/test evaluation.

Both read the file from the OS's cache (it was just written).

    python benchmarks/npz_stream.py            # a 600 MB file
    python benchmarks/npz_stream.py --smoke    # 16 MB, a few seconds, for CI
    python benchmarks/npz_stream.py --device cuda

Ends with ``RESULT <name> <value>`` lines for scripts to pick up.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

FEATURES = 256
CLASSES = 10

_CHILD = r"""
import json, sys, threading, time
from dlstudio.config import RunConfig
from dlstudio.training.events import StepEvent
from dlstudio.training.run_job import load_splits
from dlstudio.training.trainer import Trainer

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024

path, mode, device, batch = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
settings = [f"data.in_memory={mode}", "model.hidden=[64]", "train.epochs=1",
            f"train.device={device}", f"train.batch_size={batch}"]
# A first small run: what any first training costs (thread pools, kernels, the
# DataLoader) is spent before the peak is reset, so the peak is the data's.
Trainer(RunConfig.from_dict({}, ["data.name=iris", *settings]),
        load_splits(RunConfig.from_dict({}, ["data.name=iris", *settings]))).run()
config = RunConfig.from_dict({}, ["data.name=npz", f"data.path={path}", *settings])
anon_start, anon_peak, done = status("RssAnon"), [0], threading.Event()

def sample():
    while not done.is_set():
        anon_peak[0] = max(anon_peak[0], status("RssAnon"))
        time.sleep(0.001)

sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")
start, began = status("VmRSS"), time.perf_counter()
steps = []
trainer = Trainer(config, load_splits(config), subscribers=[
    lambda event: steps.append(event.time) if isinstance(event, StepEvent) else None])
ended = trainer.run()
hwm_added = status("VmHWM") - start
done.set()
sampler.join()
print(json.dumps({"peak_added": anon_peak[0] - anon_start, "hwm_added": hwm_added,
                  "status": ended.status,
                  "steps": len(steps), "steps_per_s": (len(steps) - 1) / (steps[-1] - steps[0]),
                  "wall_s": time.perf_counter() - began,
                  "test_metric": ended.summary["test_metric"],
                  "streamed": type(trainer.data).__name__ == "StreamedBatches"}))
"""


def write_npz(path: Path, megabytes: float, seed: int = 0) -> int:
    """Features of about ``megabytes`` MB with learnable labels; returns the file size."""
    rng = np.random.default_rng(seed)
    rows = max(200, int(megabytes * 1e6) // (4 * FEATURES))
    X = rng.normal(size=(rows, FEATURES)).astype(np.float32)
    y = (X[:, :CLASSES] * 3 + rng.normal(size=(rows, CLASSES))).argmax(axis=1)
    np.savez(path, X=X, y=y)
    return path.stat().st_size


def measure(path: Path, mode: str, device: str, batch: int) -> dict:
    result = subprocess.run([sys.executable, "-c", _CHILD, str(path), mode, device, str(batch)],
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"the {mode} run failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a 16 MB file, for CI")
    parser.add_argument("--megabytes", type=float, default=None,
                        help="file size (default: 600, or 16 with --smoke)")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, auto")
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args(argv)
    megabytes = args.megabytes or (16.0 if args.smoke else 600.0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.npz"
        size = write_npz(path, megabytes)
        held = measure(path, "always", args.device, args.batch_size)
        streamed = measure(path, "never", args.device, args.batch_size)
    assert not held["streamed"] and streamed["streamed"]
    print(f"file: {size / 1e6:.1f} MB, {FEATURES} float32 features, {CLASSES} classes; "
          f"device {args.device}, batch {args.batch_size}, one epoch")
    for name, run in (("in memory (baseline)", held), ("streamed from disk", streamed)):
        print(f"{name:22s} allocated +{run['peak_added'] / 1e6:7.1f} MB "
              f"({run['peak_added'] / size:.2f}x the file), resident with file pages "
              f"+{run['hwm_added'] / 1e6:7.1f} MB  {run['steps_per_s']:7.1f} steps/s  "
              f"{run['steps']} steps  {run['wall_s']:.1f} s  test accuracy "
              f"{run['test_metric']:.3f}")
    memory_ratio = streamed["peak_added"] / held["peak_added"]
    speed_ratio = streamed["steps_per_s"] / held["steps_per_s"]
    print(f"streamed / in memory: peak allocated memory {memory_ratio:.3f}x, "
          f"steps/s {speed_ratio:.3f}x, "
          f"wall time {streamed['wall_s'] / held['wall_s']:.3f}x")
    print(f"RESULT npz_stream_peak_over_file {streamed['peak_added'] / size:.3f}")
    print(f"RESULT npz_in_memory_peak_over_file {held['peak_added'] / size:.3f}")
    print(f"RESULT npz_stream_memory_ratio {memory_ratio:.3f}")
    print(f"RESULT npz_stream_speed_ratio {speed_ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
