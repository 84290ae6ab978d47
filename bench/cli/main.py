"""Command line: ``python -m bench {all,imwrite,pose,list,recommend,compare,plot,report} [options]``."""
from __future__ import annotations

import argparse
import os
import socket
import sys
from datetime import datetime

from bench.cli import answers
from bench.cli import options
from bench.plan.matrix import (DASK_STRATEGIES, DEFAULT_STRATEGIES, PlanOptions, plan_cases, plan_dask,
                        plan_overhead, unique_cases, worker_sweep)
from bench.plan.pose import PoseOptions, plan_pose_cases, plan_pose_dask
from bench.results.store import ResultsError
from bench.strategies import STRATEGIES, default_start_method
from workloads.codecs import CODECS, Codec
from workloads.imwrite import ImwriteWorkload

COMMANDS = {
    "all": "run every benchmark (overheads, imwrite/imencode, pose), then print the summary",
    "imwrite": "time cv2.imwrite / cv2.imencode under every strategy",
    "pose": "time MediaPipe pose landmarks under every strategy, verified against serial",
    "overhead": "pool start-up per start method, no-op round trip per payload, pickling cost",
    "dask": "the cluster path: Dask start-up, round trips, and one image set through Dask "
            "next to the best local strategies (--scheduler for a real cluster)",
    "list": "show the cases a command (default: all) would measure with the same options, "
            "without running them",
}


class Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit code 2."""

    def error(self, message):
        raise options.UsageError(message)


def build_parser() -> Parser:
    # allow_abbrev=False everywhere: a prefix must never silently match another option.
    common = Parser(add_help=False, allow_abbrev=False)
    g = common.add_argument_group("what to measure")
    g.add_argument("--quick", action="store_true",
                   help="small matrix and fewer images: a first look (8-9 minutes on a 2-core VM's disk)")
    g.add_argument("--workloads", type=options.workloads, metavar="LIST",
                   help="imwrite (encode + write a file), imencode (encode to memory only), "
                        "pose (MediaPipe landmarks); for all and list")
    g.add_argument("--sizes", type=options.sizes, metavar="LIST",
                   help="image sizes WxH[xC], e.g. 50x50x1,640x480x3 (default: 50x50x1, 256x256x3, "
                        "640x480x3, 1920x1080x3)")
    g.add_argument("--content", dest="contents", type=options.contents, metavar="LIST",
                   help="noise (worst case for codecs) and/or smooth (photo-like); default: noise "
                        "for grey images (as seed 002), smooth for colour")
    g.add_argument("--n-images", type=lambda t: options.positive_int(t, "--n-images", 1_000_000),
                   metavar="N", help="images per set (default: chosen per size, ~0.5 s of serial work)")
    g.add_argument("--strategies", type=options.strategies, default=None,
                   metavar="LIST", help="comma list from: " + ", ".join(STRATEGIES))
    g.add_argument("--workers", type=options.worker_counts, metavar="LIST",
                   help=f"worker counts (default: {','.join(map(str, worker_sweep()))}, "
                        "i.e. 1, 2, 4 ... up to 2x the logical CPUs)")
    g.add_argument("--chunk-sizes", type=options.chunk_sizes, default=["auto"], metavar="LIST",
                   help="images per task for chunked strategies; auto = images/workers for "
                        "*-chunked, images/(4 x workers) for processes-map")
    g.add_argument("--start-method", dest="start_methods", type=options.start_methods,
                   metavar="LIST", help=f"fork, spawn, forkserver (default: {default_start_method()})")
    g.add_argument("--layouts", type=options.layouts, default=None, metavar="LIST",
                   help="imwrite output layouts: flat (every file in one folder, as seed 002) and/or "
                        "per-task (each task writes its slice into its own subfolder), for every "
                        "strategy whose tasks are slices. Default: flat, and per-task too for "
                        "threads-chunked, processes-shm and processes-inherit")
    g.add_argument("--codec", choices=CODECS, default="jpg")
    g.add_argument("--jpeg-quality", type=int, default=95, metavar="Q")
    g.add_argument("--png-level", type=int, default=3, metavar="L")
    g.add_argument("--seed", type=lambda t: options.non_negative_int(t, "--seed", 2**63 - 1),
                   default=0, help="seed of the image generators")
    p = common.add_argument_group("pose")
    p.add_argument("--pose-model-complexity", type=int, default=1, metavar="N",
                   help="MediaPipe model_complexity; only 1 ships with mediapipe 0.10.21 (0 and 2 "
                        "would be downloaded, which bench refuses)")
    p.add_argument("--pose-backend", default="solutions", metavar="NAME",
                   help="solutions (mp.solutions.pose, mediapipe 0.10.21; default) or tasks "
                        "(mediapipe>=0.10.30: not available, says what to install)")
    p.add_argument("--pose-model", metavar="PATH",
                   help="a MediaPipe Tasks .task model file (Tasks backend only)")
    r = common.add_argument_group("how to run")
    r.add_argument("--values", type=lambda t: options.positive_int(t, "--values", 100), metavar="N",
                   help="timed passes per case (default 3)")
    r.add_argument("--warmups", type=lambda t: options.non_negative_int(t, "--warmups", 100),
                   default=1, metavar="N", help="warm-up passes (default 1)")
    r.add_argument("--paired-serial", action=argparse.BooleanOptionalAction, default=True,
                   help="time a serial pass right before each pool pass of a case, so its speedup "
                        "compares passes seconds apart, not cases minutes apart (default: on; not "
                        "for pose, whose serial model must not be built in the pool's parent)")
    r.add_argument("--verify", action=argparse.BooleanOptionalAction, default=True,
                   help="check every strategy's output is byte-identical to the serial loop's")
    r.add_argument("--cv-threads", type=lambda t: options.positive_int(t, "--cv-threads", 256),
                   metavar="N", help="cv2.setNumThreads(N) in every worker (default: leave OpenCV alone)")
    r.add_argument("--case-timeout", type=options.case_timeout, default=None, metavar="S",
                   help="end a case (and every process it started) after S seconds; default "
                        "auto: 120 s + 30 x the case's expected serial work")
    r.add_argument("--resume", type=options.results_file, metavar="RESULTS.json",
                   help="finish an interrupted run: skip the cases already in RESULTS.json and "
                        "run the rest into it (same machine and settings only)")
    r.add_argument("--out-dir", metavar="DIR",
                   help="where images are written (default: a temporary folder); point it at the "
                        "disk or tmpfs you care about")
    r.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask cases use this scheduler (e.g. tcp://10.0.0.5:8786) instead of "
                        "starting a LocalCluster per case")
    r.add_argument("--scheduler-timeout", type=lambda t: options.positive_int(t, "--scheduler-timeout"),
                   default=10, metavar="S", help="seconds to wait for the Dask scheduler (default 10)")
    r.add_argument("--results-dir", default="results", metavar="DIR",
                   help="where the results file goes (default: results/)")
    r.add_argument("--save-keypoints", metavar="DIR",
                   help="pose: write each image set's landmarks to DIR as one .npz keyed by image id")

    parser = Parser(prog="bench", allow_abbrev=False,
                    description="Throughput benchmarks for parallel image work: which strategy, "
                                "how many workers, what chunk size - measured on this machine.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name, help_text in COMMANDS.items():
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text,
                           allow_abbrev=False)
        if name == "list":
            p.add_argument("target", nargs="?", default="all",
                           choices=[c for c in COMMANDS if c != "list"],
                           help="the command whose cases to list (default: all)")
    answers.add_parsers(sub)
    return parser


def plan_options(args) -> PlanOptions:
    try:
        codec = Codec(args.codec, args.jpeg_quality, args.png_level)
        params = ImwriteWorkload.params_for(codec)
    except ValueError as exc:
        raise options.UsageError(str(exc)) from None
    if args.warmups < 0:
        raise options.UsageError(f"--warmups must be 0 or more, got {args.warmups}")
    workloads = args.workloads
    if workloads is not None:
        workloads = [w for w in workloads if w != "pose"]   # pose has its own plan
    try:
        return PlanOptions(quick=args.quick, workloads=workloads, sizes=args.sizes,
                           contents=args.contents, n_images=args.n_images,
                           strategies=args.strategies or list(DEFAULT_STRATEGIES),
                           explicit_strategies=tuple(args.strategies or ()), workers=args.workers,
                           chunk_sizes=args.chunk_sizes, start_methods=args.start_methods,
                           layouts=args.layouts, params=params, seed=args.seed)
    except ValueError as exc:
        raise options.UsageError(str(exc)) from None


def pose_options(args) -> PoseOptions:
    from workloads.pose.workload import PoseWorkload

    params = PoseWorkload.params_for(args.pose_model_complexity, args.pose_backend, args.pose_model)
    return PoseOptions(quick=args.quick, sizes=args.sizes, contents=args.contents,
                       n_images=args.n_images, strategies=args.strategies, workers=args.workers,
                       chunk_sizes=args.chunk_sizes, start_methods=args.start_methods,
                       params=params, seed=args.seed)


def wanted(args, command: str) -> tuple[bool, bool]:
    """(codec workloads, pose) for this command. ``all``/``list`` run both unless
    --workloads says otherwise; given --sizes/--content alone they mean imwrite."""
    if command == "pose":
        return False, True
    if command != "all":
        if args.workloads and "pose" in args.workloads:
            raise options.UsageError("pose is measured by `bench pose` (or `bench all`)")
        return True, False
    if args.workloads is not None:
        return any(w != "pose" for w in args.workloads), "pose" in args.workloads
    return True, args.sizes is None and args.contents is None


def _pose_asked_for(args, command: str) -> bool:
    return (command == "pose" or bool(args.workloads and "pose" in args.workloads)
            or args.pose_model_complexity != 1 or args.pose_backend != "solutions"
            or bool(args.pose_model))


def pose_cases(args, command: str, planner=plan_pose_cases) -> list:
    """The pose plan; in ``all``, a mediapipe that cannot run pose skips it with a line."""
    from workloads.pose.workload import PoseUnavailable

    try:
        return planner(pose_options(args))
    except PoseUnavailable as exc:
        if _pose_asked_for(args, command):
            raise
        print(f"bench: pose skipped: {exc}", file=sys.stderr)
        return []


def pose_dask_cases(args, command: str) -> list:
    """Pose through Dask next to the local pools, unless --workloads leaves pose out."""
    if args.workloads is not None and "pose" not in args.workloads:
        return []
    return pose_cases(args, command, planner=plan_pose_dask)


def make_cases(args, command=None):
    cases = _plan(args, command or args.command)
    return _on_the_cluster(args, cases)


def _on_the_cluster(args, cases):
    """With --scheduler, every Dask case runs on that cluster: its worker count is the
    cluster's, whatever the sweep said (and a bad address is one line, exit 2)."""
    from dataclasses import replace

    dask_cases = [c for c in cases if c.family == "dask"]
    if not args.scheduler or not dask_cases:
        return cases
    n = cluster_workers(args)
    return unique_cases([replace(c, workers=n) if c.family == "dask" else c for c in cases])


