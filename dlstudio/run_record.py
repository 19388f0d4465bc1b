"""A run's record beyond its config and summary, in labelled fields: where it came from
(what reproducing it needs), the resources it used and the files in its folder.

One rule for every reader: ``dlstudio show``, the Runs tab's row tooltip and its
details pane all print these fields (no Qt, no torch).
"""

from __future__ import annotations

from typing import Any

from dlstudio.formatting import is_number
from dlstudio.reproducibility import API_MARK, IMPORT_MARK, made_by
from dlstudio.store.paths import run_files

NOT_RECORDED = "not recorded (the run is older than this record)"
VERSIONS = (("python", "Python"), ("torch", "torch"), ("cuda", "CUDA"),
            ("dlstudio", "dlstudio"))
INPUTS = (("code", "Script"), ("data_files", "Data file"), ("plugin_files", "Plugin file"))
# The samples a run's ResourceMonitor stores as metrics (training/resources.py).
SYSTEM_METRICS = ("sys.cpu_percent", "sys.ram_mb", "sys.gpu_util", "sys.gpu_mem_mb",
                  "sys.gpu_reserved_mb", "sys.gpu_device_mem_mb")
Field = tuple[str, str]


def with_details(store, run: dict[str, Any]) -> dict[str, Any]:
    """``run`` (a store row) with its ``files`` and the count, mean and peak of its
    ``system_metrics``: what ``show --json`` prints and the app's details pane shows."""
    return {**run, "files": files_of(run),
            "system_metrics": store.metric_stats(run["id"], list(SYSTEM_METRICS))}


def files_of(run: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{"path", "bytes"}]`` of the run's checkpoints and artifacts on disk."""
    folder = run.get("checkpoint_dir")
    return [{"path": f"{folder}/{name}", "bytes": size} for name, size in run_files(folder)]


def origin(environment: dict[str, Any]) -> str:
    """Who made the run: dlstudio's trainer, a script through the API, an import."""
    maker = made_by(environment)
    if maker == "import":
        imported = environment[IMPORT_MARK]
        return (f"imported from {imported.get('kind', '?')}: {imported.get('source', '?')} "
                f"(run {imported.get('id', '?')})")
    if maker == "script":
        return f"logged by a script ({environment[API_MARK]})"
    return "trained by dlstudio" if maker else NOT_RECORDED


def environment_fields(environment: dict[str, Any]) -> list[Field]:
    """What reproducing the run needs, each field labelled; a run older than the record
    says so, an imported one says where from (and what the source recorded)."""
    fields = [("Origin", origin(environment))]
    maker = made_by(environment)
    if maker == "import":
        return fields + [(str(key), str(value)) for key, value in
                         environment[IMPORT_MARK].items() if key not in ("kind", "source", "id")]
    if not maker:
        return fields
    fields += [(label, str(environment.get(key) or "none")) for key, label in VERSIONS]
    fields += [("Host", f"{environment.get('host', '?')} ({environment.get('platform', '?')})"),
               ("Command line", str(environment.get("command", "?"))),
               ("Working folder", str(environment.get("cwd", "?")))]
    git = environment.get("git")
    if git:
        state = "dirty: uncommitted changes" if git.get("dirty") else "clean"
        fields += [("Git commit", f"{git.get('commit')} ({state})"),
                   ("Repository", str(git.get("root", "?")))]
    else:
        fields.append(("Git commit", "not in a git repository"))
    for key, label in INPUTS:
        entry = environment.get(key)
        for record in entry if isinstance(entry, list) else [entry] if entry else []:
            digest = (f"sha256 {record['sha256']}" if record.get("sha256")
                      else record.get("error", "?"))
            fields.append((label, f"{record.get('path')}  {digest}"))
    return fields


def environment_summary(environment: dict[str, Any]) -> list[str]:
    """The reproducibility record in two short lines (empty for runs without one)."""
    maker = made_by(environment)
    if maker == "import":
        imported = environment[IMPORT_MARK]
        return [f"Imported from {imported.get('kind', '?')}: {imported.get('source', '?')}"]
    if not maker:
        return []
    git = environment.get("git") or {}
    code = (f"git {str(git.get('commit', ''))[:10]}{' (dirty)' if git.get('dirty') else ''}"
            if git else "not in a git repository")
    versions = " · ".join(f"{key} {environment[key]}" for key, _ in VERSIONS
                          if environment.get(key))
    return [f"Code: {code} · host {environment.get('host', '?')}", f"Versions: {versions}"]


def resource_fields(summary: dict[str, Any], system: dict[str, dict[str, float]],
                    environment: dict[str, Any] | None = None) -> list[Field]:
    """GPU and CPU use: the summary's peaks and the mean / peak of the sampled
    ``system`` metrics (``with_details``); why GPU utilisation is missing, if known, and
    why nothing was recorded (by the run's ``environment``: imported, a script's)."""
    fields: list[Field] = []
    if summary.get("device"):
        fields.append(("Device", str(summary["device"])))
    if summary.get("gpu_name"):
        fields.append(("GPU", str(summary["gpu_name"])))
    for key, label in (("gpu_max_mem_mb", "Peak GPU memory allocated (torch)"),
                       ("gpu_max_reserved_mb", "Peak GPU memory reserved (torch)")):
        if is_number(summary.get(key)):
            fields.append((label, f"{summary[key]:,.0f} MB"))
    if "sys.gpu_util" in system:
        fields.append(("GPU utilisation (NVML)", _mean_peak(system["sys.gpu_util"], "%")))
    elif summary.get("gpu_monitor"):
        fields.append(("GPU utilisation (NVML)", f"not measured: {summary['gpu_monitor']}"))
    if "sys.gpu_device_mem_mb" in system:
        fields.append(("GPU device memory used (NVML)",
                       _mean_peak(system["sys.gpu_device_mem_mb"], "MB")))
    cpu_time, duration = summary.get("cpu_time"), summary.get("duration")
    if is_number(cpu_time):
        share = (f" ({100 * cpu_time / duration:.0f} % of the wall-clock time)"
                 if is_number(duration) and duration > 0 else "")
        seconds = f"{cpu_time:,.1f}" if cpu_time >= 1 else f"{cpu_time:.2g}"
        fields.append(("CPU time (training thread)", f"{seconds} s{share}"))
    if "sys.cpu_percent" in system:
        fields.append(("CPU use (whole machine)", _mean_peak(system["sys.cpu_percent"], "%")))
    if "sys.ram_mb" in system:
        fields.append(("RAM of the process", _mean_peak(system["sys.ram_mb"], "MB")))
    return fields or [("Resources", _why_no_resources(environment or {}))]


def _why_no_resources(environment: dict[str, Any]) -> str:
    maker = made_by(environment)
    if maker == "import":
        return "not recorded: an import brings the source's metrics, params and tags only"
    if maker == "script":
        return ("not recorded: the script started it with system_metrics=False, or an "
                "older dlstudio logged it")
    return NOT_RECORDED


def _mean_peak(stats: dict[str, float], unit: str) -> str:
    count = int(stats["count"])
    return (f"mean {stats['mean']:,.0f} {unit}, peak {stats['max']:,.0f} {unit} "
            f"({count:,} sample{'s' if count != 1 else ''})")
