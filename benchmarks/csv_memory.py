"""Peak memory of reading a CSV table, as a multiple of the file's size.

Writes a numeric table (20 feature columns and a class label, ~10 characters a cell),
then reads it, each way in a fresh process so that one reading's memory cannot hide
another's, and measures the peak resident memory the reading adds (Linux only):

  * ``load_csv`` as dlstudio reads a data file,
  * the reference: the ``csv`` module's rows of strings, then numpy per column (how
    dlstudio read tables before: 11.8x a 200 MB file).

Each peak is divided by the file size. The goal is to stay within ~3x the file.

    python benchmarks/csv_memory.py            # a 200 MB file
    python benchmarks/csv_memory.py --smoke    # 10 MB, a few seconds, for CI

Ends with ``RESULT <name> <value>`` lines for scripts to pick up.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

COLUMNS = 20
GOAL = 3.0

# Each reader runs in a child, which prints its peak resident memory above what it held
# once the imports were done. Linux resets the peak on "5" to /proc/self/clear_refs, so
# an import's passing peak cannot hide the reading's.
_CHILD = r"""
import csv, sys
from pathlib import Path
import numpy as np
from dlstudio.data.csv_file import load_csv

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024

path, how = Path(sys.argv[1]), sys.argv[2]
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")
start = status("VmRSS")
if how == "load_csv":
    dataset = load_csv(path)
elif how == "rows_of_strings":
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [row for row in reader if row]
    columns = [np.array(cells, dtype=np.float64) for cells in zip(*rows)]
print(status("VmHWM") - start)
"""


def write_table(path: Path, megabytes: float, seed: int = 0) -> int:
    """A table of about ``megabytes`` MB; returns its size in bytes."""
    rng = np.random.default_rng(seed)
    header = ",".join([f"x{i}" for i in range(COLUMNS)] + ["label"]) + "\n"
    target = int(megabytes * 1e6)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(header)
        written = len(header)
        while written < target:
            block = rng.normal(size=(20_000, COLUMNS))
            labels = rng.integers(0, 3, size=(20_000, 1))
            lines = "\n".join(",".join(f"{v:.6f}" for v in row) + f",{int(y[0])}"
                              for row, y in zip(block, labels)) + "\n"
            handle.write(lines)
            written += len(lines)
    return path.stat().st_size


def peak_added(path: Path, how: str) -> int:
    result = subprocess.run([sys.executable, "-c", _CHILD, str(path), how],
                            capture_output=True, text=True, check=True)
    return int(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a 10 MB file, for CI")
    parser.add_argument("--megabytes", type=float, default=None,
                        help="file size (default: 200, or 10 with --smoke)")
    args = parser.parse_args(argv)
    megabytes = args.megabytes or (10.0 if args.smoke else 200.0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        size = write_table(path, megabytes)
        ours = peak_added(path, "load_csv")
        reference = peak_added(path, "rows_of_strings")
    print(f"file: {size / 1e6:.1f} MB, {COLUMNS} features and a label")
    print(f"load_csv:                  {ours / 1e6:8.1f} MB  = {ours / size:.2f}x the file")
    print(f"rows of strings (before):  {reference / 1e6:8.1f} MB  = {reference / size:.2f}x")
    print(f"goal: load_csv within {GOAL:.0f}x the file: {'met' if ours / size <= GOAL else 'MISSED'}")
    print(f"RESULT csv_peak_over_file {ours / size:.3f}")
    print(f"RESULT rows_of_strings_peak_over_file {reference / size:.3f}")
    print(f"RESULT csv_peak_vs_rows_of_strings {ours / reference:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
