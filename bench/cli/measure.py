"""The measuring commands: ``all``, ``imwrite``, ``pose``, ``overhead``, ``dask`` (run a
plan into a results file) and ``list`` (show the plan without running it)."""
from __future__ import annotations

import os
import socket
import sys
from datetime import datetime

from bench.cli import options
from bench.cli.parser import parse_args
from bench.errors import UsageError
from bench.plan.commands import make_cases, plan_options
from bench.strategies import default_start_method


def cmd_list(args) -> int:
    cases = make_cases(args, args.target)
    if args.resume:         # what is still to run of the resumed command
        from bench.run import resume

        results = resume.load(args.resume)
        args = resume.reconcile(args, results, parse_args, plan_options)
        cases = resume.remaining(make_cases(args), results)
    for case in cases:
        print(case.name)
    print(f"{len(cases)} cases", file=sys.stderr)
    return 0


def results_path(results_dir: str) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    host = socket.gethostname().split(".")[0] or "host"
    return os.path.join(results_dir, f"{host}-{stamp}.json")



def cmd_run(args) -> int:
    from bench.run import resources, resume
    from bench.run.session import run_session

    results = None
    if args.resume:
        results = resume.load(args.resume)
        args = resume.reconcile(args, results, parse_args, plan_options)
        path = args.resume
        results_dir = os.path.dirname(path)
    cases = make_cases(args)
    args.plan = resume.plan_dict(plan_options(args))
    if args.out_dir:
        args.out_dir = options.writable_dir(args.out_dir, "--out-dir", create=False)
    if args.save_keypoints:
        args.save_keypoints = options.writable_dir(args.save_keypoints, "--save-keypoints")
    if results is None:
        results_dir = options.writable_dir(args.results_dir, "results folder")
        path = results_path(results_dir)
    else:
        from bench.measure.machine import collect

        resume.check_machine(path, results.run.get("machine", {}), collect(default_start_method()))
        resume.tidy(path)
    try:
        cases, skipped = resources.check(cases, args.out_dir, results_dir, echo=print)
    except resources.NotEnoughResources as exc:
        raise UsageError(str(exc)) from None
    planned = len(cases)
    if results is not None:
        cases = resume.remaining(cases, results)
    return run_session(args, cases, path, results=results, skipped=skipped, planned=planned)
