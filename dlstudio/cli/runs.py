"""``dlstudio runs | show | export | delete``: reading and managing stored runs."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys

from dlstudio.cli.options import add_db_option
from dlstudio.cli.run_details import environment_lines, files_lines, resource_lines
from dlstudio.cli.train import find_run
from dlstudio.errors import ConfigError
from dlstudio.formatting import count, format_metric
from dlstudio.run_record import with_details
from dlstudio.store import Store, resolve_db_path
from dlstudio.store.runs import still_running
from dlstudio.store.export import (check_export_target, metrics_as_lists, write_export_file,
                                   write_metrics_csv)


def register(commands: argparse._SubParsersAction) -> None:
    runs = commands.add_parser("runs", help="list the stored runs")
    runs.add_argument("--status", help="only runs with this status")
    runs.add_argument("--tag", help="only runs with this tag")
    runs.add_argument("--filter", dest="text", help="text in the name, notes or config")
    runs.add_argument("--where", metavar="QUERY",
                      help="a run query, e.g. 'optim.name = adam and best_dev_metric > 0.95 "
                           "and tag:baseline' (= != < <= > >= ~, and/or/not, parentheses)")
    runs.add_argument("--sort", default="created",
                      help="a column or summary key, e.g. best_dev_metric (default: created)")
    runs.add_argument("--ascending", action="store_true")
    runs.add_argument("--json", action="store_true")
    add_db_option(runs)
    runs.set_defaults(handler=run_list)

    show = commands.add_parser("show", help="one run: config, status, summary")
    show.add_argument("run", help="run id or name")
    show.add_argument("--json", action="store_true")
    add_db_option(show)
    show.set_defaults(handler=run_show)

    export = commands.add_parser("export", help="a run's metrics as CSV or JSON")
    export.add_argument("run", help="run id or name")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.add_argument("--force", action="store_true",
                        help="overwrite an existing output file (never the database)")
    add_db_option(export)
    export.set_defaults(handler=run_export)

    delete = commands.add_parser(
        "delete", help="delete runs, with their metrics and checkpoints",
        description="Delete the runs named (ids or names), or those a run query selects "
                    "(--where; they are listed and a confirmation is asked, or --yes "
                    "given). A running run is refused: stop it first.")
    delete.add_argument("runs", nargs="*", metavar="RUN", help="run id or name")
    delete.add_argument("--where", metavar="QUERY",
                        help="the runs a query selects, e.g. 'status = failed'")
    delete.add_argument("--yes", action="store_true",
                        help="with --where: delete without asking")
    add_db_option(delete)
    delete.set_defaults(handler=run_delete)


def run_list(args: argparse.Namespace) -> int:
    with Store(resolve_db_path(args.db, existing=True)) as store:
        runs = store.list_runs(status=args.status, tag=args.tag, text=args.text,
                               sort_by=args.sort, descending=not args.ascending,
                               where=args.where)
    if args.json:
        print(json.dumps(runs, indent=2, default=str))
        return 0
    if not runs:
        if args.status or args.tag or args.text or args.where:
            print("no run matches " + ", ".join(
                f"--{flag} {value!r}" for flag, value in
                (("status", args.status), ("tag", args.tag), ("filter", args.text),
                 ("where", args.where)) if value))
        else:
            print("no runs yet: try  dlstudio train --set data.name=digits --set train.epochs=3")
        return 0
    header = f"{'id':>5}  {'status':<11} {'name':<28} {'best dev':>10} {'test':>10} {'created':<16}"
    print(header)
    for run in runs:
        summary = run.get("summary") or {}
        metric = summary.get("metric_name", "")
        best = summary.get("best_dev_metric")
        test = summary.get("test_metric")
        print(f"{run['id']:>5}  {run['status']:<11} {run['name'][:28]:<28} "
              f"{format_metric(metric, best) if best is not None else '-':>10} "
              f"{format_metric(metric, test) if test is not None else '-':>10} "
              f"{_when(run['created']):<16}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with Store(resolve_db_path(args.db, existing=True)) as store:
        run = with_details(store, find_run(store, args.run))
    if args.json:
        print(json.dumps(run, indent=2, default=str))
        return 0
    print(f"run {run['id']}  {run['name']}  [{run['status']}]  created {_when(run['created'])}")
    if run.get("tags"):
        print(f"tags: {', '.join(run['tags'])}")
    print("config:")
    for section, values in run["config"].items():
        if isinstance(values, dict):
            print(f"  {section}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
        else:
            print(f"  {section}: {values}")
    print("summary:")
    for key, value in (run.get("summary") or {}).items():
        print(f"  {key}: {value}")
    for line in (environment_lines(run.get("environment") or {}) + resource_lines(run)
                 + files_lines(run["files"])):
        print(line)
    if run.get("error"):
        print("error:\n" + run["error"])
    return 0


def run_export(args: argparse.Namespace) -> int:
    db_path = resolve_db_path(args.db, existing=True)
    if args.output:  # refuse a bad target before reading anything
        check_export_target(args.output, database=db_path, force=args.force)
    with Store(db_path) as store:
        run = find_run(store, args.run)
        if args.format == "json":
            text = json.dumps({"run": run, "metrics": metrics_as_lists(store, run["id"])},
                              indent=2, default=str)
        else:
            buffer = io.StringIO()
            write_metrics_csv(store, run["id"], buffer)
            text = buffer.getvalue()
    if args.output:
        write_export_file(args.output, text, database=db_path, force=args.force)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def run_delete(args: argparse.Namespace) -> int:
    if args.runs and args.where:
        raise ConfigError("delete: name the runs or give --where QUERY, not both")
    if not args.runs and not args.where:
        raise ConfigError("delete: name the runs to delete (ids or names) or give "
                          "--where QUERY")
    with Store(resolve_db_path(args.db, existing=True)) as store:
        if args.where:
            runs = store.list_runs(where=args.where, sort_by="id", descending=False)
            if not runs:
                print(f"no run matches --where {args.where!r}; nothing deleted")
                return 0
            if not _confirmed(runs, args.yes):
                print("nothing deleted")
                return 1
        else:
            runs = [find_run(store, ref) for ref in dict.fromkeys(args.runs)]
        running = [run["id"] for run in runs if run["status"] == "running"]
        if running:  # all or nothing, before the first: a half-done delete confuses
            raise still_running(running)
        for run in runs:
            checkpoints = store.delete_run(run["id"])
            print(f"deleted run {run['id']} ({run['name']}) with its metrics; {checkpoints}")
    return 0


def _confirmed(runs: list[dict], yes: bool) -> bool:
    """Whether the runs a query chose may go: ``--yes``, or the user's answer."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise ConfigError(f"delete --where: {count(len(runs), 'run')} match; pass --yes "
                          "to delete them without a terminal to confirm")
    for run in runs:
        print(f"{run['id']:>5}  {run['status']:<11} {run['name']}")
    answer = input(f"Delete these {count(len(runs), 'run')} with their metrics and "
                   "checkpoints? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _when(timestamp: float | None) -> str:
    if not timestamp:
        return "-"
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")
