"""What the command line names is planned or refused: every strategy, worker count, chunk
size, workload, size and layout a user names is raced, or named in the plan's left_out
with the budget that would take it in, or refused in one line (exit code 2). The serial
loop is raced in every group, named or not, and every plan races the usable CPU count."""
import contextlib
import io
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.cli.main import main
from bench.cli.request import parse_request
from bench.measure import machine
from bench.plan.commands import make_plan
from bench.plan.planner import PlanRequest, build_plan
from bench.plan.file_groups import UserRun
from bench.strategies import STRATEGIES
from bench.texts import messages
from workloads.files import FileSetSpec
from workloads.images import ImageSize

GiB = 1024 ** 3


def simulate(monkeypatch, cpus: int) -> None:
    """A machine with ``cpus`` CPUs to run on and 24 GiB available, whatever runs the tests."""
    import bench.cli.run_commands as measure

    monkeypatch.setattr(machine.os, "sched_getaffinity", lambda pid: set(range(cpus)))
    monkeypatch.setattr(machine, "cgroup_cpu_quota", lambda: None)
    monkeypatch.setattr(measure, "memory_available", lambda: 24 * GiB)


def list_json(argv: list[str]) -> tuple[int, dict | None, str]:
    """``bench list ... --json`` in this process: (exit code, the plan, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["list", *argv, "--json"])
    return rc, (json.loads(out.getvalue()) if rc == 0 else None), err.getvalue()


CHUNK = re.compile(r"^c(\d+)$")


def parse_case(name: str) -> dict:
    """strategy, workers, chunk size and layout from a case's name."""
    parts = name.split("/")
    i = next(k for k in range(1, len(parts)) if parts[k] in STRATEGIES)
    chunk = next((int(m.group(1)) for p in parts[i + 2:] if (m := CHUNK.match(p))), None)
    return {"workload": parts[0], "strategy": parts[i], "workers": int(parts[i + 1][1:]),
            "chunk": chunk, "per_task": parts[-1] == "per-task-dirs"}


def left_out_named(plan: dict) -> set:
    return {(n["option"], n["value"]) for d in plan["left_out"] for n in d.get("named", ())}


def check_planned_as_named(plan: dict, named: dict, usable: int) -> None:
    """Every value named is raced (in some group) or in left_out; serial in every group;
    the usable CPU count in every group with pools when --workers did not choose."""
    raced = tuple(g["group"] + "/" for g in plan["groups"])      # not the overhead probes
    cases = [parse_case(n) for n in plan["cases"] if n.startswith(raced)]
    gone = left_out_named(plan)
    for g in plan["groups"]:
        mine = [parse_case(n) for n in plan["cases"] if n.startswith(g["group"] + "/")]
        assert any(c["strategy"] == "serial" for c in mine), g["group"]
        pools = [c for c in mine if c["strategy"] != "serial"]
        if pools and not named.get("--workers") and g["images"] >= 8 * usable:
            assert usable in g["workers"], g
    for s in named.get("--strategies", ()):
        assert any(c["strategy"] == s for c in cases) or ("--strategies", s) in gone, s
    for w in named.get("--workers", ()):
        assert any(c["workers"] == w and c["strategy"] != "serial" for c in cases) \
            or ("--workers", w) in gone, w
    images = {g["group"]: g["images"] for g in plan["groups"]}
    # --chunk-sizes auto alone is the default: nothing named
    for size in (named.get("--chunk-sizes") or ()) if named.get("--chunk-sizes") != ["auto"] else ():
        if size == "auto":
            held = any(c["chunk"] is not None for c in cases)
        else:
            held = any(n.startswith(k + "/") and parse_case(n)["chunk"] == min(int(size), count)
                       for n in plan["cases"] for k, count in images.items())
        assert held or ("--chunk-sizes", size) in gone, size
    for layout in named.get("--layouts", ()):
        held = any(c["workload"] == "imwrite" and c["per_task"] == (layout == "per-task") for c in cases)
        assert held or ("--layouts", layout) in gone, layout
    groups = [g["group"] for g in plan["groups"]] + [d["group"] for d in plan["left_out"]]
    for workload in named.get("--workloads", ()):
        assert any(k.startswith(workload + "/") for k in groups), workload
    for size in named.get("--sizes", ()):
        assert any(f"/{ImageSize.parse(size).label}-" in f"/{k.split('/')[1]}" for k in groups), size


POOL = ("serial", "threads", "processes", "threads-chunked", "processes-chunked", "processes-map",
        "processes-shm", "processes-inherit", "processes-model-per-image", "dask", "dask-chunked",
        "joblib", "mpire", "pool-imap", "pool-imap-unordered", "processes-decoded")
