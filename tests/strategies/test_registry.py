"""A strategy in one place: what the planner, the groups of files, the charts, the snippets
and the tie-break need of a strategy is declared on its class, and a class registered through
``bench.strategies.register`` is taken up by all of them with no other module edited."""
import pytest

from bench.model.case import Case
from bench.output import snippets
from bench.output.charts import style
from bench.output.snippet_work import for_workload
from bench.plan import file_groups, tiers
from bench.plan.configurations import PlanOptions, plan_cases
from bench.plan.file_groups import UserRun
from bench.plan.planner import PlanRequest, build_plan
from bench.strategies import STRATEGIES, auto_chunk_size, register
from bench.strategies.local import ProcessesChunked
from workloads.codecs import Codec
from workloads.files import FileSetSpec
from workloads.images import ImageSetSpec, ImageSize
from workloads.imwrite import ImwriteWorkload
from workloads.pose import PoseWorkload

GiB = 1024 ** 3


@pytest.fixture
def registry():
    """The registry as it was, whatever a test registers."""
    saved = dict(STRATEGIES)
    yield STRATEGIES
    STRATEGIES.clear()
    STRATEGIES.update(saved)


def _new_strategy():
    class ProcessesHalves(ProcessesChunked):
        """Slices of the set, two per worker: the facts below are all bench needs of it."""
        name = "processes-halves"
        description = "ProcessPoolExecutor, two slices per worker"
        simplicity = 55                     # between processes-chunked and processes-map
        tasks_per_worker = 2
        tier_role = "winner"
        winner_rank = (-1, -1)              # first of the winners a short budget keeps
        style = ("black", "v")              # a pair no spare-by-name would give
        snippet = "slices"
        route = "two slices per worker, each slice's pixels pickled"
        files_rank = 55                     # between processes-chunked and processes-map
        files_role = "at-w"                 # raced at W on a user's files, next to the pick
        files_read = True                   # and in the read-only group next to it
        files_quick = ()                    # --quick's pipelines leave it out
    return ProcessesHalves


def _user_run(files: int = 81) -> UserRun:
    """What a probe of a user's task would report, planted: no task runs."""
    images = FileSetSpec(ImageSize(320, 240, 3), files, "files", 0, "/data/frames", files)
    return UserRun({"task": "/data/mytask.py:blur_mean", "init": "", "decode": "color"}, images,
                   0.003, 0.0006, 2, False, False)


def test_a_new_strategy_is_one_class_and_every_table_takes_it_up(registry):
    cls = register(_new_strategy())
    name = cls.name
    assert list(STRATEGIES).index(name) == list(STRATEGIES).index("processes-chunked") + 1

    # the auto chunk rule: two slices per worker
    assert auto_chunk_size(name, 100, 5) == 10
    # the matrix plans it by default, with that chunk
    spec = ImageSetSpec(ImageSize.parse("64x64x3"), 100, "smooth", 0)
    cases = plan_cases(PlanOptions(workloads=["imwrite"], sizes=[spec.size], n_images=100,
                                   workers=[5], start_methods=["fork"]))
    assert [c.chunk_size for c in cases if c.strategy == name] == [10]

    # the tiers: a winner, first among them
    case = Case("imwrite", spec, {}, name, 4, 13, "fork", chunk_rule="auto")
    assert tiers.tier_of(case, 4, [1, 2, 4, 8], "fork") == 0
    assert tiers.winners()[0] == name and tiers.winners(pose=True)[0] == name
    shm = Case("imwrite", spec, {}, "processes-shm", 4, 7, "fork", chunk_rule="auto")
    assert tiers.priority(case, 0, 4) < tiers.priority(shm, 0, 4)
    # a budgeted race enters it at W in the main image sets
    plan = build_plan(PlanRequest(mode="full", codec_params=ImwriteWorkload.params_for(Codec()),
                             pose_params=PoseWorkload.params_for()), 2, 24 * GiB)
    assert any(c.strategy == name and c.workers == g.w for g in plan.groups for c in g.entrants)

    # the groups of files: bench run races it at W on a user's files, in its declared place,
    # and the read-only group next to them; a refusal names it among what files can race
    assert file_groups.task_strategies().index(name) == \
        file_groups.task_strategies().index("processes-chunked") + 1
    files = build_plan(PlanRequest(budget_s=120, codec_workloads=[], pose=False, pipelines=[],
                                   dask=False, files=_user_run()), 2, 8 * GiB)
    assert {g.workload for g in files.groups} == {"task", "imread"}
    for g in files.groups:
        assert any(c.strategy == name and c.workers == g.w for c in g.entrants), g.key
    at_w = Case("task", files.groups[0].images, {}, name, 2, 41, "fork", chunk_rule="auto")
    assert file_groups.tier(at_w, 2, True) == 0
    assert name not in file_groups.read_strategies(quick=True)
    shm = PlanRequest(budget_s=120, codec_workloads=[], pose=False, pipelines=[], dask=False,
                      files=_user_run(), strategies=["processes-shm"])
    with pytest.raises(ValueError, match=f"race serial, .*-chunked, {name}, processes-map"):
        build_plan(shm, 2, 8 * GiB)

    # the charts: its own colour and marker, the process pools' line
    assert style.strategy_style(name) == (style.OKABE_ITO["black"], "v")
    assert style.line_style((name, "auto", "fork"))["linestyle"] == style.METHOD_STYLE["fork"]

    # the snippet: the slices' code with its own auto rule
    assert snippets.written(name)
    code = snippets.write(snippets.Config(name, 4, None, True, "fork"),
                          for_workload("imwrite", "jpg-q95", False, None), '"""header"""')
    assert "chunk = max(1, math.ceil(len(images) / (2 * WORKERS)))" in code
    assert "def work_slice(" in code
    compile(code, "snippet", "exec")


