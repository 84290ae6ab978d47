from bench.plan.configurations import Case, PlanOptions, plan_cases, worker_sweep
from workloads.images import ImageSize


def test_worker_sweep_goes_to_twice_the_cpus():
    assert worker_sweep(2) == [1, 2, 4]
    assert worker_sweep(3) == [1, 2, 4, 6]
    assert worker_sweep(1) == [1, 2]


def test_sizes_option_builds_its_own_groups():
    cases = plan_cases(PlanOptions(sizes=[ImageSize.parse("64x32x3")], workers=[1], n_images=7,
                                   strategies=["serial", "processes-chunked"],
                                   chunk_sizes=["auto", "2"], start_methods=["fork", "spawn"]))
    assert [c.name for c in cases] == [
        "imwrite/64x32x3-smooth-n7/jpg-q95/serial/w1",
        "imwrite/64x32x3-smooth-n7/jpg-q95/processes-chunked/w1/c7/fork",
        "imwrite/64x32x3-smooth-n7/jpg-q95/processes-chunked/w1/c7/spawn",
        "imwrite/64x32x3-smooth-n7/jpg-q95/processes-chunked/w1/c2/fork",
        "imwrite/64x32x3-smooth-n7/jpg-q95/processes-chunked/w1/c2/spawn",
    ]


def test_case_round_trips_through_json():
    import json

    for case in plan_cases(PlanOptions(quick=True, workers=[2])):
        assert Case.from_dict(json.loads(json.dumps(case.as_dict()))) == case


def test_inherit_runs_only_under_fork():
    opts = PlanOptions(sizes=[ImageSize(8, 8, 1)], n_images=4, workers=[2],
                       strategies=["processes-inherit", "processes-shm"],
                       start_methods=["fork", "spawn"], layouts=["flat"])
    names = [c.name for c in plan_cases(opts)]
    assert [n for n in names if "inherit" in n] == ["imwrite/8x8x1-noise-n4/jpg-q95/processes-inherit/w2/c1/fork"]
    assert len([n for n in names if "shm" in n]) == 2


def test_inherit_asked_for_with_spawn_only_is_refused():
    import pytest

    opts = PlanOptions(sizes=[ImageSize(8, 8, 1)], n_images=4, workers=[2],
                       strategies=["processes-inherit"], explicit_strategies=("processes-inherit",),
                       start_methods=["spawn"])
    with pytest.raises(ValueError, match="needs the fork start method"):
        plan_cases(opts)


def _layout_names(**kw):
    opts = PlanOptions(sizes=[ImageSize(8, 8, 1)], n_images=8, workers=[2], start_methods=["fork"],
                       **kw)
    return [c.name for c in plan_cases(opts)]


def test_a_folder_per_task_is_measured_for_the_fastest_slice_strategies_by_default():
    names = _layout_names()
    per_task = [n.split("/")[3] for n in names if n.endswith("/per-task-dirs")]
    assert per_task == ["threads-chunked", "processes-shm", "processes-inherit"]
    assert "imwrite/8x8x1-noise-n8/jpg-q95/processes-inherit/w2/c1/fork/per-task-dirs" in names
    # every flat case is still there, serial once and flat
    assert len(names) - len(per_task) == len(_layout_names(layouts=["flat"]))
    assert [n for n in names if "/serial/" in n] == ["imwrite/8x8x1-noise-n8/jpg-q95/serial/w1"]


def test_layouts_asked_for_apply_to_every_slice_strategy_and_only_to_imwrite():
    names = _layout_names(layouts=["per-task"], workloads=["imwrite", "imencode"])
    imwrite = [n for n in names if n.startswith("imwrite/")]
    # serial stays (the baseline writes one file at a time), per-image strategies go
    assert imwrite[0].endswith("/serial/w1")
    assert all(n.endswith("/per-task-dirs") for n in imwrite[1:])
    assert {n.split("/")[3] for n in imwrite[1:]} == {
        "threads-chunked", "processes-chunked", "processes-shm", "processes-inherit",
        "joblib-chunked", "joblib-memmap"}
    # processes-map sends one image per call: no slice to give a folder
    assert not any("/processes-map/" in n for n in imwrite)
    assert not any(n.endswith("per-task-dirs") for n in names if n.startswith("imencode/"))


def test_the_per_task_layout_travels_with_the_case():
    (c,) = [c for c in plan_cases(PlanOptions(sizes=[ImageSize(8, 8, 1)], n_images=8, workers=[2],
                                              strategies=["threads-chunked"], layouts=["per-task"]))]
    assert c.out_layout == "per-task"
    assert Case.from_dict(c.as_dict()) == c
