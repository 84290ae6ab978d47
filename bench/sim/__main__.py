"""Runs ``bench all``'s plan and race (its image groups) on a simulated machine whose true
speeds are known, once per seed, and says how good each pick was: its true throughput
over the true best, the simulated wall time against the budget, and every configuration
put out though it was within 2% of the leader's true speed.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter

from bench.texts import messages


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.sim", description=__doc__.split("\n\n")[0])
    p.add_argument("machine", metavar="MACHINE.json", help="the simulated machine (docs/sim.md)")
    p.add_argument("--seeds", type=int, default=20, metavar="N", help="runs, one per seed (default 20)")
    p.add_argument("--first-seed", type=int, default=0, metavar="S", help="the first seed (default 0)")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--budget", metavar="DURATION", help="as bench all --budget (default 9 min)")
    length.add_argument("--quick", action="store_true", help="as bench all --quick (90 s)")
    p.add_argument("--json", action="store_true", help="every seed's outcome and the summary as JSON")
    args = p.parse_args(argv)
    from bench.plan.budget import format_duration, parse_duration
    from bench.sim.machine import Machine
    from bench.sim.race import simulate, summarise

    try:
        machine = Machine.load(args.machine)
        budget = parse_duration(args.budget) if args.budget else None
        if args.seeds < 1:
            raise ValueError(messages.SIM_SEEDS.format(value=args.seeds))
    except ValueError as exc:
        print(messages.ERROR_LINE.format(error=exc), file=sys.stderr)
        return 2
    mode = "quick" if args.quick else "full"
    outcomes, started = [], time.perf_counter()
    for k, seed in enumerate(range(args.first_seed, args.first_seed + args.seeds), 1):
        outcomes.append(simulate(machine, seed, mode, budget))
        if not args.json:
            eta = (time.perf_counter() - started) / k * (args.seeds - k)
            print(messages.SIM_PROGRESS.format(done=k, seeds=args.seeds, eta=format_duration(eta)),
                  file=sys.stderr, flush=True)
    summary = summarise(outcomes, mode)
    if args.json:
        print(json.dumps({"machine": args.machine, "mode": mode, "summary": summary,
                          "seeds": [_seed_json(o) for o in outcomes]}, indent=1))
        return 0
    print(messages.SIM_HEADER.format(machine=args.machine, cpus=machine.cpus, mode=mode,
                                     budget=format_duration(outcomes[0].budget_s), seeds=len(outcomes)))
    for group in dict.fromkeys(g.group for o in outcomes for g in o.groups):
        rows = [g for o in outcomes for g in o.groups if g.group == group]
        picks = Counter((g.pick[0], g.pick[1]) for g in rows)
        common = ", ".join(f"{s} w={w} ({n})" for (s, w), n in picks.most_common(3))
        best = rows[0].best
        within = sum(g.ratio >= 1 - summary["within"] for g in rows)
        print(messages.SIM_GROUP.format(group=group, best=f"{best[0]} w={best[1]} {best[2]:.2f}x",
                                        within=within, seeds=len(rows), share=summary["within"],
                                        median=statistics.median(g.ratio for g in rows),
                                        worst=min(g.ratio for g in rows), picks=common,
                                        wrong=sum(bool(g.wrong_outs) for g in rows)))
    print(messages.SIM_SUMMARY.format(**summary))
    left_out = list(dict.fromkeys(k for o in outcomes for k in o.left_out))
    if left_out:
        print(messages.SIM_LEFT_OUT.format(groups=", ".join(left_out)))
    return 0


def _seed_json(o) -> dict:
    return {"seed": o.seed, "wall_s": round(o.wall_s, 1), "budget_s": o.budget_s, "left_out": o.left_out,
            "groups": [{"group": g.group, "pick": {"strategy": g.pick[0], "workers": g.pick[1],
                                                   "chunk_size": g.pick[2]},
                        "pick_true_speedup": round(g.pick_speedup, 4),
                        "true_best": {"strategy": g.best[0], "workers": g.best[1], "speedup": round(g.best[2], 4)},
                        "true_best_on_the_ladder": {"strategy": g.best_planned[0], "workers": g.best_planned[1],
                                                    "speedup": round(g.best_planned[2], 4)},
                        "pick_over_best": round(g.ratio, 4), "wrong_eliminations": g.wrong_outs,
                        "best_count": g.best_count,
                        "best_count_over_best": round(g.best_count_speedup / g.best[2], 4) if g.best[2] else None,
                        "plateau_workers": g.plateau_workers,
                        "plateau_over_best": round(g.plateau_speedup / g.best[2], 4) if g.best[2] else None}
                       for g in o.groups]}


if __name__ == "__main__":
    sys.exit(main())
