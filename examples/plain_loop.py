"""A plain PyTorch training loop tracked by dlstudio: three added lines.

Trains a small MLP on generated two-spiral data (nothing is downloaded), logging the
training loss every step and dev metrics every epoch:

    python examples/plain_loop.py --db runs.db
    dlstudio runs --db runs.db        # or open the app: dlstudio --db runs.db

Without --db the run goes where the CLI and the app look: $DLSTUDIO_DB, else the
user data folder.
"""

from __future__ import annotations

import argparse
import math

import torch
from torch import nn

import dlstudio


def spirals(n: int, noise: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved spirals in 2-D, labels 0 and 1."""
    t = torch.rand(n, generator=generator) * 3 * math.pi + 0.5
    labels = torch.randint(0, 2, (n,), generator=generator)
    angle = t + labels * math.pi
    points = torch.stack([t * torch.cos(angle), t * torch.sin(angle)], dim=1) / 5
    return points + noise * torch.randn(n, 2, generator=generator), labels


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database file (default: $DLSTUDIO_DB, else the user data folder)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--hidden", type=int, default=64)
    args = parser.parse_args(argv)

    generator = torch.Generator().manual_seed(0)
    x_train, y_train = spirals(2000, 0.05, generator)
    x_dev, y_dev = spirals(500, 0.05, generator)
    model = nn.Sequential(nn.Linear(2, args.hidden), nn.ReLU(),
                          nn.Linear(args.hidden, args.hidden), nn.ReLU(),
                          nn.Linear(args.hidden, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    config = {"model": "mlp-2x", "hidden": args.hidden, "lr": args.lr, "epochs": args.epochs,
              "data": "spirals"}

    with dlstudio.start_run(config=config, name="spirals-mlp", tags=["example"],  # line 1
                            db=args.db) as run:
        step = 0
        for epoch in range(args.epochs):
            model.train()
            for batch in torch.randperm(len(x_train), generator=generator).split(100):
                loss = loss_fn(model(x_train[batch]), y_train[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                run.log({"train/loss": loss}, step=step, epoch=epoch)  # line 2: a tensor is fine
                step += 1
            model.eval()
            with torch.no_grad():
                logits = model(x_dev)
                dev_loss = loss_fn(logits, y_dev)
                accuracy = (logits.argmax(1) == y_dev).float().mean()
            run.log({"dev/loss": dev_loss, "dev/accuracy": accuracy}, step=step, epoch=epoch)
        run.summary["dev/accuracy"] = float(accuracy)                     # line 3
    print(f"run {run.id} ({run.name}): dev accuracy {float(accuracy):.3f}, stored in {run.db_path}")


if __name__ == "__main__":
    main()
