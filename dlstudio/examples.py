"""The example run configs and sweep files shipped inside the package.

They live in ``dlstudio/resources/{configs,sweeps}`` and are read through
``importlib.resources``, so an installed wheel has them as much as a source checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from dlstudio.errors import ConfigError

KINDS = ("configs", "sweeps")
SUFFIXES = (".yaml", ".yml", ".toml", ".json")


def examples_folder(kind: str) -> Path:
    """The folder of one kind of example: ``configs`` or ``sweeps``."""
    if kind not in KINDS:
        raise ValueError(f"kind: got {kind!r}, expected configs or sweeps")
    # A wheel installs as plain files, so the traversable is a real folder.
    return Path(str(resources.files("dlstudio") / "resources" / kind))


def example_files(kind: str | None = None) -> list[Path]:
    """Every example file of ``kind`` (both kinds when None), sorted by name."""
    kinds = KINDS if kind is None else (kind,)
    return [path for k in kinds for path in sorted(examples_folder(k).iterdir())
            if path.suffix in SUFFIXES]


def example_path(name: str) -> Path:
    """An example by file name (``hyperband.yaml``) or kind/name (``sweeps/grid.yaml``)."""
    matches = [path for path in example_files()
               if name in (path.name, f"{path.parent.name}/{path.name}")]
    if not matches:
        known = ", ".join(path.name for path in example_files())
        raise ConfigError(f"example {name!r}: not found; the examples are {known}")
    return matches[0]
