"""A training loop over a ``torch.utils.data.DataLoader``, tracked by dlstudio.

A small CNN on scikit-learn's bundled 8x8 handwritten digits (nothing is downloaded).
Logs the loss every step and train/dev accuracy every epoch, keeps the best model as a
checkpoint in the run's folder, and records the test accuracy in the summary:

    python examples/dataloader_loop.py --db runs.db
    dlstudio show 1 --db runs.db      # config, summary, environment, checkpoint file
"""

from __future__ import annotations

import argparse

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import dlstudio


def digits_loaders(batch_size: int) -> tuple[DataLoader, DataLoader, DataLoader]:
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # N,1,8,8
    labels = torch.tensor(digits.target)
    index = list(range(len(labels)))
    train, rest = train_test_split(index, test_size=0.4, random_state=0, stratify=labels)
    dev, test = train_test_split(rest, test_size=0.5, random_state=0, stratify=labels[rest])

    def loader(part: list[int], shuffle: bool) -> DataLoader:
        return DataLoader(TensorDataset(images[part], labels[part]), batch_size=batch_size,
                          shuffle=shuffle, generator=torch.Generator().manual_seed(0))

    return loader(train, True), loader(dev, False), loader(test, False)


def accuracy(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += int((model(images).argmax(1) == labels).sum())
    return correct / len(loader.dataset)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database file (default: $DLSTUDIO_DB, else the user data folder)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    train, dev, test = digits_loaders(args.batch_size)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32 * 2 * 2, 10))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    config = {"model": "cnn-16-32", "data": "digits", "epochs": args.epochs,
              "batch_size": args.batch_size, "lr": args.lr, "optimizer": "adamw"}
    with dlstudio.start_run(config=config, name="digits-cnn-dataloader",
                            tags=["example", "digits"], db=args.db) as run:
        step, best = 0, -1.0
        for epoch in range(args.epochs):
            model.train()
            for images, labels in train:
                loss = loss_fn(model(images), labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                run.log({"train/loss": loss, "lr": optimizer.param_groups[0]["lr"]},
                        step=step, epoch=epoch)
                step += 1
            dev_accuracy = accuracy(model, dev)
            run.log({"train/accuracy": accuracy(model, train), "dev/accuracy": dev_accuracy},
                    step=step, epoch=epoch)
            if dev_accuracy > best:
                best = dev_accuracy
                run.save_checkpoint(model.state_dict(), "best.pt")
        model.load_state_dict(torch.load(run.dir / "best.pt", weights_only=True))
        run.summary.update({"best_dev_accuracy": best, "test/accuracy": accuracy(model, test)})
    print(f"run {run.id} ({run.name}): best dev {best:.3f}, "
          f"test {run.summary['test/accuracy']:.3f}; checkpoint in {run.dir}")


if __name__ == "__main__":
    main()
