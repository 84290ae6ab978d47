"""``python -m bench.sim.from_results FILE [--noise CV]``: a results file's machine as a
MACHINE.json - the shape a real run measured, to race on the simulator.

Each strategy's curve: its fastest paired speedup at each worker count; ``default`` is the
slowest strategy's. Noise, drift and stalls are the standard figures (a file holds too
few passes per configuration to tell them).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys

from bench.texts import messages


def machine_of(path: str, noise_cv: float = 0.05, group: str | None = None) -> dict:
    """``group``: shape the speedup curves from the groups whose key holds it only (a
    strategy's curve is otherwise the fastest of its groups at each count)."""
    from bench.analysis.load import analyse
    from bench.results import ResultsFile

    analysis = analyse(ResultsFile.load(path))
    m = analysis.machine
    serial, curves = {}, {}
    for measured in analysis.groups():
        rows = [r for r in measured.rows if r.family == "serial"]
        if not rows:
            continue
        first = measured.rows[0]
        if first.meta.get("image_content") is None or first.workload in ("pool-start", "roundtrip", "pickle"):
            continue                     # an overhead probe: no image set to race
        key = f"{first.workload} {first.meta.get('image_size')} {first.meta.get('image_content')}"
        serial[key] = round(statistics.median(r.median_s for r in rows), 9)
        if group and group not in measured.key:
            continue
        for r in measured.rows:
            figure = r.meta.get("paired_speedup")
            if r.family != "serial" and figure is not None:
                at = curves.setdefault(r.strategy, {})
                at[r.workers] = max(at.get(r.workers, 0.0), float(figure))
    if not curves:
        raise ValueError(messages.SIM_NO_SPEEDUPS.format(path=path))
    speedup = {name: [[w, round(v, 4)] for w, v in sorted(points.items())] for name, points in curves.items()}
    slowest = min(curves, key=lambda n: max(curves[n].values()))
    speedup["default"] = speedup[slowest]
    serial["default"] = statistics.median(serial.values()) if serial else 0.001
    return {
        "description": f"the shape {path} measured ({m.cpus} CPUs)",
        "cpus": int(m.cpus or 1),
        "memory_gib": round(max(1.0, float(analysis.results.run.get("machine", {}).get(
            "bench_mem_available") or 8 * 1024 ** 3) / 1024 ** 3), 1),
        "serial_s_per_image": serial,
        "speedup": speedup,
        "pool_start_s_per_worker": {"threads": 0.0002, "default": 0.003},
        "noise_cv": noise_cv, "drift_cv_per_min": 0.03, "stall_p": 0.01, "stall_factor": 3.0,
    }


def main(argv=None) -> int:
    from bench.results import ResultsError

    p = argparse.ArgumentParser(prog="python -m bench.sim.from_results", description=__doc__.split("\n\n")[0])
    p.add_argument("file", help="a bench results file")
    p.add_argument("--noise", type=float, default=0.05, metavar="CV", help="noise_cv of the machine (default 0.05)")
    p.add_argument("--group", metavar="TEXT", help="shape the curves from the groups whose key holds TEXT")
    args = p.parse_args(argv)
    try:
        print(json.dumps(machine_of(args.file, args.noise, args.group), indent=1))
    except (ValueError, OSError, ResultsError) as exc:
        print(messages.ERROR_LINE.format(error=exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
