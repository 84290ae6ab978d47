"""A budgeted plan follows the machine: usable CPUs, worker ladder, image counts, budget."""
import pytest

from bench.measure import machine
from bench.plan import budget
from bench.plan.planner import PlanRequest, build_plan
from bench.plan import search
from bench.plan.sizing import (MIN_IMAGES_PER_WORKER, MIN_IMAGES_PER_WORKER_CAPPED, size_set,
                               worker_ladder)
from workloads.images import ImageSize
from workloads.codecs import Codec
from workloads.imwrite import ImwriteWorkload
from workloads.pose import PoseWorkload

GiB = 1024 ** 3


def simulate(monkeypatch, affinity: int, quota: float | None = None):
    """A machine with ``affinity`` CPUs to run on and, maybe, a cgroup quota."""
    monkeypatch.setattr(machine.os, "sched_getaffinity", lambda pid: set(range(affinity)))
    monkeypatch.setattr(machine, "cgroup_cpu_quota", lambda: quota)


def test_usable_cpus_come_from_affinity_and_the_cgroup_quota(monkeypatch):
    simulate(monkeypatch, 64)
    assert machine.available_cpus() == 64
    simulate(monkeypatch, 64, quota=4.0)           # a 4-CPU container on a 64-core host
    assert machine.available_cpus() == 4
    simulate(monkeypatch, 3, quota=8.0)
    assert machine.available_cpus() == 3


@pytest.mark.parametrize("usable, ladder", [
    (1, [1, 2]), (2, [1, 2, 4]), (6, [1, 2, 4, 6, 8, 12]), (8, [1, 2, 4, 8, 16]),
    (64, [1, 2, 4, 8, 16, 32, 64, 128]),
])
def test_worker_ladder(usable, ladder):
    assert worker_ladder(usable) == ladder


def _images_per_worker(g) -> int:
    return MIN_IMAGES_PER_WORKER_CAPPED if g.capped_by else MIN_IMAGES_PER_WORKER


def test_a_set_feeds_every_worker_and_is_capped_by_memory():
    s = size_set(0.001, 100_000, usable=8, max_workers=16, memory_available=GiB,
                 pass_s=0.1, serial_max_s=1.0)
    assert s.count >= MIN_IMAGES_PER_WORKER * 16 and s.max_workers == 16
    assert s.count % 16 == 0                           # every worker the same share
    tiny_memory = size_set(0.001, 2_000_000, usable=8, max_workers=16,
                           memory_available=GiB, pass_s=0.1, serial_max_s=1.0)
    assert tiny_memory.capped_by == "memory"
    # memory caps it: its largest worker count gets fewer images, but never under 4 each
    assert tiny_memory.count >= MIN_IMAGES_PER_WORKER_CAPPED * tiny_memory.max_workers
    assert tiny_memory.max_workers < 16
    slow = size_set(0.5, 1000, usable=256, max_workers=512, memory_available=100 * GiB,
                    pass_s=0.1, serial_max_s=2.0)
    assert slow.serial_slice == 4 < slow.count          # the serial pass covers a prefix


def _request(mode, budget_s=None):
    return PlanRequest(mode=mode, budget_s=budget_s, codec_params=ImwriteWorkload.params_for(Codec()),
                   pose_params=PoseWorkload.params_for())


@pytest.mark.parametrize("cpus", [2, 6, 64, 256])
@pytest.mark.parametrize("mode", ["quick", "full"])
def test_the_plan_fits_the_budget_and_feeds_every_worker(monkeypatch, cpus, mode):
    simulate(monkeypatch, cpus)
    plan = build_plan(_request(mode), machine.available_cpus(), 24 * GiB)
    assert plan.estimate_s <= plan.budget_s
    sizes = {(g.workload, g.images.size.label) for g in plan.groups}
    # every default image size and pose are covered, in quick runs too - but a quick look
    # at a big machine searches the image sets' worker count first: pose and the sets its
    # budget cannot search then wait for a longer budget, and the plan says so
    left = {(g.workload, g.images.size.label) for g in plan.left_out}
    for size in ("50x50x1", "256x256x3", "640x480x3", "1920x1080x3"):
        if mode == "quick" and cpus >= 8 and ("imwrite", size) in left:
            assert any(g.images.size.label == size for g in plan.for_the_search)
        else:
            assert ("imwrite", size) in sizes
    if mode == "quick" and cpus >= 8:
        assert any(w == "pose" for w, _ in sizes) or any(g.workload == "pose" for g in plan.left_out)
    else:
        assert any(w == "pose" for w, _ in sizes)
    for g in plan.groups:
        top = max(c.workers for c in g.entrants)
        assert g.images.count >= _images_per_worker(g) * top, g.key
        assert any(c.family == "serial" for c in g.entrants)
        assert max(c.workers for c in g.entrants) <= 2 * cpus


