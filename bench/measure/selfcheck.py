"""Does the harness add anything per image? ``python -m bench.measure.selfcheck``

Times the serial strategy's warm passes (through bench.measure.timing.measure_case, exactly as a
case does) against a bare ``for`` loop over ``cv2.imencode`` timed with
``time.perf_counter``, on the classic saving-images-in-a-loop question's 50x50 grey images, interleaved so both see the same
machine state; prints both medians and their ratio.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import cv2

from bench.strategies import PoolConfig, make_strategy
from bench.measure.timing import measure_case
from workloads.codecs import Codec
from workloads.images import ImageSetSpec, ImageSize, generate
from workloads.imwrite import ImencodeWorkload


def bare_loop(images, params) -> float:
    start = time.perf_counter()
    for image in images:
        cv2.imencode(".jpg", image, params)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure.selfcheck", allow_abbrev=False)
    parser.add_argument("--n-images", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    images = generate(ImageSetSpec(ImageSize.parse("50x50x1"), args.n_images, "noise"))
    params = Codec().params()
    strategy = make_strategy("serial", PoolConfig())
    harness, bare = [], []
    with tempfile.TemporaryDirectory() as tmp:
        def through_harness():
            t = measure_case(strategy, ImencodeWorkload(), images, tempfile.mkdtemp(dir=tmp),
                             warmups=1, values=1)
            harness.append(t.values[0] / len(images))

        def bare_pass():
            bare_loop(images, params)                     # its own warm-up, as the harness has
            bare.append(bare_loop(images, params) / len(images))

        for k in range(args.rounds):
            # alternate the order so neither side always runs second
            for step in ((through_harness, bare_pass) if k % 2 == 0 else (bare_pass, through_harness)):
                step()
    h, b = statistics.median(harness), statistics.median(bare)
    print(f"serial strategy (harness): {h * 1e6:8.2f} us/image  (median of {args.rounds})")
    print(f"bare for loop            : {b * 1e6:8.2f} us/image")
    print(f"harness / bare           : {h / b:8.3f}  ({(h / b - 1):+.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
