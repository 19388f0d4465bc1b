"""Read runs back from a dlstudio database and print a table: what a notebook does.

    python examples/read_runs.py --db runs.db
    python examples/read_runs.py --db runs.db --tag example --metric dev/accuracy
"""

from __future__ import annotations

import argparse

import numpy as np

import dlstudio


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database file (default: $DLSTUDIO_DB, else the user data folder)")
    parser.add_argument("--tag", help="only runs with this tag")
    parser.add_argument("--metric", default="train/loss", help="the curve to summarize")
    args = parser.parse_args(argv)

    with dlstudio.open(args.db) as db:
        runs = db.runs(tag=args.tag)
        print(f"{'id':>4}  {'name':<24} {'status':<10} {'points':>7} "
              f"{'last ' + args.metric:>18} {'best':>8}  config")
        for run in runs:
            points, last, best = 0, "-", "-"
            if args.metric in db.metric_keys(run.id):
                curve = db.curve(run.id, args.metric)          # NumPy arrays
                finite = curve.value[np.isfinite(curve.value)]
                points = len(curve.step)
                if finite.size:
                    last = f"{finite[-1]:.4f}"
                    best = f"{(finite.max() if 'acc' in args.metric else finite.min()):.4f}"
            settings = ", ".join(f"{k}={v}" for k, v in run.config.items()
                                 if not isinstance(v, dict))
            print(f"{run.id:>4}  {run.name[:24]:<24} {run.status:<10} {points:>7} "
                  f"{last:>18} {best:>8}  {settings[:60]}")
        print(f"{len(runs)} runs in {db.path}")


if __name__ == "__main__":
    main()