def test_register_refuses_a_taken_name_simplicity_rank_or_files_rank(registry):
    for fact, value, refusal in (
            ("name", "processes-chunked", "two strategies named"),
            ("simplicity", STRATEGIES["processes-shm"].simplicity, "share simplicity rank"),
            ("simplicity", None, "simplicity rank"),
            ("files_rank", STRATEGIES["processes-map"].files_rank, "share files rank"),
            ("files_rank", None, "needs its files_rank")):     # at W on files, but where?
        cls = _new_strategy()
        setattr(cls, fact, value)
        with pytest.raises(ValueError, match=refusal):
            register(cls)
    assert "processes-halves" not in STRATEGIES


def test_the_registry_is_in_simplicity_order_and_every_strategy_has_its_own_style():
    ranks = [cls.simplicity for cls in STRATEGIES.values()]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    pairs = [cls.style for cls in STRATEGIES.values()]
    assert None not in pairs and len(set(pairs)) == len(pairs)


def test_a_subclass_does_not_inherit_its_parents_role_by_accident():
    # the routes of files subclass the pools they stand next to; none is a baseline, a
    # winner or a snippet of its parent, and each is planned only in groups of files
    for name in ("processes-decoded", "processes-decoded-chunked", "processes-decoded-shm"):
        cls = STRATEGIES[name]
        assert (cls.tier_role, cls.winner_rank, cls.snippet, cls.suits_stateful) == ("", None, "", False)
        assert cls.on_files_only
    assert auto_chunk_size("processes-decoded-shm", 100, 5) is None    # no auto rule, as before
    assert auto_chunk_size("processes-decoded-chunked", 100, 5) == 20
    # nor, in the groups of files, its parent's other parts: each declares its own place
    for name in ("processes-decoded-chunked", "processes-decoded-shm", "pool-imap-unordered",
                 "processes-model-per-image"):
        cls = STRATEGIES[name]
        assert (cls.pipeline_first, cls.files_read, cls.files_quick) == (False, False, ()), name
    ranks = [cls.files_rank for cls in STRATEGIES.values() if cls.files_rank is not None]
    assert len(set(ranks)) == len(ranks)


def test_a_strategy_that_needs_files_is_never_offered_on_generated_images():
    # ``files_only`` is declared on Strategy: a class that sets it leaves the default list,
    # one that does not stays in it (a misspelt, undeclared fact used to be read as False)
    from bench.plan.configurations import default_strategies
    needs_files = {n for n, cls in STRATEGIES.items() if cls.files_only}
    assert needs_files >= {"processes-decoded", "pool-apply-async-folders"}
    assert not needs_files & set(default_strategies())
    assert "pool-imap" in default_strategies() and "threads" in default_strategies()
