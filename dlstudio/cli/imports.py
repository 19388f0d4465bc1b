"""``dlstudio import tensorboard DIR`` and ``dlstudio import mlflow PATH_OR_URI``."""

from __future__ import annotations

import argparse

from dlstudio.cli.options import add_db_option
from dlstudio.formatting import count
from dlstudio.store import Store, resolve_db_path


def register(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "import", help="copy TensorBoard or MLflow runs (scalars, params, tags) into the store",
        description='Needs the optional readers: pip install "dlstudio[import]". Runs '
                    "imported before are skipped.")
    sources = command.add_subparsers(dest="source", metavar="SOURCE", required=True)
    tensorboard = sources.add_parser("tensorboard", help="a folder of TensorBoard event files")
    tensorboard.add_argument("path", metavar="DIR")
    mlflow = sources.add_parser("mlflow", help="an mlruns folder, an MLflow .db file or a URI")
    mlflow.add_argument("path", metavar="PATH_OR_URI")
    for parser in (tensorboard, mlflow):
        add_db_option(parser)
    command.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    from dlstudio.importers import import_mlflow, import_tensorboard

    importer = import_tensorboard if args.source == "tensorboard" else import_mlflow
    with Store(resolve_db_path(args.db)) as store:
        report = importer(store, args.path)
    ids = ", ".join(map(str, report.run_ids)) or "none"
    print(f"imported {count(len(report.run_ids), 'run')} ({count(report.points, 'point')}) "
          f"from {args.path}: run ids {ids}")
    if report.skipped:
        print(f"skipped {count(len(report.skipped), 'run')} imported before: "
              f"{', '.join(report.skipped)}")
    return 0
