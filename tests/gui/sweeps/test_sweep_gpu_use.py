"""The Sweeps panel shows which trial trains on which GPU and how busy that GPU is,
live, from the ``sys.gpu_*`` samples each run records.

This machine has no GPU, so the store is given what a two-GPU sweep leaves in it while
it runs: trials asked from the sweep's own strategy, their runs running on cuda:0 and
cuda:1 (the devices ``worker_overrides`` gives the worker slots), and their resource
samples, written through the store as the trainer's ResourceMonitor writes them.
"""

from __future__ import annotations

from dlstudio.config import RunConfig
from dlstudio.gui.sweeps.sweep_panel import SweepPanel
from dlstudio.store import Store
from dlstudio.training.sweeps.setup import create_sweep
from dlstudio.training.sweeps.state import SweepState
from tests.gui.sweeps.test_sweep_panel import BASE, LR, FakePrompts

SPEC = {"method": "random", "metric": {"name": "dev_loss"}, "budget": {"trials": 4},
        "parameters": LR, "base": BASE.to_dict()}


def running_trials(store: Store, sweep_id: int, devices: list[str]) -> list[int]:
    """A trial per device, running, as the runner starts them; returns their run ids."""
    state = SweepState.load(store, sweep_id)
    run_ids = []
    for device in devices:
        trial = state.strategy.ask()
        row = store.add_trial(sweep_id, trial.config, trial.epochs, status="running")
        state.rows[trial.id] = row
        config = RunConfig.from_dict({**BASE.to_dict(), "train": {"device": device}})
        run_id = store.create_run(config.to_dict(), sweep_id=sweep_id, trial_id=row)
        store.start_run(run_id)
        store.update_trial(row, run_id=run_id)
        run_ids.append(run_id)
    state.save(store)
    store.update_sweep(sweep_id, status="running")
    return run_ids


def sample(store: Store, run_id: int, step: int, util: float | None, memory: float) -> None:
    rows = [(run_id, "sys.cpu_percent", step, 0, 50.0, step / 10),
            (run_id, "sys.gpu_mem_mb", step, 0, memory, step / 10)]
    if util is not None:  # NVML's; absent where it cannot read the GPU
        rows.append((run_id, "sys.gpu_util", step, 0, util, step / 10))
    store.write_metrics(rows)


def test_each_gpus_running_trial_and_its_use_are_shown_and_follow_new_samples(
        qtbot, db_path, app_context):
    with Store(db_path) as store:
        sweep_id = create_sweep(store, SPEC, workers=3)
        first, second, on_cpu = running_trials(store, sweep_id, ["cuda:0", "cuda:1", "cpu"])
        sample(store, first, 10, 87.0, 1234.0)
        sample(store, second, 10, None, 512.0)
        store.write_metrics([(on_cpu, "sys.cpu_percent", 10, 0, 90.0, 1.0)])  # no GPU
    panel = SweepPanel(app_context, prompts=FakePrompts(), debounce_ms=0)
    qtbot.addWidget(panel)
    try:
        panel.show()
        panel.list_tabs.setCurrentIndex(1)
        panel.sweep_list.select(sweep_id)
        gpus = panel.results.gpus
        assert gpus.isVisible()
        assert gpus.text().splitlines() == [
            f"cuda:0 · trial 0 (run {first}) · 87 % busy · 1,234 MB",
            f"cuda:1 · trial 1 (run {second}) · 512 MB"]
        with Store(db_path) as store:  # the trainers' next samples
            sample(store, first, 20, 12.0, 2048.0)
            sample(store, second, 20, 99.0, 600.0)
        qtbot.waitUntil(lambda: "12 % busy · 2,048 MB" in gpus.text(), timeout=10_000)
        assert f"cuda:1 · trial 1 (run {second}) · 99 % busy · 600 MB" in gpus.text()
        with Store(db_path) as store:  # the first trial's run ended; the sweep goes on
            store.end_run(first, "finished", {})
        qtbot.waitUntil(lambda: len(gpus.text().splitlines()) == 1, timeout=10_000)
        assert gpus.text().startswith("cuda:1 · trial 1")
    finally:
        panel.shutdown()
