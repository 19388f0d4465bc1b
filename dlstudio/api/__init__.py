"""dlstudio's public Python API: track your own training loop, read runs back.

    import dlstudio

    with dlstudio.start_run(config={"lr": 3e-4, "model": "resnet18"}, name="baseline",
                            tags=["cifar"]) as run:
        for step, (x, y) in enumerate(loader):
            ...
            run.log({"train/loss": loss}, step=step)      # floats or tensors
        run.summary["test/accuracy"] = accuracy

    with dlstudio.open() as db:                            # the same database
        for info in db.runs(tag="cifar"):
            print(info.id, info.name, info.summary)

An exception inside the ``with`` block ends the run ``failed`` (with the traceback) and
propagates; Ctrl+C ends it ``stopped``; a process killed outright is found
``interrupted`` by the next program that opens the database.
"""

from __future__ import annotations

from dlstudio.api.reader import Curve, Database, RunInfo, open
from dlstudio.api.run import Run, RunSummary, start_run

__all__ = ["Curve", "Database", "Run", "RunInfo", "RunSummary", "open", "start_run"]