SUBSET = dict(unique=True, min_size=1, max_size=4)


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(["all", "imwrite", "pose"]))
    argv, named = [command], {}

    def option(flag, values, text=str):
        chosen = draw(st.none() | st.lists(st.sampled_from(values), **SUBSET))
        if chosen is not None:
            argv.extend([flag, ",".join(text(v) for v in chosen)])
            named[flag] = chosen

    option("--strategies", POOL)
    option("--workers", [1, 2, 3, 4, 8, 64])
    option("--chunk-sizes", ["auto", "1", "7", "5000"])
    option("--layouts", ["flat", "per-task"])
    if command != "pose":
        option("--sizes", ["50x50x1", "256x256x3", "1280x720x3"])
    if command == "all":
        option("--workloads", ["imwrite", "imencode", "pose", "annotate", "imread"])
    if draw(st.booleans()):
        argv.append("--quick")
    budget = draw(st.sampled_from([None, "20s", "2m"]))
    if budget:
        argv += ["--budget", budget]
    return argv, named


@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command_lines())
def test_every_named_choice_is_planned_left_out_by_name_or_refused_in_one_line(monkeypatch, drawn):
    argv, named = drawn
    simulate(monkeypatch, 2)
    rc, plan, err = list_json(argv)
    if rc == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("bench: error: "), (argv, err)
        return
    assert rc == 0, (argv, err)
    check_planned_as_named(plan, named, usable=2)
    said = err.count(messages.RACE_SERIAL_TOO)
    assert said == (1 if named.get("--strategies") and "serial" not in named["--strategies"] else 0), argv
    if plan["estimated_s"] > plan["budget_s"] * 0.95:
        assert "cannot hold" in err, argv


@pytest.mark.parametrize("argv, says", [
    (["imwrite", "--strategies", "processes-model-per-image"], "needs a workload with a model"),
    (["imwrite", "--workloads", "annotate"], "`bench all --workloads annotate` does"),
    (["pose", "--sizes", "50x50x1"], "--sizes 50x50x1"),
    (["pose", "--layouts", "per-task"], "output layouts are imwrite's"),
    (["imwrite", "--strategies", "serial,processes", "--layouts", "per-task"], "slices"),
    (["imwrite", "--strategies", "serial", "--workers", "2"], "only the serial loop"),
    (["imwrite", "--strategies", "threads,processes", "--chunk-sizes", "4"], "--chunk-sizes"),
    (["all", "--workloads", "annotate", "--sizes", "640x480"], "--sizes 640x480x3"),
])
def test_a_choice_no_group_can_race_is_one_line_and_exit_code_2(monkeypatch, argv, says):
    simulate(monkeypatch, 2)
    rc, _, err = list_json(argv)
    assert rc == 2 and len(err.strip().splitlines()) == 1 and says in err, err


def test_strategies_without_serial_race_it_anyway_and_say_so_once(monkeypatch):
    """--strategies without serial used to plan groups the race could not pair (a
    StopIteration at the first group)."""
    simulate(monkeypatch, 2)
    argv = ["imwrite", "--sizes", "256x256", "--workers", "2", "--strategies",
            "dask-chunked,processes-chunked,processes-shm"]
    plan = make_plan(parse_request(argv), "imwrite", machine.available_cpus(), 24 * GiB)
    assert plan.serial_added and plan.groups
    for g in plan.groups:
        assert g.entrants[0].family == "serial"
        assert {c.strategy for c in g.entrants} >= {"dask-chunked", "processes-chunked", "processes-shm"}
    rc, listed, err = list_json(argv)
    assert rc == 0 and listed["serial_added"] and err.count(messages.RACE_SERIAL_TOO) == 1
    rc, listed, err = list_json(argv[:-1] + ["serial," + argv[-1]])
    assert rc == 0 and not listed["serial_added"] and messages.RACE_SERIAL_TOO not in err


def test_a_strategy_the_quick_plan_leaves_out_by_default_is_raced_when_named(monkeypatch):
    """The quick plan of a pipeline holds a few strategies; one the user names is raced,
    at the usable CPU count first."""
    simulate(monkeypatch, 2)
    rc, plan, _ = list_json(["all", "--quick", "--workloads", "annotate",
                             "--strategies", "serial,pool-imap-unordered"])
    assert rc == 0
    annotate = [parse_case(n) for n in plan["cases"] if n.startswith("annotate/")]
    assert {(c["strategy"], c["workers"]) for c in annotate} >= {("serial", 1), ("pool-imap-unordered", 2)}


