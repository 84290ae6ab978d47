"""A simulated machine to race against, its truth known and its noise drawn (docs/sim.md):
``machine`` (MACHINE.json and the truth), ``passes`` (each pass drawn, seeded), ``race``
(bench all's real plan and race on it: ``python -m bench.sim MACHINE.json``), ``examples``
(sim_machines/).
"""
from bench.sim.machine import Machine, Points, Usl, usl, usl_peaking_at
from bench.sim.passes import PassModel

__all__ = ["Machine", "PassModel", "Points", "Usl", "usl", "usl_peaking_at"]