def _plan(args, command):
    codec, pose = wanted(args, command)
    if codec and args.workloads is not None:
        args.workloads = [w for w in args.workloads if w != "pose"]   # pose has its own plan
    opts = plan_options(args)
    try:
        if command == "pose":
            return pose_cases(args, command)
        if command == "overhead":
            return plan_overhead(opts)
        if command == "dask":
            return plan_dask(opts, cluster_workers(args)) + pose_dask_cases(args, command)
        if command == "all":
            cases = []
            if codec:
                # overheads first: they are quick and explain what follows
                opts.cv_threads_variant = not args.quick and args.cv_threads is None
                cases = plan_overhead(opts) + plan_cases(opts)
            if pose:
                cases += pose_cases(args, command)
            wants_dask = not opts.explicit_strategies or any(
                s in DASK_STRATEGIES for s in opts.explicit_strategies)
            if codec and not args.quick and wants_dask:
                cases += plan_dask(opts, cluster_workers(args))
            if pose and not args.quick and wants_dask:
                cases += pose_cases(args, command, planner=plan_pose_dask)
            return unique_cases(cases)
        return plan_cases(opts)
    except ValueError as exc:            # e.g. an image set too large to generate
        raise options.UsageError(str(exc)) from None


def cluster_workers(args) -> int | None:
    """With --scheduler, Dask cases use however many workers that cluster has."""
    if not args.scheduler:
        return None
    from bench.strategies.dask import SchedulerError, connect

    try:
        client = connect(args.scheduler, args.scheduler_timeout)
    except SchedulerError as exc:
        raise options.UsageError(str(exc)) from None
    try:
        n = len(client.scheduler_info().get("workers", {}))
    finally:
        client.close()
    if n == 0:
        raise options.UsageError(f"the Dask scheduler at {args.scheduler} has no workers")
    return n


def cmd_list(args) -> int:
    cases = make_cases(args, args.target)
    if args.resume:         # what is still to run of the resumed command
        from bench.run import resume

        results = resume.load(args.resume)
        args = resume.reconcile(args, results, parse_args, plan_options, _run_settings)
        cases = resume.remaining(make_cases(args), results)
    for case in cases:
        print(case.name)
    print(f"{len(cases)} cases", file=sys.stderr)
    return 0


def results_path(results_dir: str) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    host = socket.gethostname().split(".")[0] or "host"
    return os.path.join(results_dir, f"{host}-{stamp}.json")


def parse_args(argv):
    args = build_parser().parse_args(argv)
    args.argv = list(argv)
    return args


def _run_settings(args) -> dict:
    from bench.run.session import run_settings

    return run_settings(args)


def cmd_run(args) -> int:
    from bench.run import resources
    from bench.run import resume
    from bench.run.session import run_session

    results = None
    if args.resume:
        results = resume.load(args.resume)
        args = resume.reconcile(args, results, parse_args, plan_options, _run_settings)
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
        raise options.UsageError(str(exc)) from None
    planned = len(cases)
    if results is not None:
        cases = resume.remaining(cases, results)
    return run_session(args, cases, path, results=results, skipped=skipped, planned=planned)


def main(argv=None) -> int:
    from bench.run import interrupt

    argv = list(sys.argv[1:] if argv is None else argv)
    with interrupt.handling():
        try:
            args = parse_args(argv)
            if args.command == "list":
                return cmd_list(args)
            if args.command in answers.COMMANDS:
                return answers.run(args)
            return cmd_run(args)
        except (options.UsageError, ResultsError) as exc:
            print(f"bench: error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt as exc:
            interrupt.handled()
            print(f"bench: interrupted by {interrupt.signal_name(exc)}", file=sys.stderr)
            return interrupt.exit_code(exc)


if __name__ == "__main__":
    sys.exit(main())
