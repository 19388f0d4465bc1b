"""``dlstudio export-runs``: many runs at once, as one long metrics CSV (a row per point)
and / or one wide summary CSV (a row per run, config and summary keys as columns)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dlstudio.cli.options import add_db_option
from dlstudio.errors import ConfigError
from dlstudio.formatting import count
from dlstudio.store import Store, resolve_db_path
from dlstudio.store.run_table import write_long_csv, write_summary_csv


def register(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export-runs", help="many runs: every metric point in one long CSV, a summary CSV",
        description="Select runs by id and / or filters (all runs when none is given) and "
                    "write their metrics in long format (run_id, run_name, key, step, "
                    "epoch, value, time) and / or a per-run summary table.")
    export.add_argument("runs", nargs="*", type=int, metavar="ID", help="run ids (default: all)")
    export.add_argument("--status", help="only runs with this status")
    export.add_argument("--tag", help="only runs with this tag")
    export.add_argument("--filter", dest="text", help="text in the name, notes or config")
    export.add_argument("--metrics", metavar="FILE", help="long-format metrics CSV to write")
    export.add_argument("--summary", metavar="FILE", help="one-row-per-run summary CSV to write")
    add_db_option(export)
    export.set_defaults(handler=run_export_runs)


def run_export_runs(args: argparse.Namespace) -> int:
    if not args.metrics and not args.summary:
        raise ConfigError("export-runs: give --metrics FILE and / or --summary FILE")
    with Store(resolve_db_path(args.db)) as store:
        runs = store.list_runs(status=args.status, tag=args.tag, text=args.text,
                               descending=False)
        if args.runs:
            wanted = set(args.runs)
            missing = sorted(wanted - {run["id"] for run in store.list_runs()})
            if missing:
                raise ConfigError(f"run {missing[0]}: not found")
            runs = [run for run in runs if run["id"] in wanted]
        if not runs:
            raise ConfigError("export-runs: no run matches; nothing written")
        if args.metrics:
            with _open(args.metrics) as handle:
                points = write_long_csv(store, runs, handle)
            print(f"wrote {args.metrics}: {count(points, 'point')} of {count(len(runs), 'run')}",
                  file=sys.stderr)
    if args.summary:
        with _open(args.summary) as handle:
            write_summary_csv(runs, handle)
        print(f"wrote {args.summary}: {count(len(runs), 'run')}", file=sys.stderr)
    return 0


def _open(path: str):
    try:
        return Path(path).open("w", newline="", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from exc