def test_a_longer_budget_races_more(monkeypatch):
    simulate(monkeypatch, 2)
    short = build_plan(_request("full", 120), 2, 24 * GiB)
    long = build_plan(_request("full", 1200), 2, 24 * GiB)
    assert short.configurations() < long.configurations()
    assert short.estimate_s <= 120 and long.estimate_s <= 1200


def test_the_quick_plan_on_two_cores_has_the_baselines_and_the_winners(monkeypatch):
    simulate(monkeypatch, 2)
    plan = build_plan(_request("quick"), 2, 24 * GiB)
    first = plan.groups[0]
    strategies = {c.strategy for c in first.entrants if c.workers == 2}
    assert {"threads", "processes", "threads-chunked", "processes-shm"} <= strategies
    assert {b.strategy for b in first.baselines()} == {"threads", "processes", "joblib", "mpire"}
    pose = next(g for g in plan.groups if g.workload == "pose")
    assert "processes-model-per-image" in {c.strategy for c in pose.entrants}
    # what users reach for instead, with its defaults, in every group at W
    for g in plan.groups:
        at_w = {c.strategy for c in g.entrants if c.workers == 2}
        assert ({"joblib", "mpire-state"} if g.workload == "pose" else {"joblib", "mpire"}) <= at_w, g.key
    assert {"joblib", "mpire-state"} <= {b.strategy for b in pose.baselines()}


def test_the_libraries_other_ways_are_tier_1_at_w_and_their_defaults_baselines(monkeypatch):
    simulate(monkeypatch, 6)
    plan = build_plan(_request("full", 1200), 6, 24 * GiB)
    first = plan.groups[0]
    w = max(c.workers for c in first.entrants if c.strategy == "processes")
    tiers = {}
    for name, tier in first.tiers.items():
        strategy, workers = name.split("/")[3], int(name.split("/")[4][1:])
        if strategy.startswith(("joblib", "mpire")) and tier != 99:
            tiers.setdefault(strategy, set()).add((workers == w, tier))
    assert tiers["joblib"] >= {(True, 0)} and tiers["mpire"] >= {(True, 0)}
    for variant in ("joblib-threads", "joblib-chunked", "joblib-memmap", "mpire-shared"):
        assert (True, 1) in tiers[variant] and all(t in (1, 4) for _, t in tiers[variant]), variant


@pytest.mark.parametrize("text, seconds", [("90", 90), ("90s", 90), ("3m", 180), ("1m30s", 90),
                                           ("1h", 3600), ("1.5m", 90)])
def test_durations(text, seconds):
    assert budget.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "3x", "-5s", "0s"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        budget.parse_duration(text)


@pytest.mark.parametrize("cpus", [2, 6, 64, 256])
@pytest.mark.parametrize("argv", [["all", "--quick"], ["all"]])
def test_the_command_line_plan_with_its_probes_fits_the_budget(monkeypatch, cpus, argv):
    """What `bench all` itself plans (overhead probes, libraries and pipelines included)."""
    from bench.cli.request import parse_request
    from bench.plan.commands import make_plan

    simulate(monkeypatch, cpus)
    plan = make_plan(parse_request(argv), "all", machine.available_cpus(), 24 * GiB)
    assert plan.estimate_s <= plan.budget_s
    assert plan.overhead and any(c.workload == "pool-start" for c in plan.overhead)
    for g in plan.groups:
        assert g.images.count >= _images_per_worker(g) * max(c.workers for c in g.entrants), g.key


