"""``dlstudio lr-find``: the LR range test from the command line."""

from __future__ import annotations

import argparse
import json

from dlstudio.cli.options import add_db_option
from dlstudio.cli.train import load_config
from dlstudio.store import Store, resolve_db_path


def register(commands: argparse._SubParsersAction) -> None:
    finder = commands.add_parser(
        "lr-find", help="LR range test: raise the LR each mini-batch, suggest a good one")
    finder.add_argument("config", nargs="?", help="a YAML, TOML or JSON run config")
    finder.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a config key")
    finder.add_argument("--min-lr", type=float, default=1e-7)
    finder.add_argument("--max-lr", type=float, default=10.0)
    finder.add_argument("--steps", type=int, default=100, help="at most this many mini-batches")
    finder.add_argument("--json", action="store_true", help="print the result as JSON")
    add_db_option(finder)
    finder.set_defaults(handler=run_lr_find)


def run_lr_find(args: argparse.Namespace) -> int:
    from dlstudio.training.lr_finder import find_lr

    config = load_config(args.config, args.overrides)
    result = find_lr(config, min_lr=args.min_lr, max_lr=args.max_lr, num_steps=args.steps)
    with Store(resolve_db_path(args.db)) as store:
        test_id = store.save_lr_test(config.to_dict(), result.lrs, result.losses,
                                     result.suggestions, result.details())
    if args.json:
        print(json.dumps({"id": test_id, "suggestions": result.suggestions, "lrs": result.lrs,
                          "losses": result.losses, "smoothed": result.smoothed,
                          "batch_size": result.batch_size, "epochs": result.epochs}, indent=2))
        return 0
    print(f"LR range test {test_id}: {len(result.lrs)} mini-batches of {result.batch_size} "
          f"(train.batch_size; {result.epochs:.1f} epochs), "
          f"LR {result.lrs[0]:.1e} .. {result.lrs[-1]:.1e}"
          + (" (stopped when the loss exploded)" if result.stopped_early else ""))
    print(f"  steepest descent  {result.suggestions['steepest']:.2e}")
    print(f"  minimum / 10      {result.suggestions['min_div_10']:.2e}")
    print("use one with  --set optim.lr=...  (with one-cycle or cyclic, optim.lr is the peak)")
    return 0