def test_named_worker_counts_a_short_budget_cannot_hold_are_named_with_the_budget_that_would(monkeypatch):
    """64 CPUs, a quick run, eight worker counts named: what does not fit is in left_out and
    on the plan line, with a budget that takes it in."""
    simulate(monkeypatch, 64)
    argv = ["all", "--quick", "--workers", "1,2,4,8,16,32,64,128"]
    rc, plan, err = list_json(argv)
    assert rc == 0 and plan["estimated_s"] <= plan["budget_s"]
    check_planned_as_named(plan, {"--workers": [1, 2, 4, 8, 16, 32, 64, 128]}, usable=64)
    named = [d for d in plan["left_out"] if "named" in d]
    assert named and all(d["budget_needed_s"] > plan["budget_s"] for d in named)
    line = next(x for x in err.splitlines() if x.startswith("  named, but this budget has no room"))
    assert "--workers" in line and "--budget" in line
    # the budget that line names takes every named worker count in
    needed = max(d["budget_needed_s"] for d in named)
    stated = re.search(r"--budget (.+) takes them in", line).group(1)
    assert needed <= parse_budget(stated)
    rc, roomy, _ = list_json(argv + ["--budget", f"{parse_budget(stated):.0f}s"])
    assert rc == 0 and not [d for d in roomy["left_out"] if "named" in d]


def parse_budget(text: str) -> float:
    """'7 min 45 s' -> 465."""
    total = 0.0
    for value, unit in re.findall(r"(\d+) (h|min|s)", text):
        total += int(value) * {"h": 3600, "min": 60, "s": 1}[unit]
    return total


@pytest.mark.parametrize("cpus", [2, 16, 64])
@pytest.mark.parametrize("argv", [["all"], ["all", "--quick"], ["imwrite", "--quick"], ["pose"]])
def test_every_plan_races_the_serial_loop_and_the_usable_cpu_count(monkeypatch, cpus, argv):
    simulate(monkeypatch, cpus)
    rc, plan, err = list_json(argv)
    assert rc == 0, err
    assert plan["estimated_s"] <= plan["budget_s"] or "cannot hold" in err
    for g in plan["groups"]:
        mine = [parse_case(n) for n in plan["cases"] if n.startswith(g["group"] + "/")]
        assert any(c["strategy"] == "serial" for c in mine), g["group"]
        # a set too small for 8 images per worker at W (1080p on many cores) is capped by memory
        if g["capped_by"] is None and g["images"] >= 8 * cpus:
            assert cpus in g["workers"], g


def user_run(files: int, seconds_per_item: float, folders: int = 2) -> UserRun:
    """What a probe of a user's task would report, planted: no task runs."""
    images = FileSetSpec(ImageSize(320, 240, 3), files, "files", 0, "/data/frames", files)
    return UserRun({"task": "/data/mytask.py:blur_mean", "init": "", "decode": "color"}, images,
                   seconds_per_item, 0.0006, folders, False, False)


@pytest.mark.parametrize("files", [57, 81, 82, 200])
@pytest.mark.parametrize("seconds_per_item", [0.0015, 0.0026, 0.0029, 0.003, 0.0045, 0.0067, 0.02])
def test_a_users_folder_is_raced_at_the_usable_cpu_count_whatever_the_probe_read(files, seconds_per_item):
    """A 3 ms task probed at 2.6-2.9 ms on 81 files: the set was rounded up to 82 for 2
    workers, more than the folder holds, and every worker count but 1 was lost."""
    req = PlanRequest(budget_s=120, codec_workloads=[], pose=False, pipelines=[], dask=False,
                  files=user_run(files, seconds_per_item))
    plan = build_plan(req, 2, 8 * GiB)
    assert plan.groups
    for g in plan.groups:
        workers = {c.workers for c in g.entrants if c.family != "serial"}
        assert 2 in workers, (g.key, sorted(workers))
        assert g.images.count <= files
        assert g.images.count >= min(files, 8 * 2)


@pytest.mark.parametrize("usable", [2, 4, 16, 64])
def test_a_fast_and_a_slow_probe_plan_the_same_worker_counts_at_w(usable):
    """81 files: every worker count up to the usable CPUs is fed (64 CPUs: 81 files, one or
    two each), with a fast probe reading and a slow one alike."""
    for t in (0.0026, 0.0067):
        plan = build_plan(PlanRequest(budget_s=120, codec_workloads=[], pose=False, pipelines=[], dask=False,
                                 files=user_run(81, t)), usable, 64 * GiB)
        for g in plan.groups:
            assert usable in {c.workers for c in g.entrants if c.family != "serial"}, (t, g.key)