@pytest.mark.parametrize("cpus", [2, 64])
def test_the_libraries_defaults_a_quick_budget_leaves_out_are_known_per_group(monkeypatch, cpus):
    """Two cores: every group of a quick run holds joblib's and mpire's defaults; 64: the
    short budget leaves some out, and the plan says which (the summary names them)."""
    from bench.cli.request import parse_request
    from bench.plan.commands import make_plan

    simulate(monkeypatch, cpus)
    plan = make_plan(parse_request(["all", "--quick"]), "all", machine.available_cpus(), 24 * GiB)
    for g in plan.groups:
        entered = {c.strategy for c in g.entrants}
        left_out = g.left_out_defaults()
        assert not set(left_out) & entered
        defaults = ("joblib", "mpire-state") if g.has_model else ("joblib", "mpire")
        assert set(defaults) <= entered | set(left_out) and set(left_out) <= set(defaults), g.key
        if cpus == 2:
            assert left_out == [], g.key
    if cpus == 64:
        assert any(g.left_out_defaults() for g in plan.groups)


def test_optional_groups_a_budget_has_no_room_for_are_named_not_dropped_silently(monkeypatch, capsys):
    """A full run on two cores: the optional groups that do not fit are listed with what
    they would cost (plan line, `bench list`, `--json`); a long budget leaves none out."""
    from bench.cli.main import main
    from bench.cli.request import parse_request
    from bench.plan.commands import make_plan

    simulate(monkeypatch, 2)
    plan = make_plan(parse_request(["all"]), "all", machine.available_cpus(), 24 * GiB)
    raced = {g.key for g in plan.groups}
    assert plan.left_out and not {g.key for g in plan.left_out} & raced
    listed = plan.as_json()["left_out"]
    assert [d["group"] for d in listed] == [g.key for g in plan.left_out]
    assert all(d["estimated_s"] > 0 for d in listed)
    # what was left out would not have fitted beside what was kept
    assert all(plan.estimate_s + g.estimate() > plan.budget_s * (1 - budget.OVERRUN / 2)
               for g in plan.left_out)
    line = plan.left_out_line()
    assert line.startswith("  left out by this budget: ") and "--budget" in line
    assert all(f"{g.workload} {g.images.size.label} {g.images.content}" in line for g in plan.left_out)

    roomy = make_plan(parse_request(["all", "--budget", "2h"]), "all", machine.available_cpus(), 24 * GiB)
    assert roomy.left_out == [] and roomy.left_out_line() is None
    def sets(groups):
        return {(g.workload, g.images.size.label, g.images.content) for g in groups}
    assert sets(plan.left_out) <= sets(roomy.groups)

    assert main(["list", "all"]) == 0
    assert line in capsys.readouterr().err


def test_a_big_machine_with_much_memory_plans_sets_an_image_set_may_be(monkeypatch):
    """256 CPUs and 256 GiB: memory alone would size a 640x480 set at 12.7 GiB, past the
    largest set bench makes (8 GiB), and the whole plan was refused; the set is capped."""
    from workloads.images import MAX_SET_BYTES

    s = size_set(0.002, 640 * 480 * 3, usable=256, max_workers=512, memory_available=256 * GiB,
                 pass_s=0.12, serial_max_s=1.0)
    assert s.count * 640 * 480 * 3 <= MAX_SET_BYTES and s.capped_by == "memory"
    # 1920x1080: 8 GiB hold 1,376 images, 4 each for 344 workers, so the ladder reaches
    # 256 (with 8 each it ended at 128: a best count past W/2 could not be searched)
    big = size_set(0.0075, 1920 * 1080 * 3, usable=256, max_workers=512, memory_available=256 * GiB,
                   pass_s=0.12, serial_max_s=1.0)
    assert big.capped_by == "memory" and 256 <= big.max_workers < 512
    assert big.count >= MIN_IMAGES_PER_WORKER_CAPPED * big.max_workers
    simulate(monkeypatch, 256)
    import bench.cli.run_commands as measure
    monkeypatch.setattr(measure, "memory_available", lambda: 256 * GiB)
    plan = build_plan(PlanRequest(mode="full"), 256, 256 * GiB)
    assert all(g.images.size.nbytes * g.images.count <= MAX_SET_BYTES for g in plan.groups)


@pytest.mark.parametrize("mode, cpus, searched", [("quick", 2, False), ("full", 2, True),
                                                  ("quick", 16, True)])
