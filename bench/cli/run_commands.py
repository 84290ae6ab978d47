"""The measuring commands: ``all``, ``imwrite``, ``pose``, ``overhead``, ``dask`` (run a
plan into a results file) and ``list`` (show the plan without running it)."""
from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import replace
from datetime import datetime
from functools import partial

from bench.cli import options
from bench.cli.answers import end_of_run
from bench.cli.request import parse_request
from bench.errors import UsageError
from bench.measure.machine import available_cpus, memory_available
from bench.model.request import RunRequest
from bench.plan.budget import format_duration
from bench.plan.commands import make_plan, plan_options
from bench.strategies import default_start_method
from bench.texts import messages


def plan_for(request: RunRequest, command: str, results=None):
    """(the plan, the plan's inputs): the machine it was made for, and ``run``'s probe of
    the task, kept in the results file so that a resumed run plans the same cases."""
    stored = results.run.get("plan_inputs") if results is not None else None
    inputs = stored or {"usable": available_cpus(), "memory": memory_available()}
    plan = make_plan(request, command, inputs["usable"], inputs["memory"], inputs)
    if command == "run" and not request.limit:      # a sample the user did not choose
        from bench.plan.file_groups import sample_notes

        for note in sample_notes(plan):
            print(note, file=sys.stderr)
    return plan, inputs


def _resumed(request: RunRequest):
    """(the request, the results file it resumes or None): resumed, the file's own request."""
    if not request.resume:
        return request, None
    from bench.run import resume

    results = resume.load(request.resume)
    return resume.reconcile(request, results, parse_request, plan_options), results


def cmd_list(request: RunRequest) -> int:
    request, results = _resumed(request)      # resumed: what is still to run of its command
    command = request.target if results is None else request.command
    plan, _ = plan_for(request, command, results)
    cases = plan.cases()
    if results is not None:
        from bench.run import resume

        cases = resume.remaining(cases, results)
    if request.json and results is None:
        print(json.dumps(plan.as_json(), indent=1))
        for line in plan.plan_lines():           # the JSON says it too: left_out, serial_added
            print(line, file=sys.stderr)
        return 0
    for case in cases:
        print(case.name)
    counts = dict(cases=len(cases), configurations=plan.configurations(), groups=len(plan.groups),
                  probes=len(plan.overhead), estimate=format_duration(plan.estimate_s))
    line = messages.LIST_RACE if plan.policy.within_budget else messages.LIST_IN_FULL
    print(line.format(**counts, budget=format_duration(plan.budget_s)), file=sys.stderr)
    for line in plan.plan_lines():
        print(line, file=sys.stderr)
    return 0


def results_path(results_dir: str) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    host = socket.gethostname().split(".")[0] or "host"
    return os.path.join(results_dir, f"{host}-{stamp}.json")


def cmd_run(request: RunRequest) -> int:
    from bench.run import resources, resume
    from bench.run.session import run_session

    request, results = _resumed(request)
    race_plan, plan_inputs = plan_for(request, request.command, results)
    cases = race_plan.cases()
    plan = resume.plan_dict(plan_options(request))
    # the folders checked and made absolute: a new request (the parsed one stays as typed)
    if request.out_dir:
        request = replace(request, out_dir=options.writable_dir(request.out_dir, "--out-dir",
                                                                create=False))
    if request.save_keypoints:
        request = replace(request, save_keypoints=options.writable_dir(request.save_keypoints,
                                                                       "--save-keypoints"))
    if request.cache_dir:         # generated input files; case processes inherit it
        from workloads.files import CACHE_ENV

        os.environ[CACHE_ENV] = options.writable_dir(request.cache_dir, "--cache-dir")
    if results is None:
        results_dir = options.writable_dir(request.results_dir, "results folder")
        path = results_path(results_dir)
    else:
        from bench.measure.machine import collect
        from bench.results import remove_stale_temps

        path = request.resume
        results_dir = os.path.dirname(path)
        resume.check_machine(path, results.run.get("machine", {}), collect(default_start_method()))
        remove_stale_temps(path)         # what a killed writer left beside the file
    try:
        cases, skipped = resources.check(cases, request.out_dir, results_dir, echo=print)
        if skipped:
            race_plan.drop({s.name for s in skipped})
    except resources.NotEnoughResources as exc:
        raise UsageError(str(exc)) from None
    return run_session(request, race_plan, path, results=results, skipped=skipped, after_summary=_answers_after(request),
                       plan=plan, plan_inputs=plan_inputs)


def _answers_after(request: RunRequest):
    """What ``bench all`` and ``bench run`` print after the summary: the recommendation,
    then the charts (the run calls it back, so that the run never imports the CLI)."""
    if request.command not in ("all", "run"):
        return None
    return partial(end_of_run, plots_dir=request.plots_dir)
