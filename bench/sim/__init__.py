"""A simulated machine to race against: its truth known, its noise drawn.

``machine`` reads and checks a MACHINE.json (the serial loop's seconds per image, each
strategy's true speedup curve, pool starts, noise, drift and stalls) and answers what is
true: a configuration's speedup, the best configuration. ``passes`` draws what a pass
takes on it, seeded. ``race`` runs bench all's real plan and race on it, with only the
case processes and the clock simulated (``python -m bench.sim MACHINE.json``).
``examples`` writes the example machines the repository ships (sim_machines/). The
format is in docs/sim.md.
"""
from bench.sim.machine import Machine, Points, Usl, usl, usl_peaking_at
from bench.sim.passes import PassModel

__all__ = ["Machine", "PassModel", "Points", "Usl", "usl", "usl_peaking_at"]
