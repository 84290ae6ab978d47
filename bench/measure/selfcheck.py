"""Does the harness cost anything? ``python -m bench.measure.selfcheck``

Puts bench's own figure next to a bare loop and a bare pool per strategy family
(bench.measure.bare: what a user writes by hand) on the same images, written into the
same kind of fresh folder per pass: bench's side is a race visit exactly as a run makes
it (bench.measure.visits: the same case-process code, the warm pool, the timed pass).
The two sides are interleaved in a fresh random order every round, so a drifting disk or
CPU hits both alike; each reading records the CPU time stolen from the VM meanwhile and
is taken again when too much was (as a race does). Prints the medians, bench / bare, and
the spread of each side's passes.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time

from bench.measure.bare import Bare
from bench.measure.steal import StealMeter
from bench.measure.timing import PassDirs
from bench.plan.case import Case
from bench.strategies import auto_chunk_size
from workloads.codecs import Codec
from workloads.images import ImageSetSpec, ImageSize, generate
from workloads.imwrite import ImwriteWorkload

FAMILIES = ("serial", "threads-chunked", "processes-chunked", "processes-shm", "processes-inherit")
STEAL_LIMIT = 0.10


def bench_case(strategy: str, spec: ImageSetSpec, workers: int) -> Case:
    params = ImwriteWorkload.params_for(Codec())
    if strategy == "serial":
        return Case("imwrite", spec, params, "serial")
    chunk = auto_chunk_size(strategy, spec.count, workers)
    method = "fork" if strategy.startswith("processes") else None
    return Case("imwrite", spec, params, strategy, workers, chunk, method, chunk_rule="auto")


def _timed(fn) -> tuple[float, float | None]:
    """Seconds of ``fn()``, taken again (at most twice) while CPU time was being stolen."""
    for _ in range(3):
        with StealMeter() as steal:
            start = time.perf_counter()
            fn()
            seconds = time.perf_counter() - start
        if steal.share is None or steal.share <= STEAL_LIMIT:
            break
    return seconds, steal.share


def run(count: int, rounds: int, workers: int, out_root: str, families=FAMILIES, echo=print) -> list[dict]:
    from bench.measure.visits import GroupHost

    spec = ImageSetSpec(ImageSize.parse("50x50x1"), count, "noise", 0)
    images = generate(spec)
    params = Codec().params()
    root = tempfile.mkdtemp(prefix="bench-selfcheck-", dir=out_root)
    dirs = PassDirs(root)
    host = GroupHost({"workload": "imwrite", "params": ImwriteWorkload.params_for(Codec()),
                      "images": spec.as_dict(), "serial_slice": count,
                      "work_dir": os.path.join(root, "bench")}, workers)
    os.makedirs(os.path.join(root, "bench"), exist_ok=True)
    bare = {f: Bare(f, images, workers, params) for f in families}
    times = {(side, f): [] for side in ("bench", "bare") for f in families}
    steals = []
    try:
        # every pool's workers forked before any pass, on both sides: a worker inherits the
        # parent's allocator as it is at the fork (see GroupHost.prestart)
        host.prestart([bench_case(f, spec, workers).as_dict() for f in families if f != "serial"])
        for f in families:
            bare[f].bring_up()
        for f in families:                         # warm both sides once, untimed
            _bench_pass(host, f, spec, workers)
            out = dirs.fresh()
            bare[f].run(out)
            PassDirs.remove(out)
        rng = random.Random(0)
        for k in range(rounds):
            steps = [(side, f) for side in ("bench", "bare") for f in families]
            rng.shuffle(steps)
            for side, f in steps:
                if side == "bench":
                    seconds, steal = _bench_pass(host, f, spec, workers)
                else:
                    out = dirs.fresh()
                    seconds, steal = _timed(lambda: bare[f].run(out))
                    PassDirs.remove(out)          # after the pass, as a visit removes its folders
                times[(side, f)].append(seconds)
                steals.append(steal)
            echo(f"round {k + 1}/{rounds} done")
    finally:
        for b in bare.values():
            b.close()
        host.stop()
        PassDirs.remove(root)
    out = []
    for f in families:
        b, h = times[("bare", f)], times[("bench", f)]
        out.append({"family": f, "bare_img_per_s": count / statistics.median(b),
                    "bench_img_per_s": count / statistics.median(h),
                    "ratio": statistics.median(b) / statistics.median(h),
                    "bare_spread": (max(b) - min(b)) / statistics.median(b),
                    "bench_spread": (max(h) - min(h)) / statistics.median(h)})
    known = [s for s in steals if s is not None]
    out.append({"steal_max": max(known) if known else None})
    return out


def _bench_pass(host, family: str, spec: ImageSetSpec, workers: int):
    """One timed pass as a race visit takes it (the serial loop: the serial pass)."""
    for _ in range(3):
        if family == "serial":
            reply = host.serial_pass()
        else:
            reply = host.visit(bench_case(family, spec, workers).as_dict())
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
        print(f"{r['family']:<20}{r['bare_img_per_s']:>12,.0f}{r['bench_img_per_s']:>13,.0f}"
              f"{r['ratio']:>12.3f}{r['bare_spread']:>13.0%}{r['bench_spread']:>14.0%}")
    if steal["steal_max"] is not None:
        print(f"most CPU time stolen during a pass: {steal['steal_max']:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