def test_a_quick_run_on_a_few_cpus_spends_its_minute_on_the_strategies(mode, cpus, searched):
    """On two CPUs a quick run's ladder is 1 and 2: searching it would only add pools of one
    worker, so no group searches; a full run's ladder (1, 2, 4) is searched, and so is a
    quick run's on 16 CPUs (4, 8, 16, 32) in some group."""
    req = PlanRequest(mode=mode, budget_s=None, codec_workloads=["imwrite"], pose=False,
                      codec_params=ImwriteWorkload.params_for(Codec()))
    plan = build_plan(req, cpus, 64 * 1024 ** 3)
    assert any(g.searches() for g in plan.groups) is searched


MAIN_SIZES = ("50x50x1", "256x256x3", "640x480x3", "1920x1080x3")


@pytest.mark.parametrize("cpus", [16, 64, 256])
def test_on_many_cpus_every_main_set_a_run_races_searches_its_worker_count(monkeypatch, cpus):
    """Planned at 16, 64 and 256 CPUs: a full run searches every main image set between W/8
    and 2W, at 5 counts (4 where memory caps the set, and so the ladder, below 2W); a quick
    run searches every set it races at 3 or more counts between W/4 and 2W, and leaves the
    costliest sets out - named, and why - rather than race them at W alone, whose answer is
    W by construction."""
    simulate(monkeypatch, cpus)
    memory = (256 if cpus >= 64 else 24) * GiB
    for mode in ("full", "quick"):
        req = PlanRequest(mode=mode, codec_workloads=["imwrite"], pose=False,
                          codec_params=ImwriteWorkload.params_for(Codec()))
        plan = build_plan(req, cpus, memory)
        assert plan.estimate_s <= plan.budget_s
        main = {}
        for g in plan.groups:            # the first group of each size: its default content
            if g.workload == "imwrite" and g.images.size.label in MAIN_SIZES:
                main.setdefault(g.images.size.label, g)
        lowest = cpus / (8 if mode == "full" else 4)
        for size, g in main.items():
            counts = [n for n in search.coarse_counts(g.w, g.ladder, mode) if lowest <= n <= 2 * cpus]
            assert g.searches(), (mode, size)
            # a set memory caps may end its ladder below 2W: 1920x1080 at 256 CPUs, 1,376
            # images feed 344 workers at 4 each, so 32-256
            assert len(counts) >= (3 if mode == "quick" else 4 if g.capped_by else 5), (mode, size, counts)
        left = {g.images.size.label for g in plan.for_the_search}
        if mode == "full":
            assert set(main) == set(MAIN_SIZES) and not left
        else:
            assert set(main) | left == set(MAIN_SIZES) and len(main) >= 2
            assert "worker-count search" in plan.left_out_line()


def test_sizes_the_user_names_are_all_raced_by_a_quick_run_on_many_cpus(monkeypatch):
    simulate(monkeypatch, 256)
    sizes = [ImageSize.parse(s) for s in ("256x256x3", "640x480x3", "1920x1080x3")]
    req = PlanRequest(mode="quick", codec_workloads=["imwrite"], pose=False, sizes=sizes,
                      codec_params=ImwriteWorkload.params_for(Codec()))
    plan = build_plan(req, 256, 256 * GiB)
    assert {g.images.size.label for g in plan.groups} == {"256x256x3", "640x480x3", "1920x1080x3"}
    assert not plan.for_the_search


@pytest.mark.parametrize("cpus", [8, 16, 64, 256])
def test_a_quick_run_on_many_cpus_races_no_set_at_w_alone_whatever_its_budget(monkeypatch, cpus):
    """A set left out for the search comes back, with a longer budget, only with its own
    search; by 3 minutes every image set is in."""
    simulate(monkeypatch, cpus)
    for budget_s in (60, 90, 120, 180):
        req = PlanRequest(mode="quick", budget_s=budget_s, codec_workloads=["imwrite"], pose=False,
                          codec_params=ImwriteWorkload.params_for(Codec()))
        plan = build_plan(req, cpus, (256 if cpus >= 64 else 24) * GiB)
        assert plan.estimate_s <= budget_s
        main = [g for g in plan.groups if g.workload == "imwrite"]
        assert main and all(g.searches() for g in main), (budget_s, [g.key for g in main if not g.searches()])
        assert {g.images.size.label for g in main} | {g.images.size.label for g in plan.for_the_search} \
            >= set(MAIN_SIZES)
    assert not plan.for_the_search                      # 3 minutes hold every set with its search
