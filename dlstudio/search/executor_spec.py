"""``executor``: where a sweep's trials train (this machine's threads, or a Ray cluster).

A sweep file may say::

    executor: {kind: ray, address: auto, gpus_per_trial: 1, cpus_per_trial: 2,
               checkpoints: /shared/dlstudio-checkpoints}

``kind``: ``local`` (worker threads of this process, the default) or ``ray`` (each trial
a Ray task with ``cpus_per_trial`` CPUs and ``gpus_per_trial`` GPUs; ``address`` is the
cluster's, ``auto`` for the one ``ray start`` began on this machine, none to start a
local Ray instance). ``checkpoints``: a folder every node can read and write, where the
trials' checkpoints go so that a promoted trial resumes on whichever node gets it
(default: the folder beside the database, enough on one machine).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from dlstudio.errors import ConfigError

EXECUTOR_KEY = "executor"
KINDS = ("local", "ray")
KEYS = ("kind", "address", "gpus_per_trial", "cpus_per_trial", "checkpoints")


@dataclass(frozen=True)
class ExecutorSpec:
    """A validated ``executor`` section (see the module docstring)."""

    kind: str = "local"
    address: str | None = None  # None: start a local Ray instance
    gpus_per_trial: float = 0.0
    cpus_per_trial: float = 1.0
    checkpoints: str | None = None  # None: ``<db>-checkpoints`` beside the database

    @classmethod
    def parse(cls, raw: Any) -> ExecutorSpec:
        """From the sweep file's mapping (None: local); ConfigError names each bad key."""
        if raw is None:
            return cls()
        if isinstance(raw, ExecutorSpec):
            return raw
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{EXECUTOR_KEY}: expected a mapping such as "
                              "{kind: ray, address: auto, gpus_per_trial: 1}")
        problems = [f"{EXECUTOR_KEY}.{key}: unknown setting; expected one of {', '.join(KEYS)}"
                    for key in raw if key not in KEYS]
        kind = raw.get("kind", "local")
        if kind not in KINDS:
            problems.append(f"{EXECUTOR_KEY}.kind: got {kind!r}, expected local or ray")
        address = raw.get("address")
        if address is not None and (not isinstance(address, str) or not address.strip()):
            problems.append(f"{EXECUTOR_KEY}.address: got {address!r}, expected a cluster "
                            "address such as auto or 10.0.0.5:6379")
        gpus = _number(raw, "gpus_per_trial", 0.0, 0.0, problems)
        cpus = _number(raw, "cpus_per_trial", 1.0, None, problems)
        checkpoints = raw.get("checkpoints")
        if checkpoints is not None and (not isinstance(checkpoints, str) or not checkpoints):
            problems.append(f"{EXECUTOR_KEY}.checkpoints: got {checkpoints!r}, expected a "
                            "folder path every node can reach")
        if kind == "local" and (address is not None or gpus != cls.gpus_per_trial
                                or cpus != cls.cpus_per_trial):
            problems.append(f"{EXECUTOR_KEY}: address, gpus_per_trial and cpus_per_trial "
                            "are Ray settings; add kind: ray")
        if problems:
            raise ConfigError(problems)
        return cls(kind=kind, address=address, gpus_per_trial=gpus, cpus_per_trial=cpus,
                   checkpoints=checkpoints)

    def to_dict(self) -> dict[str, Any]:
        """What the sweep row records (``parse`` reads it back)."""
        return asdict(self)


def _number(raw: Mapping[str, Any], key: str, default: float, minimum: float | None,
            problems: list[str]) -> float:
    """A resource amount: ``minimum`` or more (None: more than 0)."""
    value = raw.get(key, default)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or (value < minimum if minimum is not None else value <= 0):
        expected = f">= {minimum:g}" if minimum is not None else "> 0"
        problems.append(f"{EXECUTOR_KEY}.{key}: got {value!r}, expected a number {expected}")
        return default
    return float(value)
