"""The command line's grammar: every sub-command and option (argparse only, no logic)."""
from __future__ import annotations

import argparse

from bench.cli import answers
from bench.cli import options
from bench.model.settings import DEFAULTS
from bench.plan.configurations import worker_sweep
from bench.plan.budget import DEFAULT_BUDGET_S, QUICK_BUDGET_S, format_duration
from bench.strategies import STRATEGIES, default_start_method
from workloads.codecs import CODECS

COMMANDS = {
    "all": "run every benchmark (overheads, imwrite/imencode, pose), then print the summary",
    "imwrite": "time cv2.imwrite / cv2.imencode under every strategy",
    "pose": "time MediaPipe pose landmarks under every strategy, verified against serial",
    "overhead": "pool start-up per start method, no-op round trip per payload, pickling cost",
    "dask": "the cluster path: Dask start-up, round trips, and one image set through Dask "
            "next to the best local strategies (--scheduler for a real cluster)",
    "run": "your own function on your own images: --task MODULE:FUNCTION --images DIR, raced "
           "under every strategy that fits, verified against the serial loop",
    "list": "show the cases a command (default: all) would measure with the same options, "
            "without running them",
}


class Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit code 2."""

    def error(self, message):
        raise options.UsageError(message)


def build_parser() -> Parser:
    # allow_abbrev=False everywhere: a prefix must never silently match another option.
    # No option has a default of its own: one not given is None, and its RunRequest field's
    # default applies (bench.cli.request); the two below keep theirs for Python 3.10's help.
    common = Parser(add_help=False, allow_abbrev=False)
    g = common.add_argument_group("what to measure")
    g.add_argument("--quick", action="store_true",
                   help="small matrix and fewer images: a first look")
    g.add_argument("--workloads", type=options.workloads, metavar="LIST",
                   help="imwrite (encode + write a file), imencode (encode to memory only), "
                        "pose (MediaPipe landmarks); for all and list")
    g.add_argument("--sizes", type=options.sizes, metavar="LIST",
                   help="image sizes WxH[xC], e.g. 50x50x1,640x480x3 (default: 50x50x1, 256x256x3, "
                        "640x480x3, 1920x1080x3)")
    g.add_argument("--content", dest="contents", type=options.contents, metavar="LIST",
                   help="noise (worst case for codecs) and/or smooth (photo-like); default: noise "
                        "for grey images (as the classic saving-images-in-a-loop question), smooth for colour")
    g.add_argument("--n-images", type=lambda t: options.positive_int(t, "--n-images", 1_000_000),
                   metavar="N", help="images per set (default: chosen per size, ~0.5 s of serial work)")
    g.add_argument("--strategies", type=options.strategies, metavar="LIST",
                   help="comma list from: " + ", ".join(STRATEGIES))
    g.add_argument("--workers", type=options.worker_counts, metavar="LIST",
                   help=f"worker counts (default: {','.join(map(str, worker_sweep()))}, "
                        "i.e. 1, 2, 4 ... up to 2x the logical CPUs)")
    g.add_argument("--chunk-sizes", type=options.chunk_sizes, metavar="LIST",
                   help="images per task for chunked strategies; auto = images/workers for "
                        "*-chunked, images/(4 x workers) for processes-map")
    g.add_argument("--start-method", dest="start_methods", type=options.start_methods,
                   metavar="LIST", help=f"fork, spawn, forkserver (default: {default_start_method()})")
    g.add_argument("--layouts", type=options.layouts, metavar="LIST",
                   help="imwrite output layouts: flat (every file in one folder, as the classic loop does) and/or "
                        "per-task (each task writes its slice into its own subfolder), for every "
                        "strategy whose tasks are slices. Default: flat, and per-task too for "
                        "threads-chunked, processes-shm and processes-inherit")
    g.add_argument("--codec", choices=CODECS)
    g.add_argument("--jpeg-quality", type=int, metavar="Q")
    g.add_argument("--png-level", type=int, metavar="L")
    g.add_argument("--seed", type=lambda t: options.non_negative_int(t, "--seed", 2**63 - 1),
                   help="seed of the image generators")
    p = common.add_argument_group("pose")
    p.add_argument("--pose-model-complexity", type=int, metavar="N",
                   help="MediaPipe model_complexity; only 1 ships with mediapipe 0.10.21 (0 and 2 "
                        "would be downloaded, which bench refuses)")
    p.add_argument("--pose-backend", metavar="NAME",
                   help="solutions (mp.solutions.pose, mediapipe 0.10.21; default) or tasks "
                        "(mediapipe>=0.10.30: not available, says what to install)")
    p.add_argument("--pose-model", metavar="PATH",
                   help="a MediaPipe Tasks .task model file (Tasks backend only)")
    r = common.add_argument_group("how to run")
    r.add_argument("--budget", type=options.duration, metavar="DURATION",
                   help="how long the run may take, e.g. 90s, 3m, 1h (default: "
                        f"{format_duration(DEFAULT_BUDGET_S)}; --quick: {format_duration(QUICK_BUDGET_S)}); "
                        "configurations are raced in rounds and the slow ones dropped early")
    r.add_argument("--exhaustive", action="store_true",
                   help="measure every planned configuration in full, one fresh process each "
                        "(cold passes, decomposition, paired serial passes), whatever the budget")
    r.add_argument("--explain", choices=("finalists", "all"),
                   help="which configurations get cold passes on fresh pools, the decomposition of "
                        "their cold time and memory per worker: the finalists and the naive "
                        "baselines (default), or all")
    r.add_argument("--values", type=lambda t: options.positive_int(t, "--values", 100), metavar="N",
                   help=f"timed passes per case (default {DEFAULTS.values})")
    r.add_argument("--warmups", type=lambda t: options.non_negative_int(t, "--warmups", 100),
                   metavar="N", help=f"warm-up passes (default {DEFAULTS.warmups})")
    r.add_argument("--paired-serial", action=argparse.BooleanOptionalAction, default=DEFAULTS.paired_serial,
                   help="time a serial pass next to each pool pass of a case, so its speedup "
                        "compares passes seconds apart, not cases minutes apart (default: on; not "
                        "for pose, whose serial model must not be built in the pool's parent)")
    r.add_argument("--verify", action=argparse.BooleanOptionalAction, default=DEFAULTS.verify,
                   help="check every strategy's output is byte-identical to the serial loop's")
    r.add_argument("--cv-threads", type=lambda t: options.positive_int(t, "--cv-threads", 256),
                   metavar="N", help="cv2.setNumThreads(N) in every worker (default: leave OpenCV alone)")
    r.add_argument("--case-timeout", type=options.case_timeout, metavar="S",
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
                   metavar="S", help="seconds to wait for the Dask scheduler "
                                     f"(default {DEFAULTS.scheduler_timeout:g})")
    r.add_argument("--results-dir", metavar="DIR",
                   help="where the results file goes (default: results/)")
    r.add_argument("--plots-dir", metavar="DIR",
                   help="where the charts of the end of a run go (default: plots/)")
    r.add_argument("--save-keypoints", metavar="DIR",
                   help="pose: write each image set's landmarks to DIR as one .npz keyed by image id")
    r.add_argument("--cache-dir", metavar="DIR",
                   help="where the pipelines' input files are generated once (default: "
                        "$XDG_CACHE_HOME/bench/inputs, else ~/.cache/bench/inputs)")
    own = _own_work_options()

    parser = Parser(prog="bench", allow_abbrev=False,
                    description="Throughput benchmarks for parallel image work: which strategy, "
                                "how many workers, what chunk size - measured on this machine.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser, required=True)
    for name, help_text in COMMANDS.items():
        p = sub.add_parser(name, parents=[common] + ([own] if name in ("run", "list") else []),
                           help=help_text, description=help_text, allow_abbrev=False)
        if name == "list":
            p.add_argument("--json", action="store_true",
                           help="the plan as JSON: cases, estimated_s, budget_s, groups")
            p.add_argument("target", nargs="?",
                           choices=[c for c in COMMANDS if c != "list"],
                           help="the command whose cases to list (default: all)")
    answers.add_parsers(sub)
    return parser


def _own_work_options() -> Parser:
    """``bench run``'s options (and ``list run``'s): a user's task on their files."""
    own = Parser(add_help=False, allow_abbrev=False)
    g = own.add_argument_group("your own work (bench run; docs/own-work.md)")
    g.add_argument("--task", metavar="MODULE:FUNCTION",
                   help="the function to measure: task(item), or task(item, state) with --init; "
                        "MODULE is an importable module or a path to a .py file")
    g.add_argument("--images", metavar="DIR",
                   help="a folder of images (sub-folders included) or a glob in quotes, e.g. 'frames/*.png'")
    g.add_argument("--init", metavar="MODULE:FUNCTION",
                   help="builds the state (a model) once per worker; the task gets it as its second argument")
    g.add_argument("--init-per-item", action="store_true",
                   help="also race the anti-pattern: the state rebuilt inside every task")
    g.add_argument("--decode", choices=("color", "grayscale", "unchanged", "none"),
                   help="what the task gets: the image as cv2.imread decodes it (default color: BGR "
                        "uint8), or its path (none)")
    g.add_argument("--limit", type=lambda t: options.positive_int(t, "--limit", 10_000_000), metavar="N",
                   help="measure N files, a sample drawn by --seed (default: all while a pass of them "
                        "fits, else a sample)")
    g.add_argument("--atol", type=float, metavar="X",
                   help="compare arrays (and floats) with numpy.allclose(atol=X) instead of exactly")
    g.add_argument("--same", metavar="MODULE:FUNCTION",
                   help="compare results with your same(serial_result, result) -> bool")
    return own


def parse_args(argv):
    args = build_parser().parse_args(argv)
    args.argv = list(argv)
    return args
