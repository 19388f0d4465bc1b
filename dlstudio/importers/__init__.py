"""Bringing other trackers' logs into the store: TensorBoard event files and MLflow
runs (an ``mlruns`` folder or a tracking database), read with each project's own
reader, an optional extra: ``pip install "dlstudio[import]"``.

Each source run becomes an ordinary dlstudio run (free-form config, tags, every scalar
point) that remembers where it came from in its environment (``imported_from``), so
importing the same source again skips what is already there.
"""

from dlstudio.importers.common import ImportReport
from dlstudio.importers.mlflow_runs import import_mlflow
from dlstudio.importers.tensorboard_runs import import_tensorboard

__all__ = ["ImportReport", "import_mlflow", "import_tensorboard"]
