"""ASHA in the sweep form: chosen from the method list, explained, planned, and written
back to the file the core reads (TPE proposals kept)."""

from __future__ import annotations

from dlstudio.examples import examples_folder
from dlstudio.training.sweeps.setup import read_sweep
from tests.gui.sweeps.test_sweep_form import HALVING, form_and_plan


def test_asha_is_chosen_explained_and_planned_by_its_budget(qtbot):
    form, view = form_and_plan(qtbot)
    form.load_mapping({**HALVING, "method": "asha", "successive_halving": None,
                       "asha": {"max_epochs": 9, "eta": 3}, "budget": {"epochs": 60}})
    method = form.method_form
    assert method.method.value() == "asha"
    assert "no rung waits for its slowest trial" in method.method.note.text()
    assert method.settings["asha"]["eta"].value() in (3, "3")
    spec, _ = read_sweep(form.mapping())
    assert (spec.method, spec.settings["max_epochs"], spec.budget) == ("asha", 9, {"epochs": 60})
    form.validate_now()
    assert "at most <b>60 epochs</b>" in view.total.text()
    assert "None" not in view.total.text()


def test_asha_wait_for_promotions_is_a_check_box_written_to_the_file(qtbot):
    form, _ = form_and_plan(qtbot)
    form.load_mapping({**HALVING, "method": "asha", "successive_halving": None,
                       "asha": {"max_epochs": 9, "wait_for_promotions": False}})
    box = form.method_form.settings["asha"]["wait_for_promotions"]
    assert box.value() is False
    assert read_sweep(form.mapping())[0].settings["wait_for_promotions"] is False
    box.set_value(True)
    assert read_sweep(form.mapping())[0].settings["wait_for_promotions"] is True


def test_the_example_asha_file_with_tpe_keeps_its_sampler_through_the_form(qtbot):
    form, _ = form_and_plan(qtbot)
    form.load_mapping({**HALVING, "method": "asha", "successive_halving": None,
                       "asha": {"max_epochs": 9, "sampler": "tpe"}})
    assert form.method_form.method.value() == "asha_tpe"
    spec, _ = read_sweep(form.mapping())
    assert spec.settings["sampler"] == "tpe"
    assert (examples_folder("sweeps") / "asha.yaml").is_file()
