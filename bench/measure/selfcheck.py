"""Does the harness cost anything? ``python -m bench.measure.selfcheck``

Puts bench's figure - a race's case process (bench.run.case_process) holding a race's
live pools - next to a bare loop and a bare pool per family in an interpreter of its own
(bench.measure.bare: what a user writes by hand), on the same images, interleaved in a
fresh random order every round (docs/measurements.md). Exits 1 when a family's ratio is
not within THRESHOLD.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile

from bench.measure.steal import STEAL_LIMIT
from bench.measure.timing import PassDirs
from bench.measure.trash import Trash
from bench.model.case import Case
from bench.strategies import auto_chunk_size
from workloads.codecs import Codec
from workloads.images import ImageSetSpec, ImageSize
from workloads.imwrite import ImwriteWorkload

FAMILIES = ("serial", "threads-chunked", "processes-chunked", "processes-shm", "processes-inherit")
# the naive pools a race of this group holds live too (not compared: no bare twin)
CROWD = ("threads", "processes")
# bench's figure per family within this share of the bare one, or the harness costs
THRESHOLD = 0.10
COMMAND_TIMEOUT_S = 300


def bench_case(strategy: str, spec: ImageSetSpec, workers: int) -> Case:
    params = ImwriteWorkload.params_for(Codec())
    if strategy == "serial":
        return Case("imwrite", spec, params, "serial")
    chunk = auto_chunk_size(strategy, spec.count, workers)
    method = "fork" if strategy.startswith("processes") else None
    return Case("imwrite", spec, params, strategy, workers, chunk, method,
                chunk_rule="auto" if chunk else None)


def race_pools(families, spec: ImageSetSpec, workers: int) -> list[Case]:
    """The pools a race of this group holds live: every family at 1 and W workers, and
    the naive per-image pools (their tasks per image make 1 worker pointless here)."""
    counts = sorted({1, workers})
    named = [f for f in families if f != "serial"]
    cases = [bench_case(f, spec, w) for f in named for w in counts]
    return cases + [bench_case(f, spec, workers) for f in CROWD]


class BareProcess:
    """The bare pools in an interpreter of their own (bench.measure.bare)."""

    def __init__(self, spec: ImageSetSpec, workers: int, families):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.measure.bare", json.dumps(spec.as_dict()), str(workers),
             ",".join(families), json.dumps(list(Codec().params()))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.hello = self._reply()

    def _reply(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the bare interpreter ended (exit code {self.proc.wait()})")
        return json.loads(line)

    def call(self, *words) -> dict:
        self.proc.stdin.write(" ".join(words) + "\n")
        self.proc.stdin.flush()
        return self._reply()

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                self.call("quit")
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def run(count: int, rounds: int, workers: int, out_root: str | None, families=FAMILIES,
        echo=print) -> list[dict]:
    from bench.run.case_process import CaseProcess

    spec = ImageSetSpec(ImageSize.parse("50x50x1"), count, "noise", 0)
    root = tempfile.mkdtemp(prefix="bench-selfcheck-", dir=out_root)
    dirs = PassDirs(os.path.join(root, "bare"))
    os.makedirs(dirs.root)
    # the bare side's folders go as a race's do: in bulk, between passes (removing each
    # pass's thousands of files right after it hands the kernel work the next pass pays)
    trash = Trash()
    serial = bench_case("serial", spec, 1)
    host = CaseProcess({"spec": {"workload": "imwrite", "params": ImwriteWorkload.params_for(Codec()),
                          "images": spec.as_dict(), "serial_slice": count,
                          "serial_case": serial.as_dict()}}, root, workers)
    bare = None
    times = {(side, f): [] for side in ("bench", "bare") for f in families}
    steals = []
    try:
        host.start(COMMAND_TIMEOUT_S)
        bare = BareProcess(spec, workers, families)
        # every pool's workers forked before any pass, on both sides: a worker inherits the
        # parent's allocator as it is at the fork (see GroupWork.prestart)
        crowd = race_pools(families, spec, workers)
        host.prestart(crowd, COMMAND_TIMEOUT_S)
        for c in crowd:                            # a race's first round: every pool visited
            host.visit(c, COMMAND_TIMEOUT_S)
        for f in families:                         # the bare side warmed once, untimed
            _bare_pass(bare, dirs, trash, f)
        rng = random.Random(0)
        for k in range(rounds):
            steps = [(side, f) for side in ("bench", "bare") for f in families]
            rng.shuffle(steps)
            for side, f in steps:
                if side == "bench":
                    seconds, steal = _bench_pass(host, f, spec, workers)
                else:
                    seconds, steal = _bare_pass(bare, dirs, trash, f)
                times[(side, f)].append(seconds)
                steals.append(steal)
            echo(f"round {k + 1}/{rounds} done")
        facts = bare.call("facts")
    finally:
        if bare is not None:
            bare.close()
        host.stop()
        trash.empty()
        PassDirs.remove(root)
    out = []
    for f in families:
        b, h = times[("bare", f)], times[("bench", f)]
        ratio = statistics.median(b) / statistics.median(h)
        out.append({"family": f, "bare_img_per_s": count / statistics.median(b),
                    "bench_img_per_s": count / statistics.median(h), "ratio": ratio,
                    "within": abs(ratio - 1) <= THRESHOLD,
                    "bare_spread": (max(b) - min(b)) / statistics.median(b),
                    "bench_spread": (max(h) - min(h)) / statistics.median(h)})
    known = [s for s in steals if s is not None]
    out.append({"steal_max": max(known) if known else None, "bare_pid": facts["pid"],
                "bench_pid": host.proc.pid, "bare_bench_modules": facts["bench_modules"],
                "live_pools": len(crowd)})
    return out


def _bare_pass(bare: BareProcess, dirs: PassDirs, trash: Trash, family: str):
    """One timed pass of a bare pool, taken again (at most twice) while CPU time was being
    stolen; its folder goes to the trash, emptied between passes once full."""
    for _ in range(3):
        trash.tidy()
        out = dirs.fresh()
        reply = bare.call("run", family, out)
        trash.add(out)
        if reply.get("steal") is None or reply["steal"] <= STEAL_LIMIT:
            break
    return reply["seconds"], reply.get("steal")


def _bench_pass(host, family: str, spec: ImageSetSpec, workers: int):
    """One timed pass as a race visit takes it (the serial loop: the serial pass)."""
    for _ in range(3):
        if family == "serial":
            reply = host.serial_pass(COMMAND_TIMEOUT_S)
        else:
            reply = host.visit(bench_case(family, spec, workers), COMMAND_TIMEOUT_S)
        if reply.get("steal") is None or reply["steal"] <= STEAL_LIMIT:
            break
    return reply["seconds"], reply.get("steal")


def main(argv=None) -> int:
    from bench.measure.machine import available_cpus

    parser = argparse.ArgumentParser(prog="python -m bench.measure.selfcheck", allow_abbrev=False,
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-images", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--workers", type=int, default=available_cpus())
    parser.add_argument("--out-dir", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                        help="where the images are written (default: /dev/shm where it exists)")
    args = parser.parse_args(argv)
    rows = run(args.n_images, args.rounds, args.workers, args.out_dir)
    *families, steal = rows
    print(f"{args.n_images} x 50x50 JPEGs into {args.out_dir or tempfile.gettempdir()}, "
          f"{args.workers} workers, medians of {args.rounds} interleaved passes")
    print(f"{'family':<20}{'bare img/s':>12}{'bench img/s':>13}{'bench/bare':>12}"
          f"{'bare spread':>13}{'bench spread':>14}")
    for r in families:
        verdict = "ok" if r["within"] else f"off by more than {THRESHOLD:.0%}"
        print(f"{r['family']:<20}{r['bare_img_per_s']:>12,.0f}{r['bench_img_per_s']:>13,.0f}"
              f"{r['ratio']:>12.3f}{r['bare_spread']:>13.0%}{r['bench_spread']:>14.0%}  {verdict}")
    print(f"bench: a race's case process with {steal['live_pools']} live pools; "
          "bare: an interpreter of its own")
    if steal["steal_max"] is not None:
        print(f"most CPU time stolen during a pass: {steal['steal_max']:.1%}")
    return 0 if all(r["within"] for r in families) else 1


if __name__ == "__main__":
    raise SystemExit(main())
