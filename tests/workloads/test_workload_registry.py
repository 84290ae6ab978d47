"""A workload in one place: what the planner, the summaries and the snippets need of a
workload is declared on its class, and a class registered through
``workloads.registry.register`` is taken up by all of them with no other module edited."""
from dataclasses import dataclass, field

import pytest

from bench.analysis.rows import is_overhead_workload
from bench.model.request import RunRequest
from bench.output.snippet_work import for_workload
from bench.plan.commands import make_plan, wanted
from bench.plan.configurations import PlanOptions, plan_cases
from bench.plan.planner import PlanRequest, build_plan
from workloads.codecs import Codec
from workloads.images import ImageSize
from workloads.imwrite import ImencodeWorkload, ImwriteWorkload
from workloads.pose import PoseWorkload
from workloads import registry
from workloads.registry import (FAULTS, WORKLOADS, ImageGroup, file_workloads, overheads, register,
                                unregister, workload_class)
from workloads.tasks import NoopWorkload

GiB = 1024 ** 3


@pytest.fixture
def registered():
    """Registers the classes a test gives it, and forgets them after the test."""
    names = []

    def add(cls):
        register(cls)
        names.append(cls.name)
        return cls
    yield add
    for name in names:
        unregister(name)


@dataclass(frozen=True)
class ThumbnailWorkload(ImencodeWorkload):
    """A codec workload: encode in memory, on one set of its own. The facts below are all
    bench needs of it."""
    name: str = field(default="thumbnail", init=False)
    rank = 25                                  # listed between imencode and noop
    # its set comes right after imwrite's 256x256 set (order 1, a larger rank than imwrite's)
    groups = (ImageGroup("96x96x3", "smooth", race=True, order=1),)
    snippet = "imencode"


@dataclass(frozen=True)
class PoseLiteWorkload(PoseWorkload):
    """A second task with a model per worker: raced like pose on a set of its own."""
    name: str = field(default="pose-lite", init=False)
    rank = 75
    groups = (ImageGroup("192x192x3", "person", race=True),)
    dask_strategies = ()


class WaitWorkload(NoopWorkload):
    """An overhead probe: counted with the overheads, never in a recommendation."""
    name = "wait"
    rank = 65
    kind = "overhead"


def _codec_request(mode: str) -> PlanRequest:
    return PlanRequest(mode=mode, codec_params=ImwriteWorkload.params_for(Codec()),
                   pose_params=PoseWorkload.params_for(), pose=False, pipelines=[], dask=False)


def test_a_new_codec_workload_is_one_class_and_every_table_takes_it_up(registered):
    registered(ThumbnailWorkload)
    names = list(WORKLOADS)
    assert names.index("thumbnail") == names.index("imencode") + 1
    assert workload_class("thumbnail") is ThumbnailWorkload and "thumbnail" not in FAULTS

    # its set in its place among the registry's groups
    groups = [(w, g.size) for w, g in registry.groups("codec")]
    assert groups[:4] == [("imwrite", "50x50x1"), ("imencode", "50x50x1"), ("imwrite", "256x256x3"),
                          ("thumbnail", "96x96x3")]
    # it writes no files: no folder-per-task layout is planned for it
    cases = plan_cases(PlanOptions(workloads=["thumbnail"], sizes=[ImageSize.parse("96x96x3")],
                                   workers=[2], start_methods=["fork"]))
    assert cases and {c.out_layout for c in cases} == {None}
    assert {c.images.size.label for c in cases} == {"96x96x3"}

    # the budgeted race: its set raced in a quick run (race=True), next to imwrite's
    plan = build_plan(_codec_request("quick"), 2, 24 * GiB)
    raced = {g.workload: g for g in plan.groups}
    assert raced["thumbnail"].images.size.label == "96x96x3"
    assert any(c.family != "serial" for c in raced["thumbnail"].entrants)

    # the snippet: imencode's code for it
    work = for_workload("thumbnail", "jpg-q95")
    assert "cv2.imencode" in work.work and not work.writes


def test_a_new_model_workload_is_raced_like_pose(registered):
    registered(PoseLiteWorkload)
    request = PlanRequest(mode="full", codec_workloads=[], pipelines=[], dask=False,
                      pose_params=PoseWorkload.params_for())
    plan = build_plan(request, 2, 24 * GiB)
    lite = [g for g in plan.groups if g.workload == "pose-lite"]
    assert len(lite) == 1 and lite[0].images.size.label == "192x192x3"
    # the strategies that suit a model (the anti-pattern: a model per image) and its params
    strategies = {c.strategy for c in lite[0].ordered}
    assert "processes-model-per-image" in strategies and "processes-shm" in strategies
    assert lite[0].params == PoseWorkload.params_for()
    # named sets: it takes colour images of the contents it declares, as pose does
    named = build_plan(PlanRequest(mode="quick", codec_workloads=[], pipelines=[], dask=False,
                              sizes=[ImageSize.parse("128x128x3")], contents=["person"],
                              pose_params=PoseWorkload.params_for()), 2, 24 * GiB)
    assert {g.workload for g in named.groups} == {"pose", "pose-lite"}


def test_bench_all_routes_a_named_model_workload_to_the_model_groups(registered):
    registered(PoseLiteWorkload)
    request = RunRequest(workloads=("pose-lite",), quick=True)
    assert wanted(request, "all") == (False, True)          # no codec group, the model's
    plan = make_plan(request, "all", usable=2, memory=24 * GiB)
    assert {g.workload for g in plan.groups} == {"pose-lite"}   # pose itself not named


def test_a_new_overhead_workload_counts_as_an_overhead(registered):
    assert not is_overhead_workload("wait")
    registered(WaitWorkload)
    assert "wait" in overheads() and is_overhead_workload("wait")
    assert "wait" not in file_workloads()
    assert for_workload("wait", "noop") is None          # no snippet for a probe


def test_the_registry_order_is_each_class_rank_not_the_registration_order(registered):
    registered(PoseLiteWorkload)
    registered(ThumbnailWorkload)          # registered last, listed first of the two
    names = list(WORKLOADS)
    assert names.index("thumbnail") < names.index("pose") < names.index("pose-lite")


def test_register_refuses_a_class_without_rank_or_with_a_taken_one(registered):
    @dataclass(frozen=True)
    class Unranked(ImencodeWorkload):
        name: str = field(default="unranked", init=False)
        rank = None

    @dataclass(frozen=True)
    class SameRank(ImencodeWorkload):
        name: str = field(default="same-rank", init=False)
        rank = 10                          # imwrite's

    for cls in (Unranked, SameRank):
        with pytest.raises(ValueError):
            register(cls)
        assert cls.name not in WORKLOADS
