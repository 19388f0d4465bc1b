"""TensorBoard logs: every folder under DIR that holds event files is one run, named by
its path under DIR (as TensorBoard names runs). Scalars come from TensorBoard's own
``EventAccumulator`` (``simple_value`` scalars, as torch's ``SummaryWriter`` and TF 1
write them, and scalar tensors, as TF 2 writes them); hyperparameters logged with the
hparams plugin (``SummaryWriter.add_hparams``) become the run's config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlstudio.errors import ConfigError
from dlstudio.importers.common import (
    ImportReport, SourceRun, missing_reader, parse_param, write_runs)
from dlstudio.store import Store

EVENT_FILE_MARK = "tfevents"


def import_tensorboard(store: Store, directory: str | Path) -> ImportReport:
    """Import every run under ``directory``; ``ConfigError`` when there is none."""
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError as exc:
        raise missing_reader("tensorboard", "TensorBoard's event reader", exc) from None
    root = Path(directory).expanduser()
    if not root.is_dir():
        raise ConfigError(f"import tensorboard: {root}: not a folder")
    folders = sorted({path.parent for path in root.rglob(f"*{EVENT_FILE_MARK}*")
                      if path.is_file()})
    if not folders:
        raise ConfigError(f"import tensorboard: {root}: no event files (*tfevents*) found")
    runs = [_read_run(event_accumulator, root, folder) for folder in folders]
    return write_runs(store, str(root.resolve()), [run for run in runs if run is not None])


def _read_run(event_accumulator: Any, root: Path, folder: Path) -> SourceRun | None:
    accumulator = event_accumulator.EventAccumulator(
        str(folder), size_guidance={event_accumulator.SCALARS: 0,
                                    event_accumulator.TENSORS: 0})
    try:
        accumulator.Reload()
    except Exception as exc:  # a truncated or foreign file: say which
        raise ConfigError(f"import tensorboard: {folder}: unreadable event file: "
                          f"{type(exc).__name__}: {exc}") from exc
    tags = accumulator.Tags()
    metrics: dict[str, list[tuple[int, float, float]]] = {}
    for tag in tags.get("scalars", []):
        metrics[tag] = [(int(e.step), float(e.value), float(e.wall_time))
                        for e in accumulator.Scalars(tag)]
    for tag in tags.get("tensors", []):
        points = _scalar_tensors(accumulator.Tensors(tag))
        if points:
            metrics.setdefault(tag, points)
    config = _hparams(accumulator)
    if not metrics and not config:
        return None
    relative = folder.relative_to(root)
    name = str(relative) if str(relative) != "." else root.name
    return SourceRun(kind="tensorboard", source_id=str(relative), name=name, config=config,
                     metrics=metrics, details={"folder": str(folder.resolve())})


def _scalar_tensors(events: list) -> list[tuple[int, float, float]]:
    from tensorboard.util import tensor_util

    points = []
    for event in events:
        array = tensor_util.make_ndarray(event.tensor_proto)
        if array.size != 1 or array.dtype.kind not in "fiub":
            return []  # not a scalar series (text, images ...)
        points.append((int(event.step), float(array.reshape(())), float(event.wall_time)))
    return points


def _hparams(accumulator: Any) -> dict[str, Any]:
    try:
        content = accumulator.PluginTagToContent("hparams")
    except KeyError:
        return {}
    from tensorboard.plugins.hparams import plugin_data_pb2

    config: dict[str, Any] = {}
    for blob in content.values():
        data = plugin_data_pb2.HParamsPluginData.FromString(blob)
        if data.HasField("session_start_info"):
            for key, value in data.session_start_info.hparams.items():
                kind = value.WhichOneof("kind")
                item = getattr(value, kind) if kind else None
                config[key] = parse_param(item) if isinstance(item, str) else item
    return config
