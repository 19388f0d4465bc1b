"""``dlstudio examples``: where the shipped example configs and sweep files are."""

from __future__ import annotations

import argparse

from dlstudio.examples import example_files, example_path


def register(commands: argparse._SubParsersAction) -> None:
    examples = commands.add_parser(
        "examples", help="list the example run configs and sweep files, or print one's path")
    examples.add_argument("name", nargs="?",
                          help="an example's file name: print its path, e.g. for "
                               "dlstudio sweep \"$(dlstudio examples hyperband.yaml)\"")
    examples.set_defaults(handler=run_examples)


def run_examples(args: argparse.Namespace) -> int:
    if args.name:
        print(example_path(args.name))
        return 0
    for path in example_files():
        print(f"{path.parent.name + '/' + path.name:<34} {path}")
    return 0
